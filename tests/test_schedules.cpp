// Learning-rate schedules against torch.optim.lr_scheduler (tests/pytorch/generate_fixtures.py,
// build_schedules: 120 steps from a base rate of 0.1, stored as float32 pairs that sum to the double),
// and a training run that resumes mid-schedule from a training blob with the same bits.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"
#include "fixture.hpp"

using namespace tinymlp;

namespace {

tinymlp_test::Fixture fixture;

// PyTorch's schedulers update the rate recursively (rate *= gamma, ...) where ours are closed
// forms: the two agree to a few ulp of a double.
template <class Schedule>
void compare_with_pytorch(const char* record, const Schedule& schedule) {
    char path[512];
    if (!fixture.has("rates_step") && !fixture.load(tinymlp_test::fixture_path(path, sizeof path, "schedules.bin"))) {
        CHECK(false);
        return;
    }
    const tinymlp_test::FixtureArray* rates = fixture.find(record);
    CHECK(rates != nullptr);
    if (!rates) return;
    CHECK(rates->count == 240);
    CHECK(schedule.valid());
    double worst = 0;
    for (std::uint64_t t = 0; t < 120; ++t) {
        const double expected = static_cast<double>(rates->f32[2 * t]) + static_cast<double>(rates->f32[2 * t + 1]);
        const double actual = 0.1 * schedule(t);
        worst = std::fmax(worst, std::fabs(actual - expected) / expected);
        CHECK_NEAR(actual, expected, 1e-13 * expected);
    }
    std::printf("  %-18s largest relative difference %.3g over 120 steps\n", record, worst);
}

}  // namespace

TEST(step_decay_is_torch_step_lr) { compare_with_pytorch("rates_step", schedule::StepDecay{7, 0.5}); }
TEST(exponential_is_torch_exponential_lr) { compare_with_pytorch("rates_exponential", schedule::Exponential{0.97}); }
TEST(cosine_is_torch_cosine_annealing_lr) { compare_with_pytorch("rates_cosine", schedule::Cosine{40, 0.1}); }
TEST(linear_is_torch_linear_lr) { compare_with_pytorch("rates_linear", schedule::Linear{0.25, 1.0, 10}); }

TEST(invalid_schedules_are_said_so_and_their_rates_refused) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(!(schedule::StepDecay{0, 0.5}.valid()));
    CHECK(!(schedule::StepDecay{10, -0.5}.valid()));
    CHECK(!(schedule::Exponential{nan}.valid()));
    CHECK(!(schedule::Cosine{0}.valid()));
    CHECK(!(schedule::Cosine{10, -1}.valid()));
    CHECK(!(schedule::Linear{0, 1, 5}.valid()));
    CHECK(!(schedule::Linear{0.5, nan, 5}.valid()));
    // A rate from a bad schedule does not reach the weights: the trainer refuses it.
    using Net = Sequential<Dense<2, 2>>;
    static Net net;
    net.init(1);
    static Trainer<Net, MeanSquaredError, Sgd, 1> trainer(net);
    trainer.optimizer().learning_rate = 0.1 * schedule::Exponential{nan}(3);
    const float x[2] = {1, 2}, t[2] = {0, 1};
    static unsigned char before[sizeof(Net)];
    std::memcpy(before, &net, sizeof before);
    CHECK(trainer.step(x, t) == Status::invalid_hyperparameter);
    CHECK(std::memcmp(before, &net, sizeof before) == 0);
}

TEST(a_run_resumed_mid_schedule_from_a_training_blob_has_the_same_bits) {
    using Net = Sequential<Dense<4, 8>, Tanh, Dense<8, 3>>;
    using T = Trainer<Net, SoftmaxCrossEntropy, Adam, 4>;
    const float x[4 * 4] = {0.1f, 0.2f, -0.3f, 0.4f, -1, 0.5f, 0.25f, 0, 0.7f, -0.7f, 0.1f, 0.9f, 0, 0, 1, -1};
    const std::int32_t labels[4] = {0, 2, 1, 2};
    const schedule::Cosine cosine{12, 0.05};
    const auto train = [&](T& trainer, int steps) {
        for (int i = 0; i < steps; ++i) {
            trainer.optimizer().learning_rate = 0.05 * cosine(trainer.state().steps);
            CHECK(trainer.step(x, labels) == Status::ok);
        }
    };
    static Net straight, resumed;
    straight.init(3);
    resumed.init(3);
    static T a(straight), b(resumed);
    train(a, 20);
    train(b, 9);
    static unsigned char blob[training_blob_bytes<T>];
    CHECK(save_training_blob(b, blob, sizeof blob) == BlobStatus::ok);

    static Net restored;
    restored.init(99);  // whatever it held is replaced by the blob
    static T c(restored);
    CHECK(load_training_blob(c, blob, sizeof blob) == BlobStatus::ok);
    CHECK(c.state().steps == 9);
    train(c, 11);
    CHECK(std::memcmp(&straight, &restored, sizeof straight) == 0);
    CHECK(std::memcmp(a.state().scalars(), c.state().scalars(), sizeof a.state().moments) == 0);
}
