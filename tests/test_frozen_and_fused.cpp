// Frozen layers (layers/frozen.hpp) and fused updates (Update::fused), beyond the PyTorch runs of
// test_pytorch_long_runs:
//   - the memory a trainer holds, by what trains and how it updates (constexpr, checked here
//     against sizeof; the footprint report checks the Cortex-M images);
//   - fused updates give the unfused trainer's bits on shapes whose gradient blocks have tails
//     (wide layers, several batch sizes, no bias, L1 and weight decay);
//   - bad input and bad settings: refused with nothing changed, fused or not, including a step
//     whose parameter gradients could overflow;
//   - training blobs of trainers with frozen layers or fused updates (no staging buffer);
//   - frozen layers stored externally (Frozen<L, Storage::external>): read from a const array,
//     trained as if the network held them, the network object holding only the rest.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

using Net = Sequential<Dense<32, 64>, ReLU, Dense<64, 64>, ReLU, Dense<64, 8>>;
using LastLayer = Sequential<Frozen<Dense<32, 64>>, ReLU, Frozen<Dense<64, 64>>, ReLU, Dense<64, 8>>;
using BiasOnlyNet = Sequential<Frozen<Dense<32, 64>>, ReLU, BiasOnly<Dense<64, 64>>, ReLU, BiasOnly<Dense<64, 8>>>;

template <class T>
constexpr std::size_t beyond_memory = sizeof(T) - T::memory_bytes;

// What trains: counts and where each layer's gradients start.
static_assert(LastLayer::trainable_count == 64 * 8 + 8 && LastLayer::first_trainable_layer == 4);
static_assert(LastLayer::trainable_offset(4) == 0 && LastLayer::trainable_begin<2> == 64 * 64 + 64);
static_assert(BiasOnlyNet::trainable_count == 64 + 8 && BiasOnlyNet::first_trainable_layer == 2);
static_assert(BiasOnlyNet::trainable_begin<2> == 64 * 64 && BiasOnlyNet::trainable_offset(4) == 64);
// Freezing changes no parameter: same count, same layout, same topology signature.
static_assert(LastLayer::parameter_count == Net::parameter_count &&
              LastLayer::topology_signature() == Net::topology_signature());

// The memory of a batch-1 trainer of 32-64-64-8: SGD after the backward pass holds a gradient
// of every parameter; fused, only the gradients of the layers' outputs.
using SgdFull = Trainer<Net, MeanSquaredError, Sgd, 1>;
using SgdFused = Trainer<Net, MeanSquaredError, Sgd, 1, Update::fused>;
using AdamFused = Trainer<Net, MeanSquaredError, Adam, 1, Update::fused>;
static_assert(SgdFull::training_bytes >= Net::parameter_bytes);
// activations (64 + 64 + 64 + 64 + 8) + output gradients of the three Dense layers (64 + 64 + 8)
// + one temporary of 64 (ReLU gradients; the update blocks share it) = 464 floats.
static_assert(SgdFused::training_bytes == (264 + 136 + 64) * sizeof(float));
static_assert(SgdFused::memory_bytes <= 2048 && AdamFused::memory_bytes - AdamFused::optimizer_state_bytes <= 2048);

template <class N, std::size_t Count = 24>
struct Data {
    static constexpr std::size_t count = Count;
    float x[count * N::input_size];
    std::int32_t labels[count];
    explicit Data(std::uint64_t seed) {
        Pcg32 rng(seed);
        for (float& v : x) v = rng.uniform_float() * 2 - 1;
        for (std::int32_t& label : labels) label = static_cast<std::int32_t>(rng.next_u32() % N::output_size);
    }
};

template <class N>
bool same_bits(const N& a, const N& b) {
    return std::memcmp(a.parameters(), b.parameters(), N::parameter_bytes) == 0;
}

// `steps` steps of both trainers on the same batches: every step's loss and parameters equal.
template <class N, class Optimizer, std::size_t B, class Regularizer>
void fused_equals_unfused(const Optimizer& optimizer, const Regularizer& regularization, std::size_t steps = 6) {
    static N a, b;
    a.init(7);
    b = a;
    static Trainer<N, SoftmaxCrossEntropy, Optimizer, B> unfused(a);
    static Trainer<N, SoftmaxCrossEntropy, Optimizer, B, Update::fused> fused(b);
    unfused = Trainer<N, SoftmaxCrossEntropy, Optimizer, B>(a, optimizer, Regularization{regularization.weight_decay,
                                                                                         regularization.decay_biases,
                                                                                         regularization.l1});
    fused = Trainer<N, SoftmaxCrossEntropy, Optimizer, B, Update::fused>(b, optimizer, regularization);
    using Samples = Data<N, (B > 12 ? 2 * B : 24)>;
    static Samples data(3);
    std::size_t differing = 0;
    for (std::size_t step = 0; step < steps; ++step) {
        const std::size_t k = step * B % (Samples::count - B + 1);
        float la = 0, lb = 0;
        CHECK(unfused.step(data.x + k * N::input_size, data.labels + k, &la) == Status::ok);
        CHECK(fused.step(data.x + k * N::input_size, data.labels + k, &lb) == Status::ok);
        differing += la != lb || !same_bits(a, b);
    }
    std::printf("  batch %lu: %lu of %lu steps differ\n", static_cast<unsigned long>(B),
                static_cast<unsigned long>(differing), static_cast<unsigned long>(steps));
    CHECK(differing == 0);
}

}  // namespace

TEST(memory_by_what_trains_and_how) {
    using AdamFull = Trainer<Net, SoftmaxCrossEntropy, Adam, 1>;
    using AdamLast = Trainer<LastLayer, SoftmaxCrossEntropy, Adam, 1>;
    using AdamBias = Trainer<BiasOnlyNet, SoftmaxCrossEntropy, Adam, 1>;
    using AdamLastFused = Trainer<LastLayer, SoftmaxCrossEntropy, Adam, 1, Update::fused>;
    std::printf("  32-64-64-8, batch 1, bytes beyond the parameters (memory_bytes / sizeof):\n");
    std::printf("    SGD   all layers %6lu / %6lu   fused %5lu / %5lu\n", (unsigned long)SgdFull::memory_bytes,
                (unsigned long)sizeof(SgdFull), (unsigned long)SgdFused::memory_bytes, (unsigned long)sizeof(SgdFused));
    std::printf("    Adam  all layers %6lu / %6lu   fused %5lu / %5lu (%lu of them Adam state)\n",
                (unsigned long)AdamFull::memory_bytes, (unsigned long)sizeof(AdamFull),
                (unsigned long)AdamFused::memory_bytes, (unsigned long)sizeof(AdamFused),
                (unsigned long)AdamFused::optimizer_state_bytes);
    std::printf("    Adam  last layer %6lu / %6lu   fused %5lu / %5lu;  bias-only %lu / %lu\n",
                (unsigned long)AdamLast::memory_bytes, (unsigned long)sizeof(AdamLast),
                (unsigned long)AdamLastFused::memory_bytes, (unsigned long)sizeof(AdamLastFused),
                (unsigned long)AdamBias::memory_bytes, (unsigned long)sizeof(AdamBias));
    CHECK(sizeof(SgdFused) >= SgdFused::memory_bytes &&
          beyond_memory<SgdFused> <= SgdFused::settings_bytes + SgdFused::aligned_arrays * storage_alignment);
    CHECK(sizeof(AdamLast) >= AdamLast::memory_bytes &&
          beyond_memory<AdamLast> <= AdamLast::settings_bytes + AdamLast::aligned_arrays * storage_alignment);
    CHECK(AdamLast::optimizer_state_bytes < AdamFull::optimizer_state_bytes / 10);
}

TEST(fused_updates_give_the_unfused_bits) {
    FusedRegularization none;
    FusedRegularization decay_and_l1;
    decay_and_l1.weight_decay = 0.01;
    decay_and_l1.decay_biases = true;
    decay_and_l1.l1 = 1e-4;
    // 37 x 45: rows of gradient blocks with tails, columns with partial vectors
    using Odd = Sequential<Dense<37, 45>, Tanh, Dense<45, 45, Bias::off>, ReLU, Dense<45, 6>>;
    fused_equals_unfused<Odd, Adam, 1>(Adam{0.01}, none);
    fused_equals_unfused<Odd, Adam, 5>(Adam{0.01}, decay_and_l1);
    fused_equals_unfused<Odd, Momentum, 8>(Momentum{0.05, 0.9, true}, decay_and_l1);
    fused_equals_unfused<Odd, Sgd, 17>(Sgd{0.1}, none);
    // batch 1: plain SGD updates the weights straight from x and dy (no gradient block), unless
    // the step has decay or L1
    fused_equals_unfused<Odd, Sgd, 1>(Sgd{0.1}, none);
    fused_equals_unfused<Odd, Sgd, 1>(Sgd{0.1}, decay_and_l1);
    fused_equals_unfused<Net, Sgd, 1>(Sgd{0.05}, none);
    fused_equals_unfused<Net, Adam, 1>(Adam{0.01}, none);
    fused_equals_unfused<Net, AdamW, 1>(AdamW{0.01}, none);
    fused_equals_unfused<Net, Adam, 1>(Adam{0.01}, decay_and_l1);
    using WithDropout = Sequential<Dense<20, 33>, ReLU, Dropout<25>, Dense<33, 5>>;
    fused_equals_unfused<WithDropout, AdamW, 4>(AdamW{}, decay_and_l1);
    using BiasOnlyOdd = Sequential<Frozen<Dense<37, 45>>, Sigmoid, BiasOnly<Dense<45, 45>>, PReLU<>, Dense<45, 6>>;
    fused_equals_unfused<BiasOnlyOdd, Adam, 3>(Adam{0.01}, decay_and_l1);
#if !defined(TINYMLP_TEST_SMALL_MEMORY)
    using Wide = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;
    fused_equals_unfused<Wide, Adam, 32>(Adam{0.001}, none, 3);
#endif
}

TEST(fused_refusals_change_nothing) {
    static Net net, before;
    net.init(5);
    before = net;
    static Trainer<Net, MeanSquaredError, Adam, 2, Update::fused> trainer(net, Adam{0.01});
    static Trainer<Net, MeanSquaredError, Adam, 2, Update::fused> untouched(before, Adam{0.01});
    float x[2 * 32] = {}, y[2 * 8] = {};
    x[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK(trainer.step(x, y) == Status::non_finite_input);
    x[3] = 0;
    y[1] = std::numeric_limits<float>::infinity();
    CHECK(trainer.step(x, y) == Status::non_finite_target);
    y[1] = 0;
    trainer.optimizer().beta1 = 1.5;
    CHECK(trainer.step(x, y) == Status::invalid_hyperparameter);
    trainer.optimizer().beta1 = 0.9;
    trainer.regularization().l1 = -1;
    CHECK(trainer.step(x, y) == Status::invalid_hyperparameter);
    trainer.regularization().l1 = 0;
    CHECK(same_bits(net, before) && trainer.state().steps == 0);
    CHECK(std::memcmp(trainer.state().moments, untouched.state().moments, sizeof trainer.state().moments) == 0);
}

// Inputs grow until the step cannot go on: the fused trainer refuses (non-finite loss or a
// gradient that may overflow) with nothing changed, and refuses whenever the unfused one does.
TEST(fused_refuses_a_step_whose_gradients_may_overflow) {
    using Small = Sequential<Dense<4, 3>, Dense<3, 2>>;
    bool refused_gradient = false;
    for (int e = 0; e <= 38; ++e) {
        static Small a, b, start;
        start.init(9);
        a = start;
        b = start;
        Trainer<Small, MeanSquaredError, Sgd, 2> unfused(a, Sgd{1e-3});
        Trainer<Small, MeanSquaredError, Sgd, 2, Update::fused> fused(b, Sgd{1e-3});
        // volatile: inputs the compiler could compute would let it fold parts of the arithmetic
        // with other roundings, differently in the two trainers' code
        volatile float opaque = std::pow(10.0f, static_cast<float>(e));
        const float scale = opaque;
        float x[8], y[4] = {0, 0, 0, 0};
        for (int i = 0; i < 8; ++i) x[i] = scale * static_cast<float>(i % 3 + 1);
        const Status su = unfused.step(x, y), sf = fused.step(x, y);
        if (sf != Status::ok) CHECK(same_bits(b, start));
        if (su != Status::ok) CHECK(sf != Status::ok);
        // equal where both go on (within float rounding: the reference loops of a build without
        // SIMD leave the compiler free to fuse multiply-adds differently in the two trainers)
        if (su == Status::ok && sf == Status::ok)
            for (std::size_t i = 0; i < Small::parameter_count; ++i)
                CHECK(std::fabs(a.parameters()[i] - b.parameters()[i]) <= 4.8e-7f * std::fabs(a.parameters()[i]));
        if (sf == Status::non_finite_gradient) refused_gradient = true;
        if (su != sf) std::printf("  inputs 1e%d: unfused %s, fused %s\n", e, to_string(su), to_string(sf));
    }
    CHECK(refused_gradient);
}

// load_training_blob without a gradient buffer to stage in: all still checked before anything
// is written, and a good blob resumes to the bits of an uninterrupted run.
TEST(training_blobs_of_frozen_and_fused_trainers) {
    using T = Trainer<LastLayer, SoftmaxCrossEntropy, Adam, 4, Update::fused>;
    static_assert(!T::stages_parameters && T::optimizer_state::scalar_count == 2 * LastLayer::trainable_count);
    static LastLayer net, twin;
    net.init(11);
    twin = net;
    static T trainer(net, Adam{0.01}), straight(twin, Adam{0.01});
    static Data<LastLayer> data(4);
    for (int s = 0; s < 3; ++s) {
        CHECK(trainer.step(data.x + 4 * s * 32, data.labels + 4 * s) == Status::ok);
        CHECK(straight.step(data.x + 4 * s * 32, data.labels + 4 * s) == Status::ok);
    }
    static unsigned char blob[training_blob_bytes<T>];
    CHECK(save_training_blob(trainer, blob, sizeof blob) == BlobStatus::ok);
    static LastLayer resumed_net;
    resumed_net.init(99);
    static const LastLayer other = resumed_net;
    static T resumed(resumed_net, Adam{0.01});
    blob[sizeof blob / 2] ^= 1;  // damaged: refused, nothing written
    CHECK(load_training_blob(resumed, blob, sizeof blob) != BlobStatus::ok);
    CHECK(same_bits(resumed_net, other) && resumed.state().steps == 0);
    blob[sizeof blob / 2] ^= 1;
    CHECK(load_training_blob(resumed, blob, sizeof blob) == BlobStatus::ok);
    for (int s = 3; s < 5; ++s) {
        CHECK(resumed.step(data.x + 4 * s * 32, data.labels + 4 * s) == Status::ok);
        CHECK(straight.step(data.x + 4 * s * 32, data.labels + 4 * s) == Status::ok);
    }
    CHECK(same_bits(resumed_net, twin));
    // the frozen layers never moved
    CHECK(std::memcmp(resumed_net.parameters(), other.parameters(), 0) == 0);
    static LastLayer initial;
    initial.init(11);
    CHECK(std::memcmp(resumed_net.parameters(), initial.parameters(), LastLayer::parameter_offset(4) * sizeof(float)) == 0);
}

TEST(fused_evaluate_and_partial_batch_of_one) {
    static Net a, b;
    a.init(2);
    b = a;
    static Trainer<Net, SoftmaxCrossEntropy, Momentum, 1, Update::fused> fused(a, Momentum{0.05, 0.9});
    static Trainer<Net, SoftmaxCrossEntropy, Momentum, 1> unfused(b, Momentum{0.05, 0.9});
    static Data<Net> data(8);
    for (std::size_t i = 0; i < Data<Net>::count; ++i) {
        float la = 0, lb = 0;
        CHECK(fused.step_partial(data.x + i * 32, data.labels + i, 1, &la) == Status::ok);
        CHECK(unfused.step(data.x + i * 32, data.labels + i, &lb) == Status::ok);
        CHECK(la == lb);
    }
    CHECK(fused.step_partial(data.x, data.labels, 0) == Status::invalid_sample_count);
    CHECK(fused.step_partial(data.x, data.labels, 2) == Status::invalid_sample_count);
    CHECK(same_bits(a, b));
    float la = 0, lb = 0;
    std::size_t ca = 0, cb = 0;
    CHECK(fused.evaluate(data.x, data.labels, &la, &ca) == Status::ok);
    CHECK(unfused.evaluate(data.x, data.labels, &lb, &cb) == Status::ok);
    CHECK(la == lb && ca == cb);
}

// The frozen layers read from a const array (as an exported header's in flash): the same training,
// bit for bit, as the network that holds them; the array never written; the object holds the head.
TEST(frozen_layers_stored_externally) {
    using External = Sequential<Frozen<Dense<32, 64>, Storage::external>, ReLU, Frozen<Dense<64, 64>, Storage::external>,
                                ReLU, Dense<64, 8>>;
    static_assert(External::stored_from == 3 && External::stored_count == 64 * 8 + 8);
    static_assert(sizeof(External) <= External::stored_bytes + 2 * storage_alignment);  // + the array's address
    static_assert(External::topology_signature() == Net::topology_signature());
    static Net base;
    base.init(21);
    static float flash[Net::parameter_count];  // stands for a const array in flash
    std::memcpy(flash, base.parameters(), Net::parameter_bytes);
    static External external(flash);
    static LastLayer held;
    std::memcpy(held.parameters(), base.parameters(), Net::parameter_bytes);
    static Trainer<External, SoftmaxCrossEntropy, Adam, 4, Update::fused> fused(external, Adam{0.01});
    static Trainer<LastLayer, SoftmaxCrossEntropy, Adam, 4> unfused(held, Adam{0.01});
    static Data<Net> data(6);
    std::size_t differing = 0;
    for (std::size_t s = 0; s < 12; ++s) {
        const std::size_t k = 4 * (s % 6);
        float la = 0, lb = 0;
        CHECK(fused.step(data.x + k * 32, data.labels + k, &la) == Status::ok);
        CHECK(unfused.step(data.x + k * 32, data.labels + k, &lb) == Status::ok);
        differing += la != lb;
    }
    CHECK(differing == 0);
    CHECK(std::memcmp(external.parameters(), held.layer_parameters<4>(), External::stored_bytes) == 0);
    CHECK(std::memcmp(flash, base.parameters(), Net::parameter_bytes) == 0);
    CHECK(external.layer_parameters<0>() == flash && external.layer_parameters<4>() == external.parameters());
    float y_external[8], y_held[8];
    CHECK(external.predict(data.x, y_external) == Status::ok && held.predict(data.x, y_held) == Status::ok);
    CHECK(std::memcmp(y_external, y_held, sizeof y_external) == 0);
    // init draws only the layers the object holds
    external.init(3);
    CHECK(std::memcmp(flash, base.parameters(), Net::parameter_bytes) == 0);
    std::printf("  784-256-10 head alone: network object %lu bytes (whole network %lu), last-layer Adam trainer "
                "%lu bytes\n",
                (unsigned long)sizeof(Sequential<Frozen<Dense<784, 256>, Storage::external>, ReLU, Dense<256, 10>>),
                (unsigned long)sizeof(Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>),
                (unsigned long)Trainer<Sequential<Frozen<Dense<784, 256>, Storage::external>, ReLU, Dense<256, 10>>,
                                       SoftmaxCrossEntropy, Adam, 1, Update::fused>::memory_bytes);
}
