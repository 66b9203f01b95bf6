//! The closing questions after the last step: pain and stress again, beside
//! the answers from before the session, and a closing note. Esc skips them.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::frame::{Form, LABEL_WIDTH, Rows, button, keys_lines, label, text_row, too_small, wrap};
use super::{FormEvent, LineInput, Rating};
use crate::session::record::Aftercare;
use crate::text;
use crate::tui::theme::Theme;

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

impl Field {
    fn index(self) -> usize {
        FIELDS.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// The closing questions: build with [`AftercareForm::new`], feed keys to
/// [`AftercareForm::on_key`] until `Submit(aftercare)` (pain and stress
/// answered) or `Cancel` (Esc: the therapist skips the questions), and draw
/// with [`AftercareForm::render`].
///
/// Keys: ↑/↓ or Tab/Shift-Tab move between fields; Enter moves on, and on
/// "Finish" finishes; F10 (or Ctrl-S) finishes from anywhere; a rating takes
/// ←/→ and digits (see [`Rating`]); the note is a [`LineInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AftercareForm {
    pain_before: Option<u8>,
    stress_before: Option<u8>,
    pain: Rating,
    stress: Rating,
    note: LineInput,
    field: Field,
    /// The therapist tried to finish: from then on the form says what is missing.
    attempted: bool,
    /// The first row shown, as last drawn.
    scroll: Cell<usize>,
    /// How the session ended, in a sentence above the questions.
    lead: String,
}

impl AftercareForm {
    /// The questions, with the consultation's answers (if any) shown beside
    /// them as "before: 6".
    pub fn new(pain_before: Option<u8>, stress_before: Option<u8>) -> AftercareForm {
        AftercareForm {
            pain_before,
            stress_before,
            pain: Rating::default(),
            stress: Rating::default(),
            note: LineInput::new(NOTE_MAX),
            field: Field::Pain,
            attempted: false,
            scroll: Cell::new(0),
            lead: "The holds are done.".to_owned(),
        }
    }

    /// Says how the session ended above the questions (`The session ended
    /// early, at step 3 of 18.`), instead of "The holds are done."
    pub fn after(mut self, lead: String) -> AftercareForm {
        self.lead = lead;
        self
    }

    /// Pastes `text` into the closing note when it has the focus.
    pub fn paste(&mut self, text: &str) -> bool {
        if self.field == Field::Note {
            self.note.insert_str(text);
            true
        } else {
            false
        }
    }

    /// True once anything has been answered: the shell can ask before Esc
    /// throws the answers away.
    pub fn has_answers(&self) -> bool {
        self.pain.get().is_some() || self.stress.get().is_some() || !self.note.is_empty()
    }

    /// Handles one key press: `Submit` carries the answers (pain and stress
    /// both `Some`, the note trimmed); `Cancel` is Esc, skipping the questions.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent<Aftercare> {
        if super::ignored(key) {
            return FormEvent::Nothing;
        }
        if !matches!(key.code, KeyCode::Char('0'..='9')) {
            self.pain.settle();
            self.stress.settle();
        }
        if key.code == KeyCode::Esc {
            return FormEvent::Cancel;
        }
        if super::is_submit_anywhere(key) {
            return self.submit();
        }
        let before = self.clone();
        let field = self.field;
        if field == Field::Note
            && !matches!(key.code, KeyCode::Tab | KeyCode::BackTab)
            && self.note.on_key(key)
        {
            return super::redraw_if(*self != before);
        }
        if let Some(to) = super::step_focus(field.index(), FIELDS.len(), key) {
            self.field = FIELDS[to];
        } else {
            match (field, key.code) {
                (Field::Finish, KeyCode::Enter | KeyCode::Char(' ')) => return self.submit(),
                (_, KeyCode::Enter) => self.field = FIELDS[(field.index() + 1).min(3)],
                (Field::Pain, _) => {
                    self.pain.on_key(key);
                }
                (Field::Stress, _) => {
                    self.stress.on_key(key);
                }
                _ => {}
            }
        }
        super::redraw_if(*self != before)
    }

    /// The first unanswered rating and what to say about it.
    fn missing(&self) -> Option<(Field, &'static str)> {
        if self.pain.get().is_none() {
            Some((
                Field::Pain,
                "Rate the client's pain now, from 0 to 10 (or Esc to skip the questions).",
            ))
        } else if self.stress.get().is_none() {
            Some((
                Field::Stress,
                "Rate the client's stress now, from 0 to 10 (or Esc to skip the questions).",
            ))
        } else {
            None
        }
    }

    fn submit(&mut self) -> FormEvent<Aftercare> {
        self.attempted = true;
        if let Some((field, _)) = self.missing() {
            self.field = field;
            return FormEvent::Redraw;
        }
        FormEvent::Submit(Aftercare {
            pain: self.pain.get(),
            stress: self.stress.get(),
            note: self.note.text().trim().to_owned(),
        })
    }

    /// Draws the form in `area` (any size; below 40×12 it asks for a larger
    /// window).
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &Theme) {
        if too_small(area, buf, t) {
            return;
        }
        let on = |f: Field| self.field == f;
        let mut rows = Rows::new(area);
        let width = rows.width();
        rows.text(
            vec![Span::styled(
                format!("{} Ask about pain and stress as at the start.", self.lead),
                t.muted,
            )],
            0,
        );
        rows.blank();
        self.rating_rows(&mut rows, t);
        rows.blank();
        rows.field(
            on(Field::Note),
            vec![text_row(
                "Closing note",
                &self.note,
                on(Field::Note),
                width - LABEL_WIDTH,
                t,
            )],
            0,
        );
        rows.blank();
        rows.field(
            on(Field::Finish),
            vec![button("Finish", on(Field::Finish), t)],
            0,
        );

        let message = match self.missing().filter(|_| self.attempted) {
            Some((_, message)) => Span::styled(message, t.overtime),
            None => Span::styled(
                "Esc skips the questions: the record then closes without them.",
                t.muted,
            ),
        };
        Form {
            title: "closing questions",
            rows,
            message: wrap(vec![message], width, 0),
            keys: keys_lines(&self.keys(), width, t),
            scroll: &self.scroll,
        }
        .render(area, buf, t);
    }

    /// Pain and stress now, each beside its answer before the session.
    fn rating_rows(&self, rows: &mut Rows, t: &Theme) {
        let width = rows.width();
        for (f, name, rating, before) in [
            (Field::Pain, "Pain now", self.pain, self.pain_before),
            (Field::Stress, "Stress now", self.stress, self.stress_before),
        ] {
            let on = self.field == f;
            let before = format!(
                "   before: {}",
                before.map_or("—".to_owned(), |v| v.to_string())
            );
            let room = width - LABEL_WIDTH;
            let mut spans = vec![label(name, on, t)];
            spans.extend(rating.spans(room.saturating_sub(text::width(&before)), t));
            spans.push(Span::styled(before, t.muted));
            rows.field(on, wrap(spans, width, LABEL_WIDTH), 0);
        }
    }

    /// The keys for the field in focus, then those that work everywhere.
    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let mut keys = match self.field {
            Field::Pain | Field::Stress => vec![("←→ or 0–9", "rate"), ("1 0", "makes 10")],
            Field::Note => vec![],
            Field::Finish => vec![("Enter", "finish")],
        };
        keys.extend([
            ("Tab ↓", "next"),
            ("↑", "back"),
            ("F10", "finish"),
            ("Esc", "skip"),
        ]);
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn a_one_left_behind_does_not_turn_a_later_zero_into_ten() {
        let mut form = AftercareForm::new(Some(1), Some(1));
        form.on_key(&k(KeyCode::Char('1')));
        form.on_key(&k(KeyCode::Tab));
        form.on_key(&k(KeyCode::BackTab));
        form.on_key(&k(KeyCode::Char('0')));
        assert_eq!(form.pain.get(), Some(0));
        form.on_key(&k(KeyCode::Char('1')));
        form.on_key(&k(KeyCode::Char('0')));
        assert_eq!(form.pain.get(), Some(10));
    }

    #[test]
    fn answers_are_what_esc_would_lose() {
        let mut form = AftercareForm::new(None, None);
        assert!(!form.has_answers());
        form.on_key(&k(KeyCode::Down));
        assert!(!form.has_answers());
        form.on_key(&k(KeyCode::Char('3')));
        assert!(form.has_answers());
        assert_eq!(form.on_key(&k(KeyCode::Esc)), FormEvent::Cancel);
    }
}
