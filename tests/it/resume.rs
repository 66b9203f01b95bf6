//! Nothing is lost: the real binary is killed with SIGKILL at several points
//! of a session; every entry its log panel showed must be in the journal,
//! and `stillpoint resume` must bring back the step and the time in it as of
//! the last recorded moment.

// These tests watch real processes, so they wait on real time.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

use crate::support::{Pane, alive, eventually};
use stillpoint::session::engine::Session;
use stillpoint::session::journal;

/// The entries the log panel shows, as written on screen (cut with `…` when
/// too long for the panel).
fn log_panel(screen: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let Some((top, col)) = lines.iter().enumerate().find_map(|(i, l)| {
        let text: String = l.iter().collect();
        text.find("╭ log ")
            .map(|byte| (i, text[..byte].chars().count()))
    }) else {
        return Vec::new();
    };
    let mut shown = Vec::new();
    for line in &lines[top + 1..] {
        if line.get(col) != Some(&'│') {
            break;
        }
        let inner: String = line[col + 1..].iter().take_while(|c| **c != '│').collect();
        // "HH:MM words" (the time is blank for nothing).
        let words = inner.get(6..).unwrap_or("").trim().to_owned();
        if !words.is_empty() {
            shown.push(words);
        }
    }
    shown
}

/// The hold panel's gauge: time in the step so far, in seconds.
fn gauge_elapsed(screen: &str) -> Option<u64> {
    screen.lines().find_map(|line| {
        let (before, _) = line.split_once(" / ")?;
        let clock = before.split_whitespace().last()?;
        let (m, s) = clock.split_once(':')?;
        Some(m.parse::<u64>().ok()? * 60 + s.parse::<u64>().ok()?)
    })
}

fn journal_file(data: &Path) -> PathBuf {
    let dir = data.join("sessions");
    std::fs::read_dir(&dir)
        .expect("a sessions folder")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("a journal")
}

/// Runs a session at ten times speed (after the consultation), does `act`,
/// kills the app with SIGKILL and checks the journal and the resumed screen.
fn kill_and_resume(name: &str, act: impl FnOnce(&Pane)) {
    if !crate::support::have_tmux() {
        return;
    }
    let data = tempfile::tempdir().expect("temp dir");
    let prefix = format!("export STILLPOINT_DATA='{}';", data.path().display());
    let pane = Pane::start(
        name,
        110,
        34,
        &[
            "run",
            "still-point-10",
            "--no-audio",
            "--speed",
            "10",
            "--client",
            "AB",
        ],
        &prefix,
    );
    pane.consult();
    pane.keys(&["Space"]);
    pane.wait_for("running");
    act(&pane);
    let shown = log_panel(&pane.screen());
    let pid = pane.app_pid();
    Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(eventually(Duration::from_secs(3), || !alive(pid)));

    // Everything the screen showed is in the journal.
    let path = journal_file(data.path());
    let contents = journal::read(&path).expect("the journal reads");
    let written: Vec<String> = contents
        .records
        .iter()
        .filter_map(|l| l.entry.describe())
        .collect();
    assert!(!shown.is_empty(), "the log panel showed nothing");
    for line in &shown {
        let line = line.trim_end_matches('…');
        assert!(
            written.iter().any(|w| w.starts_with(line)),
            "{line:?} was on screen but is not in the journal:\n{written:#?}"
        );
    }

    // What resuming should bring back: the session as of the last entry.
    let opened = contents.opened().expect("an opening line");
    let chosen = stillpoint::session::resume::protocol_of(opened).expect("the protocol");
    let last = contents
        .records
        .iter()
        .map(|l| l.at)
        .max()
        .expect("entries");
    let session = Session::replay(chosen.protocol, &contents.records);
    let step = session.current();
    let elapsed = session.step_elapsed(last).as_secs();

    let again = Pane::start(
        &format!("{name}-again"),
        110,
        34,
        &["resume", "--no-audio"],
        &prefix,
    );
    let screen = again.wait_for("paused");
    assert!(
        screen.contains(&format!("step {} of 4", step + 1)),
        "expected step {}:\n{screen}",
        step + 1
    );
    let on_screen = gauge_elapsed(&screen).expect("a gauge");
    assert!(
        on_screen.abs_diff(elapsed) <= 1,
        "resumed at {on_screen} s into the step, the record says {elapsed} s:\n{screen}"
    );
    // The record marks the gap.
    again.keys(&["q"]);
    again.wait_for("End this session now?");
    again.keys(&["y"]);
    again.close_record();
    let text = std::fs::read_to_string(&path).expect("journal");
    assert!(text.contains(r#""event":"continued""#), "{text}");
    journal::read(&path).expect("still a well-formed journal");
}

#[test]
fn killed_early_in_the_first_hold() {
    kill_and_resume("k-early", |pane| {
        sleep(Duration::from_millis(1700));
        pane.wait_for("running");
    });
}

#[test]
fn killed_right_after_a_note() {
    kill_and_resume("k-note", |pane| {
        pane.keys(&["n"]);
        pane.wait_for("note ›");
        pane.keys(&["-l", "client sighed"]);
        pane.keys(&["Enter"]);
        pane.wait_for("note: client sighed");
    });
}

#[test]
fn killed_in_the_second_step() {
    kill_and_resume("k-second", |pane| {
        pane.keys(&["PageDown"]);
        pane.wait_for("2. Move to the head");
        sleep(Duration::from_millis(600));
    });
}

#[test]
fn killed_while_paused_and_marking_a_still_point() {
    kill_and_resume("k-paused", |pane| {
        pane.keys(&["s"]);
        pane.wait_for("still point began");
        sleep(Duration::from_millis(1200));
        pane.keys(&["p"]);
        pane.wait_for("‖ paused");
        sleep(Duration::from_millis(800));
    });
}
