/* SPDX-License-Identifier: MIT */
/** @file can.h
 *  @brief CAN frames, their can-utils text forms, and the transport
 *  interface shared by every backend (socketcan:IFNAME, simbus:NAME).
 *
 *  A transport is opened by name at init (allocates), then used from one
 *  thread at a time without allocation: dx_can_send() and dx_can_recv() move
 *  many frames per call and never block; dx_can_wait() is the one call that
 *  sleeps, up to an absolute CLOCK_MONOTONIC deadline.
 */
#ifndef DEXRT_CAN_H
#define DEXRT_CAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/** @name Frame
 *  @{ */
#define DX_CAN_MAX_DLEN 8     /**< classic CAN payload */
#define DX_CANFD_MAX_DLEN 64  /**< CAN FD payload */
#define DX_CAN_SFF_MASK 0x7ffu
#define DX_CAN_EFF_MASK 0x1fffffffu

/** Frame flags. */
enum dx_can_flags {
	DX_CAN_EXT = 1u << 0, /**< 29-bit identifier */
	DX_CAN_RTR = 1u << 1, /**< remote request (classic only) */
	DX_CAN_FD = 1u << 2,  /**< CAN FD frame */
	DX_CAN_BRS = 1u << 3, /**< FD bit-rate switch */
	DX_CAN_ESI = 1u << 4, /**< FD error state indicator */
	DX_CAN_ERR = 1u << 5, /**< error frame: id holds the error class bits
				   and data the details, as linux/can/error.h;
				   classic, no other flag */
};

/** One CAN or CAN FD frame. Plain data; copy freely. */
struct dx_can_frame {
	uint32_t id;    /**< 11- or 29-bit identifier (no flag bits) */
	uint8_t len;    /**< payload length: 0..8 classic, a valid FD length
			     (0..8,12,16,20,24,32,48,64) for FD */
	uint8_t flags;  /**< enum dx_can_flags */
	uint8_t _pad[2];
	int64_t ts_ns;  /**< receive (or send) time, CLOCK_MONOTONIC ns; 0 if none */
	uint8_t data[DX_CANFD_MAX_DLEN];
};

/** Length code for @p len bytes (FD DLC table), or -1 if not a valid FD length. */
DX_API int dx_can_len_to_dlc(unsigned len);
/** Bytes carried by DLC @p dlc (0..15) in an FD frame; classic caps at 8. */
DX_API unsigned dx_can_dlc_to_len(unsigned dlc, bool fd);

/** Checks a frame for consistency (id range, len vs classic/FD, RTR only on
 *  classic, BRS/ESI only on FD). @return 0 or DX_EINVAL / DX_EMSGSIZE. */
DX_API int dx_can_frame_check(const struct dx_can_frame *f);
/** @} */

/** @name can-utils text forms
 *  `123#DEADBEEF`, `12345678#00`, `123#R`, `123##1DEADBEEF` (FD, the digit
 *  after ## is the flags nibble: 1 = BRS, 2 = ESI), and candump -L log lines
 *  `(1700000000.123456) can0 123#DEADBEEF`.
 *  @{ */
/** Longest text form including the terminating NUL. */
#define DX_CAN_TEXT_MAX 160
/** Longest candump -L log line dx_can_log_format() writes (interface names
 *  up to 63 characters), including the terminating NUL. */
#define DX_CAN_LOG_MAX 256

/** Formats @p f as can-utils text into @p buf. @return characters written
 *  (excluding NUL), or DX_EINVAL / DX_ENOSPC. */
DX_API int dx_can_frame_format(const struct dx_can_frame *f, char *buf,
			       size_t size);

/** Parses one can-utils text frame. Leading/trailing blanks are ignored.
 *  @return 0, or DX_EBADMSG (malformed) / DX_EMSGSIZE (too long). */
DX_API int dx_can_frame_parse(const char *text, struct dx_can_frame *f);

/** Parses one candump -L log line into the frame (ts_ns set from the stamp,
 *  which is wall-clock time in the log) and the interface name.
 *  @p ifname may be NULL. @return 0, DX_EINVAL (NULL line or frame),
 *  DX_EBADMSG, DX_EMSGSIZE, or DX_ENOSPC (name longer than @p ifname_size
 *  allows). */
DX_API int dx_can_log_parse(const char *line, struct dx_can_frame *f,
			    char *ifname, size_t ifname_size);

/** Formats @p f as a candump -L log line (no newline). @return characters
 *  written (excluding NUL), DX_EINVAL (NULL, invalid frame, empty name or
 *  one with blanks) or DX_ENOSPC. */
DX_API int dx_can_log_format(const struct dx_can_frame *f, const char *ifname,
			     char *buf, size_t size);
/** @} */

/** @name Transport
 *  @{ */
struct dx_can; /**< opaque transport handle */

/** Receive filter: a frame matches when (id & mask) == (filter.id & mask)
 *  and its EXT flag equals @p ext. */
struct dx_can_filter {
	uint32_t id;
	uint32_t mask;
	bool ext;
};

/** Options for dx_can_open(). Zero-initialise and set what you need. */
struct dx_can_opts {
	bool fd;                /**< enable CAN FD (error if the bus cannot) */
	bool recv_own;          /**< receive our own frames (echo) */
	bool no_err_frames;     /**< do not deliver error frames to recv */
	uint32_t bitrate;       /**< nominal bit/s (simbus timing; 0 = 1 Mbit/s) */
	uint32_t data_bitrate;  /**< FD data bit/s (simbus; 0 = bitrate) */
	const struct dx_can_filter *filters; /**< NULL = receive everything */
	size_t n_filters;
	size_t rx_queue;        /**< receive queue depth in frames (0 = default) */
};

/** Controller error state. */
enum dx_can_state {
	DX_CAN_STATE_UNKNOWN = 0,
	DX_CAN_STATE_ERROR_ACTIVE,
	DX_CAN_STATE_ERROR_WARNING,
	DX_CAN_STATE_ERROR_PASSIVE,
	DX_CAN_STATE_BUS_OFF,
	DX_CAN_STATE_STOPPED,
};

/** Bus state as known to this transport (from error frames or the bus model). */
struct dx_can_busstate {
	enum dx_can_state state;
	uint16_t tx_errors;       /**< transmit error counter (if known) */
	uint16_t rx_errors;       /**< receive error counter (if known) */
	uint32_t bus_off_count;   /**< times the controller went bus-off */
	uint32_t passive_count;   /**< times it went error-passive */
	uint32_t arb_lost;        /**< arbitration lost events */
	uint32_t ctrl_problems;   /**< controller problem reports (overflow...) */
	uint32_t prot_violations; /**< protocol violations reported */
};

/** Counters kept by every transport. */
struct dx_can_stats {
	uint64_t tx_frames;      /**< frames accepted for sending */
	uint64_t rx_frames;      /**< frames delivered to the caller */
	uint64_t tx_bytes;
	uint64_t rx_bytes;
	uint64_t tx_full;        /**< sends refused because the TX queue was full */
	uint64_t tx_errors;      /**< other send failures */
	uint64_t rx_dropped;     /**< frames lost before we read them (overflow) */
	uint64_t rx_err_frames;  /**< error frames received */
	uint64_t rx_invalid;     /**< malformed frames discarded */
};

/** Opens a transport by name: "socketcan:IFNAME" or "simbus:NAME".
 *  @p opts may be NULL for defaults. *out is NULL on failure. Allocates;
 *  not real-time safe. @return 0, DX_EINVAL (NULL, bad name/options),
 *  DX_ENOENT (unknown transport kind before the colon), DX_ENODEV (no such
 *  interface), DX_ENOTSUP (FD requested but unavailable, or no CAN support
 *  in the kernel), or another code. */
DX_API int dx_can_open(struct dx_can **out, const char *name,
		       const struct dx_can_opts *opts);

/** Closes and frees. NULL is ignored. */
DX_API void dx_can_close(struct dx_can *bus);

/** Sends @p n frames in order, without blocking. @return the number of frames
 *  accepted (0..n; fewer than n only when the queue filled up, counted in
 *  tx_full), or a negative code if none could be sent (DX_ENOBUFS when the
 *  queue is full, DX_EINVAL for an invalid frame, DX_EBUSOFF...).
 *  Real-time safe. */
DX_API int dx_can_send(struct dx_can *bus, const struct dx_can_frame *frames,
		       size_t n);

/** Receives up to @p max frames without blocking. @return the number
 *  received (0 when none is waiting) or a negative code. Real-time safe. */
DX_API int dx_can_recv(struct dx_can *bus, struct dx_can_frame *frames,
		       size_t max);

/** Sleeps until a frame is ready or CLOCK_MONOTONIC reaches @p deadline_ns.
 *  @return 0 when readable, DX_ETIMEDOUT at the deadline, or a negative code. */
DX_API int dx_can_wait(struct dx_can *bus, int64_t deadline_ns);

/** Replaces the receive filters (NULL/0: receive everything). Not in the
 *  cycle. @return 0, DX_EINVAL (NULL bus, or NULL filters with n > 0),
 *  DX_ENOSPC (more filters than the backend holds: simbus
 *  DX_SIMBUS_MAX_FILTERS) or a system error. */
DX_API int dx_can_set_filters(struct dx_can *bus,
			      const struct dx_can_filter *filters, size_t n);

/** A file descriptor that polls readable when frames are waiting, or -1 if
 *  the backend has none. */
DX_API int dx_can_fd(const struct dx_can *bus);

/** Copies the counters (NULL @p bus or @p st: nothing happens). */
DX_API void dx_can_get_stats(const struct dx_can *bus, struct dx_can_stats *st);

/** Copies the bus state. @return 0, DX_EINVAL (NULL) or a negative code. */
DX_API int dx_can_get_state(const struct dx_can *bus, struct dx_can_busstate *bs);

/** Name the transport was opened with, e.g. "simbus:hand0" ("" for NULL). */
DX_API const char *dx_can_name(const struct dx_can *bus);

/** Nominal and data bitrates in effect (from options or the bus); 0 for
 *  NULL. */
DX_API uint32_t dx_can_bitrate(const struct dx_can *bus, bool data_phase);
/** @} */

DX_END_DECLS

#endif
