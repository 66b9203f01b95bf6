//! The session journal: one JSON Lines file per session, append-only.
//!
//! Every record is one line, `{"seq":N,"at":MS,"event":…,"crc":…}`, carrying
//! a checksum of its own bytes ([`line`]), written with a single `write` and
//! synced (`fdatasync`) before the screen shows its effect. A crash can
//! therefore leave at most one partial line, at the very end. Readers accept
//! a damaged line only there — the way LevelDB's log treats a torn tail —
//! and reopening a journal cuts such a tail back to the last complete record
//! before anything new is appended, so sequence numbers stay contiguous.
//!
//! An append is whole or absent: a failed or short write (a full disk, an
//! I/O error) is cut back to the last good length at once, and the entry
//! waits in memory, in order, to be written with the next one or on a
//! retry. Every line written is also kept in memory, so a data folder
//! deleted or replaced under a running session is recreated from it, and a
//! record that cannot be saved at all can still be written somewhere else
//! when the session ends ([`FileJournal::rescue`]).
//!
//! Files are created `0600` inside `0700` folders, never through a symbolic
//! link, and an exclusive lock (`flock`; [`crate::platform::lock`] elsewhere)
//! on the file keeps two running copies from ever writing the same journal. Only a file that begins with a
//! stillpoint opening line is ever cut or added to.

pub mod line;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clock::Moment;
use crate::session::record::{CHECKSUMS_SINCE, Entry, Logged, Opened};

/// The largest record read whole: a four-hour session writes well under a
/// megabyte, so anything past this is not a record.
pub const MAX_RECORD: u64 = 64 << 20;

/// Somewhere session entries are recorded.
pub trait Journal {
    /// Records one entry. `Ok` when it is on disk; an error when it is not
    /// (yet): the entry then waits, in order, to be written with the next
    /// one or by [`Journal::retry`].
    fn append(&mut self, entry: &Logged) -> io::Result<()>;

    /// How many entries are waiting to be written.
    fn waiting(&self) -> usize {
        0
    }

    /// Tries again to write the entries waiting.
    fn retry(&mut self) -> io::Result<()> {
        Ok(())
    }

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

/// A line as read on its own, whatever its number (see [`read_loose`]).
#[derive(Deserialize)]
struct LooseIn {
    #[serde(default)]
    at: Moment,
    #[serde(flatten)]
    entry: Entry,
}

/// One line read on its own, for a reader that wants whatever can still be
/// read from a damaged journal: its record, if it parses and (when
/// `checked`) its checksum holds. Its sequence number is not checked.
pub fn read_loose(line: &[u8], checked: bool) -> Option<Logged> {
    let json = match line::open(line) {
        Ok(json) => json,
        Err(line::Check::Missing) if !checked => line.to_vec(),
        Err(_) => return None,
    };
    serde_json::from_slice::<LooseIn>(&json)
        .ok()
        .map(|l| Logged {
            at: l.at,
            entry: l.entry,
        })
}

/// Whether journal `bytes` (perhaps damaged) carry checksums: any line has
/// one, or the opening line says the version has them.
pub fn has_checksums(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    bytes.windows(8).any(|w| w == b",\"crc\":\"")
        || read_loose(first, false).is_some_and(|l| checksummed(&l))
}

/// Why a journal could not be read or opened.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file system said no.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The path is not a plain file (a link, a FIFO, a device, a folder) or
    /// is far too large to be a record.
    #[error(transparent)]
    NotAFile(#[from] crate::files::ReadError),
    /// Another running stillpoint holds the journal.
    #[error("another running stillpoint is writing it")]
    Locked,
    /// The file does not begin with a stillpoint opening line: it is not a
    /// session record, and is left exactly as it is.
    #[error("it is not a stillpoint session record (its first line is not a record's opening)")]
    NotARecord,
    /// A line before the last is damaged, or the numbering has a gap: the
    /// file was changed by something other than stillpoint.
    #[error("line {line} is damaged: {problem}")]
    Damaged {
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
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

/// One line read: its record, or what is wrong with it. `checked` says
/// whether lines of this journal must carry a checksum; `None` while the
/// first line (which says) is being read.
fn read_line(line: &[u8], checked: Option<bool>) -> Result<LineIn, String> {
    let json = match line::open(line) {
        Ok(json) => json,
        Err(line::Check::Mismatch) => {
            return Err("its checksum does not match: the line was changed".to_owned());
        }
        Err(line::Check::Missing) if checked == Some(true) => {
            return Err("it has no checksum".to_owned());
        }
        Err(line::Check::Missing) => line.to_vec(),
    };
    serde_json::from_slice::<LineIn>(&json).map_err(|e| e.to_string())
}

/// Whether the journal whose first record is `first` checksums its lines.
fn checksummed(first: &Logged) -> bool {
    matches!(&first.entry, Entry::Opened(o) if o.version >= CHECKSUMS_SINCE)
}

/// Reads journal bytes. Every line but the last must be a record numbered
/// one more than the line before (from 0), with a checksum that matches in
/// journals that have them; a last line that is partial or damaged is left
/// out and reported as a torn tail.
pub fn parse(bytes: &[u8]) -> Result<Contents, JournalError> {
    let mut records: Vec<Logged> = Vec::new();
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
        let checked = records.first().map(checksummed);
        let parsed = if complete {
            read_line(line, checked)
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
/// Only a plain file is read, never through a symbolic link, and never more
/// than [`MAX_RECORD`].
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    parse(&crate::files::read_private(path, MAX_RECORD)?)
}

/// The last complete record of the journal at `path`, read from its end
/// only: a closed journal's last line is its summary, so history need not
/// read whole files. `None` if the last few kilobytes hold no complete
/// record (a very long line, or a torn one) or its checksum is wrong.
pub fn read_last(path: &Path) -> io::Result<Option<Logged>> {
    const TAIL: u64 = 8 * 1024;
    let (mut file, len) = crate::files::open_private(path, MAX_RECORD).map_err(io::Error::other)?;
    let start = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity((len - start) as usize);
    file.take(TAIL).read_to_end(&mut buf)?;
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
    // A line without a checksum is taken only from a journal that has none:
    // a closing line always has one since version 3, so a missing one means
    // an older journal (or an edited line, which the full read catches).
    Ok(read_line(line, None).ok().map(|l| Logged {
        at: l.at,
        entry: l.entry,
    }))
}

/// Where a journal's bytes go: its file, or (in tests) a double that fails
/// on cue. Writes may be short; the journal handles that.
pub trait Store: fmt::Debug {
    /// Writes some of `bytes` at the end, returning how many.
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize>;
    /// Makes what was written durable (`fdatasync`).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file back to `len` bytes; later writes go after them.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

impl Store for File {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Write::write(self, bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)?;
        self.seek(SeekFrom::Start(len))?;
        Ok(())
    }
}

/// An open journal, locked for writing.
#[derive(Debug)]
pub struct FileJournal {
    store: Box<dyn Store>,
    /// The file, when the store is one (for checking it is still in place).
    file: Option<File>,
    path: PathBuf,
    next_seq: u64,
    /// Bytes on disk, all whole lines.
    len: u64,
    /// A write failed and its cut may not have happened: cut before the
    /// next write.
    dirty: bool,
    /// Every line of the record, on disk or waiting, in order.
    lines: Vec<Vec<u8>>,
    /// How many of the last `lines` are waiting to be written.
    waiting: usize,
}

impl FileJournal {
    /// Creates a new journal in `dir` (made `0700` if missing), named after
    /// the moment it was opened and the protocol, and writes its first line.
    /// The file is made even if that write fails (a full disk): the line
    /// then waits like any other, and nothing else is created.
    pub fn create(dir: &Path, opened: &Opened, stamp: &jiff::Zoned) -> io::Result<FileJournal> {
        crate::files::create_private_dir(dir)?;
        let (file, path) = create_new(dir, &stem(opened, stamp))?;
        lock(&file).map_err(|_| io::Error::other("the new journal is locked"))?;
        let mut journal = FileJournal::new(file, path, 0, 0);
        let _ = journal.append(&Logged {
            at: Moment::ZERO,
            entry: Entry::Opened(opened.clone()),
        });
        Ok(journal)
    }

    fn new(file: File, path: PathBuf, next_seq: u64, len: u64) -> FileJournal {
        let store = file.try_clone().map_or_else(
            |_| Box::new(Unwritable) as Box<dyn Store>,
            |f| Box::new(f) as Box<dyn Store>,
        );
        FileJournal {
            store,
            file: Some(file),
            path,
            next_seq,
            len,
            dirty: false,
            lines: Vec::new(),
            waiting: 0,
        }
    }

    /// A journal writing to `store` (a test double), as if at `path`.
    pub fn with_store(store: Box<dyn Store>, path: &Path) -> FileJournal {
        FileJournal {
            store,
            file: None,
            path: path.to_owned(),
            next_seq: 0,
            len: 0,
            dirty: false,
            lines: Vec::new(),
            waiting: 0,
        }
    }

    /// Opens an existing journal to add to it: locks it, cuts a torn tail
    /// back to the last complete record, and returns what it holds. A file
    /// that is not a stillpoint record (no opening line) is refused and left
    /// exactly as it is; so is anything but a plain file.
    pub fn reopen(path: &Path) -> Result<(FileJournal, Contents), JournalError> {
        let mut file = crate::files::open_private_rw(path)?;
        lock(&file)?;
        let mut bytes = Vec::new();
        (&mut file).take(MAX_RECORD + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_RECORD {
            return Err(JournalError::NotARecord);
        }
        let contents = parse(&bytes).map_err(|e| match e {
            JournalError::Damaged { line: 1, .. } => JournalError::NotARecord,
            e => e,
        })?;
        if contents.opened().is_none() {
            return Err(JournalError::NotARecord);
        }
        if contents.torn_tail {
            file.set_len(contents.valid_len)?;
            file.sync_data()?;
        }
        file.seek(SeekFrom::End(0))?;
        let mut journal = FileJournal::new(
            file,
            path.to_owned(),
            contents.records.len() as u64,
            contents.valid_len,
        );
        journal.lines = bytes[..contents.valid_len as usize]
            .split_inclusive(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
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

    /// Writes the lines waiting, in order, each whole and synced. On any
    /// failure the file is cut back to its last whole line and the rest
    /// keep waiting.
    fn flush(&mut self) -> io::Result<()> {
        if self.waiting == 0 {
            return Ok(());
        }
        self.keep_in_place()?;
        if self.dirty {
            self.store.truncate(self.len)?;
            self.dirty = false;
        }
        while self.waiting > 0 {
            let line = &self.lines[self.lines.len() - self.waiting];
            if let Err(e) = write_whole(self.store.as_mut(), line) {
                // Cut the partial line now; if even that fails, before the
                // next write.
                self.dirty = self.store.truncate(self.len).is_err();
                return Err(e);
            }
            self.len += line.len() as u64;
            self.waiting -= 1;
        }
        Ok(())
    }

    /// Notices the file deleted or replaced under the running session (its
    /// folder removed, say) and writes the record again from memory at the
    /// same place, in a folder made anew.
    fn keep_in_place(&mut self) -> io::Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        if same_file(file, &self.path) {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::files::create_private_dir(dir)?;
        let (file, path) = create_new(dir, &session_id(&self.path))?;
        lock(&file).map_err(|_| io::Error::other("the new journal is locked"))?;
        let store = file.try_clone()?;
        self.file = Some(file);
        self.store = Box::new(store);
        self.path = path;
        self.len = 0;
        self.dirty = false;
        self.waiting = self.lines.len();
        Ok(())
    }

    /// Every line of the record, on disk or not.
    pub fn bytes(&self) -> Vec<u8> {
        self.lines.concat()
    }

    /// Writes the whole record to a new private file in the first of
    /// `folders` that takes it, when it could not be saved where it belongs.
    /// Returns where it went.
    pub fn rescue(&self, folders: &[PathBuf]) -> io::Result<PathBuf> {
        let mut last = io::Error::other("no folder to write the record in");
        for dir in folders {
            let attempt = crate::files::create_private_dir(dir)
                .and_then(|()| create_new(dir, &session_id(&self.path)))
                .and_then(|(mut file, path)| {
                    file.write_all(&self.bytes())?;
                    file.sync_all()?;
                    Ok(path)
                });
            match attempt {
                Ok(path) => return Ok(path),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

/// Writes all of `line` however short the writes, then syncs.
fn write_whole(store: &mut dyn Store, line: &[u8]) -> io::Result<()> {
    let mut done = 0;
    while done < line.len() {
        match store.write(&line[done..]) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    store.sync()
}

/// A store for a file that could not be duplicated: every write fails, so
/// entries wait and the record is rescued at the end.
#[derive(Debug)]
struct Unwritable;

impl Store for Unwritable {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other(
            "the journal's file could not be opened for writing",
        ))
    }

    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn truncate(&mut self, _: u64) -> io::Result<()> {
        Ok(())
    }
}

/// A record's name before `.jsonl`: when it was opened, and the protocol
/// (`20261123-093000-ten-step-protocol`).
fn stem(opened: &Opened, stamp: &jiff::Zoned) -> String {
    let slug = opened
        .protocol
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase();
    format!("{}-{slug}", stamp.strftime("%Y%m%d-%H%M%S"))
}

/// Creates `{stem}.jsonl` in `dir`, or `{stem}-1.jsonl`… when taken: new
/// files only (`O_EXCL`, which also refuses a link planted at the name).
fn create_new(dir: &Path, stem: &str) -> io::Result<(File, PathBuf)> {
    for n in 0..100 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let path = dir.join(format!("{stem}{suffix}.jsonl"));
        let mut options = OpenOptions::new();
        options.append(true).create_new(true);
        private(&mut options);
        match options.open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("100 journals in one second; try again"))
}

/// Whether `path` still names the open `file` (same device and inode).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.is_file()
    }
}

/// One record as the journal writes it: `{"seq":N,"at":MS,"event":…,"crc":…}`
/// and a newline.
pub fn line(seq: u64, entry: &Logged) -> io::Result<Vec<u8>> {
    let json = serde_json::to_vec(&LineOut { seq, logged: entry }).map_err(io::Error::other)?;
    let mut line = line::seal(json);
    line.push(b'\n');
    Ok(line)
}

impl Journal for FileJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        let line = line(self.next_seq, entry)?;
        self.next_seq += 1;
        self.lines.push(line);
        self.waiting += 1;
        self.flush()
    }

    fn waiting(&self) -> usize {
        self.waiting
    }

    fn retry(&mut self) -> io::Result<()> {
        self.flush()
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
    /// Entries that came while the file could not even be made.
    early: Vec<Logged>,
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
            early: Vec::new(),
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
            early: Vec::new(),
        }
    }

    /// The journal's file, once made.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(FileJournal::path)
    }

    /// The file journal, once made.
    pub fn file(&self) -> Option<&FileJournal> {
        self.file.as_ref()
    }

    /// Makes the file (once), with the opening line stamped now.
    fn make(&mut self) -> io::Result<&mut FileJournal> {
        if self.file.is_none() {
            let stamp = (self.wall)();
            let mut opened = self.opened.clone();
            opened.opened = Some(crate::session::record::Stamp::of(&stamp));
            let file = FileJournal::create(&self.dir, &opened, &stamp)?;
            self.written = Some(opened);
            self.file = Some(file);
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("no journal"))
    }

    /// Entries waiting to be written (see [`Journal::waiting`]) or written:
    /// writes the whole record to the first of `folders` that takes it,
    /// when it could not be saved where it belongs. `None` when nothing was
    /// recorded.
    pub fn rescue(&self, folders: &[PathBuf]) -> Option<io::Result<PathBuf>> {
        if let Some(file) = &self.file {
            return Some(file.rescue(folders));
        }
        if self.early.is_empty() {
            return None;
        }
        // The file could not even be made: build the record in memory.
        let stamp = (self.wall)();
        let mut opened = self.opened.clone();
        opened.opened = Some(crate::session::record::Stamp::of(&stamp));
        let path = self.dir.join(format!("{}.jsonl", stem(&opened, &stamp)));
        let mut memory = FileJournal::with_store(Box::new(Unwritable), &path);
        let first = Logged {
            at: Moment::ZERO,
            entry: Entry::Opened(opened),
        };
        for e in std::iter::once(&first).chain(&self.early) {
            let _ = memory.append(e);
        }
        Some(memory.rescue(folders))
    }

    /// Moves entries that came before the file could be made into it.
    fn drain_early(&mut self) -> io::Result<()> {
        if self.early.is_empty() {
            return Ok(());
        }
        self.make()?;
        let early = std::mem::take(&mut self.early);
        let file = self.make()?;
        let mut result = Ok(());
        for e in &early {
            // Each is queued in order even when a write fails.
            result = result.and(file.append(e));
        }
        result
    }
}

impl Journal for LazyJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        if let Err(e) = self.drain_early() {
            self.early.push(entry.clone());
            return Err(e);
        }
        match self.make() {
            Ok(file) => file.append(entry),
            Err(e) => {
                self.early.push(entry.clone());
                Err(e)
            }
        }
    }

    fn waiting(&self) -> usize {
        self.early.len() + self.file.as_ref().map_or(0, FileJournal::waiting)
    }

    fn retry(&mut self) -> io::Result<()> {
        self.drain_early()?;
        match &mut self.file {
            Some(f) => f.retry(),
            None => Ok(()),
        }
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
