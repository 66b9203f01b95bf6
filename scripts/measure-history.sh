#!/usr/bin/env bash
# History, export, verify, backup and restore figures over a practice's worth
# of records.
#
#   scripts/measure-history.sh [N] [--cold] [--vault]     default 10000 sessions
#   RUNS=3 scripts/measure-history.sh ...   fewer runs each (without hyperfine)
#
# Builds the measure profile, writes N sessions with the generator (examples/gen_history.rs)
# into $TMPDIR/stillpoint-history-N (once; delete it to regenerate). With --vault
# the folder is ...-N-vault and every record, the index and the backup are sealed:
# each run is given the passphrase in STILLPOINT_TEST_PASSPHRASE, so its time
# includes the key derivation (Argon2id, 64 MiB, 3 passes). Then it times,
# with hyperfine if installed (apt-get install -y hyperfine), else as the median
# of ten runs timed with `date +%s%N`:
#   - `history`, `history --client C07`, `export --format csv`, served by the
#     folder's index of closed records (sessions/.index), as every run after the
#     first is;
#   - `history` with the index removed before each run: every record read
#     whole and checked, as the very first run does (it then writes the index);
#   - `export --format md` and `--format json`, which read every record whole;
#   - `verify --all`, which walks every line of every record;
#   - `backup` of the whole folder, and `restore` of it into an empty folder.
# With --cold (root only; it empties the whole machine's page cache, so other
# work slows down for a moment) each run starts with the cache dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
n=10000
cold=""
vault=""
for arg in "$@"; do
    case "$arg" in
        --cold) cold=1 ;;
        --vault) vault=1 ;;
        *) n="$arg" ;;
    esac
done
target="${CARGO_TARGET_DIR:-$PWD/target}"
# The binary as shipped (profile measure: release settings in its own
# folder), built on its own so no dev-dependency feature reaches it; the
# generator separately.
cargo build --profile measure --quiet --bin stillpoint
cargo build --profile measure --quiet --example gen_history
bin="$target/measure/stillpoint"
tmp="${TMPDIR:-/tmp}"
data="$tmp/stillpoint-history-$n"
gen_args=()
if [ -n "$vault" ]; then
    data="$data-vault"
    export STILLPOINT_TEST_PASSPHRASE="measure-history passphrase"
    gen_args=(--vault "$STILLPOINT_TEST_PASSPHRASE")
fi
if [ ! -d "$data/sessions" ]; then
    "$target/measure/examples/gen_history" "$data" "$n" "${gen_args[@]}"
fi
scratch=$(mktemp -d "$tmp/measure-history.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
echo "$(find "$data/sessions" -name '*.jsonl' | wc -l) records, $(du -sh "$data/sessions" | cut -f1), $(nproc) cores${vault:+, sealed}"
# Make sure the index exists before the runs that use it.
"$bin" history --data-dir "$data" >/dev/null 2>&1
backup="$scratch/history.backup"
restored="$scratch/restored"
"$bin" backup --force "$backup" --data-dir "$data" >/dev/null 2>&1

prepare="true"
if [ -n "$cold" ]; then
    prepare="sync; echo 3 > /proc/sys/vm/drop_caches"
fi
no_index="rm -f $data/sessions/.index; $prepare"
fresh="rm -rf $restored; $prepare"
names=(history "history --client C07" "export --format csv" "history, no index"
    "export --format md" "export --format json" "verify --all" backup restore)
cmds=(
    "$bin history --data-dir $data"
    "$bin history --client C07 --data-dir $data"
    "$bin export --format csv --data-dir $data"
    "$bin history --data-dir $data"
    "$bin export --format md --data-dir $data"
    "$bin export --format json --data-dir $data"
    "$bin verify --all --data-dir $data"
    "$bin backup --force $backup --data-dir $data"
    "$bin restore $backup --data-dir $restored"
)
preps=("$prepare" "$prepare" "$prepare" "$no_index" "$prepare" "$prepare" "$prepare" "$prepare" "$fresh")

if command -v hyperfine >/dev/null; then
    for i in "${!cmds[@]}"; do
        runs=20
        [ "$i" -ge 4 ] && runs=5
        hyperfine --warmup 2 --runs "$runs" --output=null --prepare "${preps[$i]}" \
            --command-name "${names[$i]}" --export-json "$scratch/$i.json" \
            "${cmds[$i]}" >/dev/null
        median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$scratch/$i.json" | head -1)
        awk -v m="$median" -v name="${names[$i]}" 'BEGIN { printf "%-26s median %7.1f ms\n", name, m * 1000 }'
    done
else
    for i in "${!cmds[@]}"; do
        times=()
        for _ in $(seq "${RUNS:-10}"); do
            bash -c "${preps[$i]}"
            s=$(date +%s%N); ${cmds[$i]} >/dev/null 2>&1; e=$(date +%s%N)
            times+=($(( (e - s) / 1000000 )))
        done
        printf '%s\n' "${times[@]}" | sort -n |
            awk -v name="${names[$i]}" '{ t[NR] = $1 } END {
                m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                printf "%-26s median %7.1f ms\n", name, m }'
    done
fi
rm -rf "$restored"
