/* SPDX-License-Identifier: MIT */
/** @file busload.h
 *  @brief CAN bus timing: exact length in bits of a frame from its content
 *  (bit stuffing, CRC and the CAN FD fixed stuff bits included), its
 *  duration at nominal/data bitrates, worst-case lengths when the content is
 *  not known, and a budget planner for sets of periodic frames.
 *
 *  All functions are pure (no clock, no I/O, no allocation), thread-safe
 *  and real-time safe. Frame layout per ISO 11898-1:2015 (clauses 10.4 frame
 *  formats, 10.5 bit stuffing, 10.4.2.6 CRC field).
 */
#ifndef DEXRT_BUSLOAD_H
#define DEXRT_BUSLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/** Bits of inter-frame space (intermission) between two frames on a busy
 *  bus. Not part of a frame's length; counted in bus load and budgets. */
#define DX_CAN_IFS_BITS 3

/** Length of one frame on the wire. Counted from start-of-frame to the last
 *  bit of end-of-frame; the intermission is not included. */
struct dx_can_frame_bits {
	uint32_t bits;         /**< total bits, stuff bits included */
	uint32_t stuff_bits;   /**< dynamic + fixed stuff bits */
	uint32_t fixed_stuff;  /**< fixed stuff bits (FD CRC field; 0 classic) */
	uint32_t nominal_bits; /**< bits sent at the nominal bitrate */
	uint32_t data_bits;    /**< bits sent at the data bitrate (FD with BRS) */
	uint32_t crc;          /**< CRC sequence sent (15, 17 or 21 bits) */
};

/** Exact length of @p f as transmitted, from its identifier, flags, length
 *  and data (the CRC is computed, since it is stuffed too). Error frames
 *  (DX_CAN_ERR) are not data frames and are refused.
 *  @return 0, DX_EINVAL (bad frame or error frame) or DX_EMSGSIZE. */
DX_API int dx_can_frame_bits(const struct dx_can_frame *f,
			     struct dx_can_frame_bits *out);

/** Duration in ns of @p b at @p bitrate (nominal) and @p data_bitrate (data
 *  phase of FD frames with BRS; 0 means the nominal rate), rounded to the
 *  nearest ns. Returns 0 when @p bitrate is 0. */
DX_API int64_t dx_can_bits_ns(const struct dx_can_frame_bits *b,
			      uint32_t bitrate, uint32_t data_bitrate);

/** Exact duration of @p f in ns (see dx_can_frame_bits()).
 *  @return the duration (> 0), or a negative DX_E code. */
DX_API int64_t dx_can_frame_ns(const struct dx_can_frame *f, uint32_t bitrate,
			       uint32_t data_bitrate);

/** Upper bound of the length of any data frame with this identifier
 *  format, @p flags (DX_CAN_EXT, DX_CAN_RTR, DX_CAN_FD, DX_CAN_BRS) and
 *  payload @p len, whatever the content: every dynamic stuff bit that can
 *  occur is counted. Classic: Davis, Burns, Bril, Lukkien, "Controller Area
 *  Network (CAN) schedulability analysis: refuted, revisited and revised",
 *  Real-Time Systems 35(3), 2007, eq. 4: g + 8s + 10 + floor((g + 8s - 1)/4)
 *  bits with g = 34 (11-bit) or 54 (29-bit) (their 13 includes the 3-bit
 *  intermission, left out here). FD: the same bound applied to the dynamically
 *  stuffed part (SOF to end of data), plus the fixed-stuffed CRC field.
 *  The split between nominal and data bits puts every stuff bit that can
 *  fall in the arbitration phase there, so the duration is a bound too.
 *  @return 0, DX_EINVAL or DX_EMSGSIZE. */
DX_API int dx_can_frame_bits_worst(uint32_t id, uint8_t flags, unsigned len,
				   struct dx_can_frame_bits *out);

/** @name Budget planner
 *  @{ */
/** One periodic frame. */
struct dx_can_periodic {
	unsigned bus;    /**< index into the bus table */
	uint32_t id;     /**< identifier (for the record; worst-case timing
			      does not depend on it) */
	uint8_t len;     /**< payload bytes */
	uint8_t flags;   /**< DX_CAN_EXT / DX_CAN_RTR / DX_CAN_FD / DX_CAN_BRS */
	double rate_hz;  /**< frames per second, > 0 */
};

/** Bitrates of one bus. */
struct dx_can_bus_rates {
	uint32_t bitrate;      /**< nominal bit/s, > 0 */
	uint32_t data_bitrate; /**< FD data bit/s (0 = nominal) */
};

/** Result for one bus. Every frame is charged its worst-case length plus
 *  the 3-bit intermission, at its bus's bitrates. */
struct dx_can_bus_budget {
	unsigned n_frames;      /**< periodic frames on this bus */
	double frames_per_s;    /**< sum of the rates */
	double busy_s_per_s;    /**< load: seconds of bus time per second */
	double load;            /**< same as busy_s_per_s, in [0, inf) */
	double cycle_s;         /**< bus time for one of each frame, s */
	double max_scale;       /**< factor all rates could be multiplied by
				     and still fit max_load (inf if idle) */
	double max_common_hz;   /**< highest rate at which every frame of the
				     bus could be sent once per period */
	bool fits;              /**< load <= max_load */
};

/** Plans @p n periodic frames over @p n_buses buses: fills @p out[n_buses]
 *  and, when @p max_common_hz is not NULL, the highest rate at which every
 *  listed frame could be sent once per period on all buses at once
 *  (minimum over the buses; infinity when no frame is listed).
 *  @p max_load in (0, 1] (e.g. 0.7 for a 70 % design limit).
 *  @return 0 when every bus fits, DX_EBUDGET when one does not (out still
 *  filled), DX_EINVAL for bad input (bus index, rate, bitrate, max_load)
 *  or DX_EMSGSIZE (bad length). Pure, real-time safe. */
DX_API int dx_can_budget_plan(const struct dx_can_periodic *frames, size_t n,
			      const struct dx_can_bus_rates *buses,
			      size_t n_buses, double max_load,
			      struct dx_can_bus_budget *out,
			      double *max_common_hz);
/** @} */

DX_END_DECLS

#endif
