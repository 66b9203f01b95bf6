//! End-to-end tests: the real binary in a pseudo-terminal (tmux), driven by
//! key presses, with the screen read back and the terminal state checked after
//! exit. Every wait polls with a deadline; nothing sleeps for long.

// These tests watch a real process, so they wait on real time.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::{BIN, Pane, alive, ends_within};

#[test]
fn a_session_starts_responds_to_keys_and_restores_the_terminal_on_quit() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "quit",
        100,
        30,
        &["run", "still-point-10", "--no-audio", "--client", "AB"],
        "",
    );
    // The consultation comes first; a start without pain and stress is
    // refused with a reason.
    pane.wait_for("consultation ·");
    pane.keys(&["F10"]);
    pane.wait_for("Rate the client's pain now");
    // The focus moved to the pain scale.
    pane.keys(&["5", "Tab", "4", "F10"]);
    pane.wait_for("press space");
    assert!(pane.screen().contains("audio off (--no-audio)"));
    pane.keys(&["Space"]);
    pane.wait_for("running");
    pane.keys(&["?"]);
    pane.wait_for("when paused, carry on");
    pane.keys(&["Escape"]);
    pane.wait_gone("when paused, carry on");
    pane.keys(&["p"]);
    pane.wait_for("paused");
    pane.keys(&["p"]);
    pane.wait_for("running");
    // PageDown is what most foot pedals send: it moves to step 2.
    pane.keys(&["PageDown"]);
    pane.wait_for("step 2 of");
    // q asks first; any other key keeps the session going.
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["n"]);
    pane.wait_for("running");
    assert!(
        pane.screen().contains("step 2 of"),
        "a cancelled quit must not skip"
    );
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    // The closing questions, then the summary, then the record is closed.
    pane.wait_for("closing questions");
    pane.keys(&["3", "Tab", "2", "Tab"]);
    pane.keys(&["-l", "calmer"]);
    pane.keys(&["F10"]);
    pane.wait_for("session summary");
    assert!(pane.screen().contains("Pain 5 → 3"), "{}", pane.screen());
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    pane.assert_restored();
    assert!(pane.screen().contains("Session record:"));
    let journal = pane.journal();
    assert!(
        journal.contains(r#""event":"session_ended","completed":false"#),
        "{journal}"
    );
    assert!(
        journal.contains(r#""event":"aftercare","pain":3,"stress":2,"note":"calmer""#),
        "{journal}"
    );
    assert!(journal.contains(r#""event":"closed""#), "{journal}");
    let index = std::fs::read_to_string(pane.path("data/sessions/.index")).expect("an index");
    assert!(index.contains(r#""client":"AB""#), "{index}");
    assert_eq!(
        std::fs::read_to_string(pane.path("stderr.txt")).unwrap_or_default(),
        "",
        "nothing foreign on stderr"
    );
}

#[test]
fn without_a_sound_card_the_session_runs_silent_and_the_screen_stays_clean() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "nodev",
        100,
        30,
        &["run", "still-point-10", "--client", "AB"],
        "",
    );
    pane.consult();
    pane.keys(&["Space"]);
    pane.wait_for("running");
    // Give the audio thread time to probe (and ALSA time to complain).
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut screen = pane.screen();
    while screen.contains("audio starting") && Instant::now() < deadline {
        sleep(Duration::from_millis(50));
        screen = pane.screen();
    }
    assert!(
        screen.contains("audio off — no output device") || screen.contains("audio on"),
        "{screen}"
    );
    for foreign in ["ALSA", "alsa", "error", "Dropping"] {
        assert!(
            !screen.contains(foreign),
            "foreign text {foreign:?} on screen:\n{screen}"
        );
    }
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    assert_eq!(pane.close_record(), 0);
    pane.assert_restored();
    assert_eq!(
        std::fs::read_to_string(pane.path("stderr.txt")).unwrap_or_default(),
        "",
        "library noise reached the terminal's stderr"
    );
}

#[test]
fn sigint_and_sighup_close_the_record_with_their_own_exit_status() {
    if !crate::support::have_tmux() {
        return;
    }
    for (signal, status, reason) in [("-INT", 130, "SIGINT"), ("-HUP", 129, "SIGHUP")] {
        let pane = Pane::practising(&format!("sig{status}"), 100, 30);
        let pid = pane.app_pid();
        Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill");
        assert_eq!(pane.wait_exit(), status, "128 + {reason}");
        pane.assert_restored();
        let journal = pane.journal();
        assert!(
            journal.contains(r#""event":"interrupted""#),
            "{reason}: {journal}"
        );
    }
}

#[test]
fn sigterm_closes_the_record_and_restores_the_terminal() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "term",
        100,
        30,
        &["run", "ten-step", "--no-audio", "--client", "AB"],
        "",
    );
    pane.consult();
    pane.keys(&["Enter"]);
    pane.wait_for("running");
    let pid = pane.app_pid();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert_eq!(pane.wait_exit(), 143, "128 + SIGTERM");
    pane.assert_restored();
    let journal = pane.journal();
    assert!(journal.contains(r#""event":"progress""#), "{journal}");
    assert!(
        journal
            .lines()
            .last()
            .is_some_and(|l| l.contains(r#""event":"interrupted","reason":"stopped by a signal","#)),
        "{journal}"
    );
}

#[test]
fn a_panic_restores_the_terminal_before_the_message_is_printed() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "panic",
        100,
        30,
        &["run", "ten-step", "--no-audio", "--panic-for-test"],
        "",
    );
    assert_eq!(pane.wait_exit(), 101);
    pane.assert_restored();
    // The message reaches the real stderr, not the log that stands in for it
    // while the dashboard is up.
    let err = std::fs::read_to_string(pane.path("stderr.txt")).expect("stderr");
    assert!(
        err.contains("deliberate panic for the end-to-end test"),
        "{err}"
    );
}

#[test]
fn a_tiny_window_asks_to_be_enlarged_and_recovers() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "tiny",
        100,
        30,
        &["practice", "trainee-drill", "--no-audio"],
        "",
    );
    pane.wait_for("press space");
    for (w, h) in [("20", "5"), ("1", "1"), ("30", "10")] {
        pane.tmux(&["resize-window", "-t", "0", "-x", w, "-y", h]);
        sleep(Duration::from_millis(100));
    }
    pane.wait_for("Please enlarge");
    pane.tmux(&["resize-window", "-t", "0", "-x", "100", "-y", "30"]);
    pane.wait_for("press space");
    assert!(alive(pane.app_pid()));
}

#[test]
fn closing_the_terminal_ends_the_app_even_when_sighup_is_ignored() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "hup",
        100,
        30,
        &["run", "ten-step", "--no-audio", "--client", "AB"],
        "trap '' HUP;",
    );
    pane.consult();
    pane.keys(&["Space"]);
    pane.wait_for("running");
    let pid = pane.app_pid();
    pane.tmux(&["kill-server"]);
    ends_within(
        pid,
        Duration::from_secs(2),
        "still running 2 s after its terminal closed",
    );
    let journal = std::fs::read_dir(pane.path("data/sessions"))
        .expect("log folder")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("log"))
        .collect::<String>();
    assert!(
        journal.contains(r#""event":"interrupted","reason":"the terminal went away""#),
        "{journal}"
    );
}

#[test]
fn a_bad_protocol_is_reported_before_the_terminal_is_touched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        "Protocol(version: 1, name: \"x\", summary: \"\", steps: [\n  Hold(name: \"a\", region: Toes, hands: \"\", intent: \"\", duration: \"1m\"),\n])\n",
    )
    .expect("write");
    let out = Command::new(BIN)
        .args(["run", bad.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.ron:2:"), "{err}");
    assert!(err.contains("unknown region `Toes`"), "{err}");
    assert!(out.stdout.is_empty(), "no escape codes written");
}

#[test]
fn validate_and_list_work_without_a_terminal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(BIN)
        .current_dir(root)
        .args([
            "validate",
            "sessions/ten-step.ron",
            "sessions/still-point-10.ron",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok: sessions/ten-step.ron"), "{text}");
    let out = Command::new(BIN).arg("list").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for stem in [
        "ten-step",
        "relaxation-30",
        "still-point-10",
        "trainee-drill",
    ] {
        assert!(text.contains(stem), "{text}");
    }
}

#[test]
fn audio_render_writes_soundscapes_and_cues_without_a_device() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, min_bytes) in [
        (
            vec!["--soundscape", "surf", "--seconds", "2"],
            2 * 48_000 * 2 * 4,
        ),
        (vec!["--cue", "session-complete"], 7 * 48_000 * 4),
    ] {
        let out = dir.path().join("out.wav");
        let status = Command::new(BIN)
            .args(["audio", "render"])
            .args(&args)
            .arg(&out)
            .output()
            .expect("runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let bytes = std::fs::read(&out).expect("wav written");
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WAVE");
        assert!(
            bytes.len() >= min_bytes,
            "{} bytes for {args:?}",
            bytes.len()
        );
    }
    let bad = Command::new(BIN)
        .args(["audio", "render", "--soundscape", "whales", "x.wav"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use surf, drone or rain"));
}

#[test]
fn audio_devices_lists_outputs_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["audio", "devices"])
        .env("STILLPOINT_DATA", dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "ALSA noise leaked"
    );
    assert!(!out.stdout.is_empty());
}

#[test]
fn a_broken_settings_file_stops_the_start_with_its_location() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.ron");
    std::fs::write(&config, "Config(\n    keys: (next: [\"F55\"]),\n)\n").expect("write");
    let out = Command::new(BIN)
        .args(["run", "still-point-10", "--no-audio"])
        .env("STILLPOINT_CONFIG", &config)
        .env("STILLPOINT_DATA", dir.path().join("data"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.ron:2:19"), "{err}");
    assert!(err.contains("unknown key \"F55\""), "{err}");
    assert!(
        !dir.path().join("data/sessions").exists(),
        "nothing was started"
    );
}

/// `config` prints each setting in effect and where it came from, and a
/// relative `data_dir` is taken from the settings file's folder, not from
/// the folder stillpoint happens to be started in.
#[test]
fn config_shows_the_settings_in_effect_and_where_each_came_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    let studio = dir.path().join("studio");
    std::fs::create_dir_all(&studio).expect("folder");
    let config = studio.join("config.ron");
    std::fs::write(
        &config,
        r#"Config(theme: Day, data_dir: "records", volume: 3, keys: (next: ["F5"]))"#,
    )
    .expect("written");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("folder");
    let run = |args: &[&str], data: Option<&str>| {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(&elsewhere)
            .env("STILLPOINT_CONFIG", &config)
            .env_remove("STILLPOINT_DATA")
            .env_remove("NO_COLOR");
        if let Some(d) = data {
            c.env("STILLPOINT_DATA", d);
        }
        c.output().expect("runs")
    };
    let out = run(&["config"], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line in:\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let records = studio.join("records");
    assert_eq!(
        line("data folder"),
        format!("data folder {} settings file", records.display())
    );
    assert_eq!(line("theme"), "theme day settings file");
    assert_eq!(line("volume"), "volume 3 of 10 settings file");
    assert_eq!(
        line("lead"),
        "lead 10 s before a step ends (unless the protocol says) default"
    );
    assert_eq!(line("next"), "next F5 settings file");
    assert_eq!(line("pause"), "pause p default");
    // The environment and the flag outrank the file, and say so.
    let out = run(&["config"], Some("/srv/env-records"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/srv/env-records"), "{text}");
    assert!(text.contains("STILLPOINT_DATA"), "{text}");
    let out = run(
        &["--data-dir", "/srv/flag", "config"],
        Some("/srv/env-records"),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("/srv/flag"));
    // Records are read from where `config` says, from any working folder.
    let sessions = records.join("sessions");
    std::fs::create_dir_all(&sessions).expect("folder");
    let name = "20180108-113000-ten-step-protocol.jsonl";
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/sessions");
    std::fs::copy(fixture.join(name), sessions.join(name)).expect("copied");
    let out = run(&["history"], None);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("2018-01-08"), "{table}");
}

#[test]
fn config_init_writes_settings_that_check_out_and_new_writes_a_valid_protocol() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("settings/config.ron");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .env("STILLPOINT_CONFIG", &config)
            .output()
            .expect("runs")
    };
    let out = run(&["config"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("not there, so every setting is its default")
    );
    assert!(run(&["config", "--init"]).status.success());
    let again = run(&["config", "--init"]);
    assert_eq!(again.status.code(), Some(1), "no overwrite without --force");
    let out = run(&["config"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("read and valid"));
    assert!(run(&["new", "studio-flow"]).status.success());
    let out = run(&["validate", "studio-flow.ron"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"Studio flow\", 3 steps, planned 7:20"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(run(&["new", "studio-flow"]).status.code(), Some(1));
}

/// Runs the binary in `dir` with only `dir` on its search path (no
/// settings, no config folder of the machine's), with `env` added, and
/// waits at most ten seconds for it: a command that reads a FIFO or
/// `/dev/zero` must come back, not hang the test.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> std::process::Output {
    use std::process::Stdio;
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("config-home"))
        .env("STILLPOINT_CONFIG", dir.join("no-config.ron"))
        .env("STILLPOINT_DATA", dir.join("data"))
        .env_remove("STILLPOINT_SESSIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("runs");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("waits").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stillpoint {args:?} did not return within 10 s");
        }
        sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Bytes a terminal would act on: ESC, BEL, C1 controls (UTF-8 `C2 80`
/// to `C2 9F`), bidi overrides and isolates.
fn assert_no_terminal_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || stillpoint::text::is_bidi_control(c)),
            "{what}: {c:?} reached the terminal:\n{text}"
        );
    }
}

const EVIL: &str = "Protocol(version: 1, name: \"\u{1B}]0;pwned\u{7}\u{1B}[2J\u{9B}31mCalm \u{202E}hold\", \
    summary: \"\u{1B}[2J\", author: \"\u{1B}c\", steps: [Transition(name: \"\u{1B}[1m m\", duration: \"20s\")])";

#[test]
fn list_and_validate_print_no_escape_that_came_from_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let studio = dir.path().join("studio");
    std::fs::create_dir(&studio).expect("folder");
    std::fs::write(studio.join("evil.ron"), EVIL).expect("write");
    // A file name can carry an escape too.
    std::fs::write(studio.join("t\u{1B}]0;x\u{7}itle.ron"), EVIL).expect("write");
    // And the line a report shows.
    std::fs::write(
        studio.join("broken.ron"),
        EVIL.replace("duration: \"20s\"", "duration: \"\u{1B}[2J\""),
    )
    .expect("write");
    let env = [("STILLPOINT_SESSIONS", studio.as_os_str())];
    let list = run_in(dir.path(), &["list"], &env);
    assert!(list.status.success());
    assert_no_terminal_controls("list", &list.stdout);
    assert_no_terminal_controls("list", &list.stderr);
    let shown = String::from_utf8_lossy(&list.stdout);
    assert!(shown.contains("Calm hold"), "{shown}");
    let validate = run_in(dir.path(), &["validate"], &env);
    assert_eq!(validate.status.code(), Some(1), "the broken one fails");
    assert_no_terminal_controls("validate", &validate.stdout);
    assert_no_terminal_controls("validate", &validate.stderr);
    let err = String::from_utf8_lossy(&validate.stderr);
    assert!(err.contains("broken.ron:1:"), "{err}");
    assert!(err.contains("Help:"), "{err}");
}

#[cfg(unix)]
#[test]
fn validate_refuses_a_fifo_and_dev_zero_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.ron");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
    );
    let zero = dir.path().join("zero.ron");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    for (file, what) in [
        ("pipe.ron", "a FIFO (named pipe)"),
        ("zero.ron", "a device"),
    ] {
        for command in [
            &["validate", file][..],
            &["run", &format!("./{file}"), "--no-audio"],
        ] {
            let out = run_in(dir.path(), command, &[]);
            assert_eq!(out.status.code(), Some(1), "{command:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(&format!("it is {what}, not a regular file")),
                "{command:?}: {err}"
            );
            assert!(err.contains("╭─["), "a full report: {err}");
        }
    }
    // The same in a studio folder: listed with why, found at once.
    let env = [("STILLPOINT_SESSIONS", dir.path().as_os_str())];
    let out = run_in(dir.path(), &["list"], &env);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("a FIFO (named pipe)"), "{text}");
    assert!(text.contains("a device"), "{text}");
}

#[test]
fn a_misspelt_protocol_name_gets_a_did_you_mean() {
    let dir = tempfile::tempdir().expect("temp dir");
    for command in ["run", "practice"] {
        let out = run_in(dir.path(), &[command, "ten-stpe", "--no-audio"], &[]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no protocol named \"ten-stpe\""), "{err}");
        assert!(err.contains("did you mean \"ten-step\"?"), "{err}");
        assert!(out.stdout.is_empty(), "the terminal was not touched");
    }
    // A name typed with escapes is not echoed raw.
    let out = run_in(dir.path(), &["run", "x\u{1B}]0;t\u{7}", "--no-audio"], &[]);
    assert_no_terminal_controls("run", &out.stderr);
}

#[test]
fn a_missing_sessions_folder_is_noted_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("studio-typo");
    let twice = std::env::join_paths([&missing, &missing]).expect("paths");
    let env = [("STILLPOINT_SESSIONS", twice.as_os_str())];
    for command in ["list", "validate"] {
        let out = run_in(dir.path(), &[command], &env);
        assert!(out.status.success(), "{command}: a note, not an error");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.matches("note: STILLPOINT_SESSIONS names").count(),
            1,
            "{command}: {err}"
        );
        assert!(err.contains("studio-typo, which does not exist"), "{err}");
    }
    let out = run_in(dir.path(), &["run", "mine", "--no-audio"], &env);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("studio-typo, which does not exist"), "{err}");
}

#[test]
fn run_practice_and_settings_errors_get_the_full_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        "Protocol(version: 1, name: \"x\", summary: \"\", steps: [\n  Hold(name: \"a\", region: Toes, hands: \"\", intent: \"\", duration: \"1m\"),\n])\n",
    )
    .expect("write");
    for command in ["run", "practice"] {
        let out = run_in(dir.path(), &[command, "bad.ron", "--no-audio"], &[]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("╭─[ bad.ron:2:27 ]"), "{command}: {err}");
        assert!(
            err.contains(" 2 │   Hold(name: \"a\", region: Toes,"),
            "{err}"
        );
        assert!(err.contains("──┬─"), "{err}");
        assert!(err.contains("Help: write one of:"), "{err}");
    }
    // The settings: a cue lead of nothing speaks of the cue lead.
    let config = dir.path().join("config.ron");
    std::fs::write(&config, "Config(\n    lead: \"0s\",\n)\n").expect("write");
    let env = [("STILLPOINT_CONFIG", config.as_os_str())];
    for command in [&["run", "still-point-10", "--no-audio"][..], &["config"]] {
        let out = run_in(dir.path(), command, &env);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("too short for the cue lead"), "{err}");
        assert!(!err.contains("a step lasts"), "{err}");
        assert!(err.contains(" 2 │     lead: \"0s\","), "{err}");
    }
}

#[test]
fn encodings_are_handled_on_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = "Protocol(version: 1, name: \"Café\", summary: \"\", steps: [Transition(name: \"m\", duration: \"20s\")])\n";
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(good.as_bytes());
    std::fs::write(dir.path().join("bom.ron"), &bom).expect("write");
    let latin1: Vec<u8> = good.chars().map(|c| c as u8).collect();
    std::fs::write(dir.path().join("latin1.ron"), latin1).expect("write");
    std::fs::write(
        dir.path().join("blob.ron"),
        b"\x7fELF\x02\x01\x01\0\0\0\0\0",
    )
    .expect("write");
    let out = run_in(dir.path(), &["validate", "bom.ron"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_in(dir.path(), &["validate", "latin1.ron"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[ latin1.ron:1:32 ]"), "{err}");
    assert!(err.contains("save the file as UTF-8"), "{err}");
    assert!(!err.contains("check the path"), "{err}");
    let out = run_in(dir.path(), &["validate", "blob.ron"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("this is not a protocol file"), "{err}");
    assert!(err.contains("b\"\\x7fELF"), "{err}");
    assert_no_terminal_controls("blob", &out.stderr);
    // A 600 kB line is not echoed: the report stays a screenful.
    let huge = format!(
        "Protocol(version: 1, name: \"{}\", summary: 5)",
        "頭蓋".repeat(100_000)
    );
    std::fs::write(dir.path().join("huge.ron"), huge).expect("write");
    let out = run_in(dir.path(), &["validate", "huge.ron"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("huge.ron:1:200041"), "{err}");
    assert!(out.stderr.len() < 4_000, "{} bytes", out.stderr.len());
    assert_no_terminal_controls("huge", &out.stderr);
}

#[test]
fn list_lines_up_wide_names_by_width() {
    let dir = tempfile::tempdir().expect("temp dir");
    let studio = dir.path().join("studio");
    std::fs::create_dir(&studio).expect("folder");
    for (stem, name) in [
        ("kyoto", "頭蓋骨の保持と後頭骨の解放"),
        ("family", "Family 👨\u{200D}👩\u{200D}👧 🇯🇵"),
        ("cafe", "Cafe\u{301} cra\u{302}nien"),
        ("long", &"頭蓋仙骨".repeat(50)),
        ("頭蓋", "Stem in kanji"),
    ] {
        std::fs::write(
            studio.join(format!("{stem}.ron")),
            format!("Protocol(version: 1, name: \"{name}\", summary: \"\", steps: [Transition(name: \"m\", duration: \"20s\")])"),
        )
        .expect("write");
    }
    let env = [("STILLPOINT_SESSIONS", studio.as_os_str())];
    let out = run_in(dir.path(), &["list"], &env);
    let text = String::from_utf8_lossy(&out.stdout);
    let columns: Vec<usize> = text
        .lines()
        .filter_map(|l| {
            let at = l.find("  built in").or_else(|| l.find("  /"))?;
            Some(stillpoint::text::width(&l[..at]))
        })
        .collect();
    assert_eq!(columns.len(), 9, "{text}");
    assert!(
        columns.windows(2).all(|p| p[0] == p[1]),
        "{columns:?}\n{text}"
    );
}

#[test]
fn the_picker_shows_broken_files_and_p_starts_a_practice() {
    if !crate::support::have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("broken.ron"),
        "Protocol(version: 1, name: \"x\", summary: \"\", steps: [])",
    )
    .expect("write");
    let pane = Pane::start(
        "picker",
        100,
        30,
        &["--no-audio"],
        &format!("export STILLPOINT_SESSIONS='{}';", dir.path().display()),
    );
    // (Waited for, not asserted on the first capture: on a loaded machine
    // tmux can be read while the frame is still being written.)
    pane.wait_for("choose a protocol");
    pane.wait_for("Enter run   p practice");
    pane.wait_for("broken  invalid · line 1: the protocol has no steps");
    pane.keys(&["p"]);
    pane.wait_for("press space");
    let screen = pane.wait_for("Touch");
    assert!(
        !screen.contains("consultation"),
        "a practice asks nothing first:\n{screen}"
    );
}

#[test]
fn leaving_a_consultation_started_from_the_picker_comes_back_to_the_picker() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start("backtopicker", 100, 30, &["--no-audio"], "");
    pane.wait_for("choose a protocol");
    pane.keys(&["Enter"]);
    pane.wait_for("consultation ·");
    // Something typed: Esc asks first; Esc again leaves.
    pane.keys(&["-l", "AB"]);
    pane.keys(&["Escape"]);
    pane.wait_for("discard its answers?");
    pane.keys(&["Escape"]);
    pane.wait_for("choose a protocol");
    pane.keys(&["q"]);
    assert_eq!(pane.wait_exit(), 0);
    pane.assert_restored();
}

/// The process's state letter in /proc (`T` when stopped).
fn state(pid: u32) -> char {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(") ")
                .map(|(_, rest)| rest.chars().next().unwrap_or('?'))
        })
        .unwrap_or('?')
}

#[test]
fn ctrl_z_gives_the_terminal_back_and_continuing_redraws_with_the_hold_still_timing() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::practising("ctrlz", 100, 30);
    let pid = pane.app_pid();
    pane.keys(&["C-z"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while state(pid) != 'T' {
        assert!(Instant::now() < deadline, "Ctrl-Z did not stop the process");
        sleep(Duration::from_millis(50));
    }
    // Stopped with the terminal given back: the dashboard is gone from it.
    assert!(!pane.screen().contains("running"), "{}", pane.screen());
    sleep(Duration::from_secs(2));
    Command::new("kill")
        .args(["-CONT", &pid.to_string()])
        .status()
        .expect("kill");
    let screen = pane.wait_for("running");
    // The hold kept timing while the app was stopped.
    let elapsed = screen
        .lines()
        .find_map(|l| {
            l.split_once(" / ")
                .map(|(before, _)| before.trim().to_owned())
        })
        .and_then(|b| b.split_whitespace().last().map(str::to_owned))
        .unwrap_or_default();
    assert!(elapsed.as_str() >= "0:02", "elapsed {elapsed}: {screen}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pane.journal().contains(r#""event":"returned""#) {
        assert!(Instant::now() < deadline, "{}", pane.journal());
        sleep(Duration::from_millis(50));
    }
    assert!(pane.journal().contains(r#""event":"suspended""#));
}

#[test]
fn a_ten_thousand_character_paste_is_one_quick_event_cut_at_the_note_length_with_a_word() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::practising("paste", 120, 30);
    pane.keys(&["n"]);
    pane.wait_for("note ›");
    let pid = pane.app_pid();
    let before = crate::support::cpu_ticks(pid);
    pane.tmux(&["set-buffer", &"x".repeat(10_000)]);
    // -p: as a bracketed paste, which the app asked the terminal for.
    pane.tmux(&["paste-buffer", "-p", "-t", "0"]);
    pane.wait_for("500/500");
    pane.wait_for("9500 pasted characters did not fit");
    let used = crate::support::cpu_ticks(pid) - before;
    // Clock ticks are 10 ms: well under 100 ms of CPU.
    assert!(used < 10, "the paste cost {used} ticks of CPU");
    pane.keys(&["Enter"]);
    let note = format!(r#""text":"{}""#, "x".repeat(500));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pane.journal().contains(&note) {
        assert!(
            Instant::now() < deadline,
            "the 500 characters were not saved"
        );
        sleep(Duration::from_millis(50));
    }
}

#[test]
fn input_that_is_not_a_terminal_is_refused_at_once_even_on_a_terminal_screen() {
    if !crate::support::have_tmux() {
        return;
    }
    // The pane is a terminal for output, but the input is /dev/null: the
    // app would otherwise read end-of-file forever.
    let pane = Pane::start(
        "devnull",
        100,
        30,
        &["run", "ten-step", "--no-audio", "--client", "AB"],
        "exec </dev/null;",
    );
    assert_eq!(pane.wait_exit(), 1);
    let err = std::fs::read_to_string(pane.path("stderr.txt")).expect("stderr");
    assert!(err.contains("not a terminal"), "{err}");
}

/// A cue device that is not there is said on the status line for the
/// whole session and in the record, not passed over in silence.
#[test]
fn a_named_cue_device_that_is_missing_is_said_on_screen_and_in_the_record() {
    if !crate::support::have_tmux() {
        return;
    }
    let pane = Pane::start(
        "cuedevice",
        150,
        30,
        &[
            "practice",
            "still-point-10",
            "--soundscape",
            "none",
            "--cue-device",
            "No Such Earbud",
        ],
        "",
    );
    pane.wait_for("press space");
    pane.wait_for("cue device \"No Such Earbud\" not found: cues on the default output");
    pane.keys(&["Space"]);
    pane.wait_for("running");
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    pane.wait_for("session summary");
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    let journal = std::fs::read_dir(pane.path("data/sessions"))
        .expect("log folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| std::fs::read_to_string(p).expect("record"))
        .collect::<String>();
    let at = |event: &str| journal.lines().position(|l| l.contains(event));
    let missing = at(r#""event":"cue_device_missing","name":"No Such Earbud""#);
    assert!(missing.is_some(), "{journal}");
    assert!(missing < at(r#""event":"step_ended""#), "{journal}");
}

/// Before the dashboard and after it — the picker, the consultation, the
/// summary — the app sleeps while it waits (no busy loop), and ends within
/// 2 s when its terminal goes away or SIGTERM arrives.
#[test]
fn every_screen_sleeps_while_waiting_and_ends_when_told() {
    if !crate::support::have_tmux() {
        return;
    }
    // (screen name, command, what to wait for, keys to reach it)
    let screens: [(&str, &[&str], &str); 3] = [
        ("picker", &["--no-audio"], "choose a protocol"),
        (
            "consultation",
            &["run", "ten-step", "--no-audio"],
            "consultation ·",
        ),
        (
            "summary",
            &["practice", "still-point-10", "--no-audio"],
            "session summary",
        ),
    ];
    for (name, args, shown) in screens {
        for how in ["hang-up", "SIGTERM"] {
            let pane = Pane::start(&format!("{name}-{how}"), 100, 30, args, "");
            if name == "summary" {
                pane.wait_for("press space");
                pane.keys(&["Space"]);
                pane.wait_for("running");
                pane.keys(&["q"]);
                pane.wait_for("End this session now?");
                pane.keys(&["y"]);
            }
            pane.wait_for(shown);
            let pid = pane.app_pid();
            let before = crate::support::cpu_ticks(pid);
            sleep(Duration::from_secs(1));
            let used = crate::support::cpu_ticks(pid) - before;
            assert!(used <= 5, "{name}: {used} ticks of CPU in 1 s of waiting");
            if how == "hang-up" {
                pane.tmux(&["kill-server"]);
            } else {
                Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status()
                    .expect("kill");
            }
            ends_within(
                pid,
                Duration::from_secs(2),
                &format!("{name}: still running 2 s after {how}"),
            );
            if how == "SIGTERM" {
                assert_eq!(pane.wait_exit(), 143, "{name}: 128 + SIGTERM");
                pane.assert_restored();
            }
        }
    }
}
