// A float firmware for the cores whose FPU is single precision or absent (Cortex-M4F, M33, M3):
// inference and training steps of every optimizer and loss, with L1, weight decay and clipping,
// on parameters from a const array (as an exported header gives them). ctest float_only_no_soft_double
// reads its symbol table: nothing of the compiler's software double (__aeabi_d*, __*df3, the
// double libm) may be linked. It prints with puts alone (printf's %f formats doubles).
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <tinymlp/tinymlp.hpp>

using namespace tinymlp;

using Net = Sequential<Dense<32, 64>, ReLU, Dense<64, 64>, Tanh, Dense<64, 8>>;

namespace {

struct Parameters {
    float values[Net::parameter_count];
};
constexpr Parameters make_parameters() {
    Parameters p{};
    Pcg32 rng(2024);
    for (std::size_t i = 0; i < Net::parameter_count; ++i)
        p.values[i] = (static_cast<float>(rng.next_u32() >> 8) * (1.0f / 16777216.0f) - 0.5f) * 0.25f;
    return p;
}
constexpr Parameters trained = make_parameters();

Net net;
float x[4 * 32], y[4 * 8], targets[4 * 8];
std::int32_t labels[4];

bool fail(const char* what) {
    std::puts(what);
    return false;
}

template <class Trainer, class T>
bool steps(Trainer& trainer, const T* t, const char* what) {
    std::memcpy(net.parameters(), trained.values, sizeof trained.values);
    float loss = 0;
    for (int k = 0; k < 5; ++k)
        if (trainer.step(x, t, &loss) != Status::ok || !is_finite(loss)) return fail(what);
    return true;
}

}  // namespace

int main() {
    Pcg32 rng(7);
    for (float& v : x) v = rng.uniform_float() * 2 - 1;
    for (float& v : targets) v = rng.uniform_float();
    for (std::int32_t& l : labels) l = static_cast<std::int32_t>(rng.next_u32() % 8);

    bool ok = Net::predict_with(trained.values, x, y) == Status::ok || fail("predict");
    Regularization all;
    all.weight_decay = 1e-4;
    all.l1 = 1e-5;
    all.clip_norm = 0.5;
    {
        static Trainer<Net, MeanSquaredError, Sgd, 4> sgd(net, Sgd{0.01});
        ok &= steps(sgd, targets, "sgd");
    }
    {
        static Trainer<Net, SoftmaxCrossEntropy, Momentum, 4> momentum(net, Momentum{0.01, 0.9, true}, all);
        ok &= steps(momentum, labels, "momentum");
    }
    {
        static Trainer<Net, BinaryCrossEntropyWithLogits, Adam, 4> adam(net, Adam{1e-3}, all);
        ok &= steps(adam, targets, "adam");
    }
    {
        FusedRegularization fused_all;
        fused_all.weight_decay = 1e-2;
        fused_all.l1 = 1e-5;
        static Trainer<Net, SoftmaxCrossEntropy, AdamW, 1, Update::fused> adamw(net, AdamW{1e-3}, fused_all);
        ok &= steps(adamw, labels, "adamw fused");
    }
    std::puts(ok ? "float only: predict and every optimizer's steps ok" : "float only: FAILED");
    return ok ? 0 : 1;
}
