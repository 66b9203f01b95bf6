//! One record read in full, tolerating damage anywhere: a person asking to
//! see a record wants whatever can still be read. The session itself is the
//! [`Report`] (the read model every view renders); this adds what only the
//! file can say — its id and path, and which lines could not be read.

use std::path::{Path, PathBuf};

use super::HistoryError;

use crate::session::journal::{JournalError, has_checksums, read, read_loose, session_id};
use crate::session::record::Logged;
use crate::session::report::{Report, State};

/// A record read in full.
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
    /// How many lines could be read.
    pub lines_read: usize,
}

impl Record {
    /// Reads the record at `path`. Damage before the last line does not stop
    /// it: every line that can be read is used, and the others are listed.
    pub fn load(path: &Path) -> Result<Record, HistoryError> {
        let unreadable = |source| HistoryError::Record {
            path: path.to_owned(),
            source,
        };
        let (records, unreadable_lines, torn_tail) = match read(path) {
            Ok(c) => (c.records, Vec::new(), c.torn_tail),
            Err(JournalError::Damaged { .. }) => {
                let bytes = crate::files::read_private(path, crate::session::journal::MAX_RECORD)
                    .map_err(|e| unreadable(e.into()))?;
                let (records, bad) = loose_lines(&bytes);
                (records, bad, false)
            }
            Err(e) => return Err(unreadable(e)),
        };
        let mut record = Record {
            id: session_id(path),
            path: path.to_owned(),
            lines_read: records.len(),
            report: Report::from_entries(&records),
            unreadable: unreadable_lines,
            torn_tail,
        };
        if record.report.opened.is_none() && record.unreadable.is_empty() {
            // A record must start with its opening line; one that does not
            // was written by something else, or cut at its first line.
            record.unreadable.push(1);
        }
        Ok(record)
    }

    /// How the record stands: damaged, or as its report says.
    pub fn state(&self) -> State {
        if self.unreadable.is_empty() {
            self.report.state()
        } else {
            State::Damaged
        }
    }

    /// The record's state in a few words, with its reason where it has one.
    pub fn state_text(&self) -> String {
        match self.state() {
            State::Complete => "complete: every step worked through".to_owned(),
            State::EndedEarly => "ended early".to_owned(),
            State::Interrupted => {
                let why = self
                    .report
                    .interruptions
                    .last()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                format!(
                    "interrupted{why}; `stillpoint resume {}` takes it up",
                    self.id
                )
            }
            State::SetAside => "interrupted, then set aside".to_owned(),
            State::Damaged => {
                let lines: Vec<String> = self.unreadable.iter().map(usize::to_string).collect();
                format!(
                    "damaged: line{} {} could not be read; the rest is shown",
                    if lines.len() == 1 { "" } else { "s" },
                    lines.join(", ")
                )
            }
        }
    }
}

/// Every line that parses, whatever its neighbours, and the 1-based numbers
/// of those that do not (blank lines are skipped silently).
fn loose_lines(bytes: &[u8]) -> (Vec<Logged>, Vec<usize>) {
    let checked = has_checksums(bytes);
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match read_loose(line, checked) {
            Some(l) => records.push(l),
            None => bad.push(i + 1),
        }
    }
    (records, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Moment;
    use crate::session::record::Entry;

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
}
