/* SPDX-License-Identifier: MIT */
/* Unit tests of the drive codecs, each checked against its virtual drive
 * (device side, libdexrt-sim): random commands within range decode back
 * within one quantisation step, special frames, every fault code, the
 * CiA 402 state machine with faults and SDO aborts, clamping and NaN. */
#include <string.h>

#include <dexrt/drive.h>
#include <dexrt/sim.h>

#include "dx-check.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double urand(double lo, double hi)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return lo + (hi - lo) * (double)(rng_state >> 11) / 9007199254740992.0;
}

static struct dx_drive_desc mit_desc(const struct dx_mit_model *m, uint8_t id)
{
	struct dx_drive_desc d;

	memset(&d, 0, sizeof(d));
	d.proto = DX_DRIVE_MIT;
	d.model = m;
	d.id = id;
	d.master = m->family == DX_MIT_CUBEMARS ? 0 :
		   m->family == DX_MIT_DAMIAO ? (uint8_t)(id + 0x10) : 0xfd;
	return d;
}

/* ---- MIT ------------------------------------------------------------------- */

START_TEST(test_mit_cmd_roundtrip)
{
	ck_assert_uint_ge(dx_mit_model_count(), 10);
	for (size_t mi = 0; mi < dx_mit_model_count(); mi++) {
		const struct dx_mit_model *m = dx_mit_model_at(mi);
		struct dx_drive_desc d = mit_desc(m, 3);
		struct dx_mit_addr a = {m, d.id, d.master};
		struct dx_vdrive v;
		double sp = dx_mit_step(m, DX_DRIVE_CLAMP_POS, false);
		double sv = dx_mit_step(m, DX_DRIVE_CLAMP_VEL, false);
		double skp = dx_mit_step(m, DX_DRIVE_CLAMP_KP, false);
		double skd = dx_mit_step(m, DX_DRIVE_CLAMP_KD, false);
		double st = dx_mit_step(m, DX_DRIVE_CLAMP_TAU, false);

		ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
		ck_assert(sp > 0 && sv > 0 && st > 0);
		for (int k = 0; k < 2000; k++) {
			struct dx_mit_cmd c = {
				urand(-m->p_max, m->p_max),
				urand(-m->v_max, m->v_max),
				urand(0, m->kp_max), urand(0, m->kd_max),
				urand(-m->t_max, m->t_max)};
			struct dx_can_frame f, out[4];
			unsigned cl = 99;
			ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, &cl), 0);
			ck_assert_uint_eq(cl, 0);
			ck_assert_int_eq(f.len, 8);
			ck_assert_int_eq(!!(f.flags & DX_CAN_EXT),
					 m->family == DX_MIT_ROBSTRIDE);
			ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
			/* rounding to nearest: within half a step; one step is
			 * the requirement */
			dx_ck_near(v.cmd.pos, c.pos, sp);
			dx_ck_near(v.cmd.vel, c.vel, sv);
			dx_ck_near(v.cmd.kp, c.kp, skp);
			dx_ck_near(v.cmd.kd, c.kd, skd);
			dx_ck_near(v.cmd.tau, c.tau, st);
			dx_ck_near(v.cmd.pos, c.pos, sp / 2 + 1e-12);
		}
	}
}
END_TEST

START_TEST(test_mit_reply_roundtrip)
{
	for (size_t mi = 0; mi < dx_mit_model_count(); mi++) {
		const struct dx_mit_model *m = dx_mit_model_at(mi);
		struct dx_drive_desc d = mit_desc(m, 5);
		struct dx_mit_addr a = {m, d.id, d.master};
		struct dx_vdrive v;
		double sp = dx_mit_step(m, DX_DRIVE_CLAMP_POS, true);
		double sv = dx_mit_step(m, DX_DRIVE_CLAMP_VEL, true);
		double st = dx_mit_step(m, DX_DRIVE_CLAMP_TAU, true);

		ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
		for (int k = 0; k < 1000; k++) {
			struct dx_can_frame f, out[4];
			struct dx_mit_fb fb;
			v.motor.pos = urand(-m->p_max * 0.99, m->p_max * 0.99);
			v.motor.vel = urand(-m->v_max, m->v_max);
			v.motor.tau = urand(-m->t_max, m->t_max);
			v.motor.temp_c = floor(urand(20, 90));
			ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_DISABLE,
							       &f), 0);
			ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
			ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
			dx_ck_near(fb.pos, dx_vdrive_position(&v), sp);
			dx_ck_near(fb.vel, v.motor.vel, sv);
			dx_ck_near(fb.tau, v.motor.tau, st);
			dx_ck_near(fb.temp_c, v.motor.temp_c, 0.51);
			ck_assert_int_eq(fb.fault, DX_DRIVE_FAULT_NONE);
			ck_assert_uint_eq(fb.id, d.id);
		}
		/* a reply of another motor id is refused, not mis-attributed */
		struct dx_mit_addr other = a;
		struct dx_can_frame f, out[4];
		struct dx_mit_fb fb;
		other.id = 6;
		ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_DISABLE, &f), 0);
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		ck_assert_int_eq(dx_mit_decode_reply(&other, &out[0], &fb),
				 DX_ENOENT);
	}
}
END_TEST

START_TEST(test_mit_special_frames)
{
	for (size_t mi = 0; mi < dx_mit_model_count(); mi++) {
		const struct dx_mit_model *m = dx_mit_model_at(mi);
		struct dx_drive_desc d = mit_desc(m, 2);
		struct dx_mit_addr a = {m, d.id, d.master};
		struct dx_vdrive v;
		struct dx_can_frame f, out[4];
		struct dx_mit_fb fb;
		enum dx_mit_special s;
		struct dx_mit_cmd c;

		ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
		/* enable */
		ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_ENABLE, &f), 0);
		ck_assert_int_eq(dx_mit_decode_cmd(&a, &f, &s, &c), 0);
		ck_assert_int_eq(s, DX_MIT_ENABLE);
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		ck_assert(v.enabled);
		ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
		ck_assert(fb.enabled);
		if (m->family == DX_MIT_CUBEMARS) {
			static const uint8_t en[8] = {0xff, 0xff, 0xff, 0xff,
						      0xff, 0xff, 0xff, 0xfc};
			ck_assert_mem_eq(f.data, en, 8);
			ck_assert_uint_eq(f.id, 2);
		} else if (m->family == DX_MIT_ROBSTRIDE) {
			ck_assert_uint_eq(f.id, 3u << 24 | 0xfdu << 8 | 2u);
		}
		/* set zero: the drive reads 0 where it stands */
		v.motor.pos = 1.25;
		ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_SET_ZERO, &f), 0);
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
		dx_ck_near(fb.pos, 0.0, dx_mit_step(m, DX_DRIVE_CLAMP_POS, true));
		dx_ck_near(v.zero, 1.25, 2 * M_PI / v.motor.p.encoder_counts);
		/* disable */
		ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_DISABLE, &f), 0);
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		ck_assert(!v.enabled);
		ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
		if (m->family != DX_MIT_CUBEMARS)
			ck_assert(!fb.enabled);
		/* clear fault exists for Damiao and Robstride only */
		ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_CLEAR_FAULT, &f),
				 m->family == DX_MIT_CUBEMARS ? DX_ENOTSUP : 0);
		/* Damiao's other modes are recognised and not taken as MIT */
		if (m->family == DX_MIT_DAMIAO) {
			f.id = DX_DM_MODE_VEL + a.id;
			ck_assert_int_eq(dx_mit_decode_cmd(&a, &f, &s, &c),
					 DX_ENOTSUP);
		}
	}
}
END_TEST

/* Every vendor fault code travels drive → reply → host with code kept. */
START_TEST(test_mit_fault_codes)
{
	static const enum dx_mit_family fams[] = {
		DX_MIT_CUBEMARS, DX_MIT_DAMIAO, DX_MIT_ROBSTRIDE};
	/* CubeMars error byte 0..7 */
	static const enum dx_drive_fault ak[] = {
		DX_DRIVE_FAULT_NONE, DX_DRIVE_FAULT_MOTOR_OVERTEMP,
		DX_DRIVE_FAULT_OVERCURRENT, DX_DRIVE_FAULT_OVERVOLTAGE,
		DX_DRIVE_FAULT_UNDERVOLTAGE, DX_DRIVE_FAULT_ENCODER,
		DX_DRIVE_FAULT_DRIVER_OVERTEMP, DX_DRIVE_FAULT_STALL};
	for (uint32_t c = 0; c < 8; c++)
		ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_CUBEMARS, c), ak[c]);
	ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_CUBEMARS, 42),
			 DX_DRIVE_FAULT_OTHER);
	ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_DAMIAO, 0x8),
			 DX_DRIVE_FAULT_OVERVOLTAGE);
	ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_DAMIAO, 0xd),
			 DX_DRIVE_FAULT_COMM_LOSS);
	ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_DAMIAO, 0x1),
			 DX_DRIVE_FAULT_NONE);
	ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_ROBSTRIDE, 0x80 | 0x04),
			 DX_DRIVE_FAULT_MOTOR_OVERTEMP);
	ck_assert_int_eq(dx_mit_fault_decode(DX_MIT_ROBSTRIDE, 0x80),
			 DX_DRIVE_FAULT_NONE);

	for (size_t fi = 0; fi < DX_ARRAY_SIZE(fams); fi++) {
		const struct dx_mit_model *m = NULL;
		for (size_t i = 0; i < dx_mit_model_count(); i++)
			if (dx_mit_model_at(i)->family == fams[fi])
				m = dx_mit_model_at(i);
		struct dx_drive_desc d = mit_desc(m, 4);
		struct dx_mit_addr a = {m, d.id, d.master};
		int covered = 0;
		for (int f = 1; f < DX_DRIVE_FAULT_COUNT; f++) {
			uint32_t code = dx_mit_fault_encode(m->family, f, false);
			if ((int)dx_mit_fault_decode(m->family, code) != f)
				continue; /* the family has no code for it */
			struct dx_vdrive v;
			struct dx_can_frame fr, out[4];
			struct dx_mit_fb fb;
			ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
			dx_vdrive_inject_fault(&v, f);
			ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_ENABLE,
							       &fr), 0);
			ck_assert_int_eq(dx_vdrive_handle(&v, &fr, out, 4), 1);
			ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
			ck_assert_int_eq(fb.fault, f);
			ck_assert_uint_eq(fb.vendor_code & 0x3f,
					  code & 0x3f);
			/* no torque while faulted */
			v.cmd.tau = 1.0;
			dx_vdrive_step(&v, 0.01, NULL, 0);
			dx_ck_near(v.motor.tau, 0.0, 0.0);
			/* cleared once the cause is gone */
			dx_vdrive_inject_fault(&v, DX_DRIVE_FAULT_NONE);
			ck_assert_int_eq(dx_mit_encode_special(
				&a, m->family == DX_MIT_CUBEMARS ? DX_MIT_ENABLE :
				DX_MIT_CLEAR_FAULT, &fr), 0);
			ck_assert_int_eq(dx_vdrive_handle(&v, &fr, out, 4), 1);
			ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
			ck_assert_int_eq(fb.fault, DX_DRIVE_FAULT_NONE);
			covered++;
		}
		/* CubeMars 7 codes, Damiao 9, Robstride 6 */
		ck_assert_int_eq(covered, fams[fi] == DX_MIT_CUBEMARS ? 7 :
					  fams[fi] == DX_MIT_DAMIAO ? 9 : 6);
	}
}
END_TEST

START_TEST(test_mit_clamp_nan)
{
	const struct dx_mit_model *m = dx_mit_model_find("AK80-64");
	struct dx_mit_addr a = {m, 1, 0};
	struct dx_mit_cmd c = {1e9, -1e9, 900, -3, 1e5};
	struct dx_can_frame f, g;
	enum dx_mit_special s;
	struct dx_mit_cmd back;
	unsigned cl = 0;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, &cl), 0);
	ck_assert_uint_eq(cl, DX_DRIVE_CLAMP_POS | DX_DRIVE_CLAMP_VEL |
			      DX_DRIVE_CLAMP_KP | DX_DRIVE_CLAMP_KD |
			      DX_DRIVE_CLAMP_TAU);
	ck_assert_int_eq(dx_mit_decode_cmd(&a, &f, &s, &back), 0);
	/* clamped to the edges, never wrapped to the other side */
	dx_ck_near(back.pos, m->p_max, 1e-9);
	dx_ck_near(back.vel, -m->v_max, 1e-9);
	dx_ck_near(back.kp, m->kp_max, 1e-9);
	dx_ck_near(back.kd, 0.0, 1e-9);
	dx_ck_near(back.tau, m->t_max, 1e-9);
	/* NaN and Inf refused, frame untouched */
	memset(&g, 0xaa, sizeof(g));
	f = g;
	c = (struct dx_mit_cmd){0, 0, 0, 0, NAN};
	ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, &cl), DX_ENOTFINITE);
	ck_assert_mem_eq(&f, &g, sizeof(f));
	c = (struct dx_mit_cmd){INFINITY, 0, 0, 0, 0};
	ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, &cl), DX_ENOTFINITE);
	ck_assert_int_eq(dx_mit_encode_cmd(NULL, &c, &f, &cl), DX_EINVAL);
	/* a command never packs into a special frame: all fields at the top
	 * and the torque at raw 0xFFC would read FF..FF FC (enable) */
	for (size_t mi = 0; mi < dx_mit_model_count(); mi++) {
		const struct dx_mit_model *mm = dx_mit_model_at(mi);
		struct dx_mit_addr aa = {mm, 2, 0x12};
		double st = dx_mit_step(mm, DX_DRIVE_CLAMP_TAU, false);
		if (mm->family == DX_MIT_ROBSTRIDE)
			continue;
		for (unsigned raw = 0xff9; raw <= 0xfff; raw++) {
			c = (struct dx_mit_cmd){mm->p_max, mm->v_max, mm->kp_max,
						mm->kd_max,
						-mm->t_max + raw * st};
			ck_assert_int_eq(dx_mit_encode_cmd(&aa, &c, &f, &cl), 0);
			ck_assert_uint_eq(cl, 0);
			ck_assert_int_eq(dx_mit_decode_cmd(&aa, &f, &s, &back), 0);
			ck_assert_int_eq(s, DX_MIT_NONE);
			dx_ck_near(back.kd, mm->kd_max,
				   dx_mit_step(mm, DX_DRIVE_CLAMP_KD, false) +
					   1e-12);
			dx_ck_near(back.tau, c.tau, st / 2 + 1e-9);
		}
	}

	/* the documented AK80-64 example frame: pos 1, vel 0, kp 20, kd 1 */
	c = (struct dx_mit_cmd){1.0, 0.0, 20.0, 1.0, 0.0};
	ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, &cl), 0);
	/* pos: (1 + 12.5) / 25 * 65535 = 35388.9 -> 35389 = 0x8A3D;
	 * vel: 0.5 * 4095 = 2047.5 -> 2048 = 0x800; kp 20/500*4095 = 163.8
	 * -> 164 = 0x0A4; kd 1/5*4095 = 819 = 0x333; tau 2048 = 0x800 */
	static const uint8_t want[8] = {0x8a, 0x3d, 0x80, 0x00, 0xa4,
					0x33, 0x38, 0x00};
	ck_assert_mem_eq(f.data, want, 8);
}
END_TEST

/* ---- ODrive ---------------------------------------------------------------- */

START_TEST(test_odrive_roundtrip)
{
	struct dx_drive_desc d = {DX_DRIVE_ODRIVE, dx_odrive_model_find("default"),
				  7, 0};
	struct dx_vdrive v;
	struct dx_can_frame f, out[4];
	struct dx_odrive_msg m, r;
	unsigned cl;

	ck_assert_ptr_nonnull(d.model);
	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	for (int k = 0; k < 1000; k++) {
		memset(&m, 0, sizeof(m));
		m.node = 7;
		m.cmd = DX_ODRIVE_SET_INPUT_POS;
		m.u.input_pos.pos = (float)urand(-100, 100);
		m.u.input_pos.vel_ff = (float)urand(-30, 30);
		m.u.input_pos.torque_ff = (float)urand(-10, 10);
		ck_assert_int_eq(dx_odrive_encode(d.model, &m, &f, &cl), 0);
		ck_assert_uint_eq(cl, 0);
		ck_assert_uint_eq(f.id, 7u << 5 | 0x0c);
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 0);
		dx_ck_near(v.cmd.pos / (2 * M_PI), m.u.input_pos.pos, 1e-4);
		/* int16 at 0.001: one step */
		dx_ck_near(v.cmd.vel / (2 * M_PI), m.u.input_pos.vel_ff, 0.001);
		dx_ck_near(v.cmd.tau, m.u.input_pos.torque_ff, 0.001);
	}
	/* encoder estimates on request */
	v.motor.pos = 3.0, v.motor.vel = -2.0;
	memset(&m, 0, sizeof(m));
	m.node = 7, m.cmd = DX_ODRIVE_GET_ENCODER_ESTIMATES, m.rtr = true;
	ck_assert_int_eq(dx_odrive_encode(NULL, &m, &f, NULL), 0);
	ck_assert(f.flags & DX_CAN_RTR);
	ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
	ck_assert_int_eq(dx_odrive_decode(&out[0], &r), 0);
	ck_assert_int_eq(r.cmd, DX_ODRIVE_GET_ENCODER_ESTIMATES);
	dx_ck_near(r.u.encoder.pos * 2 * M_PI, dx_vdrive_position(&v), 1e-5);
	dx_ck_near(r.u.encoder.vel * 2 * M_PI, -2.0, 1e-5);
	/* clamping: feed-forward int16 fields never wrap */
	memset(&m, 0, sizeof(m));
	m.node = 7, m.cmd = DX_ODRIVE_SET_INPUT_POS;
	m.u.input_pos.vel_ff = 40.0f;
	m.u.input_pos.torque_ff = -50.0f;
	ck_assert_int_eq(dx_odrive_encode(NULL, &m, &f, &cl), 0);
	ck_assert_uint_eq(cl, DX_DRIVE_CLAMP_VEL | DX_DRIVE_CLAMP_TAU);
	ck_assert_int_eq(dx_odrive_decode(&f, &r), 0);
	dx_ck_near(r.u.input_pos.vel_ff, 32.767, 1e-4);
	dx_ck_near(r.u.input_pos.torque_ff, -32.767, 1e-4);
	/* model limit */
	m.cmd = DX_ODRIVE_SET_INPUT_TORQUE;
	m.u.input_torque.torque = 1000.0f;
	ck_assert_int_eq(dx_odrive_encode(d.model, &m, &f, &cl), 0);
	ck_assert_uint_eq(cl, DX_DRIVE_CLAMP_TAU);
	ck_assert_int_eq(dx_odrive_decode(&f, &r), 0);
	dx_ck_near(r.u.input_torque.torque, 10.0, 1e-6);
	m.u.input_torque.torque = NAN;
	ck_assert_int_eq(dx_odrive_encode(d.model, &m, &f, &cl), DX_ENOTFINITE);
	/* bad length */
	f.len = 3;
	ck_assert_int_eq(dx_odrive_decode(&f, &r), DX_EPROTO);
}
END_TEST

START_TEST(test_odrive_states_faults)
{
	struct dx_drive_desc d = {DX_DRIVE_ODRIVE, dx_odrive_model_find("d5065"),
				  3, 0};
	struct dx_vdrive v;
	struct dx_can_frame f, out[4];
	struct dx_odrive_msg m, r;

	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	memset(&m, 0, sizeof(m));
	m.node = 3, m.cmd = DX_ODRIVE_SET_AXIS_STATE;
	m.u.axis_state.state = DX_ODRIVE_STATE_CLOSED_LOOP;
	ck_assert_int_eq(dx_odrive_encode(NULL, &m, &f, NULL), 0);
	ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 0);
	ck_assert(v.enabled);
	/* heartbeat at 10 Hz carries the state */
	v.heartbeat_s = 0.1;
	ck_assert_int_eq(dx_vdrive_step(&v, 0.1, out, 4), 1);
	ck_assert_int_eq(dx_odrive_decode(&out[0], &r), 0);
	ck_assert_int_eq(r.cmd, DX_ODRIVE_HEARTBEAT);
	ck_assert_int_eq(r.u.heartbeat.state, DX_ODRIVE_STATE_CLOSED_LOOP);
	ck_assert_uint_eq(r.u.heartbeat.axis_error, 0);
	/* every fault the ODrive error bits can express */
	for (int fl = 1; fl < DX_DRIVE_FAULT_COUNT; fl++) {
		uint32_t bits = dx_odrive_fault_encode(fl);
		if ((int)dx_odrive_fault_decode(bits) != fl)
			continue;
		dx_vdrive_inject_fault(&v, fl);
		ck_assert_int_eq(dx_vdrive_step(&v, 0.1, out, 4), 1);
		ck_assert_int_eq(dx_odrive_decode(&out[0], &r), 0);
		ck_assert_int_eq(dx_odrive_fault_decode(r.u.heartbeat.axis_error),
				 fl);
		ck_assert_int_eq(r.u.heartbeat.state, DX_ODRIVE_STATE_IDLE);
		dx_vdrive_inject_fault(&v, DX_DRIVE_FAULT_NONE);
	}
	ck_assert_int_eq(dx_odrive_fault_decode(0x1), DX_DRIVE_FAULT_NONE);
	/* other requests answered by the drive */
	dx_vdrive_inject_fault(&v, DX_DRIVE_FAULT_MOTOR_OVERTEMP);
	dx_vdrive_step(&v, 0.001, out, 4);
	v.motor.temp_c = 55.0;
	static const uint8_t reqs[] = {DX_ODRIVE_GET_ERROR,
				       DX_ODRIVE_GET_TEMPERATURE,
				       DX_ODRIVE_GET_TORQUES};
	for (size_t i = 0; i < DX_ARRAY_SIZE(reqs); i++) {
		memset(&m, 0, sizeof(m));
		m.node = 3, m.cmd = reqs[i], m.rtr = true;
		ck_assert_int_eq(dx_odrive_encode(NULL, &m, &f, NULL), 0);
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		ck_assert_int_eq(dx_odrive_decode(&out[0], &r), 0);
		ck_assert_int_eq(r.cmd, reqs[i]);
	}
	dx_ck_near(r.u.torques.estimate, v.motor.tau, 1e-6);
	memset(&m, 0, sizeof(m));
	m.node = 3, m.cmd = DX_ODRIVE_GET_TEMPERATURE, m.rtr = true;
	dx_odrive_encode(NULL, &m, &f, NULL);
	dx_vdrive_handle(&v, &f, out, 4);
	dx_odrive_decode(&out[0], &r);
	dx_ck_near(r.u.temperature.motor, 55.0, 1e-4);
	m.cmd = DX_ODRIVE_GET_ERROR;
	dx_odrive_encode(NULL, &m, &f, NULL);
	dx_vdrive_handle(&v, &f, out, 4);
	dx_odrive_decode(&out[0], &r);
	ck_assert_int_eq(dx_odrive_fault_decode(r.u.error.active),
			 DX_DRIVE_FAULT_MOTOR_OVERTEMP);
	dx_vdrive_inject_fault(&v, DX_DRIVE_FAULT_NONE);
	m.rtr = false;
	ck_assert_int_eq(dx_odrive_fault_decode(0x100 | 0x2000),
			 DX_DRIVE_FAULT_OVERVOLTAGE);
	/* estop and clear */
	m.cmd = DX_ODRIVE_ESTOP;
	ck_assert_int_eq(dx_odrive_encode(NULL, &m, &f, NULL), 0);
	ck_assert_int_eq(f.len, 0);
	dx_vdrive_handle(&v, &f, out, 4);
	ck_assert_int_eq(v.fault, DX_DRIVE_FAULT_ESTOP);
	m.cmd = DX_ODRIVE_CLEAR_ERRORS;
	ck_assert_int_eq(dx_odrive_encode(NULL, &m, &f, NULL), 0);
	dx_vdrive_handle(&v, &f, out, 4);
	ck_assert_int_eq(v.fault, DX_DRIVE_FAULT_NONE);
}
END_TEST

/* ---- CiA 402 --------------------------------------------------------------- */

static int sdo_xfer(struct dx_vdrive *v, enum dx_sdo_kind k, uint16_t idx,
		    uint8_t sub, uint8_t size, uint32_t val, struct dx_sdo *resp)
{
	struct dx_sdo q = {k, v->desc.id, idx, sub, size, val};
	struct dx_can_frame f, out[4];
	int n;

	ck_assert_int_eq(dx_sdo_encode(&q, &f), 0);
	n = dx_vdrive_handle(v, &f, out, 4);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(out[0].id, DX_CO_SDO_TX + v->desc.id);
	return dx_sdo_decode(&out[0], resp);
}

static enum dx_cia402_state cia_state(struct dx_vdrive *v)
{
	struct dx_sdo r;

	ck_assert_int_eq(sdo_xfer(v, DX_SDO_UPLOAD_REQ, DX_CIA402_STATUSWORD, 0,
				  0, 0, &r), 0);
	ck_assert_int_eq(r.kind, DX_SDO_UPLOAD_RESP);
	ck_assert_int_eq(r.size, 2);
	return dx_cia402_state_decode((uint16_t)r.value);
}

static void write_cw(struct dx_vdrive *v, uint16_t cw)
{
	struct dx_sdo r;

	ck_assert_int_eq(sdo_xfer(v, DX_SDO_DOWNLOAD_REQ, DX_CIA402_CONTROLWORD,
				  0, 2, cw, &r), 0);
	ck_assert_int_eq(r.kind, DX_SDO_DOWNLOAD_RESP);
}

START_TEST(test_cia402_statusword)
{
	for (int s = 0; s < DX_CIA402_STATE_COUNT; s++) {
		uint16_t sw = dx_cia402_state_encode(s);
		ck_assert_int_eq(dx_cia402_state_decode(sw), s);
		/* other bits (remote, target reached, warnings) ignored */
		ck_assert_int_eq(dx_cia402_state_decode(sw | 0x0680), s);
		ck_assert_str_ne(dx_cia402_state_name(s), "?");
	}
	ck_assert_int_eq(dx_cia402_state_decode(0x0237),
			 DX_CIA402_OPERATION_ENABLED);
}
END_TEST

START_TEST(test_cia402_state_machine)
{
	struct dx_drive_desc d = {DX_DRIVE_CIA402, dx_cia402_model_find("generic"),
				  5, 0};
	struct dx_vdrive v;
	struct dx_can_frame out[4];

	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	/* boot-up heartbeat */
	ck_assert_int_eq(dx_vdrive_step(&v, 0.001, out, 4), 1);
	ck_assert_uint_eq(out[0].id, 0x705);
	ck_assert_int_eq(out[0].data[0], DX_NMT_BOOTUP);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);
	/* 2, 3, 4 */
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_READY_TO_SWITCH_ON);
	write_cw(&v, DX_CIA402_CMD_SWITCH_ON);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCHED_ON);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_OPERATION_ENABLED);
	ck_assert(v.enabled);
	/* 5, 4, 8, 2+3+4, 9 */
	write_cw(&v, DX_CIA402_CMD_DISABLE_OPERATION);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCHED_ON);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION);
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_READY_TO_SWITCH_ON);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION); /* 3 + 4 at once */
	ck_assert_int_eq(cia_state(&v), DX_CIA402_OPERATION_ENABLED);
	write_cw(&v, DX_CIA402_CMD_DISABLE_VOLTAGE);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);
	/* 6, 7, 10 */
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	write_cw(&v, DX_CIA402_CMD_SWITCH_ON);
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_READY_TO_SWITCH_ON);
	write_cw(&v, DX_CIA402_CMD_QUICK_STOP);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	write_cw(&v, DX_CIA402_CMD_SWITCH_ON);
	write_cw(&v, DX_CIA402_CMD_DISABLE_VOLTAGE);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);
	/* 11, 16, 11, then the drive stops and goes to switch on disabled */
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION);
	write_cw(&v, DX_CIA402_CMD_QUICK_STOP);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_QUICK_STOP_ACTIVE);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_OPERATION_ENABLED);
	v.motor.p.load_inertia = 0.01; /* so the stop takes a while */
	v.motor.vel = 5.0;
	write_cw(&v, DX_CIA402_CMD_QUICK_STOP);
	dx_vdrive_step(&v, 0.01, out, 4);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_QUICK_STOP_ACTIVE);
	for (int i = 0; i < 200 && v.cia_state == DX_CIA402_QUICK_STOP_ACTIVE;
	     i++)
		dx_vdrive_step(&v, 0.01, out, 4);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);
	dx_ck_near(v.motor.vel, 0.0, 1e-3);
	/* 12 */
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION);
	write_cw(&v, DX_CIA402_CMD_QUICK_STOP);
	write_cw(&v, DX_CIA402_CMD_DISABLE_VOLTAGE);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);

	/* 13, 14: a fault while enabled, EMCY with the error code */
	write_cw(&v, DX_CIA402_CMD_SHUTDOWN);
	write_cw(&v, DX_CIA402_CMD_ENABLE_OPERATION);
	dx_vdrive_inject_fault(&v, DX_DRIVE_FAULT_OVERCURRENT);
	ck_assert_int_eq(dx_vdrive_step(&v, 0.001, out, 4), 1);
	ck_assert_uint_eq(out[0].id, 0x085);
	ck_assert_uint_eq(out[0].data[0] | out[0].data[1] << 8, 0x2310);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_FAULT);
	ck_assert(!v.enabled);
	/* 15 refused while the cause is present */
	write_cw(&v, 0);
	write_cw(&v, DX_CIA402_CMD_FAULT_RESET);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_FAULT);
	/* cause gone: reset needs a rising edge of bit 7 */
	dx_vdrive_inject_fault(&v, DX_DRIVE_FAULT_NONE);
	write_cw(&v, DX_CIA402_CMD_FAULT_RESET); /* still high: no edge */
	ck_assert_int_eq(cia_state(&v), DX_CIA402_FAULT);
	write_cw(&v, 0);
	write_cw(&v, DX_CIA402_CMD_FAULT_RESET);
	ck_assert_int_eq(cia_state(&v), DX_CIA402_SWITCH_ON_DISABLED);

	/* every fault the CiA 402 error codes name: EMCY and TPDO2 carry it */
	for (int fl = 1; fl < DX_DRIVE_FAULT_COUNT; fl++) {
		uint16_t code = dx_cia402_fault_encode(fl);
		struct dx_can_frame sync, tp[4], nmt;
		struct dx_cia402_in in;
		if ((int)dx_cia402_fault_decode(code) != fl)
			continue;
		ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
		ck_assert_int_eq(dx_vdrive_step(&v, 0.001, out, 4), 1); /* boot */
		dx_co_nmt(5, DX_NMT_START, &nmt);
		dx_vdrive_handle(&v, &nmt, out, 4);
		dx_vdrive_inject_fault(&v, fl);
		ck_assert_int_eq(dx_vdrive_step(&v, 0.001, out, 4), 1);
		ck_assert_uint_eq(out[0].id, 0x085);
		ck_assert_uint_eq(out[0].data[0] | out[0].data[1] << 8, code);
		dx_co_sync(&sync);
		ck_assert_int_eq(dx_vdrive_handle(&v, &sync, tp, 4), 2);
		memset(&in, 0, sizeof(in));
		dx_cia402_decode_tpdo(d.model, 5, &tp[0], &in);
		dx_cia402_decode_tpdo(d.model, 5, &tp[1], &in);
		ck_assert_int_eq(dx_cia402_state_decode(in.statusword),
				 DX_CIA402_FAULT);
		ck_assert_int_eq(dx_cia402_fault_decode(in.error_code), fl);
		ck_assert_uint_eq(in.error_code, code);
	}

	/* the host-side stepper reaches operation enabled from every state */
	for (int s = 0; s < DX_CIA402_STATE_COUNT; s++) {
		enum dx_cia402_state cur = s;
		uint16_t prev = 0;
		for (int i = 0; i < 8 && cur != DX_CIA402_OPERATION_ENABLED;
		     i++) {
			uint16_t cw = dx_cia402_next_cw(
				cur, DX_CIA402_OPERATION_ENABLED, prev);
			cur = dx_cia402_transition(cur, cw, prev);
			prev = cw;
		}
		ck_assert_int_eq(cur, DX_CIA402_OPERATION_ENABLED);
	}
}
END_TEST

START_TEST(test_cia402_sdo_aborts)
{
	struct dx_drive_desc d = {DX_DRIVE_CIA402, dx_cia402_model_find("generic"),
				  9, 0};
	struct dx_vdrive v;
	struct dx_sdo r;
	struct dx_can_frame f, out[4];

	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	ck_assert_int_eq(sdo_xfer(&v, DX_SDO_UPLOAD_REQ, 0x1000, 0, 0, 0, &r), 0);
	ck_assert_int_eq(r.kind, DX_SDO_UPLOAD_RESP);
	ck_assert_uint_eq(r.value, 0x00020192);
	ck_assert_int_eq(r.size, 4);
#define EXPECT_ABORT(k_, idx, sub, size, val, code)                           \
	do {                                                                  \
		ck_assert_int_eq(sdo_xfer(&v, k_, idx, sub, size, val, &r),   \
				 0);                                          \
		ck_assert_int_eq(r.kind, DX_SDO_ABORT);                       \
		ck_assert_uint_eq(r.value, code);                             \
		ck_assert_uint_eq(r.index, idx);                              \
		ck_assert_str_ne(dx_sdo_abort_name(r.value), "?");            \
	} while (0)
	EXPECT_ABORT(DX_SDO_UPLOAD_REQ, 0x2345, 0, 0, 0, DX_SDO_ABORT_NO_OBJECT);
	EXPECT_ABORT(DX_SDO_UPLOAD_REQ, 0x6041, 3, 0, 0, DX_SDO_ABORT_NO_SUB);
	EXPECT_ABORT(DX_SDO_DOWNLOAD_REQ, 0x6041, 0, 2, 7,
		     DX_SDO_ABORT_READ_ONLY);
	EXPECT_ABORT(DX_SDO_DOWNLOAD_REQ, 0x6040, 0, 4, 7,
		     DX_SDO_ABORT_TYPE_LEN);
	EXPECT_ABORT(DX_SDO_DOWNLOAD_REQ, 0x6060, 0, 1, 42, DX_SDO_ABORT_RANGE);
	/* a target beyond the model's range is refused, not wrapped */
	EXPECT_ABORT(DX_SDO_DOWNLOAD_REQ, 0x6071, 0, 2, (uint16_t)30000,
		     DX_SDO_ABORT_RANGE);
	/* segmented download request: command specifier not supported */
	memset(&f, 0, sizeof(f));
	f.id = DX_CO_SDO_RX + 9, f.len = 8, f.data[0] = 0x21;
	f.data[1] = 0x00, f.data[2] = 0x10;
	ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
	ck_assert_int_eq(dx_sdo_decode(&out[0], &r), 0);
	ck_assert_int_eq(r.kind, DX_SDO_ABORT);
	ck_assert_uint_eq(r.value, DX_SDO_ABORT_CS);
	/* good writes are read back */
	ck_assert_int_eq(sdo_xfer(&v, DX_SDO_DOWNLOAD_REQ, 0x6060, 0, 1,
				  DX_CIA402_MODE_CSV, &r), 0);
	ck_assert_int_eq(r.kind, DX_SDO_DOWNLOAD_RESP);
	ck_assert_int_eq(sdo_xfer(&v, DX_SDO_UPLOAD_REQ, 0x6061, 0, 0, 0, &r), 0);
	ck_assert_uint_eq(r.value, DX_CIA402_MODE_CSV);
	ck_assert_int_eq(r.size, 1);
	/* SDO frame bytes per CiA 301: expedited 2-byte download = 0x2B */
	struct dx_sdo q = {DX_SDO_DOWNLOAD_REQ, 9, 0x6040, 0, 2, 0x000f};
	ck_assert_int_eq(dx_sdo_encode(&q, &f), 0);
	ck_assert_uint_eq(f.id, 0x609);
	ck_assert_uint_eq(f.data[0], 0x2b);
	ck_assert_uint_eq(f.data[1], 0x40);
	ck_assert_uint_eq(f.data[2], 0x60);
	ck_assert_uint_eq(f.data[4], 0x0f);
	q.size = 5;
	ck_assert_int_eq(dx_sdo_encode(&q, &f), DX_EINVAL);
}
END_TEST

START_TEST(test_cia402_pdo_nmt)
{
	struct dx_drive_desc d = {DX_DRIVE_CIA402, dx_cia402_model_find("generic"),
				  4, 0};
	const struct dx_cia402_model *m = d.model;
	struct dx_vdrive v;
	struct dx_can_frame f[2], sync, nmt, out[4];
	struct dx_cia402_out o = {DX_CIA402_CMD_SHUTDOWN, DX_CIA402_MODE_CSP,
				  0.5, 0.25, 0.75};
	struct dx_cia402_in in;
	unsigned cl;

	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	dx_co_sync(&sync);
	ck_assert_int_eq(dx_cia402_encode_rpdos(m, 4, &o, f, &cl), 0);
	ck_assert_uint_eq(f[0].id, 0x204);
	ck_assert_uint_eq(f[1].id, 0x304);
	/* pre-operational: PDOs and SYNC are ignored */
	ck_assert_int_eq(dx_vdrive_handle(&v, &f[0], out, 4), 0);
	ck_assert_int_eq(dx_vdrive_handle(&v, &sync, out, 4), 0);
	ck_assert_int_eq(v.cia_state, DX_CIA402_SWITCH_ON_DISABLED);
	ck_assert_int_eq(dx_co_nmt(0, DX_NMT_START, &nmt), 0);
	ck_assert_int_eq(dx_vdrive_handle(&v, &nmt, out, 4), 0);
	ck_assert_int_eq(v.nmt, DX_NMT_OPERATIONAL);
	ck_assert_int_eq(dx_vdrive_handle(&v, &f[0], out, 4), 0);
	ck_assert_int_eq(dx_vdrive_handle(&v, &f[1], out, 4), 0);
	ck_assert_int_eq(v.cia_state, DX_CIA402_READY_TO_SWITCH_ON);
	dx_ck_near(v.cmd.pos, 0.5, 1.0 / m->counts_per_rad);
	dx_ck_near(v.cmd.vel, 0.25, 1.0 / m->vel_counts_per_rad_s);
	dx_ck_near(v.cmd.tau, 0.75, m->rated_torque / 1000.0);
	/* SYNC → both TPDOs */
	v.motor.pos = -1.0, v.motor.vel = 2.0, v.motor.tau = -0.5;
	ck_assert_int_eq(dx_vdrive_handle(&v, &sync, out, 4), 2);
	memset(&in, 0, sizeof(in));
	ck_assert_int_eq(dx_cia402_decode_tpdo(m, 4, &out[0], &in), 1);
	ck_assert_int_eq(dx_cia402_decode_tpdo(m, 4, &out[1], &in), 2);
	ck_assert_int_eq(dx_cia402_state_decode(in.statusword),
			 DX_CIA402_READY_TO_SWITCH_ON);
	dx_ck_near(in.pos, dx_vdrive_position(&v), 1.0 / m->counts_per_rad);
	dx_ck_near(in.vel, 2.0, 1.0 / m->vel_counts_per_rad_s);
	dx_ck_near(in.tau, -0.5, m->rated_torque / 1000.0);
	/* clamping of targets */
	o.tau = 100.0;
	o.pos = NAN;
	ck_assert_int_eq(dx_cia402_encode_rpdos(m, 4, &o, f, &cl), DX_ENOTFINITE);
	o.pos = -1e6;
	ck_assert_int_eq(dx_cia402_encode_rpdos(m, 4, &o, f, &cl), 0);
	ck_assert_uint_eq(cl, DX_DRIVE_CLAMP_POS | DX_DRIVE_CLAMP_TAU);
	struct dx_cia402_out back;
	ck_assert_int_eq(dx_cia402_decode_rpdo(m, 4, &f[0], &back), 1);
	ck_assert_int_eq(dx_cia402_decode_rpdo(m, 4, &f[1], &back), 2);
	dx_ck_near(back.pos, -m->pos_max, 1.0 / m->counts_per_rad);
	dx_ck_near(back.tau, m->torque_max, m->rated_torque / 1000.0);
	/* NMT stop: SDOs ignored; reset node → boot-up */
	ck_assert_int_eq(dx_co_nmt(4, DX_NMT_RESET_NODE, &nmt), 0);
	ck_assert_int_eq(dx_vdrive_handle(&v, &nmt, out, 4), 1);
	ck_assert_uint_eq(out[0].id, 0x704);
	ck_assert_int_eq(v.nmt, DX_NMT_PRE_OPERATIONAL);
	/* generic PDO machinery */
	struct dx_pdo_map big = {3, {{0x6064, 0, 32}, {0x606c, 0, 32},
				     {0x6041, 0, 16}}};
	ck_assert_int_eq(dx_pdo_map_check(&big), DX_EMSGSIZE);
	struct dx_sdo cfg[12];
	int n = dx_pdo_config_sdos(4, 1, false, dx_cia402_default_map(
					   DX_CIA402_MAP_TPDO1), cfg, 12);
	ck_assert_int_eq(n, 3 + 4);
	ck_assert_uint_eq(cfg[0].index, 0x1800);
	ck_assert_uint_eq(cfg[0].value, 0x80000184u);
	ck_assert_uint_eq(cfg[2].index, 0x1a00);
	ck_assert_uint_eq(cfg[2].value, 0x60410010u);
	ck_assert_uint_eq(cfg[n - 1].value, 0x184u);
	/* fault codes round trip through the EMCY/0x603F coding */
	for (int fl = 0; fl < DX_DRIVE_FAULT_COUNT; fl++) {
		uint16_t code = dx_cia402_fault_encode(fl);
		enum dx_drive_fault back_f = dx_cia402_fault_decode(code);
		ck_assert((int)back_f == fl || code == 0x1000);
	}
}
END_TEST

/* ---- motor model ----------------------------------------------------------- */

static int hook_calls;
static void hook(void *user, double tau, double dt, double *pos, double *vel)
{
	(void)user;
	hook_calls++;
	*vel = tau; /* a fake world: velocity follows torque */
	*pos += *vel * dt;
}

START_TEST(test_vmotor)
{
	struct dx_vmotor_params p;
	struct dx_vmotor m;
	double j;

	dx_vmotor_params_default(&p, 10.0, 1.0, 1e-4, 10.0);
	p.viscous = 0, p.coulomb = 0;
	ck_assert_int_eq(dx_vmotor_init(&m, &p), 0);
	j = 1e-4 * 100;
	for (int i = 0; i < 1000; i++)
		dx_vmotor_step(&m, 2.0, 1e-4);
	dx_ck_near(m.vel, 2.0 / j * 0.1, 1e-9);
	dx_ck_near(m.pos, 0.5 * 2.0 / j * 0.01, 0.5 * 2.0 / j * 1e-5 + 1e-9);
	/* torque limit */
	dx_vmotor_step(&m, 100.0, 1e-4);
	dx_ck_near(m.tau, 10.0, 0);
	/* stiction: below the Coulomb level the joint does not move */
	p.coulomb = 1.0;
	ck_assert_int_eq(dx_vmotor_init(&m, &p), 0);
	for (int i = 0; i < 100; i++)
		dx_vmotor_step(&m, 0.9, 1e-4);
	dx_ck_near(m.vel, 0.0, 0.0);
	dx_vmotor_step(&m, 1.5, 1e-3);
	ck_assert(m.vel > 0);
	/* friction brings it to rest and never reverses it */
	for (int i = 0; i < 10000; i++)
		dx_vmotor_step(&m, 0.0, 1e-4);
	dx_ck_near(m.vel, 0.0, 0.0);
	/* encoder quantisation: 14-bit rotor × gear */
	m.pos = 0.123456;
	double step = 2 * M_PI / (16384.0 * 10.0);
	dx_ck_near(dx_vmotor_encoder_pos(&m), 0.123456, step / 2);
	ck_assert(fabs(fmod(dx_vmotor_encoder_pos(&m) / step, 1.0)) < 1e-6 ||
		  fabs(fmod(dx_vmotor_encoder_pos(&m) / step, 1.0)) > 1 - 1e-6);
	/* heating with current trips the thermal fault; torque drops */
	ck_assert_int_eq(dx_vmotor_init(&m, &p), 0);
	m.p.resistance = 5.0;
	for (int i = 0; i < 600 && !m.thermal_fault; i++)
		dx_vmotor_step(&m, 10.0, 0.1);
	ck_assert(m.thermal_fault);
	ck_assert(m.temp_c > p.fault_temp_c);
	dx_vmotor_step(&m, 10.0, 0.1);
	dx_ck_near(m.tau, 0.0, 0.0);
	/* replacement dynamics */
	ck_assert_int_eq(dx_vmotor_init(&m, &p), 0);
	dx_vmotor_set_dynamics(&m, hook, NULL);
	hook_calls = 0;
	dx_vmotor_step(&m, 3.0, 0.5);
	ck_assert_int_eq(hook_calls, 1);
	dx_ck_near(m.pos, 1.5, 1e-12);
	ck_assert_int_eq(dx_vmotor_init(&m, NULL), DX_EINVAL);
}
END_TEST

/* A MIT drive in closed loop reaches its target; thermal fault over the
 * wire. */
START_TEST(test_vmit_closed_loop)
{
	const struct dx_mit_model *m = dx_mit_model_find("dm-j4310");
	struct dx_drive_desc d = mit_desc(m, 1);
	struct dx_mit_addr a = {m, 1, d.master};
	struct dx_vdrive v;
	struct dx_can_frame f, out[4];
	struct dx_mit_cmd c = {1.0, 0.0, 20.0, 0.5, 0.0};
	struct dx_mit_fb fb;

	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_ENABLE, &f), 0);
	dx_vdrive_handle(&v, &f, out, 4);
	ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, NULL), 0);
	for (int i = 0; i < 2000; i++) { /* 2 s at 1 kHz */
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		dx_vdrive_step(&v, 0.001, NULL, 0);
	}
	ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
	/* steady state error from Coulomb friction: c / kp */
	dx_ck_near(fb.pos, 1.0, v.motor.p.coulomb / 20.0 + 0.01);
	/* overheat: Damiao coil over-temperature code 0xC */
	v.motor.p.resistance = 50.0;
	c.tau = m->t_max;
	c.kp = 0;
	c.pos = 0;
	ck_assert_int_eq(dx_mit_encode_cmd(&a, &c, &f, NULL), 0);
	for (int i = 0; i < 20000 && !v.motor.thermal_fault; i++) {
		v.motor.vel = 0;
		dx_vdrive_handle(&v, &f, out, 4);
		dx_vdrive_step(&v, 0.01, NULL, 0);
	}
	ck_assert(v.motor.thermal_fault);
	ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
	ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
	ck_assert_int_eq(fb.fault, DX_DRIVE_FAULT_MOTOR_OVERTEMP);
	ck_assert_uint_eq(fb.vendor_code, 0xc);
	ck_assert(!fb.enabled);
}
END_TEST

/* Damiao position-velocity and velocity modes (ID offsets 0x100, 0x200). */
START_TEST(test_dm_modes)
{
	const struct dx_mit_model *m = dx_mit_model_find("dm-j4310");
	struct dx_drive_desc d = mit_desc(m, 2);
	struct dx_mit_addr a = {m, 2, d.master};
	struct dx_vdrive v;
	struct dx_can_frame f, out[4];
	struct dx_mit_fb fb;
	enum dx_dm_mode mode;
	double p, w;
	unsigned cl;

	ck_assert_int_eq(dx_dm_encode_mode_cmd(&a, DX_DM_MODE_POSVEL, 1.5, 2.0,
					       &f, &cl), 0);
	ck_assert_uint_eq(f.id, 0x102);
	ck_assert_int_eq(f.len, 8);
	ck_assert_int_eq(dx_dm_decode_mode_cmd(&a, &f, &mode, &p, &w), 0);
	ck_assert_int_eq(mode, DX_DM_MODE_POSVEL);
	dx_ck_near(p, 1.5, 1e-6);
	dx_ck_near(w, 2.0, 1e-6);
	ck_assert_int_eq(dx_dm_encode_mode_cmd(&a, DX_DM_MODE_VEL, 0, -99.0,
					       &f, &cl), 0);
	ck_assert_uint_eq(f.id, 0x202);
	ck_assert_uint_eq(cl, DX_DRIVE_CLAMP_VEL);
	ck_assert_int_eq(dx_dm_decode_mode_cmd(&a, &f, &mode, &p, &w), 0);
	dx_ck_near(w, -m->v_max, 1e-5);
	ck_assert_int_eq(dx_dm_encode_mode_cmd(&a, DX_DM_MODE_VEL, 0, NAN,
					       &f, &cl), DX_ENOTFINITE);
	struct dx_mit_addr ak = {dx_mit_model_find("ak80-9"), 2, 0};
	ck_assert_int_eq(dx_dm_encode_mode_cmd(&ak, DX_DM_MODE_VEL, 0, 1, &f,
					       &cl), DX_EINVAL);
	/* the virtual drive moves to 1.5 rad no faster than 2 rad/s */
	ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
	ck_assert_int_eq(dx_mit_encode_special(&a, DX_MIT_ENABLE, &f), 0);
	dx_vdrive_handle(&v, &f, out, 4);
	ck_assert_int_eq(dx_dm_encode_mode_cmd(&a, DX_DM_MODE_POSVEL, 1.5, 2.0,
					       &f, NULL), 0);
	double vmax = 0;
	for (int i = 0; i < 2000; i++) {
		ck_assert_int_eq(dx_vdrive_handle(&v, &f, out, 4), 1);
		dx_vdrive_step(&v, 0.001, NULL, 0);
		if (fabs(v.motor.vel) > vmax)
			vmax = fabs(v.motor.vel);
	}
	ck_assert_int_eq(dx_mit_decode_reply(&a, &out[0], &fb), 0);
	dx_ck_near(fb.pos, 1.5, 0.05);
	ck_assert(vmax <= 2.0 * 1.05);
	ck_assert(vmax >= 2.0 * 0.8);
}
END_TEST

START_TEST(test_desc_parse)
{
	struct dx_drive_desc d;
	char buf[64];

	ck_assert_int_eq(dx_drive_desc_parse("mit:dm-j4310:id=1", &d), 0);
	ck_assert_int_eq(d.proto, DX_DRIVE_MIT);
	ck_assert_int_eq(d.id, 1);
	ck_assert_int_eq(d.master, 0x11);
	ck_assert_int_eq(dx_drive_desc_format(&d, buf, sizeof(buf)), 27);
	ck_assert_str_eq(buf, "mit:dm-j4310:id=1:master=17");
	ck_assert_int_eq(dx_drive_desc_parse("mit:AK80-64:id=3:master=0", &d), 0);
	ck_assert_int_eq(d.master, 0);
	ck_assert_int_eq(dx_drive_desc_parse("odrive:default:id=63", &d), 0);
	ck_assert_int_eq(dx_drive_desc_parse("cia402:generic:id=127", &d), 0);
	ck_assert_int_eq(dx_drive_desc_parse("mit:nope:id=1", &d), DX_ENOENT);
	ck_assert_int_eq(dx_drive_desc_parse("mit:ak80-9", &d), DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse("mit:ak80-9:id=300", &d), DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse("mit:ak80-9:id=-1", &d), DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse("odrive:default:id=64", &d),
			 DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse("mit:dm-j4310:id=16", &d),
			 DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse("can:x:id=1", &d), DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse("mit:ak80-9:id=1:foo=2", &d),
			 DX_EINVAL);
	ck_assert_int_eq(dx_drive_desc_parse(NULL, &d), DX_EINVAL);
}
END_TEST

/* Device side against arbitrary frames: every virtual drive keeps finite
 * state and answers only with valid frames. */
START_TEST(test_vdrive_random_frames)
{
	static const char *const specs[] = {
		"mit:ak80-9:id=1", "mit:dm-j4310:id=1", "mit:rs01:id=1",
		"odrive:default:id=1", "cia402:generic:id=1",
	};
	for (size_t k = 0; k < DX_ARRAY_SIZE(specs); k++) {
		struct dx_drive_desc d;
		struct dx_vdrive v;
		struct dx_can_frame f, out[4];
		ck_assert_int_eq(dx_drive_desc_parse(specs[k], &d), 0);
		ck_assert_int_eq(dx_vdrive_init(&v, &d), 0);
		v.nmt = DX_NMT_OPERATIONAL;
		v.enabled = true;
		for (int i = 0; i < 50000; i++) {
			memset(&f, 0, sizeof(f));
			/* IDs near the drive's own so most frames reach it */
			uint32_t r = (uint32_t)urand(0, 4096);
			f.id = r < 2048 ? (r & 0x7ff) :
			       (uint32_t)urand(0, 8) << 24 | (r & 0xffff) << 8 | 1;
			f.id = (i & 3) == 0 ? f.id :
			       (i & 3) == 1 ? 1 : (i & 3) == 2 ?
			       (1u << 5 | (r & 31)) : (0x200 + 0x100 * (r & 3) + 1);
			if (f.id > 0x7ff || (i & 7) == 5)
				f.flags = DX_CAN_EXT, f.id &= DX_CAN_EFF_MASK;
			f.len = (uint8_t)urand(0, 9);
			for (int j = 0; j < 8; j++)
				f.data[j] = (uint8_t)urand(0, 256);
			if ((i & 15) == 3)
				memset(f.data, 0xff, 8);
			int n = dx_vdrive_handle(&v, &f, out, 4);
			ck_assert_int_ge(n, 0);
			for (int j = 0; j < n; j++)
				ck_assert_int_eq(dx_can_frame_check(&out[j]), 0);
			n = dx_vdrive_step(&v, 1e-4, out, 4);
			ck_assert_int_ge(n, 0);
			ck_assert(isfinite(v.motor.pos) && isfinite(v.motor.vel) &&
				  isfinite(v.motor.tau));
			ck_assert(isfinite(v.cmd.pos) && isfinite(v.cmd.vel) &&
				  isfinite(v.cmd.tau) && isfinite(v.cmd.kp) &&
				  isfinite(v.cmd.kd));
		}
	}
}
END_TEST

static Suite *drive_suite(void)
{
	Suite *s = suite_create("drive");
	TCase *tc = tcase_create("codecs");

	tcase_add_test(tc, test_mit_cmd_roundtrip);
	tcase_add_test(tc, test_mit_reply_roundtrip);
	tcase_add_test(tc, test_mit_special_frames);
	tcase_add_test(tc, test_mit_fault_codes);
	tcase_add_test(tc, test_mit_clamp_nan);
	tcase_add_test(tc, test_odrive_roundtrip);
	tcase_add_test(tc, test_odrive_states_faults);
	tcase_add_test(tc, test_cia402_statusword);
	tcase_add_test(tc, test_cia402_state_machine);
	tcase_add_test(tc, test_cia402_sdo_aborts);
	tcase_add_test(tc, test_cia402_pdo_nmt);
	tcase_add_test(tc, test_vmotor);
	tcase_add_test(tc, test_vmit_closed_loop);
	tcase_add_test(tc, test_dm_modes);
	tcase_add_test(tc, test_vdrive_random_frames);
	tcase_add_test(tc, test_desc_parse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(drive_suite());
}
