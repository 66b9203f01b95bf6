//! Snapshot tests of the consultation, the closing questions and the summary,
//! a sweep of every window size, and a check that nothing glows: no filled
//! backgrounds in the dim theme.

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Color;
use stillpoint::clock::Moment;
use stillpoint::engine::{Effect, Input, Session};
use stillpoint::forms::{AftercareForm, FormEvent, IntakeForm, SummaryScreen};
use stillpoint::protocol::Protocol;
use stillpoint::record::{Aftercare, Entry, Intake, LOG_VERSION, Logged, Opened};
use stillpoint::report::Report;
use stillpoint::theme::Theme;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press<T>(on_key: &mut impl FnMut(&KeyEvent) -> FormEvent<T>, keys: &[KeyCode]) {
    for k in keys {
        on_key(&key(*k));
    }
}

fn draw(render: impl Fn(Rect, &mut Buffer), w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| render(f.area(), f.buffer_mut())).expect("draw");
    t
}

/// A consultation with answers: client, two regions, pain 6, stress 4, a
/// released concussion, an elderly client.
fn filled() -> IntakeForm {
    use KeyCode::{Char, Right, Tab};
    let mut form = IntakeForm::new("Ten-step protocol", Some("AB".into()));
    let mut on = |k: &KeyEvent| form.on_key(k);
    press(&mut on, &[Char(' '), Right, Right, Char(' '), Tab, Tab]);
    press(
        &mut on,
        &[Char('6'), Tab, Char('4'), Tab, Char(' '), Char(' ')],
    );
    press(
        &mut on,
        &[Tab, Tab, Tab, Tab, Tab, Tab, Tab, Tab, Char(' ')],
    );
    form
}

fn report() -> Report {
    let text = stillpoint::catalog::BUNDLED[2].1;
    let protocol = Protocol::parse(text, Path::new("still-point-10.ron")).expect("bundled");
    let mut entries = vec![
        Logged {
            at: Moment::ZERO,
            entry: Entry::Opened(Opened {
                version: LOG_VERSION,
                protocol: protocol.name.to_string(),
                source: "bundled:still-point-10".into(),
                hash: String::new(),
                client: Some("AB".into()),
                practice: false,
                opened: "2026-11-23T09:30:00+01:00".into(),
                app: "test".into(),
            }),
        },
        Logged {
            at: Moment::from_secs(10),
            entry: Entry::Intake(Intake {
                client: "AB".into(),
                pain: 6,
                stress: 5,
                ..Intake::default()
            }),
        },
    ];
    let mut s = Session::new(protocol);
    let mut step = |input, at| {
        for e in s.handle(input, Moment::from_secs(at)) {
            if let Effect::Log(l) = e {
                entries.push(l);
            }
        }
    };
    step(Input::Next, 60);
    step(Input::Tick, 200);
    step(Input::Next, 230);
    step(Input::Tick, 560);
    step(Input::Quit, 600);
    entries.push(Logged {
        at: Moment::from_secs(400),
        entry: Entry::Note {
            text: "client sighed, shoulders dropped".into(),
        },
    });
    entries.push(Logged {
        at: Moment::from_secs(640),
        entry: Entry::Aftercare(Aftercare {
            pain: Some(3),
            stress: Some(2),
            note: "lighter afterwards".into(),
        }),
    });
    Report::from_entries(&entries)
}

#[test]
fn the_consultation_empty_and_filled() {
    let t = Theme::dim();
    let empty = IntakeForm::new("Ten-step protocol", None);
    insta::assert_snapshot!(
        "intake_empty_80x24",
        draw(|a, b| empty.render(a, b, &t), 80, 24).backend()
    );
    let form = filled();
    insta::assert_snapshot!(
        "intake_filled_120x40",
        draw(|a, b| form.render(a, b, &t), 120, 40).backend()
    );
}

#[test]
fn a_blocked_start_says_why() {
    use KeyCode::{Char, F, Tab};
    let t = Theme::dim();
    let mut form = IntakeForm::new("Ten-step protocol", Some("AB".into()));
    let mut on = |k: &KeyEvent| form.on_key(k);
    press(
        &mut on,
        &[
            Tab,
            Tab,
            Char('5'),
            Tab,
            Char('5'),
            Tab,
            Tab,
            Tab,
            Char(' '),
        ],
    );
    let outcome = form.on_key(&key(F(10)));
    assert_eq!(outcome, FormEvent::Redraw, "not submitted");
    insta::assert_snapshot!(
        "intake_blocked_80x24",
        draw(|a, b| form.render(a, b, &t), 80, 24).backend()
    );
}

#[test]
fn the_filled_consultation_submits_its_answers() {
    let mut form = filled();
    let FormEvent::Submit(intake) = form.on_key(&key(KeyCode::F(10))) else {
        panic!("submits");
    };
    assert_eq!(intake.client, "AB");
    assert_eq!(intake.focus.len(), 2);
    assert_eq!((intake.pain, intake.stress), (6, 4));
    assert!(intake.releases.iter().all(|r| r.released));
    assert_eq!(intake.cautions.len(), 1);
}

#[test]
fn the_closing_questions_and_the_summary() {
    let t = Theme::dim();
    let mut form = AftercareForm::new(Some(6), Some(5));
    let mut on = |k: &KeyEvent| form.on_key(k);
    press(
        &mut on,
        &[
            KeyCode::Char('3'),
            KeyCode::Tab,
            KeyCode::Char('2'),
            KeyCode::Tab,
        ],
    );
    for c in "lighter afterwards".chars() {
        form.on_key(&key(KeyCode::Char(c)));
    }
    insta::assert_snapshot!(
        "aftercare_80x24",
        draw(|a, b| form.render(a, b, &t), 80, 24).backend()
    );
    assert_eq!(
        form.on_key(&key(KeyCode::F(10))),
        FormEvent::Submit(Aftercare {
            pain: Some(3),
            stress: Some(2),
            note: "lighter afterwards".into()
        })
    );
    let summary = SummaryScreen::new(report());
    insta::assert_snapshot!(
        "summary_80x24",
        draw(|a, b| summary.render(a, b, &t), 80, 24).backend()
    );
    insta::assert_snapshot!(
        "summary_120x40",
        draw(|a, b| summary.render(a, b, &t), 120, 40).backend()
    );
}

#[test]
fn every_screen_renders_at_every_size_and_asks_to_enlarge_when_tiny() {
    let t = Theme::dim();
    let intake = filled();
    let after = AftercareForm::new(Some(6), None);
    let summary = SummaryScreen::new(report());
    for w in 1..=130u16 {
        for h in 1..=45u16 {
            if (w + h) % 3 != 0 && w > 2 && h > 2 {
                continue;
            }
            draw(|a, b| intake.render(a, b, &t), w, h);
            draw(|a, b| after.render(a, b, &t), w, h);
            draw(|a, b| summary.render(a, b, &t), w, h);
        }
    }
    insta::assert_snapshot!(
        "intake_too_small_30x10",
        draw(|a, b| intake.render(a, b, &t), 30, 10).backend()
    );
}

#[test]
fn nothing_glows_in_the_dim_theme() {
    let t = Theme::dim();
    let intake = filled();
    let summary = SummaryScreen::new(report());
    for term in [
        draw(|a, b| intake.render(a, b, &t), 120, 40),
        draw(|a, b| summary.render(a, b, &t), 120, 40),
    ] {
        for cell in term.backend().buffer().content() {
            assert!(
                matches!(cell.bg, Color::Reset),
                "a filled background at {cell:?}"
            );
        }
    }
}
