#!/usr/bin/env bash
# From a fresh clone on Debian bookworm: installs the dependencies, builds,
# installs the plugin (your personal plugin folder; the system one as root)
# and shows why each RST in a bundled capture was sent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)"
cmake --install "$root/build"
echo
tshark -G plugins | grep -E '^rst\.so' || { echo "tshark does not list rst.so" >&2; exit 1; }
echo
echo "Why each RST in captures/tour.pcapng was sent (tshark -2 -Y rst -T fields ...):"
tshark -r "$root/captures/tour.pcapng" -2 -Y rst -T fields -E header=y \
    -e frame.number -e rst.sender -e rst.cause -e rst.suspicion -e rst.explanation
