// The benchmark's cases: peaks, training steps and inference latency of the build's default target
// against the scalar reference (see bench/benchmark.cpp). In builds that dispatch at run time this
// file is compiled once per x86-64 instruction set (tinymlp_x86_dispatch_sources), each copy in its
// own namespace, tinymlp_bench::TINYMLP_ISA_VARIANT.
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include <tinymlp/dispatch.hpp>
#include <tinymlp/tinymlp.hpp>

#include "benchmark.hpp"

namespace tinymlp_bench::TINYMLP_ISA_VARIANT {
namespace {

using namespace tinymlp;

// --- peak ---------------------------------------------------------------------------------------

[[maybe_unused]] float fma(float a, float b, float c) { return a * b + c; }  // the scalar build's multiply-add

// Multiply-adds on Accumulators independent vectors V (or scalars); returns GFLOP/s. Without
// -ffast-math the compiler may neither drop nor reassociate them, so the loop runs as written.
template <class V, std::size_t Accumulators, class S>
double peak_gflops(const Timing& timing) {
    constexpr long iterations = 1 << 16;
    V acc[Accumulators];
    for (std::size_t k = 0; k < Accumulators; ++k) acc[k] = V(S(k) * S(1e-3));
    const V a(S(0.999999)), b(S(1e-7));
    const double per_call = seconds_per_call(
        [&] {
            for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
                for (std::size_t k = 0; k < Accumulators; ++k) acc[k] = fma(acc[k], a, b);
            }
        },
        timing, 4);
    keep(acc);
    constexpr double lanes = sizeof(V) / sizeof(S);
    return 2.0 * lanes * Accumulators * iterations / per_call * 1e-9;
}

#if TINYMLP_XSIMD
// The vectors of the default target, and AVX2's (fma3<avx2>) when the default one is wider.
std::vector<Peak> measure_peaks(const Timing& timing) {
    using Arch = DefaultTarget::arch;
    std::vector<Peak> peaks;
    constexpr std::size_t registers = kernels::simd::LaneTraits<xsimd::batch<float, Arch>>::registers;
    // a register-file's worth of accumulators, minus the two operands and some slack
    peaks.push_back({Arch::name(), peak_gflops<xsimd::batch<float, Arch>, registers - 4, float>(timing)});
    if constexpr (!std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>> && xsimd::fma3<xsimd::avx2>::supported())
        peaks.push_back({"fma3+avx2", peak_gflops<xsimd::batch<float, xsimd::fma3<xsimd::avx2>>, 12, float>(timing)});
    return peaks;
}
#else
std::vector<Peak> measure_peaks(const Timing& timing) {
    return {{"scalar", peak_gflops<float, 8, float>(timing)}};
}
#endif

// --- networks and data --------------------------------------------------------------------------

template <class Target>
using Mlp784x256x10 = Network<float, Target, Dense<784, 256>, ReLU, Dense<256, 10>>;
template <class Target>
using Mlp784x256x128x10 = Network<float, Target, Dense<784, 256>, ReLU, Dense<256, 128>, ReLU, Dense<128, 10>>;
template <class Target>
using Mlp32x64x64x8 = Network<float, Target, Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;

// Multiply-adds per sample of one training step: forward and weight gradient of every Dense layer,
// input gradient of every Dense layer but the first.
constexpr double training_macs(std::initializer_list<std::size_t> widths) {
    double macs = 0;
    const std::size_t* w = widths.begin();
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) macs += double(w[l]) * double(w[l + 1]) * (l == 0 ? 2 : 3);
    return macs;
}

// Random data shaped like Fashion-MNIST: pixels in [0, 1), class labels; `samples` of them.
struct Dataset {
    std::vector<float> x;
    std::vector<std::int32_t> labels;
    std::size_t features = 0, samples = 0;
    Dataset(std::size_t feature_count, std::size_t sample_count, std::int32_t classes, std::uint64_t seed)
        : x(feature_count * sample_count), labels(sample_count), features(feature_count), samples(sample_count) {
        Pcg32 rng(seed);
        for (float& v : x) v = rng.uniform_float();
        for (std::int32_t& label : labels) label = static_cast<std::int32_t>(rng.next_u32() % classes);
    }
};

template <class Net, std::size_t B>
Result train(const char* name, double macs_per_sample, const Dataset& data, const Options& options) {
    static Net net;
    net.init(42);
    static Trainer<Net, SoftmaxCrossEntropy, Sgd, B> trainer(net);
    trainer = Trainer<Net, SoftmaxCrossEntropy, Sgd, B>(net, Sgd{0.01});
    std::size_t offset = 0;
    bool failed = false;
    const double seconds = seconds_per_call(
        [&] {
            if (offset + B > data.samples) offset = 0;
            failed |= trainer.step(&data.x[offset * data.features], &data.labels[offset]) != Status::ok;
            offset += B;
        },
        options.timing(), 3);
    if (failed) std::printf("  (a training step of %s reported an error)\n", name);
    Result r;
    r.name = name;
    r.target = Net::target::name;
    r.batch = B;
    r.samples_per_second = B / seconds;
    r.gflops = 2.0 * macs_per_sample * r.samples_per_second * 1e-9;
    return r;
}

template <class Net>
Result infer(const char* name, const Dataset& data, const Options& options) {
    static Net net;
    net.init(42);
    static float y[Net::output_size];
    std::size_t sample = 0;
    const double seconds = seconds_per_call(
        [&] {
            if (++sample == data.samples) sample = 0;
            if (net.predict(&data.x[sample * data.features], y) != Status::ok) std::printf("  predict failed\n");
            keep(y);
        },
        options.timing(), 100);
    Result r;
    r.name = name;
    r.target = Net::target::name;
    r.batch = 1;
    r.microseconds = seconds * 1e6;
    return r;
}

void print_training(const Result& fast, const Result& scalar, double peak) {
    std::printf("  %-28s batch %3lu  %-10s %10.0f samples/s %7.2f GFLOP/s %5.1f %% of peak | %-7s %9.0f samples/s"
                " %6.2f GFLOP/s | x%.1f\n",
                fast.name.c_str(), static_cast<unsigned long>(fast.batch), fast.target.c_str(),
                fast.samples_per_second, fast.gflops, 100 * fast.gflops / peak, scalar.target.c_str(),
                scalar.samples_per_second, scalar.gflops, fast.samples_per_second / scalar.samples_per_second);
}
void print_inference(const Result& fast, const Result& scalar) {
    std::printf("  %-28s batch   1  %-10s %10.2f us | %-7s %9.2f us | x%.1f\n", fast.name.c_str(),
                fast.target.c_str(), fast.microseconds, scalar.target.c_str(), scalar.microseconds,
                scalar.microseconds / fast.microseconds);
}

const Dataset& images(const Options& options) {
    static const Dataset data(784, options.short_mode ? 1024 : 8192, 10, 1);
    return data;
}
const Dataset& small() {
    static const Dataset data(32, 4096, 8, 2);
    return data;
}

// --- int8 inference against float, same network, same build ----------------------------------

// A network of random weights (seed 42) and its int8 quantization, calibrated on the first 256
// samples of the data; both kept for the timings.
template <class Net>
struct Int8Pair {
    Net net;
    QuantizedNetwork<Net> q;
    std::vector<std::int8_t> xq;  // every sample quantized
    bool ready = false;
    explicit Int8Pair(const Dataset& data) : xq(data.x.size()) {
        net.init(42);
        const std::size_t calibration = data.samples < 256 ? data.samples : 256;
        ready = quantize(net, data.x.data(), calibration, q) == QuantizationStatus::ok;
        for (std::size_t n = 0; ready && n < data.samples; ++n)
            ready = q.quantize_input(&data.x[n * data.features], &xq[n * data.features]) == Status::ok;
    }
};

// One sample: float predict against int8 predict (int8 in, int8 out, as firmware whose input
// arrives quantized runs it) and int8 with float in and out.
template <class Net>
void compare_int8_latency(const char* name, const Dataset& data, const Options& options, std::vector<Result>& results) {
    static Int8Pair<Net> pair(data);
    if (!pair.ready) {
        std::printf("  %s: quantization failed\n", name);
        return;
    }
    static float y[Net::output_size];
    static std::int8_t yq[Net::output_size];
    std::size_t sample = 0;
    const auto next = [&] { return sample = sample + 1 == data.samples ? 0 : sample + 1; };
    const double float_us = 1e6 * seconds_per_call(
        [&] {
            if (pair.net.predict(&data.x[next() * data.features], y) != Status::ok) std::printf("  predict failed\n");
            keep(y);
        },
        options.timing(), 100);
    const double int8_us = 1e6 * seconds_per_call(
        [&] {
            pair.q.predict(&pair.xq[next() * data.features], yq);
            keep(yq);
        },
        options.timing(), 100);
    const double int8_float_io_us = 1e6 * seconds_per_call(
        [&] {
            if (pair.q.predict(&data.x[next() * data.features], y) != Status::ok) std::printf("  predict failed\n");
            keep(y);
        },
        options.timing(), 100);
    std::printf("  %-28s batch   1  float %8.3f us | int8 %8.3f us (x%.2f of float) | int8, float in and out %8.3f us"
                " (x%.2f)\n",
                name, float_us, int8_us, int8_us / float_us, int8_float_io_us, int8_float_io_us / float_us);
    Result r;
    r.name = std::string(name) + " int8";
    r.target = Net::target::name;
    r.batch = 1;
    r.microseconds = int8_us;
    results.push_back(r);
}

// A batch of B: float predict_batch against int8 predict_batch, samples per second.
template <class Net, std::size_t B>
void compare_int8_throughput(const char* name, const Dataset& data, const Options& options, std::vector<Result>& results) {
    static Int8Pair<Net> pair(data);
    if (!pair.ready) {
        std::printf("  %s: quantization failed\n", name);
        return;
    }
    static float y[B * Net::output_size], scratch[Net::template inference_scratch_count<B>];
    static std::int8_t yq[B * Net::output_size], scratch_q[QuantizedNetwork<Net>::template inference_scratch_count<B>];
    std::size_t first = 0;
    const auto next = [&] { return first = first + 2 * B > data.samples ? 0 : first + B; };
    const double float_seconds = seconds_per_call(
        [&] {
            if (pair.net.template predict_batch<B>(&data.x[next() * data.features], y, scratch) != Status::ok)
                std::printf("  predict_batch failed\n");
            keep(y);
        },
        options.timing(), 3);
    const double int8_seconds = seconds_per_call(
        [&] {
            pair.q.template predict_batch<B>(&pair.xq[next() * data.features], yq, scratch_q);
            keep(yq);
        },
        options.timing(), 3);
    std::printf("  %-28s batch %3lu  float %10.0f samples/s | int8 %10.0f samples/s | x%.2f\n", name,
                static_cast<unsigned long>(B), B / float_seconds, B / int8_seconds, float_seconds / int8_seconds);
    Result r;
    r.name = std::string(name) + " int8";
    r.target = Net::target::name;
    r.batch = B;
    r.samples_per_second = B / int8_seconds;
    results.push_back(r);
}

Mlp32x64x64x8<DefaultTarget> small_net;

}  // namespace

const char* default_target_name() { return tinymlp::DefaultTarget::name; }

std::vector<Peak> peaks(const Timing& timing) { return measure_peaks(timing); }

std::vector<Result> run(const Options& options, double peak) {
    using Fast = tinymlp::DefaultTarget;
    using Scalar = tinymlp::ScalarTarget;
    std::vector<Result> results;
    const auto training = [&](const Result& fast, const Result& scalar) {
        print_training(fast, scalar, peak);
        results.push_back(fast);
        results.push_back(scalar);
    };

    std::printf("training, SGD, softmax cross-entropy (useful GFLOP/s; scalar reference; speed-up)\n");
    constexpr double macs_784_10 = training_macs({784, 256, 10});
    constexpr double macs_784_128 = training_macs({784, 256, 128, 10});
    constexpr double macs_32 = training_macs({32, 64, 64, 8});
    training(train<Mlp784x256x10<Fast>, 256>("784-256-10", macs_784_10, images(options), options),
             train<Mlp784x256x10<Scalar>, 256>("784-256-10", macs_784_10, images(options), options));
    training(train<Mlp784x256x128x10<Fast>, 256>("784-256-128-10", macs_784_128, images(options), options),
             train<Mlp784x256x128x10<Scalar>, 256>("784-256-128-10", macs_784_128, images(options), options));
    training(train<Mlp32x64x64x8<Fast>, 32>("32-64-64-8", macs_32, small(), options),
             train<Mlp32x64x64x8<Scalar>, 32>("32-64-64-8", macs_32, small(), options));
    training(train<Mlp32x64x64x8<Fast>, 1>("32-64-64-8", macs_32, small(), options),
             train<Mlp32x64x64x8<Scalar>, 1>("32-64-64-8", macs_32, small(), options));

    std::printf("inference, one sample (predict)\n");
    const auto inference = [&](const Result& fast, const Result& scalar) {
        print_inference(fast, scalar);
        results.push_back(fast);
        results.push_back(scalar);
    };
    inference(infer<Mlp784x256x10<Fast>>("784-256-10", images(options), options),
              infer<Mlp784x256x10<Scalar>>("784-256-10", images(options), options));
    inference(infer<Mlp32x64x64x8<Fast>>("32-64-64-8", small(), options),
              infer<Mlp32x64x64x8<Scalar>>("32-64-64-8", small(), options));

    std::printf("int8 inference against float, same build (post-training quantization, kernels/simd/quantized_dense.hpp)\n");
    compare_int8_latency<Mlp784x256x10<Fast>>("784-256-10", images(options), options, results);
    compare_int8_latency<Mlp32x64x64x8<Fast>>("32-64-64-8", small(), options, results);
    compare_int8_throughput<Mlp784x256x10<Fast>, 256>("784-256-10", images(options), options, results);
    compare_int8_throughput<Mlp32x64x64x8<Fast>, 256>("32-64-64-8", small(), options, results);
    return results;
}

Result train_784_256_10(const Options& options) {
    return train<Mlp784x256x10<tinymlp::DefaultTarget>, 256>("784-256-10", training_macs({784, 256, 10}),
                                                             images(options), options);
}

Result infer_32_64_64_8(const Options& options) {
    return infer<Mlp32x64x64x8<tinymlp::DefaultTarget>>("32-64-64-8", small(), options);
}

// One 32-64-64-8 prediction for a caller that times calls through a function pointer (the network
// is initialised as infer's, with seed 42).
tinymlp::Status predict_32_64_64_8(const float* x, float* y) {
    static const bool initialised = (small_net.init(42), true);
    (void)initialised;
    return small_net.predict(x, y);
}

const float* small_inputs() { return small().x.data(); }
std::size_t small_samples() { return small().samples; }

}  // namespace tinymlp_bench::TINYMLP_ISA_VARIANT
