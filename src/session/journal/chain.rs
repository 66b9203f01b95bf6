//! The hash chain: from version 4 every line after the first carries
//! `"prev"`, the SHA-256 of the line before it as written in the clear
//! (without its newline), in hex. Changing, removing, reordering or
//! splicing in a line breaks a link that any reader checks; the last
//! line's hash (the record's *head*) stands for everything before it.
//!
//! `head -n 1 R.jsonl | tr -d '\n' | sha256sum` is the second line's `prev`:
//! anyone can check a plain record's chain with stock tools. In a sealed
//! record the chain runs over the lines inside their envelopes, so sealing
//! a record leaves its head unchanged.
//!
//! On its own a chain proves nothing against someone who rewrites a whole
//! record and recomputes every link; it is anchored by the head the index
//! keeps for each record and the manifest of every backup, and — with the
//! vault on — by the key that seals each line, which a forger does not have.

use sha2::{Digest, Sha256};

/// One line's SHA-256.
pub type Link = [u8; 32];

/// The link to `line` (its bytes in the clear, without a newline).
pub fn link(line: &[u8]) -> Link {
    Sha256::digest(line).into()
}

/// A link as written in a line: lower-case hex.
pub fn to_hex(link: &Link) -> String {
    crate::vault::to_hex(link)
}

/// A link read from hex.
pub fn from_hex(text: impl AsRef<[u8]>) -> Option<Link> {
    let mut link = [0; 32];
    hex::decode_to_slice(text, &mut link).ok()?;
    Some(link)
}

/// Whether `text` is the hex of `link`. Written as stillpoint writes it
/// (lower case), it is compared as it stands, which is quick; other
/// spellings are decoded.
pub fn is_link_to(text: &[u8], link: &Link) -> bool {
    let mut ours = [0; 64];
    hex::encode_to_slice(link, &mut ours).is_ok_and(|()| ours == text)
        || from_hex(text) == Some(*link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_the_sha256_of_the_line() {
        assert_eq!(
            to_hex(&link(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(from_hex(to_hex(&link(b"x"))), Some(link(b"x")));
        assert_eq!(from_hex("abcd"), None);
        let l = link(b"y");
        assert!(is_link_to(to_hex(&l).as_bytes(), &l));
        assert!(is_link_to(to_hex(&l).to_uppercase().as_bytes(), &l));
        assert!(!is_link_to(to_hex(&link(b"z")).as_bytes(), &l));
        assert!(!is_link_to(b"abcd", &l));
    }
}
