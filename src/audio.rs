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

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::{Clock, Moment, SystemClock};
use crate::engine::Cue;

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

/// Where cues are played.
pub trait Audio {
    /// Plays a cue; never blocks and never fails loudly.
    fn play(&mut self, cue: Cue);
    /// Whether sound is reaching the room.
    fn state(&self) -> AudioState;
}

/// A silent implementation that records every cue, for tests and `--no-audio`.
#[derive(Debug)]
pub struct RecordingAudio {
    played: Vec<Cue>,
    state: AudioState,
}

impl RecordingAudio {
    /// A recorder that reports `state`.
    pub fn new(state: AudioState) -> RecordingAudio {
        RecordingAudio {
            played: Vec::new(),
            state,
        }
    }

    /// Every cue received, in order.
    pub fn played(&self) -> &[Cue] {
        &self.played
    }
}

impl Audio for RecordingAudio {
    fn play(&mut self, cue: Cue) {
        self.played.push(cue);
    }

    fn state(&self) -> AudioState {
        self.state
    }
}

/// What the device thread is asked to do.
#[derive(Debug)]
enum Command {
    Play(Cue),
    Shutdown,
}

/// How long the stream stays open after the last cue ends, so cues close
/// together share one stream.
const LINGER: Duration = Duration::from_secs(3);
/// How often a missing device is looked for again, at most.
const RETRY: Duration = Duration::from_secs(10);

/// Real output through rodio, owned by one thread.
#[derive(Debug)]
pub struct DeviceAudio {
    tx: Sender<Command>,
    state: Arc<AtomicU8>,
    thread: Option<JoinHandle<()>>,
}

impl DeviceAudio {
    /// Starts the device thread and returns at once; the device is probed on
    /// that thread, so start-up never waits for the sound system.
    pub fn start() -> DeviceAudio {
        let (tx, rx) = mpsc::channel();
        let state = Arc::new(AtomicU8::new(AudioState::Probing.to_u8()));
        let shared = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("stillpoint-audio".into())
            .spawn(move || device_thread(&rx, &shared))
            .ok();
        if thread.is_none() {
            state.store(AudioState::NoDevice.to_u8(), Ordering::Relaxed);
        }
        DeviceAudio { tx, state, thread }
    }
}

impl Audio for DeviceAudio {
    fn play(&mut self, cue: Cue) {
        let _ = self.tx.send(Command::Play(cue));
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

fn open(state: &Arc<AtomicU8>) -> Option<rodio::MixerDeviceSink> {
    let lost = Arc::clone(state);
    let mut sink = rodio::DeviceSinkBuilder::from_default_device()
        .ok()?
        // rodio's default callback prints to stderr; record the loss instead.
        .with_error_callback(move |_| lost.store(AudioState::Lost.to_u8(), Ordering::Relaxed))
        .open_stream()
        .ok()?;
    sink.log_on_drop(false);
    Some(sink)
}

/// Drops a sink without its "dropping" message.
fn close(sink: &mut Option<rodio::MixerDeviceSink>) {
    if let Some(mut s) = sink.take() {
        s.log_on_drop(false);
    }
}

fn device_thread(rx: &Receiver<Command>, state: &Arc<AtomicU8>) {
    let set = |s: AudioState| state.store(s.to_u8(), Ordering::Relaxed);
    let clock = SystemClock::new();
    // Probe once so the status line is right before the first cue, then close.
    let mut sink = open(state);
    set(if sink.is_some() {
        AudioState::On
    } else {
        AudioState::NoDevice
    });
    close(&mut sink);
    let mut last_attempt = Some(clock.now());
    let mut linger = Duration::ZERO;
    loop {
        // With no stream open, block until asked: no wake-ups at all.
        let command = if sink.is_some() {
            rx.recv_timeout(linger)
        } else {
            rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
        };
        match command {
            Ok(Command::Play(cue)) => {
                let current = AudioState::from_u8(state.load(Ordering::Relaxed));
                if current == AudioState::Lost {
                    close(&mut sink);
                }
                if sink.is_none() && may_retry(current, last_attempt, clock.now()) {
                    last_attempt = Some(clock.now());
                    sink = open(state);
                    set(if sink.is_some() {
                        AudioState::On
                    } else {
                        AudioState::NoDevice
                    });
                }
                if let Some(s) = &sink {
                    let source = bell::Bell::new(cue, bell::SAMPLE_RATE);
                    linger = source.length() + LINGER;
                    s.mixer().add(source);
                }
            }
            Err(RecvTimeoutError::Timeout) => close(&mut sink),
            Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    close(&mut sink);
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
        assert_eq!(a.played(), &[Cue::SessionStart, Cue::NextStep]);
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
        let mut audio = DeviceAudio::start();
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
