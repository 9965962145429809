// Code-size images of the footprint report: batch-1 training of the report's network with plain
// SGD (FOOTPRINT_ADAM undefined) or Adam (FOOTPRINT_ADAM defined), softmax cross entropy, as
// firmware trains, sample after sample. The network and the trainer are in RAM (.bss), so the
// flash beyond the baseline image is the code a step needs: tinymlp and this small program.
#include <cstdint>

#include "footprint.hpp"

namespace footprint {

#if defined(FOOTPRINT_ADAM)
using Optimizer = tinymlp::Adam;
#else
using Optimizer = tinymlp::Sgd;
#endif
using Trainer = tinymlp::Trainer<Net, tinymlp::SoftmaxCrossEntropy, Optimizer, 1>;

Net net;
Trainer trainer(net, Optimizer{0.01});
float input[Net::input_size];

}  // namespace footprint

int main() {
    using namespace footprint;
    net.init(1);
    tinymlp::Pcg32 rng(7);
    float loss = 0;
    for (int step = 0; step < 20; ++step) {
        for (float& v : input) v = rng.uniform_float() * 2 - 1;
        const std::int32_t label = static_cast<std::int32_t>(rng.next_u32() % Net::output_size);
        if (trainer.step(input, &label, &loss) != tinymlp::Status::ok) return 1;
    }
    std::printf("training code: loss %.4f after 20 steps\n", static_cast<double>(loss));
    return 0;
}
