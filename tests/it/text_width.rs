//! Text by display width, on a corpus of what studios write in their own
//! languages: CJK, emoji (ZWJ sequences, skin tones, flags), combining
//! marks, right-to-left scripts, 200-character names — and text carrying
//! terminal escapes, which must never reach the terminal. The helpers'
//! promises are checked on every entry at every width; the picker and
//! `list` are checked to keep their columns with such names.

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use stillpoint::protocol::Protocol;
use stillpoint::protocol::catalog::{Found, Origin};
use stillpoint::text::{
    ELLIPSIS, fit, pad, pad_left, sanitize, sanitize_line, truncate, width, wrap, wrap_clamped,
};
use stillpoint::tui::picker::{Picker, PickerScreen, Start};
use stillpoint::tui::theme::Theme;
use unicode_segmentation::UnicodeSegmentation;

/// Each entry: what it is, and the text.
fn corpus() -> Vec<(&'static str, String)> {
    vec![
        ("ascii", "Occipital base release".into()),
        ("japanese", "頭蓋骨の保持と後頭骨の解放".into()),
        ("chinese", "颅骶疗法：枕骨底释放".into()),
        ("korean", "두개천골 요법 후두골 이완".into()),
        ("fullwidth", "ＣＳＴ　ホールド".into()),
        (
            "emoji zwj",
            "Family hold 👨\u{200D}👩\u{200D}👧\u{200D}👦 then 🧘\u{200D}♀\u{FE0F}".into(),
        ),
        ("skin tone", "Hands 👍🏽 steady 👋🏿".into()),
        ("flags", "Studio 🇯🇵🇫🇷🇩🇪 tour".into()),
        (
            "combining",
            "Cafe\u{301} cra\u{302}nien, Ha\u{308}nde, a\u{323}\u{302}".into(),
        ),
        ("hebrew", "שחרור בסיס העורף".into()),
        ("arabic", "تحرير قاعدة الجمجمة".into()),
        ("mixed rtl", "Hold שלום then السلام done".into()),
        ("long latin", "Very long name ".repeat(14).trim_end().into()),
        ("long cjk", "頭蓋仙骨".repeat(50)),
        (
            "title escape",
            "\u{1B}]0;pwned\u{7}Title\u{1B}[2J clear\u{1B}[1;31m red".into(),
        ),
        ("bidi override", "abc\u{202E}fed\u{2066}x\u{2069}".into()),
        ("c1 controls", "x\u{9B}31my\u{9D}2;t\u{9C}z\u{85}w".into()),
        (
            "c0 controls",
            "bell\u{7} nul\u{0} del\u{7F} tab\tcr\r".into(),
        ),
        ("newlines", "one\ntwo\r\nthree\u{2028}four".into()),
    ]
}

#[test]
fn the_corpus_has_the_200_character_names_it_promises() {
    let c = corpus();
    let long = |n| {
        c.iter()
            .find(|(k, _)| *k == n)
            .map(|(_, s)| s.chars().count())
    };
    assert!(long("long latin") >= Some(200));
    assert_eq!(long("long cjk"), Some(200));
}

#[test]
fn sanitized_text_has_nothing_a_terminal_would_act_on() {
    for (kind, text) in corpus() {
        let multi = sanitize(&text);
        let single = sanitize_line(&text);
        for (shown, newline_ok) in [(&*multi, true), (&*single, false)] {
            for c in shown.chars() {
                assert!(
                    !(c.is_control() && !(newline_ok && c == '\n')),
                    "{kind}: {c:?} left in {shown:?}"
                );
                assert!(!stillpoint::text::is_bidi_control(c), "{kind}: {c:?} left");
                assert!(!matches!(c, '\u{2028}' | '\u{2029}'), "{kind}: {c:?} left");
            }
        }
        assert_eq!(
            sanitize(&multi),
            multi,
            "{kind}: sanitizing twice changes it"
        );
        assert_eq!(sanitize_line(&single), single, "{kind}");
    }
    // What a person wrote is kept as written.
    for (kind, text) in corpus().into_iter().take(13) {
        assert_eq!(sanitize(&text), text, "{kind}");
        assert_eq!(sanitize_line(&text), text, "{kind}");
    }
    // An OSC's payload is not shown as text.
    assert_eq!(
        sanitize_line(&corpus()[14].1),
        "\u{FFFD}Title\u{FFFD} clear\u{FFFD} red"
    );
}

/// The grapheme clusters of `s`.
fn clusters(s: &str) -> Vec<&str> {
    s.graphemes(true).collect()
}

#[test]
fn truncate_fits_the_width_and_keeps_whole_clusters() {
    for (kind, text) in corpus() {
        let text = sanitize_line(&text);
        for w in 0..=64 {
            let cut = truncate(&text, w);
            assert!(width(&cut) <= w, "{kind} at {w}: {cut:?}");
            if width(&text) <= w {
                assert_eq!(cut, *text, "{kind} at {w}: cut though it fits");
                continue;
            }
            if w > 0 {
                assert!(cut.ends_with(ELLIPSIS), "{kind} at {w}: {cut:?}");
                // At most one column is lost to a wide character at the edge.
                assert!(width(&cut) + 1 >= w, "{kind} at {w}: {cut:?}");
            }
            let kept = cut.strip_suffix(ELLIPSIS).unwrap_or(&cut);
            let whole = clusters(&text);
            assert_eq!(
                clusters(kept),
                whole[..clusters(kept).len()],
                "{kind} at {w}: a cluster was split"
            );
        }
    }
}

#[test]
fn pad_and_fit_make_exact_columns() {
    for (kind, text) in corpus() {
        let text = sanitize_line(&text);
        for w in 0..=64 {
            assert_eq!(width(&fit(&text, w)), w, "{kind} at {w}");
            assert_eq!(width(&pad(&text, w)), w.max(width(&text)), "{kind} at {w}");
            assert_eq!(
                width(&pad_left(&text, w)),
                w.max(width(&text)),
                "{kind} at {w}"
            );
            assert!(pad_left(&text, w).ends_with(&*text));
        }
    }
}

#[test]
fn wrap_fits_the_width_and_loses_no_word() {
    for (kind, text) in corpus() {
        let text = sanitize(&text);
        let words: String = text.split_whitespace().collect();
        for w in 2..=64 {
            let lines = wrap(&text, w);
            for line in &lines {
                assert!(width(line) <= w, "{kind} at {w}: {line:?}");
                assert_eq!(line.trim(), line, "{kind} at {w}: spaces at an edge");
            }
            let again: String = lines.iter().flat_map(|l| l.split_whitespace()).collect();
            assert_eq!(again, words, "{kind} at {w}: text lost");
            for n in 0..4 {
                let clamped = wrap_clamped(&text, w, n);
                assert!(clamped.len() <= n);
                assert!(clamped.iter().all(|l| width(l) <= w), "{kind} at {w}");
                if lines.len() > n && n > 0 {
                    assert!(clamped[n - 1].ends_with(ELLIPSIS), "{kind} at {w}, {n}");
                }
            }
        }
    }
}

#[test]
fn known_widths() {
    assert_eq!(width("頭蓋骨の保持と後頭骨の解放"), 26);
    assert_eq!(width("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 2);
    assert_eq!(width("🇯🇵🇫🇷🇩🇪"), 6);
    assert_eq!(width("Cafe\u{301}"), 4);
    assert_eq!(width("שחרור"), 5);
    assert_eq!(truncate("頭蓋骨の保持と後頭骨の解放", 10), "頭蓋骨の…");
    assert_eq!(fit("頭蓋骨の保持と後頭骨の解放", 10), "頭蓋骨の… ");
}

const STUDIO: &str = r#"Protocol(version: 1, name: "{NAME}", summary: "{SUMMARY}", author: "{AUTHOR}",
  steps: [Hold(name: "頭", region: Occiput, hands: "h", intent: "i", duration: "{TIME}")])"#;

/// A protocol found in a studio folder, as the catalog would hold it.
fn studio(stem: &str, name: &str, summary: &str, author: &str, time: &str) -> Found {
    let text = STUDIO
        .replace("{NAME}", name)
        .replace("{SUMMARY}", summary)
        .replace("{AUTHOR}", author)
        .replace("{TIME}", time);
    let path = PathBuf::from("/studio/sessions").join(format!("{stem}.ron"));
    Found {
        stem: stem.into(),
        protocol: Protocol::parse(&text, &path).map(Into::into),
        origin: Origin::File(path),
        shadows: Vec::new(),
    }
}

fn studios() -> Vec<Found> {
    vec![
        studio(
            "ascii",
            "Occipital base release",
            "Plain.",
            "Studio Nord",
            "5m",
        ),
        studio(
            "kyoto",
            "頭蓋骨の保持と後頭骨の解放",
            "後頭骨の下に指先を置き、静かに待つ。呼吸が深くなるまで続ける。",
            "京都スタジオ",
            "10m",
        ),
        studio(
            "family",
            "Family hold 👨\u{200D}👩\u{200D}👧\u{200D}👦 🇯🇵",
            "Emoji in the name.",
            "x",
            "1h",
        ),
        studio(
            "cafe",
            "Cafe\u{301} cra\u{302}nien",
            "Combining marks.",
            "x",
            "90s",
        ),
        studio("tel-aviv", "שחרור בסיס העורף", "עברית", "x", "3m"),
        studio(
            "evil",
            "\u{1B}]0;pwned\u{7}\u{1B}[2JTitle",
            "\u{1B}[31mred",
            "\u{1B}c",
            "2m",
        ),
        studio("long", &"頭蓋仙骨".repeat(50), "Long.", "x", "4m"),
    ]
}

/// Renders the picker over `found` with row `selected` highlighted.
fn picker_screen(found: &[Found], selected: usize, w: u16, h: u16) -> Terminal<TestBackend> {
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
                first: Start::Run,
            },
            f.area(),
        );
    })
    .expect("draw");
    t
}

/// The rows of a rendered screen as text (wide characters once, as a
/// terminal shows them).
fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
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
fn the_picker_keeps_its_columns_with_wide_names() {
    let found = studios();
    for (w, h) in [(80, 24), (120, 40)] {
        let t = picker_screen(&found, 1, w, h);
        let rows = rows(&t);
        // Every time ends in the same column, whatever came before it.
        let ends: Vec<usize> = found
            .iter()
            .zip(&rows[2..])
            .map(|(f, row)| {
                let time = stillpoint::text::clock_text(
                    f.protocol.as_ref().expect("valid").planned_total(),
                );
                let at = row.find(&format!("{time}  /studio")).expect("a time");
                width(&row[..at]) + width(&time)
            })
            .collect();
        assert!(ends.windows(2).all(|p| p[0] == p[1]), "{ends:?}\n{rows:#?}");
        for row in &rows {
            assert!(!row.contains('\u{1B}'), "{row}");
        }
        insta::assert_snapshot!(format!("picker_wide_names_{w}x{h}"), t.backend());
    }
}

#[test]
fn a_japanese_protocol_saved_with_a_byte_order_mark_validates() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid/japanese-with-bom.ron");
    assert!(
        std::fs::read(&path)
            .expect("read")
            .starts_with(b"\xEF\xBB\xBF")
    );
    let p = Protocol::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name.as_str(), "頭蓋仙骨療法 🧘\u{200D}♀\u{FE0F} 十分");
    assert_eq!(p.steps.len(), 3);
    // And a mistake in it is found where an editor shows it.
    let text = std::fs::read_to_string(&path)
        .expect("read")
        .replace("region: Occiput", "region: Occipt");
    let e = Protocol::parse(&text, &path).expect_err("misspelt");
    assert_eq!((e.line, e.col), (19, 21), "{e}");
    assert_eq!(&*e.hint, "did you mean `Occiput`?");
}
