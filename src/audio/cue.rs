//! The cues: the sounds that mark a session's moments. The engine says when
//! one is due; the audio side knows how each one sounds. Both name them from
//! here, below either of them.

use serde::{Deserialize, Serialize};

/// A moment in the session that has a sound of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cue {
    /// The first step has begun.
    SessionStart,
    /// The current step ends in a few seconds.
    EndingSoon,
    /// A step ended and the next one begins.
    NextStep,
    /// A manual hold reached its target and now counts overtime.
    Overtime,
    /// A manual hold is still in overtime (repeated at an interval).
    OvertimeReminder,
    /// The last step ended.
    SessionComplete,
}

impl Cue {
    /// Every cue with its name on the command line, in session order.
    pub const NAMES: [(&'static str, Cue); 6] = [
        ("session-start", Cue::SessionStart),
        ("ending-soon", Cue::EndingSoon),
        ("next-step", Cue::NextStep),
        ("overtime", Cue::Overtime),
        ("overtime-reminder", Cue::OvertimeReminder),
        ("session-complete", Cue::SessionComplete),
    ];

    /// The cue a name names (`ending-soon`).
    pub fn from_name(name: &str) -> Option<Cue> {
        Cue::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, cue)| *cue)
    }
}
