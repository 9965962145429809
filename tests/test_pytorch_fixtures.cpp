// Every network, loss and optimizer against PyTorch 1.13 (reference computed in float64 from the
// same float32 weights and inputs, see tests/pytorch/generate_fixtures.py): outputs, loss, every
// parameter gradient, and the parameters and losses of 3 optimizer steps.
//
// Tolerance for a value r computed in float here: |x - r| <= 1e-5 * max|r over the array| + 1e-5 |r|,
// i.e. float32 accumulation error relative to the array's scale. Parameters after Adam steps get
// 5e-4 * lr more: for gradients near eps, Adam's m / (sqrt(v) + eps) amplifies float32 rounding
// of the gradient (seen: 1.2e-6 where the rest allows 9.1e-7, on one of the 235146 parameters of
// the 784-256-128-10 net at lr 1e-3). Long runs against PyTorch in float32 are in
// test_pytorch_long_runs.cpp.
#include <cmath>
#include <cstdint>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"
#include "fixture.hpp"

#ifndef TINYMLP_TEST_SMALL_MEMORY
#define TINYMLP_TEST_SMALL_MEMORY 0
#endif

using namespace tinymlp;
using tinymlp_test::Fixture;
using tinymlp_test::FixtureArray;

namespace {

Fixture fixture;

const FixtureArray* require(const char* name) {
    const FixtureArray* array = fixture.find(name);
    if (!array) std::printf("  missing record %s\n", name);
    CHECK(array != nullptr);
    return array;
}

// Compares `count` values against a float32 record; prints the largest error seen.
template <class S>
void compare(const char* what, const S* actual, const char* record, std::size_t count, double slack = 0) {
    const FixtureArray* reference = require(record);
    if (!reference) return;
    CHECK(reference->count == count);
    double scale = 0;
    for (std::size_t i = 0; i < count; ++i) scale = std::fmax(scale, std::fabs(reference->f32[i]));
    double worst = 0;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const double r = reference->f32[i], error = std::fabs(static_cast<double>(actual[i]) - r);
        const double tolerance = 1e-5 * scale + 1e-5 * std::fabs(r) + slack;
        worst = std::fmax(worst, error);
        if (!(error <= tolerance) && failures++ < 5)
            std::printf("  %s[%lu]: got %.9g, expected %.9g\n", what, static_cast<unsigned long>(i),
                        static_cast<double>(actual[i]), r);
    }
    std::printf("  %-22s max |error| %.3g (scale %.3g, %lu values)\n", what, worst, scale,
                static_cast<unsigned long>(count));
    CHECK(failures == 0);
}

template <class Net>
bool load_fixture(const char* file, Net& net) {
    char path[512];
    if (!fixture.load(tinymlp_test::fixture_path(path, sizeof path, file))) return false;
    const FixtureArray* params = require("params");
    if (!params || params->count != Net::parameter_count) {
        std::printf("  params: %lu values, network has %lu\n",
                    static_cast<unsigned long>(params ? params->count : 0),
                    static_cast<unsigned long>(Net::parameter_count));
        return false;
    }
    for (std::size_t i = 0; i < Net::parameter_count; ++i) net.parameters()[i] = params->f32[i];
    return true;
}

template <class Loss>
const typename Loss::template target_type_for<float>* targets_of() {
    if constexpr (Loss::fuses_softmax) return fixture.find("labels")->i32;
    else return fixture.find("targets")->f32;
}

template <class Net, class Loss, class Optimizer, std::size_t B>
void run_three_steps(Net& net, const char* opt, const Optimizer& optimizer, const Regularization& regularization,
                     double slack = 0) {
    for (std::size_t i = 0; i < Net::parameter_count; ++i) net.parameters()[i] = fixture.find("params")->f32[i];
    static Trainer<Net, Loss, Optimizer, B> trainer(net);
    trainer = Trainer<Net, Loss, Optimizer, B>(net, optimizer, regularization);
    trainer.set_dropout_active(false);  // fixtures are taken in evaluation mode
    float losses[3];
    for (float& loss : losses) CHECK(trainer.step(fixture.find("x")->f32, targets_of<Loss>(), &loss) == Status::ok);
    char record[64], what[64];
    std::snprintf(record, sizeof record, "losses_%s", opt);
    std::snprintf(what, sizeof what, "%s: losses", opt);
    compare(what, losses, record, 3);
    std::snprintf(record, sizeof record, "after_%s", opt);
    std::snprintf(what, sizeof what, "%s: params", opt);
    compare(what, net.parameters(), record, Net::parameter_count, slack);
}

// Checks outputs, loss, gradients and every optimizer configuration stored in `file`.
template <class Net, class Loss, std::size_t B>
void check_against_pytorch(const char* file) {
    static Net net;
    if (!load_fixture(file, net)) {
        CHECK(false);
        return;
    }
    const float* x = require("x")->f32;
    CHECK(require("x")->count == B * Net::input_size);

    static float outputs[B * Net::output_size];
    static float scratch[Net::template inference_scratch_count<B>];
    CHECK(net.template predict_batch<B>(x, outputs, scratch) == Status::ok);
    compare("output", outputs, "output", B * Net::output_size);

    static Trainer<Net, Loss, Sgd, B> trainer(net);
    trainer = Trainer<Net, Loss, Sgd, B>(net);
    trainer.set_dropout_active(false);  // fixtures are taken in evaluation mode
    float loss = 0;
    CHECK(trainer.compute_gradients(x, targets_of<Loss>(), &loss) == Status::ok);
    compare("loss", &loss, "loss", 1);
    compare("gradients", trainer.gradients(), "grads", Net::parameter_count);

    for (std::size_t r = 0; r < fixture.size(); ++r) {
        const FixtureArray& config = fixture.at(r);
        if (std::strncmp(config.name, "opt_", 4) != 0) continue;
        const char* opt = config.name + 4;
        const float* c = config.f32;  // kind, lr, momentum, nesterov, beta1, beta2, eps, wd, l1, clip
        Regularization regularization;
        regularization.weight_decay = c[7];
        regularization.l1 = c[8];
        regularization.clip_norm = c[9];
        if (c[0] == 1)
            run_three_steps<Net, Loss, Adam, B>(net, opt, Adam{c[1], c[4], c[5], c[6]}, regularization, 5e-4 * c[1]);
        else if (c[2] != 0)
            run_three_steps<Net, Loss, Momentum, B>(net, opt, Momentum{c[1], c[2], c[3] != 0}, regularization);
        else
            run_three_steps<Net, Loss, Sgd, B>(net, opt, Sgd{c[1]}, regularization);
    }
}

}  // namespace

TEST(case_model_3_3_2_2) {
    using Net = Sequential<Dense<3, 3>, Sigmoid, Dense<3, 2>, ReLU, Dense<2, 2>, Softmax>;
    static_assert(Net::parameter_count == 26);
    check_against_pytorch<Net, SoftmaxCrossEntropy, 5>("case_model.bin");
}

#if TINYMLP_TEST_SMALL_MEMORY
// The two 784-input networks with their trainers need about 5.4 MB besides a 3.7 MB fixture.
TEST(mlp_784_256_10_relu_softmax_cross_entropy) { SKIP("784-input networks do not fit this target's RAM"); }
TEST(mlp_784_256_128_10_adam_and_momentum) { SKIP("784-input networks do not fit this target's RAM"); }
#else
TEST(mlp_784_256_10_relu_softmax_cross_entropy) {
    check_against_pytorch<Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>, SoftmaxCrossEntropy, 8>(
        "mlp_784_256_10.bin");
}

TEST(mlp_784_256_128_10_adam_and_momentum) {
    check_against_pytorch<Sequential<Dense<784, 256>, ReLU, Dense<256, 128>, ReLU, Dense<128, 10>>,
                          SoftmaxCrossEntropy, 8>("mlp_784_256_128_10.bin");
}
#endif

TEST(tanh_mlp_mean_squared_error_every_optimizer) {
    check_against_pytorch<Sequential<Dense<6, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 3>>, MeanSquaredError, 7>(
        "tanh_mse.bin");
}

TEST(prelu_binary_cross_entropy_with_logits) {
    check_against_pytorch<Sequential<Dense<5, 12>, PReLU<>, Dense<12, 8>, PReLU<Slopes::per_unit>, Dense<8, 3>>,
                          BinaryCrossEntropyWithLogits, 6>("prelu_bce.bin");
}

TEST(dropout_in_evaluation_mode) {
    check_against_pytorch<Sequential<Dense<10, 20>, ReLU, Dropout<50>, Dense<20, 4>>, SoftmaxCrossEntropy, 9>(
        "dropout_eval.bin");
}

TEST(leaky_relu_sigmoid_softmax_with_mse) {
    check_against_pytorch<Sequential<Dense<4, 9>, LeakyReLU<1, 10>, Dense<9, 9, Bias::off>, Sigmoid, Dense<9, 5>, Softmax>,
                          MeanSquaredError, 3>("mixed_activations.bin");
}
