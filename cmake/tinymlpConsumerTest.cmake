# Checks that an installed tinymlp works for a downstream project (ctest test consumer_project).
#
#   cmake -DBUILD_DIR=<tinymlp build dir> -DCONSUMER_DIR=<tests/consumer> -DWORK_DIR=<scratch dir>
#         [-DCONFIG=Release] [-DGENERATOR=Ninja] [-DMAKE_PROGRAM=...] [-DCXX_COMPILER=g++]
#         [-DCXX_FLAGS=...] [-DEXE_LINKER_FLAGS=...] [-DEXPECT_XSIMD=ON|OFF] [-DEXPECT_HOST=1|0]
#         -P tinymlpConsumerTest.cmake
#
# Steps: cmake --install into WORK_DIR/prefix, configure WORK_DIR/build from CONSUMER_DIR with only
# that prefix to find tinymlp in, build it, run its tests. Any failing step fails the script.
cmake_minimum_required(VERSION 3.25)

foreach(_var BUILD_DIR CONSUMER_DIR WORK_DIR)
    if(NOT ${_var})
        message(FATAL_ERROR "tinymlpConsumerTest: -D${_var}=... is required")
    endif()
endforeach()
if(NOT CONFIG)
    set(CONFIG Release)
endif()

set(_prefix "${WORK_DIR}/prefix")
set(_build "${WORK_DIR}/build")

include("${CMAKE_CURRENT_LIST_DIR}/tinymlpTestSteps.cmake")

tinymlp_fresh_directory("${WORK_DIR}")

tinymlp_run_step("consumer" install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --config "${CONFIG}" --prefix "${_prefix}")

set(_configure "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${_build}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}"
    "-DCMAKE_PREFIX_PATH=${_prefix}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}")
if(GENERATOR)
    list(APPEND _configure -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
    list(APPEND _configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER)
    list(APPEND _configure "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(DEFINED EXPECT_XSIMD AND NOT EXPECT_XSIMD STREQUAL "")
    list(APPEND _configure "-DTINYMLP_EXPECT_XSIMD=${EXPECT_XSIMD}")
endif()
if(DEFINED EXPECT_HOST AND NOT EXPECT_HOST STREQUAL "")
    list(APPEND _configure "-DTINYMLP_EXPECT_HOST=${EXPECT_HOST}")
endif()
tinymlp_run_step("consumer" configure ${_configure})

# The package must come from the prefix just installed, not from anywhere else on the system.
file(STRINGS "${_build}/CMakeCache.txt" _dir_line REGEX "^tinymlp_DIR:")
string(REGEX REPLACE "^tinymlp_DIR:[A-Z]*=" "" _found_dir "${_dir_line}")
file(REAL_PATH "${_prefix}" _real_prefix)
file(REAL_PATH "${_found_dir}" _real_found_dir)
string(FIND "${_real_found_dir}/" "${_real_prefix}/" _at)
if(NOT _at EQUAL 0)
    message(FATAL_ERROR "[consumer] tinymlp was found in '${_found_dir}', not under '${_prefix}'")
endif()

tinymlp_run_step("consumer" build "${CMAKE_COMMAND}" --build "${_build}" --config "${CONFIG}")
tinymlp_run_step("consumer" run "${CMAKE_CTEST_COMMAND}" --test-dir "${_build}" -C "${CONFIG}" --output-on-failure
    --no-tests=error)
message(STATUS "[consumer] OK")
