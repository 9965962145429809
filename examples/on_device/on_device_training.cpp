// On-device training: the same program trains two networks on a PC and as Cortex-M firmware
// (QEMU mps2-an386 under ctest), with no heap, no exceptions, only tinymlp and the C library.
//   (a) XOR: a 2-4-2 tanh MLP, Adam, the four points as one batch;
//   (b) scikit-learn's digits (1797 8x8 images, 10 classes) compiled into flash as uint8 pixel
//       counts (digits_data.hpp, written at build time by make_dataset_header.py): a 64-32-10
//       ReLU MLP, SGD with momentum, batches of 16; every fifth image of each digit (355) is
//       held out for the test, the other 1442 train.
// Networks and trainers are static (RAM); the data stays const (flash); batches are converted
// to float in a static buffer. Shuffling uses tinymlp's Pcg32, so every platform sees the same
// order and the same initial weights: the host and the firmware print the same figures up to
// float rounding, which compare.cmake checks against reference.txt.
//
// Output, one record per line (`name key value key value ...`):
//   xor data train 4
//   xor epoch 20 loss 0.483143032
//   xor final loss 0.00198340416 acc 1
//   digits data train 1442 test 355 flash_bytes 116805
//   digits epoch 1 loss 1.11383003 test_loss 0.490543835 train_acc 0.843273 test_acc 0.847887
//   digits final train_acc 0.989598 test_acc 0.969014
// Losses with 9 digits (every float bit), so that compare.cmake sees the real differences.
// Exit 1 unless XOR reaches accuracy 1 and digits a test accuracy of at least 0.95.
//
//   build/x86-avx2/examples/on_device/on_device_training
//   ctest --test-dir build/cortex-m4 -R on_device --output-on-failure   # the firmware in QEMU
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

#include "digits_data.hpp"  // generated in the build directory

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
// The split, fixed by index: the 5th, 10th, ... image of each digit goes to the test set.
constexpr std::size_t count_test_images() {
    std::size_t seen[digits::class_count] = {}, test = 0;
    for (std::size_t i = 0; i < digits::sample_count; ++i) test += seen[digits::labels[i]]++ % 5 == 4;
    return test;
}
constexpr std::size_t test_count = count_test_images();
constexpr std::size_t train_count = digits::sample_count - test_count;
constexpr std::size_t batch = 16;
constexpr std::size_t batches_per_epoch = train_count / batch;  // the other 2 wait for a reshuffle
constexpr int digits_epochs = 10;
constexpr double min_test_accuracy = 0.95;

using DigitsNet = Sequential<Dense<digits::feature_count, 32>, ReLU, Dense<32, digits::class_count>, Softmax>;
using DigitsTrainer = Trainer<DigitsNet, SoftmaxCrossEntropy, Momentum, batch>;

DigitsNet digits_net;
DigitsTrainer digits_trainer(digits_net, Momentum{0.05, 0.9});
std::uint16_t train_images[train_count];             // indices into digits::pixels
std::uint16_t test_images[test_count];
std::uint16_t order[train_count];                    // train_images, reshuffled every epoch
float batch_x[batch][digits::feature_count];         // one batch as float, scaled to [0, 1]
std::int32_t batch_labels[batch];

void load_sample(std::size_t index, float* x) {
    for (std::size_t f = 0; f < digits::feature_count; ++f)
        x[f] = static_cast<float>(digits::pixels[index][f]) * (1.0f / digits::pixel_max);
}

// Fisher-Yates with Pcg32: the same permutation on every platform.
void shuffle(Pcg32& rng) {
    for (std::size_t i = train_count - 1; i > 0; --i) {
        const std::size_t j = rng.next_u32() % (i + 1);  // the modulo bias (< 1e-6) does not matter here
        const std::uint16_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

struct Metrics {
    double loss = 0;
    double accuracy = 0;
};

// Mean cross-entropy and accuracy of `count` images, one predict() each.
bool evaluate(const std::uint16_t* images, std::size_t count, Metrics* metrics) {
    double loss = 0;
    std::size_t correct = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t i = images[k];
        float x[digits::feature_count], p[digits::class_count];
        load_sample(i, x);
        if (const Status s = digits_net.predict(x, p); s != Status::ok) return fail("digits: evaluation", s);
        std::size_t best = 0;
        for (std::size_t c = 1; c < digits::class_count; ++c)
            if (p[c] > p[best]) best = c;
        correct += best == digits::labels[i];
        const double p_label = p[digits::labels[i]];
        loss -= std::log(p_label > 1e-30 ? p_label : 1e-30);
    }
    metrics->loss = loss / static_cast<double>(count);
    metrics->accuracy = static_cast<double>(correct) / static_cast<double>(count);
    return true;
}

bool train_digits() {
    digits_net.init(/*seed=*/1);
    Pcg32 rng(/*seed=*/2);
    std::size_t seen[digits::class_count] = {}, trains = 0, tests = 0;  // the split, as count_test_images()
    for (std::size_t i = 0; i < digits::sample_count; ++i) {
        if (seen[digits::labels[i]]++ % 5 == 4)
            test_images[tests++] = static_cast<std::uint16_t>(i);
        else
            train_images[trains++] = static_cast<std::uint16_t>(i);
    }
    for (std::size_t i = 0; i < train_count; ++i) order[i] = train_images[i];
    std::printf("digits network 64-32-10 relu parameters %u trainer_bytes %u momentum_lr 0.05 batch %u epochs %d\n",
                static_cast<unsigned>(DigitsNet::parameter_count), static_cast<unsigned>(DigitsTrainer::memory_bytes),
                static_cast<unsigned>(batch), digits_epochs);
    std::printf("digits data train %u test %u flash_bytes %u\n", static_cast<unsigned>(train_count),
                static_cast<unsigned>(test_count), static_cast<unsigned>(sizeof digits::pixels + sizeof digits::labels));
    Metrics train, test;
    for (int epoch = 1; epoch <= digits_epochs; ++epoch) {
        shuffle(rng);
        double loss_sum = 0;
        for (std::size_t b = 0; b < batches_per_epoch; ++b) {
            for (std::size_t n = 0; n < batch; ++n) {
                const std::size_t index = order[b * batch + n];
                load_sample(index, batch_x[n]);
                batch_labels[n] = digits::labels[index];
            }
            float loss = 0;
            if (const Status s = digits_trainer.step(&batch_x[0][0], batch_labels, &loss); s != Status::ok)
                return fail("digits: a step was refused", s);
            loss_sum += loss;
        }
        // loss: mean over the epoch's batches as they were trained (before each update)
        if (!evaluate(train_images, train_count, &train) || !evaluate(test_images, test_count, &test)) return false;
        std::printf("digits epoch %d loss %.9g test_loss %.9g train_acc %.6g test_acc %.6g\n", epoch,
                    loss_sum / batches_per_epoch, test.loss, train.accuracy, test.accuracy);
    }
    std::printf("digits final train_acc %.6g test_acc %.6g\n", train.accuracy, test.accuracy);
    return test.accuracy >= min_test_accuracy;
}

}  // namespace

int main() {
    const bool xor_ok = train_xor();
    const bool digits_ok = train_digits();
#if defined(TINYMLP_ON_DEVICE_FIRMWARE)
    std::printf("firmware stack_used_bytes %u\n", static_cast<unsigned>(tinymlp_stack_used()));
#endif
    if (!xor_ok) std::printf("FAILED: XOR accuracy below 1\n");
    if (!digits_ok) std::printf("FAILED: digits test accuracy below %.2f\n", min_test_accuracy);
    return xor_ok && digits_ok ? 0 : 1;
}
