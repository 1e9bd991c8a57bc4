/* SPDX-License-Identifier: MIT */
/** @file drive.h
 *  @brief Motor-driver protocols and the batched exchange.
 *
 *  Codecs are pure functions (no clock, no I/O, no allocation, thread-safe,
 *  real-time safe) between commands and CAN frames, one family per source
 *  file, each driven by a table of model descriptions:
 *  - MIT-style impedance frames: CubeMars AK, Damiao DM, Robstride;
 *  - ODrive CANSimple;
 *  - CANopen CiA 402 over CiA 301 (NMT, SYNC, expedited SDO, PDO, the drive
 *    state machine).
 *  Both directions are provided (host side and device side), so the virtual
 *  drives of libdexrt-sim use the same code.
 *
 *  Commands outside a model's range are clamped and reported through a
 *  bit mask of DX_DRIVE_CLAMP_* flags; they are never wrapped. NaN and
 *  infinity are refused with DX_ENOTFINITE and no frame is produced.
 *
 *  The exchange (struct dx_drive_bus) owns the devices of one bus: one
 *  batched send of every command per cycle, then replies are collected until
 *  they are all in or a deadline passes. Unexpected, duplicate, stale, late
 *  and malformed frames are counted per device and never applied.
 */
#ifndef DEXRT_DRIVE_H
#define DEXRT_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/core.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/** @name Faults common to every protocol
 *  @{ */
enum dx_drive_fault {
	DX_DRIVE_FAULT_NONE = 0,
	DX_DRIVE_FAULT_OVERVOLTAGE,
	DX_DRIVE_FAULT_UNDERVOLTAGE,
	DX_DRIVE_FAULT_OVERCURRENT,
	DX_DRIVE_FAULT_MOTOR_OVERTEMP,
	DX_DRIVE_FAULT_DRIVER_OVERTEMP,
	DX_DRIVE_FAULT_ENCODER,
	DX_DRIVE_FAULT_OVERLOAD,
	DX_DRIVE_FAULT_STALL,
	DX_DRIVE_FAULT_COMM_LOSS,    /**< the drive stopped hearing the host */
	DX_DRIVE_FAULT_CALIBRATION,
	DX_DRIVE_FAULT_CONFIG,
	DX_DRIVE_FAULT_ESTOP,
	DX_DRIVE_FAULT_LIMIT,        /**< position/velocity limit violation */
	DX_DRIVE_FAULT_INTERNAL,     /**< driver firmware or hardware */
	DX_DRIVE_FAULT_OTHER,        /**< a vendor code with no closer match */
	DX_DRIVE_FAULT_COUNT
};

/** Short name of a fault ("overvoltage"); "?" when unknown. */
DX_API const char *dx_drive_fault_name(enum dx_drive_fault f);

/** Clamp flags (bit mask) reported by the encoders. */
enum dx_drive_clamp {
	DX_DRIVE_CLAMP_POS = 1u << 0,
	DX_DRIVE_CLAMP_VEL = 1u << 1,
	DX_DRIVE_CLAMP_KP = 1u << 2,
	DX_DRIVE_CLAMP_KD = 1u << 3,
	DX_DRIVE_CLAMP_TAU = 1u << 4,
};
/** @} */

/* ------------------------------------------------------------------------ */
/** @name MIT-style impedance drives
 *  Command: position, velocity, kp, kd, feed-forward torque, each mapped
 *  linearly onto an unsigned field of the family's width over the model's
 *  range (symmetric ±max for pos/vel/tau, [0, max] for kp/kd) and packed
 *  big-endian. Reply: position, velocity, torque, temperature, error code.
 *  @{ */
enum dx_mit_family {
	DX_MIT_CUBEMARS = 1, /**< CubeMars AK: 11-bit ID = motor id; replies on
				  the master id with data[0] = motor id */
	DX_MIT_DAMIAO,       /**< Damiao DM: 11-bit ID = id + mode offset;
				  replies on the master id, data[0] low
				  nibble = id, high nibble = state/error */
	DX_MIT_ROBSTRIDE,    /**< Robstride: 29-bit ID = type, data, id */
};

/** One motor model: a table row. Ranges are output-shaft SI units
 *  (rad, rad/s, N·m, N·m/rad, N·m·s/rad). The physical fields feed the
 *  virtual drive only. */
struct dx_mit_model {
	const char *name;          /**< lower case, e.g. "ak80-64" */
	enum dx_mit_family family;
	double p_max, v_max, t_max, kp_max, kd_max;
	double gear_ratio;         /**< output turns per rotor turn inverse */
	double rotor_inertia;      /**< kg·m² at the rotor */
	double kt;                 /**< N·m per A at the output */
	double rated_torque;       /**< N·m continuous at the output */
};

/** Number of rows of the built-in model table. */
DX_API size_t dx_mit_model_count(void);
/** Row @p i of the model table, NULL past the end. */
DX_API const struct dx_mit_model *dx_mit_model_at(size_t i);
/** Model by name (case-insensitive), NULL if unknown. */
DX_API const struct dx_mit_model *dx_mit_model_find(const char *name);

/** Addressing of one MIT drive on its bus. */
struct dx_mit_addr {
	const struct dx_mit_model *model;
	uint8_t id;     /**< motor id (CubeMars, Robstride 1..255; Damiao 1..15
			     for replies that carry it in a nibble) */
	uint8_t master; /**< host/master id replies go to (CubeMars usually 0,
			     Damiao e.g. id + 0x10, Robstride host id) */
};

/** Damiao control modes: the command ID is id + offset. */
enum dx_dm_mode {
	DX_DM_MODE_MIT = 0x000,
	DX_DM_MODE_POSVEL = 0x100,
	DX_DM_MODE_VEL = 0x200,
	DX_DM_MODE_POSFORCE = 0x300,
};

/** Special frames. */
enum dx_mit_special {
	DX_MIT_NONE = 0,     /**< (decode) an impedance command */
	DX_MIT_ENABLE,
	DX_MIT_DISABLE,
	DX_MIT_SET_ZERO,
	DX_MIT_CLEAR_FAULT,  /**< Damiao and Robstride only */
};

/** An impedance command. */
struct dx_mit_cmd {
	double pos, vel, kp, kd, tau;
};

/** Feedback from an MIT drive. */
struct dx_mit_fb {
	uint8_t id;            /**< motor id found in the reply */
	double pos, vel, tau;  /**< rad, rad/s, N·m */
	double temp_c;         /**< driver (MOS) or motor temperature, °C */
	double temp2_c;        /**< second sensor (Damiao rotor), else NAN */
	uint32_t vendor_code;  /**< raw error/state code of the vendor */
	enum dx_drive_fault fault;
	bool enabled;          /**< known for Damiao and Robstride; CubeMars: true */
};

/** Encodes an impedance command. @p clamped (may be NULL) receives the
 *  DX_DRIVE_CLAMP_* flags of clamped fields. A command that would pack
 *  into the bytes of a special frame (every field at its top, torque at
 *  raw 0xFFB..0xFFE) is sent with kd one quantisation step lower. @return 0, DX_EINVAL,
 *  DX_ENOTFINITE (NaN/Inf: no frame written). Pure, real-time safe. */
DX_API int dx_mit_encode_cmd(const struct dx_mit_addr *a,
			     const struct dx_mit_cmd *c,
			     struct dx_can_frame *f, unsigned *clamped);

/** Encodes a special frame (enable, disable, set zero, clear fault).
 *  @return 0, DX_EINVAL or DX_ENOTSUP (not in this family). */
DX_API int dx_mit_encode_special(const struct dx_mit_addr *a,
				 enum dx_mit_special s, struct dx_can_frame *f);

/** Host side: decodes a reply. @return 0, DX_EPROTO (not a reply of this
 *  family / length wrong), DX_ENOENT (a reply of another motor id). */
DX_API int dx_mit_decode_reply(const struct dx_mit_addr *a,
			       const struct dx_can_frame *f,
			       struct dx_mit_fb *fb);

/** Device side: decodes a frame addressed to drive @p a into a command or
 *  a special frame (*special). @return 0, DX_ENOENT (not for this drive),
 *  DX_EPROTO (malformed). */
DX_API int dx_mit_decode_cmd(const struct dx_mit_addr *a,
			     const struct dx_can_frame *f,
			     enum dx_mit_special *special,
			     struct dx_mit_cmd *c);

/** Device side: encodes a reply from @p fb (fault/enabled give the vendor
 *  code unless fb->vendor_code is non-zero). Out-of-range values are
 *  clamped (flags in @p clamped, may be NULL). @return 0, DX_EINVAL,
 *  DX_ENOTFINITE. */
DX_API int dx_mit_encode_reply(const struct dx_mit_addr *a,
			       const struct dx_mit_fb *fb,
			       struct dx_can_frame *f, unsigned *clamped);

/** Damiao position-velocity mode (ID 0x100 + id): target position (rad)
 *  reached with at most speed @p vel (rad/s), both little-endian float32.
 *  Velocity mode (ID 0x200 + id): @p vel only, 4 bytes. Values are clamped
 *  to the model's P/V range (flags in @p clamped). @return 0, DX_EINVAL
 *  (not a Damiao model, or @p mode not POSVEL/VEL), DX_ENOTFINITE. */
DX_API int dx_dm_encode_mode_cmd(const struct dx_mit_addr *a,
				 enum dx_dm_mode mode, double pos, double vel,
				 struct dx_can_frame *f, unsigned *clamped);
/** Device side of dx_dm_encode_mode_cmd(). @return 0, DX_ENOENT (not for
 *  this drive or not one of these modes), DX_EPROTO (length). */
DX_API int dx_dm_decode_mode_cmd(const struct dx_mit_addr *a,
				 const struct dx_can_frame *f,
				 enum dx_dm_mode *mode, double *pos,
				 double *vel);

/** Vendor code → fault (CubeMars error byte, Damiao state nibble,
 *  Robstride fault bits). */
DX_API enum dx_drive_fault dx_mit_fault_decode(enum dx_mit_family fam,
					       uint32_t code);
/** Fault → the vendor code a drive of @p fam would send (0 when none maps). */
DX_API uint32_t dx_mit_fault_encode(enum dx_mit_family fam,
				    enum dx_drive_fault f, bool enabled);

/** Quantisation step of field @p which (DX_DRIVE_CLAMP_POS ... _TAU) in the
 *  command (reply false) or reply (true), in the field's unit. */
DX_API double dx_mit_step(const struct dx_mit_model *m, unsigned which,
			  bool reply);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name ODrive CANSimple
 *  Arbitration ID = node_id << 5 | cmd_id (11-bit), little-endian payloads,
 *  positions in turns and velocities in turns/s as the ODrive sends them.
 *  @{ */
enum dx_odrive_cmd {
	DX_ODRIVE_HEARTBEAT = 0x01,
	DX_ODRIVE_ESTOP = 0x02,
	DX_ODRIVE_GET_ERROR = 0x03,
	DX_ODRIVE_SET_AXIS_STATE = 0x07,
	DX_ODRIVE_GET_ENCODER_ESTIMATES = 0x09,
	DX_ODRIVE_SET_CONTROLLER_MODE = 0x0b,
	DX_ODRIVE_SET_INPUT_POS = 0x0c,
	DX_ODRIVE_SET_INPUT_VEL = 0x0d,
	DX_ODRIVE_SET_INPUT_TORQUE = 0x0e,
	DX_ODRIVE_SET_LIMITS = 0x0f,
	DX_ODRIVE_GET_TEMPERATURE = 0x15,
	DX_ODRIVE_CLEAR_ERRORS = 0x18,
	DX_ODRIVE_GET_TORQUES = 0x1c,
};

enum dx_odrive_axis_state {
	DX_ODRIVE_STATE_UNDEFINED = 0,
	DX_ODRIVE_STATE_IDLE = 1,
	DX_ODRIVE_STATE_STARTUP = 2,
	DX_ODRIVE_STATE_FULL_CALIBRATION = 3,
	DX_ODRIVE_STATE_MOTOR_CALIBRATION = 4,
	DX_ODRIVE_STATE_ENCODER_INDEX_SEARCH = 6,
	DX_ODRIVE_STATE_ENCODER_OFFSET_CALIBRATION = 7,
	DX_ODRIVE_STATE_CLOSED_LOOP = 8,
};

enum dx_odrive_control_mode {
	DX_ODRIVE_CTRL_VOLTAGE = 0,
	DX_ODRIVE_CTRL_TORQUE = 1,
	DX_ODRIVE_CTRL_VELOCITY = 2,
	DX_ODRIVE_CTRL_POSITION = 3,
};

/** Limits of one ODrive set-up (table row). */
struct dx_odrive_model {
	const char *name;
	double pos_max;      /**< turns (symmetric) */
	double vel_max;      /**< turns/s */
	double torque_max;   /**< N·m */
	double kt;           /**< N·m/A (virtual drive) */
	double rotor_inertia;/**< kg·m² (virtual drive) */
};
DX_API size_t dx_odrive_model_count(void);
DX_API const struct dx_odrive_model *dx_odrive_model_at(size_t i);
DX_API const struct dx_odrive_model *dx_odrive_model_find(const char *name);

/** Node id (0..63) and command of an ID. @return 0 or DX_EINVAL (EXT). */
DX_API int dx_odrive_split_id(const struct dx_can_frame *f, uint8_t *node,
			      uint8_t *cmd);

/** Decoded ODrive message (either direction). */
struct dx_odrive_msg {
	uint8_t node, cmd;
	bool rtr;
	union {
		struct { uint32_t axis_error; uint8_t state, result;
			 bool traj_done; } heartbeat;
		struct { uint32_t active, disarm_reason; } error;
		struct { uint32_t state; } axis_state;
		struct { float pos, vel; } encoder;    /* turns, turns/s */
		struct { uint32_t control, input; } mode;
		struct { float pos, vel_ff, torque_ff; } input_pos;
		struct { float vel, torque_ff; } input_vel;
		struct { float torque; } input_torque;
		struct { float vel_limit, current_limit; } limits;
		struct { float fet, motor; } temperature;
		struct { float target, estimate; } torques;
	} u;
};

/** Encodes @p m (node, cmd and the union member of that cmd; @p m->rtr
 *  encodes a remote request for a Get_ message). Values outside the
 *  model's limits and the int16 feed-forward fields of Set_Input_Pos
 *  (±32.767 at 0.001 per count) are clamped, flags in @p clamped.
 *  @p model may be NULL (only the field ranges apply).
 *  @return 0, DX_EINVAL, DX_ENOTFINITE, DX_ENOTSUP (unknown cmd). */
DX_API int dx_odrive_encode(const struct dx_odrive_model *model,
			    const struct dx_odrive_msg *m,
			    struct dx_can_frame *f, unsigned *clamped);

/** Decodes any CANSimple frame. @return 0, DX_EPROTO (bad length for the
 *  command), DX_ENOTSUP (unknown cmd), DX_EINVAL. */
DX_API int dx_odrive_decode(const struct dx_can_frame *f,
			    struct dx_odrive_msg *m);

/** ODrive error bits (firmware 0.6 ODriveError) → the most severe fault. */
DX_API enum dx_drive_fault dx_odrive_fault_decode(uint32_t errors);
/** Fault → one error bit an ODrive would report (0 for NONE). */
DX_API uint32_t dx_odrive_fault_encode(enum dx_drive_fault f);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name CANopen CiA 301 / CiA 402
 *  @{ */
enum dx_nmt_cs {
	DX_NMT_START = 0x01,
	DX_NMT_STOP = 0x02,
	DX_NMT_PREOP = 0x80,
	DX_NMT_RESET_NODE = 0x81,
	DX_NMT_RESET_COMM = 0x82,
};
/** NMT states as sent in the heartbeat. */
enum dx_nmt_state {
	DX_NMT_BOOTUP = 0x00,
	DX_NMT_STOPPED = 0x04,
	DX_NMT_OPERATIONAL = 0x05,
	DX_NMT_PRE_OPERATIONAL = 0x7f,
};

/** Function codes (ID = base + node). */
#define DX_CO_NMT 0x000u
#define DX_CO_SYNC 0x080u
#define DX_CO_EMCY 0x080u
#define DX_CO_TPDO(n) (0x180u + 0x100u * ((n) - 1u)) /**< n = 1..4 */
#define DX_CO_RPDO(n) (0x200u + 0x100u * ((n) - 1u))
#define DX_CO_SDO_TX 0x580u /**< server → client */
#define DX_CO_SDO_RX 0x600u /**< client → server */
#define DX_CO_HEARTBEAT 0x700u

/** NMT command (node 0 = all). */
DX_API int dx_co_nmt(uint8_t node, enum dx_nmt_cs cs, struct dx_can_frame *f);
/** SYNC without counter. */
DX_API void dx_co_sync(struct dx_can_frame *f);
/** Heartbeat of @p node in @p state. */
DX_API int dx_co_heartbeat(uint8_t node, enum dx_nmt_state state,
			   struct dx_can_frame *f);

/** Kinds of SDO frames (expedited transfers only). */
enum dx_sdo_kind {
	DX_SDO_UPLOAD_REQ = 1,   /**< client asks to read */
	DX_SDO_UPLOAD_RESP,      /**< server sends the value */
	DX_SDO_DOWNLOAD_REQ,     /**< client writes a value */
	DX_SDO_DOWNLOAD_RESP,    /**< server confirms */
	DX_SDO_ABORT,            /**< either side aborts, code in value */
};
/** One expedited SDO message. */
struct dx_sdo {
	enum dx_sdo_kind kind;
	uint8_t node;
	uint16_t index;
	uint8_t sub;
	uint8_t size;    /**< 1..4 data bytes (download req / upload resp) */
	uint32_t value;  /**< data (little-endian on the wire) or abort code */
};
/** Abort codes, CiA 301 v4.2.0 §7.2.4.3.17 table 22. */
enum dx_sdo_abort {
	DX_SDO_ABORT_TOGGLE = 0x05030000,
	DX_SDO_ABORT_TIMEOUT = 0x05040000,
	DX_SDO_ABORT_CS = 0x05040001,
	DX_SDO_ABORT_ACCESS = 0x06010000,
	DX_SDO_ABORT_WRITE_ONLY = 0x06010001,
	DX_SDO_ABORT_READ_ONLY = 0x06010002,
	DX_SDO_ABORT_NO_OBJECT = 0x06020000,
	DX_SDO_ABORT_NO_MAP = 0x06040041,
	DX_SDO_ABORT_MAP_LEN = 0x06040042,
	DX_SDO_ABORT_TYPE_LEN = 0x06070010,
	DX_SDO_ABORT_NO_SUB = 0x06090011,
	DX_SDO_ABORT_RANGE = 0x06090030,
	DX_SDO_ABORT_GENERAL = 0x08000000,
	DX_SDO_ABORT_STATE = 0x08000022,
};
/** Text of an abort code ("object does not exist"); "?" when unknown. */
DX_API const char *dx_sdo_abort_name(uint32_t code);

/** Encodes an SDO message (client kinds to 0x600+node, server kinds to
 *  0x580+node). @return 0 or DX_EINVAL (node 0 or > 127, size). */
DX_API int dx_sdo_encode(const struct dx_sdo *s, struct dx_can_frame *f);
/** Decodes an SDO frame; the direction comes from the ID. @return 0,
 *  DX_ENOENT (not an SDO ID), DX_EPROTO (malformed or segmented). */
DX_API int dx_sdo_decode(const struct dx_can_frame *f, struct dx_sdo *s);

/** CiA 402 objects used here. */
#define DX_CIA402_CONTROLWORD 0x6040u
#define DX_CIA402_STATUSWORD 0x6041u
#define DX_CIA402_MODE 0x6060u
#define DX_CIA402_MODE_DISPLAY 0x6061u
#define DX_CIA402_POS_ACTUAL 0x6064u
#define DX_CIA402_VEL_ACTUAL 0x606cu
#define DX_CIA402_TORQUE_TARGET 0x6071u
#define DX_CIA402_TORQUE_ACTUAL 0x6077u
#define DX_CIA402_POS_TARGET 0x607au
#define DX_CIA402_VEL_TARGET 0x60ffu
#define DX_CIA402_ERROR_CODE 0x603fu

/** Modes of operation (0x6060). */
enum dx_cia402_mode {
	DX_CIA402_MODE_PP = 1, DX_CIA402_MODE_PV = 3, DX_CIA402_MODE_PT = 4,
	DX_CIA402_MODE_HOMING = 6, DX_CIA402_MODE_CSP = 8,
	DX_CIA402_MODE_CSV = 9, DX_CIA402_MODE_CST = 10,
};

/** Power drive system states (IEC 61800-7-201 / CiA 402 figure "state
 *  machine"). */
enum dx_cia402_state {
	DX_CIA402_NOT_READY = 0,
	DX_CIA402_SWITCH_ON_DISABLED,
	DX_CIA402_READY_TO_SWITCH_ON,
	DX_CIA402_SWITCHED_ON,
	DX_CIA402_OPERATION_ENABLED,
	DX_CIA402_QUICK_STOP_ACTIVE,
	DX_CIA402_FAULT_REACTION_ACTIVE,
	DX_CIA402_FAULT,
	DX_CIA402_STATE_COUNT
};
/** State-machine commands (controlword values). */
enum dx_cia402_cmd {
	DX_CIA402_CMD_SHUTDOWN = 0x0006,
	DX_CIA402_CMD_SWITCH_ON = 0x0007,
	DX_CIA402_CMD_DISABLE_VOLTAGE = 0x0000,
	DX_CIA402_CMD_QUICK_STOP = 0x0002,
	DX_CIA402_CMD_DISABLE_OPERATION = 0x0007,
	DX_CIA402_CMD_ENABLE_OPERATION = 0x000f,
	DX_CIA402_CMD_FAULT_RESET = 0x0080,
};

/** Statusword → state. */
DX_API enum dx_cia402_state dx_cia402_state_decode(uint16_t sw);
/** State → the canonical statusword bits (for a virtual drive). */
DX_API uint16_t dx_cia402_state_encode(enum dx_cia402_state s);
/** State name ("operation enabled"). */
DX_API const char *dx_cia402_state_name(enum dx_cia402_state s);
/** Controlword for the next step from @p cur towards @p target
 *  (OPERATION_ENABLED, SWITCH_ON_DISABLED, QUICK_STOP_ACTIVE...). In FAULT
 *  this alternates fault reset with 0 via @p prev_cw (a reset needs a
 *  rising edge of bit 7). */
DX_API uint16_t dx_cia402_next_cw(enum dx_cia402_state cur,
				  enum dx_cia402_state target,
				  uint16_t prev_cw);
/** Device side: the state reached from @p cur on controlword @p cw
 *  (transitions 2..16 of the CiA 402 state machine; fault transitions
 *  13/14 are driven by the device, see dx_cia402_fault()). */
DX_API enum dx_cia402_state dx_cia402_transition(enum dx_cia402_state cur,
						 uint16_t cw,
						 uint16_t prev_cw);

/** CiA 402 error code (0x603F / EMCY, CiA 402-2 / CiA 301 table 21
 *  classes) → fault. */
DX_API enum dx_drive_fault dx_cia402_fault_decode(uint16_t code);
DX_API uint16_t dx_cia402_fault_encode(enum dx_drive_fault f);

/** A PDO mapping: up to 8 objects, at most 64 bits in total. */
struct dx_pdo_entry {
	uint16_t index;
	uint8_t sub;
	uint8_t bits; /**< 8, 16 or 32 */
};
struct dx_pdo_map {
	uint8_t n;
	struct dx_pdo_entry e[8];
};
/** Checks a mapping. @return 0, DX_EINVAL or DX_EMSGSIZE (> 64 bits). */
DX_API int dx_pdo_map_check(const struct dx_pdo_map *m);
/** Packs @p values[n] (raw integer values, two's complement for signed
 *  objects) into a PDO frame with ID @p cob_id. @return 0 or DX_EINVAL. */
DX_API int dx_pdo_pack(const struct dx_pdo_map *m, uint32_t cob_id,
		       const uint32_t *values, struct dx_can_frame *f);
/** Unpacks a PDO into @p values[m->n]. @return 0 or DX_EMSGSIZE (length
 *  differs from the mapping). */
DX_API int dx_pdo_unpack(const struct dx_pdo_map *m,
			 const struct dx_can_frame *f, uint32_t *values);
/** SDO downloads that configure PDO @p pdo (1..4) of @p node with mapping
 *  @p m (disable COB-ID, clear count, entries, count, enable COB-ID):
 *  writes up to @p max messages. @p rx selects RPDO (0x1400/0x1600) or
 *  TPDO (0x1800/0x1A00). @return number of messages or DX_ENOSPC. */
DX_API int dx_pdo_config_sdos(uint8_t node, unsigned pdo, bool rx,
			      const struct dx_pdo_map *m, struct dx_sdo *out,
			      size_t max);

/** Scaling of one CiA 402 drive (table row). */
struct dx_cia402_model {
	const char *name;
	double counts_per_rad;   /**< position unit */
	double vel_counts_per_rad_s; /**< velocity unit */
	double rated_torque;     /**< N·m; torque objects are per mille of it */
	double pos_max;          /**< rad (symmetric), target clamp */
	double vel_max;          /**< rad/s */
	double torque_max;       /**< N·m */
	double kt;               /**< virtual drive */
	double rotor_inertia;    /**< virtual drive, kg·m² */
};
DX_API size_t dx_cia402_model_count(void);
DX_API const struct dx_cia402_model *dx_cia402_model_at(size_t i);
DX_API const struct dx_cia402_model *dx_cia402_model_find(const char *name);

/** The default process data used by the exchange: RPDO1 = controlword,
 *  mode, target position (i32) = 7 bytes; RPDO2 = target velocity (i32),
 *  target torque (i16); TPDO1 = statusword, mode display, actual position
 *  (i32); TPDO2 = actual velocity (i32), actual torque (i16),
 *  error code (u16). */
DX_API const struct dx_pdo_map *dx_cia402_default_map(unsigned which);
/** Indexes for dx_cia402_default_map(). */
enum { DX_CIA402_MAP_RPDO1, DX_CIA402_MAP_RPDO2, DX_CIA402_MAP_TPDO1,
       DX_CIA402_MAP_TPDO2 };

/** Host-side process image of one drive in SI units. */
struct dx_cia402_out {
	uint16_t controlword;
	int8_t mode;
	double pos, vel, tau; /**< targets: rad, rad/s, N·m */
};
struct dx_cia402_in {
	uint16_t statusword;
	int8_t mode_display;
	double pos, vel, tau;
	uint16_t error_code;
};
/** Encodes RPDO1 and RPDO2 (two frames) with clamping. @return 0,
 *  DX_EINVAL, DX_ENOTFINITE. */
DX_API int dx_cia402_encode_rpdos(const struct dx_cia402_model *m,
				  uint8_t node,
				  const struct dx_cia402_out *o,
				  struct dx_can_frame f[2], unsigned *clamped);
/** Decodes TPDO1 or TPDO2 of @p node into @p in (fields of the other PDO
 *  untouched). @return 1 or 2 (which TPDO), DX_ENOENT, DX_EMSGSIZE. */
DX_API int dx_cia402_decode_tpdo(const struct dx_cia402_model *m,
				 uint8_t node, const struct dx_can_frame *f,
				 struct dx_cia402_in *in);
/** Device side: encode TPDO1 and TPDO2 from @p in. */
DX_API int dx_cia402_encode_tpdos(const struct dx_cia402_model *m,
				  uint8_t node, const struct dx_cia402_in *in,
				  struct dx_can_frame f[2]);
/** Device side: decode RPDO1 or RPDO2 into @p o. @return 1 or 2,
 *  DX_ENOENT, DX_EMSGSIZE. */
DX_API int dx_cia402_decode_rpdo(const struct dx_cia402_model *m,
				 uint8_t node, const struct dx_can_frame *f,
				 struct dx_cia402_out *o);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Device descriptions
 *  @{ */
enum dx_drive_proto {
	DX_DRIVE_MIT = 1,
	DX_DRIVE_ODRIVE,
	DX_DRIVE_CIA402,
};

/** One drive on a bus. */
struct dx_drive_desc {
	enum dx_drive_proto proto;
	const void *model;  /**< struct dx_mit_model / dx_odrive_model /
				 dx_cia402_model of the protocol */
	uint8_t id;         /**< motor id / node id */
	uint8_t master;     /**< MIT: host/master id */
};

/** Parses "mit:ak80-64:id=1[:master=0]", "odrive:NAME:id=3",
 *  "cia402:NAME:id=5" (the `dx sim --device` syntax). Not real-time safe.
 *  @return 0, DX_EINVAL (syntax) or DX_ENOENT (unknown model). */
DX_API int dx_drive_desc_parse(const char *text, struct dx_drive_desc *d);
/** Formats a description back. @return length or DX_ENOSPC. */
DX_API int dx_drive_desc_format(const struct dx_drive_desc *d, char *buf,
				size_t size);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name The exchange
 *  @{ */
#define DX_DRIVE_BUS_MAX 32       /**< drives per bus */
#define DX_DRIVE_TX_EXTRA 16 /**< extra frames a send may carry */
#define DX_DRIVE_TX_MAX (2 * DX_DRIVE_BUS_MAX + 1 + DX_DRIVE_TX_EXTRA)
#define DX_DRIVE_RX_BATCH 64
/** Receive batches one collect may take (frames without stamps on a busy
 *  bus): DX_DRIVE_MAX_BATCHES * DX_DRIVE_RX_BATCH frames at most. */
#define DX_DRIVE_MAX_BATCHES 64

/** What the host wants from one drive this cycle (SI, output shaft). */
struct dx_drive_cmd {
	double pos, vel, kp, kd, tau;
	/** ODrive: control mode (DX_ODRIVE_CTRL_*); CiA 402: mode of operation
	 *  (DX_CIA402_MODE_CSP/CSV/CST); MIT: unused. 0 = position. */
	int mode;
	/** CiA 402: drive the state machine towards operation enabled (true)
	 *  or switch on disabled (false). MIT and ODrive use special frames. */
	bool enable;
};

/** Latest feedback of one drive. */
struct dx_drive_fb {
	double pos, vel, tau;   /**< rad, rad/s, N·m */
	double temp_c;          /**< NAN when the protocol does not say */
	enum dx_drive_fault fault;
	uint32_t vendor_code;
	bool enabled;
	uint32_t state;         /**< ODrive axis state / CiA 402 state */
	int64_t ts_ns;          /**< receive time of the frame applied */
};

/** Per-device link statistics.
 *
 *  Classification of a frame that routes to a device and decodes as one of
 *  its replies: received while draining before the next send → duplicate
 *  (the device already answered that cycle) or late; stamped before the
 *  cycle's start → stale; stamped after the cycle's deadline → late; a
 *  second copy in the cycle → duplicate; otherwise applied. Stamps are the
 *  transport's receive times on the clock of @p now_ns (simbus: bus time;
 *  socketcan: kernel stamps converted to CLOCK_MONOTONIC); frames without a
 *  stamp (0) skip the time checks. MIT replies carry no sequence number: a
 *  reply delayed past its deadline that is still in flight when the next
 *  cycle sends cannot be told from that cycle's reply, so it is applied and
 *  the real reply counts as a duplicate.
 *
 *  Two supervision rules work on these counters (see struct
 *  dx_drive_bus_config for their limits):
 *  - a leaky error counter: each cycle without the reply adds
 *    DX_LINK_MISS_WEIGHT, each cycle answered takes 1 away (the transmit
 *    error counter of ISO 11898-1:2015 12.1.4 works the same way, +8/-1), so
 *    a sustained miss ratio above 1/(DX_LINK_MISS_WEIGHT + 1) drives it up
 *    to the limit and the link is lost, while sparse random misses drain
 *    away. The link counts as up again at 3/4 of the limit. Misses past
 *    lost_after in a row add nothing (that rule already reports them).
 *  - link integrity: a cycle has an integrity event when a reply of the
 *    device arrived that cannot be this cycle's answer: a second reply
 *    whose content differs from the one applied (conflict: another device
 *    answering on this ID), a frame naming another device, a late or stale
 *    reply, or one that came sooner after the cycle start than the bus can
 *    carry the command and the reply (early). Identical copies are not
 *    events (they carry the same information). When integrity_limit of the
 *    last integrity_window cycles had events, the link is suspect. */
struct dx_link_stats {
	uint64_t replies;      /**< replies applied */
	uint64_t misses;       /**< cycles without a reply by the deadline */
	uint64_t late;         /**< replies that arrived after their deadline */
	uint64_t stale;        /**< frames older than the cycle they came in */
	uint64_t duplicates;   /**< second reply in the same cycle */
	uint64_t wrong_device; /**< frame on this device's ID naming another */
	uint64_t malformed;    /**< wrong length / undecodable */
	uint64_t other;        /**< other frames of the device (heartbeats) */
	uint64_t conflicts;    /**< duplicates whose content differs from the
				    reply applied (counted in duplicates too) */
	uint64_t early;        /**< replies stamped sooner after the cycle
				    start than the bus can carry the command
				    and the reply (not applied) */
	uint32_t consecutive_misses;
	uint32_t error_count;  /**< leaky counter: +DX_LINK_MISS_WEIGHT per
				    miss, -1 per cycle answered, at most the
				    error limit */
	uint32_t integrity_cycles; /**< cycles with an integrity event among
					the last integrity_window */
	uint64_t integrity_history; /**< one bit per cycle, newest in bit 0 */
	bool errors_high;      /**< error_count reached the error limit (until
				    it falls to 3/4 of it) */
	bool suspect;          /**< integrity_cycles >= integrity_limit */
	bool lost;             /**< consecutive_misses >= lost_after, or
				    errors_high */
	enum dx_drive_fault last_fault;
	uint32_t last_vendor_code;
	int64_t last_seen_ns;
	unsigned clamped;      /**< DX_DRIVE_CLAMP_* of the last command */
};

/** One drive of a bus (owned by struct dx_drive_bus). */
struct dx_drive {
	struct dx_drive_desc desc;
	struct dx_drive_cmd cmd;
	struct dx_drive_fb fb;
	struct dx_link_stats link;
	bool answered;        /**< every expected reply arrived this cycle */
	bool active;          /**< included in the cycle */
	uint8_t expect;       /**< reply bits expected per cycle */
	uint8_t got;          /**< reply bits applied this cycle */
	bool integrity_event; /**< an integrity event in this cycle */
	uint16_t cia402_prev_cw;
	uint64_t reply_sig[2]; /**< content of the replies applied (A, B) */
	/** Shortest command + reply time the bus allows, per reply format
	 *  (classic, FD, FD with bit rate switch); 0: no timing check. */
	int64_t min_answer_ns[3];
};

/** Bus configuration. */
struct dx_drive_bus_config {
	struct dx_can *can;      /**< open transport (not owned) */
	const struct dx_drive_desc *devs;
	size_t n_devs;
	unsigned lost_after;     /**< consecutive misses → lost (0: 3) */
	bool sync;               /**< CiA 402: send a SYNC after the RPDOs
				      (default true when any CiA 402 drive) */
	/** MIT drives: follow dx_drive_cmd::enable with the enable/disable
	 *  special frames (sent instead of the command while the drive's
	 *  reported state differs). Off: commands only. */
	bool manage_enable;
	/** Called (in the exchange's thread) for every frame no device
	 *  claims, e.g. tactile pads sharing the bus; NULL: counted in
	 *  unknown_ids. Must be real-time safe. */
	void (*on_other)(void *ctx, const struct dx_can_frame *f);
	void *other_ctx;
	/** Leaky error counter limit (struct dx_link_stats); 0: 32 *
	 *  lost_after, so that an outage alone always meets the
	 *  consecutive-miss rule first. */
	unsigned error_limit;
	/** Link integrity: window in cycles (1..64; 0: 32) and the number of
	 *  cycles with an integrity event in it that make the link suspect
	 *  (0: 8; above the window: never). */
	unsigned integrity_window;
	unsigned integrity_limit;
	/** Bus bit rates for the early-reply check (MIT drives: a reply
	 *  stamped sooner after the cycle start than the shortest possible
	 *  command frame, the 3-bit intermission and the shortest possible
	 *  reply frame of its format cannot answer this cycle's command). 0: no check;
	 *  leave 0 where frames take no time on the wire (vcan) or stamps
	 *  are not receive times. */
	uint32_t bitrate, data_bitrate;
};

/** Miss weight of the leaky error counter (struct dx_link_stats). */
#define DX_LINK_MISS_WEIGHT 8

/** Bus-wide counters. */
struct dx_drive_bus_stats {
	uint64_t cycles;
	uint64_t unknown_ids;    /**< frames no device expects */
	uint64_t err_frames;     /**< error frames (corruption, bus errors) */
	uint64_t send_short;     /**< cycles whose batch was not fully sent */
	uint64_t bus_off;        /**< cycles refused because bus-off */
	uint64_t other_frames;   /**< frames handed to on_other */
};

/** Result of one exchange. */
struct dx_exchange_result {
	unsigned expected;       /**< replies expected */
	unsigned received;       /**< replies applied */
	unsigned missed;         /**< devices without a reply */
	unsigned lost;           /**< devices whose link is lost */
	int64_t sent_ns;         /**< @p now_ns given to the exchange */
	int64_t last_reply_ns;   /**< receive stamp of the last reply, 0 none */
	bool bus_off;
};

/** Route-table sizes. */
#define DX_DRIVE_DEMUX_MAX 8
#define DX_DRIVE_EXT_SLOTS 128

struct dx_drive_bus {
	struct dx_can *can;
	unsigned n;
	unsigned lost_after;
	unsigned error_limit;
	unsigned integrity_limit;
	uint64_t integrity_mask;  /**< integrity_window low bits set */
	bool sync;
	struct dx_drive dev[DX_DRIVE_BUS_MAX];
	/* 11-bit routing: 0xff none; < 0x80 device; 0x80|k demux table k */
	uint8_t route11[2048];
	uint8_t demux_mask[DX_DRIVE_DEMUX_MAX];
	uint8_t demux[DX_DRIVE_DEMUX_MAX][256];
	uint8_t demux_owner[DX_DRIVE_DEMUX_MAX]; /**< unused (0xff) */
	unsigned n_demux;
	bool bus_off_seen;       /**< bus-off error frame seen this cycle */
	/* 29-bit routing: open addressing on (id & mask) */
	uint32_t ext_key[DX_DRIVE_EXT_SLOTS];
	uint8_t ext_dev[DX_DRIVE_EXT_SLOTS];
	uint32_t ext_masks[4];
	unsigned n_ext_masks;
	struct dx_can_frame tx[DX_DRIVE_TX_MAX];
	struct dx_can_frame rx[DX_DRIVE_RX_BATCH];
	int64_t cycle_start_ns;
	int64_t prev_deadline_ns;
	unsigned pending;        /**< replies still expected this cycle */
	struct dx_drive_bus_stats stats;
	bool manage_enable;
	void (*on_other)(void *ctx, const struct dx_can_frame *f);
	void *other_ctx;
	struct dx_exchange_result cur; /**< result of the cycle in progress */
	int send_err;            /**< error of the last send, kept for collect */
};

/** Builds the routing tables. Not real-time safe (no allocation, though).
 *  @return 0, DX_EINVAL (bad description), DX_ENOSPC (too many devices),
 *  DX_EEXIST (two devices expect the same frame). */
DX_API int dx_drive_bus_init(struct dx_drive_bus *b,
			     const struct dx_drive_bus_config *cfg);

/** Sets the command of device @p i for the next cycle. Real-time safe.
 *  @return 0, DX_EINVAL, DX_ENOTFINITE (NaN/Inf: previous command kept). */
DX_API int dx_drive_bus_set_cmd(struct dx_drive_bus *b, unsigned i,
				const struct dx_drive_cmd *c);

/** Includes (true) or leaves out a device from the cycle. */
DX_API int dx_drive_bus_set_active(struct dx_drive_bus *b, unsigned i,
				   bool active);

/** One cycle: drains frames left from the previous cycle (counted, never
 *  applied), sends every active device's command frames in one
 *  dx_can_send() batch, then receives and routes replies until each active
 *  device answered or @p deadline_ns (same clock as the transport, e.g.
 *  CLOCK_MONOTONIC or simbus virtual time) passes. @p now_ns is the cycle
 *  start on that clock; frames stamped earlier are stale. Real-time safe:
 *  no allocation; blocks only in dx_can_wait() up to the deadline.
 *  @return 0 when every reply arrived, DX_ETIMEDOUT when some are missing
 *  (@p res says which), DX_EBUSOFF, or a transport error. */
DX_API int dx_drive_bus_exchange(struct dx_drive_bus *b, int64_t now_ns,
				 int64_t deadline_ns,
				 struct dx_exchange_result *res);

/** First half of dx_drive_bus_exchange(): drains leftovers and sends every
 *  active device's command plus @p n_extra caller frames (at most
 *  DX_DRIVE_TX_EXTRA, e.g. tactile scan requests) in one batch. Use with
 *  dx_drive_bus_collect() to send on several buses before waiting on any.
 *  @return 0, DX_EINVAL, DX_EBUSOFF or a transport error. Real-time safe. */
DX_API int dx_drive_bus_send(struct dx_drive_bus *b, int64_t now_ns,
			     const struct dx_can_frame *extra, size_t n_extra);

/** Second half: receives and routes replies until every active device
 *  answered or @p deadline_ns passes, then closes the cycle (misses, lost
 *  links). Returns as dx_drive_bus_exchange(). Real-time safe. */
DX_API int dx_drive_bus_collect(struct dx_drive_bus *b, int64_t deadline_ns,
				struct dx_exchange_result *res);

/** dx_drive_bus_send() without I/O, for programs that move frames
 *  themselves and for measuring a cycle's computation: starts the cycle at
 *  @p now_ns and encodes every active device's command (plus SYNC and
 *  @p n_extra caller frames, at most DX_DRIVE_TX_EXTRA) into b->tx. Does
 *  not drain leftovers (receive them first and route them with
 *  dx_drive_bus_route(b, f, false)). No transport needed.
 *  @return the number of frames in b->tx (>= 0) or DX_EINVAL. Real-time
 *  safe, no system call. */
DX_API int dx_drive_bus_prepare(struct dx_drive_bus *b, int64_t now_ns,
				const struct dx_can_frame *extra,
				size_t n_extra);

/** dx_drive_bus_collect() without I/O: routes all @p n received @p frames
 *  as replies of this cycle (stamped after @p deadline_ns: late), then
 *  closes the cycle (misses, lost links). Returns as
 *  dx_drive_bus_collect() (DX_EINVAL for NULL). Real-time safe, no system
 *  call. */
DX_API int dx_drive_bus_deliver(struct dx_drive_bus *b, int64_t deadline_ns,
				const struct dx_can_frame *frames, size_t n,
				struct dx_exchange_result *res);

/** Routes and applies one received frame as the exchange does (for
 *  programs that receive themselves, and for tests). @p in_cycle true while
 *  collecting this cycle's replies. Real-time safe. */
DX_API void dx_drive_bus_route(struct dx_drive_bus *b,
			       const struct dx_can_frame *f, bool in_cycle);

/** Device index a frame routes to, or -1. O(1). */
DX_API int dx_drive_bus_lookup(const struct dx_drive_bus *b,
			       const struct dx_can_frame *f);

/** Encodes the special frame (enable/disable/zero/clear fault) of device
 *  @p i into @p f (CiA 402: the controlword steps are driven by the
 *  exchange instead; returns DX_ENOTSUP). */
DX_API int dx_drive_bus_special(const struct dx_drive_bus *b, unsigned i,
				enum dx_mit_special s, struct dx_can_frame *f);
/** @} */

DX_END_DECLS

#endif
