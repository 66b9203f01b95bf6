//! The command line as people type it: session options before or after the
//! command, plain messages for values out of range, dates in words, help on
//! any command, the conventional exit statuses, a closed pipe ending a
//! command quietly, and a session refused without a terminal.
#![allow(clippy::disallowed_methods)]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::BIN;

fn stillpoint(args: &[&str]) -> Output {
    let data = tempfile::tempdir().expect("temp dir");
    Command::new(BIN)
        .args(args)
        .env("STILLPOINT_DATA", data.path())
        .env("STILLPOINT_CONFIG", data.path().join("config.ron"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn session_options_work_before_or_after_the_command() {
    // Without a terminal both reach the session's start (and stop there:
    // status 1, not a usage error).
    let own = tempfile::tempdir().expect("a private folder");
    let own = own.path().to_str().expect("utf-8");
    for args in [
        &["--speed", "10", "--no-audio", "practice", "ten-step"][..],
        &["practice", "ten-step", "--speed", "10", "--no-audio"],
        &["--data-dir", own, "practice", "ten-step"],
    ] {
        let out = stillpoint(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("not a terminal"), "{}", stderr(&out));
    }
    // Records commands take --data-dir before or after too.
    assert!(
        stillpoint(&["--data-dir", "/nonexistent-x", "history"])
            .status
            .success()
    );
    assert!(
        stillpoint(&["history", "--data-dir", "/nonexistent-x"])
            .status
            .success()
    );
}

#[test]
fn a_session_option_on_another_command_is_a_usage_error() {
    let out = stillpoint(&["--no-audio", "history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--no-audio is an option of a session"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_speed_out_of_range_gets_a_plain_message() {
    for bad in ["-1", "0", "5000"] {
        let out = stillpoint(&["practice", "--speed", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = stderr(&out);
        assert!(err.contains("out of range: a speed is from 0.1"), "{err}");
        assert!(!err.contains("-- -1"), "no clap tip about --: {err}");
    }
}

#[test]
fn since_takes_words_and_says_plainly_what_it_wants() {
    for ok in ["yesterday", "7d", "2w", "2026-11-02"] {
        let out = stillpoint(&["history", "--since", ok]);
        assert!(out.status.success(), "{ok}: {}", stderr(&out));
    }
    let out = stillpoint(&["history", "--since", "last tuesday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a date: write 2026-11-02"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn practice_stats_takes_a_protocol_as_its_usage_says() {
    let out = stillpoint(&["practice", "--stats", "ten-step"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let usage = stillpoint(&["practice", "--help"]);
    assert!(String::from_utf8_lossy(&usage.stdout).contains("[PROTOCOL]"));
}

#[test]
fn help_works_on_itself_and_on_every_command() {
    for args in [
        &["help"][..],
        &["help", "--help"],
        &["help", "run"],
        &["run", "--help"],
    ] {
        let out = stillpoint(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    let top = String::from_utf8_lossy(&stillpoint(&["--help"]).stdout).into_owned();
    assert!(top.contains("Exit status: 0 done; 1 an error"), "{top}");
    assert_eq!(stillpoint(&["help", "nosuch"]).status.code(), Some(2));
}

#[test]
fn a_reader_that_stops_reading_ends_a_command_quietly() {
    // A copy of the fixture records, so the commands that read records
    // have something to print.
    let data = tempfile::tempdir().expect("temp dir");
    let sessions = data.path().join("sessions");
    std::fs::create_dir(&sessions).expect("mkdir");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/sessions");
    let mut first = None;
    for entry in std::fs::read_dir(fixtures).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            first = first.min(Some(name.clone())).or(Some(name));
            std::fs::copy(&path, sessions.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let first = first.expect("a fixture record");
    for args in [
        &["audio", "devices"][..],
        &["list"],
        &["completions", "bash"],
        &["history"],
        &["show", &first],
        &["export", "--format", "md"],
        &["export", "--format", "json"],
        &["export", "--format", "csv"],
        &["validate"],
        &["config"],
        &["practice", "--stats"],
        &["verify", "--all"],
        &["--help"],
    ] {
        let mut child = Command::new(BIN)
            .args(args)
            .env("STILLPOINT_DATA", data.path())
            .env("STILLPOINT_CONFIG", data.path().join("config.ron"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // The reader goes away before reading anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("waits");
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked");
        assert!(
            !stderr(&out).contains("panicked") && !stderr(&out).contains("Broken pipe"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_session_without_a_terminal_is_refused_at_once() {
    let started = Instant::now();
    let out = stillpoint(&["run", "ten-step", "--no-audio"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a terminal"), "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no spinning, no waiting"
    );
}

/// The subcommands `--help` lists under "Commands:", help itself aside.
fn commands_in(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

/// The long options a `--help` text names, `--help` and `--version` aside.
fn options_in(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("-h, ").unwrap_or(l);
            let l = l.split_once(", ").map_or(l, |(_, long)| long);
            l.starts_with("--")
                .then(|| l.split([' ', '=', '<']).next().unwrap_or(l).to_owned())
        })
        .filter(|o| o != "--help" && o != "--version")
        .collect()
}

/// The README's command synopsis is `--help` in short: every command and
/// subcommand has its line there, every option of each is named in it, and
/// the exit statuses are the ones `--help` gives.
#[test]
fn the_readme_synopsis_names_every_command_and_option_help_gives() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let synopsis = readme
        .split("## Commands")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("a synopsis block under ## Commands");
    let help = |args: &[&str]| {
        let out = stillpoint(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = help(&["--help"]);
    let mut missing = Vec::new();
    for option in options_in(&top) {
        if option != "--panic-for-test" && !synopsis.contains(&option) {
            missing.push(format!("stillpoint {option}"));
        }
    }
    for command in commands_in(&top) {
        let text = help(&[&command, "--help"]);
        let subcommands = commands_in(&text);
        if subcommands.is_empty() {
            if !synopsis.contains(&format!("stillpoint {command}")) {
                missing.push(format!("stillpoint {command}"));
            }
        } else {
            for sub in &subcommands {
                let line = synopsis.lines().find(|l| {
                    l.starts_with(&format!("stillpoint {command} ")) && l.contains(sub.as_str())
                });
                if line.is_none() {
                    missing.push(format!("stillpoint {command} {sub}"));
                }
            }
        }
        let mut texts = vec![text.clone()];
        for sub in &subcommands {
            texts.push(help(&[&command, sub, "--help"]));
        }
        for t in &texts {
            for option in options_in(t) {
                // Session options are global: listed once, for the session
                // commands.
                if !synopsis.contains(&option) && !options_in(&top).contains(&option) {
                    missing.push(format!("stillpoint {command} … {option}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the README's synopsis lacks: {missing:#?}"
    );
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let statuses = flat(
        top.split("Exit status:")
            .nth(1)
            .and_then(|s| s.split(". `stillpoint help").next())
            .expect("--help gives the exit statuses"),
    );
    assert!(
        flat(&readme).contains(&format!("Exit status: {}", statuses.trim_end_matches('.'))),
        "the README's exit statuses differ from --help's: {statuses}"
    );
}

/// Names typed a little wrong get the name meant: a command, a cue, a
/// soundscape.
#[test]
fn near_misses_get_a_did_you_mean() {
    let out = stillpoint(&["histroy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'history'"), "{}", stderr(&out));
    let wav = tempfile::tempdir().expect("temp dir");
    let wav = wav.path().join("x.wav");
    let wav = wav.to_str().expect("a UTF-8 path");
    for (args, meant) in [
        (
            &["audio", "render", "--cue", "nex-step", wav][..],
            "did you mean \"next-step\"?",
        ),
        (
            &[
                "audio",
                "render",
                "--soundscape",
                "srf",
                "--seconds",
                "1",
                wav,
            ],
            "did you mean \"surf\"?",
        ),
    ] {
        let out = stillpoint(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(meant), "{args:?}: {}", stderr(&out));
    }
}
