// The README's example: a 2-8-2 MLP learns XOR, then classifies the four points.
#include <cstdio>
#include <tinymlp/tinymlp.hpp>
using namespace tinymlp;

using Net = Sequential<Dense<2, 8>, Tanh, Dense<8, 2>, Softmax>;  // sizes are part of the type
static_assert(Net::parameter_count == 42);                        // and so is the RAM budget
Net net;                                                           // parameters only: 168 bytes
Trainer<Net, SoftmaxCrossEntropy, Adam, 4> trainer(net, Adam{0.05});  // gradients, activations, Adam state

int main() {
    net.init(/*seed=*/1);
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const std::int32_t labels[4] = {0, 1, 1, 0};
    float loss = 0;
    for (int step = 0; step < 300; ++step)
        if (trainer.step(&x[0][0], labels, &loss) != Status::ok) return 1;  // bad data: an error, not garbage
    for (const auto& point : x) {
        float p[2];
        if (net.predict(point, p) != Status::ok) return 1;
        std::printf("XOR(%g, %g): P(1) = %.3f\n", point[0], point[1], p[1]);
    }
    std::printf("loss %.4f after 300 steps\n", loss);
    return loss < 0.05f ? 0 : 1;
}
