//! The vault: client records encrypted at rest, opt-in (`stillpoint vault
//! init`).
//!
//! A random 32-byte **data key** seals every journal line, the index and the
//! preferences ([`seal`]). The data key is kept in `vault.json` in the data
//! folder, itself sealed under a key derived from the practitioner's
//! passphrase with Argon2id (64 MiB, 3 passes, 1 lane: RFC 9106's
//! memory-constrained choice, above OWASP's minimums). Changing the
//! passphrase (`vault passwd`) seals the same data key again under the new
//! one, so no record is rewritten.
//!
//! The passphrase is asked once per run. The key it opens is remembered in
//! this process's memory only ([`remember`], [`held`]), where the journal,
//! the history readers and the preferences find it by the vault's id: no
//! reader or writer takes a key parameter, so a view cannot forget to pass
//! one and fall back to plain text. A writer in a folder whose vault is on
//! and locked refuses rather than write in the clear.

pub mod ask;
pub mod keyring;
pub mod seal;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use argon2::{Algorithm, Argon2, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::hint::Hint;

/// The vault's file in the data folder.
pub const FILE: &str = "vault.json";

/// The vault file's format.
const FORMAT: u32 = 1;

/// What the wrapped data key is bound to, with the vault's id and cost.
const KEY_PLACE: &[u8] = b"stillpoint vault data key\0";

/// What the vault file's check value is bound to, with the vault's id.
const CHECK_PLACE: &[u8] = b"stillpoint vault key check\0";

/// A vault's identity: 16 random bytes, shown in hex. Every sealed record
/// names the vault that sealed it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VaultId([u8; 16]);

impl VaultId {
    /// The id's bytes.
    pub fn bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Reads an id written by [`VaultId::to_string`].
    pub fn parse(hex: &str) -> Option<VaultId> {
        let bytes = from_hex(hex)?;
        bytes.try_into().ok().map(VaultId)
    }
}

impl std::fmt::Display for VaultId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl std::fmt::Debug for VaultId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VaultId({self})")
    }
}

/// Lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Bytes from hex (either case); `None` for anything else.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

/// How hard a passphrase is worked into a key (Argon2id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over it.
    pub passes: u32,
    /// Lanes (argon2 runs them one after another here).
    pub lanes: u32,
}

impl Cost {
    /// RFC 9106's memory-constrained setting with one lane: about 0.15 s
    /// on the 2-core development machine.
    pub const STANDARD: Cost = Cost {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };

    /// Whether a vault file's cost is one this program will run: a file
    /// asking for 64 GiB is damaged (or a trap), not a vault.
    fn sane(self) -> bool {
        (8 * 1024..=4 * 1024 * 1024).contains(&self.memory_kib)
            && (1..=64).contains(&self.passes)
            && (1..=16).contains(&self.lanes)
    }

    fn bytes(self) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[..4].copy_from_slice(&self.memory_kib.to_le_bytes());
        b[4..8].copy_from_slice(&self.passes.to_le_bytes());
        b[8..].copy_from_slice(&self.lanes.to_le_bytes());
        b
    }
}

/// `vault.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VaultFile {
    format: u32,
    id: String,
    /// Always `argon2id`.
    kdf: String,
    cost: Cost,
    /// 16 random bytes, base64.
    salt: String,
    /// The data key sealed under the passphrase's key, base64.
    key: String,
    /// Nothing, sealed under the data key (base64): a key from elsewhere
    /// (the system keyring) is believed only if it opens this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check: Option<String>,
}

/// A vault's data key, opened. Cheap to clone; the key's bytes are wiped
/// when the last clone is dropped, and never printed.
#[derive(Clone)]
pub struct DataKey(Arc<KeyBytes>);

struct KeyBytes {
    id: VaultId,
    key: Zeroizing<[u8; 32]>,
}

impl DataKey {
    /// The vault this key belongs to.
    pub fn id(&self) -> VaultId {
        self.0.id
    }

    pub(crate) fn key(&self) -> &chacha20poly1305::Key {
        (&*self.0.key).into()
    }

    fn new(id: VaultId, key: Zeroizing<[u8; 32]>) -> DataKey {
        DataKey(Arc::new(KeyBytes { id, key }))
    }

    /// A fresh key for a vault that does not exist on disk (tests).
    #[doc(hidden)]
    pub fn random_for_tests() -> DataKey {
        let mut id = [0u8; 16];
        let mut key = Zeroizing::new([0u8; 32]);
        let _ = getrandom::fill(&mut id);
        let _ = getrandom::fill(&mut *key);
        DataKey::new(VaultId(id), key)
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey(vault {})", self.id())
    }
}

/// Why the vault could not be made, opened or changed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The vault file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::files::ReadError,
    },
    /// The vault file (or a folder for it) could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The vault file is not one this program wrote.
    #[error("{} is not a vault stillpoint can open: {why}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The passphrase does not open the vault.
    #[error("that passphrase does not open the vault; nothing was read or written")]
    WrongPassphrase,
    /// The records are sealed and no passphrase could be asked for.
    #[error("the records are sealed and the passphrase cannot be asked for: {why}")]
    NoTerminal {
        /// Why not.
        why: String,
    },
    /// A record is sealed by a vault whose key this run does not hold.
    #[error("it is sealed by vault {id}, which is not open in this run")]
    Locked {
        /// The vault.
        id: VaultId,
    },
    /// `vault init` in a folder that has one.
    #[error("the records in {} already have a vault", data.display())]
    Exists {
        /// The data folder.
        data: PathBuf,
    },
    /// A vault command in a folder without one.
    #[error("the records in {} have no vault", data.display())]
    NotOn {
        /// The data folder.
        data: PathBuf,
    },
    /// The new passphrase was typed two different ways.
    #[error("the two passphrases typed differ; nothing was changed")]
    Differ,
    /// The new passphrase is too short.
    #[error(
        "a passphrase of {len} characters is too short (at least {} are needed)",
        ask::MIN_LEN
    )]
    TooShort {
        /// Its length in characters.
        len: usize,
    },
    /// The passphrase was asked for earlier in this run and not given.
    #[error("the vault was not opened earlier in this run: {why}")]
    NotGiven {
        /// What happened then.
        why: String,
    },
    /// The system keyring said no.
    #[error("the system keyring")]
    Keyring(#[from] keyring::KeyringError),
    /// Standard input could not be read (the test variable's `-`).
    #[error("the passphrase could not be read")]
    Ask(#[source] std::io::Error),
    /// Argon2 refused its parameters, or no random bytes were to be had.
    #[error("the key could not be made: {0}")]
    Crypto(String),
}

impl Hint for VaultError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            VaultError::WrongPassphrase => {
                "check the keyboard layout and Caps Lock; the passphrase cannot be recovered, \
                 only a backup made before a change of passphrase opens with the old one"
                    .to_owned()
            }
            VaultError::NoTerminal { .. } => {
                "run the command in a terminal, where the passphrase can be typed".to_owned()
            }
            VaultError::Locked { .. } => {
                "open it from the data folder whose vault sealed it (--data-dir)".to_owned()
            }
            VaultError::Exists { .. } => {
                "`stillpoint vault passwd` changes its passphrase".to_owned()
            }
            VaultError::NotOn { .. } => "`stillpoint vault init` makes one".to_owned(),
            VaultError::Differ | VaultError::TooShort { .. } => {
                "choose a sentence you will remember; it cannot be recovered".to_owned()
            }
            _ => return None,
        })
    }
}

/// The keys opened in this run, by vault.
static HELD: Mutex<Vec<DataKey>> = Mutex::new(Vec::new());

/// Keeps `key` for the rest of the run, for every reader and writer of the
/// records it sealed.
pub fn remember(key: &DataKey) {
    let mut held = HELD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !held.iter().any(|k| k.id() == key.id()) {
        held.push(key.clone());
    }
}

/// The key of vault `id`, if it was opened in this run.
pub fn held(id: VaultId) -> Option<DataKey> {
    let held = HELD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    held.iter().find(|k| k.id() == id).cloned()
}

/// What a data folder's vault file says, without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultInfo {
    /// The vault's id.
    pub id: VaultId,
    /// The cost of opening it.
    pub cost: Cost,
}

/// The vault file's path in `data`.
pub fn file(data: &Path) -> PathBuf {
    data.join(FILE)
}

/// Whether `data` has a vault (its file is there, whatever it holds).
pub fn is_on(data: &Path) -> bool {
    std::fs::symlink_metadata(file(data)).is_ok()
}

/// Reads `data`'s vault file; `None` when there is none.
fn read_file(data: &Path) -> Result<Option<(VaultFile, VaultInfo)>, VaultError> {
    let path = file(data);
    let Some(bytes) = file_bytes(data)? else {
        return Ok(None);
    };
    parse_file(&bytes, &path).map(Some)
}

/// `data`'s vault file as it is on disk (for a backup to carry, so the
/// passphrase alone opens the backup); `None` when there is none.
pub fn file_bytes(data: &Path) -> Result<Option<Vec<u8>>, VaultError> {
    let path = file(data);
    let bytes = match crate::files::read_private(&path, 64 * 1024) {
        Ok(b) => b,
        Err(crate::files::ReadError::NotFound) => return Ok(None),
        // A data folder that is not a folder (yet) has no vault either.
        Err(crate::files::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Ok(None);
        }
        Err(source) => return Err(VaultError::Read { path, source }),
    };
    Ok(Some(bytes))
}

/// A vault file's bytes read (`path` names where they came from).
fn parse_file(bytes: &[u8], path: &Path) -> Result<(VaultFile, VaultInfo), VaultError> {
    let unreadable = |why: String| VaultError::Unreadable {
        path: path.to_owned(),
        why,
    };
    let vault: VaultFile = serde_json::from_slice(bytes).map_err(|e| unreadable(e.to_string()))?;
    if vault.format != FORMAT || vault.kdf != "argon2id" {
        return Err(unreadable(format!(
            "format {} with {} is not one this version reads",
            vault.format, vault.kdf
        )));
    }
    if !vault.cost.sane() {
        return Err(unreadable(format!(
            "its cost {:?} is out of range",
            vault.cost
        )));
    }
    let id = VaultId::parse(&vault.id).ok_or_else(|| unreadable("its id is not hex".into()))?;
    let cost = vault.cost;
    Ok((vault, VaultInfo { id, cost }))
}

/// What the vault file `bytes` (from `origin`, e.g. a backup) says.
pub fn info_of(bytes: &[u8], origin: &Path) -> Result<VaultInfo, VaultError> {
    parse_file(bytes, origin).map(|(_, info)| info)
}

/// What `data`'s vault file says; `None` when the vault is off.
pub fn info(data: &Path) -> Result<Option<VaultInfo>, VaultError> {
    Ok(read_file(data)?.map(|(_, info)| info))
}

/// The passphrase worked into a key.
fn derive(passphrase: &str, salt: &[u8], cost: Cost) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    let crypto = |e: argon2::Error| VaultError::Crypto(e.to_string());
    let params =
        argon2::Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(32)).map_err(crypto)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut *out)
        .map_err(crypto)?;
    Ok(out)
}

/// What the wrapped data key is bound to.
fn key_place(id: VaultId, cost: Cost) -> Vec<u8> {
    [KEY_PLACE, id.bytes(), &cost.bytes()].concat()
}

/// `data_key` wrapped under `passphrase` as a vault file.
fn wrap(data_key: &DataKey, passphrase: &str, cost: Cost) -> Result<Vec<u8>, VaultError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| VaultError::Crypto(e.to_string()))?;
    let kek = DataKey::new(data_key.id(), derive(passphrase, &salt, cost)?);
    let sealed = seal::seal(&kek, &key_place(data_key.id(), cost), &*data_key.0.key)
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
    let check = seal::seal(
        data_key,
        &[CHECK_PLACE, data_key.id().bytes()].concat(),
        b"",
    )
    .map_err(|e| VaultError::Crypto(e.to_string()))?;
    let file = VaultFile {
        format: FORMAT,
        id: data_key.id().to_string(),
        kdf: "argon2id".to_owned(),
        cost,
        salt: seal::to_text(&salt),
        key: seal::to_text(&sealed),
        check: Some(seal::to_text(&check)),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&file).map_err(|e| VaultError::Crypto(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes a vault file, replacing any (atomically, privately).
fn write_file(data: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let path = file(data);
    crate::files::create_private_dir(data)
        .and_then(|()| crate::files::replace_private(&path, bytes))
        .map_err(|source| VaultError::Write { path, source })
}

/// Makes a vault in `data` (refused if it has one) with a new random data
/// key wrapped under `passphrase`, and remembers the key for this run.
pub fn create(data: &Path, passphrase: &str, cost: Cost) -> Result<DataKey, VaultError> {
    if is_on(data) {
        return Err(VaultError::Exists {
            data: data.to_owned(),
        });
    }
    let mut id = [0u8; 16];
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut id)
        .and_then(|()| getrandom::fill(&mut *key))
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
    let data_key = DataKey::new(VaultId(id), key);
    write_file(data, &wrap(&data_key, passphrase, cost)?)?;
    remember(&data_key);
    Ok(data_key)
}

/// Opens `data`'s vault with `passphrase` and remembers its key for this
/// run. A wrong passphrase writes nothing.
pub fn open(data: &Path, passphrase: &str) -> Result<DataKey, VaultError> {
    let Some(bytes) = file_bytes(data)? else {
        return Err(VaultError::NotOn {
            data: data.to_owned(),
        });
    };
    open_bytes(&bytes, &file(data), passphrase)
}

/// Opens the vault file `bytes` (from `origin`: a data folder's, or one a
/// backup carries) with `passphrase`, and remembers its key for this run.
pub fn open_bytes(bytes: &[u8], origin: &Path, passphrase: &str) -> Result<DataKey, VaultError> {
    let (vault, info) = parse_file(bytes, origin)?;
    let bad = |why: &str| VaultError::Unreadable {
        path: origin.to_owned(),
        why: why.to_owned(),
    };
    let salt = seal::from_text(&vault.salt).map_err(|_| bad("its salt is not base64"))?;
    let wrapped = seal::from_text(&vault.key).map_err(|_| bad("its key is not base64"))?;
    let kek = DataKey::new(info.id, derive(passphrase, &salt, info.cost)?);
    let opened = Zeroizing::new(
        seal::open(&kek, &key_place(info.id, info.cost), &wrapped)
            .map_err(|_| VaultError::WrongPassphrase)?,
    );
    let key: [u8; 32] = opened
        .as_slice()
        .try_into()
        .map_err(|_| bad("its key is not 32 bytes"))?;
    let data_key = DataKey::new(info.id, Zeroizing::new(key));
    remember(&data_key);
    Ok(data_key)
}

/// Wraps `data`'s data key under `new` instead of `old`: the records are not
/// touched. The old vault file is replaced atomically.
pub fn change_passphrase(data: &Path, old: &str, new: &str) -> Result<DataKey, VaultError> {
    let key = open(data, old)?;
    let cost = info(data)?.map_or(Cost::STANDARD, |i| i.cost);
    write_file(data, &wrap(&key, new, cost.max_standard())?)?;
    Ok(key)
}

impl Cost {
    /// This cost, raised to [`Cost::STANDARD`] where it falls short: a new
    /// passphrase is never wrapped more weakly than a new vault would be.
    fn max_standard(self) -> Cost {
        Cost {
            memory_kib: self.memory_kib.max(Cost::STANDARD.memory_kib),
            passes: self.passes.max(Cost::STANDARD.passes),
            lanes: self.lanes.max(Cost::STANDARD.lanes),
        }
    }
}

/// The key of `data`'s vault, asked for once per run: `Ok(None)` when the
/// vault is off; the key already opened in this run; else the passphrase,
/// typed on the terminal (up to three tries) or, in tests, from
/// `STILLPOINT_TEST_PASSPHRASE` ([`ask`]). The session start calls this
/// before the consultation, and `history`, `show` and `export` before they
/// read; every reader and writer after that finds the key by itself.
pub fn unlock_interactive(data: &Path) -> Result<Option<DataKey>, VaultError> {
    let Some(info) = info(data)? else {
        return Ok(None);
    };
    if let Some(key) = held(info.id) {
        return Ok(Some(key));
    }
    // One question at a time: readers on several threads wait for the
    // first one's answer instead of each asking.
    let _asking = ASKING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(key) = held(info.id) {
        return Ok(Some(key));
    }
    if let Some(why) = refused(info.id) {
        return Err(VaultError::NotGiven { why });
    }
    if let Some(key) = from_keyring(data) {
        remember(&key);
        return Ok(Some(key));
    }
    let opened = ask_and_open(data);
    if let Err(e) = &opened {
        let mut refused = REFUSED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        refused.push((info.id, crate::hint::chain(e)));
    }
    opened.map(Some)
}

/// Serialises the question for the passphrase.
static ASKING: Mutex<()> = Mutex::new(());

/// Vaults whose passphrase was asked for and not given in this run, and
/// why: they are not asked for again (a folder of thousands of sealed
/// records would otherwise ask once per record).
static REFUSED: Mutex<Vec<(VaultId, String)>> = Mutex::new(Vec::new());

fn refused(id: VaultId) -> Option<String> {
    let refused = REFUSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    refused
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, why)| why.clone())
}

/// The data key the system keyring keeps for `data`'s vault, if it keeps
/// one that opens the vault file's check; a keyring that cannot be read
/// is said on standard error, and the passphrase asked for instead.
fn from_keyring(data: &Path) -> Option<DataKey> {
    let (vault, info) = read_file(data).ok()??;
    let bytes = match keyring::load(info.id) {
        Ok(found) => found?,
        Err(why) => {
            eprintln!(
                "stillpoint: the system keyring cannot be read ({why}); asking for the passphrase"
            );
            return None;
        }
    };
    let key = DataKey::new(info.id, bytes);
    let check = seal::from_text(vault.check.as_deref()?).ok()?;
    seal::open(&key, &[CHECK_PLACE, info.id.bytes()].concat(), &check).ok()?;
    Some(key)
}

/// Keeps `data`'s data key in the system keyring (the passphrase asked for
/// if this run has not opened the vault), or, with `on` false, takes it out.
pub fn keyring_switch(data: &Path, on: bool) -> Result<bool, VaultError> {
    let Some(info) = info(data)? else {
        return Err(VaultError::NotOn {
            data: data.to_owned(),
        });
    };
    if !on {
        return keyring::remove(info.id).map_err(VaultError::Keyring);
    }
    let key = unlock_interactive(data)?.ok_or(VaultError::NotOn {
        data: data.to_owned(),
    })?;
    keyring::save(&key).map_err(VaultError::Keyring)?;
    Ok(true)
}

/// Asks for the passphrase (up to three tries on a terminal) and opens.
fn ask_and_open(data: &Path) -> Result<DataKey, VaultError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let (passphrase, from) = ask::passphrase("Passphrase for the client records: ")?;
        match open(data, &passphrase) {
            Err(VaultError::WrongPassphrase)
                if from == ask::From::Terminal && tries < ask::ATTEMPTS =>
            {
                eprintln!("That passphrase does not open the vault; try again.");
            }
            other => return other,
        }
    }
}

/// The data folder of the sessions folder `sessions`: the folder above it,
/// where its vault is, when it is named `sessions` as every data folder's
/// is. (A folder of records anywhere else has no vault.)
pub fn data_of(sessions: &Path) -> Option<&Path> {
    if sessions.file_name()? != "sessions" {
        return None;
    }
    match sessions.parent() {
        Some(data) if data.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    }
}

/// The key that seals records in the sessions folder `sessions` (whose
/// vault, if any, is in the data folder above): see [`unlock_interactive`].
pub fn for_sessions(sessions: &Path) -> Result<Option<DataKey>, VaultError> {
    match data_of(sessions) {
        Some(data) => unlock_interactive(data),
        None => Ok(None),
    }
}

/// The key of vault `id`, which sealed the record at `path`: remembered in
/// this run, else asked for when the record's own data folder has that
/// vault. Anything else is [`VaultError::Locked`].
pub fn for_record(path: &Path, id: VaultId) -> Result<DataKey, VaultError> {
    if let Some(key) = held(id) {
        return Ok(key);
    }
    let data = path.parent().and_then(data_of);
    if let Some(data) = data
        && info(data).ok().flatten().is_some_and(|i| i.id == id)
        && let Some(key) = unlock_interactive(data)?
    {
        return Ok(key);
    }
    Err(VaultError::Locked { id })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A cheap cost, so tests do not each spend 64 MiB and a tenth of a second.
    pub(crate) const QUICK: Cost = Cost {
        memory_kib: 8 * 1024,
        passes: 1,
        lanes: 1,
    };

    #[test]
    fn a_vault_opens_with_its_passphrase_only_and_writes_nothing_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let made = create(dir.path(), "correct horse", QUICK).unwrap();
        let before = std::fs::read(file(dir.path())).unwrap();
        assert!(matches!(
            open(dir.path(), "wrong horse"),
            Err(VaultError::WrongPassphrase)
        ));
        assert_eq!(std::fs::read(file(dir.path())).unwrap(), before);
        let opened = open(dir.path(), "correct horse").unwrap();
        assert_eq!(opened.id(), made.id());
        assert_eq!(*opened.0.key, *made.0.key);
        assert!(matches!(
            create(dir.path(), "again", QUICK),
            Err(VaultError::Exists { .. })
        ));
        // The file names no key in the clear.
        let text = String::from_utf8(before).unwrap();
        assert!(!text.contains(&seal::to_text(&*made.0.key)));
    }

    #[test]
    fn a_new_passphrase_wraps_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let made = create(dir.path(), "first passphrase", QUICK).unwrap();
        change_passphrase(dir.path(), "first passphrase", "second passphrase").unwrap();
        assert!(matches!(
            open(dir.path(), "first passphrase"),
            Err(VaultError::WrongPassphrase)
        ));
        let key = open(dir.path(), "second passphrase").unwrap();
        assert_eq!(*key.0.key, *made.0.key);
        // Raised to the standard cost on the way.
        assert_eq!(info(dir.path()).unwrap().unwrap().cost, Cost::STANDARD);
    }

    #[test]
    fn a_tampered_or_absurd_vault_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), "a passphrase", QUICK).unwrap();
        let text = std::fs::read_to_string(file(dir.path())).unwrap();
        let lighter = text.replace("\"passes\": 1", "\"passes\": 2");
        std::fs::write(file(dir.path()), &lighter).unwrap();
        // The cost is bound to the wrapped key.
        assert!(matches!(
            open(dir.path(), "a passphrase"),
            Err(VaultError::WrongPassphrase)
        ));
        let huge = text.replace("\"memory_kib\": 8192", "\"memory_kib\": 4000000000");
        std::fs::write(file(dir.path()), huge).unwrap();
        assert!(matches!(
            open(dir.path(), "a passphrase"),
            Err(VaultError::Unreadable { .. })
        ));
    }

    #[cfg(not(feature = "keyring"))]
    #[test]
    fn without_the_keyring_built_in_it_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let key = create(dir.path(), "a passphrase", QUICK).unwrap();
        assert!(from_keyring(dir.path()).is_none());
        let Err(VaultError::Keyring(why)) = keyring::save(&key).map_err(VaultError::Keyring) else {
            panic!("saved without a keyring");
        };
        assert!(why.to_string().contains("--features keyring"), "{why}");
    }

    #[test]
    fn a_key_from_elsewhere_must_open_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let key = create(dir.path(), "a passphrase", QUICK).unwrap();
        let (vault, info) = read_file(dir.path()).unwrap().unwrap();
        let check = seal::from_text(vault.check.as_deref().unwrap()).unwrap();
        let place = [CHECK_PLACE, info.id.bytes()].concat();
        assert!(seal::open(&key, &place, &check).is_ok());
        let stale = DataKey::random_for_tests();
        assert!(seal::open(&stale, &place, &check).is_err());
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(to_hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(from_hex("00AB10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
    }
}
