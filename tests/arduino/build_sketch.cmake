# ctest arduino_<sketch>_<board>: builds an Arduino sketch of examples/arduino with arduino-builder
# for a test board of tests/arduino/hardware (arm-none-eabi-gcc, ports/cortex-m runtime), checks
# that no heap allocator is linked (ports/cortex-m/check_no_heap.cmake), prints the image size and,
# when QEMU is given, runs it and matches its Serial output against EXPECT (a regular expression).
# With EXPECT_ERROR, the build must fail with that message instead, exactly once.
#
#   cmake -DSOURCE_DIR=<repository> -DSKETCH=<.ino> -DFQBN=tinymlp:arm:<board> -DWORK_DIR=<dir>
#         -DARDUINO_BUILDER=... -DNM=... -DSIZE=... [-DQEMU=... -DMACHINE=...] [-DEXPECT=<regex>]
#         [-DEXPECT_ERROR=<regex>] -P build_sketch.cmake
cmake_minimum_required(VERSION 3.25)

foreach(_var SOURCE_DIR SKETCH FQBN WORK_DIR ARDUINO_BUILDER)
    if(NOT ${_var})
        message(FATAL_ERROR "build_sketch: -D${_var}=... is required")
    endif()
endforeach()

# The library as a user installs it: a folder `tinymlp` in a libraries folder.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/libraries" "${WORK_DIR}/build")
file(CREATE_LINK "${SOURCE_DIR}" "${WORK_DIR}/libraries/tinymlp" SYMBOLIC)

# /usr/share/arduino-builder holds Debian's platform.txt with the ctags tool the builder needs.
execute_process(
    COMMAND "${ARDUINO_BUILDER}" -compile -logger human -warnings all
        -hardware /usr/share/arduino-builder -hardware "${SOURCE_DIR}/tests/arduino/hardware"
        -tools /usr/bin -libraries "${WORK_DIR}/libraries" -fqbn "${FQBN}"
        -build-path "${WORK_DIR}/build" -core-api-version 10819 "${SKETCH}"
    RESULT_VARIABLE _result OUTPUT_VARIABLE _output ERROR_VARIABLE _output)
message("${_output}")
get_filename_component(_name "${SKETCH}" NAME)
set(_elf "${WORK_DIR}/build/${_name}.elf")

if(EXPECT_ERROR)
    if(_result EQUAL 0)
        message(FATAL_ERROR "build_sketch: ${FQBN} built ${_name}; expected it to stop with '${EXPECT_ERROR}'")
    endif()
    string(REGEX MATCHALL "error: [^\n]*" _errors "${_output}")
    list(REMOVE_DUPLICATES _errors)
    list(LENGTH _errors _count)
    if(NOT _count EQUAL 1 OR NOT _errors MATCHES "${EXPECT_ERROR}")
        message(FATAL_ERROR "build_sketch: expected one error matching '${EXPECT_ERROR}', got ${_count}: ${_errors}")
    endif()
    message(STATUS "${FQBN}: the build stops at: ${_errors}")
    message(STATUS "arduino sketch: OK")
    return()
endif()

if(NOT _result EQUAL 0 OR NOT EXISTS "${_elf}")
    message(FATAL_ERROR "build_sketch: arduino-builder failed (${_result}) for ${_name} on ${FQBN}")
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" -P "${SOURCE_DIR}/ports/cortex-m/check_no_heap.cmake" "${_elf}" "${NM}"
    RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
    message(FATAL_ERROR "build_sketch: ${_name} links a heap allocator")
endif()
execute_process(COMMAND "${SIZE}" "${_elf}" RESULT_VARIABLE _result)

if(QEMU)
    execute_process(
        COMMAND /bin/sh "${SOURCE_DIR}/ports/cortex-m/run-firmware.sh" "${QEMU}" "${MACHINE}" "${_elf}"
        RESULT_VARIABLE _result OUTPUT_VARIABLE _output ERROR_VARIABLE _output TIMEOUT 120)
    message("--- ${_name} on ${MACHINE} ---\n${_output}---")
    if(NOT _result EQUAL 0)
        message(FATAL_ERROR "build_sketch: ${_name} exited with ${_result} under QEMU ${MACHINE}")
    endif()
    if(EXPECT AND NOT _output MATCHES "${EXPECT}")
        message(FATAL_ERROR "build_sketch: the output does not match '${EXPECT}'")
    endif()
endif()
message(STATUS "arduino sketch: OK")
