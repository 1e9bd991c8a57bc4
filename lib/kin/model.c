/* SPDX-License-Identifier: MIT */
/* Model checks and derived tables, queries, chains and pose helpers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cglm/cglm.h>

#include "kin-priv.h"

/* ---- small double helpers ------------------------------------------------ */

void dx__pose_identity(struct dx_kin_pose *p)
{
	memset(p, 0, sizeof(*p));
	p->R[0] = p->R[4] = p->R[8] = 1.0;
}

/* URDF rpy: fixed-axis roll about x, then pitch about y, then yaw about z,
 * i.e. R = Rz(yaw) Ry(pitch) Rx(roll) (URDF specification, <origin>). */
void dx__rot_rpy(double roll, double pitch, double yaw, double R[9])
{
	double sr = sin(roll), cr = cos(roll);
	double sp = sin(pitch), cp = cos(pitch);
	double sy = sin(yaw), cy = cos(yaw);

	R[0] = cy * cp;
	R[1] = cy * sp * sr - sy * cr;
	R[2] = cy * sp * cr + sy * sr;
	R[3] = sy * cp;
	R[4] = sy * sp * sr + cy * cr;
	R[5] = sy * sp * cr - cy * sr;
	R[6] = -sp;
	R[7] = cp * sr;
	R[8] = cp * cr;
}

void dx__mat3_mul(const double A[9], const double B[9], double out[9])
{
	double t[9];

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			t[3 * i + j] = A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] +
				       A[3 * i + 2] * B[6 + j];
	memcpy(out, t, sizeof(t));
}

void dx__mat3_vec(const double A[9], const double v[3], double out[3])
{
	double t[3];

	for (int i = 0; i < 3; i++)
		t[i] = A[3 * i] * v[0] + A[3 * i + 1] * v[1] + A[3 * i + 2] * v[2];
	memcpy(out, t, sizeof(t));
}

void dx__pose_mul(const struct dx_kin_pose *a, const struct dx_kin_pose *b,
		  struct dx_kin_pose *out)
{
	double p[3];

	dx__mat3_vec(a->R, b->p, p);
	for (int i = 0; i < 3; i++)
		out->p[i] = a->p[i] + p[i];
	dx__mat3_mul(a->R, b->R, out->R);
}

bool dx__rot_is_identity(const double R[9])
{
	static const double I[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};

	for (int i = 0; i < 9; i++)
		if (fabs(R[i] - I[i]) > 1e-15)
			return false;
	return true;
}

void dx__rot_axis_angle(const double a[3], double angle, double R[9])
{
	double s = sin(angle), c = cos(angle), t = 1.0 - c;

	R[0] = t * a[0] * a[0] + c;
	R[1] = t * a[0] * a[1] - s * a[2];
	R[2] = t * a[0] * a[2] + s * a[1];
	R[3] = t * a[0] * a[1] + s * a[2];
	R[4] = t * a[1] * a[1] + c;
	R[5] = t * a[1] * a[2] - s * a[0];
	R[6] = t * a[0] * a[2] - s * a[1];
	R[7] = t * a[1] * a[2] + s * a[0];
	R[8] = t * a[2] * a[2] + c;
}

/* Quaternion of a rotation matrix, Shepperd's method (branch on the largest
 * diagonal term for accuracy). */
static void rot_quat(const double R[9], double q[4])
{
	double tr = R[0] + R[4] + R[8], s;

	if (tr > 0) {
		s = sqrt(tr + 1.0) * 2;
		q[3] = 0.25 * s;
		q[0] = (R[7] - R[5]) / s;
		q[1] = (R[2] - R[6]) / s;
		q[2] = (R[3] - R[1]) / s;
	} else if (R[0] > R[4] && R[0] > R[8]) {
		s = sqrt(1.0 + R[0] - R[4] - R[8]) * 2;
		q[3] = (R[7] - R[5]) / s;
		q[0] = 0.25 * s;
		q[1] = (R[1] + R[3]) / s;
		q[2] = (R[2] + R[6]) / s;
	} else if (R[4] > R[8]) {
		s = sqrt(1.0 + R[4] - R[0] - R[8]) * 2;
		q[3] = (R[2] - R[6]) / s;
		q[0] = (R[1] + R[3]) / s;
		q[1] = 0.25 * s;
		q[2] = (R[5] + R[7]) / s;
	} else {
		s = sqrt(1.0 + R[8] - R[0] - R[4]) * 2;
		q[3] = (R[3] - R[1]) / s;
		q[0] = (R[2] + R[6]) / s;
		q[1] = (R[5] + R[7]) / s;
		q[2] = 0.25 * s;
	}
	if (q[3] < 0)
		for (int i = 0; i < 4; i++)
			q[i] = -q[i];
}

void dx__rot_log(const double R[9], double w[3])
{
	double q[4], vn, angle;

	rot_quat(R, q);
	vn = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
	if (vn < 1e-12) {
		/* small angle: angle/sin(angle/2) -> 2 */
		for (int i = 0; i < 3; i++)
			w[i] = 2.0 * q[i];
		return;
	}
	angle = 2.0 * atan2(vn, q[3]);
	for (int i = 0; i < 3; i++)
		w[i] = q[i] / vn * angle;
}

void dx__joint_apply(struct dx_kin_pose *pose, enum dx_kin_joint_type type,
		     const double axis[3], double value)
{
	if (type == DX_KIN_REVOLUTE || type == DX_KIN_CONTINUOUS) {
		double Rj[9];

		dx__rot_axis_angle(axis, value, Rj);
		dx__mat3_mul(pose->R, Rj, pose->R);
	} else if (type == DX_KIN_PRISMATIC) {
		double d[3] = {axis[0] * value, axis[1] * value, axis[2] * value};
		double w[3];

		dx__mat3_vec(pose->R, d, w);
		for (int i = 0; i < 3; i++)
			pose->p[i] += w[i];
	}
}

/* ---- model --------------------------------------------------------------- */

void dx_kin_model_free(struct dx_kin_model *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->nlinks; i++)
		free(m->links[i].name);
	for (unsigned i = 0; i < m->njoints; i++) {
		free(m->joints[i].name);
		free(m->joints[i].mimic_name);
		free(m->joints[i].parent_name);
		free(m->joints[i].child_name);
	}
	free(m->links);
	free(m->joints);
	free(m->order);
	free(m->var_joint);
	free(m->var_lower);
	free(m->var_upper);
	free(m->name);
	free(m);
}

static int cmp_name(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* Duplicate names: sort a copy of the pointers. Reports the later line. */
static int check_unique(struct dx_kin_model *m, bool links,
			struct dx_kin_error *err)
{
	unsigned n = links ? m->nlinks : m->njoints;
	const char **names;
	int r = 0;

	if (n < 2)
		return 0;
	names = malloc(n * sizeof(*names));
	if (!names) {
		dx__kin_seterr(err, DX_ENOMEM, 0, NULL, "out of memory");
		return DX_ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		names[i] = links ? m->links[i].name : m->joints[i].name;
	qsort(names, n, sizeof(*names), cmp_name);
	for (unsigned i = 1; i < n && !r; i++) {
		if (strcmp(names[i], names[i - 1]) != 0)
			continue;
		unsigned line = 0;

		for (unsigned k = 0; k < n; k++) {
			const char *nm = links ? m->links[k].name
					       : m->joints[k].name;
			unsigned ln = links ? m->links[k].line : m->joints[k].line;

			if (strcmp(nm, names[i]) == 0 && ln > line)
				line = ln;
		}
		dx__kin_seterr(err, DX_ECONFIG, line, links ? "link" : "joint",
			       "duplicate %s name '%s'", links ? "link" : "joint",
			       names[i]);
		r = DX_ECONFIG;
	}
	free(names);
	return r;
}

int dx__model_finalize(struct dx_kin_model *m, struct dx_kin_error *err)
{
	unsigned nroots = 0, head = 0, tail = 0;
	int *queue;
	int r;

	if (m->nlinks == 0) {
		dx__kin_seterr(err, DX_ECONFIG, 0, "robot", "no <link>");
		return DX_ECONFIG;
	}
	if ((r = check_unique(m, true, err)) || (r = check_unique(m, false, err)))
		return r;
	for (unsigned i = 0; i < m->njoints; i++) {
		struct dx__kin_joint *j = &m->joints[i];

		j->parent = dx_kin_link_index(m, j->parent_name);
		j->child = dx_kin_link_index(m, j->child_name);
		if (j->parent < 0 || j->child < 0) {
			dx__kin_seterr(err, DX_ECONFIG, j->line, "joint",
				       "joint '%s': unknown %s link '%s'",
				       j->name, j->parent < 0 ? "parent" : "child",
				       j->parent < 0 ? j->parent_name
						     : j->child_name);
			return DX_ECONFIG;
		}
		if (j->parent == j->child) {
			dx__kin_seterr(err, DX_ECONFIG, j->line, "joint",
				       "joint '%s': link '%s' is its own parent (cycle)",
				       j->name, j->child_name);
			return DX_ECONFIG;
		}
		if (m->links[j->child].parent_joint >= 0) {
			dx__kin_seterr(err, DX_ECONFIG, j->line, "joint",
				       "joint '%s': link '%s' already has parent joint '%s' (a tree allows one)",
				       j->name, j->child_name,
				       m->joints[m->links[j->child].parent_joint].name);
			return DX_ECONFIG;
		}
		m->links[j->child].parent_joint = (int)i;
	}
	for (unsigned i = 0; i < m->nlinks; i++) {
		if (m->links[i].parent_joint >= 0)
			continue;
		if (nroots++ == 0) {
			m->root = (int)i;
		} else {
			dx__kin_seterr(err, DX_ECONFIG, m->links[i].line, "link",
				       "several root links: '%s' and '%s'",
				       m->links[m->root].name, m->links[i].name);
			return DX_ECONFIG;
		}
	}
	if (nroots == 0) {
		dx__kin_seterr(err, DX_ECONFIG, m->joints[0].line, "joint",
			       "no root link: the joints form a cycle");
		return DX_ECONFIG;
	}
	/* Breadth-first from the root gives the joint order; a link not met
	 * lies on a cycle (each link has one parent, so it cannot be reached
	 * from the root). */
	queue = malloc(m->nlinks * sizeof(int));
	m->order = malloc((m->njoints ? m->njoints : 1) * sizeof(int));
	if (!queue || !m->order) {
		free(queue);
		dx__kin_seterr(err, DX_ENOMEM, 0, NULL, "out of memory");
		return DX_ENOMEM;
	}
	queue[tail++] = m->root;
	while (head < tail) {
		int l = queue[head++];

		for (unsigned i = 0; i < m->njoints; i++)
			if (m->joints[i].parent == l) {
				m->order[tail - 1] = (int)i;
				queue[tail++] = m->joints[i].child;
			}
	}
	free(queue);
	if (tail != m->nlinks) {
		for (unsigned i = 0; i < m->njoints; i++) {
			bool seen = false;

			for (unsigned k = 0; k + 1 < tail; k++)
				seen |= m->order[k] == (int)i;
			if (!seen) {
				dx__kin_seterr(err, DX_ECONFIG, m->joints[i].line,
					       "joint",
					       "joint '%s' is on a cycle (link '%s' not reachable from root '%s')",
					       m->joints[i].name,
					       m->joints[i].child_name,
					       m->links[m->root].name);
				return DX_ECONFIG;
			}
		}
		dx__kin_seterr(err, DX_ECONFIG, 0, "link", "links form a cycle");
		return DX_ECONFIG;
	}

	/* variables in document order; then mimic joints */
	m->var_joint = malloc((m->njoints ? m->njoints : 1) * sizeof(int));
	m->var_lower = malloc((m->njoints ? m->njoints : 1) * sizeof(double));
	m->var_upper = malloc((m->njoints ? m->njoints : 1) * sizeof(double));
	if (!m->var_joint || !m->var_lower || !m->var_upper) {
		dx__kin_seterr(err, DX_ENOMEM, 0, NULL, "out of memory");
		return DX_ENOMEM;
	}
	for (unsigned i = 0; i < m->njoints; i++) {
		struct dx__kin_joint *j = &m->joints[i];

		if (j->type == DX_KIN_FIXED || j->mimic_name)
			continue;
		j->var = (int)m->nvars;
		m->var_joint[m->nvars] = (int)i;
		m->var_lower[m->nvars] = j->lower;
		m->var_upper[m->nvars] = j->upper;
		m->nvars++;
	}
	for (unsigned i = 0; i < m->njoints; i++) {
		struct dx__kin_joint *j = &m->joints[i];
		struct dx__kin_joint *mj;
		double lo, hi;
		int mi;

		if (!j->mimic_name)
			continue;
		mi = dx_kin_joint_index(m, j->mimic_name);
		if (mi < 0 || m->joints[mi].type == DX_KIN_FIXED ||
		    m->joints[mi].mimic_name) {
			dx__kin_seterr(err, DX_ECONFIG, j->line, "mimic",
				       "joint '%s': mimic of %s joint '%s'",
				       j->name,
				       mi < 0 ? "unknown"
				       : m->joints[mi].type == DX_KIN_FIXED
					       ? "fixed"
					       : "mimic",
				       j->mimic_name);
			return DX_ECONFIG;
		}
		mj = &m->joints[mi];
		j->mimic = mi;
		j->var = mj->var;
		if (!j->has_limits)
			continue;
		/* j = mult * q + offset must stay in [lower, upper] */
		if (j->mult == 0) {
			if (j->offset < j->lower || j->offset > j->upper) {
				dx__kin_seterr(err, DX_ECONFIG, j->line, "mimic",
					       "joint '%s': constant value outside its limits",
					       j->name);
				return DX_ECONFIG;
			}
			continue;
		}
		lo = (j->lower - j->offset) / j->mult;
		hi = (j->upper - j->offset) / j->mult;
		if (lo > hi) {
			double t = lo;

			lo = hi;
			hi = t;
		}
		if (lo > m->var_lower[j->var])
			m->var_lower[j->var] = lo;
		if (hi < m->var_upper[j->var])
			m->var_upper[j->var] = hi;
		if (m->var_lower[j->var] > m->var_upper[j->var]) {
			dx__kin_seterr(err, DX_ECONFIG, j->line, "mimic",
				       "joint '%s': its limits and those of '%s' leave no common range",
				       j->name, mj->name);
			return DX_ECONFIG;
		}
	}
	return 0;
}

const char *dx_kin_model_name(const struct dx_kin_model *m)
{
	return m ? m->name : NULL;
}

unsigned dx_kin_model_nlinks(const struct dx_kin_model *m)
{
	return m ? m->nlinks : 0;
}

unsigned dx_kin_model_njoints(const struct dx_kin_model *m)
{
	return m ? m->njoints : 0;
}

unsigned dx_kin_model_nvars(const struct dx_kin_model *m)
{
	return m ? m->nvars : 0;
}

int dx_kin_model_root(const struct dx_kin_model *m)
{
	return m ? m->root : DX_EINVAL;
}

int dx_kin_link_index(const struct dx_kin_model *m, const char *name)
{
	if (!m || !name)
		return DX_ENOENT;
	for (unsigned i = 0; i < m->nlinks; i++)
		if (strcmp(m->links[i].name, name) == 0)
			return (int)i;
	return DX_ENOENT;
}

int dx_kin_joint_index(const struct dx_kin_model *m, const char *name)
{
	if (!m || !name)
		return DX_ENOENT;
	for (unsigned i = 0; i < m->njoints; i++)
		if (strcmp(m->joints[i].name, name) == 0)
			return (int)i;
	return DX_ENOENT;
}

const char *dx_kin_link_name(const struct dx_kin_model *m, int i)
{
	if (!m || i < 0 || (unsigned)i >= m->nlinks)
		return NULL;
	return m->links[i].name;
}

int dx_kin_link_parent_joint(const struct dx_kin_model *m, int i)
{
	if (!m || i < 0 || (unsigned)i >= m->nlinks)
		return -1;
	return m->links[i].parent_joint;
}

int dx_kin_link_inertial(const struct dx_kin_model *m, int i,
			 struct dx_kin_inertial *out)
{
	if (!m || i < 0 || (unsigned)i >= m->nlinks || !out)
		return DX_EINVAL;
	if (!m->links[i].has_inertial)
		return DX_ENOENT;
	*out = m->links[i].inertial;
	return 0;
}

int dx_kin_joint_get(const struct dx_kin_model *m, int i,
		     struct dx_kin_joint_info *out)
{
	const struct dx__kin_joint *j;

	if (!m || i < 0 || (unsigned)i >= m->njoints || !out)
		return DX_EINVAL;
	j = &m->joints[i];
	out->name = j->name;
	out->type = j->type;
	out->parent_link = j->parent;
	out->child_link = j->child;
	out->origin = j->origin;
	memcpy(out->axis, j->axis, sizeof(out->axis));
	out->has_limits = j->has_limits;
	out->lower = j->lower;
	out->upper = j->upper;
	out->velocity = j->velocity;
	out->effort = j->effort;
	out->mimic_joint = j->mimic;
	out->multiplier = j->mimic >= 0 ? j->mult : 1.0;
	out->offset = j->mimic >= 0 ? j->offset : 0.0;
	out->var = j->var;
	return 0;
}

int dx_kin_var_joint(const struct dx_kin_model *m, unsigned v)
{
	if (!m || v >= m->nvars)
		return DX_EINVAL;
	return m->var_joint[v];
}

void dx_kin_model_limits(const struct dx_kin_model *m, double *lower,
			 double *upper)
{
	for (unsigned i = 0; m && i < m->nvars; i++) {
		if (lower)
			lower[i] = m->var_lower[i];
		if (upper)
			upper[i] = m->var_upper[i];
	}
}

bool dx_kin_within_limits(const struct dx_kin_model *m, const double *q,
			  double tol)
{
	if (!m || !q || isnan(tol))
		return false;
	for (unsigned i = 0; i < m->nvars; i++)
		if (!dx_isfinite(q[i]) || q[i] < m->var_lower[i] - tol ||
		    q[i] > m->var_upper[i] + tol)
			return false;
	return true;
}

/* ---- pose helpers ------------------------------------------------------- */

void dx_kin_pose_quat(const struct dx_kin_pose *pose, double quat[4])
{
	if (pose && quat)
		rot_quat(pose->R, quat);
}

int dx_kin_pose_from_quat(const double p[3], const double quat[4],
			  struct dx_kin_pose *pose)
{
	double n = 0, x, y, z, w;

	if (!p || !quat || !pose)
		return DX_EINVAL;
	for (int i = 0; i < 3; i++)
		if (!dx_isfinite(p[i]))
			return DX_ENOTFINITE;
	for (int i = 0; i < 4; i++) {
		if (!dx_isfinite(quat[i]))
			return DX_ENOTFINITE;
		n += quat[i] * quat[i];
	}
	if (!(n > 1e-20))
		return DX_EINVAL;
	n = 1.0 / sqrt(n);
	x = quat[0] * n;
	y = quat[1] * n;
	z = quat[2] * n;
	w = quat[3] * n;
	memcpy(pose->p, p, 3 * sizeof(double));
	pose->R[0] = 1 - 2 * (y * y + z * z);
	pose->R[1] = 2 * (x * y - z * w);
	pose->R[2] = 2 * (x * z + y * w);
	pose->R[3] = 2 * (x * y + z * w);
	pose->R[4] = 1 - 2 * (x * x + z * z);
	pose->R[5] = 2 * (y * z - x * w);
	pose->R[6] = 2 * (x * z - y * w);
	pose->R[7] = 2 * (y * z + x * w);
	pose->R[8] = 1 - 2 * (x * x + y * y);
	return 0;
}

double dx_kin_rot_dist(const struct dx_kin_pose *a, const struct dx_kin_pose *b)
{
	double Rt[9], D[9], w[3];

	if (!a || !b)
		return NAN;
	/* D = a.R * b.R^T */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			Rt[3 * i + j] = b->R[3 * j + i];
	dx__mat3_mul(a->R, Rt, D);
	dx__rot_log(D, w);
	return sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
}

double dx_kin_pos_dist(const struct dx_kin_pose *a, const struct dx_kin_pose *b)
{
	double d[3];

	if (!a || !b)
		return NAN;
	for (int i = 0; i < 3; i++)
		d[i] = a->p[i] - b->p[i];
	return sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
}

void dx_kin_pose_to_mat4(const struct dx_kin_pose *pose, mat4 out)
{
	if (!pose || !out)
		return;
	glm_mat4_identity(out);
	/* cglm is column-major: out[column][row] */
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++)
			out[j][i] = (float)pose->R[3 * i + j];
		out[3][i] = (float)pose->p[i];
	}
}

void dx_kin_pose_to_versor(const struct dx_kin_pose *pose, versor out)
{
	double q[4];

	if (!pose || !out)
		return;
	rot_quat(pose->R, q);
	glm_quat_init(out, (float)q[0], (float)q[1], (float)q[2], (float)q[3]);
	glm_quat_normalize(out);
}
