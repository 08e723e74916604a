#!/usr/bin/env bash
# tshark with the plugin from the build tree (see with-plugin.sh).
exec "$(dirname "$0")/with-plugin.sh" tshark "$@"
