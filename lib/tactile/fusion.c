/* SPDX-License-Identifier: MIT */
/* Per-finger Kalman filter over the contact force, fusing the pad's force
 * with the force implied by the joint torques (see tactile.h). Double
 * precision 3×3 routines are written here because cglm is float only and
 * the information matrices near singular poses need the extra range. */
#include <math.h>
#include <string.h>

#include <dexrt/tactile.h>

DX_API void dx_fusion_config_default(struct dx_fusion_config *c,
				     unsigned n_fingers)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->n_fingers = n_fingers;
	c->q = 50.0;
	c->pad_sigma = 0.05;
	c->tau_sigma = 0.005;
	c->damping = 1e-3;
	c->p0 = 100.0;
	c->adaptive = true;
	c->adapt_tau = 0.2;
}

/* Inverse of a 3×3 through the adjugate; DX_ESINGULAR when the
 * determinant is not clearly away from zero. */
static int inv3(const double a[9], double out[9])
{
	double c00 = a[4] * a[8] - a[5] * a[7];
	double c01 = a[5] * a[6] - a[3] * a[8];
	double c02 = a[3] * a[7] - a[4] * a[6];
	double det = a[0] * c00 + a[1] * c01 + a[2] * c02;
	double tr = fabs(a[0]) + fabs(a[4]) + fabs(a[8]);

	double id;

	if (!(fabs(det) > 1e-300) || !(fabs(det) > 1e-15 * tr * tr * tr))
		return DX_ESINGULAR;
	id = 1.0 / det; /* one division, nine products */
	out[0] = c00 * id;
	out[1] = (a[2] * a[7] - a[1] * a[8]) * id;
	out[2] = (a[1] * a[5] - a[2] * a[4]) * id;
	out[3] = c01 * id;
	out[4] = (a[0] * a[8] - a[2] * a[6]) * id;
	out[5] = (a[2] * a[3] - a[0] * a[5]) * id;
	out[6] = c02 * id;
	out[7] = (a[1] * a[6] - a[0] * a[7]) * id;
	out[8] = (a[0] * a[4] - a[1] * a[3]) * id;
	return 0;
}

static void mv3(const double m[9], const double v[3], double out[3])
{
	double r[3];

	for (int i = 0; i < 3; i++)
		r[i] = m[3 * i] * v[0] + m[3 * i + 1] * v[1] + m[3 * i + 2] * v[2];
	memcpy(out, r, sizeof(r));
}

static void symmetrise(double m[9])
{
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++) {
			double s = 0.5 * (m[3 * i + j] + m[3 * j + i]);
			m[3 * i + j] = s;
			m[3 * j + i] = s;
		}
}

/* J Jᵀ (3×3) and J v (3) for J 3×n row-major. J Jᵀ is symmetric bit for
 * bit (the same products, commuted, summed in the same order), so the
 * lower triangle is copied rather than summed again. */
static void jjt(const double *jac, unsigned n, double out[9])
{
	for (int i = 0; i < 3; i++)
		for (int j = i; j < 3; j++) {
			double s = 0;
			for (unsigned k = 0; k < n; k++)
				s += jac[i * n + k] * jac[j * n + k];
			out[3 * i + j] = s;
			out[3 * j + i] = s;
		}
}

static void jv(const double *jac, unsigned n, const double *v, double out[3])
{
	for (int i = 0; i < 3; i++) {
		double s = 0;
		for (unsigned k = 0; k < n; k++)
			s += jac[i * n + k] * v[k];
		out[i] = s;
	}
}

/* dx_fusion_torque_force() from J Jᵀ and J Δτ (the filter has both at
 * hand); @p f is written only on success. */
static int torque_force(const double jj[9], const double jd[3], double lambda,
			double f[3])
{
	double a[9], ai[9];
	int err;

	memcpy(a, jj, sizeof(a));
	for (int i = 0; i < 3; i++)
		a[4 * i] += lambda * lambda;
	err = inv3(a, ai);
	if (err)
		return err;
	mv3(ai, jd, f);
	return 0;
}

DX_API int dx_fusion_torque_force(const double *jac, unsigned n_joints,
				  const double *dtau, double lambda,
				  double f[3])
{
	double jj[9], jd[3];

	if (!jac || !dtau || !f || n_joints == 0 ||
	    n_joints > DX_FUSION_MAX_JOINTS || !(lambda >= 0))
		return DX_EINVAL;
	for (unsigned i = 0; i < 3 * n_joints; i++)
		if (!dx_isfinite(jac[i]) || (i < n_joints && !dx_isfinite(dtau[i])))
			return DX_ENOTFINITE;
	if (!dx_isfinite(lambda))
		return DX_ENOTFINITE;
	jjt(jac, n_joints, jj);
	jv(jac, n_joints, dtau, jd);
	return torque_force(jj, jd, lambda, f);
}

DX_API int dx_fusion_init(struct dx_fusion *fu, const struct dx_fusion_config *c)
{
	if (!fu || !c || c->n_fingers == 0 ||
	    c->n_fingers > DX_FUSION_MAX_FINGERS || !(c->q > 0) ||
	    !(c->pad_sigma > 0) || !(c->tau_sigma > 0) || !(c->damping >= 0) ||
	    !(c->p0 > 0) || !(c->adapt_tau > 0) || !dx_isfinite(c->q) ||
	    !dx_isfinite(c->pad_sigma) || !dx_isfinite(c->tau_sigma) ||
	    !dx_isfinite(c->damping) || !dx_isfinite(c->p0) ||
	    !dx_isfinite(c->adapt_tau))
		return DX_EINVAL;
	memset(fu, 0, sizeof(*fu));
	fu->cfg = *c;
	dx_fusion_reset(fu, -1);
	return 0;
}

DX_API void dx_fusion_reset(struct dx_fusion *fu, int finger)
{
	if (!fu)
		return;
	for (unsigned i = 0; i < fu->cfg.n_fingers; i++) {
		struct dx_fusion_finger *g = &fu->finger[i];
		if (finger >= 0 && (unsigned)finger != i)
			continue;
		memset(g, 0, sizeof(*g));
		g->P[0] = g->P[4] = g->P[8] = fu->cfg.p0;
		g->pad_r = fu->cfg.pad_sigma * fu->cfg.pad_sigma;
		g->tau_r = fu->cfg.tau_sigma * fu->cfg.tau_sigma;
		g->normal[2] = 1.0f;
	}
}

static bool input_finite(const struct dx_fusion_input *in)
{
	if (in->pad_valid &&
	    (!dx_isfinite(in->pad_force[0]) || !dx_isfinite(in->pad_force[1]) ||
	     !dx_isfinite(in->pad_force[2]) || !dx_isfinite(in->pad_confidence)))
		return false;
	for (unsigned k = 0; k < 3 * in->n_joints; k++)
		if (!dx_isfinite(in->jac[k]))
			return false;
	for (unsigned k = 0; k < in->n_joints; k++)
		if (!dx_isfinite(in->dtau[k]))
			return false;
	return true;
}

/* Covariance matching: the measured innovation power against what the
 * filter predicts; only excess raises the variance, never below the
 * configured one. */
static void adapt(double *r, double r0, double nu2, double pred, double k)
{
	double est = nu2 - pred;
	double target = est > r0 ? est : r0;

	*r += k * (target - *r);
	if (*r < r0)
		*r = r0;
}

/* @p k_ad: the adaptation gain for @p dt, the same for every finger. */
static void finger_step(struct dx_fusion *fu, struct dx_fusion_finger *g,
			double dt, double k_ad, const struct dx_fusion_input *in,
			struct dx_fusion_contact *out)
{
	const struct dx_fusion_config *c = &fu->cfg;
	double r0p = c->pad_sigma * c->pad_sigma;
	double r0t = c->tau_sigma * c->tau_sigma;
	bool pad = in->pad_valid && in->pad_confidence > 0;
	bool tq = in->n_joints > 0;

	memset(out, 0, sizeof(*out));
	/* predict */
	for (int i = 0; i < 3; i++)
		g->P[4 * i] += c->q * dt;

	if (tq) {
		double b[3], jj[9], jd[3], nu2 = 0, pred = 0;
		unsigned n = in->n_joints;
		/* innovation Δτ − Jᵀ f and its predicted power tr(Jᵀ P J)/n */
		for (unsigned k = 0; k < n; k++) {
			double col[3], pc[3], s = in->dtau[k];
			for (int i = 0; i < 3; i++) {
				col[i] = in->jac[i * n + k];
				s -= col[i] * g->f[i];
			}
			nu2 += s * s;
			mv3(g->P, col, pc);
			pred += col[0] * pc[0] + col[1] * pc[1] + col[2] * pc[2];
		}
		if (c->adaptive)
			adapt(&g->tau_r, r0t, nu2 / n, pred / n, k_ad);
		else
			g->tau_r = r0t;
		jjt(in->jac, n, jj);
		jv(in->jac, n, in->dtau, jd);
		/* Information update P⁺ = (P⁻¹ + J Jᵀ/r)⁻¹ in the form
		 * (I + P M)⁻¹ P with M = J Jᵀ/r: one inverse of a matrix whose
		 * eigenvalues are all >= 1 (P M is similar to a PSD matrix),
		 * and P itself is never inverted. The mean follows as
		 * f⁺ = f + P⁺ (J Δτ − J Jᵀ f)/r. */
		{
			double ir = 1.0 / g->tau_r, M[9], B[9], Bi[9], Pn[9];
			for (int i = 0; i < 9; i++)
				M[i] = jj[i] * ir;
			for (int i = 0; i < 3; i++)
				for (int j = 0; j < 3; j++)
					B[3 * i + j] = (i == j) +
						       g->P[3 * i] * M[j] +
						       g->P[3 * i + 1] * M[3 + j] +
						       g->P[3 * i + 2] * M[6 + j];
			if (inv3(B, Bi) == 0) {
				for (int i = 0; i < 3; i++)
					for (int j = 0; j < 3; j++)
						Pn[3 * i + j] =
							Bi[3 * i] * g->P[j] +
							Bi[3 * i + 1] * g->P[3 + j] +
							Bi[3 * i + 2] * g->P[6 + j];
				symmetrise(Pn);
				mv3(jj, g->f, b);
				for (int i = 0; i < 3; i++)
					b[i] = (jd[i] - b[i]) * ir;
				mv3(Pn, b, b);
				for (int i = 0; i < 3; i++)
					g->f[i] += b[i];
				memcpy(g->P, Pn, sizeof(Pn));
			}
		}
		/* dx_fusion_torque_force() on the products above (n and
		 * the damping were checked by dx_fusion_step and init) */
		out->torque_valid = torque_force(jj, jd, c->damping,
						 out->torque_force) == 0;
	}
	if (pad) {
		double conf = in->pad_confidence > 1 ? 1 : in->pad_confidence;
		double S[9], Si[9], K[9], nu[3], nu2 = 0, r;
		for (int i = 0; i < 3; i++) {
			nu[i] = in->pad_force[i] - g->f[i];
			nu2 += nu[i] * nu[i];
		}
		if (c->adaptive)
			adapt(&g->pad_r, r0p, nu2 / 3,
			      (g->P[0] + g->P[4] + g->P[8]) / 3, k_ad);
		else
			g->pad_r = r0p;
		r = g->pad_r / conf;
		memcpy(S, g->P, sizeof(S));
		for (int i = 0; i < 3; i++)
			S[4 * i] += r;
		if (inv3(S, Si) == 0) {
			double KP[9];
			/* K = P S⁻¹; f += K ν; P −= K P */
			for (int i = 0; i < 3; i++)
				for (int j = 0; j < 3; j++) {
					double s = 0;
					for (int k = 0; k < 3; k++)
						s += g->P[3 * i + k] * Si[3 * k + j];
					K[3 * i + j] = s;
				}
			mv3(K, nu, nu);
			for (int i = 0; i < 3; i++)
				g->f[i] += nu[i];
			for (int i = 0; i < 3; i++)
				for (int j = 0; j < 3; j++) {
					double s = 0;
					for (int k = 0; k < 3; k++)
						s += K[3 * i + k] * g->P[3 * k + j];
					KP[3 * i + j] = s;
				}
			for (int i = 0; i < 9; i++)
				g->P[i] -= KP[i];
			symmetrise(g->P);
		}
		memcpy(g->location, in->location, sizeof(g->location));
		memcpy(g->normal, in->normal, sizeof(g->normal));
	}
	/* keep the covariance bounded when nothing is observed for long */
	for (int i = 0; i < 3; i++)
		if (g->P[4 * i] > 1e6)
			g->P[4 * i] = 1e6;

	out->active = pad || tq;
	out->slip = pad && in->slip;
	memcpy(out->force, g->f, sizeof(out->force));
	memcpy(out->cov, g->P, sizeof(out->cov));
	out->sigma = sqrt((g->P[0] + g->P[4] + g->P[8]) / 3.0);
	memcpy(out->location, g->location, sizeof(out->location));
	memcpy(out->normal, g->normal, sizeof(out->normal));
	{
		double x = out->sigma / c->pad_sigma;
		out->confidence = (float)(1.0 / (1.0 + 0.25 * x * x));
	}
	out->pad_r = g->pad_r;
	out->tau_r = g->tau_r;
}

DX_API int dx_fusion_step(struct dx_fusion *fu, double dt_s,
			  const struct dx_fusion_input *in,
			  struct dx_fusion_contact *out)
{
	int ret = 0;
	double k_ad;

	if (!fu || !in || !out)
		return DX_EINVAL;
	if (!dx_isfinite(dt_s))
		return DX_ENOTFINITE;
	if (!(dt_s > 0))
		return DX_EINVAL;
	for (unsigned i = 0; i < fu->cfg.n_fingers; i++)
		if (in[i].n_joints > DX_FUSION_MAX_JOINTS ||
		    (in[i].n_joints && (!in[i].jac || !in[i].dtau)))
			return DX_EINVAL;
	if (dt_s != fu->k_dt) { /* a fixed-rate loop computes it once */
		fu->k_ad = 1.0 - exp(-dt_s / fu->cfg.adapt_tau);
		fu->k_dt = dt_s;
	}
	k_ad = fu->k_ad;
	for (unsigned i = 0; i < fu->cfg.n_fingers; i++) {
		struct dx_fusion_finger *g = &fu->finger[i];
		if (!input_finite(&in[i])) {
			memset(&out[i], 0, sizeof(out[i]));
			memcpy(out[i].force, g->f, sizeof(g->f));
			memcpy(out[i].cov, g->P, sizeof(g->P));
			ret = DX_ENOTFINITE;
			continue;
		}
		finger_step(fu, g, dt_s, k_ad, &in[i], &out[i]);
	}
	return ret;
}
