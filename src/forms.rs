//! The screens around the holds: the consultation before the first step, the
//! closing questions after the last, and the session summary.
//!
//! Each is pure state with key handling and rendering (no IO, no clock), so
//! the shell drives them and tests drive them with scripted keys. Forms are
//! laid out as rows; a form taller than the window scrolls to keep the row
//! being answered in view.

mod aftercare;
mod intake;
mod summary;

pub use aftercare::AftercareForm;
pub use intake::IntakeForm;
pub use summary::SummaryScreen;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};

use crate::theme::Theme;
use crate::ui::{MIN_HEIGHT, MIN_WIDTH};

/// What a key did to a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEvent<T> {
    /// Nothing changed.
    Nothing,
    /// The form changed; draw it again.
    Redraw,
    /// The form is complete.
    Submit(T),
    /// The therapist left the form.
    Cancel,
}

/// A one-line text field.
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

    /// A field holding `text`, the cursor at its end.
    pub fn with_text(text: &str, max: usize) -> LineInput {
        let text: Vec<char> = text.chars().take(max).collect();
        LineInput {
            cursor: text.len(),
            text,
            max,
        }
    }

    /// The text.
    pub fn text(&self) -> String {
        self.text.iter().collect()
    }

    /// The cursor's place, in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Edits the text; false if the key is not an editing key.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.text.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char(_) if ctrl => return false,
            KeyCode::Char(c) => {
                if self.text.len() < self.max {
                    self.text.insert(self.cursor, c);
                    self.cursor += 1;
                }
            }
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

    /// The field as spans `width` wide: scrolled to keep the cursor in view,
    /// which is shown (when `focused`) as a reversed cell, never blinking.
    pub fn spans(&self, width: usize, focused: bool, style: Style) -> Vec<Span<'static>> {
        let width = width.max(1);
        let start = if focused {
            self.cursor.saturating_sub(width - 1)
        } else {
            0
        };
        let shown: Vec<char> = self.text.iter().skip(start).take(width).copied().collect();
        if !focused {
            return vec![Span::styled(shown.iter().collect::<String>(), style)];
        }
        let at = self.cursor - start;
        let before: String = shown.iter().take(at).collect();
        let under = shown.get(at).map_or(" ".to_owned(), |c| c.to_string());
        let after: String = shown.iter().skip(at + 1).collect();
        vec![
            Span::styled(before, style),
            Span::styled(under, style.add_modifier(Modifier::REVERSED)),
            Span::styled(after, style),
        ]
    }
}

/// A 0–10 rating, unset until answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rating(Option<u8>);

impl Rating {
    /// The answer, if given.
    pub fn get(self) -> Option<u8> {
        self.0
    }

    /// ←/→ step it (from unset, either starts at 0); a digit sets it, and
    /// `1` then `0` makes 10.
    fn on_key(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Left | KeyCode::Char('-') => {
                self.0 = Some(self.0.map_or(0, |v| v.saturating_sub(1)));
            }
            KeyCode::Right | KeyCode::Char('+') => {
                self.0 = Some(self.0.map_or(0, |v| (v + 1).min(10)));
            }
            KeyCode::Char(c @ '0'..='9') => {
                let d = c as u8 - b'0';
                self.0 = Some(if self.0 == Some(1) && d == 0 { 10 } else { d });
            }
            _ => return false,
        }
        true
    }

    /// The scale `0 1 2 … 10` with the answer marked, then the answer.
    fn spans(self, focused: bool, t: &Theme) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for v in 0..=10u8 {
            let chosen = self.0 == Some(v);
            let style = if chosen && focused {
                t.accent.add_modifier(Modifier::REVERSED)
            } else if chosen {
                t.accent.add_modifier(Modifier::BOLD)
            } else {
                t.muted
            };
            spans.push(Span::styled(format!("{v:>2}"), style));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            match self.0 {
                Some(v) => format!("  {v}/10"),
                None => "  not asked yet".to_owned(),
            },
            if self.0.is_some() { t.text } else { t.muted },
        ));
        spans
    }
}

/// One row of a form: its text, and whether it is the row being answered.
struct Row {
    line: Line<'static>,
    focused: bool,
}

impl Row {
    fn new(line: Line<'static>) -> Row {
        Row {
            line,
            focused: false,
        }
    }

    fn focused(line: Line<'static>, focused: bool) -> Row {
        Row { line, focused }
    }
}

/// Draws a form: a rounded box titled `title`, its rows scrolled so the
/// focused one is in view, and `footer` lines pinned at the bottom.
fn render_form(
    area: Rect,
    buf: &mut Buffer,
    t: &Theme,
    title: &str,
    rows: Vec<Row>,
    footer: Vec<Line<'static>>,
) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(area, buf, t);
        return;
    }
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(t.border)
        .title(Span::styled(format!(" {title} "), t.muted));
    let inner = block.inner(area);
    block.render(area, buf);
    let inner = inner.inner(ratatui::layout::Margin::new(1, 0));
    // Long messages wrap; the footer grows to hold them.
    let wanted: usize = footer
        .iter()
        .map(|l| l.width().div_ceil(inner.width.max(1) as usize).max(1))
        .sum();
    let footer_rows = (wanted as u16).min(inner.height.saturating_sub(1));
    let body_rows = inner.height - footer_rows;
    let focus = rows.iter().position(|r| r.focused).unwrap_or(0);
    // Keep the focused row in view, with a row of context below it.
    let visible = body_rows as usize;
    let first = (focus + 2)
        .saturating_sub(visible)
        .min(rows.len().saturating_sub(1));
    let lines: Vec<Line> = rows.into_iter().skip(first).map(|r| r.line).collect();
    Paragraph::new(lines).render(Rect::new(inner.x, inner.y, inner.width, body_rows), buf);
    Paragraph::new(footer)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(
            Rect::new(inner.x, inner.y + body_rows, inner.width, footer_rows),
            buf,
        );
}

/// The centred "please enlarge" message for windows below the minimum.
fn render_too_small(area: Rect, buf: &mut Buffer, t: &Theme) {
    let lines = vec![
        Line::styled("Please enlarge the window", t.text),
        Line::styled(format!("(at least {MIN_WIDTH}×{MIN_HEIGHT})"), t.muted),
    ];
    let height = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(height) / 2;
    Paragraph::new(lines)
        .alignment(Alignment::Center)
        .render(Rect::new(area.x, y, area.width, height), buf);
}

/// A row label, padded so the answers line up.
fn label(text: &str, focused: bool, t: &Theme) -> Span<'static> {
    let style = if focused {
        t.accent.add_modifier(Modifier::BOLD)
    } else {
        t.text
    };
    let mark = if focused { "▸ " } else { "  " };
    Span::styled(format!("{mark}{text:<18}"), style)
}

/// The keys line at the foot of a form.
fn keys_line(keys: &[(&str, &str)], t: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (key, what)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ", t.muted));
        }
        spans.push(Span::styled((*key).to_owned(), t.text));
        spans.push(Span::styled(format!(" {what}"), t.muted));
    }
    Line::from(spans)
}

/// True for the keys that submit a form from anywhere in it.
fn is_submit_anywhere(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::F(10))
        || (key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('s'))
}

/// Moves through `n` rows: ↓/Tab forward, ↑/Shift-Tab back.
fn step_focus(focus: usize, n: usize, key: &KeyEvent) -> Option<usize> {
    match key.code {
        KeyCode::Down | KeyCode::Tab => Some((focus + 1).min(n - 1)),
        KeyCode::Up | KeyCode::BackTab => Some(focus.saturating_sub(1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn line_input_edits_like_a_shell_line() {
        let mut l = LineInput::new(8);
        for c in "héllo".chars() {
            assert!(l.on_key(&k(KeyCode::Char(c))));
        }
        l.on_key(&k(KeyCode::Left));
        l.on_key(&k(KeyCode::Left));
        l.on_key(&k(KeyCode::Backspace));
        assert_eq!(l.text(), "hélo");
        l.on_key(&k(KeyCode::Home));
        l.on_key(&k(KeyCode::Delete));
        assert_eq!(l.text(), "élo");
        l.on_key(&k(KeyCode::End));
        for c in "1234567".chars() {
            l.on_key(&k(KeyCode::Char(c)));
        }
        assert_eq!(l.text(), "élo12345", "stops at its maximum");
        l.on_key(&k(KeyCode::Left));
        assert!(l.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        assert_eq!(l.text(), "5");
        assert!(!l.on_key(&k(KeyCode::Enter)));
        assert_eq!(LineInput::with_text("abc", 2).text(), "ab");
    }

    #[test]
    fn a_line_scrolls_to_keep_its_cursor_in_view() {
        let l = LineInput::with_text("abcdefghij", 20);
        let text: String = l
            .spans(5, true, Style::new())
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(text, "ghij ");
        let plain: String = l
            .spans(5, false, Style::new())
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(plain, "abcde");
    }

    #[test]
    fn ratings_start_unset_and_reach_ten() {
        let mut r = Rating::default();
        assert_eq!(r.get(), None);
        r.on_key(&k(KeyCode::Left));
        assert_eq!(r.get(), Some(0));
        r.on_key(&k(KeyCode::Char('1')));
        r.on_key(&k(KeyCode::Char('0')));
        assert_eq!(r.get(), Some(10));
        r.on_key(&k(KeyCode::Right));
        assert_eq!(r.get(), Some(10));
        r.on_key(&k(KeyCode::Char('7')));
        r.on_key(&k(KeyCode::Char('0')));
        assert_eq!(r.get(), Some(0));
    }
}
