//! The receipt an erasure leaves: what was asked, what went, when and how,
//! and what it could not reach. It holds no client reference, rating or
//! note — only counts and dates — so it can be kept as evidence beside the
//! request that asked for it.

use std::path::PathBuf;

use crate::session::record::Stamp;

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// What was asked for, in words that name no one.
    pub request: String,
    /// When it was done.
    pub when: Stamp,
    /// The date of each session record erased (`None`: not known).
    pub records: Vec<Option<jiff::civil::Date>>,
    /// Lines taken out of the history index.
    pub index_lines: usize,
    /// Other files erased (the preferences, a log), by name.
    pub other: Vec<String>,
    /// The data folder.
    pub data: PathBuf,
    /// A file system that keeps old blocks on overwrite, by name.
    pub caveat: Option<&'static str>,
}

impl Receipt {
    /// The receipt as plain text.
    pub fn text(&self) -> String {
        let mut dates: Vec<jiff::civil::Date> = self.records.iter().flatten().copied().collect();
        dates.sort();
        let n = self.records.len();
        let span = match (dates.first(), dates.last()) {
            (Some(a), Some(b)) if a == b => format!(", dated {a}"),
            (Some(a), Some(b)) => format!(", dated {a} to {b}"),
            _ => String::new(),
        };
        let mut t = String::from("stillpoint erasure receipt\n");
        let line = |t: &mut String, label: &str, value: &str| {
            t.push_str(&format!("  {label:<12}{value}\n"));
        };
        line(
            &mut t,
            "made",
            &format!(
                "{} by stillpoint {}",
                self.when.long(),
                env!("CARGO_PKG_VERSION")
            ),
        );
        line(&mut t, "request", &self.request);
        line(
            &mut t,
            "erased",
            &format!("{n} session record{}{span}", if n == 1 { "" } else { "s" }),
        );
        line(
            &mut t,
            "",
            &format!("{} line(s) of the history index", self.index_lines),
        );
        for other in &self.other {
            line(&mut t, "", other);
        }
        line(&mut t, "data folder", &self.data.display().to_string());
        line(
            &mut t,
            "method",
            "each file overwritten with zeros and synced, then deleted; the index rewritten \
             without its lines, its old copy overwritten",
        );
        line(&mut t, "not reached", &self.not_reached());
        t
    }

    /// What an erasure cannot reach, plainly.
    fn not_reached(&self) -> String {
        let mut words = String::from(
            "copies in backups and exports made before now (erase or destroy them \
             separately); blocks an SSD or the operating system kept aside",
        );
        if let Some(fs) = self.caveat {
            words.push_str(&format!(
                "; on this {fs} file system an overwrite goes to new blocks, so the old ones \
                 stay until the file system reuses them"
            ));
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_gives_counts_and_dates_only() {
        let r = Receipt {
            request: "every record of one client (the reference is not repeated here)".into(),
            when: Stamp::parse("2026-12-01T10:00:00+01:00").unwrap(),
            records: vec![
                Some(jiff::civil::date(2025, 3, 2)),
                None,
                Some(jiff::civil::date(2026, 11, 23)),
            ],
            index_lines: 2,
            other: vec!["the preferences (prefs.json)".into()],
            data: "/data".into(),
            caveat: Some("btrfs"),
        };
        let text = r.text();
        assert!(
            text.contains("3 session records, dated 2025-03-02 to 2026-11-23"),
            "{text}"
        );
        assert!(text.contains("2 line(s) of the history index"), "{text}");
        assert!(text.contains("btrfs"), "{text}");
        assert!(text.contains("backups and exports"), "{text}");
    }
}
