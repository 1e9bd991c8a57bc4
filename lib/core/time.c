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
	return (int64_t)ts->tv_sec * DX_NS_PER_S + (int64_t)ts->tv_nsec;
}

DX_API void dx_timespec_add_ns(struct timespec *ts, int64_t ns)
{
	*ts = dx_ns_to_timespec(dx_timespec_to_ns(ts) + ns);
}

DX_API int64_t dx_timespec_diff_ns(const struct timespec *a,
				   const struct timespec *b)
{
	return dx_timespec_to_ns(a) - dx_timespec_to_ns(b);
}
