//! The commands that read the records: `history`, `show`, `export` and
//! `practice --stats`.

use super::{data_folder, fail, settings};

use std::path::Path;
use std::process::ExitCode;

/// Runs `f` on the folder of session records, reporting its error.
pub(super) fn with_sessions(
    data_dir: Option<&Path>,
    f: impl FnOnce(&Path) -> Result<(), String>,
) -> ExitCode {
    let data = match settings().and_then(|s| data_folder(data_dir, &s)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    match f(&data.join("sessions")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}
