// Training image of the footprint report: a Net and an Adam trainer (batch 16, softmax cross
// entropy) in static RAM under known names, a few steps on synthetic data.
#include <cstdint>

#include "footprint.hpp"
#include "stack_usage.h"

namespace footprint {

constexpr std::size_t batch = 16;
using Trainer = tinymlp::Trainer<Net, tinymlp::SoftmaxCrossEntropy, tinymlp::Adam, batch>;

// footprint.cmake reads the sizes of these two symbols (footprint::net, footprint::trainer).
Net net;
Trainer trainer(net, tinymlp::Adam{0.01});

float inputs[batch][Net::input_size];
std::int32_t labels[batch];

// Synthetic task: the label is the group of four inputs with the largest sum.
void make_batch(tinymlp::Pcg32& rng) {
    for (std::size_t n = 0; n < batch; ++n) {
        float best_sum = -1e9f;
        for (std::size_t g = 0; g < Net::output_size; ++g) {
            float sum = 0;
            for (std::size_t k = 0; k < 4; ++k) sum += inputs[n][4 * g + k] = rng.uniform_float() * 2 - 1;
            if (sum > best_sum) best_sum = sum, labels[n] = static_cast<std::int32_t>(g);
        }
    }
}

// Out of line, so that the stack it uses can be told from main's.
__attribute__((noinline)) tinymlp::Status train_step(float* loss) {
    return trainer.step(&inputs[0][0], labels, loss);
}

}  // namespace footprint

int main() {
    using namespace footprint;
    net.init(1);
    tinymlp::Pcg32 rng(7);
    make_batch(rng);

    float first_loss = 0;
    tinymlp_stack_repaint();
    const std::size_t depth = tinymlp_stack_depth();
    tinymlp::Status status = train_step(&first_loss);
    const std::size_t used = tinymlp_stack_used();
    float loss = first_loss;
    constexpr int steps = 20;
    for (int step = 1; step < steps && status == tinymlp::Status::ok; ++step) {
        make_batch(rng);
        status = train_step(&loss);
    }
    if (status != tinymlp::Status::ok) {
        std::printf("training step failed: status %d\n", static_cast<int>(status));
        return 1;
    }
    std::printf("training: loss %.4f after 1 step, %.4f after %d steps\n", static_cast<double>(first_loss),
                static_cast<double>(loss), steps);

    report("batch", batch);
    report("parameter_bytes", Net::parameter_bytes);
    report("storage_alignment", tinymlp::storage_alignment);
    report("sizeof_net", sizeof(Net));
    report("training_bytes", Trainer::training_bytes);
    report("optimizer_state_bytes", Trainer::optimizer_state_bytes);
    report("memory_bytes", Trainer::memory_bytes);
    report("settings_bytes", Trainer::settings_bytes);
    report("aligned_arrays", Trainer::aligned_arrays);
    report("sizeof_trainer", sizeof(Trainer));
    report("stack_high_water", used);
    report("stack_call", used - depth);
    report("stack_size", tinymlp_stack_size());
    return 0;
}
