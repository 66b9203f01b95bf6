//! `stillpoint history`, `show` and `export`: the records in the data folder
//! read back as a table, a chart of one client's pain and stress, one
//! session in full, or CSV, Markdown and JSON.
//!
//! A closed record ends with its summary, so listing needs only the last
//! line of each file; records that were cut off are read whole and worked
//! out. A damaged record is listed as damaged and never stops the rest.

use std::cmp::Ordering;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::journal::{read, read_last, session_id};
use crate::protocol::clock_text;
use crate::record::{EndedBy, Entry, Logged, Summary};
use crate::report::{MarkKind, Report};
use crate::ui::truncate;

/// Which sessions to include.
#[derive(Debug, Clone, Default, Args)]
pub struct Filter {
    /// Only this client's sessions (the reference as typed; case does not
    /// matter).
    #[arg(long, value_name = "REF")]
    pub client: Option<String>,
    /// Only sessions on or after this date (YYYY-MM-DD, the local date the
    /// session was recorded on).
    #[arg(long, value_name = "DATE")]
    pub since: Option<jiff::civil::Date>,
}

impl Filter {
    fn keeps(&self, s: &Listed) -> bool {
        let client_ok = self.client.as_deref().is_none_or(|want| {
            s.summary
                .client
                .as_deref()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case(want.trim()))
        });
        let since_ok = self
            .since
            .is_none_or(|since| s.date().is_some_and(|d| d >= since));
        client_ok && since_ok
    }
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One row per session, for spreadsheets.
    Csv,
    /// A readable session note per session.
    Md,
    /// Every session in full, as one JSON document.
    Json,
}

/// How a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Closed; every step was worked through.
    Complete,
    /// Closed after ending early.
    EndedEarly,
    /// Cut off and not (yet) taken up again.
    Interrupted,
    /// Cut off and set aside.
    SetAside,
    /// The file is damaged before its last line.
    Damaged,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::EndedEarly => "ended early",
            Status::Interrupted => "interrupted",
            Status::SetAside => "set aside",
            Status::Damaged => "damaged",
        }
    }
}

/// One record, as history lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The session's id (the journal's file stem).
    pub id: String,
    /// Where the record is.
    pub path: PathBuf,
    /// The session in one line.
    pub summary: Summary,
    /// How the record stands.
    pub status: Status,
    /// When it was opened, for ordering.
    when: Option<jiff::Timestamp>,
}

impl Listed {
    /// The local date and time as recorded, `YYYY-MM-DD HH:MM`.
    fn date_time(&self) -> String {
        self.summary
            .opened
            .get(..16)
            .map(|s| s.replace('T', " "))
            .unwrap_or_else(|| "?".to_owned())
    }

    fn date(&self) -> Option<jiff::civil::Date> {
        self.summary.opened.get(..10)?.parse().ok()
    }
}

fn status_of(report: &Report) -> Status {
    if report.abandoned {
        Status::SetAside
    } else if !report.closed {
        Status::Interrupted
    } else if report.completed {
        Status::Complete
    } else {
        Status::EndedEarly
    }
}

/// The index of closed records in a sessions folder: one line per record,
/// its id and closing summary. It only saves reading thousands of files; the
/// records stay the truth, and a lost or damaged index is rebuilt from them.
pub const INDEX: &str = ".index";

/// A line of the index.
#[derive(Debug, Serialize, serde::Deserialize)]
struct Indexed {
    id: String,
    summary: Summary,
}

/// Adds a closed record to the folder's index. Failing to is harmless:
/// history reads the record itself instead.
pub fn index_closed(sessions_dir: &Path, id: &str, summary: &Summary) -> io::Result<()> {
    append_index(
        sessions_dir,
        &[Indexed {
            id: id.to_owned(),
            summary: summary.clone(),
        }],
    )
}

fn append_index(sessions_dir: &Path, lines: &[Indexed]) -> io::Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut text = Vec::new();
    for l in lines {
        serde_json::to_writer(&mut text, l).map_err(io::Error::other)?;
        text.push(b'\n');
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // One write: a crash can tear only the last line, which is skipped.
    options.open(sessions_dir.join(INDEX))?.write_all(&text)
}

fn read_index(sessions_dir: &Path) -> std::collections::HashMap<String, Summary> {
    let Ok(text) = std::fs::read(sessions_dir.join(INDEX)) else {
        return Default::default();
    };
    text.split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Indexed>(line).ok())
        .map(|i| (i.id, i.summary))
        .collect()
}

/// Every record in `dir`, oldest first.
pub fn scan(dir: &Path) -> io::Result<Vec<Listed>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut index = read_index(dir);
    let mut listed = Vec::new();
    let mut unindexed = Vec::new();
    for path in entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
    {
        let id = session_id(&path);
        match index.remove(&id) {
            Some(summary) => listed.push(Listed::new(id, path, summary, None)),
            None => unindexed.push(path),
        }
    }
    // Reading many small files is mostly waiting on the kernel; two threads
    // a core keep it busy.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let chunk = unindexed.len().div_ceil(threads).max(64);
    let read: Vec<Listed> = std::thread::scope(|scope| {
        let handles: Vec<_> = unindexed
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| list_one(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // Closed records missing from the index go into it for next time.
    let missing: Vec<Indexed> = read
        .iter()
        .filter(|l| matches!(l.status, Status::Complete | Status::EndedEarly))
        .map(|l| Indexed {
            id: l.id.clone(),
            summary: l.summary.clone(),
        })
        .collect();
    let _ = append_index(dir, &missing);
    listed.extend(read);
    listed.sort_by(|a, b| match (a.when, b.when) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.id.cmp(&b.id)),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    Ok(listed)
}

impl Listed {
    /// A record with its summary; a closed one's status follows from it.
    fn new(id: String, path: PathBuf, summary: Summary, status: Option<Status>) -> Listed {
        let status = status.unwrap_or(if summary.completed {
            Status::Complete
        } else {
            Status::EndedEarly
        });
        let when = summary.opened.parse().ok().or_else(|| {
            let civil: jiff::civil::DateTime = summary.opened.get(..19)?.parse().ok()?;
            civil
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        });
        Listed {
            id,
            path,
            summary,
            status,
            when,
        }
    }
}

/// One record: its closing summary if it has one, else worked out whole.
fn list_one(path: &Path) -> Listed {
    let id = session_id(path);
    let (summary, status) = match read_last(path) {
        Ok(Some(Logged {
            entry: Entry::Closed(summary),
            ..
        })) => (summary, None),
        _ => match read(path) {
            Ok(contents) => {
                let report = Report::from_entries(&contents.records);
                (report.summary(), Some(status_of(&report)))
            }
            // What the name says is all that can be trusted.
            Err(_) => (
                Summary {
                    opened: date_of_id(&id).unwrap_or_default(),
                    ..Summary::default()
                },
                Some(Status::Damaged),
            ),
        },
    };
    Listed::new(id, path.to_owned(), summary, status)
}

/// The moment a record's name gives (`YYYYMMDD-HHMMSS-…`), as
/// `YYYY-MM-DDTHH:MM:SS`.
fn date_of_id(id: &str) -> Option<String> {
    let d = id.get(..15)?;
    let civil = jiff::civil::DateTime::strptime("%Y%m%d-%H%M%S", d).ok()?;
    Some(civil.strftime("%Y-%m-%dT%H:%M:%S").to_string())
}

fn chosen(sessions_dir: &Path, filter: &Filter) -> Result<Vec<Listed>, String> {
    let all =
        scan(sessions_dir).map_err(|e| format!("cannot read {}: {e}", sessions_dir.display()))?;
    Ok(all.into_iter().filter(|s| filter.keeps(s)).collect())
}

fn write_err(e: io::Error) -> String {
    format!("cannot write the output: {e}")
}

/// "6 → 3", with "—" for an answer not given.
fn change(before: Option<u8>, after: Option<u8>) -> String {
    let v = |x: Option<u8>| x.map_or("—".to_owned(), |x| x.to_string());
    if before.is_none() && after.is_none() {
        String::new()
    } else {
        format!("{} → {}", v(before), v(after))
    }
}

/// `stillpoint history`: the sessions in `sessions_dir` as a table; with a
/// client, their pain and stress across sessions as a chart too.
pub fn history(sessions_dir: &Path, filter: &Filter, out: &mut dyn Write) -> Result<(), String> {
    let sessions = chosen(sessions_dir, filter)?;
    write_history(&sessions, filter, out).map_err(write_err)
}

fn write_history(sessions: &[Listed], filter: &Filter, out: &mut dyn Write) -> io::Result<()> {
    if sessions.is_empty() {
        writeln!(
            out,
            "No sessions recorded yet{}.",
            match &filter.client {
                Some(c) => format!(" for client {c}"),
                None => String::new(),
            }
        )?;
        return Ok(());
    }
    // Built whole and written once: thousands of rows, one write.
    let mut text = format!(
        "{:<16}  {:<10}  {:<22}  {:>7}  {:<6}  {:<6}  {:<11}  {}\n",
        "DATE", "CLIENT", "PROTOCOL", "TIME", "PAIN", "STRESS", "STATUS", "SESSION"
    );
    for s in sessions {
        let client = match (&s.summary.client, s.summary.practice) {
            (_, true) => "(practice)".to_owned(),
            (Some(c), false) => truncate(c, 10),
            (None, false) => "—".to_owned(),
        };
        text.push_str(&format!(
            "{:<16}  {:<10}  {:<22}  {:>7}  {:<6}  {:<6}  {:<11}  {}\n",
            s.date_time(),
            client,
            truncate(&s.summary.protocol, 22),
            clock_text(s.summary.active),
            change(s.summary.pain_before, s.summary.pain_after),
            change(s.summary.stress_before, s.summary.stress_after),
            s.status.word(),
            s.id
        ));
    }
    let total: std::time::Duration = sessions.iter().map(|s| s.summary.active).sum();
    text.push_str(&format!(
        "\n{} session{}, {} in all. `stillpoint show SESSION` prints one in full.\n",
        sessions.len(),
        if sessions.len() == 1 { "" } else { "s" },
        clock_text(total)
    ));
    if let Some(client) = &filter.client {
        // As many sessions as fit the terminal (80 columns when piped).
        let width = ratatui::crossterm::terminal::size()
            .ok()
            .filter(|_| std::io::IsTerminal::is_terminal(&io::stdout()))
            .map_or(80, |(w, _)| usize::from(w));
        text.push('\n');
        text.push_str(&chart(client, sessions, width.saturating_sub(8) / 3));
    }
    out.write_all(text.as_bytes())
}

/// One client's pain and stress across sessions, as lines of text: a row
/// per level from 10 down to 0, a column per session.
pub fn chart(client: &str, sessions: &[Listed], max_sessions: usize) -> String {
    let points: Vec<&Listed> = sessions
        .iter()
        .filter(|s| s.summary.pain_before.is_some() || s.summary.stress_before.is_some())
        .collect();
    if points.len() < 2 {
        return format!(
            "(A chart of {client}'s pain and stress needs two sessions with answers.)\n"
        );
    }
    let shown = &points[points.len().saturating_sub(max_sessions.max(2))..];
    let col = 3;
    let mut grid = vec![vec![' '; shown.len() * col]; 11];
    // Each session has a column for pain and one for stress beside it.
    for (i, s) in shown.iter().enumerate() {
        let m = &s.summary;
        let marks = [
            (i * col + 1, m.pain_before, m.pain_after, ('P', 'p')),
            (i * col + 2, m.stress_before, m.stress_after, ('S', 's')),
        ];
        for (x, before, after, (big, small)) in marks {
            for (value, glyph) in [(before, big), (after, small)] {
                let Some(v) = value else { continue };
                let cell = &mut grid[10 - usize::from(v.min(10))][x];
                *cell = if *cell == ' ' { glyph } else { '*' };
            }
        }
    }
    let client = shown
        .last()
        .and_then(|s| s.summary.client.as_deref())
        .unwrap_or(client);
    let mut text = format!(
        "{client}: pain and stress, 0–10, in the last {} session{} with answers\n",
        shown.len(),
        if shown.len() == 1 { "" } else { "s" }
    );
    for (row, cells) in grid.iter().enumerate() {
        let level = 10 - row;
        let line: String = cells.iter().collect();
        text.push_str(&format!("{level:>3} ┤{}\n", line.trim_end()));
    }
    text.push_str(&format!("    └{}\n", "─".repeat(shown.len() * col)));
    let first = shown.first().map(|s| s.date_time()).unwrap_or_default();
    let last = shown.last().map(|s| s.date_time()).unwrap_or_default();
    text.push_str(&format!(
        "     {} … {}\n     P pain before  p after   S stress before  s after   * no change\n",
        first.get(..10).unwrap_or(""),
        last.get(..10).unwrap_or("")
    ));
    text
}

/// `stillpoint show SESSION`: one session in full. `session` is an id (a
/// journal's file stem, or a unique start of one) or a path.
pub fn show(sessions_dir: &Path, session: &str, out: &mut dyn Write) -> Result<(), String> {
    let path = crate::resume::find(sessions_dir, session)?;
    let contents = read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let report = Report::from_entries(&contents.records);
    let text = session_text(&session_id(&path), &report, contents.torn_tail);
    out.write_all(text.as_bytes()).map_err(write_err)
}

/// One session in full, as plain text.
fn session_text(id: &str, r: &Report, torn: bool) -> String {
    let s = r.summary();
    let mut t = String::new();
    let push = |t: &mut String, line: String| {
        t.push_str(&line);
        t.push('\n');
    };
    push(&mut t, format!("Session {id}"));
    if let Some(o) = &r.opened {
        push(&mut t, format!("  opened     {}", o.opened));
        push(
            &mut t,
            format!("  protocol   {} ({})", o.protocol, o.source),
        );
        if !o.hash.is_empty() {
            push(&mut t, format!("  sha-256    {}", o.hash));
        }
    }
    match (&s.client, s.practice) {
        (_, true) => push(&mut t, "  practice   yes (no client)".to_owned()),
        (Some(c), false) => push(&mut t, format!("  client     {c}")),
        (None, false) => {}
    }
    let status = status_of(r);
    push(
        &mut t,
        format!(
            "  record     {}{}",
            status.word(),
            if torn {
                " (its last line was cut off by a crash)"
            } else {
                ""
            }
        ),
    );
    push(
        &mut t,
        format!(
            "  active     {}{}",
            clock_text(r.active),
            if r.pauses > 0 {
                format!(", paused {} time(s)", r.pauses)
            } else {
                String::new()
            }
        ),
    );
    if let Some(i) = &r.intake {
        push(&mut t, String::new());
        push(&mut t, "Consultation".to_owned());
        push(&mut t, format!("  pain {}  stress {}", i.pain, i.stress));
        if !i.focus.is_empty() || !i.focus_note.is_empty() {
            let mut focus: Vec<String> = i.focus.iter().map(|r| r.label().to_owned()).collect();
            if !i.focus_note.is_empty() {
                focus.push(i.focus_note.clone());
            }
            push(&mut t, format!("  focus: {}", focus.join("; ")));
        }
        for rel in &i.releases {
            push(
                &mut t,
                format!(
                    "  {}: {}",
                    rel.condition.label(),
                    if rel.released {
                        "released by a physician"
                    } else {
                        "NOT released"
                    }
                ),
            );
        }
        if let Some(care) = i.cautions_text() {
            push(&mut t, format!("  extra care: {care}"));
        }
    }
    if !r.steps.is_empty() {
        push(&mut t, String::new());
        push(
            &mut t,
            format!("Steps{:<38}{:>8} {:>8}", "", "planned", "actual"),
        );
        for st in &r.steps {
            let how = match st.ended_by {
                _ if st.skipped() => "moved on early",
                Some(EndedBy::Max) => "ran to its max",
                Some(EndedBy::Quit) => "session ended here",
                Some(EndedBy::Back) => "went back",
                None => "not finished",
                _ => "",
            };
            push(
                &mut t,
                format!(
                    "  {:>2}. {:<36} {:>8} {:>8}  {how}",
                    st.step + 1,
                    truncate(&st.name, 36),
                    clock_text(st.planned),
                    clock_text(st.actual)
                )
                .trim_end()
                .to_owned(),
            );
        }
    }
    if !r.marks.is_empty() {
        let start = r.started_at.unwrap_or_default();
        push(&mut t, String::new());
        push(&mut t, "Notes and marks (time into the session)".to_owned());
        for m in &r.marks {
            push(
                &mut t,
                format!("  {:>7}  {}", clock_text(m.at.since(start)), m.text),
            );
        }
    }
    if let Some(a) = &r.aftercare {
        push(&mut t, String::new());
        push(&mut t, "After".to_owned());
        match (a.pain, a.stress) {
            (Some(p), Some(st)) => push(
                &mut t,
                format!(
                    "  pain {}  stress {}",
                    change(s.pain_before, Some(p)),
                    change(s.stress_before, Some(st))
                ),
            ),
            _ => push(&mut t, "  the closing questions were skipped".to_owned()),
        }
        if !a.note.is_empty() {
            push(&mut t, format!("  closing note: {}", a.note));
        }
    }
    t
}

/// `stillpoint export`: the sessions in `format`.
pub fn export(
    sessions_dir: &Path,
    filter: &Filter,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), String> {
    let sessions = chosen(sessions_dir, filter)?;
    let mut out = io::BufWriter::new(out);
    match format {
        Format::Csv => write_csv(&sessions, &mut out).map_err(write_err)?,
        Format::Md => {
            for (i, s) in sessions.iter().enumerate() {
                if i > 0 {
                    out.write_all(b"\n---\n\n").map_err(write_err)?;
                }
                let text = match read(&s.path) {
                    Ok(c) => markdown(&s.id, &Report::from_entries(&c.records)),
                    Err(e) => format!("# Session {}\n\nThis record cannot be read: {e}.\n", s.id),
                };
                out.write_all(text.as_bytes()).map_err(write_err)?;
            }
        }
        Format::Json => {
            let all: Vec<Exported> = sessions
                .iter()
                .map(|s| match read(&s.path) {
                    Ok(c) => Exported::new(s, &Report::from_entries(&c.records)),
                    Err(_) => Exported::new(s, &Report::default()),
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &all).map_err(|e| write_err(e.into()))?;
            out.write_all(b"\n").map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)
}

/// A field for CSV: quoted when it holds a comma, a quote or a line break,
/// with quotes doubled (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn write_csv(sessions: &[Listed], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "id,date,client,protocol,practice,active_seconds,completed,status,\
         pain_before,pain_after,stress_before,stress_after,notes"
    )?;
    let n = |v: Option<u8>| v.map_or(String::new(), |v| v.to_string());
    for s in sessions {
        let m = &s.summary;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&s.id),
            csv_field(&m.opened),
            csv_field(m.client.as_deref().unwrap_or("")),
            csv_field(&m.protocol),
            m.practice,
            m.active.as_secs(),
            m.completed,
            s.status.word(),
            n(m.pain_before),
            n(m.pain_after),
            n(m.stress_before),
            n(m.stress_after),
            m.notes
        )?;
    }
    Ok(())
}

/// A readable session note a practitioner could file.
fn markdown(id: &str, r: &Report) -> String {
    let s = r.summary();
    let mut t = String::new();
    let date = s.opened.get(..16).unwrap_or(&s.opened).replace('T', " ");
    t.push_str(&format!("# Session {date} — {}\n\n", s.protocol));
    match (&s.client, s.practice) {
        (_, true) => t.push_str("- Practice session (no client)\n"),
        (Some(c), false) => t.push_str(&format!("- Client: {c}\n")),
        (None, false) => {}
    }
    t.push_str(&format!(
        "- Active time: {} ({})\n",
        clock_text(r.active),
        status_of(r).word()
    ));
    if !s.practice {
        t.push_str(&format!(
            "- Pain: {}; stress: {}\n",
            change(s.pain_before, s.pain_after),
            change(s.stress_before, s.stress_after)
        ));
    }
    t.push_str(&format!("- Record: `{id}`\n"));
    if let Some(i) = &r.intake {
        t.push_str("\n## Consultation\n\n");
        let mut focus: Vec<String> = i.focus.iter().map(|r| r.label().to_owned()).collect();
        if !i.focus_note.is_empty() {
            focus.push(i.focus_note.clone());
        }
        if !focus.is_empty() {
            t.push_str(&format!("- Focus: {}\n", focus.join("; ")));
        }
        t.push_str(&format!(
            "- Pain {} and stress {} before the session\n",
            i.pain, i.stress
        ));
        for rel in &i.releases {
            t.push_str(&format!(
                "- {}: {}\n",
                rel.condition.label(),
                if rel.released {
                    "released by a physician"
                } else {
                    "not released"
                }
            ));
        }
        if let Some(care) = i.cautions_text() {
            t.push_str(&format!("- Extra care: {care}\n"));
        }
    }
    if !r.steps.is_empty() {
        t.push_str("\n## Steps\n\n| # | Step | Planned | Actual | |\n|---|---|---|---|---|\n");
        for st in &r.steps {
            let how = if st.skipped() {
                "moved on early"
            } else {
                match st.ended_by {
                    Some(EndedBy::Max) => "ran to its max",
                    Some(EndedBy::Quit) => "session ended here",
                    None => "not finished",
                    _ => "",
                }
            };
            t.push_str(&format!(
                "| {} | {} | {} | {} | {how} |\n",
                st.step + 1,
                st.name.replace('|', "\\|"),
                clock_text(st.planned),
                clock_text(st.actual)
            ));
        }
    }
    let start = r.started_at.unwrap_or_default();
    let notes: Vec<String> = r
        .marks
        .iter()
        .map(|m| {
            let kind = match m.kind {
                MarkKind::Note => "",
                MarkKind::Rhythm | MarkKind::StillPoint => "*",
            };
            format!(
                "- {} {kind}{}{kind}\n",
                clock_text(m.at.since(start)),
                m.text
            )
        })
        .collect();
    if !notes.is_empty() {
        t.push_str("\n## Notes\n\n");
        t.push_str(&notes.concat());
    }
    if let Some(a) = r.aftercare.as_ref().filter(|a| !a.note.is_empty()) {
        t.push_str(&format!("\n## Closing note\n\n{}\n", a.note));
    }
    t
}

/// A session as JSON export writes it.
#[derive(Debug, Serialize)]
struct Exported<'a> {
    id: &'a str,
    status: Status,
    #[serde(flatten)]
    summary: &'a Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    intake: Option<crate::record::Intake>,
    steps: Vec<ExportedStep>,
    marks: Vec<ExportedMark>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aftercare: Option<crate::record::Aftercare>,
}

#[derive(Debug, Serialize)]
struct ExportedStep {
    step: usize,
    name: String,
    planned_seconds: u64,
    actual_seconds: u64,
    ended_by: Option<EndedBy>,
    moved_on_early: bool,
}

#[derive(Debug, Serialize)]
struct ExportedMark {
    seconds_into_session: u64,
    kind: &'static str,
    text: String,
}

impl<'a> Exported<'a> {
    fn new(s: &'a Listed, r: &Report) -> Exported<'a> {
        let start = r.started_at.unwrap_or_default();
        Exported {
            id: &s.id,
            status: s.status,
            summary: &s.summary,
            source: r.opened.as_ref().map(|o| o.source.clone()),
            hash: r.opened.as_ref().map(|o| o.hash.clone()),
            intake: r.intake.clone(),
            steps: r
                .steps
                .iter()
                .map(|st| ExportedStep {
                    step: st.step + 1,
                    name: st.name.clone(),
                    planned_seconds: st.planned.as_secs(),
                    actual_seconds: st.actual.as_secs(),
                    ended_by: st.ended_by,
                    moved_on_early: st.skipped(),
                })
                .collect(),
            marks: r
                .marks
                .iter()
                .map(|m| ExportedMark {
                    seconds_into_session: m.at.since(start).as_secs(),
                    kind: match m.kind {
                        MarkKind::Note => "note",
                        MarkKind::Rhythm => "rhythm",
                        MarkKind::StillPoint => "still_point",
                    },
                    text: m.text.clone(),
                })
                .collect(),
            aftercare: r.aftercare.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("AB"), "AB");
        assert_eq!(csv_field("Smith, J"), "\"Smith, J\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn changes_read_before_then_after() {
        assert_eq!(change(Some(6), Some(3)), "6 → 3");
        assert_eq!(change(Some(6), None), "6 → —");
        assert_eq!(change(None, None), "");
    }
}
