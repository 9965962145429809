// x86-64 run-time dispatch: one source compiled for several instruction sets, the best one the CPU
// runs chosen once at run time. tinymlp's kernels pick their instruction set at compile time (every
// size is a template argument, so there is no precompiled kernel to switch between); a build that
// does not know its users' CPUs compiles the code that uses tinymlp three times instead:
//
//   isa_sse2    x86-64 baseline (what a plain build without -m flags runs)
//   isa_avx2    -mavx2 -mfma                                     (the x86-avx2 preset's flags)
//   isa_avx512  -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mfma
//               (the x86-avx512 preset's flags; VNNI is the int8 kernels' VPDPBUSD, which every
//               AVX-512 CPU since Cascade Lake and Zen 4 has: Skylake-SP/X run the avx2 variant)
//
// and calls the variant the CPU runs through a function pointer chosen once. CMake does the
// compiling: tinymlp_x86_dispatch_sources(<target> <source>...) (cmake/tinymlpX86Dispatch.cmake).
//
// In the dispatched source, put the entry points in the variant's namespace:
//
//   namespace app::TINYMLP_ISA_VARIANT {
//   float train(const float* x, const std::int32_t* labels) { ... tinymlp ... }
//   }
//
// and in the caller (compiled once):
//
//   TINYMLP_ISA_DECLARE(app, float train(const float* x, const std::int32_t* labels))
//   const auto train = TINYMLP_ISA_PICK(app, train);  // decided here, once
//
// Builds whose flags already choose an instruction set (a preset, -march=native, a cross compiler)
// compile the source once: TINYMLP_ISA_PICK then names that one variant, with no run-time choice.
//
// No code compiled for a newer instruction set may run on an older CPU. Networks, trainers and
// kernels are templates of the target, so each variant has its own. Inline functions that do not
// depend on it (the random generator, the standard library's) exist in several variants under one
// name, and the linker keeps the first copy it sees: the CMake function links the variants after
// the target's other sources, from the oldest instruction set to the newest, so the copy kept is
// never newer than its caller.
#pragma once

namespace tinymlp {

// The instruction sets of the variants, from older to newer.
enum class IsaLevel : unsigned char { sse2, avx2, avx512 };

inline const char* to_string(IsaLevel level) noexcept {
    switch (level) {
        case IsaLevel::sse2: return "sse2";
        case IsaLevel::avx2: return "avx2+fma";
        case IsaLevel::avx512: return "avx512";
    }
    return "?";
}

// The newest level this CPU and its operating system run (GCC's and clang's cpu checks include
// the OS's saving of the AVX and AVX-512 registers); sse2 on other compilers and machines.
inline IsaLevel cpu_isa_level() noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    static const IsaLevel level = [] {
        __builtin_cpu_init();
        const bool fma = __builtin_cpu_supports("fma");
        if (fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512vnni"))
            return IsaLevel::avx512;
        if (fma && __builtin_cpu_supports("avx2")) return IsaLevel::avx2;
        return IsaLevel::sse2;
    }();
    return level;
#else
    return IsaLevel::sse2;
#endif
}

// The level a translation unit is compiled for, from the compiler's macros.
#if defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && \
    defined(__AVX512VL__) && defined(__AVX512VNNI__) && defined(__FMA__)
#define TINYMLP_ISA_VARIANT isa_avx512
inline constexpr IsaLevel compiled_isa_level = IsaLevel::avx512;
#elif defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#define TINYMLP_ISA_VARIANT isa_avx2
inline constexpr IsaLevel compiled_isa_level = IsaLevel::avx2;
#else
#define TINYMLP_ISA_VARIANT isa_sse2
inline constexpr IsaLevel compiled_isa_level = IsaLevel::sse2;
#endif

// The newest of the three functions the CPU runs.
template <class Function>
Function pick_isa_variant(Function sse2, Function avx2, Function avx512) noexcept {
    switch (cpu_isa_level()) {
        case IsaLevel::avx512: return avx512;
        case IsaLevel::avx2: return avx2;
        case IsaLevel::sse2: break;
    }
    return sse2;
}

}  // namespace tinymlp

// Declares a function (or variable) of the dispatched source in the namespaces of the variants.
#define TINYMLP_ISA_DECLARE(ns, ...)   \
    namespace ns::isa_sse2 {           \
    __VA_ARGS__;                       \
    }                                  \
    namespace ns::isa_avx2 {           \
    __VA_ARGS__;                       \
    }                                  \
    namespace ns::isa_avx512 {         \
    __VA_ARGS__;                       \
    }

// A pointer to the variant of ns::name the CPU runs (TINYMLP_X86_DISPATCH: set by CMake when it
// compiles the variants), or to the build's only variant.
#if defined(TINYMLP_X86_DISPATCH) && TINYMLP_X86_DISPATCH
#define TINYMLP_ISA_PICK(ns, name) \
    ::tinymlp::pick_isa_variant(&ns::isa_sse2::name, &ns::isa_avx2::name, &ns::isa_avx512::name)
#else
#define TINYMLP_ISA_PICK(ns, name) (&ns::TINYMLP_ISA_VARIANT::name)
#endif
