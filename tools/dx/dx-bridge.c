/* SPDX-License-Identifier: MIT */
/* dx bridge CONFIG: runs a hand's control cycle and the DDS bridge beside
 * it, so ROS 2 nodes (rmw_cyclonedds_cpp) see its joint states and
 * diagnostics and can command it. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <dexrt/core.h>
#include <dexrt/hand.h>
#include <dexrt/rt.h>

#ifdef DX_HAVE_DDS_BRIDGE
#include <dexrt/bridge.h>
#endif

#include "dx.h"

static int usage(FILE *f)
{
	fprintf(f,
		"usage: dx bridge CONFIG.yaml [options]\n"
		"Runs the hand of CONFIG (its buses, drives and pads) at its\n"
		"control period and the DDS bridge on its own thread, until\n"
		"Ctrl-C. Topics (NS: --ns):\n"
		"  rt/NS/joint_states   sensor_msgs/JointState   out\n"
		"  rt/NS/TIP/wrench     geometry_msgs/WrenchStamped out, per fingertip\n"
		"  rt/diagnostics       diagnostic_msgs/DiagnosticArray out\n"
		"  rt/NS/joint_command  sensor_msgs/JointState   in (positions)\n"
		"  rt/NS/grasp_command  dexrt/GraspCommand       in\n"
		"  rt/NS/joint_trajectory trajectory_msgs/JointTrajectory in\n"
		"A ROS 2 machine sees them as /NS/joint_states and so on with\n"
		"RMW_IMPLEMENTATION=rmw_cyclonedds_cpp on the same DDS domain.\n"
		"Cyclone's own settings come from CYCLONEDDS_URI. Defaults come\n"
		"from CONFIG's bridge: section (see docs/bridge.md); options\n"
		"override them.\n"
		"  --ns NS         namespace (default: the hand's name)\n"
		"  --domain N      DDS domain id (default: Cyclone's, usually 0)\n"
		"  --rate HZ       joint state and wrench rate (default 100)\n"
		"  --frame ID      joint states' header.frame_id (default: none)\n"
		"  --no-commands   publish only\n"
		"  --seconds S     stop after S seconds (default: until Ctrl-C)\n"
		"  --rt PRIO       SCHED_FIFO priority of the cycle (1-99)\n");
	return f == stdout ? 0 : 2;
}

#ifndef DX_HAVE_DDS_BRIDGE
int dx_cmd_bridge(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	fprintf(stderr, "dx bridge: this dx was built without Cyclone DDS "
			"(meson option dds; Debian: cyclonedds-dev)\n");
	return 1;
}
#else

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_stats(const struct dx_bridge *b, const char *what)
{
	struct dx_bridge_stats s;

	dx_bridge_get_stats(b, &s);
	printf("%s: telemetry %llu, joint_states %llu, diagnostics %llu, "
	       "faults %llu, commands %llu accepted %llu rejected %llu dropped\n",
	       what, (unsigned long long)s.telemetry,
	       (unsigned long long)s.joint_states,
	       (unsigned long long)s.diagnostics, (unsigned long long)s.faults,
	       (unsigned long long)s.commands_accepted,
	       (unsigned long long)s.commands_rejected,
	       (unsigned long long)s.ring_full);
	fflush(stdout);
}

int dx_cmd_bridge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ns", required_argument, NULL, 'n'},
		{"domain", required_argument, NULL, 'd'},
		{"rate", required_argument, NULL, 'R'},
		{"frame", required_argument, NULL, 'f'},
		{"no-commands", no_argument, NULL, 'C'},
		{"seconds", required_argument, NULL, 's'},
		{"rt", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dx_bridge_config bc;
	const char *ns = NULL, *frame = NULL;
	bool no_commands = false, have_domain = false;
	struct dx_hand_config *cfg = NULL;
	struct dx_hand_config_error e;
	struct dx_hand *h = NULL;
	struct dx_bridge *b = NULL;
	static struct dx_rt_loop loop;
	struct dx_rt_loop_config lc = {0};
	double rate = 0.0, seconds = 0.0, ctl_hz;
	uint32_t prio = 0, domain;
	int64_t t0, last = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ns = optarg;
			break;
		case 'd':
			if (dx_tool_parse_u32(optarg, "--domain", 0, 232, &domain))
				return 2;
			have_domain = true;
			break;
		case 'R':
			if (dx_tool_parse_double(optarg, "--rate", &rate) ||
			    !(rate > 0))
				return dx_tool_usage("bridge", "--rate must be > 0");
			break;
		case 'f':
			frame = optarg;
			break;
		case 'C':
			no_commands = true;
			break;
		case 's':
			if (dx_tool_parse_double(optarg, "--seconds", &seconds) ||
			    seconds < 0)
				return 2;
			break;
		case 'r':
			if (dx_tool_parse_u32(optarg, "--rt", 1, 99, &prio))
				return 2;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return dx_tool_usage("bridge", "needs exactly one CONFIG");
	rc = dx_hand_config_load(argv[optind], &cfg, &e);
	if (rc) {
		fprintf(stderr, "dx bridge: %s\n", e.msg);
		return 1;
	}
	dx_bridge_config_from_hand(cfg, &bc);
	if (ns)
		bc.ns = ns;
	if (have_domain)
		bc.domain = domain;
	if (frame)
		bc.frame_id = frame;
	if (no_commands)
		bc.topics &= ~(uint32_t)(DX_BRIDGE_JOINT_COMMAND |
					 DX_BRIDGE_GRASP_COMMAND |
					 DX_BRIDGE_JOINT_TRAJECTORY);
	ctl_hz = 1e6 / (double)cfg->period_us;
	if (rate > 0) {
		bc.joint_state_div = (unsigned)fmax(1.0, floor(ctl_hz / rate + 0.5));
		bc.wrench_div = bc.joint_state_div;
	}
	rc = dx_hand_init(&h, cfg, NULL, &e);
	if (rc) {
		fprintf(stderr, "dx bridge: %s\n", e.msg);
		dx_hand_config_free(cfg);
		return 1;
	}
	rc = dx_bridge_create(&b, h, cfg, &bc);
	if (rc == 0)
		rc = dx_bridge_start(b);
	if (rc) {
		fprintf(stderr, "dx bridge: DDS: %s%s\n", dx_strerror(rc),
			rc == DX_EINVAL ? " (namespace: letters, digits, '_', inner '/')" : "");
		dx_bridge_free(b);
		dx_hand_free(h);
		dx_hand_config_free(cfg);
		return 1;
	}
	printf("dx bridge: %s at %.0f Hz, joint states at %.1f Hz on %s\n",
	       cfg->name, ctl_hz, ctl_hz / bc.joint_state_div,
	       (bc.topics & DX_BRIDGE_JOINT_STATES)
		       ? dx_bridge_topic_name(b, DX_BRIDGE_JOINT_STATES)
		       : "(off)");
	for (unsigned k = 0; dx_bridge_wrench_topic_name(b, k); k++)
		printf("dx bridge: wrenches of %s at %.1f Hz on %s\n",
		       dx_hand_tip_name(h, k), ctl_hz / bc.wrench_div,
		       dx_bridge_wrench_topic_name(b, k));
	fflush(stdout);
	if (prio) {
		int err = dx_rt_set_fifo((int)prio);
		if (err)
			fprintf(stderr, "dx bridge: SCHED_FIFO %u: %s (running without)\n",
				prio, dx_strerror(err));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	lc.period_ns = (int64_t)cfg->period_us * DX_NS_PER_US;
	dx_rt_loop_init(&loop, &lc);
	t0 = dx_time_now_ns();
	/* this thread is the cycle: it never touches DDS */
	while (!stop) {
		int64_t now;

		dx_rt_loop_wait(&loop);
		now = dx_time_now_ns();
		dx_hand_cycle(h, now);
		if (seconds > 0 && now - t0 >= (int64_t)(seconds * 1e9))
			break;
		if (now - last >= DX_NS_PER_S) {
			last = now;
			print_stats(b, "dx bridge");
		}
	}
	dx_bridge_stop(b);
	print_stats(b, "dx bridge: final");
	dx_bridge_free(b);
	dx_hand_free(h);
	dx_hand_config_free(cfg);
	return 0;
}
#endif
