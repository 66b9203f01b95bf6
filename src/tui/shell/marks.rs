//! The marks a therapist sets with one key during a hold: taps on each
//! rhythm cycle, from which a rate is worked out, and the start and end of
//! a still point. Pure arithmetic on moments; the entries they make are
//! returned for the journal.

use std::time::Duration;

use crate::clock::Moment;
use crate::session::record::Entry;

/// Taps further apart than this start a new count.
const TAP_GAP: Duration = Duration::from_secs(20);
/// How many taps a rate is worked out from.
const TAPS: usize = 6;
/// How long a rate stays on screen after the last tap.
const RHYTHM_SHOWN: Duration = Duration::from_secs(60);

/// The latest rhythm taps and the rate they give.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TapRhythm {
    taps: Vec<Moment>,
    rate: Option<f64>,
}

impl TapRhythm {
    /// A tap at `now`. From the third tap on (two intervals), the rate over
    /// the latest taps, in cycles a minute to one decimal, is returned as a
    /// journal entry.
    pub fn tap(&mut self, now: Moment) -> Option<Entry> {
        if self.taps.last().is_some_and(|t| now.since(*t) > TAP_GAP) {
            self.taps.clear();
        }
        self.taps.push(now);
        if self.taps.len() > TAPS {
            self.taps.remove(0);
        }
        let (first, last) = (self.taps.first()?, self.taps.last()?);
        let intervals = self.taps.len() - 1;
        let span = last.since(*first);
        if intervals < 2 || span.is_zero() {
            return None;
        }
        let cpm = 60.0 * intervals as f64 / span.as_secs_f64();
        let cpm = (cpm * 10.0).round() / 10.0;
        self.rate = Some(cpm);
        Some(Entry::Rhythm {
            cpm,
            taps: self.taps.len() as u32,
        })
    }

    /// The rate recorded at `at`, shown again as if just tapped (a session
    /// taken up again).
    pub fn recalled(cpm: f64, at: Moment) -> TapRhythm {
        TapRhythm {
            taps: vec![at],
            rate: Some(cpm),
        }
    }

    /// The rate to show at `now`: the latest, for a minute after the last tap.
    pub fn shown(&self, now: Moment) -> Option<f64> {
        self.rate.filter(|_| {
            self.taps
                .last()
                .is_some_and(|t| now.since(*t) < RHYTHM_SHOWN)
        })
    }
}

/// A still point being marked: its start, until its end is marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StillPoint {
    since: Option<Moment>,
}

impl StillPoint {
    /// A still point open since `at` (a session taken up again).
    pub fn open_since(at: Moment) -> StillPoint {
        StillPoint { since: Some(at) }
    }

    /// Marks a still point's start, or (when one is open) its end with its
    /// length, in step `step`.
    pub fn mark(&mut self, step: usize, now: Moment) -> Entry {
        match self.since.take() {
            Some(since) => Entry::StillPointEnded {
                step,
                length: now.since(since),
            },
            None => {
                self.since = Some(now);
                Entry::StillPointStarted { step }
            }
        }
    }

    /// How long the open still point has lasted at `now`, in whole seconds
    /// (what the screen shows).
    pub fn length(&self, now: Moment) -> Option<Duration> {
        self.since
            .map(|since| Duration::from_secs(now.since(since).as_secs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> Moment {
        Moment::from_secs(s)
    }

    #[test]
    fn a_rate_comes_from_the_third_tap_over_the_latest_six() {
        let mut r = TapRhythm::default();
        assert_eq!(r.tap(at(0)), None);
        assert_eq!(r.tap(at(6)), None);
        assert_eq!(r.tap(at(12)), Some(Entry::Rhythm { cpm: 10.0, taps: 3 }));
        for s in [18, 24, 30, 36] {
            r.tap(at(s));
        }
        // Six taps kept: 0 and 6 fell out.
        assert_eq!(r.tap(at(40)), Some(Entry::Rhythm { cpm: 10.7, taps: 6 }));
        assert_eq!(r.shown(at(99)), Some(10.7));
        assert_eq!(r.shown(at(100)), None, "gone a minute after the last tap");
    }

    #[test]
    fn a_long_gap_starts_a_new_count() {
        let mut r = TapRhythm::default();
        r.tap(at(0));
        r.tap(at(5));
        assert_eq!(r.tap(at(30)), None, "21 s after the last tap: a new count");
    }

    #[test]
    fn a_still_point_is_marked_start_then_end() {
        let mut sp = StillPoint::default();
        assert_eq!(sp.mark(2, at(10)), Entry::StillPointStarted { step: 2 });
        assert_eq!(sp.length(at(12)), Some(Duration::from_secs(2)));
        assert_eq!(
            sp.mark(2, at(40)),
            Entry::StillPointEnded {
                step: 2,
                length: Duration::from_secs(30)
            }
        );
        assert_eq!(sp.length(at(41)), None);
    }
}
