/* SPDX-License-Identifier: MIT */
/* Trajectory generator: cost of planning one joint's new segment (per
 * joint, one plan timed at a time) from rest and from moving states, of a
 * whole 22-joint hand replanned in one cycle, and of sampling once per
 * cycle. The moving states are seeded random mid-motion states of earlier
 * segments (random limits and targets), so every run times the same plans. */
#include <math.h>
#include <stdio.h>

#include <dexrt/ctl.h>

#include "bench.h"

#define N_STATES 4096
#define HAND_JOINTS 22

struct plan_case {
	struct dx_traj_config cfg;
	struct dx_traj_state from;
	double target;
};

static struct plan_case cases[N_STATES];

static double rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

/* Limits of a finger joint (rad): 1..6 rad/s, 10..100 rad/s^2,
 * 100..3000 rad/s^3. */
static struct dx_traj_config random_cfg(uint64_t *s)
{
	struct dx_traj_config c = {.pos_min = -5.0, .pos_max = 5.0};

	/* one draw per statement: the same cases with any compiler */
	c.vmax = 1.0 + 5.0 * fabs(rnd(s));
	c.amax = 10.0 + 90.0 * fabs(rnd(s));
	c.jmax = 100.0 + 2900.0 * fabs(rnd(s));
	return c;
}

/* kind 0: from rest; 1: mid-motion of an earlier segment; 2: moving with
 * zero acceleration (a hold or IK reference handed to the trajectory). */
static void make_cases(int kind, uint64_t seed)
{
	for (int i = 0; i < N_STATES; i++) {
		struct plan_case *pc = &cases[i];
		struct dx_traj tr;

		pc->cfg = random_cfg(&seed);
		pc->from.pos = 1.5 * rnd(&seed);
		pc->from.vel = 0.0;
		pc->from.acc = 0.0;
		if (kind == 1) {
			dx_traj_init(&tr, &pc->cfg, pc->from.pos);
			dx_traj_set_target(&tr, 0, 2.0 * rnd(&seed));
			dx_traj_sample(&tr, (int64_t)(dx_traj_duration(&tr) *
						      fabs(rnd(&seed)) * 1e9),
				       &pc->from);
		} else if (kind == 2) {
			pc->from.vel = pc->cfg.vmax * rnd(&seed);
		}
		pc->target = 2.0 * rnd(&seed);
	}
}

static void bench_plans(const struct dxb *b, const char *name, int rounds)
{
	struct dx_traj tr;
	struct dx_hist h;
	double acc = 0.0;

	dx_hist_reset(&h);
	for (int r = 0; r < rounds; r++) {
		const struct plan_case *pc = &cases[r % N_STATES];
		int64_t t0;

		dx_traj_init(&tr, &pc->cfg, 0.0);
		t0 = dxb_now();
		dx_traj_plan(&tr, 0, &pc->from, pc->target);
		dx_hist_add(&h, dxb_now() - t0);
		acc += dx_traj_duration(&tr);
	}
	DXB_KEEP(acc);
	dxb_report(b, name, &h, NULL);
}

int main(int argc, char **argv)
{
	struct dxb b;
	struct dx_traj_config c = {2.0, 15.0, 300.0, -5.0, 5.0};
	struct dx_traj tr, hand[HAND_JOINTS];
	struct dx_traj_state s;
	struct dx_hist h;
	int rounds;
	double acc = 0.0;

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 2000 : 40000;
	dxb_header(&b);

	make_cases(0, 1);
	bench_plans(&b, "traj plan from rest, per joint", rounds);
	make_cases(1, 2);
	bench_plans(&b, "traj plan mid-motion state, per joint", rounds);
	make_cases(2, 3);
	bench_plans(&b, "traj plan moving, a0 = 0, per joint", rounds);

	/* the earlier fixed case: one config, replanned mid-segment */
	dx_hist_reset(&h);
	for (int r = 0; r < rounds; r++) {
		int64_t t0, mid;

		dx_traj_init(&tr, &c, 0.0);
		dx_traj_set_target(&tr, 0, 2.0);
		mid = (int64_t)(dx_traj_duration(&tr) * 1e9 *
				(0.1 + 0.8 * (r % 13) / 13.0));
		t0 = dxb_now();
		dx_traj_set_target(&tr, mid, -1.0 + (r % 7) * 0.4);
		dx_hist_add(&h, dxb_now() - t0);
	}
	dxb_report(&b, "traj replan mid-motion (fixed limits)", &h, NULL);

	/* a 22-joint hand whose every joint gets a new target mid-motion in
	 * the same cycle: the whole cycle's planning */
	dx_hist_reset(&h);
	make_cases(1, 4);
	for (int r = 0; r < rounds / HAND_JOINTS + 1; r++) {
		int64_t t0;

		for (int j = 0; j < HAND_JOINTS; j++)
			dx_traj_init(&hand[j],
				     &cases[(r * HAND_JOINTS + j) % N_STATES].cfg,
				     0.0);
		t0 = dxb_now();
		for (int j = 0; j < HAND_JOINTS; j++) {
			const struct plan_case *pc =
				&cases[(r * HAND_JOINTS + j) % N_STATES];

			dx_traj_plan(&hand[j], 0, &pc->from, pc->target);
		}
		dx_hist_add(&h, dxb_now() - t0);
	}
	dxb_report(&b, "traj plan 22 joints mid-motion, per cycle", &h,
		   "\"joints\":22");

	dx_traj_init(&tr, &c, 0.0);
	dx_traj_set_target(&tr, 0, 2.0);
	dx_hist_reset(&h);
	for (int r = 0; r < rounds / 2; r++) {
		int64_t t0 = dxb_now();

		for (int k = 0; k < 1000; k++) {
			dx_traj_sample(&tr, (int64_t)k * DX_NS_PER_MS, &s);
			acc += s.pos;
		}
		dx_hist_add(&h, (dxb_now() - t0) / 1000);
	}
	DXB_KEEP(acc);
	dxb_report(&b, "traj sample, per call", &h, NULL);
	return 0;
}
