# tinymlp: 64-bit ARM Linux (AArch64, NEON) cross build; tests run under qemu-user.
#
#   cmake -S . -B build/aarch64 -G Ninja --toolchain $PWD/ports/aarch64-linux/toolchain.cmake
#
# Needs the Debian packages g++-aarch64-linux-gnu and qemu-user. xsimd comes from the host's
# headers through ports/xsimd_shim.cmake (find_package cannot see /usr from here).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(TINYMLP_TARGET_TRIPLE aarch64-linux-gnu)
set(TINYMLP_SYSROOT /usr/aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${TINYMLP_TARGET_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${TINYMLP_TARGET_TRIPLE}-g++)

# GCC 12 (Debian 12's 12.2.0) for AArch64 crashes ("internal compiler error: in
# vect_transform_reduction, at tree-vect-loop.cc") when the loop vectoriser meets an fmax
# reduction into a double fed from floats, even at -O2 with a constant trip count:
#   double m = 0; for (i = 0; i < 64; ++i) m = std::fmax(m, std::fabs(float_array[i]));
# tinymlp's tests do this. Loop vectorisation is turned off for that compiler (SLP
# vectorisation and the explicit xsimd/NEON kernels are unaffected).
# -DTINYMLP_AARCH64_GCC12_WORKAROUND=OFF to turn it off.
option(TINYMLP_AARCH64_GCC12_WORKAROUND "Build with -fno-tree-loop-vectorize on GCC 12 (ICE)" ON)
if(TINYMLP_AARCH64_GCC12_WORKAROUND)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -dumpversion
                  OUTPUT_VARIABLE _tinymlp_gcc_version OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  if(_tinymlp_gcc_version MATCHES "^12([.]|$)")
    set(CMAKE_C_FLAGS_INIT "-fno-tree-loop-vectorize")
    set(CMAKE_CXX_FLAGS_INIT "-fno-tree-loop-vectorize")
  endif()
  unset(_tinymlp_gcc_version)
endif()

# Libraries and headers only from the target's tree, never the host's /usr.
set(CMAKE_FIND_ROOT_PATH ${TINYMLP_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(TINYMLP_QEMU_AARCH64 qemu-aarch64)
if(NOT TINYMLP_QEMU_AARCH64)
  set(TINYMLP_QEMU_AARCH64 qemu-aarch64)
endif()
# -L: where qemu finds the dynamic loader and shared libraries of the target.
set(CMAKE_CROSSCOMPILING_EMULATOR "${TINYMLP_QEMU_AARCH64};-L;${TINYMLP_SYSROOT}")
