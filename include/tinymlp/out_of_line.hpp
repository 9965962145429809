// TINYMLP_OUT_OF_LINE: a function the compiler keeps as one copy, neither inlined into its callers
// nor cloned for their constant arguments (GCC's constprop clones). For code that runs rarely or
// costs more than a call, where every copy is flash a Cortex-M image pays for.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#define TINYMLP_OUT_OF_LINE __attribute__((noinline, noclone))
#elif defined(__GNUC__)
#define TINYMLP_OUT_OF_LINE __attribute__((noinline))
#else
#define TINYMLP_OUT_OF_LINE
#endif
