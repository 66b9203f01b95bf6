//! `stillpoint backup OUT`: the data folder in one file — a tar archive
//! (the vault file, the preferences, the index, every record, and last
//! `manifest.json` with every file's size and SHA-256) in a zstd frame,
//! and, when the vault is on, sealed whole.
//!
//! A sealed backup is `stillpoint-backup` and a format byte, the vault file
//! (its data key wrapped under the passphrase, so the passphrase alone
//! opens the backup on a new machine), a random 19-byte nonce, and the
//! archive as a STREAM of XChaCha20-Poly1305 chunks of 64 KiB: a chunk
//! changed, moved, dropped, or the backup cut short, fails to open. Its
//! records are sealed line by line already, which leaves nothing for zstd
//! to win back but base64's quarter, at the pure-Rust encoder's ~14 MB/s;
//! so its zstd frame stores them as they are. Without the vault the frame
//! is compressed, and the file is a `.tar.zst` any zstd-aware tar lists.
//!
//! Everything streams: one file in memory at a time, the archive built on
//! one thread and compressed and sealed on the other. Consistent while a
//! session runs: every record is read once and cut after its last complete
//! line (a line being written is not yet part of the record).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use aead_stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::Payload;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CareError;
use crate::session::folder::record_files;
use crate::vault::DataKey;

/// The first bytes of a sealed backup (and its format).
pub const MAGIC: &[u8; 18] = b"stillpoint-backup\x01";
/// A zstd frame's first bytes: a backup without the vault.
pub const ZSTD: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// Plaintext bytes per sealed chunk.
pub const CHUNK: usize = 64 * 1024;
/// What every chunk of a backup is sealed to.
const PLACE: &[u8] = b"stillpoint backup\0";
/// The manifest's name in the archive: its last file.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Its path in the data folder, `/`-separated.
    pub path: String,
    /// Its size.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Its modification time, in nanoseconds since 1970 (tar keeps whole
    /// seconds; the index knows records by the exact time).
    #[serde(default)]
    pub mtime_ns: u64,
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

/// Seals what is written to it as a STREAM of [`CHUNK`]s: a full chunk is
/// sealed once more follows it; [`Sealer::finish`] seals the last.
pub struct Sealer<W: Write> {
    inner: W,
    stream: EncryptorBE32<XChaCha20Poly1305>,
    buf: Vec<u8>,
}

impl<W: Write> Sealer<W> {
    /// Writes the sealed backup's header to `inner` and starts the stream.
    pub fn new(mut inner: W, key: &DataKey, vault_file: &[u8]) -> io::Result<Sealer<W>> {
        let mut nonce = [0u8; 19];
        getrandom::fill(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
        let len = u32::try_from(vault_file.len()).map_err(io::Error::other)?;
        inner.write_all(MAGIC)?;
        inner.write_all(&len.to_be_bytes())?;
        inner.write_all(vault_file)?;
        inner.write_all(&nonce)?;
        Ok(Sealer {
            inner,
            stream: EncryptorBE32::new(key.key(), &nonce.into()),
            buf: Vec::with_capacity(CHUNK),
        })
    }

    /// Seals the last chunk and hands back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        let sealed = self
            .stream
            .encrypt_last(Payload {
                msg: &self.buf,
                aad: PLACE,
            })
            .map_err(|_| io::Error::other("the backup could not be sealed"))?;
        self.inner.write_all(&sealed)?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.buf.len() == CHUNK && !bytes.is_empty() {
            let sealed = self
                .stream
                .encrypt_next(Payload {
                    msg: &self.buf,
                    aad: PLACE,
                })
                .map_err(|_| io::Error::other("the backup could not be sealed"))?;
            self.inner.write_all(&sealed)?;
            self.buf.clear();
        }
        let n = bytes.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Opens what [`Sealer`] sealed, as it is read: each chunk checked before
/// its bytes are given out, the last known by nothing following it.
pub struct Unsealer<R: Read> {
    inner: R,
    stream: Option<DecryptorBE32<XChaCha20Poly1305>>,
    /// The next sealed chunk, read ahead.
    next: Vec<u8>,
    /// Opened bytes not yet given out.
    out: Vec<u8>,
    at: usize,
}

/// Reads up to `n` bytes (fewer only at the end).
fn read_up_to(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

impl<R: Read> Unsealer<R> {
    /// Reads a sealed backup's header from `inner`: the vault file it
    /// carries, and the stream's nonce. `None` when it is not one.
    pub fn header(inner: &mut R) -> io::Result<Option<(Vec<u8>, [u8; 19])>> {
        let magic = read_up_to(inner, MAGIC.len())?;
        if magic != MAGIC {
            return Ok(None);
        }
        let len = read_up_to(inner, 4)?;
        let len = u32::from_be_bytes(len.try_into().map_err(|_| io::ErrorKind::UnexpectedEof)?);
        let vault_file = read_up_to(inner, len.min(64 * 1024) as usize)?;
        let nonce = read_up_to(inner, 19)?;
        let nonce = nonce.try_into().map_err(|_| io::ErrorKind::UnexpectedEof)?;
        Ok(Some((vault_file, nonce)))
    }

    /// Opens the stream after the header, with `key`.
    pub fn new(mut inner: R, key: &DataKey, nonce: &[u8; 19]) -> io::Result<Unsealer<R>> {
        let next = read_up_to(&mut inner, CHUNK + 16)?;
        Ok(Unsealer {
            inner,
            stream: Some(DecryptorBE32::new(key.key(), &(*nonce).into())),
            next,
            out: Vec::new(),
            at: 0,
        })
    }

    /// Opens the chunk read ahead.
    fn open_next(&mut self) -> io::Result<()> {
        let bad = || {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "it does not open: changed or cut short",
            )
        };
        let chunk = std::mem::take(&mut self.next);
        let following = read_up_to(&mut self.inner, CHUNK + 16)?;
        let payload = Payload {
            msg: &chunk,
            aad: PLACE,
        };
        self.out = if following.is_empty() {
            let stream = self.stream.take().ok_or_else(bad)?;
            stream.decrypt_last(payload).map_err(|_| bad())?
        } else {
            let stream = self.stream.as_mut().ok_or_else(bad)?;
            stream.decrypt_next(payload).map_err(|_| bad())?
        };
        self.next = following;
        self.at = 0;
        Ok(())
    }
}

impl<R: Read> Read for Unsealer<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.stream.is_none() {
                return Ok(0);
            }
            self.open_next()?;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A writer that keeps the first error and reports success, for the zstd
/// encoder (which would panic on an error); [`Latched::result`] gives it.
struct Latched<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Write for Latched<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.error.is_none()
            && let Err(e) = self.inner.write_all(bytes)
        {
            self.error = Some(e);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Latched<W> {
    fn result(self) -> io::Result<W> {
        self.error.map_or(Ok(self.inner), Err)
    }
}

/// A reader that retries interrupted reads and ends at an error (for the
/// zstd encoder, which would panic); the archive's thread reports it.
struct Patient<R: Read>(R);

impl<R: Read> Read for Patient<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Ok(0),
                ok => return ok,
            }
        }
    }
}

/// The files that go in, in order: (path in the data folder, file).
fn files_of(data: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut files: Vec<(String, PathBuf)> = [
        crate::vault::FILE.to_owned(),
        crate::settings::prefs::FILE.to_owned(),
        format!("sessions/{}", crate::history::INDEX),
    ]
    .into_iter()
    .map(|name| (name.clone(), data.join(&name)))
    .filter(|(_, p)| std::fs::symlink_metadata(p).is_ok())
    .collect();
    for path in record_files(&data.join("sessions"))? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((format!("sessions/{name}"), path));
    }
    Ok(files)
}

/// A file's modification time, in nanoseconds since 1970.
fn mtime_of(path: &Path) -> u64 {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One file into the archive, under `name`, private; `mtime` in
/// nanoseconds since 1970.
fn append(
    tar: &mut tar::Builder<impl Write>,
    name: &str,
    bytes: &[u8],
    mtime: u64,
) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_path(name)?;
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(mtime / 1_000_000_000);
    header.set_cksum();
    tar.append(&header, bytes)
}

/// Builds the archive into `out`: every file (records cut after their last
/// whole line), then the manifest. Returns how many records went in, and
/// the ids of those cut.
fn archive(
    data: &Path,
    out: impl Write,
    mut manifest: Manifest,
) -> io::Result<(usize, Vec<String>)> {
    let mut tar = tar::Builder::new(out);
    let mut cut = Vec::new();
    let mut records = 0;
    for (name, path) in files_of(data)? {
        let mut bytes = match crate::files::read_private(
            &path,
            crate::session::journal::MAX_RECORD.max(256 << 20),
        ) {
            Ok(b) => b,
            Err(crate::files::ReadError::NotFound) => continue,
            Err(e) => return Err(io::Error::other(format!("{}: {e}", path.display()))),
        };
        if name.ends_with(".jsonl") {
            records += 1;
            let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            if whole < bytes.len() {
                cut.push(crate::session::journal::session_id(&path));
                bytes.truncate(whole);
            }
        }
        let mtime_ns = mtime_of(&path);
        append(&mut tar, &name, &bytes, mtime_ns)?;
        manifest.files.push(FileEntry {
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            mtime_ns,
            path: name,
        });
    }
    let json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    append(&mut tar, MANIFEST, &json, 0)?;
    tar.into_inner()?.flush()?;
    Ok((records, cut))
}

/// Compresses (or, sealed, only frames) what `source` gives into `drain`.
fn compress<W: Write>(source: impl Read, drain: W, sealed: bool) -> io::Result<W> {
    use ruzstd::encoding::CompressionLevel;
    let level = if sealed {
        CompressionLevel::Uncompressed
    } else {
        CompressionLevel::Fastest
    };
    let mut latched = Latched {
        inner: drain,
        error: None,
    };
    ruzstd::encoding::compress(Patient(source), &mut latched, level);
    latched.result()
}

/// Writes a backup of `data` to `out` (a new private file; an existing one
/// is replaced only with `force`).
pub fn backup(data: &Path, out: &Path, force: bool, now: &jiff::Zoned) -> Result<Made, CareError> {
    let key = crate::vault::unlock_interactive(data)?;
    let vault_file = crate::vault::file_bytes(data)?.unwrap_or_default();
    let manifest = Manifest {
        format: 1,
        app: env!("CARGO_PKG_VERSION").to_owned(),
        made: crate::session::record::Stamp::of(now).to_string(),
        vault: key.as_ref().map(|k| k.id().to_string()),
        files: Vec::new(),
    };
    let write_error = |source| CareError::File {
        what: "write",
        path: out.to_owned(),
        source,
    };
    let mut file =
        crate::files::NewFile::create(out, force).map_err(|e| CareError::History(e.into()))?;
    let (reader, writer) = io::pipe().map_err(write_error)?;
    let (records, cut) = std::thread::scope(|scope| -> io::Result<(usize, Vec<String>)> {
        let builder = scope.spawn(|| archive(data, writer, manifest));
        let sink = io::BufWriter::with_capacity(CHUNK, &mut file.file);
        match &key {
            Some(key) => {
                let sealer = Sealer::new(sink, key, &vault_file)?;
                compress(reader, sealer, true)?.finish()?.flush()?;
            }
            None => compress(reader, sink, false)?.flush()?,
        }
        builder
            .join()
            .map_err(|_| io::Error::other("the archive could not be made"))?
    })
    .map_err(write_error)?;
    let size = file.file.metadata().map(|m| m.len()).unwrap_or(0);
    file.commit().map_err(|e| CareError::History(e.into()))?;
    Ok(Made {
        records,
        cut,
        size,
        sealed: key.is_some(),
    })
}
