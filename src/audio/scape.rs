//! Soundscapes synthesised in code, voiced for a laptop's speakers in a quiet
//! room: their energy lies where small speakers play (about 150 Hz–8 kHz),
//! with nothing below 20 Hz and no DC, and they never repeat. Their timing
//! is random but seeded, so a render is the same every time while no stretch
//! comes back within hours. Each produces stereo frames at unit gain, at a
//! soft level (RMS about -26 dBFS); fades, volume and ducking are applied by
//! the mixer.
//!
//! - `surf`: filtered noise that swells and recedes every 7–13 s, brighter at
//!   the crest, with a little foam as each wave breaks.
//! - `rain`: a soft wash with sparse, distinct drops at random moments.
//! - `drone`: four warm chords (A, D, F#m, E) in a random order, each held
//!   20–28 s, every voice breathing at its own slow pace.

use std::f32::consts::{FRAC_PI_2, TAU};

/// The built-in soundscapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scape {
    /// A slow surf: filtered noise that swells and recedes about every ten
    /// seconds.
    Surf,
    /// A warm, low pad whose chord changes slowly, in no fixed order.
    Drone,
    /// Soft rain: a gentle wash with sparse, distinct drops.
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

/// A small, fast, deterministic noise source (xorshift32). Its period is
/// 2^32 - 1 draws: at 48 kHz, a stream drawn once a sample comes back after
/// about a day.
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

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
}

/// Two independent white noises, left and right, made side by side so the
/// compiler can make both in one vector operation.
#[derive(Debug, Clone)]
struct Hiss([u32; 2]);

impl Hiss {
    fn new(left: u32, right: u32) -> Hiss {
        Hiss([left.max(1), right.max(1)])
    }

    /// Uniform in [-1, 1) on each side (the xorshift32 state read as a
    /// signed number, which converts in one instruction).
    fn next(&mut self) -> [f32; 2] {
        let mut out = [0.0; 2];
        for (x, o) in self.0.iter_mut().zip(&mut out) {
            *x ^= *x << 13;
            *x ^= *x >> 17;
            *x ^= *x << 5;
            *o = (*x as i32) as f32 * (1.0 / 2_147_483_648.0);
        }
        out
    }
}

/// The highest cutoff a filter is designed for at `rate`: just under the
/// Nyquist frequency, so a device running at 8 kHz still gets stable filters.
fn cutoff(hz: f32, rate: f32) -> f32 {
    hz.min(rate * 0.45)
}

/// A one-pole low-pass filter (6 dB an octave), for both channels.
#[derive(Debug, Clone, Copy)]
struct LowPass {
    a: f32,
    y: [f32; 2],
}

impl LowPass {
    fn coefficient(hz: f32, rate: f32) -> f32 {
        1.0 - (-TAU * cutoff(hz, rate) / rate).exp()
    }

    fn new(hz: f32, rate: f32) -> LowPass {
        LowPass {
            a: LowPass::coefficient(hz, rate),
            y: [0.0; 2],
        }
    }

    fn next(&mut self, x: [f32; 2]) -> [f32; 2] {
        for (y, x) in self.y.iter_mut().zip(x) {
            *y += self.a * (x - *y);
        }
        self.y
    }
}

/// A second-order (12 dB an octave) Butterworth high-pass filter for both
/// channels, in transposed direct form II. It takes away what a laptop
/// cannot play, and with it any DC or slow drift.
#[derive(Debug, Clone, Copy)]
struct HighPass {
    b0: f32,
    b1: f32,
    a1: f32,
    a2: f32,
    z1: [f32; 2],
    z2: [f32; 2],
}

impl HighPass {
    fn new(hz: f32, rate: f32) -> HighPass {
        // The bilinear transform of s^2 / (s^2 + s/Q + 1), Q = 1/sqrt(2);
        // b2 equals b0.
        let w = TAU * cutoff(hz, rate) / rate;
        let alpha = w.sin() * std::f32::consts::FRAC_1_SQRT_2;
        let cos = w.cos();
        let a0 = 1.0 + alpha;
        HighPass {
            b0: (1.0 + cos) / 2.0 / a0,
            b1: -(1.0 + cos) / a0,
            a1: -2.0 * cos / a0,
            a2: (1.0 - alpha) / a0,
            z1: [0.0; 2],
            z2: [0.0; 2],
        }
    }

    fn next(&mut self, x: [f32; 2]) -> [f32; 2] {
        let mut out = [0.0; 2];
        for ch in 0..2 {
            let y = self.b0 * x[ch] + self.z1[ch];
            self.z1[ch] = self.b1 * x[ch] - self.a1 * y + self.z2[ch];
            self.z2[ch] = self.b0 * x[ch] - self.a2 * y;
            out[ch] = y;
        }
        out
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
}

// One generator exists per session; keeping each soundscape's state inline
// avoids a pointer chase in the per-sample loop.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum Kind {
    Surf(Surf),
    Drone(Drone),
    Rain(Rain),
}

impl Generator {
    /// A generator for `scape` at `rate` frames a second.
    pub fn new(scape: Scape, rate: u32) -> Generator {
        let r = rate.max(1) as f32;
        let kind = match scape {
            Scape::Surf => Kind::Surf(Surf::new(r)),
            Scape::Drone => Kind::Drone(Drone::new(r)),
            Scape::Rain => Kind::Rain(Rain::new(r)),
        };
        Generator { kind }
    }

    /// The next stereo frame.
    pub fn frame(&mut self) -> [f32; 2] {
        let mut one = [[0.0; 2]];
        self.fill(&mut one);
        one[0]
    }

    /// Fills `out` with the next frames. The soundscape is chosen once per
    /// block, so the per-frame loop is only arithmetic; the sound does not
    /// depend on how the frames are split into blocks.
    pub fn fill(&mut self, out: &mut [[f32; 2]]) {
        match &mut self.kind {
            Kind::Surf(s) => s.fill(out),
            Kind::Drone(d) => d.fill(out),
            Kind::Rain(r) => r.fill(out),
        }
    }
}

/// `x` in [0, 1] eased in and out (zero slope at both ends).
fn smooth(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Frames between two updates of a soundscape's slow controls (a wave's
/// swell, the rain's gusts); in between they move in straight lines, so
/// nothing steps and the per-frame loop stays short.
const CONTROL: u32 = 32;

/// A control value moving in a straight line to where it was last aimed.
#[derive(Debug, Clone, Copy, Default)]
struct Glide {
    value: f32,
    step: f32,
}

impl Glide {
    fn at(value: f32) -> Glide {
        Glide { value, step: 0.0 }
    }

    /// Aims at `target`, to be reached in [`CONTROL`] frames.
    fn aim(&mut self, target: f32) {
        self.step = (target - self.value) / CONTROL as f32;
    }

    fn next(&mut self) -> f32 {
        self.value += self.step;
        self.value
    }
}

// ---------------------------------------------------------------- surf ---

/// The surf: white noise split by a one-pole low-pass whose cutoff rises
/// with each wave. The part below the cutoff is the wave's body; the part
/// above it is foam, which comes in as the wave breaks. Both are softened
/// above 3 kHz and cut below 140 Hz (nothing a laptop cannot play, and no
/// DC or drift).
#[derive(Debug, Clone)]
struct Surf {
    noise: Hiss,
    /// The low-pass coefficients at a wave's trough and crest.
    dull: f32,
    bright: f32,
    split: LowPass,
    soft: LowPass,
    floor: HighPass,
    /// The split's coefficient and the gains of body and foam.
    cut: Glide,
    body: Glide,
    foam: Glide,
    waves: Noise,
    /// Where the current wave is (0..1), its step a control period, and
    /// its height.
    phase: f32,
    step: f32,
    peak: f32,
    /// Frames left until the next control update.
    left: u32,
    rate: f32,
}

impl Surf {
    fn new(rate: f32) -> Surf {
        let dull = LowPass::coefficient(380.0, rate);
        let mut s = Surf {
            noise: Hiss::new(0x1234_5678, 0x8765_4321),
            dull,
            bright: LowPass::coefficient(1_300.0, rate),
            split: LowPass::new(380.0, rate),
            soft: LowPass::new(3_000.0, rate),
            floor: HighPass::new(140.0, rate),
            cut: Glide::at(dull),
            body: Glide::at(0.0),
            foam: Glide::at(0.0),
            waves: Noise::new(0x0bad_cafe),
            phase: 0.0,
            step: 0.0,
            peak: 1.0,
            left: 0,
            rate,
        };
        s.next_wave();
        s
    }

    /// Each wave differs in length (7–13 s) and height; now and then a
    /// small one comes between the big ones.
    fn next_wave(&mut self) {
        let period = self.waves.range(7.0, 13.0);
        self.step = CONTROL as f32 / (period * self.rate);
        self.peak = if self.waves.unit() < 0.2 {
            self.waves.range(0.35, 0.55)
        } else {
            self.waves.range(0.7, 1.0)
        };
    }

    /// Moves the wave on one control period and aims the controls at it.
    fn control(&mut self) {
        self.phase += self.step;
        if self.phase >= 1.0 {
            // Both envelopes are zero here, so the new wave's height joins
            // without a step.
            self.phase -= 1.0;
            self.next_wave();
        }
        // A swell that rises for 40 % of the wave and washes out slowly;
        // the floor keeps a quiet wash between waves.
        let p = self.phase;
        let swell = if p < 0.4 {
            smooth(p * 2.5)
        } else {
            let x = (p - 0.4) * (1.0 / 0.6);
            (1.0 - x) * (1.0 - x)
        } * self.peak;
        // Foam comes in as the wave tops over and fizzes away.
        let foam = if p < 0.3 {
            0.0
        } else if p < 0.45 {
            smooth((p - 0.3) * (1.0 / 0.15))
        } else {
            let x = 1.0 - (p - 0.45) * (1.0 / 0.55);
            x * x * x
        } * self.peak;
        self.cut.aim(self.dull + (self.bright - self.dull) * swell);
        self.body.aim(0.15 + 0.52 * swell);
        self.foam.aim(0.05 * foam);
    }

    fn fill(&mut self, out: &mut [[f32; 2]]) {
        let mut done = 0;
        while done < out.len() {
            if self.left == 0 {
                self.control();
                self.left = CONTROL;
            }
            let n = (out.len() - done).min(self.left as usize);
            for frame in &mut out[done..done + n] {
                self.split.a = self.cut.next();
                let (body, foam) = (self.body.next(), self.foam.next());
                let x = self.noise.next();
                let low = self.split.next(x);
                let mixed = [0, 1].map(|ch| low[ch] * body + (x[ch] - low[ch]) * foam);
                *frame = self.floor.next(self.soft.next(mixed));
            }
            self.left -= n as u32;
            done += n;
        }
    }
}

// ---------------------------------------------------------------- rain ---

/// The most drops sounding at once; a drop that would need more waits for
/// the next gap.
const DROP_VOICES: usize = 8;
/// Drops a second, on average.
const DROPS_PER_SECOND: f32 = 3.5;

/// Rain: a soft, band-limited wash (250 Hz–1.2 kHz, rolling off above, its
/// level drifting like gusts) and sparse drops: short, slightly rising tones
/// (a drop's bubble ringing as it closes) at random moments, places and
/// heights, standing clear of the wash.
#[derive(Debug, Clone)]
struct Rain {
    hiss: Hiss,
    top: LowPass,
    top2: LowPass,
    floor: HighPass,
    /// The wash's level, drifting towards a new gust level now and then:
    /// the level now, where it is heading, and how fast (a one-pole
    /// smoothing at 0.25 Hz, run every control period).
    wash: Glide,
    gust: f32,
    gust_target: f32,
    gust_a: f32,
    /// Control periods until the next gust level is drawn.
    gust_left: u32,
    sky: Noise,
    /// Frames until the next drop.
    next_drop: u32,
    drops: [Drop; DROP_VOICES],
    /// Frames left until the next control update.
    left: u32,
    rate: f32,
}

/// One drop: a decaying sine whose pitch rises a little.
#[derive(Debug, Clone, Copy, Default)]
struct Drop {
    cos: f32,
    sin: f32,
    step_cos: f32,
    step_sin: f32,
    /// The step is itself turned by this each frame: the pitch glide.
    glide_cos: f32,
    glide_sin: f32,
    /// The envelope is `decay - attack`: zero at the start, a fast rise,
    /// then an exponential fall.
    decay: f32,
    fall: f32,
    attack: f32,
    rise: f32,
    gain: [f32; 2],
    /// Frames left to ring: counted, not judged from the level, so a drop
    /// ends on the same frame however the frames are split into blocks.
    life: u32,
}

impl Drop {
    fn sounding(&self) -> bool {
        self.life > 0
    }

    /// Adds this drop into `frame` and moves it on a frame.
    fn ring(&mut self, frame: &mut [f32; 2]) {
        let s = self.sin * (self.decay - self.attack);
        frame[0] += s * self.gain[0];
        frame[1] += s * self.gain[1];
        let c = self.cos * self.step_cos - self.sin * self.step_sin;
        self.sin = self.sin * self.step_cos + self.cos * self.step_sin;
        self.cos = c;
        let sc = self.step_cos * self.glide_cos - self.step_sin * self.glide_sin;
        self.step_sin = self.step_sin * self.glide_cos + self.step_cos * self.glide_sin;
        self.step_cos = sc;
        self.decay *= self.fall;
        self.attack *= self.rise;
    }
}

impl Rain {
    fn new(rate: f32) -> Rain {
        Rain {
            hiss: Hiss::new(0x2468_ace0, 0x1357_9bdf),
            top: LowPass::new(1_200.0, rate),
            top2: LowPass::new(3_500.0, rate),
            floor: HighPass::new(250.0, rate),
            wash: Glide::at(WASH),
            gust: WASH,
            gust_target: WASH,
            gust_a: LowPass::coefficient(0.25, rate / CONTROL as f32),
            gust_left: 0,
            sky: Noise::new(0xdead_beef),
            next_drop: (0.3 * rate) as u32,
            drops: [Drop::default(); DROP_VOICES],
            left: 0,
            rate,
        }
    }

    /// Starts a drop in a free voice, then draws the gap to the next one
    /// (exponential, so the drops fall at random, never on a beat).
    fn start_drop(&mut self) {
        let sky = &mut self.sky;
        let rate = self.rate;
        if let Some(d) = self.drops.iter_mut().find(|d| !d.sounding()) {
            // Most drops are high, bright plinks; some are duller taps.
            let (freq, tau) = if sky.unit() < 0.75 {
                (sky.range(1_400.0, 2_600.0), sky.range(0.008, 0.025))
            } else {
                (sky.range(700.0, 1_300.0), sky.range(0.006, 0.015))
            };
            let w = TAU * cutoff(freq, rate) / rate;
            let frames = tau * rate;
            // The pitch rises by 10–30 % over one decay time, and never
            // past 0.4 of the rate however long the drop rings.
            let limit = ((TAU * 0.4 / w - 1.0) / 6.0).max(0.0);
            let glide = w * sky.range(0.1, 0.3).min(limit) / frames;
            // Mostly soft drops, a few nearer ones.
            let u = sky.unit();
            let level = 0.06 + 0.1 * u * u;
            let pan = sky.range(0.15, 0.85);
            *d = Drop {
                cos: 1.0,
                sin: 0.0,
                step_cos: w.cos(),
                step_sin: w.sin(),
                glide_cos: glide.cos(),
                glide_sin: glide.sin(),
                decay: 1.0,
                fall: (-1.0 / frames).exp(),
                attack: 1.0,
                rise: (-1.0 / (0.0006 * rate)).exp(),
                gain: [level * (1.0 - pan).sqrt(), level * pan.sqrt()],
                // Until it has fallen by 60 dB.
                life: (frames * 1e3f32.ln()) as u32,
            };
        }
        let gap = -(1.0 - sky.unit()).ln() / DROPS_PER_SECOND;
        self.next_drop = (gap.clamp(0.02, 3.0) * rate) as u32;
    }

    /// Moves the gusts on one control period.
    fn control(&mut self) {
        if self.gust_left == 0 {
            // A new gust level every 3–7 s, within ±2 dB.
            self.gust_target = WASH * self.sky.range(0.8, 1.25);
            self.gust_left = (self.sky.range(3.0, 7.0) * self.rate / CONTROL as f32) as u32;
        }
        self.gust_left -= 1;
        self.gust += self.gust_a * (self.gust_target - self.gust);
        self.wash.aim(self.gust);
    }

    fn fill(&mut self, out: &mut [[f32; 2]]) {
        let mut done = 0;
        while done < out.len() {
            if self.left == 0 {
                self.control();
                self.left = CONTROL;
            }
            if self.next_drop == 0 {
                self.start_drop();
            }
            // Up to the next control update or drop, whichever is sooner, so
            // the loops below only do arithmetic.
            let n = (out.len() - done)
                .min(self.left as usize)
                .min(self.next_drop as usize);
            let part = &mut out[done..done + n];
            for frame in part.iter_mut() {
                let level = self.wash.next();
                let wash = self
                    .floor
                    .next(self.top2.next(self.top.next(self.hiss.next())));
                *frame = wash.map(|w| w * level);
            }
            for d in self.drops.iter_mut().filter(|d| d.sounding()) {
                let ringing = n.min(d.life as usize);
                for frame in &mut part[..ringing] {
                    d.ring(frame);
                }
                d.life -= ringing as u32;
            }
            self.left -= n as u32;
            self.next_drop -= n as u32;
            done += n;
        }
    }
}

/// The rain's wash level.
const WASH: f32 = 0.15;

// --------------------------------------------------------------- drone ---

/// Chords of the drone, as frequencies in Hz: A, D, F#m, E, each voiced low
/// and close so the pad stays warm.
pub const CHORDS: [[f32; 4]; 4] = [
    [110.0, 164.81, 220.0, 277.18],
    [146.83, 220.0, 293.66, 369.99],
    [92.50, 138.59, 185.0, 220.0],
    [82.41, 123.47, 164.81, 207.65],
];
/// How long a chord sounds, including the crossfade into the next: drawn
/// afresh for each chord, so the changes never fall into a beat.
const CHORD_SECONDS: (f32, f32) = (20.0, 28.0);
/// How long two chords crossfade, drawn afresh for each change.
const CROSSFADE_SECONDS: (f32, f32) = (6.0, 10.0);
/// Frames between two updates of the drone's gains (and its timeline); the
/// gains move in straight lines in between, so nothing steps.
const BLOCK: u32 = 64;
/// The level of one voice.
const VOICE: f32 = 0.08;
/// Below this a laptop's speakers play little: voices down there give more
/// of their level to their harmonics, which carry the pitch.
const LAPTOP_LOW_HZ: f32 = 150.0;

/// One chord's four voices, side by side so the per-frame arithmetic runs on
/// all four at once (the compiler turns these loops into vector code). Each
/// voice is a rotating phasor; its second and third harmonics come from the
/// same phasor by the multiple-angle formulas, so no voice needs more than
/// one oscillator.
#[derive(Debug, Clone, Default)]
struct Chord {
    cos: [f32; 4],
    sin: [f32; 4],
    step_cos: [f32; 4],
    step_sin: [f32; 4],
    /// The waveform is `sin * (a + b cos + d sin^2)`:
    /// `h1 sin x + h2 sin 2x + h3 sin 3x` written with the phasor alone.
    a: [f32; 4],
    b: [f32; 4],
    d: [f32; 4],
    /// Each voice breathes (its level rising and falling by a quarter) at
    /// its own pace: the phase, and its step a block.
    breath: [f32; 4],
    breath_step: [f32; 4],
    /// The gains left and right now, where they will be at the end of the
    /// current block, and their step a frame.
    gain: [[f32; 4]; 2],
    target: [[f32; 4]; 2],
    slope: [[f32; 4]; 2],
}

impl Chord {
    /// Tunes the voices to `notes`, silent, with fresh breathing paces.
    fn tune(&mut self, notes: &[f32; 4], rate: f32, dice: &mut Noise) {
        for (v, &f) in notes.iter().enumerate() {
            let w = TAU * f / rate;
            self.cos[v] = 1.0;
            self.sin[v] = 0.0;
            self.step_cos[v] = w.cos();
            self.step_sin[v] = w.sin();
            // Harmonics stay under 0.4 of the rate even on an 8 kHz device.
            let room = |k: f32| if k * f < 0.4 * rate { 1.0 } else { 0.0 };
            let (h1, h2, h3) = if f < LAPTOP_LOW_HZ {
                (0.7, 0.35 * room(2.0), 0.12 * room(3.0))
            } else {
                (1.0, 0.35 * room(2.0), 0.06 * room(3.0))
            };
            self.a[v] = h1 + 3.0 * h3;
            self.b[v] = 2.0 * h2;
            self.d[v] = -4.0 * h3;
            self.breath_step[v] = TAU * BLOCK as f32 / (dice.range(6.0, 14.0) * rate);
        }
        self.gain = [[0.0; 4]; 2];
        self.target = [[0.0; 4]; 2];
    }

    /// Sets the gains to reach by the end of the next block, at chord
    /// `level`, and moves the breathing on a block.
    fn aim(&mut self, level: f32) {
        self.gain = self.target;
        for v in 0..4 {
            self.breath[v] = (self.breath[v] + self.breath_step[v]) % TAU;
            let g = VOICE * level * (0.75 + 0.25 * self.breath[v].sin());
            let pan = 0.35 + 0.1 * v as f32;
            self.target[0][v] = g * (1.0 - pan);
            self.target[1][v] = g * pan;
            for ch in 0..2 {
                self.slope[ch][v] = (self.target[ch][v] - self.gain[ch][v]) / BLOCK as f32;
            }
        }
    }

    /// Adds this chord into `out`, the gains moving along their slopes.
    fn add(&mut self, out: &mut [[f32; 2]]) {
        let (mut cos, mut sin) = (self.cos, self.sin);
        let (sc, ss) = (self.step_cos, self.step_sin);
        let (a, b, d) = (self.a, self.b, self.d);
        let [mut gl, mut gr] = self.gain;
        let [dl, dr] = self.slope;
        for frame in out.iter_mut() {
            let mut l = [0.0f32; 4];
            let mut r = [0.0f32; 4];
            for v in 0..4 {
                let (c, s) = (cos[v], sin[v]);
                let w = s * (a[v] + b[v] * c + d[v] * s * s);
                l[v] = w * gl[v];
                r[v] = w * gr[v];
                cos[v] = c * sc[v] - s * ss[v];
                sin[v] = s * sc[v] + c * ss[v];
                gl[v] += dl[v];
                gr[v] += dr[v];
            }
            frame[0] += (l[0] + l[1]) + (l[2] + l[3]);
            frame[1] += (r[0] + r[1]) + (r[2] + r[3]);
        }
        self.cos = cos;
        self.sin = sin;
        self.gain = [gl, gr];
    }

    /// Pulls the phasors back onto the unit circle. Rounding moves them off
    /// by about one part in ten million a frame, so once a block is plenty.
    fn renormalise(&mut self) {
        for v in 0..4 {
            let g = 1.5 - 0.5 * (self.cos[v] * self.cos[v] + self.sin[v] * self.sin[v]);
            self.cos[v] *= g;
            self.sin[v] *= g;
        }
    }
}

/// The drone: two chord slots, the one sounding and the one fading in, and
/// a seeded die for the order and timing of the chords.
#[derive(Debug, Clone)]
struct Drone {
    chords: [Chord; 2],
    /// The slot that is sounding (the other is silent or fading in).
    main: usize,
    /// The chord in the main slot, or coming into it.
    current: usize,
    /// Blocks until the next crossfade begins.
    hold: u32,
    /// Blocks into the crossfade, and its length (0: not fading).
    fade: u32,
    fade_len: u32,
    /// How long the chord fading in will sound, fade included, in blocks.
    length: u32,
    /// Whether both slots sound in the current block.
    both: bool,
    /// Frames left in the current block (0: a new block begins).
    left: u32,
    dice: Noise,
    rate: f32,
}

impl Drone {
    fn new(rate: f32) -> Drone {
        let mut d = Drone {
            chords: [Chord::default(), Chord::default()],
            main: 0,
            current: 0,
            hold: 0,
            fade: 0,
            fade_len: 0,
            length: 0,
            both: false,
            left: 0,
            dice: Noise::new(0x5eed_d0e5),
            rate,
        };
        d.current = (d.dice.unit() * CHORDS.len() as f32) as usize % CHORDS.len();
        d.chords[0].tune(&CHORDS[d.current], rate, &mut d.dice);
        // The first chord sounds from the start (the mixer fades it in):
        // aimed once to set its gains, and again to start from them.
        d.chords[0].aim(1.0);
        d.chords[0].aim(1.0);
        d.hold = d.draw_blocks(CHORD_SECONDS);
        d
    }

    /// A length drawn between `lo` and `hi` seconds, in blocks.
    fn draw_blocks(&mut self, (lo, hi): (f32, f32)) -> u32 {
        let seconds = self.dice.range(lo, hi);
        (seconds * self.rate / BLOCK as f32).max(1.0) as u32
    }

    /// Moves the timeline on one block and aims the gains at its end.
    fn next_block(&mut self) {
        let other = 1 - self.main;
        if self.fade_len == 0 && self.hold == 0 {
            // Any chord but the one sounding, so the order never settles
            // into a cycle.
            let step = 1 + (self.dice.unit() * 3.0) as usize % 3;
            self.current = (self.current + step) % CHORDS.len();
            self.chords[other].tune(&CHORDS[self.current], self.rate, &mut self.dice);
            self.fade = 0;
            self.fade_len = self.draw_blocks(CROSSFADE_SECONDS);
            self.length = self.draw_blocks(CHORD_SECONDS);
        }
        if self.fade_len == 0 {
            self.hold -= 1;
            self.both = false;
            self.chords[self.main].aim(1.0);
            return;
        }
        self.fade += 1;
        self.both = true;
        // Equal power: two different chords add as unrelated sounds, so
        // cosine and sine gains keep the level steady through the change.
        let x = smooth(self.fade as f32 / self.fade_len as f32) * FRAC_PI_2;
        self.chords[self.main].aim(x.cos());
        self.chords[other].aim(x.sin());
        if self.fade >= self.fade_len {
            // The old chord reaches silence at the end of this block.
            self.main = other;
            self.fade_len = 0;
            self.hold = self.length.saturating_sub(self.fade).max(1);
        }
    }

    fn fill(&mut self, out: &mut [[f32; 2]]) {
        out.fill([0.0; 2]);
        let mut done = 0;
        while done < out.len() {
            if self.left == 0 {
                self.next_block();
                self.left = BLOCK;
            }
            let n = (out.len() - done).min(self.left as usize);
            let part = &mut out[done..done + n];
            self.chords[self.main].add(part);
            if self.both {
                self.chords[1 - self.main].add(part);
            }
            self.left -= n as u32;
            done += n;
            if self.left == 0 {
                for c in &mut self.chords {
                    c.renormalise();
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
