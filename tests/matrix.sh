#!/usr/bin/env bash
# The whole test suite on every Wireshark version the plugin supports: this
# machine's (Debian bookworm, 4.0: tests/run.sh here) and, each in a Debian
# root made with debootstrap from Debian's archive, trixie (4.4) and sid (4.6).
#
#   sudo tests/matrix.sh [SUITE ...]        # default: bookworm trixie sid
#
# A suite that is this machine's own release runs tests/run.sh here.
# For each suite: debootstrap a minimal root (kept in $RST_ROOTS, default
# /var/tmp/rst-roots, and reused), install packaging/deps.sh's packages
# there, build this checkout with -Wall -Wextra (any warning fails), run
# tests/run.sh (every ctest: unit, captures, odd captures, external corpus,
# docs, Debian package, GUI, fuzzing), and keep the Debian package built for
# that version's library in build/matrix/SUITE/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
roots=${RST_ROOTS:-/var/tmp/rst-roots}
mirror=${RST_MIRROR:-http://deb.debian.org/debian}
out=${RST_BUILD_DIR:-$src/build}/matrix
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie sid)
[ "$(id -u)" = 0 ] || { echo "matrix.sh: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

mounted=()
cleanup() {
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[$i]}" 2>/dev/null || true
    done
}
trap cleanup EXIT

bind() {    # bind FROM TO: mounted until its suite is done (or the script ends)
    mkdir -p "$2"
    mount --bind "$1" "$2"
    mounted+=("$2")
}

make_root() {
    local suite=$1 root=$2
    mkdir -p "$roots"
    if [ ! -x "$root/usr/bin/apt-get" ]; then
        echo "== $suite: debootstrap"
        rm -rf "$root"
        debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
            || { tail -20 "$root.debootstrap.log"; return 1; }
    fi
    # A frozen archive (sid's Release files expire within days) is still valid here.
    echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99rst-matrix"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

run_suite() {
    local suite=$1 root=$roots/$1
    make_root "$suite" "$root"
    for d in proc sys dev dev/pts; do bind "/$d" "$root/$d"; done
    bind "$src" "$root/src"
    local corpus="" ext
    ext=${RST_EXTERNAL_DIR:-$(dirname "$src")/shared/captures-external}
    if [ -d "$ext" ]; then
        bind "$ext" "$root/external"
        corpus=/external
    fi
    echo "== $suite: dependencies"
    chroot "$root" bash /src/packaging/deps.sh
    local version
    version=$(chroot "$root" pkg-config --modversion wireshark)
    echo "== $suite: Wireshark $version: build"
    if ! chroot "$root" bash -c "rm -rf /build && cmake -S /src -B /build \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build /build -j$(nproc)" \
            >"$root/build.log" 2>&1 || grep -qE "warning:" "$root/build.log"; then
        grep -E -A3 "warning:|error:|Error" "$root/build.log" | head -60 >&2
        echo "== $suite: the build failed or is not clean" >&2
        return 1
    fi
    echo "== $suite: Wireshark $version: tests"
    chroot "$root" env RST_BUILD_DIR=/build ${corpus:+RST_EXTERNAL_DIR=$corpus} bash /src/tests/run.sh
    chroot "$root" bash -c "cd /build && cpack -G DEB -B /build/deb --config /build/CPackConfig.cmake" \
        >/dev/null
    rm -rf "$out/$suite"
    mkdir -p "$out/$suite"
    cp "$root"/build/deb/*.deb "$out/$suite/"
    echo "== $suite: Wireshark $version: green; package: $(ls "$out/$suite")"
    cleanup
    mounted=()
}

for suite in "${suites[@]}"; do
    if [ "$suite" = "$host_suite" ]; then
        echo "== $suite: this machine, Wireshark $(pkg-config --modversion wireshark): tests"
        bash "$here/run.sh"
    else
        run_suite "$suite"
    fi
done
