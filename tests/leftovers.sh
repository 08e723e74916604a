#!/usr/bin/env bash
# Lists every file of rst-explain still installed on this machine: the system
# plugin and global profile (cmake --install as root, the Debian package), the
# package itself, and for each HOME given (default: yours) the personal plugin,
# profile and install record. Exit status 1 if anything is left.
#
#   tests/leftovers.sh [HOME ...]      # after uninstall: prints nothing, exits 0
set -uo pipefail
homes=("$@")
[ ${#homes[@]} -gt 0 ] || homes=("$HOME")
plugindir=$(pkg-config --variable=plugindir wireshark)
prefix=$(pkg-config --variable=prefix wireshark)
left=()
for path in "$plugindir/epan/rst.so" "$prefix/share/wireshark/profiles/RST Analysis" \
            "$prefix/share/doc/wireshark-rst-explain" \
            "$prefix/share/lintian/overrides/wireshark-rst-explain"; do
    [ -e "$path" ] && left+=("$path")
done
if dpkg-query -W -f='${Status}\n' wireshark-rst-explain 2>/dev/null | grep -qv "not-installed"; then
    left+=("the Debian package wireshark-rst-explain ($(dpkg-query -W -f='${Status}' wireshark-rst-explain))")
fi
for home in "${homes[@]}"; do
    while IFS= read -r found; do left+=("$found"); done < <(
        find "$home/.local/lib/wireshark/plugins" -name rst.so 2>/dev/null
        find "$home/.config/wireshark/profiles/RST Analysis" "$home/.local/share/rst-explain" \
            -maxdepth 0 2>/dev/null)
done
[ ${#left[@]} -eq 0 ] && exit 0
echo "left installed:"
printf '  %s\n' "${left[@]}"
exit 1
