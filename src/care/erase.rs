//! Erasing files for good, as far as the file system allows: each is
//! overwritten with zeros and synced before it is removed, and its folder
//! synced after. A file replaced by a new version (the index without a
//! client's lines, a record sealed by `vault init`) has its old blocks
//! overwritten the same way through a handle kept open across the rename.
//!
//! What this cannot reach is said plainly in every receipt: on a
//! copy-on-write or log-structured file system (btrfs, ZFS, F2FS…) the
//! zeros go to new blocks and the old ones stay until reused; an SSD remaps
//! blocks behind the file system's back; and backups and exports made
//! before are copies this program does not know of.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Overwrites the whole of `file` (`len` bytes) with zeros and syncs it.
fn zero(file: &mut File, len: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let block = [0u8; 64 * 1024];
    file.seek(SeekFrom::Start(0))?;
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

/// Syncs `dir`, so a removal or a rename in it is on disk (Unix; elsewhere
/// the file system does not let a folder be synced).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Overwrites the file at `path` with zeros, syncs it, removes it and syncs
/// its folder. Only a plain file is touched, never through a link; a file
/// already gone is no error.
pub fn erase_file(path: &Path) -> io::Result<()> {
    let mut file = match crate::files::open_private_rw(path) {
        Ok(f) => f,
        Err(crate::files::ReadError::NotFound) => return Ok(()),
        Err(e) => return Err(io::Error::other(e)),
    };
    let len = file.metadata()?.len();
    zero(&mut file, len)?;
    drop(file);
    std::fs::remove_file(path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Replaces the file at `path` with `bytes` (a new private file renamed
/// over it), then overwrites the old file's blocks with zeros through a
/// handle opened before the rename. If the program stops in between, the
/// new file is in place and only the overwrite is missed: nothing is lost.
pub fn replace_erasing_old(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let old = crate::files::open_private_rw(path).ok();
    match crate::files::replace_private(path, bytes) {
        Ok(()) => {}
        // A system that will not rename over an open file (older Windows):
        // replaced without the overwrite, rather than not at all.
        Err(_) if old.is_some() => {
            drop(old);
            crate::files::replace_private(path, bytes)?;
            return sync_dir(path.parent().unwrap_or(Path::new(".")));
        }
        Err(e) => return Err(e),
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")))?;
    if let Some(mut old) = old {
        let len = old.metadata()?.len();
        zero(&mut old, len)?;
    }
    Ok(())
}

/// What this file system does to an overwrite, when it keeps the old blocks
/// (Linux: copy-on-write and log-structured file systems).
pub fn overwrite_caveat(dir: &Path) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        let fs = rustix::fs::statfs(dir).ok()?;
        // The magic numbers of statfs(2).
        #[allow(clippy::unreadable_literal)]
        let name = match fs.f_type as u64 {
            0x9123683E => "btrfs",
            0x2FC12FC1 => "ZFS",
            0xF2F52010 => "F2FS",
            0xCA451A4E => "bcachefs",
            0x3434 => "NILFS",
            _ => return None,
        };
        Some(name)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_erased_file_is_gone_and_a_replaced_one_holds_the_new_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, "Client-7Q pain 6").unwrap();
        erase_file(&path).unwrap();
        assert!(!path.exists());
        erase_file(&path).unwrap();
        let index = dir.path().join(".index");
        std::fs::write(&index, "Client-7Q\nother\n").unwrap();
        replace_erasing_old(&index, b"other\n").unwrap();
        assert_eq!(std::fs::read(&index).unwrap(), b"other\n");
        // Nothing else was left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(erase_file(&link).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }
}
