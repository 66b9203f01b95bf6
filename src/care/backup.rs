//! `stillpoint backup OUT`: the data folder in one file — a tar archive
//! (`manifest.json` first, then the vault file, the preferences, the index
//! and every record), compressed with zstd, and, when the vault is on,
//! sealed whole.
//!
//! A sealed backup is `stillpoint-backup` and a format byte, the vault file
//! (its data key wrapped under the passphrase, so the passphrase alone
//! opens the backup on a new machine), a random 19-byte nonce, and the
//! compressed archive as a STREAM of XChaCha20-Poly1305 chunks of 64 KiB:
//! a chunk changed, moved, dropped, or the backup cut short, fails to open.
//! Without the vault the file is a plain `.tar.zst` any zstd-aware tar
//! lists.
//!
//! Consistent while a session runs: every record is read once, whole, and
//! cut after its last complete line (a line being written is not yet part
//! of the record). The manifest keeps each file's size and SHA-256, and
//! each record's line count and head, which `restore` checks before it
//! writes anything.

use std::path::Path;

use aead_stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::Payload;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CareError;
use crate::session::folder::record_files;
use crate::session::journal::chain;
use crate::vault::DataKey;

/// The first bytes of a sealed backup (and its format).
pub const MAGIC: &[u8; 18] = b"stillpoint-backup\x01";
/// A zstd frame's first bytes: an unsealed backup.
pub const ZSTD: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// Plaintext bytes per sealed chunk.
const CHUNK: usize = 64 * 1024;
/// What every chunk of a backup is sealed to.
const PLACE: &[u8] = b"stillpoint backup\0";
/// The manifest's name in the archive.
pub const MANIFEST: &str = "manifest.json";

/// What a backup holds, checked on restore.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The manifest's format.
    pub format: u32,
    /// The stillpoint that made it.
    pub app: String,
    /// When, RFC 3339.
    pub made: String,
    /// The vault that sealed it, if one did.
    #[serde(default)]
    pub vault: Option<String>,
    /// Every file, in the order of the archive.
    pub files: Vec<FileEntry>,
}

/// One file in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Its path in the data folder, `/`-separated.
    pub path: String,
    /// Its size.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// A record's whole lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// A record's head (its last line's hash in the clear), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

/// A file going into the backup.
struct Taken {
    path: String,
    bytes: Vec<u8>,
    mtime: u64,
}

/// What `backup` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// Records in it.
    pub records: usize,
    /// Records that were being written (taken up to their last whole line)
    /// or ended in a torn line (left out).
    pub cut: Vec<String>,
    /// Bytes written.
    pub size: u64,
    /// Sealed by the vault.
    pub sealed: bool,
}

/// SHA-256 in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::vault::to_hex(&Sha256::digest(bytes))
}

fn mtime_of(path: &Path) -> u64 {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

fn read_error(path: &Path) -> impl FnOnce(crate::files::ReadError) -> CareError {
    let path = path.to_owned();
    move |e| CareError::File {
        what: "read",
        path,
        source: std::io::Error::other(e),
    }
}

/// The data folder's files as they go in: records cut after their last
/// whole line.
fn take(data: &Path, cut: &mut Vec<String>) -> Result<Vec<Taken>, CareError> {
    let mut taken = Vec::new();
    let mut small = |name: &str| -> Result<(), CareError> {
        let path = data.join(name);
        match crate::files::read_private(&path, 256 << 20) {
            Ok(bytes) => taken.push(Taken {
                path: name.to_owned(),
                bytes,
                mtime: mtime_of(&path),
            }),
            Err(crate::files::ReadError::NotFound) => {}
            Err(e) => return Err(read_error(&path)(e)),
        }
        Ok(())
    };
    small(crate::vault::FILE)?;
    small(crate::settings::prefs::FILE)?;
    small(&format!("sessions/{}", crate::history::INDEX))?;
    let sessions = data.join("sessions");
    let files = record_files(&sessions).map_err(|source| CareError::File {
        what: "read",
        path: sessions.clone(),
        source,
    })?;
    for path in files {
        let mut bytes = crate::files::read_private(&path, crate::session::journal::MAX_RECORD)
            .map_err(read_error(&path))?;
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        if whole < bytes.len() {
            cut.push(crate::session::journal::session_id(&path));
            bytes.truncate(whole);
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        taken.push(Taken {
            path: format!("sessions/{name}"),
            bytes,
            mtime: mtime_of(&path),
        });
    }
    Ok(taken)
}

/// The manifest entry of a file (a record's lines and head from its walk).
fn listed(t: &Taken, data: &Path) -> FileEntry {
    let mut entry = FileEntry {
        path: t.path.clone(),
        size: t.bytes.len() as u64,
        sha256: sha256_hex(&t.bytes),
        lines: None,
        head: None,
    };
    if t.path.ends_with(".jsonl") {
        let path = data.join(&t.path);
        if let Ok(c) = crate::session::journal::parse_at(&t.bytes, Some(&path)) {
            entry.lines = Some(c.records.len() as u64);
            entry.head = c.head.as_ref().map(chain::to_hex);
        }
    }
    entry
}

/// The archive: the manifest, then every file.
fn archive(manifest: &Manifest, taken: &[Taken]) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    let mut put = |path: &str, bytes: &[u8], mtime: u64| {
        let mut header = tar::Header::new_ustar();
        header.set_path(path)?;
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        header.set_cksum();
        tar.append(&header, bytes)
    };
    put(MANIFEST, &json, 0)?;
    for t in taken {
        put(&t.path, &t.bytes, t.mtime)?;
    }
    tar.into_inner()
}

/// `plain` sealed as a backup under `key`, carrying `vault_file`.
fn seal(plain: &[u8], key: &DataKey, vault_file: &[u8]) -> Result<Vec<u8>, CareError> {
    let crypto = |_| CareError::Vault(crate::vault::VaultError::Crypto("sealing failed".into()));
    let mut nonce = [0u8; 19];
    getrandom::fill(&mut nonce)
        .map_err(|e| CareError::Vault(crate::vault::VaultError::Crypto(e.to_string())))?;
    let mut out = Vec::with_capacity(plain.len() + plain.len() / CHUNK * 16 + 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(vault_file.len() as u32).to_be_bytes());
    out.extend_from_slice(vault_file);
    out.extend_from_slice(&nonce);
    let mut stream = EncryptorBE32::<XChaCha20Poly1305>::new(key.key(), &nonce.into());
    let mut chunks = plain.chunks(CHUNK).peekable();
    loop {
        let chunk = chunks.next().unwrap_or_default();
        let payload = Payload {
            msg: chunk,
            aad: PLACE,
        };
        if chunks.peek().is_none() {
            out.extend(stream.encrypt_last(payload).map_err(crypto)?);
            return Ok(out);
        }
        out.extend(stream.encrypt_next(payload).map_err(crypto)?);
    }
}

/// A sealed backup's parts: the vault file it carries, and the rest.
pub fn sealed_parts(bytes: &[u8]) -> Option<(&[u8], &[u8; 19], &[u8])> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let vault_file = rest.get(4..4 + len)?;
    let nonce = rest.get(4 + len..4 + len + 19)?.try_into().ok()?;
    Some((vault_file, nonce, rest.get(4 + len + 19..)?))
}

/// The compressed archive inside a sealed backup's `body`, if every chunk
/// opens in its place and the last is marked last.
pub fn open_sealed(body: &[u8], nonce: &[u8; 19], key: &DataKey) -> Option<Vec<u8>> {
    let mut stream = DecryptorBE32::<XChaCha20Poly1305>::new(key.key(), &(*nonce).into());
    let mut out = Vec::with_capacity(body.len());
    let mut chunks = body.chunks(CHUNK + 16).peekable();
    loop {
        let chunk = chunks.next()?;
        let payload = Payload {
            msg: chunk,
            aad: PLACE,
        };
        if chunks.peek().is_none() {
            out.extend(stream.decrypt_last(payload).ok()?);
            return Some(out);
        }
        out.extend(stream.decrypt_next(payload).ok()?);
    }
}

/// Writes a backup of `data` to `out` (a new private file; an existing one
/// is replaced only with `force`).
pub fn backup(data: &Path, out: &Path, force: bool, now: &jiff::Zoned) -> Result<Made, CareError> {
    let key = crate::vault::unlock_interactive(data)?;
    let mut cut = Vec::new();
    let taken = take(data, &mut cut)?;
    let manifest = Manifest {
        format: 1,
        app: env!("CARGO_PKG_VERSION").to_owned(),
        made: crate::session::record::Stamp::of(now).to_string(),
        vault: key.as_ref().map(|k| k.id().to_string()),
        files: taken.iter().map(|t| listed(t, data)).collect(),
    };
    let write_error = |source| CareError::File {
        what: "write",
        path: out.to_owned(),
        source,
    };
    let tar = archive(&manifest, &taken).map_err(write_error)?;
    let compressed = ruzstd::encoding::compress_to_vec(
        tar.as_slice(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    let bytes = match &key {
        Some(key) => {
            let vault_file = crate::vault::file_bytes(data)?.unwrap_or_default();
            seal(&compressed, key, &vault_file)?
        }
        None => compressed,
    };
    let mut file =
        crate::files::NewFile::create(out, force).map_err(|e| CareError::History(e.into()))?;
    std::io::Write::write_all(&mut file.file, &bytes).map_err(write_error)?;
    file.commit().map_err(|e| CareError::History(e.into()))?;
    Ok(Made {
        records: taken.iter().filter(|t| t.path.ends_with(".jsonl")).count(),
        cut,
        size: bytes.len() as u64,
        sealed: key.is_some(),
    })
}
