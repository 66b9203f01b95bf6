//! Engine tests: every scenario runs on a manual clock, so a 90-minute session
//! takes milliseconds.

use super::*;
use crate::clock::{Clock, ManualClock, ScaledClock};
use std::path::Path;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// Three steps: an auto hold (2 min), a transition (20 s), a manual hold
/// (3 min target, 5 min max).
const THREE: &str = r#"Protocol(version: 1, name: "Three", summary: "", steps: [
    Hold(name: "Feet", region: Feet, hands: "h", intent: "i", duration: "2m"),
    Transition(name: "Move", duration: "20s"),
    Hold(name: "Occiput", region: Occiput, hands: "h", intent: "i",
         duration: "3m", min: "1m", max: "5m", advance: Manual),
])"#;

fn session(text: &str) -> Session {
    Session::new(Protocol::parse(text, Path::new("t.ron")).expect("valid test protocol"))
}

fn cues(fx: &[Effect]) -> Vec<Cue> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Cue(c) => Some(*c),
            _ => None,
        })
        .collect()
}

fn entries(fx: &[Effect]) -> Vec<Logged> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Log(l) => Some(l.clone()),
            _ => None,
        })
        .collect()
}

/// Ticks every `step` until `until`, collecting every effect.
fn run(s: &mut Session, clock: &ManualClock, step: Duration, until: Moment) -> Vec<Effect> {
    let mut fx = Vec::new();
    while clock.now() < until {
        clock.advance(step);
        fx.extend(s.handle(Input::Tick, clock.now()));
    }
    fx
}

#[test]
fn ready_waits_for_next_and_ticks_change_nothing() {
    let mut s = session(THREE);
    assert_eq!(s.phase(), Phase::Ready);
    assert!(s.handle(Input::Tick, Moment::from_secs(600)).is_empty());
    assert_eq!(s.session_elapsed(Moment::from_secs(600)), Duration::ZERO);
    assert_eq!(s.session_remaining(Moment::ZERO), SECS(320));
    let fx = s.handle(Input::Next, Moment::from_secs(600));
    assert_eq!(cues(&fx), vec![Cue::SessionStart]);
    assert_eq!(s.phase(), Phase::Running);
    assert_eq!(s.step_remaining(Moment::from_secs(600)), SignedSecs(120));
}

#[test]
fn auto_steps_advance_with_cues_at_the_exact_moment() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    let fx = s.handle(Input::Tick, Moment::from_secs(110));
    assert_eq!(cues(&fx), vec![Cue::EndingSoon]);
    let fx = s.handle(Input::Tick, Moment::from_secs(121));
    assert_eq!(cues(&fx), vec![Cue::NextStep]);
    assert_eq!(s.current(), 1);
    let ended = entries(&fx);
    assert_eq!(
        ended[0].at,
        Moment::from_secs(120),
        "ended when due, not at the tick"
    );
    assert!(matches!(
        ended[0].entry,
        Entry::StepEnded { actual, by: EndedBy::Auto, .. } if actual == SECS(120)
    ));
    // The transition started at 120 s, so 1 s of it has gone.
    assert_eq!(s.step_remaining(Moment::from_secs(121)), SignedSecs(19));
}

#[test]
fn a_short_transition_gets_no_ending_soon_cue() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    let clock = ManualClock::new();
    let fx = run(&mut s, &clock, SECS(1), Moment::from_secs(140));
    assert_eq!(
        cues(&fx),
        vec![Cue::EndingSoon, Cue::NextStep, Cue::NextStep]
    );
}

#[test]
fn manual_hold_goes_into_overtime_then_next() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    let clock = ManualClock::new();
    run(&mut s, &clock, SECS(1), Moment::from_secs(140));
    assert_eq!(s.current(), 2);
    let fx = run(&mut s, &clock, SECS(1), Moment::from_secs(140 + 180));
    assert_eq!(cues(&fx), vec![Cue::EndingSoon, Cue::Overtime]);
    assert_eq!(s.phase(), Phase::Overtime);
    clock.advance(SECS(45));
    assert_eq!(s.step_remaining(clock.now()), SignedSecs(-45));
    assert_eq!(s.session_remaining(clock.now()), Duration::ZERO);
    let fx = s.handle(Input::Next, clock.now());
    assert_eq!(cues(&fx), vec![Cue::SessionComplete]);
    assert!(s.is_finished());
    assert_eq!(s.step_actual(2, clock.now()), SECS(225));
}

#[test]
fn manual_hold_moves_on_at_its_max() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    // One very late tick (a suspended laptop) catches everything up.
    let fx = s.handle(Input::Tick, Moment::from_secs(10_000));
    assert_eq!(
        cues(&fx),
        vec![
            Cue::NextStep,
            Cue::NextStep,
            Cue::Overtime,
            Cue::SessionComplete
        ]
    );
    assert_eq!(
        s.phase(),
        Phase::Finished {
            at: Moment::from_secs(140 + 300),
            completed: true
        }
    );
    assert_eq!(s.session_elapsed(Moment::from_secs(10_000)), SECS(440));
}

#[test]
fn pause_is_excluded_exactly() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Pause, Moment::from_millis(30_500));
    assert!(s.is_paused());
    // Nothing moves while paused, however long.
    assert!(s.handle(Input::Tick, Moment::from_secs(5_000)).is_empty());
    assert_eq!(
        s.step_elapsed(Moment::from_secs(5_000)),
        Duration::from_millis(30_500)
    );
    let fx = s.handle(Input::Resume, Moment::from_millis(90_500));
    assert!(matches!(
        entries(&fx)[0].entry,
        Entry::Resumed { paused_for, .. } if paused_for == SECS(60)
    ));
    assert_eq!(s.step_elapsed(Moment::from_millis(100_000)), SECS(40));
    assert_eq!(s.session_elapsed(Moment::from_millis(100_000)), SECS(40));
    // The step now ends 60 s later than planned, on the dot.
    let fx = s.handle(Input::Tick, Moment::from_secs(200));
    assert_eq!(entries(&fx)[0].at, Moment::from_secs(180));
}

#[test]
fn pause_in_overtime_resumes_in_overtime() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Tick, Moment::from_secs(330));
    assert_eq!(s.phase(), Phase::Overtime);
    s.handle(Input::Pause, Moment::from_secs(330));
    s.handle(Input::Resume, Moment::from_secs(400));
    assert_eq!(s.phase(), Phase::Overtime);
    assert_eq!(s.step_remaining(Moment::from_secs(400)), SignedSecs(-10));
}

#[test]
fn extend_and_shorten_move_the_target_within_bounds() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Extend, Moment::from_secs(10));
    assert_eq!(s.step_target(), SECS(150));
    s.handle(Input::Shorten, Moment::from_secs(10));
    s.handle(Input::Shorten, Moment::from_secs(10));
    assert_eq!(s.step_target(), SECS(90));
    // Shortening never goes below the time already held: the auto step ends now.
    let fx = s.handle(Input::Shorten, Moment::from_secs(80));
    assert_eq!(s.current(), 1, "{fx:?}");
    assert_eq!(
        entries(&fx).last().map(|l| l.at),
        Some(Moment::from_secs(80))
    );
}

#[test]
fn manual_hold_respects_min_and_max_when_nudged() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Tick, Moment::from_secs(141));
    assert_eq!(s.current(), 2);
    for _ in 0..10 {
        s.handle(Input::Shorten, Moment::from_secs(141));
    }
    assert_eq!(s.step_target(), SECS(60), "min is 1m");
    for _ in 0..20 {
        s.handle(Input::Extend, Moment::from_secs(141));
    }
    assert_eq!(s.step_target(), SECS(300), "max is 5m");
}

#[test]
fn extend_in_overtime_returns_to_running_for_thirty_seconds() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Tick, Moment::from_secs(140 + 200));
    assert_eq!(s.phase(), Phase::Overtime);
    let fx = s.handle(Input::Extend, Moment::from_secs(140 + 200));
    assert_eq!(s.phase(), Phase::Running);
    assert_eq!(
        s.step_remaining(Moment::from_secs(140 + 200)),
        SignedSecs(30)
    );
    assert!(fx.contains(&Effect::Redraw));
    let fx = s.handle(Input::Tick, Moment::from_secs(140 + 231));
    assert_eq!(cues(&fx), vec![Cue::Overtime]);
}

#[test]
fn back_and_next_at_the_edges() {
    let mut s = session(THREE);
    // Back before starting does nothing.
    assert!(s.handle(Input::Back, Moment::ZERO).is_empty());
    s.handle(Input::Next, Moment::ZERO);
    // Back on the first step restarts it; the time held so far is kept.
    s.handle(Input::Back, Moment::from_secs(50));
    assert_eq!(s.current(), 0);
    assert_eq!(s.step_remaining(Moment::from_secs(50)), SignedSecs(120));
    assert_eq!(s.step_actual(0, Moment::from_secs(60)), SECS(60));
    assert_eq!(s.step_status(0), StepStatus::Current);
    // Next through to the end, then next does nothing more.
    s.handle(Input::Next, Moment::from_secs(60));
    s.handle(Input::Next, Moment::from_secs(61));
    assert_eq!(s.step_status(0), StepStatus::Done);
    assert_eq!(s.step_status(2), StepStatus::Current);
    s.handle(Input::Next, Moment::from_secs(70));
    assert!(s.is_finished());
    assert!(s.handle(Input::Next, Moment::from_secs(71)).is_empty());
    // Back from finished reopens the last hold; the gap is not counted.
    s.handle(Input::Back, Moment::from_secs(100));
    assert_eq!(s.current(), 2);
    assert_eq!(s.phase(), Phase::Running);
    assert_eq!(s.session_elapsed(Moment::from_secs(100)), SECS(70));
}

#[test]
fn quit_closes_the_step_and_the_session() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Pause, Moment::from_secs(30));
    let fx = s.handle(Input::Quit, Moment::from_secs(90));
    let e = entries(&fx);
    assert!(
        matches!(e[1].entry, Entry::StepEnded { actual, by: EndedBy::Quit, .. } if actual == SECS(30))
    );
    assert!(
        matches!(e[2].entry, Entry::SessionEnded { completed: false, active } if active == SECS(30))
    );
    assert!(s.is_finished());
}

#[test]
fn a_ninety_minute_session_runs_hands_free_on_ticks_alone() {
    // Twelve auto holds of 7.5 minutes: 90 minutes, no key presses after start.
    let steps: String = (0..12)
        .map(|i| format!(r#"Hold(name: "Hold {i}", region: Sacrum, hands: "h", intent: "i", duration: "7m30s"),"#))
        .collect();
    let mut s = session(&format!(
        r#"Protocol(version: 1, name: "Long", summary: "", steps: [{steps}])"#
    ));
    let clock = ManualClock::new();
    s.handle(Input::Next, clock.now());
    let fx = run(
        &mut s,
        &clock,
        Duration::from_millis(100),
        Moment::from_secs(90 * 60 + 1),
    );
    let c = cues(&fx);
    assert_eq!(c.iter().filter(|c| **c == Cue::NextStep).count(), 11);
    assert_eq!(c.iter().filter(|c| **c == Cue::EndingSoon).count(), 12);
    assert_eq!(c.last(), Some(&Cue::SessionComplete));
    // No drift: every step ended exactly on its planned boundary.
    let ends: Vec<Moment> = entries(&fx)
        .iter()
        .filter(|l| matches!(l.entry, Entry::StepEnded { .. }))
        .map(|l| l.at)
        .collect();
    let expected: Vec<Moment> = (1..=12).map(|i| Moment::from_secs(i * 450)).collect();
    assert_eq!(ends, expected);
    assert_eq!(s.session_elapsed(clock.now()), SECS(90 * 60));
}

#[test]
fn rehearsal_speed_runs_the_plan_faster() {
    let real = ManualClock::new();
    let fast = ScaledClock::new(&real, 10.0);
    let mut s = session(THREE);
    s.handle(Input::Next, fast.now());
    // 32 real seconds at 10x cover the 320 s plan's two auto steps and 3 min target.
    let mut fx = Vec::new();
    for _ in 0..32 {
        real.advance(SECS(1));
        fx.extend(s.handle(Input::Tick, fast.now()));
    }
    assert_eq!(s.phase(), Phase::Overtime);
    assert_eq!(s.session_elapsed(fast.now()), SECS(320));
    // The next wake is the first overtime reminder, 60 s (6 real s) away.
    assert_eq!(
        fast.real_until(s.next_deadline().expect("reminder")),
        SECS(6)
    );
}

#[test]
fn next_deadline_tells_the_shell_when_to_wake() {
    let mut s = session(THREE);
    assert_eq!(s.next_deadline(), None);
    s.handle(Input::Next, Moment::ZERO);
    assert_eq!(s.next_deadline(), Some(Moment::from_secs(110)));
    s.handle(Input::Tick, Moment::from_secs(110));
    assert_eq!(s.next_deadline(), Some(Moment::from_secs(120)));
    s.handle(Input::Pause, Moment::from_secs(115));
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn countdown_rounds_up_and_overtime_rounds_down() {
    assert_eq!(
        SignedSecs::between(SECS(60), Duration::from_millis(100)),
        SignedSecs(60)
    );
    assert_eq!(SignedSecs::between(SECS(60), SECS(60)), SignedSecs(0));
    assert_eq!(
        SignedSecs::between(SECS(60), Duration::from_millis(61_900)),
        SignedSecs(-1)
    );
}

#[test]
fn journal_entries_serialise_as_flat_json() {
    let l = Logged {
        at: Moment::from_secs(2),
        entry: Entry::Paused { step: 3 },
    };
    assert_eq!(
        serde_json::to_string(&l).unwrap(),
        r#"{"at":2000,"event":"paused","step":3}"#
    );
}

#[test]
fn overtime_is_reminded_of_once_a_minute_and_never_in_a_burst() {
    // A manual hold with no max: reminders at 1, 2, 3 minutes past the target.
    let mut s = session(
        r#"Protocol(version: 1, name: "R", summary: "", steps: [
        Hold(name: "H", region: Occiput, hands: "h", intent: "i", duration: "1m", advance: Manual),
    ])"#,
    );
    s.handle(Input::Next, Moment::ZERO);
    let clock = ManualClock::new();
    let fx = run(&mut s, &clock, SECS(1), Moment::from_secs(60 + 185));
    assert_eq!(
        cues(&fx),
        vec![
            Cue::EndingSoon,
            Cue::Overtime,
            Cue::OvertimeReminder,
            Cue::OvertimeReminder,
            Cue::OvertimeReminder
        ]
    );
    assert_eq!(s.next_deadline(), Some(Moment::from_secs(60 + 240)));
    // A tick an hour late sounds one reminder, not sixty.
    let fx = s.handle(Input::Tick, Moment::from_secs(3_600));
    assert_eq!(cues(&fx), vec![Cue::OvertimeReminder]);
    let quiet = session(THREE).with_reminder(None);
    assert_eq!(quiet.reminder, None);
}

#[test]
fn a_protocol_can_set_its_lead_and_reminder() {
    let mut s = session(
        r#"Protocol(version: 1, name: "R", summary: "", lead: "20s", reminder: "30s", steps: [
        Hold(name: "H", region: Occiput, hands: "h", intent: "i", duration: "1m", advance: Manual),
    ])"#,
    );
    s.handle(Input::Next, Moment::ZERO);
    assert_eq!(s.next_deadline(), Some(Moment::from_secs(40)));
    s.handle(Input::Tick, Moment::from_secs(61));
    assert_eq!(s.next_deadline(), Some(Moment::from_secs(90)));
}

#[test]
fn quitting_before_the_start_is_recorded() {
    let mut s = session(THREE);
    let fx = s.handle(Input::Quit, Moment::from_secs(3));
    assert!(matches!(
        entries(&fx)[..],
        [Logged {
            entry: Entry::SessionEnded {
                completed: false,
                ..
            },
            ..
        }]
    ));
}

#[test]
fn running_steps_write_progress_every_ten_seconds_of_step_time() {
    let clock = ManualClock::new();
    let mut s = session(THREE);
    s.handle(Input::Next, clock.now());
    let fx = run(
        &mut s,
        &clock,
        Duration::from_millis(700),
        Moment::from_secs(35),
    );
    let progress: Vec<(Moment, Duration)> = entries(&fx)
        .into_iter()
        .filter_map(|l| match l.entry {
            Entry::Progress { elapsed, .. } => Some((l.at, elapsed)),
            _ => None,
        })
        .collect();
    assert_eq!(
        progress,
        vec![
            (Moment::from_secs(10), SECS(10)),
            (Moment::from_secs(20), SECS(20)),
            (Moment::from_secs(30), SECS(30)),
        ],
        "stamped on the boundary, not the tick"
    );
    // A pause stops them; a late tick writes one line, not a burst.
    s.handle(Input::Pause, Moment::from_secs(35));
    assert!(entries(&s.handle(Input::Tick, Moment::from_secs(80))).is_empty());
    s.handle(Input::Resume, Moment::from_secs(80));
    let late = entries(&s.handle(Input::Tick, Moment::from_secs(115)));
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].at, Moment::from_secs(115));
    assert!(matches!(late[0].entry, Entry::Progress { elapsed, .. } if elapsed == SECS(70)));
    let now = s
        .progress_now(Moment::from_secs(117))
        .expect("a step is running");
    assert!(matches!(now.entry, Entry::Progress { elapsed, .. } if elapsed == SECS(72)));
}

mod replay {
    use super::*;
    use proptest::prelude::*;

    /// A protocol with every kind of step: auto, a transition, a manual
    /// hold with min and max, and a manual hold without max.
    const FOUR: &str = r#"Protocol(version: 1, name: "Four", summary: "", lead: "5s",
        reminder: "20s", steps: [
        Hold(name: "Feet", region: Feet, hands: "h", intent: "i", duration: "40s"),
        Transition(name: "Move", duration: "15s"),
        Hold(name: "Occiput", region: Occiput, hands: "h", intent: "i",
             duration: "50s", min: "20s", max: "90s", advance: Manual),
        Hold(name: "Sacrum", region: Sacrum, hands: "h", intent: "i",
             duration: "30s", advance: Manual),
    ])"#;

    fn input() -> impl Strategy<Value = Input> {
        prop_oneof![
            3 => Just(Input::Tick),
            3 => Just(Input::Next),
            1 => Just(Input::Back),
            2 => Just(Input::Pause),
            2 => Just(Input::Resume),
            1 => Just(Input::Extend),
            1 => Just(Input::Shorten),
            1 => Just(Input::Quit),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn replaying_the_journal_rebuilds_the_same_session(
            script in proptest::collection::vec((0u64..40_000, input()), 0..60)
        ) {
            let mut live = session(FOUR);
            let mut journal = Vec::new();
            let mut now = Moment::ZERO;
            for (wait, input) in script {
                now = now + Duration::from_millis(wait);
                journal.extend(entries(&live.handle(input, now)));
            }
            let end = now + SECS(1);
            journal.extend(entries(&live.handle(Input::Tick, end)));
            let mut again = Session::replay(live.protocol().clone(), &journal);
            again.handle(Input::Tick, end);
            prop_assert_eq!(again, live);
        }
    }

    #[test]
    fn a_journal_cut_short_replays_to_its_last_entry() {
        let mut live = session(FOUR);
        let mut journal = Vec::new();
        for (at, input) in [(2, Input::Next), (30, Input::Pause), (45, Input::Resume)] {
            journal.extend(entries(&live.handle(input, Moment::from_secs(at))));
        }
        journal.extend(entries(&live.handle(Input::Tick, Moment::from_secs(100))));
        // Feet runs 2–57 s with a 15 s pause, the move 57–72 s; the last
        // line written is the occiput hold's progress line at 20 s, at 92 s.
        let last = journal.last().expect("entries").clone();
        assert_eq!(last.at, Moment::from_secs(92));
        let again = Session::replay(live.protocol().clone(), &journal);
        assert_eq!(again.current(), 2);
        assert_eq!(again.step_elapsed(last.at), SECS(20));
        assert_eq!(again.phase(), Phase::Running);
    }
}

#[test]
fn next_while_paused_carries_on_with_the_step_and_a_second_press_moves_on() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Pause, Moment::from_secs(30));
    // One pedal press: the same step runs again, nothing skipped.
    let fx = s.handle(Input::Next, Moment::from_secs(90));
    assert_eq!(s.current(), 0);
    assert_eq!(s.phase(), Phase::Running);
    assert!(cues(&fx).is_empty(), "no bell: nothing moved");
    assert!(matches!(
        entries(&fx).as_slice(),
        [Logged {
            entry: Entry::Resumed { paused_for, .. },
            ..
        }] if *paused_for == SECS(60)
    ));
    assert_eq!(s.step_elapsed(Moment::from_secs(90)), SECS(30));
    // A second press moves on.
    s.handle(Input::Next, Moment::from_secs(91));
    assert_eq!(s.current(), 1);
}

#[test]
fn back_while_paused_also_only_resumes() {
    let mut s = session(THREE);
    s.handle(Input::Next, Moment::ZERO);
    s.handle(Input::Tick, Moment::from_secs(125));
    assert_eq!(s.current(), 1);
    s.handle(Input::Pause, Moment::from_secs(130));
    s.handle(Input::Back, Moment::from_secs(140));
    assert_eq!(s.current(), 1, "still the step it was paused in");
    assert_eq!(s.phase(), Phase::Running);
    s.handle(Input::Back, Moment::from_secs(141));
    assert_eq!(s.current(), 0);
}

#[test]
fn records_from_before_pedal_safe_next_replay_as_they_happened() {
    // An older engine resumed and moved on in one instant on next while
    // paused; its record replays to the same place.
    let protocol = Protocol::parse(THREE, Path::new("t.ron")).expect("valid");
    let mut live = Session::new(protocol.clone());
    let mut log = entries(&live.handle(Input::Next, Moment::ZERO));
    log.extend(entries(&live.handle(Input::Pause, Moment::from_secs(30))));
    log.extend(entries(&live.handle(Input::Resume, Moment::from_secs(60))));
    log.extend(entries(&live.handle(Input::Next, Moment::from_secs(60))));
    let replayed = Session::replay(protocol, &log);
    assert_eq!(replayed.current(), 1);
    assert_eq!(replayed.current(), live.current());
    assert_eq!(
        replayed.step_actual(0, Moment::from_secs(61)),
        live.step_actual(0, Moment::from_secs(61))
    );
}

#[test]
fn every_cue_a_tick_sounds_was_foreseen_at_its_exact_moment() {
    let mut s = session(THREE);
    let clock = ManualClock::new();
    let mut fx = s.handle(Input::Next, clock.now());
    assert_eq!(
        cues(&fx),
        vec![Cue::SessionStart],
        "a key's cue is not foreseen"
    );
    let mut sounded = Vec::new();
    while !s.is_finished() {
        let foreseen = s.upcoming_cues();
        let before = clock.now();
        clock.advance(Duration::from_millis(250));
        fx = s.handle(Input::Tick, clock.now());
        for cue in cues(&fx) {
            let at = foreseen
                .iter()
                .find(|(at, c)| *c == cue && *at > before && *at <= clock.now())
                .map(|(at, _)| *at);
            assert!(
                at.is_some(),
                "{cue:?} at {:?} not foreseen: {foreseen:?}",
                clock.now()
            );
            sounded.push((at.unwrap_or_default(), cue));
        }
    }
    assert_eq!(
        sounded,
        vec![
            (Moment::from_secs(110), Cue::EndingSoon),
            (Moment::from_secs(120), Cue::NextStep),
            (Moment::from_secs(140), Cue::NextStep),
            (Moment::from_secs(310), Cue::EndingSoon),
            (Moment::from_secs(320), Cue::Overtime),
            (Moment::from_secs(380), Cue::OvertimeReminder),
            (Moment::from_secs(440), Cue::SessionComplete),
        ]
    );
}

#[test]
fn nothing_is_foreseen_while_paused_or_after_the_end() {
    let mut s = session(THREE);
    assert!(s.upcoming_cues().is_empty(), "not started");
    s.handle(Input::Next, Moment::ZERO);
    assert_eq!(
        s.upcoming_cues(),
        vec![
            (Moment::from_secs(110), Cue::EndingSoon),
            (Moment::from_secs(120), Cue::NextStep)
        ]
    );
    s.handle(Input::Pause, Moment::from_secs(10));
    assert!(s.upcoming_cues().is_empty());
    s.handle(Input::Resume, Moment::from_secs(15));
    assert_eq!(
        s.upcoming_cues()[1],
        (Moment::from_secs(125), Cue::NextStep)
    );
    s.handle(Input::Extend, Moment::from_secs(20));
    assert_eq!(
        s.upcoming_cues()[1],
        (Moment::from_secs(155), Cue::NextStep)
    );
    s.handle(Input::Quit, Moment::from_secs(30));
    assert!(s.upcoming_cues().is_empty());
}
