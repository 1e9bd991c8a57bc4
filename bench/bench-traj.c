/* SPDX-License-Identifier: MIT */
/* Trajectory generator: cost of planning a new target from rest and from
 * mid-motion (the duration search), and of sampling once per cycle. */
#include <math.h>
#include <stdio.h>

#include <dexrt/ctl.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct dxb b;
	struct dx_traj_config c = {2.0, 15.0, 300.0, -5.0, 5.0};
	struct dx_traj tr;
	struct dx_traj_state s;
	struct dx_hist h;
	int rounds;
	double acc = 0.0;

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 500 : 20000;
	dxb_header(&b);

	dx_hist_reset(&h);
	for (int r = 0; r < rounds; r++) {
		int64_t t0;

		dx_traj_init(&tr, &c, 0.0);
		t0 = dxb_now();
		dx_traj_set_target(&tr, 0, 0.2 + 2.0 * (r % 17) / 17.0);
		dx_hist_add(&h, dxb_now() - t0);
	}
	dxb_report(&b, "traj plan from rest", &h, NULL);

	dx_hist_reset(&h);
	for (int r = 0; r < rounds; r++) {
		int64_t t0, mid;

		dx_traj_init(&tr, &c, 0.0);
		dx_traj_set_target(&tr, 0, 2.0);
		mid = (int64_t)(dx_traj_duration(&tr) * 1e9 * (0.1 + 0.8 * (r % 13) / 13.0));
		t0 = dxb_now();
		dx_traj_set_target(&tr, mid, -1.0 + (r % 7) * 0.4);
		dx_hist_add(&h, dxb_now() - t0);
	}
	dxb_report(&b, "traj replan mid-motion", &h, NULL);

	dx_traj_init(&tr, &c, 0.0);
	dx_traj_set_target(&tr, 0, 2.0);
	dx_hist_reset(&h);
	for (int r = 0; r < rounds; r++) {
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
