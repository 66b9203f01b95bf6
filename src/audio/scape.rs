//! Soundscapes synthesised in code: they never repeat, so they never loop
//! audibly, and they need no files. Each produces stereo frames at unit gain,
//! at a soft level (RMS about -26 dBFS); fades, volume and ducking are applied
//! by the mixer.

use std::f32::consts::TAU;

/// The built-in soundscapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scape {
    /// A slow surf: brown noise that swells and recedes about every ten seconds.
    Surf,
    /// A warm, low pad whose chord changes slowly.
    Drone,
    /// Soft rain: a gentle hiss with sparse, quiet drops.
    Rain,
}

impl Scape {
    /// Every built-in soundscape.
    pub const ALL: [Scape; 3] = [Scape::Surf, Scape::Drone, Scape::Rain];

    /// The name used in protocols and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scape::Surf => "surf",
            Scape::Drone => "drone",
            Scape::Rain => "rain",
        }
    }

    /// The soundscape called `name`, if it is built in.
    pub fn from_name(name: &str) -> Option<Scape> {
        Scape::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A small, fast, deterministic noise source (xorshift32).
#[derive(Debug, Clone)]
struct Noise(u32);

impl Noise {
    fn new(seed: u32) -> Noise {
        Noise(seed.max(1))
    }

    /// Uniform in [-1, 1).
    fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        self.next() * 0.5 + 0.5
    }
}

/// Brown (red) noise: integrated white noise with a leak so it cannot drift.
#[derive(Debug, Clone)]
struct Brown {
    noise: Noise,
    y: f32,
}

impl Brown {
    fn next(&mut self) -> f32 {
        self.y = self.y * 0.998 + self.noise.next() * 0.02;
        self.y
    }
}

/// A one-pole low-pass filter.
#[derive(Debug, Clone, Copy)]
struct LowPass {
    a: f32,
    y: f32,
}

impl LowPass {
    fn new(cutoff_hz: f32, rate: f32) -> LowPass {
        LowPass {
            a: 1.0 - (-TAU * cutoff_hz / rate).exp(),
            y: 0.0,
        }
    }

    fn next(&mut self, x: f32) -> f32 {
        self.y += self.a * (x - self.y);
        self.y
    }
}

/// A sine oscillator run by rotating a unit vector: two multiplications and
/// two additions a sample instead of a call to `sin`.
#[derive(Debug, Clone, Copy)]
pub struct Rotor {
    cos: f32,
    sin: f32,
    step_cos: f32,
    step_sin: f32,
}

impl Rotor {
    /// An oscillator at `freq` Hz for `rate` samples a second, starting at phase 0.
    pub fn new(freq: f32, rate: f32) -> Rotor {
        let w = TAU * freq / rate;
        Rotor {
            cos: 1.0,
            sin: 0.0,
            step_cos: w.cos(),
            step_sin: w.sin(),
        }
    }

    /// The current (sin, cos), then one step on.
    pub fn step(&mut self) -> (f32, f32) {
        let out = (self.sin, self.cos);
        let c = self.cos * self.step_cos - self.sin * self.step_sin;
        let s = self.sin * self.step_cos + self.cos * self.step_sin;
        // Keep the vector on the unit circle despite rounding.
        let g = 1.5 - 0.5 * (c * c + s * s);
        self.cos = c * g;
        self.sin = s * g;
        out
    }
}

/// A generator of stereo frames for one soundscape.
#[derive(Debug, Clone)]
pub struct Generator {
    kind: Kind,
    rate: f32,
    t: u64,
}

// One generator exists per session; keeping the drone's oscillators inline
// avoids a pointer chase in the per-sample loop.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum Kind {
    Surf {
        left: Brown,
        right: Brown,
        tone: [LowPass; 2],
        waves: Noise,
        /// Where the current wave is (0..1) and how long it lasts (s).
        phase: f32,
        period: f32,
        peak: f32,
    },
    Drone {
        /// One sine oscillator per voice of every chord, run by rotation (no
        /// trigonometry per sample), so a chord keeps its own phase as it
        /// passes from fading in to sounding alone.
        voices: [Rotor; 16],
        /// The slow breathing of each voice, refreshed every few milliseconds.
        breath: [f32; 4],
    },
    Rain {
        hiss: [Noise; 2],
        body: [LowPass; 2],
        air: [LowPass; 2],
        drops: Noise,
        drop_env: [f32; 2],
        drop_tone: [LowPass; 2],
    },
}

/// Chords of the drone, as frequencies in Hz: A, D, F#m, E, each voiced low
/// and close so the pad stays warm.
const CHORDS: [[f32; 4]; 4] = [
    [110.0, 164.81, 220.0, 277.18],
    [146.83, 220.0, 293.66, 369.99],
    [92.50, 138.59, 185.0, 220.0],
    [82.41, 123.47, 164.81, 207.65],
];
/// How long each chord sounds, and how long two chords crossfade.
const CHORD_SECONDS: f32 = 24.0;
const CROSSFADE_SECONDS: f32 = 8.0;

impl Generator {
    /// A generator for `scape` at `rate` frames a second.
    pub fn new(scape: Scape, rate: u32) -> Generator {
        let r = rate.max(1) as f32;
        let kind = match scape {
            Scape::Surf => Kind::Surf {
                left: Brown {
                    noise: Noise::new(0x1234_5678),
                    y: 0.0,
                },
                right: Brown {
                    noise: Noise::new(0x8765_4321),
                    y: 0.0,
                },
                tone: [LowPass::new(900.0, r), LowPass::new(900.0, r)],
                waves: Noise::new(0x0bad_cafe),
                phase: 0.0,
                period: 10.0,
                peak: 1.0,
            },
            Scape::Drone => Kind::Drone {
                voices: std::array::from_fn(|k| Rotor::new(CHORDS[k / 4][k % 4], r)),
                breath: [1.0; 4],
            },
            Scape::Rain => Kind::Rain {
                hiss: [Noise::new(0x2468_ace0), Noise::new(0x1357_9bdf)],
                body: [LowPass::new(1600.0, r), LowPass::new(1600.0, r)],
                air: [LowPass::new(250.0, r), LowPass::new(250.0, r)],
                drops: Noise::new(0xdead_beef),
                drop_env: [0.0; 2],
                drop_tone: [LowPass::new(1200.0, r), LowPass::new(1200.0, r)],
            },
        };
        Generator {
            kind,
            rate: r,
            t: 0,
        }
    }

    /// The next stereo frame.
    pub fn frame(&mut self) -> [f32; 2] {
        let mut one = [[0.0; 2]];
        self.fill(&mut one);
        one[0]
    }

    /// Fills `out` with the next frames. The soundscape is chosen once per
    /// block, so the per-frame loop is only arithmetic.
    pub fn fill(&mut self, out: &mut [[f32; 2]]) {
        let rate = self.rate;
        let start = self.t;
        self.t += out.len() as u64;
        match &mut self.kind {
            Kind::Surf {
                left,
                right,
                tone,
                waves,
                phase,
                period,
                peak,
            } => {
                let mut step = 1.0 / (*period * rate);
                for frame in out.iter_mut() {
                    *phase += step;
                    if *phase >= 1.0 {
                        // Each wave differs a little in length and height.
                        *phase -= 1.0;
                        *period = 8.0 + 4.0 * waves.unit();
                        *peak = 0.75 + 0.25 * waves.unit();
                        step = 1.0 / (*period * rate);
                    }
                    // A swell that rises for 40 % of the wave and washes out
                    // slowly; the floor keeps a quiet wash between waves.
                    let p = *phase;
                    let swell = if p < 0.4 {
                        let x = p * 2.5;
                        x * x * (3.0 - 2.0 * x)
                    } else {
                        let x = (p - 0.4) * (1.0 / 0.6);
                        (1.0 - x) * (1.0 - x)
                    };
                    let gain = (0.35 + 0.65 * swell * *peak) * 0.45;
                    *frame = [
                        tone[0].next(left.next()) * gain,
                        tone[1].next(right.next()) * gain,
                    ];
                }
            }
            Kind::Drone { voices, breath } => {
                for (i, frame) in out.iter_mut().enumerate() {
                    let n = start + i as u64;
                    let t = n as f32 / rate;
                    let cycle = CHORDS.len() as f32 * CHORD_SECONDS;
                    let pos = t % cycle;
                    let index = (pos / CHORD_SECONDS) as usize % CHORDS.len();
                    let within = pos - index as f32 * CHORD_SECONDS;
                    // The next chord fades in over the last seconds of this one.
                    let x = ((within - (CHORD_SECONDS - CROSSFADE_SECONDS)) / CROSSFADE_SECONDS)
                        .clamp(0.0, 1.0);
                    let mix = x * x * (3.0 - 2.0 * x);
                    if n.is_multiple_of(64) {
                        for (v, b) in breath.iter_mut().enumerate() {
                            *b = 0.75 + 0.25 * (TAU * t / (7.0 + 2.3 * v as f32)).sin();
                        }
                    }
                    let mut acc = [0.0f32; 2];
                    for c in 0..2 {
                        let chord_index = (index + c) % CHORDS.len();
                        let level = if c == 0 { 1.0 - mix } else { mix };
                        for v in 0..4 {
                            let (sin, cos) = voices[chord_index * 4 + v].step();
                            // A touch of the second harmonic warms the sine.
                            let s = sin + 0.36 * sin * cos;
                            let pan = 0.35 + 0.1 * v as f32;
                            let amp = 0.08 * level * breath[v];
                            acc[0] += s * amp * (1.0 - pan);
                            acc[1] += s * amp * pan;
                        }
                    }
                    *frame = acc;
                }
            }
            Kind::Rain {
                hiss,
                body,
                air,
                drops,
                drop_env,
                drop_tone,
            } => {
                let chance = 8.0 / rate;
                for frame in out.iter_mut() {
                    for ch in 0..2 {
                        // Band-limited hiss: white noise through a low-pass,
                        // with the lowest rumble taken out.
                        let n = hiss[ch].next();
                        let b = body[ch].next(n);
                        let hissy = b - air[ch].next(b);
                        // About eight soft drops a second per side.
                        if drops.unit() < chance {
                            drop_env[ch] = 0.5 + 0.5 * drops.unit();
                        }
                        drop_env[ch] *= 0.9985;
                        let drop = drop_tone[ch].next(hiss[ch].next() * drop_env[ch]);
                        frame[ch] = hissy * 0.22 + drop * 0.08;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    fn render(scape: Scape, seconds: u32) -> Vec<[f32; 2]> {
        let mut g = Generator::new(scape, RATE);
        (0..RATE * seconds).map(|_| g.frame()).collect()
    }

    fn rms_dbfs(frames: &[[f32; 2]]) -> f32 {
        let sum: f64 = frames
            .iter()
            .map(|f| f64::from(f[0] * f[0] + f[1] * f[1]) / 2.0)
            .sum();
        (10.0 * (sum / frames.len() as f64).log10()) as f32
    }

    #[test]
    fn every_soundscape_is_soft_and_never_clips() {
        for scape in Scape::ALL {
            let frames = render(scape, 60);
            let rms = rms_dbfs(&frames);
            eprintln!("{scape:?}: RMS {rms:.1} dBFS");
            assert!(
                (-36.0..=-18.0).contains(&rms),
                "{scape:?} RMS {rms:.1} dBFS"
            );
            let peak = frames
                .iter()
                .flat_map(|f| f.iter())
                .fold(0.0f32, |m, v| m.max(v.abs()));
            let peak_db = 20.0 * peak.log10();
            assert!(peak_db < -1.0, "{scape:?} peaks at {peak_db:.1} dBFS");
        }
    }

    #[test]
    fn soundscapes_have_no_clicks() {
        for scape in Scape::ALL {
            let frames = render(scape, 30);
            let jump = frames
                .windows(2)
                .flat_map(|w| [(w[1][0] - w[0][0]).abs(), (w[1][1] - w[0][1]).abs()])
                .fold(0.0f32, f32::max);
            assert!(jump < 0.1, "{scape:?} jumps by {jump}");
        }
    }

    #[test]
    fn surf_swells_about_every_ten_seconds() {
        // Loudness over one-second windows rises and falls several times a minute.
        let frames = render(Scape::Surf, 60);
        let loudness: Vec<f32> = frames.chunks(RATE as usize).map(rms_dbfs).collect();
        let swings = loudness
            .windows(3)
            .filter(|w| w[1] > w[0] && w[1] >= w[2])
            .count();
        assert!(
            (4..=9).contains(&swings),
            "{swings} swells in a minute: {loudness:?}"
        );
    }

    #[test]
    fn rotors_stay_in_tune_and_in_level_for_an_hour() {
        let mut r = Rotor::new(440.0, 48_000.0);
        let mut peak = 0.0f32;
        for _ in 0..(48_000 * 3600) {
            peak = peak.max(r.step().0.abs());
        }
        assert!((peak - 1.0).abs() < 1e-3, "{peak}");
        // After exactly 440 cycles (one second) it is back near phase 0.
        let mut r = Rotor::new(440.0, 48_000.0);
        for _ in 0..48_000 {
            r.step();
        }
        assert!(r.step().0.abs() < 1e-2);
    }

    #[test]
    fn names_round_trip() {
        for s in Scape::ALL {
            assert_eq!(Scape::from_name(s.name()), Some(s));
        }
        assert_eq!(Scape::from_name("whales"), None);
        // The names protocols may use are exactly these, plus "none".
        for name in crate::protocol::SOUNDSCAPES {
            assert!(name == "none" || Scape::from_name(name).is_some(), "{name}");
        }
    }
}
