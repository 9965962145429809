// Selftest: a failing check must make the program exit with status 1 (through QEMU too).
#include "check.hpp"

TEST(deliberately_fails) { CHECK(1 + 1 == 3); }

int main() { return tinymlp_test::run_all(); }
