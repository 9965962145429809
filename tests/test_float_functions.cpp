// kernels/float_functions.hpp against the double functions rounded to float: every float of the
// ranges the layers and losses use (exp: [-87.3, 88.7]; tanh: [-10, 10]; log1p: (-1, 2^20]),
// stepping through the bit patterns, and the special values. The bounds are the header's.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include <tinymlp/kernels/float_functions.hpp>

#include "check.hpp"

namespace ff = tinymlp::float_functions;

namespace {

std::int64_t ordinal(float f) {  // floats in order as integers
    std::int32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b < 0 ? -static_cast<std::int64_t>(b & 0x7fffffff) : b;
}
float from_ordinal(std::int64_t k) {
    const std::uint32_t b = k < 0 ? (static_cast<std::uint32_t>(-k) | 0x80000000u) : static_cast<std::uint32_t>(k);
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
}

// Largest distance in ulps over [low, high], every `stride`-th float.
template <class F, class R>
std::int64_t worst_ulps(F f, R reference, float low, float high, std::int64_t stride, float* where) {
    std::int64_t worst = 0;
    for (std::int64_t k = ordinal(low); k <= ordinal(high); k += stride) {
        const float x = from_ordinal(k);
        const float expected = static_cast<float>(reference(static_cast<double>(x)));
        std::int64_t d = ordinal(f(x)) - ordinal(expected);
        d = d < 0 ? -d : d;
        if (d > worst) {
            worst = d;
            *where = x;
        }
    }
    return worst;
}

#if defined(TINYMLP_TEST_SMALL_MEMORY)
constexpr std::int64_t stride = 4099;  // in QEMU: every 4099th float
#else
constexpr std::int64_t stride = 61;
#endif

}  // namespace

TEST(exp_within_2_ulp) {
    float where = 0;
    const std::int64_t w = worst_ulps(ff::exp, [](double x) { return std::exp(x); }, -87.33f, 88.72f, stride, &where);
    std::printf("  exp: largest error %lld ulp (at %.9g)\n", static_cast<long long>(w), static_cast<double>(where));
    CHECK(w <= 2);
    CHECK(ff::exp(0.0f) == 1.0f && ff::exp(-100.0f) == 0.0f && std::isinf(ff::exp(89.0f)) &&
          std::isnan(ff::exp(std::numeric_limits<float>::quiet_NaN())) &&
          ff::exp(-std::numeric_limits<float>::infinity()) == 0.0f && std::isinf(ff::exp(std::numeric_limits<float>::infinity())));
}

TEST(tanh_within_2_ulp) {
    float where = 0;
    const std::int64_t w = worst_ulps(ff::tanh, [](double x) { return std::tanh(x); }, -10.0f, 10.0f, stride, &where);
    std::printf("  tanh: largest error %lld ulp (at %.9g)\n", static_cast<long long>(w), static_cast<double>(where));
    CHECK(w <= 2);
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(ff::tanh(inf) == 1.0f && ff::tanh(-inf) == -1.0f && ff::tanh(0.0f) == 0.0f && ff::tanh(100.0f) == 1.0f &&
          std::isnan(ff::tanh(std::numeric_limits<float>::quiet_NaN())));
}

TEST(log1p_within_2_ulp) {
    float where = 0;
    const std::int64_t w =
        worst_ulps(ff::log1p, [](double x) { return std::log1p(x); }, -0.99999994f, 1048576.0f, stride, &where);
    std::printf("  log1p: largest error %lld ulp (at %.9g)\n", static_cast<long long>(w), static_cast<double>(where));
    CHECK(w <= 2);
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(ff::log1p(0.0f) == 0.0f && ff::log1p(inf) == inf && ff::log1p(-1.0f) == -inf && std::isnan(ff::log1p(-2.0f)) &&
          ff::log1p(1e-30f) == 1e-30f);
}
