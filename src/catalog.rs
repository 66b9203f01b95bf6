//! Finding protocols: the bundled ones, `./sessions/`, the user's config folder
//! and each folder in `STILLPOINT_SESSIONS`, in that order. A later protocol with
//! the same name (file stem) shadows an earlier one, and the catalog says so.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::protocol::{Protocol, ProtocolError};

/// The protocols compiled into the binary, so it works from any folder.
pub const BUNDLED: &[(&str, &str)] = &[
    ("ten-step", include_str!("../sessions/ten-step.ron")),
    (
        "relaxation-30",
        include_str!("../sessions/relaxation-30.ron"),
    ),
    (
        "still-point-10",
        include_str!("../sessions/still-point-10.ron"),
    ),
    (
        "trainee-drill",
        include_str!("../sessions/trainee-drill.ron"),
    ),
];

/// Where a protocol came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary.
    Bundled,
    /// A file in one of the searched folders.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Bundled => f.write_str("built in"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One protocol the catalog found, valid or not.
#[derive(Debug, Clone)]
pub struct Found {
    /// The name it is chosen by: the file stem (`ten-step`).
    pub stem: String,
    /// Where it came from.
    pub origin: Origin,
    /// The parsed protocol, or why it could not be used.
    pub protocol: Result<Protocol, ProtocolError>,
    /// Earlier protocols with the same stem that this one hides.
    pub shadows: Vec<Origin>,
}

/// The folders searched after the bundled protocols.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    /// Folders in search order; later ones win.
    pub folders: Vec<PathBuf>,
}

impl SearchPath {
    /// `./sessions`, `<config>/sessions`, then each folder in
    /// `STILLPOINT_SESSIONS` (colon-separated).
    pub fn from_env() -> SearchPath {
        let mut folders = vec![PathBuf::from("sessions")];
        if let Some(dirs) = crate::paths::project_dirs() {
            folders.push(dirs.config_dir().join("sessions"));
        }
        if let Some(extra) = std::env::var_os("STILLPOINT_SESSIONS") {
            folders.extend(std::env::split_paths(&extra).filter(|p| !p.as_os_str().is_empty()));
        }
        SearchPath { folders }
    }
}

/// Every protocol found, one per name, in discovery order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The protocols, winners only; each lists what it shadows.
    pub found: Vec<Found>,
}

impl Catalog {
    /// Reads the bundled protocols and every `*.ron` file in `search`.
    pub fn discover(search: &SearchPath) -> Catalog {
        let mut catalog = Catalog::default();
        for (stem, text) in BUNDLED {
            let origin = Path::new("sessions").join(format!("{stem}.ron"));
            catalog.add(Found {
                stem: (*stem).to_owned(),
                origin: Origin::Bundled,
                protocol: Protocol::parse(text, &origin),
                shadows: Vec::new(),
            });
        }
        // `./sessions` is usually the bundled files themselves in a checkout;
        // the same path twice must not shadow itself.
        let mut seen: Vec<PathBuf> = Vec::new();
        for folder in &search.folders {
            let Ok(canonical) = folder.canonicalize() else {
                continue;
            };
            if seen.contains(&canonical) {
                continue;
            }
            seen.push(canonical);
            for path in ron_files(folder) {
                let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                let stem = stem.to_owned();
                // Sound files are decoded only for the protocol that runs.
                let protocol = Protocol::read(&path);
                // A checkout's own copy of a bundled file is not a new protocol.
                if let Some(existing) = catalog.get(&stem)
                    && existing.origin == Origin::Bundled
                    && let (Ok(a), Ok(b)) = (&existing.protocol, &protocol)
                    && a == b
                {
                    continue;
                }
                catalog.add(Found {
                    stem,
                    origin: Origin::File(path),
                    protocol,
                    shadows: Vec::new(),
                });
            }
        }
        catalog
    }

    fn add(&mut self, mut found: Found) {
        if let Some(i) = self.found.iter().position(|f| f.stem == found.stem) {
            let old = self.found.remove(i);
            found.shadows = old.shadows;
            found.shadows.push(old.origin);
        }
        self.found.push(found);
    }

    /// The protocol chosen by `stem`.
    pub fn get(&self, stem: &str) -> Option<&Found> {
        self.found.iter().find(|f| f.stem == stem)
    }

    /// The names on offer, for "did you mean" hints.
    pub fn stems(&self) -> Vec<&str> {
        self.found.iter().map(|f| f.stem.as_str()).collect()
    }
}

/// The `*.ron` files in `folder`, sorted by name; an unreadable folder has none.
fn ron_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron") && p.is_file())
        .collect();
    files.sort();
    files
}

/// How the command line names a protocol: by stem or by path.
pub fn looks_like_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".ron") || Path::new(arg).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_protocols_are_all_valid() {
        let c = Catalog::discover(&SearchPath::default());
        assert_eq!(c.found.len(), BUNDLED.len());
        for f in &c.found {
            assert!(f.protocol.is_ok(), "{}: {:?}", f.stem, f.protocol);
        }
    }

    #[test]
    fn a_studio_folder_shadows_by_stem_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ten-step.ron"), BUNDLED[2].1).unwrap();
        std::fs::write(dir.path().join("mine.ron"), BUNDLED[3].1).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let c = Catalog::discover(&SearchPath {
            folders: vec![dir.path().to_owned(), dir.path().to_owned()],
        });
        let ten = c.get("ten-step").unwrap();
        assert_eq!(ten.origin, Origin::File(dir.path().join("ten-step.ron")));
        assert_eq!(ten.shadows, vec![Origin::Bundled]);
        assert!(c.get("mine").is_some());
        assert_eq!(c.found.len(), BUNDLED.len() + 1);
    }

    #[test]
    fn a_copy_of_a_bundled_file_does_not_shadow_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ten-step.ron"), BUNDLED[0].1).unwrap();
        let c = Catalog::discover(&SearchPath {
            folders: vec![dir.path().to_owned()],
        });
        assert_eq!(c.get("ten-step").unwrap().origin, Origin::Bundled);
    }

    #[test]
    fn arguments_with_slashes_or_ron_are_paths() {
        assert!(looks_like_path("./x.ron"));
        assert!(looks_like_path("studio/x"));
        assert!(!looks_like_path("ten-step"));
    }
}
