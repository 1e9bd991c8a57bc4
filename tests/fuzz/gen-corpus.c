/* SPDX-License-Identifier: MIT */
/* Writes the seed corpora of the codec fuzz targets (mit, robstride,
 * odrive, cia402, taxel, uskin, exchange) with the library's own encoders,
 * so every seed starts from frames a real peer would send. Each seed
 * follows the input layout its target documents.
 *
 *   ninja -C BUILD tests/fuzz/fuzz-gen-corpus
 *   BUILD/tests/fuzz/fuzz-gen-corpus tests/fuzz/corpus
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <dexrt/drive.h>
#include <dexrt/tactile.h>

struct buf {
	uint8_t b[8192];
	size_t n;
};

static const char *outdir;

static void put8(struct buf *s, uint8_t v)
{
	if (s->n >= sizeof(s->b)) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	s->b[s->n++] = v;
}

static void put16(struct buf *s, uint16_t v)
{
	put8(s, (uint8_t)v);
	put8(s, (uint8_t)(v >> 8));
}

static void put32(struct buf *s, uint32_t v)
{
	put16(s, (uint16_t)v);
	put16(s, (uint16_t)(v >> 16));
}

static void putd(struct buf *s, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	put32(s, (uint32_t)u);
	put32(s, (uint32_t)(u >> 32));
}

static void putf(struct buf *s, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	put32(s, u);
}

/* A frame in the fuzz-util.h layout. */
static void putframe(struct buf *s, const struct dx_can_frame *f)
{
	put32(s, f->id);
	put8(s, f->flags);
	put8(s, f->len);
	for (unsigned i = 0; i < f->len; i++)
		put8(s, f->data[i]);
}

static void save(const char *target, const char *name, const struct buf *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

#define CHECK(x)                                                              \
	do {                                                                  \
		if ((x) != 0) {                                               \
			fprintf(stderr, "%s:%d: %s failed\n", __FILE__,       \
				__LINE__, #x);                                \
			exit(1);                                              \
		}                                                             \
	} while (0)

/* ---- MIT families ------------------------------------------------------ */

static void mit_cmd_bytes(struct buf *s, double p, double v, double kp,
			  double kd, double t)
{
	putd(s, p);
	putd(s, v);
	putd(s, kp);
	putd(s, kd);
	putd(s, t);
}

static void mit_seeds(bool robstride)
{
	const char *target = robstride ? "robstride" : "mit";
	unsigned k = 0;

	for (size_t i = 0; i < dx_mit_model_count(); i++) {
		const struct dx_mit_model *m = dx_mit_model_at(i);
		struct dx_mit_addr a;
		struct dx_mit_fb fb;
		struct dx_mit_cmd c = { 0.5, -1.0, 20.0, 0.5, 0.25 };
		struct dx_can_frame f;
		struct buf s = { .n = 0 };
		char name[64];
		double tq;

		if ((m->family == DX_MIT_ROBSTRIDE) != robstride)
			continue;
		a.model = m;
		a.id = 3;
		a.master = m->family == DX_MIT_CUBEMARS ? 0 :
			   m->family == DX_MIT_DAMIAO ? 0x13 : 0xfd;
		put8(&s, (uint8_t)k++);
		put8(&s, a.id);
		put8(&s, a.master);
		/* a reply, a command, each special; commands after each */
		memset(&fb, 0, sizeof(fb));
		fb.id = a.id;
		fb.pos = 1.25, fb.vel = -3.0, fb.tau = 0.75, fb.temp_c = 41.0;
		fb.temp2_c = 39.0;
		fb.enabled = true;
		CHECK(dx_mit_encode_reply(&a, &fb, &f, NULL));
		putframe(&s, &f);
		mit_cmd_bytes(&s, 0.1, 0.2, 5.0, 0.1, -0.2);
		fb.fault = DX_DRIVE_FAULT_MOTOR_OVERTEMP;
		fb.vendor_code = dx_mit_fault_encode(m->family, fb.fault, true);
		CHECK(dx_mit_encode_reply(&a, &fb, &f, NULL));
		putframe(&s, &f);
		mit_cmd_bytes(&s, -m->p_max, m->v_max, m->kp_max, m->kd_max,
			      -m->t_max);
		CHECK(dx_mit_encode_cmd(&a, &c, &f, NULL));
		putframe(&s, &f);
		mit_cmd_bytes(&s, 1e9, -1e9, 1e9, -1.0, 0.0);
		for (int sp = DX_MIT_ENABLE; sp <= DX_MIT_CLEAR_FAULT; sp++) {
			if (dx_mit_encode_special(&a, (enum dx_mit_special)sp,
						  &f) != 0)
				continue;
			putframe(&s, &f);
			mit_cmd_bytes(&s, NAN, 0, 0, 0, INFINITY);
		}
		snprintf(name, sizeof(name), "%s-id3", m->name);
		save(target, name, &s);
		if (strcmp(m->name, "ak80-64") && strcmp(m->name, "dm-j4310"))
			continue;
		/* Every field at its maximum and the torque at raw 0xffe:
		 * before 35c0786 the command frame read ff ff ff ff ff ff ff
		 * fe, the bytes of "set zero" (kept as a regression input). */
		s.n = 3;
		CHECK(dx_mit_encode_cmd(&a, &c, &f, NULL));
		putframe(&s, &f);
		tq = (4094.0 / 4095.0 * 2.0 - 1.0) * m->t_max;
		mit_cmd_bytes(&s, 1e9, 1e9, 1e9, 1e9, tq);
		snprintf(name, sizeof(name), "crash-cmd-is-set-zero-%s", m->name);
		save(target, name, &s);
	}
}

/* ---- ODrive ---------------------------------------------------------- */

static void odrive_ctl(struct buf *s, uint8_t cmd_sel, uint8_t node, float a,
		       float b, float c)
{
	put8(s, cmd_sel);
	put8(s, node);
	putf(s, a);
	putf(s, b);
	putf(s, c);
}

static void odrive_seed(uint8_t row)
{
	struct buf s = { .n = 0 };
	struct dx_odrive_msg m;
	struct dx_can_frame f;
	char name[64];

	put8(&s, row);
#define ODRIVE_FRAME(setup)                                                   \
	do {                                                                  \
		memset(&m, 0, sizeof(m));                                     \
		m.node = 3;                                                   \
		setup;                                                        \
		CHECK(dx_odrive_encode(NULL, &m, &f, NULL));                  \
		putframe(&s, &f);                                             \
	} while (0)
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_HEARTBEAT, m.u.heartbeat.state = 8,
		      m.u.heartbeat.traj_done = true));
	odrive_ctl(&s, 6, 3, 1.5f, 2.0f, 0.5f); /* set_input_pos */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_GET_ENCODER_ESTIMATES,
		      m.u.encoder.pos = 0.25f, m.u.encoder.vel = -1.0f));
	odrive_ctl(&s, 7, 3, 1e6f, -1e6f, 0);    /* set_input_vel, clamped */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_GET_ERROR, m.u.error.active = 0x2000));
	odrive_ctl(&s, 8, 3, -100.0f, 0, 0);     /* set_input_torque */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_SET_INPUT_POS, m.u.input_pos.pos = 2.0f,
		      m.u.input_pos.vel_ff = 1.0f,
		      m.u.input_pos.torque_ff = -0.5f));
	odrive_ctl(&s, 9, 3, 5.0f, 10.0f, 0);    /* set_limits */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_GET_TEMPERATURE,
		      m.u.temperature.fet = 45.0f,
		      m.u.temperature.motor = 60.0f));
	odrive_ctl(&s, 0x83, 3, 0, 0, 0);        /* rtr (node bit 7) */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_GET_TORQUES, m.u.torques.target = 0.5f,
		      m.u.torques.estimate = 0.45f));
	odrive_ctl(&s, 3, 3, 0, 0, 0);
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_GET_ENCODER_ESTIMATES, m.rtr = true));
	odrive_ctl(&s, 0xe5, 63, 0, 0, 0);       /* unknown command 5 */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_SET_AXIS_STATE,
		      m.u.axis_state.state = 8));
	odrive_ctl(&s, 1, 64, 0, 0, 0);          /* node out of range */
	ODRIVE_FRAME((m.cmd = DX_ODRIVE_CLEAR_ERRORS));
	odrive_ctl(&s, 5, 1, 0, 0, 0);
#undef ODRIVE_FRAME
	snprintf(name, sizeof(name), "node3-session-%s",
		 dx_odrive_model_at(row)->name);
	save("odrive", name, &s);
}

static void odrive_seeds(void)
{
	for (size_t i = 0; i < dx_odrive_model_count(); i++)
		odrive_seed((uint8_t)i);
}

/* ---- CiA 402 ----------------------------------------------------------- */

/* 15 control bytes: state machine inputs and an empty PDO mapping. */
static void cia_ctl(struct buf *s, uint8_t cur, uint8_t tgt, uint16_t cw,
		    uint16_t prev)
{
	put8(s, cur);
	put8(s, tgt);
	put16(s, cw);
	put16(s, prev);
	put8(s, 0); /* mapping of 0 entries */
	for (int i = 0; i < 8; i++)
		put8(s, 0);
}

static void cia402_seed(uint8_t row)
{
	const uint8_t node = 5;
	const struct dx_cia402_model *model = dx_cia402_model_at(row);
	char name[64];
	struct buf s = { .n = 0 };
	struct dx_can_frame f, g[2];
	struct dx_sdo sdo;
	struct dx_cia402_in in = { 0x0237, 8, 1.5, -2.0, 0.3, 0 };
	struct dx_cia402_out o = { 0x000f, 8, 0.75, 1.0, -0.2 };

	put8(&s, row);
	put8(&s, node);
	sdo = (struct dx_sdo){ DX_SDO_UPLOAD_REQ, node, 0x6041, 0, 0, 0 };
	CHECK(dx_sdo_encode(&sdo, &f));
	putframe(&s, &f);
	cia_ctl(&s, DX_CIA402_SWITCH_ON_DISABLED, DX_CIA402_OPERATION_ENABLED,
		DX_CIA402_CMD_SHUTDOWN, 0);
	sdo = (struct dx_sdo){ DX_SDO_UPLOAD_RESP, node, 0x6041, 0, 2, 0x0237 };
	CHECK(dx_sdo_encode(&sdo, &f));
	putframe(&s, &f);
	cia_ctl(&s, DX_CIA402_READY_TO_SWITCH_ON, DX_CIA402_OPERATION_ENABLED,
		DX_CIA402_CMD_SWITCH_ON, DX_CIA402_CMD_SHUTDOWN);
	sdo = (struct dx_sdo){ DX_SDO_DOWNLOAD_REQ, node, 0x6060, 0, 1, 8 };
	CHECK(dx_sdo_encode(&sdo, &f));
	putframe(&s, &f);
	cia_ctl(&s, DX_CIA402_SWITCHED_ON, DX_CIA402_OPERATION_ENABLED,
		DX_CIA402_CMD_ENABLE_OPERATION, DX_CIA402_CMD_SWITCH_ON);
	sdo = (struct dx_sdo){ DX_SDO_DOWNLOAD_RESP, node, 0x6060, 0, 0, 0 };
	CHECK(dx_sdo_encode(&sdo, &f));
	putframe(&s, &f);
	cia_ctl(&s, DX_CIA402_FAULT, DX_CIA402_OPERATION_ENABLED,
		DX_CIA402_CMD_FAULT_RESET, 0);
	sdo = (struct dx_sdo){ DX_SDO_ABORT, node, 0x6064, 0, 0,
			       DX_SDO_ABORT_NO_OBJECT };
	CHECK(dx_sdo_encode(&sdo, &f));
	putframe(&s, &f);
	cia_ctl(&s, DX_CIA402_OPERATION_ENABLED, DX_CIA402_QUICK_STOP_ACTIVE,
		DX_CIA402_CMD_QUICK_STOP, DX_CIA402_CMD_ENABLE_OPERATION);
	CHECK(dx_cia402_encode_tpdos(model, node, &in, g));
	putframe(&s, &g[0]);
	cia_ctl(&s, 0, 0, 0, 0);
	putframe(&s, &g[1]);
	cia_ctl(&s, 0, 0, 0, 0);
	CHECK(dx_cia402_encode_rpdos(model, node, &o, g, NULL));
	putframe(&s, &g[0]);
	cia_ctl(&s, 0, 0, 0, 0);
	putframe(&s, &g[1]);
	cia_ctl(&s, 0, 0, 0, 0);
	CHECK(dx_co_nmt(node, DX_NMT_START, &f));
	putframe(&s, &f);
	cia_ctl(&s, 0, 0, 0, 0);
	CHECK(dx_co_heartbeat(node, DX_NMT_OPERATIONAL, &f));
	putframe(&s, &f);
	cia_ctl(&s, 0, 0, 0, 0);
	dx_co_sync(&f);
	putframe(&s, &f);
	/* last: a real mapping (statusword, mode display, position) */
	cia_ctl(&s, 0, 0, 0, 0);
	s.n -= 9;
	put8(&s, 3);
	put8(&s, 0x41); /* 16 bits */
	put8(&s, 0x60); /* 8 bits */
	put8(&s, 0x62); /* 32 bits */
	for (int i = 0; i < 5; i++)
		put8(&s, 0);
	put32(&s, 0x0237);
	put32(&s, 8);
	put32(&s, 0xfffff000);
	snprintf(name, sizeof(name), "node5-session-%s", model->name);
	save("cia402", name, &s);
}

static void cia402_seeds(void)
{
	for (size_t i = 0; i < dx_cia402_model_count(); i++)
		cia402_seed((uint8_t)i);
}

/* ---- taxels ------------------------------------------------------------ */

static void taxel_seeds(void)
{
	/* layout: 2 x 2 grid (bits 0..3 = 1, 1), 3 axes, tare over 2
	 * samples (bits 5..6 = 1); board 7 */
	struct buf s = { .n = 0 };
	struct dx_taxel_msg m;
	struct dx_can_frame f;
	uint8_t seq = 0;

	put8(&s, 0x05 | 0x20);
	put8(&s, 7);
	for (int scan = 0; scan < 24; scan++) {
		for (int t = 0; t < 4; t++) {
			/* rest, then a press on taxels 0 and 1 that grows */
			int press = scan < 6 ? 0 : (scan - 5) * 400;
			memset(&m, 0, sizeof(m));
			m.board = 7;
			m.seq = seq++;
			m.first = (uint8_t)t;
			m.count = 1;
			m.axes = 3;
			m.end_of_scan = t == 3;
			m.v[0] = (int16_t)(t < 2 ? press / 10 : 3);
			m.v[1] = (int16_t)(-2 + t);
			m.v[2] = (int16_t)(t < 2 ? press : 5);
			CHECK(dx_taxel_encode(&m, false, &f));
			putframe(&s, &f);
			put8(&s, (uint8_t)(scan & 1 ? 0x08 : 0x00));
		}
	}
	save("taxel", "board7-2x2-press", &s);

	/* FD frames: a 4 x 4 one-axis pad in one frame per scan, a gap in
	 * the sequence, an invalid reading, commands */
	s.n = 0;
	put8(&s, 0x80 | 0x0f | 0x20);
	put8(&s, 200);
	for (int scan = 0; scan < 12; scan++) {
		memset(&m, 0, sizeof(m));
		m.board = 200;
		m.seq = (uint8_t)(scan == 7 ? scan + 3 : scan);
		m.first = 0;
		m.count = 16;
		m.axes = 1;
		m.end_of_scan = true;
		for (int i = 0; i < 16; i++)
			m.v[i] = (int16_t)(scan > 4 && i % 5 == 0 ? 900 : i);
		if (scan == 9)
			m.v[3] = DX_TAXEL_INVALID;
		CHECK(dx_taxel_encode(&m, true, &f));
		putframe(&s, &f);
		put8(&s, 0x00);
	}
	CHECK(dx_taxel_encode_cmd(200, DX_TAXEL_CMD_START, 1000, &f));
	putframe(&s, &f);
	put8(&s, 0x01);
	CHECK(dx_taxel_encode_cmd(200, DX_TAXEL_CMD_SCAN, 0, &f));
	putframe(&s, &f);
	put8(&s, 0x05); /* a zero cycle time: refused */
	save("taxel", "board200-fd-4x4", &s);
}

static void uskin_seeds(void)
{
	/* layout: 4 x 4 (bits 0..3 = 3, 3), tare over 1 sample; board 1 */
	struct buf s = { .n = 0 };
	struct dx_can_frame f;

	put8(&s, 0x0f);
	put8(&s, 0); /* board 1 + 0 % 15 */
	for (int scan = 0; scan < 10; scan++) {
		CHECK(dx_uskin_encode_trigger(1, &f));
		putframe(&s, &f);
		put8(&s, 0x00);
		for (unsigned t = 0; t < 16; t++) {
			uint16_t xyz[3] = { 32000, 32100,
					    (uint16_t)(scan > 3 && t < 4 ?
						       36000 : 32000 + t) };
			if (scan == 6 && t == 9)
				xyz[0] = 0xfb00; /* marked invalid */
			CHECK(dx_uskin_encode_taxel(1, t, xyz, &f));
			putframe(&s, &f);
			put8(&s, (uint8_t)(t == 15 ? 0x08 : 0x00));
		}
	}
	save("uskin", "board1-4x4-press", &s);
}

/* ---- exchange --------------------------------------------------------- */

static void exchange_seeds(void)
{
	struct buf s = { .n = 0 };
	const char *desc = "mit:ak80-64:id=1:master=0";
	const struct dx_mit_model *ak = dx_mit_model_find("ak80-64");
	const struct dx_mit_model *dm = dx_mit_model_find("dm-j4310");
	const struct dx_mit_model *rs = dx_mit_model_find("rs01");
	struct dx_mit_addr a;
	struct dx_mit_fb fb;
	struct dx_odrive_msg om;
	struct dx_cia402_in in = { 0x0237, 8, 0.1, 0.2, 0.3, 0 };
	struct dx_can_frame f, g[2];
	unsigned idx[3] = { 0, 0, 0 };

	if (!ak || !dm || !rs) {
		fprintf(stderr, "exchange seeds: model rows missing\n");
		exit(1);
	}
	for (size_t i = 0; i < dx_mit_model_count(); i++) {
		if (dx_mit_model_at(i) == ak)
			idx[0] = (unsigned)i;
		if (dx_mit_model_at(i) == dm)
			idx[1] = (unsigned)i;
		if (dx_mit_model_at(i) == rs)
			idx[2] = (unsigned)i;
	}
	/* six devices: two CubeMars on master 0, a Damiao, a Robstride, an
	 * ODrive and a CiA 402 drive; on_other set */
	put8(&s, 0x80 | 6);
	put8(&s, (uint8_t)(3 * idx[0])), put8(&s, 1), put8(&s, 0);
	put8(&s, (uint8_t)(3 * idx[0])), put8(&s, 2), put8(&s, 0);
	put8(&s, (uint8_t)(3 * idx[1])), put8(&s, 3), put8(&s, 0x13);
	put8(&s, (uint8_t)(3 * idx[2])), put8(&s, 4), put8(&s, 0xfd);
	put8(&s, 1), put8(&s, 5), put8(&s, 0);
	put8(&s, 2), put8(&s, 6), put8(&s, 0);
	put8(&s, (uint8_t)strlen(desc));
	for (const char *p = desc; *p; p++)
		put8(&s, (uint8_t)*p);

	memset(&fb, 0, sizeof(fb));
	fb.pos = 0.5, fb.vel = 1.0, fb.tau = 0.2, fb.temp_c = 35;
	fb.enabled = true;
	for (int cycle = 0; cycle < 2; cycle++) {
		const struct dx_mit_model *ms[4] = { ak, ak, dm, rs };
		const uint8_t ids[4] = { 1, 2, 3, 4 };
		const uint8_t masters[4] = { 0, 0, 0x13, 0xfd };

		for (int i = 0; i < 4; i++) {
			a = (struct dx_mit_addr){ ms[i], ids[i], masters[i] };
			fb.id = ids[i];
			CHECK(dx_mit_encode_reply(&a, &fb, &f, NULL));
			putframe(&s, &f);
			put8(&s, 0x01);
		}
		memset(&om, 0, sizeof(om));
		om.node = 5;
		om.cmd = DX_ODRIVE_GET_ENCODER_ESTIMATES;
		om.u.encoder.pos = 0.1f;
		om.u.encoder.vel = 0.0f;
		CHECK(dx_odrive_encode(NULL, &om, &f, NULL));
		putframe(&s, &f);
		put8(&s, 0x01);
		om.cmd = DX_ODRIVE_HEARTBEAT;
		om.u.heartbeat.state = DX_ODRIVE_STATE_CLOSED_LOOP;
		CHECK(dx_odrive_encode(NULL, &om, &f, NULL));
		putframe(&s, &f);
		put8(&s, 0x01);
		CHECK(dx_cia402_encode_tpdos(dx_cia402_model_at(0), 6, &in, g));
		putframe(&s, &g[0]);
		put8(&s, 0x01);
		putframe(&s, &g[1]);
		put8(&s, cycle ? 0x00 : 0xff); /* then a new cycle */
	}
	/* a bus-off error frame, an unknown id */
	memset(&f, 0, sizeof(f));
	f.flags = DX_CAN_ERR;
	f.id = 0x40;
	f.len = 8;
	putframe(&s, &f);
	put8(&s, 0x01);
	memset(&f, 0, sizeof(f));
	f.id = 0x7ff;
	f.len = 1;
	putframe(&s, &f);
	put8(&s, 0x01);
	save("exchange", "six-drives-two-cycles", &s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mit_seeds(false);
	mit_seeds(true);
	odrive_seeds();
	cia402_seeds();
	taxel_seeds();
	uskin_seeds();
	exchange_seeds();
	return 0;
}
