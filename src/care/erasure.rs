//! Erasing records: every record and index line that names a client
//! (`forget --client`), one session (`forget SESSION`), or every session
//! older than the retention period (`purge`). Each is planned first — what
//! will go, with dates, and what names the client that is not theirs to
//! erase — so the command can show it and ask before anything is touched;
//! then carried out, leaving a [`Receipt`].
//!
//! A client is matched by the reference in a record's opening line or its
//! consultation, compared as `history --client` compares (case and
//! surrounding spaces aside). The index loses every line that names the
//! client, including lines left by records deleted by hand. Other records
//! whose notes mention the reference are listed, not erased: they belong
//! to someone else.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::receipt::Receipt;
use super::{CareError, erase, same_client};
use crate::history::{HistoryError, Record, unfound};
use crate::session::folder::{find, record_files};
use crate::session::journal::{Walk, session_id};
use crate::session::record::Summary;

/// A record to be erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doomed {
    /// Its id.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// The local date of its session, when known.
    pub date: Option<jiff::civil::Date>,
}

/// Which index lines go.
#[derive(Debug, Clone)]
enum Lines {
    /// Those of these records.
    Of(HashSet<String>),
    /// Those of these records, and every line naming this client.
    Client(HashSet<String>, String),
}

impl Lines {
    fn drops(&self, id: &str, summary: &Summary) -> bool {
        match self {
            Lines::Of(ids) => ids.contains(id),
            Lines::Client(ids, client) => {
                ids.contains(id)
                    || summary
                        .client
                        .as_deref()
                        .is_some_and(|c| same_client(c, client))
            }
        }
    }
}

/// What an erasure will do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What was asked, in words that name no one (for the receipt).
    pub request: String,
    /// The records that will go, oldest first.
    pub records: Vec<Doomed>,
    /// How many index lines will go.
    pub index_lines: usize,
    /// Other files in the data folder that name the client (the
    /// preferences, a log): they go too.
    pub other_files: Vec<PathBuf>,
    /// Other clients' records whose text mentions the reference: kept.
    pub mentions: Vec<String>,
    /// Records that could not be read (so could not be checked), by id.
    pub unreadable: Vec<String>,
    /// Records skipped because their date is not known (purge).
    pub undated: Vec<String>,
    lines: Lines,
    data: PathBuf,
}

fn sessions(data: &Path) -> PathBuf {
    data.join("sessions")
}

fn record_files_of(data: &Path) -> Result<Vec<PathBuf>, CareError> {
    let dir = sessions(data);
    record_files(&dir).map_err(|source| CareError::History(HistoryError::Folder { dir, source }))
}

/// The local date of a record's session, from its opening line or its name.
fn date_of(record: &Record) -> Option<jiff::civil::Date> {
    let opened = record.report.opened.as_ref().and_then(|o| o.opened);
    opened.map(|s| s.date()).or_else(|| {
        jiff::fmt::strtime::BrokenDownTime::parse_prefix("%Y%m%d", &record.id)
            .ok()
            .and_then(|(t, _)| t.to_date().ok())
    })
}

/// Whether the record names `client` as its client.
fn names(record: &Record, client: &str) -> bool {
    let r = &record.report;
    let opened = r.opened.as_ref().and_then(|o| o.client.as_deref());
    let intake = r.intake.as_ref().map(|i| i.client.as_str());
    [opened, intake, r.client().as_deref()]
        .into_iter()
        .flatten()
        .any(|c| same_client(c, client))
}

/// Whether `bytes` hold `needle` as a word of its own, in any case: `AB`
/// in "sister of AB" but not in "abandoned" (both lower-cased as text).
fn holds(bytes: &[u8], needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(&needle).any(|(i, m)| {
        !word(text[..i].chars().next_back()) && !word(text[i + m.len()..].chars().next())
    })
}

/// Whether anything the record says — its notes, focus, closing note,
/// addenda, protocol, steps — mentions `client`. Its lines are read again
/// and searched as text, without the hashes and checksums (whose hex could
/// hold a short reference by chance).
fn mentions(record: &Record, client: &str) -> bool {
    let Ok(bytes) = crate::files::read_private(&record.path, crate::session::journal::MAX_RECORD)
    else {
        return false;
    };
    let mut entries: Vec<crate::session::record::Logged> = Walk::new(&bytes, Some(&record.path))
        .filter_map(|l| l.entry)
        .collect();
    for e in &mut entries {
        if let crate::session::record::Entry::Opened(o) = &mut e.entry {
            o.hash.clear();
        }
    }
    serde_json::to_vec(&entries).is_ok_and(|text| holds(&text, client))
}

impl Plan {
    fn new(data: &Path, request: String, lines: Lines) -> Plan {
        Plan {
            request,
            records: Vec::new(),
            index_lines: 0,
            other_files: Vec::new(),
            mentions: Vec::new(),
            unreadable: Vec::new(),
            undated: Vec::new(),
            lines,
            data: data.to_owned(),
        }
    }

    fn doom(&mut self, record: &Record) {
        self.records.push(Doomed {
            id: record.id.clone(),
            path: record.path.clone(),
            date: date_of(record),
        });
    }

    /// Counts the index lines that will go (and, for a client, marks them).
    fn count_lines(&mut self) -> Result<(), CareError> {
        let (Lines::Client(ids, _) | Lines::Of(ids)) = &mut self.lines;
        ids.extend(self.records.iter().map(|d| d.id.clone()));
        let lines = self.lines.clone();
        let drops = |id: &str, s: &Summary| lines.drops(id, s);
        let (_, dropped) =
            crate::history::index::index_without(&sessions(&self.data), &drops, None).map_err(
                |source| CareError::File {
                    what: "read",
                    path: sessions(&self.data).join(crate::history::INDEX),
                    source,
                },
            )?;
        self.index_lines = dropped;
        Ok(())
    }
}

/// Plans erasing every record and index line that names `client`, and the
/// other files in the data folder that hold the reference.
pub fn plan_client(data: &Path, client: &str) -> Result<Plan, CareError> {
    crate::vault::unlock_interactive(data)?;
    let request = "every record that names one client (the reference is not repeated here)";
    let lines = Lines::Client(HashSet::new(), client.to_owned());
    let mut plan = Plan::new(data, request.to_owned(), lines);
    for path in record_files_of(data)? {
        match Record::load(&path) {
            Ok(record) if names(&record, client) => plan.doom(&record),
            Ok(record) if mentions(&record, client) => plan.mentions.push(record.id),
            Ok(_) => {}
            Err(_) => plan.unreadable.push(session_id(&path)),
        }
    }
    plan.other_files = other_files(data, client);
    plan.count_lines()?;
    Ok(plan)
}

/// The preferences and logs in the data folder that hold `client`.
fn other_files(data: &Path, client: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let prefs = data.join(crate::settings::prefs::FILE);
    if let Ok(bytes) = crate::files::read_private(&prefs, 1 << 20)
        && crate::settings::prefs::in_the_clear(data, bytes).is_some_and(|b| holds(&b, client))
    {
        found.push(prefs);
    }
    for log in ["stderr.log", "stderr.log.old"] {
        let path = data.join(log);
        if crate::files::read_private(&path, 8 << 20).is_ok_and(|b| holds(&b, client)) {
            found.push(path);
        }
    }
    found
}

/// Plans erasing one session's record (`session` as `show` takes it) and
/// its index lines.
pub fn plan_session(data: &Path, session: &str) -> Result<Plan, CareError> {
    crate::vault::unlock_interactive(data)?;
    let dir = sessions(data);
    let path = find(&dir, session).map_err(|e| unfound(&dir, e))?;
    let record = Record::load(&path)?;
    let mut plan = Plan::new(
        data,
        "one session record, by its id".to_owned(),
        Lines::Of(HashSet::new()),
    );
    plan.doom(&record);
    plan.count_lines()?;
    Ok(plan)
}

/// Plans erasing every session recorded before `cutoff` (`period` names
/// the retention period, for the receipt).
pub fn plan_older(data: &Path, cutoff: jiff::civil::Date, period: &str) -> Result<Plan, CareError> {
    crate::vault::unlock_interactive(data)?;
    let request = format!("every session record from before {cutoff} (kept for {period})");
    let mut plan = Plan::new(data, request, Lines::Of(HashSet::new()));
    for path in record_files_of(data)? {
        match Record::load(&path) {
            Ok(record) => match date_of(&record) {
                Some(d) if d < cutoff => plan.doom(&record),
                Some(_) => {}
                None => plan.undated.push(record.id),
            },
            Err(_) => plan.unreadable.push(session_id(&path)),
        }
    }
    plan.count_lines()?;
    Ok(plan)
}

/// Whether another running stillpoint is writing the record at `path`.
fn in_use(path: &Path) -> bool {
    std::fs::File::open(path).is_ok_and(|f| crate::platform::lock::held_elsewhere(&f))
}

/// Carries the plan out: every record overwritten and removed, the index
/// rewritten without its lines (the old one overwritten), the other files
/// erased. Refused, with nothing touched, while a record is in use.
pub fn carry_out(plan: &Plan, now: &jiff::Zoned) -> Result<Receipt, CareError> {
    let busy: Vec<String> = plan
        .records
        .iter()
        .filter(|d| in_use(&d.path))
        .map(|d| d.id.clone())
        .collect();
    if !busy.is_empty() {
        return Err(CareError::InUse { ids: busy });
    }
    let erase = |path: &Path| {
        erase::erase_file(path).map_err(|source| CareError::File {
            what: "erase",
            path: path.to_owned(),
            source,
        })
    };
    for d in &plan.records {
        erase(&d.path)?;
    }
    let index_lines = rewrite_index(plan)?;
    for path in &plan.other_files {
        erase(path)?;
    }
    Ok(Receipt {
        request: plan.request.clone(),
        when: crate::session::record::Stamp::of(now),
        records: plan.records.iter().map(|d| d.date).collect(),
        index_lines,
        other: plan
            .other_files
            .iter()
            .map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect(),
        data: plan.data.clone(),
        caveat: erase::overwrite_caveat(&plan.data),
    })
}

/// Writes the index anew without the plan's lines, erasing the old one.
fn rewrite_index(plan: &Plan) -> Result<usize, CareError> {
    let dir = sessions(&plan.data);
    let path = dir.join(crate::history::INDEX);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(0);
    }
    let file_error = |what, source| CareError::File {
        what,
        path: path.clone(),
        source,
    };
    let key = crate::vault::for_sessions(&dir)?;
    let drops = |id: &str, s: &Summary| plan.lines.drops(id, s);
    let (bytes, dropped) = crate::history::index::index_without(&dir, &drops, key.as_ref())
        .map_err(|e| file_error("read", e))?;
    erase::replace_erasing_old(&path, &bytes).map_err(|e| file_error("write", e))?;
    Ok(dropped)
}
