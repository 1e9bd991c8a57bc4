/* SPDX-License-Identifier: MIT */
/* The KDL backend through its C API: chain construction from the dexrt
 * model, IK solvers (LMA, NR_JL) checked by the native FK, mimic handling
 * and argument errors. Skipped (exit 77) when dexrt is built without KDL.
 * The FK/Jacobian agreement on random configurations lives in test-kin. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/kdl.h>
#include <dexrt/kin.h>

#include "dx-check.h"
#define KIN_UTIL_SEED 99
#include "kin-util.h"


/* Runs n targets through a KDL solver from a seed near the answer; returns
 * how many answers FK confirms (position 1e-5 m, rotation 1e-4 rad). */
static unsigned kdl_ik_run(const char *urdf, const char *tip, bool pose,
			   enum dx_kdl_solver solver, unsigned n,
			   bool check_limits)
{
	struct dx_kin_model *m = load(urdf);
	struct dx_kin_chain *c;
	struct dx_kdl *k;
	struct dx_kdl_config cfg;
	double lo[8], hi[8];
	unsigned nv, ok = 0;

	dx_kdl_config_default(&cfg);
	cfg.solver = solver;
	if (!pose)
		cfg.weights[3] = cfg.weights[4] = cfg.weights[5] = 0;
	ck_assert_int_eq(dx_kin_chain_create(m, NULL, tip, &c), 0);
	ck_assert_int_eq(dx_kdl_create(m, NULL, tip, &cfg, &k), 0);
	nv = dx_kin_chain_nvars(c);
	dx_kin_chain_limits(c, lo, hi);
	for (unsigned i = 0; i < n; i++) {
		double q[8], seed[8], out[8];
		struct dx_kin_pose goal, p;
		int r;

		for (unsigned v = 0; v < nv; v++) {
			q[v] = lo[v] + urand() * (hi[v] - lo[v]);
			seed[v] = fmin(hi[v], fmax(lo[v], q[v] + 0.1 * (urand() - 0.5)));
		}
		dx_kin_chain_fk(c, q, &goal);
		r = dx_kdl_ik(k, &goal, seed, out);
		ck_assert_msg(r == 0 || r == DX_ENOCONVERGE, "%s", dx_errname(r));
		dx_kin_chain_fk(c, out, &p);
		if (r == 0 && dx_kin_pos_dist(&p, &goal) < 1e-5 &&
		    (!pose || dx_kin_rot_dist(&p, &goal) < 1e-4))
			ok++;
		if (check_limits)
			for (unsigned v = 0; v < nv; v++)
				ck_assert(out[v] >= lo[v] - 1e-12 &&
					  out[v] <= hi[v] + 1e-12);
	}
	dx_kdl_free(k);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
	return ok;
}

START_TEST(test_lma_finger_position)
{
	unsigned ok = kdl_ik_run("finger4.urdf", "finger_tip", false, DX_KDL_LMA,
				 200, false);

	ck_assert_msg(ok >= 195, "KDL LMA finger: %u/200", ok);
}
END_TEST

START_TEST(test_lma_panda_pose)
{
	unsigned ok = kdl_ik_run("panda.urdf", "panda_link8", true, DX_KDL_LMA,
				 100, false);

	ck_assert_msg(ok >= 95, "KDL LMA panda: %u/100", ok);
}
END_TEST

START_TEST(test_nrjl_respects_limits)
{
	/* NR_JL clamps every iterate into the limits; near seeds converge */
	unsigned ok = kdl_ik_run("ur5.urdf", "tool0", true, DX_KDL_NR_JL, 100,
				 true);

	ck_assert_msg(ok >= 90, "KDL NR_JL ur5: %u/100", ok);
}
END_TEST

START_TEST(test_mimic_chain)
{
	struct dx_kin_model *m = load("hand16-mimic.urdf");
	struct dx_kdl *k;
	struct dx_kin_pose goal = {{0, 0, 0.1}, {1, 0, 0, 0, 1, 0, 0, 0, 1}};
	double q[3] = {0.1, 0.2, 0.3}, out[3];

	ck_assert_int_eq(dx_kdl_create(m, NULL, "ring_tip", NULL, &k), 0);
	ck_assert_uint_eq(dx_kdl_nvars(k), 3);
	ck_assert_int_eq(dx_kdl_ik(k, &goal, q, out), DX_ENOTSUP);
	dx_kdl_free(k);
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_errors)
{
	struct dx_kin_model *m = load("panda.urdf");
	struct dx_kdl *k = (struct dx_kdl *)&k;
	struct dx_kin_pose p;
	double q[7] = {0, -1, 0, 1, 0, 0, 0}, J[42];

	ck_assert_int_eq(dx_kdl_create(m, NULL, "nope", NULL, &k), DX_ENOENT);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(dx_kdl_create(m, "panda_link5", "panda_link2", NULL, &k),
			 DX_EINVAL);
	ck_assert_int_eq(dx_kdl_create(NULL, NULL, "panda_link8", NULL, &k),
			 DX_EINVAL);
	ck_assert_int_eq(dx_kdl_create(m, "panda_link2", "panda_link8", NULL, &k),
			 0);
	ck_assert_uint_eq(dx_kdl_nvars(k), 5); /* joints 3 to 7 */
	ck_assert_int_eq(dx_kdl_fk(k, q, &p), 0);
	q[3] = NAN;
	ck_assert_int_eq(dx_kdl_fk(k, q, &p), DX_ENOTFINITE);
	ck_assert_int_eq(dx_kdl_jacobian(k, q, J), DX_ENOTFINITE);
	ck_assert_int_eq(dx_kdl_ik(k, &p, q, J), DX_ENOTFINITE);
	ck_assert_int_eq(dx_kdl_fk(NULL, q, &p), DX_EINVAL);
	dx_kdl_free(k);
	dx_kdl_free(NULL);
	dx_kin_model_free(m);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	if (!dx_kdl_available())
		dx_test_skip("dexrt built without the Orocos KDL backend");
	s = suite_create("kdl");
	tc = tcase_create("kdl");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_lma_finger_position);
	tcase_add_test(tc, test_lma_panda_pose);
	tcase_add_test(tc, test_nrjl_respects_limits);
	tcase_add_test(tc, test_mimic_chain);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
