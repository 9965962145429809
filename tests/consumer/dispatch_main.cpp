// Calls the variant of dispatch_model.cpp this CPU runs (or the build's only one).
#include <cstdio>

#include <tinymlp/dispatch.hpp>

TINYMLP_ISA_DECLARE(consumer, const char* predict(float* y))

int main() {
    float y[2] = {0, 0};
    const char* target = TINYMLP_ISA_PICK(consumer, predict)(y);
#if defined(TINYMLP_X86_DISPATCH)
    const bool dispatched = true;
#else
    const bool dispatched = false;
#endif
    std::printf("%s: target %s, outputs %g %g (CPU level %s)\n", dispatched ? "dispatched at run time" : "one variant",
                target ? target : "(predict failed)", static_cast<double>(y[0]), static_cast<double>(y[1]),
                tinymlp::to_string(tinymlp::cpu_isa_level()));
    return target ? 0 : 1;
}
