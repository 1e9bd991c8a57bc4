/* SPDX-License-Identifier: MIT */
/* Codec cost: encode + decode of one frame, per protocol (host command
 * encode followed by the device-side decode, and device reply encode
 * followed by the host decode). */
#include <stdio.h>
#include <string.h>

#include <dexrt/drive.h>

#include "bench.h"

#define BATCH 1000

static volatile double sink;

static void bench_mit(const struct dxb *b, const char *model, int rounds)
{
	const struct dx_mit_model *m = dx_mit_model_find(model);
	struct dx_mit_addr a = {m, 3, 0x13};
	static struct dx_hist hc, hr;
	struct dx_can_frame f;
	char name[96];

	dx_hist_reset(&hc);
	dx_hist_reset(&hr);
	for (int i = 0; i < rounds; i++) {
		struct dx_mit_cmd c = {0.1 * (i & 7), 1.0, 20.0, 1.0, 0.5}, back;
		enum dx_mit_special s;
		int64_t t0 = dxb_now();
		for (int k = 0; k < BATCH; k++) {
			c.pos = (double)(k & 63) * 0.1;
			dx_mit_encode_cmd(&a, &c, &f, NULL);
			dx_mit_decode_cmd(&a, &f, &s, &back);
			DXB_CLOBBER();
		}
		dx_hist_add(&hc, (dxb_now() - t0) / BATCH);
		sink = back.pos;
		struct dx_mit_fb fb = {3, 0.5, 1.0, 0.2, 30.0, 31.0, 0,
				       DX_DRIVE_FAULT_NONE, true}, out;
		t0 = dxb_now();
		for (int k = 0; k < BATCH; k++) {
			fb.pos = (double)(k & 63) * 0.1;
			dx_mit_encode_reply(&a, &fb, &f, NULL);
			dx_mit_decode_reply(&a, &f, &out);
			DXB_CLOBBER();
		}
		dx_hist_add(&hr, (dxb_now() - t0) / BATCH);
		sink = out.pos;
	}
	snprintf(name, sizeof(name), "mit %s command encode+decode", model);
	dxb_report(b, name, &hc, NULL);
	snprintf(name, sizeof(name), "mit %s reply encode+decode", model);
	dxb_report(b, name, &hr, NULL);
}

static void bench_odrive(const struct dxb *b, int rounds)
{
	static struct dx_hist h;
	const struct dx_odrive_model *m = dx_odrive_model_find("default");
	struct dx_odrive_msg msg, back;
	struct dx_can_frame f;

	memset(&msg, 0, sizeof(msg));
	msg.node = 3, msg.cmd = DX_ODRIVE_SET_INPUT_POS;
	dx_hist_reset(&h);
	for (int i = 0; i < rounds; i++) {
		int64_t t0 = dxb_now();
		for (int k = 0; k < BATCH; k++) {
			msg.u.input_pos.pos = (float)(k & 63) * 0.1f;
			dx_odrive_encode(m, &msg, &f, NULL);
			dx_odrive_decode(&f, &back);
			DXB_CLOBBER();
		}
		dx_hist_add(&h, (dxb_now() - t0) / BATCH);
		sink = back.u.input_pos.pos;
	}
	dxb_report(b, "odrive set_input_pos encode+decode", &h, NULL);
}

static void bench_cia402(const struct dxb *b, int rounds)
{
	static struct dx_hist h, hs;
	const struct dx_cia402_model *m = dx_cia402_model_find("generic");
	struct dx_cia402_out o = {0x0f, 8, 0, 0, 0}, ob;
	struct dx_cia402_in in = {0x37, 8, 0, 0, 0, 0}, ib;
	struct dx_can_frame f[2];

	dx_hist_reset(&h);
	dx_hist_reset(&hs);
	for (int i = 0; i < rounds; i++) {
		int64_t t0 = dxb_now();
		for (int k = 0; k < BATCH; k++) {
			o.pos = (double)(k & 63) * 0.1;
			in.pos = o.pos;
			dx_cia402_encode_rpdos(m, 5, &o, f, NULL);
			dx_cia402_decode_rpdo(m, 5, &f[0], &ob);
			dx_cia402_decode_rpdo(m, 5, &f[1], &ob);
			dx_cia402_encode_tpdos(m, 5, &in, f);
			dx_cia402_decode_tpdo(m, 5, &f[0], &ib);
			dx_cia402_decode_tpdo(m, 5, &f[1], &ib);
			DXB_CLOBBER();
		}
		/* 4 frames per iteration */
		dx_hist_add(&h, (dxb_now() - t0) / (4 * BATCH));
		sink = ob.pos + ib.pos;
		struct dx_sdo q = {DX_SDO_DOWNLOAD_REQ, 5, 0x6040, 0, 2, 0x0f}, r;
		t0 = dxb_now();
		for (int k = 0; k < BATCH; k++) {
			q.value = (uint32_t)k & 0xff;
			dx_sdo_encode(&q, &f[0]);
			dx_sdo_decode(&f[0], &r);
			DXB_CLOBBER();
		}
		dx_hist_add(&hs, (dxb_now() - t0) / BATCH);
		sink = r.value;
	}
	dxb_report(b, "cia402 PDO encode+decode, per frame", &h, NULL);
	dxb_report(b, "cia402 SDO encode+decode", &hs, NULL);
}

int main(int argc, char **argv)
{
	struct dxb b;
	int rounds;

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 100 : 5000;
	dxb_header(&b);
	bench_mit(&b, "ak80-64", rounds);
	bench_mit(&b, "dm-j4310", rounds);
	bench_mit(&b, "rs01", rounds);
	bench_odrive(&b, rounds);
	bench_cia402(&b, rounds);
	return 0;
}
