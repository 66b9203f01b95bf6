//! Practice hours: practice records written through the real journal, with
//! sessions run through the real engine, add up per technique and per
//! protocol; client sessions do not count.

use std::path::Path;
use std::time::Duration;

use stillpoint::clock::Moment;
use stillpoint::protocol::Protocol;
use stillpoint::protocol::catalog::{BUNDLED, Source, text_hash};
use stillpoint::session::engine::{Effect, Input, Phase, Session};
use stillpoint::session::journal::{FileJournal, Journal};
use stillpoint::session::record::{Entry, LOG_VERSION, Logged, Opened};
use stillpoint::session::report::Report;

/// One session of the bundled protocol `index`, practice or not, pausing for
/// `pause` seconds in the first hold, closed normally.
fn record(dir: &Path, index: usize, stamp: &str, practice: bool, pause: u64) {
    let (stem, text) = BUNDLED[index];
    let protocol = Protocol::parse(text, Path::new(stem)).expect("bundled");
    let stamp: jiff::Zoned = format!("{stamp}+01:00[+01:00]").parse().expect("stamp");
    let opened = Opened {
        version: LOG_VERSION,
        protocol: protocol.name.to_string(),
        source: Source::Bundled(stem.into()).label(),
        hash: text_hash(text),
        client: (!practice).then(|| "AB".to_owned()),
        practice,
        speed: 1.0,
        opened: Some(stillpoint::session::record::Stamp::of(&stamp)),
        app: "test".into(),
    };
    let mut log = vec![Logged {
        at: Moment::ZERO,
        entry: Entry::Opened(opened.clone()),
    }];
    let mut s = Session::new(protocol);
    let mut push = |s: &mut Session, input, at: u64| {
        for e in s.handle(input, Moment::from_secs(at)) {
            if let Effect::Log(l) = e {
                log.push(l);
            }
        }
    };
    push(&mut s, Input::Next, 10);
    push(&mut s, Input::Pause, 20);
    push(&mut s, Input::Resume, 20 + pause);
    let mut t = 20 + pause;
    while !s.is_finished() {
        t += 10;
        // Manual holds are released as soon as they reach their target.
        push(&mut s, Input::Tick, t);
        if s.phase() == Phase::Overtime {
            push(&mut s, Input::Next, t);
        }
    }
    let summary = Report::from_entries(&log).summary();
    log.push(Logged {
        at: Moment::from_secs(t + 5),
        entry: Entry::Closed(summary),
    });
    let mut j = FileJournal::create(dir, &opened, &stamp).expect("journal");
    for l in &log[1..] {
        j.append(l).expect("append");
    }
}

#[test]
fn practice_time_adds_up_per_technique_and_per_protocol() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = dir.path().join("sessions");
    record(&sessions, 3, "2026-11-02T18:00:00", true, 30);
    record(&sessions, 3, "2026-11-09T18:00:00", true, 0);
    record(&sessions, 2, "2026-11-16T18:00:00", true, 0);
    // A client session is not practice.
    record(&sessions, 2, "2026-11-17T10:00:00", false, 0);
    let stats = stillpoint::history::practice::stats(&sessions, None).expect("stats");
    assert_eq!(stats.sessions, 3);
    let drill = stats
        .protocols
        .iter()
        .find(|p| p.name.starts_with("Trainee drill"))
        .expect("the drill");
    assert_eq!(drill.sessions, 2);
    assert_eq!(drill.last, Some(jiff::civil::date(2026, 11, 9)));
    // Twelve holds of the drill, none of its two transitions; pauses left out.
    let feet = stats
        .techniques
        .iter()
        .find(|t| t.name == "Feet")
        .expect("feet");
    assert_eq!(
        feet.time,
        Duration::from_secs(90),
        "45 s twice, the pause excluded"
    );
    assert_eq!(feet.sessions, 2);
    assert!(
        !stats.techniques.iter().any(|t| t.name.starts_with("Move")),
        "transitions are not techniques"
    );
    let total: Duration = stats.protocols.iter().map(|p| p.time).sum();
    assert_eq!(total, stats.total);
    insta::assert_snapshot!(
        "practice_stats",
        stillpoint::history::practice::text(&stats, 80)
    );
}

#[test]
fn no_practice_yet_says_how_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stats = stillpoint::history::practice::stats(dir.path(), None).expect("stats");
    assert!(
        stillpoint::history::practice::text(&stats, 80).starts_with("No practice recorded yet.")
    );
}
