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
	double home;           /**< home position, rad (default 0) */
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
	char *source;              /**< path of the YAML file loaded */
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

DX_END_DECLS

#endif
