//! The one impure loop: terminal events and time go into the engine, its
//! effects go out to the audio, the journal and the screen.
//!
//! [`App`] holds the session and the screen's own state (overlays) and maps
//! keys to engine inputs; it does no IO. [`run`] is generic over the ratatui
//! backend, the clock and the event source, so whole-app tests drive it with
//! `TestBackend`, a manual clock and scripted keys.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::audio::mix::{MAX_VOLUME, MixCommand};
use crate::audio::{Audio, AudioState};
use crate::clock::{Clock, Moment, ScaledClock};
use crate::session::engine::{Effect, Entry, Input, Logged, Phase, Session};
use crate::session::journal::Journal;
use crate::session::report::Report;
use crate::tui::dashboard::{Context, Overlay, View};
use crate::tui::events::{Events, Signals, Wake};
use crate::tui::forms::{AftercareForm, FormEvent, IntakeForm, SummaryScreen};
use crate::tui::theme::Theme;

/// The fastest the screen is redrawn for the passing of time (4 a second).
pub const MIN_FRAME: Duration = Duration::from_millis(250);
/// The longest the loop sleeps, so signals and a vanished terminal are noticed
/// within a second even when nothing on screen changes.
pub const MAX_SLEEP: Duration = Duration::from_secs(1);

/// The session plus what only the screen knows.
#[derive(Debug)]
pub struct App {
    /// The engine.
    pub session: Session,
    /// What is drawn over the dashboard.
    pub overlay: Overlay,
    /// Colours.
    pub theme: Theme,
    /// The client reference, if any.
    pub client: Option<String>,
    /// Rehearsal speed.
    pub speed: f64,
    /// Master volume step, 0–10.
    pub volume: u8,
    /// Whether sound is muted.
    pub muted: bool,
    /// A practice session: no client, no consultation.
    pub practice: bool,
    /// The consultation's cautions, shown all session.
    pub cautions: Option<String>,
    /// Until when the hold panel shows a visual cue (when a bell could not
    /// sound).
    flash_until: Option<Moment>,
    /// The note being typed.
    note: Option<Draft>,
    /// The latest rhythm taps.
    taps: Vec<Moment>,
    /// The latest rate from them, in cycles a minute.
    rhythm: Option<f64>,
    /// When the still point being marked began.
    still_since: Option<Moment>,
    /// Everything recorded so far (the record is rebuilt from it for the
    /// summary).
    records: Vec<Logged>,
    /// The latest entries for the log panel: (time of day, words).
    recent: VecDeque<(String, String)>,
    /// Effects to carry out when the loop starts (taking a session up again).
    pending: Vec<Effect>,
    /// What fills the window.
    pub screen: Screen,
    /// Which key does what.
    pub keys: crate::settings::KeyMap,
    exit: bool,
}

/// A one-line note being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Draft {
    text: Vec<char>,
    cursor: usize,
}

/// The longest note.
const NOTE_MAX: usize = 500;
/// Taps further apart than this start a new count.
const TAP_GAP: Duration = Duration::from_secs(20);
/// How many taps a rate is worked out from.
const TAPS: usize = 6;
/// How long a rate stays on screen after the last tap.
const RHYTHM_SHOWN: Duration = Duration::from_secs(60);
/// How many recent entries the log panel keeps.
const RECENT: usize = 40;

pub use crate::settings::Action;

/// What fills the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// The consultation before the first hold.
    Intake(IntakeForm),
    /// The dashboard.
    Dashboard,
    /// The closing questions after the last step.
    Aftercare(AftercareForm),
    /// The summary before the record is closed.
    Summary(Box<SummaryScreen>),
}

impl App {
    /// An app around a session that has not started.
    pub fn new(session: Session, theme: Theme) -> App {
        App {
            session,
            overlay: Overlay::None,
            theme,
            client: None,
            speed: 1.0,
            volume: crate::audio::mix::DEFAULT_VOLUME,
            muted: false,
            practice: false,
            cautions: None,
            flash_until: None,
            note: None,
            taps: Vec::new(),
            rhythm: None,
            still_since: None,
            records: Vec::new(),
            recent: VecDeque::new(),
            pending: Vec::new(),
            screen: Screen::Dashboard,
            keys: crate::settings::KeyMap::default(),
            exit: false,
        }
    }

    /// Takes in what was recorded before (a resumed session), so the log
    /// panel and the summary include it.
    pub fn recall(&mut self, records: &[Logged]) {
        // Times of day come from the record: the wall clock when it was
        // opened, or last taken up, plus the session time since.
        let mut anchor: Option<(jiff::civil::DateTime, Moment)> = None;
        for r in records {
            match &r.entry {
                Entry::Opened(o) => anchor = civil(&o.opened).map(|w| (w, r.at)),
                Entry::Continued { wall } => anchor = civil(wall).map(|w| (w, r.at)),
                _ => {}
            }
            let wall = anchor.and_then(|(w, at)| {
                let since = jiff::SignedDuration::try_from(r.at.since(at)).ok()?;
                w.checked_add(since).ok().map(|d| d.time())
            });
            self.remember(r, wall);
        }
    }

    /// Takes a session up again at `at`, its last recorded moment: the
    /// record notes the gap, and a step that was running is paused there so
    /// the therapist carries on deliberately.
    pub fn take_up(&mut self, at: Moment, wall: &jiff::Zoned) {
        self.pending.push(log_at(
            at,
            Entry::Continued {
                wall: wall.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            },
        ));
        let fx = self.session.handle(Input::Pause, at);
        self.pending.extend(fx);
        if let Some(intake) = &self.report().intake {
            self.cautions = cautions_line(intake);
        }
    }

    /// The session as recorded so far.
    pub fn report(&self) -> Report {
        Report::from_entries(&self.records)
    }

    /// The closing summary, once the record has been closed.
    pub fn closed(&self) -> Option<&crate::session::record::Summary> {
        match self.records.last().map(|l| &l.entry) {
            Some(Entry::Closed(summary)) => Some(summary),
            _ => None,
        }
    }

    /// True once anything has been recorded in this record.
    pub fn has_record(&self) -> bool {
        !self.records.is_empty()
    }

    /// Moves on from the dashboard once the session has ended: to the
    /// closing questions, or (in practice) straight to the summary.
    fn after_the_session(&mut self) {
        let report = self.report();
        self.screen = if self.practice || report.aftercare.is_some() {
            Screen::Summary(Box::new(SummaryScreen::new(report)))
        } else {
            let intake = report.intake.as_ref();
            Screen::Aftercare(AftercareForm::new(
                intake.map(|i| i.pain),
                intake.map(|i| i.stress),
            ))
        };
    }

    /// The screen a session taken up again opens on.
    pub fn resume_screen(&mut self) {
        if self.session.is_finished() {
            self.after_the_session();
        } else {
            self.screen = Screen::Dashboard;
        }
    }

    fn remember(&mut self, entry: &Logged, wall: Option<jiff::civil::Time>) {
        self.records.push(entry.clone());
        if let Some(words) = entry.entry.describe() {
            let time = wall.map_or_else(String::new, |w| w.strftime("%H:%M").to_string());
            self.recent.push_back((time, words));
            if self.recent.len() > RECENT {
                self.recent.pop_front();
            }
        }
    }

    /// True once the user has confirmed leaving.
    pub fn should_exit(&self) -> bool {
        self.exit
    }

    /// Handles a key press at `now`; sound commands go to `audio`.
    pub fn on_key(&mut self, key: &KeyEvent, now: Moment, audio: &mut dyn Audio) -> Vec<Effect> {
        match &mut self.screen {
            Screen::Dashboard => {}
            Screen::Intake(form) => {
                return match form.on_key(key) {
                    FormEvent::Submit(intake) => {
                        self.cautions = cautions_line(&intake);
                        self.client = Some(intake.client.clone());
                        self.screen = Screen::Dashboard;
                        vec![log_at(now, Entry::Intake(intake)), Effect::Redraw]
                    }
                    // Nothing has been recorded yet: leaving keeps no record.
                    FormEvent::Cancel => {
                        self.exit = true;
                        vec![Effect::Redraw]
                    }
                    FormEvent::Redraw => vec![Effect::Redraw],
                    FormEvent::Nothing => Vec::new(),
                };
            }
            Screen::Aftercare(form) => {
                let answers = match form.on_key(key) {
                    FormEvent::Submit(a) => a,
                    FormEvent::Cancel => crate::session::record::Aftercare::default(),
                    FormEvent::Redraw => return vec![Effect::Redraw],
                    FormEvent::Nothing => return Vec::new(),
                };
                return vec![log_at(now, Entry::Aftercare(answers)), Effect::Redraw];
            }
            Screen::Summary(summary) => {
                return match summary.on_key(key) {
                    FormEvent::Submit(()) => {
                        self.exit = true;
                        let closed = Entry::Closed(self.report().summary());
                        vec![log_at(now, closed)]
                    }
                    FormEvent::Redraw => vec![Effect::Redraw],
                    FormEvent::Nothing | FormEvent::Cancel => Vec::new(),
                };
            }
        }
        if self.overlay == Overlay::ConfirmQuit {
            // Anything but an explicit yes keeps the session going, and is not
            // acted on: a pedal bump while the question shows must not skip a step.
            self.overlay = Overlay::None;
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                return self.session.handle(Input::Quit, now);
            }
            return vec![Effect::Redraw];
        }
        if let Some(fx) = self.type_note(key, now) {
            return fx;
        }
        let Some(action) = self.keys.action(key) else {
            return Vec::new();
        };
        let input = match action {
            Action::Next => Input::Next,
            Action::Back => Input::Back,
            Action::Pause if self.session.is_paused() => Input::Resume,
            Action::Pause => Input::Pause,
            Action::Extend => Input::Extend,
            Action::Shorten => Input::Shorten,
            Action::Help => {
                self.overlay = match self.overlay {
                    Overlay::Help => Overlay::None,
                    _ => Overlay::Help,
                };
                return vec![Effect::Redraw];
            }
            Action::Dismiss => {
                self.overlay = Overlay::None;
                return vec![Effect::Redraw];
            }
            Action::VolumeUp | Action::VolumeDown => {
                self.volume = if action == Action::VolumeUp {
                    (self.volume + 1).min(MAX_VOLUME)
                } else {
                    self.volume.saturating_sub(1)
                };
                self.muted = false;
                audio.send(MixCommand::Mute(false));
                audio.send(MixCommand::Volume(self.volume));
                return vec![self.audio_entry(now), Effect::Redraw];
            }
            Action::Mute => {
                self.muted = !self.muted;
                audio.send(MixCommand::Mute(self.muted));
                return vec![self.audio_entry(now), Effect::Redraw];
            }
            Action::Note => {
                self.note = Some(Draft::default());
                return vec![Effect::Redraw];
            }
            Action::Tap => return self.tap(now),
            Action::StillPoint => return self.mark_still_point(now),
            Action::Quit => {
                if self.session.is_finished() {
                    self.after_the_session();
                } else {
                    self.overlay = Overlay::ConfirmQuit;
                }
                return vec![Effect::Redraw];
            }
        };
        self.session.handle(input, now)
    }

    fn audio_entry(&self, now: Moment) -> Effect {
        log_at(
            now,
            Entry::Audio {
                volume: self.volume,
                muted: self.muted,
            },
        )
    }

    /// Keys while a note is being typed. Keys that type nothing (PageDown,
    /// F-keys: what foot pedals send) still act on the session.
    fn type_note(&mut self, key: &KeyEvent, now: Moment) -> Option<Vec<Effect>> {
        let draft = self.note.as_mut()?;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => {
                let text: String = draft.text.iter().collect();
                self.note = None;
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Some(vec![Effect::Redraw]);
                }
                return Some(vec![log_at(now, Entry::Note { text }), Effect::Redraw]);
            }
            KeyCode::Esc => self.note = None,
            KeyCode::Char('c') if ctrl => self.note = None,
            KeyCode::Char('u') if ctrl => {
                draft.text.drain(..draft.cursor);
                draft.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl && draft.text.len() < NOTE_MAX => {
                draft.text.insert(draft.cursor, c);
                draft.cursor += 1;
            }
            KeyCode::Backspace if draft.cursor > 0 => {
                draft.cursor -= 1;
                draft.text.remove(draft.cursor);
            }
            KeyCode::Delete if draft.cursor < draft.text.len() => {
                draft.text.remove(draft.cursor);
            }
            KeyCode::Left => draft.cursor = draft.cursor.saturating_sub(1),
            KeyCode::Right => draft.cursor = (draft.cursor + 1).min(draft.text.len()),
            KeyCode::Home => draft.cursor = 0,
            KeyCode::End => draft.cursor = draft.text.len(),
            KeyCode::PageDown | KeyCode::PageUp | KeyCode::F(_) => return None,
            _ => {}
        }
        Some(vec![Effect::Redraw])
    }

    /// A tap on a rhythm cycle: from the third tap on, the rate from the
    /// latest taps is shown and recorded.
    fn tap(&mut self, now: Moment) -> Vec<Effect> {
        if self.taps.last().is_some_and(|t| now.since(*t) > TAP_GAP) {
            self.taps.clear();
        }
        self.taps.push(now);
        if self.taps.len() > TAPS {
            self.taps.remove(0);
        }
        let (Some(first), Some(last)) = (self.taps.first(), self.taps.last()) else {
            return Vec::new();
        };
        let intervals = self.taps.len() - 1;
        let span = last.since(*first);
        if intervals < 2 || span.is_zero() {
            return vec![Effect::Redraw];
        }
        let cpm = 60.0 * intervals as f64 / span.as_secs_f64();
        let cpm = (cpm * 10.0).round() / 10.0;
        self.rhythm = Some(cpm);
        vec![
            log_at(
                now,
                Entry::Rhythm {
                    cpm,
                    taps: self.taps.len() as u32,
                },
            ),
            Effect::Redraw,
        ]
    }

    /// Marks a still point's start, or its end with its length.
    fn mark_still_point(&mut self, now: Moment) -> Vec<Effect> {
        if matches!(self.session.phase(), Phase::Ready | Phase::Finished { .. }) {
            return Vec::new();
        }
        let step = self.session.current();
        let entry = match self.still_since.take() {
            Some(since) => Entry::StillPointEnded {
                step,
                length: now.since(since),
            },
            None => {
                self.still_since = Some(now);
                Entry::StillPointStarted { step }
            }
        };
        vec![log_at(now, entry), Effect::Redraw]
    }

    /// What the screen shows at `now`.
    pub fn view(&self, now: Moment, wall: Option<jiff::civil::Time>, audio: AudioState) -> View {
        let audio_text = match audio {
            AudioState::On | AudioState::Probing if self.muted => {
                format!("{} · muted", audio.label())
            }
            AudioState::On | AudioState::Probing => {
                format!("{} · volume {}/{MAX_VOLUME}", audio.label(), self.volume)
            }
            _ => audio.label().to_owned(),
        };
        let ctx = Context {
            wall,
            speed: self.speed,
            audio: audio_text,
            flash: self.flash_until.is_some_and(|until| now < until),
            theme: self.theme,
            overlay: self.overlay,
            client: self.client.clone(),
            log: self.recent.iter().cloned().collect(),
            rhythm: self.rhythm.filter(|_| {
                self.taps
                    .last()
                    .is_some_and(|t| now.since(*t) < RHYTHM_SHOWN)
            }),
            still: self.still_since.map(|since| now.since(since)),
            cautions: self.cautions.clone(),
            note: self
                .note
                .as_ref()
                .map(|d| (d.text.iter().collect(), d.cursor)),
            practice: self.practice,
            keys: crate::tui::dashboard::KeyLabels::of(&self.keys),
        };
        View::new(&self.session, self.session.display_moment(now), &ctx)
    }
}

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The therapist closed the session.
    Closed,
    /// SIGTERM, SIGHUP or SIGINT arrived.
    Signal,
    /// The terminal went away.
    TerminalGone,
}

/// The edges the loop talks to.
pub struct Edges<'a> {
    /// Sound.
    pub audio: &'a mut dyn Audio,
    /// The session log.
    pub journal: &'a mut dyn Journal,
    /// Time of day for the projected end, read at the edge.
    pub wall: &'a dyn Fn() -> Option<jiff::civil::Time>,
}

/// Runs the dashboard until the session is closed, a signal arrives or the
/// terminal goes away. Sleeps between visible changes; never busy-loops.
pub fn run<B: Backend, C: Clock>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    clock: &ScaledClock<C>,
    events: &mut dyn Events,
    edges: &mut Edges<'_>,
    signals: &Signals,
) -> io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    let mut last: Option<View> = None;
    let mut form_drawn = false;
    let mut last_size = None;
    let mut log_failed = false;
    let exit = loop {
        let now = clock.now();
        if !app.pending.is_empty() {
            let fx = std::mem::take(&mut app.pending);
            app.apply(fx, now, edges, &mut log_failed);
        }
        if signals.stop.load(Ordering::Relaxed) {
            let fx = app.interrupted(now, "stopped by a signal");
            app.apply(fx, now, edges, &mut log_failed);
            break Exit::Signal;
        }
        if signals.cont.swap(false, Ordering::Relaxed) {
            terminal.clear().map_err(io::Error::other)?;
            last = None;
        }
        let fx = app.session.handle(Input::Tick, now);
        app.apply(fx, now, edges, &mut log_failed);
        if app.should_exit() {
            break Exit::Closed;
        }

        // A resize arrives as SIGWINCH on the signal pipe; asking the size is
        // one ioctl, so check it on every wake rather than trusting events.
        let size = terminal.size().map_err(io::Error::other)?;
        if last_size != Some(size) {
            last_size = Some(size);
            last = None;
            form_drawn = false;
        }
        if app.screen == Screen::Dashboard {
            let mut view = app.view(now, (edges.wall)(), edges.audio.state());
            if log_failed {
                view.warn("LOG WRITE FAILED");
            }
            if last.as_ref() != Some(&view) {
                terminal
                    .draw(|f| f.render_widget(&view, f.area()))
                    .map_err(io::Error::other)?;
                last = Some(view);
            }
        } else if !form_drawn {
            terminal
                .draw(|f| app.render_screen(f.area(), f.buffer_mut()))
                .map_err(io::Error::other)?;
            form_drawn = true;
            last = None;
        }

        let flash_end = app.flash_until.filter(|u| *u > now);
        let timeout = sleep_for(&app.session, clock, now, flash_end);
        match events.next(timeout)? {
            Wake::Key(key) => {
                let now = clock.now();
                let fx = app.on_key(&key, now, edges.audio);
                app.apply(fx, now, edges, &mut log_failed);
                last = None;
                form_drawn = false;
            }
            Wake::Resize => {
                terminal.autoresize().map_err(io::Error::other)?;
                last = None;
                form_drawn = false;
            }
            Wake::Gone => {
                let now = clock.now();
                let fx = app.interrupted(now, "the terminal went away");
                app.apply(fx, now, edges, &mut log_failed);
                break Exit::TerminalGone;
            }
            Wake::Signal | Wake::Timeout => {}
        }
    };
    Ok(exit)
}

/// How long to sleep: until the next visible change or engine deadline, but
/// at least [`MIN_FRAME`] and at most [`MAX_SLEEP`] of real time.
fn sleep_for<C: Clock>(
    session: &Session,
    clock: &ScaledClock<C>,
    now: Moment,
    also: Option<Moment>,
) -> Duration {
    let mut wake: Option<Moment> = also;
    if matches!(session.phase(), Phase::Running | Phase::Overtime) {
        let tick = session.display_moment(now) + Duration::from_secs(1);
        wake = Some(wake.map_or(tick, |w| w.min(tick)));
    }
    if let Some(deadline) = session.next_deadline() {
        wake = Some(wake.map_or(deadline, |w| w.min(deadline)));
    }
    let real = wake.map_or(MAX_SLEEP, |w| w.since(now).div_f64(clock.speed()));
    // Rehearsals change the display faster than it may be redrawn; a few
    // milliseconds late is better than waking just before a boundary.
    let floor = if clock.speed() > 1.0 {
        MIN_FRAME
    } else {
        Duration::from_millis(5)
    };
    (real + Duration::from_millis(2)).clamp(floor, MAX_SLEEP)
}

impl App {
    /// Carries out the engine's effects, and tells the audio when the bed
    /// should pause, resume or fade out. When a bell cannot sound, the hold
    /// panel shows a calm visual cue for a few seconds instead.
    fn apply(
        &mut self,
        fx: Vec<Effect>,
        now: Moment,
        edges: &mut Edges<'_>,
        log_failed: &mut bool,
    ) {
        for effect in fx {
            match effect {
                Effect::Cue(cue) => {
                    edges.audio.play(cue);
                    if !matches!(edges.audio.state(), AudioState::On) {
                        self.flash_until = Some(now + VISUAL_CUE);
                    }
                }
                Effect::Log(entry) => {
                    let pause = match entry.entry {
                        Entry::Paused { .. } => Some(MixCommand::Pause(true)),
                        Entry::Resumed { .. } => Some(MixCommand::Pause(false)),
                        Entry::SessionEnded { .. } => Some(MixCommand::FadeOut),
                        _ => None,
                    };
                    if let Some(command) = pause {
                        edges.audio.send(command);
                    }
                    let ended = matches!(entry.entry, Entry::SessionEnded { .. });
                    if ended && !self.has_record() {
                        // Left before anything was recorded (a practice run
                        // never started): there is no record to keep.
                        self.exit = true;
                        continue;
                    }
                    // Written and synced before the screen can show it.
                    if edges.journal.append(&entry).is_err() {
                        *log_failed = true;
                    }
                    if let (true, Some(opened)) = (self.records.is_empty(), edges.journal.opened())
                    {
                        // The journal began with its own opening line.
                        self.records.push(Logged {
                            at: Moment::ZERO,
                            entry: Entry::Opened(opened.clone()),
                        });
                    }
                    self.remember(&entry, (edges.wall)());
                    match entry.entry {
                        Entry::SessionEnded { .. } if self.report().steps.is_empty() => {
                            // Ended before the first step: nothing to ask
                            // after, nothing to sum up.
                            let closed = Logged {
                                at: entry.at,
                                entry: Entry::Closed(self.report().summary()),
                            };
                            if edges.journal.append(&closed).is_err() {
                                *log_failed = true;
                            }
                            self.remember(&closed, (edges.wall)());
                            self.exit = true;
                        }
                        Entry::SessionEnded { .. } | Entry::Aftercare(_) => {
                            self.after_the_session();
                        }
                        _ => {}
                    }
                }
                Effect::Redraw => {}
            }
        }
    }
}

impl App {
    /// Draws the screen when it is not the dashboard (the dashboard is drawn
    /// from its [`View`]).
    pub fn render_screen(&self, area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
        match &self.screen {
            Screen::Intake(form) => form.render(area, buf, &self.theme),
            Screen::Aftercare(form) => form.render(area, buf, &self.theme),
            Screen::Summary(summary) => summary.render(area, buf, &self.theme),
            Screen::Dashboard => {}
        }
    }

    /// The entries that close the record as interrupted (a signal, the
    /// terminal gone): where the step had got to, then why. Nothing is
    /// written when nothing was recorded yet.
    fn interrupted(&self, now: Moment, reason: &str) -> Vec<Effect> {
        if !self.has_record() {
            return Vec::new();
        }
        let mut fx = Vec::new();
        if let Some(progress) = self.session.progress_now(now) {
            fx.push(Effect::Log(progress));
        }
        fx.push(log_at(
            now,
            Entry::Interrupted {
                reason: reason.to_owned(),
            },
        ));
        fx
    }
}

/// The local date and time an RFC 3339 stamp was written in.
fn civil(stamp: &str) -> Option<jiff::civil::DateTime> {
    jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%S", stamp.get(..19)?).ok()
}

/// The consultation's cautions in one line, for the whole session.
pub fn cautions_line(intake: &crate::session::record::Intake) -> Option<String> {
    intake.cautions_text()
}

fn log_at(at: Moment, entry: Entry) -> Effect {
    Effect::Log(Logged { at, entry })
}

/// How long the visual stand-in for a bell shows.
pub const VISUAL_CUE: Duration = Duration::from_secs(4);
