#!/usr/bin/env bash
# Runs every test: configures and builds in build/ (or $RST_BUILD_DIR), then
# the core's unit tests and tshark with the plugin on every capture.
# Dependencies: packaging/deps.sh (or packaging/quickstart.sh) installs them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${RST_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
