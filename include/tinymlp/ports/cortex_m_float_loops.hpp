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

// Out of line: one copy of each loop serves every call (their sizes are arguments), and a call
// costs a few instructions against a loop's hundreds.
#define TINYMLP_LOOP [[gnu::noinline]] inline

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
TINYMLP_LOOP void dense_columns16(const float* x, std::size_t k_count, const float* w, std::size_t stride,
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
TINYMLP_LOOP void dense_columns8(const float* x, std::size_t k_count, const float* w, std::size_t stride,
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
// apart: one chain per row, two rows at a time (s0, s1; their rows of W in s8-s15 and s24-s31),
// eight terms of each per VLDM of dy (s16-s23).
#define TINYMLP_DOT8_SECOND                                                                          \
    "vfma.f32 s1, s24, s16\n\t" "vfma.f32 s1, s25, s17\n\t" "vfma.f32 s1, s26, s18\n\t"               \
    "vfma.f32 s1, s27, s19\n\t" "vfma.f32 s1, s28, s20\n\t" "vfma.f32 s1, s29, s21\n\t"               \
    "vfma.f32 s1, s30, s22\n\t" "vfma.f32 s1, s31, s23\n\t"
TINYMLP_LOOP void dot_rows8(const float* dy, const float* w, std::size_t stride, std::size_t width, float* dx,
                      std::size_t rows) {
    const std::size_t back = width * sizeof(float), skip = (2 * stride - width) * sizeof(float);
    const std::size_t eights = width / 8;
    std::size_t pairs = rows / 2, left = 0;
    const float* w2 = w + stride;
    __asm__ volatile(
        "cmp %[pairs], #0\n\t" "beq 3f\n"
        "1:\n\t"
        "mov %[left], %[eights]\n\t"
        "vldmia %[zero], {s0-s1}\n"
        "2:\n\t"
        "vldmia %[dy]!, {s16-s23}\n\t"
        "vldmia %[w]!, {s8-s15}\n\t"
        "vldmia %[w2]!, {s24-s31}\n\t"
        TINYMLP_DOT8 TINYMLP_DOT8_SECOND
        "subs %[left], %[left], #1\n\t"
        "bne 2b\n\t"
        "vstmia %[dx]!, {s0-s1}\n\t"
        "sub %[dy], %[dy], %[back]\n\t"
        "add %[w], %[w], %[skip]\n\t"
        "add %[w2], %[w2], %[skip]\n\t"
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "3:\n\t"
        : [dy] "+&r"(dy), [w] "+&r"(w), [w2] "+&r"(w2), [dx] "+&r"(dx), [pairs] "+&r"(pairs), [left] "+&r"(left)
        : [eights] "r"(eights), [zero] "r"(zeros16), [back] "r"(back), [skip] "r"(skip)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, TINYMLP_CLOBBER_S16_S31);
    if (rows % 2) {
        left = eights;
        __asm__ volatile(
            "vldmia %[zero], {s0}\n"
            "1:\n\t"
            "vldmia %[dy]!, {s16-s23}\n\t"
            "vldmia %[w]!, {s8-s15}\n\t"
            TINYMLP_DOT8
            "subs %[left], %[left], #1\n\t"
            "bne 1b\n\t"
            "vstmia %[dx], {s0}\n\t"
            : [dy] "+&r"(dy), [w] "+&r"(w), [left] "+&r"(left)
            : [dx] "r"(dx), [zero] "r"(zeros16)
            : "cc", "memory", "s0", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18",
              "s19", "s20", "s21", "s22", "s23");
    }
}
#undef TINYMLP_DOT8_SECOND

// dW[i][0, 16) = x[i] dy[0, 16) for i < rows, dW's rows `stride` floats apart: dy in s0-s15, x
// eight rows at a time in s24-s31, products through s16-s23.
#define TINYMLP_MUL_LOW_TO_HIGH(x) TINYMLP_MUL_TO_HIGH(x)
#define TINYMLP_MUL_MIDDLE_TO_HIGH(x)                                                                \
    "vmul.f32 s16, " x ", s8\n\t" "vmul.f32 s17, " x ", s9\n\t" "vmul.f32 s18, " x ", s10\n\t"      \
    "vmul.f32 s19, " x ", s11\n\t" "vmul.f32 s20, " x ", s12\n\t" "vmul.f32 s21, " x ", s13\n\t"    \
    "vmul.f32 s22, " x ", s14\n\t" "vmul.f32 s23, " x ", s15\n\t"
TINYMLP_LOOP void outer_columns16(const float* x, const float* dy, float* dw, std::size_t stride, std::size_t rows) {
    std::size_t eights = rows / 8, ones = rows % 8;
    const std::size_t next = stride * sizeof(float) - 32;
#define TINYMLP_ROW(x)                                                                               \
    TINYMLP_MUL_LOW_TO_HIGH(x) "vstmia %[dw]!, {s16-s23}\n\t" TINYMLP_MUL_MIDDLE_TO_HIGH(x)          \
    "vstmia %[dw], {s16-s23}\n\t" "add %[dw], %[dw], %[next]\n\t"
    __asm__ volatile(
        "vldmia %[dy], {s0-s15}\n\t"
        "cmp %[eights], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[x]!, {s24-s31}\n\t"
        TINYMLP_ROW("s24") TINYMLP_ROW("s25") TINYMLP_ROW("s26") TINYMLP_ROW("s27")
        TINYMLP_ROW("s28") TINYMLP_ROW("s29") TINYMLP_ROW("s30") TINYMLP_ROW("s31")
        "subs %[eights], %[eights], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[ones], #0\n\t" "beq 4f\n"
        "3:\n\t"
        "vldmia %[x]!, {s24}\n\t"
        TINYMLP_ROW("s24")
        "subs %[ones], %[ones], #1\n\t"
        "bne 3b\n"
        "4:\n\t"
        : [x] "+&r"(x), [dw] "+&r"(dw), [eights] "+&r"(eights), [ones] "+&r"(ones)
        : [dy] "r"(dy), [next] "r"(next)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, TINYMLP_CLOBBER_S16_S31);
#undef TINYMLP_ROW
}
#undef TINYMLP_MUL_LOW_TO_HIGH
#undef TINYMLP_MUL_MIDDLE_TO_HIGH

// dW[i][0, 8) = x[i] dy[0, 8) for i < rows (the last columns of a layer whose Out is not a
// multiple of 16).
TINYMLP_LOOP void outer_columns8(const float* x, const float* dy, float* dw, std::size_t stride, std::size_t rows) {
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
TINYMLP_LOOP void sgd_outer_columns8(const float* x, const float* dy, float* w, std::size_t stride, std::size_t rows,
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
TINYMLP_LOOP void sgd_step8(float* p, const float* g, std::size_t eights, float minus_rate) {
    register float rate __asm__("s24") = minus_rate;
    std::size_t sixteens = eights / 2, eight = eights % 2;
#define TINYMLP_STEP8                                                                                \
    "vldmia %[p], {s8-s15}\n\t"                                                                       \
    "vldmia %[g]!, {s16-s23}\n\t"                                                                     \
    "vfma.f32 s8, s24, s16\n\t" "vfma.f32 s9, s24, s17\n\t" "vfma.f32 s10, s24, s18\n\t"               \
    "vfma.f32 s11, s24, s19\n\t" "vfma.f32 s12, s24, s20\n\t" "vfma.f32 s13, s24, s21\n\t"             \
    "vfma.f32 s14, s24, s22\n\t" "vfma.f32 s15, s24, s23\n\t"                                           \
    "vstmia %[p]!, {s8-s15}\n\t"
    __asm__ volatile(
        "cmp %[sixteens], #0\n\t" "beq 2f\n"
        "1:\n\t"
        TINYMLP_STEP8 TINYMLP_STEP8
        "subs %[sixteens], %[sixteens], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        "cmp %[eight], #0\n\t" "beq 3f\n\t"
        TINYMLP_STEP8
        "3:\n\t"
        : [p] "+&r"(p), [g] "+&r"(g), [sixteens] "+&r"(sixteens), [eight] "+&r"(eight)
        : "t"(rate)
        : "cc", "memory", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19", "s20",
          "s21", "s22", "s23");
}

// The sum over x[0, 8 * eights) of the terms TERMS8 makes of eight registers (eight VFMA into
// s8-s15, s1 holding zero), in eight chains added pairwise at the end.
#define TINYMLP_SUM_OF_TERMS8(TERMS8)                                                                 \
    register float sum __asm__("s0");                                                                \
    std::size_t sixteens = eights / 2, eight = eights % 2;                                           \
    __asm__ volatile(                                                                                \
        "vldmia %[zero], {s8-s15}\n\t"                                                               \
        "vmov.f32 s1, s8\n\t"                                                                        \
        "cmp %[sixteens], #0\n\t" "beq 2f\n"                                                          \
        "1:\n\t"                                                                                     \
        "vldmia %[x]!, {s16-s31}\n\t"                                                                \
        TERMS8("s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23")                               \
        TERMS8("s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31")                               \
        "subs %[sixteens], %[sixteens], #1\n\t"                                                      \
        "bne 1b\n"                                                                                   \
        "2:\n\t"                                                                                     \
        "cmp %[eight], #0\n\t" "beq 3f\n\t"                                                          \
        "vldmia %[x]!, {s16-s23}\n\t"                                                                \
        TERMS8("s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23")                               \
        "3:\n\t"                                                                                     \
        "vadd.f32 s8, s8, s9\n\t" "vadd.f32 s10, s10, s11\n\t" "vadd.f32 s12, s12, s13\n\t"          \
        "vadd.f32 s14, s14, s15\n\t" "vadd.f32 s8, s8, s10\n\t" "vadd.f32 s12, s12, s14\n\t"        \
        "vadd.f32 s0, s8, s12\n\t"                                                                   \
        : "=t"(sum), [x] "+&r"(x), [sixteens] "+&r"(sixteens), [eight] "+&r"(eight)                  \
        : [zero] "r"(zeros16)                                                                        \
        : "cc", "memory", "s1", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", TINYMLP_CLOBBER_S16_S31); \
    return sum;

// The sum of x[0, 8 * eights) squared.
#define TINYMLP_SQUARES8(a, b, c, d, e, f, g, h)                                                     \
    "vfma.f32 s8, " a ", " a "\n\t" "vfma.f32 s9, " b ", " b "\n\t" "vfma.f32 s10, " c ", " c "\n\t"     \
    "vfma.f32 s11, " d ", " d "\n\t" "vfma.f32 s12, " e ", " e "\n\t" "vfma.f32 s13, " f ", " f "\n\t"   \
    "vfma.f32 s14, " g ", " g "\n\t" "vfma.f32 s15, " h ", " h "\n\t"
TINYMLP_LOOP float sum_of_squares8(const float* x, std::size_t eights) { TINYMLP_SUM_OF_TERMS8(TINYMLP_SQUARES8) }
#undef TINYMLP_SQUARES8

// The sum of x[0, 8 * eights) times zero: 0 when every value is finite, NaN when one is infinite
// or NaN (x * 0 is NaN exactly then). all_finite on a whole gradient buffer: one VLDM and a VFMA
// per value, where the integer test takes a load and three instructions each.
#define TINYMLP_ZERO_PRODUCTS8(a, b, c, d, e, f, g, h)                                               \
    "vfma.f32 s8, " a ", s1\n\t" "vfma.f32 s9, " b ", s1\n\t" "vfma.f32 s10, " c ", s1\n\t"           \
    "vfma.f32 s11, " d ", s1\n\t" "vfma.f32 s12, " e ", s1\n\t" "vfma.f32 s13, " f ", s1\n\t"         \
    "vfma.f32 s14, " g ", s1\n\t" "vfma.f32 s15, " h ", s1\n\t"
TINYMLP_LOOP float zero_products8(const float* x, std::size_t eights) { TINYMLP_SUM_OF_TERMS8(TINYMLP_ZERO_PRODUCTS8) }
#undef TINYMLP_ZERO_PRODUCTS8
#undef TINYMLP_SUM_OF_TERMS8

// Adam without weight decay on p, g, m, v [0, 8 * eights), in the order of operations of
// kernels::adam_update: m = fma(1 - b1, g, b1 m); v = fma((1 - b2) g, g, b2 v);
// p = p - step_size m / (sqrt(v) / c2 + eps). `constants`: b1, b2, 1 - b1, 1 - b2, eps,
// step_size, c2 (s24-s30); s31 is a temporary.
#define TINYMLP_ADAM_V(g, v)                                                                      \
    "vmul.f32 s31, s27, " g "\n\t" "vmul.f32 " v ", " v ", s25\n\t" "vfma.f32 " v ", s31, " g "\n\t"
#define TINYMLP_ADAM_Q(d, v, m, q)                                                                   \
    "vsqrt.f32 " d ", " v "\n\t" "vdiv.f32 " d ", " d ", s30\n\t" "vadd.f32 " d ", " d ", s28\n\t"      \
    "vmul.f32 " q ", s29, " m "\n\t" "vdiv.f32 " q ", " q ", " d "\n\t"
// m, v and p for the gradients in s0-s7: the whole Adam step on 8 parameters, after which m, v
// and p have advanced by 8.
#define TINYMLP_ADAM8                                                                                \
    "vldmia %[m], {s8-s15}\n\t"                                                                       \
    "vmul.f32 s8, s8, s24\n\t" "vmul.f32 s9, s9, s24\n\t" "vmul.f32 s10, s10, s24\n\t"                \
    "vmul.f32 s11, s11, s24\n\t" "vmul.f32 s12, s12, s24\n\t" "vmul.f32 s13, s13, s24\n\t"            \
    "vmul.f32 s14, s14, s24\n\t" "vmul.f32 s15, s15, s24\n\t"                                          \
    "vfma.f32 s8, s26, s0\n\t" "vfma.f32 s9, s26, s1\n\t" "vfma.f32 s10, s26, s2\n\t"                 \
    "vfma.f32 s11, s26, s3\n\t" "vfma.f32 s12, s26, s4\n\t" "vfma.f32 s13, s26, s5\n\t"               \
    "vfma.f32 s14, s26, s6\n\t" "vfma.f32 s15, s26, s7\n\t"                                            \
    "vstmia %[m]!, {s8-s15}\n\t"                                                                      \
    "vldmia %[v], {s16-s23}\n\t"                                                                      \
    TINYMLP_ADAM_V("s0", "s16") TINYMLP_ADAM_V("s1", "s17") TINYMLP_ADAM_V("s2", "s18")                  \
    TINYMLP_ADAM_V("s3", "s19") TINYMLP_ADAM_V("s4", "s20") TINYMLP_ADAM_V("s5", "s21")                  \
    TINYMLP_ADAM_V("s6", "s22") TINYMLP_ADAM_V("s7", "s23")                                             \
    "vstmia %[v]!, {s16-s23}\n\t"                                                                     \
    TINYMLP_ADAM_Q("s0", "s16", "s8", "s16") TINYMLP_ADAM_Q("s1", "s17", "s9", "s17")                    \
    TINYMLP_ADAM_Q("s2", "s18", "s10", "s18") TINYMLP_ADAM_Q("s3", "s19", "s11", "s19")                  \
    TINYMLP_ADAM_Q("s4", "s20", "s12", "s20") TINYMLP_ADAM_Q("s5", "s21", "s13", "s21")                  \
    TINYMLP_ADAM_Q("s6", "s22", "s14", "s22") TINYMLP_ADAM_Q("s7", "s23", "s15", "s23")                  \
    "vldmia %[p], {s8-s15}\n\t"                                                                       \
    "vsub.f32 s8, s8, s16\n\t" "vsub.f32 s9, s9, s17\n\t" "vsub.f32 s10, s10, s18\n\t"                \
    "vsub.f32 s11, s11, s19\n\t" "vsub.f32 s12, s12, s20\n\t" "vsub.f32 s13, s13, s21\n\t"            \
    "vsub.f32 s14, s14, s22\n\t" "vsub.f32 s15, s15, s23\n\t"                                          \
    "vstmia %[p]!, {s8-s15}\n\t"
inline constexpr std::size_t adam_block = 8;
TINYMLP_LOOP void adam_blocks(float* p, const float* g, float* m, float* v, std::size_t eights, const float* constants) {
    __asm__ volatile(
        "vldmia %[c], {s24-s30}\n\t"
        "cmp %[eights], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "vldmia %[g]!, {s0-s7}\n\t"
        TINYMLP_ADAM8
        "subs %[eights], %[eights], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        : [p] "+&r"(p), [g] "+&r"(g), [m] "+&r"(m), [v] "+&r"(v), [eights] "+&r"(eights)
        : [c] "r"(constants)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, TINYMLP_CLOBBER_S16_S31);
}

// One sample's Adam step without a gradient buffer on `rows` rows of `eights` * 8 parameters
// (contiguous in p, m and v): the gradient of row i, column o is x[i] dy[o] rounded, as
// outer_columns8 makes it, then adam_blocks' operations.
TINYMLP_LOOP void adam_outer(const float* x, const float* dy, float* p, float* m, float* v, std::size_t rows,
                        std::size_t eights, const float* constants) {
    const std::size_t back = eights * 32;
    std::size_t left = 0;
    __asm__ volatile(
        "vldmia %[c], {s24-s30}\n"
        "1:\n\t"
        "mov %[left], %[eights]\n"
        "2:\n\t"
        "vldmia %[x], {s31}\n\t"
        "vldmia %[dy]!, {s0-s7}\n\t"
        "vmul.f32 s0, s31, s0\n\t" "vmul.f32 s1, s31, s1\n\t" "vmul.f32 s2, s31, s2\n\t"
        "vmul.f32 s3, s31, s3\n\t" "vmul.f32 s4, s31, s4\n\t" "vmul.f32 s5, s31, s5\n\t"
        "vmul.f32 s6, s31, s6\n\t" "vmul.f32 s7, s31, s7\n\t"
        TINYMLP_ADAM8
        "subs %[left], %[left], #1\n\t"
        "bne 2b\n\t"
        "sub %[dy], %[dy], %[back]\n\t"
        "add %[x], %[x], #4\n\t"
        "subs %[rows], %[rows], #1\n\t"
        "bne 1b\n\t"
        : [x] "+&r"(x), [dy] "+&r"(dy), [p] "+&r"(p), [m] "+&r"(m), [v] "+&r"(v), [rows] "+&r"(rows),
          [left] "+&r"(left)
        : [eights] "r"(eights), [back] "r"(back), [c] "r"(constants)
        : "cc", "memory", TINYMLP_CLOBBER_S0_S15, TINYMLP_CLOBBER_S16_S31);
}
#undef TINYMLP_ADAM8
#undef TINYMLP_ADAM_V
#undef TINYMLP_ADAM_Q

// ReLU on pairs of floats through core registers (LDRD/STRD), by their bits: y = x with x's bits
// cleared where its sign bit is set (BIC with x >> 31), which gives what x > 0 ? x : 0 gives for
// every x but a NaN with the sign bit clear (kept).
TINYMLP_LOOP void relu_pairs(const float* x, float* y, std::size_t pairs) {
    unsigned a = 0, b = 0;
    __asm__ volatile(
        "cmp %[pairs], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "ldrd %[a], %[b], [%[x]], #8\n\t"
        "bic %[a], %[a], %[a], asr #31\n\t"
        "bic %[b], %[b], %[b], asr #31\n\t"
        "strd %[a], %[b], [%[y]], #8\n\t"
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        : [x] "+&r"(x), [y] "+&r"(y), [pairs] "+&r"(pairs), [a] "=&r"(a), [b] "=&r"(b)
        :
        : "cc", "memory");
}
// dx = x > 0 ? dy : dy * 0 (a zero of dy's sign) on pairs, x compared as a signed integer
// (positive floats are the positive integers).
TINYMLP_LOOP void relu_backward_pairs(const float* x, const float* dy, float* dx, std::size_t pairs) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    __asm__ volatile(
        "cmp %[pairs], #0\n\t" "beq 2f\n"
        "1:\n\t"
        "ldrd %[a], %[b], [%[x]], #8\n\t"
        "ldrd %[c], %[d], [%[dy]], #8\n\t"
        "cmp %[a], #0\n\t"
        "it le\n\t"
        "andle %[c], %[c], #0x80000000\n\t"
        "cmp %[b], #0\n\t"
        "it le\n\t"
        "andle %[d], %[d], #0x80000000\n\t"
        "strd %[c], %[d], [%[dx]], #8\n\t"
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t"
        : [x] "+&r"(x), [dy] "+&r"(dy), [dx] "+&r"(dx), [pairs] "+&r"(pairs), [a] "=&r"(a), [b] "=&r"(b),
          [c] "=&r"(c), [d] "=&r"(d)
        :
        : "cc", "memory");
}

// --- in C++: loops whose time goes to memory, not to the FPU, kept out of line for their size ---

// db[o] = (accumulate ? db[o] : 0) + dy[0][o] + dy[1][o] + ..., the rows in order as the reference
// (kernels/dense.hpp dense_backward_bias). One sample's (db = 0 + dy) eight at a time.
TINYMLP_LOOP void column_sums(const float* dy, float* db, std::size_t rows, std::size_t columns, bool accumulate) {
    std::size_t o = 0;
    if (rows == 1 && !accumulate) {
        register float zero __asm__("s16") = 0.0f;
        std::size_t eights = columns / 8;
        o = eights * 8;
        __asm__ volatile(
            "cmp %[eights], #0\n\t" "beq 2f\n"
            "1:\n\t"
            "vldmia %[dy]!, {s8-s15}\n\t"
            "vadd.f32 s8, s16, s8\n\t" "vadd.f32 s9, s16, s9\n\t" "vadd.f32 s10, s16, s10\n\t"
            "vadd.f32 s11, s16, s11\n\t" "vadd.f32 s12, s16, s12\n\t" "vadd.f32 s13, s16, s13\n\t"
            "vadd.f32 s14, s16, s14\n\t" "vadd.f32 s15, s16, s15\n\t"
            "vstmia %[db]!, {s8-s15}\n\t"
            "subs %[eights], %[eights], #1\n\t"
            "bne 1b\n"
            "2:\n\t"
            : [dy] "+&r"(dy), [db] "+&r"(db), [eights] "+&r"(eights)
            : "t"(zero)
            : "cc", "memory", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15");
        dy -= o;
        db -= o;
    }
    for (; o < columns; ++o) {
        float sum = accumulate ? db[o] : 0.0f;
        for (std::size_t n = 0; n < rows; ++n) sum += dy[n * columns + o];
        db[o] = sum;
    }
}

#undef TINYMLP_FMA_LO
#undef TINYMLP_FMA_HI
#undef TINYMLP_MUL_TO_HIGH
#undef TINYMLP_MUL_TO_MIDDLE
#undef TINYMLP_DOT8
#undef TINYMLP_CLOBBER_S0_S15
#undef TINYMLP_CLOBBER_S16_S31
#undef TINYMLP_LOOP

}  // namespace tinymlp::port
#endif
