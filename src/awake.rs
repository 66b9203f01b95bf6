//! Keeping the laptop awake while a session runs: a suspended laptop rings
//! no bell, and a blanked screen hides the clock from a therapist whose
//! hands are on a client.
//!
//! [`hold`] asks the system to keep from idle sleep and from blanking the
//! screen, and returns an [`Awake`]: a guard that lets go when it is dropped,
//! and what was managed, in a few words for the status line. Each system has
//! its own [`Inhibitor`]:
//!
//! - Linux ([`linux`]): systemd-logind's `idle:sleep` lock on the system bus
//!   (sleep, and idle on KDE, sway and the console) and
//!   `org.freedesktop.ScreenSaver` on the session bus (screen blanking and
//!   idle suspend on GNOME, which ignores logind's idle locks).
//! - macOS: two power-management assertions, one against idle system sleep
//!   and one against display sleep.
//! - Windows: `SetThreadExecutionState`, on the thread that runs the session.
//!
//! The two halves, sleep and screen, fail on their own, and calmly: a
//! session never ends over either, and a system that does not answer is
//! given up on after two seconds a call. Nothing here starts a thread, a
//! timer or a process, so a hold costs no wake-ups. [`RecordingInhibitor`]
//! stands in for the system in tests.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(windows)]
mod windows;

/// How far one half of a hold got: the system kept from sleeping, or the
/// screen from blanking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Held until the guard is dropped.
    Held,
    /// Not held, with why in a few words ("no desktop session").
    NotHeld(&'static str),
}

/// What a hold managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing was asked for (`--allow-sleep`).
    Allowed,
    /// Both halves were asked for; how each went.
    Asked {
        /// The system kept from idle sleep.
        sleep: Part,
        /// The screen kept from blanking.
        screen: Part,
    },
}

impl Status {
    /// The status line's words: what is held, and why a half is not.
    pub fn words(self) -> String {
        match self {
            Status::Allowed => "sleep allowed (--allow-sleep)".to_owned(),
            Status::Asked {
                sleep: Part::Held,
                screen: Part::Held,
            } => "sleep and screen held awake".to_owned(),
            Status::Asked {
                sleep: Part::Held,
                screen: Part::NotHeld(why),
            } => format!("sleep held awake; screen: {why}"),
            Status::Asked {
                sleep: Part::NotHeld(why),
                screen: Part::Held,
            } => format!("screen held awake; sleep: {why}"),
            // The sleep half's reason comes first: a laptop that suspends
            // is the failure that silences the session's bells.
            Status::Asked {
                sleep: Part::NotHeld(why),
                screen: Part::NotHeld(_),
            } => format!("not held awake: {why}"),
        }
    }
}

/// Lets the system sleep again when it is dropped. Dropping one never
/// panics and never waits on the system.
pub trait Guard {}

/// A way to ask the system to stay awake.
pub trait Inhibitor {
    /// Asks for both halves. Whatever fails is said in the status, never
    /// returned as an error: a session runs either way.
    fn hold(&mut self) -> (Status, Box<dyn Guard>);
}

/// The hold a session keeps: the system stays awake until it is dropped.
pub struct Awake {
    status: Status,
    _guard: Option<Box<dyn Guard>>,
}

impl Awake {
    /// What was managed.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The status line's words (see [`Status::words`]).
    pub fn words(&self) -> String {
        self.status.words()
    }
}

impl fmt::Debug for Awake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Awake")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Keeps this system awake until the result is dropped, unless
/// `allow_sleep` (`--allow-sleep`), which asks for nothing.
pub fn hold(allow_sleep: bool) -> Awake {
    hold_with(&mut system(), allow_sleep)
}

/// [`hold`] through `inhibitor`.
pub fn hold_with(inhibitor: &mut dyn Inhibitor, allow_sleep: bool) -> Awake {
    if allow_sleep {
        return Awake {
            status: Status::Allowed,
            _guard: None,
        };
    }
    let (status, guard) = inhibitor.hold();
    Awake {
        status,
        _guard: Some(guard),
    }
}

/// This system's inhibitor, from its environment (no I/O until asked).
#[cfg(target_os = "linux")]
fn system() -> linux::Desktop {
    linux::Desktop::from_env()
}

#[cfg(target_os = "macos")]
fn system() -> macos::PowerManagement {
    macos::PowerManagement
}

#[cfg(windows)]
fn system() -> windows::ExecutionState {
    windows::ExecutionState
}

/// Elsewhere there is no call to make; the session says so and runs.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn system() -> RecordingInhibitor {
    let why = Part::NotHeld("not supported on this system");
    RecordingInhibitor::new(Status::Asked {
        sleep: why,
        screen: why,
    })
}

/// What a [`RecordingInhibitor`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A hold was asked for.
    Held,
    /// Its guard was dropped.
    Released,
}

/// A stand-in for the system, for tests: it records each hold and each
/// release, and reports the status it was made with.
#[derive(Debug, Clone)]
pub struct RecordingInhibitor {
    status: Status,
    events: Rc<RefCell<Vec<Event>>>,
}

impl RecordingInhibitor {
    /// An inhibitor whose holds report `status`.
    pub fn new(status: Status) -> RecordingInhibitor {
        RecordingInhibitor {
            status,
            events: Rc::default(),
        }
    }

    /// Everything seen so far, oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.events.borrow().clone()
    }

    /// True while a hold has not been released.
    pub fn is_held(&self) -> bool {
        self.events.borrow().last() == Some(&Event::Held)
    }
}

impl Inhibitor for RecordingInhibitor {
    fn hold(&mut self) -> (Status, Box<dyn Guard>) {
        self.events.borrow_mut().push(Event::Held);
        let guard = RecordingGuard(Rc::clone(&self.events));
        (self.status, Box::new(guard))
    }
}

/// Records its release.
struct RecordingGuard(Rc<RefCell<Vec<Event>>>);

impl Guard for RecordingGuard {}

impl Drop for RecordingGuard {
    fn drop(&mut self) {
        self.0.borrow_mut().push(Event::Released);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: Status = Status::Asked {
        sleep: Part::Held,
        screen: Part::Held,
    };

    #[test]
    fn a_hold_lasts_until_it_is_dropped() {
        let mut fake = RecordingInhibitor::new(BOTH);
        let awake = hold_with(&mut fake, false);
        assert!(fake.is_held());
        assert_eq!(awake.words(), "sleep and screen held awake");
        drop(awake);
        assert!(!fake.is_held());
        assert_eq!(fake.events(), [Event::Held, Event::Released]);
    }

    #[test]
    fn allow_sleep_holds_nothing_and_says_so() {
        let mut fake = RecordingInhibitor::new(BOTH);
        let awake = hold_with(&mut fake, true);
        assert_eq!(awake.status(), Status::Allowed);
        assert_eq!(awake.words(), "sleep allowed (--allow-sleep)");
        drop(awake);
        assert!(fake.events().is_empty());
    }

    #[test]
    fn each_half_says_why_it_is_not_held() {
        let words = |sleep, screen| Status::Asked { sleep, screen }.words();
        let no = Part::NotHeld;
        assert_eq!(
            words(Part::Held, no("no desktop session")),
            "sleep held awake; screen: no desktop session"
        );
        assert_eq!(
            words(no("no logind"), Part::Held),
            "screen held awake; sleep: no logind"
        );
        assert_eq!(
            words(no("no system bus (logind)"), no("no desktop session")),
            "not held awake: no system bus (logind)"
        );
    }

    #[test]
    fn a_hold_that_failed_is_still_released_quietly() {
        let mut fake = RecordingInhibitor::new(Status::Asked {
            sleep: Part::NotHeld("no logind"),
            screen: Part::NotHeld("no desktop session"),
        });
        let awake = hold_with(&mut fake, false);
        assert_eq!(awake.words(), "not held awake: no logind");
        drop(awake);
        assert_eq!(fake.events(), [Event::Held, Event::Released]);
    }
}
