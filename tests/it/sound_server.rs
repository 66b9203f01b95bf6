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

#[test]
fn cues_reach_the_sound_server_within_50_ms() {
    if !crate::support::have_pulseaudio() {
        return;
    }
    let server = PulseServer::start();
    let data = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["audio", "latency", "--cues", "2"])
        .env("PULSE_SERVER", server.address())
        .env("STILLPOINT_DATA", data.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
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
    let figures: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with("cue "))
        .map(|l| {
            let ms = l.trim_end_matches(" ms").rsplit(' ').next().unwrap_or("");
            ms.parse::<f64>()
                .unwrap_or_else(|_| panic!("no figure in {l:?}"))
        })
        .collect();
    assert_eq!(figures.len(), 4, "{text}");
    for ms in figures {
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
        eventually(Duration::from_secs(2), || streams(&server) == 1),
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
