//! Every integration test, in one binary: the library is linked once, not
//! once per file, which shortens a clean `cargo test` (see the README's
//! figures). Each module is one area; `support` holds the helpers that run
//! the real binary in tmux and a private PulseAudio server.

mod app;
mod awake;
mod bodymap;
mod care;
mod care_amend;
mod care_backup;
mod care_vault;
mod care_verify;
mod cli;
mod dashboard;
mod diagnostics;
mod e2e;
mod forms;
mod history;
mod integrity;
mod pedal;
mod practice;
mod protocol_files;
mod reference;
mod rehearsal;
mod resume;
mod sound_beds;
mod sound_server;
mod support;
mod text_width;
#[cfg(unix)]
mod trust;
mod wide_text;
