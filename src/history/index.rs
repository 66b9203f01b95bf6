//! The index of the records in a sessions folder (`sessions/.index`):
//! one line per record (closed, or cut off; never a damaged or altered one,
//! which is read again every time), its id, summary and state, with the record's length and
//! modification time when it was read, and its *anchor* — how many lines it
//! had and the hash of the last ([`chain`](crate::session::journal::chain)).
//!
//! The summaries only save reading thousands of files; the records stay the
//! truth. An index line is believed only while its record still has that
//! length and time and the line's own checksum holds, so a record changed
//! since (or a line edited by hand) is read from the file again, and a lost
//! or damaged index is rebuilt from the records. The anchors are what a
//! record's own bytes cannot say: that lines were cut from its end. A
//! record read again must still hold the anchored line at its place.
//!
//! With the vault on, every index line is sealed (`{"sealed":"…"}`, bound
//! to the index and the vault), like the records.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::session::journal::chain::{self, Link};
use crate::session::journal::{line, session_id};
use crate::session::record::Summary;
use crate::vault::DataKey;
use crate::vault::seal;

/// The index's file name in the sessions folder.
pub const INDEX: &str = ".index";

/// The longest index read: ten thousand records take about 4 MB.
const MAX_INDEX: u64 = 256 << 20;

/// What every sealed index line is bound to, with the vault's id.
const PLACE: &[u8] = b"stillpoint index line\0";

/// A line of the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Indexed {
    pub(super) id: String,
    /// The record's length when it was indexed.
    pub(super) len: u64,
    /// The record's modification time then, in nanoseconds since 1970.
    pub(super) mtime: u64,
    pub(super) summary: Summary,
    /// How many whole lines the record had then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) lines: Option<u64>,
    /// The hash of its last line then, in hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) head: Option<String>,
    /// How it stood (a closed record's follows from its summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) status: Option<crate::session::report::State>,
}

/// Where a record stood when it was last indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    /// How many whole lines it had.
    pub lines: u64,
    /// The hash of the last of them, in the clear.
    pub head: Link,
}

impl Indexed {
    /// The anchor the line keeps, if it keeps one.
    pub(super) fn anchor(&self) -> Option<Anchor> {
        Some(Anchor {
            lines: self.lines?,
            head: chain::from_hex(self.head.as_deref()?)?,
        })
    }
}

impl Anchor {
    /// Whether a record whose lines hash to `links` still holds this
    /// anchor: at least as many lines, the anchored one unchanged.
    pub fn holds(&self, links: &[Option<Link>]) -> bool {
        usize::try_from(self.lines)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| links.get(i).copied().flatten())
            == Some(self.head)
    }
}

/// A record file's length and modification time, as the index keeps them.
pub(super) fn fingerprint(meta: &std::fs::Metadata) -> (u64, u64) {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    (meta.len(), mtime)
}

/// Adds a closed (or amended) record to the folder's index, with its
/// anchor. Failing to is harmless: history reads the record itself instead.
pub fn index_closed(sessions_dir: &Path, path: &Path, summary: &Summary) -> io::Result<()> {
    let contents = crate::session::journal::read(path).map_err(io::Error::other)?;
    let (len, mtime) = fingerprint(&std::fs::symlink_metadata(path)?);
    append_index(
        sessions_dir,
        &[Indexed {
            id: session_id(path),
            len,
            mtime,
            summary: summary.clone(),
            lines: Some(contents.records.len() as u64),
            head: contents.head.as_ref().map(chain::to_hex),
            status: None,
        }],
    )
}

/// The associated data of a sealed index line.
fn place(key: &DataKey) -> Vec<u8> {
    [PLACE, key.id().bytes()].concat()
}

/// One index line as written (without its newline).
fn encode(entry: &Indexed, key: Option<&DataKey>) -> io::Result<Vec<u8>> {
    let plain = line::seal(serde_json::to_vec(entry).map_err(io::Error::other)?);
    let Some(key) = key else {
        return Ok(plain);
    };
    let sealed = seal::seal(key, &place(key), &plain).map_err(io::Error::other)?;
    let json = serde_json::to_vec(&serde_json::json!({ "sealed": seal::to_text(&sealed) }))
        .map_err(io::Error::other)?;
    Ok(line::seal(json))
}

/// One index line read, if its checksum holds and (sealed) it opens.
fn decode(raw: &[u8], key: Option<&DataKey>) -> Option<Indexed> {
    let json = line::open(raw).ok()?;
    if !json.starts_with(b"{\"sealed\":\"") {
        return serde_json::from_slice(&json).ok();
    }
    #[derive(Deserialize)]
    struct Sealed {
        sealed: String,
    }
    let key = key?;
    let text: Sealed = serde_json::from_slice(&json).ok()?;
    let bytes = seal::from_text(&text.sealed).ok()?;
    let plain = seal::open(key, &place(key), &bytes).ok()?;
    serde_json::from_slice(&line::open(&plain).ok()?).ok()
}

/// The key the folder's index is sealed with, when its vault is on.
fn key_of(sessions_dir: &Path) -> io::Result<Option<DataKey>> {
    crate::vault::for_sessions(sessions_dir).map_err(io::Error::other)
}

pub(super) fn append_index(sessions_dir: &Path, lines: &[Indexed]) -> io::Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let key = key_of(sessions_dir)?;
    let mut text = Vec::new();
    for l in lines {
        text.extend(encode(l, key.as_ref())?);
        text.push(b'\n');
    }
    // One write: a crash can tear only the last line, which is skipped.
    crate::files::append_private(&sessions_dir.join(INDEX))?.write_all(&text)
}

/// The index's lines as written, each with its entry when it can be read.
fn lines(sessions_dir: &Path) -> Vec<(Option<Indexed>, Vec<u8>)> {
    let Ok(text) = crate::files::read_private(&sessions_dir.join(INDEX), MAX_INDEX) else {
        return Vec::new();
    };
    let key = key_of(sessions_dir).ok().flatten();
    text.split(|b| *b == b'\n')
        .filter(|raw| !raw.is_empty())
        .map(|raw| (decode(raw, key.as_ref()), raw.to_vec()))
        .collect()
}

/// The index's lines that can be read, by id (a later line wins).
pub(super) fn read_index(sessions_dir: &Path) -> HashMap<String, Indexed> {
    lines(sessions_dir)
        .into_iter()
        .filter_map(|(entry, _)| entry)
        .map(|i| (i.id.clone(), i))
        .collect()
}

/// Every record's anchor in the folder's index, by id.
pub fn anchors(sessions_dir: &Path) -> HashMap<String, Anchor> {
    read_index(sessions_dir)
        .into_iter()
        .filter_map(|(id, i)| Some((id, i.anchor()?)))
        .collect()
}

/// The index as it would be written anew: every line that can be read
/// and that `left_out` (given a record's id and summary) does not take
/// out, sealed with `key` when given; and how many lines were left out
/// (lines that cannot be read are left out too: no one can check whom they
/// name).
pub fn index_without(
    sessions_dir: &Path,
    left_out: &dyn Fn(&str, &Summary) -> bool,
    key: Option<&DataKey>,
) -> io::Result<(Vec<u8>, usize)> {
    let mut text = Vec::new();
    let mut dropped = 0;
    for (entry, _) in lines(sessions_dir) {
        match entry {
            Some(e) if !left_out(&e.id, &e.summary) => {
                text.extend(encode(&e, key)?);
                text.push(b'\n');
            }
            _ => dropped += 1,
        }
    }
    Ok((text, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Indexed {
        Indexed {
            id: id.to_owned(),
            len: 10,
            mtime: 20,
            summary: Summary {
                client: Some("Client-7Q".into()),
                ..Summary::default()
            },
            lines: Some(3),
            head: Some(chain::to_hex(&chain::link(b"x"))),
            status: None,
        }
    }

    #[test]
    fn sealed_index_lines_open_only_with_their_vaults_key() {
        let key = DataKey::random_for_tests();
        let line = encode(&entry("a"), Some(&key)).unwrap();
        assert!(!String::from_utf8_lossy(&line).contains("Client-7Q"));
        assert_eq!(decode(&line, Some(&key)).map(|e| e.id), Some("a".into()));
        assert!(decode(&line, None).is_none());
        assert!(decode(&line, Some(&DataKey::random_for_tests())).is_none());
        let plain = encode(&entry("b"), None).unwrap();
        assert_eq!(decode(&plain, None).map(|e| e.id), Some("b".into()));
    }

    #[test]
    fn an_anchor_holds_while_its_line_is_in_place() {
        let a = entry("a").anchor().unwrap();
        let x = Some(chain::link(b"x"));
        let y = Some(chain::link(b"y"));
        assert!(a.holds(&[y, y, x]));
        assert!(a.holds(&[y, y, x, y]), "lines added after it");
        assert!(!a.holds(&[y, y]), "cut short");
        assert!(!a.holds(&[y, y, y]), "changed");
    }
}
