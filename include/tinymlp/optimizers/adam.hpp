// Adam (Kingma & Ba 2015), as torch.optim.Adam with coupled L2 weight decay.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../kernels/optimizers.hpp"

namespace tinymlp {

struct Adam {
    static constexpr const char* name = "Adam";
    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;

    template <class S, std::size_t N>
    struct State {
        alignas(storage_alignment) S first_moment[N] = {};
        alignas(storage_alignment) S second_moment[N] = {};
        std::uint64_t steps = 0;
        S bias_correction1 = 1, bias_correction2_sqrt = 1;
    };

    template <class S, std::size_t N>
    void begin_step(State<S, N>& state) const {
        ++state.steps;
        const double t = static_cast<double>(state.steps);
        state.bias_correction1 = static_cast<S>(1.0 - std::pow(beta1, t));
        state.bias_correction2_sqrt = static_cast<S>(std::sqrt(1.0 - std::pow(beta2, t)));
    }
    template <class Target, class S, std::size_t N>
    void update(State<S, N>& state, S* p, const S* g, std::size_t offset, std::size_t count,
                S weight_decay) const {
        kernels::adam_update(Target{}, p, g, state.first_moment + offset, state.second_moment + offset, count,
                             static_cast<S>(learning_rate), static_cast<S>(beta1), static_cast<S>(beta2),
                             static_cast<S>(epsilon), weight_decay, state.bias_correction1,
                             state.bias_correction2_sqrt);
    }
};

}  // namespace tinymlp
