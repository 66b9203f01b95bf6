//! The body map for practice: a small drawing of a person lying face up on
//! the table, head at the top, with the current hold's contact regions
//! filled in and the next hold's marked. Every [`Region`] has a place on it;
//! those reached from beneath (occiput, dural tube, lumbosacral, sacrum) sit
//! on the midline and say so in the legend.
//!
//! Two drawings, large and compact; the largest that fits the panel is used,
//! and below the compact one the map becomes a line of text.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::protocol::Region;
use crate::tui::theme::Theme;

/// Region codes in the drawings: a letter stands for a cell of that region.
fn region_of(code: char) -> Option<Region> {
    Some(match code {
        'P' => Region::Parietal,
        'F' => Region::Frontal,
        'S' => Region::Sphenoid,
        'T' => Region::Temporal,
        'f' => Region::Face,
        'J' => Region::Jaw,
        'O' => Region::Occiput,
        'N' => Region::Neck,
        'H' => Region::Hyoid,
        'I' => Region::ThoracicInlet,
        'R' => Region::Shoulders,
        'B' => Region::Sternum,
        'D' => Region::RespiratoryDiaphragm,
        'U' => Region::DuralTube,
        'L' => Region::Lumbosacral,
        'V' => Region::Pelvis,
        'Q' => Region::Sacrum,
        'G' => Region::Legs,
        'K' => Region::Feet,
        _ => return None,
    })
}

/// The large drawing, 24 columns by 24 rows.
const LARGE: [&str; 24] = [
    "         ╭──────╮       ",
    "        ╱ PPPPPP ╲      ",
    "       │ FFFFFFFF │     ",
    "      T│ SS ff SS │T    ",
    "      T│  ffffff  │T    ",
    "        ╲  JJJJ  ╱      ",
    "         ╰─OOOO─╯       ",
    "           │NN│         ",
    "           │HH│         ",
    "   ╭───────┴II┴───────╮ ",
    "  ╱ RRRR   BBBB   RRRR ╲",
    "  │  │     BBBB     │  │",
    "  │  │   DDDDDDDD   │  │",
    "  │  │      UU      │  │",
    "  │  │      LL      │  │",
    "  │  │   VV QQ VV   │  │",
    "  ╰──┤   VVVVVVVV   ├──╯",
    "     ╰─┬──────────┬─╯   ",
    "       │ GGG  GGG │     ",
    "       │ GGG  GGG │     ",
    "       │ GGG  GGG │     ",
    "       │ GGG  GGG │     ",
    "       │ KKK  KKK │     ",
    "       ╰────╯╰────╯     ",
];

/// The compact drawing, 12 columns by 13 rows.
const SMALL: [&str; 13] = [
    "   ╭PPPP╮   ",
    "  T│FFFF│T  ",
    "  T│SffS│T  ",
    "   ╰JOOJ╯   ",
    "    │NH│    ",
    " ╭──┴II┴──╮ ",
    " │RR BB RR│ ",
    " │  DDDD  │ ",
    " │   UL   │ ",
    " │ VVQQVV │ ",
    " ╰┬──────┬╯ ",
    "  │GG  GG│  ",
    "  │KK  KK│  ",
];

/// Regions reached from beneath the client.
fn from_beneath(r: Region) -> bool {
    matches!(
        r,
        Region::Occiput | Region::DuralTube | Region::Lumbosacral | Region::Sacrum
    )
}

/// The map for one moment of practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyMap {
    /// Where the hands are now.
    pub now: Vec<Region>,
    /// Where they go next.
    pub next: Vec<Region>,
    /// Colours.
    pub theme: Theme,
}

/// The glyph for a filled cell now, a cell to come, and the rest.
const NOW: char = '█';
const NEXT: char = '▒';
const REST: char = '·';

impl BodyMap {
    /// The smallest area the compact drawing needs (with its legend).
    pub const SMALL_SIZE: (u16, u16) = (12, 13 + 2);
    /// The area the large drawing needs (with its legend).
    pub const LARGE_SIZE: (u16, u16) = (24, 24 + 2);

    fn drawing(area: Rect) -> Option<&'static [&'static str]> {
        if area.width >= Self::LARGE_SIZE.0 && area.height >= Self::LARGE_SIZE.1 {
            Some(&LARGE)
        } else if area.width >= Self::SMALL_SIZE.0 && area.height >= Self::SMALL_SIZE.1 {
            Some(&SMALL)
        } else {
            None
        }
    }

    fn names(regions: &[Region]) -> String {
        regions
            .iter()
            .map(|r| {
                if from_beneath(*r) {
                    format!("{} (beneath)", r.label())
                } else {
                    r.label().to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The legend: what is filled and what is marked.
    fn legend(&self) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = Vec::new();
        if !self.now.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{NOW} now "), t.accent),
                Span::styled(Self::names(&self.now), t.text),
            ]));
        }
        // Where the hands stay is not news.
        let next: Vec<Region> = self
            .next
            .iter()
            .copied()
            .filter(|r| !self.now.contains(r))
            .collect();
        if !next.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{NEXT} next "), t.muted),
                Span::styled(Self::names(&next), t.muted),
            ]));
        }
        lines
    }
}

impl Widget for &BodyMap {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let Some(rows) = BodyMap::drawing(area) else {
            Paragraph::new(self.legend())
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        };
        let width = rows[0].chars().count() as u16;
        let x0 = area.x + (area.width - width) / 2;
        for (dy, row) in rows.iter().enumerate() {
            let y = area.y + dy as u16;
            for (dx, c) in row.chars().enumerate() {
                let (glyph, style) = match region_of(c) {
                    Some(r) if self.now.contains(&r) => {
                        (NOW, t.accent.add_modifier(Modifier::BOLD))
                    }
                    Some(r) if self.next.contains(&r) => (NEXT, t.text),
                    Some(_) => (REST, t.muted),
                    None => (c, t.border),
                };
                if glyph != ' ' {
                    buf[(x0 + dx as u16, y)].set_char(glyph).set_style(style);
                }
            }
        }
        let legend_y = area.y + rows.len() as u16;
        Paragraph::new(self.legend())
            .wrap(Wrap { trim: true })
            .render(
                Rect::new(area.x, legend_y, area.width, area.bottom() - legend_y),
                buf,
            );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(drawing: &[&str], r: Region) -> usize {
        drawing
            .iter()
            .flat_map(|row| row.chars())
            .filter(|c| region_of(*c) == Some(r))
            .count()
    }

    #[test]
    fn every_region_has_a_place_on_both_drawings() {
        for r in Region::ALL {
            assert!(cells(&LARGE, r) > 0, "{r:?} missing from the large map");
            assert!(cells(&SMALL, r) > 0, "{r:?} missing from the compact map");
        }
    }

    #[test]
    fn the_drawings_are_rectangular() {
        for drawing in [&LARGE[..], &SMALL[..]] {
            let w = drawing[0].chars().count();
            assert!(drawing.iter().all(|r| r.chars().count() == w));
        }
        assert_eq!(LARGE[0].chars().count() as u16, BodyMap::LARGE_SIZE.0);
        assert_eq!(SMALL[0].chars().count() as u16, BodyMap::SMALL_SIZE.0);
    }
}
