//! Checked lines: a JSON object with a CRC-32C of its own bytes as its last
//! field, `{…,"crc":"1a2b3c4d"}`. The journal and the history index write
//! every line this way, and every reader checks it, so a flipped byte makes
//! the line damaged in every view — even a flip that keeps the JSON valid.
//!
//! A checksum catches accidents (a bad disk, a stray editor), not forgery:
//! anyone can recompute it. Tamper evidence is the hash chain's job.

/// The field's bytes before the checksum: `,"crc":"`.
const FIELD: &[u8] = b",\"crc\":\"";
/// `,"crc":"` + eight hex digits + `"}`.
const SUFFIX_LEN: usize = FIELD.len() + 8 + 2;

/// What is wrong with a line's checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The line carries no checksum (written before checksums, or not by
    /// stillpoint).
    Missing,
    /// The checksum does not match the line: its bytes changed.
    Mismatch,
}

/// `json` (one serialised object, no newline) with its checksum added as
/// its last field.
pub fn seal(mut json: Vec<u8>) -> Vec<u8> {
    debug_assert_eq!(json.last(), Some(&b'}'));
    let crc = crc32c::crc32c(&json);
    json.pop();
    json.extend_from_slice(FIELD);
    json.extend_from_slice(format!("{crc:08x}").as_bytes());
    json.extend_from_slice(b"\"}");
    json
}

/// The line's object without its checksum field, if the checksum is there
/// and right. `line` has no newline.
pub fn open(line: &[u8]) -> Result<Vec<u8>, Check> {
    check(line)?;
    let body = &line[..line.len() - SUFFIX_LEN];
    let mut json = Vec::with_capacity(body.len() + 1);
    json.extend_from_slice(body);
    json.push(b'}');
    Ok(json)
}

/// Whether the line carries its checksum and it is right. A checked line
/// is still valid JSON as it stands (`crc` is one more field), so readers
/// that ignore unknown fields parse it in place, without a copy.
pub fn check(line: &[u8]) -> Result<(), Check> {
    let Some(cut) = line.len().checked_sub(SUFFIX_LEN) else {
        return Err(Check::Missing);
    };
    let (body, suffix) = line.split_at(cut);
    if !suffix.starts_with(FIELD) || !suffix.ends_with(b"\"}") {
        return Err(Check::Missing);
    }
    let hex = &suffix[FIELD.len()..FIELD.len() + 8];
    let expected = std::str::from_utf8(hex)
        .ok()
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or(Check::Mismatch)?;
    let crc = crc32c::crc32c_append(crc32c::crc32c(body), b"}");
    if crc != expected {
        return Err(Check::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_line_opens_to_what_was_sealed() {
        let json = br#"{"seq":3,"at":1500,"event":"note","text":"ok"}"#.to_vec();
        let line = seal(json.clone());
        assert!(line.ends_with(b"\"}"));
        assert_eq!(open(&line), Ok(json));
    }

    #[test]
    fn any_changed_byte_is_caught() {
        let line = seal(br#"{"event":"intake","pain":5}"#.to_vec());
        for i in 0..line.len() {
            let mut bad = line.clone();
            bad[i] ^= 0x04;
            assert!(open(&bad).is_err(), "byte {i} flipped");
        }
        // A change that keeps the JSON valid too: 5 → 9.
        let text = String::from_utf8(line.clone()).expect("utf-8");
        let edited = text.replace("\"pain\":5", "\"pain\":9");
        assert_eq!(open(edited.as_bytes()), Err(Check::Mismatch));
    }

    #[test]
    fn lines_without_a_checksum_say_so() {
        assert_eq!(open(br#"{"seq":0}"#), Err(Check::Missing));
        assert_eq!(open(b""), Err(Check::Missing));
    }
}
