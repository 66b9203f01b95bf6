//! A session worked out from its journal: the steps planned against what
//! happened, the before and after answers, the notes. The summary screen,
//! `stillpoint show`, history and export all read sessions through this.

use std::time::Duration;

use crate::clock::Moment;
use crate::session::record::{Aftercare, EndedBy, Entry, Intake, Logged, Opened, Summary};

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
    /// Time actually spent in it, all visits, pauses excluded.
    pub actual: Duration,
    /// How its last visit ended (`None` while it was still running when the
    /// record stops).
    pub ended_by: Option<EndedBy>,
}

impl StepReport {
    /// Ended by the therapist before its target time.
    pub fn skipped(&self) -> bool {
        self.ended_by == Some(EndedBy::Next) && self.actual < self.planned
    }
}

/// What kind of mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// What kind.
    pub kind: MarkKind,
    /// The step it happened in, if the session had started.
    pub step: Option<usize>,
    /// What, in words.
    pub text: String,
}

/// Everything a journal says about one session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The first line, if the journal has one.
    pub opened: Option<Opened>,
    /// The consultation's answers.
    pub intake: Option<Intake>,
    /// The steps reached, in the order first reached.
    pub steps: Vec<StepReport>,
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
    /// The record stops with an interruption (or with no ending at all).
    pub interrupted: bool,
    /// The therapist chose not to resume it.
    pub abandoned: bool,
    /// Moment of the last entry.
    pub last_at: Moment,
    /// When the first step began, on the session clock.
    pub started_at: Option<Moment>,
    /// How many times the clock was paused.
    pub pauses: usize,
}

impl Report {
    /// Works the session out from its entries, in order.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Logged>) -> Report {
        let mut r = Report::default();
        let mut current: Option<usize> = None;
        // Time in the running visit of the current step, from progress lines.
        let mut running = Duration::ZERO;
        let mut ended_active = None;
        for logged in entries {
            r.last_at = r.last_at.max(logged.at);
            match &logged.entry {
                Entry::Opened(o) => r.opened = Some(o.clone()),
                Entry::SessionStarted { .. } => r.started_at = r.started_at.or(Some(logged.at)),
                Entry::Paused { .. } => r.pauses += 1,
                Entry::Intake(i) => r.intake = Some(i.clone()),
                Entry::StepStarted {
                    step,
                    name,
                    region,
                    planned,
                } => {
                    current = Some(*step);
                    running = Duration::ZERO;
                    if !r.steps.iter().any(|s| s.step == *step) {
                        r.steps.push(StepReport {
                            step: *step,
                            name: name.clone(),
                            region: *region,
                            planned: *planned,
                            actual: Duration::ZERO,
                            ended_by: None,
                        });
                    }
                }
                Entry::StepEnded {
                    step, actual, by, ..
                } => {
                    if let Some(s) = r.steps.iter_mut().find(|s| s.step == *step) {
                        s.actual += *actual;
                        s.ended_by = Some(*by);
                    }
                    running = Duration::ZERO;
                }
                Entry::Progress { step, elapsed } if current == Some(*step) => running = *elapsed,
                Entry::SessionEnded { completed, active } => {
                    r.completed = *completed;
                    r.ended = true;
                    ended_active = Some(*active);
                    current = None;
                }
                Entry::Note { text } => r.marks.push(Mark {
                    at: logged.at,
                    kind: MarkKind::Note,
                    step: current,
                    text: text.clone(),
                }),
                Entry::Rhythm { cpm, taps } => r.marks.push(Mark {
                    at: logged.at,
                    kind: MarkKind::Rhythm,
                    step: current,
                    text: format!("rhythm {cpm:.1} cycles/min ({taps} taps)"),
                }),
                Entry::StillPointEnded { length, .. } => {
                    r.marks.push(Mark {
                        at: logged.at,
                        kind: MarkKind::StillPoint,
                        step: current,
                        text: format!("still point {}", crate::text::clock_text(*length)),
                    });
                }
                Entry::Aftercare(a) => r.aftercare = Some(a.clone()),
                Entry::Closed(_) => {
                    r.closed = true;
                    r.interrupted = false;
                }
                Entry::Interrupted { .. } => r.interrupted = true,
                Entry::Continued { .. } => r.interrupted = false,
                Entry::Abandoned => r.abandoned = true,
                _ => {}
            }
        }
        let worked: Duration = r.steps.iter().map(|s| s.actual).sum();
        r.active = ended_active.unwrap_or(worked + running);
        if let (Some(step), false) = (current, r.ended)
            && let Some(s) = r.steps.iter_mut().find(|s| s.step == step)
        {
            s.actual += running;
        }
        if !r.closed && !r.abandoned {
            r.interrupted = true;
        }
        r
    }

    /// The session in one line.
    pub fn summary(&self) -> Summary {
        let opened = self.opened.clone().unwrap_or_default();
        Summary {
            opened: opened.opened,
            client: opened
                .client
                .or_else(|| self.intake.as_ref().map(|i| i.client.clone())),
            protocol: opened.protocol,
            practice: opened.practice,
            active: self.active,
            completed: self.completed,
            pain_before: self.intake.as_ref().map(|i| i.pain),
            pain_after: self.aftercare.as_ref().and_then(|a| a.pain),
            stress_before: self.intake.as_ref().map(|i| i.stress),
            stress_after: self.aftercare.as_ref().and_then(|a| a.stress),
            notes: self
                .marks
                .iter()
                .filter(|m| m.kind == MarkKind::Note)
                .count(),
        }
    }
}
