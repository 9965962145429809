// One-sample kernels for Cortex-M cores without an FPU (M3): every float multiply and add is a
// library call of a few dozen instructions, so the products of an input that is zero (half of
// a ReLU layer's outputs, typically) are skipped, with the bits of the full computation:
//   - adding a zero product to a sum leaves the sum, but for the sign of a zero sum (-0 + +0 is
//     +0): a sum that ends at zero is computed again without skipping;
//   - zero times an infinite weight is NaN, so a row is skipped only when all of it is finite;
//   - a weight's step -lr * (x * dy) from a zero x is a zero of known sign: the weight keeps its
//     value, except -0, which a +0 step makes +0.
// The SIMD kernels (kernels/simd/dense.hpp, optimizers.hpp) call these where
// TINYMLP_PORT_SOFT_FLOAT is 1; their results equal the generic kernels' bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../finite.hpp"

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M' && !defined(__ARM_FP)
#define TINYMLP_PORT_SOFT_FLOAT 1
#else
#define TINYMLP_PORT_SOFT_FLOAT 0
#endif

namespace tinymlp::port::soft_float {

constexpr std::uint32_t sign_bit = 0x80000000u;

inline bool is_zero(float v) { return (bits_of(v) << 1) == 0; }

inline bool all_finite(const float* v, std::size_t count) {
    std::uint32_t flags = 0;
    for (std::size_t i = 0; i < count; ++i) flags |= non_finite_flag(v[i]);
    return no_non_finite_flag<float>(flags);
}

// w + s for a zero s whose sign bit is `step_sign`: w, or +0 for w = -0 and s = +0.
inline void add_zero_step(float& w, std::uint32_t step_sign) {
    if (bits_of(w) == sign_bit && step_sign == 0) w = 0.0f;
}

// y = x W + b (b may be null), W [In][Out]: y_o = (b_o + x_0 w_0o) + x_1 w_1o + ..., each
// product rounded before its addition, as the lanes' multiply-add does without an FPU.
template <std::size_t In, std::size_t Out>
void dense_forward_one_sample(const float* x, const float* w, const float* b, float* y) {
    for (std::size_t o = 0; o < Out; ++o) y[o] = b ? b[o] : 0.0f;
    bool skipped = false;
    for (std::size_t k = 0; k < In; ++k) {
        const float* row = w + k * Out;
        if (is_zero(x[k]) && all_finite(row, Out)) {
            skipped = true;
            continue;
        }
        const float xk = x[k];
        for (std::size_t o = 0; o < Out; ++o) y[o] = xk * row[o] + y[o];
    }
    if (!skipped) return;
    for (std::size_t o = 0; o < Out; ++o) {
        if (!is_zero(y[o])) continue;
        float sum = b ? b[o] : 0.0f;  // the sign of a zero sum, from every product
        for (std::size_t k = 0; k < In; ++k) sum = x[k] * w[k * Out + o] + sum;
        y[o] = sum;
    }
}

// Rows [0, rows) of dW = x^T dy for one sample: x_i dy_o, or a zero of the product's sign.
template <std::size_t Out>
void outer_product_rows(const float* x, const float* dy, float* dw, std::size_t rows) {
    const bool dy_finite = all_finite(dy, Out);
    for (std::size_t i = 0; i < rows; ++i) {
        float* row = dw + i * Out;
        if (dy_finite && is_zero(x[i])) {
            const std::uint32_t x_sign = bits_of(x[i]) & sign_bit;
            for (std::size_t o = 0; o < Out; ++o) {
                const std::uint32_t zero = (bits_of(dy[o]) & sign_bit) ^ x_sign;
                std::memcpy(row + o, &zero, sizeof zero);
            }
            continue;
        }
        const float xi = x[i];
        for (std::size_t o = 0; o < Out; ++o) row[o] = xi * dy[o];
    }
}

// One sample's SGD step on rows [0, rows) of W [.][Out]: w + (-lr) (x_i dy_o), the gradient
// rounded first (dense_sgd_one_sample's order).
template <std::size_t Out>
void sgd_one_sample(const float* x, const float* dy, float* w, std::size_t rows, float minus_rate) {
    const bool dy_finite = all_finite(dy, Out);
    const std::uint32_t rate_sign = bits_of(minus_rate) & sign_bit;
    for (std::size_t i = 0; i < rows; ++i) {
        float* row = w + i * Out;
        if (dy_finite && is_zero(x[i])) {
            const std::uint32_t x_sign = (bits_of(x[i]) & sign_bit) ^ rate_sign;
            for (std::size_t o = 0; o < Out; ++o) add_zero_step(row[o], (bits_of(dy[o]) & sign_bit) ^ x_sign);
            continue;
        }
        const float xi = x[i];
        for (std::size_t o = 0; o < Out; ++o) row[o] = minus_rate * (xi * dy[o]) + row[o];
    }
}

// p + (-lr) g over [0, count) (SGD without decay): a zero gradient's step is a zero.
inline void sgd_update(float* p, const float* g, std::size_t count, float minus_rate) {
    const std::uint32_t rate_sign = bits_of(minus_rate) & sign_bit;
    for (std::size_t i = 0; i < count; ++i) {
        if (is_zero(g[i]))
            add_zero_step(p[i], (bits_of(g[i]) & sign_bit) ^ rate_sign);
        else
            p[i] = minus_rate * g[i] + p[i];
    }
}

}  // namespace tinymlp::port::soft_float
