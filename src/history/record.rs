//! One record read in full, tolerating damage anywhere: a person asking to
//! see a record wants whatever can still be read. The session itself is the
//! [`Report`] (the read model every view renders); this adds what only the
//! file can say — its id and path, and which lines could not be read.

use std::path::{Path, PathBuf};

use super::HistoryError;

use crate::session::journal::chain::Link;
use crate::session::journal::{JournalError, LineRead, Problem, Walk, session_id};
use crate::session::record::Logged;
use crate::session::report::{Report, State};
use crate::vault::VaultId;

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
    /// The first line found whole but out of place, unlinked from the line
    /// before or not opening under the vault's key, and what is wrong with
    /// it; a record with one was altered.
    pub altered: Option<(usize, Problem)>,
    /// The last line was cut off (a crash while writing it).
    pub torn_tail: bool,
    /// How many lines could be read.
    pub lines_read: usize,
    /// Each whole line's hash in the clear, in order (`None` where a line
    /// could not be read that far).
    pub links: Vec<Option<Link>>,
    /// Its format version, from its first line.
    pub version: Option<u32>,
    /// The vault that sealed it, if one did.
    pub sealed: Option<VaultId>,
}

impl Record {
    /// Reads the record at `path`. Damage before the last line does not stop
    /// it: every line that can be read is used, and the others are listed.
    /// Only a record sealed by a vault this run cannot open is an error.
    pub fn load(path: &Path) -> Result<Record, HistoryError> {
        let unreadable = |source| HistoryError::Record {
            path: path.to_owned(),
            source,
        };
        let bytes = crate::files::read_private(path, crate::session::journal::MAX_RECORD)
            .map_err(|e| unreadable(e.into()))?;
        let mut walk = Walk::new(&bytes, Some(path));
        let first = walk.next();
        if let Some(Problem::Locked(_)) = first.as_ref().and_then(|l| l.problem.as_ref()) {
            let e = walk.take_locked();
            return Err(unreadable(
                e.map_or(JournalError::NotARecord, JournalError::Vault),
            ));
        }
        let mut record = Record {
            id: session_id(path),
            path: path.to_owned(),
            report: Report::default(),
            unreadable: Vec::new(),
            altered: None,
            torn_tail: false,
            lines_read: 0,
            links: Vec::new(),
            version: walk.version(),
            sealed: walk.sealed().map(|(id, _)| id),
        };
        let records = record.take_lines(first, walk, bytes.len());
        record.lines_read = records.len();
        record.report = Report::from_entries(&records);
        if record.report.opened.is_none() && record.unreadable.is_empty() {
            // A record must start with its opening line; one that does not
            // was written by something else, or cut at its first line.
            record.unreadable.push(1);
        }
        Ok(record)
    }

    /// Sorts the lines walked (`first`, then the rest of `walk` through
    /// `len` bytes) into records read, unreadable lines, the first
    /// alteration and a torn tail. Taken as they come, not gathered first:
    /// a record has hundreds of lines.
    fn take_lines(
        &mut self,
        first: Option<LineRead>,
        mut walk: Walk<'_>,
        len: usize,
    ) -> Vec<Logged> {
        // A bad last line is a crash's torn tail only in a record otherwise
        // whole; after damage, it is one more line that cannot be read.
        let mut whole = true;
        let mut records = Vec::with_capacity(len / 128);
        let mut next = first;
        while let Some(line) = next {
            next = walk.next();
            if line.complete {
                self.links.push(line.link);
            }
            let last = line.end >= len;
            match line.problem {
                Some(p) if last && whole && walk.torn(&p) => self.torn_tail = true,
                // Blank lines hold nothing to lose.
                Some(_) if blank(&line) => {}
                Some(p) => {
                    whole = false;
                    if p.physical() {
                        self.unreadable.push(line.number);
                    } else {
                        self.altered.get_or_insert((line.number, p));
                    }
                }
                None => {}
            }
            records.extend(line.entry);
        }
        records
    }

    /// The hash of the last whole line in the clear: the record's head.
    pub fn head(&self) -> Option<Link> {
        self.links.last().copied().flatten()
    }

    /// How the record stands: altered, damaged, or as its report says.
    pub fn state(&self) -> State {
        if self.altered.is_some() {
            State::Altered
        } else if self.unreadable.is_empty() {
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
            State::Altered => {
                let (line, problem) = self
                    .altered
                    .clone()
                    .unwrap_or((0, Problem::Unreadable(String::new())));
                format!(
                    "altered: line {line}: {problem}; `stillpoint verify {}` says more",
                    self.id
                )
            }
        }
    }
}

/// Whether a line holds nothing but white space.
fn blank(line: &LineRead) -> bool {
    line.end - line.start <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::Entry;

    #[test]
    fn reading_keeps_every_good_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let text = b"{\"seq\":0,\"at\":0,\"event\":\"note\",\"text\":\"a\"}\nnot json\n\
{\"seq\":2,\"at\":2000,\"event\":\"abandoned\"}\n{\"seq\":3,\"at\":";
        std::fs::write(&path, text).unwrap();
        let r = Record::load(&path).unwrap();
        // After damage, a cut last line is one more line that cannot be
        // read, not a crash's torn tail.
        assert_eq!(r.unreadable, [2, 4]);
        assert!(!r.torn_tail);
        assert_eq!(r.lines_read, 2);
        assert!(r.report.abandoned);
        assert_eq!(r.state(), State::Damaged);
        let _ = Entry::Abandoned;
    }
}
