//! A 0–10 rating (pain now, stress now): unset until answered, stepped with
//! the arrows or typed as a digit, and drawn as a scale with the answer in
//! brackets, or compactly when the window is narrow.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::Modifier;
use ratatui::text::Span;

use crate::text;
use crate::tui::theme::Theme;

/// The highest rating.
const TOP: u8 = 10;

/// A 0–10 rating, unset until answered.
///
/// Keys: ←/→ (or `-`/`+`) step it, from unset starting at 0; Home/End give
/// 0/10; a digit sets it, and `1` followed directly by `0` gives 10. Any key
/// between the two (moving away included, see [`Rating::settle`]) makes the
/// `0` a plain 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rating {
    value: Option<u8>,
    /// The last key this rating took was the digit 1.
    after_one: bool,
}

impl Rating {
    /// The answer, if given.
    pub fn get(self) -> Option<u8> {
        self.value
    }

    /// Handles a key; false if it is not one a rating takes.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        let after_one = std::mem::take(&mut self.after_one);
        let value = match key.code {
            KeyCode::Left | KeyCode::Char('-') => self.value.map_or(0, |v| v.saturating_sub(1)),
            KeyCode::Right | KeyCode::Char('+') => self.value.map_or(0, |v| (v + 1).min(TOP)),
            KeyCode::Home => 0,
            KeyCode::End => TOP,
            KeyCode::Char('0') if after_one => TOP,
            KeyCode::Char(c @ '0'..='9') => {
                self.after_one = c == '1';
                c as u8 - b'0'
            }
            _ => {
                self.after_one = after_one;
                return false;
            }
        };
        self.value = Some(value);
        true
    }

    /// Forgets a pending `1`, so a later `0` means 0: forms call this for
    /// every key that does not go to the rating.
    pub fn settle(&mut self) {
        self.after_one = false;
    }

    /// The rating drawn in at most `width` columns: the whole scale
    /// `0  1  2 [3] 4 … 10   3/10` when it fits, else `[ 3 ] of 0–10`, else
    /// just `3/10`. Unset, it says "not set".
    pub(super) fn spans(self, width: usize, t: &Theme) -> Vec<Span<'static>> {
        let answer = match self.value {
            Some(v) => Span::styled(format!("{v}/{TOP}"), t.text),
            None => Span::styled("not set", t.muted),
        };
        let chosen = t.accent.add_modifier(Modifier::BOLD);
        // 11 values in 3 columns each (10 takes 4), then the answer.
        if width >= 34 + 3 + text::width(&answer.content) {
            let mut spans: Vec<Span<'static>> = (0..=TOP)
                .map(|v| {
                    if self.value == Some(v) {
                        Span::styled(format!("[{v}]"), chosen)
                    } else {
                        Span::styled(format!(" {v} "), t.muted)
                    }
                })
                .collect();
            spans.push(Span::raw("   "));
            spans.push(answer);
            return spans;
        }
        let compact = match self.value {
            Some(v) => vec![
                Span::styled(format!("[ {v} ]"), chosen),
                Span::styled(" of 0–10", t.muted),
            ],
            None => vec![
                Span::styled("not set", t.muted),
                Span::styled(" (0–10)", t.muted),
            ],
        };
        if width >= compact.iter().map(|s| text::width(&s.content)).sum() {
            compact
        } else {
            vec![answer]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn press(r: &mut Rating, keys: &str) {
        for c in keys.chars() {
            r.on_key(&k(KeyCode::Char(c)));
        }
    }

    fn text(r: Rating, width: usize) -> String {
        r.spans(width, &Theme::plain())
            .iter()
            .map(|s| s.content.to_string())
            .collect()
    }

    #[test]
    fn starts_unset_and_steps_within_the_scale() {
        let mut r = Rating::default();
        assert_eq!(r.get(), None);
        r.on_key(&k(KeyCode::Left));
        assert_eq!(r.get(), Some(0));
        r.on_key(&k(KeyCode::Left));
        assert_eq!(r.get(), Some(0));
        r.on_key(&k(KeyCode::End));
        r.on_key(&k(KeyCode::Right));
        assert_eq!(r.get(), Some(10));
        r.on_key(&k(KeyCode::Char('-')));
        assert_eq!(r.get(), Some(9));
        let mut r = Rating::default();
        r.on_key(&k(KeyCode::Right));
        assert_eq!(r.get(), Some(0), "from unset → also starts at 0");
        assert!(!r.on_key(&k(KeyCode::Char('x'))));
        assert!(!r.on_key(&k(KeyCode::Enter)));
    }

    #[test]
    fn one_then_zero_is_ten_only_as_two_keys_in_a_row() {
        let mut r = Rating::default();
        press(&mut r, "10");
        assert_eq!(r.get(), Some(10));
        press(&mut r, "0");
        assert_eq!(r.get(), Some(0), "a third key starts afresh");
        press(&mut r, "7");
        press(&mut r, "0");
        assert_eq!(r.get(), Some(0));
        // A rating of 1 corrected to 0 later is 0, not 10.
        press(&mut r, "1");
        r.settle();
        press(&mut r, "0");
        assert_eq!(r.get(), Some(0));
        press(&mut r, "1");
        r.on_key(&k(KeyCode::Right));
        press(&mut r, "0");
        assert_eq!(r.get(), Some(0));
        // A key the rating ignores does not break the pair.
        press(&mut r, "1");
        r.on_key(&k(KeyCode::Char('x')));
        press(&mut r, "0");
        assert_eq!(r.get(), Some(10));
    }

    #[test]
    fn draws_the_whole_scale_or_less_as_the_width_allows() {
        let mut r = Rating::default();
        assert_eq!(text(r, 80), " 0  1  2  3  4  5  6  7  8  9  10    not set");
        press(&mut r, "4");
        assert_eq!(text(r, 80), " 0  1  2  3 [4] 5  6  7  8  9  10    4/10");
        assert_eq!(text(r, 40), "[ 4 ] of 0–10");
        assert_eq!(text(r, 5), "4/10");
        assert_eq!(text(Rating::default(), 16), "not set (0–10)");
        press(&mut r, "10");
        assert_eq!(text(r, 80), " 0  1  2  3  4  5  6  7  8  9 [10]   10/10");
        for width in 0..60 {
            let drawn: usize = r
                .spans(width, &Theme::plain())
                .iter()
                .map(Span::width)
                .sum();
            assert!(drawn <= width.max(5), "{width}");
        }
    }
}
