//! Where the loop's wake-ups come from: key presses, resizes, signals and a
//! terminal that has gone away, behind the [`Events`] trait so whole-app
//! tests can script them; and the [`Signals`] that end a session cleanly.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::platform::signals::SignalWake;
use crate::platform::terminal::Waiter;

/// Why the loop woke up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste: one event, whatever its length).
    Paste(String),
    /// The user asked to suspend (Ctrl-Z, or SIGTSTP from outside).
    Suspend,
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
/// It waits on the terminal and the signal wake-up itself
/// ([`crate::platform::terminal`], which also notices a terminal that has
/// hung up), and asks crossterm to parse input only when some is waiting.
#[derive(Debug)]
pub struct TerminalEvents {
    waiter: Waiter,
    pending: VecDeque<Wake>,
}

impl TerminalEvents {
    /// Reads the terminal; `signals` wakes the wait when a signal arrives.
    pub fn new(signals: &Signals) -> TerminalEvents {
        TerminalEvents {
            waiter: Waiter::new(signals.wake.as_ref()),
            pending: VecDeque::new(),
        }
    }

    fn drain_crossterm(&mut self) -> io::Result<()> {
        while event::poll(Duration::ZERO)? {
            match event::read()? {
                Event::Key(key) if key.kind == KeyEventKind::Press => {
                    // Raw mode turns the terminal's Ctrl-Z into a key; it
                    // still means "suspend".
                    let ctrl_z = key.code == KeyCode::Char('z')
                        && key.modifiers.contains(KeyModifiers::CONTROL);
                    self.pending.push_back(if ctrl_z {
                        Wake::Suspend
                    } else {
                        Wake::Key(key)
                    });
                }
                Event::Paste(text) => self.pending.push_back(Wake::Paste(text)),
                Event::Resize(..) => self.pending.push_back(Wake::Resize),
                _ => {}
            }
        }
        Ok(())
    }
}

impl Events for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Wake> {
        if let Some(wake) = self.pending.pop_front() {
            return Ok(wake);
        }
        let ready = self.waiter.wait(timeout)?;
        if ready.gone {
            return Ok(Wake::Gone);
        }
        if ready.signal {
            self.pending.push_back(Wake::Signal);
        }
        if ready.input {
            self.drain_crossterm()?;
        }
        Ok(self.pending.pop_front().unwrap_or(Wake::Timeout))
    }
}

/// Flags set from signal handlers (console control handlers on Windows),
/// and a wake-up that cuts the loop's wait short at once
/// ([`crate::platform::signals`]).
#[derive(Debug, Default)]
pub struct Signals {
    /// A request to end (SIGTERM, SIGHUP, SIGINT; on Windows Ctrl-C, and the
    /// console closing, logging off or shutting down).
    pub stop: Arc<AtomicBool>,
    /// Which signal asked to end, for the exit status (128 + it).
    pub which: Arc<AtomicUsize>,
    /// The process was continued after a stop: repaint everything.
    pub cont: Arc<AtomicBool>,
    /// A request to suspend from outside (SIGTSTP).
    pub suspend: Arc<AtomicBool>,
    wake: Option<SignalWake>,
}

impl Signals {
    /// Registers the handlers; a failure leaves the default behaviour.
    pub fn install() -> Signals {
        let flags = crate::platform::signals::Flags::default();
        let wake = crate::platform::signals::install(&flags);
        Signals {
            stop: flags.stop,
            which: flags.which,
            cont: flags.cont,
            suspend: flags.suspend,
            wake,
        }
    }

    /// The exit status for the signal that asked to end: 128 + its number
    /// (130 for Ctrl-C, 143 for SIGTERM, 129 for a hang-up).
    pub fn exit_status(&self) -> u8 {
        let which = self.which.load(std::sync::atomic::Ordering::Acquire);
        u8::try_from(128 + which.clamp(1, 127)).unwrap_or(130)
    }
}
