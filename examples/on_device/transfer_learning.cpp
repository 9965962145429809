// Transfer learning on the device: a network trained on the host is fine-tuned on the device to
// data that has shifted, training only part of it. The same program runs on a PC and as Cortex-M
// firmware (QEMU mps2-an386 under ctest), with no heap.
//
// The base network, 64-32-10 ReLU, learned scikit-learn's digits on the host (make_base_model.py,
// PyTorch); its weights are a committed header of const arrays (digits_base_model.hpp), which
// stay in flash on the device. Then the sensor drifts: every pixel reads 0.5 x + 0.25 (half the
// gain, a quarter of the range as offset), and the base network's test accuracy falls from 0.96 to
// about 0.5. Two fine-tunings on the drifted training images, streamed from flash one at a time
// in a seeded order with no index table (stream.hpp), momentum SGD, batch 16:
//   - last layer: Frozen<Dense<64, 32>, Storage::external> reads the first layer straight from
//     the header in flash (no copy, no gradient, no optimizer state, no backward); only
//     Dense<32, 10> is in RAM and trains;
//   - biases only (TinyTL): BiasOnly<Dense<...>> on both layers: every weight frozen, 42 biases
//     train (the weights are in RAM here, where the biases are).
// Each prints accuracy on the drifted test images before and after, and the RAM it takes beside
// what training the whole network would take.
// Output, one record per line (`transfer <what> key value ...`). Exit 1 unless the last-layer run
// reaches a drifted test accuracy of at least 0.9 and the bias-only run improves on the base.
//
// Built with TRANSFER_COUNT_REGIONS (Cortex-M, ctest transfer_learning_instruction_counts), the
// program instead runs one step of each kind between the markers of
// bench/cortex-m/instruction_counts.sh, which counts their instructions in QEMU.
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

using Base = digits_base::Network;  // Dense<64, 32>, ReLU, Dense<32, 10>
// The same parameters, laid out as Base's: the first layer read from the header, the last in RAM.
using LastLayer = Network<float, DefaultTarget, Frozen<Dense<64, 32>, Storage::external>, ReLU, Dense<32, 10>>;
using BiasesOnly = Network<float, DefaultTarget, BiasOnly<Dense<64, 32>>, ReLU, BiasOnly<Dense<32, 10>>>;
static_assert(LastLayer::topology_signature() == Base::topology_signature() &&
                  BiasesOnly::topology_signature() == Base::topology_signature(),
              "freezing changes what trains, not the parameters");

constexpr std::size_t batch = 16;
constexpr int epochs = 10;
constexpr double min_accuracy_after = 0.9;
using LastLayerTrainer = Trainer<LastLayer, SoftmaxCrossEntropy, Momentum, batch>;
using BiasTrainer = Trainer<BiasesOnly, SoftmaxCrossEntropy, Momentum, batch>;
// What training the whole base network the same way would hold (for the comparison).
using FullTrainer = Trainer<Base, SoftmaxCrossEntropy, Momentum, batch>;

// The same comparison for the chapter's 784-256-10 with Adam: its last layer alone against all.
using Mlp = Network<float, DefaultTarget, Dense<784, 256>, ReLU, Dense<256, 10>>;
using MlpHead = Network<float, DefaultTarget, Frozen<Dense<784, 256>, Storage::external>, ReLU, Dense<256, 10>>;
constexpr std::size_t mlp_full_ram = sizeof(Mlp) + Trainer<Mlp, SoftmaxCrossEntropy, Adam, batch>::memory_bytes;
constexpr std::size_t mlp_head_ram = sizeof(MlpHead) + Trainer<MlpHead, SoftmaxCrossEntropy, Adam, batch>::memory_bytes;

using digits_split::test_count;
using digits_split::test_images;
using digits_split::train_count;
using digits_split::train_images;

LastLayer last_layer(digits_base::parameters);  // the first layer stays in flash
LastLayerTrainer last_layer_trainer(last_layer, Momentum{0.05, 0.9});
BiasesOnly biases_only;
BiasTrainer bias_trainer(biases_only, Momentum{0.05, 0.9});
BatchBuffer<LastLayerTrainer> images_batch;  // one batch of images, for both trainers (same batch shape)

// Sample k of `images`: the image from flash, scaled to [0, 1], drifted or not.
template <class Images>
auto pixels(const Images& images, bool drifted) {
    return [&images, drifted](std::size_t k, float* x, std::int32_t* label) {
        const std::size_t i = images.image[k];
        for (std::size_t f = 0; f < digits::feature_count; ++f) {
            const float pixel = static_cast<float>(digits::pixels[i][f]) * (1.0f / digits::pixel_max);
            x[f] = drifted ? 0.5f * pixel + 0.25f : pixel;
        }
        *label = digits::labels[i];
        return true;
    };
}

template <class TrainerT>
double accuracy(TrainerT& trainer, bool drifted) {
    const EpochResult<float> r = evaluate_epoch(trainer, images_batch, test_count, pixels(test_images, drifted));
    return r.status == Status::ok ? static_cast<double>(r.correct) / test_count : -1.0;
}

// One fine-tuning run: accuracy before, every epoch, after. Returns the drifted accuracy after,
// or -1 if training failed.
template <class TrainerT>
double fine_tune(const char* name, TrainerT& trainer) {
    using Net = typename TrainerT::network_type;
    std::printf("transfer %s memory trained_parameters %u network_ram %u trainer_bytes %u batch_bytes %u "
                "ram_total %u full_training_ram %u\n",
                name, static_cast<unsigned>(Net::trainable_count), static_cast<unsigned>(sizeof(Net)),
                static_cast<unsigned>(TrainerT::memory_bytes), static_cast<unsigned>(sizeof images_batch),
                static_cast<unsigned>(sizeof(Net) + TrainerT::memory_bytes + sizeof images_batch),
                static_cast<unsigned>(sizeof(Base) + FullTrainer::memory_bytes + sizeof(BatchBuffer<FullTrainer>)));
    const double clean_before = accuracy(trainer, false), drifted_before = accuracy(trainer, true);
    std::printf("transfer %s before clean_test_acc %.6g drifted_test_acc %.6g\n", name, clean_before, drifted_before);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        const EpochResult<float> r =
            train_epoch(trainer, images_batch, Permutation(train_count, 40 + epoch), pixels(train_images, true));
        if (r.status != Status::ok) {
            std::printf("FAILED: %s training (%s)\n", name, to_string(r.status));
            return -1;
        }
        std::printf("transfer %s epoch %d loss %.9g drifted_test_acc %.6g\n", name, epoch,
                    static_cast<double>(r.loss), accuracy(trainer, true));
    }
    const double clean_after = accuracy(trainer, false), drifted_after = accuracy(trainer, true);
    std::printf("transfer %s after clean_test_acc %.6g drifted_test_acc %.6g\n", name, clean_after, drifted_after);
    return drifted_after;
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
using FusedLastLayer = Trainer<LastLayer, SoftmaxCrossEntropy, Momentum, 1, Update::fused>;
FusedLastLayer fused_trainer(last_layer, Momentum{0.05, 0.9});

// Prints what region `id` measures (instruction_counts.sh reads these lines), then runs it.
template <class Work>
void measure(unsigned id, const char* name, unsigned long macs, unsigned long samples, Work&& work) {
    std::printf("region %u %s macs %lu samples %lu\n", id, name, macs, samples);
    tinymlp_count_begin(id);
    work();
    tinymlp_count_end(id);
}

int count_regions() {
    std::memcpy(full.parameters(), digits_base::parameters, Base::parameter_bytes);
    std::memcpy(biases_only.parameters(), digits_base::parameters, Base::parameter_bytes);
    const auto read = pixels(train_images, true);
    for (std::size_t n = 0; n < batch; ++n) read(n, images_batch.x + n * digits::feature_count, images_batch.targets + n);
    const float* x = images_batch.x;
    const std::int32_t* labels = images_batch.targets;
    // one step each first, so that nothing measured below runs for the first time
    Status status = last_layer_trainer.step(x, labels);
    const auto keep = [&status](Status s) { status = status == Status::ok ? s : status; };
    keep(full_trainer.step(x, labels));
    keep(bias_trainer.step(x, labels));
    keep(fused_trainer.step(x, labels));
    std::printf("target %s\n", DefaultTarget::name);
    constexpr unsigned long first_macs = 64 * 32, last_macs = 32 * 10;
    measure(0, "empty", 0, 0, [] {});
    // forward of both layers + the last layer's weight gradient
    measure(1, "last_layer_step_batch16", batch * (first_macs + 2 * last_macs), batch,
            [&] { keep(last_layer_trainer.step(x, labels)); });
    measure(2, "last_layer_fused_step_batch1", first_macs + 2 * last_macs, 1,
            [&] { keep(fused_trainer.step(x, labels)); });
    // forward + the input gradient of the last layer (the biases' gradients need no multiply)
    measure(3, "biases_only_step_batch16", batch * (first_macs + 2 * last_macs), batch,
            [&] { keep(bias_trainer.step(x, labels)); });
    measure(4, "full_network_step_batch16", batch * (2 * first_macs + 3 * last_macs), batch,
            [&] { keep(full_trainer.step(x, labels)); });
    return status == Status::ok ? 0 : 1;
}
#endif

int main() {
#if defined(TRANSFER_COUNT_REGIONS)
    return count_regions();
#endif
    std::memcpy(biases_only.parameters(), digits_base::parameters, Base::parameter_bytes);
    std::printf("transfer data train %u test %u drift 0.5x+0.25\n", static_cast<unsigned>(train_count),
                static_cast<unsigned>(test_count));
    std::printf("transfer memory_784_256_10_adam_batch16 last_layer_ram %u full_training_ram %u\n",
                static_cast<unsigned>(mlp_head_ram), static_cast<unsigned>(mlp_full_ram));
    const double base_drifted = accuracy(last_layer_trainer, true);
    const double last_layer_after = fine_tune("last_layer", last_layer_trainer);
    const double biases_after = fine_tune("biases_only", bias_trainer);
#if defined(TINYMLP_ON_DEVICE_FIRMWARE)
    std::printf("firmware stack_used_bytes %u\n", static_cast<unsigned>(tinymlp_stack_used()));
#endif
    if (last_layer_after < min_accuracy_after) {
        std::printf("FAILED: drifted test accuracy %.4f below %.2f after fine-tuning the last layer\n",
                    last_layer_after, min_accuracy_after);
        return 1;
    }
    if (!(biases_after > base_drifted)) {
        std::printf("FAILED: bias-only fine-tuning did not improve the drifted accuracy %.4f\n", base_drifted);
        return 1;
    }
    return 0;
}
