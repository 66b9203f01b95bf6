//! Every bundled protocol validates and has the shape the README promises,
//! and studio sound files are checked when a protocol is loaded. (The
//! broken-file corpus is in `tests/diagnostics.rs`.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use stillpoint::protocol::{Advance, Protocol, Step};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ron_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

fn load(stem: &str) -> Protocol {
    Protocol::load(&root().join("sessions").join(format!("{stem}.ron"))).expect("valid")
}

fn minutes(p: &Protocol) -> f64 {
    p.planned_total().as_secs_f64() / 60.0
}

#[test]
fn every_session_file_validates() {
    let files = ron_files("sessions");
    assert!(files.len() >= 4);
    for f in files {
        if let Err(e) = Protocol::load(&f) {
            panic!("{e}");
        }
    }
}

#[test]
fn bundled_protocols_have_the_promised_shape() {
    let ten = load("ten-step");
    assert!((55.0..=65.0).contains(&minutes(&ten)), "{}", minutes(&ten));
    let holds: Vec<_> = ten.steps.iter().filter_map(Step::hold).collect();
    let manual = holds
        .iter()
        .filter(|h| h.advance == Advance::Manual)
        .count();
    assert!(
        manual * 2 > holds.len(),
        "ten-step is mostly hold-until-release"
    );
    // Hands-free: every manual hold ends by itself at its max.
    assert!(
        holds
            .iter()
            .all(|h| h.advance == Advance::Auto || h.max.is_some())
    );

    let relax = load("relaxation-30");
    assert!((28.0..=32.0).contains(&minutes(&relax)));
    let still = load("still-point-10");
    assert!((9.0..=11.0).contains(&minutes(&still)));
    let drill = load("trainee-drill");
    assert!((5.0..=10.0).contains(&minutes(&drill)));
    assert!(drill.steps.iter().all(|s| s.advance() == Advance::Auto));
    assert!(drill.steps.iter().all(|s| match s {
        Step::Hold(h) => (30..=60).contains(&h.duration.get().as_secs()),
        Step::Transition(t) => t.duration.get() <= Duration::from_secs(20),
    }));
}

/// A throwaway overview, shown with `cargo test --test protocol_files -- --nocapture`.
#[test]
fn print_bundled_protocols() {
    for file in ron_files("sessions") {
        let p = Protocol::load(&file).expect("valid");
        let total = p.planned_total().as_secs();
        println!(
            "{:<22} {:<32} {:>2} steps  {}:{:02}",
            file.file_name().expect("name").to_string_lossy(),
            p.name.as_str(),
            p.steps.len(),
            total / 60,
            total % 60
        );
    }
}

#[test]
fn studio_sound_files_are_checked_when_a_protocol_is_loaded() {
    use rodio::Source;
    let dir = tempfile::tempdir().expect("temp dir");
    let protocol = |file: &str| {
        format!(
            "Protocol(version: 1, name: \"Studio\", summary: \"\",\n  soundscape: File(\"{file}\"),\n  steps: [Transition(name: \"Move\", duration: \"20s\")])"
        )
    };
    // A real file next to the protocol loads.
    let wav = dir.path().join("ocean.wav");
    let bed = stillpoint::audio::mix::Mix::new(
        Some(stillpoint::audio::scape::Scape::Surf),
        10,
        false,
        None,
    )
    .take_duration(Duration::from_secs(6));
    rodio::wav_to_file(bed, &wav).expect("wav");
    let good = dir.path().join("good.ron");
    std::fs::write(&good, protocol("ocean.wav")).expect("write");
    let p = Protocol::load(&good).expect("valid");
    assert_eq!(p.sound_file(&good), Some(wav));
    // A missing file is a validation error at the soundscape field.
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, protocol("waves.ogg")).expect("write");
    let e = Protocol::load(&bad).expect_err("missing file");
    assert_eq!((e.line, e.col), (2, 3), "{e}");
    assert!(e.message.contains("waves.ogg: cannot open it"), "{e}");
    // So is a file that is not audio.
    std::fs::write(dir.path().join("waves.ogg"), b"not audio").expect("write");
    let e = Protocol::load(&bad).expect_err("undecodable");
    assert!(e.message.contains("cannot decode it"), "{e}");
}
