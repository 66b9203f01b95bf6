//! stillpoint: a calm terminal companion for craniosacral therapy sessions.
//!
//! The library holds all logic; `main.rs` only parses arguments and calls in.
//! The modules, lowest first (each uses only those above it; `cli` uses all):
//!
//! - [`clock`], [`text`], [`files`], [`hint`]: time, text for the screen,
//!   where files live and how they are read, errors worded for people.
//! - [`vault`]: the records' encryption at rest, and the passphrase.
//! - [`protocol`]: the protocol format, finding protocols, and diagnostics.
//! - [`audio`]: the cues and soundscapes, and the device that plays them.
//! - [`settings`]: the settings file, key bindings and remembered preferences.
//! - [`session`]: the engine, the journal and the record it writes, resume.
//! - [`history`]: records read back: history, show, export, practice hours.
//! - [`awake`]: keeping the laptop from sleeping while a session runs.
//! - [`care`]: records over their life: erase, purge, amend, verify, back up.
//! - [`tui`]: the terminal screens and the loop that runs a session.
//! - [`cli`]: the command line.

pub mod audio;
pub mod awake;
pub mod care;
pub mod cli;
pub mod clock;
pub mod files;
pub mod hint;
pub mod history;
pub mod platform;
pub mod protocol;
pub mod session;
pub mod settings;
pub mod text;
pub mod tui;
pub mod vault;
