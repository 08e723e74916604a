# Installs or removes the plugin and the "RST Analysis" profile:
#   cmake --install build                      (install(CODE) includes this file)
#   cmake --build build --target uninstall     (RST_MODE=uninstall)
#
# Where things go (one rule for both directions):
# - as root, or under DESTDIR (the Debian package): the system plugin folder and
#   Wireshark's global profiles. Both are ours alone; an older install there is
#   replaced, and uninstall removes it.
# - as an ordinary user: the personal plugin folder and the personal profiles
#   (~/.config/wireshark/profiles). That folder is also where the user's own
#   profiles live, so a record (~/.local/share/rst-explain/profile.sha256) keeps
#   what was placed: a file the user has changed since is never overwritten or
#   removed, and the messages say how to take the new one.
# RST_INSTALL_DIR / RST_PROFILE_INSTALL_DIR choose other folders; what is there
# is treated as the system folders are.
#
# Inputs (-D or set() before include): RST_MODE, RST_PLUGIN_FILE,
# RST_PLUGIN_SYSTEM_DIR, RST_PLUGIN_VERSION_DIR (e.g. 4.0), RST_INSTALL_DIR,
# RST_PROFILE_SOURCE (the built profile folder), RST_PROFILE_INSTALL_DIR,
# RST_GLOBAL_PROFILES, and for staged installs RST_PACKAGE_DOCS (packaging/debian)
# RST_DOC_DIR and RST_LINTIAN_DIR.
cmake_minimum_required(VERSION 3.16)

if(NOT RST_MODE)
  set(RST_MODE install)
endif()
get_filename_component(profile_name "${RST_PROFILE_SOURCE}" NAME)

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(uid STREQUAL "0" OR NOT "$ENV{DESTDIR}" STREQUAL "")
  set(personal FALSE)
else()
  set(personal TRUE)
endif()
if(NOT "$ENV{XDG_CONFIG_HOME}" STREQUAL "")
  set(config_home "$ENV{XDG_CONFIG_HOME}")
else()
  set(config_home "$ENV{HOME}/.config")
endif()
if(NOT "$ENV{XDG_DATA_HOME}" STREQUAL "")
  set(data_home "$ENV{XDG_DATA_HOME}")
else()
  set(data_home "$ENV{HOME}/.local/share")
endif()

# The plugin's folder. Wireshark's personal plugin folder is
# ~/.local/lib/wireshark/plugins whatever XDG_DATA_HOME says.
set(personal_plugin_root "$ENV{HOME}/.local/lib/wireshark")
if(RST_INSTALL_DIR)
  set(plugin_dir "${RST_INSTALL_DIR}")
elseif(personal)
  set(plugin_dir "${personal_plugin_root}/plugins/${RST_PLUGIN_VERSION_DIR}/epan")
else()
  set(plugin_dir "${RST_PLUGIN_SYSTEM_DIR}")
endif()

# The profile's folder, and whether the record applies.
set(recorded FALSE)
if(RST_PROFILE_INSTALL_DIR)
  set(profiles "${RST_PROFILE_INSTALL_DIR}")
elseif(personal)
  set(profiles "${config_home}/wireshark/profiles")
  set(recorded TRUE)
else()
  set(profiles "${RST_GLOBAL_PROFILES}")
endif()
set(profile_dir "${profiles}/${profile_name}")
set(record "${data_home}/rst-explain/profile.sha256")

# path -> hash placed by the last install (the record's lines: "<sha256>  <path>").
function(read_record)
  set(placed_paths "" PARENT_SCOPE)
  if(EXISTS "${record}")
    file(STRINGS "${record}" lines)
    set(paths "")
    foreach(line IN LISTS lines)
      if(line MATCHES "^([0-9a-f]+)  (.+)$")
        list(APPEND paths "${CMAKE_MATCH_2}")
        set("placed_${CMAKE_MATCH_2}" "${CMAKE_MATCH_1}" PARENT_SCOPE)
      endif()
    endforeach()
    set(placed_paths "${paths}" PARENT_SCOPE)
  endif()
endfunction()

# Debian strips shared objects so (dh_strip); cmake --install --strip and CPack
# with CPACK_STRIP_FILES ask for it with CMAKE_INSTALL_DO_STRIP.
function(strip_plugin file)
  find_program(strip_tool strip)
  if(CMAKE_INSTALL_DO_STRIP AND strip_tool)
    execute_process(COMMAND "${strip_tool}" --remove-section=.comment --remove-section=.note
                            --strip-unneeded "${file}" RESULT_VARIABLE failed)
    if(failed)
      message(FATAL_ERROR "strip ${file} failed")
    endif()
  endif()
endfunction()

# The Debian package's files are dpkg's to replace or remove.
function(check_not_packaged action)
  if(NOT "$ENV{DESTDIR}" STREQUAL "" OR personal OR RST_INSTALL_DIR)
    return()
  endif()
  get_filename_component(name "${RST_PLUGIN_FILE}" NAME)
  execute_process(COMMAND dpkg-query -S "${plugin_dir}/${name}" OUTPUT_VARIABLE owner
                  ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(owner MATCHES "^([^:]+):")
    message(FATAL_ERROR "${plugin_dir}/${name} belongs to the Debian package "
            "${CMAKE_MATCH_1}; ${action} it with the package manager instead: "
            "sudo dpkg -i build/package/*.deb (cmake --build build --target package) to "
            "replace it, sudo apt remove ${CMAKE_MATCH_1} to remove it "
            "(packaging/quickstart.sh replaces it so).")
  endif()
endfunction()

# A personal copy next to a system one: Wireshark refuses the second and says
# "The plugin 'rst.so' was found in multiple directories" (a dialog in the GUI).
function(warn_if_two_copies)
  get_filename_component(name "${RST_PLUGIN_FILE}" NAME)
  if(personal AND NOT RST_INSTALL_DIR AND EXISTS "${RST_PLUGIN_SYSTEM_DIR}/${name}")
    message(WARNING "${RST_PLUGIN_SYSTEM_DIR}/${name} is installed system-wide too: "
            "Wireshark will report the plugin twice. Replace the system copy instead "
            "(sudo cmake --install build) or remove it (sudo cmake --build build --target "
            "uninstall, or sudo apt remove wireshark-rst-explain), then uninstall this one.")
  endif()
endfunction()

function(install_plugin)
  check_not_packaged(replace)
  warn_if_two_copies()
  # file(INSTALL) adds DESTDIR itself, replaces an older copy and lists the
  # file for CPack.
  file(INSTALL "${RST_PLUGIN_FILE}" DESTINATION "${plugin_dir}")
  get_filename_component(name "${RST_PLUGIN_FILE}" NAME)
  strip_plugin("$ENV{DESTDIR}${plugin_dir}/${name}")
endfunction()

function(install_profile)
  if(NOT recorded)
    # Ours alone: replace what an older install left (files it had that this
    # one no longer ships included).
    file(REMOVE_RECURSE "$ENV{DESTDIR}${profile_dir}")
    file(INSTALL "${RST_PROFILE_SOURCE}" DESTINATION "${profiles}")
    return()
  endif()
  read_record()
  file(GLOB files RELATIVE "${RST_PROFILE_SOURCE}" "${RST_PROFILE_SOURCE}/*")
  file(MAKE_DIRECTORY "${profile_dir}")
  set(lines "")
  foreach(f IN LISTS files)
    set(source "${RST_PROFILE_SOURCE}/${f}")
    set(target "${profile_dir}/${f}")
    file(SHA256 "${source}" new)
    set(take TRUE)
    if(EXISTS "${target}")
      file(SHA256 "${target}" now)
      if(NOT now STREQUAL new AND NOT now STREQUAL "${placed_${target}}")
        set(take FALSE)
      endif()
    endif()
    if(take)
      file(INSTALL "${source}" DESTINATION "${profile_dir}")
      string(APPEND lines "${new}  ${target}\n")
    else()
      # Recorded as not ours (hash 0), so that uninstall leaves it too.
      string(APPEND lines "0  ${target}\n")
      message(STATUS "Kept your own ${target} (changed since it was installed, or not"
                     " installed by rst-explain); the new one is ${source}: copy it over"
                     " that file to take it")
    endif()
  endforeach()
  file(WRITE "${record}" "${lines}")
endfunction()

# Removes a folder and its parents up to (not including) stop, while empty.
function(remove_empty_dirs dir stop)
  while(IS_DIRECTORY "${dir}" AND NOT dir STREQUAL stop)
    file(GLOB left "${dir}/*" "${dir}/.*")
    if(left)
      break()
    endif()
    execute_process(COMMAND rmdir "${dir}")
    get_filename_component(dir "${dir}" DIRECTORY)
  endwhile()
endfunction()

function(uninstall_plugin)
  check_not_packaged(remove)
  get_filename_component(name "${RST_PLUGIN_FILE}" NAME)
  if(EXISTS "${plugin_dir}/${name}")
    file(REMOVE "${plugin_dir}/${name}")
    message(STATUS "Removed ${plugin_dir}/${name}")
  else()
    message(STATUS "No ${plugin_dir}/${name} to remove")
  endif()
  if(personal AND NOT RST_INSTALL_DIR AND EXISTS "${RST_PLUGIN_SYSTEM_DIR}/${name}")
    message(STATUS "A system-wide copy stays: ${RST_PLUGIN_SYSTEM_DIR}/${name} "
                   "(sudo cmake --build build --target uninstall removes it, or "
                   "sudo apt remove wireshark-rst-explain for the package)")
  endif()
  if(personal AND NOT RST_INSTALL_DIR)
    remove_empty_dirs("${plugin_dir}" "$ENV{HOME}/.local/lib")
  endif()
endfunction()

function(uninstall_profile)
  if(NOT recorded)
    if(IS_DIRECTORY "${profile_dir}")
      file(REMOVE_RECURSE "${profile_dir}")
      message(STATUS "Removed ${profile_dir}")
    endif()
    return()
  endif()
  read_record()
  foreach(target IN LISTS placed_paths)
    if(EXISTS "${target}")
      file(SHA256 "${target}" now)
      get_filename_component(name "${target}" NAME)
      # "recent" is Wireshark's own note of window and column sizes, rewritten
      # whenever the profile is used: not a setting of the user's.
      if(now STREQUAL "${placed_${target}}" OR name STREQUAL "recent")
        file(REMOVE "${target}")
        message(STATUS "Removed ${target}")
      else()
        message(STATUS "Kept ${target}: yours (changed after it was installed)")
      endif()
    endif()
  endforeach()
  remove_empty_dirs("${profile_dir}" "${profiles}")
  file(REMOVE "${record}")
  remove_empty_dirs("${data_home}/rst-explain" "${data_home}")
endfunction()

# A staged install (DESTDIR: the Debian package) also carries what Debian asks
# of every package: its copyright and a compressed changelog (Policy 12.5, 12.7).
function(install_package_docs)
  if("$ENV{DESTDIR}" STREQUAL "" OR NOT RST_PACKAGE_DOCS)
    return()
  endif()
  set(doc "${RST_DOC_DIR}")
  file(INSTALL "${RST_PACKAGE_DOCS}/copyright" DESTINATION "${doc}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(INSTALL "${RST_PACKAGE_DOCS}/lintian-overrides" DESTINATION "${RST_LINTIAN_DIR}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(RENAME "$ENV{DESTDIR}${RST_LINTIAN_DIR}/lintian-overrides"
       "$ENV{DESTDIR}${RST_LINTIAN_DIR}/wireshark-rst-explain")
  file(MAKE_DIRECTORY "$ENV{DESTDIR}${doc}")
  execute_process(COMMAND gzip -9nc "${RST_PACKAGE_DOCS}/changelog"
                  OUTPUT_FILE "$ENV{DESTDIR}${doc}/changelog.Debian.gz" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "gzip of the Debian changelog failed")
  endif()
endfunction()

if(RST_MODE STREQUAL "install")
  install_plugin()
  install_profile()
  install_package_docs()
elseif(RST_MODE STREQUAL "uninstall")
  uninstall_plugin()
  uninstall_profile()
else()
  message(FATAL_ERROR "RST_MODE must be install or uninstall, not ${RST_MODE}")
endif()
