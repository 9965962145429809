// Compiled for a 32-bit target (arm-none-eabi): 65536 x 65537 weights wrap a 32-bit size_t to
// 65536, a small and wrong size that used to compile; the build must refuse it.
#include <tinymlp/tinymlp.hpp>

using Net = tinymlp::Sequential<tinymlp::Dense<65536, 65537>>;
static_assert(Net::parameter_count > 0, "");
