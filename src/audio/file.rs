//! Studios' own soundscape files (WAV, FLAC, Ogg Vorbis, MP3 through rodio's
//! decoders). A file is looked at before anything decodes it: it must be a
//! regular file (a FIFO would hang, a device never end), no larger than
//! [`MAX_BYTES`], and begin the way a sound file of those kinds begins
//! (random bytes are refused at once). It is then decoded once into memory,
//! counting its true length ([`MIN_LENGTH`] to [`MAX_LENGTH`]), converted to
//! the mix's rate by [`super::resample`], and looped with a crossfade at the
//! seam that keeps the level: the loop point is chosen where the end lines
//! up with the start, and the fade's gains keep the power of the two
//! overlapping parts constant for however alike they are, so neither a
//! tone nor a noise dips or swells there.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::files::{ReadError, open_regular};

/// The longest file accepted as a soundscape: it is held decoded, and a
/// minute of 48 kHz stereo costs 23 MB.
pub const MAX_LENGTH: Duration = Duration::from_secs(3 * 60);
/// How long the end of the file is blended into its start.
pub const SEAM: Duration = Duration::from_secs(2);
/// The shortest file accepted: long enough for the seam at both ends.
pub const MIN_LENGTH: Duration = Duration::from_secs(2 * SEAM.as_secs());
/// The largest file looked at, in bytes. Three minutes of the largest sound
/// a studio is likely to have (96 kHz, 24-bit stereo WAV) is 104 MB;
/// anything over 128 MB is refused before it is read.
pub const MAX_BYTES: u64 = 128_000_000;
/// How far into a file the decoder may read without finding any sound
/// (past tags and cover art) before the file is refused, so a damaged file
/// that begins like a sound file cannot keep it searching for long.
const SEARCH_BYTES: u64 = 16 * 1024 * 1024;
/// No encoder we decode keeps a second of sound in fewer bytes (8 kbit/s is
/// as low as Vorbis and MP3 go, and they need more); a header claiming more
/// seconds than this allows is wrong.
const MIN_BYTES_PER_SECOND: f64 = 500.0;
/// A file's length may overshoot [`MAX_LENGTH`] by this much (encoders pad
/// the last packet).
const LENGTH_SLACK: Duration = Duration::from_millis(500);

/// Why a sound file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// There is no file at the path.
    Missing,
    /// It could not be opened or read (permissions, an I/O error).
    Open(String),
    /// It is a folder, a FIFO, a device or a socket.
    NotRegular(&'static str),
    /// It is larger than [`MAX_BYTES`]; its size in bytes.
    TooLarge(u64),
    /// It does not begin like a WAV, FLAC, Ogg or MP3 file.
    NotSound,
    /// It begins like one, but rodio cannot decode it.
    Decode(String),
    /// It decodes to no sound at all.
    Silent,
    /// It is too short to loop smoothly, or too long to hold.
    Length {
        /// How long it lasts.
        length: Duration,
        /// True if the length is estimated from the file's size (the file
        /// did not say, and decoding stopped once it was clearly too long).
        estimated: bool,
    },
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Missing => write!(f, "cannot open it: there is no such file"),
            FileError::Open(e) => write!(f, "cannot open it: {e}"),
            FileError::NotRegular(kind) => {
                write!(f, "it is {kind}, not a sound file; name a regular file")
            }
            FileError::TooLarge(size) => write!(
                f,
                "it is {:.1} MB; a soundscape file may be at most {} MB \
                 (3 minutes of 96 kHz 24-bit stereo WAV is 104 MB)",
                *size as f64 / 1e6,
                MAX_BYTES / 1_000_000
            ),
            FileError::NotSound => write!(
                f,
                "cannot decode it: it is not a sound file (it does not begin like a WAV, \
                 FLAC, Ogg Vorbis or MP3 file)"
            ),
            FileError::Decode(e) => {
                write!(f, "cannot decode it as WAV, FLAC, Ogg Vorbis or MP3: {e}")
            }
            FileError::Silent => write!(f, "no sound could be decoded from it"),
            FileError::Length { length, estimated } => write!(
                f,
                "it lasts {}{}; a soundscape file must last between {} s and {} minutes",
                if *estimated { "about " } else { "" },
                spoken(*length),
                MIN_LENGTH.as_secs(),
                MAX_LENGTH.as_secs() / 60
            ),
        }
    }
}

impl From<ReadError> for FileError {
    fn from(e: ReadError) -> FileError {
        match e {
            ReadError::NotFound => FileError::Missing,
            ReadError::NotRegular(kind) => FileError::NotRegular(kind),
            ReadError::TooLarge { size, .. } => FileError::TooLarge(size),
            ReadError::Io(e) => FileError::Open(e.to_string()),
        }
    }
}

/// A length as a person says it: "3.0 s", "2 min 5 s", "1 h 12 min".
fn spoken(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        let whole = s.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    } else {
        let minutes = (s / 60.0).round() as u64;
        format!("{} h {} min", minutes / 60, minutes % 60)
    }
}

/// The kinds of file rodio is built to decode here, told by their first
/// bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Wav,
    Flac,
    Ogg,
    Mp3,
}

impl Format {
    /// The kind of file that begins with `head`, if it is one of ours.
    fn sniff(head: &[u8]) -> Option<Format> {
        match head {
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'A',
                b'V',
                b'E',
                ..,
            ] => Some(Format::Wav),
            [b'f', b'L', b'a', b'C', ..] => Some(Format::Flac),
            [b'O', b'g', b'g', b'S', ..] => Some(Format::Ogg),
            [b'I', b'D', b'3', ..] => Some(Format::Mp3),
            // An MPEG audio frame header: the sync bits, a layer, a bitrate
            // and a sample rate that are not the reserved values.
            [0xFF, b1, b2, ..]
                if b1 & 0xE0 == 0xE0
                    && (b1 >> 1) & 3 != 0
                    && b2 >> 4 != 0xF
                    && (b2 >> 2) & 3 != 3 =>
            {
                Some(Format::Mp3)
            }
            _ => None,
        }
    }

    /// The hint that sends the decoder straight to the right reader.
    fn hint(self) -> &'static str {
        match self {
            Format::Wav => "wav",
            Format::Flac => "flac",
            Format::Ogg => "ogg",
            Format::Mp3 => "mp3",
        }
    }
}

/// The file as the decoder reads it: counting the bytes it takes, and
/// failing reads past a budget (lifted once sound is found), so searching a
/// damaged file for sound ends soon.
struct Metered {
    file: File,
    read: Arc<AtomicU64>,
    budget: Arc<AtomicU64>,
}

impl Read for Metered {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.read.load(Ordering::Relaxed);
        if read >= self.budget.load(Ordering::Relaxed) {
            return Err(std::io::Error::other(
                "no sound found in the file's first 16 MiB",
            ));
        }
        let n = self.file.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Seek for Metered {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.file.seek(pos)
    }
}

/// A file decoded at its own rate.
struct Decoded {
    /// Its frames (left and right; a mono file on both), if they were kept.
    frames: Vec<[f32; 2]>,
    /// Its rate in frames a second.
    rate: u32,
}

/// A decoder reading a checked file, metered: how many bytes it has read
/// (`read`), and how many more it may read before it finds any sound
/// (`budget`).
struct Opened {
    decoder: rodio::Decoder<BufReader<Metered>>,
    format: Format,
    size: u64,
    read: Arc<AtomicU64>,
    budget: Arc<AtomicU64>,
}

/// Opens `path` if it is a regular file of a sound format we take, no
/// larger than the cap, and starts a decoder on it.
fn open(path: &Path) -> Result<Opened, FileError> {
    let (mut file, size) = open_regular(path, MAX_BYTES)?;
    let mut head = [0u8; 12];
    let got = read_head(&mut file, &mut head).map_err(|e| FileError::Open(e.to_string()))?;
    let format = Format::sniff(&head[..got]).ok_or(FileError::NotSound)?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| FileError::Open(e.to_string()))?;
    let read = Arc::new(AtomicU64::new(0));
    let budget = Arc::new(AtomicU64::new(SEARCH_BYTES));
    let metered = Metered {
        file,
        read: Arc::clone(&read),
        budget: Arc::clone(&budget),
    };
    let decoder = rodio::Decoder::builder()
        .with_data(BufReader::new(metered))
        .with_byte_len(size)
        .with_seekable(true)
        .with_hint(format.hint())
        .build()
        .map_err(|e| FileError::Decode(e.to_string()))?;
    Ok(Opened {
        decoder,
        format,
        size,
        read,
        budget,
    })
}

/// Opens, checks and decodes `path` at its own rate, keeping the frames if
/// `keep`; refuses it with the reason if it cannot be a soundscape.
fn decode(path: &Path, keep: bool) -> Result<Decoded, FileError> {
    use rodio::Source;
    let mut opened = open(path)?;
    let channels = usize::from(opened.decoder.channels().get());
    let rate = opened.decoder.sample_rate().get();
    // Where the file says how long it is (WAV, FLAC and Ogg say exactly; an
    // MP3's figure is a guess from its size), a file far too long is
    // refused without decoding it. A length the file is too small to hold
    // (a streamed WAV's "unknown", all ones) is not believed: it is decoded
    // to find out.
    let believable = |d: &Duration| d.as_secs_f64() * MIN_BYTES_PER_SECOND <= opened.size as f64;
    if let Some(length) = opened.decoder.total_duration().filter(believable)
        && length > MAX_LENGTH + LENGTH_SLACK
    {
        return Err(FileError::Length {
            length,
            estimated: opened.format == Format::Mp3,
        });
    }
    let (frames, count) = read_frames(&mut opened, channels, rate, keep)?;
    if count == 0 {
        return Err(FileError::Silent);
    }
    let decoder = &opened.decoder;
    if decoder.channels().get() as usize != channels || decoder.sample_rate().get() != rate {
        return Err(FileError::Decode(
            "its channels or sample rate change part-way through".into(),
        ));
    }
    let length = Duration::from_secs_f64(count as f64 / f64::from(rate.max(1)));
    if length < MIN_LENGTH {
        return Err(FileError::Length {
            length,
            estimated: false,
        });
    }
    Ok(Decoded { frames, rate })
}

/// Decodes every frame (stereo; mono doubled), keeping them if `keep`, and
/// counts them; a file found too long part-way is refused with its length
/// judged from the share of its bytes read.
fn read_frames(
    opened: &mut Opened,
    channels: usize,
    rate: u32,
    keep: bool,
) -> Result<(Vec<[f32; 2]>, usize), FileError> {
    let cap = ((MAX_LENGTH + LENGTH_SLACK).as_secs_f64() * f64::from(rate)) as usize;
    let mut frames = Vec::new();
    let mut count = 0usize;
    let mut frame = [0.0f32; 2];
    let mut channel = 0;
    for sample in opened.decoder.by_ref() {
        if count == 0 && channel == 0 {
            // Sound: the rest of the file may be read.
            opened.budget.store(u64::MAX, Ordering::Relaxed);
        }
        if channel < 2 {
            frame[channel] = sample;
        }
        channel += 1;
        if channel < channels {
            continue;
        }
        channel = 0;
        if channels == 1 {
            frame[1] = frame[0];
        }
        if keep {
            frames.push(frame);
        }
        count += 1;
        if count > cap {
            // Too long, and the file did not say by how much: judge the
            // whole from the part read so far.
            let part = count as f64 / f64::from(rate);
            let read = opened.read.load(Ordering::Relaxed).max(1) as f64;
            let share = read / opened.size.max(1) as f64;
            return Err(FileError::Length {
                length: Duration::from_secs_f64(part / share.min(1.0)),
                estimated: true,
            });
        }
    }
    Ok((frames, count))
}

/// Reads up to `head.len()` bytes from the start of `file` (a short file
/// gives fewer).
fn read_head(file: &mut File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// A decoded, loop-ready soundscape.
#[derive(Debug, Clone)]
pub struct Loop {
    /// One pass of the loop; its first [`SEAM`] already holds the blend of
    /// the file's end into its start.
    frames: Arc<Vec<[f32; 2]>>,
    pos: usize,
}

impl Loop {
    /// Decodes `path` into stereo frames at `rate`.
    pub fn load(path: &Path, rate: u32) -> Result<Loop, FileError> {
        let decoded = decode(path, true)?;
        let frames = super::resample::resample(&decoded.frames, decoded.rate, rate);
        Loop::from_frames(frames, rate)
    }

    /// Builds a loop from decoded frames at `rate` (also used by tests).
    ///
    /// The seam: of the loop lengths within 50 ms of the longest, the one
    /// whose end lines up best with the start is taken (a tone's cycles then
    /// meet in phase), and the file's end is blended into its start over
    /// [`SEAM`] with gains that keep the power constant for how alike the
    /// two parts turned out to be.
    pub fn from_frames(mut frames: Vec<[f32; 2]>, rate: u32) -> Result<Loop, FileError> {
        let rate = rate.max(1);
        let length = Duration::from_secs_f64(frames.len() as f64 / f64::from(rate));
        if length < MIN_LENGTH || length > MAX_LENGTH + LENGTH_SLACK {
            return Err(FileError::Length {
                length,
                estimated: false,
            });
        }
        let seam = (SEAM.as_secs_f64() * f64::from(rate)) as usize;
        let longest = frames.len() - seam;
        let search = (rate as usize / 20).min(longest - seam);
        let period = (longest - search..=longest)
            .rev()
            .map(|p| (p, alike(&frames, p, seam / 2, rate as usize / 10)))
            .fold(
                (longest, f32::MIN),
                |best, (p, r)| {
                    if r > best.1 { (p, r) } else { best }
                },
            )
            .0;
        let r = alike(&frames, period, seam / 2, seam).clamp(0.0, 1.0);
        for i in 0..seam {
            let x = i as f32 / seam as f32 * std::f32::consts::FRAC_PI_2;
            let (fade_in, fade_out) = (x.sin(), x.cos());
            // Two parts alike by r add to a power of a^2 + b^2 + 2 r a b:
            // scaling by its root keeps it 1 (sine and cosine for unrelated
            // sound, a straight line for the same sound).
            let g = (1.0 + 2.0 * r * fade_in * fade_out).sqrt().recip();
            let (a, b) = (fade_in * g, fade_out * g);
            let tail = frames[period + i];
            let head = &mut frames[i];
            head[0] = head[0] * a + tail[0] * b;
            head[1] = head[1] * a + tail[1] * b;
        }
        frames.truncate(period);
        Ok(Loop {
            frames: Arc::new(frames),
            pos: 0,
        })
    }

    /// How many frames one pass of the loop lasts.
    pub fn period(&self) -> usize {
        self.frames.len()
    }

    /// The next frame.
    pub fn frame(&mut self) -> [f32; 2] {
        let f = self.frames[self.pos];
        self.pos += 1;
        if self.pos == self.frames.len() {
            self.pos = 0;
        }
        f
    }
}

/// How alike the `len` frames centred on `centre` are to those `period`
/// frames later: their normalised correlation over both channels (1 the
/// same, 0 unrelated, -1 opposite).
fn alike(frames: &[[f32; 2]], period: usize, centre: usize, len: usize) -> f32 {
    let start = centre.saturating_sub(len / 2);
    let end = (start + len).min(frames.len() - period);
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (a, b) in frames[start..end].iter().zip(&frames[start + period..]) {
        for ch in 0..2 {
            let (a, b) = (f64::from(a[ch]), f64::from(b[ch]));
            ab += a * b;
            aa += a * a;
            bb += b * b;
        }
    }
    if aa > 0.0 && bb > 0.0 {
        (ab / (aa * bb).sqrt()) as f32
    } else {
        0.0
    }
}

/// Checks that `path` is a sound file stillpoint can loop: a regular file of
/// a sensible size that decodes, with a usable length. It decodes the whole
/// file once at its own rate, keeping nothing.
pub fn check(path: &Path) -> Result<(), FileError> {
    decode(path, false).map(|_| ())
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
        assert!(jump < 0.0095, "seam jump {jump}");
    }

    #[test]
    fn files_must_be_long_enough_to_loop_and_short_enough_to_hold() {
        assert!(matches!(
            Loop::from_frames(tone(3.0), RATE),
            Err(FileError::Length { .. })
        ));
        assert!(Loop::from_frames(tone(4.5), RATE).is_ok());
        assert!(Loop::from_frames(tone(4.0), RATE).is_ok());
    }

    #[test]
    fn lengths_are_said_the_way_people_say_them() {
        assert_eq!(spoken(Duration::from_millis(3_040)), "3.0 s");
        assert_eq!(spoken(Duration::from_secs(600)), "10 min 0 s");
        assert_eq!(spoken(Duration::from_secs(4_330)), "1 h 12 min");
        let e = FileError::Length {
            length: Duration::from_secs(600),
            estimated: false,
        };
        assert_eq!(
            e.to_string(),
            "it lasts 10 min 0 s; a soundscape file must last between 4 s and 3 minutes"
        );
    }

    #[test]
    fn first_bytes_tell_the_kind_of_file() {
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WAVEfmt "), Some(Format::Wav));
        assert_eq!(Format::sniff(b"fLaC\0\0\0\x22"), Some(Format::Flac));
        assert_eq!(Format::sniff(b"OggS\0\x02"), Some(Format::Ogg));
        assert_eq!(Format::sniff(b"ID3\x04\0"), Some(Format::Mp3));
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
        assert_eq!(Format::sniff(&[0xFF, 0xFB, 0x90, 0x64]), Some(Format::Mp3));
        // The sync bits with a reserved sample rate are noise.
        assert_eq!(Format::sniff(&[0xFF, 0xFB, 0x9C, 0x64]), None);
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0AVI "), None);
        assert_eq!(Format::sniff(b"<html>"), None);
        assert_eq!(Format::sniff(b""), None);
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
        // The loop is the file (give or take a few frames of the encoder's)
        // less the seam, and up to 50 ms less to line its end up with its
        // start.
        let expected = 3 * RATE as usize;
        assert!(
            l.period() <= expected + 100 && l.period() + RATE as usize / 20 >= expected,
            "{}",
            l.period()
        );
        std::fs::write(dir.path().join("bad.ogg"), b"not audio").expect("write");
        assert_eq!(check(&dir.path().join("bad.ogg")), Err(FileError::NotSound));
        assert_eq!(
            check(&dir.path().join("missing.mp3")),
            Err(FileError::Missing)
        );
    }
}
