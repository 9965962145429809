// Fixed-point requantization, bit for bit as TensorFlow Lite (Micro) and CMSIS-NN do it: a real
// scale s > 0 becomes a 32-bit multiplier m in [2^30, 2^31) and a shift, s = m * 2^(shift - 31),
// and an int32 accumulator x is scaled by it with two roundings (a doubling high multiply, then a
// rounding right shift). The integer layers' output scaling is this, per output channel.
//
// No floating-point arithmetic: the multiplier is read out of the double's bits, so a core
// without a double-precision FPU links no software double routine for it.
#pragma once
#include <cstdint>
#include <cstring>

namespace tinymlp {

struct QuantizedMultiplier {
    std::int32_t multiplier = 0;  // 0, or in [2^30, 2^31)
    int shift = 0;                // -31 .. 30; positive: shift left
};

// TFLite's QuantizeMultiplier (round half away from zero; a multiplier that rounds up to 2^31
// becomes 2^30 with the shift one higher; scales below about 2^-32 flush to a zero multiplier).
// Returns false, leaving `out` as it was, for a negative, NaN or infinite scale and for one of
// 2^30 or more (shift > 30): no int32 accumulator can be scaled by it.
inline bool quantize_multiplier(double scale, QuantizedMultiplier& out) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &scale, sizeof bits);
    const int biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
    if ((bits >> 63) != 0 && scale != 0) return false;  // negative (-0 is 0)
    if (biased_exponent == 0x7ff) return false;         // NaN, infinity
    if (biased_exponent == 0) {                          // zero and subnormals: below 2^-1022
        out = {};
        return true;
    }
    // scale = q * 2^shift with q = 1.mantissa / 2 in [0.5, 1) (frexp); q * 2^31 rounded
    int shift = biased_exponent - 1022;
    const std::uint64_t significand = (bits & ((std::uint64_t(1) << 52) - 1)) | (std::uint64_t(1) << 52);
    std::uint64_t q_fixed = (significand + (std::uint64_t(1) << 21)) >> 22;
    if (q_fixed == (std::uint64_t(1) << 31)) {
        q_fixed >>= 1;
        ++shift;
    }
    if (shift < -31) {
        out = {};
        return true;
    }
    if (shift > 30) return false;
    out = {static_cast<std::int32_t>(q_fixed), shift};
    return true;
}

// round(2 a b / 2^32), ties up (gemmlowp's SaturatingRoundingDoublingHighMul; only
// a = b = -2^31 saturates, which a multiplier never is).
constexpr std::int32_t doubling_high_multiply(std::int32_t a, std::int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    const std::int64_t product = static_cast<std::int64_t>(a) * b;
    return static_cast<std::int32_t>((product + (std::int64_t(1) << 30)) >> 31);
}

// round(x / 2^exponent), ties away from zero (gemmlowp's RoundingDivideByPOT); exponent 0..31.
constexpr std::int32_t rounding_divide_by_power_of_two(std::int32_t x, int exponent) {
    const std::int32_t mask = static_cast<std::int32_t>((std::uint32_t(1) << exponent) - 1);
    const std::int32_t remainder = x & mask;
    const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * m * 2^(shift - 31), rounded as TFLite's MultiplyByQuantizedMultiplier and CMSIS-NN's
// arm_nn_requantize (double rounding). For shift > 0 the caller keeps x * 2^shift within int32
// (the references leave that case undefined; here it wraps).
constexpr std::int32_t requantize(std::int32_t x, QuantizedMultiplier q) {
    const int left = q.shift > 0 ? q.shift : 0, right = q.shift > 0 ? 0 : -q.shift;
    const std::int32_t shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
    return rounding_divide_by_power_of_two(doubling_high_multiply(shifted, q.multiplier), right);
}

// The int16 layers' requantization of an int64 accumulator |x| < 2^47, as TFLite's
// MultiplyByQuantizedMultiplier(int64_t, ...) and CMSIS-NN's arm_nn_requantize_s64: the multiplier
// reduced to 16 bits (rounded), one rounding; shift <= 14. A result beyond int32, which both
// references leave to wrap (each its own way), saturates.
constexpr std::int32_t requantize_wide(std::int64_t x, QuantizedMultiplier q) {
    const std::int64_t reduced = q.multiplier < 0x7fff0000 ? (q.multiplier + (1 << 15)) >> 16 : 0x7fff;
    const std::int64_t result = (((x * reduced) >> (14 - q.shift)) + 1) >> 1;
    return result > INT32_MAX ? INT32_MAX : result < INT32_MIN ? INT32_MIN : static_cast<std::int32_t>(result);
}

}  // namespace tinymlp
