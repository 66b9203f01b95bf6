//! Sample-rate conversion for studios' sound files: band-limited
//! interpolation with a Kaiser-windowed sinc, so a file made at 8 kHz plays
//! at the device's 48 kHz as a smooth curve, not in steps, and a 96 kHz file
//! is filtered before it is thinned, so nothing folds back into the audible
//! band.
//!
//! rodio 0.23's own converter interpolates linearly and drops samples when
//! going down, which is why this exists. It runs once, when a file is
//! loaded, over the whole file in memory; nothing here runs while playing.

use std::f64::consts::PI;

/// Zero crossings of the sinc on each side of a tap: more gives a sharper
/// band edge for more work.
const ZERO_CROSSINGS: f64 = 16.0;
/// The Kaiser window's shape: about 80 dB of stopband.
const BETA: f64 = 8.0;
/// The passband ends this far up to the lower of the two Nyquist
/// frequencies, leaving the rest for the filter to roll off.
const PASSBAND: f64 = 0.92;
/// The most fractional positions kept in the kernel table. Rates whose
/// ratio needs no more (8 → 48 kHz needs 6; 44.1 → 48 kHz needs 160) are
/// exact; others interpolate between neighbouring positions.
const MAX_PHASES: usize = 1024;

/// `frames` at `from` Hz, converted to `to` Hz. The edges are taken as
/// silence beyond the file, so the first and last few milliseconds are
/// shaped by the filter (the loop's crossfade covers both).
pub fn resample(frames: &[[f32; 2]], from: u32, to: u32) -> Vec<[f32; 2]> {
    if from == to || from == 0 || to == 0 || frames.is_empty() {
        return frames.to_vec();
    }
    let g = gcd(from, to);
    // Output frame n sits at input position n * down / up.
    let (up, down) = (u64::from(to / g), u64::from(from / g));
    // The cutoff, in cycles per input sample.
    let cutoff = 0.5 * PASSBAND * (up as f64 / down as f64).min(1.0);
    let half = (ZERO_CROSSINGS / (2.0 * cutoff)).ceil() as usize;
    let phases = (up as usize).min(MAX_PHASES);
    let table = Kernel::new(cutoff, half, phases);
    let out_len = (frames.len() as u64 * up).div_ceil(down) as usize;
    let mut out = Vec::with_capacity(out_len);
    let mut scratch = vec![0.0f32; 2 * half];
    for n in 0..out_len as u64 {
        let pos = n * down;
        let i = (pos / up) as usize;
        let taps = table.taps(pos % up, up, &mut scratch);
        // Tap k weighs input frame i - half + 1 + k; those beyond the file
        // are silence.
        let first = i as isize - half as isize + 1;
        let lo = (-first).max(0) as usize;
        let hi = taps
            .len()
            .min((frames.len() as isize - first).max(0) as usize);
        let mut acc = [0.0f32; 2];
        if lo < hi {
            let start = (first + lo as isize) as usize;
            for (t, f) in taps[lo..hi].iter().zip(&frames[start..]) {
                acc[0] += t * f[0];
                acc[1] += t * f[1];
            }
        }
        out.push(acc);
    }
    out
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The filter's taps for each fractional position of an output sample
/// between two input samples.
struct Kernel {
    /// `phases + 1` rows of `2 * half` taps; row p is for position
    /// p / phases (the last row, position 1, lets the one before it be
    /// interpolated).
    rows: Vec<Vec<f32>>,
    phases: u64,
}

impl Kernel {
    fn new(cutoff: f64, half: usize, phases: usize) -> Kernel {
        let rows = (0..=phases)
            .map(|p| {
                let frac = p as f64 / phases as f64;
                let mut taps: Vec<f64> = (0..2 * half)
                    .map(|k| {
                        // Tap k weighs input frame i - half + 1 + k, which
                        // lies this far from the output position.
                        let x = k as f64 - half as f64 + 1.0 - frac;
                        2.0 * cutoff * sinc(2.0 * cutoff * x) * kaiser(x / half as f64)
                    })
                    .collect();
                // Unity gain at DC for every position, so a steady level
                // does not ripple with the position.
                let sum: f64 = taps.iter().sum();
                taps.iter_mut().for_each(|t| *t /= sum);
                taps.into_iter().map(|t| t as f32).collect()
            })
            .collect();
        Kernel {
            rows,
            phases: phases as u64,
        }
    }

    /// The taps for the position `rem / up` of the way from one input frame
    /// to the next: a row of the table when the position falls on one (always,
    /// when the table has `up` rows), else a mix of the two around it, made
    /// in `scratch`.
    fn taps<'a>(&'a self, rem: u64, up: u64, scratch: &'a mut [f32]) -> &'a [f32] {
        let x = rem * self.phases;
        let p = (x / up) as usize;
        let mu = (x % up) as f32 / up as f32;
        if mu == 0.0 {
            return &self.rows[p];
        }
        let (a, b) = (&self.rows[p], &self.rows[p + 1]);
        for ((m, a), b) in scratch.iter_mut().zip(a).zip(b) {
            *m = a + (b - a) * mu;
        }
        scratch
    }
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

/// The Kaiser window at `u` in [-1, 1] (zero outside).
fn kaiser(u: f64) -> f64 {
    if u.abs() >= 1.0 {
        return 0.0;
    }
    bessel_i0(BETA * (1.0 - u * u).sqrt()) / bessel_i0(BETA)
}

/// The modified Bessel function of the first kind, order 0, by its power
/// series (which converges fast for the arguments a window needs).
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..64 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, seconds: f64) -> Vec<[f32; 2]> {
        (0..(seconds * f64::from(rate)) as usize)
            .map(|i| {
                let v = (0.5 * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()) as f32;
                [v, -v]
            })
            .collect()
    }

    /// The largest difference from the ideal sine, away from the edges.
    fn error(out: &[[f32; 2]], freq: f64, rate: u32) -> f32 {
        let edge = rate as usize / 20;
        out[edge..out.len() - edge]
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let t = (i + edge) as f64 / f64::from(rate);
                let ideal = (0.5 * (2.0 * PI * freq * t).sin()) as f32;
                (f[0] - ideal).abs().max((f[1] + ideal).abs())
            })
            .fold(0.0, f32::max)
    }

    #[test]
    fn common_rates_convert_cleanly_both_ways() {
        for (from, to, freq) in [
            (8_000, 48_000, 1_000.0),
            (8_000, 48_000, 3_000.0),
            (22_050, 48_000, 440.0),
            (44_100, 48_000, 10_000.0),
            (48_000, 44_100, 440.0),
            (96_000, 48_000, 5_000.0),
        ] {
            let out = resample(&sine(freq, from, 1.0), from, to);
            let expected = (f64::from(to) * 1.0).ceil() as usize;
            assert!(
                out.len().abs_diff(expected) <= 1,
                "{from}->{to}: {}",
                out.len()
            );
            // Within -60 dB of a 0.5 sine.
            let e = error(&out, freq, to);
            assert!(e < 5e-4, "{from}->{to} at {freq} Hz: error {e}");
        }
    }

    #[test]
    fn going_down_filters_what_the_new_rate_cannot_hold() {
        // 30 kHz at 96 kHz has no place at 48 kHz: it must vanish, not fold
        // back to 18 kHz.
        let out = resample(&sine(30_000.0, 96_000, 0.5), 96_000, 48_000);
        let edge = 2_400;
        let peak = out[edge..out.len() - edge]
            .iter()
            .fold(0.0f32, |m, f| m.max(f[0].abs()));
        assert!(peak < 1e-3, "{peak}");
    }

    #[test]
    fn the_same_rate_is_left_alone() {
        let s = sine(100.0, 8_000, 0.1);
        assert_eq!(resample(&s, 8_000, 8_000), s);
        assert!(resample(&[], 8_000, 48_000).is_empty());
    }
}
