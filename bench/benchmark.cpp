// Speed of the build's default target against the scalar reference, on one core:
//   - peak: a multiply-add loop with enough independent accumulators to fill the FMA units
//     (the default target's vectors, and AVX2's when the default is wider);
//   - training steps (SGD, softmax cross-entropy, random Fashion-MNIST-shaped data):
//     784-256-10 and 784-256-128-10 at batch 256, 32-64-64-8 at batches 32 and 1;
//   - one-sample inference latency of 784-256-10 and 32-64-64-8.
// Useful GFLOP/s count 2 flops per multiply-add of the forward pass, the weight gradients and the
// input gradients that are actually computed (none for the first layer); bias, activation, loss
// and update work is not counted. The scalar reference is compiled with the same flags, so the
// compiler vectorises some of its loops by itself (the forward pass's, mostly).
//
//   benchmark [--short] [--json FILE]
// --short times a single call per case, well under a second in a release build (ctest runs it so
// that the benchmark keeps building and running; it never fails on speed); --json also writes
// the figures for bench/pytorch_reference.py.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// How long each case is timed: about `seconds`, in rounds of at least 2 ms (seconds_per_call).
// A quick run (--short, what ctest runs, whatever the build type) times one call per case.
struct Timing {
    bool quick = false;
    double seconds = 1.0;
};

// Seconds per call of f: the best of many short rounds over about timing.seconds. Short rounds and
// the best of them keep the figure close to what an otherwise idle core does, even when other
// processes share the machine.
template <class F>
double seconds_per_call(F&& f, const Timing& timing, int min_calls) {
    if (timing.quick) {
        const auto start = Clock::now();
        f();
        return seconds_since(start);
    }
    f();  // warm-up: caches, page faults
    constexpr double round_seconds = 0.002;
    double best = 1e300;
    const auto begin = Clock::now();
    for (int r = 0; r < 8 || seconds_since(begin) < timing.seconds; ++r) {
        long calls = 0;
        const auto start = Clock::now();
        double elapsed = 0;
        do {
            f();
            ++calls;
            elapsed = seconds_since(start);
        } while (elapsed < round_seconds || calls < min_calls);
        best = std::min(best, elapsed / static_cast<double>(calls));
    }
    return best;
}

// Keeps a value alive without letting the compiler compute it away.
template <class T>
void keep(const T& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

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

struct Peak {
    const char* name;
    double gflops;
};

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

struct Result {
    std::string name, target;
    std::size_t batch = 0;
    double samples_per_second = 0, gflops = 0, microseconds = 0;
};

struct Options {
    bool short_mode = false;
    const char* json = nullptr;
    Timing timing() const { return {short_mode, 1.0}; }
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

void write_json(const char* path, const std::vector<Peak>& peaks, const std::vector<Result>& results) {
    std::FILE* f = std::fopen(path, "w");
    if (!f) {
        std::printf("cannot write %s\n", path);
        return;
    }
    std::fprintf(f, "{\n  \"default_target\": \"%s\",\n  \"peaks\": [", DefaultTarget::name);
    for (std::size_t i = 0; i < peaks.size(); ++i)
        std::fprintf(f, "%s{\"name\": \"%s\", \"gflops\": %.3f}", i ? ", " : "", peaks[i].name, peaks[i].gflops);
    std::fprintf(f, "],\n  \"results\": [\n");
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Result& r = results[i];
        std::fprintf(f,
                     "    {\"name\": \"%s\", \"target\": \"%s\", \"batch\": %lu, \"samples_per_second\": %.3f, "
                     "\"gflops\": %.4f, \"microseconds\": %.4f}%s\n",
                     r.name.c_str(), r.target.c_str(), static_cast<unsigned long>(r.batch), r.samples_per_second,
                     r.gflops, r.microseconds, i + 1 < results.size() ? "," : "");
    }
    std::fprintf(f, "  ]\n}\n");
    std::fclose(f);
    std::printf("wrote %s\n", path);
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--short") == 0) options.short_mode = true;
        else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) options.json = argv[++i];
        else {
            std::printf("usage: %s [--short] [--json FILE]\n", argv[0]);
            return 2;
        }
    }
    using Fast = DefaultTarget;
    using Scalar = ScalarTarget;
    std::printf("tinymlp benchmark, default target %s%s\n", Fast::name, options.short_mode ? " (short run)" : "");

    const std::vector<Peak> peaks = measure_peaks(options.timing());
    for (const Peak& p : peaks) std::printf("  peak, multiply-add loop on %-10s %8.2f GFLOP/s (one core)\n", p.name, p.gflops);
    const double peak = peaks.front().gflops;

    const Dataset images(784, options.short_mode ? 1024 : 8192, 10, 1);
    const Dataset small(32, 4096, 8, 2);
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
    training(train<Mlp784x256x10<Fast>, 256>("784-256-10", macs_784_10, images, options),
             train<Mlp784x256x10<Scalar>, 256>("784-256-10", macs_784_10, images, options));
    training(train<Mlp784x256x128x10<Fast>, 256>("784-256-128-10", macs_784_128, images, options),
             train<Mlp784x256x128x10<Scalar>, 256>("784-256-128-10", macs_784_128, images, options));
    training(train<Mlp32x64x64x8<Fast>, 32>("32-64-64-8", macs_32, small, options),
             train<Mlp32x64x64x8<Scalar>, 32>("32-64-64-8", macs_32, small, options));
    training(train<Mlp32x64x64x8<Fast>, 1>("32-64-64-8", macs_32, small, options),
             train<Mlp32x64x64x8<Scalar>, 1>("32-64-64-8", macs_32, small, options));

    std::printf("inference, one sample (predict)\n");
    const auto inference = [&](const Result& fast, const Result& scalar) {
        print_inference(fast, scalar);
        results.push_back(fast);
        results.push_back(scalar);
    };
    inference(infer<Mlp784x256x10<Fast>>("784-256-10", images, options),
              infer<Mlp784x256x10<Scalar>>("784-256-10", images, options));
    inference(infer<Mlp32x64x64x8<Fast>>("32-64-64-8", small, options),
              infer<Mlp32x64x64x8<Scalar>>("32-64-64-8", small, options));

    if (options.json) write_json(options.json, peaks, results);
    return 0;
}
