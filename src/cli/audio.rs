//! `stillpoint audio`: render a soundscape or a cue to a WAV file, list the
//! outputs, measure how soon cues reach the output.

use super::{fail, fail_with};

use std::path::Path;
use std::process::ExitCode;

use crate::audio::scape::Scape;

pub(super) fn render(
    soundscape: Option<&str>,
    cue: Option<&str>,
    seconds: u32,
    out: &Path,
) -> ExitCode {
    use crate::audio::Cue;
    use crate::audio::bell::{Bell, SAMPLE_RATE};
    use crate::audio::mix::{MAX_VOLUME, Mix};
    use rodio::Source;
    let result = match (soundscape, cue) {
        (Some(_), Some(_)) => return fail("render a --soundscape or a --cue, not both"),
        (Some(name), None) => {
            let Some(scape) = Scape::from_name(name) else {
                let names = ["surf", "drone", "rain"];
                let hint = crate::protocol::diagnostic::did_you_mean(name, &names).map_or_else(
                    || "use surf, drone or rain".to_owned(),
                    |n| format!("did you mean \"{n}\"?"),
                );
                return fail(&format!(
                    "unknown soundscape \"{}\"\n  hint: {hint}",
                    crate::text::sanitize_line(name)
                ));
            };
            let mix = Mix::new(Some(scape), MAX_VOLUME, false, None)
                .take_duration(std::time::Duration::from_secs(u64::from(seconds)));
            rodio::wav_to_file(mix, out)
        }
        (None, Some(name)) => {
            let Some(cue) = Cue::from_name(name) else {
                let names = Cue::NAMES.map(|(n, _)| n);
                let hint = crate::protocol::diagnostic::did_you_mean(name, &names).map_or_else(
                    || format!("use one of: {}", names.join(", ")),
                    |n| format!("did you mean \"{n}\"?"),
                );
                return fail(&format!(
                    "unknown cue \"{}\"\n  hint: {hint}",
                    crate::text::sanitize_line(name)
                ));
            };
            rodio::wav_to_file(Bell::new(cue, SAMPLE_RATE), out)
        }
        (None, None) => return fail("name a --soundscape or a --cue to render"),
    };
    match result {
        Ok(()) => {
            println!("wrote {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write {}: {e}", out.display())),
    }
}

pub(super) fn devices() -> ExitCode {
    // Enumerating wakes ALSA, which prints about missing cards on stderr.
    let log = crate::files::data_dir().map(|d| d.join("stderr.log"));
    let quiet = log.as_deref().and_then(crate::tui::terminal::quiet_stderr);
    let found = crate::audio::devices::outputs();
    drop(quiet);
    print!("{}", devices_text(&found));
    ExitCode::SUCCESS
}

/// What `audio devices` prints for the outputs `found`.
fn devices_text(found: &[crate::audio::devices::OutputDevice]) -> String {
    use crate::text::{pad, sanitize_line, width};
    if found.is_empty() {
        return "No sound outputs found: sessions run silent, with a visual cue in place of \
                each bell.\n"
            .to_owned();
    }
    let id_width = found.iter().map(|d| width(&d.id)).max().unwrap_or(0).max(2);
    let mut out = format!("  {}  description\n", pad("name", id_width));
    for d in found {
        out += &format!(
            "{} {}  {}\n",
            if d.is_default { "*" } else { " " },
            pad(&sanitize_line(&d.id), id_width),
            sanitize_line(&d.description)
        );
    }
    out += "* the default output. Send the cues to another with --cue-device NAME (or \
            cue_device in the settings); its description works too.\n";
    out
}

pub(super) fn latency(cues: u32, foreseen: u32) -> ExitCode {
    use crate::audio::latency::{Kind, measure};
    let log = crate::files::data_dir().map(|d| d.join("stderr.log"));
    let quiet = log.as_deref().and_then(crate::tui::terminal::quiet_stderr);
    let result = measure(cues, |kind, i, ms| {
        let what = match kind {
            Kind::AfterSilence => "after silence",
            Kind::WhileRinging => "while ringing",
        };
        match ms {
            Some(ms) => println!("cue {:>2} {what:<14} {ms:>6.1} ms", i + 1),
            None => println!("cue {:>2} {what:<14}  never reached the output", i + 1),
        }
    });
    let result = result.and_then(|summary| {
        println!("{summary}");
        if foreseen > 0 {
            foreseen_cues(foreseen)?;
        }
        Ok(())
    });
    drop(quiet);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail_with(&e),
    }
}

/// Prints where foreseen cues land in the soundscape's long buffer, and on
/// a short stream of their own.
#[cfg(target_os = "linux")]
fn foreseen_cues(n: u32) -> Result<(), crate::audio::latency::NoOutput> {
    let show =
        |ms: Option<f64>| ms.map_or_else(|| "not found".to_owned(), |ms| format!("{ms:>+7.2} ms"));
    let found = crate::audio::latency::foreseen(n, |i, bed, own| {
        println!(
            "foreseen {:>2} in the bed {} · on its own stream {}",
            i + 1,
            show(bed),
            show(own)
        );
    })?;
    println!("bed stream: {}", found.bed_stream);
    for (what, mut errors) in [
        ("in the bed", found.in_bed),
        ("on its own stream", found.own_stream),
    ] {
        errors.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        if let (Some(best), Some(worst)) = (errors.first(), errors.last()) {
            let median = errors[errors.len() / 2];
            println!(
                "foreseen {what}: median {median:+.2} ms, best {best:+.2} ms, worst {worst:+.2} ms \
                 ({} cues, against a short stream's timestamps)",
                errors.len()
            );
        }
    }
    Ok(())
}

/// Foreseen cues are measured against a PulseAudio-protocol server only.
#[cfg(not(target_os = "linux"))]
fn foreseen_cues(_n: u32) -> Result<(), crate::audio::latency::NoOutput> {
    println!("foreseen cues are measured on Linux, with a PulseAudio or PipeWire server");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::devices::OutputDevice;

    #[test]
    fn devices_are_listed_by_the_name_cue_device_takes_with_the_default_marked() {
        let found = [
            OutputDevice {
                id: "default".into(),
                description: "Default ALSA Output".into(),
                is_default: true,
            },
            OutputDevice {
                id: "sysdefault:CARD=Buds".into(),
                description: "Buds USB Audio, \u{1b}[2JUSB Audio".into(),
                is_default: false,
            },
        ];
        let text = devices_text(&found);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "* default               Default ALSA Output");
        assert!(lines[2].starts_with("  sysdefault:CARD=Buds  Buds USB Audio, "));
        assert!(!text.contains('\u{1b}'), "escape codes are never printed");
        assert!(devices_text(&[]).starts_with("No sound outputs found"));
    }
}
