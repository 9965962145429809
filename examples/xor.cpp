// XOR, the textbook's reason for hidden layers. A linear model (Dense<2, 1> with a sigmoid, i.e.
// logistic regression with BinaryCrossEntropyWithLogits) cannot separate the four points: no line
// puts (0,1), (1,0) on one side and (0,0), (1,1) on the other, so its best accuracy is 3/4. A 2-2-1
// MLP with sigmoid hidden units can: each hidden unit is one simple linear classifier (one line),
// and the output combines the two.
//
//   build/x86-avx2/examples/xor            # writes xor.csv (loss and accuracy per step)
//   build/x86-avx2/examples/xor --short    # the same (it takes milliseconds); ctest runs this
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

#include "common/args.hpp"
#include "common/csv.hpp"

using namespace tinymlp;

namespace {

const float points[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
const float targets[4] = {0, 1, 1, 0};

using Linear = Sequential<Dense<2, 1>>;
using Mlp = Sequential<Dense<2, 2>, Sigmoid, Dense<2, 1>>;
using LinearTrainer = Trainer<Linear, BinaryCrossEntropyWithLogits, Sgd, 4>;
using MlpTrainer = Trainer<Mlp, BinaryCrossEntropyWithLogits, Adam, 4>;

template <class TrainerT>
double accuracy(TrainerT& trainer, float* loss) {
    std::size_t correct = 0;
    if (trainer.evaluate(&points[0][0], targets, loss, &correct) != Status::ok) return -1;
    return static_cast<double>(correct) / 4.0;
}

// Best accuracy of any line w1 x1 + w2 x2 + b > 0 on the four points: 360 directions x 301 offsets.
double best_line_accuracy() {
    double best = 0;
    for (int degree = 0; degree < 360; ++degree) {
        const double angle = degree * 3.14159265358979323846 / 180.0;
        const double w1 = std::cos(angle), w2 = std::sin(angle);
        for (int k = -150; k <= 150; ++k) {
            const double b = k / 100.0;
            int correct = 0;
            for (int i = 0; i < 4; ++i) correct += (w1 * points[i][0] + w2 * points[i][1] + b > 0) == (targets[i] > 0.5f);
            best = std::max(best, correct / 4.0);
        }
    }
    return best;
}

// Names the Boolean function a unit computes on (0,0), (0,1), (1,0), (1,1), if it is a common one.
const char* boolean_name(int truth) {  // bit i: output on points[i]
    switch (truth) {
        case 0b1110: return "OR";
        case 0b1000: return "AND";
        case 0b0111: return "NAND";
        case 0b0001: return "NOR";
        case 0b0110: return "XOR";
        case 0b1001: return "XNOR";
        case 0b1100: return "x1";
        case 0b1010: return "x2";
        case 0b0011: return "NOT x1";
        case 0b0101: return "NOT x2";
        case 0b0100: return "x1 AND NOT x2";
        case 0b0010: return "x2 AND NOT x1";
        case 0b1011: return "x1 OR NOT x2";
        case 0b1101: return "x2 OR NOT x1";
        case 0b0000: return "always 0";
        case 0b1111: return "always 1";
    }
    return "?";
}

// Trains a fresh 2-2-1 MLP from `seed`; returns its accuracy. Logs to csv when given.
double train_mlp(Mlp& net, MlpTrainer& trainer, std::uint64_t seed, int steps, float* final_loss) {
    net.init(seed);
    trainer.state() = {};
    float loss = 0;
    for (int step = 0; step < steps; ++step)
        if (trainer.step(&points[0][0], targets, &loss) != Status::ok) return -1;
    return accuracy(trainer, final_loss);
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("xor", "A linear model vs a 2-2-1 MLP on the four XOR points.");
    args.flag("--short", "quick run for ctest (the same run: it takes milliseconds)");
    args.option("--csv", "FILE", "xor.csv", "loss and accuracy per step of both models");
    args.option("--steps", "N", "2000", "full-batch training steps");
    args.option("--seed", "N", "3", "seed of the MLP's initial weights");
    args.parse(argc, argv);
    const int steps = static_cast<int>(args.integer("--steps"));
    const auto seed = static_cast<std::uint64_t>(args.integer("--seed"));
    if (steps < 1) args.fail("--steps must be >= 1");

    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"), {"step", "linear_loss", "mlp_loss", "linear_acc", "mlp_acc"})) return 1;

    Linear linear;
    linear.init(seed);
    LinearTrainer linear_trainer(linear, Sgd{0.5});
    Mlp mlp;
    mlp.init(seed);
    MlpTrainer mlp_trainer(mlp, Adam{0.05});

    double linear_best = 0;
    float linear_loss = 0, mlp_loss = 0;
    double linear_acc = 0, mlp_acc = 0;
    for (int step = 0; step <= steps; ++step) {
        linear_acc = accuracy(linear_trainer, &linear_loss);
        mlp_acc = accuracy(mlp_trainer, &mlp_loss);
        linear_best = std::max(linear_best, linear_acc);
        if (step % 10 == 0 || step == steps) csv.row(step, linear_loss, mlp_loss, linear_acc, mlp_acc);
        if (step == steps) break;
        if (linear_trainer.step(&points[0][0], targets) != Status::ok ||
            mlp_trainer.step(&points[0][0], targets) != Status::ok) {
            std::fprintf(stderr, "xor: a training step was refused\n");
            return 1;
        }
    }

    const float* w = linear.parameters();
    std::printf("linear model Dense<2, 1> + sigmoid, SGD lr 0.5, %d full-batch steps:\n", steps);
    std::printf("  logit = %+.2e x1 %+.2e x2 %+.2e, loss %.4f (ln 2 = %.4f: P(1) = 1/2 everywhere)\n",
                w[0], w[1], w[2], linear_loss, std::log(2.0));
    std::printf("  accuracy %.2f (the logits are ~0, their signs are rounding noise); best seen in training %.2f\n",
                linear_acc, linear_best);
    const double best_line = best_line_accuracy();
    std::printf("  best accuracy of any line (360 directions x 301 offsets): %.2f\n", best_line);

    std::printf("\n2-2-1 MLP Dense<2, 2>, Sigmoid, Dense<2, 1>, Adam lr 0.05, %d steps, seed %llu:\n", steps,
                static_cast<unsigned long long>(seed));
    std::printf("  loss %.4f, accuracy %.2f\n", mlp_loss, mlp_acc);
    // Dense<2, 2> parameters: W[in][out] then b[out]; hidden unit j is sigmoid(W[0][j] x1 + W[1][j] x2 + b[j]).
    const float* p = mlp.layer_parameters<0>();
    const float* v = mlp.layer_parameters<2>();
    std::printf("  in the hidden units' coordinates (h1, h2) the four points are linearly separable:\n");
    for (int i = 0; i < 4; ++i) {
        float logit = 0, h[2];
        if (mlp.predict(points[i], &logit) != Status::ok) return 1;
        for (int j = 0; j < 2; ++j) {
            const float z = p[0 * 2 + j] * points[i][0] + p[1 * 2 + j] * points[i][1] + p[4 + j];
            h[j] = 1.0f / (1.0f + std::exp(-z));
        }
        std::printf("  XOR(%g, %g) = %g: (h1, h2) = (%.3f, %.3f), P(1) = %.4f\n", points[i][0], points[i][1],
                    targets[i], h[0], h[1], 1.0 / (1.0 + std::exp(-logit)));
    }
    std::printf("  the two hidden units are two linear classifiers (the unit is > 1/2 where its line is > 0):\n");
    for (int j = 0; j < 2; ++j) {
        const float a = p[0 * 2 + j], b = p[1 * 2 + j], c = p[4 + j];
        int truth = 0;
        for (int i = 0; i < 4; ++i) truth |= (a * points[i][0] + b * points[i][1] + c > 0) << i;
        std::printf("    h%d: %+.3f x1 %+.3f x2 %+.3f = 0", j + 1, a, b, c);
        if (std::fabs(b) > 1e-6f) std::printf("  (x2 = %+.3f x1 %+.3f)", -a / b, -c / b);
        std::printf("  computes %s\n", boolean_name(truth));
    }
    std::printf("  output: logit = %+.3f h1 %+.3f h2 %+.3f (one line in the (h1, h2) plane)\n", v[0], v[1], v[2]);

    // How often a 2-2-1 sigmoid MLP gets there: small nets have local minima.
    int solved = 0;
    constexpr int tries = 20;
    for (int s = 1; s <= tries; ++s) {
        static Mlp net;
        static MlpTrainer trainer(net, Adam{0.05});
        float loss = 0;
        solved += train_mlp(net, trainer, static_cast<std::uint64_t>(s), steps, &loss) == 1.0;
    }
    std::printf("  seeds 1..%d: %d reach accuracy 1.0 in %d steps\n", tries, solved, steps);
    std::printf("log: %s\n", args.text("--csv").c_str());

    const bool ok = std::fabs(best_line - 0.75) < 1e-9 && linear_best <= 0.75 && mlp_acc == 1.0;
    if (!ok) std::printf("FAILED: expected a best line accuracy of 0.75 and an MLP accuracy of 1.0\n");
    return ok ? 0 : 1;
}
