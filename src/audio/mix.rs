//! The mix the device plays: a soundscape bed with fades, the bell cues on
//! top, the bed ducked under each cue, and the master volume. It is one rodio
//! `Source` pulled by the audio callback; commands reach it over a channel that
//! is polled every few milliseconds, so nothing in the callback blocks.
//!
//! The mix counts the frames it has made ([`Mix::position`]), and a command
//! can be given for a frame still to come ([`Mix::apply_at`]): a cue known
//! ahead starts on exactly that sample however long the output's buffer is.
//! A [`Mix::snapshot`] is a copy that makes the same frames from where the
//! original stood, so an output whose queued audio was dropped can make it
//! again from any frame (see `native.rs`).

use std::num::NonZero;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use super::Bed;
use super::bell::{Bell, SAMPLE_RATE};
use super::file::Loop;
use super::scape::{Generator, Scape};
use crate::audio::Cue;

/// Something the mix is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MixCommand {
    /// Sound a cue.
    Cue(Cue),
    /// Set the master volume step (0–10).
    Volume(u8),
    /// Silence everything, or not.
    Mute(bool),
    /// Fade the bed out (paused session) or back in.
    Pause(bool),
    /// Fade the bed out for good (the session ended).
    FadeOut,
    /// Lower the bed for as long as this cue lasts, without sounding it
    /// (the cue plays on another output).
    Duck(Cue),
    /// Sound a cue this long from now (from the mix's current frame, or,
    /// sent to a device, from the moment it is sent): a cue the session
    /// foresees, told ahead so that it starts on its exact sample.
    CueIn(Cue, Duration),
    /// Forget the cues told ahead that have not begun (the session changed
    /// course); the shell tells again those still to come.
    Unschedule,
}

/// How long the bed takes to fade in at the start (at least 5 s).
pub const FADE_IN: Duration = Duration::from_secs(6);
/// How long the bed takes to fade out at the end of a session.
pub const FADE_OUT: Duration = Duration::from_secs(8);
/// How long pausing and resuming take to silence and restore the bed.
pub const PAUSE_FADE: Duration = Duration::from_secs(2);
/// How far the bed is lowered under a cue.
pub const DUCK_GAIN: f32 = 0.35;
/// The master volume a new user starts at: soft.
pub const DEFAULT_VOLUME: u8 = 4;
/// The loudest master volume step.
pub const MAX_VOLUME: u8 = 10;

/// Frames between two looks at the command channel (about 5 ms).
const POLL_FRAMES: u32 = 256;

/// The linear gain of a master volume step: 0 is silent, each step is 2.5 dB,
/// 10 is full scale.
pub fn volume_gain(step: u8) -> f32 {
    if step == 0 {
        0.0
    } else {
        let db = (f32::from(step.min(MAX_VOLUME)) - 10.0) * 2.5;
        10f32.powf(db / 20.0)
    }
}

/// A gain that moves towards its target in a straight line, so fades are
/// monotonic and never click.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    value: f32,
    target: f32,
    step: f32,
}

impl Ramp {
    fn at(value: f32) -> Ramp {
        Ramp {
            value,
            target: value,
            step: 0.0,
        }
    }

    /// Moves to `target` over `over` at `rate` frames a second.
    fn to(&mut self, target: f32, over: Duration, rate: u32) {
        let frames = (over.as_secs_f32() * rate as f32).max(1.0);
        self.target = target;
        self.step = (target - self.value).abs() / frames;
    }

    /// Whether it has arrived where it was sent.
    fn settled(&self) -> bool {
        self.value == self.target
    }

    /// Whether it stands at `value` and is going nowhere else.
    fn settled_at(&self, value: f32) -> bool {
        self.settled() && self.target == value
    }

    fn next(&mut self) -> f32 {
        if self.value < self.target {
            self.value = (self.value + self.step).min(self.target);
        } else if self.value > self.target {
            self.value = (self.value - self.step).max(self.target);
        }
        self.value
    }
}

/// Where the bed's frames come from. One per mix, pulled every frame, so the
/// synthesiser stays inline rather than behind a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum BedSource {
    Synth(Generator),
    File(Loop),
}

/// The stereo mix as a rodio source (interleaved samples).
#[derive(Debug)]
pub struct Mix {
    rate: u32,
    bed: Option<BedSource>,
    cues: Vec<Bell>,
    commands: Option<Receiver<MixCommand>>,
    bed_gain: Ramp,
    duck: Ramp,
    master: Ramp,
    volume: u8,
    muted: bool,
    /// Frames left of a cue sounding elsewhere.
    ducked_for: u64,
    until_poll: u32,
    /// Where in the buffer being filled the first new cue began, for the
    /// cue-onset measurement.
    onset: Option<usize>,
    /// The frame of the current buffer that commands apply at.
    cursor: usize,
    frame: [f32; 2],
    right_next: bool,
    /// Frames made so far.
    pos: u64,
    /// Commands for frames still to come, in order of frame.
    scheduled: Vec<(u64, MixCommand)>,
}

impl Mix {
    /// A mix of `scape` (or only cues) at `volume`, fading the bed in, taking
    /// commands from `commands` if given.
    pub fn new(
        scape: Option<Scape>,
        volume: u8,
        muted: bool,
        commands: Option<Receiver<MixCommand>>,
    ) -> Mix {
        Mix::with_bed(scape.map(Bed::Scape), volume, muted, commands, SAMPLE_RATE)
    }

    /// Like [`Mix::new`], with any bed (a sound file too), at `rate` frames a
    /// second; the device thread uses the output's own rate so nothing has to
    /// be resampled. A file that cannot be decoded leaves the bed silent.
    pub fn with_bed(
        bed: Option<Bed>,
        volume: u8,
        muted: bool,
        commands: Option<Receiver<MixCommand>>,
        rate: u32,
    ) -> Mix {
        let rate = rate.max(8_000);
        let mut bed_gain = Ramp::at(0.0);
        bed_gain.to(1.0, FADE_IN, rate);
        let master = if muted { 0.0 } else { volume_gain(volume) };
        Mix {
            rate,
            bed: bed.and_then(|b| match b {
                Bed::Scape(s) => Some(BedSource::Synth(Generator::new(s, rate))),
                Bed::File(path) => Loop::load(&path, rate).ok().map(BedSource::File),
            }),
            cues: Vec::new(),
            commands,
            bed_gain,
            duck: Ramp::at(1.0),
            master: Ramp::at(master),
            volume,
            muted,
            ducked_for: 0,
            until_poll: 0,
            onset: None,
            cursor: 0,
            frame: [0.0; 2],
            right_next: false,
            pos: 0,
            scheduled: Vec::new(),
        }
    }

    /// A copy that goes on exactly as this mix would from here (the same
    /// frames, the same cues at the same samples), without its command
    /// channel.
    pub fn snapshot(&self) -> Mix {
        Mix {
            rate: self.rate,
            bed: self.bed.clone(),
            cues: self.cues.clone(),
            commands: None,
            bed_gain: self.bed_gain,
            duck: self.duck,
            master: self.master,
            volume: self.volume,
            muted: self.muted,
            ducked_for: self.ducked_for,
            until_poll: self.until_poll,
            onset: self.onset,
            cursor: self.cursor,
            frame: self.frame,
            right_next: self.right_next,
            pos: self.pos,
            scheduled: self.scheduled.clone(),
        }
    }

    /// The frames a second.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// How many frames the mix has made: the frame the next one will be.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Carries out `command` when the mix reaches `frame` (at once if it is
    /// there already); commands for the same frame keep their order.
    pub fn apply_at(&mut self, frame: u64, command: MixCommand) {
        if frame <= self.pos {
            self.apply(command);
            return;
        }
        let at = self.scheduled.partition_point(|(f, _)| *f <= frame);
        self.scheduled.insert(at, (frame, command));
    }

    /// The cues waiting for a frame still to come, with that frame.
    pub fn scheduled_cues(&self) -> impl Iterator<Item = (u64, Cue)> + '_ {
        self.scheduled.iter().filter_map(|(f, c)| match c {
            MixCommand::Cue(cue) => Some((*f, *cue)),
            _ => None,
        })
    }

    /// Frames in `d` at this mix's rate, rounded to the nearest.
    pub fn frames_in(&self, d: Duration) -> u64 {
        (d.as_secs_f64() * f64::from(self.rate)).round() as u64
    }

    /// Carries out one command.
    pub fn apply(&mut self, command: MixCommand) {
        let rate = self.rate;
        match command {
            MixCommand::CueIn(cue, d) => {
                let at = self.pos + self.frames_in(d);
                self.apply_at(at, MixCommand::Cue(cue));
            }
            MixCommand::Unschedule => self
                .scheduled
                .retain(|(_, c)| !matches!(c, MixCommand::Cue(_) | MixCommand::Duck(_))),
            MixCommand::Cue(cue) => {
                self.cues.push(Bell::new(cue, rate));
                self.onset.get_or_insert(self.cursor);
            }
            MixCommand::Volume(v) => {
                self.volume = v.min(MAX_VOLUME);
                self.set_master();
            }
            MixCommand::Mute(m) => {
                self.muted = m;
                self.set_master();
            }
            MixCommand::Pause(true) => self.bed_gain.to(0.0, PAUSE_FADE, rate),
            MixCommand::Pause(false) => self.bed_gain.to(1.0, PAUSE_FADE, rate),
            MixCommand::FadeOut => self.bed_gain.to(0.0, FADE_OUT, rate),
            MixCommand::Duck(cue) => {
                let frames = Bell::new(cue, rate).length().as_secs_f64() * f64::from(rate);
                self.ducked_for = self.ducked_for.max(frames as u64);
            }
        }
    }

    fn set_master(&mut self) {
        let target = if self.muted {
            0.0
        } else {
            volume_gain(self.volume)
        };
        self.master
            .to(target, Duration::from_millis(150), self.rate);
    }

    /// True while a cue is sounding (here or on another output).
    pub fn cue_active(&self) -> bool {
        !self.cues.is_empty() || self.ducked_for > 0
    }

    fn poll(&mut self) {
        // Taken out and put back so commands apply without allocating in the
        // audio callback.
        if let Some(rx) = self.commands.take() {
            while let Ok(c) = rx.try_recv() {
                self.apply(c);
            }
            self.commands = Some(rx);
        }
    }

    /// The next stereo frame.
    pub fn next_frame(&mut self) -> [f32; 2] {
        let mut one = [[0.0; 2]];
        self.fill(&mut one);
        one[0]
    }

    /// Fills `out` with the next stereo frames, looking at the command channel
    /// every [`POLL_FRAMES`] and carrying out scheduled commands on their
    /// frame; the audio callback fills whole buffers this way.
    pub fn fill(&mut self, out: &mut [[f32; 2]]) {
        let mut done = 0;
        while done < out.len() {
            self.cursor = done;
            if self.until_poll == 0 {
                self.poll();
                self.until_poll = POLL_FRAMES;
            }
            while let Some(&(frame, command)) = self.scheduled.first() {
                if frame > self.pos {
                    break;
                }
                self.scheduled.remove(0);
                self.apply(command);
            }
            self.cursor = 0;
            let mut n = (out.len() - done).min(self.until_poll as usize);
            if let Some((frame, _)) = self.scheduled.first() {
                let until = usize::try_from(frame - self.pos).unwrap_or(usize::MAX);
                n = n.min(until);
            }
            self.until_poll -= n as u32;
            self.render(&mut out[done..done + n]);
            self.pos += n as u64;
            done += n;
        }
    }

    /// The frame, within the buffers filled since the last call, at which a
    /// cue taken from the command channel began sounding.
    pub fn take_onset(&mut self) -> Option<usize> {
        self.onset.take()
    }

    fn render(&mut self, block: &mut [[f32; 2]]) {
        match &mut self.bed {
            Some(BedSource::Synth(g)) => g.fill(block),
            Some(BedSource::File(l)) => block.iter_mut().for_each(|f| *f = l.frame()),
            None => block.fill([0.0; 2]),
        }
        if self.cues.is_empty()
            && self.ducked_for == 0
            && self.duck.settled_at(1.0)
            && self.bed_gain.settled()
            && self.master.settled()
        {
            // Most of a session: no bell, no fade. The gains stand still,
            // so the loop is two multiplications a sample, the same
            // arithmetic as below.
            let (bed_level, master) = (self.bed_gain.value * self.duck.value, self.master.value);
            for frame in block.iter_mut() {
                *frame = [frame[0] * bed_level * master, frame[1] * bed_level * master];
            }
            return;
        }
        for frame in block.iter_mut() {
            let mut cue = 0.0;
            if !self.cues.is_empty() {
                self.cues.retain_mut(|b| match b.next() {
                    Some(s) => {
                        cue += s;
                        true
                    }
                    None => false,
                });
            }
            self.ducked_for = self.ducked_for.saturating_sub(1);
            if self.cues.is_empty() && self.ducked_for == 0 {
                // Come back up slowly once the bell has faded.
                if self.duck.target != 1.0 {
                    self.duck.to(1.0, Duration::from_millis(800), self.rate);
                }
            } else if self.duck.target != DUCK_GAIN {
                // A bell rung here is met at once; one rung on its own
                // stream reaches this long-buffered bed a little late, so
                // the bed eases down rather than dropping mid-bell.
                let over = if self.cues.is_empty() { 300 } else { 60 };
                self.duck
                    .to(DUCK_GAIN, Duration::from_millis(over), self.rate);
            }
            let bed_level = self.bed_gain.next() * self.duck.next();
            let master = self.master.next();
            *frame = [
                (frame[0] * bed_level + cue) * master,
                (frame[1] * bed_level + cue) * master,
            ];
        }
    }
}

impl Iterator for Mix {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.right_next {
            self.right_next = false;
            return Some(self.frame[1]);
        }
        self.frame = self.next_frame();
        self.right_next = true;
        Some(self.frame[0])
    }
}

impl rodio::Source for Mix {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        NonZero::new(2).unwrap_or(NonZero::<u16>::MIN)
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        NonZero::new(self.rate).unwrap_or(NonZero::<u32>::MIN)
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: usize = SAMPLE_RATE as usize;

    fn frames(mix: &mut Mix, seconds: f32) -> Vec<[f32; 2]> {
        (0..(seconds * RATE as f32) as usize)
            .map(|_| mix.next_frame())
            .collect()
    }

    #[test]
    fn filling_blocks_gives_the_same_sound_as_frame_by_frame() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (tx2, rx2) = std::sync::mpsc::channel();
        let mut a = Mix::new(Some(Scape::Rain), 6, false, Some(rx));
        let mut b = Mix::new(Some(Scape::Rain), 6, false, Some(rx2));
        for t in [&tx, &tx2] {
            t.send(MixCommand::Cue(Cue::NextStep)).unwrap();
        }
        let one: Vec<[f32; 2]> = (0..RATE).map(|_| a.next_frame()).collect();
        let mut blocks = vec![[0.0f32; 2]; RATE];
        for chunk in blocks.chunks_mut(997) {
            b.fill(chunk);
        }
        assert_eq!(one, blocks);
        assert!(a.cue_active() && b.cue_active());
    }

    /// The largest step between neighbouring left-channel samples.
    fn max_jump(frames: &[[f32; 2]]) -> f32 {
        frames
            .windows(2)
            .map(|w| (w[1][0] - w[0][0]).abs())
            .fold(0.0, f32::max)
    }

    fn rms(frames: &[[f32; 2]]) -> f32 {
        (frames.iter().map(|f| f[0] * f[0]).sum::<f32>() / frames.len() as f32).sqrt()
    }

    #[test]
    fn volume_steps_are_two_and_a_half_db_apart() {
        assert_eq!(volume_gain(0), 0.0);
        assert_eq!(volume_gain(10), 1.0);
        let ratio = volume_gain(5) / volume_gain(4);
        assert!((20.0 * ratio.log10() - 2.5).abs() < 1e-3);
    }

    #[test]
    fn the_bed_fades_in_monotonically_over_six_seconds() {
        let mut mix = Mix::new(Some(Scape::Drone), 10, false, None);
        let mut last = 0.0;
        for i in 0..(7 * RATE) {
            mix.next_frame();
            let g = mix.bed_gain.value;
            assert!(g >= last, "fade-in fell at frame {i}");
            last = g;
            if i == 5 * RATE {
                assert!(g < 1.0, "fade-in shorter than 5 s");
            }
        }
        assert_eq!(last, 1.0);
    }

    #[test]
    fn pausing_silences_the_bed_smoothly_and_resuming_restores_it() {
        let mut mix = Mix::new(Some(Scape::Surf), 10, false, None);
        frames(&mut mix, 8.0);
        mix.apply(MixCommand::Pause(true));
        let fade = frames(&mut mix, 2.5);
        let jump = max_jump(&fade);
        assert!(jump < 0.1, "pause clicked: {jump}");
        assert!(
            rms(&fade[fade.len() - RATE / 10..]) < 1e-6,
            "bed still audible"
        );
        mix.apply(MixCommand::Pause(false));
        let back = frames(&mut mix, 3.0);
        assert!(rms(&back[back.len() - RATE / 2..]) > 0.01);
    }

    #[test]
    fn the_bed_is_ducked_while_a_cue_sounds() {
        let mut mix = Mix::new(Some(Scape::Rain), 10, false, None);
        frames(&mut mix, 7.0);
        mix.apply(MixCommand::Cue(Cue::EndingSoon));
        frames(&mut mix, 0.2);
        assert!(mix.cue_active());
        assert!((mix.duck.value - DUCK_GAIN).abs() < 1e-6);
        frames(&mut mix, 3.0);
        assert!(!mix.cue_active());
        assert_eq!(mix.duck.value, 1.0, "back up after the cue");
    }

    #[test]
    fn a_cue_on_another_output_still_ducks_the_bed_but_adds_no_sound() {
        let mut with_duck = Mix::new(Some(Scape::Drone), 10, false, None);
        let mut plain = Mix::new(Some(Scape::Drone), 10, false, None);
        frames(&mut with_duck, 7.0);
        frames(&mut plain, 7.0);
        with_duck.apply(MixCommand::Duck(Cue::NextStep));
        let ducked = frames(&mut with_duck, 1.0);
        let open = frames(&mut plain, 1.0);
        let ratio = rms(&ducked[RATE / 2..]) / rms(&open[RATE / 2..]);
        assert!((ratio - DUCK_GAIN).abs() < 0.01, "{ratio}");
        frames(&mut with_duck, 3.5);
        assert!(!with_duck.cue_active());
    }

    #[test]
    fn mute_and_fade_out_reach_silence_without_clicks() {
        let mut mix = Mix::new(Some(Scape::Surf), 6, false, None);
        frames(&mut mix, 7.0);
        mix.apply(MixCommand::FadeOut);
        let out = frames(&mut mix, 8.5);
        let jump = max_jump(&out);
        assert!(jump < 0.05, "{jump}");
        assert!(rms(&out[out.len() - RATE / 10..]) < 1e-6);
        let mut mix = Mix::new(None, 6, false, None);
        mix.apply(MixCommand::Mute(true));
        mix.apply(MixCommand::Cue(Cue::SessionStart));
        let muted = frames(&mut mix, 1.0);
        assert!(rms(&muted[RATE / 2..]) < 1e-6);
    }

    #[test]
    fn commands_arrive_through_the_channel() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut mix = Mix::new(None, 10, false, Some(rx));
        tx.send(MixCommand::Cue(Cue::NextStep)).expect("send");
        let sound = frames(&mut mix, 0.5);
        assert!(rms(&sound) > 0.001);
    }

    /// The first frame at which the left channel leaves silence.
    fn first_sound(frames: &[[f32; 2]]) -> Option<usize> {
        frames.iter().position(|f| f[0] != 0.0)
    }

    #[test]
    fn a_cue_told_ahead_starts_on_its_exact_sample_whatever_the_buffer() {
        for block in [1usize, 256, 997, 48_000, 192_000] {
            let mut mix = Mix::new(None, 10, false, None);
            mix.apply(MixCommand::CueIn(
                Cue::EndingSoon,
                Duration::from_micros(2_500_500),
            ));
            let mut out = vec![[0.0f32; 2]; 3 * RATE];
            for chunk in out.chunks_mut(block) {
                mix.fill(chunk);
            }
            // 2.5005 s at 48 kHz is frame 120 024.
            assert_eq!(first_sound(&out), Some(120_025), "block {block}");
            assert_eq!(mix.position(), 3 * RATE as u64);
        }
    }

    #[test]
    fn the_onset_of_a_scheduled_cue_is_reported_within_its_buffer() {
        let mut mix = Mix::new(None, 10, false, None);
        mix.apply_at(1000, MixCommand::Cue(Cue::NextStep));
        let mut out = vec![[0.0f32; 2]; 512];
        mix.fill(&mut out);
        assert_eq!(mix.take_onset(), None);
        mix.fill(&mut out);
        assert_eq!(mix.take_onset(), Some(1000 - 512));
    }

    #[test]
    fn a_snapshot_makes_the_same_frames_from_where_it_was_taken() {
        let mut mix = Mix::new(Some(Scape::Rain), 7, false, None);
        frames(&mut mix, 1.3);
        mix.apply_at(mix.position() + 3000, MixCommand::Cue(Cue::Overtime));
        mix.apply(MixCommand::Volume(5));
        let mut copy = mix.snapshot();
        let a = frames(&mut mix, 1.0);
        let b = frames(&mut copy, 1.0);
        assert_eq!(a, b);
        assert!(rms(&a) > 1e-3);
    }

    #[test]
    fn unscheduled_cues_do_not_sound() {
        let mut mix = Mix::new(None, 10, false, None);
        mix.apply(MixCommand::CueIn(Cue::NextStep, Duration::from_millis(100)));
        mix.apply(MixCommand::Volume(9));
        assert_eq!(mix.scheduled_cues().count(), 1);
        mix.apply(MixCommand::Unschedule);
        assert_eq!(mix.scheduled_cues().count(), 0);
        assert_eq!(first_sound(&frames(&mut mix, 1.0)), None);
    }

    #[test]
    fn the_source_is_interleaved_stereo() {
        use rodio::Source;
        let mix = Mix::new(Some(Scape::Drone), 5, false, None);
        assert_eq!(mix.channels().get(), 2);
        assert_eq!(mix.sample_rate().get(), SAMPLE_RATE);
        assert_eq!(mix.take(10).count(), 10);
    }
}
