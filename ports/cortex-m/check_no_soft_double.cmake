# Fails when a float firmware links the compiler's software double: on cores whose FPU is single
# precision or absent (Cortex-M4F, M33, M3) every double operation is a library call, and
# tinymlp's float networks do none (include/tinymlp/real.hpp).
#
#   cmake -DELF=<firmware.elf> -DNM=<nm> -P check_no_soft_double.cmake
#
# Forbidden: libgcc's double routines (__aeabi_d*, __aeabi_[fil]2d, __aeabi_[ul]2d, __*df3,
# __*df2, __extendsfdf2, __truncdfsf2, ...) and double libm (pow, exp, log, sqrt, ... and their
# __ieee754_ kernels; the float ones, expf and __ieee754_expf, are what float code calls). The map file (<firmware.elf>.map) tells which object pulled each in.
cmake_minimum_required(VERSION 3.20)
if(NOT ELF OR NOT NM)
  message(FATAL_ERROR "usage: cmake -DELF=<firmware.elf> -DNM=<nm> -P check_no_soft_double.cmake")
endif()
execute_process(COMMAND "${NM}" "${ELF}" OUTPUT_VARIABLE _symbols RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "check_no_soft_double: '${NM} ${ELF}' failed")
endif()
set(_libm pow exp exp2 log log2 log10 log1p expm1 sqrt cbrt sin cos tan tanh sinh cosh atan atan2
          asin acos rint lrint round floor ceil trunc fmod scalbn ldexp frexp modf hypot fma)
string(REPLACE "\n" ";" _lines "${_symbols}")
set(_found)
foreach(_line IN LISTS _lines)
  if(_line MATCHES "^[0-9a-fA-F]+ [A-Za-z] ([^ ]+)$")
    set(_name "${CMAKE_MATCH_1}")
    if(_name MATCHES "^__aeabi_(d|[fil]2d|ul2d|cd)" OR _name MATCHES "^__[a-z]+df[23]$" OR
       (_name MATCHES "^__ieee754_[a-z0-9]+$" AND NOT _name MATCHES "f$") OR _name IN_LIST _libm)
      list(APPEND _found "${_name}")
    endif()
  endif()
endforeach()
if(_found)
  list(REMOVE_DUPLICATES _found)
  list(SORT _found)
  list(JOIN _found " " _list)
  message(FATAL_ERROR "check_no_soft_double: FAILED: ${ELF} links software double:\n  ${_list}\n"
                      "(see ${ELF}.map for the objects that pulled them in)")
endif()
message(STATUS "check_no_soft_double: ${ELF}: no software double linked")
