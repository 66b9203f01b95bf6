//! The marks a therapist sets with one key during a hold: taps on each
//! rhythm cycle, from which a rate is worked out, and the start and end of
//! a still point. Pure arithmetic on moments; the entries they make are
//! returned for the journal.

use std::time::Duration;

use crate::clock::Moment;
use crate::session::record::{Entry, MarkTime};

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
    /// A tap at `now` (`time` on both clocks). From the third tap on (two
    /// intervals), the rate over the latest taps, in cycles a minute to one
    /// decimal, is returned as a journal entry.
    pub fn tap(&mut self, now: Moment, time: MarkTime) -> Option<Entry> {
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
            time,
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

/// A still point being marked: its start in active session time, until its
/// end is marked. Counted in active time, a pause never lengthens it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StillPoint {
    since: Option<Duration>,
}

impl StillPoint {
    /// A still point open since active time `active` (a session taken up
    /// again).
    pub fn open_since(active: Duration) -> StillPoint {
        StillPoint {
            since: Some(active),
        }
    }

    /// Marks a still point's start, or (when one is open) its end with its
    /// length, in step `step`, at active session time `active`.
    pub fn mark(&mut self, step: usize, active: Duration, time: MarkTime) -> Entry {
        match self.since.take() {
            Some(since) => Entry::StillPointEnded {
                step,
                length: active.saturating_sub(since),
                time,
            },
            None => {
                self.since = Some(active);
                Entry::StillPointStarted { step, time }
            }
        }
    }

    /// How long the open still point has lasted at active time `active`, in
    /// whole seconds (what the screen shows).
    pub fn length(&self, active: Duration) -> Option<Duration> {
        self.since
            .map(|since| Duration::from_secs(active.saturating_sub(since).as_secs()))
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
        let t = MarkTime::default();
        assert_eq!(r.tap(at(0), t), None);
        assert_eq!(r.tap(at(6), t), None);
        assert_eq!(
            r.tap(at(12), t),
            Some(Entry::Rhythm {
                cpm: 10.0,
                taps: 3,
                time: t
            })
        );
        for s in [18, 24, 30, 36] {
            r.tap(at(s), t);
        }
        // Six taps kept: 0 and 6 fell out.
        assert_eq!(
            r.tap(at(40), t),
            Some(Entry::Rhythm {
                cpm: 10.7,
                taps: 6,
                time: t
            })
        );
        assert_eq!(r.shown(at(99)), Some(10.7));
        assert_eq!(r.shown(at(100)), None, "gone a minute after the last tap");
    }

    #[test]
    fn a_long_gap_starts_a_new_count() {
        let mut r = TapRhythm::default();
        let t = MarkTime::default();
        r.tap(at(0), t);
        r.tap(at(5), t);
        assert_eq!(
            r.tap(at(30), t),
            None,
            "21 s after the last tap: a new count"
        );
    }

    #[test]
    fn a_still_point_is_marked_start_then_end_in_active_time() {
        let secs = Duration::from_secs;
        let t = MarkTime::default();
        let mut sp = StillPoint::default();
        assert_eq!(
            sp.mark(2, secs(10), t),
            Entry::StillPointStarted { step: 2, time: t }
        );
        assert_eq!(sp.length(secs(12)), Some(secs(2)));
        // Active time stands still through a pause, so the pause is not in it.
        assert_eq!(
            sp.mark(2, secs(40), t),
            Entry::StillPointEnded {
                step: 2,
                length: secs(30),
                time: t,
            }
        );
        assert_eq!(sp.length(secs(41)), None);
    }
}
