//! `stillpoint config`: the settings in effect and where each came from;
//! `--init` writes a commented settings file.

use super::{fail, fail_file};

use std::path::Path;
use std::process::ExitCode;

use crate::protocol::catalog::SearchPath;
use crate::settings::{Action, KeyMap, Settings};
use crate::text::{pad, sanitize_line};

/// `stillpoint config [--init [--force]]`; `data_dir` is `--data-dir`.
pub(super) fn config_command(
    init: bool,
    force: bool,
    data_dir: Option<&Path>,
    search: &SearchPath,
) -> ExitCode {
    let Some(path) = crate::settings::path() else {
        return fail("no home folder for the settings file; set STILLPOINT_CONFIG to a file");
    };
    if init {
        return write_template(&path, force);
    }
    let settings = match crate::settings::load(Some(&path)) {
        Ok(s) => s,
        Err(e) => return fail_file(&e),
    };
    print!("{}", report(&path, &settings, data_dir, search));
    ExitCode::SUCCESS
}

/// Writes the commented template to `path` (refusing to replace a file
/// unless `force`).
fn write_template(path: &Path, force: bool) -> ExitCode {
    if path.exists() && !force {
        return fail(&format!(
            "{} already exists\n  hint: add --force to replace it with the commented template",
            path.display()
        ));
    }
    if let Some(dir) = path.parent()
        && let Err(e) = crate::files::create_private_dir(dir)
    {
        return fail(&format!("cannot create {}: {e}", dir.display()));
    }
    match std::fs::write(path, crate::settings::TEMPLATE) {
        Ok(()) => {
            println!(
                "wrote {}: every setting is there, commented out; remove the // in front of \
                 one to use it.",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
    }
}

/// One setting: its name, its value in effect, and where that came from.
struct Row {
    name: &'static str,
    value: String,
    from: String,
}

/// Where a value came from: the settings file when it sets one, else the
/// default described by `default`.
fn from_file<T>(set: Option<&T>, default: &str) -> String {
    if set.is_some() {
        "settings file".to_owned()
    } else {
        default.to_owned()
    }
}

/// The whole report `stillpoint config` prints.
fn report(
    path: &Path,
    settings: &Settings,
    data_dir: Option<&Path>,
    search: &SearchPath,
) -> String {
    let c = &settings.config;
    let named = std::env::var_os("STILLPOINT_CONFIG").is_some_and(|v| !v.is_empty());
    let mut out = format!(
        "settings file  {}\n               {}; {}\n\n",
        path.display(),
        if named {
            "named by STILLPOINT_CONFIG"
        } else {
            "the usual place (STILLPOINT_CONFIG names another)"
        },
        if settings.path.is_some() && path.is_file() {
            "read and valid"
        } else {
            "not there, so every setting is its default (`stillpoint config --init` writes one)"
        }
    );
    let rows = setting_rows(settings, data_dir, search);
    out += &table(&rows);
    out += "\nkeys (the `keys:` entry in the settings file sets them)\n";
    out += &table(&key_rows(&settings.keys, &c.keys));
    out
}

fn setting_rows(settings: &Settings, data_dir: Option<&Path>, search: &SearchPath) -> Vec<Row> {
    use crate::session::engine::{DEFAULT_LEAD, DEFAULT_REMINDER};
    let c = &settings.config;
    let row = |name, value: String, from: String| Row { name, value, from };
    let or = |value: Option<&String>, default: &str| value.cloned().unwrap_or(default.to_owned());
    let secs = |s: Option<&crate::protocol::Span>, d: std::time::Duration| {
        format!("{} s", s.map_or(d, |s| s.get()).as_secs())
    };
    let (folder, folder_from) = data_folder(data_dir, c.data_dir.as_deref());
    let (theme, theme_from) = theme(c.theme);
    vec![
        row("data folder", folder, folder_from.to_owned()),
        row("theme", theme, theme_from.to_owned()),
        row(
            "soundscape",
            or(c.soundscape.as_ref(), "the protocol's own, else none"),
            from_file(c.soundscape.as_ref(), "default"),
        ),
        row(
            "volume",
            c.volume
                .map_or_else(|| "the last one used".to_owned(), |v| format!("{v} of 10")),
            from_file(c.volume.as_ref(), "default"),
        ),
        row(
            "lead",
            format!(
                "{} before a step ends (unless the protocol says)",
                secs(c.lead.as_ref(), DEFAULT_LEAD)
            ),
            from_file(c.lead.as_ref(), "default"),
        ),
        row(
            "reminder",
            format!(
                "every {} in overtime (unless the protocol says)",
                secs(c.reminder.as_ref(), DEFAULT_REMINDER)
            ),
            from_file(c.reminder.as_ref(), "default"),
        ),
        row(
            "cue device",
            or(c.cue_device.as_ref(), "the default output"),
            from_file(c.cue_device.as_ref(), "default"),
        ),
        protocols_row(search),
    ]
}

/// A variable from the environment, if set and not empty.
fn env(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The data folder in effect and what chose it: `--data-dir`, then
/// `STILLPOINT_DATA`, then the settings' `data_dir`, then the default.
fn data_folder(flag: Option<&Path>, configured: Option<&Path>) -> (String, &'static str) {
    match (flag, env("STILLPOINT_DATA"), configured) {
        (Some(flag), _, _) => (flag.display().to_string(), "--data-dir"),
        (None, Some(v), _) => (Path::new(&v).display().to_string(), "STILLPOINT_DATA"),
        (None, None, Some(d)) => (d.display().to_string(), "settings file"),
        (None, None, None) => (
            crate::files::data_dir_or(None, None).map_or_else(
                || "(no home folder)".to_owned(),
                |d| d.display().to_string(),
            ),
            "default (this system's data folder)",
        ),
    }
}

/// The theme in effect and what chose it (`NO_COLOR` wins).
fn theme(configured: Option<crate::settings::ThemeName>) -> (String, &'static str) {
    match (env("NO_COLOR"), configured) {
        (Some(_), _) => ("plain".to_owned(), "NO_COLOR"),
        (None, Some(t)) => (theme_name(t), "settings file"),
        (None, None) => ("dim".to_owned(), "default"),
    }
}

/// Where protocols are looked for, in order.
fn protocols_row(search: &SearchPath) -> Row {
    let folders: Vec<String> = search
        .folders
        .iter()
        .map(|f| {
            if f.is_relative() {
                format!("./{}", f.display())
            } else {
                f.display().to_string()
            }
        })
        .collect();
    Row {
        name: "protocols",
        value: folders.join(", "),
        from: if search.named.is_empty() {
            "built in, then these folders".to_owned()
        } else {
            "built in, these folders (STILLPOINT_SESSIONS adds the last)".to_owned()
        },
    }
}

fn theme_name(t: crate::settings::ThemeName) -> String {
    use clap::ValueEnum;
    t.to_possible_value()
        .map_or_else(|| format!("{t:?}"), |v| v.get_name().to_owned())
}

fn key_rows(keys: &KeyMap, bindings: &crate::settings::Bindings) -> Vec<Row> {
    Action::ALL
        .iter()
        .map(|&a| Row {
            name: a.name(),
            value: keys.label(a),
            from: if bindings.sets(a) {
                "settings file".to_owned()
            } else {
                "default".to_owned()
            },
        })
        .collect()
}

/// Rows as three columns, every value made safe to print.
fn table(rows: &[Row]) -> String {
    let value_width = rows
        .iter()
        .map(|r| crate::text::width(&r.value))
        .max()
        .unwrap_or(0)
        .min(60);
    rows.iter()
        .map(|r| {
            format!(
                "  {} {}  {}\n",
                pad(r.name, 12),
                pad(&sanitize_line(&r.value), value_width),
                r.from
            )
        })
        .collect()
}
