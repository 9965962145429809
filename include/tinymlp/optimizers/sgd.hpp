// Stochastic gradient descent, plain and with (Nesterov) momentum, as torch.optim.SGD
// (dampening 0). Weight decay is applied by the trainer, per parameter segment.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../finite.hpp"
#include "../kernels/optimizers.hpp"
#include "../real.hpp"

namespace tinymlp {

struct Sgd {
    static constexpr const char* name = "SGD";
    double learning_rate = 0.01;

    // Checked by the trainer before every step: a NaN rate would write NaN into every weight.
    bool valid() const { return is_finite(learning_rate) && is_non_negative(learning_rate); }

    template <class S, std::size_t N>
    struct State {  // plain SGD keeps no state but the step count
        static constexpr std::size_t scalar_count = 0;
        S* scalars() { return nullptr; }
        const S* scalars() const { return nullptr; }
        std::uint64_t steps = 0;
        S rate{};  // learning_rate in S, for the current step (set by begin_step)
    };

    template <class S, std::size_t N>
    void begin_step(State<S, N>& state) const {
        ++state.steps;
        state.rate = scalar_of<S>(learning_rate);
    }
    template <class Target, class S, std::size_t N>
    void update(State<S, N>& state, S* p, const S* g, std::size_t, std::size_t count, S weight_decay) const {
        kernels::sgd_update(Target{}, p, g, count, state.rate, weight_decay);
    }
    // One sample's step on Rows x Out dense weights w straight from the layer's input x and output
    // gradient dy (fused updates at batch 1, without decay or L1), with the bits of update() on
    // their gradient; `offset`: the weights' place in the state.
    static constexpr bool updates_dense_in_place = true;
    template <class Target, std::size_t Rows, std::size_t Out, class S, std::size_t N>
    void update_dense_one_sample(State<S, N>& state, const S* x, const S* dy, S* w, std::size_t) const {
        kernels::dense_sgd_one_sample<Rows, Out>(Target{}, x, dy, w, state.rate);
    }
};

struct Momentum {
    static constexpr const char* name = "Momentum";
    double learning_rate = 0.01;
    double momentum = 0.9;
    bool nesterov = false;

    bool valid() const {
        return is_finite(learning_rate) && is_non_negative(learning_rate) && is_non_negative(momentum) &&
               is_below_one(momentum);
    }

    template <class S, std::size_t N>
    struct State {
        static constexpr std::size_t scalar_count = N;
        S* scalars() { return velocity; }
        const S* scalars() const { return velocity; }
        alignas(storage_alignment) S velocity[N] = {};
        std::uint64_t steps = 0;  // the first step sets velocity = gradient
        S rate{}, momentum{};     // in S, for the current step (set by begin_step)
    };

    template <class S, std::size_t N>
    void begin_step(State<S, N>& state) const {
        ++state.steps;
        state.rate = scalar_of<S>(learning_rate);
        state.momentum = scalar_of<S>(momentum);
    }
    template <class Target, class S, std::size_t N>
    void update(State<S, N>& state, S* p, const S* g, std::size_t offset, std::size_t count,
                S weight_decay) const {
        kernels::momentum_update(Target{}, p, g, state.velocity + offset, count, state.rate, state.momentum,
                                 weight_decay, nesterov, state.steps == 1);
    }
};

}  // namespace tinymlp
