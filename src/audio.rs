//! Sound: the [`Audio`] trait the shell plays cues through, a silent
//! [`RecordingAudio`] for tests and `--no-audio`, and [`DeviceAudio`], which owns
//! the output device on its own thread.
//!
//! The device thread plays the soundscape on one stream with a long buffer, so
//! the machine and the sound server wake a few times a second rather than a
//! hundred. Each bell rings on a short-buffered stream of its own, opened when
//! the cue is asked for and closed once it has rung out: a freshly opened
//! stream plays its first buffer at once, so a bell starts within milliseconds
//! whatever rhythm the sound server keeps, and between cues no stream is kept
//! open playing silence (that alone costs a sound server about 1 % of a core
//! for an hour). A stream whose device stops asking for samples (a sound server
//! that dies says nothing) is dropped and the output looked for again. Nothing
//! here prints; failures only change the [`AudioState`] the status line shows.

pub mod analysis;
pub mod bell;
pub mod cue;
pub mod devices;
pub mod file;
pub mod latency;
pub mod mix;
mod output;
pub mod resample;
pub mod scape;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::{Clock, Moment, SystemClock};
pub use cue::Cue;
use mix::{Mix, MixCommand};
pub use output::Onsets;
use output::Output;
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
    /// The device failed mid-session; it is looked for again in the
    /// background and at the next cue.
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
/// `--no-audio`; given a clock, it also records when each command came.
pub struct RecordingAudio<'c> {
    sent: Vec<(Moment, MixCommand)>,
    state: AudioState,
    clock: Option<&'c dyn Clock>,
}

impl std::fmt::Debug for RecordingAudio<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingAudio")
            .field("sent", &self.sent)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl RecordingAudio<'static> {
    /// A recorder that reports `state`.
    pub fn new(state: AudioState) -> RecordingAudio<'static> {
        RecordingAudio {
            sent: Vec::new(),
            state,
            clock: None,
        }
    }
}

impl<'c> RecordingAudio<'c> {
    /// A recorder that reports `state` and stamps each command with the
    /// time on `clock`.
    pub fn timed(state: AudioState, clock: &'c dyn Clock) -> RecordingAudio<'c> {
        RecordingAudio {
            sent: Vec::new(),
            state,
            clock: Some(clock),
        }
    }

    /// Every command received, in order.
    pub fn sent(&self) -> Vec<MixCommand> {
        self.sent.iter().map(|(_, c)| *c).collect()
    }

    /// Every command received, with when it came (the origin if there is
    /// no clock).
    pub fn sent_at(&self) -> &[(Moment, MixCommand)] {
        &self.sent
    }

    /// The cues received, in order.
    pub fn played(&self) -> Vec<Cue> {
        self.sent
            .iter()
            .filter_map(|(_, c)| match c {
                MixCommand::Cue(cue) => Some(*cue),
                _ => None,
            })
            .collect()
    }
}

impl Audio for RecordingAudio<'_> {
    fn send(&mut self, command: MixCommand) {
        let at = self.clock.map_or(Moment::ZERO, |c| c.now());
        self.sent.push((at, command));
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

/// How long a bell's stream stays open after the bell has rung out.
pub(crate) const LINGER: Duration = Duration::from_millis(500);
/// How often a missing device is looked for again when a cue wants it.
const RETRY: Duration = Duration::from_secs(10);
/// While a soundscape is wanted and its output is gone, it is looked for
/// again after this, then at doubling gaps up to [`RETRY_MAX`]: a restarted
/// sound server is back within seconds, and a long absence costs a few lines
/// in the stderr log an hour, not thousands.
const RETRY_FIRST: Duration = Duration::from_secs(2);
/// The longest gap between two looks for a lost output.
const RETRY_MAX: Duration = Duration::from_secs(30);
/// How often open streams are checked for a device that stopped playing.
const WATCH: Duration = Duration::from_millis(500);
/// The most bells that ring on streams of their own at once; more share the
/// newest stream (only a burst of key presses gets there).
const MAX_CUE_STREAMS: usize = 3;

/// The bed's period in frames (its stream buffers two): about 340 ms at
/// 48 kHz, so the machine and the sound server wake a few times a second.
/// Volume, mute, pause and the dip under a bell reach the room up to two
/// periods later, which a slow fade hides. `STILLPOINT_BUFFER` overrides it.
const BED_PERIOD: u32 = 16_384;
/// A bell stream's period: 1024 frames buffered twice, about 43 ms at 48 kHz.
const CUE_PERIOD: u32 = 1024;

fn bed_period() -> u32 {
    std::env::var("STILLPOINT_BUFFER")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(BED_PERIOD, |f| f.clamp(256, 65_536))
}

/// Real output through rodio's backend (cpal), owned by one thread.
#[derive(Debug)]
pub struct DeviceAudio {
    tx: Sender<Command>,
    state: Arc<AtomicU8>,
    onsets: Arc<Onsets>,
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
        let onsets = Arc::new(Onsets::new(SystemClock::new()));
        let shared = Shared {
            state: Arc::clone(&state),
            onsets: Arc::clone(&onsets),
        };
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
        DeviceAudio {
            tx,
            state,
            onsets,
            thread,
        }
    }

    /// When cues reach the output, on the audio thread's clock (for
    /// `stillpoint audio latency`).
    pub fn onsets(&self) -> &Onsets {
        &self.onsets
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

/// What the device thread shares with the session.
#[derive(Debug)]
struct Shared {
    state: Arc<AtomicU8>,
    onsets: Arc<Onsets>,
}

impl Shared {
    fn state(&self) -> AudioState {
        AudioState::from_u8(self.state.load(Ordering::Relaxed))
    }

    fn set(&self, s: AudioState) {
        self.state.store(s.to_u8(), Ordering::Relaxed);
    }
}

/// Opens the stream that plays the soundscape, fading in (and staying
/// silent if the session is paused).
fn open_bed(shared: &Shared, wanted: &Wanted) -> Option<Output> {
    let bed = wanted.scape.clone().filter(|_| wanted.bed());
    let device = output::device(None)?;
    Output::open(
        &device,
        bed_period(),
        &shared.state,
        &shared.onsets,
        |rate, rx| {
            let mut mix = Mix::with_bed(bed, wanted.volume, wanted.muted, Some(rx), rate);
            if wanted.paused {
                mix.apply(MixCommand::Pause(true));
            }
            mix
        },
    )
}

/// Opens a short-buffered stream for one bell: on the therapist's own output
/// if one was named and is there, else the default.
fn open_bell(shared: &Shared, wanted: &Wanted, cue: Cue) -> Option<Output> {
    let named = wanted.cue_device.as_deref().and_then(devices::find);
    let device = named.or_else(|| output::device(None))?;
    Output::open(
        &device,
        CUE_PERIOD,
        &shared.state,
        &shared.onsets,
        |rate, rx| {
            let mut mix = Mix::with_bed(None, wanted.volume, wanted.muted, Some(rx), rate);
            mix.apply(MixCommand::Cue(cue));
            mix
        },
    )
}

/// A stream playing bells, and when it may close.
#[derive(Debug)]
struct Ringing {
    out: Output,
    until: Moment,
}

/// The streams the device thread holds, and when it next has something to
/// do without being asked.
#[derive(Debug)]
struct Streams {
    bed: Option<Output>,
    bells: Vec<Ringing>,
    /// When the bed may close: its end fade is over.
    bed_until: Option<Moment>,
    /// When to look for an output again, while one is wanted and missing.
    retry_at: Option<Moment>,
    /// The gap before the next look after this one.
    retry_gap: Duration,
    /// When to check that the open streams are still being played.
    watch_at: Moment,
    /// When a bell last tried to open an output.
    last_bell_attempt: Option<Moment>,
}

impl Streams {
    fn next_deadline(&self, wanted: &Wanted) -> Option<Moment> {
        let mut due: Option<Moment> = None;
        let mut add = |t: Moment| due = Some(due.map_or(t, |d| d.min(t)));
        for b in &self.bells {
            add(b.until);
        }
        if let Some(t) = self.bed_until {
            add(t);
        }
        if self.bed.is_some() || !self.bells.is_empty() {
            add(self.watch_at);
        }
        if wanted.bed()
            && let Some(t) = self.retry_at
        {
            add(t);
        }
        due
    }

    /// (Re)opens the bed and sets the state by what came of it.
    fn reopen_bed(&mut self, shared: &Shared, wanted: &Wanted, now: Moment) {
        drop(self.bed.take());
        self.bed = open_bed(shared, wanted);
        if self.bed.is_some() {
            self.retry_at = None;
            self.retry_gap = RETRY_FIRST;
            self.watch_at = now + WATCH;
            shared.set(AudioState::On);
        } else {
            self.retry_at = Some(now + self.retry_gap);
            self.retry_gap = (self.retry_gap * 2).min(RETRY_MAX);
            if shared.state() != AudioState::Lost {
                shared.set(AudioState::NoDevice);
            }
        }
    }

    /// Rings a bell on a stream of its own and lowers the bed under it.
    fn ring(&mut self, shared: &Shared, wanted: &Wanted, cue: Cue, now: Moment) {
        let until = now + bell::Bell::new(cue, bell::SAMPLE_RATE).length() + LINGER;
        if let Some(bed) = &self.bed {
            bed.send(MixCommand::Duck(cue));
        }
        if self.bells.len() >= MAX_CUE_STREAMS
            && let Some(newest) = self.bells.last_mut()
        {
            newest.out.send(MixCommand::Cue(cue));
            newest.until = newest.until.max(until);
            return;
        }
        if !may_retry(shared.state(), self.last_bell_attempt, now) {
            return;
        }
        self.last_bell_attempt = Some(now);
        match open_bell(shared, wanted, cue) {
            Some(out) => {
                if self.bells.is_empty() && self.bed.is_none() {
                    self.watch_at = now + WATCH;
                }
                self.bells.push(Ringing { out, until });
                if self.bed.is_some() || !wanted.bed() {
                    shared.set(AudioState::On);
                } else {
                    // An output is back: bring the soundscape back now too.
                    self.retry_at = Some(now);
                }
            }
            None if shared.state() != AudioState::Lost => shared.set(AudioState::NoDevice),
            None => {}
        }
    }

    /// Drops streams the device stopped playing, and bells that have rung
    /// out; true if a stream was lost.
    fn tidy(&mut self, shared: &Shared, now: Moment) -> bool {
        let mut lost = false;
        if now >= self.watch_at {
            self.watch_at = now + WATCH;
            if self
                .bed
                .as_ref()
                .is_some_and(|b| !b.check(now, &shared.state))
            {
                self.bed = None;
                lost = true;
            }
            let before = self.bells.len();
            self.bells.retain(|b| b.out.check(now, &shared.state));
            lost |= self.bells.len() < before;
        }
        self.bells.retain(|b| now < b.until);
        if self.bed_until.is_some_and(|t| now >= t) {
            self.bed = None;
            self.bed_until = None;
        }
        lost
    }
}

/// The device thread: a loop that sleeps until a command or its next
/// deadline (closing a bell's stream once it has rung out, closing the bed
/// after the end fade, checking that open streams still play, looking for a
/// lost output again). With nothing playing it blocks with no wake-ups.
fn device_thread(rx: &Receiver<Command>, shared: &Shared, mut wanted: Wanted) {
    let clock = shared.onsets.clock().clone();
    let now = clock.now();
    let mut s = Streams {
        bed: None,
        bells: Vec::new(),
        bed_until: None,
        retry_at: None,
        retry_gap: RETRY_FIRST,
        watch_at: now + WATCH,
        last_bell_attempt: Some(now),
    };
    // Probe once so the status line is right before the first cue; keep the
    // stream only if a soundscape is to play.
    s.reopen_bed(shared, &wanted, now);
    if !wanted.bed() {
        s.bed = None;
        s.retry_at = None;
    }
    loop {
        let now = clock.now();
        let command = match s.next_deadline(&wanted) {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(t) => rx.recv_timeout(t.since(now)),
        };
        let now = clock.now();
        match command {
            Ok(Command::Mix(MixCommand::Cue(cue))) => s.ring(shared, &wanted, cue, now),
            Ok(Command::Mix(m)) => {
                match m {
                    MixCommand::Volume(v) => wanted.volume = v,
                    MixCommand::Mute(on) => wanted.muted = on,
                    MixCommand::Pause(p) => wanted.paused = p,
                    MixCommand::FadeOut => {
                        wanted.ended = true;
                        s.bed_until = Some(now + mix::FADE_OUT + LINGER);
                    }
                    MixCommand::Duck(_) | MixCommand::Cue(_) => {}
                }
                for out in s.bed.iter().chain(s.bells.iter().map(|b| &b.out)) {
                    out.send(m);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
        }
        // Whatever woke the thread, do what has fallen due.
        if s.tidy(shared, now) && wanted.bed() && s.bed.is_none() && s.retry_at.is_none() {
            // Headphones unplugged or the sound server gone: look again now
            // and then, quietly, until an output is back.
            s.retry_at = Some(now + s.retry_gap);
        }
        if wanted.bed() && s.bed.is_none() && s.retry_at.is_some_and(|t| now >= t) {
            s.reopen_bed(shared, &wanted, now);
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
        // Waits for the probe (a slow machine, or wine, can take seconds).
        while audio.state() == AudioState::Probing && clock.now() < Moment::from_secs(60) {
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
