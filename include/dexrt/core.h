/* SPDX-License-Identifier: MIT */
/** @file core.h
 *  @brief Core services: error codes, monotonic time, the log callback, the
 *  lock-free SPSC ring and the latency histogram.
 *
 *  Conventions used across dexrt:
 *  - actions return 0 or a negative DX_E... code; predicates return bool;
 *  - timestamps are int64 nanoseconds of CLOCK_MONOTONIC;
 *  - objects are owned by the caller: dx_x_init() / dx_x_deinit().
 */
#ifndef DEXRT_CORE_H
#define DEXRT_CORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <dexrt/export.h>

#ifdef __cplusplus
#include <atomic>
#define DX_ATOMIC_SIZE std::atomic<size_t>
#define DX_ALIGNAS(n) alignas(n)
#else
#include <stdatomic.h>
#define DX_ATOMIC_SIZE atomic_size_t
#define DX_ALIGNAS(n) _Alignas(n)
#endif

DX_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/** @name Error codes
 *  Negative values. Where a POSIX errno fits, the code is its negation, so a
 *  system call's failure can be returned as -errno unchanged. Codes specific
 *  to dexrt start at -1000.
 *  @{ */
enum dx_err {
	DX_OK = 0,
	DX_EPERM = -EPERM,         /**< operation not permitted (e.g. SCHED_FIFO) */
	DX_ENOENT = -ENOENT,       /**< no such file, interface, link or joint */
	DX_EIO = -EIO,             /**< I/O error from the transport */
	DX_EBADF = -EBADF,         /**< object not open / bad descriptor */
	DX_EAGAIN = -EAGAIN,       /**< nothing available now (empty ring, no frame) */
	DX_ENOMEM = -ENOMEM,       /**< allocation failed (init only) */
	DX_EBUSY = -EBUSY,         /**< resource in use (bus name taken) */
	DX_EEXIST = -EEXIST,       /**< already exists */
	DX_ENODEV = -ENODEV,       /**< no such device / interface */
	DX_EINVAL = -EINVAL,       /**< invalid argument */
	DX_ENOSPC = -ENOSPC,       /**< capacity exhausted (table full) */
	DX_ERANGE = -ERANGE,       /**< value out of range (clamped or refused) */
	DX_ENOSYS = -ENOSYS,       /**< not supported by this backend */
	DX_EMSGSIZE = -EMSGSIZE,   /**< frame or message length invalid */
	DX_EPROTO = -EPROTO,       /**< protocol violation in a received frame */
	DX_ENOTSUP = -ENOTSUP,     /**< operation not supported */
	DX_ENOBUFS = -ENOBUFS,     /**< queue full (ring full, TX queue full) */
	DX_ETIMEDOUT = -ETIMEDOUT, /**< deadline passed */
	DX_EBADMSG = -EBADMSG,     /**< malformed text or frame */
	DX_ENETDOWN = -ENETDOWN,   /**< interface down */

	DX_EBASE = -1000,
	DX_ENOTFINITE = -1001,     /**< NaN or infinity where a number was needed */
	DX_EBUSOFF = -1002,        /**< CAN controller is bus-off */
	DX_ELINKLOST = -1003,      /**< device stopped answering */
	DX_EFAULT_DEV = -1004,     /**< device reports a fault */
	DX_EPARSE = -1005,         /**< file could not be parsed (URDF, YAML, log) */
	DX_ECONFIG = -1006,        /**< configuration is inconsistent */
	DX_ENOCONVERGE = -1007,    /**< iterative solver did not converge */
	DX_ESTATE = -1008,         /**< call not valid in the object's state */
	DX_ESINGULAR = -1009,      /**< matrix singular or rank-deficient */
	DX_ESTALE = -1010,         /**< data older than allowed */
	DX_EBUDGET = -1011,        /**< bus budget exceeded: frames do not fit period */
	DX_ELIMIT = -1012,         /**< safety limit violated */
	DX_EUNREACHABLE = -1013,   /**< target outside the workspace */
};
/** @} */

/** Name of an error code, e.g. "invalid argument". Accepts negative dexrt
 *  codes and plain positive errno values. Never returns NULL: an unknown code
 *  gives the stable string "unknown error". Thread-safe, real-time safe. */
DX_API const char *dx_strerror(int err);

/** Symbolic name of an error code, e.g. "DX_EINVAL"; "DX_E?" when unknown. */
DX_API const char *dx_errname(int err);

/* ------------------------------------------------------------------------ */
/** @name Time
 *  All control time is CLOCK_MONOTONIC in int64 nanoseconds.
 *  @{ */
#define DX_NS_PER_US INT64_C(1000)
#define DX_NS_PER_MS INT64_C(1000000)
#define DX_NS_PER_S INT64_C(1000000000)

/** Current CLOCK_MONOTONIC time in ns. Real-time safe (vDSO). */
DX_API int64_t dx_time_now_ns(void);

/** Converts ns to a normalised timespec (tv_nsec in [0, 1e9)), also for
 *  negative values. */
DX_API struct timespec dx_ns_to_timespec(int64_t ns);

/** Converts a timespec to ns, saturating at INT64_MIN/INT64_MAX instead of
 *  overflowing. 0 for NULL. */
DX_API int64_t dx_timespec_to_ns(const struct timespec *ts);

/** Adds ns to a timespec in place and normalises it (saturating as
 *  dx_timespec_to_ns()). NULL is ignored. */
DX_API void dx_timespec_add_ns(struct timespec *ts, int64_t ns);

/** a - b in ns, saturating; 0 when either is NULL. */
DX_API int64_t dx_timespec_diff_ns(const struct timespec *a,
				   const struct timespec *b);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Logging
 *  The library never prints. Diagnostics from init, configuration and
 *  other non-real-time paths go to a handler the program installs. The cycle
 *  never logs: faults there go into the fault ring of the object concerned.
 *  @{ */
enum dx_log_priority {
	DX_LOG_ERROR = 10,
	DX_LOG_WARN = 20,
	DX_LOG_INFO = 30,
	DX_LOG_DEBUG = 40,
};

/** Log handler: @p msg is a formatted message without trailing newline.
 *  Called from the thread that produced the message. */
typedef void (*dx_log_fn)(enum dx_log_priority prio, const char *msg,
			  void *userdata);

/** Installs the process-wide log handler (NULL: discard everything) and the
 *  most verbose priority passed on. Not thread-safe against concurrent
 *  logging; call it before starting threads. Default: no handler. */
DX_API void dx_log_set_handler(dx_log_fn fn, void *userdata,
			       enum dx_log_priority max_prio);

/** Emits a message through the installed handler (used by the library and
 *  available to programs). Not real-time safe (formats into a stack buffer
 *  and calls the handler). */
DX_API void dx_log(enum dx_log_priority prio, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Lock-free single-producer single-consumer ring
 *  Fixed capacity (a power of two) and element size chosen at init; storage
 *  supplied by the caller (dx_ring_init) or allocated once (dx_ring_create).
 *  Exactly one thread may push and exactly one (other) thread may pop; each
 *  side owns one index on its own cache line. Push never overwrites and pop
 *  never blocks. All push/pop/peek functions are real-time safe.
 *  @{ */
#define DX_CACHELINE 64

struct dx_ring {
	/** consumer index (written by the consumer only) */
	DX_ALIGNAS(DX_CACHELINE) DX_ATOMIC_SIZE head;
	/** producer's cached copy of head (producer only) */
	size_t head_cache;
	/** producer index (written by the producer only) */
	DX_ALIGNAS(DX_CACHELINE) DX_ATOMIC_SIZE tail;
	/** consumer's cached copy of tail (consumer only) */
	size_t tail_cache;
	DX_ALIGNAS(DX_CACHELINE) unsigned char *buf;
	size_t elem_size;
	size_t mask;  /**< capacity - 1 */
	bool owns_buf;
};

/** Bytes of storage a ring of @p capacity elements of @p elem_size needs. */
DX_API size_t dx_ring_storage_size(size_t capacity, size_t elem_size);

/** Initialises a ring over caller storage of dx_ring_storage_size() bytes.
 *  @p capacity must be a power of two >= 2, @p elem_size > 0.
 *  @return 0, or DX_EINVAL. Not real-time safe (init only). */
DX_API int dx_ring_init(struct dx_ring *r, void *storage, size_t capacity,
			size_t elem_size);

/** Like dx_ring_init but allocates the storage. @return 0, DX_EINVAL or
 *  DX_ENOMEM. Free with dx_ring_deinit(). */
DX_API int dx_ring_init_alloc(struct dx_ring *r, size_t capacity,
			      size_t elem_size);

/** Releases storage allocated by dx_ring_init_alloc (no-op otherwise). */
DX_API void dx_ring_deinit(struct dx_ring *r);

/** Producer: copies one element in. @return 0, DX_ENOBUFS when full
 *  (nothing is overwritten), or DX_EINVAL for NULL. */
DX_API int dx_ring_push(struct dx_ring *r, const void *elem);

/** Consumer: copies the oldest element out. @return 0, DX_EAGAIN when
 *  empty, or DX_EINVAL for NULL. */
DX_API int dx_ring_pop(struct dx_ring *r, void *elem);

/** Consumer: copies the oldest element out without removing it.
 *  @return 0, DX_EAGAIN when empty, or DX_EINVAL for NULL. */
DX_API int dx_ring_peek(struct dx_ring *r, void *elem);

/** Number of elements (exact from either side's thread for its own view;
 *  approximate from any other thread); 0 for NULL. */
DX_API size_t dx_ring_count(const struct dx_ring *r);

/** Capacity in elements; 0 for NULL. */
DX_API size_t dx_ring_capacity(const struct dx_ring *r);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Latency histogram
 *  Fixed log-linear buckets over [0, 2^DX_HIST_MAX_POW2) ns: values below
 *  2*DX_HIST_SUB are exact, larger values are kept with a relative
 *  resolution of 1/DX_HIST_SUB (about 1.6%). Minimum, maximum, count and sum
 *  are exact. Adding a sample is O(1), real-time safe, not thread-safe.
 *  @{ */
#define DX_HIST_SUB_BITS 6
#define DX_HIST_SUB (1u << DX_HIST_SUB_BITS)
#define DX_HIST_MAX_POW2 40 /* about 18 minutes in ns */
#define DX_HIST_BUCKETS ((DX_HIST_MAX_POW2 - DX_HIST_SUB_BITS + 1) * DX_HIST_SUB)

struct dx_hist {
	uint64_t count;
	uint64_t overflow; /**< samples >= 2^DX_HIST_MAX_POW2 ns (kept in max) */
	int64_t min;
	int64_t max;
	double sum;
	uint32_t bucket[DX_HIST_BUCKETS];
};

/** Empties the histogram. In this group a NULL histogram or output is
 *  ignored (void functions) or reads as empty. */
DX_API void dx_hist_reset(struct dx_hist *h);

/** Adds one sample in ns (negative samples count as 0). */
DX_API void dx_hist_add(struct dx_hist *h, int64_t ns);

/** Value at quantile @p q in [0, 1] (0.5 = median, 0.99 = p99): the upper
 *  edge of the bucket holding that rank, clamped to [min, max]. 0 when empty
 *  or NULL; q <= 0 or NaN gives the minimum, q >= 1 the maximum. */
DX_API int64_t dx_hist_quantile(const struct dx_hist *h, double q);

/** Mean in ns, 0 when empty. */
DX_API double dx_hist_mean(const struct dx_hist *h);

/** Adds all samples of @p src into @p dst. */
DX_API void dx_hist_merge(struct dx_hist *dst, const struct dx_hist *src);

/** Summary figures in ns. */
struct dx_hist_summary {
	uint64_t count;
	int64_t min, p50, p90, p99, p999, max;
	double mean;
};

/** Fills @p s from @p h. */
DX_API void dx_hist_summarize(const struct dx_hist *h, struct dx_hist_summary *s);

/** Bucket @p idx's [lo, hi) range in ns, for plotting (DX_HIST_BUCKETS
 *  buckets; a larger @p idx gives 0, 0). @p lo or @p hi may be NULL. */
DX_API void dx_hist_bucket_range(unsigned idx, int64_t *lo, int64_t *hi);
/** @} */

/** Library version string at run time (may differ from DX_VERSION_STRING). */
DX_API const char *dx_version(void);

/** Returns true when @p x is neither NaN nor infinite. */
static inline bool dx_isfinite(double x)
{
	return x - x == 0.0;
}

/** Number of elements of a true array. */
#define DX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

DX_END_DECLS

#endif
