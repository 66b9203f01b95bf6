//! Which records a sessions folder holds and how each stands, read as
//! cheaply as the truth allows: a closed record's last line is its summary,
//! the folder's index holds those summaries for records already seen, and
//! only records that were cut off (or are damaged) are read whole.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::index::{Indexed, append_index, fingerprint, read_index};
use super::record::Record;
use crate::session::folder::record_files;
use crate::session::journal::session_id;
use crate::session::record::{Stamp, Summary};
use crate::session::report::State;

/// One record, as history lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The session's id (the journal's file stem).
    pub id: String,
    /// Where the record is.
    pub path: PathBuf,
    /// The session in one line. A damaged record's summary holds what its
    /// readable lines say (at least the date its name gives).
    pub summary: Summary,
    /// How the record stands.
    pub status: State,
}

impl Listed {
    /// A record with its summary; without a status, a closed one's follows
    /// from the summary.
    pub(super) fn new(id: String, path: PathBuf, summary: Summary, status: Option<State>) -> Self {
        let status = status.unwrap_or(if summary.completed {
            State::Complete
        } else {
            State::EndedEarly
        });
        Listed {
            id,
            path,
            summary,
            status,
        }
    }

    /// The local date and time as recorded, `YYYY-MM-DD HH:MM`; `?` when
    /// unknown.
    pub fn date_time(&self) -> String {
        self.summary
            .opened
            .map_or_else(|| "?".to_owned(), |s| s.short())
    }

    /// The local date the session was recorded on.
    pub fn date(&self) -> Option<jiff::civil::Date> {
        self.summary.opened.map(|s| s.date())
    }

    /// When it was opened, for ordering.
    fn when(&self) -> Option<jiff::Timestamp> {
        self.summary.opened.map(|s| s.timestamp())
    }
}

/// Every record in `dir` (`*.jsonl` only), oldest first. A missing folder
/// holds none. Closed records not yet in the index are added to it; a
/// record that no longer holds its anchor in the index is listed as altered
/// (and its index line kept as it was).
pub fn scan(dir: &Path) -> io::Result<Vec<Listed>> {
    let files = record_files(dir)?;
    let mut index = if files.is_empty() {
        HashMap::new()
    } else {
        read_index(dir)
    };
    let mut listed = Vec::new();
    let mut unindexed = Vec::new();
    for path in files {
        let id = session_id(&path);
        let now = std::fs::symlink_metadata(&path).map(|m| fingerprint(&m));
        match index.remove(&id) {
            Some(i) if now.is_ok_and(|f| f == (i.len, i.mtime)) => {
                listed.push(Listed::new(id, path, i.summary, i.status));
            }
            old => unindexed.push((path, old)),
        }
    }
    // Read whole and checked on a few threads (see `pool`): with the page
    // cache cold, over 10,000 records, 4 readers took ~470 ms, 16 ~310 ms.
    let read: Vec<(Listed, Option<Indexed>)> = super::pool::map_all(
        &unindexed,
        |(p, old)| list_one(p, old.as_ref()),
        |(p, _)| (damaged(p), None),
    );
    // Closed records missing from the index go into it for next time.
    let missing: Vec<Indexed> = read.iter().filter_map(|(_, new)| new.clone()).collect();
    let _ = append_index(dir, &missing);
    listed.extend(read.into_iter().map(|(l, _)| l));
    // Records with no known time first, then by the moment they opened.
    listed.sort_by_cached_key(|l| (l.when().is_some(), l.when(), l.id.clone()));
    Ok(listed)
}

/// A record that could not be read: listed damaged, dated by its name.
fn damaged(path: &Path) -> Listed {
    let id = session_id(path);
    let summary = Summary {
        opened: date_of_id(&id),
        ..Summary::default()
    };
    Listed::new(id, path.to_owned(), summary, Some(State::Damaged))
}

/// One record not in the index (or changed since it was indexed, as `old`
/// says), read whole and checked line by line, so a damaged or altered
/// record is listed so here as in every other view; and, for a closed
/// record, its index line. Never fails: an unreadable record is listed
/// damaged.
fn list_one(path: &Path, old: Option<&Indexed>) -> (Listed, Option<Indexed>) {
    let id = session_id(path);
    let Ok(record) = Record::load(path) else {
        return (damaged(path), None);
    };
    let mut summary = record.report.summary();
    summary.opened = summary.opened.or_else(|| date_of_id(&id));
    let mut status = record.state();
    if old
        .and_then(Indexed::anchor)
        .is_some_and(|a| !a.holds(&record.links))
    {
        // Lines the index saw are gone or changed: cut short, or rewritten.
        status = State::Altered;
    }
    // Records cut off are indexed too (their length and time say when
    // they are taken up again): only damaged and altered ones are read
    // every time, so they are reported every time.
    let indexed = [
        State::Complete,
        State::EndedEarly,
        State::Interrupted,
        State::SetAside,
    ];
    let line = indexed
        .contains(&status)
        .then(|| {
            let (len, mtime) = fingerprint(&std::fs::symlink_metadata(path).ok()?);
            Some(Indexed {
                id: id.clone(),
                len,
                mtime,
                summary: summary.clone(),
                lines: Some(record.links.len() as u64),
                head: record
                    .head()
                    .as_ref()
                    .map(crate::session::journal::chain::to_hex),
                status: Some(status),
            })
        })
        .flatten();
    (
        Listed::new(id, path.to_owned(), summary, Some(status)),
        line,
    )
}

/// The moment a record's name gives (`YYYYMMDD-HHMMSS-…`), with no offset:
/// all that is left to go by when its first line is lost.
fn date_of_id(id: &str) -> Option<Stamp> {
    let (stamp, _) = jiff::fmt::strtime::BrokenDownTime::parse_prefix("%Y%m%d-%H%M%S", id).ok()?;
    Some(Stamp {
        local: stamp.to_datetime().ok()?,
        offset: None,
    })
}

/// The shortest start of each record's id that names it alone among
/// `listed`, and never shorter than its date and time (`20261123-093000`),
/// so `show` takes it and it still reads as a moment.
pub fn short_ids(listed: &[Listed]) -> Vec<String> {
    const STAMP: usize = "YYYYMMDD-HHMMSS".len();
    let mut sorted: Vec<&str> = listed.iter().map(|l| l.id.as_str()).collect();
    sorted.sort_unstable();
    let common = |a: &str, b: &str| {
        a.chars()
            .zip(b.chars())
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x.len_utf8())
            .sum::<usize>()
    };
    listed
        .iter()
        .map(|l| {
            let id = l.id.as_str();
            let at = sorted.partition_point(|s| *s < id);
            let before = at.checked_sub(1).map_or(0, |i| common(sorted[i], id));
            // Skip this id itself (and any exact twin) when looking after.
            let after = sorted[at..]
                .iter()
                .find(|s| **s != id)
                .map_or(0, |s| common(s, id));
            let mut len = (before.max(after) + 1).max(STAMP).min(id.len());
            while !id.is_char_boundary(len) {
                len += 1;
            }
            id[..len].to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<String> {
        let listed: Vec<Listed> = names
            .iter()
            .map(|n| {
                Listed::new(
                    (*n).to_owned(),
                    PathBuf::new(),
                    Summary::default(),
                    Some(State::Damaged),
                )
            })
            .collect();
        short_ids(&listed)
    }

    #[test]
    fn short_ids_are_the_stamp_unless_two_share_it() {
        assert_eq!(
            ids(&[
                "20261102-093000-ten-step",
                "20261102-093000-ten-step-1",
                "20261102-093000-relaxation-30",
                "20261109-100000-ten-step",
            ]),
            [
                // Names another record's start: only the whole id will do.
                "20261102-093000-ten-step",
                "20261102-093000-ten-step-",
                "20261102-093000-r",
                "20261109-100000",
            ]
        );
        assert_eq!(ids(&["short"]), ["short"]);
        assert!(ids(&[]).is_empty());
    }

    #[test]
    fn names_give_a_date_when_nothing_else_does() {
        assert_eq!(
            date_of_id("20261121-120000-damaged").map(|s| s.to_string()),
            Some("2026-11-21T12:00:00".to_owned())
        );
        assert_eq!(date_of_id("notes"), None);
    }
}
