// Uses every public header of tinymlp under the strictest warnings a consumer is likely to set:
// every layer, loss and optimizer, the initializers, blobs, checkpoints, header export and
// NetworkView, and the host helpers' headers. Exits 0 only if every call returned ok and the
// results are plausible.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <tinymlp/blob.hpp>
#include <tinymlp/checkpoint.hpp>
#include <tinymlp/export.hpp>
#include <tinymlp/init.hpp>
#include <tinymlp/network.hpp>
#include <tinymlp/network_view.hpp>
#include <tinymlp/tinymlp.hpp>
#include <tinymlp/trainer.hpp>
#include <tinymlp_host/datasets.hpp>

using namespace tinymlp;
namespace host = tinymlp::host;

namespace {

int failures = 0;

void expect(bool condition, const char* what) {
    if (!condition) {
        std::printf("FAILED: %s\n", what);
        ++failures;
    }
}

// XOR, 4 samples, batch 4.
const float xor_x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
const std::int32_t xor_labels[4] = {0, 1, 1, 0};
const float xor_targets[4] = {0, 1, 1, 0};

// Every layer in one network.
using EveryLayer = Sequential<Dense<2, 8>, ReLU, Dense<8, 8, Bias::off>, LeakyReLU<1, 10>, Dense<8, 8>, PReLU<>,
                              Dense<8, 8>, PReLU<Slopes::per_unit>, Dropout<10>, Dense<8, 8>, Sigmoid, Dense<8, 8>,
                              Tanh, Dense<8, 2>, Identity, Softmax>;

template <class Net, class Loss, class Optimizer, class Targets>
float train(const Optimizer& optimizer, const Targets* targets, const Regularization& regularization = {}) {
    static Net net;
    net.init(3);
    static Trainer<Net, Loss, Optimizer, 4> trainer(net, optimizer, regularization);
    float loss = 0;
    for (int step = 0; step < 50; ++step)
        if (trainer.step(xor_x, targets, &loss) != Status::ok) return -1;
    return loss;
}

struct RamFlash {
    static constexpr std::size_t page_bytes = 256;
    static constexpr std::size_t slot_bytes = 8 * page_bytes;
    unsigned char memory[2 * slot_bytes];
    static bool read(void* context, std::size_t address, void* out, std::size_t n) {
        std::memcpy(out, static_cast<RamFlash*>(context)->memory + address, n);
        return true;
    }
    static bool erase_page(void* context, std::size_t address) {
        std::memset(static_cast<RamFlash*>(context)->memory + address, 0xFF, page_bytes);
        return true;
    }
    static bool program(void* context, std::size_t address, const void* data, std::size_t n) {
        std::memcpy(static_cast<RamFlash*>(context)->memory + address, data, n);
        return true;
    }
};

}  // namespace

int main() {
    // Every optimizer and loss, with regularization.
    using Small = Sequential<Dense<2, 8>, Tanh, Dense<8, 2>>;
    using SmallOne = Sequential<Dense<2, 8>, Tanh, Dense<8, 1>>;
    expect(train<Small, SoftmaxCrossEntropy>(Sgd{0.5}, xor_labels) >= 0, "Sgd + SoftmaxCrossEntropy");
    expect(train<Small, SoftmaxCrossEntropy>(Momentum{0.1, 0.9, true}, xor_labels) >= 0, "Momentum (Nesterov)");
    expect(train<SmallOne, MeanSquaredError>(Adam{0.05}, xor_targets, Regularization{1e-4, true, 1e-5, 1.0}) >= 0,
           "Adam + MeanSquaredError + regularization");
    expect(train<SmallOne, BinaryCrossEntropyWithLogits>(Adam{0.05}, xor_targets) >= 0,
           "Adam + BinaryCrossEntropyWithLogits");
    expect(train<EveryLayer, SoftmaxCrossEntropy>(Adam{0.01}, xor_labels) >= 0, "every layer");

    // A double network, initialised layer by layer with every initializer.
    using Wide = Network<double, DefaultTarget, Dense<2, 4>, Dense<4, 4>, Dense<4, 4>, Dense<4, 4>, Dense<4, 4>,
                         Dense<4, 4>, Dense<4, 4>, Dense<4, 4>, Dense<4, 2>>;
    static Wide wide;
    Pcg32 rng(7);
    wide.init_layer<0>(init::Zeros{}, rng);
    wide.init_layer<1>(init::Constant{0.5}, rng);
    wide.init_layer<2>(init::Normal{0, 0.1}, rng);
    wide.init_layer<3>(init::Uniform{-0.1, 0.1}, rng);
    wide.init_layer<4>(init::XavierUniform{}, rng, init::Constant{0.1});
    wide.init_layer<5>(init::XavierNormal{}, rng);
    wide.init_layer<6>(init::HeUniform{}, rng);
    wide.init_layer<7>(init::HeNormal{}, rng);
    wide.init_layer<8>(init::PyTorchDefault{}, rng);
    wide.init_dense_layers(init::HeUniform{}, rng);
    const double wide_x[2] = {0.25, -0.5};
    double wide_y[2];
    expect(wide.predict(wide_x, wide_y) == Status::ok, "double predict");

    // Train XOR, then blob, checkpoint, export and NetworkView round trips.
    using Net = Sequential<Dense<2, 8>, Tanh, Dense<8, 2>, Softmax>;
    static Net net;
    net.init(1);
    static Trainer<Net, SoftmaxCrossEntropy, Adam, 4> trainer(net, Adam{0.05});
    float loss = 0;
    for (int step = 0; step < 300; ++step)
        if (trainer.step(xor_x, xor_labels, &loss) != Status::ok) return 1;
    float y[2];
    int correct = 0;
    for (int n = 0; n < 4; ++n) {
        expect(net.predict(xor_x + 2 * n, y) == Status::ok, "predict");
        correct += (y[1] > y[0]) == (xor_labels[n] == 1);
    }
    expect(correct == 4, "XOR learned");
    float batch_y[8], scratch[Net::inference_scratch_count<4>];
    expect(net.predict_batch<4>(xor_x, batch_y, scratch) == Status::ok, "predict_batch");

    static unsigned char blob[training_blob_bytes<decltype(trainer)>];
    static Net copy;
    expect(save_blob(net, blob, blob_bytes<Net>) == BlobStatus::ok, "save_blob");
    expect(load_blob(copy, blob, blob_bytes<Net>) == BlobStatus::ok, "load_blob");
    expect(std::memcmp(copy.parameters(), net.parameters(), Net::parameter_bytes) == 0, "blob round trip");
    expect(save_training_blob(trainer, blob, sizeof blob) == BlobStatus::ok, "save_training_blob");
    expect(load_training_blob(trainer, blob, sizeof blob) == BlobStatus::ok, "load_training_blob");
    blob[sizeof blob / 2] ^= 1;
    const BlobStatus damaged = load_training_blob(trainer, blob, sizeof blob);
    expect(damaged != BlobStatus::ok, "damaged blob refused");

    static RamFlash flash;
    const FlashStorage storage{&flash, RamFlash::page_bytes, RamFlash::slot_bytes, &RamFlash::read,
                               &RamFlash::erase_page, &RamFlash::program};
    std::uint32_t sequence = 0;
    expect(load_checkpoint(copy, storage) == CheckpointStatus::no_checkpoint, "load_checkpoint (empty flash)");
    expect(save_checkpoint(net, storage, &sequence) == CheckpointStatus::ok, "save_checkpoint");
    expect(load_checkpoint(copy, storage, &sequence) == CheckpointStatus::ok && sequence == 1, "load_checkpoint");
    expect(save_training_checkpoint(trainer, storage, &sequence) == CheckpointStatus::ok, "save_training_checkpoint");
    expect(load_training_checkpoint(trainer, storage, &sequence) == CheckpointStatus::ok && sequence == 2,
           "load_training_checkpoint");

    std::FILE* header = std::tmpfile();
    expect(header && export_header(net, header, "consumer_model"), "export_header");
    if (header) std::fclose(header);

    const NetworkView<Net> view{net.parameters()};
    float view_y[2];
    expect(view.predict(xor_x + 2, view_y) == Status::ok && view_y[1] > view_y[0], "NetworkView predict");
    expect(view.predict_batch<4>(xor_x, batch_y, scratch) == Status::ok, "NetworkView predict_batch");

    std::printf("consumer: XOR loss %.4f, %d/4 correct; %s, %s, %s\n", static_cast<double>(loss), correct,
                to_string(Status::ok), to_string(damaged), to_string(CheckpointStatus::ok));
    const auto csv = host::parse_csv("x0,x1,y\n0,1,1\n1,0,1\n");
    expect(csv.ok() && csv.value.count == 2, "host::parse_csv");
    Net::summary();
    return failures == 0 ? 0 : 1;
}
