# tinymlp: 32-bit ARM Linux (ARMv7-A, hard float, NEON + VFPv4) cross build; tests run under
# qemu-user.
#
#   cmake -S . -B build/armv7 -G Ninja --toolchain $PWD/ports/armv7-linux/toolchain.cmake
#
# Needs the Debian packages g++-arm-linux-gnueabihf and qemu-user. Notes for code:
#  * NEON on ARMv7 flushes subnormals to zero and has no double-precision vectors
#    (xsimd's `neon` architecture has no batch<double>); VFP does scalar doubles.
#  * GCC only auto-vectorises float loops for NEON with -funsafe-math-optimizations,
#    because NEON arithmetic is not IEEE-exact; explicit xsimd code is unaffected.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7-a)

set(TINYMLP_TARGET_TRIPLE arm-linux-gnueabihf)
set(TINYMLP_SYSROOT /usr/arm-linux-gnueabihf)

set(CMAKE_C_COMPILER ${TINYMLP_TARGET_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${TINYMLP_TARGET_TRIPLE}-g++)

set(TINYMLP_ARM_FLAGS "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${TINYMLP_ARM_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${TINYMLP_ARM_FLAGS}")

set(CMAKE_FIND_ROOT_PATH ${TINYMLP_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(TINYMLP_QEMU_ARM qemu-arm)
if(NOT TINYMLP_QEMU_ARM)
  set(TINYMLP_QEMU_ARM qemu-arm)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${TINYMLP_QEMU_ARM};-L;${TINYMLP_SYSROOT}")
