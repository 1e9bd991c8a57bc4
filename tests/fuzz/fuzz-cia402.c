/* SPDX-License-Identifier: MIT */
/* Fuzz target: CANopen CiA 301 / CiA 402 codecs. Input: model row and
 * node id (one byte each), then frames (fuzz-util.h layout), each followed
 * by 16 bytes: a PDO mapping description and state machine inputs.
 *
 * Per frame: SDO decode (and encode/decode back to the same message), TPDO
 * and RPDO decode for the node (re-encoded values come back within one
 * count; RPDO set-points come back inside the model's limits), statusword
 * and controlword state machine (states stay in range, encode/decode of a
 * state is the identity), error codes, and a PDO mapping taken from the
 * input: pack/unpack keeps every value (to its width) and its SDO
 * configuration messages all encode. */
#include <math.h>

#include <dexrt/drive.h>

#include "fuzz-util.h"

static void sdo_path(const struct dx_can_frame *f)
{
	struct dx_sdo s, s2;
	struct dx_can_frame g;
	int err;

	err = dx_sdo_decode(f, &s);
	FZ_CHECK(err == 0 || err == DX_ENOENT || err == DX_EPROTO);
	if (err)
		return;
	FZ_CHECK(s.node >= 1 && s.node <= 127);
	FZ_CHECK(dx_sdo_abort_name(s.value) != NULL);
	if (dx_sdo_encode(&s, &g) != 0) {
		fz_dump_frame("decoded SDO does not encode", f);
		abort();
	}
	FZ_CHECK(dx_sdo_decode(&g, &s2) == 0);
	FZ_CHECK(s2.kind == s.kind && s2.node == s.node &&
		 s2.index == s.index && s2.sub == s.sub);
	if (s.kind == DX_SDO_DOWNLOAD_REQ || s.kind == DX_SDO_UPLOAD_RESP)
		FZ_CHECK(s2.size == s.size && s2.value == s.value);
	if (s.kind == DX_SDO_ABORT)
		FZ_CHECK(s2.value == s.value);
}

static bool near(double a, double b, double step)
{
	return fabs(a - b) <= 1.001 * step;
}

static void pdo_path(const struct dx_cia402_model *m, uint8_t node,
		     const struct dx_can_frame *f)
{
	struct dx_cia402_in in, in2;
	struct dx_cia402_out o, o2;
	struct dx_can_frame g[2];
	double cp = 1.0 / m->counts_per_rad;
	double cv = 1.0 / m->vel_counts_per_rad_s;
	double ct = m->rated_torque / 1000.0;
	unsigned clamped;
	int r;

	memset(&in, 0, sizeof(in));
	r = dx_cia402_decode_tpdo(m, node, f, &in);
	FZ_CHECK(r == 1 || r == 2 || r == DX_ENOENT || r == DX_EMSGSIZE);
	if (r > 0 && node >= 1 && node <= 127) {
		FZ_CHECK(isfinite(in.pos) && isfinite(in.vel) && isfinite(in.tau));
		FZ_CHECK(dx_cia402_encode_tpdos(m, node, &in, g) == 0);
		memset(&in2, 0, sizeof(in2));
		FZ_CHECK(dx_cia402_decode_tpdo(m, node, &g[0], &in2) == 1);
		FZ_CHECK(dx_cia402_decode_tpdo(m, node, &g[1], &in2) == 2);
		FZ_CHECK(in2.statusword == in.statusword);
		FZ_CHECK(in2.mode_display == in.mode_display);
		FZ_CHECK(in2.error_code == in.error_code);
		FZ_CHECK(near(in2.pos, in.pos, cp));
		FZ_CHECK(near(in2.vel, in.vel, cv));
		FZ_CHECK(near(in2.tau, in.tau, ct));
	}

	memset(&o, 0, sizeof(o));
	r = dx_cia402_decode_rpdo(m, node, f, &o);
	FZ_CHECK(r == 1 || r == 2 || r == DX_ENOENT || r == DX_EMSGSIZE);
	if (r > 0 && node >= 1 && node <= 127) {
		FZ_CHECK(isfinite(o.pos) && isfinite(o.vel) && isfinite(o.tau));
		clamped = 0;
		FZ_CHECK(dx_cia402_encode_rpdos(m, node, &o, g, &clamped) == 0);
		memset(&o2, 0, sizeof(o2));
		FZ_CHECK(dx_cia402_decode_rpdo(m, node, &g[0], &o2) == 1);
		FZ_CHECK(dx_cia402_decode_rpdo(m, node, &g[1], &o2) == 2);
		FZ_CHECK(o2.controlword == o.controlword && o2.mode == o.mode);
		/* what a drive receives is inside the limits (within the
		 * rounding to one count) */
		FZ_CHECK(fabs(o2.pos) <= m->pos_max + cp);
		FZ_CHECK(fabs(o2.vel) <= m->vel_max + cv);
		FZ_CHECK(fabs(o2.tau) <= m->torque_max + ct);
		if (!(clamped & DX_DRIVE_CLAMP_POS))
			FZ_CHECK(near(o2.pos, o.pos, cp));
		if (!(clamped & DX_DRIVE_CLAMP_VEL))
			FZ_CHECK(near(o2.vel, o.vel, cv));
		if (!(clamped & DX_DRIVE_CLAMP_TAU))
			FZ_CHECK(near(o2.tau, o.tau, ct));
	}
}

static void state_path(const struct dx_can_frame *f, struct fz *z)
{
	uint16_t sw = (uint16_t)(f->data[0] | f->data[1] << 8);
	enum dx_cia402_state s = dx_cia402_state_decode(sw), s2, cur, tgt;
	uint16_t cw, prev;
	enum dx_drive_fault fault;

	FZ_CHECK((unsigned)s < DX_CIA402_STATE_COUNT);
	FZ_CHECK(dx_cia402_state_name(s) != NULL);
	FZ_CHECK(dx_cia402_state_decode(dx_cia402_state_encode(s)) == s);
	cur = (enum dx_cia402_state)(fz_u8(z) % DX_CIA402_STATE_COUNT);
	tgt = (enum dx_cia402_state)(fz_u8(z) % DX_CIA402_STATE_COUNT);
	cw = fz_u16(z);
	prev = fz_u16(z);
	s2 = dx_cia402_transition(cur, cw, prev);
	FZ_CHECK((unsigned)s2 < DX_CIA402_STATE_COUNT);
	cw = dx_cia402_next_cw(cur, tgt, prev);
	s2 = dx_cia402_transition(cur, cw, prev);
	FZ_CHECK((unsigned)s2 < DX_CIA402_STATE_COUNT);
	/* out-of-range states must not index past a table */
	(void)dx_cia402_state_name((enum dx_cia402_state)(cw & 0xff));
	(void)dx_cia402_state_encode((enum dx_cia402_state)(cw & 0xff));
	(void)dx_cia402_next_cw((enum dx_cia402_state)(prev & 0xff),
				(enum dx_cia402_state)(cw >> 8), prev);
	(void)dx_cia402_transition((enum dx_cia402_state)(prev & 0xff), cw,
				   prev);
	fault = dx_cia402_fault_decode(sw);
	FZ_CHECK((unsigned)fault < DX_DRIVE_FAULT_COUNT);
	(void)dx_cia402_fault_encode(fault);
	(void)dx_cia402_fault_encode((enum dx_drive_fault)(cw & 0xff));
}

static void map_path(const struct dx_can_frame *f, uint8_t node, struct fz *z)
{
	static const uint8_t widths[] = {8, 16, 32};
	struct dx_pdo_map map;
	struct dx_sdo sdos[24];
	uint32_t v[8], v2[8];
	struct dx_can_frame g;
	uint8_t b = fz_u8(z);
	int n;

	memset(&map, 0, sizeof(map));
	map.n = b & 0x0f; /* up to 15: past 8 must be refused */
	for (unsigned i = 0; i < 8; i++) {
		uint8_t w = fz_u8(z);

		map.e[i].index = (uint16_t)(0x6000 + (w & 0x7f));
		map.e[i].sub = (uint8_t)(w >> 7);
		map.e[i].bits = (w & 0x80) && (w & 0x40) ? (uint8_t)(w & 0x3f) :
							  widths[w % 3];
	}
	if (dx_pdo_map_check(&map) != 0) {
		(void)dx_pdo_unpack(&map, f, v);
		return;
	}
	FZ_CHECK(map.n <= 8);
	for (unsigned i = 0; i < map.n; i++)
		v[i] = fz_u32(z);
	FZ_CHECK(dx_pdo_pack(&map, f->id & DX_CAN_SFF_MASK, v, &g) == 0);
	FZ_CHECK(dx_can_frame_check(&g) == 0);
	FZ_CHECK(dx_pdo_unpack(&map, &g, v2) == 0);
	for (unsigned i = 0; i < map.n; i++) {
		uint32_t mask = map.e[i].bits == 32 ?
			UINT32_MAX : (UINT32_C(1) << map.e[i].bits) - 1;

		FZ_CHECK(v2[i] == (v[i] & mask));
	}
	(void)dx_pdo_unpack(&map, f, v2);
	n = dx_pdo_config_sdos(node, 1 + (b >> 4) % 5, b & 0x80, &map, sdos,
			       (size_t)(b >> 5) * 3);
	FZ_CHECK(n <= (int)((b >> 5) * 3));
	for (int i = 0; i < n; i++)
		FZ_CHECK(dx_sdo_encode(&sdos[i], &g) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = { data, size };
	const struct dx_cia402_model *m;
	struct dx_can_frame f;
	uint8_t node;

	FZ_CHECK(dx_cia402_model_count() > 0);
	m = dx_cia402_model_at(fz_u8(&z) % dx_cia402_model_count());
	node = fz_u8(&z);
	while (fz_frame(&z, &f)) {
		sdo_path(&f);
		pdo_path(m, node, &f);
		state_path(&f, &z);
		map_path(&f, node, &z);
	}
	return 0;
}
