//! `stillpoint list`, `validate` and `new`: the protocols found, checked,
//! and a template to start a new one from.

use super::{fail, fail_file};

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::protocol::Protocol;
use crate::protocol::catalog::{Catalog, SearchPath};
use crate::text::{clock_text, fit, pad, pad_left, sanitize_line, truncate};

/// The NAME column is as wide as the longest stem, within these bounds.
const STEM_COLUMN: (usize, usize) = (18, 30);
/// The PROTOCOL column.
const NAME_COLUMN: usize = 34;

/// A path as a line of output shows it: sanitized (a file name can hold
/// an escape sequence too).
fn shown_path(path: &Path) -> String {
    sanitize_line(&path.to_string_lossy()).into_owned()
}

/// Says once, on stderr, which folders named in `STILLPOINT_SESSIONS` are
/// not there: a note, not an error, as the other folders still count.
fn note_missing_folders(search: &SearchPath) {
    for note in search.notes() {
        eprintln!("note: {note}");
    }
}

pub(super) fn list(catalog: &Catalog) -> ExitCode {
    // The catalog was found along the same path.
    note_missing_folders(&SearchPath::from_env());
    let stem_w = catalog
        .found
        .iter()
        .map(|f| crate::text::width(&sanitize_line(&f.stem)))
        .max()
        .unwrap_or(0)
        .clamp(STEM_COLUMN.0, STEM_COLUMN.1);
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "{} {} {} {}  source",
        pad("NAME", stem_w),
        pad("PROTOCOL", NAME_COLUMN),
        pad_left("STEPS", 5),
        pad_left("TOTAL", 8)
    );
    for found in &catalog.found {
        let stem = fit(&sanitize_line(&found.stem), stem_w);
        let origin = sanitize_line(&found.origin.to_string()).into_owned();
        let line = match &found.protocol {
            Ok(p) => format!(
                "{stem} {} {} {}  {origin}",
                fit(&sanitize_line(p.name.as_str()), NAME_COLUMN),
                pad_left(&p.steps.len().to_string(), 5),
                pad_left(&clock_text(p.planned_total()), 8),
            ),
            Err(e) => format!(
                "{stem} {} {} {}  {origin}\n    {}\n      hint: {}",
                pad("(invalid)", NAME_COLUMN),
                pad_left("-", 5),
                pad_left("-", 8),
                e.headline(),
                e.hint
            ),
        };
        let _ = writeln!(out, "{line}");
        for shadowed in &found.shadows {
            let shadowed = sanitize_line(&shadowed.to_string()).into_owned();
            let _ = writeln!(out, "{} shadows {shadowed}", pad("", stem_w));
        }
    }
    ExitCode::SUCCESS
}

pub(super) fn validate(files: &[PathBuf], search: &SearchPath) -> ExitCode {
    note_missing_folders(search);
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
                .map(|f| shown_path(f))
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
                    shown_path(file),
                    truncate(&sanitize_line(p.name.as_str()), 60),
                    p.steps.len(),
                    clock_text(p.planned_total())
                );
                if let Some(note) = catalog.shadowing(file) {
                    println!("    note: {}", sanitize_line(&note));
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
