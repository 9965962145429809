// The textbook's MLP on Fashion-MNIST: 784-256-10 with ReLU, weights N(0, 0.01), biases zero,
// SGD lr 0.1, batch 256, 10 epochs. Variants: a deeper net (--hidden 256,128), dropout after each
// hidden ReLU of 784-256-256-10 (--dropout 0.2,0.5), weight decay, momentum or Adam.
//
//   build/x86-avx2/examples/fashion_mnist                 # the chapter's recipe, fashion_mnist.csv
//   build/x86-avx2/examples/fashion_mnist --dropout 0.2,0.5
//   build/x86-avx2/examples/fashion_mnist --short         # 2000 samples, 1 epoch, 2000 tested (ctest)
//
// Data: tinymlp::host::load_fashion_mnist from --data DIR, else $TINYMLP_FASHION_MNIST_DIR, else
// /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist). Exit 77 if absent.
// Sizes and batch are compile-time, so every supported combination is instantiated below.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tinymlp/tinymlp.hpp>
#include <tinymlp_host/datasets.hpp>

#include "common/args.hpp"
#include "common/classify.hpp"
#include "common/csv.hpp"
#include "common/progress.hpp"

using namespace tinymlp;
namespace host = tinymlp::host;

namespace {

using Mlp256 = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;
using Mlp256x128 = Sequential<Dense<784, 256>, ReLU, Dense<256, 128>, ReLU, Dense<128, 10>>;
using Mlp256x256 = Sequential<Dense<784, 256>, ReLU, Dense<256, 256>, ReLU, Dense<256, 10>>;
template <unsigned First, unsigned Second>
using DropoutMlp =
    Sequential<Dense<784, 256>, ReLU, Dropout<First>, Dense<256, 256>, ReLU, Dropout<Second>, Dense<256, 10>>;

struct Settings {
    std::string optimizer;
    double learning_rate = 0.1;
    double weight_decay = 0;
    long epochs = 10;
    std::uint64_t seed = 1;
    std::string csv_path, save_path;
    bool short_mode = false;
};

struct Data {
    host::Dataset train, test;
};

bool write_file(const std::string& path, const std::vector<unsigned char>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

template <class Net, class Optimizer, std::size_t B>
int run(const Settings& settings, const Optimizer& optimizer, const Data& data) {
    using TrainerT = Trainer<Net, SoftmaxCrossEntropy, Optimizer, B>;
    // Parameters, gradients, activations and optimizer state: megabytes, so static, not on the stack.
    static Net net;
    static TrainerT trainer(net, optimizer, Regularization{settings.weight_decay}, settings.seed ^ 0xd5);

    Pcg32 rng(settings.seed);
    net.init(rng);  // defaults first (PReLU slopes etc.), then the chapter's N(0, 0.01) for Dense weights
    net.init_dense_layers(init::Normal{0, 0.01}, rng, init::Zeros{});

    char layers[Net::spelling_capacity];
    Net::spell_layers(layers, sizeof layers);
    std::printf("network: %s\n", layers);
    std::printf("parameters: %zu (%zu bytes); trainer memory %zu bytes; %s lr %g, weight decay %g, batch %zu\n",
                Net::parameter_count, Net::parameter_bytes, TrainerT::memory_bytes, Optimizer::name,
                settings.learning_rate, settings.weight_decay, B);
    std::printf("train samples %zu (%zu full batches and one of %zu per epoch), test samples %zu\n", data.train.count,
                data.train.count / B, data.train.count % B, data.test.count);

    examples::CsvWriter csv;
    if (!csv.open(settings.csv_path, {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds"}))
        return 1;

    std::vector<std::size_t> order = host::sequential_indices(data.train.count);
    examples::Stopwatch total;
    examples::Metrics test{};
    for (long epoch = 1; epoch <= settings.epochs; ++epoch) {
        host::shuffle_indices(order, rng);
        examples::Metrics train;
        char label[32];
        std::snprintf(label, sizeof label, "epoch %ld/%ld", epoch, settings.epochs);
        examples::Progress bar(label, (data.train.count + B - 1) / B, B);
        if (!examples::train_epoch(trainer, data.train, order, train, &bar)) return 1;
        test = examples::evaluate(trainer, data.test);
        std::printf("epoch %ld, train loss %.4f, train acc %.4f, test acc %.4f  (%.1f s)\n", epoch, train.loss,
                    train.accuracy, test.accuracy, bar.seconds());
        std::fflush(stdout);
        csv.row(epoch, train.loss, train.accuracy, test.loss, test.accuracy, total.seconds());
    }
    std::printf("final test loss %.4f, test acc %.4f after %ld epochs in %.1f s; log: %s\n", test.loss,
                test.accuracy, settings.epochs, total.seconds(), settings.csv_path.c_str());

    // The integer path: post-training quantization (quantized_network.hpp) calibrated on the first
    // 1000 training images, then the test set in int8.
    static QuantizedNetwork<Net> quantized;
    const std::size_t calibration = data.train.count < 1000 ? data.train.count : 1000;
    if (const QuantizationStatus q = quantize(net, data.train.row(0), calibration, quantized);
        q != QuantizationStatus::ok) {
        std::fprintf(stderr, "quantize: %s\n", to_string(q));
        return 1;
    }
    static QuantizedNetwork<Net, std::int16_t> quantized16;
    if (const QuantizationStatus q = quantize(net, data.train.row(0), calibration, quantized16);
        q != QuantizationStatus::ok) {
        std::fprintf(stderr, "quantize (int16): %s\n", to_string(q));
        return 1;
    }
    const auto accuracy_of = [&data](const auto& q) {
        std::size_t right = 0;
        for (std::size_t i = 0; i < data.test.count; ++i) {
            std::size_t label = 0;
            if (q.classify(data.test.row(i), &label) != Status::ok) return -1.0;
            right += static_cast<std::int32_t>(label) == data.test.labels[i];
        }
        return static_cast<double>(right) / static_cast<double>(data.test.count);
    };
    const double int8_accuracy = accuracy_of(quantized), int16_accuracy = accuracy_of(quantized16);
    std::printf("integer (calibrated on %zu training images): test acc int8 %.4f (%+.2f points), int16 %.4f (%+.2f "
                "points), float %.4f; %zu bytes of int8 weights against %zu of float parameters\n",
                calibration, int8_accuracy, 100 * (int8_accuracy - test.accuracy), int16_accuracy,
                100 * (int16_accuracy - test.accuracy), test.accuracy, QuantizedNetwork<Net>::weight_bytes,
                Net::parameter_bytes);
    if (int8_accuracy < 0 || int16_accuracy < 0) return 1;

    if (!settings.save_path.empty()) {
        std::vector<unsigned char> blob(blob_bytes<Net>);
        if (const BlobStatus s = save_blob(net, blob.data(), blob.size()); s != BlobStatus::ok) {
            std::fprintf(stderr, "save_blob: %s\n", to_string(s));
            return 1;
        }
        if (!write_file(settings.save_path, blob)) {
            std::perror(("cannot write " + settings.save_path).c_str());
            return 1;
        }
        std::printf("saved %zu parameters to %s (%zu bytes, tinymlp blob)\n", Net::parameter_count,
                    settings.save_path.c_str(), blob.size());
    }
    return 0;
}

using Runner = int (*)(const Settings&, const Data&);

template <class Net, std::size_t B>
Runner with_optimizer(const std::string& optimizer) {
    if (optimizer == "sgd") return [](const Settings& s, const Data& d) { return run<Net, Sgd, B>(s, Sgd{s.learning_rate}, d); };
    if (optimizer == "momentum")
        return [](const Settings& s, const Data& d) { return run<Net, Momentum, B>(s, Momentum{s.learning_rate, 0.9}, d); };
    if (optimizer == "adam")
        return [](const Settings& s, const Data& d) { return run<Net, Adam, B>(s, Adam{s.learning_rate}, d); };
    return nullptr;
}

// The batch size is a template parameter: 256, 64 and 32 are instantiated.
template <class Net>
Runner with_batch(long batch, const std::string& optimizer) {
    switch (batch) {
        case 256: return with_optimizer<Net, 256>(optimizer);
        case 64: return with_optimizer<Net, 64>(optimizer);
        case 32: return with_optimizer<Net, 32>(optimizer);
    }
    return nullptr;
}

bool same(const std::vector<double>& a, std::initializer_list<double> b) {
    if (a.size() != b.size()) return false;
    std::size_t i = 0;
    for (double v : b)
        if (std::abs(a[i++] - v) > 1e-9) return false;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("fashion_mnist", "The textbook's MLP (784-256-10, ReLU) on Fashion-MNIST.");
    args.flag("--short", "quick run for ctest: 2000 training samples, 1 epoch, 2000 test samples");
    args.option("--data", "DIR", "", "Fashion-MNIST directory (default: $TINYMLP_FASHION_MNIST_DIR or "
                                     "/usr/share/datasets/fashion-mnist)");
    args.option("--csv", "FILE", "fashion_mnist.csv", "per-epoch log");
    args.option("--hidden", "LIST", "256", "hidden widths: 256, 256,128 or 256,256");
    args.option("--dropout", "P1,P2", "", "784-256-256-10 with dropout after each hidden ReLU: 0.2,0.5 or 0.5,0.2");
    args.option("--optimizer", "NAME", "sgd", "sgd, momentum (0.9) or adam");
    args.option("--lr", "RATE", "", "learning rate (default: 0.1 sgd, 0.01 momentum, 0.001 adam)");
    args.option("--wd", "LAMBDA", "0", "L2 weight decay on the weights (g += lambda w)");
    args.option("--epochs", "N", "10", "epochs");
    args.option("--batch", "N", "256", "batch size: 256, 64 or 32 (compiled in)");
    args.option("--train-limit", "N", "0", "use only N training samples (0: all 60000)");
    args.option("--test-limit", "N", "0", "evaluate on the first N test samples only (0: all 10000)");
    args.option("--seed", "N", "1", "seed of initialisation, shuffling and dropout");
    args.option("--save", "FILE", "", "write the trained parameters as a tinymlp blob (save_blob)");
    args.parse(argc, argv);

    Settings s;
    s.short_mode = args.has("--short");
    s.optimizer = args.text("--optimizer");
    s.learning_rate = args.has("--lr") ? args.number("--lr")
                      : s.optimizer == "adam"     ? 0.001
                      : s.optimizer == "momentum" ? 0.01
                                                  : 0.1;
    s.weight_decay = args.number("--wd");
    s.epochs = s.short_mode && !args.has("--epochs") ? 1 : args.integer("--epochs");
    s.seed = static_cast<std::uint64_t>(args.integer("--seed"));
    s.csv_path = args.text("--csv");
    s.save_path = args.text("--save");
    long limit = args.integer("--train-limit");
    if (s.short_mode && !args.has("--train-limit")) limit = 2000;
    long test_limit = args.integer("--test-limit");
    if (s.short_mode && !args.has("--test-limit")) test_limit = 2000;
    if (s.epochs < 1 || limit < 0 || test_limit < 0 || s.learning_rate <= 0 || s.weight_decay < 0)
        args.fail("--epochs must be >= 1, --train-limit >= 0, --test-limit >= 0, --lr > 0, --wd >= 0");
    const std::vector<double> hidden = args.numbers("--hidden");
    const std::vector<double> dropout = args.numbers("--dropout");

    // Choose the compiled-in network, batch size and optimizer before loading anything.
    const long batch = args.integer("--batch");
    if (batch != 256 && batch != 64 && batch != 32)
        args.fail("--batch " + std::to_string(batch) + " is not compiled in: the batch size is a template parameter, "
                  "and this example instantiates 256, 64 and 32");
    if (s.optimizer != "sgd" && s.optimizer != "momentum" && s.optimizer != "adam")
        args.fail("--optimizer must be sgd, momentum or adam");
    Runner runner = nullptr;
    if (!dropout.empty()) {
        if (args.has("--hidden") && !same(hidden, {256, 256}))
            args.fail("--dropout uses 784-256-256-10; --hidden can only be 256,256 with it");
        if (same(dropout, {0.2, 0.5})) runner = with_batch<DropoutMlp<20, 50>>(batch, s.optimizer);
        else if (same(dropout, {0.5, 0.2})) runner = with_batch<DropoutMlp<50, 20>>(batch, s.optimizer);
        else if (same(dropout, {0, 0})) runner = with_batch<Mlp256x256>(batch, s.optimizer);
        else
            args.fail("--dropout supports 0.2,0.5 (the chapter's), 0.5,0.2 and 0,0: Dropout<Percent> is a type; "
                      "add an instantiation in fashion_mnist.cpp for other values");
    } else if (same(hidden, {256})) {
        runner = with_batch<Mlp256>(batch, s.optimizer);
    } else if (same(hidden, {256, 128})) {
        runner = with_batch<Mlp256x128>(batch, s.optimizer);
    } else if (same(hidden, {256, 256})) {
        runner = with_batch<Mlp256x256>(batch, s.optimizer);
    } else {
        args.fail("--hidden supports 256, 256,128 and 256,256 (layer sizes are types; add an instantiation in "
                  "fashion_mnist.cpp for others)");
    }

    const std::string dir = args.has("--data") ? args.text("--data") : host::fashion_mnist_default_dir();
    examples::Stopwatch load_time;
    Data data;
    auto train = host::load_fashion_mnist(dir, host::Split::train);
    auto test = train ? host::load_fashion_mnist(dir, host::Split::test) : train;
    if (!train || !test) {
        const host::Error& e = train ? test.error : train.error;
        if (e.code == host::ErrorCode::not_found) {
            std::printf("Fashion-MNIST not found in %s (install dataset-fashion-mnist or pass --data DIR): "
                        "skipped\n", dir.c_str());
            return 77;
        }
        std::fprintf(stderr, "fashion_mnist: %s\n", e.message.c_str());
        return 1;
    }
    data.train = std::move(train.value);
    data.test = std::move(test.value);
    if (limit > 0 && static_cast<std::size_t>(limit) < data.train.count) {
        Pcg32 pick(s.seed + 1000);
        std::vector<std::size_t> chosen = host::shuffled_indices(data.train.count, pick);
        chosen.resize(static_cast<std::size_t>(limit));
        data.train = std::move(host::subset(data.train, chosen).value);
    }
    if (test_limit > 0 && static_cast<std::size_t>(test_limit) < data.test.count)
        data.test = std::move(host::subset(data.test, host::sequential_indices(static_cast<std::size_t>(test_limit))).value);
    std::printf("loaded Fashion-MNIST from %s in %.1f s\n", dir.c_str(), load_time.seconds());
    return runner(s, data);
}
