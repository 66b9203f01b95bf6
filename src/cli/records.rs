//! The commands that read the records: `history`, `show`, `export` and
//! `practice --stats`. With the vault on, each asks for the passphrase
//! first.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{data_folder, fail_with, settings};
use crate::history::{Filter, Format, HistoryError};

/// Runs `f` on the folder of session records, reporting its error.
pub(super) fn with_sessions(
    data_dir: Option<&Path>,
    f: impl FnOnce(&Path) -> Result<(), HistoryError>,
) -> ExitCode {
    let data = match settings().and_then(|s| data_folder(data_dir, &s)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Err(e) = crate::files::check_records_folder(&data) {
        return fail_with(&e);
    }
    // Sealed records are opened with the passphrase, asked once here on
    // the terminal; every reader after finds the key by itself.
    if let Err(e) = crate::vault::unlock_interactive(&data) {
        return fail_with(&e);
    }
    match f(&data.join("sessions")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail_with(&e),
    }
}

/// `stillpoint history`.
pub(super) fn history(data_dir: Option<&Path>, filter: &Filter) -> ExitCode {
    with_sessions(data_dir, |dir| {
        crate::history::history(dir, filter, &mut io::stdout().lock())
    })
}

/// `stillpoint show SESSION`.
pub(super) fn show(data_dir: Option<&Path>, session: &str) -> ExitCode {
    with_sessions(data_dir, |dir| {
        crate::history::show(dir, session, &mut io::stdout().lock())
    })
}

/// `stillpoint export`: to standard output, or to a new private file (an
/// existing one is replaced only with `--force`, never through a link),
/// saying what it wrote.
pub(super) fn export(
    data_dir: Option<&Path>,
    filter: &Filter,
    format: Format,
    output: Option<&PathBuf>,
    force: bool,
) -> ExitCode {
    with_sessions(data_dir, |dir| match output {
        None => crate::history::export(dir, filter, format, &mut io::stdout().lock()),
        Some(path) => {
            let mut file = crate::files::NewFile::create(path, force)?;
            let n = crate::history::export_counted(dir, filter, format, &mut file.file)?;
            file.commit()?;
            let what = match format {
                Format::Csv => "CSV",
                Format::Md => "Markdown",
                Format::Json => "JSON",
            };
            eprintln!(
                "stillpoint: wrote {n} session{} as {what} to {} (readable by you only)",
                if n == 1 { "" } else { "s" },
                path.display()
            );
            Ok(())
        }
    })
}

/// `stillpoint practice --stats [PROTOCOL]`: as wide as the terminal, or 80
/// columns; with a protocol (a name as `list` shows it, or its title),
/// only its practice.
pub(super) fn practice_stats(
    data_dir: Option<&Path>,
    protocol: Option<&str>,
    search: &crate::protocol::catalog::SearchPath,
) -> ExitCode {
    let title = protocol.map(|p| {
        crate::protocol::catalog::Catalog::discover(search)
            .get(p)
            .and_then(|found| found.protocol.as_ref().ok())
            .map_or_else(|| p.to_owned(), |protocol| protocol.name.to_string())
    });
    with_sessions(data_dir, |dir| {
        let stats = crate::history::practice::stats(dir, title.as_deref())?;
        let width = ratatui::crossterm::terminal::size()
            .ok()
            .filter(|_| io::IsTerminal::is_terminal(&io::stdout()))
            .map_or(80, |(w, _)| usize::from(w));
        let mut out = io::stdout().lock();
        match out.write_all(crate::history::practice::text(&stats, width).as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(HistoryError::Write(e)),
            _ => Ok(()),
        }
    })
}
