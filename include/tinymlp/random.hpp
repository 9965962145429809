// Portable seeded PRNG (PCG32, O'Neill 2014): the same seed gives the same stream on every
// platform and compiler, unlike rand() or the distributions of <random>.
#pragma once
#include <cmath>
#include <cstdint>

namespace tinymlp {

class Pcg32 {
public:
    explicit constexpr Pcg32(std::uint64_t seed = 0x853c49e6748fea9bULL,
                             std::uint64_t stream = 0xda3e39cb94b95bdbULL)
        : state_(0), increment_((stream << 1u) | 1u) {
        next_u32();
        state_ += seed;
        next_u32();
    }

    constexpr std::uint32_t next_u32() {
        const std::uint64_t old = state_;
        state_ = old * 6364136223846793005ULL + increment_;
        const auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
        const auto rotation = static_cast<std::uint32_t>(old >> 59u);
        return (xorshifted >> rotation) | (xorshifted << ((32u - rotation) & 31u));
    }

    // Uniform in [0, 1) with 24 random bits: exact in float.
    float uniform_float() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

    // Uniform in [0, 1) with 53 random bits: exact in double.
    double uniform() {
        const std::uint64_t high = next_u32() >> 5;  // 27 bits
        const std::uint64_t low = next_u32() >> 6;   // 26 bits
        return static_cast<double>((high << 26) | low) * (1.0 / 9007199254740992.0);
    }

    // Standard normal by Box-Muller in double (one value per call, no cached state, so the
    // stream position depends only on the number of calls).
    double normal() {
        const double u1 = 1.0 - uniform();  // in (0, 1], so log() is finite
        const double u2 = uniform();
        constexpr double two_pi = 6.283185307179586476925286766559;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
    }

    bool operator==(const Pcg32& other) const {
        return state_ == other.state_ && increment_ == other.increment_;
    }

private:
    std::uint64_t state_;
    std::uint64_t increment_;
};

}  // namespace tinymlp
