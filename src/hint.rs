//! Errors worded for the person who has to act on them. Each error type is
//! an enum (thiserror) whose `Display` says what went wrong and whose
//! `source()` chain says why; [`Hint`] adds what to do about it. The command
//! line prints all three: `stillpoint: message: cause` then `  hint: …`.

use std::error::Error;

/// An error that can say what to do about it.
pub trait Hint: Error {
    /// What to do, in one line, if there is something to say.
    fn hint(&self) -> Option<String> {
        None
    }
}

impl Hint for std::io::Error {}

/// The message and every cause after it, joined by `: `.
pub fn chain(e: &dyn Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let words = cause.to_string();
        // Some errors repeat their cause in their own words; say it once.
        if !text.ends_with(&words) {
            text.push_str(": ");
            text.push_str(&words);
        }
        source = cause.source();
    }
    text
}

/// The whole report as the command line prints it after `stillpoint: `:
/// the message with its causes, then `  hint: …` on a line of its own.
pub fn report(e: &dyn Hint) -> String {
    match e.hint() {
        Some(hint) => format!("{}\n  hint: {hint}", chain(e)),
        None => chain(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read the record")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_names_each_cause_once() {
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(chain(&e), "cannot read the record: disk on fire");
    }
}
