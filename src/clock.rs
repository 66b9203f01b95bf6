//! Time for the session: a monotonic [`Moment`], the [`Clock`] trait, the system
//! clock that keeps counting through suspend, a manual clock for tests, and a
//! scaled clock for rehearsal at `--speed N`.
//!
//! This is the only module allowed to read the operating system's clocks
//! (`clippy.toml` forbids `Instant::now` and `SystemTime::now` elsewhere),
//! itself or through [`crate::platform::clock`], which picks the clock that
//! counts through suspend on each system.

use std::cell::Cell;
use std::ops::{Add, Sub};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A point on the session's monotonic timeline, measured from the clock's origin.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Moment(#[serde(with = "millis")] Duration);

impl Moment {
    /// The clock's origin.
    pub const ZERO: Moment = Moment(Duration::ZERO);

    /// A moment `d` after the origin.
    pub const fn from_origin(d: Duration) -> Moment {
        Moment(d)
    }

    /// A moment `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Moment {
        Moment(Duration::from_millis(ms))
    }

    /// A moment `s` seconds after the origin.
    pub const fn from_secs(s: u64) -> Moment {
        Moment(Duration::from_secs(s))
    }

    /// Time since the origin.
    pub const fn since_origin(self) -> Duration {
        self.0
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn since(self, earlier: Moment) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Duration> for Moment {
    type Output = Moment;
    fn add(self, d: Duration) -> Moment {
        Moment(self.0.saturating_add(d))
    }
}

impl Sub<Duration> for Moment {
    type Output = Moment;
    fn sub(self, d: Duration) -> Moment {
        Moment(self.0.saturating_sub(d))
    }
}

/// Moments travel through the journal as whole milliseconds.
mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Something that tells the time. The engine never asks one: the shell does and
/// passes the answer in.
pub trait Clock {
    /// The current moment.
    fn now(&self) -> Moment;
}

/// The operating system's monotonic clock, including time spent suspended.
///
/// On Linux this is `CLOCK_BOOTTIME`: `std::time::Instant` uses `CLOCK_MONOTONIC`,
/// which stops while the laptop sleeps (rust-lang/rust#87906), but the client is
/// still on the table. Wall-clock changes (NTP, the user setting the time) do not
/// move it. macOS and Windows: see [`crate::platform::clock`].
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Duration,
}

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> SystemClock {
        SystemClock {
            origin: boot_time(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Moment {
        Moment(boot_time().saturating_sub(self.origin))
    }
}

fn boot_time() -> Duration {
    crate::platform::clock::since_boot()
}

/// A clock that only moves when told to, for tests.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Cell<Moment>,
}

impl ManualClock {
    /// A clock at the origin.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        self.now.set(self.now.get() + d);
    }

    /// Sets the clock to a moment.
    pub fn set(&self, m: Moment) {
        self.now.set(m);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Moment {
        self.now.get()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Moment {
        (**self).now()
    }
}

/// Runs another clock `speed` times faster, for rehearsing a protocol.
#[derive(Debug, Clone)]
pub struct ScaledClock<C> {
    inner: C,
    speed: f64,
    /// Where on the session's timeline the inner clock's origin falls: zero
    /// for a new session, the last recorded moment for a resumed one.
    start: Duration,
}

impl<C: Clock> ScaledClock<C> {
    /// Wraps `inner`; `speed` must be positive and finite (the CLI checks it).
    pub fn new(inner: C, speed: f64) -> ScaledClock<C> {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        ScaledClock {
            inner,
            speed,
            start: Duration::ZERO,
        }
    }

    /// Like [`ScaledClock::new`], reading `start` when `inner` reads its
    /// origin: a resumed session carries on from its last recorded moment,
    /// and the time it was not running is left out.
    pub fn starting_at(inner: C, speed: f64, start: Moment) -> ScaledClock<C> {
        ScaledClock {
            start: start.since_origin(),
            ..ScaledClock::new(inner, speed)
        }
    }

    /// How many times faster than real time this clock runs.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// How long, in real time, until `m` on this clock's timeline.
    pub fn real_until(&self, m: Moment) -> Duration {
        m.since(self.now()).div_f64(self.speed)
    }
}

impl<C: Clock> Clock for ScaledClock<C> {
    fn now(&self) -> Moment {
        Moment(self.start + self.inner.now().since_origin().mul_f64(self.speed))
    }
}

/// The local time of day, for showing when a session will end. Only the
/// display uses it; no timer depends on the wall clock.
pub fn wall_time_of_day() -> Option<jiff::civil::Time> {
    Some(wall_now().time())
}

/// The system's wall-clock time, for comparing with file times.
#[allow(clippy::disallowed_methods)]
pub fn wall_system_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// The local date and time, for naming and stamping session logs.
#[allow(clippy::disallowed_methods)]
pub fn wall_now() -> jiff::Zoned {
    jiff::Timestamp::now().to_zoned(local_zone().clone())
}

/// The system time zone, found once. When `TZ` is unset, `/etc/localtime` is
/// read directly: looking the zone up by name makes jiff list the whole
/// zoneinfo database, which costs milliseconds of start-up time.
fn local_zone() -> &'static jiff::tz::TimeZone {
    use std::sync::OnceLock;
    static ZONE: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        if std::env::var_os("TZ").is_none()
            && let Ok(data) = std::fs::read("/etc/localtime")
            && let Ok(zone) = jiff::tz::TimeZone::tzif("localtime", &data)
        {
            return zone;
        }
        jiff::tz::TimeZone::system()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new();
        assert_eq!(c.now(), Moment::ZERO);
        c.advance(Duration::from_secs(5));
        assert_eq!(c.now(), Moment::from_secs(5));
    }

    #[test]
    fn scaled_clock_runs_faster_and_maps_back_to_real_time() {
        let c = ManualClock::new();
        let fast = ScaledClock::new(&c, 60.0);
        c.advance(Duration::from_secs(2));
        assert_eq!(fast.now(), Moment::from_secs(120));
        assert_eq!(
            fast.real_until(Moment::from_secs(180)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn a_resumed_clock_carries_on_from_its_start() {
        let c = ManualClock::new();
        let resumed = ScaledClock::starting_at(&c, 1.0, Moment::from_secs(754));
        assert_eq!(resumed.now(), Moment::from_secs(754));
        c.advance(Duration::from_secs(3));
        assert_eq!(resumed.now(), Moment::from_secs(757));
        assert_eq!(
            resumed.real_until(Moment::from_secs(760)),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn system_clock_is_monotonic() {
        let c = SystemClock::new();
        let a = c.now();
        let b = c.now();
        assert!(b >= a);
    }

    #[test]
    fn moments_serialise_as_milliseconds() {
        let m = Moment::from_origin(Duration::from_millis(1500));
        assert_eq!(serde_json::to_string(&m).unwrap(), "1500");
    }
}
