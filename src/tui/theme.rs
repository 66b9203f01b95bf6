//! Colour themes: `dim` for a darkened treatment room (the default), `day`, and a
//! colourless theme used when `NO_COLOR` is set.

use ratatui::style::{Color, Modifier, Style};

use crate::settings::ThemeName;

/// The styles the dashboard draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// The theme's name, as given on the command line.
    pub name: ThemeName,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: labels, finished steps, hints.
    pub muted: Style,
    /// The current hold's name and the countdown.
    pub accent: Style,
    /// A manual hold counting overtime: a calm colour change, never a flash.
    pub overtime: Style,
    /// Paused state.
    pub paused: Style,
    /// Panel borders.
    pub border: Style,
    /// The filled part of the progress gauge.
    pub gauge: Style,
    /// The unfilled part of the progress gauge.
    pub gauge_rest: Style,
}

impl Theme {
    /// The theme for `name`; `no_color` overrides it with [`ThemeName::Plain`],
    /// following <https://no-color.org>.
    pub fn pick(name: ThemeName, no_color: bool) -> Theme {
        match (no_color, name) {
            (true, _) | (false, ThemeName::Plain) => Theme::plain(),
            (false, ThemeName::Dim) => Theme::dim(),
            (false, ThemeName::Day) => Theme::day(),
            (false, ThemeName::HighContrast) => Theme::high_contrast(),
        }
    }

    /// Greys and a muted teal; nothing brighter than light grey, no filled
    /// backgrounds, so the screen glows as little as possible in a dark room.
    pub fn dim() -> Theme {
        let grey = |n| Style::new().fg(Color::Indexed(n));
        Theme {
            name: ThemeName::Dim,
            text: grey(248),
            muted: grey(241),
            accent: Style::new().fg(Color::Indexed(108)),
            overtime: Style::new().fg(Color::Indexed(137)),
            paused: grey(244),
            border: grey(237),
            gauge: Style::new().fg(Color::Indexed(66)),
            gauge_rest: grey(236),
        }
    }

    /// The terminal's default colours with clear accents.
    pub fn day() -> Theme {
        Theme {
            name: ThemeName::Day,
            text: Style::new(),
            muted: Style::new().fg(Color::DarkGray),
            accent: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            overtime: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            paused: Style::new().fg(Color::Magenta),
            border: Style::new().fg(Color::Gray),
            gauge: Style::new().fg(Color::Blue),
            gauge_rest: Style::new().fg(Color::Gray),
        }
    }

    /// White on the terminal's background with bold yellow and cyan
    /// accents: the most legible, for weak eyes or a bright room (it glows
    /// more than `dim` in a dark one).
    pub fn high_contrast() -> Theme {
        let bold = |c| Style::new().fg(c).add_modifier(Modifier::BOLD);
        Theme {
            name: ThemeName::HighContrast,
            text: Style::new().fg(Color::White),
            muted: Style::new().fg(Color::Gray),
            accent: bold(Color::LightCyan),
            overtime: bold(Color::LightYellow),
            paused: bold(Color::LightMagenta),
            border: Style::new().fg(Color::White),
            gauge: bold(Color::LightCyan),
            gauge_rest: Style::new().fg(Color::Gray),
        }
    }

    /// No colours; shape and text carry the meaning.
    pub fn plain() -> Theme {
        Theme {
            name: ThemeName::Plain,
            text: Style::new(),
            muted: Style::new(),
            accent: Style::new().add_modifier(Modifier::BOLD),
            overtime: Style::new().add_modifier(Modifier::BOLD),
            paused: Style::new(),
            border: Style::new(),
            gauge: Style::new(),
            gauge_rest: Style::new(),
        }
    }
}
