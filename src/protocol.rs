//! Session protocols: the RON file format, its parsing and its validation.
//!
//! A protocol is parsed from a `&str` (so tests pass literals) and every problem is
//! reported as a [`ProtocolError`] naming `file:line:col` and a hint saying what to
//! write instead. Nothing here panics on bad input.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The built-in soundscapes a protocol can name (see `audio::scape`).
pub const SOUNDSCAPES: [&str; 4] = ["surf", "drone", "rain", "none"];

/// The only format version this build understands.
pub const FORMAT_VERSION: u32 = 1;
/// The longest a single step may be planned for.
pub const MAX_STEP: Duration = Duration::from_secs(60 * 60);
/// The longest a whole protocol may be planned for.
pub const MAX_PROTOCOL: Duration = Duration::from_secs(4 * 60 * 60);

/// An ordered session plan: hold positions and the transitions between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// Format version; must be [`FORMAT_VERSION`].
    pub version: u32,
    /// Human name shown in the picker and the dashboard header.
    pub name: Label,
    /// One or two sentences on what the protocol is for.
    pub summary: String,
    /// Who wrote it (a person or a studio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The background sound: a built-in name (`"surf"`) or a studio's own
    /// file, `File("ocean.ogg")`, relative to the protocol file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soundscape: Option<SoundscapeRef>,
    /// How long before a step's end the "ending soon" bell sounds
    /// (default 10 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Span>,
    /// How often a manual hold in overtime is gently reminded of (default 60 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<Span>,
    /// The steps, in the order they are worked through.
    pub steps: Vec<Step>,
}

/// One step of a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// A hand position held for a planned time.
    Hold(Hold),
    /// A short timed pause to move around the table.
    Transition(Transition),
}

/// A hand position held for a planned time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawHold")]
pub struct Hold {
    /// What the hold is called ("Occipital base release").
    pub name: Label,
    /// The body region the hands are on.
    pub region: Region,
    /// Where the hands go.
    pub hands: String,
    /// What the hold is meant to do, in the protocol author's words.
    pub intent: String,
    /// What to feel for while holding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// The planned (target) time.
    pub duration: Span,
    /// The shortest sensible time; `-` never shortens below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Span>,
    /// The longest time; a manual hold in overtime moves on when it is reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Span>,
    /// Whether the hold moves on by itself when its time is up.
    #[serde(default)]
    pub advance: Advance,
}

/// The shape a hold has in the file, before cross-field checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Hold")]
struct RawHold {
    name: Label,
    region: Region,
    hands: String,
    intent: String,
    #[serde(default)]
    notice: Option<String>,
    duration: Span,
    #[serde(default)]
    min: Option<Span>,
    #[serde(default)]
    max: Option<Span>,
    #[serde(default)]
    advance: Advance,
}

impl TryFrom<RawHold> for Hold {
    type Error = String;

    fn try_from(raw: RawHold) -> Result<Self, Self::Error> {
        let name = &raw.name.0;
        if let Some(min) = raw.min
            && min > raw.duration
        {
            return Err(format!(
                "{FIELD_MARK}min in hold \"{name}\": `min` ({min}) is longer than `duration` ({}); \
                 hint: make `min` at most the target time, or drop it",
                raw.duration
            ));
        }
        if let Some(max) = raw.max
            && max < raw.duration
        {
            return Err(format!(
                "{FIELD_MARK}max in hold \"{name}\": `max` ({max}) is shorter than `duration` ({}); \
                 hint: make `max` at least the target time, or drop it",
                raw.duration
            ));
        }
        Ok(Hold {
            name: raw.name,
            region: raw.region,
            hands: raw.hands,
            intent: raw.intent,
            notice: raw.notice,
            duration: raw.duration,
            min: raw.min,
            max: raw.max,
            advance: raw.advance,
        })
    }
}

/// A short timed pause to move around the table ("move to the head").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// What to do ("Move to the head of the table").
    pub name: Label,
    /// How long the pause lasts; transitions always move on by themselves.
    pub duration: Span,
}

/// Whether a hold moves on by itself when its target time passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Advance {
    /// Move on with a cue when the time is up.
    #[default]
    Auto,
    /// "Hold until release": when the time is up, cue softly and count overtime
    /// until the therapist presses next (or `max` is reached).
    Manual,
}

/// The body regions a hold can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    /// The feet and ankles.
    Feet,
    /// The lower legs and knees.
    Legs,
    /// The sacrum.
    Sacrum,
    /// The lumbosacral junction (low back).
    Lumbosacral,
    /// The pelvis and pelvic diaphragm.
    Pelvis,
    /// The respiratory diaphragm.
    #[serde(alias = "Diaphragm")]
    RespiratoryDiaphragm,
    /// The sternum and chest.
    Sternum,
    /// The thoracic inlet (top of the chest, collar bones).
    ThoracicInlet,
    /// The shoulders.
    Shoulders,
    /// The hyoid, at the front of the throat.
    Hyoid,
    /// The cervical spine (neck).
    Neck,
    /// The occiput and cranial base.
    #[serde(alias = "CranialBase")]
    Occiput,
    /// The frontal bone (forehead).
    Frontal,
    /// The parietal bones (top and sides of the head).
    Parietal,
    /// The sphenoid (temples, behind the eyes).
    Sphenoid,
    /// The temporal bones (around the ears).
    Temporal,
    /// The jaw and temporomandibular joints.
    Jaw,
    /// The face and facial bones.
    Face,
    /// The dural tube, along the spine from occiput to sacrum.
    DuralTube,
}

impl Region {
    /// Every region, in the order the body map lists them (feet to head).
    pub const ALL: [Region; 19] = [
        Region::Feet,
        Region::Legs,
        Region::Sacrum,
        Region::Lumbosacral,
        Region::Pelvis,
        Region::RespiratoryDiaphragm,
        Region::Sternum,
        Region::ThoracicInlet,
        Region::Shoulders,
        Region::Hyoid,
        Region::Neck,
        Region::Occiput,
        Region::Frontal,
        Region::Parietal,
        Region::Sphenoid,
        Region::Temporal,
        Region::Jaw,
        Region::Face,
        Region::DuralTube,
    ];

    /// The region in plain words, as the dashboard shows it.
    pub fn label(self) -> &'static str {
        match self {
            Region::Feet => "feet",
            Region::Legs => "legs",
            Region::Sacrum => "sacrum",
            Region::Lumbosacral => "lumbosacral",
            Region::Pelvis => "pelvis",
            Region::RespiratoryDiaphragm => "respiratory diaphragm",
            Region::Sternum => "sternum",
            Region::ThoracicInlet => "thoracic inlet",
            Region::Shoulders => "shoulders",
            Region::Hyoid => "hyoid",
            Region::Neck => "neck",
            Region::Occiput => "occiput / cranial base",
            Region::Frontal => "frontal",
            Region::Parietal => "parietal",
            Region::Sphenoid => "sphenoid",
            Region::Temporal => "temporal",
            Region::Jaw => "jaw",
            Region::Face => "face",
            Region::DuralTube => "dural tube",
        }
    }
}

/// Starts a cross-field error raised once a whole hold has been read; the
/// word after it names the field the error should point at.
const FIELD_MARK: &str = "\u{1}field=";

/// Which background sound a protocol asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoundscapeRef {
    /// A built-in soundscape, or `"none"`.
    Named(String),
    /// A sound file, as written (relative to the protocol file).
    File(String),
}

impl Serialize for SoundscapeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SoundscapeRef::Named(n) => s.serialize_str(n),
            SoundscapeRef::File(f) => s.serialize_newtype_variant("Soundscape", 0, "File", f),
        }
    }
}

impl<'de> Deserialize<'de> for SoundscapeRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SoundscapeRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a soundscape name in quotes, or File(\"name.ogg\")")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SoundscapeRef, E> {
                Ok(SoundscapeRef::Named(v.to_owned()))
            }
            fn visit_newtype_struct<D2: Deserializer<'de>>(
                self,
                d: D2,
            ) -> Result<SoundscapeRef, D2::Error> {
                String::deserialize(d).map(SoundscapeRef::File)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SoundscapeRef, A::Error> {
                let path: Option<String> = seq.next_element()?;
                path.map(SoundscapeRef::File).ok_or_else(|| {
                    serde::de::Error::custom(
                        "File(...) needs a path; hint: write File(\"ocean.ogg\")",
                    )
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A non-empty, trimmed name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(serde::de::Error::custom(
                "a name cannot be empty; hint: write a short name such as \"Occipital base release\"",
            ));
        }
        Ok(Label(trimmed.to_owned()))
    }
}

/// A planned duration, written the way people write it (`"90s"`, `"2m30s"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(Duration);

impl Span {
    /// Wraps a duration; callers outside parsing use this for tests and templates.
    pub fn new(d: Duration) -> Self {
        Span(d)
    }

    /// The duration.
    pub fn get(self) -> Duration {
        self.0
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(
            &humantime::format_duration(self.0)
                .to_string()
                .replace(' ', ""),
        )
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = String::deserialize(d)?;
        let d = humantime::parse_duration(text.trim()).map_err(|_| {
            D::Error::custom(format!(
                "\"{text}\" is not a duration; hint: write it like \"90s\", \"2m30s\" or \"1h\""
            ))
        })?;
        if d < Duration::from_secs(1) {
            return Err(D::Error::custom(format!(
                "\"{text}\" is too short; hint: a step lasts at least one second, e.g. \"30s\""
            )));
        }
        if d > MAX_STEP {
            return Err(D::Error::custom(format!(
                "\"{text}\" is longer than an hour; hint: split it into shorter steps"
            )));
        }
        Ok(Span(d))
    }
}

impl Step {
    /// The step's name.
    pub fn name(&self) -> &str {
        match self {
            Step::Hold(h) => h.name.as_str(),
            Step::Transition(t) => t.name.as_str(),
        }
    }

    /// The step's planned (target) time.
    pub fn planned(&self) -> Duration {
        match self {
            Step::Hold(h) => h.duration.get(),
            Step::Transition(t) => t.duration.get(),
        }
    }

    /// The hold, if this step is one.
    pub fn hold(&self) -> Option<&Hold> {
        match self {
            Step::Hold(h) => Some(h),
            Step::Transition(_) => None,
        }
    }

    /// How the step ends: transitions always move on by themselves.
    pub fn advance(&self) -> Advance {
        match self {
            Step::Hold(h) => h.advance,
            Step::Transition(_) => Advance::Auto,
        }
    }

    /// The shortest the step may be shortened to.
    pub fn min(&self) -> Duration {
        match self {
            Step::Hold(h) => h.min.map_or(Duration::ZERO, Span::get),
            Step::Transition(_) => Duration::ZERO,
        }
    }

    /// The longest the step may run (a manual hold moves on here).
    pub fn max(&self) -> Option<Duration> {
        match self {
            Step::Hold(h) => h.max.map(Span::get),
            Step::Transition(_) => None,
        }
    }
}

impl Protocol {
    /// The sum of every step's planned time.
    pub fn planned_total(&self) -> Duration {
        self.steps.iter().map(Step::planned).sum()
    }

    /// Parses and validates a protocol from RON text. `origin` names the file in
    /// error messages.
    pub fn parse(text: &str, origin: &Path) -> Result<Protocol, ProtocolError> {
        let protocol: Protocol = ron_options()
            .from_str(text)
            .map_err(|e| ProtocolError::from_ron(origin, text, &e))?;
        protocol.validate(origin, text)?;
        Ok(protocol)
    }

    /// Reads, parses and validates a protocol file.
    pub fn load(path: &Path) -> Result<Protocol, ProtocolError> {
        let text = read_text(path)?;
        let protocol = Protocol::parse(&text, path)?;
        if let Some(file) = protocol.sound_file(path) {
            crate::audio::file::check(&file).map_err(|e| {
                let (line, col) = position_of_field(&text, "soundscape");
                ProtocolError {
                    file: path.to_owned(),
                    line,
                    col,
                    message: format!("soundscape file {}: {e}", file.display()),
                    hint: "the path is relative to this protocol file; \
                           use a WAV, FLAC, Ogg Vorbis or MP3 file"
                        .into(),
                }
            })?;
        }
        Ok(protocol)
    }

    /// Reads and parses a protocol file without decoding its sound file, for
    /// listing many protocols cheaply; [`Protocol::load`] checks everything.
    pub fn read(path: &Path) -> Result<Protocol, ProtocolError> {
        Protocol::parse(&read_text(path)?, path)
    }

    /// The soundscape file this protocol names, resolved next to the
    /// protocol file at `origin`.
    pub fn sound_file(&self, origin: &Path) -> Option<PathBuf> {
        match &self.soundscape {
            Some(SoundscapeRef::File(f)) => {
                Some(origin.parent().unwrap_or_else(|| Path::new(".")).join(f))
            }
            _ => None,
        }
    }

    /// Writes the protocol back as RON in the same dialect [`Protocol::parse`] reads.
    pub fn to_ron(&self) -> Result<String, ron::Error> {
        let pretty = ron::ser::PrettyConfig::default().struct_names(false);
        ron_options().to_string_pretty(self, pretty)
    }

    /// Whole-protocol checks that the field types cannot express.
    fn validate(&self, origin: &Path, text: &str) -> Result<(), ProtocolError> {
        let at_field = |field: &str| position_of_field(text, field);
        if self.version != FORMAT_VERSION {
            let (line, col) = at_field("version");
            return Err(ProtocolError {
                file: origin.to_owned(),
                line,
                col,
                message: format!("format version {} is not supported", self.version),
                hint: format!("write `version: {FORMAT_VERSION},`"),
            });
        }
        if let Some(SoundscapeRef::Named(name)) = &self.soundscape
            && !SOUNDSCAPES.contains(&name.as_str())
        {
            let (line, col) = at_field("soundscape");
            return Err(ProtocolError {
                file: origin.to_owned(),
                line,
                col,
                message: format!("unknown soundscape \"{name}\""),
                hint: format!(
                    "write one of: {}, or a file as File(\"ocean.ogg\")",
                    SOUNDSCAPES.map(|s| format!("\"{s}\"")).join(", ")
                ),
            });
        }
        if self.steps.is_empty() {
            let (line, col) = at_field("steps");
            return Err(ProtocolError {
                file: origin.to_owned(),
                line,
                col,
                message: "the protocol has no steps".into(),
                hint: "add at least one `Hold(...)` to `steps: [ ... ]`".into(),
            });
        }
        let total = self.planned_total();
        if total > MAX_PROTOCOL {
            let (line, col) = at_field("steps");
            return Err(ProtocolError {
                file: origin.to_owned(),
                line,
                col,
                message: format!(
                    "the steps add up to {}, more than four hours",
                    clock_text(total)
                ),
                hint: "shorten the holds or split the protocol into two sessions".into(),
            });
        }
        Ok(())
    }
}

fn read_text(path: &Path) -> Result<String, ProtocolError> {
    std::fs::read_to_string(path).map_err(|e| ProtocolError {
        file: path.to_owned(),
        line: 0,
        col: 0,
        message: format!("cannot read the file: {e}"),
        hint: "check the path and that the file is readable".into(),
    })
}

/// The RON dialect of session files: authors write `author: "x"` rather than
/// `Some("x")`, and `Hold(name: ..)` rather than `Hold((name: ..))`.
fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Finds where `field:` is first written as a field name (not inside quoted
/// text or a comment, and not as part of a longer word), for errors about
/// whole-protocol fields. Falls back to the start of the file.
fn position_of_field(text: &str, field: &str) -> (usize, usize) {
    let mut in_string = false;
    let mut escaped = false;
    let mut line = 1;
    let mut col = 1;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && text[i..].starts_with("//") {
            // Skip the comment to the end of the line.
            while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                chars.next();
            }
        } else if text[i..].starts_with(field)
            && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_')
            && text[i + field.len()..].trim_start().starts_with(':')
        {
            return (line, col);
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        prev = Some(c);
    }
    (1, 1)
}

/// Formats a duration as `m:ss` or `h:mm:ss`.
pub fn clock_text(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A problem in a protocol file, worded for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// The file (or the name of a bundled protocol).
    pub file: PathBuf,
    /// 1-based line, 0 when the file could not be read at all.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong, quoting the bad value.
    pub message: String,
    /// What to write instead.
    pub hint: String,
}

impl ProtocolError {
    fn from_ron(file: &Path, text: &str, e: &ron::error::SpannedError) -> ProtocolError {
        let (mut message, hint) = describe_ron_error(&e.code);
        let mut at = offset_of(text, e.span.start.line, e.span.start.col);
        if let Some(rest) = message.strip_prefix(FIELD_MARK) {
            // Checks across a hold's fields run when its `)` is read; point
            // back at the field the message is about instead.
            let (field, msg) = rest.split_once(' ').unwrap_or((rest, ""));
            at = previous_field(text, at, field).unwrap_or(at);
            message = msg.to_owned();
        } else if matches!(e.code, ron::Error::MissingStructField { .. }) {
            // ron notices a missing field at the closing `)`; the start of the
            // step is a better place to look.
            at = opening_of_struct(text, at).unwrap_or(at);
        }
        if text[..at].ends_with('"') {
            // Point at a bad text value's opening quote.
            at -= 1;
        } else {
            // Point at the value itself, not the whitespace before it.
            while text[at..].starts_with([' ', '\t']) {
                at += 1;
            }
        }
        let (line, col) = line_col(text, at);
        ProtocolError {
            file: file.to_owned(),
            line,
            col,
            message,
            hint,
        }
    }
}

/// The byte offset of a 1-based line and column (columns count characters).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// The 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Where `field:` was last written before `offset`.
fn previous_field(text: &str, offset: usize, field: &str) -> Option<usize> {
    let before = &text[..offset.min(text.len())];
    let mut end = before.len();
    while let Some(i) = before[..end].rfind(field) {
        let starts_word = !before[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if starts_word && before[i + field.len()..].trim_start().starts_with(':') {
            return Some(i);
        }
        end = i;
    }
    None
}

/// The start of the name of the struct whose `)` is at `offset`
/// (`Hold(...)` → the `H`), skipping over quoted text.
fn opening_of_struct(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut i = offset.min(bytes.len().saturating_sub(1));
    let mut in_string = false;
    loop {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
            b')' if !in_string => depth += 1,
            b'(' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    let name_end = i;
                    let name_start = text[..name_end]
                        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .map_or(0, |j| j + 1);
                    return Some(name_start);
                }
            }
            _ => {}
        }
        if i == 0 {
            return None;
        }
        i -= 1;
    }
}

/// Turns ron's error into a sentence and a hint for a protocol author.
fn describe_ron_error(code: &ron::Error) -> (String, String) {
    use ron::Error as E;
    match code {
        E::Message(m) => match m.split_once("; hint: ") {
            Some((msg, hint)) => (msg.to_owned(), hint.to_owned()),
            None => (
                m.clone(),
                "see the session-file format in the README".into(),
            ),
        },
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown field `{found}`{}",
                outer
                    .as_ref()
                    .map(|o| format!(" in `{o}`"))
                    .unwrap_or_default()
            ),
            format!("the fields here are: {}", backticked(expected)),
        ),
        E::MissingStructField { field, outer } => (
            format!(
                "missing field `{field}`{}",
                outer
                    .as_ref()
                    .map(|o| format!(" in `{o}`"))
                    .unwrap_or_default()
            ),
            format!("add `{field}: ...,`"),
        ),
        E::DuplicateStructField { field, .. } => (
            format!("the field `{field}` is written twice"),
            "keep one of them".into(),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = match outer.as_deref() {
                Some("Region") => "region",
                Some("Advance") => "advance",
                Some("Step") => "step kind",
                _ => "value",
            };
            (
                format!("unknown {what} `{found}`"),
                format!("write one of: {}", backticked(expected)),
            )
        }
        E::ExpectedString | E::ExpectedStringEnd => (
            "expected text in double quotes".into(),
            "write it like \"Occipital base release\" or, for times, \"2m30s\"".into(),
        ),
        E::ExpectedInteger => (
            "expected a whole number".into(),
            "write numbers without quotes, e.g. `version: 1,`".into(),
        ),
        E::InvalidValueForType { .. } => (
            code.to_string(),
            "check the value's type against the format in the README".into(),
        ),
        E::ExpectedComma => (
            "expected a comma".into(),
            "separate fields and list items with commas".into(),
        ),
        E::TrailingCharacters => (
            "there is text after the end of the protocol".into(),
            "the file should end with the `)` that closes `Protocol(`".into(),
        ),
        E::Eof => (
            "the file ends too early".into(),
            "a bracket or parenthesis is probably not closed".into(),
        ),
        other => (
            other.to_string(),
            "compare with a bundled protocol (`stillpoint list`) or the README's format".into(),
        ),
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            )?;
        }
        write!(f, "\n  hint: {}", self.hint)
    }
}

impl std::error::Error for ProtocolError {}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"Protocol(
    version: 1,
    name: "Mini",
    summary: "Two steps",
    steps: [
        Hold(
            name: "Feet",
            region: Feet,
            hands: "Palms under the heels",
            intent: "Settle",
            duration: "2m30s",
            advance: Manual,
        ),
        Transition(name: "Move to the head", duration: "20s"),
    ],
)"#;

    fn parse(text: &str) -> Result<Protocol, ProtocolError> {
        Protocol::parse(text, Path::new("t.ron"))
    }

    #[test]
    fn parses_a_minimal_protocol() {
        let p = parse(MINIMAL).expect("valid");
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.planned_total(), Duration::from_secs(170));
        assert_eq!(p.steps[0].advance(), Advance::Manual);
        assert_eq!(p.steps[1].advance(), Advance::Auto);
        assert_eq!(p.author, None);
    }

    #[test]
    fn round_trips_through_ron() {
        let p = parse(MINIMAL).expect("valid");
        let text = p.to_ron().expect("serialises");
        assert_eq!(parse(&text).expect("reparses"), p);
    }

    #[test]
    fn optional_fields_need_no_some() {
        let text = MINIMAL.replace(
            "summary: \"Two steps\",",
            "summary: \"x\", author: \"Studio\",",
        );
        assert_eq!(parse(&text).unwrap().author.as_deref(), Some("Studio"));
    }

    #[test]
    fn unknown_field_names_its_place_and_alternatives() {
        let text = MINIMAL.replace("intent:", "intnet:");
        let e = parse(&text).unwrap_err();
        assert_eq!((e.line, e.col), (10, 13));
        assert!(e.message.contains("unknown field `intnet`"), "{e}");
        assert!(e.hint.contains("`intent`"), "{e}");
    }

    #[test]
    fn bad_duration_points_at_the_value() {
        let text = MINIMAL.replace("\"2m30s\"", "\"two minutes\"");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.line, 11, "{e}");
        assert!(
            e.message.contains("\"two minutes\" is not a duration"),
            "{e}"
        );
        assert!(e.hint.contains("2m30s"));
    }

    #[test]
    fn min_above_target_is_rejected() {
        let text = MINIMAL.replace("advance: Manual,", "advance: Manual, min: \"5m\",");
        let e = parse(&text).unwrap_err();
        assert!(
            e.message.contains("`min` (5m) is longer than `duration`"),
            "{e}"
        );
    }

    #[test]
    fn empty_steps_and_versions_are_rejected() {
        let e = parse("Protocol(version: 1, name: \"x\", summary: \"\", steps: [])").unwrap_err();
        assert!(e.message.contains("no steps"));
        let e = parse(&MINIMAL.replace("version: 1", "version: 7")).unwrap_err();
        assert_eq!((e.line, e.col), (2, 5));
    }

    #[test]
    fn zero_and_absurd_durations_are_rejected() {
        assert!(parse(&MINIMAL.replace("\"20s\"", "\"0s\"")).is_err());
        assert!(parse(&MINIMAL.replace("\"20s\"", "\"2h\"")).is_err());
    }

    #[test]
    fn whole_protocol_errors_skip_quoted_text_and_comments() {
        let text = "// soundscape: in a comment\nProtocol(version: 1, name: \"x\", summary: \"A soundscape, steps: none\", soundscape: \"whales\", steps: [])";
        assert_eq!(position_of_field(text, "soundscape"), (2, 71));
        assert_eq!(position_of_field(text, "steps"), (2, 93));
        assert_eq!(position_of_field("xversion: 1", "version"), (1, 1));
    }

    #[test]
    fn soundscapes_are_names_or_files() {
        let named = MINIMAL.replace(
            "summary: \"Two steps\",",
            "summary: \"x\", soundscape: \"rain\",",
        );
        let p = parse(&named).unwrap();
        assert_eq!(p.soundscape, Some(SoundscapeRef::Named("rain".into())));
        let file = MINIMAL.replace(
            "summary: \"Two steps\",",
            "summary: \"x\", soundscape: File(\"ocean.ogg\"),",
        );
        let p = parse(&file).unwrap();
        assert_eq!(p.soundscape, Some(SoundscapeRef::File("ocean.ogg".into())));
        assert_eq!(
            p.sound_file(Path::new("studio/p.ron")),
            Some(PathBuf::from("studio/ocean.ogg"))
        );
        assert_eq!(parse(&p.to_ron().unwrap()).unwrap(), p);
    }

    #[test]
    fn display_is_file_line_col_then_hint() {
        let e = parse(&MINIMAL.replace("Feet,", "Toes,")).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.starts_with("t.ron:8:21: unknown region `Toes`"),
            "{shown}"
        );
        assert!(shown.contains("\n  hint: write one of: `Feet`"), "{shown}");
    }
}
