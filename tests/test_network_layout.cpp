// What the network type promises: every size is a constexpr that matches the objects, an
// inference-only network is its parameters and nothing else, summary() reports them, and the
// dropout and softmax layers behave as the textbook says.
#include <cmath>
#include <cstdio>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {
using CaseModel = Sequential<Dense<3, 3>, Sigmoid, Dense<3, 2>, ReLU, Dense<2, 2>, Softmax>;
using Seed = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;
using Sensor = Sequential<Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;

constexpr std::size_t round_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

// Sizes are compile-time facts that firmware can static_assert on.
static_assert(CaseModel::parameter_count == 26);
static_assert(Seed::parameter_count == 784 * 256 + 256 + 256 * 10 + 10);
static_assert(Sensor::parameter_count == 32 * 64 + 64 + 64 * 64 + 64 + 64 * 8 + 8);
static_assert(Seed::parameter_bytes == Seed::parameter_count * 4);
static_assert(Network<double, DefaultTarget, Dense<3, 3>>::parameter_bytes == 12 * 8);
static_assert(CaseModel::input_size == 3 && CaseModel::output_size == 2 && CaseModel::ends_with_softmax);
static_assert(!Seed::ends_with_softmax);
static_assert(CaseModel::parameter_offset(2) == 12 && CaseModel::parameter_offset(4) == 20);
static_assert(Seed::widest_layer == 256 && Seed::activations_per_sample == 256 + 256 + 10);
// An inference-only network carries its parameters only.
static_assert(sizeof(Seed) == round_up(Seed::parameter_bytes, storage_alignment));
static_assert(sizeof(Sensor) == round_up(Sensor::parameter_bytes, storage_alignment));
static_assert(alignof(Seed) == storage_alignment);
// A trainer is what it says it is: training_bytes + optimizer state, plus a few scalars.
using SensorTrainer = Trainer<Sensor, SoftmaxCrossEntropy, Adam, 32>;
static_assert(SensorTrainer::optimizer_state_bytes >= 2 * Sensor::parameter_bytes);
static_assert(sizeof(SensorTrainer) >= SensorTrainer::memory_bytes);
static_assert(sizeof(SensorTrainer) <= SensorTrainer::memory_bytes + SensorTrainer::settings_bytes +
                                           SensorTrainer::aligned_arrays * storage_alignment);
// a step count and the step's learning rate in S
static_assert(Trainer<Sensor, SoftmaxCrossEntropy, Sgd, 32>::optimizer_state_bytes == 16);
static_assert(Trainer<CaseModel, SoftmaxCrossEntropy, Sgd, 5>::trained_layers == 5);  // final Softmax fused
static_assert(Trainer<CaseModel, MeanSquaredError, Sgd, 5>::trained_layers == 6);

}  // namespace

TEST(summary_of_the_case_model_reports_26_parameters) {
    char text[2048] = {};
    std::FILE* file = std::tmpfile();
    CHECK(file != nullptr);
    if (!file) return;
    CaseModel::summary(file, 5);
    std::rewind(file);
    const std::size_t n = std::fread(text, 1, sizeof text - 1, file);
    std::fclose(file);
    text[n] = 0;
    std::printf("%s", text);
    CHECK(std::strstr(text, "Trainable params: 26\n") != nullptr);
    CHECK(std::strstr(text, "Parameter bytes: 104 ") != nullptr);
    CHECK(std::strstr(text, "Softmax      [-1, 2]") != nullptr);
    CHECK(std::strstr(text, "Dense        [-1, 3]                  12") != nullptr);
}

TEST(single_and_batched_inference_agree) {
    static Seed net;
    net.init(3);
    static float x[4 * 784], batched[4 * 10], scratch[Seed::inference_scratch_count<4>];
    Pcg32 rng(4);
    for (float& v : x) v = rng.uniform_float();
    CHECK(net.predict_batch<4>(x, batched, scratch) == Status::ok);
    for (std::size_t n = 0; n < 4; ++n) {
        float one[10];
        CHECK(net.predict(x + n * 784, one) == Status::ok);
        for (std::size_t c = 0; c < 10; ++c) CHECK_NEAR(one[c], batched[n * 10 + c], 1e-6);
    }
}

TEST(softmax_output_rows_sum_to_one_even_for_huge_logits) {
    static CaseModel net;
    net.init(5);
    float* last = net.layer_parameters<4>();
    last[0] = 1e4f;  // logits of order 1e4: exp() would overflow without the max shift
    const float x[3] = {1, 2, 3};
    float y[2] = {};
    CHECK(net.predict(x, y) == Status::ok);
    CHECK(std::isfinite(y[0]) && std::isfinite(y[1]));
    CHECK_NEAR(y[0] + y[1], 1.0, 1e-6);
}

TEST(dropout_drops_p_and_rescales_the_rest) {
    using Net = Sequential<Dense<1, 1000>, Dropout<20>>;
    static Net net;
    Pcg32 rng(6);
    net.init_layer<0>(init::Constant{0}, rng, init::Constant{1});  // every unit outputs 1 before dropout
    static Trainer<Net, MeanSquaredError, Sgd, 4> trainer(net);
    const float x[4] = {0, 0, 0, 0};
    static float targets[4000];
    CHECK(trainer.compute_gradients(x, targets) == Status::ok);
    std::size_t dropped = 0, kept_scaled = 0;
    for (std::size_t i = 0; i < 4000; ++i) {
        const float y = trainer.outputs()[i];
        dropped += y == 0.0f;
        kept_scaled += std::fabs(y - 1.25f) < 1e-6f;
    }
    std::printf("  dropped %lu of 4000 (expected 800 +- 4 sd = 101)\n", static_cast<unsigned long>(dropped));
    CHECK(dropped + kept_scaled == 4000);
    CHECK_NEAR(double(dropped), 800.0, 4 * std::sqrt(4000 * 0.2 * 0.8));
    // evaluation mode: the identity
    float y[1000];
    const float one[1] = {0};
    CHECK(net.predict(one, y) == Status::ok);
    for (float v : y) CHECK(v == 1.0f);
}
