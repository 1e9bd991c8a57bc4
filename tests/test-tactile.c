/* SPDX-License-Identifier: MIT */
/* Tactile pads: codecs both ways, the pipeline on synthetic data from the
 * virtual pad (contacts, drift, hysteresis, slip, taxel faults) and bad
 * frames. */
#include <math.h>
#include <string.h>

#include <cglm/cglm.h>

#include <dexrt/simpad.h>
#include <dexrt/tactile.h>

#include "dx-check.h"

#define DT 0.001 /* 1 kHz cycle */

/* ---- rig: virtual pad → frames → pad pipeline ----------------------------- */

struct rig {
	struct dx_simpad sim;
	struct dx_tactile_pad pad;
	struct dx_tactile_result res;
	struct dx_can_frame fr[DX_TACTILE_MAX_TAXELS];
};

/* 8 × 8 grid, 4 mm pitch, 3 axes, 1000 counts/N, in the link plane z = 0. */
static void rig_init(struct rig *r, enum dx_tactile_proto proto, unsigned rows,
		     unsigned cols, float noise, float drift)
{
	struct dx_simpad_config sc;
	struct dx_tactile_pad_config pc;

	memset(r, 0, sizeof(*r));
	dx_simpad_config_default(&sc, proto);
	sc.board = proto == DX_TACTILE_PROTO_USKIN ? 1 : 7;
	sc.rows = rows;
	sc.cols = cols;
	sc.pitch = 0.004f;
	sc.noise = noise;
	sc.drift = drift;
	sc.seed = 42;
	ck_assert_int_eq(dx_simpad_init(&r->sim, &sc), 0);

	dx_tactile_pad_config_default(&pc, proto);
	pc.board = sc.board;
	pc.rows = rows;
	pc.cols = cols;
	pc.pitch = 0.004f;
	pc.gain = 0.001f; /* N per count: the inverse of the sim's 1000/N */
	ck_assert_int_eq(dx_tactile_pad_init(&r->pad, &pc), 0);
	if (proto == DX_TACTILE_PROTO_USKIN) {
		/* uSkin counts sit at 32768 at rest; calibration removes it
		 * before the tare does the rest */
		struct dx_tactile_calib cal[16];
		memset(cal, 0, sizeof(cal));
		for (int i = 0; i < 16; i++)
			for (int a = 0; a < 3; a++) {
				cal[i].offset[a] = 32768.0f;
				cal[i].poly[a][0] = 0.001f;
			}
		pc.calib = cal;
		ck_assert_int_eq(dx_tactile_pad_init(&r->pad, &pc), 0);
	}
}

/* One cycle: the sim advances, the host requests a scan, the pad answers,
 * the frames go into the pipeline. */
static void rig_cycle(struct rig *r, const struct dx_tactile_pose *pose)
{
	struct dx_can_frame req;
	int n;

	ck_assert_int_eq(dx_simpad_step(&r->sim, DT), 0);
	ck_assert_int_eq(dx_tactile_pad_request(&r->pad, &req), 1);
	n = dx_simpad_handle(&r->sim, &req, r->fr, DX_ARRAY_SIZE(r->fr));
	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		int rc = dx_tactile_pad_rx(&r->pad, &r->fr[i]);
		ck_assert_int_eq(rc, 1);
	}
	ck_assert_int_eq(dx_tactile_pad_update(&r->pad, DT, pose, &r->res), 0);
}

static void rig_run(struct rig *r, unsigned cycles)
{
	for (unsigned i = 0; i < cycles; i++)
		rig_cycle(r, NULL);
}

static void press(struct rig *r, float x, float y, float fx, float fy, float fz,
		  float radius)
{
	struct dx_simpad_contact c = {{x, y, 0}, {fx, fy, fz}, radius};
	ck_assert_int_eq(dx_simpad_set_contacts(&r->sim, &c, 1), 0);
}

/* ---- codecs -------------------------------------------------------------- */

START_TEST(test_taxel_codec_roundtrip)
{
	struct dx_taxel_msg m, d;
	struct dx_can_frame f;

	for (int fd = 0; fd < 2; fd++)
		for (unsigned axes = 1; axes <= 3; axes += 2) {
			unsigned cap = dx_taxel_frame_capacity(axes, fd);
			memset(&m, 0, sizeof(m));
			m.board = 200;
			m.seq = 255;
			m.first = 17;
			m.count = (uint8_t)cap;
			m.axes = (uint8_t)axes;
			m.end_of_scan = true;
			for (unsigned i = 0; i < cap * axes; i++)
				m.v[i] = (int16_t)(i * 1237 - 16000);
			m.v[0] = DX_TAXEL_INVALID;
			ck_assert_int_eq(dx_taxel_encode(&m, fd, &f), 0);
			ck_assert_int_eq(dx_can_frame_check(&f), 0);
			ck_assert_uint_eq(f.id, 0x0DA00000u | (200u << 12) | 17u);
			ck_assert(f.flags & DX_CAN_EXT);
			ck_assert_int_eq(dx_taxel_decode(&f, &d), 0);
			ck_assert_uint_eq(d.board, 200);
			ck_assert_uint_eq(d.seq, 255);
			ck_assert_uint_eq(d.first, 17);
			ck_assert_uint_eq(d.count, cap);
			ck_assert_uint_eq(d.axes, axes);
			ck_assert(d.end_of_scan);
			ck_assert_mem_eq(d.v, m.v, cap * axes * sizeof(int16_t));
		}
	/* capacities from the documented layout */
	ck_assert_uint_eq(dx_taxel_frame_capacity(1, false), 3);
	ck_assert_uint_eq(dx_taxel_frame_capacity(3, false), 1);
	ck_assert_uint_eq(dx_taxel_frame_capacity(1, true), 31);
	ck_assert_uint_eq(dx_taxel_frame_capacity(3, true), 10);
	/* exact bytes of a small classic frame */
	memset(&m, 0, sizeof(m));
	m.board = 1;
	m.seq = 5;
	m.first = 2;
	m.count = 1;
	m.axes = 3;
	m.v[0] = 0x0102;
	m.v[1] = -2;
	m.v[2] = 300;
	ck_assert_int_eq(dx_taxel_encode(&m, false, &f), 0);
	ck_assert_uint_eq(f.len, 8);
	{
		const uint8_t want[8] = {5, 0x41, 0x02, 0x01, 0xfe, 0xff, 0x2c, 0x01};
		ck_assert_mem_eq(f.data, want, 8);
	}
	/* FD padding: 2 3-axis taxels need 14 bytes → 16 */
	m.count = 2;
	ck_assert_int_eq(dx_taxel_encode(&m, true, &f), 0);
	ck_assert_uint_eq(f.len, 16);
	/* invalid requests */
	m.count = 2;
	ck_assert_int_eq(dx_taxel_encode(&m, false, &f), DX_EINVAL);
	m.count = 0;
	ck_assert_int_eq(dx_taxel_encode(&m, true, &f), DX_EINVAL);
	m.count = 1;
	m.axes = 2;
	ck_assert_int_eq(dx_taxel_encode(&m, true, &f), DX_EINVAL);
}
END_TEST

START_TEST(test_taxel_cmd_and_uskin_codec)
{
	struct dx_can_frame f;
	enum dx_taxel_cmd cmd;
	unsigned board, rate, taxel;
	uint16_t xyz[3], in[3] = {0x1234, 0xabcd, 0xf9ff};

	ck_assert_int_eq(dx_taxel_encode_cmd(9, DX_TAXEL_CMD_START, 500, &f), 0);
	ck_assert_int_eq(dx_taxel_decode_cmd(&f, &board, &cmd, &rate), 0);
	ck_assert_uint_eq(board, 9);
	ck_assert_int_eq(cmd, DX_TAXEL_CMD_START);
	ck_assert_uint_eq(rate, 500);
	ck_assert_int_eq(dx_taxel_encode_cmd(9, DX_TAXEL_CMD_SCAN, 0, &f), 0);
	ck_assert_int_eq(dx_taxel_decode_cmd(&f, &board, &cmd, NULL), 0);
	ck_assert_int_eq(cmd, DX_TAXEL_CMD_SCAN);
	f.data[0] = 9;
	ck_assert_int_eq(dx_taxel_decode_cmd(&f, &board, &cmd, NULL), DX_EPROTO);
	/* a command is not a data frame and vice versa */
	{
		struct dx_taxel_msg m;
		ck_assert_int_eq(dx_taxel_decode(&f, &m), DX_ENOENT);
	}

	/* uSkin: trigger {0x07, 0x00} to 0x200 + board */
	ck_assert_int_eq(dx_uskin_encode_trigger(1, &f), 0);
	ck_assert_uint_eq(f.id, 0x201);
	ck_assert_uint_eq(f.len, 2);
	ck_assert_uint_eq(f.data[0], 7);
	ck_assert_int_eq(dx_uskin_decode_trigger(&f, &board), 0);
	ck_assert_uint_eq(board, 1);
	f.len = 1; /* the 1-byte form of the reference driver */
	ck_assert_int_eq(dx_uskin_decode_trigger(&f, &board), 0);
	f.data[0] = 8;
	ck_assert_int_eq(dx_uskin_decode_trigger(&f, &board), DX_EPROTO);
	ck_assert_int_eq(dx_uskin_encode_trigger(0, &f), DX_EINVAL);
	ck_assert_int_eq(dx_uskin_encode_trigger(16, &f), DX_EINVAL);

	/* reply: 0x710 + taxel for board 1, big-endian X Y Z in bytes 1..6 */
	ck_assert_int_eq(dx_uskin_encode_taxel(1, 5, in, &f), 0);
	ck_assert_uint_eq(f.id, 0x715);
	ck_assert_uint_eq(f.len, 8);
	ck_assert_uint_eq(f.data[1], 0x12);
	ck_assert_uint_eq(f.data[2], 0x34);
	ck_assert_uint_eq(f.data[5], 0xf9);
	ck_assert_int_eq(dx_uskin_decode_taxel(&f, &board, &taxel, xyz), 0);
	ck_assert_uint_eq(board, 1);
	ck_assert_uint_eq(taxel, 5);
	ck_assert_mem_eq(xyz, in, sizeof(in));
	/* X first byte ≥ 250 is an invalid reading */
	in[0] = 0xfa00;
	ck_assert_int_eq(dx_uskin_encode_taxel(3, 15, in, &f), 0);
	ck_assert_uint_eq(f.id, 0x700 + 3 * 16 + 15);
	ck_assert_int_eq(dx_uskin_decode_taxel(&f, &board, &taxel, xyz), DX_ERANGE);
	f.len = 7;
	ck_assert_int_eq(dx_uskin_decode_taxel(&f, &board, &taxel, xyz),
			 DX_EMSGSIZE);
	f.id = 0x123;
	ck_assert_int_eq(dx_uskin_decode_taxel(&f, &board, &taxel, xyz), DX_ENOENT);
}
END_TEST

/* ---- pad model ----------------------------------------------------------- */

START_TEST(test_pad_init_errors)
{
	static struct dx_tactile_pad pad;
	struct dx_tactile_pad_config c;
	struct dx_tactile_taxel tx[2] = {{{0, 0, 0}, {0, 0, 1}},
					 {{0.004f, 0, 0}, {0, 0, 1}}};

	dx_tactile_pad_config_default(&c, DX_TACTILE_PROTO_DEXRT);
	c.rows = 17;
	c.cols = 16;
	c.pitch = 0.003f;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), DX_ENOSPC);
	c.rows = 16;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), 0);
	ck_assert_uint_eq(dx_tactile_pad_taxels(&pad), 256);
	c.axes = 2;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), DX_EINVAL);
	c.axes = 3;
	c.params.off_n = 1.0f; /* off above on */
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), DX_EINVAL);
	dx_tactile_pad_config_default(&c, DX_TACTILE_PROTO_DEXRT);
	c.taxels = tx;
	c.n_taxels = 2;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), 0);
	tx[1].pos[0] = NAN;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), DX_ENOTFINITE);
	dx_tactile_pad_config_default(&c, DX_TACTILE_PROTO_USKIN);
	c.board = 1;
	c.rows = 5;
	c.cols = 4;
	c.pitch = 0.005f;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), DX_ENOSPC);
	c.rows = 4;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), 0);
	c.board = 0;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), DX_EINVAL);
}
END_TEST

START_TEST(test_grid_geometry)
{
	struct dx_tactile_taxel g[6];
	const float o[3] = {0.01f, 0, 0}, n[3] = {0, 0, 2};

	ck_assert_int_eq(dx_tactile_grid(2, 3, 0.005f, o, n, g), 0);
	/* x along columns, y along rows, centred on the origin */
	dx_ck_near(g[0].pos[0], 0.005, 1e-7);
	dx_ck_near(g[0].pos[1], -0.0025, 1e-7);
	dx_ck_near(g[5].pos[0], 0.015, 1e-7);
	dx_ck_near(g[5].pos[1], 0.0025, 1e-7);
	dx_ck_near(g[5].normal[2], 1.0, 1e-7);
}
END_TEST

/* ---- contacts ------------------------------------------------------------ */

/* Stated tolerances: force within 5 %, centre of pressure within 0.5 mm
 * (1/8 of the 4 mm pitch). */
#define FORCE_TOL 0.05
#define COP_TOL 0.0005

START_TEST(test_single_contact)
{
	static struct rig r;
	const struct dx_tactile_contact *c;
	struct dx_tactile_pose pose;
	versor q;

	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 8, 8, 2.0f, 0.0f);
	rig_run(&r, 60);
	ck_assert_int_eq(r.res.state, DX_TACTILE_RUNNING);
	ck_assert(!r.res.in_contact);
	/* 2 N press with 0.4 N of shear along x, off-centre */
	press(&r, 0.0013f, -0.0021f, 0.4f, 0.0f, 2.0f, 0.003f);
	/* link rotated 90° about z and moved: p_hand = R p + t */
	glm_quatv(q, (float)M_PI_2, (vec3){0, 0, 1});
	memcpy(pose.rot, q, sizeof(pose.rot));
	pose.pos[0] = 0.05f;
	pose.pos[1] = 0.01f;
	pose.pos[2] = -0.02f;
	for (int i = 0; i < 200; i++)
		rig_cycle(&r, &pose);
	ck_assert_uint_eq(r.res.n_contacts, 1);
	c = &r.res.contacts[0];
	printf("single: Fn %.4f N, shear %.4f N, CoP (%.3f, %.3f) mm\n",
	       c->normal_force, c->shear[0], c->cop[0] * 1e3, c->cop[1] * 1e3);
	dx_ck_near(c->normal_force, 2.0, 2.0 * FORCE_TOL);
	dx_ck_near(c->shear[0], 0.4, 2.0 * FORCE_TOL);
	dx_ck_near(c->shear[1], 0.0, 2.0 * FORCE_TOL);
	dx_ck_near(c->cop[0], 0.0013, COP_TOL);
	dx_ck_near(c->cop[1], -0.0021, COP_TOL);
	dx_ck_near(c->normal[2], 1.0, 1e-4);
	/* hand frame: (x, y) → (−y, x) plus the offset */
	dx_ck_near(c->cop_hand[0], 0.05 - c->cop[1], 1e-6);
	dx_ck_near(c->cop_hand[1], 0.01 + c->cop[0], 1e-6);
	dx_ck_near(c->cop_hand[2], -0.02, 1e-6);
	dx_ck_near(c->force_hand[1], c->force[0], 1e-5);
	ck_assert(!c->slip);
	dx_ck_near(c->confidence, 1.0, 1e-6);

	/* lift: the contact goes away */
	dx_simpad_set_contacts(&r.sim, NULL, 0);
	rig_run(&r, 100);
	ck_assert(!r.res.in_contact);
	ck_assert_uint_eq(r.res.n_contacts, 0);
}
END_TEST

START_TEST(test_double_contact)
{
	static struct rig r;
	struct dx_simpad_contact cs[2] = {
		{{-0.008f, -0.006f, 0}, {0, 0, 1.5f}, 0.0025f},
		{{0.008f, 0.006f, 0}, {0, 0, 1.0f}, 0.0025f},
	};
	uint32_t ids[2];

	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 8, 8, 2.0f, 0.0f);
	rig_run(&r, 60);
	ck_assert_int_eq(dx_simpad_set_contacts(&r.sim, cs, 2), 0);
	rig_run(&r, 200);
	ck_assert_uint_eq(r.res.n_contacts, 2);
	for (int k = 0; k < 2; k++) {
		const struct dx_tactile_contact *c = &r.res.contacts[k];
		/* regions come out in taxel order: the lower-left one first */
		const struct dx_simpad_contact *want = &cs[k];
		printf("double[%d]: Fn %.4f N, CoP (%.3f, %.3f) mm\n", k,
		       c->normal_force, c->cop[0] * 1e3, c->cop[1] * 1e3);
		dx_ck_near(c->normal_force, want->force[2],
			   want->force[2] * FORCE_TOL);
		dx_ck_near(c->cop[0], want->pos[0], COP_TOL);
		dx_ck_near(c->cop[1], want->pos[1], COP_TOL);
		ids[k] = c->id;
	}
	ck_assert_uint_ne(ids[0], ids[1]);
	dx_ck_near(r.res.total_normal, 2.5, 2.5 * FORCE_TOL);
	/* ids stay stable while the contacts persist */
	rig_run(&r, 20);
	ck_assert_uint_eq(r.res.contacts[0].id, ids[0]);
	ck_assert_uint_eq(r.res.contacts[1].id, ids[1]);
}
END_TEST

/* Drift of 20 counts/s (0.02 N/s, 0.6 N over the 30 s) with nothing
 * touching: never a contact. Then a slow 5 s press to 2 N while the drift
 * goes on: the baseline must not eat it (force within 5 %). */
START_TEST(test_drift_and_slow_press)
{
	static struct rig r;
	float maxf = 0;

	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 4, 4, 2.0f, 20.0f);
	rig_run(&r, 60);
	for (int i = 0; i < 30000; i++) {
		rig_cycle(&r, NULL);
		ck_assert_msg(!r.res.in_contact, "false contact at cycle %d", i);
		for (unsigned k = 0; k < 16; k++) {
			float p = fabsf(dx_tactile_pad_taxel_force(&r.pad, k));
			if (p > maxf)
				maxf = p;
		}
	}
	printf("drift: largest taxel reading in 30 s of drift %.4f N\n", maxf);
	ck_assert_float_le(maxf, 0.025f);
	for (int i = 0; i <= 5000; i++) {
		press(&r, 0, 0, 0, 0, 2.0f * (float)i / 5000.0f, 0.0025f);
		rig_cycle(&r, NULL);
	}
	rig_run(&r, 1000);
	ck_assert_uint_eq(r.res.n_contacts, 1);
	printf("slow press: Fn %.4f N (want 2.0)\n",
	       r.res.contacts[0].normal_force);
	dx_ck_near(r.res.contacts[0].normal_force, 2.0, 2.0 * FORCE_TOL);
}
END_TEST

/* A taxel hovering at the on threshold with noise: count contact state
 * changes with the default hysteresis + debounce, and without them. */
static unsigned chatter(bool hysteresis)
{
	static struct dx_tactile_pad pad;
	static struct dx_simpad sim; /* used for its noise source only */
	struct dx_tactile_pad_config c;
	struct dx_simpad_config sc;
	struct dx_tactile_result res;
	unsigned changes = 0;
	bool prev = false;

	dx_tactile_pad_config_default(&c, DX_TACTILE_PROTO_DEXRT);
	c.rows = 1;
	c.cols = 1;
	c.pitch = 0.004f;
	c.axes = 1;
	if (!hysteresis) {
		c.params.off_n = c.params.on_n;
		c.params.debounce = 1;
	}
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), 0);
	dx_simpad_config_default(&sc, DX_TACTILE_PROTO_DEXRT);
	sc.rows = 1;
	sc.cols = 1;
	sc.pitch = 0.004f;
	sc.axes = 1;
	sc.noise = 15.0f; /* 0.015 N */
	sc.seed = 7;
	ck_assert_int_eq(dx_simpad_init(&sim, &sc), 0);
	for (int i = 0; i < 4000; i++) {
		int32_t raw[3];
		dx_simpad_step(&sim, DT);
		dx_simpad_raw(&sim, 0, raw);
		/* after the tare, a mean reading exactly at the on threshold */
		if (i >= 100)
			raw[0] += (int32_t)lroundf(c.params.on_n / c.gain);
		ck_assert_int_eq(dx_tactile_pad_put(&pad, 0, raw), 0);
		ck_assert_int_eq(dx_tactile_pad_update(&pad, DT, NULL, &res), 0);
		if (res.in_contact != prev)
			changes++;
		prev = res.in_contact;
	}
	return changes;
}

START_TEST(test_hysteresis_no_chatter)
{
	unsigned with = chatter(true), without = chatter(false);

	printf("chatter at threshold over 3.9 s: %u changes with hysteresis, "
	       "%u without\n", with, without);
	ck_assert_uint_le(with, 2);
	ck_assert_uint_ge(without, 20);
}
END_TEST

/* Slip: a static 2 N press must never be flagged (1.5 s); with slip on
 * (shear ratio rising at 2/s and 250 Hz vibration) it must be flagged
 * within 30 cycles (30 ms). */
#define SLIP_MAX_CYCLES 30

START_TEST(test_slip)
{
	static struct rig r;
	struct dx_simpad_slip sl = {.on = true, .dir = {1, 0, 0}};
	int flagged = -1;

	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 8, 8, 2.0f, 0.0f);
	rig_run(&r, 60);
	press(&r, 0, 0, 0.2f, 0, 2.0f, 0.004f);
	for (int i = 0; i < 1500; i++) {
		rig_cycle(&r, NULL);
		if (r.res.n_contacts)
			ck_assert_msg(!r.res.contacts[0].slip,
				      "static press flagged at %d (rate %g, e %g)",
				      i, r.res.contacts[0].ratio_rate,
				      r.res.contacts[0].energy);
	}
	ck_assert_uint_eq(r.res.n_contacts, 1);
	printf("static: ratio %.3f, rate %.3f /s, energy %.2e\n",
	       r.res.contacts[0].ratio, r.res.contacts[0].ratio_rate,
	       r.res.contacts[0].energy);
	dx_simpad_set_slip(&r.sim, &sl);
	for (int i = 0; i < 200 && flagged < 0; i++) {
		rig_cycle(&r, NULL);
		if (r.res.n_contacts && r.res.contacts[0].slip)
			flagged = i + 1;
	}
	printf("slip flagged after %d cycles (limit %d)\n", flagged,
	       SLIP_MAX_CYCLES);
	ck_assert_int_gt(flagged, 0);
	ck_assert_int_le(flagged, SLIP_MAX_CYCLES);
	/* and it clears once the slip stops */
	dx_simpad_set_slip(&r.sim, NULL);
	rig_run(&r, 300);
	ck_assert(!r.res.contacts[0].slip);
}
END_TEST

/* Each half of the slip model on its own: a shear ratio rising at 2/s with
 * no vibration, and a 250 Hz vibration of 20 % of the load with no shear
 * change, are each flagged within SLIP_MAX_CYCLES. */
static int slip_alone(float shear_rate, float vib_rel, float *rate, float *e)
{
	static struct rig r;
	struct dx_simpad_slip sl = {.on = true, .dir = {0, 1, 0}};

	sl.shear_rate = shear_rate;
	sl.vib_rel = vib_rel;
	sl.period_s = 10.0f;
	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 8, 8, 2.0f, 0.0f);
	rig_run(&r, 60);
	press(&r, 0, 0, 0, 0, 2.0f, 0.004f);
	rig_run(&r, 300);
	ck_assert(!r.res.contacts[0].slip);
	dx_simpad_set_slip(&r.sim, &sl);
	for (int i = 0; i < 200; i++) {
		rig_cycle(&r, NULL);
		ck_assert_uint_eq(r.res.n_contacts, 1);
		if (r.res.contacts[0].slip) {
			*rate = r.res.contacts[0].ratio_rate;
			*e = r.res.contacts[0].energy;
			return i + 1;
		}
	}
	return -1;
}

START_TEST(test_slip_criteria)
{
	float rate, e;
	int n;

	n = slip_alone(2.0f, 1e-6f, &rate, &e);
	printf("slip, shear rate only: flagged after %d cycles (ρ̇ %.2f /s, "
	       "e %.1e)\n", n, rate, e);
	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, SLIP_MAX_CYCLES);
	ck_assert_float_gt(fabsf(rate), 1.0f);
	n = slip_alone(1e-6f, 0.2f, &rate, &e);
	printf("slip, vibration only: flagged after %d cycles (ρ̇ %.2f /s, "
	       "e %.1e)\n", n, rate, e);
	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, SLIP_MAX_CYCLES);
	ck_assert_float_gt(e, 1e-3f);
}
END_TEST

/* Faults: a dead, a stuck and a saturated taxel are each detected,
 * reported exactly once and masked; the contact estimate stays within
 * 10 % and 1 mm although the dead and the stuck taxel are two of the four
 * taxels under the peak of the contact (they are filled from their
 * neighbours, which underestimates a peak). */
START_TEST(test_masked_taxels)
{
	static struct rig r;
	struct dx_tactile_fault fr;
	unsigned seen[3] = {0, 0, 0};
	const unsigned dead = 27, stuck = 36, sat = 0;

	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 8, 8, 2.0f, 0.0f);
	rig_run(&r, 60);
	press(&r, 0.0005f, 0.0005f, 0, 0, 2.0f, 0.004f);
	rig_run(&r, 100);
	dx_simpad_inject(&r.sim, dead, DX_SIMPAD_DEAD);
	dx_simpad_inject(&r.sim, stuck, DX_SIMPAD_STUCK);
	dx_simpad_inject(&r.sim, sat, DX_SIMPAD_SATURATED);
	rig_run(&r, 600);
	while (dx_tactile_pad_fault_pop(&r.pad, &fr) == 0) {
		ck_assert(fr.set);
		if (fr.taxel == dead) {
			ck_assert_uint_eq(fr.kind, DX_TACTILE_FAULT_DEAD);
			seen[0]++;
		} else if (fr.taxel == stuck) {
			ck_assert_uint_eq(fr.kind, DX_TACTILE_FAULT_STUCK);
			seen[1]++;
		} else if (fr.taxel == sat) {
			ck_assert_uint_eq(fr.kind, DX_TACTILE_FAULT_SATURATED);
			seen[2]++;
		}
		else
			ck_abort_msg("fault on healthy taxel %u", fr.taxel);
	}
	ck_assert_uint_eq(seen[0], 1);
	ck_assert_uint_eq(seen[1], 1);
	ck_assert_uint_eq(seen[2], 1);
	ck_assert_uint_eq(r.res.n_masked, 3);
	ck_assert_uint_eq(r.res.n_contacts, 1);
	printf("masked: Fn %.4f N, CoP (%.3f, %.3f) mm, confidence %.2f\n",
	       r.res.contacts[0].normal_force, r.res.contacts[0].cop[0] * 1e3,
	       r.res.contacts[0].cop[1] * 1e3, r.res.contacts[0].confidence);
	dx_ck_near(r.res.contacts[0].normal_force, 2.0, 2.0 * 0.10);
	dx_ck_near(r.res.contacts[0].cop[0], 0.0005, 0.001);
	dx_ck_near(r.res.contacts[0].cop[1], 0.0005, 0.001);
	ck_assert_float_lt(r.res.contacts[0].confidence, 1.0f);
	/* reported once: nothing more after many more cycles */
	rig_run(&r, 300);
	ck_assert_int_eq(dx_tactile_pad_fault_pop(&r.pad, &fr), DX_EAGAIN);
	/* the dead taxel comes back (dead_cycles valid samples): one
	 * "cleared" record; the stuck one stays masked */
	dx_simpad_inject(&r.sim, dead, DX_SIMPAD_OK);
	rig_run(&r, 100);
	ck_assert_int_eq(dx_tactile_pad_fault_pop(&r.pad, &fr), 0);
	ck_assert_uint_eq(fr.taxel, dead);
	ck_assert_uint_eq(fr.kind, DX_TACTILE_FAULT_DEAD);
	ck_assert(!fr.set);
	ck_assert_int_eq(dx_tactile_pad_fault_pop(&r.pad, &fr), DX_EAGAIN);
	ck_assert_uint_eq(r.res.n_masked, 2);
	dx_ck_near(r.res.contacts[0].normal_force, 2.0, 2.0 * 0.10);
}
END_TEST

START_TEST(test_uskin_end_to_end)
{
	static struct rig r;

	rig_init(&r, DX_TACTILE_PROTO_USKIN, 4, 4, 3.0f, 0.0f);
	rig_run(&r, 60);
	ck_assert_int_eq(r.res.state, DX_TACTILE_RUNNING);
	press(&r, 0.001f, 0.0f, 0, 0, 1.5f, 0.003f);
	rig_run(&r, 200);
	ck_assert_uint_eq(r.res.n_contacts, 1);
	printf("uSkin: Fn %.4f N, CoP (%.3f, %.3f) mm\n",
	       r.res.contacts[0].normal_force, r.res.contacts[0].cop[0] * 1e3,
	       r.res.contacts[0].cop[1] * 1e3);
	dx_ck_near(r.res.contacts[0].normal_force, 1.5, 1.5 * FORCE_TOL);
	dx_ck_near(r.res.contacts[0].cop[0], 0.001, COP_TOL);
	ck_assert_uint_eq(r.pad.rx.frames, 16 * 260);
}
END_TEST

/* ---- bad input ----------------------------------------------------------- */

START_TEST(test_bad_frames)
{
	static struct rig r;
	static struct dx_tactile_pad other;
	struct dx_tactile_pad_config oc;
	struct dx_tactile_pad *pads[2] = {&r.pad, &other};
	struct dx_tactile_rx_stats st;
	struct dx_can_frame f, good;
	struct dx_taxel_msg m;
	uint64_t frames;

	rig_init(&r, DX_TACTILE_PROTO_DEXRT, 4, 4, 2.0f, 0.0f);
	dx_tactile_pad_config_default(&oc, DX_TACTILE_PROTO_USKIN);
	oc.board = 2;
	oc.rows = 4;
	oc.cols = 4;
	oc.pitch = 0.004f;
	ck_assert_int_eq(dx_tactile_pad_init(&other, &oc), 0);
	memset(&st, 0, sizeof(st));
	rig_run(&r, 60);
	frames = r.pad.rx.frames;

	memset(&m, 0, sizeof(m));
	m.board = 7;
	m.axes = 3;
	m.count = 1;
	m.first = 3;
	m.seq = (uint8_t)r.pad.seq_expect;
	m.v[2] = 100;
	ck_assert_int_eq(dx_taxel_encode(&m, false, &good), 0);

	/* wrong length */
	f = good;
	f.len = 7;
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), DX_EMSGSIZE);
	ck_assert_uint_eq(r.pad.rx.bad_length, 1);
	/* FD frame with the wrong padding */
	f = good;
	f.flags |= DX_CAN_FD;
	f.len = 12;
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), DX_EMSGSIZE);
	ck_assert_uint_eq(r.pad.rx.bad_length, 2);
	/* taxels past the pad */
	f = good;
	f.id = dx_taxel_id(7, 0, 16);
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), DX_EPROTO);
	ck_assert_uint_eq(r.pad.rx.bad_format, 1);
	/* wrong axis count for this pad: a 1-axis frame */
	{
		struct dx_taxel_msg m1 = m;
		m1.axes = 1;
		ck_assert_int_eq(dx_taxel_encode(&m1, false, &f), 0);
		ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), DX_EPROTO);
		ck_assert_uint_eq(r.pad.rx.bad_format, 2);
	}
	/* out-of-range value (-32767 is the floor, -32768 means invalid, so
	 * lower the pad's accepted range to test it) */
	r.pad.prm.raw_max = 1000;
	f = good;
	f.data[6] = 0xe8; /* Z = 0x03e8 + 0x100 · 0x10 */
	f.data[7] = 0x13;
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), DX_ERANGE);
	ck_assert_uint_eq(r.pad.rx.bad_value, 1);
	r.pad.prm.raw_max = 32767;
	/* sequence: in order accepted; a gap of 3 counted; an old one dropped */
	ck_assert_int_eq(dx_tactile_route(pads, 2, &good, &st), 1);
	m.seq = (uint8_t)(m.seq + 4);
	ck_assert_int_eq(dx_taxel_encode(&m, false, &f), 0);
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), 1);
	ck_assert_uint_eq(r.pad.rx.seq_gaps, 3);
	ck_assert_int_eq(dx_tactile_route(pads, 2, &good, &st), DX_ESTALE);
	ck_assert_uint_eq(r.pad.rx.seq_stale, 1);
	/* unknown board: counted by the router, no pad touched */
	f = good;
	f.id = dx_taxel_id(99, 0, 0);
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), 0);
	ck_assert_uint_eq(st.unknown_board, 1);
	{
		uint16_t xyz[3] = {1, 2, 3};
		ck_assert_int_eq(dx_uskin_encode_taxel(5, 0, xyz, &f), 0);
		ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), 0);
		ck_assert_uint_eq(st.unknown_board, 2);
		/* the uSkin pad takes its own and counts its invalid ones */
		ck_assert_int_eq(dx_uskin_encode_taxel(2, 4, xyz, &f), 0);
		ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), 1);
		xyz[0] = 0xfb00;
		ck_assert_int_eq(dx_uskin_encode_taxel(2, 4, xyz, &f), 0);
		ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), DX_ERANGE);
		ck_assert_uint_eq(other.rx.invalid, 1);
	}
	/* unrelated traffic is left alone and not counted */
	memset(&f, 0, sizeof(f));
	f.id = 0x141;
	f.len = 8;
	ck_assert_int_eq(dx_tactile_route(pads, 2, &f, &st), 0);
	ck_assert_uint_eq(st.unknown_board, 2);
	ck_assert_uint_eq(r.pad.rx.frames, frames + 2);

	/* random garbage with the taxel tag never crashes and never counts
	 * as accepted unless it decodes */
	{
		uint64_t x = 88172645463325252ull;
		for (int i = 0; i < 20000; i++) {
			memset(&f, 0, sizeof(f));
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			f.id = (uint32_t)(x & 0x1fffffffu);
			if (i & 1)
				f.id = (f.id & 0xfffffu) | (0x0DAu << 20);
			f.flags = (uint8_t)((x >> 32) & (DX_CAN_EXT | DX_CAN_FD));
			if (!(i & 1))
				f.flags &= (uint8_t)~DX_CAN_EXT;
			else
				f.flags |= DX_CAN_EXT;
			f.len = (uint8_t)((x >> 40) % 65);
			for (int k = 0; k < 64; k++)
				f.data[k] = (uint8_t)(x >> (k % 56));
			(void)dx_tactile_route(pads, 2, &f, &st);
		}
	}
	/* the pad still works: a press after all that is recovered */
	r.pad.seq_expect = -1;
	dx_tactile_pad_tare(&r.pad);
	dx_simpad_set_contacts(&r.sim, NULL, 0);
	rig_run(&r, 100);
	press(&r, 0, 0, 0, 0, 1.0f, 0.0025f);
	rig_run(&r, 200);
	ck_assert_uint_eq(r.res.n_contacts, 1);
	dx_ck_near(r.res.contacts[0].normal_force, 1.0, 0.05);
	/* bad arguments */
	ck_assert_int_eq(dx_tactile_pad_update(&r.pad, 0.0, NULL, &r.res),
			 DX_EINVAL);
	ck_assert_int_eq(dx_tactile_pad_update(&r.pad, NAN, NULL, &r.res),
			 DX_ENOTFINITE);
	ck_assert_int_eq(dx_tactile_pad_rx(&r.pad, NULL), DX_EINVAL);
	{
		struct dx_tactile_pose zero = {{0, 0, 0}, {0, 0, 0, 0}};
		struct dx_tactile_pose bad = {{NAN, 0, 0}, {0, 0, 0, 1}};
		ck_assert_int_eq(dx_tactile_pad_update(&r.pad, DT, &zero, &r.res),
				 DX_EINVAL);
		ck_assert_int_eq(dx_tactile_pad_update(&r.pad, DT, &bad, &r.res),
				 DX_ENOTFINITE);
	}
}
END_TEST

/* More separate regions than DX_TACTILE_MAX_CONTACTS: the strongest are
 * kept, the rest counted as dropped. Synthetic samples put directly. */
START_TEST(test_contact_capacity)
{
	static struct dx_tactile_pad pad;
	struct dx_tactile_pad_config c;
	struct dx_tactile_result res;
	/* five single-taxel bumps on a 16 × 16 1-axis grid, far apart */
	const unsigned at[5] = {2 * 16 + 2, 2 * 16 + 12, 8 * 16 + 7,
				13 * 16 + 2, 13 * 16 + 12};
	const float fn[5] = {0.5f, 0.6f, 0.3f, 0.8f, 0.7f};
	bool seen[5] = {false};

	dx_tactile_pad_config_default(&c, DX_TACTILE_PROTO_DEXRT);
	c.rows = 16;
	c.cols = 16;
	c.pitch = 0.003f;
	c.axes = 1;
	ck_assert_int_eq(dx_tactile_pad_init(&pad, &c), 0);
	for (int cyc = 0; cyc < 200; cyc++) {
		for (unsigned i = 0; i < 256; i++) {
			int32_t raw[3] = {0, 0, 0};
			if (cyc >= 100)
				for (int k = 0; k < 5; k++)
					if (i == at[k])
						raw[0] = (int32_t)(fn[k] / c.gain);
			ck_assert_int_eq(dx_tactile_pad_put(&pad, i, raw), 0);
		}
		ck_assert_int_eq(dx_tactile_pad_update(&pad, DT, NULL, &res), 0);
	}
	ck_assert_uint_eq(res.n_contacts, DX_TACTILE_MAX_CONTACTS);
	ck_assert_uint_eq(res.dropped, 1);
	for (unsigned k = 0; k < res.n_contacts; k++)
		for (int j = 0; j < 5; j++)
			if (fabsf(res.contacts[k].normal_force - fn[j]) < 0.01f)
				seen[j] = true;
	ck_assert(seen[0] && seen[1] && seen[3] && seen[4]);
	ck_assert(!seen[2]); /* the weakest one is the one dropped */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tactile");
	TCase *tc = tcase_create("tactile");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_taxel_codec_roundtrip);
	tcase_add_test(tc, test_taxel_cmd_and_uskin_codec);
	tcase_add_test(tc, test_pad_init_errors);
	tcase_add_test(tc, test_grid_geometry);
	tcase_add_test(tc, test_single_contact);
	tcase_add_test(tc, test_double_contact);
	tcase_add_test(tc, test_drift_and_slow_press);
	tcase_add_test(tc, test_hysteresis_no_chatter);
	tcase_add_test(tc, test_slip);
	tcase_add_test(tc, test_slip_criteria);
	tcase_add_test(tc, test_masked_taxels);
	tcase_add_test(tc, test_uskin_end_to_end);
	tcase_add_test(tc, test_bad_frames);
	tcase_add_test(tc, test_contact_capacity);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
