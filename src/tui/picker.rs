//! The protocol picker shown when stillpoint starts without a protocol:
//! every protocol found with its total time and source — and every file
//! that could not be used, greyed, with a one-line reason (the detail
//! below says the rest). Arrows choose; Enter starts a session and `p` a
//! practice run (Enter practises when the picker was opened by
//! `stillpoint practice`, and `r` runs).
//!
//! Names, summaries and paths come from studios' files, so they are
//! sanitized before they are drawn, and columns are laid out by display
//! width so CJK names keep the times lined up.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget, Wrap};

use crate::protocol::Protocol;
use crate::protocol::catalog::Found;
use crate::protocol::diagnostic::FileError;
use crate::text::{clock_text, fit, pad_left, sanitize, sanitize_line, truncate};
use crate::tui::events::{Events, Wake};
use crate::tui::theme::Theme;

/// How a chosen protocol is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A session with a client: the consultation first.
    Run,
    /// A practice run: no client, no consultation.
    Practice,
}

/// The picker's screen: the choices and which one is highlighted.
#[derive(Debug)]
pub struct Picker<'a> {
    /// The protocols found, valid or not (an invalid one is shown greyed
    /// with why, and cannot be started).
    pub choices: &'a [&'a Found],
    /// The highlighted row.
    pub selected: usize,
    /// Colours.
    pub theme: Theme,
}

/// The picker with its keys for a given way of starting: Enter starts
/// `first`, and the footer says so.
#[derive(Debug)]
pub struct PickerScreen<'p, 'a> {
    /// The list.
    pub picker: &'p Picker<'a>,
    /// What Enter does.
    pub first: Start,
}

impl Widget for &Picker<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        PickerScreen {
            picker: self,
            first: Start::Run,
        }
        .render(area, buf);
    }
}

impl Widget for PickerScreen<'_, '_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let picker = self.picker;
        let t = &picker.theme;
        let [title, list, detail, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        Line::from(vec![
            Span::styled(" stillpoint", t.muted),
            Span::styled(" · choose a protocol", t.text.add_modifier(Modifier::BOLD)),
        ])
        .render(title, buf);
        picker.render_list(list, buf);
        picker.render_detail(detail, buf);
        let selected_is_valid = picker
            .choices
            .get(picker.selected)
            .is_some_and(|f| f.protocol.is_ok());
        let keys = match (selected_is_valid, self.first) {
            (false, _) => " ↑↓ choose   this file cannot be started: see why below   q leave",
            (true, Start::Run) => " ↑↓ choose   Enter run   p practice   q leave",
            (true, Start::Practice) => " ↑↓ choose   Enter practice   r run   q leave",
        };
        Line::styled(keys, t.muted).render(footer, buf);
    }
}

impl Picker<'_> {
    /// One row per protocol: the name, the time, where it came from; for a
    /// file that cannot be used, its stem and a one-line reason, greyed.
    fn render_list(&self, area: Rect, buf: &mut Buffer) {
        let columns = ListColumns::new(self.choices, usize::from(area.width));
        let lines: Vec<Line> = self
            .choices
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let chosen = i == self.selected;
                match &f.protocol {
                    Ok(p) => self.valid_row(f, p, chosen, &columns),
                    Err(e) => self.invalid_row(f, e, chosen, &columns),
                }
            })
            .collect();
        // Keep the highlighted row in view.
        let rows = usize::from(area.height);
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        Paragraph::new(lines.into_iter().skip(first).collect::<Vec<_>>()).render(area, buf);
    }

    /// A protocol that can be started: the mark, its name, its time and
    /// where it came from.
    fn valid_row(
        &self,
        f: &Found,
        p: &Protocol,
        chosen: bool,
        columns: &ListColumns,
    ) -> Line<'static> {
        let t = &self.theme;
        let style = if chosen {
            t.accent.add_modifier(Modifier::BOLD)
        } else {
            t.text
        };
        Line::from(vec![
            Span::styled(mark(chosen), style),
            Span::styled(fit(&sanitize_line(p.name.as_str()), columns.name), style),
            Span::styled(pad_left(&clock_text(p.planned_total()), 8), t.muted),
            Span::styled(
                format!(
                    "  {}",
                    truncate(&sanitize_line(&f.origin.to_string()), columns.rest)
                ),
                t.muted,
            ),
        ])
    }

    /// A file that cannot be used, greyed: its stem and why, the reason
    /// taking the time and source columns too (it is what there is to read
    /// on this row).
    fn invalid_row(
        &self,
        f: &Found,
        e: &FileError,
        chosen: bool,
        columns: &ListColumns,
    ) -> Line<'static> {
        let t = &self.theme;
        let style = if chosen {
            t.muted.add_modifier(Modifier::BOLD)
        } else {
            t.muted.add_modifier(Modifier::DIM)
        };
        let reason = if e.line > 0 {
            format!("line {}: {}", e.line, e.message)
        } else {
            e.message.clone()
        };
        let label = "  invalid · ";
        let room = columns
            .width
            .saturating_sub(2 + columns.stem + crate::text::width(label));
        Line::from(vec![
            Span::styled(mark(chosen), style),
            Span::styled(fit(&sanitize_line(&f.stem), columns.stem), style),
            Span::styled(label, style),
            Span::styled(truncate(&reason, room), style),
        ])
    }

    /// The highlighted protocol's summary, or what is wrong with the file.
    fn render_detail(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let Some(found) = self.choices.get(self.selected) else {
            return;
        };
        let text = match &found.protocol {
            Ok(p) => vec![
                Line::styled(sanitize(&p.summary).into_owned(), t.text),
                Line::styled(
                    format!(
                        "{} steps · {} planned{}",
                        p.steps.len(),
                        clock_text(p.planned_total()),
                        p.author
                            .as_ref()
                            .map(|a| format!(" · by {}", sanitize_line(a)))
                            .unwrap_or_default()
                    ),
                    t.muted,
                ),
            ],
            Err(e) => vec![
                Line::styled(
                    format!(
                        "\"{}\" cannot be started until its file is fixed:",
                        sanitize_line(&found.stem)
                    ),
                    t.text,
                ),
                Line::styled(e.headline(), t.muted),
                Line::styled(format!("hint: {}", e.hint), t.muted),
            ],
        };
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .border_type(BorderType::Plain)
                    .border_style(t.border),
            )
            .render(area, buf);
    }
}

/// The list's columns for a width: a protocol's name, what is left after
/// the mark, the name, the time and a gap (for its source), and the
/// invalid files' stems, in a column of their own width.
struct ListColumns {
    width: usize,
    name: usize,
    rest: usize,
    stem: usize,
}

impl ListColumns {
    fn new(choices: &[&Found], width: usize) -> ListColumns {
        let name = width.saturating_sub(30).clamp(10, 40);
        let stem = choices
            .iter()
            .filter(|f| f.protocol.is_err())
            .map(|f| crate::text::width(&sanitize_line(&f.stem)))
            .max()
            .unwrap_or(0)
            .min(name);
        ListColumns {
            width,
            name,
            rest: width.saturating_sub(2 + name + 8 + 2),
            stem,
        }
    }
}

/// The mark before the highlighted row.
fn mark(chosen: bool) -> &'static str {
    if chosen { "▸ " } else { "  " }
}

/// Shows the picker until a protocol is chosen — its index and how to
/// start it — or the user leaves. Enter starts `first`; `r` runs and `p`
/// practises whichever was asked first. A file that cannot be used is
/// never returned.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    choices: &[&Found],
    first: Start,
    events: &mut dyn Events,
    stop: &AtomicBool,
    theme: Theme,
) -> io::Result<Option<(usize, Start)>>
where
    B::Error: Send + Sync + 'static,
{
    let mut picker = Picker {
        choices,
        // Start on the first protocol that can be started.
        selected: choices.iter().position(|f| f.protocol.is_ok()).unwrap_or(0),
        theme,
    };
    loop {
        terminal
            .draw(|f| {
                f.render_widget(
                    PickerScreen {
                        picker: &picker,
                        first,
                    },
                    f.area(),
                );
            })
            .map_err(io::Error::other)?;
        let key = match events.next(Duration::from_secs(1))? {
            Wake::Key(key) => key,
            Wake::Gone => return Ok(None),
            Wake::Signal if stop.load(Ordering::Relaxed) => return Ok(None),
            Wake::Suspend => {
                crate::tui::terminal::suspend_until_continued()?;
                terminal.clear().map_err(io::Error::other)?;
                continue;
            }
            _ => continue,
        };
        match picker.on_key(&key, first) {
            Picked::Stay => {}
            Picked::Leave => return Ok(None),
            Picked::Start(start) => return Ok(Some((picker.selected, start))),
        }
    }
}

/// What a key in the picker comes to.
enum Picked {
    /// Nothing yet (the selection may have moved).
    Stay,
    /// The user leaves without choosing.
    Leave,
    /// The selected protocol starts, this way.
    Start(Start),
}

impl Picker<'_> {
    /// Moves the selection, or starts the selected protocol (only one that
    /// can be used), or leaves.
    fn on_key(&mut self, key: &KeyEvent, first: Start) -> Picked {
        let last = self.choices.len().saturating_sub(1);
        let start = match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                return Picked::Stay;
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(last);
                return Picked::Stay;
            }
            KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Right => first,
            KeyCode::Char('r' | 'R') => Start::Run,
            KeyCode::Char('p' | 'P') => Start::Practice,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Picked::Leave;
            }
            KeyCode::Char('q') | KeyCode::Esc => return Picked::Leave,
            _ => return Picked::Stay,
        };
        let usable = self
            .choices
            .get(self.selected)
            .is_some_and(|f| f.protocol.is_ok());
        if usable {
            Picked::Start(start)
        } else {
            Picked::Stay
        }
    }
}

/// The question asked at start when a recent session was cut off.
#[derive(Debug)]
pub struct ResumeOffer<'a> {
    /// The session, in one line.
    pub session: &'a str,
    /// Colours.
    pub theme: Theme,
}

impl Widget for &ResumeOffer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let lines = vec![
            Line::from(vec![
                Span::styled(" stillpoint", t.muted),
                Span::styled(
                    " · an unfinished session",
                    t.text.add_modifier(Modifier::BOLD),
                ),
            ]),
            Line::default(),
            Line::styled(format!(" {}", self.session), t.text),
            Line::default(),
            Line::styled(
                " It was cut off before its record was closed. Take it up where it \
                 stopped? The time in between is not counted, and the step waits, \
                 paused, for you: next (or p) carries on with it.",
                t.muted,
            ),
            Line::default(),
            Line::from(vec![
                Span::styled(" y", t.accent),
                Span::styled(" (or next) take it up    ", t.text),
                Span::styled("n", t.accent),
                Span::styled(" start something new (it stays in history)    ", t.text),
                Span::styled("q", t.accent),
                Span::styled(" leave", t.text),
            ]),
        ];
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}

/// Asks whether to take up `session`: `Some(true)` yes, `Some(false)` no
/// (start something new), `None` leave.
pub fn offer_resume<B: Backend>(
    terminal: &mut Terminal<B>,
    session: &str,
    events: &mut dyn Events,
    stop: &AtomicBool,
    theme: Theme,
) -> io::Result<Option<bool>>
where
    B::Error: Send + Sync + 'static,
{
    let offer = ResumeOffer { session, theme };
    let mut redraw = true;
    loop {
        if redraw {
            terminal
                .draw(|f| f.render_widget(&offer, f.area()))
                .map_err(io::Error::other)?;
        }
        redraw = false;
        let key = match events.next(Duration::from_secs(1))? {
            Wake::Key(key) => key,
            Wake::Resize => {
                terminal.autoresize().map_err(io::Error::other)?;
                redraw = true;
                continue;
            }
            Wake::Gone => return Ok(None),
            Wake::Signal if stop.load(Ordering::Relaxed) => return Ok(None),
            Wake::Suspend => {
                crate::tui::terminal::suspend_until_continued()?;
                terminal.clear().map_err(io::Error::other)?;
                redraw = true;
                continue;
            }
            _ => continue,
        };
        match key.code {
            // A pedal's "next" (Space, PageDown, →) takes the session up too.
            KeyCode::Char('y' | 'Y' | ' ')
            | KeyCode::Enter
            | KeyCode::PageDown
            | KeyCode::Right => {
                return Ok(Some(true));
            }
            KeyCode::Char('n' | 'N') => return Ok(Some(false)),
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => return Ok(None),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => return Ok(None),
            _ => {}
        }
    }
}
