// Baseline image of the footprint report: the runtime and printf (integers and floats, as the
// other two images use them) without tinymlp. The other images minus this one is what tinymlp
// and the program add.
#include <cstdio>

int main() {
    volatile unsigned long count = 6792;
    volatile float value = 0.5f;
    std::printf("footprint baseline %lu %.4f\n", count, static_cast<double>(value));
    return 0;
}
