//! The practice body map: every region, highlighted on the compact drawing,
//! in one snapshot; the large drawing with a hold and the next one marked;
//! and the practice dashboard around it.

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use stillpoint::clock::Moment;
use stillpoint::protocol::{Protocol, Region};
use stillpoint::session::engine::{Input, Session};
use stillpoint::tui::bodymap::BodyMap;
use stillpoint::tui::dashboard::{Context, View};
use stillpoint::tui::theme::Theme;

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            let row: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
            row.trim_end().to_owned() + "\n"
        })
        .collect()
}

fn map(now: Vec<Region>, next: Vec<Region>, w: u16, h: u16) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    BodyMap {
        now,
        next,
        theme: Theme::plain(),
    }
    .render(buf.area, &mut buf);
    text(&buf)
}

#[test]
fn every_region_lights_up_on_the_compact_map() {
    let mut all = String::new();
    for r in Region::ALL {
        let drawn = map(vec![r], Vec::new(), 30, 16);
        assert!(drawn.contains('█'), "{r:?} has no cells:\n{drawn}");
        all.push_str(&format!("== {r:?}\n{drawn}"));
    }
    insta::assert_snapshot!("every_region_compact", all);
}

#[test]
fn the_large_map_marks_now_and_next() {
    insta::assert_snapshot!(
        "large_occiput_then_frontal",
        map(
            vec![Region::Occiput, Region::DuralTube],
            vec![Region::Frontal],
            30,
            28
        )
    );
    // Too small for a drawing: the legend alone.
    let tiny = map(vec![Region::Feet], vec![Region::Sacrum], 10, 6);
    assert!(tiny.contains("now feet"), "{tiny}");
}

#[test]
fn the_practice_dashboard_at_120x40_and_80x24() {
    let text = stillpoint::protocol::catalog::BUNDLED[3].1;
    let protocol = Protocol::parse(text, Path::new("trainee-drill.ron")).expect("bundled");
    let mut s = Session::new(protocol);
    s.handle(Input::Next, Moment::ZERO);
    let now = Moment::from_secs(50);
    s.handle(Input::Tick, now);
    let ctx = Context {
        audio: "audio off (--no-audio)".into(),
        practice: true,
        ..Context::new(Theme::dim())
    };
    let view = View::new(&s, now, ten_o_clock(), ctx);
    for (name, w, h) in [("practice_120x40", 120, 40), ("practice_80x24", 80, 24)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| f.render_widget(&view, f.area())).expect("draw");
        insta::assert_snapshot!(name, t.backend());
    }
}

/// The time of day the projected end is worked out from.
fn ten_o_clock() -> Option<jiff::civil::Time> {
    Some(jiff::civil::time(10, 0, 0, 0))
}
