//! One record read in full — tolerating damage anywhere, since a person
//! asking to see a record wants whatever can still be read — and `show`'s
//! plain-text account of it; finding a record by id, start of id, or path.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::Status;
use super::scan::date_time;
use crate::clock::Moment;
use crate::session::journal::{JournalError, read, session_id};
use crate::session::record::{EndedBy, Entry, Logged};
use crate::session::report::{MarkKind, Report, StepReport};
use crate::text::clock_text;
use crate::text::truncate;

/// A record read in full, with what the report leaves out.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its id.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// The session worked out from every readable line.
    pub report: Report,
    /// The 1-based lines that could not be read, other than a torn last
    /// line; a record with any is damaged.
    pub unreadable: Vec<usize>,
    /// The last line was cut off (a crash while writing it).
    pub torn_tail: bool,
    /// How many steps the protocol had, from the session's start line.
    pub steps_planned: Option<usize>,
    /// Time spent paused, in all.
    pub paused: Duration,
    /// Why the session was cut off, each time it was.
    pub interruptions: Vec<String>,
}

/// A journal line as read leniently: its sequence number is not checked.
#[derive(Deserialize)]
struct LooseLine {
    #[serde(default)]
    at: Moment,
    #[serde(flatten)]
    entry: Entry,
}

impl Record {
    /// Reads the record at `path`. Damage before the last line does not stop
    /// it: every line that can be read is used, and the others are listed.
    pub fn load(path: &Path) -> Result<Record, String> {
        let (records, unreadable, torn_tail) = match read(path) {
            Ok(c) => (c.records, Vec::new(), c.torn_tail),
            Err(JournalError::Damaged { .. }) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let (records, bad) = loose_lines(&bytes);
                (records, bad, false)
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut record = Record {
            id: session_id(path),
            path: path.to_owned(),
            report: Report::from_entries(&records),
            unreadable,
            torn_tail,
            steps_planned: None,
            paused: Duration::ZERO,
            interruptions: Vec::new(),
        };
        for l in &records {
            match &l.entry {
                Entry::SessionStarted { steps, .. } => record.steps_planned = Some(*steps),
                Entry::Resumed { paused_for, .. } => record.paused += *paused_for,
                Entry::Interrupted { reason } => record.interruptions.push(reason.clone()),
                _ => {}
            }
        }
        if record.report.opened.is_none() && record.unreadable.is_empty() {
            // A record must start with its opening line; one that does not
            // was written by something else, or cut at its first line.
            record.unreadable.push(1);
        }
        Ok(record)
    }

    /// How the record stands.
    pub fn status(&self) -> Status {
        let r = &self.report;
        if !self.unreadable.is_empty() {
            Status::Damaged
        } else if r.abandoned {
            Status::SetAside
        } else if !r.closed {
            Status::Interrupted
        } else if r.completed {
            Status::Complete
        } else {
            Status::EndedEarly
        }
    }

    /// Steps the protocol had that the session never reached, as 1-based
    /// numbers `(first, last, of)`.
    pub fn unreached(&self) -> Option<(usize, usize, usize)> {
        let of = self.steps_planned?;
        let reached = self
            .report
            .steps
            .iter()
            .map(|s| s.step + 1)
            .max()
            .unwrap_or(0);
        (reached < of).then_some((reached + 1, of, of))
    }

    /// Time from the first step's start to `at` (zero before it).
    pub fn time_into_session(&self, at: Moment) -> Duration {
        at.since(self.report.started_at.unwrap_or_default())
    }
}

/// Every line that parses, whatever its neighbours, and the 1-based numbers
/// of those that do not (blank lines are skipped silently).
fn loose_lines(bytes: &[u8]) -> (Vec<Logged>, Vec<usize>) {
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<LooseLine>(line) {
            Ok(l) => records.push(Logged {
                at: l.at,
                entry: l.entry,
            }),
            Err(_) => bad.push(i + 1),
        }
    }
    (records, bad)
}

/// How a step ended, in words; a step left before its time is flagged.
pub fn how_it_ended(step: &StepReport) -> &'static str {
    if step.skipped() {
        return "skipped: moved on early";
    }
    match step.ended_by {
        Some(EndedBy::Auto) => "on time",
        Some(EndedBy::Next) => "moved on",
        Some(EndedBy::Max) => "ran to its max",
        Some(EndedBy::Back) => "went back",
        Some(EndedBy::Quit) => "session ended here",
        None => "not finished",
    }
}

/// The record's state in a few words, with its reason where it has one.
pub fn state_text(r: &Record) -> String {
    match r.status() {
        Status::Complete => "closed, every step worked through".to_owned(),
        Status::EndedEarly => "closed, ended early".to_owned(),
        Status::Interrupted => {
            let why = r
                .interruptions
                .last()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default();
            format!("interrupted{why}; `stillpoint resume {}` takes it up", r.id)
        }
        Status::SetAside => "interrupted, then set aside".to_owned(),
        Status::Damaged => {
            let lines: Vec<String> = r.unreadable.iter().map(usize::to_string).collect();
            format!(
                "damaged: line{} {} could not be read; the rest is shown",
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            )
        }
    }
}

/// "paused 2 times, 1:30 in all", or nothing.
pub fn pauses_text(r: &Record) -> Option<String> {
    match r.report.pauses {
        0 => None,
        1 => Some(format!("paused once for {}", clock_text(r.paused))),
        n => Some(format!("paused {n} times, {} in all", clock_text(r.paused))),
    }
}

/// The local date and time as recorded with its offset:
/// `Mon 2026-11-02 09:30 (UTC+01:00)`.
pub fn when_text(opened: &str) -> String {
    let day = opened
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .map(|d| format!("{} ", d.strftime("%a")))
        .unwrap_or_default();
    let offset = opened
        .get(19..)
        .filter(|o| o.starts_with(['+', '-']))
        .map(|o| format!(" (UTC{o})"))
        .or_else(|| {
            opened
                .get(19..)
                .filter(|o| *o == "Z")
                .map(|_| " (UTC)".to_owned())
        })
        .unwrap_or_default();
    format!("{day}{}{offset}", date_time(opened))
}

/// A mark in words: notes as typed, rhythm and still points as the report
/// words them.
pub fn mark_text(kind: MarkKind, text: &str) -> String {
    match kind {
        MarkKind::Note => format!("note: {text}"),
        MarkKind::Rhythm | MarkKind::StillPoint => text.to_owned(),
    }
}

/// One session in full, as plain text.
pub fn text(rec: &Record) -> String {
    let r = &rec.report;
    let s = r.summary();
    let mut t = String::new();
    let mut line = |l: String| {
        t.push_str(l.trim_end());
        t.push('\n');
    };
    // A label and its value, the values lined up.
    let field = |label: &str, value: &str| format!("  {label:<12}{value}");
    line(format!("Session {}", rec.id));
    line(field("date", &when_text(&s.opened)));
    if s.practice {
        line(field("practice", "yes (no client)"));
    } else {
        line(field("client", s.client.as_deref().unwrap_or("—")));
    }
    if let Some(o) = &r.opened {
        line(field("protocol", &o.protocol));
        if !o.source.is_empty() {
            line(field("from", &o.source));
        }
        if !o.hash.is_empty() {
            line(field("sha-256", &o.hash));
        }
    }
    line(field("record", &rec.path.display().to_string()));
    line(field("state", &state_text(rec)));
    if rec.torn_tail {
        line(field(
            "",
            "(its last line was cut off by a crash and is left out)",
        ));
    }
    let pauses = pauses_text(rec)
        .map(|p| format!(", {p}"))
        .unwrap_or_default();
    line(field(
        "active",
        &format!("{}{pauses}", clock_text(r.active)),
    ));

    if let Some(i) = &r.intake {
        line(String::new());
        line("Consultation".to_owned());
        let mut focus: Vec<&str> = i.focus.iter().map(|r| r.label()).collect();
        if !i.focus_note.is_empty() {
            focus.push(&i.focus_note);
        }
        if !focus.is_empty() {
            line(field("focus", &focus.join("; ")));
        }
        line(field("pain", &format!("{} of 10", i.pain)));
        line(field("stress", &format!("{} of 10", i.stress)));
        if i.releases.is_empty() {
            line(field("conditions", "none ticked"));
        }
        for rel in &i.releases {
            let release = if rel.released {
                "released by a physician"
            } else {
                "NOT released"
            };
            line(field(
                "condition",
                &format!("{}: {release}", rel.condition.label()),
            ));
        }
        if let Some(care) = i.cautions_text() {
            line(field("extra care", &care));
        }
    }

    if !r.steps.is_empty() || rec.steps_planned.is_some() {
        line(String::new());
        line(format!("{:<44}{:>8} {:>8}", "Steps", "planned", "actual"));
        for st in &r.steps {
            line(format!(
                "  {:>2}. {:<38} {:>8} {:>8}  {}",
                st.step + 1,
                truncate(&st.name, 38),
                clock_text(st.planned),
                clock_text(st.actual),
                how_it_ended(st)
            ));
        }
        if let Some((first, last, of)) = rec.unreached() {
            line(match first == last {
                true => format!("      step {first} of {of} was not reached"),
                false => format!("      steps {first}–{last} of {of} were not reached"),
            });
        }
    }

    if !r.marks.is_empty() {
        line(String::new());
        line("Notes and marks (time into the session)".to_owned());
        for m in &r.marks {
            let step = m
                .step
                .map(|s| format!("  [step {}]", s + 1))
                .unwrap_or_default();
            line(format!(
                "  {:>7}  {}{step}",
                clock_text(rec.time_into_session(m.at)),
                mark_text(m.kind, &m.text)
            ));
        }
    }

    if let Some(a) = &r.aftercare {
        line(String::new());
        line("After the session".to_owned());
        match (a.pain, a.stress) {
            (None, None) if !s.practice => {
                line("  the closing questions were skipped".to_owned());
            }
            _ => {
                if a.pain.is_some() {
                    line(field("pain", &super::change(s.pain_before, a.pain)));
                }
                if a.stress.is_some() {
                    line(field("stress", &super::change(s.stress_before, a.stress)));
                }
            }
        }
        if !a.note.is_empty() {
            line(field("note", &a.note));
        }
    }
    t
}

/// The record `session` names: an id, a path to a `.jsonl` file, or a
/// start of an id that only one record has. An exact id wins over longer
/// ids it is the start of. Unknown and ambiguous names are errors that list
/// what there is.
pub fn find(sessions_dir: &Path, session: &str) -> Result<PathBuf, String> {
    let wanted = session.trim();
    let as_path = Path::new(wanted);
    if (wanted.contains(std::path::MAIN_SEPARATOR) || wanted.ends_with(".jsonl"))
        && as_path.is_file()
    {
        return Ok(as_path.to_owned());
    }
    let wanted = wanted.strip_suffix(".jsonl").unwrap_or(wanted);
    let listed = super::scan::scan(sessions_dir)
        .map_err(|e| format!("cannot read {}: {e}", sessions_dir.display()))?;
    if let Some(exact) = listed.iter().find(|l| l.id == wanted) {
        return Ok(exact.path.clone());
    }
    let matching: Vec<&super::Listed> = if wanted.is_empty() {
        Vec::new()
    } else {
        listed.iter().filter(|l| l.id.starts_with(wanted)).collect()
    };
    const SHOWN: usize = 10;
    match matching.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => {
            let mut msg = format!("no session \"{wanted}\" in {}", sessions_dir.display());
            if listed.is_empty() {
                msg.push_str("\n  (no sessions are recorded there yet)");
            } else {
                msg.push_str("; the latest are:");
                msg.push_str(&candidates(&listed[listed.len().saturating_sub(5)..]));
                msg.push_str("\n  hint: `stillpoint history` lists them all");
            }
            Err(msg)
        }
        many => {
            let mut msg = format!(
                "\"{wanted}\" could be any of {} sessions; give more of the id:",
                many.len()
            );
            let shown: Vec<super::Listed> = many.iter().take(SHOWN).map(|l| (*l).clone()).collect();
            msg.push_str(&candidates(&shown));
            if many.len() > SHOWN {
                msg.push_str(&format!("\n  … and {} more", many.len() - SHOWN));
            }
            Err(msg)
        }
    }
}

/// Records as lines of an error message, lined up: id, date, who, protocol.
fn candidates(listed: &[super::Listed]) -> String {
    let id_width = listed
        .iter()
        .map(|l| l.id.chars().count())
        .max()
        .unwrap_or(0);
    let who = |l: &super::Listed| {
        if l.summary.practice {
            "(practice)".to_owned()
        } else {
            truncate(l.summary.client.as_deref().unwrap_or("—"), 14)
        }
    };
    let who_width = listed
        .iter()
        .map(|l| who(l).chars().count())
        .max()
        .unwrap_or(0);
    let mut t = String::new();
    for l in listed {
        let line = format!(
            "\n  {:<id_width$}  {}  {:<who_width$}  {}",
            l.id,
            l.date_time(),
            who(l),
            truncate(&l.summary.protocol, 28)
        );
        t.push_str(line.trim_end());
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_reading_keeps_every_good_line() {
        let text = b"{\"seq\":0,\"at\":0,\"event\":\"note\",\"text\":\"a\"}\nnot json\n\n\
{\"seq\":7,\"at\":2000,\"event\":\"abandoned\"}\n{\"seq\":3,\"at\":";
        let (records, bad) = loose_lines(text);
        assert_eq!(bad, [2, 5]);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].entry, Entry::Abandoned);
        assert_eq!(records[1].at, Moment::from_secs(2));
    }

    #[test]
    fn the_moment_reads_with_its_weekday_and_offset() {
        assert_eq!(
            when_text("2026-11-02T09:30:00+01:00"),
            "Mon 2026-11-02 09:30 (UTC+01:00)"
        );
        assert_eq!(
            when_text("2026-11-02T09:30:00Z"),
            "Mon 2026-11-02 09:30 (UTC)"
        );
        assert_eq!(when_text("2026-11-21T12:00:00"), "Sat 2026-11-21 12:00");
        assert_eq!(when_text(""), "?");
    }
}
