//! Rehearsals look like rehearsals: a session run with `--speed` is marked
//! in history, show and every export, left out of a client's chart, and
//! counted in practice hours by the real time it took.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::Command;

use crate::support::{BIN, Pane};

fn stillpoint(data: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("STILLPOINT_DATA", data)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_rehearsal_is_marked_everywhere_and_counts_its_real_time() {
    if !crate::support::have_tmux() {
        return;
    }
    let data = tempfile::tempdir().expect("temp dir");
    let prefix = format!("export STILLPOINT_DATA='{}';", data.path().display());
    // A client session rehearsed at ×120: twelve minutes in six seconds.
    let pane = Pane::start(
        "rehearse",
        100,
        30,
        &[
            "run",
            "still-point-10",
            "--no-audio",
            "--speed",
            "120",
            "--client",
            "AB",
        ],
        &prefix,
    );
    pane.consult();
    pane.keys(&["Space"]);
    assert_eq!(pane.close_record(), 0);
    let table = stillpoint(data.path(), &["history"]);
    assert!(table.contains("(rehearsal ×120)"), "{table}");
    let id = table
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .expect("a row")
        .to_owned();
    let shown = stillpoint(data.path(), &["show", &id]);
    assert!(shown.contains("rehearsal   a rehearsal at ×120"), "{shown}");
    let md = stillpoint(data.path(), &["export", "--format", "md"]);
    assert!(md.contains("**Rehearsal:** a rehearsal at ×120"), "{md}");
    let json = stillpoint(data.path(), &["export", "--format", "json"]);
    assert!(json.contains("\"rehearsal_speed\": 120.0"), "{json}");
    let csv = stillpoint(data.path(), &["export", "--format", "csv"]);
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.contains(",false,120,")),
        "{csv}"
    );
    let chart = stillpoint(data.path(), &["history", "--client", "AB"]);
    assert!(
        chart.contains("1 rehearsal left out of the chart"),
        "{chart}"
    );

    // A practice run at ×100 counts the seconds it took, not the twelve
    // minutes its clock showed.
    let practice = Pane::start(
        "rehearse2",
        100,
        30,
        &["practice", "still-point-10", "--no-audio", "--speed", "100"],
        &prefix,
    );
    practice.wait_for("press space");
    practice.keys(&["Space"]);
    practice.wait_for("session summary");
    practice.keys(&["Enter"]);
    assert_eq!(practice.wait_exit(), 0);
    let stats = stillpoint(data.path(), &["practice", "--stats"]);
    assert!(
        stats.contains("Practice: 1 session, 0:0"),
        "seconds, not minutes: {stats}"
    );
    assert!(stats.contains("in all, in real time"), "{stats}");
    assert!(
        stats.contains("1 of them rehearsed with --speed: 1"),
        "{stats}"
    );
}
