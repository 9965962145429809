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

include("${CMAKE_CURRENT_LIST_DIR}/tinymlpTestSteps.cmake")

tinymlp_fresh_directory("${WORK_DIR}")
tinymlp_run_step("pkg-config" install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --config "${CONFIG}" --prefix "${_prefix}")
if(NOT EXISTS "${_pc_dir}/tinymlp.pc")
    message(FATAL_ERROR "[pkg-config] ${_pc_dir}/tinymlp.pc was not installed")
endif()

# searched before the system's directories (where xsimd.pc, which tinymlp.pc requires, lives)
set(_env "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${_pc_dir}")
tinymlp_run_step("pkg-config" validate ${_env} "${PKG_CONFIG}" --validate tinymlp)
tinymlp_run_step("pkg-config" modversion ${_env} "${PKG_CONFIG}" --modversion tinymlp)
string(STRIP "${_step_output}" _pc_version)
if(NOT _pc_version STREQUAL VERSION)
    message(FATAL_ERROR "[pkg-config] tinymlp.pc says version '${_pc_version}', CMake says '${VERSION}'")
endif()
tinymlp_run_step("pkg-config" cflags ${_env} "${PKG_CONFIG}" --cflags tinymlp)
string(REGEX MATCH "-I([^ ]+)" _include "${_step_output}")
if(NOT EXISTS "${CMAKE_MATCH_1}/tinymlp/tinymlp.hpp" OR NOT _step_output MATCHES "-std=gnu\\+\\+17")
    message(FATAL_ERROR "[pkg-config] --cflags should name the installed include/ and -std=gnu++17")
endif()

set(_setup ${_env})
if(CXX_COMPILER)
    list(APPEND _setup "CXX=${CXX_COMPILER}")
endif()
tinymlp_run_step("pkg-config" meson-setup ${_setup} "${MESON}" setup "${WORK_DIR}/meson" "${CONSUMER_DIR}"
    "-Dtinymlp_version=${VERSION}")
tinymlp_run_step("pkg-config" meson-compile ${_env} "${MESON}" compile -C "${WORK_DIR}/meson")
tinymlp_run_step("pkg-config" meson-test ${_env} "${MESON}" test -C "${WORK_DIR}/meson" --print-errorlogs)
tinymlp_run_step("pkg-config" run "${WORK_DIR}/meson/consumer")
message(STATUS "pkg-config + Meson consumer: OK")
