// test_simd_kernels' element-wise, reduction, softmax, loss and optimizer kernels in float, a
// translation unit of their own (test_simd_kernels.cpp).
#define TINYMLP_SIMD_KERNELS_PART 3
#include "test_simd_kernels.cpp"
