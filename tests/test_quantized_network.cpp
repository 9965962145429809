// The int8 network (quantized_network.hpp) against tests/fixtures/quantized_mlp.bin, written by
// tests/pytorch/generate_fixtures.py: a 20-32-16-5 ReLU MLP, 200 calibration samples, 100 inputs.
//   - post-training quantization: every tensor's scale and zero point as the generator's own
//     implementation of TFLite's ChooseQuantizationParams chooses them from the same samples, and
//     every weight, bias and weight scale equal;
//   - inference against PyTorch's quantized modules (LinearReLU / Linear, QNNPACK) run with those
//     parameters: the difference of every int8 output, in LSB (PyTorch requantizes with a float
//     multiplier, TFLite and CMSIS-NN with a 32-bit fixed-point one and two roundings, so a value
//     halfway between two integers may round the other way);
//   - the arg-max against the float network's; the int16 network (symmetric int16 activations,
//     int64 bias: TFLite's 16x8 mode, CMSIS-NN's s16) against the float network;
//   - bad input: non-finite weights or samples, no samples, a constant tensor, a bad percentile:
//     a status, nothing written.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"
#include "fixture.hpp"

using namespace tinymlp;
using tinymlp_test::Fixture;
using tinymlp_test::FixtureArray;

namespace {

using Net = Sequential<Dense<20, 32>, ReLU, Dense<32, 16>, ReLU, Dense<16, 5>>;
using Q = QuantizedNetwork<Net>;
static_assert(Q::dense_count == 3 && Q::output_size == 5 && Q::weight_bytes == 20 * 32 + 32 * 16 + 16 * 5);
static_assert(Q::relu_after(0) && Q::relu_after(1) && !Q::relu_after(2));

Fixture fixture;
Net net;
Q quantized;
constexpr std::size_t calibration_count = 200, input_count = 100;

const FixtureArray* require(const char* name) {
    const FixtureArray* array = fixture.find(name);
    if (!array) std::printf("  missing record %s\n", name);
    CHECK(array != nullptr);
    return array;
}

bool load() {
    char path[512];
    if (!fixture.load(tinymlp_test::fixture_path(path, sizeof path, "quantized_mlp.bin"))) return false;
    const FixtureArray* params = require("params");
    if (!params || params->count != Net::parameter_count) return false;
    std::memcpy(net.parameters(), params->f32, Net::parameter_bytes);
    return true;
}

template <std::size_t K>
std::size_t layer_mismatches(const Q& q) {
    char name[32];
    std::snprintf(name, sizeof name, "weights_%u", static_cast<unsigned>(K));
    const FixtureArray* weights = require(name);
    std::snprintf(name, sizeof name, "bias_%u", static_cast<unsigned>(K));
    const FixtureArray* bias = require(name);
    std::snprintf(name, sizeof name, "weight_scales_%u", static_cast<unsigned>(K));
    const FixtureArray* scales = require(name);
    if (!weights || !bias || !scales) return 1;
    const auto& l = q.template layer<K>();
    constexpr std::size_t In = Q::layer_type<K>::in_size, Out = Q::layer_type<K>::out_size;
    const TensorQuantization in = K == 0 ? q.input_quantization() : q.template layer<(K > 0 ? K - 1 : 0)>().output;
    std::size_t bad = 0;
    for (std::size_t i = 0; i < Out * In; ++i) bad += l.weights[i] != weights->i32[i];
    for (std::size_t o = 0; o < Out; ++o) {
        // the layer holds TFLite's bias with the input offset folded in: take it out again
        std::uint32_t row_sum = 0;
        for (std::size_t i = 0; i < In; ++i) row_sum += static_cast<std::uint32_t>(static_cast<std::int32_t>(l.weights[o * In + i]));
        const auto tflite_bias = static_cast<std::int32_t>(static_cast<std::uint32_t>(l.bias[o]) -
                                                          static_cast<std::uint32_t>(l.params.input_offset) * row_sum);
        bad += tflite_bias != bias->i32[o];
        // and the multiplier of the generator's weight scale
        QuantizedMultiplier m;
        CHECK(quantize_multiplier(static_cast<double>(in.scale) * scales->f32[o] / static_cast<double>(l.output.scale), m));
        bad += l.multipliers[o].multiplier != m.multiplier || l.multipliers[o].shift != m.shift;
    }
    return bad;
}

}  // namespace

TEST(post_training_quantization_chooses_tflite_parameters) {
    if (!load()) {
        CHECK(false);
        return;
    }
    const FixtureArray *calibration = require("calibration"), *scales = require("tensor_scales"),
                       *zero_points = require("tensor_zero_points");
    if (!calibration || !scales || !zero_points) return;
    CHECK(calibration->count == calibration_count * Net::input_size);
    CHECK(quantize(net, calibration->f32, calibration_count, quantized) == QuantizationStatus::ok);
    // The scales come from float32 ranges on both sides (PyTorch's and ours, summed in another
    // order): equal to the last bit or one ulp apart.
    const TensorQuantization tensors[] = {quantized.input_quantization(), quantized.layer<0>().output,
                                          quantized.layer<1>().output, quantized.layer<2>().output};
    for (std::size_t t = 0; t < 4; ++t) {
        std::printf("  tensor %lu: scale %.9g (PyTorch side %.9g), zero point %d (%d)\n", static_cast<unsigned long>(t),
                    static_cast<double>(tensors[t].scale), static_cast<double>(scales->f32[t]),
                    static_cast<int>(tensors[t].zero_point), static_cast<int>(zero_points->i32[t]));
        CHECK(std::fabs(tensors[t].scale - scales->f32[t]) <= 1.2e-7f * scales->f32[t]);
        CHECK(tensors[t].zero_point == zero_points->i32[t]);
    }
    const std::size_t mismatches = layer_mismatches<0>(quantized) + layer_mismatches<1>(quantized) +
                                   layer_mismatches<2>(quantized);
    std::printf("  weights, biases and multipliers (of the weight scales) differing from the generator's: %lu\n",
                static_cast<unsigned long>(mismatches));
    CHECK(mismatches == 0);
    // the fused ReLUs clamp at the output zero point, the last layer does not clamp
    CHECK(quantized.layer<0>().params.activation_min == quantized.layer<0>().output.zero_point);
    CHECK(quantized.layer<2>().params.activation_min == -128);
}

TEST(integer_inference_against_pytorch_quantized_modules) {
    const FixtureArray *x = require("x"), *expected = require("torch_output"), *floats = require("float_output");
    if (!x || !expected || !floats) return;
    CHECK(expected->count == input_count * Q::output_size);
    int worst = 0;
    std::size_t differing = 0, same_class_as_float = 0, same_class_as_torch = 0;
    for (std::size_t n = 0; n < input_count; ++n) {
        std::int8_t xq[Net::input_size], yq[Q::output_size];
        CHECK(quantized.quantize_input(x->f32 + n * Net::input_size, xq) == Status::ok);
        quantized.predict(xq, yq);
        std::size_t best = 0, best_torch = 0, best_float = 0;
        for (std::size_t o = 0; o < Q::output_size; ++o) {
            const int difference = std::abs(yq[o] - expected->i32[n * Q::output_size + o]);
            worst = difference > worst ? difference : worst;
            differing += difference != 0;
            if (yq[o] > yq[best]) best = o;
            if (expected->i32[n * Q::output_size + o] > expected->i32[n * Q::output_size + best_torch]) best_torch = o;
            if (floats->f32[n * Q::output_size + o] > floats->f32[n * Q::output_size + best_float]) best_float = o;
        }
        same_class_as_float += best == best_float;
        same_class_as_torch += best == best_torch;
    }
    std::printf("  int8 outputs vs PyTorch's: largest difference %d LSB, %lu of %lu outputs differ; arg-max as "
                "PyTorch's %lu/%lu, as the float network's %lu/%lu\n",
                worst, static_cast<unsigned long>(differing), static_cast<unsigned long>(input_count * Q::output_size),
                static_cast<unsigned long>(same_class_as_torch), static_cast<unsigned long>(input_count),
                static_cast<unsigned long>(same_class_as_float), static_cast<unsigned long>(input_count));
    CHECK(worst <= 1);
    CHECK(same_class_as_float >= input_count * 95 / 100);
}

// A batch (the kernels' blocks of four samples and the samples left over) gives each sample's
// one-sample outputs, and so PyTorch's within the LSB above.
TEST(batches_give_the_one_sample_outputs) {
    const FixtureArray* x = require("x");
    if (!x) return;
    constexpr std::size_t B = 7;
    static std::int8_t xq[B * Net::input_size], batch[B * Q::output_size], one[Q::output_size];
    static std::int8_t scratch[Q::inference_scratch_count<B>];
    std::size_t differing = 0;
    for (std::size_t first = 0; first + B <= input_count; first += B) {
        for (std::size_t n = 0; n < B; ++n)
            CHECK(quantized.quantize_input(x->f32 + (first + n) * Net::input_size, xq + n * Net::input_size) == Status::ok);
        quantized.predict_batch<B>(xq, batch, scratch);
        for (std::size_t n = 0; n < B; ++n) {
            quantized.predict(xq + n * Net::input_size, one);
            differing += std::memcmp(one, batch + n * Q::output_size, Q::output_size) != 0;
        }
    }
    CHECK(differing == 0);
}

TEST(float_interface_and_percentile_calibration) {
    const FixtureArray *x = require("x"), *calibration = require("calibration");
    if (!x || !calibration) return;
    float y[Q::output_size];
    CHECK(quantized.predict(x->f32, y) == Status::ok);
    float reference[Q::output_size];
    CHECK(net.predict(x->f32, reference) == Status::ok);
    // dequantized logits within a few output steps of the float ones
    for (std::size_t o = 0; o < Q::output_size; ++o)
        CHECK(std::fabs(y[o] - reference[o]) <= 4 * quantized.output_quantization().scale);
    static Q clipped;
    CHECK(quantize(net, calibration->f32, calibration_count, clipped, CalibrationOptions{99.0}) ==
          QuantizationStatus::ok);
    // a percentile range is narrower: finer scales
    CHECK(clipped.input_quantization().scale < quantized.input_quantization().scale);
    CHECK(clipped.layer<0>().output.scale <= quantized.layer<0>().output.scale);
}

TEST(bad_input_writes_nothing) {
    const FixtureArray* calibration = require("calibration");
    if (!calibration) return;
    static Q target, before;
    CHECK(quantize(net, calibration->f32, calibration_count, target) == QuantizationStatus::ok);
    std::memcpy(static_cast<void*>(&before), static_cast<const void*>(&target), sizeof target);
    const auto unchanged = [&] { return std::memcmp(&before, &target, sizeof target) == 0; };
    CHECK(quantize(net, calibration->f32, 0, target) == QuantizationStatus::no_calibration_samples && unchanged());
    CHECK(quantize(net, calibration->f32, 10, target, CalibrationOptions{50}) == QuantizationStatus::invalid_percentile &&
          unchanged());
    CHECK(quantize(net, calibration->f32, 10, target, CalibrationOptions{std::nan("")}) ==
              QuantizationStatus::invalid_percentile &&
          unchanged());
    static float samples[4 * Net::input_size];
    std::memcpy(samples, calibration->f32, sizeof samples);
    samples[7] = std::numeric_limits<float>::infinity();
    CHECK(quantize(net, samples, 4, target) == QuantizationStatus::non_finite_sample && unchanged());
    static Net broken;
    broken = net;
    broken.parameters()[Net::parameter_offset(2) + 5] = std::numeric_limits<float>::quiet_NaN();
    CHECK(quantize(broken, calibration->f32, calibration_count, target) == QuantizationStatus::non_finite_parameter &&
          unchanged());
    // every input 0: the input tensor is a single point
    static float zeros[4 * Net::input_size] = {};
    CHECK(quantize(net, zeros, 4, target) == QuantizationStatus::empty_range && unchanged());
    // a bias that int32 cannot hold at the input scale times a tiny weight scale
    static Net huge_bias;
    huge_bias = net;
    huge_bias.parameters()[Net::parameter_offset(0) + 20 * 32] = 1e30f;
    CHECK(quantize(huge_bias, calibration->f32, calibration_count, target) == QuantizationStatus::scale_out_of_range &&
          unchanged());
    // a source that fails on its third sample
    const auto failing = [&](std::size_t k, float* x) {
        std::memcpy(x, calibration->f32 + k * Net::input_size, Net::input_size * sizeof(float));
        return k != 2;
    };
    CHECK(quantize(net, failing, 10, target) == QuantizationStatus::sample_unavailable && unchanged());
    float nan_input[Net::input_size] = {};
    nan_input[3] = std::numeric_limits<float>::quiet_NaN();
    std::size_t label = 99;
    CHECK(target.classify(nan_input, &label) == Status::non_finite_input && label == 99);
}

TEST(int16_activations_follow_the_float_network) {
    using Q16 = QuantizedNetwork<Net, std::int16_t>;
    static_assert(std::is_same_v<Q16::bias_type, std::int64_t> && Q16::predict_scratch_bytes == 2 * 32 * 2);
    const FixtureArray *x = require("x"), *calibration = require("calibration"), *floats = require("float_output");
    if (!x || !calibration || !floats) return;
    static Q16 wide;
    CHECK(quantize(net, calibration->f32, calibration_count, wide) == QuantizationStatus::ok);
    CHECK(wide.input_quantization().zero_point == 0 && wide.layer<1>().output.zero_point == 0);
    double worst = 0, worst8 = 0;
    std::size_t same_class = 0;
    for (std::size_t n = 0; n < input_count; ++n) {
        float y[Q16::output_size] = {}, y8[Q::output_size] = {};
        CHECK(wide.predict(x->f32 + n * Net::input_size, y) == Status::ok);
        CHECK(quantized.predict(x->f32 + n * Net::input_size, y8) == Status::ok);
        std::size_t best = 0, best_float = 0;
        for (std::size_t o = 0; o < Q16::output_size; ++o) {
            const float r = floats->f32[n * Q16::output_size + o];
            worst = std::fmax(worst, std::fabs(y[o] - r));
            worst8 = std::fmax(worst8, std::fabs(y8[o] - r));
            if (y[o] > y[best]) best = o;
            if (floats->f32[n * Q16::output_size + o] > floats->f32[n * Q16::output_size + best_float]) best_float = o;
        }
        same_class += best == best_float;
    }
    std::printf("  largest |logit - float logit|: int16 %.3g (%.1f output steps), int8 %.3g; int16 arg-max as the "
                "float network's %lu/%lu\n",
                worst, worst / wide.output_quantization().scale, worst8, static_cast<unsigned long>(same_class),
                static_cast<unsigned long>(input_count));
    // the weights are int8 in both: the int16 activations only take away the activations' share
    CHECK(worst < worst8);
    CHECK(same_class == input_count);
}

// Input quantization as TFLite's Quantize computes it, round(x / scale) + zero point with halves
// away from zero (std::round) and saturation, on ties, huge values and random ones, int8 and int16.
template <class A>
std::size_t input_quantization_differences(float scale, std::int32_t zero_point, std::uint64_t seed) {
    static QuantizedNetwork<Net, A> q;
    q.set_input_quantization({scale, zero_point});
    constexpr float lowest = std::numeric_limits<A>::min(), highest = std::numeric_limits<A>::max();
    Pcg32 rng(seed);
    std::size_t wrong = 0;
    for (std::size_t round = 0; round < 200; ++round) {
        float x[Net::input_size];
        for (std::size_t i = 0; i < Net::input_size; ++i) {
            const float k = static_cast<float>(static_cast<std::int32_t>(rng.next_u32() % 600) - 300);
            switch ((round + i) % 4) {
                case 0: x[i] = (k + 0.5f) * scale; break;  // a tie (where the product is exact)
                case 1: x[i] = k * scale; break;
                case 2: x[i] = (rng.uniform_float() - 0.5f) * 1e6f * scale; break;  // saturates
                default: x[i] = (rng.uniform_float() - 0.5f) * 400 * scale; break;
            }
        }
        A xq[Net::input_size];
        CHECK(q.quantize_input(x, xq) == Status::ok);
        for (std::size_t i = 0; i < Net::input_size; ++i) {
            const float r = std::round(x[i] / scale) + static_cast<float>(zero_point);
            wrong += xq[i] != static_cast<A>(r < lowest ? lowest : r > highest ? highest : r);
        }
    }
    return wrong;
}

TEST(input_quantization_rounds_halves_away_from_zero) {
    const std::size_t wrong = input_quantization_differences<std::int8_t>(0.0125f, -3, 1) +
                              input_quantization_differences<std::int8_t>(1.0f, 127, 2) +
                              input_quantization_differences<std::int8_t>(0.75f, -128, 3) +
                              input_quantization_differences<std::int16_t>(3.0517578e-5f, 0, 4) +
                              input_quantization_differences<std::int16_t>(0.5f, 0, 5);
    CHECK(wrong == 0);
}
