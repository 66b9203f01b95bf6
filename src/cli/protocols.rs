//! `stillpoint list`, `validate` and `new`: the protocols found, checked,
//! and a template to start a new one from.

use super::{fail, fail_file};

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::protocol::Protocol;
use crate::protocol::catalog::{Catalog, SearchPath};
use crate::text::clock_text;
use crate::text::truncate;

pub(super) fn list(catalog: &Catalog) -> ExitCode {
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

pub(super) fn validate(files: &[PathBuf], search: &SearchPath) -> ExitCode {
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
pub(super) fn new_protocol(name: &str, force: bool) -> ExitCode {
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
