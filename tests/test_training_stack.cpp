// A training step keeps its buffers in the trainer (training_bytes), not on the stack. On Cortex-M
// (where startup paints the stack) this measures a step of a net whose input gradient goes through
// W^T tiles (62 outputs: not a whole number of 4-lane vectors), and checks that its stack is call
// frames only; elsewhere it checks that the tiles are counted in training_bytes.
#include <cstdint>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#include "stack_usage.h"
#define TINYMLP_TEST_MEASURES_STACK 1
#else
#define TINYMLP_TEST_MEASURES_STACK 0
#endif

using namespace tinymlp;

namespace {
constexpr std::size_t B = 8;
using Net = Sequential<Dense<16, 62>, ReLU, Dense<62, 62>, ReLU, Dense<62, 5>>;
using T = Trainer<Net, SoftmaxCrossEntropy, Sgd, B>;
Net net;
T trainer(net, Sgd{0.01});
float x[B * 16];
std::int32_t labels[B];

__attribute__((noinline)) Status train_step() { return trainer.step(x, labels); }
}  // namespace

TEST(training_memory_counts_the_backward_scratch) {
    constexpr std::size_t scratch = Net::backward_scratch_count<B>;
    std::printf("  target %s: backward scratch %lu scalars, training_bytes %lu, trainer %lu bytes\n",
                Net::target::name, static_cast<unsigned long>(scratch),
                static_cast<unsigned long>(Net::training_bytes<B>), static_cast<unsigned long>(sizeof(T)));
    CHECK(T::memory_bytes <= sizeof(T));
    CHECK(Net::training_bytes<B> ==
          Net::gradient_bytes +
              (B * (Net::activations_per_sample + Net::saved_per_sample + 2 * Net::widest_layer) + scratch) *
                  sizeof(float));
}

TEST(a_training_step_keeps_only_frames_on_the_stack) {
    net.init(4);
    Pcg32 rng(5);
    for (float& v : x) v = rng.uniform_float() - 0.5f;
    for (std::size_t n = 0; n < B; ++n) labels[n] = static_cast<std::int32_t>(n % 5);
#if TINYMLP_TEST_MEASURES_STACK
    CHECK(Net::backward_scratch_count<B> > 0);  // the tiled input gradient is exercised
    tinymlp_stack_repaint();
    const std::size_t depth = tinymlp_stack_depth();
    CHECK(train_step() == Status::ok);
    const std::size_t used = tinymlp_stack_used() - depth;
    std::printf("  step used %lu bytes of stack; its W^T tile is %lu bytes of the trainer\n",
                static_cast<unsigned long>(used),
                static_cast<unsigned long>(Net::backward_scratch_count<B> * sizeof(float)));
    CHECK(used < 1024);
#else
    CHECK(train_step() == Status::ok);
    SKIP("stack measured on Cortex-M only");
#endif
}
