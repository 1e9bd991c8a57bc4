/* SPDX-License-Identifier: MIT */
/* Unit tests of the trajectory generator (include/dexrt/ctl.h): limits hold
 * at every 1 ms sample, the target is reached at rest, replanning mid-motion
 * is continuous in position, velocity and acceleration, bad input refused. */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

#include "dx-check.h"

#define MS DX_NS_PER_MS
/* Limits are checked with a relative slack of 1e-6 (the planner's duration
 * search stops within 1e-6 relative of the shortest feasible duration and
 * accepts peaks up to 1 + 1e-9 of a limit). Jerk is checked as the finite
 * difference of acceleration over one sample, which is a mean of the jerk
 * and so bounded by its maximum. */
#define SLACK 1e-6

struct limits_seen {
	double v, a, j;
};

/* Samples [t_from, t_to] every period, checks limits and continuity (the
 * step between samples is bounded by the limits), returns the last state. */
static struct dx_traj_state run(const struct dx_traj *tr, int64_t t_from,
				int64_t t_to, int64_t period,
				const struct dx_traj_state *prev_in,
				struct limits_seen *seen)
{
	const struct dx_traj_config *c = &tr->cfg;
	struct dx_traj_state prev, s;
	double h = (double)period * 1e-9;
	bool have_prev = prev_in != NULL;

	if (prev_in)
		prev = *prev_in;
	for (int64_t t = t_from; t <= t_to; t += period) {
		dx_traj_sample(tr, t, &s);
		ck_assert(dx_isfinite(s.pos) && dx_isfinite(s.vel) &&
			  dx_isfinite(s.acc));
		ck_assert_msg(fabs(s.vel) <= c->vmax * (1 + SLACK),
			      "t %lld: v %.9g > %.9g", (long long)t, s.vel, c->vmax);
		ck_assert_msg(fabs(s.acc) <= c->amax * (1 + SLACK),
			      "t %lld: a %.9g > %.9g", (long long)t, s.acc, c->amax);
		if (have_prev) {
			double j = (s.acc - prev.acc) / h;

			ck_assert_msg(fabs(j) <= c->jmax * (1 + SLACK),
				      "t %lld: jerk %.9g > %.9g", (long long)t,
				      j, c->jmax);
			/* continuity: no step larger than the limits allow */
			ck_assert(fabs(s.pos - prev.pos) <=
				  c->vmax * h * (1 + SLACK) + 1e-12);
			ck_assert(fabs(s.vel - prev.vel) <=
				  c->amax * h * (1 + SLACK) + 1e-12);
			if (seen)
				seen->j = fmax(seen->j, fabs(j));
		}
		if (seen) {
			seen->v = fmax(seen->v, fabs(s.vel));
			seen->a = fmax(seen->a, fabs(s.acc));
		}
		prev = s;
		have_prev = true;
	}
	return prev;
}

static struct dx_traj_config cfg_of(double v, double a, double j)
{
	struct dx_traj_config c = {v, a, j, -10.0, 10.0};

	return c;
}

START_TEST(test_rest_to_rest)
{
	struct dx_traj_config c = cfg_of(2.0, 10.0, 100.0);
	struct dx_traj tr;
	struct dx_traj_state s;
	struct limits_seen seen = {0, 0, 0};
	int64_t t0 = 5 * DX_NS_PER_S, tend;
	double dur;

	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.25), 0);
	dx_traj_sample(&tr, t0, &s);
	dx_ck_near(s.pos, 0.25, 0.0);
	ck_assert(dx_traj_done(&tr, t0));
	ck_assert_int_eq(dx_traj_set_target(&tr, t0, 1.25), 0);
	dur = dx_traj_duration(&tr);
	ck_assert(dur > 0.0 && dur < 5.0);
	tend = t0 + (int64_t)(dur * 1e9) + 100 * MS;
	s = run(&tr, t0, tend, MS, NULL, &seen);
	ck_assert(dx_traj_done(&tr, tend));
	dx_ck_near(s.pos, 1.25, 0.0);
	dx_ck_near(s.vel, 0.0, 0.0);
	dx_ck_near(s.acc, 0.0, 0.0);
	/* The duration is the shortest of its family: some limit is (nearly)
	 * reached, as seen at 1 ms samples. */
	printf("rest-to-rest 1 rad: %.4f s, peaks v %.3f/%.1f a %.3f/%.1f j %.2f/%.0f\n",
	       dur, seen.v, c.vmax, seen.a, c.amax, seen.j, c.jmax);
	ck_assert(seen.v > 0.99 * c.vmax || seen.a > 0.99 * c.amax ||
		  seen.j > 0.97 * c.jmax);
}
END_TEST

START_TEST(test_known_durations)
{
	/* With only one limit binding, the rest-to-rest quintic takes
	 * T = 1.875 D / vmax (peak velocity 15/8 D/T), T = sqrt(10/sqrt(3) D /
	 * amax), or T = cbrt(60 D / jmax). D = 2. */
	struct dx_traj tr;
	struct dx_traj_config c;

	c = cfg_of(1.0, 1e4, 1e7);
	ck_assert_int_eq(dx_traj_init(&tr, &c, -1.0), 0);
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, 1.0), 0);
	dx_ck_near(dx_traj_duration(&tr), 1.875 * 2.0, 1e-5);

	c = cfg_of(1e4, 1.0, 1e7);
	ck_assert_int_eq(dx_traj_init(&tr, &c, -1.0), 0);
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, 1.0), 0);
	dx_ck_near(dx_traj_duration(&tr), sqrt(10.0 / sqrt(3.0) * 2.0), 1e-5);

	c = cfg_of(1e4, 1e4, 1.0);
	ck_assert_int_eq(dx_traj_init(&tr, &c, -1.0), 0);
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, 1.0), 0);
	dx_ck_near(dx_traj_duration(&tr), cbrt(120.0), 1e-5);
}
END_TEST

START_TEST(test_replan_mid_motion)
{
	struct dx_traj_config c = cfg_of(3.0, 20.0, 400.0);
	struct dx_traj tr;
	struct dx_traj_state before, at_old, at_new, s;
	int64_t t_re;

	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, 2.0), 0);
	/* at 40% of the way, a new target behind */
	t_re = (int64_t)(0.4 * dx_traj_duration(&tr) * 1e9);
	before = run(&tr, 0, t_re - MS, MS, NULL, NULL);
	dx_traj_sample(&tr, t_re, &at_old);
	ck_assert(fabs(at_old.vel) > 0.5); /* really mid-motion */
	ck_assert_int_eq(dx_traj_set_target(&tr, t_re, -1.0), 0);
	dx_traj_sample(&tr, t_re, &at_new);
	dx_ck_near(at_new.pos, at_old.pos, 1e-12);
	dx_ck_near(at_new.vel, at_old.vel, 1e-12);
	dx_ck_near(at_new.acc, at_old.acc, 1e-12);
	s = run(&tr, t_re, t_re + (int64_t)(dx_traj_duration(&tr) * 1e9) +
			      50 * MS, MS, &before, NULL);
	dx_ck_near(s.pos, -1.0, 0.0);
	dx_ck_near(s.vel, 0.0, 0.0);

	/* replan from an explicit (measured) state */
	{
		struct dx_traj_state m = {0.5, -1.0, 5.0};

		ck_assert_int_eq(dx_traj_plan(&tr, 10 * DX_NS_PER_S, &m, 0.7), 0);
		dx_traj_sample(&tr, 10 * DX_NS_PER_S, &s);
		dx_ck_near(s.pos, 0.5, 1e-12);
		dx_ck_near(s.vel, -1.0, 1e-12);
		dx_ck_near(s.acc, 5.0, 1e-12);
		s = run(&tr, 10 * DX_NS_PER_S, 10 * DX_NS_PER_S +
			(int64_t)(dx_traj_duration(&tr) * 1e9) + MS, MS / 4,
			&m, NULL);
		dx_ck_near(s.pos, 0.7, 0.0);
	}
}
END_TEST

static double rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

START_TEST(test_random_replans)
{
	/* 300 targets arriving at random moments (often mid-motion), sampled
	 * at 1 kHz throughout: every sample within the limits and continuous,
	 * and every plan from a within-limits state succeeds. */
	struct dx_traj_config c = cfg_of(2.0, 15.0, 300.0);
	struct dx_traj tr;
	struct dx_traj_state prev;
	uint64_t s = 7;
	int64_t t = 0;
	int64_t t0 = dx_time_now_ns(), spent;

	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
	dx_traj_sample(&tr, 0, &prev);
	for (int k = 0; k < 300; k++) {
		int64_t hold = (int64_t)((0.02 + 0.6 * fabs(rnd(&s))) * 1e9);
		double target = 3.0 * rnd(&s);

		hold -= hold % MS;
		ck_assert_int_eq(dx_traj_set_target(&tr, t, target), 0);
		prev = run(&tr, t, t + hold - MS, MS, &prev, NULL);
		t += hold;
	}
	spent = dx_time_now_ns() - t0;
	printf("300 random replans with sampling: %.1f ms total\n", spent / 1e6);
}
END_TEST

START_TEST(test_bad_input)
{
	struct dx_traj_config c = cfg_of(1.0, 1.0, 1.0);
	struct dx_traj tr, copy;
	struct dx_traj_state st = {0.0, 0.0, 0.0}, s;

	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
	copy = tr;
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, 11.0), DX_ERANGE);
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, NAN), DX_ENOTFINITE);
	st.vel = INFINITY;
	ck_assert_int_eq(dx_traj_plan(&tr, 0, &st, 1.0), DX_ENOTFINITE);
	ck_assert_int_eq(memcmp(&tr, &copy, sizeof(tr)), 0);

	c.vmax = 0.0;
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), DX_EINVAL);
	c = cfg_of(1.0, -1.0, 1.0);
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), DX_EINVAL);
	c = cfg_of(1.0, 1.0, NAN);
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), DX_ENOTFINITE);
	c = cfg_of(1.0, 1.0, INFINITY);
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), DX_ENOTFINITE);
	c = cfg_of(1.0, 1.0, 1.0);
	c.pos_min = 1.0;
	c.pos_max = -1.0;
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), DX_EINVAL);
	c = cfg_of(1.0, 1.0, 1.0);
	ck_assert_int_eq(dx_traj_init(&tr, &c, 20.0), DX_EINVAL);
	ck_assert_int_eq(dx_traj_init(NULL, &c, 0.0), DX_EINVAL);

	/* A start state already beyond the velocity limit: planned anyway
	 * (best effort), reported, and the target is reached at rest. */
	c = cfg_of(1.0, 10.0, 100.0);
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
	st.pos = 0.0;
	st.vel = 2.0;
	st.acc = 0.0;
	ck_assert_int_eq(dx_traj_plan(&tr, 0, &st, 0.5), DX_ELIMIT);
	ck_assert(dx_traj_duration(&tr) > 0.0);
	dx_traj_sample(&tr, (int64_t)(dx_traj_duration(&tr) * 1e9) + MS, &s);
	dx_ck_near(s.pos, 0.5, 0.0);
	dx_ck_near(s.vel, 0.0, 0.0);
}
END_TEST

static Suite *traj_suite(void)
{
	Suite *s = suite_create("traj");
	TCase *tc = tcase_create("traj");

	tcase_add_test(tc, test_rest_to_rest);
	tcase_add_test(tc, test_known_durations);
	tcase_add_test(tc, test_replan_mid_motion);
	tcase_add_test(tc, test_random_replans);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(traj_suite());
}
