// The anchor of the int8 figures in instruction_counts: CMSIS-NN's arm_fully_connected_s8 on the
// same 256 -> 64 layer, one sample, counted the same way (instruction_counts.sh). Built only when
// -DTINYMLP_CMSIS_NN_DIR names a checkout of ARM-software/CMSIS-NN (CMakeLists.txt beside this
// file), whose sources are compiled with this build's flags and never enter this repository.
// As TensorFlow Lite Micro calls it: the kernel sums (arm_vector_sum_s8, where CMSIS-NN wants
// them) prepared before the counted region, input offset 128 (an input zero point of -128).
#include <cstdint>
#include <cstdio>

#include <arm_nnfunctions.h>

#include <tinymlp/random.hpp>

extern "C" {
__attribute__((noinline, used)) void tinymlp_count_begin(unsigned id) { __asm__ volatile("" : : "r"(id) : "memory"); }
__attribute__((noinline, used)) void tinymlp_count_end(unsigned id) { __asm__ volatile("" : : "r"(id) : "memory"); }
}

namespace {
constexpr int in = 256, out = 64;
alignas(8) std::int8_t x[in], w[out * in], y[out];
std::int32_t bias[out], kernel_sums[out];
}  // namespace

int main() {
    tinymlp::Pcg32 rng(3);
    for (std::int8_t& v : x) v = static_cast<std::int8_t>(rng.next_u32());
    for (std::int8_t& v : w) v = static_cast<std::int8_t>(rng.next_u32());
    for (std::int32_t& b : bias) b = static_cast<std::int32_t>(rng.next_u32() % 20001) - 10000;
    const cmsis_nn_dims filter_dims{in, 1, 1, out}, input_dims{1, 1, 1, in}, bias_dims{1, 1, 1, out},
        output_dims{1, 1, 1, out};
    cmsis_nn_fc_params fc{};
    fc.input_offset = 128;
    fc.output_offset = -5;
    fc.activation.min = -128;
    fc.activation.max = 127;
    const cmsis_nn_per_tensor_quant_params quant{1518500250, -9};
    cmsis_nn_context ctx{nullptr, 0};
    if (arm_fully_connected_s8_get_buffer_size(&filter_dims) > 0) {
        (void)arm_vector_sum_s8(kernel_sums, in, out, w, fc.input_offset, 0, bias);
        ctx.buf = kernel_sums;
        ctx.size = sizeof kernel_sums;
    }
    const auto run = [&] {
        return arm_fully_connected_s8(&ctx, &fc, &quant, &input_dims, x, &filter_dims, w, &bias_dims, bias, &output_dims, y);
    };
    run();  // once first, as instruction_counts.cpp does
    std::printf("target cmsis-nn\n");
    std::printf("region 0 empty macs 0 samples 0\n");
    tinymlp_count_begin(0);
    tinymlp_count_end(0);
    std::printf("region 1 cmsis_nn_fully_connected_s8_256x64_batch1 macs %d samples 1\n", in * out);
    tinymlp_count_begin(1);
    const arm_cmsis_nn_status status = run();
    tinymlp_count_end(1);
    std::printf("checksum %d\n", static_cast<int>(y[0]) + static_cast<int>(y[out - 1]));
    return status == ARM_CMSIS_NN_SUCCESS ? 0 : 1;
}
