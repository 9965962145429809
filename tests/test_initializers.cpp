// Initializers: the PRNG against PCG32's published reference stream, exact weights against an
// independent implementation (so a seed gives the same weights on every target), and the
// distribution each scheme promises (mean and standard deviation within 4 standard errors).
#include <cmath>
#include <cstdint>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

TEST(pcg32_matches_the_reference_stream) {
    // pcg32_srandom_r(&rng, 42, 54) in the PCG reference implementation (pcg32-demo)
    Pcg32 rng(42, 54);
    const std::uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
    for (std::uint32_t e : expected) CHECK(rng.next_u32() == e);
}

TEST(same_seed_same_weights_bit_for_bit) {
    // He normal for Dense<16, 8>, seed 2024; bit patterns from an independent Python implementation
    // of the same PCG32 + Box-Muller in double, rounded to float.
    static Sequential<Dense<16, 8>, ReLU> net;
    Pcg32 rng(2024);
    net.init_layer<0>(init::HeNormal{}, rng);
    const std::uint32_t expected[] = {0xbf18a5b6, 0xbe78aa5a, 0xbde2c04e, 0xbe9a13f2, 0xbdb8678e, 0xbcc0b3ae};
    for (std::size_t i = 0; i < 6; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &net.parameters()[i], 4);
        CHECK(bits == expected[i]);
    }
    static Sequential<Dense<16, 8>, ReLU> again;
    Pcg32 rng2(2024);
    again.init_layer<0>(init::HeNormal{}, rng2);
    CHECK(std::memcmp(net.parameters(), again.parameters(), decltype(net)::parameter_bytes) == 0);
}

namespace {

struct Moments {
    double mean, std, min, max;
};

Moments moments(const float* x, std::size_t n) {
    double sum = 0, squares = 0, lo = x[0], hi = x[0];
    for (std::size_t i = 0; i < n; ++i) {
        sum += x[i];
        squares += double(x[i]) * x[i];
        lo = std::fmin(lo, x[i]);
        hi = std::fmax(hi, x[i]);
    }
    const double mean = sum / n;
    return {mean, std::sqrt(squares / n - mean * mean), lo, hi};
}

// Mean within 4 standard errors of `mean`, std within 4 standard errors of `std` (normal: std/sqrt(2n)).
void check_distribution(const float* w, std::size_t n, double mean, double std) {
    const Moments m = moments(w, n);
    std::printf("  n %lu: mean %.5f (expected %.5f), std %.5f (expected %.5f)\n", static_cast<unsigned long>(n),
                m.mean, mean, m.std, std);
    CHECK_NEAR(m.mean, mean, 4 * std / std::sqrt(double(n)));
    CHECK_NEAR(m.std, std, 4 * std / std::sqrt(2.0 * n) * 1.5);
}

using Wide = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;
Wide wide;
constexpr std::size_t weights = 784 * 256;

}  // namespace

TEST(he_normal_fan_in_and_fan_out) {
    Pcg32 rng(1);
    wide.init_layer<0>(init::HeNormal{}, rng);
    check_distribution(wide.parameters(), weights, 0, std::sqrt(2.0 / 784));
    for (std::size_t i = weights; i < weights + 256; ++i) CHECK(wide.parameters()[i] == 0);  // bias zeros
    wide.init_layer<0>(init::HeNormal{init::FanMode::fan_out}, rng);
    check_distribution(wide.parameters(), weights, 0, std::sqrt(2.0 / 256));
}

TEST(he_uniform_bounds_and_spread) {
    Pcg32 rng(2);
    wide.init_layer<0>(init::HeUniform{}, rng);
    const double bound = std::sqrt(6.0 / 784);
    const Moments m = moments(wide.parameters(), weights);
    CHECK(m.min >= -bound && m.max <= bound);
    check_distribution(wide.parameters(), weights, 0, bound / std::sqrt(3.0));
}

TEST(xavier_uniform_and_normal) {
    Pcg32 rng(3);
    wide.init_layer<0>(init::XavierUniform{}, rng);
    const double bound = std::sqrt(6.0 / (784 + 256));
    const Moments m = moments(wide.parameters(), weights);
    CHECK(m.min >= -bound && m.max <= bound);
    check_distribution(wide.parameters(), weights, 0, bound / std::sqrt(3.0));
    wide.init_layer<0>(init::XavierNormal{}, rng);
    check_distribution(wide.parameters(), weights, 0, std::sqrt(2.0 / (784 + 256)));
}

TEST(normal_uniform_constant_zeros) {
    Pcg32 rng(4);
    wide.init_layer<0>(init::Normal{0.5, 0.01}, rng, init::Constant{0.25});
    check_distribution(wide.parameters(), weights, 0.5, 0.01);
    for (std::size_t i = weights; i < weights + 256; ++i) CHECK(wide.parameters()[i] == 0.25f);
    wide.init_layer<0>(init::Uniform{-2, 1}, rng, init::Zeros{});
    const Moments m = moments(wide.parameters(), weights);
    CHECK(m.min >= -2 && m.max <= 1);
    check_distribution(wide.parameters(), weights, -0.5, 3 / std::sqrt(12.0));
}

TEST(default_init_is_pytorch_linear) {
    wide.init(5);
    const double bound = 1 / std::sqrt(784.0);
    const Moments w = moments(wide.parameters(), weights + 256);  // weights and bias alike
    CHECK(w.min >= -bound && w.max <= bound);
    check_distribution(wide.parameters(), weights, 0, bound / std::sqrt(3.0));
    const float* second = wide.layer_parameters<2>();
    const Moments m2 = moments(second, 256 * 10 + 10);
    CHECK(m2.min >= -1 / 16.0 && m2.max <= 1 / 16.0);
}

TEST(init_dense_layers_applies_to_every_dense_layer) {
    Pcg32 rng(6);
    wide.init_dense_layers(init::Normal{0, 0.01}, rng);
    check_distribution(wide.parameters(), weights, 0, 0.01);
    check_distribution(wide.layer_parameters<2>(), 2560, 0, 0.01);
    CHECK(wide.layer_parameters<2>()[2560] == 0);  // bias
}

TEST(prelu_slopes_start_at_a_quarter) {
    static Sequential<Dense<3, 4>, PReLU<Slopes::per_unit>, Dense<4, 2>, PReLU<>> net;
    net.init(7);
    for (std::size_t i = 0; i < 4; ++i) CHECK(net.layer_parameters<1>()[i] == 0.25f);
    CHECK(net.layer_parameters<3>()[0] == 0.25f);
}
