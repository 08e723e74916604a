# cmake -DOUT=... -DOURS=... -DDEFAULTS=... -P merge-colorfilters.cmake
# Writes our rules followed by Wireshark's default rules (without its header).
file(READ "${OURS}" ours)
set(defaults "")
if(EXISTS "${DEFAULTS}")
  file(STRINGS "${DEFAULTS}" lines)
  foreach(line IN LISTS lines)
    if(line MATCHES "^@")
      string(APPEND defaults "${line}\n")
    endif()
  endforeach()
endif()
file(WRITE "${OUT}" "${ours}# Wireshark's default rules (${DEFAULTS}):\n${defaults}")
