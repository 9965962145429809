// What one Adam step hands the update kernels (kernels/optimizers.hpp and their SIMD versions).
#pragma once
#include <cmath>
#include <cstdint>

#include "../real.hpp"

namespace tinymlp::kernels {

// The scalars of one Adam step, each computed in double from the hyperparameters as given and
// rounded once to S, as PyTorch does with its Python floats: `1 - beta` taken from an already
// rounded beta would be off by up to 1e-5 relative (1 - float(0.999) = 0.00099998713) and make
// every step that much too large.
template <class S>
struct AdamStep {
    S beta1, beta2, one_minus_beta1, one_minus_beta2, epsilon;
    S step_size;              // lr / (1 - beta1^t)
    S bias_correction2_sqrt;  // sqrt(1 - beta2^t)
};

// The same scalars where there is no double arithmetic (real.hpp: float-Real targets), from the
// hyperparameters split into float pairs: 1 - beta, beta^t and 1 - beta^t carried in pairs (48
// bits), then lr / (1 - beta1^t) and sqrt(1 - beta2^t) each corrected once, so that every scalar
// is within about an ulp of the double computation's rounding.
inline AdamStep<float> adam_step_in_float(FloatPair lr, FloatPair beta1, FloatPair beta2, float epsilon,
                                          std::uint64_t t) {
    const FloatPair correction1 = one_minus(power(beta1, t)), correction2 = one_minus(power(beta2, t));
    // lr / correction1: a quotient and one step on its exact remainder
    float step_size = lr.hi / correction1.hi;
    const FloatPair q = exact_product(step_size, correction1.hi);
    step_size += ((lr.hi - q.hi) - q.lo + lr.lo - step_size * correction1.lo) / correction1.hi;
    // sqrt(correction2): a root and one Newton step on the pair
    float root = __builtin_sqrtf(correction2.hi);
    const FloatPair r = exact_product(root, root);
    root += ((correction2.hi - r.hi) - r.lo + correction2.lo) / (2 * root);
    return {beta1.hi, beta2.hi, to_float(one_minus(beta1)), to_float(one_minus(beta2)), epsilon, step_size, root};
}

}  // namespace tinymlp::kernels
