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
        speed: 1.0,
        opened: crate::session::record::Stamp::parse("2026-11-22T10:00:00+00:00"),
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
        at(2500, Entry::note("client settled quickly")),
        at(
            3000,
            Entry::Rhythm {
                cpm: 8.5,
                taps: 4,
                time: Default::default(),
            },
        ),
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
            .starts_with(r#"{"seq":0,"at":0,"event":"opened","version":3,"protocol":"Ten step""#),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[3],
        r#"{"seq":3,"at":2500,"event":"note","text":"client settled quickly","crc":"#.to_owned()
            + &format!(
                "\"{:08x}\"}}",
                crc32c::crc32c(
                    br#"{"seq":3,"at":2500,"event":"note","text":"client settled quickly"}"#
                )
            )
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
    let extra = at(99_000, Entry::note("after the crash"));
    let cut = dir.path().join("cut.jsonl");
    for len in 0..=bytes.len() {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let complete = line_ends.iter().filter(|&&e| e <= len).count();
        if complete == 0 {
            // Without a whole opening line it is no record: refused, and
            // left exactly as it was.
            assert!(
                matches!(FileJournal::reopen(&cut), Err(JournalError::NotARecord)),
                "cut at {len}"
            );
            assert_eq!(std::fs::read(&cut).unwrap(), &bytes[..len]);
            continue;
        }
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
        contents
            .opened()
            .and_then(|o| o.opened)
            .map(|o| o.to_string()),
        Some("2026-11-22T10:00:00+00:00".to_owned())
    );
}

// ---- nothing is lost: faults, foreign files, a vanished folder ----

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A disk that fills up, writes short or fails to sync, on cue.
#[derive(Debug, Clone, Default)]
struct Faulty {
    disk: Rc<RefCell<Vec<u8>>>,
    /// Bytes that fit before the disk is full (`None`: room for all).
    room: Rc<Cell<Option<usize>>>,
    /// Each write takes at most this many bytes.
    short: Option<usize>,
    /// The next sync fails with EIO.
    bad_sync: Rc<Cell<bool>>,
}

impl Store for Faulty {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let room = self.room.get().unwrap_or(usize::MAX);
        if room == 0 {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        let n = bytes.len().min(room).min(self.short.unwrap_or(usize::MAX));
        self.disk.borrow_mut().extend_from_slice(&bytes[..n]);
        if let Some(r) = self.room.get() {
            self.room.set(Some(r - n));
        }
        Ok(n)
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.bad_sync.replace(false) {
            return Err(io::Error::from_raw_os_error(5)); // EIO
        }
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut disk = self.disk.borrow_mut();
        let freed = disk.len().saturating_sub(len as usize);
        disk.truncate(len as usize);
        if let Some(r) = self.room.get() {
            self.room.set(Some(r + freed));
        }
        Ok(())
    }
}

/// The opening line and the sample, as a session would append them.
fn session_entries() -> Vec<Logged> {
    let mut all = vec![at(0, Entry::Opened(opened()))];
    all.extend(sample());
    all
}

#[test]
fn a_full_disk_at_any_byte_loses_nothing_and_never_leaves_half_a_line() {
    let entries = session_entries();
    let total: usize = entries
        .iter()
        .enumerate()
        .map(|(i, e)| line(i as u64, e).unwrap().len())
        .sum();
    for room in 0..=total {
        let store = Faulty {
            room: Rc::new(Cell::new(Some(room))),
            ..Faulty::default()
        };
        let disk = Rc::clone(&store.disk);
        let space = Rc::clone(&store.room);
        let mut j = FileJournal::with_store(Box::new(store.clone()), Path::new("x.jsonl"));
        let mut saved = 0;
        for (i, e) in entries.iter().enumerate() {
            let ok = j.append(e).is_ok();
            // What the screen may show as saved is exactly what is on disk,
            // and the disk only ever holds whole lines.
            let on_disk = parse(&disk.borrow()).expect("whole lines");
            assert!(!on_disk.torn_tail, "room {room}, entry {i}");
            if ok {
                saved = i + 1;
                assert_eq!(on_disk.records, entries[..saved], "room {room}");
            }
            assert_eq!(j.waiting(), i + 1 - on_disk.records.len(), "room {room}");
        }
        assert!(saved <= entries.len());
        // Space comes back: every entry is written, in order, numbered
        // without a gap, with nothing glued onto a half line.
        space.set(None);
        j.retry().expect("room again");
        assert_eq!(j.waiting(), 0);
        let back = parse(&disk.borrow()).expect("parses");
        assert!(!back.torn_tail);
        assert_eq!(back.records, entries, "room {room}");
    }
}

#[test]
fn short_writes_and_a_failed_sync_are_whole_or_absent() {
    let entries = session_entries();
    let store = Faulty {
        short: Some(7),
        ..Faulty::default()
    };
    let disk = Rc::clone(&store.disk);
    let bad_sync = Rc::clone(&store.bad_sync);
    let mut j = FileJournal::with_store(Box::new(store), Path::new("x.jsonl"));
    for (i, e) in entries.iter().enumerate() {
        if i == 3 {
            bad_sync.set(true);
            assert!(j.append(e).is_err(), "the sync failed: not saved");
            assert_eq!(parse(&disk.borrow()).unwrap().records.len(), 3);
            continue;
        }
        j.append(e).expect("short writes are finished");
    }
    assert_eq!(parse(&disk.borrow()).unwrap().records, entries);
}

#[test]
fn a_file_that_is_not_a_record_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    for text in [
        "a line of my own notes\n".as_bytes(),
        b"half a line with no end",
        b"",
        b"{\"seq\":0,\"at\":0,\"event\":\"note\",\"text\":\"x\"}\n",
    ] {
        let path = dir.path().join("mine.txt");
        std::fs::write(&path, text).unwrap();
        assert!(
            matches!(FileJournal::reopen(&path), Err(JournalError::NotARecord)),
            "{text:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), text);
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn links_and_special_files_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let real = write(dir.path(), &sample());
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink(real.path(), &link).unwrap();
    drop(real);
    assert!(matches!(
        read(&link),
        Err(JournalError::NotAFile(crate::files::ReadError::NotRegular(
            _
        )))
    ));
    assert!(FileJournal::reopen(&link).is_err());
    assert!(read_last(&link).is_err());
    let zero = dir.path().join("zero.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    assert!(read(&zero).is_err());
    let fifo = dir.path().join("fifo.jsonl");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .unwrap();
    assert!(read(&fifo).is_err());
    assert!(FileJournal::reopen(&fifo).is_err());
}

#[test]
fn a_checksum_that_does_not_match_is_damage_even_when_the_json_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let j = write(dir.path(), &sample());
    let text = std::fs::read_to_string(j.path()).unwrap();
    std::fs::write(j.path(), text.replace("\"pain\":6", "\"pain\":9")).unwrap();
    assert!(matches!(
        read(j.path()),
        Err(JournalError::Damaged { line: 2, .. })
    ));
}

// Windows refuses to delete a folder that holds an open file.
#[cfg(unix)]
#[test]
fn a_folder_deleted_under_a_running_session_is_made_again_from_memory() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = dir.path().join("data/sessions");
    let mut j = write(&sessions, &sample()[..2]);
    let path = j.path().to_owned();
    std::fs::remove_dir_all(dir.path().join("data")).unwrap();
    for e in &sample()[2..] {
        j.append(e).expect("written again");
    }
    assert_eq!(j.path(), path);
    let back = read(&path).unwrap();
    assert_eq!(back.opened(), Some(&opened()));
    assert_eq!(&back.records[1..], &sample()[..]);
}

#[test]
fn a_record_that_cannot_be_made_is_kept_and_rescued_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    // A "folder" under a file can never be made.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let mut lazy = LazyJournal::new(&dir.path().join("file/sessions"), opened(), Box::new(stamp));
    for e in sample() {
        assert!(lazy.append(&e).is_err());
    }
    assert_eq!(lazy.waiting(), sample().len());
    // Nothing was littered where it failed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let rescued = lazy
        .rescue(&[dir.path().join("file/x"), dir.path().join("rescue")])
        .expect("something recorded")
        .expect("rescued");
    assert!(rescued.starts_with(dir.path().join("rescue")));
    let back = read(&rescued).unwrap();
    assert_eq!(&back.records[1..], &sample()[..]);
}
