#!/usr/bin/env bash
# Audio cost figures on a machine without a sound card, using a PulseAudio
# server with a paced null sink (../shared/tools/pulse-null-sink.sh; needs
# Debian's pulseaudio, libasound2-plugins and, for the comparison, sox).
#
#   scripts/measure-audio.sh [WINDOW_SECONDS [WHAT...]]   default: 60 surf sox none latency
#   WHAT: surf drone rain sox none latency
#   STILLPOINT_BIN=/path/to/stillpoint scripts/measure-audio.sh ...   measure that binary
#
# Prints CPU % of one core over the window for: stillpoint playing a
# soundscape, sox playing brown noise, and stillpoint with no soundscape
# during a hold with no cues — each with the sound server's own CPU beside it
# — and how soon cues reach the server (`stillpoint audio latency`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${STILLPOINT_TOOLS:-../shared/tools}"
window="${1:-60}"
shift || true
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(surf sox none latency)
# STILLPOINT_BIN measures another build (say, a copy of the binary from
# before a change) instead of building this tree.
if [ -n "${STILLPOINT_BIN:-}" ]; then
    bin="$STILLPOINT_BIN"
else
    # Profile measure: the release settings in target/measure/, never the
    # target/release/ binary `cargo bench` may have built with test features.
    cargo build --profile measure --quiet --bin stillpoint
    bin="${CARGO_TARGET_DIR:-$PWD/target}/measure/stillpoint"
fi
work="$(mktemp -d)"
tmux_="tmux -L ma$$"
cleanup() { $tmux_ kill-server 2>/dev/null || true; [ -f "$work/pa/pa.pid" ] && kill "$(cat "$work/pa/pa.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The server gets a home and runtime folder of its own, so a PulseAudio that
# is already running for someone else (its pid file, its socket) is left alone.
mkdir -p "$work/pa"
eval "$(HOME="$work/pa" XDG_RUNTIME_DIR="$work/pa" XDG_CONFIG_HOME="$work/pa" \
    bash "$tools/pulse-null-sink.sh" "$work/pa")"
export PULSE_SERVER STILLPOINT_DATA="$work/data"
pa=$(cat "$work/pa/pa.pid")
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
cat > "$work/hold.ron" <<'RON'
Protocol(version: 1, name: "Measure", summary: "One long hold", steps: [
    Hold(name: "Long hold", region: Occiput, hands: "h", intent: "i", duration: "30m"),
])
RON
# measure NAME PID: CPU of PID and of the sound server over the window.
measure() {
    local a0 p0 a1 p1
    a0=$(ticks "$2"); p0=$(ticks "$pa")
    sleep "$window"
    a1=$(ticks "$2"); p1=$(ticks "$pa")
    awk -v n="$1" -v a=$((a1 - a0)) -v p=$((p1 - p0)) -v hz="$hz" -v w="$window" \
        'BEGIN { printf "%-34s app %.2f%% of a core | sound server %.2f%%\n", n, 100*a/hz/w, 100*p/hz/w }'
}
app() { # run stillpoint in a 120x40 pane, start the session, print its pid
    # A data folder of its own: the run before was killed mid-session, and
    # its unfinished record would make this one ask to take it up.
    STILLPOINT_DATA="$(mktemp -d "$work/data.XXXX")"
    export STILLPOINT_DATA
    $tmux_ -f /dev/null new-session -d -s m -x 120 -y 40 "exec $bin practice $work/hold.ron $*"
    sleep 1.5; $tmux_ send-keys -t m Space; sleep 8   # past the 6 s fade-in
    $tmux_ display -p -t m '#{pane_pid}'
}
for w in "${what[@]}"; do
    case "$w" in
    surf|drone|rain)
        pid=$(app --soundscape "$w")
        # The status line, to show sound was on (pipefail must not end the run
        # if it is not drawn yet).
        $tmux_ capture-pane -p -t m | grep -o 'audio [a-z].*' | head -1 || true
        measure "stillpoint, $w soundscape" "$pid"
        $tmux_ kill-server
        sleep 2 ;;
    sox)
        if command -v play >/dev/null; then
            play -q -n synth 3600 brownnoise vol 0.05 >/dev/null 2>&1 &
            sox_pid=$!; sleep 2
            measure "sox play brownnoise" "$sox_pid"
            kill "$sox_pid"; sleep 2
        else
            echo "sox is not installed (apt-get install sox); skipped"
        fi ;;
    none)
        pid=$(app --soundscape none)
        measure "stillpoint, no soundscape, no cues" "$pid"
        $tmux_ kill-server
        sleep 2 ;;
    latency)
        echo "cue onset (stillpoint audio latency --cues 10):"
        "$bin" audio latency --cues 10 | tail -3 ;;
    *) echo "unknown: $w (surf drone rain sox none latency)" >&2; exit 2 ;;
    esac
done
