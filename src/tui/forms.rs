//! The screens around the holds: the consultation before the first step
//! ([`IntakeForm`]), the closing questions after the last ([`AftercareForm`]),
//! the session summary ([`SummaryScreen`]), and the one-line editor they and
//! the dashboard's note line use ([`LineInput`]).
//!
//! Each is pure state with key handling and rendering: no IO, no clock. The
//! shell feeds key presses to `on_key`, acts on the [`FormEvent`] it returns,
//! and draws with `render`; tests do the same with scripted keys.
//!
//! Every screen draws at any size: below the dashboard's minimum it asks for
//! a larger window, and above it a form scrolls to keep the field being
//! answered in view. Only the dim theme's foreground colours are used (no
//! filled backgrounds, nothing blinks); what is chosen is also shown in
//! characters (`▸`, `[x]`, `[4]`), so the forms read the same with `NO_COLOR`.
//!
//! The only state that drawing changes is where a screen is scrolled to and
//! how many columns the focus grid had (kept in `Cell`s), so the view moves
//! only when it must and ↑/↓ follow the grid as it was drawn.

mod aftercare;
mod frame;
mod intake;
mod line_input;
mod rating;
mod summary;

pub use aftercare::AftercareForm;
pub use intake::IntakeForm;
pub use line_input::LineInput;
pub use rating::Rating;
pub use summary::SummaryScreen;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key did to a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEvent<T> {
    /// Nothing changed; no need to draw.
    Nothing,
    /// The screen changed; draw it again.
    Redraw,
    /// The screen is done, with its answers.
    Submit(T),
    /// The therapist left the screen (Esc).
    Cancel,
}

/// True for keys that should not reach a form: key releases (only presses
/// act; repeats do, as a held Backspace should).
fn ignored(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Release
}

/// True for the keys that finish a form from any field: F10, Ctrl-S, and
/// Ctrl-Enter where the terminal reports it.
fn is_submit_anywhere(key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::F(10) => true,
        KeyCode::Char('s' | 'S') | KeyCode::Enter => ctrl,
        _ => false,
    }
}

/// Where ↑/↓/Tab/Shift-Tab move the focus among `n` fields, if the key is
/// one of them.
fn step_focus(focus: usize, n: usize, key: &KeyEvent) -> Option<usize> {
    match key.code {
        KeyCode::Down | KeyCode::Tab => Some((focus + 1).min(n.saturating_sub(1))),
        KeyCode::Up | KeyCode::BackTab => Some(focus.saturating_sub(1)),
        _ => None,
    }
}

/// Redraw when `changed`, else nothing.
fn redraw_if<T>(changed: bool) -> FormEvent<T> {
    if changed {
        FormEvent::Redraw
    } else {
        FormEvent::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_keys() {
        let ctrl = |code| KeyEvent::new(code, KeyModifiers::CONTROL);
        assert!(is_submit_anywhere(&KeyEvent::from(KeyCode::F(10))));
        assert!(is_submit_anywhere(&ctrl(KeyCode::Char('s'))));
        assert!(is_submit_anywhere(&ctrl(KeyCode::Enter)));
        assert!(!is_submit_anywhere(&KeyEvent::from(KeyCode::Enter)));
        assert!(!is_submit_anywhere(&KeyEvent::from(KeyCode::Char('s'))));
    }
}
