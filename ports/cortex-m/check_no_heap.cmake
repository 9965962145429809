# Fails when a tinymlp Cortex-M firmware links a heap allocator.
#
#   cmake -P check_no_heap.cmake <firmware.elf> [<nm>]      (nm defaults to arm-none-eabi-nm)
#   cmake -DELF=<firmware.elf> -DNM=<nm> -P check_no_heap.cmake
#
# Forbidden: malloc & co. (and their _r variants), _sbrk/_sbrk_r, and every operator new
# (_Znwj, _Znaj, _Znwm, _Znam and their nothrow/aligned overloads). When the firmware was
# linked by tinymlp_cortex_m_firmware(), its map file (<firmware.elf>.map) tells which object
# pulled each symbol in; the relevant lines are printed.
cmake_minimum_required(VERSION 3.20)

# Positional arguments follow "-P <script>".
set(_args)
foreach(_i RANGE 1 ${CMAKE_ARGC})
  if(DEFINED CMAKE_ARGV${_i})
    list(APPEND _args "${CMAKE_ARGV${_i}}")
  endif()
endforeach()
list(FIND _args "-P" _p)
if(_p GREATER_EQUAL 0)
  math(EXPR _first "${_p} + 2")
  list(LENGTH _args _n)
  if(_first LESS _n)
    list(GET _args ${_first} ELF)
    math(EXPR _second "${_first} + 1")
    if(_second LESS _n)
      list(GET _args ${_second} NM)
    endif()
  endif()
endif()
if(NOT ELF)
  message(FATAL_ERROR "usage: cmake -P check_no_heap.cmake <firmware.elf> [<nm>]")
endif()
if(NOT NM)
  set(NM arm-none-eabi-nm)
endif()
if(NOT EXISTS "${ELF}")
  message(FATAL_ERROR "check_no_heap: ${ELF} does not exist")
endif()

execute_process(COMMAND "${NM}" "${ELF}"
                OUTPUT_VARIABLE _symbols ERROR_VARIABLE _error RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "check_no_heap: '${NM} ${ELF}' failed: ${_error}")
endif()

set(_forbidden_exact
  malloc _malloc_r calloc _calloc_r realloc _realloc_r reallocf _reallocf_r
  memalign _memalign_r aligned_alloc posix_memalign valloc pvalloc
  _sbrk _sbrk_r sbrk)
string(REPLACE "\n" ";" _lines "${_symbols}")
set(_found)
foreach(_line IN LISTS _lines)
  # "<address> <type> <name>"; undefined (U) and weak undefined (w, v) symbols are not linked.
  if(_line MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) ([^ ]+)$")
    set(_name "${CMAKE_MATCH_2}")
    if(_name IN_LIST _forbidden_exact OR _name MATCHES "^_Zna[jm]" OR _name MATCHES "^_Znw[jm]")
      list(APPEND _found "${_name}")
    endif()
  endif()
endforeach()

if(_found)
  list(REMOVE_DUPLICATES _found)
  list(SORT _found)
  list(JOIN _found " " _list)
  set(_why "")
  if(EXISTS "${ELF}.map")
    # The map's first section lists each archive member with the reference that pulled it in.
    file(STRINGS "${ELF}.map" _map)
    set(_previous "")
    foreach(_line IN LISTS _map)
      if(_line MATCHES "^Discarded input sections" OR _line MATCHES "^Memory Configuration")
        break()
      endif()
      foreach(_name IN LISTS _found)
        if(_line MATCHES "\\(${_name}\\)$")
          string(APPEND _why "  ${_previous}\n    ${_line}\n")
        endif()
      endforeach()
      set(_previous "${_line}")
    endforeach()
    if(_why)
      set(_why "Pulled in by (from ${ELF}.map):\n${_why}")
    endif()
  endif()
  message(FATAL_ERROR "check_no_heap: FAILED: heap allocation is linked into ${ELF}:\n"
                      "  ${_list}\n${_why}"
                      "tinymlp firmware must not allocate: look for new/malloc, std containers "
                      "that allocate, or libc functions outside ports/cortex-m/runtime/stdio.c's "
                      "list.")
endif()
message(STATUS "check_no_heap: ${ELF}: no heap allocator linked")
