/* SPDX-License-Identifier: MIT */
/* Fusion of pad forces and joint torques: a simulated finger pressing with
 * a known, varying force; the pad masked, the torques noisy, and both
 * sources together. RMS errors are printed and their ordering asserted. */
#include <math.h>
#include <string.h>

#include <dexrt/simpad.h>
#include <dexrt/tactile.h>

#include "dx-check.h"

#define DT 0.001
#define NJ 4

/* ---- a small spatial finger, for the Jacobian only ------------------------
 * Joint 0 abducts about z at the knuckle, joints 1..3 flex about the
 * abducted y axis; links 45, 25 and 20 mm. The contact point is the tip.
 * (Test-side kinematics: the fusion code only ever sees J.) */
static void finger_jacobian(const double q[NJ], double jac[3 * NJ])
{
	const double len[3] = {0.045, 0.025, 0.020};
	double ca = cos(q[0]), sa = sin(q[0]);
	double ax[3] = {-sa, ca, 0}; /* flexion axis after abduction */
	double o[4][3], p[3], th = 0, x = 0, z = 0;

	o[0][0] = o[0][1] = o[0][2] = 0;
	for (int k = 0; k < 3; k++) {
		o[k + 1][0] = x * ca;
		o[k + 1][1] = x * sa;
		o[k + 1][2] = z;
		th += q[k + 1];
		x += len[k] * cos(th);
		z -= len[k] * sin(th);
	}
	p[0] = x * ca;
	p[1] = x * sa;
	p[2] = z;
	/* abduction column: z × p */
	jac[0 * NJ + 0] = -p[1];
	jac[1 * NJ + 0] = p[0];
	jac[2 * NJ + 0] = 0;
	for (int k = 1; k < NJ; k++) {
		double r[3] = {p[0] - o[k][0], p[1] - o[k][1], p[2] - o[k][2]};
		jac[0 * NJ + k] = ax[1] * r[2] - ax[2] * r[1];
		jac[1 * NJ + k] = ax[2] * r[0] - ax[0] * r[2];
		jac[2 * NJ + k] = ax[0] * r[1] - ax[1] * r[0];
	}
}

static void true_force(double t, double f[3])
{
	f[0] = 0.5 * sin(2 * M_PI * 0.5 * t);
	f[1] = 0.3 * cos(2 * M_PI * 0.3 * t);
	f[2] = 2.0 + sin(2 * M_PI * 0.7 * t);
}

static uint64_t rng = 12345;
static double gauss(void)
{
	double u, v;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	u = ((rng >> 11) + 1.0) * 0x1.0p-53;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	v = (rng >> 11) * 0x1.0p-53;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

struct errs {
	double pad, tq, fused;
	double tau_r_end;
};

/* Runs 3 s; errors are RMS (vector norm) over the last 2.5 s. */
static void run(bool pad_on, double pad_sigma, double tau_sigma_true,
		const struct dx_fusion_config *cfg, struct errs *e)
{
	struct dx_fusion fu;
	double se_p = 0, se_t = 0, se_f = 0;
	unsigned n = 0;

	ck_assert_int_eq(dx_fusion_init(&fu, cfg), 0);
	rng = 12345;
	for (int i = 0; i < 3000; i++) {
		double t = i * DT, f[3], q[NJ], jac[3 * NJ], dtau[NJ], pm[3];
		struct dx_fusion_input in;
		struct dx_fusion_contact out;

		true_force(t, f);
		q[0] = 0.1 * sin(t);
		q[1] = 0.4 + 0.2 * sin(0.8 * t);
		q[2] = 0.5 + 0.1 * cos(t);
		q[3] = 0.3;
		finger_jacobian(q, jac);
		for (int k = 0; k < NJ; k++) {
			dtau[k] = tau_sigma_true * gauss();
			for (int a = 0; a < 3; a++)
				dtau[k] += jac[a * NJ + k] * f[a];
		}
		for (int a = 0; a < 3; a++)
			pm[a] = f[a] + pad_sigma * gauss();
		memset(&in, 0, sizeof(in));
		in.pad_valid = pad_on;
		memcpy(in.pad_force, pm, sizeof(pm));
		in.pad_confidence = 1.0;
		in.n_joints = NJ;
		in.jac = jac;
		in.dtau = dtau;
		ck_assert_int_eq(dx_fusion_step(&fu, DT, &in, &out), 0);
		ck_assert(out.active);
		ck_assert(out.torque_valid);
		if (i < 500)
			continue;
		for (int a = 0; a < 3; a++) {
			double dp = pm[a] - f[a], dt_ = out.torque_force[a] - f[a],
			       df = out.force[a] - f[a];
			se_p += dp * dp;
			se_t += dt_ * dt_;
			se_f += df * df;
		}
		n++;
		e->tau_r_end = out.tau_r;
	}
	e->pad = sqrt(se_p / n);
	e->tq = sqrt(se_t / n);
	e->fused = sqrt(se_f / n);
}

START_TEST(test_fusion_both_beats_either)
{
	struct dx_fusion_config c;
	struct errs e;

	dx_fusion_config_default(&c, 1);
	c.pad_sigma = 0.1;
	c.tau_sigma = 0.004;
	run(true, 0.1, 0.004, &c, &e);
	printf("both sources: RMS error pad alone %.4f N, torque alone %.4f N, "
	       "fused %.4f N\n", e.pad, e.tq, e.fused);
	ck_assert_double_lt(e.fused, e.pad);
	ck_assert_double_lt(e.fused, e.tq);
}
END_TEST

START_TEST(test_fusion_pad_masked)
{
	struct dx_fusion_config c;
	struct errs e;

	dx_fusion_config_default(&c, 1);
	c.pad_sigma = 0.1;
	c.tau_sigma = 0.004;
	run(false, 0.1, 0.004, &c, &e);
	printf("pad masked: RMS error torque alone %.4f N, fused %.4f N\n",
	       e.tq, e.fused);
	/* follows the torque-based force: no worse than it (it smooths it) */
	ck_assert_double_le(e.fused, 1.05 * e.tq);
	ck_assert_double_lt(e.fused, 0.25);
}
END_TEST

START_TEST(test_fusion_torque_noisy)
{
	struct dx_fusion_config c;
	struct errs e, e_fixed;

	/* torques 15 times noisier than configured: the adaptive filter
	 * raises their variance and follows the pad */
	dx_fusion_config_default(&c, 1);
	c.pad_sigma = 0.1;
	c.tau_sigma = 0.004;
	run(true, 0.1, 0.06, &c, &e);
	c.adaptive = false;
	run(true, 0.1, 0.06, &c, &e_fixed);
	printf("torques noisy: RMS error pad alone %.4f N, torque alone %.4f N, "
	       "fused %.4f N (adaptive, torque σ learned %.4f N·m), "
	       "%.4f N without adaptation\n",
	       e.pad, e.tq, e.fused, sqrt(e.tau_r_end), e_fixed.fused);
	ck_assert_double_le(e.fused, 1.1 * e.pad);
	ck_assert_double_lt(e.fused, e.tq);
	ck_assert_double_lt(e.fused, e_fixed.fused);
	ck_assert_double_gt(sqrt(e.tau_r_end), 0.03);
}
END_TEST

/* Through the virtual pad and the pipeline: a fingertip pad (link frame =
 * hand frame here) pressed with a known force; the pad goes dead half way
 * (every taxel) and the estimate carries on from the torques. */
START_TEST(test_fusion_with_pipeline)
{
	static struct dx_simpad sim;
	static struct dx_tactile_pad pad;
	struct dx_simpad_config sc;
	struct dx_tactile_pad_config pc;
	struct dx_tactile_result res;
	struct dx_can_frame fr[64], req;
	struct dx_fusion fu;
	struct dx_fusion_config fc;
	double q[NJ] = {0.05, 0.5, 0.6, 0.3}, jac[3 * NJ];
	double f[3] = {0.3, 0.0, 1.5}, err_late = 0, err_tq = 0;
	unsigned late = 0;

	finger_jacobian(q, jac);
	dx_simpad_config_default(&sc, DX_TACTILE_PROTO_DEXRT);
	sc.board = 3;
	sc.rows = 6;
	sc.cols = 6;
	sc.pitch = 0.003f;
	sc.noise = 2;
	sc.fd = true;
	ck_assert_int_eq(dx_simpad_init(&sim, &sc), 0);
	dx_tactile_pad_config_default(&pc, DX_TACTILE_PROTO_DEXRT);
	pc.board = 3;
	pc.rows = 6;
	pc.cols = 6;
	pc.pitch = 0.003f;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &pc), 0);
	dx_fusion_config_default(&fc, 1);
	fc.pad_sigma = 0.05;
	fc.tau_sigma = 0.003;
	ck_assert_int_eq(dx_fusion_init(&fu, &fc), 0);
	rng = 99;

	for (int i = 0; i < 2000; i++) {
		struct dx_fusion_input in;
		struct dx_fusion_contact out;
		double dtau[NJ];
		int nf;

		if (i == 100) {
			struct dx_simpad_contact c = {{0, 0, 0},
						      {(float)f[0], (float)f[1],
						       (float)f[2]},
						      0.0025f};
			dx_simpad_set_contacts(&sim, &c, 1);
		}
		if (i == 1000)
			for (unsigned k = 0; k < 36; k++)
				dx_simpad_inject(&sim, k, DX_SIMPAD_DEAD);
		dx_simpad_step(&sim, DT);
		dx_tactile_pad_request(&pad, &req);
		nf = dx_simpad_handle(&sim, &req, fr, 64);
		ck_assert_int_eq(nf, 4); /* 36 3-axis taxels, 10 per FD frame */
		for (int k = 0; k < nf; k++)
			ck_assert_int_eq(dx_tactile_pad_rx(&pad, &fr[k]), 1);
		ck_assert_int_eq(dx_tactile_pad_update(&pad, DT, NULL, &res), 0);

		memset(&in, 0, sizeof(in));
		/* the caller's rule: a pad with every taxel masked says nothing */
		in.pad_valid = res.state == DX_TACTILE_RUNNING &&
			       res.n_masked < 36;
		in.pad_confidence = 1.0;
		if (res.n_contacts) {
			for (int a = 0; a < 3; a++)
				in.pad_force[a] = res.contacts[0].force_hand[a];
			in.pad_confidence = res.contacts[0].confidence;
			memcpy(in.location, res.contacts[0].cop_hand,
			       sizeof(in.location));
		}
		for (int k = 0; k < NJ; k++) {
			dtau[k] = 0.003 * gauss();
			if (i >= 100)
				for (int a = 0; a < 3; a++)
					dtau[k] += jac[a * NJ + k] * f[a];
		}
		in.n_joints = NJ;
		in.jac = jac;
		in.dtau = dtau;
		ck_assert_int_eq(dx_fusion_step(&fu, DT, &in, &out), 0);
		if (i == 999) {
			printf("pipeline+torque at 0.9 s: (%.3f %.3f %.3f) N, "
			       "σ %.3f N\n", out.force[0], out.force[1],
			       out.force[2], out.sigma);
			for (int a = 0; a < 3; a++)
				dx_ck_near(out.force[a], f[a], 0.08);
		}
		if (i >= 1200) {
			for (int a = 0; a < 3; a++)
				err_late += (out.force[a] - f[a]) * (out.force[a] - f[a]),
				err_tq += (out.torque_force[a] - f[a]) *
					  (out.torque_force[a] - f[a]);
			late++;
		}
		if (i == 1999) {
			ck_assert_uint_eq(res.n_masked, 36);
			printf("pad dead: RMS error fused %.4f N, torque alone "
			       "%.4f N, σ %.3f N\n", sqrt(err_late / late),
			       sqrt(err_tq / late), out.sigma);
		}
	}
	ck_assert_double_le(err_late, 1.05 * 1.05 * err_tq);
	ck_assert_double_lt(sqrt(err_late / late), 0.3);
}
END_TEST

START_TEST(test_fusion_bad_input)
{
	struct dx_fusion fu;
	struct dx_fusion_config c;
	struct dx_fusion_input in[2];
	struct dx_fusion_contact out[2];
	double jac[3 * NJ] = {0}, dtau[NJ] = {0}, f[3];
	double q[NJ] = {0, 0.3, 0.3, 0.3};

	dx_fusion_config_default(&c, 2);
	ck_assert_int_eq(dx_fusion_init(&fu, &c), 0);
	c.n_fingers = DX_FUSION_MAX_FINGERS + 1;
	ck_assert_int_eq(dx_fusion_init(&fu, &c), DX_EINVAL);
	c.n_fingers = 2;
	c.q = -1;
	ck_assert_int_eq(dx_fusion_init(&fu, &c), DX_EINVAL);
	dx_fusion_config_default(&c, 2);
	ck_assert_int_eq(dx_fusion_init(&fu, &c), 0);

	memset(in, 0, sizeof(in));
	finger_jacobian(q, jac);
	in[0].pad_valid = true;
	in[0].pad_confidence = 1;
	in[0].pad_force[2] = 1.0;
	in[1].pad_valid = true;
	in[1].pad_confidence = 1;
	in[1].pad_force[2] = NAN;
	ck_assert_int_eq(dx_fusion_step(&fu, DT, in, out), DX_ENOTFINITE);
	/* the good finger was processed, the bad one left at its prior */
	ck_assert_double_gt(out[0].force[2], 0.9);
	ck_assert_double_eq(out[1].force[2], 0.0);
	ck_assert(!out[1].active);
	in[1].pad_force[2] = 1.0;
	in[1].n_joints = DX_FUSION_MAX_JOINTS + 1;
	ck_assert_int_eq(dx_fusion_step(&fu, DT, in, out), DX_EINVAL);
	in[1].n_joints = NJ;
	ck_assert_int_eq(dx_fusion_step(&fu, DT, in, out), DX_EINVAL); /* NULL jac */
	in[1].jac = jac;
	in[1].dtau = dtau;
	ck_assert_int_eq(dx_fusion_step(&fu, 0.0, in, out), DX_EINVAL);
	ck_assert_int_eq(dx_fusion_step(&fu, DT, in, out), 0);

	/* least squares: exact for a consistent system, singular when J = 0 */
	{
		double ft[3] = {0.2, -0.1, 1.3}, d[NJ];
		for (int k = 0; k < NJ; k++) {
			d[k] = 0;
			for (int a = 0; a < 3; a++)
				d[k] += jac[a * NJ + k] * ft[a];
		}
		ck_assert_int_eq(dx_fusion_torque_force(jac, NJ, d, 0, f), 0);
		for (int a = 0; a < 3; a++)
			dx_ck_near(f[a], ft[a], 1e-9);
	}
	memset(jac, 0, sizeof(jac));
	ck_assert_int_eq(dx_fusion_torque_force(jac, NJ, dtau, 0, f),
			 DX_ESINGULAR);
	/* damped: zero J gives zero force, not an error */
	ck_assert_int_eq(dx_fusion_torque_force(jac, NJ, dtau, 1e-3, f), 0);
	dx_ck_near(f[0], 0.0, 1e-12);
	/* a finger with J = 0 and no pad: the variance grows, force stays */
	in[1].pad_valid = false;
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(dx_fusion_step(&fu, DT, in, out), 0);
	ck_assert_double_gt(out[1].sigma, out[0].sigma);
	ck_assert_float_lt(out[1].confidence, out[0].confidence);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fusion");
	TCase *tc = tcase_create("fusion");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fusion_both_beats_either);
	tcase_add_test(tc, test_fusion_pad_masked);
	tcase_add_test(tc, test_fusion_torque_noisy);
	tcase_add_test(tc, test_fusion_with_pipeline);
	tcase_add_test(tc, test_fusion_bad_input);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
