// Selftest (Cortex-M55, mps3-an547): Helium/MVE vector instructions execute under QEMU.
#include <arm_mve.h>

#include <cstdint>

#include "check.hpp"

#if !defined(__ARM_FEATURE_MVE) || (__ARM_FEATURE_MVE & 2) == 0
#error "needs MVE with floating point (-mcpu=cortex-m55)"
#endif

extern "C" __attribute__((noipa)) void selftest_mve_axpy(const float* x, float* y, float a,
                                                            int n) {
    // y += a * x, four lanes at a time, tail handled by predication.
    for (int i = 0; i < n; i += 4) {
        const mve_pred16_t p = vctp32q(static_cast<uint32_t>(n - i));
        const float32x4_t vx = vld1q_z_f32(x + i, p);
        const float32x4_t vy = vld1q_z_f32(y + i, p);
        vst1q_p_f32(y + i, vfmaq_n_f32(vy, vx, a), p);
    }
}

extern "C" __attribute__((noipa)) void selftest_mve_add_s32(const int32_t* a, const int32_t* b,
                                                               int32_t* c) {
    vst1q_s32(c, vaddq_s32(vld1q_s32(a), vld1q_s32(b)));
}

TEST(mve_float_axpy) {
    float x[7], y[8];
    for (int i = 0; i < 7; ++i) {
        x[i] = static_cast<float>(i);
        y[i] = 1.0f;
    }
    y[7] = -99.0f;  // beyond n: must stay untouched
    selftest_mve_axpy(x, y, 0.5f, 7);
    for (int i = 0; i < 7; ++i) CHECK_NEAR(y[i], 1.0f + 0.5f * i, 0.0);
    CHECK(y[7] == -99.0f);
}

TEST(mve_integer_add) {
    const int32_t a[4] = {1, -2, 2147483647, 40};
    const int32_t b[4] = {10, 20, 0, 2};
    int32_t c[4];
    selftest_mve_add_s32(a, b, c);
    CHECK(c[0] == 11 && c[1] == 18 && c[2] == 2147483647 && c[3] == 42);
}

int main() { return tinymlp_test::run_all(); }
