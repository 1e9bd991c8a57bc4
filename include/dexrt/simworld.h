/* SPDX-License-Identifier: MIT */
/** @file simworld.h
 *  @brief The MuJoCo world of libdexrt-sim: a hand model (MJCF), objects to
 *  grasp, joint torques from the virtual drives' motor models, tactile pads
 *  made of MuJoCo touch sensors, and the queries a demo needs to tell
 *  whether an object was lifted, held and released.
 *
 *  Built only when MuJoCo (Debian's libmujoco-dev, C API) is available.
 *
 *  Time: the world never reads a clock. It holds a step counter; its time is
 *  steps x timestep, in int64 nanoseconds, and dx_simworld_advance() steps
 *  up to a time the caller gives (a simulated bus clock in deterministic
 *  mode, the wall clock in live mode). The timestep is a whole number of
 *  nanoseconds, so world time is exact and two worlds given the same inputs
 *  produce bit-identical states (MuJoCo runs single-threaded here).
 *
 *  Indices: joints are the hinge and slide joints of the model, numbered
 *  0..n-1 in model order (free joints belong to objects and are reached
 *  through the body functions). Bodies, actuators and pads have their own
 *  index spaces; all are found by name at set-up.
 *
 *  Units: m, rad, s, kg, N, N m. Quaternions are x, y, z, w (the order of
 *  kin.h and cglm; MuJoCo's own w, x, y, z is converted here). World frame
 *  is MuJoCo's: z up, gravity along -z by default.
 *
 *  Tactile pads: every MuJoCo touch sensor named "<pad>_<row>_<col>" (row
 *  and column decimal, from 0) becomes taxel (row, col) of the pad named
 *  <pad>; all taxels of a pad must sit on sites of the same body and the
 *  grid must be complete; taxel sites are boxes, spheres, capsules,
 *  cylinders or ellipsoids. A taxel reads the sum of the normal forces of
 *  the contacts on the pad's body whose points lie inside its site's
 *  volume, each contact counted once (in the first taxel, row-major, that
 *  holds it), so the taxels of a pad add up to the normal force they
 *  carry. (MuJoCo's own touch sensor value is not used: in MuJoCo 2.2 it
 *  takes every contact whose normal ray crosses the site, which counts
 *  one contact in two neighbouring taxels.) Besides the grid, the contacts
 *  on a pad's body can be read as point forces in the body frame, which is
 *  what a dx_simpad takes (see simpad.h).
 *
 *  Threads: a world is used by one thread at a time. Loading is not
 *  real-time safe; stepping and the queries do not allocate, do not log
 *  and have bounded loops.
 *
 *  MuJoCo's process-wide error and warning handlers (mju_user_error,
 *  mju_user_warning) are installed by the first load when they are unset:
 *  warnings go to dx_log() (never from inside a step), and an internal
 *  MuJoCo error during a call of this module makes the call return
 *  DX_ESTATE (see dx_simworld_advance()) instead of ending the process
 *  (outside this module's calls a MuJoCo error is logged and aborts, where
 *  MuJoCo's default prints and exits). Loads on several threads are
 *  serialised.
 */
#ifndef DEXRT_SIMWORLD_H
#define DEXRT_SIMWORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/** A loaded world (opaque): MuJoCo model and data plus the index tables. */
struct dx_simworld;

/** Where a load failed. */
struct dx_simworld_error {
	int code;       /**< the returned DX_E... code */
	char msg[512];  /**< human-readable reason (MuJoCo's message when the
			     model did not compile) */
};

/** World settings; dx_simworld_config_default() fills them. */
struct dx_simworld_config {
	/** Physics step in ns; 0 keeps the model's <option timestep> rounded
	 *  to whole ns. Accepted: 10 us to 2 ms (500 Hz and faster). */
	int64_t timestep_ns;
	/** Most physics steps one dx_simworld_advance() call may take
	 *  (default 20000, i.e. 10 s at 2 kHz): bounds the call's duration. */
	unsigned max_steps;
};

/** Fills @p cfg with the defaults: the model's timestep, 20000 steps. */
DX_API void dx_simworld_config_default(struct dx_simworld_config *cfg);

/** Loads and compiles an MJCF file with MuJoCo, allocates the simulation
 *  state and builds the joint, actuator and pad tables. The state starts at
 *  the keyframe named "home" when the model has one, otherwise at the
 *  model's reference configuration; time 0.
 *  @param cfg NULL for the defaults.
 *  @param err may be NULL; on failure receives the code and a message.
 *  @return 0; DX_ENOENT (file missing or unreadable); DX_EPARSE (MuJoCo
 *  rejected the model: XML syntax, unknown element, bad attribute - the
 *  message is MuJoCo's); DX_ECONFIG (a pad grid with a missing taxel or
 *  taxels on several bodies, timestep not a usable value); DX_EINVAL (NULL
 *  arguments, bad config); DX_ENOMEM. Not real-time safe. */
DX_API int dx_simworld_load_file(const char *path,
				 const struct dx_simworld_config *cfg,
				 struct dx_simworld **out,
				 struct dx_simworld_error *err);

/** Same as dx_simworld_load_file() from @p len bytes of MJCF text. Files the
 *  text includes or names (meshes) are not reachable; self-contained
 *  models only. */
DX_API int dx_simworld_load_string(const char *xml, size_t len,
				   const struct dx_simworld_config *cfg,
				   struct dx_simworld **out,
				   struct dx_simworld_error *err);

/** Frees a world (NULL accepted). */
DX_API void dx_simworld_free(struct dx_simworld *w);

/** Returns the world to its initial state (see load), time 0, every joint
 *  torque and control 0. The hook stays installed. Not real-time safe
 *  (runs MuJoCo's forward pass once). @return 0 or DX_EINVAL. */
DX_API int dx_simworld_reset(struct dx_simworld *w);

/** Physics step, ns. */
DX_API int64_t dx_simworld_timestep_ns(const struct dx_simworld *w);
/** World time, ns (steps taken since load or reset x timestep). */
DX_API int64_t dx_simworld_time_ns(const struct dx_simworld *w);

/** Sets gravity, m/s^2, world frame (default from the model, usually
 *  0 0 -9.81). @return 0, DX_EINVAL or DX_ENOTFINITE. */
DX_API int dx_simworld_set_gravity(struct dx_simworld *w, const double g[3]);

/* ------------------------------------------------------------------------ */
/** @name Stepping
 *  @{ */

/** Called before every physics step with the state at time @p t_ns (the
 *  joint positions and velocities the step starts from). The place where
 *  motor models turn their commands into joint torques: the hook may call
 *  dx_simworld_get_joint(), dx_simworld_set_torque() and
 *  dx_simworld_set_ctrl(); it must not load, free, reset or advance the
 *  world. Runs on the thread that calls dx_simworld_advance(). */
typedef void (*dx_simworld_hook_fn)(struct dx_simworld *w, int64_t t_ns,
				    double dt_s, void *userdata);

/** Installs the step hook (NULL removes it). */
DX_API void dx_simworld_set_hook(struct dx_simworld *w, dx_simworld_hook_fn fn,
				 void *userdata);

/** Advances the world to time @p t_ns: takes every whole physics step that
 *  ends at or before @p t_ns (none when t_ns is less than a step ahead), the
 *  hook before each. Torques and controls hold their last value between
 *  calls (zero-order hold). On return every query reflects the new state.
 *  @param steps may be NULL; receives the number of steps taken.
 *  @return 0; DX_EINVAL (t_ns earlier than the world time, NULL world);
 *  DX_ERANGE (more than cfg.max_steps steps needed: nothing is done);
 *  DX_ENOTFINITE (the simulation diverged - a NaN or huge value in the
 *  state - and MuJoCo reset it to the initial state; time keeps running);
 *  DX_ESTATE (an internal MuJoCo error occurred in this or an earlier call:
 *  the world must be reset). Real-time safe: no allocation (MuJoCo works in
 *  its preallocated arena), no I/O, at most max_steps steps. */
DX_API int dx_simworld_advance(struct dx_simworld *w, int64_t t_ns,
			       unsigned *steps);

/** Takes exactly @p n physics steps (n <= cfg.max_steps), as
 *  dx_simworld_advance() does. @return as dx_simworld_advance(). */
DX_API int dx_simworld_step(struct dx_simworld *w, unsigned n);

/** Recomputes every derived quantity (poses, contacts, sensors) from the
 *  current state without stepping, e.g. after setting joint positions.
 *  @return 0, DX_EINVAL or DX_ESTATE. */
DX_API int dx_simworld_forward(struct dx_simworld *w);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Joints
 *  Hinge (rad) and slide (m) joints.
 *  @{ */

/** Read-only description of a joint. */
struct dx_simworld_joint_info {
	const char *name;   /**< points into the model */
	bool slide;         /**< true: prismatic (m, N), false: hinge (rad, N m) */
	bool limited;       /**< false: no position limits */
	double lower, upper; /**< position limits (rad or m) when limited */
	/** Torque (force) limit from the joint's motor actuator, N m or N;
	 *  0 when the joint has none (then torques are not limited). */
	double effort;
	int body;           /**< body index the joint moves */
};

/** Number of hinge and slide joints. */
DX_API unsigned dx_simworld_njoints(const struct dx_simworld *w);
/** Index of the joint named @p name: 0..n-1, DX_ENOENT when there is no
 *  such joint, DX_EINVAL when it is not a hinge or slide joint (or NULL). */
DX_API int dx_simworld_joint_index(const struct dx_simworld *w,
				   const char *name);
/** Description of joint @p j. @return 0 or DX_EINVAL. */
DX_API int dx_simworld_joint_info(const struct dx_simworld *w, unsigned j,
				  struct dx_simworld_joint_info *out);

/** Position and velocity of joint @p j (either pointer may be NULL).
 *  @return 0 or DX_EINVAL. Real-time safe. */
DX_API int dx_simworld_get_joint(const struct dx_simworld *w, unsigned j,
				 double *q, double *qd);

/** Sets the torque (force, for a slide joint) applied at joint @p j from the
 *  next step on, held until changed. A joint with a motor actuator (a
 *  <motor> on the joint, gear 1) drives that actuator, and a value outside
 *  its control range is refused; other joints take it as an applied
 *  generalised force. @return 0, DX_EINVAL, DX_ENOTFINITE or DX_ERANGE
 *  (beyond the motor's range: nothing changes). Real-time safe. */
DX_API int dx_simworld_set_torque(struct dx_simworld *w, unsigned j,
				  double tau);

/** Torque last set at joint @p j. @return 0 or DX_EINVAL. */
DX_API int dx_simworld_get_torque(const struct dx_simworld *w, unsigned j,
				  double *tau);

/** Sets the drive-side passive terms of joint @p j: @p armature (kg m^2 or
 *  kg, the reflected rotor inertia added to the joint's diagonal inertia),
 *  @p damping (viscous, N m s/rad) and @p friction (Coulomb friction loss,
 *  N m). For a virtual motor whose built-in dynamics MuJoCo replaces (see
 *  dx_simworld_motor_dynamics()), from its struct dx_vmotor_params and a
 *  link scale s: armature = rotor_inertia gear_ratio^2 / s^2, damping =
 *  viscous / s^2, friction = coulomb / |s|. MuJoCo's friction loss is a
 *  soft constraint: under a torque below @p friction the joint creeps
 *  slowly instead of sticking. Recomputes MuJoCo's derived
 *  constants; the state is kept. @return 0, DX_EINVAL (negative values),
 *  DX_ENOTFINITE, DX_ESTATE. Not real-time safe (set-up). */
DX_API int dx_simworld_joint_set_drive(struct dx_simworld *w, unsigned j,
				       double armature, double damping,
				       double friction);

/** Sets joint @p j's position and velocity (placing the hand, tests). The
 *  derived quantities are stale until dx_simworld_forward() or the next
 *  step. @return 0, DX_EINVAL or DX_ENOTFINITE. Real-time safe. */
DX_API int dx_simworld_set_joint(struct dx_simworld *w, unsigned j, double q,
				 double qd);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Virtual motors on world joints
 *  A virtual drive's motor (struct dx_vmotor of sim.h) can hand its
 *  mechanics to the world: install dx_simworld_motor_dynamics() with a
 *  struct dx_simworld_motor_link as the motor's replacement dynamics
 *  (dx_vmotor_set_dynamics(&motor, dx_simworld_motor_dynamics, &link)).
 *  Each time the motor steps, its torque (after its torque limit) becomes
 *  the joint's torque and the motor reads back the joint's position and
 *  velocity. The world itself moves only in dx_simworld_advance(): a
 *  simulated hand steps its drives (which set the torques) and then
 *  advances the world to the same bus time, or steps the drives from the
 *  world's step hook. Either way all joints move together, deterministically.
 *  The rotor inertia and friction of the motor model then belong in the
 *  world: dx_simworld_joint_set_drive().
 *  @{ */

/** Binding of one motor output shaft to one world joint:
 *  q_joint = scale * pos_motor + offset, tau_joint = tau_motor / scale. */
struct dx_simworld_motor_link {
	struct dx_simworld *w;
	unsigned joint;
	double scale;   /**< joint units per motor output unit (sign: direction) */
	double offset;  /**< joint position at motor position 0 */
	/** Motor torques beyond the joint's own motor range are clamped to it
	 *  (counted here); the drive's own limit applies first. */
	uint64_t clamped;
};

/** Fills a link. @return 0, DX_EINVAL (bad joint, scale 0, NULL) or
 *  DX_ENOTFINITE. */
DX_API int dx_simworld_motor_link_init(struct dx_simworld_motor_link *l,
				       struct dx_simworld *w, unsigned joint,
				       double scale, double offset);

/** Replacement dynamics for a virtual motor, with the signature of sim.h's
 *  dx_vmotor_dynamics_fn: @p user is a struct dx_simworld_motor_link.
 *  Applies @p tau (N m at the motor output) to the joint and writes the
 *  joint's current state back to @p pos and @p vel in motor units; @p dt is
 *  not integrated here (the world steps in dx_simworld_advance()).
 *  Real-time safe. */
DX_API void dx_simworld_motor_dynamics(void *user, double tau, double dt,
				       double *pos, double *vel);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Actuators
 *  Any MuJoCo actuator by name, e.g. the position servo of the slide joint
 *  that lifts the hand.
 *  @{ */

/** Index of the actuator named @p name, or DX_ENOENT (DX_EINVAL for NULL). */
DX_API int dx_simworld_actuator_index(const struct dx_simworld *w,
				      const char *name);
/** Sets actuator @p a's control (for a position servo: the target, m or
 *  rad), held until changed. @return 0, DX_EINVAL, DX_ENOTFINITE, or
 *  DX_ERANGE when the actuator has a control range and @p value lies
 *  outside it (nothing changes). Real-time safe. */
DX_API int dx_simworld_set_ctrl(struct dx_simworld *w, unsigned a,
				double value);
/** Control range of actuator @p a (-inf, +inf when unlimited).
 *  @return 0 or DX_EINVAL. */
DX_API int dx_simworld_ctrl_range(const struct dx_simworld *w, unsigned a,
				  double *lower, double *upper);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Bodies and objects
 *  @{ */

/** A pose in the world frame. */
struct dx_simworld_pose {
	double p[3];     /**< m */
	double quat[4];  /**< x, y, z, w */
};

/** Index of the body named @p name (0 is the world body), DX_ENOENT, or
 *  DX_EINVAL for NULL. */
DX_API int dx_simworld_body_index(const struct dx_simworld *w,
				  const char *name);

/** Pose of body @p b's frame in the world. @return 0 or DX_EINVAL.
 *  Real-time safe. */
DX_API int dx_simworld_body_pose(const struct dx_simworld *w, unsigned b,
				 struct dx_simworld_pose *out);

/** Index of the site named @p name (fingertip sites "<finger>_tip" of the
 *  shipped hands), DX_ENOENT, or DX_EINVAL for NULL. */
DX_API int dx_simworld_site_index(const struct dx_simworld *w,
				  const char *name);

/** Pose of site @p s in the world. @return 0 or DX_EINVAL. Real-time safe. */
DX_API int dx_simworld_site_pose(const struct dx_simworld *w, unsigned s,
				 struct dx_simworld_pose *out);

/** Velocity of body @p b's frame origin, world frame: @p lin m/s and
 *  @p ang rad/s (either may be NULL). @return 0 or DX_EINVAL. */
DX_API int dx_simworld_body_velocity(const struct dx_simworld *w, unsigned b,
				     double lin[3], double ang[3]);

/** Places a free body (an object with a <freejoint>) at @p pose with zero
 *  velocity and recomputes the derived quantities. @return 0, DX_EINVAL
 *  (not a free body, zero quaternion), DX_ENOTFINITE or DX_ESTATE. Not
 *  real-time safe (one forward pass). */
DX_API int dx_simworld_body_set_pose(struct dx_simworld *w, unsigned b,
				     const struct dx_simworld_pose *pose);

/** Mass of body @p b, kg. @return 0 or DX_EINVAL. */
DX_API int dx_simworld_body_mass(const struct dx_simworld *w, unsigned b,
				 double *mass);

/** Changes body @p b's mass at run time (the "make it heavier mid-grasp"
 *  scenario). The rotational inertia is scaled by the same ratio (uniform
 *  density change, same shape and centre of mass) and MuJoCo's derived
 *  constants are recomputed (mj_setConst); the state (positions,
 *  velocities) is kept. @p mass in (0, 1000] kg.
 *  @return 0, DX_EINVAL (world body, out of range, NULL), DX_ENOTFINITE,
 *  DX_ESTATE. Not real-time safe (recomputes model constants). */
DX_API int dx_simworld_body_set_mass(struct dx_simworld *w, unsigned b,
				     double mass);

/** Sum of the contact forces that act on body @p b, world frame, N. With
 *  @p other >= 0 only contacts between @p b and body @p other count
 *  (contacts of the world body's geoms - table, floor - have other 0).
 *  @p ncontacts (may be NULL) receives how many contacts were summed.
 *  Forces are those of the last step. @return 0 or DX_EINVAL.
 *  Real-time safe. */
DX_API int dx_simworld_contact_force(const struct dx_simworld *w, unsigned b,
				     int other, double f[3],
				     unsigned *ncontacts);

/** True when body @p b and body @p other (-1: any other body) have at
 *  least one active contact. */
DX_API bool dx_simworld_in_contact(const struct dx_simworld *w, unsigned b,
				   int other);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Tactile pads
 *  @{ */

/** Read-only description of a pad. */
struct dx_simworld_pad_info {
	const char *name;   /**< the sensors' common prefix */
	int body;           /**< body the taxel sites are fixed to */
	unsigned rows, cols; /**< taxel k = row * cols + col */
};

/** One contact on a pad's body, in the body frame. */
struct dx_simworld_contact {
	double pos[3];     /**< contact point, m */
	double normal[3];  /**< unit normal pointing out of the pad body */
	/** Force the pad exerts on the other body, N: a press points along
	 *  @p normal (the convention of struct dx_simpad_contact). */
	double force[3];
	double fn;         /**< normal component, N (>= 0) */
	int other;         /**< other body */
};

/** Number of pads. */
DX_API unsigned dx_simworld_npads(const struct dx_simworld *w);
/** Index of the pad named @p name, or DX_ENOENT (DX_EINVAL for NULL). */
DX_API int dx_simworld_pad_index(const struct dx_simworld *w,
				 const char *name);
/** Description of pad @p p. @return 0 or DX_EINVAL. */
DX_API int dx_simworld_pad_info(const struct dx_simworld *w, unsigned p,
				struct dx_simworld_pad_info *out);
/** Centre of taxel @p k of pad @p p and the outward normal of its site (its
 *  z axis), in the pad body's frame (either may be NULL). @return 0 or
 *  DX_EINVAL. */
DX_API int dx_simworld_pad_taxel(const struct dx_simworld *w, unsigned p,
				 unsigned k, double pos[3], double normal[3]);

/** Normal force on each taxel of pad @p p, N, row-major, as of the last
 *  step. @p n must be at least rows x cols. @return the number of taxels
 *  written, or DX_EINVAL / DX_ENOSPC. Real-time safe. */
DX_API int dx_simworld_pad_read(const struct dx_simworld *w, unsigned p,
				double *force, size_t n);

/** Contacts on pad @p p's body as of the last step, body frame, at most
 *  @p max (the first ones MuJoCo lists). @return the number written, or
 *  DX_EINVAL. Real-time safe. */
DX_API int dx_simworld_pad_contacts(const struct dx_simworld *w, unsigned p,
				    struct dx_simworld_contact *out,
				    size_t max);
/** @} */

DX_END_DECLS

#endif
