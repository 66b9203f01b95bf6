//! The format reference (`sessions/README.md`) is the spec for studios: every
//! field it documents is read from a file, and every field a file can hold is
//! documented. Also: `stillpoint new`'s template and `config --init`'s file
//! validate as they are, and protocols survive a round trip through RON.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use stillpoint::protocol::{
    Advance, Hold, Label, Protocol, Region, SoundscapeRef, Span, Step, Transition,
};
use stillpoint::settings::{Action, Config, Key};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The first column's `name`s of the table under `heading`.
fn documented(heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("sessions/README.md")).expect("reference");
    let start = text
        .find(&format!("{heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading:?}"));
    text[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let first = l.split('|').nth(1)?.trim();
            let name = first.strip_prefix('`')?.split('`').next()?;
            Some(name.to_owned())
        })
        .collect()
}

/// The field names written in RON text (`name:` at the start of a line or
/// after `(` / `,`).
fn fields_in(ron: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for piece in ron.split(['(', ',', '\n']) {
        let piece = piece.trim();
        if let Some((name, _)) = piece.split_once(':')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            out.insert(name.to_owned());
        }
    }
    out
}

#[test]
fn every_documented_protocol_field_is_read_and_every_field_is_documented() {
    let path = root().join("tests/valid/every-field.ron");
    let p = Protocol::load(&path).expect("valid");
    // Optional fields are written back only when set, so a field in the
    // written-back text was read from the file.
    let back = fields_in(&p.to_ron().expect("serialises"));
    let mut docs: BTreeSet<String> = BTreeSet::new();
    for heading in ["### Protocol", "### Hold", "### Transition"] {
        let fields = documented(heading);
        assert!(fields.len() >= 2, "{heading}: {fields:?}");
        docs.extend(fields);
    }
    assert_eq!(back, docs, "read from the file vs documented");
    // And with the values the file gives, not defaults.
    assert_eq!(p.author.as_deref(), Some("Studio Nord"));
    assert_eq!(p.soundscape, Some(SoundscapeRef::Named("rain".into())));
    assert_eq!(p.lead.map(Span::get), Some(Duration::from_secs(15)));
    assert_eq!(p.reminder.map(Span::get), Some(Duration::from_secs(120)));
    let Step::Hold(h) = &p.steps[0] else {
        panic!("a hold first")
    };
    assert_eq!(h.also, vec![Region::Legs, Region::Sacrum]);
    assert_eq!(h.advance, Advance::Manual);
    assert!(h.landmarks.is_some() && h.touch.is_some() && h.mistakes.is_some());
    assert!(h.notice.is_some() && h.min.is_some() && h.max.is_some());
}

#[test]
fn every_documented_region_parses() {
    let regions: Vec<String> = documented("| region | where |").into_iter().collect();
    assert!(regions.len() >= Region::ALL.len(), "{regions:?}");
    for name in regions {
        let text = format!(
            "Protocol(version: 1, name: \"R\", summary: \"\", steps: [Hold(name: \"H\", \
             region: {name}, hands: \"h\", intent: \"i\", duration: \"1m\")])"
        );
        Protocol::parse(&text, Path::new("r.ron")).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn every_documented_setting_and_action_is_read() {
    let path = root().join("tests/valid/every-setting.ron");
    let text = std::fs::read_to_string(&path).expect("readable");
    let s = Config::parse(&text, &path).expect("valid");
    let c = &s.config;
    let settings = documented("| setting | type | default | example | meaning |");
    let back =
        ron::ser::to_string_pretty(c, ron::ser::PrettyConfig::default()).expect("serialises");
    for setting in &settings {
        assert!(
            back.contains(&format!("{setting}:")),
            "`{setting}` was not read from the file:\n{back}"
        );
    }
    let top: BTreeSet<String> = fields_in(&text)
        .into_iter()
        .filter(|f| !Action::ALL.iter().any(|a| a.name() == f))
        .collect();
    assert_eq!(
        top,
        settings.iter().cloned().collect(),
        "settings in the file vs documented"
    );
    // Every action is documented with its true defaults, and the file's key
    // reaches it.
    let actions = documented("| action | default keys | does |");
    assert_eq!(actions.len(), Action::ALL.len());
    let reference = std::fs::read_to_string(root().join("sessions/README.md")).expect("ref");
    for action in Action::ALL {
        assert!(actions.contains(&action.name().to_owned()), "{action:?}");
        let row = reference
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", action.name())))
            .expect("a row");
        for key in action.default_keys() {
            assert!(row.contains(&format!("`{key}`")), "{row} lacks {key}");
        }
        let bound = s.keys.keys_for(action);
        assert_eq!(bound.len(), if action == Action::Next { 2 } else { 1 });
        for key in bound {
            assert!(Key::parse(&key.to_string()).is_ok());
        }
    }
    let f5 = KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE);
    assert_eq!(s.keys.action(&f5), Some(Action::Next));
    assert_eq!(c.volume, Some(7));
    assert_eq!(c.theme, Some(stillpoint::settings::ThemeName::HighContrast));
}

#[test]
fn the_templates_validate_as_they_are() {
    let p = Protocol::parse(
        &Protocol::template("My \"studio\" flow"),
        Path::new("new.ron"),
    )
    .expect("the template of `stillpoint new` validates");
    assert_eq!(p.name.as_str(), "My \"studio\" flow");
    // It shows every documented field, so authors see them all.
    let fields = fields_in(&Protocol::template("x"));
    for heading in ["### Protocol", "### Hold", "### Transition"] {
        for field in documented(heading) {
            assert!(fields.contains(&field), "the template lacks `{field}`");
        }
    }
    Config::parse(stillpoint::settings::TEMPLATE, Path::new("config.ron"))
        .expect("the file of `config --init` validates");
}

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(Region::ALL.to_vec())
}

/// Text as an author might write it: quotes, backslashes, accents.
fn words() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ,.'\"\\\\éü—-]{0,30}"
}

fn label() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,.'\"éü-]{0,20}[A-Za-z0-9.]".prop_map(|s| s.trim().to_owned())
}

fn span(max: u64) -> impl Strategy<Value = Span> {
    (1..=max).prop_map(|s| Span::new(Duration::from_secs(s)))
}

fn name(s: String) -> Label {
    Label::new(&s).unwrap_or_else(|| Label::new("x").expect("a name"))
}

fn hold() -> impl Strategy<Value = Hold> {
    (
        (
            label(),
            region(),
            prop::collection::vec(region(), 0..3),
            words(),
            words(),
        ),
        (
            prop::option::of(words()),
            prop::option::of(words()),
            prop::option::of(words()),
            prop::option::of(words()),
        ),
        (
            1u64..=600,
            0u64..=100,
            0u64..=600,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((label, region, also, hands, intent), (notice, landmarks, touch, mistakes), t)| {
                let (secs, below, above, has_min, has_max, manual) = t;
                let secs_span = |s: u64| Span::new(Duration::from_secs(s));
                Hold {
                    name: name(label),
                    region,
                    also,
                    hands,
                    intent,
                    notice,
                    landmarks,
                    touch,
                    mistakes,
                    duration: secs_span(secs),
                    min: has_min.then(|| secs_span((secs * below / 100).max(1))),
                    max: has_max.then(|| secs_span((secs + above).min(3600))),
                    advance: if manual {
                        Advance::Manual
                    } else {
                        Advance::Auto
                    },
                }
            },
        )
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => hold().prop_map(Step::Hold),
        1 => (label(), span(120)).prop_map(|(label, duration)| {
            Step::Transition(Transition { name: name(label), duration })
        }),
    ]
}

fn protocol() -> impl Strategy<Value = Protocol> {
    (
        label(),
        words(),
        prop::option::of(words()),
        prop::option::of(prop::sample::select(vec!["surf", "drone", "rain", "none"])),
        prop::option::of(span(30)),
        prop::option::of(span(300)),
        prop::collection::vec(step(), 1..12),
    )
        .prop_map(
            |(label, summary, author, scape, lead, reminder, steps)| Protocol {
                version: 1,
                name: name(label),
                summary,
                author,
                soundscape: scape.map(|s| SoundscapeRef::Named(s.to_owned())),
                lead,
                reminder,
                steps,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn valid_protocols_survive_a_round_trip_through_ron(p in protocol()) {
        let text = p.to_ron().expect("serialises");
        let back = Protocol::parse(&text, Path::new("round-trip.ron"));
        prop_assert!(back.is_ok(), "{}\n{text}", back.as_ref().err().map(ToString::to_string).unwrap_or_default());
        prop_assert_eq!(back.ok(), Some(p));
    }
}
