//! The session summary shown before the record is closed: each step planned
//! against what happened, the active time, pain and stress before and after,
//! the notes and marks with their time into the session, and the closing note.
//!
//! The client reference, step names and notes come from the record: each is
//! made one safe line before it is drawn, and the steps table is laid out
//! by display width (a CJK or emoji name is cut at its column, never
//! wrapped, so the times stay in line).

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::FormEvent;
use super::frame::{draw_lines, keys_lines, render_box, split, too_small, wrap};
use crate::session::report::{Change, MarkKind, Report};
use crate::text::{self, clock_text, fit, pad, pad_left, sanitize_line};
use crate::tui::theme::Theme;

/// Columns of a step row around its name: number, planned, actual.
const STEP_COLUMNS: usize = 3 + 9 + 9;
/// Columns kept for a step's remark ("moved on early").
const REMARK: usize = 16;

/// The summary of a session: build it from the session's [`Report`], feed
/// keys to [`SummaryScreen::on_key`] (↑/↓, PageUp/PageDown, Home/End scroll;
/// Enter or `q` gives `Submit(())`: close the record), draw with
/// [`SummaryScreen::render`].
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryScreen {
    report: Report,
    /// The first line shown.
    scroll: usize,
    /// How far it could scroll, and a page's height, as last drawn (nothing
    /// scrolls before the first draw).
    view: Cell<(usize, usize)>,
}

impl SummaryScreen {
    /// The summary of `report`.
    pub fn new(report: Report) -> SummaryScreen {
        SummaryScreen {
            report,
            scroll: 0,
            view: Cell::new((0, 1)),
        }
    }

    /// Handles one key press: scrolling keys move the text as far as it
    /// goes; Enter or `q` closes the record (`Submit(())`).
    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent<()> {
        if super::ignored(key) {
            return FormEvent::Nothing;
        }
        let (max, page) = self.view.get();
        let was = self.scroll.min(max);
        self.scroll = match key.code {
            KeyCode::Enter | KeyCode::Char('q' | 'Q') => return FormEvent::Submit(()),
            KeyCode::Up | KeyCode::Char('k') => was.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => was + 1,
            KeyCode::PageUp => was.saturating_sub(page),
            KeyCode::PageDown | KeyCode::Char(' ') => was + page,
            KeyCode::Home => 0,
            KeyCode::End => max,
            _ => return FormEvent::Nothing,
        }
        .min(max);
        super::redraw_if(self.scroll != was)
    }

    /// The "next" key (a foot pedal): a page further while there is more to
    /// read, then closes the record, so a session can be finished with that
    /// one key.
    pub fn next_page_or_close(&mut self) -> FormEvent<()> {
        let (max, page) = self.view.get();
        if self.scroll.min(max) >= max {
            return FormEvent::Submit(());
        }
        self.scroll = (self.scroll + page).min(max);
        FormEvent::Redraw
    }

    /// The summary's lines for a box `width` columns wide, wrapped to fit.
    pub fn lines(&self, width: usize, t: &Theme) -> Vec<Line<'static>> {
        let width = width.max(1);
        let r = &self.report;
        let mut lines = Vec::new();
        let mut who = Vec::new();
        if let Some(client) = r.client().filter(|_| !r.practice()) {
            who.push(format!("Client {}", sanitize_line(&client)));
        }
        if let Some(opened) = r.opened.as_ref().and_then(|o| o.opened) {
            who.push(format!("opened {}", opened.short()));
        }
        if r.rehearsal() {
            who.push(format!(
                "rehearsal ×{} (not a real session's times)",
                r.speed
            ));
        }
        if !who.is_empty() {
            lines.extend(wrap(vec![Span::styled(who.join(" · "), t.muted)], width, 0));
        }
        let mut time = vec![
            Span::styled("Active time ", t.muted),
            Span::styled(clock_text(r.active), t.accent.add_modifier(Modifier::BOLD)),
            Span::styled(format!(" · {}", r.closing_state().word()), t.text),
        ];
        if let Some(pauses) = r.pauses_text() {
            time.push(Span::styled(format!(" · {pauses}"), t.muted));
        }
        lines.extend(wrap(time, width, 2));
        if !r.practice() {
            let change = |c: Change| {
                if c.is_empty() {
                    "— → —".to_owned()
                } else {
                    c.to_string()
                }
            };
            lines.extend(wrap(
                vec![
                    Span::styled("Pain ", t.muted),
                    Span::styled(change(r.pain()), t.text),
                    Span::styled("   Stress ", t.muted),
                    Span::styled(change(r.stress()), t.text),
                ],
                width,
                0,
            ));
        }
        lines.push(Line::default());
        lines.extend(self.step_lines(width, t));
        lines.extend(self.mark_lines(width, t));
        if let Some(a) = r.aftercare.as_ref().filter(|a| !a.note.is_empty()) {
            lines.push(Line::default());
            lines.extend(wrap(
                vec![
                    Span::styled("Closing note  ", t.muted),
                    Span::styled(sanitize_line(&a.note).into_owned(), t.text),
                ],
                width,
                2,
            ));
        }
        lines
    }

    /// The notes and marks with their time into the session.
    fn mark_lines(&self, width: usize, t: &Theme) -> Vec<Line<'static>> {
        let r = &self.report;
        if r.marks.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![Line::default()];
        lines.extend(wrap(
            vec![Span::styled(
                "Notes and marks (active time into the session)",
                t.muted,
            )],
            width,
            0,
        ));
        for m in &r.marks {
            let style = if m.kind == MarkKind::Note {
                t.text
            } else {
                t.muted
            };
            lines.extend(wrap(
                vec![
                    Span::styled(
                        format!("{}  ", pad_left(&clock_text(r.mark_time(m)), 8)),
                        t.muted,
                    ),
                    Span::styled(sanitize_line(&m.words()).into_owned(), style),
                ],
                width,
                10,
            ));
        }
        lines
    }

    /// The table of steps: planned and actual time, and a remark on steps
    /// moved on from early, run to their maximum, or unfinished.
    fn step_lines(&self, width: usize, t: &Theme) -> Vec<Line<'static>> {
        let name_w = width.saturating_sub(STEP_COLUMNS + REMARK).clamp(8, 48);
        let mut lines = vec![Line::styled(
            format!(
                "   {} {} {}",
                pad("step", name_w),
                pad_left("planned", 8),
                pad_left("actual", 8)
            ),
            t.muted,
        )];
        for step in &self.report.steps {
            let row = format!(
                "{} {} {} {}",
                pad_left(&(step.step + 1).to_string(), 2),
                fit(&sanitize_line(&step.name), name_w),
                pad_left(&clock_text(step.planned), 8),
                pad_left(&clock_text(step.actual), 8)
            );
            let remark = step.outcome_text();
            let remark = remark.as_str();
            let style = if step.skipped() { t.overtime } else { t.muted };
            if remark.is_empty() {
                lines.push(Line::styled(row, t.text));
            } else if text::width(&row) + 2 + text::width(remark) <= width {
                lines.push(Line::from(vec![
                    Span::styled(row, t.text),
                    Span::styled(format!("  {remark}"), style),
                ]));
            } else {
                lines.push(Line::styled(row, t.text));
                lines.extend(wrap(
                    vec![Span::styled(format!("   {remark}"), style)],
                    width,
                    3,
                ));
            }
        }
        if self.report.steps.is_empty() {
            lines.push(Line::styled("   no step was started", t.muted));
        }
        lines
    }

    /// Draws the summary in `area` (any size; below 40×12 it asks for a
    /// larger window).
    pub fn render(&self, area: Rect, buf: &mut Buffer, t: &Theme) {
        if too_small(area, buf, t) {
            return;
        }
        let protocol = self
            .report
            .opened
            .as_ref()
            .map(|o| o.protocol.clone())
            .unwrap_or_default();
        let inner = render_box(area, buf, t, &format!("session summary · {protocol}"));
        let width = usize::from(inner.width);
        let keys = keys_lines(
            &[
                ("↑↓ PgUp PgDn", "scroll"),
                ("Enter or q", "closes the record"),
            ],
            width,
            t,
        );
        let (body, foot) = split(inner, keys.len());
        let lines = self.lines(width, t);
        let visible = usize::from(body.height);
        let max = lines.len().saturating_sub(visible);
        self.view.set((max, visible.saturating_sub(1).max(1)));
        draw_lines(lines, self.scroll.min(max), body, buf, t);
        Paragraph::new(keys).render(foot, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    use crate::clock::Moment;
    use crate::session::report::Mark;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn long_report() -> Report {
        Report {
            marks: (0..30)
                .map(|i| Mark {
                    at: Moment::from_secs(i * 60),
                    active: None,
                    wall: None,
                    kind: MarkKind::Note,
                    step: None,
                    text: format!("note {i}"),
                })
                .collect(),
            ..Report::default()
        }
    }

    #[test]
    fn scrolling_stops_at_both_ends() {
        let mut s = SummaryScreen::new(long_report());
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 20));
        s.render(buf.area, &mut buf, &Theme::dim());
        let (max, _) = s.view.get();
        assert!(max > 10);
        assert_eq!(s.on_key(&k(KeyCode::Up)), FormEvent::Nothing);
        for _ in 0..100 {
            s.on_key(&k(KeyCode::Down));
        }
        assert_eq!(s.scroll, max);
        assert_eq!(s.on_key(&k(KeyCode::Down)), FormEvent::Nothing);
        assert_eq!(s.on_key(&k(KeyCode::Up)), FormEvent::Redraw);
        assert_eq!(s.on_key(&k(KeyCode::Home)), FormEvent::Redraw);
        assert_eq!(s.scroll, 0);
        assert_eq!(s.on_key(&k(KeyCode::PageDown)), FormEvent::Redraw);
        assert_eq!(s.scroll, 16, "a page is the visible rows (17) less one");
        assert_eq!(s.on_key(&k(KeyCode::Char('q'))), FormEvent::Submit(()));
    }

    #[test]
    fn an_empty_report_still_makes_sense() {
        let s = SummaryScreen::new(Report::default());
        let text: Vec<String> = s
            .lines(60, &Theme::plain())
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(text.iter().any(|l| l.contains("Pain — → —")), "{text:?}");
        assert!(text.iter().any(|l| l.contains("no step was started")));
    }
}
