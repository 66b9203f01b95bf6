#!/usr/bin/env bash
# Audio cost figures on a machine without a sound card, using a PulseAudio
# server with a paced null sink (../shared/tools/pulse-null-sink.sh; needs
# Debian's pulseaudio, libasound2-plugins and, for the comparisons, sox and
# alsa-utils).
#
#   scripts/measure-audio.sh [WINDOW_SECONDS [WHAT...]]
#   default: 60 surf sox none off latency
#   WHAT: surf drone rain   stillpoint playing that soundscape in a hold (the
#                           bed natively to the server: its best host on Linux)
#         fallback          the same with surf, the bed through cpal's ALSA
#                           host instead (STILLPOINT_BED_HOST=cpal)
#         aplay             aplay -D pulse with the buffer the fallback is
#                           granted (three 64 000-frame periods)
#         sox               play -n synth brownnoise (sox)
#         none              stillpoint in a hold with no soundscape, no cues
#         off               stillpoint in a hold with --no-audio
#         latency           when cues reach the server: key-caused (`audio
#                           latency`) and foreseen (`--foreseen`)
#   STILLPOINT_BIN=/path/to/stillpoint scripts/measure-audio.sh ...   measure that binary
#
# For each process it prints, over the window: CPU % of one core, wake-ups a
# second (voluntary context switches summed over every thread), and the
# sound server's own CPU and wake-ups beside it; then the threads that woke.
# All of one run share the same server, so the figures compare.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${STILLPOINT_TOOLS:-../shared/tools}"
window="${1:-60}"
shift || true
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(surf sox none off latency)
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
# Voluntary context switches of every thread of a process: each is a wake-up.
wakes() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt/ { s += $2 } END { print s + 0 }'; }
threads() { for t in /proc/"$1"/task/*; do echo "$(cat "$t/comm" 2>/dev/null)=$(awk '/^voluntary_ctxt/ { print $2 }' "$t/status" 2>/dev/null)"; done; }
cat > "$work/hold.ron" <<'RON'
Protocol(version: 1, name: "Measure", summary: "One long hold", steps: [
    Hold(name: "Long hold", region: Occiput, hands: "h", intent: "i", duration: "30m"),
])
RON
# measure NAME PID: CPU and wake-ups of PID and of the sound server over the window.
measure() {
    local a0 p0 a1 p1 w0 s0 w1 s1 t0 t1
    a0=$(ticks "$2"); p0=$(ticks "$pa"); w0=$(wakes "$2"); s0=$(wakes "$pa"); t0=$(threads "$2")
    sleep "$window"
    a1=$(ticks "$2"); p1=$(ticks "$pa"); w1=$(wakes "$2"); s1=$(wakes "$pa"); t1=$(threads "$2")
    awk -v n="$1" -v a=$((a1 - a0)) -v p=$((p1 - p0)) -v wa=$((w1 - w0)) -v ws=$((s1 - s0)) \
        -v hz="$hz" -v w="$window" \
        'BEGIN { printf "%-36s app %.3f%% of a core, %5.2f wake-ups/s | sound server %.3f%%, %5.2f wake-ups/s\n",
                 n, 100*a/hz/w, wa/w, 100*p/hz/w, ws/w }'
    paste -d' ' <(echo "$t0") <(echo "$t1") | awk -v w="$window" \
        '{ split($1, a, "="); split($2, b, "="); if (b[2] != "") printf "    %-18s %5.2f/s\n", a[1], (b[2]-a[2])/w }'
}
app() { # run stillpoint in a 120x40 pane, start the session, print its pid
    # A data folder of its own: the run before was killed mid-session, and
    # its unfinished record would make this one ask to take it up.
    STILLPOINT_DATA="$(mktemp -d "$work/data.XXXX")"
    export STILLPOINT_DATA
    $tmux_ -f /dev/null new-session -d -s m -x 120 -y 40 "exec env $app_env $bin practice $work/hold.ron $*"
    sleep 1.5; $tmux_ send-keys -t m Space; sleep 10   # past the 6 s fade-in and the start bell
    $tmux_ display -p -t m '#{pane_pid}'
}
app_env=""
for w in "${what[@]}"; do
    case "$w" in
    surf|drone|rain|fallback)
        scape="$w"; app_env=""
        if [ "$w" = fallback ]; then scape=surf; app_env="STILLPOINT_BED_HOST=cpal"; fi
        pid=$(app --soundscape "$scape")
        # The status line, to show sound was on (pipefail must not end the
        # run if it is not drawn yet).
        $tmux_ capture-pane -p -t m | grep -o 'audio [a-z].*' | head -1 || true
        measure "stillpoint, $w soundscape" "$pid"
        $tmux_ kill-server
        app_env=""
        sleep 2 ;;
    aplay)
        if command -v aplay >/dev/null; then
            aplay -q -D pulse --period-size=64000 --buffer-size=192000 -f FLOAT_LE -r 48000 -c 2 /dev/zero &
            aplay_pid=$!; sleep 6
            measure "aplay -D pulse, 3 x 64000 frames" "$aplay_pid"
            kill "$aplay_pid"; sleep 2
        else
            echo "alsa-utils is not installed (apt-get install alsa-utils); skipped"
        fi ;;
    sox)
        if command -v play >/dev/null; then
            play -q -n synth 3600 brownnoise vol 0.05 >/dev/null 2>&1 &
            sox_pid=$!; sleep 6
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
    off)
        pid=$(app --no-audio)
        measure "stillpoint, --no-audio" "$pid"
        $tmux_ kill-server
        sleep 2 ;;
    latency)
        echo "cue onset (stillpoint audio latency --cues 10 --foreseen 10):"
        "$bin" audio latency --cues 10 --foreseen 10 | grep -v '^cue \|^foreseen [ 0-9]' ;;
    *) echo "unknown: $w (surf drone rain fallback aplay sox none off latency)" >&2; exit 2 ;;
    esac
done
