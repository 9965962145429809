// Inverted dropout (Srivastava et al. 2014): in training each unit is kept with probability
// 1 - p and scaled by 1 / (1 - p), so evaluation is the identity. The mask of the last
// forward pass, [B][N] values 0 or 1/(1-p), is kept for backward.
#pragma once
#include <cstddef>

#include "../kernels/elementwise.hpp"
#include "context.hpp"

namespace tinymlp {

template <class S, std::size_t N, unsigned PercentDropped>
struct DropoutLayer {
    static_assert(PercentDropped < 100, "tinymlp: Dropout<P> needs P in [0, 100)");
    using scalar_type = S;
    static constexpr const char* name = "Dropout";
    static constexpr std::size_t in_size = N, out_size = N;
    static constexpr std::size_t weight_count = 0, param_count = 0, saved_per_sample = N;
    static constexpr float drop_probability = static_cast<float>(PercentDropped) / 100.0f;

    template <class Text>
    static constexpr void spell(Text& text, const char* prefix) {
        text << prefix << "Dropout<" << static_cast<unsigned long long>(PercentDropped) << ">";
    }
    static void init_default(S*, Pcg32&) {}

    template <class Target, std::size_t B>
    static void forward(const S*, const S* x, S* y, S* mask, ForwardContext& context) {
        const bool active = context.training && context.rng && PercentDropped > 0;
        const S keep_scale = S(100) / S(100 - PercentDropped);
        for (std::size_t i = 0; i < B * N; ++i) {
            if (!active) mask[i] = S(1);
            else mask[i] = context.rng->uniform_float() < drop_probability ? S(0) : keep_scale;
        }
        kernels::multiply(Target{}, x, mask, y, B * N);
    }
    template <class Target, std::size_t B>
    static void backward(const S*, const S*, const S*, const S* mask, const S* dy, S* dx, S*, S*) {
        if (dx) kernels::multiply(Target{}, dy, mask, dx, B * N);
    }
};

// Layer spec: Dropout<20> drops 20 % of the units in training.
template <unsigned PercentDropped>
struct Dropout {
    template <class S, std::size_t N>
    using bind = DropoutLayer<S, N, PercentDropped>;
};

}  // namespace tinymlp
