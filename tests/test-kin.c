/* SPDX-License-Identifier: MIT */
/* Forward kinematics and Jacobians: published zero poses, finite
 * differences, consistency between the tree FK and the chains, mimic
 * joints, prismatic and general axes, the pose helpers; and agreement with
 * Orocos KDL on thousands of random configurations of every shipped URDF
 * (skipped inside this program when the KDL backend is not built). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cglm/cglm.h>

#include <dexrt/kdl.h>
#include <dexrt/kin.h>

#include "dx-check.h"
#define KIN_UTIL_SEED 12345
#include "kin-util.h"

#define MAXV 32

static const char *const shipped[] = {
	"finger4.urdf", "hand16.urdf", "hand16-mimic.urdf",
	"hand22.urdf",  "panda.urdf",  "ur5.urdf",
};


static void random_q(const struct dx_kin_chain *c, double *q)
{
	double lo[MAXV], hi[MAXV];

	dx_kin_chain_limits(c, lo, hi);
	for (unsigned i = 0; i < dx_kin_chain_nvars(c); i++) {
		double l = isfinite(lo[i]) ? lo[i] : -M_PI;
		double h = isfinite(hi[i]) ? hi[i] : M_PI;

		q[i] = l + urand() * (h - l);
	}
}

/* Leaf links: links that are no joint's parent. */
static unsigned leaves(const struct dx_kin_model *m, int *out)
{
	unsigned n = 0;

	for (unsigned l = 0; l < dx_kin_model_nlinks(m); l++) {
		bool parent = false;

		for (unsigned j = 0; j < dx_kin_model_njoints(m); j++) {
			struct dx_kin_joint_info ji;

			dx_kin_joint_get(m, (int)j, &ji);
			parent |= ji.parent_link == (int)l;
		}
		if (!parent)
			out[n++] = (int)l;
	}
	return n;
}

START_TEST(test_published_zero_poses)
{
	/* Panda flange at q = 0 (modified DH: x = a7 = 0.088, z = d1 + d3 +
	 * d5 - d_flange = 0.333 + 0.316 + 0.384 - 0.107 = 0.926) */
	struct dx_kin_model *m = load("panda.urdf");
	struct dx_kin_chain *c;
	struct dx_kin_pose p;
	double q[7] = {0};

	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "panda_link8", &c), 0);
	ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), 0);
	dx_ck_near(p.p[0], 0.088, 1e-12);
	dx_ck_near(p.p[1], 0.0, 1e-12);
	dx_ck_near(p.p[2], 0.926, 1e-12);
	/* flange z points down at q = 0 */
	dx_ck_near(p.R[8], -1.0, 1e-12);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);

	/* UR5 tool0 at q = 0 (standard DH): x = a2 + a3, y = -(d4 + d6),
	 * z = d1 - d5 */
	m = load("ur5.urdf");
	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "tool0", &c), 0);
	ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), 0);
	dx_ck_near(p.p[0], -0.425 - 0.39225, 1e-12);
	dx_ck_near(p.p[1], -(0.10915 + 0.0823), 1e-12);
	dx_ck_near(p.p[2], 0.089159 - 0.09465, 1e-12);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);

	/* the straight finger: 20 mm mount, 16.4 + 54 + 38 + 27 mm along z */
	m = load("finger4.urdf");
	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "finger_tip", &c), 0);
	ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), 0);
	dx_ck_near(p.p[2], 0.020 + 0.0164 + 0.054 + 0.038 + 0.027, 1e-12);
	/* fully bent MCP by pi/2 about x: the rest of the finger points -y */
	q[1] = M_PI / 2;
	ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), 0);
	dx_ck_near(p.p[1], -(0.054 + 0.038 + 0.027), 1e-12);
	dx_ck_near(p.p[2], 0.020 + 0.0164, 1e-12);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
}
END_TEST

/* Jacobian columns against central differences of FK (h = 1e-6: the
 * truncation error is O(h^2 * |d3 FK|) ~ 1e-12, the rounding error
 * ~ 1e-16 / h ~ 1e-10; tolerance 1e-7). */
static void check_fd(const struct dx_kin_chain *c, const double *q)
{
	unsigned n = dx_kin_chain_nvars(c);
	double J[6 * MAXV], qp[MAXV], qm[MAXV], h = 1e-6;
	struct dx_kin_pose p0, pp, pm;

	ck_assert_int_eq(dx_kin_chain_jacobian(c, q, J, &p0), 0);
	for (unsigned i = 0; i < n; i++) {
		double D[9], w[3];

		memcpy(qp, q, n * sizeof(double));
		memcpy(qm, q, n * sizeof(double));
		qp[i] += h;
		qm[i] -= h;
		dx_kin_chain_fk(c, qp, &pp);
		dx_kin_chain_fk(c, qm, &pm);
		for (int r = 0; r < 3; r++)
			dx_ck_near(J[r * n + i], (pp.p[r] - pm.p[r]) / (2 * h),
				   1e-7);
		/* angular velocity: log(Rp Rm^T) / 2h in the base frame */
		for (int a = 0; a < 3; a++)
			for (int b = 0; b < 3; b++) {
				D[3 * a + b] = 0;
				for (int k = 0; k < 3; k++)
					D[3 * a + b] += pp.R[3 * a + k] *
							pm.R[3 * b + k];
			}
		/* small rotation: w ~ (D32 - D23, D13 - D31, D21 - D12) / 2 */
		w[0] = (D[7] - D[5]) / 2;
		w[1] = (D[2] - D[6]) / 2;
		w[2] = (D[3] - D[1]) / 2;
		for (int r = 0; r < 3; r++)
			dx_ck_near(J[(3 + r) * n + i], w[r] / (2 * h), 1e-7);
	}
}

START_TEST(test_jacobian_finite_differences)
{
	for (unsigned f = 0; f < DX_ARRAY_SIZE(shipped); f++) {
		struct dx_kin_model *m = load(shipped[f]);
		int tips[32];
		unsigned nt = leaves(m, tips);

		for (unsigned t = 0; t < nt; t++) {
			struct dx_kin_chain *c;
			double q[MAXV];

			ck_assert_int_eq(dx_kin_chain_create(m, NULL,
							     dx_kin_link_name(m, tips[t]),
							     &c), 0);
			for (int k = 0; k < 20; k++) {
				random_q(c, q);
				check_fd(c, q);
			}
			dx_kin_chain_free(c);
		}
		dx_kin_model_free(m);
	}
}
END_TEST

/* dx_kin_fk_all (per joint, general code) and the chains (flattened, fast
 * paths) must agree for every link; mimic joints take their coupled value. */
START_TEST(test_tree_vs_chain)
{
	for (unsigned f = 0; f < DX_ARRAY_SIZE(shipped); f++) {
		struct dx_kin_model *m = load(shipped[f]);
		unsigned nl = dx_kin_model_nlinks(m), nv = dx_kin_model_nvars(m);
		struct dx_kin_pose *all = calloc(nl, sizeof(*all));
		double lo[MAXV], hi[MAXV], q[MAXV], qc[MAXV];

		dx_kin_model_limits(m, lo, hi);
		for (int k = 0; k < 50; k++) {
			for (unsigned v = 0; v < nv; v++)
				q[v] = isfinite(lo[v]) ? lo[v] + urand() * (hi[v] - lo[v])
						       : 4 * urand() - 2;
			ck_assert_int_eq(dx_kin_fk_all(m, q, all), 0);
			for (unsigned l = 0; l < nl; l++) {
				struct dx_kin_chain *c;
				struct dx_kin_pose p;

				ck_assert_int_eq(dx_kin_chain_create(m, NULL,
								     dx_kin_link_name(m, (int)l),
								     &c), 0);
				dx_kin_chain_gather(c, q, qc);
				ck_assert_int_eq(dx_kin_chain_fk(c, qc, &p), 0);
				ck_assert(dx_kin_pos_dist(&p, &all[l]) < 1e-13);
				ck_assert(dx_kin_rot_dist(&p, &all[l]) < 1e-12);
				dx_kin_chain_free(c);
			}
		}
		free(all);
		dx_kin_model_free(m);
	}
}
END_TEST

START_TEST(test_mimic_coupling)
{
	struct dx_kin_model *m = load("hand16-mimic.urdf");
	struct dx_kin_model *full = load("hand16.urdf");
	struct dx_kin_chain *cm, *cf;
	struct dx_kin_pose pm, pf;
	double qm[3] = {0.1, 0.4, 0.8}, qf[4] = {0.1, 0.4, 0.8, 0.9 * 0.8};
	double J[6 * 3], Jf[6 * 4];

	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "middle_tip", &cm), 0);
	ck_assert_int_eq(dx_kin_chain_create(full, NULL, "middle_tip", &cf), 0);
	ck_assert_uint_eq(dx_kin_chain_nvars(cm), 3);
	ck_assert_int_eq(dx_kin_chain_jacobian(cm, qm, J, &pm), 0);
	ck_assert_int_eq(dx_kin_chain_jacobian(cf, qf, Jf, &pf), 0);
	ck_assert(dx_kin_pos_dist(&pm, &pf) < 1e-15);
	ck_assert(dx_kin_rot_dist(&pm, &pf) < 1e-14);
	/* the master's column carries the mimic's, times the multiplier */
	for (int r = 0; r < 6; r++) {
		dx_ck_near(J[r * 3 + 0], Jf[r * 4 + 0], 1e-15);
		dx_ck_near(J[r * 3 + 2], Jf[r * 4 + 2] + 0.9 * Jf[r * 4 + 3],
			   1e-15);
	}
	dx_kin_chain_free(cm);
	dx_kin_chain_free(cf);
	dx_kin_model_free(m);
	dx_kin_model_free(full);
}
END_TEST

/* Prismatic joints, general (non frame-aligned) axes, a negative axis and
 * general origin rotations, against finite differences and the tree FK. */
START_TEST(test_prismatic_general_axes)
{
	const char *xml =
		"<robot name=\"t\"><link name=\"a\"/><link name=\"b\"/><link name=\"c\"/><link name=\"d\"/><link name=\"e\"/>"
		"<joint name=\"p\" type=\"prismatic\"><parent link=\"a\"/><child link=\"b\"/>"
		"<origin xyz=\"0.1 0 0.05\" rpy=\"0.2 0.3 0.4\"/><axis xyz=\"1 2 2\"/><limit lower=\"-0.2\" upper=\"0.3\"/></joint>"
		"<joint name=\"r\" type=\"revolute\"><parent link=\"b\"/><child link=\"c\"/>"
		"<origin xyz=\"0 0.2 0\" rpy=\"-0.7 0 1.3\"/><axis xyz=\"0.3 -0.4 0.5\"/><limit lower=\"-2\" upper=\"2\"/></joint>"
		"<joint name=\"n\" type=\"continuous\"><parent link=\"c\"/><child link=\"d\"/>"
		"<origin xyz=\"0.05 0.05 0.1\" rpy=\"0 0 1.5707963267948966\"/><axis xyz=\"0 -1 0\"/></joint>"
		"<joint name=\"t\" type=\"fixed\"><parent link=\"d\"/><child link=\"e\"/>"
		"<origin xyz=\"0.02 0.03 0.04\" rpy=\"0.1 0.2 0.3\"/></joint>"
		"</robot>";
	struct dx_kin_model *m;
	struct dx_kin_chain *c;
	struct dx_kin_pose all[5], p;
	double q[3];

	ck_assert_int_eq(dx_kin_model_load_string(xml, strlen(xml), &m, NULL), 0);
	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "e", &c), 0);
	for (int k = 0; k < 100; k++) {
		random_q(c, q);
		check_fd(c, q);
		ck_assert_int_eq(dx_kin_fk_all(m, q, all), 0);
		ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), 0);
		ck_assert(dx_kin_pos_dist(&p, &all[4]) < 1e-14);
		ck_assert(dx_kin_rot_dist(&p, &all[4]) < 1e-13);
	}
	/* the prismatic joint moves e along the normalised axis (1 2 2)/3 of
	 * the rotated origin frame, by exactly q */
	{
		double q0[3] = {0, 0.3, -0.4}, q1[3] = {0.25, 0.3, -0.4};
		struct dx_kin_pose a, b;

		dx_kin_chain_fk(c, q0, &a);
		dx_kin_chain_fk(c, q1, &b);
		dx_ck_near(dx_kin_pos_dist(&a, &b), 0.25, 1e-14);
		ck_assert(dx_kin_rot_dist(&a, &b) < 1e-14);
	}
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
}
END_TEST

/* A chain longer than the fast path's scratch (80 moving joints, mixed
 * axes and a prismatic joint) gives the same FK as the tree FK and a
 * Jacobian that matches finite differences. */
START_TEST(test_long_chain)
{
	enum { N = 80 };
	size_t cap = 64 + N * 400, len = 0;
	char *xml = malloc(cap);
	struct dx_kin_model *m;
	struct dx_kin_chain *c;
	struct dx_kin_pose *all, p;
	double q[N];

	len += (size_t)snprintf(xml + len, cap - len,
				"<robot name=\"long\"><link name=\"l0\"/>");
	for (int i = 1; i <= N; i++) {
		static const char *const axes[] = {"0 0 1", "0 1 0", "1 0 0",
						   "0.6 0 0.8"};

		len += (size_t)snprintf(xml + len, cap - len,
			"<link name=\"l%d\"/><joint name=\"j%d\" type=\"%s\">"
			"<parent link=\"l%d\"/><child link=\"l%d\"/>"
			"<origin xyz=\"0.01 0.002 0.015\" rpy=\"0.1 0 0.05\"/>"
			"<axis xyz=\"%s\"/><limit lower=\"-1\" upper=\"1\"/></joint>",
			i, i, i == 40 ? "prismatic" : "revolute", i - 1, i,
			axes[i % 4]);
	}
	len += (size_t)snprintf(xml + len, cap - len, "</robot>");
	ck_assert_uint_lt(len, cap);
	ck_assert_int_eq(dx_kin_model_load_string(xml, len, &m, NULL), 0);
	free(xml);
	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "l80", &c), 0);
	ck_assert_uint_eq(dx_kin_chain_nvars(c), N);
	all = calloc(N + 1, sizeof(*all));
	for (int k = 0; k < 5; k++) {
		double J[6 * N], h = 1e-6;

		for (int i = 0; i < N; i++)
			q[i] = 2 * urand() - 1;
		ck_assert_int_eq(dx_kin_fk_all(m, q, all), 0);
		ck_assert_int_eq(dx_kin_chain_jacobian(c, q, J, &p), 0);
		ck_assert(dx_kin_pos_dist(&p, &all[N]) < 1e-12);
		ck_assert(dx_kin_rot_dist(&p, &all[N]) < 1e-11);
		for (int i = 0; i < N; i += 7) {
			struct dx_kin_pose pp, pm;
			double qs = q[i];

			q[i] = qs + h;
			dx_kin_chain_fk(c, q, &pp);
			q[i] = qs - h;
			dx_kin_chain_fk(c, q, &pm);
			q[i] = qs;
			for (int r = 0; r < 3; r++)
				dx_ck_near(J[r * N + i],
					   (pp.p[r] - pm.p[r]) / (2 * h), 1e-7);
		}
	}
	free(all);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_nonfinite_and_sincos_range)
{
	struct dx_kin_model *m = load("ur5.urdf");
	struct dx_kin_chain *c;
	struct dx_kin_pose p, all[8];
	double J[36], q[6] = {0, NAN, 0, 0, 0, 0};

	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "tool0", &c), 0);
	ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), DX_ENOTFINITE);
	ck_assert_int_eq(dx_kin_chain_jacobian(c, q, J, NULL), DX_ENOTFINITE);
	ck_assert_int_eq(dx_kin_fk_all(m, q, all), DX_ENOTFINITE);
	q[1] = INFINITY;
	ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), DX_ENOTFINITE);
	/* large angles (beyond the fast sine's range) and angles near the
	 * quadrant boundaries agree with the tree FK (libm sin/cos) */
	{
		static const double vals[] = {1e6, -3e5, 12345.678, M_PI / 4,
					      3 * M_PI / 4, -M_PI / 4, 1e-300,
					      6.283185307179586, 99999.9};

		for (unsigned k = 0; k < DX_ARRAY_SIZE(vals); k++) {
			for (int i = 0; i < 6; i++)
				q[i] = vals[(k + (unsigned)i) % DX_ARRAY_SIZE(vals)];
			ck_assert_int_eq(dx_kin_chain_fk(c, q, &p), 0);
			ck_assert_int_eq(dx_kin_fk_all(m, q, all), 0);
			ck_assert(dx_kin_pos_dist(&p, &all[dx_kin_link_index(m, "tool0")]) <
				  1e-12);
		}
	}
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
}
END_TEST

/* The chain loop's own sine and cosine (lib/kin/fk.c, internal) against
 * libm: absolute error within 4.5e-16 over [-1e5, 1e5], near quadrant
 * boundaries, and at large or special arguments (handed to libm). */
void dx__sincos(double x, double *s, double *c);

START_TEST(test_fast_sincos)
{
	double worst = 0, s, c;

	for (int i = 0; i < 200000; i++) {
		double u = urand(), x;

		switch (i % 4) {
		case 0:
			x = (2 * u - 1) * 1e5;
			break;
		case 1:
			x = (2 * u - 1) * 7;
			break;
		case 2:
			x = (floor(u * 200) - 100) * M_PI / 4 + (urand() - 0.5) * 1e-9;
			break;
		default:
			x = (2 * u - 1) * 1e-3;
		}
		dx__sincos(x, &s, &c);
		worst = fmax(worst, fmax(fabs(s - sin(x)), fabs(c - cos(x))));
	}
	ck_assert_msg(worst <= 4.5e-16, "worst error %g", worst);
	dx__sincos(3e7, &s, &c);
	dx_ck_near(s, sin(3e7), 0);
	dx__sincos(-0.0, &s, &c);
	ck_assert(s == 0 && c == 1);
	dx__sincos(NAN, &s, &c);
	ck_assert(isnan(s) && isnan(c));
}
END_TEST

START_TEST(test_pose_helpers)
{
	struct dx_kin_pose a, b;
	double p[3] = {0.1, -0.2, 0.3}, qin[4] = {0.1, -0.7, 0.2, 0.4}, qo[4];
	double n = sqrt(0.01 + 0.49 + 0.04 + 0.16);
	mat4 M;
	versor v;

	ck_assert_int_eq(dx_kin_pose_from_quat(p, qin, &a), 0);
	dx_kin_pose_quat(&a, qo);
	for (int i = 0; i < 4; i++)
		dx_ck_near(qo[i], qin[i] / n, 1e-15);
	/* orthonormal */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			double d = 0;

			for (int k = 0; k < 3; k++)
				d += a.R[3 * i + k] * a.R[3 * j + k];
			dx_ck_near(d, i == j, 1e-15);
		}
	/* w < 0 is returned as the same rotation with w >= 0 */
	double qneg[4] = {-qin[0], -qin[1], -qin[2], -qin[3]};
	ck_assert_int_eq(dx_kin_pose_from_quat(p, qneg, &b), 0);
	ck_assert(dx_kin_rot_dist(&a, &b) < 1e-15);
	/* a rotation of 0.5 rad about z between them */
	double qz[4] = {0, 0, sin(0.25), cos(0.25)}, qid[4] = {0, 0, 0, 1};
	dx_kin_pose_from_quat(p, qz, &a);
	dx_kin_pose_from_quat(p, qid, &b);
	dx_ck_near(dx_kin_rot_dist(&a, &b), 0.5, 1e-15);
	/* near pi */
	double qpi[4] = {1, 0, 0, 1e-9};
	dx_kin_pose_from_quat(p, qpi, &a);
	dx_ck_near(dx_kin_rot_dist(&a, &b), M_PI, 1e-8);
	double q0[4] = {0, 0, 0, 0}, qn[4] = {0, NAN, 0, 1};
	ck_assert_int_eq(dx_kin_pose_from_quat(p, q0, &a), DX_EINVAL);
	ck_assert_int_eq(dx_kin_pose_from_quat(p, qn, &a), DX_ENOTFINITE);
	/* cglm views (float) */
	dx_kin_pose_from_quat(p, qin, &a);
	dx_kin_pose_to_mat4(&a, M);
	dx_ck_near(M[3][0], 0.1, 1e-7);
	dx_ck_near(M[3][2], 0.3, 1e-7);
	dx_ck_near(M[1][0], a.R[1], 1e-7); /* column 1, row 0 */
	dx_ck_near(M[3][3], 1.0, 0);
	dx_kin_pose_to_versor(&a, v);
	for (int i = 0; i < 4; i++)
		dx_ck_near(v[i], qin[i] / n, 1e-6);
}
END_TEST

/* Agreement with Orocos KDL: position 1e-12 m, rotation 1e-12 rad,
 * Jacobian entries 1e-12, on 2000 random in-limit configurations per
 * leaf-link chain of every shipped URDF (tens of thousands in all). */
START_TEST(test_against_kdl)
{
	unsigned total = 0;

	if (!dx_kdl_available()) {
		printf("KDL backend not built: FK/Jacobian oracle comparison not run\n");
		return;
	}
	for (unsigned f = 0; f < DX_ARRAY_SIZE(shipped); f++) {
		struct dx_kin_model *m = load(shipped[f]);
		int tips[32];
		unsigned nt = leaves(m, tips);

		for (unsigned t = 0; t < nt; t++) {
			const char *tip = dx_kin_link_name(m, tips[t]);
			struct dx_kin_chain *c;
			struct dx_kdl *k;
			unsigned n;

			ck_assert_int_eq(dx_kin_chain_create(m, NULL, tip, &c), 0);
			ck_assert_int_eq(dx_kdl_create(m, NULL, tip, NULL, &k), 0);
			n = dx_kin_chain_nvars(c);
			ck_assert_uint_eq(dx_kdl_nvars(k), n);
			for (int it = 0; it < 2000; it++) {
				double q[MAXV], J[6 * MAXV], JK[6 * MAXV];
				struct dx_kin_pose a, b;

				random_q(c, q);
				ck_assert_int_eq(dx_kin_chain_jacobian(c, q, J, &a), 0);
				ck_assert_int_eq(dx_kdl_fk(k, q, &b), 0);
				ck_assert_int_eq(dx_kdl_jacobian(k, q, JK), 0);
				ck_assert_msg(dx_kin_pos_dist(&a, &b) < 1e-12,
					      "%s %s: %g", shipped[f], tip,
					      dx_kin_pos_dist(&a, &b));
				ck_assert(dx_kin_rot_dist(&a, &b) < 1e-12);
				for (unsigned i = 0; i < 6 * n; i++)
					ck_assert_msg(fabs(J[i] - JK[i]) < 1e-12,
						      "%s %s J[%u] %g vs %g",
						      shipped[f], tip, i, J[i],
						      JK[i]);
				total++;
			}
			dx_kdl_free(k);
			dx_kin_chain_free(c);
		}
		dx_kin_model_free(m);
	}
	printf("FK and Jacobian agree with KDL on %u configurations\n", total);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kin");
	TCase *tc = tcase_create("kin");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_published_zero_poses);
	tcase_add_test(tc, test_jacobian_finite_differences);
	tcase_add_test(tc, test_tree_vs_chain);
	tcase_add_test(tc, test_mimic_coupling);
	tcase_add_test(tc, test_prismatic_general_axes);
	tcase_add_test(tc, test_long_chain);
	tcase_add_test(tc, test_nonfinite_and_sincos_range);
	tcase_add_test(tc, test_fast_sincos);
	tcase_add_test(tc, test_pose_helpers);
	tcase_add_test(tc, test_against_kdl);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
