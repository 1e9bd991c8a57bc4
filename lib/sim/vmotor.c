/* SPDX-License-Identifier: MIT */
/* Single-joint motor model of the virtual drives.
 *
 * Mechanics: J = J_rotor N² + J_load at the output, driven by the motor
 * torque minus viscous (b ω) and Coulomb friction; semi-implicit Euler
 * (velocity first), with stiction: at rest the joint stays at rest while
 * |τ| does not exceed the Coulomb level, and friction never reverses the
 * motion within one step. Thermal: one lumped winding node,
 * C dT/dt = I² R − (T − T_amb) / R_th, with I = τ / k_t; the fault trips
 * above fault_temp_c and latches in the drive until it is cleared below
 * clear_temp_c.
 *
 * Double precision here rather than cglm's float: positions accumulate
 * over long runs and the encoder quantisation is finer than float's
 * resolution at large angles. */
#include "vdrive-priv.h"

DX_API void dx_vmotor_params_default(struct dx_vmotor_params *p,
				     double torque_limit, double kt,
				     double rotor_inertia, double gear_ratio)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	p->rotor_inertia = rotor_inertia;
	p->gear_ratio = gear_ratio < 1.0 ? 1.0 : gear_ratio;
	p->torque_limit = torque_limit;
	p->kt = kt;
	p->viscous = 0.002 * torque_limit;
	p->coulomb = 0.01 * torque_limit;
	p->encoder_counts = 16384.0 * p->gear_ratio; /* 14-bit rotor encoder */
	p->resistance = 0.3;
	p->thermal_r = 2.0;
	p->thermal_c = 30.0;
	p->ambient_c = 25.0;
	p->fault_temp_c = 100.0;
	p->clear_temp_c = 80.0;
}

DX_API int dx_vmotor_init(struct dx_vmotor *m, const struct dx_vmotor_params *p)
{
	if (!m || !p || !(p->rotor_inertia > 0) || !(p->gear_ratio >= 1) ||
	    !(p->torque_limit > 0) || !(p->kt > 0) || p->viscous < 0 ||
	    p->coulomb < 0 || !(p->thermal_c > 0) || !(p->thermal_r > 0))
		return DX_EINVAL;
	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->temp_c = p->ambient_c;
	return 0;
}

DX_API void dx_vmotor_set_dynamics(struct dx_vmotor *m, dx_vmotor_dynamics_fn fn,
				   void *user)
{
	if (!m)
		return;
	m->dyn = fn;
	m->dyn_user = user;
}

static void builtin(struct dx_vmotor *m, double tau, double dt)
{
	const struct dx_vmotor_params *p = &m->p;
	double j = p->rotor_inertia * p->gear_ratio * p->gear_ratio +
		   p->load_inertia;
	double net = tau - p->viscous * m->vel;
	double v0 = m->vel, v1;

	if (v0 == 0.0 && fabs(net) <= p->coulomb)
		return; /* stuck */
	if (v0 != 0.0)
		net -= v0 > 0 ? p->coulomb : -p->coulomb;
	else
		net -= net > 0 ? p->coulomb : -p->coulomb;
	v1 = v0 + net / j * dt;
	/* a zero crossing ends at rest: Coulomb friction changes sign there,
	 * so the next step starts from stiction (costs at most one sub-step
	 * of a deliberate reversal, and keeps explicit Euler from chattering
	 * around zero) */
	if (v0 != 0.0 && (v0 > 0) != (v1 > 0))
		v1 = 0.0;
	m->vel = v1;
	m->pos += v1 * dt;
}

DX_API void dx_vmotor_step(struct dx_vmotor *m, double tau, double dt)
{
	const struct dx_vmotor_params *p;
	double lim, power;

	if (!m || !(dt > 0) || !dx_isfinite(dt))
		return;
	p = &m->p;
	if (!dx_isfinite(tau) || m->thermal_fault)
		tau = 0.0;
	lim = p->torque_limit;
	tau = tau > lim ? lim : tau < -lim ? -lim : tau;
	m->tau = tau;
	m->current = tau / p->kt;
	if (m->dyn)
		m->dyn(m->dyn_user, tau, dt, &m->pos, &m->vel);
	else
		builtin(m, tau, dt);
	power = m->current * m->current * p->resistance;
	m->temp_c += dt * (power - (m->temp_c - p->ambient_c) / p->thermal_r) /
		     p->thermal_c;
	if (m->temp_c > p->fault_temp_c)
		m->thermal_fault = true;
}

DX_API double dx_vmotor_encoder_pos(const struct dx_vmotor *m)
{
	double step;

	if (!m)
		return 0.0;
	if (!(m->p.encoder_counts > 0))
		return m->pos;
	step = 2 * M_PI / m->p.encoder_counts;
	return floor(m->pos / step + 0.5) * step;
}
