//! The real binary against a real sound server: a private PulseAudio server
//! with a paced null sink (so no sound card is needed), which the tests kill
//! and restart. `.ci/run` installs pulseaudio; these tests say so if it is
//! missing rather than passing without checking anything.

// These tests watch real processes, so they wait on real time.
#![allow(clippy::disallowed_methods)]

use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

use crate::support::{BIN, Pane, PulseServer, cpu_ticks, eventually};

/// A protocol with one long hold, so nothing but the test's own actions
/// makes a sound after the start.
const LONG_HOLD: &str = r#"Protocol(version: 1, name: "Long hold", summary: "", steps: [
    Hold(name: "Long hold", region: Occiput, hands: "h", intent: "i", duration: "30m"),
])"#;

/// The sink inputs (open playback streams) the server has.
fn streams(server: &PulseServer) -> usize {
    let out = Command::new("pactl")
        .args(["list", "short", "sink-inputs"])
        .env("PULSE_SERVER", server.address())
        .output()
        .expect("pactl runs");
    String::from_utf8_lossy(&out.stdout).lines().count()
}

fn protocol_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("long.ron");
    std::fs::write(&path, LONG_HOLD).expect("protocol written");
    path.display().to_string()
}

/// Runs `stillpoint audio latency --cues 2` against `server`: the four
/// onsets in ms (`None` for a cue that never reached the output), and the
/// output.
fn latency_figures(server: &PulseServer) -> (Vec<Option<f64>>, String) {
    let data = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["audio", "latency", "--cues", "2"])
        .env("PULSE_SERVER", server.address())
        .env("STILLPOINT_DATA", data.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing on stderr"
    );
    let figures: Vec<Option<f64>> = text
        .lines()
        .filter(|l| l.starts_with("cue "))
        .map(|l| {
            let ms = l.trim_end_matches(" ms").rsplit(' ').next().unwrap_or("");
            ms.parse::<f64>().ok()
        })
        .collect();
    assert_eq!(figures.len(), 4, "{text}");
    (figures, text)
}

#[test]
fn cues_reach_the_sound_server_within_50_ms() {
    if !crate::support::have_pulseaudio() {
        return;
    }
    let server = PulseServer::start();
    let (mut figures, mut text) = latency_figures(&server);
    if figures.iter().any(Option::is_none) {
        // Seen about once in fifty cues on a loaded machine, and not yet
        // explained (the closing note of issue 16 says so): measured once
        // more, and said here, rather than hidden.
        eprintln!("a cue never reached the output; measuring again:\n{text}");
        (figures, text) = latency_figures(&server);
    }
    for ms in figures {
        let ms = ms.unwrap_or_else(|| panic!("a cue never reached the output:\n{text}"));
        assert!(ms < 50.0, "a cue took {ms} ms:\n{text}");
    }
}

#[test]
fn with_no_soundscape_a_stream_is_open_only_while_a_bell_rings() {
    if !crate::support::have_pulseaudio() || !crate::support::have_tmux() {
        return;
    }
    let server = PulseServer::start();
    let files = tempfile::tempdir().expect("temp dir");
    let protocol = protocol_file(&files);
    let prefix = format!("export PULSE_SERVER='{}';", server.address());
    let pane = Pane::start(
        "bell",
        100,
        30,
        &["practice", &protocol, "--soundscape", "none"],
        &prefix,
    );
    pane.wait_for("press space");
    assert!(
        eventually(Duration::from_secs(3), || streams(&server) == 0),
        "a stream is open before anything sounds"
    );
    pane.keys(&["Space"]);
    assert!(
        eventually(Duration::from_secs(4), || streams(&server) >= 1),
        "the start bell opened no stream"
    );
    pane.wait_for("audio on");
    // The start bell lasts 4 s; its stream closes half a second later.
    assert!(
        eventually(Duration::from_secs(7), || streams(&server) == 0),
        "the bell's stream stayed open"
    );
    sleep(Duration::from_millis(1500));
    assert_eq!(streams(&server), 0, "a stream opened with nothing to play");
    assert!(pane.screen().contains("running"));
}

#[test]
fn losing_the_sound_server_mid_session_is_survived_quietly_and_recovered() {
    if !crate::support::have_pulseaudio() || !crate::support::have_tmux() {
        return;
    }
    let mut server = PulseServer::start();
    let files = tempfile::tempdir().expect("temp dir");
    let protocol = protocol_file(&files);
    let prefix = format!("export PULSE_SERVER='{}';", server.address());
    let pane = Pane::start(
        "lost",
        100,
        30,
        &["practice", &protocol, "--soundscape", "surf"],
        &prefix,
    );
    pane.wait_for("press space");
    pane.keys(&["Space"]);
    pane.wait_for("audio on");
    let app = pane.app_pid();

    // The server dies: the status line says so within a few seconds...
    server.kill();
    pane.wait_for("audio off — output lost");
    // ...and nothing spins while it is gone (the spin a dead PulseAudio
    // leaves in ALSA's plugin must have been stopped).
    sleep(Duration::from_millis(500));
    let before = cpu_ticks(app);
    sleep(Duration::from_secs(2));
    let used = cpu_ticks(app) - before;
    assert!(used <= 6, "{used} ticks of CPU in 2 s with the server gone");
    let screen = pane.screen();
    for foreign in ["ALSA", "alsa", "error", "pulse"] {
        assert!(
            !screen.contains(foreign),
            "foreign text {foreign:?} on screen:\n{screen}"
        );
    }
    assert!(screen.contains("running"), "{screen}");

    // The server comes back: so does the sound, on its own.
    server.restart();
    assert!(
        eventually(Duration::from_secs(10), || pane
            .screen()
            .contains("audio on")),
        "audio did not come back:\n{}",
        pane.screen()
    );
    assert!(
        eventually(Duration::from_secs(3), || streams(&server) == 1),
        "the soundscape is not playing again"
    );
    let log = std::fs::metadata(pane.path("data/stderr.log")).map_or(0, |m| m.len());
    assert!(log < 16 * 1024, "stderr.log grew to {log} bytes");

    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    pane.wait_for("session summary");
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    pane.assert_restored();
    assert_eq!(
        std::fs::read_to_string(pane.path("stderr.txt")).unwrap_or_default(),
        "",
        "library noise reached the terminal's stderr"
    );
}

/// Voluntary context switches of every thread of `pid`: its wake-ups.
fn wakeups(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .filter_map(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .sum()
}

/// A field of `pactl list sink-inputs` (or sinks), in microseconds.
fn pactl_usec(server: &PulseServer, what: &str, field: &str) -> Option<u64> {
    let out = Command::new("pactl")
        .args(["list", what])
        .env("PULSE_SERVER", server.address())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| l.trim().strip_prefix(field))
        .and_then(|rest| rest.trim().split(' ').next()?.parse().ok())
}

#[test]
fn the_bed_is_one_long_buffered_stream_and_the_process_sleeps_between_buffers() {
    if !crate::support::have_pulseaudio() || !crate::support::have_tmux() {
        return;
    }
    let server = PulseServer::start();
    let files = tempfile::tempdir().expect("temp dir");
    let protocol = protocol_file(&files);
    let prefix = format!("export PULSE_SERVER='{}';", server.address());
    let pane = Pane::start(
        "bed",
        100,
        30,
        &["practice", &protocol, "--soundscape", "rain"],
        &prefix,
    );
    pane.wait_for("press space");
    pane.keys(&["Space"]);
    pane.wait_for("audio on");
    assert!(
        eventually(Duration::from_secs(5), || streams(&server) == 1),
        "the bed is one stream once the start bell has rung out"
    );
    // Seconds of audio queued at the server, and the sink left at a long
    // latency (a target of twice the request or less would drive it to
    // its shortest: thousands of wake-ups a second).
    // (Just after the bell the soundscape comes back up from its dip: the
    // queue is flushed and made again, so it is short for a moment.)
    let mut queued = 0;
    assert!(
        eventually(Duration::from_secs(4), || {
            queued = pactl_usec(&server, "sink-inputs", "Buffer Latency:").unwrap_or(0);
            queued >= 1_500_000
        }),
        "{queued} µs queued"
    );
    // (The bell's short stream asked the sink for a short latency; once it
    // has closed, the sink goes back to the bed's.)
    let sink_latency = || {
        let out = Command::new("pactl")
            .args(["list", "sinks"])
            .env("PULSE_SERVER", server.address())
            .output()
            .expect("pactl runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.trim().strip_prefix("Latency:").map(str::to_owned))
            .and_then(|l| l.split("configured ").nth(1).map(str::to_owned))
            .and_then(|c| c.split(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut configured = 0;
    assert!(
        eventually(Duration::from_secs(4), || {
            configured = sink_latency();
            configured >= 500_000
        }),
        "sink latency configured {configured} µs"
    );
    // The whole process: the once-a-second clock and a buffer now and
    // then; nothing polls. (About two a second here; the bound leaves
    // room for a loaded machine.)
    let app = pane.app_pid();
    let before = wakeups(app);
    sleep(Duration::from_secs(2));
    let woke = wakeups(app) - before;
    assert!(woke <= 12, "{woke} wake-ups in 2 s");
    pane.keys(&["q"]);
    pane.wait_for("End this session now?");
    pane.keys(&["y"]);
    pane.wait_for("session summary");
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
}

#[test]
fn foreseen_cues_land_on_their_moment_in_the_long_buffer() {
    if !crate::support::have_pulseaudio() {
        return;
    }
    let server = PulseServer::start();
    let data = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["audio", "latency", "--cues", "1", "--foreseen", "3"])
        .env("PULSE_SERVER", server.address())
        .env("STILLPOINT_DATA", data.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("bed stream: native"), "{text}");
    let in_bed: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with("foreseen ") && l.contains("in the bed "))
        .filter_map(|l| {
            let ms = l.split("in the bed").nth(1)?.split(" ms").next()?;
            ms.trim().parse::<f64>().ok()
        })
        .collect();
    // The script measures to the millisecond (scripts/measure-audio.sh);
    // here, on a loaded machine, a short stream that is the reference can
    // itself be late: two of three within 20 ms show each is placed on
    // its moment, not on a buffer's edge.
    let close = in_bed.iter().filter(|ms| ms.abs() <= 20.0).count();
    assert!(close >= 2, "{text}");
}
