//! The folder of session records: which record files it holds and finding
//! one by what a person types — its id, a unique start of one, or a path.
//! `show`, `resume`, `amend` and every other command that names a session
//! go through [`find`], so they all agree: an exact id always wins, even
//! when it is also the start of longer ids (`X` beside `X-1`).

use std::io;
use std::path::{Path, PathBuf};

use crate::hint::Hint;
use crate::session::journal::session_id;

/// Why a session could not be found.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// No record has that id or starts with it.
    #[error("no session \"{wanted}\" in {}", dir.display())]
    NotFound {
        /// What was asked for.
        wanted: String,
        /// The folder looked in.
        dir: PathBuf,
        /// How many records the folder holds.
        records: usize,
        /// The ids of the latest few, oldest first, to show instead.
        latest: Vec<String>,
    },
    /// Several records start with it.
    #[error("\"{wanted}\" could be any of {} sessions; give more of the id", matches.len())]
    Ambiguous {
        /// What was asked for.
        wanted: String,
        /// The ids it could be, sorted.
        matches: Vec<String>,
    },
    /// The folder could not be read.
    #[error("cannot read {}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl Hint for FindError {
    fn hint(&self) -> Option<String> {
        match self {
            FindError::NotFound { records: 0, .. } => {
                Some("no sessions are recorded there yet".to_owned())
            }
            FindError::NotFound { .. } | FindError::Ambiguous { .. } => {
                Some("`stillpoint history` lists them all".to_owned())
            }
            FindError::Folder { .. } => None,
        }
    }
}

/// How many of the latest records an unknown id is answered with.
const LATEST: usize = 5;

/// The record files (`*.jsonl`) in `dir`, sorted (so oldest first: ids
/// start with the moment they were opened); a missing folder holds none,
/// and a folder that happens to end in `.jsonl` is no record.
pub fn record_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// The record `wanted` names in `dir`: a path to a file (anything with a
/// path separator, or ending in `.jsonl`, that exists), an id, or a start
/// of an id that only one record has. An exact id wins over longer ids it
/// is the start of.
pub fn find(dir: &Path, wanted: &str) -> Result<PathBuf, FindError> {
    let wanted = wanted.trim();
    let as_path = Path::new(wanted);
    if (wanted.contains(std::path::MAIN_SEPARATOR) || wanted.ends_with(".jsonl"))
        && as_path.is_file()
    {
        return Ok(as_path.to_owned());
    }
    let wanted = wanted.strip_suffix(".jsonl").unwrap_or(wanted);
    let files = record_files(dir).map_err(|source| FindError::Folder {
        dir: dir.to_owned(),
        source,
    })?;
    if let Some(exact) = files.iter().find(|p| session_id(p) == wanted) {
        return Ok(exact.clone());
    }
    let mut matching: Vec<&PathBuf> = if wanted.is_empty() {
        Vec::new()
    } else {
        files
            .iter()
            .filter(|p| session_id(p).starts_with(wanted))
            .collect()
    };
    match matching.len() {
        1 => Ok(matching.remove(0).clone()),
        0 => Err(FindError::NotFound {
            wanted: wanted.to_owned(),
            dir: dir.to_owned(),
            records: files.len(),
            latest: files[files.len().saturating_sub(LATEST)..]
                .iter()
                .map(|p| session_id(p))
                .collect(),
        }),
        _ => Err(FindError::Ambiguous {
            wanted: wanted.to_owned(),
            matches: matching.iter().map(|p| session_id(p)).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(ids: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for id in ids {
            std::fs::write(dir.path().join(format!("{id}.jsonl")), "").expect("write");
        }
        dir
    }

    #[test]
    fn an_exact_id_wins_over_longer_ids_it_starts() {
        let dir = folder(&["20261102-093000-x", "20261102-093000-x-1"]);
        let found = find(dir.path(), "20261102-093000-x").expect("exact");
        assert_eq!(session_id(&found), "20261102-093000-x");
        let found = find(dir.path(), "20261102-093000-x-").expect("unique start");
        assert_eq!(session_id(&found), "20261102-093000-x-1");
        assert!(matches!(
            find(dir.path(), "20261102"),
            Err(FindError::Ambiguous { ref matches, .. }) if matches.len() == 2
        ));
    }

    #[test]
    fn unknown_ids_and_paths() {
        let dir = folder(&["20261102-093000-x"]);
        assert!(matches!(
            find(dir.path(), "2027"),
            Err(FindError::NotFound { records: 1, .. })
        ));
        assert!(matches!(
            find(dir.path(), ""),
            Err(FindError::NotFound { .. })
        ));
        let path = dir.path().join("20261102-093000-x.jsonl");
        let by_path = path.to_str().expect("utf-8 path");
        assert_eq!(find(Path::new("/nowhere"), by_path).expect("path"), path);
        assert!(matches!(
            find(&dir.path().join("missing"), "x"),
            Err(FindError::NotFound { records: 0, .. })
        ));
    }
}
