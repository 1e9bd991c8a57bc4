/* SPDX-License-Identifier: MIT */
/* Chains (flattened base-to-tip index arrays), forward kinematics and
 * geometric Jacobians. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kin-priv.h"

/* Longest chain (moving joints) evaluated by the fast path with on-stack
 * scratch; longer ones take a slower two-pass path without scratch. */
#define CHAIN_MAX 64

void dx_kin_chain_free(struct dx_kin_chain *c)
{
	if (!c)
		return;
	free(c->steps);
	free(c->var_model);
	free(c->lower);
	free(c->upper);
	free(c->joints);
	free(c);
}

static double vnorm(const double v[3])
{
	return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

static bool near0(double v)
{
	return fabs(v) <= 1e-15;
}

static void classify_origin(struct dx__kin_step *s)
{
	const double *R = s->R;

	if (s->rot_identity) {
		s->okind = 0;
	} else if (near0(R[0] - 1) && near0(R[1]) && near0(R[2]) &&
		   near0(R[3]) && near0(R[6])) {
		s->okind = DX__AXIS_X;
		s->oc = R[4];
		s->os = R[7];
	} else if (near0(R[4] - 1) && near0(R[1]) && near0(R[3]) &&
		   near0(R[5]) && near0(R[7])) {
		s->okind = DX__AXIS_Y;
		s->oc = R[0];
		s->os = R[2];
	} else if (near0(R[8] - 1) && near0(R[2]) && near0(R[5]) &&
		   near0(R[6]) && near0(R[7])) {
		s->okind = DX__AXIS_Z;
		s->oc = R[0];
		s->os = R[3];
	} else {
		s->okind = 4;
		return;
	}
	/* quarter turns (DH twists of +-pi/2) only swap columns */
	if (fabs(s->oc) <= 1e-15 && fabs(fabs(s->os) - 1) <= 1e-15) {
		s->okind += 4;
		s->oc = 0;
		s->os = s->os > 0 ? 1 : -1;
	}
}

/* sin and cos for the chain loop: Cody-Waite reduction by pi/2 (pi/2 split
 * in a 33-bit head and a tail, exact head products for |k| < 2^20), then the Taylor series of
 * sin and cos on [-pi/4, pi/4] to degree 15/16 (the first omitted terms are
 * below 5e-17 there),
 * then the quadrant. About 2 ulp, several times cheaper than libm's sin and
 * cos; arguments beyond 1e5 rad or non-finite go to libm. */
#define PIO2_1 1.57079632673412561417e+00
#define PIO2_1T 6.07710050650619224932e-11
/* round to nearest by truncation (no libm call without SSE4.1) */
#define QUADRANT_INDEX(x)                                                     \
	((long)((x) * 0.63661977236758134308 + ((x) >= 0 ? 0.5 : -0.5)))
/* The two series, written once for the scalar and the two-lane forms. */
#define SIN_SERIES(r, r2)                                                     \
	((r) * (1.0 + (r2) * (-1.0 / 6 + (r2) * (1.0 / 120 +                  \
	 (r2) * (-1.0 / 5040 + (r2) * (1.0 / 362880 +                         \
	 (r2) * (-1.0 / 39916800 + (r2) * (1.0 / 6227020800.0 +              \
	 (r2) * (-1.0 / 1307674368000.0)))))))))
#define COS_SERIES(r2)                                                        \
	(1.0 + (r2) * (-0.5 + (r2) * (1.0 / 24 + (r2) * (-1.0 / 720 +          \
	 (r2) * (1.0 / 40320 + (r2) * (-1.0 / 3628800 +                       \
	 (r2) * (1.0 / 479001600 + (r2) * (-1.0 / 87178291200.0 +             \
	 (r2) * (1.0 / 20922789888000.0)))))))))

static inline __attribute__((always_inline)) void
quadrant(long ki, double sn, double cs, double *s, double *c)
{
	switch (ki & 3) {
	case 0:
		*s = sn;
		*c = cs;
		break;
	case 1:
		*s = cs;
		*c = -sn;
		break;
	case 2:
		*s = -sn;
		*c = -cs;
		break;
	default:
		*s = -cs;
		*c = sn;
	}
}

static inline __attribute__((always_inline)) void
fast_sincos(double x, double *s, double *c)
{
	double k, r, r2;
	long ki;

	if (!(fabs(x) < 1e5)) {
		sincos(x, s, c);
		return;
	}
	ki = QUADRANT_INDEX(x);
	k = (double)ki;
	r = (x - k * PIO2_1) - k * PIO2_1T;
	r2 = r * r;
	quadrant(ki, SIN_SERIES(r, r2), COS_SERIES(r2), s, c);
}

/* fast_sincos of two arguments at once: the same operations, each done on
 * a pair of doubles (SSE2 lanes round exactly as the scalar operations),
 * so the results are bit for bit those of fast_sincos. */
typedef double v2d __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) void
fast_sincos2(double x0, double x1, double *s0, double *c0, double *s1,
	     double *c1)
{
	v2d x, k, r, r2, sn, cs;
	long k0, k1;

	if (!(fabs(x0) < 1e5) || !(fabs(x1) < 1e5)) {
		fast_sincos(x0, s0, c0);
		fast_sincos(x1, s1, c1);
		return;
	}
	k0 = QUADRANT_INDEX(x0);
	k1 = QUADRANT_INDEX(x1);
	x = (v2d){x0, x1};
	k = (v2d){(double)k0, (double)k1};
	r = (x - k * PIO2_1) - k * PIO2_1T;
	r2 = r * r;
	sn = SIN_SERIES(r, r2);
	cs = COS_SERIES(r2);
	quadrant(k0, sn[0], cs[0], s0, c0);
	quadrant(k1, sn[1], cs[1], s1, c1);
}

void dx__sincos(double x, double *s, double *c)
{
	fast_sincos(x, s, c);
}

int dx_kin_chain_create(const struct dx_kin_model *m, const char *base,
			const char *tip, struct dx_kin_chain **out)
{
	struct dx_kin_chain *c;
	struct dx_kin_pose acc;
	int b, t, l;
	unsigned n = 0, k;

	if (!out || !m || !tip)
		return DX_EINVAL;
	*out = NULL;
	b = base ? dx_kin_link_index(m, base) : m->root;
	t = dx_kin_link_index(m, tip);
	if (b < 0 || t < 0)
		return DX_ENOENT;
	for (l = t; l != b && m->links[l].parent_joint >= 0;
	     l = m->joints[m->links[l].parent_joint].parent)
		n++;
	if (l != b)
		return DX_EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return DX_ENOMEM;
	c->model = m;
	c->base = b;
	c->tip = t;
	c->njoints = n;
	c->joints = calloc(n ? n : 1, sizeof(int));
	c->steps = calloc(n ? n : 1, sizeof(*c->steps));
	c->var_model = calloc(n ? n : 1, sizeof(int));
	c->lower = calloc(n ? n : 1, sizeof(double));
	c->upper = calloc(n ? n : 1, sizeof(double));
	if (!c->joints || !c->steps || !c->var_model || !c->lower || !c->upper) {
		dx_kin_chain_free(c);
		return DX_ENOMEM;
	}
	k = n;
	for (l = t; l != b; l = m->joints[m->links[l].parent_joint].parent)
		c->joints[--k] = m->links[l].parent_joint;

	dx__pose_identity(&acc);
	for (k = 0; k < n; k++) {
		const struct dx__kin_joint *j = &m->joints[c->joints[k]];
		struct dx__kin_step *s;
		int qi = -1;

		dx__pose_mul(&acc, &j->origin, &acc);
		if (j->type == DX_KIN_FIXED)
			continue;
		s = &c->steps[c->nsteps++];
		memcpy(s->R, acc.R, sizeof(s->R));
		memcpy(s->p, acc.p, sizeof(s->p));
		s->rot_identity = dx__rot_is_identity(s->R);
		classify_origin(s);
		for (int a = 0; a < 3; a++)
			if (s->p[a] != 0)
				s->pmask |= (uint8_t)(1u << a);
		dx__pose_identity(&acc);
		s->type = (uint8_t)j->type;
		memcpy(s->axis, j->axis, sizeof(s->axis));
		s->mult = j->mimic >= 0 ? j->mult : 1.0;
		s->offset = j->mimic >= 0 ? j->offset : 0.0;
		s->kind = DX__AXIS_GENERAL;
		for (int a = 0; a < 3; a++) {
			if (fabs(fabs(j->axis[a]) - 1.0) > 1e-12)
				continue;
			s->kind = (uint8_t)(DX__AXIS_X + a);
			if (j->axis[a] < 0) {
				s->mult = -s->mult;
				s->offset = -s->offset;
			}
			memset(s->axis, 0, sizeof(s->axis));
			s->axis[a] = 1.0;
		}
		for (unsigned v = 0; v < c->nv; v++)
			if (c->var_model[v] == j->var)
				qi = (int)v;
		if (qi < 0) {
			qi = (int)c->nv++;
			c->var_model[qi] = j->var;
			c->lower[qi] = m->var_lower[j->var];
			c->upper[qi] = m->var_upper[j->var];
		}
		s->qi = qi;
	}
	c->shared_vars = c->nv < c->nsteps;
	c->tip_tf = acc;
	c->tip_rot_identity = dx__rot_is_identity(acc.R);
	c->tip_identity = c->tip_rot_identity && acc.p[0] == 0 &&
			  acc.p[1] == 0 && acc.p[2] == 0;

	/* Reach: everything after the first moving joint's origin. */
	if (c->nsteps) {
		memcpy(c->origin0, c->steps[0].p, sizeof(c->origin0));
		c->reach = vnorm(c->tip_tf.p);
		for (k = 0; k < c->nsteps; k++) {
			const struct dx__kin_step *s = &c->steps[k];

			if (k > 0)
				c->reach += vnorm(s->p);
			if (s->type == DX_KIN_PRISMATIC) {
				double lo = s->mult * c->lower[s->qi] + s->offset;
				double hi = s->mult * c->upper[s->qi] + s->offset;

				c->reach += fmax(fabs(lo), fabs(hi));
			}
		}
		if (!dx_isfinite(c->reach))
			c->reach = INFINITY;
	} else {
		memcpy(c->origin0, c->tip_tf.p, sizeof(c->origin0));
		c->reach = 0;
	}
	*out = c;
	return 0;
}

unsigned dx_kin_chain_nvars(const struct dx_kin_chain *c)
{
	return c ? c->nv : 0;
}

int dx_kin_chain_var(const struct dx_kin_chain *c, unsigned i)
{
	return c && i < c->nv ? c->var_model[i] : -1;
}

unsigned dx_kin_chain_njoints(const struct dx_kin_chain *c)
{
	return c ? c->njoints : 0;
}

int dx_kin_chain_joint(const struct dx_kin_chain *c, unsigned i)
{
	return c && i < c->njoints ? c->joints[i] : -1;
}

void dx_kin_chain_limits(const struct dx_kin_chain *c, double *lower,
			 double *upper)
{
	for (unsigned i = 0; c && i < c->nv; i++) {
		if (lower)
			lower[i] = c->lower[i];
		if (upper)
			upper[i] = c->upper[i];
	}
}

void dx_kin_chain_gather(const struct dx_kin_chain *c, const double *q_model,
			 double *q_chain)
{
	if (!c || !q_model || !q_chain)
		return;
	for (unsigned i = 0; i < c->nv; i++)
		q_chain[i] = q_model[c->var_model[i]];
}

void dx_kin_chain_scatter(const struct dx_kin_chain *c, const double *q_chain,
			  double *q_model)
{
	if (!c || !q_chain || !q_model)
		return;
	for (unsigned i = 0; i < c->nv; i++)
		q_model[c->var_model[i]] = q_chain[i];
}

/* The rotation is kept in nine scalars (columns x = (r0 r3 r6), y = (r1 r4
 * r7), z = (r2 r5 r8)) so that it stays in registers: rotating about a frame
 * axis mixes two columns, a quarter turn swaps them. */
#define MIX_(a0, a1, a2, b0, b1, b2, co, si)                                   \
	do {                                                                  \
		double t0_ = a0, t1_ = a1, t2_ = a2;                          \
		a0 = (co) * t0_ + (si) * b0;                                  \
		a1 = (co) * t1_ + (si) * b1;                                  \
		a2 = (co) * t2_ + (si) * b2;                                  \
		b0 = (co) * b0 - (si) * t0_;                                  \
		b1 = (co) * b1 - (si) * t1_;                                  \
		b2 = (co) * b2 - (si) * t2_;                                  \
	} while (0)
#define SWAP_(a0, a1, a2, b0, b1, b2, pos)                                     \
	do {                                                                  \
		double t0_ = a0, t1_ = a1, t2_ = a2;                          \
		if (pos) {                                                    \
			a0 = b0, a1 = b1, a2 = b2;                            \
			b0 = -t0_, b1 = -t1_, b2 = -t2_;                      \
		} else {                                                      \
			a0 = -b0, a1 = -b1, a2 = -b2;                         \
			b0 = t0_, b1 = t1_, b2 = t2_;                         \
		}                                                             \
	} while (0)
/* one more expansion so that COLX etc. split into three arguments */
#define MIX(A, B, co, si) MIX_(A, B, co, si)
#define SWAP(A, B, pos) SWAP_(A, B, pos)
#define COLX r0, r3, r6
#define COLY r1, r4, r7
#define COLZ r2, r5, r8

/* R = R * M for a general constant M (row-major) */
#define MULM(M)                                                               \
	do {                                                                  \
		const double *m_ = (M);                                       \
		double a_, b_, c_;                                            \
		a_ = r0 * m_[0] + r1 * m_[3] + r2 * m_[6];                    \
		b_ = r0 * m_[1] + r1 * m_[4] + r2 * m_[7];                    \
		c_ = r0 * m_[2] + r1 * m_[5] + r2 * m_[8];                    \
		r0 = a_, r1 = b_, r2 = c_;                                    \
		a_ = r3 * m_[0] + r4 * m_[3] + r5 * m_[6];                    \
		b_ = r3 * m_[1] + r4 * m_[4] + r5 * m_[7];                    \
		c_ = r3 * m_[2] + r4 * m_[5] + r5 * m_[8];                    \
		r3 = a_, r4 = b_, r5 = c_;                                    \
		a_ = r6 * m_[0] + r7 * m_[3] + r8 * m_[6];                    \
		b_ = r6 * m_[1] + r7 * m_[4] + r8 * m_[7];                    \
		c_ = r6 * m_[2] + r7 * m_[5] + r8 * m_[8];                    \
		r6 = a_, r7 = b_, r8 = c_;                                    \
	} while (0)

/* @p pre, when not NULL, receives the pose after the last moving joint
 * (before the trailing fixed joints). */
static inline __attribute__((always_inline)) void
chain_eval(const struct dx_kin_chain *c, const double *q,
	   struct dx_kin_pose *out, double *J, unsigned ldj,
	   struct dx_kin_pose *pre)
{
	double r0 = 1, r1 = 0, r2 = 0, r3 = 0, r4 = 1, r5 = 0, r6 = 0, r7 = 0,
	       r8 = 1;
	double p0 = 0, p1 = 0, p2 = 0;
	double zs[CHAIN_MAX][3], ps[CHAIN_MAX][3];
	double vs[CHAIN_MAX], sn[CHAIN_MAX], cs[CHAIN_MAX];
	double p[3];

	/* The sines and cosines do not depend on the products: computing
	 * them first lets the CPU overlap them instead of waiting on each
	 * polynomial inside the dependent chain of products. */
	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];

		vs[k] = s->mult * q[s->qi] + s->offset;
	}
	for (unsigned k = 0; k + 1 < c->nsteps; k += 2)
		fast_sincos2(vs[k], vs[k + 1], &sn[k], &cs[k], &sn[k + 1],
			     &cs[k + 1]);
	if (c->nsteps & 1)
		fast_sincos(vs[c->nsteps - 1], &sn[c->nsteps - 1],
			    &cs[c->nsteps - 1]);
	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];
		double si = sn[k], co = cs[k];

		/* constant part: p += R * s.p (origins usually have one or two
		 * non-zero components: skip the others), R = R * s.R */
		if (s->pmask & 1) {
			p0 += r0 * s->p[0];
			p1 += r3 * s->p[0];
			p2 += r6 * s->p[0];
		}
		if (s->pmask & 2) {
			p0 += r1 * s->p[1];
			p1 += r4 * s->p[1];
			p2 += r7 * s->p[1];
		}
		if (s->pmask & 4) {
			p0 += r2 * s->p[2];
			p1 += r5 * s->p[2];
			p2 += r8 * s->p[2];
		}
		switch (s->okind) {
		case 0:
			break;
		case DX__AXIS_X:
			MIX(COLY, COLZ, s->oc, s->os);
			break;
		case DX__AXIS_Y:
			MIX(COLZ, COLX, s->oc, s->os);
			break;
		case DX__AXIS_Z:
			MIX(COLX, COLY, s->oc, s->os);
			break;
		case 4 + DX__AXIS_X:
			SWAP(COLY, COLZ, s->os > 0);
			break;
		case 4 + DX__AXIS_Y:
			SWAP(COLZ, COLX, s->os > 0);
			break;
		case 4 + DX__AXIS_Z:
			SWAP(COLX, COLY, s->os > 0);
			break;
		default:
			MULM(s->R);
		}
		if (J || s->type == DX_KIN_PRISMATIC) {
			/* axis in the base frame, before the joint's own
			 * motion (which leaves it unchanged) */
			const double *ax = s->axis;
			double z0 = r0 * ax[0] + r1 * ax[1] + r2 * ax[2];
			double z1 = r3 * ax[0] + r4 * ax[1] + r5 * ax[2];
			double z2 = r6 * ax[0] + r7 * ax[1] + r8 * ax[2];

			if (J) {
				zs[k][0] = z0;
				zs[k][1] = z1;
				zs[k][2] = z2;
				ps[k][0] = p0;
				ps[k][1] = p1;
				ps[k][2] = p2;
			}
			if (s->type == DX_KIN_PRISMATIC) {
				p0 += z0 * vs[k];
				p1 += z1 * vs[k];
				p2 += z2 * vs[k];
				continue;
			}
		}
		switch (s->kind) {
		case DX__AXIS_X:
			MIX(COLY, COLZ, co, si);
			break;
		case DX__AXIS_Y:
			MIX(COLZ, COLX, co, si);
			break;
		case DX__AXIS_Z:
			MIX(COLX, COLY, co, si);
			break;
		default: {
			double Rj[9];

			dx__rot_axis_angle(s->axis, vs[k], Rj);
			MULM(Rj);
		}
		}
	}
	if (pre) {
		pre->R[0] = r0, pre->R[1] = r1, pre->R[2] = r2;
		pre->R[3] = r3, pre->R[4] = r4, pre->R[5] = r5;
		pre->R[6] = r6, pre->R[7] = r7, pre->R[8] = r8;
		pre->p[0] = p0, pre->p[1] = p1, pre->p[2] = p2;
	}
	if (!c->tip_identity) {
		const double *tp = c->tip_tf.p;

		p0 += r0 * tp[0] + r1 * tp[1] + r2 * tp[2];
		p1 += r3 * tp[0] + r4 * tp[1] + r5 * tp[2];
		p2 += r6 * tp[0] + r7 * tp[1] + r8 * tp[2];
		if (!c->tip_rot_identity)
			MULM(c->tip_tf.R);
	}
	p[0] = p0;
	p[1] = p1;
	p[2] = p2;
	if (out) {
		out->R[0] = r0, out->R[1] = r1, out->R[2] = r2;
		out->R[3] = r3, out->R[4] = r4, out->R[5] = r5;
		out->R[6] = r6, out->R[7] = r7, out->R[8] = r8;
		out->p[0] = p0, out->p[1] = p1, out->p[2] = p2;
	}
	if (!J)
		return;
	/* Columns are written directly, unless a variable drives several
	 * joints (mimic) and its columns add up. */
	if (c->shared_vars)
		for (unsigned r = 0; r < 6; r++)
			for (unsigned i = 0; i < c->nv; i++)
				J[r * ldj + i] = 0;
	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];
		const double *z = zs[k];
		double m = s->mult, col[6];
		int i = s->qi;

		if (s->type == DX_KIN_PRISMATIC) {
			col[0] = m * z[0];
			col[1] = m * z[1];
			col[2] = m * z[2];
			col[3] = col[4] = col[5] = 0;
		} else {
			double d0 = p[0] - ps[k][0], d1 = p[1] - ps[k][1],
			       d2 = p[2] - ps[k][2];

			col[0] = m * (z[1] * d2 - z[2] * d1);
			col[1] = m * (z[2] * d0 - z[0] * d2);
			col[2] = m * (z[0] * d1 - z[1] * d0);
			col[3] = m * z[0];
			col[4] = m * z[1];
			col[5] = m * z[2];
		}
		if (c->shared_vars)
			for (int r = 0; r < 6; r++)
				J[r * ldj + i] += col[r];
		else
			for (int r = 0; r < 6; r++)
				J[r * ldj + i] = col[r];
	}
}

/* Chains longer than CHAIN_MAX: FK, then (for J) a second pass that
 * recomputes each joint frame and writes its column. */
static void chain_eval_long(const struct dx_kin_chain *c, const double *q,
			    struct dx_kin_pose *out, double *J, unsigned ldj)
{
	struct dx_kin_pose f, tip;

	dx__pose_identity(&f);
	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];
		struct dx_kin_pose o;

		memcpy(o.R, s->R, sizeof(o.R));
		memcpy(o.p, s->p, sizeof(o.p));
		dx__pose_mul(&f, &o, &f);
		dx__joint_apply(&f, s->type, s->axis,
				s->mult * q[s->qi] + s->offset);
	}
	dx__pose_mul(&f, &c->tip_tf, &tip);
	if (out)
		*out = tip;
	if (!J)
		return;
	for (unsigned r = 0; r < 6; r++)
		for (unsigned i = 0; i < c->nv; i++)
			J[r * ldj + i] = 0;
	dx__pose_identity(&f);
	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];
		struct dx_kin_pose o;
		double z[3], d[3], m = s->mult;
		int i = s->qi;

		memcpy(o.R, s->R, sizeof(o.R));
		memcpy(o.p, s->p, sizeof(o.p));
		dx__pose_mul(&f, &o, &f);
		dx__mat3_vec(f.R, s->axis, z);
		if (s->type == DX_KIN_PRISMATIC) {
			for (int r = 0; r < 3; r++)
				J[r * ldj + i] += m * z[r];
		} else {
			for (int r = 0; r < 3; r++)
				d[r] = tip.p[r] - f.p[r];
			J[0 * ldj + i] += m * (z[1] * d[2] - z[2] * d[1]);
			J[1 * ldj + i] += m * (z[2] * d[0] - z[0] * d[2]);
			J[2 * ldj + i] += m * (z[0] * d[1] - z[1] * d[0]);
			for (int r = 0; r < 3; r++)
				J[(3 + r) * ldj + i] += m * z[r];
		}
		dx__joint_apply(&f, s->type, s->axis,
				s->mult * q[s->qi] + s->offset);
	}
}

void dx__chain_eval(const struct dx_kin_chain *c, const double *q,
		    struct dx_kin_pose *out, double *J, unsigned ldj)
{
	if (c->nsteps > CHAIN_MAX)
		chain_eval_long(c, q, out, J, ldj);
	else if (J)
		chain_eval(c, q, out, J, ldj, NULL);
	else
		chain_eval(c, q, out, NULL, 0, NULL);
}

static bool finite_vec(const double *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!dx_isfinite(q[i]))
			return false;
	return true;
}

int dx_kin_chain_fk(const struct dx_kin_chain *c, const double *q,
		    struct dx_kin_pose *out)
{
	if (!c || !q || !out)
		return DX_EINVAL;
	if (!finite_vec(q, c->nv))
		return DX_ENOTFINITE;
	dx__chain_eval(c, q, out, NULL, 0);
	return 0;
}

int dx_kin_chain_jacobian(const struct dx_kin_chain *c, const double *q,
			  double *J, struct dx_kin_pose *pose)
{
	if (!c || !q || !J)
		return DX_EINVAL;
	if (!finite_vec(q, c->nv))
		return DX_ENOTFINITE;
	dx__chain_eval(c, q, pose, J, c->nv);
	return 0;
}

bool dx__chain_is_head(const struct dx_kin_chain *a,
		       const struct dx_kin_chain *b)
{
	return a->model == b->model && a->base == b->base &&
	       a->nsteps == b->nsteps && a->nsteps <= CHAIN_MAX &&
	       a->tip_identity && a->nv == b->nv &&
	       memcmp(a->var_model, b->var_model, a->nv * sizeof(int)) == 0 &&
	       memcmp(a->steps, b->steps, a->nsteps * sizeof(*a->steps)) == 0;
}

int dx__chain_jacobian_head(const struct dx_kin_chain *c, const double *q,
			    double *J, struct dx_kin_pose *pose,
			    struct dx_kin_pose *head)
{
	if (c->nsteps > CHAIN_MAX)
		return DX_ENOTSUP;
	if (!finite_vec(q, c->nv))
		return DX_ENOTFINITE;
	chain_eval(c, q, pose, J, c->nv, head);
	return 0;
}

int dx_kin_fk_all(const struct dx_kin_model *m, const double *q,
		  struct dx_kin_pose *out)
{
	if (!m || !q || !out)
		return DX_EINVAL;
	if (!finite_vec(q, m->nvars))
		return DX_ENOTFINITE;
	dx__pose_identity(&out[m->root]);
	for (unsigned k = 0; k < m->njoints; k++) {
		const struct dx__kin_joint *j = &m->joints[m->order[k]];
		struct dx_kin_pose *pc = &out[j->child];

		dx__pose_mul(&out[j->parent], &j->origin, pc);
		if (j->var >= 0) {
			double v = q[j->var];

			if (j->mimic >= 0)
				v = j->mult * v + j->offset;
			dx__joint_apply(pc, j->type, j->axis, v);
		}
	}
	return 0;
}
