/* SPDX-License-Identifier: MIT */
/* Inverse kinematics. Every answer is checked by FK against the target and
 * against the joint limits; the solver's return code is only compared with
 * that verdict, never trusted on its own. Success thresholds: position
 * 1e-5 m, rotation 1e-4 rad (the solver works to 1e-6 m and 1e-5 rad). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/kin.h>

#include "dx-check.h"
#define KIN_UTIL_SEED 777
#include "kin-util.h"

/* Allocation counting for the real-time check: the test program's own
 * malloc family forwards to glibc's and counts. Not under AddressSanitizer
 * (it owns malloc) nor outside glibc. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_MALLOC_COUNT 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define NO_MALLOC_COUNT 1
#endif
#endif
#if !defined(__GLIBC__)
#define NO_MALLOC_COUNT 1
#endif

#ifndef NO_MALLOC_COUNT
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

static volatile unsigned long n_alloc;

void *malloc(size_t n)
{
	n_alloc++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	n_alloc++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	n_alloc++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}
#endif

#define MAXV 32
#define POS_OK 1e-5
#define ROT_OK 1e-4


static void random_in_limits(const struct dx_kin_model *m, double *q)
{
	double lo[MAXV], hi[MAXV];

	dx_kin_model_limits(m, lo, hi);
	for (unsigned v = 0; v < dx_kin_model_nvars(m); v++)
		q[v] = isfinite(lo[v]) ? lo[v] + urand() * (hi[v] - lo[v])
				       : -M_PI + 2 * M_PI * urand();
}

static void mid_limits(const struct dx_kin_model *m, double *q)
{
	double lo[MAXV], hi[MAXV];

	dx_kin_model_limits(m, lo, hi);
	for (unsigned v = 0; v < dx_kin_model_nvars(m); v++)
		q[v] = isfinite(lo[v]) && isfinite(hi[v]) ? 0.5 * (lo[v] + hi[v])
							  : 0.0;
}

/* Targets for every tip of @p ik from the model vector q. */
static void make_targets(const struct dx_kin_ik *ik, unsigned ntips,
			 const double *q, bool pose, struct dx_kin_ik_target *tg)
{
	for (unsigned t = 0; t < ntips; t++) {
		const struct dx_kin_chain *c = dx_kin_ik_chain(ik, t);
		struct dx_kin_pose p;
		double qc[MAXV];

		memset(&tg[t], 0, sizeof(tg[t]));
		dx_kin_chain_gather(c, q, qc);
		ck_assert_int_eq(dx_kin_chain_fk(c, qc, &p), 0);
		memcpy(tg[t].p, p.p, sizeof(p.p));
		dx_kin_pose_quat(&p, tg[t].quat);
		tg[t].orientation = pose;
	}
}

/* The independent verdict: largest FK errors of q over the targets. */
static void fk_errors(const struct dx_kin_ik *ik, unsigned ntips,
		      const double *q, const struct dx_kin_ik_target *tg,
		      double *pe, double *re)
{
	*pe = *re = 0;
	for (unsigned t = 0; t < ntips; t++) {
		const struct dx_kin_chain *c = dx_kin_ik_chain(ik, t);
		struct dx_kin_pose p, g;
		double qc[MAXV];

		dx_kin_chain_gather(c, q, qc);
		if (dx_kin_chain_fk(c, qc, &p) != 0) {
			*pe = *re = INFINITY;
			return;
		}
		dx_kin_pose_from_quat(tg[t].p, tg[t].quat, &g);
		*pe = fmax(*pe, dx_kin_pos_dist(&p, &g));
		if (tg[t].orientation)
			*re = fmax(*re, dx_kin_rot_dist(&p, &g));
	}
}

static bool reaches(const struct dx_kin_ik *ik, unsigned ntips,
		    const double *q, const struct dx_kin_ik_target *tg)
{
	double pe, re;

	fk_errors(ik, ntips, q, tg, &pe, &re);
	return pe < POS_OK && re < ROT_OK;
}

/* The return code must match FK: 0 means every tip within the solver's
 * tolerances (1e-6 m, 1e-5 rad, default configuration), a failure means
 * at least one tip outside them. */
static void check_verdict(const struct dx_kin_ik *ik, unsigned ntips,
			  const double *q, const struct dx_kin_ik_target *tg,
			  int r)
{
	double pe, re;

	fk_errors(ik, ntips, q, tg, &pe, &re);
	if (r == 0)
		ck_assert_msg(pe <= 1e-6 + 1e-12 && re <= 1e-5 + 1e-12,
			      "reported found, FK errors %g m %g rad", pe, re);
	else
		ck_assert_msg(pe > 1e-6 || re > 1e-5,
			      "reported %s, FK errors %g m %g rad",
			      dx_errname(r), pe, re);
}

/* Solves n random reachable targets; returns the number found. Checks the
 * return code against FK, and the limits for every answer. */
static unsigned run(const char *urdf, const char *const *tips,
		    unsigned ntips, bool pose, unsigned n,
		    enum dx_kin_ik_mode mode, double warm_noise)
{
	struct dx_kin_model *m = load(urdf);
	struct dx_kin_ik *ik;
	unsigned nv = dx_kin_model_nvars(m), found = 0;

	ck_assert_int_eq(dx_kin_ik_create(m, NULL, tips, ntips, NULL, &ik), 0);
	for (unsigned i = 0; i < n; i++) {
		double q[MAXV], seed[MAXV], out[MAXV], lo[MAXV], hi[MAXV];
		struct dx_kin_ik_target tg[8];
		struct dx_kin_ik_result res;
		int r;
		bool ok;

		random_in_limits(m, q);
		make_targets(ik, ntips, q, pose, tg);
		dx_kin_model_limits(m, lo, hi);
		if (mode == DX_KIN_IK_WARM) {
			for (unsigned v = 0; v < nv; v++)
				seed[v] = fmin(hi[v], fmax(lo[v],
					  q[v] + warm_noise * (2 * urand() - 1)));
		} else {
			mid_limits(m, seed);
		}
		r = dx_kin_ik_solve(ik, tg, seed, out, mode, &res);
		check_verdict(ik, ntips, out, tg, r);
		ok = r == 0 && reaches(ik, ntips, out, tg);
		ck_assert_msg(r == 0 || r == DX_ENOCONVERGE, "%s", dx_errname(r));
		/* in limits whatever the outcome */
		ck_assert(dx_kin_within_limits(m, out, 0.0));
		ck_assert(res.pos_err < POS_OK || r != 0);
		found += ok;
	}
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
	return found;
}

static const char *const finger_tip[] = {"finger_tip"};
static const char *const panda_tip[] = {"panda_link8"};
static const char *const ur5_tip[] = {"tool0"};
static const char *const hand16_tips[] = {"index_tip", "middle_tip",
					  "ring_tip", "thumb_tip"};
static const char *const hand22_tips[] = {"thumb_tip", "index_tip",
					  "middle_tip", "ring_tip",
					  "little_tip"};

START_TEST(test_finger_position_cold)
{
	ck_assert_uint_eq(run("finger4.urdf", finger_tip, 1, false, 1000,
			      DX_KIN_IK_COLD, 0), 1000);
}
END_TEST

START_TEST(test_finger_position_warm)
{
	/* seed within 0.05 rad of an answer: one capped attempt suffices */
	unsigned n = run("finger4.urdf", finger_tip, 1, false, 1000,
			 DX_KIN_IK_WARM, 0.05);

	ck_assert_msg(n >= 995, "warm finger: %u/1000", n);
}
END_TEST

START_TEST(test_panda_pose_cold)
{
	unsigned n = run("panda.urdf", panda_tip, 1, true, 300, DX_KIN_IK_COLD,
			 0);

	ck_assert_msg(n >= 297, "panda: %u/300", n);
}
END_TEST

START_TEST(test_ur5_pose_cold_and_warm)
{
	unsigned n = run("ur5.urdf", ur5_tip, 1, true, 200, DX_KIN_IK_COLD, 0);

	ck_assert_msg(n >= 198, "ur5 cold: %u/200", n);
	n = run("ur5.urdf", ur5_tip, 1, true, 200, DX_KIN_IK_WARM, 0.05);
	ck_assert_msg(n >= 198, "ur5 warm: %u/200", n);
}
END_TEST

START_TEST(test_multi_fingertip)
{
	unsigned n = run("hand16.urdf", hand16_tips, 4, false, 200,
			 DX_KIN_IK_COLD, 0);

	ck_assert_uint_eq(n, 200);
	/* five tips sharing a 2-DoF wrist: one coupled problem */
	n = run("hand22.urdf", hand22_tips, 5, false, 100, DX_KIN_IK_COLD, 0);
	ck_assert_msg(n >= 98, "hand22: %u/100", n);
}
END_TEST

START_TEST(test_mimic_honoured)
{
	struct dx_kin_model *m = load("hand16-mimic.urdf");
	struct dx_kin_ik *ik;
	unsigned nl = dx_kin_model_nlinks(m);
	struct dx_kin_pose *all = calloc(nl, sizeof(*all));

	ck_assert_int_eq(dx_kin_ik_create(m, NULL, hand16_tips, 4, NULL, &ik), 0);
	for (int i = 0; i < 100; i++) {
		double q[MAXV], seed[MAXV], out[MAXV];
		struct dx_kin_ik_target tg[4];
		int r;

		random_in_limits(m, q);
		make_targets(ik, 4, q, false, tg);
		mid_limits(m, seed);
		r = dx_kin_ik_solve(ik, tg, seed, out, DX_KIN_IK_COLD, NULL);
		ck_assert_int_eq(r, 0);
		/* the tree FK applies the coupling itself (DIP = 0.9 PIP) and
		 * must reach the targets too */
		ck_assert_int_eq(dx_kin_fk_all(m, out, all), 0);
		for (int t = 0; t < 4; t++) {
			const double *p =
				all[dx_kin_link_index(m, hand16_tips[t])].p;
			double d = sqrt((p[0] - tg[t].p[0]) * (p[0] - tg[t].p[0]) +
					(p[1] - tg[t].p[1]) * (p[1] - tg[t].p[1]) +
					(p[2] - tg[t].p[2]) * (p[2] - tg[t].p[2]));

			ck_assert(d < POS_OK);
		}
		ck_assert(dx_kin_within_limits(m, out, 0));
	}
	free(all);
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_unreachable_and_bad_targets)
{
	struct dx_kin_model *m = load("finger4.urdf");
	struct dx_kin_ik *ik;
	struct dx_kin_ik_target tg;
	struct dx_kin_ik_result res;
	double seed[4], out[4];

	ck_assert_int_eq(dx_kin_ik_create(m, NULL, finger_tip, 1, NULL, &ik), 0);
	mid_limits(m, seed);
	memset(&tg, 0, sizeof(tg));
	/* beyond the finger's length (0.135 m from the abduction joint) */
	tg.p[2] = 0.5;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_COLD, &res),
			 DX_EUNREACHABLE);
	ck_assert_uint_eq(res.iterations, 0);
	/* inside the reach sphere but behind the finger, where the flexion
	 * limits never take it: searched, then refused, answer in limits */
	tg.p[0] = 0;
	tg.p[1] = 0.1;
	tg.p[2] = 0.02;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_COLD, &res),
			 DX_ENOCONVERGE);
	ck_assert(dx_kin_within_limits(m, out, 0));
	ck_assert(res.pos_err > POS_OK);
	ck_assert(res.restarts == 200);
	/* NaN and infinite targets and seeds */
	tg.p[1] = NAN;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_COLD, NULL),
			 DX_ENOTFINITE);
	tg.p[1] = INFINITY;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_WARM, NULL),
			 DX_ENOTFINITE);
	tg.p[1] = 0.01;
	seed[2] = NAN;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_WARM, NULL),
			 DX_ENOTFINITE);
	mid_limits(m, seed);
	tg.orientation = true;
	tg.quat[3] = NAN;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_WARM, NULL),
			 DX_ENOTFINITE);
	memset(tg.quat, 0, sizeof(tg.quat));
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_WARM, NULL),
			 DX_EINVAL);
	tg.orientation = false;
	tg.w_pos = -1;
	ck_assert_int_eq(dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_WARM, NULL),
			 DX_EINVAL);
	ck_assert_int_eq(dx_kin_ik_solve(ik, NULL, seed, out, DX_KIN_IK_WARM, NULL),
			 DX_EINVAL);
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_create_errors)
{
	struct dx_kin_model *m = load("hand16.urdf");
	struct dx_kin_ik *ik = (struct dx_kin_ik *)&ik;
	struct dx_kin_ik_config cfg;
	const char *bad[] = {"index_tip", "nope"};

	ck_assert_int_eq(dx_kin_ik_create(m, NULL, bad, 2, NULL, &ik), DX_ENOENT);
	ck_assert_ptr_null(ik);
	ck_assert_int_eq(dx_kin_ik_create(m, "index_base", hand16_tips, 4, NULL,
					  &ik), DX_EINVAL);
	ck_assert_int_eq(dx_kin_ik_create(m, NULL, hand16_tips, 0, NULL, &ik),
			 DX_EINVAL);
	dx_kin_ik_config_default(&cfg);
	cfg.max_iters = 0;
	ck_assert_int_eq(dx_kin_ik_create(m, NULL, hand16_tips, 4, &cfg, &ik),
			 DX_EINVAL);
	dx_kin_ik_config_default(&cfg);
	cfg.tol_pos = NAN;
	ck_assert_int_eq(dx_kin_ik_create(m, NULL, hand16_tips, 4, &cfg, &ik),
			 DX_EINVAL);
	dx_kin_ik_free(NULL);
	dx_kin_model_free(m);
}
END_TEST

/* Same inputs, same answer, bit for bit, including restarts. */
START_TEST(test_deterministic)
{
	struct dx_kin_model *m = load("panda.urdf");
	struct dx_kin_ik *ik;
	struct dx_kin_ik_config cfg;
	unsigned restarted = 0;

	dx_kin_ik_config_default(&cfg);
	cfg.seed = 42;
	ck_assert_int_eq(dx_kin_ik_create(m, NULL, panda_tip, 1, &cfg, &ik), 0);
	for (int i = 0; i < 100; i++) {
		double q[7], seed[7], a[7], b[7];
		struct dx_kin_ik_target tg;
		struct dx_kin_ik_result ra, rb;
		int r1, r2;

		random_in_limits(m, q);
		make_targets(ik, 1, q, true, &tg);
		mid_limits(m, seed);
		r1 = dx_kin_ik_solve(ik, &tg, seed, a, DX_KIN_IK_COLD, &ra);
		r2 = dx_kin_ik_solve(ik, &tg, seed, b, DX_KIN_IK_COLD, &rb);
		ck_assert_int_eq(r1, r2);
		ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
		ck_assert_uint_eq(ra.iterations, rb.iterations);
		restarted += ra.restarts > 0;
	}
	/* the check covers the random restarts, not only the first attempt */
	ck_assert_uint_gt(restarted, 0);
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
}
END_TEST

/* Real-time mode: the iteration cap holds, q_out may alias the seed. */
START_TEST(test_warm_iteration_cap)
{
	struct dx_kin_model *m = load("panda.urdf");
	struct dx_kin_ik *ik;
	struct dx_kin_ik_config cfg;

	dx_kin_ik_config_default(&cfg);
	cfg.max_iters = 5;
	ck_assert_int_eq(dx_kin_ik_create(m, NULL, panda_tip, 1, &cfg, &ik), 0);
	for (int i = 0; i < 200; i++) {
		double q[7], seed[7];
		struct dx_kin_ik_target tg;
		struct dx_kin_ik_result res;
		int r;

		random_in_limits(m, q);
		make_targets(ik, 1, q, true, &tg);
		mid_limits(m, seed);
		r = dx_kin_ik_solve(ik, &tg, seed, seed, DX_KIN_IK_WARM, &res);
		ck_assert_uint_le(res.iterations, 5);
		ck_assert_uint_eq(res.restarts, 0);
		check_verdict(ik, 1, seed, &tg, r);
		ck_assert(dx_kin_within_limits(m, seed, 0));
	}
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
}
END_TEST

/* Weighted pose: a heavier rotation weight still reaches both tolerances;
 * a seed outside the limits is clamped first. */
START_TEST(test_weights_and_clamped_seed)
{
	struct dx_kin_model *m = load("ur5.urdf");
	struct dx_kin_ik *ik;
	unsigned found = 0;

	ck_assert_int_eq(dx_kin_ik_create(m, NULL, ur5_tip, 1, NULL, &ik), 0);
	for (int i = 0; i < 50; i++) {
		double q[6], seed[6] = {20, -20, 20, -20, 20, -20}, out[6];
		struct dx_kin_ik_target tg;

		random_in_limits(m, q);
		make_targets(ik, 1, q, true, &tg);
		tg.w_pos = 2.0;
		tg.w_rot = 1.0;
		int r = dx_kin_ik_solve(ik, &tg, seed, out, DX_KIN_IK_COLD, NULL);

		check_verdict(ik, 1, out, &tg, r);
		found += r == 0 && reaches(ik, 1, out, &tg);
		ck_assert(dx_kin_within_limits(m, out, 0));
	}
	ck_assert_uint_ge(found, 49);
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
}
END_TEST

/* FK, Jacobians and IK (warm and cold, several tips) never allocate. */
START_TEST(test_no_allocation)
{
#ifdef NO_MALLOC_COUNT
	printf("allocation counting not available in this build\n");
#else
	struct dx_kin_model *m = load("hand16.urdf");
	struct dx_kin_ik *ik;
	struct dx_kin_pose *all = calloc(dx_kin_model_nlinks(m), sizeof(*all));
	double q[16], seed[16], out[16], J[6 * 16];
	struct dx_kin_ik_target tg[4];
	unsigned long before, after, probe;
	int r;

	/* the counter works */
	probe = n_alloc;
	free(malloc(16));
	ck_assert_uint_eq(n_alloc, probe + 1);

	ck_assert_int_eq(dx_kin_ik_create(m, NULL, hand16_tips, 4, NULL, &ik), 0);
	random_in_limits(m, q);
	make_targets(ik, 4, q, false, tg);
	mid_limits(m, seed);
	before = n_alloc;
	for (int i = 0; i < 200; i++) {
		const struct dx_kin_chain *c = dx_kin_ik_chain(ik, (unsigned)i % 4);
		struct dx_kin_pose p;

		dx_kin_ik_solve(ik, tg, seed, out, DX_KIN_IK_COLD, NULL);
		dx_kin_ik_solve(ik, tg, out, out, DX_KIN_IK_WARM, NULL);
		dx_kin_fk_all(m, out, all);
		dx_kin_chain_fk(c, out, &p);
		dx_kin_chain_jacobian(c, out, J, &p);
	}
	/* a target within reach but behind the finger, which the flexion
	 * limits never allow: every restart runs */
	tg[0].p[0] = 0;
	tg[0].p[1] = 0.05;
	tg[0].p[2] = 0.15;
	r = dx_kin_ik_solve(ik, tg, seed, out, DX_KIN_IK_COLD, NULL);
	after = n_alloc; /* Check's assertions themselves may allocate */
	ck_assert_int_eq(r, DX_ENOCONVERGE);
	ck_assert_uint_eq(after, before);
	free(all);
	dx_kin_ik_free(ik);
	dx_kin_model_free(m);
#endif
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ik");
	TCase *tc = tcase_create("ik");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_finger_position_cold);
	tcase_add_test(tc, test_finger_position_warm);
	tcase_add_test(tc, test_panda_pose_cold);
	tcase_add_test(tc, test_ur5_pose_cold_and_warm);
	tcase_add_test(tc, test_multi_fingertip);
	tcase_add_test(tc, test_mimic_honoured);
	tcase_add_test(tc, test_unreachable_and_bad_targets);
	tcase_add_test(tc, test_create_errors);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_warm_iteration_cap);
	tcase_add_test(tc, test_weights_and_clamped_seed);
	tcase_add_test(tc, test_no_allocation);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
