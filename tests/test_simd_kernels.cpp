// Every kernel of the build's default target (SimdTarget<xsimd::default_arch> when the build has
// SIMD: 4 float lanes with SSE2, 8 with AVX2, 16 with AVX-512) against the scalar reference, in
// float and double, on sizes that leave every kind of tail: 1, 3, 7, 8, 10, 17, 33, 64, 784 and
// batches of 1, 3, 5, 8, 32. Skipped when the default target is the scalar one, and for a scalar
// type the target has no lanes of (double on 32-bit NEON and Cortex-M: the reference runs then).
//
// Tolerances (eps: the machine epsilon of the scalar type):
//  - sums of K products (dense kernels, bias gradient): |simd - ref| <= 2 (K + 1) eps sum_k |term_k|,
//    the worst-case bound for two orders of summation of the same terms (FMA or not);
//  - element-wise formulas without a transcendental function (ReLU, LeakyReLU, Identity, PReLU,
//    dropout, scale, L1): exact; their derivatives times dy: 2 eps (|dx| + |dy|) (FMA contraction);
//  - Sigmoid, Tanh (xsimd's exp and tanh against std::): 8 eps |ref| + eps;
//  - softmax and the cross-entropy gradient over C classes: (8 + 2 C) eps |ref| + eps (the row sum
//    of C exponentials in another order); softmax backward: 2 (C + 2) eps y (sum_c |dy_c| y_c + |dy|)
//    + 2 eps |ref|; cross-entropy loss: 8 eps (|loss| + max |z|); BCE gradient: 8 eps |ref| + 8 eps / (B C);
//  - sums of squares / absolute values and the MSE / BCE losses: 1e-6 relative in float (lanes of
//    float between flushes to double), 1e-13 in double;
//  - optimizer updates: 2 (SGD), 4 (momentum) or 8 (Adam) eps of (|result| + 1) (parameters and
//    gradients are about 1).
// Each test prints its largest error as a fraction of its tolerance.
//
// The cases instantiate hundreds of kernels: test_simd_kernels links this file four times, so
// that a build compiles them in parallel (TINYMLP_SIMD_KERNELS_PART 1 and 2: the dense kernels in
// float and in double, simd_kernels_dense_float.cpp and simd_kernels_dense_double.cpp; 3: the
// other kernels in float, simd_kernels_float.cpp; 0, this file alone: those in double).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <type_traits>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

namespace {

using Fast = DefaultTarget;
constexpr bool has_simd = !std::is_same_v<Fast, ScalarTarget>;

template <class S>
constexpr double eps = std::numeric_limits<S>::epsilon();

#ifndef TINYMLP_TEST_SMALL_MEMORY
#define TINYMLP_TEST_SMALL_MEMORY 0
#endif
// Boards with a few MiB of RAM (Cortex-M) test every size but the 784-wide ones.
constexpr bool small_memory = TINYMLP_TEST_SMALL_MEMORY;
// Large enough for the biggest case: 784 x 256 weights (100 x 70 on small boards).
constexpr std::size_t capacity = small_memory ? 100 * 70 + 64 : 784 * 256 + 64;
template <class S>
struct Buffers {
    alignas(64) S a[capacity], b[capacity], c[capacity], d[capacity];
    alignas(64) S fast[capacity], reference[capacity], magnitude[capacity];
    alignas(64) S abs_a[capacity], abs_b[capacity], abs_c[capacity];
};
template <class S>
Buffers<S>& buffers() {
    static Buffers<S> instance;
    return instance;
}

template <class S>
void fill(S* p, std::size_t n, Pcg32& rng, double scale = 1.0) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<S>(scale * rng.normal());
}
template <class S>
void absolute(const S* p, S* q, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) q[i] = std::fabs(p[i]);
}

// Largest error seen, as a fraction of its tolerance (0 when every result was exact), printed by
// the tests to show how much margin the tolerances leave.
struct Worst {
    double value = 0;
    void see(double fraction) { value = fraction > value ? fraction : value; }
};

// Checks fast[i] against reference[i] with tolerance tol(i); reports the first few failures.
template <class S, class Tolerance>
bool compare(const char* what, const S* fast, const S* reference, std::size_t n, Tolerance tolerance,
             Worst& worst) {
    std::size_t failures = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double error = std::fabs(static_cast<double>(fast[i]) - static_cast<double>(reference[i]));
        const double tol = tolerance(i);
        worst.see(error == 0 ? 0.0 : (tol > 0 ? error / tol : 1e300));
        if (!(error <= tol)) {
            if (failures++ < 3)
                std::printf("  %s[%lu]: got %.17g, expected %.17g (tolerance %.3g)\n", what,
                            static_cast<unsigned long>(i), static_cast<double>(fast[i]),
                            static_cast<double>(reference[i]), tol);
        }
    }
    CHECK(failures == 0);
    return failures == 0;
}

// --- dense ------------------------------------------------------------------------------------

template <class S, std::size_t B, std::size_t In, std::size_t Out>
void check_dense(Worst& worst) {
    static_assert(B * In + 64 <= capacity && In * Out + 64 <= capacity && B * Out + 64 <= capacity);
    Buffers<S>& m = buffers<S>();
    Pcg32 rng(B * 1000003 + In * 1009 + Out);
    S *x = m.a, *w = m.b, *bias = m.c, *dy = m.d;
    fill(x, B * In, rng);
    fill(w, In * Out, rng, 0.1);
    fill(bias, Out, rng);
    fill(dy, B * Out, rng);
    char what[96];
    const double e = eps<S>;

    // y = x W + b, with and without bias
    for (int with_bias = 0; with_bias < 2; ++with_bias) {
        const S* bp = with_bias ? bias : nullptr;
        kernels::dense_forward<B, In, Out>(Fast{}, x, w, bp, m.fast);
        kernels::dense_forward<B, In, Out>(ScalarTarget{}, x, w, bp, m.reference);
        absolute(x, m.abs_a, B * In);
        absolute(w, m.abs_b, In * Out);
        absolute(bias, m.abs_c, Out);
        kernels::dense_forward<B, In, Out>(ScalarTarget{}, m.abs_a, m.abs_b, with_bias ? m.abs_c : nullptr,
                                           m.magnitude);
        std::snprintf(what, sizeof what, "dense_forward<%lu,%lu,%lu>%s", (unsigned long)B, (unsigned long)In,
                      (unsigned long)Out, with_bias ? "" : " no bias");
        compare(what, m.fast, m.reference, B * Out,
                [&](std::size_t i) { return 2.0 * (In + 1) * e * m.magnitude[i]; }, worst);
    }

    // dx = dy W^T
    // the scratch the kernel says it needs, and not a scalar more
    constexpr std::size_t scratch_count = kernels::dense_backward_input_scratch<B, In, Out, S>(Fast{});
    static S scratch[scratch_count > 0 ? scratch_count : 1];
    kernels::dense_backward_input<B, In, Out>(Fast{}, dy, w, m.fast, scratch);
    kernels::dense_backward_input<B, In, Out>(ScalarTarget{}, dy, w, m.reference);
    absolute(dy, m.abs_a, B * Out);
    absolute(w, m.abs_b, In * Out);
    kernels::dense_backward_input<B, In, Out>(ScalarTarget{}, m.abs_a, m.abs_b, m.magnitude);
    std::snprintf(what, sizeof what, "dense_backward_input<%lu,%lu,%lu>", (unsigned long)B, (unsigned long)In,
                  (unsigned long)Out);
    compare(what, m.fast, m.reference, B * In, [&](std::size_t i) { return 2.0 * (Out + 1) * e * m.magnitude[i]; },
            worst);

    // dW = x^T dy
    kernels::dense_backward_weights<B, In, Out>(Fast{}, x, dy, m.fast);
    kernels::dense_backward_weights<B, In, Out>(ScalarTarget{}, x, dy, m.reference);
    absolute(x, m.abs_a, B * In);
    absolute(dy, m.abs_b, B * Out);
    kernels::dense_backward_weights<B, In, Out>(ScalarTarget{}, m.abs_a, m.abs_b, m.magnitude);
    std::snprintf(what, sizeof what, "dense_backward_weights<%lu,%lu,%lu>", (unsigned long)B, (unsigned long)In,
                  (unsigned long)Out);
    compare(what, m.fast, m.reference, In * Out, [&](std::size_t i) { return 2.0 * (B + 1) * e * m.magnitude[i]; },
            worst);

    // db = sum_n dy
    kernels::dense_backward_bias<B, Out>(Fast{}, dy, m.fast);
    kernels::dense_backward_bias<B, Out>(ScalarTarget{}, dy, m.reference);
    kernels::dense_backward_bias<B, Out>(ScalarTarget{}, m.abs_b, m.magnitude);
    std::snprintf(what, sizeof what, "dense_backward_bias<%lu,%lu>", (unsigned long)B, (unsigned long)Out);
    compare(what, m.fast, m.reference, Out, [&](std::size_t i) { return 2.0 * (B + 1) * e * m.magnitude[i]; },
            worst);
}

// Every output width against a fixed odd input width, for every batch size.
template <class S, std::size_t In, std::size_t... Outs>
void dense_outputs(Worst& worst) {
    (check_dense<S, 1, In, Outs>(worst), ...);
    (check_dense<S, 3, In, Outs>(worst), ...);
    (check_dense<S, 5, In, Outs>(worst), ...);
    (check_dense<S, 8, In, Outs>(worst), ...);
    (check_dense<S, 32, In, Outs>(worst), ...);
}
// Every input width against a fixed output width, for batches 1, 5, 32. (Between them, these
// sizes take both ways of computing the input gradient, dot products and copied tiles of W^T, with
// 4, 8 and 16 lanes.)
template <class S, std::size_t Out, std::size_t... Ins>
void dense_inputs(Worst& worst) {
    (check_dense<S, 1, Ins, Out>(worst), ...);
    (check_dense<S, 5, Ins, Out>(worst), ...);
    (check_dense<S, 32, Ins, Out>(worst), ...);
}

template <class S>
void dense_all() {
    Worst worst;
    dense_outputs<S, 17, 1, 3, 7, 8, 10, 17, 33, 64>(worst);
    dense_inputs<S, 10, 1, 3, 7, 8, 10, 33, 64>(worst);
    if constexpr (!small_memory) {
        dense_outputs<S, 17, 784>(worst);
        dense_inputs<S, 10, 784>(worst);
        check_dense<S, 8, 784, 256>(worst);
        check_dense<S, 32, 256, 128>(worst);
        check_dense<S, 32, 784, 33>(worst);
        check_dense<S, 1, 784, 256>(worst);
    }
    // the shapes of the benchmarked networks, and a few more mixed tails
    check_dense<S, 3, 128, 10>(worst);
    check_dense<S, 32, 32, 64>(worst);
    check_dense<S, 5, 64, 64>(worst);
    check_dense<S, 32, 64, 8>(worst);
    check_dense<S, 7, 33, 33>(worst);
    check_dense<S, 13, 100, 70>(worst);
    std::printf("  largest error: %.3g of its tolerance\n", worst.value);
}

// --- element-wise -------------------------------------------------------------------------------

constexpr std::size_t counts[] = {1, 3, 7, 8, 10, 17, 33, 64, 784, 784 * 32 + 5};

template <class S, class Function>
void check_activation(const char* name, double relative, Worst& worst) {
    Buffers<S>& m = buffers<S>();
    for (std::size_t count : counts) {
        if (count + 64 > capacity) continue;  // small boards
        Pcg32 rng(count);
        fill(m.a, count, rng, 3.0);  // inputs in about [-10, 10]
        kernels::activation_forward<Function>(Fast{}, m.a, m.fast, count);
        kernels::activation_forward<Function>(ScalarTarget{}, m.a, m.reference, count);
        char what[64];
        std::snprintf(what, sizeof what, "%s forward (%lu)", name, static_cast<unsigned long>(count));
        const double e = eps<S>;
        compare(what, m.fast, m.reference, count,
                [&](std::size_t i) { return relative * e * std::fabs(m.reference[i]) + (relative > 0 ? e : 0); },
                worst);
        // backward from the reference output, so that only the derivative differs
        fill(m.d, count, rng);
        kernels::activation_backward<Function>(Fast{}, m.a, m.reference, m.d, m.fast, count);
        kernels::activation_backward<Function>(ScalarTarget{}, m.a, m.reference, m.d, m.c, count);
        std::snprintf(what, sizeof what, "%s backward (%lu)", name, static_cast<unsigned long>(count));
        // 1 - y^2 and the like may be contracted into one FMA or not: 2 eps of |dy| besides 2 eps |dx|
        compare(what, m.fast, m.c, count, [&](std::size_t i) { return 2 * e * (std::fabs(m.c[i]) + std::fabs(m.d[i])); },
                worst);
    }
}

// An activation with no lane functions goes through the reference kernel.
struct SquareFunction {
    template <class S> static S forward(S x) { return x * x; }
    template <class S> static S derivative(S x, S) { return S(2) * x; }
};

template <class S>
void activations_all() {
    Worst exact, transcendental;
    check_activation<S, ReLUFunction>("ReLU", 0, exact);
    check_activation<S, LeakyReLUFunction<1, 100>>("LeakyReLU", 0, exact);
    check_activation<S, LeakyReLUFunction<3, 10>>("LeakyReLU<3,10>", 0, exact);
    check_activation<S, IdentityFunction>("Identity", 0, exact);
    check_activation<S, SquareFunction>("Square (no lanes)", 0, exact);
    check_activation<S, SigmoidFunction>("Sigmoid", 8, transcendental);
    check_activation<S, TanhFunction>("Tanh", 8, transcendental);
    std::printf("  largest error: %.3g of its tolerance (exact ones), %.3g (Sigmoid, Tanh)\n", exact.value,
                transcendental.value);
}

template <class S>
void reductions_all() {
    Buffers<S>& m = buffers<S>();
    Worst worst;
    for (std::size_t count : counts) {
        if (count + 64 > capacity) continue;  // small boards
        Pcg32 rng(count + 7);
        fill(m.a, count, rng);
        const double tolerance = std::is_same_v<S, float> ? 1e-6 : 1e-13;
        const double squares = kernels::sum_of_squares(Fast{}, m.a, count);
        const double squares_ref = kernels::sum_of_squares(ScalarTarget{}, m.a, count);
        CHECK_NEAR(squares, squares_ref, tolerance * squares_ref);
        worst.see(std::fabs(squares - squares_ref) / (tolerance * squares_ref));
        const double absolutes = kernels::sum_of_absolute_values(Fast{}, m.a, count);
        const double absolutes_ref = kernels::sum_of_absolute_values(ScalarTarget{}, m.a, count);
        CHECK_NEAR(absolutes, absolutes_ref, tolerance * absolutes_ref);
        worst.see(std::fabs(absolutes - absolutes_ref) / (tolerance * absolutes_ref));

        // all_finite: every position of a non-finite value, including the tail lanes
        CHECK(kernels::all_finite(Fast{}, m.a, count));
        const S bad[] = {std::numeric_limits<S>::infinity(), -std::numeric_limits<S>::infinity(),
                         std::numeric_limits<S>::quiet_NaN(), -std::numeric_limits<S>::quiet_NaN(),
                         std::numeric_limits<S>::signaling_NaN()};
        // the finite values nearest the test's boundaries: the largest exponent, the smallest
        const S edge[] = {std::numeric_limits<S>::max(), std::numeric_limits<S>::lowest(),
                          std::numeric_limits<S>::denorm_min(), -std::numeric_limits<S>::denorm_min(), S(-0.0)};
        for (std::size_t at : {std::size_t(0), count / 2, count - 1}) {
            for (S value : edge) {
                const S saved = m.a[at];
                m.a[at] = value;
                CHECK(kernels::all_finite(Fast{}, m.a, count));
                m.a[at] = saved;
            }
            for (S value : bad) {
                const S saved = m.a[at];
                m.a[at] = value;
                CHECK(!kernels::all_finite(Fast{}, m.a, count));
                m.a[at] = saved;
            }
        }
        // a non-finite value just past the end is not looked at
        m.a[count] = std::numeric_limits<S>::quiet_NaN();
        CHECK(kernels::all_finite(Fast{}, m.a, count));

        // scale and the L1 gradient, with exact zeros among the weights
        for (std::size_t i = 0; i < count; i += 5) m.a[i] = S(0);
        fill(m.b, count, rng);
        for (std::size_t i = 0; i < count; ++i) m.fast[i] = m.reference[i] = m.b[i];
        kernels::scale(Fast{}, m.fast, count, S(0.37));
        kernels::scale(ScalarTarget{}, m.reference, count, S(0.37));
        compare("scale", m.fast, m.reference, count, [](std::size_t) { return 0.0; }, worst);
        kernels::add_l1_gradient(Fast{}, m.a, m.fast, count, S(0.01));
        kernels::add_l1_gradient(ScalarTarget{}, m.a, m.reference, count, S(0.01));
        compare("add_l1_gradient", m.fast, m.reference, count, [](std::size_t) { return 0.0; }, worst);

        // dropout's multiply
        kernels::multiply(Fast{}, m.a, m.b, m.fast, count);
        kernels::multiply(ScalarTarget{}, m.a, m.b, m.reference, count);
        compare("multiply", m.fast, m.reference, count, [](std::size_t) { return 0.0; }, worst);
    }
    std::printf("  largest error: %.3g of its tolerance\n", worst.value);
}

// --- PReLU ------------------------------------------------------------------------------------

template <class S, std::size_t B, std::size_t N, std::size_t Slopes>
void check_prelu(Worst& worst) {
    Buffers<S>& m = buffers<S>();
    Pcg32 rng(B * 31 + N * 7 + Slopes);
    fill(m.a, B * N, rng);
    fill(m.b, Slopes, rng, 0.3);
    fill(m.d, B * N, rng);
    const double e = eps<S>;
    kernels::prelu_forward<B, N, Slopes>(Fast{}, m.a, m.b, m.fast);
    kernels::prelu_forward<B, N, Slopes>(ScalarTarget{}, m.a, m.b, m.reference);
    compare("prelu_forward", m.fast, m.reference, B * N, [](std::size_t) { return 0.0; }, worst);

    S* dslope_fast = m.magnitude;
    S* dslope_ref = m.magnitude + N + 1;
    S* dslope_abs = m.magnitude + 2 * (N + 1);
    kernels::prelu_backward<B, N, Slopes>(Fast{}, m.a, m.b, m.d, m.fast, dslope_fast);
    kernels::prelu_backward<B, N, Slopes>(ScalarTarget{}, m.a, m.b, m.d, m.reference, dslope_ref);
    compare("prelu_backward dx", m.fast, m.reference, B * N, [](std::size_t) { return 0.0; }, worst);
    absolute(m.a, m.abs_a, B * N);
    absolute(m.d, m.abs_b, B * N);
    for (std::size_t i = 0; i < B * N; ++i) m.abs_a[i] = m.a[i] > S(0) ? S(0) : -m.abs_a[i];
    kernels::prelu_backward<B, N, Slopes>(ScalarTarget{}, m.abs_a, m.b, m.abs_b, m.abs_c, dslope_abs);
    // abs_a is -|x| where x <= 0 and 0 elsewhere: dslope_abs holds -sum |dy x| over x <= 0
    compare("prelu_backward dslope", dslope_fast, dslope_ref, Slopes,
            [&](std::size_t k) { return 2.0 * (B * N + 1) * e * std::fabs(dslope_abs[k]); }, worst);
    // without dx
    kernels::prelu_backward<B, N, Slopes>(Fast{}, m.a, m.b, m.d, static_cast<S*>(nullptr), dslope_fast);
    compare("prelu_backward dslope (no dx)", dslope_fast, dslope_ref, Slopes,
            [&](std::size_t k) { return 2.0 * (B * N + 1) * e * std::fabs(dslope_abs[k]); }, worst);
}

template <class S, std::size_t N>
void prelu_width(Worst& worst) {
    check_prelu<S, 1, N, 1>(worst);
    check_prelu<S, 1, N, N>(worst);
    check_prelu<S, 5, N, 1>(worst);
    check_prelu<S, 5, N, N>(worst);
    check_prelu<S, 32, N, N>(worst);
}

template <class S>
void prelu_all() {
    Worst worst;
    prelu_width<S, 1>(worst);
    prelu_width<S, 3>(worst);
    prelu_width<S, 7>(worst);
    prelu_width<S, 8>(worst);
    prelu_width<S, 10>(worst);
    prelu_width<S, 17>(worst);
    prelu_width<S, 33>(worst);
    prelu_width<S, 64>(worst);
    if constexpr (!small_memory) prelu_width<S, 784>(worst);
    std::printf("  largest error: %.3g of its tolerance\n", worst.value);
}

// --- softmax and losses -------------------------------------------------------------------------

template <class S, std::size_t B, std::size_t C>
void check_softmax(Worst& worst, Worst& loss_worst) {
    Buffers<S>& m = buffers<S>();
    Pcg32 rng(B * 131 + C);
    fill(m.a, B * C, rng, 4.0);
    const double e = eps<S>;
    kernels::softmax_forward<B, C>(Fast{}, m.a, m.fast);
    kernels::softmax_forward<B, C>(ScalarTarget{}, m.a, m.reference);
    // the row's sum of C exponentials, summed in another order: 2 C eps more
    compare("softmax_forward", m.fast, m.reference, B * C,
            [&](std::size_t i) { return (8 + 2.0 * C) * e * std::fabs(m.reference[i]) + e; }, worst);

    fill(m.d, B * C, rng);
    kernels::softmax_backward<B, C>(Fast{}, m.reference, m.d, m.fast);
    kernels::softmax_backward<B, C>(ScalarTarget{}, m.reference, m.d, m.c);
    // y (dy - <dy, y>): the dot product is a sum of C terms |dy_c| y_c
    for (std::size_t n = 0; n < B; ++n) {
        double dot_magnitude = 0;
        for (std::size_t c = 0; c < C; ++c) dot_magnitude += std::fabs(m.d[n * C + c]) * m.reference[n * C + c];
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t i = n * C + c;
            m.magnitude[i] = static_cast<S>(2.0 * (C + 2) * e * m.reference[i] * (dot_magnitude + std::fabs(m.d[i])) +
                                            2 * e * std::fabs(m.c[i]));
        }
    }
    compare("softmax_backward", m.fast, m.c, B * C, [&](std::size_t i) { return static_cast<double>(m.magnitude[i]); },
            worst);

    std::int32_t labels[B];
    for (std::size_t n = 0; n < B; ++n) labels[n] = static_cast<std::int32_t>(rng.next_u32() % C);
    const S loss = kernels::softmax_cross_entropy<B, C>(Fast{}, m.a, labels, m.fast);
    const S loss_ref = kernels::softmax_cross_entropy<B, C>(ScalarTarget{}, m.a, labels, m.reference);
    // per sample log(sum) + max - z[label]: errors of a few eps of the largest |z|
    double z_scale = 1;
    for (std::size_t i = 0; i < B * C; ++i) z_scale = std::fmax(z_scale, std::fabs(m.a[i]));
    CHECK_NEAR(loss, loss_ref, 8 * e * (std::fabs(loss_ref) + z_scale));
    loss_worst.see(std::fabs(static_cast<double>(loss) - loss_ref) / (8 * e * (std::fabs(loss_ref) + z_scale)));
    compare("softmax_cross_entropy dz", m.fast, m.reference, B * C,
            [&](std::size_t i) { return (8 + 2.0 * C) * e * std::fabs(m.reference[i]) + 8 * e / B; }, worst);

    // the same data as regression outputs / logits with targets
    fill(m.b, B * C, rng);
    const S mse = kernels::mean_squared_error<B, C>(Fast{}, m.a, m.b, m.fast);
    const S mse_ref = kernels::mean_squared_error<B, C>(ScalarTarget{}, m.a, m.b, m.reference);
    const double sum_tolerance = std::is_same_v<S, float> ? 1e-6 : 1e-13;
    CHECK_NEAR(mse, mse_ref, sum_tolerance * std::fabs(mse_ref));
    loss_worst.see(std::fabs(static_cast<double>(mse) - mse_ref) / (sum_tolerance * std::fabs(mse_ref)));
    compare("mean_squared_error dy", m.fast, m.reference, B * C, [](std::size_t) { return 0.0; }, worst);

    for (std::size_t i = 0; i < B * C; ++i) m.b[i] = rng.uniform_float() < 0.5f ? S(0) : S(1);
    const S bce = kernels::binary_cross_entropy_with_logits<B, C>(Fast{}, m.a, m.b, m.fast);
    const S bce_ref = kernels::binary_cross_entropy_with_logits<B, C>(ScalarTarget{}, m.a, m.b, m.reference);
    CHECK_NEAR(bce, bce_ref, sum_tolerance * std::fabs(bce_ref));
    loss_worst.see(std::fabs(static_cast<double>(bce) - bce_ref) / (sum_tolerance * std::fabs(bce_ref)));
    compare("binary_cross_entropy_with_logits dz", m.fast, m.reference, B * C,
            [&](std::size_t i) { return 8 * e * std::fabs(m.reference[i]) + 8 * e / (B * C); }, worst);
}

template <class S, std::size_t C>
void softmax_width(Worst& worst, Worst& loss_worst) {
    check_softmax<S, 1, C>(worst, loss_worst);
    check_softmax<S, 3, C>(worst, loss_worst);
    check_softmax<S, 5, C>(worst, loss_worst);
    check_softmax<S, 8, C>(worst, loss_worst);
    check_softmax<S, 32, C>(worst, loss_worst);
}

template <class S>
void softmax_all() {
    Worst worst, loss_worst;
    softmax_width<S, 1>(worst, loss_worst);
    softmax_width<S, 3>(worst, loss_worst);
    softmax_width<S, 7>(worst, loss_worst);
    softmax_width<S, 8>(worst, loss_worst);
    softmax_width<S, 10>(worst, loss_worst);
    softmax_width<S, 17>(worst, loss_worst);
    softmax_width<S, 33>(worst, loss_worst);
    softmax_width<S, 64>(worst, loss_worst);
    if constexpr (!small_memory) softmax_width<S, 784>(worst, loss_worst);
    std::printf("  largest error: %.3g of its tolerance (values), %.3g (losses)\n", worst.value, loss_worst.value);
}

// --- optimizers -------------------------------------------------------------------------------

// One parameter's Adam step with both multiply-adds fused, as the vector kernels and the ports'
// loops make it (the reference kernel fuses them only where the target has a fast fma).
template <class S>
void fused_adam(const kernels::AdamStep<S>& a, S g, S& p, S& m, S& v) {
    m = std::fma(a.one_minus_beta1, g, a.beta1 * m);
    v = std::fma(a.one_minus_beta2 * g, g, a.beta2 * v);
    const S denominator = std::sqrt(v) / a.bias_correction2_sqrt + a.epsilon;
    p = p - a.step_size * m / denominator;
}
// Where multiply-adds are fused instructions (the ports' Adam loops, FMA targets), the Adam
// kernels give fused_adam's bits; elsewhere a vector fma may be a product and a sum. 32-bit NEON
// has no vector division or square root: xsimd's refine estimates (VRECPE, VRSQRTE), so there the
// kernels stay within the tolerance, not the bits (on AArch64 simd::divide and square_root are
// exact).
#if TINYMLP_PORT_LOOPS || \
    (defined(__FP_FAST_FMAF) && defined(__FP_FAST_FMA) && (!defined(__ARM_NEON) || defined(__aarch64__)))
constexpr bool adam_is_fused = true;
#else
constexpr bool adam_is_fused = false;
#endif
// Tolerance of an Adam result against fused_adam's: none where adam_is_fused, else `units` eps of
// (|reference| + 1).
template <class S>
auto adam_tolerance(const S* reference, double units) {
    return [reference, units](std::size_t i) {
        return adam_is_fused ? 0.0 : units * eps<S> * (std::fabs(reference[i]) + 1);
    };
}

// A fused one-sample Adam step makes each gradient x_i dy_o and applies it as adam_update does,
// through the ports' loops where Out is a whole number of their blocks.
template <class S, std::size_t Rows, std::size_t Out>
void one_sample_adam(Worst& worst) {
    static S x[Rows], dy[Out], w_fast[Rows * Out], w_ref[Rows * Out], m_fast[Rows * Out], m_ref[Rows * Out],
        v_fast[Rows * Out], v_ref[Rows * Out];
    Pcg32 rng(Rows * 100 + Out);
    fill(x, Rows, rng);
    fill(dy, Out, rng);
    fill(w_fast, Rows * Out, rng);
    fill(m_fast, Rows * Out, rng, 0.1);
    for (std::size_t i = 0; i < Rows * Out; ++i) {
        w_ref[i] = w_fast[i];
        m_ref[i] = m_fast[i];
        v_fast[i] = v_ref[i] = S(0.01) * std::fabs(m_fast[i]);
    }
    const kernels::AdamStep<S> adam{S(0.9), S(0.999), S(0.1), S(0.001), S(1e-8), S(0.01 / 0.19), S(0.0447)};
    kernels::dense_adam_one_sample<Rows, Out>(Fast{}, x, dy, w_fast, m_fast, v_fast, adam);
    for (std::size_t i = 0; i < Rows * Out; ++i) {
        const S g = x[i / Out] * dy[i % Out];
        fused_adam(adam, g, w_ref[i], m_ref[i], v_ref[i]);
    }
    compare("dense_adam_one_sample w", w_fast, w_ref, Rows * Out, adam_tolerance(w_ref, 8), worst);
    compare("dense_adam_one_sample m", m_fast, m_ref, Rows * Out, adam_tolerance(m_ref, 4), worst);
    compare("dense_adam_one_sample v", v_fast, v_ref, Rows * Out, adam_tolerance(v_ref, 4), worst);
}

template <class S>
void optimizers_all() {
    Buffers<S>& m = buffers<S>();
    Worst worst;
    const double e = eps<S>;
    const auto relative = [&](const S* reference, double units) {
        // parameters and gradients are about 1: units of eps of (|result| + 1)
        return [reference, units, e](std::size_t i) { return units * e * (std::fabs(reference[i]) + 1); };
    };
    for (std::size_t count : counts) {
        if (count + 64 > capacity) continue;  // small boards
        Pcg32 rng(count * 3 + 1);
        S* g = m.a;
        S* p_fast = m.fast;
        S* p_ref = m.reference;
        S* state_fast = m.b;  // velocity / first moment
        S* state_ref = m.c;
        S* second_fast = m.d;  // second moment
        S* second_ref = m.magnitude;
        fill(g, count, rng);
        const auto reset = [&] {
            Pcg32 r(count);
            fill(p_fast, count, r);
            for (std::size_t i = 0; i < count; ++i) p_ref[i] = p_fast[i];
            fill(state_fast, count, r, 0.1);
            for (std::size_t i = 0; i < count; ++i) state_ref[i] = state_fast[i];
            for (std::size_t i = 0; i < count; ++i) second_fast[i] = second_ref[i] = S(0.01) * std::fabs(state_fast[i]);
        };

        reset();
        kernels::sgd_update(Fast{}, p_fast, g, count, S(0.1), S(0.01));
        kernels::sgd_update(ScalarTarget{}, p_ref, g, count, S(0.1), S(0.01));
        compare("sgd_update", p_fast, p_ref, count, relative(p_ref, 2), worst);

        for (int variant = 0; variant < 4; ++variant) {
            const bool nesterov = variant & 1, first = variant & 2;
            reset();
            kernels::momentum_update(Fast{}, p_fast, g, state_fast, count, S(0.1), S(0.9), S(0.01), nesterov, first);
            kernels::momentum_update(ScalarTarget{}, p_ref, g, state_ref, count, S(0.1), S(0.9), S(0.01), nesterov,
                                     first);
            compare("momentum_update p", p_fast, p_ref, count, relative(p_ref, 4), worst);
            compare("momentum_update velocity", state_fast, state_ref, count, relative(state_ref, 4), worst);
        }

        reset();
        const kernels::AdamStep<S> adam{S(0.9), S(0.999), S(0.1), S(0.001), S(1e-8), S(0.01 / 0.19), S(0.0447)};
        kernels::adam_update(Fast{}, p_fast, g, state_fast, second_fast, count, adam, S(0.01));
        kernels::adam_update(ScalarTarget{}, p_ref, g, state_ref, second_ref, count, adam, S(0.01));
        compare("adam_update p", p_fast, p_ref, count, relative(p_ref, 8), worst);
        compare("adam_update m", state_fast, state_ref, count, relative(state_ref, 4), worst);
        compare("adam_update v", second_fast, second_ref, count, relative(second_ref, 4), worst);

        // Without decay the ports' Adam loops take the blocks (8 parameters on M4/M7/M33, 4 on the
        // M55's Helium), with the reference's operations in its order.
        reset();
        kernels::adam_update(Fast{}, p_fast, g, state_fast, second_fast, count, adam, S(0));
        for (std::size_t i = 0; i < count; ++i) fused_adam(adam, g[i], p_ref[i], state_ref[i], second_ref[i]);
        compare("adam_update without decay p", p_fast, p_ref, count, adam_tolerance(p_ref, 8), worst);
        compare("adam_update without decay m", state_fast, state_ref, count, adam_tolerance(state_ref, 4), worst);
        compare("adam_update without decay v", second_fast, second_ref, count, adam_tolerance(second_ref, 4), worst);
    }
    one_sample_adam<S, 3, 8>(worst);
    one_sample_adam<S, 5, 12>(worst);
    one_sample_adam<S, 2, 10>(worst);
    std::printf("  largest error: %.3g of its tolerance\n", worst.value);
}

#ifndef TINYMLP_SIMD_KERNELS_PART
#define TINYMLP_SIMD_KERNELS_PART 0
#endif

#if TINYMLP_SIMD_KERNELS_PART == 0
// Scalar types without SIMD lanes take the reference path through the SIMD target.
void long_double_goes_through_the_reference() {
    static long double x[3 * 17], w[17 * 10], b[10], y_fast[30], y_ref[30];
    Pcg32 rng(5);
    fill(x, 3 * 17, rng);
    fill(w, 17 * 10, rng);
    fill(b, 10, rng);
    kernels::dense_forward<3, 17, 10>(Fast{}, x, w, b, y_fast);
    kernels::dense_forward<3, 17, 10>(ScalarTarget{}, x, w, b, y_ref);
    for (std::size_t i = 0; i < 30; ++i) CHECK(y_fast[i] == y_ref[i]);
    kernels::activation_forward<TanhFunction>(Fast{}, x, y_fast, 30);
    kernels::activation_forward<TanhFunction>(ScalarTarget{}, x, y_ref, 30);
    for (std::size_t i = 0; i < 30; ++i) CHECK(y_fast[i] == y_ref[i]);
}
#endif

// Runs body(S{}) when the build has a SIMD target, else skips. The body is a generic lambda, so
// without SIMD it is never instantiated: the test then holds none of its buffers (some 24 MB).
template <class S, class Target>
struct default_target_has_lanes : std::false_type {};
#if TINYMLP_SIMD
template <class S, class Arch>
struct default_target_has_lanes<S, SimdTarget<Arch>> : std::bool_constant<kernels::simd::has_lanes<S, Arch>> {};
#endif

template <class S, class Body>
void run(Body body) {
    if constexpr (!has_simd) {
        SKIP("no SIMD target in this build");
    } else if constexpr (!default_target_has_lanes<S, Fast>::value) {
        // the SIMD kernels hand such types to the reference (Cortex-M: double): nothing to compare
        SKIP("the default target has no lanes of this type");
    } else {
        body(S{});
    }
}

}  // namespace

#if TINYMLP_SIMD_KERNELS_PART == 1
TEST(dense_float) {
    run<float>([](auto scalar) { dense_all<decltype(scalar)>(); });
}
#elif TINYMLP_SIMD_KERNELS_PART == 2
TEST(dense_double) {
    run<double>([](auto scalar) { dense_all<decltype(scalar)>(); });
}
#elif TINYMLP_SIMD_KERNELS_PART == 3
TEST(activations_float) {
    run<float>([](auto scalar) { activations_all<decltype(scalar)>(); });
}
TEST(reductions_scale_l1_dropout_float) {
    run<float>([](auto scalar) { reductions_all<decltype(scalar)>(); });
}
TEST(prelu_float) {
    run<float>([](auto scalar) { prelu_all<decltype(scalar)>(); });
}
TEST(softmax_and_losses_float) {
    run<float>([](auto scalar) { softmax_all<decltype(scalar)>(); });
}
TEST(optimizers_float) {
    run<float>([](auto scalar) { optimizers_all<decltype(scalar)>(); });
}
#else
TEST(default_target_is_simd) {
    if (!has_simd) SKIP("the default target is the scalar one (no SIMD in this build)");
    std::printf("  default target: %s\n", Fast::name);
}
TEST(activations_double) {
    run<double>([](auto scalar) { activations_all<decltype(scalar)>(); });
}
TEST(reductions_scale_l1_dropout_double) {
    run<double>([](auto scalar) { reductions_all<decltype(scalar)>(); });
}
TEST(prelu_double) {
    run<double>([](auto scalar) { prelu_all<decltype(scalar)>(); });
}
TEST(softmax_and_losses_double) {
    run<double>([](auto scalar) { softmax_all<decltype(scalar)>(); });
}
TEST(optimizers_double) {
    run<double>([](auto scalar) { optimizers_all<decltype(scalar)>(); });
}
TEST(types_without_lanes_use_the_reference) {
    run<float>([](auto) { long_double_goes_through_the_reference(); });
}
#endif
