// A small network trained deterministically, shared by the header generator and the test that
// compiles the generated header.
#pragma once
#include <cstdint>

#include <tinymlp/tinymlp.hpp>

namespace export_test {

using Net = tinymlp::Sequential<tinymlp::Dense<4, 16>, tinymlp::PReLU<tinymlp::Slopes::per_unit>,
                                tinymlp::Dense<16, 8, tinymlp::Bias::off>, tinymlp::LeakyReLU<1, 10>,
                                tinymlp::Dropout<10>, tinymlp::Dense<8, 3>, tinymlp::Softmax>;

inline const float inputs[4 * 4] = {0.1f, 0.9f, -0.3f, 0.5f, 1.2f, -0.7f, 0.0f, 0.3f,
                                    -1.0f, 0.2f, 0.8f, -0.4f, 0.6f, 0.6f, -0.6f, 0.1f};
inline const std::int32_t labels[4] = {0, 2, 1, 2};

template <class Network>
void train(Network& net) {
    net.init(42);
    static tinymlp::Trainer<Network, tinymlp::SoftmaxCrossEntropy, tinymlp::Adam, 4> trainer(net, tinymlp::Adam{0.02});
    for (int step = 0; step < 50; ++step)
        if (trainer.step(inputs, labels) != tinymlp::Status::ok) return;
    // two whole numbers among the parameters, which a header must still spell as floats (0.0f)
    net.parameters()[Network::parameter_count - 1] = 0.0f;
    net.parameters()[Network::parameter_count - 2] = -1.0f;
}

// A network of the layers QuantizedNetwork takes, trained the same way, and its int8 quantization
// calibrated on the four inputs.
using QuantizableNet = tinymlp::Sequential<tinymlp::Dense<4, 16>, tinymlp::ReLU, tinymlp::Dense<16, 8>, tinymlp::ReLU,
                                           tinymlp::Dense<8, 3>, tinymlp::Softmax>;
using Quantized = tinymlp::QuantizedNetwork<QuantizableNet>;

inline bool train_and_quantize(QuantizableNet& net, Quantized& q) {
    train(net);
    return tinymlp::quantize(net, inputs, 4, q) == tinymlp::QuantizationStatus::ok;
}

}  // namespace export_test
