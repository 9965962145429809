# ctest pkg_config_meson_consumer: installs the build tree, validates the installed tinymlp.pc with
# `pkg-config --validate`, checks its version and flags, then configures, builds and runs the Meson
# project tests/buildsys/meson against that prefix only.
#
#   cmake -DBUILD_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=... -DVERSION=... -DPKG_CONFIG=... -DMESON=...
#         [-DCONFIG=Release] [-DCXX_COMPILER=g++] -P tinymlpPkgConfigTest.cmake
cmake_minimum_required(VERSION 3.25)

foreach(_var BUILD_DIR CONSUMER_DIR WORK_DIR VERSION PKG_CONFIG MESON)
    if(NOT ${_var})
        message(FATAL_ERROR "tinymlpPkgConfigTest: -D${_var}=... is required")
    endif()
endforeach()
if(NOT CONFIG)
    set(CONFIG Release)
endif()

set(_prefix "${WORK_DIR}/prefix")
set(_pc_dir "${_prefix}/share/pkgconfig")

function(run_step name)
    string(REPLACE ";" " " _shown "${ARGN}")
    message(STATUS "[pkg-config] ${name}: ${_shown}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    message("${_out}")
    if(NOT _result EQUAL 0)
        message(FATAL_ERROR "[pkg-config] ${name} failed (${_result})")
    endif()
    set(_step_output "${_out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run_step(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --config "${CONFIG}" --prefix "${_prefix}")
if(NOT EXISTS "${_pc_dir}/tinymlp.pc")
    message(FATAL_ERROR "[pkg-config] ${_pc_dir}/tinymlp.pc was not installed")
endif()

# searched before the system's directories (where xsimd.pc, which tinymlp.pc requires, lives)
set(_env "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${_pc_dir}")
run_step(validate ${_env} "${PKG_CONFIG}" --validate tinymlp)
run_step(modversion ${_env} "${PKG_CONFIG}" --modversion tinymlp)
string(STRIP "${_step_output}" _pc_version)
if(NOT _pc_version STREQUAL VERSION)
    message(FATAL_ERROR "[pkg-config] tinymlp.pc says version '${_pc_version}', CMake says '${VERSION}'")
endif()
run_step(cflags ${_env} "${PKG_CONFIG}" --cflags tinymlp)
string(REGEX MATCH "-I([^ ]+)" _include "${_step_output}")
if(NOT EXISTS "${CMAKE_MATCH_1}/tinymlp/tinymlp.hpp" OR NOT _step_output MATCHES "-std=gnu\\+\\+17")
    message(FATAL_ERROR "[pkg-config] --cflags should name the installed include/ and -std=gnu++17")
endif()

set(_setup ${_env})
if(CXX_COMPILER)
    list(APPEND _setup "CXX=${CXX_COMPILER}")
endif()
run_step(meson-setup ${_setup} "${MESON}" setup "${WORK_DIR}/meson" "${CONSUMER_DIR}"
    "-Dtinymlp_version=${VERSION}")
run_step(meson-compile ${_env} "${MESON}" compile -C "${WORK_DIR}/meson")
run_step(meson-test ${_env} "${MESON}" test -C "${WORK_DIR}/meson" --print-errorlogs)
run_step(run "${WORK_DIR}/meson/consumer")
message(STATUS "pkg-config + Meson consumer: OK")
