// Dense-layer kernels, scalar reference. Shapes (row-major):
//   x [B][In], W [In][Out], b [Out], y [B][Out], dy [B][Out], dx [B][In], dW [In][Out], db [Out]
// Gradients are written, or with Accumulate added to what is there (gradient accumulation).
#pragma once
#include <cstddef>
#include <type_traits>

#include "../target.hpp"

namespace tinymlp::kernels {

// y = x W + b   (b may be null)
template <std::size_t B, std::size_t In, std::size_t Out, class S>
void dense_forward(ScalarTarget, const S* x, const S* w, const S* b, S* y) {
    for (std::size_t n = 0; n < B; ++n) {
        S* yn = y + n * Out;
        for (std::size_t o = 0; o < Out; ++o) yn[o] = b ? b[o] : S(0);
        for (std::size_t i = 0; i < In; ++i) {
            const S xi = x[n * In + i];
            const S* wi = w + i * Out;
            for (std::size_t o = 0; o < Out; ++o) yn[o] += xi * wi[o];
        }
    }
}

// Scalars of scratch that dense_backward_input needs on a target: none for the reference.
template <std::size_t B, std::size_t In, std::size_t Out, class S>
constexpr std::size_t dense_backward_input_scratch(ScalarTarget) {
    return 0;
}

// dx = dy W^T
template <std::size_t B, std::size_t In, std::size_t Out, class S>
void dense_backward_input(ScalarTarget, const S* dy, const S* w, S* dx, S* /*scratch*/ = nullptr) {
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t i = 0; i < In; ++i) {
            S sum = 0;
            for (std::size_t o = 0; o < Out; ++o) sum += dy[n * Out + o] * w[i * Out + o];
            dx[n * In + i] = sum;
        }
    }
}

// dW = x^T dy (Accumulate: dW += x^T dy)
template <std::size_t B, std::size_t In, std::size_t Out, class S, bool Accumulate = false>
void dense_backward_weights(ScalarTarget, const S* x, const S* dy, S* dw, std::bool_constant<Accumulate> = {}) {
    if constexpr (!Accumulate)
        for (std::size_t i = 0; i < In * Out; ++i) dw[i] = S(0);
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t i = 0; i < In; ++i) {
            const S xi = x[n * In + i];
            S* dwi = dw + i * Out;
            for (std::size_t o = 0; o < Out; ++o) dwi[o] += xi * dy[n * Out + o];
        }
    }
}

// Rows [r, r + Rows) of dW = x^T dy, x pointing at column r of x (row stride In), with every value
// as dense_backward_weights makes it: the fused updates' blocks. The reference makes one row at a
// time.
template <std::size_t B, std::size_t In, std::size_t Out, class S>
constexpr std::size_t dense_weight_gradient_rows(ScalarTarget) {
    return 1;
}
template <std::size_t B, std::size_t In, std::size_t Out, std::size_t Rows, class S>
void dense_weight_gradient_block(ScalarTarget, const S* x, const S* dy, S* dw) {
    for (std::size_t i = 0; i < Rows * Out; ++i) dw[i] = S(0);
    for (std::size_t n = 0; n < B; ++n) {
        for (std::size_t i = 0; i < Rows; ++i) {
            const S xi = x[n * In + i];
            S* dwi = dw + i * Out;
            for (std::size_t o = 0; o < Out; ++o) dwi[o] += xi * dy[n * Out + o];
        }
    }
}

// db = sum over the batch of dy (Accumulate: db += that sum)
template <std::size_t B, std::size_t Out, class S, bool Accumulate = false>
void dense_backward_bias(ScalarTarget, const S* dy, S* db, std::bool_constant<Accumulate> = {}) {
    if constexpr (!Accumulate)
        for (std::size_t o = 0; o < Out; ++o) db[o] = S(0);
    for (std::size_t n = 0; n < B; ++n)
        for (std::size_t o = 0; o < Out; ++o) db[o] += dy[n * Out + o];
}

}  // namespace tinymlp::kernels
