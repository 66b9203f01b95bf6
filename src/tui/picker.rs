//! The protocol picker shown when stillpoint starts without a command: every
//! valid protocol with its total time and source; arrows choose, Enter starts.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget, Wrap};

use crate::protocol::catalog::Found;
use crate::text::clock_text;
use crate::text::truncate;
use crate::tui::events::{Events, Wake};
use crate::tui::theme::Theme;

/// The picker's screen: the choices and which one is highlighted.
#[derive(Debug)]
pub struct Picker<'a> {
    /// The valid protocols on offer.
    pub choices: &'a [&'a Found],
    /// The highlighted row.
    pub selected: usize,
    /// Colours.
    pub theme: Theme,
}

impl Widget for &Picker<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
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
        let name_w = (area.width as usize).saturating_sub(30).clamp(10, 40);
        let lines: Vec<Line> = self
            .choices
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let p = f.protocol.as_ref().ok()?;
                let style = if i == self.selected {
                    t.accent.add_modifier(Modifier::BOLD)
                } else {
                    t.text
                };
                let mark = if i == self.selected { "▸ " } else { "  " };
                Some(Line::from(vec![
                    Span::styled(mark, style),
                    Span::styled(
                        format!("{:<name_w$}", truncate(p.name.as_str(), name_w)),
                        style,
                    ),
                    Span::styled(format!("{:>8}", clock_text(p.planned_total())), t.muted),
                    Span::styled(format!("  {}", f.origin), t.muted),
                ]))
            })
            .collect();
        // Keep the highlighted row in view.
        let rows = list.height as usize;
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        Paragraph::new(lines.into_iter().skip(first).collect::<Vec<_>>()).render(list, buf);
        if let Some(p) = self
            .choices
            .get(self.selected)
            .and_then(|f| f.protocol.as_ref().ok())
        {
            let mut text = vec![Line::styled(p.summary.clone(), t.text)];
            text.push(Line::styled(
                format!(
                    "{} steps · {} planned{}",
                    p.steps.len(),
                    clock_text(p.planned_total()),
                    p.author
                        .as_ref()
                        .map(|a| format!(" · by {a}"))
                        .unwrap_or_default()
                ),
                t.muted,
            ));
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(
                    Block::new()
                        .borders(Borders::TOP)
                        .border_type(BorderType::Plain)
                        .border_style(t.border),
                )
                .render(detail, buf);
        }
        Line::styled(" ↑↓ choose   Enter start   q leave", t.muted).render(footer, buf);
    }
}

/// Shows the picker until a protocol is chosen (its index) or the user leaves.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    choices: &[&Found],
    events: &mut dyn Events,
    stop: &AtomicBool,
    theme: Theme,
) -> io::Result<Option<usize>>
where
    B::Error: Send + Sync + 'static,
{
    let mut picker = Picker {
        choices,
        selected: 0,
        theme,
    };
    loop {
        terminal
            .draw(|f| f.render_widget(&picker, f.area()))
            .map_err(io::Error::other)?;
        let key = match events.next(Duration::from_secs(1))? {
            Wake::Key(key) => key,
            Wake::Gone => return Ok(None),
            Wake::Signal if stop.load(Ordering::Relaxed) => return Ok(None),
            _ => continue,
        };
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => picker.selected = picker.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                picker.selected = (picker.selected + 1).min(choices.len().saturating_sub(1));
            }
            KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Right => {
                return Ok(Some(picker.selected));
            }
            KeyCode::Char('q') | KeyCode::Esc => return Ok(None),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => return Ok(None),
            _ => {}
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
                 paused, for you.",
                t.muted,
            ),
            Line::default(),
            Line::from(vec![
                Span::styled(" y", t.accent),
                Span::styled(" take it up    ", t.text),
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
            _ => continue,
        };
        match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => return Ok(Some(true)),
            KeyCode::Char('n' | 'N') => return Ok(Some(false)),
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => return Ok(None),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => return Ok(None),
            _ => {}
        }
    }
}
