//! Where stillpoint keeps files and how it opens them: XDG folders on Linux
//! (the platform's own elsewhere), with `STILLPOINT_DATA` overriding the data
//! folder; folders created private (`0700`); and [`read_regular`], the one
//! way a file a person names is read: never a FIFO, a device or a socket
//! (which would hang or never end), never more than a cap.

use std::fs::File;
use std::io::{self, Read};
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

/// Creates (or truncates) a file readable by its owner only (`0600`).
pub fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    crate::platform::files::private_file(&mut options).open(path)
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
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        // Windows refuses to open a folder as a file ("access denied");
        // say what it is, as Unix does below.
        #[cfg(windows)]
        Err(_) if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) => {
            return Err(ReadError::NotRegular("a folder"));
        }
        Err(e) => return Err(e.into()),
    };
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

/// Reads a regular file of at most `cap` bytes whole (see [`open_regular`]).
/// A file that grows past the cap while being read is refused too.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path, cap)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
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
