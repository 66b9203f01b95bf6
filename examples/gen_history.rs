//! Writes N realistic session records, for measuring `history` and `export`
//! on a practice's worth of data:
//!
//! ```sh
//! cargo run --release --example gen_history -- DIR 10000 [--sync]
//! stillpoint history --data-dir DIR
//! ```
//!
//! Each session runs one of the bundled protocols through the real engine
//! (so every record has its steps, progress lines every 10 s, overtime),
//! with a consultation, notes, rhythm taps, still points, now and then a
//! pause, a step left early or a session ended early, the closing answers
//! and a closing summary — for about fifty clients (initials, pseudonyms,
//! a comma, accents) over several years, with a practice run now and then.
//! One session in forty is cut off without being closed, and a third of
//! those are then set aside.
//!
//! Every record is made by `FileJournal::create` (its name, its `0600`
//! mode, its first line). The rest of its lines are the journal's own,
//! numbered and chained, written in one go (`FileJournal::append_all`): the
//! live app syncs every line, which for a million lines would take minutes
//! and measures nothing history does. `--sync` appends them one at a time
//! through `FileJournal::append` instead.
//!
//! `--vault PASSPHRASE` makes a vault in DIR first (or opens the one there),
//! so every record is sealed as it would be with the vault on.
//!
//! The output is the same for the same N: a fixed pseudo-random sequence,
//! fixed UTC offsets (+01:00 in winter, +02:00 in summer), and no clock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use stillpoint::clock::Moment;
use stillpoint::protocol::catalog::{BUNDLED, Source, text_hash};
use stillpoint::protocol::{Advance, Protocol, Region};
use stillpoint::session::engine::{Effect, Input, Session};
use stillpoint::session::journal::{FileJournal, Journal};
use stillpoint::session::record::{
    Aftercare, Caution, Condition, Entry, Intake, LOG_VERSION, Logged, Opened, Release,
};
use stillpoint::session::report::Report;

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const NOTES: [&str; 8] = [
    "client settled quickly",
    "breathing slowed, shoulders softer",
    "client asked to pause for a drink of water",
    "warmth under the left hand",
    "client dozed briefly",
    "talked about a stressful week",
    "jaw released; \"feels wider\", she said",
    "tingling in the right foot, eased by itself",
];

const CLOSING: [&str; 4] = [
    "felt lighter afterwards",
    "headache eased; drink water tonight",
    "book again in two weeks",
    "sleepy, sat for a while before leaving",
];

/// Clients with names as practitioners write them; `C00`…`C39` besides.
const NAMED: [&str; 10] = [
    "AB",
    "Smith, J",
    "Élodie M.",
    "J. O'Brien",
    "Müller",
    "KT",
    "Ana-Lucía",
    "Mr P",
    "RB (sister of AB)",
    "Zoë",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sync = args.iter().any(|a| a == "--sync");
    let vault = args
        .iter()
        .position(|a| a == "--vault")
        .and_then(|i| args.get(i + 1));
    let plain: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with("--") && Some(*a) != vault)
        .collect();
    let (Some(dir), Some(n)) = (
        plain.first(),
        plain.get(1).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: gen_history DIR N [--sync] [--vault PASSPHRASE]");
        std::process::exit(2);
    };
    if let Some(passphrase) = vault {
        let data = Path::new(dir.as_str());
        let opened = if stillpoint::vault::is_on(data) {
            stillpoint::vault::open(data, passphrase)
        } else {
            stillpoint::vault::create(data, passphrase, stillpoint::vault::Cost::STANDARD)
        };
        if let Err(e) = opened {
            eprintln!("the vault in {dir}: {}", stillpoint::hint::report(&e));
            std::process::exit(1);
        }
    }
    let sessions = PathBuf::from(dir).join("sessions");
    let protocols: Vec<(Source, String, Protocol)> = BUNDLED
        .iter()
        .filter_map(|(stem, text)| {
            let p = Protocol::parse(text, Path::new(stem)).ok()?;
            Some((Source::Bundled((*stem).to_owned()), text_hash(text), p))
        })
        .collect();
    let start: jiff::civil::DateTime = "2018-01-08T09:00:00".parse().expect("a date");
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let mut bytes = 0u64;
    for i in 0..n {
        // Three sessions a day, mid-morning to mid-afternoon.
        let minutes = (i / 3) * 24 * 60 + (i % 3) * 150 + rng.below(30);
        let when = start
            .checked_add(jiff::SignedDuration::from_mins(minutes as i64))
            .expect("in range");
        let (source, hash, protocol) = rng.pick(&protocols);
        let offset = if (4..=10).contains(&when.month()) {
            "+02:00"
        } else {
            "+01:00"
        };
        let stamp: jiff::Zoned =
            format!("{}{offset}[{offset}]", when.strftime("%Y-%m-%dT%H:%M:%S"))
                .parse()
                .expect("a zoned time");
        let client = if rng.one_in(25) {
            None
        } else if rng.one_in(4) {
            Some((*rng.pick(&NAMED)).to_owned())
        } else {
            Some(format!("C{:02}", rng.below(40)))
        };
        let opened = Opened {
            version: LOG_VERSION,
            protocol: protocol.name.to_string(),
            source: source.label(),
            hash: hash.clone(),
            practice: client.is_none(),
            client,
            speed: 1.0,
            opened: Some(stillpoint::session::record::Stamp::of(&stamp)),
            app: "gen_history".to_owned(),
        };
        let record = session(&mut rng, &opened, protocol);
        match write(&sessions, &opened, &stamp, &record, sync) {
            Ok(n) => bytes += n,
            Err(e) => {
                eprintln!("cannot write a record in {}: {e}", sessions.display());
                std::process::exit(1);
            }
        }
    }
    println!(
        "wrote {n} sessions ({:.1} MB) to {}",
        bytes as f64 / 1e6,
        sessions.display()
    );
}

/// Writes one record through the journal; returns its size in bytes.
fn write(
    dir: &Path,
    opened: &Opened,
    stamp: &jiff::Zoned,
    record: &[Logged],
    sync: bool,
) -> std::io::Result<u64> {
    let mut journal = FileJournal::create(dir, opened, stamp)?;
    let rest = record.get(1..).unwrap_or_default();
    if sync {
        for entry in rest {
            journal.append(entry)?;
        }
    } else {
        journal.append_all(rest)?;
    }
    Ok(std::fs::metadata(journal.path())?.len())
}

/// One session's record, from its opening line to its last.
fn session(rng: &mut Rng, opened: &Opened, protocol: &Protocol) -> Vec<Logged> {
    let mut log = vec![Logged {
        at: Moment::ZERO,
        entry: Entry::Opened(opened.clone()),
    }];
    let practice = opened.practice;
    let pain = 2 + rng.below(8) as u8;
    let stress = 2 + rng.below(9) as u8;
    if let Some(client) = &opened.client {
        let mut focus = vec![*rng.pick(&Region::ALL)];
        if rng.one_in(3) {
            focus.push(*rng.pick(&Region::ALL));
        }
        let mut cautions = Vec::new();
        if rng.one_in(10) {
            cautions.push(*rng.pick(&Caution::ALL));
        }
        let mut releases = Vec::new();
        if rng.one_in(30) {
            releases.push(Release {
                condition: *rng.pick(&Condition::ALL),
                released: true,
            });
        }
        log.push(Logged {
            at: Moment::from_secs(20 + rng.below(120)),
            entry: Entry::Intake(Intake {
                client: client.clone(),
                focus,
                focus_note: if rng.one_in(4) {
                    "worse after long drives".to_owned()
                } else {
                    String::new()
                },
                pain,
                stress,
                releases,
                cautions,
            }),
        });
    }
    let mut s = Session::new(protocol.clone());
    let mut now = Moment::from_secs(180);
    let push = |log: &mut Vec<Logged>, fx: Vec<Effect>| {
        log.extend(fx.into_iter().filter_map(|e| match e {
            Effect::Log(l) => Some(l),
            _ => None,
        }));
    };
    push(&mut log, s.handle(Input::Next, now));
    let cut_off = rng.one_in(40);
    let ends_early = !cut_off && rng.one_in(30);
    let mut notes_left = rng.below(4);
    let mut paused_until = None;
    let mut still_point: Option<(Moment, usize)> = None;
    while !s.is_finished() {
        now = now + Duration::from_secs(10);
        if let Some(until) = paused_until {
            if now >= until {
                push(&mut log, s.handle(Input::Resume, now));
                paused_until = None;
            }
            continue;
        }
        push(&mut log, s.handle(Input::Tick, now));
        if s.is_finished() {
            break;
        }
        let step = s.current();
        let advance = s.current_step().advance();
        let elapsed = s.step_elapsed(now);
        // Manual holds are released somewhere in their overtime.
        if advance == Advance::Manual && elapsed > s.step_target() && rng.one_in(6) {
            push(&mut log, s.handle(Input::Next, now));
        } else if advance == Advance::Auto && elapsed.as_secs() == 30 && rng.one_in(40) {
            // A hold left early.
            push(&mut log, s.handle(Input::Next, now));
        } else if rng.one_in(700) {
            push(&mut log, s.handle(Input::Pause, now));
            paused_until = Some(now + Duration::from_secs(30 + 10 * rng.below(10)));
            continue;
        } else if ends_early && rng.one_in(150) {
            push(&mut log, s.handle(Input::Quit, now));
            break;
        }
        if notes_left > 0 && rng.one_in(60) {
            notes_left -= 1;
            log.push(Logged {
                at: now,
                entry: Entry::note((*rng.pick(&NOTES)).to_owned()),
            });
        }
        if rng.one_in(200) {
            log.push(Logged {
                at: now,
                entry: Entry::Rhythm {
                    cpm: 6.0 + rng.below(60) as f64 / 10.0,
                    taps: 4 + rng.below(3) as u32,
                    time: Default::default(),
                },
            });
        }
        match still_point {
            None if advance == Advance::Manual && rng.one_in(12) => {
                still_point = Some((now, step));
                log.push(Logged {
                    at: now,
                    entry: Entry::StillPointStarted {
                        step,
                        time: Default::default(),
                    },
                });
            }
            Some((from, at_step)) if at_step != step || rng.one_in(5) => {
                still_point = None;
                log.push(Logged {
                    at: now,
                    entry: Entry::StillPointEnded {
                        step: at_step,
                        length: now.since(from),
                        time: Default::default(),
                    },
                });
            }
            _ => {}
        }
        if cut_off && rng.one_in(80) {
            log.extend(s.progress_now(now));
            log.push(Logged {
                at: now,
                entry: Entry::Interrupted {
                    reason: "the terminal went away".to_owned(),
                },
            });
            if rng.one_in(3) {
                log.push(Logged {
                    at: now,
                    entry: Entry::Abandoned,
                });
            }
            return log;
        }
    }
    now = now + Duration::from_secs(90);
    log.push(Logged {
        at: now,
        entry: Entry::Aftercare(Aftercare {
            pain: (!practice).then(|| pain.saturating_sub(rng.below(5) as u8)),
            stress: (!practice).then(|| stress.saturating_sub(rng.below(6) as u8)),
            note: if rng.one_in(3) {
                (*rng.pick(&CLOSING)).to_owned()
            } else {
                String::new()
            },
        }),
    });
    let summary = Report::from_entries(&log).summary();
    log.push(Logged {
        at: now + Duration::from_secs(20),
        entry: Entry::Closed(summary),
    });
    log
}
