/* SPDX-License-Identifier: MIT */
/* Unit tests of the loop runner and the real-time setup helpers
 * (include/dexrt/rt.h). The machine running these is shared and busy, so
 * timing assertions are about the deadline grid and counters, which are
 * exact, not about how small the latencies are. */
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dexrt/rt.h>

#include "dx-check.h"

#define MS DX_NS_PER_MS

START_TEST(test_init_refused)
{
	struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {0};

	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), DX_EINVAL);
	c.period_ns = -5;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), DX_EINVAL);
	c.period_ns = MS;
	c.policy = (enum dx_rt_policy)9;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), DX_EINVAL);
	c.policy = DX_RT_SKIP;
	c.start_ns = -1;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), DX_EINVAL);
	ck_assert_int_eq(dx_rt_loop_init(NULL, &c), DX_EINVAL);
	ck_assert_int_eq(dx_rt_loop_wait(NULL), DX_EINVAL);
}
END_TEST

struct rec {
	int n;
	int64_t deadline[64];
	int64_t wake[64];
	bool overrun[64];
	uint32_t missed[64];
	int inject_at;       /* cycle whose work overruns, -1: none */
	int64_t inject_ns;   /* how long that work takes */
};

static int record(const struct dx_rt_tick *t, void *ud)
{
	struct rec *r = ud;

	if (r->n < 64) {
		r->deadline[r->n] = t->deadline_ns;
		r->wake[r->n] = t->wake_ns;
		r->overrun[r->n] = t->overrun;
		r->missed[r->n] = t->missed;
	}
	r->n++;
	if ((int)t->cycle == r->inject_at) {
		struct timespec ts = dx_ns_to_timespec(r->inject_ns);

		while (nanosleep(&ts, &ts) != 0)
			;
	}
	return 0;
}

START_TEST(test_periods_absolute)
{
	/* 40 periods of 2 ms: every deadline is start + k * period (no drift,
	 * even if the busy machine causes an overrun: the grid is kept), the
	 * wake-up is never before its deadline, the histograms count every
	 * cycle, and the whole run lasts at least 39 periods. */
	const int n = 40;
	const int64_t period = 2 * MS;
	struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {period, 0, DX_RT_SKIP, 0};
	struct rec r;
	int64_t start;

	memset(&r, 0, sizeof(r));
	r.inject_at = -1;
	start = dx_time_now_ns() + 5 * MS;
	c.start_ns = start;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), 0);
	ck_assert_int_eq(dx_rt_loop_run(&loop, (uint64_t)n, record, &r), 0);
	ck_assert_int_eq(r.n, n);
	ck_assert_uint_eq(loop.cycles, (uint64_t)n);
	for (int k = 0; k < n; k++) {
		ck_assert_int_eq((r.deadline[k] - start) % period, 0);
		ck_assert_int_ge(r.wake[k], r.deadline[k]);
		if (k > 0)
			ck_assert_int_gt(r.deadline[k], r.deadline[k - 1]);
	}
	ck_assert_int_eq(r.deadline[0], start);
	ck_assert_int_ge(r.deadline[n - 1] - start, (n - 1) * period);
	ck_assert_uint_eq(loop.latency.count, (uint64_t)n);
	ck_assert_uint_eq(loop.duration.count, (uint64_t)n);
	/* without overruns the grid has no holes */
	ck_assert_uint_eq((uint64_t)(r.deadline[n - 1] - start) / period,
			  (uint64_t)(n - 1) + loop.missed);
	printf("40 x 2 ms: latency min %lld us max %lld us, overruns %llu\n",
	       (long long)loop.latency.min / 1000,
	       (long long)loop.latency.max / 1000,
	       (unsigned long long)loop.overruns);
}
END_TEST

START_TEST(test_overrun_skip)
{
	/* Period 10 ms; cycle 3 works for 25 ms. The wait after it starts
	 * 15 ms after deadline 4: cycle 4 is released at once for deadline 4
	 * (overrun), deadline 5 is dropped (missed 1; 2 if the machine adds
	 * more than 5 ms), and cycle 5 keeps the phase of the grid. */
	const int64_t period = 10 * MS;
	struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {period, 0, DX_RT_SKIP, 0};
	struct rec r;
	int64_t start = dx_time_now_ns() + 5 * MS;

	memset(&r, 0, sizeof(r));
	r.inject_at = 3;
	r.inject_ns = 25 * MS;
	c.start_ns = start;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), 0);
	ck_assert_int_eq(dx_rt_loop_run(&loop, 8, record, &r), 0);
	ck_assert(r.overrun[4]);
	ck_assert_int_eq(r.deadline[4], start + 4 * period);
	ck_assert(r.wake[4] - r.deadline[4] >= 15 * MS);
	ck_assert(r.missed[4] == 1 || r.missed[4] == 2);
	ck_assert_int_eq(r.deadline[5],
			 start + (5 + (int64_t)r.missed[4]) * period);
	ck_assert_uint_ge(loop.overruns, 1);
	ck_assert_uint_ge(loop.missed, r.missed[4]);
	ck_assert_int_ge(loop.latency.max, 15 * MS);
	ck_assert_int_ge(loop.duration.max, 25 * MS);
	printf("skip: overruns %llu missed %llu (cycle 4 missed %u)\n",
	       (unsigned long long)loop.overruns,
	       (unsigned long long)loop.missed, r.missed[4]);
}
END_TEST

START_TEST(test_overrun_catch_up)
{
	/* Same injection with CATCH_UP: deadlines 4 and 5 have both passed
	 * when cycle 3 ends, they run back to back (both overruns, nothing
	 * missed), and every deadline of the grid is served in order. */
	const int64_t period = 10 * MS;
	struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {period, 0, DX_RT_CATCH_UP, 0};
	struct rec r;
	int64_t start = dx_time_now_ns() + 5 * MS;

	memset(&r, 0, sizeof(r));
	r.inject_at = 3;
	r.inject_ns = 25 * MS;
	c.start_ns = start;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), 0);
	ck_assert_int_eq(dx_rt_loop_run(&loop, 8, record, &r), 0);
	for (int k = 0; k < 8; k++)
		ck_assert_int_eq(r.deadline[k], start + k * period);
	ck_assert(r.overrun[4] && r.overrun[5]);
	ck_assert_uint_eq(loop.missed, 0);
	ck_assert_uint_ge(loop.overruns, 2);
	/* cycle 5 was released without sleeping, right after cycle 4 */
	ck_assert(r.wake[5] - r.wake[4] < period);
}
END_TEST

START_TEST(test_catch_up_bounded)
{
	/* max_backlog 2 with 60 ms of work in a 10 ms period: two cycles
	 * are caught up, then the rest of the backlog is dropped. */
	const int64_t period = 10 * MS;
	struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {period, 0, DX_RT_CATCH_UP, 2};
	struct rec r;

	memset(&r, 0, sizeof(r));
	r.inject_at = 1;
	r.inject_ns = 60 * MS;
	c.start_ns = dx_time_now_ns() + 5 * MS;
	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), 0);
	ck_assert_int_eq(dx_rt_loop_run(&loop, 6, record, &r), 0);
	ck_assert(r.overrun[2] && r.overrun[3] && r.overrun[4]);
	ck_assert_uint_eq(r.missed[2] + r.missed[3], 0);
	ck_assert_uint_ge(r.missed[4], 1);
	ck_assert_uint_ge(loop.missed, 1);
}
END_TEST

static int stop_at_3(const struct dx_rt_tick *t, void *ud)
{
	(void)ud;
	return t->cycle == 3 ? 42 : 0;
}

START_TEST(test_callback_stops)
{
	struct dx_rt_loop loop;
	struct dx_rt_loop_config c = {MS, 0, DX_RT_SKIP, 0};

	ck_assert_int_eq(dx_rt_loop_init(&loop, &c), 0);
	ck_assert_int_eq(dx_rt_loop_run(&loop, 0, stop_at_3, NULL), 42);
	ck_assert_uint_eq(loop.cycles, 4);
	ck_assert_int_eq(dx_rt_loop_run(&loop, 1, NULL, NULL), DX_EINVAL);
}
END_TEST

START_TEST(test_fifo_either_way)
{
	/* As root SCHED_FIFO may or may not be permitted (containers often
	 * have no real-time runtime); both are valid, the result must say
	 * which, and must match what the kernel then reports. */
	int prio = -1, err;

	ck_assert_int_eq(dx_rt_set_fifo(0), DX_EINVAL);
	ck_assert_int_eq(dx_rt_set_fifo(100), DX_EINVAL);
	err = dx_rt_set_fifo(10);
	ck_assert_msg(err == 0 || err == DX_EPERM, "set_fifo: %s",
		      dx_strerror(err));
	if (err == 0) {
		ck_assert(dx_rt_is_realtime(&prio));
		ck_assert_int_eq(prio, 10);
		ck_assert_int_eq(dx_rt_set_other(), 0);
		ck_assert(!dx_rt_is_realtime(NULL));
		printf("SCHED_FIFO permitted here (euid %d)\n", (int)geteuid());
	} else {
		ck_assert(!dx_rt_is_realtime(NULL));
		printf("SCHED_FIFO refused here: %s\n", dx_strerror(err));
	}
}
END_TEST

/* In a child without privileges and with zero real-time and memlock
 * limits, the helpers must say DX_EPERM. Exit status: 0 ok, 1 wrong code
 * for fifo, 2 wrong for mlockall, 3 setup failed. */
static int unprivileged_child(void)
{
	struct rlimit zero = {0, 0};

	if (setrlimit(RLIMIT_RTPRIO, &zero) || setrlimit(RLIMIT_MEMLOCK, &zero))
		return 3;
	if (geteuid() == 0) {
		if (setgid(65534) || setuid(65534))
			return 3;
	}
	if (dx_rt_set_fifo(10) != DX_EPERM)
		return 1;
#ifndef __SANITIZE_ADDRESS__
	/* AddressSanitizer replaces mlockall() with a stub returning 0, so
	 * this half is only checked in builds without it. */
	if (dx_rt_lock_memory() != DX_EPERM)
		return 2;
#endif
	return 0;
}

START_TEST(test_permission_refused)
{
	pid_t pid = fork();
	int status = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(unprivileged_child());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "child status %d",
		      WEXITSTATUS(status));
}
END_TEST

START_TEST(test_mlock_either_way)
{
	/* In a child, so the test process keeps its memory unlocked. */
	pid_t pid = fork();
	int status = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int err = dx_rt_lock_memory();

		if (err == 0)
			_exit(dx_rt_unlock_memory() == 0 ? 0 : 9);
		_exit(err == DX_EPERM ? 1 : err == DX_ENOMEM ? 2 : 9);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_ne(WEXITSTATUS(status), 9);
	printf("mlockall here: %s\n", WEXITSTATUS(status) == 0 ? "permitted"
				      : WEXITSTATUS(status) == 1 ? "DX_EPERM"
								 : "DX_ENOMEM");
}
END_TEST

START_TEST(test_affinity)
{
	cpu_set_t allowed;
	int first = -1, absent = -1, err;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &allowed) && first < 0)
			first = c;
		if (!CPU_ISSET(c, &allowed))
			absent = c;
	}
	ck_assert_int_ge(first, 0);
	err = dx_rt_set_affinity(first);
	ck_assert_msg(err == 0 || err == DX_EPERM, "%s", dx_strerror(err));
	if (err == 0) {
		cpu_set_t now;

		ck_assert_int_eq(sched_getaffinity(0, sizeof(now), &now), 0);
		ck_assert_int_eq(CPU_COUNT(&now), 1);
		ck_assert(CPU_ISSET(first, &now));
	}
	ck_assert_int_eq(dx_rt_set_affinity(-1), DX_EINVAL);
	ck_assert_int_eq(dx_rt_set_affinity(CPU_SETSIZE), DX_EINVAL);
	if (absent >= 0)
		ck_assert_int_eq(dx_rt_set_affinity(absent), DX_EINVAL);
}
END_TEST

START_TEST(test_prefault)
{
	ck_assert_int_eq(dx_rt_prefault_stack(256 * 1024), 0);
	ck_assert_int_eq(dx_rt_prefault_stack(0), DX_EINVAL);
	ck_assert_int_eq(dx_rt_prefault_stack((size_t)1 << 30), DX_ERANGE);
}
END_TEST

static Suite *rt_suite(void)
{
	Suite *s = suite_create("rt");
	TCase *tc = tcase_create("loop");
	TCase *ts = tcase_create("setup");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_init_refused);
	tcase_add_test(tc, test_periods_absolute);
	tcase_add_test(tc, test_overrun_skip);
	tcase_add_test(tc, test_overrun_catch_up);
	tcase_add_test(tc, test_catch_up_bounded);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(ts, test_fifo_either_way);
	tcase_add_test(ts, test_permission_refused);
	tcase_add_test(ts, test_mlock_either_way);
	tcase_add_test(ts, test_affinity);
	tcase_add_test(ts, test_prefault);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ts);
	return s;
}

int main(void)
{
	return dx_test_run(rt_suite());
}
