//! Records in the languages studios and clients write in, read back by
//! every view: client references, protocol and step names and notes in
//! CJK, emoji (ZWJ families, flags, skin tones), combining marks,
//! right-to-left scripts, 200-character names — and strings carrying
//! terminal escapes. The records are written through the real journal
//! (`history::write_with`), each session run through the real engine.
//!
//! `history`, `show`, `practice --stats` and the summary screen must keep
//! their columns by display width, the summary must stay inside its box,
//! and nothing `history`, `show`, `export --format md` or `practice
//! --stats` prints may carry an escape or any other control character.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use stillpoint::hint::report;
use stillpoint::history::{Filter, Format, Record, export, history, show};
use stillpoint::text::{clock_text, pad_left, width};
use stillpoint::tui::forms::{AftercareForm, IntakeForm, SummaryScreen};
use stillpoint::tui::theme::Theme;
use unicode_segmentation::UnicodeSegmentation;

use crate::history::{Act, End, Plan, run, scrub, write_with};

/// A protocol with one step of each kind of text. The combining marks are
/// RON escapes; the escape sequences and control characters (see
/// [`protocols`]) go into the strings raw, as a studio's file could hold
/// them.
const STEPS: &str = r#"Protocol(
  version: 1,
  name: "{NAME}",
  summary: "A corpus of names.",
  steps: [
    Hold(name: "足を包む 頭蓋骨の保持と後頭骨の解放", region: Feet, hands: "h", intent: "i", duration: "1m"),
    Transition(name: "Move 👣 to the head", duration: "20s"),
    Hold(name: "Family hold 👨‍👩‍👧‍👦 then 🧘‍♀️ 🇯🇵", region: Occiput, hands: "h", intent: "i", duration: "1m"),
    Hold(name: "Cafe\u{301} cra\u{302}nien, Ha\u{308}nde", region: Sacrum, hands: "h", intent: "i", duration: "1m"),
    Hold(name: "שחרור בסיס העורף", region: Occiput, hands: "h", intent: "i", duration: "1m"),
    Hold(name: "{ESCAPED}", region: Neck, hands: "h", intent: "i", duration: "1m"),
    Hold(name: "{LONG}", region: Feet, hands: "h", intent: "i", duration: "1m"),
  ],
)"#;

/// A second protocol: a 200-character name, Arabic and Chinese steps, and
/// one step shared with the first (its practice adds up across both).
const OTHER: &str = r#"Protocol(
  version: 1,
  name: "{NAME}",
  summary: "More names.",
  steps: [
    Hold(name: "تحرير قاعدة الجمجمة", region: Occiput, hands: "h", intent: "i", duration: "2m"),
    Hold(name: "颅骶疗法：枕骨底释放", region: Sacrum, hands: "h", intent: "i", duration: "2m"),
    Hold(name: "足を包む 頭蓋骨の保持と後頭骨の解放", region: Feet, hands: "h", intent: "i", duration: "1m"),
  ],
)"#;

/// Every payload an escape carries in the corpus is this word: if it
/// shows anywhere, an escape sequence got through whole.
const PAYLOAD: &str = "pwned";

/// A name that sets the window's title, clears the screen and turns the
/// text red, with a bell, a C1 CSI and a bidi override for good measure.
const ESCAPED: &str = "\u{1B}]0;pwned\u{7}\u{1B}[2J\u{1B}[31mRed hold\u{1B}[0m \u{7}bell \u{9B}2J c1 \u{202E}desrever";

/// The first protocol's name; its escape carries `title`, not the
/// payload, as the journal puts a protocol name's ASCII words in the
/// record's file name.
const PROTOCOL: &str = "頭蓋仙骨 🧘\u{200D}♀\u{FE0F} \u{1B}]0;title\u{7}セッション";

/// A name 200 characters long (or more).
fn long(word: &str, chars: usize) -> &'static str {
    let mut s = String::new();
    while s.chars().count() < chars {
        s.push_str(word);
    }
    Box::leak(s.into_boxed_str())
}

/// The protocols' texts, as (stem, RON).
fn protocols() -> [(&'static str, String); 2] {
    let ron = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    [
        (
            "corpus",
            STEPS
                .replace("{NAME}", &ron(PROTOCOL))
                .replace("{ESCAPED}", &ron(ESCAPED))
                .replace("{LONG}", long("Very long name ", 200).trim_end()),
        ),
        (
            "other",
            OTHER.replace(
                "{NAME}",
                long("Protocol with a very long name ", 200).trim_end(),
            ),
        ),
    ]
}

/// A closed session with a client, answers before and after, and notes.
fn with_client(
    stamp: &'static str,
    client: &'static str,
    notes: &'static [(u64, Act)],
    closing: &'static str,
) -> Plan {
    Plan {
        stamp,
        protocol: "",
        client: Some(client),
        before: Some((7, 6)),
        after: Some((Some(3), Some(2), closing)),
        acts: notes,
        end: End::Closed,
    }
}

/// A practice session, closed.
fn practice(stamp: &'static str) -> Plan {
    Plan {
        stamp,
        protocol: "",
        client: None,
        before: None,
        after: None,
        acts: &[(100, Act::Note("練習 🧘 \u{1B}]0;pwned\u{7}"))],
        end: End::Closed,
    }
}

/// The corpus, written into `dir/sessions`: (which protocol, plan) each.
fn plans() -> Vec<(usize, Plan)> {
    const NOTES: &[(u64, Act)] = &[
        (90, Act::Note("頭痛が和らいだ 👨\u{200D}👩\u{200D}👧")),
        (
            150,
            Act::Note("\u{1B}[2J\u{1B}]0;pwned\u{7}cleared? \u{1B}[1;31mno\u{1B}[0m"),
        ),
        (200, Act::Note("Cafe\u{301} הערה عربى\u{202E}x")),
    ];
    vec![
        (
            0,
            with_client(
                "2026-11-02T09:30:00+01:00",
                "山田 花子",
                NOTES,
                "軽くなった 👍🏽 \u{1B}]0;pwned\u{7}",
            ),
        ),
        (
            0,
            with_client(
                "2026-11-03T09:30:00+01:00",
                "\u{1B}]0;pwned\u{7}\u{1B}[2JAB",
                &[],
                "",
            ),
        ),
        (
            0,
            with_client(
                "2026-11-04T09:30:00+01:00",
                "👨\u{200D}👩\u{200D}👧\u{200D}👦 Family 🇯🇵",
                &[],
                "",
            ),
        ),
        (
            1,
            with_client("2026-11-05T09:30:00+01:00", "שלום כהן \u{202E}abc", &[], ""),
        ),
        (
            0,
            with_client(
                "2026-11-06T09:30:00+01:00",
                "Zoe\u{308} Ha\u{308}nde",
                &[],
                "",
            ),
        ),
        (
            1,
            with_client("2026-11-07T09:30:00+01:00", long("頭蓋仙骨", 200), &[], ""),
        ),
        (
            0,
            with_client("2026-11-09T09:30:00+01:00", "山田 花子", &[], "また来週"),
        ),
        (
            1,
            with_client("2026-11-10T09:30:00+01:00", long("頭蓋仙骨", 200), &[], ""),
        ),
        (0, practice("2026-11-11T18:00:00+01:00")),
        (1, practice("2026-11-12T18:00:00+01:00")),
        (0, practice("2026-11-13T18:00:00+01:00")),
    ]
}

/// The corpus's records, and a file of garbage whose name carries an
/// escape (a record's id comes from its file name). Returns the temp
/// folder and the records' paths, in the order of [`plans`].
fn records() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = dir.path().join("sessions");
    let protocols = protocols();
    let paths = plans()
        .iter()
        .map(|(p, plan)| {
            let (stem, text) = &protocols[*p];
            write_with(&sessions, plan, stem, text)
        })
        .collect();
    std::fs::write(
        sessions.join("20261130-000000-\u{1B}]0;pwned\u{7}.jsonl"),
        "not a record\n",
    )
    .expect("write");
    (dir, paths)
}

/// The part of `line` in display columns `from..to` (to its end if it is
/// shorter). Fails when a grapheme cluster straddles either edge: the
/// columns are out of line.
fn columns(line: &str, from: usize, to: usize) -> &str {
    let mut at = 0;
    let (mut start, mut end) = (None, None);
    for (i, g) in line.grapheme_indices(true) {
        if at == from {
            start.get_or_insert(i);
        }
        if at == to {
            end.get_or_insert(i);
        }
        let next = at + width(g);
        let straddles = |edge: usize| at < edge && next > edge;
        assert!(
            !straddles(from) && !straddles(to),
            "a cluster straddles column {from} or {to} in {line:?}"
        );
        at = next;
    }
    let start = start.unwrap_or(line.len());
    &line[start..end.unwrap_or(line.len()).max(start)]
}

/// Whether `s` is a clock time as the views write it (`5:20`, `1:02:03`).
fn is_clock(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The display column where `label` starts in an ASCII header line.
fn start_of(header: &str, label: &str) -> usize {
    header
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {header}"))
}

#[test]
fn the_history_table_keeps_its_columns_with_any_names() {
    let (dir, _) = records();
    let s = dir.path().join("sessions");
    let table = run(|o| history(&s, &Filter::default(), o));
    insta::assert_snapshot!("history_wide", table);
    let mut lines = table.lines();
    let header = lines.next().expect("a header");
    let [date, client, protocol, status, pain, stress] =
        ["DATE", "CLIENT", "PROTOCOL", "STATUS", "PAIN", "STRESS"].map(|l| start_of(header, l));
    let rows: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 12, "{table}");
    for row in rows {
        // Each cell starts at its header's column, after a two-column gap;
        // the time ends where TIME does; the status is where STATUS is.
        for (from, to) in [(0, date), (date, client), (client, protocol)] {
            let cell = columns(row, from, to);
            assert!(cell.ends_with("  ") && !cell.starts_with(' '), "{row:?}");
        }
        let protocol_and_time = columns(row, protocol, status);
        assert!(protocol_and_time.ends_with("  "), "{row:?}");
        let time = protocol_and_time.trim_end().rsplit(' ').next();
        assert!(time.is_some_and(is_clock), "{row:?}");
        let word = columns(row, status, pain).trim_end();
        assert!(
            ["complete", "ended early", "damaged"].contains(&word),
            "{word:?} in {row:?}"
        );
        // A row with answers is as wide as the header up to its last
        // column (the others end after their status).
        if !columns(row, pain, stress).trim().is_empty() {
            assert_eq!(width(columns(row, 0, stress)), stress, "{row:?}");
        }
    }
}

#[test]
fn the_chart_headings_keep_a_long_name_short() {
    let (dir, _) = records();
    let s = dir.path().join("sessions");
    for client in ["山田 花子", long("頭蓋仙骨", 200)] {
        let filter = Filter {
            client: Some(client.into()),
            ..Filter::default()
        };
        let text = run(|o| history(&s, &filter, o));
        // The table, its footer, the chart's heading, then the charts.
        let parts: Vec<&str> = text.split("\n\n").collect();
        assert!(parts[3].starts_with("Pain, 0–10"), "{text}");
        // The heading is prose (a terminal may wrap it), but the name's
        // share of it is capped: 30 columns, not 400. The charts keep to 80.
        assert!(width(parts[2]) <= 80 + 30, "{:?}", parts[2]);
        for line in parts[3..].iter().flat_map(|p| p.lines()) {
            assert!(width(line) <= 80, "{line:?}");
        }
    }
    let filter = Filter {
        client: Some("山田 花子".into()),
        ..Filter::default()
    };
    insta::assert_snapshot!("history_wide_client", run(|o| history(&s, &filter, o)));
}

#[test]
fn show_keeps_the_steps_in_line_with_any_names() {
    let (dir, paths) = records();
    let s = dir.path().join("sessions");
    for path in &paths {
        let shown = scrub(
            &run(|o| show(&s, &path.display().to_string(), o)),
            dir.path(),
        );
        let header = shown
            .lines()
            .find(|l| l.starts_with("Steps"))
            .expect("a steps table");
        let planned_end = start_of(header, "planned") + "planned".len();
        let actual_end = start_of(header, "actual") + "actual".len();
        let steps: Vec<&str> = shown
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                l.starts_with("  ")
                    && t.split_once(". ")
                        .is_some_and(|(n, _)| n.parse::<u8>().is_ok())
            })
            .collect();
        assert!(steps.len() >= 3, "{shown}");
        for row in steps {
            // Planned and actual end where their headings end, a gap after.
            assert_eq!(
                columns(row, planned_end - 9, planned_end - 8),
                " ",
                "{row:?}"
            );
            assert!(
                is_clock(columns(row, planned_end - 8, planned_end).trim_start()),
                "{row:?}"
            );
            assert!(
                is_clock(columns(row, actual_end - 8, actual_end).trim_start()),
                "{row:?}"
            );
            assert_eq!(columns(row, actual_end, actual_end + 2), "  ", "{row:?}");
        }
    }
    let shown = |p: &Path| scrub(&run(|o| show(&s, &p.display().to_string(), o)), dir.path());
    insta::assert_snapshot!("show_wide", shown(&paths[0]));
    insta::assert_snapshot!("show_wide_long_names", shown(&paths[5]));
}

#[test]
fn markdown_notes_are_safe_with_any_names() {
    let (dir, _) = records();
    let s = dir.path().join("sessions");
    let md = run(|o| export(&s, &Filter::default(), Format::Md, o));
    insta::assert_snapshot!("export_md_wide", md);
    // Markup in the names stays text: the escapes became `�`, nothing
    // else was lost.
    assert!(md.contains("Family hold 👨‍👩‍👧‍👦 then 🧘‍♀️ 🇯🇵"), "{md}");
    assert!(md.contains("# Session with 山田 花子"), "{md}");
}

#[test]
fn practice_stats_keep_their_columns_with_any_names() {
    let (dir, _) = records();
    let s = dir.path().join("sessions");
    let stats = stillpoint::history::practice::stats(&s, None).expect("stats");
    assert_eq!(stats.sessions, 3);
    let text = stillpoint::history::practice::text(&stats, 80);
    insta::assert_snapshot!("practice_stats_wide", text);
    let tables: Vec<&str> = text.split("\n\n").collect();
    // The techniques table, then the protocols table.
    for (table, figures) in [(tables[1], "LAST"), (tables[2], "LAST")] {
        let mut lines = table.lines();
        let header = lines.next().expect("a header");
        let time_end = start_of(header, "TIME") + "TIME".len();
        let hours_end = start_of(header, "HOURS") + "HOURS".len();
        let last = start_of(header, figures);
        for row in lines {
            assert!(
                is_clock(columns(row, 0, time_end).rsplit(' ').next().unwrap_or("")),
                "{row:?}"
            );
            assert!(
                columns(row, hours_end - 6, hours_end)
                    .trim()
                    .ends_with(" h"),
                "{row:?}"
            );
            assert_eq!(columns(row, last - 2, last), "  ", "{row:?}");
            assert!(
                columns(row, last, last + 10).starts_with("2026-11-1"),
                "{row:?}"
            );
        }
    }
    // The bars start one column after their 26-column labels.
    for row in tables[3].lines().skip(1) {
        assert!(columns(row, 0, 27).ends_with(' '), "{row:?}");
        assert!(columns(row, 27, 28).starts_with('█'), "{row:?}");
    }
}

/// The rows of a rendered screen as text, each wide character once (as a
/// terminal shows it).
fn screen_rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buf[(x, y)].symbol();
                skip = width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

#[test]
fn the_summary_screen_stays_in_its_box_with_any_names() {
    let (_dir, paths) = records();
    let record = Record::load(&paths[0]).expect("the record");
    let steps = record.report.steps.clone();
    let summary = SummaryScreen::new(record.report);
    let theme = Theme::dim();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| summary.render(f.area(), f.buffer_mut(), &theme))
            .expect("draw");
        let rows = screen_rows(&t);
        for row in &rows {
            // No row is wider than the box, and its sides are drawn.
            assert_eq!(width(row), usize::from(w), "{row:?}");
            assert!(row.starts_with(['╭', '│', '╰']), "{row:?}");
            assert!(row.ends_with(['╮', '│', '╯']), "{row:?}");
        }
        assert!(rows.iter().any(|r| r.contains("Client 山田 花子 · opened")));
        // Every step is one row, its times under the headings.
        let header = rows
            .iter()
            .find(|r| r.contains("planned   actual"))
            .expect("the steps' heading");
        let actual_end = width(&header[..header.find("actual").expect("actual")]) + 6;
        for step in &steps {
            let lead = format!("│ {} ", pad_left(&(step.step + 1).to_string(), 2));
            let row = rows
                .iter()
                .find(|r| r.starts_with(&lead))
                .unwrap_or_else(|| panic!("step {} in {rows:#?}", step.step + 1));
            let times = format!(
                "{} {}",
                pad_left(&clock_text(step.planned), 8),
                pad_left(&clock_text(step.actual), 8)
            );
            assert_eq!(columns(row, actual_end - 17, actual_end), times, "{row:?}");
        }
        insta::assert_snapshot!(format!("summary_wide_{w}x{h}"), t.backend());
    }
}

/// Draws `render` on a `w`×`h` screen and checks every row: as wide as
/// the screen, the box's sides drawn, nothing a terminal would act on.
fn boxed(
    render: impl Fn(ratatui::layout::Rect, &mut ratatui::buffer::Buffer),
    w: u16,
    h: u16,
) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| render(f.area(), f.buffer_mut())).expect("draw");
    let rows = screen_rows(&t);
    for row in &rows {
        assert_eq!(width(row), usize::from(w), "{row:?}");
        assert!(row.starts_with(['╭', '│', '╰']), "{row:?}");
        assert!(row.ends_with(['╮', '│', '╯']), "{row:?}");
        assert!(!row.chars().any(acts_on_a_terminal), "{row:?}");
    }
    rows
}

#[test]
fn the_consultation_and_closing_questions_stay_in_their_box_with_any_names() {
    let theme = Theme::dim();
    let name = format!("{PROTOCOL} {}", long("頭蓋仙骨", 200));
    // `--client` with an escape in it, CJK and a ZWJ family.
    let client = "\u{1B}[2J山田 花子 👨\u{200D}👩\u{200D}👧\u{200D}👦";
    let intake = IntakeForm::new(&name, Some(client.into()));
    let mut after = AftercareForm::new(Some(6), Some(5));
    for code in [
        KeyCode::Char('3'),
        KeyCode::Tab,
        KeyCode::Char('2'),
        KeyCode::Tab,
    ] {
        after.on_key(&KeyEvent::new(code, KeyModifiers::NONE));
    }
    for c in "軽くなった 👍🏽 Cafe\u{301} הערה ".repeat(6).chars() {
        after.on_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    for (w, h) in [(80, 24), (120, 40)] {
        let rows = boxed(|a, b| intake.render(a, b, &theme), w, h);
        assert!(
            rows[0].starts_with("╭ consultation · 頭蓋仙骨"),
            "{}",
            rows[0]
        );
        assert!(
            rows[0].ends_with("─╮"),
            "the title leaves the corner: {}",
            rows[0]
        );
        let field = rows
            .iter()
            .find(|r| r.contains("Client reference"))
            .expect("the client field");
        assert!(
            // The whole escape sequence is gone, not just its first byte.
            field.contains("Client reference  山田 花子 👨\u{200D}👩\u{200D}👧\u{200D}👦"),
            "{field}"
        );
        let rows = boxed(|a, b| after.render(a, b, &theme), w, h);
        let note = rows
            .iter()
            .find(|r| r.contains("Closing note"))
            .expect("the note field");
        // The note scrolls to keep its cursor (at the end) in view.
        assert!(note.contains('…') && note.contains("הערה"), "{note}");
    }
}

/// Whether `c` is something a terminal acts on rather than shows: a C0 or
/// C1 control (a line break aside), DEL, or a bidi override or isolate.
fn acts_on_a_terminal(c: char) -> bool {
    (c.is_control() && c != '\n') || stillpoint::text::is_bidi_control(c)
}

#[test]
fn no_escape_or_control_character_reaches_the_terminal() {
    let (dir, paths) = records();
    let s = dir.path().join("sessions");
    let mut outputs = vec![
        (
            "history".to_owned(),
            run(|o| history(&s, &Filter::default(), o)),
        ),
        (
            "export md".to_owned(),
            run(|o| export(&s, &Filter::default(), Format::Md, o)),
        ),
    ];
    for (_, plan) in plans() {
        let filter = Filter {
            client: plan.client.map(str::to_owned),
            ..Filter::default()
        };
        let name = format!("history --client {:?}", plan.client);
        outputs.push((name, run(|o| history(&s, &filter, o))));
    }
    let mut ids: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    ids.push("20261130".to_owned());
    for id in ids {
        outputs.push((format!("show {id}"), run(|o| show(&s, &id, o))));
    }
    // The candidates an unknown or ambiguous id lists.
    for wanted in ["2026", "20990101"] {
        let err = show(&s, wanted, &mut Vec::new()).expect_err("not one session");
        outputs.push((format!("show {wanted}"), report(&err)));
    }
    let stats = stillpoint::history::practice::stats(&s, None).expect("stats");
    outputs.push((
        "practice --stats".to_owned(),
        stillpoint::history::practice::text(&stats, 80),
    ));
    for (name, out) in &outputs {
        assert!(!out.is_empty(), "{name}");
        assert!(
            !out.as_bytes().contains(&0x1B),
            "{name}: an ESC byte in\n{out}"
        );
        if let Some(c) = out.chars().find(|c| acts_on_a_terminal(*c)) {
            panic!("{name}: {c:?} in\n{out}");
        }
        assert!(
            !out.contains(PAYLOAD),
            "{name}: an escape's payload in\n{out}"
        );
    }
    // The summary screen's cells too.
    for path in &paths {
        let record = Record::load(path).expect("the record");
        let summary = SummaryScreen::new(record.report);
        let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        t.draw(|f| summary.render(f.area(), f.buffer_mut(), &Theme::dim()))
            .expect("draw");
        for row in screen_rows(&t) {
            assert!(!row.chars().any(acts_on_a_terminal), "{row:?}");
            assert!(!row.contains(PAYLOAD), "{row:?}");
        }
    }
}
