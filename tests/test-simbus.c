/* SPDX-License-Identifier: MIT */
/* Unit tests of the simbus backend: bus order, filters, echo rules, timing
 * on the virtual clock, every fault, TX queue limits, crashed nodes, stale
 * segments, and two processes exchanging 100,000 frames. Every bus name
 * carries the pid so parallel runs never share a segment. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <dexrt/busload.h>
#include <dexrt/can.h>
#include <dexrt/simbus.h>

#include "dx-check.h"

static char busname[64];

static const char *bname(const char *tag)
{
	snprintf(busname, sizeof(busname), "t%d-%s", (int)getpid(), tag);
	dx_simbus_unlink(busname); /* leftovers of a crashed earlier run */
	return busname;
}

static struct dx_can *open_node(const char *name, bool virt, uint32_t br,
				bool recv_own, const struct dx_can_filter *flt,
				size_t nflt)
{
	struct dx_can_opts o = {0};
	struct dx_simbus_opts so = {0};
	struct dx_can *c = NULL;
	int err;

	o.bitrate = br;
	o.recv_own = recv_own;
	o.filters = flt;
	o.n_filters = nflt;
	o.fd = true;
	so.clock = virt ? DX_SIMBUS_CLOCK_VIRTUAL : DX_SIMBUS_CLOCK_REAL;
	err = dx_simbus_open(&c, name, &o, &so);
	ck_assert_msg(err == 0, "open %s: %s", name, dx_strerror(err));
	return c;
}

static struct dx_can_frame mk(uint32_t id, unsigned len, uint8_t fill)
{
	struct dx_can_frame f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.len = (uint8_t)len;
	memset(f.data, fill, len);
	return f;
}

static int64_t dur_ns(const struct dx_can_frame *f, uint32_t br)
{
	return dx_can_frame_ns(f, br, 0);
}

static bool shm_exists(const char *name)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof(p), "/dev/shm/dx-simbus-%s", name);
	return stat(p, &st) == 0;
}

/* ---- order, filters, echo ------------------------------------------------ */

START_TEST(test_order_filters_echo)
{
	const char *name = bname("order");
	struct dx_can_filter flt = {.id = 0x100, .mask = 0x7f0, .ext = false};
	struct dx_can *a = open_node(name, true, 500000, false, NULL, 0);
	struct dx_can *b = open_node(name, true, 0, false, &flt, 1);
	struct dx_can *c = open_node(name, true, 0, true, NULL, 0);
	struct dx_can_frame fa[3] = {mk(0x100, 1, 1), mk(0x200, 2, 2),
				     mk(0x105, 3, 3)};
	struct dx_can_frame fc = mk(0x300, 4, 4), fa2 = mk(0x10f, 1, 9);
	struct dx_can_frame got[16];
	struct dx_can_stats st;
	int n;

	ck_assert_int_eq(dx_can_bitrate(b, false), 500000); /* from the bus */
	ck_assert_int_eq(dx_can_send(a, fa, 2), 2);
	ck_assert_int_eq(dx_can_send(c, &fc, 1), 1);
	ck_assert_int_eq(dx_can_send(a, &fa[2], 1), 1);
	ck_assert_int_eq(dx_can_send(a, &fa2, 1), 1);
	/* nothing is on the far side of the wire yet */
	ck_assert_int_eq(dx_can_recv(b, got, 16), 0);
	ck_assert_int_eq(dx_simbus_advance(a, 10 * DX_NS_PER_MS), 0);

	/* c echoes its own frame and sees everything in bus order */
	n = dx_can_recv(c, got, 16);
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(got[0].id, 0x100);
	ck_assert_uint_eq(got[1].id, 0x200);
	ck_assert_uint_eq(got[2].id, 0x300);
	ck_assert_uint_eq(got[3].id, 0x105);
	ck_assert_uint_eq(got[4].id, 0x10f);
	for (int i = 1; i < n; i++)
		ck_assert_int_gt(got[i].ts_ns, got[i - 1].ts_ns);
	ck_assert_int_eq(got[3].len, 3);
	ck_assert_int_eq(got[3].data[2], 3);

	/* b: only 0x10x, in the same order */
	n = dx_can_recv(b, got, 16);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(got[0].id, 0x100);
	ck_assert_uint_eq(got[1].id, 0x105);
	ck_assert_uint_eq(got[2].id, 0x10f);

	/* a: no echo of its own frames */
	n = dx_can_recv(a, got, 16);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(got[0].id, 0x300);
	dx_can_get_stats(a, &st);
	ck_assert_uint_eq(st.tx_frames, 4);
	ck_assert_uint_eq(st.rx_frames, 1);

	/* filters replaced at run time; extended IDs matched by the flag */
	struct dx_can_filter ef = {.id = 0x1234567, .mask = DX_CAN_EFF_MASK,
				   .ext = true};
	ck_assert_int_eq(dx_can_set_filters(b, &ef, 1), 0);
	struct dx_can_frame e1 = mk(0x1234567, 2, 7), e2 = mk(0x567, 2, 7);
	e1.flags = DX_CAN_EXT;
	ck_assert_int_eq(dx_can_send(a, &e1, 1), 1);
	ck_assert_int_eq(dx_can_send(a, &e2, 1), 1);
	dx_simbus_advance(a, DX_NS_PER_MS);
	n = dx_can_recv(b, got, 16);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(got[0].id, 0x1234567);
	ck_assert(got[0].flags & DX_CAN_EXT);
	ck_assert_int_eq(dx_can_fd(b), -1);

	dx_can_close(a);
	dx_can_close(b);
	ck_assert(shm_exists(name));
	dx_can_close(c);
	ck_assert(!shm_exists(name)); /* last one out removes the segment */
}
END_TEST

/* ---- timing on the virtual clock ----------------------------------------- */

START_TEST(test_timing_virtual)
{
	const char *name = bname("timing");
	const uint32_t br = 500000;
	struct dx_can *a = open_node(name, true, br, false, NULL, 0);
	struct dx_can *b = open_node(name, true, br, false, NULL, 0);
	/* 124 bits (see test-busload: all-zero 8-byte frame, ID 0) */
	struct dx_can_frame z = mk(0x000, 8, 0x00), f2 = mk(0x123, 2, 0xAA);
	struct dx_can_frame got[4];
	struct dx_simbus_info inf;
	const int64_t bit = DX_NS_PER_S / br; /* 2000 ns */
	int64_t d1 = dur_ns(&z, br), d2 = dur_ns(&f2, br);

	ck_assert_int_eq(d1, 124 * bit);
	ck_assert_int_eq(dx_simbus_set_time(a, 1000000), 0);
	ck_assert_int_eq(dx_simbus_now(b), 1000000);
	ck_assert_int_eq(dx_can_send(a, &z, 1), 1);
	ck_assert_int_eq(dx_can_send(a, &f2, 1), 1);

	/* one ns before the end of frame: not yet */
	dx_simbus_set_time(a, 1000000 + d1 - 1);
	ck_assert_int_eq(dx_can_recv(b, got, 4), 0);
	ck_assert_int_eq(dx_can_wait(b, 1000000 + d1 - 1), DX_ETIMEDOUT);
	dx_simbus_advance(a, 1);
	ck_assert_int_eq(dx_can_wait(b, INT64_MAX), 0);
	ck_assert_int_eq(dx_can_recv(b, got, 4), 1);
	ck_assert_int_eq(got[0].ts_ns, 1000000 + d1);
	/* the second started after the 3-bit intermission */
	dx_simbus_set_time(a, 1000000 + d1 + 3 * bit + d2 - 1);
	ck_assert_int_eq(dx_can_recv(b, got, 4), 0);
	dx_simbus_advance(a, 1);
	ck_assert_int_eq(dx_can_recv(b, got, 4), 1);
	ck_assert_int_eq(got[0].ts_ns, 1000000 + d1 + 3 * bit + d2);

	/* an idle bus: the frame starts at its submit time */
	dx_simbus_set_time(a, 5000000);
	ck_assert_int_eq(dx_can_send(b, &f2, 1), 1);
	dx_simbus_advance(a, DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_recv(a, got, 4), 1);
	ck_assert_int_eq(got[0].ts_ns, 5000000 + d2);

	/* load: every frame charged its bits plus the intermission */
	ck_assert_int_eq(dx_simbus_get_info(a, &inf), 0);
	ck_assert(inf.virtual_clock);
	ck_assert_uint_eq(inf.frames, 3);
	ck_assert_uint_eq(inf.busy_ns, (uint64_t)(d1 + 2 * d2 + 9 * bit));
	ck_assert_int_eq(inf.nodes, 2);
	/* the clock is virtual: real-time calls are refused on a real bus */
	ck_assert_int_eq(dx_simbus_advance(a, -1), DX_EINVAL);
	dx_can_close(a);
	dx_can_close(b);
}
END_TEST

struct adv_arg {
	struct dx_can *bus;
	int64_t to;
};

static void *advance_later(void *p)
{
	struct adv_arg *a = p;
	struct timespec ts = {0, 20 * 1000 * 1000};

	nanosleep(&ts, NULL);
	dx_simbus_set_time(a->bus, a->to);
	return NULL;
}

START_TEST(test_wait_sleeps)
{
	const char *name = bname("wait");
	struct dx_can *a = open_node(name, true, 1000000, false, NULL, 0);
	struct dx_can *b = open_node(name, true, 0, false, NULL, 0);
	struct dx_can_frame f = mk(0x55, 8, 0x55), got;
	struct adv_arg arg = {a, 10 * DX_NS_PER_MS};
	pthread_t th;
	int64_t t0, el;

	ck_assert_int_eq(dx_can_send(a, &f, 1), 1);
	/* another thread moves the virtual clock after 20 ms: the waiter
	 * sleeps on the futex until then */
	t0 = dx_time_now_ns(); /* before the thread starts its 20 ms sleep */
	pthread_create(&th, NULL, advance_later, &arg);
	ck_assert_int_eq(dx_can_wait(b, INT64_MAX), 0);
	el = dx_time_now_ns() - t0;
	pthread_join(th, NULL);
	ck_assert_int_ge(el, 20 * DX_NS_PER_MS);
	ck_assert_int_eq(dx_simbus_now(b), 10 * DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_recv(b, &got, 1), 1);
	dx_can_close(a);
	dx_can_close(b);

	/* real-time bus: delivery no earlier than the end of frame */
	name = bname("waitrt");
	a = open_node(name, false, 125000, false, NULL, 0);
	b = open_node(name, false, 125000, false, NULL, 0);
	struct dx_can_frame z = mk(0, 8, 0); /* 124 bits = 992 us */
	int64_t d = dur_ns(&z, 125000);
	ck_assert_int_eq(d, 992000);
	t0 = dx_time_now_ns();
	ck_assert_int_eq(dx_can_send(a, &z, 1), 1);
	ck_assert_int_eq(dx_can_recv(b, &got, 1), 0);
	ck_assert_int_eq(dx_can_wait(b, t0 + DX_NS_PER_S), 0);
	el = dx_time_now_ns() - t0;
	ck_assert_int_ge(el, d);
	ck_assert_int_eq(dx_can_recv(b, &got, 1), 1);
	ck_assert_int_ge(got.ts_ns, t0 + d);
	/* nothing more: the wait ends at the deadline */
	t0 = dx_time_now_ns();
	ck_assert_int_eq(dx_can_wait(b, t0 + 30 * DX_NS_PER_MS), DX_ETIMEDOUT);
	el = dx_time_now_ns() - t0;
	ck_assert_int_ge(el, 30 * DX_NS_PER_MS);
	ck_assert_int_lt(el, 2 * DX_NS_PER_S);
	ck_assert_int_eq(dx_simbus_advance(a, 1), DX_ESTATE);
	dx_can_close(a);
	dx_can_close(b);
}
END_TEST

/* ---- faults -------------------------------------------------------------- */

START_TEST(test_fault_drop_corrupt)
{
	const char *name = bname("fault1");
	struct dx_can *a = open_node(name, true, 1000000, false, NULL, 0);
	struct dx_can *b = open_node(name, true, 0, false, NULL, 0);
	struct dx_can_opts o = {.no_err_frames = true};
	struct dx_can *c = NULL;
	struct dx_simbus_fault drop = {.kind = DX_SIMBUS_FAULT_DROP,
				       .id = 0x10, .mask = 0x7ff, .count = 1,
				       .node = -1};
	struct dx_simbus_fault cor = {.kind = DX_SIMBUS_FAULT_CORRUPT,
				      .all = true, .count = 2, .node = -1};
	struct dx_can_frame f10 = mk(0x10, 1, 0x10), f11 = mk(0x11, 1, 0x11);
	struct dx_can_frame got[8];
	struct dx_can_busstate bs;
	struct dx_can_stats st;
	int h;

	ck_assert_int_eq(dx_can_open(&c, "simbus:x", NULL) == 0 ? 0 : 1, 0);
	dx_can_close(c);
	dx_simbus_unlink("x");
	ck_assert_int_eq(dx_simbus_open(&c, name, &o, NULL), 0);

	h = dx_simbus_fault_add(a, &drop);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(dx_simbus_fault_remaining(a, h), 1);
	ck_assert_int_eq(dx_can_send(a, &f10, 1), 1); /* dropped */
	ck_assert_int_eq(dx_can_send(a, &f11, 1), 1); /* other id: passes */
	ck_assert_int_eq(dx_can_send(a, &f10, 1), 1); /* count spent */
	ck_assert_int_eq(dx_simbus_fault_remaining(a, h), 0);
	dx_simbus_advance(a, DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_recv(b, got, 8), 2);
	ck_assert_uint_eq(got[0].id, 0x11);
	ck_assert_uint_eq(got[1].id, 0x10);
	ck_assert_int_eq(dx_can_recv(c, got, 8), 2);
	dx_simbus_fault_remove(a, h);

	/* corrupt: receivers see an error frame instead */
	h = dx_simbus_fault_add(a, &cor);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(dx_can_send(a, &f10, 1), 1);
	ck_assert_int_eq(dx_can_send(a, &f11, 1), 1);
	ck_assert_int_eq(dx_can_send(a, &f11, 1), 1); /* rule spent: clean */
	dx_simbus_advance(a, DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_recv(b, got, 8), 3);
	ck_assert(got[0].flags & DX_CAN_ERR);
	ck_assert(got[1].flags & DX_CAN_ERR);
	ck_assert_uint_eq(got[0].id, 0x08); /* CAN_ERR_PROT */
	ck_assert_uint_eq(got[0].data[3], 0x08); /* CRC sequence */
	ck_assert(!(got[2].flags & DX_CAN_ERR));
	ck_assert_uint_eq(got[2].id, 0x11);
	dx_can_get_stats(b, &st);
	ck_assert_uint_eq(st.rx_err_frames, 2);
	dx_can_get_state(b, &bs);
	ck_assert_int_eq(bs.rx_errors, 2);
	/* c asked for no error frames */
	ck_assert_int_eq(dx_can_recv(c, got, 8), 1);
	ck_assert_uint_eq(got[0].id, 0x11);
	/* sender: +8 per corrupted frame, -1 per good one */
	dx_can_get_state(a, &bs);
	ck_assert_int_eq(bs.tx_errors, 15);
	ck_assert_int_eq(bs.state, DX_CAN_STATE_ERROR_ACTIVE);
	dx_simbus_fault_remove(a, h);

	/* a sender whose frames keep getting corrupted goes error passive
	 * (TEC >= 128) and then bus-off (TEC > 255) */
	cor.count = 0;
	cor.node = dx_simbus_node(a);
	h = dx_simbus_fault_add(a, &cor);
	ck_assert_int_ge(h, 0);
	int sent = 0, err = 0;
	for (int i = 0; i < 40; i++) {
		dx_simbus_advance(a, DX_NS_PER_MS);
		err = dx_can_send(a, &f11, 1);
		if (err != 1)
			break;
		sent++;
	}
	/* 15 + 8k > 255 after k = 31 frames */
	ck_assert_int_eq(sent, 31);
	ck_assert_int_eq(err, DX_EBUSOFF);
	dx_can_get_state(a, &bs);
	ck_assert_int_eq(bs.state, DX_CAN_STATE_BUS_OFF);
	ck_assert_uint_eq(bs.passive_count, 1);
	ck_assert_uint_eq(bs.bus_off_count, 1);
	dx_simbus_fault_remove(a, h);
	ck_assert_int_eq(dx_simbus_set_bus_off(a, -1, false), 0);
	ck_assert_int_eq(dx_can_send(a, &f11, 1), 1);
	dx_can_close(a);
	dx_can_close(b);
	dx_can_close(c);
}
END_TEST

START_TEST(test_fault_delay_duplicate)
{
	const char *name = bname("fault2");
	const uint32_t br = 1000000;
	struct dx_can *a = open_node(name, true, br, false, NULL, 0);
	struct dx_can *b = open_node(name, true, 0, false, NULL, 0);
	struct dx_simbus_fault del = {.kind = DX_SIMBUS_FAULT_DELAY,
				      .id = 0x20, .mask = 0x7ff,
				      .delay_ns = 5 * DX_NS_PER_MS, .node = -1};
	struct dx_simbus_fault dup = {.kind = DX_SIMBUS_FAULT_DUPLICATE,
				      .id = 0x30, .mask = 0x7ff, .count = 1,
				      .node = -1};
	struct dx_can_frame f20 = mk(0x20, 2, 0), f30 = mk(0x30, 2, 0);
	struct dx_can_frame got[8];
	int64_t d20 = dur_ns(&f20, br), d30 = dur_ns(&f30, br);
	int h;

	h = dx_simbus_fault_add(a, &del);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(dx_can_send(a, &f20, 1), 1);
	dx_simbus_set_time(a, 5 * DX_NS_PER_MS + d20 - 1);
	ck_assert_int_eq(dx_can_recv(b, got, 8), 0);
	dx_simbus_advance(a, 1);
	ck_assert_int_eq(dx_can_recv(b, got, 8), 1);
	ck_assert_int_eq(got[0].ts_ns, 5 * DX_NS_PER_MS + d20);
	ck_assert_int_eq(dx_simbus_fault_remaining(a, h), 0); /* unlimited */
	dx_simbus_fault_remove(a, h);

	ck_assert_int_ge(dx_simbus_fault_add(a, &dup), 0);
	dx_simbus_set_time(a, 10 * DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_send(a, &f30, 1), 1);
	ck_assert_int_eq(dx_can_send(a, &f20, 1), 1);
	dx_simbus_advance(a, DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_recv(b, got, 8), 3);
	ck_assert_uint_eq(got[0].id, 0x30);
	ck_assert_uint_eq(got[1].id, 0x30);
	ck_assert_uint_eq(got[2].id, 0x20);
	ck_assert_int_eq(got[0].ts_ns, 10 * DX_NS_PER_MS + d30);
	ck_assert_int_eq(got[1].ts_ns, got[0].ts_ns + 3000 + d30);
	/* bad rules */
	del.delay_ns = 0;
	ck_assert_int_eq(dx_simbus_fault_add(a, &del), DX_EINVAL);
	del.kind = 99;
	ck_assert_int_eq(dx_simbus_fault_add(a, &del), DX_EINVAL);
	dx_can_close(a);
	dx_can_close(b);
}
END_TEST

START_TEST(test_bus_off_and_babble)
{
	const char *name = bname("busoff");
	const uint32_t br = 1000000;
	struct dx_can *a = open_node(name, true, br, false, NULL, 0);
	struct dx_can *b = open_node(name, true, 0, false, NULL, 0);
	struct dx_can_frame f = mk(0x40, 8, 1), babble = mk(0x7ff, 8, 0xff);
	struct dx_can_frame got[256];
	struct dx_can_busstate bs;
	struct dx_can_stats st;
	int n;

	ck_assert_int_eq(dx_simbus_set_bus_off(a, dx_simbus_node(b), true), 0);
	ck_assert_int_eq(dx_can_send(b, &f, 1), DX_EBUSOFF);
	dx_can_get_state(b, &bs);
	ck_assert_int_eq(bs.state, DX_CAN_STATE_BUS_OFF);
	ck_assert_uint_eq(bs.bus_off_count, 1);
	dx_can_get_stats(b, &st);
	ck_assert_uint_eq(st.tx_errors, 1);
	ck_assert_int_eq(dx_simbus_set_bus_off(b, -1, false), 0);
	dx_can_get_state(b, &bs);
	ck_assert_int_eq(bs.state, DX_CAN_STATE_ERROR_ACTIVE);
	ck_assert_int_eq(dx_can_send(b, &f, 1), 1);
	dx_simbus_advance(a, DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_recv(a, got, 8), 1);

	/* a babbling node floods ID 0x7ff: b's frame queues behind it */
	int64_t t0 = dx_simbus_now(a);
	ck_assert_int_eq(dx_simbus_babble(a, &babble, 200), 200);
	ck_assert_int_eq(dx_can_send(b, &f, 1), 1);
	dx_simbus_advance(a, DX_NS_PER_S);
	n = dx_can_recv(b, got, 256);
	ck_assert_int_eq(n, 200);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(got[i].id, 0x7ff);
	int64_t bab_end = got[199].ts_ns;
	/* back to back: 200 * (frame + intermission) minus the last IFS */
	int64_t d = dur_ns(&babble, br);
	ck_assert_int_eq(bab_end, t0 + 200 * (d + 3000) - 3000);
	n = dx_can_recv(a, got, 256);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(got[0].ts_ns, bab_end + 3000 + dur_ns(&f, br));
	dx_can_close(a);
	dx_can_close(b);
}
END_TEST

START_TEST(test_queues_and_bad_input)
{
	const char *name = bname("queues");
	struct dx_can_opts o = {.bitrate = 1000000};
	struct dx_simbus_opts so = {.clock = DX_SIMBUS_CLOCK_VIRTUAL,
				    .capacity = 64, .tx_queue = 4};
	struct dx_can *a = NULL, *b = NULL, *x = NULL;
	struct dx_can_frame f[100], got[128];
	struct dx_can_stats st;
	int n, total = 0;

	for (int i = 0; i < 100; i++) {
		f[i] = mk(0x100, 2, 0);
		f[i].data[0] = (uint8_t)i;
	}
	ck_assert_int_eq(dx_simbus_open(&a, name, &o, &so), 0);
	ck_assert_int_eq(dx_simbus_open(&b, name, NULL, NULL), 0);
	/* TX queue of 4: the fifth frame waits for the wire */
	ck_assert_int_eq(dx_can_send(a, f, 10), 4);
	ck_assert_int_eq(dx_can_send(a, f + 4, 6), DX_ENOBUFS);
	dx_can_get_stats(a, &st);
	ck_assert_uint_eq(st.tx_full, 2);
	dx_simbus_advance(a, DX_NS_PER_MS);
	ck_assert_int_eq(dx_can_send(a, f + 4, 6), 4);

	/* a reader more than a ring (64) behind loses the oldest frames,
	 * counted, and keeps the order of what it gets */
	for (int i = 0; i < 30; i++) {
		dx_simbus_advance(a, DX_NS_PER_MS);
		ck_assert_int_eq(dx_simbus_babble(a, &f[0], 4), 4);
	}
	dx_simbus_advance(a, DX_NS_PER_MS);
	while ((n = dx_can_recv(b, got, 128)) > 0)
		total += n;
	dx_can_get_stats(b, &st);
	ck_assert_uint_gt(st.rx_dropped, 0);
	ck_assert_uint_eq(st.rx_dropped + (uint64_t)total, 128);
	/* bus backlog bound: babbling without time passing fills the ring */
	ck_assert_int_eq(dx_simbus_babble(a, &f[0], 100), 64);

	/* bad frames: counted, refused */
	struct dx_can_frame bad = mk(0x800, 1, 0);
	ck_assert_int_eq(dx_can_send(b, &bad, 1), DX_EINVAL);
	bad = mk(0x100, 9, 0);
	ck_assert_int_eq(dx_can_send(b, &bad, 1), DX_EINVAL);
	bad = mk(0x100, 12, 0);
	bad.flags = DX_CAN_FD; /* b did not enable FD */
	ck_assert_int_eq(dx_can_send(b, &bad, 1), DX_EINVAL);
	dx_can_get_stats(b, &st);
	ck_assert_uint_eq(st.tx_errors, 3);

	/* names and settings */
	ck_assert_int_eq(dx_can_open(&x, "nosuch:bus", NULL), DX_ENOENT);
	ck_assert_int_eq(dx_can_open(&x, "simbus:", NULL), DX_EINVAL);
	ck_assert_int_eq(dx_can_open(&x, "simbus:a/b", NULL), DX_EINVAL);
	ck_assert_int_eq(dx_can_open(&x, "nocolon", NULL), DX_EINVAL);
	ck_assert_ptr_null(x);
	o.bitrate = 500000;
	ck_assert_int_eq(dx_simbus_open(&x, name, &o, NULL), DX_ECONFIG);
	so.clock = DX_SIMBUS_CLOCK_REAL;
	ck_assert_int_eq(dx_simbus_open(&x, name, NULL, &so), DX_ECONFIG);
	so.capacity = 100;
	ck_assert_int_eq(dx_simbus_open(&x, name, NULL, &so), DX_EINVAL);
	dx_can_close(a);
	dx_can_close(b);
}
END_TEST

/* ---- crash safety --------------------------------------------------------- */

START_TEST(test_crashed_node)
{
	const char *name = bname("crash");
	struct dx_can *a = open_node(name, false, 100000000, false, NULL, 0);
	struct dx_can *c = NULL;
	struct dx_can_frame f = mk(0x1, 8, 0x11), got[64];
	struct dx_simbus_info inf;
	pid_t pid;
	int status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* a node that sends flat out until it is killed mid-send */
		struct dx_can *k = NULL;
		struct dx_can_opts o = {0};
		struct dx_can_frame kf = mk(0x2, 8, 0x22);
		if (dx_simbus_open(&k, name, &o, NULL))
			_exit(3);
		for (;;)
			if (dx_simbus_babble(k, &kf, 1) < 0)
				dx_simbus_wait_tx(k, dx_time_now_ns() + 1000);
	}
	/* let it run, then kill it without any chance to clean up */
	for (int i = 0; i < 200; i++) {
		dx_simbus_get_info(a, &inf);
		if (inf.frames > 1000)
			break;
		usleep(5000);
	}
	ck_assert_uint_gt(inf.frames, 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert(WIFSIGNALED(status));

	/* the bus still works for the survivors and newcomers */
	ck_assert_int_eq(dx_simbus_open(&c, name, NULL, NULL), 0);
	ck_assert_int_eq(dx_can_send(a, &f, 1), 1);
	ck_assert_int_eq(dx_can_wait(c, dx_time_now_ns() + DX_NS_PER_S), 0);
	int n = dx_can_recv(c, got, 64);
	ck_assert_int_ge(n, 1);
	ck_assert_uint_eq(got[n - 1].id, 0x1);
	dx_simbus_get_info(a, &inf);
	ck_assert_int_eq(inf.nodes, 2); /* the dead node is not counted */
	ck_assert_int_eq(dx_can_send(c, &f, 1), 1);
	dx_can_close(a);
	dx_can_close(c);
	ck_assert(!shm_exists(name));
}
END_TEST

START_TEST(test_stale_segments)
{
	const char *name = bname("stale");
	char path[96];
	struct dx_can *a = NULL;
	struct dx_simbus_info inf;
	struct dx_can_frame f = mk(0x5, 1, 5);
	pid_t pid;
	int fd, status;

	/* 1: garbage of the wrong size and content */
	snprintf(path, sizeof(path), "/dx-simbus-%s", name);
	fd = shm_open(path, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4096), 0);
	ck_assert_int_eq(write(fd, "garbage", 7), 7);
	close(fd);
	ck_assert_int_eq(dx_simbus_open(&a, name, NULL, NULL), 0);
	ck_assert_int_eq(dx_can_send(a, &f, 1), 1);
	dx_can_close(a);

	/* 2: a bus whose only user died without closing: recreated fresh */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct dx_can *k = NULL;
		struct dx_simbus_opts so = {.clock = DX_SIMBUS_CLOCK_VIRTUAL};
		struct dx_can_opts o = {.bitrate = 250000};
		if (dx_simbus_open(&k, name, &o, &so))
			_exit(3);
		dx_can_send(k, &f, 1);
		_exit(0); /* no close */
	}
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(shm_exists(name));
	/* a different bitrate and clock would be refused by a live bus */
	struct dx_can_opts o = {.bitrate = 1000000};
	ck_assert_int_eq(dx_simbus_open(&a, name, &o, NULL), 0);
	dx_simbus_get_info(a, &inf);
	ck_assert(!inf.virtual_clock);
	ck_assert_uint_eq(inf.bitrate, 1000000);
	ck_assert_uint_eq(inf.frames, 0);
	dx_can_close(a);

	/* 3: a segment of another layout version (patched header) */
	ck_assert_int_eq(dx_simbus_open(&a, name, NULL, NULL), 0);
	fd = shm_open(path, O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	uint32_t v = 99;
	ck_assert_int_eq(pwrite(fd, &v, sizeof(v), 8), (ssize_t)sizeof(v));
	close(fd);
	struct dx_can *b = NULL;
	ck_assert_int_eq(dx_simbus_open(&b, name, NULL, NULL), 0);
	dx_simbus_get_info(b, &inf);
	ck_assert_int_eq(inf.nodes, 1); /* a new bus, without a */
	dx_can_close(a);
	ck_assert(shm_exists(name)); /* a's close left b's segment alone */
	dx_can_close(b);
	ck_assert(!shm_exists(name));
}
END_TEST

/* ---- two processes, 100,000 frames ---------------------------------------- */

#define XN 100000
#define XWIN 4096
#define ACK_ID 0x7f0

static int receiver(const char *name)
{
	struct dx_can *r = NULL;
	struct dx_can_filter flt = {.id = 0x100, .mask = 0x700};
	struct dx_can_opts o = {.filters = &flt, .n_filters = 1};
	struct dx_can_frame got[256], ack = mk(ACK_ID, 4, 0);
	uint32_t expect = 0;
	int64_t deadline = dx_time_now_ns() + 60 * DX_NS_PER_S;

	if (dx_simbus_open(&r, name, &o, NULL))
		return 3;
	ack.len = 4;
	memcpy(ack.data, &expect, 4);
	dx_can_send(r, &ack, 1); /* ready */
	while (expect < XN) {
		int n = dx_can_recv(r, got, 256);
		if (n < 0)
			return 4;
		for (int i = 0; i < n; i++) {
			uint32_t s;
			memcpy(&s, got[i].data, 4);
			if (s != expect || got[i].id != 0x100 + (s & 0xff))
				return 5; /* lost or out of order */
			expect++;
		}
		if (n > 0 && (expect % 512 == 0 || expect == XN ||
			      n < 256)) {
			memcpy(ack.data, &expect, 4);
			while (dx_can_send(r, &ack, 1) == DX_ENOBUFS)
				dx_simbus_wait_tx(r, deadline);
		}
		if (n == 0 && dx_can_wait(r, deadline) == DX_ETIMEDOUT)
			return 6;
	}
	struct dx_can_stats st;
	dx_can_get_stats(r, &st);
	dx_can_close(r);
	return st.rx_dropped == 0 ? 0 : 7;
}

START_TEST(test_two_process_100k)
{
	const char *name = bname("xchg");
	struct dx_can_opts o = {.bitrate = 50000000};
	struct dx_simbus_opts so = {.capacity = 16384, .tx_queue = 1024};
	struct dx_can_filter af = {.id = ACK_ID, .mask = 0x7ff};
	struct dx_can *s = NULL;
	struct dx_can_frame fr[64], ack[64];
	uint32_t sent = 0, acked = 0;
	int64_t deadline;
	pid_t pid;
	int status;

	o.filters = &af;
	o.n_filters = 1;
	ck_assert_int_eq(dx_simbus_open(&s, name, &o, &so), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(receiver(name));
	deadline = dx_time_now_ns() + 60 * DX_NS_PER_S;
	/* wait for the receiver's first ack (it has joined) */
	while (dx_can_recv(s, ack, 1) == 0)
		ck_assert_int_eq(dx_can_wait(s, deadline), 0);
	while (sent < XN || acked < XN) {
		int n;
		while ((n = dx_can_recv(s, ack, 64)) > 0)
			for (int i = 0; i < n; i++) {
				uint32_t a;
				memcpy(&a, ack[i].data, 4);
				if (a > acked)
					acked = a;
			}
		if (sent < XN && sent - acked < XWIN) {
			unsigned k = 0;
			while (k < 64 && sent + k < XN &&
			       sent + k - acked < XWIN) {
				uint32_t q = sent + k;
				fr[k] = mk(0x100 + (q & 0xff), 8, 0);
				memcpy(fr[k].data, &q, 4);
				k++;
			}
			n = dx_can_send(s, fr, k);
			if (n > 0)
				sent += (uint32_t)n;
			else
				dx_simbus_wait_tx(s, deadline);
		} else if (acked < XN) {
			ck_assert_int_ne(dx_can_wait(s, deadline), DX_ETIMEDOUT);
		}
	}
	waitpid(pid, &status, 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "receiver exit %d", WEXITSTATUS(status));
	dx_can_close(s);
}
END_TEST

static Suite *simbus_suite(void)
{
	Suite *s = suite_create("simbus");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_order_filters_echo);
	tcase_add_test(tc, test_timing_virtual);
	tcase_add_test(tc, test_wait_sleeps);
	tcase_add_test(tc, test_fault_drop_corrupt);
	tcase_add_test(tc, test_fault_delay_duplicate);
	tcase_add_test(tc, test_bus_off_and_babble);
	tcase_add_test(tc, test_queues_and_bad_input);
	tcase_add_test(tc, test_crashed_node);
	tcase_add_test(tc, test_stale_segments);
	tcase_add_test(tc, test_two_process_100k);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(simbus_suite());
}
