// Weight decay on the textbook's high-dimensional linear regression:
//   y = 0.05 + sum_i 0.01 x_i + noise,  x in R^200 ~ N(0, I),  noise ~ N(0, 0.01^2)
// 20 training and 100 test samples, so a 200-input linear model can fit the training set exactly.
// Dense<200, 1>, weights N(0, 1), bias 0, SGD batch 5, 100 epochs; lambda 0 (overfits) vs 3.
//
// Conventions. The book minimises  mean((y - t)^2 / 2) + lambda/2 ||w||^2  with SGD lr 0.003.
// tinymlp minimises  mean((y - t)^2)  (MeanSquaredError) and Regularization{weight_decay} adds
// weight_decay * w to the gradient of the weights (biases are not decayed, as in the book), i.e.
// a penalty weight_decay/2 ||w||^2 on *our* loss. Our objective with weight_decay = 2 lambda is
// exactly twice the book's, so SGD with lr 0.003 / 2 takes exactly the book's steps. That is the
// main run; a second run shows the literal port (lr 0.003, weight_decay = lambda), whose data
// gradient is twice the book's and whose decay is half as strong relative to it.
//
//   build/x86-avx2/examples/weight_decay          # writes weight_decay.csv
//   build/x86-avx2/examples/weight_decay --short  # the same run (milliseconds); ctest runs this
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

constexpr std::size_t inputs = 200, n_train = 20, n_test = 100, batch = 5;
using Net = Sequential<Dense<inputs, 1>>;
using TrainerT = Trainer<Net, MeanSquaredError, Sgd, batch>;

struct Data {
    std::vector<float> x, y;  // [n_train + n_test][inputs], [n_train + n_test]
};

Data make_data(std::uint64_t seed) {
    Pcg32 rng(seed);
    Data d;
    for (std::size_t n = 0; n < n_train + n_test; ++n) {
        double y = 0.05;
        for (std::size_t i = 0; i < inputs; ++i) {
            const double x = rng.normal();
            d.x.push_back(static_cast<float>(x));
            y += 0.01 * x;
        }
        d.y.push_back(static_cast<float>(y + 0.01 * rng.normal()));
    }
    return d;
}

struct Outcome {
    double weight_norm = 0, train_loss = 0, test_loss = 0;  // losses: tinymlp's mean (y - t)^2
};

Outcome fit(const Data& data, double lr, double weight_decay, long epochs, std::uint64_t seed,
            examples::CsvWriter& csv, const std::string& run) {
    Net net;
    Pcg32 init_rng(seed + 7);
    net.init_layer<0>(init::Normal{0, 1}, init_rng, init::Zeros{});
    TrainerT trainer(net, Sgd{lr}, Regularization{weight_decay});
    const auto mean_loss = [&](std::size_t first, std::size_t count) -> double {
        double sum = 0;
        for (std::size_t n = first; n < first + count; n += batch) {
            float loss = 0;
            if (trainer.evaluate(&data.x[n * inputs], &data.y[n], &loss) != Status::ok) return std::nan("");
            sum += loss;
        }
        return sum / static_cast<double>(count / batch);
    };
    const auto norm = [&]() {
        double s = 0;
        for (std::size_t i = 0; i < inputs; ++i) s += double(net.parameters()[i]) * net.parameters()[i];
        return std::sqrt(s);
    };

    Pcg32 rng(seed + 1);
    std::vector<std::size_t> order = tinymlp::host::sequential_indices(n_train);
    float xb[batch * inputs], yb[batch];
    csv.row(run, 0, mean_loss(0, n_train), mean_loss(n_train, n_test), norm());
    for (long epoch = 1; epoch <= epochs; ++epoch) {
        tinymlp::host::shuffle_indices(order, rng);
        for (std::size_t first = 0; first < n_train; first += batch) {
            for (std::size_t b = 0; b < batch; ++b) {
                const std::size_t n = order[first + b];
                for (std::size_t i = 0; i < inputs; ++i) xb[b * inputs + i] = data.x[n * inputs + i];
                yb[b] = data.y[n];
            }
            if (trainer.step(xb, yb) != Status::ok) return {};
        }
        csv.row(run, epoch, mean_loss(0, n_train), mean_loss(n_train, n_test), norm());
    }
    return {norm(), mean_loss(0, n_train), mean_loss(n_train, n_test)};
}

void report(double lambda, double lr, double weight_decay, const Outcome& o) {
    std::printf("  lambda %g (lr %g, weight_decay %g): ||w|| = %.4f, train loss %.3g, test loss %.4g  "
                "[book units (y-t)^2/2: train %.3g, test %.4g]\n",
                lambda, lr, weight_decay, o.weight_norm, o.train_loss, o.test_loss, o.train_loss / 2,
                o.test_loss / 2);
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("weight_decay", "L2 weight decay on a 200-input linear regression with 20 training samples.");
    args.flag("--short", "quick run for ctest (the same run: it takes milliseconds)");
    args.option("--csv", "FILE", "weight_decay.csv", "losses and ||w|| per epoch");
    args.option("--lambda", "L", "3", "the book's lambda of the regularised run");
    args.option("--epochs", "N", "100", "epochs");
    args.option("--seed", "N", "1", "seed of data, initialisation and shuffling");
    args.parse(argc, argv);
    const double lambda = args.number("--lambda");
    const long epochs = args.integer("--epochs");
    const auto seed = static_cast<std::uint64_t>(args.integer("--seed"));
    if (lambda < 0 || epochs < 1) args.fail("--lambda must be >= 0 and --epochs >= 1");

    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"), {"run", "epoch", "train_loss", "test_loss", "weight_norm"})) return 1;
    const Data data = make_data(seed);
    constexpr double book_lr = 0.003;
    std::printf("y = 0.05 + sum 0.01 x_i + N(0, 0.01^2), 200 inputs, %zu train / %zu test, Dense<200, 1> "
                "with w ~ N(0, 1), SGD batch %zu, %ld epochs; losses are tinymlp's mean (y - t)^2\n",
                n_train, n_test, batch, epochs);

    std::printf("the book's updates (lr %g / 2, weight_decay = 2 lambda):\n", book_lr);
    const Outcome plain = fit(data, book_lr / 2, 0, epochs, seed, csv, "lambda0");
    report(0, book_lr / 2, 0, plain);
    const Outcome decayed = fit(data, book_lr / 2, 2 * lambda, epochs, seed, csv, "lambda" + args.text("--lambda"));
    report(lambda, book_lr / 2, 2 * lambda, decayed);

    std::printf("the literal port (lr %g, weight_decay = lambda):\n", book_lr);
    const Outcome plain_literal = fit(data, book_lr, 0, epochs, seed, csv, "lambda0_literal");
    report(0, book_lr, 0, plain_literal);
    const Outcome decayed_literal =
        fit(data, book_lr, lambda, epochs, seed, csv, "lambda" + args.text("--lambda") + "_literal");
    report(lambda, book_lr, lambda, decayed_literal);
    std::printf("log: %s\n", args.text("--csv").c_str());

    const bool ok = std::isfinite(plain.weight_norm) &&
                    (lambda == 0 || (decayed.weight_norm < 0.1 * plain.weight_norm && decayed.test_loss < plain.test_loss));
    if (!ok) std::printf("FAILED: expected weight decay to shrink ||w|| tenfold and lower the test loss\n");
    return ok ? 0 : 1;
}
