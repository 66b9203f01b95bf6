//! Running the bundled 60-minute ten-step protocol through the engine at ten
//! ticks a second, hands-free after the first press (target: under 10 ms).

use std::path::Path;
use std::time::Duration;

use stillpoint::clock::Moment;
use stillpoint::protocol::Protocol;
use stillpoint::protocol::catalog::BUNDLED;
use stillpoint::session::engine::{Input, Session};

fn main() {
    divan::main();
}

#[divan::bench]
fn ten_step_at_10_ticks_per_second(bencher: divan::Bencher) {
    let protocol = Protocol::parse(BUNDLED[0].1, Path::new("ten-step.ron")).expect("bundled");
    // Long enough for every manual hold to reach its max.
    let horizon = protocol
        .steps
        .iter()
        .map(|s| s.max().unwrap_or(s.planned()))
        .sum::<Duration>()
        + Duration::from_secs(1);
    let ticks = horizon.as_millis() as u64 / 100;
    bencher.bench_local(|| {
        let mut s = Session::new(protocol.clone());
        let mut effects = 0usize;
        effects += s.handle(Input::Next, Moment::ZERO).len();
        for i in 1..=ticks {
            effects += s.handle(Input::Tick, Moment::from_millis(i * 100)).len();
        }
        assert!(s.is_finished());
        divan::black_box(effects)
    });
}
