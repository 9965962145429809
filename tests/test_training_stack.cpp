// A training step keeps its buffers in the trainer (training_bytes), not on the stack. The input
// gradient of a 62-output layer (not a whole number of 4-lane vectors) goes through W^T tiles: on
// Cortex-M (where startup paints the stack) its stack is measured and must stay below the tile's
// size, which it exceeded while the tile was a stack array; everywhere the tiles are counted in
// training_bytes.
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

// The input gradient of the 62 -> 62 layer, out of line so that its stack can be measured.
__attribute__((noinline)) void input_gradient(const float* dy, const float* w, float* dx, float* scratch) {
    kernels::dense_backward_input<B, 62, 62>(Net::target{}, dy, w, dx, scratch);
}

TEST(the_input_gradient_keeps_its_tile_off_the_stack) {
    net.init(4);
    Pcg32 rng(5);
    for (float& v : x) v = rng.uniform_float() - 0.5f;
    for (std::size_t n = 0; n < B; ++n) labels[n] = static_cast<std::int32_t>(n % 5);
#if TINYMLP_TEST_MEASURES_STACK
    constexpr std::size_t tile_bytes = kernels::dense_backward_input_scratch<B, 62, 62, float>(Net::target{}) * 4;
    CHECK(tile_bytes > 0);  // the tiled input gradient is exercised
    static float dy[B * 62], dx[B * 62], scratch[tile_bytes / 4 + 1];
    for (float& v : dy) v = rng.uniform_float() - 0.5f;
    tinymlp_stack_repaint();
    std::size_t depth = tinymlp_stack_depth();
    input_gradient(dy, net.layer_parameters<2>(), dx, scratch);
    const std::size_t kernel = tinymlp_stack_used() - depth;
    tinymlp_stack_repaint();
    depth = tinymlp_stack_depth();
    CHECK(train_step() == Status::ok);
    const std::size_t step = tinymlp_stack_used() - depth;
    std::printf("  input gradient used %lu bytes of stack, a step %lu; the W^T tile (%lu bytes) is the trainer's\n",
                static_cast<unsigned long>(kernel), static_cast<unsigned long>(step),
                static_cast<unsigned long>(tile_bytes));
    CHECK(kernel < tile_bytes);  // with the tile on the stack it used more than the tile
#else
    CHECK(train_step() == Status::ok);
    SKIP("stack measured on Cortex-M only");
#endif
}
