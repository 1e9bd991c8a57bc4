/* SPDX-License-Identifier: MIT */
/* The controller process of the bridge test: a two-joint hand
 * (tests/bridge/hand2.urdf) on a simbus bus with two virtual Damiao MIT
 * drives served by a runner thread, the hand cycling at 500 Hz on the
 * monotonic clock, and the DDS bridge on its own thread. Runs until SIGTERM
 * or RUN_S seconds, then prints its counters and final joint positions.
 * SIGUSR1 unplugs the drives (their runner stops answering), so the hand
 * loses the links and reports faults.
 *
 *   bridge-hand NAMESPACE DOMAIN RUN_S SRCDIR [TAP]
 *
 * With TAP, the telemetry the bridge drains is also taken through its
 * on_telemetry hook: the fingertip wrench of every sample the bridge
 * published on rt/NS/tip/wrench goes to TAP at exit, one line each:
 * STAMP_NS (wall clock, as the bridge stamps it) and the six values.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dexrt/bridge.h>
#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/hand.h>
#include <dexrt/rt.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>

static volatile sig_atomic_t quit, unplug;

static void on_usr1(int sig)
{
	(void)sig;
	unplug = 1;
}

static void on_term(int sig)
{
	(void)sig;
	quit = 1;
}

#include "hand2-yaml.h"

/* The tap, on the bridge's thread; written out after the bridge stops. */
#define TAP_MAX 20000
#define WRENCH_DIV 5
static struct {
	uint64_t n;
	unsigned len;
	long long t[TAP_MAX];
	float w[TAP_MAX][6];
} tap;

static void on_telemetry(void *user, const struct dx_hand_telemetry *t)
{
	struct timespec r, m;

	(void)user;
	/* the bridge counts drained samples from 1 and publishes every
	 * WRENCH_DIV-th: the same count here picks the same samples */
	if (++tap.n % WRENCH_DIV != 0 || tap.len >= TAP_MAX)
		return;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	tap.t[tap.len] = t->t_ns + ((long long)r.tv_sec - m.tv_sec) * 1000000000LL +
			 (r.tv_nsec - m.tv_nsec);
	memcpy(tap.w[tap.len], t->tip_wrench[0], sizeof(tap.w[0]));
	tap.len++;
}

static void write_tap(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	for (unsigned i = 0; i < tap.len; i++) {
		fprintf(f, "%lld", tap.t[i]);
		for (int k = 0; k < 6; k++)
			fprintf(f, " %.9g", (double)tap.w[i][k]);
		fprintf(f, "\n");
	}
	fclose(f);
}

static void *serve(void *ud)
{
	dx_vdrive_runner_run(ud);
	return NULL;
}

int main(int argc, char **argv)
{
	struct dx_hand_config *cfg = NULL;
	struct dx_hand_config_error e;
	struct dx_hand *hand = NULL;
	struct dx_bridge *br = NULL;
	struct dx_bridge_config bc = {0};
	struct dx_bridge_stats bs;
	struct dx_hand_stats hs;
	struct dx_can *dev = NULL;
	struct dx_vdrive drv[2];
	struct dx_vdrive_runner run;
	struct dx_rt_loop loop;
	struct dx_rt_loop_config lc = {.period_ns = 2 * DX_NS_PER_MS};
	struct dx_can_opts co = {.bitrate = 1000000};
	struct dx_simbus_opts so = {.clock = DX_SIMBUS_CLOCK_REAL};
	pthread_t th;
	char bus[64], yaml[4096];
	double run_s;
	uint64_t n;
	int rc, status = 1;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: bridge-hand NAMESPACE DOMAIN RUN_S SRCDIR [TAP]\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGUSR1, on_usr1);
	run_s = atof(argv[3]);
	snprintf(bus, sizeof(bus), "br%d", (int)getpid());
	if (hand2_yaml(argv[4], bus, yaml, sizeof(yaml)) != 0) {
		fprintf(stderr, "bridge-hand: cannot read %s/hand2.yaml\n", argv[4]);
		return 1;
	}
	rc = dx_hand_config_load_string(yaml, strlen(yaml), "bridge2.yaml",
					argv[4], &cfg, &e);
	if (rc) {
		fprintf(stderr, "bridge-hand: %s\n", e.msg);
		return 1;
	}
	rc = dx_simbus_open(&dev, bus, &co, &so);
	if (rc) {
		fprintf(stderr, "bridge-hand: simbus: %s\n", dx_strerror(rc));
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		struct dx_drive_desc d = {
			.proto = DX_DRIVE_MIT,
			.model = dx_mit_model_find("dm-j4310"),
			.id = (uint8_t)(i + 1),
			.master = (uint8_t)(i + 1 + 0x10),
		};
		if (dx_vdrive_init(&drv[i], &d) != 0) {
			fprintf(stderr, "bridge-hand: vdrive init\n");
			goto out;
		}
	}
	if (dx_vdrive_runner_init(&run, dev, drv, 2) != 0 ||
	    pthread_create(&th, NULL, serve, &run) != 0) {
		fprintf(stderr, "bridge-hand: runner\n");
		goto out;
	}
	rc = dx_hand_init(&hand, cfg, NULL, &e);
	if (rc) {
		fprintf(stderr, "bridge-hand: %s\n", e.msg);
		goto stop_runner;
	}
	bc.ns = argv[1];
	bc.domain = (uint32_t)atoi(argv[2]);
	bc.frame_id = "palm";
	bc.joint_state_div = 5;   /* 100 Hz at 500 Hz */
	bc.diag_div = 250;        /* bridge status at 2 Hz */
	bc.wrench_div = WRENCH_DIV;
	if (argc == 6)
		bc.on_telemetry = on_telemetry;
	rc = dx_bridge_create(&br, hand, cfg, &bc);
	if (rc) {
		fprintf(stderr, "bridge-hand: bridge: %s\n", dx_strerror(rc));
		goto stop_runner;
	}
	if (dx_bridge_start(br) != 0)
		goto stop_runner;
	printf("bridge-hand: up, publishing on %s\n",
	       dx_bridge_topic_name(br, DX_BRIDGE_JOINT_STATES));
	fflush(stdout);

	/* the cycle: nothing but the hand's own calls on this thread */
	dx_rt_loop_init(&loop, &lc);
	n = (uint64_t)(run_s * 500.0);
	for (uint64_t k = 0; k < n && !quit; k++) {
		struct timespec ts;

		if (unplug == 1) {
			dx_vdrive_runner_stop(&run);
			unplug = 2;
		}

		dx_rt_loop_wait(&loop);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		dx_hand_cycle(hand, (int64_t)ts.tv_sec * DX_NS_PER_S + ts.tv_nsec);
	}
	dx_bridge_stop(br);
	if (argc == 6)
		write_tap(argv[5]);
	dx_hand_get_stats(hand, &hs);
	dx_bridge_get_stats(br, &bs);
	printf("bridge-hand: cycles=%llu applied=%llu refused=%llu accepted=%llu "
	       "rejected=%llu ring_full=%llu joint_states=%llu diagnostics=%llu "
	       "faults=%llu overruns=%llu wrenches=%llu",
	       (unsigned long long)hs.cycles,
	       (unsigned long long)hs.targets_applied,
	       (unsigned long long)hs.targets_refused,
	       (unsigned long long)bs.commands_accepted,
	       (unsigned long long)bs.commands_rejected,
	       (unsigned long long)bs.ring_full,
	       (unsigned long long)bs.joint_states,
	       (unsigned long long)bs.diagnostics,
	       (unsigned long long)bs.faults,
	       (unsigned long long)loop.overruns,
	       (unsigned long long)bs.wrenches);
	for (unsigned j = 0; j < dx_hand_njoints(hand); j++) {
		struct dx_hand_joint_state s;

		dx_hand_joint_state(hand, j, &s);
		printf(" %s=%.4f", dx_hand_joint_name(hand, j), s.q);
	}
	printf("\n");
	status = 0;
stop_runner:
	dx_vdrive_runner_stop(&run);
	pthread_join(th, NULL);
out:
	dx_bridge_free(br);
	dx_hand_free(hand);
	if (dev) {
		dx_can_close(dev);
		dx_simbus_unlink(bus);
	}
	dx_hand_config_free(cfg);
	return status;
}
