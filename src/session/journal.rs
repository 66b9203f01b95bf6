//! The session journal: one JSON Lines file per session, append-only.
//!
//! Every record is one line, `{"seq":N,"at":MS,"event":…}`, written with a
//! single `write` and synced (`fdatasync`) before the screen shows its
//! effect. A crash can therefore leave at most one partial line, at the very
//! end. Readers accept a damaged line only there — the way LevelDB's log
//! treats a torn tail — and reopening a journal cuts such a tail back to the
//! last complete record before anything new is appended, so sequence numbers
//! stay contiguous. Files are created `0600` inside `0700` folders, and an
//! exclusive lock (`flock`; [`crate::platform::lock`] elsewhere) on the file
//! keeps two running copies from ever writing the same journal.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clock::Moment;
use crate::session::record::{Entry, Logged, Opened};

/// Somewhere session entries are recorded.
pub trait Journal {
    /// Records one entry durably before returning.
    fn append(&mut self, entry: &Logged) -> io::Result<()>;

    /// The first line this journal wrote by itself, if it did (a journal
    /// made by its first entry writes its opening line first).
    fn opened(&self) -> Option<&Opened> {
        None
    }
}

/// Keeps entries in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    /// Everything appended, in order.
    pub entries: Vec<Logged>,
    /// The opening line it reports, as a file journal would.
    pub header: Option<Opened>,
}

impl Journal for MemoryJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        self.entries.push(entry.clone());
        Ok(())
    }

    fn opened(&self) -> Option<&Opened> {
        self.header.as_ref()
    }
}

/// A numbered line as written.
#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    #[serde(flatten)]
    logged: &'a Logged,
}

/// A numbered line as read. `at` defaults to zero for the first line of
/// version 1 journals, which had none.
#[derive(Deserialize)]
struct LineIn {
    seq: u64,
    #[serde(default)]
    at: Moment,
    #[serde(flatten)]
    entry: Entry,
}

/// Why a journal could not be read or opened.
#[derive(Debug)]
pub enum JournalError {
    /// The file system said no.
    Io(io::Error),
    /// Another running stillpoint holds the journal.
    Locked,
    /// A line before the last is damaged, or the numbering has a gap: the
    /// file was changed by something other than stillpoint.
    Damaged {
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io(e) => write!(f, "{e}"),
            JournalError::Locked => f.write_str("another running stillpoint is writing it"),
            JournalError::Damaged { line, problem } => {
                write!(f, "line {line} is damaged: {problem}")
            }
        }
    }
}

impl std::error::Error for JournalError {}

impl From<io::Error> for JournalError {
    fn from(e: io::Error) -> Self {
        JournalError::Io(e)
    }
}

/// What a journal holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contents {
    /// Every complete record, in order; record `i` has sequence number `i`.
    pub records: Vec<Logged>,
    /// Where the complete records end, in bytes: a torn tail starts here.
    pub valid_len: u64,
    /// The file ends with a partial or damaged line (after a crash).
    pub torn_tail: bool,
}

impl Contents {
    /// The journal's first line, if it is one.
    pub fn opened(&self) -> Option<&Opened> {
        match self.records.first().map(|l| &l.entry) {
            Some(Entry::Opened(o)) => Some(o),
            _ => None,
        }
    }
}

/// Reads journal bytes. Every line but the last must be a record numbered
/// one more than the line before (from 0); a last line that is partial or
/// damaged is left out and reported as a torn tail.
pub fn parse(bytes: &[u8]) -> Result<Contents, JournalError> {
    let mut records = Vec::new();
    let mut offset = 0usize;
    let mut line_no = 0usize;
    while offset < bytes.len() {
        line_no += 1;
        let rest = &bytes[offset..];
        let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], true),
            None => (rest, false),
        };
        let next = offset + line.len() + usize::from(complete);
        let parsed = if complete {
            serde_json::from_slice::<LineIn>(line).map_err(|e| e.to_string())
        } else {
            Err("the line is incomplete".to_owned())
        };
        let parsed = parsed.and_then(|l| {
            if l.seq == records.len() as u64 {
                Ok(l)
            } else {
                Err(format!(
                    "its sequence number is {}, expected {}",
                    l.seq,
                    records.len()
                ))
            }
        });
        match parsed {
            Ok(l) => records.push(Logged {
                at: l.at,
                entry: l.entry,
            }),
            // Damage is tolerated only as the very last line.
            Err(_) if next >= bytes.len() => {
                return Ok(Contents {
                    records,
                    valid_len: offset as u64,
                    torn_tail: true,
                });
            }
            Err(problem) => {
                return Err(JournalError::Damaged {
                    line: line_no,
                    problem,
                });
            }
        }
        offset = next;
    }
    Ok(Contents {
        records,
        valid_len: offset as u64,
        torn_tail: false,
    })
}

/// Reads the journal at `path` (without locking it: readers never write).
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    parse(&std::fs::read(path)?)
}

/// The last complete record of the journal at `path`, read from its end
/// only: a closed journal's last line is its summary, so history need not
/// read whole files. `None` if the last few kilobytes hold no complete
/// record (a very long line, or a torn one).
pub fn read_last(path: &Path) -> io::Result<Option<Logged>> {
    const TAIL: u64 = 8 * 1024;
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let start = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity((len - start) as usize);
    file.read_to_end(&mut buf)?;
    // The tail must end with a newline to be complete; the line before it
    // must begin after a newline (or at the start of the file).
    let Some(body) = buf.strip_suffix(b"\n") else {
        return Ok(None);
    };
    let line = match body.iter().rposition(|&b| b == b'\n') {
        Some(i) => &body[i + 1..],
        None if start == 0 => body,
        None => return Ok(None),
    };
    Ok(serde_json::from_slice::<LineIn>(line).ok().map(|l| Logged {
        at: l.at,
        entry: l.entry,
    }))
}

/// An open journal, locked for writing.
#[derive(Debug)]
pub struct FileJournal {
    file: File,
    path: PathBuf,
    next_seq: u64,
}

impl FileJournal {
    /// Creates a new journal in `dir` (made `0700` if missing), named after
    /// the moment it was opened and the protocol, and writes its first line.
    pub fn create(dir: &Path, opened: &Opened, stamp: &jiff::Zoned) -> io::Result<FileJournal> {
        crate::files::create_private_dir(dir)?;
        let slug = opened
            .protocol
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
            .to_ascii_lowercase();
        let stamp = stamp.strftime("%Y%m%d-%H%M%S");
        for n in 0..100 {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("-{n}")
            };
            let path = dir.join(format!("{stamp}-{slug}{suffix}.jsonl"));
            let mut options = OpenOptions::new();
            options.append(true).create_new(true);
            private(&mut options);
            match options.open(&path) {
                Ok(file) => {
                    lock(&file).map_err(|_| io::Error::other("the new journal is locked"))?;
                    let mut journal = FileJournal {
                        file,
                        path,
                        next_seq: 0,
                    };
                    journal.append(&Logged {
                        at: Moment::ZERO,
                        entry: Entry::Opened(opened.clone()),
                    })?;
                    return Ok(journal);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("100 journals in one second; try again"))
    }

    /// Opens an existing journal to add to it: locks it, cuts a torn tail
    /// back to the last complete record, and returns what it holds.
    pub fn reopen(path: &Path) -> Result<(FileJournal, Contents), JournalError> {
        let mut options = OpenOptions::new();
        options.read(true).write(true);
        let mut file = options.open(path)?;
        lock(&file)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let contents = parse(&bytes)?;
        if contents.torn_tail {
            file.set_len(contents.valid_len)?;
            file.sync_data()?;
        }
        file.seek(SeekFrom::End(0))?;
        let journal = FileJournal {
            file,
            path: path.to_owned(),
            next_seq: contents.records.len() as u64,
        };
        Ok((journal, contents))
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The journal's name (its file stem), which `stillpoint show` takes.
    pub fn id(&self) -> String {
        session_id(&self.path)
    }
}

/// One record as the journal writes it: `{"seq":N,"at":MS,"event":…}` and
/// a newline.
pub fn line(seq: u64, entry: &Logged) -> io::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(&LineOut { seq, logged: entry }).map_err(io::Error::other)?;
    line.push(b'\n');
    Ok(line)
}

impl Journal for FileJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        let line = line(self.next_seq, entry)?;
        // One write per record: a crash leaves at most one torn line, last.
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        self.next_seq += 1;
        Ok(())
    }
}

/// A journal whose file is made by its first entry: a consultation that is
/// never finished leaves no record behind. `opened` is stamped with the
/// wall-clock time of that first entry.
pub struct LazyJournal {
    dir: PathBuf,
    opened: Opened,
    wall: Box<dyn Fn() -> jiff::Zoned>,
    file: Option<FileJournal>,
    written: Option<Opened>,
}

impl fmt::Debug for LazyJournal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyJournal")
            .field("dir", &self.dir)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl LazyJournal {
    /// A journal to be made in `dir` when the first entry comes; `wall`
    /// tells the wall-clock time then.
    pub fn new(dir: &Path, opened: Opened, wall: Box<dyn Fn() -> jiff::Zoned>) -> LazyJournal {
        LazyJournal {
            dir: dir.to_owned(),
            opened,
            wall,
            file: None,
            written: None,
        }
    }

    /// A journal that already exists (a resumed session).
    pub fn existing(file: FileJournal) -> LazyJournal {
        LazyJournal {
            dir: file.path.parent().map(Path::to_owned).unwrap_or_default(),
            opened: Opened::default(),
            wall: Box::new(crate::clock::wall_now),
            file: Some(file),
            written: None,
        }
    }

    /// The journal's file, once made.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(FileJournal::path)
    }
}

impl Journal for LazyJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let stamp = (self.wall)();
                let mut opened = self.opened.clone();
                opened.opened = stamp.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
                let file = FileJournal::create(&self.dir, &opened, &stamp)?;
                self.written = Some(opened);
                self.file.insert(file)
            }
        };
        file.append(entry)
    }

    fn opened(&self) -> Option<&Opened> {
        self.written.as_ref()
    }
}

/// A session's id: its journal's file stem.
pub fn session_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn private(options: &mut OpenOptions) {
    crate::platform::files::private_file(options);
}

/// Takes the journal's exclusive lock without waiting; it is released when
/// the file is closed (or the process dies).
fn lock(file: &File) -> Result<(), JournalError> {
    use crate::platform::lock::{Attempt, try_exclusive};
    match try_exclusive(file)? {
        Attempt::Taken => Ok(()),
        Attempt::HeldElsewhere => Err(JournalError::Locked),
    }
}

#[cfg(test)]
mod tests;
