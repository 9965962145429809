// Smallest program using the installed tinymlp package.
#if __has_include(<tinymlp/tinymlp.hpp>)
#include <tinymlp/tinymlp.hpp>
#endif
#if defined(TINYMLP_HAS_XSIMD)
#include <xsimd/xsimd.hpp>
#endif
#include <cstdio>

int main() {
    std::printf("tinymlp consumer OK\n");
    return 0;
}
