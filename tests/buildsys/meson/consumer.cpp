// Built by Meson against tinymlp found through pkg-config: a Dense<2, 2> layer with chosen
// parameters, whose outputs are exact in float (x W + b with small integers and halves).
#include <cstdio>

#include <tinymlp/tinymlp.hpp>

int main() {
    using namespace tinymlp;
    using Net = Sequential<Dense<2, 2>, ReLU>;
    static_assert(Net::parameter_count == 6);
    // W[In][Out] = {{1, -2}, {0.5, 3}}, b = {0.25, -1}
    const float params[Net::parameter_count] = {1, -2, 0.5f, 3, 0.25f, -1};
    const float x[2] = {2, 4};
    float y[2] = {-1, -1};
    if (Net::predict_with(params, x, y) != Status::ok) return 1;
    // y = relu({2 + 2 + 0.25, -4 + 12 - 1}) = {4.25, 7}
    std::printf("meson consumer: y = {%g, %g}\n", y[0], y[1]);
    return (y[0] == 4.25f && y[1] == 7.0f) ? 0 : 1;
}
