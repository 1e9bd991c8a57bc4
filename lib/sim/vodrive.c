/* SPDX-License-Identifier: MIT */
/* Virtual ODrive (CANSimple device side). Simplification: the control mode
 * follows the last Set_Input_* message received (a real ODrive needs
 * Set_Controller_Mode first). Loops: velocity setpoint = pos_gain
 * (p_des − p) + v_ff, torque = vel_gain (v_sp − v) + τ_ff, in closed-loop
 * control only. */
#include "vdrive-priv.h"

#define TURN (2 * M_PI)

double dx__vodrive_torque(const struct dx_vdrive *v)
{
	const struct dx_drive_cmd *c = &v->cmd;
	double p = dx_vdrive_position(v), vsp;

	if (v->axis_state != DX_ODRIVE_STATE_CLOSED_LOOP ||
	    v->fault != DX_DRIVE_FAULT_NONE)
		return 0.0;
	switch (c->mode) {
	case DX_ODRIVE_CTRL_TORQUE:
		return c->tau;
	case DX_ODRIVE_CTRL_VELOCITY:
		return v->vel_gain * (c->vel - v->motor.vel) + c->tau;
	default:
		vsp = v->pos_gain * (c->pos - p) + c->vel;
		return v->vel_gain * (vsp - v->motor.vel) + c->tau;
	}
}

static int reply(struct dx_vdrive *v, uint8_t cmd, struct dx_can_frame *out,
		 size_t max)
{
	struct dx_odrive_msg m;

	if (max < 1)
		return DX_ENOSPC;
	memset(&m, 0, sizeof(m));
	m.node = v->desc.id;
	m.cmd = cmd;
	switch (cmd) {
	case DX_ODRIVE_HEARTBEAT:
		m.u.heartbeat.axis_error = dx_odrive_fault_encode(v->fault);
		m.u.heartbeat.state = v->axis_state;
		break;
	case DX_ODRIVE_GET_ERROR:
		m.u.error.active = dx_odrive_fault_encode(v->fault);
		break;
	case DX_ODRIVE_GET_ENCODER_ESTIMATES:
		m.u.encoder.pos = (float)(dx_vdrive_position(v) / TURN);
		m.u.encoder.vel = (float)(v->motor.vel / TURN);
		break;
	case DX_ODRIVE_GET_TEMPERATURE:
		m.u.temperature.fet = (float)v->motor.temp_c;
		m.u.temperature.motor = (float)v->motor.temp_c;
		break;
	case DX_ODRIVE_GET_TORQUES:
		m.u.torques.target = (float)v->cmd.tau;
		m.u.torques.estimate = (float)v->motor.tau;
		break;
	default:
		return 0;
	}
	return dx_odrive_encode(NULL, &m, out, NULL) ? 0 : 1;
}

int dx__vodrive_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
		       struct dx_can_frame *out, size_t max)
{
	struct dx_odrive_msg m;
	int err;

	if ((in->flags & DX_CAN_EXT) || (in->id >> 5) != v->desc.id)
		return 0;
	v->rx_frames++;
	err = dx_odrive_decode(in, &m);
	if (err) {
		v->rx_ignored++;
		return 0;
	}
	if (m.rtr)
		return reply(v, m.cmd, out, max);
	/* a drive ignores setpoints that are not numbers */
	if ((m.cmd == DX_ODRIVE_SET_INPUT_POS &&
	     (!dx_isfinite(m.u.input_pos.pos) ||
	      !dx_isfinite(m.u.input_pos.vel_ff) ||
	      !dx_isfinite(m.u.input_pos.torque_ff))) ||
	    (m.cmd == DX_ODRIVE_SET_INPUT_VEL &&
	     (!dx_isfinite(m.u.input_vel.vel) ||
	      !dx_isfinite(m.u.input_vel.torque_ff))) ||
	    (m.cmd == DX_ODRIVE_SET_INPUT_TORQUE &&
	     !dx_isfinite(m.u.input_torque.torque))) {
		v->rx_ignored++;
		return 0;
	}
	switch (m.cmd) {
	case DX_ODRIVE_SET_INPUT_POS:
		v->cmd.mode = DX_ODRIVE_CTRL_POSITION;
		v->cmd.pos = m.u.input_pos.pos * TURN;
		v->cmd.vel = m.u.input_pos.vel_ff * TURN;
		v->cmd.tau = m.u.input_pos.torque_ff;
		break;
	case DX_ODRIVE_SET_INPUT_VEL:
		v->cmd.mode = DX_ODRIVE_CTRL_VELOCITY;
		v->cmd.vel = m.u.input_vel.vel * TURN;
		v->cmd.tau = m.u.input_vel.torque_ff;
		break;
	case DX_ODRIVE_SET_INPUT_TORQUE:
		v->cmd.mode = DX_ODRIVE_CTRL_TORQUE;
		v->cmd.tau = m.u.input_torque.torque;
		break;
	case DX_ODRIVE_SET_AXIS_STATE:
		if (m.u.axis_state.state == DX_ODRIVE_STATE_CLOSED_LOOP &&
		    dx__vdrive_fault(v) == DX_DRIVE_FAULT_NONE)
			v->axis_state = DX_ODRIVE_STATE_CLOSED_LOOP;
		else if (m.u.axis_state.state == DX_ODRIVE_STATE_IDLE)
			v->axis_state = DX_ODRIVE_STATE_IDLE;
		break;
	case DX_ODRIVE_ESTOP:
		v->injected = DX_DRIVE_FAULT_ESTOP;
		v->axis_state = DX_ODRIVE_STATE_IDLE;
		break;
	case DX_ODRIVE_CLEAR_ERRORS:
		if (v->injected == DX_DRIVE_FAULT_ESTOP)
			v->injected = DX_DRIVE_FAULT_NONE;
		if (dx__vdrive_can_clear(v))
			v->motor.thermal_fault = false;
		break;
	default:
		break;
	}
	v->fault = dx__vdrive_fault(v);
	if (v->fault != DX_DRIVE_FAULT_NONE)
		v->axis_state = DX_ODRIVE_STATE_IDLE;
	v->enabled = v->axis_state == DX_ODRIVE_STATE_CLOSED_LOOP;
	return 0;
}

int dx__vodrive_tick(struct dx_vdrive *v, double dt, struct dx_can_frame *out,
		     size_t max)
{
	if (v->fault != DX_DRIVE_FAULT_NONE)
		v->axis_state = DX_ODRIVE_STATE_IDLE;
	v->enabled = v->axis_state == DX_ODRIVE_STATE_CLOSED_LOOP;
	if (!(v->heartbeat_s > 0))
		return 0;
	v->hb_elapsed += dt;
	if (v->hb_elapsed < v->heartbeat_s)
		return 0;
	v->hb_elapsed = 0;
	return reply(v, DX_ODRIVE_HEARTBEAT, out, max);
}
