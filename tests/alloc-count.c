/* SPDX-License-Identifier: MIT */
/* The interposed malloc family of alloc-count.h. */
#include <stddef.h>
#include <stdlib.h>

#include "alloc-count.h"

volatile int alloc_count_on;
volatile unsigned long alloc_count_n;
void *alloc_count_site[ALLOC_COUNT_SITES];

#ifdef ALLOC_COUNT
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

/* Counts one call from @p site (only while counting is on). */
#define NOTE(site)                                                             \
	do {                                                                   \
		if (alloc_count_on) {                                          \
			unsigned long k_ = alloc_count_n;                      \
			if (k_ < ALLOC_COUNT_SITES)                            \
				alloc_count_site[k_] = (site);                 \
			__atomic_add_fetch(&alloc_count_n, 1, __ATOMIC_RELAXED); \
		}                                                              \
	} while (0)

void *malloc(size_t n)
{
	NOTE(__builtin_return_address(0));
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	NOTE(__builtin_return_address(0));
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	NOTE(__builtin_return_address(0));
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p)
		NOTE(__builtin_return_address(0));
	__libc_free(p);
}
#endif
