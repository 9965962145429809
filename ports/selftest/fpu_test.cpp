// Selftest (Cortex-M4F/M7/M55): float (and on M7/M55 double) arithmetic runs on the FPU.
// Run: the FPU is enabled at reset (otherwise the first VFP instruction faults). The
// disassembly of the two kernels is checked for VFP instructions by objdump_expect.cmake.
#include <cmath>
#include <cstdio>

#include "check.hpp"

extern "C" __attribute__((noipa)) float selftest_fma_float(const float* a, const float* b,
                                                              int n) {
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) sum = std::fma(a[i], b[i], sum);
    return sum;
}

extern "C" __attribute__((noipa)) double selftest_mul_add_double(const double* a,
                                                                    const double* b, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

TEST(float_dot_product) {
    float a[8], b[8];
    for (int i = 0; i < 8; ++i) {
        a[i] = 0.5f * static_cast<float>(i);
        b[i] = 2.0f - 0.25f * static_cast<float>(i);
    }
    // sum_i (0.5 i)(2 - 0.25 i) = sum_i (i - i^2/8) = 28 - 140/8 = 10.5
    CHECK_NEAR(selftest_fma_float(a, b, 8), 10.5f, 1e-6);
}

TEST(double_dot_product) {
    double a[4] = {1e-3, 2.5, -3.0, 1e10};
    double b[4] = {1e3, 4.0, 0.5, 1e-10};
    CHECK_NEAR(selftest_mul_add_double(a, b, 4), 1.0 + 10.0 - 1.5 + 1.0, 1e-12);
}

int main() { return tinymlp_test::run_all(); }
