# Configures the CMake project SOURCE in DIR (from scratch) and builds it.
#   cmake -DSOURCE=... -DDIR=... [-DTINYMLP_SOURCE_DIR=...] [-DTINYMLP_ENABLED=...]
#         [-DCXX_COMPILER=...] [-DGENERATOR=...] -P configure_and_build.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${DIR}")
set(_configure "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${DIR}"
    "-DTINYMLP_SOURCE_DIR=${TINYMLP_SOURCE_DIR}" "-DTINYMLP_ENABLED=${TINYMLP_ENABLED}")
if(CXX_COMPILER)
    list(APPEND _configure "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(GENERATOR)
    list(APPEND _configure -G "${GENERATOR}")
endif()
execute_process(COMMAND ${_configure} RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
    message(FATAL_ERROR "configure failed (${_result})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${DIR}" RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
    message(FATAL_ERROR "build failed (${_result})")
endif()
message(STATUS "configure_and_build: OK")
