//! A record you can trust: a changed byte makes a record damaged in every
//! view (history, CSV, JSON, show), even a change that keeps the JSON valid;
//! an index line edited by hand or a record changed since it was indexed
//! is read from the file again; links planted in the data folder are never
//! followed.

use std::path::{Path, PathBuf};

use stillpoint::history::{Filter, Format, INDEX, export, history, show};

use crate::history::{records, run};

/// The first closed, complete record of the fixture and its sessions folder.
fn closed_record(dir: &Path) -> (PathBuf, PathBuf) {
    let sessions = dir.join("sessions");
    let path = sessions.join("20261102-093000-still-point-10-minutes.jsonl");
    assert!(path.is_file());
    (sessions, path)
}

/// What every view says about the record `id`.
fn views(sessions: &Path, id: &str) -> [String; 4] {
    let all = Filter::default();
    let history = run(|o| history(sessions, &all, o));
    let short = &id[..15];
    let row = history
        .lines()
        .find(|l| l.starts_with(short))
        .unwrap_or_default()
        .to_owned();
    let csv = run(|o| export(sessions, &all, Format::Csv, o));
    let csv = csv
        .lines()
        .find(|l| l.starts_with(id))
        .unwrap_or_default()
        .to_owned();
    let json = run(|o| export(sessions, &all, Format::Json, o));
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    let status = json
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == id))
        .map(|r| r["status"].to_string())
        .unwrap_or_default();
    let shown = run(|o| show(sessions, id, o));
    [row, csv, status, shown]
}

fn all_say_damaged(sessions: &Path, id: &str) {
    let [row, csv, status, shown] = views(sessions, id);
    assert!(row.contains("damaged"), "history: {row}");
    assert!(csv.contains(",damaged,"), "csv: {csv}");
    assert_eq!(status, "\"damaged\"", "json");
    assert!(shown.contains("state       damaged"), "show: {shown}");
}

#[test]
fn a_flipped_byte_is_damage_in_every_view() {
    let dir = records();
    let (sessions, path) = closed_record(dir.path());
    let id = "20261102-093000-still-point-10-minutes";
    // Listed once, so the index holds it as complete.
    assert!(views(&sessions, id)[0].contains("complete"));
    let mut bytes = std::fs::read(&path).expect("read");
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&path, bytes).expect("write");
    all_say_damaged(&sessions, id);
}

#[test]
fn a_change_that_keeps_the_json_valid_is_noticed_too() {
    let dir = records();
    let (sessions, path) = closed_record(dir.path());
    let id = "20261102-093000-still-point-10-minutes";
    assert!(views(&sessions, id)[0].contains("complete"));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("\"pain\":7"));
    std::fs::write(&path, text.replace("\"pain\":7", "\"pain\":9")).expect("write");
    all_say_damaged(&sessions, id);
}

#[test]
fn an_index_line_edited_by_hand_is_not_believed() {
    let dir = records();
    let (sessions, _) = closed_record(dir.path());
    let id = "20261102-093000-still-point-10-minutes";
    let before = views(&sessions, id)[0].clone();
    assert!(before.contains("7 → 4"), "{before}");
    let index = sessions.join(INDEX);
    let text = std::fs::read_to_string(&index).expect("index");
    assert!(text.contains("\"pain_after\":4"));
    std::fs::write(&index, text.replace("\"pain_after\":4", "\"pain_after\":1")).expect("write");
    let after = views(&sessions, id)[0].clone();
    assert_eq!(
        after, before,
        "the record, not the edited index, is the truth"
    );
}

#[cfg(unix)]
#[test]
fn links_planted_in_the_data_folder_are_not_followed() {
    let dir = records();
    let (sessions, _) = closed_record(dir.path());
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "someone else's file\n").expect("write");
    std::fs::remove_file(sessions.join(INDEX)).ok();
    std::os::unix::fs::symlink(&victim, sessions.join(INDEX)).expect("link");
    let table = run(|o| history(&sessions, &Filter::default(), o));
    assert!(
        table.contains("20261102-093000"),
        "history still lists: {table}"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "someone else's file\n",
        "nothing was written through the link"
    );
    // The preferences: a planted temporary name is never written through.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    for n in 0..3 {
        let tmp = data.join(format!(".prefs.json.{}-{n}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, tmp).expect("link");
    }
    std::os::unix::fs::symlink(&victim, data.join("prefs.json.tmp")).expect("link");
    stillpoint::settings::prefs::Prefs::default()
        .save(&data)
        .expect("saved beside the links");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "someone else's file\n"
    );
    assert!(data.join("prefs.json").is_file());
}
