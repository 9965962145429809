// The Cortex-M port's vector types, which the SIMD kernels (include/tinymlp/kernels/simd/) use
// in place of xsimd's batches: xsimd 8.1 has no Cortex-M instruction set.
//
//   Cortex-M55 (Helium/MVE, __ARM_FEATURE_MVE & 2): four floats in one Q register, arm_mve.h
//     intrinsics; the multiply-add by a broadcast scalar takes it from a core register
//     (VFMA.F32 Qd, Qn, Rm), which leaves all eight Q registers to accumulators and operands.
//   Cortex-M3/M4/M7: four floats in four scalar registers ("unrolled lanes"): each operation is
//     four independent scalar instructions, so the kernels' register blocking becomes blocking
//     over the 32 single-precision registers of FPv4/FPv5 (soft-float calls on the M3).
//
// Only float has lanes; double (M7 and M55 have a double-precision FPU, M4 none) stays with the
// reference kernels. include/tinymlp/target.hpp includes this header whenever the compiler targets
// a Cortex-M (__ARM_ARCH_PROFILE == 'M': any -mcpu=cortex-m*, from any build system, with no -D)
// and makes SimdTarget<tinymlp::port::Arch> the default target.
#pragma once
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "../kernels/float_functions.hpp"
#include "cortex_m_float_loops.hpp"
#include "cortex_m_mve_loops.hpp"
#include "cortex_m_soft_float.hpp"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
#include <arm_mve.h>
#define TINYMLP_PORT_MVE 1
#else
#define TINYMLP_PORT_MVE 0
#endif

// No cache line to fill, and 8 bytes cover the widest access (a double; VLDM and MVE's VLDRW need
// 4): tinymlp's arrays are aligned to 8 on Cortex-M, so trainers and stack buffers carry no padding.
#define TINYMLP_PORT_STORAGE_ALIGNMENT 8

// At -Os GCC calls these one-line operations instead of inlining them, which costs more
// instructions and more code than their bodies.
#if defined(__OPTIMIZE_SIZE__)
#define TINYMLP_LANE_INLINE __attribute__((always_inline)) inline
#else
#define TINYMLP_LANE_INLINE inline
#endif

namespace tinymlp::port {

// ---- four floats in four scalar registers (M3, M4, M7) -------------------------------------------
template <class S, std::size_t N>
struct UnrolledMask {
    bool lane[N];
};

template <class S, std::size_t N>
struct UnrolledLanes {
    using value_type = S;
    static constexpr std::size_t size = N;
    // FPv4-SP/FPv5 have 32 single-precision registers: 8 vectors of 4 lanes. A broadcast operand
    // is one scalar register, not a vector's worth.
    static constexpr std::size_t registers = 32 / N, block_rows = 6;
    static constexpr bool scalar_fma = true;

    S lane[N];

    UnrolledLanes() = default;
    TINYMLP_LANE_INLINE UnrolledLanes(S value) {  // broadcast, implicit as xsimd's
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) lane[k] = value;
    }
    template <class... Values, class = std::enable_if_t<(sizeof...(Values) == N && N > 1)>>
    TINYMLP_LANE_INLINE UnrolledLanes(Values... values) : lane{static_cast<S>(values)...} {}

    TINYMLP_LANE_INLINE static UnrolledLanes load_unaligned(const S* p) {
        UnrolledLanes v;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) v.lane[k] = p[k];
        return v;
    }
    TINYMLP_LANE_INLINE static UnrolledLanes load_aligned(const S* p) { return load_unaligned(p); }
#if defined(__ARM_FP) && (__ARM_FP & 4)
    // A vector of the matrix kernels' B operand, used at once and dropped: one VLDM for the four
    // lanes instead of four VLDR. VLDM needs consecutive registers, which asm operands cannot ask
    // for, so the lanes land in s28-s31; only these loads use them, so no other value competes.
    TINYMLP_LANE_INLINE static UnrolledLanes load_operand(const S* p) {
        if constexpr (std::is_same_v<S, float> && N == 4) {
            register float l0 asm("s28");
            register float l1 asm("s29");
            register float l2 asm("s30");
            register float l3 asm("s31");
            __asm__("vldmia %[p], {s28-s31}"
                    : "=t"(l0), "=t"(l1), "=t"(l2), "=t"(l3)
                    : [p] "r"(p), "m"(*reinterpret_cast<const float(*)[4]>(p)));
            return UnrolledLanes(l0, l1, l2, l3);
        } else {
            return load_unaligned(p);
        }
    }
#endif
    TINYMLP_LANE_INLINE void store_unaligned(S* p) const {
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) p[k] = lane[k];
    }
    // The first n < N lanes from p, the rest `fill`; and the first n lanes to p.
    TINYMLP_LANE_INLINE static UnrolledLanes load_first(const S* p, std::size_t n, S fill) {
        UnrolledLanes v;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) v.lane[k] = k < n ? p[k] : fill;
        return v;
    }
    TINYMLP_LANE_INLINE void store_first(S* p, std::size_t n) const {
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k)
            if (k < n) p[k] = lane[k];
    }
    TINYMLP_LANE_INLINE void store_aligned(S* p) const { store_unaligned(p); }

    template <class F>
    TINYMLP_LANE_INLINE static UnrolledLanes map(F f, const UnrolledLanes& a) {
        UnrolledLanes r;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r.lane[k] = f(a.lane[k]);
        return r;
    }
    template <class F>
    TINYMLP_LANE_INLINE static UnrolledLanes map(F f, const UnrolledLanes& a, const UnrolledLanes& b) {
        UnrolledLanes r;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r.lane[k] = f(a.lane[k], b.lane[k]);
        return r;
    }
    template <class F>
    TINYMLP_LANE_INLINE static UnrolledMask<S, N> compare(F f, const UnrolledLanes& a, const UnrolledLanes& b) {
        UnrolledMask<S, N> r;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r.lane[k] = f(a.lane[k], b.lane[k]);
        return r;
    }

    TINYMLP_LANE_INLINE UnrolledLanes& operator+=(const UnrolledLanes& b) { return *this = *this + b; }
    friend TINYMLP_LANE_INLINE UnrolledLanes operator+(const UnrolledLanes& a, const UnrolledLanes& b) {
        return map([](S x, S y) { return x + y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes operator-(const UnrolledLanes& a, const UnrolledLanes& b) {
        return map([](S x, S y) { return x - y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes operator*(const UnrolledLanes& a, const UnrolledLanes& b) {
        return map([](S x, S y) { return x * y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes operator/(const UnrolledLanes& a, const UnrolledLanes& b) {
        return map([](S x, S y) { return x / y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes operator-(const UnrolledLanes& a) {
        return map([](S x) { return -x; }, a);
    }
    friend TINYMLP_LANE_INLINE UnrolledMask<S, N> operator>(const UnrolledLanes& a, const UnrolledLanes& b) {
        return compare([](S x, S y) { return x > y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledMask<S, N> operator>=(const UnrolledLanes& a, const UnrolledLanes& b) {
        return compare([](S x, S y) { return x >= y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledMask<S, N> operator<(const UnrolledLanes& a, const UnrolledLanes& b) {
        return compare([](S x, S y) { return x < y; }, a, b);
    }

    // a * b + c: one VFMA per lane where the FPU has it, two soft-float calls on the M3 (a
    // correctly rounded fmaf there would be a long library routine).
    friend TINYMLP_LANE_INLINE UnrolledLanes fma(const UnrolledLanes& a, const UnrolledLanes& b, const UnrolledLanes& c) {
        UnrolledLanes r;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r.lane[k] = multiply_add(a.lane[k], b.lane[k], c.lane[k]);
        return r;
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes fma_scalar(S a, const UnrolledLanes& b, const UnrolledLanes& c) {
        UnrolledLanes r;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r.lane[k] = multiply_add(a, b.lane[k], c.lane[k]);
        return r;
    }
    friend TINYMLP_LANE_INLINE S hadd(const UnrolledLanes& a) {
        // pairwise, as a vector unit would add them
        S r[N];
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r[k] = a.lane[k];
        for (std::size_t width = N / 2; width > 0; width /= 2)
            for (std::size_t k = 0; k < width; ++k) r[k] = r[k] + r[k + width];
        return r[0];
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes select(const UnrolledMask<S, N>& m, const UnrolledLanes& a, const UnrolledLanes& b) {
        UnrolledLanes r;
#pragma GCC unroll 16
        for (std::size_t k = 0; k < N; ++k) r.lane[k] = m.lane[k] ? a.lane[k] : b.lane[k];
        return r;
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes max(const UnrolledLanes& a, const UnrolledLanes& b) {
        return map([](S x, S y) { return x > y ? x : y; }, a, b);
    }
    friend TINYMLP_LANE_INLINE UnrolledLanes abs(const UnrolledLanes& a) { return map([](S x) { return std::fabs(x); }, a); }
    friend TINYMLP_LANE_INLINE UnrolledLanes sqrt(const UnrolledLanes& a) { return map([](S x) { return std::sqrt(x); }, a); }
    // exp, log1p, tanh: kernels/float_functions.hpp (a few multiply-adds, within 2 ulp), not libm
    friend UnrolledLanes exp(const UnrolledLanes& a) { return map([](S x) { return float_functions::exp(x); }, a); }
    friend UnrolledLanes log1p(const UnrolledLanes& a) { return map([](S x) { return float_functions::log1p(x); }, a); }
    friend UnrolledLanes tanh(const UnrolledLanes& a) { return map([](S x) { return float_functions::tanh(x); }, a); }

private:
    TINYMLP_LANE_INLINE static S multiply_add(S a, S b, S c) {
#if defined(__ARM_FEATURE_FMA) && defined(__ARM_FP) && (__ARM_FP & 4)
        return __builtin_fmaf(a, b, c);
#else
        return a * b + c;
#endif
    }
};

#if TINYMLP_PORT_MVE
// ---- four floats in a Helium Q register (M55) ----------------------------------------------------
struct MveMask {
    mve_pred16_t predicate;
};

struct MveFloat {
    using value_type = float;
    static constexpr std::size_t size = 4;
    // 8 Q registers; broadcasts stay in core registers (VFMA Qd, Qn, Rm). Blocks of 3 rows by
    // 2 vectors use them all: 6 accumulators and 2 vectors of B per step of K.
    static constexpr std::size_t registers = 8, block_rows = 3;
    static constexpr bool scalar_fma = true;

    float32x4_t v;

    MveFloat() = default;
    TINYMLP_LANE_INLINE MveFloat(float32x4_t value) : v(value) {}
    TINYMLP_LANE_INLINE MveFloat(float value) : v(vdupq_n_f32(value)) {}  // broadcast, implicit as xsimd's
    TINYMLP_LANE_INLINE MveFloat(float a, float b, float c, float d)
        : v(vsetq_lane_f32(d, vsetq_lane_f32(c, vsetq_lane_f32(b, vdupq_n_f32(a), 1), 2), 3)) {}

    // Plain accesses of a may_alias vector type rather than vld1q_f32/vst1q_f32: GCC 12 hides
    // what those intrinsics access from its alias analysis, so a load could be moved ahead of
    // (or make it drop) the float stores that fill a buffer, as the partial loads of array tails
    // read. These compile to VLDRW.32/VSTRW.32 (4-byte alignment is enough).
    typedef float32x4_t Unaligned __attribute__((may_alias, aligned(4)));
    TINYMLP_LANE_INLINE static MveFloat load_unaligned(const float* p) { return *reinterpret_cast<const Unaligned*>(p); }
    TINYMLP_LANE_INLINE static MveFloat load_aligned(const float* p) { return load_unaligned(p); }
    TINYMLP_LANE_INLINE void store_unaligned(float* p) const { *reinterpret_cast<Unaligned*>(p) = v; }
    TINYMLP_LANE_INLINE void store_aligned(float* p) const { store_unaligned(p); }

    TINYMLP_LANE_INLINE MveFloat& operator+=(const MveFloat& b) { v = vaddq_f32(v, b.v); return *this; }
    friend TINYMLP_LANE_INLINE MveFloat operator+(const MveFloat& a, const MveFloat& b) { return vaddq_f32(a.v, b.v); }
    friend TINYMLP_LANE_INLINE MveFloat operator-(const MveFloat& a, const MveFloat& b) { return vsubq_f32(a.v, b.v); }
    friend TINYMLP_LANE_INLINE MveFloat operator*(const MveFloat& a, const MveFloat& b) { return vmulq_f32(a.v, b.v); }
    friend TINYMLP_LANE_INLINE MveFloat operator-(const MveFloat& a) { return vnegq_f32(a.v); }
    // MVE has no vector division: one VDIV.F32 per lane
    friend TINYMLP_LANE_INLINE MveFloat operator/(const MveFloat& a, const MveFloat& b) {
        return MveFloat(vgetq_lane_f32(a.v, 0) / vgetq_lane_f32(b.v, 0), vgetq_lane_f32(a.v, 1) / vgetq_lane_f32(b.v, 1),
                        vgetq_lane_f32(a.v, 2) / vgetq_lane_f32(b.v, 2), vgetq_lane_f32(a.v, 3) / vgetq_lane_f32(b.v, 3));
    }
    friend TINYMLP_LANE_INLINE MveMask operator>(const MveFloat& a, const MveFloat& b) { return {vcmpgtq_f32(a.v, b.v)}; }
    friend TINYMLP_LANE_INLINE MveMask operator>=(const MveFloat& a, const MveFloat& b) { return {vcmpgeq_f32(a.v, b.v)}; }
    friend TINYMLP_LANE_INLINE MveMask operator<(const MveFloat& a, const MveFloat& b) { return {vcmpltq_f32(a.v, b.v)}; }

    friend TINYMLP_LANE_INLINE MveFloat fma(const MveFloat& a, const MveFloat& b, const MveFloat& c) { return vfmaq_f32(c.v, a.v, b.v); }
    friend TINYMLP_LANE_INLINE MveFloat fma_scalar(float a, const MveFloat& b, const MveFloat& c) { return vfmaq_n_f32(c.v, b.v, a); }
    friend TINYMLP_LANE_INLINE float hadd(const MveFloat& a) {  // pairwise (MVE's VADDV is for integers only)
        return (vgetq_lane_f32(a.v, 0) + vgetq_lane_f32(a.v, 2)) + (vgetq_lane_f32(a.v, 1) + vgetq_lane_f32(a.v, 3));
    }
    friend TINYMLP_LANE_INLINE MveFloat select(const MveMask& m, const MveFloat& a, const MveFloat& b) {
        return vpselq_f32(a.v, b.v, m.predicate);
    }
    // VMAXNM returns the number when one operand is NaN; the kernels only take maxima of finite
    // values (non-finite inputs are refused before any kernel runs).
    friend TINYMLP_LANE_INLINE MveFloat max(const MveFloat& a, const MveFloat& b) { return vmaxnmq_f32(a.v, b.v); }
    friend TINYMLP_LANE_INLINE MveFloat abs(const MveFloat& a) { return vabsq_f32(a.v); }

    template <class F>
    TINYMLP_LANE_INLINE static MveFloat map(F f, const MveFloat& a) {
        return MveFloat(f(vgetq_lane_f32(a.v, 0)), f(vgetq_lane_f32(a.v, 1)), f(vgetq_lane_f32(a.v, 2)),
                        f(vgetq_lane_f32(a.v, 3)));
    }
    friend TINYMLP_LANE_INLINE MveFloat sqrt(const MveFloat& a) { return map([](float x) { return std::sqrt(x); }, a); }
    friend MveFloat exp(const MveFloat& a) { return map([](float x) { return float_functions::exp(x); }, a); }
    friend MveFloat log1p(const MveFloat& a) { return map([](float x) { return float_functions::log1p(x); }, a); }
    friend MveFloat tanh(const MveFloat& a) { return map([](float x) { return float_functions::tanh(x); }, a); }
};
#endif

namespace detail {
template <class S>
struct LanesOf {};  // no lanes: the reference kernels
template <>
struct LanesOf<float> {
#if TINYMLP_PORT_MVE
    using type = MveFloat;
#else
    using type = UnrolledLanes<float, 4>;
#endif
};
}  // namespace detail

// The port's instruction-set tag for SimdTarget<Arch>.
struct Arch {
    static constexpr const char* name() { return TINYMLP_PORT_MVE ? "cortex-m-mve" : "cortex-m-unrolled4"; }
    template <class S>
    using lanes = typename detail::LanesOf<S>::type;
};

}  // namespace tinymlp::port
