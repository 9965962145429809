// Real: the type of the few scalars a training step computes beside its tensors (loss totals,
// gradient norms, sums for L1, Adam's bias corrections). double where the hardware computes in
// double; float on Arm cores whose FPU is single precision or absent (Cortex-M4F, M33, M3), where
// every double operation would be a call into the compiler's software double library.
//
// Hyperparameters stay double in the API (Adam{0.001}, Regularization{...}), as PyTorch's Python
// floats are. On float-Real targets they are read with integer operations on their bits (split,
// below), never with double arithmetic, so that an image links no software double at all; where a
// step needs more than a float of them (1 - beta and 1 - beta^t for Adam) it keeps them as a pair
// of floats.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tinymlp {

#if defined(__arm__) && !(defined(__ARM_FP) && (__ARM_FP & 8))
using Real = float;
#else
using Real = double;
#endif

// The type sums over S values are taken in: Real, or S where S is wider (double networks on
// float-Real targets keep double sums).
template <class S>
using SumType = decltype(S() + Real());

// A value as hi + lo, two floats (hi the nearest float to it, lo the nearest float to the rest):
// 48 significant bits.
struct FloatPair {
    float hi = 0, lo = 0;
};

namespace real_detail {

inline float power_of_two(int exponent) {  // within float's normal range
    const std::uint32_t bits = static_cast<std::uint32_t>(exponent + 127) << 23;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

inline std::uint64_t bits_of(double d) {
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return bits;
}

}  // namespace real_detail

// d as a FloatPair, from its bits alone (no double arithmetic): hi rounded to nearest, ties to
// even. Magnitudes below 2^-126 give 0, above float's range infinity; NaN stays NaN.
inline FloatPair split(double d) {
    using namespace real_detail;
    const std::uint64_t bits = bits_of(d);
    const bool negative = (bits >> 63) != 0;
    const int biased = static_cast<int>((bits >> 52) & 0x7ff);
    const std::uint64_t fraction = bits & ((std::uint64_t(1) << 52) - 1);
    FloatPair p;
    if (biased == 0x7ff || biased - 1023 > 127) {  // NaN, infinity, beyond float
        const std::uint32_t f = (negative ? 0x80000000u : 0u) | 0x7f800000u | (fraction != 0 && biased == 0x7ff ? 0x400000u : 0u);
        std::memcpy(&p.hi, &f, sizeof f);
        return p;
    }
    const int exponent = biased - 1023;
    if (exponent < -126) {  // zero, and magnitudes float holds only as subnormals
        p.hi = negative ? -0.0f : 0.0f;
        return p;
    }
    const std::uint64_t mantissa = fraction | (std::uint64_t(1) << 52);  // d = mantissa 2^(exponent - 52)
    std::uint64_t high = mantissa >> 29;                                 // 24 bits
    const std::uint64_t rest = mantissa & ((std::uint64_t(1) << 29) - 1), half = std::uint64_t(1) << 28;
    if (rest > half || (rest == half && (high & 1))) ++high;
    const std::int32_t low = static_cast<std::int32_t>(static_cast<std::int64_t>(mantissa) - static_cast<std::int64_t>(high << 29));
    // high <= 2^24 (exact as a float) and |low| <= 2^28; both scaled by powers of two in float's
    // normal range (exact, but for lo's rounding when it falls below that range)
    const std::int32_t sign = negative ? -1 : 1;
    p.hi = static_cast<float>(sign * static_cast<std::int32_t>(high)) * power_of_two(-23) * power_of_two(exponent);
    p.lo = static_cast<float>(sign * low) * power_of_two(-52) * power_of_two(exponent);
    return p;
}

// The hyperparameter d in S: a conversion where S is double or the hardware converts; hi of the
// split on float-Real targets.
template <class S>
S scalar_of(double d) {
    if constexpr (std::is_same_v<S, float> && std::is_same_v<Real, float>) return split(d).hi;
    else return static_cast<S>(d);
}
inline Real real_of(double d) { return scalar_of<Real>(d); }

// Comparisons of hyperparameters by their bits (a double comparison is a library call on
// float-Real targets). NaN is neither.
inline bool is_non_negative(double d) {  // +0, -0 and above, not NaN
    const std::uint64_t bits = real_detail::bits_of(d);
    return (bits >> 63) == 0 ? (bits >> 52) != 0x7ff || (bits & ((std::uint64_t(1) << 52) - 1)) == 0
                             : (bits << 1) == 0;
}
inline bool is_zero(double d) { return (real_detail::bits_of(d) << 1) == 0; }
inline bool is_below_one(double d) {  // d < 1, for d >= 0 (-0 included)
    return (real_detail::bits_of(d) & ~(std::uint64_t(1) << 63)) < 0x3ff0000000000000ull;
}

// Error-free pieces of float-pair arithmetic (Knuth's sum, Dekker's product).
inline FloatPair two_sum(float a, float b) {
    const float s = a + b, v = s - a;
    return {s, (a - (s - v)) + (b - v)};
}
// a * b exactly, as the rounded product and its error: one fused multiply-add where the hardware
// has it; Veltkamp's halves elsewhere (the M3's fmaf is computed in software double).
inline FloatPair exact_product(float a, float b) {
    const float p = a * b;
#if defined(__FP_FAST_FMAF)
    return {p, __builtin_fmaf(a, b, -p)};
#else
    const auto halves = [](float x) {
        const float c = 4097.0f * x, high = c - (c - x);
        return FloatPair{high, x - high};
    };
    const FloatPair x = halves(a), y = halves(b);
    return {p, ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo};
#endif
}
inline FloatPair times(FloatPair a, FloatPair b) {
    const FloatPair p = exact_product(a.hi, b.hi);
    const float e = p.lo + (a.hi * b.lo + a.lo * b.hi);
    const float s = p.hi + e;
    return {s, e - (s - p.hi)};
}
// 1 - a, as a pair (a in [0, 2]: 1 - a.hi is exact).
inline FloatPair one_minus(FloatPair a) { return two_sum(1.0f - a.hi, -a.lo); }
inline float to_float(FloatPair a) { return a.hi + a.lo; }

// a^n by squaring, in pairs.
inline FloatPair power(FloatPair a, std::uint64_t n) {
    FloatPair result{1.0f, 0.0f};
    while (n) {
        if (n & 1) result = times(result, a);
        n >>= 1;
        if (n) a = times(a, a);
    }
    return result;
}

}  // namespace tinymlp
