//! `stillpoint audio latency`: how long from the session asking for a cue to
//! the cue's first sample being due at the output, as the backend reports it
//! (the time the backend says the buffer holding it will play, plus its
//! place in that buffer). What the sound server adds after that is its own.

use std::fmt;
#[cfg(target_os = "linux")]
use std::sync::Arc;
use std::time::Duration;

use super::bell::{Bell, SAMPLE_RATE};
use super::mix::DEFAULT_VOLUME;
use super::{Audio, AudioState, DeviceAudio, LINGER};
use crate::audio::Cue;
use crate::clock::Clock;
#[cfg(target_os = "linux")]
use crate::clock::SystemClock;

/// When a measured cue was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// After a silence long enough for the cue stream to have closed: the
    /// stream is opened for the cue, as for most cues in a session.
    AfterSilence,
    /// A second after another cue, while that one still rings.
    WhileRinging,
}

/// The figures of one run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    after_silence: Vec<f64>,
    while_ringing: Vec<f64>,
    missed: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (what, ms) in [
            ("after silence", &self.after_silence),
            ("while ringing", &self.while_ringing),
        ] {
            let mut sorted = ms.clone();
            sorted.sort_by(f64::total_cmp);
            if let (Some(best), Some(worst)) = (sorted.first(), sorted.last()) {
                let median = sorted[sorted.len() / 2];
                writeln!(
                    f,
                    "{what}: median {median:.1} ms, best {best:.1} ms, worst {worst:.1} ms \
                     ({} cues)",
                    sorted.len()
                )?;
            }
        }
        if self.missed > 0 {
            writeln!(f, "{} cue(s) never reached the output", self.missed)?;
        }
        Ok(())
    }
}

/// Why nothing could be measured.
#[derive(Debug, thiserror::Error)]
#[error("{}; there is nothing to measure", state.label())]
pub struct NoOutput {
    /// What became of the output.
    pub state: AudioState,
}

impl crate::hint::Hint for NoOutput {
    fn hint(&self) -> Option<String> {
        Some("check `stillpoint audio devices`".to_owned())
    }
}

/// Sounds `n` soft cues after silence and `n` while another rings on the
/// default output, calling `report` with each cue's latency in milliseconds.
pub fn measure(
    n: u32,
    mut report: impl FnMut(Kind, u32, Option<f64>),
) -> Result<Summary, NoOutput> {
    let mut audio = DeviceAudio::start(None, DEFAULT_VOLUME, false);
    let clock = audio.onsets().clock().clone();
    let give_up = clock.now() + Duration::from_secs(5);
    while audio.state() == AudioState::Probing && clock.now() < give_up {
        std::thread::sleep(Duration::from_millis(5));
    }
    if audio.state() != AudioState::On {
        return Err(NoOutput {
            state: audio.state(),
        });
    }
    let cue = Cue::EndingSoon;
    // Long enough for the cue stream to ring out and close.
    let silence = Bell::new(cue, SAMPLE_RATE).length() + LINGER + Duration::from_millis(400);
    let mut summary = Summary::default();
    let mut one = |audio: &mut DeviceAudio, kind: Kind, i: u32| {
        let before = audio.onsets().last();
        let asked = clock.now();
        audio.play(cue);
        let deadline = asked + Duration::from_secs(2);
        let mut onset = None;
        while clock.now() < deadline {
            let last = audio.onsets().last();
            if last != before {
                onset = last;
                break;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        let ms = onset.map(|o| o.since(asked).as_secs_f64() * 1000.0);
        report(kind, i, ms);
        match (ms, kind) {
            (Some(ms), Kind::AfterSilence) => summary.after_silence.push(ms),
            (Some(ms), Kind::WhileRinging) => summary.while_ringing.push(ms),
            (None, _) => summary.missed += 1,
        }
    };
    for i in 0..n {
        std::thread::sleep(silence);
        one(&mut audio, Kind::AfterSilence, i);
    }
    for i in 0..n {
        std::thread::sleep(Duration::from_secs(1));
        one(&mut audio, Kind::WhileRinging, i);
    }
    Ok(summary)
}

/// Where foreseen cues land, in milliseconds against a reference (positive:
/// late), for each path a foreseen cue can take.
#[derive(Debug, Clone, Default)]
pub struct Foreseen {
    /// What the bed's stream asked for and was granted.
    pub bed_stream: String,
    /// Cues placed in the long-buffered bed.
    pub in_bed: Vec<f64>,
    /// Cues on a short stream opened for them just before.
    pub own_stream: Vec<f64>,
}

/// Where foreseen cues land, measured in what the sound server plays. A
/// short stream stays open throughout, playing silence and, as the
/// reference, a cue placed by the backend's timestamps at T + 2.5 s of each
/// round. The cue told ahead for T goes to a bed stream (playing silence,
/// so nothing else is heard), and the one for T + 5 s to a player with no
/// bed, which opens a short stream for it. The server's monitor is
/// recorded; each cue's onset is compared with the reference's, 2.5 s
/// apart. Linux, with a PulseAudio-protocol server.
///
/// The reference stream also keeps the sink's latency short: a sink alone
/// with the bed renders seconds ahead, and its monitor gets each block when
/// it is made, not when it is due, so the recording would not show when
/// anything is heard.
///
/// (Longer than most: one experiment read top to bottom — the streams
/// opened, the cues told on a schedule, the recording judged — whose
/// timings would be hard to follow spread over several functions.)
#[cfg(target_os = "linux")]
pub fn foreseen(
    n: u32,
    mut report: impl FnMut(u32, Option<f64>, Option<f64>),
) -> Result<Foreseen, NoOutput> {
    use super::mix::{MAX_VOLUME, Mix, MixCommand};
    let recording = monitor::Recording::start().ok_or(NoOutput {
        state: AudioState::NoDevice,
    })?;
    let reference_clock = Arc::new(super::Onsets::new(SystemClock::new()));
    let reference = super::output::device(None)
        .and_then(|d| {
            super::output::Output::open(
                &d,
                super::CUE_PERIOD,
                &reference_clock,
                Box::new(|| {}),
                |rate| Mix::with_bed(None, MAX_VOLUME, false, None, rate),
            )
        })
        .ok_or(NoOutput {
            state: AudioState::NoDevice,
        })?;
    let mut bed = DeviceAudio::start_silent_bed(MAX_VOLUME);
    let mut own = DeviceAudio::start(None, MAX_VOLUME, false);
    let clock = bed.onsets().clock().clone();
    both_on(&bed, &own, &clock)?;
    // Past the first buffer after opening, when placement is not trusted.
    std::thread::sleep(Duration::from_secs(5));
    let cue = Cue::EndingSoon;
    // Apart enough that each bell rings out (1.6 s) and silence follows
    // before the next.
    let gap = Duration::from_millis(2500);
    let every = gap * 3;
    // Told ahead as the session tells them (a little less than its 10 s).
    let ahead = Duration::from_secs(8);
    let start = clock.now();
    for i in 0..n {
        let t = start + ahead + every * i;
        std::thread::sleep((t - ahead).since(clock.now()));
        bed.send(MixCommand::CueIn(cue, t.since(clock.now())));
        let on_reference = reference_clock.clock().now() + (t + gap).since(clock.now());
        reference.schedule(on_reference, MixCommand::Cue(cue));
        own.send(MixCommand::CueIn(cue, (t + gap * 2).since(clock.now())));
    }
    let end = start + ahead + every * n + Duration::from_secs(3);
    std::thread::sleep(end.since(clock.now()));
    let mut found = Foreseen {
        bed_stream: bed.bed_stream(),
        ..Foreseen::default()
    };
    drop((bed, own, reference));
    let (rate, samples) = recording.finish();
    let onsets = monitor::onsets(&samples, rate);
    let ms = |a: usize, b: usize| {
        let apart = (b as f64 - a as f64) / f64::from(rate);
        (apart - gap.as_secs_f64()) * 1000.0
    };
    for i in 0..n as usize {
        let round = onsets.get(3 * i..3 * i + 3);
        // Late against the reference is positive for both.
        let in_bed = round.map(|r| -ms(r[0], r[1]));
        let own_stream = round.map(|r| ms(r[1], r[2]));
        report(i as u32, in_bed, own_stream);
        found.in_bed.extend(in_bed);
        found.own_stream.extend(own_stream);
    }
    Ok(found)
}

/// Waits up to 5 s for both outputs to open; an error if either did not.
#[cfg(target_os = "linux")]
fn both_on(bed: &DeviceAudio, own: &DeviceAudio, clock: &SystemClock) -> Result<(), NoOutput> {
    let give_up = clock.now() + Duration::from_secs(5);
    while (bed.state() == AudioState::Probing || own.state() == AudioState::Probing)
        && clock.now() < give_up
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    match [bed, own].into_iter().find(|a| a.state() != AudioState::On) {
        Some(a) => Err(NoOutput { state: a.state() }),
        None => Ok(()),
    }
}

/// Recording what the default sink plays, from its monitor.
#[cfg(target_os = "linux")]
mod monitor {
    use std::sync::{Arc, Mutex};

    use futures::executor::block_on;
    use pulseaudio::protocol;

    /// A recording under way.
    pub struct Recording {
        _client: pulseaudio::Client,
        _stream: pulseaudio::RecordStream,
        samples: Arc<Mutex<Vec<f32>>>,
        rate: u32,
    }

    impl Recording {
        /// Starts recording the default sink's monitor, mono.
        pub fn start() -> Option<Recording> {
            let client = pulseaudio::Client::from_env(c"stillpoint-latency").ok()?;
            let sink =
                block_on(client.sink_info_by_name(protocol::DEFAULT_SINK.to_owned())).ok()?;
            let rate = sink.sample_spec.sample_rate;
            let samples = Arc::new(Mutex::new(Vec::new()));
            let into = Arc::clone(&samples);
            let params = protocol::RecordStreamParams {
                sample_spec: protocol::SampleSpec {
                    format: protocol::SampleFormat::Float32Le,
                    channels: 1,
                    sample_rate: rate,
                },
                channel_map: protocol::ChannelMap::mono(),
                source_name: Some(c"@DEFAULT_MONITOR@".to_owned()),
                ..Default::default()
            };
            let sink_fn = move |data: &[u8]| {
                if let Ok(mut v) = into.lock() {
                    v.extend(
                        data.chunks_exact(4)
                            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    );
                }
            };
            let stream = block_on(client.create_record_stream(params, sink_fn)).ok()?;
            Some(Recording {
                _client: client,
                _stream: stream,
                samples,
                rate,
            })
        }

        /// The rate and the samples recorded.
        pub fn finish(self) -> (u32, Vec<f32>) {
            let samples = self.samples.lock().map(|v| v.clone()).unwrap_or_default();
            (self.rate, samples)
        }
    }

    /// Where sounds begin after at least 0.3 s of silence.
    pub fn onsets(samples: &[f32], rate: u32) -> Vec<usize> {
        let quiet = rate as usize * 3 / 10;
        let mut found = Vec::new();
        let mut last_loud: Option<usize> = None;
        for (i, s) in samples.iter().enumerate() {
            if s.abs() > 1e-3 {
                if last_loud.is_none_or(|l| i - l > quiet) {
                    found.push(i);
                }
                last_loud = Some(i);
            }
        }
        found
    }
}
