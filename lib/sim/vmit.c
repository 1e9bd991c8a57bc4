/* SPDX-License-Identifier: MIT */
/* Virtual MIT-style drive (CubeMars AK, Damiao DM, Robstride): device side
 * of the codecs in lib/drive/mit.c. The drive runs the impedance law
 * τ = kp (p_des − p) + kd (v_des − v) + τ_ff on its encoder, answers every
 * command and special frame with one reply, and reports faults with the
 * family's vendor code. */
#include "vdrive-priv.h"

static struct dx_mit_addr addr(const struct dx_vdrive *v)
{
	struct dx_mit_addr a = {v->desc.model, v->desc.id, v->desc.master};
	return a;
}

double dx__vmit_torque(const struct dx_vdrive *v)
{
	const struct dx_drive_cmd *c = &v->cmd;
	double p;

	if (!v->enabled || v->fault != DX_DRIVE_FAULT_NONE)
		return 0.0;
	p = dx_vdrive_position(v);
	if (c->mode == DX_DM_MODE_POSVEL) {
		/* Damiao position-velocity mode: cascaded position/velocity
		 * loops with the commanded speed as the limit */
		double vsp = v->pos_gain * (c->pos - p);
		vsp = vsp > c->vel ? c->vel : vsp < -c->vel ? -c->vel : vsp;
		return v->vel_gain * (vsp - v->motor.vel);
	}
	if (c->mode == DX_DM_MODE_VEL)
		return v->vel_gain * (c->vel - v->motor.vel);
	return c->kp * (c->pos - p) + c->kd * (c->vel - v->motor.vel) + c->tau;
}

static void clear_fault(struct dx_vdrive *v)
{
	if (dx__vdrive_can_clear(v)) {
		v->motor.thermal_fault = false;
		v->fault = DX_DRIVE_FAULT_NONE;
	}
}

int dx__vmit_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
		    struct dx_can_frame *out, size_t max)
{
	struct dx_mit_addr a = addr(v);
	const struct dx_mit_model *m = v->desc.model;
	enum dx_mit_special s;
	struct dx_mit_cmd c;
	struct dx_mit_fb fb;
	int err;

	if (m->family == DX_MIT_DAMIAO) {
		enum dx_dm_mode mode;
		double pos = 0, vel = 0;
		err = dx_dm_decode_mode_cmd(&a, in, &mode, &pos, &vel);
		if (err == 0) {
			v->cmd.mode = (int)mode;
			v->cmd.pos = pos;
			v->cmd.vel = vel;
			s = DX_MIT_NONE;
			goto reply;
		}
	}
	err = dx_mit_decode_cmd(&a, in, &s, &c);
	if (err == DX_ENOENT)
		return 0;
	v->rx_frames++;
	if (err) {
		v->rx_ignored++;
		return 0;
	}
	switch (s) {
	case DX_MIT_NONE:
		v->cmd.mode = DX_DM_MODE_MIT;
		v->cmd.pos = c.pos, v->cmd.vel = c.vel, v->cmd.kp = c.kp;
		v->cmd.kd = c.kd, v->cmd.tau = c.tau;
		break;
	case DX_MIT_ENABLE:
		/* CubeMars has no clear command: entering the mode again
		 * clears a fault whose cause is gone */
		if (m->family == DX_MIT_CUBEMARS)
			clear_fault(v);
		v->enabled = dx__vdrive_fault(v) == DX_DRIVE_FAULT_NONE ||
			     m->family == DX_MIT_CUBEMARS;
		break;
	case DX_MIT_DISABLE:
		v->enabled = false;
		break;
	case DX_MIT_SET_ZERO:
		v->zero = dx_vmotor_encoder_pos(&v->motor);
		break;
	case DX_MIT_CLEAR_FAULT:
		clear_fault(v);
		break;
	}
reply:
	v->fault = dx__vdrive_fault(v);
	if (v->fault != DX_DRIVE_FAULT_NONE && m->family != DX_MIT_CUBEMARS)
		v->enabled = false;
	if (max < 1)
		return DX_ENOSPC;
	memset(&fb, 0, sizeof(fb));
	fb.pos = dx_vdrive_position(v);
	fb.vel = v->motor.vel;
	fb.tau = v->motor.tau;
	fb.temp_c = v->motor.temp_c;
	fb.temp2_c = v->motor.temp_c;
	fb.fault = v->fault;
	fb.enabled = v->enabled;
	fb.vendor_code = dx_mit_fault_encode(m->family, v->fault, v->enabled);
	/* a fault that this family cannot name is sent as its generic code */
	if (v->fault != DX_DRIVE_FAULT_NONE &&
	    dx_mit_fault_decode(m->family, fb.vendor_code) ==
		    DX_DRIVE_FAULT_NONE)
		fb.vendor_code = m->family == DX_MIT_DAMIAO ? 0xf :
				 m->family == DX_MIT_CUBEMARS ? 0xff : 0x20;
	if (fb.vendor_code == 0)
		fb.fault = DX_DRIVE_FAULT_NONE, fb.enabled = false;
	err = dx_mit_encode_reply(&a, &fb, &out[0], NULL);
	return err ? err : 1;
}
