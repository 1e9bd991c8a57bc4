/* SPDX-License-Identifier: MIT */
/* Heap allocation counter for the programs that check that the control
 * cycle does not allocate (test-hand, bench-cycle). alloc-count.c defines
 * malloc, calloc, realloc and free over glibc's __libc_* entry points;
 * linked into a program (tests/meson.build, bench/meson.build), they
 * replace the C library's for the program and every library it loads.
 * While alloc_count_on is set each call (free of a non-NULL pointer
 * included) adds one to alloc_count_n and the first ALLOC_COUNT_SITES
 * calls note their return address.
 *
 * Under AddressSanitizer or ThreadSanitizer the sanitizer owns the
 * allocator: ALLOC_COUNT is not defined, nothing is interposed,
 * ALLOC_COUNT_SET() does nothing and alloc_count_n stays 0.
 *
 * Switching counting on or off is one store to a volatile int (no call),
 * so it may sit at the edges of a timed region. */
#ifndef DX_TESTS_ALLOC_COUNT_H
#define DX_TESTS_ALLOC_COUNT_H

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define ALLOC_COUNT 1
#endif

#define ALLOC_COUNT_SITES 8

extern volatile int alloc_count_on;
extern volatile unsigned long alloc_count_n;
/* return addresses of the first counted calls */
extern void *alloc_count_site[ALLOC_COUNT_SITES];

#ifdef ALLOC_COUNT
#define ALLOC_COUNT_SET(on) (alloc_count_on = (on))
#else
#define ALLOC_COUNT_SET(on) ((void)0)
#endif

#endif
