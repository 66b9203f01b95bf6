//! Synthesis cost: 60 s of each soundscape, mixed with a cue every ten
//! seconds, at 48 kHz stereo, and the same with no soundscape (the mix and
//! the bells alone). Real time divided by the time taken is the speed: the
//! target is at least 600 times real time for every soundscape (issue 16),
//! so playback costs well under 0.2 % of a core.
//!
//! `cargo bench --bench audio`

use stillpoint::audio::Cue;
use stillpoint::audio::bell::SAMPLE_RATE;
use stillpoint::audio::mix::{Mix, MixCommand};
use stillpoint::audio::scape::Scape;

fn main() {
    divan::main();
}

fn sixty_seconds(scape: Option<Scape>) -> f32 {
    let mut mix = Mix::new(scape, 6, false, None);
    let mut acc = 0.0f32;
    // The audio callback fills whole buffers; 1000 frames divides a second.
    let mut block = [[0.0f32; 2]; 1000];
    for second in 0..60 {
        if second % 10 == 5 {
            mix.apply(MixCommand::Cue(Cue::NextStep));
        }
        for _ in 0..SAMPLE_RATE / 1000 {
            mix.fill(&mut block);
            acc += block.iter().map(|[l, r]| l + r).sum::<f32>();
        }
    }
    acc
}

#[divan::bench(args = [Scape::Surf, Scape::Drone, Scape::Rain], sample_count = 10)]
fn sixty_seconds_of(scape: Scape) -> f32 {
    sixty_seconds(Some(divan::black_box(scape)))
}

/// What the mix and the bells cost without a soundscape: the part of the
/// figures above that no soundscape can save.
#[divan::bench(sample_count = 10)]
fn sixty_seconds_of_cues_alone() -> f32 {
    sixty_seconds(divan::black_box(None))
}
