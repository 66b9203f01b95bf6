//! `stillpoint completions SHELL`: shell completions, and with `--man-dir`
//! the manual pages, both generated from the command-line definitions so
//! they can never disagree with `--help`. The Debian package ships what
//! these write (`scripts/build-deb.sh`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, fail};

/// What `stillpoint completions` takes.
#[derive(Debug, Args)]
pub(super) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(
        value_enum,
        required_unless_present = "man_dir",
        conflicts_with = "man_dir"
    )]
    shell: Option<Shell>,
    /// Write the manual pages instead (stillpoint.1 and one per command,
    /// e.g. stillpoint-run.1) into this folder, for packagers.
    #[arg(long, value_name = "DIR")]
    man_dir: Option<PathBuf>,
}

/// Prints the completions for a shell on stdout, or writes the manual pages.
pub(super) fn completions(args: &CompletionsArgs) -> ExitCode {
    if let Some(dir) = &args.man_dir {
        return match write_man_pages(dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!(
                "cannot write the manual pages to {}: {e}",
                dir.display()
            )),
        };
    }
    let Some(shell) = args.shell else {
        return fail("name a shell: bash, zsh, fish, elvish or powershell");
    };
    let mut out = io::stdout().lock();
    match write_completions(shell, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("cannot write to standard output: {e}")),
    }
}

/// The completion script for `shell`.
fn write_completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut command = Cli::command();
    // clap_complete panics on a failed write, so render into memory first.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "stillpoint", &mut script);
    out.write_all(&script)
}

/// The manual pages: `stillpoint(1)`, which lists the commands, and a page
/// for each command (`stillpoint-run(1)`, `stillpoint-audio-render(1)`, …).
fn write_man_pages(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        f(&mut buf).expect("write");
        String::from_utf8(buf).expect("utf-8")
    }

    #[test]
    fn every_shell_completes_the_commands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = text(|b| write_completions(shell, b));
            for command in ["run", "practice", "history", "export", "completions"] {
                assert!(script.contains(command), "{shell:?} lacks {command}");
            }
        }
    }

    #[test]
    fn there_is_a_man_page_for_the_program_and_each_command() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_man_pages(dir.path()).expect("write");
        let page = |name: &str| {
            std::fs::read_to_string(dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let top = page("stillpoint.1");
        assert!(top.contains(".TH stillpoint 1"), "{top}");
        assert!(top.contains("craniosacral"));
        assert!(top.contains("stillpoint\\-validate(1)"), "{top}");
        assert!(page("stillpoint-audio-render.1").contains("\\-\\-soundscape"));
        assert!(page("stillpoint-export.1").contains("\\-\\-format"));
    }
}
