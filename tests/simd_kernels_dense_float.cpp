// test_simd_kernels' dense kernels in float, a translation unit of their own (test_simd_kernels.cpp).
#define TINYMLP_SIMD_KERNELS_PART 1
#include "test_simd_kernels.cpp"
