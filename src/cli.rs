//! The command line: `run`, `list`, `validate`, and the picker when no command
//! is given. Everything that can fail because of the user's input is checked
//! here, before the terminal is taken over, and reported on stderr.

use std::io::{self};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::history::{Filter, Format};
use crate::protocol::catalog::{Catalog, SearchPath};
use crate::settings::Settings;
use crate::settings::ThemeName;
use crate::tui::theme::Theme;

mod audio;
mod care;
mod completions;
mod config;
mod protocols;
mod records;
mod session;

use audio::{devices, latency, render};
use completions::{CompletionsArgs, completions};
use config::config_command;
use protocols::{list, new_protocol, validate};
use session::{launch, resume_command, with_setup};

/// A calm terminal companion for craniosacral therapy sessions: it steps
/// through a protocol of holds, sounds soft cues and keeps a session log.
/// It keeps time and records; it does not diagnose or treat.
#[derive(Debug, Parser)]
#[command(
    name = "stillpoint",
    version,
    disable_help_subcommand = true,
    after_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Where session records are kept (default: STILLPOINT_DATA, else the
    /// XDG data folder, ~/.local/share/stillpoint).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Options for a session (`run`, `practice`, `resume`, or the picker):
    /// given before or after the command, they mean the same.
    #[command(flatten)]
    run: RunOptions,
}

/// The exit statuses, as `--help` and the README list them.
const EXIT_STATUS: &str = "Exit status: 0 done; 1 an error (a file, the terminal, the disk: \
the message says which); 2 the command line was not understood; 128 + N ended by signal N \
(130 Ctrl-C, 143 SIGTERM, 129 the terminal went away). `stillpoint help COMMAND` is \
`stillpoint COMMAND --help`.";

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
    },
    /// Help on a command (the same as `stillpoint COMMAND --help`).
    Help {
        /// The command.
        command: Option<String>,
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
    /// Show the settings in effect and where each came from (the settings
    /// file is checked); `--init` writes a commented one.
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
        /// With --client, put rehearsals (sessions run with --speed) in the
        /// chart too; they are left out by default.
        #[arg(long)]
        rehearsals: bool,
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
        /// Write to this file instead of standard output (created 0600;
        /// an existing file is replaced only with --force).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// With --output, replace a file that exists.
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell), or
    /// with --man-dir write the manual pages.
    Completions(CompletionsArgs),
    /// forget, purge, amend, verify, backup, restore and vault: the records
    /// over their life (see `cli/care.rs`).
    #[command(flatten)]
    Care(care::CareCommand),
}

#[derive(Debug, Subcommand)]
enum AudioCommand {
    /// Write what would be played to a WAV file, without a sound device:
    /// a soundscape (`--soundscape surf`, with its fade-in) or a cue.
    Render {
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
        /// Also measure this many foreseen cues: each placed ahead of time in
        /// the long-buffered soundscape stream, against the same cue on a
        /// short stream of its own (Linux, with a PulseAudio or PipeWire server).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100))]
        foreseen: u32,
    },
}

#[derive(Debug, Args)]
struct PracticeArgs {
    /// A protocol name (see `stillpoint list`) or a path to a .ron file;
    /// with --stats, only that protocol's practice.
    protocol: Option<String>,
    /// Show the practice recorded: hours per technique and per protocol.
    #[arg(long)]
    stats: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// A protocol name (see `stillpoint list`) or a path to a .ron file.
    protocol: Option<String>,
    /// A client reference (a pseudonym or initials) shown and logged.
    #[arg(long, value_name = "REF")]
    client: Option<String>,
}

/// A session's options: global, so `stillpoint --speed 10 practice` and
/// `stillpoint practice --speed 10` are the same; other commands refuse them.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Session options (for run, practice, resume, or no command)")]
struct RunOptions {
    /// Run the clock N times faster, to rehearse a protocol (0.1 to 1000;
    /// the record is marked as a rehearsal).
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 1.0,
        value_parser = parse_speed,
        allow_negative_numbers = true
    )]
    speed: f64,
    /// Do not open a sound device.
    #[arg(long, global = true)]
    no_audio: bool,
    /// Colours: dim (for a darkened room; the default), day, high-contrast,
    /// or plain. NO_COLOR is honoured.
    #[arg(long, global = true, value_enum)]
    theme: Option<ThemeName>,
    /// The background sound: surf, drone, rain, none, or a WAV/FLAC/Ogg/MP3
    /// file (default: the protocol's own, else none).
    #[arg(long, global = true, value_name = "NAME")]
    soundscape: Option<String>,
    /// Send the cues to this output (see `stillpoint audio devices`), e.g. an
    /// earbud for the therapist, while the soundscape plays on the default one.
    #[arg(long, global = true, value_name = "NAME")]
    cue_device: Option<String>,
    /// A client reference (a pseudonym or initials) shown and logged (for
    /// the picker; `run` takes its own, as `history` and `export` take a
    /// client to filter by).
    #[arg(long, value_name = "REF")]
    client: Option<String>,
    /// Let the computer sleep and the screen blank as usual; by default both
    /// are held off while a session runs, as the status line shows.
    #[arg(long, global = true)]
    allow_sleep: bool,
    /// Panic right after the first frame (for the end-to-end test that checks
    /// the terminal is restored on a panic).
    #[arg(long, global = true, hide = true)]
    panic_for_test: bool,
}

impl RunOptions {
    /// The first session option given, if any (for commands that take none).
    fn first_given(&self) -> Option<&'static str> {
        [
            (self.speed != 1.0, "--speed"),
            (self.no_audio, "--no-audio"),
            (self.theme.is_some(), "--theme"),
            (self.soundscape.is_some(), "--soundscape"),
            (self.cue_device.is_some(), "--cue-device"),
            (self.client.is_some(), "--client"),
            (self.allow_sleep, "--allow-sleep"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
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
        Err(format!(
            "{s} is out of range: a speed is from 0.1 (ten times slower) to 1000"
        ))
    }
}

/// A usage error, printed the way clap prints its own, with status 2.
fn usage_error(message: &str) -> ! {
    use clap::CommandFactory;
    Cli::command()
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let search = SearchPath::from_env();
    let session = matches!(
        cli.command,
        None | Some(Command::Run(_) | Command::Resume { .. })
    ) || matches!(&cli.command, Some(Command::Practice(p)) if !p.stats);
    let renders = matches!(
        &cli.command,
        Some(Command::Audio(AudioCommand::Render { .. }))
    );
    let given = cli
        .run
        .first_given()
        .filter(|flag| !(renders && *flag == "--soundscape"));
    if !session && let Some(flag) = given {
        usage_error(&format!(
            "{flag} is an option of a session: use it with run, practice or resume (or with \
             no command, for the picker)"
        ));
    }
    let Some(command) = cli.command else {
        return with_setup(&cli.run, &cli.data_dir, |s| launch(&search, None, false, s));
    };
    match command {
        Command::Run(args) => {
            let mut options = cli.run.clone();
            options.client = args.client.or(options.client);
            with_setup(&options, &cli.data_dir, |s| {
                launch(&search, args.protocol.as_deref(), false, s)
            })
        }
        Command::Practice(args) if args.stats => {
            records::practice_stats(cli.data_dir.as_deref(), args.protocol.as_deref(), &search)
        }
        Command::Practice(args) => with_setup(&cli.run, &cli.data_dir, |s| {
            launch(&search, args.protocol.as_deref(), true, s)
        }),
        Command::Resume { session } => with_setup(&cli.run, &cli.data_dir, |s| {
            resume_command(session.as_deref(), s)
        }),
        other => {
            // Commands that only print: a reader that stops reading (`| head`)
            // ends them quietly.
            crate::platform::signals::quiet_on_closed_pipe();
            run_tool(
                other,
                cli.data_dir.as_deref(),
                cli.run.soundscape.as_deref(),
                &search,
            )
        }
    }
}

/// The commands that run no session.
fn run_tool(
    command: Command,
    data_dir: Option<&Path>,
    soundscape: Option<&str>,
    search: &SearchPath,
) -> ExitCode {
    match command {
        Command::List => list(&Catalog::discover(search)),
        Command::Validate { files } => validate(&files, search),
        Command::New { name, force } => new_protocol(&name, force),
        Command::Config { init, force } => config_command(init, force, data_dir, search),
        Command::Audio(AudioCommand::Render { cue, seconds, out }) => {
            render(soundscape, cue.as_deref(), seconds, &out)
        }
        Command::Audio(AudioCommand::Devices) => devices(),
        Command::Audio(AudioCommand::Latency { cues, foreseen }) => latency(cues, foreseen),
        Command::History {
            mut filter,
            rehearsals,
        } => {
            filter.rehearsals = rehearsals;
            records::history(data_dir, &filter)
        }
        Command::Show { session } => records::show(data_dir, &session),
        Command::Export {
            format,
            filter,
            output,
            force,
        } => records::export(data_dir, &filter, format, output.as_ref(), force),
        Command::Completions(args) => completions(&args),
        Command::Care(command) => care::run(command, data_dir),
        Command::Help { command } => help(command.as_deref()),
        Command::Run(_) | Command::Practice(_) | Command::Resume { .. } => ExitCode::SUCCESS,
    }
}

/// `stillpoint help [COMMAND]`: the same as `--help` on it.
fn help(command: Option<&str>) -> ExitCode {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    let found = match command {
        None => Some(&mut cli),
        Some(name) => cli.find_subcommand_mut(name),
    };
    match found {
        Some(c) => {
            let _ = c.print_long_help();
            ExitCode::SUCCESS
        }
        None => usage_error(&format!(
            "there is no command \"{}\"; `stillpoint --help` lists them",
            command.unwrap_or_default()
        )),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("stillpoint: {message}");
    ExitCode::FAILURE
}

/// Reports an error the way [`fail`] does: the message with its causes,
/// then what to do about it.
fn fail_with(e: &dyn crate::hint::Hint) -> ExitCode {
    fail(&crate::hint::report(e))
}
