// The core allocates nothing: with every heap entry point armed to abort, this binary initialises
// networks, trains them (every layer, loss and optimizer), and runs single and batched inference.
// (Under AddressSanitizer, which owns malloc itself, the test is skipped.)
#include <cstdio>
#include <cstdlib>
#include <new>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define TINYMLP_HEAP_HOOKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TINYMLP_HEAP_HOOKS 0
#endif
#endif
#if !defined(TINYMLP_HEAP_HOOKS) && defined(__GLIBC__)
#define TINYMLP_HEAP_HOOKS 1
#endif
#ifndef TINYMLP_HEAP_HOOKS
#define TINYMLP_HEAP_HOOKS 0
#endif

namespace {
bool heap_forbidden = false;

[[noreturn]] void heap_used(const char* what) {
    // write(2)-level output only: printf may itself allocate
    std::fputs("heap used inside the no-heap section: ", stderr);
    std::fputs(what, stderr);
    std::fputs("\n", stderr);
    std::abort();
}
}  // namespace

#if TINYMLP_HEAP_HOOKS
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
    if (heap_forbidden) heap_used("malloc");
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
    if (heap_forbidden) heap_used("calloc");
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
    if (heap_forbidden) heap_used("realloc");
    return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
}
#endif

void* operator new(std::size_t n) {
    if (heap_forbidden) heap_used("operator new");
    if (void* p = std::malloc(n ? n : 1)) return p;
    std::abort();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace tinymlp;

namespace {
using Classifier = Sequential<Dense<20, 16>, ReLU, Dropout<20>, Dense<16, 8>, PReLU<Slopes::per_unit>, Dense<8, 4>,
                              Softmax>;
using Regressor = Sequential<Dense<20, 12>, Tanh, Dense<12, 12>, Sigmoid, Dense<12, 3>, LeakyReLU<>>;
using Binary = Sequential<Dense<20, 6>, PReLU<>, Dense<6, 2>, Identity>;
constexpr std::size_t B = 8;

Classifier classifier;
Regressor regressor;
Binary binary;
Trainer<Classifier, SoftmaxCrossEntropy, Adam, B> adam(classifier, Adam{0.01});
Trainer<Regressor, MeanSquaredError, Momentum, B> momentum(regressor, Momentum{0.01, 0.9, true},
                                                           Regularization{0.01, false, 0.001, 1.0});
Trainer<Binary, BinaryCrossEntropyWithLogits, Sgd, B> sgd(binary, Sgd{0.1});

float x[B * 20];
std::int32_t labels[B];
float targets[B * 3];
float binary_targets[B * 2];
}  // namespace

TEST(train_and_infer_without_heap) {
    if (!TINYMLP_HEAP_HOOKS) SKIP("heap hooks unavailable (sanitizer or not glibc)");
    Pcg32 data(1);
    for (float& v : x) v = static_cast<float>(data.normal());
    for (std::size_t n = 0; n < B; ++n) labels[n] = static_cast<std::int32_t>(n % 4);
    for (float& v : targets) v = static_cast<float>(data.uniform());
    for (std::size_t i = 0; i < B * 2; ++i) binary_targets[i] = static_cast<float>(i % 2);
    std::printf("  arming heap hooks\n");
    std::fflush(stdout);

    heap_forbidden = true;
    Pcg32 rng(2);
    classifier.init(rng);
    regressor.init_dense_layers(init::XavierUniform{}, rng);
    binary.init_layer<0>(init::HeNormal{}, rng);
    binary.init_layer<2>(init::Normal{0, 0.1}, rng, init::Constant{0.1});
    float first[3] = {}, last[3] = {};
    bool ok = true;
    for (int step = 0; step < 50; ++step) {
        float l[3] = {};
        ok = ok && adam.step(x, labels, &l[0]) == Status::ok;
        ok = ok && momentum.step(x, targets, &l[1]) == Status::ok;
        ok = ok && sgd.step(x, binary_targets, &l[2]) == Status::ok;
        for (int k = 0; k < 3; ++k) (step == 0 ? first : last)[k] = l[k];
    }
    float y[4], scratch[Classifier::inference_scratch_count<B>], batch_y[B * 4];
    ok = ok && classifier.predict(x, y) == Status::ok;
    ok = ok && classifier.predict_batch<B>(x, batch_y, scratch) == Status::ok;
    std::size_t correct = 0;
    float loss = 0;
    ok = ok && adam.evaluate(x, labels, &loss, &correct) == Status::ok;
    heap_forbidden = false;

    CHECK(ok);
    for (int k = 0; k < 3; ++k) {
        std::printf("  net %d: loss %.4f -> %.4f\n", k, first[k], last[k]);
        CHECK(last[k] < first[k]);
    }
    CHECK(correct == B);  // 8 samples memorised
}
