// x86-64 run-time dispatch (include/tinymlp/dispatch.hpp): the variant TINYMLP_ISA_PICK chooses is
// the newest this CPU runs, each variant runs its instruction set's kernels, and every variant the
// CPU runs trains to the scalar reference's numbers. ctest also runs it under qemu-x86_64 with CPU
// models that lack AVX-512 and AVX (--expect avx2 / sse2): nothing newer than the CPU may execute.
//   test_dispatch [--expect sse2|avx2|avx512]
#include <cmath>
#include <cstdio>
#include <cstring>

#include <tinymlp/dispatch.hpp>

#include "outcome.hpp"

// The scalar reference, compiled with this file's (baseline) flags.
#define DISPATCH_TEST_NAMESPACE scalar
#define DISPATCH_TEST_TARGET tinymlp::ScalarTarget
#include "dispatch_variant.cpp"

TINYMLP_ISA_DECLARE(dispatch_test, Outcome train_and_predict())

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::printf("FAILED: %s\n", what);
        ++failures;
    }
}

// Float tolerance for 20 Adam steps on a 37-45-4 net: the variants sum in other orders (vector
// lanes, FMA) than the reference; the differences seen are up to 1.2e-6 on values of order 1.
constexpr float tolerance = 4e-6f;

void compare(const char* name, const dispatch_test::Outcome& v, const dispatch_test::Outcome& reference) {
    float worst = std::fabs(v.loss - reference.loss);
    for (int i = 0; i < dispatch_test::outputs; ++i) worst = std::fmax(worst, std::fabs(v.output[i] - reference.output[i]));
    std::printf("  %-8s target %-10s loss %.7f, largest difference from the reference %.2e\n", name, v.target,
                static_cast<double>(v.loss), static_cast<double>(worst));
    check(v.loss > 0 && worst <= tolerance, "a variant trains to the reference's numbers");
}

}  // namespace

int main(int argc, char** argv) {
    using tinymlp::IsaLevel;
    const char* expect = nullptr;
    if (argc == 3 && std::strcmp(argv[1], "--expect") == 0) expect = argv[2];
    else if (argc != 1) {
        std::printf("usage: %s [--expect sse2|avx2|avx512]\n", argv[0]);
        return 2;
    }
    const IsaLevel cpu = tinymlp::cpu_isa_level();
    std::printf("this CPU runs %s\n", tinymlp::to_string(cpu));
    if (expect) {
        const char* names[] = {"sse2", "avx2", "avx512"};
        check(std::strcmp(names[static_cast<int>(cpu)], expect) == 0, "the CPU level is the expected one");
    }

    const dispatch_test::Outcome reference = dispatch_test::scalar::train_and_predict();
    std::printf("  %-8s target %-10s loss %.7f\n", "scalar", reference.target, static_cast<double>(reference.loss));
    check(reference.loss > 0, "the reference trains");

    const dispatch_test::Outcome picked = TINYMLP_ISA_PICK(dispatch_test, train_and_predict)();
    check(picked.compiled == cpu, "the picked variant is compiled for the CPU's level");
    compare("picked", picked, reference);

    // Every variant the CPU runs, with the kernels of its instruction set.
    struct Variant {
        IsaLevel level;
        dispatch_test::Outcome (*run)();
        const char* target;
    };
    const Variant variants[] = {{IsaLevel::sse2, &dispatch_test::isa_sse2::train_and_predict, "sse2"},
                                {IsaLevel::avx2, &dispatch_test::isa_avx2::train_and_predict, "fma3+avx2"},
                                {IsaLevel::avx512, &dispatch_test::isa_avx512::train_and_predict, "avx512bw"}};
    for (const Variant& variant : variants) {
        if (variant.level > cpu) continue;
        const dispatch_test::Outcome outcome = variant.run();
        check(outcome.compiled == variant.level, "a variant is compiled for its level");
        check(std::strcmp(outcome.target, variant.target) == 0, "a variant runs its instruction set's kernels");
        compare(tinymlp::to_string(variant.level), outcome, reference);
    }
    std::printf(failures ? "%d check(s) failed\n" : "all checks passed\n", failures);
    return failures ? 1 : 0;
}
