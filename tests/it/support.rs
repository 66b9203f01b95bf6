//! Helpers shared by the tests that run the real binary: a tmux pane to run
//! it in and read its screen, and a private PulseAudio server with a paced
//! null sink to play into.

// These helpers watch real processes, so they wait on real time.
#![allow(clippy::disallowed_methods, dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_stillpoint");

/// Whether tmux is here to drive the binary in; see [`have`].
pub fn have_tmux() -> bool {
    have("tmux", &["-V"], "tmux")
}

/// Whether PulseAudio is here to play into; see [`have`].
pub fn have_pulseaudio() -> bool {
    have(
        "pulseaudio",
        &["--version"],
        "pulseaudio libasound2-plugins",
    )
}

/// Whether `tool` runs. When it does not, the test says it is skipped and
/// why, so `cargo test` passes on a machine without it; where
/// `STILLPOINT_REQUIRE_ALL` is set (as `.ci/run` does) it fails instead.
fn have(tool: &str, probe: &[&str], packages: &str) -> bool {
    if Command::new(tool).args(probe).output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("STILLPOINT_REQUIRE_ALL").is_none(),
        "{tool} is needed here (apt-get install {packages}), and \
         STILLPOINT_REQUIRE_ALL says no test may be skipped"
    );
    eprintln!("skipped: {tool} is not installed (apt-get install {packages})");
    false
}

/// One tmux server with one pane running a command.
pub struct Pane {
    socket: String,
    dir: tempfile::TempDir,
}

impl Pane {
    /// Starts `args` in a `w`×`h` pane. The command runs under `sh` so that,
    /// after it exits, `stty -a` records whether the terminal was restored.
    pub fn start(name: &str, w: u16, h: u16, args: &[&str], sh_prefix: &str) -> Pane {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is needed for the end-to-end tests (apt-get install tmux)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = format!("sp-{name}-{}", std::process::id());
        let d = dir.path();
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let script = format!(
            "{sh_prefix} cd '{d}'; echo $$ > pid; \
             STILLPOINT_DATA=\"${{STILLPOINT_DATA:-{d}/data}}\" NO_COLOR=1 \
             STILLPOINT_CONFIG=\"${{STILLPOINT_CONFIG:-{d}/config.ron}}\" \
             '{BIN}' {args} 2> stderr.txt; echo $? > status; stty -a > stty.txt; sleep 30",
            d = d.display(),
            args = quoted.join(" ")
        );
        let ok = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", &w.to_string(), "-y", &h.to_string()])
            .args(["sh", "-c", &script])
            .status()
            .expect("tmux runs");
        assert!(ok.success());
        Pane { socket, dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
    }

    pub fn keys(&self, keys: &[&str]) {
        if let Some(i) = keys.iter().position(|k| *k == "Escape") {
            assert_eq!(
                i + 1,
                keys.len(),
                "Escape then another key in one go reads as Alt-key: wait between them"
            );
        }
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// A practice of the bundled 10-minute protocol, silent, its first
    /// hold started and running.
    pub fn practising(name: &str, width: u16, height: u16) -> Pane {
        let pane = Pane::start(
            name,
            width,
            height,
            &["practice", "still-point-10", "--no-audio"],
            "",
        );
        pane.wait_for("press space");
        pane.keys(&["Space"]);
        pane.wait_for("running");
        pane
    }

    /// Answers the consultation (started with `--client`): pain 5, stress
    /// 4, nothing ticked; waits for the dashboard.
    pub fn consult(&self) -> String {
        self.wait_for("consultation ·");
        self.keys(&["Tab", "Tab", "5", "Tab", "4", "F10"]);
        self.wait_for("press space")
    }

    /// Skips the closing questions, closes the summary, and waits for the
    /// app to exit.
    pub fn close_record(&self) -> i32 {
        self.wait_for("closing questions");
        self.keys(&["Escape"]);
        self.wait_for("session summary");
        self.keys(&["Enter"]);
        self.wait_exit()
    }

    /// Waits until the screen contains `text`.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {text:?}; it shows:\n{s}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen no longer contains `text` (an overlay closed).
    /// Escape must be seen to act before the next key is sent: a terminal
    /// reads Escape and a letter arriving together as Alt-letter.
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.screen().contains(text) {
            assert!(Instant::now() < deadline, "{text:?} never went away");
            sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the binary to exit and returns its status.
    pub fn wait_exit(&self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.path("stty.txt").exists() {
            assert!(
                Instant::now() < deadline,
                "stillpoint did not exit; the screen shows:\n{}",
                self.screen()
            );
            sleep(Duration::from_millis(50));
        }
        sleep(Duration::from_millis(50));
        std::fs::read_to_string(self.path("status"))
            .expect("status")
            .trim()
            .parse()
            .expect("a number")
    }

    pub fn shell_pid(&self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(p) = std::fs::read_to_string(self.path("pid"))
                && let Ok(p) = p.trim().parse()
            {
                return p;
            }
            assert!(Instant::now() < deadline, "no pid");
            sleep(Duration::from_millis(20));
        }
    }

    /// The stillpoint process: the shell's child.
    pub fn app_pid(&self) -> u32 {
        let shell = self.shell_pid();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
                .unwrap_or_default();
            if let Some(p) = children
                .split_whitespace()
                .next()
                .and_then(|p| p.parse().ok())
            {
                return p;
            }
            assert!(Instant::now() < deadline, "no child of the shell");
            sleep(Duration::from_millis(20));
        }
    }

    pub fn journal(&self) -> String {
        let dir = self.path("data/sessions");
        let mut text = String::new();
        for e in std::fs::read_dir(&dir).expect("a log folder") {
            text += &std::fs::read_to_string(e.expect("entry").path()).expect("log");
        }
        text
    }

    /// Asserts the terminal is back in its normal state: cooked mode, echo on,
    /// the main screen, the cursor visible.
    pub fn assert_restored(&self) {
        let stty = std::fs::read_to_string(self.path("stty.txt")).expect("stty output");
        let words: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig"] {
            assert!(words.contains(&flag), "{flag} is off after exit:\n{stty}");
        }
        assert_eq!(
            self.tmux(&["display", "-p", "-t", "0", "#{alternate_on}"])
                .trim(),
            "0",
            "still on the alternate screen"
        );
        assert_eq!(
            self.tmux(&["display", "-p", "-t", "0", "#{cursor_flag}"])
                .trim(),
            "1",
            "cursor still hidden"
        );
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        // The wrapper shell waits in `sleep` so the pane stays readable; end it.
        if let Some(pid) = std::fs::read_to_string(self.path("pid"))
            .ok()
            .and_then(|p| p.trim().parse::<u32>().ok())
        {
            let _ = Command::new("kill")
                .args(["-9", "--", &format!("-{pid}")])
                .output();
        }
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

/// Waits for `pid` to end, failing with `what` if it still runs after
/// `within`.
pub fn ends_within(pid: u32, within: std::time::Duration, what: &str) {
    let deadline = std::time::Instant::now() + within;
    while alive(pid) {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A PulseAudio server of the test's own, whose only output is a null sink
/// paced at 48 kHz, as `../shared/tools/pulse-null-sink.sh` starts one.
pub struct PulseServer {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PulseServer {
    /// Starts the server and waits for its socket.
    pub fn start() -> PulseServer {
        assert!(
            Command::new("pulseaudio").arg("--version").output().is_ok(),
            "pulseaudio is needed for the sound-server tests \
             (apt-get install pulseaudio libasound2-plugins)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(
            d.join("default.pa"),
            format!(
                "load-module module-native-protocol-unix auth-anonymous=1 socket={}/native\n\
                 load-module module-null-sink sink_name=nullsink rate=48000\n\
                 set-default-sink nullsink\n",
                d.display()
            ),
        )
        .expect("config written");
        let mut server = PulseServer { dir, child: None };
        server.restart();
        server
    }

    /// The value for `PULSE_SERVER`.
    pub fn address(&self) -> String {
        format!("unix:{}/native", self.dir.path().display())
    }

    /// Starts the server again (after [`PulseServer::kill`]).
    pub fn restart(&mut self) {
        let d = self.dir.path();
        let _ = std::fs::remove_file(d.join("native"));
        let child = Command::new("pulseaudio")
            .args(["-n", "-F"])
            .arg(d.join("default.pa"))
            .args([
                "--exit-idle-time=-1",
                "--daemonize=no",
                "--system=false",
                "--disallow-exit",
            ])
            .env("HOME", d)
            .env("XDG_RUNTIME_DIR", d)
            .env("XDG_CONFIG_HOME", d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !d.join("native").exists() {
            assert!(Instant::now() < deadline, "pulseaudio made no socket");
            sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// CPU time of process `pid` so far, in clock ticks (user + system).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after the name.
    field(11) + field(12)
}

/// Waits until `f` holds, for at most `limit`.
pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(50));
    }
}
