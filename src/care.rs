//! Client records kept as a careful clinic keeps them, over their whole
//! life: a client's records erased on request and records past the
//! retention period purged ([`erasure`], with a [`receipt`]); a finished
//! record amended without rewriting it ([`amend`]); records shown not to
//! have been altered ([`verify`]); the data folder backed up and restored
//! ([`backup`], [`restore`]); and the records written before the vault sealed
//! ([`sealing`]).
//!
//! Everything here works on the data folder through the same journal,
//! index and vault as the rest of the program; nothing goes over the
//! network.

pub mod amend;
pub mod backup;
pub mod erase;
pub mod erasure;
pub mod receipt;
pub mod restore;
pub mod sealing;
pub mod verify;

use std::io;
use std::path::PathBuf;

use crate::hint::Hint;
use crate::history::HistoryError;
use crate::session::journal::JournalError;
use crate::vault::VaultError;

/// Why a records command could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum CareError {
    /// The records could not be listed or read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The vault could not be opened.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A record is being written by a running session.
    #[error("{} in use by a running session: {}", if ids.len() == 1 { "a record is" } else { "records are" }, ids.join(", "))]
    InUse {
        /// The records' ids.
        ids: Vec<String>,
    },
    /// A file could not be erased or written.
    #[error("cannot {what} {}", path.display())]
    File {
        /// What was being done (`erase`, `write`, `read`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A record could not be opened to add to it.
    #[error("cannot add to {}", path.display())]
    Reopen {
        /// The record.
        path: PathBuf,
        /// Why.
        #[source]
        source: JournalError,
    },
    /// An addendum to a record that is not finished.
    #[error("{id} is {state}: only a finished record (closed, or set aside) takes an addendum")]
    NotFinished {
        /// The record's id.
        id: String,
        /// How it stands.
        state: &'static str,
    },
    /// An addendum with nothing in it.
    #[error("an addendum needs text or a corrected rating, and who signs it off")]
    EmptyAddendum,
    /// The confirmation typed does not match.
    #[error("the confirmation does not match; nothing was erased")]
    NotConfirmed,
    /// A backup that cannot be read, or does not check out.
    #[error("the backup {} {why}; nothing was written", path.display())]
    Backup {
        /// The backup file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A retention period that is not one.
    #[error("no retention period: {0}")]
    Retention(String),
}

impl Hint for CareError {
    fn hint(&self) -> Option<String> {
        match self {
            CareError::History(e) => e.hint(),
            CareError::Vault(e) => e.hint(),
            CareError::Reopen { source, .. } => source.hint(),
            CareError::InUse { .. } => Some("wait until the session has ended".to_owned()),
            CareError::NotFinished { .. } => Some(
                "a session cut off is taken up with `stillpoint resume`, or set aside at the \
                 offer, before it is amended"
                    .to_owned(),
            ),
            CareError::EmptyAddendum => Some("give --text and --by".to_owned()),
            CareError::Retention(_) => Some(
                "give --older-than (e.g. 7y, 18months) or set retention in the settings".to_owned(),
            ),
            _ => None,
        }
    }
}

/// A reference as it is compared: surrounding spaces and case do not
/// matter (as `history --client` compares).
pub fn same_client(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}
