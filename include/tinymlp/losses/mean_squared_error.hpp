// Mean squared error, mean over every output of every sample (torch.nn.MSELoss).
// Targets: output_size values per sample.
#pragma once
#include <cstddef>

#include "../kernels/elementwise.hpp"
#include "../kernels/losses.hpp"
#include "../status.hpp"

namespace tinymlp {

struct MeanSquaredError {
    static constexpr const char* name = "MeanSquaredError";
    template <class S>
    using target_type_for = S;
    static constexpr std::size_t targets_per_sample(std::size_t outputs) { return outputs; }
    static constexpr bool fuses_softmax = false;
    static constexpr double decision_threshold = 0.5;  // outputs are compared with 0.5

    template <class Target, std::size_t B, std::size_t N, class S>
    static Status check_targets(const S* targets) {
        return kernels::all_finite(Target{}, targets, B * N) ? Status::ok : Status::non_finite_target;
    }
    template <class Target, std::size_t B, std::size_t N, class S>
    static S forward_backward(const S* outputs, const S* targets, S* doutputs) {
        return kernels::mean_squared_error<B, N>(Target{}, outputs, targets, doutputs);
    }
};

}  // namespace tinymlp
