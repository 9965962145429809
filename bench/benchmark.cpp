// Speed of the build's default target against the scalar reference, on one core:
//   - peak: a multiply-add loop with enough independent accumulators to fill the FMA units
//     (the default target's vectors, and AVX2's when the default is wider);
//   - training steps (SGD, softmax cross-entropy, random Fashion-MNIST-shaped data):
//     784-256-10 and 784-256-128-10 at batch 256, 32-64-64-8 at batches 32 and 1;
//   - one-sample inference latency of 784-256-10 and 32-64-64-8;
//   - with Eigen 3.4 found, in builds whose flags fix the instruction set (the x86 presets): the
//     same training steps and inference beside a hand-written Eigen version of each network
//     (bench/eigen_cases.cpp, bench/eigen_reference.hpp), after checking that both compute the
//     same updates; the benchmark fails if they do not.
// Useful GFLOP/s count 2 flops per multiply-add of the forward pass, the weight gradients and the
// input gradients that are actually computed (none for the first layer); bias, activation, loss
// and update work is not counted. The scalar reference is compiled with the same flags, so the
// compiler vectorises some of its loops by itself (the forward pass's, mostly).
//
// Built with the flags of a preset, the cases run on that preset's instruction set. A plain x86-64
// build (no -m flags) compiles them for SSE2, AVX2 and AVX-512 (benchmark_cases.cpp,
// tinymlp_x86_dispatch_sources) and runs the newest the CPU has, chosen once at run time; it then
// also prints 784-256-10 training on each variant the CPU runs (avx2's flags are the x86-avx2
// preset's) and the one-sample latency through the dispatched function pointer.
//
//   benchmark [--short] [--json FILE]
// --short times a single call per case, well under a second in a release build (ctest runs it so
// that the benchmark keeps building and running; it never fails on speed); --json also writes
// the figures for bench/pytorch_reference.py.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tinymlp/dispatch.hpp>
#include <tinymlp/status.hpp>

#include "benchmark.hpp"

using namespace tinymlp_bench;

// benchmark_cases.cpp, in the namespace of each instruction set it is compiled for
TINYMLP_ISA_DECLARE(tinymlp_bench, const char* default_target_name())
TINYMLP_ISA_DECLARE(tinymlp_bench, std::vector<Peak> peaks(const Timing& timing))
TINYMLP_ISA_DECLARE(tinymlp_bench, std::vector<Result> run(const Options& options, double peak))
TINYMLP_ISA_DECLARE(tinymlp_bench, Result train_784_256_10(const Options& options))
TINYMLP_ISA_DECLARE(tinymlp_bench, Result infer_32_64_64_8(const Options& options))
TINYMLP_ISA_DECLARE(tinymlp_bench, tinymlp::Status predict_32_64_64_8(const float* x, float* y))
TINYMLP_ISA_DECLARE(tinymlp_bench, const float* small_inputs())
TINYMLP_ISA_DECLARE(tinymlp_bench, std::size_t small_samples())
#if TINYMLP_BENCH_EIGEN
TINYMLP_ISA_DECLARE(tinymlp_bench, bool eigen_comparison(const Options& options))  // eigen_cases.cpp
#endif

namespace {

// The CPU's model name as Linux reports it ("?" elsewhere): the figures are this CPU's.
std::string cpu_model() {
    std::FILE* f = std::fopen("/proc/cpuinfo", "r");
    if (!f) return "?";
    char line[512];
    std::string model = "?";
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "model name", 10) != 0) continue;
        const char* value = std::strchr(line, ':');
        if (value) model = value + 1 + (value[1] == ' ');
        while (!model.empty() && (model.back() == '\n' || model.back() == ' ')) model.pop_back();
        break;
    }
    std::fclose(f);
    return model;
}

void write_json(const char* path, const char* default_target, const std::vector<Peak>& peaks,
                const std::vector<Result>& results) {
    std::FILE* f = std::fopen(path, "w");
    if (!f) {
        std::printf("cannot write %s\n", path);
        return;
    }
    std::fprintf(f, "{\n  \"default_target\": \"%s\",\n  \"peaks\": [", default_target);
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

#if TINYMLP_X86_DISPATCH
// 784-256-10 training at batch 256 on every variant this CPU runs, beside the dispatched one; and
// one-sample 32-64-64-8 inference timed inside the variant and through the dispatched pointer.
void compare_variants(const Options& options) {
    using tinymlp::IsaLevel;
    struct Variant {
        IsaLevel level;
        Result (*train)(const Options&);
        const char* flags;
    };
    const Variant variants[] = {
        {IsaLevel::sse2, &isa_sse2::train_784_256_10, "no -m flags"},
        {IsaLevel::avx2, &isa_avx2::train_784_256_10, "-mavx2 -mfma: the x86-avx2 preset's flags"},
        {IsaLevel::avx512, &isa_avx512::train_784_256_10, "-mavx512f/bw/dq/vl/vnni -mfma: the x86-avx512 preset's flags"},
    };
    const IsaLevel cpu = tinymlp::cpu_isa_level();
    std::printf("instruction-set variants of this build (dispatched: %s, chosen at run time)\n", tinymlp::to_string(cpu));
    const Result dispatched = TINYMLP_ISA_PICK(tinymlp_bench, train_784_256_10)(options);
    double avx2 = 0;
    for (const Variant& v : variants) {
        if (v.level > cpu) {
            std::printf("  784-256-10 training, batch 256, %-8s not run: this CPU lacks it\n", tinymlp::to_string(v.level));
            continue;
        }
        const Result r = v.train(options);
        if (v.level == IsaLevel::avx2) avx2 = r.samples_per_second;
        std::printf("  784-256-10 training, batch 256, %-8s %10.0f samples/s  (%s)\n", tinymlp::to_string(v.level),
                    r.samples_per_second, v.flags);
    }
    std::printf("  784-256-10 training, batch 256, dispatched %8.0f samples/s", dispatched.samples_per_second);
    if (avx2 > 0) std::printf(", x%.2f of the avx2 variant (the x86-avx2 preset's code)", dispatched.samples_per_second / avx2);
    std::printf("\n");

    // The dispatch cost of a one-sample call: the variant's own loop against one call per sample
    // through the pointer TINYMLP_ISA_PICK returned.
    const Result inside = TINYMLP_ISA_PICK(tinymlp_bench, infer_32_64_64_8)(options);
    const auto predict = TINYMLP_ISA_PICK(tinymlp_bench, predict_32_64_64_8);
    const float* x = TINYMLP_ISA_PICK(tinymlp_bench, small_inputs)();
    const std::size_t samples = TINYMLP_ISA_PICK(tinymlp_bench, small_samples)();
    static float y[8];
    std::size_t sample = 0;
    bool failed = false;
    const double through_pointer = seconds_per_call(
        [&] {
            if (++sample == samples) sample = 0;
            failed |= predict(x + sample * 32, y) != tinymlp::Status::ok;
            keep(y);
        },
        options.timing(), 100);
    if (failed) std::printf("  (predict failed)\n");
    std::printf("  32-64-64-8 inference, one sample: %.3f us in the variant's loop, %.3f us through the dispatched "
                "pointer (x%.2f)\n",
                inside.microseconds, through_pointer * 1e6, through_pointer * 1e6 / inside.microseconds);
}
#endif

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
    const char* target = TINYMLP_ISA_PICK(tinymlp_bench, default_target_name)();
    std::printf("tinymlp benchmark, default target %s%s\n", target, options.short_mode ? " (short run)" : "");
    std::printf("CPU: %s\n", cpu_model().c_str());
#if TINYMLP_X86_DISPATCH
    std::printf("x86-64 dispatch: this CPU runs %s; cases built for sse2, avx2+fma and avx512\n",
                tinymlp::to_string(tinymlp::cpu_isa_level()));
#else
    std::printf("instruction set fixed at compile time\n");
#endif

    const std::vector<Peak> peaks = TINYMLP_ISA_PICK(tinymlp_bench, peaks)(options.timing());
    for (const Peak& p : peaks) std::printf("  peak, multiply-add loop on %-10s %8.2f GFLOP/s (one core)\n", p.name, p.gflops);
    const std::vector<Result> results = TINYMLP_ISA_PICK(tinymlp_bench, run)(options, peaks.front().gflops);
#if TINYMLP_X86_DISPATCH
    compare_variants(options);
#endif
    bool agreed = true;
#if TINYMLP_BENCH_EIGEN
    agreed = TINYMLP_ISA_PICK(tinymlp_bench, eigen_comparison)(options);
    if (!agreed) std::printf("tinymlp and the Eigen baseline disagree\n");
#endif
    if (options.json) write_json(options.json, target, peaks, results);
    return agreed ? 0 : 1;
}
