// Softmax and softmax cross-entropy on SIMD vectors; results as the reference kernels/softmax.hpp.
// A row (one sample's C classes) is cut into vectors; the lanes past its end are loaded as -inf
// where a maximum is taken, so that they neither win the maximum nor add to the sum
// (exp(-inf) = 0).
#include "../../real.hpp"
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_SOFTMAX_HPP
#define TINYMLP_KERNELS_SIMD_SOFTMAX_HPP
#if TINYMLP_SIMD

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "lanes.hpp"

namespace tinymlp::kernels {

namespace simd {

// Writes e = exp(z - max z) to out and returns {max z, sum e} for one row of C values.
template <class V, std::size_t C, class S>
inline void exponentials(const S* z, S* out, S& largest, S& sum) {
    constexpr S minus_infinity = -std::numeric_limits<S>::infinity();
    V vmax(minus_infinity);
    for_each_vector<V, C>([&](std::size_t c, auto n) { vmax = max(vmax, load<V>(z + c, n, minus_infinity)); });
    largest = horizontal_max(vmax);
    const V shift(largest);
    V vsum(S(0));
    for_each_vector<V, C>([&](std::size_t c, auto n) {
        const V e = exp(load<V>(z + c, n, minus_infinity) - shift);
        vsum += e;
        store(out + c, e, n);
    });
    sum = hadd(vsum);
}

}  // namespace simd

// y = exp(z - max z) / sum exp(z - max z)
template <std::size_t B, std::size_t C, class S, class Arch, simd::if_lanes<S, Arch> = 0>
void softmax_forward(SimdTarget<Arch>, const S* z, S* y) {
    using V = simd::Vector<S, Arch>;
    for (std::size_t n = 0; n < B; ++n) {
        S max, sum;
        simd::exponentials<V, C>(z + n * C, y + n * C, max, sum);
        const V inverse(S(1) / sum);
        simd::for_each_vector<V, C>([&](std::size_t c, auto lanes) {
            simd::store(y + n * C + c, simd::load<V>(y + n * C + c, lanes) * inverse, lanes);
        });
    }
}

// dz = y * (dy - <dy, y>)
template <std::size_t B, std::size_t C, class S, class Arch, simd::if_lanes<S, Arch> = 0>
void softmax_backward(SimdTarget<Arch>, const S* y, const S* dy, S* dz) {
    using V = simd::Vector<S, Arch>;
    for (std::size_t n = 0; n < B; ++n) {
        const S* yn = y + n * C;
        const S* dyn = dy + n * C;
        V dot(S(0));
        simd::for_each_vector<V, C>([&](std::size_t c, auto lanes) {
            dot = fma(simd::load<V>(dyn + c, lanes), simd::load<V>(yn + c, lanes), dot);
        });
        const V total(hadd(dot));
        simd::for_each_vector<V, C>([&](std::size_t c, auto lanes) {
            simd::store(dz + n * C + c, simd::load<V>(yn + c, lanes) * (simd::load<V>(dyn + c, lanes) - total),
                        lanes);
        });
    }
}

// loss = mean(logsumexp(z) - z[label]),  dz = (softmax(z) - onehot(label)) / B
template <std::size_t B, std::size_t C, class S, class Label, class Arch, simd::if_lanes<S, Arch> = 0>
S softmax_cross_entropy(SimdTarget<Arch>, const S* z, const Label* labels, S* dz) {
    using V = simd::Vector<S, Arch>;
    SumType<S> loss = 0;
    for (std::size_t n = 0; n < B; ++n) {
        const S* zn = z + n * C;
        S* dn = dz + n * C;
        S max, sum;
        simd::exponentials<V, C>(zn, dn, max, sum);
        const auto label = static_cast<std::size_t>(labels[n]);
        loss += static_cast<SumType<S>>(std::log(sum) + max - zn[label]);
        const V scale(S(1) / (sum * S(B)));
        simd::for_each_vector<V, C>([&](std::size_t c, auto lanes) {
            simd::store(dn + c, simd::load<V>(dn + c, lanes) * scale, lanes);
        });
        dn[label] -= S(1) / S(B);
    }
    return static_cast<S>(loss / B);
}

}  // namespace tinymlp::kernels

// The reference kernels, which serve the scalar types the kernels above do not (see if_lanes).
#include "../softmax.hpp"

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_SOFTMAX_HPP
