// The one-sample kernels of cores without an FPU (ports/cortex_m_soft_float.hpp), which skip the
// products of zero inputs, against the same loops that skip nothing, bit for bit: zero inputs of
// both signs, -0 weights and biases, sums that cancel to zero, infinite weights in zero rows, an
// infinite output gradient. Runs on every port (on the M3 the kernels are the ones its SIMD target
// uses); compiled with -ffp-contract=off so that a product and its sum round apart, as software
// float does.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>

#include <tinymlp/ports/cortex_m_soft_float.hpp>
#include <tinymlp/random.hpp>

#include "check.hpp"

using namespace tinymlp;
namespace soft = tinymlp::port::soft_float;

namespace {

constexpr std::size_t In = 19, Out = 7;  // odd sizes: no kernel relies on a multiple
constexpr float inf = std::numeric_limits<float>::infinity();

bool same_bits(const float* a, const float* b, std::size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// Inputs with zeros of both signs, weights with -0 among them.
struct Case {
    float x[In], w[In * Out], b[Out], dy[Out];
    explicit Case(std::uint64_t seed) {
        Pcg32 rng(seed);
        for (float& v : x) {
            const std::uint32_t kind = rng.next_u32() % 4;
            v = kind == 0 ? 0.0f : kind == 1 ? -0.0f : rng.uniform_float() * 2 - 1;
        }
        for (float& v : w) v = rng.next_u32() % 8 == 0 ? -0.0f : rng.uniform_float() - 0.5f;
        for (float& v : b) v = rng.next_u32() % 3 == 0 ? -0.0f : rng.uniform_float() - 0.5f;
        for (float& v : dy) v = rng.next_u32() % 5 == 0 ? 0.0f : rng.uniform_float() - 0.5f;
    }
};

void full_forward(const float* x, const float* w, const float* b, float* y) {
    for (std::size_t o = 0; o < Out; ++o) {
        float sum = b ? b[o] : 0.0f;
        for (std::size_t k = 0; k < In; ++k) sum = x[k] * w[k * Out + o] + sum;
        y[o] = sum;
    }
}

std::size_t count_zero_bits(const float* v, std::size_t n, std::uint32_t bits) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) count += bits_of(v[i]) == bits;
    return count;
}

}  // namespace

TEST(forward_skipping_zero_inputs_has_the_full_bits) {
    std::size_t negative_zero_outputs = 0, nan_outputs = 0, recomputed = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        Case c(seed);
        if (seed % 4 == 0) {  // every input +0: each output is the bias plus signed zeros
            for (std::size_t k = 0; k < In; ++k) {
                c.x[k] = 0.0f;
                c.w[k * Out] = -std::fabs(c.w[k * Out]) - 0.5f;  // column 0: -0 + -0 + ... stays -0
                c.w[k * Out + 1] = k == 5 ? 0.25f : -0.5f;        // column 1: one +0 product makes +0
            }
            c.b[0] = c.b[1] = -0.0f;
        }
        if (seed % 5 == 0) c.w[3 * Out + 2] = -inf;  // in a row whose input may be zero: 0 * inf is NaN
        if (seed % 7 == 0) {  // an output that cancels to zero: b = -(x_0 w_0) with the rest zero inputs
            for (std::size_t k = 1; k < In; ++k) c.x[k] = 0.0f;
            c.b[1] = -(c.x[0] * c.w[1]);
        }
        for (const float* b : {static_cast<const float*>(c.b), static_cast<const float*>(nullptr)}) {
            float y[Out], expected[Out];
            soft::dense_forward_one_sample<In, Out>(c.x, c.w, b, y);
            full_forward(c.x, c.w, b, expected);
            CHECK(same_bits(y, expected, Out));
            negative_zero_outputs += count_zero_bits(expected, Out, 0x80000000u);
            if (b && seed % 4 == 0) recomputed += bits_of(expected[1]) == 0;  // -0 bias, +0 sum
            for (float v : expected) nan_outputs += v != v;
        }
    }
    std::printf("  200 cases: %lu outputs -0, %lu +0 from a -0 bias, %lu NaN, all with the full loop's bits\n",
                static_cast<unsigned long>(negative_zero_outputs), static_cast<unsigned long>(recomputed),
                static_cast<unsigned long>(nan_outputs));
    CHECK(negative_zero_outputs > 0);  // zero sums of both signs: the recomputation decides them
    CHECK(recomputed > 0);
    CHECK(nan_outputs > 0);  // and rows that cannot be skipped
}

TEST(weight_gradient_and_updates_skipping_zero_inputs_have_the_full_bits) {
    std::size_t flipped = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        Case c(seed);
        if (seed % 9 == 0) c.dy[4] = inf;  // 0 * inf: NaN gradients, made by the multiply
        // dW = x^T dy
        float dw[In * Out], expected[In * Out];
        soft::outer_product_rows<Out>(c.x, c.dy, dw, In);
        for (std::size_t i = 0; i < In; ++i)
            for (std::size_t o = 0; o < Out; ++o) expected[i * Out + o] = c.x[i] * c.dy[o];
        CHECK(same_bits(dw, expected, In * Out));
        if (seed % 9 == 0) continue;  // the updates run on finite gradients only
        // w + (-lr) (x dy), and p + (-lr) g on those gradients, for a positive and a zero rate
        for (float minus_rate : {-0.05f, -0.0f}) {
            float w[In * Out], w_expected[In * Out], p[In * Out];
            std::memcpy(w, c.w, sizeof w);
            std::memcpy(p, c.w, sizeof p);
            soft::sgd_one_sample<Out>(c.x, c.dy, w, In, minus_rate);
            soft::sgd_update(p, expected, In * Out, minus_rate);
            for (std::size_t i = 0; i < In; ++i)
                for (std::size_t o = 0; o < Out; ++o) {
                    const float g = c.x[i] * c.dy[o];
                    const float step = minus_rate * g;
                    w_expected[i * Out + o] = step + c.w[i * Out + o];
                }
            CHECK(same_bits(w, w_expected, In * Out));
            CHECK(same_bits(p, w_expected, In * Out));
            flipped += count_zero_bits(c.w, In * Out, 0x80000000u) - count_zero_bits(w_expected, In * Out, 0x80000000u);
        }
    }
    std::printf("  200 cases: %lu weights of -0 made +0 by a zero step, as the full update makes them\n",
                static_cast<unsigned long>(flipped));
    CHECK(flipped > 0);
}
