// The topology signature that blobs and exported headers carry is a compile-time constant, and it
// is the same FNV-1a 64 of the same text as in earlier builds (values pinned from them), so blobs,
// headers and tools/pytorch_interop.py output written before still load.
#include <cstring>

#include <tinymlp/tinymlp.hpp>

#include "check.hpp"

using namespace tinymlp;

using Plain = Sequential<Dense<784, 256>, ReLU, Dense<256, 10>>;
using Options = Sequential<Dense<4, 9>, LeakyReLU<1, 10>, Dense<9, 9, Bias::off>, Sigmoid, Dense<9, 5>, Softmax>;
using Slopes_ = Sequential<Dense<5, 12>, PReLU<>, Dense<12, 8>, PReLU<Slopes::per_unit>, Dense<8, 3>, Tanh, Identity>;
using Double = Network<double, DefaultTarget, Dense<10, 20>, ReLU, Dropout<50>, Dense<20, 4>, LeakyReLU<-3, 7>>;

static_assert(Plain::topology_signature() == 0x665d62845238622dULL);
static_assert(Options::topology_signature() == 0xf79a033580cae22bULL);
static_assert(Slopes_::topology_signature() == 0x77575e38a9257c42ULL);
static_assert(Double::topology_signature() == 0x477911e2ebbd1bd1ULL);

TEST(spelling_is_the_layer_list_as_written) {
    char text[Options::spelling_capacity * 2];
    const std::size_t length = Options::spell_layers(text, sizeof text, "tinymlp::");
    const char* expected = "tinymlp::Dense<4, 9>, tinymlp::LeakyReLU<1, 10>, tinymlp::Dense<9, 9, tinymlp::Bias::off>, "
                           "tinymlp::Sigmoid, tinymlp::Dense<9, 5>, tinymlp::Softmax";
    CHECK(std::strcmp(text, expected) == 0);
    CHECK(length == std::strlen(expected));
    // Truncated like snprintf: n - 1 characters and a NUL, the full length returned.
    char small[8];
    CHECK(Double::spell_layers(small, sizeof small) == std::strlen(Double::spelling().text));
    CHECK(std::strcmp(small, "Dense<1") == 0);
    std::printf("  %s\n", Double::spelling().text);
}
