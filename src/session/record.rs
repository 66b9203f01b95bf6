//! The session record's vocabulary: every kind of line a journal holds, the
//! consultation's answers, and the summary a finished record carries.
//!
//! The engine emits the entries about steps and time; the shell adds the
//! ones only it knows (the consultation, notes, taps, audio changes, the
//! closing answers). Everything here is plain data with serde derives, so the
//! journal, history and export all read and write the same shapes.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::Moment;
use crate::protocol::Region;

/// The journal format version written in every record's first line.
/// Version 1 (the first release) had no consultation or summary; version 2
/// had no checksums; version 3 had no hash chain. Readers still accept all
/// three.
pub const LOG_VERSION: u32 = 4;

/// The first version whose every line carries a checksum.
pub const CHECKSUMS_SINCE: u32 = 3;

/// The first version whose every line after the first carries the hash of
/// the line before it (`prev`).
pub const CHAIN_SINCE: u32 = 4;

/// What a step's end was caused by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// Its time ran out and it moved on by itself.
    Auto,
    /// A manual hold reached its `max`.
    Max,
    /// The therapist pressed next.
    Next,
    /// The therapist pressed back.
    Back,
    /// The session was ended early.
    Quit,
}

/// One line of the journal, without its sequence number and moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    /// The first line: what is recorded and where it came from
    /// (`log_opened` in version 1).
    #[serde(alias = "log_opened")]
    Opened(Opened),
    /// The consultation's answers, before the first step.
    Intake(Intake),
    /// The first step began.
    SessionStarted {
        /// The protocol's name.
        protocol: String,
        /// Number of steps.
        steps: usize,
        /// The planned total.
        #[serde(with = "secs")]
        planned: Duration,
    },
    /// A step began.
    StepStarted {
        /// Its index.
        step: usize,
        /// Its name.
        name: String,
        /// The region a hold is on (none for a transition).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<Region>,
        /// Its planned time.
        #[serde(with = "secs")]
        planned: Duration,
    },
    /// A step ended.
    StepEnded {
        /// Its index.
        step: usize,
        /// Its target when it ended (planned plus extends and shortens).
        #[serde(with = "secs")]
        target: Duration,
        /// How long it actually ran this time, pauses excluded.
        #[serde(with = "secs")]
        actual: Duration,
        /// What ended it.
        by: EndedBy,
    },
    /// A manual hold passed its target.
    OvertimeBegan {
        /// The step.
        step: usize,
    },
    /// The clock stopped.
    Paused {
        /// The step.
        step: usize,
    },
    /// The clock started again.
    Resumed {
        /// The step.
        step: usize,
        /// How long the pause lasted.
        #[serde(with = "secs")]
        paused_for: Duration,
    },
    /// The current step's target changed (`+` or `-`).
    TargetChanged {
        /// The step.
        step: usize,
        /// The new target.
        #[serde(with = "secs")]
        target: Duration,
    },
    /// Written every few seconds of a running step, so a session that is
    /// killed can be resumed close to where it was.
    Progress {
        /// The step.
        step: usize,
        /// Time in the step so far, pauses excluded.
        #[serde(with = "secs")]
        elapsed: Duration,
    },
    /// The session's clock stopped for good.
    SessionEnded {
        /// True when every step was worked through; false when quit early.
        completed: bool,
        /// Active time, pauses excluded.
        #[serde(with = "secs")]
        active: Duration,
    },
    /// A timestamped one-line note.
    Note {
        /// What the therapist typed.
        text: String,
        /// When, on both clocks.
        #[serde(flatten)]
        time: MarkTime,
    },
    /// A rhythm rate from the therapist's taps.
    Rhythm {
        /// Cycles per minute, from the latest taps.
        cpm: f64,
        /// How many taps the rate is drawn from.
        taps: u32,
        /// When, on both clocks.
        #[serde(flatten)]
        time: MarkTime,
    },
    /// The therapist marked the start of a still point.
    StillPointStarted {
        /// The step it happened in.
        step: usize,
        /// When, on both clocks.
        #[serde(flatten)]
        time: MarkTime,
    },
    /// The therapist marked the end of a still point.
    StillPointEnded {
        /// The step it happened in.
        step: usize,
        /// How long it lasted, pauses left out.
        #[serde(with = "secs")]
        length: Duration,
        /// When, on both clocks.
        #[serde(flatten)]
        time: MarkTime,
    },
    /// The volume or mute changed.
    Audio {
        /// Master volume step, 0–10.
        volume: u8,
        /// Whether sound is muted.
        muted: bool,
    },
    /// The cue device asked for was not there: cues went to the default
    /// output.
    CueDeviceMissing {
        /// The name asked for.
        name: String,
    },
    /// The answers after the last step.
    Aftercare(Aftercare),
    /// The record was closed normally; the summary is final.
    Closed(Summary),
    /// The app stopped without closing the record (a signal, the terminal
    /// going away, an error). The session can be resumed.
    Interrupted {
        /// Why, in plain words.
        reason: String,
    },
    /// The session was taken up again after an interruption; the time in
    /// between does not count.
    Continued {
        /// The wall-clock time it was taken up again.
        #[serde(with = "maybe_stamp")]
        wall: Option<Stamp>,
        /// The rehearsal speed from here on (1 for real time).
        #[serde(default = "real_time", skip_serializing_if = "is_real_time")]
        speed: f64,
    },
    /// The therapist chose not to resume an interrupted session.
    Abandoned,
    /// A dated, signed-off addition to a finished record (`stillpoint
    /// amend`): nothing written before it is changed; it follows them.
    Addendum(Addendum),
    /// The app was suspended (Ctrl-Z) and its terminal given back; the
    /// session's clock kept running meanwhile.
    Suspended,
    /// The app came back from being suspended.
    Returned {
        /// How long it was away.
        #[serde(with = "secs")]
        away: Duration,
    },
}

/// When a mark (a note, a rhythm, a still point) was set, on both clocks:
/// the session's active time (pauses left out), which every view of the
/// record counts marks by, and the time of day. Records written before
/// marks carried these have neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MarkTime {
    /// Active session time at the mark, pauses excluded.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_secs")]
    pub active: Option<Duration>,
    /// The wall-clock time of the mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall: Option<Stamp>,
}

impl MarkTime {
    /// A mark at `active` session time and wall time `wall`.
    pub fn at(active: Duration, wall: Option<&jiff::Zoned>) -> MarkTime {
        MarkTime {
            active: Some(active),
            wall: wall.map(Stamp::of),
        }
    }
}

impl Entry {
    /// A note, with no mark time (tests and tools that build records).
    pub fn note(text: impl Into<String>) -> Entry {
        Entry::Note {
            text: text.into(),
            time: MarkTime::default(),
        }
    }

    /// The entry in a few words, for the dashboard's log panel and `show`;
    /// `None` for lines only machines need (progress) or that have screens
    /// of their own.
    pub fn describe(&self) -> Option<String> {
        use crate::text::clock_text as t;
        Some(match self {
            Entry::Opened(_) | Entry::Progress { .. } | Entry::Closed(_) => return None,
            Entry::Intake(i) => format!("consultation: pain {}, stress {}", i.pain, i.stress),
            Entry::SessionStarted { .. } => "session started".to_owned(),
            Entry::StepStarted { step, name, .. } => format!("{}. {name}", step + 1),
            Entry::StepEnded {
                step,
                actual,
                target,
                by,
            } => {
                let how = match by {
                    EndedBy::Auto => "",
                    EndedBy::Max => " at its max",
                    EndedBy::Next if actual < target => " early",
                    EndedBy::Next => "",
                    EndedBy::Back => ", went back",
                    EndedBy::Quit => ", session ended",
                };
                format!("step {} done {}/{}{how}", step + 1, t(*actual), t(*target))
            }
            Entry::OvertimeBegan { .. } => "past the target time".to_owned(),
            Entry::Paused { .. } => "paused".to_owned(),
            Entry::Resumed { paused_for, .. } => format!("resumed after {}", t(*paused_for)),
            Entry::TargetChanged { target, .. } => format!("target now {}", t(*target)),
            Entry::SessionEnded {
                completed: true,
                active,
            } => format!("session complete, {}", t(*active)),
            Entry::SessionEnded { active, .. } => format!("session ended early, {}", t(*active)),
            Entry::Note { text, .. } => format!("note: {text}"),
            Entry::Rhythm { cpm, .. } => format!("rhythm {cpm:.1}/min"),
            Entry::StillPointStarted { .. } => "still point began".to_owned(),
            Entry::StillPointEnded { length, .. } => format!("still point {}", t(*length)),
            Entry::Audio { muted: true, .. } => "sound muted".to_owned(),
            Entry::Audio { volume, .. } => format!("volume {volume}"),
            Entry::CueDeviceMissing { name } => {
                format!("cue device \"{name}\" not found: cues on the default output")
            }
            Entry::Aftercare(a) => match (a.pain, a.stress) {
                (Some(p), Some(s)) => format!("after: pain {p}, stress {s}"),
                _ => "closing questions skipped".to_owned(),
            },
            Entry::Interrupted { reason } => format!("interrupted: {reason}"),
            Entry::Continued { .. } => "taken up again".to_owned(),
            Entry::Abandoned => "set aside".to_owned(),
            Entry::Addendum(a) => format!("addendum signed off by {}", a.by),
            Entry::Suspended => "suspended; the clock keeps running".to_owned(),
            Entry::Returned { away } => format!("back after {}", t(*away)),
        })
    }
}

fn real_time() -> f64 {
    1.0
}

#[allow(clippy::trivially_copy_pass_by_ref, clippy::float_cmp)]
fn is_real_time(speed: &f64) -> bool {
    *speed == 1.0
}

/// The first line of every journal.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Opened {
    /// The format version, [`LOG_VERSION`].
    pub version: u32,
    /// The protocol's name.
    pub protocol: String,
    /// Where the protocol came from: `bundled:<stem>` or the file's path.
    #[serde(default)]
    pub source: String,
    /// SHA-256 of the protocol file's text, in hex, so the record says
    /// exactly which version of the protocol was worked.
    #[serde(default)]
    pub hash: String,
    /// The client reference (a pseudonym or initials), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// A practice session (no client, no consultation).
    #[serde(default)]
    pub practice: bool,
    /// The rehearsal speed (1 for a real session): at 10 the session's clock
    /// ran ten times faster than the wall's.
    #[serde(default = "real_time", skip_serializing_if = "is_real_time")]
    pub speed: f64,
    /// When the record was opened, wall-clock time.
    #[serde(with = "maybe_stamp")]
    pub opened: Option<Stamp>,
    /// The stillpoint version that wrote it.
    #[serde(default)]
    pub app: String,
}

/// The longest client reference, in characters, wherever it is given.
pub const CLIENT_MAX: usize = 40;

/// A client reference as it is kept: control characters and line breaks
/// gone, spaces collapsed, at most [`CLIENT_MAX`] characters. Applied once,
/// where a reference enters (the flag, the consultation), so the form, the
/// record and every view hold the same text.
pub fn client_reference(typed: &str) -> String {
    let clean = crate::text::sanitize_line(typed);
    let words: Vec<&str> = clean
        .split(|c: char| c.is_whitespace() || c == crate::text::REPLACEMENT)
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ").chars().take(CLIENT_MAX).collect()
}

/// A condition that needs a physician's release before a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// A recent concussion.
    RecentConcussion,
    /// Swelling of the brain.
    CerebralSwelling,
    /// A structural defect of the cerebellum, such as a Chiari malformation.
    CerebellarDefect,
    /// A brain aneurysm.
    BrainAneurysm,
    /// A traumatic brain injury.
    TraumaticBrainInjury,
    /// Blood clots.
    BloodClots,
    /// A disorder of cerebrospinal fluid pressure, flow or build-up.
    CsfDisorder,
}

impl Condition {
    /// Every condition, in the order the consultation lists them.
    pub const ALL: [Condition; 7] = [
        Condition::RecentConcussion,
        Condition::CerebralSwelling,
        Condition::CerebellarDefect,
        Condition::BrainAneurysm,
        Condition::TraumaticBrainInjury,
        Condition::BloodClots,
        Condition::CsfDisorder,
    ];

    /// The condition in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Condition::RecentConcussion => "recent concussion",
            Condition::CerebralSwelling => "swelling of the brain (cerebral oedema)",
            Condition::CerebellarDefect => "cerebellar defect, e.g. Chiari malformation",
            Condition::BrainAneurysm => "brain aneurysm",
            Condition::TraumaticBrainInjury => "traumatic brain injury",
            Condition::BloodClots => "blood clots",
            Condition::CsfDisorder => "disorder of spinal fluid pressure or flow",
        }
    }
}

/// A reason for extra care during a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Caution {
    /// The client is an infant.
    Infant,
    /// The client is elderly.
    Elderly,
    /// Spinal instability.
    SpinalInstability,
    /// Severe osteoporosis.
    SevereOsteoporosis,
    /// A neurological condition.
    NeurologicalCondition,
}

impl Caution {
    /// Every caution, in the order the consultation lists them.
    pub const ALL: [Caution; 5] = [
        Caution::Infant,
        Caution::Elderly,
        Caution::SpinalInstability,
        Caution::SevereOsteoporosis,
        Caution::NeurologicalCondition,
    ];

    /// The caution in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Caution::Infant => "infant",
            Caution::Elderly => "elderly client",
            Caution::SpinalInstability => "spinal instability",
            Caution::SevereOsteoporosis => "severe osteoporosis",
            Caution::NeurologicalCondition => "neurological condition",
        }
    }
}

/// A ticked condition, and whether a physician has released the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The condition.
    pub condition: Condition,
    /// Whether a physician has released the client for a session.
    pub released: bool,
}

/// The consultation's answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Intake {
    /// A pseudonym or initials; no real name is needed.
    pub client: String,
    /// The body regions the client wants attention on.
    #[serde(default)]
    pub focus: Vec<Region>,
    /// Anything else about the focus, in the therapist's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub focus_note: String,
    /// Pain now, 0–10.
    pub pain: u8,
    /// Stress now, 0–10.
    pub stress: u8,
    /// The conditions ticked that need a physician's release.
    #[serde(default)]
    pub releases: Vec<Release>,
    /// The reasons for extra care ticked.
    #[serde(default)]
    pub cautions: Vec<Caution>,
}

impl Intake {
    /// The cautions ticked, in words ("elderly client, severe osteoporosis");
    /// `None` when there are none.
    pub fn cautions_text(&self) -> Option<String> {
        if self.cautions.is_empty() {
            return None;
        }
        let words: Vec<&str> = self.cautions.iter().map(|c| c.label()).collect();
        Some(words.join(", "))
    }

    /// The ticked conditions with no physician's release: any one of them
    /// stops the session from starting.
    pub fn blocking(&self) -> Vec<Condition> {
        self.releases
            .iter()
            .filter(|r| !r.released)
            .map(|r| r.condition)
            .collect()
    }
}

/// The answers after the last step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Aftercare {
    /// Pain now, 0–10 (none in practice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain: Option<u8>,
    /// Stress now, 0–10 (none in practice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress: Option<u8>,
    /// A closing note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// An addendum: free text and any corrected ratings, dated and signed off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Addendum {
    /// When it was written, wall-clock time.
    #[serde(with = "maybe_stamp", default)]
    pub written: Option<Stamp>,
    /// Who signed it off (the practitioner's name or initials).
    pub by: String,
    /// What it adds or corrects, in the practitioner's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Ratings it corrects.
    #[serde(default, skip_serializing_if = "Corrections::is_empty")]
    pub corrected: Corrections,
}

/// Ratings an addendum corrects, 0–10; the others stand as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Corrections {
    /// Pain at the consultation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain_before: Option<u8>,
    /// Pain at the closing questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain_after: Option<u8>,
    /// Stress at the consultation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress_before: Option<u8>,
    /// Stress at the closing questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress_after: Option<u8>,
}

impl Corrections {
    /// True when nothing is corrected.
    pub fn is_empty(&self) -> bool {
        *self == Corrections::default()
    }

    /// Each correction as (what, the new value), in a fixed order.
    pub fn each(&self) -> Vec<(&'static str, u8)> {
        [
            ("pain before", self.pain_before),
            ("pain after", self.pain_after),
            ("stress before", self.stress_before),
            ("stress after", self.stress_after),
        ]
        .into_iter()
        .filter_map(|(what, v)| v.map(|v| (what, v)))
        .collect()
    }
}

/// A session in one line: what `history` lists and `export --format csv`
/// writes. It is the payload of the [`Entry::Closed`] line, and can be
/// worked out from any journal, closed or not.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Wall-clock time the record was opened.
    #[serde(with = "maybe_stamp", default)]
    pub opened: Option<Stamp>,
    /// The client reference, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The protocol's name.
    pub protocol: String,
    /// A practice session.
    #[serde(default)]
    pub practice: bool,
    /// The rehearsal speed (1 for a real session).
    #[serde(default = "real_time", skip_serializing_if = "is_real_time")]
    pub speed: f64,
    /// Active time, pauses excluded.
    #[serde(with = "secs")]
    pub active: Duration,
    /// True when every step was worked through.
    pub completed: bool,
    /// Pain before and after, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain_before: Option<u8>,
    /// See [`Summary::pain_before`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain_after: Option<u8>,
    /// Stress before and after, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress_before: Option<u8>,
    /// See [`Summary::stress_before`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress_after: Option<u8>,
    /// How many notes were taken.
    #[serde(default)]
    pub notes: usize,
    /// How many addenda follow the record (its ratings above are as they
    /// correct them). Never in a closing line, which comes before them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub addenda: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A wall-clock moment as a record keeps it: the local date and time it was
/// written at, and the UTC offset it was written with. On disk it is RFC 3339
/// text (`2026-11-02T09:30:00+01:00`); in memory it is typed, so nothing
/// slices strings to find a date. A moment known only from a file's name
/// has no offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// The local date and time, as the clock on the wall showed it.
    pub local: jiff::civil::DateTime,
    /// The offset from UTC it was written with, when known.
    pub offset: Option<jiff::tz::Offset>,
}

impl Stamp {
    /// `zoned`'s local time and offset, to the second.
    pub fn of(zoned: &jiff::Zoned) -> Stamp {
        let local = zoned.datetime();
        Stamp {
            local: local.with().subsec_nanosecond(0).build().unwrap_or(local),
            offset: Some(zoned.offset()),
        }
    }

    /// Reads RFC 3339 (`…T09:30:00+01:00`, `…Z`) or a local time with no
    /// offset (`2026-11-02T09:30:00`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Stamp> {
        let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
        let local = pieces.date().to_datetime(pieces.time()?);
        Some(Stamp {
            local,
            offset: pieces.to_numeric_offset(),
        })
    }

    /// The local date it was written on.
    pub fn date(&self) -> jiff::civil::Date {
        self.local.date()
    }

    /// The instant, for ordering (a stamp with no offset is taken as UTC:
    /// near enough to put it in order).
    pub fn timestamp(&self) -> jiff::Timestamp {
        let offset = self.offset.unwrap_or(jiff::tz::Offset::UTC);
        offset
            .to_timestamp(self.local)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// `2026-11-02 09:30`: the local date and time to the minute.
    pub fn short(&self) -> String {
        self.local.strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// `Mon 2026-11-02 09:30 (UTC+01:00)`: with the weekday and, when
    /// known, the offset.
    pub fn long(&self) -> String {
        let day = self.local.strftime("%a %Y-%m-%d %H:%M");
        match self.offset {
            Some(o) if o == jiff::tz::Offset::UTC => format!("{day} (UTC)"),
            Some(o) => format!("{day} (UTC{})", offset_text(o)),
            None => day.to_string(),
        }
    }
}

/// `+01:00`.
fn offset_text(offset: jiff::tz::Offset) -> String {
    let secs = offset.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", secs / 3600, secs / 60 % 60)
}

impl std::fmt::Display for Stamp {
    /// RFC 3339 as written on disk (no offset when none is known).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.local.strftime("%Y-%m-%dT%H:%M:%S"))?;
        match self.offset {
            Some(o) => f.write_str(&offset_text(o)),
            None => Ok(()),
        }
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        let text = String::deserialize(d)?;
        Stamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a date and time: {text:?}")))
    }
}

/// An optional [`Stamp`] on disk: a missing or empty string (as early
/// records and damaged summaries have) is `None`.
pub mod maybe_stamp {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Stamp;

    /// Writes the stamp, or an empty string.
    pub fn serialize<S: Serializer>(stamp: &Option<Stamp>, s: S) -> Result<S::Ok, S::Error> {
        match stamp {
            Some(stamp) => s.collect_str(stamp),
            None => s.serialize_str(""),
        }
    }

    /// Reads a stamp; an empty or unreadable string is none.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Stamp>, D::Error> {
        let text = Option::<String>::deserialize(d)?.unwrap_or_default();
        Ok(Stamp::parse(&text))
    }
}

/// An entry with the moment it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logged {
    /// When, on the session clock (milliseconds in the file).
    pub at: Moment,
    /// What.
    #[serde(flatten)]
    pub entry: Entry,
}

/// An optional duration as seconds (see [`secs`]).
pub mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    /// Writes `d` as seconds.
    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::secs::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    /// Reads seconds into a duration, if there are any.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let s = Option::<f64>::deserialize(d)?;
        Ok(s.map(|s| Duration::try_from_secs_f64(s).unwrap_or_default()))
    }
}

/// Durations travel through the journal as seconds with millisecond precision.
pub mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    /// Writes `d` as seconds.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64((d.as_millis() as f64) / 1000.0)
    }

    /// Reads seconds into a duration (negative or absurd values become zero).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = f64::deserialize(d)?;
        Ok(Duration::try_from_secs_f64(s).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cautions_line_names_each_ticked_caution() {
        let mut intake = Intake::default();
        assert_eq!(intake.cautions_text(), None);
        intake.cautions = vec![Caution::Elderly, Caution::SevereOsteoporosis];
        assert_eq!(
            intake.cautions_text().as_deref(),
            Some("elderly client, severe osteoporosis")
        );
    }

    #[test]
    fn stamps_read_and_write_as_recorded() {
        for text in [
            "2026-11-02T09:30:00+01:00",
            "2026-11-02T09:30:00-08:00",
            "2026-11-02T09:30:00",
        ] {
            let stamp = Stamp::parse(text).expect("a stamp");
            assert_eq!(stamp.to_string(), text);
        }
        let utc = Stamp::parse("2026-11-02T09:30:00Z").expect("utc");
        assert_eq!(utc.long(), "Mon 2026-11-02 09:30 (UTC)");
        let here = Stamp::parse("2026-11-02T09:30:00+01:00").expect("offset");
        assert_eq!(here.long(), "Mon 2026-11-02 09:30 (UTC+01:00)");
        assert_eq!(here.short(), "2026-11-02 09:30");
        assert_eq!(here.date(), jiff::civil::date(2026, 11, 2));
        assert!(Stamp::parse("").is_none());
        assert!(Stamp::parse("yesterday").is_none());
    }
}
