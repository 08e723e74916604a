#!/usr/bin/env bash
# Installs what rst-explain needs to build and test, from Debian's archive.
set -euo pipefail
packages=(
    build-essential cmake pkg-config     # the build
    libwireshark-dev libglib2.0-dev      # Wireshark's development files (wireshark.pc)
    tshark                               # runs the plugin
    python3                              # /usr/bin/python3 for the capture tests
    wireshark                            # the GUI (bookworm: pulls wireshark-qt)
    xvfb xdotool python3-pil             # the GUI test and screenshot (tests/gui.py)
    x11-utils tesseract-ocr              # tests/gui.py: display ready (xdpyinfo), dialogs (xprop) read
    valgrind                             # tests/fuzz.py (the sanitizers come with gcc), tests/benchmark.py --instructions
    time                                 # /usr/bin/time: wall, CPU and peak memory in tests/benchmark.py
    lintian                              # tests/check_package.py: the package as Debian checks its own
    clang-format                         # tests/format-check.sh (version 14 on bookworm)
)
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Do not ask whether non-root users may capture; keep Debian's default.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
