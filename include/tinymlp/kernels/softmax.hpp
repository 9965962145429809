// Softmax and softmax cross-entropy, scalar reference. Rows are samples: z, y, dz are [B][C].
// The loss uses mean reduction, as PyTorch does by default, and returns the loss; its gradient
// with respect to the logits is written to dz.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../real.hpp"
#include "../target.hpp"

namespace tinymlp::kernels {

// y = exp(z - max z) / sum exp(z - max z): subtracting the max keeps exp() from overflowing.
template <std::size_t B, std::size_t C, class S>
void softmax_forward(ScalarTarget, const S* z, S* y) {
    for (std::size_t n = 0; n < B; ++n) {
        const S* zn = z + n * C;
        S* yn = y + n * C;
        S max = zn[0];
        for (std::size_t c = 1; c < C; ++c) max = zn[c] > max ? zn[c] : max;
        S sum = 0;
        for (std::size_t c = 0; c < C; ++c) sum += (yn[c] = std::exp(zn[c] - max));
        const S inverse = S(1) / sum;
        for (std::size_t c = 0; c < C; ++c) yn[c] *= inverse;
    }
}

// dz = y * (dy - <dy, y>): the softmax Jacobian applied to dy, row by row
template <std::size_t B, std::size_t C, class S>
void softmax_backward(ScalarTarget, const S* y, const S* dy, S* dz) {
    for (std::size_t n = 0; n < B; ++n) {
        S dot = 0;
        for (std::size_t c = 0; c < C; ++c) dot += dy[n * C + c] * y[n * C + c];
        for (std::size_t c = 0; c < C; ++c) dz[n * C + c] = y[n * C + c] * (dy[n * C + c] - dot);
    }
}

// Cross-entropy of softmax(z) against class labels, fused: loss = mean(logsumexp(z) - z[label]),
// dz = (softmax(z) - onehot(label)) / B. Labels (any integer type) must already be checked to lie
// in [0, C).
template <std::size_t B, std::size_t C, class S, class Label>
S softmax_cross_entropy(ScalarTarget, const S* z, const Label* labels, S* dz) {
    SumType<S> loss = 0;
    for (std::size_t n = 0; n < B; ++n) {
        const S* zn = z + n * C;
        S* dn = dz + n * C;
        S max = zn[0];
        for (std::size_t c = 1; c < C; ++c) max = zn[c] > max ? zn[c] : max;
        S sum = 0;
        for (std::size_t c = 0; c < C; ++c) sum += (dn[c] = std::exp(zn[c] - max));
        const auto label = static_cast<std::size_t>(labels[n]);
        loss += static_cast<SumType<S>>(std::log(sum) + max - zn[label]);
        const S scale = S(1) / (sum * S(B));
        for (std::size_t c = 0; c < C; ++c) dn[c] *= scale;
        dn[label] -= S(1) / S(B);
    }
    return static_cast<S>(loss / B);
}

}  // namespace tinymlp::kernels
