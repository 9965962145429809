// The benchmark's Eigen section: tinymlp's training step and one-sample inference beside a
// hand-written Eigen 3.4 version of the same network (bench/eigen_reference.hpp), in the same
// process, on the same data, from the same parameters, timed back to back with the same
// seconds_per_call. Compiled with the build's flags, so both sides run the same instruction set:
// only in builds whose flags fix it (the x86-avx2 and x86-avx512 presets, -march=native). A plain
// x86-64 build compiles tinymlp's cases once per instruction set; Eigen's non-inline template code
// would be merged across those copies by the linker, so it has no Eigen section (bench/CMakeLists.txt).
//
// The training cases of 784-H-10 with H of 512 to 2048 and of 32-64-64-8 are compiled apart
// (TINYMLP_EIGEN_CASES_PART 1, eigen_cases_wide.cpp), so that a build compiles the two halves in
// parallel.
//
// Before timing a network, both sides take a few steps from the same parameters on the same
// batches, and the updates they made are compared: a baseline that computes something else would
// be worth nothing.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <tinymlp/dispatch.hpp>
#include <tinymlp/tinymlp.hpp>

#include "benchmark.hpp"
#include "eigen_reference.hpp"

#ifndef TINYMLP_EIGEN_CASES_PART
#define TINYMLP_EIGEN_CASES_PART 0
#endif

namespace tinymlp_bench::TINYMLP_ISA_VARIANT {

// Random data shaped as the other cases' (bench/benchmark_cases.cpp): inputs in [0, 1), labels.
// Inline functions with external linkage: both translation units share one copy of each.
struct EigenData {
    std::vector<float> x;
    std::vector<std::int32_t> labels;
    std::size_t features, samples;
    EigenData(std::size_t feature_count, std::size_t sample_count, std::int32_t classes, std::uint64_t seed)
        : x(feature_count * sample_count), labels(sample_count), features(feature_count), samples(sample_count) {
        tinymlp::Pcg32 rng(seed);
        for (float& v : x) v = rng.uniform_float();
        for (std::int32_t& label : labels) label = static_cast<std::int32_t>(rng.next_u32() % classes);
    }
};
inline const EigenData& eigen_images(const Options& options) {
    static const EigenData data(784, options.short_mode ? 1024 : 8192, 10, 1);
    return data;
}
inline const EigenData& eigen_small() {
    static const EigenData data(32, 4096, 8, 2);
    return data;
}

namespace {

using namespace tinymlp;
using eigen_reference::Sizes;

template <std::size_t H>
using Mlp784xHx10 = Network<float, DefaultTarget, Dense<784, H>, ReLU, Dense<H, 10>>;
using Mlp32x64x64x8 = Network<float, DefaultTarget, Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;
template <int B, int H>
using Eigen784xHx10 = eigen_reference::Mlp<B, Sizes::automatic, 784, H, 10>;
template <int B>
using Eigen32x64x64x8 = eigen_reference::Mlp<B, Sizes::automatic, 32, 64, 64, 8>;

constexpr float learning_rate = 0.01f;
constexpr int check_steps = 3;

// The Dense layers of a tinymlp MLP are its layers 0, 2, 4, ... (a ReLU between two).
template <class Net, class Ref>
void copy_parameters(const Net& net, Ref& ref) {
    for (int l = 0; l < Ref::layer_count; ++l) ref.set_parameters(l, net.parameters() + Net::parameter_offset(2 * l));
}
template <class Net, class Ref>
std::vector<float> parameters_of(Ref& ref) {
    std::vector<float> p(Net::parameter_count);
    for (int l = 0; l < Ref::layer_count; ++l) ref.get_parameters(l, p.data() + Net::parameter_offset(2 * l));
    return p;
}

template <class Ref>
std::string eigen_sizes() {
    std::string s;
    for (int l = 0; l < Ref::layer_count; ++l) s += std::string(l ? "," : "") + (Ref::layer_is_fixed(l) ? "fixed" : "run-time");
    return s;
}

// Both sides take check_steps steps from the same parameters on the same batches; the updates
// (parameters after - before) must agree.
template <class Net, class Ref, class Trainer, std::size_t B>
bool check_agreement(const char* name, Net& net, Trainer& trainer, Ref& ref, const EigenData& data) {
    const std::vector<float> before(net.parameters(), net.parameters() + Net::parameter_count);
    copy_parameters(net, ref);
    float tiny_loss = 0, eigen_loss = 0;
    bool failed = false;
    for (int s = 0; s < check_steps; ++s) {
        const std::size_t offset = s * B;
        failed |= trainer.step(&data.x[offset * data.features], &data.labels[offset], &tiny_loss) != Status::ok;
        eigen_loss = ref.step(&data.x[offset * data.features], &data.labels[offset], learning_rate);
    }
    const std::vector<float> eigen = parameters_of<Net>(ref);
    double update_diff = 0, update_norm = 0, param_diff = 0, param_max = 0;
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
        const double tiny_update = double(net.parameters()[i]) - before[i];
        const double eigen_update = double(eigen[i]) - before[i];
        update_diff += (tiny_update - eigen_update) * (tiny_update - eigen_update);
        update_norm += tiny_update * tiny_update;
        param_diff = std::max(param_diff, std::fabs(double(net.parameters()[i]) - eigen[i]));
        param_max = std::max(param_max, std::fabs(double(net.parameters()[i])));
    }
    const double update_relative = std::sqrt(update_diff / update_norm);
    const double param_relative = param_diff / param_max;
    const double loss_relative = std::fabs(double(tiny_loss) - eigen_loss) / std::fabs(double(tiny_loss));
    const bool agreed = !failed && update_relative < 1e-3 && param_relative < 1e-4 && loss_relative < 1e-4;
    std::printf("  check %-12s batch %3lu: %d steps from the same parameters: updates differ by %.1e (relative L2), "
                "parameters by at most %.1e of the largest, last loss %.6f / %.6f%s\n",
                name, static_cast<unsigned long>(B), check_steps, update_relative, param_relative, double(tiny_loss),
                double(eigen_loss), agreed ? "" : "  DISAGREE");
    return agreed;
}

void print_row(const char* name, std::size_t batch, double tiny_seconds, double fused_seconds, double eigen_seconds,
               const std::string& sizes) {
    std::printf("  %-12s batch %3lu  tinymlp %10.0f samples/s, fused %10.0f | Eigen %10.0f samples/s | x%.2f, fused x%.2f"
                "  (Eigen sizes: %s)\n",
                name, static_cast<unsigned long>(batch), double(batch) / tiny_seconds, double(batch) / fused_seconds,
                double(batch) / eigen_seconds, eigen_seconds / tiny_seconds, eigen_seconds / fused_seconds, sizes.c_str());
}

// Times f and g back to back, twice in a long run; the best of each.
template <class F, class G>
void time_pair(F&& f, G&& g, const Options& options, int min_calls, double& f_seconds, double& g_seconds) {
    const Timing timing{options.short_mode, 0.15};
    f_seconds = g_seconds = 1e300;
    for (int round = 0; round < (options.short_mode ? 1 : 2); ++round) {
        f_seconds = std::min(f_seconds, seconds_per_call(f, timing, min_calls));
        g_seconds = std::min(g_seconds, seconds_per_call(g, timing, min_calls));
    }
}

// One training step after another on the batches of `data`, from the first again at its end.
template <class Step>
auto steps_through(const EigenData& data, std::size_t batch, Step step) {
    return [&data, batch, step, offset = std::size_t(0)]() mutable {
        if (offset + batch > data.samples) offset = 0;
        step(&data.x[offset * data.features], &data.labels[offset]);
        offset += batch;
    };
}

// The default trainer and the fused one (Update::fused: each layer updated as its gradient is
// made, no gradient buffer), each against the Eigen step.
template <class Net, class Ref, std::size_t B>
bool train_case(const char* name, const EigenData& data, const Options& options, bool check) {
    static Net net, fused_net;
    net.init(42);
    fused_net.init(42);
    static Trainer<Net, SoftmaxCrossEntropy, Sgd, B> trainer(net, Sgd{learning_rate});
    static Trainer<Net, SoftmaxCrossEntropy, Sgd, B, Update::fused> fused(fused_net, Sgd{learning_rate});
    static const std::unique_ptr<Ref> ref = std::make_unique<Ref>();
    bool agreed = true;
    if (check) {
        agreed &= check_agreement<Net, Ref, decltype(trainer), B>(name, net, trainer, *ref, data);
        agreed &= check_agreement<Net, Ref, decltype(fused), B>((std::string(name) + " fused").c_str(), fused_net, fused, *ref, data);
    }
    copy_parameters(net, *ref);

    bool failed = false;
    float loss = 0;
    auto tiny = steps_through(data, B, [&](const float* x, const std::int32_t* labels) {
        failed |= trainer.step(x, labels) != Status::ok;
    });
    auto tiny_fused = steps_through(data, B, [&](const float* x, const std::int32_t* labels) {
        failed |= fused.step(x, labels) != Status::ok;
    });
    auto eigen = steps_through(data, B, [&](const float* x, const std::int32_t* labels) {
        loss += ref->step(x, labels, learning_rate);
    });
    double tiny_seconds, fused_seconds, eigen_seconds, eigen_again;
    time_pair(tiny, eigen, options, 3, tiny_seconds, eigen_seconds);
    time_pair(tiny_fused, eigen, options, 3, fused_seconds, eigen_again);
    eigen_seconds = std::min(eigen_seconds, eigen_again);
    keep(loss);
    if (failed) std::printf("  (a training step of %s reported an error)\n", name);
    print_row(name, B, tiny_seconds, fused_seconds, eigen_seconds, eigen_sizes<Ref>());
    return agreed && !failed;
}

template <class Net, class Ref>
bool infer_case(const char* name, const EigenData& data, const Options& options) {
    static Net net;
    net.init(42);
    static const std::unique_ptr<Ref> ref = std::make_unique<Ref>();
    copy_parameters(net, *ref);
    static float y[Net::output_size], y_eigen[Net::output_size];
    // the same logits, to float rounding
    bool agreed = net.predict(data.x.data(), y) == Status::ok;
    ref->predict(data.x.data(), y_eigen);
    for (std::size_t c = 0; c < Net::output_size; ++c) agreed &= std::fabs(y[c] - y_eigen[c]) <= 1e-4f * (1 + std::fabs(y[c]));
    if (!agreed) std::printf("  %s: the one-sample logits of tinymlp and Eigen DISAGREE\n", name);

    std::size_t tiny_sample = 0, eigen_sample = 0;
    double tiny_seconds, eigen_seconds;
    time_pair(
        [&] {
            if (++tiny_sample == data.samples) tiny_sample = 0;
            if (net.predict(&data.x[tiny_sample * data.features], y) != Status::ok) std::printf("  predict failed\n");
            keep(y);
        },
        [&] {
            if (++eigen_sample == data.samples) eigen_sample = 0;
            ref->predict(&data.x[eigen_sample * data.features], y_eigen);
            keep(y_eigen);
        },
        options, 100, tiny_seconds, eigen_seconds);
    std::printf("  %-12s batch   1  tinymlp %10.0f samples/s | Eigen %10.0f samples/s | x%.2f  (%.3f us | %.3f us)\n",
                name, 1 / tiny_seconds, 1 / eigen_seconds, eigen_seconds / tiny_seconds, tiny_seconds * 1e6,
                eigen_seconds * 1e6);
    return agreed;
}

template <int H>
bool train_784_h_10(const char* name, const Options& options, bool with_batch_32) {
    bool ok = train_case<Mlp784xHx10<H>, Eigen784xHx10<256, H>, 256>(name, eigen_images(options), options, true);
    if (with_batch_32) ok &= train_case<Mlp784xHx10<H>, Eigen784xHx10<32, H>, 32>(name, eigen_images(options), options, false);
    return ok;
}

}  // namespace

#if TINYMLP_EIGEN_CASES_PART == 1
// 784-H-10 for H of 512, 1024 and 2048 (eigen_cases_wide.cpp)
bool eigen_wide_cases(const Options& options, bool with_batch_32) {
    bool ok = train_784_h_10<512>("784-512-10", options, with_batch_32);
    ok &= train_784_h_10<1024>("784-1024-10", options, with_batch_32);
    ok &= train_784_h_10<2048>("784-2048-10", options, with_batch_32);
    return ok;
}
// 32-64-64-8 at every batch
bool eigen_small_training_cases(const Options& options) {
    bool ok = train_case<Mlp32x64x64x8, Eigen32x64x64x8<1>, 1>("32-64-64-8", eigen_small(), options, true);
    ok &= train_case<Mlp32x64x64x8, Eigen32x64x64x8<8>, 8>("32-64-64-8", eigen_small(), options, false);
    ok &= train_case<Mlp32x64x64x8, Eigen32x64x64x8<32>, 32>("32-64-64-8", eigen_small(), options, false);
    ok &= train_case<Mlp32x64x64x8, Eigen32x64x64x8<256>, 256>("32-64-64-8", eigen_small(), options, false);
    return ok;
}
#else
bool eigen_wide_cases(const Options& options, bool with_batch_32);
bool eigen_small_training_cases(const Options& options);

// Prints the section; false when tinymlp and Eigen disagree on a result.
bool eigen_comparison(const Options& options) {
    std::printf("against a hand-written Eigen %d.%d.%d step (same ISA, same data): samples/s, x tinymlp/Eigen speed"
                " (>1: tinymlp faster)\n",
                EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
    bool ok = true;
    std::printf(" training, SGD, softmax cross-entropy\n");
    ok &= train_case<Mlp784xHx10<256>, Eigen784xHx10<1, 256>, 1>("784-256-10", eigen_images(options), options, true);
    ok &= train_case<Mlp784xHx10<256>, Eigen784xHx10<8, 256>, 8>("784-256-10", eigen_images(options), options, false);
    ok &= train_case<Mlp784xHx10<256>, Eigen784xHx10<32, 256>, 32>("784-256-10", eigen_images(options), options, false);
    ok &= train_case<Mlp784xHx10<256>, Eigen784xHx10<256, 256>, 256>("784-256-10", eigen_images(options), options, false);
    const bool batch_32 = !options.short_mode;
    ok &= train_784_h_10<32>("784-32-10", options, batch_32);
    ok &= train_784_h_10<64>("784-64-10", options, batch_32);
    ok &= train_784_h_10<128>("784-128-10", options, batch_32);
    ok &= eigen_wide_cases(options, batch_32);
    ok &= eigen_small_training_cases(options);
    std::printf(" inference, one sample (predict)\n");
    ok &= infer_case<Mlp784xHx10<256>, Eigen784xHx10<1, 256>>("784-256-10", eigen_images(options), options);
    ok &= infer_case<Mlp32x64x64x8, Eigen32x64x64x8<1>>("32-64-64-8", eigen_small(), options);
    return ok;
}
#endif

}  // namespace tinymlp_bench::TINYMLP_ISA_VARIANT
