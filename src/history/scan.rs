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

/// How many threads read records at once. Reading thousands of small files
/// is mostly waiting on the disk, so more readers than cores keep its queue
/// full: over 10,000 records with the page cache dropped, history without
/// its index took ~470 ms with 4 readers, ~310 ms with 16 and ~290 ms with
/// 32; with the cache warm, ~90 ms whatever the number.
pub(super) const READERS: usize = 16;

/// The index of closed records in a sessions folder: one line per record,
/// its id and closing summary, with the record's length and modification
/// time when it was read. It only saves reading thousands of files; the
/// records stay the truth. An index line is believed only while its record
/// still has that length and time and the line's own checksum holds, so a
/// record changed since (or a line edited by hand) is read from the file
/// again; a lost or damaged index is rebuilt from the records.
pub const INDEX: &str = ".index";

/// The longest index read: ten thousand records take about 4 MB.
const MAX_INDEX: u64 = 256 << 20;

/// A line of the index.
#[derive(Debug, Serialize, Deserialize)]
struct Indexed {
    id: String,
    /// The record's length when it was indexed.
    len: u64,
    /// The record's modification time then, in nanoseconds since 1970.
    mtime: u64,
    summary: Summary,
}

/// A record file's length and modification time, as the index keeps them.
fn fingerprint(meta: &std::fs::Metadata) -> (u64, u64) {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    (meta.len(), mtime)
}

/// Adds a closed record to the folder's index. Failing to is harmless:
/// history reads the record itself instead.
pub fn index_closed(sessions_dir: &Path, path: &Path, summary: &Summary) -> io::Result<()> {
    let (len, mtime) = fingerprint(&std::fs::symlink_metadata(path)?);
    append_index(
        sessions_dir,
        &[Indexed {
            id: session_id(path),
            len,
            mtime,
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
        let json = serde_json::to_vec(l).map_err(io::Error::other)?;
        text.extend_from_slice(&crate::session::journal::line::seal(json));
        text.push(b'\n');
    }
    // One write: a crash can tear only the last line, which is skipped.
    crate::files::append_private(&sessions_dir.join(INDEX))?.write_all(&text)
}

/// The index's lines whose checksum holds, by id (a later line wins).
fn read_index(sessions_dir: &Path) -> HashMap<String, Indexed> {
    let Ok(text) = crate::files::read_private(&sessions_dir.join(INDEX), MAX_INDEX) else {
        return HashMap::new();
    };
    text.split(|b| *b == b'\n')
        .filter_map(|line| crate::session::journal::line::open(line).ok())
        .filter_map(|json| serde_json::from_slice::<Indexed>(&json).ok())
        .map(|i| (i.id.clone(), i))
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
        let now = std::fs::symlink_metadata(&path).map(|m| fingerprint(&m));
        match index.remove(&id) {
            Some(i) if now.is_ok_and(|f| f == (i.len, i.mtime)) => {
                listed.push(Listed::new(id, path, i.summary, None));
            }
            _ => unindexed.push(path),
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
        .filter_map(|l| {
            let (len, mtime) = fingerprint(&std::fs::symlink_metadata(&l.path).ok()?);
            Some(Indexed {
                id: l.id.clone(),
                len,
                mtime,
                summary: l.summary.clone(),
            })
        })
        .collect();
    let _ = append_index(dir, &missing);
    listed.extend(read);
    // Records with no known time first, then by the moment they opened.
    listed.sort_by_cached_key(|l| (l.when().is_some(), l.when(), l.id.clone()));
    Ok(listed)
}

/// One record not in the index (or changed since it was indexed), read
/// whole and checked line by line, so a damaged record is listed damaged
/// here as in every other view. Never fails: an unreadable record is
/// listed damaged.
fn list_one(path: &Path) -> Listed {
    let id = session_id(path);
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
