//! The broken-file corpus: every file in `tests/invalid/` (protocols) and
//! `tests/invalid-config/` (settings) fails with the location written on its
//! first line (`// expect: file:line:col…`), and its full report — the
//! message, the line with the problem marked, the hint — is a stable
//! snapshot, exactly as `stillpoint validate` and a refused start print it.

use std::path::{Path, PathBuf};

use stillpoint::protocol::Protocol;
use stillpoint::protocol::diagnostic::{FileError, FileKind, REPORT_COLUMNS, decode, read_source};
use stillpoint::settings::Config;
use stillpoint::text::width;

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

/// Asserts what every report must be, whatever the file held: nothing in
/// it can act on a terminal, and below its first two lines (the message and
/// the location) it fits one 80-column screen line per line.
fn assert_safe_and_narrow(name: &str, report: &str) {
    assert!(
        !report.chars().any(|c| c.is_control() && c != '\n'),
        "{name}: a control character in\n{report}"
    );
    for line in report.lines().skip(2) {
        assert!(
            width(line) <= REPORT_COLUMNS,
            "{name}: {} columns: {line}",
            width(line)
        );
    }
}

/// Asserts the underline starts in the column where the source line shows
/// the problem's first character, however wide what comes before it is.
fn assert_marked_in_place(name: &str, e: &FileError) {
    let report = e.render(false);
    let rows: Vec<&str> = report.lines().collect();
    let Some(source) = rows
        .iter()
        .position(|r| r.starts_with(&format!(" {} │", e.line)))
    else {
        return;
    };
    let text = e.text.as_deref().expect("a source line has text");
    let line = text.lines().nth(e.line - 1).expect("the line");
    let problem: String = line.chars().skip(e.col - 1).take(e.len).collect();
    let problem = problem.trim_end();
    if problem.is_empty() || problem.chars().any(char::is_control) {
        return;
    }
    let under = rows[source + 1];
    let mark = width(&under[..under.find(['─', '┬']).expect("an underline")]);
    // The problem's text may also appear earlier in the line (a field's
    // name in a summary): one of its places must be the marked one.
    let places: Vec<usize> = rows[source]
        .match_indices(problem)
        .map(|(at, _)| width(&rows[source][..at]))
        .collect();
    assert!(
        places.is_empty() || places.contains(&mark),
        "{name}: the marker (column {mark}) is not under {problem:?} {places:?}\n{report}"
    );
}

fn check(dir: &str, kind: FileKind, parse: impl Fn(&str, &Path) -> Result<(), FileError>) -> usize {
    let all = files(dir);
    for file in &all {
        // Read the way `validate` and a start read, byte order mark and all.
        let text = read_source(file, kind).expect("readable");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// expect: "))
            .unwrap_or_else(|| panic!("{} lacks an expect line", file.display()));
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let shown = Path::new(dir).join(&name);
        let e = match parse(&text, &shown) {
            Ok(()) => panic!("{name} parsed; it should not"),
            Err(e) => e,
        };
        let one_line = e.headline();
        assert!(
            one_line.starts_with(expect),
            "{name}:\n  expected {expect}\n  got      {one_line}"
        );
        assert!(!e.hint.is_empty(), "{one_line}");
        assert_safe_and_narrow(&name, &e.render(false));
        assert_marked_in_place(&name, &e);
        let snapshot = format!("{dir}__{}", name.trim_end_matches(".ron"));
        insta::assert_snapshot!(snapshot.replace(['/', '-'], "_"), e.render(false));
    }
    all.len()
}

#[test]
fn every_broken_protocol_and_settings_file_reports_where_what_and_how_to_fix_it() {
    let protocols = check("tests/invalid", FileKind::Protocol, |text, path| {
        Protocol::parse(text, path).map(|_| ())
    });
    let settings = check("tests/invalid-config", FileKind::Settings, |text, path| {
        Config::parse(text, path).map(|_| ())
    });
    assert!(
        protocols + settings >= 25,
        "the corpus has {protocols} protocol and {settings} settings files"
    );
}

#[test]
fn a_misspelling_gets_a_did_you_mean() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid/misspelt-region.ron"),
    )
    .expect("readable");
    let e = Protocol::parse(&text, Path::new("x.ron")).expect_err("broken");
    assert_eq!(&*e.hint, "did you mean `Occiput`?");
    let e = Config::parse("Config(keys: (next: [\"PgDown\"]))", Path::new("c.ron"))
        .expect_err("broken");
    assert!(
        e.message.contains("did you mean \"PageDown\"?") || e.hint.contains("PageDown"),
        "{e}"
    );
}

/// What `validate` and a start say about the bytes of a file named `name`
/// in a studio's folder: read as they would be, then parsed.
fn report_on(name: &str, kind: FileKind, bytes: Vec<u8>) -> FileError {
    let path = Path::new("studio").join(name);
    let text = match decode(&path, kind, bytes) {
        Ok(text) => text,
        Err(e) => return e,
    };
    let parsed = match kind {
        FileKind::Protocol => Protocol::parse(&text, &path).map(|_| ()),
        FileKind::Settings => Config::parse(&text, &path).map(|_| ()),
    };
    parsed.expect_err("broken")
}

const SMALL: &str = "Protocol(
    version: 1,
    name: \"Café crânien\",
    summary: \"\",
    stepz: [],
)
";

#[test]
fn a_byte_order_mark_is_ignored_and_the_report_points_past_it() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(SMALL.as_bytes());
    let e = report_on("bom.ron", FileKind::Protocol, bytes);
    assert_eq!(
        e.headline(),
        "studio/bom.ron:5:5: unknown field `stepz` in `Protocol`"
    );
    assert_safe_and_narrow("bom", &e.render(false));
    insta::assert_snapshot!("encoding__bom", e.render(false));
    // A settings file with one parses as if it had none.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(b"Config(theme: Dim)");
    let text = decode(Path::new("c.ron"), FileKind::Settings, bytes).expect("text");
    assert!(Config::parse(&text, Path::new("c.ron")).is_ok());
}

#[test]
fn a_latin1_file_is_pointed_at_its_first_bad_byte_with_a_hint_to_save_utf8() {
    // "Café crânien" as Latin-1: é is the byte E9 alone.
    let bytes: Vec<u8> = SMALL
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    let e = report_on("latin1.ron", FileKind::Protocol, bytes);
    assert_eq!((e.line, e.col), (3, 15));
    assert!(e.message.contains("not UTF-8"), "{e}");
    assert!(e.hint.contains("save the file as UTF-8"), "{e}");
    assert!(!e.hint.contains("check the path"), "{e}");
    assert_safe_and_narrow("latin1", &e.render(false));
    insta::assert_snapshot!("encoding__latin1", e.render(false));
    // The same in the settings.
    let e = report_on(
        "config.ron",
        FileKind::Settings,
        b"Config(cue_device: \"Kopfh\xF6rer\")".to_vec(),
    );
    assert_eq!((e.line, e.col), (1, 26));
    assert!(e.hint.contains("UTF-8"), "{e}");
}

#[test]
fn utf16_binary_and_random_bytes_are_not_protocol_files() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(SMALL.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let e = report_on("utf16.ron", FileKind::Protocol, utf16);
    assert!(e.message.contains("UTF-16"), "{e}");
    insta::assert_snapshot!("encoding__utf16", e.render(false));

    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0".to_vec();
    elf.extend(std::iter::repeat_n(0x1B, 64));
    let e = report_on("program.ron", FileKind::Protocol, elf);
    assert_eq!(
        e.headline(),
        "studio/program.ron:1:1: this is not a protocol file: it holds binary data, not text"
    );
    assert_safe_and_narrow("binary", &e.render(false));
    insta::assert_snapshot!("encoding__binary", e.render(false));

    // Random bytes, from a fixed seed so the report is the same every run.
    let mut seed: u32 = 0x5EED;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        })
        .collect();
    for kind in [FileKind::Protocol, FileKind::Settings] {
        let e = report_on("noise.ron", kind, random.clone());
        assert!(
            e.message
                .starts_with(&format!("this is not a {}", kind.noun())),
            "{e}"
        );
        assert!(
            e.note
                .as_deref()
                .is_some_and(|n| n.starts_with("the file begins b\"")),
            "{e}"
        );
        assert_safe_and_narrow("random", &e.render(false));
    }
    let e = report_on("config.ron", FileKind::Settings, random);
    assert!(e.hint.contains("Config("), "a settings hint: {e}");
}

#[test]
fn a_huge_line_is_shown_cut_around_the_problem() {
    // 600 kB of name on one line, then a mistake at its end.
    let text = format!(
        "Protocol(version: 1, name: \"{}\", summary: \"\", steps: [], sondscape: \"surf\")",
        "x".repeat(600_000)
    );
    let e = report_on("huge.ron", FileKind::Protocol, text.into_bytes());
    assert_eq!((e.line, e.col), (1, 600_056));
    let report = e.render(false);
    assert!(report.len() < 2_000, "{} bytes", report.len());
    assert_safe_and_narrow("huge", &report);
    insta::assert_snapshot!("encoding__huge_line", report);
    // A huge value quoted in a message is cut too.
    let text = format!("Config(lead: \"{}\")", "ten seconds ".repeat(50_000));
    let e = report_on("config.ron", FileKind::Settings, text.into_bytes());
    assert!(e.message.len() < 300, "{}", e.message);
    assert_safe_and_narrow("huge value", &e.render(false));
}

#[test]
fn line_ten_thousand_lines_up_with_its_gutter() {
    let mut text = String::from("Protocol(version: 1, name: \"Long\", summary: \"\", steps: [\n");
    for _ in 0..9_998 {
        text.push_str("  // a note\n");
    }
    text.push_str(
        "  Hold(name: \"頭\", region: Toes, hands: \"h\", intent: \"i\", duration: \"2m\"),\n])\n",
    );
    let e = report_on("long.ron", FileKind::Protocol, text.into_bytes());
    assert_eq!(e.line, 10_000);
    let report = e.render(false);
    insta::assert_snapshot!("encoding__line_10000", report);
    // Every row's bar is in the same column.
    let bars: Vec<usize> = report
        .lines()
        .skip(2)
        .filter_map(|l| l.find(['│', '╯']).map(|i| width(&l[..i])))
        .collect();
    assert!(bars.iter().all(|&b| b == 7), "{bars:?}\n{report}");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_refused_at_once_and_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.ron");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let e = read_source(&fifo, FileKind::Protocol).expect_err("a FIFO");
    assert!(
        e.message
            .contains("a FIFO (named pipe), not a regular file"),
        "{e}"
    );
    let zero = dir.path().join("zero.ron");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let e = read_source(&zero, FileKind::Protocol).expect_err("a device");
    assert!(e.message.contains("it is a device"), "{e}");
    let e = read_source(&dir.path().join("nothing.ron"), FileKind::Protocol).expect_err("missing");
    assert!(e.message.contains("no such file"), "{e}");
    assert_safe_and_narrow("fifo", &e.render(false));
    // The settings say the same, where a missing file means the defaults.
    let e = stillpoint::settings::load(Some(&fifo)).expect_err("a FIFO");
    assert!(e.message.contains("FIFO"), "{e}");
    assert!(stillpoint::settings::load(Some(&dir.path().join("none.ron"))).is_ok());
}

#[test]
fn a_zero_lead_in_the_settings_is_about_the_cue_not_a_step() {
    let e = Config::parse("Config(lead: \"0s\")", Path::new("c.ron")).expect_err("too short");
    assert!(e.message.contains("cue lead"), "{e}");
    assert!(!e.to_string().contains("a step lasts"), "{e}");
    let e = Config::parse("Config(reminder: \"0s\")", Path::new("c.ron")).expect_err("too short");
    assert!(e.message.contains("reminder"), "{e}");
    // In a protocol, a zero step is still about the step.
    let e = Protocol::parse(
        "Protocol(version: 1, name: \"x\", summary: \"\", steps: [Transition(name: \"m\", duration: \"0s\")])",
        Path::new("p.ron"),
    )
    .expect_err("too short");
    assert!(e.hint.contains("a step lasts at least one second"), "{e}");
    // Settings errors never send the reader to protocols.
    for text in [
        "Config(volume: \"4\")",
        "Config(keys: (next: \"F5\"))",
        "Config(theme: 4)",
    ] {
        let e = Config::parse(text, Path::new("c.ron")).expect_err("broken");
        assert!(
            !e.hint.contains("protocol") && !e.hint.contains("version"),
            "{text}: {e}"
        );
    }
    assert!(
        Config::parse(
            "Config(lead: \"15s\", reminder: \"2m\")",
            Path::new("c.ron")
        )
        .is_ok()
    );
}

mod picker {
    //! The picker lists files that cannot be used, greyed, with why — and
    //! never starts one; a valid one starts as a session or a practice.

    use std::collections::VecDeque;
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use stillpoint::protocol::Protocol;
    use stillpoint::protocol::catalog::{BUNDLED, Found, Origin};
    use stillpoint::tui::events::{Events, Wake};
    use stillpoint::tui::picker::{Picker, PickerScreen, Start, run};
    use stillpoint::tui::theme::Theme;

    fn found(stem: &str, protocol: Result<Protocol, stillpoint::protocol::ProtocolError>) -> Found {
        Found {
            stem: stem.into(),
            origin: Origin::File(PathBuf::from(format!("/studio/sessions/{stem}.ron"))),
            protocol: protocol.map(Into::into),
            shadows: Vec::new(),
        }
    }

    /// A studio folder: two valid protocols around three that cannot be
    /// used (a mistake, a JSON file, a file that went away).
    fn catalog() -> Vec<Found> {
        let path = |stem: &str| PathBuf::from(format!("/studio/sessions/{stem}.ron"));
        vec![
            found(
                "still-point-10",
                Protocol::parse(BUNDLED[2].1, &path("still-point-10")),
            ),
            found(
                "broken",
                Protocol::parse(
                    "Protocol(version: 1, name: \"Broken\", summary: \"\", steps: [\n  \
                     Hold(name: \"a\", region: Toes, hands: \"h\", intent: \"i\", duration: \"1m\"),\n])",
                    &path("broken"),
                ),
            ),
            found(
                "export",
                Protocol::parse("{\"name\": \"x\"}", &path("export")),
            ),
            found(
                "gone",
                Protocol::read(Path::new("/studio/sessions/gone.ron")),
            ),
            found(
                "trainee-drill",
                Protocol::parse(BUNDLED[3].1, &path("trainee-drill")),
            ),
        ]
    }

    fn screen(
        found: &[Found],
        selected: usize,
        first: Start,
        w: u16,
        h: u16,
    ) -> Terminal<TestBackend> {
        let choices: Vec<&Found> = found.iter().collect();
        let picker = Picker {
            choices: &choices,
            selected,
            theme: Theme::dim(),
        };
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| {
            f.render_widget(
                PickerScreen {
                    picker: &picker,
                    first,
                },
                f.area(),
            )
        })
        .expect("draw");
        t
    }

    #[test]
    fn invalid_files_are_listed_greyed_with_a_reason() {
        let found = catalog();
        for (w, h) in [(80, 24), (120, 40)] {
            // The broken file highlighted: the detail says what is wrong.
            let t = screen(&found, 1, Start::Run, w, h);
            insta::assert_snapshot!(format!("picker_invalid_{w}x{h}"), t.backend());
            let dim = Theme::dim();
            let buf = t.backend().buffer();
            // Row 4 is the JSON file: greyed like the muted text, not like a choice.
            assert_eq!(buf[(2, 4)].fg, dim.muted.fg.unwrap_or_default());
            assert_ne!(buf[(2, 4)].fg, dim.text.fg.unwrap_or_default());
        }
        // A valid one highlighted, opened as `stillpoint practice`.
        let t = screen(&found, 4, Start::Practice, 80, 24);
        insta::assert_snapshot!("picker_practice_first_80x24", t.backend());
    }

    /// Key presses, then the terminal going away.
    struct Keys(VecDeque<KeyCode>);

    impl Events for Keys {
        fn next(&mut self, _timeout: Duration) -> io::Result<Wake> {
            Ok(match self.0.pop_front() {
                Some(code) => Wake::Key(KeyEvent::new(code, KeyModifiers::NONE)),
                None => Wake::Gone,
            })
        }
    }

    fn choose(first: Start, keys: &[KeyCode]) -> Option<(usize, Start)> {
        let found = catalog();
        let choices: Vec<&Found> = found.iter().collect();
        let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        let mut events = Keys(keys.iter().copied().collect());
        run(
            &mut t,
            &choices,
            first,
            &mut events,
            &AtomicBool::new(false),
            Theme::dim(),
        )
        .expect("runs")
    }

    #[test]
    fn enter_runs_p_practises_and_an_invalid_file_is_never_started() {
        use KeyCode::{Char, Down, Enter};
        assert_eq!(choose(Start::Run, &[Enter]), Some((0, Start::Run)));
        assert_eq!(choose(Start::Run, &[Char('p')]), Some((0, Start::Practice)));
        assert_eq!(
            choose(Start::Practice, &[Enter]),
            Some((0, Start::Practice))
        );
        assert_eq!(choose(Start::Practice, &[Char('r')]), Some((0, Start::Run)));
        // Enter, p and r on the broken files do nothing; the next valid one starts.
        let on_broken = [
            Down,
            Enter,
            Char('p'),
            Down,
            Enter,
            Down,
            Char('r'),
            Down,
            Char('p'),
        ];
        assert_eq!(choose(Start::Run, &on_broken), Some((4, Start::Practice)));
        assert_eq!(
            choose(Start::Run, &[Down, Enter]),
            None,
            "left on the broken one"
        );
    }
}
