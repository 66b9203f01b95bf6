//! `stillpoint practice --stats`: a trainee's practice time, from their
//! practice records — hours per technique (each hold, by name) and per
//! protocol, how many sessions, when last practised — as tables and a bar
//! chart. Trainees count these hours toward certification, so the figures
//! come straight from what the records say was held, pauses left out.
//!
//! Technique and protocol names come from studios' files by way of the
//! records, so they are sanitized before they are printed, and the columns
//! are laid out by display width (a Japanese hold name keeps the times in
//! line).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use crate::history::{HistoryError, listing};
use crate::protocol::Region;
use crate::session::report::Report;
use crate::text::{clock_text, fit, pad_left, sanitize_line};

/// Practice of one technique (a hold, by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Technique {
    /// The hold's name.
    pub name: String,
    /// Where the hands are.
    pub region: Region,
    /// Time held in practice, pauses excluded.
    pub time: Duration,
    /// Practice sessions it was held in.
    pub sessions: usize,
    /// The date it was last practised.
    pub last: Option<jiff::civil::Date>,
}

/// Practice of one protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolPractice {
    /// The protocol's name.
    pub name: String,
    /// Active time, pauses excluded.
    pub time: Duration,
    /// Practice sessions.
    pub sessions: usize,
    /// The date it was last practised.
    pub last: Option<jiff::civil::Date>,
}

/// All practice in a sessions folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// By technique, most practised first.
    pub techniques: Vec<Technique>,
    /// By protocol, most practised first.
    pub protocols: Vec<ProtocolPractice>,
    /// Practice sessions in all.
    pub sessions: usize,
    /// Practice time in all, in real time: a rehearsal at ×10 counts a
    /// tenth of the session time it showed.
    pub total: Duration,
    /// How many of the sessions were rehearsals (run with `--speed`).
    pub rehearsals: usize,
    /// The session time those rehearsals showed (their clock, sped up).
    pub rehearsed: Duration,
}

/// `YYYY-MM-DD`, or nothing when unknown.
fn date_text(date: Option<jiff::civil::Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// Adds each technique `report` held to `techniques`, in real time, on
/// `date`.
fn held(
    techniques: &mut HashMap<String, Technique>,
    report: &Report,
    date: Option<jiff::civil::Date>,
) {
    let real = |d: Duration| d.div_f64(report.speed.max(0.001));
    let mut seen: Vec<&str> = Vec::new();
    for step in &report.steps {
        let Some(region) = step.region else { continue };
        if step.actual.is_zero() {
            continue;
        }
        let t = techniques
            .entry(step.name.clone())
            .or_insert_with(|| Technique {
                name: step.name.clone(),
                region,
                time: Duration::ZERO,
                sessions: 0,
                last: None,
            });
        t.time += real(step.actual);
        if !seen.contains(&step.name.as_str()) {
            seen.push(&step.name);
            t.sessions += 1;
        }
        t.last = date;
    }
}

/// Adds up the practice records in `sessions_dir`.
/// With `protocol` (a protocol's title), only its practice is counted.
pub fn stats(sessions_dir: &Path, protocol: Option<&str>) -> Result<Stats, HistoryError> {
    let listed = listing(sessions_dir)?;
    let mut techniques: HashMap<String, Technique> = HashMap::new();
    let mut protocols: HashMap<String, ProtocolPractice> = HashMap::new();
    let mut stats = Stats::default();
    // Oldest first, so the last date seen is the latest.
    let wanted = |s: &&crate::history::Listed| {
        protocol.is_none_or(|p| s.summary.protocol.trim().eq_ignore_ascii_case(p.trim()))
    };
    for s in listed.iter().filter(|s| s.summary.practice).filter(wanted) {
        let Ok(contents) = crate::session::journal::read(&s.path) else {
            continue;
        };
        let report = Report::from_entries(&contents.records);
        let date = s.date();
        // Hours count what the hands held: real time, not a rehearsal's
        // sped-up clock.
        let real = |d: Duration| d.div_f64(report.speed.max(0.001));
        stats.sessions += 1;
        stats.total += real(report.active);
        if report.rehearsal() {
            stats.rehearsals += 1;
            stats.rehearsed += report.active;
        }
        let p = protocols
            .entry(s.summary.protocol.clone())
            .or_insert_with(|| ProtocolPractice {
                name: s.summary.protocol.clone(),
                time: Duration::ZERO,
                sessions: 0,
                last: None,
            });
        p.time += real(report.active);
        p.sessions += 1;
        p.last = date;
        held(&mut techniques, &report, date);
    }
    stats.techniques = techniques.into_values().collect();
    stats
        .techniques
        .sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.name.cmp(&b.name)));
    stats.protocols = protocols.into_values().collect();
    stats
        .protocols
        .sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.name.cmp(&b.name)));
    Ok(stats)
}

/// Hours with one decimal, as certificates count them.
fn hours(d: Duration) -> String {
    format!("{:.1} h", d.as_secs_f64() / 3600.0)
}

/// Columns of the tables: a name, a region, then the figures (time, hours,
/// sessions), right-aligned.
const NAME: usize = 30;
const REGION: usize = 22;
const FIGURES: [usize; 3] = [8, 6, 8];

/// One row of a table: the text columns cut and padded to their widths,
/// the figures right-aligned, the date last; two spaces between columns.
fn row(text: &[(&str, usize)], figures: [&str; 3], last: &str) -> String {
    let mut cells: Vec<String> = text.iter().map(|(s, w)| fit(s, *w)).collect();
    cells.extend(figures.iter().zip(FIGURES).map(|(s, w)| pad_left(s, w)));
    cells.push(last.to_owned());
    let mut line = cells.join("  ");
    line.push('\n');
    line
}

/// The tables and the chart, `width` columns wide.
pub fn text(stats: &Stats, width: usize) -> String {
    if stats.sessions == 0 {
        return "No practice recorded yet. `stillpoint practice PROTOCOL` runs one; its time \
                counts here.\n"
            .to_owned();
    }
    let mut t = format!(
        "Practice: {} session{}, {} ({}) in all, in real time\n",
        stats.sessions,
        if stats.sessions == 1 { "" } else { "s" },
        clock_text(stats.total),
        hours(stats.total)
    );
    if stats.rehearsals > 0 {
        t.push_str(&format!(
            "({} of them rehearsed with --speed: {} on their sped-up clocks, counted here as \
             the real time they took)\n",
            stats.rehearsals,
            clock_text(stats.rehearsed)
        ));
    }
    t.push('\n');
    t.push_str(&row(
        &[("TECHNIQUE", NAME), ("REGION", REGION)],
        ["TIME", "HOURS", "SESSIONS"],
        "LAST",
    ));
    for x in &stats.techniques {
        t.push_str(&row(
            &[(&sanitize_line(&x.name), NAME), (x.region.label(), REGION)],
            [&clock_text(x.time), &hours(x.time), &x.sessions.to_string()],
            &date_text(x.last),
        ));
    }
    t.push('\n');
    t.push_str(&row(
        &[("PROTOCOL", NAME)],
        ["TIME", "HOURS", "SESSIONS"],
        "LAST",
    ));
    for p in &stats.protocols {
        t.push_str(&row(
            &[(&sanitize_line(&p.name), NAME)],
            [&clock_text(p.time), &hours(p.time), &p.sessions.to_string()],
            &date_text(p.last),
        ));
    }
    t.push_str(&bars(stats, width));
    t
}

/// A bar per technique, its length its share of the most practised.
fn bars(stats: &Stats, width: usize) -> String {
    let mut t = "\nTime per technique\n".to_owned();
    let label = 26;
    let bar_room = width.saturating_sub(label + 10).clamp(10, 60);
    let most = stats
        .techniques
        .first()
        .map_or(1.0, |x| x.time.as_secs_f64().max(1.0));
    for x in &stats.techniques {
        let eighths = (x.time.as_secs_f64() / most * bar_room as f64 * 8.0).round() as usize;
        t.push_str(&format!(
            "{} {}{} {}\n",
            fit(&sanitize_line(&x.name), label),
            "█".repeat(eighths / 8),
            ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8],
            clock_text(x.time)
        ));
    }
    t
}
