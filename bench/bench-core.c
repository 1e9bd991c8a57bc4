/* SPDX-License-Identifier: MIT */
/* Core primitives: SPSC ring push+pop, histogram add, clock read. */
#include <stdio.h>

#include <dexrt/core.h>

#include "bench.h"

#define BATCH 1000

int main(int argc, char **argv)
{
	struct dxb b;
	static struct dx_hist h, scratch;
	struct dx_ring r;
	uint64_t v = 0, out;
	int rounds;

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 200 : 20000;
	dxb_header(&b);

	dx_ring_init_alloc(&r, 1024, sizeof(uint64_t));
	dx_hist_reset(&h);
	for (int i = 0; i < rounds; i++) {
		int64_t t0 = dxb_now();
		for (int k = 0; k < BATCH; k++) {
			dx_ring_push(&r, &v);
			dx_ring_pop(&r, &out);
			v += out;
		}
		dx_hist_add(&h, (dxb_now() - t0) / BATCH);
	}
	DXB_KEEP(v);
	dxb_report(&b, "ring push+pop (same thread), per item", &h, NULL);
	dx_ring_deinit(&r);

	dx_hist_reset(&h);
	dx_hist_reset(&scratch);
	for (int i = 0; i < rounds; i++) {
		int64_t t0 = dxb_now();
		for (int k = 0; k < BATCH; k++)
			dx_hist_add(&scratch, (k * 7919) & 0xfffff);
		dx_hist_add(&h, (dxb_now() - t0) / BATCH);
	}
	dxb_report(&b, "hist add, per sample", &h, NULL);

	dx_hist_reset(&h);
	for (int i = 0; i < rounds; i++) {
		int64_t t0 = dxb_now();
		for (int k = 0; k < BATCH; k++)
			DXB_KEEP(dx_time_now_ns());
		dx_hist_add(&h, (dxb_now() - t0) / BATCH);
	}
	dxb_report(&b, "dx_time_now_ns, per call", &h, NULL);
	return 0;
}
