//! `stillpoint restore FILE`: a backup put back, checked whole before
//! anything is written — the seal of every chunk, the archive, each file
//! against the manifest's size and SHA-256, each record's lines and head —
//! and then only added to the data folder: a record missing is added, one
//! the backup holds a longer version of is brought up to date, and one
//! that is the same, newer in the folder, or different is left as it is.
//!
//! A sealed backup opens with the key of the folder's vault when it is the
//! same vault, else with the passphrase of the vault it carries (which is
//! then put in place, if the folder has none). Records in the clear
//! restored into a folder whose vault is on are sealed on the way in.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::backup::{MAGIC, MANIFEST, Manifest, ZSTD, open_sealed, sealed_parts, sha256_hex};
use super::{CareError, verify};
use crate::session::journal::chain::{self, Link};
use crate::session::journal::{Walk, seal_record};
use crate::vault::DataKey;

/// The largest backup (and archive inside it) read.
const MAX_BACKUP: u64 = 2 << 30;

/// A file out of the archive.
struct Unpacked {
    path: String,
    bytes: Vec<u8>,
    mtime: u64,
}

/// What `restore` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// Records added, by id.
    pub added: Vec<String>,
    /// Records the backup held more of, brought up to date.
    pub updated: Vec<String>,
    /// Records already in the folder as the backup has them.
    pub already: usize,
    /// Records the folder holds more of than the backup: kept.
    pub newer: Vec<String>,
    /// Records that differ from the backup's: kept as they are.
    pub differ: Vec<String>,
    /// Records restored that do not verify (as they were when backed up).
    pub not_intact: Vec<String>,
    /// The vault file was put in place.
    pub vault: bool,
    /// The preferences were put in place.
    pub prefs: bool,
    /// The index was put in place.
    pub index: bool,
}

fn bad(file: &Path, why: impl Into<String>) -> CareError {
    CareError::Backup {
        path: file.to_owned(),
        why: why.into(),
    }
}

/// The key that opens a sealed backup carrying `vault_file`.
fn backup_key(data: &Path, file: &Path, vault_file: &[u8]) -> Result<DataKey, CareError> {
    let info = crate::vault::info_of(vault_file, file)?;
    if let Some(key) = crate::vault::held(info.id) {
        return Ok(key);
    }
    if crate::vault::info(data)?.is_some_and(|i| i.id == info.id)
        && let Some(key) = crate::vault::unlock_interactive(data)?
    {
        return Ok(key);
    }
    let (passphrase, _) =
        crate::vault::ask::passphrase("Passphrase of the vault the backup was made with: ")?;
    Ok(crate::vault::open_bytes(vault_file, file, &passphrase)?)
}

/// A sealed backup's key, and the vault file it carries.
type Sealing = Option<(DataKey, Vec<u8>)>;

/// The archive inside the backup at `file`, with the key and vault file of
/// a sealed one.
fn open(data: &Path, file: &Path) -> Result<(Vec<u8>, Sealing), CareError> {
    let bytes = crate::files::read_regular(file, MAX_BACKUP)
        .map_err(|e| bad(file, format!("cannot be read: {e}")))?;
    let (compressed, sealed) = if let Some((vault_file, nonce, body)) = sealed_parts(&bytes) {
        let key = backup_key(data, file, vault_file)?;
        let plain = open_sealed(body, nonce, &key).ok_or_else(|| {
            bad(
                file,
                "does not open: it was changed or cut short after it was made",
            )
        })?;
        (plain, Some((key, vault_file.to_vec())))
    } else if bytes.starts_with(&ZSTD) {
        (bytes, None)
    } else if bytes.starts_with(&MAGIC[..10]) {
        return Err(bad(file, "was made by a newer stillpoint"));
    } else {
        return Err(bad(file, "is not a stillpoint backup"));
    };
    let mut tar = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(compressed.as_slice())
        .map_err(|e| bad(file, format!("is not whole: {e}")))?
        .take(MAX_BACKUP)
        .read_to_end(&mut tar)
        .map_err(|e| bad(file, format!("is not whole: {e}")))?;
    Ok((tar, sealed))
}

/// Whether `path` is one a backup may hold: the vault file, the
/// preferences, the index, or a record directly in `sessions/`.
fn allowed(path: &str) -> bool {
    let record = path
        .strip_prefix("sessions/")
        .is_some_and(|n| n.ends_with(".jsonl") && !n.contains(['/', '\\']) && !n.starts_with('.'));
    record
        || [
            MANIFEST,
            crate::vault::FILE,
            crate::settings::prefs::FILE,
            "sessions/.index",
        ]
        .contains(&path)
}

/// The archive's files, each once, each one a backup may hold.
fn unpack(tar: &[u8]) -> Result<Vec<Unpacked>, String> {
    let mut archive = tar::Archive::new(tar);
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err("holds something other than plain files".into());
        }
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        if !allowed(&path) || !seen.insert(path.clone()) {
            return Err(format!("holds a file it should not: {path}"));
        }
        let mtime = entry.header().mtime().unwrap_or(0);
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        files.push(Unpacked { path, bytes, mtime });
    }
    Ok(files)
}

/// Checks every file against the manifest (the archive's first file).
fn check(files: &[Unpacked], data: &Path) -> Result<Manifest, String> {
    let first = files
        .first()
        .filter(|f| f.path == MANIFEST)
        .ok_or("has no manifest")?;
    let manifest: Manifest = serde_json::from_slice(&first.bytes)
        .map_err(|e| format!("has a manifest that cannot be read: {e}"))?;
    if manifest.files.len() + 1 != files.len() {
        return Err("holds other files than its manifest lists".into());
    }
    for (listed, file) in manifest.files.iter().zip(&files[1..]) {
        if listed.path != file.path
            || listed.size != file.bytes.len() as u64
            || listed.sha256 != sha256_hex(&file.bytes)
        {
            return Err(format!("holds {} changed since it was made", file.path));
        }
        if let Some(lines) = listed.lines {
            let path = data.join(&file.path);
            let c = crate::session::journal::parse_at(&file.bytes, Some(&path))
                .map_err(|e| format!("holds {} that does not read: {e}", file.path))?;
            let head = c.head.as_ref().map(chain::to_hex);
            if c.records.len() as u64 != lines || head != listed.head {
                return Err(format!(
                    "holds {} that is not the record it listed",
                    file.path
                ));
            }
        }
    }
    Ok(manifest)
}

/// The links of a record's whole lines in the clear.
fn links(bytes: &[u8], path: &Path) -> Vec<Option<Link>> {
    Walk::new(bytes, Some(path))
        .filter(|l| l.complete)
        .map(|l| l.link)
        .collect()
}

/// What to do with one record of the backup.
enum Step {
    Add,
    Update,
    Same,
    Newer,
    Differ,
}

/// How the backup's record `ours` stands to the folder's at `path`.
fn step(ours: &[u8], path: &Path) -> Step {
    let Ok(theirs) = crate::files::read_private(path, crate::session::journal::MAX_RECORD) else {
        return if std::fs::symlink_metadata(path).is_ok() {
            Step::Differ
        } else {
            Step::Add
        };
    };
    if theirs == ours {
        return Step::Same;
    }
    let (a, b) = (links(ours, path), links(&theirs, path));
    if a.contains(&None) || b.contains(&None) {
        Step::Differ
    } else if b.starts_with(&a) {
        Step::Newer
    } else if a.starts_with(&b) {
        Step::Update
    } else {
        Step::Differ
    }
}

/// Writes `bytes` at `path` (a new private file renamed into place) with
/// the modification time it had.
fn put(path: &Path, bytes: &[u8], mtime: u64) -> Result<(), CareError> {
    let error = |source| CareError::File {
        what: "write",
        path: path.to_owned(),
        source,
    };
    crate::files::replace_private(path, bytes).map_err(error)?;
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
    crate::files::open_private_rw(path)
        .map_err(std::io::Error::other)
        .and_then(|f| f.set_modified(when))
        .map_err(error)
}

/// The key records in the clear are sealed with on the way in: the
/// folder's, when its vault is on and the backup was not sealed by it.
fn folder_key(
    data: &Path,
    sealed: &Option<(DataKey, Vec<u8>)>,
) -> Result<Option<DataKey>, CareError> {
    let folder = crate::vault::info(data)?;
    match (folder, sealed) {
        (Some(f), Some((key, _))) if f.id != key.id() => Err(CareError::Backup {
            path: data.join(crate::vault::FILE),
            why: format!(
                "belongs to vault {}, and the backup to vault {}: restore it into a data \
                 folder of its own (--data-dir)",
                f.id,
                key.id()
            ),
        }),
        (Some(_), None) => Ok(crate::vault::unlock_interactive(data)?),
        _ => Ok(None),
    }
}

/// Puts the backup at `file` back into `data`, after checking all of it.
pub fn restore(data: &Path, file: &Path) -> Result<Restored, CareError> {
    let (tar, sealed) = open(data, file)?;
    let files = unpack(&tar).map_err(|why| bad(file, why))?;
    check(&files, data).map_err(|why| bad(file, why))?;
    let seal_with = folder_key(data, &sealed)?;
    crate::files::ready_for_records(data).map_err(|e| bad(file, crate::hint::chain(&e)))?;
    let mut done = Restored::default();
    if let Some((_, vault_file)) = &sealed
        && !crate::vault::is_on(data)
    {
        let path = crate::vault::file(data);
        put(&path, vault_file, 0)?;
        done.vault = true;
    }
    for f in files.iter().skip(1) {
        restore_one(data, f, seal_with.as_ref(), &mut done)?;
    }
    Ok(done)
}

/// Puts one file of the backup back, as [`restore`] says.
fn restore_one(
    data: &Path,
    f: &Unpacked,
    seal_with: Option<&DataKey>,
    done: &mut Restored,
) -> Result<(), CareError> {
    let path: PathBuf = data.join(&f.path);
    let absent = std::fs::symlink_metadata(&path).is_err();
    if !f.path.ends_with(".jsonl") {
        // The vault file is put first; the preferences and the index only
        // where there are none, and never in the clear into a vault.
        let fits = seal_with.is_none() && f.path != crate::vault::FILE;
        if absent && fits {
            put(&path, &f.bytes, f.mtime)?;
            done.prefs |= f.path == crate::settings::prefs::FILE;
            done.index |= f.path.ends_with(".index");
        }
        return Ok(());
    }
    let id = crate::session::journal::session_id(&path);
    let bytes = match seal_with {
        Some(key) => seal_record(&f.bytes, key).map_err(|source| CareError::File {
            what: "seal",
            path: path.clone(),
            source,
        })?,
        None => f.bytes.clone(),
    };
    match step(&bytes, &path) {
        Step::Add => done.added.push(id.clone()),
        Step::Update => done.updated.push(id.clone()),
        Step::Same => {
            done.already += 1;
            return Ok(());
        }
        Step::Newer => {
            done.newer.push(id);
            return Ok(());
        }
        Step::Differ => {
            done.differ.push(id);
            return Ok(());
        }
    }
    put(&path, &bytes, f.mtime)?;
    if verify::verdict(&bytes, &path, None).status() != 0 {
        done.not_intact.push(id);
    }
    Ok(())
}
