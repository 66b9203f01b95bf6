//! Where stillpoint keeps files: XDG folders on Linux (the platform's own
//! elsewhere), with `STILLPOINT_DATA` overriding the data folder. Folders are
//! created private (`0700`).

use std::io;
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
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates `dir` and its parents, owner-only (`0700`) for the folders it makes.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
