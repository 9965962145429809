// The int8 dense layer on each target's integer instructions; results bit for bit as the
// reference kernels/quantized_dense.hpp (and so as CMSIS-NN and TFLite Micro): the same int32
// sums, in another order, and the same requantization.
//   - x86 AVX-512 VNNI: VPDPBUSD on 64 bytes, W's rows flipped to unsigned (see dot_tile), eight
//     channels at a time for one sample, four by four samples in a batch;
//   - x86 AVX2: x + input_offset widened to int16 once per sample, then VPMADDWD against W's rows
//     widened from int8, four channels at a time for one sample, two by four samples in a batch;
//   - Arm NEON (aarch64, armv7): the same with VMLAL.S16; SDOT on 16 bytes where the compiler
//     targets Armv8.2's dot product (-march=armv8.2-a+dotprod and later);
//   - Cortex-M with the DSP extension (M4, M7, M33): SMLAD on pairs of int16, x + input_offset
//     packed once per sample as CMSIS-NN packs it (SXTB16 order), four output channels at a time;
//   - Cortex-M55 (Helium): VMLADAVA.S8 over 16 lanes (a predicated tail), four channels at a time,
//     the input offset times each row's sum (VADDVA.S8) added afterwards;
//   - Cortex-M3 (neither): LDRSB and MLA, four channels at a time;
//   - anything else: the reference.
// The choice is the compiler's predefined macros, as CMSIS-NN makes it.
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_QUANTIZED_DENSE_HPP
#define TINYMLP_KERNELS_SIMD_QUANTIZED_DENSE_HPP
#if TINYMLP_SIMD

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../quantized_dense.hpp"

#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#elif defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

namespace tinymlp::kernels {

namespace quantized_detail {

// The output stage, its settings in registers (the int8 stores of y could alias a
// QuantizedDenseParams in memory, so the compiler would reload them for every output).
struct Finish {
    std::int32_t offset, low, high;
    explicit Finish(const QuantizedDenseParams& p)
        : offset(p.output_offset), low(p.activation_min), high(p.activation_max) {}
    // The requantized, offset and clamped output of one channel's int32 sum: requantize() as
    // quantization.hpp, without its saturation case (a multiplier is never -2^31).
    std::int8_t operator()(std::int32_t acc, QuantizedMultiplier q) const {
        const int left = q.shift > 0 ? q.shift : 0, right = q.shift > 0 ? 0 : -q.shift;
        const std::int32_t shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) << left);
        const std::int64_t product = static_cast<std::int64_t>(shifted) * q.multiplier;
        const std::int32_t high_part = static_cast<std::int32_t>((product + (std::int64_t(1) << 30)) >> 31);
        std::int32_t out = rounding_divide_by_power_of_two(high_part, right) + offset;
        out = out < low ? low : out > high ? high : out;
        return static_cast<std::int8_t>(out);
    }
};
inline std::int8_t finish(std::int32_t acc, QuantizedMultiplier q, const QuantizedDenseParams& p) {
    return Finish(p)(acc, q);
}

// The int32 sums wrap as the references' do; unsigned arithmetic makes that defined.
inline std::int32_t wrap_add(std::int32_t a, std::int32_t b) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}

#if defined(__AVX2__)
// x86: a block of samples' int32 sums first (dot_tile, below for each instruction set), then each
// sample's outputs requantized eight channels at a time (finish8).

// Finish for eight channels: the same integer steps in 32-bit lanes, the doubling high multiply
// on even and odd lanes in 64 bits (its bits 31..62 are the same under a logical shift).
struct Finish8 {
    __m256i multiplier, left, right;  // q[0..8): multiplier, left shift, right shift
    explicit Finish8(const QuantizedMultiplier* q) {
        // {multiplier, shift} pairs to a vector of each
        const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
        const __m256i a = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)), order);
        const __m256i b = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 4)), order);
        multiplier = _mm256_permute2x128_si256(a, b, 0x20);
        const __m256i shift = _mm256_permute2x128_si256(a, b, 0x31);
        left = _mm256_max_epi32(shift, _mm256_setzero_si256());
        right = _mm256_max_epi32(_mm256_sub_epi32(_mm256_setzero_si256(), shift), _mm256_setzero_si256());
    }
    void operator()(__m256i acc, const Finish& f, std::int8_t* y) const {
        const __m256i shifted = _mm256_sllv_epi32(acc, left);
        const __m256i half = _mm256_set1_epi64x(std::int64_t(1) << 30);
        const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(shifted, multiplier), half), 31);
        const __m256i odd = _mm256_srli_epi64(
            _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(shifted, 32), _mm256_srli_epi64(multiplier, 32)), half), 31);
        const __m256i high = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
        // rounding_divide_by_power_of_two
        const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), right), _mm256_set1_epi32(1));
        const __m256i remainder = _mm256_and_si256(high, mask);
        const __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), _mm256_srai_epi32(high, 31));
        __m256i out = _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(remainder, threshold));
        out = _mm256_add_epi32(out, _mm256_set1_epi32(f.offset));
        out = _mm256_min_epi32(_mm256_max_epi32(out, _mm256_set1_epi32(f.low)), _mm256_set1_epi32(f.high));
        const __m256i words = _mm256_packs_epi32(out, out);  // within int8 now: the packs are exact
        const __m256i bytes = _mm256_packs_epi16(words, words);
        const __m128i eight = _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(y), eight);
    }
};

// y[n][o] = finish(bias[o] + added[n] + sums[n][o]) for N samples.
template <std::size_t N, std::size_t Out>
inline void finish_block(const std::int32_t (*sums)[Out], const std::int32_t* added, const std::int32_t* bias,
                         const QuantizedMultiplier* q, const Finish& f, std::int8_t* y) {
    constexpr std::size_t vectored = Out / 8 * 8;
    for (std::size_t o = 0; o < vectored; o += 8) {
        const Finish8 eight(q + o);
        const __m256i b = bias ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + o)) : _mm256_setzero_si256();
        for (std::size_t n = 0; n < N; ++n) {
            const __m256i acc = _mm256_add_epi32(
                _mm256_add_epi32(b, _mm256_set1_epi32(added[n])), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&sums[n][o])));
            eight(acc, f, y + n * Out + o);
        }
    }
    for (std::size_t o = vectored; o < Out; ++o)
        for (std::size_t n = 0; n < N; ++n)
            y[n * Out + o] = f(wrap_add(wrap_add(bias ? bias[o] : 0, added[n]), sums[n][o]), q[o]);
}
#endif

#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// Four vectors of int32 lanes to their four sums, in order.
template <class Arch>
inline __m128i sum_lanes4(__m512i a, __m512i b, __m512i c, __m512i d) {
    const auto half = [](__m512i v) {
        return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    };
    const __m256i abcd = _mm256_hadd_epi32(_mm256_hadd_epi32(half(a), half(b)), _mm256_hadd_epi32(half(c), half(d)));
    return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

// acc + the sums of four products of u's unsigned bytes with s's signed ones, in each int32 lane.
// (GCC 12 copies the accumulator around each _mm512_dpbusd_epi32; the instruction updates it in
// place.)
inline __m512i dpbusd(__m512i acc, __m512i u, __m512i s) {
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "vm"(s));
    return acc;
}

// VPDPBUSD multiplies unsigned bytes by signed ones. W's rows go in as w + 128 (w XOR 0x80, as
// unsigned) and x as it is: the sums are sum w x + 128 sum x, and forward takes 128 sum x back
// out. Nothing is copied or precomputed. Rows rows of W (w, w + In, ...) times N samples (x,
// x + In, ...) into sums[n][o + r]; the last 64 bytes masked (masked-off weights become 128 and
// meet x's zeros).
template <class Arch, std::size_t In, std::size_t N, std::size_t Rows, std::size_t Out>
inline void dot_tile(const std::int8_t* x, const std::int8_t* w, std::int32_t (*sums)[Out], std::size_t o) {
    constexpr std::size_t full = In / 64 * 64, tail = In % 64;
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    __m512i acc[N][Rows];
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t r = 0; r < Rows; ++r) acc[n][r] = _mm512_setzero_si512();
    for (std::size_t i = 0; i < full; i += 64) {
        __m512i wu[Rows];
        for (std::size_t r = 0; r < Rows; ++r) {
            wu[r] = _mm512_xor_si512(_mm512_loadu_si512(w + r * In + i), flip);
            // one sample reads each weight once: fetch the next rows' while these are multiplied
            if constexpr (N == 1) _mm_prefetch(reinterpret_cast<const char*>(w + (r + Rows) * In + i), _MM_HINT_T0);
        }
        for (std::size_t n = 0; n < N; ++n) {
            const __m512i xv = _mm512_loadu_si512(x + n * In + i);
            for (std::size_t r = 0; r < Rows; ++r) acc[n][r] = dpbusd(acc[n][r], wu[r], xv);
        }
    }
    if constexpr (tail > 0) {
        const __mmask64 lanes = (__mmask64(1) << tail) - 1;
        __m512i wu[Rows];
        for (std::size_t r = 0; r < Rows; ++r)
            wu[r] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, w + r * In + full), flip);
        for (std::size_t n = 0; n < N; ++n) {
            const __m512i xv = _mm512_maskz_loadu_epi8(lanes, x + n * In + full);
            for (std::size_t r = 0; r < Rows; ++r) acc[n][r] = dpbusd(acc[n][r], wu[r], xv);
        }
    }
    for (std::size_t n = 0; n < N; ++n) {
        if constexpr (Rows % 4 == 0) {
            for (std::size_t r = 0; r < Rows; r += 4)
                _mm_storeu_si128(reinterpret_cast<__m128i*>(&sums[n][o + r]),
                                 sum_lanes4<Arch>(acc[n][r], acc[n][r + 1], acc[n][r + 2], acc[n][r + 3]));
        } else {
            for (std::size_t r = 0; r < Rows; ++r) sums[n][o + r] = _mm512_reduce_add_epi32(acc[n][r]);
        }
    }
}

template <std::size_t In>
inline std::int32_t byte_sum(const std::int8_t* v) {
    std::int32_t s = 0;
    for (std::size_t i = 0; i < In; ++i) s += v[i];
    return s;
}

// sum (x + input_offset) w = (the tile's sum - 128 sum x) + input_offset sum w; the last term
// only for a caller that passes an offset (QuantizedNetwork folds it into the bias).
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    const Finish f(p);
    // N samples from n0: Rows rows at a time, then the rows left over one by one
    const auto samples = [&](auto n_count, std::size_t n0) {
        constexpr std::size_t N = decltype(n_count)::value, Rows = N == 1 ? 8 : 4, blocked = Out / Rows * Rows;
        const std::int8_t* xn = x + n0 * In;
        std::int32_t sums[N][Out], added[N];
        for (std::size_t n = 0; n < N; ++n) added[n] = -128 * byte_sum<In>(xn + n * In);
        for (std::size_t o = 0; o < blocked; o += Rows) dot_tile<Arch, In, N, Rows, Out>(xn, w + o * In, sums, o);
        for (std::size_t o = blocked; o < Out; ++o) dot_tile<Arch, In, N, 1, Out>(xn, w + o * In, sums, o);
        if (p.input_offset != 0)
            for (std::size_t o = 0; o < Out; ++o) {
                const std::uint32_t term = static_cast<std::uint32_t>(p.input_offset) *
                                           static_cast<std::uint32_t>(byte_sum<In>(w + o * In));
                for (std::size_t n = 0; n < N; ++n) sums[n][o] = wrap_add(sums[n][o], static_cast<std::int32_t>(term));
            }
        finish_block<N, Out>(sums, added, bias, q, f, y + n0 * Out);
    };
    // one sample: eight rows at a time, eight sums in flight; a batch: four samples by four rows,
    // each vector of W loaded once for four samples
    constexpr std::size_t grouped = B / 4 * 4;
    for (std::size_t n = 0; n < grouped; n += 4) samples(std::integral_constant<std::size_t, 4>{}, n);
    for (std::size_t n = grouped; n < B; ++n) samples(std::integral_constant<std::size_t, 1>{}, n);
}
#elif defined(__AVX2__)
template <class Arch>
inline std::int32_t sum_lanes(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// Rows rows of W times N samples of x + input_offset in int16 (x16, x16 + In, ...), into
// sums[n][o + r]: VPMADDWD against W widened from int8, each widened vector used for N samples.
template <class Arch, std::size_t In, std::size_t N, std::size_t Rows, std::size_t Out>
inline void dot_tile(const std::int16_t* x16, const std::int8_t* w, std::int32_t (*sums)[Out], std::size_t o) {
    constexpr std::size_t full = In / 16 * 16;
    __m256i acc[N][Rows];
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t r = 0; r < Rows; ++r) acc[n][r] = _mm256_setzero_si256();
    for (std::size_t i = 0; i < full; i += 16) {
        __m256i wv[Rows];
        for (std::size_t r = 0; r < Rows; ++r) {
            wv[r] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + r * In + i)));
            // one sample reads each weight once: fetch the next rows' while these are multiplied
            if constexpr (N == 1)
                if (i % 64 == 0) _mm_prefetch(reinterpret_cast<const char*>(w + (r + Rows) * In + i), _MM_HINT_T0);
        }
        for (std::size_t n = 0; n < N; ++n) {
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x16 + n * In + i));
            for (std::size_t r = 0; r < Rows; ++r) acc[n][r] = _mm256_add_epi32(acc[n][r], _mm256_madd_epi16(xv, wv[r]));
        }
    }
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t r = 0; r < Rows; ++r) {
            std::int32_t s = sum_lanes<Arch>(acc[n][r]);
            for (std::size_t i = full; i < In; ++i) s = wrap_add(s, x16[n * In + i] * w[r * In + i]);
            sums[n][o + r] = s;
        }
}

template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    const Finish f(p);
    // N samples from n0: x + input_offset widened once (within [-255, 255], an int16), then Rows
    // rows at a time and the rows left over one by one
    const auto samples = [&](auto n_count, std::size_t n0) {
        constexpr std::size_t N = decltype(n_count)::value, Rows = N == 1 ? 4 : 2, blocked = Out / Rows * Rows;
        alignas(32) std::int16_t x16[N * In];
        for (std::size_t i = 0; i < N * In; ++i) x16[i] = static_cast<std::int16_t>(x[n0 * In + i] + p.input_offset);
        std::int32_t sums[N][Out];
        const std::int32_t added[N] = {};
        for (std::size_t o = 0; o < blocked; o += Rows) dot_tile<Arch, In, N, Rows, Out>(x16, w + o * In, sums, o);
        for (std::size_t o = blocked; o < Out; ++o) dot_tile<Arch, In, N, 1, Out>(x16, w + o * In, sums, o);
        finish_block<N, Out>(sums, added, bias, q, f, y + n0 * Out);
    };
    // one sample: four rows at a time; a batch: four samples by two rows, each widened vector of W
    // used for four samples
    constexpr std::size_t grouped = B / 4 * 4;
    for (std::size_t n = 0; n < grouped; n += 4) samples(std::integral_constant<std::size_t, 4>{}, n);
    for (std::size_t n = grouped; n < B; ++n) samples(std::integral_constant<std::size_t, 1>{}, n);
}
#elif defined(__ARM_NEON) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
template <class Arch, std::size_t In, std::size_t Rows>
inline void dot_rows(const std::int16_t* x16, const std::int8_t* w, std::int32_t* sums) {
    constexpr std::size_t full = In / 8 * 8;
    int32x4_t acc[Rows];
    for (std::size_t r = 0; r < Rows; ++r) acc[r] = vdupq_n_s32(0);
    for (std::size_t i = 0; i < full; i += 8) {
        const int16x8_t xv = vld1q_s16(x16 + i);
        for (std::size_t r = 0; r < Rows; ++r) {
            const int16x8_t wv = vmovl_s8(vld1_s8(w + r * In + i));
            acc[r] = vmlal_s16(acc[r], vget_low_s16(xv), vget_low_s16(wv));
            acc[r] = vmlal_s16(acc[r], vget_high_s16(xv), vget_high_s16(wv));
        }
    }
    for (std::size_t r = 0; r < Rows; ++r) {
        const int32x2_t pair = vadd_s32(vget_low_s32(acc[r]), vget_high_s32(acc[r]));
        std::int32_t s = vget_lane_s32(vpadd_s32(pair, pair), 0);
        for (std::size_t i = full; i < In; ++i) s = wrap_add(s, x16[i] * w[r * In + i]);
        sums[r] = s;
    }
}
#endif

#if defined(__AVX2__)
// forward is above
#elif defined(__ARM_NEON) && defined(__ARM_FEATURE_DOTPROD) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
// SDOT (Armv8.2 dot product): four products of signed bytes into each int32 lane, 16 bytes a step,
// x as it is; with an input offset (QuantizedNetwork folds it into the bias, so not there), the
// offset times each row's sum, SDOT against ones, added afterwards.
template <std::size_t In, std::size_t Rows, bool WithRowSums>
inline void sdot_rows(const std::int8_t* xn, const std::int8_t* w, std::int32_t offset, std::int32_t* sums) {
    constexpr std::size_t full = In / 16 * 16;
    int32x4_t dot[Rows], row[Rows];
    for (std::size_t r = 0; r < Rows; ++r) dot[r] = row[r] = vdupq_n_s32(0);
    const int8x16_t ones = vdupq_n_s8(1);
    for (std::size_t i = 0; i < full; i += 16) {
        const int8x16_t xv = vld1q_s8(xn + i);
        for (std::size_t r = 0; r < Rows; ++r) {
            const int8x16_t wv = vld1q_s8(w + r * In + i);
            dot[r] = vdotq_s32(dot[r], xv, wv);
            if constexpr (WithRowSums) row[r] = vdotq_s32(row[r], ones, wv);
        }
    }
    for (std::size_t r = 0; r < Rows; ++r) {
        std::int32_t s = vaddvq_s32(dot[r]), row_sum = vaddvq_s32(row[r]);
        for (std::size_t i = full; i < In; ++i) {
            s = wrap_add(s, xn[i] * w[r * In + i]);
            row_sum += w[r * In + i];
        }
        // sum (x + offset) w = sum x w + offset sum w, in wrapping int32 as the references'
        sums[r] = WithRowSums ? wrap_add(s, static_cast<std::int32_t>(static_cast<std::uint32_t>(offset) *
                                                                        static_cast<std::uint32_t>(row_sum)))
                              : s;
    }
}

template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    constexpr std::size_t rows = 4, blocked = Out / rows * rows;
    const Finish out(p);
    const auto run = [&](auto with_row_sums) {
        constexpr bool sums_of_rows = decltype(with_row_sums)::value;
        for (std::size_t n = 0; n < B; ++n) {
            const std::int8_t* xn = x + n * In;
            std::int32_t sums[rows];
            for (std::size_t o = 0; o < blocked; o += rows) {
                sdot_rows<In, rows, sums_of_rows>(xn, w + o * In, p.input_offset, sums);
                for (std::size_t r = 0; r < rows; ++r)
                    y[n * Out + o + r] = out(wrap_add(bias ? bias[o + r] : 0, sums[r]), q[o + r]);
            }
            for (std::size_t o = blocked; o < Out; ++o) {
                sdot_rows<In, 1, sums_of_rows>(xn, w + o * In, p.input_offset, sums);
                y[n * Out + o] = out(wrap_add(bias ? bias[o] : 0, sums[0]), q[o]);
            }
        }
    };
    if (p.input_offset == 0) run(std::false_type{});
    else run(std::true_type{});
}
#elif defined(__ARM_NEON) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    constexpr std::size_t rows = 4;
    alignas(32) std::int16_t x16[In];
    for (std::size_t n = 0; n < B; ++n) {
        // x + input_offset: within [-255, 255], an int16
        for (std::size_t i = 0; i < In; ++i) x16[i] = static_cast<std::int16_t>(x[n * In + i] + p.input_offset);
        constexpr std::size_t blocked = Out / rows * rows;
        const Finish out(p);
        std::int32_t sums[rows];
        for (std::size_t o = 0; o < blocked; o += rows) {
            dot_rows<Arch, In, rows>(x16, w + o * In, sums);
            for (std::size_t r = 0; r < rows; ++r)
                y[n * Out + o + r] = out(wrap_add(bias ? bias[o + r] : 0, sums[r]), q[o + r]);
        }
        for (std::size_t o = blocked; o < Out; ++o) {
            dot_rows<Arch, In, 1>(x16, w + o * In, sums);
            y[n * Out + o] = out(wrap_add(bias ? bias[o] : 0, sums[0]), q[o]);
        }
    }
}
#elif defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
// Rows channels at a time: each 16 inputs are loaded once for all of them.
template <std::size_t In, std::size_t Rows>
inline void mve_rows(const std::int8_t* xn, const std::int8_t* w, std::int32_t offset, std::int32_t* sums) {
    constexpr std::size_t full = In / 16 * 16;
    std::int32_t dot[Rows] = {}, row_sum[Rows] = {};
    if (offset == 0) {  // no row sums (QuantizedNetwork folds the offset into the bias)
#pragma GCC unroll 1
        for (std::size_t i = 0; i < full; i += 16) {
            const int8x16_t xv = vldrbq_s8(xn + i);
#pragma GCC unroll 4
            for (std::size_t r = 0; r < Rows; ++r) dot[r] = vmladavaq_s8(dot[r], xv, vldrbq_s8(w + r * In + i));
        }
        if constexpr (In % 16 > 0) {
            const mve_pred16_t lanes = vctp8q(static_cast<std::uint32_t>(In % 16));
            const int8x16_t xv = vldrbq_z_s8(xn + full, lanes);
            for (std::size_t r = 0; r < Rows; ++r)
                dot[r] = vmladavaq_p_s8(dot[r], xv, vldrbq_z_s8(w + r * In + full, lanes), lanes);
        }
        for (std::size_t r = 0; r < Rows; ++r) sums[r] = dot[r];
        return;
    }
#pragma GCC unroll 1
    for (std::size_t i = 0; i < full; i += 16) {
        const int8x16_t xv = vldrbq_s8(xn + i);
#pragma GCC unroll 4
        for (std::size_t r = 0; r < Rows; ++r) {
            const int8x16_t wv = vldrbq_s8(w + r * In + i);
            dot[r] = vmladavaq_s8(dot[r], xv, wv);
            row_sum[r] = vaddvaq_s8(row_sum[r], wv);
        }
    }
    if constexpr (In % 16 > 0) {
        const mve_pred16_t lanes = vctp8q(static_cast<std::uint32_t>(In % 16));
        const int8x16_t xv = vldrbq_z_s8(xn + full, lanes);
        for (std::size_t r = 0; r < Rows; ++r) {
            const int8x16_t wv = vldrbq_z_s8(w + r * In + full, lanes);
            dot[r] = vmladavaq_p_s8(dot[r], xv, wv, lanes);
            row_sum[r] = vaddvaq_p_s8(row_sum[r], wv, lanes);
        }
    }
    // sum (x + offset) w = sum x w + offset sum w, in wrapping int32 as the references'
    for (std::size_t r = 0; r < Rows; ++r)
        sums[r] = wrap_add(dot[r], static_cast<std::int32_t>(static_cast<std::uint32_t>(offset) *
                                                             static_cast<std::uint32_t>(row_sum[r])));
}

template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    constexpr std::size_t rows = 4, blocked = Out / rows * rows;
    for (std::size_t n = 0; n < B; ++n) {
        const std::int8_t* xn = x + n * In;
        const Finish out(p);
        std::int32_t sums[rows];
        for (std::size_t o = 0; o < blocked; o += rows) {
            mve_rows<In, rows>(xn, w + o * In, p.input_offset, sums);
            for (std::size_t r = 0; r < rows; ++r) y[n * Out + o + r] = out(wrap_add(bias ? bias[o + r] : 0, sums[r]), q[o + r]);
        }
        for (std::size_t o = blocked; o < Out; ++o) {
            mve_rows<In, 1>(xn, w + o * In, p.input_offset, sums);
            y[n * Out + o] = out(wrap_add(bias ? bias[o] : 0, sums[0]), q[o]);
        }
    }
}
#elif defined(__ARM_FEATURE_DSP)
inline std::uint32_t sxtb16_ror8(std::uint32_t v) {  // one SXTB16 with its rotation
    std::uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
inline std::uint32_t sxtab16_ror8(std::uint32_t a, std::uint32_t v) {
    std::uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
    return r;
}
inline std::int32_t smlad(std::uint32_t a, std::uint32_t b, std::int32_t acc) {
    return static_cast<std::int32_t>(__smlad(a, b, static_cast<std::uint32_t>(acc)));
}

// Rows channels at a time over packed pairs (see forward): each pair of words is loaded once for
// all of them.
template <std::size_t In, std::size_t Rows>
inline void dsp_rows(const std::uint32_t* pairs, const std::int8_t* xn, std::int32_t offset, const std::int8_t* w,
                     std::int32_t* acc) {
    constexpr std::size_t groups = In / 4;
#pragma GCC unroll 4
    for (std::size_t j = 0; j < groups; ++j) {
        std::uint64_t both;  // one LDRD
        std::memcpy(&both, pairs + 2 * j, 8);
        const std::uint32_t even = static_cast<std::uint32_t>(both), odd = static_cast<std::uint32_t>(both >> 32);
#pragma GCC unroll 4
        for (std::size_t r = 0; r < Rows; ++r) {
            std::uint32_t u;
            std::memcpy(&u, w + r * In + 4 * j, 4);
            acc[r] = smlad(even, __sxtb16(u), acc[r]);
            acc[r] = smlad(odd, sxtb16_ror8(u), acc[r]);
        }
    }
    for (std::size_t i = 4 * groups; i < In; ++i)
        for (std::size_t r = 0; r < Rows; ++r) acc[r] = wrap_add(acc[r], (xn[i] + offset) * w[r * In + i]);
}

// x + input_offset as int16 pairs in SXTB16 order: word 2j holds (x[4j], x[4j+2]) and word 2j + 1
// holds (x[4j+1], x[4j+3]), the halves SXTB16 and SXTB16 ROR #8 take out of a word of W.
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    constexpr std::size_t groups = In / 4, rows = 4, blocked = Out / rows * rows;
    alignas(8) std::uint32_t pairs[2 * groups + 2];
    for (std::size_t n = 0; n < B; ++n) {
        const std::int8_t* xn = x + n * In;
        // SXTAB16: the offset added to both halves in the same instruction
        const std::uint32_t offsets = static_cast<std::uint16_t>(p.input_offset) * 0x10001u;
        for (std::size_t j = 0; j < groups; ++j) {
            std::uint32_t u;
            std::memcpy(&u, xn + 4 * j, 4);
            pairs[2 * j] = __sxtab16(offsets, u);
            pairs[2 * j + 1] = sxtab16_ror8(offsets, u);
        }
        const Finish out(p);
        for (std::size_t o = 0; o < blocked; o += rows) {
            std::int32_t acc[rows];
            for (std::size_t r = 0; r < rows; ++r) acc[r] = bias ? bias[o + r] : 0;
            dsp_rows<In, rows>(pairs, xn, p.input_offset, w + o * In, acc);
            for (std::size_t r = 0; r < rows; ++r) y[n * Out + o + r] = out(acc[r], q[o + r]);
        }
        for (std::size_t o = blocked; o < Out; ++o) {
            std::int32_t acc[1] = {bias ? bias[o] : 0};
            dsp_rows<In, 1>(pairs, xn, p.input_offset, w + o * In, acc);
            y[n * Out + o] = out(acc[0], q[o]);
        }
    }
}
#elif defined(__thumb2__)
// Cortex-M3 (no DSP, no FPU): x + input_offset in int32 once per sample, four channels at a time,
// each input loaded once for all four; LDRSB and MLA.
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    constexpr std::size_t rows = 4, blocked = Out / rows * rows;
    std::int32_t x32[In];
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t i = 0; i < In; ++i) x32[i] = x[n * In + i] + p.input_offset;
        for (std::size_t o = 0; o < blocked; o += rows) {
            const std::int8_t* wo = w + o * In;
            std::uint32_t a0 = bias ? static_cast<std::uint32_t>(bias[o]) : 0, a1 = bias ? static_cast<std::uint32_t>(bias[o + 1]) : 0;
            std::uint32_t a2 = bias ? static_cast<std::uint32_t>(bias[o + 2]) : 0, a3 = bias ? static_cast<std::uint32_t>(bias[o + 3]) : 0;
#pragma GCC unroll 4
            for (std::size_t i = 0; i < In; ++i) {
                const std::uint32_t xi = static_cast<std::uint32_t>(x32[i]);
                a0 += xi * static_cast<std::uint32_t>(static_cast<std::int32_t>(wo[i]));
                a1 += xi * static_cast<std::uint32_t>(static_cast<std::int32_t>(wo[In + i]));
                a2 += xi * static_cast<std::uint32_t>(static_cast<std::int32_t>(wo[2 * In + i]));
                a3 += xi * static_cast<std::uint32_t>(static_cast<std::int32_t>(wo[3 * In + i]));
            }
            y[n * Out + o] = finish(static_cast<std::int32_t>(a0), q[o], p);
            y[n * Out + o + 1] = finish(static_cast<std::int32_t>(a1), q[o + 1], p);
            y[n * Out + o + 2] = finish(static_cast<std::int32_t>(a2), q[o + 2], p);
            y[n * Out + o + 3] = finish(static_cast<std::int32_t>(a3), q[o + 3], p);
        }
        for (std::size_t o = blocked; o < Out; ++o) {
            std::uint32_t a = bias ? static_cast<std::uint32_t>(bias[o]) : 0;
            for (std::size_t i = 0; i < In; ++i)
                a += static_cast<std::uint32_t>(x32[i]) * static_cast<std::uint32_t>(static_cast<std::int32_t>(w[o * In + i]));
            y[n * Out + o] = finish(static_cast<std::int32_t>(a), q[o], p);
        }
    }
}
#else
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int8_t* y) {
    quantized_dense_forward<B, In, Out>(ScalarTarget{}, x, w, bias, q, p, y);
}
#endif

}  // namespace quantized_detail

template <std::size_t B, std::size_t In, std::size_t Out, class Arch>
void quantized_dense_forward(SimdTarget<Arch>, const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias,
                             const QuantizedMultiplier* q, const QuantizedDenseParams& p, std::int8_t* y) {
    // Arch in the instantiation: the x86 dispatch compiles this header under several instruction
    // sets in one program, each of which must keep its own body
    quantized_detail::forward<Arch, B, In, Out>(x, w, bias, q, p, y);
}

}  // namespace tinymlp::kernels

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_QUANTIZED_DENSE_HPP
