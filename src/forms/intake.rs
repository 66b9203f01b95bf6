//! The consultation before the first hold: who the client is (a pseudonym),
//! what they want attention on, pain and stress now, and the safety
//! checklist. A condition that needs a physician's release stops the start
//! until the release is recorded; cautions are noted for the whole session.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{FormEvent, LineInput, Rating, Row, keys_line, label, render_form};
use crate::protocol::Region;
use crate::record::{Caution, Condition, Intake, Release};
use crate::theme::Theme;

/// The longest client reference.
const CLIENT_MAX: usize = 40;
/// The longest free text about the focus.
const OTHER_MAX: usize = 200;

/// Where a condition on the checklist stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Ticked {
    /// Not ticked.
    #[default]
    No,
    /// Ticked: needs a physician's release.
    NeedsRelease,
    /// Ticked, and a physician has released the client.
    Released,
}

/// The rows the focus moves through, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Client,
    Focus,
    Other,
    Pain,
    Stress,
    Condition(usize),
    Caution(usize),
    Begin,
}

impl Field {
    fn all() -> Vec<Field> {
        let mut all = vec![
            Field::Client,
            Field::Focus,
            Field::Other,
            Field::Pain,
            Field::Stress,
        ];
        all.extend((0..Condition::ALL.len()).map(Field::Condition));
        all.extend((0..Caution::ALL.len()).map(Field::Caution));
        all.push(Field::Begin);
        all
    }
}

/// The consultation form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeForm {
    protocol: String,
    client: LineInput,
    focus: [bool; Region::ALL.len()],
    focus_cursor: usize,
    other: LineInput,
    pain: Rating,
    stress: Rating,
    conditions: [Ticked; Condition::ALL.len()],
    cautions: [bool; Caution::ALL.len()],
    field: usize,
    /// What stopped the last attempt to begin, in plain words.
    message: Option<String>,
}

impl IntakeForm {
    /// An empty consultation for `protocol`; `client` fills the reference
    /// (from `--client`).
    pub fn new(protocol: &str, client: Option<String>) -> IntakeForm {
        let client = LineInput::with_text(client.as_deref().unwrap_or(""), CLIENT_MAX);
        let start = if client.text().trim().is_empty() {
            Field::Client
        } else {
            Field::Focus
        };
        IntakeForm {
            protocol: protocol.to_owned(),
            client,
            focus: [false; Region::ALL.len()],
            focus_cursor: 0,
            other: LineInput::new(OTHER_MAX),
            pain: Rating::default(),
            stress: Rating::default(),
            conditions: [Ticked::No; Condition::ALL.len()],
            cautions: [false; Caution::ALL.len()],
            field: Field::all().iter().position(|f| *f == start).unwrap_or(0),
            message: None,
        }
    }

    fn current(&self) -> Field {
        Field::all()[self.field]
    }

    fn go_to(&mut self, field: Field) {
        self.field = Field::all().iter().position(|f| *f == field).unwrap_or(0);
    }

    fn next(&mut self) {
        self.field = (self.field + 1).min(Field::all().len() - 1);
    }

    /// Handles one key.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent<Intake> {
        if key.code == KeyCode::Esc {
            return FormEvent::Cancel;
        }
        if super::is_submit_anywhere(key) {
            return self.submit();
        }
        let field = self.current();
        // Text fields take printable keys first.
        let text = match field {
            Field::Client => Some(&mut self.client),
            Field::Other => Some(&mut self.other),
            _ => None,
        };
        if let Some(input) = text
            && !matches!(
                key.code,
                KeyCode::Up | KeyCode::Down | KeyCode::Tab | KeyCode::BackTab
            )
            && input.on_key(key)
        {
            return FormEvent::Redraw;
        }
        if let Some(to) = super::step_focus(self.field, Field::all().len(), key) {
            self.field = to;
            return FormEvent::Redraw;
        }
        match (field, key.code) {
            (Field::Begin, KeyCode::Enter | KeyCode::Char(' ')) => return self.submit(),
            (_, KeyCode::Enter) => self.next(),
            (Field::Focus, KeyCode::Left) => {
                self.focus_cursor = self.focus_cursor.saturating_sub(1);
            }
            (Field::Focus, KeyCode::Right) => {
                self.focus_cursor = (self.focus_cursor + 1).min(Region::ALL.len() - 1);
            }
            (Field::Focus, KeyCode::Char(' ')) => {
                self.focus[self.focus_cursor] = !self.focus[self.focus_cursor];
            }
            (Field::Pain, _) => {
                if !self.pain.on_key(key) {
                    return FormEvent::Nothing;
                }
            }
            (Field::Stress, _) => {
                if !self.stress.on_key(key) {
                    return FormEvent::Nothing;
                }
            }
            (Field::Condition(i), KeyCode::Char(' ')) => {
                self.conditions[i] = match self.conditions[i] {
                    Ticked::No => Ticked::NeedsRelease,
                    Ticked::NeedsRelease => Ticked::Released,
                    Ticked::Released => Ticked::No,
                };
                if self.message.is_some() && self.blocking().is_empty() {
                    self.message = None;
                }
            }
            (Field::Caution(i), KeyCode::Char(' ')) => self.cautions[i] = !self.cautions[i],
            _ => return FormEvent::Nothing,
        }
        FormEvent::Redraw
    }

    fn blocking(&self) -> Vec<Condition> {
        Condition::ALL
            .iter()
            .zip(self.conditions)
            .filter(|(_, t)| *t == Ticked::NeedsRelease)
            .map(|(c, _)| *c)
            .collect()
    }

    /// The answers so far.
    pub fn intake(&self) -> Intake {
        Intake {
            client: self.client.text().trim().to_owned(),
            focus: Region::ALL
                .iter()
                .zip(self.focus)
                .filter(|(_, on)| *on)
                .map(|(r, _)| *r)
                .collect(),
            focus_note: self.other.text().trim().to_owned(),
            pain: self.pain.get().unwrap_or(0),
            stress: self.stress.get().unwrap_or(0),
            releases: Condition::ALL
                .iter()
                .zip(self.conditions)
                .filter(|(_, t)| *t != Ticked::No)
                .map(|(c, t)| Release {
                    condition: *c,
                    released: t == Ticked::Released,
                })
                .collect(),
            cautions: Caution::ALL
                .iter()
                .zip(self.cautions)
                .filter(|(_, on)| *on)
                .map(|(c, _)| *c)
                .collect(),
        }
    }

    /// Begins the session if everything needed is answered and nothing
    /// stops it; otherwise says what is missing and goes to it.
    fn submit(&mut self) -> FormEvent<Intake> {
        if self.client.text().trim().is_empty() {
            self.message =
                Some("Enter a client reference: a pseudonym or initials are enough.".to_owned());
            self.go_to(Field::Client);
            return FormEvent::Redraw;
        }
        if self.pain.get().is_none() {
            self.message = Some("Rate the client's pain now, from 0 to 10.".to_owned());
            self.go_to(Field::Pain);
            return FormEvent::Redraw;
        }
        if self.stress.get().is_none() {
            self.message = Some("Rate the client's stress now, from 0 to 10.".to_owned());
            self.go_to(Field::Stress);
            return FormEvent::Redraw;
        }
        let blocking = self.blocking();
        if let Some(first) = blocking.first() {
            let names: Vec<&str> = blocking.iter().map(|c| c.label()).collect();
            self.message = Some(format!(
                "The session can't start: {} {} a physician's release first. If the client \
                 has one, press space on that row again to record it; otherwise end here \
                 with Esc.",
                names.join(", "),
                if names.len() == 1 { "needs" } else { "need" }
            ));
            let i = Condition::ALL.iter().position(|c| c == first).unwrap_or(0);
            self.go_to(Field::Condition(i));
            return FormEvent::Redraw;
        }
        self.message = None;
        FormEvent::Submit(self.intake())
    }

    /// Draws the form.
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &Theme) {
        let field = self.current();
        let on = |f: Field| field == f;
        let width = area.width.saturating_sub(4) as usize;
        let mut rows = Vec::new();
        rows.push(Row::new(Line::styled(
            "Before the first hold. Kept only in this session's private record.",
            t.muted,
        )));
        rows.push(Row::new(Line::default()));
        let mut client = vec![label("Client reference", on(Field::Client), t)];
        client.extend(self.client.spans(
            width.saturating_sub(44).max(8),
            on(Field::Client),
            t.text,
        ));
        client.push(Span::styled(
            "  a pseudonym or initials; no real name needed",
            t.muted,
        ));
        rows.push(Row::focused(Line::from(client), on(Field::Client)));

        // The regions flow across as many rows as the width needs.
        let mut line = vec![label("Focus areas", on(Field::Focus), t)];
        let mut used = 20;
        let mut first_row = true;
        for (i, region) in Region::ALL.iter().enumerate() {
            let cell = format!(
                "[{}] {}",
                if self.focus[i] { "x" } else { " " },
                region.label()
            );
            let w = cell.chars().count() + 2;
            if used + w > width && used > 20 {
                rows.push(Row::focused(
                    Line::from(std::mem::take(&mut line)),
                    on(Field::Focus) && first_row,
                ));
                first_row = false;
                line = vec![Span::raw(" ".repeat(20))];
                used = 20;
            }
            let style = if on(Field::Focus) && i == self.focus_cursor {
                t.accent.add_modifier(Modifier::REVERSED)
            } else if self.focus[i] {
                t.accent
            } else {
                t.text
            };
            line.push(Span::styled(cell, style));
            line.push(Span::raw("  "));
            used += w;
        }
        rows.push(Row::focused(
            Line::from(line),
            on(Field::Focus) && first_row,
        ));
        let mut other = vec![label("Other focus", on(Field::Other), t)];
        other.extend(
            self.other
                .spans(width.saturating_sub(20).max(8), on(Field::Other), t.text),
        );
        rows.push(Row::focused(Line::from(other), on(Field::Other)));
        rows.push(Row::new(Line::default()));
        for (f, name, rating) in [
            (Field::Pain, "Pain now", self.pain),
            (Field::Stress, "Stress now", self.stress),
        ] {
            let mut spans = vec![label(name, on(f), t)];
            spans.extend(rating.spans(on(f), t));
            rows.push(Row::focused(Line::from(spans), on(f)));
        }
        rows.push(Row::new(Line::default()));
        rows.push(Row::new(Line::styled(
            "  Needs a physician's release first (space: tick · released · clear)",
            t.text.add_modifier(Modifier::BOLD),
        )));
        for (i, condition) in Condition::ALL.iter().enumerate() {
            let focused = on(Field::Condition(i));
            let (mark, state, style) = match self.conditions[i] {
                Ticked::No => ("[ ]", "", t.text),
                Ticked::NeedsRelease => ("[x]", "  needs a release", t.overtime),
                Ticked::Released => ("[x]", "  released by physician ✓", t.accent),
            };
            let lead = if focused { "▸ " } else { "  " };
            rows.push(Row::focused(
                Line::from(vec![
                    Span::styled(
                        format!("{lead}{mark} {}", condition.label()),
                        if focused {
                            style.add_modifier(Modifier::BOLD)
                        } else {
                            style
                        },
                    ),
                    Span::styled(state, style),
                ]),
                focused,
            ));
        }
        rows.push(Row::new(Line::default()));
        rows.push(Row::new(Line::styled(
            "  Take extra care (shown all session)",
            t.text.add_modifier(Modifier::BOLD),
        )));
        for (i, caution) in Caution::ALL.iter().enumerate() {
            let focused = on(Field::Caution(i));
            let lead = if focused { "▸ " } else { "  " };
            let style = match (self.cautions[i], focused) {
                (true, _) => t.overtime,
                (false, true) => t.accent,
                (false, false) => t.text,
            };
            rows.push(Row::focused(
                Line::styled(
                    format!(
                        "{lead}[{}] {}",
                        if self.cautions[i] { "x" } else { " " },
                        caution.label()
                    ),
                    style,
                ),
                focused,
            ));
        }
        rows.push(Row::new(Line::default()));
        let begin_style = if on(Field::Begin) {
            t.accent.add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            t.accent
        };
        rows.push(Row::focused(
            Line::from(vec![
                Span::raw("  "),
                Span::styled(" Begin session ", begin_style),
            ]),
            on(Field::Begin),
        ));

        let mut footer = Vec::new();
        if let Some(m) = &self.message {
            footer.push(Line::styled(m.clone(), t.overtime));
        } else if self.cautions.iter().any(|c| *c) {
            footer.push(Line::styled(
                "The cautions ticked will show on the dashboard all session.",
                t.muted,
            ));
        }
        footer.push(keys_line(
            &[
                ("↑↓", "move"),
                ("space", "tick"),
                ("←→ 0-9", "rate"),
                ("enter", "next"),
                ("F10", "begin"),
                ("esc", "leave"),
            ],
            t,
        ));
        render_form(
            area,
            buf,
            t,
            &format!("consultation · {}", self.protocol),
            rows,
            footer,
        );
    }
}
