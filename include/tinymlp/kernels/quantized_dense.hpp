// Integer dense layer kernels, scalar reference, bit for bit as TensorFlow Lite's FullyConnected
// (per channel) and CMSIS-NN compute them:
//   - int8 activations with a per-tensor zero point, int8 weights with one scale per output channel
//     (zero point 0), int32 bias (CMSIS-NN's arm_fully_connected_per_channel_s8);
//   - int16 activations (zero point 0), int8 weights, int64 bias (arm_fully_connected_s16, which
//     takes one multiplier for the layer: give every channel the same).
// The output is requantized per channel and clamped. Shapes (row-major):
//   x [B][In], W [Out][In] (a row per output channel: dot products over In), bias [Out], y [B][Out]
#pragma once
#include <cstddef>
#include <cstdint>

#include "../quantization.hpp"
#include "../target.hpp"

namespace tinymlp::kernels {

struct QuantizedDenseParams {
    std::int32_t input_offset = 0;   // minus the input's zero point
    std::int32_t output_offset = 0;  // the output's zero point
    std::int32_t activation_min = -128, activation_max = 127;  // clamp (a fused ReLU or ReLU6 narrows it)
};

// y[n][o] = clamp(requantize(bias[o] + sum_i (x[n][i] + input_offset) W[o][i], q[o]) + output_offset)
template <std::size_t B, std::size_t In, std::size_t Out>
void quantized_dense_forward(ScalarTarget, const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias,
                             const QuantizedMultiplier* q, const QuantizedDenseParams& p, std::int8_t* y) {
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t o = 0; o < Out; ++o) {
            std::int32_t acc = bias ? bias[o] : 0;
            for (std::size_t i = 0; i < In; ++i)
                acc += (static_cast<std::int32_t>(x[n * In + i]) + p.input_offset) * w[o * In + i];
            std::int32_t out = requantize(acc, q[o]) + p.output_offset;
            out = out < p.activation_min ? p.activation_min : out > p.activation_max ? p.activation_max : out;
            y[n * Out + o] = static_cast<std::int8_t>(out);
        }
    }
}

// int16: y[n][o] = clamp(requantize_wide(bias[o] + sum_i x[n][i] W[o][i], q[o])); only the
// activation bounds of p apply (int16 zero points are 0).
template <std::size_t B, std::size_t In, std::size_t Out>
void quantized_dense_forward(ScalarTarget, const std::int16_t* x, const std::int8_t* w, const std::int64_t* bias,
                             const QuantizedMultiplier* q, const QuantizedDenseParams& p, std::int16_t* y) {
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t o = 0; o < Out; ++o) {
            std::int64_t acc = 0;
            for (std::size_t i = 0; i < In; ++i) acc += static_cast<std::int64_t>(x[n * In + i]) * w[o * In + i];
            if (bias) acc += bias[o];
            std::int32_t out = requantize_wide(acc, q[o]);
            out = out < p.activation_min ? p.activation_min : out > p.activation_max ? p.activation_max : out;
            y[n * Out + o] = static_cast<std::int16_t>(out);
        }
    }
}

}  // namespace tinymlp::kernels

// The target's own kernels (AVX2 and AVX-512 VNNI, NEON, Cortex-M DSP, Helium), beside the
// references above.
#include "simd/quantized_dense.hpp"
#include "simd/quantized_dense_s16.hpp"
