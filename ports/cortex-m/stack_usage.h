/* Stack high-water measurement for tinymlp firmware on Cortex-M (C and C++).
 *
 * The startup code (runtime/startup.c) paints the whole program stack with TINYMLP_STACK_PAINT
 * before anything runs on it. The deepest word that no longer holds the pattern marks how much
 * stack the program has used so far, static constructors included:
 *
 *   #include "stack_usage.h"
 *   tinymlp_stack_repaint();                    // optional: forget earlier use
 *   network.forward(x, y);
 *   printf("forward used %u bytes of stack\n", (unsigned)tinymlp_stack_used());
 *
 * A function's own use is the high-water mark after calling it (following a repaint) minus
 * the caller's tinymlp_stack_depth().
 * The result can only under-estimate when a function stores the pattern value itself at the
 * deepest point, which is practically never. */
#ifndef TINYMLP_PORTS_CORTEX_M_STACK_USAGE_H
#define TINYMLP_PORTS_CORTEX_M_STACK_USAGE_H

#define TINYMLP_STACK_PAINT 0xA5A5A5A5

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lowest and one-past-highest address of the program stack (from the linker script). */
extern uint32_t __stack_limit[];
extern uint32_t __stack_top[];

/* Size of the program stack in bytes (256 KiB by default, -Wl,--defsym=__stack_size=N). */
static inline size_t tinymlp_stack_size(void) {
    return (size_t)((const char*)__stack_top - (const char*)__stack_limit);
}

/* Deepest stack use since reset (or since the last tinymlp_stack_repaint()), in bytes. */
static inline size_t tinymlp_stack_used(void) {
    const volatile uint32_t* word = __stack_limit;
    while (word < __stack_top && *word == (uint32_t)TINYMLP_STACK_PAINT) ++word;
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)word);
}

/* Current depth of the stack (bytes between the stack pointer and the top). */
static inline size_t tinymlp_stack_depth(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return (size_t)((uintptr_t)__stack_top - sp);
}

/* Paints the unused part of the stack again, so that the next tinymlp_stack_used() reports the
 * deepest use from now on (never less than the current depth). */
static inline void tinymlp_stack_repaint(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    /* Keep clear of this function's own frame and of an exception frame pushed meanwhile. */
    volatile uint32_t* end = (volatile uint32_t*)((sp - 128u) & ~(uintptr_t)3u);
    for (volatile uint32_t* word = __stack_limit; word < end; ++word)
        *word = (uint32_t)TINYMLP_STACK_PAINT;
}

#ifdef __cplusplus
}
#endif
#endif /* __ASSEMBLER__ */

#endif
