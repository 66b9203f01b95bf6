#!/usr/bin/env bash
# Measures the release binary the way the peer timers were measured
# (../shared/tools/measure-tui.sh: 120x40 tmux pane, 60 s window, audio off),
# then runs the resize / stop / hang-up checks (robust-tui.sh).
#
#   scripts/measure.sh [WINDOW_SECONDS]      default 60
#
# Prints CPU % of one core, voluntary context switches per second (all
# threads), time to the first screen, and RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${STILLPOINT_TOOLS:-../shared/tools}"
[ -x "$tools/measure-tui.sh" ] || [ -f "$tools/measure-tui.sh" ] || {
    echo "measure-tui.sh not found in $tools (set STILLPOINT_TOOLS)" >&2; exit 2; }
window="${1:-60}"
# Profile measure: the release settings, in target/measure/ (not the
# target/release/ binary `cargo bench` may have built with test features).
cargo build --profile measure --quiet --bin stillpoint
bin="${CARGO_TARGET_DIR:-$PWD/target}/measure/stillpoint"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
export STILLPOINT_DATA="$data"
# A 3-minute timed hold keeps the countdown running for the whole window.
cat > "$data/hold.ron" <<'RON'
Protocol(version: 1, name: "Measure", summary: "One long hold", steps: [
    Hold(name: "Long hold", region: Occiput, hands: "h", intent: "i", duration: "30m"),
])
RON
echo "== measure-tui ($window s window, a running hold, audio off)"
# Practice mode: no consultation to answer before the hold starts; q y then
# Enter leaves through the summary.
bash "$tools/measure-tui.sh" -w "$window" -K Space -k "q y Enter" -n stillpoint -- "$bin" practice "$data/hold.ron" --no-audio
# Each check kills the app, which leaves its record cut off; a fresh data
# folder per start keeps the next start from offering to take it up.
cat > "$data/fresh.sh" <<SH
#!/bin/sh
STILLPOINT_DATA=\$(mktemp -d "$data/run.XXXXXX") exec "$bin" "\$@"
SH
chmod +x "$data/fresh.sh"
echo "== robust-tui"
bash "$tools/robust-tui.sh" -K Space -n stillpoint -- "$data/fresh.sh" practice "$data/hold.ron" --no-audio
