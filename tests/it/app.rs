//! Whole-app tests: the real event loop (`shell::run`) driven with `TestBackend`,
//! a manual clock and scripted keys. The scripted event source "sleeps" by
//! advancing the manual clock by the timeout the loop asked for, so these tests
//! also measure how often the loop wakes.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use stillpoint::audio::mix::MixCommand;
use stillpoint::audio::{AudioState, RecordingAudio};
use stillpoint::clock::{ManualClock, Moment, ScaledClock};
use stillpoint::protocol::Protocol;
use stillpoint::protocol::Region;
use stillpoint::session::engine::{Cue, Entry, Logged, Session};
use stillpoint::session::journal::{Journal, MemoryJournal};
use stillpoint::session::record::{Caution, Condition, Intake, Release};
use stillpoint::session::record::{LOG_VERSION, Opened};
use stillpoint::tui::events::{Events, Signals, Wake};
use stillpoint::tui::forms::IntakeForm;
use stillpoint::tui::shell::{App, AppBuilder, Edges, Exit, run};

const PROTOCOL: &str = r#"Protocol(version: 1, name: "App test", summary: "", steps: [
    Hold(name: "Feet", region: Feet, hands: "Heels", intent: "Settle", duration: "1m"),
    Transition(name: "Move to the head", duration: "20s"),
    Hold(name: "Occiput", region: Occiput, hands: "Fingertips", intent: "Soften",
         duration: "2m", max: "3m", advance: Manual),
])"#;

/// Keys to press at given moments of simulated time; between them the clock
/// advances by whatever timeout the loop asks for.
struct Script<'a> {
    clock: &'a ManualClock,
    keys: VecDeque<(Duration, KeyEvent)>,
    elapsed: Duration,
    wakes: Vec<Duration>,
    /// When to send SIGTERM (sets the stop flag), leaving the screen as it
    /// was for the test to read.
    stop_at: Option<(Duration, &'a AtomicBool)>,
    /// When the disk is full: from, until, and the flag the journal reads.
    full: Option<(Duration, Duration, Rc<Cell<bool>>)>,
}

impl Events for Script<'_> {
    fn next(&mut self, timeout: Duration) -> io::Result<Wake> {
        assert!(
            timeout > Duration::ZERO,
            "the loop must never poll without sleeping"
        );
        self.wakes.push(timeout);
        if let Some((from, until, flag)) = &self.full {
            flag.set(self.elapsed >= *from && self.elapsed < *until);
        }
        let next_key = self.keys.front().map(|(at, _)| *at);
        if let Some((at, flag)) = self.stop_at
            && at <= self.elapsed + timeout
            && next_key.is_none_or(|k| k > at)
        {
            self.clock.advance(at.saturating_sub(self.elapsed));
            self.elapsed = self.elapsed.max(at);
            flag.store(true, Ordering::Relaxed);
            return Ok(Wake::Signal);
        }
        if let Some((at, _)) = self.keys.front()
            && *at <= self.elapsed + timeout
        {
            let (at, key) = self.keys.pop_front().expect("front exists");
            let step = at.saturating_sub(self.elapsed);
            self.clock.advance(step);
            self.elapsed += step;
            return Ok(Wake::Key(key));
        }
        assert!(
            self.elapsed < Duration::from_secs(3 * 3600),
            "the script ran out of keys and the app never exited"
        );
        self.clock.advance(timeout);
        self.elapsed += timeout;
        Ok(Wake::Timeout)
    }
}

/// How many recorded entries match.
fn count(out: &Outcome, f: impl Fn(&Entry) -> bool) -> usize {
    out.journal.entries.iter().filter(|l| f(&l.entry)).count()
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

struct Outcome {
    exit: Exit,
    cues: Vec<Cue>,
    sent: Vec<MixCommand>,
    /// Every sound command with the moment it reached the audio.
    timed: Vec<(Moment, MixCommand)>,
    journal: MemoryJournal,
    wakes: Vec<Duration>,
    screen: String,
}

/// Runs the script, then skips the closing questions (Esc) and closes the
/// summary (Enter), so every session ends with a closed record.
fn drive(speed: f64, mut keys: Vec<(Duration, KeyEvent)>) -> Outcome {
    let end = keys.last().map_or(Duration::ZERO, |(at, _)| *at);
    keys.push((end + secs(1), key(KeyCode::Esc)));
    keys.push((end + secs(2), key(KeyCode::Enter)));
    drive_until(speed, keys, None)
}

/// Runs the script; with `stop`, a SIGTERM at that moment ends the run.
fn drive_until(speed: f64, keys: Vec<(Duration, KeyEvent)>, stop: Option<Duration>) -> Outcome {
    drive_with(speed, keys, stop, |app| app)
}

/// Like [`drive_until`], with the app set up by `setup` first.
fn drive_with(
    speed: f64,
    keys: Vec<(Duration, KeyEvent)>,
    stop: Option<Duration>,
    setup: impl FnOnce(AppBuilder) -> AppBuilder,
) -> Outcome {
    drive_core(speed, keys, stop, setup, None)
}

/// A journal in memory that refuses every entry while its disk is full,
/// keeping them in order to write when asked again, as the file journal
/// does.
struct Flaky {
    inner: MemoryJournal,
    full: Rc<Cell<bool>>,
    waiting: Vec<Logged>,
}

impl Journal for Flaky {
    fn append(&mut self, entry: &Logged) -> io::Result<()> {
        self.waiting.push(entry.clone());
        self.retry()
    }

    fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn retry(&mut self) -> io::Result<()> {
        if self.full.get() {
            return Err(io::Error::other("no space left on device"));
        }
        self.inner.entries.append(&mut self.waiting);
        Ok(())
    }

    fn opened(&self) -> Option<&Opened> {
        self.inner.opened()
    }
}

/// The whole app, its disk full from `from` until `until`.
fn drive_full_disk(keys: Vec<(Duration, KeyEvent)>, from: Duration, until: Duration) -> Outcome {
    drive_core(1.0, keys, None, |app| app, Some((from, until)))
}

fn drive_core(
    speed: f64,
    keys: Vec<(Duration, KeyEvent)>,
    stop: Option<Duration>,
    setup: impl FnOnce(AppBuilder) -> AppBuilder,
    full: Option<(Duration, Duration)>,
) -> Outcome {
    let disk_full = Rc::new(Cell::new(false));
    let signals = Signals::default();
    let protocol = Protocol::parse(PROTOCOL, Path::new("app.ron")).expect("valid");
    let mut app = setup(App::builder(Session::new(protocol)).speed(speed)).build();
    let manual = ManualClock::new();
    let clock = ScaledClock::new(&manual, speed);
    let mut script = Script {
        clock: &manual,
        keys: keys.into(),
        elapsed: Duration::ZERO,
        wakes: Vec::new(),
        stop_at: stop.map(|at| (at, &*signals.stop)),
        full: full.map(|(from, until)| (from, until, Rc::clone(&disk_full))),
    };
    let mut audio = RecordingAudio::timed(AudioState::Disabled, &clock);
    let inner = MemoryJournal {
        header: Some(Opened {
            version: LOG_VERSION,
            protocol: "App test".into(),
            source: "app.ron".into(),
            hash: String::new(),
            client: None,
            practice: false,
            speed: 1.0,
            opened: stillpoint::session::record::Stamp::parse("2026-11-23T09:00:00+01:00"),
            app: "test".into(),
        }),
        ..MemoryJournal::default()
    };
    let mut journal = Flaky {
        inner,
        full: disk_full,
        waiting: Vec::new(),
    };
    let nine: jiff::Zoned = "2026-11-23T09:00:00+01:00[+01:00]".parse().expect("zoned");
    let wall = || Some(nine.clone());
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    let exit = {
        let mut edges = Edges {
            audio: &mut audio,
            journal: &mut journal,
            wall: &wall,
            suspend: &|| Ok(()),
        };
        run(
            &mut terminal,
            &mut app,
            &clock,
            &mut script,
            &mut edges,
            &signals,
        )
        .expect("runs")
    };
    Outcome {
        exit,
        cues: audio.played(),
        sent: audio.sent(),
        timed: audio.sent_at().to_vec(),
        journal: journal.inner,
        wakes: script.wakes,
        screen: format!("{}", terminal.backend()),
    }
}

#[test]
fn a_whole_session_runs_hands_free_after_one_press() {
    // Space at 2 s starts; nothing else until q, y long after the max.
    let out = drive(
        1.0,
        vec![
            (secs(2), key(KeyCode::Char(' '))),
            (secs(400), key(KeyCode::Char('q'))),
            (secs(401), key(KeyCode::Char('y'))),
        ],
    );
    assert_eq!(out.exit, Exit::Closed);
    assert_eq!(
        out.cues,
        vec![
            Cue::SessionStart,
            Cue::EndingSoon,
            Cue::NextStep,
            Cue::NextStep,
            Cue::EndingSoon,
            Cue::Overtime,
            Cue::SessionComplete
        ]
    );
    assert!(
        out.screen.contains("Active time 4:20 · complete"),
        "{}",
        out.screen
    );
    let ended = count(&out, |e| matches!(e, Entry::StepEnded { .. }));
    assert_eq!(ended, 3);
}

#[test]
fn a_running_hold_wakes_about_once_a_second() {
    let out = drive(
        1.0,
        vec![
            (secs(1), key(KeyCode::Char(' '))),
            (secs(61), key(KeyCode::Char('q'))),
            (secs(62), key(KeyCode::Char('y'))),
        ],
    );
    // 62 simulated seconds; about one wake a second, never a busy loop.
    assert!(out.wakes.len() <= 70, "{} wakes", out.wakes.len());
    assert!(out.wakes.len() >= 55, "{} wakes", out.wakes.len());
}

#[test]
fn rehearsal_speed_redraws_at_most_four_times_a_second() {
    // At 100x the plan's 200 s pass in 2 real seconds.
    let out = drive(
        100.0,
        vec![
            (Duration::from_millis(100), key(KeyCode::Char(' '))),
            (secs(10), key(KeyCode::Char('q'))),
        ],
    );
    assert_eq!(out.exit, Exit::Closed, "finished sessions close on q");
    let min = out.wakes.iter().min().copied().unwrap_or_default();
    assert!(min >= Duration::from_millis(250), "woke after only {min:?}");
    assert!(out.cues.contains(&Cue::SessionComplete));
}

#[test]
fn pedal_keys_all_mean_next_and_a_cancelled_quit_changes_nothing() {
    let out = drive(
        1.0,
        vec![
            (secs(1), key(KeyCode::Enter)),
            (secs(2), key(KeyCode::PageDown)),
            (secs(3), key(KeyCode::Char('q'))),
            // A pedal press while "End this session?" shows cancels it only.
            (secs(4), key(KeyCode::Right)),
            (secs(5), key(KeyCode::Right)),
            (secs(6), key(KeyCode::Char('q'))),
            (secs(7), key(KeyCode::Char('y'))),
        ],
    );
    let started = count(&out, |e| matches!(e, Entry::StepStarted { .. }));
    assert_eq!(started, 3, "Enter starts, PageDown and one Right advance");
}

#[test]
fn pause_resume_volume_mute_and_the_end_reach_the_audio_in_order() {
    let out = drive(
        1.0,
        vec![
            (secs(1), key(KeyCode::Char(' '))),
            (secs(5), key(KeyCode::Char('p'))),
            (secs(9), key(KeyCode::Char('p'))),
            (secs(10), key(KeyCode::Char(']'))),
            (secs(11), key(KeyCode::Down)),
            (secs(12), key(KeyCode::Down)),
            (secs(13), key(KeyCode::Char('m'))),
            (secs(14), key(KeyCode::Char('q'))),
            (secs(15), key(KeyCode::Char('y'))),
        ],
    );
    let commands: Vec<MixCommand> = out
        .sent
        .into_iter()
        .filter(|c| !matches!(c, MixCommand::Cue(_)))
        .collect();
    assert_eq!(
        commands,
        vec![
            MixCommand::Pause(true),
            MixCommand::Pause(false),
            MixCommand::Mute(false),
            MixCommand::Volume(5),
            MixCommand::Mute(false),
            MixCommand::Volume(4),
            MixCommand::Mute(false),
            MixCommand::Volume(3),
            MixCommand::Mute(true),
            MixCommand::FadeOut,
        ]
    );
}

#[test]
fn without_sound_each_cue_shows_as_a_calm_frame_change() {
    // Stopped 3 s after the start cue: the visual cue is still showing.
    let out = drive_until(1.0, vec![(secs(1), key(KeyCode::Char(' ')))], Some(secs(4)));
    assert_eq!(out.exit, Exit::Signal);
    assert!(out.screen.contains("◆ cue"), "{}", out.screen);
}

#[test]
fn cues_and_fades_reach_the_audio_at_the_moments_the_engine_emits_them() {
    // Space at 2 s; the 1 min hold, the 20 s move and the manual 2 min hold
    // (max 3 min) then run by themselves.
    let out = drive(
        1.0,
        vec![
            (secs(2), key(KeyCode::Char(' '))),
            (secs(300), key(KeyCode::Char('q'))),
        ],
    );
    let want = [
        (2, MixCommand::Cue(Cue::SessionStart)),
        (52, MixCommand::Cue(Cue::EndingSoon)),
        (62, MixCommand::Cue(Cue::NextStep)),
        // No "ending soon" in a 20 s move: it would sound on top of its start.
        (82, MixCommand::Cue(Cue::NextStep)),
        (192, MixCommand::Cue(Cue::EndingSoon)),
        (202, MixCommand::Cue(Cue::Overtime)),
        // The max ends the hold at 82 + 180 s, before the first reminder.
        (262, MixCommand::Cue(Cue::SessionComplete)),
        (262, MixCommand::FadeOut),
    ];
    let got = &out.timed;
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((at, command), (due, wanted)) in got.iter().zip(want) {
        assert_eq!(*command, wanted);
        let due = Moment::from_secs(due);
        assert!(
            *at >= due && at.since(due) < Duration::from_millis(50),
            "{command:?} at {at:?}, due at {due:?}"
        );
    }
}

#[test]
fn notes_taps_still_points_and_volume_are_recorded_while_the_clock_runs() {
    let ms = Duration::from_millis;
    let out = drive(
        1.0,
        vec![
            (secs(1), key(KeyCode::Char(' '))),
            (secs(5), key(KeyCode::Char('n'))),
            (ms(5100), key(KeyCode::Char('s'))),
            (ms(5200), key(KeyCode::Char('o'))),
            (ms(5300), key(KeyCode::Char('f'))),
            (ms(5400), key(KeyCode::Char('t'))),
            (ms(5500), key(KeyCode::Backspace)),
            (ms(5600), key(KeyCode::Char('t'))),
            (secs(7), key(KeyCode::Enter)),
            (secs(10), key(KeyCode::Char('t'))),
            (secs(14), key(KeyCode::Char('t'))),
            (secs(18), key(KeyCode::Char('t'))),
            (secs(30), key(KeyCode::Char('s'))),
            (secs(42), key(KeyCode::Char('s'))),
            (secs(50), key(KeyCode::Char(']'))),
            (secs(51), key(KeyCode::Char('m'))),
            (secs(55), key(KeyCode::Char('q'))),
            (secs(56), key(KeyCode::Char('y'))),
        ],
    );
    let shell: Vec<(u64, Entry)> = out
        .journal
        .entries
        .iter()
        .filter(|l| {
            matches!(
                l.entry,
                Entry::Note { .. }
                    | Entry::Rhythm { .. }
                    | Entry::StillPointStarted { .. }
                    | Entry::StillPointEnded { .. }
                    | Entry::Audio { .. }
            )
        })
        .map(|l| {
            (
                l.at.since_origin().as_millis() as u64,
                without_time(&l.entry),
            )
        })
        .collect();
    // Every mark carries its active time and its time of day.
    for l in &out.journal.entries {
        if let Entry::Note { time, .. }
        | Entry::Rhythm { time, .. }
        | Entry::StillPointStarted { time, .. }
        | Entry::StillPointEnded { time, .. } = &l.entry
        {
            assert!(time.active.is_some() && time.wall.is_some(), "{l:?}");
        }
    }
    assert_eq!(
        shell,
        vec![
            (7000, Entry::note("soft")),
            (
                18_000,
                Entry::Rhythm {
                    cpm: 15.0,
                    taps: 3,
                    time: Default::default(),
                }
            ),
            (
                30_000,
                Entry::StillPointStarted {
                    step: 0,
                    time: Default::default(),
                }
            ),
            (
                42_000,
                Entry::StillPointEnded {
                    step: 0,
                    length: secs(12),
                    time: Default::default(),
                }
            ),
            (
                50_000,
                Entry::Audio {
                    volume: 5,
                    muted: false
                }
            ),
            (
                51_000,
                Entry::Audio {
                    volume: 5,
                    muted: true
                }
            ),
        ]
    );
    // Typing did not stop the clock: the first hold ran until the quit.
    let ended = out
        .journal
        .entries
        .iter()
        .find_map(|l| match l.entry {
            Entry::StepEnded { actual, .. } => Some(actual),
            _ => None,
        })
        .expect("the hold ended");
    assert_eq!(ended, secs(55));
}

#[test]
fn a_pedal_moves_on_even_while_a_note_is_being_typed() {
    let out = drive(
        1.0,
        vec![
            (secs(1), key(KeyCode::Char(' '))),
            (secs(5), key(KeyCode::Char('n'))),
            (secs(6), key(KeyCode::Char('x'))),
            (secs(7), key(KeyCode::PageDown)),
            (secs(8), key(KeyCode::Char('q'))),
            (secs(9), key(KeyCode::Esc)),
            (secs(10), key(KeyCode::Char('q'))),
            (secs(11), key(KeyCode::Char('y'))),
        ],
    );
    let started = count(&out, |e| matches!(e, Entry::StepStarted { .. }));
    assert_eq!(started, 2, "PageDown moved on");
    assert!(
        !out.journal
            .entries
            .iter()
            .any(|l| matches!(l.entry, Entry::Note { .. })),
        "Esc dropped the note"
    );
}

/// Keys typed one after another, 100 ms apart, from `at`.
fn typed(at: Duration, keys: &[KeyCode]) -> Vec<(Duration, KeyEvent)> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| (at + Duration::from_millis(100 * i as u64), key(*k)))
        .collect()
}

fn with_consultation(app: AppBuilder) -> AppBuilder {
    app.consultation(IntakeForm::new("App test", None))
}

#[test]
fn the_consultation_gates_the_start_and_its_answers_open_the_record() {
    use KeyCode::{Char, F, Tab};
    let mut keys = typed(secs(1), &[Char('A'), Char('B'), Tab, Char(' '), Tab, Tab]);
    keys.extend(typed(
        secs(2),
        &[Char('6'), Tab, Char('4'), Tab, Char(' '), F(10)],
    ));
    // Blocked: the concussion has no release yet. Recording one lets it start.
    keys.extend(typed(secs(3), &[Char(' ')]));
    keys.extend(typed(secs(4), &[Tab; 8]));
    keys.extend(typed(secs(5), &[Char(' '), F(10)]));
    keys.extend(typed(secs(10), &[Char(' ')]));
    keys.extend(typed(secs(30), &[Char('q'), Char('y')]));
    keys.extend(typed(secs(40), &[Char('3'), Tab, Char('2'), F(10)]));
    keys.extend(typed(secs(50), &[KeyCode::Enter]));
    let out = drive_with(1.0, keys, None, with_consultation);
    assert_eq!(out.exit, Exit::Closed);
    let entries: Vec<&Entry> = out.journal.entries.iter().map(|l| &l.entry).collect();
    let Entry::Intake(intake) = entries[0] else {
        panic!("the record opens with the consultation: {entries:#?}");
    };
    assert_eq!(
        *intake,
        Intake {
            client: "AB".into(),
            focus: vec![Region::Feet],
            focus_note: String::new(),
            pain: 6,
            stress: 4,
            releases: vec![Release {
                condition: Condition::RecentConcussion,
                released: true,
            }],
            cautions: vec![Caution::Elderly],
        }
    );
    assert_eq!(out.journal.entries[0].at, Moment::from_millis(5100));
    let Some(Entry::Closed(summary)) = entries.last() else {
        panic!("the record ends closed: {entries:#?}");
    };
    assert_eq!(summary.client.as_deref(), Some("AB"));
    assert_eq!(summary.protocol, "App test");
    assert_eq!(
        (summary.pain_before, summary.pain_after),
        (Some(6), Some(3))
    );
    assert_eq!(
        (summary.stress_before, summary.stress_after),
        (Some(4), Some(2))
    );
    assert_eq!(summary.active, Duration::from_millis(20_100));
    assert!(entries.iter().any(|e| matches!(
        e,
        Entry::Aftercare(a) if a.pain == Some(3) && a.stress == Some(2)
    )));
}

#[test]
fn a_contraindication_without_release_never_starts_a_session() {
    use KeyCode::{Char, F, Tab};
    let mut keys = typed(
        secs(1),
        &[Char('A'), Tab, Tab, Tab, Char('2'), Tab, Char('2')],
    );
    // Tick the brain aneurysm (the fourth condition), try to begin; then
    // cycle it through released and clear back to ticked: still blocked.
    keys.extend(typed(secs(2), &[Tab, Tab, Tab, Tab, Char(' '), F(10)]));
    keys.extend(typed(secs(3), &[Char(' '), Char(' '), Char(' '), F(10)]));
    let out = drive_with(1.0, keys, Some(secs(4)), with_consultation);
    assert!(
        out.screen.contains("The session can't start")
            && out
                .screen
                .contains("brain aneurysm needs a physician's release"),
        "{}",
        out.screen
    );
    assert!(out.journal.entries.is_empty(), "nothing is recorded");
    // Leaving the consultation (and saying so) leaves no record either.
    let keys = typed(secs(1), &[Char('A'), KeyCode::Esc, Char('y')]);
    let out = drive_with(1.0, keys, None, with_consultation);
    assert_eq!(out.exit, Exit::Closed);
    assert!(out.journal.entries.is_empty());
}

#[test]
fn cautions_show_on_the_dashboard_all_session() {
    use KeyCode::{Char, F, Tab};
    let mut keys = typed(
        secs(1),
        &[Char('A'), Tab, Tab, Tab, Char('2'), Tab, Char('2')],
    );
    // Past the seven conditions to the first caution (infant), then the
    // fourth (severe osteoporosis).
    keys.extend(typed(secs(2), &[Tab; 8]));
    keys.extend(typed(
        secs(4),
        &[Char(' '), Tab, Tab, Tab, Char(' '), F(10)],
    ));
    keys.extend(typed(secs(6), &[Char(' ')]));
    let out = drive_with(1.0, keys, Some(secs(100)), with_consultation);
    assert!(
        out.screen.contains("Care    infant, severe osteoporosis"),
        "{}",
        out.screen
    );
}

#[test]
fn a_remapped_next_key_drives_the_session_and_the_old_one_no_longer_does() {
    use stillpoint::settings::{Action, Bindings, Key, KeyMap};
    let mut bindings = Bindings::default();
    bindings.set(
        Action::Next,
        vec![
            Key::parse("F5").expect("a key"),
            Key::parse("b").expect("a key"),
        ],
    );
    // F5 (a foot pedal) and "b"; next's defaults (Space, Enter, →, PageDown)
    // are gone.
    let keys = KeyMap::from_bindings(&bindings).expect("no clash");
    let out = drive_with(
        1.0,
        vec![
            (secs(1), key(KeyCode::Char(' '))),
            (secs(2), key(KeyCode::F(5))),
            (secs(3), key(KeyCode::Char(' '))),
            (secs(4), key(KeyCode::Char('B'))),
            (secs(5), key(KeyCode::PageDown)),
            (secs(6), key(KeyCode::Char('q'))),
            (secs(7), key(KeyCode::Char('y'))),
            (secs(8), key(KeyCode::Esc)),
            (secs(9), key(KeyCode::Enter)),
        ],
        None,
        |app| app.keys(keys),
    );
    let started: Vec<u64> = out
        .journal
        .entries
        .iter()
        .filter(|l| matches!(l.entry, Entry::StepStarted { .. }))
        .map(|l| l.at.since_origin().as_secs())
        .collect();
    // Space did nothing; F5 started the session, "B" moved on; PageDown
    // (no longer next) did nothing.
    assert_eq!(started, vec![2, 4]);
    assert!(
        out.screen.contains("session summary"),
        "Enter still closes the summary: {}",
        out.screen
    );
}

// ---- nothing is lost ----

#[test]
fn notes_typed_on_a_full_disk_wait_in_order_and_are_written_when_space_returns() {
    use KeyCode::{Char, Enter};
    let mut keys = vec![(secs(2), key(Char(' ')))];
    keys.push((secs(10), key(Char('n'))));
    keys.extend(typed(secs(11), &[Char('a'), Enter]));
    keys.push((secs(20), key(Char('n'))));
    keys.extend(typed(secs(21), &[Char('b'), Enter]));
    keys.push((secs(40), key(Char('n'))));
    keys.extend(typed(secs(41), &[Char('c'), Enter]));
    keys.push((secs(400), key(Char('q'))));
    keys.push((secs(401), key(Char('y'))));
    keys.push((secs(402), key(KeyCode::Esc)));
    keys.push((secs(403), key(Enter)));
    let out = drive_full_disk(keys, secs(9), secs(30));
    assert_eq!(out.exit, Exit::Closed);
    let notes: Vec<&str> = out
        .journal
        .entries
        .iter()
        .filter_map(|l| match &l.entry {
            Entry::Note { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notes, ["a", "b", "c"]);
    // In order: the moments never go back, whatever waited.
    let ats: Vec<Moment> = out.journal.entries.iter().map(|l| l.at).collect();
    assert!(ats.windows(2).all(|w| w[0] <= w[1]), "{ats:?}");
    assert!(matches!(
        out.journal.entries.last().map(|l| &l.entry),
        Some(Entry::Closed(_))
    ));
}

#[test]
fn a_line_not_yet_on_disk_is_marked_and_the_status_says_so() {
    use KeyCode::{Char, Enter};
    let protocol = Protocol::parse(PROTOCOL, Path::new("app.ron")).expect("valid");
    let mut app = App::builder(Session::new(protocol)).build();
    let now = Moment::from_secs(5);
    let mut fx = app.on_key(&key(Char(' ')), now, None);
    for c in [Char('n'), Char('x'), Enter] {
        fx.extend(app.on_key(&key(c), now, None));
    }
    for effect in fx {
        if let stillpoint::session::engine::Effect::Log(l) = effect {
            app.recorded(l, None, Some(jiff::civil::time(9, 30, 0, 0)));
        }
    }
    let draw = |waiting| {
        let view = app.view(now, None, AudioState::Disabled, waiting);
        let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        t.draw(|f| f.render_widget(&view, f.area())).expect("draws");
        format!("{}", t.backend())
    };
    let unsaved = draw(1);
    assert!(
        unsaved.contains("record not saved: 1 entry kept in memory (marked *)"),
        "{unsaved}"
    );
    assert!(unsaved.contains("09:30*note: x"), "{unsaved}");
    let saved = draw(0);
    assert!(!saved.contains("record not saved"), "{saved}");
    assert!(saved.contains("09:30 note: x"), "{saved}");
}

#[test]
fn a_note_being_typed_when_the_last_step_ends_is_saved() {
    use KeyCode::Char;
    // The occiput hold runs to its max at 200 s (60 + 20 + 180 - its
    // start); a note is begun at 250 s and never finished.
    let mut keys = vec![(secs(2), key(Char(' ')))];
    keys.push((secs(250), key(Char('n'))));
    keys.extend(typed(secs(251), &[Char('h'), Char('i')]));
    keys.push((secs(300), key(KeyCode::Esc)));
    keys.push((secs(301), key(KeyCode::Enter)));
    let out = drive_until(1.0, keys, None);
    assert!(
        out.journal
            .entries
            .iter()
            .any(|l| matches!(&l.entry, Entry::Note { text, .. } if text == "hi")),
        "the draft became a note"
    );
}

#[test]
fn an_open_still_point_and_the_rhythm_survive_taking_the_session_up_again() {
    let protocol = Protocol::parse(PROTOCOL, Path::new("app.ron")).expect("valid");
    let mut live = Session::new(protocol.clone());
    let mut records: Vec<Logged> = Vec::new();
    for effect in live.handle(
        stillpoint::session::engine::Input::Next,
        Moment::from_secs(1),
    ) {
        if let stillpoint::session::engine::Effect::Log(l) = effect {
            records.push(l);
        }
    }
    let at = |s: u64, entry| Logged {
        at: Moment::from_secs(s),
        entry,
    };
    records.push(at(
        10,
        Entry::Rhythm {
            cpm: 9.5,
            taps: 4,
            time: Default::default(),
        },
    ));
    records.push(at(
        20,
        Entry::StillPointStarted {
            step: 0,
            time: Default::default(),
        },
    ));
    let session = Session::replay(protocol, &records);
    let app = App::builder(session)
        .recall(&records)
        .take_up(
            Moment::from_secs(30),
            "2026-11-23T09:30:00+01:00[+01:00]".parse().expect("zoned"),
        )
        .build();
    let view = app.view(Moment::from_secs(30), None, AudioState::Disabled, 0);
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| f.render_widget(&view, f.area())).expect("draws");
    let screen = format!("{}", t.backend());
    assert!(screen.contains("still point 0:10"), "{screen}");
    assert!(screen.contains("rhythm 9.5/min"), "{screen}");
}

/// An entry with its mark time left out, to compare what was marked.
fn without_time(entry: &Entry) -> Entry {
    let mut e = entry.clone();
    if let Entry::Note { time, .. }
    | Entry::Rhythm { time, .. }
    | Entry::StillPointStarted { time, .. }
    | Entry::StillPointEnded { time, .. } = &mut e
    {
        *time = Default::default();
    }
    e
}

#[test]
fn the_closing_questions_say_how_the_session_ended() {
    use KeyCode::Char;
    let protocol = Protocol::parse(PROTOCOL, Path::new("app.ron")).expect("valid");
    let mut app = App::builder(Session::new(protocol)).build();
    let now = Moment::from_secs(5);
    let mut fx = app.on_key(&key(Char(' ')), now, None);
    fx.extend(app.on_key(&key(Char('q')), now, None));
    fx.extend(app.on_key(&key(Char('y')), now, None));
    for effect in fx {
        if let stillpoint::session::engine::Effect::Log(l) = effect {
            app.recorded(l, None, None);
        }
    }
    let mut t = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    t.draw(|f| app.render_screen(f.area(), f.buffer_mut()))
        .expect("draws");
    let screen = format!("{}", t.backend());
    assert!(
        screen.contains("The session was ended early, at step 1 of 3."),
        "{screen}"
    );
    assert!(!screen.contains("The holds are done"), "{screen}");
}

#[test]
fn the_keys_overlay_closes_when_the_step_changes() {
    // Space starts at 2 s, ? opens the keys at 10 s; the first hold (1 m)
    // ends by itself at 62 s.
    let keys = || {
        vec![
            (secs(2), key(KeyCode::Char(' '))),
            (secs(10), key(KeyCode::Char('?'))),
        ]
    };
    let open = drive_until(1.0, keys(), Some(secs(30)));
    assert!(open.screen.contains("pause / resume"), "{}", open.screen);
    let moved_on = drive_until(1.0, keys(), Some(secs(65)));
    assert!(
        !moved_on.screen.contains("pause / resume"),
        "the overlay still covers the new step:\n{}",
        moved_on.screen
    );
    assert!(
        moved_on.screen.contains("Move to the head"),
        "{}",
        moved_on.screen
    );
}

#[test]
fn a_client_reference_corrected_in_the_consultation_is_the_one_recorded() {
    use KeyCode::{BackTab, Backspace, Char, F, Tab};
    // Started with --client XY (the form opens on the focus areas, the
    // reference filled in); the therapist goes back up and corrects it to CD.
    let mut keys = typed(
        secs(1),
        &[
            BackTab,
            Backspace,
            Backspace,
            Char('C'),
            Char('D'),
            Tab,
            Tab,
            Tab,
        ],
    );
    keys.extend(typed(secs(2), &[Char('5'), Tab, Char('5'), F(10)]));
    keys.extend(typed(secs(10), &[Char(' ')]));
    keys.extend(typed(secs(30), &[Char('q'), Char('y')]));
    keys.extend(typed(secs(40), &[Char('3'), Tab, Char('2'), F(10)]));
    keys.extend(typed(secs(50), &[KeyCode::Enter]));
    let out = drive_with(1.0, keys, None, |app| {
        app.client(Some("XY".into()))
            .consultation(IntakeForm::new("App test", Some("XY".into())))
    });
    let entries: Vec<&Entry> = out.journal.entries.iter().map(|l| &l.entry).collect();
    let Entry::Intake(intake) = entries[0] else {
        panic!("the record opens with the consultation: {entries:#?}");
    };
    assert_eq!(intake.client, "CD");
    let Some(Entry::Closed(summary)) = entries.last() else {
        panic!("the record ends closed: {entries:#?}");
    };
    assert_eq!(summary.client.as_deref(), Some("CD"));
    // The summary screen names the corrected client, never the first one.
    assert!(out.screen.contains("Client CD ·"), "{}", out.screen);
    assert!(!out.screen.contains("XY"), "{}", out.screen);
}

#[test]
fn a_rehearsal_taken_up_again_shows_its_lines_at_the_times_they_happened() {
    use stillpoint::session::record::Stamp;
    // A rehearsal at 60×, opened at 09:00: an hour on the session clock is
    // a minute of real time, so the step that began 3600 s in began at
    // 09:01, never at 10:00.
    let opened = Opened {
        version: LOG_VERSION,
        protocol: "App test".into(),
        source: "app.ron".into(),
        hash: String::new(),
        client: None,
        practice: true,
        speed: 60.0,
        opened: Stamp::parse("2026-11-23T09:00:00+01:00"),
        app: "test".into(),
    };
    let at = Moment::from_secs;
    let records = vec![
        Logged {
            at: at(0),
            entry: Entry::Opened(opened),
        },
        Logged {
            at: at(0),
            entry: Entry::SessionStarted {
                protocol: "App test".into(),
                steps: 3,
                planned: secs(200),
            },
        },
        Logged {
            at: at(0),
            entry: Entry::StepStarted {
                step: 0,
                name: "Feet".into(),
                region: Some(Region::Feet),
                planned: secs(60),
            },
        },
        Logged {
            at: at(3600),
            entry: Entry::StepStarted {
                step: 1,
                name: "Move to the head".into(),
                region: None,
                planned: secs(20),
            },
        },
    ];
    let protocol = Protocol::parse(PROTOCOL, Path::new("app.ron")).expect("valid");
    let later: jiff::Zoned = "2026-11-23T11:30:00+01:00[+01:00]".parse().expect("zoned");
    let app = App::builder(Session::replay(protocol, &records))
        .speed(60.0)
        .practice(true)
        .recall(&records)
        .take_up(at(3601), later)
        .build();
    let view = app.view(at(3601), None, AudioState::Disabled, 0);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|f| f.render_widget(&view, f.area()))
        .expect("draws");
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("Last    09:01 2. Move to the head"),
        "{screen}"
    );
    assert!(!screen.contains("10:00"), "{screen}");
}
