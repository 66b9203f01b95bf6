//! The master volume and mute, as the therapist sets them during a session:
//! ten steps and a mute that any volume change lifts. Pure state; the
//! changes leave as sound commands for the shell to send.

use crate::audio::AudioState;
use crate::audio::mix::{DEFAULT_VOLUME, MAX_VOLUME, MixCommand};
use crate::session::record::Entry;

/// The volume step (0–[`MAX_VOLUME`]) and whether sound is muted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volume {
    level: u8,
    muted: bool,
}

impl Default for Volume {
    fn default() -> Volume {
        Volume::new(DEFAULT_VOLUME, false)
    }
}

impl Volume {
    /// A volume at `level` (capped at [`MAX_VOLUME`]).
    pub fn new(level: u8, muted: bool) -> Volume {
        Volume {
            level: level.min(MAX_VOLUME),
            muted,
        }
    }

    /// The step, 0–[`MAX_VOLUME`].
    pub fn level(self) -> u8 {
        self.level
    }

    /// Whether sound is muted.
    pub fn muted(self) -> bool {
        self.muted
    }

    /// One step louder (or softer); either lifts the mute, so a therapist
    /// who turns the sound up always hears it.
    pub fn step(&mut self, louder: bool) -> [MixCommand; 2] {
        self.level = if louder {
            (self.level + 1).min(MAX_VOLUME)
        } else {
            self.level.saturating_sub(1)
        };
        self.muted = false;
        [MixCommand::Mute(false), MixCommand::Volume(self.level)]
    }

    /// Mutes, or unmutes.
    pub fn toggle_mute(&mut self) -> MixCommand {
        self.muted = !self.muted;
        MixCommand::Mute(self.muted)
    }

    /// The journal line recording this volume.
    pub fn entry(self) -> Entry {
        Entry::Audio {
            volume: self.level,
            muted: self.muted,
        }
    }

    /// The status line's words for the sound: the device's state, and the
    /// volume or mute while a device plays.
    pub fn status(self, audio: AudioState) -> String {
        match audio {
            AudioState::On | AudioState::Probing if self.muted => {
                format!("{} · muted", audio.label())
            }
            AudioState::On | AudioState::Probing => {
                format!("{} · volume {}/{MAX_VOLUME}", audio.label(), self.level)
            }
            _ => audio.label().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_stop_at_the_ends_and_lift_the_mute() {
        let mut v = Volume::new(MAX_VOLUME, true);
        assert_eq!(
            v.step(true),
            [MixCommand::Mute(false), MixCommand::Volume(MAX_VOLUME)]
        );
        assert!(!v.muted());
        let mut v = Volume::new(0, false);
        v.step(false);
        assert_eq!(v.level(), 0);
        assert_eq!(Volume::new(99, false).level(), MAX_VOLUME);
    }

    #[test]
    fn mute_toggles_and_is_recorded() {
        let mut v = Volume::new(4, false);
        assert_eq!(v.toggle_mute(), MixCommand::Mute(true));
        assert_eq!(
            v.entry(),
            Entry::Audio {
                volume: 4,
                muted: true
            }
        );
        assert_eq!(v.toggle_mute(), MixCommand::Mute(false));
    }

    #[test]
    fn the_status_shows_volume_only_while_a_device_plays() {
        let v = Volume::new(4, false);
        assert_eq!(v.status(AudioState::On), "audio on · volume 4/10");
        assert_eq!(
            Volume::new(4, true).status(AudioState::On),
            "audio on · muted"
        );
        assert_eq!(v.status(AudioState::Disabled), "audio off (--no-audio)");
    }
}
