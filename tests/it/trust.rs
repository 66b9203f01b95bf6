//! A record you can trust, from the command line: a data folder that is not
//! the user's alone is refused (as ssh refuses a loose `~/.ssh`), a file that
//! is not a record is never touched, an export never writes through a link
//! or over a file without `--force`, and a full disk loses no note: they wait
//! and are written when space returns, or the whole record goes to a
//! fallback folder and the exit status says so.
#![allow(clippy::disallowed_methods)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{BIN, Pane};

/// Runs the binary with its data folder (and settings) under `dir`.
fn stillpoint(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("STILLPOINT_DATA", dir.join("data"))
        .env("STILLPOINT_CONFIG", dir.join("config.ron"))
        .env("NO_COLOR", "1")
        .env_remove("STILLPOINT_SESSIONS")
        .output()
        .expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

/// A data folder and its sessions folder, both the user's alone.
fn private_data_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = dir.path().join("data/sessions");
    std::fs::create_dir_all(&sessions).expect("mkdir");
    for d in [dir.path().join("data"), sessions.clone()] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    dir
}

#[test]
fn a_data_folder_others_can_write_in_is_refused_with_the_fix() {
    let dir = private_data_folder();
    let data = dir.path().join("data");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    for args in [&["history"][..], &["run", "ten-step", "--no-audio"]] {
        let out = stillpoint(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("can be written by other users (mode 777)"),
            "{err}"
        );
        assert!(
            err.contains(&format!("chmod 700 {}", data.display())),
            "{err}"
        );
    }
}

#[test]
fn a_sessions_folder_that_is_a_link_is_refused() {
    let dir = private_data_folder();
    let sessions = dir.path().join("data/sessions");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::rename(&sessions, &elsewhere).expect("mv");
    std::os::unix::fs::symlink(&elsewhere, &sessions).expect("link");
    let out = stillpoint(dir.path(), &["history"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is a symbolic link"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_data_folder_owned_by_someone_else_is_refused() {
    if !is_root() {
        eprintln!("skipped: only root can give a folder to another user");
        return;
    }
    let dir = private_data_folder();
    let data = dir.path().join("data");
    rustix::fs::chown(&data, Some(rustix::fs::Uid::from_raw(65534)), None).expect("chown");
    let out = stillpoint(dir.path(), &["run", "ten-step", "--no-audio"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("belongs to another user (uid 65534)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn resume_on_a_file_that_is_not_a_record_leaves_it_byte_for_byte() {
    let dir = private_data_folder();
    let notes = dir.path().join("my-notes.txt");
    std::fs::write(&notes, "one line of my own\n").expect("write");
    let out = stillpoint(dir.path(), &["resume", notes.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a stillpoint session record"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&notes).expect("read"),
        "one line of my own\n"
    );
}

#[test]
fn show_refuses_a_file_that_is_not_a_record() {
    let dir = private_data_folder();
    let out = stillpoint(dir.path(), &["show", "/etc/passwd"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a stillpoint session record"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_writes_a_new_private_file_and_never_through_a_link() {
    let dir = private_data_folder();
    let out_file = dir.path().join("all.csv");
    let path = out_file.to_str().expect("utf-8");
    let out = stillpoint(dir.path(), &["export", "--format", "csv", "-o", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("as CSV to {path}")),
        "{}",
        stderr(&out)
    );
    let meta = std::fs::metadata(&out_file).expect("written");
    assert_eq!(meta.mode() & 0o777, 0o600);
    // An existing file needs --force.
    let again = stillpoint(dir.path(), &["export", "--format", "csv", "-o", path]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let forced = stillpoint(
        dir.path(),
        &["export", "--format", "csv", "-o", path, "--force"],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    // A link is never written through, even with --force.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").expect("write");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&victim, &link).expect("link");
    let through = stillpoint(
        dir.path(),
        &[
            "export",
            "--format",
            "csv",
            "--force",
            "-o",
            link.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(through.status.code(), Some(1));
    assert!(
        stderr(&through).contains("symbolic link"),
        "{}",
        stderr(&through)
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me\n");
}

#[test]
fn a_client_reference_is_cleaned_once_where_it_enters() {
    use stillpoint::session::record::{CLIENT_MAX, client_reference};
    // A whole escape sequence goes, not just its first byte.
    assert_eq!(client_reference("  A\u{1b}]0;owned\u{7}B \n C  "), "A B C");
    assert_eq!(
        client_reference(&"x".repeat(200)).chars().count(),
        CLIENT_MAX
    );
    assert_eq!(client_reference("\u{1b}[2J"), "");
}

// ---- a full disk, for real: a small tmpfs (root only) ----

/// A 256 KiB tmpfs mounted in a folder of its own, unmounted when dropped.
struct SmallDisk {
    mount: std::path::PathBuf,
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mount = dir.path().join("data");
        std::fs::create_dir_all(&mount).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs"])
            .arg(&mount)
            .status()
            .ok()?
            .success();
        ok.then_some(SmallDisk { mount, dir })
    }

    /// A small disk with an empty private `sessions` folder; `None` (the
    /// test skipped) where no tmpfs can be mounted and not every test is
    /// required.
    fn with_sessions() -> Option<SmallDisk> {
        let Some(disk) = SmallDisk::mount() else {
            assert!(
                std::env::var_os("STILLPOINT_REQUIRE_ALL").is_none(),
                "could not mount a tmpfs, and every test is required here"
            );
            eprintln!("skipped: could not mount a tmpfs here");
            return None;
        };
        let sessions = disk.mount.join("sessions");
        std::fs::create_dir(&sessions).expect("mkdir");
        std::fs::set_permissions(&sessions, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        Some(disk)
    }

    /// A home folder outside the small disk.
    fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }

    /// Everything the session folder holds.
    fn journal(&self) -> String {
        let mut text = String::new();
        for e in std::fs::read_dir(self.mount.join("sessions")).expect("sessions") {
            text += &std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default();
        }
        text
    }

    /// Fills what is left with a file, until the disk says no.
    fn fill(&self) {
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=1k"])
            .arg(format!("of={}", self.mount.join("filler").display()))
            .output();
    }

    fn free(&self) {
        std::fs::remove_file(self.mount.join("filler")).expect("free the space");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: the app may still hold a file there when a test fails.
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

/// Writes notes until one cannot be saved (the journal's last page on a
/// tmpfs takes a few more lines after the disk is full); returns how many.
fn notes_until_unsaved(pane: &Pane, prefix: &str) -> usize {
    for n in 1..=80 {
        note(pane, &format!("{prefix}-{n}"));
        if pane.screen().contains("record not saved") {
            return n;
        }
    }
    panic!(
        "80 notes on a full disk and none waited:\n{}",
        pane.screen()
    );
}

/// Writes a note on the dashboard and waits until the log shows it.
fn note(pane: &Pane, text: &str) {
    pane.keys(&["n"]);
    pane.wait_for("note ›");
    pane.keys(&["-l", text]);
    pane.keys(&["Enter"]);
    pane.wait_for(&format!("note: {text}"));
}

fn small_disk_session(name: &str) -> Option<(Pane, SmallDisk)> {
    if !crate::support::have_tmux() {
        return None;
    }
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return None;
    }
    let Some(disk) = SmallDisk::mount() else {
        if std::env::var_os("STILLPOINT_REQUIRE_ALL").is_some() {
            panic!("could not mount a tmpfs, and every test is required here");
        }
        eprintln!("skipped: could not mount a tmpfs here");
        return None;
    };
    let pane = Pane::start(
        name,
        120,
        40,
        &["run", "still-point-10", "--no-audio", "--client", "DF"],
        // A home of its own beside the small disk, so a rescued record
        // never lands in the checkout or the tester's real home.
        &format!(
            "export STILLPOINT_DATA='{}' HOME='{home}' XDG_CONFIG_HOME='{home}/.config';",
            disk.mount.display(),
            home = disk.home().display()
        ),
    );
    Some((pane, disk))
}

#[test]
fn notes_typed_while_the_disk_is_full_are_saved_when_space_returns() {
    let Some((pane, disk)) = small_disk_session("fullthenfree") else {
        return;
    };
    pane.consult();
    pane.keys(&["Space"]);
    pane.wait_for("running");
    note(&pane, "before-full");
    disk.fill();
    let typed = notes_until_unsaved(&pane, "while-full");
    note(&pane, "still-full");
    disk.free();
    note(&pane, "after-free");
    pane.wait_gone("record not saved");
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    assert_eq!(pane.close_record(), 0);
    let journal = disk.journal();
    let mut expected: Vec<String> = vec!["before-full".into()];
    expected.extend((1..=typed).map(|n| format!("while-full-{n}")));
    expected.extend(["still-full".into(), "after-free".into()]);
    for text in &expected {
        assert!(
            journal.contains(&format!("\"text\":\"{text}\"")),
            "{text} missing:\n{journal}"
        );
    }
    // Every line whole: the record reads back without damage.
    let out = Command::new(BIN)
        .arg("history")
        .env("STILLPOINT_DATA", &disk.mount)
        .output()
        .expect("runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("ended early"), "{table}");
}

#[test]
fn a_record_that_cannot_be_saved_is_written_whole_to_a_fallback_folder() {
    let Some((pane, disk)) = small_disk_session("fullforever") else {
        return;
    };
    pane.consult();
    pane.keys(&["Space"]);
    pane.wait_for("running");
    disk.fill();
    let typed = notes_until_unsaved(&pane, "full");
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    let status = pane.close_record();
    assert_eq!(status, 1, "not saved where it belongs: a failure status");
    let err = std::fs::read_to_string(pane.path("stderr.txt")).expect("stderr");
    let rescued = err
        .split("was written to ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no rescue path in: {err}"));
    let record = std::fs::read_to_string(rescued).expect("the rescued record");
    for n in 1..=typed {
        assert!(
            record.contains(&format!("\"text\":\"full-{n}\"")),
            "{record}"
        );
    }
    assert!(record.contains(r#""event":"closed""#), "{record}");
}

/// Runs a session start against `data` and checks it is refused before
/// anything is asked, with the reason, the fix, and no record left behind.
fn refused_before_the_session(data: &Path, home: &Path, why: &str) {
    let out = Command::new(BIN)
        .args(["run", "ten-step", "--no-audio", "--client", "RO"])
        .env("STILLPOINT_DATA", data)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .env_remove("STILLPOINT_SESSIONS")
        .output()
        .expect("runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "cannot keep session records in {}",
            data.join("sessions").display()
        )),
        "{err}"
    );
    assert!(err.contains(why), "{err}");
    assert!(err.contains("the session has not started"), "{err}");
    let left: Vec<_> = std::fs::read_dir(data.join("sessions"))
        .expect("sessions")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().ends_with(".jsonl"))
        .collect();
    assert!(left.is_empty(), "records left behind: {left:?}");
}

#[test]
fn a_read_only_data_folder_is_refused_before_the_session_starts() {
    if is_root() {
        // Root writes through any mode, so here the folder is a read-only
        // file system.
        let Some(disk) = SmallDisk::with_sessions() else {
            return;
        };
        let ro = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&disk.mount)
            .status()
            .expect("mount runs");
        assert!(ro.success(), "remount read-only");
        refused_before_the_session(&disk.mount, &disk.home(), "Read-only file system");
    } else {
        let dir = private_data_folder();
        let sessions = dir.path().join("data/sessions");
        std::fs::set_permissions(&sessions, std::fs::Permissions::from_mode(0o500)).expect("chmod");
        refused_before_the_session(
            &dir.path().join("data"),
            &dir.path().join("home"),
            "Permission denied",
        );
    }
}

#[test]
fn a_disk_already_full_is_refused_before_the_session_starts() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let Some(disk) = SmallDisk::with_sessions() else {
        return;
    };
    disk.fill();
    refused_before_the_session(&disk.mount, &disk.home(), "No space left on device");
}
