// Fully connected layer: H = X W + b.  X [B][In], W [In][Out], b [Out], H [B][Out].
// W is stored input-major so that the forward inner loop is a broadcast multiply-add over
// contiguous outputs (no horizontal sums), on every target.
#pragma once
#include <cstddef>
#include <type_traits>

#include "../init.hpp"
#include "../kernels/dense.hpp"
#include "context.hpp"

namespace tinymlp {

enum class Bias { on, off };

template <class S, std::size_t In, std::size_t Out, Bias UseBias>
struct DenseLayer {
    static_assert(In == 0 || Out <= static_cast<std::size_t>(-1) / In - 1,
                  "tinymlp: Dense<In, Out> has more weights than size_t counts on this target");
    using scalar_type = S;
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
    // The parts of backward, for layers that train only some of this (layers/frozen.hpp).
    template <class Target, std::size_t B>
    static void backward_input(const S* p, const S*, const S*, const S*, const S* dy, S* dx, S* scratch) {
        kernels::dense_backward_input<B, In, Out>(Target{}, dy, p, dx, scratch);
    }
    template <class Target, std::size_t B, bool Accumulate = false>
    static void backward_bias(const S* dy, S* db) {
        kernels::dense_backward_bias<B, Out>(Target{}, dy, db, std::bool_constant<Accumulate>{});
    }

    // Fused updates (trainer.hpp, Update::fused) never hold dW whole: it is made a block of
    // fused_rows<B> rows at a time, each block handed to update(first parameter, its gradient,
    // count) before the next is made, then the bias. Every gradient value has the bits
    // dense_backward_weights / _bias give it. `buffer`: fused_buffer_count<B> scalars.
    static constexpr bool updates_in_row_blocks = true;
    template <class Target, std::size_t B>
    static constexpr std::size_t fused_rows = kernels::dense_weight_gradient_rows<B, In, Out, S>(Target{});
    template <class Target, std::size_t B>
    static constexpr std::size_t fused_buffer_count = fused_rows<Target, B> * Out;
    template <class Target, std::size_t B, std::size_t First, class Update>
    static void fused_update(const S* x, const S* dy, S* buffer, Update&& update) {
        constexpr std::size_t rows = fused_rows<Target, B>;
        if constexpr (First < weight_count) {
            static_assert(First % Out == 0, "tinymlp: a layer trains whole rows of weights");
            for (std::size_t r = First / Out; r < In; r += rows) {
                const std::size_t count = In - r < rows ? In - r : rows;
                if (count == rows)
                    kernels::dense_weight_gradient_block<B, In, Out, rows>(Target{}, x + r, dy, buffer);
                else
                    weight_gradient_tail<Target, B>(x + r, dy, buffer, count);
                update(r * Out, buffer, count * Out);
            }
        }
        if constexpr (has_bias) {
            kernels::dense_backward_bias<B, Out>(Target{}, dy, buffer);
            update(weight_count, buffer, Out);
        }
    }

private:
    template <class Target, std::size_t B, std::size_t Rows = 1>
    static void weight_gradient_tail(const S* x, const S* dy, S* buffer, std::size_t count) {
        if constexpr (Rows < fused_rows<Target, B>) {
            if (count == Rows) return kernels::dense_weight_gradient_block<B, In, Out, Rows>(Target{}, x, dy, buffer);
            weight_gradient_tail<Target, B, Rows + 1>(x, dy, buffer, count);
        }
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
