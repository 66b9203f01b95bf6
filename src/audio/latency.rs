//! `stillpoint audio latency`: how long from the session asking for a cue to
//! the cue's first sample being due at the output, as the backend reports it
//! (the time the backend says the buffer holding it will play, plus its
//! place in that buffer). What the sound server adds after that is its own.

use std::fmt;
use std::time::Duration;

use super::bell::{Bell, SAMPLE_RATE};
use super::mix::DEFAULT_VOLUME;
use super::{Audio, AudioState, DeviceAudio, LINGER};
use crate::audio::Cue;
use crate::clock::Clock;

/// When a measured cue was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// After a silence long enough for the cue stream to have closed: the
    /// stream is opened for the cue, as for most cues in a session.
    AfterSilence,
    /// A second after another cue, while that one still rings.
    WhileRinging,
}

/// The figures of one run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    after_silence: Vec<f64>,
    while_ringing: Vec<f64>,
    missed: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (what, ms) in [
            ("after silence", &self.after_silence),
            ("while ringing", &self.while_ringing),
        ] {
            let mut sorted = ms.clone();
            sorted.sort_by(f64::total_cmp);
            if let (Some(best), Some(worst)) = (sorted.first(), sorted.last()) {
                let median = sorted[sorted.len() / 2];
                writeln!(
                    f,
                    "{what}: median {median:.1} ms, best {best:.1} ms, worst {worst:.1} ms \
                     ({} cues)",
                    sorted.len()
                )?;
            }
        }
        if self.missed > 0 {
            writeln!(f, "{} cue(s) never reached the output", self.missed)?;
        }
        Ok(())
    }
}

/// Why nothing could be measured.
#[derive(Debug, thiserror::Error)]
#[error("{}; there is nothing to measure", state.label())]
pub struct NoOutput {
    /// What became of the output.
    pub state: AudioState,
}

impl crate::hint::Hint for NoOutput {
    fn hint(&self) -> Option<String> {
        Some("check `stillpoint audio devices`".to_owned())
    }
}

/// Sounds `n` soft cues after silence and `n` while another rings on the
/// default output, calling `report` with each cue's latency in milliseconds.
pub fn measure(
    n: u32,
    mut report: impl FnMut(Kind, u32, Option<f64>),
) -> Result<Summary, NoOutput> {
    let mut audio = DeviceAudio::start(None, DEFAULT_VOLUME, false);
    let clock = audio.onsets().clock().clone();
    let give_up = clock.now() + Duration::from_secs(5);
    while audio.state() == AudioState::Probing && clock.now() < give_up {
        std::thread::sleep(Duration::from_millis(5));
    }
    if audio.state() != AudioState::On {
        return Err(NoOutput {
            state: audio.state(),
        });
    }
    let cue = Cue::EndingSoon;
    // Long enough for the cue stream to ring out and close.
    let silence = Bell::new(cue, SAMPLE_RATE).length() + LINGER + Duration::from_millis(400);
    let mut summary = Summary::default();
    let mut one = |audio: &mut DeviceAudio, kind: Kind, i: u32| {
        let before = audio.onsets().last();
        let asked = clock.now();
        audio.play(cue);
        let deadline = asked + Duration::from_secs(2);
        let mut onset = None;
        while clock.now() < deadline {
            let last = audio.onsets().last();
            if last != before {
                onset = last;
                break;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        let ms = onset.map(|o| o.since(asked).as_secs_f64() * 1000.0);
        report(kind, i, ms);
        match (ms, kind) {
            (Some(ms), Kind::AfterSilence) => summary.after_silence.push(ms),
            (Some(ms), Kind::WhileRinging) => summary.while_ringing.push(ms),
            (None, _) => summary.missed += 1,
        }
    };
    for i in 0..n {
        std::thread::sleep(silence);
        one(&mut audio, Kind::AfterSilence, i);
    }
    for i in 0..n {
        std::thread::sleep(Duration::from_secs(1));
        one(&mut audio, Kind::WhileRinging, i);
    }
    Ok(summary)
}
