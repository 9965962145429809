// The textbook's activation functions and their derivatives on [-8, 8], computed by tinymlp's own
// layers: forward() gives f(x), backward() with an upstream gradient of ones gives f'(x).
// ReLU (f'(0) = 0, as in PyTorch), PReLU with its initial slope 0.25, sigmoid (f' peaks at 1/4),
// tanh (f' peaks at 1); softmax of a vector; and the identity tanh(x) + 1 = 2 sigmoid(2x),
// checked numerically (exit 1 if the largest error exceeds 1e-6).
//
//   build/x86-avx2/examples/activations           # writes activations.csv
//   python3 examples/plot.py activations.csv      # activations.png: the curves and their derivatives
#include <cmath>
#include <cstdio>
#include <string>

#include <tinymlp/tinymlp.hpp>

#include "common/args.hpp"
#include "common/csv.hpp"

using namespace tinymlp;

namespace {

constexpr std::size_t points = 161;  // -8, -7.9, ..., 8
using S = float;
using T = DefaultTarget;

// f(x) and f'(x) of an activation layer on the grid, as a batch of one sample of `points` values.
template <class Layer>
void curve(const S* params, const S* x, S* y, S* dy_dx) {
    ForwardContext context;
    S ones[points], dparams[points > 0 ? points : 1] = {};
    for (S& v : ones) v = 1;
    Layer::template forward<T, 1>(params, x, y, nullptr, context);
    Layer::template backward<T, 1>(params, x, y, nullptr, ones, dy_dx, dparams, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("activations", "ReLU, pReLU, sigmoid, tanh and their derivatives; softmax; tanh vs sigmoid.");
    args.flag("--short", "quick run for ctest (the same run)");
    args.option("--csv", "FILE", "activations.csv", "x, the four functions and their derivatives");
    args.parse(argc, argv);

    S x[points], x2[points];
    for (std::size_t i = 0; i < points; ++i) {
        x[i] = static_cast<S>((static_cast<double>(i) - 80.0) / 10.0);  // 0 exactly at i = 80
        x2[i] = 2 * x[i];
    }
    S relu[points], prelu[points], sigmoid[points], tanh_[points], sigmoid2x[points];
    S d_relu[points], d_prelu[points], d_sigmoid[points], d_tanh[points], unused[points];

    using PReLUShared = PReLU<>::bind<S, points>;
    S slope[PReLUShared::param_count];
    Pcg32 rng(1);
    PReLUShared::init_default(slope, rng);  // 0.25, as torch.nn.PReLU

    curve<ReLU::bind<S, points>>(nullptr, x, relu, d_relu);
    curve<PReLUShared>(slope, x, prelu, d_prelu);
    curve<Sigmoid::bind<S, points>>(nullptr, x, sigmoid, d_sigmoid);
    curve<Tanh::bind<S, points>>(nullptr, x, tanh_, d_tanh);
    curve<Sigmoid::bind<S, points>>(nullptr, x2, sigmoid2x, unused);

    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"),
                  {"x", "relu", "prelu", "sigmoid", "tanh", "d_relu", "d_prelu", "d_sigmoid", "d_tanh"}))
        return 1;
    for (std::size_t i = 0; i < points; ++i)
        csv.row(x[i], relu[i], prelu[i], sigmoid[i], tanh_[i], d_relu[i], d_prelu[i], d_sigmoid[i], d_tanh[i]);

    std::printf("%6s %8s %8s %8s %8s | %6s %6s %8s %8s\n", "x", "ReLU", "pReLU", "sigmoid", "tanh", "ReLU'",
                "pReLU'", "sigmoid'", "tanh'");
    for (double at : {-8.0, -2.0, -1.0, -0.1, 0.0, 0.1, 1.0, 2.0, 8.0}) {
        const auto i = static_cast<std::size_t>(std::lround((at + 8.0) * 10.0));
        std::printf("%6.1f %8.4f %8.4f %8.4f %8.4f | %6.2f %6.2f %8.4f %8.4f\n", x[i], relu[i], prelu[i],
                    sigmoid[i], tanh_[i], d_relu[i], d_prelu[i], d_sigmoid[i], d_tanh[i]);
    }
    std::size_t peak_sigmoid = 0, peak_tanh = 0;
    for (std::size_t i = 0; i < points; ++i) {
        if (d_sigmoid[i] > d_sigmoid[peak_sigmoid]) peak_sigmoid = i;
        if (d_tanh[i] > d_tanh[peak_tanh]) peak_tanh = i;
    }
    std::printf("largest derivative: sigmoid %.4f at x = %g, tanh %.4f at x = %g\n", d_sigmoid[peak_sigmoid],
                x[peak_sigmoid], d_tanh[peak_tanh], x[peak_tanh]);

    // Softmax of a vector: positive, sums to 1, unchanged by adding a constant to every input.
    using SoftmaxLayer4 = Softmax::bind<S, 4>;
    const S logits[4] = {1, 2, 3, 4}, shifted[4] = {101, 102, 103, 104};
    S p[4], q[4];
    ForwardContext context;
    SoftmaxLayer4::forward<T, 1>(nullptr, logits, p, nullptr, context);
    SoftmaxLayer4::forward<T, 1>(nullptr, shifted, q, nullptr, context);
    std::printf("softmax(1, 2, 3, 4)         = (%.4f, %.4f, %.4f, %.4f), sum %.6f\n", p[0], p[1], p[2], p[3],
                p[0] + p[1] + p[2] + p[3]);
    std::printf("softmax(101, 102, 103, 104) = (%.4f, %.4f, %.4f, %.4f)  (shift-invariant)\n", q[0], q[1], q[2],
                q[3]);

    // tanh(x) + 1 = 2 sigmoid(2x), since 2 / (1 + e^(-2x)) - 1 = (1 - e^(-2x)) / (1 + e^(-2x)).
    double worst = 0, worst_at = 0;
    for (std::size_t i = 0; i < points; ++i) {
        const double error = std::fabs((double(tanh_[i]) + 1.0) - 2.0 * double(sigmoid2x[i]));
        if (error > worst) worst = error, worst_at = x[i];
    }
    std::printf("tanh(x) + 1 vs 2 sigmoid(2x) on [-8, 8] (float): max |difference| = %.3g at x = %g\n", worst,
                worst_at);
    std::printf("log: %s\n", args.text("--csv").c_str());
    if (worst > 1e-6) {
        std::printf("FAILED: the difference exceeds 1e-6\n");
        return 1;
    }
    return 0;
}
