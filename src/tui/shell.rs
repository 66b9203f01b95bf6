//! The one impure loop: terminal events and time go into the [`App`], its
//! effects go out to the audio, the journal and the screen.
//!
//! [`App`] routes keys and holds what only the screen knows; it does no
//! I/O. [`run`] is generic over the ratatui backend, the clock and the event
//! source, so whole-app tests drive it with `TestBackend`, a manual clock and
//! scripted keys.

mod app;
mod foresight;
mod marks;
mod note;
mod volume;

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;

pub use app::{App, AppBuilder, Screen, VISUAL_CUE};
pub use foresight::Foresight;
pub use marks::{StillPoint, TapRhythm};
pub use note::{NOTE_MAX, NoteEditor, NoteKey};
pub use volume::Volume;

use crate::audio::Audio;
use crate::clock::{Clock, Moment, ScaledClock};
use crate::session::engine::{Effect, Phase, Session};
use crate::session::journal::Journal;
use crate::tui::dashboard::View;
use crate::tui::events::{Events, Signals, Wake};

/// The fastest the screen is redrawn for the passing of time (4 a second).
pub const MIN_FRAME: Duration = Duration::from_millis(250);
/// The longest the loop sleeps, so signals and a vanished terminal are noticed
/// within a second even when nothing on screen changes.
pub const MAX_SLEEP: Duration = Duration::from_secs(1);

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
    /// The wall-clock time now, read at the edge: the projected end, the
    /// log's times of day, the marks' wall time.
    pub wall: &'a dyn Fn() -> Option<jiff::Zoned>,
    /// Gives the terminal back, stops the process until it is continued,
    /// and takes the terminal again ([`crate::tui::terminal::suspend_until_continued`];
    /// tests record the call).
    pub suspend: &'a dyn Fn() -> io::Result<()>,
}

/// How often entries that could not be written are tried again.
const RETRY: Duration = Duration::from_secs(5);

/// What the loop remembers between wakes about the screen.
#[derive(Default)]
struct Drawn {
    /// The dashboard view last drawn.
    view: Option<View>,
    /// A form was drawn and nothing has changed since.
    form: bool,
    size: Option<ratatui::layout::Size>,
    /// When entries waiting to be written are next tried again.
    retry_at: Option<Moment>,
    /// The cues told to the audio ahead of their moment.
    foresight: Foresight,
}

impl Drawn {
    fn invalidate(&mut self) {
        self.view = None;
        self.form = false;
    }
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
    let mut drawn = Drawn::default();
    loop {
        let now = clock.now();
        let pending = app.take_pending();
        apply(app, pending, now, edges, &mut drawn);
        if signals.stop.load(Ordering::Relaxed) {
            let fx = app.interrupted(now, "stopped by a signal");
            apply(app, fx, now, edges, &mut drawn);
            return Ok(Exit::Signal);
        }
        if signals.cont.swap(false, Ordering::Relaxed) {
            terminal.clear().map_err(io::Error::other)?;
            drawn.invalidate();
        }
        if signals.suspend.swap(false, Ordering::Relaxed) {
            suspend(terminal, app, clock, edges, &mut drawn)?;
        }
        let fx = app.tick(now);
        apply(app, fx, now, edges, &mut drawn);
        if app.should_exit() {
            return Ok(Exit::Closed);
        }
        retry_waiting(edges, now, &mut drawn);
        draw(terminal, app, now, edges, &mut drawn)?;
        drawn
            .foresight
            .sync(app.session(), now, clock, &mut *edges.audio);

        let timeout = sleep_for(app.session(), clock, now, app.flash_until(now));
        let wake = events.next(timeout)?;
        if let Some(exit) = woken(wake, terminal, app, clock, edges, &mut drawn)? {
            return Ok(exit);
        }
    }
}

/// What the loop does with what woke it: a key, a paste, a resize, the
/// terminal gone (which ends the run), or only time passing.
fn woken<B: Backend, C: Clock>(
    wake: Wake,
    terminal: &mut Terminal<B>,
    app: &mut App,
    clock: &ScaledClock<C>,
    edges: &mut Edges<'_>,
    drawn: &mut Drawn,
) -> io::Result<Option<Exit>>
where
    B::Error: Send + Sync + 'static,
{
    match wake {
        Wake::Key(key) => {
            let now = clock.now();
            // Whatever fell due before the key (a progress line, a step's
            // end) is written first, so the record never goes back in time.
            let fx = app.tick(now);
            apply(app, fx, now, edges, drawn);
            let wall = (edges.wall)();
            let fx = app.on_key(&key, now, wall.as_ref());
            apply(app, fx, now, edges, drawn);
            drawn.invalidate();
        }
        Wake::Paste(text) => {
            let now = clock.now();
            let fx = app.on_paste(&text);
            apply(app, fx, now, edges, drawn);
            drawn.invalidate();
        }
        Wake::Suspend => suspend(terminal, app, clock, edges, drawn)?,
        Wake::Resize => {
            terminal.autoresize().map_err(io::Error::other)?;
            drawn.invalidate();
        }
        Wake::Gone => {
            let now = clock.now();
            let fx = app.interrupted(now, "the terminal went away");
            apply(app, fx, now, edges, drawn);
            return Ok(Some(Exit::TerminalGone));
        }
        Wake::Signal | Wake::Timeout => {}
    }
    Ok(None)
}

/// Ctrl-Z (or SIGTSTP): the record notes it, the terminal is given back and
/// the process stops; on `fg` the terminal is taken again and everything
/// redrawn. The session's clock counts on throughout, as a hold does.
fn suspend<B: Backend, C: Clock>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    clock: &ScaledClock<C>,
    edges: &mut Edges<'_>,
    drawn: &mut Drawn,
) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let since = clock.now();
    let fx = app.suspending(since);
    apply(app, fx, since, edges, drawn);
    (edges.suspend)()?;
    let now = clock.now();
    let fx = app.returned(since, now);
    apply(app, fx, now, edges, drawn);
    terminal.clear().map_err(io::Error::other)?;
    drawn.invalidate();
    Ok(())
}

/// Draws the screen if anything on it changed: the dashboard when its view
/// differs from the last one drawn, a form once after each change.
fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &App,
    now: Moment,
    edges: &Edges<'_>,
    drawn: &mut Drawn,
) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    // A resize arrives as SIGWINCH on the signal pipe; asking the size is
    // one ioctl, so check it on every wake rather than trusting events.
    let size = terminal.size().map_err(io::Error::other)?;
    if drawn.size != Some(size) {
        drawn.size = Some(size);
        drawn.invalidate();
    }
    if *app.screen() == Screen::Dashboard {
        let view = app.view(
            now,
            (edges.wall)().map(|w| w.time()),
            edges.audio.state(),
            edges.journal.waiting(),
        );
        if drawn.view.as_ref() != Some(&view) {
            terminal
                .draw(|f| f.render_widget(&view, f.area()))
                .map_err(io::Error::other)?;
            drawn.view = Some(view);
        }
    } else if !drawn.form {
        terminal
            .draw(|f| app.render_screen(f.area(), f.buffer_mut()))
            .map_err(io::Error::other)?;
        drawn.form = true;
        drawn.view = None;
    }
    Ok(())
}

/// Tries again, every few seconds, to write the entries waiting.
fn retry_waiting(edges: &mut Edges<'_>, now: Moment, drawn: &mut Drawn) {
    if edges.journal.waiting() == 0 {
        drawn.retry_at = None;
        return;
    }
    let due = drawn.retry_at.get_or_insert(now + RETRY);
    if now >= *due {
        drawn.retry_at = if edges.journal.retry().is_ok() {
            None
        } else {
            Some(now + RETRY)
        };
    }
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

/// Carries out effects in order: cues and sound commands to the audio,
/// lines to the journal (written and synced before the screen can show
/// them), and whatever the app says follows from each line.
fn apply(app: &mut App, fx: Vec<Effect>, now: Moment, edges: &mut Edges<'_>, drawn: &mut Drawn) {
    let mut queue: VecDeque<Effect> = fx.into();
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Cue(cue) => {
                // A cue told ahead sounds on its own sample already.
                if !drawn.foresight.told(cue, now) {
                    edges.audio.play(cue);
                }
                app.cue_sent(now, edges.audio.state());
            }
            Effect::Sound(command) => edges.audio.send(command),
            Effect::Log(entry) => {
                if !app.keeps(&entry) {
                    continue;
                }
                // An entry that cannot be written waits in the journal, in
                // order; the screen marks it until it is on disk.
                if edges.journal.append(&entry).is_err() && drawn.retry_at.is_none() {
                    drawn.retry_at = Some(now + RETRY);
                }
                let wall = (edges.wall)().map(|w| w.time());
                let more = app.recorded(entry, edges.journal.opened(), wall);
                queue.extend(more);
            }
            Effect::Redraw => {}
        }
    }
}
