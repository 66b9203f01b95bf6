//! With only a foot pedal that sends "next": a whole protocol, a pause, a
//! crash and a resume are worked with that one key, and nothing is skipped.
#![allow(clippy::disallowed_methods)]

use std::process::Command;

use crate::support::{Pane, alive, eventually};
use std::time::Duration;

#[test]
fn a_whole_session_with_a_pause_and_a_crash_is_worked_with_the_next_key_alone() {
    if !crate::support::have_tmux() {
        return;
    }
    let data = tempfile::tempdir().expect("temp dir");
    let prefix = format!("export STILLPOINT_DATA='{}';", data.path().display());
    // A practice run needs no consultation; at ×20 the ten minutes take
    // thirty seconds.
    let args = ["practice", "still-point-10", "--no-audio", "--speed", "20"];
    let pane = Pane::start("pedal1", 110, 34, &args, &prefix);
    pane.wait_for("press space");
    pane.keys(&["PageDown"]);
    pane.wait_for("running");
    // Paused (by the resume, below, or by anyone): next carries on with the
    // same step, it never skips one.
    pane.keys(&["p"]);
    pane.wait_for("paused");
    pane.keys(&["PageDown"]);
    pane.wait_for("running");
    assert!(pane.screen().contains("step 1 of 4"), "{}", pane.screen());
    // Into the second step, then a crash.
    pane.keys(&["PageDown"]);
    pane.wait_for("step 2 of 4");
    let pid = pane.app_pid();
    Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(eventually(Duration::from_secs(5), || !alive(pid)));
    // Taken up again: it lands paused; one press carries on in step 2.
    let again = Pane::start(
        "pedal2",
        110,
        34,
        &["resume", "--no-audio", "--speed", "20"],
        &prefix,
    );
    again.wait_for("paused");
    assert!(again.screen().contains("step 2 of 4"), "{}", again.screen());
    again.keys(&["PageDown"]);
    again.wait_for("running");
    assert!(again.screen().contains("step 2 of 4"), "{}", again.screen());
    // The rest by pressing next, step by step, then the summary pages on and
    // closes the record.
    for step in ["step 3 of 4", "step 4 of 4"] {
        again.keys(&["PageDown"]);
        again.wait_for(step);
    }
    again.keys(&["PageDown"]);
    again.wait_for("session summary");
    for _ in 0..5 {
        if again.path("stty.txt").exists() {
            break;
        }
        again.keys(&["PageDown"]);
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(again.wait_exit(), 0);
    let closed = std::fs::read_dir(data.path().join("sessions"))
        .expect("sessions")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).expect("read"))
        .collect::<String>();
    assert!(closed.contains(r#""event":"closed""#), "{closed}");
    // Every step was reached; none was ended by a press while paused.
    for step in 0..4 {
        assert!(
            closed.contains(&format!(r#""event":"step_started","step":{step}"#)),
            "step {step}: {closed}"
        );
    }
}
