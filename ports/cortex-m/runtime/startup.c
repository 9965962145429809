/* tinymlp Cortex-M startup: vector table, reset, fault reporting.
 *
 * Memory (see ../linker/sections.ld): the program runs in Thread mode on the process stack
 * (PSP, __stack_limit..__stack_top, at the very bottom of RAM); exceptions run on a small
 * separate main stack (MSP, __handler_stack_limit..__handler_stack_top), so a fault caused by
 * a stack overflow can still be reported. Overflows fault instead of corrupting memory:
 *  - Armv8-M (Cortex-M55): PSPLIM/MSPLIM, checked on every stack pointer update;
 *  - Armv7-M (Cortex-M3/M4/M7): the MPU allows only the linker script's CODE, STACK_RAM and
 *    DATA_RAM regions (no background map), so anything below the stack faults - as does any
 *    other stray access. Needed under QEMU, whose MPS2 boards answer unmapped addresses below
 *    RAM as read-as-zero/write-ignored and mirror the code memory further down: an overflow
 *    would otherwise silently run into the program.
 *
 * Reset: enable the FPU/MVE (CPACR), paint the process stack with TINYMLP_STACK_PAINT (see
 * ../stack_usage.h), switch to PSP, enable the MPU, copy .data, zero .bss, set up stdio, run
 * the static constructors (.preinit_array/.init_array), call main(argc, argv) with the command
 * line from semihosting (SYS_GET_CMDLINE, see ../run-firmware.sh) and exit through
 * semihosting with main's return value. Static destructors are not run (cxx_support.cpp). */
#include <stdint.h>
#include <string.h>

#include "../stack_usage.h"
#include "runtime.h"

/* main() may take (argc, argv) or nothing: calling either with two arguments is fine (AAPCS). */
extern int main(int argc, char** argv);

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __handler_stack_top[];
extern void (*__preinit_array_start[])(void);
extern void (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
#define TINYMLP_ARMV8M_MAIN 1
#else
#define TINYMLP_ARMV8M_MAIN 0
#endif

#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
#define TINYMLP_HAS_FP_OR_MVE 1
#else
#define TINYMLP_HAS_FP_OR_MVE 0
#endif

#define TINYMLP_STRINGIFY2(x) #x
#define TINYMLP_STRINGIFY(x) TINYMLP_STRINGIFY2(x)

/* System control block registers. */
#define SCB_CCR (*(volatile uint32_t*)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t*)0xE000ED24u)
#define SCB_CFSR (*(volatile uint32_t*)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t*)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t*)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t*)0xE000ED38u)
#define SAU_SFSR (*(volatile uint32_t*)0xE000EDE4u)
#define MPU_TYPE (*(volatile uint32_t*)0xE000ED90u)
#define MPU_CTRL (*(volatile uint32_t*)0xE000ED94u)
#define MPU_RNR (*(volatile uint32_t*)0xE000ED98u)
#define MPU_RBAR (*(volatile uint32_t*)0xE000ED9Cu)
#define MPU_RASR (*(volatile uint32_t*)0xE000EDA0u)

/* Memory regions of the linker script (absolute symbols: use their addresses). */
extern char __code_region_start[], __code_region_size[];
extern char __stack_region_start[], __stack_region_size[];
extern char __data_region_start[], __data_region_size[];

__attribute__((noreturn, used)) void tinymlp_cortex_m_start(void);
void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SecureFault_Handler(void);
void Unexpected_Handler(void);

/* ---- reset ------------------------------------------------------------------------------- */

__attribute__((naked, noreturn)) void Reset_Handler(void) {
    __asm__ volatile(
#if TINYMLP_HAS_FP_OR_MVE
        /* CPACR: full access to CP10/CP11 (FPU and MVE) before any floating-point code. */
        "ldr r0, =0xE000ED88\n"
        "ldr r1, [r0]\n"
        "orr r1, r1, #(0xF << 20)\n"
        "str r1, [r0]\n"
        "dsb\n"
        "isb\n"
#endif
        /* Paint the process stack so that stack_usage.h can find its high-water mark. */
        "ldr r0, =__stack_limit\n"
        "ldr r1, =__stack_top\n"
        "ldr r2, =" TINYMLP_STRINGIFY(TINYMLP_STACK_PAINT) "\n"
        "1:\n"
        "cmp r0, r1\n"
        "bhs 2f\n"
        "str r2, [r0], #4\n"
        "b 1b\n"
        "2:\n"
        "msr psp, r1\n"
#if TINYMLP_ARMV8M_MAIN
        "ldr r0, =__stack_limit\n"
        "msr psplim, r0\n"
        "ldr r0, =__handler_stack_limit\n"
        "msr msplim, r0\n"
#endif
        /* Thread mode uses PSP from here on; exceptions keep using MSP. */
        "movs r0, #2\n"
        "msr control, r0\n"
        "isb\n"
        "b tinymlp_cortex_m_start\n"
        ".ltorg\n");
}

#if !TINYMLP_ARMV8M_MAIN
/* One PMSAv7 region: full access, normal memory; size must be a power of two >= 32 that
 * divides the base. Returns 0 if it cannot be expressed. */
static int mpu_region(uint32_t number, uintptr_t base, uintptr_t size) {
    if (size < 32u || (size & (size - 1u)) || (base & (size - 1u))) return 0;
    const uint32_t size_field = (uint32_t)__builtin_ctz(size) - 1u; /* 2^(SIZE+1) bytes */
    MPU_RNR = number;
    MPU_RBAR = (uint32_t)base;
    MPU_RASR = (3u << 24)               /* AP: read/write, privileged and unprivileged */
               | (1u << 17)             /* C: normal memory, write-through */
               | (size_field << 1) | 1u; /* SIZE, ENABLE */
    return 1;
}

/* Only CODE and RAM are accessible (PRIVDEFENA = 0: no background map; the system region
 * at 0xE0000000 is never subject to the MPU). */
static void mpu_enable(void) {
    if (((MPU_TYPE >> 8) & 0xFFu) < 3u) return; /* no MPU, or too few regions */
    if (!mpu_region(0, (uintptr_t)__code_region_start, (uintptr_t)__code_region_size) ||
        !mpu_region(1, (uintptr_t)__stack_region_start, (uintptr_t)__stack_region_size) ||
        !mpu_region(2, (uintptr_t)__data_region_start, (uintptr_t)__data_region_size)) {
        MPU_CTRL = 0;
        return;
    }
    MPU_CTRL = 1u; /* ENABLE; HFNMIENA = 0: off in HardFault/NMI handlers */
    __asm__ volatile("dsb\n isb" ::: "memory");
}
#endif

/* argc/argv from the semihosting command line (words separated by spaces). */
#define TINYMLP_MAX_ARGUMENTS 32
static char command_line[1024];
static char* arguments[TINYMLP_MAX_ARGUMENTS + 1];

static int read_command_line(void) {
    uint32_t block[2] = {(uint32_t)(uintptr_t)command_line, sizeof command_line - 1};
    int count = 0;
    if (tinymlp_semihost(TINYMLP_SYS_GET_CMDLINE, block) == 0) {
        command_line[sizeof command_line - 1] = '\0';
        char* p = command_line;
        while (*p && count < TINYMLP_MAX_ARGUMENTS) {
            while (*p == ' ') *p++ = '\0';
            if (!*p) break;
            arguments[count++] = p;
            while (*p && *p != ' ') ++p;
        }
        if (*p) *p = '\0';
    }
    if (count == 0) arguments[count++] = (char*)"firmware";
    arguments[count] = NULL;
    return count;
}

void tinymlp_cortex_m_start(void) {
#if !TINYMLP_ARMV8M_MAIN
    mpu_enable();
#endif
    /* Report faults individually, and trap integer division by zero as the host would. */
    SCB_CCR |= (1u << 4); /* DIV_0_TRP */
#if TINYMLP_ARMV8M_MAIN
    SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19);
#else
    SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);
#endif
    __asm__ volatile("dsb\n isb" ::: "memory");

    const size_t data_bytes = (size_t)((char*)__data_end - (char*)__data_start);
    if (data_bytes && (char*)__data_start != (char*)__data_load)
        memcpy(__data_start, __data_load, data_bytes);
    memset(__bss_start, 0, (size_t)((char*)__bss_end - (char*)__bss_start));

    tinymlp_stdio_init();

    for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
    for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();

    const int argc = read_command_line();
    tinymlp_semihost_exit(main(argc, arguments));
}

/* ---- faults ------------------------------------------------------------------------------ */

static void append(char** out, const char* text) {
    while (*text) *(*out)++ = *text++;
}

static void append_hex(char** out, uint32_t value) {
    static const char digits[] = "0123456789abcdef";
    append(out, "0x");
    for (int shift = 28; shift >= 0; shift -= 4) *(*out)++ = digits[(value >> shift) & 0xFu];
}

static void append_dec(char** out, uint32_t value) {
    char tmp[11];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value);
    while (n) *(*out)++ = tmp[--n];
}

/* Called from the naked handlers below with EXC_RETURN, the exception kind and the stack
 * pointer that holds the exception frame. Runs on the handler stack (MSP). */
__attribute__((noreturn, used)) void tinymlp_fault(uint32_t exc_return, uint32_t kind,
                                                   const uint32_t* frame) {
    static const char* const names[] = {"NMI",        "HardFault",   "MemManage fault",
                                        "BusFault",   "UsageFault",  "SecureFault",
                                        "unexpected exception"};
    const uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR;
    /* MSTKERR, STKERR, STKOF: pushing the exception frame failed, so it cannot be read. */
    const int frame_lost = (cfsr & ((1u << 4) | (1u << 12) | (1u << 20))) != 0;
    const uint32_t mmfar = SCB_MMFAR;
    const uintptr_t limit = (uintptr_t)__stack_limit;
    const int stack_overflow =
        (cfsr & (1u << 20)) != 0 || /* STKOF (Armv8-M stack limit) */
        (frame_lost && (exc_return & 4u) && (uintptr_t)frame < limit + 256u) ||
        ((cfsr & (1u << 7)) && mmfar < limit && mmfar + 0x10000u >= limit); /* MPU, below */

    tinymlp_stdio_flush_all();
    char message[320];
    char* out = message;
    append(&out, "\n*** tinymlp Cortex-M: ");
    append(&out, names[kind < 7 ? kind : 6]);
    append(&out, " (CFSR=");
    append_hex(&out, cfsr);
    append(&out, " HFSR=");
    append_hex(&out, hfsr);
    if (cfsr & (1u << 7)) {
        append(&out, " MMFAR=");
        append_hex(&out, mmfar);
    }
    if (cfsr & (1u << 15)) {
        append(&out, " BFAR=");
        append_hex(&out, SCB_BFAR);
    }
#if TINYMLP_ARMV8M_MAIN
    if (kind == 5) {
        append(&out, " SFSR=");
        append_hex(&out, SAU_SFSR);
    }
#endif
    append(&out, ")");
    if (!frame_lost) {
        append(&out, " pc=");
        append_hex(&out, frame[6]);
        append(&out, " lr=");
        append_hex(&out, frame[5]);
    }
    if (stack_overflow) {
        append(&out, "\n*** stack overflow: the ");
        append_dec(&out, (uint32_t)tinymlp_stack_size());
        append(&out, "-byte stack is exhausted (link with -Wl,--defsym=__stack_size=<bytes>)");
    } else if (cfsr & (1u << 25)) {
        append(&out, "\n*** integer division by zero");
    }
    append(&out, "\n");
    *out = '\0';
    tinymlp_semihost_write0(message);
    tinymlp_semihost_exit(1);
}

#define TINYMLP_FAULT_HANDLER(handler, kind)           \
    __attribute__((naked)) void handler(void) {        \
        __asm__ volatile(                              \
            "tst lr, #4\n"                             \
            "ite eq\n"                                 \
            "mrseq r2, msp\n"                          \
            "mrsne r2, psp\n"                          \
            "mov r0, lr\n"                             \
            "movs r1, #" #kind "\n"                    \
            "b tinymlp_fault\n");                      \
    }

TINYMLP_FAULT_HANDLER(NMI_Handler, 0)
TINYMLP_FAULT_HANDLER(HardFault_Handler, 1)
TINYMLP_FAULT_HANDLER(MemManage_Handler, 2)
TINYMLP_FAULT_HANDLER(BusFault_Handler, 3)
TINYMLP_FAULT_HANDLER(UsageFault_Handler, 4)
TINYMLP_FAULT_HANDLER(SecureFault_Handler, 5)
TINYMLP_FAULT_HANDLER(Unexpected_Handler, 6)

/* ---- vector table ------------------------------------------------------------------------ */

typedef void (*tinymlp_vector)(void);

/* 16 system exceptions plus 16 interrupt lines (no interrupt is ever enabled; any that fires
 * anyway is reported as unexpected). */
__attribute__((section(".isr_vector"), used)) const tinymlp_vector tinymlp_vector_table[32] = {
    (tinymlp_vector)(uintptr_t)__handler_stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    SecureFault_Handler,
    0,
    0,
    0,
    Unexpected_Handler, /* SVCall */
    Unexpected_Handler, /* DebugMonitor */
    0,
    Unexpected_Handler, /* PendSV */
    Unexpected_Handler, /* SysTick */
    Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, Unexpected_Handler,
    Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, Unexpected_Handler,
    Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, Unexpected_Handler,
    Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, Unexpected_Handler,
};
