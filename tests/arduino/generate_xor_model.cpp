// Writes examples/arduino/XorInference/xor_model.h: trains the 2-8-2 XOR network of the
// XorTraining sketch (same seed, optimizer and steps) on the host and exports it with
// tinymlp::export_header. ctest arduino_xor_model_header checks the committed header against a
// fresh one.   generate_xor_model <output header>
#include <cstdint>
#include <cstdio>

#include <tinymlp/export.hpp>
#include <tinymlp/tinymlp.hpp>

int main(int argc, char** argv) {
    using namespace tinymlp;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <output header>\n", argv[0]);
        return 2;
    }
    using Net = Sequential<Dense<2, 8>, Tanh, Dense<8, 2>, Softmax>;
    static Net net;
    static Trainer<Net, SoftmaxCrossEntropy, Adam, 4> trainer(net, Adam{0.05f});
    const float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const std::int32_t labels[4] = {0, 1, 1, 0};
    net.init(1);
    float loss = 0;
    for (int step = 0; step < 300; ++step)
        if (trainer.step(&inputs[0][0], labels, &loss) != Status::ok) return 1;
    std::FILE* out = std::fopen(argv[1], "w");
    if (!out) return 1;
    const bool ok = export_header(net, out, "xor_model");
    return std::fclose(out) == 0 && ok ? 0 : 1;
}
