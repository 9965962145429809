// Element-wise kernels, scalar reference: activations (given as a functor with `forward(x)` and
// `derivative(x, y)`), finiteness checks, sums of squares and magnitudes, scaling, the L1
// gradient, and the element-wise product (dropout).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstring>

#include "../out_of_line.hpp"
#include "../real.hpp"
#include "../finite.hpp"
#include "../target.hpp"

namespace tinymlp::kernels {

// y = f(x); x and y may be the same array
template <class Function, class S>
void activation_forward(ScalarTarget, const S* x, S* y, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) y[i] = Function::forward(x[i]);
}

// dx = dy * f'(x), with f' computed from the input x and/or the output y
template <class Function, class S>
void activation_backward(ScalarTarget, const S* x, const S* y, const S* dy, S* dx,
                         std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) dx[i] = dy[i] * Function::derivative(x[i], y[i]);
}

// Every target runs this one (integer tests, which compilers vectorise; see finite.hpp).
template <class S>
bool all_finite(ScalarTarget, const S* x, std::size_t count) {
    FloatBits<S> flags = 0;
    for (std::size_t i = 0; i < count; ++i) flags |= non_finite_flag(x[i]);
    return no_non_finite_flag<S>(flags);
}

// The largest |x|, or infinity when one is NaN or infinite. Compared by bits: without the sign,
// the bits of finite floats order as their magnitudes, and NaN and infinity lie above them all;
// no float compare (a library call on cores without an FPU). Every target runs this one.
template <class S>
S largest_magnitude(const S* x, std::size_t count) {
    constexpr FloatBits<S> magnitude = FloatBits<S>(~FloatBits<S>(0)) >> 1;
    FloatBits<S> largest = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const FloatBits<S> bits = bits_of(x[i]) & magnitude;
        largest = bits > largest ? bits : largest;
    }
    if (largest >= exponent_bits<S>) largest = exponent_bits<S>;  // infinity
    S value;
    std::memcpy(&value, &largest, sizeof value);
    return value;
}

// Sum of squares, accumulated in SumType<S> (double but on float-only cores, real.hpp) so that a
// large gradient vector keeps its precision.
template <class S>
SumType<S> sum_of_squares(ScalarTarget, const S* x, std::size_t count) {
    SumType<S> sum = 0;
    for (std::size_t i = 0; i < count; ++i) sum += static_cast<SumType<S>>(x[i]) * static_cast<SumType<S>>(x[i]);
    return sum;
}

template <class S>
SumType<S> sum_of_scaled_squares(ScalarTarget, const S* x, std::size_t count, S factor) {
    SumType<S> sum = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const SumType<S> v = static_cast<SumType<S>>(x[i] * factor);
        sum += v * v;
    }
    return sum;
}

template <class S>
SumType<S> sum_of_absolute_values(ScalarTarget, const S* x, std::size_t count) {
    SumType<S> sum = 0;
    for (std::size_t i = 0; i < count; ++i) sum += std::fabs(static_cast<SumType<S>>(x[i]));
    return sum;
}

template <class S>
void scale(ScalarTarget, S* x, std::size_t count, S factor) {
    for (std::size_t i = 0; i < count; ++i) x[i] *= factor;
}

// g += l1 * sign(w): the gradient of the penalty l1 * sum |w|
template <class S>
void add_l1_gradient(ScalarTarget, const S* w, S* g, std::size_t count, S l1) {
    for (std::size_t i = 0; i < count; ++i)
        g[i] += w[i] > S(0) ? l1 : (w[i] < S(0) ? -l1 : S(0));
}

// y = a * b, element by element (dropout: x times its mask)
template <class S>
void multiply(ScalarTarget, const S* a, const S* b, S* y, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) y[i] = a[i] * b[i];
}

// The norm of x whose squares overflow the sum's type: max|x| sqrt(sum (x / max|x|)^2), as a
// robust norm takes it, or `squares` (not finite) when an element is NaN or infinite. Rare, so
// one scalar copy for every target.
template <class S>
TINYMLP_OUT_OF_LINE SumType<S> l2_norm_of_large(const S* x, std::size_t count, SumType<S> squares) {
    S largest = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (!is_finite(x[i])) return squares;  // not an overflow: a NaN or infinite element
        largest = std::fabs(x[i]) > largest ? std::fabs(x[i]) : largest;
    }
    return static_cast<SumType<S>>(largest) * std::sqrt(sum_of_scaled_squares(ScalarTarget{}, x, count, S(1) / largest));
}

// The L2 norm sqrt(sum x^2) on any target, finite whenever every x is: where the squares overflow
// the sum's type (float sums on float-only cores, |x| above 1.8e19), it is taken again by
// l2_norm_of_large, so that every target agrees on which gradients are finite.
template <class Target, class S>
SumType<S> l2_norm(Target target, const S* x, std::size_t count) {
    const SumType<S> squares = sum_of_squares(target, x, count);
    if (is_finite(squares)) return std::sqrt(squares);
    return l2_norm_of_large(x, count, squares);
}

}  // namespace tinymlp::kernels
