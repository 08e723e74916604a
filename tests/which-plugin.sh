#!/usr/bin/env bash
# Says which rst.so the tests load (this build's, through tests/with-plugin.sh)
# and which installed copies they leave aside.  With --check it fails unless
# Wireshark lists exactly one rst.so, this build's, and says nothing on stderr
# (where "found in multiple directories" would appear).
#
#   RST_BUILD_DIR=build tests/which-plugin.sh [--check]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${RST_BUILD_DIR:-$here/../build}" && pwd)
own=$(find "$build/plugins" -name rst.so | head -n1)
err=$(mktemp)
trap 'rm -f "$err"' EXIT
listed=$(RST_BUILD_DIR="$build" "$here/tshark.sh" -G plugins 2>"$err" | awk -F'\t' '$1 ~ /^rst\.so/ {print $NF}')
loaded=""
for path in $listed; do loaded="$loaded $(readlink -f "$path")"; done
loaded=${loaded# }
echo "tests load: ${loaded:-no rst.so}$([ "$loaded" = "$(readlink -f "$own")" ] && echo " (this build)")"
for copy in "$(pkg-config --variable=plugindir wireshark)/epan/rst.so" \
            "${SUDO_USER:+$(getent passwd "$SUDO_USER" | cut -d: -f6)}" "$HOME"; do
    case $copy in
        */rst.so) ;;
        "") continue ;;
        *) copy="$copy/.local/lib/wireshark/plugins/$(basename "$(dirname "$(dirname "$own")")")/epan/rst.so" ;;
    esac
    if [ -e "$copy" ]; then echo "installed, left aside by the tests: $copy"; fi
done | sort -u
if [ "${1:-}" = --check ]; then
    if [ -s "$err" ]; then
        echo "tshark -G plugins complained:" >&2
        cat "$err" >&2
        exit 1
    fi
    [ "$loaded" = "$(readlink -f "$own")" ] || { echo "not this build's rst.so" >&2; exit 1; }
fi
