//! Backups through the real binary: backup → wipe → restore gives back
//! every record byte for byte and `verify --all` is clean, sealed or not;
//! a backup changed or cut short is refused before anything is written; a
//! newer record is never overwritten; a record being written is taken up
//! to its last whole line.

use std::path::{Path, PathBuf};

use crate::care::{CLIENT, folder, holding, practice, sp, sp_vault, stderr, stdout};

/// The records and the index of `data`, by name.
fn records(data: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    folder(&data.join("sessions"))
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "jsonl"))
        .map(|(p, b)| (p.strip_prefix(data).expect("inside").to_owned(), b))
        .collect()
}

/// Every record's modification time.
fn mtimes(data: &Path) -> Vec<std::time::SystemTime> {
    records(data)
        .iter()
        .map(|(p, _)| {
            std::fs::metadata(data.join(p))
                .and_then(|m| m.modified())
                .expect("a time")
        })
        .collect()
}

fn wipe(data: &Path) {
    for entry in std::fs::read_dir(data).expect("list").flatten() {
        let p = entry.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p).expect("rm");
        } else {
            std::fs::remove_file(&p).expect("rm");
        }
    }
}

fn round_trip(sealed: bool) {
    let data = practice();
    let run = |args: &[&str]| {
        if sealed {
            sp_vault(data.path(), args)
        } else {
            sp(data.path(), args)
        }
    };
    if sealed {
        assert!(run(&["vault", "init"]).status.success());
    }
    assert!(
        run(&["amend", "20251104", "--text", "called back", "--by", "J"])
            .status
            .success()
    );
    let history = stdout(&run(&["history"]));
    let before = records(data.path());
    let times = mtimes(data.path());
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("practice.backup");
    let made = run(&["backup", file.to_str().expect("utf-8")]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(
        stdout(&made).contains("Backed up 5 record(s)"),
        "{}",
        stdout(&made)
    );
    let bytes = std::fs::read(&file).expect("backup");
    assert_eq!(bytes.starts_with(b"stillpoint-backup"), sealed);
    if sealed {
        assert_eq!(
            holding(out.path(), CLIENT),
            Vec::<PathBuf>::new(),
            "sealed whole"
        );
    }
    wipe(data.path());
    let restored = run(&["restore", file.to_str().expect("utf-8")]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        stdout(&restored).contains("5 record(s) added"),
        "{}",
        stdout(&restored)
    );
    assert_eq!(records(data.path()), before);
    // To the nanosecond, so the restored index still knows every record.
    assert_eq!(mtimes(data.path()), times);
    let verified = run(&["verify", "--all"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    assert_eq!(stdout(&run(&["history"])), history);
}

#[test]
fn backup_wipe_restore_gives_back_every_record() {
    round_trip(false);
}

#[test]
fn a_sealed_backup_wipe_restore_gives_back_every_record_and_the_vault() {
    round_trip(true);
}

#[test]
fn a_damaged_backup_writes_nothing_and_a_newer_record_is_never_overwritten() {
    let data = practice();
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("b.tar.zst");
    let name = file.to_str().expect("utf-8");
    assert!(sp(data.path(), &["backup", name]).status.success());
    // Exists already: refused without --force.
    assert_eq!(sp(data.path(), &["backup", name]).status.code(), Some(1));
    let bytes = std::fs::read(&file).expect("read");
    let empty = tempfile::tempdir().expect("temp dir");
    for (what, bad) in [
        ("cut short", bytes[..bytes.len() / 2].to_vec()),
        ("a byte changed", {
            let mut b = bytes.clone();
            let i = b.len() / 2;
            b[i] ^= 0x20;
            b
        }),
        ("not a backup", b"hello".to_vec()),
    ] {
        let damaged = out.path().join("damaged");
        std::fs::write(&damaged, bad).expect("write");
        let refused = sp(empty.path(), &["restore", damaged.to_str().expect("utf-8")]);
        assert_eq!(refused.status.code(), Some(1), "{what}");
        assert!(
            stderr(&refused).contains("nothing was written"),
            "{what}: {}",
            stderr(&refused)
        );
        assert!(folder(empty.path()).is_empty(), "{what}");
    }
    // A record amended since the backup is newer: kept. One deleted: back.
    assert!(
        sp(
            data.path(),
            &["amend", "20251104", "--text", "later", "--by", "J"]
        )
        .status
        .success()
    );
    let amended = std::fs::read(
        data.path()
            .join("sessions/20251104-093000-still-point-10-minutes.jsonl"),
    )
    .expect("read");
    std::fs::remove_file(
        data.path()
            .join("sessions/20250610-100000-still-point-10-minutes.jsonl"),
    )
    .expect("rm");
    let restored = sp(data.path(), &["restore", name]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    let said = stdout(&restored);
    assert!(
        said.contains("1 record(s) added") && said.contains("3 already here"),
        "{said}"
    );
    assert!(
        said.contains("Kept (newer here than in the backup): 20251104"),
        "{said}"
    );
    assert_eq!(
        std::fs::read(
            data.path()
                .join("sessions/20251104-093000-still-point-10-minutes.jsonl")
        )
        .expect("read"),
        amended
    );
}

#[test]
fn a_record_being_written_is_backed_up_to_its_last_whole_line() {
    let data = practice();
    let path = data
        .path()
        .join("sessions/20261123-093000-still-point-10-minutes.jsonl");
    // Half a line, as a crash or an append under way leaves it.
    let mut bytes = std::fs::read(&path).expect("read");
    let whole = bytes.clone();
    bytes.extend_from_slice(br#"{"seq":80,"at":1,"ev"#);
    std::fs::write(&path, &bytes).expect("write");
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("b");
    let made = sp(data.path(), &["backup", file.to_str().expect("utf-8")]);
    assert!(
        stdout(&made).contains("last whole line"),
        "{}",
        stdout(&made)
    );
    let fresh = tempfile::tempdir().expect("temp dir");
    assert!(
        sp(fresh.path(), &["restore", file.to_str().expect("utf-8")])
            .status
            .success()
    );
    let back = std::fs::read(
        fresh
            .path()
            .join("sessions/20261123-093000-still-point-10-minutes.jsonl"),
    )
    .expect("restored");
    assert_eq!(back, whole);
}
