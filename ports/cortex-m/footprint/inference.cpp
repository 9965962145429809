// Inference-only image of the footprint report: the parameters are a const array, so they stay
// in flash and take no RAM; Net::predict_with() runs one sample on them. No Net object, no
// trainer: the RAM left is the runtime's and one input/output pair.
#include <cstdint>

#include "footprint.hpp"
#include "stack_usage.h"

namespace footprint {

struct Parameters {
    float values[Net::parameter_count];
};

// Stand-in for trained weights (as export_header() would write them): made by the compiler.
constexpr Parameters make_parameters() {
    Parameters p{};
    tinymlp::Pcg32 rng(2024);
    for (std::size_t i = 0; i < Net::parameter_count; ++i)
        p.values[i] = (static_cast<float>(rng.next_u32() >> 8) * (1.0f / 16777216.0f) - 0.5f) * 0.25f;
    return p;
}

alignas(tinymlp::storage_alignment) constexpr Parameters parameters = make_parameters();

float input[Net::input_size];
float output[Net::output_size];

// Out of line, so that the stack it uses can be told from main's.
__attribute__((noinline)) tinymlp::Status predict_one(const float* params) {
    return Net::predict_with(params, input, output);
}

}  // namespace footprint

int main() {
    using namespace footprint;
    // Read through a volatile pointer: the compiler cannot fold predict() over the constants.
    const float* volatile params = parameters.values;
    tinymlp::Pcg32 rng(7);
    for (float& v : input) v = rng.uniform_float() * 2 - 1;

    tinymlp_stack_repaint();
    const std::size_t depth = tinymlp_stack_depth();
    const tinymlp::Status status = predict_one(params);
    const std::size_t used = tinymlp_stack_used();
    if (status != tinymlp::Status::ok) {
        std::printf("predict failed: status %d\n", static_cast<int>(status));
        return 1;
    }
    std::size_t best = 0;
    for (std::size_t c = 1; c < Net::output_size; ++c)
        if (output[c] > output[best]) best = c;
    std::printf("inference: class %u, logit %.4f\n", static_cast<unsigned>(best), static_cast<double>(output[best]));

    report("parameter_count", Net::parameter_count);
    report("parameter_bytes", Net::parameter_bytes);
    report("sizeof_parameters", sizeof(Parameters));
    report("predict_scratch_bytes", Net::predict_scratch_bytes);
    report("inference_scratch_bytes_1", Net::inference_scratch_count<1> * sizeof(float));
    report("stack_high_water", used);
    report("stack_call", used - depth);
    report("stack_size", tinymlp_stack_size());
    return 0;
}
