#!/usr/bin/env bash
# Compiles every C file of the plugin (the core and the Wireshark layer)
# against a Wireshark version's headers, with -Wall -Wextra -Werror: for a
# version this machine has no library of (Wireshark 4.2, Ubuntu 24.04 LTS),
# where nothing can be linked or run.
#
#   tests/compile-check.sh HEADERS      # e.g. ../shared/wireshark-headers/4.2.6
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
headers=$(cd "${1:?usage: tests/compile-check.sh HEADERS}" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
version=$(awk '/define WIRESHARK_VERSION_(MAJOR|MINOR|MICRO)/ {v = v (v ? "." : "") $3} END {print v}' \
          "$headers/ws_version.h")
n=0
for file in "$src"/plugin/core/*.c "$src"/plugin/*.c; do
    gcc -std=gnu11 -Wall -Wextra -Werror -fPIC -fsyntax-only \
        -DRST_EXPLAIN_VERSION='"check"' -I"$headers" -I"$headers/include" \
        -I"$src/plugin" -I"$src/plugin/core" $(pkg-config --cflags glib-2.0) "$file" -o "$out/x.o"
    n=$((n + 1))
done
echo "compile-check: $n files compile against Wireshark $version's headers (-Wall -Wextra -Werror)"
