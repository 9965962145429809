// What one Adam step hands the update kernels (kernels/optimizers.hpp and their SIMD versions).
#pragma once

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

}  // namespace tinymlp::kernels
