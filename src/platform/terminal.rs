//! Waiting for the terminal: until input is waiting, a signal arrives, the
//! terminal goes away, or the time is up. crossterm parses the input
//! afterwards either way.
//!
//! - Unix: `poll(2)` on standard input and the signal socket together.
//!   crossterm's own reader loops forever when the terminal hangs up (a
//!   read that fails with EIO is retried at once), which is how other
//!   terminal timers end up spinning at 100 % of a core after their window
//!   closes; `POLLHUP` on standard input is checked first instead.
//! - Windows: crossterm's own reader (it waits on the console input
//!   handle), in slices of at most half a second so that a console control
//!   event, which cannot wake that wait, is noticed within the slice. A
//!   console that can no longer be read has gone away; closing its window
//!   also arrives as a control event (see [`super::signals`]).

use std::io;
use std::time::Duration;

use super::signals::SignalWake;

/// What ended a wait; more than one can be true.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ready {
    /// Input is waiting for crossterm to read.
    pub input: bool,
    /// A signal (or console control event) arrived.
    pub signal: bool,
    /// The terminal has gone away; nothing else is reported with it.
    pub gone: bool,
}

/// Waits on the terminal and the signal wake-up.
#[derive(Debug)]
pub struct Waiter {
    wake: Option<SignalWake>,
}

impl Waiter {
    /// A waiter woken by `wake` as well as by the terminal.
    pub fn new(wake: Option<&SignalWake>) -> Waiter {
        Waiter {
            wake: wake.and_then(|w| w.try_clone().ok()),
        }
    }

    /// Waits up to `timeout`; all fields false means the time ran out.
    pub fn wait(&mut self, timeout: Duration) -> io::Result<Ready> {
        imp::wait(self.wake.as_mut(), timeout)
    }
}

#[cfg(unix)]
mod imp {
    use super::{Ready, SignalWake};
    use std::io;
    use std::time::Duration;

    pub fn wait(mut wake: Option<&mut SignalWake>, timeout: Duration) -> io::Result<Ready> {
        use rustix::event::{PollFd, PollFlags, poll};
        let stdin = io::stdin();
        let hang_up = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
        let (input, signal) = {
            let mut fds = vec![PollFd::new(&stdin, PollFlags::IN)];
            if let Some(w) = &wake {
                fds.push(PollFd::new(*w, PollFlags::IN));
            }
            let wait =
                rustix::time::Timespec::try_from(timeout).unwrap_or(rustix::time::Timespec {
                    tv_sec: 1,
                    tv_nsec: 0,
                });
            match poll(&mut fds, Some(&wait)) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => {
                    return Ok(Ready {
                        signal: true,
                        ..Ready::default()
                    });
                }
                Err(e) => return Err(e.into()),
            }
            if fds[0].revents().intersects(hang_up) {
                return Ok(Ready {
                    gone: true,
                    ..Ready::default()
                });
            }
            (
                fds[0].revents().contains(PollFlags::IN),
                fds.get(1)
                    .is_some_and(|f| f.revents().contains(PollFlags::IN)),
            )
        };
        if signal && let Some(w) = &mut wake {
            w.drain();
        }
        Ok(Ready {
            input,
            signal,
            gone: false,
        })
    }
}

#[cfg(windows)]
mod imp {
    use super::{Ready, SignalWake};
    use std::io;
    use std::time::Duration;

    use ratatui::crossterm::event;

    /// The longest a control event can go unnoticed.
    const SLICE: Duration = Duration::from_millis(500);

    pub fn wait(wake: Option<&mut SignalWake>, timeout: Duration) -> io::Result<Ready> {
        let signalled = || wake.as_ref().is_some_and(|w| w.take());
        let mut left = timeout;
        loop {
            if signalled() {
                return Ok(Ready {
                    signal: true,
                    ..Ready::default()
                });
            }
            let slice = left.min(SLICE);
            match event::poll(slice) {
                Ok(true) => {
                    return Ok(Ready {
                        input: true,
                        signal: signalled(),
                        gone: false,
                    });
                }
                Ok(false) => {}
                Err(_) => {
                    return Ok(Ready {
                        gone: true,
                        ..Ready::default()
                    });
                }
            }
            // crossterm's poll returns false only when the slice ran out.
            left = left.saturating_sub(slice);
            if left.is_zero() {
                return Ok(Ready::default());
            }
        }
    }
}
