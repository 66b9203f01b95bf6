//! The session summary shown before the record is closed: each step planned
//! against what happened, the total time, pain and stress before and after,
//! and the notes.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};

use super::{FormEvent, keys_line, render_too_small};
use crate::protocol::clock_text;
use crate::record::EndedBy;
use crate::report::{MarkKind, Report};
use crate::theme::Theme;
use crate::ui::{MIN_HEIGHT, MIN_WIDTH, truncate};

/// The summary, scrolled by the therapist.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryScreen {
    report: Report,
    scroll: u16,
}

impl SummaryScreen {
    /// The summary of `report`.
    pub fn new(report: Report) -> SummaryScreen {
        SummaryScreen { report, scroll: 0 }
    }

    /// Handles one key: arrows and page keys scroll; Enter or `q` closes.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent<()> {
        match key.code {
            KeyCode::Enter | KeyCode::Char('q' | 'Q') => FormEvent::Submit(()),
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll = self.scroll.saturating_sub(1);
                FormEvent::Redraw
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll = self.scroll.saturating_add(1);
                FormEvent::Redraw
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(10);
                FormEvent::Redraw
            }
            KeyCode::PageDown | KeyCode::Char(' ') => {
                self.scroll = self.scroll.saturating_add(10);
                FormEvent::Redraw
            }
            _ => FormEvent::Nothing,
        }
    }

    /// The summary's lines, for the screen and for tests.
    pub fn lines(&self, width: usize, t: &Theme) -> Vec<Line<'static>> {
        let r = &self.report;
        let s = r.summary();
        let mut lines = Vec::new();
        let state = if r.completed {
            "every step worked through"
        } else if r.ended {
            "ended early"
        } else {
            "not finished"
        };
        lines.push(Line::from(vec![
            Span::styled("Active time ", t.muted),
            Span::styled(clock_text(r.active), t.accent.add_modifier(Modifier::BOLD)),
            Span::styled(format!(" · {state}"), t.text),
            Span::styled(
                if r.pauses > 0 {
                    format!(
                        " · paused {} time{}",
                        r.pauses,
                        if r.pauses == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                },
                t.muted,
            ),
        ]));
        let change = |before: Option<u8>, after: Option<u8>| {
            let v = |x: Option<u8>| x.map_or("—".to_owned(), |x| x.to_string());
            format!("{} → {}", v(before), v(after))
        };
        if !s.practice {
            lines.push(Line::from(vec![
                Span::styled("Pain ", t.muted),
                Span::styled(change(s.pain_before, s.pain_after), t.text),
                Span::styled("   Stress ", t.muted),
                Span::styled(change(s.stress_before, s.stress_after), t.text),
            ]));
        }
        lines.push(Line::default());
        // Room for "nn name planned actual  how it ended".
        let name_w = width.saturating_sub(40).clamp(10, 48);
        lines.push(Line::styled(
            format!("   {:<name_w$} {:>8} {:>8}", "step", "planned", "actual"),
            t.muted,
        ));
        for step in &r.steps {
            let note = match step.ended_by {
                _ if step.skipped() => "moved on early",
                Some(EndedBy::Max) => "ran to its max",
                Some(EndedBy::Quit) => "session ended here",
                None => "not finished",
                _ if step.actual > step.planned + Duration::from_secs(1) => "held longer",
                _ => "",
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        "{:>2} {:<name_w$} {:>8} {:>8}",
                        step.step + 1,
                        truncate(&step.name, name_w),
                        clock_text(step.planned),
                        clock_text(step.actual)
                    ),
                    t.text,
                ),
                Span::styled(format!("  {note}"), t.muted),
            ]));
        }
        let start = r.started_at.unwrap_or_default();
        let marks: Vec<_> = r.marks.iter().collect();
        if !marks.is_empty() {
            lines.push(Line::default());
            lines.push(Line::styled("Notes and marks", t.muted));
            for m in marks {
                let style = if m.kind == MarkKind::Note {
                    t.text
                } else {
                    t.muted
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>8}  ", clock_text(m.at.since(start))), t.muted),
                    Span::styled(m.text.clone(), style),
                ]));
            }
        }
        if let Some(a) = r.aftercare.as_ref().filter(|a| !a.note.is_empty()) {
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::styled("Closing note ", t.muted),
                Span::styled(a.note.clone(), t.text),
            ]));
        }
        lines
    }

    /// Draws the summary.
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &Theme) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(area, buf, t);
            return;
        }
        let protocol = self
            .report
            .opened
            .as_ref()
            .map(|o| o.protocol.clone())
            .unwrap_or_default();
        let block = Block::new()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border)
            .title(Span::styled(
                format!(" session summary · {protocol} "),
                t.muted,
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        let inner = inner.inner(ratatui::layout::Margin::new(1, 0));
        let body = Rect {
            height: inner.height.saturating_sub(1),
            ..inner
        };
        let lines = self.lines(inner.width as usize, t);
        let scroll = self
            .scroll
            .min((lines.len() as u16).saturating_sub(body.height));
        Paragraph::new(lines).scroll((scroll, 0)).render(body, buf);
        keys_line(
            &[("↑↓ PgUp PgDn", "scroll"), ("enter", "close the record")],
            t,
        )
        .render(
            Rect {
                y: inner.y + body.height,
                height: 1,
                ..inner
            },
            buf,
        );
    }
}
