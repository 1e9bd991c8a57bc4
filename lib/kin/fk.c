/* SPDX-License-Identifier: MIT */
/* Chains (flattened base-to-tip index arrays), forward kinematics and
 * geometric Jacobians. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kin-priv.h"

/* Longest chain (moving joints) evaluated with on-stack scratch. */
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
		if (c->nsteps >= CHAIN_MAX) {
			dx_kin_chain_free(c);
			return DX_ENOSPC;
		}
		s = &c->steps[c->nsteps++];
		memcpy(s->R, acc.R, sizeof(s->R));
		memcpy(s->p, acc.p, sizeof(s->p));
		s->rot_identity = dx__rot_is_identity(s->R);
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
	c->tip_tf = acc;
	c->tip_identity = dx__rot_is_identity(acc.R) && acc.p[0] == 0 &&
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
	return c->nv;
}

int dx_kin_chain_var(const struct dx_kin_chain *c, unsigned i)
{
	return i < c->nv ? c->var_model[i] : -1;
}

unsigned dx_kin_chain_njoints(const struct dx_kin_chain *c)
{
	return c->njoints;
}

int dx_kin_chain_joint(const struct dx_kin_chain *c, unsigned i)
{
	return i < c->njoints ? c->joints[i] : -1;
}

void dx_kin_chain_limits(const struct dx_kin_chain *c, double *lower,
			 double *upper)
{
	for (unsigned i = 0; i < c->nv; i++) {
		if (lower)
			lower[i] = c->lower[i];
		if (upper)
			upper[i] = c->upper[i];
	}
}

void dx_kin_chain_gather(const struct dx_kin_chain *c, const double *q_model,
			 double *q_chain)
{
	for (unsigned i = 0; i < c->nv; i++)
		q_chain[i] = q_model[c->var_model[i]];
}

void dx_kin_chain_scatter(const struct dx_kin_chain *c, const double *q_chain,
			  double *q_model)
{
	for (unsigned i = 0; i < c->nv; i++)
		q_model[c->var_model[i]] = q_chain[i];
}

/* The hot loop. R is row-major; a rotation about a frame axis mixes two
 * columns of R (column j is R[j], R[3 + j], R[6 + j]). */
static inline void rot_cols(double *R, int a, int b, double co, double si)
{
	for (int r = 0; r < 3; r++) {
		double x = R[3 * r + a], y = R[3 * r + b];

		R[3 * r + a] = co * x + si * y;
		R[3 * r + b] = co * y - si * x;
	}
}

void dx__chain_eval(const struct dx_kin_chain *c, const double *q,
		    struct dx_kin_pose *out, double *J, unsigned ldj)
{
	double R[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
	double p[3] = {0, 0, 0};
	double zs[CHAIN_MAX][3], ps[CHAIN_MAX][3];

	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];
		double v = s->mult * q[s->qi] + s->offset;

		/* constant part: p += R * s.p, R = R * s.R */
		p[0] += R[0] * s->p[0] + R[1] * s->p[1] + R[2] * s->p[2];
		p[1] += R[3] * s->p[0] + R[4] * s->p[1] + R[5] * s->p[2];
		p[2] += R[6] * s->p[0] + R[7] * s->p[1] + R[8] * s->p[2];
		if (!s->rot_identity)
			dx__mat3_mul(R, s->R, R);
		if (J) {
			/* axis in the base frame, before the joint's own
			 * motion (which leaves it unchanged) */
			for (int r = 0; r < 3; r++)
				zs[k][r] = R[3 * r] * s->axis[0] +
					   R[3 * r + 1] * s->axis[1] +
					   R[3 * r + 2] * s->axis[2];
			memcpy(ps[k], p, sizeof(p));
		}
		if (s->type == DX_KIN_PRISMATIC) {
			double z[3];

			for (int r = 0; r < 3; r++)
				z[r] = R[3 * r] * s->axis[0] +
				       R[3 * r + 1] * s->axis[1] +
				       R[3 * r + 2] * s->axis[2];
			for (int r = 0; r < 3; r++)
				p[r] += z[r] * v;
			continue;
		}
		double si, co;

		sincos(v, &si, &co);
		switch (s->kind) {
		case DX__AXIS_X: /* R * Rx: columns y, z */
			rot_cols(R, 1, 2, co, si);
			break;
		case DX__AXIS_Y: /* R * Ry: columns z, x */
			rot_cols(R, 2, 0, co, si);
			break;
		case DX__AXIS_Z: /* R * Rz: columns x, y */
			rot_cols(R, 0, 1, co, si);
			break;
		default: {
			double Rj[9];

			dx__rot_axis_angle(s->axis, v, Rj);
			dx__mat3_mul(R, Rj, R);
		}
		}
	}
	if (!c->tip_identity) {
		const double *tp = c->tip_tf.p;

		p[0] += R[0] * tp[0] + R[1] * tp[1] + R[2] * tp[2];
		p[1] += R[3] * tp[0] + R[4] * tp[1] + R[5] * tp[2];
		p[2] += R[6] * tp[0] + R[7] * tp[1] + R[8] * tp[2];
		dx__mat3_mul(R, c->tip_tf.R, R);
	}
	if (out) {
		memcpy(out->R, R, sizeof(R));
		memcpy(out->p, p, sizeof(p));
	}
	if (!J)
		return;
	for (unsigned r = 0; r < 6; r++)
		memset(J + r * ldj, 0, c->nv * sizeof(double));
	for (unsigned k = 0; k < c->nsteps; k++) {
		const struct dx__kin_step *s = &c->steps[k];
		const double *z = zs[k];
		double m = s->mult;
		int i = s->qi;

		if (s->type == DX_KIN_PRISMATIC) {
			J[0 * ldj + i] += m * z[0];
			J[1 * ldj + i] += m * z[1];
			J[2 * ldj + i] += m * z[2];
			continue;
		}
		double d[3] = {p[0] - ps[k][0], p[1] - ps[k][1], p[2] - ps[k][2]};

		J[0 * ldj + i] += m * (z[1] * d[2] - z[2] * d[1]);
		J[1 * ldj + i] += m * (z[2] * d[0] - z[0] * d[2]);
		J[2 * ldj + i] += m * (z[0] * d[1] - z[1] * d[0]);
		J[3 * ldj + i] += m * z[0];
		J[4 * ldj + i] += m * z[1];
		J[5 * ldj + i] += m * z[2];
	}
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
	if (!finite_vec(q, c->nv))
		return DX_ENOTFINITE;
	dx__chain_eval(c, q, out, NULL, 0);
	return 0;
}

int dx_kin_chain_jacobian(const struct dx_kin_chain *c, const double *q,
			  double *J, struct dx_kin_pose *pose)
{
	if (!finite_vec(q, c->nv))
		return DX_ENOTFINITE;
	dx__chain_eval(c, q, pose, J, c->nv);
	return 0;
}

int dx_kin_fk_all(const struct dx_kin_model *m, const double *q,
		  struct dx_kin_pose *out)
{
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
