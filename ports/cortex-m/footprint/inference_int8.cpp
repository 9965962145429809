// Int8 inference-only image of the footprint report: the 32-64-64-8 network quantized, the whole
// QuantizedNetwork a constant (as an exported header makes it: quantized_export.hpp), so it stays
// in flash and predict() runs from there. Beside the float inference image, it shows what the
// integer path saves in flash.
#include <cstdint>

#include "footprint.hpp"
#include "stack_usage.h"

namespace footprint {

using Quantized = tinymlp::QuantizedNetwork<Net>;

// Stand-in for a quantized network (as export_header writes one): made by the compiler.
template <std::size_t K>
constexpr Quantized::layer_type<K> make_layer(std::uint64_t seed) {
    Quantized::layer_type<K> l{};
    tinymlp::Pcg32 rng(seed);
    constexpr std::size_t In = Quantized::layer_type<K>::in_size, Out = Quantized::layer_type<K>::out_size;
    for (std::size_t i = 0; i < In * Out; ++i) l.weights[i] = static_cast<std::int8_t>(static_cast<int>(rng.next_u32() % 255) - 127);
    for (std::size_t o = 0; o < Out; ++o) {
        l.bias[o] = static_cast<std::int32_t>(rng.next_u32() % 4001) - 2000;
        l.multipliers[o] = {1518500250 + static_cast<std::int32_t>(o), -9};
    }
    l.params = {0, -3, K + 1 < Quantized::dense_count ? -3 : -128, 127};
    l.output = {0.05f, -3};
    return l;
}

constexpr Quantized quantized{tinymlp::TensorQuantization{0.0078125f, 0}, make_layer<0>(1), make_layer<1>(2),
                              make_layer<2>(3)};

std::int8_t input[Net::input_size];
std::int8_t output[Quantized::output_size];

// Out of line, so that the stack it uses can be told from main's.
__attribute__((noinline)) void predict_one(const Quantized& q) { q.predict(input, output); }

}  // namespace footprint

int main() {
    using namespace footprint;
    // Through a volatile pointer: the compiler cannot fold predict() over the constants.
    const Quantized* volatile network = &quantized;
    tinymlp::Pcg32 rng(7);
    for (std::int8_t& v : input) v = static_cast<std::int8_t>(rng.next_u32());

    tinymlp_stack_repaint();
    const std::size_t depth = tinymlp_stack_depth();
    predict_one(*network);
    const std::size_t used = tinymlp_stack_used();
    std::size_t best = 0;
    for (std::size_t c = 1; c < Quantized::output_size; ++c)
        if (output[c] > output[best]) best = c;
    std::printf("int8 inference: class %u, logit %d\n", static_cast<unsigned>(best), static_cast<int>(output[best]));

    report("sizeof_quantized", sizeof(Quantized));
    report("weight_bytes", Quantized::weight_bytes);
    report("float_parameter_bytes", Net::parameter_bytes);
    report("predict_scratch_bytes", Quantized::predict_scratch_bytes);
    report("stack_high_water", used);
    report("stack_call", used - depth);
    return 0;
}
