//! The terminal user interface: the [`shell`] that runs a session (its loop
//! and its [`events`]), the [`dashboard`] drawn during the holds, the
//! [`forms`] before and after them, the protocol [`picker`], the practice
//! [`bodymap`], the colour [`theme`]s, and the [`terminal`] taken over and
//! always given back.

pub mod bodymap;
pub mod dashboard;
pub mod events;
pub mod forms;
pub mod picker;
pub mod shell;
pub mod terminal;
pub mod theme;

/// The smallest window the screens are drawn in; below it a centred
/// "please enlarge" message is shown instead.
pub const MIN_WIDTH: u16 = 40;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 12;
