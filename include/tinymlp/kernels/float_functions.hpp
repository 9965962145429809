// exp, tanh and log1p of a float in a few multiply-adds, with no library call and no branch a
// compiler cannot turn into a select: what the Cortex-M lanes (ports/cortex_m_lanes.hpp) compute
// instead of newlib's expf, tanhf and log1pf, which cost hundreds of instructions per lane on a
// core with a single-precision FPU (and are software double on none). The polynomials are
// Cephes's (Moshier, expf / tanhf / logf); test_float_functions measures them against the double
// functions rounded to float over every float of the ranges that matter, and holds the bounds
// stated below.
#pragma once
#include <cstdint>
#include <cstring>

namespace tinymlp::float_functions {

namespace detail {
inline float from_bits(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
inline std::uint32_t bits(float f) {
    std::uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}
// x rounded to the nearest integer, for |x| < 2^22 (adding and removing 1.5 * 2^23 leaves the
// integer part in the mantissa)
inline float round_to_integer(float x) {
    const float magic = 12582912.0f;
    return (x + magic) - magic;
}
}  // namespace detail

// e^x within 2 ulp for x in [-87.3, 88.7] (and 0 below, infinity above, NaN as NaN): x = k ln2 + r,
// |r| <= ln2 / 2, e^r by a degree-6 polynomial, 2^k by the exponent bits.
inline float exp(float x) {
    if (!(x > -87.33654f)) return x != x ? x : 0.0f;  // below: 0 (libm's subnormals); NaN stays
    if (x > 88.72283f) return detail::from_bits(0x7f800000u);
    const float k = detail::round_to_integer(x * 1.44269504088896341f);
    // ln2 in two parts: the first has few enough bits that k times it is exact
    const float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float er = (p * r) * r + r + 1.0f;
    // 2^k as two factors, so that k = 128 (x near 88.7) and k = -126 stay normal
    const std::int32_t n = static_cast<std::int32_t>(k);
    const std::int32_t half = n / 2;
    return er * detail::from_bits(static_cast<std::uint32_t>(half + 127) << 23) *
           detail::from_bits(static_cast<std::uint32_t>(n - half + 127) << 23);
}

// tanh(x) within 2 ulp: an odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1) above, 1 from
// |x| = 9.1 on (where tanh rounds to 1).
inline float tanh(float x) {
    const float a = x < 0 ? -x : x;
    float y;
    if (a < 0.625f) {
        const float z = x * x;
        float p = -5.70498872745e-3f;
        p = p * z + 2.06390887954e-2f;
        p = p * z - 5.37397155531e-2f;
        p = p * z + 1.33314422036e-1f;
        p = p * z - 3.33332819422e-1f;
        return p * z * x + x;
    }
    if (a > 9.1f) y = 1.0f;  // also infinity
    else y = 1.0f - 2.0f / (exp(2.0f * a) + 1.0f);
    if (x != x) return x;
    return x < 0 ? -y : y;
}

// log(1 + x) within 2 ulp for x > -1 (-infinity at -1, NaN below, infinity at infinity): log(u)
// of u = 1 + x (frexp and Cephes's polynomial), times x / (u - 1), which restores what rounding
// u took from x.
inline float log1p(float x) {
    if (!(x > -1.0f)) return x == -1.0f ? detail::from_bits(0xff800000u) : detail::from_bits(0x7fc00000u);
    if (x == detail::from_bits(0x7f800000u)) return x;
    const float u = 1.0f + x;
    if (u == 1.0f) return x;  // |x| below half an ulp of 1: log1p(x) = x to float precision
    // u = m 2^e, m in [sqrt(1/2), sqrt(2))
    const std::uint32_t ub = detail::bits(u);
    std::int32_t e = static_cast<std::int32_t>((ub >> 23) & 0xff) - 126;
    float m = detail::from_bits((ub & 0x007fffffu) | 0x3f000000u);  // [0.5, 1)
    if (m < 0.707106781186547524f) {
        --e;
        m = m + m - 1.0f;
    } else {
        m = m - 1.0f;
    }
    const float z = m * m;
    float p = 7.0376836292e-2f;
    p = p * m - 1.1514610310e-1f;
    p = p * m + 1.1676998740e-1f;
    p = p * m - 1.2420140846e-1f;
    p = p * m + 1.4249322787e-1f;
    p = p * m - 1.6668057665e-1f;
    p = p * m + 2.0000714765e-1f;
    p = p * m - 2.4999993993e-1f;
    p = p * m + 3.3333331174e-1f;
    const float fe = static_cast<float>(e);
    float y = p * m * z + fe * -2.12194440e-4f - 0.5f * z;
    const float log_u = (m + y) + fe * 0.693359375f;
    return log_u * (x / (u - 1.0f));
}

}  // namespace tinymlp::float_functions
