#!/usr/bin/env bash
# From a fresh clone on Debian bookworm (or trixie, sid, Ubuntu 24.04): installs
# the dependencies, builds, installs the plugin and the "RST Analysis" profile,
# and shows why each RST in a bundled capture was sent. Run it again to upgrade.
#
# Where it installs: over an existing install, in its place (the Debian package
# is replaced by this build's package, a system-wide copy with sudo), so that
# Wireshark never finds two; otherwise the system folders as root (tshark run as
# root ignores personal plugins), your personal ones as an ordinary user.
# The way out: cmake --build build --target uninstall (with sudo for a system
# install), or sudo apt remove wireshark-rst-explain for the package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
"$root/packaging/deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"

system_plugin="$(pkg-config --variable=plugindir wireshark)/epan/rst.so"
if dpkg-query -W -f='${Status}' wireshark-rst-explain 2>/dev/null | grep -q " installed$"; then
    echo "The Debian package wireshark-rst-explain is installed: replacing it with this build's."
    rm -rf "$build/package"
    cmake --build "$build" --target package >/dev/null
    $sudo dpkg -i "$build"/package/wireshark-rst-explain_*.deb
elif [ -n "$sudo" ] && [ -e "$system_plugin" ]; then
    echo "A system-wide copy is installed ($system_plugin): replacing it (sudo)."
    $sudo cmake --install "$build"
else
    cmake --install "$build"
fi

# What Wireshark loads now: one rst.so and no complaint.
echo
complaint=$(mktemp)
trap 'rm -f "$complaint"' EXIT
listed=$(tshark -G plugins 2>"$complaint" | grep -E '^rst\.so' || true)
sed -i '/^Running as user/d' "$complaint"     # tshark's note when run as root
if [ -z "$listed" ] || [ -s "$complaint" ]; then
    echo "tshark does not load the plugin cleanly:" >&2
    cat "$complaint" >&2
    exit 1
fi
echo "$listed"
if [ -z "$sudo" ] && [ -n "${SUDO_USER:-}" ]; then
    mine="$(getent passwd "$SUDO_USER" | cut -d: -f6)/.local/lib/wireshark/plugins"
    if find "$mine" -name rst.so 2>/dev/null | grep -q .; then
        echo "note: $SUDO_USER has a personal copy under $mine; Wireshark run as"
        echo "  $SUDO_USER will report the plugin twice: remove it (cmake --build build"
        echo "  --target uninstall, as $SUDO_USER, from the build that installed it)."
    fi
fi
echo
echo "Why each RST in captures/tour.pcapng was sent (tshark -2 -Y rst -T fields ...):"
tshark -r "$root/captures/tour.pcapng" -2 -Y rst -T fields -E header=y \
    -e frame.number -e rst.sender -e rst.cause -e rst.suspicion -e rst.explanation
