// Underfitting and overfitting with polynomial regression, as in the textbook:
//   y = 5 + 1.2 x - 3.4 x^2/2! + 5.6 x^3/3! + noise,  noise ~ N(0, 0.1^2),  x ~ N(0, 1)
// 100 training and 100 test samples; features x^i / i! for i = 0..19 (the 1/i! keeps large powers
// from producing huge gradients). A linear network Dense<K, 1, Bias::off> (feature x^0 = 1 plays
// the bias) is trained on the first K features with MSE, SGD lr 0.01, batch 10:
//   K = 4   the right model: learns about [5, 1.2, -3.4, 5.6]            (400 epochs)
//   K = 2   too simple (a line): underfits, train and test loss stay high (400 epochs)
//   K = 20  too flexible: fits terms that are zero, test loss above K = 4  (1500 epochs)
// Loss: tinymlp's MeanSquaredError is mean((y - t)^2), without the 1/2 of the book's formula
// (y - t)^2 / 2. We keep lr 0.01 on our loss: the book's PyTorch code trains this experiment with
// nn.MSELoss (also the mean of (y - t)^2) and lr 0.01, so its updates are the same as ours.
//
//   build/x86-avx2/examples/polynomial           # writes polynomial.csv
//   build/x86-avx2/examples/polynomial --short   # the same run (it takes well under a second)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <tinymlp/tinymlp.hpp>
#include <tinymlp_host/dataset.hpp>

#include "common/args.hpp"
#include "common/csv.hpp"

using namespace tinymlp;

namespace {

constexpr std::size_t max_degree = 20, n_test = 100, batch = 10;
std::size_t n_train = 100;  // --train: a multiple of the batch
const double true_w[4] = {5, 1.2, -3.4, 5.6};

struct Data {
    std::vector<float> features;  // [n_train + n_test][max_degree]: x^i / i!
    std::vector<float> labels;    // [n_train + n_test]
};

Data make_data(std::uint64_t seed) {
    Pcg32 rng(seed);
    Data d;
    for (std::size_t n = 0; n < n_train + n_test; ++n) {
        const double x = rng.normal();
        double term = 1, y = 0;  // term = x^i / i!
        for (std::size_t i = 0; i < max_degree; ++i) {
            if (i > 0) term *= x / static_cast<double>(i);
            d.features.push_back(static_cast<float>(term));
            if (i < 4) y += true_w[i] * term;
        }
        d.labels.push_back(static_cast<float>(y + 0.1 * rng.normal()));
    }
    return d;
}

struct Outcome {
    std::vector<float> weights;
    double train_loss = 0, test_loss = 0;
};

template <std::size_t K>
Outcome fit(const Data& data, long epochs, std::uint64_t seed, examples::CsvWriter& csv, const char* run) {
    using Net = Sequential<Dense<K, 1, Bias::off>>;
    using TrainerT = Trainer<Net, MeanSquaredError, Sgd, batch>;
    Net net;
    net.init(seed);  // torch.nn.Linear's default: U(-1/sqrt(K), 1/sqrt(K))
    TrainerT trainer(net, Sgd{0.01});

    // The first K features of every sample, contiguous.
    std::vector<float> x((n_train + n_test) * K);
    for (std::size_t n = 0; n < n_train + n_test; ++n)
        for (std::size_t i = 0; i < K; ++i) x[n * K + i] = data.features[n * max_degree + i];
    const auto mean_loss = [&](std::size_t first, std::size_t count) -> double {
        double sum = 0;
        for (std::size_t n = first; n < first + count; n += batch) {
            float loss = 0;
            if (trainer.evaluate(&x[n * K], &data.labels[n], &loss) != Status::ok) return std::nan("");
            sum += loss;
        }
        return sum / static_cast<double>(count / batch);
    };

    Pcg32 rng(seed + 1);
    std::vector<std::size_t> order = tinymlp::host::sequential_indices(n_train);
    float xb[batch * K], yb[batch];
    csv.row(run, 0, mean_loss(0, n_train), mean_loss(n_train, n_test));
    for (long epoch = 1; epoch <= epochs; ++epoch) {
        tinymlp::host::shuffle_indices(order, rng);
        for (std::size_t first = 0; first < n_train; first += batch) {
            for (std::size_t b = 0; b < batch; ++b) {
                for (std::size_t i = 0; i < K; ++i) xb[b * K + i] = x[order[first + b] * K + i];
                yb[b] = data.labels[order[first + b]];
            }
            if (trainer.step(xb, yb) != Status::ok) return {};
        }
        csv.row(run, epoch, mean_loss(0, n_train), mean_loss(n_train, n_test));
    }
    Outcome out;
    out.weights.assign(net.parameters(), net.parameters() + K);
    out.train_loss = mean_loss(0, n_train);
    out.test_loss = mean_loss(n_train, n_test);
    return out;
}

void report(const char* title, const Outcome& o, long epochs) {
    std::printf("%s, %ld epochs: train loss %.5f, test loss %.5f\n  weights:", title, epochs, o.train_loss,
                o.test_loss);
    for (std::size_t i = 0; i < o.weights.size(); ++i)
        std::printf("%s %.4f", i && i % 10 == 0 ? "\n          " : "", o.weights[i]);
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("polynomial", "Underfitting and overfitting: polynomial regression with 2, 4 and 20 features.");
    args.flag("--short", "quick run for ctest (the same run: it takes well under a second)");
    args.option("--csv", "FILE", "polynomial.csv", "train and test loss per epoch of the three fits");
    args.option("--seed", "N", "1", "seed of data, initialisation and shuffling");
    args.option("--train", "N", "100", "training samples (a multiple of 10; fewer samples overfit more)");
    args.parse(argc, argv);
    const long train_count = args.integer("--train");
    if (train_count < 10 || train_count % 10 != 0) args.fail("--train must be a positive multiple of 10");
    n_train = static_cast<std::size_t>(train_count);
    const auto seed = static_cast<std::uint64_t>(args.integer("--seed"));

    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"), {"run", "epoch", "train_loss", "test_loss"})) return 1;
    const Data data = make_data(seed);
    std::printf("y = 5 + 1.2 x - 3.4 x^2/2! + 5.6 x^3/3! + N(0, 0.1^2); %zu train, %zu test samples; "
                "MSE (mean (y-t)^2), SGD lr 0.01, batch %zu\n"
                "true weights: 5.0000 1.2000 -3.4000 5.6000 (then zeros); the noise alone gives a loss of "
                "about 0.01\n\n",
                n_train, n_test, batch);

    const Outcome cubic = fit<4>(data, 400, seed, csv, "degree3_4features");
    report("4 features (x^0..x^3, the right model)", cubic, 400);
    const Outcome line = fit<2>(data, 400, seed, csv, "degree1_2features");
    report("2 features (x^0, x^1: underfits)", line, 400);
    const Outcome all = fit<20>(data, 1500, seed, csv, "degree19_20features");
    report("20 features (x^0..x^19: too flexible)", all, 1500);
    std::printf("log: %s\n", args.text("--csv").c_str());

    if (args.has("--train")) return 0;  // the checks below hold for the default setting
    double worst = 0;
    for (int i = 0; i < 4; ++i) worst = std::max(worst, std::fabs(cubic.weights[i] - true_w[i]));
    const bool ok = worst < 0.2 && line.test_loss > 10 * cubic.test_loss && all.test_loss > cubic.test_loss;
    if (!ok) std::printf("FAILED: expected the 4-feature fit near the true weights and the best test loss\n");
    return ok ? 0 : 1;
}
