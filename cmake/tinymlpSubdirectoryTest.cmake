# Checks that tinymlp builds warning-free inside a downstream project that adds its source tree with
# add_subdirectory (as FetchContent does), where tinymlp's headers are not -isystem and the
# consumer's -Werror reaches them (ctest tests consumer_subdirectory_*).
#
#   cmake -DSOURCE_DIR=<tinymlp source tree> -DCONSUMER_DIR=<tests/consumer_subdirectory>
#         -DWORK_DIR=<scratch dir> -DCXX_COMPILER=<g++|clang++-14> -DCXX_STANDARD=<17|20>
#         [-DCONFIG=Release] [-DGENERATOR=Ninja] [-DMAKE_PROGRAM=...] [-DCXX_FLAGS=...]
#         -P tinymlpSubdirectoryTest.cmake
#
# Steps: configure WORK_DIR from CONSUMER_DIR with that compiler and standard, build its program
# (the warning flags are the consumer's own, see CONSUMER_DIR/CMakeLists.txt), run its tests.
cmake_minimum_required(VERSION 3.25)

foreach(_var SOURCE_DIR CONSUMER_DIR WORK_DIR CXX_COMPILER CXX_STANDARD)
    if(NOT ${_var})
        message(FATAL_ERROR "tinymlpSubdirectoryTest: -D${_var}=... is required")
    endif()
endforeach()
if(NOT CONFIG)
    set(CONFIG Release)
endif()

include("${CMAKE_CURRENT_LIST_DIR}/tinymlpTestSteps.cmake")

tinymlp_fresh_directory("${WORK_DIR}")

set(_configure "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}"
    "-DTINYMLP_SOURCE_DIR=${SOURCE_DIR}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_CXX_STANDARD=${CXX_STANDARD}"
    -DCMAKE_CXX_STANDARD_REQUIRED=ON
    -DCMAKE_CXX_EXTENSIONS=OFF
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
if(GENERATOR)
    list(APPEND _configure -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
    list(APPEND _configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
tinymlp_run_step("subdirectory" configure ${_configure})
tinymlp_run_step("subdirectory" build "${CMAKE_COMMAND}" --build "${WORK_DIR}" --config "${CONFIG}" --target consumer)
tinymlp_run_step("subdirectory" run "${CMAKE_CTEST_COMMAND}" --test-dir "${WORK_DIR}" -C "${CONFIG}" --output-on-failure --no-tests=error)
message(STATUS "[subdirectory] OK")
