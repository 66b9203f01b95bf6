#!/usr/bin/env bash
# Installs the Debian package made by scripts/build-deb.sh with dpkg -i,
# checks that what it installed works and is where it belongs, then removes
# it and checks that no file of it is left behind. Changes the system: run
# it as root on a CI or throwaway machine.
#
#   scripts/deb-smoke-test.sh [PACKAGE.deb]
set -euo pipefail
cd "$(dirname "$0")/.."

deb=$(realpath "${1:-$(ls "${CARGO_TARGET_DIR:-target}"/debian/stillpoint_*.deb | tail -1)}")
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
fail() {
    echo "deb smoke test: $*" >&2
    exit 1
}

echo "== package: $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends
dpkg-deb --field "$deb" Depends | grep -q 'libasound2' || fail "libasound2 is not a dependency"

scratch=$(mktemp -d)
# A failed check still takes the package off again.
cleanup() {
    rm -rf "$scratch"
    if dpkg -s stillpoint >/dev/null 2>&1; then $sudo dpkg -r stillpoint >/dev/null; fi
}
trap cleanup EXIT

$sudo dpkg -i "$deb"
files=$(dpkg -L stillpoint)

# Run from an empty folder so ./sessions of the checkout is not found, with
# a private home so nothing of the user's is read or written.
(
    cd "$scratch"
    export HOME=$scratch
    unset XDG_CONFIG_HOME XDG_DATA_HOME STILLPOINT_DATA STILLPOINT_CONFIG STILLPOINT_SESSIONS
    [ "$(command -v stillpoint)" = /usr/bin/stillpoint ] || fail "stillpoint is not /usr/bin/stillpoint"
    # (Captured first: `grep -q` stops reading at its match, and a printing
    # command whose reader has gone ends by SIGPIPE, which pipefail counts.)
    version=$(stillpoint --version)
    [ "$version" = "stillpoint $(dpkg-deb --field "$deb" Version | cut -d- -f1)" ] ||
        fail "--version does not match the package: $version"
    list=$(stillpoint list)
    grep -q '^ten-step ' <<<"$list" || fail "list does not show the bundled protocols"
    stillpoint validate >/dev/null || fail "the bundled protocols do not validate"
)
man -w stillpoint | grep -qx /usr/share/man/man1/stillpoint.1.gz || fail "man -w stillpoint: $(man -w stillpoint 2>&1)"
man -w stillpoint-run >/dev/null || fail "no manual page for stillpoint run"
for f in /usr/share/bash-completion/completions/stillpoint \
    /usr/share/zsh/vendor-completions/_stillpoint \
    /usr/share/fish/vendor_completions.d/stillpoint.fish \
    /usr/share/doc/stillpoint/copyright \
    /usr/share/doc/stillpoint/README.md \
    /usr/share/doc/stillpoint/LICENSE-MIT \
    /usr/share/doc/stillpoint/LICENSE-APACHE; do
    [ -s "$f" ] || fail "$f is missing or empty"
    grep -qxF "$f" <<<"$files" || fail "$f is not the package's"
done
bash -c 'source /usr/share/bash-completion/completions/stillpoint && complete -p stillpoint' >/dev/null ||
    fail "the bash completion does not load"
echo "installed: $(grep -c . <<<"$files") paths; --version, list, validate, man, completions ok"

DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq stillpoint >/dev/null
left=()
while read -r path; do
    # Folders the system shares (/usr/bin, /usr/share/man/man1…) stay.
    [ -d "$path" ] || [ ! -e "$path" ] || left+=("$path")
done <<<"$files"
[ ${#left[@]} -eq 0 ] || fail "left behind after apt-get remove: ${left[*]}"
[ ! -e /usr/share/doc/stillpoint ] || fail "/usr/share/doc/stillpoint is left behind"
dpkg -s stillpoint >/dev/null 2>&1 && fail "dpkg still knows stillpoint after removal"
echo "removed: no file left behind"
