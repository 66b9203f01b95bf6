//! `stillpoint show`: one session in full, as plain text: the record's
//! header, the consultation, the steps with how each ended, the notes and
//! marks, and the closing answers — each part in the read model's words.
//!
//! Everything that came from the record (names, notes, reasons, paths) is
//! sanitized before it is printed, and the steps table is laid out by
//! display width, so a CJK or emoji step name keeps the times in line.

use super::record::Record;
use crate::session::report::Fact;
use crate::text::{clock_text, fit, pad, pad_left, sanitize_line};

/// Columns of the steps table: the step's number, its name, the planned
/// and the actual time.
const NUMBER: usize = 2;
const NAME: usize = 38;
const TIME: usize = 8;

/// A label and its value, the values lined up; the value is from the
/// record, so it is made safe to print on one line.
fn field(label: &str, value: &str) -> String {
    format!("  {}{}", pad(label, 12), sanitize_line(value))
}

fn facts(t: &mut Vec<String>, facts: &[Fact]) {
    t.extend(facts.iter().map(|f| field(f.label, &f.value)));
}

/// One session in full, as plain text.
pub fn text(rec: &Record) -> String {
    let mut t = header(rec);
    let r = &rec.report;
    let consultation = r.consultation();
    if !consultation.is_empty() {
        t.push(String::new());
        t.push("Consultation".to_owned());
        facts(&mut t, &consultation);
    }
    if !r.steps.is_empty() || r.steps_planned.is_some() {
        t.push(String::new());
        t.extend(steps(rec));
    }
    if !r.marks.is_empty() {
        t.push(String::new());
        t.extend(marks(rec));
    }
    let after = r.after();
    if !after.is_empty() {
        t.push(String::new());
        t.push("After the session".to_owned());
        facts(&mut t, &after);
    }
    for i in 0..r.addenda.len() {
        t.push(String::new());
        t.push(format!(
            "Addendum {} of {} (added later; the record above is as it was written)",
            i + 1,
            r.addenda.len()
        ));
        facts(&mut t, &r.addendum_facts(i));
    }
    let mut text = String::new();
    for line in t {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Who, when, what, where the record is and how it stands.
fn header(rec: &Record) -> Vec<String> {
    let r = &rec.report;
    let mut t = vec![format!("Session {}", sanitize_line(&rec.id))];
    let when = r
        .opened
        .as_ref()
        .and_then(|o| o.opened)
        .map_or_else(|| "?".to_owned(), |s| s.long());
    t.push(field("date", &when));
    if r.practice() {
        t.push(field("practice", "yes (no client)"));
    } else {
        t.push(field("client", r.client().as_deref().unwrap_or("—")));
    }
    if let Some(o) = &r.opened {
        t.push(field("protocol", &o.protocol));
        if !o.source.is_empty() {
            t.push(field("from", &o.source));
        }
        if !o.hash.is_empty() {
            t.push(field("sha-256", &o.hash));
        }
    }
    t.push(field("record", &rec.path.display().to_string()));
    t.push(field("state", &rec.state_text()));
    if rec.torn_tail {
        t.push(field(
            "",
            "(its last line was cut off by a crash and is left out)",
        ));
    }
    t.push(field("active", &r.active_text()));
    if !r.addenda.is_empty() {
        let n = r.addenda.len();
        t.push(field(
            "amended",
            &format!("{n} addend{} below", if n == 1 { "um" } else { "a" }),
        ));
    }
    if let Some(rehearsal) = r.rehearsal_text() {
        t.push(field("rehearsal", &rehearsal));
    }
    t
}

/// The steps table: planned, actual, and how each ended.
fn steps(rec: &Record) -> Vec<String> {
    let r = &rec.report;
    // The heading is laid out as the rows are ("  NN. " and the name, then
    // the times), so "planned" and "actual" end over the times.
    let mut t = vec![format!(
        "{} {} {}",
        pad("Steps", NUMBER + NAME + 4),
        pad_left("planned", TIME),
        pad_left("actual", TIME)
    )];
    for st in &r.steps {
        t.push(format!(
            "  {}. {} {} {}  {}",
            pad_left(&(st.step + 1).to_string(), NUMBER),
            fit(&sanitize_line(&st.name), NAME),
            pad_left(&clock_text(st.planned), TIME),
            pad_left(&clock_text(st.actual), TIME),
            st.outcome_text()
        ));
    }
    if let Some(unreached) = r.unreached_text() {
        t.push(format!("      {unreached}"));
    }
    t
}

/// The notes and marks, each with its time into the session and its step.
fn marks(rec: &Record) -> Vec<String> {
    let r = &rec.report;
    let mut t = vec!["Notes and marks (active time into the session)".to_owned()];
    for m in &r.marks {
        let step = m
            .step
            .map(|s| format!("  [step {}]", s + 1))
            .unwrap_or_default();
        t.push(format!(
            "  {}  {}{step}",
            pad_left(&clock_text(r.mark_time(m)), 7),
            sanitize_line(&m.words())
        ));
    }
    t
}
