//! `stillpoint export`: CSV for spreadsheets (one row per session, from the
//! summaries alone, so it is as quick as history), Markdown session notes a
//! practitioner could file, and JSON with every session in full.
//!
//! The Markdown is read on a terminal as often as in an editor, so text
//! from a record is sanitized (no escape sequence or control character
//! gets through) before it is escaped for Markdown. JSON needs neither:
//! serde escapes control characters. CSV is data for a spreadsheet: its
//! text cells keep what the record says, quoted, and are defused against
//! formulas ([`csv_field`]).

use std::io::{self, Write};

use serde::Serialize;

use super::record::Record;
use super::{HistoryError, Listed};
use crate::session::record::{Addendum, Aftercare, EndedBy, Intake};
use crate::session::report::{Change, Fact, MarkKind, Outcome, State};
use crate::text::{clock_text, sanitize_line};

/// A text cell for CSV: defused against formula injection, then quoted
/// as RFC 4180 asks. Text that a spreadsheet would take for a formula —
/// starting with `=`, `+`, `-` or `@`, or with a tab or a carriage return
/// (OWASP's list) — gets a `'` in front, which spreadsheets show as text
/// and do not run; a client reference `=HYPERLINK(…)` stays words. For
/// text only: numbers the program writes itself go into the row as they
/// are (a negative number is not a formula).
pub fn csv_field(s: &str) -> String {
    // Control characters (an escape sequence in a name) have no place in a
    // cell, and would act on a terminal the CSV is printed to.
    let s = &*crate::text::sanitize_line(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        quoted(&format!("'{s}"))
    } else {
        quoted(s)
    }
}

/// `s` as an RFC 4180 field: quoted when it holds a comma, a quote, a line
/// break, or spaces at either end (which some readers would drop), with
/// quotes doubled inside. Written by hand: it is these few lines, not worth
/// a crate.
fn quoted(s: &str) -> String {
    let needs_quotes = s.contains([',', '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if needs_quotes {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The CSV: a header row, then one row per session. `notes` is how many
/// notes were taken (their text is in the Markdown and JSON exports);
/// `addenda` how many addenda follow the record (the ratings are as they
/// correct them; Markdown and JSON give the original and each addendum). The
/// cells of text that came from a record (id, date, client, protocol) go
/// through [`csv_field`]; the numbers, true/false and the status are the
/// program's own words.
pub fn csv(sessions: &[Listed], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(
        b"id,date,client,protocol,practice,rehearsal_speed,active_seconds,completed,status,\
          pain_before,pain_after,stress_before,stress_after,notes,addenda\n",
    )?;
    let n = |v: Option<u8>| v.map_or(String::new(), |v| v.to_string());
    for s in sessions {
        let m = &s.summary;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&s.id),
            csv_field(&m.opened.map(|o| o.to_string()).unwrap_or_default()),
            csv_field(m.client.as_deref().unwrap_or("")),
            csv_field(&m.protocol),
            m.practice,
            m.speed,
            m.active.as_secs(),
            m.completed,
            s.status.word(),
            n(m.pain_before),
            n(m.pain_after),
            n(m.stress_before),
            n(m.stress_after),
            m.notes,
            m.addenda
        )?;
    }
    Ok(())
}

/// Reads every chosen record in full on a small pool of readers, turns
/// each into what the format writes, and writes them in order as they come
/// (see [`pool::for_each_in_order`](super::pool::for_each_in_order)). A
/// record that cannot be read at all comes to `render` as its error.
fn each_rendered(
    sessions: &[Listed],
    render: impl Fn(&Listed, Result<Record, HistoryError>) -> io::Result<String> + Sync,
    mut write: impl FnMut(usize, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut n = 0;
    super::pool::for_each_in_order(
        sessions,
        |s| render(s, Record::load(&s.path)),
        |s| render(s, Err(HistoryError::ReaderFailed { id: s.id.clone() })),
        |_, text| {
            let text = text?;
            write(n, text.as_bytes())?;
            n += 1;
            Ok(())
        },
    )
}

/// Text safe in Markdown prose and on a terminal: made one safe line
/// (escape sequences and control characters out, line breaks become
/// spaces), then characters that would start emphasis, code, links, HTML or
/// a table cell are escaped.
fn md(s: &str) -> String {
    let s = sanitize_line(s);
    let mut t = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                t.push('\\');
                t.push(c);
            }
            c => t.push(c),
        }
    }
    t
}

/// Markdown: a note per session, separated by rules, written as they are read.
pub fn markdown(sessions: &[Listed], out: &mut dyn Write) -> io::Result<()> {
    each_rendered(
        sessions,
        |s, record| {
            Ok(match record {
                Ok(r) => note(&r),
                Err(e) => format!(
                    "# Session {}\n\nThis record cannot be read: {}.\n",
                    md(&s.id),
                    md(&crate::hint::chain(&e))
                ),
            })
        },
        |n, text| {
            if n > 0 {
                out.write_all(b"\n---\n\n")?;
            }
            out.write_all(text)
        },
    )
}

/// A readable session note a practitioner could file.
pub fn note(rec: &Record) -> String {
    let r = &rec.report;
    let mut t = note_header(rec);
    section(&mut t, "Consultation", &r.consultation());
    if !r.steps.is_empty() {
        t.push_str("\n## Steps\n\n");
        t.push_str("| # | Step | Planned | Actual | How it ended |\n");
        t.push_str("|--:|------|--------:|-------:|--------------|\n");
        for st in &r.steps {
            t.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                st.step + 1,
                md(&st.name),
                clock_text(st.planned),
                clock_text(st.actual),
                st.outcome_text()
            ));
        }
        if let Some(unreached) = r.unreached_text() {
            t.push_str(&format!("\n{}.\n", capitalised(&unreached)));
        }
    }
    if !r.marks.is_empty() {
        t.push_str("\n## Notes and marks\n\n");
        for m in &r.marks {
            let text = match m.kind {
                MarkKind::Note => md(&m.text),
                MarkKind::Rhythm | MarkKind::StillPoint => format!("*{}*", md(&m.text)),
            };
            t.push_str(&format!("- {} — {text}\n", clock_text(r.mark_time(m))));
        }
    }
    section(&mut t, "After the session", &r.after());
    for i in 0..r.addenda.len() {
        let title = format!(
            "Addendum {} of {} (added later; the note above is as it was written)",
            i + 1,
            r.addenda.len()
        );
        section(&mut t, &title, &r.addendum_facts(i));
    }
    t
}

/// The note's title (who and when) and its first facts.
fn note_header(rec: &Record) -> String {
    let r = &rec.report;
    let who = if r.practice() {
        "Practice session".to_owned()
    } else {
        r.client()
            .as_deref()
            .map_or("Session".to_owned(), |c| format!("Session with {}", md(c)))
    };
    let when = r
        .opened
        .as_ref()
        .and_then(|o| o.opened)
        .map_or_else(|| "?".to_owned(), |s| s.long());
    let protocol = r.opened.as_ref().map_or("", |o| o.protocol.as_str());
    let protocol = if protocol.is_empty() {
        "unknown".to_owned()
    } else {
        md(protocol)
    };
    let mut t = format!("# {who}, {when}\n\n- **Protocol:** {protocol}\n");
    if let Some(rehearsal) = r.rehearsal_text() {
        t.push_str(&format!("- **Rehearsal:** {}\n", md(&rehearsal)));
    }
    t.push_str(&format!(
        "- **Active time:** {} ({})\n",
        r.active_text(),
        rec.state().word()
    ));
    if !r.practice() {
        t.push_str(&format!(
            "- **Pain:** {}; **stress:** {} (0–10, before → after)\n",
            or_none(r.pain().to_string()),
            or_none(r.stress().to_string())
        ));
    }
    if matches!(rec.state(), State::Damaged | State::Altered) {
        t.push_str(&format!("- **Record:** {}\n", md(&rec.state_text())));
    }
    // In a code span nothing is escaped, so a backtick cannot be shown
    // there: an id that holds one (from an odd file name) is given as text.
    let id = sanitize_line(&rec.id);
    if id.contains('`') {
        t.push_str(&format!("- **Record id:** {}\n", md(&id)));
    } else {
        t.push_str(&format!("- **Record id:** `{id}`\n"));
    }
    t
}

/// A section of facts as a bulleted list: `- **Label:** value`.
fn section(t: &mut String, title: &str, facts: &[Fact]) {
    if facts.is_empty() {
        return;
    }
    t.push_str(&format!("\n## {title}\n\n"));
    for f in facts {
        t.push_str(&format!(
            "- **{}:** {}\n",
            capitalised(f.label),
            md(&f.value)
        ));
    }
}

fn or_none(s: String) -> String {
    if s.is_empty() { "—".to_owned() } else { s }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A session as JSON export writes it.
#[derive(Debug, Serialize)]
struct Exported {
    id: String,
    status: State,
    /// When the record was opened, local time with its offset (RFC 3339).
    opened: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<String>,
    practice: bool,
    /// A rehearsal: the clock ran this many times faster than real time.
    #[serde(skip_serializing_if = "Option::is_none")]
    rehearsal_speed: Option<f64>,
    protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    active_seconds: f64,
    completed: bool,
    pauses: usize,
    paused_seconds: f64,
    pain: Change,
    stress: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    intake: Option<Intake>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps_planned: Option<usize>,
    steps: Vec<ExportedStep>,
    marks: Vec<ExportedMark>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aftercare: Option<Aftercare>,
    /// Added after the record was finished, in order; `pain` and `stress`
    /// above are as recorded, `intake` and `aftercare` too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    addenda: Vec<Addendum>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interruptions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unreadable_lines: Vec<usize>,
    /// The first line found altered, and how.
    #[serde(skip_serializing_if = "Option::is_none")]
    altered: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct ExportedStep {
    /// 1-based, as `show` numbers them.
    step: usize,
    name: String,
    planned_seconds: f64,
    /// The target it ended with (the plan after extends and shortens).
    target_seconds: f64,
    actual_seconds: f64,
    ended_by: Option<EndedBy>,
    /// How it ended, in one word of the read model's vocabulary.
    outcome: Outcome,
    /// The same in words, as `show` and the Markdown note give it.
    how_it_ended: String,
    /// Moved on from before it really started (see `outcome`).
    skipped: bool,
}

#[derive(Debug, Serialize)]
struct ExportedMark {
    /// Active session time at the mark, pauses left out.
    seconds_into_session: f64,
    /// The time of day of the mark (RFC 3339), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    wall: Option<String>,
    kind: MarkKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    text: String,
}

impl ExportedStep {
    fn new(st: &crate::session::report::StepReport) -> ExportedStep {
        ExportedStep {
            step: st.step + 1,
            name: st.name.clone(),
            planned_seconds: secs(st.planned),
            target_seconds: secs(st.target),
            actual_seconds: secs(st.actual),
            ended_by: st.ended_by,
            outcome: st.outcome(),
            how_it_ended: st.outcome_text(),
            skipped: st.outcome() == Outcome::Skipped,
        }
    }
}

/// Seconds with millisecond precision, as the journal keeps them.
fn secs(d: std::time::Duration) -> f64 {
    d.as_millis() as f64 / 1000.0
}

impl Exported {
    /// A record that could not be read at all: what its listing knows.
    fn unreadable(s: &Listed, e: &HistoryError) -> Exported {
        let m = &s.summary;
        Exported {
            id: s.id.clone(),
            status: State::Damaged,
            opened: m.opened.map(|o| o.to_string()).unwrap_or_default(),
            client: m.client.clone(),
            practice: m.practice,
            rehearsal_speed: (m.speed != 1.0).then_some(m.speed),
            protocol: m.protocol.clone(),
            source: None,
            hash: None,
            active_seconds: secs(m.active),
            completed: m.completed,
            pauses: 0,
            paused_seconds: 0.0,
            pain: Change {
                before: m.pain_before,
                after: m.pain_after,
            },
            stress: Change {
                before: m.stress_before,
                after: m.stress_after,
            },
            intake: None,
            steps_planned: None,
            steps: Vec::new(),
            marks: Vec::new(),
            aftercare: None,
            addenda: Vec::new(),
            interruptions: Vec::new(),
            unreadable_lines: Vec::new(),
            altered: None,
            error: Some(crate::hint::chain(e)),
        }
    }

    fn new(s: &Listed, rec: &Record) -> Exported {
        let r = &rec.report;
        let opened = r.opened.as_ref();
        Exported {
            id: rec.id.clone(),
            status: rec.state(),
            opened: opened
                .and_then(|o| o.opened)
                .or(s.summary.opened)
                .map(|o| o.to_string())
                .unwrap_or_default(),
            client: r.client(),
            practice: r.practice(),
            rehearsal_speed: r.rehearsal().then_some(r.speed),
            protocol: opened.map(|o| o.protocol.clone()).unwrap_or_default(),
            source: opened.map(|o| o.source.clone()).filter(|x| !x.is_empty()),
            hash: opened.map(|o| o.hash.clone()).filter(|x| !x.is_empty()),
            active_seconds: secs(r.active),
            completed: r.completed,
            pauses: r.pauses,
            paused_seconds: secs(r.paused),
            pain: r.pain(),
            stress: r.stress(),
            intake: r.intake.clone(),
            steps_planned: r.steps_planned,
            steps: r.steps.iter().map(ExportedStep::new).collect(),
            marks: r
                .marks
                .iter()
                .map(|mk| ExportedMark {
                    seconds_into_session: secs(r.mark_time(mk)),
                    wall: mk.wall.map(|w| w.to_string()),
                    kind: mk.kind,
                    step: mk.step.map(|s| s + 1),
                    text: mk.text.clone(),
                })
                .collect(),
            aftercare: r.aftercare.clone(),
            addenda: r.addenda.clone(),
            interruptions: r.interruptions.clone(),
            unreadable_lines: rec.unreadable.clone(),
            altered: rec
                .altered
                .as_ref()
                .map(|(line, problem)| format!("line {line}: {problem}")),
            error: None,
        }
    }
}

/// JSON: one array of every chosen session in full, written as it is read.
pub fn json(sessions: &[Listed], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"[")?;
    let mut any = false;
    each_rendered(
        sessions,
        |s, rec| {
            let exported = match &rec {
                Ok(rec) => Exported::new(s, rec),
                Err(e) => Exported::unreadable(s, e),
            };
            let value = serde_json::to_string_pretty(&exported).map_err(io::Error::other)?;
            // Indented one level, as a whole pretty-printed array would be.
            Ok(value.replace('\n', "\n  "))
        },
        |n, text| {
            any = true;
            out.write_all(if n == 0 { b"\n  " } else { b",\n  " })?;
            out.write_all(text)
        },
    )?;
    out.write_all(if any { b"\n]\n" } else { b"]\n" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("AB"), "AB");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("Smith, J"), "\"Smith, J\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("\""), "\"\"\"\"");
        // Cells are one line of text: breaks and controls become spaces.
        assert_eq!(csv_field("two\nlines"), "two lines");
        assert_eq!(csv_field("esc\u{1b}[2Japed"), "esc�aped");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        assert_eq!(csv_field("Élodie; 7 → 3"), "Élodie; 7 → 3");
    }

    #[test]
    fn csv_text_that_a_spreadsheet_would_run_is_defused() {
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("+44 20"), "'+44 20");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        // Still RFC 4180: the quote goes inside the quoted field.
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        // A tab or a carriage return in front becomes a space, which no
        // spreadsheet runs; the cell is quoted for its leading space.
        assert_eq!(csv_field("\t=1"), "\" =1\"");
        // Only at the start: inside text they are just characters.
        assert_eq!(csv_field("AB=CD"), "AB=CD");
        assert_eq!(csv_field("Moreau-Vasquez"), "Moreau-Vasquez");
        assert_eq!(csv_field(" =1"), "\" =1\"");
    }

    #[test]
    fn markdown_text_cannot_start_markup() {
        assert_eq!(md("a *b* _c_ | d"), "a \\*b\\* \\_c\\_ \\| d");
        assert_eq!(md("<script>"), "\\<script\\>");
        assert_eq!(md("two\nlines"), "two lines");
        assert_eq!(md("# not a heading"), "\\# not a heading");
    }

    #[test]
    fn markdown_text_is_sanitized_before_it_is_escaped() {
        assert_eq!(md("\u{1B}]0;pwned\u{7}AB"), "\u{FFFD}AB");
        assert_eq!(md("\u{1B}[2J*x*"), "\u{FFFD}\\*x\\*");
        assert_eq!(md("cr\r\nlf\ttab"), "cr lf tab");
        assert_eq!(
            md("頭蓋 👨\u{200D}👩\u{200D}👧 e\u{301}"),
            "頭蓋 👨\u{200D}👩\u{200D}👧 e\u{301}"
        );
    }
}
