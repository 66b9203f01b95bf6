//! Cues the session foresees, told to the audio ahead of their moment.
//!
//! The soundscape plays from a buffer of several seconds, so a cue asked for
//! at its moment would come late; told [`AHEAD`] of it, the audio places it
//! on its exact sample. When the engine then says the cue is due, it is not
//! asked for again. When the session changes course (a key moves on, pauses,
//! lengthens the hold), the cues told that are no longer coming are taken
//! back, and those still coming told again.

use std::time::Duration;

use crate::audio::mix::MixCommand;
use crate::audio::{Audio, AudioState, Cue};
use crate::clock::{Clock, Moment, ScaledClock};
use crate::session::engine::Session;

/// How far ahead, in real time, a cue is told: more than the longest buffer
/// the soundscape plays from (4 s), with room for a late wake.
pub const AHEAD: Duration = Duration::from_secs(10);

/// The cues told and not yet due.
#[derive(Debug, Default)]
pub struct Foresight {
    told: Vec<(Moment, Cue)>,
}

impl Foresight {
    /// Tells `audio` of the cues due within [`AHEAD`] not told yet, and
    /// takes back those told that are no longer coming. Only sound that
    /// reaches the room is told ahead: otherwise each cue is asked for at
    /// its moment, as before.
    pub fn sync<C: Clock>(
        &mut self,
        session: &Session,
        now: Moment,
        clock: &ScaledClock<C>,
        audio: &mut dyn Audio,
    ) {
        let coming: Vec<(Moment, Cue)> = if audio.state() == AudioState::On {
            session
                .upcoming_cues()
                .into_iter()
                .filter(|(at, _)| *at > now)
                .collect()
        } else {
            Vec::new()
        };
        let gone = self.told.iter().any(|t| t.0 > now && !coming.contains(t));
        if gone {
            audio.send(MixCommand::Unschedule);
            self.told.retain(|(at, _)| *at <= now);
        }
        for &(at, cue) in &coming {
            let real = clock.real_until(at);
            if real <= AHEAD && !self.told.contains(&(at, cue)) {
                audio.send(MixCommand::CueIn(cue, real));
                self.told.push((at, cue));
            }
        }
    }

    /// Whether `cue`, which the engine says is due at `now`, was told ahead
    /// (and so sounds already): it is then forgotten here.
    pub fn told(&mut self, cue: Cue, now: Moment) -> bool {
        let found = self.told.iter().position(|(at, c)| *c == cue && *at <= now);
        // Told cues long past are not kept (a step the engine skipped).
        let keep_from = now - Duration::from_secs(60);
        if let Some(i) = found {
            self.told.remove(i);
        }
        self.told.retain(|(at, _)| *at >= keep_from);
        found.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::RecordingAudio;
    use crate::clock::ManualClock;
    use crate::protocol::Protocol;
    use crate::session::engine::Input;
    use std::path::Path;

    const TWO: &str = r#"Protocol(version: 1, name: "Two", summary: "", steps: [
        Hold(name: "Feet", region: Feet, hands: "h", intent: "i", duration: "1m"),
        Hold(name: "Head", region: Occiput, hands: "h", intent: "i", duration: "1m"),
    ])"#;

    fn session() -> Session {
        Session::new(Protocol::parse(TWO, Path::new("t.ron")).expect("valid"))
    }

    #[test]
    fn cues_are_told_ahead_once_and_taken_back_when_the_session_moves_on() {
        let manual = ManualClock::new();
        let clock = ScaledClock::new(&manual, 1.0);
        let mut audio = RecordingAudio::new(AudioState::On);
        let mut s = session();
        let mut f = Foresight::default();
        s.handle(Input::Next, Moment::ZERO);
        f.sync(&s, Moment::ZERO, &clock, &mut audio);
        assert!(audio.sent().is_empty(), "nothing within ten seconds");
        let at = Moment::from_secs(42);
        manual.set(at);
        f.sync(&s, at, &clock, &mut audio);
        f.sync(&s, at, &clock, &mut audio);
        assert_eq!(
            audio.sent(),
            vec![MixCommand::CueIn(Cue::EndingSoon, Duration::from_secs(8))]
        );
        let at = Moment::from_secs(51);
        manual.set(at);
        f.sync(&s, at, &clock, &mut audio);
        assert_eq!(
            audio.sent()[1],
            MixCommand::CueIn(Cue::NextStep, Duration::from_secs(9))
        );
        // The engine's own cue at 50 s was told: it is not asked again.
        assert!(f.told(Cue::EndingSoon, Moment::from_secs(50)));
        // Next is pressed at 55 s: the step's end will not come.
        manual.set(Moment::from_secs(55));
        s.handle(Input::Next, Moment::from_secs(55));
        assert!(!f.told(Cue::NextStep, Moment::from_secs(55)));
        f.sync(&s, Moment::from_secs(55), &clock, &mut audio);
        assert_eq!(audio.sent()[2], MixCommand::Unschedule);
        assert_eq!(audio.sent().len(), 3);
    }

    #[test]
    fn a_rehearsal_tells_cues_in_real_time_and_silence_tells_nothing() {
        let manual = ManualClock::new();
        let clock = ScaledClock::new(&manual, 10.0);
        let mut audio = RecordingAudio::new(AudioState::On);
        let mut s = session();
        let mut f = Foresight::default();
        s.handle(Input::Next, Moment::ZERO);
        f.sync(&s, Moment::ZERO, &clock, &mut audio);
        assert_eq!(
            audio.sent(),
            vec![
                MixCommand::CueIn(Cue::EndingSoon, Duration::from_secs(5)),
                MixCommand::CueIn(Cue::NextStep, Duration::from_secs(6)),
            ]
        );
        let mut silent = RecordingAudio::new(AudioState::Lost);
        let mut g = Foresight::default();
        manual.set(Moment::from_secs(45));
        g.sync(
            &s,
            Moment::from_secs(45),
            &ScaledClock::new(&manual, 1.0),
            &mut silent,
        );
        assert!(silent.sent().is_empty());
        assert!(!g.told(Cue::EndingSoon, Moment::from_secs(50)));
    }
}
