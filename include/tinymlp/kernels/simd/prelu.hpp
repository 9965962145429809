// PReLU kernels on SIMD vectors; results as the reference kernels/prelu.hpp.
// x, y, dy, dx are [B][N]; the slope array has N entries (one per unit) or 1 (shared).
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_PRELU_HPP
#define TINYMLP_KERNELS_SIMD_PRELU_HPP
#if TINYMLP_SIMD

#include <cstddef>
#include <type_traits>

#include "lanes.hpp"

namespace tinymlp::kernels {

// y = x > 0 ? x : a x
template <std::size_t B, std::size_t N, std::size_t Slopes, class S, class Arch, simd::if_lanes<S, Arch> = 0>
void prelu_forward(SimdTarget<Arch>, const S* x, const S* slope, S* y) {
    using V = simd::Vector<S, Arch>;
    const V zero(S(0));
    for (std::size_t n = 0; n < B; ++n) {
        simd::for_each_vector<V, N>([&](std::size_t u, auto lanes) {
            const V xv = simd::load<V>(x + n * N + u, lanes);
            const V a = Slopes == 1 ? V(slope[0]) : simd::load<V>(slope + u, lanes);
            simd::store(y + n * N + u, select(xv > zero, xv, a * xv), lanes);
        });
    }
}

// dx = dy (x > 0 ? 1 : a);  da = sum over x <= 0 of dy x  (dx may be null; Accumulate: da += it)
template <std::size_t B, std::size_t N, std::size_t Slopes, class S, class Arch, bool Accumulate = false,
          simd::if_lanes<S, Arch> = 0>
void prelu_backward(SimdTarget<Arch>, const S* x, const S* slope, const S* dy, S* dx, S* dslope,
                    std::bool_constant<Accumulate> = {}) {
    using V = simd::Vector<S, Arch>;
    const V zero(S(0));
    V shared_sum = zero;  // Slopes == 1: the one slope's gradient, summed in lanes
    if constexpr (!Accumulate)
        for (std::size_t k = 0; k < Slopes; ++k) dslope[k] = S(0);
    for (std::size_t n = 0; n < B; ++n) {
        simd::for_each_vector<V, N>([&](std::size_t u, auto lanes) {
            const std::size_t i = n * N + u;
            const V xv = simd::load<V>(x + i, lanes), dyv = simd::load<V>(dy + i, lanes);
            const auto positive = xv > zero;
            const V a = Slopes == 1 ? V(slope[0]) : simd::load<V>(slope + u, lanes);
            if (dx) simd::store(dx + i, select(positive, dyv, a * dyv), lanes);
            // padded lanes have x = 0 and dy = 0: they add nothing
            const V contribution = select(positive, zero, dyv * xv);
            if constexpr (Slopes == 1) shared_sum += contribution;
            else simd::store(dslope + u, simd::load<V>(dslope + u, lanes) + contribution, lanes);
        });
    }
    if constexpr (Slopes == 1) dslope[0] = (Accumulate ? dslope[0] : S(0)) + hadd(shared_sum);
}

}  // namespace tinymlp::kernels

// The reference kernels, which serve the scalar types the kernels above do not (see if_lanes).
#include "../prelu.hpp"

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_PRELU_HPP
