// Dense-layer kernels on SIMD vectors; shapes and results as the reference kernels/dense.hpp:
//   x [B][In], W [In][Out], b [Out], y [B][Out], dy [B][Out], dx [B][In], dW [In][Out], db [Out]
//
// Every product is one register-blocked matrix multiply, C = A B (+ bias), with B's rows
// contiguous so that its inner step broadcasts one element of A and multiply-adds it into a row of
// vectors of C (no horizontal sums):
//   forward            y  = x W + b   A = x,      B = W
//   weight gradient    dW = x^T dy    A = x^T,    B = dy    (x^T read in place: A's rows are x's columns)
//   input gradient     dx = dy W^T    A = dy,     B = W^T   (W^T copied tile by tile to the stack)
// A block of C (Rows x Vectors vectors) stays in registers for a whole run over the shared
// dimension K; K is cut in chunks so that the part of B a chunk reads stays in the L1 cache while
// every block of rows uses it (on cores with 16 vector registers or more, copied to a contiguous
// panel first when many rows share it). Two shapes do better otherwise: one sample's forward pass (a single
// row of C: W streamed row after row) and the input gradient of a small batch (dot products of
// rows of dy and W, which need no copy of W^T).
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_DENSE_HPP
#define TINYMLP_KERNELS_SIMD_DENSE_HPP
#if TINYMLP_SIMD

#include <cstddef>
#include <type_traits>

#include "lanes.hpp"

// The port's float loops in assembly: ports/cortex_m_float_loops.hpp (M4, M7, M33),
// cortex_m_mve_loops.hpp (M55).
#if (defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS) || \
    (defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS)
#define TINYMLP_PORT_LOOPS 1
#else
#define TINYMLP_PORT_LOOPS 0
#endif

namespace tinymlp::kernels {

namespace simd {

// How a block of C starts: zeros, the bias row, or C's current values (a later chunk of K).
enum class Start { zero, bias, accumulate };

// The layout of C = A B, in scalars: A(r, k) = a[r * ARow + k * AStep], B(k, j) = b[k * BRow + j],
// C(r, j) = c[r * CRow + j].
template <std::size_t ARowStride, std::size_t AStepStride, std::size_t BRowStride, std::size_t CRowStride>
struct Layout {
    static constexpr std::size_t a_row = ARowStride, a_step = AStepStride, b_row = BRowStride, c_row = CRowStride;
};

// Register blocking for C [M][N] on vectors V: blocks of `rows` rows by `vectors` vectors, and
// chunks of `k_chunk` steps of K.
template <class V, std::size_t M, std::size_t N, std::size_t K>
struct Blocking {
    using Traits = LaneTraits<V>;
    static constexpr std::size_t registers = Traits::registers;
    static constexpr std::size_t column_vectors = (N + V::size - 1) / V::size;
    // 6 rows (xsimd): with 16 registers, 6 x 2 accumulators + 2 vectors of B + 1 broadcast; with
    // 32, 6 x 4 + 4 + 1. A block of fewer rows gets more vectors, up to every column of C.
    static constexpr std::size_t rows = M < Traits::block_rows ? M : Traits::block_rows;
    // A single row needs no register for B: each multiply-add reads its vector from memory.
    // A broadcast needs one vector register, unless the multiply-add reads it from a core register.
    static constexpr std::size_t broadcast_registers = Traits::scalar_fma ? 0 : 1;
    static constexpr std::size_t fitting =
        rows == 1 ? registers - 2 : (registers - broadcast_registers) / (rows + 1);
    static constexpr std::size_t fitting_vectors = fitting > 0 ? fitting : 1;
    static constexpr std::size_t vectors = fitting_vectors < column_vectors ? fitting_vectors : column_vectors;
    // One block of rows only: B is read once, chunking K would only add stores of C. Otherwise
    // chunks of equal size (784 = 3 x 262, not 384 + 384 + 16).
    static constexpr std::size_t k_bytes = 24 * 1024;
    static constexpr std::size_t k_per_budget_raw = k_bytes / (vectors * V::size * sizeof(typename V::value_type));
    static constexpr std::size_t k_per_budget = k_per_budget_raw < 16 ? 16 : k_per_budget_raw;
    static constexpr std::size_t k_chunks = (K + k_per_budget - 1) / k_per_budget;
    static constexpr std::size_t k_chunk = M <= rows ? K : (K + k_chunks - 1) / k_chunks;
    // With 16 registers or more (not Cortex-M) and enough blocks of rows to share it, a chunk of B's
    // columns of one block is first copied to a contiguous panel on the stack (k_bytes at most):
    // B's rows, N apart, would otherwise each take their own cache line and page per step of K
    // (wide layers: the TLB and the prefetchers lose track), for every block of rows again.
    static constexpr bool packs_b = registers >= 16 && M >= 4 * rows && N > vectors * V::size;
};

// GCC 12 at -O3 for Helium (Cortex-M55) builds code from this function that computes wrong
// results when its first instruction-scheduling pass runs (test_frozen_and_fused: a 64x64 layer's
// bias update at batch 1 off by up to 8e-3 in the trainer's inlined steps, right at -O2): the pass
// is off for this function there. It costs instructions: one sample's dense 64x64 takes 1.12 per
// multiply-add instead of 0.68 (instruction_counts). The one-sample outer products and updates get
// the same (without it, test_frozen_and_fused found a fused batch-1 SGD step with decay and L1 off
// the unfused one's bits).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13 && defined(__ARM_FEATURE_MVE)
#define TINYMLP_GEMM_BLOCK_ATTRIBUTES __attribute__((optimize("no-schedule-insns")))
#else
#define TINYMLP_GEMM_BLOCK_ATTRIBUTES
#endif

// One register block of C: Rows rows by Vectors full vectors of columns, plus (Tail > 0) one
// vector of which only the first Tail lanes are columns of C. For k < k_full, B's tail vector is
// loaded whole: its extra lanes hold the next row's values, which only reach accumulator lanes
// that are never stored; from k_full on (where a whole vector would read past B) it is loaded
// partially.
template <class V, std::size_t Rows, std::size_t Vectors, std::size_t Tail, class Shape, class S>
TINYMLP_GEMM_BLOCK_ATTRIBUTES inline void gemm_block(const S* a, const S* b, std::size_t k_count, std::size_t k_full,
                                                     S* c, const S* bias, Start start) {
    constexpr std::size_t L = V::size;
    constexpr std::size_t NV = Vectors + (Tail > 0 ? 1 : 0);
    static_assert(Rows > 0 && NV > 0, "tinymlp: empty register block");
    V acc[Rows][NV];
    const auto start_value = [&](std::size_t r, std::size_t v, auto lanes) {
        if (start == Start::zero) return V(S(0));
        if (start == Start::bias) return load<V>(bias + v * L, lanes);
        return load<V>(c + r * Shape::c_row + v * L, lanes);
    };
#pragma GCC unroll 8
    for (std::size_t r = 0; r < Rows; ++r) {
#pragma GCC unroll 16
        for (std::size_t v = 0; v < Vectors; ++v) acc[r][v] = start_value(r, v, Lanes<L>{});
        if constexpr (Tail > 0) acc[r][Vectors] = start_value(r, Vectors, Lanes<Tail>{});
    }
    std::size_t k = 0;
    const std::size_t k_whole = Tail > 0 ? k_full : k_count;
    for (; k < k_whole; ++k) {
        const S* bk = b + k * Shape::b_row;
        const S* ak = a + k * Shape::a_step;
        V bv[NV];
#pragma GCC unroll 16
        for (std::size_t v = 0; v < NV; ++v) bv[v] = load_operand<V>(bk + v * L);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < Rows; ++r) {
            const S ar = ak[r * Shape::a_row];
#pragma GCC unroll 16
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = fma_scalar(ar, bv[v], acc[r][v]);
        }
    }
    if constexpr (Tail > 0) {
        for (; k < k_count; ++k) {
            const S* bk = b + k * Shape::b_row;
            const S* ak = a + k * Shape::a_step;
            V bv[NV];
            for (std::size_t v = 0; v < Vectors; ++v) bv[v] = load_operand<V>(bk + v * L);
            bv[Vectors] = load<V>(bk + Vectors * L, Lanes<Tail>{});
            for (std::size_t r = 0; r < Rows; ++r) {
                const S ar = ak[r * Shape::a_row];
                for (std::size_t v = 0; v < NV; ++v) acc[r][v] = fma_scalar(ar, bv[v], acc[r][v]);
            }
        }
    }
#pragma GCC unroll 8
    for (std::size_t r = 0; r < Rows; ++r) {
#pragma GCC unroll 16
        for (std::size_t v = 0; v < Vectors; ++v) acc[r][v].store_unaligned(c + r * Shape::c_row + v * L);
        if constexpr (Tail > 0) store(c + r * Shape::c_row + Vectors * L, acc[r][Vectors], Lanes<Tail>{});
    }
}

// Every block of rows of C [M][...] for one column block.
template <class V, std::size_t M, std::size_t Rows, std::size_t Vectors, std::size_t Tail, class Shape, class S>
inline void gemm_rows(const S* a, const S* b, std::size_t k_count, std::size_t k_full, S* c, const S* bias,
                      Start start) {
    std::size_t m = 0;
    for (; m + Rows <= M; m += Rows)
        gemm_block<V, Rows, Vectors, Tail, Shape>(a + m * Shape::a_row, b, k_count, k_full, c + m * Shape::c_row,
                                                  bias, start);
    if constexpr (M % Rows > 0)
        gemm_block<V, M % Rows, Vectors, Tail, Shape>(a + m * Shape::a_row, b, k_count, k_full,
                                                      c + m * Shape::c_row, bias, start);
}

// The full vectors of one row of C too wide for the registers: c [0, full) = bias + sum_k a_k B_k.
// B's rows are streamed whole, `rows` at a time, and each vector of C makes one round trip to the
// L1 cache per group of rows. (A pass per register-sized slice of C would read B's rows in pieces,
// which the L2 cache delivers more slowly than whole rows.)
template <class V, std::size_t N, std::size_t K, class Shape, class S>
inline void gemv_streaming(const S* a, const S* b, S* c, const S* bias) {
    constexpr std::size_t L = V::size, full = N / L * L, rows = 8;
    for (std::size_t j = 0; j < full; j += L) (bias ? V::load_unaligned(bias + j) : V(S(0))).store_unaligned(c + j);
    for (std::size_t k = 0; k < K / rows * rows; k += rows) {
        S ak[rows];
#pragma GCC unroll 8
        for (std::size_t u = 0; u < rows; ++u) ak[u] = a[(k + u) * Shape::a_step];
        const S* bk = b + k * Shape::b_row;
        // unrolled: one multiply-add chain per vector of C, with nothing else between them (as a
        // loop, its counting and addressing slowed the whole by a third)
#pragma GCC unroll 64
        for (std::size_t j = 0; j < full; j += L) {
            V acc = V::load_unaligned(c + j);
#pragma GCC unroll 8
            for (std::size_t u = 0; u < rows; ++u)
                acc = fma_scalar(ak[u], load_operand<V>(bk + u * Shape::b_row + j), acc);
            acc.store_unaligned(c + j);
        }
    }
    for (std::size_t k = K / rows * rows; k < K; ++k) {
        const S ak = a[k * Shape::a_step];
        const S* bk = b + k * Shape::b_row;
        for (std::size_t j = 0; j < full; j += L)
            fma_scalar(ak, V::load_unaligned(bk + j), V::load_unaligned(c + j)).store_unaligned(c + j);
    }
}

#if defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS
// C = A B (+ bias) on the M55 in the port's register blocks of 3 rows by 8 columns (then one of
// 2 rows), when A's rows or its steps are contiguous (the forward; the weight gradient) and the
// shape allows. When M % 3 is 1 the last block of 2 rows overlaps the block before it, whose last
// row it computes again to the same values.
template <std::size_t M, std::size_t N, std::size_t K, class Shape>
inline constexpr bool gemm_by_blocks3x8 =
    M >= 2 && N % 8 == 0 && K % 2 == 0 && K > 0 &&
    port::block3x8_strides<Shape::b_row * sizeof(float), Shape::c_row * sizeof(float)> &&
    (Shape::a_step == 1 || (Shape::a_row == 1 && Shape::a_step * sizeof(float) <= 1020));
template <std::size_t Rows, std::size_t K, class Shape>
inline void gemm_block3x8(const float* a, const float* b, float* c, const float* start) {
    constexpr std::size_t bytes = sizeof(float), b_row = Shape::b_row * bytes, c_row = Shape::c_row * bytes;
    if constexpr (Shape::a_step == 1) port::block_rows_x8<Rows, Shape::a_row * bytes, b_row, c_row>(a, b, K, start, c);
    else port::block_columns_x8<Rows, Shape::a_step * bytes, b_row, c_row>(a, b, K, start, c);
}
template <std::size_t M, std::size_t N, std::size_t K, class Shape>
inline void gemm_blocks3x8(const float* a, const float* b, float* c, const float* bias) {
    constexpr std::size_t full = M / 3 * 3, last = M - 2;
    for (std::size_t j = 0; j < N; j += 8) {
        const float* start = bias ? bias + j : port::zeros16;
        for (std::size_t r = 0; r < full; r += 3)
            gemm_block3x8<3, K, Shape>(a + r * Shape::a_row, b + j, c + r * Shape::c_row + j, start);
        if constexpr (M > full)
            gemm_block3x8<2, K, Shape>(a + last * Shape::a_row, b + j, c + last * Shape::c_row + j, start);
    }
}
#endif

// C [M][N] = A [M][K] B [K][N] (+ bias [N], if not null), every size known at compile time;
// Accumulate: C += A B.
template <class V, std::size_t M, std::size_t N, std::size_t K, class Shape, bool Accumulate = false, class S>
inline void gemm(const S* a, const S* b, S* c, const S* bias) {
#if defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS
    if constexpr (std::is_same_v<S, float> && !Accumulate && gemm_by_blocks3x8<M, N, K, Shape>)
        return gemm_blocks3x8<M, N, K, Shape>(a, b, c, bias);
#endif
    using Block = Blocking<V, M, N, K>;
    // With few registers (8 vectors: Cortex-M), rows left over after the full blocks of rows get
    // a blocking of their own: 8 rows on 6-row blocks of 1 vector take 6 rows by 1 vector + 2 rows
    // by 2 vectors rather than 2 rows by 1 (a third fewer loads of B for those rows), when B is
    // read whole anyway (no chunks of K). With 16 or 32 registers the extra blocks cost more than
    // they save (bench/benchmark.cpp).
    constexpr std::size_t left_over = M > Block::rows ? M % Block::rows : 0;
    constexpr bool wider_left_over = left_over > 0 && Blocking<V, left_over, N, K>::vectors > Block::vectors;
    if constexpr (wider_left_over && Block::k_chunk >= K && Block::registers < 16) {
        gemm<V, M - left_over, N, K, Shape, Accumulate>(a, b, c, bias);
        gemm<V, left_over, N, K, Shape, Accumulate>(a + (M - left_over) * Shape::a_row, b,
                                                    c + (M - left_over) * Shape::c_row, bias);
        return;
    }
    constexpr std::size_t L = V::size, NV = Block::vectors;
    constexpr std::size_t full = N / L, tail = N % L;
    constexpr std::size_t column_blocks = full / NV, rest = full % NV;
    // Rows k of B whose tail vector can be loaded whole: (K - 1 - k) * BRow >= L - tail.
    constexpr std::size_t rows_after = tail == 0 ? 0 : (L - tail + Shape::b_row - 1) / Shape::b_row;
    constexpr std::size_t k_full_total = rows_after < K ? K - rows_after : 0;
    // One row of C: streamed when it does not fit in the registers, and from 16 vectors on even
    // when it does (holding 16 accumulators leaves too few registers for the loads of B; see
    // bench/benchmark.cpp). Not with 8 registers (Cortex-M): there, blocks of 6 vectors held over
    // the whole of K need fewer instructions than streaming C through 1 (bench/cortex-m).
    if constexpr (!Accumulate && M == 1 && (full >= 16 || full > Block::registers - 2) && Block::registers >= 16) {
        gemv_streaming<V, N, K, Shape>(a, b, c, bias);
        if constexpr (tail > 0)
            gemm_block<V, 1, 0, tail, Shape>(a, b + full * L, K, k_full_total, c + full * L,
                                             bias + (bias ? full * L : 0), bias ? Start::bias : Start::zero);
        return;
    }
    for (std::size_t k0 = 0; k0 < K; k0 += Block::k_chunk) {
        const std::size_t k_count = K - k0 < Block::k_chunk ? K - k0 : Block::k_chunk;
        const Start start = Accumulate || k0 > 0 ? Start::accumulate : (bias ? Start::bias : Start::zero);
        const S* ak = a + k0 * Shape::a_step;
        const S* bk = b + k0 * Shape::b_row;
        if constexpr (Block::packs_b && column_blocks > 0) {
            using Packed = Layout<Shape::a_row, Shape::a_step, NV * L, Shape::c_row>;
            alignas(64) S panel[Block::k_chunk * NV * L];
            for (std::size_t j = 0; j < column_blocks * NV * L; j += NV * L) {
                for (std::size_t k = 0; k < k_count; ++k)
#pragma GCC unroll 16
                    for (std::size_t v = 0; v < NV; ++v)
                        load<V>(bk + k * Shape::b_row + j + v * L, Lanes<L>{}).store_unaligned(panel + k * NV * L + v * L);
                gemm_rows<V, M, Block::rows, NV, 0, Packed>(ak, panel, k_count, k_count, c + j, bias + (bias ? j : 0),
                                                            start);
            }
        } else {
            for (std::size_t j = 0; j < column_blocks * NV * L; j += NV * L)
                gemm_rows<V, M, Block::rows, NV, 0, Shape>(ak, bk + j, k_count, k_count, c + j,
                                                           bias + (bias ? j : 0), start);
        }
        if constexpr (rest > 0 || tail > 0) {
            constexpr std::size_t j = column_blocks * NV * L;
            const std::size_t k_full = k_full_total > k0 ? (k_full_total - k0 < k_count ? k_full_total - k0 : k_count) : 0;
            gemm_rows<V, M, Block::rows, rest, tail, Shape>(ak, bk + j, k_count, k_full, c + j,
                                                            bias + (bias ? j : 0), start);
        }
    }
}

// The W^T tile of dense_backward_input_tiled: `rows` rows (outputs o) by `width` columns (inputs
// i), 16 KiB at most; fewer rows when Out is smaller.
template <class V, std::size_t B, std::size_t In, std::size_t Out>
struct TileOfWeights {
    using S = typename V::value_type;
    static constexpr std::size_t width = Blocking<V, B, In, Out>::vectors * V::size;
    static constexpr std::size_t rows_max = 16 * 1024 / (width * sizeof(S));
    static constexpr std::size_t rows = Out < rows_max ? Out : rows_max;
    static constexpr std::size_t count = rows * width;
};

// dx = dy W^T with W^T copied to `tile` (caller's scratch, TileOfWeights::count scalars) in tiles:
// each tile is then the B of an ordinary blocked multiply over the whole batch. The copy costs
// In * Out moves against B * In * Out multiply-adds.
template <class V, std::size_t B, std::size_t In, std::size_t Out, class S>
inline void dense_backward_input_tiled(const S* dy, const S* w, S* dx, S* tile) {
    using Block = Blocking<V, B, In, Out>;
    using Tile = TileOfWeights<V, B, In, Out>;
    constexpr std::size_t L = V::size, NV = Block::vectors, width = Tile::width, tile_rows = Tile::rows;
    constexpr std::size_t full_blocks = In / width, last = In % width;
    using Shape = Layout<Out, 1, width, In>;
    const S* const no_bias = nullptr;

    const auto fill = [&](std::size_t i0, std::size_t o0, std::size_t rows, std::size_t columns) {
        for (std::size_t j = 0; j < columns; ++j) {
            const S* wj = w + (i0 + j) * Out + o0;
            for (std::size_t k = 0; k < rows; ++k) tile[k * width + j] = wj[k];
        }
        for (std::size_t k = 0; k < rows; ++k)
            for (std::size_t j = columns; j < width; ++j) tile[k * width + j] = S(0);
    };
    for (std::size_t i0 = 0; i0 < full_blocks * width; i0 += width) {
        for (std::size_t o0 = 0; o0 < Out; o0 += tile_rows) {
            const std::size_t rows = Out - o0 < tile_rows ? Out - o0 : tile_rows;
            fill(i0, o0, rows, width);
            gemm_rows<V, B, Block::rows, NV, 0, Shape>(dy + o0, tile, rows, rows, dx + i0, no_bias,
                                                       o0 > 0 ? Start::accumulate : Start::zero);
        }
    }
    if constexpr (last > 0) {
        constexpr std::size_t i0 = full_blocks * width;
        for (std::size_t o0 = 0; o0 < Out; o0 += tile_rows) {
            const std::size_t rows = Out - o0 < tile_rows ? Out - o0 : tile_rows;
            fill(i0, o0, rows, last);
            // the tile's columns past `last` are zeros, so its tail vectors are always loaded whole
            gemm_rows<V, B, Block::rows, last / L, last % L, Shape>(dy + o0, tile, rows, rows, dx + i0, no_bias,
                                                                    o0 > 0 ? Start::accumulate : Start::zero);
        }
    }
}

// One output group of dense_backward_input_dots: dx[i0 + j] = <dy_n, W[i0 + j]> for j < Rows
// (Rows <= V::size), reduced into one vector by sums_of_rows.
template <class V, std::size_t Rows, std::size_t In, std::size_t Out, class S>
inline void dot_group(const S* dyn, const S* w, S* dxn) {
    constexpr std::size_t L = V::size, full = Out / L, tail = Out % L;
    V acc[L];
#pragma GCC unroll 16
    for (std::size_t j = 0; j < L; ++j) acc[j] = V(S(0));
    for (std::size_t o = 0; o < full * L; o += L) {
        const V d = V::load_unaligned(dyn + o);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < Rows; ++j) acc[j] = fma(d, V::load_unaligned(w + j * Out + o), acc[j]);
    }
    if constexpr (tail > 0) {
        // zeros past the row's end in both operands, so that those lanes add nothing
        const V d = load<V>(dyn + full * L, Lanes<tail>{});
#pragma GCC unroll 16
        for (std::size_t j = 0; j < Rows; ++j)
            acc[j] = fma(d, load<V>(w + j * Out + full * L, Lanes<tail>{}), acc[j]);
    }
    store(dxn, sums_of_rows(acc), Lanes<Rows>{});
}

// dx = dy W^T for a small batch, as dot products of rows of dy with rows of W: for each sample,
// V::size rows of W at a time, whose V::size sums become one vector of outputs.
template <class V, std::size_t B, std::size_t In, std::size_t Out, class S>
inline void dense_backward_input_dots(const S* dy, const S* w, S* dx) {
    constexpr std::size_t L = V::size, groups = In / L, last = In % L;
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t g = 0; g < groups; ++g)
            dot_group<V, L, In, Out>(dy + n * Out, w + g * L * Out, dx + n * In + g * L);
        if constexpr (last > 0)
            dot_group<V, last, In, Out>(dy + n * Out, w + groups * L * Out, dx + n * In + groups * L);
    }
}

// Sums over the B rows of dy of Vectors adjacent vectors (of `lanes` lanes each): as many independent
// chains of additions, which the core overlaps.
inline constexpr std::size_t column_sum_group = 8;
template <class V, std::size_t B, std::size_t Out, std::size_t Vectors, bool Accumulate, class S, class LaneCount>
inline void column_sums(const S* dy, S* db, LaneCount lanes) {
    V sum[Vectors];
#pragma GCC unroll 8
    for (std::size_t v = 0; v < Vectors; ++v) sum[v] = Accumulate ? load<V>(db + v * V::size, lanes) : V(S(0));
    for (std::size_t n = 0; n < B; ++n) {
#pragma GCC unroll 8
        for (std::size_t v = 0; v < Vectors; ++v) sum[v] += load<V>(dy + n * Out + v * V::size, lanes);
    }
#pragma GCC unroll 8
    for (std::size_t v = 0; v < Vectors; ++v) store(db + v * V::size, sum[v], lanes);
}

#if TINYMLP_PORT_LOOPS
// One sample on a Cortex-M with the port's float loops (ports/cortex_m_float_loops.hpp, and the
// forward and weight gradient ones of ports/cortex_m_mve_loops.hpp on Helium).
// TINYMLP_SMALL_CODE=1 runs every layer 8 columns at a time and leaves out the 16-column loops
// (less flash; x is loaded once per 8 outputs instead of 16). The values are the same.
#if defined(TINYMLP_SMALL_CODE) && TINYMLP_SMALL_CODE
inline constexpr std::size_t widest_loop = 8;
#else
inline constexpr std::size_t widest_loop = 16;
#endif
// y = x W + b: 16, then 8 columns at a time through the loops, the last Out % 8 by gemm.
template <class V, std::size_t In, std::size_t Out>
inline void dense_forward_one_sample(const float* x, const float* w, const float* b, float* y) {
    constexpr std::size_t sixteens = widest_loop == 16 ? Out / 16 * 16 : 0, done = Out / 8 * 8;
    for (std::size_t c = 0; c < sixteens; c += 16)
        port::dense_columns16(x, In, w + c, Out, b ? b + c : port::zeros16, y + c);
    for (std::size_t c = sixteens; c < done; c += 8)
        port::dense_columns8(x, In, w + c, Out, b ? b + c : port::zeros16, y + c);
    if constexpr (Out > done)
        gemm<V, 1, Out - done, In, Layout<In, 1, Out, Out>>(x, w + done, y + done, b ? b + done : nullptr);
}

// Rows [0, rows) of dW = x^T dy (dW's rows Out apart): each value the rounded product x_i dy_o.
template <std::size_t Out>
inline void weight_gradient_one_sample(const float* x, const float* dy, float* dw, std::size_t rows) {
    constexpr std::size_t sixteens = widest_loop == 16 ? Out / 16 * 16 : 0, done = Out / 8 * 8;
    for (std::size_t c = 0; c < sixteens; c += 16) port::outer_columns16(x, dy + c, dw + c, Out, rows);
    for (std::size_t c = sixteens; c < done; c += 8) port::outer_columns8(x, dy + c, dw + c, Out, rows);
    if constexpr (Out > done)
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t o = done; o < Out; ++o) dw[i * Out + o] = x[i] * dy[o];
}

#endif

#if defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS
// dx = dy W^T: one chain of multiply-adds per input when rows of W are whole groups of 8.
template <std::size_t In, std::size_t Out>
inline constexpr bool input_gradient_by_loops = Out % 8 == 0;
template <std::size_t In, std::size_t Out>
inline void dense_backward_input_one_sample(const float* dy, const float* w, float* dx) {
    port::dot_rows8(dy, w, Out, Out, dx, In);
}
#elif defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS
// dx = dy W^T: the lanes' dot products (dense_backward_input_dots), four rows of W at a time.
template <std::size_t In, std::size_t Out>
inline constexpr bool input_gradient_by_loops = In % 4 == 0 && Out % 4 == 0;
template <std::size_t In, std::size_t Out>
inline void dense_backward_input_one_sample(const float* dy, const float* w, float* dx) {
    port::dot_rows4(dy, w, Out / 4, dx, In / 4);
}
// dx = dy W^T for a batch of whole groups of four samples: blocks of four samples by four inputs,
// each value one chain of multiply-adds over the outputs (W's columns gathered).
template <std::size_t B, std::size_t In, std::size_t Out>
inline constexpr bool input_gradient_by_gathers = B % 4 == 0 && In % 4 == 0 && Out % 2 == 0;
template <std::size_t B, std::size_t In, std::size_t Out>
inline void dense_backward_input_gathered(const float* dy, const float* w, float* dx) {
    for (std::size_t n = 0; n < B; n += 4)
        for (std::size_t i = 0; i < In; i += 4) port::input_gradient4x4(dy + n * Out, w + i * Out, Out, dx + n * In + i, In);
}
#endif

#if TINYMLP_PORT_LOOPS
// W <- W + minus_rate (x^T dy) on rows [0, rows), each product rounded as weight_gradient_one_sample's.
// On Helium only for whole groups of 8 columns: narrower rows take the lanes.
template <std::size_t Out>
inline constexpr bool sgd_one_sample_by_loops = TINYMLP_PORT_FLOAT_LOOPS || Out % 8 == 0;
template <std::size_t Out>
inline void sgd_one_sample(const float* x, const float* dy, float* w, std::size_t rows, float minus_rate) {
    constexpr std::size_t done = Out / 8 * 8;
    for (std::size_t c = 0; c < done; c += 8) port::sgd_outer_columns8(x, dy + c, w + c, Out, rows, minus_rate);
    if constexpr (Out > done)
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t o = done; o < Out; ++o) {
                const float g = x[i] * dy[o];
                w[i * Out + o] = __builtin_fmaf(minus_rate, g, w[i * Out + o]);
            }
}
#endif

// Rows [0, rows) of dW = x^T dy for one sample, row after row (contiguous writes): each value the
// rounded product x_i dy_o (a multiply-add from zero would cost a software addition per value on
// cores without an FPU).
template <class V, std::size_t Out, class S>
TINYMLP_GEMM_BLOCK_ATTRIBUTES inline void outer_product_rows(const S* x, const S* dy, S* dw, std::size_t rows) {
#if defined(TINYMLP_PORT_SOFT_FLOAT) && TINYMLP_PORT_SOFT_FLOAT
    if constexpr (std::is_same_v<S, float>) return port::soft_float::outer_product_rows<Out>(x, dy, dw, rows);
#endif
    for (std::size_t i = 0; i < rows; ++i) {
        const V xi(x[i]);
        S* row = dw + i * Out;
        for_each_vector<V, Out>([&](std::size_t o, auto n) { store(row + o, xi * load<V>(dy + o, n), n); });
    }
}

}  // namespace simd

// y = x W + b   (b may be null)
template <std::size_t B, std::size_t In, std::size_t Out, class S, class Arch, simd::if_lanes<S, Arch> = 0>
void dense_forward(SimdTarget<Arch>, const S* x, const S* w, const S* b, S* y) {
    using V = simd::Vector<S, Arch>;
#if TINYMLP_PORT_LOOPS
    if constexpr (B == 1 && std::is_same_v<S, float>) return simd::dense_forward_one_sample<V, In, Out>(x, w, b, y);
#endif
#if defined(TINYMLP_PORT_SOFT_FLOAT) && TINYMLP_PORT_SOFT_FLOAT
    if constexpr (B == 1 && std::is_same_v<S, float>) return port::soft_float::dense_forward_one_sample<In, Out>(x, w, b, y);
#endif
    simd::gemm<V, B, Out, In, simd::Layout<In, 1, Out, Out>>(x, w, y, b);
}

namespace simd {
// The copy of W^T costs about as much as B * V::size / 16 multiply-adds per element of W would
// take: below some 256 / V::size samples the dot products are faster (SSE2, AVX2 and AVX-512
// alike), unless rows of W end in a partial vector.
template <class V, std::size_t B, std::size_t Out>
inline constexpr bool input_gradient_by_dots = B < 4 || (Out % V::size == 0 && B * V::size <= 256);
}  // namespace simd

template <std::size_t B, std::size_t In, std::size_t Out, class S, class Arch, simd::if_lanes<S, Arch> = 0>
constexpr std::size_t dense_backward_input_scratch(SimdTarget<Arch>) {
    using V = simd::Vector<S, Arch>;
#if TINYMLP_PORT_LOOPS
    if constexpr (std::is_same_v<S, float> && simd::input_gradient_by_loops<In, Out>) return 0;
#endif
#if defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS
    if constexpr (std::is_same_v<S, float> && simd::input_gradient_by_gathers<B, In, Out>) return 0;
#endif
    return simd::input_gradient_by_dots<V, B, Out> ? 0 : simd::TileOfWeights<V, B, In, Out>::count;
}

// dx = dy W^T; scratch: dense_backward_input_scratch scalars
template <std::size_t B, std::size_t In, std::size_t Out, class S, class Arch, simd::if_lanes<S, Arch> = 0>
void dense_backward_input(SimdTarget<Arch>, const S* dy, const S* w, S* dx, S* scratch) {
    using V = simd::Vector<S, Arch>;
#if defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS
    if constexpr (std::is_same_v<S, float> && simd::input_gradient_by_gathers<B, In, Out>)
        return simd::dense_backward_input_gathered<B, In, Out>(dy, w, dx);
#endif
#if TINYMLP_PORT_LOOPS
    // sample after sample through the port's loop (on the M55, batches the gathers do not take).
    // On M4/M7/M33 its VLDMs of dy and W need fewer instructions than the lanes' dot products,
    // which load each float of W on its own (the values in the reference's order); on the M55 it
    // is those dot products in registers, where GCC's code of them keeps spilling.
    if constexpr (std::is_same_v<S, float> && simd::input_gradient_by_loops<In, Out>) {
        for (std::size_t n = 0; n < B; ++n) simd::dense_backward_input_one_sample<In, Out>(dy + n * Out, w, dx + n * In);
        return;
    }
#endif
    if constexpr (simd::input_gradient_by_dots<V, B, Out>) simd::dense_backward_input_dots<V, B, In, Out>(dy, w, dx);
    else simd::dense_backward_input_tiled<V, B, In, Out>(dy, w, dx, scratch);
}

// dW = x^T dy (Accumulate: dW += x^T dy): the rows of A are the columns of x, read in place
// (A(i, n) = x[n * In + i]).
template <std::size_t B, std::size_t In, std::size_t Out, class S, class Arch, bool Accumulate = false,
          simd::if_lanes<S, Arch> = 0>
void dense_backward_weights(SimdTarget<Arch>, const S* x, const S* dy, S* dw, std::bool_constant<Accumulate> = {}) {
    using V = simd::Vector<S, Arch>;
#if TINYMLP_PORT_LOOPS
    if constexpr (B == 1 && !Accumulate && std::is_same_v<S, float>)
        return simd::weight_gradient_one_sample<Out>(x, dy, dw, In);
#endif
    if constexpr (B == 1 && !Accumulate) return simd::outer_product_rows<V, Out>(x, dy, dw, In);
    simd::gemm<V, In, Out, B, simd::Layout<1, In, Out, Out>, Accumulate>(x, dy, dw, static_cast<const S*>(nullptr));
}

// Rows [r, r + Rows) of dW, x pointing at column r of x: the same blocked multiply on fewer rows
// of A, so every value is the one dense_backward_weights makes (each is the same chain of
// multiply-adds over the batch, whatever the blocking). A block is one register block of rows.
template <std::size_t B, std::size_t In, std::size_t Out, class S, class Arch, simd::if_lanes<S, Arch> = 0>
constexpr std::size_t dense_weight_gradient_rows(SimdTarget<Arch>) {
    return B == 1 ? 1 : simd::Blocking<simd::Vector<S, Arch>, In, Out, B>::rows;
}
template <std::size_t B, std::size_t In, std::size_t Out, std::size_t Rows, class S, class Arch,
          simd::if_lanes<S, Arch> = 0>
void dense_weight_gradient_block(SimdTarget<Arch>, const S* x, const S* dy, S* dw) {
    using V = simd::Vector<S, Arch>;
#if TINYMLP_PORT_LOOPS
    if constexpr (B == 1 && std::is_same_v<S, float>) return simd::weight_gradient_one_sample<Out>(x, dy, dw, Rows);
#endif
    if constexpr (B == 1) return simd::outer_product_rows<V, Out>(x, dy, dw, Rows);
    simd::gemm<V, Rows, Out, B, simd::Layout<1, In, Out, Out>>(x, dy, dw, static_cast<const S*>(nullptr));
}

// db = sum over the batch of dy (Accumulate: db += that sum)
template <std::size_t B, std::size_t Out, class S, class Arch, bool Accumulate = false, simd::if_lanes<S, Arch> = 0>
void dense_backward_bias(SimdTarget<Arch>, const S* dy, S* db, std::bool_constant<Accumulate> = {}) {
#if defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS
    if constexpr (std::is_same_v<S, float>) return port::column_sums(dy, db, B, Out, Accumulate);
#endif
    using V = simd::Vector<S, Arch>;
    constexpr std::size_t L = V::size, group = simd::column_sum_group, full = Out / L, tail = Out % L;
    for (std::size_t o = 0; o < full / group * group * L; o += group * L)
        simd::column_sums<V, B, Out, group, Accumulate>(dy + o, db + o, simd::Lanes<L>{});
    if constexpr (full % group > 0)
        simd::column_sums<V, B, Out, full % group, Accumulate>(dy + full / group * group * L,
                                                               db + full / group * group * L, simd::Lanes<L>{});
    if constexpr (tail > 0)
        simd::column_sums<V, B, Out, 1, Accumulate>(dy + full * L, db + full * L, simd::Lanes<tail>{});
}

}  // namespace tinymlp::kernels

// The reference kernels, which serve the scalar types the kernels above do not (see if_lanes).
#include "../dense.hpp"

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_DENSE_HPP
