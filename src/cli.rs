//! The command line: `run`, `list`, `validate`, and the picker when no command
//! is given. Everything that can fail because of the user's input is checked
//! here, before the terminal is taken over, and reported on stderr.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::audio::Bed;
use crate::audio::scape::Scape;
use crate::audio::{Audio, AudioState, DeviceAudio, RecordingAudio};
use crate::clock::{ScaledClock, SystemClock};
use crate::history::{Filter, Format};
use crate::protocol::Protocol;
use crate::protocol::catalog::{
    Catalog, Chosen, Found, SearchPath, Source, looks_like_path, text_hash,
};
use crate::session::engine::Session;
use crate::session::journal::LazyJournal;
use crate::settings::Settings;
use crate::settings::ThemeName;
use crate::settings::prefs::Prefs;
use crate::text::clock_text;
use crate::text::truncate;
use crate::tui::events::{Signals, TerminalEvents};
use crate::tui::shell::{App, Edges, Exit};
use crate::tui::terminal::Screen;
use crate::tui::theme::Theme;

/// A calm terminal companion for craniosacral therapy sessions: it steps
/// through a protocol of holds, sounds soft cues and keeps a session log.
/// It keeps time and records; it does not diagnose or treat.
#[derive(Debug, Parser)]
#[command(name = "stillpoint", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Where session records are kept (default: STILLPOINT_DATA, else the
    /// XDG data folder, ~/.local/share/stillpoint).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Options for the session started from the picker.
    #[command(flatten)]
    run: RunOptions,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a session: by protocol name (`ten-step`) or by file path.
    Run(RunArgs),
    /// Practise a protocol: no consultation and no client, a learning panel
    /// and a body map; the time counts toward your practice hours
    /// (`--stats` shows them).
    Practice(PracticeArgs),
    /// Take up a session that was cut off (the newest, or the one named).
    Resume {
        /// A session id from `stillpoint history` (or a unique start of one).
        session: Option<String>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// List every protocol found, with its total time and where it came from.
    List,
    /// Check protocol files (every one found, when none is named); exit 0
    /// when all are valid, 1 otherwise.
    Validate {
        /// The files to check.
        files: Vec<PathBuf>,
    },
    /// Write a commented template protocol that validates as it is.
    New {
        /// A name (`my-protocol` writes ./my-protocol.ron) or a path.
        name: String,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Show where the settings file is and check it; `--init` writes a
    /// commented one.
    Config {
        /// Write a commented settings file (every setting at its default).
        #[arg(long)]
        init: bool,
        /// With --init, replace a file that exists.
        #[arg(long, requires = "init")]
        force: bool,
    },
    /// Sound tools.
    #[command(subcommand)]
    Audio(AudioCommand),
    /// The sessions recorded, as a table; for one client, their pain and
    /// stress across sessions as a chart too.
    History {
        #[command(flatten)]
        filter: Filter,
    },
    /// One session in full (an id from `history`, or a unique start of one).
    Show {
        /// The session.
        session: String,
    },
    /// Sessions as CSV, Markdown (a readable session note) or JSON.
    Export {
        /// The format.
        #[arg(long, value_enum)]
        format: Format,
        #[command(flatten)]
        filter: Filter,
        /// Write to this file instead of standard output (created 0600).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AudioCommand {
    /// Write what would be played to a WAV file, without a sound device.
    Render {
        /// A soundscape (surf, drone, rain), rendered with its fade-in.
        #[arg(
            long,
            value_name = "NAME",
            conflicts_with = "cue",
            required_unless_present = "cue"
        )]
        soundscape: Option<String>,
        /// A cue (session-start, ending-soon, next-step, overtime,
        /// overtime-reminder, session-complete).
        #[arg(long, value_name = "NAME")]
        cue: Option<String>,
        /// How many seconds of a soundscape to render.
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// The WAV file to write.
        out: PathBuf,
    },
    /// List the sound output devices (for --cue-device).
    Devices,
    /// Measure how soon a cue reaches the output after the session asks for
    /// it: after silence, and while another cue still rings.
    Latency {
        /// How many cues of each kind.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
        cues: u32,
    },
}

#[derive(Debug, Args)]
struct PracticeArgs {
    /// A protocol name (see `stillpoint list`) or a path to a .ron file.
    #[arg(conflicts_with = "stats")]
    protocol: Option<String>,
    /// Show the practice recorded: hours per technique and per protocol.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    options: RunOptions,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// A protocol name (see `stillpoint list`) or a path to a .ron file.
    protocol: Option<String>,
    #[command(flatten)]
    options: RunOptions,
}

#[derive(Debug, Args, Clone)]
struct RunOptions {
    /// Run the clock N times faster, to rehearse a protocol.
    #[arg(long, value_name = "N", default_value_t = 1.0, value_parser = parse_speed)]
    speed: f64,
    /// Do not open a sound device.
    #[arg(long)]
    no_audio: bool,
    /// Colours: dim (for a darkened room; the default), day, high-contrast,
    /// or plain. NO_COLOR is honoured.
    #[arg(long, value_enum)]
    theme: Option<ThemeName>,
    /// The background sound: surf, drone, rain, none, or a WAV/FLAC/Ogg/MP3
    /// file (default: the protocol's own, else none).
    #[arg(long, value_name = "NAME")]
    soundscape: Option<String>,
    /// Send the cues to this output (see `stillpoint audio devices`), e.g. an
    /// earbud for the therapist, while the soundscape plays on the default one.
    #[arg(long, value_name = "NAME")]
    cue_device: Option<String>,
    /// A client reference (a pseudonym or initials) shown and logged.
    #[arg(long, value_name = "REF")]
    client: Option<String>,
    /// Panic right after the first frame (for the end-to-end test that checks
    /// the terminal is restored on a panic).
    #[arg(long, hide = true)]
    panic_for_test: bool,
}

impl RunOptions {
    /// The chosen theme: `--theme`, else the settings', else dim; with
    /// `NO_COLOR` honoured.
    fn theme(&self, settings: &Settings) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let name = self
            .theme
            .or(settings.config.theme)
            .unwrap_or(ThemeName::Dim);
        Theme::pick(name, no_color)
    }
}

/// What every command that starts or resumes a session shares.
struct Setup<'a> {
    options: &'a RunOptions,
    settings: Settings,
    data: PathBuf,
    signals: Signals,
}

impl Setup<'_> {
    fn theme(&self) -> Theme {
        self.options.theme(&self.settings)
    }
}

/// Reads the settings, or says what is wrong with them the way rustc
/// would; a broken settings file never quietly becomes the defaults.
fn settings() -> Result<Settings, ExitCode> {
    crate::settings::load(crate::settings::path().as_deref()).map_err(|e| fail_file(&e))
}

/// Reports a problem in a user's file, with its line shown, on stderr.
fn fail_file(e: &crate::protocol::diagnostic::FileError) -> ExitCode {
    let color = io::IsTerminal::is_terminal(&io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    eprint!("{}", e.render(color));
    ExitCode::FAILURE
}

/// The data folder for these settings, or why there is none.
fn data_folder(flag: Option<&Path>, settings: &Settings) -> Result<PathBuf, ExitCode> {
    crate::files::data_dir_or(flag, settings.config.data_dir.as_deref()).ok_or_else(|| {
        fail(
            "no home folder to keep session records in; use --data-dir, STILLPOINT_DATA, \
             or data_dir in the settings",
        )
    })
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number; write e.g. --speed 10"))?;
    if v.is_finite() && (0.1..=1000.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{s} is out of range; use a speed from 0.1 to 1000"))
    }
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let search = SearchPath::from_env();
    // Installed once, before any terminal is touched, so a signal during the
    // picker or the session ends it cleanly.
    let signals = Signals::install();
    match cli.command {
        Some(Command::List) => list(&Catalog::discover(&search)),
        Some(Command::Validate { files }) => validate(&files, &search),
        Some(Command::New { name, force }) => new_protocol(&name, force),
        Some(Command::Config { init, force }) => config_command(init, force),
        Some(Command::Audio(AudioCommand::Render {
            soundscape,
            cue,
            seconds,
            out,
        })) => render(soundscape.as_deref(), cue.as_deref(), seconds, &out),
        Some(Command::Audio(AudioCommand::Devices)) => devices(),
        Some(Command::History { filter }) => with_sessions(cli.data_dir.as_deref(), |dir| {
            crate::history::history(dir, &filter, &mut io::stdout().lock())
        }),
        Some(Command::Show { session }) => with_sessions(cli.data_dir.as_deref(), |dir| {
            crate::history::show(dir, &session, &mut io::stdout().lock())
        }),
        Some(Command::Export {
            format,
            filter,
            output,
        }) => with_sessions(cli.data_dir.as_deref(), |dir| match &output {
            None => crate::history::export(dir, &filter, format, &mut io::stdout().lock()),
            Some(path) => {
                let mut file = crate::files::create_private_file(path)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                crate::history::export(dir, &filter, format, &mut file)?;
                file.sync_all()
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }),
        Some(Command::Audio(AudioCommand::Latency { cues })) => latency(cues),
        Some(Command::Run(args)) => with_setup(&args.options, &cli.data_dir, signals, |s| {
            launch(&search, args.protocol.as_deref(), false, s)
        }),
        Some(Command::Practice(args)) if args.stats => {
            with_sessions(cli.data_dir.as_deref(), |dir| {
                let stats = crate::history::practice::stats(dir)?;
                let width = ratatui::crossterm::terminal::size()
                    .ok()
                    .filter(|_| io::IsTerminal::is_terminal(&io::stdout()))
                    .map_or(80, |(w, _)| usize::from(w));
                print!("{}", crate::history::practice::text(&stats, width));
                Ok(())
            })
        }
        Some(Command::Practice(args)) => with_setup(&args.options, &cli.data_dir, signals, |s| {
            launch(&search, args.protocol.as_deref(), true, s)
        }),
        Some(Command::Resume { session, options }) => {
            with_setup(&options, &cli.data_dir, signals, |s| {
                resume_command(session.as_deref(), s)
            })
        }
        None => with_setup(&cli.run, &cli.data_dir, signals, |s| {
            launch(&search, None, false, s)
        }),
    }
}

/// Reads the settings and finds the data folder, then runs `f`.
fn with_setup(
    options: &RunOptions,
    data_dir: &Option<PathBuf>,
    signals: Signals,
    f: impl FnOnce(Setup<'_>) -> ExitCode,
) -> ExitCode {
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
fn launch(search: &SearchPath, name: Option<&str>, practice: bool, setup: Setup<'_>) -> ExitCode {
    let sessions = setup.data.join("sessions");
    if let Some(candidate) =
        crate::session::resume::candidates(&sessions, Some(crate::session::resume::OFFER_WITHIN))
            .first()
    {
        match offer(candidate, &setup.signals, setup.theme()) {
            Ok(Offer::Resume) => return resume_path(&candidate.path, setup),
            Ok(Offer::SetAside) => {
                if let Err(e) = set_aside(&candidate.path) {
                    return fail(&e);
                }
            }
            Ok(Offer::Leave) => return ExitCode::SUCCESS,
            Err(message) => return fail(&message),
        }
    }
    let chosen = match name {
        Some(name) => resolve(name, search),
        None => pick(search, &setup.signals, setup.theme()),
    };
    match chosen {
        Ok(Some(chosen)) => start(chosen, practice, setup),
        Ok(None) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

/// `stillpoint resume [SESSION]`.
fn resume_command(session: Option<&str>, setup: Setup<'_>) -> ExitCode {
    let sessions = setup.data.join("sessions");
    let path = match session {
        Some(id) => match crate::session::resume::find(&sessions, id) {
            Ok(p) => p,
            Err(message) => return fail(&message),
        },
        None => match crate::session::resume::candidates(&sessions, None).first() {
            Some(c) => c.path.clone(),
            None => {
                println!("No unfinished session to take up.");
                return ExitCode::SUCCESS;
            }
        },
    };
    resume_path(&path, setup)
}

/// What the therapist chose when offered an unfinished session.
enum Offer {
    Resume,
    SetAside,
    Leave,
}

fn offer(
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
fn set_aside(path: &Path) -> Result<(), String> {
    use crate::session::journal::Journal;
    let (mut journal, contents) = crate::session::journal::FileJournal::reopen(path)
        .map_err(|e| format!("cannot set aside {}: {e}", path.display()))?;
    let at = contents
        .records
        .iter()
        .map(|l| l.at)
        .max()
        .unwrap_or_default();
    journal
        .append(&crate::session::record::Logged {
            at,
            entry: crate::session::record::Entry::Abandoned,
        })
        .map_err(|e| format!("cannot set aside {}: {e}", path.display()))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("stillpoint: {message}");
    ExitCode::FAILURE
}

/// Finds a protocol by file path or by name.
fn resolve(name: &str, search: &SearchPath) -> Result<Option<Chosen>, String> {
    if looks_like_path(name) {
        let path = Path::new(name);
        return Protocol::read(path)
            .map(|protocol| {
                Some(Chosen {
                    protocol,
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
        None => Err(format!(
            "no protocol named \"{name}\"\n  hint: the protocols found are: {}; \
             or give a path to a .ron file",
            catalog.stems().join(", ")
        )),
    }
}

/// Opens the picker; `Ok(None)` when the user leaves without choosing.
fn pick(search: &SearchPath, signals: &Signals, theme: Theme) -> Result<Option<Chosen>, String> {
    let catalog = Catalog::discover(search);
    let choices: Vec<&Found> = catalog
        .found
        .iter()
        .filter(|f| f.protocol.is_ok())
        .collect();
    if choices.is_empty() {
        return Err("no valid protocols found; run `stillpoint list` to see why".into());
    }
    let mut screen = Screen::enter(None).map_err(|e| format!("cannot open the terminal: {e}"))?;
    let mut events = TerminalEvents::new(signals);
    let chosen = crate::tui::picker::run(
        &mut screen.terminal,
        &choices,
        &mut events,
        &signals.stop,
        theme,
    )
    .map_err(|e| format!("terminal error: {e}"))?;
    drop(screen);
    Ok(chosen.and_then(|i| {
        let found = choices[i];
        found.protocol.clone().ok().map(|protocol| Chosen {
            protocol,
            source: Source::of(found),
        })
    }))
}

/// Starts a new session on `chosen`.
fn start(chosen: Chosen, practice: bool, setup: Setup<'_>) -> ExitCode {
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
        return fail(&e.to_string());
    }
    let text = match chosen.source.text() {
        Ok(t) => t,
        Err(e) => return fail(&format!("cannot read {}: {e}", chosen.source.label())),
    };
    let sessions = data.join("sessions");
    if let Err(e) = crate::files::create_private_dir(&sessions) {
        return fail(&format!(
            "cannot keep session records in {}: {e}\n  hint: check the folder's permissions, \
             or use --data-dir or STILLPOINT_DATA",
            sessions.display()
        ));
    }
    let header = crate::session::record::Opened {
        version: crate::session::record::LOG_VERSION,
        protocol: chosen.protocol.name.to_string(),
        source: chosen.source.label(),
        hash: text_hash(&text),
        client: options.client.clone().filter(|_| !practice),
        practice,
        opened: String::new(),
        app: env!("CARGO_PKG_VERSION").to_owned(),
    };
    // The record file is made by its first entry: a consultation left
    // unfinished leaves nothing behind.
    let journal = LazyJournal::new(&sessions, header, Box::new(crate::clock::wall_now));
    let session = Session::new(chosen.protocol.clone());
    let mut app = App::new(
        with_timing(session, &chosen.protocol, &setup.settings),
        setup.theme(),
    );
    app.practice = practice;
    app.client = options.client.clone().filter(|_| !practice);
    if !practice {
        app.screen = crate::tui::shell::Screen::Intake(crate::tui::forms::IntakeForm::new(
            chosen.protocol.name.as_str(),
            options.client.clone(),
        ));
    }
    let clock = ScaledClock::new(SystemClock::new(), options.speed);
    run_dashboard(app, &chosen, journal, clock, setup)
}

/// The settings' cue lead and reminder, where the protocol sets none.
fn with_timing(session: Session, protocol: &Protocol, settings: &Settings) -> Session {
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
fn resume_path(path: &Path, setup: Setup<'_>) -> ExitCode {
    let reopened = match crate::session::resume::reopen(path) {
        Ok(r) => r,
        Err(message) => return fail(&message),
    };
    let report = crate::session::report::Report::from_entries(&reopened.contents.records);
    let session = with_timing(reopened.session, &reopened.chosen.protocol, &setup.settings);
    let mut app = App::new(session, setup.theme());
    app.practice = report.opened.as_ref().is_some_and(|o| o.practice);
    app.client = report.summary().client;
    app.recall(&reopened.contents.records);
    app.take_up(reopened.at, &crate::clock::wall_now());
    app.resume_screen();
    let clock = ScaledClock::starting_at(SystemClock::new(), setup.options.speed, reopened.at);
    let journal = LazyJournal::existing(reopened.journal);
    run_dashboard(app, &reopened.chosen, journal, clock, setup)
}

/// Takes over the terminal and runs the session until it is closed or cut
/// off, then says where its record is.
fn run_dashboard(
    mut app: App,
    chosen: &Chosen,
    mut journal: LazyJournal,
    clock: ScaledClock<SystemClock>,
    setup: Setup<'_>,
) -> ExitCode {
    let Setup {
        options,
        settings,
        data,
        signals,
    } = setup;
    let data = data.as_path();
    let config = &settings.config;
    let bed = match choose_bed(
        &chosen.protocol,
        chosen.source.path(),
        options.soundscape.as_deref(),
        config.soundscape.as_deref(),
    ) {
        Ok(bed) => bed,
        Err(message) => return fail(&message),
    };
    let prefs = Prefs::load(data);
    app.speed = options.speed;
    // A volume in the settings is where every session starts; without one,
    // the last volume used is remembered.
    app.volume = config.volume.unwrap_or(prefs.volume);
    app.muted = prefs.muted;
    app.keys = settings.keys.clone();
    let mut events = TerminalEvents::new(&signals);
    let mut screen = match Screen::enter(Some(&data.join("stderr.log"))) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot open the terminal: {e}")),
    };
    if app.keys.uses_media_keys() {
        screen.report_media_keys();
    }
    // Opened only now, so that anything the sound libraries print while
    // probing lands in the log behind the dashboard, not on the terminal.
    let mut audio: Box<dyn Audio> = if options.no_audio {
        Box::new(RecordingAudio::new(AudioState::Disabled))
    } else {
        Box::new(DeviceAudio::start_with_cue_device(
            bed,
            app.volume,
            app.muted,
            options.cue_device.clone().or(config.cue_device.clone()),
        ))
    };
    let wall = crate::clock::wall_time_of_day;
    if options.panic_for_test {
        let _ = screen
            .terminal
            .draw(|f| f.render_widget("about to panic", f.area()));
        panic!("deliberate panic for the end-to-end test");
    }
    let mut edges = Edges {
        audio: audio.as_mut(),
        journal: &mut journal,
        wall: &wall,
    };
    let result = crate::tui::shell::run(
        &mut screen.terminal,
        &mut app,
        &clock,
        &mut events,
        &mut edges,
        &signals,
    );
    // The audio thread may still write to fd 2 as it closes the device.
    drop(audio);
    drop(screen);
    let _ = Prefs {
        volume: app.volume,
        muted: app.muted,
    }
    .save(data);
    if let (Some(summary), Some(path)) = (app.closed(), journal.path()) {
        // Only saves history from reading the record itself.
        let _ = crate::history::index_closed(
            &data.join("sessions"),
            &crate::session::journal::session_id(path),
            summary,
        );
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
            ExitCode::from(130)
        }
        Ok(Exit::TerminalGone) => ExitCode::from(129),
        Err(e) => fail(&format!("terminal error: {e}; the record is kept at {log}")),
    }
}

fn list(catalog: &Catalog) -> ExitCode {
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<18} {:<34} {:>5} {:>8}  source",
        "NAME", "PROTOCOL", "STEPS", "TOTAL"
    );
    for found in &catalog.found {
        let line = match &found.protocol {
            Ok(p) => format!(
                "{:<18} {:<34} {:>5} {:>8}  {}",
                found.stem,
                truncate(p.name.as_str(), 34),
                p.steps.len(),
                clock_text(p.planned_total()),
                found.origin
            ),
            Err(e) => format!(
                "{:<18} {:<34} {:>5} {:>8}  {}\n    {}",
                found.stem,
                "(invalid)",
                "-",
                "-",
                found.origin,
                e.to_string().replace('\n', "\n    ")
            ),
        };
        let _ = writeln!(out, "{line}");
        for shadowed in &found.shadows {
            let _ = writeln!(out, "{:<18} shadows {}", "", shadowed);
        }
    }
    ExitCode::SUCCESS
}

fn validate(files: &[PathBuf], search: &SearchPath) -> ExitCode {
    let catalog = Catalog::discover(search);
    let files: Vec<PathBuf> = if files.is_empty() {
        crate::protocol::catalog::protocol_files(search)
    } else {
        files.to_vec()
    };
    if files.is_empty() {
        println!(
            "No protocol files found in {}; the built-in protocols are always valid.",
            search
                .folders
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::SUCCESS;
    }
    let mut failed = 0;
    for file in &files {
        match Protocol::load(file) {
            Ok(p) => {
                println!(
                    "ok: {}: \"{}\", {} steps, planned {}",
                    file.display(),
                    p.name,
                    p.steps.len(),
                    clock_text(p.planned_total())
                );
                if let Some(note) = catalog.shadowing(file) {
                    println!("    note: {note}");
                }
            }
            Err(e) => {
                failed += 1;
                fail_file(&e);
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} file(s) invalid", files.len());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `stillpoint new NAME`: a commented template that validates as it is.
fn new_protocol(name: &str, force: bool) -> ExitCode {
    let mut path = PathBuf::from(name);
    if path.extension().is_none_or(|e| e != "ron") {
        path.set_extension("ron");
    }
    if path.exists() && !force {
        return fail(&format!(
            "{} already exists\n  hint: choose another name, or add --force to replace it",
            path.display()
        ));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_else(|| "My protocol".to_owned());
    let mut title = stem.trim().to_owned();
    if let Some(first) = title.get(..1) {
        title = first.to_uppercase() + &title[1..];
    }
    let text = Protocol::template(&title);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        return fail(&format!("cannot create {}: {e}", parent.display()));
    }
    match std::fs::write(&path, text) {
        Ok(()) => {
            println!(
                "wrote {}: \"{title}\", a template that validates as it is.\n\
                 Edit it, check it with `stillpoint validate {}`, and put it in ./sessions, \
                 ~/.config/stillpoint/sessions or a folder in STILLPOINT_SESSIONS to list it.",
                path.display(),
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
    }
}

/// `stillpoint config [--init [--force]]`.
fn config_command(init: bool, force: bool) -> ExitCode {
    let Some(path) = crate::settings::path() else {
        return fail("no home folder for the settings file; set STILLPOINT_CONFIG to a file");
    };
    if init {
        if path.exists() && !force {
            return fail(&format!(
                "{} already exists\n  hint: add --force to replace it with the commented \
                 template",
                path.display()
            ));
        }
        if let Some(dir) = path.parent()
            && let Err(e) = crate::files::create_private_dir(dir)
        {
            return fail(&format!("cannot create {}: {e}", dir.display()));
        }
        return match std::fs::write(&path, crate::settings::TEMPLATE) {
            Ok(()) => {
                println!(
                    "wrote {}: every setting is there, commented out; remove the // in \
                     front of one to use it.",
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
        };
    }
    if !path.exists() {
        println!(
            "{}: no settings file, so the defaults apply.\n  `stillpoint config --init` writes a \
             commented one.",
            path.display()
        );
        return ExitCode::SUCCESS;
    }
    match crate::settings::load(Some(&path)) {
        Ok(_) => {
            println!("ok: {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail_file(&e),
    }
}

fn render(soundscape: Option<&str>, cue: Option<&str>, seconds: u32, out: &Path) -> ExitCode {
    use crate::audio::Cue;
    use crate::audio::bell::{Bell, SAMPLE_RATE};
    use crate::audio::mix::{MAX_VOLUME, Mix};
    use rodio::Source;
    let result = match (soundscape, cue) {
        (Some(name), _) => {
            let Some(scape) = Scape::from_name(name) else {
                return fail(&format!(
                    "unknown soundscape \"{name}\"\n  hint: use surf, drone or rain"
                ));
            };
            let mix = Mix::new(Some(scape), MAX_VOLUME, false, None)
                .take_duration(std::time::Duration::from_secs(u64::from(seconds)));
            rodio::wav_to_file(mix, out)
        }
        (None, Some(name)) => {
            let cue = match name {
                "session-start" => Cue::SessionStart,
                "ending-soon" => Cue::EndingSoon,
                "next-step" => Cue::NextStep,
                "overtime" => Cue::Overtime,
                "overtime-reminder" => Cue::OvertimeReminder,
                "session-complete" => Cue::SessionComplete,
                other => {
                    return fail(&format!(
                        "unknown cue \"{other}\"\n  hint: use session-start, ending-soon, \
                         next-step, overtime, overtime-reminder or session-complete"
                    ));
                }
            };
            rodio::wav_to_file(Bell::new(cue, SAMPLE_RATE), out)
        }
        (None, None) => return fail("name a --soundscape or a --cue to render"),
    };
    match result {
        Ok(()) => {
            println!("wrote {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write {}: {e}", out.display())),
    }
}

/// The background sound: `--soundscape` (a name, a file or `none`), else the
/// protocol's own, else the settings' default, else none. Files are checked
/// to decode.
fn choose_bed(
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

fn devices() -> ExitCode {
    // Enumerating wakes ALSA, which prints about missing cards on stderr.
    let log = crate::files::data_dir().map(|d| d.join("stderr.log"));
    let quiet = log.as_deref().and_then(crate::tui::terminal::quiet_stderr);
    let found = crate::audio::output_devices();
    drop(quiet);
    if found.is_empty() {
        println!("no sound output devices found; sessions will run silent");
    }
    for (name, is_default) in found {
        println!("{} {name}", if is_default { "*" } else { " " });
    }
    ExitCode::SUCCESS
}

fn latency(cues: u32) -> ExitCode {
    use crate::audio::latency::{Kind, measure};
    let log = crate::files::data_dir().map(|d| d.join("stderr.log"));
    let quiet = log.as_deref().and_then(crate::tui::terminal::quiet_stderr);
    let result = measure(cues, |kind, i, ms| {
        let what = match kind {
            Kind::AfterSilence => "after silence",
            Kind::WhileRinging => "while ringing",
        };
        match ms {
            Some(ms) => println!("cue {:>2} {what:<14} {ms:>6.1} ms", i + 1),
            None => println!("cue {:>2} {what:<14}  never reached the output", i + 1),
        }
    });
    drop(quiet);
    match result {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(&message),
    }
}

/// Runs `f` on the folder of session records, reporting its error.
fn with_sessions(data_dir: Option<&Path>, f: impl FnOnce(&Path) -> Result<(), String>) -> ExitCode {
    let data = match settings().and_then(|s| data_folder(data_dir, &s)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    match f(&data.join("sessions")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}
