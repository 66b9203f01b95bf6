//! Standard error pointed at a log file and back, so that what sound
//! libraries print cannot land on the dashboard.
//!
//! - Unix: file descriptor 2 itself is replaced (`dup2`), because ALSA and
//!   other C libraries write to it directly.
//! - Windows: the process's standard error handle is replaced
//!   (`SetStdHandle`). Rust's `eprintln!` and rodio's default error
//!   callbacks look the handle up on every write, so they follow it;
//!   WASAPI itself prints nothing.

use std::fs::File;
use std::io;

/// The original standard error, kept while it points at a log.
#[derive(Debug)]
pub struct Saved(imp::Saved);

/// Points standard error at `log` until [`restore`] is called.
pub fn redirect(log: File) -> io::Result<Saved> {
    imp::redirect(log).map(Saved)
}

/// Points standard error back where it was.
pub fn restore(saved: Saved) {
    imp::restore(saved.0);
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, OwnedFd};

    #[derive(Debug)]
    pub struct Saved(OwnedFd);

    pub fn redirect(log: File) -> io::Result<Saved> {
        let saved = rustix::io::dup(io::stderr().as_fd())?;
        rustix::stdio::dup2_stderr(&log)?;
        Ok(Saved(saved))
    }

    pub fn restore(saved: Saved) {
        let _ = rustix::stdio::dup2_stderr(&saved.0);
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::windows::io::AsRawHandle;

    use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE, SetStdHandle};

    /// The original handle, as an address: it belongs to the process and is
    /// never closed here. The log stays open while standard error is it.
    #[derive(Debug)]
    pub struct Saved {
        original: usize,
        _log: File,
    }

    pub fn redirect(log: File) -> io::Result<Saved> {
        // SAFETY: reading the process's standard handles has no preconditions.
        let original = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
        // SAFETY: the log's handle stays valid while `Saved` holds the file.
        if unsafe { SetStdHandle(STD_ERROR_HANDLE, log.as_raw_handle()) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Saved {
            original: original as usize,
            _log: log,
        })
    }

    pub fn restore(saved: Saved) {
        // SAFETY: the handle is the one the process started with.
        unsafe { SetStdHandle(STD_ERROR_HANDLE, saved.original as _) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn what_is_written_to_stderr_meanwhile_lands_in_the_log() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("stderr.log");
        let log = File::create(&path).expect("create");
        let saved = redirect(log).expect("redirect");
        // Not eprintln!: the test harness captures that before it reaches
        // the process's standard error.
        let _ = writeln!(io::stderr(), "a sound library complains");
        restore(saved);
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "a sound library complains\n");
    }
}
