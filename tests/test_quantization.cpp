// Integer requantization (quantization.hpp) against the reference implementations' own outputs
// (tests/fixtures/quantization.bin, written by tests/reference/make_quantization_vectors.sh from
// TensorFlow Lite Micro's QuantizeMultiplier / MultiplyByQuantizedMultiplier and CMSIS-NN's
// arm_nn_requantize, built outside this repository):
//   - 3000 scales (zero, powers of two and their neighbours, ties of the rounding, 2^-40..2^40):
//     the same multiplier and shift as TFLite, or a refusal where TFLite's shift exceeds 30;
//   - 20000 requantizations (edge values, every shift -31..30, ties, random): bit for bit;
//   - int8 dense layers with per-channel weights (tails 1, 3, 17, 33, 255, 784 inputs; fused
//     ReLU-like clamps; saturating biases): the outputs of arm_fully_connected_per_channel_s8;
//   - int16 dense layers: arm_fully_connected_s16's outputs (one multiplier), TFLM's reference
//     outputs with one multiplier per channel.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <limits>
#include <utility>

#include <tinymlp/kernels/quantized_dense.hpp>
#include <tinymlp/quantization.hpp>
#include <tinymlp/random.hpp>

#include "check.hpp"
#include "fixture.hpp"

using namespace tinymlp;
using tinymlp_test::Fixture;
using tinymlp_test::FixtureArray;

namespace {

Fixture fixture;

bool load() {
    char path[512];
    return fixture.load(tinymlp_test::fixture_path(path, sizeof path, "quantization.bin"));
}

// By hand: the multiplier 2^30 with shift 0 is the scale 0.5. The doubling high multiply rounds
// its ties up (-1.5 -> -1); the rounding shift rounds them away from zero (-2.5 -> -3).
static_assert(doubling_high_multiply(0x40000000, 0x40000000) == 0x20000000);
static_assert(rounding_divide_by_power_of_two(5, 1) == 3 && rounding_divide_by_power_of_two(-5, 1) == -3);
static_assert(requantize(1000, {0x40000000, 0}) == 500 && requantize(-3, {0x40000000, 0}) == -1);
static_assert(requantize(-5, {0x40000000, -1}) == -1 && requantize(-10, {0x40000000, -1}) == -3);
// int16 layers: 1000 * 0.5 in one rounding; beyond int32, where the references wrap, saturation.
static_assert(requantize_wide(1000, {0x40000000, 0}) == 500 && requantize_wide(-3, {0x40000000, 0}) == -1);
static_assert(requantize_wide(std::int64_t(1) << 46, {0x7fffffff, 14}) == INT32_MAX &&
              requantize_wide(-(std::int64_t(1) << 46), {0x7fffffff, 14}) == INT32_MIN);

}  // namespace

TEST(multipliers_are_tflites) {
    CHECK(load());
    const FixtureArray* bits = fixture.find("scale_bits");
    const FixtureArray* multipliers = fixture.find("tflm_multiplier");
    const FixtureArray* shifts = fixture.find("tflm_shift");
    CHECK(bits && multipliers && shifts);
    if (!bits || !multipliers || !shifts) return;
    std::size_t same = 0, refused = 0, wrong = 0;
    for (std::size_t i = 0; i < multipliers->count; ++i) {
        const std::uint64_t word = static_cast<std::uint32_t>(bits->i32[2 * i]) |
                                   static_cast<std::uint64_t>(static_cast<std::uint32_t>(bits->i32[2 * i + 1])) << 32;
        double scale = 0;
        std::memcpy(&scale, &word, sizeof scale);
        QuantizedMultiplier q{12345, 7};
        const bool ok = quantize_multiplier(scale, q);
        if (shifts->i32[i] > 30) {
            // TFLite returns a shift no int32 accumulator survives: refused, nothing written
            refused += !ok && q.multiplier == 12345 && q.shift == 7;
            wrong += ok;
        } else if (ok && q.multiplier == multipliers->i32[i] && q.shift == shifts->i32[i]) {
            ++same;
        } else if (wrong++ < 5) {
            std::printf("  scale %.17g: got %ld, %d; TFLite %ld, %d\n", scale, static_cast<long>(q.multiplier), q.shift,
                        static_cast<long>(multipliers->i32[i]), static_cast<int>(shifts->i32[i]));
        }
    }
    std::printf("  %lu scales: %lu as TFLite, %lu refused (TFLite's shift > 30), %lu wrong\n",
                static_cast<unsigned long>(multipliers->count), static_cast<unsigned long>(same),
                static_cast<unsigned long>(refused), static_cast<unsigned long>(wrong));
    CHECK(wrong == 0 && same + refused == multipliers->count && refused > 0);
}

TEST(bad_scales_are_refused) {
    const double bad[] = {-1.0, -1e-30, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity(), 0x1p30, 1e300};
    for (const double scale : bad) {
        QuantizedMultiplier q{1, 2};
        CHECK(!quantize_multiplier(scale, q));
        CHECK(q.multiplier == 1 && q.shift == 2);
    }
    QuantizedMultiplier q{1, 2};
    CHECK(quantize_multiplier(-0.0, q) && q.multiplier == 0 && q.shift == 0);
    CHECK(quantize_multiplier(std::numeric_limits<double>::denorm_min(), q) && q.multiplier == 0 && q.shift == 0);
    CHECK(quantize_multiplier(0.5, q) && q.multiplier == 0x40000000 && q.shift == 0);
}

TEST(requantization_is_cmsis_nns_bit_for_bit) {
    CHECK(load());
    const FixtureArray* inputs = fixture.find("requantize_input");
    const FixtureArray* cmsis = fixture.find("requantize_cmsis_nn");
    const FixtureArray* tflm = fixture.find("requantize_tflm");
    CHECK(inputs && cmsis && tflm);
    if (!inputs || !cmsis || !tflm) return;
    std::size_t wrong = 0, references_differ = 0;
    for (std::size_t i = 0; i < cmsis->count; ++i) {
        const std::int32_t x = inputs->i32[3 * i];
        const QuantizedMultiplier q{inputs->i32[3 * i + 1], static_cast<int>(inputs->i32[3 * i + 2])};
        const std::int32_t y = requantize(x, q);
        references_differ += cmsis->i32[i] != tflm->i32[i];
        if (y != cmsis->i32[i] && wrong++ < 5)
            std::printf("  requantize(%ld, {%ld, %d}) = %ld, CMSIS-NN %ld\n", static_cast<long>(x),
                        static_cast<long>(q.multiplier), q.shift, static_cast<long>(y), static_cast<long>(cmsis->i32[i]));
    }
    std::printf("  %lu requantizations: %lu differ from CMSIS-NN; CMSIS-NN and TFLM differ on %lu\n",
                static_cast<unsigned long>(cmsis->count), static_cast<unsigned long>(wrong),
                static_cast<unsigned long>(references_differ));
    CHECK(cmsis->count >= 20000 && wrong == 0);
}

namespace {

struct DenseCase {
    std::size_t batch, in, out;
};
// The shapes tests/reference/quantization_vectors.cpp wrote, in its order.
constexpr DenseCase dense_cases[] = {{1, 1, 1},    {2, 3, 3},     {3, 17, 10}, {1, 33, 17},
                                     {2, 255, 33}, {1, 64, 64},   {1, 784, 10}, {4, 16, 8}};

const FixtureArray* record(std::size_t k, const char* what) {
    char name[32];
    std::snprintf(name, sizeof name, "dense%lu_%s", static_cast<unsigned long>(k), what);
    const FixtureArray* array = fixture.find(name);
    if (!array) std::printf("  missing record %s\n", name);
    return array;
}

template <std::size_t K>
std::size_t check_dense_case() {
    constexpr DenseCase c = dense_cases[K];
    const FixtureArray *shape = record(K, "shape"), *x = record(K, "x"), *w = record(K, "w"), *bias = record(K, "bias"),
                       *multiplier = record(K, "multiplier"), *shift = record(K, "shift"),
                       *expected = record(K, "y_cmsis_nn");
    if (!shape || !x || !w || !bias || !multiplier || !shift || !expected) return 1;
    CHECK(static_cast<std::size_t>(shape->i32[0]) == c.batch && static_cast<std::size_t>(shape->i32[1]) == c.in &&
          static_cast<std::size_t>(shape->i32[2]) == c.out);
    static std::int8_t xs[c.batch * c.in], ws[c.out * c.in], ys[c.batch * c.out];
    static QuantizedMultiplier q[c.out];
    for (std::size_t i = 0; i < c.batch * c.in; ++i) xs[i] = static_cast<std::int8_t>(x->i32[i]);
    for (std::size_t i = 0; i < c.out * c.in; ++i) ws[i] = static_cast<std::int8_t>(w->i32[i]);
    for (std::size_t o = 0; o < c.out; ++o) q[o] = {multiplier->i32[o], static_cast<int>(shift->i32[o])};
    kernels::QuantizedDenseParams p;
    p.input_offset = shape->i32[3];
    p.output_offset = shape->i32[4];
    p.activation_min = shape->i32[5];
    p.activation_max = shape->i32[6];
    kernels::quantized_dense_forward<c.batch, c.in, c.out>(ScalarTarget{}, xs, ws, bias->i32, q, p, ys);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < c.batch * c.out; ++i) wrong += ys[i] != expected->i32[i];
    // and the target's own kernel (kernels/simd/quantized_dense.hpp: AVX2, NEON, DSP, Helium)
    std::memset(ys, 0, sizeof ys);
    kernels::quantized_dense_forward<c.batch, c.in, c.out>(DefaultTarget{}, xs, ws, bias->i32, q, p, ys);
    std::size_t wrong_simd = 0;
    for (std::size_t i = 0; i < c.batch * c.out; ++i) wrong_simd += ys[i] != expected->i32[i];
    std::printf("  batch %lu, %lu -> %lu: %lu of %lu outputs differ from CMSIS-NN (reference kernel), %lu (%s)\n",
                static_cast<unsigned long>(c.batch), static_cast<unsigned long>(c.in), static_cast<unsigned long>(c.out),
                static_cast<unsigned long>(wrong), static_cast<unsigned long>(c.batch * c.out),
                static_cast<unsigned long>(wrong_simd), DefaultTarget::name);
    return wrong + wrong_simd;
}

template <std::size_t... K>
std::size_t check_dense_cases(std::index_sequence<K...>) {
    return (check_dense_case<K>() + ...);
}

}  // namespace

TEST(int8_dense_is_cmsis_nns_bit_for_bit) {
    CHECK(load());
    const std::size_t wrong =
        check_dense_cases(std::make_index_sequence<sizeof dense_cases / sizeof dense_cases[0]>{});
    CHECK(wrong == 0);
}

namespace {

constexpr DenseCase dense16_cases[] = {{1, 1, 1}, {2, 17, 10}, {1, 33, 17}, {2, 255, 33}, {1, 784, 10}, {3, 16, 8}};

const FixtureArray* record16(std::size_t k, const char* what) {
    char name[32];
    std::snprintf(name, sizeof name, "dense16_%lu_%s", static_cast<unsigned long>(k), what);
    const FixtureArray* array = fixture.find(name);
    if (!array) std::printf("  missing record %s\n", name);
    return array;
}

template <std::size_t K>
std::size_t check_dense16_case() {
    constexpr DenseCase c = dense16_cases[K];
    const FixtureArray *shape = record16(K, "shape"), *x = record16(K, "x"), *w = record16(K, "w"),
                       *bias = record16(K, "bias"), *multiplier = record16(K, "multiplier"),
                       *shift = record16(K, "shift"), *expected = record16(K, "y");
    if (!shape || !x || !w || !bias || !multiplier || !shift || !expected) return 1;
    CHECK(static_cast<std::size_t>(shape->i32[0]) == c.batch && static_cast<std::size_t>(shape->i32[1]) == c.in &&
          static_cast<std::size_t>(shape->i32[2]) == c.out);
    static std::int16_t xs[c.batch * c.in], ys[c.batch * c.out];
    static std::int8_t ws[c.out * c.in];
    static std::int64_t bs[c.out];
    static QuantizedMultiplier q[c.out];
    for (std::size_t i = 0; i < c.batch * c.in; ++i) xs[i] = static_cast<std::int16_t>(x->i32[i]);
    for (std::size_t i = 0; i < c.out * c.in; ++i) ws[i] = static_cast<std::int8_t>(w->i32[i]);
    for (std::size_t o = 0; o < c.out; ++o) {
        bs[o] = static_cast<std::int64_t>(static_cast<std::uint64_t>(static_cast<std::uint32_t>(bias->i32[2 * o])) |
                                          static_cast<std::uint64_t>(static_cast<std::uint32_t>(bias->i32[2 * o + 1])) << 32);
        q[o] = {multiplier->i32[o], static_cast<int>(shift->i32[o])};
    }
    kernels::QuantizedDenseParams p;
    p.activation_min = shape->i32[4];
    p.activation_max = shape->i32[5];
    kernels::quantized_dense_forward<c.batch, c.in, c.out>(ScalarTarget{}, xs, ws, bs, q, p, ys);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < c.batch * c.out; ++i) wrong += ys[i] != expected->i32[i];
    // and the target's own kernel (kernels/simd/quantized_dense_s16.hpp)
    std::memset(ys, 0, sizeof ys);
    kernels::quantized_dense_forward<c.batch, c.in, c.out>(DefaultTarget{}, xs, ws, bs, q, p, ys);
    std::size_t wrong_simd = 0;
    for (std::size_t i = 0; i < c.batch * c.out; ++i) wrong_simd += ys[i] != expected->i32[i];
    std::printf("  int16, batch %lu, %lu -> %lu, %s: %lu of %lu outputs differ from %s (reference kernel), %lu (%s)\n",
                static_cast<unsigned long>(c.batch), static_cast<unsigned long>(c.in), static_cast<unsigned long>(c.out),
                shape->i32[3] ? "per channel" : "per tensor", static_cast<unsigned long>(wrong),
                static_cast<unsigned long>(c.batch * c.out), shape->i32[3] ? "TFLM" : "CMSIS-NN",
                static_cast<unsigned long>(wrong_simd), DefaultTarget::name);
    return wrong + wrong_simd;
}

template <std::size_t... K>
std::size_t check_dense16_cases(std::index_sequence<K...>) {
    return (check_dense16_case<K>() + ...);
}

}  // namespace

TEST(int16_dense_is_cmsis_nns_and_tflms_bit_for_bit) {
    CHECK(load());
    const std::size_t wrong =
        check_dense16_cases(std::make_index_sequence<sizeof dense16_cases / sizeof dense16_cases[0]>{});
    CHECK(wrong == 0);
}

namespace {

// The target's int8 kernel against the reference on random layers: every tile and tail of every
// port's kernel (rows in blocks of 1, 2, 4, 8; samples in blocks of 4; 16- and 64-byte steps with
// their tails), input offsets from -127 to 128 (0 as QuantizedNetwork folds it), biases and
// multipliers that drive outputs into both clamps.
template <std::size_t B, std::size_t In, std::size_t Out>
std::size_t random_dense_differences(Pcg32& rng, std::size_t rounds) {
    static std::int8_t xs[B * In], ws[Out * In], reference[B * Out], target[B * Out];
    static std::int32_t bias[Out];
    static QuantizedMultiplier q[Out];
    std::size_t wrong = 0;
    for (std::size_t round = 0; round < rounds; ++round) {
        const auto any = [&](std::int32_t low, std::int32_t high) {
            return static_cast<std::int32_t>(low + static_cast<std::int64_t>(rng.next_u32() % static_cast<std::uint64_t>(std::int64_t(high) - low + 1)));
        };
        for (std::int8_t& v : xs) v = static_cast<std::int8_t>(any(-128, 127));
        for (std::int8_t& v : ws) v = static_cast<std::int8_t>(any(-127, 127));
        for (std::size_t o = 0; o < Out; ++o) {
            bias[o] = any(-(1 << 22), 1 << 22);
            q[o] = {any(1 << 30, 0x7fffffff), any(round % 7 == 6 ? -31 : -14, round % 3 == 0 ? 2 : -6)};
        }
        if (round % 7 == 3) q[Out / 2] = {};  // a scale below 2^-31: multiplier 0
        kernels::QuantizedDenseParams p;
        const std::int32_t offsets[] = {0, 128, -127, any(-127, 128)};
        p.input_offset = offsets[round % 4];
        p.output_offset = any(-128, 127);
        p.activation_min = round % 2 ? -128 : any(-128, 0);
        p.activation_max = round % 2 ? 127 : any(p.activation_min, 127);
        kernels::quantized_dense_forward<B, In, Out>(ScalarTarget{}, xs, ws, bias, q, p, reference);
        kernels::quantized_dense_forward<B, In, Out>(DefaultTarget{}, xs, ws, round % 5 == 4 ? nullptr : bias, q, p,
                                                      target);
        if (round % 5 == 4) kernels::quantized_dense_forward<B, In, Out>(ScalarTarget{}, xs, ws, nullptr, q, p, reference);
        for (std::size_t i = 0; i < B * Out; ++i) wrong += target[i] != reference[i];
    }
    return wrong;
}

}  // namespace

TEST(int8_dense_target_kernel_is_the_references_on_random_layers) {
    Pcg32 rng(2024);
    std::size_t wrong = 0;
    wrong += random_dense_differences<1, 1, 1>(rng, 20);
    wrong += random_dense_differences<1, 3, 5>(rng, 20);
    wrong += random_dense_differences<4, 17, 8>(rng, 20);
    wrong += random_dense_differences<5, 63, 9>(rng, 20);
    wrong += random_dense_differences<9, 64, 17>(rng, 20);
    wrong += random_dense_differences<4, 65, 3>(rng, 20);
    wrong += random_dense_differences<3, 129, 12>(rng, 20);
    wrong += random_dense_differences<8, 255, 33>(rng, 10);
    wrong += random_dense_differences<1, 784, 10>(rng, 10);
    wrong += random_dense_differences<6, 256, 64>(rng, 5);
    wrong += random_dense_differences<13, 100, 7>(rng, 10);
#if !defined(TINYMLP_TEST_SMALL_MEMORY)
    wrong += random_dense_differences<4, 784, 16>(rng, 5);
#endif
    std::printf("  %lu outputs differ between %s and the reference\n", static_cast<unsigned long>(wrong),
                DefaultTarget::name);
    CHECK(wrong == 0);
}

namespace {

// The same for the int16 kernel: random layers, and the extreme one whose int32 partial sums
// would overflow (x = -32768, w = -128 everywhere: 2^22 a product, 2^33 in all for 2048 inputs).
template <std::size_t B, std::size_t In, std::size_t Out>
std::size_t random_dense16_differences(Pcg32& rng, std::size_t rounds, bool extreme = false) {
    static std::int16_t xs[B * In], reference[B * Out], target[B * Out];
    static std::int8_t ws[Out * In];
    static std::int64_t bias[Out];
    static QuantizedMultiplier q[Out];
    std::size_t wrong = 0;
    for (std::size_t round = 0; round < rounds; ++round) {
        const auto any = [&](std::int32_t low, std::int32_t high) {
            return static_cast<std::int32_t>(low + static_cast<std::int64_t>(rng.next_u32() % static_cast<std::uint64_t>(std::int64_t(high) - low + 1)));
        };
        for (std::int16_t& v : xs) v = static_cast<std::int16_t>(extreme ? -32768 : any(-32768, 32767));
        for (std::int8_t& v : ws) v = static_cast<std::int8_t>(extreme ? -128 : any(-127, 127));
        for (std::size_t o = 0; o < Out; ++o) {
            bias[o] = extreme ? 0 : static_cast<std::int64_t>(any(-(1 << 30), 1 << 30)) * any(1, 1000);
            q[o] = {any(1 << 30, 0x7fffffff), any(-20, round % 2 ? 14 : -8)};
        }
        kernels::QuantizedDenseParams p;
        p.activation_min = round % 2 ? -32768 : any(-32768, 0);
        p.activation_max = round % 2 ? 32767 : any(p.activation_min, 32767);
        const std::int64_t* b = round % 5 == 4 ? nullptr : bias;
        kernels::quantized_dense_forward<B, In, Out>(ScalarTarget{}, xs, ws, b, q, p, reference);
        kernels::quantized_dense_forward<B, In, Out>(DefaultTarget{}, xs, ws, b, q, p, target);
        for (std::size_t i = 0; i < B * Out; ++i) wrong += target[i] != reference[i];
    }
    return wrong;
}

}  // namespace

TEST(int16_dense_target_kernel_is_the_references_on_random_layers) {
    Pcg32 rng(2025);
    std::size_t wrong = 0;
    wrong += random_dense16_differences<1, 1, 1>(rng, 20);
    wrong += random_dense16_differences<2, 3, 5>(rng, 20);
    wrong += random_dense16_differences<3, 17, 8>(rng, 20);
    wrong += random_dense16_differences<1, 33, 9>(rng, 20);
    wrong += random_dense16_differences<2, 255, 6>(rng, 10);
    wrong += random_dense16_differences<1, 256, 64>(rng, 5);
    wrong += random_dense16_differences<1, 2051, 3>(rng, 3);
    wrong += random_dense16_differences<1, 4099, 2>(rng, 2, true);
    std::printf("  %lu int16 outputs differ between %s and the reference\n", static_cast<unsigned long>(wrong),
                DefaultTarget::name);
    CHECK(wrong == 0);
}
