/* SPDX-License-Identifier: MIT */
/* Drive decoders for `dx dump --decode`: device descriptions in the
 * `dx sim --device` syntax; each frame is offered to every device in both
 * directions (host commands and drive replies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/drive.h>

#include "dx.h"

#define MAX_DEV 32

struct dx_tool_decoder {
	int n;
	struct dx_drive_desc d[MAX_DEV];
};

struct dx_tool_decoder *dx_tool_decoder_new(int ndev, char **devspecs)
{
	struct dx_tool_decoder *dec;

	if (ndev < 1 || ndev > MAX_DEV) {
		fprintf(stderr, "dx: 1 to %d device descriptions\n", MAX_DEV);
		return NULL;
	}
	dec = calloc(1, sizeof(*dec));
	if (!dec)
		return NULL;
	for (int i = 0; i < ndev; i++) {
		int err = dx_drive_desc_parse(devspecs[i], &dec->d[i]);
		if (err) {
			fprintf(stderr, "dx: device '%s': %s (expected e.g. "
				"mit:dm-j4310:id=1, odrive:default:id=3, "
				"cia402:generic:id=5)\n", devspecs[i],
				err == DX_ENOENT ? "unknown model" :
						   "bad description");
			free(dec);
			return NULL;
		}
	}
	dec->n = ndev;
	return dec;
}

void dx_tool_decoder_free(struct dx_tool_decoder *d)
{
	free(d);
}

static const char *special_name(enum dx_mit_special s)
{
	switch (s) {
	case DX_MIT_ENABLE: return "enable";
	case DX_MIT_DISABLE: return "disable";
	case DX_MIT_SET_ZERO: return "set zero";
	case DX_MIT_CLEAR_FAULT: return "clear fault";
	default: return "command";
	}
}

static int describe_mit(const struct dx_drive_desc *d,
			const struct dx_can_frame *f, char *buf, size_t size)
{
	const struct dx_mit_model *m = d->model;
	struct dx_mit_addr a = {m, d->id, d->master};
	enum dx_mit_special s;
	struct dx_mit_cmd c;
	struct dx_mit_fb fb;

	if (dx_mit_decode_reply(&a, f, &fb) == 0)
		return snprintf(buf, size, "%s id %u reply: pos %.4f rad vel "
				"%.3f rad/s tau %.3f N·m temp %.0f °C%s%s "
				"(code 0x%x)", m->name, d->id, fb.pos, fb.vel,
				fb.tau, fb.temp_c, fb.fault ? " fault " : "",
				fb.fault ? dx_drive_fault_name(fb.fault) : "",
				fb.vendor_code);
	if (m->family == DX_MIT_DAMIAO) {
		enum dx_dm_mode mode;
		double p = 0, v = 0;
		if (dx_dm_decode_mode_cmd(&a, f, &mode, &p, &v) == 0)
			return mode == DX_DM_MODE_POSVEL ?
				snprintf(buf, size, "%s id %u position-velocity: "
					 "pos %.4f rad at most %.3f rad/s",
					 m->name, d->id, p, v) :
				snprintf(buf, size, "%s id %u velocity: %.3f rad/s",
					 m->name, d->id, v);
	}
	if (dx_mit_decode_cmd(&a, f, &s, &c) == 0) {
		if (s != DX_MIT_NONE)
			return snprintf(buf, size, "%s id %u %s", m->name,
					d->id, special_name(s));
		return snprintf(buf, size, "%s id %u command: pos %.4f vel %.3f "
				"kp %.2f kd %.3f tau %.3f", m->name, d->id,
				c.pos, c.vel, c.kp, c.kd, c.tau);
	}
	return 0;
}

static int describe_odrive(const struct dx_drive_desc *d,
			   const struct dx_can_frame *f, char *buf, size_t size)
{
	struct dx_odrive_msg m;
	uint8_t node, cmd;

	if (dx_odrive_split_id(f, &node, &cmd) || node != d->id)
		return 0;
	if (dx_odrive_decode(f, &m))
		return snprintf(buf, size, "odrive %u cmd 0x%02x (unknown or "
				"bad length)", node, cmd);
	if (m.rtr)
		return snprintf(buf, size, "odrive %u request cmd 0x%02x", node,
				cmd);
	switch (cmd) {
	case DX_ODRIVE_HEARTBEAT:
		return snprintf(buf, size, "odrive %u heartbeat: state %u errors "
				"0x%08x (%s)", node, m.u.heartbeat.state,
				m.u.heartbeat.axis_error,
				dx_drive_fault_name(dx_odrive_fault_decode(
					m.u.heartbeat.axis_error)));
	case DX_ODRIVE_GET_ENCODER_ESTIMATES:
		return snprintf(buf, size, "odrive %u encoder: pos %.5f turns "
				"vel %.4f turns/s", node, m.u.encoder.pos,
				m.u.encoder.vel);
	case DX_ODRIVE_SET_INPUT_POS:
		return snprintf(buf, size, "odrive %u input pos %.5f turns vel_ff "
				"%.3f torque_ff %.3f", node, m.u.input_pos.pos,
				m.u.input_pos.vel_ff, m.u.input_pos.torque_ff);
	case DX_ODRIVE_SET_INPUT_VEL:
		return snprintf(buf, size, "odrive %u input vel %.4f turns/s "
				"torque_ff %.3f", node, m.u.input_vel.vel,
				m.u.input_vel.torque_ff);
	case DX_ODRIVE_SET_INPUT_TORQUE:
		return snprintf(buf, size, "odrive %u input torque %.4f N·m",
				node, m.u.input_torque.torque);
	case DX_ODRIVE_SET_AXIS_STATE:
		return snprintf(buf, size, "odrive %u set axis state %u", node,
				m.u.axis_state.state);
	case DX_ODRIVE_GET_ERROR:
		return snprintf(buf, size, "odrive %u errors 0x%08x disarm 0x%08x",
				node, m.u.error.active, m.u.error.disarm_reason);
	default:
		return snprintf(buf, size, "odrive %u cmd 0x%02x", node, cmd);
	}
}

static int describe_cia402(const struct dx_drive_desc *d,
			   const struct dx_can_frame *f, char *buf, size_t size)
{
	const struct dx_cia402_model *m = d->model;
	struct dx_cia402_in in;
	struct dx_cia402_out o;
	struct dx_sdo s;
	int r;

	if (f->flags & (DX_CAN_EXT | DX_CAN_ERR))
		return 0;
	if (f->id == DX_CO_NMT && f->len == 2 &&
	    (f->data[1] == 0 || f->data[1] == d->id))
		return snprintf(buf, size, "NMT 0x%02x to node %u", f->data[0],
				f->data[1]);
	if (f->id == DX_CO_SYNC && f->len == 0)
		return snprintf(buf, size, "SYNC");
	if (f->id == DX_CO_EMCY + d->id && f->len >= 2) {
		uint16_t code = (uint16_t)(f->data[0] | f->data[1] << 8);
		return snprintf(buf, size, "node %u EMCY 0x%04x (%s)", d->id,
				code, dx_drive_fault_name(
					dx_cia402_fault_decode(code)));
	}
	if (f->id == DX_CO_HEARTBEAT + d->id && f->len == 1)
		return snprintf(buf, size, "node %u heartbeat state 0x%02x",
				d->id, f->data[0]);
	if (dx_sdo_decode(f, &s) == 0 && s.node == d->id) {
		static const char *const k[] = {"?", "read", "read reply",
						 "write", "write ok", "abort"};
		if (s.kind == DX_SDO_ABORT)
			return snprintf(buf, size, "node %u SDO abort 0x%04x:%u "
					"0x%08x (%s)", d->id, s.index, s.sub,
					s.value, dx_sdo_abort_name(s.value));
		return snprintf(buf, size, "node %u SDO %s 0x%04x:%u = 0x%x",
				d->id, k[s.kind], s.index, s.sub, s.value);
	}
	memset(&in, 0, sizeof(in));
	r = dx_cia402_decode_tpdo(m, d->id, f, &in);
	if (r == 1)
		return snprintf(buf, size, "node %u TPDO1: %s, mode %d, pos %.5f "
				"rad", d->id, dx_cia402_state_name(
					dx_cia402_state_decode(in.statusword)),
				in.mode_display, in.pos);
	if (r == 2)
		return snprintf(buf, size, "node %u TPDO2: vel %.4f rad/s tau "
				"%.3f N·m error 0x%04x", d->id, in.vel, in.tau,
				in.error_code);
	memset(&o, 0, sizeof(o));
	r = dx_cia402_decode_rpdo(m, d->id, f, &o);
	if (r == 1)
		return snprintf(buf, size, "node %u RPDO1: controlword 0x%04x "
				"mode %d target pos %.5f rad", d->id,
				o.controlword, o.mode, o.pos);
	if (r == 2)
		return snprintf(buf, size, "node %u RPDO2: target vel %.4f "
				"tau %.3f", d->id, o.vel, o.tau);
	return 0;
}

int dx_tool_decoder_describe(struct dx_tool_decoder *d,
			     const struct dx_can_frame *f, char *buf,
			     size_t size)
{
	if (!d || !f || !buf || size == 0)
		return -1;
	for (int i = 0; i < d->n; i++) {
		int n = 0;
		switch (d->d[i].proto) {
		case DX_DRIVE_MIT:
			n = describe_mit(&d->d[i], f, buf, size);
			break;
		case DX_DRIVE_ODRIVE:
			n = describe_odrive(&d->d[i], f, buf, size);
			break;
		case DX_DRIVE_CIA402:
			n = describe_cia402(&d->d[i], f, buf, size);
			break;
		}
		if (n > 0)
			return n >= (int)size ? (int)size - 1 : n;
	}
	return 0;
}
