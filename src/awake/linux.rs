//! Linux: logind's sleep lock on the system bus and the desktop's screen
//! saver inhibition on the session bus, through libdbus.
//!
//! - logind's `Inhibit("idle:sleep", …, "block")` answers with a file
//!   descriptor, and holds the lock while it is open: the guard keeps only
//!   that descriptor, and the system bus connection is closed at once.
//! - GNOME (and COSMIC) ignore logind's idle locks and honour
//!   `org.freedesktop.ScreenSaver.Inhibit`, which lasts while the caller's
//!   connection does: that connection is kept, and `UnInhibit` is sent on
//!   release without waiting for an answer, so leaving never waits on the
//!   desktop.
//! - Every call waits at most [`TIMEOUT`]. libdbus's own registration
//!   (`dbus_bus_register`) waits 25 s for the bus's answer to `Hello`, so the
//!   `Hello` is sent here, as an ordinary call.
//! - Connections are opened to addresses worked out here, never through
//!   libdbus's bus lookup: that starts `dbus-launch` when `DISPLAY` is set
//!   and no session address is, and does not look for the session bus in
//!   `$XDG_RUNTIME_DIR/bus`, where systemd puts it. Only `unix:` addresses
//!   are used: `autolaunch:` and `unixexec:` start a process, and a `tcp:`
//!   connect can outwait any timeout.
//! - libdbus starts no threads and no timers, and the kept connection is
//!   never read, so a hold costs no wake-ups. Connections opened this way do
//!   not end the process when their bus goes away.

use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::Duration;

use dbus::Message;
use dbus::blocking::Connection;
use dbus::channel::Channel;
use dbus::message::MessageType;

use super::{Guard, Inhibitor, Part, Status};
use crate::clock::{Clock, SystemClock};

/// The longest any one call waits for an answer.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// Where libdbus itself looks for the system bus when no address is set.
const SYSTEM_BUS: &str = "unix:path=/var/run/dbus/system_bus_socket";

const BUS: &str = "org.freedesktop.DBus";
const BUS_PATH: &str = "/org/freedesktop/DBus";
const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const LOGIND_MANAGER: &str = "org.freedesktop.login1.Manager";
const SAVER: &str = "org.freedesktop.ScreenSaver";
const SAVER_PATH: &str = "/org/freedesktop/ScreenSaver";

/// What is held, who holds it and why, as `systemd-inhibit --list` and
/// the desktop's own lists show them.
const WHAT: &str = "idle:sleep";
const WHO: &str = "stillpoint";
const WHY: &str = "Session running";

/// The two buses to ask, by address; `None` where there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desktop {
    system: Option<String>,
    session: Option<String>,
}

impl Desktop {
    /// The buses this process's environment names: the system bus at
    /// `DBUS_SYSTEM_BUS_ADDRESS` or libdbus's default place, the session bus
    /// at `DBUS_SESSION_BUS_ADDRESS` or else `$XDG_RUNTIME_DIR/bus`, if that
    /// exists.
    pub fn from_env() -> Desktop {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Desktop::from_vars(
            var("DBUS_SYSTEM_BUS_ADDRESS"),
            var("DBUS_SESSION_BUS_ADDRESS"),
            var("XDG_RUNTIME_DIR"),
        )
    }

    /// The buses at these D-Bus addresses (for tests against private
    /// buses); entries that are not `unix:` are left out.
    pub fn at(system: Option<&str>, session: Option<&str>) -> Desktop {
        Desktop {
            system: system.and_then(unix_only),
            session: session.and_then(unix_only),
        }
    }

    fn from_vars(
        system: Option<String>,
        session: Option<String>,
        runtime_dir: Option<String>,
    ) -> Desktop {
        let system = system.unwrap_or_else(|| SYSTEM_BUS.to_owned());
        let session = session.or_else(|| {
            let socket = Path::new(&runtime_dir?).join("bus");
            let path = socket.to_str()?;
            socket
                .exists()
                .then(|| format!("unix:path={}", escape(path)))
        });
        Desktop::at(Some(&system), session.as_deref())
    }
}

impl Inhibitor for Desktop {
    fn hold(&mut self) -> (Status, Box<dyn Guard>) {
        let (sleep, lock) = match sleep_lock(self.system.as_deref()) {
            Ok(fd) => (Part::Held, Some(fd)),
            Err(failure) => (Part::NotHeld(failure.sleep_words()), None),
        };
        let (screen, saver) = match screen_lock(self.session.as_deref()) {
            Ok(saver) => (Part::Held, Some(saver)),
            Err(failure) => (Part::NotHeld(failure.screen_words()), None),
        };
        let held = Held {
            _lock: lock,
            _saver: saver,
        };
        (Status::Asked { sleep, screen }, Box::new(held))
    }
}

/// What a hold keeps: logind's descriptor and the screen saver's cookie.
struct Held {
    _lock: Option<OwnedFd>,
    _saver: Option<ScreenSaver>,
}

impl Guard for Held {}

/// Why a half was not held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No bus at the address, or none to look for.
    NoBus,
    /// A bus that did not take the connection and answer `Hello` in time.
    BusSilent,
    /// A bus without the service.
    NoService,
    /// The service did not answer in time.
    NoAnswer,
    /// The service answered with an error (e.g. polkit said no).
    Refused,
}

impl Failure {
    fn of(e: &dbus::Error) -> Failure {
        match e.name().unwrap_or_default() {
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner" => Failure::NoService,
            "org.freedesktop.DBus.Error.NoReply"
            | "org.freedesktop.DBus.Error.Timeout"
            | "org.freedesktop.DBus.Error.TimedOut" => Failure::NoAnswer,
            _ => Failure::Refused,
        }
    }

    fn sleep_words(self) -> &'static str {
        match self {
            Failure::NoBus => "no system bus (logind)",
            Failure::BusSilent => "the system bus did not answer",
            Failure::NoService => "no logind",
            Failure::NoAnswer => "logind did not answer",
            Failure::Refused => "logind refused",
        }
    }

    fn screen_words(self) -> &'static str {
        match self {
            Failure::NoBus => "no desktop session",
            Failure::BusSilent => "the session bus did not answer",
            Failure::NoService => "no screen saver service",
            Failure::NoAnswer => "the screen saver did not answer",
            Failure::Refused => "the screen saver refused",
        }
    }
}

/// A connection to the bus at `address`, registered with it (its answer to
/// `Hello` read) within [`TIMEOUT`].
///
/// libdbus's blocking calls first flush what they send, and until the bus
/// has authenticated the connection that flush waits with no limit: a bus
/// that accepts and never speaks would hold the session forever. So the
/// `Hello` is queued, and its answer read, here, in steps that each wait at
/// most what is left of the timeout. Later calls find the connection
/// authenticated, and their own timeouts hold.
fn connect(address: Option<&str>) -> Result<Connection, Failure> {
    let address = address.ok_or(Failure::NoBus)?;
    let channel = Channel::open_private(address).map_err(|_| Failure::NoBus)?;
    let hello =
        Message::new_method_call(BUS, BUS_PATH, BUS, "Hello").map_err(|_| Failure::NoBus)?;
    let serial = channel.send(hello).map_err(|()| Failure::NoBus)?;
    let clock = SystemClock::new();
    let start = clock.now();
    loop {
        let left = TIMEOUT.saturating_sub(clock.now().since(start));
        if left.is_zero() {
            return Err(Failure::BusSilent);
        }
        // Err: the bus closed the connection.
        channel
            .read_write(Some(left))
            .map_err(|()| Failure::NoBus)?;
        while let Some(message) = channel.pop_message() {
            if message.get_reply_serial() == Some(serial) {
                return match message.msg_type() {
                    MessageType::MethodReturn => Ok(Connection::from(channel)),
                    _ => Err(Failure::NoBus),
                };
            }
        }
    }
}

/// logind's lock against idle and sleep: held while the descriptor is open.
fn sleep_lock(address: Option<&str>) -> Result<OwnedFd, Failure> {
    let bus = connect(address)?;
    let logind = bus.with_proxy(LOGIND, LOGIND_PATH, TIMEOUT);
    let (fd,): (OwnedFd,) = logind
        .method_call(LOGIND_MANAGER, "Inhibit", (WHAT, WHO, WHY, "block"))
        .map_err(|e| Failure::of(&e))?;
    Ok(fd)
}

/// The desktop's screen saver inhibition: held while `bus` is connected
/// and until `cookie` is given back.
struct ScreenSaver {
    bus: Connection,
    cookie: u32,
}

fn screen_lock(address: Option<&str>) -> Result<ScreenSaver, Failure> {
    let bus = connect(address)?;
    let saver = bus.with_proxy(SAVER, SAVER_PATH, TIMEOUT);
    let (cookie,): (u32,) = saver
        .method_call(SAVER, "Inhibit", (WHO, WHY))
        .map_err(|e| Failure::of(&e))?;
    Ok(ScreenSaver { bus, cookie })
}

impl Drop for ScreenSaver {
    fn drop(&mut self) {
        // Closing the connection ends the inhibition as well; saying so
        // also covers a desktop that tracks cookies only. No answer is
        // awaited, and any failure is the desktop's to forget.
        if let Ok(message) = Message::new_method_call(SAVER, SAVER_PATH, SAVER, "UnInhibit") {
            let mut message = message.append1(self.cookie);
            message.set_no_reply(true);
            if self.bus.channel().send(message).is_ok() {
                self.bus.channel().flush();
            }
        }
    }
}

/// The `unix:` entries of a D-Bus address list (entries are tried in
/// order, separated by `;`), or `None` if there are none.
fn unix_only(address: &str) -> Option<String> {
    let kept: Vec<&str> = address
        .split(';')
        .filter(|entry| entry.starts_with("unix:"))
        .collect();
    (!kept.is_empty()).then(|| kept.join(";"))
}

/// A value for a D-Bus address: bytes other than the few allowed as they
/// are written as `%xx`.
fn escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'-' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'_' | b'/' | b'.' | b'\\' | b'*' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02x}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(system: Option<&str>, session: Option<&str>, runtime: Option<&str>) -> Desktop {
        let own = |v: Option<&str>| v.map(str::to_owned);
        Desktop::from_vars(own(system), own(session), own(runtime))
    }

    #[test]
    fn the_system_bus_is_where_libdbus_looks_unless_set() {
        assert_eq!(vars(None, None, None).system.as_deref(), Some(SYSTEM_BUS));
        let set = vars(Some("unix:path=/tmp/sys"), None, None);
        assert_eq!(set.system.as_deref(), Some("unix:path=/tmp/sys"));
    }

    #[test]
    fn the_session_bus_is_found_in_the_runtime_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = dir.path().join("user 1000");
        std::fs::create_dir(&runtime).expect("folder");
        let runtime = runtime.to_str().expect("utf-8");
        assert_eq!(vars(None, None, Some(runtime)).session, None);
        std::fs::write(Path::new(runtime).join("bus"), "").expect("socket stand-in");
        let found = vars(None, None, Some(runtime)).session.expect("found");
        assert_eq!(found, format!("unix:path={}", escape(runtime) + "/bus"));
        assert!(found.ends_with("/user%201000/bus"), "{found}");
        let named = vars(None, Some("unix:abstract=/tmp/x"), Some(runtime));
        assert_eq!(named.session.as_deref(), Some("unix:abstract=/tmp/x"));
    }

    #[test]
    fn addresses_that_start_a_process_or_dial_out_are_never_used() {
        assert_eq!(unix_only("autolaunch:"), None);
        assert_eq!(unix_only("unixexec:path=/usr/bin/touch,argv1=/tmp/x"), None);
        assert_eq!(unix_only("tcp:host=example.org,port=1"), None);
        assert_eq!(
            unix_only("autolaunch:;unix:path=/run/bus;tcp:host=h,port=1"),
            Some("unix:path=/run/bus".to_owned())
        );
        let desktop = vars(Some("autolaunch:"), Some("unixexec:path=/bin/sh"), None);
        assert_eq!(desktop, Desktop::at(None, None));
    }

    #[test]
    fn no_bus_is_said_calmly_and_at_once() {
        let (status, guard) = Desktop::at(None, None).hold();
        assert_eq!(
            status,
            Status::Asked {
                sleep: Part::NotHeld("no system bus (logind)"),
                screen: Part::NotHeld("no desktop session"),
            }
        );
        drop(guard);
        let missing = "unix:path=/nonexistent/stillpoint-test/bus";
        let (status, _guard) = Desktop::at(Some(missing), Some(missing)).hold();
        assert_eq!(status.words(), "not held awake: no system bus (logind)");
    }
}
