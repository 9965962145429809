// Cross-entropy of softmax(logits) against class indices, fused and stabilised with
// log-sum-exp. Targets: one label per sample, in [0, classes): std::int32_t, or int where that is
// another type (on arm-none-eabi std::int32_t is long, and `int labels[]` is what users write).
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../kernels/softmax.hpp"
#include "../status.hpp"

namespace tinymlp {

struct SoftmaxCrossEntropy {
    static constexpr const char* name = "SoftmaxCrossEntropy";
    template <class S>
    using target_type_for = std::int32_t;
    static constexpr std::size_t targets_per_sample(std::size_t) { return 1; }
    // Applied to the logits: a final Softmax layer, if any, is skipped in training.
    static constexpr bool fuses_softmax = true;

    template <class Label>
    static constexpr bool accepts_labels =
        std::is_same_v<Label, std::int32_t> || std::is_same_v<Label, int>;

    template <class Target, std::size_t B, std::size_t C, class Label>
    static Status check_targets(const Label* labels) {
        for (std::size_t n = 0; n < B; ++n)
            if (labels[n] < 0 || static_cast<std::size_t>(labels[n]) >= C) return Status::label_out_of_range;
        return Status::ok;
    }
    template <class Target, std::size_t B, std::size_t C, class S, class Label>
    static S forward_backward(const S* logits, const Label* labels, S* dlogits) {
        return kernels::softmax_cross_entropy<B, C>(Target{}, logits, labels, dlogits);
    }
};

}  // namespace tinymlp
