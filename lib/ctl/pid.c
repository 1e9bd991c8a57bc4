/* SPDX-License-Identifier: MIT */
/* PID: the scalar controller and the structure-of-arrays bank share one
 * branch-free kernel (pid_kernel) so both give the same numbers and the
 * bank's loop can be vectorised (ternaries become min/max/blend). */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

static inline double clampd(double x, double lo, double hi)
{
	x = x < lo ? lo : x;
	return x > hi ? hi : x;
}

/* Parameters of one joint, as the kernel sees them. */
struct pid_par {
	double kp, ki, kd, b, c, tf, tt_inv, aw_clamp;
	double i_min, i_max, out_min, out_max, rate_max, kff_vel, deadband;
};

/* State of one joint. */
struct pid_st {
	double integ, dterm, ed_prev, u_prev;
};

/* One step; see the law in ctl.h. rate_max is INFINITY when unlimited,
 * tt_inv is 0 unless back-calculating, aw_clamp is 1.0 or 0.0. */
static inline double pid_kernel(const struct pid_par *p, const struct pid_st *s,
				struct pid_st *ns, double h, double r, double y,
				double vff, double tff)
{
	double e = r - y;
	double ein = clampd(e, -p->deadband, p->deadband);
	double ez = e - ein;
	double pterm = p->kp * (p->b * r - y - ein);
	double ed = p->c * r - y;
	double dterm = (p->tf * s->dterm + p->kd * (ed - s->ed_prev)) /
		       (p->tf + h);
	double v;

	/* A filtered derivative decays geometrically once the measurement
	 * settles and would reach subnormal numbers, which cost x86 cores
	 * around a hundred cycles per operation; below 1e-150 (far under any
	 * output resolution) it is set to zero. Written as a tiny dead zone
	 * (values above it move by 1e-150, far below their last bit) because
	 * GCC keeps a compare-and-select here as a branch under
	 * -ftrapping-math, which stops the bank loop from vectorising. */
	dterm -= clampd(dterm, -1e-150, 1e-150);
	v = pterm + s->integ + dterm + p->kff_vel * vff + tff;
	double u = clampd(v, p->out_min, p->out_max);
	double step = p->rate_max * h;
	double di, integ, hold;

	u = clampd(u, s->u_prev - step, s->u_prev + step);
	u = clampd(u, p->out_min, p->out_max);
	di = p->ki * h * ez;
	/* Conditional integration: hold I while the output is limited and
	 * the error would push it further into the limit. */
	hold = di * (v - u) > 0.0 ? p->aw_clamp : 0.0;
	di -= di * hold;
	integ = s->integ + di + h * p->tt_inv * (u - v);
	ns->integ = clampd(integ, p->i_min, p->i_max);
	ns->dterm = dterm;
	ns->ed_prev = ed;
	ns->u_prev = u;
	return u;
}

DX_API void dx_pid_config_default(struct dx_pid_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->b = 1.0;
	cfg->c = 1.0;
	cfg->deriv = DX_PID_D_ON_MEASUREMENT;
	cfg->antiwindup = DX_PID_AW_CLAMP;
	cfg->i_min = -INFINITY;
	cfg->i_max = INFINITY;
	cfg->out_min = -INFINITY;
	cfg->out_max = INFINITY;
}

static int check_nonneg(double x)
{
	if (isnan(x) || isinf(x))
		return DX_ENOTFINITE;
	return x < 0.0 ? DX_EINVAL : 0;
}

static int check_range(double lo, double hi)
{
	if (isnan(lo) || isnan(hi))
		return DX_ENOTFINITE;
	return lo > hi ? DX_EINVAL : 0;
}

/* Validates a configuration and derives the kernel parameters. */
static int pid_derive(const struct dx_pid_config *cfg, struct pid_par *p)
{
	const double nonneg[] = {cfg->kp, cfg->ki, cfg->kd, cfg->b, cfg->c,
				 cfg->tf, cfg->n, cfg->tt, cfg->kff_vel,
				 cfg->deadband};
	double tf, tt = 0.0;
	int err;

	for (size_t i = 0; i < DX_ARRAY_SIZE(nonneg); i++) {
		err = check_nonneg(nonneg[i]);
		if (err)
			return err;
	}
	/* kff_vel could sensibly be any sign, but a negative one is far more
	 * likely a mistake; direction belongs to the transmission. */
	if (isnan(cfg->rate_max))
		return DX_ENOTFINITE;
	if (cfg->rate_max < 0.0)
		return DX_EINVAL;
	err = check_range(cfg->i_min, cfg->i_max);
	if (!err)
		err = check_range(cfg->out_min, cfg->out_max);
	if (err)
		return err;
	if ((unsigned)cfg->deriv > DX_PID_D_ON_ERROR ||
	    (unsigned)cfg->antiwindup > DX_PID_AW_BACKCALC)
		return DX_EINVAL;

	tf = cfg->tf;
	if (tf == 0.0 && cfg->n > 0.0) {
		if (cfg->kp <= 0.0)
			return DX_ECONFIG;
		tf = cfg->kd / (cfg->kp * cfg->n);
	}
	if (cfg->antiwindup == DX_PID_AW_BACKCALC) {
		tt = cfg->tt;
		if (tt == 0.0) {
			double ti, td;

			if (cfg->kp <= 0.0 || cfg->ki <= 0.0)
				return DX_ECONFIG;
			ti = cfg->kp / cfg->ki;
			td = cfg->kd / cfg->kp;
			/* Rule of thumb from Astrom & Hagglund (2006),
			 * section 3.5: Tt = sqrt(Ti * Td). */
			tt = td > 0.0 ? sqrt(ti * td) : ti;
		}
		if (!(tt > 0.0) || isinf(tt))
			return DX_ECONFIG;
	}
	p->kp = cfg->kp;
	p->ki = cfg->ki;
	p->kd = cfg->kd;
	p->b = cfg->b;
	p->c = cfg->deriv == DX_PID_D_ON_ERROR ? cfg->c : 0.0;
	p->tf = tf;
	p->tt_inv = cfg->antiwindup == DX_PID_AW_BACKCALC ? 1.0 / tt : 0.0;
	p->aw_clamp = cfg->antiwindup == DX_PID_AW_CLAMP ? 1.0 : 0.0;
	p->i_min = cfg->i_min;
	p->i_max = cfg->i_max;
	p->out_min = cfg->out_min;
	p->out_max = cfg->out_max;
	p->rate_max = cfg->rate_max > 0.0 ? cfg->rate_max : INFINITY;
	p->kff_vel = cfg->kff_vel;
	p->deadband = cfg->deadband;
	return 0;
}

static void pid_store(struct dx_pid *pid, const struct pid_par *p,
		      const struct dx_pid_config *cfg)
{
	pid->kp = p->kp;
	pid->ki = p->ki;
	pid->kd = p->kd;
	pid->b = p->b;
	pid->c = p->c;
	pid->tf = p->tf;
	pid->tt_inv = p->tt_inv;
	pid->aw_clamp = p->aw_clamp;
	pid->i_min = p->i_min;
	pid->i_max = p->i_max;
	pid->out_min = p->out_min;
	pid->out_max = p->out_max;
	pid->rate_max = p->rate_max;
	pid->kff_vel = p->kff_vel;
	pid->deadband = p->deadband;
	pid->n = cfg->n;
	pid->aw = cfg->antiwindup;
	pid->deriv = cfg->deriv;
}

static void pid_load(const struct dx_pid *pid, struct pid_par *p)
{
	p->kp = pid->kp;
	p->ki = pid->ki;
	p->kd = pid->kd;
	p->b = pid->b;
	p->c = pid->c;
	p->tf = pid->tf;
	p->tt_inv = pid->tt_inv;
	p->aw_clamp = pid->aw_clamp;
	p->i_min = pid->i_min;
	p->i_max = pid->i_max;
	p->out_min = pid->out_min;
	p->out_max = pid->out_max;
	p->rate_max = pid->rate_max;
	p->kff_vel = pid->kff_vel;
	p->deadband = pid->deadband;
}

DX_API int dx_pid_init(struct dx_pid *pid, const struct dx_pid_config *cfg)
{
	struct pid_par p;
	int err;

	if (!pid || !cfg)
		return DX_EINVAL;
	err = pid_derive(cfg, &p);
	if (err)
		return err;
	memset(pid, 0, sizeof(*pid));
	pid_store(pid, &p, cfg);
	dx_pid_reset(pid);
	return 0;
}

DX_API void dx_pid_reset(struct dx_pid *pid)
{
	if (!pid)
		return;
	pid->integ = 0.0;
	pid->dterm = 0.0;
	pid->ed_prev = 0.0;
	pid->u_prev = 0.0;
	pid->last_ref = 0.0;
	pid->last_meas = 0.0;
	pid->primed = false;
	pid->enabled = true;
}

static bool in_finite(const struct dx_pid_in *in)
{
	return dx_isfinite(in->ref) && dx_isfinite(in->meas) &&
	       dx_isfinite(in->vel_ff) && dx_isfinite(in->tau_ff);
}

DX_API int dx_pid_step(struct dx_pid *pid, double dt,
		       const struct dx_pid_in *in, double *out)
{
	struct pid_par p;
	struct pid_st s, ns;
	double u;

	if (!pid || !in || !out)
		return DX_EINVAL;
	if (!dx_isfinite(dt) || !in_finite(in))
		return DX_ENOTFINITE;
	if (!(dt > 0.0))
		return DX_EINVAL;
	if (!pid->enabled)
		return DX_ESTATE;
	pid_load(pid, &p);
	s.integ = pid->integ;
	s.dterm = pid->dterm;
	s.u_prev = pid->u_prev;
	/* The first step has no history: no derivative from it. */
	s.ed_prev = pid->primed ? pid->ed_prev : p.c * in->ref - in->meas;
	u = pid_kernel(&p, &s, &ns, dt, in->ref, in->meas, in->vel_ff,
		       in->tau_ff);
	if (!dx_isfinite(u) || !dx_isfinite(ns.integ) ||
	    !dx_isfinite(ns.dterm) || !dx_isfinite(ns.ed_prev))
		return DX_ERANGE;
	pid->integ = ns.integ;
	pid->dterm = ns.dterm;
	pid->ed_prev = ns.ed_prev;
	pid->u_prev = ns.u_prev;
	pid->last_ref = in->ref;
	pid->last_meas = in->meas;
	pid->primed = true;
	*out = u;
	return 0;
}

DX_API int dx_pid_set_gains(struct dx_pid *pid, const struct dx_pid_config *cfg)
{
	struct pid_par p;
	double integ = 0.0;
	int err;

	if (!pid || !cfg)
		return DX_EINVAL;
	err = pid_derive(cfg, &p);
	if (err)
		return err;
	if (pid->primed) {
		double r = pid->last_ref, y = pid->last_meas;
		double ein = clampd(r - y, -pid->deadband, pid->deadband);
		double ein2 = clampd(r - y, -p.deadband, p.deadband);
		double p_old = pid->kp * (pid->b * r - y - ein);
		double p_new = p.kp * (p.b * r - y - ein2);

		integ = pid->integ + (p_old - p_new);
		if (!dx_isfinite(integ))
			return DX_ERANGE;
		/* The derivative history is of c*r - y; keep it consistent
		 * with a changed c so the next step has no kick. */
		pid->ed_prev += (p.c - pid->c) * r;
		integ = clampd(integ, p.i_min, p.i_max);
	} else {
		integ = clampd(pid->integ, p.i_min, p.i_max);
	}
	pid_store(pid, &p, cfg);
	pid->integ = integ;
	return 0;
}

DX_API void dx_pid_disable(struct dx_pid *pid)
{
	if (pid)
		pid->enabled = false;
}

DX_API int dx_pid_enable(struct dx_pid *pid, double u_now,
			 const struct dx_pid_in *in)
{
	double ein, pterm, integ;

	if (!pid || !in)
		return DX_EINVAL;
	if (!dx_isfinite(u_now) || !in_finite(in))
		return DX_ENOTFINITE;
	ein = clampd(in->ref - in->meas, -pid->deadband, pid->deadband);
	pterm = pid->kp * (pid->b * in->ref - in->meas - ein);
	integ = u_now - pterm - pid->kff_vel * in->vel_ff - in->tau_ff;
	if (!dx_isfinite(integ))
		return DX_ERANGE;
	pid->integ = clampd(integ, pid->i_min, pid->i_max);
	pid->dterm = 0.0;
	pid->ed_prev = pid->c * in->ref - in->meas;
	pid->u_prev = u_now;
	pid->last_ref = in->ref;
	pid->last_meas = in->meas;
	pid->primed = true;
	pid->enabled = true;
	return 0;
}

DX_API bool dx_pid_is_enabled(const struct dx_pid *pid)
{
	return pid && pid->enabled;
}

DX_API double dx_pid_integral(const struct dx_pid *pid)
{
	return pid ? pid->integ : 0.0;
}

/* ---- bank ---------------------------------------------------------------- */

DX_API int dx_pid_bank_init(struct dx_pid_bank *bank,
			    const struct dx_pid_config *cfg, unsigned n)
{
	struct pid_par p;
	int err;

	if (!bank || !cfg || n == 0 || n > DX_PID_BANK_MAX)
		return DX_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		err = pid_derive(&cfg[i], &p);
		if (err)
			return err;
	}
	memset(bank, 0, sizeof(*bank));
	bank->n = n;
	for (unsigned i = 0; i < n; i++) {
		pid_derive(&cfg[i], &p);
		bank->kp[i] = p.kp;
		bank->ki[i] = p.ki;
		bank->kd[i] = p.kd;
		bank->b[i] = p.b;
		bank->c[i] = p.c;
		bank->tf[i] = p.tf;
		bank->tt_inv[i] = p.tt_inv;
		bank->aw_clamp[i] = p.aw_clamp;
		bank->i_min[i] = p.i_min;
		bank->i_max[i] = p.i_max;
		bank->out_min[i] = p.out_min;
		bank->out_max[i] = p.out_max;
		bank->rate_max[i] = p.rate_max;
		bank->kff_vel[i] = p.kff_vel;
		bank->deadband[i] = p.deadband;
	}
	dx_pid_bank_reset(bank);
	return 0;
}

DX_API void dx_pid_bank_reset(struct dx_pid_bank *bank)
{
	if (!bank)
		return;
	memset(bank->integ, 0, sizeof(bank->integ));
	memset(bank->dterm, 0, sizeof(bank->dterm));
	memset(bank->ed_prev, 0, sizeof(bank->ed_prev));
	memset(bank->u_prev, 0, sizeof(bank->u_prev));
	bank->cur = 0;
	bank->primed = false;
}

/* Stands in for absent feed-forward arrays, keeping the loop free of
 * NULL tests. */
static const double zeros[DX_PID_BANK_MAX];

/* Sum of x - x over an array: 0 when every element is finite, NaN
 * otherwise. A reduction without branches, so it vectorises. */
static double nonfinite_sum(const double *restrict x, unsigned n)
{
	double acc = 0.0;

#pragma omp simd reduction(+ : acc)
	for (unsigned i = 0; i < n; i++)
		acc += x[i] - x[i];
	return acc;
}

DX_API int dx_pid_bank_step(struct dx_pid_bank *bank, double dt,
			    const double *ref, const double *meas,
			    const double *vel_ff, const double *tau_ff,
			    double *out)
{
	unsigned n, cur, nxt;
	double chk = 0.0;

	if (!bank || !ref || !meas || !out)
		return DX_EINVAL;
	if (!dx_isfinite(dt))
		return DX_ENOTFINITE;
	if (!(dt > 0.0))
		return DX_EINVAL;
	n = bank->n;
	chk += nonfinite_sum(ref, n) + nonfinite_sum(meas, n);
	if (vel_ff)
		chk += nonfinite_sum(vel_ff, n);
	if (tau_ff)
		chk += nonfinite_sum(tau_ff, n);
	if (chk != 0.0)
		return DX_ENOTFINITE;

	cur = bank->cur;
	nxt = cur ^ 1u;
	if (!bank->primed) {
		for (unsigned i = 0; i < n; i++)
			bank->ed_prev[cur][i] = bank->c[i] * ref[i] - meas[i];
	}

	{
		const double *restrict r = ref, *restrict y = meas;
		const double *restrict vf = vel_ff ? vel_ff : zeros;
		const double *restrict tq = tau_ff ? tau_ff : zeros;
		double *restrict ui = bank->integ[nxt];
		double *restrict ud = bank->dterm[nxt];
		double *restrict ue = bank->ed_prev[nxt];
		double *restrict uu = bank->u_prev[nxt];
		const double *restrict si = bank->integ[cur];
		const double *restrict sd = bank->dterm[cur];
		const double *restrict se = bank->ed_prev[cur];
		const double *restrict su = bank->u_prev[cur];
		double acc = 0.0;

		/* The pragma asks for vectorisation whatever the cost model
		 * (-O2 uses GCC's "very cheap" model, which refuses loops
		 * that need a scalar epilogue). */
#pragma omp simd reduction(+ : acc)
		for (unsigned i = 0; i < n; i++) {
			struct pid_par p = {
				bank->kp[i], bank->ki[i], bank->kd[i],
				bank->b[i], bank->c[i], bank->tf[i],
				bank->tt_inv[i], bank->aw_clamp[i],
				bank->i_min[i], bank->i_max[i],
				bank->out_min[i], bank->out_max[i],
				bank->rate_max[i], bank->kff_vel[i],
				bank->deadband[i],
			};
			struct pid_st s = {si[i], sd[i], se[i], su[i]}, ns;
			double u = pid_kernel(&p, &s, &ns, dt, r[i], y[i],
					      vf[i], tq[i]);

			ui[i] = ns.integ;
			ud[i] = ns.dterm;
			ue[i] = ns.ed_prev;
			uu[i] = u;
			acc += (u - u) + (ns.integ - ns.integ) +
			       (ns.dterm - ns.dterm);
		}
		if (acc != 0.0)
			return DX_ERANGE;
	}
	memcpy(out, bank->u_prev[nxt], n * sizeof(*out));
	bank->cur = nxt;
	bank->primed = true;
	return 0;
}
