// real.hpp: hyperparameters read from their bits (split) and Adam's step scalars in float pairs,
// what float-only cores (Cortex-M4F, M33, M3) compute instead of double arithmetic. Compared here,
// on every target, with the hardware's double arithmetic rounded to float.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include <tinymlp/kernels/adam_step.hpp>
#include <tinymlp/random.hpp>
#include <tinymlp/real.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

double double_of(std::uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}
std::uint32_t bits_of(float f) {
    std::uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}
// Distance in ulps between two finite floats of the same sign.
long ulps(float a, float b) {
    const long d = static_cast<long>(bits_of(a)) - static_cast<long>(bits_of(b));
    return d < 0 ? -d : d;
}

bool split_is_the_conversion(double d) {
    const FloatPair p = split(d);
    // below float's normal range split gives (signed) zero
    const float hi = std::fabs(d) < 0x1p-126 ? static_cast<float>(d) * 0.0f : static_cast<float>(d);
    if (std::isnan(hi)) return std::isnan(p.hi);
    if (bits_of(p.hi) != bits_of(hi)) return false;
    // lo: where the rest is a normal float (below, split rounds it twice)
    if (std::isinf(hi) || std::fabs(d - static_cast<double>(hi)) < 0x1p-126) return true;
    return bits_of(p.lo) == bits_of(static_cast<float>(d - static_cast<double>(hi)));
}

}  // namespace

TEST(split_is_the_hardware_conversion) {
    const double cases[] = {0.0, -0.0, 1.0, -1.0, 0.999, 0.9, 0.1, 1e-8, 0.001, 3e38, 3.4028235677973366e38,
                            4e38, 1e300, -2.5, 1.0 / 3, 0x1p-126, 0x1.fffffep-127, 0x1p-130,
                            std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN(),
                            // ties between two floats: to even
                            1.0 + 0x1p-24, 1.0 + 3 * 0x1p-24, 1.0 + 0x1p-24 + 0x1p-60};
    std::size_t wrong = 0;
    for (double d : cases) {
        if (!split_is_the_conversion(d)) {
            ++wrong;
            std::printf("  split(%.17g) is not the conversion\n", d);
        }
    }
    // random bit patterns with exponents float holds
    Pcg32 rng(99);
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t mantissa = (std::uint64_t(rng.next_u32()) << 32 | rng.next_u32()) & ((std::uint64_t(1) << 52) - 1);
        const std::uint64_t exponent = 1023 - 126 + rng.next_u32() % 254;
        const std::uint64_t sign = rng.next_u32() & 1;
        const double d = double_of(sign << 63 | exponent << 52 | mantissa);
        if (!split_is_the_conversion(d) && wrong++ < 3)
            std::printf("  split(%a) = %a + %a, conversion %a + %a\n", d, static_cast<double>(split(d).hi),
                        static_cast<double>(split(d).lo), static_cast<double>(static_cast<float>(d)),
                        static_cast<double>(static_cast<float>(d - static_cast<double>(static_cast<float>(d)))));
    }
    std::printf("  %lu of 200024 splits differ from the conversion\n", static_cast<unsigned long>(wrong));
    CHECK(wrong == 0);
}

TEST(comparisons_by_the_bits) {
    const double cases[] = {0.0, -0.0, 1e-300, -1e-300, 0.5, 0.999999999, 1.0, 1.0000001, 2, -1,
                            std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN()};
    for (double d : cases) {
        CHECK(is_non_negative(d) == (d >= 0));
        CHECK(is_zero(d) == (d == 0));
        if (d >= 0) CHECK(is_below_one(d) == (d < 1));
    }
}

// Adam's scalars in float pairs against PyTorch's way (double, rounded once to float): within an
// ulp, for betas near 1 where 1 - beta and 1 - beta^t lose the most, over 2^32 steps.
TEST(adam_scalars_in_float_pairs_are_the_double_ones) {
    const double betas[] = {0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.99999};
    const double rates[] = {1e-3, 0.05, 1.0, 3e-4};
    const std::uint64_t steps[] = {1, 2, 3, 7, 10, 100, 1000, 4321, 10000, 100000, 1000000, (std::uint64_t(1) << 32) + 5};
    long worst[5] = {};
    for (double b1 : betas)
        for (double b2 : betas)
            for (double lr : rates)
                for (std::uint64_t t : steps) {
                    const kernels::AdamStep<float> f =
                        kernels::adam_step_in_float(split(lr), split(b1), split(b2), split(1e-8).hi, t);
                    const double td = static_cast<double>(t);
                    const float expected[5] = {static_cast<float>(1.0 - b1), static_cast<float>(1.0 - b2),
                                               static_cast<float>(lr / (1.0 - std::pow(b1, td))),
                                               static_cast<float>(std::sqrt(1.0 - std::pow(b2, td))),
                                               static_cast<float>(b1)};
                    const float got[5] = {f.one_minus_beta1, f.one_minus_beta2, f.step_size, f.bias_correction2_sqrt,
                                          f.beta1};
                    for (int k = 0; k < 5; ++k) {
                        const long u = ulps(got[k], expected[k]);
                        if (u > worst[k]) worst[k] = u;
                    }
                }
    std::printf("  largest differences in ulps: 1 - beta1 %ld, 1 - beta2 %ld, lr / (1 - beta1^t) %ld, "
                "sqrt(1 - beta2^t) %ld, beta1 %ld\n",
                worst[0], worst[1], worst[2], worst[3], worst[4]);
    CHECK(worst[0] <= 1 && worst[1] <= 1 && worst[2] <= 1 && worst[3] <= 1 && worst[4] == 0);
}
