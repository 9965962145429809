// Class labels as the user writes them: `int labels[]` works whether or not int is std::int32_t
// (on arm-none-eabi std::int32_t is long, a distinct type, and the Cortex-M builds run this test).
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {
using Net = Sequential<Dense<3, 5>, ReLU, Dense<5, 3>>;
using T = Trainer<Net, SoftmaxCrossEntropy, Sgd, 4>;

template <class Trainer_, class Label, class = void>
struct steps_with : std::false_type {};
template <class Trainer_, class Label>
struct steps_with<Trainer_, Label,
                  std::void_t<decltype(std::declval<Trainer_&>().step(nullptr, static_cast<const Label*>(nullptr)))>>
    : std::true_type {};

static_assert(steps_with<T, int>::value && steps_with<T, std::int32_t>::value);
static_assert(!steps_with<T, float>::value && !steps_with<T, short>::value, "only int and std::int32_t labels");
static_assert(!steps_with<Trainer<Net, MeanSquaredError, Sgd, 4>, int>::value, "regression targets are floats");
}  // namespace

TEST(int_labels_train_and_evaluate_as_int32_labels) {
    std::printf("  int and std::int32_t are %s here\n", std::is_same_v<int, std::int32_t> ? "the same type" : "distinct");
    static Net a, b;
    a.init(8);
    b.init(8);
    static T ta(a, Sgd{0.1}), tb(b, Sgd{0.1});
    const float x[4 * 3] = {0.5f, -1, 0.25f, 1, 1, 0, -0.5f, 0.3f, 0.9f, 0, 0, 1};
    const int labels[4] = {0, 2, 1, 2};
    const std::int32_t labels32[4] = {0, 2, 1, 2};
    for (int i = 0; i < 5; ++i) {
        float la = 0, lb = 0;
        CHECK(ta.step(x, labels, &la) == Status::ok);
        CHECK(tb.step(x, labels32, &lb) == Status::ok);
        CHECK(la == lb);
    }
    CHECK(std::memcmp(&a, &b, sizeof a) == 0);
    float loss = 0;
    std::size_t correct = 0;
    CHECK(ta.evaluate(x, labels, &loss, &correct) == Status::ok);
    const int bad[4] = {0, 3, 1, 2};
    CHECK(ta.step(x, bad) == Status::label_out_of_range);
    std::printf("  loss %.4f, %lu of 4 correct\n", static_cast<double>(loss), static_cast<unsigned long>(correct));
}
