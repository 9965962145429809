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

TEST(dropout_stream_is_unchanged_by_a_refused_compute_gradients) {
    warm_up();
    // Inputs near the float limit pass the input check but overflow in the forward pass, after
    // Dropout has drawn its mask: compute_gradients must refuse them and give the draws back.
    static Classifier a, b;
    a.init(22);
    b.init(22);
    static ClassifierTrainer ta(a, Adam{0.01}), tb(b, Adam{0.01});
    float huge[B * 3];
    for (float& value : huge) value = 3e38f;
    CHECK(ta.compute_gradients(huge, good_labels) == Status::non_finite_loss);
    float la = 0, lb = 0;
    CHECK(ta.step(good_x, good_labels, &la) == Status::ok);
    CHECK(tb.step(good_x, good_labels, &lb) == Status::ok);
    CHECK(la == lb);
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
}
