//! The system keyring (cargo feature `keyring`, off by default): after
//! `stillpoint vault keyring on`, the vault's data key — never the
//! passphrase — is kept by the operating system (the Secret Service over
//! libdbus on Linux, the keychain on macOS, the Credential Manager on
//! Windows), so a command on this machine need not ask for the passphrase
//! nor spend the key derivation.
//!
//! Every failure falls back to the passphrase: no keyring built in, no
//! Secret Service running, no entry, or a key that does not match the
//! vault's check (a stale entry) — the last two silently, the others with
//! one line saying so. A key read from the keyring is believed only when it
//! opens the vault file's check value.

use super::{DataKey, VaultId};

/// The service name entries are kept under.
#[cfg(feature = "keyring")]
const SERVICE: &str = "stillpoint";

/// Whether this stillpoint was built with the keyring.
pub const BUILT: bool = cfg!(feature = "keyring");

/// What went wrong with the system keyring.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// This build has no keyring.
    #[error("this stillpoint was built without the keyring (cargo build --features keyring)")]
    NotBuilt,
    /// The system has no keyring stillpoint can use.
    #[error("no keyring on this system")]
    NoKeyring,
    /// The entry held something other than a 32-byte key.
    #[error("the keyring's entry is not a key")]
    NotAKey,
    /// The keyring itself refused.
    #[cfg(feature = "keyring")]
    #[error(transparent)]
    Store(#[from] keyring_core::Error),
}

/// The entry for vault `id` in the system's store.
#[cfg(feature = "keyring")]
fn entry(id: VaultId) -> Result<keyring_core::Entry, KeyringError> {
    use keyring_core::CredentialStore;
    use std::sync::Arc;
    #[cfg(target_os = "linux")]
    let store: Arc<CredentialStore> = dbus_secret_service_keyring_store::Store::new()?;
    #[cfg(target_os = "macos")]
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    #[cfg(windows)]
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    return Err(KeyringError::NoKeyring);
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    Ok(keyring_core::Entry::new_in_store(
        &store,
        SERVICE,
        &format!("vault {id}"),
    )?)
}

/// The data key the keyring keeps for vault `id`: `Ok(None)` when it keeps
/// none (or the keyring is not built in).
pub fn load(id: VaultId) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>, KeyringError> {
    #[cfg(feature = "keyring")]
    {
        match entry(id)?.get_secret() {
            Ok(secret) => {
                let secret = zeroize::Zeroizing::new(secret);
                let key: [u8; 32] = secret
                    .as_slice()
                    .try_into()
                    .map_err(|_| KeyringError::NotAKey)?;
                Ok(Some(zeroize::Zeroizing::new(key)))
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(feature = "keyring"))]
    {
        let _ = id;
        Ok(None)
    }
}

/// Keeps `key` in the keyring.
pub fn save(key: &DataKey) -> Result<(), KeyringError> {
    #[cfg(feature = "keyring")]
    {
        Ok(entry(key.id())?.set_secret(&*key.0.key)?)
    }
    #[cfg(not(feature = "keyring"))]
    {
        let _ = key;
        Err(KeyringError::NotBuilt)
    }
}

/// Takes vault `id`'s key out of the keyring; whether there was one.
pub fn remove(id: VaultId) -> Result<bool, KeyringError> {
    #[cfg(feature = "keyring")]
    {
        match entry(id)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(feature = "keyring"))]
    {
        let _ = id;
        Err(KeyringError::NotBuilt)
    }
}
