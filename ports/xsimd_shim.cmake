# xsimd for cross builds, from the host's header-only install (Debian libxsimd-dev).
#
#   include(ports/xsimd_shim.cmake)   # instead of find_package(xsimd)
#
# When cross-compiling, find_package(xsimd) cannot be used: the package lives in the host's
# /usr, and putting /usr/include on a cross compiler's include path would let host libc headers
# shadow the target's. This file makes an include directory in the build tree that holds only a
# link to (or copy of) the xsimd headers, and an INTERFACE IMPORTED target `xsimd` (the name
# xsimd's own package exports) that points there. It sets xsimd_FOUND, xsimd_VERSION and
# xsimd_INCLUDE_DIRS like the package does.
#
# When not cross-compiling it simply does find_package(xsimd REQUIRED). For bare-metal
# targets (Cortex-M) it defines nothing and sets xsimd_FOUND to FALSE: xsimd does not support
# them.
#
# TINYMLP_XSIMD_INCLUDE_DIR (cache): the directory that contains xsimd/xsimd.hpp
# (default /usr/include).
include_guard(GLOBAL)

if(TARGET xsimd)
  return()
endif()

if(NOT CMAKE_CROSSCOMPILING)
  find_package(xsimd REQUIRED)
  return()
endif()

# Bare-metal Cortex-M: xsimd 8 has no M-profile architecture (no default_arch, so even
# batch<float> does not compile) and its allocator needs posix_memalign. No target: code must
# take its scalar path (test with `if(TARGET xsimd)` / xsimd_FOUND).
if(TINYMLP_CORTEX_M OR CMAKE_SYSTEM_NAME STREQUAL "Generic")
  set(xsimd_FOUND FALSE)
  message(STATUS "xsimd: not available for bare-metal ${CMAKE_SYSTEM_PROCESSOR} (scalar code only)")
  return()
endif()

set(TINYMLP_XSIMD_INCLUDE_DIR "/usr/include" CACHE PATH
    "Directory holding xsimd/xsimd.hpp (host install, used by cross builds through a shim)")
if(NOT EXISTS "${TINYMLP_XSIMD_INCLUDE_DIR}/xsimd/xsimd.hpp")
  message(FATAL_ERROR "xsimd headers not found in ${TINYMLP_XSIMD_INCLUDE_DIR}/xsimd "
                      "(apt-get install libxsimd-dev, or set TINYMLP_XSIMD_INCLUDE_DIR)")
endif()

set(_tinymlp_xsimd_dir "${CMAKE_BINARY_DIR}/tinymlp-xsimd-include")
file(MAKE_DIRECTORY "${_tinymlp_xsimd_dir}")
if(NOT EXISTS "${_tinymlp_xsimd_dir}/xsimd/xsimd.hpp")
  file(REMOVE_RECURSE "${_tinymlp_xsimd_dir}/xsimd")
  file(CREATE_LINK "${TINYMLP_XSIMD_INCLUDE_DIR}/xsimd" "${_tinymlp_xsimd_dir}/xsimd"
       RESULT _tinymlp_link_result SYMBOLIC)
  if(NOT _tinymlp_link_result EQUAL 0)
    file(COPY "${TINYMLP_XSIMD_INCLUDE_DIR}/xsimd" DESTINATION "${_tinymlp_xsimd_dir}")
  endif()
endif()

# Version from the headers.
file(STRINGS "${TINYMLP_XSIMD_INCLUDE_DIR}/xsimd/config/xsimd_config.hpp" _tinymlp_xsimd_version
     REGEX "^#define XSIMD_VERSION_(MAJOR|MINOR|PATCH) [0-9]+")
set(xsimd_VERSION "")
foreach(_part MAJOR MINOR PATCH)
  string(REGEX REPLACE ".*#define XSIMD_VERSION_${_part} ([0-9]+).*" "\\1" _number
         "${_tinymlp_xsimd_version}")
  list(APPEND xsimd_VERSION "${_number}")
endforeach()
list(JOIN xsimd_VERSION "." xsimd_VERSION)

add_library(xsimd INTERFACE IMPORTED GLOBAL)
# Imported include directories are treated as system headers (no warnings from xsimd).
set_target_properties(xsimd PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_tinymlp_xsimd_dir}")

set(xsimd_FOUND TRUE)
set(xsimd_INCLUDE_DIRS "${_tinymlp_xsimd_dir}")
message(STATUS "xsimd ${xsimd_VERSION}: shim for cross builds in ${_tinymlp_xsimd_dir} "
               "-> ${TINYMLP_XSIMD_INCLUDE_DIR}/xsimd")
unset(_tinymlp_xsimd_dir)
unset(_tinymlp_xsimd_version)
unset(_tinymlp_link_result)
unset(_number)
