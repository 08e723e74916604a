#!/usr/bin/env bash
# Runs every test: configures and builds in build/ (or $RST_BUILD_DIR), then
# the core's unit tests and tshark with the plugin on every capture.
#
#   tests/run.sh                 # everything (some 20 minutes on 2 cores)
#   tests/run.sh -L quick        # the quick ones (a minute): unit, loading, package, GUI
#   tests/run.sh -R captures     # any other ctest selection
# Dependencies: packaging/deps.sh (or packaging/quickstart.sh) installs them.
# The tests load this build's plugin, never an installed one, and need no
# change to what is installed (tests/with-plugin.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${RST_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
RST_BUILD_DIR="$build" "$root/tests/which-plugin.sh"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
