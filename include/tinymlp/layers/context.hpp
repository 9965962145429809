// What a forward pass needs besides its data: the mode (dropout is active only in training)
// and the random stream that draws dropout masks.
#pragma once
#include <cstddef>

#include "../random.hpp"

namespace tinymlp {

struct ForwardContext {
    bool training = false;
    Pcg32* rng = nullptr;  // needed only by training-mode dropout
};

}  // namespace tinymlp
