/* SPDX-License-Identifier: MIT */
/* Shared body of the MIT-style drive targets (fuzz-mit: CubeMars and
 * Damiao; fuzz-robstride: Robstride). Input: model row, motor id and master
 * id (one byte each), then frames (fuzz-util.h layout), each followed by
 * 40 bytes of command values for the encoder.
 *
 * Host side: a reply that decodes has values inside the model's range, and
 * encoding it again (device side) decodes to the same values within one
 * quantisation step. Device side: a command frame that decodes has values
 * in range and survives encode/decode within a step; special frames encode
 * back to the same special. Encoder: arbitrary doubles (NaN, infinities,
 * huge) are refused or clamped, never wrapped: the frame decodes to values
 * inside the range, and a value strictly inside the range (no clamp flag)
 * comes back within a step.
 *
 * Finding kept as regression inputs (corpus/mit/crash-*): a command with
 * every field at its top and the torque at raw 0xffc..0xffe packed into
 * the bytes of a special frame (0xff x 7, then 0xfc enable / 0xfd disable
 * / 0xfe set zero), which a drive obeys as the special (fixed in
 * 35c0786). */
#include <math.h>

#include <dexrt/drive.h>

#include "fuzz-util.h"

static double fz_double(struct fz *z)
{
	uint64_t u = fz_u32(z);
	double d;

	u |= (uint64_t)fz_u32(z) << 32;
	memcpy(&d, &u, sizeof(d));
	return d;
}

/* |a - b| within @p steps quantisation steps @p q (plus rounding slack). */
static bool near(double a, double b, double q)
{
	return fabs(a - b) <= 1.001 * q + 1e-12 * fabs(a);
}

static bool in_range(double v, double lo, double hi)
{
	double slack = 1e-9 * (fabs(lo) + fabs(hi));

	return isfinite(v) && v >= lo - slack && v <= hi + slack;
}

static void check_cmd(const struct dx_mit_model *m, const struct dx_mit_cmd *c)
{
	FZ_CHECK(in_range(c->pos, -m->p_max, m->p_max));
	FZ_CHECK(in_range(c->vel, -m->v_max, m->v_max));
	FZ_CHECK(in_range(c->kp, 0.0, m->kp_max));
	FZ_CHECK(in_range(c->kd, 0.0, m->kd_max));
	FZ_CHECK(in_range(c->tau, -m->t_max, m->t_max));
}

static void cmd_near(const struct dx_mit_model *m, const struct dx_mit_cmd *a,
		     const struct dx_mit_cmd *b, unsigned skip)
{
	if (!(skip & DX_DRIVE_CLAMP_POS))
		FZ_CHECK(near(a->pos, b->pos, dx_mit_step(m, DX_DRIVE_CLAMP_POS, false)));
	if (!(skip & DX_DRIVE_CLAMP_VEL))
		FZ_CHECK(near(a->vel, b->vel, dx_mit_step(m, DX_DRIVE_CLAMP_VEL, false)));
	if (!(skip & DX_DRIVE_CLAMP_KP))
		FZ_CHECK(near(a->kp, b->kp, dx_mit_step(m, DX_DRIVE_CLAMP_KP, false)));
	if (!(skip & DX_DRIVE_CLAMP_KD))
		FZ_CHECK(near(a->kd, b->kd, dx_mit_step(m, DX_DRIVE_CLAMP_KD, false)));
	if (!(skip & DX_DRIVE_CLAMP_TAU))
		FZ_CHECK(near(a->tau, b->tau, dx_mit_step(m, DX_DRIVE_CLAMP_TAU, false)));
}

static void reply_path(const struct dx_mit_addr *a, const struct dx_can_frame *f)
{
	const struct dx_mit_model *m = a->model;
	struct dx_mit_fb fb, fb2;
	struct dx_can_frame g;
	unsigned clamped = 0;
	int err;

	memset(&fb, 0, sizeof(fb));
	err = dx_mit_decode_reply(a, f, &fb);
	FZ_CHECK(err == 0 || err == DX_EPROTO || err == DX_ENOENT);
	if (err)
		return;
	FZ_CHECK(in_range(fb.pos, -m->p_max, m->p_max));
	FZ_CHECK(in_range(fb.vel, -m->v_max, m->v_max));
	FZ_CHECK(in_range(fb.tau, -m->t_max, m->t_max));
	FZ_CHECK((unsigned)fb.fault < DX_DRIVE_FAULT_COUNT);
	FZ_CHECK(dx_drive_fault_name(fb.fault) != NULL);

	/* the device side sends the same values back */
	err = dx_mit_encode_reply(a, &fb, &g, &clamped);
	if (err) {
		fz_dump_frame("decoded reply does not encode", f);
		abort();
	}
	FZ_CHECK(dx_can_frame_check(&g) == 0);
	memset(&fb2, 0, sizeof(fb2));
	if (dx_mit_decode_reply(a, &g, &fb2) != 0) {
		fz_dump_frame("reply", f);
		fz_dump_frame("re-encoded reply does not decode", &g);
		abort();
	}
	FZ_CHECK(fb2.id == fb.id);
	FZ_CHECK(near(fb2.pos, fb.pos, dx_mit_step(m, DX_DRIVE_CLAMP_POS, true)));
	FZ_CHECK(near(fb2.vel, fb.vel, dx_mit_step(m, DX_DRIVE_CLAMP_VEL, true)));
	FZ_CHECK(near(fb2.tau, fb.tau, dx_mit_step(m, DX_DRIVE_CLAMP_TAU, true)));
	FZ_CHECK(fb2.fault == fb.fault);
}

static void cmd_path(const struct dx_mit_addr *a, const struct dx_can_frame *f)
{
	const struct dx_mit_model *m = a->model;
	enum dx_mit_special sp, sp2;
	struct dx_mit_cmd c, c2;
	struct dx_can_frame g;
	unsigned clamped = 0;
	int err;

	memset(&c, 0, sizeof(c));
	err = dx_mit_decode_cmd(a, f, &sp, &c);
	FZ_CHECK(err <= 0);
	if (err)
		return;
	if (sp != DX_MIT_NONE) {
		err = dx_mit_encode_special(a, sp, &g);
		if (err) {
			fz_dump_frame("decoded special does not encode", f);
			abort();
		}
		FZ_CHECK(dx_mit_decode_cmd(a, &g, &sp2, &c2) == 0 && sp2 == sp);
		return;
	}
	check_cmd(m, &c);
	FZ_CHECK(dx_mit_encode_cmd(a, &c, &g, &clamped) == 0);
	FZ_CHECK(dx_mit_decode_cmd(a, &g, &sp2, &c2) == 0 && sp2 == DX_MIT_NONE);
	cmd_near(m, &c, &c2, 0);
}

static void encode_path(const struct dx_mit_addr *a, struct fz *z)
{
	const struct dx_mit_model *m = a->model;
	struct dx_mit_cmd c, c2;
	struct dx_can_frame g;
	enum dx_mit_special sp;
	unsigned clamped = 0;
	int err;

	c.pos = fz_double(z);
	c.vel = fz_double(z);
	c.kp = fz_double(z);
	c.kd = fz_double(z);
	c.tau = fz_double(z);
	err = dx_mit_encode_cmd(a, &c, &g, &clamped);
	if (!isfinite(c.pos) || !isfinite(c.vel) || !isfinite(c.kp) ||
	    !isfinite(c.kd) || !isfinite(c.tau)) {
		FZ_CHECK(err == DX_ENOTFINITE);
		return;
	}
	FZ_CHECK(err == 0);
	FZ_CHECK(dx_can_frame_check(&g) == 0);
	/* the drive decodes what we sent: always inside the limits */
	FZ_CHECK(dx_mit_decode_cmd(a, &g, &sp, &c2) == 0);
	/* an all-ones command frame would read as a special frame */
	if (sp != DX_MIT_NONE) {
		fz_dump_frame("command encodes as a special frame", &g);
		abort();
	}
	check_cmd(m, &c2);
	FZ_CHECK(!(clamped & DX_DRIVE_CLAMP_POS) == (fabs(c.pos) <= m->p_max));
	FZ_CHECK(!(clamped & DX_DRIVE_CLAMP_VEL) == (fabs(c.vel) <= m->v_max));
	FZ_CHECK(!(clamped & DX_DRIVE_CLAMP_TAU) == (fabs(c.tau) <= m->t_max));
	FZ_CHECK(!(clamped & DX_DRIVE_CLAMP_KP) ==
		 (c.kp >= 0 && c.kp <= m->kp_max));
	FZ_CHECK(!(clamped & DX_DRIVE_CLAMP_KD) ==
		 (c.kd >= 0 && c.kd <= m->kd_max));
	cmd_near(m, &c, &c2, clamped);
}

static int mit_fuzz(const uint8_t *data, size_t size, bool robstride)
{
	const struct dx_mit_model *rows[32];
	struct fz z = { data, size };
	struct dx_mit_addr a;
	struct dx_can_frame f;
	size_t n = 0;
	uint8_t pick;

	for (size_t i = 0; i < dx_mit_model_count() && n < 32; i++) {
		const struct dx_mit_model *m = dx_mit_model_at(i);

		if ((m->family == DX_MIT_ROBSTRIDE) == robstride)
			rows[n++] = m;
	}
	FZ_CHECK(n > 0);
	pick = fz_u8(&z);
	a.model = rows[pick % n];
	a.id = fz_u8(&z);
	a.master = fz_u8(&z);
	while (fz_frame(&z, &f)) {
		reply_path(&a, &f);
		cmd_path(&a, &f);
		(void)dx_mit_fault_decode(a.model->family, f.id);
		encode_path(&a, &z);
	}
	return 0;
}
