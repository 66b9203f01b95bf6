#!/usr/bin/env bash
# The command-line tools that need no terminal, run by the Linux build and by
# the Windows build (under wine, through scripts/wine-run.sh) on the same
# inputs, each side in its own copy of the same folder; their standard
# output, standard error, exit status and the files they write must match.
#
#   scripts/wine-cli-tests.sh [LINUX_BINARY [WINDOWS_EXE]]
#
# Defaults: target/debug/stillpoint and
# target/x86_64-pc-windows-gnu/debug/stillpoint.exe. Ends with the line
# "N passed, N failed"; exits 1 if any failed. KEEP_WORK=1 keeps the
# outputs (raw and normalised) for a look.
#
# Normalised before comparing, because they legitimately differ between the
# systems: CR LF line ends become LF; `\` in paths becomes `/`; each side's
# own work folder (/tmp/…/linux, Z:\tmp\…\windows) becomes <work>; and the
# program's name as clap prints it (stillpoint.exe) becomes stillpoint;
# each system's own default data and settings folders (the XDG ones,
# %APPDATA%) become <data home> and <config home>, and since `config` pads
# its columns to the longest value, runs of spaces become two.
# Rendered WAV files are compared by header and length, and the length is
# checked against what was asked for, without sox; their samples may differ
# in the last bits, since sin and exp come from each system's maths library.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
linux=$(realpath "${1:-$root/target/debug/stillpoint}")
exe=$(realpath "${2:-$root/target/x86_64-pc-windows-gnu/debug/stillpoint.exe}")
work=$(mktemp -d)
export WINEPREFIX=${WINEPREFIX:-$work/prefix}
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
cleanup() {
    WINEPREFIX=$WINEPREFIX "$wineserver" -k >/dev/null 2>&1 || true
    if [ -n "${KEEP_WORK:-}" ]; then echo "outputs kept in $work/out"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The same starting folder for both sides: protocols in ./sessions (which
# shadow the bundled ones, as `list` reports), the protocol corpora, and a
# data folder of generated records (tests/fixtures/data).
for side in linux windows; do
    mkdir -p "$work/$side"
    cp -r "$root/sessions" "$work/$side/sessions"
    cp -r "$root/tests/valid" "$work/$side/valid"
    cp -r "$root/tests/invalid" "$work/$side/invalid"
    cp -r "$root/tests/invalid-config" "$work/$side/invalid-config"
    cp -r "$root/tests/fixtures/data" "$work/$side/data"
done
mkdir -p "$work/bin" "$work/out"
cp "$exe" "$work/bin/stillpoint.exe"

# Make the prefix once, before anything is timed or compared, and keep its
# server up between runs.
"$root/scripts/wine-run.sh" "$work/bin/stillpoint.exe" --version >/dev/null
"$wineserver" -p >/dev/null 2>&1 || true

normalise() { # side
    local dir=$work/$1
    local windir
    windir="Z:$(printf '%s' "$dir" | tr / '\\')"
    sed -e 's/\r$//' \
        -e "s|$(printf '%s' "$windir" | sed 's/[\\.]/\\&/g')|<work>|g" \
        -e "s|$dir|<work>|g" \
        -e 's|\\|/|g' \
        -e 's/stillpoint\.exe/stillpoint/g' \
        -e 's|<work>/home/\.local/share/stillpoint|<data home>|g' \
        -e 's|C:/users/[^/]*/AppData/Roaming/stillpoint/data|<data home>|g' \
        -e 's|<work>/home/\.config/stillpoint|<config home>|g' \
        -e 's|C:/users/[^/]*/AppData/Roaming/stillpoint/config|<config home>|g' \
        -e 's/   */  /g'
}

run() { # side name args...
    local side=$1 name=$2
    shift 2
    local rc=0 tries=0
    while :; do
        rc=0
        (
            cd "$work/$side"
            export HOME="$work/$side/home" STILLPOINT_CONFIG=${config:-config.ron} NO_COLOR=1 TZ=UTC
            unset STILLPOINT_DATA STILLPOINT_SESSIONS XDG_CONFIG_HOME XDG_DATA_HOME
            if [ "$side" = linux ]; then
                "$linux" "$@" </dev/null
            else
                "$root/scripts/wine-run.sh" "$work/bin/stillpoint.exe" "$@"
            fi
        ) >"$work/out/$name.$side.raw" 2>"$work/out/$name.$side.err.raw" || rc=$?
        # Wine 8 itself now and then dies of SIGSEGV (exit 139; a Windows
        # program's own crash ends with its exception code instead) or fails
        # to start ("failed to map the shared user data"): about 1 run in 150
        # here. Such a run says nothing about stillpoint; it is run again, at
        # most twice, and the log says so.
        if [ "$side" = windows ] && [ $tries -lt 2 ] && { [ $rc -eq 139 ] ||
            grep -q "^wine: failed to map\|virtual_alloc_first_teb" "$work/out/$name.$side.err.raw"; }; then
            tries=$((tries + 1))
            echo "note $name: wine itself failed (exit $rc); running it again" >&2
            continue
        fi
        break
    done
    {
        echo "exit status $rc"
        echo "--- stdout"
        normalise "$side" <"$work/out/$name.$side.raw"
        echo "--- stderr"
        normalise "$side" <"$work/out/$name.$side.err.raw"
    } >"$work/out/$name.$side"
}

# A WAV file's format and length, read from its header with od.
wav_summary() { # file
    local f=$1 size off id len fmt channels rate bits data=""
    u32() { od -A n -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
    u16() { od -A n -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }
    [ "$(head -c 4 "$f")" = RIFF ] && [ "$(tail -c +9 "$f" | head -c 4)" = WAVE ] || {
        echo "not a RIFF/WAVE file"
        return
    }
    size=$(stat -c %s "$f")
    [ "$(u32 "$f" 4)" -eq $((size - 8)) ] || echo "RIFF size $(u32 "$f" 4) for a $size-byte file"
    off=12
    while [ $((off + 8)) -le "$size" ]; do
        id=$(tail -c +$((off + 1)) "$f" | head -c 4)
        len=$(u32 "$f" $((off + 4)))
        case $id in
            "fmt ")
                fmt=$(u16 "$f" $((off + 8)))
                channels=$(u16 "$f" $((off + 10)))
                rate=$(u32 "$f" $((off + 12)))
                bits=$(u16 "$f" $((off + 22)))
                ;;
            data) data=$len ;;
        esac
        off=$((off + 8 + len + len % 2))
    done
    local frames=$((data / (channels * bits / 8)))
    echo "format $fmt, $channels channels, $rate Hz, $bits bits, $frames frames," \
        "$((frames * 1000 / rate)) ms"
}

passed=0
failed=0
record() { # name ok(0/1) detail
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $1${3:+ ($3)}"
    else
        failed=$((failed + 1))
        echo "FAIL $1"
        printf '%s\n' "$3" | sed 's/^/     /'
    fi
}

# Runs `stillpoint ARGS` on both sides and compares what they printed, the
# exit status and, for each FILE named in $files, the file they wrote.
# $config names the settings file (STILLPOINT_CONFIG; default config.ron).
check() { # name args...
    local name=$1
    shift
    run linux "$name" "$@"
    run windows "$name" "$@"
    local diffs
    diffs=$(diff -u "$work/out/$name.linux" "$work/out/$name.windows" | head -40) || true
    for f in ${files:-}; do
        local a=$work/linux/$f b=$work/windows/$f
        if [ ! -f "$a" ] || [ ! -f "$b" ]; then
            diffs+=$'\n'"$f: missing on one side"
        elif [[ $f == *.wav ]]; then
            local sa sb
            sa=$(wav_summary "$a")
            sb=$(wav_summary "$b")
            [ "$sa" = "$sb" ] || diffs+=$'\n'"$f: linux: $sa"$'\n'"$f: windows: $sb"
            [ -z "${want_ms:-}" ] || [[ $sa == *", $want_ms ms" ]] ||
                diffs+=$'\n'"$f: wanted $want_ms ms, got: $sa"
        else
            diffs+=$(diff -u <(normalise linux <"$a") <(normalise windows <"$b") | head -20) || true
        fi
    done
    local detail
    detail=$(head -1 "$work/out/$name.linux")
    for f in ${files:-}; do
        [[ $f != *.wav ]] || detail+="; $f: $(wav_summary "$work/linux/$f")"
    done
    if [ -z "$diffs" ]; then record "$name" 0 "$detail"; else record "$name" 1 "$diffs"; fi
}

echo "== the command line: Linux and Windows (wine) side by side"
check version --version
check help --help
check list list
check validate-all validate
check validate-valid validate valid/every-field.ron
# shellcheck disable=SC2046 # the corpus, one argument per file, sorted
check validate-invalid validate $(cd "$root/tests" && ls invalid/*.ron | sort)
files="my-flow.ron" check new new my-flow
check validate-new validate my-flow.ron
files="config.ron" check config-init config --init
check config config
config=valid/every-setting.ron check config-every-setting config
for f in "$root"/tests/invalid-config/*.ron; do
    name=$(basename "$f" .ron)
    config=invalid-config/$name.ron check "config-invalid-$name" config
done
files="bell.wav" check render-cue audio render --cue next-step bell.wav
files="rain.wav" want_ms=3000 check render-soundscape audio render --soundscape rain --seconds 3 rain.wav
check history history --data-dir data
check history-client history --client AB --data-dir data
check history-since history --since 2018-01-15 --data-dir data
id=$(cd "$work/linux/data/sessions" && ls ./*.jsonl | head -1 | sed 's|^\./||; s|\.jsonl$||')
check show show "$id" --data-dir data
check show-prefix show "${id:0:13}" --data-dir data
check show-unknown show 19990101 --data-dir data
check export-csv export --format csv --data-dir data
check export-md export --format md --data-dir data
check export-json export --format json --data-dir data
files="out.csv" check export-file export --format csv -o out.csv --data-dir data
check completions-bash completions bash
files="man/stillpoint.1 man/stillpoint-run.1 man/stillpoint-audio-render.1" \
    check man-pages completions --man-dir man

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
