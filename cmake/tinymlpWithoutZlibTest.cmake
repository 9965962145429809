# Checks that tinymlp_host builds and reads plain files when zlib is not available (ctest test
# host_without_zlib): configures SOURCE_DIR with CMAKE_DISABLE_FIND_PACKAGE_ZLIB, builds
# test_host_datasets and runs it (its gzip cases are then replaced by host_gzip_without_zlib).
#
#   cmake -DSOURCE_DIR=<tinymlp source tree> -DWORK_DIR=<scratch dir> [-DCONFIG=Release]
#         [-DGENERATOR=Ninja] [-DMAKE_PROGRAM=...] [-DCXX_COMPILER=g++] [-DCXX_FLAGS=...]
#         -P tinymlpWithoutZlibTest.cmake
cmake_minimum_required(VERSION 3.25)

foreach(_var SOURCE_DIR WORK_DIR)
    if(NOT ${_var})
        message(FATAL_ERROR "tinymlpWithoutZlibTest: -D${_var}=... is required")
    endif()
endforeach()
if(NOT CONFIG)
    set(CONFIG Release)
endif()

include("${CMAKE_CURRENT_LIST_DIR}/tinymlpTestSteps.cmake")

file(REMOVE_RECURSE "${WORK_DIR}")
set(_configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}"
    -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON
    -DTINYMLP_BUILD_EXAMPLES=OFF
    -DTINYMLP_BUILD_BENCHMARKS=OFF
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
if(GENERATOR)
    list(APPEND _configure -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
    list(APPEND _configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER)
    list(APPEND _configure "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
tinymlp_run_step("without zlib" configure ${_configure})
if(NOT _step_output MATCHES "tinymlp_host: without zlib")
    message(FATAL_ERROR "[without zlib] the configure found zlib anyway")
endif()
tinymlp_run_step("without zlib" build "${CMAKE_COMMAND}" --build "${WORK_DIR}" --config "${CONFIG}" --target test_host_datasets)
tinymlp_run_step("without zlib" run "${WORK_DIR}/tests/test_host_datasets")
if(NOT _step_output MATCHES "\\[ OK \\] host_gzip_without_zlib")
    message(FATAL_ERROR "[without zlib] host_gzip_without_zlib did not pass")
endif()
message(STATUS "[without zlib] OK")
