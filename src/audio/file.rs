//! Studios' own soundscape files (WAV, FLAC, Ogg Vorbis, MP3 through rodio's
//! decoders), decoded once into memory at the mix's rate and looped with an
//! equal-power crossfade at the seam, so the loop point cannot click.

use std::fs::File;
use std::num::NonZero;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rodio::source::UniformSourceIterator;

/// The longest file accepted as a soundscape: it is held decoded, and a
/// minute of 48 kHz stereo costs 23 MB.
pub const MAX_LENGTH: Duration = Duration::from_secs(3 * 60);
/// How long the end of the file is blended into its start.
pub const SEAM: Duration = Duration::from_secs(2);

/// Why a sound file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// It could not be opened.
    Open(String),
    /// It is not audio rodio can decode.
    Decode(String),
    /// It is too short to loop smoothly, or too long to hold.
    Length(Duration),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Open(e) => write!(f, "cannot open it: {e}"),
            FileError::Decode(e) => {
                write!(f, "cannot decode it as WAV, FLAC, Ogg Vorbis or MP3: {e}")
            }
            FileError::Length(d) => write!(
                f,
                "it lasts {:.1} s; a soundscape file must last between {} s and {} minutes",
                d.as_secs_f32(),
                SEAM.as_secs() * 2,
                MAX_LENGTH.as_secs() / 60
            ),
        }
    }
}

/// A decoded, loop-ready soundscape.
#[derive(Debug, Clone)]
pub struct Loop {
    frames: Arc<Vec<[f32; 2]>>,
    seam: usize,
    pos: usize,
}

impl Loop {
    /// Decodes `path` into stereo frames at `rate`.
    pub fn load(path: &Path, rate: u32) -> Result<Loop, FileError> {
        let file = File::open(path).map_err(|e| FileError::Open(e.to_string()))?;
        let decoder =
            rodio::Decoder::try_from(file).map_err(|e| FileError::Decode(e.to_string()))?;
        let rate_nz = NonZero::new(rate.max(1)).unwrap_or(NonZero::<u32>::MIN);
        let two = NonZero::new(2).unwrap_or(NonZero::<u16>::MIN);
        let limit = (MAX_LENGTH.as_secs_f64() * f64::from(rate)) as usize * 2 + 2;
        let samples: Vec<f32> = UniformSourceIterator::new(decoder, two, rate_nz)
            .take(limit + 1)
            .collect();
        let frames: Vec<[f32; 2]> = samples.chunks_exact(2).map(|c| [c[0], c[1]]).collect();
        Loop::from_frames(frames, rate)
    }

    /// Builds a loop from decoded frames (also used by tests).
    pub fn from_frames(frames: Vec<[f32; 2]>, rate: u32) -> Result<Loop, FileError> {
        let length = Duration::from_secs_f64(frames.len() as f64 / f64::from(rate.max(1)));
        let seam = (SEAM.as_secs_f64() * f64::from(rate)) as usize;
        if frames.len() < seam * 2 || length > MAX_LENGTH {
            return Err(FileError::Length(length));
        }
        Ok(Loop {
            frames: Arc::new(frames),
            seam,
            pos: 0,
        })
    }

    /// The next frame. The loop is `len - seam` frames long: its first `seam`
    /// frames blend the file's start (fading in) with its end (fading out).
    pub fn frame(&mut self) -> [f32; 2] {
        let f = &self.frames;
        let period = f.len() - self.seam;
        let i = self.pos;
        self.pos = (self.pos + 1) % period;
        if i >= self.seam {
            return f[i];
        }
        let x = i as f32 / self.seam as f32;
        let (fade_in, fade_out) = (
            (x * std::f32::consts::FRAC_PI_2).sin(),
            (x * std::f32::consts::FRAC_PI_2).cos(),
        );
        let tail = f[period + i];
        [
            f[i][0] * fade_in + tail[0] * fade_out,
            f[i][1] * fade_in + tail[1] * fade_out,
        ]
    }
}

/// Checks that `path` decodes and has a usable length.
pub fn check(path: &Path) -> Result<(), FileError> {
    // A low rate keeps the check cheap; only decodability and length matter.
    Loop::load(path, 8_000).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rodio::Source;

    const RATE: u32 = 48_000;

    /// A 220 Hz tone whose phase at the end does not match its start: a plain
    /// loop would click at the seam.
    fn tone(seconds: f32) -> Vec<[f32; 2]> {
        (0..(seconds * RATE as f32) as usize)
            .map(|i| {
                let v = 0.3 * (std::f32::consts::TAU * 220.0 * i as f32 / RATE as f32).sin();
                [v, v]
            })
            .collect()
    }

    #[test]
    fn the_seam_is_crossfaded_without_a_click() {
        let mut l = Loop::from_frames(tone(5.3), RATE).expect("long enough");
        let out: Vec<[f32; 2]> = (0..RATE as usize * 12).map(|_| l.frame()).collect();
        let jump = out
            .windows(2)
            .map(|w| (w[1][0] - w[0][0]).abs())
            .fold(0.0f32, f32::max);
        // A 220 Hz sine at 0.3 moves at most 0.0087 a sample.
        assert!(jump < 0.02, "seam jump {jump}");
    }

    #[test]
    fn files_must_be_long_enough_to_loop_and_short_enough_to_hold() {
        assert!(matches!(
            Loop::from_frames(tone(3.0), RATE),
            Err(FileError::Length(_))
        ));
        assert!(Loop::from_frames(tone(4.5), RATE).is_ok());
    }

    #[test]
    fn a_wav_file_round_trips_through_the_decoder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("tone.wav");
        let bell =
            crate::audio::mix::Mix::new(Some(crate::audio::scape::Scape::Drone), 10, false, None)
                .take_duration(Duration::from_secs(5));
        rodio::wav_to_file(bell, &path).expect("wav written");
        check(&path).expect("decodes");
        let l = Loop::load(&path, RATE).expect("loads");
        // Resampling may add a few frames of tail.
        assert!(
            l.frames.len().abs_diff(5 * RATE as usize) < 100,
            "{}",
            l.frames.len()
        );
        std::fs::write(dir.path().join("bad.ogg"), b"not audio").expect("write");
        assert!(matches!(
            check(&dir.path().join("bad.ogg")),
            Err(FileError::Decode(_))
        ));
        assert!(matches!(
            check(&dir.path().join("missing.mp3")),
            Err(FileError::Open(_))
        ));
    }
}
