# tinymlp Cortex-M firmware support. Include after project() in a build configured with
# ports/cortex-m/toolchain.cmake:
#
#   include(ports/cortex-m/firmware.cmake)
#   add_executable(test_dense tests/test_dense.cpp tests/support/main.cpp)
#   tinymlp_cortex_m_firmware(test_dense)   # startup, linker script, semihosting stdio
#   add_test(NAME test_dense COMMAND test_dense)   # runs under qemu-system-arm
#   tinymlp_cortex_m_checks(test_dense)     # + tests test_dense_no_heap, test_dense_size
#
# tinymlp_cortex_m_firmware(<target> [STOCK_STDIO])
#   Adds the runtime (vector table, reset and fault handlers, heap-free printf/fopen over
#   semihosting, exit status to QEMU) to an executable, links it with the machine's linker
#   script and writes <executable>.map. Makes ports/cortex-m/stack_usage.h includable.
#   STOCK_STDIO leaves our stdio out, as firmware built on stock newlib-nano has it.
# tinymlp_cortex_m_checks(<target>)
#   Adds two ctest tests: <target>_no_heap fails if malloc, _sbrk, operator new & co. are
#   linked into the firmware; <target>_size prints arm-none-eabi-size's per-section report
#   (.text code+rodata, .data, .bss, and .stack: program + exception stacks).
include_guard(GLOBAL)

if(NOT TINYMLP_CORTEX_M)
  message(FATAL_ERROR "ports/cortex-m/firmware.cmake needs the toolchain file "
                      "ports/cortex-m/toolchain.cmake")
endif()

# The runtime is written in C (newlib's headers are C headers).
enable_language(C)

# The CPU flags and --specs=nano.specs come from CMAKE_<LANG>_FLAGS_INIT in the toolchain file;
# a CMAKE_CXX_FLAGS given on the command line or in a preset replaces them silently.
foreach(_tinymlp_lang C CXX)
  if(NOT " ${CMAKE_${_tinymlp_lang}_FLAGS} " MATCHES " -mcpu=${TINYMLP_CORTEX_M_CPU} " OR
     NOT " ${CMAKE_${_tinymlp_lang}_FLAGS} " MATCHES " --specs=nano.specs ")
    message(FATAL_ERROR "CMAKE_${_tinymlp_lang}_FLAGS='${CMAKE_${_tinymlp_lang}_FLAGS}' lacks the "
      "Cortex-M flags of ports/cortex-m/toolchain.cmake ('${TINYMLP_CORTEX_M_CPU_FLAGS} "
      "--specs=nano.specs ...'). Do not set CMAKE_${_tinymlp_lang}_FLAGS for Cortex-M builds; "
      "add flags with CMAKE_${_tinymlp_lang}_FLAGS_<CONFIG>, add_compile_options() or target "
      "options, or start from a fresh build directory.")
  endif()
endforeach()
unset(_tinymlp_lang)

set(TINYMLP_CORTEX_M_DIR "${CMAKE_CURRENT_LIST_DIR}")

# Binutils next to the compiler (arm-none-eabi-nm, -size, -objdump).
get_filename_component(_tinymlp_bin "${CMAKE_CXX_COMPILER}" DIRECTORY)
find_program(TINYMLP_CORTEX_M_NM arm-none-eabi-nm HINTS "${_tinymlp_bin}" REQUIRED)
find_program(TINYMLP_CORTEX_M_SIZE arm-none-eabi-size HINTS "${_tinymlp_bin}" REQUIRED)
find_program(TINYMLP_CORTEX_M_OBJDUMP arm-none-eabi-objdump HINTS "${_tinymlp_bin}" REQUIRED)
unset(_tinymlp_bin)

# Two parts: the runtime proper, and its heap-free stdio, which firmware built against stock
# newlib-nano stdio leaves out (STOCK_STDIO below).
add_library(tinymlp_cortex_m_runtime OBJECT
  "${TINYMLP_CORTEX_M_DIR}/runtime/startup.c"
  "${TINYMLP_CORTEX_M_DIR}/runtime/semihosting.c"
  "${TINYMLP_CORTEX_M_DIR}/runtime/cxx_support.cpp")
add_library(tinymlp_cortex_m_stdio OBJECT "${TINYMLP_CORTEX_M_DIR}/runtime/stdio.c")
foreach(_part tinymlp_cortex_m_runtime tinymlp_cortex_m_stdio)
  target_include_directories(${_part} PUBLIC "${TINYMLP_CORTEX_M_DIR}")
  set_target_properties(${_part} PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
  # Small rather than fast (-Os comes after the build type's -O flag); -fno-builtin: our printf,
  # puts, ... stay what they are, whatever the optimiser recognises; no FMA contraction: the
  # exact-product code of the float formatting depends on it.
  target_compile_options(${_part} PRIVATE
    -Os "$<$<COMPILE_LANGUAGE:C>:-fno-builtin>" -ffp-contract=off -Wall -Wextra)
endforeach()
unset(_part)

function(tinymlp_cortex_m_firmware target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "STOCK_STDIO" "" "")
  get_target_property(_type ${target} TYPE)
  if(NOT _type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "tinymlp_cortex_m_firmware(${target}): not an executable")
  endif()
  # Objects rather than target_link_libraries(): works with either signature the caller uses,
  # and puts our printf & co. ahead of every library so newlib's stdio is never pulled in
  # (unless STOCK_STDIO: then whatever stdio the firmware uses is newlib-nano's own).
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:tinymlp_cortex_m_runtime>)
  add_dependencies(${target} tinymlp_cortex_m_runtime)
  if(NOT ARG_STOCK_STDIO)
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:tinymlp_cortex_m_stdio>)
    add_dependencies(${target} tinymlp_cortex_m_stdio)
  endif()
  target_include_directories(${target} SYSTEM PRIVATE "${TINYMLP_CORTEX_M_DIR}")
  target_link_options(${target} PRIVATE
    "-T${TINYMLP_CORTEX_M_LINKER_SCRIPT}"
    "-L${TINYMLP_CORTEX_M_DIR}/linker"
    "-Wl,-Map=$<TARGET_FILE:${target}>.map,--cref")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
    "${TINYMLP_CORTEX_M_LINKER_SCRIPT}" "${TINYMLP_CORTEX_M_DIR}/linker/sections.ld")
endfunction()

function(tinymlp_cortex_m_checks target)
  add_test(NAME ${target}_no_heap
           COMMAND "${CMAKE_COMMAND}" -P "${TINYMLP_CORTEX_M_DIR}/check_no_heap.cmake"
                   "$<TARGET_FILE:${target}>" "${TINYMLP_CORTEX_M_NM}")
  add_test(NAME ${target}_size
           COMMAND "${TINYMLP_CORTEX_M_SIZE}" --format=sysv -d "$<TARGET_FILE:${target}>")
  set_tests_properties(${target}_no_heap ${target}_size PROPERTIES
    LABELS "cortex-m;static" TIMEOUT 60)
endfunction()
