/* Program exit, abort and assert for tinymlp firmware, through Arm semihosting.
 *
 * These replace newlib's versions, which would drag in newlib's stdio (and with it malloc):
 * exit() runs atexit() handlers (at most 8, kept in a static table), flushes the console and
 * hands the status to the debugger/QEMU with SYS_EXIT_EXTENDED, so QEMU's own exit code is
 * the program's (0 pass, 1 fail, 77 skipped). */
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"

#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN 0x20023

void tinymlp_semihost_write0(const char* text) { tinymlp_semihost(TINYMLP_SYS_WRITE0, text); }

void tinymlp_semihost_exit(int status) {
    tinymlp_stdio_flush_all();
    const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    tinymlp_semihost(TINYMLP_SYS_EXIT_EXTENDED, block);
    /* A host without SYS_EXIT_EXTENDED: plain SYS_EXIT can only tell success from failure. */
    tinymlp_semihost(TINYMLP_SYS_EXIT, (const void*)(uintptr_t)(
        status == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN));
    for (;;) __asm__ volatile("bkpt 0");
}

void tinymlp_fatal(const char* what) {
    tinymlp_stdio_flush_all();
    tinymlp_semihost_write0("\n*** tinymlp Cortex-M: ");
    tinymlp_semihost_write0(what);
    tinymlp_semihost_write0("\n");
    tinymlp_semihost_exit(1);
}

#define TINYMLP_ATEXIT_MAX 8
static void (*atexit_functions[TINYMLP_ATEXIT_MAX])(void);
static int atexit_count;

int atexit(void (*function)(void)) {
    if (atexit_count == TINYMLP_ATEXIT_MAX) return -1;
    atexit_functions[atexit_count++] = function;
    return 0;
}

void exit(int status) {
    while (atexit_count > 0) atexit_functions[--atexit_count]();
    tinymlp_semihost_exit(status);
}

void _exit(int status) { tinymlp_semihost_exit(status); }

void abort(void) { tinymlp_fatal("abort() called"); }

/* Target of assert() in newlib's <assert.h>. */
void __assert_func(const char* file, int line, const char* function, const char* expression) {
    char number[12];
    int n = 0;
    unsigned value = (unsigned)line;
    char digits[12];
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value);
    int i = 0;
    while (n) number[i++] = digits[--n];
    number[i] = '\0';
    tinymlp_stdio_flush_all();
    tinymlp_semihost_write0("\n*** assertion failed: ");
    tinymlp_semihost_write0(expression);
    tinymlp_semihost_write0(", function ");
    tinymlp_semihost_write0(function ? function : "?");
    tinymlp_semihost_write0(", file ");
    tinymlp_semihost_write0(file);
    tinymlp_semihost_write0(":");
    tinymlp_semihost_write0(number);
    tinymlp_semihost_write0("\n");
    tinymlp_semihost_exit(1);
}

/* There is no heap. If something links malloc anyway, it gets NULL at run time, and the
 * <test>_no_heap check (check_no_heap.cmake) fails the build's tests. */
void* _sbrk(intptr_t increment) {
    (void)increment;
    return (void*)-1;
}

/* Firmware built with stock newlib-nano stdio (tinymlp_cortex_m_firmware(... STOCK_STDIO)) has no
 * stdio.c: these weak stand-ins do nothing then, and stdio.c's definitions replace them. */
__attribute__((weak)) void tinymlp_stdio_init(void) {}
__attribute__((weak)) void tinymlp_stdio_flush_all(void) {}
