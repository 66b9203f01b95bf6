//! The bed on Linux, spoken straight to the sound server in the PulseAudio
//! protocol (which PipeWire's pipewire-pulse serves too), with the pure-Rust
//! `pulseaudio` crate rather than through ALSA's plugin or cpal's own hosts.
//!
//! One playback stream asks for a 4 s target and 1 s requests and leaves the
//! server to choose its own latency: the server then asks for a second of
//! audio about every second and a half, the crate's one reactor thread makes
//! it from the [`Mix`] and sleeps in between, and the server's sink is not
//! driven to a short latency. (A target of twice the request or less makes
//! PulseAudio run the sink at its minimum latency, two thousand wake-ups a
//! second: [`buffer_attr`] never asks for that. cpal's PulseAudio host does,
//! and polls the stream's latency ten times a second besides.)
//!
//! With four seconds queued, what the session changes must not wait for the
//! queue to play out:
//! - cues the session foresees are placed on their sample ahead of time,
//!   from the server's own account of which byte it is playing
//!   ([`NativeBed::schedule`]);
//! - volume, mute, the bed lowered under a bell rung by a key, pausing and
//!   the end fade are made again from the moment the change is asked for:
//!   the queue is flushed and refilled from a copy of the mix taken a
//!   quarter of a second before the first frame the server still holds
//!   ([`NativeBed::change`]). The new frames carry on the old ones exactly,
//!   so the change is a gentle ramp a few milliseconds after the key,
//!   not a jump in the sound;
//! - a paused session's stream is corked once its fade is over, so the
//!   server stops asking for it.
//!
//! The loss of the server is an event, not a poll: a thread waits on the
//! stream's end (`play_all`), which comes back when the connection drops.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures::executor::block_on;
use pulseaudio::protocol;

#[cfg(test)]
use super::Cue;
use super::mix::{Mix, MixCommand};
use crate::clock::{Clock, Moment, SystemClock};

/// The server's buffer for the bed: four seconds of audio.
pub(super) const TARGET: Duration = Duration::from_secs(4);
/// The least the server asks for at a time: one second.
pub(super) const REQUEST: Duration = Duration::from_secs(1);
/// How far apart the copies of the mix are that a change is made from.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(250);
/// How much audio the copies reach back over: more than the server holds.
const HISTORY: Duration = Duration::from_secs(8);
/// How many times the server is asked where it plays, for one cue.
const ANCHOR_TRIES: usize = 3;
/// The socket's send buffer: more than the largest request.
const SEND_BUFFER: usize = 2 << 20;
/// Bytes in one frame: stereo 32-bit float.
const FRAME_BYTES: usize = 8;

/// Whether a PulseAudio-protocol server is there to talk to.
pub(super) fn server_present() -> bool {
    pulseaudio::socket_path_from_env().is_some()
}

/// A connection to the sound server, kept while it lasts so that a bed
/// reopened later needs no new handshake.
pub(super) struct Connection {
    client: pulseaudio::Client,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects to the server the environment names.
    pub(super) fn open() -> Option<Connection> {
        let path = pulseaudio::socket_path_from_env()?;
        let socket = std::os::unix::net::UnixStream::connect(path).ok()?;
        // The server asks for about two seconds of audio at a time (800 kB);
        // through the default 200 kB send buffer that takes four wake-ups
        // of the reactor to write, through this one one. The system caps it
        // (net.core.wmem_max); less is only more wake-ups.
        let _ = rustix::net::sockopt::set_socket_send_buffer_size(&socket, SEND_BUFFER);
        let cookie = pulseaudio::cookie_path_from_env().and_then(|p| std::fs::read(p).ok());
        let client = pulseaudio::Client::new_unix(c"stillpoint", socket, cookie).ok()?;
        Some(Connection { client })
    }
}

/// The buffer the bed asks the server for, at `rate` frames a second.
pub(super) fn buffer_attr(rate: u32) -> protocol::stream::BufferAttr {
    let bytes = |d: Duration| (d.as_secs_f64() * f64::from(rate)) as u32 * FRAME_BYTES as u32;
    let target = bytes(TARGET);
    // Never let the target come down to twice the request (see above).
    let request = bytes(REQUEST).min(target / 3);
    protocol::stream::BufferAttr {
        max_length: u32::MAX,
        target_length: target,
        pre_buffering: u32::MAX,
        minimum_request_length: request,
        ..Default::default()
    }
}

/// What the reactor thread fills the stream from, and the device thread
/// changes.
struct Feed {
    /// The mix as it stands at the end of what has been sent.
    mix: Mix,
    /// Copies of the mix every [`SNAPSHOT_EVERY`], oldest first.
    snapshots: VecDeque<Mix>,
    /// Every command given at a frame, in frame order, back to the oldest
    /// snapshot: a mix remade from a snapshot is given them again.
    plan: Vec<(u64, MixCommand)>,
    /// While the queue is being flushed nothing is sent.
    hold: bool,
    waker: Option<Waker>,
    snapshot_frames: u64,
    history_frames: u64,
    /// Scratch for one block of frames.
    block: Vec<[f32; 2]>,
}

impl Feed {
    fn new(mix: Mix) -> Feed {
        let snapshot_frames = mix.frames_in(SNAPSHOT_EVERY).max(1);
        let history_frames = mix.frames_in(HISTORY);
        Feed {
            mix,
            snapshots: VecDeque::new(),
            plan: Vec::new(),
            hold: false,
            waker: None,
            snapshot_frames,
            history_frames,
            block: vec![[0.0; 2]; 1024],
        }
    }

    /// Fills `buf` with whole frames of little-endian float stereo, taking
    /// a snapshot at each boundary; returns the bytes written.
    fn render(&mut self, buf: &mut [u8]) -> usize {
        let frames = buf.len() / FRAME_BYTES;
        let mut done = 0;
        while done < frames {
            let pos = self.mix.position();
            if pos.is_multiple_of(self.snapshot_frames) {
                self.take_snapshot();
            }
            let to_boundary = self.snapshot_frames - pos % self.snapshot_frames;
            let n = (frames - done)
                .min(self.block.len())
                .min(usize::try_from(to_boundary).unwrap_or(usize::MAX));
            let block = &mut self.block[..n];
            self.mix.fill(block);
            let out = &mut buf[done * FRAME_BYTES..(done + n) * FRAME_BYTES];
            for (bytes, [l, r]) in out.chunks_exact_mut(FRAME_BYTES).zip(block.iter()) {
                bytes[..4].copy_from_slice(&l.to_le_bytes());
                bytes[4..].copy_from_slice(&r.to_le_bytes());
            }
            done += n;
        }
        frames * FRAME_BYTES
    }

    fn take_snapshot(&mut self) {
        let pos = self.mix.position();
        if self.snapshots.back().is_some_and(|s| s.position() == pos) {
            return;
        }
        self.snapshots.push_back(self.mix.snapshot());
        while self
            .snapshots
            .front()
            .is_some_and(|s| pos - s.position() > self.history_frames)
        {
            self.snapshots.pop_front();
        }
        let oldest = self.snapshots.front().map_or(pos, Mix::position);
        self.plan.retain(|(f, _)| *f >= oldest);
    }

    /// Gives `command` at `frame`, now and to every mix remade later.
    fn plan(&mut self, frame: u64, command: MixCommand) {
        let at = self.plan.partition_point(|(f, _)| *f <= frame);
        self.plan.insert(at, (frame, command));
        self.mix.apply_at(frame, command);
    }

    /// Remakes the mix as it stood at `frame`, from the latest snapshot at
    /// or before it and every command planned since. False if `frame` is
    /// older than every snapshot (the mix then goes on from where it is).
    fn rewind_to(&mut self, frame: u64) -> bool {
        if frame >= self.mix.position() {
            return true;
        }
        let Some(at) = self.snapshots.iter().rposition(|s| s.position() <= frame) else {
            return false;
        };
        self.snapshots.truncate(at + 1);
        let mut mix = self.snapshots[at].snapshot();
        let from = mix.position();
        for &(f, c) in self.plan.iter().filter(|(f, _)| *f >= from) {
            mix.apply_at(f, c);
        }
        let mut left = frame - from;
        while left > 0 {
            let n = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(self.block.len());
            mix.fill(&mut self.block[..n]);
            left -= n as u64;
        }
        // The copy makes no onset report for a cue the real one already made.
        mix.take_onset();
        self.mix = mix;
        true
    }
}

fn lock(feed: &Mutex<Feed>) -> MutexGuard<'_, Feed> {
    feed.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The stream's source: the feed, or nothing yet while it is held.
struct Source(Arc<Mutex<Feed>>);

impl pulseaudio::PlaybackSource for Source {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<usize> {
        let mut feed = lock(&self.0);
        if feed.hold {
            feed.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        match feed.render(buf) {
            // Zero would end the stream: a part-frame request gets silence.
            0 => {
                buf.fill(0);
                Poll::Ready(buf.len())
            }
            n => Poll::Ready(n),
        }
    }
}

/// Where the server is playing: the frame it has read up to and when that
/// frame is heard.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    frame: u64,
    heard: Moment,
}

/// The bed playing on its own stream of the sound server.
pub(super) struct NativeBed {
    stream: pulseaudio::PlaybackStream,
    feed: Arc<Mutex<Feed>>,
    clock: SystemClock,
    rate: u32,
    corked: bool,
    /// The target and request the server granted, in frames.
    granted: (u32, u32),
}

impl std::fmt::Debug for NativeBed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeBed")
            .field("rate", &self.rate)
            .field("granted", &self.granted)
            .field("corked", &self.corked)
            .finish_non_exhaustive()
    }
}

impl NativeBed {
    /// Opens the bed's stream on `connection`, playing the mix `make` builds
    /// for the default sink's rate. `ended` is called once, from a thread of
    /// its own, when the stream ends: the server went away, or the stream
    /// was closed.
    pub(super) fn open(
        connection: &Connection,
        clock: &SystemClock,
        make: impl FnOnce(u32) -> Mix,
        ended: impl FnOnce() + Send + 'static,
    ) -> Option<NativeBed> {
        let client = &connection.client;
        let sink = block_on(client.sink_info_by_name(protocol::DEFAULT_SINK.to_owned())).ok();
        let rate = sink
            .map_or(48_000, |s| s.sample_spec.sample_rate)
            .max(8_000);
        let mix = make(rate);
        let feed = Arc::new(Mutex::new(Feed::new(mix)));
        let mut props = protocol::Props::new();
        props.set(protocol::Prop::MediaName, c"soundscape");
        props.set(protocol::Prop::MediaRole, c"music");
        let params = protocol::PlaybackStreamParams {
            sample_spec: protocol::SampleSpec {
                format: protocol::SampleFormat::Float32Le,
                channels: 2,
                sample_rate: rate,
            },
            channel_map: protocol::ChannelMap::stereo(),
            sink_name: Some(protocol::DEFAULT_SINK.to_owned()),
            buffer_attr: buffer_attr(rate),
            props,
            ..Default::default()
        };
        let source = Source(Arc::clone(&feed));
        let stream = block_on(client.create_playback_stream(params, source)).ok()?;
        let attr = stream.buffer_attr();
        let granted = (
            attr.target_length / FRAME_BYTES as u32,
            attr.minimum_request_length / FRAME_BYTES as u32,
        );
        let watched = stream.clone();
        std::thread::Builder::new()
            .name("stillpoint-bed".into())
            .spawn(move || {
                // Comes back only when the stream ends; the bed's source
                // never does, so this is the connection dropping or the
                // stream being deleted.
                let _ = block_on(watched.play_all());
                drop(watched);
                ended();
            })
            .ok()?;
        Some(NativeBed {
            stream,
            feed,
            clock: clock.clone(),
            rate,
            corked: false,
            granted,
        })
    }

    /// What was asked for and granted, in words.
    pub(super) fn describe(&self) -> String {
        let ms = |frames: u32| u64::from(frames) * 1000 / u64::from(self.rate);
        format!(
            "native PulseAudio protocol at {} Hz: target {} frames ({} ms), request {} frames ({} ms)",
            self.rate,
            self.granted.0,
            ms(self.granted.0),
            self.granted.1,
            ms(self.granted.1)
        )
    }

    /// Asks the server where it is playing. None if it cannot say (the
    /// stream is not playing yet, or the server is gone).
    fn anchor(&self) -> Option<Anchor> {
        // The reply tells how things stood when the server sent it, taken
        // to be half-way through the round trip; of a few asks, the
        // quickest is the one least in doubt (on a busy machine a round
        // trip can take milliseconds).
        let mut best: Option<(Duration, Anchor)> = None;
        for _ in 0..ANCHOR_TRIES {
            let before = self.clock.now();
            let t = block_on(self.stream.timing_info()).ok()?;
            let after = self.clock.now();
            if !t.playing {
                return None;
            }
            let trip = after.since(before);
            let frames = |bytes: i64| u64::try_from(bytes.max(0)).unwrap_or(0) / FRAME_BYTES as u64;
            let anchor = Anchor {
                frame: frames(t.read_offset),
                heard: before + trip / 2 + Duration::from_micros(t.sink_usec),
            };
            if best.is_none_or(|(b, _)| trip < b) {
                best = Some((trip, anchor));
            }
        }
        best.map(|(_, a)| a)
    }

    /// Places `command` on the frame heard at `at`. False if that frame
    /// cannot be known or is already being played: the caller sounds it
    /// another way.
    pub(super) fn schedule(&mut self, at: Moment, command: MixCommand) -> bool {
        if self.corked {
            return false;
        }
        let Some(anchor) = self.anchor() else {
            return false;
        };
        if at < anchor.heard {
            return false;
        }
        let frame = anchor.frame + frames_in(at.since(anchor.heard), self.rate);
        let sent = lock(&self.feed).mix.position();

        if frame >= sent {
            lock(&self.feed).plan(frame, command);
            return true;
        }
        // Already made and queued: make the queue again with the cue in it.
        self.change(&[], Some((frame, command)))
    }

    /// Carries out `commands` from the first frame the server has not yet
    /// played (and `also` at its own frame): the queue is flushed and made
    /// again from there. False if the server did not answer.
    pub(super) fn change(
        &mut self,
        commands: &[MixCommand],
        also: Option<(u64, MixCommand)>,
    ) -> bool {
        lock(&self.feed).hold = true;
        let ok = block_on(self.stream.flush()).is_ok();
        // Nothing is sent while held, so the server's write index is where
        // it has read to: the first frame it will play.
        let timing = block_on(self.stream.timing_info()).ok();
        let mut feed = lock(&self.feed);
        if let Some(t) = timing.filter(|_| ok) {
            let from = u64::try_from(t.write_offset.max(0)).unwrap_or(0) / FRAME_BYTES as u64;
            if feed.rewind_to(from) {
                let from = feed.mix.position();
                for c in commands {
                    match c {
                        MixCommand::Unschedule => {
                            feed.plan.retain(|(f, c)| *f < from || !is_cue(*c));
                            feed.mix.apply(MixCommand::Unschedule);
                        }
                        c => feed.plan(from, *c),
                    }
                }
            } else {
                commands.iter().for_each(|c| feed.mix.apply(*c));
            }
            if let Some((frame, c)) = also
                && frame >= feed.mix.position()
            {
                feed.plan(frame, c);
            }
        }
        feed.hold = false;
        if let Some(w) = feed.waker.take() {
            w.wake();
        }
        timing.is_some() && ok
    }

    /// Stops the server playing the bed at once (true) or starts it again.
    pub(super) fn cork(&mut self, cork: bool) -> bool {
        if self.corked == cork {
            return true;
        }
        self.corked = cork;
        let done = if cork {
            block_on(self.stream.cork())
        } else {
            block_on(self.stream.uncork())
        };
        done.is_ok()
    }

    /// Whether the stream is corked.
    pub(super) fn corked(&self) -> bool {
        self.corked
    }
}

impl Drop for NativeBed {
    fn drop(&mut self) {
        // Deleting the stream ends the thread waiting on it. Sent, not
        // waited for: a server that hangs must not hold up the session.
        let _ = futures::FutureExt::now_or_never(self.stream.clone().delete());
    }
}

fn is_cue(c: MixCommand) -> bool {
    matches!(c, MixCommand::Cue(_) | MixCommand::Duck(_))
}

fn frames_in(d: Duration, rate: u32) -> u64 {
    (d.as_secs_f64() * f64::from(rate)).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Bed;
    use crate::audio::scape::Scape;

    fn feed() -> Feed {
        Feed::new(Mix::with_bed(
            Some(Bed::Scape(Scape::Surf)),
            6,
            false,
            None,
            48_000,
        ))
    }

    fn bytes(feed: &mut Feed, frames: usize) -> Vec<u8> {
        let mut buf = vec![0u8; frames * FRAME_BYTES];
        assert_eq!(feed.render(&mut buf), buf.len());
        buf
    }

    #[test]
    fn the_target_stays_well_above_twice_the_request() {
        for rate in [8_000, 44_100, 48_000, 96_000] {
            let a = buffer_attr(rate);
            assert!(a.target_length >= 3 * a.minimum_request_length, "{a:?}");
            assert_eq!(a.target_length as usize % FRAME_BYTES, 0);
            assert_eq!(a.minimum_request_length as usize % FRAME_BYTES, 0);
        }
        let a = buffer_attr(48_000);
        assert_eq!(a.target_length, 4 * 48_000 * 8);
        assert_eq!(a.minimum_request_length, 48_000 * 8);
    }

    #[test]
    fn a_remade_mix_carries_on_the_frames_already_sent_exactly() {
        let mut a = feed();
        let mut b = feed();
        a.plan(150_000, MixCommand::Cue(Cue::NextStep));
        b.plan(150_000, MixCommand::Cue(Cue::NextStep));
        // The reactor's requests come in odd sizes.
        let mut sent = Vec::new();
        for n in [192_000, 48_013, 47_987] {
            sent.extend(bytes(&mut a, n));
        }
        let reference = bytes(&mut b, 288_000 + 48_000);
        assert_eq!(sent[..], reference[..sent.len()]);
        // The server played up to frame 200 000 and dropped the rest.
        assert!(a.rewind_to(200_000));
        assert_eq!(a.mix.position(), 200_000);
        let again = bytes(&mut a, 136_000);
        assert_eq!(again[..], reference[200_000 * FRAME_BYTES..]);
    }

    #[test]
    fn a_change_takes_effect_from_the_frame_rewound_to() {
        let mut a = feed();
        let _ = bytes(&mut a, 400_000);
        assert!(a.rewind_to(310_000));
        let from = a.mix.position();
        a.plan(from, MixCommand::Mute(true));
        let after = bytes(&mut a, 48_000);
        let tail = &after[24_000 * FRAME_BYTES..];
        let silent = tail
            .chunks_exact(4)
            .all(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) == 0.0);
        assert!(silent, "muted within half a second");
        // A later rewind to before the change keeps it: it is in the plan.
        assert!(a.rewind_to(from + 10));
        let again = bytes(&mut a, 47_990);
        assert_eq!(again[..], after[10 * FRAME_BYTES..]);
    }

    #[test]
    fn history_reaches_back_further_than_the_server_holds() {
        let mut a = feed();
        let _ = bytes(&mut a, 48_000 * 20);
        let oldest = a.snapshots.front().map(Mix::position).unwrap_or(0);
        let newest = a.mix.position();
        let held = newest - oldest;
        assert!(held >= 48_000 * 6, "{held}");
        assert!(a.snapshots.len() <= 40);
        assert!(!a.rewind_to(oldest.saturating_sub(1)));
        assert!(a.rewind_to(newest - 48_000 * 5));
    }
}
