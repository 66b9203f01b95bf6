#!/usr/bin/env bash
# History and export figures over a practice's worth of records.
#
#   scripts/measure-history.sh [N]        default 10000 sessions
#
# Builds release, writes N sessions with the generator (examples/gen_history.rs)
# into a folder under target/ (once; delete it to regenerate), then times
# `history`, `history --client`, and `export --format csv` with hyperfine
# (apt-get install hyperfine) or, without it, the median of ten runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
cargo build --release --quiet --bin stillpoint --example gen_history
bin="$PWD/target/release/stillpoint"
data="$PWD/target/history-$n"
if [ ! -d "$data/sessions" ]; then
    target/release/examples/gen_history "$data" "$n"
fi
echo "$(ls "$data/sessions" | wc -l) records, $(du -sh "$data/sessions" | cut -f1)"
cmds=(
    "$bin history --data-dir $data"
    "$bin history --client C07 --data-dir $data"
    "$bin export --format csv --data-dir $data"
)
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 2 --runs 20 --output=null "${cmds[@]}"
else
    for c in "${cmds[@]}"; do
        times=()
        for _ in $(seq 10); do
            s=$(date +%s%N); $c >/dev/null; e=$(date +%s%N)
            times+=($(( (e - s) / 1000000 )))
        done
        median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
        echo "median ${median} ms  $c"
    done
fi
