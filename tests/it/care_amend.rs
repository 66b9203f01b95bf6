//! Addenda: `stillpoint amend` adds a dated, signed-off addendum after a
//! finished record without changing a byte of it; `show`, the Markdown and
//! JSON exports give the original and the addenda in order, CSV counts
//! them, history marks the record amended and shows the corrected ratings.

use crate::care::{practice, sp, stderr, stdout};

const ID: &str = "20251104-093000-still-point-10-minutes";

#[test]
fn an_addendum_follows_the_record_and_every_view_shows_both() {
    let data = practice();
    let path = data.path().join(format!("sessions/{ID}.jsonl"));
    let before = std::fs::read(&path).expect("read");
    let first = sp(
        data.path(),
        &[
            "amend",
            "20251104",
            "--text",
            "Pain after was 4, not 3: misheard.",
            "--by",
            "J. Doe",
            "--pain-after",
            "4",
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("Addendum 1 added"),
        "{}",
        stdout(&first)
    );
    let second = sp(
        data.path(),
        &[
            "amend",
            ID,
            "--text",
            "Client called: sleeping better.",
            "--by",
            "J. Doe",
        ],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    let after = std::fs::read(&path).expect("read");
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "nothing already written changed"
    );
    assert_eq!(
        after[before.len()..]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        2
    );

    let shown = stdout(&sp(data.path(), &["show", ID]));
    let original = shown.find("After the session").expect("the original");
    let one = shown.find("Addendum 1 of 2").expect("the first addendum");
    let two = shown.find("Addendum 2 of 2").expect("the second");
    assert!(original < one && one < two, "{shown}");
    assert!(shown.contains("signed off  J. Doe"), "{shown}");
    assert!(
        shown.contains("corrects    pain after: 4 (was 3)"),
        "{shown}"
    );
    assert!(
        shown.contains("pain        7 → 3"),
        "the original stands: {shown}"
    );

    let md = stdout(&sp(
        data.path(),
        &["export", "--format", "md", "--client", "Client-7Q"],
    ));
    assert!(
        md.contains("## Addendum 1 of 2") && md.contains("## Addendum 2 of 2"),
        "{md}"
    );
    assert!(md.contains("- **Corrects:** pain after: 4 (was 3)"), "{md}");
    let json = stdout(&sp(data.path(), &["export", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    let rec = json
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == ID))
        .expect("the record");
    assert_eq!(rec["addenda"].as_array().map(Vec::len), Some(2));
    assert_eq!(rec["addenda"][0]["corrected"]["pain_after"], 4);
    assert_eq!(rec["addenda"][0]["by"], "J. Doe");
    assert_eq!(rec["pain"]["after"], 3, "JSON keeps what was recorded");
    let csv = stdout(&sp(data.path(), &["export", "--format", "csv"]));
    let row = csv.lines().find(|l| l.starts_with(ID)).expect("a row");
    assert!(row.ends_with(",2"), "{row}");
    assert!(row.contains(",7,4,6,2,"), "corrected ratings: {row}");
    let history = stdout(&sp(data.path(), &["history"]));
    let row = history
        .lines()
        .find(|l| l.starts_with("20251104"))
        .expect("a row");
    assert!(
        row.contains("complete, amended") && row.contains("7 → 4"),
        "{row}"
    );
    // The chain runs on through the addenda.
    let verified = stdout(&sp(data.path(), &["verify", ID]));
    assert!(verified.contains("2 addenda after it"), "{verified}");
}

#[test]
fn only_a_finished_record_is_amended_and_an_empty_addendum_is_refused() {
    let data = practice();
    let empty = sp(data.path(), &["amend", ID, "--by", "J. Doe"]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(
        stderr(&empty).contains("needs text or a corrected rating"),
        "{}",
        stderr(&empty)
    );
    let unsigned = sp(data.path(), &["amend", ID, "--text", "x"]);
    assert_eq!(unsigned.status.code(), Some(1));
    // A session cut off is taken up, not amended.
    let sessions = data.path().join("sessions");
    crate::history::write(
        &sessions,
        &crate::history::Plan {
            end: crate::history::End::Cut(200),
            ..crate::care::session("2026-11-25T09:30:00+01:00", "AB", &[])
        },
    );
    let cut = sp(
        data.path(),
        &["amend", "20261125", "--text", "x", "--by", "J"],
    );
    assert_eq!(cut.status.code(), Some(1));
    assert!(stderr(&cut).contains("is interrupted"), "{}", stderr(&cut));
    assert!(
        stderr(&cut).contains("stillpoint resume"),
        "{}",
        stderr(&cut)
    );
}
