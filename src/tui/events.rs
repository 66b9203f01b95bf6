//! Where the loop's wake-ups come from: key presses, resizes, signals and a
//! terminal that has gone away, behind the [`Events`] trait so whole-app
//! tests can script them; and the [`Signals`] that end a session cleanly.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind};

/// Why the loop woke up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// A key was pressed.
    Key(KeyEvent),
    /// The window changed size.
    Resize,
    /// A signal arrived (see [`Signals`]).
    Signal,
    /// Nothing happened within the timeout.
    Timeout,
    /// The terminal has gone away (the window was closed, an SSH link dropped).
    Gone,
}

/// Where terminal events come from.
pub trait Events {
    /// Waits up to `timeout` for something to happen.
    fn next(&mut self, timeout: Duration) -> io::Result<Wake>;
}

/// The real terminal.
///
/// It waits with `poll(2)` on the terminal and on a signal pipe itself, and
/// asks crossterm to parse input only when bytes are waiting. crossterm's own
/// reader loops forever when the terminal hangs up (a read that fails with EIO
/// is retried at once), which is how other terminal timers end up spinning at
/// 100 % of a core after their window closes; checking for `POLLHUP` first
/// avoids that.
#[derive(Debug)]
pub struct TerminalEvents {
    signal_pipe: Option<UnixStream>,
    pending: VecDeque<Wake>,
}

impl TerminalEvents {
    /// Reads the terminal; `signals` wakes the wait when a signal arrives.
    pub fn new(signals: &Signals) -> TerminalEvents {
        TerminalEvents {
            signal_pipe: signals.pipe.as_ref().and_then(|p| p.try_clone().ok()),
            pending: VecDeque::new(),
        }
    }

    fn drain_crossterm(&mut self) -> io::Result<()> {
        while event::poll(Duration::ZERO)? {
            match event::read()? {
                Event::Key(key) if key.kind == KeyEventKind::Press => {
                    self.pending.push_back(Wake::Key(key));
                }
                Event::Resize(..) => self.pending.push_back(Wake::Resize),
                _ => {}
            }
        }
        Ok(())
    }
}

impl Events for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Wake> {
        use rustix::event::{PollFd, PollFlags, poll};
        if let Some(wake) = self.pending.pop_front() {
            return Ok(wake);
        }
        let stdin = io::stdin();
        let hang_up = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
        let (tty_ready, signalled) = {
            let mut fds = vec![PollFd::new(&stdin, PollFlags::IN)];
            if let Some(pipe) = &self.signal_pipe {
                fds.push(PollFd::new(pipe, PollFlags::IN));
            }
            let wait =
                rustix::time::Timespec::try_from(timeout).unwrap_or(rustix::time::Timespec {
                    tv_sec: 1,
                    tv_nsec: 0,
                });
            match poll(&mut fds, Some(&wait)) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => return Ok(Wake::Signal),
                Err(e) => return Err(e.into()),
            }
            if fds[0].revents().intersects(hang_up) {
                return Ok(Wake::Gone);
            }
            (
                fds[0].revents().contains(PollFlags::IN),
                fds.get(1)
                    .is_some_and(|f| f.revents().contains(PollFlags::IN)),
            )
        };
        if signalled && let Some(pipe) = &mut self.signal_pipe {
            let mut buf = [0u8; 64];
            let _ = pipe.read(&mut buf);
            self.pending.push_back(Wake::Signal);
        }
        if tty_ready {
            self.drain_crossterm()?;
        }
        Ok(self.pending.pop_front().unwrap_or(Wake::Timeout))
    }
}

/// Flags set from signal handlers, and a pipe that wakes the loop at once.
#[derive(Debug, Default)]
pub struct Signals {
    /// A request to end (SIGTERM, SIGHUP, SIGINT).
    pub stop: Arc<AtomicBool>,
    /// The process was continued after a stop: repaint everything.
    pub cont: Arc<AtomicBool>,
    pipe: Option<UnixStream>,
}

impl Signals {
    /// Registers the handlers; a failure leaves the default behaviour.
    pub fn install() -> Signals {
        use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGWINCH};
        let mut s = Signals::default();
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            let _ = signal_hook::flag::register(sig, Arc::clone(&s.stop));
        }
        let _ = signal_hook::flag::register(SIGCONT, Arc::clone(&s.cont));
        if let Ok((read, write)) = UnixStream::pair() {
            let _ = read.set_nonblocking(true);
            for sig in [SIGTERM, SIGHUP, SIGINT, SIGCONT, SIGWINCH] {
                if let Ok(w) = write.try_clone() {
                    let _ = signal_hook::low_level::pipe::register(sig, w);
                }
            }
            s.pipe = Some(read);
        }
        s
    }
}
