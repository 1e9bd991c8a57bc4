/* SPDX-License-Identifier: MIT */
/* The hand runtime end to end over simbus: examples/hand16.yaml with its
 * eight buses renamed for this process, sixteen virtual MIT drives and four
 * virtual pads served in the test's thread (tests/hand-rig.h), the
 * controller cycling at 1 kHz on the buses' virtual clock. Checks: the hand
 * comes up and holds, follows joint targets, follows a fingertip target
 * through IK, a drive unplugged mid-motion puts that finger into damping
 * stop within the configured cycles while the other fingers keep tracking,
 * recovery needs a command; an over-full bus is refused by the budget
 * planner; the cycle does not allocate (tests/alloc-count.h). */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/hand.h>
#include <dexrt/kin.h>
#include <dexrt/sim.h>
#include <dexrt/simpad.h>
#include <dexrt/simbus.h>

#include "alloc-count.h"
#include "dx-check.h"
#include "hand-rig.h"

/* ---- rig ------------------------------------------------------------------ */

/* hand16.yaml (buses "t<pid>-...", every @p from replaced by @p to) in
 * /tmp/dx-hand-<pid>, next to a copy of the URDF. */
static void write_config(struct hand_rig *r, const char *from, const char *to)
{
	ck_assert_int_eq(hand_rig_write(r, getenv("DX_EXAMPLES_DIR"), "hand", "t",
					from, to), 0);
}

/* The device side first, so the buses exist with FD timing and a virtual
 * clock: the test drives time, so it is deterministic and immune to the
 * machine's load. Each finger's pad is pressed by an object that its
 * proximal flexion joint (j1) meets once the object is present. */
static void rig_up(struct hand_rig *r)
{
	struct dx_hand_config_error e;
	int rc;

	memset(r, 0, sizeof(*r));
	write_config(r, NULL, NULL);
	rc = dx_hand_config_load(r->yaml, &r->cfg, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(hand_rig_devices(r, DX_SIMBUS_CLOCK_VIRTUAL, true), 0);
	rc = hand_rig_start(r, NULL, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
}

static void rig_down(struct hand_rig *r)
{
	if (hand_rig_down(r) != 0)
		fprintf(stderr, "cleanup failed\n");
}

/* One 1 ms cycle on the virtual clock: the controller reads (replies to the
 * previous write), updates and writes at T; at T + 300 us the drives
 * answer what has crossed the bus; the next cycle starts at T + 1 ms. The
 * replies cross the bus before the 600 us reply deadline. No Check
 * assertion in the cycle path: Check allocates to record where each
 * assertion ran, which the allocation test would count. */
static void cycle(struct hand_rig *r, bool alloc_probe)
{
	int64_t T = r->t;

	if (alloc_probe) {
		dx_hand_read(r->hand, T);
		dx_hand_update(r->hand, T);
		dx_hand_write(r->hand, T);
	} else {
		dx_hand_cycle(r->hand, T);
	}
	hand_rig_finish(r);
}

/* Runs @p n cycles, draining telemetry every cycle and keeping the latest. */
static void run(struct hand_rig *r, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		cycle(r, false);
		hand_rig_telemetry(r);
	}
}

static int joint(const struct hand_rig *r, const char *name)
{
	for (unsigned j = 0; j < dx_hand_njoints(r->hand); j++)
		if (strcmp(dx_hand_joint_name(r->hand, j), name) == 0)
			return (int)j;
	ck_abort_msg("no joint %s", name);
	return -1;
}

static struct dx_hand_joint_state js(const struct hand_rig *r, const char *name)
{
	struct dx_hand_joint_state s;
	ck_assert_int_eq(dx_hand_joint_state(r->hand, (unsigned)joint(r, name), &s), 0);
	return s;
}

/* ---- tests ----------------------------------------------------------------- */

START_TEST(test_comes_up_and_tracks)
{
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS};
	unsigned nj;

	rig_up(&r);
	nj = dx_hand_njoints(r.hand);
	ck_assert_int_eq(nj, 16);
	ck_assert_int_eq(dx_hand_ntips(r.hand), 4);
	run(&r, 200);
	{
		struct dx_hand_fault f;
		while (dx_hand_fault_pop(r.hand, &f) == 0)
			printf("fault: cycle %llu joint %d %s %s value %g\n",
			       (unsigned long long)f.cycle, f.joint,
			       dx_hand_reaction_name(f.reaction),
			       dx_hand_cause_name(f.cause), f.value);
	}
	for (unsigned j = 0; j < nj; j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r.hand, j, &s);
		ck_assert_msg(s.valid, "joint %s has no feedback",
			      dx_hand_joint_name(r.hand, j));
		ck_assert_int_eq(s.reaction, DX_REACT_NONE);
		/* drives enabled by the managed-enable exchange */
		ck_assert(r.drives[j / 2][j % 2].enabled);
	}
	/* every flexion joint to 0.6 rad, abduction to 0.2 */
	hand_rig_posture(r.hand, 0.2, 0.6, &t);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1500);
	for (unsigned j = 0; j < nj; j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r.hand, j, &s);
		printf("%-10s q %.4f ref %.4f tau %.4f meas %.4f react %s/%s\n",
		       dx_hand_joint_name(r.hand, j), s.q, s.q_ref, s.tau_cmd,
		       s.tau, dx_hand_reaction_name(s.reaction),
		       dx_hand_cause_name(s.cause));
	}
	for (unsigned j = 0; j < nj; j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r.hand, j, &s);
		dx_ck_near(s.q, t.q[j], 0.03);
	}
	/* home: every joint back to its configured home posture (0 here) */
	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_HOME;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1500);
	for (unsigned j = 0; j < nj; j++)
		dx_ck_near(js(&r, dx_hand_joint_name(r.hand, j)).q, 0.0, 0.03);
	rig_down(&r);
}
END_TEST

/* Joint targets are planned once per change and at most 8 joints per
 * cycle: a client streaming the same command costs no planning, a burst of
 * targets is planned for the latest one, and every joint still ends where
 * the last target says. */
START_TEST(test_joint_targets_planned_once)
{
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS};
	struct dx_hand_stats st;
	uint64_t p0;
	unsigned nj;

	rig_up(&r);
	nj = dx_hand_njoints(r.hand);
	run(&r, 200);
	dx_hand_get_stats(r.hand, &st);
	p0 = st.traj_plans;
	hand_rig_posture(r.hand, 0.1, 0.5, &t);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1);
	dx_hand_get_stats(r.hand, &st);
	ck_assert_uint_eq(st.traj_plans - p0, 8); /* the first eight joints */
	run(&r, 1);
	dx_hand_get_stats(r.hand, &st);
	ck_assert_uint_eq(st.traj_plans - p0, nj); /* the rest a cycle later */
	/* the same command streamed every cycle: nothing new to plan */
	for (unsigned k = 0; k < 50; k++) {
		ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
		run(&r, 1);
	}
	dx_hand_get_stats(r.hand, &st);
	ck_assert_uint_eq(st.traj_plans - p0, nj);
	/* three different targets in one cycle, mid-motion: the last wins */
	hand_rig_posture(r.hand, 0.0, 0.9, &t);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	hand_rig_posture(r.hand, 0.15, 0.2, &t);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	hand_rig_posture(r.hand, 0.2, 0.7, &t);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1500);
	dx_hand_get_stats(r.hand, &st);
	ck_assert_uint_eq(st.traj_plans - p0, 2 * nj);
	for (unsigned j = 0; j < nj; j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r.hand, j, &s);
		dx_ck_near(s.q, t.q[j], 0.03);
	}
	rig_down(&r);
}
END_TEST

START_TEST(test_fingertip_target)
{
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS};
	double p0[3], p1[3];
	int index_tip = -1;

	rig_up(&r);
	run(&r, 100);
	for (unsigned k = 0; k < dx_hand_ntips(r.hand); k++)
		if (strstr(dx_hand_tip_name(r.hand, k), "index"))
			index_tip = (int)k;
	ck_assert_int_ge(index_tip, 0);
	/* bend the index a little so the target is off the singular
	 * straight pose, then ask the tip to move 8 mm towards the palm */
	t.mask = 0xf;
	for (int j = 1; j < 4; j++)
		t.q[j] = 0.3;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 800);
	ck_assert_int_eq(dx_hand_tip_position(r.hand, (unsigned)index_tip, p0), 0);
	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_TIPS;
	t.mask = 1u << index_tip;
	memcpy(t.tip[index_tip], p0, sizeof(p0));
	t.tip[index_tip][1] -= 0.008;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1200);
	ck_assert_int_eq(dx_hand_tip_position(r.hand, (unsigned)index_tip, p1), 0);
	printf("tip from (%.4f %.4f %.4f) to (%.4f %.4f %.4f), wanted y %.4f\n",
	       p0[0], p0[1], p0[2], p1[0], p1[1], p1[2], t.tip[index_tip][1]);
	/* measured (FK of measured joints) within 2 mm of the target */
	ck_assert_msg(fabs(p1[0] - t.tip[index_tip][0]) < 0.002 &&
			      fabs(p1[1] - t.tip[index_tip][1]) < 0.002 &&
			      fabs(p1[2] - t.tip[index_tip][2]) < 0.002,
		      "tip missed its target");
	rig_down(&r);
}
END_TEST

START_TEST(test_unplugged_drive_damps_its_finger)
{
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS};
	struct dx_hand_fault f;
	unsigned cycles = 0, loss = 3;
	bool damped = false, saw_fault = false;

	rig_up(&r);
	run(&r, 200);
	hand_rig_posture(r.hand, 0.0, 0.5, &t);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1000);
	while (dx_hand_fault_pop(r.hand, &f) == 0)
		;
	/* unplug the index finger's middle flexion drive */
	__atomic_store_n(&r.drives[1][0].mute, true, __ATOMIC_SEQ_CST);
	while (!damped && cycles < 50) {
		run(&r, 1);
		cycles++;
		damped = js(&r, "index_j2").reaction == DX_REACT_DAMP;
	}
	printf("damping stop after %u cycles (link loss after %u misses)\n",
	       cycles, loss);
	ck_assert(damped);
	/* detected within the configured misses plus the one-cycle reply lag */
	ck_assert_uint_le(cycles, loss + 2);
	ck_assert_int_eq(js(&r, "index_j2").cause, DX_CAUSE_LINK_LOST);
	/* the whole index finger goes limp, the others do not */
	ck_assert_int_eq(js(&r, "index_j1").reaction, DX_REACT_DAMP);
	ck_assert_int_eq(js(&r, "index_j3").reaction, DX_REACT_DAMP);
	ck_assert_int_eq(js(&r, "middle_j2").reaction, DX_REACT_NONE);
	ck_assert_int_eq(js(&r, "thumb_j1").reaction, DX_REACT_NONE);
	while (dx_hand_fault_pop(r.hand, &f) == 0)
		if (f.cause == DX_CAUSE_LINK_LOST && f.reaction == DX_REACT_DAMP)
			saw_fault = true;
	ck_assert(saw_fault);
	/* the other fingers keep their targets while the index is down */
	run(&r, 300);
	dx_ck_near(js(&r, "middle_j2").q, 0.5, 0.03);
	dx_ck_near(js(&r, "ring_j1").q, 0.5, 0.03);
	/* reconnecting alone does not clear the stop; RECOVER does */
	__atomic_store_n(&r.drives[1][0].mute, false, __ATOMIC_SEQ_CST);
	run(&r, 50);
	ck_assert_int_eq(js(&r, "index_j2").reaction, DX_REACT_DAMP);
	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_RECOVER;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 20);
	ck_assert_int_eq(js(&r, "index_j2").reaction, DX_REACT_NONE);
	rig_down(&r);
}
END_TEST

static void last_telemetry(struct hand_rig *r, struct dx_hand_telemetry *t)
{
	ck_assert(r->have_tel);
	*t = r->tel;
}

/* The telemetry's wrench of a fingertip in contact: a force whose norm is
 * tip_force, and a moment about the hand origin that is c × f for a contact
 * point c on the pad, i.e. perpendicular to f, with the line of action
 * (the points c for which c × f is that moment) passing within 25 mm of
 * the fingertip (the pad sits on the distal link). */
static void check_tip_wrench(struct hand_rig *r, unsigned k,
			     const struct dx_hand_telemetry *tel)
{
	const float *w = tel->tip_wrench[k];
	double f2 = w[0] * w[0] + w[1] * w[1] + w[2] * w[2];
	double fn = sqrt(f2), mn = sqrt(w[3] * w[3] + w[4] * w[4] + w[5] * w[5]);
	double p[3], c0[3], d[3], dist;

	dx_ck_near(fn, tel->tip_force[k], 1e-5 * tel->tip_force[k]);
	ck_assert(mn > 0);
	dx_ck_near((w[0] * w[3] + w[1] * w[4] + w[2] * w[5]) / (fn * mn), 0.0,
		   1e-5);
	/* closest point of the line of action to the origin: f × m / |f|² */
	c0[0] = (w[1] * w[5] - w[2] * w[4]) / f2;
	c0[1] = (w[2] * w[3] - w[0] * w[5]) / f2;
	c0[2] = (w[0] * w[4] - w[1] * w[3]) / f2;
	ck_assert_int_eq(dx_hand_tip_position(r->hand, k, p), 0);
	for (int i = 0; i < 3; i++)
		d[i] = p[i] - c0[i];
	/* distance of the tip from the line: |d × f| / |f| */
	dist = sqrt(pow(d[1] * w[2] - d[2] * w[1], 2) +
		    pow(d[2] * w[0] - d[0] * w[2], 2) +
		    pow(d[0] * w[1] - d[1] * w[0], 2)) / fn;
	printf("%s: wrench f [%.3f %.3f %.3f] N m [%.4f %.4f %.4f] N*m, line of "
	       "action %.1f mm from the tip\n", dx_hand_tip_name(r->hand, k),
	       w[0], w[1], w[2], w[3], w[4], w[5], dist * 1e3);
	ck_assert_double_lt(dist, 0.025);
}

START_TEST(test_power_grasp_regulates_force)
{
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_GRASP};
	struct dx_hand_telemetry tel;
	double f_before;

	rig_up(&r);
	run(&r, 400); /* pads tare on the first samples */
	for (int f = 0; f < 4; f++)
		r.obj[f].present = true;
	t.grasp = DX_GRASP_POWER;
	t.force = 1.5;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 3000);
	last_telemetry(&r, &tel);
	for (unsigned k = 0; k < dx_hand_ntips(r.hand); k++) {
		printf("%s: phase %u fused force %.3f N (object %.3f N) contact %d\n",
		       dx_hand_tip_name(r.hand, k), tel.grasp_phase[k],
		       tel.tip_force[k], r.obj[k].force,
		       !!(tel.contact_mask >> k & 1));
		ck_assert_uint_eq(tel.grasp_phase[k], 2); /* holding */
		ck_assert(tel.contact_mask >> k & 1);
		/* the force the object really feels, and the estimate, are
		 * regulated to the 1.5 N target within 20 % */
		dx_ck_near(r.obj[k].force, 1.5, 0.3);
		dx_ck_near(tel.tip_force[k], 1.5, 0.3);
		check_tip_wrench(&r, k, &tel);
	}
	/* slip on the index pad: the grip target goes up, so does the force */
	f_before = r.obj[0].force;
	{
		struct dx_simpad_slip sl = {.on = true, .shear_rate = 4.0f,
					    .period_s = 0.25f, .vib_rel = 0.2f,
					    .vib_hz = 250.0f, .dir = {0, 0, 1}};
		bool slipped = false;
		dx_simpad_set_slip(&r.pad[0], &sl);
		for (int k = 0; k < 300 && !slipped; k++) {
			run(&r, 1);
			last_telemetry(&r, &tel);
			slipped = tel.slip_mask & 1;
		}
		ck_assert_msg(slipped, "slip not flagged within 300 cycles");
		sl.on = false;
		dx_simpad_set_slip(&r.pad[0], &sl);
	}
	run(&r, 1500);
	printf("index force before slip %.3f N, after %.3f N\n", f_before,
	       r.obj[0].force);
	ck_assert_double_gt(r.obj[0].force, f_before * 1.15);
	ck_assert_double_lt(r.obj[0].force, 1.5 * 3.0 + 0.3); /* capped */
	/* release: the fingers open, the object is free */
	t.grasp = DX_GRASP_RELEASE;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1500);
	last_telemetry(&r, &tel);
	for (unsigned k = 0; k < dx_hand_ntips(r.hand); k++) {
		ck_assert_uint_eq(tel.grasp_phase[k], 0);
		dx_ck_near(r.obj[k].force, 0.0, 1e-9);
	}
	dx_ck_near(js(&r, "index_j1").q, 0.0, 0.05);
	rig_down(&r);
}
END_TEST

START_TEST(test_bad_targets_refused)
{
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS, .mask = 1};
	struct dx_hand_stats st;

	rig_up(&r);
	t.q[0] = NAN;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), DX_EINVAL);
	t.q[0] = 0;
	t.kind = (enum dx_hand_target_kind)99;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), DX_EINVAL);
	t.kind = DX_TARGET_GRASP;
	t.grasp = (enum dx_grasp)42;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), DX_EINVAL);
	t.grasp = DX_GRASP_POWER;
	t.force = -1;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), DX_EINVAL);
	ck_assert_int_eq(dx_hand_send(NULL, &t), DX_EINVAL);
	dx_hand_get_stats(r.hand, &st);
	ck_assert_uint_eq(st.targets_refused, 4);
	/* out-of-limit joint target: clamped to the limit, never beyond */
	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_JOINTS;
	t.mask = 1u << joint(&r, "index_j1");
	t.q[joint(&r, "index_j1")] = 10.0;
	run(&r, 100);
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 1200);
	ck_assert_double_le(js(&r, "index_j1").q_ref, 1.61);
	ck_assert_double_le(js(&r, "index_j1").q, 1.61 + 0.03);
	rig_down(&r);
}
END_TEST

START_TEST(test_no_allocation_in_cycle)
{
#ifdef ALLOC_COUNT
	struct hand_rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS, .mask = 0xffff};
	struct dx_hand_telemetry tel;

	rig_up(&r);
	run(&r, 100);
	for (int j = 1; j < 16; j += 4)
		t.q[j] = 0.4;
	alloc_count_n = 0;
	ALLOC_COUNT_SET(1);
	/* read/update/write, and the virtual drives and simbus in the same
	 * thread: none of them may allocate */
	for (int k = 0; k < 3000; k++) {
		if (k == 1000)
			dx_hand_send(r.hand, &t);
		cycle(&r, true);
		while (dx_hand_telemetry_pop(r.hand, &tel) == 0)
			;
	}
	ALLOC_COUNT_SET(0);
	ck_assert_uint_eq(r.clock_errors, 0);
	printf("allocations during 3000 cycles: %lu\n", alloc_count_n);
	for (int k = 0; k < ALLOC_COUNT_SITES && k < (int)alloc_count_n; k++) {
		Dl_info di;
		if (dladdr(alloc_count_site[k], &di) && di.dli_sname)
			printf("  from %s\n", di.dli_sname);
		else
			printf("  from %p (offset 0x%lx)\n", alloc_count_site[k],
			       (unsigned long)((char *)alloc_count_site[k] - (char *)di.dli_fbase));
	}
	ck_assert_uint_eq(alloc_count_n, 0);
	rig_down(&r);
#else
	printf("allocation counting is not possible under this sanitizer\n");
#endif
}
END_TEST

START_TEST(test_budget_refuses_full_bus)
{
	struct hand_rig r;
	struct dx_hand_config *cfg;
	struct dx_hand_config_error e;
	struct dx_hand *h = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	/* at 125 kbit/s a bus cannot carry two MIT drives at 1 kHz */
	write_config(&r, "bitrate: 1000000", "bitrate:  125000");
	rc = dx_hand_config_load(r.yaml, &cfg, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	struct dx_hand_opts o = {.no_transport = true};
	rc = dx_hand_init(&h, cfg, &o, &e);
	printf("%s\n", e.msg);
	ck_assert_int_eq(rc, DX_EBUDGET);
	ck_assert_ptr_null(h);
	ck_assert_str_eq(e.field, "buses[0]");
	ck_assert_int_gt(e.line, 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "could reach"));
	dx_hand_config_free(cfg);
	ck_assert_int_eq(hand_rig_remove(&r), 0);
}
END_TEST

/* Potential energy of the hand's links (centres of mass) in gravity g at
 * joint positions q (hand order), from FK of the URDF. */
static double potential(const struct dx_kin_model *m, struct dx_hand *h,
			const double *q, const double g[3])
{
	double qm[64] = {0}, v = 0;
	struct dx_kin_pose pose[64];
	unsigned nl = dx_kin_model_nlinks(m);

	for (unsigned j = 0; j < dx_hand_njoints(h); j++) {
		struct dx_kin_joint_info ji;
		ck_assert_int_eq(dx_kin_joint_get(m, dx_kin_joint_index(m,
					 dx_hand_joint_name(h, j)), &ji), 0);
		qm[ji.var] = q[j];
	}
	ck_assert_int_eq(dx_kin_fk_all(m, qm, pose), 0);
	for (unsigned l = 0; l < nl; l++) {
		struct dx_kin_inertial in;
		double c[3];
		if (dx_kin_link_inertial(m, (int)l, &in) || !(in.mass > 0))
			continue;
		for (int r = 0; r < 3; r++)
			c[r] = pose[l].p[r] + pose[l].R[3 * r] * in.origin.p[0] +
			       pose[l].R[3 * r + 1] * in.origin.p[1] +
			       pose[l].R[3 * r + 2] * in.origin.p[2];
		v -= in.mass * (g[0] * c[0] + g[1] * c[1] + g[2] * c[2]);
	}
	return v;
}

START_TEST(test_gravity_torques_match_energy_gradient)
{
	struct hand_rig r;
	struct dx_hand_config *cfg;
	struct dx_hand_config_error e;
	struct dx_hand *h;
	struct dx_hand_opts o = {.no_transport = true};
	struct dx_kin_model *m;
	struct dx_kin_error ke;
	static const double g[3] = {0.0, -9.81, -2.0}; /* palm tilted */
	double q[32], tau[32], worst = 0;
	unsigned nj;

	memset(&r, 0, sizeof(r));
	write_config(&r, NULL, NULL);
	ck_assert_int_eq(dx_hand_config_load(r.yaml, &cfg, &e), 0);
	ck_assert_int_eq(dx_hand_init(&h, cfg, &o, &e), 0);
	ck_assert_int_eq(dx_kin_model_load_file(cfg->urdf, &m, &ke), 0);
	ck_assert_int_eq(dx_hand_set_gravity(h, g), 0);
	nj = dx_hand_njoints(h);
	srand(7);
	for (int trial = 0; trial < 20; trial++) {
		for (unsigned j = 0; j < nj; j++)
			q[j] = 0.4 * ((double)rand() / RAND_MAX) +
			       (strstr(dx_hand_joint_name(h, j), "_j0") ? -0.2 : 0.1);
		ck_assert_int_eq(dx_hand_gravity_torques(h, q, tau), 0);
		/* holding torque = dV/dq (central differences, step 1e-6) */
		for (unsigned j = 0; j < nj; j++) {
			double qp[32], qn[32], d;
			memcpy(qp, q, sizeof(q));
			memcpy(qn, q, sizeof(q));
			qp[j] += 1e-6;
			qn[j] -= 1e-6;
			d = (potential(m, h, qp, g) - potential(m, h, qn, g)) / 2e-6;
			if (fabs(d - tau[j]) > worst)
				worst = fabs(d - tau[j]);
			dx_ck_near(tau[j], d, 1e-7);
		}
	}
	printf("gravity torques vs energy gradient: worst difference %.2e N*m\n",
	       worst);
	/* zero gravity turns compensation off */
	ck_assert_int_eq(dx_hand_set_gravity(h, (double[3]){0, 0, 0}), 0);
	{
		double bad[3] = {NAN, 0, 0};
		ck_assert_int_eq(dx_hand_set_gravity(h, bad), DX_ENOTFINITE);
	}
	dx_kin_model_free(m);
	dx_hand_free(h);
	dx_hand_config_free(cfg);
	ck_assert_int_eq(hand_rig_remove(&r), 0);
}
END_TEST

START_TEST(test_init_errors)
{
	struct hand_rig r;
	struct dx_hand_config *cfg;
	struct dx_hand_config_error e;
	struct dx_hand *h = NULL;
	struct dx_hand_opts o = {.no_transport = true};
	static const struct {
		const char *from, *to, *field, *needle;
	} cases[] = {
		{"joint: index_j2\n", "joint: index_j9\n", "actuators[2].joint",
		 "not listed"},
		{"model: dm-j4310\n    id: 3", "model: dm-x999\n    id: 3",
		 "actuators[2].model", "unknown mit model"},
		{"  - name: index_j0\n", "  - name: index_tip_joint\n",
		 "joints[0].name", "fixed"},
		{"link: index_distal", "link: no_such_link", "tactile[0].link",
		 "no link"},
		{"    id: 2\n", "    id: 1\n", "actuators[1].id", "already used"},
		/* link supervision limits (safety) */
		{"  temperature_warn: 70\n",
		 "  temperature_warn: 70\n  integrity_window: 65\n",
		 "safety.integrity_window", "[1, 64]"},
		{"  temperature_warn: 70\n",
		 "  temperature_warn: 70\n  integrity_cycles: 40\n",
		 "safety.integrity_cycles", "[1, integrity_window] = [1, 32]"},
		{"  temperature_warn: 70\n",
		 "  temperature_warn: 70\n  link_error_limit: 4\n",
		 "safety.link_error_limit", "[8, 1000000]"},
	};

	for (size_t i = 0; i < DX_ARRAY_SIZE(cases); i++) {
		int rc;
		memset(&r, 0, sizeof(r));
		write_config(&r, cases[i].from, cases[i].to);
		rc = dx_hand_config_load(r.yaml, &cfg, &e);
		if (rc == 0) {
			rc = dx_hand_init(&h, cfg, &o, &e);
			dx_hand_config_free(cfg);
		}
		printf("case %zu: %s\n", i, e.msg);
		ck_assert_int_ne(rc, 0);
		ck_assert_ptr_null(h);
		ck_assert_msg(strcmp(e.field, cases[i].field) == 0, "field %s want %s",
			      e.field, cases[i].field);
		ck_assert_int_gt(e.line, 0);
		ck_assert_ptr_nonnull(strstr(e.msg, cases[i].needle));
	}
	ck_assert_int_eq(hand_rig_remove(&r), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hand");
	TCase *tc = tcase_create("simbus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_init_errors);
	tcase_add_test(tc, test_gravity_torques_match_energy_gradient);
	tcase_add_test(tc, test_budget_refuses_full_bus);
	tcase_add_test(tc, test_comes_up_and_tracks);
	tcase_add_test(tc, test_joint_targets_planned_once);
	tcase_add_test(tc, test_fingertip_target);
	tcase_add_test(tc, test_unplugged_drive_damps_its_finger);
	tcase_add_test(tc, test_bad_targets_refused);
	tcase_add_test(tc, test_power_grasp_regulates_force);
	tcase_add_test(tc, test_no_allocation_in_cycle);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
