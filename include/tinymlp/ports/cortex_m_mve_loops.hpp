// Loops for Cortex-M cores with Helium (MVE with floating point, the M55), in assembly: the dense
// forward, the weight and input gradients, the SGD and Adam updates and the finiteness test of a
// batch-1 step, and a batch's register blocks (forward, weight gradient) and input gradient. In
// the one-sample forward, the outputs of 16 (or 8) columns stay in q0-q3 over a whole column of W,
// a row of W arrives in four VLDRW, and each input multiplies them as the scalar of VFMA (vector
// by scalar), two inputs per LDRD. Sizes are run-time arguments, so one copy serves every layer
// shape (the batch's blocks take their strides as constants instead); the loops close with WLS/LE
// (low-overhead loops, which take LR).
//
// A dense output is its bias plus one chain of fused multiply-adds over K, in the order of the
// reference kernel (kernels/dense.hpp), as the loops of cortex_m_float_loops.hpp compute it on
// the M4, M7 and M33. Gradients and updates give the values of the lanes' kernels they replace.
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
    const std::size_t pairs = k_count / 2;
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
        "wls lr, %[pairs], 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_STEP16("%[x0]") TINYMLP_STEP16("%[x1]")
        "le lr, 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_STEP16("%[x0]")
        "3:\n\t"
        "vstrw.32 q0, [%[y]]\n\t" "vstrw.32 q1, [%[y], #16]\n\t"
        "vstrw.32 q2, [%[y], #32]\n\t" "vstrw.32 q3, [%[y], #48]\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [start] "r"(start), [y] "r"(y), [next] "r"(next), [pairs] "r"(pairs), [odd] "r"(k_count % 2)
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
#undef TINYMLP_STEP16
}

// The same for 8 columns: sums in q0-q1.
TINYMLP_LOOP void dense_columns8(const float* x, std::size_t k_count, const float* w, std::size_t stride,
                                 const float* start, float* y) {
    const std::size_t pairs = k_count / 2;
    const std::size_t next = stride * sizeof(float);
    unsigned x0 = 0, x1 = 0;
#define TINYMLP_STEP8(xk, a, b)                                                                      \
    "vldrw.32 " a ", [%[w]]\n\t" "vldrw.32 " b ", [%[w], #16]\n\t" "add %[w], %[w], %[next]\n\t"      \
    "vfma.f32 q0, " a ", " xk "\n\t" "vfma.f32 q1, " b ", " xk "\n\t"
    __asm__ volatile(
        "vldrw.32 q0, [%[start]]\n\t" "vldrw.32 q1, [%[start], #16]\n\t"
        "wls lr, %[pairs], 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_STEP8("%[x0]", "q4", "q5") TINYMLP_STEP8("%[x1]", "q6", "q7")
        "le lr, 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_STEP8("%[x0]", "q4", "q5")
        "3:\n\t"
        "vstrw.32 q0, [%[y]]\n\t" "vstrw.32 q1, [%[y], #16]\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [start] "r"(start), [y] "r"(y), [next] "r"(next), [pairs] "r"(pairs), [odd] "r"(k_count % 2)
        : "cc", "memory", "lr", "q0", "q1", "q4", "q5", "q6", "q7");
#undef TINYMLP_STEP8
}

// Four sums of x[0, 4 * fours) times zero, lane by lane: each lane 0 when its values are finite,
// NaN when one is infinite or NaN (x * 0 is NaN exactly then). all_finite on a gradient buffer,
// a VLDRW and a VFMA per four values.
TINYMLP_LOOP void zero_products4(const float* x, std::size_t fours, float* sums) {
    __asm__ volatile(
        "vmov.i32 q1, #0\n\t"
        "wls lr, %[fours], 2f\n"
        "1:\n\t"
        "vldrw.32 q0, [%[x]], #16\n\t" "vfma.f32 q1, q0, %[zero]\n\t"
        "le lr, 1b\n"
        "2:\n\t"
        "vstrw.32 q1, [%[sums]]\n\t"
        : [x] "+&r"(x)
        : [fours] "r"(fours), [zero] "r"(0.0f), [sums] "r"(sums)
        : "cc", "memory", "lr", "q0", "q1");
}

// dx[i] = <dy, W[i]> for i < 4 * groups, W's rows 4 * fours floats long: four rows at a time,
// each in the four lanes of one of q0-q3 (lane l sums the terms o = l mod 4 in order, from 0),
// then reduced as the lanes' hadd reduces, (l0 + l2) + (l1 + l3), on the S registers under them:
// the values of the lanes' dot products (kernels/simd/dense.hpp dot_group).
TINYMLP_LOOP void dot_rows4(const float* dy, const float* w, std::size_t fours, float* dx, std::size_t groups) {
    const std::size_t stride = fours * 16;
    const float *d = dy, *w1 = w, *w2 = w, *w3 = w;
#define TINYMLP_REDUCE(a, b, c, e, offset)                                                           \
    "vadd.f32 " a ", " a ", " c "\n\t" "vadd.f32 " b ", " b ", " e "\n\t" "vadd.f32 " a ", " a ", " b "\n\t" \
    "vstr " a ", [%[dx], #" offset "]\n\t"
    __asm__ volatile(
        "cmp %[groups], #0\n\t" "beq 3f\n"
        "1:\n\t"
        "add %[w1], %[w], %[stride]\n\t" "add %[w2], %[w1], %[stride]\n\t" "add %[w3], %[w2], %[stride]\n\t"
        "mov %[d], %[dy]\n\t"
        "vmov.i32 q0, #0\n\t" "vmov.i32 q1, #0\n\t" "vmov.i32 q2, #0\n\t" "vmov.i32 q3, #0\n\t"
        "wls lr, %[fours], 2f\n"
        "4:\n\t"
        "vldrw.32 q4, [%[d]], #16\n\t"
        "vldrw.32 q5, [%[w]], #16\n\t" "vfma.f32 q0, q4, q5\n\t"
        "vldrw.32 q6, [%[w1]], #16\n\t" "vfma.f32 q1, q4, q6\n\t"
        "vldrw.32 q7, [%[w2]], #16\n\t" "vfma.f32 q2, q4, q7\n\t"
        "vldrw.32 q5, [%[w3]], #16\n\t" "vfma.f32 q3, q4, q5\n\t"
        "le lr, 4b\n"
        "2:\n\t"
        TINYMLP_REDUCE("s0", "s1", "s2", "s3", "0") TINYMLP_REDUCE("s4", "s5", "s6", "s7", "4")
        TINYMLP_REDUCE("s8", "s9", "s10", "s11", "8") TINYMLP_REDUCE("s12", "s13", "s14", "s15", "12")
        "add %[dx], %[dx], #16\n\t"
        "mov %[w], %[w3]\n\t"
        "subs %[groups], %[groups], #1\n\t"
        "bne 1b\n"
        "3:\n\t"
        : [w] "+&r"(w), [dx] "+&r"(dx), [groups] "+&r"(groups), [d] "+&r"(d), [w1] "+&r"(w1), [w2] "+&r"(w2),
          [w3] "+&r"(w3)
        : [dy] "r"(dy), [fours] "r"(fours), [stride] "r"(stride)
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
#undef TINYMLP_REDUCE
}

// dx[n][0, 4) = sum_o dy[n][o] W[0, 4)[o] for four samples n (dy's and W's rows `out` floats
// apart, `out` even; dx's rows `in` floats apart): one chain of multiply-adds per value over o from
// 0 up, the order of the reference kernel. Sample n's sums in qn; the four inputs' weights at o
// arrive by one gather (VLDRW from q6, a vector of addresses that steps 4 bytes), so a batch's
// input gradient needs no transposed copy of W.
TINYMLP_LOOP void input_gradient4x4(const float* dy, const float* w, std::size_t out, float* dx, std::size_t in) {
    const float *d0 = dy, *d1 = d0 + out, *d2 = d1 + out, *d3 = d2 + out;
    std::size_t row = out * sizeof(float), address = reinterpret_cast<std::size_t>(w) - sizeof(float);
    unsigned a = 0, b = 0;
#define TINYMLP_SAMPLES2(da, db, qa, qb)                                                             \
    "ldrd %[a], %[b], [" da "], #8\n\t" "ldrd %[row], %[address], [" db "], #8\n\t"                  \
    "vfma.f32 " qa ", q4, %[a]\n\t" "vfma.f32 " qb ", q4, %[row]\n\t"                                \
    "vfma.f32 " qa ", q5, %[b]\n\t" "vfma.f32 " qb ", q5, %[address]\n\t"
    __asm__ volatile(
        "movs %[a], #0\n\t"
        "vidup.u32 q6, %[a], #1\n\t" "vmul.i32 q6, q6, %[row]\n\t" "vadd.i32 q6, q6, %[address]\n\t"
        "vmov.i32 q0, #0\n\t" "vmov.i32 q1, #0\n\t" "vmov.i32 q2, #0\n\t" "vmov.i32 q3, #0\n\t"
        "wls lr, %[pairs], 2f\n"
        "1:\n\t"
        "vldrw.u32 q4, [q6, #4]!\n\t" "vldrw.u32 q5, [q6, #4]!\n\t"
        TINYMLP_SAMPLES2("%[d0]", "%[d1]", "q0", "q1") TINYMLP_SAMPLES2("%[d2]", "%[d3]", "q2", "q3")
        "le lr, 1b\n"
        "2:\n\t"
        "vstrw.32 q0, [%[dx]]\n\t" "add %[dx], %[dx], %[in]\n\t" "vstrw.32 q1, [%[dx]]\n\t"
        "add %[dx], %[dx], %[in]\n\t" "vstrw.32 q2, [%[dx]]\n\t" "add %[dx], %[dx], %[in]\n\t"
        "vstrw.32 q3, [%[dx]]\n\t"
        : [d0] "+&r"(d0), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3), [a] "=&r"(a), [b] "=&r"(b),
          [row] "+&r"(row), [address] "+&r"(address), [dx] "+&r"(dx)
        : [in] "r"(in * sizeof(float)), [pairs] "r"(out / 2)
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6");
#undef TINYMLP_SAMPLES2
}

// Register blocks of a batch's C = A B (kernels/simd/dense.hpp gemm) of 3 (or 2) rows by 8
// columns: C's rows in q0-q1, q2-q3 (, q4-q5), B's row at step k in q6-q7, each A(r, k) the scalar
// of two VFMAs. Each value starts from start[0, 8) (the bias, or zeros16) and is one chain of
// multiply-adds over k from 0 up, as gemm_block computes it. The strides are constants in bytes
// (one copy per layer shape), so that loads and stores move their pointers themselves: B's and
// C's up to 508 bytes, A's steps up to 1020. k_count even.
template <std::size_t BRow, std::size_t CRow>
inline constexpr bool block3x8_strides = BRow <= 508 && CRow <= 508 && BRow % 4 == 0 && CRow % 4 == 0;
#define TINYMLP_BLOCK3X8_START                                                                       \
    "vldrw.32 q0, [%[start]]\n\t" "vldrw.32 q1, [%[start], #16]\n\t" "vmov q2, q0\n\t"              \
    "vmov q3, q1\n\t" "vmov q4, q0\n\t" "vmov q5, q1\n\t"
#define TINYMLP_BLOCK3X8_B "vldrw.32 q7, [%[b], #16]\n\t" "vldrw.32 q6, [%[b]], %[b_row]\n\t"
#define TINYMLP_BLOCK3X8_ROW(qa, qb, scalar) "vfma.f32 " qa ", q6, " scalar "\n\t" "vfma.f32 " qb ", q7, " scalar "\n\t"
#define TINYMLP_BLOCK3X8_STORE(qa, qb) "vstrw.32 " qb ", [%[c], #16]\n\t" "vstrw.32 " qa ", [%[c]], %[c_row]\n\t"
#define TINYMLP_BLOCK3X8_LOOP(step)                                                                  \
    "wls lr, %[pairs], 2f\n"                                                                          \
    "1:\n\t" step step "le lr, 1b\n"                                                                 \
    "2:\n\t"

// A's rows contiguous in k (the forward, y = x W + b), ARow bytes apart: one LDR per row and step.
template <std::size_t Rows, std::size_t ARow, std::size_t BRow, std::size_t CRow>
TINYMLP_LOOP void block_rows_x8(const float* a, const float* b, std::size_t k_count, const float* start, float* c) {
    static_assert((Rows == 2 || Rows == 3) && block3x8_strides<BRow, CRow>, "tinymlp: no such block");
    const float *a1 = a + ARow / 4, *a2 = a + 2 * (ARow / 4);
    std::size_t pairs = k_count / 2;
    unsigned s = 0;
#define TINYMLP_STEP2                                                                                \
    TINYMLP_BLOCK3X8_B "ldr %[s], [%[a0]], #4\n\t" TINYMLP_BLOCK3X8_ROW("q0", "q1", "%[s]")            \
    "ldr %[s], [%[a1]], #4\n\t" TINYMLP_BLOCK3X8_ROW("q2", "q3", "%[s]")
    if constexpr (Rows == 3)
        __asm__ volatile(
            TINYMLP_BLOCK3X8_START
            TINYMLP_BLOCK3X8_LOOP(TINYMLP_STEP2 "ldr %[s], [%[a2]], #4\n\t" TINYMLP_BLOCK3X8_ROW("q4", "q5", "%[s]"))
            TINYMLP_BLOCK3X8_STORE("q0", "q1") TINYMLP_BLOCK3X8_STORE("q2", "q3") TINYMLP_BLOCK3X8_STORE("q4", "q5")
            : [a0] "+&r"(a), [a1] "+&r"(a1), [a2] "+&r"(a2), [s] "=&r"(s), [b] "+&r"(b), [c] "+&r"(c)
            : [pairs] "r"(pairs), [start] "r"(start), [b_row] "i"(BRow), [c_row] "i"(CRow)
            : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
    else
        __asm__ volatile(
            TINYMLP_BLOCK3X8_START
            TINYMLP_BLOCK3X8_LOOP(TINYMLP_STEP2)
            TINYMLP_BLOCK3X8_STORE("q0", "q1") TINYMLP_BLOCK3X8_STORE("q2", "q3")
            : [a0] "+&r"(a), [a1] "+&r"(a1), [s] "=&r"(s), [b] "+&r"(b), [c] "+&r"(c)
            : [pairs] "r"(pairs), [start] "r"(start), [b_row] "i"(BRow), [c_row] "i"(CRow)
            : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
#undef TINYMLP_STEP2
}

// A's rows adjacent, its steps AStep bytes apart (the weight gradient, dW = x^T dy): A(0..2, k) by
// one LDRD (and one LDR).
template <std::size_t Rows, std::size_t AStep, std::size_t BRow, std::size_t CRow>
TINYMLP_LOOP void block_columns_x8(const float* a, const float* b, std::size_t k_count, const float* start, float* c) {
    static_assert((Rows == 2 || Rows == 3) && block3x8_strides<BRow, CRow> && AStep <= 1020, "tinymlp: no such block");
    std::size_t pairs = k_count / 2;
    unsigned s0 = 0, s1 = 0, s2 = 0;
#define TINYMLP_STEP2                                                                                \
    TINYMLP_BLOCK3X8_B "ldrd %[s0], %[s1], [%[a]], %[a_step]\n\t"                                    \
    TINYMLP_BLOCK3X8_ROW("q0", "q1", "%[s0]") TINYMLP_BLOCK3X8_ROW("q2", "q3", "%[s1]")
    if constexpr (Rows == 3)
        __asm__ volatile(
            TINYMLP_BLOCK3X8_START
            TINYMLP_BLOCK3X8_LOOP("ldr %[s2], [%[a], #8]\n\t" TINYMLP_STEP2 TINYMLP_BLOCK3X8_ROW("q4", "q5", "%[s2]"))
            TINYMLP_BLOCK3X8_STORE("q0", "q1") TINYMLP_BLOCK3X8_STORE("q2", "q3") TINYMLP_BLOCK3X8_STORE("q4", "q5")
            : [a] "+&r"(a), [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [b] "+&r"(b), [c] "+&r"(c)
            : [pairs] "r"(pairs), [start] "r"(start), [a_step] "i"(AStep), [b_row] "i"(BRow), [c_row] "i"(CRow)
            : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
    else
        __asm__ volatile(
            TINYMLP_BLOCK3X8_START
            TINYMLP_BLOCK3X8_LOOP(TINYMLP_STEP2)
            TINYMLP_BLOCK3X8_STORE("q0", "q1") TINYMLP_BLOCK3X8_STORE("q2", "q3")
            : [a] "+&r"(a), [s0] "=&r"(s0), [s1] "=&r"(s1), [b] "+&r"(b), [c] "+&r"(c)
            : [pairs] "r"(pairs), [start] "r"(start), [a_step] "i"(AStep), [b_row] "i"(BRow), [c_row] "i"(CRow)
            : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
#undef TINYMLP_STEP2
}
#undef TINYMLP_BLOCK3X8_START
#undef TINYMLP_BLOCK3X8_B
#undef TINYMLP_BLOCK3X8_ROW
#undef TINYMLP_BLOCK3X8_STORE
#undef TINYMLP_BLOCK3X8_LOOP

// dW[i][0, 16) = x[i] dy[0, 16) for i < rows, dW's rows `stride` floats apart: dy in q4-q7, two
// rows per LDRD, each product rounded once (VMUL by the scalar x[i]).
TINYMLP_LOOP void outer_columns16(const float* x, const float* dy, float* dw, std::size_t stride, std::size_t rows) {
    const std::size_t next = stride * sizeof(float);
    unsigned x0 = 0, x1 = 0;
#define TINYMLP_ROW16(xi)                                                                            \
    "vmul.f32 q0, q4, " xi "\n\t" "vmul.f32 q1, q5, " xi "\n\t" "vmul.f32 q2, q6, " xi "\n\t"        \
    "vmul.f32 q3, q7, " xi "\n\t" "vstrw.32 q0, [%[dw]]\n\t" "vstrw.32 q1, [%[dw], #16]\n\t"          \
    "vstrw.32 q2, [%[dw], #32]\n\t" "vstrw.32 q3, [%[dw], #48]\n\t" "add %[dw], %[dw], %[next]\n\t"
    __asm__ volatile(
        "vldrw.32 q4, [%[dy]]\n\t" "vldrw.32 q5, [%[dy], #16]\n\t"
        "vldrw.32 q6, [%[dy], #32]\n\t" "vldrw.32 q7, [%[dy], #48]\n\t"
        "wls lr, %[pairs], 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_ROW16("%[x0]") TINYMLP_ROW16("%[x1]")
        "le lr, 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_ROW16("%[x0]")
        "3:\n\t"
        : [x] "+&r"(x), [dw] "+&r"(dw), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [dy] "r"(dy), [next] "r"(next), [pairs] "r"(rows / 2), [odd] "r"(rows % 2)
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
#undef TINYMLP_ROW16
}

// The same for 8 columns: dy in q6-q7.
TINYMLP_LOOP void outer_columns8(const float* x, const float* dy, float* dw, std::size_t stride, std::size_t rows) {
    const std::size_t next = stride * sizeof(float);
    unsigned x0 = 0, x1 = 0;
#define TINYMLP_ROW8(xi)                                                                             \
    "vmul.f32 q0, q6, " xi "\n\t" "vmul.f32 q1, q7, " xi "\n\t" "vstrw.32 q0, [%[dw]]\n\t"              \
    "vstrw.32 q1, [%[dw], #16]\n\t" "add %[dw], %[dw], %[next]\n\t"
    __asm__ volatile(
        "vldrw.32 q6, [%[dy]]\n\t" "vldrw.32 q7, [%[dy], #16]\n\t"
        "wls lr, %[pairs], 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_ROW8("%[x0]") TINYMLP_ROW8("%[x1]")
        "le lr, 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_ROW8("%[x0]")
        "3:\n\t"
        : [x] "+&r"(x), [dw] "+&r"(dw), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [dy] "r"(dy), [next] "r"(next), [pairs] "r"(rows / 2), [odd] "r"(rows % 2)
        : "cc", "memory", "lr", "q0", "q1", "q6", "q7");
#undef TINYMLP_ROW8
}

// W[i][0, 8) = W[i][0, 8) + minus_rate (x[i] dy[0, 8)) for i < rows, W's rows `stride` floats
// apart: one sample's SGD step without a gradient buffer, the product rounded first as
// outer_columns8 rounds it. dy in q6-q7, the row of W in q0-q1, its gradient in q2-q3.
TINYMLP_LOOP void sgd_outer_columns8(const float* x, const float* dy, float* w, std::size_t stride, std::size_t rows,
                                     float minus_rate) {
    const std::size_t next = stride * sizeof(float);
    unsigned x0 = 0, x1 = 0;
#define TINYMLP_SGD_ROW8(xi)                                                                         \
    "vldrw.32 q0, [%[w]]\n\t" "vldrw.32 q1, [%[w], #16]\n\t"                                         \
    "vmul.f32 q2, q6, " xi "\n\t" "vmul.f32 q3, q7, " xi "\n\t"                                       \
    "vfma.f32 q0, q2, %[rate]\n\t" "vfma.f32 q1, q3, %[rate]\n\t"                                     \
    "vstrw.32 q0, [%[w]]\n\t" "vstrw.32 q1, [%[w], #16]\n\t" "add %[w], %[w], %[next]\n\t"
    __asm__ volatile(
        "vldrw.32 q6, [%[dy]]\n\t" "vldrw.32 q7, [%[dy], #16]\n\t"
        "wls lr, %[pairs], 2f\n"
        "1:\n\t"
        "ldrd %[x0], %[x1], [%[x]], #8\n\t"
        TINYMLP_SGD_ROW8("%[x0]") TINYMLP_SGD_ROW8("%[x1]")
        "le lr, 1b\n"
        "2:\n\t"
        "cmp %[odd], #0\n\t" "beq 3f\n\t"
        "ldr %[x0], [%[x]]\n\t"
        TINYMLP_SGD_ROW8("%[x0]")
        "3:\n\t"
        : [x] "+&r"(x), [w] "+&r"(w), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [dy] "r"(dy), [next] "r"(next), [pairs] "r"(rows / 2), [odd] "r"(rows % 2), [rate] "r"(minus_rate)
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3", "q6", "q7");
#undef TINYMLP_SGD_ROW8
}

// p[0, 8 * eights) += minus_rate g: one VFMA by the scalar per four values.
TINYMLP_LOOP void sgd_step8(float* p, const float* g, std::size_t eights, float minus_rate) {
    __asm__ volatile(
        "wls lr, %[eights], 2f\n"
        "1:\n\t"
        "vldrw.32 q0, [%[g]], #16\n\t" "vldrw.32 q1, [%[g]], #16\n\t"
        "vldrw.32 q2, [%[p]]\n\t" "vldrw.32 q3, [%[p], #16]\n\t"
        "vfma.f32 q2, q0, %[rate]\n\t" "vfma.f32 q3, q1, %[rate]\n\t"
        "vstrw.32 q2, [%[p]], #16\n\t" "vstrw.32 q3, [%[p]], #16\n\t"
        "le lr, 1b\n"
        "2:\n\t"
        : [p] "+&r"(p), [g] "+&r"(g)
        : [eights] "r"(eights), [rate] "r"(minus_rate)
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3");
}

// Adam without weight decay on blocks of four parameters, in the order of operations of
// kernels::adam_update: m = fma(1 - b1, g, b1 m); v = fma((1 - b2) g, g, b2 v);
// p = p - step_size m / (sqrt(v) / c2 + eps). `constants`: b1, b2, 1 - b1, 1 - b2, eps,
// step_size, c2. m and v are vector operations; the square roots and the quotients are scalar
// VSQRT and VDIV (Helium has neither for vectors) on the S registers under q2, q3 and q1, so no
// lane is moved. The gradients arrive in q0 (ADAM_GRADIENT), as loaded or as x dy.
inline constexpr std::size_t adam_block = 4;
#define TINYMLP_ADAM4(ADAM_GRADIENT, SCALE_OPERAND)                                                                 \
    __asm__ volatile(                                                                                \
        "wls lr, %[fours], 2f\n"                                                                     \
        "1:\n\t"                                                                                     \
        ADAM_GRADIENT                                                                                \
        "vldrw.32 q1, [%[m]]\n\t" "vmul.f32 q1, q1, %[b1]\n\t" "vfma.f32 q1, q0, %[omb1]\n\t"        \
        "vstrw.32 q1, [%[m]], #16\n\t"                                                               \
        "vldrw.32 q2, [%[v]]\n\t" "vmul.f32 q2, q2, %[b2]\n\t" "vmul.f32 q3, q0, %[omb2]\n\t"        \
        "vfma.f32 q2, q3, q0\n\t" "vstrw.32 q2, [%[v]], #16\n\t"                                     \
        "vsqrt.f32 s12, s8\n\t" "vsqrt.f32 s13, s9\n\t" "vsqrt.f32 s14, s10\n\t" "vsqrt.f32 s15, s11\n\t"  \
        "vdiv.f32 s12, s12, %[c2]\n\t" "vdiv.f32 s13, s13, %[c2]\n\t" "vdiv.f32 s14, s14, %[c2]\n\t"  \
        "vdiv.f32 s15, s15, %[c2]\n\t" "vadd.f32 q3, q3, %[eps]\n\t" "vmul.f32 q1, q1, %[step]\n\t"  \
        "vdiv.f32 s4, s4, s12\n\t" "vdiv.f32 s5, s5, s13\n\t" "vdiv.f32 s6, s6, s14\n\t"            \
        "vdiv.f32 s7, s7, s15\n\t"                                                                  \
        "vldrw.32 q0, [%[p]]\n\t" "vsub.f32 q0, q0, q1\n\t" "vstrw.32 q0, [%[p]], #16\n\t"          \
        "le lr, 1b\n"                                                                                \
        "2:\n\t"                                                                                     \
        : [p] "+&r"(p), [g] "+&r"(g), [m] "+&r"(m), [v] "+&r"(v)                                      \
        : [fours] "r"(fours), [b1] "r"(constants[0]), [b2] "r"(constants[1]), [omb1] "r"(constants[2]), \
          [omb2] "r"(constants[3]), [eps] "r"(constants[4]), [step] "r"(constants[5]), [c2] "t"(constants[6])  \
          SCALE_OPERAND                                                                              \
        : "cc", "memory", "lr", "q0", "q1", "q2", "q3");

#define TINYMLP_ADAM4_SCALE , [x] "r"(x)

// Adam on p, g, m, v [0, 4 * fours).
TINYMLP_LOOP void adam_blocks(float* p, const float* g, float* m, float* v, std::size_t fours, const float* constants) {
    TINYMLP_ADAM4("vldrw.32 q0, [%[g]], #16\n\t", )
}

// One sample's Adam step without a gradient buffer on `rows` rows of 4 * `fours` parameters
// (contiguous in p, m and v): the gradient of row i, column o is the rounded product dy[o] x[i],
// as the one-sample weight gradient is made.
TINYMLP_LOOP void adam_outer(const float* xs, const float* dy, float* p, float* m, float* v, std::size_t rows,
                             std::size_t fours, const float* constants) {
    for (std::size_t i = 0; i < rows; ++i) {
        const float x = xs[i];
        const float* g = dy;
        TINYMLP_ADAM4("vldrw.32 q0, [%[g]], #16\n\t" "vmul.f32 q0, q0, %[x]\n\t", TINYMLP_ADAM4_SCALE)
    }
}
#undef TINYMLP_ADAM4
#undef TINYMLP_ADAM4_SCALE

#undef TINYMLP_LOOP

}  // namespace tinymlp::port
#endif
