//! `stillpoint amend SESSION`: a dated, signed-off addendum — free text and
//! any corrected ratings — added to a finished record as one new line, the
//! way a clinic corrects a paper record: by writing after it, never over
//! it. The line is appended through the journal (whole or absent, synced,
//! chained to the closing line, sealed when the vault is on), and the
//! record's index line is written again with its new anchor.

use std::path::{Path, PathBuf};

use super::CareError;
use crate::history::{Record, unfound};
use crate::session::folder::find;
use crate::session::journal::{FileJournal, Journal, JournalError, session_id};
use crate::session::record::{Addendum, Corrections, Entry, Logged, Stamp};
use crate::session::report::{Report, State};

/// What the practitioner adds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Addition {
    /// The text, in their words.
    pub text: String,
    /// Who signs it off.
    pub by: String,
    /// Ratings it corrects.
    pub corrected: Corrections,
}

impl Addition {
    /// The addendum as recorded at `now`: the name on one line, the text
    /// trimmed. Refused when it says nothing or no one signs it.
    fn addendum(&self, now: &jiff::Zoned) -> Result<Addendum, CareError> {
        let by = crate::text::sanitize_line(self.by.trim()).trim().to_owned();
        let text = self.text.trim().to_owned();
        if by.is_empty() || (text.is_empty() && self.corrected.is_empty()) {
            return Err(CareError::EmptyAddendum);
        }
        Ok(Addendum {
            written: Some(Stamp::of(now)),
            by,
            text,
            corrected: self.corrected,
        })
    }
}

/// The record `session` names in `data`'s sessions folder.
pub fn find_record(data: &Path, session: &str) -> Result<PathBuf, CareError> {
    let dir = data.join("sessions");
    Ok(find(&dir, session).map_err(|e| unfound(&dir, e))?)
}

/// Adds `addition` to the finished record `session` names, at `now`;
/// returns the record as it now reads.
pub fn amend(
    data: &Path,
    session: &str,
    addition: &Addition,
    now: &jiff::Zoned,
) -> Result<Record, CareError> {
    crate::vault::unlock_interactive(data)?;
    let addendum = addition.addendum(now)?;
    let path = find_record(data, session)?;
    let reopen_error = |source| match source {
        JournalError::Locked => CareError::InUse {
            ids: vec![session_id(&path)],
        },
        source => CareError::Reopen {
            path: path.clone(),
            source,
        },
    };
    let (mut journal, contents) = FileJournal::reopen(&path).map_err(reopen_error)?;
    let report = Report::from_entries(&contents.records);
    let state = report.state();
    if !matches!(state, State::Complete | State::EndedEarly | State::SetAside) {
        return Err(CareError::NotFinished {
            id: session_id(&path),
            state: state.word(),
        });
    }
    // The session clock stopped: the addendum comes at its last moment.
    let at = contents.last_at();
    journal
        .append(&Logged {
            at,
            entry: Entry::Addendum(addendum),
        })
        .map_err(|source| CareError::File {
            what: "write",
            path: path.clone(),
            source,
        })?;
    drop(journal);
    let record = Record::load(&path)?;
    if report.closed {
        // Only saves history from reading the record again.
        let _ =
            crate::history::index_closed(&data.join("sessions"), &path, &record.report.summary());
    }
    Ok(record)
}
