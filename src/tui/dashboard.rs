//! The dashboard: a [`View`] distilled from the session at a moment, and its
//! rendering as a ratatui widget.
//!
//! Rendering is a pure function of the `View`. The shell compares each new `View`
//! with the last one drawn and redraws only when they differ, so the screen is
//! touched only when something visible changes.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};
use tui_big_text::{BigText, PixelSize};

use crate::clock::Moment;
use crate::protocol::{Advance, Step};
use crate::session::engine::{Phase, Session, SignedSecs, StepStatus};
use crate::settings::{Action, KeyMap};
use crate::text::{self, clock_text, truncate};
use crate::tui::forms::LineInput;
use crate::tui::theme::Theme;

use crate::tui::{MIN_HEIGHT, MIN_WIDTH, put};

/// A panel drawn over the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overlay {
    /// Nothing over the dashboard.
    #[default]
    None,
    /// The list of keys.
    Help,
    /// "End the session?" after `q`, so a bump never ends a session.
    ConfirmQuit,
}

/// Everything around the session that the screen shows. The app keeps one
/// and hands a copy, with this moment's figures filled in, to each frame's
/// [`View`], which draws from it directly: a value added here reaches the
/// screen without being copied anywhere else.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Rehearsal speed (1.0 for a real session).
    pub speed: f64,
    /// The audio state as the status line words it.
    pub audio: String,
    /// Whether the laptop is held awake, as the status line words it (none
    /// outside a real session).
    pub awake: Option<String>,
    /// Show a visual cue (a bell could not sound).
    pub flash: bool,
    /// Colours.
    pub theme: Theme,
    /// What is drawn over the dashboard.
    pub overlay: Overlay,
    /// The client reference, when one was given.
    pub client: Option<String>,
    /// The latest journal entries, oldest first: (time of day, words).
    pub log: Vec<(String, String)>,
    /// The latest rhythm rate from taps, in cycles a minute.
    pub rhythm: Option<f64>,
    /// How long the still point being marked has lasted, in whole seconds.
    pub still: Option<Duration>,
    /// The consultation's cautions, shown all session.
    pub cautions: Option<String>,
    /// The note being typed.
    pub note: Option<LineInput>,
    /// Characters of the last paste into the note that did not fit.
    pub note_left_out: usize,
    /// A practice session.
    pub practice: bool,
    /// Each action's keys as the screen shows them.
    pub keys: KeyLabels,
    /// A warning put first on the status line (the record is not being
    /// saved).
    pub warning: Option<String>,
    /// How many of the log's last lines are not on disk yet (marked `*`).
    pub unsaved: usize,
}

/// Each action's keys as the footer and the help show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLabels(Vec<(Action, String)>);

impl KeyLabels {
    /// The labels of `map`'s keys.
    pub fn of(map: &KeyMap) -> KeyLabels {
        KeyLabels(Action::ALL.iter().map(|a| (*a, map.label(*a))).collect())
    }

    /// All of `action`'s keys, e.g. `space Enter → PgDn`.
    fn all(&self, action: Action) -> &str {
        self.0
            .iter()
            .find(|(a, _)| *a == action)
            .map_or("", |(_, l)| l.as_str())
    }

    /// `action`'s first key, for the footer.
    fn first(&self, action: Action) -> &str {
        self.all(action).split(' ').next().unwrap_or("")
    }
}

impl Context {
    /// A context with nothing around the session but `theme`.
    pub fn new(theme: Theme) -> Context {
        Context {
            speed: 1.0,
            audio: String::new(),
            awake: None,
            flash: false,
            theme,
            overlay: Overlay::None,
            client: None,
            log: Vec::new(),
            rhythm: None,
            still: None,
            cautions: None,
            note: None,
            practice: false,
            keys: KeyLabels::of(&KeyMap::default()),
            warning: None,
            unsaved: 0,
            note_left_out: 0,
        }
    }
}

/// What the session looks like as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Waiting for the first press of next.
    Ready,
    /// The clock runs.
    Running,
    /// A manual hold counts overtime.
    Overtime,
    /// The clock is stopped.
    Paused,
    /// Every step was worked through.
    Complete,
    /// Ended early.
    Ended,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    /// The step's name.
    pub name: String,
    /// Planned time in whole seconds.
    pub planned: u64,
    /// Time actually spent, in whole seconds, once the step has been reached.
    pub actual: Option<u64>,
    /// Done, current or upcoming.
    pub status: StepStatus,
    /// A transition rather than a hold.
    pub transition: bool,
}

/// Everything the dashboard shows, at whole-second resolution, so two views
/// are equal exactly when the screens would be: the session's figures at a
/// moment, and the [`Context`] around them.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    ctx: Context,
    protocol: String,
    mode: Mode,
    step_no: usize,
    steps: usize,
    step_name: String,
    region: Option<&'static str>,
    kind: &'static str,
    countdown: SignedSecs,
    target: u64,
    elapsed: u64,
    next: Option<(String, u64)>,
    session_elapsed: u64,
    session_remaining: u64,
    ends_at: Option<String>,
    /// The step the first row of `timeline` stands for.
    timeline_start: usize,
    /// A window of rows around the current step.
    timeline: Vec<TimelineRow>,
    hold: HoldInfo,
}

/// What the current hold says and where the hands go (nothing for a
/// transition).
#[derive(Debug, Clone, PartialEq, Default)]
struct HoldInfo {
    hands: Option<String>,
    intent: Option<String>,
    notice: Option<String>,
    landmarks: Option<String>,
    touch: Option<String>,
    mistakes: Option<String>,
    /// Where the hands are now and where they go next, for the body map.
    regions: Vec<crate::protocol::Region>,
    next_regions: Vec<crate::protocol::Region>,
}

impl HoldInfo {
    fn of(session: &Session) -> HoldInfo {
        let next_regions = session
            .next_step()
            .and_then(Step::hold)
            .map(contacts)
            .unwrap_or_default();
        let Some(h) = session.current_step().hold() else {
            return HoldInfo {
                next_regions,
                ..HoldInfo::default()
            };
        };
        HoldInfo {
            hands: Some(h.hands.clone()),
            intent: Some(h.intent.clone()),
            notice: h.notice.clone(),
            landmarks: h.landmarks.clone(),
            touch: h.touch.clone(),
            mistakes: h.mistakes.clone(),
            regions: contacts(h),
            next_regions,
        }
    }
}

impl Mode {
    fn of(phase: Phase) -> Mode {
        match phase {
            Phase::Ready => Mode::Ready,
            Phase::Running => Mode::Running,
            Phase::Overtime => Mode::Overtime,
            Phase::Paused { .. } => Mode::Paused,
            Phase::Finished {
                completed: true, ..
            } => Mode::Complete,
            Phase::Finished { .. } => Mode::Ended,
        }
    }
}

/// How many timeline rows a view carries at most: more than any screen
/// shows, few enough that a frame costs the same for 18 steps as for
/// 10,000.
const TIMELINE_WINDOW: usize = 64;

/// The rows of the timeline around the current step at `now`, and the
/// index of the first: two steps before the current one and the rest
/// after it, or the last [`TIMELINE_WINDOW`] steps near the end.
fn timeline(session: &Session, now: Moment) -> (usize, Vec<TimelineRow>) {
    let steps = &session.protocol().steps;
    let first = session
        .current()
        .saturating_sub(2)
        .min(steps.len().saturating_sub(TIMELINE_WINDOW));
    let rows = steps
        .iter()
        .enumerate()
        .skip(first)
        .take(TIMELINE_WINDOW)
        .map(|(i, s)| {
            let status = session.step_status(i);
            let actual = session.step_actual(i, now);
            TimelineRow {
                name: s.name().to_owned(),
                planned: s.planned().as_secs(),
                actual: (status != StepStatus::Upcoming || actual > Duration::ZERO)
                    .then_some(actual.as_secs()),
                status,
                transition: matches!(s, Step::Transition(_)),
            }
        })
        .collect();
    (first, rows)
}

impl View {
    /// Distils the session at `now` into what the screen shows, around
    /// `ctx`; `wall` (the time of day now) gives the projected end.
    pub fn new(
        session: &Session,
        now: Moment,
        wall: Option<jiff::civil::Time>,
        ctx: Context,
    ) -> View {
        let protocol = session.protocol();
        let step = session.current_step();
        let mode = Mode::of(session.phase());
        let remaining = session.session_remaining(now);
        let ends_at = wall.and_then(|wall| {
            if matches!(mode, Mode::Complete | Mode::Ended) {
                return None;
            }
            let real = remaining.div_f64(ctx.speed);
            let span = jiff::SignedDuration::try_from(real).ok()?;
            Some(wall.wrapping_add(span).strftime("%H:%M").to_string())
        });
        let (timeline_start, timeline) = timeline(session, now);
        View {
            ctx,
            protocol: protocol.name.to_string(),
            mode,
            step_no: session.current() + 1,
            steps: protocol.steps.len(),
            step_name: step.name().to_owned(),
            region: step.hold().map(|h| h.region.label()),
            kind: match step {
                Step::Transition(_) => "transition",
                Step::Hold(h) if h.advance == Advance::Manual => "hold until release",
                Step::Hold(_) => "timed hold",
            },
            countdown: session.step_remaining(now),
            target: session.step_target().as_secs(),
            elapsed: session.step_elapsed(now).as_secs(),
            next: session
                .next_step()
                .map(|s| (s.name().to_owned(), s.planned().as_secs())),
            session_elapsed: session.session_elapsed(now).as_secs(),
            session_remaining: remaining.as_secs(),
            ends_at,
            timeline_start,
            timeline,
            hold: HoldInfo::of(session),
        }
    }

    /// Puts a warning first on the status line (e.g. the record is not
    /// being saved).
    pub fn warn(&mut self, warning: String) {
        self.ctx.warning = Some(warning);
    }

    /// The countdown as the big digits show it: `m:ss`, `h:mm:ss`, or `+m:ss`
    /// in overtime.
    pub fn countdown_text(&self) -> String {
        countdown_text(self.countdown)
    }

    fn is_finished(&self) -> bool {
        matches!(self.mode, Mode::Complete | Mode::Ended)
    }

    /// The style of the countdown and the hold panel's frame.
    fn time_style(&self) -> Style {
        match self.mode {
            Mode::Overtime => self.ctx.theme.overtime,
            Mode::Paused => self.ctx.theme.paused,
            _ => self.ctx.theme.accent,
        }
    }
}

/// The regions a hold's hands are on: its region and any others.
fn contacts(h: &crate::protocol::Hold) -> Vec<crate::protocol::Region> {
    std::iter::once(h.region)
        .chain(h.also.iter().copied())
        .collect()
}

/// What the learning panel says about touch when the protocol does not.
pub const DEFAULT_TOUCH: &str =
    "Very light: about five grams, the weight of a small coin. Rest the hands; do not press.";

/// Formats a countdown: remaining time, or `+m:ss` past the target.
pub fn countdown_text(c: SignedSecs) -> String {
    let secs = Duration::from_secs(c.0.unsigned_abs());
    if c.0 < 0 {
        format!("+{}", clock_text(secs))
    } else {
        clock_text(secs)
    }
}

fn secs_text(s: u64) -> String {
    clock_text(Duration::from_secs(s))
}

impl Widget for &View {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            self.render_too_small(area, buf);
            return;
        }
        let [header, body, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf);
        if self.ctx.practice && !self.is_finished() {
            self.render_practice(body, buf);
        } else if area.width >= 90 {
            let side = (area.width * 36 / 100).min(46);
            let [main, column] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(body);
            self.render_hold(main, buf, false);
            // The log takes a third of the column, between 4 and 9 rows.
            let log_rows = (column.height / 3).clamp(4, 9);
            if column.height >= log_rows + 6 {
                let [timeline, log] =
                    Layout::vertical([Constraint::Fill(1), Constraint::Length(log_rows)])
                        .areas(column);
                self.render_timeline(timeline, buf);
                self.render_log(log, buf);
            } else {
                self.render_timeline(column, buf);
            }
        } else {
            self.render_hold(body, buf, true);
        }
        self.render_status(status, buf);
        self.render_footer(footer, buf);
        match self.ctx.overlay {
            Overlay::None => {}
            Overlay::Help => self.render_help(area, buf),
            Overlay::ConfirmQuit => self.render_confirm_quit(area, buf),
        }
    }
}

impl View {
    /// Practice: the hold with its learning text, a body map beside it, and
    /// (when there is room) the timeline under the map.
    fn render_practice(&self, body: Rect, buf: &mut Buffer) {
        let map = crate::tui::bodymap::BodyMap {
            now: self.hold.regions.clone(),
            next: self.hold.next_regions.clone(),
            theme: self.ctx.theme,
        };
        if body.width >= 90 {
            let side = (body.width * 36 / 100).clamp(28, 46);
            let [main, column] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(body);
            self.render_hold(main, buf, false);
            let (_, large_h) = crate::tui::bodymap::BodyMap::LARGE_SIZE;
            let (_, small_h) = crate::tui::bodymap::BodyMap::SMALL_SIZE;
            // The legend can wrap onto a line or two more.
            let map_rows = if column.height >= large_h + 2 + 6 {
                large_h + 2
            } else {
                (small_h + 2).min(column.height)
            };
            let [map_area, timeline] =
                Layout::vertical([Constraint::Length(map_rows), Constraint::Fill(1)]).areas(column);
            map.render(map_area.inner(ratatui::layout::Margin::new(1, 0)), buf);
            if timeline.height >= 4 {
                self.render_timeline(timeline, buf);
            }
        } else if body.width >= 60 {
            let [main, side] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(16)]).areas(body);
            self.render_hold(main, buf, true);
            map.render(side.inner(ratatui::layout::Margin::new(1, 0)), buf);
        } else {
            self.render_hold(body, buf, true);
        }
    }

    fn render_too_small(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let mut lines = vec![
            Line::styled("Please enlarge the window", t.text),
            Line::styled(format!("(at least {MIN_WIDTH}×{MIN_HEIGHT})"), t.muted),
        ];
        if area.height >= 4 {
            lines.push(Line::default());
            lines.push(Line::styled(
                format!("{}  {}", self.step_name, self.countdown_text()),
                self.time_style(),
            ));
        }
        let height = (lines.len() as u16).min(area.height);
        let y = area.y + area.height.saturating_sub(height) / 2;
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .render(Rect::new(area.x, y, area.width, height), buf);
    }

    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let width = usize::from(area.width);
        let mut parts = vec![format!("elapsed {}", secs_text(self.session_elapsed))];
        if !self.is_finished() {
            parts.push(format!("left {}", secs_text(self.session_remaining)));
        }
        if let Some(end) = &self.ends_at {
            parts.push(format!("ends ~{end}"));
        }
        // The protocol's name keeps at least a few columns: drop the least
        // important figures first, then cut the name with an ellipsis, so
        // the two sides never run into each other at any width.
        const NAME_MIN: usize = 8;
        let prefix = " stillpoint · ";
        let mut right = format!("{} ", parts.join(" · "));
        while text::width(&right) + text::width(prefix) + NAME_MIN + 1 > width && parts.len() > 1 {
            parts.pop();
            right = format!("{} ", parts.join(" · "));
        }
        let named = text::width(&right) + text::width(prefix) + NAME_MIN < width;
        let prefix = if named { prefix } else { " " };
        let room = width.saturating_sub(text::width(&right) + text::width(prefix) + 1);
        let mut left = vec![Span::styled(prefix, t.muted)];
        if named {
            left = vec![
                Span::styled(" stillpoint", t.muted),
                Span::styled(" · ", t.muted),
            ];
        }
        left.push(Span::styled(
            truncate(&self.protocol, room),
            t.text.add_modifier(Modifier::BOLD),
        ));
        let left = Line::from(left);
        left.render(area, buf);
        Line::styled(right, t.text)
            .alignment(Alignment::Right)
            .render(area, buf);
    }

    fn render_hold(&self, area: Rect, buf: &mut Buffer, with_last: bool) {
        let block = self.hold_block();
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let inner = inner.inner(ratatui::layout::Margin::new(1, 0));

        let text = self.hold_text(with_last);
        let text_rows = text.rows(inner.width);
        // Rows: name, digits, gauge, a blank line, then the text.
        let spare = inner.height.saturating_sub(3);
        let digits = self.countdown_for_finish();
        let size = pick_digit_size(&digits, inner.width, spare.saturating_sub(text_rows.min(4)));
        let digit_rows = size.map_or(1, |s| s.rows());
        // Sit the content a little above the middle of a tall panel rather
        // than leaving a void under it.
        let used = 3 + digit_rows + text_rows;
        let top = inner.height.saturating_sub(used) / 3;
        let inner = Rect {
            y: inner.y + top,
            height: inner.height - top,
            ..inner
        };
        let [name, big, gauge, _, rest] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(digit_rows),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(inner);
        self.render_name(name, buf);
        self.render_digits(&digits, size, big, buf);
        self.render_gauge(gauge, buf);
        text.render(rest, buf, &self.ctx.theme);
    }

    /// The hold panel's frame and title: the step, its kind, and the visual
    /// cue that stands in for a bell when there is no sound.
    fn hold_block(&self) -> Block<'_> {
        let t = &self.ctx.theme;
        let frame_style = match self.mode {
            _ if self.ctx.flash => t.accent,
            Mode::Overtime => t.overtime,
            _ => t.border,
        };
        let title = if self.is_finished() {
            format!(" {} steps ", self.steps)
        } else if self.ctx.flash {
            format!(
                " step {} of {} · {} · ◆ cue ",
                self.step_no, self.steps, self.kind
            )
        } else {
            format!(" step {} of {} · {} ", self.step_no, self.steps, self.kind)
        };
        Block::new()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(frame_style)
            .title(Span::styled(title, t.muted))
    }

    /// The step's name and its region.
    fn render_name(&self, area: Rect, buf: &mut Buffer) {
        let mut name_line = vec![Span::styled(
            self.title_text(),
            self.time_style().add_modifier(Modifier::BOLD),
        )];
        if let Some(region) = self.region.filter(|_| !self.is_finished()) {
            name_line.push(Span::styled(format!(" · {region}"), self.ctx.theme.muted));
        }
        Line::from(name_line).render(area, buf);
    }

    /// The countdown in big digits, or one bold line when they do not fit.
    fn render_digits(&self, digits: &str, size: Option<DigitSize>, area: Rect, buf: &mut Buffer) {
        match size {
            Some(DigitSize::Scaled(n)) => render_scaled(digits, self.time_style(), n, area, buf),
            Some(size) => BigText::builder()
                .pixel_size(size.pixel())
                .style(self.time_style())
                .lines(vec![Line::from(digits.to_owned())])
                .centered()
                .build()
                .render(area, buf),
            None => Line::styled(
                digits.to_owned(),
                self.time_style().add_modifier(Modifier::BOLD),
            )
            .alignment(Alignment::Center)
            .render(area, buf),
        }
    }

    fn title_text(&self) -> String {
        match self.mode {
            Mode::Complete => "Session complete".to_owned(),
            Mode::Ended => "Session ended early".to_owned(),
            _ => self.step_name.clone(),
        }
    }

    /// Finished sessions show their active time in the big digits.
    fn countdown_for_finish(&self) -> String {
        if self.is_finished() {
            secs_text(self.session_elapsed)
        } else {
            self.countdown_text()
        }
    }

    fn hold_text(&self, with_last: bool) -> HoldText<'_> {
        let t = &self.ctx.theme;
        let k = &self.ctx.keys;
        // The first line is the state message; it stays (blank while running)
        // so the panel does not jump when the state changes.
        let message = match self.mode {
            Mode::Ready => Line::styled(
                format!(
                    "Settle your hands, then press {} (or the pedal) to begin.",
                    k.first(Action::Next)
                ),
                t.text,
            ),
            Mode::Complete | Mode::Ended => {
                return HoldText {
                    messages: vec![
                        Line::styled(
                            format!("Active time {}.", secs_text(self.session_elapsed)),
                            t.text,
                        ),
                        Line::styled(
                            format!("Press {} to close.", k.first(Action::Quit)),
                            t.muted,
                        ),
                    ],
                    fields: Vec::new(),
                };
            }
            Mode::Paused => Line::styled(
                format!(
                    "Paused. Press {} or {} to carry on with this step.",
                    k.first(Action::Next),
                    k.first(Action::Pause)
                ),
                t.paused,
            ),
            Mode::Overtime => Line::styled(
                "Past the target time: hold until release, then press next.",
                t.overtime,
            ),
            Mode::Running => Line::default(),
        };
        HoldText {
            messages: vec![message],
            fields: self.hold_fields(with_last),
        }
    }

    /// The labelled lines under the digits: cautions, the hold's text (and
    /// in practice its learning text), the next step, and, without a side
    /// column, the latest log line.
    fn hold_fields(&self, with_last: bool) -> Vec<(&'static str, String)> {
        let h = &self.hold;
        let practice = self.ctx.practice;
        let mut fields = Vec::new();
        let mut add = |label, value: Option<&String>| {
            if let Some(v) = value {
                fields.push((label, v.clone()));
            }
        };
        add("Care", self.ctx.cautions.as_ref());
        add("Find", h.landmarks.as_ref().filter(|_| practice));
        add("Hands", h.hands.as_ref());
        let touch = h.touch.clone().unwrap_or_else(|| DEFAULT_TOUCH.to_owned());
        add(
            "Touch",
            Some(&touch).filter(|_| practice && h.hands.is_some()),
        );
        add("Intent", h.intent.as_ref());
        add("Notice", h.notice.as_ref());
        add("Avoid", h.mistakes.as_ref().filter(|_| practice));
        // The next step in full with its planned time, in every layout:
        // the timeline's row for it may be cut short.
        if let Some((name, planned)) = &self.next {
            fields.push(("Next", format!("{name} ({})", secs_text(*planned))));
        }
        // Without room for the log panel, its latest line.
        if with_last && let Some((time, text)) = self.ctx.log.last() {
            fields.push(("Last", format!("{time} {text}")));
        }
        fields
    }

    fn render_gauge(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        if self.is_finished() || area.width < 10 {
            return;
        }
        let label = format!(" {} / {}", secs_text(self.elapsed), secs_text(self.target));
        let bar_width = area.width.saturating_sub(text::width(&label) as u16) as u64;
        let filled = (self.elapsed.min(self.target) * bar_width)
            .checked_div(self.target)
            .unwrap_or(bar_width)
            .min(bar_width);
        let fill_style = if self.mode == Mode::Overtime {
            t.overtime
        } else {
            t.gauge
        };
        Line::from(vec![
            Span::styled("━".repeat(filled as usize), fill_style),
            Span::styled("─".repeat((bar_width - filled) as usize), t.gauge_rest),
            Span::styled(label, t.muted),
        ])
        .render(area, buf);
    }

    fn render_timeline(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border)
            .title(Span::styled(" timeline · plan / actual ", t.muted));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 || inner.width < 16 {
            return;
        }
        // Keep the current step in view with two finished steps above it.
        let rows = inner.height as usize;
        let current = self
            .step_no
            .saturating_sub(1)
            .saturating_sub(self.timeline_start);
        let first = current
            .saturating_sub(2)
            .min(self.timeline.len().saturating_sub(rows));
        // Mark, name, plan (6 columns) and actual (7), written straight
        // into the cells a row at a time: nothing here wraps.
        let name_width = inner.width - 15;
        let rows = self.timeline.iter().skip(first);
        for (y, row) in (inner.y..inner.bottom()).zip(rows) {
            let (mark, style) = match row.status {
                StepStatus::Done => ("✓ ", t.muted),
                StepStatus::Current if self.is_finished() => ("✓ ", t.muted),
                StepStatus::Current => ("▸ ", self.time_style().add_modifier(Modifier::BOLD)),
                StepStatus::Upcoming => ("  ", t.text),
            };
            let mut x = inner.x;
            x += put(buf, x, y, mark, 2, style);
            let mut room = name_width;
            if row.transition {
                room -= put(buf, x, y, "· ", room, style);
            }
            put(
                buf,
                x + name_width - room,
                y,
                &truncate(&row.name, room.into()),
                room,
                style,
            );
            x += name_width;
            // Right-aligned; an hour-long figure takes a column more.
            let planned = secs_text(row.planned);
            let at = (x + 6).saturating_sub(planned.len() as u16);
            put(buf, at, y, &planned, 7, t.muted);
            if let Some(actual) = row.actual.map(secs_text) {
                let at = (x + 13).saturating_sub(actual.len() as u16);
                put(buf, at, y, &actual, 7, style);
            }
        }
    }

    fn render_status(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let (state, style) = match self.mode {
            Mode::Ready => ("● ready", t.text),
            Mode::Running => ("▶ running", t.accent),
            Mode::Overtime => ("▶ overtime", t.overtime),
            Mode::Paused => ("‖ paused", t.paused),
            Mode::Complete => ("■ complete", t.text),
            Mode::Ended => ("■ ended early", t.text),
        };
        let mut spans = vec![Span::raw(" ")];
        if let Some(w) = &self.ctx.warning {
            spans.push(Span::styled(
                w.clone(),
                t.overtime.add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(" · ", t.muted));
        }
        spans.push(Span::styled(state, style));
        let mut extra = Vec::new();
        if let Some(length) = self.ctx.still {
            extra.push(format!("still point {}", clock_text(length)));
        }
        if let Some(r) = self.ctx.rhythm {
            extra.push(format!("rhythm {r:.1}/min"));
        }
        extra.push(self.ctx.audio.clone());
        extra.extend(self.ctx.awake.clone());
        if self.ctx.practice {
            extra.push("practice".to_owned());
        }
        if let Some(c) = &self.ctx.client {
            extra.push(format!("client {c}"));
        }
        if self.ctx.speed != 1.0 {
            extra.push(format!("rehearsal ×{}", self.ctx.speed));
        }
        for e in extra {
            spans.push(Span::styled(" · ", t.muted));
            spans.push(Span::styled(e, t.muted));
        }
        Line::from(spans).render(area, buf);
    }

    fn render_footer(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        if let Some(note) = &self.ctx.note {
            self.render_note(note, area, buf);
            return;
        }
        let k = &self.ctx.keys;
        let nudge = format!("{}/{}", k.first(Action::Extend), k.first(Action::Shorten));
        let keys: Vec<(&str, &str)> = if self.is_finished() {
            vec![
                (k.first(Action::Quit), "close"),
                (k.first(Action::Back), "reopen last step"),
                (k.first(Action::Help), "keys"),
            ]
        } else {
            vec![
                (k.first(Action::Next), "next"),
                (k.first(Action::Back), "back"),
                (k.first(Action::Pause), "pause"),
                (nudge.as_str(), "30 s"),
                (k.first(Action::Note), "note"),
                (k.first(Action::Help), "keys"),
                (k.first(Action::Quit), "quit"),
            ]
        };
        let keys: Vec<(&str, &str)> = keys
            .into_iter()
            .filter(|(key, _)| !key.is_empty())
            .collect();
        let mut spans = vec![Span::raw(" ")];
        let mut used = 1;
        for (i, (key, what)) in keys.iter().enumerate() {
            let gap = if i > 0 { 2 } else { 0 };
            let width = gap + text::width(key) + 1 + text::width(what);
            // Drop what does not fit; `?` lists every key anyway.
            if used + width > area.width as usize {
                continue;
            }
            used += width;
            if i > 0 {
                spans.push(Span::styled("  ", t.muted));
            }
            spans.push(Span::styled(key.to_string(), t.text));
            spans.push(Span::styled(format!(" {what}"), t.muted));
        }
        Line::from(spans).render(area, buf);
    }

    /// The note being typed, on the footer line: the timer keeps running.
    fn render_note(&self, note: &LineInput, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let prompt = " note › ";
        // The length is always in view, and a paste cut short says so.
        let hint = if self.ctx.note_left_out > 0 {
            format!(
                "  {}/{} · {} pasted characters did not fit",
                note.len(),
                note.max(),
                self.ctx.note_left_out
            )
        } else {
            format!("  {}/{} · enter saves · esc drops", note.len(), note.max())
        };
        let hint = hint.as_str();
        let room = (area.width as usize).saturating_sub(text::width(prompt) + text::width(hint));
        let mut spans = vec![Span::styled(prompt, t.accent)];
        spans.extend(note.spans(room.max(1), true, t.text));
        spans.push(Span::styled(hint, t.muted));
        Line::from(spans).render(area, buf);
    }

    fn render_log(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(t.border)
            .title(Span::styled(" log ", t.muted));
        let inner = block.inner(area);
        block.render(area, buf);
        let rows = inner.height as usize;
        let log = &self.ctx.log;
        let first_unsaved = log.len().saturating_sub(self.ctx.unsaved);
        let lines: Vec<Line> = log
            .iter()
            .enumerate()
            .skip(log.len().saturating_sub(rows))
            .map(|(i, (time, text))| {
                // A line not on disk yet is marked, so what the screen shows
                // as recorded is always in the file.
                let (mark, style) = if i >= first_unsaved {
                    ("*", t.overtime)
                } else {
                    (" ", t.muted)
                };
                Line::from(vec![
                    Span::styled(format!("{time}{mark}"), style),
                    Span::styled(
                        truncate(text, (inner.width as usize).saturating_sub(6)),
                        t.text,
                    ),
                ])
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }

    fn render_help(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let what = |a: Action| match a {
            Action::Next => "next step (or start; when paused, carry on)",
            Action::Back => "back a step (when paused, carry on)",
            Action::Pause => "pause / resume",
            Action::Extend => "add 30 s to this step",
            Action::Shorten => "take 30 s from this step",
            Action::VolumeUp => "volume up (ten steps)",
            Action::VolumeDown => "volume down",
            Action::Mute => "mute / unmute",
            Action::Note => "write a note (the timer keeps running)",
            Action::Tap => "tap on each cycle: shows the rhythm rate",
            Action::StillPoint => "mark a still point's start, then its end",
            Action::Help => "show / hide this list",
            Action::Quit => "end the session (asks first)",
            Action::Dismiss => "close this list",
        };
        let lines: Vec<Line> = Action::ALL
            .iter()
            .filter(|a| !self.ctx.keys.all(**a).is_empty())
            .map(|a| {
                Line::from(vec![
                    Span::styled(
                        format!(" {}", text::fit(self.ctx.keys.all(*a), 20)),
                        t.accent,
                    ),
                    Span::styled(what(*a), t.text),
                ])
            })
            .collect();
        popup(area, buf, t, " keys ", lines, 70);
    }

    fn render_confirm_quit(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.ctx.theme;
        let lines = vec![
            Line::styled(
                " End this session now?",
                t.text.add_modifier(Modifier::BOLD),
            ),
            Line::styled(" The time so far is kept in the log.", t.muted),
            Line::default(),
            Line::from(vec![
                Span::styled(" y", t.accent),
                Span::styled(" end session    ", t.text),
                Span::styled("any other key", t.accent),
                Span::styled(" keep going", t.text),
            ]),
        ];
        popup(area, buf, t, " quit? ", lines, 48);
    }
}

/// Draws `lines` in a bordered box centred in `area`.
fn popup(area: Rect, buf: &mut Buffer, t: &Theme, title: &str, lines: Vec<Line>, width: u16) {
    let w = width.min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(t.accent)
                .title(Span::styled(title, t.text)),
        )
        .render(rect, buf);
}

/// The words under the countdown: a state message, then labelled fields
/// whose wrapped lines stay indented under their value.
struct HoldText<'a> {
    messages: Vec<Line<'a>>,
    fields: Vec<(&'static str, String)>,
}

/// Width of the field labels ("Hands", "Intent", ...).
const LABEL: u16 = 8;

impl HoldText<'_> {
    fn rows(&self, width: u16) -> u16 {
        let value_width = width.saturating_sub(LABEL);
        self.messages.len() as u16
            + self
                .fields
                .iter()
                .map(|(_, v)| wrapped_rows(v, value_width))
                .sum::<u16>()
    }

    fn render(self, area: Rect, buf: &mut Buffer, t: &Theme) {
        let bottom = area.bottom();
        let mut y = area.y;
        for line in self.messages {
            if y >= bottom {
                return;
            }
            line.render(Rect::new(area.x, y, area.width, 1), buf);
            y += 1;
        }
        let value_width = area.width.saturating_sub(LABEL);
        for (label, value) in self.fields {
            if y >= bottom || value_width == 0 {
                return;
            }
            let rows = wrapped_rows(&value, value_width).min(bottom - y);
            // The consultation's cautions stand out, calmly, all session.
            let (label_style, value_style) = if label == "Care" {
                (t.overtime, t.overtime)
            } else {
                (t.muted, t.text)
            };
            Line::styled(label, label_style).render(Rect::new(area.x, y, LABEL, 1), buf);
            Paragraph::new(Line::styled(value, value_style))
                .wrap(Wrap { trim: true })
                .render(Rect::new(area.x + LABEL, y, value_width, rows), buf);
            y += rows;
        }
    }
}

/// Rows `text` takes when word-wrapped to `width` (a close estimate).
fn wrapped_rows(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut rows = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = text::width(word);
        if used > 0 && used + 1 + w > width {
            rows += 1;
            used = 0;
        }
        used += if used > 0 { 1 + w } else { w };
        // A word longer than the line wraps by itself.
        while used > width {
            rows += 1;
            used -= width;
        }
    }
    rows
}

/// How tall the digits are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigitSize {
    /// The full digits drawn at `n` times their size (8n rows, 8n columns
    /// a character), for a large window seen from across the room.
    Scaled(u16),
    /// 8 rows, 8 columns a character.
    Full,
    /// 4 rows, 8 columns a character.
    Half,
    /// 4 rows, 4 columns a character.
    Quadrant,
}

impl DigitSize {
    fn rows(self) -> u16 {
        match self {
            DigitSize::Scaled(n) => 8 * n,
            DigitSize::Full => 8,
            DigitSize::Half | DigitSize::Quadrant => 4,
        }
    }

    fn cols_per_char(self) -> u16 {
        match self {
            DigitSize::Scaled(n) => 8 * n,
            DigitSize::Full | DigitSize::Half => 8,
            DigitSize::Quadrant => 4,
        }
    }

    fn pixel(self) -> PixelSize {
        match self {
            DigitSize::Scaled(_) | DigitSize::Full => PixelSize::Full,
            DigitSize::Half => PixelSize::HalfHeight,
            DigitSize::Quadrant => PixelSize::Quadrant,
        }
    }
}

/// The largest digits that fit; `None` means plain text.
fn pick_digit_size(text: &str, width: u16, rows: u16) -> Option<DigitSize> {
    let chars = text.chars().count() as u16;
    [
        DigitSize::Scaled(3),
        DigitSize::Scaled(2),
        DigitSize::Full,
        DigitSize::Half,
        DigitSize::Quadrant,
    ]
    .into_iter()
    .find(|s| s.rows() <= rows && s.cols_per_char() * chars <= width)
}

/// Draws `digits` in full-size block digits at `n` times their size,
/// centred in `area`: drawn once off screen, then each cell spread over
/// n×n cells (the full-size font is whole blocks, so this is exact).
fn render_scaled(digits: &str, style: Style, n: u16, area: Rect, buf: &mut Buffer) {
    let chars = digits.chars().count() as u16;
    let small = Rect::new(0, 0, chars * 8, 8);
    let mut off = Buffer::empty(small);
    BigText::builder()
        .pixel_size(PixelSize::Full)
        .style(style)
        .lines(vec![Line::from(digits.to_owned())])
        .build()
        .render(small, &mut off);
    let left = area.x + area.width.saturating_sub(small.width * n) / 2;
    for y in 0..small.height * n {
        for x in 0..small.width * n {
            let (tx, ty) = (left + x, area.y + y);
            if tx >= area.right() || ty >= area.bottom() {
                continue;
            }
            if let (Some(from), Some(to)) =
                (off.cell((x / n, y / n)).cloned(), buf.cell_mut((tx, ty)))
            {
                *to = from;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_formats() {
        assert_eq!(countdown_text(SignedSecs(125)), "2:05");
        assert_eq!(countdown_text(SignedSecs(-83)), "+1:23");
        assert_eq!(countdown_text(SignedSecs(3725)), "1:02:05");
    }

    #[test]
    fn digit_size_grows_in_a_large_window_and_shrinks_to_fit() {
        assert_eq!(
            pick_digit_size("12:34", 130, 30),
            Some(DigitSize::Scaled(3))
        );
        assert_eq!(pick_digit_size("12:34", 90, 20), Some(DigitSize::Scaled(2)));
        assert_eq!(pick_digit_size("12:34", 60, 10), Some(DigitSize::Full));
        assert_eq!(pick_digit_size("12:34", 60, 5), Some(DigitSize::Half));
        assert_eq!(pick_digit_size("12:34", 30, 5), Some(DigitSize::Quadrant));
        assert_eq!(pick_digit_size("12:34", 30, 3), None);
    }

    #[test]
    fn wrapping_estimate_matches_word_wrap() {
        assert_eq!(wrapped_rows("", 10), 1);
        assert_eq!(wrapped_rows("one two three", 13), 1);
        assert_eq!(wrapped_rows("one two three", 12), 2);
        assert_eq!(wrapped_rows("abcdefghijklmnopqrstuvwxyz", 10), 3);
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("Occipital base release", 10), "Occipital…");
        assert_eq!(truncate("Feet", 10), "Feet");
    }
}
