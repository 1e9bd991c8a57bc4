/* SPDX-License-Identifier: MIT */
/* The batched exchange against virtual drives served on a bus by another
 * thread: over simbus at 1 Mbit/s by default, or over the transport named
 * by $DX_EXCHANGE_BUS (e.g. "socketcan:vcan0" inside the VM, where vcan has
 * no bit timing and only the behaviour is checked).
 *
 * Timing claim checked on simbus: one cycle (16 commands out, 16 replies
 * back) occupies the bus for exactly the sum of the 32 frames' lengths plus
 * the intermissions, and the exchange returns as soon as the last reply has
 * crossed the bus, long before its deadline. The rate is compared with the
 * exact prediction from dx_can_frame_ns() of the frames seen on the bus
 * (within 5 %) and with the budget planner's worst-case rate
 * (dx_can_budget_plan(): it must never be slower by more than 5 %). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dexrt/busload.h>
#include <dexrt/drive.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>

#include "dx-check.h"

#define BITRATE 1000000u

static char bus_uri[96];
static bool on_simbus;

struct bench_bus {
	struct dx_can *host, *drv, *mon, *inj;
	struct dx_vdrive v[DX_DRIVE_BUS_MAX];
	struct dx_drive_desc d[DX_DRIVE_BUS_MAX];
	size_t n;
	struct dx_vdrive_runner r;
	pthread_t th;
	struct dx_drive_bus b;
};

static void *serve(void *arg)
{
	struct dx_vdrive_runner *r = arg;

	dx_vdrive_runner_run(r);
	return NULL;
}

static struct dx_can *open_bus(void)
{
	struct dx_can_opts o;
	struct dx_can *c = NULL;
	int err;

	memset(&o, 0, sizeof(o));
	o.bitrate = BITRATE;
	o.rx_queue = 1024;
	err = dx_can_open(&c, bus_uri, &o);
	ck_assert_msg(err == 0, "open %s: %s", bus_uri, dx_strerror(err));
	return c;
}

/* Inside the user-mode-linux VM (tests/vcan/run-in-vm sets DX_IN_VM) the
 * default bus is the real vcan1. */
static const char *bus_override(void)
{
	const char *env = getenv("DX_EXCHANGE_BUS");

	if (env && *env)
		return env;
	if (getenv("DX_IN_VM"))
		return "socketcan:vcan1";
	return NULL;
}

static void pick_bus(const char *tag)
{
	const char *env = bus_override();

	if (env) {
		snprintf(bus_uri, sizeof(bus_uri), "%s", env);
		on_simbus = strncmp(env, "simbus:", 7) == 0;
	} else {
		char name[48];
		snprintf(name, sizeof(name), "x%d-%s", (int)getpid(), tag);
		dx_simbus_unlink(name);
		snprintf(bus_uri, sizeof(bus_uri), "simbus:%s", name);
		on_simbus = true;
	}
}

/* Starts @p n virtual drives described by @p specs on a fresh bus. */
static void start(struct bench_bus *t, const char *tag, const char *const *specs,
		  size_t n, unsigned lost_after)
{
	struct dx_drive_bus_config cfg;

	memset(t, 0, sizeof(*t));
	pick_bus(tag);
	t->host = open_bus();
	t->drv = open_bus();
	t->mon = open_bus();
	t->inj = open_bus();
	/* every handle is open: the name can go now, so a failing test
	 * (which never reaches stop()) leaves no segment behind */
	if (on_simbus && !bus_override())
		dx_simbus_unlink(bus_uri + 7);
	t->n = n;
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(dx_drive_desc_parse(specs[i], &t->d[i]), 0);
		ck_assert_int_eq(dx_vdrive_init(&t->v[i], &t->d[i]), 0);
		t->v[i].enabled = true; /* MIT drives start enabled here */
		t->v[i].axis_state = DX_ODRIVE_STATE_CLOSED_LOOP;
	}
	ck_assert_int_eq(dx_vdrive_runner_init(&t->r, t->drv, t->v, n), 0);
	ck_assert_int_eq(pthread_create(&t->th, NULL, serve, &t->r), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.can = t->host;
	cfg.devs = t->d;
	cfg.n_devs = n;
	cfg.lost_after = lost_after;
	ck_assert_int_eq(dx_drive_bus_init(&t->b, &cfg), 0);
	for (size_t i = 0; i < n; i++) {
		struct dx_drive_cmd c = {0.1 * (double)i, 0, 20.0, 1.0, 0, 0, true};
		ck_assert_int_eq(dx_drive_bus_set_cmd(&t->b, (unsigned)i, &c), 0);
	}
}

static void stop(struct bench_bus *t)
{
	dx_vdrive_runner_stop(&t->r);
	pthread_join(t->th, NULL);
	dx_can_close(t->host);
	dx_can_close(t->drv);
	dx_can_close(t->mon);
	dx_can_close(t->inj);
}

static int64_t now_ns(const struct bench_bus *t)
{
	return on_simbus ? dx_simbus_now(t->host) : dx_time_now_ns();
}

static int cycle(struct bench_bus *t, int64_t budget_ns,
		 struct dx_exchange_result *res)
{
	int64_t now = now_ns(t);

	/* vcan inside user-mode-linux has no bit timing but slow system
	 * calls: give it room, the behaviour is what is checked there */
	if (!on_simbus)
		budget_ns *= 25;

	return dx_drive_bus_exchange(&t->b, now, now + budget_ns, res);
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = dx_ns_to_timespec(ns);

	nanosleep(&ts, NULL);
}

static void drain_monitor(struct bench_bus *t)
{
	struct dx_can_frame f[64];

	while (dx_can_recv(t->mon, f, 64) > 0)
		;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *const ak16[16] = {
	"mit:ak80-9:id=1", "mit:ak80-9:id=2", "mit:ak80-9:id=3",
	"mit:ak80-9:id=4", "mit:ak80-9:id=5", "mit:ak80-9:id=6",
	"mit:ak80-9:id=7", "mit:ak80-9:id=8", "mit:ak80-9:id=9",
	"mit:ak80-9:id=10", "mit:ak80-9:id=11", "mit:ak80-9:id=12",
	"mit:ak80-9:id=13", "mit:ak80-9:id=14", "mit:ak80-9:id=15",
	"mit:ak80-9:id=16",
};

START_TEST(test_exchange_16_timing)
{
	enum { CYCLES = 300 };
	static int64_t bus_cycle[CYCLES], tail[CYCLES], wall[CYCLES];
	static int64_t predicted[CYCLES];
	struct bench_bus t;
	struct dx_exchange_result res;
	struct dx_can_periodic per[32];
	struct dx_can_bus_rates rates = {BITRATE, 0};
	struct dx_can_bus_budget bud;
	double plan_hz = 0;
	int64_t t0, t1;
	long total_frames = 0;
	int ok = 0;

	start(&t, "timing", ak16, 16, 3);
	/* warm up: page in, let the server thread settle */
	for (int i = 0; i < 20; i++)
		cycle(&t, 100 * DX_NS_PER_MS, &res);
	drain_monitor(&t);
	t0 = dx_time_now_ns();
	for (int k = 0; k < CYCLES; k++) {
		struct dx_can_frame f[64];
		int64_t sum = 0;
		int nf = 0, got;
		int err = cycle(&t, 100 * DX_NS_PER_MS, &res);
		int64_t back = now_ns(&t);

		ok += err == 0;
		ck_assert_uint_eq(res.expected, 16);
		bus_cycle[k] = res.last_reply_ns - res.sent_ns;
		tail[k] = back - res.last_reply_ns;
		wall[k] = back - res.sent_ns;
		/* every frame of the cycle as seen by a monitor node: the
		 * exact bus time it needs */
		while ((got = dx_can_recv(t.mon, f, 64)) > 0) {
			for (int j = 0; j < got; j++) {
				int64_t ns = dx_can_frame_ns(&f[j], BITRATE, 0);
				ck_assert_int_gt(ns, 0);
				sum += ns;
				nf++;
			}
		}
		/* on simbus the monitor has every frame of the cycle by now;
		 * a kernel may still be delivering to the monitor socket */
		if (on_simbus)
			ck_assert_int_eq(nf, 32);
		total_frames += nf;
		predicted[k] = sum + (nf - 1) * DX_CAN_IFS_BITS * 1000;
	}
	if (!on_simbus) {
		struct dx_can_frame f[64];
		int got;
		sleep_ns(100 * DX_NS_PER_MS);
		while ((got = dx_can_recv(t.mon, f, 64)) > 0)
			total_frames += got;
	}
	ck_assert_int_eq(total_frames, 32 * CYCLES);
	t1 = dx_time_now_ns();
	ck_assert_int_eq(ok, CYCLES);

	/* the budget planner's worst-case figure for the same 32 frames */
	for (int i = 0; i < 32; i++) {
		per[i].bus = 0;
		per[i].id = i < 16 ? (uint32_t)i + 1 : 0;
		per[i].len = 8;
		per[i].flags = 0;
		per[i].rate_hz = 1.0;
	}
	ck_assert_int_eq(dx_can_budget_plan(per, 32, &rates, 1, 1.0, &bud,
					    &plan_hz), 0);

	qsort(bus_cycle, CYCLES, sizeof(int64_t), cmp_i64);
	qsort(tail, CYCLES, sizeof(int64_t), cmp_i64);
	qsort(wall, CYCLES, sizeof(int64_t), cmp_i64);
	qsort(predicted, CYCLES, sizeof(int64_t), cmp_i64);
	double med_bus = (double)bus_cycle[CYCLES / 2];
	double med_pred = (double)predicted[CYCLES / 2];
	double rate_bus = 1e9 / med_bus, rate_pred = 1e9 / med_pred;
	double rate_wall = 1e9 / (double)wall[CYCLES / 2];
	double rate_loop = CYCLES * 1e9 / (double)(t1 - t0);

	printf("exchange 16 MIT drives @1 Mbit/s on %s:\n"
	       "  bus time per cycle: median %.1f us (min %.1f, p90 %.1f)\n"
	       "  exact prediction (frame bits + IFS): median %.1f us\n"
	       "  planner worst case: %.1f us/cycle = %.1f Hz\n"
	       "  rate on the bus %.1f Hz, predicted %.1f Hz (%+.2f %%)\n"
	       "  return after last reply: median %.1f us, p90 %.1f us\n"
	       "  wall cycle median %.1f us = %.1f Hz; loop %.1f Hz\n",
	       bus_uri, med_bus / 1e3, (double)bus_cycle[0] / 1e3,
	       (double)bus_cycle[CYCLES * 9 / 10] / 1e3, med_pred / 1e3,
	       1e6 / plan_hz, plan_hz, rate_bus, rate_pred,
	       100.0 * (rate_bus / rate_pred - 1.0), (double)tail[CYCLES / 2] / 1e3,
	       (double)tail[CYCLES * 9 / 10] / 1e3,
	       (double)wall[CYCLES / 2] / 1e3, rate_wall, rate_loop);
	if (!on_simbus)
		printf("  (%s has no bit timing: the rates are reported, not "
		       "compared)\n", bus_uri);
	if (on_simbus) {
		/* the bus model: a cycle is the 32 frames back to back */
		ck_assert_msg(fabs(rate_bus / rate_pred - 1.0) <= 0.05,
			      "bus rate %.1f Hz vs exact %.1f Hz", rate_bus,
			      rate_pred);
		/* physics: no cycle beats the sum of its frames */
		ck_assert_int_ge(bus_cycle[0], predicted[0] * 99 / 100);
		/* the planner charges worst-case stuffing: we may be faster,
		 * never more than 5 % slower */
		ck_assert_msg(rate_bus >= 0.95 * plan_hz,
			      "bus rate %.1f Hz below planner %.1f Hz", rate_bus,
			      plan_hz);
		/* no fixed waits: the exchange returns right after the last
		 * reply, not at the 20 ms deadline */
		ck_assert_msg(wall[CYCLES / 2] < 2 * (int64_t)med_pred,
			      "wall cycle %lld ns", (long long)wall[CYCLES / 2]);
		ck_assert_msg(tail[CYCLES / 2] < 1000 * DX_NS_PER_US,
			      "median return delay %lld ns",
			      (long long)tail[CYCLES / 2]);
	}
	for (size_t i = 0; i < 16; i++) {
		ck_assert_uint_ge(t.b.dev[i].link.replies, CYCLES);
		ck_assert_uint_eq(t.b.dev[i].link.duplicates, 0);
		ck_assert_uint_eq(t.b.dev[i].link.wrong_device, 0);
	}
	stop(&t);
}
END_TEST

static const char *const dm8[8] = {
	"mit:dm-j4310:id=1", "mit:dm-j4310:id=2", "mit:dm-j4310:id=3",
	"mit:dm-j4310:id=4", "mit:dm-j4310:id=5", "mit:dm-j4310:id=6",
	"mit:dm-j4310:id=7", "mit:dm-j4310:id=8",
};

/* A drive that stops answering is lost after N cycles; others go on, and
 * the cycle no longer waits for it. */
START_TEST(test_exchange_lost_link)
{
	struct bench_bus t;
	struct dx_exchange_result res;
	const unsigned N = 4;
	int err;

	struct dx_simbus_fault fr;
	int h;

	start(&t, "lost", dm8, 8, N);
	for (int i = 0; i < 5; i++)
		cycle(&t, 100 * DX_NS_PER_MS, &res); /* warm-up */
	ck_assert_int_eq(cycle(&t, 300 * DX_NS_PER_MS, &res), 0);
	/* drive 4 falls silent: its replies (master id 0x14) vanish */
	memset(&fr, 0, sizeof(fr));
	fr.kind = DX_SIMBUS_FAULT_DROP;
	fr.id = 0x14, fr.mask = 0x7ff, fr.node = -1;
	h = dx_simbus_fault_add(t.host, &fr);
	ck_assert_int_ge(h, 0);
	for (unsigned k = 1; k <= N; k++) {
		int64_t a = dx_time_now_ns();
		err = cycle(&t, 50 * DX_NS_PER_MS, &res);
		ck_assert_int_eq(res.received, 7);
		ck_assert_uint_eq(t.b.dev[3].link.consecutive_misses, k);
		ck_assert_int_eq(t.b.dev[3].link.lost, k >= N);
		ck_assert_int_eq(err, DX_ETIMEDOUT);
		ck_assert_int_ge(dx_time_now_ns() - a, 50 * DX_NS_PER_MS - 100000);
	}
	/* lost: the others run at full speed without waiting */
	for (int i = 0; i < 20; i++) {
		int64_t a = dx_time_now_ns();
		err = cycle(&t, 300 * DX_NS_PER_MS, &res);
		ck_assert_msg(err == 0, "cycle %d: %s, received %u missed %u "
			      "lost %u pending %u", i, dx_strerror(err),
			      res.received, res.missed, res.lost, t.b.pending);
		ck_assert_int_eq(res.received, 7);
		ck_assert_int_eq(res.lost, 1);
		ck_assert_int_lt(dx_time_now_ns() - a, 150 * DX_NS_PER_MS);
	}
	for (int i = 0; i < 8; i++)
		if (i != 3)
			ck_assert_int_eq(t.b.dev[i].link.consecutive_misses, 0);
	ck_assert_uint_ge(t.b.dev[3].link.misses, N + 20);
	/* it comes back */
	ck_assert_int_eq(dx_simbus_fault_remove(t.host, h), 0);
	err = cycle(&t, 100 * DX_NS_PER_MS, &res);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(res.received, 8);
	ck_assert(!t.b.dev[3].link.lost);
	stop(&t);
}
END_TEST

/* Wrong ID, duplicate, late, corrupted, stale: each counted and ignored;
 * bus-off reported. Damiao drives reply on their own master ids
 * (id + 0x10), so bus fault rules can pick one drive's replies. */
START_TEST(test_exchange_bad_frames)
{
	struct bench_bus t;
	struct dx_exchange_result res;
	struct dx_simbus_fault fr;
	struct dx_can_frame f;
	struct dx_drive_fb before;
	int h;

	start(&t, "bad", dm8, 8, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);

	/* wrong device: a reply on drive 3's master id naming motor 4, and a
	 * frame nobody expects */
	before = t.b.dev[2].fb;
	memset(&f, 0, sizeof(f));
	f.id = 0x13, f.len = 8, f.data[0] = 0x14;
	memset(f.data + 1, 0x55, 7);
	ck_assert_int_eq(dx_can_send(t.inj, &f, 1), 1);
	f.id = 0x555;
	ck_assert_int_eq(dx_can_send(t.inj, &f, 1), 1);
	dx_simbus_wait_tx(t.inj, now_ns(&t) + 10 * DX_NS_PER_MS);
	sleep_ns(DX_NS_PER_MS);
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);
	ck_assert_uint_eq(t.b.dev[2].link.wrong_device, 1);
	ck_assert_uint_eq(t.b.stats.unknown_ids, 1);
	/* the genuine reply was applied, the impostor's 0x55 bytes were not */
	ck_assert(t.b.dev[2].fb.ts_ns > before.ts_ns);
	ck_assert(fabs(t.b.dev[2].fb.pos - (-12.5 + 25.0 * 0x5555 / 65535.0)) >
		  1.0);

	/* duplicate of drive 2's reply */
	memset(&fr, 0, sizeof(fr));
	fr.kind = DX_SIMBUS_FAULT_DUPLICATE;
	fr.id = 0x12, fr.mask = 0x7ff, fr.count = 1, fr.node = -1;
	h = dx_simbus_fault_add(t.host, &fr);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);
	/* the copy may trail the cycle's end: it is counted either way */
	sleep_ns(2 * DX_NS_PER_MS);
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);
	ck_assert_uint_eq(t.b.dev[1].link.duplicates, 1);
	dx_simbus_fault_remove(t.host, h);

	/* late: drive 8 (the last to answer) is delayed past the deadline */
	fr.kind = DX_SIMBUS_FAULT_DELAY;
	fr.id = 0x18, fr.delay_ns = 120 * DX_NS_PER_MS;
	h = dx_simbus_fault_add(t.host, &fr);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(cycle(&t, 50 * DX_NS_PER_MS, &res), DX_ETIMEDOUT);
	ck_assert_int_eq(res.received, 7);
	ck_assert_uint_eq(t.b.dev[7].link.misses, 1);
	sleep_ns(150 * DX_NS_PER_MS); /* it arrives before the next cycle */
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);
	ck_assert_uint_eq(t.b.dev[7].link.late, 1);
	ck_assert_uint_eq(t.b.dev[7].link.replies, 4 + 1 + 1 + 1);
	dx_simbus_fault_remove(t.host, h);

	/* corrupted: drive 6's reply becomes an error frame */
	fr.kind = DX_SIMBUS_FAULT_CORRUPT;
	fr.id = 0x16, fr.delay_ns = 0;
	h = dx_simbus_fault_add(t.host, &fr);
	uint64_t err_before = t.b.stats.err_frames;
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(cycle(&t, 50 * DX_NS_PER_MS, &res), DX_ETIMEDOUT);
	ck_assert_int_eq(res.missed, 1);
	ck_assert_int_eq(t.b.dev[5].answered, false);
	ck_assert_uint_eq(t.b.stats.err_frames, err_before + 1);
	dx_simbus_fault_remove(t.host, h);
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);

	/* stale: a frame stamped before this cycle began */
	struct dx_mit_addr a = {t.d[0].model, 1, 0x11};
	struct dx_mit_fb mf;
	memset(&mf, 0, sizeof(mf));
	mf.pos = 3.0, mf.temp_c = 30, mf.enabled = true;
	ck_assert_int_eq(dx_mit_encode_reply(&a, &mf, &f, NULL), 0);
	f.ts_ns = t.b.cycle_start_ns - 1;
	t.b.dev[0].got = 0;
	dx_drive_bus_route(&t.b, &f, true);
	ck_assert_uint_eq(t.b.dev[0].link.stale, 1);
	ck_assert(fabs(t.b.dev[0].fb.pos - 3.0) > 1.0); /* not applied */

	/* a driver fault: one enum, the vendor code kept */
	mf.pos = 0.0, mf.fault = DX_DRIVE_FAULT_NONE, mf.vendor_code = 0xa;
	ck_assert_int_eq(dx_mit_encode_reply(&a, &mf, &f, NULL), 0);
	f.ts_ns = t.b.cycle_start_ns + 1;
	t.b.dev[0].got = 0;
	dx_drive_bus_route(&t.b, &f, true);
	ck_assert_int_eq(t.b.dev[0].fb.fault, DX_DRIVE_FAULT_OVERCURRENT);
	ck_assert_uint_eq(t.b.dev[0].fb.vendor_code, 0xa);
	ck_assert_int_eq(t.b.dev[0].link.last_fault, DX_DRIVE_FAULT_OVERCURRENT);
	ck_assert(!t.b.dev[0].fb.enabled);

	/* malformed: right id, wrong length */
	f.ts_ns = t.b.cycle_start_ns + 1;
	f.len = 5;
	dx_drive_bus_route(&t.b, &f, true);
	ck_assert_uint_eq(t.b.dev[0].link.malformed, 1);

	/* a babbling node floods the bus: the cycle still ends at its
	 * deadline, the replies queued behind the flood are missed, and the
	 * flood is counted as unknown frames, never applied */
	memset(&f, 0, sizeof(f));
	f.id = 0x7f0, f.len = 8;
	uint64_t unknown_before = t.b.stats.unknown_ids;
	ck_assert_int_ge(dx_simbus_babble(t.inj, &f, 1500), 1000);
	int64_t b0 = dx_time_now_ns();
	ck_assert_int_eq(cycle(&t, 20 * DX_NS_PER_MS, &res), DX_ETIMEDOUT);
	int64_t took = dx_time_now_ns() - b0;
	ck_assert_msg(took < 150 * DX_NS_PER_MS, "cycle took %lld ns",
		      (long long)took);
	ck_assert_uint_gt(t.b.stats.unknown_ids, unknown_before);
	sleep_ns(250 * DX_NS_PER_MS); /* 1500 frames ≈ 170 ms of bus */
	for (int i = 0; i < 3; i++)
		cycle(&t, 100 * DX_NS_PER_MS, &res);
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);
	ck_assert_int_eq(res.received, 8);

	/* bus-off of the host controller is reported, then recovered */
	ck_assert_int_eq(dx_simbus_set_bus_off(t.host, -1, true), 0);
	ck_assert_int_eq(cycle(&t, 5 * DX_NS_PER_MS, &res), DX_EBUSOFF);
	ck_assert(res.bus_off);
	ck_assert_uint_eq(t.b.stats.bus_off, 1);
	ck_assert_int_eq(dx_simbus_set_bus_off(t.host, -1, false), 0);
	ck_assert_int_eq(cycle(&t, 100 * DX_NS_PER_MS, &res), 0);
	ck_assert_int_eq(res.received, 8);
	stop(&t);
}
END_TEST

/* Every protocol on one bus; CiA 402 is brought to operation enabled by
 * the exchange's state stepping, and positions track their targets. */
START_TEST(test_exchange_mixed)
{
	static const char *const mix[] = {
		"mit:ak70-10:id=1", "mit:dm-j4340:id=2", "mit:rs01:id=3",
		"odrive:default:id=8", "cia402:generic:id=5",
	};
	struct bench_bus t;
	struct dx_exchange_result res;
	struct dx_can_frame nmt;
	int err = 0;

	start(&t, "mix", mix, 5, 3);
	/* routing is O(1) and exact for every reply kind */
	for (size_t i = 0; i < 5; i++) {
		struct dx_can_frame out[4], in;
		int n;
		memset(&in, 0, sizeof(in));
		if (t.d[i].proto == DX_DRIVE_CIA402) {
			dx_co_sync(&in);
		} else if (t.d[i].proto == DX_DRIVE_ODRIVE) {
			in.id = 8u << 5 | DX_ODRIVE_GET_ENCODER_ESTIMATES;
			in.flags = DX_CAN_RTR;
			in.len = 8;
		} else {
			struct dx_mit_addr a = {t.d[i].model, t.d[i].id,
						t.d[i].master};
			dx_mit_encode_special(&a, DX_MIT_ENABLE, &in);
		}
		struct dx_vdrive tmp;
		ck_assert_int_eq(dx_vdrive_init(&tmp, &t.d[i]), 0);
		tmp.nmt = DX_NMT_OPERATIONAL;
		n = dx_vdrive_handle(&tmp, &in, out, 4);
		ck_assert_int_ge(n, 1);
		for (int j = 0; j < n; j++)
			ck_assert_int_eq(dx_drive_bus_lookup(&t.b, &out[j]),
					 (int)i);
	}
	ck_assert_int_eq(dx_co_nmt(0, DX_NMT_START, &nmt), 0);
	ck_assert_int_eq(dx_can_send(t.host, &nmt, 1), 1);
	sleep_ns(2 * DX_NS_PER_MS);
	for (int k = 0; k < 400; k++) {
		err = cycle(&t, 100 * DX_NS_PER_MS, &res);
		if (k > 5)
			ck_assert_int_eq(err, 0);
		sleep_ns(DX_NS_PER_MS);
	}
	ck_assert_int_eq(t.b.dev[4].fb.state, DX_CIA402_OPERATION_ENABLED);
	for (size_t i = 0; i < 5; i++) {
		/* targets 0.1 * i rad; 0.4 s of simulated motion */
		ck_assert_msg(fabs(t.b.dev[i].fb.pos - 0.1 * (double)i) < 0.05,
			      "drive %zu at %g", i, t.b.dev[i].fb.pos);
		ck_assert_uint_eq(t.b.dev[i].link.wrong_device, 0);
		ck_assert_uint_eq(t.b.dev[i].link.malformed, 0);
	}
	stop(&t);
}
END_TEST

START_TEST(test_route_conflicts)
{
	struct dx_drive_desc d[2];
	struct dx_drive_bus_config cfg;
	static struct dx_drive_bus b;

	memset(&cfg, 0, sizeof(cfg));
	cfg.devs = d;
	cfg.n_devs = 2;
	ck_assert_int_eq(dx_drive_desc_parse("mit:ak80-9:id=1", &d[0]), 0);
	ck_assert_int_eq(dx_drive_desc_parse("mit:ak60-6:id=1", &d[1]), 0);
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), DX_EEXIST);
	ck_assert_int_eq(dx_drive_desc_parse("odrive:default:id=0", &d[1]), 0);
	/* node 0's heartbeat 0x001 does not collide with master id 0 */
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), DX_EEXIST);
	ck_assert_int_eq(dx_drive_desc_parse("odrive:default:id=1", &d[1]), 0);
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), 0);
	ck_assert_int_eq(dx_drive_desc_parse("mit:rs01:id=1", &d[0]), 0);
	ck_assert_int_eq(dx_drive_desc_parse("mit:rs05:id=1", &d[1]), 0);
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), DX_EEXIST);
	cfg.n_devs = DX_DRIVE_BUS_MAX + 1;
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), DX_ENOSPC);
	struct dx_drive_cmd c = {NAN, 0, 0, 0, 0, 0, false};
	cfg.n_devs = 1;
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), 0);
	ck_assert_int_eq(dx_drive_bus_set_cmd(&b, 0, &c), DX_ENOTFINITE);
	ck_assert_int_eq(dx_drive_bus_set_cmd(&b, 5, &c), DX_EINVAL);
}
END_TEST

/* Feedback that does not decode to finite numbers is malformed, never
 * applied (ODrive sends float32: NaN is one bit pattern away). */
START_TEST(test_route_nonfinite)
{
	static struct dx_drive_bus b;
	struct dx_drive_desc d;
	struct dx_drive_bus_config cfg;
	struct dx_can_frame f;
	static const uint8_t nan_pos[8] = {0xcd, 0xcc, 0xcc, 0x3d,
					   0x03, 0xe1, 0xff, 0xff};

	ck_assert_int_eq(dx_drive_desc_parse("odrive:default:id=5", &d), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.devs = &d;
	cfg.n_devs = 1;
	ck_assert_int_eq(dx_drive_bus_init(&b, &cfg), 0);
	memset(&f, 0, sizeof(f));
	f.id = 5u << 5 | DX_ODRIVE_GET_ENCODER_ESTIMATES;
	f.len = 8;
	memcpy(f.data, nan_pos, 8); /* pos 0.1 turn, vel NaN */
	dx_drive_bus_route(&b, &f, true);
	ck_assert_uint_eq(b.dev[0].link.malformed, 1);
	ck_assert_uint_eq(b.dev[0].link.replies, 0);
	ck_assert(isfinite(b.dev[0].fb.vel));
	f.data[7] = 0x3f; /* vel finite now: applied */
	dx_drive_bus_route(&b, &f, true);
	ck_assert_uint_eq(b.dev[0].link.replies, 1);
	dx_ck_near(b.dev[0].fb.pos, 0.1 * 2 * M_PI, 1e-6);
}
END_TEST

/* ---- link supervision without a transport (prepare / deliver) -------- */

static struct dx_drive_bus sup_b;
static struct dx_mit_addr sup_a;
static int64_t sup_t;

/* One Damiao drive (id 1, replies on 0x11), 1 ms cycles on a bus clock
 * that starts at 1 s; @p br 0 leaves the timing check off. */
static void sup_init(unsigned integrity_window, unsigned integrity_limit,
		     uint32_t br)
{
	static struct dx_drive_desc d;
	struct dx_drive_bus_config cfg;

	ck_assert_int_eq(dx_drive_desc_parse("mit:dm-j4310:id=1", &d), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.devs = &d;
	cfg.n_devs = 1;
	cfg.lost_after = 3;
	cfg.integrity_window = integrity_window;
	cfg.integrity_limit = integrity_limit;
	cfg.bitrate = br;
	ck_assert_int_eq(dx_drive_bus_init(&sup_b, &cfg), 0);
	sup_a = (struct dx_mit_addr){d.model, d.id, d.master};
	sup_t = DX_NS_PER_S;
}

static struct dx_can_frame sup_reply(double pos, int64_t after_start_ns)
{
	struct dx_mit_fb fb;
	struct dx_can_frame f;

	memset(&fb, 0, sizeof(fb));
	fb.id = 1, fb.pos = pos, fb.temp_c = 30, fb.enabled = true;
	ck_assert_int_eq(dx_mit_encode_reply(&sup_a, &fb, &f, NULL), 0);
	f.ts_ns = sup_t + after_start_ns;
	return f;
}

/* One cycle with @p n replies (stamped 400 us after the start). */
static void sup_cycle(const double *pos, size_t n)
{
	struct dx_can_frame f[4];
	struct dx_exchange_result res;

	ck_assert_int_ge(dx_drive_bus_prepare(&sup_b, sup_t, NULL, 0), 1);
	for (size_t k = 0; k < n; k++)
		f[k] = sup_reply(pos[k], 400 * DX_NS_PER_US);
	dx_drive_bus_deliver(&sup_b, sup_t + 900 * DX_NS_PER_US, f, n, &res);
	sup_t += DX_NS_PER_MS;
}

/* The leaky error counter: a miss every other cycle never makes three in
 * a row but loses the link; sparse misses never do; an outage is the
 * consecutive rule's and does not delay the return. */
START_TEST(test_link_error_counter)
{
	const struct dx_link_stats *l = &sup_b.dev[0].link;
	const double p = 0.1;
	unsigned k;

	sup_init(0, 0, 0);
	ck_assert_uint_eq(sup_b.error_limit, 96); /* 32 x lost_after */
	/* alternate: +8, -1, ...: after n pairs 7n, a miss then makes
	 * 7n + 8 >= 96 first at n = 13, the 27th cycle */
	for (k = 0; k < 27; k++) {
		ck_assert_msg(!l->lost, "lost early, cycle %u count %u", k,
			      l->error_count);
		sup_cycle(&p, k % 2);
		ck_assert_uint_le(l->consecutive_misses, 1);
	}
	ck_assert(l->lost);
	ck_assert(l->errors_high);
	ck_assert_uint_eq(l->error_count, 96); /* held at the limit */
	/* answering again: up at 3/4 of the limit, 24 answers later */
	for (k = 0; k < 23; k++) {
		sup_cycle(&p, 1);
		ck_assert(l->lost);
	}
	sup_cycle(&p, 1);
	ck_assert(!l->lost);
	ck_assert_uint_eq(l->error_count, 72);

	/* one miss in ten for 1000 cycles: +8 -9, the counter drains */
	sup_init(0, 0, 0);
	for (k = 0; k < 1000; k++) {
		sup_cycle(&p, k % 10 != 0);
		ck_assert(!l->lost);
		ck_assert_uint_le(l->error_count, 8);
	}

	/* an outage of 50 cycles: lost after 3 by the consecutive rule, the
	 * counter holds at 3 x 8, and the first answer brings it back */
	sup_init(0, 0, 0);
	for (k = 1; k <= 50; k++) {
		sup_cycle(&p, 0);
		ck_assert_int_eq(l->lost, k >= 3);
	}
	ck_assert_uint_eq(l->error_count, 24);
	sup_cycle(&p, 1);
	ck_assert(!l->lost);
}
END_TEST

/* Link integrity: identical copies are harmless, a conflicting second
 * reply is an event, and events in integrity_limit of the last
 * integrity_window cycles make the link suspect until they slide out. */
START_TEST(test_link_integrity)
{
	const struct dx_link_stats *l = &sup_b.dev[0].link;
	const double same[2] = {0.2, 0.2}, other[2] = {0.9, 0.2};
	unsigned k;

	sup_init(32, 8, 0);
	for (k = 0; k < 64; k++)
		sup_cycle(same, 2);
	ck_assert_uint_eq(l->duplicates, 64);
	ck_assert_uint_eq(l->conflicts, 0);
	ck_assert(!l->suspect);
	/* another device answers first with other content */
	for (k = 1; k <= 8; k++) {
		sup_cycle(other, 2);
		ck_assert_uint_eq(l->conflicts, k);
		ck_assert_int_eq(l->suspect, k == 8);
	}
	/* the first reply of the cycle was applied: 0.9 rad */
	dx_ck_near(sup_b.dev[0].fb.pos, 0.9, 1e-3);
	ck_assert_uint_eq(l->integrity_cycles, 8);
	/* clean again: suspect until fewer than 8 of the last 32 cycles had
	 * an event, i.e. 25 clean cycles */
	for (k = 1; k <= 25; k++) {
		sup_cycle(same, 1);
		ck_assert_int_eq(l->suspect, k < 25);
	}
	ck_assert_uint_eq(l->integrity_cycles, 7);

	/* a frame naming another motor on this ID and a late reply are
	 * events too; a window of 4 with a limit of 2 */
	sup_init(4, 2, 0);
	{
		struct dx_can_frame f;
		struct dx_exchange_result res;
		const double p = 0.1;

		ck_assert_int_ge(dx_drive_bus_prepare(&sup_b, sup_t, NULL, 0), 1);
		f = sup_reply(0.1, 400 * DX_NS_PER_US);
		f.data[0] = 0x02; /* Damiao: motor 2 in the low nibble */
		dx_drive_bus_route(&sup_b, &f, true);
		dx_drive_bus_deliver(&sup_b, sup_t + 900 * DX_NS_PER_US, NULL, 0,
				     &res);
		sup_t += DX_NS_PER_MS;
		ck_assert_uint_eq(l->wrong_device + sup_b.stats.unknown_ids, 1);
		ck_assert(!l->suspect);
		ck_assert_int_ge(dx_drive_bus_prepare(&sup_b, sup_t, NULL, 0), 1);
		f = sup_reply(0.1, 950 * DX_NS_PER_US); /* after the deadline */
		dx_drive_bus_deliver(&sup_b, sup_t + 900 * DX_NS_PER_US, &f, 1,
				     &res);
		sup_t += DX_NS_PER_MS;
		ck_assert_uint_eq(l->late, 1);
		ck_assert_int_eq(l->suspect, l->wrong_device == 1);
		for (k = 0; k < 4; k++)
			sup_cycle(&p, 1);
		ck_assert(!l->suspect);
	}
}
END_TEST

/* The early-reply check: at 1 Mbit/s a classic 8-byte MIT command is at
 * least 108 bits without stuffing (SOF 1, identifier 11, RTR 1, IDE 1,
 * r0 1, DLC 4, data 64, CRC 15, delimiters 2, ACK 1, EOF 7: ISO
 * 11898-1:2015 10.4.2), the intermission 3 bits, the classic reply 108:
 * 219 us. A reply stamped sooner is not this cycle's answer. */
START_TEST(test_link_early_reply)
{
	const struct dx_link_stats *l = &sup_b.dev[0].link;
	struct dx_can_frame f[2];
	struct dx_exchange_result res;

	sup_init(32, 8, 1000000);
	ck_assert_int_eq(sup_b.dev[0].min_answer_ns[0], 219 * DX_NS_PER_US);
	/* FD replies have bounds of their own (longer than classic at one
	 * bit rate: FDF, ESI, stuff count, 17-bit CRC) */
	ck_assert_int_gt(sup_b.dev[0].min_answer_ns[1],
			 sup_b.dev[0].min_answer_ns[0]);
	ck_assert_int_gt(sup_b.dev[0].min_answer_ns[2], 0);
	ck_assert_int_eq(dx_drive_bus_prepare(&sup_b, sup_t, NULL, 0), 1);
	f[0] = sup_reply(0.7, 218 * DX_NS_PER_US);
	f[1] = sup_reply(0.3, 219 * DX_NS_PER_US);
	ck_assert_int_eq(dx_drive_bus_deliver(&sup_b, sup_t + 900 * DX_NS_PER_US,
					      f, 2, &res), 0);
	ck_assert_uint_eq(l->early, 1);
	ck_assert_uint_eq(l->replies, 1);
	dx_ck_near(sup_b.dev[0].fb.pos, 0.3, 1e-3);
	ck_assert_uint_eq(l->integrity_cycles, 1);
	/* without bit rates (vcan) there is no check */
	sup_init(32, 8, 0);
	ck_assert_int_eq(sup_b.dev[0].min_answer_ns[0], 0);
	ck_assert_int_eq(dx_drive_bus_prepare(&sup_b, sup_t, NULL, 0), 1);
	f[0] = sup_reply(0.7, 1000);
	dx_drive_bus_deliver(&sup_b, sup_t + 900 * DX_NS_PER_US, f, 1, &res);
	ck_assert_uint_eq(l->early, 0);
	ck_assert_uint_eq(l->replies, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exchange");
	TCase *tc = tcase_create("exchange");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_route_conflicts);
	tcase_add_test(tc, test_route_nonfinite);
	tcase_add_test(tc, test_link_error_counter);
	tcase_add_test(tc, test_link_integrity);
	tcase_add_test(tc, test_link_early_reply);
	tcase_add_test(tc, test_exchange_16_timing);
	if (bus_override() && strncmp(bus_override(), "simbus:", 7) != 0) {
		/* these inject faults with simbus rules */
		printf("not run on %s (need simbus fault injection): lost link, "
		       "bad frames\n", bus_override());
	} else {
		tcase_add_test(tc, test_exchange_lost_link);
		tcase_add_test(tc, test_exchange_bad_frames);
	}
	tcase_add_test(tc, test_exchange_mixed);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
