//! stillpoint: a calm terminal companion for craniosacral therapy sessions.
//!
//! The library holds all logic; `main.rs` only parses arguments and calls in.

pub mod protocol;
pub mod clock;
pub mod engine;
pub mod journal;
pub mod paths;
pub mod terminal;
pub mod theme;
pub mod ui;
