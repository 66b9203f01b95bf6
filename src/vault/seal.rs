//! Sealing bytes with the vault's data key: XChaCha20-Poly1305 with a fresh
//! random 24-byte nonce each time, the nonce written in front of the
//! ciphertext and its tag. Every use names itself in the associated data
//! (a journal line, an index line, the preferences, a backup), so sealed
//! bytes made for one place never open in another.
//!
//! Random nonces rather than a counter: nothing has to be remembered across
//! a crash, and at 24 bytes two lines drawing the same nonce is not a
//! practical worry (the birthday bound is around 2^96 messages).

use base64::Engine;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};

use super::DataKey;

/// Bytes of the nonce in front of every sealed message.
pub const NONCE: usize = 24;
/// Bytes of the tag after every sealed message.
pub const TAG: usize = 16;

/// Why sealed bytes did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The tag does not match: the bytes were changed, belong somewhere
    /// else, or were sealed under another key.
    #[error("it does not open under the vault's key: it was changed, or sealed elsewhere")]
    Forged,
    /// The text is not base64, or too short to hold a nonce and a tag.
    #[error("it is not sealed text")]
    Malformed,
    /// The system gave no random bytes for a nonce.
    #[error("the system gave no random bytes")]
    NoRandom,
}

/// `plain` sealed under `key` with `aad` bound to it: nonce ‖ ciphertext ‖ tag.
pub fn seal(key: &DataKey, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0u8; NONCE];
    getrandom::fill(&mut nonce).map_err(|_| SealError::NoRandom)?;
    let cipher = XChaCha20Poly1305::new(key.key());
    let sealed = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
        // Only a message longer than 256 GiB can fail to seal.
        .map_err(|_| SealError::Malformed)?;
    let mut out = Vec::with_capacity(NONCE + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The bytes [`seal`] sealed, if `sealed` opens under `key` with `aad`.
pub fn open(key: &DataKey, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    if sealed.len() < NONCE + TAG {
        return Err(SealError::Malformed);
    }
    let (nonce, body) = sealed.split_at(NONCE);
    let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| SealError::Malformed)?;
    XChaCha20Poly1305::new(key.key())
        .decrypt(&XNonce::from(nonce), Payload { msg: body, aad })
        .map_err(|_| SealError::Forged)
}

/// Sealed bytes as text for a JSON field (standard base64).
pub fn to_text(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Text from [`to_text`] back to bytes.
pub fn from_text(text: &str) -> Result<Vec<u8>, SealError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| SealError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_with_their_key_and_place() {
        let key = DataKey::random_for_tests();
        let other = DataKey::random_for_tests();
        let sealed = seal(&key, b"here", b"pain 6").unwrap();
        assert_eq!(sealed.len(), NONCE + 6 + TAG);
        assert_eq!(open(&key, b"here", &sealed).unwrap(), b"pain 6");
        assert_eq!(open(&key, b"there", &sealed), Err(SealError::Forged));
        assert_eq!(open(&other, b"here", &sealed), Err(SealError::Forged));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(
                open(&key, b"here", &bad),
                Err(SealError::Forged),
                "byte {i}"
            );
        }
        assert_eq!(
            open(&key, b"here", &sealed[..20]),
            Err(SealError::Malformed)
        );
        // The same message twice never seals to the same bytes.
        assert_ne!(seal(&key, b"here", b"pain 6").unwrap(), sealed);
        assert_eq!(from_text(&to_text(&sealed)).unwrap(), sealed);
    }
}
