// A project outside tinymlp's tree: finds the installed package, trains XOR, runs inference.
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

int main() {
    using namespace tinymlp;
    using Net = Sequential<Dense<2, 8>, Tanh, Dense<8, 2>>;
    static Net net;
    net.init(1);
    static Trainer<Net, SoftmaxCrossEntropy, Adam, 4> trainer(net, Adam{0.05});
    const float x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
    const std::int32_t labels[4] = {0, 1, 1, 0};
    float loss = 0;
    for (int step = 0; step < 300; ++step)
        if (trainer.step(x, labels, &loss) != Status::ok) return 1;
    int correct = 0;
    for (int n = 0; n < 4; ++n) {
        float y[2];
        if (net.predict(x + 2 * n, y) != Status::ok) return 1;
        correct += (y[1] > y[0]) == (labels[n] == 1);
    }
    std::printf("consumer: XOR loss %.4f, %d/4 correct, %zu parameters\n", loss, correct, Net::parameter_count);
    return correct == 4 ? 0 : 1;
}
