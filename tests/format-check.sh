#!/usr/bin/env bash
# Fails if a C file of the plugin or its unit tests is not formatted as
# .clang-format says (clang-format 14, Debian bookworm's: other versions
# break some lines differently, so there the check is skipped, exit 77).
#
#   tests/format-check.sh           # check
#   tests/format-check.sh --fix     # format in place
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ] || ! "$format" --version | grep -q "version 14\."; then
    echo "format-check: skipped: needs clang-format 14 (packaging/deps.sh installs it on bookworm)"
    exit 77
fi
mapfile -t files < <(cd "$root" && git ls-files 'plugin/*.[ch]' 'tests/unit/*.[ch]' 2>/dev/null \
                     || find plugin tests/unit -name '*.[ch]')
cd "$root"
if [ "${1:-}" = "--fix" ]; then
    "$format" -i "${files[@]}"
    exit 0
fi
"$format" --dry-run -Werror "${files[@]}"
echo "format-check: ${#files[@]} files formatted as .clang-format says"
