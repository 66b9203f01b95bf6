//! Which records a sessions folder holds and how each stands, read as
//! cheaply as the truth allows: a closed record's last line is its summary,
//! the folder's index holds those summaries for records already seen, and
//! only records that were cut off (or are damaged) are read whole.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::record::Record;
use crate::session::folder::record_files;
use crate::session::journal::{read_last, session_id};
use crate::session::record::{Entry, Logged, Stamp, Summary};
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

/// How many threads read records at once. Reading thousands of small files
/// is mostly waiting on the disk, so more readers than cores keep its queue
/// full: over 10,000 records with the page cache dropped, history without
/// its index took ~470 ms with 4 readers, ~310 ms with 16 and ~290 ms with
/// 32; with the cache warm, ~90 ms whatever the number.
pub(super) const READERS: usize = 16;

/// The index of closed records in a sessions folder: one line per record,
/// its id and closing summary. It only saves reading thousands of files; the
/// records stay the truth, and a lost or damaged index is rebuilt from them.
pub const INDEX: &str = ".index";

/// A line of the index.
#[derive(Debug, Serialize, Deserialize)]
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

fn read_index(sessions_dir: &Path) -> HashMap<String, Summary> {
    let Ok(text) = std::fs::read(sessions_dir.join(INDEX)) else {
        return HashMap::new();
    };
    text.split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Indexed>(line).ok())
        .map(|i| (i.id, i.summary))
        .collect()
}

/// Every record in `dir` (`*.jsonl` only), oldest first. A missing folder
/// holds none. Closed records not yet in the index are added to it.
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
        match index.remove(&id) {
            Some(summary) => listed.push(Listed::new(id, path, summary, None)),
            None => unindexed.push(path),
        }
    }
    let chunk = unindexed.len().div_ceil(READERS).max(64);
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
        .filter(|l| matches!(l.status, State::Complete | State::EndedEarly))
        .map(|l| Indexed {
            id: l.id.clone(),
            summary: l.summary.clone(),
        })
        .collect();
    let _ = append_index(dir, &missing);
    listed.extend(read);
    // Records with no known time first, then by the moment they opened.
    listed.sort_by_cached_key(|l| (l.when().is_some(), l.when(), l.id.clone()));
    Ok(listed)
}

/// One record: its closing summary if it ends with one, else worked out
/// from the whole file. Never fails: an unreadable record is listed damaged.
fn list_one(path: &Path) -> Listed {
    let id = session_id(path);
    if let Ok(Some(Logged {
        entry: Entry::Closed(summary),
        ..
    })) = read_last(path)
    {
        return Listed::new(id, path.to_owned(), summary, None);
    }
    let (summary, status) = match Record::load(path) {
        Ok(record) => {
            let mut summary = record.report.summary();
            summary.opened = summary.opened.or_else(|| date_of_id(&id));
            (summary, record.state())
        }
        Err(_) => (
            Summary {
                opened: date_of_id(&id),
                ..Summary::default()
            },
            State::Damaged,
        ),
    };
    Listed::new(id, path.to_owned(), summary, Some(status))
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
