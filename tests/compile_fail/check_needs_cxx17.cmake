# Compiles SOURCE with -std=STANDARD and checks that the compile fails with exactly one error, and
# that it is tinymlp's "needs C++17" message (ctest needs_cxx17_*). Prints "needs C++17: OK" on success.
#
#   cmake -DCOMPILER=<c++ compiler> -DSTANDARD=<gnu++11|c++14|...> -DINCLUDE_DIR=<include/>
#         -DSOURCE=<needs_cxx17.cpp> -P check_needs_cxx17.cmake
cmake_minimum_required(VERSION 3.25)

execute_process(
    COMMAND "${COMPILER}" "-std=${STANDARD}" -fsyntax-only "-I${INCLUDE_DIR}" "${SOURCE}"
    RESULT_VARIABLE _result
    OUTPUT_VARIABLE _output
    ERROR_VARIABLE _output)
if(_result EQUAL 0)
    message(FATAL_ERROR "compiling with -std=${STANDARD} succeeded; expected tinymlp's C++17 error")
endif()

string(REGEX MATCHALL "[^\n]*(fatal )?error: [^\n]*" _errors "${_output}")
list(LENGTH _errors _count)
list(GET _errors 0 _first)
message(STATUS "-std=${STANDARD}: ${_count} error(s), the first: ${_first}")
if(NOT _first MATCHES "tinymlp needs C\\+\\+17 or later")
    message(FATAL_ERROR "the first error is not tinymlp's C++17 message:\n${_output}")
endif()
if(NOT _count EQUAL 1)
    message(FATAL_ERROR "expected one error, got ${_count}:\n${_output}")
endif()
message(STATUS "needs C++17: OK")
