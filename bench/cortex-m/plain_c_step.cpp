// One SGD step of a 32-64-64-8 ReLU MLP with softmax cross-entropy on one sample, written as
// plain C loops the way firmware often carries one: the reference the instruction counts set the
// library's batch-1 step against. Same parameter layout as tinymlp's Dense (W [in][out], then
// b [out]), same math; each layer's input gradient is taken before its weights change. A weight
// moves by `lr * dy[o] * x[i]` as written in C (plain_c_sgd_step_batch1: two products per weight,
// as the gradient x dy and its scaling by lr are), or by `g * x[i]` with g = lr * dy[o] taken
// once per output (plain_c_sgd_step_batch1_scaled_delta: one product per weight, rounded
// otherwise than the gradient is). A translation unit of its own, built with the project's flags.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace {

// y = x W + b, then ReLU when `relu`
template <std::size_t In, std::size_t Out>
void forward(const float* p, const float* x, float* y, bool relu) {
    for (std::size_t o = 0; o < Out; ++o) {
        float sum = p[In * Out + o];
        for (std::size_t i = 0; i < In; ++i) sum += x[i] * p[i * Out + o];
        y[o] = relu && sum < 0.0f ? 0.0f : sum;
    }
}

// dx = W dy through the ReLU whose output x is (when dx is wanted), then W -= lr dy x, b -= lr dy
template <std::size_t In, std::size_t Out, bool ScaledDelta>
void backward(float* p, const float* x, const float* dy, float* dx, float lr) {
    if (dx) {
        for (std::size_t i = 0; i < In; ++i) {
            float sum = 0.0f;
            for (std::size_t o = 0; o < Out; ++o) sum += p[i * Out + o] * dy[o];
            dx[i] = x[i] > 0.0f ? sum : 0.0f;  // x is the ReLU's output
        }
    }
    if (ScaledDelta) {
        for (std::size_t o = 0; o < Out; ++o) {
            const float g = lr * dy[o];
            for (std::size_t i = 0; i < In; ++i) p[i * Out + o] -= g * x[i];
        }
    } else {
        for (std::size_t i = 0; i < In; ++i)
            for (std::size_t o = 0; o < Out; ++o) p[i * Out + o] -= lr * dy[o] * x[i];
    }
    for (std::size_t o = 0; o < Out; ++o) p[In * Out + o] -= lr * dy[o];
}

template <bool ScaledDelta>
float step(float* p1, float* p2, float* p3, const float* x, std::int32_t label, float lr) {
    static float h1[64], h2[64], logits[8], d3[8], d2[64], d1[64];
    forward<32, 64>(p1, x, h1, true);
    forward<64, 64>(p2, h1, h2, true);
    forward<64, 8>(p3, h2, logits, false);
    float largest = logits[0];
    for (std::size_t o = 1; o < 8; ++o) largest = logits[o] > largest ? logits[o] : largest;
    float total = 0.0f;
    for (std::size_t o = 0; o < 8; ++o) total += d3[o] = std::exp(logits[o] - largest);
    for (std::size_t o = 0; o < 8; ++o) d3[o] = d3[o] / total - (static_cast<std::int32_t>(o) == label ? 1.0f : 0.0f);
    backward<64, 8, ScaledDelta>(p3, h2, d3, d2, lr);
    backward<64, 64, ScaledDelta>(p2, h1, d2, d1, lr);
    backward<32, 64, ScaledDelta>(p1, x, d1, nullptr, lr);
    return std::log(total) + largest - logits[label];  // the loss
}

}  // namespace

extern "C" float plain_c_sgd_step(float* p1, float* p2, float* p3, const float* x, std::int32_t label, float lr) {
    return step<false>(p1, p2, p3, x, label, lr);
}
extern "C" float plain_c_sgd_step_scaled_delta(float* p1, float* p2, float* p3, const float* x, std::int32_t label,
                                               float lr) {
    return step<true>(p1, p2, p3, x, label, lr);
}
