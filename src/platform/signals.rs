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
use std::sync::atomic::{AtomicBool, AtomicUsize};

pub use imp::SignalWake;

/// What the handlers set.
#[derive(Debug, Default, Clone)]
pub struct Flags {
    /// A request to end.
    pub stop: Arc<AtomicBool>,
    /// Which signal asked to end (its number; on Windows 2 for Ctrl-C and 1
    /// for the console closing), for the exit status 128 + it.
    pub which: Arc<AtomicUsize>,
    /// The process was continued after a stop (Unix).
    pub cont: Arc<AtomicBool>,
    /// A request to suspend (SIGTSTP from outside, Unix): the loop gives the
    /// terminal back first, then stops.
    pub suspend: Arc<AtomicBool>,
}

/// Installs the handlers, which set the [`Flags`]. Returns what wakes the
/// terminal wait, or `None` if that could not be set up (the flags still
/// work). A failure leaves the system's default behaviour.
pub fn install(flags: &Flags) -> Option<SignalWake> {
    imp::install(flags)
}

/// For commands that only print: a reader that stops reading (`stillpoint
/// history | head`) ends the program quietly, as it ends `cat` or `grep`,
/// rather than with an error or a panic. On Unix SIGPIPE gets its default
/// action back (Rust ignores it); Windows has no SIGPIPE, and a panic from
/// printing to a closed pipe is made quiet instead.
pub fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default, before any
    // thread is started; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.to_string();
        if message.contains("failed printing to stdout") || message.contains("Broken pipe") {
            std::process::exit(0);
        }
        previous(info);
    }));
}

/// Keeps the session's signals (a resize, a request to end…) away from the
/// calling thread and every thread it starts, so that they all go to the
/// main thread. A thread started by a library that waits in `epoll_wait`
/// and takes `EINTR` for a fatal error (the PulseAudio reactor does) then
/// never sees one. Faults (SIGSEGV and the like) are left alone. Nothing to
/// do on Windows.
pub fn keep_from_this_thread() {
    #[cfg(unix)]
    // SAFETY: sigset_t is plain data that sigemptyset/sigfillset initialise
    // before use; pthread_sigmask only changes this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for fault in [
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGFPE,
            libc::SIGILL,
            libc::SIGTRAP,
            libc::SIGABRT,
        ] {
            libc::sigdelset(&mut set, fault);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Stops the process as a terminal's Ctrl-Z would (SIGTSTP with its
/// default action), returning once it is continued. The caller gives the
/// terminal back first. Windows has no job control: it returns at once.
pub fn stop_until_continued() {
    imp::stop_until_continued();
}

#[cfg(unix)]
mod imp {
    use std::io::{self, Read};
    use std::os::fd::{AsFd, BorrowedFd};
    use std::os::unix::net::UnixStream;
    use std::sync::Arc;

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

    pub fn install(flags: &super::Flags) -> Option<SignalWake> {
        use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP, SIGWINCH};
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            let _ = signal_hook::flag::register(sig, Arc::clone(&flags.stop));
            let _ = signal_hook::flag::register_usize(sig, Arc::clone(&flags.which), sig as usize);
        }
        let _ = signal_hook::flag::register(SIGCONT, Arc::clone(&flags.cont));
        // Caught, so the terminal can be given back before the stop.
        let _ = signal_hook::flag::register(SIGTSTP, Arc::clone(&flags.suspend));
        let (read, write) = UnixStream::pair().ok()?;
        let _ = read.set_nonblocking(true);
        for sig in [SIGTERM, SIGHUP, SIGINT, SIGCONT, SIGWINCH, SIGTSTP] {
            if let Ok(w) = write.try_clone() {
                let _ = signal_hook::low_level::pipe::register(sig, w);
            }
        }
        Some(SignalWake(read))
    }

    pub fn stop_until_continued() {
        // Raised with its default action (stop), whatever handler is set;
        // the call returns when the process is continued.
        let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP);
    }
}

#[cfg(windows)]
mod imp {
    use std::io;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, OnceLock};
    use std::time::Duration;

    use windows_sys::Win32::System::Console::{
        CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
        SetConsoleCtrlHandler,
    };
    use windows_sys::core::BOOL;

    /// The flags the handler sets; a process has one console, so one set.
    static STOP: OnceLock<(Arc<AtomicBool>, Arc<AtomicUsize>)> = OnceLock::new();
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
        // The exit status follows Unix: 130 for Ctrl-C, 129 for a console
        // that went away.
        let request_stop = |which: usize| {
            if let Some((stop, by)) = STOP.get() {
                by.store(which, Ordering::Release);
                stop.store(true, Ordering::Release);
            }
            WOKEN.store(true, Ordering::Release);
        };
        match kind {
            CTRL_C_EVENT | CTRL_BREAK_EVENT => {
                request_stop(2);
                1
            }
            CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
                request_stop(1);
                // The process exits on its own once the session is
                // journaled, which ends this thread mid-sleep.
                std::thread::sleep(GRACE);
                1
            }
            _ => 0,
        }
    }

    pub fn stop_until_continued() {}

    pub fn install(flags: &super::Flags) -> Option<SignalWake> {
        if STOP
            .set((Arc::clone(&flags.stop), Arc::clone(&flags.which)))
            .is_err()
        {
            // Installed before: the handler already points at a flag.
            return Some(SignalWake(()));
        }
        // SAFETY: the handler is a plain function that only touches
        // statics and never unwinds.
        let ok = unsafe { SetConsoleCtrlHandler(Some(on_control_event), 1) };
        (ok != 0).then_some(SignalWake(()))
    }
}
