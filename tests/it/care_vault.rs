//! The vault through the real binary: `vault init` seals every record, the
//! index and the preferences, so no client reference, note or rating is
//! left in plain bytes; a wrong passphrase writes nothing; `vault passwd`
//! rewraps the key without touching a record; and a session run with the
//! vault on is sealed from its first line, survives SIGKILL and is taken
//! up again with nothing it showed lost.

// The end-to-end test watches a real process, so it waits on real time.
#![allow(clippy::disallowed_methods)]

use std::process::Command;
use std::time::Duration;

use crate::care::{CLIENT, PASS, folder, holding, practice, sp, sp_vault, sp_with, stderr, stdout};
use crate::support::{Pane, alive, eventually};

/// What must never be in plain bytes with the vault on.
const SECRETS: [&str; 6] = [
    CLIENT,
    "headache eased",
    "slept well after",
    "\"pain\"",
    "\"stress\"",
    "\"AB\"",
];

#[test]
fn with_the_vault_on_nothing_is_in_the_clear_and_a_wrong_passphrase_writes_nothing() {
    let data = practice();
    std::fs::write(
        data.path().join("prefs.json"),
        r#"{"volume":6,"muted":false}"#,
    )
    .expect("prefs");
    let init = sp_vault(data.path(), &["vault", "init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(
        stdout(&init).contains("Sealed 5 record(s)"),
        "{}",
        stdout(&init)
    );
    // Every use of the test passphrase says so.
    assert!(
        stderr(&init).contains("meant for tests only"),
        "{}",
        stderr(&init)
    );
    for secret in SECRETS {
        assert_eq!(
            holding(data.path(), secret),
            Vec::<std::path::PathBuf>::new(),
            "{secret}"
        );
    }
    let before = folder(data.path());
    for args in [
        &["history"][..],
        &["show", "20251104"],
        &["export", "--format", "csv"],
        &["amend", "20251104", "--text", "x", "--by", "J"],
        &["forget", "--client", CLIENT, "--confirm", CLIENT],
        &["verify", "--all"],
    ] {
        let wrong = sp_with(
            data.path(),
            args,
            &[("STILLPOINT_TEST_PASSPHRASE", "not the passphrase")],
            "",
        );
        assert_eq!(wrong.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&wrong).contains("does not open the vault"),
            "{}",
            stderr(&wrong)
        );
        // No passphrase and no terminal to ask on: refused too.
        assert_eq!(sp(data.path(), args).status.code(), Some(1), "{args:?}");
    }
    assert_eq!(folder(data.path()), before, "nothing was written");
    let history = stdout(&sp_vault(data.path(), &["history"]));
    assert!(
        history.contains(CLIENT) && history.contains("5 sessions"),
        "{history}"
    );
    let verified = sp_vault(data.path(), &["verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    assert!(stdout(&verified).contains("sealed by the vault"));
    // The volume survived, sealed.
    assert!(
        !std::fs::read_to_string(data.path().join("prefs.json"))
            .expect("prefs")
            .contains("volume")
    );
}

#[test]
fn a_new_passphrase_rewrites_no_record() {
    let data = practice();
    assert!(sp_vault(data.path(), &["vault", "init"]).status.success());
    let records = |d: &std::path::Path| {
        folder(&d.join("sessions"))
            .into_iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "jsonl"))
            .collect::<Vec<_>>()
    };
    let before = records(data.path());
    let new = "a second passphrase";
    let changed = sp_with(
        data.path(),
        &["vault", "passwd"],
        &[
            ("STILLPOINT_TEST_PASSPHRASE", PASS),
            ("STILLPOINT_TEST_NEW_PASSPHRASE", new),
        ],
        "",
    );
    assert!(changed.status.success(), "{}", stderr(&changed));
    assert_eq!(records(data.path()), before);
    assert_eq!(
        sp_vault(data.path(), &["history"]).status.code(),
        Some(1),
        "the old one is refused"
    );
    let ok = sp_with(
        data.path(),
        &["history"],
        &[("STILLPOINT_TEST_PASSPHRASE", new)],
        "",
    );
    assert!(stdout(&ok).contains(CLIENT), "{}", stderr(&ok));
    // Too short a passphrase is refused before anything is made.
    let fresh = tempfile::tempdir().expect("temp dir");
    let short = sp_with(
        fresh.path(),
        &["vault", "init"],
        &[("STILLPOINT_TEST_PASSPHRASE", "short")],
        "",
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(!fresh.path().join("vault.json").exists());
}

/// The log panel's entries, as `resume.rs` reads them.
fn log_panel(screen: &str) -> Vec<String> {
    let Some(top) = screen.lines().position(|l| l.contains("╭ log ")) else {
        return Vec::new();
    };
    screen
        .lines()
        .skip(top + 1)
        .take_while(|l| l.trim_end().ends_with('│'))
        .filter_map(|l| {
            let inner = l.rsplit('│').nth(1)?;
            let words = inner.get(6..)?.trim();
            (!words.is_empty()).then(|| words.trim_end_matches('…').to_owned())
        })
        .collect()
}

#[test]
fn a_sealed_session_killed_mid_way_is_taken_up_with_nothing_lost() {
    let data = tempfile::tempdir().expect("temp dir");
    let init = sp_vault(data.path(), &["vault", "init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let prefix = format!(
        "export STILLPOINT_DATA='{}' STILLPOINT_TEST_PASSPHRASE='{PASS}';",
        data.path().display()
    );
    let args = [
        "run",
        "still-point-10",
        "--no-audio",
        "--speed",
        "10",
        "--client",
        CLIENT,
    ];
    let pane = Pane::start("vault-kill", 110, 34, &args, &prefix);
    pane.consult();
    pane.keys(&["Space"]);
    pane.wait_for("running");
    pane.keys(&["n"]);
    pane.wait_for("note ›");
    pane.keys(&["-l", "client sighed deeply"]);
    pane.keys(&["Enter"]);
    pane.wait_for("note: client sighed deeply");
    let shown = log_panel(&pane.screen());
    let pid = pane.app_pid();
    Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(eventually(Duration::from_secs(3), || !alive(pid)));

    for secret in [CLIENT, "client sighed deeply", "\"pain\":5", "\"stress\":4"] {
        assert_eq!(
            holding(data.path(), secret),
            Vec::<std::path::PathBuf>::new(),
            "{secret}"
        );
    }
    // Everything the screen showed is in the sealed record.
    stillpoint::vault::open(data.path(), PASS).expect("the vault opens");
    let sessions = data.path().join("sessions");
    let path = stillpoint::session::folder::record_files(&sessions)
        .expect("list")
        .remove(0);
    let contents = stillpoint::session::journal::read(&path).expect("reads");
    assert!(contents.sealed.is_some() && contents.chained);
    let written: Vec<String> = contents
        .records
        .iter()
        .filter_map(|l| l.entry.describe())
        .collect();
    assert!(!shown.is_empty(), "the log panel showed nothing");
    for line in &shown {
        assert!(
            written.iter().any(|w| w.starts_with(line.as_str())),
            "{line:?} lost:\n{written:#?}"
        );
    }
    // Taken up again, closed; still sealed, chained and intact.
    let again = Pane::start(
        "vault-kill-again",
        110,
        34,
        &["resume", "--no-audio"],
        &prefix,
    );
    again.wait_for("paused");
    again.keys(&["q"]);
    again.wait_for("End this session now?");
    again.keys(&["y"]);
    again.close_record();
    let contents = stillpoint::session::journal::read(&path).expect("reads");
    assert!(contents.records.iter().any(|l| matches!(
        l.entry,
        stillpoint::session::record::Entry::Continued { .. }
    )));
    let verified = sp_vault(data.path(), &["verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    assert_eq!(
        holding(data.path(), CLIENT),
        Vec::<std::path::PathBuf>::new()
    );
}
