// One-sample dense 64x64 forward on the default target, as a plain function. instruction_counts
// links it twice: compiled with the project's Cortex-M flags (dense_64x64_project_flags.cpp) and
// compiled the way any build system would, with nothing but
//   arm-none-eabi-g++ -mcpu=... -mfpu=... -mfloat-abi=... -std=gnu++17 -O3 -I include
// (no toolchain file, no -D): both must run the same lane kernel, instruction for instruction.
#include <tinymlp/tinymlp.hpp>

#ifndef TINYMLP_DENSE_64X64
#define TINYMLP_DENSE_64X64 dense_64x64_bare_flags
#define TINYMLP_DENSE_64X64_TARGET dense_64x64_bare_flags_target
#endif

extern "C" {
extern const char* const TINYMLP_DENSE_64X64_TARGET;
const char* const TINYMLP_DENSE_64X64_TARGET = tinymlp::DefaultTarget::name;

__attribute__((noinline)) void TINYMLP_DENSE_64X64(const float* x, const float* w, const float* b, float* y) {
    tinymlp::kernels::dense_forward<1, 64, 64>(tinymlp::DefaultTarget{}, x, w, b, y);
}
}
