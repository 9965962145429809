/* Internal declarations shared by the tinymlp Cortex-M runtime (startup, semihosting, stdio).
 * Not for test code: tests use <cstdio> and ports/cortex-m/stack_usage.h. */
#ifndef TINYMLP_CORTEX_M_RUNTIME_H
#define TINYMLP_CORTEX_M_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Semihosting operation numbers (Arm "Semihosting for AArch32 and AArch64", v2). */
enum {
    TINYMLP_SYS_OPEN = 0x01,
    TINYMLP_SYS_CLOSE = 0x02,
    TINYMLP_SYS_WRITEC = 0x03,
    TINYMLP_SYS_WRITE0 = 0x04,
    TINYMLP_SYS_WRITE = 0x05,
    TINYMLP_SYS_READ = 0x06,
    TINYMLP_SYS_SEEK = 0x0A,
    TINYMLP_SYS_FLEN = 0x0C,
    TINYMLP_SYS_TMPNAM = 0x0D,
    TINYMLP_SYS_REMOVE = 0x0E,
    TINYMLP_SYS_GET_CMDLINE = 0x15,
    TINYMLP_SYS_EXIT = 0x18,
    TINYMLP_SYS_EXIT_EXTENDED = 0x20
};

/* One semihosting call: BKPT 0xAB with the operation in r0 and the argument (block) in r1. */
static inline int tinymlp_semihost(int operation, const void* argument) {
    register int r0 __asm__("r0") = operation;
    register const void* r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Writes a NUL-terminated string straight to the debug console (no buffering). */
void tinymlp_semihost_write0(const char* text);

/* Flushes stdout/stderr and ends the program with `status` as QEMU's exit code. */
__attribute__((noreturn)) void tinymlp_semihost_exit(int status);

/* Reports a fatal condition ("abort", "pure virtual call", ...) and exits with status 1. */
__attribute__((noreturn)) void tinymlp_fatal(const char* what);

/* startup.c: reports a fault (called by the exception handlers) and exits with status 1. */
__attribute__((noreturn)) void tinymlp_fault(uint32_t exc_return, uint32_t kind,
                                             const uint32_t* frame);

/* semihosting.c: newlib hooks we define ourselves. */
__attribute__((noreturn)) void _exit(int status);
void* _sbrk(intptr_t increment);

/* stdio.c: sets up stdin/stdout/stderr; flushes buffered console output. */
void tinymlp_stdio_init(void);
void tinymlp_stdio_flush_all(void);

#ifdef __cplusplus
}
#endif

#endif
