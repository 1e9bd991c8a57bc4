/* SPDX-License-Identifier: MIT */
/* Unit tests of the PID controller (include/dexrt/ctl.h).
 *
 * The expected sequences are worked out by hand from the law documented in
 * ctl.h (Astrom form: v = P + I + D + ff, u = sat(v), then I is updated with
 * the current error). Time steps and gains are chosen so every product is
 * exact in binary floating point; the tolerance 1e-12 only absorbs the order
 * of additions. */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

#include "dx-check.h"

#define TOL 1e-12

static struct dx_pid_config base(double kp, double ki, double kd)
{
	struct dx_pid_config c;

	dx_pid_config_default(&c);
	c.kp = kp;
	c.ki = ki;
	c.kd = kd;
	c.antiwindup = DX_PID_AW_NONE;
	return c;
}

static double step(struct dx_pid *pid, double dt, double r, double y)
{
	struct dx_pid_in in = {r, y, 0.0, 0.0};
	double u = NAN;

	ck_assert_int_eq(dx_pid_step(pid, dt, &in, &u), 0);
	return u;
}

/* Runs a sequence of (r, y) and checks each output. */
static void run_seq(struct dx_pid *pid, double dt, const double *r,
		    const double *y, const double *want, int n)
{
	for (int k = 0; k < n; k++) {
		double u = step(pid, dt, r[k], y[k]);

		ck_assert_msg(fabs(u - want[k]) <= TOL,
			      "step %d: u = %.15g, expected %.15g", k, u,
			      want[k]);
	}
}

START_TEST(test_p_only)
{
	/* kp = 2, r = 1: u = 2 (1 - y) -> y = 0, 0.5, 1.25 gives 2, 1, -0.5 */
	struct dx_pid_config c = base(2.0, 0.0, 0.0);
	struct dx_pid pid;
	const double r[] = {1, 1, 1}, y[] = {0, 0.5, 1.25};
	const double want[] = {2, 1, -0.5};

	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.01, r, y, want, 3);
}
END_TEST

START_TEST(test_pi)
{
	/* kp = 1, ki = 8, h = 0.125 (ki h = 1), r = 1, y = 0, 0.5, 0.75, 1:
	 *   k0: e = 1    u = 1    + 0    = 1      I = 0 + 1      = 1
	 *   k1: e = 0.5  u = 0.5  + 1    = 1.5    I = 1 + 0.5    = 1.5
	 *   k2: e = 0.25 u = 0.25 + 1.5  = 1.75   I = 1.5 + 0.25 = 1.75
	 *   k3: e = 0    u = 0    + 1.75 = 1.75   I = 1.75 */
	struct dx_pid_config c = base(1.0, 8.0, 0.0);
	struct dx_pid pid;
	const double r[] = {1, 1, 1, 1}, y[] = {0, 0.5, 0.75, 1};
	const double want[] = {1, 1.5, 1.75, 1.75};

	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.125, r, y, want, 4);
	dx_ck_near(dx_pid_integral(&pid), 1.75, TOL);
}
END_TEST

START_TEST(test_pid_unfiltered)
{
	/* kp = 1, ki = 2, kd = 0.5, h = 0.5 (ki h = 1, kd/h = 1), derivative
	 * on the error (c = 1), no filter; r = 1, y = 0, 0.25, 0.75, 1:
	 *   k0: e = 1     P = 1     I = 0     D = 0 (no history)   u = 1
	 *       I = 1
	 *   k1: e = 0.75  P = 0.75  I = 1     D = 0.75 - 1 = -0.25  u = 1.5
	 *       I = 1.75
	 *   k2: e = 0.25  P = 0.25  I = 1.75  D = 0.25-0.75 = -0.5  u = 1.5
	 *       I = 2
	 *   k3: e = 0     P = 0     I = 2     D = 0 - 0.25 = -0.25  u = 1.75 */
	struct dx_pid_config c = base(1.0, 2.0, 0.5);
	struct dx_pid pid;
	const double r[] = {1, 1, 1, 1}, y[] = {0, 0.25, 0.75, 1};
	const double want[] = {1, 1.5, 1.5, 1.75};

	c.deriv = DX_PID_D_ON_ERROR;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.5, r, y, want, 4);
}
END_TEST

START_TEST(test_pid_filtered)
{
	/* As above with Tf = 0.5: D = (Tf D' + kd de) / (Tf + h)
	 *                           = 0.5 D' + 0.5 de
	 *   k1: D = 0.5*0      + 0.5*(-0.25) = -0.125   u = 0.75+1-0.125 = 1.625
	 *   k2: D = 0.5*-0.125 + 0.5*(-0.5)  = -0.3125  u = 0.25+1.75-0.3125
	 *                                                  = 1.6875
	 *   k3: D = 0.5*-0.3125 + 0.5*(-0.25) = -0.28125 u = 0+2-0.28125
	 *                                                  = 1.71875
	 * The same filter given as N: Tf = kd / (kp N) = 0.5 with N = 1. */
	const double r[] = {1, 1, 1, 1}, y[] = {0, 0.25, 0.75, 1};
	const double want[] = {1, 1.625, 1.6875, 1.71875};

	for (int variant = 0; variant < 2; variant++) {
		struct dx_pid_config c = base(1.0, 2.0, 0.5);
		struct dx_pid pid;

		c.deriv = DX_PID_D_ON_ERROR;
		if (variant == 0)
			c.tf = 0.5;
		else
			c.n = 1.0;
		ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
		run_seq(&pid, 0.5, r, y, want, 4);
	}
}
END_TEST

START_TEST(test_no_derivative_kick)
{
	/* kp = 1, kd = 1, h = 0.5, y = 0, r steps 0 -> 1 at k1.
	 * On measurement: D = -kd dy/h = 0 always: u = 0, 1, 1.
	 * On error:       D = kd (1 - 0)/0.5 = 2 at k1: u = 0, 3, 1. */
	const double r[] = {0, 1, 1}, y[] = {0, 0, 0};
	const double want_meas[] = {0, 1, 1}, want_err[] = {0, 3, 1};
	struct dx_pid_config c = base(1.0, 0.0, 1.0);
	struct dx_pid pid;

	c.deriv = DX_PID_D_ON_MEASUREMENT;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.5, r, y, want_meas, 3);
	c.deriv = DX_PID_D_ON_ERROR;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.5, r, y, want_err, 3);
}
END_TEST

/* Anti-windup against a saturated output, |u| <= 1, kp = ki = 1, h = 1:
 * the plant is blocked (y = 0, r = 3) for three steps, then overshoots
 * (y = 4, e = -1) for two. */
static const double aw_r[] = {3, 3, 3, 3, 3};
static const double aw_y[] = {0, 0, 0, 4, 4};

static void aw_run(enum dx_pid_antiwindup mode, const double *want,
		   const double *want_i)
{
	struct dx_pid_config c = base(1.0, 1.0, 0.0);
	struct dx_pid pid;

	c.antiwindup = mode;
	c.tt = 1.0;
	c.out_min = -1.0;
	c.out_max = 1.0;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	for (int k = 0; k < 5; k++) {
		double u = step(&pid, 1.0, aw_r[k], aw_y[k]);

		ck_assert_msg(fabs(u - want[k]) <= TOL && fabs(dx_pid_integral(&pid) - want_i[k]) <= TOL,
			      "mode %d step %d: u = %g (want %g), I = %g (want %g)",
			      mode, k, u, want[k], dx_pid_integral(&pid),
			      want_i[k]);
	}
}

START_TEST(test_antiwindup_none)
{
	/* v = P + I, I += e:
	 *   k0: v = 3+0 = 3  u = 1   I = 3
	 *   k1: v = 3+3 = 6  u = 1   I = 6
	 *   k2: v = 3+6 = 9  u = 1   I = 9
	 *   k3: v = -1+9 = 8 u = 1   I = 8   (still pushing the wrong way)
	 *   k4: v = -1+8 = 7 u = 1   I = 7 */
	const double u[] = {1, 1, 1, 1, 1}, i[] = {3, 6, 9, 8, 7};

	aw_run(DX_PID_AW_NONE, u, i);
}
END_TEST

START_TEST(test_antiwindup_clamp)
{
	/* I held while u != v and e pushes v further out:
	 *   k0..k2: v = 3, u = 1, e = 3 > 0 with v > u: I stays 0
	 *   k3: v = -1+0 = -1  u = -1 (not limited) I = -1
	 *   k4: v = -1-1 = -2  u = -1, e < 0 and v < u: I stays -1 */
	const double u[] = {1, 1, 1, -1, -1}, i[] = {0, 0, 0, -1, -1};

	aw_run(DX_PID_AW_CLAMP, u, i);
}
END_TEST

START_TEST(test_antiwindup_backcalc)
{
	/* Tt = 1: I += e + (u - v):
	 *   k0: v = 3+0 = 3   u = 1   I = 0 + 3 + (1-3) = 1
	 *   k1: v = 3+1 = 4   u = 1   I = 1 + 3 + (1-4) = 1
	 *   k2: same as k1            I = 1
	 *   k3: v = -1+1 = 0  u = 0   I = 1 - 1 + 0     = 0
	 *   k4: v = -1+0 = -1 u = -1  I = 0 - 1 + 0     = -1 */
	const double u[] = {1, 1, 1, 0, -1}, i[] = {1, 1, 1, 0, -1};

	aw_run(DX_PID_AW_BACKCALC, u, i);
}
END_TEST

START_TEST(test_integral_limits)
{
	/* No anti-windup but I in [-4, 4]:
	 *   k0: v = 3      u = 1  I = 3
	 *   k1: v = 3+3    u = 1  I = min(6, 4) = 4
	 *   k2: v = 3+4    u = 1  I = 4
	 *   k3: v = -1+4   u = 1  I = 3
	 *   k4: v = -1+3   u = 1  I = 2 */
	struct dx_pid_config c = base(1.0, 1.0, 0.0);
	struct dx_pid pid;
	const double wi[] = {3, 4, 4, 3, 2};

	c.i_min = -4.0;
	c.i_max = 4.0;
	c.out_min = -1.0;
	c.out_max = 1.0;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	for (int k = 0; k < 5; k++) {
		dx_ck_near(step(&pid, 1.0, aw_r[k], aw_y[k]), 1.0, TOL);
		dx_ck_near(dx_pid_integral(&pid), wi[k], TOL);
	}
}
END_TEST

START_TEST(test_rate_limit)
{
	/* kp = 1, rate 2/s, h = 0.5: at most 1 per step, from u = 0 after
	 * reset. r = 10, 10, 10, 0, 0 (y = 0): v = 10, 10, 10, 0, 0
	 *   u = 1, 2, 3, then down 2, 1. */
	struct dx_pid_config c = base(1.0, 0.0, 0.0);
	struct dx_pid pid;
	const double r[] = {10, 10, 10, 0, 0}, y[] = {0, 0, 0, 0, 0};
	const double want[] = {1, 2, 3, 2, 1};

	c.rate_max = 2.0;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.5, r, y, want, 5);
}
END_TEST

START_TEST(test_deadband)
{
	/* kp = 2, ki = 4, h = 0.25 (ki h = 1), deadband 0.5, r = 0,
	 * y = 0.3, -0.4, 1, -2:  e = -0.3, 0.4, -1, 2
	 * error outside the band ez = 0, 0, -0.5, 1.5; P = 2 ez
	 *   k0: u = 0            I = 0
	 *   k1: u = 0            I = 0
	 *   k2: u = -1 + 0 = -1  I = -0.5
	 *   k3: u = 3 - 0.5 = 2.5 I = 1 */
	struct dx_pid_config c = base(2.0, 4.0, 0.0);
	struct dx_pid pid;
	const double r[] = {0, 0, 0, 0}, y[] = {0.3, -0.4, 1, -2};
	const double want[] = {0, 0, -1, 2.5};

	c.deadband = 0.5;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	run_seq(&pid, 0.25, r, y, want, 4);
	dx_ck_near(dx_pid_integral(&pid), 1.0, TOL);
}
END_TEST

START_TEST(test_feedforward_and_weighting)
{
	/* kp = 2, b = 0.5, kff_vel = 0.25: u = 2 (0.5 r - y) + 0.25 vff + tff
	 * r = 2, y = 0.5, vff = 4, tff = -0.5: u = 2*0.5 + 1 - 0.5 = 1.5 */
	struct dx_pid_config c = base(2.0, 0.0, 0.0);
	struct dx_pid pid;
	struct dx_pid_in in = {2.0, 0.5, 4.0, -0.5};
	double u;

	c.b = 0.5;
	c.kff_vel = 0.25;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	ck_assert_int_eq(dx_pid_step(&pid, 0.1, &in, &u), 0);
	dx_ck_near(u, 1.5, TOL);
}
END_TEST

START_TEST(test_bumpless_gain_change)
{
	/* Two identical controllers run; then B's kp goes 1 -> 3 and kd
	 * 0.5 -> 2 through dx_pid_set_gains, C's through a fresh init with
	 * the state copied (a naive switch). With the same constant inputs on
	 * the next step (so D = 0 without a filter): A and B must agree;
	 * C differs by (3 - 1) e. */
	struct dx_pid_config c = base(1.0, 2.0, 0.5);
	struct dx_pid a, b, naive;
	double ua, ub, un;

	ck_assert_int_eq(dx_pid_init(&a, &c), 0);
	step(&a, 0.01, 1.0, 0.0);
	step(&a, 0.01, 1.0, 0.2);
	step(&a, 0.01, 1.0, 0.4);
	b = a;
	naive = a;
	c.kp = 3.0;
	c.kd = 2.0;
	ck_assert_int_eq(dx_pid_set_gains(&b, &c), 0);
	naive.kp = 3.0;
	naive.kd = 2.0;
	ua = step(&a, 0.01, 1.0, 0.4);
	ub = step(&b, 0.01, 1.0, 0.4);
	un = step(&naive, 0.01, 1.0, 0.4);
	dx_ck_near(ub, ua, TOL);
	dx_ck_near(un - ua, 2.0 * 0.6, 1e-9);

	/* Bad new gains are refused and change nothing. */
	c.ki = NAN;
	b = a;
	ck_assert_int_eq(dx_pid_set_gains(&b, &c), DX_ENOTFINITE);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
}
END_TEST

START_TEST(test_bumpless_enable)
{
	/* Disabled: step refused. Enable at u_now = 0.7 with r = 1, y = 0.5:
	 * kp = 1 so I = 0.7 - 0.5 = 0.2; the first step with the same inputs
	 * gives exactly 0.7 (ki = 0 here so I does not move). */
	struct dx_pid_config c = base(1.0, 0.0, 0.3);
	struct dx_pid pid;
	struct dx_pid_in in = {1.0, 0.5, 0.0, 0.0};
	double u = 42.0;

	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	step(&pid, 0.01, 5.0, 0.0);
	dx_pid_disable(&pid);
	ck_assert(!dx_pid_is_enabled(&pid));
	ck_assert_int_eq(dx_pid_step(&pid, 0.01, &in, &u), DX_ESTATE);
	ck_assert(u == 42.0);
	ck_assert_int_eq(dx_pid_enable(&pid, 0.7, &in), 0);
	ck_assert(dx_pid_is_enabled(&pid));
	dx_ck_near(step(&pid, 0.01, 1.0, 0.5), 0.7, TOL);
	dx_pid_reset(&pid);
	dx_ck_near(dx_pid_integral(&pid), 0.0, 0.0);
}
END_TEST

START_TEST(test_bad_input)
{
	struct dx_pid_config c = base(1.0, 1.0, 0.1);
	struct dx_pid pid, copy;
	struct dx_pid_in in = {1.0, 0.0, 0.0, 0.0};
	double u = 42.0;

	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	step(&pid, 0.01, 1.0, 0.1);
	copy = pid;
	ck_assert_int_eq(dx_pid_step(&pid, 0.0, &in, &u), DX_EINVAL);
	ck_assert_int_eq(dx_pid_step(&pid, -0.01, &in, &u), DX_EINVAL);
	ck_assert_int_eq(dx_pid_step(&pid, NAN, &in, &u), DX_ENOTFINITE);
	ck_assert_int_eq(dx_pid_step(&pid, INFINITY, &in, &u), DX_ENOTFINITE);
	in.ref = NAN;
	ck_assert_int_eq(dx_pid_step(&pid, 0.01, &in, &u), DX_ENOTFINITE);
	in.ref = 1.0;
	in.meas = -INFINITY;
	ck_assert_int_eq(dx_pid_step(&pid, 0.01, &in, &u), DX_ENOTFINITE);
	in.meas = 0.0;
	in.tau_ff = NAN;
	ck_assert_int_eq(dx_pid_step(&pid, 0.01, &in, &u), DX_ENOTFINITE);
	in.tau_ff = 0.0;
	ck_assert_int_eq(dx_pid_step(&pid, 0.01, NULL, &u), DX_EINVAL);
	/* finite inputs whose error overflows: refused, not NaN/Inf out */
	in.ref = 1e308;
	in.meas = -1e308;
	ck_assert_int_eq(dx_pid_step(&pid, 0.01, &in, &u), DX_ERANGE);
	ck_assert(u == 42.0);
	ck_assert_int_eq(memcmp(&pid, &copy, sizeof(pid)), 0);
}
END_TEST

START_TEST(test_bad_config)
{
	struct dx_pid_config c;
	struct dx_pid pid;

	c = base(NAN, 0, 0);
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_ENOTFINITE);
	c = base(1, INFINITY, 0);
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_ENOTFINITE);
	c = base(-1, 0, 0);
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_EINVAL);
	c = base(1, 0, 0);
	c.out_min = 2.0;
	c.out_max = 1.0;
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_EINVAL);
	c = base(1, 0, 0);
	c.i_min = 0.5;
	c.i_max = -0.5;
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_EINVAL);
	c = base(1, 0, 0);
	c.out_max = NAN;
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_ENOTFINITE);
	c = base(0, 0, 1);
	c.n = 10;
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_ECONFIG);
	c = base(1, 0, 0);
	c.antiwindup = DX_PID_AW_BACKCALC; /* no tt and ki = 0 */
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_ECONFIG);
	c = base(1, 0, 0);
	c.antiwindup = (enum dx_pid_antiwindup)7;
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_EINVAL);
	c = base(1, 0, 0);
	c.rate_max = -1;
	ck_assert_int_eq(dx_pid_init(&pid, &c), DX_EINVAL);
	ck_assert_int_eq(dx_pid_init(NULL, &c), DX_EINVAL);
	ck_assert_int_eq(dx_pid_init(&pid, NULL), DX_EINVAL);
	/* back-calculation default Tt = sqrt(Ti Td) = sqrt(1 * 0.25) = 0.5 */
	c = base(2, 2, 0.5);
	c.antiwindup = DX_PID_AW_BACKCALC;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	dx_ck_near(pid.tt_inv, 2.0, TOL);
}
END_TEST

/* Deterministic pseudo-random numbers in [-1, 1). */
static double rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

START_TEST(test_bank_matches_scalar)
{
	enum { N = 22 };
	struct dx_pid_config cfg[N];
	struct dx_pid pid[N];
	static struct dx_pid_bank bank;
	double r[N], y[N], vf[N], tf[N], out[N];
	uint64_t s = 12345;

	for (int i = 0; i < N; i++) {
		dx_pid_config_default(&cfg[i]);
		cfg[i].kp = 1.0 + 2.0 * fabs(rnd(&s));
		cfg[i].ki = (i % 4) ? 5.0 * fabs(rnd(&s)) : 0.0;
		cfg[i].kd = 0.05 * fabs(rnd(&s));
		cfg[i].tf = (i % 3) ? 0.01 : 0.0;
		cfg[i].b = 0.5 + 0.5 * fabs(rnd(&s));
		cfg[i].deriv = i % 2 ? DX_PID_D_ON_ERROR : DX_PID_D_ON_MEASUREMENT;
		cfg[i].antiwindup = (enum dx_pid_antiwindup)(i % 3);
		cfg[i].tt = 0.05;
		cfg[i].out_min = -0.5 - fabs(rnd(&s));
		cfg[i].out_max = 0.5 + fabs(rnd(&s));
		cfg[i].i_max = (i % 5) ? INFINITY : 0.3;
		cfg[i].i_min = -cfg[i].i_max;
		cfg[i].rate_max = (i % 2) ? 0.0 : 100.0;
		cfg[i].deadband = (i % 7) ? 0.0 : 0.01;
		cfg[i].kff_vel = 0.1;
		ck_assert_int_eq(dx_pid_init(&pid[i], &cfg[i]), 0);
	}
	ck_assert_int_eq(dx_pid_bank_init(&bank, cfg, N), 0);
	for (int k = 0; k < 300; k++) {
		for (int i = 0; i < N; i++) {
			r[i] = rnd(&s);
			y[i] = rnd(&s);
			vf[i] = rnd(&s);
			tf[i] = 0.1 * rnd(&s);
		}
		ck_assert_int_eq(dx_pid_bank_step(&bank, 0.001, r, y, vf, tf, out), 0);
		for (int i = 0; i < N; i++) {
			struct dx_pid_in in = {r[i], y[i], vf[i], tf[i]};
			double u;

			ck_assert_int_eq(dx_pid_step(&pid[i], 0.001, &in, &u), 0);
			ck_assert_msg(fabs(u - out[i]) <= 1e-12 * (1 + fabs(u)),
				      "k %d joint %d: scalar %.17g bank %.17g",
				      k, i, u, out[i]);
		}
	}
	/* A NaN in one joint: refused, nothing changes. */
	{
		static struct dx_pid_bank copy;
		double keep[N];

		memcpy(keep, out, sizeof(out));
		copy = bank;
		y[5] = NAN;
		ck_assert_int_eq(dx_pid_bank_step(&bank, 0.001, r, y, vf, tf, out),
				 DX_ENOTFINITE);
		y[5] = 0.0;
		ck_assert_int_eq(dx_pid_bank_step(&bank, 0.0, r, y, vf, tf, out),
				 DX_EINVAL);
		r[3] = 1e308;
		y[3] = -1e308;
		ck_assert_int_eq(dx_pid_bank_step(&bank, 0.001, r, y, NULL, NULL, out),
				 DX_ERANGE);
		ck_assert_int_eq(memcmp(keep, out, sizeof(out)), 0);
		/* The refused steps left the state as it was: the next good
		 * step gives the same output as on the untouched copy. */
		r[3] = 0.5;
		y[3] = 0.1;
		{
			double o1[N], o2[N];

			ck_assert_int_eq(dx_pid_bank_step(&bank, 0.001, r, y, vf, tf, o1), 0);
			ck_assert_int_eq(dx_pid_bank_step(&copy, 0.001, r, y, vf, tf, o2), 0);
			ck_assert_int_eq(memcmp(o1, o2, sizeof(o1)), 0);
		}
	}
	cfg[3].kd = -1.0;
	ck_assert_int_eq(dx_pid_bank_init(&bank, cfg, N), DX_EINVAL);
	ck_assert_int_eq(dx_pid_bank_init(&bank, cfg, 0), DX_EINVAL);
	ck_assert_int_eq(dx_pid_bank_init(&bank, cfg, DX_PID_BANK_MAX + 1), DX_EINVAL);
}
END_TEST

/* ---- closed loop on a motor model ---------------------------------------- */

/* One joint behind a torque-controlled motor: J qdd = tau - B qd - Fc sgn(qd)
 * with Coulomb friction that sticks when the drive torque is below Fc.
 * Integrated with semi-implicit Euler at 10 substeps per 1 ms control step.
 * J = 2e-3 kg m^2, B = 5e-3 N m s, Fc = 0.02 N m, |tau| <= 0.4 N m (the
 * controller's output saturation stands for the drive's torque limit). */
struct motor {
	double q, qd;
};

static void motor_step(struct motor *m, double tau, double h)
{
	const double J = 2e-3, B = 5e-3, FC = 0.02;
	const int sub = 10;
	double hs = h / sub;

	for (int i = 0; i < sub; i++) {
		double f;

		if (m->qd == 0.0 && fabs(tau) <= FC) {
			f = -tau; /* stuck */
		} else {
			double dir = m->qd != 0.0 ? (m->qd > 0 ? 1.0 : -1.0)
						  : (tau > 0 ? 1.0 : -1.0);
			f = -FC * dir;
		}
		{
			double qd_new = m->qd + hs * (tau - B * m->qd + f) / J;

			/* friction alone never reverses the motion */
			if (m->qd != 0.0 && qd_new * m->qd < 0.0 &&
			    fabs(tau) <= FC)
				qd_new = 0.0;
			m->qd = qd_new;
		}
		m->q += hs * m->qd;
	}
}

struct response {
	double overshoot;   /* rad above the target */
	double settle;      /* s to stay within 2% of the step */
	double sat_time;    /* s with the output at a limit */
};

static struct response closed_loop(enum dx_pid_antiwindup mode)
{
	const double h = 1e-3, target = 1.0, tmax = 0.4;
	const int steps = 3000;
	struct dx_pid_config c;
	struct dx_pid pid;
	struct motor m = {0.0, 0.0};
	struct response res = {0.0, 0.0, 0.0};
	double last_out = 0.0;

	dx_pid_config_default(&c);
	c.kp = 8.0;
	c.ki = 40.0;
	c.kd = 0.24;
	c.tf = 0.002;
	c.deriv = DX_PID_D_ON_MEASUREMENT;
	c.antiwindup = mode;
	c.tt = 0.1;
	c.out_min = -tmax;
	c.out_max = tmax;
	ck_assert_int_eq(dx_pid_init(&pid, &c), 0);
	for (int k = 0; k < steps; k++) {
		struct dx_pid_in in = {target, m.q, 0.0, 0.0};
		double u;

		ck_assert_int_eq(dx_pid_step(&pid, h, &in, &u), 0);
		ck_assert(u >= -tmax && u <= tmax);
		if (fabs(u) >= tmax)
			res.sat_time += h;
		motor_step(&m, u, h);
		res.overshoot = fmax(res.overshoot, m.q - target);
		if (fabs(m.q - target) > 0.02 * target)
			last_out = (k + 1) * h;
	}
	res.settle = last_out;
	return res;
}

START_TEST(test_closed_loop_windup)
{
	struct response none = closed_loop(DX_PID_AW_NONE);
	struct response clamp = closed_loop(DX_PID_AW_CLAMP);
	struct response bc = closed_loop(DX_PID_AW_BACKCALC);

	printf("closed loop, 1 rad step, |tau| <= 0.4 N m, kp 8 ki 40 kd 0.24:\n");
	printf("  no anti-windup : overshoot %.4f rad, 2%% settling %.3f s, saturated %.3f s\n",
	       none.overshoot, none.settle, none.sat_time);
	printf("  clamping       : overshoot %.4f rad, 2%% settling %.3f s, saturated %.3f s\n",
	       clamp.overshoot, clamp.settle, clamp.sat_time);
	printf("  back-calc Tt 0.1 s: overshoot %.4f rad, 2%% settling %.3f s, saturated %.3f s\n",
	       bc.overshoot, bc.settle, bc.sat_time);
	fflush(stdout);
	/* Saturation is really active in all three runs. */
	ck_assert(none.sat_time > 0.05 && clamp.sat_time > 0.05 &&
		  bc.sat_time > 0.02);
	/* Stated bounds: with either anti-windup, overshoot under 5% and 2%
	 * settling within 0.4 s; without, the wound-up integrator overshoots
	 * more than five times as much and settles later. Back-calculation
	 * (Tt 0.1 s) unwinds the integrator during saturation and overshoots
	 * less than conditional integration here. */
	ck_assert(clamp.overshoot < 0.05 && bc.overshoot < 0.05);
	ck_assert(clamp.settle < 0.4 && bc.settle < 0.4);
	ck_assert(none.overshoot > 5.0 * fmax(clamp.overshoot, bc.overshoot));
	ck_assert(none.overshoot > 0.3);
	ck_assert(none.settle > fmax(clamp.settle, bc.settle));
	ck_assert(bc.overshoot < clamp.overshoot);
}
END_TEST

static Suite *pid_suite(void)
{
	Suite *s = suite_create("pid");
	TCase *tc = tcase_create("pid");

	tcase_add_test(tc, test_p_only);
	tcase_add_test(tc, test_pi);
	tcase_add_test(tc, test_pid_unfiltered);
	tcase_add_test(tc, test_pid_filtered);
	tcase_add_test(tc, test_no_derivative_kick);
	tcase_add_test(tc, test_antiwindup_none);
	tcase_add_test(tc, test_antiwindup_clamp);
	tcase_add_test(tc, test_antiwindup_backcalc);
	tcase_add_test(tc, test_integral_limits);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_deadband);
	tcase_add_test(tc, test_feedforward_and_weighting);
	tcase_add_test(tc, test_bumpless_gain_change);
	tcase_add_test(tc, test_bumpless_enable);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_bank_matches_scalar);
	tcase_add_test(tc, test_closed_loop_windup);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(pid_suite());
}
