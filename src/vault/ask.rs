//! Asking for the passphrase: on the terminal, without echo (rpassword reads
//! the controlling terminal, so it works with standard input redirected),
//! never while the dashboard holds the screen.
//!
//! For tests only, `STILLPOINT_TEST_PASSPHRASE` (and, for a new passphrase,
//! `STILLPOINT_TEST_NEW_PASSPHRASE`) gives the passphrase instead: its value,
//! or `-` for one line of standard input. Each use says so on standard error;
//! there is no silent default, and without the variable a terminal is needed.

use std::io::BufRead;

use zeroize::Zeroizing;

use super::VaultError;

/// The variable tests give the passphrase in (or `-`: one line of standard
/// input).
pub const TEST_PASSPHRASE: &str = "STILLPOINT_TEST_PASSPHRASE";
/// The variable tests give a new passphrase in (`vault init`, `vault passwd`).
pub const TEST_NEW_PASSPHRASE: &str = "STILLPOINT_TEST_NEW_PASSPHRASE";
/// The shortest passphrase a vault takes, in characters.
pub const MIN_LEN: usize = 8;
/// How many times a mistyped passphrase is asked for again.
pub const ATTEMPTS: usize = 3;

/// A passphrase, wiped from memory when dropped.
pub type Passphrase = Zeroizing<String>;

/// Where a passphrase came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    /// Typed on the terminal: a wrong one may be asked for again.
    Terminal,
    /// A test's variable: asked once.
    Test,
}

/// The passphrase from the test variable `var`, when it is set.
fn from_test(var: &str) -> Result<Option<Passphrase>, VaultError> {
    let Some(value) = std::env::var_os(var) else {
        return Ok(None);
    };
    let value = if value == "-" {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(VaultError::Ask)?;
        Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        Zeroizing::new(value.to_string_lossy().into_owned())
    };
    eprintln!("stillpoint: the passphrase is taken from {var}, which is meant for tests only");
    Ok(Some(value))
}

/// Reads a passphrase on the terminal after `prompt`, without echo.
fn from_terminal(prompt: &str) -> Result<Passphrase, VaultError> {
    // The dashboard's raw mode would swallow the answer and the screen.
    if ratatui::crossterm::terminal::is_raw_mode_enabled().unwrap_or(false) {
        return Err(VaultError::NoTerminal {
            why: "the dashboard holds the terminal".to_owned(),
        });
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| VaultError::NoTerminal {
            why: format!("there is no terminal to type it on ({e})"),
        })
}

/// The vault's passphrase: the test variable's, else typed after `prompt`.
pub fn passphrase(prompt: &str) -> Result<(Passphrase, From), VaultError> {
    if let Some(p) = from_test(TEST_PASSPHRASE)? {
        return Ok((p, From::Test));
    }
    from_terminal(prompt).map(|p| (p, From::Terminal))
}

/// A new passphrase: the test variable `var`'s, else typed twice (the two
/// must agree), at least [`MIN_LEN`] characters either way.
pub fn new_passphrase(var: &str) -> Result<Passphrase, VaultError> {
    let chosen = match from_test(var)? {
        Some(p) => p,
        None => {
            let first = from_terminal("New passphrase for the vault: ")?;
            let again = from_terminal("The same passphrase again: ")?;
            if *first != *again {
                return Err(VaultError::Differ);
            }
            first
        }
    };
    let len = chosen.chars().count();
    if len < MIN_LEN {
        return Err(VaultError::TooShort { len });
    }
    Ok(chosen)
}
