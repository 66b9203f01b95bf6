//! The commands that care for the records over their life: `forget`,
//! `purge`, `amend`, `verify`, `backup`, `restore` and `vault`. Each shows
//! what it will do and asks before it erases anything; `--confirm` and
//! `--yes` answer for scripts and tests, and still need the reference (or
//! the session's id) typed out.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{data_folder, fail, fail_with, settings};
use crate::care::CareError;
use crate::care::erasure::Plan;
use crate::settings::{Retention, Settings};

/// `stillpoint forget`.
#[derive(Debug, Args)]
pub(super) struct ForgetArgs {
    /// The session to erase: an id from `stillpoint history`, or a unique
    /// start of one.
    #[arg(conflicts_with = "client", required_unless_present = "client")]
    session: Option<String>,
    /// Erase every record, index line and preference that names this
    /// client reference (case and surrounding spaces aside).
    #[arg(long, value_name = "REF")]
    client: Option<String>,
    /// Answer the question without being asked, for scripts and tests: the
    /// client reference again (or the session's id).
    #[arg(long, value_name = "REF")]
    confirm: Option<String>,
}

/// `stillpoint purge`.
#[derive(Debug, Args)]
pub(super) struct PurgeArgs {
    /// Erase the sessions older than this: years, months, weeks or days
    /// (`7y`, `18months`). Default: the `retention` setting.
    #[arg(long, value_name = "PERIOD", value_parser = Retention::parse)]
    older_than: Option<Retention>,
    /// List what would be erased, and erase nothing.
    #[arg(long)]
    dry_run: bool,
    /// Erase without asking (for scripts).
    #[arg(long, conflicts_with = "dry_run")]
    yes: bool,
}

/// `stillpoint amend`.
#[derive(Debug, Args)]
pub(super) struct AmendArgs {
    /// The finished session to add to (an id from `history`, or a unique
    /// start of one).
    session: String,
    /// What the addendum says (asked for when not given).
    #[arg(long)]
    text: Option<String>,
    /// Who signs it off: your name or initials (asked for when not given).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Corrects pain at the consultation (0–10).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=10))]
    pain_before: Option<u8>,
    /// Corrects pain at the closing questions (0–10).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=10))]
    pain_after: Option<u8>,
    /// Corrects stress at the consultation (0–10).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=10))]
    stress_before: Option<u8>,
    /// Corrects stress at the closing questions (0–10).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=10))]
    stress_after: Option<u8>,
}

/// `stillpoint verify`.
#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// One session (an id from `history`, or a unique start of one).
    #[arg(conflicts_with = "all")]
    session: Option<String>,
    /// Every record (the default).
    #[arg(long)]
    all: bool,
}

/// `stillpoint vault`.
#[derive(Debug, Subcommand)]
pub(super) enum VaultCommand {
    /// Make the vault: asks for a passphrase twice, then seals every record,
    /// the index and the preferences, and everything written after.
    Init,
    /// Change the passphrase (the records are not rewritten).
    Passwd,
    /// Seal records written in the clear since (one that was being written
    /// while the vault was made).
    Seal,
    /// Whether the records are sealed, and by which vault.
    Status,
    /// Keep the data key in the system keyring (`on`), so this machine
    /// need not ask for the passphrase, or take it out (`off`). Needs a
    /// stillpoint built with the `keyring` feature.
    Keyring {
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        switch: String,
    },
}

/// The commands that care for the records.
#[derive(Debug, Subcommand)]
pub(super) enum CareCommand {
    /// Erase a client's records — every record, index line and preference
    /// that names them — or one session's, and print a receipt.
    Forget(ForgetArgs),
    /// Erase the sessions older than the retention period (--older-than,
    /// or the `retention` setting); --dry-run lists them.
    Purge(PurgeArgs),
    /// Add a dated, signed-off addendum (text, corrected ratings) to a
    /// finished record; nothing already written is changed.
    Amend(AmendArgs),
    /// Check that records are as they were written. Exit 0: intact; 3: a
    /// torn tail, nothing altered; 4: altered, damaged or lines removed;
    /// 1: something could not be checked.
    Verify(VerifyArgs),
    /// Write the data folder to one file (tar + zstd, sealed when the vault
    /// is on), consistent while a session runs.
    Backup {
        /// The file to write (created 0600).
        out: PathBuf,
        /// Replace a file that exists.
        #[arg(long)]
        force: bool,
    },
    /// Put a backup back: checked whole first; never overwrites a newer
    /// record; says what it added.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Encryption of the records at rest: init, passwd, seal, status.
    #[command(subcommand)]
    Vault(VaultCommand),
}

/// Runs one of these commands.
pub(super) fn run(command: CareCommand, data_dir: Option<&Path>) -> ExitCode {
    use CareCommand as C;
    match command {
        C::Forget(args) => forget(data_dir, &args),
        C::Purge(args) => purge(data_dir, &args),
        C::Amend(args) => amend(data_dir, &args),
        C::Verify(args) => verify(data_dir, &args),
        C::Backup { out, force } => backup(data_dir, &out, force),
        C::Restore { file } => restore(data_dir, &file),
        C::Vault(command) => vault(data_dir, &command),
    }
}

/// Runs `f` on the data folder and the settings, reporting its error.
fn with_data(
    data_dir: Option<&Path>,
    f: impl FnOnce(&Path, &Settings) -> Result<ExitCode, CareError>,
) -> ExitCode {
    let settings = match settings() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let data = match data_folder(data_dir, &settings) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Err(e) = crate::files::check_records_folder(&data) {
        return fail_with(&e);
    }
    match f(&data, &settings) {
        Ok(code) => code,
        Err(e) => fail_with(&e),
    }
}

/// A line typed on standard input after `prompt` (on standard error).
fn ask(prompt: &str) -> Result<String, CareError> {
    eprint!("{prompt}");
    let _ = io::stderr().flush();
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|source| CareError::File {
            what: "read",
            path: PathBuf::from("standard input"),
            source,
        })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// The plan, as the practitioner reads it before saying yes.
fn show_plan(plan: &Plan, what: &str) {
    let mut out = String::new();
    let n = plan.records.len();
    out.push_str(&format!(
        "To be erased: {n} session record{} {what}",
        if n == 1 { "" } else { "s" }
    ));
    let mut dates: Vec<_> = plan.records.iter().filter_map(|d| d.date).collect();
    dates.sort();
    if let (Some(a), Some(b)) = (dates.first(), dates.last()) {
        out.push_str(&format!(", dated {a} to {b}"));
    }
    out.push_str(":\n");
    for d in &plan.records {
        out.push_str(&format!("  {}\n", crate::text::sanitize_line(&d.id)));
    }
    out.push_str(&format!(
        "  and {} line(s) of the history index\n",
        plan.index_lines
    ));
    for f in &plan.other_files {
        out.push_str(&format!("  and {}\n", f.display()));
    }
    let list = |ids: &[String]| {
        ids.iter()
            .map(|i| crate::text::sanitize_line(i).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !plan.mentions.is_empty() {
        out.push_str(&format!(
            "Kept: {} other record(s) mention the reference in their text: {} \
             (`stillpoint show ID`; `stillpoint forget ID` erases one)\n",
            plan.mentions.len(),
            list(&plan.mentions)
        ));
    }
    if !plan.unreadable.is_empty() {
        out.push_str(&format!(
            "Not checked: {} record(s) could not be read: {}\n",
            plan.unreadable.len(),
            list(&plan.unreadable)
        ));
    }
    if !plan.undated.is_empty() {
        out.push_str(&format!(
            "Kept: {} record(s) with no date: {}\n",
            plan.undated.len(),
            list(&plan.undated)
        ));
    }
    out.push_str(
        "Copies in backups and exports made before are not reached: erase or destroy those \
         separately.\n",
    );
    eprint!("{out}");
}

/// Whether the plan erases anything at all.
fn empty(plan: &Plan) -> bool {
    plan.records.is_empty() && plan.index_lines == 0 && plan.other_files.is_empty()
}

/// Asks for `expected` typed again (or takes `--confirm`), then erases.
fn confirm_and_erase(
    plan: &Plan,
    confirm: Option<&str>,
    question: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<ExitCode, CareError> {
    let typed = match confirm {
        Some(c) => c.to_owned(),
        None if io::stdin().is_terminal() => ask(question)?,
        None => {
            return Err(CareError::NotConfirmed);
        }
    };
    if !matches(&typed) {
        return Err(CareError::NotConfirmed);
    }
    let receipt = crate::care::erasure::carry_out(plan, &crate::clock::wall_now())?;
    print!("{}", receipt.text());
    Ok(ExitCode::SUCCESS)
}

/// `stillpoint forget --client REF` or `forget SESSION`.
fn forget(data_dir: Option<&Path>, args: &ForgetArgs) -> ExitCode {
    with_data(data_dir, |data, _| {
        let (plan, what) = match (&args.client, &args.session) {
            (Some(client), _) => (
                crate::care::erasure::plan_client(data, client)?,
                "of this client",
            ),
            (None, Some(session)) => (
                crate::care::erasure::plan_session(data, session)?,
                "(this session)",
            ),
            (None, None) => return Ok(fail("name a session or give --client REF")),
        };
        if empty(&plan) {
            println!("Nothing to erase: no record, index line or preference names that client.");
            return Ok(ExitCode::SUCCESS);
        }
        show_plan(&plan, what);
        match (&args.client, plan.records.first()) {
            (Some(client), _) => confirm_and_erase(
                &plan,
                args.confirm.as_deref(),
                "Type the client reference again to erase all of this (anything else keeps it): ",
                |typed| crate::care::same_client(typed, client),
            ),
            (None, Some(record)) => {
                let id = record.id.clone();
                let given = args.session.clone().unwrap_or_default();
                confirm_and_erase(
                    &plan,
                    args.confirm.as_deref(),
                    "Type the session's id to erase it (anything else keeps it): ",
                    |typed| typed.trim() == id || typed.trim() == given.trim(),
                )
            }
            (None, None) => Ok(ExitCode::SUCCESS),
        }
    })
}

/// `stillpoint purge`.
fn purge(data_dir: Option<&Path>, args: &PurgeArgs) -> ExitCode {
    with_data(data_dir, |data, settings| {
        let period = args
            .older_than
            .clone()
            .or_else(|| settings.config.retention.clone())
            .ok_or_else(|| {
                CareError::Retention("none was given, and the settings set none".into())
            })?;
        let today = crate::clock::wall_now().date();
        let cutoff = period.cutoff(today).ok_or_else(|| {
            CareError::Retention(format!("{} reaches before the calendar", period.text))
        })?;
        let plan = crate::care::erasure::plan_older(data, cutoff, &period.text)?;
        if plan.records.is_empty() {
            println!("Nothing to erase: no session is from before {cutoff}.");
            return Ok(ExitCode::SUCCESS);
        }
        show_plan(
            &plan,
            &format!("from before {cutoff} (kept for {})", period.text),
        );
        if args.dry_run {
            println!("(a dry run: nothing was erased)");
            return Ok(ExitCode::SUCCESS);
        }
        let confirm = args.yes.then_some("yes");
        confirm_and_erase(
            &plan,
            confirm,
            "Type yes to erase them (anything else keeps them): ",
            |t| t.trim().eq_ignore_ascii_case("yes"),
        )
    })
}

/// `stillpoint amend SESSION`.
fn amend(data_dir: Option<&Path>, args: &AmendArgs) -> ExitCode {
    with_data(data_dir, |data, _| {
        let interactive = io::stdin().is_terminal();
        let mut addition = crate::care::amend::Addition {
            text: args.text.clone().unwrap_or_default(),
            by: args.by.clone().unwrap_or_default(),
            corrected: crate::session::record::Corrections {
                pain_before: args.pain_before,
                pain_after: args.pain_after,
                stress_before: args.stress_before,
                stress_after: args.stress_after,
            },
        };
        if interactive {
            // Found before anything is asked, so a wrong id costs no typing.
            crate::care::amend::find_record(data, &args.session)?;
            if args.text.is_none() {
                addition.text = ask("Addendum (one line; Enter ends it): ")?;
            }
            if args.by.is_none() {
                addition.by = ask("Signed off by (your name or initials): ")?;
            }
        }
        let record =
            crate::care::amend::amend(data, &args.session, &addition, &crate::clock::wall_now())?;
        let n = record.report.addenda.len();
        println!(
            "Addendum {n} added to {} (the record before it is unchanged).",
            crate::text::sanitize_line(&record.id)
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `stillpoint verify [SESSION|--all]`.
fn verify(data_dir: Option<&Path>, args: &VerifyArgs) -> ExitCode {
    with_data(data_dir, |data, _| {
        crate::vault::unlock_interactive(data)?;
        let sessions = data.join("sessions");
        let checked = match &args.session {
            Some(s) => {
                let path = crate::care::amend::find_record(data, s)?;
                vec![crate::care::verify::check_one(&sessions, &path)]
            }
            None => {
                crate::care::verify::check_all(&sessions).map_err(|source| CareError::File {
                    what: "read",
                    path: sessions.clone(),
                    source,
                })?
            }
        };
        let mut out = String::new();
        let width = checked.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &checked {
            let id = crate::text::sanitize_line(&c.id);
            out.push_str(&format!("{id:<width$}  {}\n", c.verdict.words()));
        }
        let count = |s: u8| checked.iter().filter(|c| c.verdict.status() == s).count();
        out.push_str(&format!(
            "\n{} record(s): {} intact, {} with a torn tail, {} altered or damaged, {} not checked.\n",
            checked.len(),
            count(0),
            count(3),
            count(4),
            count(1)
        ));
        print!("{out}");
        Ok(ExitCode::from(crate::care::verify::status(&checked)))
    })
}

/// `stillpoint backup OUT`.
fn backup(data_dir: Option<&Path>, out: &Path, force: bool) -> ExitCode {
    with_data(data_dir, |data, _| {
        let made = crate::care::backup::backup(data, out, force, &crate::clock::wall_now())?;
        println!(
            "Backed up {} record(s) to {} ({} bytes, {}).",
            made.records,
            out.display(),
            made.size,
            if made.sealed {
                "sealed by the vault"
            } else {
                "not sealed: the vault is off"
            }
        );
        if !made.cut.is_empty() {
            println!(
                "Taken up to their last whole line (being written, or cut by a crash): {}",
                made.cut.join(", ")
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `stillpoint restore FILE`.
fn restore(data_dir: Option<&Path>, file: &Path) -> ExitCode {
    with_data(data_dir, |data, _| {
        let done = crate::care::restore::restore(data, file)?;
        let mut out = format!(
            "Restored from {}: {} record(s) added, {} brought up to date, {} already here.\n",
            file.display(),
            done.added.len(),
            done.updated.len(),
            done.already
        );
        let list = |label: &str, ids: &[String], out: &mut String| {
            if !ids.is_empty() {
                out.push_str(&format!("{label}: {}\n", ids.join(", ")));
            }
        };
        list("Added", &done.added, &mut out);
        list("Brought up to date", &done.updated, &mut out);
        list(
            "Kept (newer here than in the backup)",
            &done.newer,
            &mut out,
        );
        list(
            "Kept (different here; not overwritten)",
            &done.differ,
            &mut out,
        );
        out.push_str("`stillpoint verify --all` checks every record's chain.\n");
        if done.vault {
            out.push_str("The vault was put back: its passphrase opens these records.\n");
        }
        print!("{out}");
        Ok(ExitCode::SUCCESS)
    })
}

/// `stillpoint vault …`.
fn vault(data_dir: Option<&Path>, command: &VaultCommand) -> ExitCode {
    with_data(data_dir, |data, _| match command {
        VaultCommand::Init => vault_init(data),
        VaultCommand::Passwd => {
            let (old, _) = crate::vault::ask::passphrase("Current passphrase: ")?;
            // Checked before a new one is asked for.
            crate::vault::open(data, &old)?;
            let new = crate::vault::ask::new_passphrase(crate::vault::ask::TEST_NEW_PASSPHRASE)?;
            crate::vault::change_passphrase(data, &old, &new)?;
            println!(
                "The passphrase is changed; no record was rewritten. Backups made before open \
                 with the old one."
            );
            Ok(ExitCode::SUCCESS)
        }
        VaultCommand::Seal => {
            let key = crate::vault::unlock_interactive(data)?.ok_or_else(|| {
                CareError::Vault(crate::vault::VaultError::NotOn {
                    data: data.to_owned(),
                })
            })?;
            report_sealed(&crate::care::sealing::seal_folder(data, &key)?);
            Ok(ExitCode::SUCCESS)
        }
        VaultCommand::Keyring { switch } => {
            let on = switch == "on";
            let changed = crate::vault::keyring_switch(data, on)?;
            println!(
                "{}",
                match (on, changed) {
                    (true, _) =>
                        "The data key is in the system keyring: this machine opens the \
                                  records without the passphrase while you are logged in.",
                    (false, true) => "The data key is out of the system keyring.",
                    (false, false) => "The system keyring held no key for this vault.",
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        VaultCommand::Status => {
            match crate::vault::info(data)? {
                Some(info) => println!(
                    "The records in {} are sealed by vault {} (Argon2id, {} MiB, {} passes).",
                    data.display(),
                    info.id,
                    info.cost.memory_kib / 1024,
                    info.cost.passes
                ),
                None => println!(
                    "The records in {} are not sealed: the vault is off.",
                    data.display()
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    })
}

/// `stillpoint vault init`.
fn vault_init(data: &Path) -> Result<ExitCode, CareError> {
    crate::files::ready_for_records(data).map_err(|e| CareError::File {
        what: "write",
        path: data.to_owned(),
        source: io::Error::other(crate::hint::chain(&e)),
    })?;
    if crate::vault::is_on(data) {
        return Err(CareError::Vault(crate::vault::VaultError::Exists {
            data: data.to_owned(),
        }));
    }
    eprintln!(
        "The passphrase opens the records on this machine and in every backup. It cannot be \
         recovered: without it, the records are lost."
    );
    let passphrase = crate::vault::ask::new_passphrase(crate::vault::ask::TEST_PASSPHRASE)?;
    let key = crate::vault::create(data, &passphrase, crate::vault::Cost::STANDARD)?;
    println!(
        "The vault is made ({}).",
        crate::vault::file(data).display()
    );
    report_sealed(&crate::care::sealing::seal_folder(data, &key)?);
    Ok(ExitCode::SUCCESS)
}

fn report_sealed(done: &crate::care::sealing::Sealed) {
    println!(
        "Sealed {} record(s) ({} were already){}{}.",
        done.records,
        done.already,
        if done.index { ", the index" } else { "" },
        if done.prefs { ", the preferences" } else { "" }
    );
    if !done.in_use.is_empty() {
        println!(
            "In use by a running session, left for now: {} (`stillpoint vault seal` after it ends).",
            done.in_use.join(", ")
        );
    }
}
