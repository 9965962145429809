// Transfer learning on the device: a network trained on the host is fine-tuned on the device to
// data that has shifted, training only its last layer. The same program runs on a PC and as
// Cortex-M firmware (QEMU mps2-an386 under ctest), with no heap.
//
// The base network, 64-32-10 ReLU, learned scikit-learn's digits on the host (make_base_model.py,
// PyTorch); its weights are a committed header of const arrays (digits_base_model.hpp), which
// stay in flash on the device. Then the sensor drifts: every pixel reads 0.5 x + 0.25 (half the
// gain, a quarter of the range as offset), and the base network's test accuracy falls from 0.96 to
// about 0.3. On the device:
//   - the frozen part, Dense<64, 32> + ReLU, runs from flash (Network::predict_with on the
//     header's const parameters): no gradient, no optimizer state, no backward;
//   - the last layer, Dense<32, 10>, is copied into RAM and trained (momentum SGD, batch 16) on
//     the drifted training images, streamed from flash one at a time (stream.hpp: each read runs
//     the frozen part), in a seeded order with no index table;
//   - accuracy on the drifted test images before and after, and the RAM that training takes,
//     beside what training the whole network would take.
// Output, one record per line (`transfer <what> key value ...`). Exit 1 unless the fine-tuned
// network reaches a drifted test accuracy of at least 0.9.
//
// Built with TRANSFER_COUNT_REGIONS (Cortex-M, ctest transfer_learning_instruction_counts), the
// program instead runs one head step, one pass through the frozen part and one step of the whole
// network between the markers of bench/cortex-m/instruction_counts.sh, which counts their
// instructions in QEMU.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "digits_base_model.hpp"  // the base network (committed), const: flash
#include "digits_data.hpp"        // the digits (generated in the build directory), const: flash
#include "digits_split.hpp"       // the train/test split as on_device_training.cpp's, in flash

#if defined(TINYMLP_ON_DEVICE_FIRMWARE)
#include "stack_usage.h"  // ports/cortex-m: stack high-water mark
#endif

using namespace tinymlp;

namespace {

using Base = digits_base::Network;                                              // Dense<64, 32>, ReLU, Dense<32, 10>
using FrozenPart = Network<float, DefaultTarget, Dense<64, 32>, ReLU>;              // layers 0-1 of Base
using Head = Network<float, DefaultTarget, Dense<32, digits::class_count>>;     // layer 2 of Base
constexpr std::size_t head_offset = Base::parameter_offset(2);
static_assert(FrozenPart::parameter_count == head_offset && head_offset + Head::parameter_count == Base::parameter_count,
              "the frozen part and the head split the base network's parameters");

constexpr std::size_t batch = 16;
constexpr int epochs = 10;
constexpr double min_accuracy_after = 0.9;
using HeadTrainer = Trainer<Head, SoftmaxCrossEntropy, Momentum, batch>;
// What training the whole base network the same way would hold (for the comparison only).
using FullTrainer = Trainer<Base, SoftmaxCrossEntropy, Momentum, batch>;

// The same comparison for the chapter's 784-256-10 with Adam: its last layer alone against all.
using Mlp = Network<float, DefaultTarget, Dense<784, 256>, ReLU, Dense<256, 10>>;
using MlpHead = Network<float, DefaultTarget, Dense<256, 10>>;
constexpr std::size_t mlp_full_ram =
    Mlp::parameter_bytes + Trainer<Mlp, SoftmaxCrossEntropy, Adam, batch>::memory_bytes;
constexpr std::size_t mlp_head_ram =
    MlpHead::parameter_bytes + Trainer<MlpHead, SoftmaxCrossEntropy, Adam, batch>::memory_bytes;

using digits_split::test_count;
using digits_split::test_images;
using digits_split::train_count;
using digits_split::train_images;

Head head;                                 // the trained layer, in RAM
HeadTrainer trainer(head, Momentum{0.05, 0.9});
BatchBuffer<HeadTrainer> features_batch;   // one batch of the frozen part's outputs

// Sample k of `images` as the head sees it: the image from flash, scaled to [0, 1], drifted or
// not, through the frozen part (from flash).
template <class Images>
auto features(const Images& images, bool drifted) {
    return [&images, drifted](std::size_t k, float* out, std::int32_t* label) {
        const std::size_t i = images.image[k];
        float x[digits::feature_count];
        for (std::size_t f = 0; f < digits::feature_count; ++f) {
            const float pixel = static_cast<float>(digits::pixels[i][f]) * (1.0f / digits::pixel_max);
            x[f] = drifted ? 0.5f * pixel + 0.25f : pixel;
        }
        *label = digits::labels[i];
        return FrozenPart::predict_with(digits_base::parameters, x, out) == Status::ok;
    };
}

double accuracy(bool drifted) {
    const EpochResult<float> r = evaluate_epoch(trainer, features_batch, test_count, features(test_images, drifted));
    return r.status == Status::ok ? static_cast<double>(r.correct) / test_count : -1.0;
}

}  // namespace

#if defined(TRANSFER_COUNT_REGIONS)
extern "C" {
// Out of line and opaque to the optimiser: no work moves across a marker.
__attribute__((noinline, used)) void tinymlp_count_begin(unsigned id) { __asm__ volatile("" : : "r"(id) : "memory"); }
__attribute__((noinline, used)) void tinymlp_count_end(unsigned id) { __asm__ volatile("" : : "r"(id) : "memory"); }
}
Base full;
FullTrainer full_trainer(full, Momentum{0.05, 0.9});
BatchBuffer<FullTrainer> images_batch;

// Prints what region `id` measures (instruction_counts.sh reads these lines), then runs it.
template <class Work>
void measure(unsigned id, const char* name, unsigned long macs, unsigned long samples, Work&& work) {
    std::printf("region %u %s macs %lu samples %lu\n", id, name, macs, samples);
    tinymlp_count_begin(id);
    work();
    tinymlp_count_end(id);
}

int count_regions() {
    std::memcpy(head.parameters(), digits_base::parameters + head_offset, Head::parameter_bytes);
    std::memcpy(full.parameters(), digits_base::parameters, Base::parameter_bytes);
    const auto read_features = features(train_images, true);
    for (std::size_t n = 0; n < batch; ++n) {
        read_features(n, features_batch.x + n * Head::input_size, features_batch.targets + n);
        const std::size_t i = train_images.image[n];
        for (std::size_t f = 0; f < digits::feature_count; ++f)
            images_batch.x[n * digits::feature_count + f] =
                0.5f * static_cast<float>(digits::pixels[i][f]) * (1.0f / digits::pixel_max) + 0.25f;
        images_batch.targets[n] = digits::labels[i];
    }
    // one step each first, so that nothing measured below runs for the first time
    Status status = trainer.step(features_batch.x, features_batch.targets);
    if (full_trainer.step(images_batch.x, images_batch.targets) != Status::ok) status = Status::non_finite_loss;
    std::printf("target %s\n", DefaultTarget::name);
    float out[Head::input_size];
    std::int32_t label = 0;
    constexpr unsigned long head_macs = 32 * 10;
    measure(0, "empty", 0, 0, [] {});
    measure(1, "transfer_head_step_batch16", 2 * batch * head_macs, batch,  // forward + weight gradient
            [&] { status = status == Status::ok ? trainer.step(features_batch.x, features_batch.targets) : status; });
    measure(2, "transfer_frozen_part_one_sample", 64 * 32, 1, [&] { read_features(0, out, &label); });
    measure(3, "full_network_step_batch16", batch * (2 * 64 * 32 + 3 * 32 * 10), batch,
            [&] { status = status == Status::ok ? full_trainer.step(images_batch.x, images_batch.targets) : status; });
    return status == Status::ok ? 0 : 1;
}
#endif

int main() {
#if defined(TRANSFER_COUNT_REGIONS)
    return count_regions();
#endif
    std::memcpy(head.parameters(), digits_base::parameters + head_offset, Head::parameter_bytes);
    std::printf("transfer data train %u test %u drift 0.5x+0.25\n", static_cast<unsigned>(train_count),
                static_cast<unsigned>(test_count));
    std::printf("transfer memory frozen_flash_bytes %u trained_parameter_bytes %u trainer_bytes %u batch_bytes %u "
                "ram_total %u full_training_ram %u\n",
                static_cast<unsigned>(FrozenPart::parameter_bytes), static_cast<unsigned>(Head::parameter_bytes),
                static_cast<unsigned>(HeadTrainer::memory_bytes), static_cast<unsigned>(sizeof features_batch),
                static_cast<unsigned>(Head::parameter_bytes + HeadTrainer::memory_bytes + sizeof features_batch),
                static_cast<unsigned>(Base::parameter_bytes + FullTrainer::memory_bytes +
                                      sizeof(BatchBuffer<FullTrainer>)));
    std::printf("transfer memory_784_256_10_adam_batch16 last_layer_ram %u full_training_ram %u\n",
                static_cast<unsigned>(mlp_head_ram), static_cast<unsigned>(mlp_full_ram));
    const double clean_before = accuracy(false), drifted_before = accuracy(true);
    std::printf("transfer before clean_test_acc %.6g drifted_test_acc %.6g\n", clean_before, drifted_before);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        const EpochResult<float> r = train_epoch(trainer, features_batch, Permutation(train_count, 40 + epoch),
                                                 features(train_images, true));
        if (r.status != Status::ok) {
            std::printf("FAILED: training (%s)\n", to_string(r.status));
            return 1;
        }
        std::printf("transfer epoch %d loss %.9g drifted_test_acc %.6g\n", epoch, static_cast<double>(r.loss),
                    accuracy(true));
    }
    const double clean_after = accuracy(false), drifted_after = accuracy(true);
    std::printf("transfer after clean_test_acc %.6g drifted_test_acc %.6g\n", clean_after, drifted_after);
#if defined(TINYMLP_ON_DEVICE_FIRMWARE)
    std::printf("firmware stack_used_bytes %u\n", static_cast<unsigned>(tinymlp_stack_used()));
#endif
    if (drifted_after < min_accuracy_after) {
        std::printf("FAILED: drifted test accuracy %.4f below %.2f after fine-tuning\n", drifted_after,
                    min_accuracy_after);
        return 1;
    }
    return 0;
}
