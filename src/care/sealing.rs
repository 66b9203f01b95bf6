//! Sealing what was written before the vault: `vault init` makes the vault
//! and then seals every record, the index and the preferences already in
//! the data folder; `vault seal` does the same for any left in the clear
//! (a record that was being written while the vault was made).
//!
//! A record is sealed line by line as it is (its checksums, links and head
//! unchanged, so the index's anchors still hold), written to a new file
//! that replaces it, and the old file's blocks overwritten.

use std::path::Path;

use super::{CareError, erase};
use crate::session::folder::record_files;
use crate::session::journal::{line, seal_record, session_id};
use crate::vault::DataKey;

/// What sealing did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sealed {
    /// Records sealed now.
    pub records: usize,
    /// Records that were sealed already.
    pub already: usize,
    /// Records being written by a running session, left for later.
    pub in_use: Vec<String>,
    /// The index was sealed now.
    pub index: bool,
    /// The preferences were sealed now.
    pub prefs: bool,
}

fn file_error(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CareError {
    let path = path.to_owned();
    move |source| CareError::File { what, path, source }
}

/// Whether the first line of `bytes` is a sealed one.
fn is_sealed(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    line::open(first).is_ok_and(|json| {
        crate::session::journal::envelope::is_sealed(&json) || json.starts_with(b"{\"sealed\"")
    })
}

/// Seals everything in `data` still in the clear, with `key`.
pub fn seal_folder(data: &Path, key: &DataKey) -> Result<Sealed, CareError> {
    let sessions = data.join("sessions");
    let mut done = Sealed::default();
    let files = record_files(&sessions).map_err(file_error("read", &sessions))?;
    for path in files {
        let busy =
            std::fs::File::open(&path).is_ok_and(|f| crate::platform::lock::held_elsewhere(&f));
        if busy {
            done.in_use.push(session_id(&path));
            continue;
        }
        let bytes = crate::files::read_private(&path, crate::session::journal::MAX_RECORD)
            .map_err(|e| file_error("read", &path)(std::io::Error::other(e)))?;
        if is_sealed(&bytes) {
            done.already += 1;
            continue;
        }
        let sealed = seal_record(&bytes, key).map_err(file_error("seal", &path))?;
        erase::replace_erasing_old(&path, &sealed).map_err(file_error("write", &path))?;
        done.records += 1;
    }
    done.index = seal_index(&sessions, key)?;
    done.prefs = seal_prefs(data, key)?;
    Ok(done)
}

/// Seals the index, if it is there and in the clear.
fn seal_index(sessions: &Path, key: &DataKey) -> Result<bool, CareError> {
    let path = sessions.join(crate::history::INDEX);
    let Ok(bytes) = crate::files::read_private(&path, 256 << 20) else {
        return Ok(false);
    };
    if bytes.is_empty() || is_sealed(&bytes) {
        return Ok(false);
    }
    let (sealed, _) = crate::history::index::index_without(sessions, &|_, _| false, Some(key))
        .map_err(file_error("read", &path))?;
    erase::replace_erasing_old(&path, &sealed).map_err(file_error("write", &path))?;
    Ok(true)
}

/// Seals the preferences, if they are there and in the clear.
fn seal_prefs(data: &Path, key: &DataKey) -> Result<bool, CareError> {
    let path = data.join(crate::settings::prefs::FILE);
    let Ok(bytes) = crate::files::read_private(&path, 1 << 20) else {
        return Ok(false);
    };
    if bytes.starts_with(b"{\"vault\"") {
        return Ok(false);
    }
    let sealed = crate::settings::prefs::sealed(key, &bytes).map_err(file_error("seal", &path))?;
    erase::replace_erasing_old(&path, &sealed).map_err(file_error("write", &path))?;
    Ok(true)
}
