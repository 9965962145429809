// Training and evaluation loops for classifiers on a tinymlp::host::Dataset (features in
// [count][feature_count], int32 labels), shared by the Fashion-MNIST and model-selection examples.
//   train_epoch: one pass over a shuffled order in batches of the trainer's compile-time size B,
//     the last order.size() % B samples in a partial batch (Trainer::step_partial), so every
//     sample is trained on in every epoch. Loss and accuracy are averaged over the samples as
//     they were trained (training mode, before each update; the partial batch's accuracy from
//     predict, in evaluation mode).
//   evaluate: loss and accuracy of the whole set in evaluation mode (Trainer::evaluate, and
//     evaluate_partial for the samples that do not fill a batch).
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

// Returns false (after printing the status) if a step is refused.
template <class TrainerT>
bool train_epoch(TrainerT& trainer, const tinymlp::host::Dataset& data, const std::vector<std::size_t>& order,
                 Metrics& result, Progress* progress = nullptr) {
    using Net = typename TrainerT::network_type;
    constexpr std::size_t B = TrainerT::batch_size;
    constexpr std::size_t classes = TrainerT::loss_width;
    std::vector<float> x(B * Net::input_size);
    std::vector<std::int32_t> labels(B);
    const std::size_t steps = (order.size() + B - 1) / B;
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t step = 0; step < steps; ++step) {
        const std::size_t n = std::min(B, order.size() - step * B);
        const tinymlp::host::Error e = tinymlp::host::gather_batch(data, order, step * B, n, x.data(), labels.data());
        if (!e.ok()) {
            std::fprintf(stderr, "batch: %s\n", e.message.c_str());
            return false;
        }
        if (n < B) {
            // the partial batch runs sample by sample: count its right answers before the update
            float out[Net::output_size];
            for (std::size_t i = 0; i < n; ++i)
                if (trainer.network().predict(x.data() + i * Net::input_size, out) == tinymlp::Status::ok)
                    correct += argmax(out, classes) == static_cast<std::size_t>(labels[i]);
        }
        float loss = 0;
        if (const tinymlp::Status s = trainer.step_partial(x.data(), labels.data(), n, &loss); s != tinymlp::Status::ok) {
            std::fprintf(stderr, "training step %zu refused: %s\n", step, tinymlp::to_string(s));
            return false;
        }
        if (n == B) {
            // outputs() still holds this batch's logits, computed before the update
            const float* out = trainer.outputs();
            for (std::size_t i = 0; i < B; ++i)
                correct += argmax(out + i * classes, classes) == static_cast<std::size_t>(labels[i]);
        }
        loss_sum += static_cast<double>(loss) * static_cast<double>(n);
        if (progress) progress->update(step + 1, loss_sum / static_cast<double>(step * B + n));
    }
    if (progress) progress->finish();
    result.samples = order.size();
    result.loss = order.empty() ? 0.0 : loss_sum / static_cast<double>(order.size());
    result.accuracy = order.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(order.size());
    return true;
}

// The first `count` samples of data (all of them by default).
template <class TrainerT>
Metrics evaluate(TrainerT& trainer, const tinymlp::host::Dataset& data, std::size_t count = SIZE_MAX) {
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
    if (full < count) {
        float loss = 0;
        std::size_t right = 0;
        const tinymlp::Status s =
            trainer.evaluate_partial(data.row(full), data.labels.data() + full, count - full, &loss, &right);
        if (s != tinymlp::Status::ok) std::fprintf(stderr, "evaluate: %s\n", tinymlp::to_string(s));
        loss_sum += static_cast<double>(loss) * static_cast<double>(count - full);
        correct += right;
    }
    Metrics m;
    m.samples = count;
    m.loss = count ? loss_sum / static_cast<double>(count) : 0.0;
    m.accuracy = count ? static_cast<double>(correct) / static_cast<double>(count) : 0.0;
    return m;
}

}  // namespace examples
