// PReLU kernels, scalar reference. x, y, dy, dx are [B][N]; the slope array has N entries (one
// per unit) or 1 (shared by all units).
#pragma once
#include <cstddef>
#include <type_traits>

#include "../target.hpp"

namespace tinymlp::kernels {

// y = x > 0 ? x : a x
template <std::size_t B, std::size_t N, std::size_t Slopes, class S>
void prelu_forward(ScalarTarget, const S* x, const S* slope, S* y) {
    for (std::size_t n = 0; n < B; ++n)
        for (std::size_t u = 0; u < N; ++u) {
            const S xi = x[n * N + u];
            y[n * N + u] = xi > S(0) ? xi : slope[Slopes == 1 ? 0 : u] * xi;
        }
}

// dx = dy (x > 0 ? 1 : a);  da = sum over x <= 0 of dy x  (dx may be null; Accumulate: da += it)
template <std::size_t B, std::size_t N, std::size_t Slopes, class S, bool Accumulate = false>
void prelu_backward(ScalarTarget, const S* x, const S* slope, const S* dy, S* dx, S* dslope,
                    std::bool_constant<Accumulate> = {}) {
    if constexpr (!Accumulate)
        for (std::size_t k = 0; k < Slopes; ++k) dslope[k] = S(0);
    for (std::size_t n = 0; n < B; ++n)
        for (std::size_t u = 0; u < N; ++u) {
            const std::size_t i = n * N + u, k = Slopes == 1 ? 0 : u;
            const bool positive = x[i] > S(0);
            if (dx) dx[i] = positive ? dy[i] : slope[k] * dy[i];
            if (!positive) dslope[k] += dy[i] * x[i];
        }
}

}  // namespace tinymlp::kernels
