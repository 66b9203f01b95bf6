//! Taking up a session that was cut off: finding the records that were
//! neither closed nor set aside, and loading what is needed to carry on —
//! the very protocol that was worked, checked against the hash the record
//! kept, and the session rebuilt from its entries.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::clock::Moment;
use crate::protocol::Protocol;
use crate::protocol::catalog::{Chosen, Source, text_hash};
use crate::session::engine::Session;
use crate::session::journal::{Contents, FileJournal, JournalError};
use crate::session::record::{Entry, Opened};
use crate::session::report::Report;

/// How recent an unfinished session must be for a plain start to offer it;
/// `stillpoint resume SESSION` takes up older ones.
pub const OFFER_WITHIN: Duration = Duration::from_secs(24 * 60 * 60);

/// An unfinished session that could be taken up again.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its journal.
    pub path: PathBuf,
    /// What the journal says.
    pub report: Report,
}

impl Candidate {
    /// One line for the offer: when, who, what, where it stopped.
    pub fn describe(&self) -> String {
        let opened = self.report.opened.as_ref();
        let when = opened
            .and_then(|o| o.opened)
            .map(|s| s.short())
            .unwrap_or_default();
        let who = self
            .report
            .client()
            .map(|c| format!(", client {c}"))
            .unwrap_or_default();
        let protocol = opened.map(|o| o.protocol.as_str()).unwrap_or("?");
        let at = match self.report.steps.last() {
            Some(step) if !self.report.ended => format!(
                "in \"{}\" (step {}), {} worked",
                step.name,
                step.step + 1,
                crate::text::clock_text(self.report.active)
            ),
            // Practice has no closing questions: only its summary was left.
            Some(_) if self.report.practice() => {
                "after its last step, before its summary".to_owned()
            }
            Some(_) if !self.report.completed => format!(
                "after it was ended early (at step {}), before the closing questions",
                self.report
                    .steps
                    .iter()
                    .map(|s| s.step + 1)
                    .max()
                    .unwrap_or(0)
            ),
            Some(_) => "after its last step, before the closing questions".to_owned(),
            None => "before its first step".to_owned(),
        };
        format!("{when} · {protocol}{who} · stopped {at}")
    }
}

/// The unfinished sessions in `sessions_dir`, newest first: records that are
/// neither closed nor set aside, not being written by another running copy,
/// and with something in them to take up. With `within`, only records
/// written to that recently.
pub fn candidates(sessions_dir: &Path, within: Option<Duration>) -> Vec<Candidate> {
    let Ok(dir) = std::fs::read_dir(sessions_dir) else {
        return Vec::new();
    };
    let now = crate::clock::wall_system_time();
    let mut found: Vec<(SystemTime, Candidate)> = dir
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .filter_map(|path| {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
            if let Some(within) = within
                && now.duration_since(modified).unwrap_or_default() > within
            {
                return None;
            }
            // A closed or set-aside record ends with saying so.
            if let Ok(Some(last)) = crate::session::journal::read_last(&path)
                && matches!(last.entry, Entry::Closed(_) | Entry::Abandoned)
            {
                return None;
            }
            if in_use(&path) {
                return None;
            }
            let contents = crate::session::journal::read(&path).ok()?;
            let report = Report::from_entries(&contents.records);
            let started = report.intake.is_some() || !report.steps.is_empty();
            (!report.closed && !report.abandoned && started)
                .then_some((modified, Candidate { path, report }))
        })
        .collect();
    found.sort_by_key(|c| std::cmp::Reverse(c.0));
    found.into_iter().map(|(_, c)| c).collect()
}

/// True while another running stillpoint holds the journal.
fn in_use(path: &Path) -> bool {
    std::fs::File::open(path).is_ok_and(|file| crate::platform::lock::held_elsewhere(&file))
}

/// Why a session could not be taken up again.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// Another running stillpoint is writing it.
    #[error("{id} is open in another running stillpoint")]
    Locked {
        /// The session's id.
        id: String,
    },
    /// The record could not be opened or read.
    #[error("cannot reopen {}", path.display())]
    Reopen {
        /// The record.
        path: PathBuf,
        /// Why.
        #[source]
        source: JournalError,
    },
    /// The record has no opening line, so nothing says what was worked.
    #[error("{} has no opening line", path.display())]
    NoOpening {
        /// The record.
        path: PathBuf,
    },
    /// The protocol the session was worked with cannot be read.
    #[error("cannot read the protocol {source_label}")]
    ProtocolUnreadable {
        /// Where it came from, as the record names it.
        source_label: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The protocol's text changed since the session began.
    #[error(
        "the protocol {source_label} has changed since this session began, so its steps may \
         not match the record"
    )]
    ProtocolChanged {
        /// Where it came from, as the record names it.
        source_label: String,
    },
    /// The protocol no longer parses.
    #[error(transparent)]
    Protocol(#[from] crate::protocol::ProtocolError),
}

impl crate::hint::Hint for ResumeError {
    fn hint(&self) -> Option<String> {
        match self {
            ResumeError::ProtocolChanged { .. } => {
                Some("restore the file as it was, or start a new session".to_owned())
            }
            ResumeError::Locked { .. } => {
                Some("close the other stillpoint first, or wait for it to end".to_owned())
            }
            _ => None,
        }
    }
}

/// A session opened again for writing, rebuilt to its last recorded moment.
#[derive(Debug)]
pub struct Reopened {
    /// The journal, locked, its torn tail (if any) cut off.
    pub journal: FileJournal,
    /// The protocol, exactly as it was when the session began.
    pub chosen: Chosen,
    /// What the journal holds.
    pub contents: Contents,
    /// The session as it was at `at`.
    pub session: Session,
    /// The last recorded moment: the resumed clock carries on from here.
    pub at: Moment,
}

/// Opens the journal at `path` to carry on with it.
pub fn reopen(path: &Path) -> Result<Reopened, ResumeError> {
    let (journal, contents) = FileJournal::reopen(path).map_err(|e| match e {
        JournalError::Locked => ResumeError::Locked {
            id: crate::session::journal::session_id(path),
        },
        source => ResumeError::Reopen {
            path: path.to_owned(),
            source,
        },
    })?;
    let opened = contents.opened().ok_or_else(|| ResumeError::NoOpening {
        path: path.to_owned(),
    })?;
    let chosen = protocol_of(opened)?;
    let at = contents.last_at();
    let session = Session::replay(chosen.protocol.clone(), &contents.records);
    Ok(Reopened {
        journal,
        chosen,
        contents,
        session,
        at,
    })
}

/// The protocol a record was made with, refusing one whose text has changed
/// since: its steps might no longer be the ones the record counts.
pub fn protocol_of(opened: &Opened) -> Result<Chosen, ResumeError> {
    let source = Source::from_label(&opened.source);
    let text = source.text().map_err(|e| ResumeError::ProtocolUnreadable {
        source_label: opened.source.clone(),
        source: e,
    })?;
    if !opened.hash.is_empty() && text_hash(&text) != opened.hash {
        return Err(ResumeError::ProtocolChanged {
            source_label: opened.source.clone(),
        });
    }
    let origin = source
        .path()
        .map_or_else(|| Path::new("bundled.ron").to_owned(), Path::to_owned);
    let protocol = Protocol::parse(&text, &origin)?;
    Ok(Chosen {
        protocol: protocol.into(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::journal::Journal;
    use crate::session::record::{Intake, LOG_VERSION, Logged, Summary};

    fn opened(source: &Source, text: &str) -> Opened {
        Opened {
            version: LOG_VERSION,
            protocol: "Still point (10 min)".into(),
            source: source.label(),
            hash: text_hash(text),
            client: Some("AB".into()),
            practice: false,
            speed: 1.0,
            opened: crate::session::record::Stamp::parse("2026-11-23T10:00:00+01:00"),
            app: "test".into(),
        }
    }

    fn stamp(s: u32) -> jiff::Zoned {
        format!("2026-11-23T10:00:{s:02}+01:00[+01:00]")
            .parse()
            .unwrap()
    }

    #[test]
    fn unfinished_sessions_are_offered_and_finished_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let source = Source::Bundled("still-point-10".into());
        let text = source.text().unwrap();
        let intake = Logged {
            at: Moment::from_millis(10),
            entry: Entry::Intake(Intake {
                client: "AB".into(),
                pain: 5,
                stress: 5,
                ..Intake::default()
            }),
        };
        let mut open = FileJournal::create(dir.path(), &opened(&source, &text), &stamp(0)).unwrap();
        open.append(&intake).unwrap();
        let open_path = open.path().to_owned();
        let mut closed =
            FileJournal::create(dir.path(), &opened(&source, &text), &stamp(1)).unwrap();
        closed.append(&intake).unwrap();
        closed
            .append(&Logged {
                at: Moment::from_secs(5),
                entry: Entry::Closed(Summary::default()),
            })
            .unwrap();
        // Opened only: nothing to take up.
        drop(FileJournal::create(dir.path(), &opened(&source, &text), &stamp(2)).unwrap());
        // Still being written by this "other copy".
        assert!(candidates(dir.path(), None).is_empty());
        drop(open);
        drop(closed);
        let found = candidates(dir.path(), Some(OFFER_WITHIN));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, open_path);
        assert!(
            found[0].describe().contains("client AB"),
            "{}",
            found[0].describe()
        );
        let again = reopen(&open_path).unwrap();
        assert_eq!(again.chosen.source, source);
        assert_eq!(again.at, Moment::from_millis(10));
        assert!(matches!(
            reopen(&open_path),
            Err(ResumeError::Locked { .. })
        ));
    }

    #[test]
    fn a_changed_protocol_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mine.ron");
        let text = crate::protocol::catalog::BUNDLED[3].1;
        std::fs::write(&file, text).unwrap();
        let source = Source::file(&file);
        let o = opened(&source, text);
        assert!(protocol_of(&o).is_ok());
        std::fs::write(&file, text.replace("Trainee", "Changed")).unwrap();
        let err = protocol_of(&o).unwrap_err();
        assert!(err.to_string().contains("has changed"), "{err}");
    }

    #[test]
    fn the_offer_speaks_of_what_was_left_in_practice_and_after_an_early_end() {
        let source = Source::Bundled("still-point-10".into());
        let text = source.text().unwrap();
        let mut o = opened(&source, &text);
        let ended = |o: &Opened, completed: bool| {
            let mut entries = vec![Logged {
                at: Moment::ZERO,
                entry: Entry::Opened(o.clone()),
            }];
            entries.push(Logged {
                at: Moment::from_secs(1),
                entry: Entry::SessionStarted {
                    protocol: "p".into(),
                    steps: 4,
                    planned: Duration::from_secs(600),
                },
            });
            entries.push(Logged {
                at: Moment::from_secs(1),
                entry: Entry::StepStarted {
                    step: 0,
                    name: "Feet".into(),
                    region: None,
                    planned: Duration::from_secs(60),
                },
            });
            entries.push(Logged {
                at: Moment::from_secs(9),
                entry: Entry::SessionEnded {
                    completed,
                    active: Duration::from_secs(8),
                },
            });
            Candidate {
                path: PathBuf::new(),
                report: Report::from_entries(&entries),
            }
            .describe()
        };
        assert!(
            ended(&o, false)
                .contains("after it was ended early (at step 1), before the closing questions"),
            "{}",
            ended(&o, false)
        );
        o.practice = true;
        o.client = None;
        let practice = ended(&o, true);
        assert!(practice.contains("before its summary"), "{practice}");
        assert!(!practice.contains("closing questions"), "{practice}");
    }
}
