// Numerical stability, as in the textbook's chapter on initialisation:
//  1. vanishing gradients: sigmoid'(x) <= 1/4, so back-propagation through a stack of sigmoid
//     layers shrinks the gradient layer after layer. We build two 10-hidden-layer MLPs of width 64
//     (sigmoid with Xavier-normal weights, ReLU with He-normal weights), compute the gradients of
//     one batch with Trainer::compute_gradients, and print each Dense layer's weight-gradient norm,
//     read from Trainer::gradients() at Network::parameter_offset(i).
//  2. exploding gradients: the product of 100 random 4x4 N(0, 1) matrices, whose norm explodes.
//  3. symmetry: a hidden layer whose weights all start at the same constant keeps identical units
//     however long it is trained (every unit gets the same gradient); dropout breaks the tie.
//
//   build/x86-avx2/examples/gradients          # writes gradients.csv
//   python3 examples/plot.py gradients.csv     # gradients.png: one panel per part
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <tinymlp/tinymlp.hpp>

#include "common/args.hpp"
#include "common/csv.hpp"

using namespace tinymlp;

namespace {

// Sequential<Dense<W, W>, Act, ... (Depth times), Dense<W, Classes>>
template <std::size_t, class T>
using Repeat = T;
template <class Tuple>
struct SequentialOf;
template <class... Layers>
struct SequentialOf<std::tuple<Layers...>> {
    using type = Sequential<Layers...>;
};
template <class Act, std::size_t Width, std::size_t Classes, class Indices>
struct DeepStack;
template <class Act, std::size_t Width, std::size_t Classes, std::size_t... I>
struct DeepStack<Act, Width, Classes, std::index_sequence<I...>> {
    using layers = decltype(std::tuple_cat(std::declval<std::tuple<Repeat<I, Dense<Width, Width>>, Repeat<I, Act>>>()...,
                                           std::declval<std::tuple<Dense<Width, Classes>>>()));
    using type = typename SequentialOf<layers>::type;
};

constexpr std::size_t depth = 10, width = 64, classes = 10, batch = 64;
using SigmoidStack = DeepStack<Sigmoid, width, classes, std::make_index_sequence<depth>>::type;
using ReLUStack = DeepStack<ReLU, width, classes, std::make_index_sequence<depth>>::type;
static_assert(SigmoidStack::layer_count == 2 * depth + 1);

// L2 norm of the weight gradient of every Dense layer (layers 0, 2, 4, ...), input side first.
template <class Net, std::size_t... I>
std::vector<double> weight_gradient_norms(const float* gradients, std::index_sequence<I...>) {
    std::vector<double> norms;
    const auto add = [&](std::size_t offset, std::size_t count) {
        if (count == 0) return;
        double s = 0;
        for (std::size_t k = 0; k < count; ++k) s += double(gradients[offset + k]) * gradients[offset + k];
        norms.push_back(std::sqrt(s));
    };
    (add(Net::parameter_offset(I), Net::template layer<I>::weight_count), ...);
    return norms;
}

template <class Net, class WeightInit>
std::vector<double> gradient_norms(const WeightInit& weight_init, const float* x, const std::int32_t* labels) {
    static Net net;
    static Trainer<Net, SoftmaxCrossEntropy, Sgd, batch> trainer(net);
    Pcg32 rng(42);
    net.init_dense_layers(weight_init, rng, init::Zeros{});
    float loss = 0;
    if (trainer.compute_gradients(x, labels, &loss) != Status::ok) return {};
    return weight_gradient_norms<Net>(trainer.gradients(), std::make_index_sequence<Net::layer_count>{});
}

// 3. A 4-3-2 net with every weight at 0.5: after training, how different are the hidden units?
template <class Net>
double unit_spread_after_training(int steps, examples::CsvWriter& csv, const char* run) {
    constexpr std::size_t in = 4, hidden = 3, out = 2, n = 8;
    Net net;
    Pcg32 rng(7);
    net.init(rng);
    net.init_dense_layers(init::Constant{0.5}, rng, init::Zeros{});
    Trainer<Net, MeanSquaredError, Sgd, n> trainer(net, Sgd{0.1});
    float x[n * in], t[n * out];
    for (float& v : x) v = static_cast<float>(rng.normal());
    for (float& v : t) v = static_cast<float>(rng.normal());
    // Dense<4, 3>: W[i][j] at i * hidden + j, bias at in * hidden + j; unit j is column j.
    const auto spread = [&]() {
        const float* p = net.parameters();
        double worst = 0;
        for (std::size_t j = 1; j < hidden; ++j) {
            for (std::size_t i = 0; i < in; ++i) worst = std::max(worst, double(std::fabs(p[i * hidden + j] - p[i * hidden])));
            worst = std::max(worst, double(std::fabs(p[in * hidden + j] - p[in * hidden])));
        }
        return worst;
    };
    for (int step = 0; step <= steps; ++step) {
        if (step % 10 == 0) csv.row("symmetry: largest difference between the 3 hidden units (x: training step)", run, step, spread());
        if (step < steps && trainer.step(x, t) != Status::ok) return -1;
    }
    return spread();
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("gradients", "Vanishing and exploding gradients, and the symmetry of constant initialisation.");
    args.flag("--short", "quick run for ctest (the same run)");
    args.option("--csv", "FILE", "gradients.csv", "gradient norms per layer, product norms, unit spread");
    args.parse(argc, argv);
    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"), {"panel", "run", "index", "norm"})) return 1;

    // --- 1. vanishing -------------------------------------------------------------------------
    std::printf("1. vanishing gradients: sigmoid'(x) = s(x)(1 - s(x)) <= 1/4 (at x = 0); ReLU'(x) = 1 for x > 0\n");
    std::printf("   %zu hidden layers of width %zu, batch of %zu N(0, 1) inputs, random labels, softmax "
                "cross-entropy; norm of dLoss/dW per Dense layer:\n",
                depth, width, batch);
    std::vector<float> x(batch * width);
    std::vector<std::int32_t> labels(batch);
    Pcg32 rng(1);
    for (float& v : x) v = static_cast<float>(rng.normal());
    for (std::int32_t& l : labels) l = static_cast<std::int32_t>(rng.next_u32() % classes);
    const std::vector<double> sigmoid = gradient_norms<SigmoidStack>(init::XavierNormal{}, x.data(), labels.data());
    const std::vector<double> relu = gradient_norms<ReLUStack>(init::HeNormal{}, x.data(), labels.data());
    if (sigmoid.size() != depth + 1 || relu.size() != depth + 1) return 1;
    std::printf("   %-28s %14s %14s\n", "Dense layer", "sigmoid+Xavier", "ReLU+He");
    for (std::size_t i = 0; i <= depth; ++i) {
        std::printf("   %2zu %-25s %14.3e %14.3e\n", i + 1,
                    i == 0 ? "(input side)" : i == depth ? "(output layer)" : "", sigmoid[i], relu[i]);
        csv.row("vanishing: weight-gradient norm per Dense layer (x: layer, 1 = input side)", "sigmoid_xavier", i + 1, sigmoid[i]);
        csv.row("vanishing: weight-gradient norm per Dense layer (x: layer, 1 = input side)", "relu_he", i + 1, relu[i]);
    }
    std::printf("   first / last layer: sigmoid %.2e, ReLU %.2e\n", sigmoid[0] / sigmoid[depth], relu[0] / relu[depth]);

    // --- 2. exploding -------------------------------------------------------------------------
    std::printf("\n2. exploding: M = product of 100 random 4x4 matrices with N(0, 1) entries\n");
    double m[4][4], f[4][4], r[4][4];
    Pcg32 mrng(2);
    for (auto& row : m)
        for (double& v : row) v = mrng.normal();
    for (int k = 2; k <= 100; ++k) {
        for (auto& row : f)
            for (double& v : row) v = mrng.normal();
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) {
                r[i][j] = 0;
                for (int l = 0; l < 4; ++l) r[i][j] += m[i][l] * f[l][j];
            }
        std::copy(&r[0][0], &r[0][0] + 16, &m[0][0]);
        double norm = 0;
        for (auto& row : m)
            for (double v : row) norm += v * v;
        norm = std::sqrt(norm);
        csv.row("exploding: norm of a product of k random 4x4 N(0, 1) matrices (x: k)", "product", k, norm);
        if (k == 10 || k == 25 || k == 50 || k == 100) std::printf("   after %3d factors: ||M|| = %.3e\n", k, norm);
    }
    std::printf("   M after 100 factors:\n");
    for (auto& row : m) std::printf("     %11.3e %11.3e %11.3e %11.3e\n", row[0], row[1], row[2], row[3]);

    // --- 3. symmetry --------------------------------------------------------------------------
    using Plain = Sequential<Dense<4, 3>, Tanh, Dense<3, 2>>;
    using WithDropout = Sequential<Dense<4, 3>, Tanh, Dropout<50>, Dense<3, 2>>;
    const double plain = unit_spread_after_training<Plain>(200, csv, "constant_init");
    const double dropped = unit_spread_after_training<WithDropout>(200, csv, "constant_init_dropout50");
    std::printf("\n3. symmetry: 4-3-2 tanh MLP, every weight 0.5, biases 0, 200 SGD steps (MSE, lr 0.1, batch 8)\n");
    std::printf("   largest difference between the hidden units' weights: %.3g without dropout, %.3g with "
                "Dropout<50>\n", plain, dropped);
    std::printf("log: %s\n", args.text("--csv").c_str());

    const bool ok = sigmoid[0] < 1e-2 * sigmoid[depth] && relu[0] > 1e-1 * relu[depth] && plain == 0.0 && dropped > 1e-3;
    if (!ok) std::printf("FAILED: expected vanishing sigmoid gradients, stable ReLU ones, and symmetric units\n");
    return ok ? 0 : 1;
}
