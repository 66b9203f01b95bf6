//! The read model of a session: everything its journal says, worked out
//! once — how the record stands, the steps planned against what happened
//! and how each ended, the consultation, the marks, the closing answers, and
//! pain and stress before and after — with the words for each.
//!
//! The summary screen, `stillpoint show`, the Markdown note, the JSON and
//! the CSV all render from a [`Report`] and use its vocabulary ([`State`],
//! [`Outcome`], [`Change`], [`Fact`]), so they cannot drift apart.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::clock::Moment;
use crate::session::record::{
    Addendum, Aftercare, Corrections, EndedBy, Entry, Intake, Logged, MarkTime, Opened, Stamp,
    Summary,
};
use crate::text::clock_text;

/// A step moved on from within this long was skipped rather than ended early
/// (if that was also under half its target).
const SKIPPED_WITHIN: Duration = Duration::from_secs(15);

/// How a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Closed; every step was worked through.
    Complete,
    /// Closed after ending early.
    EndedEarly,
    /// Cut off and not (yet) taken up again.
    Interrupted,
    /// Cut off, then set aside at the resume offer (the journal's
    /// `abandoned` line).
    SetAside,
    /// The file is damaged before its last line, or cannot be read.
    Damaged,
    /// Its lines are whole but out of order, missing, not linked to the
    /// line before, or do not open under the vault's key: it was changed
    /// after it was written (see `stillpoint verify`).
    Altered,
}

impl State {
    /// The state in the practitioner's words, as every view shows it.
    pub fn word(self) -> &'static str {
        match self {
            State::Complete => "complete",
            State::EndedEarly => "ended early",
            State::Interrupted => "interrupted",
            State::SetAside => "set aside",
            State::Damaged => "damaged",
            State::Altered => "altered",
        }
    }
}

/// How a step ended, for every view of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran to its target (by itself, or moved on at or after it).
    Completed,
    /// Moved on before its target.
    EndedEarly,
    /// Moved on before it really started.
    Skipped,
    /// A manual hold that reached its `max`.
    RanToMax,
    /// The therapist went back to the step before.
    WentBack,
    /// The session was ended during it.
    SessionEnded,
    /// It was still running when the record stops.
    NotFinished,
}

/// One step as it was worked.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// Its index in the protocol.
    pub step: usize,
    /// Its name.
    pub name: String,
    /// The region a hold is on (none for a transition).
    pub region: Option<crate::protocol::Region>,
    /// The planned time.
    pub planned: Duration,
    /// Its target when it last ended: the plan after extends and shortens.
    pub target: Duration,
    /// Time actually spent in it, all visits, pauses excluded.
    pub actual: Duration,
    /// How its last visit ended (`None` while it was still running when the
    /// record stops).
    pub ended_by: Option<EndedBy>,
}

impl StepReport {
    /// How the step ended.
    pub fn outcome(&self) -> Outcome {
        match self.ended_by {
            None => Outcome::NotFinished,
            Some(EndedBy::Quit) => Outcome::SessionEnded,
            Some(EndedBy::Back) => Outcome::WentBack,
            Some(EndedBy::Max) => Outcome::RanToMax,
            Some(EndedBy::Auto) => Outcome::Completed,
            Some(EndedBy::Next) if self.actual >= self.target => Outcome::Completed,
            Some(EndedBy::Next) if self.actual < SKIPPED_WITHIN.min(self.target / 2) => {
                Outcome::Skipped
            }
            Some(EndedBy::Next) => Outcome::EndedEarly,
        }
    }

    /// How the step ended, in words: `completed`, `ended early at 3:50 of
    /// 4:00`, `skipped after 0:05`, `ran to its max`…; a changed target is
    /// named (`completed, extended to 6:00`).
    pub fn outcome_text(&self) -> String {
        let t = clock_text;
        let mut words = match self.outcome() {
            Outcome::Completed => "completed".to_owned(),
            Outcome::EndedEarly => {
                format!("ended early at {} of {}", t(self.actual), t(self.target))
            }
            Outcome::Skipped => format!("skipped after {}", t(self.actual)),
            Outcome::RanToMax => "ran to its max".to_owned(),
            Outcome::WentBack => "went back to the step before".to_owned(),
            Outcome::SessionEnded => "the session ended during it".to_owned(),
            Outcome::NotFinished => "not finished".to_owned(),
        };
        let changed = self.target.as_secs() != self.planned.as_secs();
        if changed && self.outcome() == Outcome::Completed {
            let how = if self.target > self.planned {
                "extended"
            } else {
                "shortened"
            };
            words.push_str(&format!(", {how} to {}", t(self.target)));
        }
        words
    }

    /// Moved on from before its target, by the therapist.
    pub fn skipped(&self) -> bool {
        matches!(self.outcome(), Outcome::Skipped | Outcome::EndedEarly)
    }
}

/// What kind of mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A note the therapist typed.
    Note,
    /// A rhythm rate from taps.
    Rhythm,
    /// A still point's end, with its length.
    StillPoint,
}

/// A timestamped line the therapist wrote, or a marker they set.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// When, on the session clock.
    pub at: Moment,
    /// Active session time at the mark (pauses left out), when recorded.
    pub active: Option<Duration>,
    /// The time of day of the mark, when recorded.
    pub wall: Option<Stamp>,
    /// What kind.
    pub kind: MarkKind,
    /// The step it happened in, if the session had started.
    pub step: Option<usize>,
    /// A note as typed; a rhythm or still point in words.
    pub text: String,
}

impl Mark {
    /// The mark in words: `note: …`, `rhythm 10.0 cycles/min (6 taps)`,
    /// `still point 0:40`.
    pub fn words(&self) -> String {
        match self.kind {
            MarkKind::Note => format!("note: {}", self.text),
            MarkKind::Rhythm | MarkKind::StillPoint => self.text.clone(),
        }
    }
}

/// A rating before and after the session (pain, stress), 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Change {
    /// At the consultation.
    pub before: Option<u8>,
    /// At the closing questions.
    pub after: Option<u8>,
}

impl Change {
    /// True when neither answer was given.
    pub fn is_empty(self) -> bool {
        self.before.is_none() && self.after.is_none()
    }
}

impl fmt::Display for Change {
    /// `6 → 3`, with `—` for an answer not given; nothing when neither was.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return Ok(());
        }
        let v = |x: Option<u8>| x.map_or("—".to_owned(), |x| x.to_string());
        write!(f, "{} → {}", v(self.before), v(self.after))
    }
}

impl Summary {
    /// Pain before and after, as the one-line summary keeps it.
    pub fn pain(&self) -> Change {
        Change {
            before: self.pain_before,
            after: self.pain_after,
        }
    }

    /// Stress before and after, as the one-line summary keeps it.
    pub fn stress(&self) -> Change {
        Change {
            before: self.stress_before,
            after: self.stress_after,
        }
    }
}

/// One labelled line of a record's account (`pain`: `6 of 10`), the same
/// in every view; each renderer lays it out its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The label, lower case.
    pub label: &'static str,
    /// The value in words.
    pub value: String,
}

fn fact(label: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        label,
        value: value.into(),
    }
}

/// Everything a journal says about one session.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The first line, if the journal has one.
    pub opened: Option<Opened>,
    /// The consultation's answers.
    pub intake: Option<Intake>,
    /// The steps reached, in the order first reached.
    pub steps: Vec<StepReport>,
    /// How many steps the protocol had, from the session's start line.
    pub steps_planned: Option<usize>,
    /// Notes, rhythm rates and still points, in order.
    pub marks: Vec<Mark>,
    /// The closing answers.
    pub aftercare: Option<Aftercare>,
    /// Active time, pauses excluded (from the session's end, or worked out
    /// from the last entries of an interrupted one).
    pub active: Duration,
    /// True when every step was worked through.
    pub completed: bool,
    /// The session ended (completed or quit).
    pub ended: bool,
    /// The record was closed normally.
    pub closed: bool,
    /// The therapist chose not to resume it.
    pub abandoned: bool,
    /// Moment of the last entry.
    pub last_at: Moment,
    /// When the first step began, on the session clock.
    pub started_at: Option<Moment>,
    /// How many times the clock was paused.
    pub pauses: usize,
    /// Time spent paused, in all.
    pub paused: Duration,
    /// Why the session was cut off, each time it was.
    pub interruptions: Vec<String>,
    /// The fastest rehearsal speed the session ran at (1 for real time).
    pub speed: f64,
    /// Addenda written after the record was finished, in order.
    pub addenda: Vec<Addendum>,
}

impl Default for Report {
    fn default() -> Report {
        Report {
            opened: None,
            intake: None,
            steps: Vec::new(),
            steps_planned: None,
            marks: Vec::new(),
            aftercare: None,
            active: Duration::ZERO,
            completed: false,
            ended: false,
            closed: false,
            abandoned: false,
            last_at: Moment::ZERO,
            started_at: None,
            pauses: 0,
            paused: Duration::ZERO,
            interruptions: Vec::new(),
            speed: 1.0,
            addenda: Vec::new(),
        }
    }
}

impl Report {
    /// Works the session out from its entries, in order.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Logged>) -> Report {
        let mut r = Report::default();
        let mut walk = Walk::default();
        for logged in entries {
            r.last_at = r.last_at.max(logged.at);
            r.take(logged, &mut walk);
        }
        let worked: Duration = r.steps.iter().map(|s| s.actual).sum();
        r.active = walk.ended_active.unwrap_or(worked + walk.running);
        if let (Some(step), false) = (walk.current, r.ended)
            && let Some(s) = r.steps.iter_mut().find(|s| s.step == step)
        {
            s.actual += walk.running;
        }
        r
    }

    /// Takes in one entry.
    fn take(&mut self, logged: &Logged, walk: &mut Walk) {
        let r = self;
        match &logged.entry {
            Entry::Opened(o) => {
                r.speed = o.speed;
                r.opened = Some(o.clone());
            }
            Entry::SessionStarted { steps, .. } => {
                r.started_at = r.started_at.or(Some(logged.at));
                r.steps_planned = Some(*steps);
            }
            Entry::Paused { .. } => r.pauses += 1,
            Entry::Resumed { paused_for, .. } => r.paused += *paused_for,
            Entry::Intake(i) => r.intake = Some(i.clone()),
            Entry::StepStarted { .. } | Entry::StepEnded { .. } => r.take_step(&logged.entry, walk),
            Entry::Progress { step, elapsed } if walk.current == Some(*step) => {
                walk.running = *elapsed;
            }
            Entry::SessionEnded { completed, active } => {
                r.completed = *completed;
                r.ended = true;
                walk.ended_active = Some(*active);
                walk.current = None;
            }
            Entry::Note { text, time } => {
                r.mark(logged.at, *time, MarkKind::Note, walk, text.clone());
            }
            Entry::Rhythm { cpm, taps, time } => r.mark(
                logged.at,
                *time,
                MarkKind::Rhythm,
                walk,
                format!("rhythm {cpm:.1} cycles/min ({taps} taps)"),
            ),
            Entry::StillPointEnded { length, time, .. } => r.mark(
                logged.at,
                *time,
                MarkKind::StillPoint,
                walk,
                format!("still point {}", clock_text(*length)),
            ),
            Entry::Continued { speed, .. } => r.speed = r.speed.max(*speed),
            Entry::Aftercare(a) => r.aftercare = Some(a.clone()),
            Entry::Closed(_) => r.closed = true,
            Entry::Interrupted { reason } => r.interruptions.push(reason.clone()),
            Entry::Abandoned => r.abandoned = true,
            Entry::Addendum(a) => r.addenda.push(a.clone()),
            _ => {}
        }
    }

    /// A step's start or end.
    fn take_step(&mut self, entry: &Entry, walk: &mut Walk) {
        match entry {
            Entry::StepStarted {
                step,
                name,
                region,
                planned,
            } => {
                walk.current = Some(*step);
                walk.running = Duration::ZERO;
                if !self.steps.iter().any(|s| s.step == *step) {
                    self.steps.push(StepReport {
                        step: *step,
                        name: name.clone(),
                        region: *region,
                        planned: *planned,
                        target: *planned,
                        actual: Duration::ZERO,
                        ended_by: None,
                    });
                }
            }
            Entry::StepEnded {
                step,
                target,
                actual,
                by,
            } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.step == *step) {
                    s.actual += *actual;
                    s.target = *target;
                    s.ended_by = Some(*by);
                }
                walk.running = Duration::ZERO;
            }
            _ => {}
        }
    }

    fn mark(&mut self, at: Moment, time: MarkTime, kind: MarkKind, walk: &Walk, text: String) {
        self.marks.push(Mark {
            at,
            active: time.active,
            wall: time.wall,
            kind,
            step: walk.current,
            text,
        });
    }

    /// How the record stands (a damaged file is the reader's to say).
    pub fn state(&self) -> State {
        if self.abandoned {
            State::SetAside
        } else if !self.closed {
            State::Interrupted
        } else {
            self.closing_state()
        }
    }

    /// How the record will stand once closed: what the summary screen,
    /// shown just before the closing line is written, says.
    pub fn closing_state(&self) -> State {
        if self.completed {
            State::Complete
        } else {
            State::EndedEarly
        }
    }

    /// Pain before and after.
    pub fn pain(&self) -> Change {
        Change {
            before: self.intake.as_ref().map(|i| i.pain),
            after: self.aftercare.as_ref().and_then(|a| a.pain),
        }
    }

    /// Stress before and after.
    pub fn stress(&self) -> Change {
        Change {
            before: self.intake.as_ref().map(|i| i.stress),
            after: self.aftercare.as_ref().and_then(|a| a.stress),
        }
    }

    /// Every correction the addenda make, the latest for each rating.
    pub fn corrections(&self) -> Corrections {
        let mut c = Corrections::default();
        for a in &self.addenda {
            let n = a.corrected;
            c.pain_before = n.pain_before.or(c.pain_before);
            c.pain_after = n.pain_after.or(c.pain_after);
            c.stress_before = n.stress_before.or(c.stress_before);
            c.stress_after = n.stress_after.or(c.stress_after);
        }
        c
    }

    /// Pain before and after as the addenda leave it (as recorded, where
    /// none corrects it).
    pub fn pain_corrected(&self) -> Change {
        let (c, p) = (self.corrections(), self.pain());
        Change {
            before: c.pain_before.or(p.before),
            after: c.pain_after.or(p.after),
        }
    }

    /// Stress before and after as the addenda leave it.
    pub fn stress_corrected(&self) -> Change {
        let (c, s) = (self.corrections(), self.stress());
        Change {
            before: c.stress_before.or(s.before),
            after: c.stress_after.or(s.after),
        }
    }

    /// Addendum `i` as facts, in the order every view gives them: when it
    /// was written, who signed it off, what it says, and each rating it
    /// corrects with the value it replaces.
    pub fn addendum_facts(&self, i: usize) -> Vec<Fact> {
        let Some(a) = self.addenda.get(i) else {
            return Vec::new();
        };
        let written = a.written.map_or_else(|| "?".to_owned(), |w| w.long());
        let mut facts = vec![fact("written", written), fact("signed off", a.by.clone())];
        if !a.text.is_empty() {
            facts.push(fact("text", a.text.clone()));
        }
        // What each rating was just before this addendum.
        let before = Report {
            addenda: self.addenda[..i].to_vec(),
            ..self.clone()
        };
        let (pain, stress) = (before.pain_corrected(), before.stress_corrected());
        let was = |v: Option<u8>| v.map_or("not recorded".to_owned(), |v| v.to_string());
        for (what, value) in a.corrected.each() {
            let old = match what {
                "pain before" => pain.before,
                "pain after" => pain.after,
                "stress before" => stress.before,
                _ => stress.after,
            };
            facts.push(fact(
                "corrects",
                format!("{what}: {value} (was {})", was(old)),
            ));
        }
        facts
    }

    /// The client reference: the consultation's (it may correct the one
    /// given when the record was opened), else the opening line's.
    pub fn client(&self) -> Option<String> {
        self.intake
            .as_ref()
            .map(|i| i.client.clone())
            .filter(|c| !c.trim().is_empty())
            .or_else(|| self.opened.as_ref().and_then(|o| o.client.clone()))
    }

    /// A practice session (no client, no consultation).
    pub fn practice(&self) -> bool {
        self.opened.as_ref().is_some_and(|o| o.practice)
    }

    /// The session in one line, its ratings as the addenda leave them.
    pub fn summary(&self) -> Summary {
        let opened = self.opened.clone().unwrap_or_default();
        Summary {
            opened: opened.opened,
            client: self.client(),
            protocol: opened.protocol,
            practice: opened.practice,
            speed: self.speed,
            active: self.active,
            completed: self.completed,
            pain_before: self.pain_corrected().before,
            pain_after: self.pain_corrected().after,
            stress_before: self.stress_corrected().before,
            stress_after: self.stress_corrected().after,
            notes: self
                .marks
                .iter()
                .filter(|m| m.kind == MarkKind::Note)
                .count(),
            addenda: self.addenda.len(),
        }
    }

    /// Time from the first step's start to `at` (zero before it).
    pub fn time_into_session(&self, at: Moment) -> Duration {
        at.since(self.started_at.unwrap_or_default())
    }

    /// When a mark was set, in active session time (pauses left out), the
    /// one clock every view counts marks by; for records written before
    /// marks carried it, the time since the first step began.
    pub fn mark_time(&self, mark: &Mark) -> Duration {
        mark.active
            .unwrap_or_else(|| self.time_into_session(mark.at))
    }

    /// The session was run faster than real time (a rehearsal).
    pub fn rehearsal(&self) -> bool {
        self.speed != 1.0
    }

    /// A rehearsal in words, `rehearsal ×100: …`; `None` for a real
    /// session. Every view of a record says it, so a rehearsal is never
    /// taken for a session with a client.
    pub fn rehearsal_text(&self) -> Option<String> {
        self.rehearsal().then(|| {
            format!(
                "a rehearsal at ×{}: the clock ran {} times faster than real time, so its \
                 times are not a session's",
                self.speed, self.speed
            )
        })
    }

    /// `paused once for 1:30`, `paused 2 times, 3:00 in all`, or nothing.
    pub fn pauses_text(&self) -> Option<String> {
        match self.pauses {
            0 => None,
            1 => Some(format!("paused once for {}", clock_text(self.paused))),
            n => Some(format!(
                "paused {n} times, {} in all",
                clock_text(self.paused)
            )),
        }
    }

    /// The active time and pauses: `24:10, paused once for 1:30`.
    pub fn active_text(&self) -> String {
        match self.pauses_text() {
            Some(p) => format!("{}, {p}", clock_text(self.active)),
            None => clock_text(self.active),
        }
    }

    /// The steps the protocol had that the session never reached, in words:
    /// `step 18 of 18 was not reached`, `steps 4–18 of 18 were not reached`.
    pub fn unreached_text(&self) -> Option<String> {
        let of = self.steps_planned?;
        let reached = self.steps.iter().map(|s| s.step + 1).max().unwrap_or(0);
        let first = reached + 1;
        (reached < of).then(|| {
            if first == of {
                format!("step {first} of {of} was not reached")
            } else {
                format!("steps {first}–{of} of {of} were not reached")
            }
        })
    }

    /// The consultation's answers as facts, in the order every view gives
    /// them.
    pub fn consultation(&self) -> Vec<Fact> {
        let Some(i) = &self.intake else {
            return Vec::new();
        };
        let mut facts = Vec::new();
        let mut focus: Vec<&str> = i.focus.iter().map(|r| r.label()).collect();
        if !i.focus_note.is_empty() {
            focus.push(&i.focus_note);
        }
        if !focus.is_empty() {
            facts.push(fact("focus", focus.join("; ")));
        }
        facts.push(fact("pain", format!("{} of 10", i.pain)));
        facts.push(fact("stress", format!("{} of 10", i.stress)));
        if i.releases.is_empty() {
            facts.push(fact("conditions", "none ticked"));
        }
        for rel in &i.releases {
            let release = if rel.released {
                "released by a physician"
            } else {
                "NOT released"
            };
            facts.push(fact(
                "condition",
                format!("{}: {release}", rel.condition.label()),
            ));
        }
        if let Some(care) = i.cautions_text() {
            facts.push(fact("extra care", care));
        }
        facts
    }

    /// The closing answers as facts: pain and stress before → after, the
    /// closing note; one fact saying so when the questions were skipped.
    pub fn after(&self) -> Vec<Fact> {
        let Some(a) = &self.aftercare else {
            return Vec::new();
        };
        let mut facts = Vec::new();
        match (a.pain, a.stress) {
            (None, None) if !self.practice() => {
                facts.push(fact("questions", "the closing questions were skipped"));
            }
            _ => {
                if a.pain.is_some() {
                    facts.push(fact("pain", self.pain().to_string()));
                }
                if a.stress.is_some() {
                    facts.push(fact("stress", self.stress().to_string()));
                }
            }
        }
        if !a.note.is_empty() {
            facts.push(fact("note", a.note.clone()));
        }
        facts
    }
}

/// Where the walk through a journal has got to.
#[derive(Default)]
struct Walk {
    /// The step being worked.
    current: Option<usize>,
    /// Time in the running visit of the current step, from progress lines.
    running: Duration,
    /// The active time the session's end line gives.
    ended_active: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(planned: u64, target: u64, actual: u64, by: Option<EndedBy>) -> StepReport {
        StepReport {
            step: 0,
            name: "Hold".into(),
            region: None,
            planned: Duration::from_secs(planned),
            target: Duration::from_secs(target),
            actual: Duration::from_secs(actual),
            ended_by: by,
        }
    }

    #[test]
    fn a_step_ended_near_its_target_is_ended_early_not_skipped() {
        let s = step(240, 240, 230, Some(EndedBy::Next));
        assert_eq!(s.outcome(), Outcome::EndedEarly);
        assert_eq!(s.outcome_text(), "ended early at 3:50 of 4:00");
        let s = step(240, 240, 5, Some(EndedBy::Next));
        assert_eq!(s.outcome(), Outcome::Skipped);
        assert_eq!(s.outcome_text(), "skipped after 0:05");
        // A 20 s transition moved on at 8 s was skipped; at 12 s, ended early.
        assert_eq!(
            step(20, 20, 8, Some(EndedBy::Next)).outcome(),
            Outcome::Skipped
        );
        assert_eq!(
            step(20, 20, 12, Some(EndedBy::Next)).outcome(),
            Outcome::EndedEarly
        );
    }

    #[test]
    fn completed_steps_name_a_changed_target() {
        assert_eq!(
            step(240, 240, 240, Some(EndedBy::Auto)).outcome_text(),
            "completed"
        );
        assert_eq!(
            step(240, 360, 360, Some(EndedBy::Auto)).outcome_text(),
            "completed, extended to 6:00"
        );
        assert_eq!(
            step(240, 240, 300, Some(EndedBy::Next)).outcome_text(),
            "completed"
        );
        assert_eq!(step(240, 240, 90, None).outcome_text(), "not finished");
        assert_eq!(
            step(240, 240, 90, Some(EndedBy::Quit)).outcome(),
            Outcome::SessionEnded
        );
    }

    #[test]
    fn changes_read_before_then_after() {
        let c = |before, after| Change { before, after }.to_string();
        assert_eq!(c(Some(6), Some(3)), "6 → 3");
        assert_eq!(c(Some(6), None), "6 → —");
        assert_eq!(c(None, None), "");
    }
}
