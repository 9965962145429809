// What every SIMD kernel shares: the vector type of a (scalar, instruction set) pair, loads and
// stores of a partial vector at the end of an array, and the condition under which a SIMD kernel
// exists (the reference kernels serve scalar types with no vector type on the instruction set,
// such as double on 32-bit NEON or on Cortex-M).
//
// The kernels/simd/ headers are part of target.hpp, which includes all of them after declaring
// the targets, so that every kernel call in the library sees the SimdTarget overloads. Each one
// therefore includes target.hpp first and puts its include guard after that line: whichever
// header is read first, the SIMD headers are read in the order target.hpp gives.
#include "../../real.hpp"
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_LANES_HPP
#define TINYMLP_KERNELS_SIMD_LANES_HPP
#if TINYMLP_SIMD

#include <cstddef>
#include <type_traits>
#include <utility>

// At -Os GCC calls these small helpers (and the bodies for_each_vector runs) out of line, which
// costs more instructions and more code than inlining them.
#if defined(__OPTIMIZE_SIZE__)
#define TINYMLP_SIMD_INLINE __attribute__((always_inline)) inline
#else
#define TINYMLP_SIMD_INLINE inline
#endif

namespace tinymlp::kernels {

namespace simd {

// The vector of scalars S on the instruction set Arch is VectorOf<S, Arch>::type, void when Arch
// has none. Two families supply them:
//  - xsimd: xsimd::batch<S, Arch> for xsimd's instruction-set tags (sse2, fma3<avx2>, neon64, ...);
//  - a port: an Arch tag with a member template lanes<S> naming its own vector type, or void
//    (include/tinymlp/ports/cortex_m_lanes.hpp: unrolled scalar lanes, Helium/MVE).
// A vector type offers what the kernels use of xsimd::batch: value_type, size, broadcast and
// lane-wise constructors, load/store_(un)aligned, + - * / and comparisons, and the free functions
// fma, hadd, max, select, abs, sqrt, exp, log1p and tanh, found by argument-dependent lookup
// (kernels divide and take square roots through divide and square_root below).
namespace detail {
template <class S, class Arch, class = void>
struct PortVector {
    using type = void;
};
template <class S, class Arch>
struct PortVector<S, Arch, std::void_t<typename Arch::template lanes<S>>> {
    using type = typename Arch::template lanes<S>;
};

#if TINYMLP_XSIMD
template <class S, class Arch, bool Declared = xsimd::types::has_simd_register<S, Arch>::value>
struct XsimdVector {
    using type = void;
};
// xsimd declares some pairs with a placeholder register (double on 32-bit NEON): a real vector
// register holds at least two scalars.
template <class S, class Arch>
struct XsimdVector<S, Arch, true> {
    static constexpr bool real = (std::is_same_v<S, float> || std::is_same_v<S, double>) &&
        sizeof(typename xsimd::types::simd_register<S, Arch>::register_type) >= 2 * sizeof(S);
    using type = std::conditional_t<real, xsimd::batch<S, Arch>, void>;
};
template <class S, class Arch, class = void>
struct VectorOf : XsimdVector<S, Arch> {};
template <class V>
struct IsXsimdBatch : std::false_type {};
template <class S, class Arch>
struct IsXsimdBatch<xsimd::batch<S, Arch>> : std::true_type {};
#else
template <class S, class Arch, class = void>
struct VectorOf {
    using type = void;
};
#endif
template <class S, class Arch>
struct VectorOf<S, Arch, std::void_t<typename Arch::template lanes<S>>> : PortVector<S, Arch> {};
}  // namespace detail

template <class S, class Arch>
using Vector = typename detail::VectorOf<S, Arch>::type;

// True when Arch has a vector of S.
template <class S, class Arch>
inline constexpr bool has_lanes = !std::is_void_v<Vector<S, Arch>>;

// Every SIMD kernel takes this as its last template parameter, so that it exists only for the scalar
// types Arch has vectors of. For the others, overload resolution takes the ScalarTarget reference
// (a SimdTarget is a ScalarTarget): the fallback is chosen once, here, not in every kernel.
template <class S, class Arch>
using if_lanes = std::enable_if_t<has_lanes<S, Arch>, int>;

// How the matrix kernels block their work for a vector type V:
//   registers    vector registers of the instruction set (32 with AVX-512 and on AArch64, 16 on
//                SSE/AVX/NEON); a port's type says how many of its vectors fit in its registers;
//   scalar_fma   true when a multiply-add takes its broadcast operand from a core register
//                (MVE's VFMA Qd, Qn, Rm), so a broadcast costs no vector register;
//   block_rows   rows of the register blocks of C (6 unless the type says otherwise).
template <class V, class = void>
struct LaneTraits {
    static constexpr std::size_t registers = V::registers, block_rows = V::block_rows;
    static constexpr bool scalar_fma = V::scalar_fma;
};
#if TINYMLP_XSIMD
template <class S, class Arch>
struct LaneTraits<xsimd::batch<S, Arch>> {
    static constexpr std::size_t registers =
        (std::is_base_of_v<xsimd::avx512f, Arch> || std::is_same_v<Arch, xsimd::neon64>) ? 32 : 16;
    static constexpr std::size_t block_rows = 6;
    static constexpr bool scalar_fma = false;
};
#endif

namespace detail {
template <class V, class = void>
struct HasLoadOperand : std::false_type {};
template <class V>
struct HasLoadOperand<V, std::void_t<decltype(V::load_operand(static_cast<const typename V::value_type*>(nullptr)))>>
    : std::true_type {};
}  // namespace detail

// Loads a vector that multiply-adds use at once and then drop (the vectors of B in the matrix
// kernels). A lane type may load those its own way (V::load_operand: Cortex-M4/M7 load four lanes
// with one VLDM into registers kept for it); otherwise this is a plain unaligned load.
template <class V, class S>
TINYMLP_SIMD_INLINE V load_operand(const S* p) {
    if constexpr (detail::HasLoadOperand<V>::value) return V::load_operand(p);
    else return V::load_unaligned(p);
}

// a * b + c for a scalar a. A vector type with a vector-by-scalar multiply-add overloads this
// (found by argument-dependent lookup) so that a stays in a core register.
template <class V>
TINYMLP_SIMD_INLINE V fma_scalar(typename V::value_type a, const V& b, const V& c) {
    return fma(V(a), b, c);
}

// Lane-wise a / b and square root, IEEE-rounded. xsimd 8 computes float division and square root
// on NEON from the estimates (VRECPE, VRSQRTE) and Newton-Raphson steps, which can be an ulp off,
// also on AArch64, whose FDIV and FSQRT take four floats.
template <class V>
TINYMLP_SIMD_INLINE V divide(const V& a, const V& b) {
    return a / b;
}
template <class V>
TINYMLP_SIMD_INLINE V square_root(const V& a) {
    return sqrt(a);
}
#if TINYMLP_XSIMD && defined(__aarch64__)
TINYMLP_SIMD_INLINE xsimd::batch<float, xsimd::neon64> divide(const xsimd::batch<float, xsimd::neon64>& a,
                                                              const xsimd::batch<float, xsimd::neon64>& b) {
    return vdivq_f32(a, b);
}
TINYMLP_SIMD_INLINE xsimd::batch<float, xsimd::neon64> square_root(const xsimd::batch<float, xsimd::neon64>& a) {
    return vsqrtq_f32(a);
}
#endif

// The first n < V::size lanes of p; the other lanes hold `fill`. Used where a full-width load
// would read past the end of an array.
namespace detail {
template <class V, class = void>
struct HasFirstLanes : std::false_type {};
template <class V>
struct HasFirstLanes<V, std::void_t<decltype(V::load_first(nullptr, 0, {}))>> : std::true_type {};
}  // namespace detail
template <class V, class S>
TINYMLP_SIMD_INLINE V load_partial(const S* p, std::size_t n, S fill = S(0)) {
    // a port's vectors may load and store their first lanes themselves (lane by lane, without
    // the copy through memory, which becomes memset and memcpy calls on Cortex-M)
    if constexpr (detail::HasFirstLanes<V>::value) return V::load_first(p, n, fill);
    alignas(V) S buffer[V::size];
    const std::size_t m = n < V::size ? n : V::size;  // n < V::size; the bound helps the compiler's analysis
    for (std::size_t k = 0; k < m; ++k) buffer[k] = p[k];
    for (std::size_t k = m; k < V::size; ++k) buffer[k] = fill;
    return V::load_aligned(buffer);
}

// Loads n <= V::size lanes: a plain load when n is the full width (the usual case, where the
// branch folds away once n is a constant), else a partial load.
template <class V, class S>
TINYMLP_SIMD_INLINE V load(const S* p, std::size_t n, S fill = S(0)) {
    return n == V::size ? V::load_unaligned(p) : load_partial<V>(p, n, fill);
}

template <class V, class S>
TINYMLP_SIMD_INLINE void store_partial(S* p, const V& v, std::size_t n) {
    if constexpr (detail::HasFirstLanes<V>::value) return v.store_first(p, n);
    alignas(V) S buffer[V::size];
    v.store_aligned(buffer);
    const std::size_t m = n < V::size ? n : V::size;
    for (std::size_t k = 0; k < m; ++k) p[k] = buffer[k];
}

template <class V, class S>
TINYMLP_SIMD_INLINE void store(S* p, const V& v, std::size_t n) {
    if (n == V::size) v.store_unaligned(p);
    else store_partial(p, v, n);
}

// Largest lane (xsimd 8.1 has a horizontal sum, hadd, but no horizontal maximum).
template <class V>
inline typename V::value_type horizontal_max(const V& v) {
    using S = typename V::value_type;
    alignas(V) S buffer[V::size];
    v.store_aligned(buffer);
    S max = buffer[0];
    for (std::size_t k = 1; k < V::size; ++k) max = buffer[k] > max ? buffer[k] : max;
    return max;
}

// A vector whose lane j is the sum of the lanes of rows[j], for V::size rows: xsimd's haddp
// where it is right, one horizontal sum per row elsewhere (xsimd 8.1's haddp puts some sums in
// the wrong lanes for AVX-512 floats, which tests/test_simd_kernels.cpp finds).
template <class V>
inline V sums_of_rows(const V* rows) {
    using S = typename V::value_type;
#if TINYMLP_XSIMD
    if constexpr (detail::IsXsimdBatch<V>::value) {
        if constexpr (!(std::is_base_of_v<xsimd::avx512f, typename V::arch_type> && std::is_same_v<S, float>))
            return xsimd::haddp(rows);
    }
#endif
    alignas(V) S sums[V::size];
    for (std::size_t j = 0; j < V::size; ++j) sums[j] = hadd(rows[j]);
    return V::load_aligned(sums);
}

// Runs body(i, n) over [0, count) in steps of V::size lanes: n is V::size on every step but the
// last one, which gets the remaining count % V::size lanes (if any).
template <class V, class Body>
TINYMLP_SIMD_INLINE void for_each_vector(std::size_t count, Body&& body) {
    constexpr std::size_t L = V::size;
#if defined(__OPTIMIZE_SIZE__)
    // one call of body, which -Os then inlines
    for (std::size_t i = 0; i < count; i += L) body(i, count - i < L ? count - i : L);
#else
    std::size_t i = 0;
    for (; i + L <= count; i += L) body(i, L);
    if (i < count) body(i, count - i);
#endif
}

// The same for a count known at compile time: n is a std::integral_constant, so the loads and
// stores below pick their form at compile time and a partial one copies a fixed number of lanes.
template <std::size_t N>
using Lanes = std::integral_constant<std::size_t, N>;

template <class V, std::size_t Count, class Body>
TINYMLP_SIMD_INLINE void for_each_vector(Body&& body) {
    constexpr std::size_t L = V::size;
    for (std::size_t i = 0; i + L <= Count; i += L) body(i, Lanes<L>{});
    if constexpr (Count % L > 0) body(Count - Count % L, Lanes<Count % L>{});
}

namespace detail {
template <class V, std::size_t N, class S, std::size_t... K>
TINYMLP_SIMD_INLINE V set_lanes(const S* p, S fill, std::index_sequence<K...>) {
    return V{(K < N ? p[K] : fill)...};
}
}  // namespace detail

// The first N lanes of p, the others `fill`. A partial vector is assembled in registers from N
// scalar loads: going through a buffer in memory instead would make the vector load wait for the
// scalar stores to retire (no store-to-load forwarding from several narrow stores to one wide load).
template <class V, class S, std::size_t N>
TINYMLP_SIMD_INLINE V load(const S* p, Lanes<N>, S fill = S(0)) {
    if constexpr (N == V::size) return V::load_unaligned(p);
    else return detail::set_lanes<V, N>(p, fill, std::make_index_sequence<V::size>{});
}

template <class V, class S, std::size_t N>
TINYMLP_SIMD_INLINE void store(S* p, const V& v, Lanes<N>) {
    if constexpr (N == V::size) {
        v.store_unaligned(p);
    } else {
        alignas(V) S buffer[V::size];
        v.store_aligned(buffer);
        for (std::size_t k = 0; k < N; ++k) p[k] = buffer[k];
    }
}

// Sum over x[0, count) of term(v) for the vectors v of x (zeros past the end: term(0) must be 0),
// in four independent vector accumulators, so that the additions overlap instead of waiting for
// each other, moved to a SumType<S> total (real.hpp: double but on float-only cores) every 256
// vectors, so that a long float array keeps about the precision of a double accumulator there.
template <class V, class S, class Term>
inline SumType<S> sum_of_terms(const S* x, std::size_t count, Term&& term) {
    constexpr std::size_t L = V::size, block = 256 * L;
    SumType<S> total = 0;
    for (std::size_t start = 0; start < count; start += block) {
        const std::size_t end = count - start < block ? count : start + block;
        V a0(S(0)), a1(S(0)), a2(S(0)), a3(S(0));
        std::size_t i = start;
        for (; i + 4 * L <= end; i += 4 * L) {
            a0 += term(V::load_unaligned(x + i));
            a1 += term(V::load_unaligned(x + i + L));
            a2 += term(V::load_unaligned(x + i + 2 * L));
            a3 += term(V::load_unaligned(x + i + 3 * L));
        }
        for (; i + L <= end; i += L) a0 += term(V::load_unaligned(x + i));
        if (i < end) a1 += term(load_partial<V>(x + i, end - i));
        total += static_cast<SumType<S>>(hadd((a0 + a1) + (a2 + a3)));
    }
    return total;
}

// Sum of the first n lanes of v.
template <class V>
inline typename V::value_type sum_of_lanes(const V& v, std::size_t n) {
    using S = typename V::value_type;
    if (n == V::size) return hadd(v);
    alignas(V) S buffer[V::size];
    v.store_aligned(buffer);
    S sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += buffer[k];
    return sum;
}

// Sums vectors in S lanes, moving the total to SumType<S> (real.hpp) every `flush_every` additions,
// so that a long float array keeps about the precision of a double accumulator where that is double.
template <class V>
struct SumAccumulator {
    using Sum = SumType<typename V::value_type>;
    static constexpr std::size_t flush_every = 64;
    V partial = V(typename V::value_type(0));
    std::size_t pending = 0;
    Sum total = 0;

    void add(const V& v) {
        partial += v;
        if (++pending == flush_every) flush();
    }
    void flush() {
        total += static_cast<Sum>(hadd(partial));
        partial = V(typename V::value_type(0));
        pending = 0;
    }
    Sum sum() {
        flush();
        return total;
    }
};

}  // namespace simd
}  // namespace tinymlp::kernels

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_LANES_HPP
