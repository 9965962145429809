// Mean squared error and binary cross-entropy on logits, scalar reference, over all B*N outputs.
// Mean reduction, as PyTorch does by default; each returns the loss and writes its gradient with
// respect to the network output to the d* array. (Softmax cross-entropy is in softmax.hpp.)
#pragma once
#include <cmath>
#include <cstddef>

#include "../real.hpp"
#include "../target.hpp"

namespace tinymlp::kernels {

// Mean squared error over all B*N elements: loss = mean((y - t)^2), dy = 2 (y - t) / (B N).
template <std::size_t B, std::size_t N, class S>
S mean_squared_error(ScalarTarget, const S* y, const S* t, S* dy) {
    SumType<S> loss = 0;
    const S scale = S(2) / S(B * N);
    for (std::size_t i = 0; i < B * N; ++i) {
        const S diff = y[i] - t[i];
        loss += static_cast<SumType<S>>(diff) * static_cast<SumType<S>>(diff);
        dy[i] = scale * diff;
    }
    return static_cast<S>(loss / (B * N));
}

// Binary cross-entropy on logits, stable for any z:
// loss = mean(max(z, 0) - z t + log(1 + exp(-|z|))), dz = (sigmoid(z) - t) / (B N).
template <std::size_t B, std::size_t N, class S>
S binary_cross_entropy_with_logits(ScalarTarget, const S* z, const S* t, S* dz) {
    SumType<S> loss = 0;
    const S scale = S(1) / S(B * N);
    for (std::size_t i = 0; i < B * N; ++i) {
        const S e = std::exp(-std::fabs(z[i]));
        loss += static_cast<SumType<S>>((z[i] > S(0) ? z[i] : S(0)) - z[i] * t[i] + std::log1p(e));
        const S sigmoid = z[i] >= S(0) ? S(1) / (S(1) + e) : e / (S(1) + e);
        dz[i] = scale * (sigmoid - t[i]);
    }
    return static_cast<S>(loss / (B * N));
}

}  // namespace tinymlp::kernels
