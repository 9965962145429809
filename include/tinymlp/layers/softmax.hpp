// Softmax output layer: Y = softmax(X) per sample, [B][N]. Trained with SoftmaxCrossEntropy the
// trainer skips this layer and uses the fused, stable loss on its input (the logits); with any
// other loss its Jacobian is applied in backward.
#pragma once
#include <cstddef>

#include "../kernels/softmax.hpp"
#include "context.hpp"

namespace tinymlp {

template <class S, std::size_t N>
struct SoftmaxLayer {
    using scalar_type = S;
    static constexpr const char* name = "Softmax";
    static constexpr std::size_t in_size = N, out_size = N;
    static constexpr std::size_t weight_count = 0, param_count = 0, saved_per_sample = 0;
    static constexpr bool is_softmax = true;

    template <class Text> static constexpr void spell(Text& text, const char* prefix) { text << prefix << "Softmax"; }
    static void init_default(S*, Pcg32&) {}

    template <class Target, std::size_t B>
    static void forward(const S*, const S* x, S* y, S*, ForwardContext&) {
        kernels::softmax_forward<B, N>(Target{}, x, y);
    }
    template <class Target, std::size_t B>
    static void backward(const S*, const S*, const S* y, const S*, const S* dy, S* dx, S*, S*) {
        if (dx) kernels::softmax_backward<B, N>(Target{}, y, dy, dx);
    }
};

struct Softmax {
    template <class S, std::size_t N>
    using bind = SoftmaxLayer<S, N>;
};

}  // namespace tinymlp
