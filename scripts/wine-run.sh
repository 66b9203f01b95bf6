#!/usr/bin/env bash
# Runs a Windows program under wine, the way CI does: in the prefix named by
# WINEPREFIX (a temporary folder; made on first use), with no display, no
# debug chatter, standard input empty, and the ProcessPrng stand-in that
# wine 8 lacks (packaging/wine/bcryptprimitives.c) in the prefix's system32.
# Also works as Cargo's runner:
#
#   export WINEPREFIX=$(mktemp -d)
#   CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=scripts/wine-run.sh \
#       cargo test --target x86_64-pc-windows-gnu --lib
#
# Needs Debian's wine64 and gcc-mingw-w64-x86-64-posix.
set -euo pipefail

if [ -z "${WINEPREFIX:-}" ]; then
    echo "wine-run.sh: set WINEPREFIX to a temporary folder" >&2
    exit 2
fi
export WINEPREFIX WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY
wine=${WINE:-}
if [ -z "$wine" ]; then
    wine=$(command -v wine64 || true)
    [ -n "$wine" ] || wine=/usr/lib/wine/wine64
fi

shim_src="$(cd "$(dirname "$0")/.." && pwd)/packaging/wine/bcryptprimitives.c"
system32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$system32/bcryptprimitives.dll" ]; then
    # wineboot makes the prefix (about ten seconds, once).
    "$wine" wineboot --init </dev/null >/dev/null 2>&1 || true
    mkdir -p "$system32"
    x86_64-w64-mingw32-gcc-posix -shared -O2 -o "$system32/bcryptprimitives.dll" \
        "$shim_src" -ladvapi32
fi

exec timeout 300 "$wine" "$@" </dev/null
