//! The soundscapes and studio files, measured offline with no sound device:
//! where their energy lies, their level and DC, whether they repeat, the
//! drops in the rain, and files decoded, resampled and looped.
//!
//! `figures` prints the table the README and the audio commits quote; it is
//! slow in a debug build, so it is ignored by default:
//! `cargo test --release --test it sound_beds::figures -- --ignored --nocapture`.

use stillpoint::audio::analysis::{self, Fingerprint, Spectrum};
use stillpoint::audio::scape::{Generator, Scape};

/// Renders `seconds` of `scape` at `rate`, straight from the generator (no
/// fade-in, no volume), in the blocks the audio callback uses.
fn render(scape: Scape, rate: u32, seconds: f64) -> Vec<[f32; 2]> {
    let mut g = Generator::new(scape, rate);
    let mut out = vec![[0.0f32; 2]; (seconds * f64::from(rate)) as usize];
    for block in out.chunks_mut(1024) {
        g.fill(block);
    }
    out
}

#[test]
#[ignore = "slow in a debug build; run with --release -- --ignored --nocapture"]
fn figures() {
    const RATE: u32 = 48_000;
    for scape in Scape::ALL {
        let frames = render(scape, RATE, 660.0);
        let bands = Spectrum::of(&frames, RATE, 16_384).bands();
        let dc = analysis::dc(&frames, RATE);
        let fp = Fingerprint::of(&frames, RATE, 0.1);
        let (lag, likeness) = fp.most_alike(20.0, 60.0);
        let period = fp.repeat_period(20.0, 60.0, 0.9);
        println!(
            "{:<5} {bands}\n      RMS {:.1} dBFS, peak {:.1} dBFS, largest step {:.4}, \
             DC {:+.5} (1-s drift up to {:.4}), most alike at {lag:.1} s ({likeness:.3}), \
             repeats every {}",
            scape.name(),
            analysis::rms_dbfs(&frames),
            analysis::peak_dbfs(&frames),
            analysis::max_jump(&frames),
            dc.mean,
            dc.drift,
            period.map_or("— (not within 10 min)".to_string(), |p| format!(
                "{p:.1} s"
            )),
        );
    }
}
