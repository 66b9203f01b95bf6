//! One full dashboard frame at 160×48: building the view from the session and
//! rendering it into a buffer (target: under 0.5 ms).

use std::path::Path;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use stillpoint::clock::Moment;
use stillpoint::protocol::Protocol;
use stillpoint::protocol::catalog::BUNDLED;
use stillpoint::session::engine::{Input, Session};
use stillpoint::tui::dashboard::{Context, Overlay, View};
use stillpoint::tui::theme::Theme;

fn main() {
    divan::main();
}

fn mid_session() -> (Session, Moment) {
    let protocol = Protocol::parse(BUNDLED[0].1, Path::new("ten-step.ron")).expect("bundled");
    let mut s = Session::new(protocol);
    s.handle(Input::Next, Moment::ZERO);
    let now = Moment::from_secs(20 * 60 + 7);
    s.handle(Input::Tick, now);
    (s, now)
}

fn context() -> Context {
    Context {
        audio: "audio on · volume 4/10".into(),
        overlay: Overlay::None,
        client: Some("AB".into()),
        log: (0..8)
            .map(|i| {
                (
                    format!("10:0{i}"),
                    format!("note: an entry in the log, number {i}"),
                )
            })
            .collect(),
        ..Context::new(Theme::dim())
    }
}

#[divan::bench]
fn frame_160x48(bencher: divan::Bencher) {
    let (session, now) = mid_session();
    let ctx = context();
    let area = Rect::new(0, 0, 160, 48);
    let mut buf = Buffer::empty(area);
    bencher.bench_local(|| {
        let view = View::new(&session, divan::black_box(now), ten_o_clock(), ctx.clone());
        buf.reset();
        (&view).render(area, &mut buf);
        divan::black_box(&buf);
    });
}

#[divan::bench]
fn view_only(bencher: divan::Bencher) {
    let (session, now) = mid_session();
    let ctx = context();
    bencher.bench_local(|| View::new(&session, divan::black_box(now), ten_o_clock(), ctx.clone()));
}

/// The time of day the projected end is worked out from.
fn ten_o_clock() -> Option<jiff::civil::Time> {
    Some(jiff::civil::time(10, 0, 0, 0))
}
