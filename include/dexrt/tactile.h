/* SPDX-License-Identifier: MIT */
/** @file tactile.h
 *  @brief Tactile pads: taxel frame codecs (dexrt and legacy uSkin-style),
 *  the per-pad pipeline (calibration, tare, drift, filtering, contacts,
 *  slip, taxel faults) and per-finger fusion of pad and joint-torque forces.
 *
 *  Everything here is pure computation: no I/O, no clock (time comes in as
 *  dt in seconds), no allocation after init. Each object is used by one
 *  thread at a time (the real-time thread in a running hand).
 *
 *  Conventions
 *  - Positions in metres, forces in newtons, frames right-handed.
 *  - A taxel sits at a position with an outward unit normal n in the frame
 *    of the link carrying the pad. Its tangent axes are t1 = the link x axis
 *    projected onto the taxel plane (the link y axis when x is nearly
 *    parallel to n) and t2 = n × t1. A 3-axis taxel reports (X, Y, Z) along
 *    (t1, t2, n); a 1-axis taxel reports pressure along n only.
 *  - Contact forces are the force the pad exerts on the touched object (the
 *    opposite of the load on the pad): a press points along +n. Fusion uses
 *    the same sign, so that for joint torques τ_meas − τ_model = Jᵀ f.
 *
 *  @section dxproto The dexrt taxel frame protocol
 *  Boards send taxel data in 29-bit (extended) frames, classic or FD:
 *
 *  | ID bits | field                                                        |
 *  |---------|--------------------------------------------------------------|
 *  | 28..20  | protocol tag 0x0DA (marks a dexrt taxel frame)               |
 *  | 19..12  | board id, 0..255                                             |
 *  | 11..8   | message type: 0 data (board→host), 2 command (host→board)    |
 *  | 7..0    | data: index of the first taxel in the frame; command: 0      |
 *
 *  Data payload:
 *
 *  | byte    | field                                                        |
 *  |---------|--------------------------------------------------------------|
 *  | 0       | sequence counter, +1 per data frame of the board, wraps      |
 *  | 1       | bits 5..0 taxel count (1..63), bit 6 set = 3 axes per taxel  |
 *  |         | (X, Y, Z) else 1 axis, bit 7 set = last frame of a scan      |
 *  | 2..     | count × axes values, int16 little-endian, raw counts;        |
 *  |         | -32768 (0x8000) marks an invalid reading                     |
 *
 *  A classic frame is exactly 2 + 2·axes·count bytes (≤ 8: up to three
 *  1-axis taxels or one 3-axis taxel). An FD frame has the smallest FD
 *  length that holds 2 + 2·axes·count bytes, padded with zeros (up to 31
 *  1-axis or 10 3-axis taxels in 64 bytes). The host refuses (and counts)
 *  frames of the wrong length, count, axes or taxel range and frames with
 *  a value outside the pad's raw range. A sequence number ahead of the
 *  expected one counts the missing frames as a gap and the frame is used
 *  (its data are good); a repeated or older one (up to 127 behind) is
 *  dropped as stale.
 *
 *  Command payload (host→board): byte 0 command (1 start streaming, 2 stop,
 *  3 request one scan), bytes 1..2 streaming rate in Hz (uint16 LE, start
 *  only, 0 = board default). Length 1 or 3.
 *
 *  @section uskinproto The legacy uSkin-style protocol
 *  Layout as used by the public o2as_xela_sensor driver for XELA uSkin
 *  XR1944 modules (Automation-Research-Team/aist_robotiq,
 *  o2as_xela_sensor/src/o2as_xela_sensor/xela_sensor.py; the module's
 *  "Tactile Sensor (XR1944) Instruction Manual", July 2020, gives 16 3-axis
 *  taxels per module):
 *  - trigger: standard id 0x200 + board (board ≥ 1), payload {0x07, 0x00};
 *    the driver also sends the 1-byte form {0x07}; both are accepted;
 *  - reply: one classic frame per taxel, standard id 0x710 + taxel for
 *    board 1; payload byte 1..2 X, 3..4 Y, 5..6 Z as unsigned 16-bit
 *    big-endian counts; a reading whose first byte (byte 1) is ≥ 250 is
 *    invalid (the driver discards it).
 *  Assumptions (not stated in the sources): the reply id for board b is
 *  0x700 + 16·b + taxel (which gives 0x710 for board 1), so boards 1..15
 *  with at most 16 taxels each; byte 0 carries the taxel index (the driver
 *  ignores it; we write it and ignore it on receive); byte 7 is zero; the
 *  frame is 8 bytes (shorter frames are refused).
 */
#ifndef DEXRT_TACTILE_H
#define DEXRT_TACTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/core.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/** @name Capacities
 *  @{ */
#define DX_TACTILE_MAX_TAXELS 256   /**< taxels per pad */
#define DX_TACTILE_MAX_CONTACTS 4   /**< contacts reported per pad */
#define DX_TACTILE_MAX_NEIGHBOURS 8 /**< neighbours kept per taxel */
#define DX_TACTILE_FAULT_RING 32    /**< undrained fault records per pad */
#define DX_TACTILE_POLY 3           /**< calibration polynomial order */
/** @} */

/* ------------------------------------------------------------------------ */
/** @name dexrt taxel frame protocol
 *  @{ */
#define DX_TAXEL_ID_TAG 0x0DAu           /**< ID bits 28..20 */
#define DX_TAXEL_TYPE_DATA 0u
#define DX_TAXEL_TYPE_CMD 2u
#define DX_TAXEL_INVALID INT16_MIN       /**< invalid reading marker */
#define DX_TAXEL_FRAME_MAX_VALUES 31     /**< values in one FD frame */

/** Commands to a board. */
enum dx_taxel_cmd {
	DX_TAXEL_CMD_START = 1, /**< stream scans at a rate */
	DX_TAXEL_CMD_STOP = 2,  /**< stop streaming */
	DX_TAXEL_CMD_SCAN = 3,  /**< send one scan now */
};

/** One decoded data frame. */
struct dx_taxel_msg {
	uint8_t board;
	uint8_t seq;
	uint8_t first;     /**< first taxel index */
	uint8_t count;     /**< taxels in the frame */
	uint8_t axes;      /**< 1 or 3 */
	bool end_of_scan;
	int16_t v[DX_TAXEL_FRAME_MAX_VALUES]; /**< count × axes values */
};

/** CAN identifier of a data or command frame (extended). */
DX_API uint32_t dx_taxel_id(unsigned board, unsigned type, unsigned first);

/** Most taxels one frame can carry for @p axes (1 or 3), classic or FD. */
DX_API unsigned dx_taxel_frame_capacity(unsigned axes, bool fd);

/** Encodes a data frame. @p m->count must be 1..dx_taxel_frame_capacity().
 *  @return 0, DX_EINVAL (bad axes, count, board or first + count > 256).
 *  Real-time safe. */
DX_API int dx_taxel_encode(const struct dx_taxel_msg *m, bool fd,
			   struct dx_can_frame *f);

/** Decodes a data frame. @return 0; DX_ENOENT when @p f is not a dexrt
 *  data frame (other id); DX_EMSGSIZE for a wrong length; DX_EPROTO for a
 *  bad count or a taxel range past 255. Real-time safe. */
DX_API int dx_taxel_decode(const struct dx_can_frame *f, struct dx_taxel_msg *m);

/** Encodes a command frame to @p board. @p rate_hz is used by START only.
 *  @return 0 or DX_EINVAL. */
DX_API int dx_taxel_encode_cmd(unsigned board, enum dx_taxel_cmd cmd,
			       unsigned rate_hz, struct dx_can_frame *f);

/** Decodes a command frame. @return 0, DX_ENOENT (not a command frame),
 *  DX_EMSGSIZE or DX_EPROTO (unknown command). @p rate_hz may be NULL. */
DX_API int dx_taxel_decode_cmd(const struct dx_can_frame *f, unsigned *board,
			       enum dx_taxel_cmd *cmd, unsigned *rate_hz);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Legacy uSkin-style protocol (see the file comment)
 *  @{ */
#define DX_USKIN_TRIGGER_BASE 0x200u
#define DX_USKIN_REPLY_BASE 0x700u
#define DX_USKIN_MAX_BOARD 15u
#define DX_USKIN_TAXELS_PER_BOARD 16u
#define DX_USKIN_INVALID_MSB 250u /**< first byte ≥ this: invalid reading */

/** Trigger frame for @p board (1..15). @return 0 or DX_EINVAL. */
DX_API int dx_uskin_encode_trigger(unsigned board, struct dx_can_frame *f);

/** @return 0 and the board, DX_ENOENT (not a trigger), DX_EMSGSIZE or
 *  DX_EPROTO (wrong command byte). */
DX_API int dx_uskin_decode_trigger(const struct dx_can_frame *f,
				   unsigned *board);

/** One taxel's reply. Values 0..65535 (X, Y, Z). @return 0 or DX_EINVAL. */
DX_API int dx_uskin_encode_taxel(unsigned board, unsigned taxel,
				 const uint16_t xyz[3], struct dx_can_frame *f);

/** Decodes a reply. @return 0; DX_ENOENT (not a uSkin reply id);
 *  DX_EMSGSIZE (not 8 bytes, FD or RTR); DX_ERANGE when the reading is
 *  marked invalid (board, taxel and xyz are still filled). */
DX_API int dx_uskin_decode_taxel(const struct dx_can_frame *f, unsigned *board,
				 unsigned *taxel, uint16_t xyz[3]);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Pad model and pipeline
 *  @{ */

/** Wire protocol of a pad. */
enum dx_tactile_proto {
	DX_TACTILE_PROTO_DEXRT = 0,
	DX_TACTILE_PROTO_USKIN = 1,
};

/** Taxel geometry in the link frame. */
struct dx_tactile_taxel {
	float pos[3];    /**< m */
	float normal[3]; /**< outward unit normal (normalised at init) */
};

/** Per-taxel, per-axis calibration: with x = raw − offset (counts),
 *  F = poly[0]·x + poly[1]·x² + poly[2]·x³ in newtons. */
struct dx_tactile_calib {
	float offset[3];
	float poly[3][DX_TACTILE_POLY];
};

/** Pipeline parameters. dx_tactile_pad_config_default() fills sensible
 *  values for a 1 kHz cycle; each is documented with its default. */
struct dx_tactile_params {
	unsigned tare_samples;  /**< samples averaged for the tare (50) */
	float lp_hz;            /**< force low-pass corner (40 Hz) */
	float hp_hz;            /**< vibration high-pass corner (60 Hz) */
	float energy_tau_s;     /**< vibration energy time constant (0.02 s) */
	/** Baseline: a level and a drift rate per taxel and axis (an
	 *  alpha-beta tracker with time constant drift_tau_s), so linear drift
	 *  is followed without lag. It adapts only while no taxel of the pad
	 *  is active and only for taxels whose deviation is below
	 *  drift_gate_n; otherwise it is extrapolated at the drift rate. At
	 *  the onset of a contact the baselines are rolled back to a snapshot
	 *  0.25..0.5 drift_tau_s old (extrapolated to now), undoing what a
	 *  slow press may have leaked into them before it was detected. */
	float drift_tau_s;      /**< (2 s) */
	float drift_gate_n;     /**< (0.03 N) */
	float on_n;             /**< taxel on threshold, normal force (0.05 N) */
	float off_n;            /**< taxel off threshold (0.025 N) */
	unsigned debounce;      /**< consecutive cycles to switch (3) */
	float contact_min_n;    /**< least total normal force of a contact
				     (0.05 N) */
	float neighbour_m;      /**< neighbour radius, 0 = 1.5 × the smallest
				     taxel spacing */
	float match_m;          /**< contact tracking radius, 0 = 2 ×
				     neighbour radius */
	/** Slip model. ρ = |shear| / max(Fn, slip_min_n); ρ̇ is its
	 *  derivative, low-passed at slip_rate_hz; e = Σ E_i / max(Fn,
	 *  slip_min_n)², with E_i the high-pass energy (N²) of the contact's
	 *  taxels, is the relative vibration power. The slip score is
	 *  s = max(|ρ̇| / slip_rate, e / slip_energy); slip is flagged after
	 *  slip_on cycles with s > 1 and cleared after slip_off cycles with
	 *  s < 0.5. ρ̇ is ignored during the first settle cycles of a contact
	 *  (onset transients). */
	float slip_rate;        /**< ρ̇ threshold, 1/s (1.0) */
	float slip_energy;      /**< relative energy threshold (1e-3, i.e. a
				     vibration of about 3 % RMS of Fn) */
	float slip_rate_hz;     /**< ρ̇ low-pass (10 Hz) */
	float slip_min_n;       /**< force floor in ρ and e (0.2 N) */
	unsigned slip_on;       /**< (3) */
	unsigned slip_off;      /**< (30) */
	unsigned settle;        /**< (100) */
	/** Raw value checks, counts. Values outside [raw_min, raw_max] make
	 *  the frame invalid; |raw| at or past the rails for sat_cycles marks
	 *  the taxel saturated (cleared after as many cycles inside). */
	int32_t raw_min, raw_max;   /**< (-32767, 32767) */
	int32_t sat_lo, sat_hi;     /**< (-32000, 32000) */
	unsigned sat_cycles;        /**< (5) */
	/** A taxel whose raw value stays bit-identical for stuck_cycles
	 *  samples while a neighbour's changes is stuck (latched). */
	unsigned stuck_cycles;      /**< (200) */
	/** A taxel with no valid sample for dead_cycles cycles (after the pad
	 *  has received data) is dead; it comes back after dead_cycles
	 *  consecutive cycles with valid samples. Stuck taxels stay masked
	 *  until dx_tactile_pad_clear_faults(). Masked taxels take the mean
	 *  of their nearest healthy neighbours in the contact sums. */
	unsigned dead_cycles;       /**< (50) */
};

/** A pad. Either @p taxels (n_taxels entries) or a grid: rows × cols at
 *  @p pitch centred on @p origin, in the plane with normal @p normal,
 *  columns along t1 and rows along t2 (taxel index = row·cols + col). */
struct dx_tactile_pad_config {
	uint32_t board;                 /**< board id on the bus */
	enum dx_tactile_proto proto;
	unsigned axes;                  /**< 1 or 3 */
	unsigned n_taxels;              /**< list length (list form) */
	const struct dx_tactile_taxel *taxels; /**< NULL: grid form */
	unsigned rows, cols;            /**< grid form */
	float pitch;                    /**< grid pitch, m */
	float origin[3];                /**< grid centre, link frame, m */
	float normal[3];                /**< grid normal (0,0,0 means +z) */
	/** Per-taxel calibration (n_taxels entries) or NULL: offset 0 and
	 *  linear @p gain on every axis. */
	const struct dx_tactile_calib *calib;
	float gain;                     /**< N per count when calib is NULL */
	struct dx_tactile_params params;
};

/** Fills @p c with defaults for @p proto: 3 axes, gain 0.001 N/count, the
 *  parameter defaults above, no taxels. For uSkin the raw range is that of
 *  its unsigned 16-bit readings below the invalid marker: raw_min 0,
 *  raw_max 63999, rails 200 and 63800. */
DX_API void dx_tactile_pad_config_default(struct dx_tactile_pad_config *c,
					  enum dx_tactile_proto proto);

/** Fills @p out (rows·cols entries) with a grid's taxels, as the grid form
 *  of the config describes (@p origin, @p normal may be NULL: zero, +z).
 *  @return 0, DX_EINVAL (NULL out, no rows or columns, pitch not > 0 or
 *  infinite) or DX_ENOTFINITE (NaN or infinity in origin or
 *  normal). */
DX_API int dx_tactile_grid(unsigned rows, unsigned cols, float pitch,
			   const float origin[3], const float normal[3],
			   struct dx_tactile_taxel *out);

/** Tangent axes t1, t2 of a surface with unit normal @p n, by the rule in
 *  the file comment (what 3-axis X and Y readings are measured along).
 *  Nothing is written when any pointer is NULL. */
DX_API void dx_tactile_tangents(const float n[3], float t1[3], float t2[3]);

/** Rigid pose of the link in the hand frame: p_hand = R(rot)·p_link + pos.
 *  @p rot is a unit quaternion in cglm order (x, y, z, w). */
struct dx_tactile_pose {
	float pos[3];
	float rot[4];
};

/** Taxel fault kinds (bit flags in dx_tactile_pad::mask). */
enum dx_tactile_fault_kind {
	DX_TACTILE_FAULT_DEAD = 1u << 0,
	DX_TACTILE_FAULT_STUCK = 1u << 1,
	DX_TACTILE_FAULT_SATURATED = 1u << 2,
};

/** One fault record: a taxel entered (set) or left a fault state. */
struct dx_tactile_fault {
	uint64_t cycle;  /**< pad cycle number */
	uint16_t taxel;
	uint8_t kind;    /**< enum dx_tactile_fault_kind */
	bool set;        /**< true: masked now; false: cleared */
};

/** Receive counters of a pad (or of a router, for unknown boards). */
struct dx_tactile_rx_stats {
	uint64_t frames;        /**< accepted frames */
	uint64_t bad_length;    /**< wrong length / flags */
	uint64_t bad_format;    /**< count, axes or taxel range wrong */
	uint64_t bad_value;     /**< values outside [raw_min, raw_max] */
	uint64_t seq_gaps;      /**< frames missing by the sequence counter */
	uint64_t seq_stale;     /**< repeated or old sequence numbers, dropped */
	uint64_t invalid;       /**< readings marked invalid by the board */
	uint64_t unknown_board; /**< (router) tagged frames for no known pad */
};

/** One contact on a pad. */
struct dx_tactile_contact {
	uint32_t id;            /**< stable while tracked from cycle to cycle */
	uint16_t n_taxels;      /**< active taxels in the region */
	bool slip;
	float normal_force;     /**< N, ≥ 0 */
	float force[3];         /**< total force on the object, link frame, N */
	float shear[3];         /**< tangential part of force, link frame, N */
	float normal[3];        /**< mean contact normal, link frame */
	float cop[3];           /**< centre of pressure, link frame, m */
	float cop_hand[3];      /**< centre of pressure, hand frame, m */
	float normal_hand[3];
	float force_hand[3];
	float ratio;            /**< ρ = |shear| / max(Fn, slip_min_n) */
	float ratio_rate;       /**< filtered ρ̇, 1/s */
	float energy;           /**< e, relative vibration power */
	float confidence;       /**< 0..1: healthy share of the taxels around */
};

/** Pipeline state. */
enum dx_tactile_state {
	DX_TACTILE_WAITING = 0, /**< no data received yet */
	DX_TACTILE_TARING,      /**< collecting tare samples */
	DX_TACTILE_RUNNING,
};

/** Per-cycle result of a pad. */
struct dx_tactile_result {
	uint64_t cycle;
	enum dx_tactile_state state;
	bool in_contact;
	unsigned n_contacts;
	unsigned dropped;       /**< regions beyond DX_TACTILE_MAX_CONTACTS */
	unsigned n_masked;      /**< taxels masked by faults */
	float total_normal;     /**< N, sum over reported contacts */
	struct dx_tactile_contact contacts[DX_TACTILE_MAX_CONTACTS];
};

/** Per-taxel pipeline state (internal; read-only for callers). */
struct dx_tactile_taxel_state {
	float pos[3], n[3], t1[3], t2[3];
	float calib[3][DX_TACTILE_POLY], offset[3];
	float base[3];       /**< baseline, N */
	float slope[3];      /**< baseline drift rate, N/s */
	float snap_b[2][3];  /**< baseline snapshots (older, newer) */
	float snap_s[2][3];  /**< slope snapshots */
	float lp[3];         /**< low-passed deviation from baseline, N */
	float hpl[3];        /**< slow part removed by the high-pass */
	float energy;        /**< high-pass energy, N² */
	float erest;         /**< resting (noise) energy, N² */
	float cal[3];        /**< calibrated sample, N */
	float sum[3];        /**< tare accumulator */
	uint16_t nsum;
	float p;             /**< normal force used this cycle, N */
	int32_t raw[3];
	int32_t last_raw[3];
	uint16_t nb[DX_TACTILE_MAX_NEIGHBOURS];
	uint8_t n_nb;
	uint8_t mask;        /**< enum dx_tactile_fault_kind bits */
	bool fresh;          /**< a sample arrived since the last cycle */
	bool changed;        /**< raw changed in the last sample */
	bool active;
	bool ever;           /**< has received at least one sample */
	uint16_t deb;        /**< debounce counter */
	uint16_t stale;      /**< cycles without a valid sample */
	uint16_t still;      /**< stuck counter */
	uint16_t sat;        /**< saturation counter */
	int16_t label;       /**< region label this cycle, -1 none */
};

/** Contact tracking state (internal). */
struct dx_tactile_track {
	uint32_t id;
	bool used;
	bool slip;
	float cop[3];
	float ratio, rate;
	uint32_t age;
	uint16_t on, off;
};

/** A pad. Caller-owned; about 75 KiB (all capacity inline). */
struct dx_tactile_pad {
	struct dx_tactile_pad_config cfg; /**< copy; taxels/calib pointers
					       cleared */
	struct dx_tactile_params prm;
	unsigned n;
	uint64_t cycle;
	enum dx_tactile_state state;
	unsigned tare_count;
	double time;         /**< running time, s (sum of dt) */
	double snap_t[2];    /**< snapshot times (older, newer) */
	unsigned n_snap;
	bool got_data;
	bool prev_contact;
	int seq_expect;      /**< next sequence number, -1 = unknown */
	float nb_radius, match_radius;
	float k_dt;          /**< dt of the filter gains below (0: none) */
	float k_lp, k_hp, k_e, k_drift; /**< filter gains for k_dt */
	uint32_t next_id;
	struct dx_tactile_rx_stats rx;
	struct dx_tactile_track track[DX_TACTILE_MAX_CONTACTS];
	struct dx_tactile_fault faults[DX_TACTILE_FAULT_RING];
	unsigned fault_head, fault_count;
	uint64_t faults_lost;
	uint16_t queue[DX_TACTILE_MAX_TAXELS];
	struct dx_tactile_taxel_state t[DX_TACTILE_MAX_TAXELS];
};

/** Initialises a pad from @p cfg (copies everything it needs). Computes
 *  the taxel frames and neighbour lists. Not real-time safe (O(n²)).
 *  @return 0, DX_EINVAL (bad axes, geometry or parameters), DX_ENOSPC
 *  (more than DX_TACTILE_MAX_TAXELS taxels, or uSkin with more than 16),
 *  DX_ENOTFINITE. */
DX_API int dx_tactile_pad_init(struct dx_tactile_pad *pad,
			       const struct dx_tactile_pad_config *cfg);

/** Restarts the tare (and clears baselines, filters and contacts; faults
 *  stay masked). Real-time safe. */
DX_API void dx_tactile_pad_tare(struct dx_tactile_pad *pad);

/** Unmasks every taxel and restarts the fault detectors. */
DX_API void dx_tactile_pad_clear_faults(struct dx_tactile_pad *pad);

/** Stores one taxel's raw sample (counts; 1 or 3 values as the pad's axes).
 *  Used by the frame decoders and by callers with other transports.
 *  @return 0, DX_ERANGE (index or value out of range; counted as
 *  bad_value) or DX_EINVAL. Real-time safe. */
DX_API int dx_tactile_pad_put(struct dx_tactile_pad *pad, unsigned taxel,
			      const int32_t *raw);

/** Offers one received frame to the pad. @return 1 when the frame was for
 *  this pad and accepted, 0 when it was not for this pad, or a negative
 *  code when it was for this pad but refused (the reason is counted in
 *  the pad's rx stats). Real-time safe. */
DX_API int dx_tactile_pad_rx(struct dx_tactile_pad *pad,
			     const struct dx_can_frame *f);

/** Routes a frame to the pad it belongs to. Frames carrying a taxel
 *  protocol id for no pad in @p pads count as unknown_board in @p st (may
 *  be NULL). @return as dx_tactile_pad_rx, 0 for frames of no pad. */
DX_API int dx_tactile_route(struct dx_tactile_pad *const *pads, size_t n,
			    const struct dx_can_frame *f,
			    struct dx_tactile_rx_stats *st);

/** Frames the host sends to start one scan of the pad (uSkin: the
 *  trigger; dexrt: a SCAN command). @return frames written (1) or
 *  DX_EINVAL. */
DX_API int dx_tactile_pad_request(const struct dx_tactile_pad *pad,
				  struct dx_can_frame *f);

/** Runs one cycle over the samples received since the last call.
 *  @p dt_s is the time since the previous cycle (> 0, seconds).
 *  @p link_in_hand gives the hand-frame outputs (NULL: identity; the
 *  quaternion is normalised here, a zero one is DX_EINVAL).
 *  Bounded: O(taxels · neighbours). No allocation, no clock.
 *  @return 0, or DX_EINVAL / DX_ENOTFINITE for bad arguments. */
DX_API int dx_tactile_pad_update(struct dx_tactile_pad *pad, double dt_s,
				 const struct dx_tactile_pose *link_in_hand,
				 struct dx_tactile_result *out);

/** Pops the oldest fault record. @return 0 or DX_EAGAIN when empty. Call
 *  from the thread that runs the pad (or after handing the pad over). */
DX_API int dx_tactile_pad_fault_pop(struct dx_tactile_pad *pad,
				    struct dx_tactile_fault *out);

/** Current filtered normal force of a taxel (N), for displays. */
DX_API float dx_tactile_pad_taxel_force(const struct dx_tactile_pad *pad,
					unsigned taxel);

/** Number of taxels of the pad. */
DX_API unsigned dx_tactile_pad_taxels(const struct dx_tactile_pad *pad);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Fusion of pad forces and joint torques
 *  One small Kalman filter per finger over the contact force f (3-vector,
 *  the frame in which the Jacobian is given, normally the hand frame).
 *  Process: random walk, Q = q·dt·I. Measurements: the pad's contact force
 *  (H = I, R = σ_pad²/confidence) and the joint torques Δτ = τ_meas −
 *  τ_model = Jᵀ f + noise (H = Jᵀ, R = σ_τ² I), applied in information
 *  form so that fewer than three joints, or a singular Jacobian, only
 *  leave the unobserved directions to the pad and the prior. Optionally
 *  each source's noise variance is raised on line when its innovations
 *  are larger than the filter predicts (covariance matching), so a pad or
 *  torque channel that became noisy loses weight by itself.
 *  Computations are in double: the information matrices J Jᵀ/σ² become
 *  badly conditioned near singular finger poses, where float loses the
 *  small eigenvalues.
 *  @{ */
#define DX_FUSION_MAX_FINGERS 6
#define DX_FUSION_MAX_JOINTS 8

struct dx_fusion_config {
	unsigned n_fingers;       /**< 1..DX_FUSION_MAX_FINGERS */
	double q;                 /**< process noise, N²/s (default 50) */
	double pad_sigma;         /**< pad force noise, N (default 0.05) */
	double tau_sigma;         /**< joint torque noise, N·m (default 0.005) */
	double damping;           /**< λ of the damped least-squares torque
				       force (default 1e-3 m) */
	double p0;                /**< initial variance, N² (default 100) */
	bool adaptive;            /**< covariance matching (default true) */
	double adapt_tau;         /**< its averaging time, s (default 0.2) */
};

/** Fills @p c with the defaults above for @p n_fingers. */
DX_API void dx_fusion_config_default(struct dx_fusion_config *c,
				     unsigned n_fingers);

/** Inputs of one finger for one cycle. */
struct dx_fusion_input {
	bool pad_valid;           /**< pad force usable this cycle */
	double pad_force[3];      /**< N, J's frame */
	double pad_confidence;    /**< 0..1 (0 treated as invalid) */
	float location[3];        /**< contact point, J's frame, m */
	float normal[3];
	bool slip;
	unsigned n_joints;        /**< 0: no torque information */
	const double *jac;        /**< 3 × n_joints, row-major: J at the
				       contact point (linear part) */
	const double *dtau;       /**< n_joints: τ_meas − τ_model, N·m */
};

/** Fused contact of one finger. */
struct dx_fusion_contact {
	bool active;              /**< some force information this cycle */
	bool slip;
	double force[3];          /**< estimate, N */
	double cov[9];            /**< its covariance, N², row-major */
	double sigma;             /**< sqrt(trace(cov)/3), N */
	double torque_force[3];   /**< damped least-squares solution of
				       Jᵀ f = Δτ alone (diagnostic) */
	bool torque_valid;
	float location[3];
	float normal[3];
	float confidence;         /**< 0..1 from sigma: 1/(1+(σ/σ_pad)²/4) */
	double pad_r, tau_r;      /**< noise variances in use (adaptive) */
};

struct dx_fusion_finger {
	double f[3];
	double P[9];
	double pad_r, tau_r;      /**< adapted variances */
	float location[3], normal[3];
};

struct dx_fusion {
	struct dx_fusion_config cfg;
	struct dx_fusion_finger finger[DX_FUSION_MAX_FINGERS];
	double k_dt, k_ad; /**< adaptation gain k_ad for step k_dt (0: none) */
};

/** @return 0 or DX_EINVAL. Not in the cycle (cheap, though). */
DX_API int dx_fusion_init(struct dx_fusion *fu, const struct dx_fusion_config *c);

/** Resets one finger (or all with @p finger < 0) to the prior. */
DX_API void dx_fusion_reset(struct dx_fusion *fu, int finger);

/** One cycle: @p in and @p out hold n_fingers entries each. Bounded, no
 *  allocation. @return 0, DX_EINVAL (dt ≤ 0, n_joints too large, NULL
 *  jac/dtau with joints) or DX_ENOTFINITE (dt or an input NaN; that finger's
 *  state is left unchanged and the others are still processed). */
DX_API int dx_fusion_step(struct dx_fusion *fu, double dt_s,
			  const struct dx_fusion_input *in,
			  struct dx_fusion_contact *out);

/** Damped least-squares solution of Jᵀ f = Δτ:
 *  f = (J Jᵀ + λ² I)⁻¹ J Δτ. @return 0, DX_EINVAL (NULL, n_joints 0 or
 *  above DX_FUSION_MAX_JOINTS, λ negative or NaN), DX_ENOTFINITE (an
 *  infinite λ, a NaN or infinity in J or Δτ; @p f untouched) or
 *  DX_ESINGULAR. */
DX_API int dx_fusion_torque_force(const double *jac, unsigned n_joints,
				  const double *dtau, double lambda,
				  double f[3]);
/** @} */

DX_END_DECLS

#endif
