/* SPDX-License-Identifier: MIT */
/* simbus between two processes:
 *  - throughput at 1 Mbit/s with the bus kept saturated, measured by the
 *    receiver's clock, against the timing model's maximum
 *    1 / (frame time + 3-bit intermission);
 *  - raw throughput with the bus timing out of the way (1 Gbit/s);
 *  - round-trip latency (ping-pong) at 1 Mbit/s and at 1 Gbit/s.
 * Run: build/bench/bench-simbus [--quick] [--json FILE] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dexrt/busload.h>
#include <dexrt/can.h>
#include <dexrt/simbus.h>

#include "bench.h"

#define PING_ID 0x100
#define PONG_ID 0x101
#define DATA_ID 0x200
#define DONE_ID 0x7ff

static char name[64];

static struct dx_can *open_bus(uint32_t br, const struct dx_can_filter *flt)
{
	struct dx_can_opts o = {.bitrate = br, .filters = flt,
				.n_filters = flt ? 1 : 0};
	struct dx_simbus_opts so = {.capacity = 16384, .tx_queue = 256};
	struct dx_can *c = NULL;
	int err = dx_simbus_open(&c, name, &o, &so);

	if (err) {
		fprintf(stderr, "bench-simbus: open %s: %s\n", name,
			dx_strerror(err));
		exit(1);
	}
	return c;
}

static struct dx_can_frame data_frame(uint32_t id, uint32_t seq)
{
	struct dx_can_frame f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.len = 8;
	/* fixed content so every frame has the same length on the wire */
	memcpy(f.data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	(void)seq;
	return f;
}

/* Receiver side of the throughput run: returns frames/s by its clock,
 * between the first and the last frame received. */
static int rx_child(uint32_t br, uint32_t n, int pipefd)
{
	struct dx_can_filter flt = {.id = DATA_ID, .mask = 0x7ff};
	struct dx_can *c = open_bus(br, &flt);
	struct dx_can_frame fr[256], ready = data_frame(DONE_ID, 0);
	uint32_t got = 0;
	int64_t t_first = 0, t_last = 0, dl = dx_time_now_ns() + 120 * DX_NS_PER_S;
	struct dx_can_stats st;
	double rate;

	dx_can_send(c, &ready, 1);
	while (got < n) {
		int k = dx_can_recv(c, fr, 256);
		if (k > 0) {
			int64_t now = dx_time_now_ns();
			if (got == 0)
				t_first = now;
			got += (uint32_t)k;
			t_last = now;
			continue;
		}
		if (dx_can_wait(c, dl) == DX_ETIMEDOUT)
			break;
	}
	dx_can_get_stats(c, &st);
	/* the first frame's arrival marks the start: n - 1 intervals */
	rate = got > 1 && t_last > t_first
		       ? (double)(got - 1) * 1e9 / (double)(t_last - t_first)
		       : 0;
	if (st.rx_dropped)
		rate = -(double)st.rx_dropped;
	if (write(pipefd, &rate, sizeof(rate)) != sizeof(rate))
		return 1;
	dx_can_close(c);
	return 0;
}

static double throughput(uint32_t br, uint32_t n)
{
	struct dx_can_filter flt = {.id = DONE_ID, .mask = 0x7ff};
	struct dx_can *c;
	struct dx_can_frame fr[64], in;
	int pfd[2], status;
	double rate = 0;
	uint32_t sent = 0;
	pid_t pid;

	snprintf(name, sizeof(name), "bench%d-tp%u", (int)getpid(), br);
	dx_simbus_unlink(name);
	c = open_bus(br, &flt);
	if (pipe(pfd))
		exit(1);
	pid = fork();
	if (pid == 0)
		_exit(rx_child(br, n, pfd[1]));
	/* wait for the receiver to join */
	while (dx_can_recv(c, &in, 1) == 0)
		dx_can_wait(c, dx_time_now_ns() + DX_NS_PER_S);
	for (unsigned i = 0; i < DX_ARRAY_SIZE(fr); i++)
		fr[i] = data_frame(DATA_ID, i);
	while (sent < n) {
		uint32_t k = n - sent < 64 ? n - sent : 64;
		int r = dx_can_send(c, fr, k);
		if (r > 0)
			sent += (uint32_t)r;
		else
			dx_simbus_wait_tx(c, dx_simbus_now(c) + DX_NS_PER_S);
	}
	if (read(pfd[0], &rate, sizeof(rate)) != sizeof(rate))
		rate = 0;
	waitpid(pid, &status, 0);
	close(pfd[0]);
	close(pfd[1]);
	dx_can_close(c);
	return rate;
}

static int echo_child(uint32_t br)
{
	struct dx_can_filter flt = {.id = PING_ID, .mask = 0x7fe};
	struct dx_can *c = open_bus(br, &flt);
	struct dx_can_frame f, pong = data_frame(PONG_ID, 0);

	dx_can_send(c, &pong, 1); /* joined */
	for (;;) {
		if (dx_can_wait(c, dx_time_now_ns() + 10 * DX_NS_PER_S))
			break;
		if (dx_can_recv(c, &f, 1) != 1)
			continue;
		if (f.id == PING_ID + 1) /* stop */
			break;
		pong.data[0] = f.data[0];
		while (dx_can_send(c, &pong, 1) != 1)
			dx_simbus_wait_tx(c, dx_simbus_now(c) + DX_NS_PER_S);
	}
	dx_can_close(c);
	return 0;
}

static void rtt(const struct dxb *b, uint32_t br, unsigned n, const char *label)
{
	struct dx_can_filter flt = {.id = PONG_ID, .mask = 0x7ff};
	struct dx_can *c;
	struct dx_can_frame ping = data_frame(PING_ID, 0), f;
	static struct dx_hist h;
	char extra[96];
	pid_t pid;
	int status;

	snprintf(name, sizeof(name), "bench%d-rtt%u", (int)getpid(), br);
	dx_simbus_unlink(name);
	c = open_bus(br, &flt);
	pid = fork();
	if (pid == 0)
		_exit(echo_child(br));
	while (dx_can_recv(c, &f, 1) == 0)
		dx_can_wait(c, dx_time_now_ns() + DX_NS_PER_S);
	dx_hist_reset(&h);
	for (unsigned i = 0; i < n + 50; i++) {
		int64_t t0 = dxb_now(), t1;
		ping.data[0] = (uint8_t)i;
		dx_can_send(c, &ping, 1);
		for (;;) {
			if (dx_can_recv(c, &f, 1) == 1 && f.data[0] == (uint8_t)i)
				break;
			if (dx_can_wait(c, dxb_now() + DX_NS_PER_S) ==
			    DX_ETIMEDOUT) {
				fprintf(stderr, "bench-simbus: echo lost\n");
				goto out;
			}
		}
		t1 = dxb_now();
		if (i >= 50) /* warm-up */
			dx_hist_add(&h, t1 - t0);
	}
out:
	ping.id = PING_ID + 1;
	dx_can_send(c, &ping, 1);
	waitpid(pid, &status, 0);
	dx_can_close(c);
	snprintf(extra, sizeof(extra), "\"bitrate\":%u", br);
	dxb_report(b, label, &h, extra);
}

int main(int argc, char **argv)
{
	struct dxb b;
	struct dx_can_frame f = data_frame(DATA_ID, 0);
	struct dx_can_frame_bits fb;
	double theo, meas, raw;
	uint32_t n_tp, n_raw, n_rtt;
	char extra[128];

	dxb_init(&b, argc, argv);
	n_tp = b.quick ? 3000 : 30000;   /* 0.35 s / 3.5 s of bus at 1 Mbit/s */
	n_raw = b.quick ? 50000 : 500000;
	n_rtt = b.quick ? 300 : 5000;
	signal(SIGPIPE, SIG_IGN);
	/* Wake-ups at frame ends are timed sleeps; the default 50 us timer
	 * slack of normal threads would add up to 50 us to each. A real-time
	 * program sets this (or runs SCHED_FIFO, which has no slack). */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	dx_can_frame_bits(&f, &fb);
	theo = 1e6 / (double)(fb.bits + DX_CAN_IFS_BITS);
	dxb_header(&b);
	rtt(&b, 1000000, n_rtt, "simbus rtt 1Mbit/s (2 processes)");
	rtt(&b, 1000000000u, n_rtt, "simbus rtt 1Gbit/s (software only)");

	meas = throughput(1000000, n_tp);
	snprintf(extra, sizeof(extra), "\"bitrate\":1000000,\"frame_bits\":%u",
		 fb.bits);
	dxb_report_value(&b, "simbus throughput 1Mbit/s measured", meas,
			 "frames/s", extra);
	dxb_report_value(&b, "simbus throughput 1Mbit/s model max", theo,
			 "frames/s", extra);
	dxb_report_value(&b, "simbus throughput 1Mbit/s measured/model",
			 meas / theo, "ratio", extra);
	printf("throughput at 1 Mbit/s: measured %.1f frames/s, model maximum "
	       "%.1f frames/s (%u-bit frame + %d-bit intermission), ratio %.4f\n",
	       meas, theo, fb.bits, DX_CAN_IFS_BITS, meas / theo);
	raw = throughput(1000000000u, n_raw);
	dxb_report_value(&b, "simbus throughput 1Gbit/s (software limit)",
			 raw, "frames/s", "\"bitrate\":1000000000");
	if (meas < 0 || raw < 0)
		fprintf(stderr, "bench-simbus: the receiver lost frames\n");
	return 0;
}
