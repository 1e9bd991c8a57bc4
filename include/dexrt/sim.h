/* SPDX-License-Identifier: MIT */
/** @file sim.h
 *  @brief Virtual motor drivers (libdexrt-sim): the device side of every
 *  drive protocol of drive.h, with a single-joint motor model.
 *
 *  A struct dx_vdrive answers frames with the same codecs the host uses,
 *  keeps the drive's state (enabled, zero offset, fault, CiA 402 state
 *  machine, NMT state) and simulates its motor. Everything is
 *  deterministic: time only moves with dx_vdrive_step(); nothing reads a
 *  clock or allocates, so a test can drive a virtual drive in-process
 *  frame by frame. struct dx_vdrive_runner serves a set of virtual drives
 *  on a transport (simbus or socketcan) until stopped; it is the one part
 *  that reads the clock (the bus clock for simbus).
 *
 *  The built-in dynamics are one rigid joint: reflected rotor inertia plus
 *  load inertia, viscous and Coulomb friction, a torque limit, encoder
 *  quantisation, and a first-order thermal model whose temperature rises
 *  with I²R losses and trips a thermal fault. A hook replaces the
 *  mechanical part (e.g. a MuJoCo joint).
 */
#ifndef DEXRT_SIM_H
#define DEXRT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/core.h>
#include <dexrt/drive.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/** @name Motor model
 *  All quantities at the output shaft unless named "rotor".
 *  @{ */
struct dx_vmotor_params {
	double rotor_inertia;   /**< kg·m² at the rotor */
	double gear_ratio;      /**< rotor turns per output turn (>= 1) */
	double load_inertia;    /**< kg·m² at the output */
	double viscous;         /**< N·m·s/rad */
	double coulomb;         /**< N·m */
	double torque_limit;    /**< N·m (> 0) */
	double kt;              /**< N·m/A at the output (> 0) */
	double encoder_counts;  /**< counts per output turn (0: exact) */
	double resistance;      /**< Ω phase-to-phase (I²R heating) */
	double thermal_r;       /**< K/W winding to ambient */
	double thermal_c;       /**< J/K winding heat capacity */
	double ambient_c;       /**< °C */
	double fault_temp_c;    /**< thermal fault above this, °C */
	double clear_temp_c;    /**< fault may be cleared below this, °C */
};

/** Replacement dynamics: given the motor torque @p tau (N·m, after the
 *  torque limit) integrate the joint over @p dt seconds, updating @p pos
 *  (rad) and @p vel (rad/s). Must be deterministic for a deterministic
 *  simulation. Called from dx_vmotor_step(). */
typedef void (*dx_vmotor_dynamics_fn)(void *user, double tau, double dt,
				      double *pos, double *vel);

struct dx_vmotor {
	struct dx_vmotor_params p;
	double pos, vel;        /**< true joint state, rad, rad/s */
	double tau;             /**< last applied torque, N·m */
	double current;         /**< A */
	double temp_c;          /**< winding temperature, °C */
	bool thermal_fault;
	dx_vmotor_dynamics_fn dyn;
	void *dyn_user;
};

/** Fills @p p with defaults derived from a torque limit, kt, rotor inertia
 *  and gear ratio (friction 1 % of the limit, 40 K thermal margin...).
 *  NULL is ignored; bad values are caught by dx_vmotor_init(). */
DX_API void dx_vmotor_params_default(struct dx_vmotor_params *p,
				     double torque_limit, double kt,
				     double rotor_inertia, double gear_ratio);

/** Initialises the motor at rest at position 0 and ambient temperature.
 *  @return 0 or DX_EINVAL (non-positive inertia, kt or limit). */
DX_API int dx_vmotor_init(struct dx_vmotor *m, const struct dx_vmotor_params *p);

/** Installs replacement dynamics (NULL restores the built-in joint). */
DX_API void dx_vmotor_set_dynamics(struct dx_vmotor *m, dx_vmotor_dynamics_fn fn,
				   void *user);

/** Applies torque @p tau (clamped to the limit; 0 while in thermal fault)
 *  for @p dt seconds. Deterministic, real-time safe. */
DX_API void dx_vmotor_step(struct dx_vmotor *m, double tau, double dt);

/** Position as the encoder reports it (quantised), rad. */
DX_API double dx_vmotor_encoder_pos(const struct dx_vmotor *m);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Virtual drive
 *  @{ */
#define DX_VDRIVE_MAX_OUT 4 /**< most frames one input frame can produce */

struct dx_vdrive {
	struct dx_drive_desc desc;
	struct dx_vmotor motor;
	bool enabled;
	double zero;               /**< motor position that reads as 0 */
	struct dx_drive_cmd cmd;   /**< latest setpoint (SI, output) */
	enum dx_drive_fault fault; /**< active fault (injected or thermal) */
	enum dx_drive_fault injected;
	bool mute;                 /**< stop answering (link-loss tests) */
	double pos_gain, vel_gain; /**< ODrive/CiA 402 internal loop gains */
	double heartbeat_s;        /**< ODrive/CANopen heartbeat (0: off) */
	double hb_elapsed;
	/* ODrive */
	uint8_t axis_state;
	/* CANopen */
	uint8_t nmt;               /**< enum dx_nmt_state */
	uint8_t cia_state;         /**< enum dx_cia402_state */
	uint16_t controlword, prev_cw;
	int8_t mode;
	bool emcy_pending;
	bool boot_pending;
	/* counters */
	uint64_t rx_frames, tx_frames, rx_ignored;
};

/** Initialises a virtual drive for @p d with motor parameters taken from
 *  its model row. MIT drives start disabled; ODrive idle; CANopen drives in
 *  pre-operational after their boot-up (the boot-up heartbeat is returned
 *  by the first dx_vdrive_step()). @return 0 or DX_EINVAL. */
DX_API int dx_vdrive_init(struct dx_vdrive *v, const struct dx_drive_desc *d);

/** Handles one received frame: commands are decoded with the protocol's
 *  codec (device side) and replies written to @p out (up to @p max).
 *  @return the number of reply frames (0 if the frame is not for this
 *  drive or needs no reply) or a negative code (DX_ENOSPC). Deterministic,
 *  real-time safe. */
DX_API int dx_vdrive_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
			    struct dx_can_frame *out, size_t max);

/** Advances the drive's control loop and motor by @p dt seconds (internally
 *  in sub-steps of at most 100 µs) and writes spontaneous frames (heartbeat,
 *  EMCY) to @p out. @return frames written. Deterministic. */
DX_API int dx_vdrive_step(struct dx_vdrive *v, double dt,
			  struct dx_can_frame *out, size_t max);

/** Injects (or clears with DX_DRIVE_FAULT_NONE) a drive fault. */
DX_API void dx_vdrive_inject_fault(struct dx_vdrive *v, enum dx_drive_fault f);

/** Position as the drive reports it (encoder, minus zero offset), rad. */
DX_API double dx_vdrive_position(const struct dx_vdrive *v);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Serving a bus
 *  @{ */
struct dx_vdrive_runner {
	struct dx_can *can;
	struct dx_vdrive *v;
	size_t n;
	DX_ATOMIC_SIZE stop;
	int64_t last_ns;
	uint64_t frames_in, frames_out, send_errors;
	struct dx_can_frame rx[64];
	struct dx_can_frame tx[64];
};

/** Prepares a runner for @p n drives on @p can (neither owned).
 *  @return 0 or DX_EINVAL. */
DX_API int dx_vdrive_runner_init(struct dx_vdrive_runner *r, struct dx_can *can,
				 struct dx_vdrive *v, size_t n);

/** One iteration: waits for frames up to @p wait_until_ns (bus clock),
 *  answers everything received in one batched send, then advances every
 *  drive to the bus time. @return frames handled or a negative code. */
DX_API int dx_vdrive_runner_poll(struct dx_vdrive_runner *r,
				 int64_t wait_until_ns);

/** Serves until dx_vdrive_runner_stop(). @return 0 or a transport error. */
DX_API int dx_vdrive_runner_run(struct dx_vdrive_runner *r);

/** Asks a running dx_vdrive_runner_run() to return (async-signal-safe). */
DX_API void dx_vdrive_runner_stop(struct dx_vdrive_runner *r);

/** Current time on the runner's bus clock (simbus clock or
 *  CLOCK_MONOTONIC). */
DX_API int64_t dx_vdrive_runner_now(const struct dx_vdrive_runner *r);
/** @} */

DX_END_DECLS

#endif
