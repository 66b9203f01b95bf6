//! The closing questions after the last step: pain and stress again, beside
//! the answers from before, and a closing note.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{FormEvent, LineInput, Rating, Row, keys_line, label, render_form};
use crate::record::Aftercare;
use crate::theme::Theme;

/// The longest closing note.
const NOTE_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Pain,
    Stress,
    Note,
    Finish,
}

const FIELDS: [Field; 4] = [Field::Pain, Field::Stress, Field::Note, Field::Finish];

/// The closing questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AftercareForm {
    pain_before: Option<u8>,
    stress_before: Option<u8>,
    pain: Rating,
    stress: Rating,
    note: LineInput,
    field: usize,
    message: Option<String>,
}

impl AftercareForm {
    /// The questions, showing the consultation's answers beside them.
    pub fn new(pain_before: Option<u8>, stress_before: Option<u8>) -> AftercareForm {
        AftercareForm {
            pain_before,
            stress_before,
            pain: Rating::default(),
            stress: Rating::default(),
            note: LineInput::new(NOTE_MAX),
            field: 0,
            message: None,
        }
    }

    /// Handles one key. Esc skips the questions.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent<Aftercare> {
        if key.code == KeyCode::Esc {
            return FormEvent::Cancel;
        }
        if super::is_submit_anywhere(key) {
            return self.submit();
        }
        let field = FIELDS[self.field];
        if field == Field::Note
            && !matches!(
                key.code,
                KeyCode::Up | KeyCode::Down | KeyCode::Tab | KeyCode::BackTab
            )
            && self.note.on_key(key)
        {
            return FormEvent::Redraw;
        }
        if let Some(to) = super::step_focus(self.field, FIELDS.len(), key) {
            self.field = to;
            return FormEvent::Redraw;
        }
        match (field, key.code) {
            (Field::Finish, KeyCode::Enter | KeyCode::Char(' ')) => return self.submit(),
            (_, KeyCode::Enter) => self.field = (self.field + 1).min(FIELDS.len() - 1),
            (Field::Pain, _) if self.pain.on_key(key) => {}
            (Field::Stress, _) if self.stress.on_key(key) => {}
            _ => return FormEvent::Nothing,
        }
        FormEvent::Redraw
    }

    fn submit(&mut self) -> FormEvent<Aftercare> {
        let (Some(pain), Some(stress)) = (self.pain.get(), self.stress.get()) else {
            let (what, to) = if self.pain.get().is_none() {
                ("pain", 0)
            } else {
                ("stress", 1)
            };
            self.message = Some(format!(
                "Rate the client's {what} now, from 0 to 10 (or Esc to skip the questions)."
            ));
            self.field = to;
            return FormEvent::Redraw;
        };
        FormEvent::Submit(Aftercare {
            pain: Some(pain),
            stress: Some(stress),
            note: self.note.text().trim().to_owned(),
        })
    }

    /// Draws the form.
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &Theme) {
        let on = |f: Field| FIELDS[self.field] == f;
        let before = |v: Option<u8>| match v {
            Some(v) => format!("   before: {v}"),
            None => String::new(),
        };
        let mut rows = vec![
            Row::new(Line::styled(
                "The holds are done. Ask again, in the same words as before.",
                t.muted,
            )),
            Row::new(Line::default()),
        ];
        for (f, name, rating, was) in [
            (Field::Pain, "Pain now", self.pain, self.pain_before),
            (Field::Stress, "Stress now", self.stress, self.stress_before),
        ] {
            let mut spans = vec![label(name, on(f), t)];
            spans.extend(rating.spans(on(f), t));
            spans.push(Span::styled(before(was), t.muted));
            rows.push(Row::focused(Line::from(spans), on(f)));
        }
        rows.push(Row::new(Line::default()));
        let width = area.width.saturating_sub(26) as usize;
        let mut note = vec![label("Closing note", on(Field::Note), t)];
        note.extend(self.note.spans(width.max(8), on(Field::Note), t.text));
        rows.push(Row::focused(Line::from(note), on(Field::Note)));
        rows.push(Row::new(Line::default()));
        let style = if on(Field::Finish) {
            t.accent.add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            t.accent
        };
        rows.push(Row::focused(
            Line::from(vec![Span::raw("  "), Span::styled(" Finish ", style)]),
            on(Field::Finish),
        ));
        let mut footer = Vec::new();
        if let Some(m) = &self.message {
            footer.push(Line::styled(m.clone(), t.overtime));
        }
        footer.push(keys_line(
            &[
                ("↑↓", "move"),
                ("←→ 0-9", "rate"),
                ("enter", "next"),
                ("F10", "finish"),
                ("esc", "skips the questions"),
            ],
            t,
        ));
        render_form(area, buf, t, "closing questions", rows, footer);
    }
}
