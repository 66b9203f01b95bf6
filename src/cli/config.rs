//! `stillpoint config`: where the settings file is, checked; `--init`
//! writes a commented one.

use super::{fail, fail_file};

use std::process::ExitCode;

/// `stillpoint config [--init [--force]]`.
pub(super) fn config_command(init: bool, force: bool) -> ExitCode {
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
