//! Settings: `config.ron` in the XDG config folder (`~/.config/stillpoint/`,
//! or `STILLPOINT_CONFIG`). Key bindings for every action — any key a
//! keyboard, a USB foot pedal or a presenter clicker can send — the theme,
//! the default soundscape and volume, cue timing, and the data folder.
//!
//! A missing file means the defaults. A file that is there but wrong is an
//! error with `file:line:col`, never silently the defaults: a studio that
//! remapped "next" to its pedal must not find the pedal dead mid-session.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::protocol::Span;
use crate::protocol::diagnostic::{FileError, FileKind, MAX_FILE_BYTES, decode, shown};

pub mod keys;
pub mod prefs;

pub use keys::{Action, Bindings, Key, KeyMap};

/// The themes a user can choose.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
pub enum ThemeName {
    /// Low-contrast greys and muted colours for a darkened room.
    Dim,
    /// The terminal's own colours with stronger accents, for daylight.
    Day,
    /// Bright text and bold accents, for weak eyes or a bright room.
    HighContrast,
    /// No colour at all (chosen automatically when `NO_COLOR` is set).
    Plain,
}

/// The settings file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Keys for actions.
    #[serde(default)]
    pub keys: Bindings,
    /// The colours: `Dim`, `Day`, `HighContrast` or `Plain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeName>,
    /// The soundscape when the protocol names none: `"surf"`, `"drone"`,
    /// `"rain"`, `"none"` or a sound file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soundscape: Option<String>,
    /// The volume every session starts at, 0–10 (without it, the last
    /// volume used is remembered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<u8>,
    /// How long before a step's end the "ending soon" bell sounds, when the
    /// protocol does not say.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cue_lead"
    )]
    pub lead: Option<Span>,
    /// How often a manual hold in overtime is reminded of, when the
    /// protocol does not say.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "reminder_interval"
    )]
    pub reminder: Option<Span>,
    /// Where session records are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// The output for cues (see `stillpoint audio devices`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue_device: Option<String>,
    /// How long records are kept: `stillpoint purge` erases sessions older
    /// than this when no `--older-than` is given. Off (none) by default;
    /// nothing is ever erased without `purge` being run.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "retention"
    )]
    pub retention: Option<Retention>,
}

/// How long a practice keeps its records (`"7y"`, `"18 months"`, `"P10Y"`),
/// counted in whole days from the date of each session.
#[derive(Debug, Clone)]
pub struct Retention {
    /// As written.
    pub text: String,
    /// As read.
    pub span: jiff::Span,
}

impl PartialEq for Retention {
    fn eq(&self, other: &Retention) -> bool {
        self.text == other.text
    }
}

impl Serialize for Retention {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// A retention period that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    /// Not a period at all.
    #[error("\"{0}\" is not a period; {RETENTION_HINT}")]
    NotAPeriod(String),
    /// Zero, negative, or not whole days.
    #[error("\"{0}\" is not a period records can be kept for; {RETENTION_HINT}")]
    NotKept(String),
}

/// How a retention period is written.
const RETENTION_HINT: &str =
    "write it in years, months, weeks or days, e.g. \"7y\" or \"18 months\"";

impl Retention {
    /// Reads a period of years, months, weeks or days; anything shorter
    /// than a day, negative or zero is refused with a hint.
    pub fn parse(text: &str) -> Result<Retention, RetentionError> {
        let span: jiff::Span = text
            .trim()
            .parse()
            .map_err(|_| RetentionError::NotAPeriod(shown(text)))?;
        let whole_days = span.get_hours() == 0
            && span.get_minutes() == 0
            && span.get_seconds() == 0
            && span.get_milliseconds() == 0
            && span.get_microseconds() == 0
            && span.get_nanoseconds() == 0;
        if !span.is_positive() || !whole_days {
            return Err(RetentionError::NotKept(shown(text)));
        }
        Ok(Retention {
            text: text.trim().to_owned(),
            span,
        })
    }

    /// The first date kept on `today`: sessions before it are past the
    /// period.
    pub fn cutoff(&self, today: jiff::civil::Date) -> Option<jiff::civil::Date> {
        today.checked_sub(self.span).ok()
    }
}

fn retention<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Retention>, D::Error> {
    use serde::de::Error;
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    Retention::parse(&text).map(Some).map_err(D::Error::custom)
}

/// Reads a cue timing setting, its errors worded for the setting (`what`)
/// rather than for a protocol's steps: `lead: "0s"` is about the bell, not
/// about how long a step lasts.
fn cue_timing<'de, D: serde::Deserializer<'de>>(
    d: D,
    what: &str,
    example: &str,
) -> Result<Option<Span>, D::Error> {
    use serde::de::Error;
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let duration = Span::parse_text(&text).map_err(D::Error::custom)?;
    if duration < std::time::Duration::from_secs(1) {
        return Err(D::Error::custom(format!(
            "\"{}\" is too short for the {what}; hint: give it at least one second, e.g. \
             \"{example}\"",
            shown(&text)
        )));
    }
    if duration > crate::protocol::MAX_STEP {
        return Err(D::Error::custom(format!(
            "\"{}\" is longer than an hour, too long for the {what}; hint: write a time like \
             \"{example}\"",
            shown(&text)
        )));
    }
    Ok(Some(Span::new(duration)))
}

fn cue_lead<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Span>, D::Error> {
    cue_timing(
        d,
        "cue lead (how long before a step ends the bell sounds)",
        "10s",
    )
}

fn reminder_interval<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Span>, D::Error> {
    cue_timing(
        d,
        "reminder interval (how often a bell rings in overtime)",
        "60s",
    )
}

/// The settings, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The file's contents (defaults when there is no file).
    pub config: Config,
    /// The key map they make.
    pub keys: KeyMap,
    /// The file they came from, if any.
    pub path: Option<PathBuf>,
}

impl Config {
    /// Parses and checks settings from RON text; `origin` names the file in
    /// errors. A leading byte order mark is ignored.
    pub fn parse(text: &str, origin: &Path) -> Result<Settings, FileError> {
        use ron::extensions::Extensions;
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let options = ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME);
        let mut config: Config = options
            .from_str(text)
            .map_err(|e| FileError::from_ron(origin, FileKind::Settings, text, &e))?;
        let written = config.soundscape.clone();
        config.resolve_paths(origin);
        config.check_volume(text, origin)?;
        config.check_soundscape(text, origin, written.as_deref())?;
        let keys = KeyMap::from_bindings(&config.keys).map_err(|(action, key, other)| {
            FileError::at_field(
                origin,
                text,
                action.name(),
                format!(
                    "the key \"{key}\" is bound to both `{}` and `{}`",
                    other.name(),
                    action.name()
                ),
                format!(
                    "give \"{key}\" to one of them (an action left out keeps its default keys, \
                     so moving a default key means setting both actions)"
                ),
            )
        })?;
        Ok(Settings {
            config,
            keys,
            path: Some(origin.to_owned()),
        })
    }

    /// Makes the paths in the file mean the same from any working folder:
    /// `~/` is the home folder, and a relative path is taken from the
    /// settings file's own folder (records never scatter into whichever
    /// folder stillpoint was started in).
    fn resolve_paths(&mut self, origin: &Path) {
        let base = origin.parent().unwrap_or(Path::new(""));
        if let Some(dir) = &self.data_dir {
            self.data_dir = Some(resolve(dir, base));
        }
        if let Some(scape) = &self.soundscape
            && crate::audio::scape::Scape::from_name(scape).is_none()
            && scape != "none"
        {
            self.soundscape = Some(resolve(Path::new(scape), base).display().to_string());
        }
    }

    /// A volume above the loudest step is an error at `volume:`.
    fn check_volume(&self, text: &str, origin: &Path) -> Result<(), FileError> {
        match self.volume {
            Some(v) if v > crate::audio::mix::MAX_VOLUME => Err(FileError::at_field(
                origin,
                text,
                "volume",
                format!("volume {v} is above the loudest step, 10"),
                "write a volume from 0 (silent) to 10",
            )),
            _ => Ok(()),
        }
    }

    /// A soundscape that is neither one of ours, `none`, nor a file is an
    /// error at `soundscape:`, with the closest name when there is one;
    /// `written` is the value as the file has it (before a relative path
    /// was taken from the file's folder).
    fn check_soundscape(
        &self,
        text: &str,
        origin: &Path,
        written: Option<&str>,
    ) -> Result<(), FileError> {
        let (Some(resolved), Some(s)) = (&self.soundscape, written) else {
            return Ok(());
        };
        if crate::audio::scape::Scape::from_name(s).is_some()
            || s == "none"
            || Path::new(resolved).is_file()
        {
            return Ok(());
        }
        let hint = match crate::protocol::diagnostic::did_you_mean(s, &crate::protocol::SOUNDSCAPES)
        {
            Some(close) => format!("did you mean \"{close}\"?"),
            None => "write \"surf\", \"drone\", \"rain\", \"none\" or the path of a sound file"
                .to_owned(),
        };
        Err(FileError::at_field(
            origin,
            text,
            "soundscape",
            format!("\"{}\" is not a soundscape or a file", shown(s)),
            hint,
        ))
    }
}

/// `path` as written in a settings file in `base`: `~/…` from the home
/// folder, an absolute path as it is, any other from `base`.
fn resolve(path: &Path, base: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    if path.is_absolute() {
        path.to_owned()
    } else {
        base.join(path)
    }
}

/// Where the settings file is: `STILLPOINT_CONFIG`, else `config.ron` in
/// the XDG config folder.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os("STILLPOINT_CONFIG") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => crate::files::project_dirs().map(|d| d.config_dir().join("config.ron")),
    }
}

/// Reads the settings at `path`: the defaults if there is no file, an error
/// if there is one and it is wrong — or not a settings file, not UTF-8
/// text, a FIFO, a device, or larger than any settings file could be.
pub fn load(path: Option<&Path>) -> Result<Settings, FileError> {
    use crate::files::ReadError;
    let Some(path) = path else {
        return Ok(Settings::default());
    };
    match crate::files::read_regular(path, MAX_FILE_BYTES) {
        Ok(bytes) => Config::parse(&decode(path, FileKind::Settings, bytes)?, path),
        Err(ReadError::NotFound) => Ok(Settings::default()),
        Err(e) => Err(FileError::unreadable(path, FileKind::Settings, &e)),
    }
}

/// The commented settings file `stillpoint config --init` writes: every
/// setting, each at its default and commented out, so the file changes
/// nothing until an entry is uncommented.
pub const TEMPLATE: &str = include_str!("../assets/config.ron");

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn retention_is_a_period_of_whole_days_or_more() {
        let s = Config::parse(r#"Config(retention: "7y")"#, Path::new("c.ron")).expect("valid");
        let r = s.config.retention.expect("set");
        let today = jiff::civil::date(2026, 12, 1);
        assert_eq!(r.cutoff(today), Some(jiff::civil::date(2019, 12, 1)));
        let months = Retention::parse("18 months").expect("months");
        assert_eq!(months.cutoff(today), Some(jiff::civil::date(2025, 6, 1)));
        for bad in ["soon", "-7y", "0d", "3h", ""] {
            assert!(Retention::parse(bad).is_err(), "{bad}");
        }
        let e = Config::parse(r#"Config(retention: "3h")"#, Path::new("c.ron")).unwrap_err();
        assert!(
            e.to_string()
                .contains("not a period records can be kept for"),
            "{e}"
        );
    }

    #[test]
    fn bindings_replace_an_actions_keys_and_clashes_are_refused() {
        let text = r#"Config(keys: (next: ["F5", "MediaTrackNext"], back: ["F4"]))"#;
        let s = Config::parse(text, Path::new("c.ron")).expect("valid");
        let press = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(s.keys.action(&press(KeyCode::F(5))), Some(Action::Next));
        assert_eq!(s.keys.action(&press(KeyCode::Char(' '))), None, "replaced");
        assert_eq!(s.keys.action(&press(KeyCode::Left)), None, "replaced");
        assert!(s.keys.uses_media_keys());
        let clash = r#"Config(
    keys: (tap: ["p"]),
)"#;
        let e = Config::parse(clash, Path::new("c.ron")).unwrap_err();
        assert_eq!(
            e.headline(),
            "c.ron:2:12: the key \"p\" is bound to both `pause` and `tap`"
        );
        assert_eq!(
            &*e.hint,
            "give \"p\" to one of them (an action left out keeps its default keys, so moving \
             a default key means setting both actions)"
        );
    }

    #[test]
    fn a_missing_file_is_the_defaults_and_a_broken_one_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("config.ron");
        let s = load(Some(&path)).expect("defaults");
        assert_eq!(s.config, Config::default());
        std::fs::write(&path, "Config(thme: Dim)").expect("write");
        let e = load(Some(&path)).unwrap_err();
        assert!(e.to_string().contains("did you mean `theme`?"), "{e}");
    }

    #[test]
    fn relative_paths_are_taken_from_the_settings_files_folder() {
        let text = r#"Config(data_dir: "records", soundscape: "sounds/sea.flac")"#;
        let s = Config::parse(text, Path::new("/studio/conf/config.ron"));
        // The sound file does not exist, so that is refused; the message
        // names the resolved file's setting, not the working folder.
        assert!(s.is_err());
        let text = r#"Config(data_dir: "records", soundscape: "surf")"#;
        let s = Config::parse(text, Path::new("/studio/conf/config.ron")).expect("valid");
        assert_eq!(
            s.config.data_dir.as_deref(),
            Some(Path::new("/studio/conf/records"))
        );
        assert_eq!(s.config.soundscape.as_deref(), Some("surf"));
        let text = r#"Config(data_dir: "/srv/records")"#;
        let s = Config::parse(text, Path::new("/studio/conf/config.ron")).expect("valid");
        assert_eq!(
            s.config.data_dir.as_deref(),
            Some(Path::new("/srv/records"))
        );
        let text = r#"Config(data_dir: "~/records")"#;
        let s = Config::parse(text, Path::new("/studio/conf/config.ron")).expect("valid");
        let home = directories::BaseDirs::new()
            .expect("a home")
            .home_dir()
            .to_owned();
        assert_eq!(s.config.data_dir, Some(home.join("records")));
    }

    #[test]
    fn the_template_is_valid_and_changes_nothing() {
        let s = Config::parse(TEMPLATE, Path::new("config.ron")).expect("valid");
        assert_eq!(s.config, Config::default());
        assert_eq!(s.keys, KeyMap::default());
        // Every setting is in it.
        for field in [
            "keys",
            "theme",
            "soundscape",
            "volume",
            "lead",
            "reminder",
            "data_dir",
            "cue_device",
            "retention",
        ] {
            assert!(TEMPLATE.contains(&format!("{field}:")), "{field}");
        }
        for action in Action::ALL {
            assert!(
                TEMPLATE.contains(&format!("{}:", action.name())),
                "{action:?}"
            );
        }
    }
}
