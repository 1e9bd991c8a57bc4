/* SPDX-License-Identifier: MIT */
/* Real-time process setup helpers (see rt.h). Each one reports why it could
 * not do its job; none is called by the library itself. */
#include <alloca.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <dexrt/rt.h>

DX_API int dx_rt_set_fifo(int priority)
{
	struct sched_param sp;
	int lo = sched_get_priority_min(SCHED_FIFO);
	int hi = sched_get_priority_max(SCHED_FIFO);

	if (priority < lo || priority > hi)
		return DX_EINVAL;
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = priority;
	/* pthread_setschedparam returns the error number, not -1/errno */
	return -pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

DX_API int dx_rt_set_other(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
	return -pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
}

DX_API bool dx_rt_is_realtime(int *priority)
{
	struct sched_param sp;
	int policy;

	if (pthread_getschedparam(pthread_self(), &policy, &sp) != 0)
		return false;
	if (priority)
		*priority = sp.sched_priority;
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

DX_API int dx_rt_lock_memory(void)
{
	return mlockall(MCL_CURRENT | MCL_FUTURE) == 0 ? 0 : -errno;
}

DX_API int dx_rt_unlock_memory(void)
{
	return munlockall() == 0 ? 0 : -errno;
}

DX_API int dx_rt_set_affinity(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return DX_EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

#define PREFAULT_MAX ((size_t)64 << 20)
#define STACK_MARGIN ((size_t)64 << 10)

/* Kept out of line so the alloca'd block is below the caller's frame and is
 * released on return; the pages stay mapped. */
static __attribute__((noinline)) void touch_stack(size_t bytes)
{
	volatile unsigned char *p = alloca(bytes);
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		page = 4096;
	for (size_t i = 0; i < bytes; i += (size_t)page)
		p[i] = 0;
	p[bytes - 1] = 0;
}

DX_API int dx_rt_prefault_stack(size_t bytes)
{
	struct rlimit rl;

	if (bytes == 0)
		return DX_EINVAL;
	if (bytes > PREFAULT_MAX)
		return DX_ERANGE;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rl.rlim_cur < STACK_MARGIN || bytes > rl.rlim_cur - STACK_MARGIN))
		return DX_ERANGE;
	touch_stack(bytes);
	return 0;
}
