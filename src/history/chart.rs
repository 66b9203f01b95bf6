//! One client's pain and stress across sessions, drawn with ratatui's
//! `Chart` into an off-screen buffer and printed as plain lines: a chart for
//! pain above one for stress, each 0–10 up the side, the sessions' dates
//! along the bottom, before and after side by side for every session.
//!
//! Plain text, not colour: it must read the same piped into a file or a
//! printed page, so before and after differ by their mark (`•` and `█`),
//! not by hue.
//!
//! The client reference in the headings came from a record: it is
//! sanitized and cut, so it can neither act on the terminal nor push a
//! heading across the page.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Widget};

use super::Listed;
use crate::text::{sanitize_line, truncate};

/// The width the chart is drawn at: it must read in an 80-column terminal.
pub const WIDTH: u16 = 80;

/// Rows per chart: its title, 0–10 a row each, the axis, the dates.
/// (Eleven rows for eleven levels puts each level on exactly one row.)
const HEIGHT: u16 = 14;

/// Columns left of the plot: the widest level label ("10") and the axis.
const LEFT: u16 = 3;

/// Columns from one session's marks to the next: before, after, a gap.
const PITCH: u16 = 3;

/// Widest the client reference is shown in a heading.
const NAME_MAX: usize = 30;

/// The client's pain and stress across `sessions` (oldest first) as lines of
/// text `width` columns wide: the last sessions with answers that fit, at
/// least two of them, or a line saying why there is no chart.
pub fn chart(client: &str, sessions: &[&Listed], width: u16) -> String {
    let answered: Vec<&Listed> = sessions
        .iter()
        .copied()
        .filter(|s| {
            let m = &s.summary;
            m.pain_before.is_some()
                || m.pain_after.is_some()
                || m.stress_before.is_some()
                || m.stress_after.is_some()
        })
        .collect();
    let name = answered
        .last()
        .and_then(|s| s.summary.client.as_deref())
        .unwrap_or(client);
    let name = truncate(sanitize_line(name).trim(), NAME_MAX);
    if answered.len() < 2 {
        return format!(
            "(A chart of {name}'s pain and stress needs two sessions with answers; there {}.)\n",
            match answered.len() {
                0 => "are none".to_owned(),
                _ => "is one".to_owned(),
            }
        );
    }
    let plot = width.max(LEFT + 2 * PITCH).saturating_sub(LEFT);
    let fits = usize::from((plot - 2) / PITCH + 1);
    let shown = &answered[answered.len().saturating_sub(fits)..];
    let mut text = format!(
        "{name}: pain and stress before and after, {}{} sessions from {} to {}\n\n",
        if shown.len() < answered.len() {
            "the last "
        } else {
            ""
        },
        shown.len(),
        day(shown[0]),
        day(shown[shown.len() - 1])
    );
    let pain: Vec<(Option<u8>, Option<u8>)> = shown
        .iter()
        .map(|s| (s.summary.pain_before, s.summary.pain_after))
        .collect();
    let stress: Vec<(Option<u8>, Option<u8>)> = shown
        .iter()
        .map(|s| (s.summary.stress_before, s.summary.stress_after))
        .collect();
    let dates = [day(shown[0]), day(shown[shown.len() - 1])];
    text.push_str(&draw("Pain", &pain, &dates, width));
    text.push('\n');
    text.push_str(&draw("Stress", &stress, &dates, width));
    text
}

/// The local date a session was recorded on.
fn day(s: &Listed) -> String {
    s.date().map_or_else(|| "?".to_owned(), |d| d.to_string())
}

/// One measure's chart as text: `values` are (before, after) per session.
fn draw(
    title: &str,
    values: &[(Option<u8>, Option<u8>)],
    dates: &[String; 2],
    width: u16,
) -> String {
    let plot = width.saturating_sub(LEFT);
    // Sessions spread over the plot, the first at its left edge, the last
    // one's "after" at its right; x is in columns, so each mark lands on
    // exactly one cell.
    let last = values.len().saturating_sub(1).max(1) as f64;
    let span = f64::from(plot.saturating_sub(2));
    let column = |i: usize| (i as f64 * span / last).round();
    let level = |v: u8| f64::from(v.min(10));
    let before: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, (b, _))| Some((column(i), level((*b)?))))
        .collect();
    let after: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, (_, a))| Some((column(i) + 1.0, level((*a)?))))
        .collect();
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .data(&before),
        Dataset::default()
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .data(&after),
    ];
    let chart = Chart::new(datasets)
        // The legend is the title line, so it never covers a mark.
        .block(Block::new().title(Line::from(format!(
            "{title}, 0–10 (• before the session, █ after)"
        ))))
        .legend_position(None)
        .x_axis(
            Axis::default()
                .bounds([0.0, f64::from(plot.saturating_sub(1))])
                .labels(dates.iter().map(|d| Line::from(d.as_str())))
                .labels_alignment(Alignment::Right),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, 10.0])
                .labels_alignment(Alignment::Right)
                // A label on every level: 7 is read, not counted.
                .labels((0..=10).map(|v| Line::from(v.to_string()))),
        );
    let area = Rect::new(0, 0, width, HEIGHT);
    let mut buf = Buffer::empty(area);
    chart.render(area, &mut buf);
    text_of(&buf)
}

/// The buffer's rows as plain lines, trailing spaces trimmed.
fn text_of(buf: &Buffer) -> String {
    let area = buf.area;
    let mut text = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
