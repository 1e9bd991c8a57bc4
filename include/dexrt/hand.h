/* SPDX-License-Identifier: MIT */
/** @file hand.h
 *  @brief The hand: one configuration file (hand.yaml + URDF) describing
 *  buses, actuators, transmissions, joint control, tactile pads and safety.
 *
 *  Configuration is loaded and validated once, outside the real-time
 *  thread. Every error names the file, the line and the field, and says what
 *  was expected, e.g.
 *  `hand.yaml:14: actuators[2].id: expected an integer in [1, 2047], got 4000`.
 */
#ifndef DEXRT_HAND_H
#define DEXRT_HAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/** Longest configuration error message, including the NUL. */
#define DX_HAND_ERRMSG_MAX 512

/** Where a configuration error was found. */
struct dx_hand_config_error {
	int code;                      /**< DX_EPARSE, DX_ECONFIG, DX_ENOENT... */
	int line;                      /**< 1-based line, 0 if unknown */
	char field[128];               /**< path, e.g. "actuators[2].id" */
	char msg[DX_HAND_ERRMSG_MAX];  /**< full text "file:line: field: what" */
};

/** How a joint is commanded. */
enum dx_joint_mode {
	DX_JOINT_POSITION = 0, /**< position PID producing torque */
	DX_JOINT_IMPEDANCE,    /**< MIT-style kp/kd pass-through to the drive */
	DX_JOINT_VELOCITY,     /**< velocity PID producing torque */
	DX_JOINT_OFF,          /**< zero torque */
};

/** One CAN bus. */
struct dx_hand_bus_config {
	char *name;          /**< name used by actuators and pads */
	char *transport;     /**< "socketcan:can0", "simbus:hand0" */
	uint32_t bitrate;    /**< nominal bit/s (default 1000000) */
	uint32_t data_bitrate; /**< FD data bit/s (0: same as bitrate) */
	bool fd;             /**< CAN FD */
	double max_load;     /**< highest planned bus load in (0, 1] (default 0.8) */
};

/** Per-actuator limits in joint units (rad, rad/s, N·m) and °C. */
struct dx_hand_limits {
	double position[2];  /**< [lower, upper] */
	double velocity;     /**< |q̇| max, > 0 */
	double torque;       /**< |τ| max, > 0 */
	double temperature;  /**< °C max (default 80) */
};

/** One motor drive. */
struct dx_hand_actuator_config {
	char *name;
	char *bus;           /**< a bus name */
	char *protocol;      /**< "mit", "robstride", "odrive", "cia402" */
	char *model;         /**< model row of the protocol, e.g. "dm-j4310" */
	uint32_t id;         /**< node id on the bus */
	char *joint;         /**< joint it drives 1:1 (NULL when in a coupling) */
	double gear_ratio;   /**< actuator turns per joint turn (default 1) */
	int32_t direction;   /**< +1 or -1 (default +1) */
	double zero_offset;  /**< actuator position at joint zero, rad */
	struct dx_hand_limits limits;
};

/** Coupling of actuators and joints: actuator positions = matrix · joint
 *  positions (row-major, rows = actuators, columns = joints), before gear
 *  ratio, direction and offset of each actuator. */
struct dx_hand_coupling_config {
	char **actuators;
	unsigned actuators_count;
	char **joints;
	unsigned joints_count;
	double *matrix;
	unsigned matrix_count; /**< must be actuators_count * joints_count */
};

/** PID gains and shaping of one joint (see ctl.h for their meaning). */
struct dx_hand_gains {
	double kp, ki, kd;
	double d_filter_tau;   /**< derivative filter time constant, s */
	double i_limit;        /**< |integral term| max, N·m */
	double out_limit;      /**< |output| max, N·m (0: the actuator's torque limit) */
	double rate_limit;     /**< output slew, N·m/s (0: none) */
	double deadband;       /**< error deadband, rad */
	double ff_velocity;    /**< velocity feed-forward gain */
	double imp_kp, imp_kd; /**< impedance gains sent to MIT drives */
};

/** One joint's control settings. */
struct dx_hand_joint_config {
	char *name;            /**< URDF joint name */
	char *mode;            /**< "position", "impedance", "velocity", "off" */
	enum dx_joint_mode mode_id; /**< parsed from mode */
	struct dx_hand_gains gains;
	double home;           /**< home (open) position, rad (default 0) */
	double close;          /**< fully closed position used by grasps, rad
				    (default: home) */
};

/** One taxel given explicitly (link frame, metres). */
struct dx_hand_taxel_config {
	double pos[3];
	double normal[3];
};

/** A tactile pad. Taxels either as a grid (rows × cols at pitch, in the
 *  plane through origin with the given normal, x along columns) or as a
 *  list. */
struct dx_hand_pad_config {
	char *name;
	char *bus;
	char *protocol;        /**< "dexrt" or "uskin" */
	uint32_t board;        /**< board id */
	char *link;            /**< URDF link the pad sits on */
	uint32_t axes;         /**< 1 (pressure) or 3 (force) */
	uint32_t rows, cols;   /**< grid size (0 when a list is given) */
	double pitch;          /**< grid pitch, m */
	double origin[3];      /**< grid centre in the link frame, m */
	double normal[3];      /**< grid normal in the link frame (default +z) */
	struct dx_hand_taxel_config *taxels;
	unsigned taxels_count;
	double gain;           /**< counts → N (default 1) */
	double threshold;      /**< contact threshold, N (default 0.2) */
	char *finger;          /**< tip link of the finger the pad belongs to */
};

/** Supervisor limits. */
struct dx_hand_safety_config {
	double position_margin;   /**< rad inside the limits where clamping starts */
	double velocity_margin;   /**< fraction of the velocity limit (default 1.0) */
	double temperature_warn;  /**< °C: hold (default limit - 10) */
	uint32_t link_loss_cycles;/**< misses before a link is lost (default 3) */
	double damping_kd;        /**< damping stop gain, N·m·s/rad (default 0.05) */
	/** Leaky error counter of each drive link: a miss adds 8, an answer
	 *  takes 1 away; the link is lost at this value (default 32 ×
	 *  link_loss_cycles: a miss ratio above 1/9 sustained, never before
	 *  the consecutive-miss rule for an outage). See drive.h. */
	uint32_t link_error_limit;
	/** Link integrity: a drive whose replies showed an integrity event
	 *  (a second device answering on its ID, a frame naming another
	 *  device, late, stale or early replies) in integrity_cycles of the
	 *  last integrity_window cycles takes its finger to a damping stop
	 *  (defaults 8 of 32; window at most 64). */
	uint32_t integrity_window;
	uint32_t integrity_cycles;
};

/** Decimations of the bridge's outgoing topics: a topic is published every
 *  Nth control cycle; 0 turns it off. */
struct dx_hand_bridge_publish {
	uint32_t joint_states; /**< default: the nearest to 100 Hz */
	uint32_t wrenches;     /**< one topic per fingertip (default: as
				    joint_states) */
	uint32_t diagnostics;  /**< the bridge's own status; faults go out as
				    they happen; 0 turns rt/diagnostics off
				    (default: 1 Hz) */
};

/** Command topics the bridge accepts (each default on). */
struct dx_hand_bridge_subscribe {
	bool joint_command, grasp_command, joint_trajectory;
};

/** Settings of the DDS bridge (libdexrt-bridge, see bridge.h and
 *  docs/bridge.md): the optional `bridge:` section. Plain data: the hand
 *  library only checks it and fills the defaults. */
struct dx_hand_bridge_config {
	bool present;            /**< the section was given */
	uint32_t domain;         /**< DDS domain id in [0, 232]; UINT32_MAX
				      (default): Cyclone's (CYCLONEDDS_URI's,
				      else 0) */
	char *ns;                /**< `namespace`: letters, digits, '_' and
				      inner '/' (default: the hand's name;
				      "": none) */
	char *frame_id;          /**< header.frame_id of joint states
				      (default: "") */
	struct dx_hand_bridge_publish publish;
	struct dx_hand_bridge_subscribe subscribe;
	double max_grip_force;   /**< N, in (0, 1000] (default 20) */
};

/** The whole configuration. All strings and arrays are owned by it. */
struct dx_hand_config {
	char *name;
	char *urdf;                /**< resolved path of the URDF */
	uint32_t period_us;        /**< control period */
	uint32_t reply_deadline_us;/**< reply collection deadline within the period */
	struct dx_hand_bus_config *buses;
	unsigned buses_count;
	struct dx_hand_actuator_config *actuators;
	unsigned actuators_count;
	struct dx_hand_coupling_config *couplings;
	unsigned couplings_count;
	struct dx_hand_joint_config *joints;
	unsigned joints_count;
	struct dx_hand_pad_config *pads;
	unsigned pads_count;
	struct dx_hand_safety_config safety;
	/** gravity in the hand (URDF root) frame, m/s²; all zero (default)
	 *  turns gravity compensation off (a hand on an arm must update it,
	 *  see dx_hand_set_gravity()) */
	double gravity[3];
	struct dx_hand_bridge_config bridge; /**< DDS bridge settings */
	char *source;              /**< path of the YAML file loaded */
	void *priv;                /**< private: source line index */
};

/** Loads and validates @p path. On success *out owns everything; free it
 *  with dx_hand_config_free(). On failure *out is NULL, @p err (may be NULL)
 *  says where and why, and the message also goes to the log.
 *  Checks here are those that need only the file: names, ranges, shapes,
 *  references between sections, the URDF file's existence. Checks against
 *  the URDF, the drive model tables and the bus budget happen in hand init.
 *  @return 0, DX_ENOENT, DX_EPARSE, DX_ECONFIG or DX_ENOMEM. Not real-time. */
DX_API int dx_hand_config_load(const char *path, struct dx_hand_config **out,
			       struct dx_hand_config_error *err);

/** Same from a string; @p name is used in messages, @p base_dir resolves the
 *  URDF path (NULL: current directory). */
DX_API int dx_hand_config_load_string(const char *yaml, size_t len,
				      const char *name, const char *base_dir,
				      struct dx_hand_config **out,
				      struct dx_hand_config_error *err);

/** Frees a configuration. NULL is ignored. */
DX_API void dx_hand_config_free(struct dx_hand_config *cfg);

/** Index of a bus / actuator / joint / pad by name, or -1. */
DX_API int dx_hand_config_find_bus(const struct dx_hand_config *cfg,
				   const char *name);
DX_API int dx_hand_config_find_actuator(const struct dx_hand_config *cfg,
					const char *name);
DX_API int dx_hand_config_find_joint(const struct dx_hand_config *cfg,
				     const char *name);

/* ------------------------------------------------------------------------ */
/** @name The hand runtime
 *  One real-time thread calls dx_hand_read(), dx_hand_update() and
 *  dx_hand_write() (or dx_hand_cycle()) once per period. Any one other
 *  thread sends targets with dx_hand_send(); any one other thread (may be
 *  the same) drains telemetry and fault records. Everything is allocated in
 *  dx_hand_init(); the cycle functions never allocate, lock or log.
 *  @{ */
struct dx_hand; /**< opaque */

#define DX_HAND_MAX_JOINTS 32
#define DX_HAND_MAX_TIPS 6

/** Options for dx_hand_init(). Zero-initialise. */
struct dx_hand_opts {
	bool no_transport;   /**< do not open buses (checks and offline use) */
	unsigned ring_depth; /**< targets/telemetry/fault ring depth (0: 64) */
};

/** Supervisor reaction of a joint, in increasing severity. */
enum dx_hand_reaction {
	DX_REACT_NONE = 0,
	DX_REACT_CLAMP,   /**< command clamped to limits */
	DX_REACT_HOLD,    /**< target frozen at the current position */
	DX_REACT_DAMP,    /**< damping stop: zero torque plus damping */
	DX_REACT_DISABLE, /**< drive disabled */
};

/** Cause of a supervisor reaction. */
enum dx_hand_cause {
	DX_CAUSE_NONE = 0,
	DX_CAUSE_POSITION,    /**< joint beyond its limits */
	DX_CAUSE_VELOCITY,    /**< joint faster than its limit */
	DX_CAUSE_TORQUE,      /**< command beyond the torque limit */
	DX_CAUSE_TEMPERATURE, /**< over temperature */
	DX_CAUSE_LINK_LOST,   /**< drive stopped answering */
	DX_CAUSE_DRIVE_FAULT, /**< drive reports a fault */
	DX_CAUSE_BUS_OFF,     /**< its bus went bus-off */
	DX_CAUSE_NAN,         /**< non-finite value anywhere in its path */
	DX_CAUSE_COMMAND,     /**< requested by a command */
	DX_CAUSE_LINK_INTEGRITY, /**< replies that cannot be the drive's
				      answers (safety.integrity_cycles) */
};

/** State of one joint. */
struct dx_hand_joint_state {
	double q, qd, tau;        /**< rad, rad/s, N·m (measured) */
	double q_ref, qd_ref;     /**< reference after trajectory */
	double tau_cmd;           /**< commanded joint torque */
	double temp_c;            /**< hottest actuator of the joint, °C */
	enum dx_hand_reaction reaction;
	enum dx_hand_cause cause;
	bool valid;               /**< feedback received since start */
};

/** What a target message asks for. */
enum dx_hand_target_kind {
	/** joint positions (q, mask), clamped to the limits; each joint
	 *  whose target changed gets a jerk-limited trajectory from its
	 *  current reference, at most 8 joints per cycle (the others in the
	 *  next cycles, keeping their reference meanwhile); an unchanged
	 *  target costs nothing, and of several queued targets the latest
	 *  wins */
	DX_TARGET_JOINTS = 1,
	DX_TARGET_TIPS,         /**< fingertip positions in the hand frame */
	DX_TARGET_GRASP,        /**< a grasp primitive */
	DX_TARGET_HOME,         /**< go to the home posture */
	DX_TARGET_RECOVER,      /**< clear reactions after a fault */
	DX_TARGET_DISABLE,      /**< disable all drives */
};

/** Grasp primitives. */
enum dx_grasp {
	DX_GRASP_RELEASE = 0,
	DX_GRASP_POWER,       /**< all fingers */
	DX_GRASP_PINCH,       /**< thumb and index */
	DX_GRASP_TRIPOD,      /**< thumb, index and middle */
};

/** One target message (copied through the targets ring). */
struct dx_hand_target {
	enum dx_hand_target_kind kind;
	uint32_t mask;                    /**< joints (bit i = joint i) or tips */
	double q[DX_HAND_MAX_JOINTS];     /**< DX_TARGET_JOINTS, rad */
	double tip[DX_HAND_MAX_TIPS][3];  /**< DX_TARGET_TIPS, m, hand frame */
	enum dx_grasp grasp;              /**< DX_TARGET_GRASP */
	double force;                     /**< grip force per finger, N */
};

/** Fault record (one per supervisor reaction change or device event). */
struct dx_hand_fault {
	uint64_t cycle;
	int64_t t_ns;
	int joint;                  /**< joint index, -1 for hand-wide */
	int actuator;               /**< actuator index, -1 when none */
	enum dx_hand_reaction reaction;
	enum dx_hand_cause cause;
	double value;               /**< the offending value, when one */
};

/** Telemetry sample pushed every cycle (when the ring has room). */
struct dx_hand_telemetry {
	uint64_t cycle;
	int64_t t_ns;
	unsigned n_joints;
	float q[DX_HAND_MAX_JOINTS], qd[DX_HAND_MAX_JOINTS];
	float tau[DX_HAND_MAX_JOINTS], q_ref[DX_HAND_MAX_JOINTS];
	float tip_force[DX_HAND_MAX_TIPS]; /**< fused contact force, N */
	/** Fused contact wrench on each fingertip, hand (URDF root) frame:
	 *  force x, y, z (N; its norm is tip_force), then its moment about
	 *  the hand frame's origin (N·m), the force acting at the contact
	 *  point the pad measured (centre of pressure). A fingertip without
	 *  a pad has no measured contact point: its moment is zero. All zero
	 *  while a tip has no contact estimate. */
	float tip_wrench[DX_HAND_MAX_TIPS][6];
	uint32_t slip_mask;                /**< tips slipping */
	uint32_t contact_mask;             /**< tips in contact */
	uint8_t grasp_phase[DX_HAND_MAX_TIPS];
	int64_t update_ns;                 /**< time spent in update */
};

/** Counters of the runtime. */
struct dx_hand_stats {
	uint64_t cycles;
	uint64_t targets_applied, targets_refused;
	uint64_t telemetry_dropped, faults_dropped;
	uint64_t replies_missed;
	uint64_t ik_failures;
	/** joint trajectories planned: a joint target is planned once per
	 *  change (a repeated one costs nothing), at most 8 joints per cycle,
	 *  the others in the next cycles */
	uint64_t traj_plans;
	struct dx_hist_summary update_ns; /**< update() duration */
};

/** Builds the hand from a loaded configuration: URDF model, transmission,
 *  controllers, drives and pads; opens the buses (unless opts say not);
 *  checks the URDF, the drive models and the bus budget. @p cfg must stay
 *  alive until dx_hand_free(). Allocates; not real-time.
 *  @return 0 or DX_ECONFIG / DX_EBUDGET / DX_ENOENT / transport errors, with
 *  @p err (may be NULL) naming the file, line and field. */
DX_API int dx_hand_init(struct dx_hand **out, const struct dx_hand_config *cfg,
			const struct dx_hand_opts *opts,
			struct dx_hand_config_error *err);

/** Closes the buses and frees everything. NULL is ignored. */
DX_API void dx_hand_free(struct dx_hand *h);

/** Cycle, step 1: collect the drives' replies to the last write (waiting
 *  at most until that write's reply deadline) and the pads' frames; map
 *  actuator feedback to joint space. Real-time thread only: the first call
 *  of dx_hand_read(), dx_hand_update() or dx_hand_write() binds the hand to
 *  its calling thread, and calls from any other thread are refused until
 *  dx_hand_release_thread().
 *  @return 0, DX_EINVAL (NULL), DX_ESTATE (not the cycle's thread), or the
 *  first transport error of a bus (the other buses are still read). */
DX_API int dx_hand_read(struct dx_hand *h, int64_t now_ns);
/** Cycle, step 2: targets from the ring, tactile pipeline and fusion,
 *  grasps, IK, trajectories, PID, safety supervisor. Real-time thread.
 *  @return 0, DX_EINVAL, DX_ESTATE (not the cycle's thread), or the PID
 *  bank's error (DX_EINVAL for a bad step); a non-finite measurement is
 *  the supervisor's business and not an error here. */
DX_API int dx_hand_update(struct dx_hand *h, int64_t now_ns);
/** Cycle, step 3: joint commands to actuator commands, one batched send per
 *  bus. Real-time thread. @return 0, DX_EINVAL, DX_ESTATE (not the cycle's
 *  thread), or the first send error of a bus (DX_ENOBUFS, DX_EBUSOFF, ...;
 *  the other buses are still written). */
DX_API int dx_hand_write(struct dx_hand *h, int64_t now_ns);
/** read, update and write. Returns the first error. */
DX_API int dx_hand_cycle(struct dx_hand *h, int64_t now_ns);
/** Unbinds the hand from the thread that ran its cycle, so that another
 *  thread may run it (e.g. after the first loop stopped). Call it when no
 *  cycle call is in progress. NULL is ignored. */
DX_API void dx_hand_release_thread(struct dx_hand *h);

/** Sends a target to the cycle (one producer thread). @return 0,
 *  DX_ENOBUFS (ring full), DX_EINVAL (malformed: NaN, unknown kind). */
DX_API int dx_hand_send(struct dx_hand *h, const struct dx_hand_target *t);
/** Takes one telemetry sample (one consumer thread). 0 or DX_EAGAIN. */
DX_API int dx_hand_telemetry_pop(struct dx_hand *h, struct dx_hand_telemetry *t);
/** Takes one fault record (one consumer thread). 0 or DX_EAGAIN. */
DX_API int dx_hand_fault_pop(struct dx_hand *h, struct dx_hand_fault *f);

/** Joint count, names and state (read from the cycle's thread, or when the
 *  cycle is not running). */
DX_API unsigned dx_hand_njoints(const struct dx_hand *h);
DX_API const char *dx_hand_joint_name(const struct dx_hand *h, unsigned j);
DX_API int dx_hand_joint_state(const struct dx_hand *h, unsigned j,
			       struct dx_hand_joint_state *st);
/** Fingertips (leaf links of the URDF) in the order used by targets. */
DX_API unsigned dx_hand_ntips(const struct dx_hand *h);
DX_API const char *dx_hand_tip_name(const struct dx_hand *h, unsigned t);
/** Name of the URDF root link: the hand frame of fingertip targets,
 *  positions and wrenches. NULL when @p h is NULL. Any thread. */
DX_API const char *dx_hand_root_name(const struct dx_hand *h);
/** Fingertip position in the hand (URDF root) frame from measured joints. */
DX_API int dx_hand_tip_position(const struct dx_hand *h, unsigned t,
				double p[3]);
DX_API void dx_hand_get_stats(const struct dx_hand *h, struct dx_hand_stats *st);

/** Sets the gravity vector in the hand frame (m/s²) used for gravity
 *  compensation, e.g. from the arm's pose; zeros turn it off. Real-time
 *  thread (or before the cycle starts). @return 0, DX_EINVAL, DX_ENOTFINITE. */
DX_API int dx_hand_set_gravity(struct dx_hand *h, const double g[3]);

/** Joint torques (N·m, hand joint order) that hold the fingers against the
 *  configured gravity at joint positions @p q (rad, hand joint order),
 *  from the URDF's link masses and centres of mass. The cycle adds these
 *  as feed-forward when gravity is set. Uses the hand's scratch buffers:
 *  the cycle's thread only, not during a cycle. @return 0, DX_EINVAL,
 *  DX_ENOTFINITE. */
DX_API int dx_hand_gravity_torques(struct dx_hand *h, const double *q,
				   double *tau);

/** Names of reactions and causes. */
DX_API const char *dx_hand_reaction_name(enum dx_hand_reaction r);
DX_API const char *dx_hand_cause_name(enum dx_hand_cause c);

/** Bus budget of a configuration: per bus load and the highest feasible
 *  cycle rate. Filled by dx_hand_init() (also with no_transport). */
struct dx_hand_bus_report {
	const char *name;
	unsigned frames_per_cycle;
	double load;          /**< at the configured period */
	double max_rate_hz;   /**< highest cycle rate within max_load */
	bool fits;
};
DX_API unsigned dx_hand_nbuses(const struct dx_hand *h);
DX_API int dx_hand_bus_report(const struct dx_hand *h, unsigned b,
			      struct dx_hand_bus_report *r);
/** @} */

DX_END_DECLS

#endif
