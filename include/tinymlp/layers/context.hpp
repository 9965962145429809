// What a forward pass needs besides its data: the mode (dropout is active only in training)
// and the random stream that draws dropout masks.
#pragma once
#include <cstddef>

#include "../random.hpp"

namespace tinymlp {

// For printf-style spelling of sizes on every target (size_t has no portable C++17 format on newlib-nano).
constexpr unsigned long ulong(std::size_t n) { return static_cast<unsigned long>(n); }

struct ForwardContext {
    bool training = false;
    Pcg32* rng = nullptr;  // needed only by training-mode dropout
};

}  // namespace tinymlp
