//! The box every form is drawn in: rows that scroll to keep the focused
//! field in view, messages and keys pinned at its foot, the "please enlarge"
//! message for tiny windows, and the word wrapping that keeps long text
//! inside the box.
//!
//! Everything here measures by display width and cuts between grapheme
//! clusters (see [`crate::text`]): a CJK note wraps at the box's edge, and
//! a family emoji or an accented letter is never split across rows.

use std::cell::Cell;
use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};
use unicode_segmentation::UnicodeSegmentation;

use super::LineInput;
use crate::text;
use crate::tui::theme::Theme;
use crate::tui::{MIN_HEIGHT, MIN_WIDTH};

/// Columns taken by a row's label ("▸ Client reference  "), so answers line up.
pub(super) const LABEL_WIDTH: usize = 20;

/// Columns the box takes from the window's width: two borders, two margins.
const CHROME: u16 = 4;

/// The rows of a form, top to bottom, and which of them belong to the
/// focused field.
pub(super) struct Rows {
    width: usize,
    lines: Vec<Line<'static>>,
    /// The focused field's rows.
    focus: Range<usize>,
    /// The row within them that must stay in view (a grid's cursor row).
    cursor: usize,
}

impl Rows {
    /// No rows yet, for a box drawn in `area`.
    pub(super) fn new(area: Rect) -> Rows {
        Rows {
            width: usize::from(area.width.saturating_sub(CHROME)).max(1),
            lines: Vec::new(),
            focus: 0..0,
            cursor: 0,
        }
    }

    /// The width a row has, in columns.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// An empty row.
    pub(super) fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    /// Text that is not a field, wrapped to the width; continuation rows
    /// are indented by `indent`.
    pub(super) fn text(&mut self, spans: Vec<Span<'static>>, indent: usize) {
        self.lines.extend(wrap(spans, self.width, indent));
    }

    /// A field's rows; when `focused`, they (and row `cursor` among them
    /// above all) are kept in view.
    pub(super) fn field(&mut self, focused: bool, lines: Vec<Line<'static>>, cursor: usize) {
        let start = self.lines.len();
        let count = lines.len();
        self.lines.extend(lines);
        if focused {
            self.focus = start..start + count;
            self.cursor = start + cursor.min(count.saturating_sub(1));
        }
    }
}

/// Draws the "please enlarge" message when `area` is below the minimum size,
/// and says whether it did.
pub(super) fn too_small(area: Rect, buf: &mut Buffer, t: &Theme) -> bool {
    if area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT {
        return false;
    }
    let lines = vec![
        Line::styled("Please enlarge the window", t.text),
        Line::styled(format!("(at least {MIN_WIDTH}×{MIN_HEIGHT})"), t.muted),
    ];
    let height = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(height) / 2;
    Paragraph::new(lines)
        .alignment(Alignment::Center)
        .render(Rect::new(area.x, y, area.width, height), buf);
    true
}

/// A form ready to draw: a rounded box titled `title`, `rows` scrolled so
/// the focused field is in view, and at the bottom `message` and `keys`
/// (both already wrapped to the rows' width).
pub(super) struct Form<'a> {
    /// The box's title.
    pub title: &'a str,
    /// The form's rows.
    pub rows: Rows,
    /// What the form has to say (what is missing, a note), if anything.
    pub message: Vec<Line<'static>>,
    /// The keys.
    pub keys: Vec<Line<'static>>,
    /// The first row shown, kept between draws so the form only moves when
    /// the focus would leave the window.
    pub scroll: &'a Cell<usize>,
}

impl Form<'_> {
    /// Draws the form in `area`, which is at least the minimum size.
    pub(super) fn render(self, area: Rect, buf: &mut Buffer, t: &Theme) {
        let inner = render_box(area, buf, t, self.title);
        let footer = footer(self.message, self.keys, inner.height);
        let (body, foot) = split(inner, footer.len());
        let first = first_row(&self.rows, usize::from(body.height), self.scroll.get());
        self.scroll.set(first);
        draw_lines(self.rows.lines, first, body, buf, t);
        Paragraph::new(footer).render(foot, buf);
    }
}

/// The message (all but one row at most: the focused row always shows) and
/// as many of the keys' rows as fit in half the height; keys give way first.
fn footer(
    mut message: Vec<Line<'static>>,
    keys: Vec<Line<'static>>,
    height: u16,
) -> Vec<Line<'static>> {
    let height = usize::from(height);
    message.truncate(height.saturating_sub(1));
    let room = (height / 2).saturating_sub(message.len());
    let keep = if keys.len() <= room {
        keys.len()
    } else {
        room.min(1)
    };
    message.extend(keys.into_iter().take(keep));
    message
}

/// Draws the rounded, titled box and returns the area inside it (a column
/// of margin on each side). The title (which may hold a protocol's name)
/// is made one safe line and cut to leave the corners and a stretch of the
/// top border showing.
pub(super) fn render_box(area: Rect, buf: &mut Buffer, t: &Theme, title: &str) -> Rect {
    let room = usize::from(area.width).saturating_sub(CHROME.into());
    let title = text::truncate(&text::sanitize_line(title), room.saturating_sub(2));
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(t.border)
        .title(Span::styled(format!(" {title} "), t.muted));
    let inner = block.inner(area).inner(Margin::new(1, 0));
    block.render(area, buf);
    inner
}

/// Splits the inside of the box into a body and, under it, `footer` rows
/// (at most all but one: the body always has a row).
pub(super) fn split(inner: Rect, footer: usize) -> (Rect, Rect) {
    let footer = u16::try_from(footer)
        .unwrap_or(u16::MAX)
        .min(inner.height.saturating_sub(1));
    let body = Rect {
        height: inner.height - footer,
        ..inner
    };
    let foot = Rect {
        y: body.bottom(),
        height: footer,
        ..inner
    };
    (body, foot)
}

/// Draws `lines` from line `first` on into `body`, with a ▲ or ▼ in the
/// margin to its right when more lies above or below.
pub(super) fn draw_lines(
    lines: Vec<Line<'static>>,
    first: usize,
    body: Rect,
    buf: &mut Buffer,
    t: &Theme,
) {
    let total = lines.len();
    let visible = usize::from(body.height);
    let shown: Vec<Line> = lines.into_iter().skip(first).take(visible).collect();
    Paragraph::new(shown).render(body, buf);
    // The marks go in the margin column just right of the body.
    let x = body.right();
    if visible == 0 || !buf.area.contains((x, body.y).into()) {
        return;
    }
    if first > 0 {
        buf[(x, body.y)].set_symbol("▲").set_style(t.muted);
    }
    if first + visible < total {
        buf[(x, body.bottom() - 1)]
            .set_symbol("▼")
            .set_style(t.muted);
    }
}

/// The first row to show: the one shown last time, moved as little as needed
/// to keep the focused field in view (with a row of context below it when
/// there is room), and always its cursor row.
fn first_row(rows: &Rows, visible: usize, previous: usize) -> usize {
    let total = rows.lines.len();
    if visible == 0 || total <= visible {
        return 0;
    }
    let focus = &rows.focus;
    let (mut top, mut bottom) = (focus.start, (focus.end + 1).min(total));
    if bottom - top > visible {
        bottom = focus.end;
    }
    if bottom - top > visible {
        // A field taller than the window: from its cursor row down.
        top = rows.cursor;
        bottom = (top + visible).min(focus.end).max(top + 1);
    }
    previous
        .min(total - visible)
        .max(bottom.saturating_sub(visible))
        .min(top)
}

/// The keys a form takes, packed into as few rows as fit `width`, never
/// splitting a key from what it does.
pub(super) fn keys_lines(keys: &[(&str, &str)], width: usize, t: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (key, what) in keys {
        let w = text::width(key) + 1 + text::width(what);
        if used > 0 && used + 2 + w > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        if used > 0 {
            spans.push(Span::styled("  ", t.muted));
            used += 2;
        }
        spans.push(Span::styled((*key).to_owned(), t.text));
        spans.push(Span::styled(format!(" {what}"), t.muted));
        used += w;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

/// A row label, padded so the answers line up, marked `▸` when focused.
pub(super) fn label(name: &str, focused: bool, t: &Theme) -> Span<'static> {
    let style = if focused {
        t.accent.add_modifier(Modifier::BOLD)
    } else {
        t.text
    };
    let mark = if focused { "▸ " } else { "  " };
    Span::styled(format!("{mark}{}", text::pad(name, LABEL_WIDTH - 2)), style)
}

/// A labelled one-line text field, underlined across its `field` columns.
pub(super) fn text_row(
    name: &str,
    input: &LineInput,
    focused: bool,
    field: usize,
    t: &Theme,
) -> Line<'static> {
    let underlined = |s: Style| s.add_modifier(Modifier::UNDERLINED);
    let mut spans = vec![label(name, focused, t)];
    spans.extend(input.spans(field, focused, underlined(t.text)));
    let used: usize = spans.iter().skip(1).map(|s| text::width(&s.content)).sum();
    spans.push(Span::styled(
        " ".repeat(field.saturating_sub(used)),
        underlined(t.muted),
    ));
    Line::from(spans)
}

/// A button such as "[ Begin session ]", marked `▸` when focused.
pub(super) fn button(text: &str, focused: bool, t: &Theme) -> Line<'static> {
    let (mark, style) = if focused {
        ("▸ ", t.accent.add_modifier(Modifier::BOLD))
    } else {
        ("  ", t.text)
    };
    Line::from(vec![
        Span::styled(mark, style),
        Span::styled(format!("[ {text} ]"), style),
    ])
}

/// Word-wraps styled text to `width` columns. Spaces at a break are dropped,
/// continuation rows start with `indent` spaces, and a word longer than a
/// row is split.
pub(super) fn wrap(spans: Vec<Span<'static>>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if indent < width { indent } else { 0 };
    let mut w = Wrapper {
        width,
        indent,
        lines: Vec::new(),
        row: Vec::new(),
        used: 0,
        has_word: false,
    };
    for span in spans {
        let mut gap: Option<(String, Style)> = None;
        for (space, piece) in runs(&span.content) {
            if space {
                gap = Some((piece.to_owned(), span.style));
            } else {
                w.word(gap.take(), piece, span.style);
            }
        }
        // Spaces ending a span stay with the next span's first word.
        if let Some((g, style)) = gap {
            w.pending_gap(g, style);
        }
    }
    w.finish()
}

/// The state of [`wrap`] as it fills rows.
struct Wrapper {
    width: usize,
    indent: usize,
    lines: Vec<Line<'static>>,
    row: Vec<Span<'static>>,
    used: usize,
    has_word: bool,
}

impl Wrapper {
    /// Spaces at the end of a span: kept on the row only if a word follows on it.
    /// A row broken just before them drops them (`break_row` trims a row's
    /// end, and a continuation row never starts with them).
    fn pending_gap(&mut self, gap: String, style: Style) {
        if self.has_word || self.lines.is_empty() {
            self.used += text::width(&gap);
            self.row.push(Span::styled(gap, style));
        }
    }

    fn word(&mut self, gap: Option<(String, Style)>, word: &str, style: Style) {
        let gap_w = gap.as_ref().map_or(0, |(g, _)| text::width(g));
        let w = text::width(word);
        if self.has_word && self.used + gap_w + w > self.width {
            self.break_row();
        }
        if let Some((g, gs)) = gap
            && (self.has_word || self.lines.is_empty())
        {
            self.row.push(Span::styled(g, gs));
            self.used += gap_w;
        }
        let mut rest = word;
        while self.used + text::width(rest) > self.width {
            let room = self.width.saturating_sub(self.used);
            let (head, tail) = split_at_width(rest, room);
            if head.is_empty() {
                if self.row_is_fresh() {
                    // Not even one cluster fits a fresh row: take one anyway.
                    let n = rest.graphemes(true).next().map_or(0, str::len);
                    self.row.push(Span::styled(rest[..n].to_owned(), style));
                    rest = &rest[n..];
                }
                self.break_row();
                continue;
            }
            self.row.push(Span::styled(head.to_owned(), style));
            rest = tail;
            self.break_row();
        }
        if !rest.is_empty() {
            self.used += text::width(rest);
            self.row.push(Span::styled(rest.to_owned(), style));
        }
        self.has_word = true;
    }

    /// True when the row holds nothing but its indent.
    fn row_is_fresh(&self) -> bool {
        !self.has_word && self.used <= self.indent
    }

    fn break_row(&mut self) {
        trim_trailing_spaces(&mut self.row);
        self.lines.push(Line::from(std::mem::take(&mut self.row)));
        self.used = self.indent;
        self.has_word = false;
        if self.indent > 0 {
            self.row.push(Span::raw(" ".repeat(self.indent)));
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        if self.has_word || self.lines.is_empty() {
            trim_trailing_spaces(&mut self.row);
            self.lines.push(Line::from(self.row));
        }
        self.lines
    }
}

/// Drops the spaces ending a row, so a wrapped row never runs past the width.
fn trim_trailing_spaces(row: &mut Vec<Span<'static>>) {
    while let Some(last) = row.last_mut() {
        let trimmed = last.content.trim_end_matches(' ');
        if trimmed.is_empty() {
            row.pop();
        } else {
            if trimmed.len() != last.content.len() {
                last.content = trimmed.to_owned().into();
            }
            return;
        }
    }
}

/// Splits `s` into runs of spaces and runs of anything else, in order.
fn runs(s: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut space = None;
    for (i, c) in s.char_indices() {
        let is_space = c == ' ';
        if space.is_some_and(|sp| sp != is_space) {
            out.push((space.unwrap_or(false), &s[start..i]));
            start = i;
        }
        space = Some(is_space);
    }
    if let Some(sp) = space {
        out.push((sp, &s[start..]));
    }
    out
}

/// The longest head of `s` no wider than `width` columns, and the rest,
/// split between grapheme clusters.
fn split_at_width(s: &str, width: usize) -> (&str, &str) {
    let mut used = 0;
    for (i, g) in s.grapheme_indices(true) {
        used += text::width(g);
        if used > width {
            return s.split_at(i);
        }
    }
    (s, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_indents_what_follows() {
        let lines = wrap(
            vec![
                Span::raw("  [x] recent concussion"),
                Span::raw("  needs a physician's release"),
            ],
            24,
            6,
        );
        assert_eq!(
            text(&lines),
            [
                "  [x] recent concussion",
                "      needs a",
                "      physician's",
                "      release"
            ]
        );
    }

    #[test]
    fn wrapping_never_runs_past_the_width_and_keeps_every_word() {
        let ascii = "a rather long closing note with averyveryverylongwordindeed in it";
        // Double-width characters need two columns even after an indent.
        let wide = "ünïcödé 日本語の メモ and text";
        for (words, from) in [(ascii, 1), (wide, 8)] {
            for width in from..40 {
                for indent in [0, 2, 6] {
                    let lines = wrap(vec![Span::raw(words)], width, indent);
                    for l in &lines {
                        assert!(l.width() <= width, "{width}/{indent}: {l:?}");
                    }
                    let joined: String = text(&lines).concat().split_whitespace().collect();
                    let wanted: String = words.split_whitespace().collect();
                    assert_eq!(joined, wanted, "width {width}, indent {indent}");
                }
            }
        }
    }

    #[test]
    fn wrapping_never_splits_a_cluster() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let words = format!("{family}{family}{family} e\u{301}e\u{301}e\u{301}e\u{301}");
        for width in 1..12 {
            let lines = wrap(vec![Span::raw(words.clone())], width, 0);
            let joined: String = text(&lines).concat().split_whitespace().collect();
            let wanted: String = words.split_whitespace().collect();
            assert_eq!(joined, wanted, "{width}");
            for l in &lines {
                let shown = l.to_string();
                assert!(text::width(&shown) <= width.max(2), "{width}: {shown:?}");
                assert!(!shown.starts_with('\u{200D}') && !shown.starts_with('\u{301}'));
            }
        }
    }

    #[test]
    fn a_title_from_a_file_is_one_safe_line_within_the_box() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 3));
        let title = format!("summary · \u{1B}]0;pwned\u{7}{}", "頭蓋".repeat(40));
        render_box(buf.area, &mut buf, &Theme::plain(), &title);
        // (The cell after a wide character holds a space the terminal
        // never shows: compare without spaces.)
        let top: String = (0..40)
            .map(|x| buf[(x, 0)].symbol())
            .collect::<String>()
            .replace(' ', "");
        assert!(top.starts_with("╭summary·\u{FFFD}頭蓋頭蓋"), "{top}");
        assert!(top.ends_with("…──╮"), "{top}");
    }

    #[test]
    fn keys_wrap_as_whole_pairs() {
        let t = Theme::plain();
        let lines = keys_lines(
            &[("Tab", "next"), ("F10", "begin"), ("Esc", "leave")],
            20,
            &t,
        );
        assert_eq!(text(&lines), ["Tab next  F10 begin", "Esc leave"]);
    }
}
