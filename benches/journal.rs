//! Journal appends with their `fdatasync`, as a session writes them: the
//! latency of each append, reported as percentiles, in the clear (chained)
//! and sealed by the vault (targets: p99 under 20 ms; under 2 ms sealed).
//!
//! `cargo bench --bench journal [-- N]` appends N records (default 2000) to a
//! journal in a temporary folder under `$TMPDIR` (nothing is written
//! anywhere else). Where that is memory (tmpfs) the sync costs nothing, so
//! point `STILLPOINT_BENCH_DIR` at a folder on the disk the records live on.

// Measuring time is the point here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stillpoint::clock::Moment;
use stillpoint::session::journal::{FileJournal, Journal};
use stillpoint::session::record::{Entry, LOG_VERSION, Logged, Opened};
use stillpoint::vault::DataKey;

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let base = std::env::var_os("STILLPOINT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let _ = std::fs::create_dir_all(&base);
    let dir = tempfile::tempdir_in(&base).expect("a temporary folder");
    for (what, key) in [
        ("in the clear", None),
        ("sealed by the vault", Some(DataKey::random_for_tests())),
    ] {
        let mut times = appends(dir.path(), n, key);
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "journal append + fdatasync, {what}, {n} records in {}:",
            dir.path().display()
        );
        println!(
            "  p50 {:.3} ms   p90 {:.3} ms   p99 {:.3} ms   max {:.3} ms",
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.90).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3
        );
    }
}

/// Appends `n` entries to a new journal in `dir`, timing each.
fn appends(dir: &Path, n: usize, key: Option<DataKey>) -> Vec<Duration> {
    let opened = Opened {
        version: LOG_VERSION,
        protocol: "Bench".into(),
        source: "bench".into(),
        hash: String::new(),
        client: Some("AB".into()),
        practice: false,
        speed: 1.0,
        opened: stillpoint::session::record::Stamp::parse("2026-11-23T10:00:00+00:00"),
        app: "bench".into(),
    };
    let stamp: jiff::Zoned = "2026-11-23T10:00:00+00:00[UTC]".parse().expect("stamp");
    let mut journal = FileJournal::create_sealed(dir, &opened, &stamp, key).expect("journal");
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for i in 0..n {
        let entry = Logged {
            at: Moment::from_millis(i as u64 * 1000),
            entry: if i % 3 == 0 {
                Entry::note(format!(
                    "note {i}: client breathing slowly, shoulders softer"
                ))
            } else {
                Entry::Progress {
                    step: i % 18,
                    elapsed: Duration::from_secs(i as u64 % 300),
                }
            },
        };
        let t = Instant::now();
        journal.append(&entry).expect("append");
        times.push(t.elapsed());
    }
    times
}
