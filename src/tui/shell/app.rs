//! The app: which screen fills the window, and routing each key to the part
//! it belongs to — the form on screen, the quit question, the note being
//! typed, or the session through the key map. The parts (volume, taps, still
//! points, the note) are small types of their own; the app owns them and
//! turns what they do into [`Effect`]s. It does no I/O: journal lines,
//! cues and sound commands all leave as effects for the loop to carry out.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::marks::{StillPoint, TapRhythm};
use super::note::{NoteEditor, NoteKey};
use super::volume::Volume;
use crate::audio::AudioState;
use crate::audio::mix::MixCommand;
use crate::clock::Moment;
use crate::session::engine::{Effect, Entry, Input, Logged, Phase, Session};
use crate::session::record::{MarkTime, Stamp};
use crate::session::report::Report;
use crate::settings::{Action, KeyMap};
use crate::tui::dashboard::{Context, KeyLabels, Overlay, View};
use crate::tui::forms::{AftercareForm, FormEvent, IntakeForm, SummaryScreen};
use crate::tui::theme::Theme;

/// How many recent entries the log panel keeps.
const RECENT: usize = 40;
/// How long the visual stand-in for a bell shows.
pub const VISUAL_CUE: Duration = Duration::from_secs(4);

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

/// The session plus what only the screen knows.
#[derive(Debug)]
pub struct App {
    session: Session,
    screen: Screen,
    /// What the dashboard shows around the session that only changes when
    /// the app changes it (theme, overlay, client, cautions, keys, the log).
    /// Each frame's view starts from a copy of it.
    ctx: Context,
    keys: KeyMap,
    volume: Volume,
    note: NoteEditor,
    rhythm: TapRhythm,
    still: StillPoint,
    /// Until when the hold panel shows a visual cue (a bell could not sound).
    flash_until: Option<Moment>,
    /// Everything recorded so far (the summary is worked out from it).
    records: Vec<Logged>,
    /// For each line of the log panel, the index in `records` of the entry
    /// it shows (so lines not yet on disk can be marked).
    log_index: Vec<usize>,
    /// Effects to carry out when the loop starts (taking a session up again).
    pending: Vec<Effect>,
    /// An entry to write once the record has its first line.
    unheard: Option<Entry>,
    /// Said after the audio's state on the status line.
    cue_note: Option<String>,
    exit: bool,
}

/// Everything an [`App`] is made from: the one way to build one, for a new
/// session, a practice run and a session taken up again alike.
#[derive(Debug)]
pub struct AppBuilder {
    session: Session,
    ctx: Context,
    keys: KeyMap,
    volume: Volume,
    consultation: Option<IntakeForm>,
    recalled: Vec<Logged>,
    taken_up: Option<(Moment, jiff::Zoned)>,
}

impl AppBuilder {
    /// The colours.
    pub fn theme(mut self, theme: Theme) -> Self {
        self.ctx.theme = theme;
        self
    }

    /// A practice session: no client, no consultation, the learning panel.
    pub fn practice(mut self, practice: bool) -> Self {
        self.ctx.practice = practice;
        self
    }

    /// The client reference shown on the status line.
    pub fn client(mut self, client: Option<String>) -> Self {
        self.ctx.client = client;
        self
    }

    /// Whether the laptop is held awake, in the status line's words.
    pub fn awake(mut self, words: String) -> Self {
        self.ctx.awake = Some(words);
        self
    }

    /// The rehearsal speed (1.0 for a real session).
    pub fn speed(mut self, speed: f64) -> Self {
        self.ctx.speed = speed;
        self
    }

    /// The volume the session starts at.
    pub fn volume(mut self, volume: Volume) -> Self {
        self.volume = volume;
        self
    }

    /// Which key does what.
    pub fn keys(mut self, keys: KeyMap) -> Self {
        self.ctx.keys = KeyLabels::of(&keys);
        self.keys = keys;
        self
    }

    /// Opens on the consultation.
    pub fn consultation(mut self, form: IntakeForm) -> Self {
        self.consultation = Some(form);
        self
    }

    /// What was recorded before (a session taken up again): the log panel
    /// and the summary include it.
    pub fn recall(mut self, records: &[Logged]) -> Self {
        self.recalled = records.to_vec();
        self
    }

    /// Takes the session up again at `at`, its last recorded moment, at the
    /// wall-clock time `wall`.
    pub fn take_up(mut self, at: Moment, wall: jiff::Zoned) -> Self {
        self.taken_up = Some((at, wall));
        self
    }

    /// The app.
    pub fn build(self) -> App {
        let mut app = App {
            session: self.session,
            screen: Screen::Dashboard,
            ctx: self.ctx,
            keys: self.keys,
            volume: self.volume,
            note: NoteEditor::default(),
            rhythm: TapRhythm::default(),
            still: StillPoint::default(),
            flash_until: None,
            records: Vec::new(),
            log_index: Vec::new(),
            pending: Vec::new(),
            unheard: None,
            cue_note: None,
            exit: false,
        };
        app.recall(&self.recalled);
        if let Some((at, wall)) = self.taken_up {
            app.take_up(at, &wall);
            app.resume_screen();
        } else if let Some(form) = self.consultation {
            app.screen = Screen::Intake(form);
        }
        app
    }
}

impl App {
    /// Starts building an app around `session`.
    pub fn builder(session: Session) -> AppBuilder {
        AppBuilder {
            session,
            ctx: Context::new(Theme::dim()),
            keys: KeyMap::default(),
            volume: Volume::default(),
            consultation: None,
            recalled: Vec::new(),
            taken_up: None,
        }
    }

    /// The engine.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// What fills the window.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// Which key does what.
    pub fn keys(&self) -> &KeyMap {
        &self.keys
    }

    /// The volume now.
    pub fn volume(&self) -> Volume {
        self.volume
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

    /// True once the app is done (the record closed, or left unstarted).
    pub fn should_exit(&self) -> bool {
        self.exit
    }

    /// Effects waiting to be carried out before anything else.
    pub fn take_pending(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.pending)
    }

    /// Until when a visual cue shows, if one is showing at `now`.
    pub fn flash_until(&self, now: Moment) -> Option<Moment> {
        self.flash_until.filter(|u| *u > now)
    }

    /// Takes in what was recorded before, with each line's time of day
    /// worked out from the record: the wall clock when it was opened, or
    /// last taken up, plus the session time since.
    fn recall(&mut self, records: &[Logged]) {
        // (wall clock, session moment, speed) as of the latest opening or
        // taking up: a line's time of day is that plus the session time
        // since, slowed by the rehearsal speed, unless the line says itself.
        let mut anchor: Option<(jiff::civil::DateTime, Moment, f64)> = None;
        for r in records {
            match &r.entry {
                Entry::Opened(o) => anchor = o.opened.map(|w| (w.local, r.at, o.speed)),
                Entry::Continued { wall, speed } => {
                    anchor = wall.map(|w| (w.local, r.at, *speed));
                }
                _ => {}
            }
            let own = mark_time(&r.entry)
                .and_then(|t| t.wall)
                .map(|w| w.local.time());
            let wall = own.or_else(|| {
                let (w, at, speed) = anchor?;
                let real = r.at.since(at).div_f64(speed.max(0.001));
                let since = jiff::SignedDuration::try_from(real).ok()?;
                w.checked_add(since).ok().map(|d| d.time())
            });
            self.remember(r, wall);
        }
        self.recall_marks(records);
    }

    /// A still point open when the record stopped is still open, and the
    /// latest rhythm rate is shown again, as they were before.
    fn recall_marks(&mut self, records: &[Logged]) {
        for r in records {
            match &r.entry {
                Entry::StillPointStarted { time, .. } => {
                    let active = time
                        .active
                        .unwrap_or_else(|| self.session.session_elapsed(r.at));
                    self.still = StillPoint::open_since(active);
                }
                Entry::StillPointEnded { .. } => self.still = StillPoint::default(),
                Entry::Rhythm { cpm, .. } => self.rhythm = TapRhythm::recalled(*cpm, r.at),
                _ => {}
            }
        }
    }

    /// Takes a session up again at `at`: the record notes the gap, and a
    /// step that was running is paused there so the therapist carries on
    /// deliberately.
    fn take_up(&mut self, at: Moment, wall: &jiff::Zoned) {
        self.pending.push(log_at(
            at,
            Entry::Continued {
                wall: Some(Stamp::of(wall)),
                speed: self.ctx.speed,
            },
        ));
        let fx = self.session.handle(Input::Pause, at);
        self.pending.extend(fx);
        if let Some(intake) = &self.report().intake {
            self.ctx.cautions = intake.cautions_text();
        }
    }

    /// The screen a session taken up again opens on.
    fn resume_screen(&mut self) {
        if self.session.is_finished() {
            self.after_the_session();
        } else {
            self.screen = Screen::Dashboard;
        }
    }

    /// Moves on from the dashboard once the session has ended: to the
    /// closing questions, or (in practice, or once answered) to the summary.
    fn after_the_session(&mut self) {
        let report = self.report();
        self.screen = if self.ctx.practice || report.aftercare.is_some() {
            Screen::Summary(Box::new(SummaryScreen::new(report)))
        } else {
            let intake = report.intake.as_ref();
            Screen::Aftercare(
                AftercareForm::new(intake.map(|i| i.pain), intake.map(|i| i.stress))
                    .after(ending_words(&report)),
            )
        };
    }

    fn remember(&mut self, entry: &Logged, wall: Option<jiff::civil::Time>) {
        self.records.push(entry.clone());
        if let Some(words) = entry.entry.describe() {
            let time = wall.map_or_else(String::new, |w| w.strftime("%H:%M").to_string());
            self.ctx.log.push((time, words));
            self.log_index.push(self.records.len() - 1);
            if self.ctx.log.len() > RECENT {
                self.ctx.log.remove(0);
                self.log_index.remove(0);
            }
        }
    }

    /// Handles a key press at `now`, at wall-clock time `wall` (which marks
    /// carry).
    pub fn on_key(
        &mut self,
        key: &KeyEvent,
        now: Moment,
        wall: Option<&jiff::Zoned>,
    ) -> Vec<Effect> {
        match &mut self.screen {
            Screen::Dashboard => self.on_dashboard_key(key, now, wall),
            Screen::Intake(form) => match form.on_key(key) {
                FormEvent::Submit(intake) => {
                    self.ctx.cautions = intake.cautions_text();
                    self.ctx.client = Some(intake.client.clone());
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
            },
            Screen::Aftercare(form) => {
                let answers = match form.on_key(key) {
                    FormEvent::Submit(a) => a,
                    FormEvent::Cancel => crate::session::record::Aftercare::default(),
                    FormEvent::Redraw => return vec![Effect::Redraw],
                    FormEvent::Nothing => return Vec::new(),
                };
                vec![log_at(now, Entry::Aftercare(answers)), Effect::Redraw]
            }
            Screen::Summary(summary) => {
                // Keys as the summary knows them (Enter closes, Space pages);
                // a "next" key that does nothing there (a pedal's) pages on
                // and then closes.
                let event = match summary.on_key(key) {
                    FormEvent::Nothing if self.keys.action(key) == Some(Action::Next) => {
                        summary.next_page_or_close()
                    }
                    event => event,
                };
                match event {
                    FormEvent::Submit(()) => {
                        let closed = Entry::Closed(self.report().summary());
                        vec![log_at(now, closed)]
                    }
                    FormEvent::Redraw => vec![Effect::Redraw],
                    FormEvent::Nothing | FormEvent::Cancel => Vec::new(),
                }
            }
        }
    }

    /// Pasted text (one event, whatever its length): into the note being
    /// typed, or the form's text field in focus; elsewhere it is ignored,
    /// so a paste can never act as a run of keys on the session.
    pub fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        let changed = match &mut self.screen {
            Screen::Dashboard => self.note.paste(text),
            Screen::Intake(form) => form.paste(text),
            Screen::Aftercare(form) => form.paste(text),
            Screen::Summary(_) => false,
        };
        if changed {
            vec![Effect::Redraw]
        } else {
            Vec::new()
        }
    }

    /// The app is about to be suspended (Ctrl-Z): the record says so, and
    /// that the session's clock keeps running.
    pub fn suspending(&self, now: Moment) -> Vec<Effect> {
        if self.has_record() {
            vec![log_at(now, Entry::Suspended)]
        } else {
            Vec::new()
        }
    }

    /// The app is back from being suspended since `since`.
    pub fn returned(&self, since: Moment, now: Moment) -> Vec<Effect> {
        if self.has_record() {
            vec![log_at(
                now,
                Entry::Returned {
                    away: now.since(since),
                },
            )]
        } else {
            Vec::new()
        }
    }

    /// Keys on the dashboard: the quit question first, then the note being
    /// typed, then the key map.
    fn on_dashboard_key(
        &mut self,
        key: &KeyEvent,
        now: Moment,
        wall: Option<&jiff::Zoned>,
    ) -> Vec<Effect> {
        if self.ctx.overlay == Overlay::ConfirmQuit {
            // Anything but an explicit yes keeps the session going, and is not
            // acted on: a pedal bump while the question shows must not skip a step.
            self.ctx.overlay = Overlay::None;
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                return self.session.handle(Input::Quit, now);
            }
            return vec![Effect::Redraw];
        }
        match self.note.on_key(key) {
            NoteKey::NotTyping | NoteKey::PassThrough => {}
            NoteKey::Edited | NoteKey::Dropped => return vec![Effect::Redraw],
            NoteKey::Saved(text) => {
                let time = self.mark_time(now, wall);
                return vec![log_at(now, Entry::Note { text, time }), Effect::Redraw];
            }
        }
        match self.keys.action(key) {
            Some(action) => self.act(action, now, wall),
            None => Vec::new(),
        }
    }

    /// A mark at `now` on both clocks: active session time, time of day.
    fn mark_time(&self, now: Moment, wall: Option<&jiff::Zoned>) -> MarkTime {
        MarkTime::at(self.session.session_elapsed(now), wall)
    }

    /// Does what an action asks for.
    fn act(&mut self, action: Action, now: Moment, wall: Option<&jiff::Zoned>) -> Vec<Effect> {
        let input = match action {
            Action::Next => Input::Next,
            Action::Back => Input::Back,
            Action::Pause if self.session.is_paused() => Input::Resume,
            Action::Pause => Input::Pause,
            Action::Extend => Input::Extend,
            Action::Shorten => Input::Shorten,
            Action::Help => return self.show(toggled(self.ctx.overlay, Overlay::Help)),
            Action::Dismiss => return self.show(Overlay::None),
            Action::VolumeUp | Action::VolumeDown => {
                let commands = self.volume.step(action == Action::VolumeUp);
                return self.sound(&commands, now);
            }
            Action::Mute => {
                let command = self.volume.toggle_mute();
                return self.sound(&[command], now);
            }
            Action::Note => {
                self.note.open();
                return vec![Effect::Redraw];
            }
            Action::Tap => {
                let time = self.mark_time(now, wall);
                let mut fx: Vec<Effect> = (self.rhythm.tap(now, time))
                    .map(|e| log_at(now, e))
                    .into_iter()
                    .collect();
                fx.push(Effect::Redraw);
                return fx;
            }
            Action::StillPoint => return self.mark_still_point(now, wall),
            Action::Quit => {
                if self.session.is_finished() {
                    self.after_the_session();
                    return vec![Effect::Redraw];
                }
                return self.show(Overlay::ConfirmQuit);
            }
        };
        self.session.handle(input, now)
    }

    fn show(&mut self, overlay: Overlay) -> Vec<Effect> {
        self.ctx.overlay = overlay;
        vec![Effect::Redraw]
    }

    /// Sound commands, then the journal line recording the new volume.
    fn sound(&self, commands: &[MixCommand], now: Moment) -> Vec<Effect> {
        let mut fx: Vec<Effect> = commands.iter().copied().map(Effect::Sound).collect();
        fx.push(log_at(now, self.volume.entry()));
        fx.push(Effect::Redraw);
        fx
    }

    /// Marks a still point's start, or its end with its length.
    fn mark_still_point(&mut self, now: Moment, wall: Option<&jiff::Zoned>) -> Vec<Effect> {
        if matches!(self.session.phase(), Phase::Ready | Phase::Finished { .. }) {
            return Vec::new();
        }
        let time = self.mark_time(now, wall);
        let active = self.session.session_elapsed(now);
        let entry = self.still.mark(self.session.current(), active, time);
        vec![log_at(now, entry), Effect::Redraw]
    }

    /// The cue device named (`--cue-device`, or `cue_device` in the
    /// settings) is not there, so cues go to the default output: the
    /// status line says so for the whole session, and the record says so
    /// with its first line (at once, for a session taken up again).
    pub fn cue_device_missing(&mut self, name: String) {
        let entry = Entry::CueDeviceMissing { name: name.clone() };
        if self.has_record() {
            let at = self.records.last().map_or(Moment::ZERO, |r| r.at);
            self.pending.push(log_at(at, entry));
        } else {
            self.unheard = Some(entry);
        }
        self.cue_note = Some(format!(
            "cue device \"{}\" not found: cues on the default output",
            crate::text::sanitize_line(&name)
        ));
    }

    /// A cue was sent to the audio; when it could not sound, the hold panel
    /// shows a calm visual cue for a few seconds instead.
    pub fn cue_sent(&mut self, now: Moment, audio: AudioState) {
        if !matches!(audio, AudioState::On) {
            self.flash_until = Some(now + VISUAL_CUE);
        }
    }

    /// Whether `entry` is to be written: an end before anything was recorded
    /// (a practice run never started) leaves no record, and ends the app.
    pub fn keeps(&mut self, entry: &Logged) -> bool {
        if matches!(entry.entry, Entry::SessionEnded { .. }) && !self.has_record() {
            self.exit = true;
            return false;
        }
        true
    }

    /// Takes in a line the journal has written (`opened` is the journal's
    /// own first line, written with the first entry) and returns what
    /// follows from it: the bed paused, resumed or faded, the record closed
    /// at once when the session ended before its first step.
    pub fn recorded(
        &mut self,
        entry: Logged,
        opened: Option<&crate::session::record::Opened>,
        wall: Option<jiff::civil::Time>,
    ) -> Vec<Effect> {
        if let (true, Some(opened)) = (self.records.is_empty(), opened) {
            self.records.push(Logged {
                at: Moment::ZERO,
                entry: Entry::Opened(opened.clone()),
            });
        }
        self.remember(&entry, wall);
        if let Some(unheard) = self.unheard.take() {
            // The record's first line is written: what could not be
            // heard follows it.
            let at = entry.at;
            let mut fx = self.recorded_effects(entry);
            fx.push(log_at(at, unheard));
            return fx;
        }
        self.recorded_effects(entry)
    }

    /// What follows from a line the journal has written.
    fn recorded_effects(&mut self, entry: Logged) -> Vec<Effect> {
        if matches!(entry.entry, Entry::StepStarted { .. }) {
            // A new step's digits and hands text must not stay covered.
            self.ctx.overlay = Overlay::None;
        }
        match entry.entry {
            Entry::Paused { .. } => vec![Effect::Sound(MixCommand::Pause(true))],
            Entry::Resumed { .. } => vec![Effect::Sound(MixCommand::Pause(false))],
            Entry::SessionEnded { .. } if self.report().steps.is_empty() => {
                // Ended before the first step: nothing to ask after,
                // nothing to sum up.
                let closed = Entry::Closed(self.report().summary());
                vec![Effect::Sound(MixCommand::FadeOut), log_at(entry.at, closed)]
            }
            Entry::SessionEnded { .. } => {
                self.after_the_session();
                let mut fx = vec![Effect::Sound(MixCommand::FadeOut)];
                fx.extend(self.save_draft(entry.at));
                fx
            }
            Entry::Aftercare(_) => {
                self.after_the_session();
                Vec::new()
            }
            Entry::Closed(_) => {
                self.exit = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A note still being typed when the session ends under it (the last
    /// step ran out, a signal came) is saved as it stands, never dropped.
    fn save_draft(&mut self, at: Moment) -> Option<Effect> {
        let text = self.note.take_draft()?;
        let time = MarkTime {
            active: Some(self.session.session_elapsed(at)),
            wall: None,
        };
        Some(log_at(at, Entry::Note { text, time }))
    }

    /// The entries that close the record as interrupted (a signal, the
    /// terminal gone): a note being typed, where the step had got to, then
    /// why. Nothing is written when nothing was recorded yet.
    pub fn interrupted(&mut self, now: Moment, reason: &str) -> Vec<Effect> {
        if !self.has_record() {
            return Vec::new();
        }
        let mut fx: Vec<Effect> = self.save_draft(now).into_iter().collect();
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

    /// Time passes: the engine checks for step ends and cues.
    pub fn tick(&mut self, now: Moment) -> Vec<Effect> {
        self.session.handle(Input::Tick, now)
    }

    /// What the dashboard shows at `now`, with `waiting` entries not yet
    /// on disk.
    pub fn view(
        &self,
        now: Moment,
        wall: Option<jiff::civil::Time>,
        audio: AudioState,
        waiting: usize,
    ) -> View {
        let first_unsaved = self.records.len().saturating_sub(waiting);
        let unsaved = self
            .log_index
            .iter()
            .rev()
            .take_while(|i| **i >= first_unsaved && waiting > 0)
            .count();
        let warning = (waiting > 0).then(|| {
            let entries = if waiting == 1 { "entry" } else { "entries" };
            format!("record not saved: {waiting} {entries} kept in memory (marked *)")
        });
        let ctx = Context {
            warning,
            unsaved,
            audio: match &self.cue_note {
                Some(note) => format!("{} · {note}", self.volume.status(audio)),
                None => self.volume.status(audio),
            },
            flash: self.flash_until.is_some_and(|until| now < until),
            rhythm: self.rhythm.shown(now),
            still: self.still.length(self.session.session_elapsed(now)),
            note: self.note.draft().cloned(),
            note_left_out: self.note.left_out(),
            ..self.ctx.clone()
        };
        View::new(&self.session, self.session.display_moment(now), wall, ctx)
    }

    /// Draws the screen when it is not the dashboard (the dashboard is drawn
    /// from its [`View`]).
    pub fn render_screen(&self, area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
        let theme = &self.ctx.theme;
        match &self.screen {
            Screen::Intake(form) => form.render(area, buf, theme),
            Screen::Aftercare(form) => form.render(area, buf, theme),
            Screen::Summary(summary) => summary.render(area, buf, theme),
            Screen::Dashboard => {}
        }
    }
}

/// How the session ended, for the closing questions: only a session that
/// went through every step is "done".
fn ending_words(report: &Report) -> String {
    let reached = report.steps.iter().map(|s| s.step + 1).max().unwrap_or(0);
    match report.steps_planned {
        _ if report.completed => "The holds are done.".to_owned(),
        Some(of) => format!("The session was ended early, at step {reached} of {of}."),
        None => "The session was ended early.".to_owned(),
    }
}

/// The mark time an entry carries, if it is a mark.
fn mark_time(entry: &Entry) -> Option<MarkTime> {
    match entry {
        Entry::Note { time, .. }
        | Entry::Rhythm { time, .. }
        | Entry::StillPointStarted { time, .. }
        | Entry::StillPointEnded { time, .. } => Some(*time),
        _ => None,
    }
}

/// `overlay`, or none if it is the one showing.
fn toggled(showing: Overlay, overlay: Overlay) -> Overlay {
    if showing == overlay {
        Overlay::None
    } else {
        overlay
    }
}

fn log_at(at: Moment, entry: Entry) -> Effect {
    Effect::Log(Logged { at, entry })
}
