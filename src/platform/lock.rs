//! The lock that keeps two running copies of stillpoint from writing one
//! session record: taken exclusively, without waiting, by the copy that
//! writes; probed (shared, and let go at once) by a copy looking for records
//! to take up. The operating system lets go when the file is closed or the
//! process dies, so a crash never leaves a record locked.
//!
//! - Unix: `flock(2)` on the whole file (advisory: readers such as
//!   `history` are never blocked).
//! - Windows: `LockFileEx` on one byte far past the end of the file.
//!   Windows byte-range locks are mandatory, so a lock over the data (what
//!   `std::fs::File::try_lock` takes) would make `history` or `show` in a
//!   second window fail to read a running session. Locking past the end is
//!   allowed and blocks no read.

use std::fs::File;
use std::io;

/// What came of trying to take a lock without waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The lock is ours until the file is closed.
    Taken,
    /// Another open file (another running stillpoint) holds it.
    HeldElsewhere,
}

/// Takes the exclusive lock on `file` without waiting.
pub fn try_exclusive(file: &File) -> io::Result<Attempt> {
    imp::try_exclusive(file)
}

/// True while someone else holds the exclusive lock on `file`. Leaves no
/// lock behind.
pub fn held_elsewhere(file: &File) -> bool {
    imp::held_elsewhere(file)
}

#[cfg(unix)]
mod imp {
    use super::Attempt;
    use rustix::fs::{FlockOperation, flock};
    use std::fs::File;
    use std::io;

    pub fn try_exclusive(file: &File) -> io::Result<Attempt> {
        match flock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Attempt::Taken),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(Attempt::HeldElsewhere),
            Err(e) => Err(e.into()),
        }
    }

    pub fn held_elsewhere(file: &File) -> bool {
        // A shared lock is refused only while someone holds the exclusive
        // one; the caller drops the file (and with it this lock) at once.
        matches!(
            flock(file, FlockOperation::NonBlockingLockShared),
            Err(rustix::io::Errno::WOULDBLOCK)
        )
    }
}

#[cfg(windows)]
mod imp {
    use super::Attempt;
    use std::fs::File;
    use std::io;
    use std::os::windows::io::AsRawHandle;

    use windows_sys::Win32::Foundation::ERROR_LOCK_VIOLATION;
    use windows_sys::Win32::Storage::FileSystem::{
        LOCK_FILE_FLAGS, LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY, LockFileEx,
        UnlockFileEx,
    };
    use windows_sys::Win32::System::IO::OVERLAPPED;

    /// Where the lock byte sits: far past any session record (they are
    /// kilobytes), and below 2^63, which some file systems read as a signed
    /// offset.
    const LOCK_OFFSET: u64 = 1 << 62;

    fn at_lock_byte() -> OVERLAPPED {
        let mut at = OVERLAPPED::default();
        at.Anonymous.Anonymous.Offset = LOCK_OFFSET as u32;
        at.Anonymous.Anonymous.OffsetHigh = (LOCK_OFFSET >> 32) as u32;
        at
    }

    /// Locks the lock byte; `Ok(false)` when another handle holds it.
    fn lock(file: &File, flags: LOCK_FILE_FLAGS) -> io::Result<bool> {
        let mut at = at_lock_byte();
        // SAFETY: the handle is open for as long as `file` is borrowed, and
        // `at` outlives the call; std opens files for synchronous I/O, so
        // the call completes before it returns.
        let ok = unsafe {
            LockFileEx(
                file.as_raw_handle(),
                flags | LOCKFILE_FAIL_IMMEDIATELY,
                0,
                1,
                0,
                &mut at,
            )
        };
        if ok != 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(ERROR_LOCK_VIOLATION as i32) {
            Ok(false)
        } else {
            Err(e)
        }
    }

    pub fn try_exclusive(file: &File) -> io::Result<Attempt> {
        Ok(if lock(file, LOCKFILE_EXCLUSIVE_LOCK)? {
            Attempt::Taken
        } else {
            Attempt::HeldElsewhere
        })
    }

    pub fn held_elsewhere(file: &File) -> bool {
        match lock(file, 0) {
            Ok(true) => {
                // Windows may take a while to release a closed file's
                // locks, so the probe lets go of its own explicitly.
                let mut at = at_lock_byte();
                // SAFETY: as in `lock`; this handle holds the range.
                unsafe { UnlockFileEx(file.as_raw_handle(), 0, 1, 0, &mut at) };
                false
            }
            Ok(false) => true,
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_holder_wins_until_it_closes_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("record.jsonl");
        std::fs::write(&path, b"{}\n").expect("write");
        let open = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .expect("open")
        };
        let first = open();
        assert!(!held_elsewhere(&open()), "nobody holds it yet");
        assert_eq!(try_exclusive(&first).expect("lock"), Attempt::Taken);
        let second = open();
        assert_eq!(
            try_exclusive(&second).expect("lock"),
            Attempt::HeldElsewhere
        );
        assert!(held_elsewhere(&open()));
        // The lock blocks writers of the record, never its readers.
        assert_eq!(std::fs::read(&path).expect("read while locked"), b"{}\n");
        drop(first);
        assert!(!held_elsewhere(&open()));
        assert_eq!(try_exclusive(&second).expect("lock"), Attempt::Taken);
    }
}
