//! Taking over the terminal and always giving it back.
//!
//! [`Screen::enter`] switches to raw mode and the alternate screen, sends
//! everything written to file descriptor 2 (ALSA and other libraries write
//! there directly) to a log file so nothing foreign lands on the dashboard, and
//! installs a panic hook that puts both back before the panic message is
//! printed. Dropping the `Screen` restores them on every other exit path.

use std::fs::OpenOptions;
use std::io::{self, IsTerminal};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::sync::Mutex;

use ratatui::DefaultTerminal;

/// The original standard error while it points at the log file.
static SAVED_STDERR: Mutex<Option<OwnedFd>> = Mutex::new(None);

/// The terminal, taken over for the dashboard.
///
/// Fields drop in order: the terminal first (its own drop may complain on
/// standard error when the terminal has gone away), then the guard that
/// points standard error back at the terminal.
pub struct Screen {
    /// The ratatui terminal to draw on.
    pub terminal: DefaultTerminal,
    _stderr: StderrGuard,
}

/// Restores standard error when dropped.
struct StderrGuard;

impl Drop for StderrGuard {
    fn drop(&mut self) {
        restore_stderr();
    }
}

impl Screen {
    /// Takes over the terminal. `stderr_log` receives whatever is written to
    /// standard error meanwhile (`None` leaves standard error alone).
    pub fn enter(stderr_log: Option<&Path>) -> io::Result<Screen> {
        if !io::stdout().is_terminal() {
            return Err(io::Error::other(
                "standard output is not a terminal; run stillpoint in a terminal window",
            ));
        }
        let terminal = ratatui::try_init()?;
        let restore_terminal = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_stderr();
            // ratatui's hook leaves raw mode and the alternate screen, then prints.
            restore_terminal(info);
        }));
        if let Some(path) = stderr_log {
            // Failing to redirect is not worth refusing a session over.
            let _ = redirect_stderr(path);
        }
        Ok(Screen {
            terminal,
            _stderr: StderrGuard,
        })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        // Errors here mean the terminal is gone; there is nothing to restore.
        let _ = ratatui::try_restore();
    }
}

/// Sends standard error to `path` until the guard is dropped, for commands
/// that touch the sound system outside the dashboard (ALSA prints there).
pub fn quiet_stderr(path: &Path) -> Option<impl Drop> {
    redirect_stderr(path).ok().map(|()| StderrGuard)
}

fn redirect_stderr(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::paths::create_private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let log = options.open(path)?;
    let saved = rustix::io::dup(io::stderr().as_fd())?;
    rustix::stdio::dup2_stderr(&log)?;
    if let Ok(mut slot) = SAVED_STDERR.lock() {
        *slot = Some(saved);
    }
    Ok(())
}

/// Points standard error back at the terminal, if it was redirected.
fn restore_stderr() {
    let saved = match SAVED_STDERR.lock() {
        Ok(mut slot) => slot.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    };
    if let Some(fd) = saved {
        let _ = rustix::stdio::dup2_stderr(&fd);
    }
}
