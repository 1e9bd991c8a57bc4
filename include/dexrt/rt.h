/* SPDX-License-Identifier: MIT */
/** @file rt.h
 *  @brief Periodic loop runner and real-time process setup, for programs.
 *
 *  The library never calls any of this by itself: a program decides whether
 *  to lock memory, change its scheduling or pin a CPU. Each helper returns
 *  0 or a negative code saying why it could not (DX_EPERM when the process
 *  lacks the privilege, e.g. CAP_SYS_NICE for SCHED_FIFO or CAP_IPC_LOCK /
 *  RLIMIT_MEMLOCK for mlockall).
 *
 *  The loop sleeps to absolute deadlines on CLOCK_MONOTONIC with
 *  clock_nanosleep(TIMER_ABSTIME), so its period does not drift with the work
 *  done in each cycle. Per cycle it records into two dx_hist:
 *  - wake-up latency: time of return from the sleep minus the deadline;
 *  - cycle duration: time from that wake-up to the next call of
 *    dx_rt_loop_wait() (the work done in the cycle).
 *
 *  Overrun: a call of dx_rt_loop_wait() after its deadline has passed
 *  (the previous cycle's work took longer than what was left of the period).
 *  Policies:
 *  - DX_RT_SKIP (default): the missed deadlines are dropped; the loop sleeps
 *    to the next deadline still ahead on the original grid
 *    (start + k * period), so the phase is kept and no burst of cycles runs.
 *    The dropped deadlines are counted in dx_rt_loop::missed.
 *  - DX_RT_CATCH_UP: the missed deadlines are run back to back without
 *    sleeping (each counts as an overrun) until the loop is on time again,
 *    for programs that must see every period (e.g. integrating a clock).
 *    At most @ref dx_rt_loop_config::max_backlog periods are caught up; when
 *    further behind, the rest are skipped as with DX_RT_SKIP.
 */
#ifndef DEXRT_RT_H
#define DEXRT_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>

DX_BEGIN_DECLS

/** What the loop does after an overrun. */
enum dx_rt_policy {
	DX_RT_SKIP = 0,     /**< drop missed deadlines, keep the phase */
	DX_RT_CATCH_UP = 1, /**< run missed cycles back to back (bounded) */
};

/** Loop configuration. */
struct dx_rt_loop_config {
	int64_t period_ns;        /**< > 0 */
	/** first deadline, CLOCK_MONOTONIC ns; 0: one period after init */
	int64_t start_ns;
	enum dx_rt_policy policy; /**< default DX_RT_SKIP */
	/** DX_RT_CATCH_UP only: most periods run back to back; 0: 16 */
	uint32_t max_backlog;
};

/** Timing of one cycle, passed to the callback of dx_rt_loop_run(). */
struct dx_rt_tick {
	uint64_t cycle;     /**< 0, 1, 2 ... */
	int64_t deadline_ns; /**< the deadline this cycle was released at */
	int64_t wake_ns;    /**< when the sleep returned */
	int64_t latency_ns; /**< wake_ns - deadline_ns */
	bool overrun;       /**< this cycle's deadline had passed before the
				 wait began */
	uint32_t missed;    /**< deadlines skipped just before this cycle */
};

/** Loop state and statistics. Fields may be read; change them only through
 *  the functions. */
struct dx_rt_loop {
	int64_t period_ns;
	int64_t next_ns;     /**< deadline of the next cycle */
	int64_t wake_ns;     /**< last wake-up (0 before the first) */
	enum dx_rt_policy policy;
	uint32_t max_backlog;
	uint32_t backlog;    /**< catch-up cycles run in a row */
	uint64_t cycles;     /**< cycles released */
	uint64_t overruns;   /**< waits that began after their deadline */
	uint64_t missed;     /**< deadlines dropped (DX_RT_SKIP or backlog) */
	struct dx_rt_tick tick; /**< the current cycle */
	struct dx_hist latency;  /**< wake-up latency, ns */
	struct dx_hist duration; /**< cycle work time, ns */
};

/** Validates @p cfg and initialises the loop (histograms emptied).
 *  @return 0, DX_EINVAL (NULL, period <= 0, unknown policy, negative start).
 *  Not real-time relevant (touches about 18 KiB). */
DX_API int dx_rt_loop_init(struct dx_rt_loop *loop,
			   const struct dx_rt_loop_config *cfg);

/** Ends the current cycle and sleeps until the next deadline (absolute
 *  CLOCK_MONOTONIC sleep; interrupted sleeps are resumed). Records the
 *  cycle duration (from the previous wake-up) and the wake-up latency, and
 *  fills loop->tick. Thread: the loop's own thread. Real-time safe (one
 *  clock_nanosleep, two clock reads).
 *  @return 0 on time; DX_ETIMEDOUT when the deadline had already passed
 *  (overrun; the cycle is released at once and the policy applied);
 *  DX_EINVAL (NULL). */
DX_API int dx_rt_loop_wait(struct dx_rt_loop *loop);

/** Cycle callback: return 0 to go on, anything else to stop the loop
 *  (that value is returned by dx_rt_loop_run()). */
typedef int (*dx_rt_cycle_fn)(const struct dx_rt_tick *tick, void *userdata);

/** Runs @p fn once per period for @p cycles cycles (0: until @p fn stops
 *  it). Overruns do not stop the loop; read loop->overruns.
 *  @return 0, the callback's non-zero value, or DX_EINVAL. */
DX_API int dx_rt_loop_run(struct dx_rt_loop *loop, uint64_t cycles,
			  dx_rt_cycle_fn fn, void *userdata);

/** Sets SCHED_FIFO at @p priority for the calling thread.
 *  @return 0; DX_EINVAL (priority outside sched_get_priority_min/max);
 *  DX_EPERM (no CAP_SYS_NICE / RLIMIT_RTPRIO too low, or a container
 *  without real-time runtime); other -errno from pthread_setschedparam.
 *  Not real-time safe (a system call); call at thread start. */
DX_API int dx_rt_set_fifo(int priority);

/** Restores SCHED_OTHER (nice 0 unchanged) for the calling thread.
 *  @return 0 or -errno. */
DX_API int dx_rt_set_other(void);

/** Current policy of the calling thread: true when SCHED_FIFO or SCHED_RR,
 *  with the priority in @p priority (may be NULL). */
DX_API bool dx_rt_is_realtime(int *priority);

/** Locks all current and future pages in RAM (mlockall(MCL_CURRENT |
 *  MCL_FUTURE)).
 *  @return 0; DX_EPERM (no CAP_IPC_LOCK and RLIMIT_MEMLOCK is 0);
 *  DX_ENOMEM (RLIMIT_MEMLOCK smaller than the process); -errno otherwise. */
DX_API int dx_rt_lock_memory(void);

/** Undoes dx_rt_lock_memory(). @return 0 or -errno. */
DX_API int dx_rt_unlock_memory(void);

/** Pins the calling thread to CPU @p cpu.
 *  @return 0; DX_EINVAL (negative cpu, cpu beyond CPU_SETSIZE or not in
 *  the set the process may use); DX_EPERM; -errno otherwise. */
DX_API int dx_rt_set_affinity(int cpu);

/** Touches @p bytes of the calling thread's stack so its pages are mapped
 *  (and, after dx_rt_lock_memory(), locked) before the cycle needs them.
 *  The limit checked is RLIMIT_STACK, which is the main thread's stack; a
 *  thread created with its own stack size must ask for less than that size.
 *  @return 0; DX_EINVAL (0 bytes); DX_ERANGE (more than the stack limit
 *  minus 64 KiB, or above 64 MiB). Not real-time safe; call at start. */
DX_API int dx_rt_prefault_stack(size_t bytes);

DX_END_DECLS

#endif
