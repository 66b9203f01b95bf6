//! Windows: `SetThreadExecutionState` with `ES_CONTINUOUS`, keeping both
//! the system (`ES_SYSTEM_REQUIRED`) and the display
//! (`ES_DISPLAY_REQUIRED`) on.
//!
//! The state belongs to the calling thread, and the session's thread asks
//! and lets go: the guard cannot be sent to another thread. One call covers
//! both halves, so they are held, or refused, together. Power requests
//! (`PowerSetRequest`) would outlive the thread, but need a handle and a
//! reason structure for no gain here.

use std::marker::PhantomData;

use windows_sys::Win32::System::Power::{
    ES_CONTINUOUS, ES_DISPLAY_REQUIRED, ES_SYSTEM_REQUIRED, EXECUTION_STATE,
    SetThreadExecutionState,
};

use super::{Guard, Inhibitor, Part, Status};

/// This thread's execution state.
#[derive(Debug, Default)]
pub struct ExecutionState;

impl Inhibitor for ExecutionState {
    fn hold(&mut self) -> (Status, Box<dyn Guard>) {
        // SAFETY: takes and returns plain flags; no memory is involved.
        let previous = unsafe {
            SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED)
        };
        // 0 is the call's only way of saying it failed.
        let part = if previous == 0 {
            Part::NotHeld("Windows refused")
        } else {
            Part::Held
        };
        let guard = Restore {
            previous: (previous != 0).then_some(previous),
            _this_thread: PhantomData,
        };
        let status = Status::Asked {
            sleep: part,
            screen: part,
        };
        (status, Box::new(guard))
    }
}

/// Puts the thread's state back as it was.
struct Restore {
    previous: Option<EXECUTION_STATE>,
    /// Not `Send`: the state is the thread's.
    _this_thread: PhantomData<*const ()>,
}

impl Guard for Restore {}

impl Drop for Restore {
    fn drop(&mut self) {
        let Some(previous) = self.previous else {
            return;
        };
        // A state that was not continuous lapsed already; clearing ours is
        // then all there is to do.
        let back = if previous & ES_CONTINUOUS != 0 {
            previous
        } else {
            ES_CONTINUOUS
        };
        // SAFETY: as above.
        unsafe { SetThreadExecutionState(back) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_are_held_and_given_back_on_this_thread() {
        let (status, guard) = ExecutionState.hold();
        assert_eq!(
            status,
            Status::Asked {
                sleep: Part::Held,
                screen: Part::Held,
            }
        );
        drop(guard);
        // What the thread asks for now is its own again: nothing continuous.
        // SAFETY: as above.
        let after = unsafe { SetThreadExecutionState(ES_CONTINUOUS) };
        assert_eq!(
            after & (ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED),
            0,
            "{after:#x}"
        );
    }
}
