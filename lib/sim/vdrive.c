/* SPDX-License-Identifier: MIT */
/* Virtual drive: protocol dispatch, stepping, and the bus runner. */
#include <dexrt/simbus.h>

#include "vdrive-priv.h"

#define SUBSTEP_S 1e-4   /* control loop and integration step */
#define MAX_STEP_S 0.1   /* longer gaps are simulated as this much */

DX_API int dx_vdrive_init(struct dx_vdrive *v, const struct dx_drive_desc *d)
{
	struct dx_vmotor_params p;
	int err;

	if (!v || !d || !d->model)
		return DX_EINVAL;
	memset(v, 0, sizeof(*v));
	v->desc = *d;
	switch (d->proto) {
	case DX_DRIVE_MIT: {
		const struct dx_mit_model *m = d->model;
		dx_vmotor_params_default(&p, m->t_max, m->kt, m->rotor_inertia,
					 m->gear_ratio);
		break;
	}
	case DX_DRIVE_ODRIVE: {
		const struct dx_odrive_model *m = d->model;
		dx_vmotor_params_default(&p, m->torque_max, m->kt,
					 m->rotor_inertia, 1.0);
		v->axis_state = DX_ODRIVE_STATE_IDLE;
		break;
	}
	case DX_DRIVE_CIA402: {
		const struct dx_cia402_model *m = d->model;
		dx_vmotor_params_default(&p, m->torque_max, m->kt,
					 m->rotor_inertia, 1.0);
		v->nmt = DX_NMT_PRE_OPERATIONAL;
		v->cia_state = DX_CIA402_SWITCH_ON_DISABLED;
		v->mode = DX_CIA402_MODE_CSP;
		v->boot_pending = true;
		break;
	}
	default:
		return DX_EINVAL;
	}
	err = dx_vmotor_init(&v->motor, &p);
	if (err)
		return err;
	/* cascaded P / P loop of the ODrive and CiA 402 drives: position gain
	 * 20 1/s (ODrive default pos_gain), velocity gain scaled to the drive
	 * so the loop bandwidth stays well inside the 10 kHz sub-step */
	v->pos_gain = 20.0;
	v->vel_gain = 0.05 * p.torque_limit;
	return 0;
}

DX_API int dx_vdrive_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
			    struct dx_can_frame *out, size_t max)
{
	int n;

	if (!v || !in || (!out && max))
		return DX_EINVAL;
	if (v->mute || (in->flags & DX_CAN_ERR))
		return 0;
	switch (v->desc.proto) {
	case DX_DRIVE_MIT:
		n = dx__vmit_handle(v, in, out, max);
		break;
	case DX_DRIVE_ODRIVE:
		n = dx__vodrive_handle(v, in, out, max);
		break;
	case DX_DRIVE_CIA402:
		n = dx__vcia402_handle(v, in, out, max);
		break;
	default:
		return DX_EINVAL;
	}
	if (n > 0)
		v->tx_frames += (uint64_t)n;
	return n;
}

DX_API int dx_vdrive_step(struct dx_vdrive *v, double dt,
			  struct dx_can_frame *out, size_t max)
{
	double left;

	if (!v || !(dt >= 0) || (!out && max))
		return DX_EINVAL;
	if (dt > MAX_STEP_S)
		dt = MAX_STEP_S;
	for (left = dt; left > 1e-12;) {
		double h = left > SUBSTEP_S ? SUBSTEP_S : left;
		double tau = 0.0;
		v->fault = dx__vdrive_fault(v);
		switch (v->desc.proto) {
		case DX_DRIVE_MIT: tau = dx__vmit_torque(v); break;
		case DX_DRIVE_ODRIVE: tau = dx__vodrive_torque(v); break;
		case DX_DRIVE_CIA402: tau = dx__vcia402_torque(v); break;
		}
		dx_vmotor_step(&v->motor, tau, h);
		left -= h;
	}
	v->fault = dx__vdrive_fault(v);
	if (v->mute)
		return 0;
	switch (v->desc.proto) {
	case DX_DRIVE_ODRIVE: return dx__vodrive_tick(v, dt, out, max);
	case DX_DRIVE_CIA402: return dx__vcia402_tick(v, dt, out, max);
	default: return 0;
	}
}

DX_API void dx_vdrive_inject_fault(struct dx_vdrive *v, enum dx_drive_fault f)
{
	if (!v || (unsigned)f >= DX_DRIVE_FAULT_COUNT)
		return;
	v->injected = f;
	if (f != DX_DRIVE_FAULT_NONE)
		v->fault = f;
}

DX_API double dx_vdrive_position(const struct dx_vdrive *v)
{
	return v ? dx_vmotor_encoder_pos(&v->motor) - v->zero : 0.0;
}

/* ---- runner ---------------------------------------------------------------- */

DX_API int dx_vdrive_runner_init(struct dx_vdrive_runner *r, struct dx_can *can,
				 struct dx_vdrive *v, size_t n)
{
	if (!r || !can || (n && !v))
		return DX_EINVAL;
	memset(r, 0, sizeof(*r));
	r->can = can;
	r->v = v;
	r->n = n;
	r->last_ns = dx_vdrive_runner_now(r);
	return 0;
}

DX_API int64_t dx_vdrive_runner_now(const struct dx_vdrive_runner *r)
{
	if (r && dx_simbus_is(r->can))
		return dx_simbus_now(r->can);
	return dx_time_now_ns();
}

static int flush(struct dx_vdrive_runner *r, size_t *nt)
{
	size_t done = 0;

	while (done < *nt) {
		int s = dx_can_send(r->can, r->tx + done, *nt - done);
		if (s <= 0) {
			r->send_errors += *nt - done;
			break;
		}
		done += (size_t)s;
	}
	r->frames_out += done;
	*nt = 0;
	return 0;
}

DX_API int dx_vdrive_runner_poll(struct dx_vdrive_runner *r,
				 int64_t wait_until_ns)
{
	size_t nt = 0;
	int64_t now;
	int got;

	if (!r)
		return DX_EINVAL;
	got = dx_can_recv(r->can, r->rx, DX_ARRAY_SIZE(r->rx));
	if (got == 0) {
		int w = dx_can_wait(r->can, wait_until_ns);
		if (w < 0 && w != DX_ETIMEDOUT)
			return w;
		got = dx_can_recv(r->can, r->rx, DX_ARRAY_SIZE(r->rx));
	}
	if (got < 0)
		return got;
	now = dx_vdrive_runner_now(r);
	if (now > r->last_ns) {
		double dt = (double)(now - r->last_ns) * 1e-9;
		for (size_t i = 0; i < r->n; i++) {
			if (nt + DX_VDRIVE_MAX_OUT > DX_ARRAY_SIZE(r->tx))
				flush(r, &nt);
			int k = dx_vdrive_step(&r->v[i], dt, r->tx + nt,
					       DX_ARRAY_SIZE(r->tx) - nt);
			if (k > 0)
				nt += (size_t)k;
		}
		r->last_ns = now;
	}
	for (int j = 0; j < got; j++) {
		r->frames_in++;
		for (size_t i = 0; i < r->n; i++) {
			if (nt + DX_VDRIVE_MAX_OUT > DX_ARRAY_SIZE(r->tx))
				flush(r, &nt);
			int k = dx_vdrive_handle(&r->v[i], &r->rx[j], r->tx + nt,
						 DX_ARRAY_SIZE(r->tx) - nt);
			if (k > 0)
				nt += (size_t)k;
		}
	}
	if (nt)
		flush(r, &nt);
	return got;
}

DX_API int dx_vdrive_runner_run(struct dx_vdrive_runner *r)
{
	if (!r)
		return DX_EINVAL;
	while (!atomic_load(&r->stop)) {
		int err = dx_vdrive_runner_poll(r, dx_vdrive_runner_now(r) +
						   DX_NS_PER_MS);
		if (err < 0 && err != DX_EAGAIN)
			return err;
	}
	return 0;
}

DX_API void dx_vdrive_runner_stop(struct dx_vdrive_runner *r)
{
	if (r)
		atomic_store(&r->stop, 1);
}
