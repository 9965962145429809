#include "check.hpp"

int main() { return tinymlp_test::run_all(); }
