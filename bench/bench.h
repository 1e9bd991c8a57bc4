/* SPDX-License-Identifier: MIT */
/* Shared benchmark runner: timing samples go into a dx_hist; each result is
 * printed as one table row and appended as one JSON object per line to the
 * file named by --json PATH or $DX_BENCH_JSON. Benchmarks report numbers;
 * they never pass or fail on timing. */
#ifndef DX_BENCH_H
#define DX_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <dexrt/core.h>

struct dxb {
	const char *program;
	const char *json_path;
	bool quick; /* --quick: fewer iterations (smoke runs in tests) */
	int64_t started_ns;
};

/* Parses --json PATH and --quick; leaves other arguments to the program
 * (returns the index of the first unparsed argument). */
int dxb_init(struct dxb *b, int argc, char **argv);

/* Prints the table header once per program. */
void dxb_header(const struct dxb *b);

/* Reports one timed quantity. @p unit is "ns" (samples are ns; per-item
 * division is done by the caller). @p extra is NULL or extra JSON members
 * without braces, e.g. "\"joints\":16". */
void dxb_report(const struct dxb *b, const char *name, const struct dx_hist *h,
		const char *extra);

/* Reports a plain value (rate, ratio, count) with its unit. */
void dxb_report_value(const struct dxb *b, const char *name, double value,
		      const char *unit, const char *extra);

/* Cheapest monotonic timestamp available for timing, in ns. */
static inline int64_t dxb_now(void)
{
	return dx_time_now_ns();
}

/* Keeps the compiler from discarding a computed value. */
#define DXB_KEEP(x) __asm__ volatile("" : : "g"(x) : "memory")
#define DXB_CLOBBER() __asm__ volatile("" : : : "memory")

#endif
