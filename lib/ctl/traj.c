/* SPDX-License-Identifier: MIT */
/* Jerk-limited joint trajectories from one quintic segment (see ctl.h).
 *
 * Boundary conditions p(0) = p0, p'(0) = v0, p''(0) = a0, p(T) = pf,
 * p'(T) = p''(T) = 0 fix the six coefficients (the standard quintic
 * interpolation, e.g. Biagiotti & Melchiorri, "Trajectory Planning for
 * Automatic Machines and Robots", Springer 2008, section 2.1.7). The duration
 * is found by a bounded search on the exact peaks of |p'|, |p''|, |p'''|. */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

#define SCAN_GROWTH 1.2
#define SCAN_STEPS 160
#define BISECT_STEPS 24
#define ROOT_STEPS 52
#define T_MIN 1e-4 /* s: shortest segment considered */
#define T_MAX 1e4  /* s: longest segment considered */
#define FEAS_TOL 1e-9

static void quintic(double p0, double v0, double a0, double pf, double t,
		    double c[6])
{
	double d = pf - p0, t2 = t * t, t3 = t2 * t;

	c[0] = p0;
	c[1] = v0;
	c[2] = 0.5 * a0;
	c[3] = (20.0 * d - 12.0 * v0 * t - 3.0 * a0 * t2) / (2.0 * t3);
	c[4] = (-30.0 * d + 16.0 * v0 * t + 3.0 * a0 * t2) / (2.0 * t3 * t);
	c[5] = (12.0 * d - 6.0 * v0 * t - a0 * t2) / (2.0 * t3 * t2);
}

static double poly(const double *k, int deg, double t)
{
	double s = k[deg];

	for (int i = deg - 1; i >= 0; i--)
		s = s * t + k[i];
	return s;
}

/* Roots in (lo, hi) of a quadratic k0 + k1 t + k2 t^2; returns count. */
static int quad_roots(const double k[3], double lo, double hi, double r[2])
{
	int n = 0;
	double cand[2];
	int nc = 0;

	if (k[2] == 0.0) {
		if (k[1] != 0.0)
			cand[nc++] = -k[0] / k[1];
	} else {
		double disc = k[1] * k[1] - 4.0 * k[2] * k[0];

		if (disc >= 0.0) {
			/* The cancellation-free pair of roots. */
			double q = -0.5 * (k[1] + copysign(sqrt(disc), k[1]));

			if (q != 0.0) {
				cand[nc++] = q / k[2];
				cand[nc++] = k[0] / q;
			} else {
				cand[nc++] = 0.0;
			}
		}
	}
	for (int i = 0; i < nc; i++)
		if (cand[i] > lo && cand[i] < hi)
			r[n++] = cand[i];
	return n;
}

/* Largest |f| on [0, t_end] of a cubic f with derivative fd (a quadratic):
 * f is extreme at the ends or at roots of fd. */
static double peak_cubic(const double f[4], const double fd[3], double t_end)
{
	double r[2], m = fmax(fabs(f[0]), fabs(poly(f, 3, t_end)));
	int n = quad_roots(fd, 0.0, t_end, r);

	for (int i = 0; i < n; i++)
		m = fmax(m, fabs(poly(f, 3, r[i])));
	return m;
}

/* Largest |f| on [0, t_end] of a quartic f, its derivative fd a cubic with
 * derivative fdd (a quadratic). fd is monotone between the roots of fdd;
 * each sign change of fd on such a piece is bisected. */
static double peak_quartic(const double f[5], const double fd[4],
			   const double fdd[3], double t_end)
{
	double edges[4], r[2], m;
	int ne = 0, n;

	m = fmax(fabs(f[0]), fabs(poly(f, 4, t_end)));
	edges[ne++] = 0.0;
	n = quad_roots(fdd, 0.0, t_end, r);
	if (n == 2 && r[0] > r[1]) {
		double t = r[0];

		r[0] = r[1];
		r[1] = t;
	}
	for (int i = 0; i < n; i++)
		edges[ne++] = r[i];
	edges[ne++] = t_end;
	for (int i = 0; i + 1 < ne; i++) {
		double lo = edges[i], hi = edges[i + 1];
		double flo = poly(fd, 3, lo), fhi = poly(fd, 3, hi);

		if ((flo > 0.0) == (fhi > 0.0) || flo == 0.0 || fhi == 0.0) {
			if (flo == 0.0)
				m = fmax(m, fabs(poly(f, 4, lo)));
			if (fhi == 0.0)
				m = fmax(m, fabs(poly(f, 4, hi)));
			continue;
		}
		for (int k = 0; k < ROOT_STEPS; k++) {
			double mid = 0.5 * (lo + hi), fm = poly(fd, 3, mid);

			if ((fm > 0.0) == (flo > 0.0)) {
				lo = mid;
				flo = fm;
			} else {
				hi = mid;
			}
		}
		m = fmax(m, fabs(poly(f, 4, 0.5 * (lo + hi))));
	}
	return m;
}

/* Worst ratio of peak to limit for a segment of duration t. */
static double seg_ratio(const struct dx_traj_config *cfg, double p0, double v0,
			double a0, double pf, double t)
{
	double c[6], v[5], a[4], j[3];

	quintic(p0, v0, a0, pf, t, c);
	for (int i = 0; i < 5; i++)
		v[i] = (i + 1) * c[i + 1];
	for (int i = 0; i < 4; i++)
		a[i] = (i + 1) * v[i + 1];
	for (int i = 0; i < 3; i++)
		j[i] = (i + 1) * a[i + 1];
	{
		double jd[2] = {j[1], 2.0 * j[2]};
		double jpk = fmax(fabs(j[0]), fabs(poly(j, 2, t)));

		/* jerk is a quadratic: its vertex is the only interior
		 * extremum. */
		if (jd[1] != 0.0) {
			double tv = -jd[0] / jd[1];

			if (tv > 0.0 && tv < t)
				jpk = fmax(jpk, fabs(poly(j, 2, tv)));
		}
		return fmax(fmax(peak_quartic(v, a, j, t) / cfg->vmax,
				 peak_cubic(a, j, t) / cfg->amax),
			    jpk / cfg->jmax);
	}
}

DX_API int dx_traj_init(struct dx_traj *tr, const struct dx_traj_config *cfg,
			double start)
{
	if (!tr || !cfg)
		return DX_EINVAL;
	if (!dx_isfinite(cfg->vmax) || !dx_isfinite(cfg->amax) ||
	    !dx_isfinite(cfg->jmax) || !dx_isfinite(start) ||
	    isnan(cfg->pos_min) || isnan(cfg->pos_max))
		return DX_ENOTFINITE;
	if (!(cfg->vmax > 0.0) || !(cfg->amax > 0.0) || !(cfg->jmax > 0.0) ||
	    cfg->pos_min > cfg->pos_max || start < cfg->pos_min ||
	    start > cfg->pos_max)
		return DX_EINVAL;
	memset(tr, 0, sizeof(*tr));
	tr->cfg = *cfg;
	tr->coef[1][0] = start;
	tr->target = start;
	return 0;
}

/* Shortest feasible quintic from (p0, v0, a0) to rest at pf: the duration
 * in *t_out; returns true when every limit holds, false with the duration
 * of the smallest worst ratio otherwise. */
static bool search(const struct dx_traj_config *cfg, double p0, double v0,
		   double a0, double pf, double *t_out)
{
	double d = fabs(pf - p0), t_rest, t, t_prev, best_t, best_r, r;

	/* Rest-to-rest quintic peaks: v 1.875 D/T, a 5.7735 D/T^2 (10/sqrt 3),
	 * j 60 D/T^3; the scan starts well below both these and the times to
	 * cancel v0 and a0 at the limits. */
	t_rest = fmax(fmax(1.875 * d / cfg->vmax, sqrt(5.7735 * d / cfg->amax)),
		      cbrt(60.0 * d / cfg->jmax));
	t_rest = fmax(t_rest, fabs(v0) / cfg->amax);
	t_rest = fmax(t_rest, fabs(a0) / cfg->jmax);
	t = fmax(T_MIN, 0.1 * t_rest);
	t_prev = t;
	best_t = t;
	best_r = INFINITY;
	for (int k = 0; k < SCAN_STEPS && t <= T_MAX; k++) {
		r = seg_ratio(cfg, p0, v0, a0, pf, t);
		if (r < best_r) {
			best_r = r;
			best_t = t;
		}
		if (r <= 1.0 + FEAS_TOL) {
			double lo = t_prev, hi = t;

			for (int i = 0; lo < hi && i < BISECT_STEPS; i++) {
				double mid = 0.5 * (lo + hi);

				if (seg_ratio(cfg, p0, v0, a0, pf, mid) <=
				    1.0 + FEAS_TOL)
					hi = mid;
				else
					lo = mid;
			}
			*t_out = hi;
			return true;
		}
		t_prev = t;
		t *= SCAN_GROWTH;
	}
	*t_out = best_t;
	return false;
}

DX_API int dx_traj_plan(struct dx_traj *tr, int64_t now_ns,
			const struct dx_traj_state *from, double target)
{
	const struct dx_traj_config *cfg;
	double p0, v0, a0, t;
	bool ok;

	if (!tr || !from)
		return DX_EINVAL;
	cfg = &tr->cfg;
	if (!dx_isfinite(target) || !dx_isfinite(from->pos) ||
	    !dx_isfinite(from->vel) || !dx_isfinite(from->acc))
		return DX_ENOTFINITE;
	if (target < cfg->pos_min || target > cfg->pos_max)
		return DX_ERANGE;
	p0 = from->pos;
	v0 = from->vel;
	a0 = from->acc;
	memset(tr->coef, 0, sizeof(tr->coef));
	tr->dur[0] = 0.0;
	tr->dur[1] = 0.0;
	tr->duration = 0.0;
	tr->target = target;
	tr->t0_ns = now_ns;

	if (v0 == 0.0 && a0 == 0.0 && target == p0) {
		tr->coef[1][0] = target;
		tr->moving = false;
		return 0;
	}
	tr->moving = true;
	ok = search(cfg, p0, v0, a0, target, &t);
	if (!ok && a0 != 0.0) {
		/* Ramp the acceleration to zero at the jerk limit, then a
		 * quintic from zero acceleration. */
		double j = a0 > 0.0 ? -cfg->jmax : cfg->jmax;
		double t1 = fabs(a0) / cfg->jmax;
		double p1 = p0 + v0 * t1 + 0.5 * a0 * t1 * t1 +
			    j * t1 * t1 * t1 / 6.0;
		double v1 = v0 + a0 * t1 + 0.5 * j * t1 * t1;

		tr->coef[0][0] = p0;
		tr->coef[0][1] = v0;
		tr->coef[0][2] = 0.5 * a0;
		tr->coef[0][3] = j / 6.0;
		tr->dur[0] = t1;
		p0 = p1;
		v0 = v1;
		a0 = 0.0;
		ok = search(cfg, p0, v0, a0, target, &t) &&
		     fabs(v1) <= cfg->vmax * (1.0 + FEAS_TOL);
	}
	quintic(p0, v0, a0, target, t, tr->coef[1]);
	tr->dur[1] = t;
	tr->duration = tr->dur[0] + tr->dur[1];
	return ok ? 0 : DX_ELIMIT;
}

DX_API int dx_traj_set_target(struct dx_traj *tr, int64_t now_ns, double target)
{
	struct dx_traj_state s;

	if (!tr)
		return DX_EINVAL;
	dx_traj_sample(tr, now_ns, &s);
	return dx_traj_plan(tr, now_ns, &s, target);
}

DX_API void dx_traj_sample(const struct dx_traj *tr, int64_t t_ns,
			   struct dx_traj_state *out)
{
	const double *c;
	double t;

	if (!tr || !out)
		return;
	if (!tr->moving) {
		out->pos = tr->coef[1][0];
		out->vel = 0.0;
		out->acc = 0.0;
		return;
	}
	t = (double)(t_ns - tr->t0_ns) * 1e-9;
	if (t >= tr->duration) {
		/* at rest exactly on the target, not on the rounded polynomial */
		out->pos = tr->target;
		out->vel = 0.0;
		out->acc = 0.0;
		return;
	}
	if (t < 0.0)
		t = 0.0;
	if (t < tr->dur[0]) {
		c = tr->coef[0];
	} else {
		c = tr->coef[1];
		t -= tr->dur[0];
	}
	out->pos = ((((c[5] * t + c[4]) * t + c[3]) * t + c[2]) * t + c[1]) *
			   t + c[0];
	out->vel = (((5.0 * c[5] * t + 4.0 * c[4]) * t + 3.0 * c[3]) * t +
		    2.0 * c[2]) * t + c[1];
	out->acc = ((20.0 * c[5] * t + 12.0 * c[4]) * t + 6.0 * c[3]) * t +
		   2.0 * c[2];
}

DX_API double dx_traj_duration(const struct dx_traj *tr)
{
	return tr && tr->moving ? tr->duration : 0.0;
}

DX_API bool dx_traj_done(const struct dx_traj *tr, int64_t t_ns)
{
	if (!tr || !tr->moving)
		return true;
	return (double)(t_ns - tr->t0_ns) * 1e-9 >= tr->duration;
}
