//! The session log: one JSON Lines file per session, append-only, each record
//! written with a single `write` and synced before the screen shows it.
//! Files are created `0600` inside a `0700` folder.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::Logged;

/// The version written in every log's first record.
pub const LOG_VERSION: u32 = 1;

/// Somewhere session entries are recorded.
pub trait Journal {
    /// Records one entry durably before returning.
    fn append(&mut self, entry: &Logged) -> io::Result<()>;
}

/// Keeps entries in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    /// Everything appended, in order.
    pub entries: Vec<Logged>,
}

impl Journal for MemoryJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        self.entries.push(entry.clone());
        Ok(())
    }
}

/// The first line of every log: what it is and what was run.
#[derive(Debug, Serialize)]
struct Header<'a> {
    seq: u64,
    event: &'static str,
    version: u32,
    protocol: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<&'a str>,
    /// Wall-clock start, RFC 3339, for people reading the file.
    opened: String,
}

/// A numbered line in the log.
#[derive(Debug, Serialize)]
struct Record<'a> {
    seq: u64,
    #[serde(flatten)]
    entry: &'a Logged,
}

/// An append-only JSON Lines file, synced per record.
#[derive(Debug)]
pub struct FileJournal {
    file: File,
    path: PathBuf,
    seq: u64,
}

impl FileJournal {
    /// Creates a new log in `dir` (made `0700` if missing) named after the
    /// start time and the protocol; the first record names the protocol and
    /// the client reference, if any.
    pub fn create(
        dir: &Path,
        protocol: &str,
        client: Option<&str>,
        opened: &jiff::Zoned,
    ) -> io::Result<FileJournal> {
        crate::paths::create_private_dir(dir)?;
        let slug = protocol
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
            .to_ascii_lowercase();
        let stamp = opened.strftime("%Y%m%d-%H%M%S");
        let mut n = 0;
        loop {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("-{n}")
            };
            let path = dir.join(format!("{stamp}-{slug}{suffix}.jsonl"));
            let mut options = OpenOptions::new();
            options.append(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(&path) {
                Ok(file) => {
                    let mut journal = FileJournal { file, path, seq: 0 };
                    let header = Header {
                        seq: 0,
                        event: "log_opened",
                        version: LOG_VERSION,
                        protocol,
                        client,
                        opened: opened.timestamp().to_string(),
                    };
                    journal.write_line(&header)?;
                    return Ok(journal);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        let mut line = serde_json::to_vec(value).map_err(io::Error::other)?;
        line.push(b'\n');
        // One write per record: a crash leaves at most one torn line at the end.
        self.file.write_all(&line)?;
        self.file.sync_data()
    }
}

impl Journal for FileJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        self.seq += 1;
        let record = Record {
            seq: self.seq,
            entry,
        };
        self.write_line(&record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Moment;
    use crate::engine::Entry;

    #[test]
    fn writes_numbered_private_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let opened: jiff::Zoned = "2026-11-22T10:00:00+00:00[UTC]".parse().unwrap();
        let mut j = FileJournal::create(&logs, "Ten step", Some("AB"), &opened).unwrap();
        j.append(&Logged {
            at: Moment::from_secs(1),
            entry: Entry::Paused { step: 0 },
        })
        .unwrap();
        let text = std::fs::read_to_string(j.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with(
            r#"{"seq":0,"event":"log_opened","version":1,"protocol":"Ten step","client":"AB""#
        ));
        assert_eq!(lines[1], r#"{"seq":1,"at":1000,"event":"paused","step":0}"#);
        assert!(j.path().ends_with("20261122-100000-ten-step.jsonl"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(j.path()), 0o600);
            assert_eq!(mode(&logs), 0o700);
        }
        // A second log in the same second gets its own file.
        let k = FileJournal::create(&logs, "Ten step", Some("AB"), &opened).unwrap();
        assert_ne!(k.path(), j.path());
    }
}
