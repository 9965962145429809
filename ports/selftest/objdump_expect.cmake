# Checks that a function's disassembly contains an instruction pattern (used by the ports
# selftests to show that the FPU / MVE is really used).
#
#   cmake -DOBJDUMP=<objdump> -DELF=<file> -DFUNCTION=<symbol> -DMATCH=<regex>
#         [-DMACHINE=<objdump -m value, e.g. armv8.1-m.main to decode MVE>] -P objdump_expect.cmake
cmake_minimum_required(VERSION 3.20)
foreach(_v OBJDUMP ELF FUNCTION MATCH)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "objdump_expect.cmake: ${_v} is not set")
  endif()
endforeach()
set(_machine)
if(DEFINED MACHINE)
  set(_machine -m "${MACHINE}")
endif()
execute_process(COMMAND "${OBJDUMP}" -d --no-show-raw-insn ${_machine} "--disassemble=${FUNCTION}" "${ELF}"
                OUTPUT_VARIABLE _asm ERROR_VARIABLE _err RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} failed: ${_err}")
endif()
string(REGEX MATCHALL "[^\n]*(${MATCH})[^\n]*" _hits "${_asm}")
if(NOT _hits)
  message("${_asm}")
  message(FATAL_ERROR "no instruction matching '${MATCH}' in ${FUNCTION}")
endif()
list(LENGTH _hits _n)
message(STATUS "${FUNCTION}: ${_n} instruction(s) matching '${MATCH}':")
foreach(_hit IN LISTS _hits)
  message(STATUS "  ${_hit}")
endforeach()
