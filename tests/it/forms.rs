//! The consultation, the closing questions and the summary driven by scripted
//! keys; snapshots at 80×24 and 120×40; every window size from 1×1 to 130×45;
//! the focused field always in view; and nothing glowing in the dim theme.

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use stillpoint::clock::Moment;
use stillpoint::protocol::{Protocol, Region};
use stillpoint::session::engine::{Effect, Input, Session};
use stillpoint::session::record::{
    Aftercare, Caution, Condition, Entry, Intake, LOG_VERSION, Logged, Opened, Release,
};
use stillpoint::session::report::Report;
use stillpoint::tui::forms::{AftercareForm, FormEvent, IntakeForm, SummaryScreen};
use stillpoint::tui::theme::Theme;

use KeyCode::{BackTab, Backspace, Char, Delete, Down, End, Enter, Esc, F, Home, Left, Right, Tab};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Presses `keys` on a form, returning what the last one did.
fn press<T>(on_key: impl FnMut(&KeyEvent) -> FormEvent<T>, keys: &[KeyCode]) -> FormEvent<T> {
    let mut on_key = on_key;
    let mut last = FormEvent::Nothing;
    for k in keys {
        last = on_key(&key(*k));
    }
    last
}

/// The keys that type `text`.
fn typed(text: &str) -> Vec<KeyCode> {
    text.chars().map(Char).collect()
}

/// `n` presses of `code`.
fn times(code: KeyCode, n: usize) -> Vec<KeyCode> {
    vec![code; n]
}

fn draw(render: impl Fn(Rect, &mut Buffer), w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| render(f.area(), f.buffer_mut())).expect("draw");
    t
}

/// Draws into a bare buffer (faster than a terminal, for the sweeps).
fn paint(render: impl Fn(Rect, &mut Buffer), w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    render(buf.area, &mut buf);
    buf
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut s = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// The words inside the box, wrapped lines joined, so a check does not
/// depend on where a message wraps.
fn prose(buf: &Buffer) -> String {
    let words: Vec<String> = text(buf)
        .lines()
        .map(|l| l.trim_matches(|c: char| "│╭╮╰╯─▲▼ ".contains(c)).to_owned())
        .collect();
    words
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The column `needle` starts at in row `y`.
fn column_of(buf: &Buffer, y: u16, needle: &str) -> Option<u16> {
    let line = text(buf).lines().nth(y.into())?.to_owned();
    let at = line.find(needle)?;
    Some(line[..at].chars().count() as u16)
}

/// The row of the screen holding `needle`.
fn row_with(buf: &Buffer, needle: &str) -> Option<u16> {
    text(buf)
        .lines()
        .position(|l| l.contains(needle))
        .map(|y| y as u16)
}

fn intake_at(form: &IntakeForm, w: u16, h: u16) -> Buffer {
    paint(|a, b| form.render(a, b, &Theme::dim()), w, h)
}

/// A consultation with every kind of answer: the reference typed, feet and
/// sacrum, other focus, pain 6, stress 4, a concussion with its release, an
/// elderly client.
fn filled() -> IntakeForm {
    let mut form = IntakeForm::new("Ten-step protocol", None);
    let mut keys = typed("AB");
    keys.extend([Tab, Char(' '), Right, Right, Char(' '), Tab]);
    keys.extend(typed("left shoulder"));
    keys.extend([Tab, Char('6'), Tab, Char('4'), Tab, Char(' '), Char(' ')]);
    keys.extend(times(Tab, 8));
    keys.push(Char(' '));
    press(|k| form.on_key(k), &keys);
    form
}

fn filled_intake() -> Intake {
    Intake {
        client: "AB".into(),
        focus: vec![Region::Feet, Region::Sacrum],
        focus_note: "left shoulder".into(),
        pain: 6,
        stress: 4,
        releases: vec![Release {
            condition: Condition::RecentConcussion,
            released: true,
        }],
        cautions: vec![Caution::Elderly],
    }
}

/// A consultation stopped by an unreleased cerebellar defect.
fn blocked() -> IntakeForm {
    let mut form = IntakeForm::new("Ten-step protocol", Some("AB".into()));
    let mut keys = vec![
        Tab,
        Tab,
        Char('5'),
        Tab,
        Char('5'),
        Tab,
        Tab,
        Tab,
        Char(' '),
    ];
    keys.push(F(10));
    assert_eq!(press(|k| form.on_key(k), &keys), FormEvent::Redraw);
    form
}

/// Closing questions answered: pain 3, stress 2, a note.
fn answered() -> AftercareForm {
    let mut form = AftercareForm::new(Some(6), Some(5));
    let mut keys = vec![Char('3'), Tab, Char('2'), Tab];
    keys.extend(typed("lighter afterwards"));
    press(|k| form.on_key(k), &keys);
    form
}

fn report() -> Report {
    let text = stillpoint::protocol::catalog::BUNDLED[2].1;
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
                speed: 1.0,
                opened: stillpoint::session::record::Stamp::parse("2026-11-23T09:30:00+01:00"),
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
    let mark = |at, entry| Logged {
        at: Moment::from_secs(at),
        entry,
    };
    entries.push(mark(
        250,
        Entry::Rhythm {
            cpm: 7.5,
            taps: 6,
            time: Default::default(),
        },
    ));
    entries.push(mark(400, Entry::note("client sighed, shoulders dropped")));
    entries.push(mark(
        640,
        Entry::Aftercare(Aftercare {
            pain: Some(3),
            stress: Some(2),
            note: "lighter afterwards".into(),
        }),
    ));
    Report::from_entries(&entries)
}

// ---- the consultation ----

#[test]
fn a_filled_consultation_submits_exactly_its_answers() {
    let mut form = filled();
    assert_eq!(form.on_key(&key(F(10))), FormEvent::Submit(filled_intake()));
    // Enter on the button submits the same answers.
    let mut form = filled();
    press(|k| form.on_key(k), &times(Tab, 6));
    assert_eq!(form.on_key(&key(Enter)), FormEvent::Submit(filled_intake()));
}

#[test]
fn regions_toggle_with_space_and_the_arrows_follow_the_grid_as_drawn() {
    let mut form = IntakeForm::new("P", Some("AB".into()));
    // At 80 columns the grid has three columns: ↓ moves three regions on.
    let screen = text(&intake_at(&form, 80, 24));
    assert!(
        screen.contains("[ ] feet") && screen.contains("[ ] legs"),
        "{screen}"
    );
    let mut keys = vec![
        Down,
        Char(' '),
        Right,
        Char(' '),
        Char(' '),
        Right,
        Char(' '),
    ];
    // To the last region, the dural tube, then off the grid's bottom.
    keys.extend([End, Char(' '), Down]);
    keys.extend(typed("jaw tension"));
    keys.extend([Tab, Char('2'), Tab, Char('3'), F(10)]);
    let FormEvent::Submit(intake) = press(|k| form.on_key(k), &keys) else {
        panic!("submits");
    };
    assert_eq!(
        intake.focus,
        vec![
            Region::Lumbosacral,
            Region::RespiratoryDiaphragm,
            Region::DuralTube
        ]
    );
    assert_eq!(intake.focus_note, "jaw tension");
}

#[test]
fn missing_answers_block_the_start_and_take_the_focus_to_them() {
    // With the reference given, the focus starts on the focus areas.
    let mut form = IntakeForm::new("P", Some("AB".into()));
    assert_eq!(form.on_key(&key(F(10))), FormEvent::Redraw);
    let screen = text(&intake_at(&form, 80, 24));
    assert!(
        screen.contains("Rate the client's pain now, from 0 to 10. Also still needed:"),
        "{screen}"
    );
    assert!(screen.contains("▸ Pain now"), "the focus moved: {screen}");
    // So a digit answers it, and the next attempt goes to stress.
    assert_eq!(
        press(|k| form.on_key(k), &[Char('6'), F(10)]),
        FormEvent::Redraw
    );
    let screen = text(&intake_at(&form, 80, 24));
    assert!(screen.contains("Rate the client's stress now"), "{screen}");
    assert!(screen.contains("▸ Stress now"), "{screen}");
    let FormEvent::Submit(intake) = press(|k| form.on_key(k), &[Char('4'), F(10)]) else {
        panic!("submits once both are rated");
    };
    assert_eq!((intake.pain, intake.stress), (6, 4));

    // A reference of spaces is no reference: the focus goes back to it.
    let mut form = IntakeForm::new("P", Some("   ".into()));
    let keys = [Tab, Tab, Tab, Char('1'), Tab, Char('1'), F(10)];
    assert_eq!(press(|k| form.on_key(k), &keys), FormEvent::Redraw);
    let screen = text(&intake_at(&form, 80, 24));
    assert!(screen.contains("Enter a client reference"), "{screen}");
    assert!(screen.contains("▸ Client reference"), "{screen}");
    let FormEvent::Submit(intake) = press(|k| form.on_key(k), &[Char('C'), Char('D'), F(10)])
    else {
        panic!("submits");
    };
    assert_eq!(intake.client, "CD");
}

#[test]
fn a_condition_without_a_release_stops_the_start_and_a_release_lets_it_begin() {
    let mut form = blocked();
    let buf = intake_at(&form, 80, 24);
    let words = prose(&buf);
    assert!(
        words.contains(
            "The session can't start: cerebellar defect, e.g. Chiari malformation needs a \
             physician's release first. If the client has one, press Space on that row again \
             to mark it released"
        ),
        "{words}"
    );
    let row = row_with(&buf, "▸ [x] cerebellar defect").expect("the focus is on the condition");
    // The row says where it stands in words, in the calm amber of the theme.
    let here: Vec<String> = text(&buf)
        .lines()
        .skip(row.into())
        .take(2)
        .map(|l| l.trim_matches(|c: char| "│ ".contains(c)).to_owned())
        .collect();
    assert!(
        here.join(" ").contains("needs a physician's release"),
        "{here:?}"
    );
    let x = column_of(&buf, row, "[x]").unwrap_or(0);
    assert_eq!(
        buf[(x, row)].fg,
        Theme::dim().overtime.fg.unwrap_or(Color::Reset)
    );
    // F10 again: still blocked.
    assert_eq!(form.on_key(&key(F(10))), FormEvent::Redraw);
    // Space marks the release; then it begins, and the record says so.
    form.on_key(&key(Char(' ')));
    assert!(text(&intake_at(&form, 80, 24)).contains("released by physician ✓"));
    let FormEvent::Submit(intake) = form.on_key(&key(F(10))) else {
        panic!("a release lets the session begin");
    };
    assert_eq!(
        intake.releases,
        vec![Release {
            condition: Condition::CerebellarDefect,
            released: true
        }]
    );
    assert!(intake.blocking().is_empty());
}

#[test]
fn several_unreleased_conditions_are_named_together_and_clearing_one_unticks_it() {
    let mut form = IntakeForm::new("P", Some("AB".into()));
    let mut keys = vec![Tab, Tab, Char('2'), Tab, Char('2'), Tab, Char(' ')];
    keys.extend([Tab, Tab, Tab, Char(' '), F(10)]);
    assert_eq!(press(|k| form.on_key(k), &keys), FormEvent::Redraw);
    let words = prose(&intake_at(&form, 120, 40));
    assert!(
        words.contains("recent concussion, brain aneurysm need a physician's release first"),
        "{words}"
    );
    assert!(
        words.contains("press Space on each of those rows"),
        "{words}"
    );
    assert!(
        words.contains("▸ [x] recent concussion"),
        "the first: {words}"
    );
    // Space twice: released, then cleared (unticked).
    press(|k| form.on_key(k), &[Char(' '), Char(' ')]);
    let words = prose(&intake_at(&form, 120, 40));
    assert!(
        words.contains("The session can't start: brain aneurysm needs"),
        "{words}"
    );
    press(|k| form.on_key(k), &[Tab, Tab, Tab, Char(' ')]);
    let FormEvent::Submit(intake) = form.on_key(&key(F(10))) else {
        panic!("submits");
    };
    assert_eq!(
        intake.releases,
        vec![Release {
            condition: Condition::BrainAneurysm,
            released: true
        }]
    );
}

#[test]
fn cautions_never_stop_the_start_and_are_noted_for_the_whole_session() {
    let mut form = IntakeForm::new("P", Some("AB".into()));
    let mut keys = vec![Tab, Tab, Char('3'), Tab, Char('3')];
    keys.extend(times(Tab, 9));
    keys.extend([Char(' '), Tab, Tab, Char(' ')]);
    press(|k| form.on_key(k), &keys);
    let words = prose(&intake_at(&form, 80, 24));
    assert!(
        words.contains(
            "Shown on the dashboard all session — Care: elderly client, severe osteoporosis."
        ),
        "{words}"
    );
    let FormEvent::Submit(intake) = form.on_key(&key(F(10))) else {
        panic!("cautions do not block");
    };
    assert_eq!(
        intake.cautions,
        vec![Caution::Elderly, Caution::SevereOsteoporosis]
    );
    assert_eq!(
        intake.cautions_text().as_deref(),
        Some("elderly client, severe osteoporosis")
    );
    assert_eq!(
        filled_intake().cautions_text().as_deref(),
        Some("elderly client")
    );
}

#[test]
fn esc_on_a_filled_consultation_asks_before_discarding_it() {
    let mut form = filled();
    assert!(form.has_answers());
    // The first Esc asks; any other key goes back, not acted on.
    assert_eq!(form.on_key(&key(Esc)), FormEvent::Redraw);
    let buf = paint(|a, b| form.render(a, b, &Theme::dim()), 120, 40);
    assert!(
        text(&buf).contains("Leave the consultation and discard its answers?"),
        "{}",
        text(&buf)
    );
    let before = form.clone();
    assert_eq!(form.on_key(&key(Char('7'))), FormEvent::Redraw);
    assert_eq!(form.answers(), before.answers(), "the key did nothing");
    // Esc, then Esc again (or y) leaves.
    assert_eq!(form.on_key(&key(Esc)), FormEvent::Redraw);
    assert_eq!(form.on_key(&key(Esc)), FormEvent::Cancel);
    assert_eq!(form.on_key(&key(Esc)), FormEvent::Redraw);
    assert_eq!(form.on_key(&key(Char('y'))), FormEvent::Cancel);
    // Nothing filled in: Esc leaves at once.
    let mut form = IntakeForm::new("P", Some("AB".into()));
    assert!(!form.has_answers());
    assert_eq!(form.on_key(&key(Esc)), FormEvent::Cancel);
}

#[test]
fn text_fields_edit_like_a_line_and_digits_in_them_are_text() {
    let mut form = IntakeForm::new("P", None);
    // "Ané7" → "An7" → "n7" → "n70é"
    let mut keys = typed("Ané7");
    keys.extend([Left, Backspace, Home, Delete, End]);
    keys.extend(typed("0é"));
    keys.extend([Tab, Tab]);
    keys.extend(typed("leftu"));
    press(|k| form.on_key(k), &keys);
    form.on_key(&KeyEvent::new(Char('u'), KeyModifiers::CONTROL));
    press(|k| form.on_key(k), &typed("neck"));
    let last = press(
        |k| form.on_key(k),
        &[Enter, Char('1'), Char('0'), Enter, End, F(10)],
    );
    let FormEvent::Submit(intake) = last else {
        panic!("submits");
    };
    assert_eq!(intake.client, "n70é");
    assert_eq!(intake.focus_note, "neck", "Ctrl-U cleared \"leftu\"");
    assert_eq!(
        (intake.pain, intake.stress),
        (10, 10),
        "1 then 0 is ten; End is ten"
    );
}

#[test]
fn arrows_and_enter_move_between_fields_and_back() {
    let mut form = IntakeForm::new("P", None);
    // Enter on the reference moves on; Shift-Tab comes back.
    press(|k| form.on_key(k), &[Enter, BackTab]);
    press(|k| form.on_key(k), &typed("X"));
    // ↓ through the one-column grid (never drawn: one column) takes 19 steps.
    press(|k| form.on_key(k), &times(Down, 20));
    press(|k| form.on_key(k), &typed("o"));
    let FormEvent::Submit(intake) = press(
        |k| form.on_key(k),
        &[Down, Char('0'), Down, Char('9'), F(10)],
    ) else {
        panic!("submits");
    };
    assert_eq!(
        (intake.client.as_str(), intake.focus_note.as_str()),
        ("X", "o")
    );
    assert_eq!((intake.pain, intake.stress), (0, 9));
}

// ---- the closing questions ----

#[test]
fn the_closing_questions_submit_both_ratings_and_the_note() {
    let mut form = answered();
    assert_eq!(
        form.on_key(&key(F(10))),
        FormEvent::Submit(Aftercare {
            pain: Some(3),
            stress: Some(2),
            note: "lighter afterwards".into()
        })
    );
    let mut form = answered();
    assert_eq!(
        press(|k| form.on_key(k), &[Enter, Enter]),
        FormEvent::Submit(Aftercare {
            pain: Some(3),
            stress: Some(2),
            note: "lighter afterwards".into()
        }),
        "Enter from the note reaches Finish, and Enter there finishes"
    );
}

#[test]
fn the_closing_questions_need_both_ratings_and_esc_skips_them() {
    let mut form = AftercareForm::new(Some(6), None);
    let screen = text(&paint(|a, b| form.render(a, b, &Theme::dim()), 80, 24));
    assert!(
        screen.contains("before: 6") && screen.contains("before: —"),
        "{screen}"
    );
    assert!(screen.contains("Esc skips the questions"), "{screen}");
    assert_eq!(
        press(|k| form.on_key(k), &[Char('2'), F(10)]),
        FormEvent::Redraw
    );
    let screen = text(&paint(|a, b| form.render(a, b, &Theme::dim()), 80, 24));
    assert!(screen.contains("Rate the client's stress now"), "{screen}");
    assert!(screen.contains("▸ Stress now"), "{screen}");
    assert!(matches!(
        press(|k| form.on_key(k), &[Char('1'), Char('0'), F(10)]),
        FormEvent::Submit(Aftercare {
            pain: Some(2),
            stress: Some(10),
            ..
        })
    ));
    assert_eq!(answered().on_key(&key(Esc)), FormEvent::Cancel);
}

// ---- the summary ----

#[test]
fn the_summary_shows_steps_planned_and_actual_before_and_after_and_the_marks() {
    let summary = SummaryScreen::new(report());
    let buf = paint(|a, b| summary.render(a, b, &Theme::dim()), 120, 40);
    let screen = text(&buf);
    for wanted in [
        "session summary · Still point, 10 minutes",
        "Client AB · opened 2026-11-23 09:30",
        "Active time 5:20",
        "Pain 6 → 3   Stress 5 → 2",
        "ended early at 0:30 of 5:00",
        "3:10  rhythm 7.5 cycles/min (6 taps)",
        "5:40  note: client sighed, shoulders dropped",
        "Closing note  lighter afterwards",
        "Enter or q closes the record",
    ] {
        assert!(screen.contains(wanted), "{wanted:?} in {screen}");
    }
    let row = screen
        .lines()
        .find(|l| l.contains("CV4"))
        .unwrap_or_default();
    assert!(
        row.contains("5:00") && row.contains("0:30") && row.contains("ended early"),
        "{row}"
    );
}

#[test]
fn the_summary_scrolls_when_it_does_not_fit_and_closes_on_enter_or_q() {
    let mut summary = SummaryScreen::new(report());
    let t = Theme::dim();
    let screen = text(&paint(|a, b| summary.render(a, b, &t), 40, 12));
    assert!(
        screen.contains('▼') && !screen.contains("Closing note"),
        "{screen}"
    );
    assert_eq!(summary.on_key(&key(End)), FormEvent::Redraw);
    let screen = text(&paint(|a, b| summary.render(a, b, &t), 40, 12));
    assert!(
        screen.contains("lighter afterwards") && screen.contains('▲'),
        "{screen}"
    );
    assert_eq!(summary.on_key(&key(Down)), FormEvent::Nothing, "at the end");
    assert_eq!(summary.on_key(&key(KeyCode::PageUp)), FormEvent::Redraw);
    assert_eq!(summary.on_key(&key(Enter)), FormEvent::Submit(()));
    assert_eq!(summary.on_key(&key(Char('q'))), FormEvent::Submit(()));
    assert_eq!(summary.on_key(&key(Esc)), FormEvent::Nothing);
}

// ---- snapshots ----

#[test]
fn snapshots_of_the_consultation() {
    let t = Theme::dim();
    let empty = IntakeForm::new("Ten-step protocol", None);
    let filled = filled();
    let blocked = blocked();
    for (name, form) in [
        ("empty", &empty),
        ("filled", &filled),
        ("blocked", &blocked),
    ] {
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(
                format!("intake_{name}_{w}x{h}"),
                draw(|a, b| form.render(a, b, &t), w, h).backend()
            );
        }
    }
    // The smallest window: the message and the focused row both show.
    insta::assert_snapshot!(
        "intake_blocked_40x12",
        draw(|a, b| blocked.render(a, b, &t), 40, 12).backend()
    );
}

#[test]
fn snapshots_of_the_closing_questions_and_the_summary() {
    let t = Theme::dim();
    let form = answered();
    let summary = SummaryScreen::new(report());
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(
            format!("aftercare_{w}x{h}"),
            draw(|a, b| form.render(a, b, &t), w, h).backend()
        );
        insta::assert_snapshot!(
            format!("summary_{w}x{h}"),
            draw(|a, b| summary.render(a, b, &t), w, h).backend()
        );
    }
}

#[test]
fn a_tiny_window_asks_to_be_enlarged() {
    let t = Theme::dim();
    let form = filled();
    insta::assert_snapshot!(
        "too_small_30x10",
        draw(|a, b| form.render(a, b, &t), 30, 10).backend()
    );
    let after = answered();
    let summary = SummaryScreen::new(report());
    for buf in [
        paint(|a, b| after.render(a, b, &t), 39, 30),
        paint(|a, b| summary.render(a, b, &t), 100, 11),
    ] {
        assert!(text(&buf).contains("Please enlarge the window"));
    }
}

// ---- every size, the focus in view, no glow ----

#[test]
fn every_screen_draws_at_every_size_from_1x1_to_130x45() {
    let t = Theme::dim();
    // The states with the most to draw: a text cursor, a long message, a
    // scale, a note, and the summary scrolled to its end.
    let (empty, blocked) = (IntakeForm::new("P", None), blocked());
    let answered = answered();
    let mut summary = SummaryScreen::new(report());
    for w in 1..=130u16 {
        for h in 1..=45u16 {
            summary.on_key(&key(End));
            let screens = [
                paint(|a, b| empty.render(a, b, &t), w, h),
                paint(|a, b| blocked.render(a, b, &t), w, h),
                paint(|a, b| answered.render(a, b, &t), w, h),
                paint(|a, b| summary.render(a, b, &t), w, h),
            ];
            for buf in &screens {
                if w >= 40 && h >= 12 {
                    assert_eq!(buf[(0, 0)].symbol(), "╭", "{w}×{h}:\n{}", text(buf));
                } else if w >= 25 {
                    // The message's first line, centred in the window.
                    let y = h.saturating_sub(2.min(h)) / 2;
                    let row: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
                    assert_eq!(row.trim(), "Please enlarge the window", "{w}×{h}");
                }
            }
        }
    }
}

#[test]
fn the_focused_field_stays_in_view_at_every_size_while_the_focus_moves() {
    let t = Theme::dim();
    for w in [40u16, 47, 63, 80, 130] {
        for h in 12..=45u16 {
            // A blocked form has the longest footer; walk every field and
            // every region, drawing after each key.
            let mut form = blocked();
            press(|k| form.on_key(k), &times(KeyCode::Up, 30));
            let mut keys = vec![Tab];
            keys.extend(times(Right, 18));
            keys.extend(times(Tab, 17));
            keys.extend(times(KeyCode::Up, 17));
            keys.extend(times(Down, 12));
            for (i, k) in keys.iter().enumerate() {
                form.on_key(&key(*k));
                let buf = intake_at(&form, w, h);
                // The focused field's label (▸), or in the grid its cursor (›).
                let shown = if i <= 18 {
                    shows(&buf, &["›"])
                } else {
                    shows(&buf, &["▸", "›"])
                };
                assert!(shown, "{w}×{h} after key {i}:\n{}", text(&buf));
            }
            let mut after = AftercareForm::new(Some(1), Some(2));
            for k in [Tab, Tab, Tab, BackTab, BackTab, BackTab, F(10)] {
                after.on_key(&key(k));
                let buf = paint(|a, b| after.render(a, b, &t), w, h);
                assert!(shows(&buf, &["▸"]), "{w}×{h}:\n{}", text(&buf));
            }
        }
    }
}

/// True when a cell of `buf` holds one of `marks`.
fn shows(buf: &Buffer, marks: &[&str]) -> bool {
    buf.content().iter().any(|c| marks.contains(&c.symbol()))
}

/// Every screen in every state worth seeing, at the two snapshot sizes.
fn all_screens(t: &Theme) -> Vec<Buffer> {
    let mut intakes = vec![IntakeForm::new("P", None), filled(), blocked()];
    let mut on_grid = IntakeForm::new("P", Some("AB".into()));
    on_grid.on_key(&key(Char(' ')));
    intakes.push(on_grid);
    let mut on_button = filled();
    press(|k| on_button.on_key(k), &times(Tab, 6));
    intakes.push(on_button);
    let afters = [AftercareForm::new(None, Some(3)), answered()];
    let summary = SummaryScreen::new(report());
    let mut out = Vec::new();
    for (w, h) in [(80, 24), (120, 40)] {
        for f in &intakes {
            out.push(paint(|a, b| f.render(a, b, t), w, h));
        }
        for f in &afters {
            out.push(paint(|a, b| f.render(a, b, t), w, h));
        }
        out.push(paint(|a, b| summary.render(a, b, t), w, h));
    }
    out
}

#[test]
fn nothing_glows_in_the_dim_theme() {
    for buf in all_screens(&Theme::dim()) {
        let mut reversed = 0;
        for cell in buf.content() {
            assert_eq!(cell.bg, Color::Reset, "a filled background: {cell:?}");
            assert!(
                !cell
                    .modifier
                    .intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK),
                "blinks: {cell:?}"
            );
            if cell.modifier.contains(Modifier::REVERSED) {
                reversed += 1;
            }
        }
        assert!(
            reversed <= 1,
            "only a text cursor is reversed:\n{}",
            text(&buf)
        );
    }
}

#[test]
fn the_screens_read_the_same_without_colour() {
    let dim = all_screens(&Theme::dim());
    let plain = all_screens(&Theme::plain());
    for (d, p) in dim.iter().zip(&plain) {
        assert_eq!(text(d), text(p), "what is chosen shows in characters too");
    }
}
