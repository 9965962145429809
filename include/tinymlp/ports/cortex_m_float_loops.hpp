// One-sample float loops for Cortex-M cores with a single-precision FPU and no Helium (FPv4-SP on
// the M4, FPv5 on the M7 and M33), in assembly: VLDM and VSTM move eight floats per instruction,
// which GCC does not emit for the lanes of ports/cortex_m_lanes.hpp, and operands stay in
// registers across a whole column of W. One-sample inference and batch-1 training (the way
// firmware trains) run through them. Sizes are run-time arguments, so one copy of each loop
// serves every layer shape.
//
// Values follow the reference kernels' order of operations (kernels/dense.hpp,
// kernels/optimizers.hpp): a dense output is its bias plus one chain of fused multiply-adds over
// K; a dot product is one chain over its terms; an SGD step is one fused multiply-add, w - lr g.
// A one-sample weight gradient is the rounded product x_i dy_o (VMUL), in the unfused and the
// fused trainer alike.
//
// Each loop is a single asm statement (registers hold values only within one). s16-s31 are
// callee-saved: the clobber lists make the compiler save those a loop uses.
#pragma once
#include <cstddef>

#if defined(__ARM_FP) && (__ARM_FP & 4) && !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)) && \
    !defined(TINYMLP_NO_FLOAT_LOOPS)
#define TINYMLP_PORT_FLOAT_LOOPS 1
#else
#define TINYMLP_PORT_FLOAT_LOOPS 0
#endif

#if TINYMLP_PORT_FLOAT_LOOPS
namespace tinymlp::port {

// s0-s7 (LO) or s8-s15 (HI) += x * s16-s23
#define TINYMLP_FMA_LO(x)                                                                            \
    "vfma.f32 s0, " x ", s16\n\t" "vfma.f32 s1, " x ", s17\n\t" "vfma.f32 s2, " x ", s18\n\t"       \
    "vfma.f32 s3, " x ", s19\n\t" "vfma.f32 s4, " x ", s20\n\t" "vfma.f32 s5, " x ", s21\n\t"       \
    "vfma.f32 s6, " x ", s22\n\t" "vfma.f32 s7, " x ", s23\n\t"
#define TINYMLP_FMA_HI(x)                                                                            \
    "vfma.f32 s8, " x ", s16\n\t" "vfma.f32 s9, " x ", s17\n\t" "vfma.f32 s10, " x ", s18\n\t"      \
    "vfma.f32 s11, " x ", s19\n\t" "vfma.f32 s12, " x ", s20\n\t" "vfma.f32 s13, " x ", s21\n\t"    \
    "vfma.f32 s14, " x ", s22\n\t" "vfma.f32 s15, " x ", s23\n\t"
// s16-s23 = x * s0-s7
#define TINYMLP_MUL_TO_HIGH(x)                                                                       \
    "vmul.f32 s16, " x ", s0\n\t" "vmul.f32 s17, " x ", s1\n\t" "vmul.f32 s18, " x ", s2\n\t"       \
    "vmul.f32 s19, " x ", s3\n\t" "vmul.f32 s20, " x ", s4\n\t" "vmul.f32 s21, " x ", s5\n\t"       \
    "vmul.f32 s22, " x ", s6\n\t" "vmul.f32 s23, " x ", s7\n\t"
// s8-s15 = x * s0-s7
#define TINYMLP_MUL_TO_MIDDLE(x)                                                                     \
    "vmul.f32 s8, " x ", s0\n\t" "vmul.f32 s9, " x ", s1\n\t" "vmul.f32 s10, " x ", s2\n\t"         \
    "vmul.f32 s11, " x ", s3\n\t" "vmul.f32 s12, " x ", s4\n\t" "vmul.f32 s13, " x ", s5\n\t"       \
    "vmul.f32 s14, " x ", s6\n\t" "vmul.f32 s15, " x ", s7\n\t"
// s0 += s8 * s16 + ... + s15 * s23, one term at a time
#define TINYMLP_DOT8                                                                                 \
    "vfma.f32 s0, s8, s16\n\t" "vfma.f32 s0, s9, s17\n\t" "vfma.f32 s0, s10, s18\n\t"               \
    "vfma.f32 s0, s11, s19\n\t" "vfma.f32 s0, s12, s20\n\t" "vfma.f32 s0, s13, s21\n\t"             \
    "vfma.f32 s0, s14, s22\n\t" "vfma.f32 s0, s15, s23\n\t"

#define TINYMLP_CLOBBER_S0_S15                                                                       \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15"
#define TINYMLP_CLOBBER_S16_S31                                                                      \
    "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31"

// What a dense output chunk starts from when the layer has no bias.
alignas(8) inline constexpr float zeros16[16] = {};

// y[0, 16) = start[0, 16) + sum_k x[k] W[k][0, 16) for k < k_count, W's rows `stride` floats
// apart. The 16 sums stay in s0-s15 over all of K; a row of W arrives in two VLDMs (s16-s23), and
// x eight values at a time (s24-s31), so that no register is left over for anything else.
inline void dense_columns16(const float* x, std::size_t k_count, const float* w, std::size_t stride,
                            const float* start, float* y) {
    std::size_t eights = k_count / 8, ones = k_count % 8;
    const std::size_t next = stride * sizeof(float) - 32;
#define TINYMLP_STEP16(x)                                                                            \
    "vldmia %[w]!, {s16-s23}\n\t" TINYMLP_FMA_LO(x) "vldmia %[w], {s16-s23}\n\t" TINYMLP_FMA_HI(x)   \
    "add %[w], %[w], %[next]\n\t"
    __asm__ volatile(
        "vldmia %[start], {s0-s15}\n\t"
        "cmp %[eights], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[x]!, {s24-s31}\n\t"
        TINYMLP_STEP16("s24") TINYMLP_STEP16("s25") TINYMLP_STEP16("s26") TINYMLP_STEP16("s27")
        TINYMLP_STEP16("s28") TINYMLP_STEP16("s29") TINYMLP_STEP16("s30") TINYMLP_STEP16("s31")
        "subs %[eights], %[eights], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[ones], #0\n\t" "beq 4f\n"
        "3:\n\t"
        "vldmia %[x]!, {s24}\n\t"
        TINYMLP_STEP16("s24")
        "subs %[ones], %[ones], #1\n\t"
        "bne 3b\n"
        "4:\n\t"
        "vstmia %[y], {s0-s15}\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [eights] "+&r"(eights), [ones] "+&r"(ones)
        : [start] "r"(start), [y] "r"(y), [next] "r"(next)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, TINYMLP_CLOBBER_S16_S31);
#undef TINYMLP_STEP16
}

// The same for 8 columns: sums in s0-s7.
inline void dense_columns8(const float* x, std::size_t k_count, const float* w, std::size_t stride,
                           const float* start, float* y) {
    std::size_t eights = k_count / 8, ones = k_count % 8;
    const std::size_t next = stride * sizeof(float);
#define TINYMLP_STEP8(x) "vldmia %[w], {s16-s23}\n\t" TINYMLP_FMA_LO(x) "add %[w], %[w], %[next]\n\t"
    __asm__ volatile(
        "vldmia %[start], {s0-s7}\n\t"
        "cmp %[eights], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[x]!, {s24-s31}\n\t"
        TINYMLP_STEP8("s24") TINYMLP_STEP8("s25") TINYMLP_STEP8("s26") TINYMLP_STEP8("s27")
        TINYMLP_STEP8("s28") TINYMLP_STEP8("s29") TINYMLP_STEP8("s30") TINYMLP_STEP8("s31")
        "subs %[eights], %[eights], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[ones], #0\n\t" "beq 4f\n"
        "3:\n\t"
        "vldmia %[x]!, {s24}\n\t"
        TINYMLP_STEP8("s24")
        "subs %[ones], %[ones], #1\n\t"
        "bne 3b\n"
        "4:\n\t"
        "vstmia %[y], {s0-s7}\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [eights] "+&r"(eights), [ones] "+&r"(ones)
        : [start] "r"(start), [y] "r"(y), [next] "r"(next)
        : "cc", "memory", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", TINYMLP_CLOBBER_S16_S31);
#undef TINYMLP_STEP8
}

// dx[i] = sum_o W[i][o] dy[o] for i < rows, o < width (a multiple of 8), W's rows `stride` floats
// apart: one chain per row in s0, eight terms per pair of VLDMs.
inline void dot_rows8(const float* dy, const float* w, std::size_t stride, std::size_t width, float* dx,
                      std::size_t rows) {
    const std::size_t skip = (stride - width) * sizeof(float), back = width * sizeof(float);
    const std::size_t eights = width / 8;
    std::size_t left = 0;
    __asm__ volatile(
        "1:\n\t"
        "mov %[left], %[eights]\n\t"
        "vldmia %[zero], {s0}\n"
        "2:\n\t"
        "vldmia %[dy]!, {s16-s23}\n\t"
        "vldmia %[w]!, {s8-s15}\n\t"
        TINYMLP_DOT8
        "subs %[left], %[left], #1\n\t"
        "bne 2b\n\t"
        "vstmia %[dx]!, {s0}\n\t"
        "sub %[dy], %[dy], %[back]\n\t"
        "add %[w], %[w], %[skip]\n\t"
        "subs %[rows], %[rows], #1\n\t"
        "bne 1b\n\t"
        : [dy] "+&r"(dy), [w] "+&r"(w), [dx] "+&r"(dx), [rows] "+&r"(rows), [left] "+&r"(left)
        : [eights] "r"(eights), [zero] "r"(zeros16), [back] "r"(back), [skip] "r"(skip)
        : "cc", "memory", "s0", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18",
          "s19", "s20", "s21", "s22", "s23");
}

// dW[i][0, 8) = x[i] dy[0, 8) for i < rows, dW's rows `stride` floats apart.
inline void outer_columns8(const float* x, const float* dy, float* dw, std::size_t stride, std::size_t rows) {
    std::size_t pairs = rows / 2, odd = rows % 2;
    const std::size_t next = stride * sizeof(float);
#define TINYMLP_ROW(x) TINYMLP_MUL_TO_MIDDLE(x) "vstmia %[dw], {s8-s15}\n\t" "add %[dw], %[dw], %[next]\n\t"
    __asm__ volatile(
        "vldmia %[dy], {s0-s7}\n\t"
        "cmp %[pairs], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[x]!, {s24-s25}\n\t"
        TINYMLP_ROW("s24") TINYMLP_ROW("s25")
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "vldmia %[x]!, {s24}\n\t"
        TINYMLP_ROW("s24")
        "3:\n\t"
        : [x] "+&r"(x), [dw] "+&r"(dw), [pairs] "+&r"(pairs), [odd] "+&r"(odd)
        : [dy] "r"(dy), [next] "r"(next)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, "s24", "s25");
#undef TINYMLP_ROW
}

// W[i][0, 8) = W[i][0, 8) + minus_rate (x[i] dy[0, 8)) for i < rows, W's rows `stride` floats
// apart: one sample's SGD step without a gradient buffer, the product rounded first as
// outer_columns8 rounds it, so that the weights get the bits of an update from that gradient.
inline void sgd_outer_columns8(const float* x, const float* dy, float* w, std::size_t stride, std::size_t rows,
                               float minus_rate) {
    std::size_t pairs = rows / 2, odd = rows % 2;
    const std::size_t next = stride * sizeof(float);
    register float rate __asm__("s24") = minus_rate;
#define TINYMLP_ROW(x)                                                                               \
    "vldmia %[w], {s8-s15}\n\t" TINYMLP_MUL_TO_HIGH(x)                                               \
    "vfma.f32 s8, s24, s16\n\t" "vfma.f32 s9, s24, s17\n\t" "vfma.f32 s10, s24, s18\n\t"             \
    "vfma.f32 s11, s24, s19\n\t" "vfma.f32 s12, s24, s20\n\t" "vfma.f32 s13, s24, s21\n\t"           \
    "vfma.f32 s14, s24, s22\n\t" "vfma.f32 s15, s24, s23\n\t"                                        \
    "vstmia %[w], {s8-s15}\n\t" "add %[w], %[w], %[next]\n\t"
    __asm__ volatile(
        "vldmia %[dy], {s0-s7}\n\t"
        "cmp %[pairs], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[x]!, {s25-s26}\n\t"
        TINYMLP_ROW("s25") TINYMLP_ROW("s26")
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "vldmia %[x]!, {s25}\n\t"
        TINYMLP_ROW("s25")
        "3:\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [pairs] "+&r"(pairs), [odd] "+&r"(odd)
        : [dy] "r"(dy), [next] "r"(next), "t"(rate)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s25",
          "s26");
#undef TINYMLP_ROW
}

// p[0, 8 * eights) += minus_rate g[0, 8 * eights): SGD without weight decay.
inline void sgd_step8(float* p, const float* g, std::size_t eights, float minus_rate) {
    register float rate __asm__("s24") = minus_rate;
    __asm__ volatile(
        "cmp %[eights], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[p], {s8-s15}\n\t"
        "vldmia %[g]!, {s16-s23}\n\t"
        "vfma.f32 s8, s24, s16\n\t" "vfma.f32 s9, s24, s17\n\t" "vfma.f32 s10, s24, s18\n\t"
        "vfma.f32 s11, s24, s19\n\t" "vfma.f32 s12, s24, s20\n\t" "vfma.f32 s13, s24, s21\n\t"
        "vfma.f32 s14, s24, s22\n\t" "vfma.f32 s15, s24, s23\n\t"
        "vstmia %[p]!, {s8-s15}\n\t"
        "subs %[eights], %[eights], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        : [p] "+&r"(p), [g] "+&r"(g), [eights] "+&r"(eights)
        : "t"(rate)
        : "cc", "memory", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19", "s20",
          "s21", "s22", "s23");
}

#undef TINYMLP_FMA_LO
#undef TINYMLP_FMA_HI
#undef TINYMLP_MUL_TO_HIGH
#undef TINYMLP_MUL_TO_MIDDLE
#undef TINYMLP_DOT8
#undef TINYMLP_CLOBBER_S0_S15
#undef TINYMLP_CLOBBER_S16_S31

}  // namespace tinymlp::port
#endif
