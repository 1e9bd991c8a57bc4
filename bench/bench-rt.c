/* SPDX-License-Identifier: MIT */
/* Loop runner wake-up latency: an empty cycle at 1 kHz and 4 kHz (or the
 * period given), measured as cyclictest does (wake-up time minus the
 * absolute deadline). tools/bench-rt runs this next to cyclictest.
 *
 *   bench-rt [--quick] [--json PATH] [--period-us US] [--cycles N]
 *            [--fifo PRIO] [--mlock] [--cpu N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/rt.h>

#include "bench.h"

static int empty_cycle(const struct dx_rt_tick *t, void *ud)
{
	(void)t;
	(void)ud;
	return 0;
}

static void run(const struct dxb *b, int64_t period_us, uint64_t cycles)
{
	static struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {period_us * DX_NS_PER_US, 0, DX_RT_SKIP, 0};
	struct dx_hist_summary s;
	char name[96], extra[96];
	int err;

	err = dx_rt_loop_init(&loop, &c);
	if (err) {
		fprintf(stderr, "bench-rt: %s\n", dx_strerror(err));
		exit(1);
	}
	dx_rt_loop_run(&loop, cycles, empty_cycle, NULL);
	snprintf(name, sizeof(name), "rt loop wake-up latency, %lld us period",
		 (long long)period_us);
	snprintf(extra, sizeof(extra), "\"period_us\":%lld,\"overruns\":%llu",
		 (long long)period_us, (unsigned long long)loop.overruns);
	dxb_report(b, name, &loop.latency, extra);
	dx_hist_summarize(&loop.latency, &s);
	/* one machine-readable line for tools/bench-rt, in microseconds */
	printf("RESULT period_us=%lld cycles=%llu min_us=%.2f avg_us=%.2f p99_us=%.2f max_us=%.2f overruns=%llu\n",
	       (long long)period_us, (unsigned long long)s.count, s.min / 1e3,
	       s.mean / 1e3, s.p99 / 1e3, s.max / 1e3,
	       (unsigned long long)loop.overruns);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct dxb b;
	int i = dxb_init(&b, argc, argv);
	int64_t period_us = 0;
	long long cycles = 0;
	int fifo = 0, cpu = -1, err;
	bool mlock = false;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--period-us") == 0 && i + 1 < argc)
			period_us = atoll(argv[++i]);
		else if (strcmp(argv[i], "--cycles") == 0 && i + 1 < argc)
			cycles = atoll(argv[++i]);
		else if (strcmp(argv[i], "--fifo") == 0 && i + 1 < argc)
			fifo = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc)
			cpu = atoi(argv[++i]);
		else if (strcmp(argv[i], "--mlock") == 0)
			mlock = true;
		else if (strcmp(argv[i], "--quick") == 0)
			b.quick = true;
		else {
			fprintf(stderr, "usage: bench-rt [--quick] [--json PATH] [--period-us US] [--cycles N] [--fifo PRIO] [--mlock] [--cpu N]\n");
			return 2;
		}
	}
	if (period_us < 0 || cycles < 0) {
		fprintf(stderr, "bench-rt: negative period or cycles\n");
		return 2;
	}
	if (mlock && (err = dx_rt_lock_memory()) != 0)
		fprintf(stderr, "bench-rt: mlockall refused: %s\n", dx_strerror(err));
	if (cpu >= 0 && (err = dx_rt_set_affinity(cpu)) != 0)
		fprintf(stderr, "bench-rt: affinity refused: %s\n", dx_strerror(err));
	dx_rt_prefault_stack(64 * 1024);
	if (fifo > 0 && (err = dx_rt_set_fifo(fifo)) != 0)
		fprintf(stderr, "bench-rt: SCHED_FIFO %d refused: %s (running SCHED_OTHER)\n",
			fifo, dx_strerror(err));
	printf("# scheduling: %s\n", dx_rt_is_realtime(NULL) ? "SCHED_FIFO" : "SCHED_OTHER");
	dxb_header(&b);
	if (period_us > 0) {
		run(&b, period_us, cycles ? (uint64_t)cycles : (b.quick ? 500 : 10000));
	} else {
		run(&b, 1000, cycles ? (uint64_t)cycles : (b.quick ? 500 : 10000));
		run(&b, 250, cycles ? (uint64_t)cycles : (b.quick ? 2000 : 40000));
	}
	return 0;
}
