//! The one-line note a therapist types on the dashboard's footer while the
//! timer keeps running. It is the forms' line editor ([`LineInput`]) with a
//! note's length, Enter to save and Esc to drop; keys a foot pedal sends
//! (PageDown, PageUp, F-keys) pass through to the session.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::forms::LineInput;

/// The longest note, in characters.
pub const NOTE_MAX: usize = 500;

/// The note being typed, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteEditor {
    draft: Option<LineInput>,
    /// Characters of the last paste that did not fit, shown until the next
    /// key, so nothing is dropped without a word.
    left_out: usize,
}

/// What a key did to the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteKey {
    /// No note is being typed: the key is the session's.
    NotTyping,
    /// The key belongs to the session even while typing (a pedal's key).
    PassThrough,
    /// The draft changed, or the key was swallowed.
    Edited,
    /// Enter with text: the note to record (trimmed).
    Saved(String),
    /// The draft was dropped (Esc, Ctrl-C, or Enter on nothing).
    Dropped,
}

impl NoteEditor {
    /// Starts typing a note.
    pub fn open(&mut self) {
        self.draft = Some(LineInput::new(NOTE_MAX));
        self.left_out = 0;
    }

    /// Pastes `text` into the note being typed; `false` when no note is.
    /// What does not fit is counted (see [`NoteEditor::left_out`]).
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(draft) = self.draft.as_mut() else {
            return false;
        };
        self.left_out = draft.insert_str(text);
        true
    }

    /// How many characters of the last paste did not fit.
    pub fn left_out(&self) -> usize {
        self.left_out
    }

    /// The draft, while a note is being typed.
    pub fn draft(&self) -> Option<&LineInput> {
        self.draft.as_ref()
    }

    /// Takes the note being typed, if it holds any text (trimmed).
    pub fn take_draft(&mut self) -> Option<String> {
        let text = self.draft.take()?.text().trim().to_owned();
        (!text.is_empty()).then_some(text)
    }

    /// Handles a key while a note may be being typed.
    pub fn on_key(&mut self, key: &KeyEvent) -> NoteKey {
        let Some(draft) = self.draft.as_mut() else {
            return NoteKey::NotTyping;
        };
        self.left_out = 0;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => {
                let text = draft.text().trim().to_owned();
                self.draft = None;
                if text.is_empty() {
                    NoteKey::Dropped
                } else {
                    NoteKey::Saved(text)
                }
            }
            KeyCode::Esc => {
                self.draft = None;
                NoteKey::Dropped
            }
            KeyCode::Char('c') if ctrl => {
                self.draft = None;
                NoteKey::Dropped
            }
            KeyCode::PageDown | KeyCode::PageUp | KeyCode::F(_) => NoteKey::PassThrough,
            _ => {
                // Keys the editor does not use (↑, Tab…) are swallowed: a
                // stray key while typing must not act on the session.
                draft.on_key(key);
                NoteKey::Edited
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(n: &mut NoteEditor, s: &str) {
        for c in s.chars() {
            assert_eq!(n.on_key(&press(KeyCode::Char(c))), NoteKey::Edited);
        }
    }

    #[test]
    fn enter_saves_the_trimmed_text_and_esc_drops_it() {
        let mut n = NoteEditor::default();
        assert_eq!(n.on_key(&press(KeyCode::Char('x'))), NoteKey::NotTyping);
        n.open();
        type_text(&mut n, " settled ");
        assert_eq!(
            n.on_key(&press(KeyCode::Enter)),
            NoteKey::Saved("settled".into())
        );
        assert!(n.draft().is_none());
        n.open();
        type_text(&mut n, "gone");
        assert_eq!(n.on_key(&press(KeyCode::Esc)), NoteKey::Dropped);
        n.open();
        assert_eq!(
            n.on_key(&press(KeyCode::Enter)),
            NoteKey::Dropped,
            "nothing typed"
        );
    }

    #[test]
    fn pedal_keys_pass_through_and_other_keys_stay_in_the_note() {
        let mut n = NoteEditor::default();
        n.open();
        assert_eq!(n.on_key(&press(KeyCode::PageDown)), NoteKey::PassThrough);
        assert_eq!(n.on_key(&press(KeyCode::F(5))), NoteKey::PassThrough);
        assert_eq!(n.on_key(&press(KeyCode::Up)), NoteKey::Edited);
        type_text(&mut n, "q");
        assert_eq!(n.draft().map(LineInput::text), Some("q".to_owned()));
    }

    #[test]
    fn a_long_paste_is_cut_at_the_length_and_says_how_much_was_left_out() {
        let mut n = NoteEditor::default();
        assert!(!n.paste("x"), "no note being typed");
        n.open();
        assert!(n.paste(&"a".repeat(10_000)));
        assert_eq!(n.draft().map(LineInput::len), Some(NOTE_MAX));
        assert_eq!(n.left_out(), 10_000 - NOTE_MAX);
        // The next key clears the notice.
        n.on_key(&press(KeyCode::Left));
        assert_eq!(n.left_out(), 0);
    }

    #[test]
    fn a_note_stops_at_its_length() {
        let mut n = NoteEditor::default();
        n.open();
        type_text(&mut n, &"a".repeat(NOTE_MAX + 10));
        assert_eq!(n.draft().map(|d| d.text().chars().count()), Some(NOTE_MAX));
    }
}
