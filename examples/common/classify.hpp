// Training and evaluation loops for classifiers on a tinymlp::host::Dataset (features in
// [count][feature_count], int32 labels), shared by the Fashion-MNIST and model-selection examples.
//   train_epoch: one pass over a shuffled order in full batches of the trainer's compile-time
//     size B (the last order.size() % B samples of the order are left out; the order is
//     reshuffled every epoch, so no sample is left out for good). Loss and accuracy are
//     averaged over the batches as they were trained (training mode, before each update).
//   evaluate: loss and accuracy of the whole set in evaluation mode: full batches through
//     Trainer::evaluate, the samples that do not fill a batch one by one through Network::predict.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <tinymlp/tinymlp.hpp>
#include <tinymlp_host/dataset.hpp>

#include "progress.hpp"

namespace examples {

struct Metrics {
    double loss = 0;
    double accuracy = 0;
    std::size_t samples = 0;
};

// Index of the largest of n values.
template <class S>
std::size_t argmax(const S* values, std::size_t n) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (values[i] > values[best]) best = i;
    return best;
}

// Cross-entropy of one sample from the network's output: logits, or probabilities when the
// network ends with Softmax.
template <class Net, class S>
double sample_cross_entropy(const S* out, std::int32_t label) {
    constexpr std::size_t n = Net::output_size;
    if constexpr (Net::ends_with_softmax) {
        return -std::log(std::max(static_cast<double>(out[label]), 1e-30));
    } else {
        double max = out[0];
        for (std::size_t c = 1; c < n; ++c) max = std::max(max, static_cast<double>(out[c]));
        double sum = 0;
        for (std::size_t c = 0; c < n; ++c) sum += std::exp(static_cast<double>(out[c]) - max);
        return max + std::log(sum) - static_cast<double>(out[label]);
    }
}

// Returns false (after printing the status) if a step is refused.
template <class TrainerT>
bool train_epoch(TrainerT& trainer, const tinymlp::host::Dataset& data, const std::vector<std::size_t>& order,
                 Metrics& result, Progress* progress = nullptr) {
    using Net = typename TrainerT::network_type;
    constexpr std::size_t B = TrainerT::batch_size;
    constexpr std::size_t classes = TrainerT::loss_width;
    std::vector<float> x(B * Net::input_size);
    std::vector<std::int32_t> labels(B);
    const std::size_t steps = order.size() / B;
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t step = 0; step < steps; ++step) {
        const tinymlp::host::Error e = tinymlp::host::gather_batch(data, order, step * B, B, x.data(), labels.data());
        if (!e.ok()) {
            std::fprintf(stderr, "batch: %s\n", e.message.c_str());
            return false;
        }
        float loss = 0;
        if (const tinymlp::Status s = trainer.step(x.data(), labels.data(), &loss); s != tinymlp::Status::ok) {
            std::fprintf(stderr, "training step %zu refused: %s\n", step, tinymlp::to_string(s));
            return false;
        }
        // outputs() still holds this batch's logits, computed before the update
        const float* out = trainer.outputs();
        for (std::size_t n = 0; n < B; ++n)
            correct += argmax(out + n * classes, classes) == static_cast<std::size_t>(labels[n]);
        loss_sum += loss;
        if (progress) progress->update(step + 1, loss_sum / static_cast<double>(step + 1));
    }
    if (progress) progress->finish();
    result.samples = steps * B;
    result.loss = steps ? loss_sum / static_cast<double>(steps) : 0.0;
    result.accuracy = steps ? static_cast<double>(correct) / static_cast<double>(steps * B) : 0.0;
    return true;
}

// The first `count` samples of data (all of them by default).
template <class TrainerT>
Metrics evaluate(TrainerT& trainer, const tinymlp::host::Dataset& data, std::size_t count = SIZE_MAX) {
    using Net = typename TrainerT::network_type;
    constexpr std::size_t B = TrainerT::batch_size;
    if (count > data.count) count = data.count;
    const std::size_t full = count / B * B;
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t first = 0; first < full; first += B) {
        float loss = 0;
        std::size_t right = 0;
        const tinymlp::Status s = trainer.evaluate(data.row(first), data.labels.data() + first, &loss, &right);
        if (s != tinymlp::Status::ok) std::fprintf(stderr, "evaluate: %s\n", tinymlp::to_string(s));
        loss_sum += static_cast<double>(loss) * B;
        correct += right;
    }
    float out[Net::output_size];
    for (std::size_t i = full; i < count; ++i) {
        if (trainer.network().predict(data.row(i), out) != tinymlp::Status::ok) continue;
        loss_sum += sample_cross_entropy<Net>(out, data.labels[i]);
        correct += argmax(out, Net::output_size) == static_cast<std::size_t>(data.labels[i]);
    }
    Metrics m;
    m.samples = count;
    m.loss = count ? loss_sum / static_cast<double>(count) : 0.0;
    m.accuracy = count ? static_cast<double>(correct) / static_cast<double>(count) : 0.0;
    return m;
}

}  // namespace examples
