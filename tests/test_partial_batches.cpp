// Partial batches (step_partial, evaluate_partial) and gradient accumulation (accumulate,
// apply_accumulated), against the plain batch step whose numbers the PyTorch fixtures check:
//   - k accumulated batches of b samples update as one step on a batch of k * b;
//   - n < B samples update (and evaluate) as a trainer of batch n does on them;
//   - bad sample counts, bad data and an empty accumulation are refused with nothing changed.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

// Wide enough for the SIMD kernels' vectors, tails and (37 x 45 at batch 8) blocked paths; PReLU
// for a per-unit slope gradient, MSE for several targets per sample.
using Classifier = Sequential<Dense<37, 45>, PReLU<Slopes::per_unit>, Dense<45, 6>>;
using Regressor = Sequential<Dense<9, 17>, Tanh, Dense<17, 3>>;

constexpr std::size_t samples = 24;

template <class Net>
struct Data {
    float x[samples * Net::input_size];
    std::int32_t labels[samples];
    float targets[samples * Net::output_size];
    explicit Data(std::uint64_t seed) {
        Pcg32 rng(seed);
        for (float& v : x) v = rng.uniform_float() * 2 - 1;
        for (std::int32_t& label : labels) label = static_cast<std::int32_t>(rng.next_u32() % Net::output_size);
        for (float& v : targets) v = rng.uniform_float() - 0.5f;
    }
};

// Largest difference between two parameter arrays, relative to the larger magnitude (at least 1).
template <class Net>
double largest_difference(const Net& a, const Net& b) {
    double worst = 0;
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
        const double x = a.parameters()[i], y = b.parameters()[i];
        worst = std::fmax(worst, std::fabs(x - y) / std::fmax(1.0, std::fmax(std::fabs(x), std::fabs(y))));
    }
    return worst;
}

template <class Net>
bool same_bits(const Net& a, const Net& b) {
    return std::memcmp(a.parameters(), b.parameters(), Net::parameter_bytes) == 0;
}

// The mean of k batches' gradients against one batch's: the same sums in another order, so float
// rounding: two ulps of 1.0 (the x86 build sees 3e-8).
constexpr double tolerance = 2.4e-7;

}  // namespace

TEST(accumulated_batches_update_as_one_big_batch) {
    static const Data<Classifier> data(1);
    static Classifier big_net, small_net;
    big_net.init(5);
    small_net.init(5);
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 8> big(big_net, Adam{0.01});
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 2> small(small_net, Adam{0.01});
    double worst = 0;
    for (int step = 0; step < 6; ++step) {
        const std::size_t first = static_cast<std::size_t>(step % 3) * 8;
        float big_loss = 0, mean_loss = 0;
        CHECK(big.step(data.x + first * 37, data.labels + first, &big_loss) == Status::ok);
        for (std::size_t k = 0; k < 4; ++k) {
            float loss = 0;
            CHECK(small.accumulate(data.x + (first + 2 * k) * 37, data.labels + first + 2 * k, &loss) == Status::ok);
            mean_loss += loss / 4;
        }
        CHECK(small.accumulated_batches() == 4);
        CHECK(small.apply_accumulated() == Status::ok);
        CHECK(small.accumulated_batches() == 0);
        CHECK_NEAR(mean_loss, big_loss, 1e-6);
        CHECK_NEAR(small.last_gradient_norm(), big.last_gradient_norm(), 1e-6 * big.last_gradient_norm());
        worst = std::fmax(worst, largest_difference(big_net, small_net));
    }
    std::printf("  6 Adam steps, batch 8 vs 4 x 2 accumulated: largest parameter difference %.2e\n", worst);
    CHECK(worst <= tolerance);
}

TEST(accumulation_with_l1_and_clipping_matches_the_big_batch) {
    static const Data<Regressor> data(2);
    static Regressor big_net, small_net;
    big_net.init(6);
    small_net.init(6);
    Regularization regularization;
    regularization.l1 = 1e-3;
    regularization.clip_norm = 0.05;  // below the gradient norms here: every step is clipped
    static Trainer<Regressor, MeanSquaredError, Momentum, 12> big(big_net, Momentum{0.1, 0.9}, regularization);
    static Trainer<Regressor, MeanSquaredError, Momentum, 4> small(small_net, Momentum{0.1, 0.9}, regularization);
    double worst = 0;
    for (int step = 0; step < 8; ++step) {
        const std::size_t first = static_cast<std::size_t>(step % 2) * 12;
        CHECK(big.step(data.x + first * 9, data.targets + first * 3) == Status::ok);
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(small.accumulate(data.x + (first + 4 * k) * 9, data.targets + (first + 4 * k) * 3) == Status::ok);
        CHECK(small.apply_accumulated() == Status::ok);
        CHECK(big.last_gradient_norm() > 0.05);
        worst = std::fmax(worst, largest_difference(big_net, small_net));
    }
    std::printf("  8 momentum steps with L1 and clipping, batch 12 vs 3 x 4: largest difference %.2e\n", worst);
    CHECK(worst <= tolerance);
}

TEST(a_partial_batch_updates_as_a_batch_of_its_size) {
    static const Data<Classifier> data(3);
    static Classifier full_net, partial_net;
    full_net.init(7);
    partial_net.init(7);
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 5> five(full_net, Adam{0.01});
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 8> eight(partial_net, Adam{0.01});
    double worst = 0;
    for (int step = 0; step < 4; ++step) {
        const std::size_t first = static_cast<std::size_t>(step) * 5;
        float loss5 = 0, loss8 = 0;
        CHECK(five.step(data.x + first * 37, data.labels + first, &loss5) == Status::ok);
        CHECK(eight.step_partial(data.x + first * 37, data.labels + first, 5, &loss8) == Status::ok);
        CHECK_NEAR(loss8, loss5, 1e-6);
        worst = std::fmax(worst, largest_difference(full_net, partial_net));
    }
    std::printf("  4 Adam steps on 5 samples, batch 5 vs step_partial(5) of batch 8: largest difference %.2e\n", worst);
    CHECK(worst <= tolerance);

    float loss5 = 0, loss8 = 0;
    std::size_t right5 = 0, right8 = 0;
    CHECK(five.evaluate(data.x + 19 * 37, data.labels + 19, &loss5, &right5) == Status::ok);
    CHECK(eight.evaluate_partial(data.x + 19 * 37, data.labels + 19, 5, &loss8, &right8) == Status::ok);
    CHECK_NEAR(loss8, loss5, 1e-5 * std::fabs(loss5));
    CHECK(right8 == right5);
}

TEST(a_partial_batch_of_regression_targets_updates_as_a_batch_of_its_size) {
    static const Data<Regressor> data(4);
    static Regressor full_net, partial_net;
    full_net.init(8);
    partial_net.init(8);
    static Trainer<Regressor, MeanSquaredError, Adam, 3> three(full_net, Adam{0.02});
    static Trainer<Regressor, MeanSquaredError, Adam, 16> sixteen(partial_net, Adam{0.02});
    for (int step = 0; step < 5; ++step) {
        const std::size_t first = static_cast<std::size_t>(step) * 3;
        CHECK(three.step(data.x + first * 9, data.targets + first * 3) == Status::ok);
        CHECK(sixteen.step_partial(data.x + first * 9, data.targets + first * 3, 3) == Status::ok);
    }
    const double worst = largest_difference(full_net, partial_net);
    std::printf("  5 Adam steps on 3 samples (MSE, 3 targets each): largest difference %.2e\n", worst);
    CHECK(worst <= tolerance);
}

TEST(a_full_partial_batch_is_a_step) {
    static const Data<Classifier> data(5);
    static Classifier a, b;
    a.init(9);
    b.init(9);
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 8> ta(a, Adam{0.01}), tb(b, Adam{0.01});
    CHECK(ta.step(data.x, data.labels) == Status::ok);
    CHECK(tb.step_partial(data.x, data.labels, 8) == Status::ok);
    CHECK(same_bits(a, b));
}

TEST(bad_sample_counts_and_data_are_refused_with_nothing_changed) {
    static Data<Classifier> data(6);
    static Classifier net, before;
    net.init(10);
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 8> trainer(net, Adam{0.01});
    CHECK(trainer.step(data.x, data.labels) == Status::ok);
    before = net;
    const auto unchanged = [&] { return same_bits(net, before); };

    float loss = 42;
    CHECK(trainer.step_partial(data.x, data.labels, 0, &loss) == Status::invalid_sample_count);
    CHECK(trainer.step_partial(data.x, data.labels, 9, &loss) == Status::invalid_sample_count);
    CHECK(trainer.evaluate_partial(data.x, data.labels, 0, &loss) == Status::invalid_sample_count);
    CHECK(trainer.evaluate_partial(data.x, data.labels, 9, &loss) == Status::invalid_sample_count);
    CHECK(trainer.apply_accumulated() == Status::invalid_sample_count);
    CHECK(loss == 42 && unchanged());

    // a bad value in the third of five samples: refused before any sample runs
    data.x[2 * 37 + 4] = std::nanf("");
    CHECK(trainer.step_partial(data.x, data.labels, 5) == Status::non_finite_input);
    CHECK(trainer.accumulate(data.x, data.labels) == Status::non_finite_input);
    CHECK(trainer.accumulated_batches() == 0);
    data.x[2 * 37 + 4] = 0.5f;
    data.labels[3] = 6;  // 6 classes: 0..5
    CHECK(trainer.step_partial(data.x, data.labels, 5) == Status::label_out_of_range);
    CHECK(trainer.evaluate_partial(data.x, data.labels, 5, &loss) == Status::label_out_of_range);
    data.labels[3] = 1;
    // past the n samples nothing is read or checked
    data.labels[6] = -1;
    CHECK(unchanged());
    CHECK(trainer.step_partial(data.x, data.labels, 6) == Status::ok);
    CHECK(!unchanged());

    // a refused batch is not added to the accumulation
    CHECK(trainer.accumulate(data.x, data.labels + 8) == Status::ok);
    data.labels[8 + 2] = 99;
    CHECK(trainer.accumulate(data.x, data.labels + 8) == Status::label_out_of_range);
    CHECK(trainer.accumulated_batches() == 1);
    data.labels[8 + 2] = 2;
    before = net;
    CHECK(trainer.apply_accumulated() == Status::ok);
    CHECK(!unchanged());
}

TEST(writing_the_gradients_otherwise_discards_an_accumulation) {
    static Data<Classifier> data(7);
    static Classifier net;
    net.init(11);
    static Trainer<Classifier, SoftmaxCrossEntropy, Adam, 8> trainer(net, Adam{0.01});
    CHECK(trainer.accumulate(data.x, data.labels) == Status::ok);
    CHECK(trainer.accumulate(data.x + 8 * 37, data.labels + 8) == Status::ok);
    CHECK(trainer.step(data.x + 16 * 37, data.labels + 16) == Status::ok);  // overwrites the gradients
    CHECK(trainer.accumulated_batches() == 0);
    CHECK(trainer.apply_accumulated() == Status::invalid_sample_count);
    CHECK(trainer.accumulate(data.x, data.labels) == Status::ok);
    CHECK(trainer.step_partial(data.x, data.labels, 3) == Status::ok);
    CHECK(trainer.accumulated_batches() == 0);
    CHECK(trainer.accumulate(data.x, data.labels) == Status::ok);
    (void)trainer.gradients();  // a training-blob load stages parameters there
    CHECK(trainer.accumulated_batches() == 0);
    // a refused step writes nothing and keeps the accumulation
    CHECK(trainer.accumulate(data.x, data.labels) == Status::ok);
    data.labels[0] = 6;
    CHECK(trainer.step(data.x, data.labels) == Status::label_out_of_range);
    data.labels[0] = 0;
    CHECK(trainer.accumulated_batches() == 1);
    CHECK(trainer.apply_accumulated() == Status::ok);
}

// The norm against one taken here in double from gradients(): 0 before any gradient, the held
// gradients' after a step or an accumulation, the norm before clipping when clipping is on.
TEST(the_last_gradient_norm_is_that_of_the_gradients_held) {
    static Data<Regressor> data(5);
    static Regressor net;
    net.init(3);
    static Trainer<Regressor, MeanSquaredError, Sgd, 4> trainer(net, Sgd{0.05});
    const auto norm_of_gradients = [] {
        double sum = 0;
        for (std::size_t i = 0; i < Regressor::parameter_count; ++i) {
            const double g = static_cast<const decltype(trainer)&>(trainer).gradients()[i];
            sum += g * g;
        }
        return std::sqrt(sum);
    };
    CHECK(trainer.last_gradient_norm() == 0);
    CHECK(trainer.step(data.x, data.targets) == Status::ok);
    const double first = norm_of_gradients();
    std::printf("  norm after a step %.6f, from gradients() %.6f\n", static_cast<double>(trainer.last_gradient_norm()), first);
    CHECK(first > 0.01);
    CHECK_NEAR(trainer.last_gradient_norm(), first, 1e-6 * first);
    CHECK(trainer.accumulate(data.x + 4 * 9, data.targets + 4 * 3) == Status::ok);
    CHECK_NEAR(trainer.last_gradient_norm(), norm_of_gradients(), 1e-6 * first);
    CHECK(std::fabs(norm_of_gradients() - first) > 1e-3 * first);  // another batch's gradients
    CHECK(trainer.apply_accumulated() == Status::ok);

    Regularization clipping;
    clipping.clip_norm = 0.5 * first;
    trainer.regularization() = clipping;
    CHECK(trainer.step(data.x, data.targets) == Status::ok);
    const double clipped = norm_of_gradients();
    std::printf("  clipped to %.6f: held norm %.6f, norm of the clipped gradients %.6f\n", clipping.clip_norm,
                static_cast<double>(trainer.last_gradient_norm()), clipped);
    CHECK(trainer.last_gradient_norm() > clipping.clip_norm);
    const double held = trainer.last_gradient_norm();  // scaled by clip_norm / (norm + 1e-6), as torch does
    CHECK_NEAR(clipped, clipping.clip_norm * held / (held + 1e-6), 1e-6 * first);
    // gradients written from outside: their own norm again
    trainer.gradients()[0] = 3;
    CHECK(trainer.last_gradient_norm() >= 3);
}
