/* SPDX-License-Identifier: MIT */
/* Unit tests of the joint <-> actuator transmission (include/dexrt/ctl.h):
 * round trips of position, velocity and torque, power conservation
 * (tau_j . qdot == tau_a . thetadot), under- and over-actuated couplings and
 * refusal of bad configurations. */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

#include "dx-check.h"

#define TOL 1e-12

static double rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

static double dot(const double *a, const double *b, unsigned n)
{
	double s = 0.0;

	for (unsigned i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static void near_vec(const double *a, const double *b, unsigned n, double tol)
{
	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(fabs(a[i] - b[i]) <= tol,
			      "element %u: %.15g vs %.15g", i, a[i], b[i]);
}

START_TEST(test_gear_direction_offset)
{
	/* Two joints, no coupling: theta = d r q + z.
	 * q = (0.5, -0.25), r = (10, 36), d = (+1, -1), z = (1, 2):
	 * theta = (1 + 5, 2 + 9) = (6, 11). tau_j = d r tau_a. */
	const double ratio[] = {10.0, 36.0}, zero[] = {1.0, 2.0};
	const int dir[] = {1, -1};
	struct dx_trans_config cfg = {
		.n_joints = 2, .n_actuators = 2, .gear_ratio = ratio,
		.direction = dir, .zero_offset = zero,
	};
	struct dx_trans tr;
	double q[2] = {0.5, -0.25}, th[2], q2[2], ta[2] = {0.1, 0.2}, tj[2];

	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	dx_trans_joint_to_act_pos(&tr, q, th);
	dx_ck_near(th[0], 6.0, TOL);
	dx_ck_near(th[1], 11.0, TOL);
	dx_trans_act_to_joint_pos(&tr, th, q2);
	near_vec(q, q2, 2, TOL);
	dx_trans_act_to_joint_torque(&tr, ta, tj);
	dx_ck_near(tj[0], 1.0, TOL);
	dx_ck_near(tj[1], -7.2, TOL);
}
END_TEST

/* Round trips and power for any (m, n) where the direction is exact. */
static void check_coupled(const struct dx_trans *tr, uint64_t seed)
{
	unsigned n = tr->n, m = tr->m;
	double q[DX_TRANS_MAX], qd[DX_TRANS_MAX], th[DX_TRANS_MAX];
	double thd[DX_TRANS_MAX], q2[DX_TRANS_MAX], th2[DX_TRANS_MAX];
	double tj[DX_TRANS_MAX], ta[DX_TRANS_MAX], tj2[DX_TRANS_MAX];
	double ta2[DX_TRANS_MAX];
	uint64_t s = seed;

	for (int trial = 0; trial < 50; trial++) {
		if (m >= n) {
			/* joint -> actuator -> joint is exact */
			for (unsigned i = 0; i < n; i++) {
				q[i] = rnd(&s);
				qd[i] = rnd(&s);
				tj[i] = rnd(&s);
			}
		} else {
			/* under-actuated: joint states reachable by the
			 * actuators, q = P s */
			double a[DX_TRANS_MAX], b[DX_TRANS_MAX];

			for (unsigned j = 0; j < m; j++) {
				a[j] = rnd(&s) * tr->g[j];
				b[j] = rnd(&s) * tr->g[j];
				th[j] = a[j] + tr->z[j];
			}
			dx_trans_act_to_joint_pos(&tr[0], th, q);
			dx_trans_act_to_joint_vel(&tr[0], b, qd);
			/* torques the actuators can produce */
			for (unsigned j = 0; j < m; j++)
				ta[j] = rnd(&s);
			dx_trans_act_to_joint_torque(tr, ta, tj);
		}
		dx_trans_joint_to_act_pos(tr, q, th);
		dx_trans_act_to_joint_pos(tr, th, q2);
		near_vec(q, q2, n, 1e-11);
		dx_trans_joint_to_act_vel(tr, qd, thd);
		dx_trans_act_to_joint_vel(tr, thd, q2);
		near_vec(qd, q2, n, 1e-11);
		dx_trans_joint_to_act_torque(tr, tj, ta);
		dx_trans_act_to_joint_torque(tr, ta, tj2);
		near_vec(tj, tj2, n, 1e-11);
		/* power: tau_j . qdot == tau_a . thetadot */
		dx_ck_near(dot(tj, qd, n), dot(ta, thd, m),
			   1e-11 * (1.0 + fabs(dot(tj, qd, n))));
		/* and with an arbitrary actuator torque the forward relation
		 * tau_j = C^T G tau_a conserves power for every qdot */
		for (unsigned j = 0; j < m; j++)
			ta2[j] = rnd(&s);
		dx_trans_act_to_joint_torque(tr, ta2, tj2);
		dx_ck_near(dot(tj2, qd, n), dot(ta2, thd, m),
			   1e-11 * (1.0 + fabs(dot(tj2, qd, n))));
		if (m <= n) {
			/* actuator -> joint -> actuator exact */
			for (unsigned j = 0; j < m; j++)
				th[j] = 5.0 * rnd(&s);
			dx_trans_act_to_joint_pos(tr, th, q2);
			dx_trans_joint_to_act_pos(tr, q2, th2);
			near_vec(th, th2, m, 1e-10);
		}
	}
}

START_TEST(test_square_tendon)
{
	/* A three-joint finger driven by three tendons whose paths cross the
	 * proximal joints: each actuator's travel is a weighted sum of the
	 * joint angles it passes (pulley radii ratios). */
	const double c[] = {
		1.0, 0.0, 0.0,
		1.0, 0.8, 0.0,
		0.9, 0.8, 0.6,
	};
	const double ratio[] = {50.0, 30.0, 30.0}, zero[] = {0.1, -0.2, 3.0};
	const int dir[] = {1, -1, 1};
	struct dx_trans_config cfg = {
		.n_joints = 3, .n_actuators = 3, .gear_ratio = ratio,
		.direction = dir, .zero_offset = zero, .coupling = c,
		.coupling_rows = 3, .coupling_cols = 3,
	};
	struct dx_trans tr;

	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	check_coupled(&tr, 1);
}
END_TEST

START_TEST(test_underactuated)
{
	/* One actuator drives two coupled joints: s = q1 + q2.
	 * Default inverse: minimum norm, P = (0.5, 0.5). With fixed coupling
	 * ratios P = (0.6, 0.4) instead: s = 1 gives q = (0.6, 0.4). */
	const double c[] = {1.0, 1.0};
	const double pfix[] = {0.6, 0.4};
	const double ratio[] = {20.0};
	struct dx_trans_config cfg = {
		.n_joints = 2, .n_actuators = 1, .gear_ratio = ratio,
		.coupling = c, .coupling_rows = 1, .coupling_cols = 2,
	};
	struct dx_trans tr;
	double th = 20.0, q[2], tj[2], ta;

	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	dx_trans_act_to_joint_pos(&tr, &th, q);
	dx_ck_near(q[0], 0.5, TOL);
	dx_ck_near(q[1], 0.5, TOL);
	check_coupled(&tr, 2);
	/* A joint pose off the coupling (q1 != q2) is not reproduced: only
	 * its coupled component survives, as documented. */
	q[0] = 0.3;
	q[1] = 0.1;
	dx_trans_joint_to_act_pos(&tr, q, &th);
	dx_trans_act_to_joint_pos(&tr, &th, q);
	dx_ck_near(q[0], 0.2, TOL);
	dx_ck_near(q[1], 0.2, TOL);

	cfg.inverse = pfix;
	cfg.inverse_rows = 2;
	cfg.inverse_cols = 1;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	th = 20.0;
	dx_trans_act_to_joint_pos(&tr, &th, q);
	dx_ck_near(q[0], 0.6, TOL);
	dx_ck_near(q[1], 0.4, TOL);
	/* tau_j = C^T G tau_a: 1 N m at the motor -> 20 N m on each joint */
	ta = 1.0;
	dx_trans_act_to_joint_torque(&tr, &ta, tj);
	dx_ck_near(tj[0], 20.0, TOL);
	dx_ck_near(tj[1], 20.0, TOL);
	check_coupled(&tr, 3);
}
END_TEST

START_TEST(test_overactuated)
{
	/* Two joints, three antagonistic tendons (flexor, extensor, and one
	 * crossing both joints). */
	const double c[] = {
		1.0, 0.5,
		-1.0, -0.5,
		0.3, 1.0,
	};
	const double ratio[] = {10.0, 10.0, 25.0};
	struct dx_trans_config cfg = {
		.n_joints = 2, .n_actuators = 3, .gear_ratio = ratio,
		.coupling = c, .coupling_rows = 3, .coupling_cols = 2,
	};
	struct dx_trans tr;

	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	check_coupled(&tr, 4);
}
END_TEST

START_TEST(test_hand_sized)
{
	/* 16 joints, 16 actuators, a well-conditioned random coupling near
	 * identity (each actuator also moves a few other joints). */
	enum { N = 16 };
	static double c[N * N];
	double ratio[N], zero[N];
	int dir[N];
	uint64_t s = 99;
	struct dx_trans_config cfg = {
		.n_joints = N, .n_actuators = N, .gear_ratio = ratio,
		.direction = dir, .zero_offset = zero, .coupling = c,
		.coupling_rows = N, .coupling_cols = N,
	};
	static struct dx_trans tr;

	for (int i = 0; i < N; i++) {
		ratio[i] = 10.0 + 40.0 * fabs(rnd(&s));
		dir[i] = (i % 3) ? 1 : -1;
		zero[i] = rnd(&s);
		for (int j = 0; j < N; j++)
			c[i * N + j] = (i == j ? 1.0 : 0.0) +
				       ((i + j) % 4 == 0 ? 0.2 * rnd(&s) : 0.0);
	}
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	check_coupled(&tr, 5);
}
END_TEST

START_TEST(test_refused)
{
	const double ratio[] = {10.0, 10.0, 10.0};
	const double sing[] = {1.0, 2.0, 2.0, 4.0};
	const double sing_under[] = {1.0, 1.0, 0.0, 2.0, 2.0, 0.0};
	const double ok2[] = {1.0, 0.0, 0.5, 1.0};
	const double nanc[] = {1.0, NAN, 0.0, 1.0};
	const double badinv[] = {0.5, 0.6};
	const double c12[] = {1.0, 1.0};
	const double zero_nan[] = {0.0, INFINITY};
	const double bad_ratio[] = {10.0, 0.0};
	const double nan_ratio[] = {10.0, NAN};
	const int bad_dir[] = {1, 2};
	struct dx_trans tr, before;
	struct dx_trans_config cfg;

	memset(&tr, 0x5a, sizeof(tr));
	before = tr;
#define CFG(nj, na, cp, r, cc)                                                  \
	do {                                                                   \
		memset(&cfg, 0, sizeof(cfg));                                  \
		cfg.n_joints = nj;                                             \
		cfg.n_actuators = na;                                          \
		cfg.gear_ratio = ratio;                                        \
		cfg.coupling = cp;                                             \
		cfg.coupling_rows = r;                                         \
		cfg.coupling_cols = cc;                                        \
	} while (0)

	/* shape declared differently from the joints and actuators named */
	CFG(2, 2, ok2, 2, 3);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ECONFIG);
	CFG(2, 2, ok2, 1, 4);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ECONFIG);
	/* identity coupling needs as many actuators as joints */
	CFG(3, 2, NULL, 0, 0);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ECONFIG);
	/* rank deficient, square and under-actuated */
	CFG(2, 2, sing, 2, 2);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ESINGULAR);
	CFG(3, 2, sing_under, 2, 3);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ESINGULAR);
	/* non-finite entries */
	CFG(2, 2, nanc, 2, 2);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ENOTFINITE);
	CFG(2, 2, ok2, 2, 2);
	cfg.zero_offset = zero_nan;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ENOTFINITE);
	CFG(2, 2, ok2, 2, 2);
	cfg.gear_ratio = nan_ratio;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ENOTFINITE);
	/* bad ratio, direction, counts, NULLs */
	CFG(2, 2, ok2, 2, 2);
	cfg.gear_ratio = bad_ratio;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_EINVAL);
	CFG(2, 2, ok2, 2, 2);
	cfg.direction = bad_dir;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_EINVAL);
	CFG(0, 2, ok2, 2, 0);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_EINVAL);
	CFG(DX_TRANS_MAX + 1, 2, NULL, 0, 0);
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_EINVAL);
	CFG(2, 2, ok2, 2, 2);
	cfg.gear_ratio = NULL;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_EINVAL);
	ck_assert_int_eq(dx_trans_init(NULL, &cfg), DX_EINVAL);
	/* a given inverse that is not one (C P = 1.1), or of the wrong shape */
	CFG(2, 1, c12, 1, 2);
	cfg.inverse = badinv;
	cfg.inverse_rows = 2;
	cfg.inverse_cols = 1;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ECONFIG);
	cfg.inverse_rows = 1;
	cfg.inverse_cols = 2;
	ck_assert_int_eq(dx_trans_init(&tr, &cfg), DX_ECONFIG);
	/* nothing was written by any refused init */
	ck_assert_int_eq(memcmp(&tr, &before, sizeof(tr)), 0);
#undef CFG
}
END_TEST

START_TEST(test_bad_values_in_cycle)
{
	/* Non-finite input refused; finite input whose image overflows
	 * refused; the output is left untouched either way. */
	const double c[] = {1.0, 1.0, 1.0, -1.0};
	const double ratio[] = {100.0, 100.0};
	struct dx_trans_config cfg = {
		.n_joints = 2, .n_actuators = 2, .gear_ratio = ratio,
		.coupling = c, .coupling_rows = 2, .coupling_cols = 2,
	};
	struct dx_trans tr;
	double in[2] = {NAN, 0.0}, out[2] = {7.0, 7.0};

	ck_assert_int_eq(dx_trans_init(&tr, &cfg), 0);
	ck_assert_int_eq(dx_trans_joint_to_act_pos(&tr, in, out), DX_ENOTFINITE);
	ck_assert_int_eq(dx_trans_act_to_joint_torque(&tr, in, out), DX_ENOTFINITE);
	in[0] = INFINITY;
	ck_assert_int_eq(dx_trans_act_to_joint_vel(&tr, in, out), DX_ENOTFINITE);
	in[0] = 1e307;
	in[1] = 1e307;
	ck_assert_int_eq(dx_trans_joint_to_act_pos(&tr, in, out), DX_ERANGE);
	ck_assert_int_eq(dx_trans_act_to_joint_torque(&tr, in, out), DX_ERANGE);
	ck_assert(out[0] == 7.0 && out[1] == 7.0);
	ck_assert_int_eq(dx_trans_joint_to_act_vel(NULL, in, out), DX_EINVAL);
	ck_assert_int_eq(dx_trans_joint_to_act_vel(&tr, NULL, out), DX_EINVAL);
	in[0] = 1.0;
	in[1] = 0.5;
	ck_assert_int_eq(dx_trans_joint_to_act_vel(&tr, in, out), 0);
	dx_ck_near(out[0], 150.0, 1e-12);
	dx_ck_near(out[1], 50.0, 1e-12);
}
END_TEST

static Suite *trans_suite(void)
{
	Suite *s = suite_create("transmission");
	TCase *tc = tcase_create("transmission");

	tcase_add_test(tc, test_gear_direction_offset);
	tcase_add_test(tc, test_square_tendon);
	tcase_add_test(tc, test_underactuated);
	tcase_add_test(tc, test_overactuated);
	tcase_add_test(tc, test_hand_sized);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_bad_values_in_cycle);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(trans_suite());
}
