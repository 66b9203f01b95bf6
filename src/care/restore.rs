//! `stillpoint restore FILE`: a backup put back, checked whole before
//! anything is written — the seal of every chunk, the archive, each file
//! against the manifest's size and SHA-256 — and then only added to the
//! data folder: a record missing is added, one the backup holds a longer
//! version of is brought up to date, and one that is the same, newer in the
//! folder, or different is left as it is.
//!
//! The archive is unpacked as it is read into a private staging folder in
//! the data folder, which is erased whatever happens; nothing reaches the
//! records until every file has checked out. A sealed backup opens with
//! the key of the folder's vault when it is the same vault, else with the
//! passphrase of the vault it carries (which is then put in place, if the
//! folder has none). Records in the clear restored into a folder whose
//! vault is on are sealed on the way in. Each record's chain is then
//! `stillpoint verify`'s to check, as for any record.

use std::collections::HashSet;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::backup::{MAGIC, MANIFEST, Manifest, Unsealer, ZSTD};
use super::{CareError, erase};
use crate::session::journal::chain::Link;
use crate::session::journal::{Walk, seal_record};
use crate::vault::DataKey;

/// The largest file a backup may hold.
const MAX_FILE: u64 = 256 << 20;

/// A file out of the archive, staged.
struct Unpacked {
    path: String,
    staged: PathBuf,
    size: u64,
    sha256: String,
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
    /// The vault file was put in place.
    pub vault: bool,
}

fn bad(file: &Path, why: impl Into<String>) -> CareError {
    CareError::Backup {
        path: file.to_owned(),
        why: why.into(),
    }
}

/// The private folder a restore unpacks into, in the data folder so that
/// nothing crosses file systems; everything in it is erased when dropped,
/// and the data folder too if it was made for this restore and stayed
/// empty.
struct Staging {
    dir: PathBuf,
    data: Option<PathBuf>,
    /// Its files are in the clear (a backup made without the vault): they
    /// are overwritten before they are removed.
    clear: bool,
}

impl Staging {
    fn new(data: &Path, clear: bool) -> io::Result<Staging> {
        let made = std::fs::symlink_metadata(data).is_err();
        let dir = data.join(format!(".restoring-{}", std::process::id()));
        crate::files::create_private_dir(&dir.join("sessions"))?;
        Ok(Staging {
            dir,
            data: made.then(|| data.to_owned()),
            clear,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let sessions = self.dir.join("sessions");
        for dir in [&sessions, &self.dir] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let _ = if self.clear {
                    erase::erase_file(&entry.path())
                } else {
                    std::fs::remove_file(entry.path())
                };
            }
        }
        let _ = std::fs::remove_dir(&sessions);
        let _ = std::fs::remove_dir(&self.dir);
        if let Some(data) = &self.data {
            let _ = std::fs::remove_dir(data);
        }
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

/// The archive inside the backup at `file`, as it is read; with the key
/// and vault file of a sealed one.
fn open(data: &Path, file: &Path) -> Result<(Box<dyn Read>, Sealing), CareError> {
    let unreadable = |e: &dyn std::fmt::Display| bad(file, format!("cannot be read: {e}"));
    let (mut f, _) = crate::files::open_regular(file, u64::MAX).map_err(|e| unreadable(&e))?;
    let header = Unsealer::header(&mut f).map_err(|e| unreadable(&e))?;
    let (reader, sealed): (Box<dyn Read>, Sealing) = match header {
        Some((vault_file, nonce)) => {
            let key = backup_key(data, file, &vault_file)?;
            let unsealer =
                Unsealer::new(io::BufReader::new(f), &key, &nonce).map_err(|e| unreadable(&e))?;
            (Box::new(unsealer), Some((key, vault_file)))
        }
        None => {
            f.rewind().map_err(|e| unreadable(&e))?;
            let mut start = [0u8; 18];
            let n = f.read(&mut start).map_err(|e| unreadable(&e))?;
            f.rewind().map_err(|e| unreadable(&e))?;
            if start[..n].starts_with(&MAGIC[..17]) {
                return Err(bad(file, "was made by a newer stillpoint"));
            }
            if !start[..n].starts_with(&ZSTD) {
                return Err(bad(file, "is not a stillpoint backup"));
            }
            (Box::new(io::BufReader::new(f)), None)
        }
    };
    let tar = ruzstd::decoding::StreamingDecoder::new(reader)
        .map_err(|e| bad(file, format!("is not whole: {e}")))?;
    Ok((Box::new(tar), sealed))
}

/// Whether `path` is one a backup may hold: the vault file, the
/// preferences, the index, or a record directly in `sessions/`.
fn allowed(path: &str) -> bool {
    let record = path
        .strip_prefix("sessions/")
        .is_some_and(|n| n.ends_with(".jsonl") && !n.contains(['/', '\\']) && !n.starts_with('.'));
    record
        || [
            crate::vault::FILE,
            crate::settings::prefs::FILE,
            "sessions/.index",
        ]
        .contains(&path)
}

/// Copies `entry` into a new private file at `staged`, hashing it.
fn stage(entry: &mut impl Read, staged: &Path) -> io::Result<(u64, String)> {
    let mut out = std::fs::OpenOptions::new();
    out.write(true).create_new(true);
    crate::platform::files::private_file(&mut out);
    let mut out = out.open(staged)?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    let mut limited = entry.take(MAX_FILE + 1);
    loop {
        let n = limited.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    if size > MAX_FILE {
        return Err(io::Error::other("a file in it is larger than any record"));
    }
    // Not synced here: a staged file that is kept is synced as it is
    // moved into place, and one that is not is erased.
    Ok((size, crate::vault::to_hex(&hash.finalize())))
}

/// What is wrong with a backup's contents (said after "the backup FILE").
#[derive(Debug, thiserror::Error)]
enum Unsound {
    /// The archive could not be read.
    #[error("cannot be read")]
    Unreadable(#[source] io::Error),
    /// It ends part-way through, or a file in it does.
    #[error("is not whole")]
    NotWhole(#[source] io::Error),
    /// A file a backup never holds (a link, a folder, a path outside).
    #[error("holds a file it should not: {0}")]
    Stray(String),
    /// Its manifest is not one.
    #[error("has a manifest that cannot be read")]
    Manifest(#[source] serde_json::Error),
    /// It has no manifest.
    #[error("has no manifest: it was cut short")]
    NoManifest,
    /// Its files are not the ones the manifest lists.
    #[error("holds other files than its manifest lists")]
    OtherFiles,
    /// A file's size or hash differs from the manifest's.
    #[error("holds {0} changed since it was made")]
    Changed(String),
}

/// Unpacks the archive into `staging`: each file once, each one a backup
/// may hold, and the manifest last.
fn unpack(tar: impl Read, staging: &Staging) -> Result<(Vec<Unpacked>, Manifest), Unsound> {
    let mut archive = tar::Archive::new(tar);
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut manifest: Option<Manifest> = None;
    for entry in archive.entries().map_err(Unsound::Unreadable)? {
        let mut entry = entry.map_err(Unsound::NotWhole)?;
        let path = entry
            .path()
            .map_err(Unsound::Unreadable)?
            .to_string_lossy()
            .into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular || manifest.is_some() {
            return Err(Unsound::Stray(path));
        }
        if path == MANIFEST {
            let mut json = Vec::new();
            entry
                .take(64 << 20)
                .read_to_end(&mut json)
                .map_err(Unsound::NotWhole)?;
            manifest = Some(serde_json::from_slice(&json).map_err(Unsound::Manifest)?);
            continue;
        }
        if !allowed(&path) || !seen.insert(path.clone()) {
            return Err(Unsound::Stray(path));
        }
        // In nanoseconds; the manifest's exact time replaces it once read.
        let mtime = entry
            .header()
            .mtime()
            .unwrap_or(0)
            .saturating_mul(1_000_000_000);
        let staged = staging.dir.join(&path);
        let (size, sha256) = stage(&mut entry, &staged).map_err(Unsound::NotWhole)?;
        files.push(Unpacked {
            path,
            staged,
            size,
            sha256,
            mtime,
        });
    }
    Ok((files, manifest.ok_or(Unsound::NoManifest)?))
}

/// Checks every file against the manifest.
fn check(files: &mut [Unpacked], manifest: &Manifest) -> Result<(), Unsound> {
    if manifest.files.len() != files.len() {
        return Err(Unsound::OtherFiles);
    }
    for (listed, file) in manifest.files.iter().zip(files.iter_mut()) {
        if listed.path != file.path || listed.size != file.size || listed.sha256 != file.sha256 {
            return Err(Unsound::Changed(file.path.clone()));
        }
        if listed.mtime_ns > 0 {
            file.mtime = listed.mtime_ns;
        }
    }
    Ok(())
}

/// The links of a record's whole lines in the clear.
fn links(bytes: &[u8], path: &Path) -> Vec<Option<Link>> {
    Walk::new(bytes, Some(path))
        .filter(|l| l.complete)
        .map(|l| l.link)
        .collect()
}

/// What to do with one record of the backup.
#[derive(Clone, Copy)]
enum Step {
    Add,
    Update,
    Same,
    Newer,
    Differ,
}

/// How the backup's record `ours` stands to the folder's at `path`.
fn step(ours: &[u8], path: &Path) -> Step {
    if std::fs::symlink_metadata(path).is_err() {
        return Step::Add;
    }
    let Ok(theirs) = crate::files::read_private(path, crate::session::journal::MAX_RECORD) else {
        return Step::Differ;
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
/// (`mtime` in nanoseconds since 1970.)
fn put(path: &Path, bytes: &[u8], mtime: u64) -> Result<(), CareError> {
    let error = |source| CareError::File {
        what: "write",
        path: path.to_owned(),
        source,
    };
    crate::files::replace_private(path, bytes).map_err(error)?;
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(mtime);
    crate::files::open_private_rw(path)
        .map_err(io::Error::other)
        .and_then(|f| f.set_modified(when))
        .map_err(error)
}

/// Moves the staged file `staged` to `path`, with the modification time it
/// had: synced, then renamed into place (the same file system).
fn place(staged: &Path, path: &Path, mtime: u64) -> Result<(), CareError> {
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(mtime);
    crate::files::open_private_rw(staged)
        .map_err(io::Error::other)
        .and_then(|f| {
            f.set_modified(when)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(staged, path))
        .map_err(|source| CareError::File {
            what: "write",
            path: path.to_owned(),
            source,
        })
}

/// The key records in the clear are sealed with on the way in: the
/// folder's, when its vault is on and the backup was not sealed by it.
fn folder_key(data: &Path, sealed: &Sealing) -> Result<Option<DataKey>, CareError> {
    let folder = crate::vault::info(data)?;
    match (folder, sealed) {
        (Some(f), Some((key, _))) if f.id != key.id() => Err(CareError::Backup {
            path: data.join(crate::vault::FILE),
            why: format!(
                "belongs to vault {}, and the backup to vault {}: restore it into a data \
                 folder of its own (--data-dir); nothing was written",
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
    let seal_with = folder_key(data, &sealed)?;
    let staging = Staging::new(data, sealed.is_none())
        .map_err(|e| bad(file, format!("cannot be unpacked: {e}")))?;
    let (mut files, manifest) =
        unpack(tar, &staging).map_err(|why| bad(file, crate::hint::chain(&why)))?;
    check(&mut files, &manifest).map_err(|why| bad(file, crate::hint::chain(&why)))?;
    // Every file checked out: from here on, the data folder is written.
    crate::files::ready_for_records(data).map_err(|e| bad(file, crate::hint::chain(&e)))?;
    let mut done = Restored::default();
    if let Some((_, vault_file)) = &sealed
        && !crate::vault::is_on(data)
    {
        put(&crate::vault::file(data), vault_file, 0)?;
        done.vault = true;
    }
    for f in &files {
        restore_one(data, f, seal_with.as_ref(), &mut done)?;
    }
    // The renames are on disk.
    let _ = std::fs::File::open(data.join("sessions")).and_then(|d| d.sync_all());
    Ok(done)
}

impl Restored {
    /// Counts what happens to record `id`; whether it is to be written.
    fn count(&mut self, how: Step, id: String) -> bool {
        match how {
            Step::Add => self.added.push(id),
            Step::Update => self.updated.push(id),
            Step::Same => self.already += 1,
            Step::Newer => self.newer.push(id),
            Step::Differ => self.differ.push(id),
        }
        matches!(how, Step::Add | Step::Update)
    }
}

/// Puts one file of the backup back, as [`restore`] says.
fn restore_one(
    data: &Path,
    f: &Unpacked,
    seal_with: Option<&DataKey>,
    done: &mut Restored,
) -> Result<(), CareError> {
    let path: PathBuf = data.join(&f.path);
    let read = |p: &Path| {
        crate::files::read_private(p, MAX_FILE).map_err(|e| CareError::File {
            what: "read",
            path: p.to_owned(),
            source: io::Error::other(e),
        })
    };
    if !f.path.ends_with(".jsonl") {
        // The vault file is put first; the preferences and the index only
        // where there are none, and never in the clear into a vault.
        let absent = std::fs::symlink_metadata(&path).is_err();
        if absent && seal_with.is_none() && f.path != crate::vault::FILE {
            put(&path, &read(&f.staged)?, f.mtime)?;
        }
        return Ok(());
    }
    let id = crate::session::journal::session_id(&path);
    let sealed = match seal_with {
        Some(key) => {
            Some(
                seal_record(&read(&f.staged)?, key).map_err(|source| CareError::File {
                    what: "seal",
                    path: path.clone(),
                    source,
                })?,
            )
        }
        None => None,
    };
    let absent = std::fs::symlink_metadata(&path).is_err();
    let how = match (&sealed, absent) {
        (_, true) => Step::Add,
        (Some(bytes), false) => step(bytes, &path),
        (None, false) => step(&read(&f.staged)?, &path),
    };
    if !done.count(how, id) {
        return Ok(());
    }
    match &sealed {
        Some(bytes) => put(&path, bytes, f.mtime),
        None => place(&f.staged, &path, f.mtime),
    }
}
