//! The session journal: one JSON Lines file per session, append-only.
//!
//! Every record is one line, `{"seq":N,"at":MS,"event":…,"prev":…,"crc":…}`,
//! carrying a checksum of its own bytes ([`line`]) and, from version 4, the
//! SHA-256 of the line before it ([`chain`]), written with a single `write`
//! and synced (`fdatasync`) before the screen shows its effect. A crash can
//! therefore leave at most one partial line, at the very end. Readers accept
//! a damaged line only there — the way LevelDB's log treats a torn tail —
//! and reopening a journal cuts such a tail back to the last complete record
//! before anything new is appended, so sequence numbers stay contiguous and
//! the chain unbroken.
//!
//! With the vault on, each line is sealed whole before it is written
//! ([`envelope`]): the same one write and one sync per line, the same torn
//! tail, the same chain (it runs over the lines in the clear, inside their
//! envelopes).
//!
//! An append is whole or absent: a failed or short write (a full disk, an
//! I/O error) is cut back to the last good length at once, and the entry
//! waits in memory, in order, to be written with the next one or on a
//! retry. Every line written is also kept in memory, so a data folder
//! deleted or replaced under a running session is recreated from it, and a
//! record that cannot be saved at all can still be written somewhere else
//! when the session ends ([`FileJournal::rescue`]) — sealed, when the vault
//! is on.
//!
//! Files are created `0600` inside `0700` folders, never through a symbolic
//! link, and an exclusive lock (`flock`; [`crate::platform::lock`] elsewhere)
//! on the file keeps two running copies from ever writing the same journal. Only a file that begins with a
//! stillpoint opening line is ever cut or added to.

pub mod chain;
pub mod envelope;
pub mod line;
pub mod reader;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

pub use reader::{LineRead, Problem, Walk, parse, parse_at, read, read_last};

use crate::clock::Moment;
use crate::session::record::{CHAIN_SINCE, Entry, Logged, Opened};
use crate::vault::{DataKey, VaultError, VaultId};
use chain::Link;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<String>,
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
    /// A line before the last is damaged, out of place, or not linked to
    /// the line before: the file was changed by something other than
    /// stillpoint.
    #[error("line {line} is damaged: {problem}")]
    Damaged {
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The record is sealed, and its vault's key is not to be had.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A record in the clear in a folder whose vault is on: adding sealed
    /// lines to it would leave its start readable by anyone.
    #[error("it was written before the vault was made, and is not sealed yet")]
    InTheClear,
}

impl crate::hint::Hint for JournalError {
    fn hint(&self) -> Option<String> {
        match self {
            JournalError::Vault(e) => e.hint(),
            JournalError::InTheClear => {
                Some("`stillpoint vault seal` seals the records written before".to_owned())
            }
            JournalError::Locked => Some("wait until that session has ended".to_owned()),
            _ => None,
        }
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
    /// The hash of the last complete line in the clear: the record's head.
    pub head: Option<Link>,
    /// Its lines carry links (version 4 on).
    pub chained: bool,
    /// The vault that sealed it, and its first sealed line's hash.
    pub sealed: Option<(VaultId, Link)>,
}

impl Contents {
    /// The last moment on the session clock the record reaches: where
    /// anything added after it (a taking-up, an addendum) goes.
    pub fn last_at(&self) -> Moment {
        self.records.iter().map(|l| l.at).max().unwrap_or_default()
    }

    /// The journal's first line, if it is one.
    pub fn opened(&self) -> Option<&Opened> {
        match self.records.first().map(|l| &l.entry) {
            Some(Entry::Opened(o)) => Some(o),
            _ => None,
        }
    }
}

/// Turns entries into a record's lines as written: numbered from 0,
/// checksummed, linked to the line before (records of version 4 on, as the
/// opening line says), and sealed when the record is.
#[derive(Debug, Clone, Default)]
pub struct LineMaker {
    next_seq: u64,
    chained: bool,
    head: Option<Link>,
    /// The key, and the first sealed line's hash once written.
    sealer: Option<(DataKey, Option<Link>)>,
}

impl LineMaker {
    /// The lines of a new record, sealed with `key` when given.
    pub fn new(key: Option<DataKey>) -> LineMaker {
        LineMaker {
            sealer: key.map(|k| (k, None)),
            ..LineMaker::default()
        }
    }

    /// The lines that follow `contents` (a record read whole).
    fn after(contents: &Contents, key: Option<DataKey>) -> LineMaker {
        LineMaker {
            next_seq: contents.records.len() as u64,
            chained: contents.chained,
            head: contents.head,
            sealer: key.map(|k| (k, contents.sealed.map(|(_, b)| b))),
        }
    }

    /// Whether the lines are sealed.
    pub fn sealed(&self) -> bool {
        self.sealer.is_some()
    }

    /// The next line for `entry`, with its newline.
    pub fn next(&mut self, entry: &Logged) -> io::Result<Vec<u8>> {
        let seq = self.next_seq;
        if let (0, Entry::Opened(o)) = (seq, &entry.entry) {
            self.chained = o.version >= CHAIN_SINCE;
        }
        let prev = self.head.filter(|_| self.chained && seq > 0);
        let plain = plain_line(seq, entry, prev.as_ref())?;
        let mut out = match &mut self.sealer {
            None => plain.clone(),
            Some((key, binding)) => {
                let sealed =
                    envelope::seal(key, seq, &binding.unwrap_or([0; 32]), &plain, seq == 0)?;
                if seq == 0 {
                    *binding = Some(chain::link(&sealed));
                }
                sealed
            }
        };
        self.head = Some(chain::link(&plain));
        self.next_seq += 1;
        out.push(b'\n');
        Ok(out)
    }
}

/// One line in the clear, checksummed, without its newline.
fn plain_line(seq: u64, entry: &Logged, prev: Option<&Link>) -> io::Result<Vec<u8>> {
    let json = serde_json::to_vec(&LineOut {
        seq,
        logged: entry,
        prev: prev.map(chain::to_hex),
    })
    .map_err(io::Error::other)?;
    Ok(line::seal(json))
}

/// A record in the clear (`bytes`, read whole) sealed with `key`: every
/// complete line wrapped as it is, so its checksum, its link and the
/// record's head stay the same; a torn tail is left out. A record already
/// sealed comes back as it is.
pub fn seal_record(bytes: &[u8], key: &DataKey) -> io::Result<Vec<u8>> {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    if line::open(first).is_ok_and(|json| envelope::is_sealed(&json)) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let mut binding = [0u8; 32];
    for (seq, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(raw) = raw.strip_suffix(b"\n") else {
            break;
        };
        let sealed = envelope::seal(key, seq as u64, &binding, raw, seq == 0)?;
        if seq == 0 {
            binding = chain::link(&sealed);
        }
        out.extend_from_slice(&sealed);
        out.push(b'\n');
    }
    Ok(out)
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
    /// Numbers, links and seals the lines.
    maker: LineMaker,
    /// Bytes on disk, all whole lines.
    len: u64,
    /// A write failed and its cut may not have happened: cut before the
    /// next write.
    dirty: bool,
    /// Every line of the record (or batch of lines, see
    /// [`FileJournal::append_all`]), on disk or waiting, in order.
    lines: Vec<Vec<u8>>,
    /// How many of the last `lines` are waiting to be written.
    waiting: usize,
}

impl FileJournal {
    /// Creates a new journal in `dir` (made `0700` if missing), named after
    /// the moment it was opened and the protocol, and writes its first line.
    /// The file is made even if that write fails (a full disk): the line
    /// then waits like any other, and nothing else is created. When `dir`
    /// is the `sessions` folder of a data folder whose vault is on, the
    /// record is sealed (the key asked for if this run has not opened it);
    /// a locked vault refuses, and no file is made.
    pub fn create(dir: &Path, opened: &Opened, stamp: &jiff::Zoned) -> io::Result<FileJournal> {
        let key = crate::vault::for_sessions(dir).map_err(io::Error::other)?;
        FileJournal::create_sealed(dir, opened, stamp, key)
    }

    /// [`FileJournal::create`], sealed with `key` when given.
    pub fn create_sealed(
        dir: &Path,
        opened: &Opened,
        stamp: &jiff::Zoned,
        key: Option<DataKey>,
    ) -> io::Result<FileJournal> {
        crate::files::create_private_dir(dir)?;
        let (file, path) = create_new(dir, &stem(opened, stamp))?;
        lock(&file).map_err(|_| io::Error::other("the new journal is locked"))?;
        let mut journal = FileJournal::new(file, path, LineMaker::new(key), 0);
        let _ = journal.append(&Logged {
            at: Moment::ZERO,
            entry: Entry::Opened(opened.clone()),
        });
        Ok(journal)
    }

    fn new(file: File, path: PathBuf, maker: LineMaker, len: u64) -> FileJournal {
        let store = file.try_clone().map_or_else(
            |_| Box::new(Unwritable) as Box<dyn Store>,
            |f| Box::new(f) as Box<dyn Store>,
        );
        FileJournal {
            store,
            file: Some(file),
            path,
            maker,
            len,
            dirty: false,
            lines: Vec::new(),
            waiting: 0,
        }
    }

    /// A journal writing to `store` (a test double), as if at `path`,
    /// sealed with `key` when given.
    pub fn with_store(store: Box<dyn Store>, path: &Path, key: Option<DataKey>) -> FileJournal {
        FileJournal {
            store,
            file: None,
            path: path.to_owned(),
            maker: LineMaker::new(key),
            len: 0,
            dirty: false,
            lines: Vec::new(),
            waiting: 0,
        }
    }

    /// Opens an existing journal to add to it: locks it, cuts a torn tail
    /// back to the last complete record, and returns what it holds. A file
    /// that is not a stillpoint record (no opening line) is refused and left
    /// exactly as it is; so is anything but a plain file. A sealed record
    /// goes on sealed (its vault's key asked for if this run has not opened
    /// it); one in the clear in a folder whose vault is on is refused.
    pub fn reopen(path: &Path) -> Result<(FileJournal, Contents), JournalError> {
        let mut file = crate::files::open_private_rw(path)?;
        lock(&file)?;
        let mut bytes = Vec::new();
        (&mut file).take(MAX_RECORD + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_RECORD {
            return Err(JournalError::NotARecord);
        }
        let contents = parse_at(&bytes, Some(path)).map_err(|e| match e {
            JournalError::Damaged { line: 1, .. } => JournalError::NotARecord,
            e => e,
        })?;
        if contents.opened().is_none() {
            return Err(JournalError::NotARecord);
        }
        let key = match contents.sealed {
            Some((id, _)) => Some(crate::vault::for_record(path, id)?),
            None if vault_over(path) => return Err(JournalError::InTheClear),
            None => None,
        };
        if contents.torn_tail {
            file.set_len(contents.valid_len)?;
            file.sync_data()?;
        }
        file.seek(SeekFrom::End(0))?;
        let maker = LineMaker::after(&contents, key);
        let mut journal = FileJournal::new(file, path.to_owned(), maker, contents.valid_len);
        journal.lines = bytes[..contents.valid_len as usize]
            .split_inclusive(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        Ok((journal, contents))
    }

    /// Appends `entries` as one write and one sync: all of them or none.
    /// For tools that write many lines at once (the record generator, an
    /// addendum); a session appends one entry at a time.
    pub fn append_all(&mut self, entries: &[Logged]) -> io::Result<()> {
        let mut batch = Vec::new();
        let mut maker = self.maker.clone();
        for e in entries {
            batch.extend(maker.next(e)?);
        }
        self.maker = maker;
        self.lines.push(batch);
        self.waiting += 1;
        self.flush()
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

/// Whether the record at `path` is in the `sessions` folder of a data
/// folder whose vault is on.
fn vault_over(path: &Path) -> bool {
    path.parent()
        .and_then(crate::vault::data_of)
        .is_some_and(crate::vault::is_on)
}

impl Journal for FileJournal {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        let line = self.maker.next(entry)?;
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
    /// The key that seals the record when the vault is on, found before
    /// the consultation; or why it could not be (then nothing is written,
    /// not even in a rescue: never in the clear).
    sealing: Result<Option<DataKey>, Arc<crate::vault::VaultError>>,
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
    /// tells the wall-clock time then. When `dir` is the `sessions` folder
    /// of a data folder whose vault is on, its key is found now — asked for
    /// on the terminal if this run has not opened the vault yet — so that
    /// it is never asked for under the dashboard.
    pub fn new(dir: &Path, opened: Opened, wall: Box<dyn Fn() -> jiff::Zoned>) -> LazyJournal {
        LazyJournal::sealed(dir, opened, wall, crate::vault::for_sessions(dir))
    }

    /// [`LazyJournal::new`] with the key (or why there is none) given.
    pub fn sealed(
        dir: &Path,
        opened: Opened,
        wall: Box<dyn Fn() -> jiff::Zoned>,
        sealing: Result<Option<DataKey>, crate::vault::VaultError>,
    ) -> LazyJournal {
        LazyJournal {
            dir: dir.to_owned(),
            opened,
            wall,
            file: None,
            written: None,
            early: Vec::new(),
            sealing: sealing.map_err(Arc::new),
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
            sealing: Ok(None),
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
            let key = self.sealing.clone().map_err(io::Error::other)?;
            let file = FileJournal::create_sealed(&self.dir, &opened, &stamp, key)?;
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
        // The file could not even be made: build the record in memory,
        // sealed when the vault is on (and not at all when it is locked).
        let key = match self.sealing.clone() {
            Ok(key) => key,
            Err(why) => return Some(Err(io::Error::other(why))),
        };
        let stamp = (self.wall)();
        let mut opened = self.opened.clone();
        opened.opened = Some(crate::session::record::Stamp::of(&stamp));
        let path = self.dir.join(format!("{}.jsonl", stem(&opened, &stamp)));
        let mut memory = FileJournal::with_store(Box::new(Unwritable), &path, key);
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
