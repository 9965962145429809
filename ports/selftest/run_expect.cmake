# Runs a program and checks how it ended (used by the ports selftests).
#
#   cmake -DCOMMAND=<arg|arg|...> -DEXPECT=<exit code|timeout> [-DMATCH=<regex>]
#         [-DTIMEOUT=<seconds>] -P run_expect.cmake
#
# COMMAND uses '|' between arguments (emulator first, e.g. the crosscompiling emulator of the
# build). EXPECT=timeout means the program must still be running after TIMEOUT seconds and
# be killed; MATCH is searched in stdout+stderr.
cmake_minimum_required(VERSION 3.20)
if(NOT DEFINED COMMAND OR NOT DEFINED EXPECT)
  message(FATAL_ERROR "usage: cmake -DCOMMAND=a|b|c -DEXPECT=<code|timeout> [-DMATCH=re] [-DTIMEOUT=s] -P run_expect.cmake")
endif()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 60)
endif()
string(REPLACE "|" ";" _command "${COMMAND}")
list(FILTER _command EXCLUDE REGEX "^$")
string(TIMESTAMP _start "%s")
execute_process(COMMAND ${_command}
                TIMEOUT ${TIMEOUT}
                RESULT_VARIABLE _result
                OUTPUT_VARIABLE _out
                ERROR_VARIABLE _err)
string(TIMESTAMP _end "%s")
math(EXPR _seconds "${_end} - ${_start}")
message("${_out}${_err}")
message(STATUS "exit: '${_result}' after ${_seconds} s")

if(EXPECT STREQUAL "timeout")
  if(NOT _result MATCHES "timeout")
    message(FATAL_ERROR "expected the program to be killed after ${TIMEOUT} s, it ended with '${_result}'")
  endif()
elseif(NOT _result STREQUAL "${EXPECT}")
  message(FATAL_ERROR "expected exit code ${EXPECT}, got '${_result}'")
endif()
if(DEFINED MATCH AND NOT "${_out}${_err}" MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match '${MATCH}'")
endif()
