//! Snapshot tests of rendered dashboard frames (ratatui `TestBackend` + insta),
//! plus a colour check by buffer comparison.

use std::path::Path;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use stillpoint::clock::Moment;
use stillpoint::protocol::Protocol;
use stillpoint::session::engine::{Input, Session};
use stillpoint::tui::dashboard::{Context, Overlay, View};
use stillpoint::tui::theme::Theme;

const PROTOCOL: &str = r#"Protocol(version: 1, name: "Snapshot protocol", summary: "For tests",
  steps: [
    Hold(name: "Still point at the feet", region: Feet, hands: "Cup both heels, palms up, fingers relaxed.",
         intent: "Settle and meet the rhythm.", notice: "A slowing, then a pause in the rhythm.",
         duration: "3m", advance: Auto),
    Transition(name: "Move to the head", duration: "20s"),
    Hold(name: "Occipital base release", region: Occiput, hands: "Fingertips under the occiput, resting on the table.",
         intent: "Let the soft tissue at the cranial base soften.", notice: "Warmth and the head settling into the hands.",
         duration: "4m", min: "2m", max: "8m", advance: Manual),
    Hold(name: "Frontal lift", region: Frontal, hands: "Fingertips along the forehead.",
         intent: "A light lift of the frontal bone.", duration: "2m", advance: Manual, max: "4m"),
  ])"#;

fn session() -> Session {
    Session::new(Protocol::parse(PROTOCOL, Path::new("snapshot.ron")).expect("valid"))
}

fn ctx(theme: Theme, overlay: Overlay) -> Context {
    Context {
        audio: "audio off (--no-audio)".into(),
        overlay,
        client: Some("AB".into()),
        log: vec![
            ("09:56".into(), "session started".into()),
            ("09:56".into(), "1. Still point at the feet".into()),
            ("09:59".into(), "step 1 done 3:00/3:00".into()),
            ("09:59".into(), "2. Move to the head".into()),
            ("09:59".into(), "note: client settled quickly".into()),
            ("09:59".into(), "3. Occipital base release".into()),
        ],
        ..Context::new(theme)
    }
}

fn draw(view: &View, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(view, f.area())).unwrap();
    t
}

/// A session 200 s in: the feet hold is done, the transition too, and the
/// occiput hold has run 20 s.
fn mid_session() -> (Session, Moment) {
    let mut s = session();
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Tick, Moment::from_secs(220));
    (s, Moment::from_secs(220))
}

#[test]
fn running_at_80x24() {
    let (s, now) = mid_session();
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    insta::assert_snapshot!(draw(&view, 80, 24).backend());
}

#[test]
fn running_at_120x40() {
    let (s, now) = mid_session();
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    insta::assert_snapshot!(draw(&view, 120, 40).backend());
}

#[test]
fn overtime_at_120x40() {
    let (mut s, _) = mid_session();
    let now = Moment::from_secs(200 + 240 + 83);
    s.handle(Input::Tick, now);
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    assert_eq!(view.countdown_text(), "+1:23");
    insta::assert_snapshot!(draw(&view, 120, 40).backend());
}

#[test]
fn ready_at_80x24() {
    let s = session();
    let view = View::new(
        &s,
        Moment::ZERO,
        ten_o_clock(),
        ctx(Theme::dim(), Overlay::None),
    );
    insta::assert_snapshot!(draw(&view, 80, 24).backend());
}

#[test]
fn paused_with_help_at_120x40() {
    let (mut s, now) = mid_session();
    s.handle(Input::Pause, now);
    let later = now + Duration::from_secs(300);
    let view = View::new(&s, later, ten_o_clock(), ctx(Theme::dim(), Overlay::Help));
    insta::assert_snapshot!(draw(&view, 120, 40).backend());
}

#[test]
fn confirm_quit_at_80x24() {
    let (s, now) = mid_session();
    let view = View::new(
        &s,
        now,
        ten_o_clock(),
        ctx(Theme::dim(), Overlay::ConfirmQuit),
    );
    insta::assert_snapshot!(draw(&view, 80, 24).backend());
}

#[test]
fn complete_at_120x40() {
    let mut s = session();
    s.handle(Input::Next, Moment::ZERO);
    let end = Moment::from_secs(5_000);
    s.handle(Input::Tick, end);
    assert!(s.is_finished());
    let view = View::new(&s, end, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    insta::assert_snapshot!(draw(&view, 120, 40).backend());
}

#[test]
fn too_small_at_30x10() {
    let (s, now) = mid_session();
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    insta::assert_snapshot!(draw(&view, 30, 10).backend());
}

#[test]
fn every_size_from_1x1_up_renders_without_panicking() {
    let (s, now) = mid_session();
    for overlay in [Overlay::None, Overlay::Help, Overlay::ConfirmQuit] {
        let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), overlay));
        for w in (1..=130).step_by(5) {
            for h in (1..=45).step_by(3) {
                let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
                (&view).render(buf.area, &mut buf);
            }
        }
    }
}

#[test]
fn overtime_turns_the_countdown_amber_without_flashing() {
    let (mut s, _) = mid_session();
    let now = Moment::from_secs(200 + 240 + 83);
    s.handle(Input::Tick, now);
    let theme = Theme::dim();
    let view = View::new(&s, now, ten_o_clock(), ctx(theme, Overlay::None));
    let area = Rect::new(0, 0, 30, 10);
    let mut buf = Buffer::empty(area);
    (&view).render(area, &mut buf);

    let mut expected = Buffer::with_lines([
        "",
        "",
        "",
        "   Please enlarge the window  ",
        "       (at least 40×12)       ",
        "",
        " Occipital base release  +1:23",
        "",
        "",
        "",
    ]);
    expected.set_style(Rect::new(3, 3, 25, 1), theme.text);
    expected.set_style(Rect::new(7, 4, 16, 1), theme.muted);
    expected.set_style(Rect::new(1, 6, 29, 1), theme.overtime);
    assert_eq!(buf, expected);
    // Nothing blinks, ever: a calm colour change only.
    for cell in buf.content() {
        assert!(!cell.modifier.contains(ratatui::style::Modifier::SLOW_BLINK));
        assert!(
            !cell
                .modifier
                .contains(ratatui::style::Modifier::RAPID_BLINK)
        );
    }
}

#[test]
fn dim_theme_has_no_bright_blocks() {
    let (s, now) = mid_session();
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    let t = draw(&view, 120, 40);
    for cell in t.backend().buffer().content() {
        assert_eq!(
            cell.bg,
            ratatui::style::Color::Reset,
            "no filled backgrounds"
        );
        assert_ne!(cell.fg, ratatui::style::Color::White);
    }
}

#[test]
fn no_color_theme_uses_no_colour() {
    let (s, now) = mid_session();
    let view = View::new(
        &s,
        now,
        ten_o_clock(),
        ctx(
            Theme::pick(stillpoint::settings::ThemeName::Dim, true),
            Overlay::None,
        ),
    );
    let t = draw(&view, 120, 40);
    for cell in t.backend().buffer().content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset);
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
}

#[test]
fn picker_at_80x24() {
    let catalog = stillpoint::protocol::catalog::Catalog::discover(
        &stillpoint::protocol::catalog::SearchPath::default(),
    );
    let choices: Vec<_> = catalog.found.iter().collect();
    let picker = stillpoint::tui::picker::Picker {
        choices: &choices,
        selected: 1,
        theme: Theme::dim(),
    };
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| f.render_widget(&picker, f.area())).unwrap();
    insta::assert_snapshot!(t.backend());
}

/// The time of day the projected end is worked out from.
fn ten_o_clock() -> Option<jiff::civil::Time> {
    Some(jiff::civil::time(10, 0, 0, 0))
}

/// A large window seen from across the room: the digits grow to at least
/// three times their full size (7 lit rows each 3 high), and the next step is named in full.
#[test]
fn running_at_160x48() {
    let (s, now) = mid_session();
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    let term = draw(&view, 160, 48);
    let rows = screen_rows(term.backend().buffer());
    let tall = rows.iter().filter(|r| r.contains('█')).count();
    assert!(
        tall >= 21,
        "digits should be 3× full size:\n{}",
        rows.join("\n")
    );
    insta::assert_snapshot!(term.backend());
}

fn screen_rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .collect()
}

/// From the narrowest usable window up, the protocol's name and the
/// session clock never run into each other: the name is cut with an
/// ellipsis and at least one space separates the two.
#[test]
fn header_title_and_clock_never_collide() {
    let long = PROTOCOL.replace(
        "Snapshot protocol",
        "Ten-step protocol for the whole body, slowly",
    );
    let mut s = Session::new(Protocol::parse(&long, Path::new("long.ron")).expect("valid"));
    s.handle(Input::Next, Moment::ZERO);
    let now = Moment::from_secs(758);
    s.handle(Input::Tick, now);
    for w in 40..=140 {
        let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
        let term = draw(&view, w, 24);
        let header = screen_rows(term.backend().buffer()).remove(0);
        let clock = header.find("elapsed").expect("the clock is always shown");
        let left = &header[..clock];
        assert!(
            left.ends_with(' ') && left.contains("Ten-"),
            "at {w} columns: {header:?}"
        );
        if !header.contains("slowly") {
            assert!(
                left.contains('…'),
                "cut names are marked, at {w}: {header:?}"
            );
        }
    }
}

/// At 100×30 the side column's timeline row for the next step is cut
/// short, so the hold panel names it in full with its planned time.
#[test]
fn next_step_is_named_in_full_in_a_wide_layout() {
    let (s, now) = mid_session();
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    let rows = screen_rows(draw(&view, 100, 30).backend().buffer());
    assert!(
        rows.iter()
            .any(|r| r.contains("Next    Frontal lift (2:00)")),
        "{}",
        rows.join("\n")
    );
}

/// A protocol of `steps` one-second holds, worked halfway through.
fn halfway_through(steps: usize) -> (Session, Moment) {
    let holds: Vec<String> = (1..=steps)
        .map(|i| {
            format!(
                "Hold(name: \"Hold {i}\", region: Feet, hands: \"Resting.\", \
                 intent: \"Listen.\", duration: \"1s\", advance: Manual)"
            )
        })
        .collect();
    let text = format!(
        "Protocol(version: 1, name: \"Long\", summary: \"x\", steps: [{}])",
        holds.join(",")
    );
    let mut s = Session::new(Protocol::parse(&text, Path::new("long.ron")).expect("valid"));
    s.handle(Input::Next, Moment::ZERO);
    for i in 1..=steps / 2 {
        s.handle(Input::Next, Moment::from_secs(i as u64));
    }
    (s, Moment::from_secs((steps / 2) as u64))
}

/// In a protocol of 10,000 steps the timeline still keeps the current
/// step in view with two done above it, and the time still to go is the
/// plan of every step after it.
#[test]
fn a_ten_thousand_step_protocol_shows_its_window_around_the_current_step() {
    let (s, now) = halfway_through(10_000);
    assert_eq!(s.current(), 5_000);
    assert_eq!(s.session_remaining(now).as_secs(), 5_000);
    let view = View::new(&s, now, ten_o_clock(), ctx(Theme::dim(), Overlay::None));
    let rows = screen_rows(draw(&view, 120, 40).backend().buffer());
    let at = |text: &str| rows.iter().position(|r| r.contains(text));
    assert_eq!(at("│✓ Hold 4999"), Some(2), "{}", rows.join("\n"));
    assert_eq!(at("│▸ Hold 5001"), Some(4), "{}", rows.join("\n"));
    assert!(at("│  Hold 5020").is_some(), "{}", rows.join("\n"));
}

/// The rows as a terminal shows them: a wide character's second cell is
/// its own, not a space of its own.
fn display_rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            let mut row = String::new();
            let mut x = 0;
            while x < buf.area.width {
                let symbol = buf[(x, y)].symbol();
                row.push_str(symbol);
                x += u16::try_from(unicode_width::UnicodeWidthStr::width(symbol).max(1))
                    .unwrap_or(1);
            }
            row
        })
        .collect()
}

/// A hold whose hands text is wide (CJK) keeps its end or says it was cut,
/// and no row runs past the window, at the sizes a laptop shows.
#[test]
fn wide_hands_text_is_cut_with_an_ellipsis_or_shown_whole() {
    let hands = format!(
        "{} HANDS-END",
        "頭蓋骨に指先をそっと添えて、呼吸を待つ。".repeat(2)
    );
    let wide = PROTOCOL.replace("Cup both heels, palms up, fingers relaxed.", &hands);
    let mut s = Session::new(Protocol::parse(&wide, Path::new("wide.ron")).expect("valid"));
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Tick, Moment::from_secs(10));
    for (w, h) in [(80, 24), (100, 30), (120, 40)] {
        let view = View::new(
            &s,
            Moment::from_secs(10),
            ten_o_clock(),
            ctx(Theme::dim(), Overlay::None),
        );
        let rows = display_rows(draw(&view, w, h).backend().buffer());
        let screen = rows.join("\n");
        for row in &rows {
            let width = unicode_width::UnicodeWidthStr::width(row.as_str());
            assert!(
                width <= usize::from(w),
                "a row of {width} at {w}:\n{screen}"
            );
        }
        let hands_rows: Vec<&String> = rows.iter().filter(|r| r.contains('頭')).collect();
        assert!(
            !hands_rows.is_empty(),
            "the hands text is shown at {w}×{h}:\n{screen}"
        );
        assert!(
            screen.contains("HANDS-END") || hands_rows.iter().any(|r| r.contains('…')),
            "the hands text lost its end with no ellipsis at {w}×{h}:\n{screen}"
        );
    }
}
