//! macOS: two power-management assertions, `PreventUserIdleSystemSleep`
//! (sleep) and `PreventUserIdleDisplaySleep` (screen), each released when
//! the guard drops. They are the process's, not a thread's, and
//! `pmset -g assertions` lists them under the name given here.

use objc2_core_foundation::CFString;
use objc2_io_kit::{
    IOPMAssertionCreateWithName, IOPMAssertionID, IOPMAssertionRelease, IOReturn,
    kIOPMAssertionLevelOn,
};

use super::{Guard, Inhibitor, Part, Status};

/// `kIOReturnSuccess`.
const SUCCESS: IOReturn = 0;

/// The assertions' name, as Activity Monitor and `pmset` show it.
const NAME: &str = "stillpoint: Session running";

/// The system's power management.
#[derive(Debug, Default)]
pub struct PowerManagement;

impl Inhibitor for PowerManagement {
    fn hold(&mut self) -> (Status, Box<dyn Guard>) {
        let sleep = Assertion::take("PreventUserIdleSystemSleep");
        let screen = Assertion::take("PreventUserIdleDisplaySleep");
        let part = |a: &Option<Assertion>| match a {
            Some(_) => Part::Held,
            None => Part::NotHeld("macOS refused"),
        };
        let status = Status::Asked {
            sleep: part(&sleep),
            screen: part(&screen),
        };
        let held = Held {
            _sleep: sleep,
            _screen: screen,
        };
        (status, Box::new(held))
    }
}

/// The assertions taken, released as they drop.
struct Held {
    _sleep: Option<Assertion>,
    _screen: Option<Assertion>,
}

impl Guard for Held {}

/// One assertion, released when dropped.
struct Assertion(IOPMAssertionID);

impl Assertion {
    fn take(kind: &'static str) -> Option<Assertion> {
        let kind = CFString::from_static_str(kind);
        let name = CFString::from_static_str(NAME);
        let mut id: IOPMAssertionID = 0;
        // SAFETY: both strings live through the call, and `id` is a valid
        // place for the answer.
        let result = unsafe {
            IOPMAssertionCreateWithName(Some(&kind), kIOPMAssertionLevelOn, Some(&name), &mut id)
        };
        (result == SUCCESS).then_some(Assertion(id))
    }
}

impl Drop for Assertion {
    fn drop(&mut self) {
        // Nothing to do about a release that fails: the assertion ends with
        // the process in any case.
        let _ = IOPMAssertionRelease(self.0);
    }
}
