//! End-to-end tests: the real binary in a pseudo-terminal (tmux), driven by
//! key presses, with the screen read back and the terminal state checked after
//! exit. Every wait polls with a deadline; nothing sleeps for long.

// These tests watch a real process, so they wait on real time.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::{BIN, Pane, alive};

#[test]
fn a_session_starts_responds_to_keys_and_restores_the_terminal_on_quit() {
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
    pane.wait_for("foot pedals send these");
    pane.keys(&["Escape"]);
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
fn sigterm_closes_the_record_and_restores_the_terminal() {
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
    assert_ne!(pane.wait_exit(), 0);
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
    let deadline = Instant::now() + Duration::from_secs(2);
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "still running 2 s after its terminal closed"
        );
        sleep(Duration::from_millis(50));
    }
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
    assert!(String::from_utf8_lossy(&out.stdout).contains("no settings file"));
    assert!(run(&["config", "--init"]).status.success());
    let again = run(&["config", "--init"]);
    assert_eq!(again.status.code(), Some(1), "no overwrite without --force");
    let out = run(&["config"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));
    assert!(run(&["new", "studio-flow"]).status.success());
    let out = run(&["validate", "studio-flow.ron"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"Studio flow\", 3 steps, planned 7:20"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(run(&["new", "studio-flow"]).status.code(), Some(1));
}
