//! The session core: the pure [`engine`] that steps through a protocol, the
//! [`journal`] that writes every event to disk as it happens, the [`record`]
//! vocabulary of its lines, the [`report`] (the read model) worked out from
//! them, the [`folder`] of records and finding one by id, and [`resume`],
//! which takes a session that was cut off up again.

pub mod engine;
pub mod folder;
pub mod journal;
pub mod record;
pub mod report;
pub mod resume;
