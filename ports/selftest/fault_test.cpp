// Selftest (Cortex-M): unbounded recursion overflows the stack; the fault handler must report
// it and exit with status 1 instead of hanging or corrupting memory.
#include <cstdio>

#pragma GCC diagnostic ignored "-Winfinite-recursion"

namespace {

__attribute__((noinline)) int recurse(int depth) {
    volatile char frame[1024];
    frame[0] = static_cast<char>(depth);
    return recurse(depth + 1) + frame[0];
}

}  // namespace

int main() {
    std::printf("recursing until the stack runs out\n");
    return recurse(0);
}
