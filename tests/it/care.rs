//! Erasure and retention through the real binary: `forget --client`
//! leaves no byte of the reference anywhere in the data folder (records,
//! index, preferences), with a receipt that holds no health data; `forget
//! SESSION` erases one; `purge` lists, asks and erases what is past the
//! retention period. The helpers here serve the other `care_*` tests too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::history::{Act, End, Plan, write};
use crate::support::BIN;

/// The passphrase of every test vault.
pub(crate) const PASS: &str = "a passphrase for tests";

/// A client reference no hash, base64 or protocol text holds by chance.
pub(crate) const CLIENT: &str = "Client-7Q";

/// Runs `stillpoint ARGS --data-dir DATA` with no settings file, `env`
/// added, `stdin` given (or none). It runs in a session of its own, with
/// no controlling terminal: a passphrase it would ask for on the terminal
/// (when the test variable is not given) can never be waited for.
pub(crate) fn sp_with(data: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new("setsid");
    cmd.args(["--wait", BIN])
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("STILLPOINT_CONFIG", data.join("no-such-config.ron"))
        .env_remove("STILLPOINT_TEST_PASSPHRASE")
        .env_remove("STILLPOINT_TEST_NEW_PASSPHRASE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("it ends")
}

/// Runs `stillpoint ARGS --data-dir DATA` with nothing on standard input.
pub(crate) fn sp(data: &Path, args: &[&str]) -> Output {
    sp_with(data, args, &[], "")
}

/// Runs it with the test vault's passphrase.
pub(crate) fn sp_vault(data: &Path, args: &[&str]) -> Output {
    sp_with(data, args, &[("STILLPOINT_TEST_PASSPHRASE", PASS)], "")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir`, with its bytes.
pub(crate) fn folder(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                files.insert(p, bytes);
            }
        }
    }
    files
}

/// The files under `dir` whose raw bytes hold `needle`, in any ASCII case.
pub(crate) fn holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let needle = needle.to_ascii_lowercase();
    folder(dir)
        .into_iter()
        .filter(|(_, bytes)| {
            bytes
                .to_ascii_lowercase()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
        })
        .map(|(p, _)| p)
        .collect()
}

/// A session plan: closed, on `stamp`, for `client`, doing `acts` (a
/// note, say, then moving on).
pub(crate) const fn session(
    stamp: &'static str,
    client: &'static str,
    acts: &'static [(u64, Act)],
) -> Plan {
    Plan {
        stamp,
        protocol: "still-point-10",
        client: Some(client),
        before: Some((7, 6)),
        after: Some((Some(3), Some(2), "slept well after")),
        acts,
        end: End::Closed,
    }
}

/// A data folder: three closed sessions of [`CLIENT`] (2019, 2025, 2026)
/// and two of `AB`, indexed as history leaves them.
pub(crate) fn practice() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = dir.path().join("sessions");
    for plan in [
        session(
            "2019-03-02T09:30:00+01:00",
            CLIENT,
            &[(120, Act::Note("neck stiff")), (560, Act::Next)],
        ),
        session(
            "2025-06-10T10:00:00+02:00",
            "AB",
            &[(120, Act::Note("jaw released")), (560, Act::Next)],
        ),
        session(
            "2025-11-04T09:30:00+01:00",
            CLIENT,
            &[(120, Act::Note("headache eased")), (560, Act::Next)],
        ),
        session(
            "2026-11-20T14:00:00+01:00",
            CLIENT,
            &[(120, Act::Note("slept through")), (560, Act::Next)],
        ),
        session(
            "2026-11-23T09:30:00+01:00",
            "AB",
            &[(120, Act::Note("shoulders dropped")), (560, Act::Next)],
        ),
    ] {
        write(&sessions, &plan);
    }
    assert!(sp(dir.path(), &["history"]).status.success());
    dir
}

#[test]
fn forgetting_a_client_leaves_no_byte_of_the_reference_and_a_clean_receipt() {
    let data = practice();
    // A record of theirs deleted by hand long ago: its index line stays.
    let gone = data
        .path()
        .join("sessions/20190302-093000-still-point-10-minutes.jsonl");
    std::fs::remove_file(&gone).expect("rm");
    assert!(!holding(data.path(), CLIENT).is_empty());
    let before = folder(data.path());

    // Without the reference typed again, nothing happens.
    let refused = sp(data.path(), &["forget", "--client", CLIENT]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let wrong = sp(
        data.path(),
        &["forget", "--client", CLIENT, "--confirm", "Client-7"],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(folder(data.path()), before, "nothing was touched");

    let done = sp(
        data.path(),
        &["forget", "--client", "client-7q ", "--confirm", CLIENT],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    let plan = stderr(&done);
    assert!(
        plan.contains("2 session records of this client, dated 2025-11-04 to 2026-11-20"),
        "{plan}"
    );
    assert!(plan.contains("3 line(s) of the history index"), "{plan}");
    assert!(plan.contains("backups and exports"), "{plan}");
    assert_eq!(holding(data.path(), CLIENT), Vec::<PathBuf>::new());
    // The receipt: what, when, how; no reference, rating or note.
    let receipt = stdout(&done);
    assert!(receipt.contains("stillpoint erasure receipt"), "{receipt}");
    assert!(
        receipt.contains("2 session records, dated 2025-11-04 to 2026-11-20"),
        "{receipt}"
    );
    assert!(
        receipt.contains("3 line(s) of the history index"),
        "{receipt}"
    );
    for health in [
        CLIENT,
        "headache",
        "slept",
        "pain",
        "stress",
        "7 → 3",
        "still-point",
    ] {
        assert!(
            !receipt.to_lowercase().contains(&health.to_lowercase()),
            "{health}: {receipt}"
        );
    }
    // The others are untouched, and history reads as before for them.
    let history = stdout(&sp(data.path(), &["history"]));
    assert!(history.contains("2 sessions"), "{history}");
    assert!(history.contains("AB"), "{history}");
    assert_eq!(sp(data.path(), &["verify", "--all"]).status.code(), Some(0));
}

#[test]
fn forgetting_one_session_takes_its_id_typed_again() {
    let data = practice();
    let id = "20250610-100000-still-point-10-minutes";
    let wrong = sp(
        data.path(),
        &["forget", "20250610", "--confirm", "20250611"],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(data.path().join(format!("sessions/{id}.jsonl")).exists());
    let done = sp(data.path(), &["forget", "20250610", "--confirm", id]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(stdout(&done).contains("1 session record, dated 2025-06-10"));
    assert!(!data.path().join(format!("sessions/{id}.jsonl")).exists());
    let history = stdout(&sp(data.path(), &["history"]));
    assert!(
        history.contains("4 sessions") && !history.contains("2025-06-10"),
        "{history}"
    );
}

#[test]
fn purge_lists_then_erases_what_is_past_the_retention_period() {
    let data = practice();
    // No period anywhere: refused, with a hint.
    let none = sp(data.path(), &["purge", "--dry-run"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("--older-than"), "{}", stderr(&none));
    let dry = sp(data.path(), &["purge", "--older-than", "5y", "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stderr(&dry).contains("20190302-093000-still-point-10-minutes"),
        "{}",
        stderr(&dry)
    );
    assert!(!stderr(&dry).contains("2025"), "{}", stderr(&dry));
    assert_eq!(folder(data.path()).len(), 6, "a dry run erases nothing");
    // Without --yes and no terminal to ask on: refused.
    assert_eq!(
        sp(data.path(), &["purge", "--older-than", "5y"])
            .status
            .code(),
        Some(1)
    );
    // The setting gives the period.
    std::fs::write(data.path().join("config.ron"), "Config(retention: \"5y\")").expect("write");
    let out = Command::new("setsid")
        .args(["--wait", BIN, "purge", "--yes", "--data-dir"])
        .arg(data.path())
        .env("STILLPOINT_CONFIG", data.path().join("config.ron"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 session record, dated 2019-03-02"),
        "{}",
        stdout(&out)
    );
    assert!(
        !data
            .path()
            .join("sessions/20190302-093000-still-point-10-minutes.jsonl")
            .exists()
    );
    assert!(stdout(&sp(data.path(), &["history"])).contains("4 sessions"));
}
