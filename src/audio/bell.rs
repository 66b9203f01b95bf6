//! Bell cues synthesised in code: struck-bowl tones with inharmonic partials
//! and slow exponential decays, one distinct sound per [`Cue`].
//!
//! A [`Bell`] is a plain iterator of samples (a rodio `Source`), so tests render
//! it offline without a sound device.

use std::num::NonZero;
use std::time::Duration;

use super::scape::Rotor;
use crate::audio::Cue;

/// The rate cues are synthesised at; rodio's mixer converts to the device's.
pub const SAMPLE_RATE: u32 = 48_000;

/// Frequency ratios of a struck bowl's first partials: inharmonic, which is
/// what makes it sound like a bowl rather than an organ.
const PARTIALS: [(f32, f32, f32); 4] = [
    // (ratio to the fundamental, relative amplitude, decay time constant in s)
    (1.0, 1.0, 1.6),
    (2.32, 0.45, 1.0),
    (4.25, 0.2, 0.55),
    (6.63, 0.08, 0.3),
];

/// Attack ramp: long enough to avoid a click, short enough to sound struck.
const ATTACK: f32 = 0.008;

/// One strike of the bowl inside a cue.
#[derive(Debug, Clone, Copy)]
struct Strike {
    /// When, in seconds from the cue's start.
    at: f32,
    /// The fundamental in Hz.
    freq: f32,
    /// Peak level (linear, full scale = 1).
    level: f32,
    /// Decay times are multiplied by this (short taps < 1 < long bowls).
    sustain: f32,
}

/// The strikes and length of each cue.
fn design(cue: Cue) -> (Vec<Strike>, f32) {
    let s = |at, freq, level, sustain| Strike {
        at,
        freq,
        level,
        sustain,
    };
    match cue {
        // A low, warm bowl to open the session.
        Cue::SessionStart => (vec![s(0.0, 196.0, 0.22, 1.4)], 4.0),
        // A single, very soft, high tap: "this hold ends soon".
        Cue::EndingSoon => (vec![s(0.0, 880.0, 0.08, 0.35)], 1.6),
        // Two gentle tones, falling: "move on".
        Cue::NextStep => (
            vec![s(0.0, 523.25, 0.14, 0.8), s(0.35, 392.0, 0.14, 0.9)],
            3.2,
        ),
        // A very soft, low single tone for a manual hold reaching its target.
        Cue::Overtime => (vec![s(0.0, 261.63, 0.07, 0.7)], 2.6),
        // Softer still, and lower, while the hold goes on past its target.
        Cue::OvertimeReminder => (vec![s(0.0, 196.0, 0.04, 0.6)], 2.2),
        // Three slow bowls, descending: the session is complete.
        Cue::SessionComplete => (
            vec![
                s(0.0, 392.0, 0.16, 1.2),
                s(1.3, 329.63, 0.16, 1.2),
                s(2.6, 261.63, 0.18, 1.5),
            ],
            7.5,
        ),
    }
}

/// One partial of one strike: a rotating oscillator with a decaying level.
#[derive(Debug, Clone, Copy)]
struct Partial {
    osc: Rotor,
    level: f32,
    decay: f32,
}

/// A cue as a source of mono samples.
#[derive(Debug, Clone)]
pub struct Bell {
    partials: Vec<(u64, Partial)>,
    rate: u32,
    index: u64,
    total: u64,
    release_from: u64,
    attack: u64,
}

impl Bell {
    /// The sound for `cue` at `rate` samples a second.
    pub fn new(cue: Cue, rate: u32) -> Bell {
        let rate = rate.max(1);
        let (strikes, seconds) = design(cue);
        let total = (seconds * rate as f32) as u64;
        let r = rate as f32;
        let mut partials = Vec::new();
        for s in &strikes {
            let start = (s.at * r) as u64;
            for (ratio, amp, tau) in PARTIALS {
                partials.push((
                    start,
                    Partial {
                        osc: Rotor::new(s.freq * ratio, r),
                        level: s.level * amp,
                        decay: (-1.0 / (tau * s.sustain * r)).exp(),
                    },
                ));
            }
        }
        Bell {
            partials,
            rate,
            index: 0,
            total,
            // The last 40 % fades to silence so every cue ends at exactly zero.
            release_from: total * 6 / 10,
            attack: ((ATTACK * r) as u64).max(1),
        }
    }

    /// How long the cue lasts.
    pub fn length(&self) -> Duration {
        Duration::from_secs_f64(self.total as f64 / f64::from(self.rate))
    }

    fn next_sample(&mut self) -> f32 {
        let i = self.index;
        let attack = self.attack;
        let mut v = 0.0;
        for (start, p) in &mut self.partials {
            if i < *start {
                continue;
            }
            let local = i - *start;
            let (sin, _) = p.osc.step();
            let mut level = p.level;
            if local < attack {
                // A raised-cosine attack has no corner at its start.
                let x = local as f32 / attack as f32;
                level *= 0.5 - 0.5 * (x * std::f32::consts::PI).cos();
            }
            v += level * sin;
            p.level *= p.decay;
        }
        if i >= self.release_from {
            // 1 - smoothstep: flat at both ends, so the fade adds no click.
            let span = (self.total - self.release_from).max(1) as f32;
            let x = ((i - self.release_from) as f32 / span).min(1.0);
            v *= 1.0 - x * x * (3.0 - 2.0 * x);
        }
        self.index += 1;
        v
    }
}

impl Iterator for Bell {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.index >= self.total {
            return None;
        }
        Some(self.next_sample())
    }
}

impl rodio::Source for Bell {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        NonZero::<u16>::MIN
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        NonZero::new(self.rate).unwrap_or(NonZero::<u32>::MIN)
    }

    fn total_duration(&self) -> Option<Duration> {
        Some(self.length())
    }
}

/// Every sample of a cue, rendered offline.
pub fn render(cue: Cue, rate: u32) -> Vec<f32> {
    Bell::new(cue, rate).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Cue; 6] = [
        Cue::SessionStart,
        Cue::EndingSoon,
        Cue::NextStep,
        Cue::Overtime,
        Cue::OvertimeReminder,
        Cue::SessionComplete,
    ];

    fn dbfs(x: f32) -> f32 {
        20.0 * x.abs().max(1e-12).log10()
    }

    #[test]
    fn cues_are_soft_and_never_clip() {
        for cue in ALL {
            let s = render(cue, SAMPLE_RATE);
            let peak = s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(dbfs(peak) < -6.0, "{cue:?} peaks at {} dBFS", dbfs(peak));
            assert!(dbfs(peak) > -40.0, "{cue:?} is inaudible");
        }
    }

    #[test]
    fn cues_start_and_end_without_clicks() {
        for cue in ALL {
            let s = render(cue, SAMPLE_RATE);
            assert!(s[0].abs() < 1e-6, "{cue:?} starts at {}", s[0]);
            let jump = s
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f32::max);
            assert!(jump < 0.05, "{cue:?} jumps by {jump}");
            let tail = &s[s.len() - SAMPLE_RATE as usize / 20..];
            let tail_peak = tail.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(
                dbfs(tail_peak) < -60.0,
                "{cue:?} ends at {} dBFS",
                dbfs(tail_peak)
            );
        }
    }

    #[test]
    fn each_cue_sounds_different() {
        // Length and zero-crossing rate (a rough pitch) tell them apart.
        let signature = |cue| {
            let s = render(cue, SAMPLE_RATE);
            let crossings = s
                .windows(2)
                .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
                .count();
            (s.len(), crossings * 1000 / s.len())
        };
        let sigs: Vec<_> = ALL.iter().map(|c| signature(*c)).collect();
        for (i, a) in sigs.iter().enumerate() {
            for b in &sigs[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn bells_are_rodio_sources_of_the_stated_length() {
        use rodio::Source;
        let b = Bell::new(Cue::NextStep, SAMPLE_RATE);
        assert_eq!(b.channels().get(), 1);
        assert_eq!(b.sample_rate().get(), SAMPLE_RATE);
        assert_eq!(b.total_duration(), Some(Duration::from_millis(3200)));
        assert_eq!(b.count(), (3.2 * SAMPLE_RATE as f32) as usize);
    }
}
