// Fully connected layer: H = X W + b.  X [B][In], W [In][Out], b [Out], H [B][Out].
// W is stored input-major so that the forward inner loop is a broadcast multiply-add over
// contiguous outputs (no horizontal sums), on every target.
#pragma once
#include <cstddef>

#include "../init.hpp"
#include "../kernels/dense.hpp"
#include "context.hpp"

namespace tinymlp {

enum class Bias { on, off };

template <class S, std::size_t In, std::size_t Out, Bias UseBias>
struct DenseLayer {
    static_assert(In == 0 || Out <= static_cast<std::size_t>(-1) / In - 1,
                  "tinymlp: Dense<In, Out> has more weights than size_t counts on this target");
    static constexpr const char* name = "Dense";
    static constexpr std::size_t in_size = In, out_size = Out;
    static constexpr std::size_t weight_count = In * Out;  // subject to weight decay and L1
    static constexpr std::size_t param_count = weight_count + (UseBias == Bias::on ? Out : 0);
    static constexpr std::size_t saved_per_sample = 0;
    static constexpr bool has_bias = UseBias == Bias::on;

    // The spec as written in C++ ("Dense<3, 2>"), names qualified by `prefix` (e.g. "tinymlp::").
    template <class Text>
    static constexpr void spell(Text& text, const char* prefix) {
        text << prefix << "Dense<" << static_cast<unsigned long long>(In) << ", " << static_cast<unsigned long long>(Out);
        if (!has_bias) text << ", " << prefix << "Bias::off";
        text << ">";
    }

    template <class WeightInit, class BiasInit>
    static void init(S* p, const WeightInit& weight_init, const BiasInit& bias_init, Pcg32& rng) {
        weight_init.fill(p, weight_count, In, Out, rng);
        if (has_bias) bias_init.fill(p + weight_count, Out, In, Out, rng);
    }
    static void init_default(S* p, Pcg32& rng) {
        init(p, init::PyTorchDefault{}, init::PyTorchDefault{}, rng);
    }

    template <class Target, std::size_t B>
    static void forward(const S* p, const S* x, S* y, S*, ForwardContext&) {
        kernels::dense_forward<B, In, Out>(Target{}, x, p, has_bias ? p + weight_count : nullptr, y);
    }

    // dW = X^T dH,  db = sum_batch dH,  dX = dH W^T  (dx null: not needed, skipped). The input
    // gradient may need backward_scratch_count scalars of scratch, which the trainer owns.
    template <class Target, std::size_t B>
    static constexpr std::size_t backward_scratch_count =
        kernels::dense_backward_input_scratch<B, In, Out, S>(Target{});
    // Accumulate: the parameter gradients are added to dp (gradient accumulation).
    template <class Target, std::size_t B, bool Accumulate = false>
    static void backward(const S* p, const S* x, const S*, const S*, const S* dy, S* dx, S* dp, S* scratch) {
        kernels::dense_backward_weights<B, In, Out>(Target{}, x, dy, dp, std::bool_constant<Accumulate>{});
        if (has_bias)
            kernels::dense_backward_bias<B, Out>(Target{}, dy, dp + weight_count, std::bool_constant<Accumulate>{});
        if (dx) kernels::dense_backward_input<B, In, Out>(Target{}, dy, p, dx, scratch);
    }
};

// Layer spec: Dense<In, Out> or Dense<In, Out, Bias::off>.
template <std::size_t In, std::size_t Out, Bias UseBias = Bias::on>
struct Dense {
    static_assert(In > 0 && Out > 0, "tinymlp: Dense<In, Out> needs In > 0 and Out > 0");
    static constexpr std::size_t in_size = In;
    template <class S, std::size_t>
    using bind = DenseLayer<S, In, Out, UseBias>;
};

}  // namespace tinymlp
