// Finiteness by the bits of the exponent: an IEEE-754 value is NaN or infinite exactly when its
// exponent bits are all ones. Unlike std::isfinite or x * 0 != x * 0, integer tests survive
// -ffast-math (-ffinite-math-only), under which the compiler may assume no NaN or infinity exists
// and fold those checks to "finite".
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tinymlp {

template <class S>
using FloatBits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
template <class S>
inline constexpr FloatBits<S> exponent_bits = sizeof(S) == 4 ? FloatBits<S>(0x7f800000u) : FloatBits<S>(0x7ff0000000000000ull);

template <class S>
FloatBits<S> bits_of(S value) {
    static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>, "tinymlp: float or double");
    FloatBits<S> bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

template <class S>
bool is_finite(S value) {
    return (bits_of(value) & exponent_bits<S>) != exponent_bits<S>;
}

// The exponent bits plus one unit of the exponent: the top bit is set exactly when the exponent
// is all ones. OR'd over an array, it tests every element with no branch (all_finite).
template <class S>
FloatBits<S> non_finite_flag(S value) {
    constexpr FloatBits<S> unit = exponent_bits<S> & ~(exponent_bits<S> << 1);
    return (bits_of(value) & exponent_bits<S>) + unit;
}
template <class S>
bool no_non_finite_flag(FloatBits<S> flags) {
    return (flags >> (8 * sizeof(S) - 1)) == 0;
}

}  // namespace tinymlp
