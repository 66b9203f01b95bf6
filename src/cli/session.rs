//! Running a session: starting one (by name, from a path or the picker),
//! offering to take up one that was cut off, resuming one, and handing the
//! terminal to the dashboard until the session is closed.

use super::{RunOptions, data_folder, fail, fail_with, settings};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::audio::Bed;
use crate::audio::scape::Scape;
use crate::audio::{Audio, AudioState, DeviceAudio, RecordingAudio};
use crate::clock::{ScaledClock, SystemClock};
use crate::protocol::Protocol;
use crate::protocol::catalog::{
    Catalog, Chosen, Found, SearchPath, Source, looks_like_path, text_hash,
};
use crate::session::engine::Session;
use crate::session::journal::{Journal, LazyJournal};
use crate::settings::Settings;
use crate::settings::prefs::Prefs;
use crate::tui::events::{Signals, TerminalEvents};
use crate::tui::forms::IntakeForm;
use crate::tui::shell::{App, AppBuilder, Edges, Exit, Volume};
use crate::tui::terminal::Screen;
use crate::tui::theme::Theme;

/// What every command that starts or resumes a session shares.
pub(super) struct Setup<'a> {
    options: &'a RunOptions,
    settings: Settings,
    data: PathBuf,
    signals: Signals,
}

impl Setup<'_> {
    fn theme(&self) -> Theme {
        self.options.theme(&self.settings)
    }

    /// What every session's app starts from, new or taken up again: the
    /// settings' cue timing and keys, the theme, the speed, and the volume
    /// to start at — the settings' if they set one (every session starts
    /// there), else the last one used.
    fn app(&self, session: Session, protocol: &Protocol) -> AppBuilder {
        let prefs = Prefs::load(&self.data);
        let level = self.settings.config.volume.unwrap_or(prefs.volume);
        App::builder(with_timing(session, protocol, &self.settings))
            .theme(self.theme())
            .speed(self.options.speed)
            .keys(self.settings.keys.clone())
            .volume(Volume::new(level, prefs.muted))
    }
}

/// Installs the signal handlers (so a signal during the picker, the forms
/// or the session ends it cleanly, with `interrupted` in the record), reads
/// the settings and finds the data folder, then runs `f`.
pub(super) fn with_setup(
    options: &RunOptions,
    data_dir: &Option<PathBuf>,
    f: impl FnOnce(Setup<'_>) -> ExitCode,
) -> ExitCode {
    let signals = Signals::install();
    let settings = match settings() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let data = match data_folder(data_dir.as_deref(), &settings) {
        Ok(d) => d,
        Err(code) => return code,
    };
    f(Setup {
        options,
        settings,
        data,
        signals,
    })
}

/// Starts a session: first offers to take up a recent one that was cut off,
/// then runs the protocol named (or chosen in the picker).
pub(super) fn launch(
    search: &SearchPath,
    name: Option<&str>,
    practice: bool,
    setup: Setup<'_>,
) -> ExitCode {
    let sessions = setup.data.join("sessions");
    // Leaving the offer or the picker is done; being stopped there by a
    // signal says so in the exit status (130 Ctrl-C, 143 SIGTERM, …).
    let left = || {
        if setup
            .signals
            .stop
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            ExitCode::from(setup.signals.exit_status())
        } else {
            ExitCode::SUCCESS
        }
    };
    if let Some(candidate) =
        crate::session::resume::candidates(&sessions, Some(crate::session::resume::OFFER_WITHIN))
            .first()
    {
        match offer(candidate, &setup.signals, setup.theme()) {
            Ok(Offer::Resume) => return resume_path(&candidate.path, &setup),
            Ok(Offer::SetAside) => {
                if let Err(e) = set_aside(&candidate.path) {
                    return fail(&e);
                }
            }
            Ok(Offer::Leave) => return left(),
            Err(message) => return fail(&message),
        }
    }
    // Leaving a consultation started from the picker comes back to the
    // picker; one started by name leaves the program, as it came.
    loop {
        if setup
            .signals
            .stop
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return left();
        }
        let chosen = match name {
            Some(name) => resolve(name, search).map(|c| c.map(|c| (c, practice))),
            None => pick(search, &setup.signals, setup.theme(), practice),
        };
        match chosen {
            Ok(Some((chosen, practice))) => match start(chosen, practice, &setup) {
                Ran::Left if name.is_none() => {}
                Ran::Left => return left(),
                Ran::Done(code) => return code,
            },
            Ok(None) => return left(),
            Err(message) => return fail(&message),
        }
    }
}

/// How a run of the dashboard ended.
pub(super) enum Ran {
    /// Left before anything was recorded (the consultation left with Esc).
    Left,
    /// Anything else, with the exit status.
    Done(ExitCode),
}

/// `stillpoint resume [SESSION]`.
pub(super) fn resume_command(session: Option<&str>, setup: Setup<'_>) -> ExitCode {
    let sessions = setup.data.join("sessions");
    let path = match session {
        Some(id) => match crate::session::folder::find(&sessions, id) {
            Ok(p) => p,
            Err(e) => return fail_with(&e),
        },
        None => match crate::session::resume::candidates(&sessions, None).first() {
            Some(c) => c.path.clone(),
            None => {
                println!("No unfinished session to take up.");
                return ExitCode::SUCCESS;
            }
        },
    };
    resume_path(&path, &setup)
}

/// What the therapist chose when offered an unfinished session.
pub(super) enum Offer {
    Resume,
    SetAside,
    Leave,
}

pub(super) fn offer(
    candidate: &crate::session::resume::Candidate,
    signals: &Signals,
    theme: Theme,
) -> Result<Offer, String> {
    let mut screen = Screen::enter(None).map_err(|e| format!("cannot open the terminal: {e}"))?;
    let mut events = TerminalEvents::new(signals);
    let answer = crate::tui::picker::offer_resume(
        &mut screen.terminal,
        &candidate.describe(),
        &mut events,
        &signals.stop,
        theme,
    )
    .map_err(|e| format!("terminal error: {e}"))?;
    drop(screen);
    Ok(match answer {
        Some(true) => Offer::Resume,
        Some(false) => Offer::SetAside,
        None => Offer::Leave,
    })
}

/// Marks a record as not to be taken up again.
pub(super) fn set_aside(path: &Path) -> Result<(), String> {
    use crate::session::journal::Journal;
    let (mut journal, contents) = crate::session::journal::FileJournal::reopen(path)
        .map_err(|e| format!("cannot set aside {}: {e}", path.display()))?;
    let at = contents.last_at();
    journal
        .append(&crate::session::record::Logged {
            at,
            entry: crate::session::record::Entry::Abandoned,
        })
        .map_err(|e| format!("cannot set aside {}: {e}", path.display()))
}

/// Finds a protocol by file path or by name. A file that is wrong is
/// reported in full (the report is the error's text); a name that is not
/// found gets the closest one found ("did you mean"), or the list.
pub(super) fn resolve(name: &str, search: &SearchPath) -> Result<Option<Chosen>, String> {
    if looks_like_path(name) {
        let path = Path::new(name);
        return Protocol::read(path)
            .map(|protocol| {
                Some(Chosen {
                    protocol: protocol.into(),
                    source: Source::file(path),
                })
            })
            .map_err(|e| e.to_string());
    }
    let catalog = Catalog::discover(search);
    match catalog.get(name) {
        Some(found) => found
            .protocol
            .clone()
            .map(|protocol| {
                Some(Chosen {
                    protocol,
                    source: Source::of(found),
                })
            })
            .map_err(|e| e.to_string()),
        None => {
            use crate::text::sanitize_line;
            let hint = match catalog.closest(name) {
                Some(stem) => format!(
                    "did you mean \"{}\"? (`stillpoint list` shows them all)",
                    sanitize_line(stem)
                ),
                None => format!(
                    "the protocols found are: {}; or give a path to a .ron file",
                    sanitize_line(&catalog.stems().join(", "))
                ),
            };
            let notes: String = search
                .notes()
                .iter()
                .map(|n| format!("\n  note: {n}"))
                .collect();
            Err(format!(
                "no protocol named \"{}\"\n  hint: {hint}{notes}",
                crate::protocol::diagnostic::shown(name)
            ))
        }
    }
}

/// Opens the picker; `Ok(None)` when the user leaves without choosing.
/// Every protocol found is listed, the invalid ones greyed with why; the
/// choice comes back with whether it is to be practised (Enter starts
/// what the command asked for, `practice`, and another key the other).
pub(super) fn pick(
    search: &SearchPath,
    signals: &Signals,
    theme: Theme,
    practice: bool,
) -> Result<Option<(Chosen, bool)>, String> {
    use crate::tui::picker::Start;
    let catalog = Catalog::discover(search);
    if catalog.found.iter().all(|f| f.protocol.is_err()) {
        return Err("no valid protocols found; run `stillpoint list` to see why".into());
    }
    let choices: Vec<&Found> = catalog.found.iter().collect();
    let first = if practice {
        Start::Practice
    } else {
        Start::Run
    };
    let mut screen = Screen::enter(None).map_err(|e| format!("cannot open the terminal: {e}"))?;
    let mut events = TerminalEvents::new(signals);
    let chosen = crate::tui::picker::run(
        &mut screen.terminal,
        &choices,
        first,
        &mut events,
        &signals.stop,
        theme,
    )
    .map_err(|e| format!("terminal error: {e}"))?;
    drop(screen);
    Ok(chosen.and_then(|(i, start)| {
        let found = choices.get(i)?;
        let protocol = found.protocol.clone().ok()?;
        let chosen = Chosen {
            protocol,
            source: Source::of(found),
        };
        Some((chosen, start == Start::Practice))
    }))
}

/// Starts a new session on `chosen`.
pub(super) fn start(chosen: Chosen, practice: bool, setup: &Setup<'_>) -> Ran {
    let options = setup.options;
    let data = &setup.data;
    let origin = chosen.source.path().map(Path::to_owned);
    // Everything the user can get wrong is checked before anything is created;
    // the chosen protocol's sound file is decoded once, here, with its
    // file:line:col if it fails.
    if let Some(path) = &origin
        && chosen.protocol.sound_file(path).is_some()
        && let Err(e) = Protocol::load(path)
    {
        return Ran::Done(fail(&e.to_string()));
    }
    let hash = match chosen.source.text() {
        Ok(text) => text_hash(&text),
        Err(e) => {
            return Ran::Done(fail(&format!("cannot read {}: {e}", chosen.source.label())));
        }
    };
    // The protocol's text and the parse are done with: a long protocol's
    // leftovers are not carried through the session.
    crate::platform::memory::give_back();
    let client = options
        .client
        .as_deref()
        .map(crate::session::record::client_reference)
        .filter(|c| !c.is_empty());
    let sessions = match crate::files::ready_for_records(data) {
        Ok(sessions) => sessions,
        Err(e) => return Ran::Done(fail_with(&e)),
    };
    let header = crate::session::record::Opened {
        version: crate::session::record::LOG_VERSION,
        protocol: chosen.protocol.name.to_string(),
        source: chosen.source.label(),
        hash,
        client: client.clone().filter(|_| !practice),
        practice,
        speed: options.speed,
        opened: None,
        app: env!("CARGO_PKG_VERSION").to_owned(),
    };
    // The record file is made by its first entry: a consultation left
    // unfinished leaves nothing behind.
    let journal = LazyJournal::new(&sessions, header, Box::new(crate::clock::wall_now));
    let mut app = setup
        .app(Session::new(chosen.protocol.clone()), &chosen.protocol)
        .practice(practice)
        .client(client.clone().filter(|_| !practice));
    if !practice {
        app = app.consultation(IntakeForm::new(chosen.protocol.name.as_str(), client));
    }
    let clock = ScaledClock::new(SystemClock::new(), options.speed);
    run_dashboard(app, &chosen, journal, clock, setup)
}

/// The settings' cue lead and reminder, where the protocol sets none.
pub(super) fn with_timing(session: Session, protocol: &Protocol, settings: &Settings) -> Session {
    let mut session = session;
    if protocol.lead.is_none()
        && let Some(lead) = settings.config.lead
    {
        session = session.with_lead(lead.get());
    }
    if protocol.reminder.is_none()
        && let Some(every) = settings.config.reminder
    {
        session = session.with_reminder(Some(every.get()));
    }
    session
}

/// Takes up the session recorded at `path` where it stopped.
pub(super) fn resume_path(path: &Path, setup: &Setup<'_>) -> ExitCode {
    if let Err(e) = crate::files::ready_for_records(&setup.data) {
        return fail_with(&e);
    }
    let reopened = match crate::session::resume::reopen(path) {
        Ok(r) => r,
        Err(e) => return fail_with(&e),
    };
    let report = crate::session::report::Report::from_entries(&reopened.contents.records);
    let app = setup
        .app(reopened.session, &reopened.chosen.protocol)
        .practice(report.practice())
        .client(report.client())
        .recall(&reopened.contents.records)
        .take_up(reopened.at, crate::clock::wall_now());
    let clock = ScaledClock::starting_at(SystemClock::new(), setup.options.speed, reopened.at);
    let journal = LazyJournal::existing(reopened.journal);
    match run_dashboard(app, &reopened.chosen, journal, clock, setup) {
        Ran::Left => ExitCode::SUCCESS,
        Ran::Done(code) => code,
    }
}

/// Holds the laptop awake, takes over the terminal and runs the session
/// until it is closed or cut off, then says where its record is.
///
/// (Longer than most: the order in which the edges are opened and closed
/// — awake, terminal, audio; the audio closed before the terminal is given
/// back — is the point, and is kept in one place to be read.)
pub(super) fn run_dashboard(
    app: AppBuilder,
    chosen: &Chosen,
    mut journal: LazyJournal,
    clock: ScaledClock<SystemClock>,
    setup: &Setup<'_>,
) -> Ran {
    let bed = match choose_bed(
        &chosen.protocol,
        chosen.source.path(),
        setup.options.soundscape.as_deref(),
        setup.settings.config.soundscape.as_deref(),
    ) {
        Ok(bed) => bed,
        Err(message) => return Ran::Done(fail(&message)),
    };
    // The laptop is held awake from here until the dashboard returns: a
    // suspended laptop rings no bell. What was managed shows on the status line.
    let awake = crate::awake::hold(setup.options.allow_sleep);
    let mut app = app.awake(awake.words()).build();
    let mut events = TerminalEvents::new(&setup.signals);
    let mut screen = match Screen::enter(Some(&setup.data.join("stderr.log"))) {
        Ok(s) => s,
        Err(e) => return Ran::Done(fail(&format!("cannot open the terminal: {e}"))),
    };
    if app.keys().uses_media_keys() {
        screen.report_media_keys();
    }
    // Opened only now, so that anything the sound libraries print while
    // probing lands in the log behind the dashboard, not on the terminal.
    let (mut audio, missing) = open_audio(setup, bed, app.volume());
    if let Some(name) = missing {
        app.cue_device_missing(name);
    }
    if setup.options.panic_for_test {
        panic_for_test(&mut screen);
    }
    let wall = || Some(crate::clock::wall_now());
    let mut edges = Edges {
        audio: audio.as_mut(),
        journal: &mut journal,
        wall: &wall,
        suspend: &crate::tui::terminal::suspend_until_continued,
    };
    let result = crate::tui::shell::run(
        &mut screen.terminal,
        &mut app,
        &clock,
        &mut events,
        &mut edges,
        &setup.signals,
    );
    // The audio thread may still write to fd 2 as it closes the device.
    drop((audio, screen, awake));
    if matches!(result, Ok(Exit::Closed)) && !app.has_record() {
        return Ran::Left;
    }
    let status = setup.signals.exit_status();
    Ran::Done(after_the_dashboard(
        &app,
        &mut journal,
        &setup.data,
        result,
        status,
    ))
}

/// Draws one frame and panics (`--panic-for-test`, for the end-to-end
/// test that checks the terminal is restored on a panic).
fn panic_for_test(screen: &mut Screen) {
    let _ = screen
        .terminal
        .draw(|f| f.render_widget("about to panic", f.area()));
    panic!("deliberate panic for the end-to-end test");
}

/// The sound edge: silent with `--no-audio`, else the device (which runs
/// silent by itself when there is none); and the cue device named that is
/// not there, if one is (its cues then go to the default output).
fn open_audio(
    setup: &Setup<'_>,
    bed: Option<Bed>,
    volume: Volume,
) -> (Box<dyn Audio>, Option<String>) {
    if setup.options.no_audio {
        return (Box::new(RecordingAudio::new(AudioState::Disabled)), None);
    }
    let cue_device =
        (setup.options.cue_device.clone()).or_else(|| setup.settings.config.cue_device.clone());
    let missing = cue_device
        .clone()
        .filter(|name| !crate::audio::devices::is_present(name));
    let audio = Box::new(DeviceAudio::start_with_cue_device(
        bed,
        volume.level(),
        volume.muted(),
        cue_device,
    ));
    (audio, missing)
}

/// Once the terminal is given back: the volume remembered, a closed record
/// indexed, and where the record is said, with the exit status.
fn after_the_dashboard(
    app: &App,
    journal: &mut LazyJournal,
    data: &Path,
    result: std::io::Result<Exit>,
    status: u8,
) -> ExitCode {
    let _ = Prefs {
        volume: app.volume().level(),
        muted: app.volume().muted(),
    }
    .save(data);
    if journal.waiting() > 0 && journal.retry().is_err() {
        return rescue(journal, data);
    }
    if let (Some(summary), Some(path)) = (app.closed(), journal.path()) {
        // Only saves history from reading the record itself.
        let _ = crate::history::index_closed(&data.join("sessions"), path, summary);
    }
    let log = journal.path().map_or_else(
        || "(nothing was recorded)".to_owned(),
        |p| p.display().to_string(),
    );
    match result {
        Ok(Exit::Closed) => {
            println!("Session record: {log}");
            ExitCode::SUCCESS
        }
        Ok(Exit::Signal) => {
            eprintln!(
                "stillpoint: session interrupted by a signal; the record is kept at {log}\n  \
                 hint: `stillpoint resume` takes it up again"
            );
            ExitCode::from(status)
        }
        Ok(Exit::TerminalGone) => ExitCode::from(129),
        Err(e) => fail(&format!("terminal error: {e}; the record is kept at {log}")),
    }
}

/// The session ended with entries that could not be written: the whole
/// record goes to the first fallback folder that takes it, and the exit
/// status says it was not saved where it belongs.
fn rescue(journal: &LazyJournal, data: &Path) -> ExitCode {
    let folders = crate::files::rescue_folders();
    let waiting = journal.waiting();
    let place = journal.path().map_or_else(
        || data.join("sessions").display().to_string(),
        |p| p.display().to_string(),
    );
    match journal.rescue(&folders) {
        Some(Ok(path)) => fail(&format!(
            "{waiting} entr{} of this session could not be saved in {place}; the whole record \
             was written to {}\n  hint: free space or fix the folder, then move the file back \
             into the sessions folder",
            if waiting == 1 { "y" } else { "ies" },
            path.display()
        )),
        Some(Err(e)) => fail(&format!(
            "the record could not be saved in {place}, nor in any fallback folder ({e}); \
             {waiting} entries are lost"
        )),
        None => ExitCode::SUCCESS,
    }
}

/// The background sound: `--soundscape` (a name, a file or `none`), else the
/// protocol's own, else the settings' default, else none. Files are checked
/// to decode.
pub(super) fn choose_bed(
    protocol: &Protocol,
    origin: Option<&Path>,
    option: Option<&str>,
    default: Option<&str>,
) -> Result<Option<Bed>, String> {
    use crate::protocol::SoundscapeRef;
    let file = |path: PathBuf| {
        crate::audio::file::check(&path)
            .map(|()| Some(Bed::File(path.clone())))
            .map_err(|e| {
                format!(
                    "soundscape file {}: {e}\n  hint: use a WAV, FLAC, Ogg Vorbis or MP3 file",
                    path.display()
                )
            })
    };
    // A protocol's own file was checked when it was loaded.
    let named = |name: &str| {
        match name {
        "none" => Ok(None),
        n => Scape::from_name(n).map(|s| Some(Bed::Scape(s))).ok_or_else(|| {
            format!("unknown soundscape \"{n}\"\n  hint: use surf, drone, rain, none or a sound file")
        }),
    }
    };
    let by_name = |o: &str| {
        if Scape::from_name(o).is_some() || o == "none" {
            named(o)
        } else {
            file(PathBuf::from(o))
        }
    };
    match option {
        Some(o) => by_name(o),
        None => match &protocol.soundscape {
            None => default.map_or(Ok(None), by_name),
            Some(SoundscapeRef::Named(n)) => named(n),
            Some(SoundscapeRef::File(_)) => {
                Ok(origin.and_then(|o| protocol.sound_file(o)).map(Bed::File))
            }
        },
    }
}
