#!/usr/bin/env bash
# Runs a Wireshark program (tshark, sharkd, wireshark) with the plugin from the
# build tree: build/plugins is linked as the personal plugin folder of a
# private HOME, build/profile as its personal profiles.  Wireshark run as root ignores personal plugins (and
# WIRESHARK_PLUGIN_DIR), so as root the program runs as nobody, keeping only
# CAP_DAC_READ_SEARCH so that it can still read a checkout that lies in a
# private folder such as /root.
#
#   RST_BUILD_DIR=build tests/with-plugin.sh tshark -r captures/refused-v4.pcapng ...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${RST_BUILD_DIR:-$here/../build}" && pwd)
# RST_TEST_HOME: a HOME prepared by the caller (tests/gui.py: writable by the GUI).
home="${RST_TEST_HOME:-$build/tshark-home}"
# Wireshark loads the first rst.so it finds, system folder first: a different
# installed copy would be tested instead of this build.
plugin=$(find "$build/plugins" -name rst.so | head -n1)
installed="$(pkg-config --variable=plugindir wireshark)/epan/rst.so"
if [ -e "$installed" ] && ! cmp -s "$installed" "$plugin"; then
    echo "tests: $installed is not this build's plugin and would shadow it;" >&2
    echo "  install this build (sudo cmake --install $build) or remove that file." >&2
    exit 2
fi
if [ ! -e "$home/.local/lib/wireshark/plugins" ]; then
    mkdir -p "$home/.local/lib/wireshark"
    ln -sfn "$build/plugins" "$home/.local/lib/wireshark/plugins"
fi
# The "RST Analysis" profile of this build, as a personal profile.
if [ -d "$build/profile" ] && [ ! -e "$home/.config/wireshark/profiles" ]; then
    mkdir -p "$home/.config/wireshark"
    ln -sfn "$build/profile" "$home/.config/wireshark/profiles"
fi
if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=65534 --regid=65534 --clear-groups \
        --inh-caps=+dac_read_search --ambient-caps=+dac_read_search \
        env HOME="$home" XDG_CONFIG_HOME="$home/.config" "$@"
fi
exec env HOME="$home" XDG_CONFIG_HOME="$home/.config" "$@"
