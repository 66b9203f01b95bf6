//! Tamper evidence through the real binary: every kind of alteration —
//! a line edited (its checksum recomputed, as a careful forger would), a
//! line deleted, two swapped, the record cut short (at a line's end or in
//! the middle of one), a line spliced in from another record, a whole
//! record deleted — makes `verify` exit 4 and say where, and `history`
//! list the record as altered; a crash's torn tail exits 3; a record from
//! before the chain reads as "no chain".

use std::path::Path;

use stillpoint::session::journal::line;

use crate::care::{practice, sp, stdout};

const ID: &str = "20251104-093000-still-point-10-minutes";
const OTHER: &str = "20250610-100000-still-point-10-minutes";

/// `raw` (one line, no newline) with its checksum made right again.
fn recrc(raw: &str) -> String {
    let body = &raw[..raw.rfind(",\"crc\":").expect("a checksum")];
    String::from_utf8(line::seal(format!("{body}}}").into_bytes())).expect("utf-8")
}

fn lines_of(data: &Path, id: &str) -> Vec<String> {
    std::fs::read_to_string(data.join(format!("sessions/{id}.jsonl")))
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn put(data: &Path, id: &str, text: &str) {
    std::fs::write(data.join(format!("sessions/{id}.jsonl")), text).expect("write");
}

/// Changes the record `ID` in a fresh data folder with `alter`, then
/// checks verify's exit status and words, and history's row.
fn caught(name: &str, alter: impl FnOnce(&Path, Vec<String>) -> String, words: &str) {
    let data = practice();
    let lines = lines_of(data.path(), ID);
    let text = alter(data.path(), lines);
    put(data.path(), ID, &text);
    let out = sp(data.path(), &["verify", "--all"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "{name}:\n{report}");
    let row = report.lines().find(|l| l.starts_with(ID)).expect("a row");
    assert!(row.contains(words), "{name}: {row}");
    assert_eq!(
        report.matches("intact").count(),
        4 + 1,
        "{name}: only it is caught:\n{report}"
    );
    let one = sp(data.path(), &["verify", "20251104"]);
    assert_eq!(one.status.code(), Some(4), "{name}");
    let history = stdout(&sp(data.path(), &["history"]));
    let row = history
        .lines()
        .find(|l| l.starts_with("20251104"))
        .expect("a row");
    assert!(
        row.contains("altered") || row.contains("damaged"),
        "{name}: {row}"
    );
}

#[test]
fn every_alteration_is_caught_and_located() {
    let join = |l: Vec<String>| l.join("\n") + "\n";
    caught(
        "a note edited",
        |_, mut l| {
            let i = l
                .iter()
                .position(|x| x.contains("headache eased"))
                .expect("the note");
            l[i] = recrc(&l[i].replace("headache eased", "headache worse"));
            join(l)
        },
        "ALTERED at line",
    );
    caught(
        "the closing line edited",
        |_, mut l| {
            let last = l.len() - 1;
            l[last] = recrc(&l[last].replace("\"pain_after\":3", "\"pain_after\":1"));
            join(l)
        },
        "ALTERED at line",
    );
    caught(
        "a line deleted",
        |_, mut l| {
            l.remove(4);
            join(l)
        },
        "LINES REMOVED",
    );
    caught(
        "two lines swapped",
        |_, mut l| {
            l.swap(4, 5);
            join(l)
        },
        "ALTERED at line 5",
    );
    caught(
        "cut at a line's end",
        |_, mut l| {
            l.truncate(l.len() / 2);
            join(l)
        },
        "cut from its end",
    );
    caught(
        "cut in a line",
        |_, l| {
            let text = join(l);
            text[..text.len() / 2].to_owned()
        },
        "cut from its end",
    );
    caught(
        "a line spliced in from another record",
        |data, mut l| {
            l[3] = lines_of(data, OTHER)[3].clone();
            join(l)
        },
        "ALTERED at line 4",
    );
}

#[test]
fn a_torn_tail_an_old_record_and_a_deleted_record_are_told_apart() {
    let data = practice();
    // A session cut off by a crash mid-line: not indexed, torn, not altered.
    let sessions = data.path().join("sessions");
    let cut = crate::history::write(
        &sessions,
        &crate::history::Plan {
            end: crate::history::End::Cut(200),
            ..crate::care::session("2026-11-25T09:30:00+01:00", "AB", &[])
        },
    );
    let mut bytes = std::fs::read(&cut).expect("read");
    bytes.extend_from_slice(br#"{"seq":99,"at":2000,"event":"pro"#);
    std::fs::write(&cut, bytes).expect("write");
    let out = sp(data.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(stdout(&out).contains("torn tail"), "{}", stdout(&out));
    // A version 2 record from before the chain.
    let old = "20180108-090200-trainee-drill-hand-positions.jsonl";
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data/sessions")
        .join(old);
    std::fs::copy(fixture, sessions.join(old)).expect("copy");
    let out = stdout(&sp(data.path(), &["verify", "20180108"]));
    assert!(out.contains("no chain (a version 2 record"), "{out}");
    // A whole record deleted: the index remembers it.
    std::fs::remove_file(sessions.join(format!("{OTHER}.jsonl"))).expect("rm");
    let out = sp(data.path(), &["verify", "--all"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stdout(&out).contains("LINES REMOVED: the whole record"),
        "{}",
        stdout(&out)
    );
}
