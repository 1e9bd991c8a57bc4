/* SPDX-License-Identifier: MIT */
/** @file bridge.h
 *  @brief The DDS bridge (libdexrt-bridge, Eclipse Cyclone DDS): publishes
 *  a hand's state and accepts its commands with ROS 2 topic names, type
 *  names and message layouts, so ROS 2 nodes using rmw_cyclonedds_cpp see
 *  the hand as one of their own, without the controller depending on ROS.
 *
 *  Threads: the bridge runs on its own non-real-time thread (or on the
 *  caller's, with dx_bridge_poll()). It is the hand's only telemetry and
 *  fault consumer (dx_hand_telemetry_pop(), dx_hand_fault_pop()) and its
 *  only target producer (dx_hand_send()); the program must not call those
 *  while a bridge runs. The real-time cycle never calls DDS.
 *
 *  Topics ("rt/" is ROS 2's prefix for topics on the wire; NS is the
 *  configured namespace, none when empty):
 *  - out `rt/NS/joint_states`, sensor_msgs/JointState: names, q (rad),
 *    q̇ (rad/s), τ (N·m) of every joint, one sample every
 *    joint_state_div telemetry samples.
 *  - out `rt/NS/TIP/wrench`, geometry_msgs/WrenchStamped, one topic per
 *    fingertip (TIP: the URDF tip link's name, characters other than
 *    letters, digits and '_' replaced by '_'): the fused contact force (N)
 *    on the fingertip and its moment (N·m) about the hand frame's origin,
 *    the force acting at the pad's centre of pressure (no moment for a
 *    fingertip without a pad), both in the hand frame; header.frame_id is
 *    the URDF root link, header.stamp the telemetry sample's time. One
 *    sample every wrench_div telemetry samples.
 *  - out `rt/diagnostics`, diagnostic_msgs/DiagnosticArray: every fault
 *    record and every rejected command as it happens; a status of the bridge
 *    every diag_div samples.
 *  - in `rt/NS/joint_command`, sensor_msgs/JointState: position targets
 *    (name and position of the same length; velocity and effort empty or of
 *    that length, not used).
 *  - in `rt/NS/grasp_command`, dexrt/GraspCommand: a grasp primitive.
 *  - in `rt/NS/joint_trajectory`, trajectory_msgs/JointTrajectory: up to
 *    DX_BRIDGE_TRAJ_MAX_POINTS position points, each sent to the hand as a
 *    joint target when its time_from_start (counted from reception;
 *    header.stamp is not used) arrives; the hand's trajectory generator
 *    moves between them within the joint limits. A new trajectory replaces
 *    the one in progress; one without points cancels it. Every point is
 *    checked before any is sent; time_from_start must increase strictly.
 *  QoS: ROS 2's default profile (rmw_qos_profile_default: reliable, keep
 *  last 10, volatile) for every topic, which also matches best-effort
 *  subscribers such as those with the sensor-data profile (best effort,
 *  keep last 5).
 *
 *  Every command is checked before it reaches the targets ring: joint names
 *  known and not repeated, lengths that agree, finite values, positions
 *  within the joint limits of the configuration, grasp kind and force in
 *  range. A rejected command is counted and reported on rt/diagnostics; it
 *  never reaches the cycle.
 *
 *  Cyclone's own configuration (interfaces, peers, multicast) comes from
 *  CYCLONEDDS_URI, untouched.
 */
#ifndef DEXRT_BRIDGE_H
#define DEXRT_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>
#include <dexrt/export.h>
#include <dexrt/hand.h>

DX_BEGIN_DECLS

/** Cyclone's default domain (CYCLONEDDS_URI's, else 0). */
#define DX_BRIDGE_DOMAIN_DEFAULT UINT32_MAX
/** Most points of an accepted joint trajectory. */
#define DX_BRIDGE_TRAJ_MAX_POINTS 64
/** Longest namespace, bytes. */
#define DX_BRIDGE_NS_MAX 96

/** Topics of a bridge (bits of dx_bridge_config.topics). */
enum dx_bridge_topic {
	DX_BRIDGE_JOINT_STATES = 1u << 0,
	DX_BRIDGE_DIAGNOSTICS = 1u << 1,
	DX_BRIDGE_JOINT_COMMAND = 1u << 2,
	DX_BRIDGE_GRASP_COMMAND = 1u << 3,
	DX_BRIDGE_JOINT_TRAJECTORY = 1u << 4,
	DX_BRIDGE_WRENCHES = 1u << 5, /**< rt/NS/TIP/wrench, every fingertip */
	DX_BRIDGE_ALL = 0x3fu,
};

/** Bridge settings. Zero-initialise; zeros mean the defaults. */
struct dx_bridge_config {
	uint32_t domain;          /**< DDS domain id (0: domain 0;
				       DX_BRIDGE_DOMAIN_DEFAULT: Cyclone's) */
	const char *ns;           /**< namespace, e.g. "left_hand" (letters,
				       digits, '_' and inner '/'; NULL: none) */
	const char *frame_id;     /**< header.frame_id (NULL: "") */
	unsigned joint_state_div; /**< joint states every Nth telemetry sample
				       (0: 10, i.e. 100 Hz at 1 kHz) */
	unsigned diag_div;        /**< bridge status every Nth sample (0: 1000) */
	uint32_t topics;          /**< enum dx_bridge_topic bits (0: all) */
	double max_grip_force;    /**< N, grasp force limit (0: 20) */
	int64_t poll_ns;          /**< bridge thread wake-up period when no
				       command arrives (0: 1 ms) */
	unsigned wrench_div;      /**< fingertip wrenches every Nth telemetry
				       sample (0: joint_state_div) */
	/** Called on the bridge's thread with every telemetry sample it
	 *  drains, after publishing (NULL: none): the bridge being the
	 *  hand's only telemetry consumer, a program that also wants the
	 *  samples (a status display, a log) takes them here. Must return
	 *  quickly and must not call the bridge. */
	void (*on_telemetry)(void *user, const struct dx_hand_telemetry *t);
	/** Same for every fault record (NULL: none). */
	void (*on_fault)(void *user, const struct dx_hand_fault *f);
	void *user;               /**< passed to on_telemetry and on_fault */
};

/** Counters (any thread, read with dx_bridge_get_stats()). */
struct dx_bridge_stats {
	uint64_t telemetry;          /**< samples drained */
	uint64_t joint_states;       /**< JointState messages written */
	uint64_t diagnostics;        /**< DiagnosticArray messages written */
	uint64_t faults;             /**< fault records drained */
	uint64_t commands_accepted;  /**< commands passed to dx_hand_send() */
	uint64_t commands_rejected;  /**< malformed or out of limits */
	uint64_t ring_full;          /**< valid commands the ring refused */
	uint64_t write_errors;       /**< DDS writes that failed */
	uint64_t wrenches;           /**< WrenchStamped messages written */
};

struct dx_bridge; /**< opaque */

/** Fills @p bc from the `bridge:` section of a hand configuration (see
 *  struct dx_hand_bridge_config; its defaults when the section is absent):
 *  domain, namespace, frame_id, grasp force limit, which topics are on and
 *  their decimations. Strings point into @p cfg, which must outlive the
 *  bridge; callbacks and poll_ns are zeroed (set them afterwards). Not
 *  real-time. @return 0 or DX_EINVAL (NULL argument, or a configuration
 *  not from dx_hand_config_load()). */
DX_API int dx_bridge_config_from_hand(const struct dx_hand_config *cfg,
				      struct dx_bridge_config *bc);

/** Creates a bridge for a running (or about to run) hand: DDS participant,
 *  topics, writers and readers. @p hand and @p cfg must outlive the bridge.
 *  Allocates; not real-time. Does not start the thread.
 *  @return 0, DX_EINVAL (bad namespace or settings), DX_EIO (DDS refused:
 *  configuration, network), DX_ENOMEM. */
DX_API int dx_bridge_create(struct dx_bridge **out, struct dx_hand *hand,
			    const struct dx_hand_config *cfg,
			    const struct dx_bridge_config *bc);

/** Starts the bridge thread (normal scheduling). @return 0, DX_ESTATE
 *  (already running), DX_ENOMEM (thread). Not real-time. */
DX_API int dx_bridge_start(struct dx_bridge *b);

/** Stops and joins the bridge thread; no-op when not running. */
DX_API void dx_bridge_stop(struct dx_bridge *b);

/** One bridge iteration on the caller's thread (when the thread is not
 *  started): waits up to @p wait_ns for a command, then handles commands,
 *  faults and telemetry. @return 0, DX_ESTATE (thread running). */
DX_API int dx_bridge_poll(struct dx_bridge *b, int64_t wait_ns);

/** Stops the thread, deletes the DDS entities and frees. NULL ignored. */
DX_API void dx_bridge_free(struct dx_bridge *b);

/** Copies the counters. Any thread. */
DX_API void dx_bridge_get_stats(const struct dx_bridge *b,
				struct dx_bridge_stats *st);

/** Checks a joint position command as received on the joint command topic
 *  and turns it into a target: @p names and @p pos of @p n_names and
 *  @p n_pos entries (velocities and efforts, when given, of lengths
 *  @p n_vel, @p n_eff: 0 or n_names, finite). On failure @p why (may be
 *  NULL) says what was wrong. Any thread; no allocation.
 *  @return 0, DX_EINVAL (empty, repeated name, lengths disagree),
 *  DX_ENOENT (unknown joint), DX_ENOTFINITE, DX_ERANGE (beyond the joint's
 *  limits), DX_ENOTSUP (joint without 1:1 actuator limits). */
DX_API int dx_bridge_check_joint_command(const struct dx_bridge *b,
					 const char *const *names,
					 unsigned n_names, const double *pos,
					 unsigned n_pos, unsigned n_vel,
					 const double *vel, unsigned n_eff,
					 const double *eff,
					 struct dx_hand_target *out, char *why,
					 size_t why_len);

/** Checks a grasp command (@p grasp an enum dx_grasp value, @p force in N)
 *  and turns it into a target. @return 0, DX_EINVAL, DX_ENOTFINITE,
 *  DX_ERANGE; @p why as above. Any thread. */
DX_API int dx_bridge_check_grasp_command(const struct dx_bridge *b,
					 unsigned grasp, double force,
					 struct dx_hand_target *out, char *why,
					 size_t why_len);

/** The wire name of a bridge topic (e.g. "rt/left_hand/joint_states").
 *  @return the name, or NULL for an unknown topic bit (and for
 *  DX_BRIDGE_WRENCHES: see dx_bridge_wrench_topic_name()). */
DX_API const char *dx_bridge_topic_name(const struct dx_bridge *b,
					enum dx_bridge_topic t);

/** The wire name of fingertip @p tip's wrench topic (hand tip order, see
 *  dx_hand_tip_name()), e.g. "rt/left_hand/index_tip/wrench".
 *  @return the name, or NULL when @p tip is out of range. */
DX_API const char *dx_bridge_wrench_topic_name(const struct dx_bridge *b,
					       unsigned tip);

DX_END_DECLS

#endif
