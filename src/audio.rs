//! Sound: the [`Audio`] trait the shell plays cues through, a silent
//! [`RecordingAudio`] for tests and `--no-audio`, and [`DeviceAudio`], which owns
//! the output device on its own thread.
//!
//! The device thread plays the soundscape on one stream with a 4 s buffer, so
//! the machine and the sound server sleep between buffers: on Linux natively
//! to a PulseAudio-protocol server (`native.rs`), elsewhere through cpal
//! (`output.rs`). Cues the session foresees are told ahead
//! ([`MixCommand::CueIn`]) and placed on their sample in that buffer (or on
//! a short stream opened just before). Each bell a key rings goes on a
//! short-buffered stream of its own, opened when the cue is asked for and
//! closed once it has rung out: a freshly opened stream plays its first buffer
//! at once, so a bell starts within milliseconds whatever rhythm the sound
//! server keeps, and between cues no stream is kept open playing silence (that
//! alone costs a sound server about 1 % of a core for an hour). A lost device
//! is reported to the thread (an error callback, the end of the native
//! stream), never polled for; the thread then looks for an output again.
//! Nothing here prints; failures only change the [`AudioState`] the status
//! line shows.

pub mod analysis;
pub mod bell;
pub mod cue;
pub mod devices;
pub mod file;
pub mod latency;
pub mod mix;
#[cfg(target_os = "linux")]
mod native;
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
    /// Sound a cue at this moment on the device thread's clock.
    CueAt(Cue, Moment),
    /// The output with this number was lost (sent by its error callback or
    /// the thread waiting on its stream).
    Lost(u64),
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
/// The most bells that ring on streams of their own at once; more share the
/// newest stream (only a burst of key presses gets there).
const MAX_CUE_STREAMS: usize = 3;
/// How long before a foreseen cue its own short stream is opened, so the
/// stream is playing steadily (and its timestamps true) when the cue's
/// sample comes round.
const OPEN_AHEAD: Duration = Duration::from_millis(400);
/// A cue asked for this close to its moment is rung at once.
const TOO_LATE: Duration = Duration::from_millis(5);
/// A bed whose device holds more than this is not lowered under a bell
/// rung by a key: the dip would come after the bell (the native bed makes
/// its queue again instead, so it is lowered at once).
const DUCK_WITHIN: Duration = Duration::from_millis(500);

/// The bed's period in frames where it plays through cpal (its stream asks
/// for two): 2 s at 48 kHz, of which ALSA's PulseAudio plugin grants two
/// thirds (64 000-frame periods, three to a 4 s buffer), so the machine and
/// the sound server wake about once a second. `STILLPOINT_BUFFER` overrides it.
const BED_PERIOD: u32 = 96_000;
/// A bell stream's period: 1024 frames buffered twice, about 43 ms at 48 kHz.
const CUE_PERIOD: u32 = 1024;

fn bed_period() -> u32 {
    std::env::var("STILLPOINT_BUFFER")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(BED_PERIOD, |f| f.clamp(256, 174_762))
}

/// Whether the bed may use the sound server's own protocol (Linux, with a
/// server there, unless `STILLPOINT_BED_HOST=cpal` asks for the fallback).
#[cfg(target_os = "linux")]
fn native_wanted() -> bool {
    std::env::var("STILLPOINT_BED_HOST").map_or(true, |h| h != "cpal") && native::server_present()
}

/// Real output through rodio's backend (cpal), owned by one thread.
#[derive(Debug)]
pub struct DeviceAudio {
    tx: Sender<Command>,
    state: Arc<AtomicU8>,
    onsets: Arc<Onsets>,
    bed: Arc<std::sync::Mutex<String>>,
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
    /// Keep a bed stream open with no soundscape in it (for measuring
    /// where foreseen cues land in it).
    silent_bed: bool,
}

impl Wanted {
    fn bed(&self) -> bool {
        (self.scape.is_some() || self.silent_bed) && !self.ended
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
        DeviceAudio::spawn(scape, volume, muted, cue_device, false)
    }

    /// A bed stream playing silence, for placing foreseen cues in it
    /// (`stillpoint audio latency --foreseen`, Linux only).
    #[cfg(target_os = "linux")]
    pub(crate) fn start_silent_bed(volume: u8) -> DeviceAudio {
        DeviceAudio::spawn(None, volume, false, None, true)
    }

    fn spawn(
        scape: Option<Bed>,
        volume: u8,
        muted: bool,
        cue_device: Option<String>,
        silent_bed: bool,
    ) -> DeviceAudio {
        let (tx, rx) = mpsc::channel();
        let state = Arc::new(AtomicU8::new(AudioState::Probing.to_u8()));
        let onsets = Arc::new(Onsets::new(SystemClock::new()));
        let bed = Arc::new(std::sync::Mutex::new(String::new()));
        let shared = Shared {
            state: Arc::clone(&state),
            onsets: Arc::clone(&onsets),
            tx: tx.clone(),
            bed: Arc::clone(&bed),
        };
        let wanted = Wanted {
            scape,
            cue_device,
            volume,
            muted,
            paused: false,
            ended: false,
            silent_bed,
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
            bed,
            thread,
        }
    }

    /// When cues reach the output, on the audio thread's clock (for
    /// `stillpoint audio latency`).
    pub fn onsets(&self) -> &Onsets {
        &self.onsets
    }

    /// What the bed's stream asked for and was granted, in words (empty
    /// until one has opened).
    pub fn bed_stream(&self) -> String {
        self.bed.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl Audio for DeviceAudio {
    fn send(&mut self, command: MixCommand) {
        let command = match command {
            // Stamped here, on the device thread's clock, so the time the
            // command spends waiting for that thread does not count.
            MixCommand::CueIn(cue, d) => Command::CueAt(cue, self.onsets.clock().now() + d),
            c => Command::Mix(c),
        };
        let _ = self.tx.send(command);
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
    /// Where the streams' error callbacks report a loss.
    tx: Sender<Command>,
    /// What the bed's stream was asked for and granted, in words.
    bed: Arc<std::sync::Mutex<String>>,
}

impl Shared {
    fn state(&self) -> AudioState {
        AudioState::from_u8(self.state.load(Ordering::Relaxed))
    }

    fn set(&self, s: AudioState) {
        self.state.store(s.to_u8(), Ordering::Relaxed);
    }

    fn describe_bed(&self, words: String) {
        if let Ok(mut b) = self.bed.lock() {
            *b = words;
        }
    }

    /// What a stream calls when its device is lost.
    fn lost(&self, id: u64) -> output::Lost {
        let tx = self.tx.clone();
        Box::new(move || {
            let _ = tx.send(Command::Lost(id));
        })
    }
}

/// The stream the bed plays on.
#[derive(Debug)]
enum BedOut {
    /// The sound server's own protocol, with its queue remade on a change.
    #[cfg(target_os = "linux")]
    Native(native::NativeBed),
    /// cpal's default host with a long buffer.
    Cpal(Output),
}

/// The bed's stream and its number.
#[derive(Debug)]
struct BedStream {
    out: BedOut,
    id: u64,
}

impl BedStream {
    /// Carries out what the session changed, from now. The native bed makes
    /// its queue again; cpal's buffer cannot be taken back, so there a
    /// pause stops the device at once, and the rest reach the room after
    /// what is buffered (a bell rung by a key then does not lower it).
    fn change(&mut self, changes: &[MixCommand], wanted: &Wanted) {
        #[cfg(not(target_os = "linux"))]
        let _ = wanted; // only the native bed corks
        match &mut self.out {
            #[cfg(target_os = "linux")]
            BedOut::Native(bed) => {
                if !wanted.paused && bed.corked() {
                    bed.cork(false);
                }
                bed.change(changes, None);
            }
            BedOut::Cpal(out) => {
                let latency = out.latency();
                for c in changes {
                    match c {
                        MixCommand::Pause(p) => out.pause(*p),
                        MixCommand::Duck(_) if latency > DUCK_WITHIN => {}
                        c => out.send(*c),
                    }
                }
            }
        }
    }

    /// Places a foreseen command on the frame heard at `at`; false if it
    /// must be sounded another way.
    fn schedule(&mut self, at: Moment, command: MixCommand) -> bool {
        match &mut self.out {
            #[cfg(target_os = "linux")]
            BedOut::Native(bed) => bed.schedule(at, command),
            // A cue placed in a 4 s buffer could not be taken back if the
            // session changed course: cues ring on short streams of their
            // own, and only the dip under them goes into the bed.
            BedOut::Cpal(out) => {
                matches!(command, MixCommand::Duck(_))
                    && out.settled_by(at)
                    && out.schedule(at, command)
            }
        }
    }

    /// How long after a change it is heard, at most.
    fn latency(&self) -> Duration {
        match &self.out {
            #[cfg(target_os = "linux")]
            BedOut::Native(_) => Duration::ZERO,
            BedOut::Cpal(out) => out.latency(),
        }
    }
}

/// Opens the stream that plays the soundscape, fading in; a paused
/// session's stream is opened stopped.
fn open_bed(s: &mut Streams, shared: &Shared, wanted: &Wanted) -> Option<BedStream> {
    let bed = wanted.scape.clone().filter(|_| wanted.bed());
    s.next_id += 1;
    let id = s.next_id;
    let make = |rate| Mix::with_bed(bed.clone(), wanted.volume, wanted.muted, None, rate);
    #[cfg(target_os = "linux")]
    if native_wanted() {
        if s.connection.is_none() {
            s.connection = native::Connection::open();
        }
        let clock = shared.onsets.clock();
        let opened = s
            .connection
            .as_ref()
            .and_then(|c| native::NativeBed::open(c, clock, make, shared.lost(id)));
        match opened {
            Some(mut bed) => {
                if wanted.paused {
                    bed.cork(true);
                }
                shared.describe_bed(bed.describe());
                return Some(BedStream {
                    out: BedOut::Native(bed),
                    id,
                });
            }
            None => s.connection = None,
        }
    }
    let device = output::device(None)?;
    let mut out = Output::open(&device, bed_period(), &shared.onsets, shared.lost(id), make)?;
    if wanted.paused {
        out.pause(true);
    }
    shared.describe_bed(out.describe(bed_period()));
    Some(BedStream {
        out: BedOut::Cpal(out),
        id,
    })
}

/// Opens a short-buffered stream for bells: on the therapist's own output
/// if one was named and is there, else the default.
fn open_bell(s: &mut Streams, shared: &Shared, wanted: &Wanted) -> Option<(Output, u64)> {
    let named = wanted.cue_device.as_deref().and_then(devices::find);
    let device = named.or_else(|| output::device(None))?;
    s.next_id += 1;
    let id = s.next_id;
    let out = Output::open(
        &device,
        CUE_PERIOD,
        &shared.onsets,
        shared.lost(id),
        |rate| Mix::with_bed(None, wanted.volume, wanted.muted, None, rate),
    )?;
    Some((out, id))
}

/// A stream playing bells, and when it may close.
#[derive(Debug)]
struct Ringing {
    out: Output,
    id: u64,
    until: Moment,
}

/// The streams the device thread holds, and when it next has something to
/// do without being asked.
#[derive(Debug)]
struct Streams {
    bed: Option<BedStream>,
    bells: Vec<Ringing>,
    /// Foreseen cues that ring on a short stream of their own, opened
    /// [`OPEN_AHEAD`] of each.
    timed: Vec<(Moment, Cue)>,
    /// When the bed may close: its end fade is over.
    bed_until: Option<Moment>,
    /// When a paused native bed is corked: its fade is over.
    cork_at: Option<Moment>,
    /// When to look for an output again, while one is wanted and missing.
    retry_at: Option<Moment>,
    /// The gap before the next look after this one.
    retry_gap: Duration,
    /// When a bell last tried to open an output.
    last_bell_attempt: Option<Moment>,
    /// The number the next stream opened gets.
    next_id: u64,
    /// The connection the native bed plays on, kept while it lasts.
    #[cfg(target_os = "linux")]
    connection: Option<native::Connection>,
}

impl Streams {
    /// The next moment the thread has something to do unasked: never a
    /// poll, only a bell to close, a cue to open a stream for, a fade that
    /// ends, or a lost output to look for.
    fn next_deadline(&self, wanted: &Wanted) -> Option<Moment> {
        let retry = self.retry_at.filter(|_| wanted.bed());
        self.bells
            .iter()
            .map(|b| b.until)
            .chain(self.timed.iter().map(|(at, _)| *at - OPEN_AHEAD))
            .chain(self.bed_until)
            .chain(self.cork_at)
            .chain(retry)
            .min()
    }

    /// (Re)opens the bed and sets the state by what came of it.
    fn reopen_bed(&mut self, shared: &Shared, wanted: &Wanted, now: Moment) {
        drop(self.bed.take());
        self.bed = open_bed(self, shared, wanted);
        if self.bed.is_some() {
            self.retry_at = None;
            self.retry_gap = RETRY_FIRST;
            shared.set(AudioState::On);
        } else {
            self.retry_at = Some(now + self.retry_gap);
            self.retry_gap = (self.retry_gap * 2).min(RETRY_MAX);
            if shared.state() != AudioState::Lost {
                shared.set(AudioState::NoDevice);
            }
        }
    }

    /// Rings a bell on a stream of its own, at once (`at` None) or on the
    /// sample heard at `at`.
    fn ring(
        &mut self,
        shared: &Shared,
        wanted: &Wanted,
        cue: Cue,
        at: Option<Moment>,
        now: Moment,
    ) {
        let start = at.unwrap_or(now).max(now);
        let until = start + bell::Bell::new(cue, bell::SAMPLE_RATE).length() + LINGER;
        let command = MixCommand::Cue(cue);
        if self.bells.len() >= MAX_CUE_STREAMS
            && let Some(newest) = self.bells.last_mut()
        {
            if !at.is_some_and(|at| newest.out.schedule(at, command)) {
                newest.out.send(command);
            }
            newest.until = newest.until.max(until);
            return;
        }
        if !may_retry(shared.state(), self.last_bell_attempt, now) {
            return;
        }
        self.last_bell_attempt = Some(now);
        match open_bell(self, shared, wanted) {
            Some((out, id)) => {
                if !at.is_some_and(|at| out.schedule(at, command)) {
                    out.send(command);
                }
                self.bells.push(Ringing { out, id, until });
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

    /// A cue the session foresees, to sound at `at`: on its sample in the
    /// bed where it can be, else on a short stream opened just before.
    fn foresee(&mut self, wanted: &Wanted, cue: Cue, at: Moment, now: Moment) {
        if at <= now + TOO_LATE {
            self.timed.push((now, cue));
            return;
        }
        let own_output = wanted.cue_device.is_some();
        if let Some(bed) = &mut self.bed {
            if !own_output && bed.schedule(at, MixCommand::Cue(cue)) {
                return;
            }
            bed.schedule(at, MixCommand::Duck(cue));
        }
        self.timed.push((at, cue));
    }

    /// Opens streams for the foreseen cues that are near.
    fn open_timed(&mut self, shared: &Shared, wanted: &Wanted, now: Moment) {
        let (due, later): (Vec<_>, Vec<_>) = self
            .timed
            .iter()
            .partition(|(at, _)| *at - OPEN_AHEAD <= now);
        self.timed = later;
        for (at, cue) in due {
            self.ring(shared, wanted, cue, Some(at), now);
        }
    }

    /// Carries out the bed changes waiting, at once.
    fn change_bed(&mut self, changes: &mut Vec<MixCommand>, wanted: &Wanted) {
        if !changes.is_empty()
            && let Some(bed) = &mut self.bed
        {
            bed.change(changes, wanted);
        }
        changes.clear();
    }

    /// Forgets the foreseen cues that have not begun.
    fn unschedule(&mut self) {
        self.timed.clear();
        for b in &self.bells {
            b.out.send(MixCommand::Unschedule);
        }
    }

    /// Drops the stream numbered `id`; true if it was the bed.
    fn lose(&mut self, shared: &Shared, id: u64) -> bool {
        let before = self.bells.len();
        self.bells.retain(|b| b.id != id);
        let bell = self.bells.len() < before;
        let bed = self.bed.as_ref().is_some_and(|b| b.id == id);
        if bed {
            self.bed = None;
            self.cork_at = None;
            #[cfg(target_os = "linux")]
            {
                self.connection = None;
            }
        }
        if bed || bell {
            shared.set(AudioState::Lost);
        }
        bed
    }

    /// Closes bells that have rung out and a bed whose fade is over, and
    /// corks a paused bed.
    fn tidy(&mut self, now: Moment) {
        self.bells.retain(|b| now < b.until && !b.out.failed());
        if self.bed_until.is_some_and(|t| now >= t) {
            self.bed = None;
            self.bed_until = None;
        }
        if self.cork_at.is_some_and(|t| now >= t) {
            self.cork_at = None;
            #[cfg(target_os = "linux")]
            if let Some(BedStream {
                out: BedOut::Native(bed),
                ..
            }) = &mut self.bed
            {
                bed.cork(true);
            }
        }
    }
}

/// Carries out one command; bed changes wait in `changes` so that a burst
/// of them (a key's cue, its dip and the cues it cancels) remakes the bed's
/// queue once.
fn handle(
    s: &mut Streams,
    shared: &Shared,
    wanted: &mut Wanted,
    command: Command,
    changes: &mut Vec<MixCommand>,
    now: Moment,
) {
    match command {
        Command::Mix(MixCommand::Cue(cue)) => {
            s.ring(shared, wanted, cue, None, now);
            changes.push(MixCommand::Duck(cue));
        }
        Command::Mix(MixCommand::CueIn(cue, d)) => s.foresee(wanted, cue, now + d, now),
        Command::CueAt(cue, at) => s.foresee(wanted, cue, at, now),
        Command::Mix(m) => {
            match m {
                MixCommand::Volume(v) => wanted.volume = v,
                MixCommand::Mute(on) => wanted.muted = on,
                MixCommand::Pause(p) => {
                    wanted.paused = p;
                    s.cork_at = p.then(|| now + mix::PAUSE_FADE + Duration::from_millis(200));
                }
                MixCommand::FadeOut => {
                    wanted.ended = true;
                    let latency = s.bed.as_ref().map_or(Duration::ZERO, BedStream::latency);
                    s.bed_until = Some(now + latency + mix::FADE_OUT + LINGER);
                }
                MixCommand::Unschedule => s.unschedule(),
                MixCommand::Duck(_) | MixCommand::Cue(_) | MixCommand::CueIn(..) => {}
            }
            if !matches!(m, MixCommand::Unschedule | MixCommand::Pause(_)) {
                for b in &s.bells {
                    b.out.send(m);
                }
            }
            changes.push(m);
        }
        Command::Lost(id) => {
            if s.lose(shared, id) && wanted.bed() && s.retry_at.is_none() {
                // Headphones unplugged or the sound server gone: look again
                // now and then, quietly, until an output is back.
                s.retry_at = Some(now + s.retry_gap);
            }
        }
        Command::Shutdown => {}
    }
}

/// The device thread: it sleeps until a command or its next deadline
/// (closing a bell's stream once it has rung out, opening one for a
/// foreseen cue, closing the bed after the end fade, looking for a lost
/// output again). While the bed plays and nothing is due it blocks with no
/// timeout at all: a lost device is reported to it, not looked for.
fn device_thread(rx: &Receiver<Command>, shared: &Shared, mut wanted: Wanted) {
    // The threads the sound libraries start from here inherit this: the
    // PulseAudio reactor dies of an interrupted wait.
    crate::platform::signals::keep_from_this_thread();
    let clock = shared.onsets.clock().clone();
    let now = clock.now();
    let mut s = Streams {
        bed: None,
        bells: Vec::new(),
        timed: Vec::new(),
        bed_until: None,
        cork_at: None,
        retry_at: None,
        retry_gap: RETRY_FIRST,
        last_bell_attempt: Some(now),
        next_id: 0,
        #[cfg(target_os = "linux")]
        connection: None,
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
        let first = match s.next_deadline(&wanted) {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(t) => rx.recv_timeout(t.since(now)),
        };
        let mut batch = match first {
            Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
            Ok(c) => vec![c],
            Err(RecvTimeoutError::Timeout) => Vec::new(),
        };
        batch.extend(rx.try_iter());
        let now = clock.now();
        let mut changes = Vec::new();
        let mut shutdown = false;
        for command in batch {
            shutdown |= matches!(command, Command::Shutdown);
            // Cues told after a take-back are placed after it is done.
            let takes_back = matches!(command, Command::Mix(MixCommand::Unschedule));
            handle(&mut s, shared, &mut wanted, command, &mut changes, now);
            if takes_back {
                s.change_bed(&mut changes, &wanted);
            }
        }
        s.change_bed(&mut changes, &wanted);
        if shutdown {
            break;
        }
        // Whatever woke the thread, do what has fallen due.
        s.open_timed(shared, &wanted, now);
        s.tidy(now);
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
