// Compiled with arm-none-eabi-g++ and nothing but CPU flags (ctest cortex_m_lanes_from_compiler): the
// default target is the Cortex-M port's lanes, chosen from the compiler's macros, unless
// TINYMLP_NO_PORT_LANES keeps the reference. EXPECT names the lane type the flags should give.
#include <cstring>
#include <type_traits>

#include <tinymlp/tinymlp.hpp>

#if defined(TINYMLP_NO_PORT_LANES)
static_assert(std::is_same_v<tinymlp::DefaultTarget, tinymlp::ScalarTarget>, "the override keeps the reference");
#else
static_assert(std::is_same_v<tinymlp::DefaultTarget, tinymlp::SimdTarget<tinymlp::port::Arch>>,
              "a Cortex-M compiler gets the port's lanes");
constexpr bool same(const char* a, const char* b) { return *a == *b && (*a == 0 || same(a + 1, b + 1)); }
static_assert(same(tinymlp::port::Arch::name(), EXPECT), "the lane type for these CPU flags");
static_assert(tinymlp::storage_alignment == 8, "the port's storage alignment");
#endif
