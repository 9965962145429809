// Compiled by tinymlp_x86_dispatch_sources (from the installed package): once per x86-64 level in a
// build whose flags name none, once otherwise.
#include <tinymlp/dispatch.hpp>
#include <tinymlp/tinymlp.hpp>

namespace consumer::TINYMLP_ISA_VARIANT {

// The default target's name and a prediction of a small network on it.
const char* predict(float* y) {
    static tinymlp::Sequential<tinymlp::Dense<3, 4>, tinymlp::ReLU, tinymlp::Dense<4, 2>> net;
    net.init(1);
    const float x[3] = {0.5f, -1.0f, 2.0f};
    return net.predict(x, y) == tinymlp::Status::ok ? tinymlp::DefaultTarget::name : nullptr;
}

}  // namespace consumer::TINYMLP_ISA_VARIANT
