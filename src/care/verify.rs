//! `stillpoint verify`: whether records are as they were written. Each
//! record is walked line by line (the same walk every reader uses) and
//! held to its anchor in the index, and the verdict says what is wrong in
//! the practitioner's words: intact, a torn tail (a crash cut the last
//! line; nothing was changed), altered at line N, or lines removed.
//!
//! The exit status sums up a run ([`Verdict::status`]): 0 every record
//! intact (records from before the chain count as intact when every
//! checksum holds; they are reported as having no chain); 3 a torn tail,
//! nothing altered; 4 a record altered, damaged, cut short or missing; 1
//! something could not be checked (a record sealed by a vault this run
//! cannot open, a folder that cannot be read).

use std::collections::HashMap;
use std::path::Path;

use crate::history::index::Anchor;
use crate::session::folder::record_files;
use crate::session::journal::{LineRead, Problem, Walk, session_id};
use crate::session::record::{CHAIN_SINCE, Entry};

/// What `verify` found in one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every line whole, in order, linked (and sealed) as written.
    Intact {
        /// How many lines.
        lines: usize,
        /// Sealed by the vault.
        sealed: bool,
        /// The line that closed (sealed) the record, if it is closed.
        closed_at: Option<usize>,
        /// Addenda after it.
        addenda: usize,
    },
    /// A record from before the chain (versions 1–3) whose lines read and
    /// whose checksums (version 3) hold.
    NoChain {
        /// Its version.
        version: u32,
        /// How many lines.
        lines: usize,
    },
    /// Intact up to a last line a crash cut short.
    TornTail {
        /// How many whole lines.
        lines: usize,
    },
    /// A line was changed, moved or put in.
    Altered {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// Lines were taken out: from the middle (the numbering has a gap) or
    /// from the end (fewer than the index saw), or the whole record.
    Removed {
        /// Where, in words.
        what: String,
    },
    /// Bytes in the middle do not match their checksum (a failing disk,
    /// or an editor).
    Damaged {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// It could not be checked.
    Unchecked {
        /// Why.
        why: String,
    },
}

impl Verdict {
    /// The exit status this verdict alone would give.
    pub fn status(&self) -> u8 {
        match self {
            Verdict::Intact { .. } | Verdict::NoChain { .. } => 0,
            Verdict::TornTail { .. } => 3,
            Verdict::Altered { .. } | Verdict::Removed { .. } | Verdict::Damaged { .. } => 4,
            Verdict::Unchecked { .. } => 1,
        }
    }

    /// The verdict in words.
    pub fn words(&self) -> String {
        match self {
            Verdict::Intact {
                lines,
                sealed,
                closed_at,
                addenda,
            } => {
                let mut w = format!("intact: {lines} lines, chained");
                if *sealed {
                    w.push_str(", sealed by the vault");
                }
                match closed_at {
                    Some(n) => w.push_str(&format!(", closed at line {n}")),
                    None => w.push_str(", not closed"),
                }
                if *addenda > 0 {
                    w.push_str(&format!(
                        ", {addenda} addend{} after it",
                        if *addenda == 1 { "um" } else { "a" }
                    ));
                }
                w
            }
            Verdict::NoChain { version, lines } => format!(
                "no chain (a version {version} record, written before lines were linked): \
                 {lines} lines{}",
                if *version >= 3 {
                    ", every checksum holds"
                } else {
                    " read"
                }
            ),
            Verdict::TornTail { lines } => format!(
                "torn tail: {lines} whole lines, then a last line cut short by a crash \
                 (nothing was changed; resuming the session cuts it)"
            ),
            Verdict::Altered { line, what } => format!("ALTERED at line {line}: {what}"),
            Verdict::Removed { what } => format!("LINES REMOVED: {what}"),
            Verdict::Damaged { line, what } => format!("DAMAGED at line {line}: {what}"),
            Verdict::Unchecked { why } => format!("not checked: {why}"),
        }
    }
}

/// One record's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The record's id.
    pub id: String,
    /// What was found.
    pub verdict: Verdict,
}

/// A gap or a disorder in the numbering at `read`, in words.
fn numbering(read: &LineRead, found: u64, expected: u64, seqs: &[Option<u64>]) -> Verdict {
    let moved = seqs.iter().skip(read.number).any(|s| *s == Some(expected));
    if found > expected && !moved {
        let what = if found == expected + 1 {
            format!(
                "line {} (numbered {expected}) is missing before line {}",
                expected + 1,
                read.number
            )
        } else {
            format!(
                "lines numbered {expected} to {} are missing before line {}",
                found - 1,
                read.number
            )
        };
        return Verdict::Removed { what };
    }
    Verdict::Altered {
        line: read.number,
        what: format!(
            "it is numbered {found} where {expected} belongs: lines were moved or repeated"
        ),
    }
}

/// The verdict on one line's problem.
fn judge(read: &LineRead, problem: &Problem, seqs: &[Option<u64>]) -> Verdict {
    let line = read.number;
    match problem {
        Problem::Numbered { found, expected } => numbering(read, *found, *expected, seqs),
        Problem::Broken => Verdict::Altered {
            line,
            what: format!(
                "it does not follow line {}: one of the two was changed, or a line between \
                 them taken out or put in",
                line - 1
            ),
        },
        Problem::Unlinked => Verdict::Altered {
            line,
            what: "it carries no link to the line before: it was put in by hand".to_owned(),
        },
        Problem::Forged => Verdict::Altered {
            line,
            what: "it does not open under the vault's key at its place: it was changed, or \
                   comes from another record"
                .to_owned(),
        },
        Problem::Mixed => Verdict::Altered {
            line,
            what: "it is not sealed as the record's other lines are".to_owned(),
        },
        Problem::Locked(id) => Verdict::Unchecked {
            why: format!("it is sealed by vault {id}, which is not open in this run"),
        },
        physical => Verdict::Damaged {
            line,
            what: physical.to_string(),
        },
    }
}

/// After the closing line, only addenda may follow: anything else was put
/// there after the record was sealed.
fn after_closing(lines: &[LineRead]) -> Result<(Option<usize>, usize), Verdict> {
    let mut closed_at = None;
    let mut addenda = 0;
    for read in lines {
        match (&closed_at, read.entry.as_ref().map(|l| &l.entry)) {
            (None, Some(Entry::Closed(_))) => closed_at = Some(read.number),
            (Some(_), Some(Entry::Addendum(_))) | (None, Some(Entry::Addendum(_))) => addenda += 1,
            (Some(n), Some(_)) => {
                return Err(Verdict::Altered {
                    line: read.number,
                    what: format!(
                        "it comes after the record was closed at line {n} and is not an addendum"
                    ),
                });
            }
            _ => {}
        }
    }
    Ok((closed_at, addenda))
}

/// Holds the record's lines to the anchor the index keeps for it.
fn anchored(lines: &[LineRead], anchor: Option<&Anchor>) -> Result<(), Verdict> {
    let Some(anchor) = anchor else {
        return Ok(());
    };
    let links: Vec<_> = lines
        .iter()
        .filter(|l| l.complete)
        .map(|l| l.link)
        .collect();
    if anchor.holds(&links) {
        return Ok(());
    }
    let seen = anchor.lines as usize;
    if links.len() < seen {
        return Err(Verdict::Removed {
            what: format!(
                "it ends after line {}, but the index saw {seen} lines: lines {}–{seen} were cut \
                 from its end",
                links.len(),
                links.len() + 1
            ),
        });
    }
    Err(Verdict::Altered {
        line: seen,
        what: "it is not the line the index saw there: the record was rewritten".to_owned(),
    })
}

/// The verdict on the record `bytes` (at `path`), held to `anchor`.
pub fn verdict(bytes: &[u8], path: &Path, anchor: Option<&Anchor>) -> Verdict {
    let mut walk = Walk::new(bytes, Some(path));
    let lines: Vec<LineRead> = walk.by_ref().collect();
    if let Some(Problem::Locked(_)) = lines.first().and_then(|l| l.problem.as_ref()) {
        let why = walk.take_locked().map_or_else(
            || "its vault is not open".to_owned(),
            |e| crate::hint::chain(&e),
        );
        return Verdict::Unchecked { why };
    }
    if !matches!(
        lines
            .first()
            .and_then(|l| l.entry.as_ref())
            .map(|l| &l.entry),
        Some(Entry::Opened(_))
    ) {
        return Verdict::Unchecked {
            why: "it is not a stillpoint record (its first line is not a record's opening)".into(),
        };
    }
    let seqs: Vec<Option<u64>> = lines.iter().map(|l| l.seq).collect();
    let mut torn = false;
    for read in &lines {
        let Some(problem) = &read.problem else {
            continue;
        };
        if read.number == lines.len() && walk.torn(problem) {
            torn = true;
            continue;
        }
        return judge(read, problem, &seqs);
    }
    let whole = lines.len() - usize::from(torn);
    let checked = after_closing(&lines).and_then(|c| anchored(&lines, anchor).map(|()| c));
    let (closed_at, addenda) = match checked {
        Ok(c) => c,
        Err(v) => return v,
    };
    match walk.version() {
        _ if torn => Verdict::TornTail { lines: whole },
        Some(v) if v < CHAIN_SINCE => Verdict::NoChain {
            version: v,
            lines: whole,
        },
        _ => Verdict::Intact {
            lines: whole,
            sealed: walk.sealed().is_some(),
            closed_at,
            addenda,
        },
    }
}

/// The verdict on the record at `path`.
pub fn check(path: &Path, anchor: Option<&Anchor>) -> Checked {
    let verdict = match crate::files::read_private(path, crate::session::journal::MAX_RECORD) {
        Ok(bytes) => verdict(&bytes, path, anchor),
        Err(e) => Verdict::Unchecked { why: e.to_string() },
    };
    Checked {
        id: session_id(path),
        verdict,
    }
}

/// Every record in `sessions`, checked several at a time, oldest first;
/// and the records the index knows that are no longer there, as removed.
pub fn check_all(sessions: &Path) -> std::io::Result<Vec<Checked>> {
    let files = record_files(sessions)?;
    let anchors = crate::history::index::anchors(sessions);
    let mut checked: Vec<Checked> = crate::history::pool::map_all(
        &files,
        |p| check(p, anchors.get(&session_id(p))),
        |p| Checked {
            id: session_id(p),
            verdict: Verdict::Unchecked {
                why: "its reader failed".into(),
            },
        },
    );
    let present: HashMap<&str, ()> = checked.iter().map(|c| (c.id.as_str(), ())).collect();
    let mut gone: Vec<Checked> = anchors
        .keys()
        .filter(|id| !present.contains_key(id.as_str()))
        .map(|id| Checked {
            id: id.clone(),
            verdict: Verdict::Removed {
                what: "the whole record: the index knows it, the sessions folder does not".into(),
            },
        })
        .collect();
    gone.sort_by(|a, b| a.id.cmp(&b.id));
    checked.extend(gone);
    Ok(checked)
}

/// The exit status of a run: the worst verdict's, altered before unchecked
/// before torn.
pub fn status(checked: &[Checked]) -> u8 {
    let statuses: Vec<u8> = checked.iter().map(|c| c.verdict.status()).collect();
    [4, 1, 3]
        .into_iter()
        .find(|s| statuses.contains(s))
        .unwrap_or(0)
}

/// The record `wanted` names, for `verify SESSION`, with its anchor.
pub fn check_one(sessions: &Path, path: &Path) -> Checked {
    let anchors = crate::history::index::anchors(sessions);
    check(path, anchors.get(&session_id(path)))
}
