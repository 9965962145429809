// Must NOT compile: Dense<256, 10> follows a layer of width 128. The error names
// check_adjacent_sizes<layer index 2, previous output 128, declared input 256>.
#include <tinymlp/tinymlp.hpp>

using Broken = tinymlp::Sequential<tinymlp::Dense<784, 128>, tinymlp::ReLU, tinymlp::Dense<256, 10>>;

int main() { return static_cast<int>(Broken::parameter_count); }
