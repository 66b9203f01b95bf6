//! `stillpoint history`, `show` and `export`: reading the journals in the
//! data folder back as a table, a chart, one session in full, or CSV,
//! Markdown and JSON.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};

/// Which sessions to include.
#[derive(Debug, Clone, Default, Args)]
pub struct Filter {
    /// Only this client's sessions.
    #[arg(long, value_name = "REF")]
    pub client: Option<String>,
    /// Only sessions on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<jiff::civil::Date>,
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One row per session, for spreadsheets.
    Csv,
    /// A readable session note per session.
    Md,
    /// Every session in full, as one JSON document.
    Json,
}

/// `stillpoint history`: the sessions in `sessions_dir` as a table; with a
/// client, their pain and stress across sessions as a chart too.
pub fn history(sessions_dir: &Path, filter: &Filter, out: &mut dyn Write) -> Result<(), String> {
    let _ = (sessions_dir, filter, out);
    Err("not built yet".into())
}

/// `stillpoint show SESSION`: one session in full. `session` is an id (a
/// journal's file stem, or a unique prefix of one) or a path.
pub fn show(sessions_dir: &Path, session: &str, out: &mut dyn Write) -> Result<(), String> {
    let _ = (sessions_dir, session, out);
    Err("not built yet".into())
}

/// `stillpoint export`: the sessions in `format`.
pub fn export(
    sessions_dir: &Path,
    filter: &Filter,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), String> {
    let _ = (sessions_dir, filter, format, out);
    Err("not built yet".into())
}
