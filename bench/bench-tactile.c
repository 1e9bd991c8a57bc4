/* SPDX-License-Identifier: MIT */
/* Tactile pipeline cost: ns per pad per cycle for 16, 64 and 256 taxels
 * (3-axis, one contact pressed, noise on), as frame decode + update and as
 * update alone; then whole hands: 4 pads × 16 taxels and 5 pads × 64,
 * every pad's frames and update plus the fusion step of every finger.
 * Frames are produced by the virtual pad outside the timed region. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/simpad.h>
#include <dexrt/tactile.h>

#include "bench.h"

#define DT 0.001
#define MAX_PADS 5
#define MAX_FRAMES 32

struct unit {
	struct dx_simpad sim;
	struct dx_tactile_pad pad;
	struct dx_tactile_result res;
	struct dx_can_frame fr[MAX_FRAMES];
	int nf;
	struct dx_simpad_contact press;
};

static struct unit units[MAX_PADS];

static void unit_init(struct unit *u, unsigned board, unsigned side)
{
	struct dx_simpad_config sc;
	struct dx_tactile_pad_config pc;
	const struct dx_simpad_contact c = {{0.0005f, -0.0003f, 0}, {0.2f, 0, 1.5f},
				      0.003f};

	dx_simpad_config_default(&sc, DX_TACTILE_PROTO_DEXRT);
	sc.board = board;
	sc.rows = side;
	sc.cols = side;
	sc.pitch = 0.003f;
	sc.noise = 2;
	sc.fd = true;
	sc.seed = board + 1;
	if (dx_simpad_init(&u->sim, &sc) != 0) {
		fprintf(stderr, "simpad init failed\n");
		exit(1);
	}
	u->press = c;
	dx_tactile_pad_config_default(&pc, DX_TACTILE_PROTO_DEXRT);
	pc.board = board;
	pc.rows = side;
	pc.cols = side;
	pc.pitch = 0.003f;
	if (dx_tactile_pad_init(&u->pad, &pc) != 0) {
		fprintf(stderr, "pad init failed\n");
		exit(1);
	}
}

/* Untimed: the device side produces the next scan. */
static void unit_produce(struct unit *u)
{
	dx_simpad_step(&u->sim, DT);
	u->nf = dx_simpad_encode_scan(&u->sim, u->fr, MAX_FRAMES);
}

/* Timed: what the controller does per pad per cycle. */
static void unit_consume(struct unit *u)
{
	for (int k = 0; k < u->nf; k++)
		dx_tactile_pad_rx(&u->pad, &u->fr[k]);
	dx_tactile_pad_update(&u->pad, DT, NULL, &u->res);
}

static void warm(struct unit *u, unsigned n_units)
{
	for (int i = 0; i < 300; i++)
		for (unsigned k = 0; k < n_units; k++) {
			if (i == 100) /* after the tare */
				dx_simpad_set_contacts(&u[k].sim, &u[k].press, 1);
			unit_produce(&u[k]);
			unit_consume(&u[k]);
		}
}

static void bench_pad(const struct dxb *b, unsigned side, int rounds)
{
	static struct dx_hist h, hu;
	struct unit *u = &units[0];
	char name[96], extra[64];

	unit_init(u, 1, side);
	warm(u, 1);
	dx_hist_reset(&h);
	dx_hist_reset(&hu);
	for (int i = 0; i < rounds; i++) {
		int64_t t0;
		unit_produce(u);
		t0 = dxb_now();
		unit_consume(u);
		dx_hist_add(&h, dxb_now() - t0);
	}
	for (int i = 0; i < rounds; i++) {
		int64_t t0;
		unit_produce(u);
		for (int k = 0; k < u->nf; k++)
			dx_tactile_pad_rx(&u->pad, &u->fr[k]);
		t0 = dxb_now();
		dx_tactile_pad_update(&u->pad, DT, NULL, &u->res);
		dx_hist_add(&hu, dxb_now() - t0);
	}
	DXB_KEEP(u->res.n_contacts);
	if (u->res.n_contacts != 1)
		fprintf(stderr, "warning: %u contacts (expected 1)\n",
			u->res.n_contacts);
	snprintf(extra, sizeof(extra), "\"taxels\":%u", side * side);
	snprintf(name, sizeof(name), "pad %u taxels: rx %d FD frames + update",
		 side * side, u->nf);
	dxb_report(b, name, &h, extra);
	snprintf(name, sizeof(name), "pad %u taxels: update only", side * side);
	dxb_report(b, name, &hu, extra);
}

static void bench_hand(const struct dxb *b, unsigned n_pads, unsigned side,
		       int rounds)
{
	static struct dx_hist h;
	struct dx_fusion fu;
	struct dx_fusion_config fc;
	struct dx_fusion_input in[MAX_PADS];
	struct dx_fusion_contact out[MAX_PADS];
	double jac[MAX_PADS][12], dtau[MAX_PADS][4];
	char name[96], extra[64];

	for (unsigned k = 0; k < n_pads; k++)
		unit_init(&units[k], k + 1, side);
	warm(units, n_pads);
	dx_fusion_config_default(&fc, n_pads);
	dx_fusion_init(&fu, &fc);
	memset(in, 0, sizeof(in));
	for (unsigned k = 0; k < n_pads; k++) {
		for (int j = 0; j < 12; j++)
			jac[k][j] = 0.01 * ((j * 7 + (int)k) % 5 + 1) *
				    ((j % 3) ? 1 : -1);
		for (int j = 0; j < 4; j++)
			dtau[k][j] = 0.01 * j;
		in[k].n_joints = 4;
		in[k].jac = jac[k];
		in[k].dtau = dtau[k];
	}
	dx_hist_reset(&h);
	for (int i = 0; i < rounds; i++) {
		int64_t t0;
		for (unsigned k = 0; k < n_pads; k++)
			unit_produce(&units[k]);
		t0 = dxb_now();
		for (unsigned k = 0; k < n_pads; k++) {
			struct unit *u = &units[k];
			unit_consume(u);
			in[k].pad_valid = u->res.n_contacts > 0;
			in[k].pad_confidence = 1;
			if (u->res.n_contacts)
				for (int a = 0; a < 3; a++)
					in[k].pad_force[a] =
						u->res.contacts[0].force_hand[a];
		}
		dx_fusion_step(&fu, DT, in, out);
		dx_hist_add(&h, dxb_now() - t0);
	}
	DXB_KEEP(out[0].force[2]);
	snprintf(extra, sizeof(extra), "\"pads\":%u,\"taxels\":%u", n_pads,
		 side * side);
	snprintf(name, sizeof(name),
		 "hand %u pads x %u taxels: rx + update + fusion", n_pads,
		 side * side);
	dxb_report(b, name, &h, extra);
}

int main(int argc, char **argv)
{
	struct dxb b;
	int rounds;

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 500 : 20000;
	dxb_header(&b);
	bench_pad(&b, 4, rounds);
	bench_pad(&b, 8, rounds);
	bench_pad(&b, 16, b.quick ? 200 : 5000);
	bench_hand(&b, 4, 4, rounds);
	bench_hand(&b, 5, 8, b.quick ? 200 : 5000);
	return 0;
}
