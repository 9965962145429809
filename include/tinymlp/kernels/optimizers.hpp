// Optimizer update kernels, scalar reference: one pass over a parameter segment, following
// PyTorch 1.13's formulas and operation order (so float results match it closely).
// `weight_decay` is coupled L2: g <- g + weight_decay * p, as torch.optim does.
#pragma once
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "../target.hpp"
#include "adam_step.hpp"

namespace tinymlp::kernels {

// a * b + c with one rounding where the hardware fuses it (as the compiler's contraction would
// there), written out: left to contraction, a sum of two products (b1 m + (1 - b1) g) may fuse
// either one, differently where the kernel is inlined into different callers, and a fused trainer
// would then not give the bits of an unfused one.
template <class S>
inline S multiply_add(S a, S b, S c) {
#if defined(__FP_FAST_FMAF) && defined(__FP_FAST_FMA)
    if constexpr (std::is_same_v<S, float> || std::is_same_v<S, double>) return std::fma(a, b, c);
#endif
    return a * b + c;
}

// p <- p - lr (g + wd p); without decay p - lr g (torch.optim.SGD adds no decay term then)
template <class S>
void sgd_update(ScalarTarget, S* p, const S* g, std::size_t count, S lr, S weight_decay) {
    if (weight_decay == S(0)) {
        for (std::size_t i = 0; i < count; ++i) p[i] = multiply_add(-lr, g[i], p[i]);
        return;
    }
    for (std::size_t i = 0; i < count; ++i) p[i] = multiply_add(-lr, multiply_add(weight_decay, p[i], g[i]), p[i]);
}

// One sample's SGD step on Rows rows of a dense layer's W [.][Out] with no gradient buffer (fused
// updates at batch 1, without decay or L1): W <- W - lr x^T dy, each gradient value made as
// dense_weight_gradient_block makes it, then applied as sgd_update applies it.
template <std::size_t Rows, std::size_t Out, class S>
void dense_sgd_one_sample(ScalarTarget, const S* x, const S* dy, S* w, S lr) {
    for (std::size_t i = 0; i < Rows; ++i) {
        for (std::size_t o = 0; o < Out; ++o) {
            S g = S(0);
            g += x[i] * dy[o];
            w[i * Out + o] = multiply_add(-lr, g, w[i * Out + o]);
        }
    }
}

// v <- momentum v + g (v <- g on the first step); p <- p - lr (nesterov ? g + momentum v : v)
template <class S>
void momentum_update(ScalarTarget, S* p, const S* g, S* velocity, std::size_t count, S lr,
                     S momentum, S weight_decay, bool nesterov, bool first_step) {
    for (std::size_t i = 0; i < count; ++i) {
        const S gi = multiply_add(weight_decay, p[i], g[i]);
        const S v = first_step ? gi : multiply_add(momentum, velocity[i], gi);
        velocity[i] = v;
        p[i] = multiply_add(-lr, nesterov ? multiply_add(momentum, v, gi) : v, p[i]);
    }
}

// One parameter's Adam step from its gradient g (decay included).
template <class S>
inline void adam_scalar(const AdamStep<S>& a, S g, S& p, S& m, S& v) {
    m = multiply_add(a.one_minus_beta1, g, a.beta1 * m);
    v = multiply_add(a.one_minus_beta2 * g, g, a.beta2 * v);
    const S denominator = std::sqrt(v) / a.bias_correction2_sqrt + a.epsilon;
    p -= a.step_size * m / denominator;
}

// Adam (Kingma & Ba 2015) with bias correction, in torch.optim.Adam's order of operations:
// m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - step_size m / (sqrt(v) / sqrt(c2) + eps)
template <class S>
void adam_update(ScalarTarget, S* p, const S* g, S* m, S* v, std::size_t count, const AdamStep<S>& a,
                 S weight_decay) {
    for (std::size_t i = 0; i < count; ++i)
        adam_scalar(a, weight_decay == S(0) ? g[i] : multiply_add(weight_decay, p[i], g[i]), p[i], m[i], v[i]);
}

// One sample's Adam step on Rows rows of a dense layer's W [.][Out] without a gradient buffer
// (fused updates at batch 1, without decay or L1): gradients made as in dense_sgd_one_sample.
template <std::size_t Rows, std::size_t Out, class S>
void dense_adam_one_sample(ScalarTarget, const S* x, const S* dy, S* w, S* m, S* v, const AdamStep<S>& a) {
    for (std::size_t i = 0; i < Rows * Out; ++i) {
        S g = S(0);
        g += x[i / Out] * dy[i % Out];
        adam_scalar(a, g, w[i], m[i], v[i]);
    }
}

}  // namespace tinymlp::kernels
