//! The terminal user interface: the [`shell`] that runs a session (its loop
//! and its [`events`]), the [`dashboard`] drawn during the holds, the
//! [`forms`] before and after them, the protocol [`picker`], the practice
//! [`bodymap`], the colour [`theme`]s, and the [`terminal`] taken over and
//! always given back.

pub mod bodymap;
pub mod dashboard;
pub mod events;
pub mod forms;
pub mod picker;
pub mod shell;
pub mod terminal;
pub mod theme;

/// The smallest window the screens are drawn in; below it a centred
/// "please enlarge" message is shown instead.
pub const MIN_WIDTH: u16 = 40;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 12;

/// Writes `text` on one row from `(x, y)`, at most `max` columns, in
/// `style`; returns the columns used. Plain ASCII (most step names and
/// every figure) goes straight into the cells, without the grapheme
/// segmentation ratatui needs for other text, which it gets.
pub fn put(
    buf: &mut ratatui::buffer::Buffer,
    x: u16,
    y: u16,
    text: &str,
    max: u16,
    style: ratatui::style::Style,
) -> u16 {
    if !text.is_ascii() || text.bytes().any(|b| b.is_ascii_control()) {
        let (end, _) = buf.set_stringn(x, y, text, usize::from(max), style);
        return end.saturating_sub(x);
    }
    let room = max.min(buf.area.right().saturating_sub(x));
    let mut used = 0;
    for (c, col) in text.chars().zip(x..x + room) {
        if let Some(cell) = buf.cell_mut((col, y)) {
            cell.set_char(c).set_style(style);
        }
        used += 1;
    }
    used
}
