// Training-memory image of the footprint report: the trainers of 32-64-64-8 that on-device
// training chooses between, at batch 1, each in static RAM under a known name and run for a few
// steps: SGD and Adam after the whole backward pass (a gradient of every parameter) and fused (no
// gradient buffer); Adam on the last layer alone, the frozen layers read from flash
// (Frozen<L, Storage::external>); Adam on the biases alone. footprint.cmake checks each object's
// size against the trainer's constexpr figures.
#include <cstdint>

#include "footprint.hpp"
#include "stack_usage.h"

namespace footprint {

using namespace tinymlp;
using LastLayer = Sequential<Frozen<Dense<32, 64>, Storage::external>, ReLU, Frozen<Dense<64, 64>, Storage::external>,
                             ReLU, Dense<64, 8>>;
using BiasesOnly = Sequential<BiasOnly<Dense<32, 64>>, ReLU, BiasOnly<Dense<64, 64>>, ReLU, BiasOnly<Dense<64, 8>>>;

using SgdFull = Trainer<Net, SoftmaxCrossEntropy, Sgd, 1>;
using SgdFused = Trainer<Net, SoftmaxCrossEntropy, Sgd, 1, Update::fused>;
using AdamFull = Trainer<Net, SoftmaxCrossEntropy, Adam, 1>;
using AdamFused = Trainer<Net, SoftmaxCrossEntropy, Adam, 1, Update::fused>;
using AdamLastLayer = Trainer<LastLayer, SoftmaxCrossEntropy, Adam, 1, Update::fused>;
using AdamBiasesOnly = Trainer<BiasesOnly, SoftmaxCrossEntropy, Adam, 1, Update::fused>;

// The host-trained network the last-layer run starts from, const: in flash.
constexpr float whole[Net::parameter_count] = {};

Net net_a, net_b, net_c, net_d;
BiasesOnly biases_net;
LastLayer head(whole);
SgdFull sgd_full(net_a, Sgd{0.05});
SgdFused sgd_fused(net_b, Sgd{0.05});
AdamFull adam_full(net_c, Adam{0.01});
AdamFused adam_fused(net_d, Adam{0.01});
AdamLastLayer adam_last_layer(head, Adam{0.01});
AdamBiasesOnly adam_biases_only(biases_net, Adam{0.01});

float input[Net::input_size];
std::int32_t label = 3;

template <class T>
void report_trainer(const char* name, T& trainer, std::size_t network_bytes) {
    const auto put = [name](const char* what, std::size_t value) {
        std::printf("footprint %s_%s %lu\n", name, what, static_cast<unsigned long>(value));
    };
    put("memory_bytes", T::memory_bytes);
    put("optimizer_state_bytes", T::optimizer_state_bytes);
    put("settings_bytes", T::settings_bytes);
    put("aligned_arrays", T::aligned_arrays);
    put("sizeof", sizeof(T));
    put("trainable", T::trainable_count);
    put("network_sizeof", network_bytes);
    // a few steps, and the stack of the last
    Status status = Status::ok;
    for (int step = 0; step < 3 && status == Status::ok; ++step) status = trainer.step(input, &label);
    tinymlp_stack_repaint();
    const std::size_t depth = tinymlp_stack_depth();
    if (status == Status::ok) status = trainer.step(input, &label);
    put("stack_call", tinymlp_stack_used() - depth);
    put("ok", status == Status::ok ? 1 : 0);
}

}  // namespace footprint

int main() {
    using namespace footprint;
    for (std::size_t i = 0; i < Net::input_size; ++i) input[i] = static_cast<float>(i % 7) * 0.1f;
    for (Net* n : {&net_a, &net_b, &net_c, &net_d}) n->init(1);
    biases_net.init(1);
    report("storage_alignment", tinymlp::storage_alignment);
    report("parameter_bytes", Net::parameter_bytes);
    report_trainer("sgd_full", sgd_full, sizeof(Net));
    report_trainer("sgd_fused", sgd_fused, sizeof(Net));
    report_trainer("adam_full", adam_full, sizeof(Net));
    report_trainer("adam_fused", adam_fused, sizeof(Net));
    report_trainer("adam_last_layer", adam_last_layer, sizeof(LastLayer));
    report_trainer("adam_biases_only", adam_biases_only, sizeof(BiasesOnly));
    return 0;
}
