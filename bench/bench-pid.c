/* SPDX-License-Identifier: MIT */
/* PID step cost: N scalar controllers stepped one by one versus one
 * structure-of-arrays bank stepped in one call, for 16 and 22 joints (the
 * two hand sizes of the design). Each sample times BATCH steps of all
 * joints; the histogram holds ns per step of all N joints, and the mean ns
 * per joint-step is reported as a value. */
#include <math.h>
#include <stdio.h>

#include <dexrt/ctl.h>

#include "bench.h"

#define BATCH 200

static void configs(struct dx_pid_config *cfg, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		dx_pid_config_default(&cfg[i]);
		cfg[i].kp = 8.0 + i;
		cfg[i].ki = 40.0;
		cfg[i].kd = 0.2;
		cfg[i].tf = 0.002;
		cfg[i].antiwindup = i % 2 ? DX_PID_AW_BACKCALC : DX_PID_AW_CLAMP;
		cfg[i].tt = 0.1;
		cfg[i].out_min = -0.4;
		cfg[i].out_max = 0.4;
		cfg[i].rate_max = 100.0;
	}
}

static void run(const struct dxb *b, unsigned n, int rounds)
{
	static struct dx_pid pid[DX_PID_BANK_MAX];
	static struct dx_pid_bank bank;
	struct dx_pid_config cfg[DX_PID_BANK_MAX];
	double ref[DX_PID_BANK_MAX], meas[DX_PID_BANK_MAX];
	double vff[DX_PID_BANK_MAX], tff[DX_PID_BANK_MAX];
	double out[DX_PID_BANK_MAX];
	struct dx_hist h;
	char name[96], extra[64];
	int64_t total;

	configs(cfg, n);
	for (unsigned i = 0; i < n; i++) {
		dx_pid_init(&pid[i], &cfg[i]);
		ref[i] = 1.0;
		meas[i] = 0.01 * i;
		vff[i] = 0.1;
		tff[i] = 0.0;
	}
	dx_pid_bank_init(&bank, cfg, n);
	snprintf(extra, sizeof(extra), "\"joints\":%u", n);

	dx_hist_reset(&h);
	total = 0;
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = dxb_now(), dt;

		for (int k = 0; k < BATCH; k++) {
			for (unsigned i = 0; i < n; i++) {
				struct dx_pid_in in = {ref[i], meas[i], vff[i],
						       tff[i]};

				dx_pid_step(&pid[i], 0.001, &in, &out[i]);
				meas[i] += 1e-4 * out[i];
			}
			DXB_CLOBBER();
		}
		dt = dxb_now() - t0;
		total += dt;
		dx_hist_add(&h, dt / BATCH);
	}
	snprintf(name, sizeof(name), "pid scalar, %u joints, per step", n);
	dxb_report(b, name, &h, extra);
	snprintf(name, sizeof(name), "pid scalar, %u joints, per joint-step", n);
	dxb_report_value(b, name, (double)total / ((double)rounds * BATCH * n),
			 "ns", extra);

	for (unsigned i = 0; i < n; i++)
		meas[i] = 0.01 * i;
	dx_hist_reset(&h);
	total = 0;
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = dxb_now(), dt;

		for (int k = 0; k < BATCH; k++) {
			dx_pid_bank_step(&bank, 0.001, ref, meas, vff, tff, out);
			for (unsigned i = 0; i < n; i++)
				meas[i] += 1e-4 * out[i];
			DXB_CLOBBER();
		}
		dt = dxb_now() - t0;
		total += dt;
		dx_hist_add(&h, dt / BATCH);
	}
	snprintf(name, sizeof(name), "pid bank (SoA), %u joints, per step", n);
	dxb_report(b, name, &h, extra);
	snprintf(name, sizeof(name), "pid bank (SoA), %u joints, per joint-step", n);
	dxb_report_value(b, name, (double)total / ((double)rounds * BATCH * n),
			 "ns", extra);
	DXB_KEEP(out[0]);
}

int main(int argc, char **argv)
{
	struct dxb b;
	int rounds;

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 200 : 20000;
	dxb_header(&b);
	run(&b, 16, rounds);
	run(&b, 22, rounds);
	return 0;
}
