//! Taking over the terminal and always giving it back.
//!
//! [`Screen::enter`] switches to raw mode and the alternate screen, sends
//! everything written to standard error (ALSA and other libraries write to
//! file descriptor 2 directly; see [`crate::platform::stderr`]) to a log
//! file so nothing foreign lands on the dashboard, and
//! installs a panic hook that puts both back before the panic message is
//! printed. Dropping the `Screen` restores them on every other exit path.

use std::fs::OpenOptions;
use std::io::{self, IsTerminal};
use std::path::Path;
use std::sync::Mutex;

use ratatui::DefaultTerminal;

/// The original standard error while it points at the log file.
static SAVED_STDERR: Mutex<Option<crate::platform::stderr::Saved>> = Mutex::new(None);

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
        // A session reads keys from a terminal and draws on one; from a
        // file or a pipe it could only spin or hang.
        if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
            return Err(io::Error::other(
                "its input or output is a file or a pipe, not a terminal; run stillpoint in \
                 a terminal window (history, show and export read records without one)",
            ));
        }
        let terminal = ratatui::try_init()?;
        // A paste arrives as one event, not thousands of key presses.
        let _ = ratatui::crossterm::execute!(
            io::stdout(),
            ratatui::crossterm::event::EnableBracketedPaste
        );
        let restore_terminal = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            pop_key_reports();
            let _ = ratatui::crossterm::execute!(
                io::stdout(),
                ratatui::crossterm::event::DisableBracketedPaste
            );
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

    /// Asks the terminal to report media keys (the kitty keyboard protocol),
    /// when a media key is bound; terminals that cannot are left as they are.
    pub fn report_media_keys(&mut self) {
        use ratatui::crossterm::event::{
            KeyboardEnhancementFlags as F, PushKeyboardEnhancementFlags,
        };
        use ratatui::crossterm::terminal::supports_keyboard_enhancement;
        if supports_keyboard_enhancement().unwrap_or(false) {
            let flags = F::DISAMBIGUATE_ESCAPE_CODES | F::REPORT_ALL_KEYS_AS_ESCAPE_CODES;
            if ratatui::crossterm::execute!(io::stdout(), PushKeyboardEnhancementFlags(flags))
                .is_ok()
            {
                ENHANCED.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}

/// Whether the terminal was asked for enhanced key reports (and must be
/// told to stop on the way out).
static ENHANCED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Undoes [`Screen::report_media_keys`].
fn pop_key_reports() {
    if ENHANCED.swap(false, std::sync::atomic::Ordering::Relaxed) {
        let _ = ratatui::crossterm::execute!(
            io::stdout(),
            ratatui::crossterm::event::PopKeyboardEnhancementFlags
        );
    }
}

/// Gives the terminal back as it was, stops the process (as Ctrl-Z does in
/// a shell), and takes the terminal over again once it is continued (`fg`).
/// The caller redraws everything afterwards. Standard error stays where it
/// was sent: nothing prints on it meanwhile.
pub fn suspend_until_continued() -> io::Result<()> {
    use ratatui::crossterm::{cursor, event, execute, terminal};
    let enhanced = ENHANCED.load(std::sync::atomic::Ordering::Relaxed);
    pop_key_reports();
    execute!(
        io::stdout(),
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    )?;
    terminal::disable_raw_mode()?;
    crate::platform::signals::stop_until_continued();
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        terminal::EnterAlternateScreen,
        event::EnableBracketedPaste,
        cursor::Hide
    )?;
    if enhanced {
        use ratatui::crossterm::event::{
            KeyboardEnhancementFlags as F, PushKeyboardEnhancementFlags,
        };
        let flags = F::DISAMBIGUATE_ESCAPE_CODES | F::REPORT_ALL_KEYS_AS_ESCAPE_CODES;
        if execute!(io::stdout(), PushKeyboardEnhancementFlags(flags)).is_ok() {
            ENHANCED.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    Ok(())
}

impl Drop for Screen {
    fn drop(&mut self) {
        pop_key_reports();
        let _ = ratatui::crossterm::execute!(
            io::stdout(),
            ratatui::crossterm::event::DisableBracketedPaste
        );
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

/// The size past which the stderr log is set aside (as `….old`, replacing
/// the one before) rather than appended to, so it never grows without bound.
const STDERR_LOG_LIMIT: u64 = 1 << 20;

/// Renames `path` to `path.old` if it is larger than `limit` bytes.
fn set_aside_if_over(path: &Path, limit: u64) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > limit) {
        let mut old = path.as_os_str().to_owned();
        old.push(".old");
        let _ = std::fs::rename(path, old);
    }
}

fn redirect_stderr(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir)?;
    }
    set_aside_if_over(path, STDERR_LOG_LIMIT);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    crate::platform::files::private_file(&mut options);
    let log = options.open(path)?;
    let saved = crate::platform::stderr::redirect(log)?;
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
    if let Some(saved) = saved {
        crate::platform::stderr::restore(saved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_stderr_log_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stderr.log");
        std::fs::write(&log, vec![b'x'; 100]).unwrap();
        set_aside_if_over(&log, 100);
        assert!(log.exists(), "at the limit it stays");
        std::fs::write(&log, vec![b'x'; 101]).unwrap();
        set_aside_if_over(&log, 100);
        assert!(!log.exists());
        assert_eq!(
            std::fs::read(dir.path().join("stderr.log.old"))
                .unwrap()
                .len(),
            101
        );
    }
}
