/* SPDX-License-Identifier: MIT */
/** @file simbus.h
 *  @brief The simulated CAN bus: a bus in POSIX shared memory that the
 *  processes of one machine join by name ("simbus:NAME" in dx_can_open()).
 *
 *  What is modelled:
 *  - one global bus order: every node sees every frame in the same order;
 *    filters apply per node; a node does not see its own frames unless
 *    dx_can_opts.recv_own is set;
 *  - timing: each frame occupies the bus for its exact length in bits
 *    (dx_can_frame_bits(): stuff bits, CRC, FD fixed stuff bits) at the bus
 *    bitrates, followed by the 3-bit intermission. A frame starts at
 *    max(its submit time, end of the previous frame + intermission) and is
 *    delivered no earlier than its end of frame; the receive timestamp is
 *    that end-of-frame time. Frames take the bus in the order they were
 *    submitted (first come, first served): ID-priority arbitration among
 *    frames waiting at the same moment is not modelled;
 *  - bus load: the bus time of every frame (intermission included) is
 *    accumulated (dx_simbus_get_info());
 *  - a TX queue per node (default 64 frames not yet finished on the wire;
 *    beyond that dx_can_send() returns DX_ENOBUFS) and a bus backlog bound
 *    (the ring capacity);
 *  - a receive queue: the ring of the last `capacity` frames. A node that
 *    falls further behind loses the oldest frames (counted in rx_dropped);
 *  - faults: drop, corrupt (receivers get an error frame instead), delay,
 *    duplicate, per bus or per ID; bus-off of a node; a babbling node.
 *
 *  Clocks: in real-time mode bus time is CLOCK_MONOTONIC. In virtual-clock
 *  mode the clock lives in the shared segment, starts at 0 and moves only
 *  with dx_simbus_advance()/dx_simbus_set_time(); dx_can_wait() deadlines
 *  are then virtual times too (a wait returns when another thread or
 *  process advances the clock far enough or a frame becomes deliverable).
 *
 *  Crash safety: sends publish a frame with one compare-and-swap of a ring
 *  word after the frame was written in the sender's own record area, so a
 *  sender that dies leaves either nothing or a complete frame; no lock is
 *  taken on the send, receive or wait paths. Joining and leaving (open and
 *  close) serialise with flock() on the segment, which the kernel releases
 *  when a process dies. Node slots of dead processes are reclaimed by pid
 *  liveness checks. A segment whose users are all dead, or whose layout or
 *  version differs, is unlinked and created again.
 *
 *  dx_can_fd() returns -1 for simbus: there is no file descriptor to poll;
 *  use dx_can_wait(), which sleeps on a futex in the shared segment.
 *  dx_can_opts.rx_queue is not used: the ring is every node's receive
 *  queue. Error counters follow ISO 11898-1:2015, 12.1.4 for the sender of
 *  corrupted frames (+8 each, -1 per good frame); above 255 the node goes
 *  bus-off and stays there until dx_simbus_set_bus_off(..., false).
 *
 *  Threads: a handle is used by one thread at a time; any number of
 *  handles (in one or many processes) may use one bus concurrently.
 */
#ifndef DEXRT_SIMBUS_H
#define DEXRT_SIMBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

#define DX_SIMBUS_MAX_NODES 32   /**< processes/handles per bus */
#define DX_SIMBUS_MAX_FAULTS 16  /**< active fault rules per bus */
#define DX_SIMBUS_MAX_FILTERS 64 /**< filters per node */
#define DX_SIMBUS_NAME_MAX 48    /**< longest bus name (chars) */
#define DX_SIMBUS_DEFAULT_CAPACITY 4096
#define DX_SIMBUS_DEFAULT_TXQ 64
#define DX_SIMBUS_MAX_BITRATE 1000000000u /**< beyond CAN, for fast runs */

/** Clock of a bus, chosen by the node that creates it. */
enum dx_simbus_clock {
	DX_SIMBUS_CLOCK_ANY = 0,  /**< join either; create real-time */
	DX_SIMBUS_CLOCK_REAL,     /**< CLOCK_MONOTONIC */
	DX_SIMBUS_CLOCK_VIRTUAL,  /**< deterministic clock in the segment */
};

/** Simbus-specific options (zero-initialise). */
struct dx_simbus_opts {
	enum dx_simbus_clock clock; /**< required mode (ANY: accept the bus's) */
	uint32_t capacity; /**< ring frames, power of two in [64, 65536];
				0 = 4096; used by the creator only */
	uint32_t tx_queue; /**< own frames in flight, 1..4096; 0 = 64 */
};

/** Opens (joins or creates) simbus @p name (without the "simbus:" prefix;
 *  letters, digits, '_', '-', '.', at most DX_SIMBUS_NAME_MAX chars).
 *  dx_can_open("simbus:NAME", opts) is the same with @p sopts NULL.
 *  Not real-time safe. @return 0, DX_EINVAL (bad name or options),
 *  DX_ECONFIG (bitrate or clock differ from the existing bus), DX_ENOSPC
 *  (all node slots in use) or a system error. */
DX_API int dx_simbus_open(struct dx_can **out, const char *name,
			  const struct dx_can_opts *opts,
			  const struct dx_simbus_opts *sopts);

/** True when @p bus is a simbus transport. */
DX_API bool dx_simbus_is(const struct dx_can *bus);

/** This handle's node index in [0, DX_SIMBUS_MAX_NODES), or DX_EINVAL. */
DX_API int dx_simbus_node(const struct dx_can *bus);

/** Current bus time in ns (virtual clock or CLOCK_MONOTONIC). Real-time
 *  safe. Returns 0 for a non-simbus handle. */
DX_API int64_t dx_simbus_now(const struct dx_can *bus);

/** Virtual clock: moves the bus clock forward by @p dt_ns >= 0 and wakes
 *  waiters. @return 0, DX_EINVAL, or DX_ESTATE on a real-time bus. */
DX_API int dx_simbus_advance(struct dx_can *bus, int64_t dt_ns);

/** Virtual clock: sets the bus clock to @p t_ns if that is later than now
 *  (the clock never goes back). @return 0, DX_EINVAL or DX_ESTATE. */
DX_API int dx_simbus_set_time(struct dx_can *bus, int64_t t_ns);

/** Sleeps until this node may queue another frame (its oldest frame in
 *  flight has finished on the wire) or the deadline (bus time) passes.
 *  @return 0, DX_ETIMEDOUT or DX_EINVAL. Not for the control cycle. */
DX_API int dx_simbus_wait_tx(struct dx_can *bus, int64_t deadline_ns);

/** Bus-wide information. */
struct dx_simbus_info {
	bool virtual_clock;
	uint32_t bitrate, data_bitrate; /**< bit/s */
	uint32_t capacity;              /**< ring frames */
	unsigned nodes;                 /**< live nodes */
	uint64_t frames;                /**< frames put on the wire */
	uint64_t busy_ns;               /**< bus time of those frames,
					     intermission included */
	int64_t created_ns;             /**< bus time at creation */
	int64_t now_ns;                 /**< bus time now */
	int64_t wire_end_ns;            /**< end of the last frame queued */
};

/** Fills @p info. Load over an interval is the difference of busy_ns
 *  between two calls divided by the difference of now_ns (frames are
 *  charged when queued, so a busy backlog counts ahead of time).
 *  @return 0 or DX_EINVAL. */
DX_API int dx_simbus_get_info(const struct dx_can *bus,
			      struct dx_simbus_info *info);

/** Fault kinds. */
enum dx_simbus_fault_kind {
	DX_SIMBUS_FAULT_DROP = 1,  /**< frame takes the bus, nobody receives it */
	DX_SIMBUS_FAULT_CORRUPT,   /**< frame takes the bus; receivers get an
					error frame (CRC error) instead; the
					sender's TX error counter rises by 8 */
	DX_SIMBUS_FAULT_DELAY,     /**< frame enters the bus delay_ns late;
					later frames queue behind it */
	DX_SIMBUS_FAULT_DUPLICATE, /**< frame is sent twice back to back */
};

/** A fault rule. Matches frames by ID like dx_can_filter, or all frames. */
struct dx_simbus_fault {
	enum dx_simbus_fault_kind kind;
	bool all;          /**< match every frame (id/mask/ext ignored) */
	uint32_t id, mask;
	bool ext;
	int64_t delay_ns;  /**< DELAY only, >= 0 */
	int32_t count;     /**< frames to affect, then the rule ends;
				0 = until removed */
	int32_t node;      /**< only frames sent by this node; -1 = any */
};

/** Installs a fault rule on the bus (visible to every node). Not for the
 *  control cycle. @return the rule handle (>= 0), DX_EINVAL or DX_ENOSPC. */
DX_API int dx_simbus_fault_add(struct dx_can *bus,
			       const struct dx_simbus_fault *fault);

/** Removes rule @p handle. @return 0 or DX_EINVAL. */
DX_API int dx_simbus_fault_remove(struct dx_can *bus, int handle);

/** Frames rule @p handle may still affect (0 when spent or unlimited-and-
 *  removed), or DX_EINVAL. */
DX_API int dx_simbus_fault_remaining(const struct dx_can *bus, int handle);

/** Puts node @p node (-1 = this handle's node) into bus-off (@p off true):
 *  its sends fail with DX_EBUSOFF and its state reads bus-off until it is
 *  recovered with @p off false (error counters reset, as after the 128x11
 *  recessive bits of ISO 11898-1:2015, 12.1.4). @return 0 or DX_EINVAL. */
DX_API int dx_simbus_set_bus_off(struct dx_can *bus, int node, bool off);

/** Babbling node: queues @p count copies of @p f back to back from this
 *  node, ignoring its TX queue limit (a babbling controller does not wait),
 *  bounded only by the bus backlog. @return frames queued (>= 1) or a
 *  negative code if none could be. */
DX_API int dx_simbus_babble(struct dx_can *bus, const struct dx_can_frame *f,
			    unsigned count);

/** Removes the shared segment of bus @p name (for cleanup). Nodes still
 *  joined keep working on the old segment. @return 0, DX_ENOENT or
 *  DX_EINVAL. */
DX_API int dx_simbus_unlink(const char *name);

DX_END_DECLS

#endif
