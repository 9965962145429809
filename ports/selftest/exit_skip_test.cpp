// Selftest: a test that calls SKIP() (and nothing failed) must exit with status 77.
#include "check.hpp"

TEST(deliberately_skips) { SKIP("selftest of the skip path"); }

int main() { return tinymlp_test::run_all(); }
