use std::time::Duration;

use super::*;
use crate::session::record::{
    Aftercare, Caution, Condition, EndedBy, Intake, LOG_VERSION, Release,
};

fn opened() -> Opened {
    Opened {
        version: LOG_VERSION,
        protocol: "Ten step".into(),
        source: "bundled:ten-step".into(),
        hash: "ab12".into(),
        client: Some("AB".into()),
        practice: false,
        opened: "2026-11-22T10:00:00+00:00".into(),
        app: "test".into(),
    }
}

fn stamp() -> jiff::Zoned {
    "2026-11-22T10:00:00+00:00[UTC]".parse().unwrap()
}

fn at(ms: u64, entry: Entry) -> Logged {
    Logged {
        at: Moment::from_millis(ms),
        entry,
    }
}

/// A little of everything a session writes.
fn sample() -> Vec<Logged> {
    vec![
        at(
            5,
            Entry::Intake(Intake {
                client: "AB".into(),
                focus: vec![crate::protocol::Region::Neck],
                focus_note: "stiff in the mornings".into(),
                pain: 6,
                stress: 4,
                releases: vec![Release {
                    condition: Condition::RecentConcussion,
                    released: true,
                }],
                cautions: vec![Caution::Elderly],
            }),
        ),
        at(
            1000,
            Entry::StepStarted {
                step: 0,
                name: "Feet".into(),
                region: Some(crate::protocol::Region::Feet),
                planned: Duration::from_secs(60),
            },
        ),
        at(
            2500,
            Entry::Note {
                text: "client settled quickly".into(),
            },
        ),
        at(3000, Entry::Rhythm { cpm: 8.5, taps: 4 }),
        at(
            61_000,
            Entry::StepEnded {
                step: 0,
                target: Duration::from_secs(60),
                actual: Duration::from_secs(60),
                by: EndedBy::Auto,
            },
        ),
        at(
            62_000,
            Entry::Aftercare(Aftercare {
                pain: Some(3),
                stress: Some(2),
                note: "lighter".into(),
            }),
        ),
    ]
}

fn write(dir: &Path, entries: &[Logged]) -> FileJournal {
    let mut j = FileJournal::create(dir, &opened(), &stamp()).unwrap();
    for e in entries {
        j.append(e).unwrap();
    }
    j
}

#[test]
fn records_round_trip_as_numbered_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let j = write(dir.path(), &sample());
    let text = std::fs::read_to_string(j.path()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0]
            .starts_with(r#"{"seq":0,"at":0,"event":"opened","version":2,"protocol":"Ten step""#),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[3],
        r#"{"seq":3,"at":2500,"event":"note","text":"client settled quickly"}"#
    );
    assert!(j.path().ends_with("20261122-100000-ten-step.jsonl"));
    assert_eq!(j.id(), "20261122-100000-ten-step");
    let contents = read(j.path()).unwrap();
    assert!(!contents.torn_tail);
    assert_eq!(contents.opened(), Some(&opened()));
    assert_eq!(&contents.records[1..], &sample()[..]);
    assert_eq!(read_last(j.path()).unwrap().as_ref(), sample().last());
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("deep/sessions");
    let j = write(&logs, &[]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(j.path()), 0o600);
    assert_eq!(mode(&logs), 0o700);
    assert_eq!(mode(&dir.path().join("deep")), 0o700);
    // A second journal in the same second gets its own file.
    let k = write(&logs, &[]);
    assert_ne!(k.path(), j.path());
}

#[test]
fn a_journal_truncated_at_any_byte_reopens_and_appends_contiguously() {
    let dir = tempfile::tempdir().unwrap();
    let original = write(dir.path(), &sample());
    let bytes = std::fs::read(original.path()).unwrap();
    drop(original);
    let line_ends: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let extra = at(
        99_000,
        Entry::Note {
            text: "after the crash".into(),
        },
    );
    let cut = dir.path().join("cut.jsonl");
    for len in 0..=bytes.len() {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let complete = line_ends.iter().filter(|&&e| e <= len).count();
        let (mut j, contents) = FileJournal::reopen(&cut).unwrap();
        assert_eq!(contents.records.len(), complete, "cut at {len}");
        assert_eq!(
            contents.torn_tail,
            !line_ends.contains(&len) && len > 0,
            "cut at {len}"
        );
        j.append(&extra).unwrap();
        drop(j);
        let back = read(&cut).unwrap();
        assert!(!back.torn_tail, "cut at {len}");
        assert_eq!(back.records.len(), complete + 1, "cut at {len}");
        assert_eq!(back.records.last(), Some(&extra));
        // The numbering is contiguous (parse checks every seq).
        let text = std::fs::read_to_string(&cut).unwrap();
        let last = text.lines().last().unwrap();
        assert!(
            last.starts_with(&format!(r#"{{"seq":{complete},"#)),
            "cut at {len}: {last}"
        );
    }
}

#[test]
fn damage_is_tolerated_only_in_the_last_line() {
    let good = concat!(
        r#"{"seq":0,"at":0,"event":"note","text":"a"}"#,
        "\n",
        r#"{"seq":1,"at":5,"event":"note","text":"b"}"#,
        "\n"
    );
    // A complete but damaged last line is a torn tail.
    let torn = format!("{good}{{\"seq\":2,\"at\":9,\"ev\n");
    let c = parse(torn.as_bytes()).unwrap();
    assert!(c.torn_tail);
    assert_eq!(c.records.len(), 2);
    assert_eq!(c.valid_len, good.len() as u64);
    // Zeros left by a crash after the file grew are a torn tail too.
    let zeros = [good.as_bytes(), &[0u8; 40]].concat();
    assert!(parse(&zeros).unwrap().torn_tail);
    // The same damage before a good line is not.
    let middle = format!(
        "{}\n{{\"seq\":1,\"at\"\n{}\n",
        r#"{"seq":0,"at":0,"event":"note","text":"a"}"#,
        r#"{"seq":2,"at":9,"event":"note","text":"c"}"#
    );
    match parse(middle.as_bytes()) {
        Err(JournalError::Damaged { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    // A gap in the numbering is damage as well.
    let gap = concat!(
        r#"{"seq":0,"at":0,"event":"note","text":"a"}"#,
        "\n",
        r#"{"seq":2,"at":5,"event":"note","text":"b"}"#,
        "\n",
        r#"{"seq":3,"at":5,"event":"note","text":"c"}"#,
        "\n"
    );
    assert!(matches!(
        parse(gap.as_bytes()),
        Err(JournalError::Damaged { line: 2, .. })
    ));
}

#[test]
fn two_writers_never_share_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let j = write(dir.path(), &sample());
    let path = j.path().to_owned();
    assert!(matches!(
        FileJournal::reopen(&path),
        Err(JournalError::Locked)
    ));
    // Readers do not need the lock.
    assert_eq!(read(&path).unwrap().records.len(), sample().len() + 1);
    drop(j);
    let (k, _) = FileJournal::reopen(&path).unwrap();
    assert!(matches!(
        FileJournal::reopen(&path),
        Err(JournalError::Locked)
    ));
    drop(k);
}

#[test]
fn version_one_journals_still_read() {
    let v1 = concat!(
        r#"{"seq":0,"event":"log_opened","version":1,"protocol":"Ten step","client":"AB","opened":"2026-11-20T09:00:00Z"}"#,
        "\n",
        r#"{"seq":1,"at":1000,"event":"session_started","protocol":"Ten step","steps":18,"planned":3620.0}"#,
        "\n",
        r#"{"seq":2,"at":1000,"event":"paused","step":0}"#,
        "\n"
    );
    let c = parse(v1.as_bytes()).unwrap();
    let o = c.opened().expect("the first line is read as opened");
    assert_eq!(o.version, 1);
    assert_eq!(o.client.as_deref(), Some("AB"));
    assert_eq!(c.records.len(), 3);
}

#[test]
fn the_last_record_is_read_from_the_end_only() {
    let dir = tempfile::tempdir().unwrap();
    let j = write(dir.path(), &sample());
    let path = j.path().to_owned();
    drop(j);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(br#"{"seq":7,"at":1,"ev"#);
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(read_last(&path).unwrap(), None, "a torn tail is no record");
}

#[test]
fn a_lazy_journal_is_made_by_its_first_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut lazy = LazyJournal::new(dir.path(), opened(), Box::new(stamp));
    assert!(lazy.path().is_none());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    lazy.append(&sample()[0]).unwrap();
    let path = lazy.path().expect("made").to_owned();
    let contents = read(&path).unwrap();
    assert_eq!(contents.records.len(), 2);
    assert_eq!(
        contents.opened().map(|o| o.opened.as_str()),
        Some("2026-11-22T10:00:00+00:00")
    );
}
