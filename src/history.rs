//! `stillpoint history`, `show` and `export`: the records in the data folder
//! read back as a table, a chart of one client's pain and stress, one
//! session in full, or CSV, Markdown and JSON.
//!
//! A closed record ends with its summary, so listing needs only the last
//! line of each file (and `sessions/.index` saves even that); records that
//! were cut off are read whole and worked out. A damaged record is listed as
//! damaged and never stops the rest. Nothing here writes anything but the
//! output asked for and the index, and nothing goes over the network.
//!
//! Every view renders the session's read model
//! ([`Report`](crate::session::report::Report)) in its own layout:
//!
//! - `scan`: which records there are and how each stands (the listing).
//! - `index`: the folder's index of closed records, and their anchors.
//! - `table`: the history table.
//! - `chart`: one client's pain and stress, drawn with ratatui's `Chart`.
//! - `record`: one record read in full, tolerating damage.
//! - `show`: one session as plain text.
//! - `export`: CSV, Markdown session notes, JSON.
//! - `practice`: a trainee's practice hours.

mod chart;
mod export;
pub mod index;
pub(crate) mod pool;
pub mod practice;
mod record;
mod scan;
mod show;
mod table;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

pub use chart::chart;
pub use export::csv_field;
pub use index::{INDEX, index_closed};
pub use record::Record;
pub use scan::{Listed, scan, short_ids};

use crate::hint::Hint;
use crate::session::folder::{FindError, find};
use crate::session::journal::JournalError;

/// Why a history command failed.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The sessions folder could not be read.
    #[error("cannot read {}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The session named could not be found; the records it could have
    /// meant follow, lined up (see [`unfound`]).
    #[error("{error}{candidates}")]
    Find {
        /// What went wrong.
        error: FindError,
        /// The records it could be, or the latest, as lines.
        candidates: String,
    },
    /// A record could not be read at all.
    #[error("cannot read {}", path.display())]
    Record {
        /// The record.
        path: PathBuf,
        /// Why.
        #[source]
        source: JournalError,
    },
    /// A reading thread failed (a bug; the other records are still read).
    #[error("{id} could not be read")]
    ReaderFailed {
        /// The record's id.
        id: String,
    },
    /// The output could not be written.
    #[error("cannot write the output")]
    Write(#[source] io::Error),
    /// The file asked for could not be written.
    #[error(transparent)]
    Output(#[from] crate::files::NewFileError),
}

impl Hint for HistoryError {
    fn hint(&self) -> Option<String> {
        match self {
            HistoryError::Find { error, .. } => error.hint(),
            HistoryError::Output(e) => e.hint(),
            _ => None,
        }
    }
}

/// Which sessions to include.
#[derive(Debug, Clone, Default, Args)]
pub struct Filter {
    /// Only this client's sessions: the reference exactly as typed at the
    /// consultation, except that case and surrounding spaces do not matter
    /// (`ab` finds `AB`, but not `ABC`).
    #[arg(long, value_name = "REF")]
    pub client: Option<String>,
    /// Only sessions on or after this date, compared with the local date
    /// the session was recorded on: YYYY-MM-DD, today, yesterday, or a span
    /// back from today (7d, 2w, 3m, 1y).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<jiff::civil::Date>,
    /// Put rehearsals (sessions run faster than real time) in a client's
    /// chart; they are left out by default, and always marked in tables.
    #[arg(skip)]
    pub rehearsals: bool,
}

/// `--since` as people write it (see [`Filter::since`]), from today's date.
fn parse_since(text: &str) -> Result<jiff::civil::Date, SinceError> {
    since_from(text, crate::clock::wall_now().date())
}

/// Why a `--since` value names no date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinceError {
    /// Not a date, a word or a span (as written, made safe to print).
    #[error(
        "\"{0}\" is not a date: write 2026-11-02, today, yesterday, or how far back (7d, 2w, \
         3m, 1y)"
    )]
    NotADate(String),
    /// A span back past any date there is.
    #[error("too far back")]
    TooFarBack,
}

/// `--since`'s value as a date, with `today` given.
pub fn since_from(text: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date, SinceError> {
    let text = text.trim().to_lowercase();
    let back = |span: jiff::Span| today.checked_sub(span).map_err(|_| SinceError::TooFarBack);
    let unknown = || SinceError::NotADate(crate::text::sanitize_line(&text).into_owned());
    match text.as_str() {
        "today" => return Ok(today),
        "yesterday" => return back(jiff::Span::new().days(1)),
        _ => {}
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return Ok(date);
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(0));
    let n: i64 = number.parse().map_err(|_| unknown())?;
    let span = match unit {
        "d" | "day" | "days" => jiff::Span::new().try_days(n),
        "w" | "week" | "weeks" => jiff::Span::new().try_weeks(n),
        "m" | "month" | "months" => jiff::Span::new().try_months(n),
        "y" | "year" | "years" => jiff::Span::new().try_years(n),
        _ => return Err(unknown()),
    }
    .map_err(|_| SinceError::TooFarBack)?;
    back(span)
}

impl Filter {
    /// Whether a listed record passes the filter.
    pub fn keeps(&self, s: &Listed) -> bool {
        let client_ok = self.client.as_deref().is_none_or(|want| {
            s.summary
                .client
                .as_deref()
                .is_some_and(|c| c.trim().to_lowercase() == want.trim().to_lowercase())
        });
        let since_ok = self
            .since
            .is_none_or(|since| s.date().is_some_and(|d| d >= since));
        client_ok && since_ok
    }

    /// The filter in words, for "no sessions" lines: ` for client AB since
    /// 2026-11-01`.
    fn describe(&self) -> String {
        let mut t = String::new();
        if let Some(c) = &self.client {
            t.push_str(&format!(" for client {}", c.trim()));
        }
        if let Some(d) = self.since {
            t.push_str(&format!(" since {d}"));
        }
        t
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

/// `stillpoint history`: the sessions in `sessions_dir` as a table, oldest
/// first; with a client, their pain and stress across sessions as a chart
/// too. A missing or empty folder is a friendly line, not an error.
pub fn history(
    sessions_dir: &Path,
    filter: &Filter,
    out: &mut dyn Write,
) -> Result<(), HistoryError> {
    let all = listing(sessions_dir)?;
    let ids = short_ids(&all);
    let chosen: Vec<(&Listed, &str)> = all
        .iter()
        .zip(&ids)
        .filter(|(s, _)| filter.keeps(s))
        .map(|(s, id)| (s, id.as_str()))
        .collect();
    let mut text = if chosen.is_empty() {
        if all.is_empty() || (filter.client.is_none() && filter.since.is_none()) {
            "No sessions recorded yet.\n".to_owned()
        } else {
            format!(
                "No sessions{}. {} recorded in all.\n",
                filter.describe(),
                table::count(all.len())
            )
        }
    } else {
        table::table(&chosen)
    };
    if let Some(client) = &filter.client
        && !chosen.is_empty()
    {
        // A rehearsal's before and after are not a client's outcome.
        let sessions: Vec<&Listed> = chosen
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| filter.rehearsals || s.summary.speed == 1.0)
            .collect();
        let left_out = chosen.len() - sessions.len();
        text.push('\n');
        text.push_str(&chart(client, &sessions, chart::WIDTH));
        if left_out > 0 {
            text.push_str(&format!(
                "({left_out} rehearsal{} left out of the chart; --rehearsals puts {} in.)\n",
                if left_out == 1 { "" } else { "s" },
                if left_out == 1 { "it" } else { "them" }
            ));
        }
    }
    write_all(out, text.as_bytes())
}

/// `stillpoint show SESSION`: one session in full. `session` is an id as
/// history lists it, a unique start of one, or a path to a `.jsonl` file.
pub fn show(sessions_dir: &Path, session: &str, out: &mut dyn Write) -> Result<(), HistoryError> {
    let path = find(sessions_dir, session).map_err(|e| unfound(sessions_dir, e))?;
    let record = Record::load(&path)?;
    // A file named by its path that holds no record line at all is some
    // other file (`show /etc/passwd`); one in the sessions folder is shown
    // as the damaged record it is.
    if record.lines_read == 0 && !path.starts_with(sessions_dir) {
        return Err(HistoryError::Record {
            path,
            source: crate::session::journal::JournalError::NotARecord,
        });
    }
    write_all(out, show::text(&record).as_bytes())
}

/// `stillpoint export`: the chosen sessions in `format`, oldest first.
pub fn export(
    sessions_dir: &Path,
    filter: &Filter,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), HistoryError> {
    export_counted(sessions_dir, filter, format, out).map(|_| ())
}

/// [`export`], saying how many sessions it wrote.
pub fn export_counted(
    sessions_dir: &Path,
    filter: &Filter,
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, HistoryError> {
    let chosen: Vec<Listed> = listing(sessions_dir)?
        .into_iter()
        .filter(|s| filter.keeps(s))
        .collect();
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    let written = match format {
        Format::Csv => export::csv(&chosen, &mut out),
        Format::Md => export::markdown(&chosen, &mut out),
        Format::Json => export::json(&chosen, &mut out),
    };
    written
        .and_then(|()| out.flush())
        .or_else(quiet_pipe)
        .map(|()| chosen.len())
}

/// A session that could not be found, with the records it could have
/// meant lined up (id, date, who, protocol): those it could be, or the
/// latest when it matches none.
pub fn unfound(sessions_dir: &Path, error: FindError) -> HistoryError {
    /// The most candidates listed.
    const SHOWN: usize = 10;
    let ids: &[String] = match &error {
        FindError::Ambiguous { matches, .. } => matches,
        FindError::NotFound { latest, .. } => latest,
        FindError::Folder { .. } => &[],
    };
    let listed = scan(sessions_dir).unwrap_or_default();
    let rows: Vec<&Listed> = ids
        .iter()
        .take(SHOWN)
        .filter_map(|id| listed.iter().find(|l| &l.id == id))
        .collect();
    let mut candidates = match &error {
        FindError::NotFound { .. } if !rows.is_empty() => "; the latest are:".to_owned(),
        FindError::Ambiguous { .. } => ":".to_owned(),
        _ => String::new(),
    };
    candidates.push_str(&table::candidates(&rows));
    if ids.len() > SHOWN {
        candidates.push_str(&format!("\n  … and {} more", ids.len() - SHOWN));
    }
    HistoryError::Find { error, candidates }
}

/// Every record in the folder, as history lists them.
pub fn listing(sessions_dir: &Path) -> Result<Vec<Listed>, HistoryError> {
    scan(sessions_dir).map_err(|source| HistoryError::Folder {
        dir: sessions_dir.to_owned(),
        source,
    })
}

fn write_all(out: &mut dyn Write, bytes: &[u8]) -> Result<(), HistoryError> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .or_else(quiet_pipe)
}

/// A reader that stopped reading (`stillpoint history | head`) is no error;
/// anything else is worded for the user.
fn quiet_pipe(e: io::Error) -> Result<(), HistoryError> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(HistoryError::Write(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::Summary;

    fn listed(opened: &str, client: Option<&str>) -> Listed {
        Listed::new(
            "20261102-093000-x".to_owned(),
            "x.jsonl".into(),
            Summary {
                opened: crate::session::record::Stamp::parse(opened),
                client: client.map(str::to_owned),
                ..Summary::default()
            },
            None,
        )
    }

    #[test]
    fn since_takes_dates_words_and_spans_back_from_today() {
        let today = jiff::civil::date(2026, 12, 1);
        let since = |t| since_from(t, today);
        assert_eq!(since("2026-11-02"), Ok(jiff::civil::date(2026, 11, 2)));
        assert_eq!(since("today"), Ok(today));
        assert_eq!(since("Yesterday"), Ok(jiff::civil::date(2026, 11, 30)));
        assert_eq!(since("7d"), Ok(jiff::civil::date(2026, 11, 24)));
        assert_eq!(since("2w"), Ok(jiff::civil::date(2026, 11, 17)));
        assert_eq!(since("3m"), Ok(jiff::civil::date(2026, 9, 1)));
        assert_eq!(since("1y"), Ok(jiff::civil::date(2025, 12, 1)));
        let err = since("last tuesday").unwrap_err().to_string();
        assert!(
            err.contains("is not a date: write 2026-11-02, today"),
            "{err}"
        );
        assert!(!err.contains("jiff"), "no parser internals: {err}");
    }

    #[test]
    fn since_compares_the_local_date_as_recorded() {
        let f = Filter {
            since: Some("2026-11-02".parse().expect("date")),
            ..Filter::default()
        };
        // 23:30 at +01:00 on the 1st is the 1st locally, whatever UTC says.
        assert!(!f.keeps(&listed("2026-11-01T23:30:00+01:00", None)));
        // 00:30 at +01:00 on the 2nd is still the 1st in UTC, but the 2nd here.
        assert!(f.keeps(&listed("2026-11-02T00:30:00+01:00", None)));
        assert!(f.keeps(&listed("2026-11-03T09:00:00-08:00", None)));
        // No date known: not shown when a date is asked for.
        assert!(!f.keeps(&listed("", None)));
        assert!(Filter::default().keeps(&listed("", None)));
    }

    #[test]
    fn client_matches_the_whole_reference_in_any_case() {
        let f = Filter {
            client: Some(" ab ".into()),
            ..Filter::default()
        };
        assert!(f.keeps(&listed("2026-11-02T09:30:00+01:00", Some("AB"))));
        assert!(!f.keeps(&listed("2026-11-02T09:30:00+01:00", Some("ABC"))));
        assert!(!f.keeps(&listed("2026-11-02T09:30:00+01:00", None)));
        let accents = Filter {
            client: Some("élodie".into()),
            ..Filter::default()
        };
        assert!(accents.keeps(&listed("2026-11-02T09:30:00+01:00", Some("Élodie"))));
    }
}
