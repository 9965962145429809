// Writes reference vectors for tinymlp's integer requantization and int8 dense layer
// (tests/test_quantization.cpp) from the reference implementations themselves, built outside this
// repository by make_quantization_vectors.sh:
//   - TensorFlow Lite Micro's QuantizeMultiplier (float scale -> 32-bit multiplier and shift),
//     MultiplyByQuantizedMultiplier (double rounding, gemmlowp's fixed-point primitives) and
//     reference FullyConnectedPerChannel;
//   - CMSIS-NN's arm_nn_requantize and arm_fully_connected_per_channel_s8 (portable C paths).
// Output: a fixture in tinymlp's test format (tests/support/fixture.hpp).
//   quantization_vectors OUT.bin
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "tensorflow/lite/kernels/internal/common.h"
#include "tensorflow/lite/kernels/internal/quantization_util.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h"

extern "C" {
#include "arm_nnfunctions.h"
#include "arm_nnsupportfunctions.h"
}

namespace {

std::uint64_t state = 0x9e3779b97f4a7c15ULL;
std::uint64_t next() {  // splitmix64
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }

struct Record {
    const char* name;
    std::vector<std::int32_t> data;
    std::vector<std::uint32_t> dims;
};

void write(const char* path, const std::vector<Record>& records) {
    std::FILE* f = std::fopen(path, "wb");
    if (!f) {
        std::perror(path);
        std::exit(1);
    }
    const auto u32 = [f](std::uint32_t v) { std::fwrite(&v, 4, 1, f); };
    std::fwrite("TMLPFIX1", 1, 8, f);
    u32(static_cast<std::uint32_t>(records.size()));
    for (const Record& r : records) {
        u32(static_cast<std::uint32_t>(std::strlen(r.name)));
        std::fwrite(r.name, 1, std::strlen(r.name), f);
        u32(1);  // int32
        u32(static_cast<std::uint32_t>(r.dims.size()));
        for (std::uint32_t d : r.dims) u32(d);
        std::fwrite(r.data.data(), 4, r.data.size(), f);
    }
    std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.bin\n", argv[0]);
        return 2;
    }
    // --- QuantizeMultiplier on scales: edge cases, then random over 2^-40 .. 2^40 (log-uniform)
    std::vector<double> scales = {0.0, 0x1p-31, 0x1p-32, 0x1p-33, 0x1.fffffffffffffp-32, 0x1.0000000000001p-32,
                                  0.5, 1.0, 2.0, 0x1.fffffffffffffp-1, 0x1.fffffffep-1, 0x1.ffffffffp-1,
                                  0x1.fffffffe8p-1, 0x1.0000000080000p-1, 0x1.00000001p-1, 0x1.00000003p-1,
                                  0x1p30, 0x1.fffffffffp30, 0x1p31, 0.1, 0.3, 1.0 / 3.0, 1e-10, 3e-5, 0.004,
                                  0.00392156862745098 /* 1/255 */};
    for (int k = -40; k <= 40; ++k) {
        scales.push_back(std::ldexp(1.0, k));
        scales.push_back(std::nextafter(std::ldexp(1.0, k), 0.0));
        scales.push_back(std::nextafter(std::ldexp(1.0, k), 1e300));
        // halfway between two multipliers: q * 2^31 = n + 0.5
        scales.push_back(std::ldexp((static_cast<double>(0x40000000u + (next() & 0x3fffffff)) + 0.5) * 0x1p-31, k));
    }
    while (scales.size() < 3000) scales.push_back(std::exp2(uniform() * 80.0 - 40.0));
    std::vector<std::int32_t> scale_bits, multipliers, shifts;
    for (double s : scales) {
        std::uint64_t bits;
        std::memcpy(&bits, &s, 8);
        scale_bits.push_back(static_cast<std::int32_t>(bits & 0xffffffffu));
        scale_bits.push_back(static_cast<std::int32_t>(bits >> 32));
        std::int32_t m = 0;
        int shift = 0;
        tflite::QuantizeMultiplier(s, &m, &shift);
        multipliers.push_back(m);
        shifts.push_back(shift);
    }

    // --- requantization of int32 accumulators: (value, multiplier, shift) with shift in -31..30
    // and values whose left shift does not overflow, as both references require
    std::vector<std::int32_t> inputs, cmsis, tflm;
    std::size_t differences = 0;
    const auto add = [&](std::int32_t value, std::int32_t multiplier, int shift) {
        inputs.push_back(value);
        inputs.push_back(multiplier);
        inputs.push_back(shift);
        const std::int32_t a = arm_nn_requantize(value, multiplier, shift);
        const std::int32_t b = tflite::MultiplyByQuantizedMultiplier(value, multiplier, shift);
        cmsis.push_back(a);
        tflm.push_back(b);
        differences += a != b;
    };
    const std::int32_t edge_values[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 0x7fffffff, -0x7fffffff - 1,
                                        0x40000000, -0x40000000, 0x3fffffff, -0x3fffffff};
    const std::int32_t edge_multipliers[] = {0, 0x40000000, 0x40000001, 0x7fffffff, 0x5a82799a, 0x60000000};
    for (std::int32_t m : edge_multipliers)
        for (int shift = -31; shift <= 30; ++shift)
            for (std::int32_t v : edge_values) {
                const std::int64_t limit = std::int64_t(1) << (31 - (shift > 0 ? shift : 0));
                if (v >= -limit && v < limit) add(v, m, shift);
            }
    // ties of the doubling high multiply and of the rounding shift: value * multiplier = odd * 2^30
    for (int shift = -31; shift <= 0; ++shift)
        for (std::int32_t v = -9; v <= 9; ++v) add(v, 0x40000000, shift);
    while (inputs.size() / 3 < 20000) {
        const int shift = static_cast<int>(next() % 62) - 31;
        std::int32_t m = 0;
        int unused = 0;
        tflite::QuantizeMultiplier(0.5 + 0.5 * uniform(), &m, &unused);
        const int bits = 1 + static_cast<int>(next() % (31 - (shift > 0 ? shift : 0)));
        const std::int64_t range = std::int64_t(1) << bits;
        const std::int32_t v = static_cast<std::int32_t>(static_cast<std::int64_t>(next() % (2 * range)) - range);
        add(v, m, shift);
    }
    // --- int8 dense layers, per-channel weights (zero point 0), asymmetric activations. The shapes
    // are the ones tests/test_quantization.cpp compiles (its dense_cases, same order).
    struct Case {
        int batch, in, out;
        int activation_min, activation_max;
        std::int32_t bias_range;
    };
    const Case cases[] = {{1, 1, 1, -128, 127, 1 << 10},     {2, 3, 3, -128, 127, 1 << 12},
                          {3, 17, 10, -128, 127, 1 << 14},    {1, 33, 17, 0, 127, 1 << 14},
                          {2, 255, 33, -128, 127, 1 << 16},   {1, 64, 64, -20, 100, 1 << 15},
                          {1, 784, 10, -128, 127, 1 << 16},   {4, 16, 8, -128, 127, 1 << 26}};  // last: saturates
    std::vector<Record> records = {
        {"scale_bits", scale_bits, {static_cast<std::uint32_t>(scales.size()), 2}},
        {"tflm_multiplier", multipliers, {static_cast<std::uint32_t>(multipliers.size())}},
        {"tflm_shift", shifts, {static_cast<std::uint32_t>(shifts.size())}},
        {"requantize_input", inputs, {static_cast<std::uint32_t>(inputs.size() / 3), 3}},
        {"requantize_cmsis_nn", cmsis, {static_cast<std::uint32_t>(cmsis.size())}},
        {"requantize_tflm", tflm, {static_cast<std::uint32_t>(tflm.size())}}};
    static char names[128][32];
    std::size_t name_count = 0, dense_differences = 0, saturated = 0;
    const auto name = [&](int k, const char* what) {
        std::snprintf(names[name_count], sizeof names[0], "dense%d_%s", k, what);
        return names[name_count++];
    };
    for (int k = 0; k < static_cast<int>(sizeof cases / sizeof cases[0]); ++k) {
        const Case& c = cases[k];
        const std::int32_t input_zero_point = static_cast<std::int32_t>(next() % 256) - 128;
        const std::int32_t output_zero_point = c.activation_min == 0 ? 0 : static_cast<std::int32_t>(next() % 64) - 32;
        std::vector<std::int8_t> x(c.batch * c.in), w(c.out * c.in), y_cmsis(c.batch * c.out), y_tflm(c.batch * c.out);
        std::vector<std::int32_t> bias(c.out), multiplier(c.out), shift(c.out);
        std::vector<int> shift_int(c.out);
        for (auto& v : x) v = static_cast<std::int8_t>(static_cast<int>(next() % 256) - 128);
        for (auto& v : w) v = static_cast<std::int8_t>(static_cast<int>(next() % 255) - 127);  // symmetric: no -128
        for (auto& v : bias) v = static_cast<std::int32_t>(static_cast<std::int64_t>(next() % (2 * std::uint64_t(c.bias_range))) - c.bias_range);
        for (int o = 0; o < c.out; ++o) {
            // in_scale * w_scale / out_scale: outputs spread over about +-40 before the offset
            // (accumulators of random int8 data grow as sqrt(in) * 127 * 73), times 2^-1 .. 2^1
            const double scale = 40.0 / (std::sqrt(static_cast<double>(c.in)) * 127.0 * 73.0) * std::exp2(2.0 * uniform() - 1.0);
            tflite::QuantizeMultiplier(scale, &multiplier[o], &shift_int[o]);
            shift[o] = shift_int[o];
        }
        cmsis_nn_context context = {nullptr, 0};
        cmsis_nn_fc_params fc = {};
        fc.input_offset = -input_zero_point;
        fc.filter_offset = 0;
        fc.output_offset = output_zero_point;
        fc.activation.min = c.activation_min;
        fc.activation.max = c.activation_max;
        cmsis_nn_per_channel_quant_params quant = {multiplier.data(), shift.data()};
        cmsis_nn_dims input_dims = {c.batch, 1, 1, c.in}, filter_dims = {c.in, 1, 1, c.out},
                      bias_dims = {1, 1, 1, c.out}, output_dims = {c.batch, 1, 1, c.out};
        if (arm_fully_connected_per_channel_s8(&context, &fc, &quant, &input_dims, x.data(), &filter_dims, w.data(),
                                               &bias_dims, bias.data(), &output_dims, y_cmsis.data()) != ARM_CMSIS_NN_SUCCESS) {
            std::fprintf(stderr, "arm_fully_connected_per_channel_s8 failed\n");
            return 1;
        }
        tflite::FullyConnectedParams params = {};
        params.input_offset = -input_zero_point;
        params.output_offset = output_zero_point;
        params.quantized_activation_min = c.activation_min;
        params.quantized_activation_max = c.activation_max;
        const std::int32_t input_shape[2] = {c.batch, c.in}, filter_shape[2] = {c.out, c.in}, bias_shape[1] = {c.out},
                           output_shape[2] = {c.batch, c.out};
        tflite::reference_integer_ops::FullyConnectedPerChannel(
            params, multiplier.data(), shift_int.data(), tflite::RuntimeShape(2, input_shape), x.data(),
            tflite::RuntimeShape(2, filter_shape), w.data(), tflite::RuntimeShape(1, bias_shape), bias.data(),
            tflite::RuntimeShape(2, output_shape), y_tflm.data());
        for (int i = 0; i < c.batch * c.out; ++i) {
            dense_differences += y_cmsis[i] != y_tflm[i];
            saturated += y_cmsis[i] == c.activation_min || y_cmsis[i] == c.activation_max;
        }
        const auto widen = [](const std::vector<std::int8_t>& v) { return std::vector<std::int32_t>(v.begin(), v.end()); };
        records.push_back({name(k, "shape"),
                           {c.batch, c.in, c.out, -input_zero_point, output_zero_point, c.activation_min, c.activation_max},
                           {7}});
        records.push_back({name(k, "x"), widen(x), {static_cast<std::uint32_t>(x.size())}});
        records.push_back({name(k, "w"), widen(w), {static_cast<std::uint32_t>(w.size())}});
        records.push_back({name(k, "bias"), bias, {static_cast<std::uint32_t>(bias.size())}});
        records.push_back({name(k, "multiplier"), multiplier, {static_cast<std::uint32_t>(multiplier.size())}});
        records.push_back({name(k, "shift"), shift, {static_cast<std::uint32_t>(shift.size())}});
        records.push_back({name(k, "y_cmsis_nn"), widen(y_cmsis), {static_cast<std::uint32_t>(y_cmsis.size())}});
        records.push_back({name(k, "y_tflm"), widen(y_tflm), {static_cast<std::uint32_t>(y_tflm.size())}});
    }
    // --- int16 activations (zero point 0), int8 weights, int64 bias: CMSIS-NN's
    // arm_fully_connected_s16 (one multiplier for the layer) and TFLM's reference with one
    // multiplier per channel (the per-tensor cases give every channel the same)
    struct Case16 {
        int batch, in, out;
        bool per_channel;
        int activation_min, activation_max;
        std::int64_t bias_range;
    };
    const Case16 cases16[] = {{1, 1, 1, false, -32768, 32767, 1 << 12},   {2, 17, 10, false, -32768, 32767, 1 << 20},
                              {1, 33, 17, true, 0, 32767, 1 << 20},        {2, 255, 33, true, -32768, 32767, 1 << 24},
                              {1, 784, 10, false, -32768, 32767, 1 << 24}, {3, 16, 8, true, -32768, 32767, 1LL << 36}};  // last: clamps
    std::size_t dense16_differences = 0, saturated16 = 0, outputs16 = 0;
    for (int k = 0; k < static_cast<int>(sizeof cases16 / sizeof cases16[0]); ++k) {
        const Case16& c = cases16[k];
        std::vector<std::int16_t> x(c.batch * c.in), y_cmsis(c.batch * c.out), y_tflm(c.batch * c.out);
        std::vector<std::int8_t> w(c.out * c.in);
        std::vector<std::int64_t> bias(c.out);
        std::vector<std::int32_t> multiplier(c.out), shift(c.out);
        std::vector<int> shift_int(c.out);
        for (auto& v : x) v = static_cast<std::int16_t>(static_cast<int>(next() % 65536) - 32768);
        for (auto& v : w) v = static_cast<std::int8_t>(static_cast<int>(next() % 255) - 127);
        for (auto& v : bias) v = static_cast<std::int64_t>(next() % (2 * std::uint64_t(c.bias_range))) - c.bias_range;
        for (int o = 0; o < c.out; ++o) {
            if (o > 0 && !c.per_channel) {
                multiplier[o] = multiplier[0];
                shift_int[o] = shift_int[0];
            } else {
                // outputs spread over about +-10000: accumulators grow as sqrt(in) * 18900 * 73
                const double scale = 1e4 / (std::sqrt(static_cast<double>(c.in)) * 18900.0 * 73.0) *
                                     std::exp2(2.0 * uniform() - 1.0);
                tflite::QuantizeMultiplier(scale, &multiplier[o], &shift_int[o]);
            }
            shift[o] = shift_int[o];
        }
        if (!c.per_channel) {
            cmsis_nn_context context = {nullptr, 0};
            cmsis_nn_fc_params fc = {};
            fc.activation.min = c.activation_min;
            fc.activation.max = c.activation_max;
            cmsis_nn_per_tensor_quant_params quant = {multiplier[0], shift[0]};
            cmsis_nn_dims input_dims = {c.batch, 1, 1, c.in}, filter_dims = {c.in, 1, 1, c.out},
                          bias_dims = {1, 1, 1, c.out}, output_dims = {c.batch, 1, 1, c.out};
            if (arm_fully_connected_s16(&context, &fc, &quant, &input_dims, x.data(), &filter_dims, w.data(), &bias_dims,
                                        bias.data(), &output_dims, y_cmsis.data()) != ARM_CMSIS_NN_SUCCESS) {
                std::fprintf(stderr, "arm_fully_connected_s16 failed\n");
                return 1;
            }
        }
        tflite::FullyConnectedParams params = {};
        params.quantized_activation_min = c.activation_min;
        params.quantized_activation_max = c.activation_max;
        const std::int32_t input_shape[2] = {c.batch, c.in}, filter_shape[2] = {c.out, c.in}, bias_shape[1] = {c.out},
                           output_shape[2] = {c.batch, c.out};
        tflite::reference_integer_ops::FullyConnectedPerChannel(
            params, multiplier.data(), shift_int.data(), tflite::RuntimeShape(2, input_shape), x.data(),
            tflite::RuntimeShape(2, filter_shape), w.data(), tflite::RuntimeShape(1, bias_shape), bias.data(),
            tflite::RuntimeShape(2, output_shape), y_tflm.data());
        for (int i = 0; i < c.batch * c.out; ++i) {
            if (!c.per_channel) dense16_differences += y_cmsis[i] != y_tflm[i];
            saturated16 += y_tflm[i] == c.activation_min || y_tflm[i] == c.activation_max;
            ++outputs16;
        }
        const auto widen = [](const auto& v) { return std::vector<std::int32_t>(v.begin(), v.end()); };
        std::vector<std::int32_t> bias_words;  // int64 as (low, high) int32 words
        for (std::int64_t b : bias) {
            bias_words.push_back(static_cast<std::int32_t>(static_cast<std::uint64_t>(b) & 0xffffffffu));
            bias_words.push_back(static_cast<std::int32_t>(static_cast<std::uint64_t>(b) >> 32));
        }
        const auto name16 = [&](const char* what) {
            std::snprintf(names[name_count], sizeof names[0], "dense16_%d_%s", k, what);
            return names[name_count++];
        };
        records.push_back({name16("shape"), {c.batch, c.in, c.out, c.per_channel, c.activation_min, c.activation_max}, {6}});
        records.push_back({name16("x"), widen(x), {static_cast<std::uint32_t>(x.size())}});
        records.push_back({name16("w"), widen(w), {static_cast<std::uint32_t>(w.size())}});
        records.push_back({name16("bias"), bias_words, {static_cast<std::uint32_t>(bias.size()), 2}});
        records.push_back({name16("multiplier"), multiplier, {static_cast<std::uint32_t>(multiplier.size())}});
        records.push_back({name16("shift"), shift, {static_cast<std::uint32_t>(shift.size())}});
        // the per-tensor cases' outputs are CMSIS-NN's (TFLM's are the same: checked above)
        records.push_back({name16("y"), widen(c.per_channel ? y_tflm : y_cmsis), {static_cast<std::uint32_t>(y_tflm.size())}});
    }
    std::printf("%d int16 dense cases: CMSIS-NN and TFLM differ on %zu per-tensor outputs; %zu of %zu outputs at the clamp\n",
                static_cast<int>(sizeof cases16 / sizeof cases16[0]), dense16_differences, saturated16, outputs16);
    std::printf("%d dense cases: CMSIS-NN and TFLM differ on %zu outputs; %zu outputs at the clamp\n",
                static_cast<int>(sizeof cases / sizeof cases[0]), dense_differences, saturated);
    write(argv[1], records);
    std::printf("%zu scales, %zu requantizations; CMSIS-NN and TFLM differ on %zu of them\n", scales.size(),
                cmsis.size(), differences);
    return 0;
}
