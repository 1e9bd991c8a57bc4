/* SPDX-License-Identifier: MIT */
/* The hand runtime over real SocketCAN (vcan0, vcan1 inside the
 * user-mode-linux VM of tests/vcan/run-in-vm): two fingers of hand16, one
 * per bus, eight virtual MIT drives answering from runner threads, the
 * controller on CLOCK_MONOTONIC with absolute deadlines at 50 Hz in
 * impedance mode (the drives close the position loop; the VM has one slow
 * CPU whose scheduling jitter reaches tens of milliseconds). Checks: the hand comes up and tracks joint targets;
 * a drive that stops answering puts its finger into damping stop within
 * the configured misses while the other finger keeps tracking; recovery
 * needs a command. Outside the VM (no vcan0) the program is skipped. */
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/hand.h>
#include <dexrt/sim.h>

#include "dx-check.h"
#include "vcan-hand.h"

#define PERIOD_US 20000
#define LOSS 10


struct rig {
	char dir[64];
	struct dx_hand_config *cfg;
	struct dx_hand *hand;
	struct dx_can *dev[2];
	struct dx_vdrive drives[2][4];
	struct dx_vdrive_runner runner[2];
	pthread_t th[2];
	int64_t t;
};

static void *serve(void *arg)
{
	dx_vdrive_runner_run(arg);
	return NULL;
}

static void rig_up(struct rig *r)
{
	struct dx_hand_config_error e;
	char path[256], safety[64];
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(safety, sizeof(safety), "link_loss_cycles: %d", LOSS);
	vcan_hand_config(r->dir, sizeof(r->dir), "hand-vcan", PERIOD_US, 18000,
			 safety);
	snprintf(path, sizeof(path), "%s/hand.yaml", r->dir);
	rc = dx_hand_config_load(path, &r->cfg, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	for (int b = 0; b < 2; b++) {
		struct dx_can_opts co = {.fd = true};
		char name[32];
		snprintf(name, sizeof(name), "socketcan:vcan%d", b);
		ck_assert_int_eq(dx_can_open(&r->dev[b], name, &co), 0);
		for (int i = 0; i < 4; i++) {
			struct dx_drive_desc d = {
				.proto = DX_DRIVE_MIT,
				.model = dx_mit_model_find("dm-j4310"),
				.id = (uint8_t)(i + 1),
				.master = (uint8_t)(i + 1 + 0x10),
			};
			ck_assert_int_eq(dx_vdrive_init(&r->drives[b][i], &d), 0);
		}
		ck_assert_int_eq(dx_vdrive_runner_init(&r->runner[b], r->dev[b],
						       r->drives[b], 4), 0);
		ck_assert_int_eq(pthread_create(&r->th[b], NULL, serve,
						&r->runner[b]), 0);
	}
	rc = dx_hand_init(&r->hand, r->cfg, NULL, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	r->t = dx_time_now_ns();
}

static void rig_down(struct rig *r)
{
	char cmd[128];

	dx_hand_free(r->hand);
	for (int b = 0; b < 2; b++) {
		dx_vdrive_runner_stop(&r->runner[b]);
		pthread_join(r->th[b], NULL);
		dx_can_close(r->dev[b]);
	}
	dx_hand_config_free(r->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
}

static void run(struct rig *r, unsigned n)
{
	struct dx_hand_telemetry tel;

	for (unsigned k = 0; k < n; k++) {
		struct timespec ts;
		r->t += PERIOD_US * DX_NS_PER_US;
		ts = dx_ns_to_timespec(r->t);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		dx_hand_cycle(r->hand, dx_time_now_ns());
		while (dx_hand_telemetry_pop(r->hand, &tel) == 0)
			;
	}
}

static struct dx_hand_joint_state js(const struct rig *r, const char *name)
{
	struct dx_hand_joint_state s;
	for (unsigned j = 0; j < dx_hand_njoints(r->hand); j++)
		if (strcmp(dx_hand_joint_name(r->hand, j), name) == 0) {
			dx_hand_joint_state(r->hand, j, &s);
			return s;
		}
	ck_abort_msg("no joint %s", name);
	return s;
}

START_TEST(test_track_and_unplug)
{
	struct rig r;
	struct dx_hand_target t = {.kind = DX_TARGET_JOINTS, .mask = 0xff};
	struct dx_hand_fault f;
	unsigned cycles = 0;
	bool damped = false;

	rig_up(&r);
	ck_assert_int_eq(dx_hand_njoints(r.hand), 8);
	run(&r, 25);
	while (dx_hand_fault_pop(r.hand, &f) == 0)
		printf("fault at cycle %llu: joint %d %s (%s, %g)\n",
		       (unsigned long long)f.cycle, f.joint,
		       dx_hand_reaction_name(f.reaction), dx_hand_cause_name(f.cause),
		       f.value);
	fflush(stdout);
	for (unsigned j = 0; j < 8; j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r.hand, j, &s);
		ck_assert_msg(s.valid, "no feedback for %s", dx_hand_joint_name(r.hand, j));
		ck_assert_int_eq(s.reaction, DX_REACT_NONE);
		t.q[j] = j % 4 == 0 ? 0.2 : 0.5;
	}
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 150); /* 3 s */
	for (unsigned j = 0; j < 8; j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r.hand, j, &s);
		printf("%-9s q %.4f (target %.2f) %s %s\n", dx_hand_joint_name(r.hand, j),
		       s.q, t.q[j], dx_hand_reaction_name(s.reaction),
		       dx_hand_cause_name(s.cause));
		fflush(stdout);
		dx_ck_near(s.q, t.q[j], 0.05);
	}
	while (dx_hand_fault_pop(r.hand, &f) == 0)
		;
	__atomic_store_n(&r.drives[0][2].mute, true, __ATOMIC_SEQ_CST);
	while (!damped && cycles < 30) {
		run(&r, 1);
		cycles++;
		damped = js(&r, "index_j2").reaction == DX_REACT_DAMP;
	}
	printf("over vcan: damping stop %u cycles after the drive went silent "
	       "(link lost after %d misses)\n", cycles, LOSS);
	ck_assert(damped);
	ck_assert_uint_le(cycles, LOSS + 2);
	ck_assert_int_eq(js(&r, "index_j2").cause, DX_CAUSE_LINK_LOST);
	ck_assert_int_eq(js(&r, "index_j1").reaction, DX_REACT_DAMP);
	ck_assert_int_eq(js(&r, "thumb_j2").reaction, DX_REACT_NONE);
	run(&r, 25);
	dx_ck_near(js(&r, "thumb_j2").q, 0.5, 0.05);
	__atomic_store_n(&r.drives[0][2].mute, false, __ATOMIC_SEQ_CST);
	run(&r, 10);
	ck_assert_int_eq(js(&r, "index_j2").reaction, DX_REACT_DAMP);
	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_RECOVER;
	ck_assert_int_eq(dx_hand_send(r.hand, &t), 0);
	run(&r, 10);
	ck_assert_int_eq(js(&r, "index_j2").reaction, DX_REACT_NONE);
	rig_down(&r);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	if (if_nametoindex("vcan0") == 0 || if_nametoindex("vcan1") == 0)
		dx_test_skip("no vcan0/vcan1 here (runs inside tests/vcan/run-in-vm)");
	s = suite_create("hand-vcan");
	tc = tcase_create("vcan");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_track_and_unplug);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
