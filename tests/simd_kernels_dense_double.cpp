// test_simd_kernels' dense kernels in double, a translation unit of their own (test_simd_kernels.cpp).
#define TINYMLP_SIMD_KERNELS_PART 2
#include "test_simd_kernels.cpp"
