/* SPDX-License-Identifier: MIT */
/* Jerk-limited joint trajectories from one quintic segment (see ctl.h).
 *
 * Boundary conditions p(0) = p0, p'(0) = v0, p''(0) = a0, p(T) = pf,
 * p'(T) = p''(T) = 0 fix the six coefficients (the standard quintic
 * interpolation, e.g. Biagiotti & Melchiorri, "Trajectory Planning for
 * Automatic Machines and Robots", Springer 2008, section 2.1.7). In
 * normalised time s = t / T, with d = pf - p0, the segment is
 *
 *   p = p0 + d Bd(s) + v0 T Bv(s) + a0 T^2 Ba(s),
 *   Bd = s^3 (10 - 15 s + 6 s^2), Bv = s (1-s)^3 (1 + 3s), Ba = s^2 (1-s)^3 / 2,
 *
 * so at a fixed s the velocity is d Bd'/T + v0 Bv' + a0 T Ba', the
 * acceleration d Bd''/T^2 + v0 Bv''/T + a0 Ba'' and the jerk
 * d Bd'''/T^3 + v0 Bv'''/T^2 + a0 Ba'''/T: low-degree rational functions of
 * T. From rest (v0 = a0 = 0) the peaks are those of d Bd: Bd' = 30 s^2
 * (1-s)^2 peaks at s = 1/2 (15/8), Bd'' = 60 s (1-s)(1-2s) at
 * s = 1/2 -+ sqrt(3)/6 (10/sqrt(3)), Bd''' = 60 - 360 s + 360 s^2 at s = 0
 * and 1 (60); each peak falls monotonically with T, so the shortest duration
 * is the largest of the three single-limit durations (closed form below).
 *
 * From a moving state the set of feasible durations need not be an
 * interval (about 2% of random states within the limits have a gap, most
 * often from the jerk at s = 0, which is a cubic in 1/T), and with a0 != 0
 * it is bounded (the a0 T Ba' term of the velocity grows with T). The
 * search is a certified march upwards from a lower bound: at each duration
 * x the exact peaks and where they occur (s*) are found; a violated limit
 * stays violated at the same s* over an interval of durations found in
 * closed form (a quadratic in T or 1/T, a cubic in 1/T for the jerk); the
 * peak is at least the value at s*, so every duration in that interval is
 * infeasible and the march jumps to its end. Near the answer the jump's
 * error is second order (the peak's derivative in T equals the fixed-s
 * derivative: the envelope theorem), so the march converges quadratically,
 * like Newton's method, without stepping over a feasible duration. Only a
 * stall at a peak grazing its limit is pushed on by an unproven step of at
 * most MIN_STEP relative; the number of peak evaluations is at most
 * MARCH_STEPS. A first jump uses the limits at the rest-to-rest peak places
 * without evaluating the peaks, and later steps start their root searches
 * from the previous step's roots. */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

#define MARCH_STEPS 24 /* peak evaluations per search, at most */
#define ROOT_STEPS 12  /* safeguarded Newton steps per cubic root, at most */
#define ROOT_TOL 1e-12 /* a Newton step this small (relative, in 1/T) has
			* converged */
#define PEAK_TOL 1e-8  /* the same in s for a peak's place: the peak's value
			* is then off by O(PEAK_TOL^2) of its curvature */
#define MIN_STEP 1e-5  /* relative: the largest unproven march step, taken
			* only when the proven one is shorter */
#define T_MIN 1e-9     /* s: shortest segment considered (1 ns) */
#define T_MAX 1e4      /* s: longest segment considered */
#define FEAS_TOL 1e-9  /* relative: a peak up to limit (1 + FEAS_TOL) passes */

/* Largest |Bv''| on [0, 1] (|12 s (1-s)(3 - 5s)| peaks at 3.9403) rounded
 * up, and a lower bound of (1 - |Bv'|) / (s^2 (1-s)^2) on (0, 1) (minimum
 * 8.2272, both found numerically on a 2e5-point grid); see safe_duration(). */
#define BV2_MAX 3.95
#define BV1_GAP 8.0

/* fmax/fmin without the NaN rules (every value here is a number), which
 * the compiler can inline as one instruction. */
static inline double max2(double a, double b)
{
	return a > b ? a : b;
}

static inline double min2(double a, double b)
{
	return a < b ? a : b;
}

static double poly(const double *k, int deg, double t)
{
	double s = k[deg];

	for (int i = deg - 1; i >= 0; i--)
		s = s * t + k[i];
	return s;
}

/* Real roots of k0 + k1 t + k2 t^2, ascending; returns the count. */
static int quad_roots(const double k[3], double r[2])
{
	if (k[2] == 0.0) {
		if (k[1] == 0.0)
			return 0;
		r[0] = -k[0] / k[1];
		return 1;
	} else {
		double disc = k[1] * k[1] - 4.0 * k[2] * k[0], q;

		if (disc < 0.0)
			return 0;
		/* the cancellation-free pair of roots */
		q = -0.5 * (k[1] + copysign(sqrt(disc), k[1]));
		if (q == 0.0) {
			r[0] = 0.0;
			return 1;
		}
		r[0] = q / k[2];
		r[1] = k[0] / q;
		if (r[0] > r[1]) {
			double t = r[0];

			r[0] = r[1];
			r[1] = t;
		}
		return 2;
	}
}

/* A first guess of the root of the cubic k on [lo, hi], where it is
 * monotone and changes sign: the root of the quadratic Taylor model at the
 * end nearer zero. It stays good when that end is (nearly) an extremum and
 * the root close to it (two nearly equal roots), where Newton from afar only
 * halves the distance per step. Else the secant. */
static double root_guess(const double k[4], double lo, double hi, double flo,
			 double fhi)
{
	bool at_lo = fabs(flo) <= fabs(fhi);
	double e = at_lo ? lo : hi, fe = at_lo ? flo : fhi;
	double q[3] = {fe, k[1] + e * (2.0 * k[2] + 3.0 * k[3] * e),
		       k[2] + 3.0 * k[3] * e};
	double r[2], g = lo - flo * (hi - lo) / (fhi - flo), best = INFINITY;
	int n = quad_roots(q, r);

	for (int i = 0; i < n; i++) {
		double x = e + r[i];

		if (x > lo && x < hi && fabs(r[i]) < best) {
			best = fabs(r[i]);
			g = x;
		}
	}
	return g > lo && g < hi ? g : 0.5 * (lo + hi);
}

/* Root of the cubic k on [*lo, *hi], where it is monotone and changes sign
 * (k(*hi) > 0 when @p pos_hi, < 0 otherwise): safeguarded Newton from @p x0
 * in the bracket, at most ROOT_STEPS steps. The root estimate goes to *x
 * and the bracket [*lo, *hi] shrinks around the root (k keeps its end's
 * sign from each end outwards). Returns true when the iteration converged
 * (|step| <= @p tol; a value at the estimate is then off by O(tol^2) of its
 * curvature). */
static bool cubic_root(const double k[4], double *lo, double *hi, bool pos_hi,
		       double tol, double x0, double *x)
{
	double kd[3] = {k[1], 2.0 * k[2], 3.0 * k[3]};
	double l = *lo, h = *hi, fl = poly(k, 3, l), fh = poly(k, 3, h);
	double xi = x0, f = poly(k, 3, x0);
	bool conv = false, fallback = false;

	for (int i = 0; i < ROOT_STEPS; i++) {
		double fd, nx;

		if (f == 0.0) {
			conv = true;
			break;
		}
		if ((f > 0.0) == pos_hi) {
			h = xi;
			fh = f;
		} else {
			l = xi;
			fl = f;
		}
		fd = poly(kd, 2, xi);
		if (fd != 0.0) {
			double step = f / fd;

			if (fabs(step) <= tol) {
				conv = true;
				break;
			}
			nx = xi - step;
		} else {
			nx = l - 1.0; /* outside: fall through */
		}
		/* Newton out of the bracket (an overshoot past a root near
		 * one end, or a flat start): the bracket's secant, but every
		 * other time its midpoint, as the secant alone can creep */
		if (!(nx > l && nx < h)) {
			nx = l - fl * (h - l) / (fh - fl);
			fallback = !fallback;
			if (!fallback || !(nx > l && nx < h))
				nx = 0.5 * (l + h);
		}
		xi = nx;
		f = poly(k, 3, xi);
	}
	*lo = l;
	*hi = h;
	*x = xi;
	return conv;
}

/* Peaks of one segment, as ratios to the limits, and where (s) they are. */
struct peaks {
	double r[3]; /* |v|/vmax, |a|/amax, |j|/jmax */
	double s[3];
};

static inline void take(double *best, double *where, double val, double s)
{
	if (fabs(val) > *best) {
		*best = fabs(val);
		*where = s;
	}
}

/* Exact peaks on [0, T] of the quintic from (v0, a0) covering d in T.
 * @p hint_s: where the velocity peaked at a nearby T (a first guess of the
 * root it sits on), or < 0. */
static double seg_peaks(const struct dx_traj_config *cfg, double d, double v0,
			double a0, double T, double hint_s, struct peaks *pk)
{
	double V = v0 * T, A = a0 * T * T;
	double q3 = 10.0 * d - 6.0 * V - 1.5 * A;
	double q4 = -15.0 * d + 8.0 * V + 1.5 * A;
	double q5 = 6.0 * d - 3.0 * V - 0.5 * A;
	/* derivatives in s: velocity * T, acceleration * T^2, jerk * T^3 */
	double w[5] = {V, A, 3.0 * q3, 4.0 * q4, 5.0 * q5};
	double a[4] = {A, 6.0 * q3, 12.0 * q4, 20.0 * q5};
	double j[3] = {6.0 * q3, 24.0 * q4, 60.0 * q5};
	double edge[4], r[2], vb = fabs(V), ab = fabs(A), jb = fabs(j[0]);
	double vs = 0.0, as = 0.0, js = 0.0;
	int ne = 0, n;

	/* jerk: a quadratic, extreme at the ends or its vertex */
	take(&jb, &js, j[0] + j[1] + j[2], 1.0);
	if (j[2] != 0.0) {
		double sv = -j[1] / (2.0 * j[2]);

		if (sv > 0.0 && sv < 1.0)
			take(&jb, &js, poly(j, 2, sv), sv);
	}
	/* acceleration: a cubic, extreme at the ends (a0 T^2 and 0) or where
	 * the jerk vanishes; those points also cut the velocity's derivative
	 * into monotone pieces */
	edge[ne++] = 0.0;
	n = quad_roots(j, r);
	for (int i = 0; i < n; i++) {
		if (r[i] > 0.0 && r[i] < 1.0) {
			edge[ne++] = r[i];
			take(&ab, &as, poly(a, 3, r[i]), r[i]);
			take(&vb, &vs, poly(w, 4, r[i]), r[i]);
		}
	}
	edge[ne++] = 1.0;
	/* velocity: a quartic, extreme at the ends (v0 T and 0) or where the
	 * acceleration changes sign, at most once per monotone piece */
	for (int i = 0; i + 1 < ne; i++) {
		/* a(1) = 0 by construction; its rounding must not look like
		 * a sign change (v(1) = 0 anyway) */
		double flo = poly(a, 3, edge[i]);
		double fhi = i + 2 < ne ? poly(a, 3, edge[i + 1]) : 0.0;

		if (flo == 0.0 || fhi == 0.0 || (flo > 0.0) == (fhi > 0.0))
			continue;
		{
			double lo = edge[i], hi = edge[i + 1], sr, v;
			double g = hint_s > lo && hint_s < hi ?
				   hint_s : root_guess(a, lo, hi, flo, fhi);

			if (cubic_root(a, &lo, &hi, fhi > 0.0, PEAK_TOL, g,
				       &sr)) {
				v = fabs(poly(w, 4, sr));
			} else {
				/* not converged: bound |v| over the bracket by
				 * |v(sr)| + max |a| times its width (|a| is
				 * monotone on the piece) */
				v = fabs(poly(w, 4, sr)) +
				    max2(fabs(poly(a, 3, lo)),
					 fabs(poly(a, 3, hi))) * (hi - lo);
			}
			take(&vb, &vs, v, sr);
		}
	}
	pk->r[0] = vb / (T * cfg->vmax);
	pk->r[1] = ab / (T * T * cfg->amax);
	pk->r[2] = jb / (T * T * T * cfg->jmax);
	pk->s[0] = vs;
	pk->s[1] = as;
	pk->s[2] = js;
	return max2(max2(pk->r[0], pk->r[1]), pk->r[2]);
}

/* Longest duration y >= x such that limit c, evaluated at the fixed
 * normalised time s, is exceeded on all of [x, y); INFINITY when it stays
 * exceeded. The peak is at least that value, so [x, y) is infeasible.
 * "Exceeded" is by half the tolerance, so that the march's landing point,
 * whose excess is that plus a second-order term, usually passes at once.
 * @p hint: a guess of y (the jerk's cubic root starts there when it can),
 * or 0. @p proven: an end already proven by other means; when the jerk
 * limit holds there, y <= proven and x is returned without solving. */
static double cert_end(const struct dx_traj_config *cfg, int c, double s,
		       double d, double v0, double a0, double x, double hint,
		       double proven)
{
	double u = 1.0 / x, s2 = s * s, m = 1.0 - s, al, be, ga, f, lim;

	switch (c) {
	case 0: /* v = al / T + be + ga T */
		al = d * 30.0 * s2 * m * m;
		be = v0 * m * m * (1.0 + 2.0 * s - 15.0 * s2);
		ga = a0 * s * (1.0 + s * (-4.5 + s * (6.0 - 2.5 * s)));
		lim = cfg->vmax * (1.0 + 0.5 * FEAS_TOL);
		f = al * u + be + ga * x;
		break;
	case 1: /* a = al u^2 + be u + ga, u = 1/T */
		al = d * 60.0 * s * m * (1.0 - 2.0 * s);
		be = v0 * s * (-36.0 + s * (96.0 - 60.0 * s));
		ga = a0 * (1.0 + s * (-9.0 + s * (18.0 - 10.0 * s)));
		lim = cfg->amax * (1.0 + 0.5 * FEAS_TOL);
		f = (al * u + be) * u + ga;
		break;
	default: /* j = al u^3 + be u^2 + ga u */
		al = d * (60.0 + s * (-360.0 + 360.0 * s));
		be = v0 * (-36.0 + s * (192.0 - 180.0 * s));
		ga = a0 * (-9.0 + s * (36.0 - 30.0 * s));
		lim = cfg->jmax * (1.0 + 0.5 * FEAS_TOL);
		f = ((al * u + be) * u + ga) * u;
		break;
	}
	if (f < 0.0) {
		al = -al;
		be = -be;
		ga = -ga;
		f = -f;
	}
	if (!(f > lim))
		return x;
	if (c == 0) {
		/* ga y^2 + (be - lim) y + al > 0 at x: its next root */
		double k[3] = {al, be - lim, ga}, r[2], y = INFINITY;
		int n = quad_roots(k, r);

		/* a root within rounding of x counts: no progress rather
		 * than a wrong claim of none ahead */
		for (int i = 0; i < n; i++)
			if (r[i] > x * (1.0 - 1e-9) && r[i] < y)
				y = r[i];
		return max2(y, x);
	} else if (c == 1) {
		/* al u^2 + be u + ga - lim > 0 at u: the next root below */
		double k[3] = {ga - lim, be, al}, r[2], ur = 0.0;
		int n = quad_roots(k, r);

		for (int i = 0; i < n; i++)
			if (r[i] < u * (1.0 + 1e-9) && r[i] > ur)
				ur = r[i];
		return ur > 0.0 ? 1.0 / min2(ur, u) : INFINITY;
	} else {
		/* al u^3 + be u^2 + ga u - lim: > 0 at u, -lim at 0; walk
		 * down its monotone pieces to the first that changes sign */
		double k[4] = {-lim, ga, be, al};
		double kd[3] = {ga, 2.0 * be, 3.0 * al}, r[2], hi = u;
		int n;

		if (proven > x && poly(k, 3, 1.0 / proven) <= 0.0)
			return x;
		n = quad_roots(kd, r);

		for (int i = n; i >= 0; i--) {
			double lo = i > 0 && r[i - 1] > 0.0 ? r[i - 1] : 0.0;
			double flo;

			if (lo >= hi)
				continue;
			flo = poly(k, 3, lo);
			if (flo <= 0.0) {
				double ur, p, g;

				g = hint > 0.0 && 1.0 / hint > lo &&
				    1.0 / hint < hi ?
				    1.0 / hint :
				    root_guess(k, lo, hi, flo, poly(k, 3, hi));
				cubic_root(k, &lo, &hi, true, ROOT_TOL * u, g,
					   &ur);
				/* converged from below: a point just above the
				 * root is a much tighter end */
				p = ur * (1.0 + 4.0 * ROOT_TOL);
				if (p > lo && p < hi && poly(k, 3, p) > 0.0)
					hi = p;
				return 1.0 / hi;
			}
			hi = lo;
		}
		return 1.0 / hi; /* not reached: k(0) = -lim < 0 */
	}
}

/* A duration at which the quintic from (v0, a0 = 0) is feasible whenever
 * |v0| <= vmax. The peaks are bounded term by term: with Bv' =
 * (1-s)^2 (1 + 2s - 15 s^2), |v| <= |v0| |Bv'| + 30 |d|/T s^2 (1-s)^2 <=
 * vmax when 30 |d| / T <= BV1_GAP vmax; |a| <= 10/sqrt(3) |d|/T^2 +
 * BV2_MAX |v0|/T and |j| <= 60 |d|/T^3 + 36 |v0|/T^2 (max |Bv'''| = 36),
 * each term held to half its limit. */
static double safe_duration(const struct dx_traj_config *cfg, double d,
			    double v0)
{
	double ad = fabs(d), av = fabs(v0);
	double t = 30.0 * ad / (BV1_GAP * cfg->vmax);

	t = max2(t, sqrt(2.0 * (10.0 / sqrt(3.0)) * ad / cfg->amax));
	t = max2(t, 2.0 * BV2_MAX * av / cfg->amax);
	t = max2(t, cbrt(120.0 * ad / cfg->jmax));
	t = max2(t, sqrt(72.0 * av / cfg->jmax));
	return t * (1.0 + 1e-12);
}

enum march_result {
	MARCH_FOUND, /* shortest feasible duration (see MIN_STEP) */
	MARCH_NONE,  /* certified: no feasible duration up to T_MAX */
	MARCH_BUDGET, /* gave up after MARCH_STEPS evaluations */
};

/* Shortest feasible quintic from (v0, a0) covering d: the duration in *t.
 * Otherwise *t is the evaluated duration with the smallest worst ratio. */
static enum march_result march(const struct dx_traj_config *cfg, double d,
			       double v0, double a0, double *t)
{
	struct peaks pk;
	double x, best_t, best_r = INFINITY, hint_s = -1.0, hint_j = 0.0;

	/* Necessary for any motion within the limits: covering d at vmax,
	 * stopping v0 at amax, ending a0 at jmax. */
	x = max2(max2(fabs(d) / cfg->vmax, fabs(v0) / cfg->amax),
		 max2(fabs(a0) / cfg->jmax, T_MIN));
	/* A first certified jump without evaluating the peaks: the limits at
	 * the rest-to-rest peaks' places (v at s = 1/2, a at
	 * s = 1/2 -+ sqrt(3)/6, j at both ends) bound the peaks from below. */
	{
		double y = x;

		y = max2(y, cert_end(cfg, 0, 0.5, d, v0, a0, x, 0.0, y));
		y = max2(y, cert_end(cfg, 1, 0.21132486540518713, d, v0, a0, x,
				     0.0, y));
		y = max2(y, cert_end(cfg, 1, 0.78867513459481287, d, v0, a0, x,
				     0.0, y));
		y = max2(y, cert_end(cfg, 2, 0.0, d, v0, a0, x, 0.0, y));
		y = max2(y, cert_end(cfg, 2, 1.0, d, v0, a0, x, 0.0, y));
		if (y >= T_MAX) {
			*t = x;
			return MARCH_NONE;
		}
		x = y;
	}
	best_t = x;
	for (int k = 0; k < MARCH_STEPS; k++) {
		double r = seg_peaks(cfg, d, v0, a0, x, hint_s, &pk), y = x;

		if (r < best_r) {
			best_r = r;
			best_t = x;
		}
		if (r <= 1.0 + FEAS_TOL) {
			*t = x;
			return MARCH_FOUND;
		}
		for (int c = 0; c < 3; c++) {
			if (!(pk.r[c] > 1.0))
				continue;
			if (c == 2) {
				/* last, so the costlier cubic is often
				 * skipped: its limit holds at y already */
				double e = cert_end(cfg, c, pk.s[c], d, v0, a0,
						    x, hint_j, y);

				if (e > x)
					hint_j = e;
				y = max2(y, e);
				continue;
			}
			y = max2(y, cert_end(cfg, c, pk.s[c], d, v0, a0, x,
					     0.0, y));
			/* A velocity or acceleration peak close to s = 0
			 * with |v0| or |a0| near its limit moves towards
			 * s = 0 as it sinks, and the cert at s* only covers
			 * half the way; points nearer the start cover most
			 * of the rest (each a valid bound on its own). */
			if (c < 2 && pk.s[c] > 0.0 && pk.s[c] < 0.25) {
				y = max2(y, cert_end(cfg, c, 0.125 * pk.s[c], d,
						     v0, a0, x, 0.0, y));
				y = max2(y, cert_end(cfg, c, 0.015625 * pk.s[c],
						     d, v0, a0, x, 0.0, y));
			}
		}
		/* the peaks move little from here on: warm starts */
		hint_s = pk.s[0];
		if (y >= T_MAX) {
			*t = best_t;
			return MARCH_NONE;
		}
		/* Near the answer the certified step already lands within
		 * tolerance; a stall (a peak grazing its limit) is pushed on
		 * by at most MIN_STEP, less when the excess is smaller. */
		x = max2(y, x * (1.0 + min2(MIN_STEP, 0.5 * (r - 1.0))));
	}
	*t = best_t;
	return MARCH_BUDGET;
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

/* The quintic's duration from (v0, a0) to rest at d away; false when no
 * single quintic fits the limits. */
static bool plan_quintic(const struct dx_traj_config *cfg, double d, double v0,
			 double a0, double *t)
{
	double ad = fabs(d);

	if (v0 == 0.0 && a0 == 0.0) {
		/* rest to rest: each peak ratio falls as T^-k (see the top) */
		*t = max2(max2(1.875 * ad / cfg->vmax,
			       sqrt(10.0 / sqrt(3.0) * ad / cfg->amax)),
			  cbrt(60.0 * ad / cfg->jmax));
		return true;
	}
	if (march(cfg, d, v0, a0, t) == MARCH_FOUND)
		return true;
	if (a0 == 0.0 && fabs(v0) <= cfg->vmax) {
		*t = safe_duration(cfg, d, v0);
		return true;
	}
	return false;
}

DX_API int dx_traj_plan(struct dx_traj *tr, int64_t now_ns,
			const struct dx_traj_state *from, double target)
{
	struct dx_traj_config lim;
	double p0, v0, a0, t;
	bool ok = true;

	if (!tr || !from)
		return DX_EINVAL;
	if (!dx_isfinite(target) || !dx_isfinite(from->pos) ||
	    !dx_isfinite(from->vel) || !dx_isfinite(from->acc))
		return DX_ENOTFINITE;
	if (target < tr->cfg.pos_min || target > tr->cfg.pos_max ||
	    !dx_isfinite(target - from->pos))
		return DX_ERANGE; /* (the distance overflows a double) */
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
	/* A start beyond a limit: plan within limits raised to the start's
	 * own excess (best effort, reported). */
	lim = tr->cfg;
	if (fabs(v0) > lim.vmax || fabs(a0) > lim.amax) {
		lim.vmax = max2(lim.vmax, fabs(v0));
		lim.amax = max2(lim.amax, fabs(a0));
		ok = false;
	}
	if (!plan_quintic(&lim, target - p0, v0, a0, &t)) {
		/* No single quintic fits (a0 != 0 here: from zero
		 * acceleration one always does). Ramp the acceleration to
		 * zero at the jerk limit, then a quintic from rest
		 * acceleration; the ramp's velocity moves monotonically from
		 * v0 to v1. */
		double j = a0 > 0.0 ? -lim.jmax : lim.jmax;
		double t1 = fabs(a0) / lim.jmax;
		double p1 = p0 + v0 * t1 + 0.5 * a0 * t1 * t1 +
			    j * t1 * t1 * t1 / 6.0;
		double v1 = v0 + a0 * t1 + 0.5 * j * t1 * t1;

		tr->coef[0][0] = p0;
		tr->coef[0][1] = v0;
		tr->coef[0][2] = 0.5 * a0;
		tr->coef[0][3] = j / 6.0;
		tr->dur[0] = t1;
		if (fabs(v1) > lim.vmax) {
			/* the overshoot of vmax cannot be avoided */
			lim.vmax = fabs(v1);
			ok = false;
		}
		p0 = p1;
		v0 = v1;
		a0 = 0.0;
		if (!plan_quintic(&lim, target - p0, v0, a0, &t))
			return DX_EINVAL; /* not reached, see safe_duration() */
	}
	{
		/* coefficients in t of p0 + d Bd + v0 T Bv + a0 T^2 Ba */
		double d = target - p0, t2 = t * t, t3 = t2 * t;
		double *c = tr->coef[1];

		c[0] = p0;
		c[1] = v0;
		c[2] = 0.5 * a0;
		c[3] = (20.0 * d - 12.0 * v0 * t - 3.0 * a0 * t2) / (2.0 * t3);
		c[4] = (-30.0 * d + 16.0 * v0 * t + 3.0 * a0 * t2) /
		       (2.0 * t3 * t);
		c[5] = (12.0 * d - 6.0 * v0 * t - a0 * t2) / (2.0 * t3 * t2);
	}
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
