//! Sound: the [`Audio`] trait the shell plays cues through, a silent
//! [`RecordingAudio`] for tests and `--no-audio`, and [`DeviceAudio`], which owns
//! the output device on its own thread.
//!
//! The device thread opens an output stream only while a cue sounds and closes
//! it a few seconds later: an open stream wakes the CPU (and the sound server)
//! hundreds of times a second even when it plays silence, and a session lasts an
//! hour on battery. Nothing here prints; failures only change the
//! [`AudioState`] the status line shows.

pub mod bell;
pub mod file;
pub mod mix;
pub mod scape;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::{Clock, Moment, SystemClock};
use crate::engine::Cue;
use mix::{Mix, MixCommand};
use scape::Scape;

/// The background sound to play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bed {
    /// A built-in soundscape.
    Scape(Scape),
    /// A studio's own sound file, looped.
    File(std::path::PathBuf),
}

/// Whether sound is reaching the room, as the status line words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioState {
    /// Still looking for an output device.
    Probing,
    /// Sound was switched off with `--no-audio`.
    Disabled,
    /// No output device could be opened; the session runs silent.
    NoDevice,
    /// An output device is available.
    On,
    /// The device failed mid-session; it is retried at the next cue.
    Lost,
}

impl AudioState {
    /// The words on the status line.
    pub fn label(&self) -> &'static str {
        match self {
            AudioState::Probing => "audio starting",
            AudioState::Disabled => "audio off (--no-audio)",
            AudioState::NoDevice => "audio off — no output device",
            AudioState::On => "audio on",
            AudioState::Lost => "audio off — output lost",
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            AudioState::Probing => 0,
            AudioState::Disabled => 1,
            AudioState::NoDevice => 2,
            AudioState::On => 3,
            AudioState::Lost => 4,
        }
    }

    fn from_u8(v: u8) -> AudioState {
        match v {
            1 => AudioState::Disabled,
            2 => AudioState::NoDevice,
            3 => AudioState::On,
            4 => AudioState::Lost,
            _ => AudioState::Probing,
        }
    }
}

/// Where cues and soundscape changes go.
pub trait Audio {
    /// Passes a command to the mix; never blocks and never fails loudly.
    fn send(&mut self, command: MixCommand);
    /// Whether sound is reaching the room.
    fn state(&self) -> AudioState;
    /// Sounds a cue.
    fn play(&mut self, cue: Cue) {
        self.send(MixCommand::Cue(cue));
    }
}

/// A silent implementation that records every command, for tests and
/// `--no-audio`.
#[derive(Debug)]
pub struct RecordingAudio {
    sent: Vec<MixCommand>,
    state: AudioState,
}

impl RecordingAudio {
    /// A recorder that reports `state`.
    pub fn new(state: AudioState) -> RecordingAudio {
        RecordingAudio {
            sent: Vec::new(),
            state,
        }
    }

    /// Every command received, in order.
    pub fn sent(&self) -> &[MixCommand] {
        &self.sent
    }

    /// The cues received, in order.
    pub fn played(&self) -> Vec<Cue> {
        self.sent
            .iter()
            .filter_map(|c| match c {
                MixCommand::Cue(cue) => Some(*cue),
                _ => None,
            })
            .collect()
    }
}

impl Audio for RecordingAudio {
    fn send(&mut self, command: MixCommand) {
        self.sent.push(command);
    }

    fn state(&self) -> AudioState {
        self.state
    }
}

/// What the device thread is asked to do.
#[derive(Debug)]
enum Command {
    Mix(MixCommand),
    Shutdown,
}

/// How long the stream stays open after the last cue ends (with no
/// soundscape), so cues close together share one stream.
const LINGER: Duration = Duration::from_secs(3);
/// How often a missing or lost device is looked for again.
const RETRY: Duration = Duration::from_secs(10);

/// Real output through rodio, owned by one thread.
#[derive(Debug)]
pub struct DeviceAudio {
    tx: Sender<Command>,
    state: Arc<AtomicU8>,
    thread: Option<JoinHandle<()>>,
}

/// What the session wants to hear, kept so a reopened device resumes it.
#[derive(Debug, Clone)]
struct Wanted {
    scape: Option<Bed>,
    cue_device: Option<String>,
    volume: u8,
    muted: bool,
    paused: bool,
    ended: bool,
}

impl Wanted {
    fn bed(&self) -> bool {
        self.scape.is_some() && !self.ended
    }
}

impl DeviceAudio {
    /// Starts the device thread and returns at once; the device is probed on
    /// that thread, so start-up never waits for the sound system. `scape`
    /// plays (fading in) as soon as a device is open.
    pub fn start(scape: Option<Bed>, volume: u8, muted: bool) -> DeviceAudio {
        DeviceAudio::start_with_cue_device(scape, volume, muted, None)
    }

    /// Like [`DeviceAudio::start`], sending cues to the output named
    /// `cue_device` (an earbud for the therapist) while the soundscape plays
    /// on the default output; the soundscape is still lowered under each cue.
    pub fn start_with_cue_device(
        scape: Option<Bed>,
        volume: u8,
        muted: bool,
        cue_device: Option<String>,
    ) -> DeviceAudio {
        let (tx, rx) = mpsc::channel();
        let state = Arc::new(AtomicU8::new(AudioState::Probing.to_u8()));
        let shared = Arc::clone(&state);
        let wanted = Wanted {
            scape,
            cue_device,
            volume,
            muted,
            paused: false,
            ended: false,
        };
        let thread = std::thread::Builder::new()
            .name("stillpoint-audio".into())
            .spawn(move || device_thread(&rx, &shared, wanted))
            .ok();
        if thread.is_none() {
            state.store(AudioState::NoDevice.to_u8(), Ordering::Relaxed);
        }
        DeviceAudio { tx, state, thread }
    }
}

impl Audio for DeviceAudio {
    fn send(&mut self, command: MixCommand) {
        let _ = self.tx.send(Command::Mix(command));
    }

    fn state(&self) -> AudioState {
        AudioState::from_u8(self.state.load(Ordering::Relaxed))
    }
}

impl Drop for DeviceAudio {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            // A stuck driver must not hold up the end of a session: wait
            // briefly, then leave the thread to the process exit.
            for _ in 0..20 {
                if thread.is_finished() {
                    let _ = thread.join();
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// The output buffer, in frames: 2048 is about 43 ms at 48 kHz, so a cue
/// starts within 50 ms of being asked for. `STILLPOINT_BUFFER` overrides it:
/// larger buffers wake the CPU and the sound server less often, at the cost
/// of later cues (8192 frames roughly halves the playback CPU).
fn buffer_frames() -> rodio::cpal::BufferSize {
    let frames = std::env::var("STILLPOINT_BUFFER")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(2048, |f| f.clamp(256, 65_536));
    rodio::cpal::BufferSize::Fixed(frames)
}

/// The names of the output devices, and which one is the default.
pub fn output_devices() -> Vec<(String, bool)> {
    use rodio::cpal::traits::{DeviceTrait, HostTrait};
    let host = rodio::cpal::default_host();
    let default = host
        .default_output_device()
        .and_then(|d| d.description().ok())
        .map(|d| d.name().to_owned());
    host.output_devices()
        .map(|devices| {
            devices
                .filter_map(|d| d.description().ok().map(|d| d.name().to_owned()))
                .map(|name| {
                    let is_default = default.as_deref() == Some(name.as_str());
                    (name, is_default)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn find_output(name: &str) -> Option<rodio::cpal::Device> {
    use rodio::cpal::traits::{DeviceTrait, HostTrait};
    rodio::cpal::default_host()
        .output_devices()
        .ok()?
        .find(|d| d.description().is_ok_and(|x| x.name() == name))
}

/// An open output and the channel into the mix it plays.
struct Live {
    sink: rodio::MixerDeviceSink,
    mix: Sender<MixCommand>,
}

impl Live {
    /// Opens the default output and starts a mix of what is wanted.
    fn open(state: &Arc<AtomicU8>, wanted: &Wanted) -> Option<Live> {
        let builder = rodio::DeviceSinkBuilder::from_default_device().ok()?;
        let scape = if wanted.bed() {
            wanted.scape.clone()
        } else {
            None
        };
        Live::open_with(builder, state, scape, wanted)
    }

    /// Opens the output called `name` for cues only.
    fn open_named(name: &str, state: &Arc<AtomicU8>, wanted: &Wanted) -> Option<Live> {
        let device = find_output(name)?;
        let builder = rodio::DeviceSinkBuilder::from_device(device).ok()?;
        Live::open_with(builder, state, None, wanted)
    }

    fn open_with(
        builder: rodio::DeviceSinkBuilder,
        state: &Arc<AtomicU8>,
        scape: Option<Bed>,
        wanted: &Wanted,
    ) -> Option<Live> {
        let lost = Arc::clone(state);
        let mut sink = builder
            .with_buffer_size(buffer_frames())
            // rodio's default callback prints to stderr. Record a real loss
            // instead; an underrun is recovered by the backend and not a loss.
            .with_error_callback(move |e: rodio::cpal::Error| {
                use rodio::cpal::ErrorKind as K;
                if matches!(
                    e.kind(),
                    K::DeviceNotAvailable | K::HostUnavailable | K::StreamInvalidated
                ) {
                    lost.store(AudioState::Lost.to_u8(), Ordering::Relaxed);
                }
            })
            .open_stream()
            .ok()?;
        sink.log_on_drop(false);
        let (tx, rx) = mpsc::channel();
        let rate = sink.config().sample_rate().get();
        let mut mix = Mix::with_bed(scape, wanted.volume, wanted.muted, Some(rx), rate);
        if wanted.paused {
            mix.apply(MixCommand::Pause(true));
        }
        sink.mixer().add(mix);
        Some(Live { sink, mix: tx })
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.sink.log_on_drop(false);
    }
}

fn device_thread(rx: &Receiver<Command>, state: &Arc<AtomicU8>, mut wanted: Wanted) {
    let set = |s: AudioState| state.store(s.to_u8(), Ordering::Relaxed);
    let clock = SystemClock::new();
    // Probe once so the status line is right before the first cue; keep the
    // stream only if a soundscape is to play.
    let mut live = Live::open(state, &wanted);
    set(if live.is_some() {
        AudioState::On
    } else {
        AudioState::NoDevice
    });
    if !wanted.bed() {
        live = None;
    }
    let mut last_attempt = clock.now();
    let mut linger = LINGER;
    // The therapist's earbud, when cues go to their own output.
    let mut cue_live: Option<Live> = None;
    loop {
        let current = AudioState::from_u8(state.load(Ordering::Relaxed));
        // With nothing to play and no stream open, block until asked: no
        // wake-ups at all. Otherwise wake to close the stream or to look for
        // a device again.
        let command = match (&live, wanted.bed()) {
            (None, false) => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            (Some(_), false) => rx.recv_timeout(linger),
            (_, true) => rx.recv_timeout(RETRY),
        };
        let mut want_open = false;
        match command {
            Ok(Command::Mix(m)) => {
                match m {
                    MixCommand::Volume(v) => wanted.volume = v,
                    MixCommand::Mute(on) => wanted.muted = on,
                    MixCommand::Pause(p) => wanted.paused = p,
                    MixCommand::FadeOut => {
                        wanted.ended = true;
                        linger = mix::FADE_OUT + LINGER;
                    }
                    MixCommand::Duck(_) => {}
                    MixCommand::Cue(cue) if wanted.cue_device.is_some() => {
                        if cue_live.is_none()
                            && let Some(name) = &wanted.cue_device
                        {
                            cue_live = Live::open_named(name, state, &wanted);
                        }
                        if let Some(c) = &cue_live {
                            let _ = c.mix.send(m);
                            if let Some(l) = &live {
                                let _ = l.mix.send(MixCommand::Duck(cue));
                            }
                            continue;
                        }
                        // The earbud is gone: the room speaker plays the cue.
                        want_open = true;
                    }
                    MixCommand::Cue(cue) => {
                        want_open = true;
                        if wanted.scape.is_none() || wanted.ended {
                            linger = linger
                                .max(bell::Bell::new(cue, bell::SAMPLE_RATE).length() + LINGER);
                        }
                    }
                }
                if want_open && (live.is_none() || current == AudioState::Lost) {
                    drop(live.take());
                    if may_retry(current, Some(last_attempt), clock.now()) {
                        last_attempt = clock.now();
                        live = Live::open(state, &wanted);
                        set(if live.is_some() {
                            AudioState::On
                        } else {
                            AudioState::NoDevice
                        });
                        // A fresh mix already knows the volume and pause state.
                    }
                }
                if let Some(l) = &live {
                    let _ = l.mix.send(m);
                }
                if let (Some(c), MixCommand::Volume(_) | MixCommand::Mute(_)) = (&cue_live, m) {
                    let _ = c.mix.send(m);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                cue_live = None;
                if !wanted.bed() {
                    live = None;
                    linger = LINGER;
                } else if live.is_none() || current == AudioState::Lost {
                    // Headphones unplugged or the sound server restarted: try
                    // again now and then, quietly, until an output is back.
                    drop(live.take());
                    last_attempt = clock.now();
                    live = Live::open(state, &wanted);
                    set(if live.is_some() {
                        AudioState::On
                    } else if current == AudioState::Lost {
                        AudioState::Lost
                    } else {
                        AudioState::NoDevice
                    });
                }
            }
            Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
}

/// A working device is always used; a missing one is looked for again at
/// most every [`RETRY`], so a plugged-in headset is picked up.
fn may_retry(state: AudioState, last: Option<Moment>, now: Moment) -> bool {
    match state {
        AudioState::On | AudioState::Lost | AudioState::Probing => true,
        AudioState::Disabled => false,
        AudioState::NoDevice => last.is_none_or(|t| now.since(t) >= RETRY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_audio_keeps_cues_in_order() {
        let mut a = RecordingAudio::new(AudioState::Disabled);
        a.play(Cue::SessionStart);
        a.play(Cue::NextStep);
        a.send(MixCommand::Volume(3));
        assert_eq!(a.played(), vec![Cue::SessionStart, Cue::NextStep]);
        assert_eq!(a.sent().last(), Some(&MixCommand::Volume(3)));
        assert_eq!(a.state().label(), "audio off (--no-audio)");
    }

    #[test]
    fn missing_devices_are_retried_at_most_every_ten_seconds() {
        let t0 = Moment::from_secs(100);
        assert!(!may_retry(
            AudioState::NoDevice,
            Some(t0),
            Moment::from_secs(105)
        ));
        assert!(may_retry(
            AudioState::NoDevice,
            Some(t0),
            Moment::from_secs(110)
        ));
        assert!(may_retry(
            AudioState::Lost,
            Some(t0),
            Moment::from_secs(101)
        ));
        assert!(!may_retry(
            AudioState::Disabled,
            None,
            Moment::from_secs(500)
        ));
    }

    #[test]
    fn the_device_thread_settles_without_a_sound_card_and_shuts_down() {
        let mut audio = DeviceAudio::start(Some(Bed::Scape(Scape::Surf)), 4, false);
        let clock = SystemClock::new();
        while audio.state() == AudioState::Probing && clock.now() < Moment::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(matches!(
            audio.state(),
            AudioState::On | AudioState::NoDevice
        ));
        audio.play(Cue::EndingSoon);
        drop(audio);
    }
}
