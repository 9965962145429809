// Bad data at run time: each case returns its Status and leaves the parameters, the optimizer
// state and the dropout stream byte for byte as they were; a good step afterwards still works.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

constexpr std::size_t B = 4;
constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();
constexpr float inf = std::numeric_limits<float>::infinity();

using Classifier = Sequential<Dense<3, 6>, ReLU, Dropout<25>, Dense<6, 3>>;
using ClassifierTrainer = Trainer<Classifier, SoftmaxCrossEntropy, Adam, B>;
using Regressor = Sequential<Dense<3, 6>, Tanh, Dense<6, 2>>;
using RegressorTrainer = Trainer<Regressor, MeanSquaredError, Momentum, B>;

Classifier classifier;
ClassifierTrainer classifier_trainer(classifier, Adam{0.01});
Regressor regressor;
RegressorTrainer regressor_trainer(regressor, Momentum{0.01, 0.9});

float good_x[B * 3] = {0.1f, -0.2f, 0.3f, 1.0f, 0.5f, -0.5f, 0.0f, 0.7f, -1.2f, 0.4f, 0.4f, 0.4f};
std::int32_t good_labels[B] = {0, 1, 2, 1};
float good_targets[B * 2] = {0.5f, -0.5f, 1.0f, 0.0f, -0.3f, 0.2f, 0.9f, 0.1f};

// The whole trainer object holds the optimizer state and dropout stream; the network its weights.
template <class Net, class T>
struct Snapshot {
    unsigned char params[sizeof(Net)];
    unsigned char state[sizeof(typename T::optimizer_state)];
    void take(const Net& net, const T& trainer) {
        std::memcpy(params, &net, sizeof params);
        std::memcpy(state, &trainer.state(), sizeof state);
    }
    bool same(const Net& net, const T& trainer) const {
        return std::memcmp(params, &net, sizeof params) == 0 && std::memcmp(state, &trainer.state(), sizeof state) == 0;
    }
};

template <class Net, class T, class Targets>
void expect_refused(Net& net, T& trainer, const float* x, const Targets* targets, Status expected) {
    static Snapshot<Net, T> before;
    before.take(net, trainer);
    float loss = -1;
    const Status status = trainer.step(x, targets, &loss);
    std::printf("  step -> %s\n", to_string(status));
    CHECK(status == expected);
    CHECK(loss == -1);  // no loss reported for a refused step
    CHECK(before.same(net, trainer));
}

void warm_up() {
    static bool done = false;
    if (done) return;
    done = true;
    classifier.init(11);
    regressor.init(12);
    for (int i = 0; i < 3; ++i) {  // non-zero optimizer state to protect
        CHECK(classifier_trainer.step(good_x, good_labels) == Status::ok);
        CHECK(regressor_trainer.step(good_x, good_targets) == Status::ok);
    }
}

}  // namespace

TEST(non_finite_input_is_refused) {
    warm_up();
    float x[B * 3];
    for (float bad : {not_a_number, inf, -inf}) {
        std::memcpy(x, good_x, sizeof x);
        x[7] = bad;
        expect_refused(classifier, classifier_trainer, x, good_labels, Status::non_finite_input);
        expect_refused(regressor, regressor_trainer, x, good_targets, Status::non_finite_input);
        float y[3];
        CHECK(classifier.predict(x + 6, y) == Status::non_finite_input);
    }
}

TEST(label_out_of_range_is_refused) {
    warm_up();
    std::int32_t labels[B];
    for (std::int32_t bad : {-1, 3, 1000}) {
        std::memcpy(labels, good_labels, sizeof labels);
        labels[2] = bad;
        expect_refused(classifier, classifier_trainer, good_x, labels, Status::label_out_of_range);
    }
}

TEST(non_finite_target_is_refused) {
    warm_up();
    float targets[B * 2];
    std::memcpy(targets, good_targets, sizeof targets);
    targets[5] = not_a_number;
    expect_refused(regressor, regressor_trainer, good_x, targets, Status::non_finite_target);
}

TEST(non_finite_loss_is_refused) {
    warm_up();
    // Finite but huge targets: (y - t)^2 overflows float.
    float targets[B * 2];
    std::memcpy(targets, good_targets, sizeof targets);
    targets[0] = 3e38f;
    expect_refused(regressor, regressor_trainer, good_x, targets, Status::non_finite_loss);
}

TEST(non_finite_gradient_is_refused) {
    // Finite loss (log-sum-exp keeps it finite), but dH = dZ W^T sums two weights of 3e38: inf.
    using Net = Sequential<Dense<2, 2>, ReLU, Dense<2, 2>>;
    static Net net;
    static Trainer<Net, SoftmaxCrossEntropy, Sgd, 1> trainer(net, Sgd{0.1});
    float* p = net.parameters();
    const float first[] = {1e-30f, 1e-30f, 1e-30f, 1e-30f, 0, 0};   // W1 [2][2], b1 [2]
    const float second[] = {3e38f, -3e38f, 3e38f, -3e38f, 0, 0};    // W2 [2][2], b2 [2]
    std::memcpy(p, first, sizeof first);
    std::memcpy(p + 6, second, sizeof second);
    const float x[2] = {1, 1};
    const std::int32_t label[1] = {1};
    expect_refused(net, trainer, x, label, Status::non_finite_gradient);
}

TEST(a_wide_layer_bound_decides_only_what_it_can) {
    // Dense<16, 16> at batch 1: its 272 gradients are checked through the bound from the largest
    // |x| and |dy| (32 values; on xsimd's instruction sets the input check gives the |x|).
    // x = 1e30 and dy = 1e7 fail the bound with finite gradients (1e37): they are then tested
    // one by one and the step is taken; x = 1e32 makes them 1e39 (infinite).
    using Net = Sequential<Dense<16, 16>>;
    static_assert(Net::gradient_bound_pays<1, 0>);
    static Net net;
    static Trainer<Net, MeanSquaredError, Sgd, 1> trainer(net, Sgd{1e-30});
    float x[16], target[16];
    for (float& t : target) t = -8e7f;  // dy = 2 (0 - t) / 16 = 1e7
    for (float scale : {1e30f, 1e32f}) {
        for (std::size_t i = 0; i < Net::parameter_count; ++i) net.parameters()[i] = 0;
        for (float& v : x) v = scale;
        const Status status = trainer.step(x, target);
        std::printf("  |x| %.0e, |dy| 1e7: %s, w[0] %.3g\n", static_cast<double>(scale), to_string(status),
                    static_cast<double>(net.parameters()[0]));
        if (scale == 1e30f) {
            CHECK(status == Status::ok);
            CHECK_NEAR(net.parameters()[0], -1e7, 1e7 * 1e-6);  // w - 1e-30 * 1e37
        } else {
            CHECK(status == Status::non_finite_gradient);
            CHECK(net.parameters()[0] == 0);
        }
    }
}

TEST(dropout_stream_is_unchanged_by_a_refused_step) {
    warm_up();
    // Two identical trainers; one sees a refused step first. Their next good steps must agree.
    static Classifier a, b;
    a.init(21);
    b.init(21);
    static ClassifierTrainer ta(a, Adam{0.01}), tb(b, Adam{0.01});
    float x[B * 3];
    std::memcpy(x, good_x, sizeof x);
    x[0] = not_a_number;
    CHECK(ta.step(x, good_labels) == Status::non_finite_input);
    std::int32_t labels[B] = {0, 1, 5, 1};
    CHECK(ta.step(good_x, labels) == Status::label_out_of_range);
    float la = 0, lb = 0;
    CHECK(ta.step(good_x, good_labels, &la) == Status::ok);
    CHECK(tb.step(good_x, good_labels, &lb) == Status::ok);
    CHECK(la == lb);
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
}

TEST(a_good_step_after_refusals_still_learns) {
    warm_up();
    float first = 0, last = 0;
    CHECK(regressor_trainer.step(good_x, good_targets, &first) == Status::ok);
    for (int i = 0; i < 200; ++i) CHECK(regressor_trainer.step(good_x, good_targets, &last) == Status::ok);
    std::printf("  loss %.4f -> %.4f\n", first, last);
    CHECK(last < first * 0.5f);
}

TEST(compute_gradients_refusal_leaves_the_dropout_stream) {
    // The loss overflows after the forward pass has drawn its dropout masks: the refusal must put
    // the stream back, so the next good steps equal those of a trainer that never saw the batch.
    using Net = Sequential<Dense<3, 6>, Tanh, Dropout<25>, Dense<6, 2>>;
    using T = Trainer<Net, MeanSquaredError, Sgd, B>;
    static Net a, b;
    a.init(31);
    b.init(31);
    static T ta(a, Sgd{0.1}), tb(b, Sgd{0.1});
    float targets[B * 2];
    std::memcpy(targets, good_targets, sizeof targets);
    targets[0] = 3e38f;
    CHECK(ta.compute_gradients(good_x, targets) == Status::non_finite_loss);
    for (int i = 0; i < 3; ++i) {
        float la = 0, lb = 0;
        CHECK(ta.step(good_x, good_targets, &la) == Status::ok);
        CHECK(tb.step(good_x, good_targets, &lb) == Status::ok);
        CHECK(la == lb);
    }
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
}

TEST(invalid_hyperparameters_are_refused) {
    warm_up();
    const double nan = std::numeric_limits<double>::quiet_NaN(), infinity = std::numeric_limits<double>::infinity();
    const Adam good_adam = classifier_trainer.optimizer();
    for (const Adam& bad : {Adam{nan}, Adam{-0.01}, Adam{infinity}, Adam{0.01, 1.0}, Adam{0.01, -0.1},
                            Adam{0.01, 0.9, nan}, Adam{0.01, 0.9, 1.5}, Adam{0.01, 0.9, 0.999, 0.0},
                            Adam{0.01, 0.9, 0.999, nan}}) {
        classifier_trainer.optimizer() = bad;
        expect_refused(classifier, classifier_trainer, good_x, good_labels, Status::invalid_hyperparameter);
    }
    classifier_trainer.optimizer() = good_adam;

    const Momentum good_momentum = regressor_trainer.optimizer();
    for (const Momentum& bad : {Momentum{nan}, Momentum{0.01, nan}, Momentum{0.01, 1.0}, Momentum{0.01, -0.5}}) {
        regressor_trainer.optimizer() = bad;
        expect_refused(regressor, regressor_trainer, good_x, good_targets, Status::invalid_hyperparameter);
    }
    regressor_trainer.optimizer() = good_momentum;

    for (int field = 0; field < 6; ++field) {
        Regularization bad;
        double* value[] = {&bad.weight_decay, &bad.l1, &bad.clip_norm};
        *value[field % 3] = field < 3 ? nan : -1.0;
        regressor_trainer.regularization() = bad;
        expect_refused(regressor, regressor_trainer, good_x, good_targets, Status::invalid_hyperparameter);
    }
    regressor_trainer.regularization() = Regularization{};

    // Sgd{NaN} used to write NaN into every weight and return ok.
    using Net = Sequential<Dense<3, 2>>;
    static Net net;
    net.init(5);
    static Trainer<Net, MeanSquaredError, Sgd, B> sgd(net, Sgd{nan});
    expect_refused(net, sgd, good_x, good_targets, Status::invalid_hyperparameter);
    sgd.optimizer() = Sgd{0.01};
    CHECK(sgd.step(good_x, good_targets) == Status::ok);
}

TEST(non_finite_weights_give_non_finite_output) {
    using Net = Sequential<Dense<3, 4>, ReLU, Dense<4, 2>>;
    static Net net;
    net.init(7);
    float y[2];
    CHECK(net.predict(good_x, y) == Status::ok);
    net.parameters()[Net::parameter_offset(2) + 3] = not_a_number;  // one weight of the last layer
    CHECK(net.predict(good_x, y) == Status::non_finite_output);
    CHECK(Net::predict_with(net.parameters(), good_x, y) == Status::non_finite_output);
    const NetworkView<Net> view(net.parameters());
    CHECK(view.predict(good_x, y) == Status::non_finite_output);
    float outputs[B * 2], scratch[Net::inference_scratch_count<B>];
    CHECK(net.predict_batch<B>(good_x, outputs, scratch) == Status::non_finite_output);
    std::printf("  predict -> %s\n", to_string(net.predict(good_x, y)));
}

TEST(a_large_finite_gradient_is_not_refused) {
    // |dL/dw| = 3e19: its square overflows float but not the double the reference sums in; every
    // target must accept the step (the norm, 4.2e19, is finite).
    using Net = Sequential<Dense<1, 1>>;
    static Net net;
    static Trainer<Net, MeanSquaredError, Sgd, 1> trainer(net, Sgd{1e-30});
    net.parameters()[0] = 0;
    net.parameters()[1] = 0;
    const float x[1] = {1}, target[1] = {-1.5e19f};
    float loss = 0;
    CHECK(trainer.step(x, target, &loss) == Status::ok);
    std::printf("  loss %.3g, gradient norm %.3g\n", static_cast<double>(loss), trainer.last_gradient_norm());
    CHECK_NEAR(trainer.last_gradient_norm() / (3e19 * std::sqrt(2.0)), 1.0, 1e-6);
}

