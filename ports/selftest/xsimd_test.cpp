// Selftest (ARM Linux): xsimd from ports/xsimd_shim.cmake picks the expected architecture.
#include <xsimd/xsimd.hpp>

#include <cstdio>
#include <type_traits>

#include "check.hpp"

#ifndef SELFTEST_XSIMD_ARCH
#error "SELFTEST_XSIMD_ARCH must name the expected xsimd::default_arch (neon64, neon)"
#endif

TEST(default_arch) {
    std::printf("  xsimd %d.%d.%d default_arch: %s (%d float lanes)\n", XSIMD_VERSION_MAJOR,
                XSIMD_VERSION_MINOR, XSIMD_VERSION_PATCH, xsimd::default_arch::name(),
                static_cast<int>(xsimd::batch<float>::size));
    CHECK((std::is_same<xsimd::default_arch, xsimd::SELFTEST_XSIMD_ARCH>::value));
    CHECK(xsimd::batch<float>::size == 4);
}

TEST(float_batch_arithmetic) {
    alignas(16) float a[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    alignas(16) float b[4] = {0.5f, 0.25f, -1.0f, 2.0f};
    alignas(16) float c[4];
    const auto va = xsimd::load_aligned(a);
    const auto vb = xsimd::load_aligned(b);
    xsimd::fma(va, vb, va).store_aligned(c);
    for (int i = 0; i < 4; ++i) CHECK_NEAR(c[i], a[i] * b[i] + a[i], 1e-6);
    CHECK_NEAR(xsimd::hadd(va), 10.0f, 0.0);
}

int main() { return tinymlp_test::run_all(); }
