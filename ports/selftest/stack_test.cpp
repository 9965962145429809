// Selftest (Cortex-M): stack painting and the high-water helper of stack_usage.h.
#include <cstdio>

#include "check.hpp"
#include "stack_usage.h"

namespace {

// Touches `bytes` of stack; noinline so the frame really is this function's.
__attribute__((noinline)) int use_stack(unsigned bytes) {
    volatile unsigned char buffer[16384];
    const unsigned n = bytes < sizeof buffer ? bytes : sizeof buffer;
    for (unsigned i = 0; i < n; ++i) buffer[i] = static_cast<unsigned char>(i);
    int sum = 0;
    for (unsigned i = 0; i < n; ++i) sum += buffer[i];
    return sum;
}

}  // namespace

TEST(stack_size_is_configured) {
    std::printf("  stack: %u bytes, used so far %u bytes\n",
                static_cast<unsigned>(tinymlp_stack_size()),
                static_cast<unsigned>(tinymlp_stack_used()));
    CHECK(tinymlp_stack_size() == 256u * 1024u);
    CHECK(tinymlp_stack_used() > 0);
    CHECK(tinymlp_stack_used() < 8u * 1024u);
}

TEST(high_water_mark_follows_use) {
    tinymlp_stack_repaint();
    const std::size_t depth = tinymlp_stack_depth();
    CHECK(use_stack(16384) > 0);
    const std::size_t after = tinymlp_stack_used();
    std::printf("  depth %u bytes, high water after a 16 KiB frame %u bytes\n",
                static_cast<unsigned>(depth), static_cast<unsigned>(after));
    CHECK(after >= depth + 16384);
    CHECK(after <= depth + 16384 + 256);
    // A shallower call afterwards does not lower the mark; a repaint resets it.
    CHECK(use_stack(1024) > 0);
    CHECK(tinymlp_stack_used() == after);
    tinymlp_stack_repaint();
    CHECK(tinymlp_stack_used() < depth + 1024);
}

int main() { return tinymlp_test::run_all(); }
