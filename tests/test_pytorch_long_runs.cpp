// Long training runs against PyTorch 1.13 in float32 (tests/pytorch/generate_fixtures.py, LONG_RUNS):
// 50-60 optimizer steps over a cycle of 4 batches, Adam, AdamW and Nesterov momentum, weight decay
// on weights only and on every parameter. Both sides compute in float32, so a systematic difference
// in an optimizer's arithmetic (a hyperparameter rounded before `1 - beta` is taken) adds up over
// the steps and shows, where 3 steps against a float64 reference hide it.
//
// Runs with frozen parameters (requires_grad=False in PyTorch; Frozen<> and BiasOnly<> here)
// follow it at the same tolerance, their frozen parameters keep their bits, and the network's
// trainable layout equals the fixture's `trains` mask. Every run also trains through fused updates
// (Update::fused), which must give the bits of the unfused trainer, step by step.
//
// The same runs also train through step_partial (a trainer of a larger batch given the run's
// batch as a partial one) and through gradient accumulation (micro-batches whose mean gradient
// makes the run's batch): both must follow PyTorch's batch at the same tolerance.
//
// Tolerance for a value r: |x - r| <= 1e-5 |r| + 1e-6 * max|r over the array|. The absolute term
// covers parameters that pass near zero; summation order (ours vs PyTorch's BLAS) is the only
// difference between the two runs.
#include <cmath>
#include <cstdint>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"
#include "fixture.hpp"

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

void compare(const char* what, const float* actual, const FixtureArray& reference, std::size_t count) {
    CHECK(reference.count == count);
    double scale = 0;
    for (std::size_t i = 0; i < count; ++i) scale = std::fmax(scale, std::fabs(reference.f32[i]));
    double worst = 0, worst_beyond_relative = 0;  // |error|, and what the relative term leaves of it
    std::size_t failures = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const double r = reference.f32[i], error = std::fabs(static_cast<double>(actual[i]) - r);
        worst = std::fmax(worst, error);
        worst_beyond_relative = std::fmax(worst_beyond_relative, error - 1e-5 * std::fabs(r));
        if (!(error <= 1e-5 * std::fabs(r) + 1e-6 * scale) && failures++ < 5)
            std::printf("  %s[%lu]: got %.9g, expected %.9g\n", what, static_cast<unsigned long>(i),
                        static_cast<double>(actual[i]), r);
    }
    std::printf("  %-6s max |error| %.3g, beyond 1e-5 |r|: %.3g x scale (scale %.3g), %lu of %lu out of tolerance\n",
                what, worst, worst_beyond_relative / scale, scale, static_cast<unsigned long>(failures),
                static_cast<unsigned long>(count));
    CHECK(failures == 0);
}

// The hyperparameters as the generator wrote them in Python (doubles); the fixture's float32 copy
// only confirms that both sides mean the same run.
struct Run {
    const char* file;
    double learning_rate, momentum, beta1, beta2, epsilon, weight_decay;
    bool nesterov, decay_all;
};

template <class Optimizer>
Optimizer optimizer_of(const Run& run) {
    if constexpr (std::is_same_v<Optimizer, Momentum>) {
        return Momentum{run.learning_rate, run.momentum, run.nesterov};
    } else if constexpr (std::is_same_v<Optimizer, Sgd>) {
        return Sgd{run.learning_rate};
    } else {
        Optimizer optimizer;
        optimizer.learning_rate = run.learning_rate;
        optimizer.beta1 = run.beta1;
        optimizer.beta2 = run.beta2;
        optimizer.epsilon = run.epsilon;
        return optimizer;
    }
}

// f(parameter offset, parameter count, trainable_begin) for each layer of Net.
template <class Net, class F, std::size_t... I>
void for_each_layer(F&& f, std::index_sequence<I...>) {
    (f(Net::parameter_offset(I), Net::template layer<I>::param_count, Net::template trainable_begin<I>), ...);
}
template <class Net, class F>
void for_each_layer(F&& f) {
    for_each_layer<Net>(f, std::make_index_sequence<Net::layer_count>{});
}

// How the trainer is given each of the run's batches of B samples.
enum class Feed { batch, partial, accumulated, fused };

// TrainerB: the trainer's batch size: B for Feed::batch, more than B for Feed::partial (step_partial
// with n = B), a divisor of B for Feed::accumulated (B / TrainerB micro-batches per step).
template <class Net, class Loss, class Optimizer, std::size_t B, Feed feed = Feed::batch, std::size_t TrainerB = B>
void train_like_pytorch(const Run& run) {
    static_assert(feed == Feed::batch || feed == Feed::fused ? TrainerB == B
                                      : feed == Feed::partial ? TrainerB > B : B % TrainerB == 0 && TrainerB < B);
    char path[512];
    if (!fixture.load(tinymlp_test::fixture_path(path, sizeof path, run.file))) {
        CHECK(false);
        return;
    }
    const FixtureArray *params = require("params"), *x = require("x"), *config = require("config");
    const FixtureArray* targets = require(Loss::fuses_softmax ? "labels" : "targets");
    const FixtureArray *losses = require("losses"), *after = require("after");
    if (!params || !x || !config || !targets || !losses || !after) return;
    CHECK(params->count == Net::parameter_count && config->count == 13);
    const float kind = std::is_same_v<Optimizer, AdamW> ? 2 : std::is_same_v<Optimizer, Adam> ? 1 : 0;
    const float c[] = {kind, float(run.learning_rate), float(run.momentum),
                       float(run.nesterov), float(run.beta1), float(run.beta2), float(run.epsilon),
                       float(run.weight_decay), 0, 0, float(run.decay_all), float(B)};
    for (std::size_t i = 0; i < sizeof c / sizeof c[0]; ++i) CHECK(config->f32[i] == c[i]);
    const std::size_t steps = static_cast<std::size_t>(config->f32[12]), batches = x->count / (B * Net::input_size);
    CHECK(steps >= 50 && batches > 0 && losses->count == steps);

    static Net net;
    for (std::size_t i = 0; i < Net::parameter_count; ++i) net.parameters()[i] = params->f32[i];
    static Net initial;
    initial = net;
    if (const FixtureArray* trains = fixture.find("trains")) {
        // the trainable layout, parameter by parameter, as PyTorch's requires_grad says
        CHECK(trains->count == Net::parameter_count);
        std::size_t mismatches = 0, trained = 0;
        for_each_layer<Net>([&](std::size_t offset, std::size_t count, std::size_t begin) {
            for (std::size_t i = 0; i < count; ++i) mismatches += (trains->i32[offset + i] != 0) != (i >= begin);
        });
        for (std::size_t i = 0; i < trains->count; ++i) trained += trains->i32[i] != 0;
        CHECK(mismatches == 0 && trained == Net::trainable_count);
    }
    constexpr Update update = feed == Feed::fused ? Update::fused : Update::after_backward;
    using TrainerT = Trainer<Net, Loss, Optimizer, TrainerB, update>;
    typename TrainerT::regularization_type regularization;
    regularization.weight_decay = run.weight_decay;
    regularization.decay_biases = run.decay_all;
    using TargetT = typename Loss::template target_type_for<float>;
    static TrainerT trainer(net);
    trainer = TrainerT(net, optimizer_of<Optimizer>(run), regularization);
    // fused: the unfused trainer beside it, compared bit for bit after every step
    static Net twin;
    twin = net;
    static Trainer<Net, Loss, Optimizer, TrainerB> unfused(twin);
    unfused = Trainer<Net, Loss, Optimizer, TrainerB>(twin, optimizer_of<Optimizer>(run), Regularization{run.weight_decay, run.decay_all});
    std::size_t steps_differing = 0;
    constexpr std::size_t targets_per_sample = TrainerT::targets_per_batch / TrainerB;
    float loss_of_step[64] = {};
    for (std::size_t step = 0; step < steps && step < 64; ++step) {
        const std::size_t k = step % batches;
        const auto* t = Loss::fuses_softmax
                            ? static_cast<const void*>(targets->i32 + k * B * targets_per_sample)
                            : static_cast<const void*>(targets->f32 + k * B * targets_per_sample);
        const float* xk = x->f32 + k * B * Net::input_size;
        const TargetT* tk = static_cast<const TargetT*>(t);
        if constexpr (feed == Feed::batch) {
            CHECK(trainer.step(xk, tk, &loss_of_step[step]) == Status::ok);
        } else if constexpr (feed == Feed::fused) {
            float twin_loss = 0;
            CHECK(trainer.step(xk, tk, &loss_of_step[step]) == Status::ok);
            CHECK(unfused.step(xk, tk, &twin_loss) == Status::ok);
            steps_differing += twin_loss != loss_of_step[step] ||
                               std::memcmp(net.parameters(), twin.parameters(), Net::parameter_bytes) != 0;
        } else if constexpr (feed == Feed::partial) {
            CHECK(trainer.step_partial(xk, tk, B, &loss_of_step[step]) == Status::ok);
        } else {
            loss_of_step[step] = 0;
            for (std::size_t j = 0; j < B / TrainerB; ++j) {
                float loss = 0;
                CHECK(trainer.accumulate(xk + j * TrainerB * Net::input_size, tk + j * TrainerB * targets_per_sample,
                                         &loss) == Status::ok);
                loss_of_step[step] += loss / static_cast<float>(B / TrainerB);
            }
            CHECK(trainer.apply_accumulated() == Status::ok);
        }
    }
    compare("losses", loss_of_step, *losses, steps);
    compare("params", net.parameters(), *after, Net::parameter_count);
    if constexpr (feed == Feed::fused) {
        std::printf("  fused: %lu of %lu steps differ from the unfused trainer's bits\n",
                    static_cast<unsigned long>(steps_differing), static_cast<unsigned long>(steps));
        CHECK(steps_differing == 0);
    }
    // frozen parameters keep their bits
    std::size_t changed = 0;
    for_each_layer<Net>([&](std::size_t offset, std::size_t, std::size_t begin) {
        for (std::size_t i = 0; i < begin; ++i)
            changed += std::memcmp(&net.parameters()[offset + i], &initial.parameters()[offset + i], sizeof(float)) != 0;
    });
    CHECK(changed == 0);
}

// Every run: batch, then fused.
template <class Net, class Loss, class Optimizer, std::size_t B>
void train_like_pytorch_both_ways(const Run& run) {
    train_like_pytorch<Net, Loss, Optimizer, B>(run);
    std::printf("  fused updates:\n");
    train_like_pytorch<Net, Loss, Optimizer, B, Feed::fused>(run);
}

}  // namespace

TEST(adam_prelu_leaky_relu_tanh_mse_decay_on_weights) {
    using Net = Sequential<Dense<16, 32>, PReLU<Slopes::per_unit>, Dense<32, 32>, LeakyReLU<1, 5>, Dense<32, 4>, Tanh>;
    train_like_pytorch_both_ways<Net, MeanSquaredError, Adam, 8>(
        {"long_adam_prelu_leaky_tanh.bin", 0.01, 0, 0.9, 0.999, 1e-8, 0.01, false, false});
}

TEST(adam_relu_cross_entropy_decay_on_every_parameter) {
    using Net = Sequential<Dense<20, 24>, ReLU, Dense<24, 24>, ReLU, Dense<24, 10>>;
    train_like_pytorch_both_ways<Net, SoftmaxCrossEntropy, Adam, 16>(
        {"long_adam_relu_cross_entropy_decay_all.bin", 0.005, 0, 0.9, 0.999, 1e-8, 0.001, false, true});
}

TEST(adam_sigmoid_binary_cross_entropy_other_betas) {
    using Net = Sequential<Dense<12, 16>, Sigmoid, Dense<16, 16>, Sigmoid, Dense<16, 3>>;
    train_like_pytorch_both_ways<Net, BinaryCrossEntropyWithLogits, Adam, 8>(
        {"long_adam_sigmoid_bce.bin", 0.02, 0, 0.8, 0.99, 1e-6, 0, false, false});
}

TEST(nesterov_tanh_mse_decay_on_every_parameter) {
    using Net = Sequential<Dense<8, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 2>>;
    train_like_pytorch_both_ways<Net, MeanSquaredError, Momentum, 8>(
        {"long_nesterov_tanh_decay_all.bin", 0.03, 0.9, 0, 0, 0, 0.01, true, true});
}

TEST(adamw_relu_cross_entropy_decay_on_weights) {
    using Net = Sequential<Dense<20, 32>, ReLU, Dense<32, 10>>;
    train_like_pytorch_both_ways<Net, SoftmaxCrossEntropy, AdamW, 8>(
        {"long_adamw_relu_cross_entropy.bin", 0.01, 0, 0.9, 0.999, 1e-8, 0.05, false, false});
}

TEST(adamw_tanh_mse_decay_on_every_parameter) {
    using Net = Sequential<Dense<8, 16>, Tanh, Dense<16, 4>>;
    train_like_pytorch_both_ways<Net, MeanSquaredError, AdamW, 8>(
        {"long_adamw_tanh_mse_decay_all.bin", 0.005, 0, 0.9, 0.999, 1e-8, 0.1, false, true});
}

// The first two runs again, each batch given as a partial batch of a larger trainer and as
// accumulated micro-batches.
TEST(adam_prelu_run_through_partial_batches_and_accumulation) {
    using Net = Sequential<Dense<16, 32>, PReLU<Slopes::per_unit>, Dense<32, 32>, LeakyReLU<1, 5>, Dense<32, 4>, Tanh>;
    const Run run{"long_adam_prelu_leaky_tanh.bin", 0.01, 0, 0.9, 0.999, 1e-8, 0.01, false, false};
    std::printf("  step_partial(8) of a batch-12 trainer:\n");
    train_like_pytorch<Net, MeanSquaredError, Adam, 8, Feed::partial, 12>(run);
    std::printf("  4 accumulated micro-batches of 2:\n");
    train_like_pytorch<Net, MeanSquaredError, Adam, 8, Feed::accumulated, 2>(run);
}

TEST(adam_cross_entropy_run_through_partial_batches_and_accumulation) {
    using Net = Sequential<Dense<20, 24>, ReLU, Dense<24, 24>, ReLU, Dense<24, 10>>;
    const Run run{"long_adam_relu_cross_entropy_decay_all.bin", 0.005, 0, 0.9, 0.999, 1e-8, 0.001, false, true};
    std::printf("  step_partial(16) of a batch-32 trainer:\n");
    train_like_pytorch<Net, SoftmaxCrossEntropy, Adam, 16, Feed::partial, 32>(run);
    std::printf("  2 accumulated micro-batches of 8:\n");
    train_like_pytorch<Net, SoftmaxCrossEntropy, Adam, 16, Feed::accumulated, 8>(run);
}

// Frozen layers and bias-only updates (layers/frozen.hpp) against PyTorch's requires_grad=False.
TEST(frozen_first_layer_adam_relu_cross_entropy) {
    using Net = Sequential<Frozen<Dense<20, 24>>, ReLU, Dense<24, 24>, ReLU, Dense<24, 10>>;
    train_like_pytorch_both_ways<Net, SoftmaxCrossEntropy, Adam, 8>(
        {"long_frozen_first_adam_relu_cross_entropy.bin", 0.01, 0, 0.9, 0.999, 1e-8, 0.01, false, false});
}

TEST(bias_only_nesterov_tanh_mse_decay_on_every_parameter) {
    using Net = Sequential<Frozen<Dense<8, 16>>, Tanh, BiasOnly<Dense<16, 16>>, Tanh, Dense<16, 2>>;
    train_like_pytorch_both_ways<Net, MeanSquaredError, Momentum, 8>(
        {"long_bias_only_nesterov_tanh_mse_decay_all.bin", 0.03, 0.9, 0, 0, 0, 0.01, true, true});
}

TEST(frozen_middle_layer_adam_sigmoid_bce) {
    using Net = Sequential<Dense<12, 16>, Sigmoid, Frozen<Dense<16, 16>>, Sigmoid, Dense<16, 3>>;
    train_like_pytorch_both_ways<Net, BinaryCrossEntropyWithLogits, Adam, 8>(
        {"long_frozen_middle_adam_sigmoid_bce.bin", 0.02, 0, 0.9, 0.999, 1e-8, 0, false, false});
}

TEST(frozen_dense_under_trained_prelu_adamw_decay_on_every_parameter) {
    using Net = Sequential<Frozen<Dense<16, 32>>, PReLU<Slopes::per_unit>, Dense<32, 4>>;
    train_like_pytorch_both_ways<Net, MeanSquaredError, AdamW, 8>(
        {"long_frozen_dense_adamw_prelu_decay_all.bin", 0.01, 0, 0.9, 0.999, 1e-8, 0.05, false, true});
}

TEST(last_layer_only_sgd_batch_1) {
    using Net = Sequential<Frozen<Dense<32, 64>>, ReLU, Frozen<Dense<64, 64>>, ReLU, Dense<64, 8>>;
    train_like_pytorch_both_ways<Net, SoftmaxCrossEntropy, Sgd, 1>(
        {"long_last_layer_sgd_relu_cross_entropy_batch_1.bin", 0.05, 0, 0, 0, 0, 0, false, false});
}
