/* SPDX-License-Identifier: MIT */
/** @file simhand.h
 *  @brief A simulated hand (libdexrt-sim, built with MuJoCo): everything a
 *  hand.yaml describes, on its own buses, with physics behind it.
 *
 *  From one hand configuration (see hand.h) and a MuJoCo scene it opens
 *  every configured bus (simbus names, or SocketCAN interfaces as written),
 *  puts a virtual drive (sim.h; same protocol, model and node id) behind
 *  every actuator and a virtual pad (simpad.h) behind every tactile pad.
 *  Each drive's motor hands its mechanics to the MuJoCo joint the actuator
 *  drives (dx_simworld_motor_dynamics(); gear ratio, direction and zero
 *  offset of the configuration respected; rotor inertia and friction moved
 *  into the joint); each pad is fed with the contacts MuJoCo finds on the
 *  link it sits on. A controller on the same buses cannot tell it from
 *  hardware: it only sees frames.
 *
 *  Two clocks:
 *  - deterministic (DX_SIMHAND_VIRTUAL): simbus buses with a virtual clock
 *    that the caller drives (dx_simhand_set_time(), dx_simhand_poll()); the
 *    controller runs in the same thread between polls, so a run is
 *    repeatable bit for bit and immune to the machine's load;
 *  - live (DX_SIMHAND_LIVE): CLOCK_MONOTONIC; dx_simhand_run() serves the
 *    buses every service period on absolute deadlines and keeps the
 *    physics at bus time, until dx_simhand_stop().
 *
 *  Slip: when an object slides against a pad (relative speed of the
 *  contact above a threshold), the pad is put in slip mode (vibration and
 *  changing shear, see struct dx_simpad_slip), which is what a real taxel
 *  array shows while an object slides over it.
 *
 *  Threads: one thread serves (poll or run). The scene requests (mass,
 *  lift, reach) may come from any one other thread: they are posted and
 *  applied by the serving thread at its next iteration. Object states are
 *  published by the serving thread after each iteration and may be read
 *  from any one other thread.
 */
#ifndef DEXRT_SIMHAND_H
#define DEXRT_SIMHAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>
#include <dexrt/export.h>
#include <dexrt/hand.h>

DX_BEGIN_DECLS

struct dx_simhand; /**< opaque */
struct dx_simworld;

/** Clock of a simulated hand. */
enum dx_simhand_clock {
	DX_SIMHAND_VIRTUAL = 0, /**< simbus virtual clock driven by the caller */
	DX_SIMHAND_LIVE,        /**< CLOCK_MONOTONIC, absolute deadlines */
};

/** Options (zero-initialise). */
struct dx_simhand_opts {
	/** MJCF scene; NULL: "mjcf/<config name>.xml" next to the YAML. */
	const char *scene;
	enum dx_simhand_clock clock;
	/** Live mode: bus service period, ns (0: 100 us). */
	int64_t service_ns;
	/** Gaussian spread of a contact on a pad, m (0: 6 mm, the load
	 *  spreading of a few millimetres of elastomer skin). */
	double contact_radius;
	/** Relative sliding speed above which a pad is told to slip, m/s
	 *  (0: 5 mm/s). */
	double slip_speed;
	/** Pad noise seed (0: 1). */
	uint32_t seed;
};

/** Why set-up failed. */
struct dx_simhand_error {
	int code;       /**< the returned DX_E... code */
	char msg[640];  /**< names the file, bus or actuator at fault */
};

/** Builds the simulated hand: loads @p scene, opens the buses, creates and
 *  links drives and pads. @p cfg must outlive the hand. A bus served by
 *  another simulated hand (in this or another process) is refused with
 *  DX_EBUSY. Not real-time safe.
 *  @return 0; DX_ENOENT (scene missing); DX_EPARSE (MuJoCo rejected the
 *  model); DX_ECONFIG (a joint, pad or model the scene or the drive tables
 *  lack, coupled actuators, bus clock or bitrate differing from an existing
 *  bus); DX_EBUSY; DX_EINVAL; DX_ENOMEM; transport errors. */
DX_API int dx_simhand_create(struct dx_simhand **out,
			     const struct dx_hand_config *cfg,
			     const struct dx_simhand_opts *opts,
			     struct dx_simhand_error *err);

/** Closes the buses and frees everything. The simbus segments stay (a
 *  controller may still be joined); dx_simhand_unlink_buses() removes
 *  them. NULL is ignored. */
DX_API void dx_simhand_free(struct dx_simhand *s);

/** Removes the shared segments of every simbus bus of @p cfg (cleanup
 *  after a run or an interrupted one). @return the number removed. */
DX_API int dx_simhand_unlink_buses(const struct dx_hand_config *cfg);

/** The world, for queries beyond the ones here (serving thread only). */
DX_API struct dx_simworld *dx_simhand_world(struct dx_simhand *s);

/** Current bus time, ns (virtual clock or CLOCK_MONOTONIC). */
DX_API int64_t dx_simhand_now(const struct dx_simhand *s);

/** Deterministic mode: moves every bus clock to @p t_ns (never back).
 *  @return 0, DX_EINVAL or DX_ESTATE (live mode). */
DX_API int dx_simhand_set_time(struct dx_simhand *s, int64_t t_ns);

/** One service iteration at bus time @p t_ns (deterministic mode: the
 *  caller's time, normally the buses' clock; live mode: ignored, the bus
 *  time is used): applies posted scene requests, advances the physics to
 *  that time (the drives step with each physics step), updates the pads
 *  from the contacts, answers every frame received on every bus (at most
 *  16 batches of 64 per bus) and publishes the object states. Serving
 *  thread. No allocation, except in MuJoCo's recomputation of model
 *  constants when a posted mass change is applied.
 *  @return frames received, or a negative code (DX_ESTATE when the
 *  physics failed and the world had to be reset; transport errors). */
DX_API int dx_simhand_poll(struct dx_simhand *s, int64_t t_ns);

/** Live mode: polls every service period on absolute deadlines until
 *  dx_simhand_stop(). @return 0 or the first hard error. */
DX_API int dx_simhand_run(struct dx_simhand *s);

/** Makes dx_simhand_run() return (async-signal-safe, any thread). */
DX_API void dx_simhand_stop(struct dx_simhand *s);

/* ------------------------------------------------------------------------ */
/** @name Scene: objects, lift and reach
 *  @{ */

#define DX_SIMHAND_MAX_OBJECTS 8

/** State of a free object, as published after the last poll. */
struct dx_simhand_object {
	const char *name;
	double pos[3];         /**< world frame, m */
	double quat[4];        /**< x, y, z, w */
	double speed;          /**< |linear velocity|, m/s */
	double mass;           /**< kg */
	double rise;           /**< height above its resting height, m */
	unsigned hand_contacts;/**< contacts with the hand's bodies */
	unsigned pad_contacts; /**< of which on tactile pads */
	bool on_support;       /**< touching the world body (table) */
	bool lifted;           /**< off the support, >= 20 mm up, in the hand */
	bool slipping;         /**< sliding against a pad */
	double hand_force;     /**< |sum of the hand's contact forces|, N */
};

/** Number of free objects (bodies with a free joint) in the scene. */
DX_API unsigned dx_simhand_nobjects(const struct dx_simhand *s);
/** Index of the object named @p name, or DX_ENOENT / DX_EINVAL. */
DX_API int dx_simhand_object_index(const struct dx_simhand *s,
				   const char *name);
/** Latest published state of object @p i (any one reader thread).
 *  @return 0 or DX_EINVAL. */
DX_API int dx_simhand_object_state(const struct dx_simhand *s, unsigned i,
				   struct dx_simhand_object *out);

/** Posts a mass change of object @p i to @p kg (applied at the next poll;
 *  the world keeps its state). @return 0, DX_EINVAL (bad index, mass not
 *  in (0, 1000] kg). */
DX_API int dx_simhand_set_mass(struct dx_simhand *s, unsigned i, double kg);

/** Posts a target for the gantry's "lift" position servo, m (applied at
 *  the next poll). @return 0, DX_ENOENT (the scene has no lift servo),
 *  DX_ERANGE (outside its control range), DX_ENOTFINITE. */
DX_API int dx_simhand_set_lift(struct dx_simhand *s, double z);

/** Posts targets for the "reach_x" and "reach_y" servos, m.
 *  @return as dx_simhand_set_lift(). */
DX_API int dx_simhand_set_reach(struct dx_simhand *s, double x, double y);

/** Counters. */
struct dx_simhand_stats {
	uint64_t polls;
	uint64_t frames_in, frames_out, send_errors;
	uint64_t physics_steps;
	uint64_t late_polls;    /**< live: polls that started a period late */
	int64_t max_lag_ns;     /**< live: worst physics lag behind bus time */
	uint64_t lag_skips;     /**< live: times the physics gave up catching up */
	uint64_t torque_clamps; /**< motor torques clamped to the joint range */
};

/** Reads the counters (serving thread, or after it stopped). */
DX_API void dx_simhand_get_stats(const struct dx_simhand *s,
				 struct dx_simhand_stats *st);
/** @} */

DX_END_DECLS

#endif
