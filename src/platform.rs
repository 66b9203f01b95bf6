//! What differs between operating systems, one small module per concern,
//! each with a Unix side (Linux and macOS) and a Windows side behind the
//! same functions, so the rest of the program never names an operating
//! system.
//!
//! - [`clock`]: the clock that keeps counting while the laptop sleeps.
//! - [`terminal`]: waiting for terminal input, a signal, or a terminal that
//!   has gone away.
//! - [`signals`]: the requests to end a session (signals on Unix, console
//!   control events on Windows) and the wake-up they send to the wait.
//! - [`lock`]: the lock that keeps two running copies off one record.
//! - [`files`]: files and folders only their owner can read.
//! - [`stderr`]: standard error sent to a log while the dashboard is up.
//! - [`memory`]: giving freed memory back after reading a long protocol.
//!
//! Linux is the system stillpoint is built and tested on; Windows is checked
//! in CI and its command-line tools are run under wine; macOS is
//! type-checked only. Each module says what it chose per system and why.

pub mod clock;
pub mod files;
pub mod lock;
pub mod memory;
pub mod signals;
pub mod stderr;
pub mod terminal;
