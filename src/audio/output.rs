//! One open output stream playing one [`Mix`], built on cpal (the backend
//! rodio itself uses) so the audio callback fills whole buffers straight from
//! the mix. rodio's own device sink pulls every sample through a general
//! mixer, a rate converter and a channel poll; for a single source that costs
//! more than synthesising the soundscape.
//!
//! Two of these play a session: the bed on a long buffer (few wake-ups for
//! the machine and the sound server) and, while a bell rings, the cues on a
//! short one (so a bell starts within tens of milliseconds of being asked).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use rodio::cpal;
use rodio::cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rodio::cpal::{FromSample, SizedSample};

use super::AudioState;
use super::mix::{Mix, MixCommand};
use crate::clock::{Clock, Moment, SystemClock};

/// How long an open stream may go without asking for samples before it is
/// taken for dead. ALSA's PulseAudio plugin reports nothing when the sound
/// server dies: cpal's writer thread then spins on a poll that returns at once
/// and never calls back, so silence from the callback is the only sign.
pub(super) const STALL: Duration = Duration::from_secs(1);

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

/// An open output and the channel into the mix it plays.
pub(super) struct Output {
    _stream: cpal::Stream,
    mix: Sender<MixCommand>,
    failed: Arc<AtomicBool>,
    /// When the device last asked for a buffer (microseconds on the onset
    /// clock, plus one; zero: not yet).
    last_callback: Arc<AtomicU64>,
    /// When the stream was opened.
    opened: Moment,
    /// The output's period: a stream is stalled after three without a callback.
    period: Duration,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("failed", &self.failed())
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
    /// later marks this output failed and the shared `state` lost; nothing is
    /// printed.
    pub(super) fn open(
        device: &cpal::Device,
        period: u32,
        state: &Arc<AtomicU8>,
        onsets: &Arc<Onsets>,
        make: impl FnOnce(u32, mpsc::Receiver<MixCommand>) -> Mix,
    ) -> Option<Output> {
        let supported = device.default_output_config().ok()?;
        let mut config = supported.config();
        config.buffer_size = cpal::BufferSize::Fixed(period);
        let rate = config.sample_rate.max(1);
        let (tx, rx) = mpsc::channel();
        let mix = make(config.sample_rate, rx);
        let last_callback = Arc::new(AtomicU64::new(0));
        let feed = Feed {
            mix,
            last_callback: Arc::clone(&last_callback),
            onsets: Arc::clone(onsets),
            rate,
        };
        let failed = Arc::new(AtomicBool::new(false));
        let on_error = {
            let failed = Arc::clone(&failed);
            let state = Arc::clone(state);
            move |e: cpal::Error| {
                use cpal::ErrorKind as K;
                // An underrun is recovered by the backend and is not a loss.
                if matches!(
                    e.kind(),
                    K::DeviceNotAvailable | K::HostUnavailable | K::StreamInvalidated
                ) {
                    failed.store(true, Ordering::Relaxed);
                    state.store(AudioState::Lost.to_u8(), Ordering::Relaxed);
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
            _stream: stream,
            mix: tx,
            failed,
            last_callback,
            opened: onsets.clock.now(),
            period: Duration::from_secs_f64(f64::from(period) / f64::from(rate)),
        })
    }

    /// Checks that the device is still taking samples; a stream that has
    /// not called back for [`STALL`] (or three periods) is marked failed and
    /// `state` lost.
    pub(super) fn check(&self, now: Moment, state: &AtomicU8) -> bool {
        let last = match self.last_callback.load(Ordering::Relaxed) {
            0 => self.opened,
            us => Moment::from_origin(Duration::from_micros(us - 1)),
        };
        if now.since(last) >= STALL.max(self.period * 3) {
            self.failed.store(true, Ordering::Relaxed);
            state.store(AudioState::Lost.to_u8(), Ordering::Relaxed);
        }
        !self.failed()
    }

    /// Passes a command to this output's mix.
    pub(super) fn send(&self, command: MixCommand) {
        let _ = self.mix.send(command);
    }

    /// True once the device has gone away under this stream.
    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

/// What the audio callback owns: the mix, and the counters the device thread
/// reads.
struct Feed {
    mix: Mix,
    last_callback: Arc<AtomicU64>,
    onsets: Arc<Onsets>,
    rate: u32,
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
            feed.last_callback
                .store(micros_plus_one(feed.onsets.clock.now()), Ordering::Relaxed);
            if let Some(frame) = fill(&mut feed.mix, data, channels) {
                // The buffer reaches the speaker `playback - callback` after
                // now; the cue begins `frame` samples into it.
                let t = info.timestamp();
                let queued = t.playback.duration_since(t.callback);
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
