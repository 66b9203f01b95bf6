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
        std::fs::read(dir.join("prefs.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Prefs>(&b).ok())
            .map(|p| Prefs {
                volume: p.volume.min(MAX_VOLUME),
                ..p
            })
            .unwrap_or_default()
    }

    /// Writes the preferences into `dir` (private, replaced atomically).
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        crate::files::create_private_dir(dir)?;
        let tmp = dir.join("prefs.json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        io::Write::write_all(
            &mut file,
            &serde_json::to_vec(self).map_err(io::Error::other)?,
        )?;
        file.sync_all()?;
        std::fs::rename(tmp, dir.join("prefs.json"))
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
