// Adam (Kingma & Ba 2015), as torch.optim.Adam with coupled L2 weight decay.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../finite.hpp"
#include "../kernels/elementwise.hpp"
#include "../kernels/optimizers.hpp"
#include "../real.hpp"

namespace tinymlp {

struct Adam {
    static constexpr const char* name = "Adam";
    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;

    // Checked by the trainer before every step (comparisons are false for NaN).
    bool valid() const {
        return is_finite(learning_rate) && is_non_negative(learning_rate) && is_non_negative(beta1) &&
               is_below_one(beta1) && is_non_negative(beta2) && is_below_one(beta2) && is_finite(epsilon) &&
               is_non_negative(epsilon) && !is_zero(epsilon);
    }

    template <class S, std::size_t N>
    struct State {
        static constexpr std::size_t scalar_count = 2 * N;
        S* scalars() { return moments; }
        const S* scalars() const { return moments; }
        alignas(storage_alignment) S moments[2 * N] = {};  // first moments m, then second moments v
        std::uint64_t steps = 0;
        kernels::AdamStep<S> step{};  // of the current step, set by begin_step
    };

    template <class S, std::size_t N>
    void begin_step(State<S, N>& state) const {
        ++state.steps;
        if constexpr (std::is_same_v<S, float> && std::is_same_v<Real, float>) {
            state.step = kernels::adam_step_in_float(split(learning_rate), split(beta1), split(beta2),
                                                     split(epsilon).hi, state.steps);
        } else {
            const double t = static_cast<double>(state.steps);
            state.step = {static_cast<S>(beta1),
                          static_cast<S>(beta2),
                          static_cast<S>(1.0 - beta1),
                          static_cast<S>(1.0 - beta2),
                          static_cast<S>(epsilon),
                          static_cast<S>(learning_rate / (1.0 - std::pow(beta1, t))),
                          static_cast<S>(std::sqrt(1.0 - std::pow(beta2, t)))};
        }
    }
    template <class Target, class S, std::size_t N>
    void update(State<S, N>& state, S* p, const S* g, std::size_t offset, std::size_t count,
                S weight_decay) const {
        kernels::adam_update(Target{}, p, g, state.moments + offset, state.moments + N + offset, count, state.step,
                             weight_decay);
    }
    // As Sgd::update_dense_one_sample (AdamW without decay is this step too).
    static constexpr bool updates_dense_in_place = true;
    template <class Target, std::size_t Rows, std::size_t Out, class S, std::size_t N>
    void update_dense_one_sample(State<S, N>& state, const S* x, const S* dy, S* w, std::size_t offset) const {
        kernels::dense_adam_one_sample<Rows, Out>(Target{}, x, dy, w, state.moments + offset,
                                                  state.moments + N + offset, state.step);
    }
};

// AdamW (Loshchilov & Hutter 2019), as torch.optim.AdamW: weight decay decoupled from the
// gradient, p <- p (1 - lr wd) before the Adam step, with Regularization::weight_decay as wd (on
// Dense weights, and on biases and slopes with decay_biases).
struct AdamW : Adam {
    static constexpr const char* name = "AdamW";

    template <class Target, class S, std::size_t N>
    void update(State<S, N>& state, S* p, const S* g, std::size_t offset, std::size_t count,
                S weight_decay) const {
        if (weight_decay != S(0)) {
            if constexpr (std::is_same_v<S, float> && std::is_same_v<Real, float>)
                kernels::scale(Target{}, p, count, to_float(one_minus(times(split(learning_rate), {weight_decay, 0.0f}))));
            else
                kernels::scale(Target{}, p, count, static_cast<S>(1.0 - learning_rate * static_cast<double>(weight_decay)));
        }
        Adam::update<Target>(state, p, g, offset, count, S(0));
    }
};

}  // namespace tinymlp
