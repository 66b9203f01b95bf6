//! Small preferences remembered between runs (the master volume and mute), in
//! `prefs.json` in the data folder. A missing or unreadable file means the
//! defaults; the file is rewritten whole when a session ends.
//!
//! With the vault on, the file is sealed like the records
//! (`{"vault":"…","sealed":"…"}`): nothing in the data folder is left in the
//! clear, so a preference added later cannot leak a client's name. While
//! the vault is locked the defaults are used and nothing is written.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::mix::{DEFAULT_VOLUME, MAX_VOLUME};
use crate::vault::{DataKey, VaultId, seal};

/// The preferences' file name in the data folder.
pub const FILE: &str = "prefs.json";

/// What sealed preferences are bound to, with the vault's id.
const PLACE: &[u8] = b"stillpoint prefs\0";

/// What is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// Master volume step, 0–10.
    pub volume: u8,
    /// Whether sound was muted.
    pub muted: bool,
}

/// The file when the vault is on.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    vault: String,
    sealed: String,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            volume: DEFAULT_VOLUME,
            muted: false,
        }
    }
}

fn place(id: VaultId) -> Vec<u8> {
    [PLACE, id.bytes()].concat()
}

/// The preferences' bytes in the clear: opened when sealed (the vault's key
/// asked for, if this run has not opened it).
pub fn in_the_clear(dir: &Path, bytes: Vec<u8>) -> Option<Vec<u8>> {
    let Ok(sealed) = serde_json::from_slice::<Sealed>(&bytes) else {
        return Some(bytes);
    };
    let id = VaultId::parse(&sealed.vault)?;
    let key = crate::vault::held(id).or_else(|| {
        crate::vault::unlock_interactive(dir)
            .ok()
            .flatten()
            .filter(|k| k.id() == id)
    })?;
    seal::open(&key, &place(id), &seal::from_text(&sealed.sealed).ok()?).ok()
}

/// `plain` sealed as the preferences file.
pub fn sealed(key: &DataKey, plain: &[u8]) -> io::Result<Vec<u8>> {
    let bytes = seal::seal(key, &place(key.id()), plain).map_err(io::Error::other)?;
    serde_json::to_vec(&Sealed {
        vault: key.id().to_string(),
        sealed: seal::to_text(&bytes),
    })
    .map_err(io::Error::other)
}

impl Prefs {
    /// Reads the preferences in `dir`, or the defaults.
    pub fn load(dir: &Path) -> Prefs {
        crate::files::read_private(&dir.join(FILE), 4096)
            .ok()
            .and_then(|b| in_the_clear(dir, b))
            .and_then(|b| serde_json::from_slice::<Prefs>(&b).ok())
            .map(|p| Prefs {
                volume: p.volume.min(MAX_VOLUME),
                ..p
            })
            .unwrap_or_default()
    }

    /// Writes the preferences into `dir` (private, replaced atomically,
    /// never through a link planted in the folder), sealed when the vault
    /// is on; refused while it is locked.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        crate::files::create_private_dir(dir)?;
        let mut bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        if crate::vault::is_on(dir) {
            let key = crate::vault::unlock_interactive(dir)
                .map_err(io::Error::other)?
                .ok_or_else(|| io::Error::other("the vault is locked"))?;
            bytes = sealed(&key, &bytes)?;
        }
        crate::files::replace_private(&dir.join(FILE), &bytes)
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
        std::fs::write(dir.path().join(FILE), "{broken").unwrap();
        assert_eq!(Prefs::load(dir.path()), Prefs::default());
    }

    #[test]
    fn with_the_vault_on_they_are_sealed() {
        let dir = tempfile::tempdir().unwrap();
        crate::vault::create(dir.path(), "a passphrase", crate::vault::tests::QUICK).unwrap();
        let p = Prefs {
            volume: 9,
            muted: true,
        };
        p.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(
            text.contains("\"sealed\"") && !text.contains("volume"),
            "{text}"
        );
        assert_eq!(Prefs::load(dir.path()), p);
    }
}
