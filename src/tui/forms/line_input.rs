//! A one-line text editor: the forms' text fields and the dashboard's note
//! line. Editing keys act on it; anything else is left to the caller.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::frame::char_width;

/// A one-line text field: characters, a cursor between them, a maximum length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: Vec<char>,
    cursor: usize,
    max: usize,
}

impl LineInput {
    /// An empty field that takes up to `max` characters.
    pub fn new(max: usize) -> LineInput {
        LineInput {
            text: Vec::new(),
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
        self.text.iter().collect()
    }

    /// The cursor's place, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
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

    /// Inserts `s` at the cursor (e.g. pasted text): line breaks and tabs
    /// become spaces, other control characters are dropped, and whatever
    /// would pass the maximum is left out.
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            };
            self.insert(c);
        }
    }

    fn insert(&mut self, c: char) {
        if !c.is_control() && self.text.len() < self.max {
            self.text.insert(self.cursor, c);
            self.cursor += 1;
        }
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
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.text.remove(self.cursor);
                }
            }
            KeyCode::Delete => {
                if self.cursor < self.text.len() {
                    self.text.remove(self.cursor);
                }
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.text.len()),
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
        let widths: Vec<usize> = self.text.iter().map(|c| char_width(*c)).collect();
        let cursor_cell = if focused {
            widths.get(self.cursor).map_or(1, |w| (*w).max(1))
        } else {
            0
        };
        let start = if focused {
            self.first_shown(&widths, width, cursor_cell)
        } else {
            0
        };
        let mut spans = Vec::new();
        let mut used = 0;
        if start > 0 {
            spans.push(Span::styled("…", style));
            used += 1;
        }
        let mut before = String::new();
        let end = if focused {
            self.cursor
        } else {
            self.text.len()
        };
        let mut i = start;
        while i < end && used + widths[i] <= width {
            before.push(self.text[i]);
            used += widths[i];
            i += 1;
        }
        let cut = i < end;
        spans.push(Span::styled(before, style));
        if focused && used + cursor_cell <= width {
            let under = self.text.get(self.cursor).map_or(' ', |c| *c);
            spans.push(Span::styled(
                under.to_string(),
                style.add_modifier(Modifier::REVERSED),
            ));
            used += cursor_cell;
            i = self.cursor + 1;
        }
        if focused {
            let mut after = String::new();
            while i < self.text.len() && used + widths[i] <= width {
                after.push(self.text[i]);
                used += widths[i];
                i += 1;
            }
            spans.push(Span::styled(after, style));
        }
        spans.retain(|s| !s.content.is_empty());
        if cut || i < self.text.len() {
            mark_cut_end(&mut spans, width, style);
        }
        spans
    }

    /// The first character shown when the cursor must be in view: as far
    /// left as the cursor allows, with a column kept for `…` on the right
    /// while text follows the cursor.
    fn first_shown(&self, widths: &[usize], width: usize, cursor_cell: usize) -> usize {
        let before: usize = widths[..self.cursor].iter().sum();
        let reserve = usize::from(self.cursor + 1 < self.text.len());
        if before + cursor_cell + reserve <= width {
            return 0;
        }
        let room = width.saturating_sub(1 + cursor_cell + reserve);
        let mut start = self.cursor;
        let mut used = 0;
        while start > 0 && used + widths[start - 1] <= room {
            start -= 1;
            used += widths[start];
        }
        start
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

/// Ends `spans` with `…` to say the text goes on, taking the last cells
/// that are not the cursor.
fn mark_cut_end(spans: &mut Vec<Span<'static>>, width: usize, style: Style) {
    let used: usize = spans.iter().map(Span::width).sum();
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
    // Replace the last characters with the mark.
    if let Some(last) = spans.last_mut() {
        let room = width - (used - last.width());
        let mut text = last.content.to_string();
        while !text.is_empty() && text.chars().map(char_width).sum::<usize>() + 1 > room {
            text.pop();
        }
        text.push('…');
        last.content = text.into();
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
        let texts = ["", "a", "abcdefghij", "日本語のメモ", "a日b本c"];
        for text in texts {
            let mut l = LineInput::with_text(text, 40);
            for cursor in 0..=l.text.len() {
                l.cursor = cursor;
                for width in 0..14 {
                    let spans = l.spans(width, true, Style::new());
                    let drawn: usize = spans.iter().map(Span::width).sum();
                    assert!(drawn <= width, "{text:?} at {cursor} in {width}");
                    if width >= 3 {
                        assert!(cursor_at(&l, width).is_some(), "{text:?} {cursor} {width}");
                    }
                }
            }
        }
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
