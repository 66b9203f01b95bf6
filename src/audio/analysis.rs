//! Offline measures of stereo sound, for the tests and the figures that keep
//! the soundscapes honest without a sound device: where the energy lies
//! (band shares from an averaged spectrum), the level (RMS, DC and its
//! drift), and whether a sound repeats itself (fingerprints of block
//! energies compared at every lag).
//!
//! Everything here works on frames already rendered into memory; nothing is
//! used while a session plays.

use std::f64::consts::PI;

/// The edges of the bands the figures report, in Hz: below 20 Hz nothing is
/// heard, 20–150 Hz is what a laptop's speakers cannot play, 150 Hz–8 kHz is
/// what they play well, and above 8 kHz is air and hiss.
pub const BAND_EDGES: [f64; 3] = [20.0, 150.0, 8_000.0];

/// How a sound's energy divides between the bands of [`BAND_EDGES`]; the
/// four shares add up to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    /// Below 20 Hz: inaudible rumble and drift.
    pub sub: f64,
    /// 20–150 Hz: bass a laptop's speakers cannot reproduce.
    pub low: f64,
    /// 150 Hz–8 kHz: what small speakers play.
    pub mid: f64,
    /// Above 8 kHz: hiss and air.
    pub high: f64,
}

impl std::fmt::Display for Bands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<20 Hz {:.1} % | 20–150 Hz {:.1} % | 150 Hz–8 kHz {:.1} % | >8 kHz {:.1} %",
            self.sub * 100.0,
            self.low * 100.0,
            self.mid * 100.0,
            self.high * 100.0
        )
    }
}

/// An averaged power spectrum of both channels (Welch's method: Hann-windowed
/// frames overlapping by half), one value per bin from 0 Hz to half the rate.
#[derive(Debug, Clone)]
pub struct Spectrum {
    /// Power per bin, summed over both channels and averaged over frames.
    pub power: Vec<f64>,
    /// The width of one bin in Hz.
    pub bin_hz: f64,
}

impl Spectrum {
    /// The spectrum of `frames` at `rate`, with `size`-point transforms (a
    /// power of two; larger sizes resolve closer frequencies).
    pub fn of(frames: &[[f32; 2]], rate: u32, size: usize) -> Spectrum {
        let size = size.next_power_of_two().max(16);
        let window: Vec<f64> = (0..size)
            .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / size as f64).cos())
            .collect();
        let mut power = vec![0.0; size / 2 + 1];
        let mut buf = vec![(0.0, 0.0); size];
        let mut count = 0usize;
        let mut start = 0;
        while start + size <= frames.len() {
            // Both channels in one complex transform: left as the real part,
            // right as the imaginary part, separated by symmetry below.
            for (b, (f, w)) in buf
                .iter_mut()
                .zip(frames[start..start + size].iter().zip(&window))
            {
                *b = (f64::from(f[0]) * w, f64::from(f[1]) * w);
            }
            fft(&mut buf);
            for (k, p) in power.iter_mut().enumerate() {
                let z = buf[k];
                let w = buf[(size - k) % size];
                // L = (Z[k] + conj Z[-k]) / 2, R = (Z[k] - conj Z[-k]) / 2i.
                let l = ((z.0 + w.0) / 2.0, (z.1 - w.1) / 2.0);
                let r = ((z.1 + w.1) / 2.0, (w.0 - z.0) / 2.0);
                *p += l.0 * l.0 + l.1 * l.1 + r.0 * r.0 + r.1 * r.1;
            }
            count += 1;
            start += size / 2;
        }
        if count > 0 {
            power.iter_mut().for_each(|p| *p /= count as f64);
        }
        Spectrum {
            power,
            bin_hz: f64::from(rate) / size as f64,
        }
    }

    /// The energy between `lo` and `hi` Hz (bins whose centre lies in
    /// `[lo, hi)`).
    pub fn energy(&self, lo: f64, hi: f64) -> f64 {
        self.power
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                let f = *k as f64 * self.bin_hz;
                f >= lo && f < hi
            })
            .map(|(_, p)| p)
            .sum()
    }

    /// How the energy divides between the bands of [`BAND_EDGES`].
    pub fn bands(&self) -> Bands {
        let [a, b, c] = BAND_EDGES;
        let total = self.energy(0.0, f64::INFINITY).max(f64::MIN_POSITIVE);
        Bands {
            sub: self.energy(0.0, a) / total,
            low: self.energy(a, b) / total,
            mid: self.energy(b, c) / total,
            high: self.energy(c, f64::INFINITY) / total,
        }
    }

    /// The energy-weighted mean frequency in Hz, a single figure for how
    /// bright a sound is.
    pub fn centroid(&self) -> f64 {
        let total = self.energy(0.0, f64::INFINITY).max(f64::MIN_POSITIVE);
        self.power
            .iter()
            .enumerate()
            .map(|(k, p)| k as f64 * self.bin_hz * p)
            .sum::<f64>()
            / total
    }

    /// How far the bin nearest `freq` stands above the median of the bins
    /// within `span` Hz either side, in dB: a partial that sounds shows as a
    /// peak of many dB; an absent one as about 0.
    pub fn peak_db(&self, freq: f64, span: f64) -> f64 {
        let k = (freq / self.bin_hz).round() as usize;
        let reach = (span / self.bin_hz).ceil() as usize;
        let lo = k.saturating_sub(reach);
        let hi = (k + reach).min(self.power.len() - 1);
        // The peak may straddle two bins.
        let near = (k.saturating_sub(1)..=(k + 1).min(hi))
            .map(|i| self.power[i])
            .fold(0.0, f64::max);
        let mut around: Vec<f64> = self.power[lo..=hi].to_vec();
        around.sort_by(f64::total_cmp);
        let median = around[around.len() / 2].max(f64::MIN_POSITIVE);
        10.0 * (near.max(f64::MIN_POSITIVE) / median).log10()
    }
}

/// An in-place radix-2 decimation-in-time FFT of `(re, im)` pairs; the
/// length must be a power of two.
fn fft(buf: &mut [(f64, f64)]) {
    let n = buf.len();
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            buf.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let angle = -2.0 * PI / len as f64;
        let step = (angle.cos(), angle.sin());
        for chunk in buf.chunks_exact_mut(len) {
            let (lo, hi) = chunk.split_at_mut(len / 2);
            let mut w = (1.0, 0.0);
            for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
                let t = (b.0 * w.0 - b.1 * w.1, b.0 * w.1 + b.1 * w.0);
                *b = (a.0 - t.0, a.1 - t.1);
                *a = (a.0 + t.0, a.1 + t.1);
                w = (w.0 * step.0 - w.1 * step.1, w.0 * step.1 + w.1 * step.0);
            }
        }
        len *= 2;
    }
}

/// The RMS level of both channels together, in dBFS (a full-scale sine is
/// -3 dBFS).
pub fn rms_dbfs(frames: &[[f32; 2]]) -> f64 {
    let sum: f64 = frames
        .iter()
        .map(|f| (f64::from(f[0]).powi(2) + f64::from(f[1]).powi(2)) / 2.0)
        .sum();
    10.0 * (sum / frames.len().max(1) as f64).max(1e-30).log10()
}

/// The peak sample of either channel, in dBFS.
pub fn peak_dbfs(frames: &[[f32; 2]]) -> f64 {
    let peak = frames
        .iter()
        .flat_map(|f| f.iter())
        .fold(0.0f32, |m, v| m.max(v.abs()));
    20.0 * f64::from(peak).max(1e-15).log10()
}

/// The largest step between neighbouring samples of either channel.
pub fn max_jump(frames: &[[f32; 2]]) -> f32 {
    frames
        .windows(2)
        .flat_map(|w| [(w[1][0] - w[0][0]).abs(), (w[1][1] - w[0][1]).abs()])
        .fold(0.0, f32::max)
}

/// The DC in a sound: the mean of all its samples, and the largest mean of
/// any one-second stretch (a slow drift shows in the second, not the first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dc {
    /// The mean of every sample of both channels.
    pub mean: f64,
    /// The largest absolute mean of one channel over one second.
    pub drift: f64,
}

/// The DC and its drift in `frames` at `rate`.
pub fn dc(frames: &[[f32; 2]], rate: u32) -> Dc {
    let n = frames.len().max(1) as f64;
    let mean = frames
        .iter()
        .map(|f| f64::from(f[0]) + f64::from(f[1]))
        .sum::<f64>()
        / (2.0 * n);
    let drift = frames
        .chunks(rate.max(1) as usize)
        .flat_map(|c| {
            let m = c.len() as f64;
            [0, 1].map(|ch| (c.iter().map(|f| f64::from(f[ch])).sum::<f64>() / m).abs())
        })
        .fold(0.0, f64::max);
    Dc { mean, drift }
}

/// A sudden rise in level, as a rain drop makes against the wash: when it
/// happens, and how far it stands above the sound just before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Onset {
    /// When, in seconds from the start.
    pub at: f64,
    /// How far its loudest moment stands above the level of the 100 ms
    /// before it, in dB.
    pub rise_db: f64,
}

/// The transients in `frames` at `rate`: moments where the level above
/// 1 kHz (where drops ring and a slow pad's beating does not reach), in
/// 2.5 ms steps, jumps by more than `threshold_db` over the median of the
/// 100 ms before. Onsets closer than 30 ms count as one.
pub fn onsets(frames: &[[f32; 2]], rate: u32, threshold_db: f64) -> Vec<Onset> {
    let step = (f64::from(rate) * 0.0025).max(1.0) as usize;
    // Two one-pole high-passes at 1 kHz: 12 dB an octave below it.
    let a = (-2.0 * PI * 1_000f64.min(f64::from(rate) * 0.45) / f64::from(rate)).exp();
    let (mut lp1, mut lp2) = (0.0f64, 0.0f64);
    let energy: Vec<f64> = frames
        .chunks_exact(step)
        .map(|c| {
            c.iter()
                .map(|f| {
                    let x = (f64::from(f[0]) + f64::from(f[1])) * 0.5;
                    lp1 = a * lp1 + (1.0 - a) * x;
                    let h1 = x - lp1;
                    lp2 = a * lp2 + (1.0 - a) * h1;
                    let h = h1 - lp2;
                    h * h
                })
                .sum::<f64>()
                / step as f64
        })
        .collect();
    // A rise in what is all but silence (the rounding noise above a low
    // pad) is no transient: the step must also carry a thousandth of the
    // sound's mean power.
    let gate = frames
        .iter()
        .map(|f| (f64::from(f[0]).powi(2) + f64::from(f[1]).powi(2)) / 2.0)
        .sum::<f64>()
        / frames.len().max(1) as f64
        * 1e-3;
    let history = 40; // 100 ms of 2.5 ms steps
    let gap = 12; // 30 ms
    let ratio = 10f64.powf(threshold_db / 10.0);
    let mut found: Vec<Onset> = Vec::new();
    let mut last: Option<usize> = None;
    let mut before: Vec<f64> = Vec::with_capacity(history);
    for k in history..energy.len() {
        before.clear();
        before.extend_from_slice(&energy[k - history..k]);
        before.sort_by(f64::total_cmp);
        let floor = before[history / 2].max(1e-20);
        let next = &energy[k..(k + 4).min(energy.len())];
        let peak = next.iter().copied().fold(0.0, f64::max);
        // The 10 ms from here, on average, must stand out: a tone's beating
        // flickers within that, a drop rings through it.
        let held = next.iter().sum::<f64>() / next.len() as f64;
        if held > floor * ratio && held > gate && last.is_none_or(|l| k - l >= gap) {
            last = Some(k);
            found.push(Onset {
                at: (k * step) as f64 / f64::from(rate),
                rise_db: 10.0 * (peak / floor).log10(),
            });
        }
    }
    found
}

/// A coarse picture of a sound over time: for each step of a quarter block,
/// the level in dB of each half-octave band (from 60 Hz up) over the block
/// that starts there. Two stretches that sound the same have the same
/// fingerprint, whatever the phase of their partials; a chord shows as the
/// bands its notes fall in. Blocks overlap so that a sound repeating at any
/// period, not only a whole number of blocks, lines up with itself.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// One row per step: the level of each band in dB.
    pub rows: Vec<Vec<f32>>,
    /// The time between two rows in seconds.
    pub step_seconds: f64,
    /// The bands that carry sound: those within 50 dB of the loudest, on
    /// average. Near-silent bands hold only rounding noise, which would make
    /// two identical stretches look unlike.
    live: Vec<usize>,
}

impl Fingerprint {
    /// The fingerprint of `frames` at `rate` in blocks of about
    /// `block_seconds` (rounded down to a power-of-two number of frames).
    pub fn of(frames: &[[f32; 2]], rate: u32, block_seconds: f64) -> Fingerprint {
        let r = f64::from(rate.max(1));
        let target = ((block_seconds * r) as usize).max(64);
        // The largest power of two that fits, for the transform.
        let block = 1usize << (usize::BITS - 1 - target.leading_zeros());
        let hop = block / 4;
        let bin_hz = r / block as f64;
        // Half-octave bands from 60 Hz, none narrower than four bins (a
        // narrower band's level jitters too much from block to block).
        let mut edges = vec![0usize];
        let mut f = 60.0;
        while f < r / 2.0 {
            let k = (f / bin_hz) as usize;
            if k >= edges[edges.len() - 1] + 4 && k + 4 <= block / 2 {
                edges.push(k);
            }
            f *= std::f64::consts::SQRT_2;
        }
        edges.push(block / 2 + 1);
        let window: Vec<f64> = (0..block)
            .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / block as f64).cos())
            .collect();
        let mut buf = vec![(0.0, 0.0); block];
        let mut rows = Vec::new();
        let mut start = 0;
        while start + block <= frames.len() {
            let c = &frames[start..start + block];
            for (b, (f, w)) in buf.iter_mut().zip(c.iter().zip(&window)) {
                *b = ((f64::from(f[0]) + f64::from(f[1])) * 0.5 * w, 0.0);
            }
            fft(&mut buf);
            rows.push(
                edges
                    .windows(2)
                    .map(|e| {
                        let p: f64 = buf[e[0]..e[1]].iter().map(|z| z.0 * z.0 + z.1 * z.1).sum();
                        (10.0 * (p + 1e-20).log10()) as f32
                    })
                    .collect::<Vec<f32>>(),
            );
            start += hop;
        }
        let bands = edges.len() - 1;
        let mean_power: Vec<f64> = (0..bands)
            .map(|b| {
                rows.iter()
                    .map(|row| 10f64.powf(f64::from(row[b]) / 10.0))
                    .sum::<f64>()
                    / rows.len().max(1) as f64
            })
            .collect();
        let loudest = mean_power.iter().copied().fold(1e-20, f64::max);
        let live = (0..bands)
            .filter(|&b| mean_power[b] > loudest * 1e-5)
            .collect();
        Fingerprint {
            rows,
            step_seconds: hop as f64 / r,
            live,
        }
    }

    /// How alike the first `window` rows are to the `window` rows starting
    /// at each lag (index = lag in rows): the correlation of the two stretches
    /// of fingerprint, band by band around each stretch's mean. 1 is the
    /// same sound again; noise that never repeats stays well below.
    ///
    /// Every lag at once, by correlating through the FFT, so ten minutes of
    /// lags cost about as much as one transform per band.
    pub fn likeness(&self, window: usize) -> Vec<f64> {
        let n = self.rows.len();
        if window == 0 || window > n || self.live.is_empty() {
            return Vec::new();
        }
        let lags = n - window + 1;
        let size = (n + window).next_power_of_two();
        let mut cross = vec![0.0f64; lags];
        let mut own = 0.0;
        let mut other = vec![0.0f64; lags];
        for &band in &self.live {
            let y: Vec<f64> = self.rows.iter().map(|r| f64::from(r[band])).collect();
            let mean = y[..window].iter().sum::<f64>() / window as f64;
            let mut xs = vec![(0.0, 0.0); size];
            for (z, v) in xs.iter_mut().zip(&y[..window]) {
                *z = (v - mean, 0.0);
            }
            own += xs.iter().map(|z| z.0 * z.0).sum::<f64>();
            let mut ys = vec![(0.0, 0.0); size];
            for (z, v) in ys.iter_mut().zip(&y) {
                *z = (*v, 0.0);
            }
            fft(&mut xs);
            fft(&mut ys);
            // conj(X) * Y, then the inverse transform by conjugating twice.
            for (x, y) in xs.iter_mut().zip(&ys) {
                *x = (x.0 * y.0 + x.1 * y.1, -(x.0 * y.1 - x.1 * y.0));
            }
            fft(&mut xs);
            // The first stretch has zero mean, so its products with the
            // second need no mean taken off the second.
            for (c, z) in cross.iter_mut().zip(&xs) {
                *c += z.0 / size as f64;
            }
            // The second stretch's spread at every lag, from running sums.
            let (mut s, mut s2) = (0.0, 0.0);
            for v in &y[..window] {
                s += v;
                s2 += v * v;
            }
            for (lag, o) in other.iter_mut().enumerate() {
                if lag > 0 {
                    let (out, inn) = (y[lag - 1], y[lag + window - 1]);
                    s += inn - out;
                    s2 += inn * inn - out * out;
                }
                *o += (s2 - s * s / window as f64).max(0.0);
            }
        }
        cross
            .iter()
            .zip(&other)
            .map(|(c, o)| {
                if own > 0.0 && *o > 0.0 {
                    c / (own * o).sqrt()
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The lag (in seconds, from `min_seconds` up to as far as the
    /// fingerprint allows) at which the first `window_seconds` are most
    /// alike, and how alike (see [`Fingerprint::likeness`]).
    pub fn most_alike(&self, min_seconds: f64, window_seconds: f64) -> (f64, f64) {
        let window = (window_seconds / self.step_seconds).round() as usize;
        let first = (min_seconds / self.step_seconds).round().max(1.0) as usize;
        self.likeness(window).iter().enumerate().skip(first).fold(
            (0.0, f64::MIN),
            |best, (lag, &r)| {
                if r > best.1 {
                    (lag as f64 * self.step_seconds, r)
                } else {
                    best
                }
            },
        )
    }

    /// The period at which the sound repeats itself, if it does: from
    /// `min_seconds` on, the first run of lags at which the first
    /// `window_seconds` come back with a likeness of at least `threshold`,
    /// and within it the lag where they are most alike.
    pub fn repeat_period(
        &self,
        min_seconds: f64,
        window_seconds: f64,
        threshold: f64,
    ) -> Option<f64> {
        let window = (window_seconds / self.step_seconds).round() as usize;
        let first = (min_seconds / self.step_seconds).round().max(1.0) as usize;
        let likeness = self.likeness(window);
        let start = (first..likeness.len()).find(|&lag| likeness[lag] >= threshold)?;
        let best = (start..likeness.len())
            .take_while(|&lag| likeness[lag] >= threshold)
            .fold(
                start,
                |b, lag| if likeness[lag] > likeness[b] { lag } else { b },
            );
        Some(best as f64 * self.step_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    fn sine(freq: f32, amp: f32, seconds: f32) -> Vec<[f32; 2]> {
        (0..(seconds * RATE as f32) as usize)
            .map(|i| {
                let v = amp * (std::f32::consts::TAU * freq * i as f32 / RATE as f32).sin();
                [v, v * 0.5]
            })
            .collect()
    }

    #[test]
    fn a_tone_lands_in_its_band_and_peaks_at_its_frequency() {
        let s = Spectrum::of(&sine(440.0, 0.5, 2.0), RATE, 8192);
        let b = s.bands();
        assert!(b.mid > 0.999, "{b}");
        assert!((s.centroid() - 440.0).abs() < 10.0, "{}", s.centroid());
        assert!(s.peak_db(440.0, 60.0) > 40.0);
        assert!(s.peak_db(300.0, 60.0) < 3.0);
        let low = Spectrum::of(&sine(60.0, 0.5, 2.0), RATE, 8192).bands();
        assert!(low.low > 0.99, "{low}");
    }

    #[test]
    fn left_and_right_are_both_counted() {
        // Left at 1 kHz, right at 10 kHz with twice the amplitude: powers of
        // 1 and 4, so a fifth in the middle band and four fifths above it.
        let frames: Vec<[f32; 2]> = (0..RATE as usize)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                [
                    (std::f32::consts::TAU * 1000.0 * t).sin() * 0.1,
                    (std::f32::consts::TAU * 10_000.0 * t).sin() * 0.2,
                ]
            })
            .collect();
        let b = Spectrum::of(&frames, RATE, 4096).bands();
        assert!(
            (b.mid - 0.2).abs() < 0.01 && (b.high - 0.8).abs() < 0.01,
            "{b}"
        );
    }

    #[test]
    fn levels_and_dc() {
        let tone = sine(100.0, 1.0, 1.0);
        let rms = rms_dbfs(&tone.iter().map(|f| [f[0], f[0]]).collect::<Vec<_>>());
        assert!((rms + 3.01).abs() < 0.05, "{rms}");
        let shifted: Vec<[f32; 2]> = tone.iter().map(|f| [f[0] + 0.1, f[1]]).collect();
        let d = dc(&shifted, RATE);
        assert!((d.mean - 0.05).abs() < 1e-3 && (d.drift - 0.1).abs() < 1e-3);
    }

    #[test]
    fn fingerprints_find_a_loop_and_not_noise() {
        // Noise bursts with a ragged envelope, repeated every 7 s.
        let mut x = 1u32;
        let mut noise = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as f32 / u32::MAX as f32 - 0.5
        };
        let rate = 8_000;
        let seven: Vec<[f32; 2]> = (0..7 * rate)
            .map(|i| {
                let env = ((i / 1700) % 5) as f32 * 0.2 + 0.1;
                let v = noise() * env;
                [v, v]
            })
            .collect();
        let looped: Vec<[f32; 2]> = seven.iter().cycle().take(40 * rate).copied().collect();
        let fp = Fingerprint::of(&looped, rate as u32, 0.1);
        let period = fp.repeat_period(1.0, 10.0, 0.95).expect("repeats");
        // Within a step of the true period.
        assert!((period - 7.0).abs() <= fp.step_seconds, "{period}");
        let fresh: Vec<[f32; 2]> = (0..40 * rate).map(|_| [noise(), noise()]).collect();
        let fp = Fingerprint::of(&fresh, rate as u32, 0.1);
        assert_eq!(fp.repeat_period(1.0, 10.0, 0.95), None);
        assert!(fp.most_alike(1.0, 10.0).1 < 0.5);
    }
}
