//! Where stillpoint keeps files and how it opens them: XDG folders on Linux
//! (the platform's own elsewhere), with `STILLPOINT_DATA` overriding the data
//! folder; folders created private (`0700`); and [`read_regular`], the one
//! way a file a person names is read: never a FIFO, a device or a socket
//! (which would hang or never end), never more than a cap.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

/// The platform's folders for stillpoint, if a home folder is known.
pub fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "stillpoint")
}

/// The folder for session logs: `STILLPOINT_DATA`, or the XDG data folder
/// (`~/.local/share/stillpoint`).
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("STILLPOINT_DATA") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => project_dirs().map(|d| d.data_dir().to_owned()),
    }
}

/// The data folder: `flag` (from `--data-dir`) if given, else
/// `STILLPOINT_DATA`, else `configured` (the settings' `data_dir`), else
/// the XDG data folder.
pub fn data_dir_or(flag: Option<&Path>, configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(flag) = flag {
        return Some(flag.to_owned());
    }
    match std::env::var_os("STILLPOINT_DATA") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => configured
            .map(Path::to_owned)
            .or_else(|| project_dirs().map(|d| d.data_dir().to_owned())),
    }
}

/// Where a record that cannot be saved in the data folder is written
/// instead, in order of preference: the settings folder, the home folder,
/// the temporary folder (each in a private folder of its own).
pub fn rescue_folders() -> Vec<PathBuf> {
    let mut folders = Vec::new();
    if let Some(dirs) = project_dirs() {
        folders.push(dirs.config_dir().join("unsaved-records"));
    }
    if let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_owned()) {
        folders.push(home.join("stillpoint-unsaved-records"));
    }
    folders.push(std::env::temp_dir().join(format!("stillpoint-unsaved-{}", user_tag())));
    folders
}

/// Something that tells this user's temporary folder from another's.
fn user_tag() -> String {
    #[cfg(unix)]
    {
        rustix::process::getuid().as_raw().to_string()
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "user".to_owned())
    }
}

/// Opens one of stillpoint's own files to add to its end, creating it
/// `0600` if missing, never through a symbolic link and only if it is a
/// plain file.
pub fn append_private(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        options.custom_flags(
            (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32,
        );
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a plain file",
            path.display()
        )));
    }
    Ok(file)
}

/// Replaces one of stillpoint's own small files whole and atomically: the
/// bytes go to a new private temporary file beside it (never an existing
/// file, never through a link), which is synced and renamed over `path`.
pub fn replace_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = io::Error::other("no temporary name was free");
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        // create_new is O_EXCL: it refuses a file or a link already there.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&tmp) {
            Ok(mut file) => {
                let written = file
                    .write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .and_then(|()| std::fs::rename(&tmp, path));
                if written.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                return written;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// A file being written for the user (an export): it goes to a new private
/// temporary file beside its destination and takes the destination's name
/// only when [`NewFile::commit`] is called, so a failed write leaves
/// nothing half written, and an existing file is never written into.
#[derive(Debug)]
pub struct NewFile {
    /// The temporary file to write to.
    pub file: File,
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Why a file for the user could not be written.
#[derive(Debug, thiserror::Error)]
pub enum NewFileError {
    /// A file is there already, and `--force` was not given.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// A symbolic link is there: writing would go wherever it points.
    #[error("{} is a symbolic link; stillpoint does not write through links", .0.display())]
    Link(PathBuf),
    /// The system said no.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl crate::hint::Hint for NewFileError {
    fn hint(&self) -> Option<String> {
        match self {
            NewFileError::Exists(_) => Some("add --force to replace it".to_owned()),
            NewFileError::Link(_) => Some("name the file itself, not a link to it".to_owned()),
            NewFileError::Io { .. } => None,
        }
    }
}

impl NewFile {
    /// Starts writing `target` (`0600`); an existing file there is replaced
    /// only with `force`, and never through a link.
    pub fn create(target: &Path, force: bool) -> Result<NewFile, NewFileError> {
        match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(NewFileError::Link(target.to_owned()));
            }
            Ok(_) if !force => return Err(NewFileError::Exists(target.to_owned())),
            _ => {}
        }
        let io = |source| NewFileError::Io {
            path: target.to_owned(),
            source,
        };
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for n in 0..100 {
            let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(&tmp) {
                Ok(file) => {
                    return Ok(NewFile {
                        file,
                        tmp,
                        target: target.to_owned(),
                        committed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io(e)),
            }
        }
        Err(io(io::Error::other("no temporary name was free")))
    }

    /// Syncs the file and gives it its name.
    pub fn commit(mut self) -> Result<(), NewFileError> {
        let io = |source| NewFileError::Io {
            path: self.target.clone(),
            source,
        };
        self.file.sync_all().map_err(io)?;
        std::fs::rename(&self.tmp, &self.target).map_err(io)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Creates `dir` and its parents, owner-only (`0700`) for the folders it makes.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    crate::platform::files::private_dir(&mut builder).create(dir)
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// There is nothing at the path.
    #[error("there is no such file")]
    NotFound,
    /// The path names a folder, a FIFO, a device or a socket.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// The file is larger than anything of its kind could be.
    #[error("it is {size} bytes, more than the {cap} bytes such a file may have")]
    TooLarge {
        /// Its size, or the bytes read before giving up.
        size: u64,
        /// The most allowed.
        cap: u64,
    },
    /// The system refused (permissions, an I/O error).
    #[error("{0}")]
    Io(#[source] io::Error),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> ReadError {
        if e.kind() == io::ErrorKind::NotFound {
            ReadError::NotFound
        } else {
            ReadError::Io(e)
        }
    }
}

/// What a path that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` for reading only if it is a regular file no larger than
/// `cap` bytes. The open itself never blocks: a FIFO is opened non-blocking
/// and refused, where a plain open would wait forever for a writer.
pub fn open_regular(path: &Path, cap: u64) -> Result<(File, u64), ReadError> {
    open_checked(path, cap, false, false)
}

/// Opens one of stillpoint's own files (a record, the index, the
/// preferences) for reading: like [`open_regular`], and never through a
/// symbolic link, so a link planted in the data folder cannot make it read
/// (or later write) another file.
pub fn open_private(path: &Path, cap: u64) -> Result<(File, u64), ReadError> {
    open_checked(path, cap, false, true)
}

/// Opens one of stillpoint's own files for reading and writing: a plain
/// file, never through a symbolic link.
pub fn open_private_rw(path: &Path) -> Result<File, ReadError> {
    open_checked(path, u64::MAX, true, true).map(|(file, _)| file)
}

/// Reads one of stillpoint's own files whole (see [`open_private`]).
pub fn read_private(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_private(path, cap)?;
    read_capped(file, len, cap)
}

fn open_checked(
    path: &Path,
    cap: u64,
    write: bool,
    no_links: bool,
) -> Result<(File, u64), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(write);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = rustix::fs::OFlags::NONBLOCK;
        if no_links {
            flags |= rustix::fs::OFlags::NOFOLLOW;
        }
        options.custom_flags(flags.bits() as i32);
    }
    #[cfg(not(unix))]
    if no_links && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(ReadError::NotRegular("a symbolic link"));
    }
    let file = options.open(path).map_err(|e| {
        // O_NOFOLLOW on a link fails with ELOOP.
        #[cfg(unix)]
        if no_links && e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            return ReadError::NotRegular("a symbolic link");
        }
        // Windows refuses to open a folder as a file ("access denied");
        // say what it is, as Unix does below.
        #[cfg(windows)]
        if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            return ReadError::NotRegular("a folder");
        }
        ReadError::from(e)
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    Ok((file, meta.len()))
}

fn read_capped(file: File, len: u64, cap: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// Reads a regular file of at most `cap` bytes whole (see [`open_regular`]).
/// A file that grows past the cap while being read is refused too.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path, cap)?;
    read_capped(file, len, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_and_others_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.ron");
        std::fs::write(&path, "hello").expect("write");
        assert_eq!(read_regular(&path, 10).expect("read"), b"hello");
        assert!(matches!(
            read_regular(&path, 3),
            Err(ReadError::TooLarge { size: 5, cap: 3 })
        ));
        assert!(matches!(
            read_regular(dir.path(), 10),
            Err(ReadError::NotRegular("a folder"))
        ));
        assert!(matches!(
            read_regular(&dir.path().join("missing"), 10),
            Err(ReadError::NotFound)
        ));
    }

    // rustix has no mkfifoat on macOS.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_fifo_or_a_device_is_refused_at_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .expect("mkfifo");
        assert!(matches!(
            read_regular(&fifo, 10),
            Err(ReadError::NotRegular("a FIFO (named pipe)"))
        ));
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        assert!(matches!(
            read_regular(&link, 10),
            Err(ReadError::NotRegular("a device"))
        ));
    }
}

/// Why a folder is not fit to keep records in.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// It belongs to someone else.
    #[error("{} belongs to another user (uid {owner}), so that user could read or change the records in it", path.display())]
    NotOwned {
        /// The folder.
        path: PathBuf,
        /// Its owner.
        owner: u32,
    },
    /// Others can write in it (add, replace or plant files).
    #[error("{} can be written by other users (mode {mode:o})", path.display())]
    OpenToOthers {
        /// The folder.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// It is a symbolic link (where a real folder is expected).
    #[error("{} is a symbolic link; records are kept only in a real folder", path.display())]
    Link {
        /// The folder.
        path: PathBuf,
    },
    /// Something other than a folder is there.
    #[error("{} is not a folder", path.display())]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// Nothing can be written and synced there.
    #[error("cannot keep session records in {}", path.display())]
    NotWritable {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl crate::hint::Hint for FolderError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            FolderError::NotOwned { .. } | FolderError::Link { .. } => {
                "use a folder of your own: --data-dir DIR, STILLPOINT_DATA or data_dir in the \
                 settings"
                    .to_owned()
            }
            FolderError::OpenToOthers { path, .. } => {
                format!("make it yours alone: chmod 700 {}", path.display())
            }
            FolderError::NotAFolder { .. } => "move the file away, or choose another data \
                 folder with --data-dir"
                .to_owned(),
            FolderError::NotWritable { .. } => {
                "free some space or fix the folder's permissions, or choose another data \
                 folder with --data-dir or STILLPOINT_DATA; the session has not started"
                    .to_owned()
            }
        })
    }
}

/// Checks that `dir` is a folder that belongs to this user and that no one
/// else can write in (as ssh checks `~/.ssh`). With `real_folder`, a
/// symbolic link there is refused too (the `sessions` folder: a link planted
/// by someone else would send records into their folder).
pub fn check_private_dir(dir: &Path, real_folder: bool) -> Result<(), FolderError> {
    let path = dir.to_owned();
    let meta = if real_folder {
        std::fs::symlink_metadata(dir)
    } else {
        std::fs::metadata(dir)
    };
    let meta = meta.map_err(|source| FolderError::NotWritable {
        path: path.clone(),
        source,
    })?;
    if meta.file_type().is_symlink() {
        return Err(FolderError::Link { path });
    }
    if !meta.is_dir() {
        return Err(FolderError::NotAFolder { path });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = rustix::process::getuid().as_raw();
        if meta.uid() != me {
            return Err(FolderError::NotOwned {
                path,
                owner: meta.uid(),
            });
        }
        if meta.mode() & 0o022 != 0 {
            return Err(FolderError::OpenToOthers {
                path,
                mode: meta.mode() & 0o7777,
            });
        }
    }
    Ok(())
}

/// Makes the data folder and its `sessions` folder if missing (`0700`),
/// checks both are the user's alone, and proves records can be written
/// there: a small file is written, synced and removed. Run before anything
/// is asked of the therapist, so a read-only or full disk refuses the start
/// rather than the record failing mid-session.
pub fn ready_for_records(data: &Path) -> Result<PathBuf, FolderError> {
    let sessions = data.join("sessions");
    create_private_dir(&sessions).map_err(|source| FolderError::NotWritable {
        path: sessions.clone(),
        source,
    })?;
    check_private_dir(data, false)?;
    check_private_dir(&sessions, true)?;
    probe(&sessions).map_err(|source| FolderError::NotWritable {
        path: sessions.clone(),
        source,
    })?;
    Ok(sessions)
}

/// For commands that only read records (history, show, export): when the
/// data folder and its `sessions` folder exist, both must be the user's
/// alone (nothing is created).
pub fn check_records_folder(data: &Path) -> Result<(), FolderError> {
    let sessions = data.join("sessions");
    if std::fs::symlink_metadata(&sessions).is_err() {
        return Ok(());
    }
    check_private_dir(data, false)?;
    check_private_dir(&sessions, true)
}

/// Writes, syncs and removes a small private file in `dir`.
fn probe(dir: &Path) -> io::Result<()> {
    let path = dir.join(format!(".probe-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&path).and_then(|mut file| {
        // About a journal line or two: a disk that cannot take this cannot
        // keep a record.
        file.write_all(&[b'\n'; 4096])?;
        file.sync_all()
    });
    let removed = std::fs::remove_file(&path);
    written.and(removed)
}
