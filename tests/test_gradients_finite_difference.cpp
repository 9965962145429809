// Finite-difference checks, in double, of every parameter gradient for every layer and loss.
// Each layer type sits between Dense layers, so its input gradient is exercised too (the
// gradients of the parameters below it depend on it).
// Tolerance: |analytic - numeric| <= 1e-7 + 1e-6 * |numeric|, central differences, h = 1e-6.
#include <cmath>
#include <cstdint>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

constexpr std::size_t batch = 3;
constexpr double step_size = 1e-6;

template <class Net, class Loss>
using GradientTrainer = Trainer<Net, Loss, Sgd, batch>;

// Loss at the network's current parameters; a fresh trainer with a fixed seed draws the same
// dropout mask every time, so the loss is a smooth function of the parameters.
template <class Net, class Loss, class Targets>
double loss_at(Net& net, const double* x, const Targets* targets, const Regularization& regularization) {
    static GradientTrainer<Net, Loss> trainer(net);
    trainer = GradientTrainer<Net, Loss>(net, Sgd{}, regularization, 1234);
    double loss = 0;
    CHECK(trainer.compute_gradients(x, targets, &loss) == Status::ok);
    return loss;
}

template <class Net, class Loss, class Targets>
double max_gradient_error(const Targets* targets, std::uint64_t seed, const Regularization& regularization = {}) {
    static Net net;
    Pcg32 rng(seed);
    net.init(rng);
    // biases and slopes away from their defaults, so that every term of the gradient matters
    for (std::size_t i = 0; i < Net::parameter_count; ++i) net.parameters()[i] += 0.1 * rng.normal();
    double x[batch * Net::input_size];
    for (double& v : x) v = rng.normal();

    static GradientTrainer<Net, Loss> trainer(net);
    trainer = GradientTrainer<Net, Loss>(net, Sgd{}, regularization, 1234);
    double loss = 0;
    CHECK(trainer.compute_gradients(x, targets, &loss) == Status::ok);
    double analytic[Net::parameter_count];
    for (std::size_t i = 0; i < Net::parameter_count; ++i) analytic[i] = trainer.gradients()[i];

    double worst = 0;
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
        double& p = net.parameters()[i];
        const double saved = p;
        p = saved + step_size;
        const double plus = loss_at<Net, Loss>(net, x, targets, regularization);
        p = saved - step_size;
        const double minus = loss_at<Net, Loss>(net, x, targets, regularization);
        p = saved;
        const double numeric = (plus - minus) / (2 * step_size);
        const double error = std::fabs(analytic[i] - numeric);
        if (!CHECK_NEAR(analytic[i], numeric, 1e-7 + 1e-6 * std::fabs(numeric)))
            std::printf("    parameter %lu\n", static_cast<unsigned long>(i));
        worst = error > worst ? error : worst;
    }
    std::printf("  %lu parameters, loss %.6f, max |analytic - numeric| = %.3g\n",
                static_cast<unsigned long>(Net::parameter_count), loss, worst);
    return worst;
}

template <class... Specs>
using DoubleNet = Network<double, DefaultTarget, Specs...>;

const std::int32_t labels[batch] = {2, 0, 1};
const double regression_targets[batch * 3] = {0.5, -1.0, 2.0, 0.0, 0.3, -0.7, 1.1, 0.9, -0.2};
const double binary_targets[batch * 3] = {1, 0, 1, 0, 0, 1, 1, 1, 0};

}  // namespace

TEST(relu_with_softmax_cross_entropy) {
    max_gradient_error<DoubleNet<Dense<4, 5>, ReLU, Dense<5, 3>>, SoftmaxCrossEntropy>(labels, 1);
}

TEST(leaky_relu_and_dense_without_bias_with_mse) {
    max_gradient_error<DoubleNet<Dense<4, 5>, LeakyReLU<1, 10>, Dense<5, 3, Bias::off>>, MeanSquaredError>(
        regression_targets, 2);
}

TEST(sigmoid_and_softmax_layer_with_mse) {
    max_gradient_error<DoubleNet<Dense<4, 5>, Sigmoid, Dense<5, 3>, Softmax>, MeanSquaredError>(
        regression_targets, 3);
}

TEST(tanh_and_identity_with_binary_cross_entropy) {
    max_gradient_error<DoubleNet<Dense<4, 5>, Tanh, Dense<5, 3>, Identity>, BinaryCrossEntropyWithLogits>(
        binary_targets, 4);
}

TEST(prelu_shared_and_per_unit_with_binary_cross_entropy) {
    max_gradient_error<DoubleNet<Dense<4, 5>, PReLU<>, Dense<5, 6>, PReLU<Slopes::per_unit>, Dense<6, 3>>,
                       BinaryCrossEntropyWithLogits>(binary_targets, 5);
}

TEST(dropout_in_training_mode) {
    max_gradient_error<DoubleNet<Dense<4, 5>, ReLU, Dropout<30>, Dense<5, 3>>, SoftmaxCrossEntropy>(labels, 6);
}

TEST(fused_softmax_cross_entropy_skips_the_final_softmax) {
    max_gradient_error<DoubleNet<Dense<4, 5>, Tanh, Dense<5, 3>, Softmax>, SoftmaxCrossEntropy>(labels, 7);
}

TEST(l1_penalty_and_gradient) {
    Regularization regularization;
    regularization.l1 = 0.01;
    max_gradient_error<DoubleNet<Dense<4, 5>, Tanh, Dense<5, 3>>, MeanSquaredError>(regression_targets, 8,
                                                                                     regularization);
}

TEST(deep_stack_of_every_activation) {
    max_gradient_error<DoubleNet<Dense<4, 6>, Sigmoid, Dense<6, 6>, Tanh, Dense<6, 6>, LeakyReLU<>, Dense<6, 5>,
                                 ReLU, Dense<5, 3>>,
                       SoftmaxCrossEntropy>(labels, 9);
}
