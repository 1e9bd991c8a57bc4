/* SPDX-License-Identifier: MIT */
/* Transport benchmark over real SocketCAN (vcan), meant to run inside the
 * user-mode-linux VM (tools/bench-vcan boots it and runs this):
 *  - round-trip latency: a ping from one process, answered by a second
 *    process on its own socket, timed from before the send to after the
 *    answer was read (p50/p99 over many pings);
 *  - throughput: frames moved per second from one socket to another
 *    (send, kernel loopback, receive) with batches of 1 and of 64 frames.
 * Without vcan0 it says so and exits 0 (benchmarks report, never fail).
 * --bus NAME runs the same measurements on another transport, e.g.
 * simbus:benchtp (which adds its bus timing at the configured bitrate).
 * Numbers inside user-mode-linux include its system-call overhead (every
 * guest system call is a ptrace round trip on the host) and are much
 * slower than a native kernel: compare them with each other, not with
 * hardware.
 * Run: build/bench/bench-transport [--quick] [--json FILE] [--bus NAME] */
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dexrt/can.h>

#include "bench.h"

#define PING_ID 0x100
#define PONG_ID 0x101
#define READY_ID 0x102
#define DONE_ID 0x7ff
#define DATA_ID 0x200

static const char *bus_name = "socketcan:vcan0";

static struct dx_can *open_bus(const struct dx_can_filter *flt, size_t nflt,
			       size_t rxq)
{
	struct dx_can_opts o = {.filters = flt, .n_filters = nflt,
				.rx_queue = rxq};
	struct dx_can *c = NULL;
	int err = dx_can_open(&c, bus_name, &o);

	if (err) {
		fprintf(stderr, "bench-transport: open %s: %s\n", bus_name,
			dx_strerror(err));
		exit(1);
	}
	return c;
}

static struct dx_can_frame frame(uint32_t id, uint32_t seq)
{
	struct dx_can_frame f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.len = 8;
	memcpy(f.data, &seq, sizeof(seq));
	return f;
}

/* Second process: answers every ping with a pong carrying its payload. */
static void responder(void)
{
	struct dx_can_filter flt[2] = {{.id = PING_ID, .mask = 0x7ff},
				       {.id = DONE_ID, .mask = 0x7ff}};
	struct dx_can *c = open_bus(flt, 2, 0);
	struct dx_can_frame in[64], out[64], ready = frame(READY_ID, 0);

	dx_can_send(c, &ready, 1);
	for (;;) {
		int n, m = 0;

		if (dx_can_wait(c, dx_time_now_ns() + 10 * DX_NS_PER_S) != 0)
			break; /* parent gone */
		n = dx_can_recv(c, in, 64);
		for (int i = 0; i < n; i++) {
			if (in[i].id == DONE_ID) {
				dx_can_close(c);
				_exit(0);
			}
			out[m] = in[i];
			out[m].id = PONG_ID;
			m++;
		}
		if (m)
			dx_can_send(c, out, (size_t)m);
	}
	dx_can_close(c);
	_exit(1);
}

static void rtt(struct dxb *b, uint32_t n)
{
	struct dx_can_filter flt[2] = {{.id = PONG_ID, .mask = 0x7ff},
				       {.id = READY_ID, .mask = 0x7ff}};
	struct dx_can *c = open_bus(flt, 2, 0);
	static struct dx_hist h;
	struct dx_can_frame f;
	uint32_t lost = 0;
	pid_t pid;

	dx_hist_reset(&h);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0)
		responder();
	/* the responder announces itself once its socket is bound */
	do {
		if (dx_can_wait(c, dx_time_now_ns() + 10 * DX_NS_PER_S)) {
			fprintf(stderr, "bench-transport: responder not ready\n");
			kill(pid, SIGKILL);
			exit(1);
		}
	} while (dx_can_recv(c, &f, 1) != 1 || f.id != READY_ID);

	for (uint32_t i = 0; i < n; i++) {
		struct dx_can_frame ping = frame(PING_ID, i);
		int64_t t0 = dxb_now(), deadline = t0 + DX_NS_PER_S;
		bool ok = false;

		if (dx_can_send(c, &ping, 1) != 1) {
			lost++;
			continue;
		}
		while (!ok && dx_can_wait(c, deadline) == 0) {
			while (dx_can_recv(c, &f, 1) == 1) {
				uint32_t seq;
				memcpy(&seq, f.data, sizeof(seq));
				if (f.id == PONG_ID && seq == i)
					ok = true;
			}
		}
		if (ok)
			dx_hist_add(&h, dxb_now() - t0);
		else
			lost++;
	}
	f = frame(DONE_ID, 0);
	dx_can_send(c, &f, 1);
	waitpid(pid, NULL, 0);
	dx_can_close(c);
	char extra[96];
	snprintf(extra, sizeof(extra), "\"bus\":\"%s\"", bus_name);
	dxb_report(b, "round trip, 2 processes", &h, extra);
	if (lost)
		fprintf(stderr, "bench-transport: %u pings unanswered\n", lost);
}

/* Frames per second through the kernel from socket a to socket b, sending
 * @p batch frames per call and reading them back before the next batch
 * (so the receive queue never overflows). */
static double throughput(uint32_t n, size_t batch)
{
	static struct dx_can_frame tx[64], rx[64];
	struct dx_can *a = open_bus(NULL, 0, 0);
	struct dx_can *rb = open_bus(NULL, 0, 1024);
	uint32_t sent = 0, got = 0;
	int64_t t0, t1;

	for (size_t i = 0; i < batch; i++)
		tx[i] = frame(DATA_ID, (uint32_t)i);
	t0 = dxb_now();
	while (sent < n) {
		size_t k = n - sent < batch ? n - sent : batch;
		uint32_t want;
		int r = dx_can_send(a, tx, k);

		if (r <= 0) {
			fprintf(stderr, "bench-transport: send: %s\n",
				dx_strerror(r));
			break;
		}
		sent += (uint32_t)r;
		want = sent;
		while (got < want) {
			int m = dx_can_recv(rb, rx, 64);
			if (m < 0)
				break;
			if (m == 0 &&
			    dx_can_wait(rb, dxb_now() + DX_NS_PER_S) != 0)
				break;
			got += (uint32_t)(m > 0 ? m : 0);
		}
		if (got < want)
			break;
	}
	t1 = dxb_now();
	dx_can_close(a);
	dx_can_close(rb);
	if (got != n) {
		fprintf(stderr, "bench-transport: %u of %u frames arrived\n",
			got, n);
		return -1;
	}
	return (double)n * 1e9 / (double)(t1 - t0);
}

int main(int argc, char **argv)
{
	struct dxb b;
	uint32_t n_rtt, n_tp;
	int first = dxb_init(&b, argc, argv);
	char extra[96];
	double r1, r64;

	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--bus") == 0 && i + 1 < argc) {
			bus_name = argv[++i];
		} else {
			fprintf(stderr, "usage: bench-transport [--quick] "
					"[--json FILE] [--bus NAME]\n");
			return 2;
		}
	}
	if (strncmp(bus_name, "socketcan:", 10) == 0 &&
	    if_nametoindex(bus_name + 10) == 0) {
		printf("bench-transport: no interface %s here (this kernel has "
		       "no CAN?); run it in the VM: tools/bench-vcan\n",
		       bus_name + 10);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	n_rtt = b.quick ? 500 : 10000;
	n_tp = b.quick ? 5000 : 100000;

	dxb_header(&b);
	printf("transport %s\n", bus_name);
	rtt(&b, n_rtt);
	r1 = throughput(n_tp, 1);
	r64 = throughput(n_tp, 64);
	snprintf(extra, sizeof(extra), "\"bus\":\"%s\",\"batch\":1", bus_name);
	dxb_report_value(&b, "throughput, batch 1", r1, "frames/s", extra);
	snprintf(extra, sizeof(extra), "\"bus\":\"%s\",\"batch\":64", bus_name);
	dxb_report_value(&b, "throughput, batch 64", r64, "frames/s", extra);
	return 0;
}
