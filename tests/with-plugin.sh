#!/usr/bin/env bash
# Runs a Wireshark program (tshark, sharkd, wireshark) with the plugin from the
# build tree and nothing else of ours, whatever is installed on the machine.
#
#   RST_BUILD_DIR=build tests/with-plugin.sh tshark -r captures/refused-v4.pcapng ...
#
# Wireshark loads plugins from the system plugin folder and the personal one,
# and reports a failure ("The plugin 'rst.so' was found in multiple
# directories", a dialog in the GUI) when both hold a rst.so. An installed copy
# (cmake --install, packaging/quickstart.sh, the Debian package; this build or
# an older one) must neither be tested instead of this build nor clash with it.
# So the program gets its own folders:
# - a plugin folder (WIRESHARK_PLUGIN_DIR) holding links to every system
#   plugin except rst.so, plus this build's rst.so: Wireshark's own plugins
#   (stats_tree, transum, ...) still load, no installed rst.so does;
# - a private HOME whose personal profiles are this build's (the "RST
#   Analysis" profile) and whose personal plugin folder is empty.
# Wireshark run as root ignores WIRESHARK_PLUGIN_DIR (and personal plugins),
# so as root the program runs as nobody, keeping only CAP_DAC_READ_SEARCH so
# that it can still read a checkout that lies in a private folder like /root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${RST_BUILD_DIR:-$here/../build}" && pwd)
# RST_TEST_HOME: a HOME prepared by the caller (tests/gui.py: writable by the GUI).
home="${RST_TEST_HOME:-$build/tshark-home}"
plugin=$(find "$build/plugins" -name rst.so | head -n1)
[ -n "$plugin" ] || { echo "tests: no rst.so under $build/plugins: build first" >&2; exit 2; }
# .../plugins/4.0/epan/rst.so -> the version folder's name ("4.0").
version=$(basename "$(dirname "$(dirname "$plugin")")")
system_versioned=$(pkg-config --variable=plugindir wireshark)   # .../plugins/4.0
system=$(dirname "$system_versioned")

# The folder is named by what it links to, so it is made once per set of
# system plugins (in one step: tests run in parallel) and never changed.
listing=$( (echo "$plugin"; find "$system" -mindepth 1 ! -name rst.so 2>/dev/null) | LC_ALL=C sort)
folder="$build/test-plugins/$(printf '%s' "$listing" | md5sum | cut -c1-12)"
if [ ! -d "$folder" ]; then
    mkdir -p "$build/test-plugins"
    tmp=$(mktemp -d "$build/test-plugins/.new.XXXXXX")
    (cd "$system" 2>/dev/null && find . -mindepth 1 ! -name rst.so | sed "s|^\./||") | while read -r entry; do
        if [ -d "$system/$entry" ] && [ ! -L "$system/$entry" ]; then
            mkdir -p "$tmp/$entry"
        else
            ln -s "$system/$entry" "$tmp/$entry"
        fi
    done
    mkdir -p "$tmp/$version/epan"
    ln -s "$plugin" "$tmp/$version/epan/rst.so"
    chmod 755 "$tmp"
    mv -T "$tmp" "$folder" 2>/dev/null || rm -rf "$tmp"    # another test made it first
fi

# Earlier versions of this script linked the build as the personal plugin folder.
[ ! -L "$home/.local/lib/wireshark/plugins" ] || rm -f "$home/.local/lib/wireshark/plugins"
# The "RST Analysis" profile of this build, as a personal profile.
if [ -d "$build/profile" ] && [ ! -e "$home/.config/wireshark/profiles" ]; then
    mkdir -p "$home/.config/wireshark"
    ln -sfn "$build/profile" "$home/.config/wireshark/profiles"
fi
run=(env HOME="$home" XDG_CONFIG_HOME="$home/.config" WIRESHARK_PLUGIN_DIR="$folder" "$@")
if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=65534 --regid=65534 --clear-groups \
        --inh-caps=+dac_read_search --ambient-caps=+dac_read_search "${run[@]}"
fi
exec "${run[@]}"
