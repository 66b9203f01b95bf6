//! Finding protocols: the bundled ones, `./sessions/`, the user's config folder
//! and each folder in `STILLPOINT_SESSIONS`, in that order. A later protocol with
//! the same name (file stem) shadows an earlier one, and the catalog says so.
//!
//! Every `*.ron` entry in a folder is a protocol, valid or not: a file that
//! cannot be used (broken, not UTF-8, a FIFO someone named `x.ron`) is
//! listed with its error rather than skipped, so `list` and the picker can
//! say why it is not on offer. A folder named in `STILLPOINT_SESSIONS` that
//! is not there is a note ([`SearchPath::notes`]), not silence.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::protocol::{Protocol, ProtocolError};

/// The protocols compiled into the binary, so it works from any folder.
pub const BUNDLED: &[(&str, &str)] = &[
    ("ten-step", include_str!("../../sessions/ten-step.ron")),
    (
        "relaxation-30",
        include_str!("../../sessions/relaxation-30.ron"),
    ),
    (
        "still-point-10",
        include_str!("../../sessions/still-point-10.ron"),
    ),
    (
        "trainee-drill",
        include_str!("../../sessions/trainee-drill.ron"),
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
    pub protocol: Result<std::sync::Arc<Protocol>, ProtocolError>,
    /// Earlier protocols with the same stem that this one hides.
    pub shadows: Vec<Origin>,
}

/// The folders searched after the bundled protocols.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    /// Folders in search order; later ones win.
    pub folders: Vec<PathBuf>,
    /// The folders a person named in `STILLPOINT_SESSIONS` (also in
    /// `folders`): the ones worth a word when they are missing, where
    /// `./sessions` or the config folder may well not exist.
    pub named: Vec<PathBuf>,
}

impl SearchPath {
    /// `./sessions`, `<config>/sessions`, then each folder in
    /// `STILLPOINT_SESSIONS` (colon-separated).
    pub fn from_env() -> SearchPath {
        let mut folders = vec![PathBuf::from("sessions")];
        if let Some(dirs) = crate::files::project_dirs() {
            folders.push(dirs.config_dir().join("sessions"));
        }
        let named: Vec<PathBuf> = std::env::var_os("STILLPOINT_SESSIONS")
            .map(|extra| {
                std::env::split_paths(&extra)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        folders.extend(named.iter().cloned());
        SearchPath { folders, named }
    }

    /// One line for each folder named in `STILLPOINT_SESSIONS` that is not
    /// a folder (a typo, an unmounted disk), for `list` and `validate` to
    /// print once as a note; sanitized.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        for folder in &self.named {
            let why = match std::fs::metadata(folder) {
                Ok(m) if m.is_dir() => continue,
                Ok(_) => "which is not a folder",
                Err(_) => "which does not exist",
            };
            let note = format!(
                "STILLPOINT_SESSIONS names {}, {why}",
                crate::text::sanitize_line(&folder.to_string_lossy())
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        notes
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
                protocol: Protocol::parse(text, &origin).map(Into::into),
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
                let protocol = Protocol::read(&path).map(std::sync::Arc::new);
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

    /// What a protocol file has to do with others of the same name: which
    /// it shadows, or which shadows it; `None` when its name is its own.
    pub fn shadowing(&self, file: &Path) -> Option<String> {
        let stem = file.file_stem()?.to_str()?;
        let found = self.get(stem)?;
        let same = |o: &Origin| match o {
            Origin::File(p) => same_file(p, file),
            Origin::Bundled => false,
        };
        if same(&found.origin) {
            let hidden: Vec<String> = found.shadows.iter().map(ToString::to_string).collect();
            return (!hidden.is_empty()).then(|| {
                format!(
                    "\"{stem}\" here shadows the one {}",
                    hidden.join(" and the one ")
                )
            });
        }
        if found.shadows.iter().any(same) {
            return Some(format!(
                "\"{stem}\" is shadowed by {} (a later folder wins); run this one by its path",
                found.origin
            ));
        }
        Some(format!(
            "a protocol named \"{stem}\" is also found ({}); this file runs only by its path",
            found.origin
        ))
    }

    /// The names on offer, for "did you mean" hints.
    pub fn stems(&self) -> Vec<&str> {
        self.found.iter().map(|f| f.stem.as_str()).collect()
    }

    /// The stem a person most likely meant by `name`: a close misspelling
    /// of a stem (`ten-stpe`), or a protocol's own name typed instead of
    /// its stem (`"Ten-step protocol"`).
    pub fn closest(&self, name: &str) -> Option<&str> {
        use crate::protocol::diagnostic::did_you_mean;
        if let Some(stem) = did_you_mean(name, &self.stems()) {
            return Some(stem);
        }
        let names: Vec<&str> = self
            .found
            .iter()
            .filter_map(|f| f.protocol.as_ref().ok())
            .map(|p| p.name.as_str())
            .collect();
        let close = did_you_mean(name, &names)?;
        self.found
            .iter()
            .find(|f| f.protocol.as_ref().is_ok_and(|p| p.name.as_str() == close))
            .map(|f| f.stem.as_str())
    }
}

/// The `*.ron` entries in `folder` that are not folders, sorted by name;
/// an unreadable folder has none. A FIFO or a device named `*.ron` is kept:
/// reading it is refused at once, and the refusal is worth showing.
fn ron_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron") && !p.is_dir())
        .collect();
    files.sort();
    files
}

/// A protocol chosen to run, and where its text lives.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The protocol, shared with the session that runs it.
    pub protocol: std::sync::Arc<Protocol>,
    /// Where it came from.
    pub source: Source,
}

/// Where a chosen protocol's text lives, as a session record names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Compiled in, by stem.
    Bundled(String),
    /// A file (its absolute path where it can be found).
    File(PathBuf),
}

impl Source {
    /// The source of a protocol the catalog found.
    pub fn of(found: &Found) -> Source {
        match &found.origin {
            Origin::Bundled => Source::Bundled(found.stem.clone()),
            Origin::File(p) => Source::file(p),
        }
    }

    /// A file source, made absolute so a resumed session finds it from any
    /// folder.
    pub fn file(path: &Path) -> Source {
        Source::File(std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
    }

    /// How a record writes it: `bundled:<stem>` or the file's path.
    pub fn label(&self) -> String {
        match self {
            Source::Bundled(stem) => format!("bundled:{stem}"),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Reads a label back.
    pub fn from_label(label: &str) -> Source {
        match label.strip_prefix("bundled:") {
            Some(stem) => Source::Bundled(stem.to_owned()),
            None => Source::File(PathBuf::from(label)),
        }
    }

    /// The file, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File(p) => Some(p),
            Source::Bundled(_) => None,
        }
    }

    /// The protocol's text as it is now, read the way every protocol file
    /// is (see [`crate::files::read_regular`]).
    pub fn text(&self) -> std::io::Result<String> {
        use crate::files::ReadError;
        match self {
            Source::File(p) => {
                let bytes =
                    crate::files::read_regular(p, crate::protocol::diagnostic::MAX_FILE_BYTES)
                        .map_err(|e| match e {
                            ReadError::Io(e) => e,
                            ReadError::NotFound => std::io::ErrorKind::NotFound.into(),
                            other => std::io::Error::other(other.to_string()),
                        })?;
                String::from_utf8(bytes).map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
                })
            }
            Source::Bundled(stem) => BUNDLED
                .iter()
                .find(|(s, _)| s == stem)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("this version of stillpoint has no built-in \"{stem}\""),
                    )
                }),
        }
    }
}

/// SHA-256 of a protocol's text, in hex: the record names the exact version
/// of the protocol that was worked.
pub fn text_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every protocol file in the searched folders, each folder once.
pub fn protocol_files(search: &SearchPath) -> Vec<PathBuf> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut files = Vec::new();
    for folder in &search.folders {
        let Ok(canonical) = folder.canonicalize() else {
            continue;
        };
        if !seen.contains(&canonical) {
            seen.push(canonical);
            files.extend(ron_files(folder));
        }
    }
    files
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
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
            ..SearchPath::default()
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
            ..SearchPath::default()
        });
        assert_eq!(c.get("ten-step").unwrap().origin, Origin::Bundled);
    }

    #[test]
    fn sources_round_trip_through_their_labels_and_hash_their_text() {
        let bundled = Source::Bundled("ten-step".into());
        assert_eq!(bundled.label(), "bundled:ten-step");
        assert_eq!(Source::from_label(&bundled.label()), bundled);
        assert_eq!(bundled.text().unwrap(), BUNDLED[0].1);
        let file = Source::file(Path::new("sessions/ten-step.ron"));
        assert!(file.path().unwrap().is_absolute());
        assert_eq!(Source::from_label(&file.label()), file);
        assert!(Source::Bundled("nope".into()).text().is_err());
        assert_eq!(
            text_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    // rustix (and mkfifoat) only where FIFOs are made this way.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn broken_files_and_fifos_are_listed_with_why_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.ron"), "Protocol(").unwrap();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            dir.path().join("pipe.ron"),
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("folder.ron")).unwrap();
        let c = Catalog::discover(&SearchPath {
            folders: vec![dir.path().to_owned()],
            ..SearchPath::default()
        });
        assert!(c.get("broken").unwrap().protocol.is_err());
        let pipe = c.get("pipe").unwrap().protocol.as_ref().unwrap_err();
        assert!(pipe.message.contains("FIFO"), "{pipe}");
        assert!(c.get("folder").is_none());
    }

    #[test]
    fn missing_named_folders_are_noted_once_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("studio-typo");
        let file = dir.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        let search = SearchPath {
            folders: vec![PathBuf::from("no-such-sessions")],
            named: vec![missing.clone(), dir.path().to_owned(), file, missing],
        };
        let notes = search.notes();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].ends_with("studio-typo, which does not exist"),
            "{notes:?}"
        );
        assert!(
            notes[1].ends_with("a-file, which is not a folder"),
            "{notes:?}"
        );
    }

    #[test]
    fn the_closest_stem_or_name_is_suggested() {
        let c = Catalog::discover(&SearchPath::default());
        assert_eq!(c.closest("ten-stpe"), Some("ten-step"));
        assert_eq!(c.closest("Ten-step protocol"), Some("ten-step"));
        assert_eq!(c.closest("relaxaton-30"), Some("relaxation-30"));
        assert_eq!(c.closest("zzz"), None);
    }

    #[test]
    fn arguments_with_slashes_or_ron_are_paths() {
        assert!(looks_like_path("./x.ron"));
        assert!(looks_like_path("studio/x"));
        assert!(!looks_like_path("ten-step"));
    }
}
