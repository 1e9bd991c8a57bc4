/* SPDX-License-Identifier: MIT */
/* The whole control cycle of the 16-DoF hand (examples/hand16.yaml: four
 * fingers, four 4x4 pads) and the 22-DoF hand (examples/hand22.yaml: five
 * fingers on a wrist, five 4x4 pads).
 *
 * 1. In-process, no I/O on the timed path: the hand is built without
 *    transports; virtual drives and virtual pads answer each cycle's
 *    encoded frames outside the timed region, and their replies are handed
 *    to the next cycle as arrays. Timed per cycle: routing and decoding
 *    every drive reply and taxel frame (dx__hand_deliver), dx_hand_update
 *    (targets, tactile pipeline and fusion, grasps, warm IK for every
 *    fingertip, references, safety, PID) and the encode half of write
 *    (dx__hand_encode). Every fingertip has an IK target moving on a 5 mm
 *    circle, so IK runs every cycle, and every pad is pressed (1 N plus
 *    noise), so the tactile pipeline tracks a contact. A second run times
 *    the parts with a clock read between them. Heap allocations are counted
 *    by an interposed malloc family over the timed calls.
 * 2. End to end: the same hand over simbus on CLOCK_MONOTONIC, one thread
 *    per bus serving its virtual drives and pads, the controller on the
 *    loop runner at the configured period (1 kHz) for --seconds: cycle
 *    time (read + update + write), wake-up latency, overruns, missed
 *    deadlines and missed replies. tools/bench-cycle runs cyclictest over
 *    the same time to compare with the machine's own wake-up latency.
 *
 *   bench-cycle [--quick] [--json PATH] [--seconds S] [--cycles N]
 *               [--hist-dir DIR] [--fifo PRIO] [--no-e2e] [--no-inproc]
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/hand.h>
#include <dexrt/rt.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>
#include <dexrt/simpad.h>

#include "alloc-count.h"
#include "bench.h"
#include "bench-urdf.h"
#include "hand-rig.h"
#include "hand/hand-priv.h"

/* ---- options ---------------------------------------------------------------- */

static struct {
	double seconds;
	unsigned long cycles;
	const char *hist_dir;
	int fifo;
	unsigned deadline_us;
	bool e2e, inproc;
} opt = {60.0, 200000, NULL, 0, 0, true, true};

static void usage(void)
{
	printf("usage: bench-cycle [--quick] [--json PATH] [--seconds S] [--cycles N]\n"
	       "                   [--hist-dir DIR] [--fifo PRIO] [--reply-deadline-us N]\n"
	       "                   [--no-e2e] [--no-inproc]\n"
	       "  --seconds S   end-to-end run per hand (default 60, --quick 2)\n"
	       "  --cycles N    in-process cycles per hand (default 200000, --quick 5000)\n"
	       "  --hist-dir D  write each histogram as D/<name>.dat (lo_us count)\n"
	       "  --fifo PRIO   run the end-to-end controller at SCHED_FIFO PRIO\n"
	       "  --reply-deadline-us N  override the configurations' reply deadline\n");
}

/* ---- rig: hand + devices ------------------------------------------------------ */

#define MAX_BUS HAND_MAX_BUSES
#define MAX_DEV 4
#define MAX_PAD 4
#define MAX_RX 64
#define REPLY_AFTER_NS (300 * DX_NS_PER_US)

struct dev_bus {
	struct dx_vdrive drv[MAX_DEV];
	unsigned ndrv;
	struct dx_simpad pad[MAX_PAD];
	unsigned npad;
	struct dx_can_frame rx[MAX_RX]; /* replies for the controller */
	size_t nrx;
	/* end to end */
	struct dx_can *can;
	pthread_t thread;
	volatile int stop;
	int64_t last_ns;
	unsigned long tx_errors;
	char name[64];
};

struct rig {
	const char *tag;         /* "hand16" */
	char *yaml;
	struct dx_hand_config *cfg;
	struct dx_hand *h;
	struct dev_bus bus[MAX_BUS];
	unsigned nb;
	double tip0[DX_HAND_MAX_TIPS][3];
	double phase;
};

/* Builds the hand (with or without transports) and, for each of its buses,
 * virtual drives with the hand's drive descriptions and virtual pads with
 * its pad geometry, each pad pressed at its centre. */
static int rig_up(struct rig *r, const char *exdir, const char *tag,
		  bool transports)
{
	struct dx_hand_config_error e;
	struct dx_hand_opts ho = {.no_transport = !transports};
	char prefix[32];
	int rc;

	memset(r, 0, sizeof(*r));
	r->tag = tag;
	/* simbus names unique to this process: "simbus:hand16-" becomes
	 * "simbus:bc<pid>-16-" */
	snprintf(prefix, sizeof(prefix), "bc%d-%s", (int)getpid(), tag + 4);
	r->yaml = hand_rig_text(exdir, tag, prefix, NULL, NULL);
	if (!r->yaml) {
		fprintf(stderr, "bench-cycle: cannot read %s/%s.yaml\n", exdir, tag);
		return DX_ENOENT;
	}
	rc = dx_hand_config_load_string(r->yaml, strlen(r->yaml), tag, exdir,
					&r->cfg, &e);
	if (rc) {
		fprintf(stderr, "bench-cycle: %s\n", e.msg);
		return rc;
	}
	if (opt.deadline_us)
		r->cfg->reply_deadline_us = opt.deadline_us;
	r->nb = r->cfg->buses_count;
	if (r->nb > MAX_BUS)
		return DX_ENOSPC;
	for (unsigned b = 0; b < r->nb; b++) {
		const struct dx_hand_bus_config *bc = &r->cfg->buses[b];
		struct dev_bus *db = &r->bus[b];
		if (!transports)
			continue;
		struct dx_can_opts co = {.fd = bc->fd, .bitrate = bc->bitrate,
					 .data_bitrate = bc->data_bitrate};
		struct dx_simbus_opts so = {.clock = DX_SIMBUS_CLOCK_REAL};
		snprintf(db->name, sizeof(db->name), "%s",
			 bc->transport + strlen("simbus:"));
		dx_simbus_unlink(db->name);
		rc = dx_simbus_open(&db->can, db->name, &co, &so);
		if (rc) {
			fprintf(stderr, "bench-cycle: simbus %s: %s\n", db->name,
				dx_strerror(rc));
			return rc;
		}
	}
	rc = dx_hand_init(&r->h, r->cfg, &ho, &e);
	if (rc) {
		fprintf(stderr, "bench-cycle: %s\n", e.msg);
		return rc;
	}
	for (unsigned b = 0; b < r->nb; b++) {
		const struct dx_drive_bus *drv = &r->h->bus[b].drv;
		struct dev_bus *db = &r->bus[b];
		if (drv->n > MAX_DEV)
			return DX_ENOSPC;
		for (unsigned i = 0; i < drv->n; i++) {
			rc = dx_vdrive_init(&db->drv[i], &drv->dev[i].desc);
			if (rc)
				return rc;
		}
		db->ndrv = drv->n;
	}
	for (unsigned p = 0; p < r->cfg->pads_count; p++) {
		int b = dx_hand_config_find_bus(r->cfg, r->cfg->pads[p].bus);
		struct dev_bus *db = &r->bus[b];
		struct dx_simpad_config sc;

		if (db->npad == MAX_PAD)
			return DX_ENOSPC;
		rc = hand_rig_pad_config(r->cfg, p, &sc);
		if (rc)
			return rc;
		sc.noise = 2.0f;
		sc.seed = p + 1;
		rc = dx_simpad_init(&db->pad[db->npad++], &sc);
		if (rc)
			return rc;
	}
	return 0;
}

/* A 1 N press at each pad's centre (force on the object, along the
 * outward normal); called after the tare. */
static void press_pads(struct rig *r)
{
	for (unsigned p = 0; p < r->cfg->pads_count; p++) {
		const struct dx_hand_pad_config *pc = &r->cfg->pads[p];
		int b = dx_hand_config_find_bus(r->cfg, pc->bus);
		struct dev_bus *db = &r->bus[b];
		struct dx_simpad_contact ct;
		unsigned k;

		for (k = 0; k < db->npad; k++)
			if (db->pad[k].cfg.board == pc->board)
				break;
		if (k == db->npad)
			continue;
		hand_rig_pad_contact(pc, 1.0, 0.004f, &ct);
		dx_simpad_set_contacts(&db->pad[k], &ct, 1);
	}
}

static void rig_down(struct rig *r)
{
	dx_hand_free(r->h);
	for (unsigned b = 0; b < r->nb; b++) {
		if (r->bus[b].can) {
			dx_can_close(r->bus[b].can);
			dx_simbus_unlink(r->bus[b].name);
		}
	}
	dx_hand_config_free(r->cfg);
	free(r->yaml);
}

/* The device side of one bus: each frame to every drive and pad; replies
 * appended to db->rx (at most MAX_RX). */
static void devices_handle(struct dev_bus *db, const struct dx_can_frame *in,
			   size_t n, int64_t stamp_ns)
{
	for (size_t k = 0; k < n; k++) {
		for (unsigned i = 0; i < db->ndrv; i++) {
			struct dx_can_frame out[DX_VDRIVE_MAX_OUT];
			int got = dx_vdrive_handle(&db->drv[i], &in[k], out,
						   DX_VDRIVE_MAX_OUT);
			for (int o = 0; o < got && db->nrx < MAX_RX; o++) {
				out[o].ts_ns = stamp_ns;
				db->rx[db->nrx++] = out[o];
			}
		}
		for (unsigned i = 0; i < db->npad; i++) {
			struct dx_can_frame out[8];
			int got = dx_simpad_handle(&db->pad[i], &in[k], out, 8);
			for (int o = 0; o < got && db->nrx < MAX_RX; o++) {
				out[o].ts_ns = stamp_ns;
				db->rx[db->nrx++] = out[o];
			}
		}
	}
}

static void devices_step(struct dev_bus *db, double dt)
{
	struct dx_can_frame out[8];

	for (unsigned i = 0; i < db->ndrv; i++)
		(void)dx_vdrive_step(&db->drv[i], dt, out, 8); /* MIT: none */
	for (unsigned i = 0; i < db->npad; i++)
		dx_simpad_step(&db->pad[i], dt);
}

/* Half-closed posture (inside the workspace: a stretched finger cannot
 * move sideways), sent once as a joint target. */
static void half_close(struct rig *r)
{
	struct dx_hand_target t;

	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_JOINTS;
	for (unsigned j = 0; j < dx_hand_njoints(r->h); j++) {
		t.mask |= 1u << j;
		t.q[j] = 0.5 * (r->h->home[j] + r->h->close[j]);
	}
	(void)dx_hand_send(r->h, &t);
}

/* Every fingertip on a 5 mm circle (in the flexion plane, y-z) around
 * where it was when the circling began, one turn per second: a new target
 * each cycle, so the warm IK always works. */
static void send_tip_targets(struct rig *r, double dt)
{
	struct dx_hand_target t;
	unsigned nt = dx_hand_ntips(r->h);

	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_TIPS;
	r->phase += 2 * M_PI * dt;
	for (unsigned k = 0; k < nt; k++) {
		t.mask |= 1u << k;
		t.tip[k][0] = r->tip0[k][0];
		t.tip[k][1] = r->tip0[k][1] + 0.005 * (cos(r->phase + k) - cos(k));
		t.tip[k][2] = r->tip0[k][2] + 0.005 * (sin(r->phase + k) - sin(k));
	}
	(void)dx_hand_send(r->h, &t);
}

/* The warm-up and the motion, by cycle: drives enable and pads tare,
 * then the pads are pressed and the fingers half close (100), then the
 * fingertips circle (from WARM_CYCLES on). */
#define WARM_CYCLES 1000
static void schedule(struct rig *r, unsigned long k, double dt)
{
	if (k == 100) {
		press_pads(r);
		half_close(r);
	}
	if (k == WARM_CYCLES)
		for (unsigned t = 0; t < dx_hand_ntips(r->h); t++)
			dx_hand_tip_position(r->h, t, r->tip0[t]);
	if (k >= WARM_CYCLES)
		send_tip_targets(r, dt);
}

static void drain_rings(struct rig *r)
{
	struct dx_hand_telemetry tel;
	struct dx_hand_fault f;

	while (dx_hand_telemetry_pop(r->h, &tel) == 0)
		;
	while (dx_hand_fault_pop(r->h, &f) == 0)
		;
}

/* ---- histogram files ------------------------------------------------------------ */

static void write_hist(const char *name, const struct dx_hist *h)
{
	char path[600];
	FILE *f;

	if (!opt.hist_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.dat", opt.hist_dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "# %s: bucket lower edge (us), bucket width (us), samples\n", name);
	for (unsigned i = 0; i < DX_HIST_BUCKETS; i++) {
		int64_t lo, hi;
		if (!h->bucket[i])
			continue;
		dx_hist_bucket_range(i, &lo, &hi);
		fprintf(f, "%.4f %.4f %u\n", lo * 1e-3, (hi - lo) * 1e-3,
			h->bucket[i]);
	}
	fclose(f);
}

/* ---- 1. in-process ------------------------------------------------------------------ */

enum { P_READ, P_TACTILE, P_IK, P_CONTROL, P_ENCODE, P_N };
static const char *const part_name[P_N] = {"read/decode", "tactile+fusion",
					   "ik", "control+safety", "encode"};

/* Devices answer what the last encode left in each bus's batch, stamped
 * inside the reply window of the cycle started at @p sent_ns; then advance
 * by one period. Outside the timed region. */
static void serve_inproc(struct rig *r, int64_t sent_ns, double dt)
{
	for (unsigned b = 0; b < r->nb; b++) {
		struct dev_bus *db = &r->bus[b];
		struct hand_bus *hb = &r->h->bus[b];
		db->nrx = 0;
		devices_handle(db, hb->tx, hb->ntx, sent_ns + REPLY_AFTER_NS);
		devices_step(db, dt);
	}
}

static int inproc(struct dxb *bx, const char *exdir, const char *tag)
{
	struct rig r;
	struct dx_hist total, part[P_N], btotal;
	const struct dx_can_frame *frames[MAX_BUS];
	size_t counts[MAX_BUS];
	int64_t T, period;
	double dt;
	unsigned long warm = WARM_CYCLES + 200, n = opt.cycles, allocs, faults = 0;
	struct dx_hand_stats st;
	char extra[256], name[96];
	int rc;

	rc = rig_up(&r, exdir, tag, false);
	if (rc) {
		rig_down(&r);
		return rc;
	}
	period = (int64_t)r.cfg->period_us * DX_NS_PER_US;
	dt = period * 1e-9;
	T = DX_NS_PER_S;
	for (unsigned b = 0; b < r.nb; b++)
		frames[b] = r.bus[b].rx;
	dx_hist_reset(&total);
	dx_hist_reset(&btotal);
	for (int p = 0; p < P_N; p++)
		dx_hist_reset(&part[p]);

	/* warm up: drives enable, pads tare, then the pads are pressed and
	 * the fingertips start to move */
	for (unsigned long k = 0; k < warm + 2 * n; k++) {
		int64_t t[7];
		bool timed = k >= warm, split = k >= warm + n;

		schedule(&r, k, dt);
		for (unsigned b = 0; b < r.nb; b++)
			counts[b] = r.bus[b].nrx;

		if (!split) {
			ALLOC_COUNT_SET(timed);
			t[0] = dxb_now();
			rc = dx__hand_deliver(r.h, frames, counts, T);
			rc |= dx_hand_update(r.h, T);
			rc |= dx__hand_encode(r.h, T);
			t[1] = dxb_now();
			ALLOC_COUNT_SET(0);
			if (timed)
				dx_hist_add(&total, t[1] - t[0]);
		} else {
			/* the parts: the stages of dx_hand_update with a clock
			 * read between them (see hand-priv.h) */
			double sdt;
			int64_t t0u;
			ALLOC_COUNT_SET(1);
			t[0] = dxb_now();
			rc = dx__hand_deliver(r.h, frames, counts, T);
			t[1] = dxb_now();
			t0u = t[1];
			sdt = dx__hand_update_targets(r.h, T);
			t[2] = dxb_now();
			dx__hand_update_tactile(r.h, T, sdt);
			t[3] = dxb_now();
			dx__hand_update_ik(r.h, sdt);
			t[4] = dxb_now();
			rc |= dx__hand_update_control(r.h, T, sdt);
			dx__hand_update_finish(r.h, T, t0u);
			t[5] = dxb_now();
			rc |= dx__hand_encode(r.h, T);
			t[6] = dxb_now();
			ALLOC_COUNT_SET(0);
			dx_hist_add(&part[P_READ], t[1] - t[0]);
			dx_hist_add(&part[P_TACTILE], t[3] - t[2]);
			dx_hist_add(&part[P_IK], t[4] - t[3]);
			dx_hist_add(&part[P_CONTROL], (t[2] - t[1]) + (t[5] - t[4]));
			dx_hist_add(&part[P_ENCODE], t[6] - t[5]);
			dx_hist_add(&btotal, t[6] - t[0]);
		}
		if (rc && timed)
			faults++;
		drain_rings(&r);
		serve_inproc(&r, T, dt);
		T += period;
	}
	allocs = alloc_count_n;
	dx_hand_get_stats(r.h, &st);

	snprintf(extra, sizeof(extra),
		 "\"hand\":\"%s\",\"joints\":%u,\"tips\":%u,\"pads\":%u,"
		 "\"part\":\"total\",\"allocs_per_cycle\":%.6f",
		 tag, dx_hand_njoints(r.h), dx_hand_ntips(r.h),
		 r.cfg->pads_count, (double)allocs / (double)(2 * n));
	snprintf(name, sizeof(name), "%s in-process cycle", tag);
	dxb_report(bx, name, &total, extra);
	snprintf(name, sizeof(name), "%s-inproc-cycle", tag);
	write_hist(name, &total);
	for (int p = 0; p < P_N; p++) {
		snprintf(extra, sizeof(extra), "\"hand\":\"%s\",\"part\":\"%s\"",
			 tag, part_name[p]);
		snprintf(name, sizeof(name), "%s   %s", tag, part_name[p]);
		dxb_report(bx, name, &part[p], extra);
	}
	snprintf(extra, sizeof(extra), "\"hand\":\"%s\",\"part\":\"sum\"", tag);
	snprintf(name, sizeof(name), "%s   parts (with 7 clock reads)", tag);
	dxb_report(bx, name, &btotal, extra);
	snprintf(extra, sizeof(extra), "\"hand\":\"%s\"", tag);
	snprintf(name, sizeof(name), "%s allocations per cycle", tag);
	dxb_report_value(bx, name, (double)allocs / (double)(2 * n), "allocs", extra);
	printf("# %s: %lu cycles with an error code, %llu IK failures, "
	       "%llu replies missed, %llu targets applied\n",
	       tag, faults, (unsigned long long)st.ik_failures,
	       (unsigned long long)st.replies_missed,
	       (unsigned long long)st.targets_applied);
#ifndef ALLOC_COUNT
	printf("# %s: allocation counting off (sanitizer build)\n", tag);
#endif
	alloc_count_n = 0;
	rig_down(&r);
	return 0;
}

/* ---- 2. end to end over simbus ------------------------------------------------------ */

static void *bus_server(void *arg)
{
	struct dev_bus *db = arg;
	struct dx_can_frame in[64];

	db->last_ns = dx_time_now_ns();
	while (!__atomic_load_n(&db->stop, __ATOMIC_ACQUIRE)) {
		int64_t now;
		int got;

		(void)dx_can_wait(db->can, dx_time_now_ns() + 20 * DX_NS_PER_MS);
		now = dx_time_now_ns();
		devices_step(db, (double)(now - db->last_ns) * 1e-9);
		db->last_ns = now;
		for (unsigned guard = 0; guard < 8; guard++) {
			got = dx_can_recv(db->can, in, 64);
			if (got <= 0)
				break;
			db->nrx = 0;
			devices_handle(db, in, (size_t)got, 0);
			if (db->nrx && dx_can_send(db->can, db->rx, db->nrx) < 0)
				db->tx_errors++;
		}
	}
	return NULL;
}

struct e2e_ctx {
	struct rig *r;
	struct dx_hist cycle;
	uint64_t errors;
	int64_t end_ns;
	double dt;
	unsigned long k;
};

static int e2e_cycle(const struct dx_rt_tick *tick, void *user)
{
	struct e2e_ctx *c = user;
	int64_t t0 = dx_time_now_ns(), t1;
	int rc;

	schedule(c->r, c->k, c->dt);
	rc = dx_hand_cycle(c->r->h, t0);
	(void)tick;
	t1 = dx_time_now_ns();
	if (c->k >= WARM_CYCLES) {
		dx_hist_add(&c->cycle, t1 - t0);
		if (rc)
			c->errors++;
	}
	drain_rings(c->r);
	c->k++;
	return t1 >= c->end_ns ? 1 : 0;
}

static int e2e(struct dxb *bx, const char *exdir, const char *tag)
{
	static struct rig r;
	static struct dx_rt_loop loop;
	static struct e2e_ctx c;
	struct dx_rt_loop_config lc;
	struct dx_hand_stats st;
	struct dx_hist lat;
	char extra[256], name[96];
	int rc, fifo_rc = 1;

	rc = rig_up(&r, exdir, tag, true);
	if (rc) {
		rig_down(&r);
		return rc;
	}
	for (unsigned b = 0; b < r.nb; b++)
		pthread_create(&r.bus[b].thread, NULL, bus_server, &r.bus[b]);
	if (opt.fifo > 0) {
		fifo_rc = dx_rt_set_fifo(opt.fifo);
		if (fifo_rc)
			printf("# SCHED_FIFO %d refused (%s): SCHED_OTHER\n", opt.fifo,
			       dx_strerror(fifo_rc));
	}
	memset(&c, 0, sizeof(c));
	c.r = &r;
	c.dt = r.cfg->period_us * 1e-6;
	dx_hist_reset(&c.cycle);
	memset(&lc, 0, sizeof(lc));
	lc.period_ns = (int64_t)r.cfg->period_us * DX_NS_PER_US;
	lc.policy = DX_RT_SKIP;
	dx_rt_loop_init(&loop, &lc);
	/* the warm-up cycles, then the measured seconds */
	c.end_ns = dx_time_now_ns() + (int64_t)(opt.seconds * 1e9) +
		   WARM_CYCLES * lc.period_ns;
	dx_rt_loop_run(&loop, 0, e2e_cycle, &c);
	if (fifo_rc == 0)
		dx_rt_set_other();
	for (unsigned b = 0; b < r.nb; b++) {
		__atomic_store_n(&r.bus[b].stop, 1, __ATOMIC_RELEASE);
		pthread_join(r.bus[b].thread, NULL);
	}
	dx_hand_get_stats(r.h, &st);
	lat = loop.latency;

	snprintf(extra, sizeof(extra),
		 "\"hand\":\"%s\",\"seconds\":%.1f,\"period_us\":%u,\"fifo\":%d",
		 tag, opt.seconds, r.cfg->period_us, fifo_rc == 0 ? opt.fifo : 0);
	snprintf(name, sizeof(name), "%s e2e cycle (read+update+write)", tag);
	dxb_report(bx, name, &c.cycle, extra);
	snprintf(name, sizeof(name), "%s-e2e-cycle", tag);
	write_hist(name, &c.cycle);
	snprintf(name, sizeof(name), "%s e2e wake-up latency", tag);
	dxb_report(bx, name, &lat, extra);
	snprintf(name, sizeof(name), "%s-e2e-wakeup", tag);
	write_hist(name, &lat);
	snprintf(name, sizeof(name), "%s e2e cycles", tag);
	dxb_report_value(bx, name, (double)loop.cycles, "cycles", extra);
	snprintf(name, sizeof(name), "%s e2e overruns", tag);
	dxb_report_value(bx, name, (double)loop.overruns, "cycles", extra);
	snprintf(name, sizeof(name), "%s e2e missed deadlines", tag);
	dxb_report_value(bx, name, (double)loop.missed, "periods", extra);
	snprintf(name, sizeof(name), "%s e2e replies missed", tag);
	dxb_report_value(bx, name, (double)st.replies_missed, "replies", extra);
	{
		/* why replies were missed: arrived after the reply deadline
		 * (late), or before the cycle (stale) */
		uint64_t late = 0, stale = 0;
		for (unsigned b = 0; b < r.nb; b++)
			for (unsigned i = 0; i < r.h->bus[b].drv.n; i++) {
				late += r.h->bus[b].drv.dev[i].link.late;
				stale += r.h->bus[b].drv.dev[i].link.stale;
			}
		snprintf(name, sizeof(name), "%s e2e replies late", tag);
		dxb_report_value(bx, name, (double)late, "replies", extra);
		snprintf(name, sizeof(name), "%s e2e replies stale", tag);
		dxb_report_value(bx, name, (double)stale, "replies", extra);
	}
	snprintf(name, sizeof(name), "%s e2e cycles with an error", tag);
	dxb_report_value(bx, name, (double)c.errors, "cycles", extra);
	rig_down(&r);
	return 0;
}

/* ---- main ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	static const char *const hands[] = {"hand16", "hand22"};
	struct dxb bx;
	char urdf[512], exdir[520];
	int i = dxb_init(&bx, argc, argv);
	bool seconds_set = false, cycles_set = false;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			opt.seconds = atof(argv[++i]);
			seconds_set = true;
		} else if (strcmp(argv[i], "--cycles") == 0 && i + 1 < argc) {
			opt.cycles = strtoul(argv[++i], NULL, 10);
			cycles_set = true;
		} else if (strcmp(argv[i], "--hist-dir") == 0 && i + 1 < argc) {
			opt.hist_dir = argv[++i];
		} else if (strcmp(argv[i], "--fifo") == 0 && i + 1 < argc) {
			opt.fifo = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--reply-deadline-us") == 0 &&
			   i + 1 < argc) {
			opt.deadline_us = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--no-e2e") == 0) {
			opt.e2e = false;
		} else if (strcmp(argv[i], "--no-inproc") == 0) {
			opt.inproc = false;
		} else if (strcmp(argv[i], "--quick") == 0) {
			bx.quick = true;
		} else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			bx.json_path = argv[++i];
		} else {
			usage();
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if (bx.quick && !seconds_set)
		opt.seconds = 2.0;
	if (bx.quick && !cycles_set)
		opt.cycles = 5000;
	if (!(opt.seconds > 0) || opt.cycles == 0) {
		usage();
		return 2;
	}
	if (dxb_urdf_dir(urdf, sizeof(urdf)) != 0) {
		printf("# examples/urdf not found: set DX_EXAMPLES_DIR\n");
		return 77;
	}
	snprintf(exdir, sizeof(exdir), "%s/..", urdf);

	dxb_header(&bx);
	for (unsigned k = 0; k < 2 && opt.inproc; k++)
		if (inproc(&bx, exdir, hands[k]))
			return 1;
	for (unsigned k = 0; k < 2 && opt.e2e; k++)
		if (e2e(&bx, exdir, hands[k]))
			return 1;
	return 0;
}
