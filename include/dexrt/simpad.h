/* SPDX-License-Identifier: MIT */
/** @file simpad.h
 *  @brief Virtual tactile pad (libdexrt-sim): the device side of the dexrt
 *  taxel protocol and of the legacy uSkin-style protocol (see tactile.h).
 *
 *  The pad turns commanded contacts (position, force vector, radius) into
 *  raw taxel counts: each contact spreads its force as a Gaussian pressure
 *  p(d) = F / (2π r²) · exp(−d² / 2r²) over the surface, and a taxel of
 *  area A reads the force p·A, split into its normal and tangent axes. On
 *  top come an offset, Gaussian noise, a slow drift, optional slip
 *  (vibration and a changing shear) and injected taxel faults.
 *  Deterministic for a given seed; no clock (time comes in as dt); no
 *  allocation; one thread at a time.
 */
#ifndef DEXRT_SIMPAD_H
#define DEXRT_SIMPAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/core.h>
#include <dexrt/export.h>
#include <dexrt/tactile.h>

DX_BEGIN_DECLS

#define DX_SIMPAD_MAX_CONTACTS 4

/** Virtual pad configuration. Taxels as in struct dx_tactile_pad_config
 *  (list or grid). */
struct dx_simpad_config {
	uint32_t board;
	enum dx_tactile_proto proto;
	unsigned axes;            /**< 1 or 3 (uSkin: 3) */
	unsigned n_taxels;
	const struct dx_tactile_taxel *taxels; /**< NULL: grid */
	unsigned rows, cols;
	float pitch;
	float origin[3];
	float normal[3];
	float taxel_area;         /**< m²; 0: pitch² (grid) */
	float counts_per_n;       /**< sensitivity, counts per N (default 1000) */
	float offset;             /**< counts at rest (dexrt 0, uSkin 32768) */
	float noise;              /**< Gaussian noise σ, counts (default 0) */
	float drift;              /**< drift rate, counts/s; each taxel drifts
				       at 0.5..1.5 times this (default 0) */
	bool fd;                  /**< dexrt: send FD frames */
	uint32_t seed;            /**< noise seed (0: 1) */
};

/** Fills @p c with defaults for @p proto: 3 axes, 1000 counts/N, no noise,
 *  no drift, classic frames. */
DX_API void dx_simpad_config_default(struct dx_simpad_config *c,
				     enum dx_tactile_proto proto);

/** A commanded contact, link frame. @p force is the force on the object
 *  (a press points along the outward normal), N. */
struct dx_simpad_contact {
	float pos[3];     /**< m, on the pad surface */
	float force[3];   /**< N */
	float radius;     /**< Gaussian spread, m (> 0) */
};

/** Slip mode: while on, each contact's shear grows by @p shear_rate · Fn
 *  per second along @p dir from when the mode is set (saw-tooth, back to
 *  zero every @p period_s) and
 *  the readings vibrate at @p vib_hz with amplitude @p vib_rel · (taxel
 *  force), plus as much broadband noise. */
struct dx_simpad_slip {
	bool on;
	float shear_rate;   /**< 1/s (default 2) */
	float period_s;     /**< (0.25 s) */
	float vib_rel;      /**< (0.1) */
	float vib_hz;       /**< (250 Hz) */
	float dir[3];       /**< tangential direction, link frame */
};

/** Injected taxel faults. */
enum dx_simpad_fault {
	DX_SIMPAD_OK = 0,
	DX_SIMPAD_DEAD,       /**< sends invalid readings */
	DX_SIMPAD_STUCK,      /**< repeats its reading from injection on */
	DX_SIMPAD_SATURATED,  /**< reads the top of the range */
};

struct dx_simpad_taxel {
	float pos[3], n[3], t1[3], t2[3];
	float drift_scale;
	uint8_t fault;
	int32_t raw[3];
};

/** A virtual pad. Caller-owned. */
struct dx_simpad {
	struct dx_simpad_config cfg;  /**< taxels pointer cleared */
	unsigned n;
	float area;
	double t;                     /**< simulated time, s */
	uint64_t rng;
	uint8_t seq;
	bool streaming;
	unsigned rate_hz;
	unsigned n_contacts;
	struct dx_simpad_contact contacts[DX_SIMPAD_MAX_CONTACTS];
	struct dx_simpad_slip slip;
	double slip_t0;               /**< time slip mode was set */
	struct dx_simpad_taxel tx[DX_TACTILE_MAX_TAXELS];
};

/** @return 0, DX_EINVAL, DX_ENOSPC (too many taxels) or DX_ENOTFINITE. */
DX_API int dx_simpad_init(struct dx_simpad *sp, const struct dx_simpad_config *c);

/** Replaces the commanded contacts (n ≤ DX_SIMPAD_MAX_CONTACTS; 0 lifts
 *  everything). @return 0, DX_EINVAL or DX_ENOTFINITE. */
DX_API int dx_simpad_set_contacts(struct dx_simpad *sp,
				  const struct dx_simpad_contact *c, unsigned n);

/** Sets the slip mode (NULL: off). Defaults fill zero, NaN and infinite
 *  fields. A NULL @p sp is ignored. */
DX_API void dx_simpad_set_slip(struct dx_simpad *sp,
			       const struct dx_simpad_slip *s);

/** Injects (or with DX_SIMPAD_OK clears) a fault. @return 0 or DX_EINVAL. */
DX_API int dx_simpad_inject(struct dx_simpad *sp, unsigned taxel,
			    enum dx_simpad_fault f);

/** Advances time by @p dt_s and computes new readings. @return 0,
 *  DX_EINVAL (NULL, dt ≤ 0) or DX_ENOTFINITE (dt NaN or infinite). */
DX_API int dx_simpad_step(struct dx_simpad *sp, double dt_s);

/** Current raw counts of a taxel (axes values). @return 0 or DX_EINVAL. */
DX_API int dx_simpad_raw(const struct dx_simpad *sp, unsigned taxel,
			 int32_t out[3]);

/** Encodes the current readings as the frames of one scan. @return the
 *  number of frames (≤ @p max), DX_ENOSPC when @p max is too small. */
DX_API int dx_simpad_encode_scan(struct dx_simpad *sp,
				 struct dx_can_frame *frames, size_t max);

/** Handles a frame from the host: a uSkin trigger or a dexrt SCAN command
 *  addressed to this pad gets the scan's frames in @p out; START and STOP
 *  set streaming (see dx_simpad_streaming). @return frames written, 0 when
 *  the frame was not for the pad or needs no reply, or a negative code. */
DX_API int dx_simpad_handle(struct dx_simpad *sp, const struct dx_can_frame *in,
			    struct dx_can_frame *out, size_t max);

/** Whether the host asked for streaming, and at what rate (Hz; 0 means the
 *  device default the caller picks). */
DX_API bool dx_simpad_streaming(const struct dx_simpad *sp, unsigned *rate_hz);

DX_END_DECLS

#endif
