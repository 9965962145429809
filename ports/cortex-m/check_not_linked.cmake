# Fails when a firmware links a function whose mangled name matches PATTERN (demangled names hold
# brackets, which CMake's lists would not split at): code that a program which never asks for it
# must not carry (the footprint images: L1 and clipping by global norm when no regularization is
# given).
#
#   cmake -DELF=<firmware.elf> -DNM=<nm> -DPATTERN=<regex> -DWHAT=<what it is> -P check_not_linked.cmake
cmake_minimum_required(VERSION 3.20)
if(NOT ELF OR NOT NM OR NOT PATTERN)
  message(FATAL_ERROR "usage: cmake -DELF=<firmware.elf> -DNM=<nm> -DPATTERN=<regex> [-DWHAT=<text>] -P check_not_linked.cmake")
endif()
execute_process(COMMAND "${NM}" "${ELF}" OUTPUT_VARIABLE _symbols RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "check_not_linked: '${NM} ${ELF}' failed")
endif()
string(REPLACE "\n" ";" _lines "${_symbols}")
set(_found)
foreach(_line IN LISTS _lines)
  if(_line MATCHES "^[0-9a-fA-F]+ [tTwW] ([^ ]+)$")
    set(_name "${CMAKE_MATCH_1}")
    if(_name MATCHES "${PATTERN}")
      list(APPEND _found "${_name}")
    endif()
  endif()
endforeach()
if(_found)
  list(JOIN _found "\n  " _list)
  message(FATAL_ERROR "check_not_linked: FAILED: ${ELF} links ${WHAT}:\n  ${_list}\n"
                      "(the map file ${ELF}.map tells which object pulled each in)")
endif()
message(STATUS "check_not_linked: ${ELF}: no ${WHAT} linked")
