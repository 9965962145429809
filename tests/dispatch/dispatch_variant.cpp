// Trains a small network on the default target for a few Adam steps and predicts one sample; compiled
// once per x86-64 instruction set (tinymlp_x86_dispatch_sources) or, with TARGET_SCALAR defined
// around it, on the scalar reference in test_dispatch.cpp.
#include <cstddef>

#include <tinymlp/dispatch.hpp>
#include <tinymlp/tinymlp.hpp>

#include "outcome.hpp"

#ifndef DISPATCH_TEST_NAMESPACE
#define DISPATCH_TEST_NAMESPACE TINYMLP_ISA_VARIANT
#define DISPATCH_TEST_TARGET tinymlp::DefaultTarget
#endif

namespace dispatch_test::DISPATCH_TEST_NAMESPACE {

Outcome train_and_predict() {
    using namespace tinymlp;
    // 37 inputs and 45 hidden units: whole vectors and tails on every instruction set
    using Net = Network<float, DISPATCH_TEST_TARGET, Dense<37, 45>, Tanh, Dense<45, outputs>>;
    constexpr std::size_t batch = 8;
    Net net;  // a fresh network and optimizer state on every call
    net.init(7);
    Trainer<Net, SoftmaxCrossEntropy, Adam, batch> trainer(net, Adam{0.01f});
    float x[batch * 37];
    std::int32_t labels[batch];
    Pcg32 rng(11);
    for (float& v : x) v = rng.uniform_float() * 2 - 1;
    for (std::int32_t& label : labels) label = static_cast<std::int32_t>(rng.next_u32() % outputs);
    Outcome outcome{compiled_isa_level, DISPATCH_TEST_TARGET::name, -1, {}};
    for (int step = 0; step < steps; ++step)
        if (trainer.step(x, labels, &outcome.loss) != Status::ok) outcome.loss = -1;
    if (net.predict(x, outcome.output) != Status::ok) outcome.loss = -1;
    return outcome;
}

}  // namespace dispatch_test::DISPATCH_TEST_NAMESPACE
