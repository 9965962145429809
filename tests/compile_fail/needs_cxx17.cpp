// Compiled below C++17 by ctest needs_cxx17_*: the only error must be tinymlp's own #error.
#include <tinymlp/tinymlp.hpp>

int main() { return 0; }
