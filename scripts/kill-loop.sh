#!/usr/bin/env bash
# Nothing typed is lost to a crash: runs a session N times (default
# 20) in a tmux pane, writes notes, and kills the app with SIGKILL at a
# random moment (0–60 ms after the last note's Enter, sometimes while a
# note is being written), then counts
#   sent      notes whose Enter had been sent when the kill came,
#   shown     notes the log panel showed as saved at the kill,
#   recorded  notes in the record on disk afterwards (and whether every
#             line of it reads back whole: `stillpoint show`).
# A note the app had not yet read from the terminal when it died cannot be
# in the record; every note it showed must be.
#
#   scripts/kill-loop.sh [N] [--vault]
#
# With --vault each data folder's vault is made first (the passphrase given
# in STILLPOINT_TEST_PASSPHRASE), so every line is sealed; the notes are
# then counted from `stillpoint show`, which opens them.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20 vault=""
for arg in "$@"; do
    case "$arg" in
        --vault) vault=1 ;;
        *) runs="$arg" ;;
    esac
done
export STILLPOINT_TEST_PASSPHRASE="kill-loop passphrase"
cargo build --profile measure --quiet --bin stillpoint
bin="${CARGO_TARGET_DIR:-$PWD/target}/measure/stillpoint"
work=$(mktemp -d "${TMPDIR:-/tmp}/kill-loop.XXXXXX")
sock="kill-loop-$$"
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
wait_for() { # text, seconds
    local deadline=$((SECONDS + ${2:-10}))
    until tm capture-pane -p -t 0 | grep -qF -- "$1"; do
        [ $SECONDS -lt $deadline ] || { echo "timed out waiting for: $1" >&2; tm capture-pane -p -t 0 >&2; return 1; }
        sleep 0.02
    done
}
total_sent=0 total_shown=0 total_recorded=0 damaged=0
printf '%4s %5s %6s %9s\n' run sent shown recorded
for i in $(seq "$runs"); do
    data="$work/data-$i"
    tm kill-server 2>/dev/null || true
    if [ -n "$vault" ]; then
        STILLPOINT_DATA="$data" "$bin" vault init >/dev/null 2>&1
    fi
    tm -f /dev/null new-session -d -x 120 -y 40 \
        "STILLPOINT_DATA='$data' STILLPOINT_TEST_PASSPHRASE='$STILLPOINT_TEST_PASSPHRASE' NO_COLOR=1 exec '$bin' run still-point-10 --no-audio --client KL"
    # The consultation: pain 5, stress 4, then begin.
    wait_for "consultation ·"
    tm send-keys -t 0 Tab Tab 5 Tab 4 F10
    wait_for "press space"
    tm send-keys -t 0 Space
    wait_for "running"
    pid=$(tm list-panes -t 0 -F '#{pane_pid}')
    notes=$((3 + RANDOM % 6))
    sent=0
    for n in $(seq "$notes"); do
        tm send-keys -t 0 n
        wait_for "note ›"
        tm send-keys -t 0 -l "kill-$i-note-$n"
        tm send-keys -t 0 Enter
        sent=$((sent + 1))
        # Most notes are seen saved before the next; the last is not waited for.
        [ "$n" -lt "$notes" ] && wait_for "note: kill-$i-note-$n"
    done
    # Half the runs die with a note half written.
    if [ $((RANDOM % 2)) -eq 0 ]; then tm send-keys -t 0 n; tm send-keys -t 0 -l "half"; fi
    sleep "0.0$((RANDOM % 6))"
    screen=$(tm capture-pane -p -t 0 -S -)
    kill -KILL "$pid"
    shown=$(grep -o "note: kill-$i-note-[0-9]*" <<<"$screen" | sort -u | wc -l)
    id=$(basename "$(ls "$data"/sessions/*.jsonl | head -1)" .jsonl)
    # The record as `show` reads it (opening sealed lines), every line checked.
    shown_record=$(STILLPOINT_DATA="$data" "$bin" show "$id" 2>&1 || true)
    recorded=$(grep -o "kill-$i-note-[0-9]*" <<<"$shown_record" | sort -u | wc -l)
    if grep -q "damaged" <<<"$shown_record"; then damaged=$((damaged + 1)); fi
    if [ -n "$vault" ] && grep -q "kill-$i-note" "$data"/sessions/*.jsonl; then
        echo "IN THE CLEAR: run $i's notes are readable in the file" >&2
    fi
    printf '%4d %5d %6d %9d\n' "$i" "$sent" "$shown" "$recorded"
    if [ "$recorded" -lt "$shown" ]; then echo "LOST: run $i showed $shown notes, recorded $recorded" >&2; fi
    total_sent=$((total_sent + sent)); total_shown=$((total_shown + shown)); total_recorded=$((total_recorded + recorded))
done
echo "total: sent $total_sent, shown as saved $total_shown, recorded $total_recorded; records read back damaged: $damaged of $runs"
