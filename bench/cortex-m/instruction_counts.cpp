// Firmware for bench/cortex-m/instruction_counts.sh: runs each measured piece of work between two
// marker calls, count_begin(id) and count_end(id). The script runs this firmware under
// `qemu-system-arm -d in_asm,exec,nochain`, which logs every translation block's instructions and
// every run of a block, and sums the instructions run between the two markers. (QEMU's timers and
// the DWT cycle counter say nothing about real time; instruction counts are exact.)
//
// Measured: the dense forward kernel at 64 x 64 for 1, 8 and 6 samples, on the port's lanes (the
// default target) and on the scalar reference (1 and 8); one inference and one training step (batch 8,
// SGD, softmax cross entropy) of a 32-64-64-8 MLP, on both targets; and the same dense 64 x 64
// forward as a function compiled with the project's flags and with bare compiler flags
// (dense_64x64.cpp).
//
// Built three ways: all of it (instruction_counts); the batch-1 work only, at -O2, -Os and with
// TINYMLP_SMALL_CODE (TINYMLP_COUNTS_STEPS_ONLY); and the few regions the counting's own checks
// need (TINYMLP_COUNTS_CHECK: the two builds of dense_64x64.cpp and an XOR epoch, which goes
// through the lanes' exp and, on the M3, software float).
#include <array>
#include <cstdint>
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

extern "C" {
// Out of line and opaque to the optimiser: no work moves across a marker.
__attribute__((noinline, used)) void tinymlp_count_begin(unsigned id) { __asm__ volatile("" : : "r"(id) : "memory"); }
__attribute__((noinline, used)) void tinymlp_count_end(unsigned id) { __asm__ volatile("" : : "r"(id) : "memory"); }

// plain_c_step.cpp: the batch-1 SGD step as plain C loops, on parameters laid out as tinymlp's
float plain_c_sgd_step(float* p1, float* p2, float* p3, const float* x, std::int32_t label, float lr);
float plain_c_sgd_step_scaled_delta(float* p1, float* p2, float* p3, const float* x, std::int32_t label, float lr);

#if !defined(TINYMLP_COUNTS_STEPS_ONLY)
// dense_64x64.cpp, compiled with the project's flags and with bare compiler flags
void dense_64x64_project_flags(const float* x, const float* w, const float* b, float* y);
void dense_64x64_bare_flags(const float* x, const float* w, const float* b, float* y);
extern const char* const dense_64x64_project_flags_target;
extern const char* const dense_64x64_bare_flags_target;
#endif
}

namespace {

template <class Target>
using Mlp = Network<float, Target, Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;
constexpr std::size_t batch = 8;
template <class Target>
using MlpTrainer = Trainer<Mlp<Target>, SoftmaxCrossEntropy, Sgd, batch>;

constexpr unsigned long mlp_macs = 32 * 64 + 64 * 64 + 64 * 8;

alignas(64) float x[batch * 64], w[64 * 64], b[64], y[batch * 64];  // batch >= 6
alignas(64) float inputs[batch * 32];
std::int32_t labels[batch];

Mlp<DefaultTarget> fast_net;
Mlp<ScalarTarget> scalar_net;
MlpTrainer<DefaultTarget> fast_trainer(fast_net, Sgd{0.05f});
MlpTrainer<ScalarTarget> scalar_trainer(scalar_net, Sgd{0.05f});

// Batch 1, as firmware trains: after the whole backward pass, and fused (no gradient buffer).
Mlp<DefaultTarget> net_sgd, net_sgd_fused, net_adam, net_adam_fused;
Trainer<Mlp<DefaultTarget>, SoftmaxCrossEntropy, Sgd, 1> sgd_step(net_sgd, Sgd{0.05f});
Trainer<Mlp<DefaultTarget>, SoftmaxCrossEntropy, Sgd, 1, Update::fused> sgd_fused_step(net_sgd_fused, Sgd{0.05f});
Trainer<Mlp<DefaultTarget>, SoftmaxCrossEntropy, Adam, 1> adam_step(net_adam, Adam{0.01f});
Trainer<Mlp<DefaultTarget>, SoftmaxCrossEntropy, Adam, 1, Update::fused> adam_fused_step(net_adam_fused, Adam{0.01f});

// The plain C steps' parameters, copies of the same initialization.
Mlp<DefaultTarget> net_plain_c, net_plain_c_scaled;

// The same with mean squared error, and one epoch of XOR on a 2-3-1 sigmoid MLP (four SGD steps of
// one point): how much a step costs beyond its multiply-adds.
Mlp<DefaultTarget> net_sgd_mse;
Trainer<Mlp<DefaultTarget>, MeanSquaredError, Sgd, 1> sgd_mse_step(net_sgd_mse, Sgd{0.05f});
float mse_targets[8];
using XorNet = Network<float, DefaultTarget, Dense<2, 3>, Sigmoid, Dense<3, 1>, Sigmoid>;
XorNet xor_net;
Trainer<XorNet, MeanSquaredError, Sgd, 1> xor_step(xor_net, Sgd{0.5f});
const float xor_inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
const float xor_targets[4][1] = {{0}, {1}, {1}, {0}};

#if !defined(TINYMLP_COUNTS_STEPS_ONLY)
// int8 dense 256 -> 64, one sample: the layer CMSIS-NN's arm_fully_connected_s8 is counted on
// (README: the figures beside CMSIS-NN's). As QuantizedNetwork runs it (the input offset folded
// into the bias), and with an input offset of 128 left to the kernel.
alignas(8) std::int8_t q_x[256], q_w[64 * 256], q_y[64];
std::int32_t q_bias[64];
QuantizedMultiplier q_multipliers[64];
kernels::QuantizedDenseParams q_params{0, -5, -128, 127}, q_offset_params{128, -5, -128, 127};
// and its int16 form (16x8: arm_fully_connected_s16's layer), the same weights
alignas(8) std::int16_t q16_x[256], q16_y[64];
std::int64_t q16_bias[64];
kernels::QuantizedDenseParams q16_params{0, 0, -32768, 32767};
#endif

unsigned next_id = 0;

// Prints what region `id` measures (the script reads these lines), then runs it between markers.
template <class Work>
void measure(const char* name, unsigned long macs, unsigned long samples, Work&& work) {
    const unsigned id = next_id++;
    std::printf("region %u %s macs %lu samples %lu\n", id, name, macs, samples);
    tinymlp_count_begin(id);
    work();
    tinymlp_count_end(id);
}

template <class Target, std::size_t B>
void dense(const char* name) {
    measure(name, B * 64ul * 64ul, B, [] { kernels::dense_forward<B, 64, 64>(Target{}, x, w, b, y); });
}

#if !defined(TINYMLP_COUNTS_STEPS_ONLY)
// The same call sequence for both builds of dense_64x64.cpp: only the function differs.
using DenseFunction = void (*)(const float*, const float*, const float*, float*);
__attribute__((noinline)) void dense_call(const char* name, DenseFunction function) {
    measure(name, 64ul * 64ul, 1, [function] { function(x, w, b, y); });
}
#endif

}  // namespace

// Regions for ../shared/tools/mcycles.py (bench/cortex-m/cycle_estimates.sh), which estimates
// cycles from the first entry into one of these functions to the next entry into
// tinymlp_cycles_end.
extern "C" {
__attribute__((noinline, used)) void tinymlp_cycles_end() { __asm__ volatile("" : : : "memory"); }
__attribute__((noinline, used)) void tinymlp_cycles_dense_64x64() {
    kernels::dense_forward<1, 64, 64>(DefaultTarget{}, x, w, b, y);
}
__attribute__((noinline, used)) void tinymlp_cycles_inference() {
    float out[8];
    if (fast_net.predict(inputs, out) != Status::ok) y[0] = 0;
}
__attribute__((noinline, used)) void tinymlp_cycles_sgd_step() {
    if (sgd_step.step(inputs, labels) != Status::ok) y[0] = 0;
}
__attribute__((noinline, used)) void tinymlp_cycles_adam_step() {
    if (adam_step.step(inputs, labels) != Status::ok) y[0] = 0;
}
}

int main() {
    Pcg32 rng(3);
    for (float& v : x) v = rng.uniform_float() - 0.5f;
    for (float& v : w) v = rng.uniform_float() - 0.5f;
    for (float& v : b) v = rng.uniform_float() - 0.5f;
    for (float& v : inputs) v = rng.uniform_float() * 2 - 1;
    for (std::int32_t& label : labels) label = static_cast<std::int32_t>(rng.next_u32() % 8);
#if !defined(TINYMLP_COUNTS_STEPS_ONLY)
    for (std::int8_t& v : q_x) v = static_cast<std::int8_t>(rng.next_u32());
    for (std::int16_t& v : q16_x) v = static_cast<std::int16_t>(rng.next_u32());
    for (std::int8_t& v : q_w) v = static_cast<std::int8_t>(rng.next_u32());
    for (std::size_t o = 0; o < 64; ++o) {
        q_bias[o] = static_cast<std::int32_t>(rng.next_u32() % 20001) - 10000;
        q16_bias[o] = q_bias[o];
        q_multipliers[o] = {1518500250 + static_cast<std::int32_t>(o), -9};
    }
#endif
#if defined(TINYMLP_COUNTS_CHECK)
    std::printf("target %s\n", DefaultTarget::name);
    measure("empty", 0, 0, [] {});
    std::printf("note target_of_project_flags_build %s\nnote target_of_bare_flags_build %s\n",
                dense_64x64_project_flags_target, dense_64x64_bare_flags_target);
    dense_call("dense_64x64_call_project_flags", dense_64x64_project_flags);
    dense_call("dense_64x64_call_bare_flags", dense_64x64_bare_flags);
    xor_net.init(1);
    Status xor_status = Status::ok;
    measure("xor_2_3_1_epoch_4_sgd_steps", 4 * (3 * 2 * 3 + 3 * 3 * 1), 4, [&] {
        for (std::size_t i = 0; i < 4 && xor_status == Status::ok; ++i)
            xor_status = xor_step.step(xor_inputs[i], xor_targets[i]);
    });
    return xor_status == Status::ok ? 0 : 1;
#endif
    fast_net.init(1);
    scalar_net.init(1);
    for (Mlp<DefaultTarget>* net :
         {&net_sgd, &net_sgd_fused, &net_adam, &net_adam_fused, &net_sgd_mse, &net_plain_c, &net_plain_c_scaled})
        net->init(1);
    using Plain = Mlp<DefaultTarget>;
    const auto layers_of = [](Plain& net) {
        return std::array<float*, 3>{net.parameters() + Plain::parameter_offset(0),
                                     net.parameters() + Plain::parameter_offset(2),
                                     net.parameters() + Plain::parameter_offset(4)};
    };
    const std::array<float*, 3> plain = layers_of(net_plain_c), scaled = layers_of(net_plain_c_scaled);
    float plain_loss = plain_c_sgd_step(plain[0], plain[1], plain[2], inputs, labels[0], 0.05f) +
                       plain_c_sgd_step_scaled_delta(scaled[0], scaled[1], scaled[2], inputs, labels[0], 0.05f);
    xor_net.init(1);
    for (std::size_t i = 0; i < 8; ++i) mse_targets[i] = i == 3 ? 1.0f : 0.0f;
    if (sgd_mse_step.step(inputs, mse_targets) != Status::ok || xor_step.step(xor_inputs[0], xor_targets[0]) != Status::ok)
        return 1;
    float out[8];
    // one step each first, so that nothing measured below runs for the first time
    if (fast_trainer.step(inputs, labels) != Status::ok || scalar_trainer.step(inputs, labels) != Status::ok ||
        sgd_step.step(inputs, labels) != Status::ok || sgd_fused_step.step(inputs, labels) != Status::ok ||
        adam_step.step(inputs, labels) != Status::ok || adam_fused_step.step(inputs, labels) != Status::ok)
        return 1;
    // The plain C steps must make the library's update: after one step from the same parameters on
    // the same sample, they agree to float rounding (or the firmware fails).
    float plain_difference = 0;
    for (const Plain* net : {&net_plain_c, &net_plain_c_scaled}) {
        for (std::size_t i = 0; i < Plain::parameter_count; ++i) {
            const float d = net->parameters()[i] - net_sgd.parameters()[i];
            plain_difference = d > plain_difference ? d : (-d > plain_difference ? -d : plain_difference);
        }
    }
    std::printf("note plain_c_steps_largest_parameter_difference %g\n", static_cast<double>(plain_difference));
    if (!(plain_difference <= 1e-5f)) return 1;

    std::printf("target %s\n", DefaultTarget::name);
    // CMSIS-NN's arm_fully_connected_s8 on the same layer, counted the same way on each core
    // (ctest cmsis_nn_instruction_counts, built from its source outside this repository)
#if defined(__ARM_FEATURE_MVE)
    std::printf("anchor int8_dense_256x64_batch1 0.53 CMSIS-NN's arm_fully_connected_s8 (Helium)\n");
#elif defined(__ARM_FEATURE_DSP) && defined(__ARM_ARCH_7EM__)
    std::printf("anchor int8_dense_256x64_batch1 2.08 CMSIS-NN's arm_fully_connected_s8 (DSP)\n");
#elif defined(__ARM_ARCH_7M__)
    std::printf("anchor int8_dense_256x64_batch1 3.53 CMSIS-NN's arm_fully_connected_s8 (plain C)\n");
#endif
    measure("empty", 0, 0, [] {});  // the markers' own cost, subtracted from every region
    Status fast = Status::ok, scalar = Status::ok;
    dense<DefaultTarget, 1>("dense_64x64_batch1");
#if !defined(TINYMLP_COUNTS_STEPS_ONLY)
    dense<ScalarTarget, 1>("dense_64x64_batch1_scalar");
    dense<DefaultTarget, batch>("dense_64x64_batch8");
    dense<ScalarTarget, batch>("dense_64x64_batch8_scalar");
    dense<DefaultTarget, 6>("dense_64x64_batch6");  // one block of 6 rows (Cortex-M4/M7)
    std::printf("note target_of_project_flags_build %s\nnote target_of_bare_flags_build %s\n",
                dense_64x64_project_flags_target, dense_64x64_bare_flags_target);
    dense_call("dense_64x64_call_project_flags", dense_64x64_project_flags);
    dense_call("dense_64x64_call_bare_flags", dense_64x64_bare_flags);
    // 64 tanh (the "MAC" column: per value): the port's lanes (kernels/float_functions.hpp) against
    // the reference's libm tanhf
    static float activations_in[64], activations_out[64];
    for (std::size_t i = 0; i < 64; ++i) activations_in[i] = static_cast<float>(i) / 10.0f - 3.2f;
    measure("tanh_64", 64, 1, [] {
        kernels::activation_forward<TanhFunction>(DefaultTarget{}, activations_in, activations_out, 64);
    });
    measure("tanh_64_libm", 64, 1, [] {
        kernels::activation_forward<TanhFunction>(ScalarTarget{}, activations_in, activations_out, 64);
    });
#endif
    measure("mlp_inference", mlp_macs, 1, [&] { fast = fast_net.predict(inputs, out); });
#if !defined(TINYMLP_COUNTS_STEPS_ONLY)
    measure("mlp_inference_scalar", mlp_macs, 1, [&] { scalar = scalar_net.predict(inputs, out); });
    // forward, backward (input and weight gradients) and update: three products per layer
    measure("mlp_training_step_batch8", 3 * batch * mlp_macs, batch,
            [&] { fast = fast == Status::ok ? fast_trainer.step(inputs, labels) : fast; });
    measure("mlp_training_step_batch8_scalar", 3 * batch * mlp_macs, batch,
            [&] { scalar = scalar == Status::ok ? scalar_trainer.step(inputs, labels) : scalar; });
    measure("int8_dense_256x64_batch1", 256ul * 64ul, 1, [] {
        kernels::quantized_dense_forward<1, 256, 64>(DefaultTarget{}, q_x, q_w, q_bias, q_multipliers, q_params, q_y);
    });
    measure("int8_dense_256x64_batch1_input_offset", 256ul * 64ul, 1, [] {
        kernels::quantized_dense_forward<1, 256, 64>(DefaultTarget{}, q_x, q_w, q_bias, q_multipliers, q_offset_params,
                                                     q_y);
    });
    measure("int8_dense_256x64_batch1_scalar", 256ul * 64ul, 1, [] {
        kernels::quantized_dense_forward<1, 256, 64>(ScalarTarget{}, q_x, q_w, q_bias, q_multipliers, q_params, q_y);
    });
    measure("int16_dense_256x64_batch1", 256ul * 64ul, 1, [] {
        kernels::quantized_dense_forward<1, 256, 64>(DefaultTarget{}, q16_x, q_w, q16_bias, q_multipliers, q16_params, q16_y);
    });
    measure("int16_dense_256x64_batch1_scalar", 256ul * 64ul, 1, [] {
        kernels::quantized_dense_forward<1, 256, 64>(ScalarTarget{}, q16_x, q_w, q16_bias, q_multipliers, q16_params, q16_y);
    });
#endif
    measure("mlp_sgd_step_batch1", 3 * mlp_macs, 1,
            [&] { fast = fast == Status::ok ? sgd_step.step(inputs, labels) : fast; });
    measure("plain_c_sgd_step_batch1", 3 * mlp_macs, 1,
            [&] { plain_loss += plain_c_sgd_step(plain[0], plain[1], plain[2], inputs, labels[0], 0.05f); });
    measure("plain_c_sgd_step_batch1_scaled_delta", 3 * mlp_macs, 1, [&] {
        plain_loss += plain_c_sgd_step_scaled_delta(scaled[0], scaled[1], scaled[2], inputs, labels[0], 0.05f);
    });
    measure("mlp_sgd_fused_step_batch1", 3 * mlp_macs, 1,
            [&] { fast = fast == Status::ok ? sgd_fused_step.step(inputs, labels) : fast; });
    measure("mlp_adam_step_batch1", 3 * mlp_macs, 1,
            [&] { fast = fast == Status::ok ? adam_step.step(inputs, labels) : fast; });
    measure("mlp_adam_fused_step_batch1", 3 * mlp_macs, 1,
            [&] { fast = fast == Status::ok ? adam_fused_step.step(inputs, labels) : fast; });
    measure("mlp_sgd_mse_step_batch1", 3 * mlp_macs, 1,
            [&] { fast = fast == Status::ok ? sgd_mse_step.step(inputs, mse_targets) : fast; });
    measure("xor_2_3_1_epoch_4_sgd_steps", 4 * (3 * 2 * 3 + 3 * 3 * 1), 4, [&] {
        for (std::size_t i = 0; i < 4 && fast == Status::ok; ++i) fast = xor_step.step(xor_inputs[i], xor_targets[i]);
    });
    for (void (*region)() : {tinymlp_cycles_dense_64x64, tinymlp_cycles_inference, tinymlp_cycles_sgd_step,
                             tinymlp_cycles_adam_step}) {
        region();
        tinymlp_cycles_end();
    }
    std::printf("checksum %g\n", static_cast<double>(y[0] + out[0] + plain_loss));
    return fast == Status::ok && scalar == Status::ok ? 0 : 1;
}
