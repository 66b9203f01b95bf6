//! Staying awake. With the recording stand-in: the real loop runs while the
//! hold is kept, its words on the status line, and the hold is released
//! after. On Linux, the real inhibitor against private buses
//! (`dbus-daemon` with a configuration of the test's own, so nothing on the
//! machine is activated) where a stand-in logind and screen saver, written
//! here with the dbus crate, answer or keep silent; and the real binary,
//! which holds the laptop awake through them, lets go when the session
//! ends, and says so calmly on its status line where there is no logind.

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use stillpoint::audio::{AudioState, RecordingAudio};
use stillpoint::awake::{Event, Part, RecordingInhibitor, Status, hold_with};
use stillpoint::clock::{ManualClock, Moment, ScaledClock};
use stillpoint::protocol::Protocol;
use stillpoint::session::engine::Session;
use stillpoint::session::journal::MemoryJournal;
use stillpoint::tui::events::{Events, Signals, Wake};
use stillpoint::tui::shell::{App, Edges, Exit, run};

const PROTOCOL: &str = r#"Protocol(version: 1, name: "Awake test", summary: "", steps: [
    Hold(name: "Feet", region: Feet, hands: "Heels", intent: "Settle", duration: "1m"),
])"#;

/// Keys pressed one a wake, each wake checking the hold is kept (or, with
/// `--allow-sleep`, that nothing is).
struct HeldKeys<'a> {
    keys: VecDeque<KeyCode>,
    inhibitor: &'a RecordingInhibitor,
    held: bool,
}

impl Events for HeldKeys<'_> {
    fn next(&mut self, _timeout: Duration) -> io::Result<Wake> {
        assert_eq!(
            self.inhibitor.is_held(),
            self.held,
            "while the session runs"
        );
        let key = self
            .keys
            .pop_front()
            .expect("the app exits before the keys run out");
        Ok(Wake::Key(KeyEvent::new(key, KeyModifiers::NONE)))
    }
}

/// The real loop, with a hold taken as `run_dashboard` takes it.
fn session_under(inhibitor: &RecordingInhibitor, allow_sleep: bool) -> String {
    let awake = hold_with(&mut inhibitor.clone(), allow_sleep);
    let protocol = Protocol::parse(PROTOCOL, Path::new("awake.ron")).expect("valid");
    let mut app = App::builder(Session::new(protocol))
        .awake(awake.words())
        .build();
    let manual = ManualClock::new();
    let clock = ScaledClock::new(&manual, 1.0);
    let mut audio = RecordingAudio::new(AudioState::Disabled);
    let mut journal = MemoryJournal::default();
    let wall = || None;
    let mut edges = Edges {
        audio: &mut audio,
        journal: &mut journal,
        wall: &wall,
        suspend: &|| Ok(()),
    };
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    // Space starts, q and y end, Esc skips the closing questions, Enter
    // closes the summary.
    let mut keys = HeldKeys {
        keys: [' ', 'q', 'y'].map(KeyCode::Char).into_iter().collect(),
        inhibitor,
        held: !allow_sleep,
    };
    keys.keys.extend([KeyCode::Esc, KeyCode::Enter]);
    let signals = Signals::default();
    let exit = run(
        &mut terminal,
        &mut app,
        &clock,
        &mut keys,
        &mut edges,
        &signals,
    );
    assert_eq!(exit.expect("runs"), Exit::Closed);
    drop(awake);
    // The loop's last frame is the summary: draw the dashboard as it was.
    let view = app.view(Moment::ZERO, None, AudioState::Disabled, 0);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    terminal
        .draw(|f| f.render_widget(&view, f.area()))
        .expect("draws");
    format!("{}", terminal.backend())
}

#[test]
fn the_hold_is_kept_while_the_session_runs_and_released_after() {
    let inhibitor = RecordingInhibitor::new(Status::Asked {
        sleep: Part::Held,
        screen: Part::NotHeld("no desktop session"),
    });
    let screen = session_under(&inhibitor, false);
    assert_eq!(inhibitor.events(), [Event::Held, Event::Released]);
    assert!(
        screen.contains("sleep held awake; screen: no desktop session"),
        "{screen}"
    );
}

#[test]
fn allow_sleep_holds_nothing_and_the_status_line_says_so() {
    let inhibitor = RecordingInhibitor::new(Status::Asked {
        sleep: Part::Held,
        screen: Part::Held,
    });
    let screen = session_under(&inhibitor, true);
    assert_eq!(inhibitor.events(), []);
    assert!(screen.contains("sleep allowed (--allow-sleep)"), "{screen}");
}

#[cfg(target_os = "linux")]
mod linux {
    // These tests watch real processes and real timeouts, so they read
    // real time.
    #![allow(clippy::disallowed_methods)]

    use std::io::{BufRead, BufReader, PipeReader};
    use std::os::fd::OwnedFd;
    use std::process::{Child, Command, Stdio};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, PoisonError};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    use dbus::blocking::Connection;
    use dbus::channel::Channel;
    use dbus::message::MessageType;
    use dbus::{Message, strings::ErrorName};
    use stillpoint::awake::Inhibitor;
    use stillpoint::awake::linux::Desktop;

    use super::{Part, Status};
    use crate::support::{Pane, eventually};

    /// A message bus of the test's own, at a socket in a temporary folder.
    struct Bus {
        child: Child,
        address: String,
        _dir: tempfile::TempDir,
    }

    impl Bus {
        /// Starts `dbus-daemon` and waits until it listens.
        fn start() -> Bus {
            let dir = tempfile::tempdir().expect("temp dir");
            let address = format!("unix:path={}", dir.path().join("bus").display());
            // No service folders: a name nobody owns is unknown, never started.
            let config = format!(
                "<busconfig><type>session</type><listen>{address}</listen>\
                 <auth>EXTERNAL</auth><policy context=\"default\">\
                 <allow send_destination=\"*\"/><allow receive_sender=\"*\"/>\
                 <allow own=\"*\"/></policy></busconfig>"
            );
            let config_path = dir.path().join("bus.conf");
            std::fs::write(&config_path, config).expect("config written");
            let mut child = Command::new("dbus-daemon")
                .arg(format!("--config-file={}", config_path.display()))
                .args(["--nofork", "--print-address=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("dbus-daemon is needed for these tests (apt-get install dbus-daemon)");
            // It prints its address once it listens.
            let mut line = String::new();
            let stdout = child.stdout.take().expect("piped");
            BufReader::new(stdout)
                .read_line(&mut line)
                .expect("dbus-daemon's address");
            assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
            Bus {
                child,
                address,
                _dir: dir,
            }
        }
    }

    impl Drop for Bus {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// What the stand-in services were asked.
    #[derive(Debug, Default)]
    struct Seen {
        /// logind's `Inhibit` arguments, one list per call.
        inhibits: Vec<[String; 4]>,
        /// The read ends of the locks handed out: a lock is released when every
        /// write end is closed.
        locks: Vec<PipeReader>,
        /// `ScreenSaver.Inhibit` calls, as (application, reason).
        savers: Vec<(String, String)>,
        /// Cookies given back with `UnInhibit`.
        uninhibited: Vec<u32>,
    }

    /// The cookie the stand-in screen saver hands out.
    const COOKIE: u32 = 41;

    /// A stand-in logind and screen saver on a bus, served from a thread
    /// until dropped.
    struct Services {
        seen: Arc<Mutex<Seen>>,
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    }

    impl Services {
        /// Owns `names` on `bus` and answers them; `silent` takes every call
        /// and answers none.
        fn serve(bus: &Bus, names: &[&str], silent: bool) -> Services {
            let mut channel = Channel::open_private(&bus.address).expect("connects");
            channel.register().expect("registers");
            let connection = Connection::from(channel);
            for name in names {
                connection
                    .request_name(*name, false, true, true)
                    .expect("owns the name");
            }
            let seen = Arc::new(Mutex::new(Seen::default()));
            let stop = Arc::new(AtomicBool::new(false));
            let (s, st) = (Arc::clone(&seen), Arc::clone(&stop));
            let thread = std::thread::spawn(move || {
                while !st.load(Ordering::Relaxed) {
                    let _ = connection
                        .channel()
                        .read_write(Some(Duration::from_millis(20)));
                    while let Some(message) = connection.channel().pop_message() {
                        let reply = answer(&message, &mut lock(&s));
                        if let Some(reply) = reply.filter(|_| !silent) {
                            let _ = connection.channel().send(reply);
                        }
                    }
                }
            });
            Services {
                seen,
                stop,
                thread: Some(thread),
            }
        }

        fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
            lock(&self.seen)
        }
    }

    impl Drop for Services {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    fn lock(seen: &Mutex<Seen>) -> std::sync::MutexGuard<'_, Seen> {
        seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the stand-ins answer `message`, noting what was asked.
    fn answer(message: &Message, seen: &mut Seen) -> Option<Message> {
        if message.msg_type() != MessageType::MethodCall {
            return None;
        }
        let interface = message.interface().map(|i| i.to_string());
        let member = message.member().map(|m| m.to_string());
        match (interface.as_deref()?, member.as_deref()?) {
            ("org.freedesktop.login1.Manager", "Inhibit") => {
                let (what, who, why, mode): (String, String, String, String) =
                    message.read4().ok()?;
                seen.inhibits.push([what, who, why, mode]);
                let (reader, writer) = std::io::pipe().ok()?;
                seen.locks.push(reader);
                // libdbus sends a copy of the write end; this one closes here.
                Some(message.method_return().append1(OwnedFd::from(writer)))
            }
            ("org.freedesktop.ScreenSaver", "Inhibit") => {
                let (app, why): (String, String) = message.read2().ok()?;
                seen.savers.push((app, why));
                Some(message.method_return().append1(COOKIE))
            }
            ("org.freedesktop.ScreenSaver", "UnInhibit") => {
                seen.uninhibited.push(message.read1().ok()?);
                (!message.get_no_reply()).then(|| message.method_return())
            }
            _ => {
                let name = ErrorName::new("org.freedesktop.DBus.Error.UnknownMethod").ok()?;
                Some(message.error(&name, c"not a method of this stand-in"))
            }
        }
    }

    /// True once every write end of `lock` is closed, waiting at most `limit`.
    fn released(lock: &PipeReader, limit: Duration) -> bool {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let timeout = Timespec {
            tv_sec: i64::try_from(limit.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(limit.subsec_nanos()),
        };
        let mut fds = [PollFd::new(lock, PollFlags::IN)];
        matches!(poll(&mut fds, Some(&timeout)), Ok(1)) && fds[0].revents().contains(PollFlags::HUP)
    }

    const LOGIND: &str = "org.freedesktop.login1";
    const SAVER: &str = "org.freedesktop.ScreenSaver";

    #[test]
    fn sleep_and_screen_are_held_until_the_guard_drops() {
        let (system, session) = (Bus::start(), Bus::start());
        let logind = Services::serve(&system, &[LOGIND], false);
        let saver = Services::serve(&session, &[SAVER], false);
        let mut desktop = Desktop::at(Some(&system.address), Some(&session.address));
        let (status, guard) = desktop.hold();
        assert_eq!(status.words(), "sleep and screen held awake");
        assert_eq!(
            logind.seen().inhibits,
            [["idle:sleep", "stillpoint", "Session running", "block"].map(str::to_owned)]
        );
        assert_eq!(
            saver.seen().savers,
            [("stillpoint".to_owned(), "Session running".to_owned())]
        );
        assert!(
            !released(&logind.seen().locks[0], Duration::from_millis(100)),
            "the lock must be held while the guard lives"
        );
        drop(guard);
        assert!(released(&logind.seen().locks[0], Duration::from_secs(2)));
        assert!(
            eventually(Duration::from_secs(2), || saver.seen().uninhibited
                == [COOKIE]),
            "the cookie was not given back: {:?}",
            saver.seen()
        );
    }

    #[test]
    fn a_bus_without_the_services_says_which_is_missing() {
        let bus = Bus::start();
        let (status, _guard) = Desktop::at(Some(&bus.address), Some(&bus.address)).hold();
        assert_eq!(
            status,
            Status::Asked {
                sleep: Part::NotHeld("no logind"),
                screen: Part::NotHeld("no screen saver service"),
            }
        );
        let saver = Services::serve(&bus, &[SAVER], false);
        let (status, _guard) = Desktop::at(Some(&bus.address), Some(&bus.address)).hold();
        assert_eq!(status.words(), "screen held awake; sleep: no logind");
        assert_eq!(saver.seen().savers.len(), 1);
    }

    #[test]
    fn a_logind_that_never_answers_is_given_up_after_two_seconds() {
        let bus = Bus::start();
        let logind = Services::serve(&bus, &[LOGIND], true);
        let started = Instant::now();
        let (status, _guard) = Desktop::at(Some(&bus.address), None).hold();
        let waited = started.elapsed();
        assert_eq!(
            status,
            Status::Asked {
                sleep: Part::NotHeld("logind did not answer"),
                screen: Part::NotHeld("no desktop session"),
            }
        );
        assert_eq!(logind.seen().inhibits.len(), 1, "logind was asked");
        assert!(
            (Duration::from_millis(1500)..Duration::from_secs(4)).contains(&waited),
            "waited {waited:?}"
        );
    }

    #[test]
    fn a_bus_that_never_speaks_is_given_up_after_two_seconds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("bus");
        // Connections queue in the backlog and are never accepted or answered.
        let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bound");
        let address = format!("unix:path={}", socket.display());
        let started = Instant::now();
        let (status, _guard) = Desktop::at(None, Some(&address)).hold();
        let waited = started.elapsed();
        assert_eq!(
            status.words(),
            "not held awake: no system bus (logind)",
            "{status:?}"
        );
        assert_eq!(
            status,
            Status::Asked {
                sleep: Part::NotHeld("no system bus (logind)"),
                screen: Part::NotHeld("the session bus did not answer"),
            }
        );
        assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    }

    /// The shell prefix that points the binary at these buses and no others.
    fn buses(system: &str, session: &str) -> String {
        format!(
            "unset XDG_RUNTIME_DIR; export DBUS_SYSTEM_BUS_ADDRESS='{system}' \
             DBUS_SESSION_BUS_ADDRESS='{session}' DISPLAY=:99;"
        )
    }

    #[test]
    fn without_logind_the_session_runs_and_says_so_calmly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spawned = dir.path().join("spawned");
        // A session address that would start a program: it must never run.
        let session = format!(
            "unixexec:path=/usr/bin/touch,argv0=touch,argv1={}",
            spawned.display()
        );
        let system = format!("unix:path={}", dir.path().join("no-bus").display());
        let args = ["practice", "still-point-10", "--no-audio"];
        let pane = Pane::start("awake-none", 100, 30, &args, &buses(&system, &session));
        pane.wait_for("press space");
        pane.wait_for("audio off (--no-audio) · not held awake: no system bus (logind)");
        pane.keys(&["Space"]);
        pane.wait_for("running");
        assert!(pane.screen().contains("not held awake"));
        quit(&pane);
        assert!(
            !spawned.exists(),
            "a process was started for the session bus"
        );
        let stderr = std::fs::read_to_string(pane.path("stderr.txt")).expect("stderr");
        assert!(stderr.trim().is_empty(), "printed: {stderr}");
    }

    #[test]
    fn the_session_holds_the_laptop_awake_and_lets_go_when_it_ends() {
        let (system, session) = (Bus::start(), Bus::start());
        let logind = Services::serve(&system, &[LOGIND], false);
        let saver = Services::serve(&session, &[SAVER], false);
        let args = ["practice", "still-point-10", "--no-audio"];
        let prefix = buses(&system.address, &session.address);
        let pane = Pane::start("awake-held", 100, 30, &args, &prefix);
        pane.wait_for("press space");
        pane.wait_for("sleep and screen held awake");
        assert!(!released(
            &logind.seen().locks[0],
            Duration::from_millis(100)
        ));
        quit(&pane);
        assert!(released(&logind.seen().locks[0], Duration::from_secs(2)));
        assert!(eventually(Duration::from_secs(2), || saver
            .seen()
            .uninhibited
            == [COOKIE]));
    }

    #[test]
    fn allow_sleep_asks_for_nothing_and_says_so() {
        let bus = Bus::start();
        let logind = Services::serve(&bus, &[LOGIND, SAVER], false);
        let args = ["practice", "still-point-10", "--no-audio", "--allow-sleep"];
        let pane = Pane::start(
            "awake-allow",
            100,
            30,
            &args,
            &buses(&bus.address, &bus.address),
        );
        pane.wait_for("press space");
        pane.wait_for("sleep allowed (--allow-sleep)");
        quit(&pane);
        let seen = logind.seen();
        assert!(
            seen.inhibits.is_empty() && seen.savers.is_empty(),
            "{seen:?}"
        );
    }

    /// Starts the practice session if it waits for a press, ends it, closes
    /// its summary, and waits for the exit.
    fn quit(pane: &Pane) {
        if pane.screen().contains("press space") {
            pane.keys(&["Space"]);
            pane.wait_for("running");
        }
        pane.keys(&["q"]);
        pane.wait_for("End this session now?");
        pane.keys(&["y"]);
        pane.wait_for("session summary");
        pane.keys(&["Enter"]);
        assert_eq!(pane.wait_exit(), 0, "{}", pane.screen());
        pane.assert_restored();
    }
}
