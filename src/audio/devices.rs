//! The outputs a person would choose between, named the way `--cue-device`
//! and the settings' `cue_device` accept them.
//!
//! On Linux the ALSA host lists every PCM its configuration defines: rate
//! converters, up- and down-mixers, the null sink, JACK and OSS bridges,
//! and each card several times over (`front:`, `surround51:`, `dmix:`,
//! `hw:`, `plughw:` …). Only the default, the sound server and each card's
//! own default are outputs someone would pick; the rest are plumbing.

use rodio::cpal;
use rodio::cpal::traits::{DeviceTrait, HostTrait};

/// One output as `stillpoint audio devices` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputDevice {
    /// What `--cue-device` takes: the ALSA name (`default`, `pulse`,
    /// `sysdefault:CARD=PCH`), or the device's name elsewhere.
    pub id: String,
    /// What it is, in the system's words ("HDA Intel PCH, ALC257 Analog").
    pub description: String,
    /// The output sound goes to when none is named.
    pub is_default: bool,
}

/// The outputs worth choosing between, the default first.
pub fn outputs() -> Vec<OutputDevice> {
    let host = cpal::default_host();
    let default_device = host.default_output_device();
    let default = default_device.as_ref().and_then(id_of);
    let Ok(devices) = host.output_devices() else {
        return Vec::new();
    };
    // The default output is listed even where the enumeration leaves it
    // out (ALSA without a card still has `default`, through the server).
    let mut found: Vec<OutputDevice> = default_device
        .into_iter()
        .chain(devices)
        .filter_map(|d| {
            let id = id_of(&d)?;
            let description = d.description().ok()?.name().to_owned();
            Some(OutputDevice {
                is_default: default.as_deref() == Some(id.as_str()),
                id,
                description,
            })
        })
        .filter(|d| worth_listing(&d.id))
        .collect();
    found.sort_by_key(|d| !d.is_default);
    found.dedup_by(|a, b| a.id == b.id);
    found
}

/// The device `name` names: its id (`sysdefault:CARD=PCH`) or its
/// description ("HDA Intel PCH, ALC257 Analog", in any case). Any device
/// the system has may be named by id, listed or not.
pub(super) fn find(name: &str) -> Option<cpal::Device> {
    let host = cpal::default_host();
    let devices: Vec<cpal::Device> = host.output_devices().ok()?.collect();
    let by_id = devices
        .iter()
        .position(|d| id_of(d).as_deref() == Some(name));
    let by_description = || {
        devices.iter().position(|d| {
            d.description()
                .is_ok_and(|x| x.name().eq_ignore_ascii_case(name.trim()))
        })
    };
    let at = by_id.or_else(by_description)?;
    devices.into_iter().nth(at)
}

/// Whether an output called `name` is there now.
pub fn is_present(name: &str) -> bool {
    find(name).is_some()
}

/// A device's id: the ALSA PCM name where there is one (cpal gives it as
/// the "driver"), else the device's own name.
fn id_of(device: &cpal::Device) -> Option<String> {
    let d = device.description().ok()?;
    Some(d.driver().unwrap_or(d.name()).to_owned())
}

/// Whether an output with this id is one a person would pick. Outside
/// Linux every device the host lists is a real output.
fn worth_listing(id: &str) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let kind = id.split(':').next().unwrap_or(id);
    matches!(kind, "default" | "pulse" | "pipewire" | "sysdefault")
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn plugin_pseudo_devices_are_left_out() {
        for plumbing in [
            "null",
            "lavrate",
            "samplerate",
            "speexrate",
            "jack",
            "oss",
            "speex",
            "upmix",
            "vdownmix",
            "front:CARD=PCH,DEV=0",
            "surround51:CARD=PCH,DEV=0",
            "dmix:CARD=PCH,DEV=0",
            "hw:CARD=PCH,DEV=0",
            "plughw:CARD=PCH,DEV=0",
            "iec958:CARD=PCH,DEV=0",
        ] {
            assert!(!worth_listing(plumbing), "{plumbing}");
        }
        for output in ["default", "pulse", "pipewire", "sysdefault:CARD=PCH"] {
            assert!(worth_listing(output), "{output}");
        }
    }
}
