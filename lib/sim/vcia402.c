/* SPDX-License-Identifier: MIT */
/* Virtual CiA 402 drive over CiA 301: NMT, SYNC-triggered TPDOs, RPDOs,
 * expedited SDO server with abort codes, EMCY on faults, heartbeat, and
 * the drive state machine with cyclic synchronous position, velocity and
 * torque modes. PDOs are processed in NMT operational only (CiA 301
 * §7.3.2.2); SDOs in pre-operational and operational. */
#include "vdrive-priv.h"

static const struct dx_cia402_model *model(const struct dx_vdrive *v)
{
	return v->desc.model;
}

double dx__vcia402_torque(struct dx_vdrive *v)
{
	const struct dx_drive_cmd *c = &v->cmd;
	double vsp;

	switch (v->cia_state) {
	case DX_CIA402_OPERATION_ENABLED:
		switch (v->mode) {
		case DX_CIA402_MODE_CST:
			return c->tau;
		case DX_CIA402_MODE_CSV:
			return v->vel_gain * (c->vel - v->motor.vel) + c->tau;
		case DX_CIA402_MODE_CSP:
			vsp = v->pos_gain * (c->pos - dx_vdrive_position(v)) +
			      c->vel;
			return v->vel_gain * (vsp - v->motor.vel) + c->tau;
		default:
			return 0.0;
		}
	case DX_CIA402_QUICK_STOP_ACTIVE:
		/* brake to standstill, then transition 12 (quick stop option
		 * code 2: slow down on quick stop ramp, then switch on
		 * disabled) */
		if (fabs(v->motor.vel) < 1e-3) {
			v->cia_state = DX_CIA402_SWITCH_ON_DISABLED;
			return 0.0;
		}
		return -4.0 * v->vel_gain * v->motor.vel;
	default:
		return 0.0;
	}
}

static void enter_fault(struct dx_vdrive *v)
{
	if (v->cia_state == DX_CIA402_FAULT ||
	    v->cia_state == DX_CIA402_FAULT_REACTION_ACTIVE)
		return;
	/* 13: fault reaction (torque off), then 14 once it has finished */
	v->cia_state = DX_CIA402_FAULT_REACTION_ACTIVE;
	v->emcy_pending = true;
}

static void apply_cw(struct dx_vdrive *v, uint16_t cw)
{
	enum dx_cia402_state s = (enum dx_cia402_state)v->cia_state;
	enum dx_cia402_state n = dx_cia402_transition(s, cw, v->prev_cw);

	/* 15 only once the cause is gone */
	if (s == DX_CIA402_FAULT && n != s) {
		if (dx__vdrive_can_clear(v))
			v->motor.thermal_fault = false;
		else
			n = s;
	}
	if (s == DX_CIA402_FAULT_REACTION_ACTIVE)
		n = s; /* the device finishes the reaction itself */
	v->cia_state = (uint8_t)n;
	v->prev_cw = cw;
	v->controlword = cw;
	v->enabled = n == DX_CIA402_OPERATION_ENABLED;
}

static void fill_in(const struct dx_vdrive *v, struct dx_cia402_in *in)
{
	in->statusword = dx_cia402_state_encode(
		(enum dx_cia402_state)v->cia_state);
	in->mode_display = v->mode;
	in->pos = dx_vdrive_position(v);
	in->vel = v->motor.vel;
	in->tau = v->motor.tau;
	in->error_code = dx_cia402_fault_encode(v->fault);
}

/* ---- SDO server ----------------------------------------------------------- */

struct od_entry {
	uint16_t index;
	uint8_t size;
	bool writable;
};

static const struct od_entry od[] = {
	{0x1000, 4, false}, {0x1017, 2, true},
	{DX_CIA402_ERROR_CODE, 2, false},
	{DX_CIA402_CONTROLWORD, 2, true}, {DX_CIA402_STATUSWORD, 2, false},
	{DX_CIA402_MODE, 1, true}, {DX_CIA402_MODE_DISPLAY, 1, false},
	{DX_CIA402_POS_ACTUAL, 4, false}, {DX_CIA402_VEL_ACTUAL, 4, false},
	{DX_CIA402_TORQUE_TARGET, 2, true}, {DX_CIA402_TORQUE_ACTUAL, 2, false},
	{DX_CIA402_POS_TARGET, 4, true}, {DX_CIA402_VEL_TARGET, 4, true},
};

static uint32_t od_read(const struct dx_vdrive *v, uint16_t index)
{
	const struct dx_cia402_model *m = model(v);
	struct dx_cia402_in in;

	fill_in(v, &in);
	switch (index) {
	case 0x1000: return 0x00020192; /* CiA 402, servo drive */
	case 0x1017: return (uint32_t)lrint(v->heartbeat_s * 1000.0);
	case DX_CIA402_ERROR_CODE: return in.error_code;
	case DX_CIA402_CONTROLWORD: return v->controlword;
	case DX_CIA402_STATUSWORD: return in.statusword;
	case DX_CIA402_MODE: return (uint8_t)v->mode;
	case DX_CIA402_MODE_DISPLAY: return (uint8_t)v->mode;
	case DX_CIA402_POS_ACTUAL:
		return (uint32_t)(int32_t)lrint(in.pos * m->counts_per_rad);
	case DX_CIA402_VEL_ACTUAL:
		return (uint32_t)(int32_t)lrint(in.vel * m->vel_counts_per_rad_s);
	case DX_CIA402_TORQUE_ACTUAL:
		return (uint16_t)(int16_t)lrint(in.tau / m->rated_torque * 1e3);
	case DX_CIA402_TORQUE_TARGET:
		return (uint16_t)(int16_t)lrint(v->cmd.tau / m->rated_torque *
						1e3);
	case DX_CIA402_POS_TARGET:
		return (uint32_t)(int32_t)lrint(v->cmd.pos * m->counts_per_rad);
	case DX_CIA402_VEL_TARGET:
		return (uint32_t)(int32_t)lrint(v->cmd.vel *
						m->vel_counts_per_rad_s);
	default: return 0;
	}
}

/* Returns 0 or an abort code. */
static uint32_t od_write(struct dx_vdrive *v, uint16_t index, uint32_t val)
{
	const struct dx_cia402_model *m = model(v);

	switch (index) {
	case 0x1017:
		v->heartbeat_s = (double)(uint16_t)val * 1e-3;
		return 0;
	case DX_CIA402_CONTROLWORD:
		apply_cw(v, (uint16_t)val);
		return 0;
	case DX_CIA402_MODE: {
		int8_t mode = (int8_t)val;
		if (mode != DX_CIA402_MODE_CSP && mode != DX_CIA402_MODE_CSV &&
		    mode != DX_CIA402_MODE_CST)
			return DX_SDO_ABORT_RANGE;
		v->mode = mode;
		return 0;
	}
	case DX_CIA402_TORQUE_TARGET: {
		double t = (int16_t)val * m->rated_torque / 1e3;
		if (fabs(t) > m->torque_max)
			return DX_SDO_ABORT_RANGE;
		v->cmd.tau = t;
		return 0;
	}
	case DX_CIA402_POS_TARGET: {
		double p = (int32_t)val / m->counts_per_rad;
		if (fabs(p) > m->pos_max)
			return DX_SDO_ABORT_RANGE;
		v->cmd.pos = p;
		return 0;
	}
	case DX_CIA402_VEL_TARGET: {
		double w = (int32_t)val / m->vel_counts_per_rad_s;
		if (fabs(w) > m->vel_max)
			return DX_SDO_ABORT_RANGE;
		v->cmd.vel = w;
		return 0;
	}
	default:
		return DX_SDO_ABORT_GENERAL;
	}
}

static int sdo_server(struct dx_vdrive *v, const struct dx_can_frame *in,
		      struct dx_can_frame *out)
{
	const struct od_entry *e = NULL;
	struct dx_sdo q, r;
	uint32_t abort = 0;

	memset(&r, 0, sizeof(r));
	r.node = v->desc.id;
	if (dx_sdo_decode(in, &q)) {
		/* unknown or segmented command specifier */
		r.kind = DX_SDO_ABORT;
		r.index = (uint16_t)(in->len >= 3 ? in->data[1] | in->data[2] << 8
						  : 0);
		r.sub = in->len >= 4 ? in->data[3] : 0;
		r.value = DX_SDO_ABORT_CS;
		return dx_sdo_encode(&r, out) ? 0 : 1;
	}
	if (q.kind == DX_SDO_ABORT)
		return 0; /* the client gave up: nothing to answer */
	r.index = q.index;
	r.sub = q.sub;
	for (size_t i = 0; i < DX_ARRAY_SIZE(od); i++)
		if (od[i].index == q.index)
			e = &od[i];
	if (!e)
		abort = DX_SDO_ABORT_NO_OBJECT;
	else if (q.sub != 0)
		abort = DX_SDO_ABORT_NO_SUB;
	else if (q.kind == DX_SDO_DOWNLOAD_REQ && !e->writable)
		abort = DX_SDO_ABORT_READ_ONLY;
	else if (q.kind == DX_SDO_DOWNLOAD_REQ && q.size != e->size)
		abort = DX_SDO_ABORT_TYPE_LEN;
	if (!abort && q.kind == DX_SDO_DOWNLOAD_REQ)
		abort = od_write(v, q.index, q.value);
	if (abort) {
		r.kind = DX_SDO_ABORT;
		r.value = abort;
	} else if (q.kind == DX_SDO_DOWNLOAD_REQ) {
		r.kind = DX_SDO_DOWNLOAD_RESP;
	} else if (q.kind == DX_SDO_UPLOAD_REQ) {
		r.kind = DX_SDO_UPLOAD_RESP;
		r.size = e->size;
		r.value = od_read(v, q.index);
	} else {
		return 0;
	}
	return dx_sdo_encode(&r, out) ? 0 : 1;
}

int dx__vcia402_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
		       struct dx_can_frame *out, size_t max)
{
	uint8_t node = v->desc.id;
	struct dx_cia402_out o;
	int r;

	if (in->flags & (DX_CAN_EXT | DX_CAN_ERR))
		return 0;
	if (max < 2)
		return DX_ENOSPC;
	if (in->id == DX_CO_NMT) {
		if (in->len != 2 || (in->data[1] != 0 && in->data[1] != node))
			return 0;
		v->rx_frames++;
		switch (in->data[0]) {
		case DX_NMT_START: v->nmt = DX_NMT_OPERATIONAL; break;
		case DX_NMT_STOP: v->nmt = DX_NMT_STOPPED; break;
		case DX_NMT_PREOP: v->nmt = DX_NMT_PRE_OPERATIONAL; break;
		case DX_NMT_RESET_NODE:
		case DX_NMT_RESET_COMM:
			v->nmt = DX_NMT_PRE_OPERATIONAL;
			if (in->data[0] == DX_NMT_RESET_NODE) {
				v->cia_state = DX_CIA402_SWITCH_ON_DISABLED;
				v->enabled = false;
				v->prev_cw = v->controlword = 0;
			}
			return dx_co_heartbeat(node, DX_NMT_BOOTUP, out) ? 0 : 1;
		default: v->rx_ignored++; break;
		}
		return 0;
	}
	if (in->id == DX_CO_SYNC && in->len == 0) {
		struct dx_cia402_in st;
		if (v->nmt != DX_NMT_OPERATIONAL)
			return 0;
		v->rx_frames++;
		fill_in(v, &st);
		return dx_cia402_encode_tpdos(model(v), node, &st, out) ? 0 : 2;
	}
	if (in->id == DX_CO_SDO_RX + node) {
		v->rx_frames++;
		if (v->nmt == DX_NMT_STOPPED)
			return 0;
		return sdo_server(v, in, out);
	}
	memset(&o, 0, sizeof(o));
	o.pos = v->cmd.pos, o.vel = v->cmd.vel, o.tau = v->cmd.tau;
	r = dx_cia402_decode_rpdo(model(v), node, in, &o);
	if (r == DX_ENOENT)
		return 0;
	v->rx_frames++;
	if (r < 0 || v->nmt != DX_NMT_OPERATIONAL) {
		v->rx_ignored++;
		return 0;
	}
	if (r == 1) {
		if (o.mode == DX_CIA402_MODE_CSP || o.mode == DX_CIA402_MODE_CSV ||
		    o.mode == DX_CIA402_MODE_CST)
			v->mode = o.mode;
		v->cmd.pos = o.pos;
		apply_cw(v, o.controlword);
	} else {
		v->cmd.vel = o.vel;
		v->cmd.tau = o.tau;
	}
	return 0;
}

int dx__vcia402_tick(struct dx_vdrive *v, double dt, struct dx_can_frame *out,
		     size_t max)
{
	int n = 0;

	if (v->fault != DX_DRIVE_FAULT_NONE)
		enter_fault(v);
	if (v->cia_state == DX_CIA402_FAULT_REACTION_ACTIVE)
		v->cia_state = DX_CIA402_FAULT; /* 14: torque is already off */
	v->enabled = v->cia_state == DX_CIA402_OPERATION_ENABLED;
	if (v->boot_pending && (size_t)n < max) {
		v->boot_pending = false;
		if (!dx_co_heartbeat(v->desc.id, DX_NMT_BOOTUP, &out[n]))
			n++;
	}
	if (v->emcy_pending && (size_t)n < max) {
		uint16_t code = dx_cia402_fault_encode(v->fault);
		v->emcy_pending = false;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].id = DX_CO_EMCY + v->desc.id;
		out[n].len = 8;
		out[n].data[0] = (uint8_t)code;
		out[n].data[1] = (uint8_t)(code >> 8);
		out[n].data[2] = 0x01; /* error register: generic error */
		n++;
	}
	if (v->heartbeat_s > 0 && (size_t)n < max) {
		v->hb_elapsed += dt;
		if (v->hb_elapsed >= v->heartbeat_s) {
			v->hb_elapsed = 0;
			if (!dx_co_heartbeat(v->desc.id,
					     (enum dx_nmt_state)v->nmt, &out[n]))
				n++;
		}
	}
	return n;
}
