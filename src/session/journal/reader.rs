//! Reading a journal back, line by line ([`Walk`]): each line's checksum,
//! its envelope when the record is sealed, its number, and its link to the
//! line before. Every reader goes through the walk — the strict [`parse`]
//! that reopening and resuming use, the tolerant reading of `show` and
//! history, and `stillpoint verify` — so they cannot disagree about a line.
//!
//! What a crash can leave is told apart from what only a change can: a
//! crash leaves at most one last line that is cut short (or fails its
//! checksum, as zeros left by a file that grew do). A whole line whose
//! checksum holds but whose number, link or seal is wrong was written by
//! something other than stillpoint's journal.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::chain::{self, Link};
use super::{Contents, JournalError, envelope, line};
use crate::clock::Moment;
use crate::session::record::{CHAIN_SINCE, CHECKSUMS_SINCE, Entry, Logged};
use crate::vault::{DataKey, VaultError, VaultId};

/// A numbered line as read. `at` defaults to zero for the first line of
/// version 1 journals, which had none.
#[derive(Deserialize)]
struct LineIn<'a> {
    seq: u64,
    #[serde(default)]
    at: Moment,
    #[serde(flatten)]
    entry: Entry,
    /// The link to the line before (version 4 on), as its hex text: read
    /// as bytes, since it is only compared.
    #[serde(borrow, default)]
    prev: Option<Raw<'a>>,
}

impl<'a> LineIn<'a> {
    /// Reads a line's JSON. A progress line (three in four of a record) is
    /// read in one pass straight into its fields; any other line takes a
    /// second pass for its entry. Anything the quick pass does not take is
    /// read the general way, which also gives the error.
    fn read(json: &'a [u8]) -> serde_json::Result<LineIn<'a>> {
        let Ok(head) = serde_json::from_slice::<Head>(json) else {
            return serde_json::from_slice(json);
        };
        let entry = match (&*head.event, head.step, head.elapsed) {
            ("progress", Some(step), Some(elapsed)) => Entry::Progress { step, elapsed },
            _ => match serde_json::from_slice::<Entry>(json) {
                Ok(entry) => entry,
                Err(_) => return serde_json::from_slice(json),
            },
        };
        Ok(LineIn {
            seq: head.seq,
            at: head.at,
            entry,
            prev: head.prev,
        })
    }
}

/// A string's bytes as they stand in the JSON, borrowed where they can
/// be: no UTF-8 check and no copy, for text that is only compared.
struct Raw<'a>(Cow<'a, [u8]>);

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Raw<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Raw<'de>, E> {
                Ok(Raw(Cow::Borrowed(v)))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
                Ok(Raw(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Raw<'de>, E> {
                Ok(Raw(Cow::Owned(v.to_vec())))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
                Ok(Raw(Cow::Owned(v.as_bytes().to_vec())))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

/// What every line has, read without buffering the rest: its number, time,
/// event and link, and the two fields of a progress line. Other fields are
/// skipped.
#[derive(Deserialize)]
struct Head<'a> {
    seq: u64,
    #[serde(default)]
    at: Moment,
    #[serde(borrow)]
    event: Cow<'a, str>,
    #[serde(default)]
    step: Option<usize>,
    #[serde(default, with = "crate::session::record::opt_secs")]
    elapsed: Option<Duration>,
    #[serde(borrow, default)]
    prev: Option<Raw<'a>>,
}

/// A line's JSON once checked: as written, or opened from its seal.
enum Clear {
    /// The line was in the clear: its JSON is the line as written (the
    /// checksum is one more field, which the reading ignores).
    Plain,
    /// The line was sealed; what was sealed (a whole line).
    Opened(Vec<u8>),
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// It has no newline: cut short (a crash while writing it).
    #[error("the line is incomplete")]
    Incomplete,
    /// Its checksum does not match its bytes.
    #[error("its checksum does not match: the line was changed")]
    Checksum,
    /// It has no checksum where every line has one.
    #[error("it has no checksum")]
    NoChecksum,
    /// It is not a record line.
    #[error("{0}")]
    Unreadable(String),
    /// Its number is not the next one.
    #[error("its sequence number is {found}, expected {expected}")]
    Numbered {
        /// The number it has.
        found: u64,
        /// The number it should have.
        expected: u64,
    },
    /// It carries no link to the line before, where every line has one.
    #[error("it carries no link to the line before")]
    Unlinked,
    /// Its link does not match the line before it.
    #[error("it does not follow the line before it (the chain is broken)")]
    Broken,
    /// It does not open under the vault's key at its place.
    #[error("it does not open under the vault's key at this place in this record")]
    Forged,
    /// A line in the clear in a sealed record, or a sealed one in a record
    /// in the clear.
    #[error("it is sealed differently from the record's first line")]
    Mixed,
    /// It is sealed by a vault whose key this run does not hold.
    #[error("it is sealed by vault {0}, which is not open")]
    Locked(VaultId),
}

impl Problem {
    /// Damage a crash (or a failing disk) can cause: a line cut short or
    /// with bytes that do not match their checksum.
    pub fn physical(&self) -> bool {
        matches!(
            self,
            Problem::Incomplete | Problem::Checksum | Problem::NoChecksum | Problem::Unreadable(_)
        )
    }
}

/// One line as the walk read it.
#[derive(Debug, Clone)]
pub struct LineRead {
    /// Its number in the file, from 1.
    pub number: usize,
    /// Where it starts in the bytes.
    pub start: usize,
    /// Where it ends, after its newline.
    pub end: usize,
    /// It ends with a newline.
    pub complete: bool,
    /// The SHA-256 of the line in the clear, when it could be read that far.
    pub link: Option<Link>,
    /// Its sequence number, when it could be read.
    pub seq: Option<u64>,
    /// Its record, when it could be read (even if something else is wrong).
    pub entry: Option<Logged>,
    /// What is wrong with it, first thing found.
    pub problem: Option<Problem>,
}

/// How the record is sealed, as its first line says.
enum Seal {
    /// No line read yet.
    Unknown,
    /// In the clear.
    Plain,
    /// Sealed by `vault`; `binding` is the first sealed line's hash.
    Sealed {
        vault: VaultId,
        key: Option<DataKey>,
        binding: Link,
    },
}

/// A walk through a journal's bytes, one line at a time.
pub struct Walk<'a> {
    bytes: &'a [u8],
    /// The record's file, where its vault's key may be asked for.
    path: Option<&'a Path>,
    offset: usize,
    number: usize,
    version: Option<u32>,
    seal: Seal,
    /// The link of the line before, and whether it was read whole.
    prev: Option<Link>,
    /// Why the key of a sealed record could not be had.
    locked: Option<VaultError>,
}

impl<'a> Walk<'a> {
    /// A walk through `bytes`, the record at `path` if it is a file (where
    /// the key of a sealed record is looked for).
    pub fn new(bytes: &'a [u8], path: Option<&'a Path>) -> Walk<'a> {
        Walk {
            bytes,
            path,
            offset: 0,
            number: 0,
            version: None,
            seal: Seal::Unknown,
            prev: None,
            locked: None,
        }
    }

    /// The record's format version, once its first line is read.
    pub fn version(&self) -> Option<u32> {
        self.version
    }

    /// Whether lines carry links (version 4 on).
    pub fn chained(&self) -> bool {
        self.version.is_some_and(|v| v >= CHAIN_SINCE)
    }

    /// The vault that sealed the record, and the first sealed line's hash.
    pub fn sealed(&self) -> Option<(VaultId, Link)> {
        match &self.seal {
            Seal::Sealed { vault, binding, .. } => Some((*vault, *binding)),
            _ => None,
        }
    }

    /// Why a sealed record's key could not be had, if it could not.
    pub fn take_locked(&mut self) -> Option<VaultError> {
        self.locked.take()
    }

    /// Whether lines must carry a checksum.
    fn checked(&self) -> bool {
        self.version.is_some_and(|v| v >= CHECKSUMS_SINCE)
            || matches!(self.seal, Seal::Sealed { .. })
    }

    /// Whether a bad last line may be taken for a torn tail: any damage in
    /// records without links; in chained or sealed ones, only damage a
    /// crash can cause.
    pub fn torn(&self, problem: &Problem) -> bool {
        problem.physical() || (!self.chained() && !matches!(self.seal, Seal::Sealed { .. }))
    }

    /// Whether the line's checksum is right (or it may have none).
    fn check(&self, raw: &[u8]) -> Result<(), Problem> {
        match line::check(raw) {
            Ok(()) => Ok(()),
            Err(line::Check::Mismatch) => Err(Problem::Checksum),
            Err(line::Check::Missing) if self.checked() => Err(Problem::NoChecksum),
            Err(line::Check::Missing) => Ok(()),
        }
    }

    /// The line in the clear, opening its envelope when it is sealed.
    fn in_the_clear(&mut self, raw: &[u8]) -> Result<Clear, Problem> {
        let sealed = envelope::is_sealed(raw);
        match (&self.seal, sealed) {
            (Seal::Unknown, false) => {
                self.seal = Seal::Plain;
                return Ok(Clear::Plain);
            }
            (Seal::Plain, false) => return Ok(Clear::Plain),
            (Seal::Plain, true) | (Seal::Sealed { .. }, false) => return Err(Problem::Mixed),
            _ => {}
        }
        let env = envelope::read(raw).map_err(|e| Problem::Unreadable(e.to_string()))?;
        if matches!(self.seal, Seal::Unknown) {
            let vault = env
                .vault_id()
                .ok_or_else(|| Problem::Unreadable("its vault is not named".into()))?;
            self.seal = Seal::Sealed {
                vault,
                key: self.key_of(vault),
                binding: chain::link(raw),
            };
        }
        let Seal::Sealed {
            vault,
            key,
            binding,
        } = &self.seal
        else {
            return Err(Problem::Mixed);
        };
        let key = key.as_ref().ok_or(Problem::Locked(*vault))?;
        let binding = if self.number == 1 { [0; 32] } else { *binding };
        env.open(key, &binding)
            .map(Clear::Opened)
            .map_err(|_| Problem::Forged)
    }

    /// The key of `vault`, asked for where the record's folder allows.
    fn key_of(&mut self, vault: VaultId) -> Option<DataKey> {
        let found = match self.path {
            Some(path) => crate::vault::for_record(path, vault),
            None => crate::vault::held(vault).ok_or(VaultError::Locked { id: vault }),
        };
        found.map_err(|e| self.locked = Some(e)).ok()
    }

    /// Reads one complete line into `read`.
    fn take(&mut self, raw: &[u8], read: &mut LineRead) -> Result<(), Problem> {
        self.check(raw)?;
        let opened;
        let json = match self.in_the_clear(raw)? {
            // In the clear: the line is linked as written, and its checked
            // JSON is what is read.
            Clear::Plain => {
                read.link = Some(chain::link(raw));
                raw
            }
            // A sealed line holds a whole line in the clear, checksum and
            // all (none, for lines sealed from a record older than
            // checksums).
            Clear::Opened(plain) => {
                read.link = Some(chain::link(&plain));
                match line::check(&plain) {
                    Ok(()) => {}
                    Err(line::Check::Missing) if plain.ends_with(b"}") => {}
                    Err(_) => return Err(Problem::Checksum),
                }
                opened = plain;
                &opened[..]
            }
        };
        let parsed = LineIn::read(json).map_err(|e| Problem::Unreadable(e.to_string()))?;
        if self.number == 1 {
            self.version = match &parsed.entry {
                Entry::Opened(o) => Some(o.version),
                _ => None,
            };
        }
        read.seq = Some(parsed.seq);
        read.entry = Some(Logged {
            at: parsed.at,
            entry: parsed.entry,
        });
        let expected = self.number as u64 - 1;
        if parsed.seq != expected {
            return Err(Problem::Numbered {
                found: parsed.seq,
                expected,
            });
        }
        if self.chained() && self.number > 1 {
            let Some(Raw(prev)) = &parsed.prev else {
                return Err(Problem::Unlinked);
            };
            // After a line that could not be read, its successor's link
            // cannot be checked: the damage is that line's.
            if let Some(before) = self.prev
                && !chain::is_link_to(prev, &before)
            {
                return Err(Problem::Broken);
            }
        }
        Ok(())
    }

    /// A line read on its own, out of its place (`read_last`): its
    /// envelope opened with `seq` from the envelope itself, no number or
    /// link checked.
    pub fn alone(&mut self, raw: &[u8]) -> Option<Logged> {
        self.check(raw).ok()?;
        let plain = if envelope::is_sealed(raw) {
            let env = envelope::read(raw).ok()?;
            let Seal::Sealed {
                key: Some(key),
                binding,
                ..
            } = &self.seal
            else {
                return None;
            };
            let binding = if env.seq == 0 { [0; 32] } else { *binding };
            // What was sealed is a whole line, checksum and all.
            let plain = env.open(key, &binding).ok()?;
            line::check(&plain).ok()?;
            Cow::Owned(plain)
        } else if matches!(self.seal, Seal::Sealed { .. }) {
            return None;
        } else {
            // In the clear: checked above.
            Cow::Borrowed(raw)
        };
        let parsed = LineIn::read(&plain).ok()?;
        Some(Logged {
            at: parsed.at,
            entry: parsed.entry,
        })
    }
}

impl Iterator for Walk<'_> {
    type Item = LineRead;

    fn next(&mut self) -> Option<LineRead> {
        let rest = self.bytes.get(self.offset..).filter(|r| !r.is_empty())?;
        let (raw, complete) = match memchr::memchr(b'\n', rest) {
            Some(end) => (&rest[..end], true),
            None => (rest, false),
        };
        self.number += 1;
        let mut read = LineRead {
            number: self.number,
            start: self.offset,
            end: self.offset + raw.len() + usize::from(complete),
            complete,
            link: None,
            seq: None,
            entry: None,
            problem: None,
        };
        self.offset = read.end;
        if complete {
            read.problem = self.take(raw, &mut read).err();
        } else {
            read.problem = Some(Problem::Incomplete);
        }
        // The next line links to this one as it reads in the clear; after
        // a line that could not be read that far, the link is not checked.
        self.prev = read
            .link
            .filter(|_| !read.problem.as_ref().is_some_and(Problem::physical));
        Some(read)
    }
}

/// Reads journal bytes. Every line but the last must be a record numbered
/// one more than the line before (from 0), with a checksum that matches in
/// journals that have them, a link to the line before in journals that
/// have links, and an envelope that opens in sealed ones; a last line that
/// a crash could have left is left out and reported as a torn tail.
pub fn parse(bytes: &[u8]) -> Result<Contents, JournalError> {
    parse_at(bytes, None)
}

/// [`parse`] for the record at `path` (where a sealed record's key is
/// looked for).
pub fn parse_at(bytes: &[u8], path: Option<&Path>) -> Result<Contents, JournalError> {
    let mut walk = Walk::new(bytes, path);
    let mut contents = Contents::default();
    while let Some(read) = walk.next() {
        match (read.problem, read.entry) {
            (None, Some(entry)) => {
                contents.records.push(entry);
                contents.head = read.link;
                contents.valid_len = read.end as u64;
            }
            (Some(Problem::Locked(_)), _) => {
                let e = walk.take_locked();
                return Err(e.map_or(JournalError::NotARecord, JournalError::Vault));
            }
            (Some(problem), _) if read.end >= bytes.len() && walk.torn(&problem) => {
                contents.torn_tail = true;
                break;
            }
            (problem, _) => {
                return Err(JournalError::Damaged {
                    line: read.number,
                    problem: problem.unwrap_or(Problem::Unreadable("no record".into())),
                });
            }
        }
    }
    contents.chained = walk.chained();
    contents.sealed = walk.sealed();
    Ok(contents)
}

/// Reads the journal at `path` (without locking it: readers never write).
/// Only a plain file is read, never through a symbolic link, and never more
/// than [`MAX_RECORD`](super::MAX_RECORD).
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    parse_at(
        &crate::files::read_private(path, super::MAX_RECORD)?,
        Some(path),
    )
}

/// The last complete record of the journal at `path`, read from its end
/// (and, when it is sealed, its first line for the key): a closed journal's
/// last line is its summary, so history need not read whole files. `None`
/// if the last few kilobytes hold no complete record (a very long line, or
/// a torn one) or its checksum or seal is wrong.
pub fn read_last(path: &Path) -> std::io::Result<Option<Logged>> {
    use std::io::{Read, Seek, SeekFrom};
    const TAIL: u64 = 8 * 1024;
    let (mut file, len) =
        crate::files::open_private(path, super::MAX_RECORD).map_err(std::io::Error::other)?;
    let mut head = Vec::new();
    (&mut file).take(TAIL).read_to_end(&mut head)?;
    let start = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity((len - start) as usize);
    file.take(TAIL).read_to_end(&mut buf)?;
    // The tail must end with a newline to be complete; the line before it
    // must begin after a newline (or at the start of the file).
    let Some(body) = buf.strip_suffix(b"\n") else {
        return Ok(None);
    };
    let last = match body.iter().rposition(|&b| b == b'\n') {
        Some(i) => &body[i + 1..],
        None if start == 0 => body,
        None => return Ok(None),
    };
    // The first line says whether the record is sealed, and by which vault.
    let first_end = head
        .iter()
        .position(|&b| b == b'\n')
        .map_or(head.len(), |i| i + 1);
    let mut walk = Walk::new(&head[..first_end], Some(path));
    if walk.next().and_then(|l| l.entry).is_none() {
        return Ok(None);
    }
    Ok(walk.alone(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line as read: its number, moment, entry and link.
    type Read = (u64, Moment, Entry, Option<Vec<u8>>);

    /// Reads `json` both ways: the quick reading and the general one it
    /// stands in for; whether they agree.
    fn both(json: &[u8]) -> (Option<Read>, bool) {
        let plain = |l: LineIn<'_>| (l.seq, l.at, l.entry, l.prev.map(|Raw(p)| p.into_owned()));
        let quick = LineIn::read(json).ok().map(plain);
        let general = serde_json::from_slice::<LineIn>(json).ok().map(plain);
        let same = quick == general;
        (quick, same)
    }

    /// Every line of the fixture records, as written and bent out of shape
    /// (keys in another order, a link spelt with an escape, fields missing
    /// or of the wrong kind, a duplicated field), reads the same the quick
    /// way as the general way.
    #[test]
    fn the_quick_reading_agrees_with_the_general_one_on_every_line() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/sessions");
        let mut lines = 0;
        let mut read = 0;
        for file in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                // The quick pass itself takes every line as written (a
                // reading that always fell back would agree, slowly).
                assert!(serde_json::from_slice::<Head>(line).is_ok());
                let value: serde_json::Value = serde_json::from_slice(line).unwrap();
                let serde_json::Value::Object(map) = value else {
                    panic!("not an object")
                };
                let mut variants = vec![line.to_vec(), serde_json::to_vec(&map).unwrap()];
                for (key, bad) in [
                    ("elapsed", serde_json::json!("soon")),
                    ("step", serde_json::json!(-1)),
                    ("seq", serde_json::json!("3")),
                    ("prev", serde_json::json!(7)),
                    ("event", serde_json::json!("no_such_event")),
                ] {
                    let mut m = map.clone();
                    m.insert(key.into(), bad);
                    variants.push(serde_json::to_vec(&m).unwrap());
                    let mut m = map.clone();
                    m.remove(key);
                    variants.push(serde_json::to_vec(&m).unwrap());
                }
                let text = String::from_utf8(line.to_vec()).unwrap();
                variants.push(
                    text.replacen("\"prev\":\"", "\"prev\":\"\\u0030", 1)
                        .into_bytes(),
                );
                variants.push(
                    text.replacen("{\"seq\":", "{\"seq\":1,\"seq\":", 1)
                        .into_bytes(),
                );
                for v in variants {
                    let (quick, same) = both(&v);
                    assert!(same, "{}", String::from_utf8_lossy(&v));
                    lines += 1;
                    read += usize::from(quick.is_some());
                }
            }
        }
        // Over a hundred thousand lines, about a third of them readable
        // (each good line, reordered, with an escape, or missing a field
        // that has a default).
        assert!(lines > 100_000 && read > lines / 4, "{lines} {read}");
    }
}
