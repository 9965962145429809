// Element-wise activations without parameters: H = f(X), shapes [B][N] in and out.
// Each function gives f(x) and f'(x) (from the input x or, cheaper, from the output y), and the
// same on a SIMD vector V of lanes (forward_lanes, derivative_lanes), used by SimdTarget: V is an
// xsimd::batch, whose select/exp/abs/tanh are found by argument-dependent lookup, so this header
// needs no SIMD include.
#pragma once
#include <cmath>
#include <cstddef>

#include "../kernels/elementwise.hpp"
#include "context.hpp"

namespace tinymlp {

struct ReLUFunction {
    static constexpr const char* name = "ReLU";
    template <class Text> static constexpr void spell(Text& text, const char* prefix) { text << prefix << "ReLU"; }
    static constexpr bool is_relu = true;
    template <class S> static S forward(S x) { return x > S(0) ? x : S(0); }
    template <class S> static S derivative(S x, S) { return x > S(0) ? S(1) : S(0); }
    template <class V> static V forward_lanes(V x) { return select(x > V(0), x, V(0)); }
    template <class V> static V derivative_lanes(V x, V) { return select(x > V(0), V(1), V(0)); }
};

// Fixed slope Numerator/Denominator for x <= 0 (0.01 by default, as in PyTorch).
template <int Numerator, int Denominator>
struct LeakyReLUFunction {
    static constexpr const char* name = "LeakyReLU";
    template <class Text>
    static constexpr void spell(Text& text, const char* prefix) {
        text << prefix << "LeakyReLU<" << static_cast<long long>(Numerator) << ", " << static_cast<long long>(Denominator) << ">";
    }
    template <class S> static constexpr S slope() { return S(Numerator) / S(Denominator); }
    template <class S> static S forward(S x) { return x > S(0) ? x : slope<S>() * x; }
    template <class S> static S derivative(S x, S) { return x > S(0) ? S(1) : slope<S>(); }
    template <class V> static V forward_lanes(V x) {
        return select(x > V(0), x, V(slope<typename V::value_type>()) * x);
    }
    template <class V> static V derivative_lanes(V x, V) {
        return select(x > V(0), V(1), V(slope<typename V::value_type>()));
    }
};

struct SigmoidFunction {
    static constexpr const char* name = "Sigmoid";
    template <class Text> static constexpr void spell(Text& text, const char* prefix) { text << prefix << "Sigmoid"; }
    // Two forms so that exp() never overflows: for x < 0, exp(x) / (1 + exp(x)).
    template <class S> static S forward(S x) {
        if (x >= S(0)) return S(1) / (S(1) + std::exp(-x));
        const S e = std::exp(x);
        return e / (S(1) + e);
    }
    template <class S> static S derivative(S, S y) { return y * (S(1) - y); }
    template <class V> static V forward_lanes(V x) {
        const V e = exp(-abs(x));  // exp(-|x|) <= 1, the same two forms as above
        return select(x >= V(0), V(1) / (V(1) + e), e / (V(1) + e));
    }
    template <class V> static V derivative_lanes(V, V y) { return y * (V(1) - y); }
};

struct TanhFunction {
    static constexpr const char* name = "Tanh";
    template <class Text> static constexpr void spell(Text& text, const char* prefix) { text << prefix << "Tanh"; }
    template <class S> static S forward(S x) { return std::tanh(x); }
    template <class S> static S derivative(S, S y) { return S(1) - y * y; }
    template <class V> static V forward_lanes(V x) { return tanh(x); }
    template <class V> static V derivative_lanes(V, V y) { return V(1) - y * y; }
};

struct IdentityFunction {
    static constexpr const char* name = "Identity";
    template <class Text> static constexpr void spell(Text& text, const char* prefix) { text << prefix << "Identity"; }
    template <class S> static S forward(S x) { return x; }
    template <class S> static S derivative(S, S) { return S(1); }
    template <class V> static V forward_lanes(V x) { return x; }
    template <class V> static V derivative_lanes(V, V) { return V(1); }
};

template <class S, std::size_t N, class Function>
struct ActivationLayer {
    using scalar_type = S;
    static constexpr const char* name = Function::name;
    static constexpr std::size_t in_size = N, out_size = N;
    static constexpr std::size_t weight_count = 0, param_count = 0, saved_per_sample = 0;

    template <class Text> static constexpr void spell(Text& text, const char* prefix) { Function::spell(text, prefix); }
    static void init_default(S*, Pcg32&) {}

    template <class Target, std::size_t B>
    static void forward(const S*, const S* x, S* y, S*, ForwardContext&) {
        kernels::activation_forward<Function>(Target{}, x, y, B * N);
    }
    template <class Target, std::size_t B>
    static void backward(const S*, const S* x, const S* y, const S*, const S* dy, S* dx, S*, S*) {
        if (dx) kernels::activation_backward<Function>(Target{}, x, y, dy, dx, B * N);
    }
};

// Layer specs: the width comes from the previous layer.
template <class Function>
struct Activation {
    template <class S, std::size_t N>
    using bind = ActivationLayer<S, N, Function>;
};
using ReLU = Activation<ReLUFunction>;
template <int Numerator = 1, int Denominator = 100>
using LeakyReLU = Activation<LeakyReLUFunction<Numerator, Denominator>>;
using Sigmoid = Activation<SigmoidFunction>;
using Tanh = Activation<TanhFunction>;
using Identity = Activation<IdentityFunction>;

}  // namespace tinymlp
