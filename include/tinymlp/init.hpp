// Weight initializers. Each fills `count` values of a layer whose weight matrix has `fan_in`
// inputs and `fan_out` outputs, drawing from a Pcg32 so that a seed fixes the weights everywhere.
// Values are computed in double and rounded once to the network's scalar type.
#pragma once
#include <cmath>
#include <cstddef>

#include "out_of_line.hpp"
#include "random.hpp"

namespace tinymlp::init {

enum class FanMode { fan_in, fan_out };

struct Zeros {
    template <class S>
    void fill(S* data, std::size_t count, std::size_t, std::size_t, Pcg32&) const {
        for (std::size_t i = 0; i < count; ++i) data[i] = S(0);
    }
};

struct Constant {
    double value = 0;
    template <class S>
    void fill(S* data, std::size_t count, std::size_t, std::size_t, Pcg32&) const {
        for (std::size_t i = 0; i < count; ++i) data[i] = static_cast<S>(value);
    }
};

struct Normal {
    double mean = 0, std = 1;
    template <class S>
    void fill(S* data, std::size_t count, std::size_t, std::size_t, Pcg32& rng) const {
        for (std::size_t i = 0; i < count; ++i) data[i] = static_cast<S>(mean + std * rng.normal());
    }
};

struct Uniform {
    double low = 0, high = 1;
    // Out of line: one copy of the loop for every layer, where inlining would copy it (and its
    // double arithmetic, a library call each on most Cortex-M) into every caller.
    template <class S>
    TINYMLP_OUT_OF_LINE void fill(S* data, std::size_t count, std::size_t, std::size_t, Pcg32& rng) const {
        for (std::size_t i = 0; i < count; ++i)
            data[i] = static_cast<S>(low + (high - low) * rng.uniform());
    }
};

// Glorot & Bengio (2010): keeps the variance of activations and gradients balanced,
// Var = 2 / (fan_in + fan_out).
struct XavierUniform {
    double gain = 1;
    template <class S>
    void fill(S* data, std::size_t count, std::size_t fan_in, std::size_t fan_out, Pcg32& rng) const {
        const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
        Uniform{-bound, bound}.fill(data, count, fan_in, fan_out, rng);
    }
};

struct XavierNormal {
    double gain = 1;
    template <class S>
    void fill(S* data, std::size_t count, std::size_t fan_in, std::size_t fan_out, Pcg32& rng) const {
        const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
        Normal{0, std}.fill(data, count, fan_in, fan_out, rng);
    }
};

// He et al. (2015), for ReLU layers: Var = gain^2 / fan with gain sqrt(2).
struct HeUniform {
    FanMode mode = FanMode::fan_in;
    double gain = 1.4142135623730950488;
    template <class S>
    void fill(S* data, std::size_t count, std::size_t fan_in, std::size_t fan_out, Pcg32& rng) const {
        const double fan = static_cast<double>(mode == FanMode::fan_in ? fan_in : fan_out);
        const double bound = gain * std::sqrt(3.0 / fan);
        Uniform{-bound, bound}.fill(data, count, fan_in, fan_out, rng);
    }
};

struct HeNormal {
    FanMode mode = FanMode::fan_in;
    double gain = 1.4142135623730950488;
    template <class S>
    void fill(S* data, std::size_t count, std::size_t fan_in, std::size_t fan_out, Pcg32& rng) const {
        const double fan = static_cast<double>(mode == FanMode::fan_in ? fan_in : fan_out);
        Normal{0, gain / std::sqrt(fan)}.fill(data, count, fan_in, fan_out, rng);
    }
};

// What torch.nn.Linear does by default, for weights and bias alike: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
struct PyTorchDefault {
    template <class S>
    void fill(S* data, std::size_t count, std::size_t fan_in, std::size_t fan_out, Pcg32& rng) const {
        const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
        Uniform{-bound, bound}.fill(data, count, fan_in, fan_out, rng);
    }
};

}  // namespace tinymlp::init
