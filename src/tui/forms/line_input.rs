//! A one-line text editor: the forms' text fields and the dashboard's note
//! line. Editing keys act on it; anything else is left to the caller.
//!
//! The cursor moves, and Backspace and Delete remove, a grapheme cluster
//! at a time — an accented letter, a flag or a family emoji is one thing
//! on screen, so it is one step of the cursor — and the field is laid out
//! by display width (see [`crate::text`]), so CJK text scrolls and is cut
//! at the right column.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_segmentation::UnicodeSegmentation;

use crate::text;

/// A one-line text field: text, a cursor between its grapheme clusters, a
/// maximum length in characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// A byte offset into `text`, always at a cluster boundary.
    cursor: usize,
    max: usize,
}

impl LineInput {
    /// An empty field that takes up to `max` characters.
    pub fn new(max: usize) -> LineInput {
        LineInput {
            text: String::new(),
            cursor: 0,
            max,
        }
    }

    /// A field holding `text` (cut to `max` characters, control characters
    /// dropped), the cursor at its end.
    pub fn with_text(text: &str, max: usize) -> LineInput {
        let mut input = LineInput::new(max);
        input.insert_str(text);
        input
    }

    /// The text as typed (not trimmed).
    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// The cursor's place, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    /// True when nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Empties the field.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// How many characters it holds.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// The most characters it takes.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Inserts `s` at the cursor (e.g. pasted text): line breaks and tabs
    /// become spaces, other control characters and bidi overrides are
    /// dropped (what is typed goes into a record that other screens print),
    /// and whatever would pass the maximum is left out. Returns how many
    /// characters were left out for want of room, so the caller can say so.
    pub fn insert_str(&mut self, s: &str) -> usize {
        let mut room = self.max.saturating_sub(self.len());
        let mut left_out = 0;
        for c in s.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            };
            if c.is_control() || text::is_bidi_control(c) {
                continue;
            }
            if room == 0 {
                left_out += 1;
                continue;
            }
            self.insert(c);
            room -= 1;
        }
        left_out
    }

    fn insert(&mut self, c: char) {
        if c.is_control() || text::is_bidi_control(c) || self.text.chars().count() >= self.max {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        // A combining mark joins the cluster before it, and a letter typed
        // before a combining mark joins it: keep the cursor between
        // clusters either way.
        self.cursor = self.cluster_end(self.cursor);
    }

    /// The boundary at or after byte `at` that ends a cluster.
    fn cluster_end(&self, at: usize) -> usize {
        self.text
            .grapheme_indices(true)
            .map(|(i, g)| i + g.len())
            .find(|end| *end >= at)
            .unwrap_or(0)
    }

    /// Where the cluster before the cursor starts.
    fn previous(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    /// Where the cluster after the cursor ends.
    fn next(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(self.cursor, |g| self.cursor + g.len())
    }

    /// Edits the text: printable characters insert, Backspace and Delete
    /// remove, ←/→/Home/End move the cursor, Ctrl-U clears the line.
    /// Returns false for any other key (Enter, Esc, Tab, ↑/↓, Ctrl- and
    /// Alt- chords…), which the caller handles.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let chord = key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('u' | 'U') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.clear();
            }
            KeyCode::Char(_) if chord => return false,
            KeyCode::Char(c) => self.insert(c),
            KeyCode::Backspace => {
                let from = self.previous();
                self.text.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            KeyCode::Delete => {
                let to = self.next();
                self.text.replace_range(self.cursor..to, "");
            }
            KeyCode::Left => self.cursor = self.previous(),
            KeyCode::Right => self.cursor = self.next(),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            _ => return false,
        }
        true
    }

    /// The field as spans at most `width` columns wide. When `focused`, the
    /// cursor shows as a reversed cell (never blinking) and the text scrolls
    /// to keep it in view; `…` marks text cut off at either end.
    pub fn spans(&self, width: usize, focused: bool, style: Style) -> Vec<Span<'static>> {
        if width == 0 {
            return Vec::new();
        }
        // The clusters, each with its width; the cursor is before `at`.
        let clusters: Vec<(&str, usize)> = self
            .text
            .graphemes(true)
            .map(|g| (g, text::width(g)))
            .collect();
        let at = self.text[..self.cursor].graphemes(true).count();
        let cursor_cell = if focused {
            clusters.get(at).map_or(1, |(_, w)| (*w).max(1))
        } else {
            0
        };
        let start = if focused {
            first_shown(&clusters, at, width, cursor_cell)
        } else {
            0
        };
        let mut spans = Vec::new();
        let mut used = 0;
        if start > 0 {
            spans.push(Span::styled("…", style));
            used += 1;
        }
        let end = if focused { at } else { clusters.len() };
        let (before, mut i) = take(&clusters, start, end, width, &mut used);
        let cut = i < end;
        spans.push(Span::styled(before, style));
        if focused && used + cursor_cell <= width {
            let under = clusters.get(at).map_or(" ", |(g, _)| g);
            spans.push(Span::styled(
                under.to_owned(),
                style.add_modifier(Modifier::REVERSED),
            ));
            used += cursor_cell;
            i = at + 1;
        }
        if focused {
            let (after, next) = take(&clusters, i, clusters.len(), width, &mut used);
            spans.push(Span::styled(after, style));
            i = next;
        }
        spans.retain(|s| !s.content.is_empty());
        if cut || i < clusters.len() {
            mark_cut_end(&mut spans, width, style);
        }
        spans
    }

    /// Draws the field on the first row of `area` (see [`LineInput::spans`]).
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style, focused: bool) {
        if area.is_empty() {
            return;
        }
        Line::from(self.spans(usize::from(area.width), focused, style))
            .render(Rect { height: 1, ..area }, buf);
    }
}

/// The clusters from `from` up to `end` that fit in what is left of
/// `width` after `used` columns (which it adds to), and the index of the
/// first one left out.
fn take(
    clusters: &[(&str, usize)],
    from: usize,
    end: usize,
    width: usize,
    used: &mut usize,
) -> (String, usize) {
    let mut shown = String::new();
    let mut i = from;
    while i < end && *used + clusters[i].1 <= width {
        shown.push_str(clusters[i].0);
        *used += clusters[i].1;
        i += 1;
    }
    (shown, i)
}

/// The first cluster shown when the cursor (before cluster `at`) must be
/// in view: as far left as the cursor allows, with a column kept for `…`
/// on the right while text follows the cursor.
fn first_shown(clusters: &[(&str, usize)], at: usize, width: usize, cursor_cell: usize) -> usize {
    let before: usize = clusters[..at].iter().map(|(_, w)| w).sum();
    let reserve = usize::from(at + 1 < clusters.len());
    if before + cursor_cell + reserve <= width {
        return 0;
    }
    let room = width.saturating_sub(1 + cursor_cell + reserve);
    let mut start = at;
    let mut used = 0;
    while start > 0 && used + clusters[start - 1].1 <= room {
        start -= 1;
        used += clusters[start].1;
    }
    start
}

/// Ends `spans` with `…` to say the text goes on, taking the last cells
/// that are not the cursor.
fn mark_cut_end(spans: &mut Vec<Span<'static>>, width: usize, style: Style) {
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let cursor_last = spans
        .last()
        .is_some_and(|s| s.style.add_modifier.contains(Modifier::REVERSED));
    if used < width {
        spans.push(Span::styled("…", style));
        return;
    }
    if cursor_last {
        return;
    }
    // Replace the last clusters with the mark.
    if let Some(last) = spans.last_mut() {
        let room = width - (used - text::width(&last.content));
        let mut kept = String::new();
        let mut kept_width = 0;
        for g in last.content.graphemes(true) {
            let w = text::width(g);
            if kept_width + w + 1 > room {
                break;
            }
            kept.push_str(g);
            kept_width += w;
        }
        kept.push('…');
        last.content = kept.into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn shown(l: &LineInput, width: usize, focused: bool) -> String {
        l.spans(width, focused, Style::new())
            .iter()
            .map(|s| s.content.to_string())
            .collect()
    }

    /// The column the reversed cursor cell starts at.
    fn cursor_at(l: &LineInput, width: usize) -> Option<usize> {
        let mut col = 0;
        for s in l.spans(width, true, Style::new()) {
            if s.style.add_modifier.contains(Modifier::REVERSED) {
                return Some(col);
            }
            col += s.width();
        }
        None
    }

    #[test]
    fn edits_like_a_shell_line() {
        let mut l = LineInput::new(8);
        for c in "héllo".chars() {
            assert!(l.on_key(&k(KeyCode::Char(c))));
        }
        l.on_key(&k(KeyCode::Left));
        l.on_key(&k(KeyCode::Left));
        l.on_key(&k(KeyCode::Backspace));
        assert_eq!(l.text(), "hélo");
        assert_eq!(l.cursor(), 2);
        l.on_key(&k(KeyCode::Home));
        l.on_key(&k(KeyCode::Delete));
        assert_eq!(l.text(), "élo");
        l.on_key(&k(KeyCode::End));
        for c in "1234567".chars() {
            l.on_key(&k(KeyCode::Char(c)));
        }
        assert_eq!(l.text(), "élo12345", "stops at its maximum");
        l.on_key(&k(KeyCode::Right));
        assert_eq!(l.cursor(), 8, "→ stops at the end");
        l.on_key(&k(KeyCode::Home));
        l.on_key(&k(KeyCode::Left));
        l.on_key(&k(KeyCode::Backspace));
        assert_eq!((l.text().as_str(), l.cursor()), ("élo12345", 0));
        l.on_key(&k(KeyCode::End));
        l.on_key(&k(KeyCode::Delete));
        assert_eq!(l.text(), "élo12345", "Delete at the end does nothing");
    }

    #[test]
    fn ctrl_u_clears_and_other_chords_are_left_to_the_caller() {
        let mut l = LineInput::with_text("client rested", 40);
        l.on_key(&k(KeyCode::Left));
        assert!(l.on_key(&ctrl('u')));
        assert_eq!((l.text().as_str(), l.cursor()), ("", 0));
        assert!(l.is_empty());
        assert!(!l.on_key(&ctrl('s')));
        let alt = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT);
        assert!(!l.on_key(&alt));
        for code in [
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::Up,
            KeyCode::F(10),
        ] {
            assert!(!l.on_key(&k(code)), "{code:?}");
        }
        assert!(l.is_empty());
        // Shift is how capitals arrive: they type.
        assert!(l.on_key(&KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)));
        assert_eq!(l.text(), "A");
    }

    #[test]
    fn takes_any_script_and_pasted_text_without_control_characters() {
        let mut l = LineInput::new(20);
        for c in "日本 ✓ ü".chars() {
            l.on_key(&k(KeyCode::Char(c)));
        }
        assert_eq!(l.text(), "日本 ✓ ü");
        l.insert_str("\ta\nb\u{7}");
        assert_eq!(l.text(), "日本 ✓ ü a b");
        assert_eq!(LineInput::with_text("abc", 2).text(), "ab");
        assert_eq!(LineInput::with_text("abc", 2).cursor(), 2);
    }

    #[test]
    fn scrolls_to_keep_its_cursor_in_view() {
        let mut l = LineInput::with_text("abcdefghij", 20);
        assert_eq!(shown(&l, 5, true), "…hij ");
        assert_eq!(cursor_at(&l, 5), Some(4));
        assert_eq!(shown(&l, 5, false), "abcd…");
        assert_eq!(shown(&l, 11, true), "abcdefghij ");
        l.on_key(&k(KeyCode::Home));
        assert_eq!(shown(&l, 5, true), "abcd…");
        assert_eq!(cursor_at(&l, 5), Some(0));
        for _ in 0..4 {
            l.on_key(&k(KeyCode::Right));
        }
        assert_eq!(shown(&l, 5, true), "…cde…");
        assert_eq!(cursor_at(&l, 5), Some(3));
    }

    #[test]
    fn never_draws_wider_than_asked_and_always_shows_the_cursor() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let texts = [
            "",
            "a",
            "abcdefghij",
            "日本語のメモ",
            "a日b本c",
            &format!("{family}a{family}e\u{301}🇯🇵"),
        ];
        for text in texts {
            let mut l = LineInput::with_text(text, 40);
            let mut boundaries: Vec<usize> =
                l.text.grapheme_indices(true).map(|(i, _)| i).collect();
            boundaries.push(l.text.len());
            for cursor in boundaries {
                l.cursor = cursor;
                for width in 0..14 {
                    let spans = l.spans(width, true, Style::new());
                    let drawn: usize = spans.iter().map(|s| text::width(&s.content)).sum();
                    assert!(drawn <= width, "{text:?} at {cursor} in {width}");
                    if width >= 3 {
                        assert!(cursor_at(&l, width).is_some(), "{text:?} {cursor} {width}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_cursor_steps_over_whole_clusters() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let mut l = LineInput::with_text(&format!("a{family}e\u{301}"), 40);
        l.on_key(&k(KeyCode::Left));
        assert_eq!(l.cursor(), 1 + 5, "back over e and its accent together");
        l.on_key(&k(KeyCode::Left));
        assert_eq!(l.cursor(), 1, "back over the whole family");
        l.on_key(&k(KeyCode::Delete));
        assert_eq!(l.text(), "ae\u{301}");
        l.on_key(&k(KeyCode::End));
        l.on_key(&k(KeyCode::Backspace));
        assert_eq!(l.text(), "a");
        // A combining mark typed after a letter joins it; the cursor stays
        // after the two.
        l.on_key(&k(KeyCode::Char('e')));
        l.on_key(&k(KeyCode::Char('\u{301}')));
        assert_eq!((l.text().as_str(), l.cursor()), ("ae\u{301}", 3));
        // The cursor cell shows the whole cluster under it.
        l.on_key(&k(KeyCode::Left));
        let cursor: Vec<String> = l
            .spans(10, true, Style::new())
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(cursor, ["e\u{301}"]);
    }

    #[test]
    fn wide_text_scrolls_and_is_cut_by_columns() {
        let l = LineInput::with_text("頭蓋骨の保持", 40);
        assert_eq!(shown(&l, 7, false), "頭蓋骨…");
        assert_eq!(shown(&l, 8, true), "…の保持 ");
        assert_eq!(cursor_at(&l, 8), Some(7));
        // Bidi overrides never get into the text.
        assert_eq!(LineInput::with_text("ab\u{202E}c", 40).text(), "abc");
    }

    #[test]
    fn renders_into_a_buffer() {
        let l = LineInput::with_text("note", 40);
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 2));
        l.render(buf.area, &mut buf, Style::new(), true);
        assert_eq!(buf, {
            let mut b = Buffer::with_lines(["note    ", "        "]);
            b[(4, 0)].set_style(Style::new().add_modifier(Modifier::REVERSED));
            b
        });
        let mut tiny = Buffer::empty(Rect::new(0, 0, 1, 1));
        l.render(tiny.area, &mut tiny, Style::new(), true);
        l.render(Rect::new(0, 0, 0, 0), &mut tiny, Style::new(), true);
    }
}
