// Parametric ReLU (He et al. 2015): H = max(0, X) + a min(0, X) with a learnable slope a,
// one shared by all units or one per unit. Initial slope 0.25, as in PyTorch.
#pragma once
#include <cstddef>

#include "../init.hpp"
#include "../kernels/prelu.hpp"
#include "context.hpp"

namespace tinymlp {

enum class Slopes { shared, per_unit };

template <class S, std::size_t N, Slopes Kind>
struct PReLULayer {
    using scalar_type = S;
    static constexpr const char* name = "PReLU";
    static constexpr std::size_t in_size = N, out_size = N;
    static constexpr std::size_t slope_count = Kind == Slopes::shared ? 1 : N;
    static constexpr std::size_t weight_count = 0;  // slopes are not decayed
    static constexpr std::size_t param_count = slope_count, saved_per_sample = 0;

    template <class Text>
    static constexpr void spell(Text& text, const char* prefix) {
        text << prefix << "PReLU<" << prefix << "Slopes::" << (Kind == Slopes::shared ? "shared" : "per_unit") << ">";
    }
    static void init_default(S* p, Pcg32& rng) { init::Constant{0.25}.fill(p, slope_count, N, N, rng); }

    template <class Target, std::size_t B>
    static void forward(const S* p, const S* x, S* y, S*, ForwardContext&) {
        kernels::prelu_forward<B, N, slope_count>(Target{}, x, p, y);
    }
    template <class Target, std::size_t B, bool Accumulate = false>
    static void backward(const S* p, const S* x, const S*, const S*, const S* dy, S* dx, S* dp, S*) {
        kernels::prelu_backward<B, N, slope_count>(Target{}, x, p, dy, dx, dp, std::bool_constant<Accumulate>{});
    }
    // dx alone, for a frozen PReLU (layers/frozen.hpp): dy where x > 0, a dy elsewhere.
    template <class Target, std::size_t B>
    static void backward_input(const S* p, const S* x, const S*, const S*, const S* dy, S* dx, S*) {
        for (std::size_t n = 0; n < B; ++n)
            for (std::size_t i = 0; i < N; ++i) {
                const std::size_t k = n * N + i;
                dx[k] = x[k] > S(0) ? dy[k] : p[slope_count == 1 ? 0 : i] * dy[k];
            }
    }
};

// Layer spec: PReLU<> (one shared slope) or PReLU<Slopes::per_unit>.
template <Slopes Kind = Slopes::shared>
struct PReLU {
    template <class S, std::size_t N>
    using bind = PReLULayer<S, N, Kind>;
};

}  // namespace tinymlp
