/* SPDX-License-Identifier: MIT */
/* ODrive CANSimple.
 *
 * Source: ODrive documentation, "CAN Protocol" (CANSimple, firmware
 * 0.6.x): arbitration ID = node_id << 5 | cmd_id, 11-bit, little-endian
 * payloads; message table: 0x01 Heartbeat (Axis_Error u32, Axis_State u8,
 * Procedure_Result u8, Trajectory_Done u8), 0x02 Estop, 0x03 Get_Error
 * (Active_Errors u32, Disarm_Reason u32), 0x07 Set_Axis_State (u32),
 * 0x09 Get_Encoder_Estimates (Pos f32 rev, Vel f32 rev/s), 0x0B
 * Set_Controller_Mode (u32, u32), 0x0C Set_Input_Pos (f32, Vel_FF i16 and
 * Torque_FF i16 both scaled 0.001), 0x0D Set_Input_Vel (f32, f32), 0x0E
 * Set_Input_Torque (f32), 0x0F Set_Limits (f32, f32), 0x15
 * Get_Temperature (f32, f32), 0x18 Clear_Errors, 0x1C Get_Torques (f32,
 * f32). Error bits: ODrive API reference "ODriveError" (INITIALIZING 0x1,
 * SYSTEM_LEVEL 0x2, TIMING_ERROR 0x4, MISSING_ESTIMATE 0x8, BAD_CONFIG
 * 0x10, DRV_FAULT 0x20, MISSING_INPUT 0x40, DC_BUS_OVER_VOLTAGE 0x100,
 * DC_BUS_UNDER_VOLTAGE 0x200, DC_BUS_OVER_CURRENT 0x400,
 * DC_BUS_OVER_REGEN_CURRENT 0x800, CURRENT_LIMIT_VIOLATION 0x1000,
 * MOTOR_OVER_TEMP 0x2000, INVERTER_OVER_TEMP 0x4000,
 * VELOCITY_LIMIT_VIOLATION 0x8000, POSITION_LIMIT_VIOLATION 0x10000,
 * WATCHDOG_TIMER_EXPIRED 0x1000000, ESTOP_REQUESTED 0x2000000,
 * SPINOUT_DETECTED 0x4000000, BRAKE_RESISTOR_DISARMED 0x8000000,
 * THERMISTOR_DISCONNECTED 0x10000000, CALIBRATION_ERROR 0x40000000). */
#include <float.h>

#include "drive-priv.h"

/* Host-side limits of an ODrive set-up. An ODrive has no fixed protocol
 * range (values are float32); these rows are the clamps the host applies.
 * "d5065": ODrive D5065 motor, torque constant 8.27 / KV with KV 270
 * (ODrive docs "Motor configuration") = 0.0306 N·m/A; other values are
 * conservative set-up limits, not vendor facts. */
static const struct dx_odrive_model models[] = {
	{"default", 1000.0, 50.0, 10.0, 0.0306, 1.0e-4},
	{"d5065", 1000.0, 60.0, 2.0, 0.0306, 1.1e-4},
};

DX_API size_t dx_odrive_model_count(void)
{
	return DX_ARRAY_SIZE(models);
}

DX_API const struct dx_odrive_model *dx_odrive_model_at(size_t i)
{
	return i < DX_ARRAY_SIZE(models) ? &models[i] : NULL;
}

DX_API const struct dx_odrive_model *dx_odrive_model_find(const char *name)
{
	for (size_t i = 0; i < DX_ARRAY_SIZE(models); i++)
		if (dx__name_eq(models[i].name, name))
			return &models[i];
	return NULL;
}

DX_API int dx_odrive_split_id(const struct dx_can_frame *f, uint8_t *node,
			      uint8_t *cmd)
{
	if (!f || (f->flags & (DX_CAN_EXT | DX_CAN_ERR)) || f->id > 0x7ff)
		return DX_EINVAL;
	if (node)
		*node = (uint8_t)(f->id >> 5);
	if (cmd)
		*cmd = (uint8_t)(f->id & 0x1f);
	return 0;
}

/* Payload length of each command (both directions). -1: unknown. */
static int cmd_len(uint8_t cmd)
{
	switch (cmd) {
	case DX_ODRIVE_HEARTBEAT: return 8;
	case DX_ODRIVE_ESTOP: return 0;
	case DX_ODRIVE_GET_ERROR: return 8;
	case DX_ODRIVE_SET_AXIS_STATE: return 4;
	case DX_ODRIVE_GET_ENCODER_ESTIMATES: return 8;
	case DX_ODRIVE_SET_CONTROLLER_MODE: return 8;
	case DX_ODRIVE_SET_INPUT_POS: return 8;
	case DX_ODRIVE_SET_INPUT_VEL: return 8;
	case DX_ODRIVE_SET_INPUT_TORQUE: return 4;
	case DX_ODRIVE_SET_LIMITS: return 8;
	case DX_ODRIVE_GET_TEMPERATURE: return 8;
	case DX_ODRIVE_CLEAR_ERRORS: return 0;
	case DX_ODRIVE_GET_TORQUES: return 8;
	default: return -1;
	}
}

static bool fin(double a, double b, double c)
{
	return dx_isfinite(a) && dx_isfinite(b) && dx_isfinite(c);
}

DX_API int dx_odrive_encode(const struct dx_odrive_model *model,
			    const struct dx_odrive_msg *m,
			    struct dx_can_frame *out, unsigned *clamped)
{
	/* built here and copied out on success: a refused value leaves the
	 * caller's frame as it was */
	struct dx_can_frame fr, *f = &fr;
	double pmax = model ? model->pos_max : FLT_MAX;
	double vmax = model ? model->vel_max : FLT_MAX;
	double tmax = model ? model->torque_max : FLT_MAX;
	unsigned cl = 0;
	int len;
	uint8_t *d;

	if (!m || !out || m->node > 63)
		return DX_EINVAL;
	len = cmd_len(m->cmd);
	if (len < 0)
		return DX_ENOTSUP;
	dx__frame_init(f, (uint32_t)m->node << 5 | m->cmd, 0, (uint8_t)len);
	if (m->rtr) {
		f->flags = DX_CAN_RTR;
		*out = fr;
		return 0;
	}
	d = f->data;
	switch (m->cmd) {
	case DX_ODRIVE_HEARTBEAT:
		dx__put_le32(d, m->u.heartbeat.axis_error);
		d[4] = m->u.heartbeat.state;
		d[5] = m->u.heartbeat.result;
		d[6] = m->u.heartbeat.traj_done;
		break;
	case DX_ODRIVE_GET_ERROR:
		dx__put_le32(d, m->u.error.active);
		dx__put_le32(d + 4, m->u.error.disarm_reason);
		break;
	case DX_ODRIVE_SET_AXIS_STATE:
		dx__put_le32(d, m->u.axis_state.state);
		break;
	case DX_ODRIVE_GET_ENCODER_ESTIMATES:
		if (!fin(m->u.encoder.pos, m->u.encoder.vel, 0))
			return DX_ENOTFINITE;
		dx__put_lef(d, m->u.encoder.pos);
		dx__put_lef(d + 4, m->u.encoder.vel);
		break;
	case DX_ODRIVE_SET_CONTROLLER_MODE:
		dx__put_le32(d, m->u.mode.control);
		dx__put_le32(d + 4, m->u.mode.input);
		break;
	case DX_ODRIVE_SET_INPUT_POS: {
		double p = m->u.input_pos.pos, v = m->u.input_pos.vel_ff,
		       t = m->u.input_pos.torque_ff;
		int16_t vi, ti;
		if (!fin(p, v, t))
			return DX_ENOTFINITE;
		p = dx__clampf(p, -pmax, pmax, DX_DRIVE_CLAMP_POS, &cl);
		v = dx__clampf(v, -vmax, vmax, DX_DRIVE_CLAMP_VEL, &cl);
		t = dx__clampf(t, -tmax, tmax, DX_DRIVE_CLAMP_TAU, &cl);
		/* int16 at 0.001 per count: never wrap */
		v = dx__clampf(v, -32.767, 32.767, DX_DRIVE_CLAMP_VEL, &cl);
		t = dx__clampf(t, -32.767, 32.767, DX_DRIVE_CLAMP_TAU, &cl);
		vi = (int16_t)lrint(v * 1000.0);
		ti = (int16_t)lrint(t * 1000.0);
		dx__put_lef(d, (float)p);
		d[4] = (uint8_t)vi, d[5] = (uint8_t)((uint16_t)vi >> 8);
		d[6] = (uint8_t)ti, d[7] = (uint8_t)((uint16_t)ti >> 8);
		break;
	}
	case DX_ODRIVE_SET_INPUT_VEL: {
		double v = m->u.input_vel.vel, t = m->u.input_vel.torque_ff;
		if (!fin(v, t, 0))
			return DX_ENOTFINITE;
		v = dx__clampf(v, -vmax, vmax, DX_DRIVE_CLAMP_VEL, &cl);
		t = dx__clampf(t, -tmax, tmax, DX_DRIVE_CLAMP_TAU, &cl);
		dx__put_lef(d, (float)v);
		dx__put_lef(d + 4, (float)t);
		break;
	}
	case DX_ODRIVE_SET_INPUT_TORQUE: {
		double t = m->u.input_torque.torque;
		if (!dx_isfinite(t))
			return DX_ENOTFINITE;
		t = dx__clampf(t, -tmax, tmax, DX_DRIVE_CLAMP_TAU, &cl);
		dx__put_lef(d, (float)t);
		break;
	}
	case DX_ODRIVE_SET_LIMITS:
		if (!fin(m->u.limits.vel_limit, m->u.limits.current_limit, 0))
			return DX_ENOTFINITE;
		if (m->u.limits.vel_limit < 0 || m->u.limits.current_limit < 0)
			return DX_ERANGE;
		dx__put_lef(d, m->u.limits.vel_limit);
		dx__put_lef(d + 4, m->u.limits.current_limit);
		break;
	case DX_ODRIVE_GET_TEMPERATURE:
		if (!fin(m->u.temperature.fet, m->u.temperature.motor, 0))
			return DX_ENOTFINITE;
		dx__put_lef(d, m->u.temperature.fet);
		dx__put_lef(d + 4, m->u.temperature.motor);
		break;
	case DX_ODRIVE_GET_TORQUES:
		if (!fin(m->u.torques.target, m->u.torques.estimate, 0))
			return DX_ENOTFINITE;
		dx__put_lef(d, m->u.torques.target);
		dx__put_lef(d + 4, m->u.torques.estimate);
		break;
	default:
		break; /* no payload */
	}
	*out = fr;
	if (clamped)
		*clamped = cl;
	return 0;
}

DX_API int dx_odrive_decode(const struct dx_can_frame *f,
			    struct dx_odrive_msg *m)
{
	const uint8_t *d;
	int len;

	if (!f || !m || dx_odrive_split_id(f, &m->node, &m->cmd))
		return DX_EINVAL;
	len = cmd_len(m->cmd);
	if (len < 0)
		return DX_ENOTSUP;
	memset(&m->u, 0, sizeof(m->u));
	m->rtr = (f->flags & DX_CAN_RTR) != 0;
	if (m->rtr)
		return 0;
	if (f->len != len)
		return DX_EPROTO;
	d = f->data;
	switch (m->cmd) {
	case DX_ODRIVE_HEARTBEAT:
		m->u.heartbeat.axis_error = dx__get_le32(d);
		m->u.heartbeat.state = d[4];
		m->u.heartbeat.result = d[5];
		m->u.heartbeat.traj_done = d[6] & 1;
		break;
	case DX_ODRIVE_GET_ERROR:
		m->u.error.active = dx__get_le32(d);
		m->u.error.disarm_reason = dx__get_le32(d + 4);
		break;
	case DX_ODRIVE_SET_AXIS_STATE:
		m->u.axis_state.state = dx__get_le32(d);
		break;
	case DX_ODRIVE_GET_ENCODER_ESTIMATES:
		m->u.encoder.pos = dx__get_lef(d);
		m->u.encoder.vel = dx__get_lef(d + 4);
		break;
	case DX_ODRIVE_SET_CONTROLLER_MODE:
		m->u.mode.control = dx__get_le32(d);
		m->u.mode.input = dx__get_le32(d + 4);
		break;
	case DX_ODRIVE_SET_INPUT_POS:
		m->u.input_pos.pos = dx__get_lef(d);
		m->u.input_pos.vel_ff =
			(float)((int16_t)(d[4] | d[5] << 8) * 0.001);
		m->u.input_pos.torque_ff =
			(float)((int16_t)(d[6] | d[7] << 8) * 0.001);
		break;
	case DX_ODRIVE_SET_INPUT_VEL:
		m->u.input_vel.vel = dx__get_lef(d);
		m->u.input_vel.torque_ff = dx__get_lef(d + 4);
		break;
	case DX_ODRIVE_SET_INPUT_TORQUE:
		m->u.input_torque.torque = dx__get_lef(d);
		break;
	case DX_ODRIVE_SET_LIMITS:
		m->u.limits.vel_limit = dx__get_lef(d);
		m->u.limits.current_limit = dx__get_lef(d + 4);
		break;
	case DX_ODRIVE_GET_TEMPERATURE:
		m->u.temperature.fet = dx__get_lef(d);
		m->u.temperature.motor = dx__get_lef(d + 4);
		break;
	case DX_ODRIVE_GET_TORQUES:
		m->u.torques.target = dx__get_lef(d);
		m->u.torques.estimate = dx__get_lef(d + 4);
		break;
	default:
		break;
	}
	return 0;
}

/* Error bit → fault, in order of precedence (supply before effects). */
static const struct {
	uint32_t bit;
	enum dx_drive_fault f;
} odrive_faults[] = {
	{0x00000100, DX_DRIVE_FAULT_OVERVOLTAGE},
	{0x00000200, DX_DRIVE_FAULT_UNDERVOLTAGE},
	{0x00000400, DX_DRIVE_FAULT_OVERCURRENT},
	{0x00000800, DX_DRIVE_FAULT_OVERVOLTAGE},   /* over-regen */
	{0x00001000, DX_DRIVE_FAULT_OVERCURRENT},   /* current limit */
	{0x00002000, DX_DRIVE_FAULT_MOTOR_OVERTEMP},
	{0x00004000, DX_DRIVE_FAULT_DRIVER_OVERTEMP},
	{0x00000020, DX_DRIVE_FAULT_INTERNAL},      /* DRV fault */
	{0x00000008, DX_DRIVE_FAULT_ENCODER},       /* missing estimate */
	{0x00008000, DX_DRIVE_FAULT_LIMIT},
	{0x00010000, DX_DRIVE_FAULT_LIMIT},
	{0x01000000, DX_DRIVE_FAULT_COMM_LOSS},     /* watchdog */
	{0x02000000, DX_DRIVE_FAULT_ESTOP},
	{0x04000000, DX_DRIVE_FAULT_STALL},         /* spinout */
	{0x40000000, DX_DRIVE_FAULT_CALIBRATION},
	{0x00000010, DX_DRIVE_FAULT_CONFIG},
	{0x10000000, DX_DRIVE_FAULT_MOTOR_OVERTEMP},/* thermistor lost */
	{0x00000040, DX_DRIVE_FAULT_COMM_LOSS},     /* missing input */
	{0x00000004, DX_DRIVE_FAULT_INTERNAL},      /* timing */
	{0x00000002, DX_DRIVE_FAULT_INTERNAL},      /* system level */
	{0x08000000, DX_DRIVE_FAULT_OTHER},         /* brake resistor */
};

DX_API enum dx_drive_fault dx_odrive_fault_decode(uint32_t errors)
{
	/* INITIALIZING (0x1) is a state, not a fault */
	errors &= ~UINT32_C(1);
	if (!errors)
		return DX_DRIVE_FAULT_NONE;
	for (size_t i = 0; i < DX_ARRAY_SIZE(odrive_faults); i++)
		if (errors & odrive_faults[i].bit)
			return odrive_faults[i].f;
	return DX_DRIVE_FAULT_OTHER;
}

DX_API uint32_t dx_odrive_fault_encode(enum dx_drive_fault f)
{
	if (f == DX_DRIVE_FAULT_NONE)
		return 0;
	for (size_t i = 0; i < DX_ARRAY_SIZE(odrive_faults); i++)
		if (odrive_faults[i].f == f)
			return odrive_faults[i].bit;
	return 0x08000000; /* no closer bit: reported as "other" */
}
