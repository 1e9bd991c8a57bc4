/* SPDX-License-Identifier: MIT */
/* Fuzz target: ODrive CANSimple codec. Input: model row (one byte), then
 * frames (fuzz-util.h layout), each followed by a command byte and 12
 * bytes of message payload for the encoder.
 *
 * Decoder: whatever decodes re-encodes (unless a float is not finite, which
 * the encoder refuses), and encode/decode reaches a fixed point after one
 * round. Encoder: a message built from arbitrary bytes either is refused or
 * gives a valid frame whose set-points decode inside the model's limits. */
#include <float.h>
#include <math.h>

#include <dexrt/drive.h>

#include "fuzz-util.h"

static float fz_float(struct fz *z)
{
	uint32_t u = fz_u32(z);
	float v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

static bool within(double v, double lim)
{
	/* the wire is float: allow its rounding of the limit */
	return isfinite(v) && fabs(v) <= lim * (1.0 + FLT_EPSILON);
}

static void decode_path(const struct dx_can_frame *f)
{
	struct dx_odrive_msg m, m2;
	struct dx_can_frame g, h;
	uint8_t node, cmd;
	int err;

	err = dx_odrive_decode(f, &m);
	FZ_CHECK(err <= 0);
	if (err)
		return;
	FZ_CHECK(dx_odrive_split_id(f, &node, &cmd) == 0);
	FZ_CHECK(m.node == node && m.node <= 63 && m.cmd == cmd);
	err = dx_odrive_encode(NULL, &m, &g, NULL);
	if (err == DX_ENOTFINITE || err == DX_ERANGE)
		return; /* NaN/Inf floats, negative limits: refused to send */
	if (err) {
		fz_dump_frame("decoded frame does not encode", f);
		abort();
	}
	FZ_CHECK(dx_can_frame_check(&g) == 0);
	FZ_CHECK(dx_odrive_decode(&g, &m2) == 0);
	FZ_CHECK(dx_odrive_encode(NULL, &m2, &h, NULL) == 0);
	if (!fz_frame_eq(&g, &h)) {
		fz_dump_frame("first encoding", &g);
		fz_dump_frame("second encoding", &h);
		abort();
	}
	(void)dx_odrive_fault_decode(dx_can_frame_check(f) ? 0 : f->id);
}

static void encode_path(const struct dx_odrive_model *model, struct fz *z)
{
	static const uint8_t cmds[] = {
		DX_ODRIVE_HEARTBEAT, DX_ODRIVE_ESTOP, DX_ODRIVE_GET_ERROR,
		DX_ODRIVE_SET_AXIS_STATE, DX_ODRIVE_GET_ENCODER_ESTIMATES,
		DX_ODRIVE_SET_CONTROLLER_MODE, DX_ODRIVE_SET_INPUT_POS,
		DX_ODRIVE_SET_INPUT_VEL, DX_ODRIVE_SET_INPUT_TORQUE,
		DX_ODRIVE_SET_LIMITS, DX_ODRIVE_GET_TEMPERATURE,
		DX_ODRIVE_CLEAR_ERRORS, DX_ODRIVE_GET_TORQUES,
	};
	struct dx_odrive_msg m, d;
	struct dx_can_frame g;
	unsigned clamped = 0;
	uint8_t sel = fz_u8(z);
	int err;

	memset(&m, 0, sizeof(m));
	/* mostly known commands, sometimes any 5-bit (or larger) value */
	m.cmd = sel < 0xe0 ? cmds[sel % sizeof(cmds)] : (uint8_t)(sel - 0xe0);
	m.node = fz_u8(z);
	m.rtr = m.node & 0x80;
	m.node &= 0x7f;
	m.u.input_pos.pos = fz_float(z);
	m.u.input_pos.vel_ff = fz_float(z);
	m.u.input_pos.torque_ff = fz_float(z);
	if (m.cmd == DX_ODRIVE_HEARTBEAT) {
		/* the bytes under traj_done are not a valid bool */
		uint8_t b;

		memcpy(&b, &m.u.heartbeat.traj_done, 1);
		m.u.heartbeat.traj_done = b & 1;
	}
	err = dx_odrive_encode(model, &m, &g, &clamped);
	if (m.node > 63) {
		FZ_CHECK(err == DX_EINVAL);
		return;
	}
	if (err)
		return;
	FZ_CHECK(dx_can_frame_check(&g) == 0);
	FZ_CHECK(dx_odrive_decode(&g, &d) == 0);
	FZ_CHECK(d.node == m.node && d.cmd == m.cmd && d.rtr == m.rtr);
	if (m.rtr)
		return;
	switch (m.cmd) {
	case DX_ODRIVE_SET_INPUT_POS:
		FZ_CHECK(within(d.u.input_pos.pos, model->pos_max));
		FZ_CHECK(within(d.u.input_pos.vel_ff, model->vel_max));
		FZ_CHECK(within(d.u.input_pos.torque_ff, model->torque_max));
		break;
	case DX_ODRIVE_SET_INPUT_VEL:
		FZ_CHECK(within(d.u.input_vel.vel, model->vel_max));
		FZ_CHECK(within(d.u.input_vel.torque_ff, model->torque_max));
		break;
	case DX_ODRIVE_SET_INPUT_TORQUE:
		FZ_CHECK(within(d.u.input_torque.torque, model->torque_max));
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = { data, size };
	const struct dx_odrive_model *model;
	struct dx_can_frame f;

	FZ_CHECK(dx_odrive_model_count() > 0);
	model = dx_odrive_model_at(fz_u8(&z) % dx_odrive_model_count());
	while (fz_frame(&z, &f)) {
		decode_path(&f);
		encode_path(model, &z);
	}
	return 0;
}
