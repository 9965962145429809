// Element-wise kernels on SIMD vectors; results as the reference kernels/elementwise.hpp.
// An activation runs on vectors when its functor has `forward_lanes(v)` and
// `derivative_lanes(x, y)` (every built-in one does); any other functor runs through the
// reference kernel.
#include "../../real.hpp"
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_ELEMENTWISE_HPP
#define TINYMLP_KERNELS_SIMD_ELEMENTWISE_HPP
#if TINYMLP_SIMD

#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "../../finite.hpp"
#include "lanes.hpp"

namespace tinymlp::kernels {

namespace simd {
template <class Function, class V, class = void>
struct has_lane_functions : std::false_type {};
template <class Function, class V>
struct has_lane_functions<Function, V,
                          std::void_t<decltype(Function::forward_lanes(std::declval<V>())),
                                      decltype(Function::derivative_lanes(std::declval<V>(), std::declval<V>()))>>
    : std::true_type {};

// (The vector type is only named when it exists.)
template <class Function, class S, class Arch, bool = has_lanes<S, Arch>>
struct vectorizes_activation : std::false_type {};
template <class Function, class S, class Arch>
struct vectorizes_activation<Function, S, Arch, true> : has_lane_functions<Function, Vector<S, Arch>> {};
template <class Function, class S, class Arch>
inline constexpr bool vectorizes = vectorizes_activation<Function, S, Arch>::value;
template <class Function, class S, class Arch>
using if_vectorizes = std::enable_if_t<vectorizes<Function, S, Arch>, int>;
}  // namespace simd

// y = f(x); x and y may be the same array
namespace simd {
// ReLU (layers/activations.hpp says so with is_relu), which the port's loops run by bits.
template <class Function, class = void>
inline constexpr bool is_relu = false;
template <class Function>
inline constexpr bool is_relu<Function, std::void_t<decltype(Function::is_relu)>> = Function::is_relu;
}  // namespace simd

template <class Function, class S, class Arch, simd::if_vectorizes<Function, S, Arch> = 0>
void activation_forward(SimdTarget<Arch>, const S* x, S* y, std::size_t count) {
    using V = simd::Vector<S, Arch>;
#if defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS
    if constexpr (simd::is_relu<Function> && std::is_same_v<S, float>) {
        port::relu_pairs(x, y, count / 2);
        if (count % 2) y[count - 1] = Function::forward(x[count - 1]);
        return;
    }
#endif
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        simd::store(y + i, Function::forward_lanes(simd::load<V>(x + i, n)), n);
    });
}

// dx = dy * f'(x), with f' computed from the input x and/or the output y
template <class Function, class S, class Arch, simd::if_vectorizes<Function, S, Arch> = 0>
void activation_backward(SimdTarget<Arch>, const S* x, const S* y, const S* dy, S* dx, std::size_t count) {
    using V = simd::Vector<S, Arch>;
#if defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS
    if constexpr (simd::is_relu<Function> && std::is_same_v<S, float>) {
        port::relu_backward_pairs(x, dy, dx, count / 2);
        if (count % 2) dx[count - 1] = dy[count - 1] * Function::derivative(x[count - 1], y[count - 1]);
        return;
    }
#endif
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        const V derivative = Function::derivative_lanes(simd::load<V>(x + i, n), simd::load<V>(y + i, n));
        simd::store(dx + i, simd::load<V>(dy + i, n) * derivative, n);
    });
}

#if defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS
// On the FPU, eight values per load (port::zero_products8); its result is tested by its bits.
template <class Arch>
bool all_finite(SimdTarget<Arch>, const float* x, std::size_t count) {
    const std::size_t n = count / 8 * 8;
    FloatBits<float> flags = 0;  // the tail, by the bits
    for (std::size_t i = n; i < count; ++i) flags |= non_finite_flag(x[i]);
    return no_non_finite_flag<float>(flags) && (n == 0 || is_finite(port::zero_products8(x, n / 8)));
}
#elif defined(TINYMLP_PORT_MVE_LOOPS) && TINYMLP_PORT_MVE_LOOPS
// On Helium, four values per load (port::zero_products4), its four lanes tested by their bits;
// a few values by their bits alone.
template <class Arch>
bool all_finite(SimdTarget<Arch>, const float* x, std::size_t count) {
    const std::size_t n = count >= 32 ? count / 4 * 4 : 0;
    FloatBits<float> flags = 0;
    if (n > 0) {
        float sums[4];
        port::zero_products4(x, n / 4, sums);
        for (std::size_t i = 0; i < 4; ++i) flags |= non_finite_flag(sums[i]);
    }
    for (std::size_t i = n; i < count; ++i) flags |= non_finite_flag(x[i]);
    return no_non_finite_flag<float>(flags);
}
#endif

// Sum of squares, accumulated in SumType<S> (in vector lanes of S between flushes to it).
template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
SumType<S> sum_of_squares(SimdTarget<Arch>, const S* x, std::size_t count) {
    using V = simd::Vector<S, Arch>;
#if defined(TINYMLP_PORT_FLOAT_LOOPS) && TINYMLP_PORT_FLOAT_LOOPS
    if constexpr (std::is_same_v<S, float>) {
        // blocks of 1024 floats, each moved to the total as sum_of_terms moves its blocks
        SumType<S> total = 0;
        constexpr std::size_t block = 1024;
        while (count >= 8) {
            const std::size_t n = (count < block ? count : block) / 8 * 8;
            total += static_cast<SumType<S>>(port::sum_of_squares8(x, n / 8));
            x += n;
            count -= n;
        }
        S tail = 0;  // at most 7 values: a loop, not a vector kernel's code
        for (std::size_t i = 0; i < count; ++i) tail += x[i] * x[i];
        return total + static_cast<SumType<S>>(tail);
    }
#endif
    return simd::sum_of_terms<V>(x, count, [](const V& v) { return v * v; });
}

template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
SumType<S> sum_of_absolute_values(SimdTarget<Arch>, const S* x, std::size_t count) {
    using V = simd::Vector<S, Arch>;
    return simd::sum_of_terms<V>(x, count, [](const V& v) { return abs(v); });
}

template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
void scale(SimdTarget<Arch>, S* x, std::size_t count, S factor) {
    using V = simd::Vector<S, Arch>;
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        simd::store(x + i, simd::load<V>(x + i, n) * V(factor), n);
    });
}

// g += l1 * sign(w)
template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
void add_l1_gradient(SimdTarget<Arch>, const S* w, S* g, std::size_t count, S l1) {
    using V = simd::Vector<S, Arch>;
    const V zero(S(0)), plus(l1), minus(-l1);
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        const V wv = simd::load<V>(w + i, n);
        const V sign = select(wv > zero, plus, select(wv < zero, minus, zero));
        simd::store(g + i, simd::load<V>(g + i, n) + sign, n);
    });
}

// y = a * b, element by element (dropout: x times its mask)
template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
void multiply(SimdTarget<Arch>, const S* a, const S* b, S* y, std::size_t count) {
    using V = simd::Vector<S, Arch>;
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        simd::store(y + i, simd::load<V>(a + i, n) * simd::load<V>(b + i, n), n);
    });
}

}  // namespace tinymlp::kernels

// The reference kernels, which serve the scalar types the kernels above do not (see if_lanes).
#include "../elementwise.hpp"

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_ELEMENTWISE_HPP
