//! Text as the screen and the command line show it: durations as clock
//! times, and strings measured, cut, padded and wrapped by **display width**
//! — the columns a terminal gives them — never by `char`s. CJK characters
//! and most emoji take two columns, a combining accent none, and a flag or a
//! family emoji is one cluster of several `char`s that must never be split.
//!
//! Text that came from a file or a person goes through [`sanitize`] (or
//! [`sanitize_line`] for a one-line field) before it reaches the terminal:
//! a protocol name must not be able to retitle the window, clear the screen
//! or reorder what follows it.
//!
//! How to use it at a call site:
//! - a table column: `text::fit(&text::sanitize_line(name), 24)` (cut with
//!   `…` and padded to exactly 24 columns); right-aligned numbers:
//!   `text::pad_left(&total, 8)`;
//! - a panel: `text::wrap(&text::sanitize(hands), inner_width)`, or
//!   [`wrap_clamped`] when only so many rows are free;
//! - measuring: `text::width(s)` where code used `s.chars().count()`.
//!
//! Widths follow `unicode-width` per grapheme cluster, the measure ratatui's
//! buffer lays text out by, so what these functions compute is what a
//! `Paragraph` or a `Span` draws.

use std::borrow::Cow;
use std::time::Duration;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Formats a duration as `m:ss` or `h:mm:ss`.
pub fn clock_text(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The mark left where text was cut.
pub const ELLIPSIS: char = '…';

/// The columns one grapheme cluster takes. A cluster holding a control
/// character draws nothing (ratatui skips it), so it counts as none.
fn cluster_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        0
    } else {
        g.width()
    }
}

/// How many terminal columns `s` takes: CJK and emoji count two, combining
/// marks and zero-width characters none. Control characters count none, as
/// they draw nothing; text from a file should be [`sanitize`]d first anyway.
pub fn width(s: &str) -> usize {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_control()) {
        return s.len();
    }
    s.graphemes(true).map(cluster_width).sum()
}

/// Cuts `s` to at most `width` columns, ending it with `…` when anything was
/// cut. Never splits a grapheme cluster (an accented letter, a flag, a ZWJ
/// emoji); a wide character that would straddle the edge is left out, so
/// the result may be one column narrower than `width` — [`fit`] pads it.
pub fn truncate(s: &str, width: usize) -> String {
    if self::width(s) <= width {
        s.to_owned()
    } else {
        cut(s, width)
    }
}

/// `s` with an ellipsis, within `width` columns, whether or not it fitted.
fn cut(s: &str, width: usize) -> String {
    let Some(room) = width.checked_sub(1) else {
        return String::new();
    };
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = cluster_width(g);
        if used + w > room {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push(ELLIPSIS);
    out
}

/// `s` followed by spaces up to `width` columns (like `{:<width$}`, but by
/// display width). Text already wider is returned whole: use [`fit`] for a
/// fixed column.
pub fn pad(s: &str, width: usize) -> String {
    let gap = width.saturating_sub(self::width(s));
    let mut out = String::with_capacity(s.len() + gap);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', gap));
    out
}

/// Spaces then `s`, up to `width` columns: right-aligned (like
/// `{:>width$}`, but by display width). Text already wider is returned
/// whole.
pub fn pad_left(s: &str, width: usize) -> String {
    let gap = width.saturating_sub(self::width(s));
    let mut out = String::with_capacity(s.len() + gap);
    out.extend(std::iter::repeat_n(' ', gap));
    out.push_str(s);
    out
}

/// Exactly `width` columns: `s` cut with `…` if too wide (see
/// [`truncate`]), padded with spaces if too narrow. The one call for a
/// left-aligned table column.
pub fn fit(s: &str, width: usize) -> String {
    pad(&truncate(s, width), width)
}

/// Whether a whitespace character is a place a line may break (a no-break
/// space is not).
fn breaks(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}')
}

/// Wraps `s` into lines of at most `width` columns: at spaces where it can,
/// and inside a word (between grapheme clusters) when the word alone is
/// wider than a line — which is how CJK text, written without spaces,
/// wraps. Line breaks in `s` are kept (an empty line stays an empty line);
/// runs of spaces become one; no line has leading or trailing spaces. A
/// single cluster wider than `width` (an emoji in one column) gets a line
/// of its own. `width` 0 leaves no room for anything: no lines.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    if width == 0 {
        return lines;
    }
    for paragraph in s.lines() {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split(breaks).filter(|w| !w.is_empty()) {
            let w = self::width(word);
            if used > 0 && used + 1 + w <= width {
                line.push(' ');
                line.push_str(word);
                used += 1 + w;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if w <= width {
                line.push_str(word);
                used = w;
                continue;
            }
            for g in word.graphemes(true) {
                let gw = cluster_width(g);
                if used > 0 && used + gw > width {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push_str(g);
                used += gw;
            }
        }
        lines.push(line);
    }
    lines
}

/// [`wrap`], kept to at most `max_lines`: when the text needs more, the last
/// line kept ends with `…`, so a reader knows there is more. For a panel
/// with a fixed number of rows.
pub fn wrap_clamped(s: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(s, width);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = if self::width(last) < width {
                format!("{last}{ELLIPSIS}")
            } else {
                cut(last, width)
            };
        }
    }
    lines
}

/// Whether `c` is a bidirectional embedding, override or isolate control:
/// invisible characters that reorder the text around them (and can make a
/// line read as something other than what it holds).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What stands in for a control character or an escape sequence.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Text from a file or a person, made safe to print on a terminal, keeping
/// its lines: escape sequences (CSI `ESC [`…, OSC `ESC ]`…BEL/ST, DCS and
/// the like, and their one-byte C1 forms) become one `�` each, as does any
/// other C0 or C1 control character; bidi overrides and isolates are
/// dropped; a tab becomes a space; `\r\n`, a lone `\r` and the Unicode line
/// and paragraph separators become `\n`. Everything else — CJK, emoji,
/// combining marks, right-to-left letters — is kept as it is.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    clean(s, '\n')
}

/// [`sanitize`] for a one-line field (a name, a table cell, a message):
/// every line break becomes a space too.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    clean(s, ' ')
}

/// Whether `c` has to be replaced or dropped before printing.
fn unsafe_char(c: char, newline: char) -> bool {
    (c.is_control() && !(c == '\n' && newline == '\n'))
        || is_bidi_control(c)
        || matches!(c, '\u{2028}' | '\u{2029}')
}

fn clean(s: &str, newline: char) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c, newline)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(newline),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push(newline);
                }
            }
            '\t' => out.push(' '),
            '\u{1B}' => {
                skip_escape(&mut chars);
                out.push(REPLACEMENT);
            }
            '\u{9B}' => {
                skip_csi(&mut chars);
                out.push(REPLACEMENT);
            }
            '\u{90}' | '\u{98}' | '\u{9D}' | '\u{9E}' | '\u{9F}' => {
                skip_string(&mut chars);
                out.push(REPLACEMENT);
            }
            c if is_bidi_control(c) => {}
            c if c.is_control() => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC the way a terminal would read it, so none of a
/// sequence's payload (a window title, say) is shown as text.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        Some(' '..='/') => {
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
        Some('0'..='~') => {
            chars.next();
        }
        _ => {}
    }
}

/// Skips a control sequence's parameters and its final byte.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars.next_if(|c| matches!(c, ' '..='?')).is_some() {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// Skips an OSC, DCS, SOS, PM or APC payload up to its terminator (BEL or
/// ST), stopping at a line break so a runaway one cannot swallow a file.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{7}' | '\u{9C}' => {
                chars.next();
                return;
            }
            '\u{1B}' => {
                chars.next();
                chars.next_if_eq(&'\\');
                return;
            }
            '\n' | '\r' => return,
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_columns_not_chars() {
        assert_eq!(width("Occiput"), 7);
        assert_eq!(width("頭蓋骨"), 6);
        assert_eq!(width("e\u{301}"), 1, "a combining accent takes no column");
        assert_eq!(
            width("👨\u{200D}👩\u{200D}👧"),
            2,
            "a ZWJ family is one emoji"
        );
        assert_eq!(width("🇯🇵"), 2);
        assert_eq!(width("שלום"), 4);
        assert_eq!(width("a\u{1B}b"), 2, "a control character draws nothing");
        assert_eq!(width(""), 0);
    }

    #[test]
    fn truncate_cuts_by_width_with_an_ellipsis() {
        assert_eq!(truncate("Occiput", 7), "Occiput");
        assert_eq!(truncate("Occiput", 5), "Occi…");
        assert_eq!(truncate("頭蓋骨の保持", 12), "頭蓋骨の保持");
        assert_eq!(truncate("頭蓋骨の保持", 7), "頭蓋骨…");
        // A wide character that would straddle the edge is left out.
        assert_eq!(truncate("頭蓋骨の保持", 6), "頭蓋…");
        assert_eq!(width(&truncate("頭蓋骨の保持", 6)), 5);
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn truncate_never_splits_a_cluster() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let s = format!("ab{family}cd");
        assert_eq!(truncate(&s, 4), "ab…");
        assert_eq!(truncate(&s, 5), format!("ab{family}…"));
        let accented = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(truncate(accented, 2), "e\u{301}…");
        assert_eq!(truncate("🇯🇵🇫🇷🇩🇪", 5), "🇯🇵🇫🇷…");
    }

    #[test]
    fn pad_and_fit_make_columns_by_width() {
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("頭蓋", 6), "頭蓋  ");
        assert_eq!(pad("abcdef", 3), "abcdef");
        assert_eq!(pad_left("9:50", 8), "    9:50");
        assert_eq!(pad_left("頭", 4), "  頭");
        assert_eq!(fit("頭蓋骨の保持", 6), "頭蓋… ");
        assert_eq!(width(&fit("頭蓋骨の保持", 6)), 6);
        assert_eq!(fit("ab", 0), "");
        for w in 0..12 {
            assert_eq!(width(&fit("頭蓋骨 and 🇯🇵 e\u{301}", w)), w, "{w}");
        }
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words_by_width() {
        assert_eq!(
            wrap("Cup both heels gently.", 10),
            ["Cup both", "heels", "gently."]
        );
        assert_eq!(
            wrap("頭蓋骨に両手を置く", 8),
            ["頭蓋骨に", "両手を置", "く"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one\n\ntwo", 10), ["one", "", "two"]);
        assert_eq!(wrap("  spaced   out  ", 20), ["spaced out"]);
        assert_eq!(wrap("no\u{A0}break here", 8), ["no\u{A0}break", "here"]);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(wrap("abc", 0), Vec::<String>::new());
        // A cluster wider than the line still gets a line of its own.
        assert_eq!(wrap("頭x", 1), ["頭", "x"]);
    }

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        let text = "頭蓋骨 👨\u{200D}👩\u{200D}👧 family e\u{301}te\u{301} שלום עולם \
                    Cup both heels and wait for the rhythm to settle 🇯🇵🇫🇷";
        for w in 2..30 {
            for line in wrap(text, w) {
                assert!(width(&line) <= w, "{line:?} at {w}");
            }
        }
    }

    #[test]
    fn wrap_clamped_marks_what_was_left_out() {
        let lines = wrap_clamped("one two three four five", 9, 2);
        assert_eq!(lines, ["one two", "three…"]);
        let lines = wrap_clamped("abcdefghijkl", 4, 2);
        assert_eq!(lines, ["abcd", "efg…"]);
        assert_eq!(wrap_clamped("short", 9, 2), ["short"]);
        assert!(wrap_clamped("a b", 1, 0).is_empty());
    }

    #[test]
    fn sanitize_neutralises_escapes_and_keeps_real_text() {
        assert!(matches!(sanitize("頭蓋骨 👍🏽 e\u{301}"), Cow::Borrowed(_)));
        assert_eq!(sanitize("a\u{1B}]0;pwned\u{7}b"), "a\u{FFFD}b");
        assert_eq!(sanitize("a\u{1B}]0;pwned\u{1B}\\b"), "a\u{FFFD}b");
        assert_eq!(sanitize("\u{1B}[2Jclear"), "\u{FFFD}clear");
        assert_eq!(sanitize("\u{1B}[1;31mred\u{1B}[0m"), "\u{FFFD}red\u{FFFD}");
        assert_eq!(sanitize("x\u{9B}2Jy"), "x\u{FFFD}y");
        assert_eq!(sanitize("x\u{9D}0;t\u{9C}y"), "x\u{FFFD}y");
        assert_eq!(sanitize("bell\u{7}nul\u{0}del\u{7F}"), "bell�nul�del�");
        assert_eq!(
            sanitize("a\u{1B}cb"),
            "a\u{FFFD}b",
            "ESC c resets a terminal"
        );
        assert_eq!(sanitize("a\u{1B}(Bb"), "a\u{FFFD}b");
        assert_eq!(sanitize("abc\u{202E}fed"), "abcfed");
        assert_eq!(sanitize("\u{2067}שלום\u{2069}"), "שלום");
        assert_eq!(sanitize("a\tb\r\nc\rd\u{2028}e"), "a b\nc\nd\ne");
        // An unterminated title stops at the line's end.
        assert_eq!(sanitize("\u{1B}]0;title\nnext"), "\u{FFFD}\nnext");
    }

    #[test]
    fn sanitize_line_keeps_one_line() {
        assert_eq!(sanitize_line("one\ntwo\r\nthree"), "one two three");
        assert_eq!(sanitize_line("plain"), "plain");
        assert!(!sanitize_line("a\u{85}b\u{2029}c").contains(['\n', '\u{85}']));
    }
}
