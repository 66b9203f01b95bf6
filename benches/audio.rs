//! Synthesis cost: 60 s of each soundscape, mixed with a cue every ten
//! seconds, at 48 kHz stereo (target: at least 200 times faster than real time,
//! so playback costs well under 1 % of a core).

use stillpoint::audio::Cue;
use stillpoint::audio::bell::SAMPLE_RATE;
use stillpoint::audio::mix::{Mix, MixCommand};
use stillpoint::audio::scape::Scape;

fn main() {
    divan::main();
}

fn sixty_seconds(scape: Scape) -> f32 {
    let mut mix = Mix::new(Some(scape), 6, false, None);
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
    sixty_seconds(divan::black_box(scape))
}
