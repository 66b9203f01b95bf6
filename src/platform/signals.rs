//! Requests to end a session from outside the app, turned into two flags
//! (`stop`, `cont`) that the loop reads and a [`SignalWake`] that cuts its
//! wait short. The shell ends a session on `stop` by journaling it as
//! interrupted, so it can be taken up again.
//!
//! - Unix: SIGTERM, SIGHUP and SIGINT set `stop`; SIGCONT sets `cont` (the
//!   screen is repainted after a stop); those and SIGWINCH also write to a
//!   socket pair the wait polls (signal-hook registers the handlers).
//! - Windows: a console control handler. Ctrl-C and Ctrl-Break set `stop`
//!   (in raw mode the console delivers Ctrl-C as a key instead, as a Unix
//!   terminal does). Closing the console window, logging off and shutting
//!   down set `stop` too, and then the handler waits: Windows ends the
//!   process as soon as the handler returns (or after about five seconds),
//!   so it holds on while the loop, which looks at `stop` at least twice a
//!   second, journals `interrupted` and the process exits by itself.
//!   Windows does not send log-off and shutdown events to console programs
//!   that load `user32.dll`; the close event always comes. The `ctrlc`
//!   crate was not used because its handler returns at once, which on a
//!   close event ends the process before anything is journaled.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub use imp::SignalWake;

/// Installs the handlers, which set `stop` on a request to end and `cont`
/// when the process is continued after a stop (Unix only). Returns what
/// wakes the terminal wait, or `None` if that could not be set up (the
/// flags still work). A failure leaves the system's default behaviour.
pub fn install(stop: &Arc<AtomicBool>, cont: &Arc<AtomicBool>) -> Option<SignalWake> {
    imp::install(stop, cont)
}

#[cfg(unix)]
mod imp {
    use std::io::{self, Read};
    use std::os::fd::{AsFd, BorrowedFd};
    use std::os::unix::net::UnixStream;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    /// The read end of the socket pair the signal handlers write to.
    #[derive(Debug)]
    pub struct SignalWake(UnixStream);

    impl SignalWake {
        /// Another handle on the same socket, for a second reader.
        pub fn try_clone(&self) -> io::Result<SignalWake> {
            self.0.try_clone().map(SignalWake)
        }

        /// Empties the socket after the wait saw it readable.
        pub fn drain(&mut self) {
            let mut buf = [0u8; 64];
            let _ = self.0.read(&mut buf);
        }
    }

    impl AsFd for SignalWake {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.0.as_fd()
        }
    }

    pub fn install(stop: &Arc<AtomicBool>, cont: &Arc<AtomicBool>) -> Option<SignalWake> {
        use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGWINCH};
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            let _ = signal_hook::flag::register(sig, Arc::clone(stop));
        }
        let _ = signal_hook::flag::register(SIGCONT, Arc::clone(cont));
        let (read, write) = UnixStream::pair().ok()?;
        let _ = read.set_nonblocking(true);
        for sig in [SIGTERM, SIGHUP, SIGINT, SIGCONT, SIGWINCH] {
            if let Ok(w) = write.try_clone() {
                let _ = signal_hook::low_level::pipe::register(sig, w);
            }
        }
        Some(SignalWake(read))
    }
}

#[cfg(windows)]
mod imp {
    use std::io;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, OnceLock};
    use std::time::Duration;

    use windows_sys::Win32::System::Console::{
        CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
        SetConsoleCtrlHandler,
    };
    use windows_sys::core::BOOL;

    /// The flag the handler sets; a process has one console, so one flag.
    static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    /// Set with `STOP`, cleared by the wait that notices it.
    static WOKEN: AtomicBool = AtomicBool::new(false);

    /// How long the handler holds the process open after a close, log-off
    /// or shutdown event; Windows itself cuts it off after about 5 s.
    const GRACE: Duration = Duration::from_secs(10);

    /// Tells the terminal wait that a control event arrived.
    #[derive(Debug)]
    pub struct SignalWake(());

    impl SignalWake {
        /// Another handle on the same wake-up.
        pub fn try_clone(&self) -> io::Result<SignalWake> {
            Ok(SignalWake(()))
        }

        /// True once after each control event.
        pub fn take(&self) -> bool {
            WOKEN.swap(false, Ordering::AcqRel)
        }
    }

    unsafe extern "system" fn on_control_event(kind: u32) -> BOOL {
        let request_stop = || {
            if let Some(stop) = STOP.get() {
                stop.store(true, Ordering::Release);
            }
            WOKEN.store(true, Ordering::Release);
        };
        match kind {
            CTRL_C_EVENT | CTRL_BREAK_EVENT => {
                request_stop();
                1
            }
            CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
                request_stop();
                // The process exits on its own once the session is
                // journaled, which ends this thread mid-sleep.
                std::thread::sleep(GRACE);
                1
            }
            _ => 0,
        }
    }

    pub fn install(stop: &Arc<AtomicBool>, _cont: &Arc<AtomicBool>) -> Option<SignalWake> {
        if STOP.set(Arc::clone(stop)).is_err() {
            // Installed before: the handler already points at a flag.
            return Some(SignalWake(()));
        }
        // SAFETY: the handler is a plain function that only touches
        // statics and never unwinds.
        let ok = unsafe { SetConsoleCtrlHandler(Some(on_control_event), 1) };
        (ok != 0).then_some(SignalWake(()))
    }
}
