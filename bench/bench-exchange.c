/* SPDX-License-Identifier: MIT */
/* Exchange cycle time for 16 and 22 MIT drives over simbus at 1 Mbit/s,
 * against the theoretical bus time: the exact length of the frames seen on
 * the bus (dx_can_frame_ns) plus intermissions, and the budget planner's
 * worst case. Virtual drives run in a second thread of this process. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/busload.h>
#include <dexrt/drive.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>

#include "bench.h"

#define BITRATE 1000000u

static void *serve(void *arg)
{
	dx_vdrive_runner_run(arg);
	return NULL;
}

static int run(const struct dxb *b, unsigned ndev, int cycles)
{
	static struct dx_vdrive v[DX_DRIVE_BUS_MAX];
	static struct dx_drive_desc d[DX_DRIVE_BUS_MAX];
	static struct dx_drive_bus bus;
	static struct dx_vdrive_runner r;
	static struct dx_hist hw, hb, ht, hp;
	struct dx_can *host = NULL, *drv = NULL, *mon = NULL;
	struct dx_can_opts o;
	struct dx_drive_bus_config cfg;
	struct dx_can_periodic per[2 * DX_DRIVE_BUS_MAX];
	struct dx_can_bus_rates rates = {BITRATE, 0};
	struct dx_can_bus_budget bud;
	double plan_hz = 0;
	char name[64], extra[96];
	pthread_t th;
	int err;

	snprintf(name, sizeof(name), "bx%d-%u", (int)getpid(), ndev);
	dx_simbus_unlink(name);
	memset(&o, 0, sizeof(o));
	o.bitrate = BITRATE;
	o.rx_queue = 1024;
	if ((err = dx_simbus_open(&host, name, &o, NULL)) ||
	    (err = dx_simbus_open(&drv, name, &o, NULL)) ||
	    (err = dx_simbus_open(&mon, name, &o, NULL))) {
		fprintf(stderr, "simbus: %s\n", dx_strerror(err));
		return 1;
	}
	dx_simbus_unlink(name); /* all handles are open */
	for (unsigned i = 0; i < ndev; i++) {
		char spec[48];
		snprintf(spec, sizeof(spec), "mit:ak80-9:id=%u", i + 1);
		dx_drive_desc_parse(spec, &d[i]);
		dx_vdrive_init(&v[i], &d[i]);
		v[i].enabled = true;
	}
	dx_vdrive_runner_init(&r, drv, v, ndev);
	pthread_create(&th, NULL, serve, &r);
	memset(&cfg, 0, sizeof(cfg));
	cfg.can = host;
	cfg.devs = d;
	cfg.n_devs = ndev;
	dx_drive_bus_init(&bus, &cfg);
	for (unsigned i = 0; i < ndev; i++) {
		struct dx_drive_cmd c = {0.2, 0, 20, 1, 0, 0, true};
		dx_drive_bus_set_cmd(&bus, i, &c);
	}
	dx_hist_reset(&hw);
	dx_hist_reset(&hb);
	dx_hist_reset(&ht);
	dx_hist_reset(&hp);
	for (int k = -20; k < cycles; k++) {
		struct dx_exchange_result res;
		struct dx_can_frame f[64];
		int64_t now = dx_simbus_now(host), sum = 0, back;
		int nf = 0, got;

		err = dx_drive_bus_exchange(&bus, now, now + 20 * DX_NS_PER_MS,
					    &res);
		back = dx_simbus_now(host);
		while ((got = dx_can_recv(mon, f, 64)) > 0)
			for (int j = 0; j < got; j++, nf++)
				sum += dx_can_frame_ns(&f[j], BITRATE, 0);
		if (k < 0 || err)
			continue;
		dx_hist_add(&hw, back - now);
		dx_hist_add(&hb, res.last_reply_ns - now);
		dx_hist_add(&ht, back - res.last_reply_ns);
		dx_hist_add(&hp, sum + (nf - 1) * DX_CAN_IFS_BITS * 1000);
	}
	for (unsigned i = 0; i < 2 * ndev; i++) {
		per[i].bus = 0;
		per[i].id = i < ndev ? i + 1 : 0;
		per[i].len = 8;
		per[i].flags = 0;
		per[i].rate_hz = 1;
	}
	dx_can_budget_plan(per, 2 * ndev, &rates, 1, 1.0, &bud, &plan_hz);
	snprintf(extra, sizeof(extra), "\"drives\":%u,\"bitrate\":%u", ndev,
		 BITRATE);
	snprintf(name, sizeof(name), "exchange %u drives: wall cycle", ndev);
	dxb_report(b, name, &hw, extra);
	snprintf(name, sizeof(name), "exchange %u drives: bus time", ndev);
	dxb_report(b, name, &hb, extra);
	snprintf(name, sizeof(name), "exchange %u drives: exact frame time", ndev);
	dxb_report(b, name, &hp, extra);
	snprintf(name, sizeof(name), "exchange %u drives: return after last", ndev);
	dxb_report(b, name, &ht, extra);
	snprintf(name, sizeof(name), "exchange %u drives: planner worst case",
		 ndev);
	dxb_report_value(b, name, 1e9 / plan_hz, "ns", extra);
	snprintf(name, sizeof(name), "exchange %u drives: rate (median wall)",
		 ndev);
	dxb_report_value(b, name, 1e9 / (double)dx_hist_quantile(&hw, 0.5),
			 "Hz", extra);
	dx_vdrive_runner_stop(&r);
	pthread_join(th, NULL);
	dx_can_close(host);
	dx_can_close(drv);
	dx_can_close(mon);
	return 0;
}

int main(int argc, char **argv)
{
	struct dxb b;
	int cycles;

	dxb_init(&b, argc, argv);
	cycles = b.quick ? 100 : 3000;
	dxb_header(&b);
	if (run(&b, 16, cycles) || run(&b, 22, cycles))
		return 1;
	return 0;
}
