//! Key bindings: the [`Action`]s the dashboard knows, the [`Key`]s a
//! keyboard, a USB foot pedal or a presenter clicker can send (named the way
//! `config.ron` names them), and the [`KeyMap`] from one to the other.

use std::collections::HashMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MediaKeyCode};
use serde::{Deserialize, Deserializer, Serialize};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Start, or the next step.
    Next,
    /// The previous step.
    Back,
    /// Pause or resume.
    Pause,
    /// +30 s.
    Extend,
    /// -30 s.
    Shorten,
    /// Show or hide the keys.
    Help,
    /// End the session (asks first).
    Quit,
    /// Close an overlay.
    Dismiss,
    /// One volume step louder.
    VolumeUp,
    /// One volume step softer.
    VolumeDown,
    /// Mute or unmute.
    Mute,
    /// Write a one-line note.
    Note,
    /// Tap on a rhythm cycle.
    Tap,
    /// Mark a still point's start or end.
    StillPoint,
}

impl Action {
    /// Every action, in the order the help lists them.
    pub const ALL: [Action; 14] = [
        Action::Next,
        Action::Back,
        Action::Pause,
        Action::Extend,
        Action::Shorten,
        Action::VolumeUp,
        Action::VolumeDown,
        Action::Mute,
        Action::Note,
        Action::Tap,
        Action::StillPoint,
        Action::Help,
        Action::Quit,
        Action::Dismiss,
    ];

    /// The action's name in `config.ron`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Next => "next",
            Action::Back => "back",
            Action::Pause => "pause",
            Action::Extend => "extend",
            Action::Shorten => "shorten",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Dismiss => "dismiss",
            Action::VolumeUp => "volume_up",
            Action::VolumeDown => "volume_down",
            Action::Mute => "mute",
            Action::Note => "note",
            Action::Tap => "tap",
            Action::StillPoint => "still_point",
        }
    }

    /// The keys it has without a config file. Space, Enter, Right and
    /// PageDown all mean next because foot pedals and clickers send them.
    pub fn default_keys(self) -> &'static [&'static str] {
        match self {
            Action::Next => &["Space", "Enter", "Right", "PageDown"],
            Action::Back => &["Left", "PageUp", "Backspace"],
            Action::Pause => &["p"],
            Action::Extend => &["+", "="],
            Action::Shorten => &["-", "_"],
            Action::Help => &["?", "F1"],
            Action::Quit => &["q", "Ctrl-c"],
            Action::Dismiss => &["Esc"],
            Action::VolumeUp => &["]", "Up"],
            Action::VolumeDown => &["[", "Down"],
            Action::Mute => &["m"],
            Action::Note => &["n"],
            Action::Tap => &["t"],
            Action::StillPoint => &["s"],
        }
    }
}

/// A key as `config.ron` names it: `"Space"`, `"F5"`, `"PageDown"`, `"a"`,
/// `"Ctrl-c"`, `"MediaPlayPause"`…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

/// The named keys, for parsing and for "did you mean".
const NAMED: [(&str, KeyCode); 16] = [
    ("Space", KeyCode::Char(' ')),
    ("Enter", KeyCode::Enter),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Backspace", KeyCode::Backspace),
    ("Esc", KeyCode::Esc),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Insert", KeyCode::Insert),
    ("Delete", KeyCode::Delete),
];

/// The media keys (reported by terminals that speak the kitty keyboard
/// protocol; stillpoint asks for it when one is bound).
const MEDIA: [(&str, MediaKeyCode); 13] = [
    ("MediaPlay", MediaKeyCode::Play),
    ("MediaPause", MediaKeyCode::Pause),
    ("MediaPlayPause", MediaKeyCode::PlayPause),
    ("MediaReverse", MediaKeyCode::Reverse),
    ("MediaStop", MediaKeyCode::Stop),
    ("MediaFastForward", MediaKeyCode::FastForward),
    ("MediaRewind", MediaKeyCode::Rewind),
    ("MediaTrackNext", MediaKeyCode::TrackNext),
    ("MediaTrackPrevious", MediaKeyCode::TrackPrevious),
    ("MediaRecord", MediaKeyCode::Record),
    ("MediaLowerVolume", MediaKeyCode::LowerVolume),
    ("MediaRaiseVolume", MediaKeyCode::RaiseVolume),
    ("MediaMuteVolume", MediaKeyCode::MuteVolume),
];

impl Key {
    /// The key a terminal event is, for looking up its action. Letters match
    /// either case; Shift is part of the character, not a modifier.
    pub fn of(event: &KeyEvent) -> Key {
        let code = match event.code {
            KeyCode::Char(c) => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Reads a key name.
    pub fn parse(name: &str) -> Result<Key, UnknownKey> {
        let mut rest = name;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest
                .strip_prefix("Ctrl-")
                .or_else(|| rest.strip_prefix("ctrl-"))
            {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("Alt-")
                .or_else(|| rest.strip_prefix("alt-"))
            {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = if let Some((_, code)) = NAMED.iter().find(|(n, _)| n.eq_ignore_ascii_case(rest))
        {
            *code
        } else if let Some((_, m)) = MEDIA.iter().find(|(n, _)| n.eq_ignore_ascii_case(rest)) {
            KeyCode::Media(*m)
        } else if let Some(n) = rest
            .strip_prefix(['F', 'f'])
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=24).contains(n))
        {
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() && c != ' ' => {
                    KeyCode::Char(c.to_ascii_lowercase())
                }
                _ => return Err(UnknownKey::new(name)),
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    /// The key in a few characters, for the footer and the help.
    pub fn short(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Backspace => "⌫".to_owned(),
            _ => {
                let plain = Key {
                    ctrl: false,
                    alt: false,
                    ..*self
                };
                plain.to_string()
            }
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl-{base}"),
            (false, true) => format!("Alt-{base}"),
            (false, false) => base,
        }
    }

    /// True for a media key.
    pub fn is_media(&self) -> bool {
        matches!(self.code, KeyCode::Media(_))
    }
}

/// A key name that names no key, with the closest name there is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key \"{name}\"; hint: {hint}")]
pub struct UnknownKey {
    /// The name as written, made safe and short enough to quote.
    name: String,
    /// What to write instead.
    hint: String,
}

impl UnknownKey {
    fn new(name: &str) -> UnknownKey {
        let mut names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
        names.extend(MEDIA.iter().map(|(n, _)| *n));
        let bare = name.rsplit('-').next().unwrap_or(name);
        let hint = match crate::protocol::diagnostic::did_you_mean(bare, &names) {
            Some(close) => format!("did you mean \"{close}\"?"),
            None => "write a character (\"a\", \"+\"), a name (\"Space\", \"Enter\", \
                     \"PageDown\", \"F5\", \"MediaPlayPause\"…), optionally after \"Ctrl-\" \
                     or \"Alt-\""
                .to_owned(),
        };
        UnknownKey {
            name: crate::protocol::diagnostic::shown(name),
            hint,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        if let Some((n, _)) = NAMED.iter().find(|(_, c)| *c == self.code) {
            return f.write_str(n);
        }
        match self.code {
            KeyCode::Media(m) => match MEDIA.iter().find(|(_, c)| *c == m) {
                Some((n, _)) => f.write_str(n),
                None => write!(f, "{m}"),
            },
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Char(c) => write!(f, "{c}"),
            other => write!(f, "{other}"),
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        let name = String::deserialize(d)?;
        Key::parse(&name).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// The keys for each action, where the file sets them; an action left out
/// keeps its default keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "keys")]
pub struct Bindings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    back: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pause: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extend: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shorten: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    volume_up: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    volume_down: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mute: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tap: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    still_point: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    help: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quit: Option<Vec<Key>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dismiss: Option<Vec<Key>>,
}

impl Bindings {
    fn get(&self, action: Action) -> Option<&Vec<Key>> {
        match action {
            Action::Next => self.next.as_ref(),
            Action::Back => self.back.as_ref(),
            Action::Pause => self.pause.as_ref(),
            Action::Extend => self.extend.as_ref(),
            Action::Shorten => self.shorten.as_ref(),
            Action::Help => self.help.as_ref(),
            Action::Quit => self.quit.as_ref(),
            Action::Dismiss => self.dismiss.as_ref(),
            Action::VolumeUp => self.volume_up.as_ref(),
            Action::VolumeDown => self.volume_down.as_ref(),
            Action::Mute => self.mute.as_ref(),
            Action::Note => self.note.as_ref(),
            Action::Tap => self.tap.as_ref(),
            Action::StillPoint => self.still_point.as_ref(),
        }
    }

    /// Whether the file sets the keys for `action` (else it keeps its
    /// default keys).
    pub fn sets(&self, action: Action) -> bool {
        self.get(action).is_some()
    }

    /// Sets the keys for `action` (for tests and callers building a map).
    pub fn set(&mut self, action: Action, keys: Vec<Key>) {
        let slot = match action {
            Action::Next => &mut self.next,
            Action::Back => &mut self.back,
            Action::Pause => &mut self.pause,
            Action::Extend => &mut self.extend,
            Action::Shorten => &mut self.shorten,
            Action::Help => &mut self.help,
            Action::Quit => &mut self.quit,
            Action::Dismiss => &mut self.dismiss,
            Action::VolumeUp => &mut self.volume_up,
            Action::VolumeDown => &mut self.volume_down,
            Action::Mute => &mut self.mute,
            Action::Note => &mut self.note,
            Action::Tap => &mut self.tap,
            Action::StillPoint => &mut self.still_point,
        };
        *slot = Some(keys);
    }
}

/// Which key does what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    actions: HashMap<Key, Action>,
    /// Each action's keys in the order they were given, for the help.
    order: Vec<(Action, Vec<Key>)>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::from_bindings(&Bindings::default()).unwrap_or(KeyMap {
            actions: HashMap::new(),
            order: Vec::new(),
        })
    }
}

impl KeyMap {
    /// The map with `bindings` over the defaults; the first key bound to two
    /// actions is an error (action, key, the other action).
    pub fn from_bindings(bindings: &Bindings) -> Result<KeyMap, (Action, Key, Action)> {
        let mut actions = HashMap::new();
        let mut order = Vec::new();
        for action in Action::ALL {
            let keys: Vec<Key> = match bindings.get(action) {
                Some(keys) => keys.clone(),
                None => action
                    .default_keys()
                    .iter()
                    .filter_map(|k| Key::parse(k).ok())
                    .collect(),
            };
            for key in &keys {
                if let Some(other) = actions.insert(*key, action)
                    && other != action
                {
                    return Err((action, *key, other));
                }
            }
            order.push((action, keys));
        }
        Ok(KeyMap { actions, order })
    }

    /// What `event` asks for.
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.actions.get(&Key::of(event)).copied()
    }

    /// The keys bound to `action`, in the order they were given.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.order
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| keys.clone())
            .unwrap_or_default()
    }

    /// The keys for `action` as the screen shows them (`space`, `→`, `PgDn`,
    /// `F5`), joined by spaces; empty for an action with no keys.
    pub fn label(&self, action: Action) -> String {
        self.keys_for(action)
            .iter()
            .map(Key::short)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// True when a media key is bound: the terminal must then be asked to
    /// report them.
    pub fn uses_media_keys(&self) -> bool {
        self.actions.keys().any(Key::is_media)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Key {
        Key::parse(s).expect("a key")
    }

    #[test]
    fn key_names_read_and_print_back() {
        for name in [
            "Space",
            "Enter",
            "PageDown",
            "F5",
            "F12",
            "a",
            "+",
            "Ctrl-c",
            "Alt-Left",
            "MediaPlayPause",
            "Esc",
        ] {
            assert_eq!(k(name).to_string(), name);
        }
        assert_eq!(k("pagedown"), k("PageDown"));
        assert_eq!(k("A"), k("a"));
        assert!(
            Key::parse("Spcae")
                .unwrap_err()
                .to_string()
                .contains("did you mean \"Space\"?")
        );
        assert!(Key::parse("F25").is_err());
        assert!(Key::parse("").is_err());
        assert!(Key::parse("ab").is_err());
    }

    #[test]
    fn the_defaults_map_every_action() {
        let map = KeyMap::default();
        for action in Action::ALL {
            assert!(!map.keys_for(action).is_empty(), "{action:?}");
        }
        let press = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(map.action(&press(KeyCode::PageDown)), Some(Action::Next));
        assert_eq!(map.action(&press(KeyCode::Char('P'))), Some(Action::Pause));
        assert_eq!(
            map.action(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(map.action(&press(KeyCode::Char('c'))), None);
        assert!(!map.uses_media_keys());
    }
}
