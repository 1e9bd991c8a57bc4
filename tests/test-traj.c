/* SPDX-License-Identifier: MIT */
/* Unit tests of the trajectory generator (include/dexrt/ctl.h): limits hold
 * at every 1 ms sample, the target is reached at rest, replanning mid-motion
 * is continuous in position, velocity and acceleration, bad input refused;
 * from seeded random states the planned segment is checked densely against
 * the limits and its duration against a brute-force shortest quintic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/ctl.h>

#include "dx-check.h"

#define MS DX_NS_PER_MS
/* Limits are checked with a relative slack of 1e-6 (the planner accepts
 * exact peaks up to 1 + 1e-9 of a limit; the rest is rounding in sampling).
 * Jerk is checked as the finite difference of acceleration over one sample,
 * which is a mean of the jerk and so bounded by its maximum. */
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

	/* all three near-binding: the largest of the three wins exactly */
	c = cfg_of(2.0, 10.0, 100.0);
	ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
	ck_assert_int_eq(dx_traj_set_target(&tr, 0, 0.3), 0);
	dx_ck_near(dx_traj_duration(&tr),
		   fmax(fmax(1.875 * 0.3 / 2.0, sqrt(10.0 / sqrt(3.0) * 0.3 / 10.0)),
			cbrt(60.0 * 0.3 / 100.0)), 1e-12);
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

/* ---- seeded random states against a brute-force reference ---------------- */

/* Random case counts: the whole count normally; DX_TEST_SCALE (the
 * valgrind setup sets 0.05) scales it down where the run is only about
 * memory errors, keeping at least 20 cases. */
static int cases(int n)
{
	const char *e = getenv("DX_TEST_SCALE");
	double f = e ? atof(e) : 1.0;
	int m = (int)(n * f);

	return f > 0 && f < 1 ? (m > 20 ? m : 20) : n;
}

/* Draws in statement order (the order of evaluation of function arguments
 * and initialisers is unspecified, and must not change the test with the
 * compiler). Limits over about two decades each. */
static struct dx_traj_config random_cfg(uint64_t *seed)
{
	double v = 0.5 + 4.5 * fabs(rnd(seed));
	double a = 2.0 + 98.0 * fabs(rnd(seed));
	double j = 20.0 + 4980.0 * fabs(rnd(seed));

	return cfg_of(v, a, j);
}

/* A step of up to +-scale, log-uniformly down to 1% of it. */
static double random_step(uint64_t *seed, double scale)
{
	double m = scale * rnd(seed);

	return m * pow(10.0, -2.0 * fabs(rnd(seed)));
}

/* An upper bound of the worst ratio of peak to limit of the quintic from
 * (v0, a0) covering d in T and ending at rest, from n + 1 evenly spaced
 * samples: between samples h apart a function with |f''| <= M exceeds the
 * larger sample by at most M h^2 / 8. M is the bound of the next
 * derivative found the same way (the snap is linear, its bound exact), so
 * the result is above the exact peaks and within O(h^2) of them. The
 * coefficients are the textbook quintic's (Biagiotti & Melchiorri, section
 * 2.1.7), written out here apart from the planner. */
static double peak_bound(const struct dx_traj_config *c, double d, double v0,
			 double a0, double T, int n)
{
	double T2 = T * T, T3 = T2 * T, h2 = T * T / ((double)n * n) / 8.0;
	double c3 = (20.0 * d - 12.0 * v0 * T - 3.0 * a0 * T2) / (2.0 * T3);
	double c4 = (-30.0 * d + 16.0 * v0 * T + 3.0 * a0 * T2) / (2.0 * T3 * T);
	double c5 = (12.0 * d - 6.0 * v0 * T - a0 * T2) / (2.0 * T3 * T2);
	double mv = 0.0, ma = 0.0, mj = 0.0;
	double ms = fmax(fabs(24 * c4), fabs(24 * c4 + 120 * c5 * T));

	for (int i = 0; i <= n; i++) {
		double t = T * i / n;
		double v = (((5 * c5 * t + 4 * c4) * t + 3 * c3) * t + a0) * t + v0;
		double a = ((20 * c5 * t + 12 * c4) * t + 6 * c3) * t + a0;
		double j = (60 * c5 * t + 24 * c4) * t + 6 * c3;

		mv = fmax(mv, fabs(v));
		ma = fmax(ma, fabs(a));
		mj = fmax(mj, fabs(j));
	}
	mj += 120 * fabs(c5) * h2;
	ma += ms * h2;
	mv += mj * h2;
	return fmax(mv / c->vmax, fmax(ma / c->amax, mj / c->jmax));
}

/* Brute-force shortest duration of that quintic (at least the exact one,
 * as the peaks are over-estimated): a 1% geometric scan up
 * from a bound no motion within the limits can beat (covering d at vmax,
 * stopping v0 at amax, ending a0 at jmax), then 30 bisections between the
 * last infeasible and the first feasible scan point. INFINITY when no scan
 * point up to 1e3 times the bound is feasible. */
static double brute_shortest(const struct dx_traj_config *c, double d,
			     double v0, double a0)
{
	double lo = fmax(fmax(fabs(d) / c->vmax, fabs(v0) / c->amax),
			 fabs(a0) / c->jmax);
	double t = lo, t_end = 1e3 * lo;

	while (peak_bound(c, d, v0, a0, t, 1000) > 1.0 + 1e-9) {
		lo = t;
		t *= 1.01;
		if (t > t_end)
			return INFINITY;
	}
	for (int i = 0; i < 30 && lo < t; i++) {
		double mid = 0.5 * (lo + t);

		if (peak_bound(c, d, v0, a0, mid, 1000) <= 1.0 + 1e-9)
			t = mid;
		else
			lo = mid;
	}
	return t;
}

/* Samples a planned trajectory at n + 1 evenly spaced instants over its
 * whole duration (both pieces) against limits raised by the factor
 * (1 + SLACK); jerk as the difference of acceleration over 1/n of it, with
 * room for the rounding of two accelerations. (One assertion per quantity:
 * each passing Check assertion costs a system call.) */
static void check_dense(const struct dx_traj *tr, int64_t t0,
			const struct dx_traj_config *c,
			const struct dx_traj_state *from, double target, int n)
{
	double dur = dx_traj_duration(tr), h, mv = 0.0, ma = 0.0, mj = 0.0;
	int64_t step = (int64_t)(dur * 1e9 / n);
	struct dx_traj_state s, prev;

	ck_assert(step >= 1);
	h = step * 1e-9;
	dx_traj_sample(tr, t0, &prev);
	dx_ck_near(prev.pos, from->pos, 1e-12);
	dx_ck_near(prev.vel, from->vel, 1e-12 * (1 + fabs(from->vel)));
	dx_ck_near(prev.acc, from->acc, 1e-12 * (1 + fabs(from->acc)));
	for (int i = 1; i <= n + 1; i++) {
		dx_traj_sample(tr, t0 + (int64_t)i * step, &s);
		mv = fmax(mv, fabs(s.vel));
		ma = fmax(ma, fabs(s.acc));
		mj = fmax(mj, fabs(s.acc - prev.acc) / h);
		prev = s;
	}
	ck_assert_msg(mv <= c->vmax * (1 + SLACK), "v %.12g > %.12g", mv,
		      c->vmax);
	ck_assert_msg(ma <= c->amax * (1 + SLACK), "a %.12g > %.12g", ma,
		      c->amax);
	ck_assert_msg(mj <= c->jmax * (1 + SLACK) + 1e-12 * c->amax / h,
		      "j %.12g > %.12g", mj, c->jmax);
	dx_traj_sample(tr, t0 + (int64_t)(dur * 1e9) + 1, &s);
	dx_ck_near(s.pos, target, 0.0);
	dx_ck_near(s.vel, 0.0, 0.0);
}

/* The planner's stated guarantee (ctl.h): the duration is the shortest of
 * its family to within 1e-5 relative; the reference is no shorter than the
 * exact shortest feasible duration of its scan's first feasible interval. */
#define SHORTEST_FACTOR (1.0 + 1e-4)

START_TEST(test_random_states)
{
	/* Random limits (ratios over two decades), random states within the
	 * limits from which the limits can still be kept (the acceleration
	 * can be ended at the jerk limit without passing vmax), some exactly
	 * at a limit, some with zero acceleration, random targets. */
	uint64_t seed = 20240611;
	int n_cases = cases(1000), n_ref = 0, n_tight = 0;
	double worst = 0.0;

	for (int k = 0; k < n_cases; k++) {
		struct dx_traj_config c = random_cfg(&seed);
		struct dx_traj tr;
		struct dx_traj_state from;
		double target, ref, dur;
		int64_t t0 = (int64_t)k * DX_NS_PER_S;

		from.pos = 2.0 * rnd(&seed);
		from.vel = c.vmax * rnd(&seed);
		from.acc = c.amax * rnd(&seed);
		if (k % 10 == 1)
			from.vel = copysign(c.vmax, from.vel);
		if (k % 10 == 2)
			from.acc = copysign(c.amax, from.acc);
		if (k % 5 == 3)
			from.acc = 0.0;
		if (fabs(from.vel + from.acc * fabs(from.acc) / (2 * c.jmax)) >
		    c.vmax) {
			k--; /* unavoidable overshoot of vmax: draw again */
			continue;
		}
		target = from.pos + random_step(&seed, 3.0);
		ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
		ck_assert_int_eq(dx_traj_plan(&tr, t0, &from, target), 0);
		check_dense(&tr, t0, &c, &from, target, 4000);

		dur = dx_traj_duration(&tr);
		ref = brute_shortest(&c, target - from.pos, from.vel, from.acc);
		if (isfinite(ref)) {
			n_ref++;
			ck_assert_msg(dur <= ref * SHORTEST_FACTOR,
				      "case %d: %.12g s, brute force %.12g s "
				      "(limits %.17g %.17g %.17g, from %.17g "
				      "%.17g, d %.17g)", k, dur, ref, c.vmax,
				      c.amax, c.jmax, from.vel, from.acc,
				      target - from.pos);
			worst = fmax(worst, dur / ref);
			if (dur >= ref * (1 - 1e-4))
				n_tight++;
		}
	}
	printf("random states: %d plans, %d with a single-quintic reference, "
	       "%d within 1e-4 of it, worst ratio %.7f\n",
	       n_cases, n_ref, n_tight, worst);
	/* the others have no single feasible quintic (a0 pushing the wrong
	 * way, where the planner ramps the acceleration down first) */
	ck_assert(n_ref > n_cases / 2);
}
END_TEST

START_TEST(test_random_sampled_states)
{
	/* States a trajectory really passes through: mid-motion of a random
	 * earlier segment, replanned to a random target. */
	uint64_t seed = 99;

	for (int k = 0; k < cases(500); k++) {
		struct dx_traj_config c = random_cfg(&seed);
		struct dx_traj tr;
		struct dx_traj_state from;
		double target, ref;
		int64_t t;

		ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
		ck_assert_int_eq(dx_traj_set_target(&tr, 0, 3.0 * rnd(&seed)), 0);
		t = (int64_t)(dx_traj_duration(&tr) * fabs(rnd(&seed)) * 1e9);
		dx_traj_sample(&tr, t, &from);
		target = from.pos + random_step(&seed, 2.0);
		ck_assert_int_eq(dx_traj_plan(&tr, t, &from, target), 0);
		check_dense(&tr, t, &c, &from, target, 4000);
		ref = brute_shortest(&c, target - from.pos, from.vel, from.acc);
		if (isfinite(ref))
			ck_assert_msg(dx_traj_duration(&tr) <= ref * SHORTEST_FACTOR,
				      "case %d: %.12g s, brute force %.12g s",
				      k, dx_traj_duration(&tr), ref);
	}
}
END_TEST

START_TEST(test_random_rest_to_rest)
{
	/* From rest the duration is the closed form and exactly tight: the
	 * binding limit's peak is within 1e-6 of it. */
	uint64_t seed = 5;

	for (int k = 0; k < cases(500); k++) {
		struct dx_traj_config c = random_cfg(&seed);
		struct dx_traj tr;
		struct dx_traj_state from = {2.0 * rnd(&seed), 0.0, 0.0};
		double target = 3.0 * rnd(&seed), d = fabs(target - from.pos);
		double dur;

		ck_assert_int_eq(dx_traj_init(&tr, &c, from.pos), 0);
		ck_assert_int_eq(dx_traj_plan(&tr, 0, &from, target), 0);
		dur = dx_traj_duration(&tr);
		dx_ck_near(dur, fmax(fmax(1.875 * d / c.vmax,
					  sqrt(10.0 / sqrt(3.0) * d / c.amax)),
				     cbrt(60.0 * d / c.jmax)),
			   1e-12 * dur);
		check_dense(&tr, 0, &c, &from, target, 4000);
		dx_ck_near(peak_bound(&c, target - from.pos, 0.0, 0.0, dur,
					 20000), 1.0, 1e-6);
	}
}
END_TEST

START_TEST(test_beyond_limits)
{
	/* Starts beyond a limit: DX_ELIMIT, planned within the limits raised
	 * to the start's own excess, target reached at rest. */
	uint64_t seed = 31;

	for (int k = 0; k < 100; k++) {
		struct dx_traj_config c = cfg_of(1.0, 10.0, 100.0), raised;
		struct dx_traj tr;
		struct dx_traj_state from;
		double target, v1;

		from.pos = rnd(&seed);
		from.vel = 1.5 * rnd(&seed);
		from.acc = 15.0 * rnd(&seed);
		target = 2.0 * rnd(&seed);

		if (fabs(from.vel) <= c.vmax && fabs(from.acc) <= c.amax)
			from.vel = copysign(1.2, from.vel);
		/* the velocity an acceleration ramp at jmax reaches */
		v1 = from.vel + from.acc * fabs(from.acc) / (2 * c.jmax);
		raised = c;
		raised.vmax = fmax(fmax(c.vmax, fabs(from.vel)), fabs(v1));
		raised.amax = fmax(c.amax, fabs(from.acc));
		ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
		ck_assert_int_eq(dx_traj_plan(&tr, 0, &from, target), DX_ELIMIT);
		check_dense(&tr, 0, &raised, &from, target, 4000);
	}
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
	{
		/* a distance beyond double range, in an unbounded range */
		struct dx_traj_config u = cfg_of(1.0, 1.0, 1.0);
		struct dx_traj_state far = {-1.5e308, 0.0, 0.0};

		u.pos_min = -INFINITY;
		u.pos_max = INFINITY;
		ck_assert_int_eq(dx_traj_init(&tr, &u, 0.0), 0);
		ck_assert_int_eq(dx_traj_plan(&tr, 0, &far, 1.5e308),
				 DX_ERANGE);
		ck_assert_int_eq(dx_traj_set_target(&tr, 0, 1e300), 0);
		ck_assert(isfinite(dx_traj_duration(&tr)));
		ck_assert_int_eq(dx_traj_init(&tr, &c, 0.0), 0);
	}

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
	tcase_add_test(tc, test_random_states);
	tcase_add_test(tc, test_random_sampled_states);
	tcase_add_test(tc, test_random_rest_to_rest);
	tcase_add_test(tc, test_beyond_limits);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(traj_suite());
}
