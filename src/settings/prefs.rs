//! Small preferences remembered between runs (the master volume and mute), in
//! `prefs.json` in the data folder. A missing or unreadable file means the
//! defaults; the file is rewritten whole when a session ends.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::mix::{DEFAULT_VOLUME, MAX_VOLUME};

/// What is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// Master volume step, 0–10.
    pub volume: u8,
    /// Whether sound was muted.
    pub muted: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            volume: DEFAULT_VOLUME,
            muted: false,
        }
    }
}

impl Prefs {
    /// Reads the preferences in `dir`, or the defaults.
    pub fn load(dir: &Path) -> Prefs {
        crate::files::read_private(&dir.join("prefs.json"), 4096)
            .ok()
            .and_then(|b| serde_json::from_slice::<Prefs>(&b).ok())
            .map(|p| Prefs {
                volume: p.volume.min(MAX_VOLUME),
                ..p
            })
            .unwrap_or_default()
    }

    /// Writes the preferences into `dir` (private, replaced atomically,
    /// never through a link planted in the folder).
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        crate::files::create_private_dir(dir)?;
        let bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        crate::files::replace_private(&dir.join("prefs.json"), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Prefs::load(dir.path()), Prefs::default());
        let p = Prefs {
            volume: 7,
            muted: true,
        };
        p.save(dir.path()).unwrap();
        assert_eq!(Prefs::load(dir.path()), p);
        std::fs::write(dir.path().join("prefs.json"), "{broken").unwrap();
        assert_eq!(Prefs::load(dir.path()), Prefs::default());
    }
}
