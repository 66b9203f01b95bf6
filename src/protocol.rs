//! Session protocols: the RON file format, its parsing and its validation.
//!
//! A protocol is parsed from a `&str` (so tests pass literals) and every problem is
//! reported as a [`ProtocolError`] naming `file:line:col` and a hint saying what to
//! write instead. Nothing here panics on bad input.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::protocol::diagnostic::{FIELD_MARK, FileError, FileKind, read_source, shown};
use crate::text::clock_text;

pub mod catalog;
pub mod diagnostic;

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

/// One step of a protocol. (A protocol has tens of steps, so the size
/// difference between a hold and a transition costs nothing worth a box.)
#[allow(clippy::large_enum_variant)]
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
    /// What to find under the hands first (for learners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landmarks: Option<String>,
    /// How light the contact is (for learners; the practice panel says
    /// "about five grams" when it is not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch: Option<String>,
    /// Common mistakes to avoid (for learners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mistakes: Option<String>,
    /// Other regions the hands are on, besides `region` (for the body map).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Region>,
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
    #[serde(default)]
    landmarks: Option<String>,
    #[serde(default)]
    touch: Option<String>,
    #[serde(default)]
    mistakes: Option<String>,
    #[serde(default)]
    also: Vec<Region>,
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
                "{FIELD_MARK}min in hold \"{}\": `min` ({min}) is longer than `duration` ({}); \
                 hint: make `min` at most the target time, or drop it",
                shown(name),
                raw.duration
            ));
        }
        if let Some(max) = raw.max
            && max < raw.duration
        {
            return Err(format!(
                "{FIELD_MARK}max in hold \"{}\": `max` ({max}) is shorter than `duration` ({}); \
                 hint: make `max` at least the target time, or drop it",
                shown(name),
                raw.duration
            ));
        }
        Ok(Hold {
            name: raw.name,
            region: raw.region,
            hands: raw.hands,
            intent: raw.intent,
            notice: raw.notice,
            landmarks: raw.landmarks,
            touch: raw.touch,
            mistakes: raw.mistakes,
            also: raw.also,
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
    /// A name, trimmed; `None` if nothing is left.
    pub fn new(name: &str) -> Option<Label> {
        let trimmed = name.trim();
        (!trimmed.is_empty()).then(|| Label(trimmed.to_owned()))
    }

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

    /// Reads a duration the way people write it, with no bounds checked
    /// (each use — a step, a cue lead — words its own).
    pub(crate) fn parse_text(text: &str) -> Result<Duration, NotADuration> {
        humantime::parse_duration(text.trim()).map_err(|_| NotADuration(shown(text)))
    }
}

/// Text that is not a duration (as written, made safe to quote); worded
/// the way ron carries a message and its hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a duration; hint: write it like \"90s\", \"2m30s\" or \"1h\"")]
pub struct NotADuration(String);

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
        let d = Span::parse_text(&text).map_err(D::Error::custom)?;
        if d < Duration::from_secs(1) {
            return Err(D::Error::custom(format!(
                "\"{}\" is too short; hint: a step lasts at least one second, e.g. \"30s\"",
                shown(&text)
            )));
        }
        if d > MAX_STEP {
            return Err(D::Error::custom(format!(
                "\"{}\" is longer than an hour; hint: split it into shorter steps",
                shown(&text)
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
    /// error messages. A leading byte order mark is ignored.
    pub fn parse(text: &str, origin: &Path) -> Result<Protocol, ProtocolError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut protocol: Protocol = ron_options()
            .from_str(text)
            .map_err(|e| FileError::from_ron(origin, FileKind::Protocol, text, &e))?;
        protocol.validate(origin, text)?;
        // The list grew by doubling as it was read; a long protocol keeps
        // only what it holds.
        protocol.steps.shrink_to_fit();
        Ok(protocol)
    }

    /// Reads, parses and validates a protocol file.
    pub fn load(path: &Path) -> Result<Protocol, ProtocolError> {
        let text = read_source(path, FileKind::Protocol)?;
        let protocol = Protocol::parse(&text, path)?;
        if let Some(file) = protocol.sound_file(path) {
            crate::audio::file::check(&file).map_err(|e| {
                let hint = match similar_sound_file(&file) {
                    Some(close) => format!(
                        "did you mean File(\"{close}\")? (the path is relative to this protocol \
                         file)"
                    ),
                    None => "the path is relative to this protocol file; \
                             use a WAV, FLAC, Ogg Vorbis or MP3 file"
                        .to_owned(),
                };
                FileError::at_field(
                    path,
                    &text,
                    "soundscape",
                    format!("soundscape file {}: {e}", file.display()),
                    hint,
                )
            })?;
        }
        Ok(protocol)
    }

    /// Reads and parses a protocol file without decoding its sound file, for
    /// listing many protocols cheaply; [`Protocol::load`] checks everything.
    pub fn read(path: &Path) -> Result<Protocol, ProtocolError> {
        Protocol::parse(&read_source(path, FileKind::Protocol)?, path)
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

    /// A commented protocol named `name` that validates as it is, for
    /// `stillpoint new`: every field with an example and what it is for.
    pub fn template(name: &str) -> String {
        let name = name.replace('\\', "\\\\").replace('"', "\\\"");
        include_str!("../assets/template.ron").replace("{NAME}", &name)
    }

    /// Writes the protocol back as RON in the same dialect [`Protocol::parse`] reads.
    pub fn to_ron(&self) -> Result<String, ron::Error> {
        let pretty = ron::ser::PrettyConfig::default().struct_names(false);
        ron_options().to_string_pretty(self, pretty)
    }

    /// Whole-protocol checks that the field types cannot express.
    fn validate(&self, origin: &Path, text: &str) -> Result<(), ProtocolError> {
        let at_field = |field: &str, message: String, hint: String| {
            Err(FileError::at_field(origin, text, field, message, hint))
        };
        if self.version != FORMAT_VERSION {
            return at_field(
                "version",
                format!("format version {} is not supported", self.version),
                format!("write `version: {FORMAT_VERSION},`"),
            );
        }
        if let Some(SoundscapeRef::Named(name)) = &self.soundscape
            && !SOUNDSCAPES.contains(&name.as_str())
        {
            let hint = match crate::protocol::diagnostic::did_you_mean(name, &SOUNDSCAPES) {
                Some(close) => format!("did you mean \"{close}\"?"),
                None => format!(
                    "write one of: {}, or a file as File(\"ocean.ogg\")",
                    SOUNDSCAPES.map(|s| format!("\"{s}\"")).join(", ")
                ),
            };
            return at_field(
                "soundscape",
                format!("unknown soundscape \"{}\"", shown(name)),
                hint,
            );
        }
        if self.steps.is_empty() {
            return at_field(
                "steps",
                "the protocol has no steps".into(),
                "add at least one `Hold(...)` to `steps: [ ... ]`".into(),
            );
        }
        let total = self.planned_total();
        if total > MAX_PROTOCOL {
            return at_field(
                "steps",
                format!(
                    "the steps add up to {}, more than four hours",
                    clock_text(total)
                ),
                "shorten the holds or split the protocol into two sessions".into(),
            );
        }
        Ok(())
    }
}

/// The sound file next to `missing` whose name is closest to its name, for
/// a "did you mean": a studio's `waves.ogg` written as `wave.ogg`.
fn similar_sound_file(missing: &Path) -> Option<String> {
    const SOUND: [&str; 5] = ["wav", "flac", "ogg", "oga", "mp3"];
    let wanted = missing.file_name()?.to_str()?;
    let folder = missing.parent().filter(|p| !p.as_os_str().is_empty());
    let names: Vec<String> = std::fs::read_dir(folder.unwrap_or(Path::new(".")))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            Path::new(n)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SOUND.contains(&e.to_ascii_lowercase().as_str()))
        })
        .filter(|n| n != wanted)
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::protocol::diagnostic::did_you_mean(wanted, &names).map(shown)
}

/// The RON dialect of session files: authors write `author: "x"` rather than
/// `Some("x")`, and `Hold(name: ..)` rather than `Hold((name: ..))`.
fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// A problem in a protocol file, worded for the person who wrote it.
pub type ProtocolError = FileError;

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
        use crate::protocol::diagnostic::{line_col, position_of_field};
        let at = |t: &str, field: &str| line_col(t, position_of_field(t, field));
        assert_eq!(at(text, "soundscape"), (2, 71));
        assert_eq!(at(text, "steps"), (2, 93));
        assert_eq!(at("xversion: 1", "version"), (1, 1));
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
    fn the_headline_is_file_line_col_and_display_is_the_full_report() {
        let e = parse(&MINIMAL.replace("Feet,", "Toes,")).unwrap_err();
        assert_eq!(e.headline(), "t.ron:8:21: unknown region `Toes`");
        assert!(e.hint.starts_with("write one of: `Feet`"), "{e}");
        let shown = e.to_string();
        assert!(
            shown.starts_with("Error: unknown region `Toes`\n"),
            "{shown}"
        );
        assert!(shown.contains("[ t.ron:8:21 ]"), "{shown}");
        assert!(shown.contains("region: Toes,"), "{shown}");
        assert!(shown.contains("Help: write one of:"), "{shown}");
    }

    #[test]
    fn a_byte_order_mark_is_ignored_and_positions_stay_right() {
        let with_bom = format!("\u{FEFF}{MINIMAL}");
        assert_eq!(
            parse(&with_bom).expect("valid"),
            parse(MINIMAL).expect("valid")
        );
        let e = parse(&with_bom.replace("intent:", "intnet:")).unwrap_err();
        assert_eq!((e.line, e.col), (10, 13));
        assert!(
            e.to_string()
                .contains("\n 10 │             intnet: \"Settle\","),
            "{e}"
        );
    }
}
