/* SPDX-License-Identifier: MIT */
/* Periodic loop runner: absolute deadlines, overrun policy, timing
 * histograms (see rt.h). */
#include <string.h>
#include <time.h>

#include <dexrt/rt.h>

DX_API int dx_rt_loop_init(struct dx_rt_loop *loop,
			   const struct dx_rt_loop_config *cfg)
{
	if (!loop || !cfg || cfg->period_ns <= 0 || cfg->start_ns < 0 ||
	    (unsigned)cfg->policy > DX_RT_CATCH_UP)
		return DX_EINVAL;
	memset(loop, 0, sizeof(*loop));
	loop->period_ns = cfg->period_ns;
	loop->policy = cfg->policy;
	loop->max_backlog = cfg->max_backlog ? cfg->max_backlog : 16;
	loop->next_ns = cfg->start_ns ? cfg->start_ns
				      : dx_time_now_ns() + cfg->period_ns;
	dx_hist_reset(&loop->latency);
	dx_hist_reset(&loop->duration);
	return 0;
}

/* Sleeps until the absolute CLOCK_MONOTONIC time @p t_ns. clock_nanosleep
 * returns the error number rather than setting errno. */
static int sleep_until(int64_t t_ns)
{
	struct timespec ts = dx_ns_to_timespec(t_ns);
	int err;

	do {
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	} while (err == EINTR);
	return -err;
}

DX_API int dx_rt_loop_wait(struct dx_rt_loop *loop)
{
	int64_t now, deadline, wake;
	uint32_t missed = 0;
	bool overrun;
	int err;

	if (!loop)
		return DX_EINVAL;
	now = dx_time_now_ns();
	if (loop->wake_ns)
		dx_hist_add(&loop->duration, now - loop->wake_ns);
	deadline = loop->next_ns;
	overrun = now > deadline;
	if (overrun) {
		/* Released at once for the deadline that passed. Deadlines
		 * after it that also passed are dropped (SKIP), or kept to
		 * run back to back (CATCH_UP) up to the backlog bound. */
		int64_t behind = (now - deadline) / loop->period_ns;
		bool skip = loop->policy == DX_RT_SKIP ||
			    loop->backlog >= loop->max_backlog;

		loop->overruns++;
		if (skip) {
			missed = behind > UINT32_MAX ? UINT32_MAX
						     : (uint32_t)behind;
			loop->missed += (uint64_t)behind;
			loop->next_ns = deadline + (behind + 1) * loop->period_ns;
			loop->backlog = 0;
		} else {
			loop->next_ns = deadline + loop->period_ns;
			loop->backlog++;
		}
		wake = now;
	} else {
		err = sleep_until(deadline);
		if (err)
			return err;
		wake = dx_time_now_ns();
		loop->next_ns = deadline + loop->period_ns;
		loop->backlog = 0;
	}
	dx_hist_add(&loop->latency, wake - deadline);
	loop->wake_ns = wake;
	loop->tick.cycle = loop->cycles++;
	loop->tick.deadline_ns = deadline;
	loop->tick.wake_ns = wake;
	loop->tick.latency_ns = wake - deadline;
	loop->tick.overrun = overrun;
	loop->tick.missed = missed;
	return overrun ? DX_ETIMEDOUT : 0;
}

DX_API int dx_rt_loop_run(struct dx_rt_loop *loop, uint64_t cycles,
			  dx_rt_cycle_fn fn, void *userdata)
{
	int ret = 0;

	if (!loop || !fn)
		return DX_EINVAL;
	for (uint64_t c = 0; cycles == 0 || c < cycles; c++) {
		int err = dx_rt_loop_wait(loop);

		if (err && err != DX_ETIMEDOUT)
			return err;
		ret = fn(&loop->tick, userdata);
		if (ret)
			break;
	}
	/* the last cycle's work time (no further wait will record it) */
	dx_hist_add(&loop->duration, dx_time_now_ns() - loop->wake_ns);
	loop->wake_ns = 0;
	return ret;
}
