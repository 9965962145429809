// What each instruction-set variant of dispatch_variant.cpp reports to test_dispatch.cpp.
#pragma once

#include <tinymlp/dispatch.hpp>

namespace dispatch_test {

constexpr int steps = 20;
constexpr int outputs = 4;

struct Outcome {
    tinymlp::IsaLevel compiled;  // the level the variant was compiled for
    const char* target;          // its DefaultTarget
    float loss;                  // the loss of the last training step
    float output[outputs];       // a prediction after training
};

}  // namespace dispatch_test
