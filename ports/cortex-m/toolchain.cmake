# tinymlp: bare-metal Cortex-M (arm-none-eabi-gcc, newlib-nano, no heap) on QEMU's Arm MPS2/MPS3
# boards; tests run as firmware under qemu-system-arm with semihosting.
#
#   cmake -S . -B build/cortex-m4 -G Ninja --toolchain $PWD/ports/cortex-m/toolchain.cmake \
#         -DTINYMLP_CORTEX_M_MACHINE=mps2-an386
#
# Executables must be made firmware with tinymlp_cortex_m_firmware(<target>) from
# ports/cortex-m/firmware.cmake (startup code, linker script, heap-free stdio over semihosting).
# Needs the Debian packages gcc-arm-none-eabi, libnewlib-arm-none-eabi,
# libstdc++-arm-none-eabi-newlib and qemu-system-arm.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
# Compiler checks cannot link without the startup code: let them build a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(TINYMLP_CORTEX_M_MACHINE "mps2-an385" CACHE STRING
    "QEMU machine the firmware is built for and run on: mps2-an385 (Cortex-M3), mps2-an386 (Cortex-M4F), mps2-an500 (Cortex-M7, double-precision FPU), mps2-an505 (Cortex-M33, DSP + single-precision FPU), mps3-an547 (Cortex-M55, MVE)")
set_property(CACHE TINYMLP_CORTEX_M_MACHINE PROPERTY STRINGS
             mps2-an385 mps2-an386 mps2-an500 mps2-an505 mps3-an547)
# try_compile projects re-read this file: hand them the machine too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TINYMLP_CORTEX_M_MACHINE)

if(TINYMLP_CORTEX_M_MACHINE STREQUAL "mps2-an385")
  set(TINYMLP_CORTEX_M_CPU cortex-m3)
  set(TINYMLP_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
  set(TINYMLP_CORTEX_M_LINKER_SCRIPT mps2-an385-an386.ld)
elseif(TINYMLP_CORTEX_M_MACHINE STREQUAL "mps2-an386")
  set(TINYMLP_CORTEX_M_CPU cortex-m4)
  set(TINYMLP_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
  set(TINYMLP_CORTEX_M_LINKER_SCRIPT mps2-an385-an386.ld)
elseif(TINYMLP_CORTEX_M_MACHINE STREQUAL "mps2-an500")
  # QEMU's Cortex-M7 has the double-precision FPv5 (MVFR0 reports DP), as the AN500 image.
  set(TINYMLP_CORTEX_M_CPU cortex-m7)
  set(TINYMLP_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard")
  set(TINYMLP_CORTEX_M_LINKER_SCRIPT mps2-an500.ld)
elseif(TINYMLP_CORTEX_M_MACHINE STREQUAL "mps2-an505")
  # Armv8-M Mainline with the DSP extension and FPv5 single precision (no double-precision FPU,
  # as on most Cortex-M33 parts: nRF5340, STM32L5/U5, LPC55S).
  set(TINYMLP_CORTEX_M_CPU cortex-m33)
  set(TINYMLP_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard")
  set(TINYMLP_CORTEX_M_LINKER_SCRIPT mps2-an505.ld)
elseif(TINYMLP_CORTEX_M_MACHINE STREQUAL "mps3-an547")
  # -mcpu=cortex-m55 implies +mve.fp +fp.dp (__ARM_FEATURE_MVE == 3); newlib comes from the
  # thumb/v8-m.main+dp/hard multilib, which is ABI-compatible.
  set(TINYMLP_CORTEX_M_CPU cortex-m55)
  set(TINYMLP_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
  set(TINYMLP_CORTEX_M_LINKER_SCRIPT mps3-an547.ld)
else()
  message(FATAL_ERROR "TINYMLP_CORTEX_M_MACHINE='${TINYMLP_CORTEX_M_MACHINE}': expected "
                      "mps2-an385, mps2-an386, mps2-an500, mps2-an505 or mps3-an547")
endif()
set(TINYMLP_CORTEX_M ON)
set(TINYMLP_CORTEX_M_LINKER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/linker/${TINYMLP_CORTEX_M_LINKER_SCRIPT}")

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)

# newlib-nano (nano.specs also picks its headers, which must match the library); no exceptions,
# no RTTI, no thread-safe statics (__cxa_guard_*): one thread, no heap.
set(_tinymlp_common "${TINYMLP_CORTEX_M_CPU_FLAGS} --specs=nano.specs -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${_tinymlp_common}")
set(CMAKE_CXX_FLAGS_INIT "${_tinymlp_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
set(CMAKE_ASM_FLAGS_INIT "${TINYMLP_CORTEX_M_CPU_FLAGS}")
# Our own startup code replaces crt0/crti/crtbegin (-nostartfiles); unused code is dropped.
# (CMake links through the compiler driver with the compile flags, --specs=nano.specs
# included; a second --specs=nano.specs here would make the driver fail.)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -Wl,--gc-sections")
unset(_tinymlp_common)

set(CMAKE_FIND_ROOT_PATH /usr/lib/arm-none-eabi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(TINYMLP_QEMU_SYSTEM_ARM qemu-system-arm)
if(NOT TINYMLP_QEMU_SYSTEM_ARM)
  set(TINYMLP_QEMU_SYSTEM_ARM qemu-system-arm)
endif()
# ctest appends the firmware path and the test's arguments. run-firmware.sh runs
#   qemu-system-arm -M <machine> -display none -serial none -monitor none
#     -semihosting-config enable=on,target=native,arg=<firmware>,arg=<argument>... -kernel <firmware>
# Semihosting (target=native: QEMU itself serves the calls) gives the firmware stdout/stderr,
# host files through fopen(), its command line and its exit status, which becomes QEMU's exit
# code. Run through /bin/sh so that the script's executable bit does not matter.
set(CMAKE_CROSSCOMPILING_EMULATOR
    "/bin/sh;${CMAKE_CURRENT_LIST_DIR}/run-firmware.sh;${TINYMLP_QEMU_SYSTEM_ARM};${TINYMLP_CORTEX_M_MACHINE}")
