/* SPDX-License-Identifier: MIT */
/* Shared body of the tactile targets (fuzz-taxel: the dexrt taxel
 * protocol; fuzz-uskin: the uSkin-style protocol). Input: a pad layout
 * byte and a board byte, then frames (fuzz-util.h layout), each followed
 * by one control byte (cycle time choice, pose, a direct sample).
 *
 * Codec checks: a frame that decodes re-encodes and decodes to the same
 * message. Pipeline checks: every frame is offered to a pad of that
 * protocol (heap-allocated per input), the pad runs a cycle after each
 * frame, and its results stay bounded and finite; bad cycle times are
 * refused; the fault ring drains. */
#include <math.h>

#include <dexrt/tactile.h>

#include "fuzz-util.h"

static void taxel_codec(const struct dx_can_frame *f)
{
	struct dx_taxel_msg m, m2;
	struct dx_can_frame g;
	enum dx_taxel_cmd cmd, cmd2;
	unsigned board, board2, rate, rate2;
	int err;

	err = dx_taxel_decode(f, &m);
	FZ_CHECK(err == 0 || err == DX_ENOENT || err == DX_EMSGSIZE ||
		 err == DX_EPROTO);
	if (err == 0) {
		bool fd = f->flags & DX_CAN_FD;

		FZ_CHECK(m.axes == 1 || m.axes == 3);
		FZ_CHECK(m.count >= 1 &&
			 m.count <= dx_taxel_frame_capacity(m.axes, fd));
		FZ_CHECK((unsigned)m.first + m.count <= 256);
		if (dx_taxel_encode(&m, fd, &g) != 0) {
			fz_dump_frame("decoded taxel frame does not encode", f);
			abort();
		}
		FZ_CHECK(dx_can_frame_check(&g) == 0);
		FZ_CHECK(dx_taxel_decode(&g, &m2) == 0);
		FZ_CHECK(m2.board == m.board && m2.seq == m.seq &&
			 m2.first == m.first && m2.count == m.count &&
			 m2.axes == m.axes && m2.end_of_scan == m.end_of_scan);
		FZ_CHECK(memcmp(m.v, m2.v, sizeof(m.v[0]) * m.count * m.axes) == 0);
	}
	err = dx_taxel_decode_cmd(f, &board, &cmd, &rate);
	if (err == 0) {
		FZ_CHECK(board <= 255);
		FZ_CHECK(dx_taxel_encode_cmd(board, cmd, rate, &g) == 0);
		FZ_CHECK(dx_taxel_decode_cmd(&g, &board2, &cmd2, &rate2) == 0);
		FZ_CHECK(board2 == board && cmd2 == cmd);
		if (cmd == DX_TAXEL_CMD_START)
			FZ_CHECK(rate2 == rate);
	}
	(void)dx_taxel_decode_cmd(f, &board, &cmd, NULL);
}

static void uskin_codec(const struct dx_can_frame *f)
{
	unsigned board, taxel, b2, t2;
	uint16_t xyz[3], xyz2[3];
	struct dx_can_frame g;
	int err, err2;

	err = dx_uskin_decode_trigger(f, &board);
	if (err == 0) {
		FZ_CHECK(board >= 1 && board <= DX_USKIN_MAX_BOARD);
		FZ_CHECK(dx_uskin_encode_trigger(board, &g) == 0);
		FZ_CHECK(dx_uskin_decode_trigger(&g, &b2) == 0 && b2 == board);
	}
	err = dx_uskin_decode_taxel(f, &board, &taxel, xyz);
	FZ_CHECK(err == 0 || err == DX_ENOENT || err == DX_EMSGSIZE ||
		 err == DX_ERANGE);
	if (err == 0 || err == DX_ERANGE) {
		FZ_CHECK(board >= 1 && board <= DX_USKIN_MAX_BOARD);
		FZ_CHECK(taxel < DX_USKIN_TAXELS_PER_BOARD);
		FZ_CHECK(dx_uskin_encode_taxel(board, taxel, xyz, &g) == 0);
		FZ_CHECK(dx_can_frame_check(&g) == 0);
		err2 = dx_uskin_decode_taxel(&g, &b2, &t2, xyz2);
		FZ_CHECK(err2 == err && b2 == board && t2 == taxel);
		FZ_CHECK(memcmp(xyz, xyz2, sizeof(xyz)) == 0);
	}
}

static bool finite3f(const float v[3])
{
	return isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]);
}

static void check_result(const struct dx_tactile_pad *pad,
			 const struct dx_tactile_result *r)
{
	FZ_CHECK(r->n_contacts <= DX_TACTILE_MAX_CONTACTS);
	FZ_CHECK(r->n_masked <= dx_tactile_pad_taxels(pad));
	FZ_CHECK(isfinite(r->total_normal) && r->total_normal >= 0.0f);
	FZ_CHECK(!r->n_contacts || r->in_contact);
	for (unsigned i = 0; i < r->n_contacts; i++) {
		const struct dx_tactile_contact *c = &r->contacts[i];

		FZ_CHECK(c->n_taxels >= 1 && c->n_taxels <= dx_tactile_pad_taxels(pad));
		FZ_CHECK(isfinite(c->normal_force) && c->normal_force >= 0.0f);
		FZ_CHECK(finite3f(c->force) && finite3f(c->shear) &&
			 finite3f(c->normal) && finite3f(c->cop) &&
			 finite3f(c->cop_hand) && finite3f(c->force_hand) &&
			 finite3f(c->normal_hand));
		FZ_CHECK(isfinite(c->ratio) && isfinite(c->ratio_rate) &&
			 isfinite(c->energy));
		FZ_CHECK(c->confidence >= 0.0f && c->confidence <= 1.0f);
	}
}

static int taxel_fuzz(const uint8_t *data, size_t size,
		      enum dx_tactile_proto proto)
{
	static const double dts[8] = { 0.001, 0.001, 0.0005, 0.002, 0.05,
				       0.0, -0.001, NAN };
	const struct dx_tactile_pose pose = {
		{ 0.01f, -0.02f, 0.03f }, { 0.0f, 0.38268343f, 0.0f, 0.92387953f }
	};
	struct fz z = { data, size };
	struct dx_tactile_pad_config cfg;
	struct dx_tactile_pad *pad;
	struct dx_tactile_result res;
	struct dx_tactile_rx_stats st;
	struct dx_can_frame f;
	uint8_t layout = fz_u8(&z), board = fz_u8(&z);

	dx_tactile_pad_config_default(&cfg, proto);
	cfg.axes = (layout & 0x80) ? 1 : 3;
	cfg.rows = 1 + (layout & 3);
	cfg.cols = 1 + ((layout >> 2) & 3);
	if (layout & 0x10)
		cfg.rows *= 4; /* up to 16 x 4: larger pads, dexrt only */
	if (proto == DX_TACTILE_PROTO_USKIN) {
		cfg.rows = 1 + (layout & 3);
		cfg.axes = 3; /* uSkin taxels are 3-axis */
		cfg.board = 1 + board % DX_USKIN_MAX_BOARD;
	} else {
		cfg.board = board;
	}
	cfg.pitch = 0.004f;
	cfg.params.tare_samples = 1 + ((layout >> 5) & 3); /* run soon */
	pad = calloc(1, sizeof(*pad));
	FZ_CHECK(pad != NULL);
	FZ_CHECK(dx_tactile_pad_init(pad, &cfg) == 0);
	memset(&st, 0, sizeof(st));

	while (fz_frame(&z, &f)) {
		struct dx_tactile_pad *const pads[1] = { pad };
		struct dx_tactile_fault flt;
		uint8_t ctl = fz_u8(&z);
		double dt = dts[ctl & 7];
		int r;

		taxel_codec(&f);
		uskin_codec(&f);
		r = dx_tactile_route(pads, 1, &f, &st);
		FZ_CHECK(r <= 1);
		if (ctl & 0x40) {
			/* a direct sample from the payload */
			int32_t raw[3] = { (int16_t)(f.data[0] | f.data[1] << 8),
					   (int16_t)(f.data[2] | f.data[3] << 8),
					   (int16_t)(f.data[4] | f.data[5] << 8) };

			(void)dx_tactile_pad_put(pad, f.data[6], raw);
		}
		r = dx_tactile_pad_update(pad, dt, (ctl & 8) ? &pose : NULL, &res);
		if (!(dt > 0.0)) {
			FZ_CHECK(r < 0);
			continue;
		}
		FZ_CHECK(r == 0);
		check_result(pad, &res);
		for (unsigned i = 0; i <= DX_TACTILE_FAULT_RING; i++)
			if (dx_tactile_pad_fault_pop(pad, &flt) != 0)
				break;
		FZ_CHECK(isfinite(dx_tactile_pad_taxel_force(pad, ctl)) ||
			 ctl >= dx_tactile_pad_taxels(pad));
		if (ctl == 0xff)
			dx_tactile_pad_tare(pad);
		if (ctl == 0xfe)
			dx_tactile_pad_clear_faults(pad);
	}
	FZ_CHECK(dx_tactile_pad_request(pad, &f) == 1);
	free(pad);
	return 0;
}
