// Mean squared error and binary cross-entropy on logits on SIMD vectors; results as the reference
// kernels/losses.hpp.
#include "../../real.hpp"
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_LOSSES_HPP
#define TINYMLP_KERNELS_SIMD_LOSSES_HPP
#if TINYMLP_SIMD

#include <cstddef>

#include "lanes.hpp"

namespace tinymlp::kernels {

// loss = mean((y - t)^2),  dy = 2 (y - t) / (B N)
template <std::size_t B, std::size_t N, class S, class Arch, simd::if_lanes<S, Arch> = 0>
S mean_squared_error(SimdTarget<Arch>, const S* y, const S* t, S* dy) {
    using V = simd::Vector<S, Arch>;
    const V scale(S(2) / S(B * N));
    simd::SumAccumulator<V> loss;
    simd::for_each_vector<V, B * N>([&](std::size_t i, auto n) {
        const V diff = simd::load<V>(y + i, n) - simd::load<V>(t + i, n);  // padded lanes: 0
        loss.add(diff * diff);
        simd::store(dy + i, scale * diff, n);
    });
    return static_cast<S>(loss.sum() / (B * N));
}

// loss = mean(max(z, 0) - z t + log(1 + exp(-|z|))),  dz = (sigmoid(z) - t) / (B N)
template <std::size_t B, std::size_t N, class S, class Arch, simd::if_lanes<S, Arch> = 0>
S binary_cross_entropy_with_logits(SimdTarget<Arch>, const S* z, const S* t, S* dz) {
    using V = simd::Vector<S, Arch>;
    const V zero(S(0)), one(S(1)), scale(S(1) / S(B * N));
    simd::SumAccumulator<V> loss;
    simd::for_each_vector<V, B * N>([&](std::size_t i, auto n) {
        const V zv = simd::load<V>(z + i, n), tv = simd::load<V>(t + i, n);
        const V e = exp(-abs(zv));
        const V term = max(zv, zero) - zv * tv + log1p(e);
        // padded lanes would add log(2): only the row's lanes count
        if (n == V::size) loss.add(term);
        else loss.total += static_cast<SumType<S>>(simd::sum_of_lanes(term, n));
        const V sigmoid = select(zv >= zero, simd::divide(one, one + e), simd::divide(e, one + e));
        simd::store(dz + i, scale * (sigmoid - tv), n);
    });
    return static_cast<S>(loss.sum() / (B * N));
}

}  // namespace tinymlp::kernels

// The reference kernels, which serve the scalar types the kernels above do not (see if_lanes).
#include "../losses.hpp"

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_LOSSES_HPP
