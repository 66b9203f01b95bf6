//! Writes N realistic session records, for measuring `history` and `export`
//! on a practice's worth of data:
//!
//! ```sh
//! cargo run --release --example gen_history -- DIR 10000
//! stillpoint --data-dir DIR history
//! ```
//!
//! Each session runs one of the bundled protocols through the real engine
//! (so every record has its steps, progress lines every 10 s, pauses,
//! overtime), with a consultation, notes, rhythm taps, the closing answers
//! and a closing summary, for about forty clients over several years. One
//! session in forty is cut off without being closed. The output is the same
//! for the same N (a fixed pseudo-random sequence), and the files are written
//! whole rather than synced line by line, which only the live app needs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use stillpoint::catalog::{BUNDLED, Source, text_hash};
use stillpoint::clock::Moment;
use stillpoint::engine::{Effect, Input, Session};
use stillpoint::journal::line;
use stillpoint::protocol::{Advance, Protocol, Region};
use stillpoint::record::{Aftercare, Caution, Entry, Intake, LOG_VERSION, Logged, Opened};
use stillpoint::report::Report;

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
}

const NOTES: [&str; 6] = [
    "client settled quickly",
    "breathing slowed, shoulders softer",
    "client asked to pause for a drink of water",
    "warmth under the left hand",
    "client dozed briefly",
    "talked about a stressful week",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next().and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!("usage: gen_history DIR N");
        std::process::exit(2);
    };
    let sessions = PathBuf::from(dir).join("sessions");
    if let Err(e) = stillpoint::paths::create_private_dir(&sessions) {
        eprintln!("cannot create {}: {e}", sessions.display());
        std::process::exit(1);
    }
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
        let (source, hash, protocol) = &protocols[rng.below(protocols.len() as u64) as usize];
        let record = session(&mut rng, when, source, hash, protocol);
        let slug: String = protocol
            .name
            .as_str()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
            .to_ascii_lowercase();
        let path = sessions.join(format!("{}-{slug}.jsonl", when.strftime("%Y%m%d-%H%M%S")));
        let mut text = Vec::new();
        for (seq, entry) in record.iter().enumerate() {
            text.extend(line(seq as u64, entry).expect("serialisable"));
        }
        bytes += text.len() as u64;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&path).and_then(|mut f| f.write_all(&text));
        if let Err(e) = written {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
    println!(
        "wrote {n} sessions ({:.1} MB) to {}",
        bytes as f64 / 1e6,
        sessions.display()
    );
}

/// One session's record, from its opening line to its closing one.
fn session(
    rng: &mut Rng,
    when: jiff::civil::DateTime,
    source: &Source,
    hash: &str,
    protocol: &Protocol,
) -> Vec<Logged> {
    let client = format!("C{:02}", rng.below(40));
    let mut log = vec![Logged {
        at: Moment::ZERO,
        entry: Entry::Opened(Opened {
            version: LOG_VERSION,
            protocol: protocol.name.to_string(),
            source: source.label(),
            hash: hash.to_owned(),
            client: Some(client.clone()),
            practice: false,
            opened: format!("{}+01:00", when.strftime("%Y-%m-%dT%H:%M:%S")),
            app: "gen_history".to_owned(),
        }),
    }];
    let pain = 3 + rng.below(7) as u8;
    let stress = 2 + rng.below(8) as u8;
    let mut cautions = Vec::new();
    if rng.below(10) == 0 {
        cautions.push(Caution::ALL[rng.below(5) as usize]);
    }
    log.push(Logged {
        at: Moment::from_secs(20),
        entry: Entry::Intake(Intake {
            client,
            focus: vec![Region::ALL[rng.below(19) as usize]],
            focus_note: String::new(),
            pain,
            stress,
            releases: Vec::new(),
            cautions,
        }),
    });
    let mut s = Session::new(protocol.clone());
    let mut now = Moment::from_secs(60);
    let push = |log: &mut Vec<Logged>, fx: Vec<Effect>| {
        log.extend(fx.into_iter().filter_map(|e| match e {
            Effect::Log(l) => Some(l),
            _ => None,
        }));
    };
    push(&mut log, s.handle(Input::Next, now));
    let cut_off = rng.below(40) == 0;
    let mut notes_left = rng.below(4);
    while !s.is_finished() {
        now = now + Duration::from_secs(10);
        push(&mut log, s.handle(Input::Tick, now));
        if s.is_finished() {
            break;
        }
        let step = s.current_step();
        let elapsed = s.step_elapsed(now);
        // Manual holds are released somewhere in their overtime.
        if step.advance() == Advance::Manual && elapsed > s.step_target() && rng.below(6) == 0 {
            push(&mut log, s.handle(Input::Next, now));
        }
        if notes_left > 0 && rng.below(60) == 0 {
            notes_left -= 1;
            log.push(Logged {
                at: now,
                entry: Entry::Note {
                    text: NOTES[rng.below(NOTES.len() as u64) as usize].to_owned(),
                },
            });
        }
        if rng.below(200) == 0 {
            log.push(Logged {
                at: now,
                entry: Entry::Rhythm {
                    cpm: 6.0 + rng.below(60) as f64 / 10.0,
                    taps: 4,
                },
            });
        }
        if cut_off && rng.below(80) == 0 {
            log.push(Logged {
                at: now,
                entry: Entry::Interrupted {
                    reason: "the terminal went away".to_owned(),
                },
            });
            return log;
        }
    }
    now = now + Duration::from_secs(90);
    log.push(Logged {
        at: now,
        entry: Entry::Aftercare(Aftercare {
            pain: Some(pain.saturating_sub(rng.below(4) as u8)),
            stress: Some(stress.saturating_sub(rng.below(5) as u8)),
            note: if rng.below(3) == 0 {
                "felt lighter afterwards".to_owned()
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
