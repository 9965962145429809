// Training and evaluation on samples read one at a time, so that the data set never sits in RAM:
// from flash, an SD card, a sensor's ring buffer or a file. Only one batch is held, in a
// BatchBuffer whose size is a constexpr of the trainer; a shuffled epoch takes its order from a
// Permutation (a seed, no index table).
//
//   static BatchBuffer<TrainerT> batch;
//   auto read = [](std::size_t i, float* x, std::int32_t* label) {
//       std::memcpy(x, images_in_flash[i], sizeof images_in_flash[i]);
//       *label = labels_in_flash[i];
//       return true;                                   // false: the sample could not be read
//   };
//   EpochResult<float> r = train_epoch(trainer, batch, Permutation(count, seed + epoch), read);
//   EpochResult<float> e = evaluate_epoch(trainer, batch, test_count, read_test);
//
// read(index, x, targets) fills input_size features and the sample's targets (one label, or
// targets_per_sample values). The last batch of an epoch is a partial one (step_partial), so every
// sample is used once per epoch.
#pragma once
#include <cstddef>
#include <type_traits>

#include "permutation.hpp"
#include "status.hpp"
#include "target.hpp"

namespace tinymlp {

// One batch of inputs and targets for TrainerT (or any trainer of the same batch shape: the
// epoch functions below take it for either).
template <class TrainerT>
struct BatchBuffer {
    using scalar = typename TrainerT::network_type::scalar;
    using target = typename TrainerT::target_type;
    static constexpr std::size_t samples = TrainerT::batch_size;
    static constexpr std::size_t features = TrainerT::network_type::input_size;
    static constexpr std::size_t targets_per_sample = TrainerT::targets_per_batch / TrainerT::batch_size;
    alignas(storage_alignment) scalar x[samples * features];
    target targets[samples * targets_per_sample];
};

// S: the network's scalar type (the loss is summed in it: no double arithmetic on cores without).
template <class S = float>
struct EpochResult {
    Status status = Status::ok;  // sample_unavailable: read() failed; or the refused step's status
    std::size_t samples = 0;     // samples trained on (or evaluated) before any failure
    std::size_t batches = 0;
    S loss = 0;                  // mean loss over those samples
    std::size_t correct = 0;     // evaluate_epoch: samples whose prediction is right
    std::size_t failed_index = 0;  // sample_unavailable: the index read() refused
};

namespace detail {
template <class TrainerT, class Buffered>
constexpr bool same_batch_shape() {
    using A = BatchBuffer<TrainerT>;
    using Z = BatchBuffer<Buffered>;
    return A::samples == Z::samples && A::features == Z::features && A::targets_per_sample == Z::targets_per_sample &&
           std::is_same_v<typename A::scalar, typename Z::scalar> && std::is_same_v<typename A::target, typename Z::target>;
}

// Fills batch with the n samples index_of(first) .. index_of(first + n - 1).
template <class TrainerT, class IndexOf, class Read, class Result>
bool fill_batch(BatchBuffer<TrainerT>& batch, std::size_t first, std::size_t n, IndexOf&& index_of, Read&& read,
                Result& result) {
    using Buffer = BatchBuffer<TrainerT>;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t index = index_of(first + i);
        if (!read(index, batch.x + i * Buffer::features, batch.targets + i * Buffer::targets_per_sample)) {
            result.status = Status::sample_unavailable;
            result.failed_index = index;
            return false;
        }
    }
    return true;
}
}  // namespace detail

// One epoch over order.size() samples in the permutation's order, a step per batch. Stops at the
// first sample read() cannot read or the first refused step; the batches before it are trained.
template <class TrainerT, class Buffered, class Read>
EpochResult<typename BatchBuffer<TrainerT>::scalar> train_epoch(TrainerT& trainer, BatchBuffer<Buffered>& batch,
                                                                const Permutation& order, Read&& read) {
    static_assert(detail::same_batch_shape<TrainerT, Buffered>(), "tinymlp: the batch buffer is for another batch shape");
    constexpr std::size_t B = TrainerT::batch_size;
    using S = typename BatchBuffer<TrainerT>::scalar;
    EpochResult<S> result;
    for (std::size_t first = 0; first < order.size(); first += B) {
        const std::size_t n = order.size() - first < B ? order.size() - first : B;
        if (!detail::fill_batch<Buffered>(batch, first, n, order, read, result)) break;
        S loss = 0;
        result.status = trainer.step_partial(batch.x, batch.targets, n, &loss);
        if (result.status != Status::ok) break;
        result.loss += loss * static_cast<S>(n);
        result.samples += n;
        ++result.batches;
    }
    if (result.samples) result.loss /= static_cast<S>(result.samples);
    return result;
}

// Loss and right answers (see Trainer::evaluate) over samples 0 .. count - 1, in order.
template <class TrainerT, class Buffered, class Read>
EpochResult<typename BatchBuffer<TrainerT>::scalar> evaluate_epoch(TrainerT& trainer, BatchBuffer<Buffered>& batch,
                                                                   std::size_t count, Read&& read) {
    static_assert(detail::same_batch_shape<TrainerT, Buffered>(), "tinymlp: the batch buffer is for another batch shape");
    constexpr std::size_t B = TrainerT::batch_size;
    using S = typename BatchBuffer<TrainerT>::scalar;
    EpochResult<S> result;
    const auto in_order = [](std::size_t i) { return i; };
    for (std::size_t first = 0; first < count; first += B) {
        const std::size_t n = count - first < B ? count - first : B;
        if (!detail::fill_batch<Buffered>(batch, first, n, in_order, read, result)) break;
        S loss = 0;
        std::size_t right = 0;
        result.status = trainer.evaluate_partial(batch.x, batch.targets, n, &loss, &right);
        if (result.status != Status::ok) break;
        result.loss += loss * static_cast<S>(n);
        result.samples += n;
        result.correct += right;
        ++result.batches;
    }
    if (result.samples) result.loss /= static_cast<S>(result.samples);
    return result;
}

}  // namespace tinymlp
