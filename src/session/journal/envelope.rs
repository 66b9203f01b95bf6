//! Sealed lines, when the vault is on: each line of the record, exactly as
//! it would be written in the clear (checksum, chain link and all), sealed
//! whole with XChaCha20-Poly1305 and written as
//! `{"seq":N,"sealed":"<base64: nonce ‖ ciphertext ‖ tag>","crc":"…"}`. The
//! first line also names the vault (`"vault":"<id>"`), so a reader knows
//! which key opens the record.
//!
//! What each line is sealed to (its associated data): its sequence number,
//! and the SHA-256 of the record's first sealed line (all zeros for the
//! first line itself). A line therefore opens only at its own place in its
//! own record: one moved, or spliced in from another record, fails to open.
//! The outer checksum still tells a line cut short by a crash (a torn tail)
//! from one that was changed.

use serde::{Deserialize, Serialize};

use super::chain::Link;
use crate::vault::seal::{self, SealError};
use crate::vault::{DataKey, VaultId};

/// What every journal line is sealed to, before its number and binding.
const PLACE: &[u8] = b"stillpoint journal line\0";

/// The associated data of line `seq` in the record bound by `binding`.
fn aad(seq: u64, binding: &Link) -> Vec<u8> {
    [PLACE, &seq.to_be_bytes(), binding].concat()
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    vault: Option<String>,
    sealed: &'a str,
}

/// A sealed line as read, not yet opened.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// Its sequence number.
    pub seq: u64,
    /// The vault that sealed the record (first line only).
    #[serde(default)]
    pub vault: Option<String>,
    /// The sealed line, base64.
    pub sealed: String,
}

impl Envelope {
    /// The vault it names, if it names a readable one.
    pub fn vault_id(&self) -> Option<VaultId> {
        self.vault.as_deref().and_then(VaultId::parse)
    }

    /// The line inside, if it opens under `key` at this place.
    pub fn open(&self, key: &DataKey, binding: &Link) -> Result<Vec<u8>, SealError> {
        let sealed = seal::from_text(&self.sealed)?;
        seal::open(key, &aad(self.seq, binding), &sealed)
    }
}

/// Whether the checked line `json` (its checksum removed) is a sealed one.
/// Lines in the clear go on with `"at"` or `"event"` after their number.
pub fn is_sealed(json: &[u8]) -> bool {
    let Some(rest) = json.strip_prefix(b"{\"seq\":") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &rest[digits..];
    rest.starts_with(b",\"sealed\":\"") || rest.starts_with(b",\"vault\":\"")
}

/// Reads the envelope of a sealed line (see [`is_sealed`]).
pub fn read(json: &[u8]) -> serde_json::Result<Envelope> {
    serde_json::from_slice(json)
}

/// `plain` (a whole line in the clear, without its newline) sealed as line
/// `seq` of the record bound by `binding`; the first line names `vault`.
/// Returns the line to write, checksummed, without its newline.
pub fn seal(
    key: &DataKey,
    seq: u64,
    binding: &Link,
    plain: &[u8],
    first: bool,
) -> std::io::Result<Vec<u8>> {
    let sealed = seal::seal(key, &aad(seq, binding), plain).map_err(std::io::Error::other)?;
    let text = seal::to_text(&sealed);
    let json = serde_json::to_vec(&EnvelopeOut {
        seq,
        vault: first.then(|| key.id().to_string()),
        sealed: &text,
    })
    .map_err(std::io::Error::other)?;
    Ok(super::line::seal(json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_line_opens_only_in_its_place() {
        let key = crate::vault::DataKey::random_for_tests();
        let plain = br#"{"seq":3,"at":1,"event":"note","text":"AB: pain 6","crc":"00000000"}"#;
        let binding = super::super::chain::link(b"first");
        let line = seal(&key, 3, &binding, plain, false).unwrap();
        let text = String::from_utf8(line.clone()).unwrap();
        // (Words with a space or a colon: base64 has neither, so no chance match.)
        assert!(!text.contains("AB:") && !text.contains("pain 6"), "{text}");
        let json = super::super::line::open(&line).unwrap();
        assert!(is_sealed(&json));
        let env = read(&json).unwrap();
        assert_eq!(env.seq, 3);
        assert_eq!(env.open(&key, &binding).unwrap(), plain);
        // Another record's binding, or another number, does not open it.
        let elsewhere = super::super::chain::link(b"other");
        assert_eq!(env.open(&key, &elsewhere), Err(SealError::Forged));
        let moved = Envelope {
            seq: 4,
            vault: None,
            sealed: env.sealed.clone(),
        };
        assert_eq!(moved.open(&key, &binding), Err(SealError::Forged));
        let first = seal(&key, 0, &[0; 32], plain, true).unwrap();
        let env = read(&super::super::line::open(&first).unwrap()).unwrap();
        assert_eq!(env.vault_id(), Some(key.id()));
        assert!(!is_sealed(br#"{"seq":3,"at":1,"event":"note"}"#));
        assert!(!is_sealed(br#"{"seq":0,"event":"log_opened"}"#));
    }
}
