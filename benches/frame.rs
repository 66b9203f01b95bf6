//! One full dashboard frame at 160×48: building the view from the session and
//! rendering it into a buffer (target: under 0.5 ms), for the bundled
//! ten-step protocol and for generated protocols of 18 and 10,000 steps
//! (the frame must cost the same for both: within 1.2×).
//!
//! `cargo bench --bench frame`

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

/// A protocol of `steps` one-second holds (10,000 fit in the four-hour
/// limit), worked halfway through.
fn halfway_through(steps: usize) -> (Session, Moment) {
    let holds: Vec<String> = (1..=steps)
        .map(|i| {
            format!(
                "Hold(name: \"Hold number {i} of the long protocol\", region: Feet, \
                 hands: \"Both hands resting.\", intent: \"Listen.\", duration: \"1s\", \
                 advance: Manual)"
            )
        })
        .collect();
    let text = format!(
        "Protocol(version: 1, name: \"Generated\", summary: \"For the bench\", steps: [{}])",
        holds.join(",\n")
    );
    let mut s = Session::new(Protocol::parse(&text, Path::new("long.ron")).expect("valid"));
    let mut now = Moment::ZERO;
    s.handle(Input::Next, now);
    for _ in 0..steps / 2 {
        now = now + std::time::Duration::from_millis(500);
        s.handle(Input::Next, now);
    }
    now = now + std::time::Duration::from_millis(300);
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

fn frame(bencher: divan::Bencher, session: &Session, now: Moment) {
    let ctx = context();
    let area = Rect::new(0, 0, 160, 48);
    let mut buf = Buffer::empty(area);
    bencher.bench_local(|| {
        let view = View::new(session, divan::black_box(now), ten_o_clock(), ctx.clone());
        buf.reset();
        (&view).render(area, &mut buf);
        divan::black_box(&buf);
    });
}

#[divan::bench]
fn frame_160x48(bencher: divan::Bencher) {
    let (session, now) = mid_session();
    frame(bencher, &session, now);
}

#[divan::bench(args = [18, 10_000])]
fn frame_160x48_steps(bencher: divan::Bencher, steps: usize) {
    let (session, now) = halfway_through(steps);
    frame(bencher, &session, now);
}

#[divan::bench]
fn view_only(bencher: divan::Bencher) {
    let (session, now) = mid_session();
    let ctx = context();
    bencher.bench_local(|| View::new(&session, divan::black_box(now), ten_o_clock(), ctx.clone()));
}

#[divan::bench(args = [18, 10_000])]
fn view_only_steps(bencher: divan::Bencher, steps: usize) {
    let (session, now) = halfway_through(steps);
    let ctx = context();
    bencher.bench_local(|| View::new(&session, divan::black_box(now), ten_o_clock(), ctx.clone()));
}

/// The time of day the projected end is worked out from.
fn ten_o_clock() -> Option<jiff::civil::Time> {
    Some(jiff::civil::time(10, 0, 0, 0))
}
