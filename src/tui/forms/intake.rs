//! The consultation before the first hold: who the client is (a pseudonym),
//! what they would like attention on, pain and stress now, and the safety
//! checklist. A condition that needs a physician's release stops the start
//! until the release is recorded; cautions never stop it, and are shown all
//! session.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::frame::{Form, LABEL_WIDTH, Rows, button, keys_lines, label, text_row, too_small, wrap};
use super::{FormEvent, LineInput, Rating};
use crate::protocol::Region;
use crate::session::record::{CLIENT_MAX, Caution, Condition, Intake, Release, client_reference};
use crate::text;
use crate::tui::theme::Theme;

/// The longest free text about the focus.
const OTHER_MAX: usize = 200;
/// How far the focus grid is indented.
const GRID_INDENT: usize = 4;
/// Columns between two columns of the focus grid.
const GRID_GAP: usize = 2;

/// Where a condition on the checklist stands; Space moves it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Ticked {
    /// Not ticked.
    #[default]
    No,
    /// Ticked: needs a physician's release first.
    NeedsRelease,
    /// Ticked, and a physician has released the client for a session.
    Released,
}

/// The fields the focus moves through, top to bottom.
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

    fn index(self) -> usize {
        Field::all().iter().position(|f| *f == self).unwrap_or(0)
    }

    fn at(index: usize) -> Field {
        let all = Field::all();
        all[index.min(all.len() - 1)]
    }
}

/// The consultation form: build it with [`IntakeForm::new`], feed it keys
/// with [`IntakeForm::on_key`] until it returns `Submit(intake)` or `Cancel`,
/// and draw it with [`IntakeForm::render`].
///
/// Keys: ↑/↓ or Tab/Shift-Tab move between fields (↑/↓ move through the
/// focus grid's rows first); Enter moves on, and on "Begin session" begins;
/// F10 (or Ctrl-S) begins from anywhere; Esc leaves (`Cancel`). In the
/// grid ←/→ move and Space ticks; a checklist row takes Space; a rating
/// takes ←/→ and digits (see [`Rating`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeForm {
    protocol: String,
    /// The reference given on the command line, if any.
    prefilled: String,
    client: LineInput,
    focus: [bool; Region::ALL.len()],
    /// The region the grid's cursor is on.
    region: usize,
    other: LineInput,
    pain: Rating,
    stress: Rating,
    conditions: [Ticked; Condition::ALL.len()],
    cautions: [bool; Caution::ALL.len()],
    field: Field,
    /// The therapist tried to begin: from then on the form says what still
    /// stops it.
    attempted: bool,
    /// Columns of the focus grid as last drawn, so ↑/↓ follow what is seen.
    grid_columns: Cell<usize>,
    /// The first row shown, as last drawn.
    scroll: Cell<usize>,
    /// Esc was pressed with answers filled in: the form asks before it
    /// throws them away.
    leaving: bool,
}

impl IntakeForm {
    /// An empty consultation for the protocol named `protocol_name` (from
    /// a studio's file: the title shows it as one safe line). `client`
    /// (from `--client`) fills in the reference, control characters
    /// dropped; then the focus starts on the focus areas instead of the
    /// reference.
    pub fn new(protocol_name: &str, client: Option<String>) -> IntakeForm {
        let client = LineInput::with_text(
            &client_reference(client.as_deref().unwrap_or("")),
            CLIENT_MAX,
        );
        let field = if client.is_empty() {
            Field::Client
        } else {
            Field::Focus
        };
        IntakeForm {
            protocol: protocol_name.to_owned(),
            prefilled: client.text(),
            client,
            focus: [false; Region::ALL.len()],
            region: 0,
            other: LineInput::new(OTHER_MAX),
            pain: Rating::default(),
            stress: Rating::default(),
            conditions: [Ticked::No; Condition::ALL.len()],
            cautions: [false; Caution::ALL.len()],
            field,
            attempted: false,
            grid_columns: Cell::new(1),
            scroll: Cell::new(0),
            leaving: false,
        }
    }

    /// Pastes `text` into the text field in focus (the client reference or
    /// the other focus); `false` when no text field has the focus.
    pub fn paste(&mut self, text: &str) -> bool {
        match self.field {
            Field::Client => {
                self.client.insert_str(text);
                true
            }
            Field::Other => {
                self.other.insert_str(text);
                true
            }
            _ => false,
        }
    }

    /// True once anything has been answered beyond a prefilled client
    /// reference: the shell can ask before Esc throws the answers away.
    pub fn has_answers(&self) -> bool {
        self.client.text() != self.prefilled
            || self.focus.iter().any(|on| *on)
            || !self.other.is_empty()
            || self.pain.get().is_some()
            || self.stress.get().is_some()
            || self.conditions.iter().any(|c| *c != Ticked::No)
            || self.cautions.iter().any(|on| *on)
    }

    /// Handles one key press: `Submit` carries the answers once nothing
    /// needed is missing and no condition lacks its release; `Cancel` is Esc.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent<Intake> {
        if super::ignored(key) {
            return FormEvent::Nothing;
        }
        if !matches!(key.code, KeyCode::Char('0'..='9')) {
            self.pain.settle();
            self.stress.settle();
        }
        if self.leaving {
            // Esc again or y leaves; anything else keeps the answers (and is
            // not acted on, so a stray key cannot change one).
            self.leaving = false;
            return match key.code {
                KeyCode::Esc | KeyCode::Char('y' | 'Y') => FormEvent::Cancel,
                _ => FormEvent::Redraw,
            };
        }
        if key.code == KeyCode::Esc {
            if self.has_answers() {
                self.leaving = true;
                return FormEvent::Redraw;
            }
            return FormEvent::Cancel;
        }
        if super::is_submit_anywhere(key) {
            return self.submit();
        }
        let before = self.clone();
        if let Some(event) = self.handle(key) {
            return event;
        }
        super::redraw_if(*self != before)
    }

    /// Acts on a key; `Some` when it ends in an event other than a redraw.
    fn handle(&mut self, key: &KeyEvent) -> Option<FormEvent<Intake>> {
        let field = self.field;
        if matches!(key.code, KeyCode::Tab | KeyCode::BackTab) {
            self.move_focus(key);
            return None;
        }
        if let Some(input) = match field {
            Field::Client => Some(&mut self.client),
            Field::Other => Some(&mut self.other),
            _ => None,
        } && input.on_key(key)
        {
            return None;
        }
        match (field, key.code) {
            (Field::Begin, KeyCode::Enter | KeyCode::Char(' ')) => return Some(self.submit()),
            (_, KeyCode::Enter) => self.field = Field::at(field.index() + 1),
            (Field::Focus, _) => self.on_grid_key(key),
            (_, KeyCode::Up | KeyCode::Down) => self.move_focus(key),
            (Field::Pain, _) => {
                self.pain.on_key(key);
            }
            (Field::Stress, _) => {
                self.stress.on_key(key);
            }
            (Field::Condition(i), KeyCode::Char(' ')) => {
                self.conditions[i] = match self.conditions[i] {
                    Ticked::No => Ticked::NeedsRelease,
                    Ticked::NeedsRelease => Ticked::Released,
                    Ticked::Released => Ticked::No,
                };
            }
            (Field::Caution(i), KeyCode::Char(' ')) => self.cautions[i] = !self.cautions[i],
            _ => {}
        }
        None
    }

    fn move_focus(&mut self, key: &KeyEvent) {
        let all = Field::all().len();
        if let Some(to) = super::step_focus(self.field.index(), all, key) {
            self.field = Field::at(to);
        }
    }

    /// Keys in the focus grid: the arrows move over the grid as drawn (↑/↓
    /// leave it past its first and last rows), Space ticks.
    fn on_grid_key(&mut self, key: &KeyEvent) {
        let last = Region::ALL.len() - 1;
        let cols = self.grid_columns.get().max(1);
        let row = self.region / cols;
        let last_row = last / cols;
        match key.code {
            KeyCode::Left => self.region = self.region.saturating_sub(1),
            KeyCode::Right => self.region = (self.region + 1).min(last),
            KeyCode::Home => self.region = 0,
            KeyCode::End => self.region = last,
            KeyCode::Up if row > 0 => self.region -= cols,
            KeyCode::Down if row < last_row => self.region = (self.region + cols).min(last),
            KeyCode::Up | KeyCode::Down => self.move_focus(key),
            KeyCode::Char(' ') => self.focus[self.region] = !self.focus[self.region],
            _ => {}
        }
    }

    /// The conditions ticked without a physician's release.
    fn blocking(&self) -> Vec<Condition> {
        Condition::ALL
            .iter()
            .zip(self.conditions)
            .filter(|(_, t)| *t == Ticked::NeedsRelease)
            .map(|(c, _)| *c)
            .collect()
    }

    /// What stops the session from beginning, and the field to fix it in.
    fn problem(&self) -> Option<(Field, String)> {
        let mut missing = Vec::new();
        if self.client.text().trim().is_empty() {
            missing.push((
                Field::Client,
                "a client reference",
                "Enter a client reference: a pseudonym or initials are enough.",
            ));
        }
        if self.pain.get().is_none() {
            missing.push((
                Field::Pain,
                "pain now",
                "Rate the client's pain now, from 0 to 10.",
            ));
        }
        if self.stress.get().is_none() {
            missing.push((
                Field::Stress,
                "stress now",
                "Rate the client's stress now, from 0 to 10.",
            ));
        }
        if let Some((field, _, ask)) = missing.first() {
            let rest: Vec<&str> = missing[1..].iter().map(|(_, what, _)| *what).collect();
            let message = if rest.is_empty() {
                (*ask).to_owned()
            } else {
                format!("{ask} Also still needed: {}.", rest.join(" and "))
            };
            return Some((*field, message));
        }
        let blocking = self.blocking();
        let first = *blocking.first()?;
        let names: Vec<&str> = blocking.iter().map(|c| c.label()).collect();
        let (needs, row) = if names.len() == 1 {
            ("needs", "that row")
        } else {
            ("need", "each of those rows")
        };
        let message = format!(
            "The session can't start: {} {needs} a physician's release first. If the client \
             has one, press Space on {row} again to mark it released; if not, Esc leaves \
             without starting.",
            names.join(", ")
        );
        let i = Condition::ALL.iter().position(|c| *c == first).unwrap_or(0);
        Some((Field::Condition(i), message))
    }

    /// Begins the session if nothing stops it; otherwise goes to what does.
    fn submit(&mut self) -> FormEvent<Intake> {
        self.attempted = true;
        if let Some((field, _)) = self.problem() {
            self.field = field;
            return FormEvent::Redraw;
        }
        FormEvent::Submit(self.answers())
    }

    /// The answers (complete only once `problem` is `None`).
    pub fn answers(&self) -> Intake {
        Intake {
            client: client_reference(&self.client.text()),
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

    /// Draws the form in `area` (any size; below 40×12 it asks for a larger
    /// window).
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &Theme) {
        if too_small(area, buf, t) {
            return;
        }
        let mut rows = Rows::new(area);
        let width = rows.width();
        rows.text(
            vec![Span::styled(
                "Before the first hold. The answers go into this session's record.",
                t.muted,
            )],
            0,
        );
        rows.blank();
        self.who_and_focus_rows(&mut rows, t);
        rows.blank();
        self.rating_rows(&mut rows, t);
        rows.blank();
        self.condition_rows(&mut rows, t);
        rows.blank();
        self.caution_rows(&mut rows, t);
        rows.blank();
        let on = self.field == Field::Begin;
        rows.field(on, vec![button("Begin session", on, t)], 0);

        let message = if self.leaving {
            Some(Span::styled(
                "Leave the consultation and discard its answers? Esc again or y leaves; any \
                 other key goes back to it."
                    .to_owned(),
                t.overtime,
            ))
        } else if let Some((_, message)) = self.problem().filter(|_| self.attempted) {
            Some(Span::styled(message, t.overtime))
        } else {
            self.answers().cautions_text().map(|care| {
                Span::styled(
                    format!("Shown on the dashboard all session — Care: {care}."),
                    t.muted,
                )
            })
        };
        Form {
            title: &format!("consultation · {}", self.protocol),
            rows,
            message: message.map_or_else(Vec::new, |m| wrap(vec![m], width, 0)),
            keys: keys_lines(&self.keys(), width, t),
            scroll: &self.scroll,
        }
        .render(area, buf, t);
    }

    /// The client reference, the focus regions and the other focus.
    fn who_and_focus_rows(&self, rows: &mut Rows, t: &Theme) {
        let width = rows.width();
        let on = |f: Field| self.field == f;
        let mut client = vec![text_row(
            "Client reference",
            &self.client,
            on(Field::Client),
            (width - LABEL_WIDTH).min(CLIENT_MAX + 1),
            t,
        )];
        client.extend(wrap(
            vec![
                Span::raw(" ".repeat(LABEL_WIDTH)),
                Span::styled("a pseudonym or initials; no real name needed", t.muted),
            ],
            width,
            LABEL_WIDTH,
        ));
        rows.field(on(Field::Client), client, 0);
        let (grid, cursor_row) = self.grid(width, on(Field::Focus), t);
        rows.field(on(Field::Focus), grid, cursor_row);
        rows.field(
            on(Field::Other),
            vec![text_row(
                "Other focus",
                &self.other,
                on(Field::Other),
                width - LABEL_WIDTH,
                t,
            )],
            0,
        );
    }

    /// Pain and stress now.
    fn rating_rows(&self, rows: &mut Rows, t: &Theme) {
        let width = rows.width();
        for (f, name, rating) in [
            (Field::Pain, "Pain now", self.pain),
            (Field::Stress, "Stress now", self.stress),
        ] {
            let on = self.field == f;
            let mut spans = vec![label(name, on, t)];
            spans.extend(rating.spans(width - LABEL_WIDTH, t));
            rows.field(on, vec![Line::from(spans)], 0);
        }
    }

    /// The conditions that need a physician's release, each ticked or not
    /// and released or not.
    fn condition_rows(&self, rows: &mut Rows, t: &Theme) {
        let width = rows.width();
        let heading = t.text.add_modifier(Modifier::BOLD);
        rows.text(
            vec![Span::styled(
                "  Needs a physician's release before a session",
                heading,
            )],
            2,
        );
        for (i, condition) in Condition::ALL.iter().enumerate() {
            let focused = self.field == Field::Condition(i);
            let (mark, state, style) = match self.conditions[i] {
                Ticked::No => (" ", "", if focused { t.accent } else { t.text }),
                Ticked::NeedsRelease => ("x", "  needs a physician's release", t.overtime),
                Ticked::Released => ("x", "  released by physician ✓", t.accent),
            };
            let spans = vec![
                Span::styled(
                    format!("{}[{mark}] {}", lead(focused), condition.label()),
                    emphasis(style, focused),
                ),
                Span::styled(state, style),
            ];
            rows.field(focused, wrap(spans, width, 6), 0);
        }
    }

    /// The reasons for extra care.
    fn caution_rows(&self, rows: &mut Rows, t: &Theme) {
        let width = rows.width();
        let heading = t.text.add_modifier(Modifier::BOLD);
        rows.text(
            vec![Span::styled(
                "  Take extra care (shown all session)",
                heading,
            )],
            2,
        );
        for (i, caution) in Caution::ALL.iter().enumerate() {
            let focused = self.field == Field::Caution(i);
            let (mark, style) = match (self.cautions[i], focused) {
                (true, _) => ("x", t.overtime),
                (false, true) => (" ", t.accent),
                (false, false) => (" ", t.text),
            };
            let line = Span::styled(
                format!("{}[{mark}] {}", lead(focused), caution.label()),
                emphasis(style, focused),
            );
            rows.field(focused, wrap(vec![line], width, 6), 0);
        }
    }

    /// The keys for the field in focus, then those that work everywhere.
    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let mut keys = match self.field {
            Field::Client | Field::Other => vec![],
            Field::Focus => vec![("arrows", "move"), ("Space", "tick")],
            Field::Pain | Field::Stress => vec![("←→ or 0–9", "rate"), ("1 0", "makes 10")],
            Field::Condition(_) => vec![("Space", "tick · released · clear")],
            Field::Caution(_) => vec![("Space", "tick")],
            Field::Begin => vec![("Enter", "begin the session")],
        };
        keys.extend([
            ("Tab ↓", "next"),
            ("↑", "back"),
            ("F10", "begin"),
            ("Esc", "leave"),
        ]);
        keys
    }

    /// The focus areas: a heading row, then the regions in as many aligned
    /// columns as fit; and the row the grid's cursor is on.
    fn grid(&self, width: usize, focused: bool, t: &Theme) -> (Vec<Line<'static>>, usize) {
        let cells: Vec<String> = Region::ALL
            .iter()
            .zip(self.focus)
            .map(|(r, on)| format!("[{}] {}", if on { "x" } else { " " }, r.label()))
            .collect();
        let room = width.saturating_sub(GRID_INDENT);
        let widths = column_widths(&cells, room);
        let cols = widths.len().max(1);
        self.grid_columns.set(cols);
        let mut lines = vec![Line::from(label("Focus areas", focused, t))];
        for (r, row) in cells.chunks(cols).enumerate() {
            let mut spans = vec![Span::raw(" ".repeat(GRID_INDENT - 1))];
            for (c, cell) in row.iter().enumerate() {
                let i = r * cols + c;
                let here = focused && i == self.region;
                let style = match (here, self.focus[i]) {
                    (true, _) => t.accent.add_modifier(Modifier::BOLD),
                    (false, true) => t.accent,
                    (false, false) => t.text,
                };
                let w = widths.get(c).copied().unwrap_or(room);
                // Every column but the last is padded to its width and the gap.
                let cell = if c + 1 < row.len() {
                    text::pad(&text::truncate(cell, w), w + GRID_GAP)
                } else {
                    text::truncate(cell, w)
                };
                spans.push(Span::styled(if here { "›" } else { " " }, style));
                spans.push(Span::styled(cell, style));
            }
            lines.push(Line::from(spans));
        }
        (lines, 1 + self.region / cols)
    }
}

/// The widths of the most columns `cells` fit in within `room` (row by row,
/// each column as wide as its widest cell, a cursor mark before each);
/// one column cut to `room` if even that does not fit.
fn column_widths(cells: &[String], room: usize) -> Vec<usize> {
    for cols in (1..=cells.len()).rev() {
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                cells
                    .iter()
                    .skip(c)
                    .step_by(cols)
                    .map(|s| text::width(s))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total: usize = widths.iter().map(|w| w + 1).sum::<usize>() + GRID_GAP * (cols - 1);
        if total <= room {
            return widths;
        }
    }
    vec![room.saturating_sub(1)]
}

/// The mark before a focused checklist row.
fn lead(focused: bool) -> &'static str {
    if focused { "▸ " } else { "  " }
}

/// `style`, bold when the row is focused.
fn emphasis(style: Style, focused: bool) -> Style {
    if focused {
        style.add_modifier(Modifier::BOLD)
    } else {
        style
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
    fn the_grid_uses_as_many_columns_as_fit() {
        let cells: Vec<String> = Region::ALL
            .iter()
            .map(|r| format!("[ ] {}", r.label()))
            .collect();
        assert_eq!(column_widths(&cells, 72).len(), 3);
        assert_eq!(column_widths(&cells, 112).len(), 6);
        assert_eq!(column_widths(&cells, 32).len(), 1);
        assert_eq!(column_widths(&cells, 10), vec![9]);
    }

    #[test]
    fn up_and_down_walk_the_grid_as_drawn_then_leave_it() {
        let mut form = IntakeForm::new("P", Some("AB".into()));
        form.grid_columns.set(3);
        form.on_key(&k(KeyCode::Down));
        assert_eq!((form.field, form.region), (Field::Focus, 3));
        form.on_key(&k(KeyCode::End));
        form.on_key(&k(KeyCode::Up));
        assert_eq!(form.region, 15);
        form.on_key(&k(KeyCode::Right));
        form.on_key(&k(KeyCode::Down));
        assert_eq!(form.region, 18, "into the short last row");
        form.on_key(&k(KeyCode::Down));
        assert_eq!(form.field, Field::Other);
        form.on_key(&k(KeyCode::Up));
        assert_eq!((form.field, form.region), (Field::Focus, 18));
        form.on_key(&k(KeyCode::Home));
        form.on_key(&k(KeyCode::Up));
        assert_eq!(form.field, Field::Client);
    }

    #[test]
    fn nothing_to_draw_when_a_key_changes_nothing() {
        let mut form = IntakeForm::new("P", None);
        assert_eq!(form.on_key(&k(KeyCode::Up)), FormEvent::Nothing);
        assert_eq!(form.on_key(&k(KeyCode::Char('A'))), FormEvent::Redraw);
        assert_eq!(form.on_key(&k(KeyCode::F(5))), FormEvent::Nothing);
        let release = KeyEvent::new_with_kind(
            KeyCode::Char('B'),
            KeyModifiers::NONE,
            ratatui::crossterm::event::KeyEventKind::Release,
        );
        assert_eq!(form.on_key(&release), FormEvent::Nothing);
        assert_eq!(form.client.text(), "A");
    }

    #[test]
    fn a_prefilled_reference_is_not_an_answer() {
        let mut form = IntakeForm::new("P", Some(" AB ".into()));
        assert_eq!(form.client.text(), "AB");
        assert!(!form.has_answers());
        form.on_key(&k(KeyCode::Char(' ')));
        assert!(form.has_answers());
    }
}
