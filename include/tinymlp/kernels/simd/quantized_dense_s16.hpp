// The int16 dense layer (16x8: int16 activations, int8 weights, int64 bias) on each target's
// integer instructions; results bit for bit as the reference in kernels/quantized_dense.hpp (and
// so as CMSIS-NN's arm_fully_connected_s16): the reference sums in int64, and so does every
// kernel here, exactly (a product is at most 2^22; int32 partial sums are moved to int64 before
// 2^8 of them can add up).
//   - x86 AVX2: VPMADDWD on x and W's rows widened from int8, 16 inputs a step;
//   - Arm NEON: VMLAL.S16, 8 inputs a step, partial sums widened with VPADAL;
//   - Cortex-M DSP (M4, M7, M33): SMLALD into 64-bit accumulators, x packed once per sample in
//     SXTB16's order;
//   - Cortex-M55 (Helium): VMLALDAVA.S16 into 64 bits over 8 lanes, W's bytes widened by the load;
//   - anything else (Cortex-M3): the reference.
// Four output channels at a time (two on the DSP cores): each piece of x is loaded once for all.
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_QUANTIZED_DENSE_S16_HPP
#define TINYMLP_KERNELS_SIMD_QUANTIZED_DENSE_S16_HPP
#if TINYMLP_SIMD

#include <cstddef>
#include <cstdint>
#include <cstring>

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

namespace quantized_s16_detail {

inline std::int16_t finish(std::int64_t acc, QuantizedMultiplier q, const QuantizedDenseParams& p) {
    std::int32_t out = requantize_wide(acc, q);
    out = out < p.activation_min ? p.activation_min : out > p.activation_max ? p.activation_max : out;
    return static_cast<std::int16_t>(out);
}

#if defined(__AVX2__)
inline std::int64_t sum_lanes(__m256i v) {  // four int64 lanes
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}
// int32 lanes added into int64 lanes
inline __m256i widen_add(__m256i wide, __m256i narrow) {
    wide = _mm256_add_epi64(wide, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(narrow)));
    return _mm256_add_epi64(wide, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(narrow, 1)));
}

template <class Arch, std::size_t In, std::size_t Rows>
inline void dot_rows(const std::int16_t* x, const std::int8_t* w, std::int64_t* sums) {
    constexpr std::size_t full = In / 16 * 16, block = 128 * 16;  // 128 steps: at most 2^30 a lane
    __m256i wide[Rows];
    for (std::size_t r = 0; r < Rows; ++r) wide[r] = _mm256_setzero_si256();
    for (std::size_t start = 0; start < full; start += block) {
        const std::size_t end = full - start < block ? full : start + block;
        __m256i acc[Rows];
        for (std::size_t r = 0; r < Rows; ++r) acc[r] = _mm256_setzero_si256();
        for (std::size_t i = start; i < end; i += 16) {
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
            for (std::size_t r = 0; r < Rows; ++r) {
                const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + r * In + i)));
                acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(xv, wv));
            }
        }
        for (std::size_t r = 0; r < Rows; ++r) wide[r] = widen_add(wide[r], acc[r]);
    }
    for (std::size_t r = 0; r < Rows; ++r) {
        std::int64_t s = sum_lanes(wide[r]);
        for (std::size_t i = full; i < In; ++i) s += static_cast<std::int64_t>(x[i]) * w[r * In + i];
        sums[r] = s;
    }
}
#elif defined(__ARM_NEON) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
template <class Arch, std::size_t In, std::size_t Rows>
inline void dot_rows(const std::int16_t* x, const std::int8_t* w, std::int64_t* sums) {
    constexpr std::size_t full = In / 8 * 8, block = 128 * 8;  // 128 steps: at most 2^30 a lane
    int64x2_t wide[Rows];
    for (std::size_t r = 0; r < Rows; ++r) wide[r] = vdupq_n_s64(0);
    for (std::size_t start = 0; start < full; start += block) {
        const std::size_t end = full - start < block ? full : start + block;
        int32x4_t acc[Rows];
        for (std::size_t r = 0; r < Rows; ++r) acc[r] = vdupq_n_s32(0);
        for (std::size_t i = start; i < end; i += 8) {
            const int16x8_t xv = vld1q_s16(x + i);
            for (std::size_t r = 0; r < Rows; ++r) {
                const int16x8_t wv = vmovl_s8(vld1_s8(w + r * In + i));
                acc[r] = vmlal_s16(acc[r], vget_low_s16(xv), vget_low_s16(wv));
                acc[r] = vmlal_s16(acc[r], vget_high_s16(xv), vget_high_s16(wv));
            }
        }
        for (std::size_t r = 0; r < Rows; ++r) wide[r] = vpadalq_s32(wide[r], acc[r]);
    }
    for (std::size_t r = 0; r < Rows; ++r) {
        std::int64_t s = vgetq_lane_s64(wide[r], 0) + vgetq_lane_s64(wide[r], 1);
        for (std::size_t i = full; i < In; ++i) s += static_cast<std::int64_t>(x[i]) * w[r * In + i];
        sums[r] = s;
    }
}
#elif defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
template <class Arch, std::size_t In, std::size_t Rows>
inline void dot_rows(const std::int16_t* x, const std::int8_t* w, std::int64_t* sums) {
    constexpr std::size_t full = In / 8 * 8;
    std::int64_t acc[Rows] = {};
#pragma GCC unroll 1
    for (std::size_t i = 0; i < full; i += 8) {
        const int16x8_t xv = vldrhq_s16(x + i);
#pragma GCC unroll 4
        for (std::size_t r = 0; r < Rows; ++r) acc[r] = vmlaldavaq_s16(acc[r], xv, vldrbq_s16(w + r * In + i));
    }
    if constexpr (In % 8 > 0) {
        const mve_pred16_t lanes = vctp16q(static_cast<std::uint32_t>(In % 8));
        const int16x8_t xv = vldrhq_z_s16(x + full, lanes);
        for (std::size_t r = 0; r < Rows; ++r)
            acc[r] = vmlaldavaq_p_s16(acc[r], xv, vldrbq_z_s16(w + r * In + full, lanes), lanes);
    }
    for (std::size_t r = 0; r < Rows; ++r) sums[r] = acc[r];
}
#elif defined(__ARM_FEATURE_DSP)
inline std::int64_t smlald(std::uint32_t a, std::uint32_t b, std::int64_t acc) {
    return static_cast<std::int64_t>(__smlald(a, b, static_cast<std::uint64_t>(acc)));
}
inline std::uint32_t sxtb16_ror8(std::uint32_t v) {
    std::uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
// x packed as dot_rows reads it: word 2j holds (x[4j], x[4j+2]), word 2j + 1 (x[4j+1], x[4j+3]),
// the halves SXTB16 and SXTB16 ROR #8 take out of a word of W.
template <std::size_t In>
inline void pack(const std::int16_t* x, std::uint32_t* pairs) {
    for (std::size_t j = 0; j < In / 4; ++j) {
        const auto half = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<std::uint16_t>(x[i])); };
        pairs[2 * j] = half(4 * j) | half(4 * j + 2) << 16;
        pairs[2 * j + 1] = half(4 * j + 1) | half(4 * j + 3) << 16;
    }
}
template <class Arch, std::size_t In, std::size_t Rows>
inline void dot_rows(const std::uint32_t* pairs, const std::int16_t* x, const std::int8_t* w, std::int64_t* sums) {
    std::int64_t acc[Rows] = {};
#pragma GCC unroll 4
    for (std::size_t j = 0; j < In / 4; ++j) {
        const std::uint32_t even = pairs[2 * j], odd = pairs[2 * j + 1];
#pragma GCC unroll 4
        for (std::size_t r = 0; r < Rows; ++r) {
            std::uint32_t u;
            std::memcpy(&u, w + r * In + 4 * j, 4);
            acc[r] = smlald(even, __sxtb16(u), acc[r]);
            acc[r] = smlald(odd, sxtb16_ror8(u), acc[r]);
        }
    }
    for (std::size_t r = 0; r < Rows; ++r) {
        for (std::size_t i = In / 4 * 4; i < In; ++i) acc[r] += static_cast<std::int64_t>(x[i]) * w[r * In + i];
        sums[r] = acc[r];
    }
}
#endif

#if defined(__AVX2__) || defined(__ARM_NEON) || (defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)) || \
    defined(__ARM_FEATURE_DSP)
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int16_t* x, const std::int8_t* w, const std::int64_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int16_t* y) {
#if defined(__ARM_FEATURE_DSP) && !defined(__ARM_NEON) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
    // two rows: four 64-bit accumulators already take eight of the core's registers
    constexpr std::size_t rows = 2, blocked = Out / rows * rows;
    std::uint32_t pairs[In / 4 * 2 + 2];
    const auto rows_of = [&](auto count, const std::int16_t* xn, const std::int8_t* wo, std::int64_t* sums) {
        dot_rows<Arch, In, decltype(count)::value>(pairs, xn, wo, sums);
    };
#else
    constexpr std::size_t rows = 4, blocked = Out / rows * rows;
    const auto rows_of = [&](auto count, const std::int16_t* xn, const std::int8_t* wo, std::int64_t* sums) {
        dot_rows<Arch, In, decltype(count)::value>(xn, wo, sums);
    };
#endif
    for (std::size_t n = 0; n < B; ++n) {
        const std::int16_t* xn = x + n * In;
#if defined(__ARM_FEATURE_DSP) && !defined(__ARM_NEON) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
        pack<In>(xn, pairs);
#endif
        std::int64_t sums[rows];
        for (std::size_t o = 0; o < blocked; o += rows) {
            rows_of(std::integral_constant<std::size_t, rows>{}, xn, w + o * In, sums);
            for (std::size_t r = 0; r < rows; ++r) y[n * Out + o + r] = finish(sums[r] + (bias ? bias[o + r] : 0), q[o + r], p);
        }
        for (std::size_t o = blocked; o < Out; ++o) {
            rows_of(std::integral_constant<std::size_t, 1>{}, xn, w + o * In, sums);
            y[n * Out + o] = finish(sums[0] + (bias ? bias[o] : 0), q[o], p);
        }
    }
}
#else
template <class Arch, std::size_t B, std::size_t In, std::size_t Out>
void forward(const std::int16_t* x, const std::int8_t* w, const std::int64_t* bias, const QuantizedMultiplier* q,
             const QuantizedDenseParams& p, std::int16_t* y) {
    quantized_dense_forward<B, In, Out>(ScalarTarget{}, x, w, bias, q, p, y);
}
#endif

}  // namespace quantized_s16_detail

template <std::size_t B, std::size_t In, std::size_t Out, class Arch>
void quantized_dense_forward(SimdTarget<Arch>, const std::int16_t* x, const std::int8_t* w, const std::int64_t* bias,
                             const QuantizedMultiplier* q, const QuantizedDenseParams& p, std::int16_t* y) {
    // Arch in the instantiation, as the int8 kernel's (x86 dispatch: one body per instruction set)
    quantized_s16_detail::forward<Arch, B, In, Out>(x, w, bias, q, p, y);
}

}  // namespace tinymlp::kernels

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_QUANTIZED_DENSE_S16_HPP
