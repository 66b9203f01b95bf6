//! stillpoint: a calm terminal companion for craniosacral therapy sessions.
//!
//! The library holds all logic; `main.rs` only parses arguments and calls in.

pub mod audio;
pub mod bodymap;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod forms;
pub mod history;
pub mod journal;
pub mod paths;
pub mod picker;
pub mod practice;
pub mod prefs;
pub mod protocol;
pub mod record;
pub mod report;
pub mod resume;
pub mod shell;
pub mod terminal;
pub mod theme;
pub mod ui;
