// Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss): one independent sigmoid per
// output, computed stably from the logit. Targets: output_size values in [0, 1] per sample.
#pragma once
#include <cstddef>

#include "../kernels/elementwise.hpp"
#include "../kernels/losses.hpp"
#include "../status.hpp"

namespace tinymlp {

struct BinaryCrossEntropyWithLogits {
    static constexpr const char* name = "BinaryCrossEntropyWithLogits";
    template <class S>
    using target_type_for = S;
    static constexpr std::size_t targets_per_sample(std::size_t outputs) { return outputs; }
    static constexpr bool fuses_softmax = false;
    static constexpr double decision_threshold = 0.0;  // a logit > 0 means probability > 0.5

    template <class Target, std::size_t B, std::size_t N, class S>
    static Status check_targets(const S* targets) {
        return kernels::all_finite(Target{}, targets, B * N) ? Status::ok : Status::non_finite_target;
    }
    template <class Target, std::size_t B, std::size_t N, class S>
    static S forward_backward(const S* logits, const S* targets, S* dlogits) {
        return kernels::binary_cross_entropy_with_logits<B, N>(Target{}, logits, targets, dlogits);
    }
};

}  // namespace tinymlp
