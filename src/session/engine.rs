//! The session engine: a deterministic state machine over a [`Protocol`].
//!
//! `Session::handle(input, now)` changes the state and returns the [`Effect`]s the
//! shell must carry out (cues to play, journal entries to write, a redraw). The
//! engine never reads a clock: every input comes with the moment it happened.
//! Elapsed time is always computed from timestamps (start, accumulated pauses,
//! now), never by adding up ticks, so a late or missed tick cannot cause drift;
//! a tick that arrives late (after a suspend or SIGSTOP) catches up, ending each
//! step at the exact moment it was due.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::audio::Cue;
use crate::audio::mix::MixCommand;
use crate::clock::Moment;
use crate::protocol::{Advance, Protocol, Step};
pub use crate::session::record::{EndedBy, Entry, Logged};

/// How much `+` and `-` change the current step's target.
pub const NUDGE: Duration = Duration::from_secs(30);
/// How long before a step's end the "ending soon" cue sounds.
pub const DEFAULT_LEAD: Duration = Duration::from_secs(10);
/// How often a manual hold in overtime is gently reminded of.
pub const DEFAULT_REMINDER: Duration = Duration::from_secs(60);
/// How often a running step writes a progress line, so a session that is
/// killed can be resumed at most this far from where it was.
pub const PROGRESS: Duration = Duration::from_secs(10);

/// Something that happened, fed to [`Session::handle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// Time has passed; the engine checks for step ends and cues.
    Tick,
    /// Start the session (when ready) or move to the next step.
    Next,
    /// Go back to the previous step (or restart the first).
    Back,
    /// Stop the clock.
    Pause,
    /// Start the clock again.
    Resume,
    /// Add 30 s to the current step.
    Extend,
    /// Take 30 s from the current step.
    Shorten,
    /// End the session early (the shell has already asked for confirmation).
    Quit,
}

/// Something the shell must do after an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Play a cue.
    Cue(Cue),
    /// Append to the journal.
    Log(Logged),
    /// Change the sound (volume, mute, the bed paused or faded). The engine
    /// itself only asks for cues; the shell's own parts send these.
    Sound(MixCommand),
    /// The state changed in a way the screen shows.
    Redraw,
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for one press of next while the therapist settles their hands.
    Ready,
    /// The current step's clock is running, before its target.
    Running,
    /// A manual hold is past its target, counting up.
    Overtime,
    /// The clock is stopped.
    Paused {
        /// When the pause began.
        since: Moment,
        /// Whether the hold was in overtime when paused.
        was_overtime: bool,
    },
    /// The session is over.
    Finished {
        /// When it ended.
        at: Moment,
        /// True when every step was worked through.
        completed: bool,
    },
}

/// Where a step stands on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Not reached yet.
    Upcoming,
    /// The step being worked now.
    Current,
    /// Worked through.
    Done,
}

/// The clock of the step being worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StepClock {
    started: Moment,
    /// Time paused during this visit, completed pauses only.
    paused: Duration,
    /// The target, after extends and shortens.
    target: Duration,
    ending_soon_cued: bool,
    /// Overtime reminders sounded so far in this visit.
    reminders: u32,
    /// Progress lines written so far in this visit.
    progress: u32,
}

/// A session in progress: the protocol plus everything that has happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Shared with whoever chose it: a protocol of 10,000 steps is held once.
    protocol: Arc<Protocol>,
    phase: Phase,
    current: usize,
    step: StepClock,
    /// When the first step began.
    started: Option<Moment>,
    /// Completed pauses across the whole session.
    paused_total: Duration,
    /// Time spent in each step so far (all visits), pauses excluded.
    actual: Vec<Duration>,
    /// Whether each step has been worked through at least once.
    done: Vec<bool>,
    /// `planned_after[i]`: the planned time of every step from `i` on, so
    /// the time still to go costs the same at step 3 of 10,000 as of 10.
    planned_after: Vec<Duration>,
    lead: Duration,
    reminder: Option<Duration>,
}

impl Session {
    /// A session waiting for its first press of next.
    pub fn new(protocol: impl Into<Arc<Protocol>>) -> Session {
        let protocol: Arc<Protocol> = protocol.into();
        let n = protocol.steps.len();
        let protocol_lead = protocol.lead.map_or(DEFAULT_LEAD, |d| d.get());
        let protocol_reminder = protocol.reminder.map_or(DEFAULT_REMINDER, |d| d.get());
        let target = protocol.steps.first().map_or(Duration::ZERO, Step::planned);
        let mut planned_after = vec![Duration::ZERO; n + 1];
        for (i, step) in protocol.steps.iter().enumerate().rev() {
            planned_after[i] = planned_after[i + 1] + step.planned();
        }
        Session {
            protocol,
            phase: Phase::Ready,
            current: 0,
            step: StepClock {
                started: Moment::ZERO,
                paused: Duration::ZERO,
                target,
                ending_soon_cued: false,
                reminders: 0,
                progress: 0,
            },
            started: None,
            paused_total: Duration::ZERO,
            actual: vec![Duration::ZERO; n],
            done: vec![false; n],
            planned_after,
            lead: protocol_lead,
            reminder: Some(protocol_reminder),
        }
    }

    /// Sets how long before a step's end the "ending soon" cue sounds.
    pub fn with_lead(mut self, lead: Duration) -> Session {
        self.lead = lead;
        self
    }

    /// Sets how often a manual hold in overtime is reminded of (`None`: never).
    pub fn with_reminder(mut self, every: Option<Duration>) -> Session {
        self.reminder = every.filter(|d| !d.is_zero());
        self
    }

    /// The next overtime reminder, if one is due in this visit.
    fn next_reminder(&self) -> Option<Moment> {
        let every = self.reminder?;
        let base = self.step.started + self.step.paused + self.step.target;
        Some(base + every * (self.step.reminders + 1))
    }

    /// The protocol being worked through.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// Where the session is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The index of the current step.
    pub fn current(&self) -> usize {
        self.current
    }

    /// The current step.
    pub fn current_step(&self) -> &Step {
        &self.protocol.steps[self.current]
    }

    /// The step after the current one, if any.
    pub fn next_step(&self) -> Option<&Step> {
        self.protocol.steps.get(self.current + 1)
    }

    /// True while the clock is stopped.
    pub fn is_paused(&self) -> bool {
        matches!(self.phase, Phase::Paused { .. })
    }

    /// True once the session has ended.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Finished { .. })
    }

    /// The current step's target (planned plus extends and shortens).
    pub fn step_target(&self) -> Duration {
        self.step.target
    }

    /// Time in the current step's current visit, pauses excluded.
    pub fn step_elapsed(&self, now: Moment) -> Duration {
        match self.phase {
            Phase::Ready => Duration::ZERO,
            Phase::Running | Phase::Overtime => now
                .since(self.step.started)
                .saturating_sub(self.step.paused),
            Phase::Paused { since, .. } => since
                .since(self.step.started)
                .saturating_sub(self.step.paused),
            Phase::Finished { .. } => Duration::ZERO,
        }
    }

    /// The current step's remaining time; negative in overtime.
    pub fn step_remaining(&self, now: Moment) -> SignedSecs {
        SignedSecs::between(self.step.target, self.step_elapsed(now))
    }

    /// Active session time so far, pauses excluded.
    pub fn session_elapsed(&self, now: Moment) -> Duration {
        let Some(started) = self.started else {
            return Duration::ZERO;
        };
        let until = match self.phase {
            Phase::Paused { since, .. } => since,
            Phase::Finished { at, .. } => at,
            _ => now,
        };
        until.since(started).saturating_sub(self.paused_total)
    }

    /// Planned time still to go: the rest of the current step plus every later
    /// step's plan. Zero in overtime for the current step; zero when finished.
    pub fn session_remaining(&self, now: Moment) -> Duration {
        if self.is_finished() {
            return Duration::ZERO;
        }
        let later = self
            .planned_after
            .get(self.current + 1)
            .copied()
            .unwrap_or_default();
        later + self.step.target.saturating_sub(self.step_elapsed(now))
    }

    /// Time spent in step `i` so far (all visits, including the running one).
    pub fn step_actual(&self, i: usize, now: Moment) -> Duration {
        let running =
            if i == self.current && !matches!(self.phase, Phase::Ready | Phase::Finished { .. }) {
                self.step_elapsed(now)
            } else {
                Duration::ZERO
            };
        self.actual.get(i).copied().unwrap_or_default() + running
    }

    /// Where step `i` stands.
    pub fn step_status(&self, i: usize) -> StepStatus {
        if i == self.current && !self.is_finished() {
            StepStatus::Current
        } else if self.done.get(i).copied().unwrap_or(false) {
            StepStatus::Done
        } else {
            StepStatus::Upcoming
        }
    }

    /// The moment the screen should be drawn for: `now` rounded down to the
    /// current step's last whole second, so that every figure on screen (step
    /// and session times alike) changes together, once a second.
    pub fn display_moment(&self, now: Moment) -> Moment {
        match self.phase {
            Phase::Running | Phase::Overtime => {
                let base = self.step.started + self.step.paused;
                base + Duration::from_secs(now.since(base).as_secs())
            }
            _ => now,
        }
    }

    /// The next moment at which a [`Input::Tick`] would change something, so the
    /// shell can sleep until then.
    /// Progress lines need no wake of their own: they are stamped with the
    /// boundary they fall on whenever the next tick comes.
    pub fn next_deadline(&self) -> Option<Moment> {
        let base = self.step.started + self.step.paused;
        match self.phase {
            Phase::Running => {
                let end = base + self.step.target;
                if !self.ending_soon_cued_or_skipped() {
                    Some(end - self.lead)
                } else {
                    Some(end)
                }
            }
            Phase::Overtime => {
                let max = self.current_step().max().map(|max| base + max);
                match (max, self.next_reminder()) {
                    (Some(m), Some(r)) => Some(m.min(r)),
                    (m, r) => m.or(r),
                }
            }
            _ => None,
        }
    }

    /// The cues that will sound by themselves, with their moments, if the
    /// therapist does nothing: the step's "ending soon", its end (the next
    /// step, overtime, or the session complete), and in overtime the next
    /// reminder and the max. The shell tells the audio of them ahead, so a
    /// long sound buffer still starts each on its exact sample. Only what
    /// follows from the present state is listed; the next step's own cues
    /// are known once it has begun.
    pub fn upcoming_cues(&self) -> Vec<(Moment, Cue)> {
        let base = self.step.started + self.step.paused;
        let end = base + self.step.target;
        let last = self.current + 1 >= self.protocol.steps.len();
        let moving_on = if last {
            Cue::SessionComplete
        } else {
            Cue::NextStep
        };
        let mut cues = Vec::new();
        let overtime = |cues: &mut Vec<(Moment, Cue)>, reminders: u32| {
            let max = self.current_step().max().map(|m| base + m);
            let reminder = self
                .reminder
                .map(|every| end + every * (reminders + 1))
                .filter(|r| max.is_none_or(|m| *r < m));
            cues.extend(reminder.map(|r| (r, Cue::OvertimeReminder)));
            cues.extend(max.map(|m| (m, moving_on)));
        };
        match self.phase {
            Phase::Running => {
                if !self.ending_soon_cued_or_skipped() {
                    cues.push((end - self.lead, Cue::EndingSoon));
                }
                match self.current_step().advance() {
                    Advance::Auto => cues.push((end, moving_on)),
                    Advance::Manual => {
                        cues.push((end, Cue::Overtime));
                        overtime(&mut cues, 0);
                    }
                }
            }
            Phase::Overtime => overtime(&mut cues, self.step.reminders),
            _ => {}
        }
        cues
    }

    fn ending_soon_cued_or_skipped(&self) -> bool {
        self.step.ending_soon_cued || !self.wants_ending_soon()
    }

    /// Short steps (a 20 s transition) get no "ending soon" cue: it would sound
    /// almost on top of the step's own start or end cue.
    fn wants_ending_soon(&self) -> bool {
        self.step.target >= self.lead * 3
    }

    /// Feeds one input at moment `now` and returns what the shell must do.
    pub fn handle(&mut self, input: Input, now: Moment) -> Vec<Effect> {
        let mut fx = Vec::new();
        // Catch up first so that every input sees the state as of `now`.
        self.catch_up(now, &mut fx);
        match input {
            Input::Tick => {}
            Input::Next => self.next(now, &mut fx),
            Input::Back => self.back(now, &mut fx),
            Input::Pause => self.pause(now, &mut fx),
            Input::Resume => self.resume(now, &mut fx),
            Input::Extend => self.nudge(now, true, &mut fx),
            Input::Shorten => self.nudge(now, false, &mut fx),
            Input::Quit => self.quit(now, &mut fx),
        }
        // A shortened auto step may now be due.
        self.catch_up(now, &mut fx);
        fx
    }

    /// Processes every step end and cue that fell due by `now`, each at the
    /// exact moment it was due.
    fn catch_up(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        loop {
            let base = self.step.started + self.step.paused;
            match self.phase {
                Phase::Running => {
                    let end = base + self.step.target;
                    if now < end {
                        if self.wants_ending_soon()
                            && !self.step.ending_soon_cued
                            && now >= end - self.lead
                        {
                            self.step.ending_soon_cued = true;
                            fx.push(Effect::Cue(Cue::EndingSoon));
                        }
                        self.note_progress(now, fx);
                        return;
                    }
                    self.step.ending_soon_cued = true;
                    match self.current_step().advance() {
                        Advance::Auto => self.advance(end, EndedBy::Auto, fx),
                        Advance::Manual => {
                            self.phase = Phase::Overtime;
                            fx.push(Effect::Cue(Cue::Overtime));
                            log(fx, end, Entry::OvertimeBegan { step: self.current });
                            fx.push(Effect::Redraw);
                        }
                    }
                }
                Phase::Overtime => match self.current_step().max() {
                    Some(max) if now >= base + max => self.advance(base + max, EndedBy::Max, fx),
                    _ => {
                        self.note_progress(now, fx);
                        if let Some(due) = self.next_reminder()
                            && now >= due
                        {
                            // One reminder however late the tick: after a long
                            // suspend, a burst of bells would help no one.
                            let every = self.reminder.unwrap_or(DEFAULT_REMINDER);
                            let over = now.since(base + self.step.target);
                            self.step.reminders = (over.as_secs() / every.as_secs().max(1)) as u32;
                            fx.push(Effect::Cue(Cue::OvertimeReminder));
                        }
                        return;
                    }
                },
                _ => return,
            }
        }
    }

    /// Writes a progress line when a [`PROGRESS`] boundary of step time has
    /// passed: one line, at the latest boundary, however late the tick.
    fn note_progress(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        let base = self.step.started + self.step.paused;
        let periods = (now.since(base).as_millis() / PROGRESS.as_millis()) as u32;
        if periods > self.step.progress {
            self.step.progress = periods;
            let elapsed = PROGRESS * periods;
            log(
                fx,
                base + elapsed,
                Entry::Progress {
                    step: self.current,
                    elapsed,
                },
            );
        }
    }

    /// A progress line for this very moment, written when the app is
    /// interrupted so that a resumed session starts exactly where it was.
    pub fn progress_now(&self, now: Moment) -> Option<Logged> {
        match self.phase {
            Phase::Running | Phase::Overtime | Phase::Paused { .. } => Some(Logged {
                at: now,
                entry: Entry::Progress {
                    step: self.current,
                    elapsed: self.step_elapsed(now),
                },
            }),
            _ => None,
        }
    }

    fn next(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        match self.phase {
            Phase::Ready => {
                self.started = Some(now);
                log(
                    fx,
                    now,
                    Entry::SessionStarted {
                        protocol: self.protocol.name.to_string(),
                        steps: self.protocol.steps.len(),
                        planned: self.protocol.planned_total(),
                    },
                );
                fx.push(Effect::Cue(Cue::SessionStart));
                self.begin_step(0, now, fx);
            }
            Phase::Running | Phase::Overtime => self.advance(now, EndedBy::Next, fx),
            // Pedal-safe: while paused, "next" only carries on with the step
            // (a therapist whose one pedal sends next must be able to resume
            // without skipping a hold); a second press moves on.
            Phase::Paused { .. } => self.resume(now, fx),
            Phase::Finished { .. } => {}
        }
    }

    fn back(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        match self.phase {
            Phase::Ready => {}
            // As with next: while paused, back only resumes.
            Phase::Paused { .. } => self.resume(now, fx),
            Phase::Running | Phase::Overtime => {
                self.end_step(now, EndedBy::Back, fx);
                let to = self.current.saturating_sub(1);
                fx.push(Effect::Cue(Cue::NextStep));
                self.begin_step(to, now, fx);
            }
            Phase::Finished { at, .. } => {
                // Reopen the last step; the time spent finished does not count.
                self.paused_total += now.since(at);
                let last = self.protocol.steps.len() - 1;
                fx.push(Effect::Cue(Cue::NextStep));
                self.begin_step(last, now, fx);
            }
        }
    }

    fn pause(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        let was_overtime = match self.phase {
            Phase::Running => false,
            Phase::Overtime => true,
            _ => return,
        };
        self.phase = Phase::Paused {
            since: now,
            was_overtime,
        };
        log(fx, now, Entry::Paused { step: self.current });
        fx.push(Effect::Redraw);
    }

    fn resume(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        let Phase::Paused {
            since,
            was_overtime,
        } = self.phase
        else {
            return;
        };
        let paused_for = now.since(since);
        self.step.paused += paused_for;
        self.paused_total += paused_for;
        self.phase = if was_overtime {
            Phase::Overtime
        } else {
            Phase::Running
        };
        log(
            fx,
            now,
            Entry::Resumed {
                step: self.current,
                paused_for,
            },
        );
        fx.push(Effect::Redraw);
    }

    fn nudge(&mut self, now: Moment, longer: bool, fx: &mut Vec<Effect>) {
        if !matches!(
            self.phase,
            Phase::Running | Phase::Overtime | Phase::Paused { .. }
        ) {
            return;
        }
        let step = self.current_step();
        let elapsed = self.step_elapsed(now);
        let old = self.step.target;
        let new = if longer {
            let ceiling = step.max().unwrap_or(crate::protocol::MAX_STEP);
            // In overtime, "+30 s" means 30 s from now, not from the old target.
            (old.max(elapsed) + NUDGE).min(ceiling)
        } else {
            // Never lengthens: in overtime there is nothing left to take.
            old.saturating_sub(NUDGE)
                .max(step.min())
                .max(elapsed)
                .min(old)
        };
        if new == old {
            return;
        }
        self.step.target = new;
        let base = self.step.started + self.step.paused;
        if new > elapsed {
            if let Phase::Overtime = self.phase {
                self.phase = Phase::Running;
            }
            if let Phase::Paused { since, .. } = self.phase {
                self.phase = Phase::Paused {
                    since,
                    was_overtime: false,
                };
            }
            // Re-arm the "ending soon" cue if its moment is still ahead.
            let cue_at = base + new - self.lead;
            let now_on_step = base + elapsed;
            self.step.ending_soon_cued = now_on_step >= cue_at;
        }
        log(
            fx,
            now,
            Entry::TargetChanged {
                step: self.current,
                target: new,
            },
        );
        fx.push(Effect::Redraw);
    }

    fn quit(&mut self, now: Moment, fx: &mut Vec<Effect>) {
        match self.phase {
            Phase::Finished { .. } => {}
            Phase::Ready => {
                self.phase = Phase::Finished {
                    at: now,
                    completed: false,
                };
                log(
                    fx,
                    now,
                    Entry::SessionEnded {
                        completed: false,
                        active: Duration::ZERO,
                    },
                );
            }
            _ => {
                if self.is_paused() {
                    self.resume(now, fx);
                }
                self.end_step(now, EndedBy::Quit, fx);
                self.finish(now, false, fx);
            }
        }
    }

    /// Ends the current step at `at` and begins the next, or finishes.
    fn advance(&mut self, at: Moment, by: EndedBy, fx: &mut Vec<Effect>) {
        self.end_step(at, by, fx);
        if self.current + 1 < self.protocol.steps.len() {
            fx.push(Effect::Cue(Cue::NextStep));
            self.begin_step(self.current + 1, at, fx);
        } else {
            fx.push(Effect::Cue(Cue::SessionComplete));
            self.finish(at, true, fx);
        }
    }

    fn end_step(&mut self, at: Moment, by: EndedBy, fx: &mut Vec<Effect>) {
        let actual = at.since(self.step.started).saturating_sub(self.step.paused);
        self.actual[self.current] += actual;
        if by != EndedBy::Back {
            self.done[self.current] = true;
        }
        log(
            fx,
            at,
            Entry::StepEnded {
                step: self.current,
                target: self.step.target,
                actual,
                by,
            },
        );
    }

    fn begin_step(&mut self, i: usize, at: Moment, fx: &mut Vec<Effect>) {
        self.current = i;
        let planned = self.protocol.steps[i].planned();
        self.step = StepClock {
            started: at,
            paused: Duration::ZERO,
            target: planned,
            ending_soon_cued: false,
            reminders: 0,
            progress: 0,
        };
        self.phase = Phase::Running;
        log(
            fx,
            at,
            Entry::StepStarted {
                step: i,
                name: self.protocol.steps[i].name().to_owned(),
                region: self.protocol.steps[i].hold().map(|h| h.region),
                planned,
            },
        );
        fx.push(Effect::Redraw);
    }

    fn finish(&mut self, at: Moment, completed: bool, fx: &mut Vec<Effect>) {
        self.phase = Phase::Finished { at, completed };
        let active = self.session_elapsed(at);
        log(fx, at, Entry::SessionEnded { completed, active });
        fx.push(Effect::Redraw);
    }
}

impl Session {
    /// Rebuilds a session from the entries it wrote, so a killed session can
    /// be taken up again: each entry a therapist's action caused is turned
    /// back into that action at its moment, and everything that happens by
    /// itself (steps ending, overtime) follows from ticks, exactly as it did.
    /// Entries the engine does not write (notes, the consultation…) only
    /// move the clock. The session is left as it was at the last entry.
    pub fn replay<'a>(
        protocol: impl Into<Arc<Protocol>>,
        entries: impl IntoIterator<Item = &'a Logged>,
    ) -> Session {
        let mut s = Session::new(protocol);
        let mut last = Moment::ZERO;
        let mut entries = entries.into_iter().peekable();
        while let Some(logged) = entries.next() {
            let at = logged.at.max(last);
            last = at;
            s.handle(Input::Tick, at);
            // Quit while paused resumes the clock itself, in the same
            // instant: replaying that resume on its own would let a step that
            // fell due meanwhile end first. (Records written before next and
            // back became pedal-safe show the same pattern for them; they
            // replay as a resume followed by the move, which is what
            // happened.)
            let resumes_itself = matches!(logged.entry, Entry::Resumed { .. })
                && entries.peek().is_some_and(|n| {
                    n.at == logged.at
                        && matches!(
                            n.entry,
                            Entry::StepEnded {
                                by: EndedBy::Quit,
                                ..
                            }
                        )
                });
            if resumes_itself {
                continue;
            }
            if let Some(input) = s.input_behind(&logged.entry) {
                s.handle(input, at);
            }
        }
        s.handle(Input::Tick, last);
        s
    }

    /// The action that made the engine write `entry`, if one did and it has
    /// not been replayed yet.
    fn input_behind(&self, entry: &Entry) -> Option<Input> {
        match entry {
            Entry::SessionStarted { .. } if self.phase == Phase::Ready => Some(Input::Next),
            Entry::StepEnded { by, .. } => match by {
                EndedBy::Next => Some(Input::Next),
                EndedBy::Back => Some(Input::Back),
                EndedBy::Quit => Some(Input::Quit),
                EndedBy::Auto | EndedBy::Max => None,
            },
            // Back from a finished session reopens the last step without
            // ending one.
            Entry::StepStarted { .. } if self.is_finished() => Some(Input::Back),
            Entry::Paused { .. } if !self.is_paused() => Some(Input::Pause),
            Entry::Resumed { .. } if self.is_paused() => Some(Input::Resume),
            Entry::TargetChanged { target, .. } if *target > self.step.target => {
                Some(Input::Extend)
            }
            Entry::TargetChanged { target, .. } if *target < self.step.target => {
                Some(Input::Shorten)
            }
            // Quit before the first step.
            Entry::SessionEnded {
                completed: false, ..
            } if !self.is_finished() => Some(Input::Quit),
            _ => None,
        }
    }
}

fn log(fx: &mut Vec<Effect>, at: Moment, entry: Entry) {
    fx.push(Effect::Log(Logged { at, entry }));
}

/// A signed number of whole seconds for countdowns: positive while time
/// remains, negative in overtime. Remaining time rounds up (a countdown shows
/// 0:01 until the very end); overtime rounds down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SignedSecs(pub i64);

impl SignedSecs {
    fn between(target: Duration, elapsed: Duration) -> SignedSecs {
        if elapsed <= target {
            let left = target - elapsed;
            let whole = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            SignedSecs(i64::try_from(whole).unwrap_or(i64::MAX))
        } else {
            SignedSecs(-i64::try_from((elapsed - target).as_secs()).unwrap_or(i64::MAX))
        }
    }
}

#[cfg(test)]
mod tests;
