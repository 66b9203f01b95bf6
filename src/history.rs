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
//! - `scan`: which records there are and how each stands (the listing).
//! - `table`: the history table.
//! - `chart`: one client's pain and stress, drawn with ratatui's `Chart`.
//! - `session`: one record read in full, tolerating damage; `show`.
//! - `export`: CSV, Markdown session notes, JSON.

mod chart;
mod export;
pub mod practice;
mod scan;
mod session;
mod table;

use std::io::{self, Write};
use std::path::Path;

use clap::{Args, ValueEnum};
use serde::Serialize;

pub use chart::chart;
pub use export::csv_field;
pub use scan::{INDEX, Listed, index_closed, scan, short_ids};
pub use session::find;

/// Which sessions to include.
#[derive(Debug, Clone, Default, Args)]
pub struct Filter {
    /// Only this client's sessions: the reference exactly as typed at the
    /// consultation, except that case and surrounding spaces do not matter
    /// (`ab` finds `AB`, but not `ABC`).
    #[arg(long, value_name = "REF")]
    pub client: Option<String>,
    /// Only sessions on or after this date (YYYY-MM-DD), compared with the
    /// local date the session was recorded on.
    #[arg(long, value_name = "DATE")]
    pub since: Option<jiff::civil::Date>,
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
    /// Cut off, then set aside at the resume offer (the journal's
    /// `abandoned` line; the offer's key says "set aside").
    SetAside,
    /// The file is damaged before its last line, or cannot be read.
    Damaged,
}

impl Status {
    /// The status in the practitioner's words.
    pub fn word(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::EndedEarly => "ended early",
            Status::Interrupted => "interrupted",
            Status::SetAside => "set aside",
            Status::Damaged => "damaged",
        }
    }
}

/// `stillpoint history`: the sessions in `sessions_dir` as a table, oldest
/// first; with a client, their pain and stress across sessions as a chart
/// too. A missing or empty folder is a friendly line, not an error.
pub fn history(sessions_dir: &Path, filter: &Filter, out: &mut dyn Write) -> Result<(), String> {
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
        let sessions: Vec<&Listed> = chosen.iter().map(|(s, _)| *s).collect();
        text.push('\n');
        text.push_str(&chart(client, &sessions, chart::WIDTH));
    }
    write_all(out, text.as_bytes())
}

/// `stillpoint show SESSION`: one session in full. `session` is an id as
/// history lists it, a unique start of one, or a path to a `.jsonl` file.
pub fn show(sessions_dir: &Path, session: &str, out: &mut dyn Write) -> Result<(), String> {
    let path = find(sessions_dir, session)?;
    let record = session::Record::load(&path)?;
    write_all(out, session::text(&record).as_bytes())
}

/// `stillpoint export`: the chosen sessions in `format`, oldest first.
pub fn export(
    sessions_dir: &Path,
    filter: &Filter,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), String> {
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
    written.and_then(|()| out.flush()).or_else(quiet_pipe)
}

fn listing(sessions_dir: &Path) -> Result<Vec<Listed>, String> {
    scan(sessions_dir).map_err(|e| format!("cannot read {}: {e}", sessions_dir.display()))
}

fn write_all(out: &mut dyn Write, bytes: &[u8]) -> Result<(), String> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .or_else(quiet_pipe)
}

/// A reader that stopped reading (`stillpoint history | head`) is no error;
/// anything else is worded for the user.
fn quiet_pipe(e: io::Error) -> Result<(), String> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(format!("cannot write the output: {e}"))
    }
}

/// "6 → 3", with "—" for an answer not given; empty when neither was.
fn change(before: Option<u8>, after: Option<u8>) -> String {
    let v = |x: Option<u8>| x.map_or("—".to_owned(), |x| x.to_string());
    if before.is_none() && after.is_none() {
        String::new()
    } else {
        format!("{} → {}", v(before), v(after))
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
                opened: opened.to_owned(),
                client: client.map(str::to_owned),
                ..Summary::default()
            },
            None,
        )
    }

    #[test]
    fn changes_read_before_then_after() {
        assert_eq!(change(Some(6), Some(3)), "6 → 3");
        assert_eq!(change(Some(6), None), "6 → —");
        assert_eq!(change(None, None), "");
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
