/* SPDX-License-Identifier: MIT */
#include <dexrt/core.h>

DX_API int64_t dx_time_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return dx_timespec_to_ns(&ts);
}

DX_API struct timespec dx_ns_to_timespec(int64_t ns)
{
	struct timespec ts;
	int64_t sec = ns / DX_NS_PER_S;
	int64_t rem = ns % DX_NS_PER_S;
	/* C division truncates toward zero; keep tv_nsec non-negative. */
	if (rem < 0) {
		rem += DX_NS_PER_S;
		sec -= 1;
	}
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = (long)rem;
	return ts;
}

DX_API int64_t dx_timespec_to_ns(const struct timespec *ts)
{
	int64_t ns;

	if (!ts)
		return 0;
	/* saturate instead of overflowing (about 292 years either way) */
	if (__builtin_mul_overflow((int64_t)ts->tv_sec, DX_NS_PER_S, &ns))
		return ts->tv_sec < 0 ? INT64_MIN : INT64_MAX;
	if (__builtin_add_overflow(ns, (int64_t)ts->tv_nsec, &ns))
		return ts->tv_nsec < 0 ? INT64_MIN : INT64_MAX;
	return ns;
}

DX_API void dx_timespec_add_ns(struct timespec *ts, int64_t ns)
{
	int64_t t;

	if (!ts)
		return;
	t = dx_timespec_to_ns(ts);
	if (ns > 0 && t > INT64_MAX - ns)
		t = INT64_MAX;
	else if (ns < 0 && t < INT64_MIN - ns)
		t = INT64_MIN;
	else
		t += ns;
	*ts = dx_ns_to_timespec(t);
}

DX_API int64_t dx_timespec_diff_ns(const struct timespec *a,
				   const struct timespec *b)
{
	int64_t d;

	if (!a || !b)
		return 0;
	if (__builtin_sub_overflow(dx_timespec_to_ns(a), dx_timespec_to_ns(b), &d))
		return dx_timespec_to_ns(a) < 0 ? INT64_MIN : INT64_MAX;
	return d;
}
