/* SPDX-License-Identifier: MIT */
/* Unit tests of the core module: errors, time, log, SPSC ring, histogram. */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include <dexrt/core.h>

#include "dx-check.h"

/* ---- errors -------------------------------------------------------------- */

START_TEST(test_strerror_known)
{
	ck_assert_str_eq(dx_strerror(DX_OK), "success");
	ck_assert_str_eq(dx_strerror(DX_EINVAL), "invalid argument");
	ck_assert_str_eq(dx_strerror(EINVAL), "invalid argument");
	ck_assert_str_eq(dx_errname(DX_ENOBUFS), "DX_ENOBUFS");
	ck_assert_str_eq(dx_strerror(DX_EBUSOFF), "CAN controller is bus-off");
	/* Every code in the dexrt-specific range has its own text. */
	for (int c = DX_EBASE - 1; c >= DX_EUNREACHABLE; c--) {
		ck_assert_str_ne(dx_strerror(c), "unknown error");
		ck_assert_str_ne(dx_errname(c), "DX_E?");
	}
}
END_TEST

START_TEST(test_strerror_unknown)
{
	const char *a = dx_strerror(-123456);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a, "unknown error");
	ck_assert_str_eq(dx_strerror(INT32_MIN), "unknown error");
	ck_assert_str_eq(dx_strerror(DX_EBASE), "unknown error");
	/* stable: same pointer and text every time */
	ck_assert_ptr_eq(dx_strerror(-99999), a);
	ck_assert_str_eq(dx_errname(-777777), "DX_E?");
}
END_TEST

/* ---- time ---------------------------------------------------------------- */

START_TEST(test_time_conversions)
{
	struct timespec ts = dx_ns_to_timespec(INT64_C(1500000001));
	ck_assert_int_eq(ts.tv_sec, 1);
	ck_assert_int_eq(ts.tv_nsec, 500000001);
	ck_assert_int_eq(dx_timespec_to_ns(&ts), INT64_C(1500000001));

	ts = dx_ns_to_timespec(-1);
	ck_assert_int_eq(ts.tv_sec, -1);
	ck_assert_int_eq(ts.tv_nsec, 999999999);
	ck_assert_int_eq(dx_timespec_to_ns(&ts), -1);

	ts.tv_sec = 10;
	ts.tv_nsec = 999999999;
	dx_timespec_add_ns(&ts, 2);
	ck_assert_int_eq(ts.tv_sec, 11);
	ck_assert_int_eq(ts.tv_nsec, 1);
	dx_timespec_add_ns(&ts, -2);
	ck_assert_int_eq(ts.tv_sec, 10);
	ck_assert_int_eq(ts.tv_nsec, 999999999);

	struct timespec a = {5, 100}, b = {3, 200};
	ck_assert_int_eq(dx_timespec_diff_ns(&a, &b), INT64_C(1999999900));
}
END_TEST

START_TEST(test_time_monotonic)
{
	int64_t prev = dx_time_now_ns();
	ck_assert_int_gt(prev, 0);
	for (int i = 0; i < 100000; i++) {
		int64_t now = dx_time_now_ns();
		ck_assert_int_ge(now, prev);
		prev = now;
	}
}
END_TEST

/* ---- log ----------------------------------------------------------------- */

struct log_capture {
	int calls;
	enum dx_log_priority prio;
	char msg[256];
};

static void capture(enum dx_log_priority prio, const char *msg, void *ud)
{
	struct log_capture *c = ud;
	c->calls++;
	c->prio = prio;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

START_TEST(test_log_handler)
{
	struct log_capture c = {0};

	dx_log(DX_LOG_ERROR, "dropped %d", 1); /* no handler: nothing happens */
	dx_log_set_handler(capture, &c, DX_LOG_WARN);
	dx_log(DX_LOG_ERROR, "value %d of %s", 42, "x");
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(c.prio, DX_LOG_ERROR);
	ck_assert_str_eq(c.msg, "value 42 of x");
	dx_log(DX_LOG_DEBUG, "filtered");
	ck_assert_int_eq(c.calls, 1);
	dx_log_set_handler(NULL, NULL, DX_LOG_DEBUG);
	dx_log(DX_LOG_ERROR, "gone");
	ck_assert_int_eq(c.calls, 1);
}
END_TEST

/* ---- ring ---------------------------------------------------------------- */

START_TEST(test_ring_init_errors)
{
	struct dx_ring r;
	uint64_t store[8];

	ck_assert_int_eq(dx_ring_init(&r, store, 3, 8), DX_EINVAL);
	ck_assert_int_eq(dx_ring_init(&r, store, 0, 8), DX_EINVAL);
	ck_assert_int_eq(dx_ring_init(&r, store, 1, 8), DX_EINVAL);
	ck_assert_int_eq(dx_ring_init(&r, store, 8, 0), DX_EINVAL);
	ck_assert_int_eq(dx_ring_init(&r, NULL, 8, 8), DX_EINVAL);
	ck_assert_int_eq(dx_ring_init(NULL, store, 8, 8), DX_EINVAL);
	ck_assert_int_eq(dx_ring_init_alloc(&r, SIZE_MAX / 2 + 1, 16), DX_EINVAL);
	ck_assert_int_eq(dx_ring_storage_size(8, 8), 64);
	ck_assert_int_eq(dx_ring_storage_size(6, 8), 0);
	dx_ring_deinit(NULL);
}
END_TEST

START_TEST(test_ring_full_empty)
{
	struct dx_ring r;
	uint32_t store[4], v;

	ck_assert_int_eq(dx_ring_init(&r, store, 4, sizeof(uint32_t)), 0);
	ck_assert_int_eq(dx_ring_capacity(&r), 4);
	ck_assert_int_eq(dx_ring_pop(&r, &v), DX_EAGAIN);
	ck_assert_int_eq(dx_ring_peek(&r, &v), DX_EAGAIN);
	for (uint32_t i = 0; i < 4; i++) {
		ck_assert_int_eq(dx_ring_push(&r, &i), 0);
		ck_assert_int_eq(dx_ring_count(&r), i + 1);
	}
	v = 99;
	ck_assert_int_eq(dx_ring_push(&r, &v), DX_ENOBUFS);
	ck_assert_int_eq(dx_ring_count(&r), 4);
	/* the refused push overwrote nothing */
	for (uint32_t i = 0; i < 4; i++) {
		ck_assert_int_eq(dx_ring_peek(&r, &v), 0);
		ck_assert_uint_eq(v, i);
		ck_assert_int_eq(dx_ring_pop(&r, &v), 0);
		ck_assert_uint_eq(v, i);
	}
	ck_assert_int_eq(dx_ring_pop(&r, &v), DX_EAGAIN);
	ck_assert_int_eq(dx_ring_count(&r), 0);
}
END_TEST

START_TEST(test_ring_wraps)
{
	struct dx_ring r;
	struct { uint64_t a; uint8_t b[5]; } e, out;

	ck_assert_int_eq(dx_ring_init_alloc(&r, 8, sizeof(e)), 0);
	for (uint64_t i = 0; i < 1000; i++) {
		memset(&e, 0, sizeof(e));
		e.a = i;
		e.b[4] = (uint8_t)i;
		ck_assert_int_eq(dx_ring_push(&r, &e), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(dx_ring_push(&r, &e), 0);
		ck_assert_int_eq(dx_ring_pop(&r, &out), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(dx_ring_pop(&r, &out), 0);
		ck_assert_uint_eq(out.a, i);
		ck_assert_uint_eq(out.b[4], (uint8_t)i);
	}
	dx_ring_deinit(&r);
}
END_TEST

#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer slows every atomic access by two orders of magnitude;
 * 100000 items still wrap the 256-slot ring hundreds of times. */
#define RING_ITEMS 100000u
#else
#define RING_ITEMS 2000000u
#endif

static void *producer(void *arg)
{
	struct dx_ring *r = arg;
	unsigned spins = 0;

	for (uint64_t i = 0; i < RING_ITEMS;) {
		if (dx_ring_push(r, &i) == 0) {
			i++;
			spins = 0;
		} else if (++spins > 256) {
			sched_yield(); /* long full: the consumer may share our core */
			spins = 0;
		}
	}
	return NULL;
}

START_TEST(test_ring_two_threads)
{
	struct dx_ring r;
	pthread_t th;
	uint64_t expect = 0, v, full_spins = 0;

	ck_assert_int_eq(dx_ring_init_alloc(&r, 256, sizeof(uint64_t)), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, producer, &r), 0);
	while (expect < RING_ITEMS) {
		int err = dx_ring_pop(&r, &v);
		if (err == DX_EAGAIN) {
			if (++full_spins % 256 == 0)
				sched_yield();
			continue;
		}
		ck_assert_int_eq(err, 0);
		/* order and completeness: every value exactly once, in order */
		ck_assert_uint_eq(v, expect);
		expect++;
	}
	pthread_join(th, NULL);
	ck_assert_int_eq(dx_ring_pop(&r, &v), DX_EAGAIN);
	ck_assert_uint_eq(expect, RING_ITEMS);
	dx_ring_deinit(&r);
}
END_TEST

/* ---- histogram ----------------------------------------------------------- */

START_TEST(test_hist_exact_small)
{
	static struct dx_hist h;
	dx_hist_reset(&h);
	ck_assert_int_eq(dx_hist_quantile(&h, 0.5), 0);
	for (int i = 1; i <= 100; i++)
		dx_hist_add(&h, i);
	ck_assert_int_eq(h.count, 100);
	ck_assert_int_eq(h.min, 1);
	ck_assert_int_eq(h.max, 100);
	ck_assert_int_eq(dx_hist_quantile(&h, 0.5), 50);
	ck_assert_int_eq(dx_hist_quantile(&h, 0.99), 99);
	ck_assert_int_eq(dx_hist_quantile(&h, 1.0), 100);
	ck_assert_int_eq(dx_hist_quantile(&h, 0.0), 1);
	dx_ck_near(dx_hist_mean(&h), 50.5, 1e-12);
}
END_TEST

START_TEST(test_hist_relative_error)
{
	static struct dx_hist h;
	/* every single value comes back within 1/64 relative */
	for (int64_t v = 1; v < INT64_C(1) << 39; v = v * 3 / 2 + 7) {
		dx_hist_reset(&h);
		dx_hist_add(&h, v);
		dx_hist_add(&h, v * 4); /* keep max above, so no clamping */
		int64_t q = dx_hist_quantile(&h, 0.5);
		ck_assert_int_ge(q, v);
		ck_assert_msg((double)(q - v) <= (double)v / DX_HIST_SUB,
			      "v=%lld q=%lld", (long long)v, (long long)q);
	}
	/* bucket ranges tile [0, 2^40) without gaps */
	int64_t lo, hi, prev_hi = 0;
	for (unsigned i = 0; i < DX_HIST_BUCKETS; i++) {
		dx_hist_bucket_range(i, &lo, &hi);
		ck_assert_int_eq(lo, prev_hi);
		ck_assert_int_gt(hi, lo);
		prev_hi = hi;
	}
	ck_assert_int_eq(prev_hi, INT64_C(1) << DX_HIST_MAX_POW2);
}
END_TEST

START_TEST(test_hist_percentiles_and_merge)
{
	static struct dx_hist a, b;
	struct dx_hist_summary s;

	dx_hist_reset(&a);
	dx_hist_reset(&b);
	/* 990 fast samples at 1000 ns, 10 slow at 50000 ns */
	for (int i = 0; i < 990; i++)
		dx_hist_add(&a, 1000);
	for (int i = 0; i < 10; i++)
		dx_hist_add(&b, 50000);
	dx_hist_add(&b, -5); /* negative counts as zero */
	dx_hist_merge(&a, &b);
	dx_hist_summarize(&a, &s);
	ck_assert_int_eq(s.count, 1001);
	ck_assert_int_eq(s.min, 0);
	ck_assert_int_eq(s.max, 50000);
	ck_assert_int_ge(s.p50, 1000);
	ck_assert_int_le(s.p50, 1000 + 1000 / 64);
	ck_assert_int_ge(s.p99, 1000);
	ck_assert_int_le(s.p99, 1016);
	ck_assert_int_eq(s.p999, 50000);
	/* overflow is counted and kept in max */
	dx_hist_add(&a, INT64_C(1) << 45);
	ck_assert_int_eq(a.overflow, 1);
	ck_assert_int_eq(dx_hist_quantile(&a, 1.0), INT64_C(1) << 45);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("unit");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_strerror_known);
	tcase_add_test(tc, test_strerror_unknown);
	tcase_add_test(tc, test_time_conversions);
	tcase_add_test(tc, test_time_monotonic);
	tcase_add_test(tc, test_log_handler);
	tcase_add_test(tc, test_ring_init_errors);
	tcase_add_test(tc, test_ring_full_empty);
	tcase_add_test(tc, test_ring_wraps);
	tcase_add_test(tc, test_ring_two_threads);
	tcase_add_test(tc, test_hist_exact_small);
	tcase_add_test(tc, test_hist_relative_error);
	tcase_add_test(tc, test_hist_percentiles_and_merge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(core_suite());
}
