//! History, show and export against golden files: a fixed set of records
//! (two clients, a comma in a reference, a practice run, a session cut off,
//! a damaged file) written through the real journal, with sessions run
//! through the real engine, and every output compared with its snapshot.

use std::path::Path;

use stillpoint::catalog::{BUNDLED, Source, text_hash};
use stillpoint::clock::Moment;
use stillpoint::engine::{Effect, Input, Session};
use stillpoint::history::{Filter, Format, export, history, show};
use stillpoint::journal::{FileJournal, Journal};
use stillpoint::protocol::{Protocol, Region};
use stillpoint::record::{
    Aftercare, Caution, Condition, Entry, Intake, LOG_VERSION, Logged, Opened, Release,
};
use stillpoint::report::Report;

/// One session to write.
struct Plan {
    stamp: &'static str,
    client: Option<&'static str>,
    pain: (u8, u8),
    stress: (u8, u8),
    /// Moments (s) at which the therapist pressed next.
    nexts: &'static [u64],
    note: Option<(u64, &'static str)>,
    close: bool,
}

fn ticks(s: &mut Session, log: &mut Vec<Logged>, input: Input, at: u64) {
    for e in s.handle(input, Moment::from_secs(at)) {
        if let Effect::Log(l) = e {
            log.push(l);
        }
    }
}

fn write(dir: &Path, plan: &Plan) {
    let (stem, text) = BUNDLED[2]; // still-point-10
    let protocol = Protocol::parse(text, Path::new(stem)).expect("bundled");
    let stamp: jiff::Zoned = format!("{}+01:00[+01:00]", plan.stamp)
        .parse()
        .expect("stamp");
    let practice = plan.client.is_none();
    let opened = Opened {
        version: LOG_VERSION,
        protocol: protocol.name.to_string(),
        source: Source::Bundled(stem.into()).label(),
        hash: text_hash(text),
        client: plan.client.map(str::to_owned),
        practice,
        opened: stamp.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        app: "test".into(),
    };
    let mut log = vec![Logged {
        at: Moment::ZERO,
        entry: Entry::Opened(opened.clone()),
    }];
    if let Some(client) = plan.client {
        log.push(Logged {
            at: Moment::from_secs(30),
            entry: Entry::Intake(Intake {
                client: client.into(),
                focus: vec![Region::Neck, Region::Sacrum],
                focus_note: "stiff in the mornings".into(),
                pain: plan.pain.0,
                stress: plan.stress.0,
                releases: vec![Release {
                    condition: Condition::RecentConcussion,
                    released: true,
                }],
                cautions: vec![Caution::Elderly],
            }),
        });
    }
    let mut s = Session::new(protocol);
    ticks(&mut s, &mut log, Input::Next, 60);
    let end = if plan.close { 60 + 600 } else { 60 + 200 };
    let mut t = 60;
    while t < end && !s.is_finished() {
        t += 5;
        if plan.nexts.contains(&t) {
            ticks(&mut s, &mut log, Input::Next, t);
        } else {
            ticks(&mut s, &mut log, Input::Tick, t);
        }
        if let Some((at, text)) = plan.note
            && at == t
        {
            log.push(Logged {
                at: Moment::from_secs(t),
                entry: Entry::Note { text: text.into() },
            });
        }
    }
    if plan.close {
        if !s.is_finished() {
            ticks(&mut s, &mut log, Input::Quit, t);
        }
        if !practice {
            log.push(Logged {
                at: Moment::from_secs(t + 60),
                entry: Entry::Aftercare(Aftercare {
                    pain: Some(plan.pain.1),
                    stress: Some(plan.stress.1),
                    note: "felt lighter, \"like floating\"".into(),
                }),
            });
        }
        let summary = Report::from_entries(&log).summary();
        log.push(Logged {
            at: Moment::from_secs(t + 90),
            entry: Entry::Closed(summary),
        });
    } else {
        log.push(Logged {
            at: Moment::from_secs(t),
            entry: Entry::Interrupted {
                reason: "the terminal went away".into(),
            },
        });
    }
    let mut j = FileJournal::create(dir, &opened, &stamp).expect("journal");
    for l in &log[1..] {
        j.append(l).expect("append");
    }
}

fn records() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let plans = [
        Plan {
            stamp: "2026-11-02T09:30:00",
            client: Some("AB"),
            pain: (7, 4),
            stress: (6, 3),
            nexts: &[],
            note: Some((200, "client sighed, shoulders dropped")),
            close: true,
        },
        Plan {
            stamp: "2026-11-09T10:00:00",
            client: Some("Smith, J"),
            pain: (4, 4),
            stress: (8, 5),
            nexts: &[100, 300],
            note: None,
            close: true,
        },
        Plan {
            stamp: "2026-11-16T09:30:00",
            client: Some("AB"),
            pain: (5, 2),
            stress: (5, 2),
            nexts: &[],
            note: Some((90, "asked for a blanket")),
            close: true,
        },
        Plan {
            stamp: "2026-11-20T18:00:00",
            client: None,
            pain: (0, 0),
            stress: (0, 0),
            nexts: &[],
            note: None,
            close: true,
        },
        Plan {
            stamp: "2026-11-23T09:30:00",
            client: Some("AB"),
            pain: (6, 0),
            stress: (4, 0),
            nexts: &[],
            note: None,
            close: false,
        },
    ];
    let sessions = dir.path().join("sessions");
    for p in &plans {
        write(&sessions, p);
    }
    // Damaged before its last line: listed as such, never a stop.
    std::fs::write(
        sessions.join("20261121-120000-damaged.jsonl"),
        "{\"seq\":0,\"at\":0,\"event\":\"opened\"\nnot json\n{\"seq\":2}\n",
    )
    .expect("write");
    dir
}

fn run(f: impl FnOnce(&mut Vec<u8>) -> Result<(), String>) -> String {
    let mut out = Vec::new();
    f(&mut out).expect("runs");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn history_lists_every_record_oldest_first() {
    let dir = records();
    let s = dir.path().join("sessions");
    insta::assert_snapshot!("history", run(|o| history(&s, &Filter::default(), o)));
    let since = Filter {
        since: Some("2026-11-16".parse().expect("date")),
        ..Filter::default()
    };
    insta::assert_snapshot!("history_since", run(|o| history(&s, &since, o)));
}

#[test]
fn one_clients_history_has_a_chart() {
    let dir = records();
    let s = dir.path().join("sessions");
    let ab = Filter {
        client: Some("ab".into()),
        ..Filter::default()
    };
    insta::assert_snapshot!("history_client", run(|o| history(&s, &ab, o)));
    let nobody = Filter {
        client: Some("ZZ".into()),
        ..Filter::default()
    };
    assert_eq!(
        run(|o| history(&s, &nobody, o)),
        "No sessions recorded yet for client ZZ.\n"
    );
}

#[test]
fn show_prints_one_session_in_full() {
    let dir = records();
    let s = dir.path().join("sessions");
    insta::assert_snapshot!("show", run(|o| show(&s, "20261102-093000", o)));
    insta::assert_snapshot!("show_interrupted", run(|o| show(&s, "20261123", o)));
    let mut out = Vec::new();
    let err = show(&s, "202611", &mut out).expect_err("ambiguous");
    assert!(err.contains("could be any of"), "{err}");
}

#[test]
fn exports_in_three_formats() {
    let dir = records();
    let s = dir.path().join("sessions");
    let all = Filter::default();
    insta::assert_snapshot!("export_csv", run(|o| export(&s, &all, Format::Csv, o)));
    let ab = Filter {
        client: Some("AB".into()),
        since: Some("2026-11-10".parse().expect("date")),
    };
    insta::assert_snapshot!("export_md", run(|o| export(&s, &ab, Format::Md, o)));
    let json = run(|o| export(&s, &ab, Format::Json, o));
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(value.as_array().map(Vec::len), Some(2));
    insta::assert_snapshot!("export_json", json);
}

#[test]
fn an_empty_or_missing_folder_is_no_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nothing-here");
    assert_eq!(
        run(|o| history(&missing, &Filter::default(), o)),
        "No sessions recorded yet.\n"
    );
    assert_eq!(
        run(|o| export(&missing, &Filter::default(), Format::Csv, o))
            .lines()
            .count(),
        1,
        "just the header"
    );
}

#[test]
fn the_index_only_saves_reading_and_is_rebuilt_when_damaged() {
    let dir = records();
    let s = dir.path().join("sessions");
    let first = run(|o| history(&s, &Filter::default(), o));
    let index = std::fs::read_to_string(s.join(stillpoint::history::INDEX)).expect("index");
    assert_eq!(
        index.lines().count(),
        4,
        "the four closed records:\n{index}"
    );
    // Served from the index, the same table.
    assert_eq!(run(|o| history(&s, &Filter::default(), o)), first);
    // A damaged index is no worse than none.
    std::fs::write(
        s.join(stillpoint::history::INDEX),
        "garbage\n{\"id\":\"gone\",",
    )
    .expect("w");
    assert_eq!(run(|o| history(&s, &Filter::default(), o)), first);
    // A record deleted by hand disappears, whatever the index says.
    std::fs::remove_file(s.join("20261109-100000-still-point-10-minutes.jsonl")).expect("rm");
    let after = run(|o| history(&s, &Filter::default(), o));
    assert!(!after.contains("Smith"), "{after}");
}
