// One-sample dense forward for Cortex-M cores with Helium (MVE with floating point, the M55), in
// assembly: the outputs of 16 (or 8) columns stay in q0-q3 over a whole column of W, a row of W
// arrives in four VLDRW, and each input multiplies them as the scalar of VFMA (vector by scalar),
// two inputs per LDRD. Sizes are run-time arguments, so one copy serves every layer shape.
//
// A dense output is its bias plus one chain of fused multiply-adds over K, in the order of the
// reference kernel (kernels/dense.hpp), as the loops of cortex_m_float_loops.hpp compute it on
// the M4, M7 and M33.
#pragma once
#include <cstddef>

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2) && !defined(TINYMLP_NO_FLOAT_LOOPS)
#define TINYMLP_PORT_MVE_LOOPS 1
#else
#define TINYMLP_PORT_MVE_LOOPS 0
#endif

#if TINYMLP_PORT_MVE_LOOPS
namespace tinymlp::port {

#define TINYMLP_LOOP [[gnu::noinline]] inline

// What a dense output chunk starts from when the layer has no bias.
alignas(8) inline constexpr float zeros16[16] = {};

// y[0, 16) = start[0, 16) + sum_k x[k] W[k][0, 16) for k < k_count, W's rows `stride` floats
// apart.
TINYMLP_LOOP void dense_columns16(const float* x, std::size_t k_count, const float* w, std::size_t stride,
                                  const float* start, float* y) {
    std::size_t pairs = k_count / 2;
    const std::size_t next = stride * sizeof(float);
    unsigned x0 = 0, x1 = 0;
#define TINYMLP_STEP16(xk)                                                                           \
    "vldrw.32 q4, [%[w]]\n\t" "vldrw.32 q5, [%[w], #16]\n\t" "vldrw.32 q6, [%[w], #32]\n\t"           \
    "vldrw.32 q7, [%[w], #48]\n\t" "add %[w], %[w], %[next]\n\t"                                     \
    "vfma.f32 q0, q4, " xk "\n\t" "vfma.f32 q1, q5, " xk "\n\t" "vfma.f32 q2, q6, " xk "\n\t"         \
    "vfma.f32 q3, q7, " xk "\n\t"
    __asm__ volatile(
        "vldrw.32 q0, [%[start]]\n\t" "vldrw.32 q1, [%[start], #16]\n\t"
        "vldrw.32 q2, [%[start], #32]\n\t" "vldrw.32 q3, [%[start], #48]\n\t"
        "cmp %[pairs], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_STEP16("%[x0]") TINYMLP_STEP16("%[x1]")
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_STEP16("%[x0]")
        "3:\n\t"
        "vstrw.32 q0, [%[y]]\n\t" "vstrw.32 q1, [%[y], #16]\n\t"
        "vstrw.32 q2, [%[y], #32]\n\t" "vstrw.32 q3, [%[y], #48]\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [pairs] "+&r"(pairs), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [start] "r"(start), [y] "r"(y), [next] "r"(next), [odd] "r"(k_count % 2)
        : "cc", "memory", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
#undef TINYMLP_STEP16
}

// The same for 8 columns: sums in q0-q1.
TINYMLP_LOOP void dense_columns8(const float* x, std::size_t k_count, const float* w, std::size_t stride,
                                 const float* start, float* y) {
    std::size_t pairs = k_count / 2;
    const std::size_t next = stride * sizeof(float);
    unsigned x0 = 0, x1 = 0;
#define TINYMLP_STEP8(xk, a, b)                                                                      \
    "vldrw.32 " a ", [%[w]]\n\t" "vldrw.32 " b ", [%[w], #16]\n\t" "add %[w], %[w], %[next]\n\t"      \
    "vfma.f32 q0, " a ", " xk "\n\t" "vfma.f32 q1, " b ", " xk "\n\t"
    __asm__ volatile(
        "vldrw.32 q0, [%[start]]\n\t" "vldrw.32 q1, [%[start], #16]\n\t"
        "cmp %[pairs], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_STEP8("%[x0]", "q4", "q5") TINYMLP_STEP8("%[x1]", "q6", "q7")
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_STEP8("%[x0]", "q4", "q5")
        "3:\n\t"
        "vstrw.32 q0, [%[y]]\n\t" "vstrw.32 q1, [%[y], #16]\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [pairs] "+&r"(pairs), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [start] "r"(start), [y] "r"(y), [next] "r"(next), [odd] "r"(k_count % 2)
        : "cc", "memory", "q0", "q1", "q4", "q5", "q6", "q7");
#undef TINYMLP_STEP8
}

#undef TINYMLP_LOOP

}  // namespace tinymlp::port
#endif
