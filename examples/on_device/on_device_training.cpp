// On-device training: the same program trains two networks on a PC and as Cortex-M firmware
// (QEMU mps2-an386 under ctest), with no heap, no exceptions, only tinymlp and the C library.
//   (a) XOR: a 2-4-2 tanh MLP, Adam, the four points as one batch;
//   (b) scikit-learn's digits (1797 8x8 images, 10 classes) compiled into flash as uint8 pixel
//       counts (digits_data.hpp, written at build time by make_dataset_header.py): a 64-32-10
//       ReLU MLP, SGD with momentum, batches of 16; every fifth image of each digit (355) is
//       held out for the test, the other 1442 train.
// Networks and trainers are static (RAM); the data and the train/test split stay const (flash).
// The digits are streamed (stream.hpp): train_epoch reads one sample at a time into a BatchBuffer
// (converted to float), in the order of a seeded Permutation, so RAM holds one batch and no
// index table; the last batch of an epoch is a partial one. The same seeds give every platform
// the same order and initial weights: the host and the firmware print the same figures up to
// float rounding, which compare.cmake checks against reference.txt.
//
// Output, one record per line (`name key value key value ...`):
//   xor data train 4
//   xor epoch 20 loss 0.483143032
//   xor final loss 0.00198340416 acc 1
//   digits data train 1442 test 355 flash_bytes 116805
//   digits epoch 1 loss 1.11383003 test_loss 0.490543835 train_acc 0.843273 test_acc 0.847887
//   digits final train_acc 0.989598 test_acc 0.969014
//   digits_int8 data train 1442 test 355 calibration 256 weight_bytes 2368 float_parameter_bytes 9640
//   digits_int8 final test_acc 0.966197
// The last two: the trained network quantizes itself on the device (quantize(), calibrated on 256
// training images streamed from flash, no heap) and classifies the test images in int8.
// Losses with 9 digits (every float bit), so that compare.cmake sees the real differences.
// Exit 1 unless XOR reaches accuracy 1 and digits a test accuracy of at least 0.95, float and int8.
//
//   build/x86-avx2/examples/on_device/on_device_training
//   ctest --test-dir build/cortex-m4 -R on_device --output-on-failure   # the firmware in QEMU
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

#include "digits_data.hpp"   // generated in the build directory
#include "digits_split.hpp"  // the train/test split, in flash

#if defined(TINYMLP_ON_DEVICE_FIRMWARE)
#include "stack_usage.h"  // ports/cortex-m: stack high-water mark
#endif

using namespace tinymlp;

namespace {

bool fail(const char* what, Status status) {
    std::printf("FAILED: %s (%s)\n", what, to_string(status));
    return false;
}

// --- (a) XOR -----------------------------------------------------------------------------------
using XorNet = Sequential<Dense<2, 4>, Tanh, Dense<4, 2>, Softmax>;
using XorTrainer = Trainer<XorNet, SoftmaxCrossEntropy, Adam, 4>;
constexpr int xor_epochs = 200;  // one epoch = one step on the four points
constexpr int xor_print_every = 20;

XorNet xor_net;
XorTrainer xor_trainer(xor_net, Adam{0.05});

bool train_xor() {
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const std::int32_t labels[4] = {0, 1, 1, 0};
    xor_net.init(/*seed=*/1);
    std::printf("xor network 2-4-2 tanh parameters %u trainer_bytes %u adam_lr 0.05 epochs %d\n",
                static_cast<unsigned>(XorNet::parameter_count), static_cast<unsigned>(XorTrainer::memory_bytes),
                xor_epochs);
    std::printf("xor data train 4\n");  // trained and evaluated on the same four points
    for (int epoch = 1; epoch <= xor_epochs; ++epoch) {
        float loss = 0;
        if (const Status s = xor_trainer.step(&x[0][0], labels, &loss); s != Status::ok) return fail("xor: a step was refused", s);
        if (epoch == 1 || epoch % xor_print_every == 0) std::printf("xor epoch %d loss %.9g\n", epoch, loss);
    }
    float loss = 0;
    std::size_t correct = 0;
    if (const Status s = xor_trainer.evaluate(&x[0][0], labels, &loss, &correct); s != Status::ok)
        return fail("xor: evaluation", s);
    const double accuracy = static_cast<double>(correct) / 4.0;
    std::printf("xor final loss %.9g acc %.6g\n", loss, accuracy);
    return accuracy == 1.0;
}

// --- (b) digits --------------------------------------------------------------------------------
using digits_split::test_count;
using digits_split::test_images;
using digits_split::train_count;
using digits_split::train_images;

constexpr std::size_t batch = 16;
constexpr int digits_epochs = 10;
constexpr double min_test_accuracy = 0.95;

using DigitsNet = Sequential<Dense<digits::feature_count, 32>, ReLU, Dense<32, digits::class_count>, Softmax>;
using DigitsTrainer = Trainer<DigitsNet, SoftmaxCrossEntropy, Momentum, batch>;

DigitsNet digits_net;
DigitsTrainer digits_trainer(digits_net, Momentum{0.05, 0.9});
BatchBuffer<DigitsTrainer> digits_batch;  // the only copy of data in RAM: one batch, as float

// The sample sources of train_epoch / evaluate_epoch: image `images.image[k]` from flash, its
// pixels scaled to [0, 1].
template <class Images>
auto source(const Images& images) {
    return [&images](std::size_t k, float* x, std::int32_t* label) {
        const std::size_t i = images.image[k];
        for (std::size_t f = 0; f < digits::feature_count; ++f)
            x[f] = static_cast<float>(digits::pixels[i][f]) * (1.0f / digits::pixel_max);
        *label = digits::labels[i];
        return true;
    };
}

bool train_digits() {
    digits_net.init(/*seed=*/1);
    std::printf("digits network 64-32-10 relu parameters %u trainer_bytes %u momentum_lr 0.05 batch %u epochs %d\n",
                static_cast<unsigned>(DigitsNet::parameter_count), static_cast<unsigned>(DigitsTrainer::memory_bytes),
                static_cast<unsigned>(batch), digits_epochs);
    std::printf("digits data train %u test %u flash_bytes %u batch_buffer_bytes %u\n", static_cast<unsigned>(train_count),
                static_cast<unsigned>(test_count),
                static_cast<unsigned>(sizeof digits::pixels + sizeof digits::labels + sizeof train_images +
                                      sizeof test_images),
                static_cast<unsigned>(sizeof digits_batch));
    EpochResult<float> train, test;
    for (int epoch = 1; epoch <= digits_epochs; ++epoch) {
        // loss: mean over the epoch's samples as they were trained (before each update)
        const EpochResult<float> trained =
            train_epoch(digits_trainer, digits_batch, Permutation(train_count, /*seed=*/2 + epoch), source(train_images));
        if (trained.status != Status::ok) return fail("digits: a step was refused", trained.status);
        train = evaluate_epoch(digits_trainer, digits_batch, train_count, source(train_images));
        test = evaluate_epoch(digits_trainer, digits_batch, test_count, source(test_images));
        if (train.status != Status::ok || test.status != Status::ok) return fail("digits: evaluation", test.status);
        std::printf("digits epoch %d loss %.9g test_loss %.9g train_acc %.6g test_acc %.6g\n", epoch,
                    static_cast<double>(trained.loss), static_cast<double>(test.loss),
                    static_cast<double>(train.correct) / train_count, static_cast<double>(test.correct) / test_count);
    }
    const double test_accuracy = static_cast<double>(test.correct) / test_count;
    std::printf("digits final train_acc %.6g test_acc %.6g\n", static_cast<double>(train.correct) / train_count,
                test_accuracy);
    return test_accuracy >= min_test_accuracy;
}

// The trained network quantizes itself: int8 weights and activations, calibrated on the first 256
// training images (read from flash one at a time), then the test images in int8.
QuantizedNetwork<DigitsNet> digits_int8;
constexpr std::size_t calibration_count = 256;

bool quantize_digits() {
    const auto train_pixels = source(train_images);
    const auto read = [&train_pixels](std::size_t k, float* x) {
        std::int32_t label = 0;
        return train_pixels(k, x, &label);
    };
    if (const QuantizationStatus q = quantize(digits_net, read, calibration_count, digits_int8);
        q != QuantizationStatus::ok) {
        std::printf("FAILED: digits: quantize (%s)\n", to_string(q));
        return false;
    }
    std::printf("digits_int8 data train %u test %u calibration %u weight_bytes %u float_parameter_bytes %u\n",
                static_cast<unsigned>(train_count), static_cast<unsigned>(test_count),
                static_cast<unsigned>(calibration_count), static_cast<unsigned>(QuantizedNetwork<DigitsNet>::weight_bytes),
                static_cast<unsigned>(DigitsNet::parameter_bytes));
    const auto test_pixels = source(test_images);
    std::size_t right = 0;
    for (std::size_t k = 0; k < test_count; ++k) {
        float x[digits::feature_count];
        std::int32_t label = 0;
        std::size_t predicted = 0;
        test_pixels(k, x, &label);
        if (digits_int8.classify(x, &predicted) != Status::ok) return false;
        right += static_cast<std::int32_t>(predicted) == label;
    }
    const double accuracy = static_cast<double>(right) / test_count;
    std::printf("digits_int8 final test_acc %.6g\n", accuracy);
    return accuracy >= min_test_accuracy;
}

}  // namespace

int main() {
    const bool xor_ok = train_xor();
    const bool digits_ok = train_digits();
    const bool int8_ok = digits_ok && quantize_digits();
#if defined(TINYMLP_ON_DEVICE_FIRMWARE)
    std::printf("firmware stack_used_bytes %u\n", static_cast<unsigned>(tinymlp_stack_used()));
#endif
    if (!xor_ok) std::printf("FAILED: XOR accuracy below 1\n");
    if (!digits_ok) std::printf("FAILED: digits test accuracy below %.2f\n", min_test_accuracy);
    if (digits_ok && !int8_ok) std::printf("FAILED: digits int8 test accuracy below %.2f\n", min_test_accuracy);
    return xor_ok && digits_ok && int8_ok ? 0 : 1;
}
