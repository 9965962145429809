// Optimizer updates on SIMD vectors; formulas and operation order as the reference
// kernels/optimizers.hpp (PyTorch 1.13's). Every multiply-add is an explicit fma: left to the
// compiler's contraction, a sum of two products (b1 m + (1 - b1) g) may fuse either product,
// differently where the kernel is inlined into different callers, and a fused trainer would then
// not give the bits of an unfused one.
#include "../../target.hpp"

#ifndef TINYMLP_KERNELS_SIMD_OPTIMIZERS_HPP
#define TINYMLP_KERNELS_SIMD_OPTIMIZERS_HPP
#if TINYMLP_SIMD

#include <cmath>
#include <cstddef>

#include "../../out_of_line.hpp"
#include "../adam_step.hpp"
#include "dense.hpp"
#include "lanes.hpp"

namespace tinymlp::kernels {

#if TINYMLP_PORT_LOOPS
namespace simd {
// sgd_update on the port's loop (sgd_step8) and a loop for the tail, or with decay a loop: the
// reference's fused multiply-adds (kernels/optimizers.hpp). Not inlined, but cloned for a
// constant learning rate or decay where the compiler finds it pays.
[[gnu::noinline]] inline void sgd_update_port_loops(float* p, const float* g, std::size_t count, float lr,
                                                      float weight_decay) {
    if (weight_decay == 0.0f) {
        port::sgd_step8(p, g, count / 8, -lr);
        for (std::size_t i = count / 8 * 8; i < count; ++i) p[i] = __builtin_fmaf(-lr, g[i], p[i]);
    } else {
        for (std::size_t i = 0; i < count; ++i) p[i] = __builtin_fmaf(-lr, __builtin_fmaf(weight_decay, p[i], g[i]), p[i]);
    }
}
}  // namespace simd
#endif

// p <- p - lr (g + wd p); without decay p - lr g
template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
void sgd_update(SimdTarget<Arch>, S* p, const S* g, std::size_t count, S lr, S weight_decay) {
    using V = simd::Vector<S, Arch>;
    const V minus_rate(-lr), decay(weight_decay);
#if TINYMLP_PORT_LOOPS
    if constexpr (std::is_same_v<S, float>) return simd::sgd_update_port_loops(p, g, count, lr, weight_decay);
#endif
#if defined(TINYMLP_PORT_SOFT_FLOAT) && TINYMLP_PORT_SOFT_FLOAT
    if constexpr (std::is_same_v<S, float>)
        if (weight_decay == S(0)) return port::soft_float::sgd_update(p, g, count, -lr);
#endif
    if (weight_decay == S(0)) {
        simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
            simd::store(p + i, fma(minus_rate, simd::load<V>(g + i, n), simd::load<V>(p + i, n)), n);
        });
        return;
    }
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        const V pv = simd::load<V>(p + i, n);
        simd::store(p + i, fma(minus_rate, fma(decay, pv, simd::load<V>(g + i, n)), pv), n);
    });
}

// One sample's SGD step on Rows rows of W [.][Out] without a gradient buffer: each gradient value
// as dense_weight_gradient_block makes it at batch 1 (the rounded product x_i dy_o), then applied
// as sgd_update applies it.
template <std::size_t Rows, std::size_t Out, class S, class Arch, simd::if_lanes<S, Arch> = 0>
TINYMLP_GEMM_BLOCK_ATTRIBUTES void dense_sgd_one_sample(SimdTarget<Arch>, const S* x, const S* dy, S* w, S lr) {
#if TINYMLP_PORT_LOOPS
    if constexpr (std::is_same_v<S, float> && simd::sgd_one_sample_by_loops<Out>)
        return simd::sgd_one_sample<Out>(x, dy, w, Rows, -lr);
#endif
#if defined(TINYMLP_PORT_SOFT_FLOAT) && TINYMLP_PORT_SOFT_FLOAT
    if constexpr (std::is_same_v<S, float>) return port::soft_float::sgd_one_sample<Out>(x, dy, w, Rows, -lr);
#endif
    using V = simd::Vector<S, Arch>;
    const V minus_rate(-lr);
    for (std::size_t i = 0; i < Rows; ++i) {
        const V xi(x[i]);
        S* wi = w + i * Out;
        simd::for_each_vector<V, Out>([&](std::size_t o, auto n) {
            const V g = xi * simd::load<V>(dy + o, n);
            simd::store(wi + o, fma(minus_rate, g, simd::load<V>(wi + o, n)), n);
        });
    }
}

// v <- momentum v + g (v <- g on the first step); p <- p - lr (nesterov ? g + momentum v : v)
template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
void momentum_update(SimdTarget<Arch>, S* p, const S* g, S* velocity, std::size_t count, S lr, S momentum,
                     S weight_decay, bool nesterov, bool first_step) {
    using V = simd::Vector<S, Arch>;
    const V minus_rate(-lr), mu(momentum), decay(weight_decay);
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        const V pv = simd::load<V>(p + i, n);
        const V gi = fma(decay, pv, simd::load<V>(g + i, n));
        const V v = first_step ? gi : fma(mu, simd::load<V>(velocity + i, n), gi);
        simd::store(velocity + i, v, n);
        simd::store(p + i, fma(minus_rate, nesterov ? fma(mu, v, gi) : v, pv), n);
    });
}

namespace simd {
// One Adam step's scalars, broadcast.
template <class V>
struct AdamVectors {
    V b1, b2, one_minus_b1, one_minus_b2, eps, c2_sqrt, step_size;
    template <class S>
    explicit AdamVectors(const AdamStep<S>& a)
        : b1(a.beta1), b2(a.beta2), one_minus_b1(a.one_minus_beta1), one_minus_b2(a.one_minus_beta2),
          eps(a.epsilon), c2_sqrt(a.bias_correction2_sqrt), step_size(a.step_size) {}
};
// The Adam step of n parameters from their gradients gi (decay included).
template <class V, class S, class N>
inline void adam_vector(const AdamVectors<V>& a, const V& gi, S* p, S* m, S* v, N n) {
    const V mv = fma(a.one_minus_b1, gi, a.b1 * load<V>(m, n));
    const V vv = fma(a.one_minus_b2 * gi, gi, a.b2 * load<V>(v, n));
    store(m, mv, n);
    store(v, vv, n);
    const V denominator = divide(square_root(vv), a.c2_sqrt) + a.eps;
    store(p, load<V>(p, n) - divide(a.step_size * mv, denominator), n);
}
#if TINYMLP_PORT_LOOPS
inline void adam_constants(const AdamStep<float>& a, float (&constants)[7]) {
    const float values[7] = {a.beta1,   a.beta2,     a.one_minus_beta1,      a.one_minus_beta2,
                             a.epsilon, a.step_size, a.bias_correction2_sqrt};
    for (std::size_t i = 0; i < 7; ++i) constants[i] = values[i];
}
// adam_update on the port's loop, and adam_vector's operations one value at a time for its tail
// and for decay: one out-of-line copy for every layer.
TINYMLP_OUT_OF_LINE inline void adam_update_port_loops(float* p, const float* g, float* m, float* v, std::size_t count,
                                                        const AdamStep<float>& a, float weight_decay) {
    std::size_t i = 0;
    if (weight_decay == 0.0f) {
        float constants[7];
        adam_constants(a, constants);
        i = count / port::adam_block * port::adam_block;
        port::adam_blocks(p, g, m, v, count / port::adam_block, constants);
    }
    for (; i < count; ++i) {
        const float gi = weight_decay == 0.0f ? g[i] : __builtin_fmaf(weight_decay, p[i], g[i]);
        const float mi = __builtin_fmaf(a.one_minus_beta1, gi, a.beta1 * m[i]);
        const float vi = __builtin_fmaf(a.one_minus_beta2 * gi, gi, a.beta2 * v[i]);
        m[i] = mi;
        v[i] = vi;
        const float denominator = std::sqrt(vi) / a.bias_correction2_sqrt + a.epsilon;
        p[i] = p[i] - a.step_size * mi / denominator;
    }
}
#endif
}  // namespace simd

// m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - step_size m / (sqrt(v) / sqrt(c2) + eps)
// (flatten: every vector operation inlined, which GCC's budget otherwise leaves to chance in a
// loop this long on targets whose vectors are unrolled scalars)
template <class S, class Arch, simd::if_lanes<S, Arch> = 0>
[[gnu::flatten]] void adam_update(SimdTarget<Arch>, S* p, const S* g, S* m, S* v, std::size_t count, const AdamStep<S>& a,
                 S weight_decay) {
    using V = simd::Vector<S, Arch>;
#if TINYMLP_PORT_LOOPS
    if constexpr (std::is_same_v<S, float>) return simd::adam_update_port_loops(p, g, m, v, count, a, weight_decay);
#endif
    const simd::AdamVectors<V> vectors(a);
    const V decay(weight_decay);
    const bool decays = weight_decay != S(0);
    simd::for_each_vector<V>(count, [&](std::size_t i, std::size_t n) {
        const V gi = simd::load<V>(g + i, n);
        simd::adam_vector(vectors, decays ? fma(decay, simd::load<V>(p + i, n), gi) : gi, p + i, m + i, v + i, n);
    });
}

// One sample's Adam step on Rows rows of W [.][Out] without a gradient buffer: gradients as in
// dense_sgd_one_sample, then adam_update's operations.
template <std::size_t Rows, std::size_t Out, class S, class Arch, simd::if_lanes<S, Arch> = 0>
[[gnu::flatten]] TINYMLP_GEMM_BLOCK_ATTRIBUTES void dense_adam_one_sample(SimdTarget<Arch>, const S* x, const S* dy, S* w, S* m, S* v,
                                            const AdamStep<S>& a) {
#if TINYMLP_PORT_LOOPS
    if constexpr (std::is_same_v<S, float> && Out % port::adam_block == 0) {
        float constants[7];
        simd::adam_constants(a, constants);
        return port::adam_outer(x, dy, w, m, v, Rows, Out / port::adam_block, constants);
    }
#endif
    using V = simd::Vector<S, Arch>;
    const simd::AdamVectors<V> vectors(a);
    for (std::size_t i = 0; i < Rows; ++i) {
        const V xi(x[i]);
        const std::size_t row = i * Out;
        simd::for_each_vector<V, Out>([&](std::size_t o, auto n) {
            simd::adam_vector(vectors, xi * simd::load<V>(dy + o, n), w + row + o, m + row + o, v + row + o, n);
        });
    }
}

}  // namespace tinymlp::kernels

// The reference kernels, which serve the scalar types the kernels above do not (see if_lanes).
#include "../optimizers.hpp"

#endif  // TINYMLP_SIMD
#endif  // TINYMLP_KERNELS_SIMD_OPTIMIZERS_HPP
