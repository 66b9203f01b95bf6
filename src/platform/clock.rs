//! The operating system clock behind [`crate::clock::SystemClock`]: one that
//! keeps counting while the laptop is suspended (the client is still on the
//! table) and that wall-clock changes (NTP, the user setting the time) never
//! move.
//!
//! - Linux: `CLOCK_BOOTTIME`. `std::time::Instant` reads `CLOCK_MONOTONIC`,
//!   which stops during suspend (rust-lang/rust#87906).
//! - macOS: `CLOCK_MONOTONIC_RAW`, which is `mach_continuous_time` in
//!   nanoseconds and counts through sleep. `Instant` there reads
//!   `CLOCK_UPTIME_RAW` (`mach_absolute_time`), which stops during sleep.
//!   Darwin's man page says its `CLOCK_MONOTONIC` counts through sleep as
//!   well; the raw clock is chosen because Apple names it as
//!   `mach_continuous_time`'s equivalent, and libc++ moved `steady_clock`
//!   to it for the same reason (LLVM review D74341). Unlike Linux's
//!   boot-time clock it is not slewed by NTP: a crystal's few parts per
//!   million are nothing over a session.
//! - Windows: `QueryPerformanceCounter`, which Microsoft documents as the
//!   ticks since Windows started, including time in sleep, hibernation and
//!   connected standby. `QueryUnbiasedInterruptTime` is the one that leaves
//!   those out: the wrong one here. `QueryInterruptTimePrecise` (the biased
//!   interrupt time) would count through sleep too, but wine, on which CI
//!   runs the Windows build, does not implement it.
//! - Other Unix systems (untested): `CLOCK_MONOTONIC`.
//!
//! This and `src/clock.rs` are the only places that read a system clock.

use std::time::Duration;

/// Time since a fixed point (boot, on the systems above), including time
/// spent suspended. Only differences between two readings mean anything.
pub fn since_boot() -> Duration {
    imp::since_boot()
}

/// The name of the clock [`since_boot`] reads, for messages and tests.
pub const SOURCE: &str = imp::SOURCE;

#[cfg(any(target_os = "linux", target_os = "android"))]
mod imp {
    use std::time::Duration;

    pub const SOURCE: &str = "CLOCK_BOOTTIME";

    pub fn since_boot() -> Duration {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
        Duration::new(
            u64::try_from(t.tv_sec).unwrap_or(0),
            u32::try_from(t.tv_nsec).unwrap_or(0),
        )
    }
}

#[cfg(target_vendor = "apple")]
mod imp {
    use std::time::Duration;

    pub const SOURCE: &str = "CLOCK_MONOTONIC_RAW";

    pub fn since_boot() -> Duration {
        // rustix names only the POSIX clocks on Apple systems, so this one
        // goes through libc.
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is a valid, writable timespec; CLOCK_MONOTONIC_RAW
        // exists on every macOS Rust supports (10.12 and later).
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_RAW, &mut t) };
        if rc != 0 {
            return Duration::ZERO;
        }
        Duration::new(
            u64::try_from(t.tv_sec).unwrap_or(0),
            u32::try_from(t.tv_nsec).unwrap_or(0),
        )
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "linux", target_os = "android", target_vendor = "apple"))
))]
mod imp {
    use std::time::Duration;

    pub const SOURCE: &str = "CLOCK_MONOTONIC";

    pub fn since_boot() -> Duration {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
        Duration::new(
            u64::try_from(t.tv_sec).unwrap_or(0),
            u32::try_from(t.tv_nsec).unwrap_or(0),
        )
    }
}

#[cfg(windows)]
mod imp {
    use std::sync::OnceLock;
    use std::time::Duration;

    use windows_sys::Win32::System::Performance::{
        QueryPerformanceCounter, QueryPerformanceFrequency,
    };

    pub const SOURCE: &str = "QueryPerformanceCounter";

    pub fn since_boot() -> Duration {
        // Fixed at boot, so asked once.
        static PER_SECOND: OnceLock<i64> = OnceLock::new();
        let per_second = *PER_SECOND.get_or_init(|| {
            let mut f = 0i64;
            // SAFETY: the function only writes the i64 it is given; it
            // cannot fail on Windows XP and later.
            unsafe { QueryPerformanceFrequency(&mut f) };
            f
        });
        let mut ticks = 0i64;
        // SAFETY: as above.
        unsafe { QueryPerformanceCounter(&mut ticks) };
        from_ticks(ticks, per_second)
    }

    /// `ticks` of a counter that runs at `per_second`, as a duration.
    pub fn from_ticks(ticks: i64, per_second: i64) -> Duration {
        let (Ok(ticks), Ok(per_second)) = (u64::try_from(ticks), u64::try_from(per_second)) else {
            return Duration::ZERO;
        };
        if per_second == 0 {
            return Duration::ZERO;
        }
        let nanos = u128::from(ticks % per_second) * 1_000_000_000 / u128::from(per_second);
        Duration::new(ticks / per_second, nanos as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_only_moves_forward() {
        let a = since_boot();
        std::thread::sleep(Duration::from_millis(20));
        let b = since_boot();
        assert!(b >= a + Duration::from_millis(15), "{a:?} then {b:?}");
    }

    /// A test cannot suspend the machine, so it checks instead that the
    /// clock is the one the kernel counts through suspend: `/proc/uptime`
    /// is kept on the boot-time clock, and `CLOCK_MONOTONIC` (which stops
    /// during suspend) is never ahead of it.
    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_it_is_the_clock_that_counts_through_suspend() {
        assert_eq!(SOURCE, "CLOCK_BOOTTIME");
        let stops_in_suspend =
            |t: rustix::time::Timespec| Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        let mono = stops_in_suspend(rustix::time::clock_gettime(
            rustix::time::ClockId::Monotonic,
        ));
        let ours = since_boot();
        assert!(ours >= mono, "{ours:?} is behind CLOCK_MONOTONIC {mono:?}");
        if let Ok(text) = std::fs::read_to_string("/proc/uptime") {
            let uptime: f64 = text
                .split_whitespace()
                .next()
                .and_then(|s| s.parse().ok())
                .expect("/proc/uptime starts with seconds");
            let gap = (ours.as_secs_f64() - uptime).abs();
            assert!(gap < 1.0, "{ours:?} vs /proc/uptime {uptime} s");
        }
    }

    /// Under Windows the unbiased interrupt time leaves sleep out, so the
    /// performance counter, read after it, is never behind it (by more than
    /// the interrupt time's coarse tick). Both start at boot.
    #[cfg(windows)]
    #[test]
    fn on_windows_it_is_the_counter_that_counts_through_sleep() {
        use windows_sys::Win32::System::WindowsProgramming::QueryUnbiasedInterruptTime;
        assert_eq!(SOURCE, "QueryPerformanceCounter");
        let mut unbiased = 0u64;
        // SAFETY: the function only writes the u64 it is given.
        unsafe { QueryUnbiasedInterruptTime(&mut unbiased) };
        let ours = since_boot();
        let unbiased = Duration::from_nanos(unbiased.saturating_mul(100));
        assert!(
            ours + Duration::from_millis(50) >= unbiased,
            "{ours:?} is behind the unbiased interrupt time {unbiased:?}"
        );
        assert_eq!(
            imp::from_ticks(12_345_678, 10_000_000),
            Duration::new(1, 234_567_800)
        );
        assert_eq!(imp::from_ticks(3, 0), Duration::ZERO);
    }
}
