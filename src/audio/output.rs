//! One open output stream playing one [`Mix`], built on cpal (the backend
//! rodio itself uses) so the audio callback fills whole buffers straight from
//! the mix. rodio's own device sink pulls every sample through a general
//! mixer, a rate converter and a channel poll; for a single source that costs
//! more than synthesising the soundscape.
//!
//! Bells ring on short-buffered ones (a bell starts within tens of
//! milliseconds of being asked); where the bed cannot be played natively
//! (`native.rs`), it plays on a long-buffered one.
//!
//! A cue the session foresees is placed on its sample from the callback's
//! own timestamps: the first frame of each buffer is heard `playback -
//! callback` after the callback runs. Commands reach the callback over a
//! channel it empties at its start, so nothing in it blocks.
//!
//! A lost device is reported by the error callback, never found by polling.
//! ALSA's PulseAudio plugin says nothing useful when the server dies: its
//! poll fails at once, over and over (hundreds of thousands of
//! `BackendError`s a second) and the data callback is never called again.
//! A burst of errors with no data callback between them is taken for loss.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use rodio::cpal;
use rodio::cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rodio::cpal::{FromSample, SizedSample};

use super::mix::{Mix, MixCommand};
use crate::clock::{Clock, Moment, SystemClock};

/// Backend errors in a row, with no data callback between them, that mean
/// the device is gone (a dead server's flood passes this in a millisecond;
/// a passing complaint at start-up does not).
const ERROR_BURST: u32 = 2_000;

/// When the latest cue reached the speaker, as the backend reports it.
#[derive(Debug)]
pub struct Onsets {
    clock: SystemClock,
    /// Microseconds on `clock`, plus one (zero: none yet).
    last: AtomicU64,
}

impl Onsets {
    /// A record on `clock`'s timeline.
    pub fn new(clock: SystemClock) -> Onsets {
        Onsets {
            clock,
            last: AtomicU64::new(0),
        }
    }

    /// The clock the onsets are on.
    pub fn clock(&self) -> &SystemClock {
        &self.clock
    }

    /// When the latest cue's first sample was due at the output (`None`
    /// before any cue has played).
    pub fn last(&self) -> Option<Moment> {
        match self.last.load(Ordering::Relaxed) {
            0 => None,
            us => Some(Moment::from_origin(Duration::from_micros(us - 1))),
        }
    }

    fn record(&self, ahead: Duration) {
        let at = self.clock.now() + ahead;
        self.last.store(micros_plus_one(at), Ordering::Relaxed);
    }
}

/// A moment as an atomic can hold it: microseconds plus one, so that zero
/// can mean "never".
fn micros_plus_one(at: Moment) -> u64 {
    u64::try_from(at.since_origin().as_micros())
        .unwrap_or(u64::MAX - 1)
        .saturating_add(1)
}

/// What the callback is told.
#[derive(Debug, Clone, Copy)]
pub(super) enum ToFeed {
    /// A command for the mix, carried out at the next buffer.
    Now(MixCommand),
    /// A command for the frame heard at this moment.
    At(Moment, MixCommand),
}

/// What is called, once, when an output's device is lost.
pub(super) type Lost = Box<dyn FnOnce() + Send>;

/// An open output and the channel into the mix it plays.
pub(super) struct Output {
    stream: cpal::Stream,
    feed: Sender<ToFeed>,
    failed: Arc<AtomicBool>,
    /// When the stream was opened.
    opened: Moment,
    /// The frames the device buffers, at its rate.
    buffered: Duration,
    paused: bool,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("failed", &self.failed())
            .field("buffered", &self.buffered)
            .finish_non_exhaustive()
    }
}

/// The device called `name` (see [`super::devices::find`]), or the
/// default output.
pub(super) fn device(name: Option<&str>) -> Option<cpal::Device> {
    match name {
        None => cpal::default_host().default_output_device(),
        Some(name) => super::devices::find(name),
    }
}

impl Output {
    /// Opens `device` with a period of `period` frames and plays the mix
    /// `make` builds for the device's sample rate. A real loss of the device
    /// later marks this output failed and calls `lost`; nothing is printed.
    pub(super) fn open(
        device: &cpal::Device,
        period: u32,
        onsets: &Arc<Onsets>,
        lost: Lost,
        make: impl FnOnce(u32) -> Mix,
    ) -> Option<Output> {
        let supported = device.default_output_config().ok()?;
        let mut config = supported.config();
        config.buffer_size = cpal::BufferSize::Fixed(period);
        let rate = config.sample_rate.max(1);
        let (tx, rx) = mpsc::channel();
        let mix = make(config.sample_rate);
        let errors = Arc::new(AtomicU32::new(0));
        let feed = Feed {
            mix,
            commands: rx,
            pending: Vec::new(),
            onsets: Arc::clone(onsets),
            rate,
            errors: Arc::clone(&errors),
        };
        let failed = Arc::new(AtomicBool::new(false));
        let on_error = {
            let failed = Arc::clone(&failed);
            let mut lost = Some(lost);
            move |e: cpal::Error| {
                use cpal::ErrorKind as K;
                // An underrun is recovered by the backend and is not a loss.
                let gone = match e.kind() {
                    K::DeviceNotAvailable | K::HostUnavailable | K::StreamInvalidated => true,
                    K::BackendError => errors.fetch_add(1, Ordering::Relaxed) + 1 >= ERROR_BURST,
                    _ => false,
                };
                if gone
                    && !failed.swap(true, Ordering::Relaxed)
                    && let Some(lost) = lost.take()
                {
                    lost();
                }
            }
        };
        use cpal::SampleFormat as F;
        let stream = match supported.sample_format() {
            F::I16 => build::<i16>(device, config, feed, on_error),
            F::I32 => build::<i32>(device, config, feed, on_error),
            F::U8 => build::<u8>(device, config, feed, on_error),
            F::U16 => build::<u16>(device, config, feed, on_error),
            F::F64 => build::<f64>(device, config, feed, on_error),
            _ => build::<f32>(device, config, feed, on_error),
        }
        .ok()?;
        stream.play().ok()?;
        Some(Output {
            stream,
            feed: tx,
            failed,
            opened: onsets.clock.now(),
            buffered: Duration::from_secs_f64(2.0 * f64::from(period) / f64::from(rate)),
            paused: false,
        })
    }

    /// Passes a command to this output's mix.
    pub(super) fn send(&self, command: MixCommand) {
        let _ = self.feed.send(ToFeed::Now(command));
    }

    /// Places a command on the frame heard at `at` (at once if that has
    /// passed). False if the stream is paused.
    pub(super) fn schedule(&self, at: Moment, command: MixCommand) -> bool {
        !self.paused && self.feed.send(ToFeed::At(at, command)).is_ok()
    }

    /// Whether a frame heard at `at` is filled late enough for the stream's
    /// timestamps to be trusted: while a long buffer is first filled they
    /// run ahead of the truth.
    pub(super) fn settled_by(&self, at: Moment) -> bool {
        at >= self.opened + self.buffered * 2 + Duration::from_millis(100)
    }

    /// What was asked for and granted, in words.
    pub(super) fn describe(&self, asked: u32) -> String {
        let granted = self
            .stream
            .buffer_size()
            .map_or_else(|_| "unknown".to_owned(), |n| n.to_string());
        format!(
            "cpal {}: asked a period of {asked} frames, granted {granted}",
            cpal::default_host().id().name()
        )
    }

    /// How much audio the device holds.
    pub(super) fn latency(&self) -> Duration {
        self.buffered
    }

    /// Stops the device taking samples (true), or starts it again.
    pub(super) fn pause(&mut self, pause: bool) {
        if self.paused != pause {
            self.paused = pause;
            let _ = if pause {
                self.stream.pause()
            } else {
                self.stream.play()
            };
        }
    }

    /// True once the device has gone away under this stream.
    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

/// What the audio callback owns: the mix, the commands coming in, and the
/// counters the rest of the program reads.
struct Feed {
    mix: Mix,
    commands: Receiver<ToFeed>,
    /// Commands for moments later than the buffers filled so far.
    pending: Vec<(Moment, MixCommand)>,
    onsets: Arc<Onsets>,
    rate: u32,
    /// Backend errors since the last data callback.
    errors: Arc<AtomicU32>,
}

impl Feed {
    /// Takes the commands that came in, and places those due within the
    /// `frames` about to be filled, whose first is heard `ahead` from now.
    fn prepare(&mut self, frames: usize, ahead: Duration) {
        while let Ok(c) = self.commands.try_recv() {
            match c {
                ToFeed::Now(MixCommand::Unschedule) => {
                    self.pending.clear();
                    self.mix.apply(MixCommand::Unschedule);
                }
                ToFeed::Now(c) => self.mix.apply(c),
                ToFeed::At(at, c) => self.pending.push((at, c)),
            }
        }
        if self.pending.is_empty() {
            return;
        }
        let first = self.onsets.clock.now() + ahead;
        let span = Duration::from_secs_f64(frames as f64 / f64::from(self.rate));
        let pos = self.mix.position();
        let mix = &mut self.mix;
        self.pending.retain(|(at, c)| {
            if *at >= first + span {
                return true;
            }
            // A moment already past starts at once.
            mix.apply_at(pos + mix.frames_in(at.since(first)), *c);
            false
        });
    }
}

fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut feed: Feed,
    on_error: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = usize::from(config.channels.max(1));
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
            feed.errors.store(0, Ordering::Relaxed);
            // The buffer reaches the speaker `playback - callback` after now.
            let t = info.timestamp();
            let queued = t.playback.duration_since(t.callback);
            feed.prepare(data.len() / channels, queued);
            if let Some(frame) = fill(&mut feed.mix, data, channels) {
                // The cue begins `frame` samples into the buffer.
                let into = Duration::from_secs_f64(frame as f64 / f64::from(feed.rate));
                feed.onsets.record(queued + into);
            }
        },
        on_error,
        None,
    )
}
/// Fills an interleaved buffer of `channels` channels from the stereo mix:
/// mono gets the average, extra channels silence. Returns the frame at which
/// a new cue began, if one did.
fn fill<T: SizedSample + FromSample<f32>>(
    mix: &mut Mix,
    data: &mut [T],
    channels: usize,
) -> Option<usize> {
    let silence = T::from_sample(0.0f32);
    let mut block = [[0.0f32; 2]; 512];
    let mut onset = None;
    let mut at = 0;
    for chunk in data.chunks_mut(channels * block.len()) {
        let frames = &mut block[..chunk.len().div_ceil(channels)];
        mix.fill(frames);
        if let Some(o) = mix.take_onset() {
            onset = onset.or(Some(at + o));
        }
        at += frames.len();
        for (frame, [l, r]) in chunk.chunks_mut(channels).zip(frames.iter()) {
            match frame {
                [m] => *m = T::from_sample(0.5 * (l + r)),
                [a, b, rest @ ..] => {
                    *a = T::from_sample(*l);
                    *b = T::from_sample(*r);
                    rest.fill(silence);
                }
                [] => {}
            }
        }
    }
    onset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Bed;
    use crate::audio::scape::Scape;
    use rodio::cpal::Sample;

    #[test]
    fn buffers_are_filled_for_any_channel_count() {
        let mut a = Mix::with_bed(Some(Bed::Scape(Scape::Surf)), 10, false, None, 48_000);
        let mut b = Mix::with_bed(Some(Bed::Scape(Scape::Surf)), 10, false, None, 48_000);
        let mut stereo = vec![0.0f32; 2 * 4800];
        let mut quad = vec![1.0f32; 4 * 4800];
        fill(&mut a, &mut stereo, 2);
        fill(&mut b, &mut quad, 4);
        for (s, q) in stereo.chunks(2).zip(quad.chunks(4)) {
            assert_eq!(s, &q[..2]);
            assert_eq!(&q[2..], &[0.0, 0.0]);
        }
        assert!(stereo.iter().any(|s| s.abs() > 1e-4), "the bed is audible");
        let mut mono = vec![0i16; 4800];
        let mut c = Mix::with_bed(Some(Bed::Scape(Scape::Surf)), 10, false, None, 48_000);
        fill(&mut c, &mut mono, 1);
        for (m, s) in mono.iter().zip(stereo.chunks(2)) {
            let want: i16 = (0.5 * (s[0] + s[1])).to_sample();
            assert!((i32::from(*m) - i32::from(want)).abs() <= 1);
        }
    }
}
