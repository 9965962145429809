#include "check.hpp"

#if defined(TINYMLP_TEST_NEEDS_AVX512)
#include <cstdio>
#include <cstdlib>

#include <tinymlp/dispatch.hpp>

// A test compiled for the avx512 variant's instruction set (this file is not): on a CPU without
// it, skip before any static initialiser of the test runs its instructions.
__attribute__((constructor(101))) static void skip_without_avx512() {
    if (tinymlp::cpu_isa_level() < tinymlp::IsaLevel::avx512) {
        std::printf("skipped: this CPU does not run the avx512 variant (AVX-512 F/BW/DQ/VL/VNNI)\n");
        std::exit(77);
    }
}
#endif

int main() { return tinymlp_test::run_all(); }
