// Softmax and the losses, scalar reference. Rows are samples: z, y, dz are [B][C].
// Losses use mean reduction, as PyTorch does by default, and return the loss; their
// gradient with respect to the network output is written to the d* array.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

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
// dz = (softmax(z) - onehot(label)) / B. Labels must already be checked to lie in [0, C).
template <std::size_t B, std::size_t C, class S>
S softmax_cross_entropy(ScalarTarget, const S* z, const std::int32_t* labels, S* dz) {
    double loss = 0;
    for (std::size_t n = 0; n < B; ++n) {
        const S* zn = z + n * C;
        S* dn = dz + n * C;
        S max = zn[0];
        for (std::size_t c = 1; c < C; ++c) max = zn[c] > max ? zn[c] : max;
        S sum = 0;
        for (std::size_t c = 0; c < C; ++c) sum += (dn[c] = std::exp(zn[c] - max));
        const auto label = static_cast<std::size_t>(labels[n]);
        loss += static_cast<double>(std::log(sum) + max - zn[label]);
        const S scale = S(1) / (sum * S(B));
        for (std::size_t c = 0; c < C; ++c) dn[c] *= scale;
        dn[label] -= S(1) / S(B);
    }
    return static_cast<S>(loss / B);
}

// Mean squared error over all B*N elements: loss = mean((y - t)^2), dy = 2 (y - t) / (B N).
template <std::size_t B, std::size_t N, class S>
S mean_squared_error(ScalarTarget, const S* y, const S* t, S* dy) {
    double loss = 0;
    const S scale = S(2) / S(B * N);
    for (std::size_t i = 0; i < B * N; ++i) {
        const S diff = y[i] - t[i];
        loss += static_cast<double>(diff) * static_cast<double>(diff);
        dy[i] = scale * diff;
    }
    return static_cast<S>(loss / (B * N));
}

// Binary cross-entropy on logits, stable for any z:
// loss = mean(max(z, 0) - z t + log(1 + exp(-|z|))), dz = (sigmoid(z) - t) / (B N).
template <std::size_t B, std::size_t N, class S>
S binary_cross_entropy_with_logits(ScalarTarget, const S* z, const S* t, S* dz) {
    double loss = 0;
    const S scale = S(1) / S(B * N);
    for (std::size_t i = 0; i < B * N; ++i) {
        const S e = std::exp(-std::fabs(z[i]));
        loss += static_cast<double>((z[i] > S(0) ? z[i] : S(0)) - z[i] * t[i] + std::log1p(e));
        const S sigmoid = z[i] >= S(0) ? S(1) / (S(1) + e) : e / (S(1) + e);
        dz[i] = scale * (sigmoid - t[i]);
    }
    return static_cast<S>(loss / (B * N));
}

}  // namespace tinymlp::kernels
