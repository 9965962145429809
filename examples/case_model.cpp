// The textbook's case model: 3 inputs -> Dense 3 + Sigmoid -> Dense 2 + ReLU -> Dense 2 + Softmax,
// 3*3+3 + 3*2+2 + 2*2+2 = 26 parameters. The first layer gets Xavier-normal weights (suited to the
// sigmoid), the second He-normal (suited to ReLU), the output layer torch.nn.Linear's default;
// biases zero except the output layer's default. Prints summary(), every parameter in tinymlp's
// layout (W as [In][Out], the transpose of torch.nn.Linear.weight, then b), the outputs of 5 random
// samples, and one SGD step on them. Exit 1 unless the count is 26.
//
//   build/x86-avx2/examples/case_model          # writes case_model.csv (one row per parameter)
#include <cstdint>
#include <cstdio>
#include <string>

#include <tinymlp/tinymlp.hpp>

#include "common/args.hpp"
#include "common/csv.hpp"

using namespace tinymlp;

namespace {

using Net = Sequential<Dense<3, 3>, Sigmoid, Dense<3, 2>, ReLU, Dense<2, 2>, Softmax>;
constexpr std::size_t samples = 5;

template <std::size_t I>
void print_dense(const Net& net, examples::CsvWriter& csv) {
    using L = Net::layer<I>;
    const float* p = net.layer_parameters<I>();
    std::printf("layer %zu Dense<%zu, %zu>: W [%zu][%zu] at offset %zu\n", I, L::in_size, L::out_size, L::in_size,
                L::out_size, Net::parameter_offset(I));
    for (std::size_t i = 0; i < L::in_size; ++i) {
        std::printf("   ");
        for (std::size_t j = 0; j < L::out_size; ++j) {
            std::printf(" %9.5f", p[i * L::out_size + j]);
            csv.row(I, "W", i, j, p[i * L::out_size + j]);
        }
        std::printf("\n");
    }
    std::printf("  b:");
    for (std::size_t j = 0; j < L::out_size; ++j) {
        std::printf(" %9.5f", p[L::weight_count + j]);
        csv.row(I, "b", 0, j, p[L::weight_count + j]);
    }
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    examples::Args args("case_model", "The case model 3-3-2-2 (Sigmoid, ReLU, Softmax): summary and parameters.");
    args.flag("--short", "quick run for ctest (the same run)");
    args.option("--csv", "FILE", "case_model.csv", "every parameter: layer, kind, row, column, value");
    args.option("--seed", "N", "1", "seed of the initial weights and the samples");
    args.parse(argc, argv);

    Net net;
    Pcg32 rng(static_cast<std::uint64_t>(args.integer("--seed")));
    net.init(rng);  // every layer's default first (the output layer keeps it)
    net.init_layer<0>(init::XavierNormal{}, rng, init::Zeros{});
    net.init_layer<2>(init::HeNormal{}, rng, init::Zeros{});

    Net::summary();
    const std::size_t counted = Net::layer<0>::param_count + Net::layer<2>::param_count + Net::layer<4>::param_count;
    std::printf("\nparameter_count %zu; per layer 3*3+3 + 3*2+2 + 2*2+2 = %zu\n\n", Net::parameter_count, counted);

    examples::CsvWriter csv;
    if (!csv.open(args.text("--csv"), {"layer", "kind", "row", "column", "value"})) return 1;
    print_dense<0>(net, csv);
    print_dense<2>(net, csv);
    print_dense<4>(net, csv);

    float x[samples][3], y[samples][2];
    std::int32_t labels[samples];
    for (std::size_t n = 0; n < samples; ++n) {
        for (float& v : x[n]) v = static_cast<float>(rng.normal());
        labels[n] = static_cast<std::int32_t>(rng.next_u32() % 2);
    }
    float scratch[Net::inference_scratch_count<samples>];
    if (net.predict_batch<samples>(&x[0][0], &y[0][0], scratch) != Status::ok) return 1;
    std::printf("\n%zu random samples (N(0, 1) inputs) -> softmax outputs:\n", samples);
    for (std::size_t n = 0; n < samples; ++n)
        std::printf("  (%7.4f, %7.4f, %7.4f) -> (%.4f, %.4f)  label %d\n", x[n][0], x[n][1], x[n][2], y[n][0],
                    y[n][1], labels[n]);

    Trainer<Net, SoftmaxCrossEntropy, Sgd, samples> trainer(net, Sgd{0.1});
    float before = 0, after = 0;
    if (trainer.step(&x[0][0], labels, &before) != Status::ok) return 1;
    if (trainer.evaluate(&x[0][0], labels, &after) != Status::ok) return 1;
    std::printf("one SGD step (lr 0.1) on these samples: loss %.4f -> %.4f, gradient norm %.4f; trainer memory %zu "
                "bytes\n", before, after, trainer.last_gradient_norm(), decltype(trainer)::memory_bytes);
    std::printf("log: %s\n", args.text("--csv").c_str());

    if (Net::parameter_count != 26 || counted != 26) {
        std::printf("FAILED: expected 26 parameters\n");
        return 1;
    }
    return 0;
}
