/* SPDX-License-Identifier: MIT */
/* dx hand: check a configuration, run the cycle with a live status, grasp. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/hand.h>
#include <dexrt/rt.h>

#ifdef DX_HAVE_DDS_BRIDGE
#include <dexrt/bridge.h>
#endif

#include "dx.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(FILE *out)
{
	fprintf(out,
		"usage: dx hand check CONFIG\n"
		"       dx hand run CONFIG [--seconds S] [--rt PRIO] [--quiet] [--dds]\n"
		"       dx hand grasp CONFIG power|pinch|tripod|release [--force N]\n"
		"                [--seconds S]\n"
		"\n"
		"check  loads and validates CONFIG (hand.yaml) and its URDF, resolves\n"
		"       the drive models and prints the bus budget: frames per cycle,\n"
		"       load at the configured period and the highest feasible rate.\n"
		"       Opens no bus.\n"
		"run    opens the buses and runs the read/update/write cycle at the\n"
		"       configured period (absolute deadlines on CLOCK_MONOTONIC),\n"
		"       printing a live joint table, contacts, faults and cycle-time\n"
		"       percentiles; Ctrl-C stops it. --rt PRIO asks for SCHED_FIFO\n"
		"       and locked memory (reported when not permitted). --dds also\n"
		"       runs the DDS bridge on its own thread with the settings of\n"
		"       CONFIG's bridge: section (see dx bridge --help).\n"
		"grasp  runs the cycle, homes, performs the grasp primitive (grip\n"
		"       force --force N per finger, default 2) and reports it.\n");
	return out == stderr ? 2 : 0;
}

static int load(const char *path, struct dx_hand_config **cfg,
		struct dx_hand **h, bool open_buses)
{
	struct dx_hand_config_error e;
	struct dx_hand_opts o = {.no_transport = !open_buses};
	int rc;

	rc = dx_hand_config_load(path, cfg, &e);
	if (rc) {
		fprintf(stderr, "dx hand: %s\n", e.msg);
		return rc;
	}
	rc = dx_hand_init(h, *cfg, &o, &e);
	if (rc) {
		fprintf(stderr, "dx hand: %s\n", e.msg[0] ? e.msg : dx_strerror(rc));
		dx_hand_config_free(*cfg);
		*cfg = NULL;
	}
	return rc;
}

static void print_budget(const struct dx_hand *h)
{
	printf("%-16s %8s %8s %12s  %s\n", "bus", "frames", "load", "max rate",
	       "fits");
	for (unsigned b = 0; b < dx_hand_nbuses(h); b++) {
		struct dx_hand_bus_report r;
		dx_hand_bus_report(h, b, &r);
		printf("%-16s %8u %7.1f%% %9.0f Hz  %s\n", r.name,
		       r.frames_per_cycle, r.load * 100, r.max_rate_hz,
		       r.fits ? "yes" : "NO");
	}
}

static int cmd_check(const char *path)
{
	struct dx_hand_config *cfg;
	struct dx_hand *h;

	if (load(path, &cfg, &h, false))
		return 1;
	printf("%s: hand '%s', %u joints, %u actuators, %u buses, %u pads, "
	       "period %u us (%.0f Hz)\n",
	       path, cfg->name, dx_hand_njoints(h), cfg->actuators_count,
	       cfg->buses_count, cfg->pads_count, cfg->period_us,
	       1e6 / cfg->period_us);
	printf("fingertips:");
	for (unsigned t = 0; t < dx_hand_ntips(h); t++)
		printf(" %s", dx_hand_tip_name(h, t));
	printf("\n");
	print_budget(h);
	printf("configuration OK\n");
	dx_hand_free(h);
	dx_hand_config_free(cfg);
	return 0;
}

struct runner {
	struct dx_hand *h;
	const struct dx_hand_config *cfg;
	bool quiet;
	int64_t last_print;
	uint64_t faults;
	struct dx_hand_fault last_fault;
	bool have_fault;
	bool warned;
	struct dx_hand_telemetry tel; /* latest sample */
	bool have_tel;
	/* with --dds the bridge drains the rings on its thread and hands
	 * the records over here, under this lock */
	bool bridged;
	pthread_mutex_t lock;
};

static void status(struct runner *r, const struct dx_rt_loop *loop, bool final)
{
	struct dx_hist_summary lat, dur;
	struct dx_hand_stats st;

	dx_hist_summarize(&loop->latency, &lat);
	dx_hist_summarize(&loop->duration, &dur);
	dx_hand_get_stats(r->h, &st);
	if (r->bridged)
		pthread_mutex_lock(&r->lock);
	if (!final && isatty(STDOUT_FILENO))
		printf("\033[H\033[J");
	printf("hand %s  cycle %llu  overruns %llu  missed %llu  replies missed %llu\n",
	       r->cfg->name, (unsigned long long)loop->cycles,
	       (unsigned long long)loop->overruns,
	       (unsigned long long)loop->missed,
	       (unsigned long long)st.replies_missed);
	printf("wake-up latency us: p50 %.1f p99 %.1f max %.1f | update us: p50 %.2f p99 %.2f max %.2f\n",
	       lat.p50 / 1e3, lat.p99 / 1e3, lat.max / 1e3, st.update_ns.p50 / 1e3,
	       st.update_ns.p99 / 1e3, st.update_ns.max / 1e3);
	printf("%-12s %9s %9s %9s %9s %7s  %s\n", "joint", "q", "q_ref", "tau",
	       "tau_cmd", "temp", "state");
	for (unsigned j = 0; j < dx_hand_njoints(r->h); j++) {
		struct dx_hand_joint_state s;
		dx_hand_joint_state(r->h, j, &s);
		printf("%-12s %9.4f %9.4f %9.4f %9.4f %7.1f  %s%s%s\n",
		       dx_hand_joint_name(r->h, j), s.q, s.q_ref, s.tau, s.tau_cmd,
		       s.temp_c, s.valid ? dx_hand_reaction_name(s.reaction)
					 : "no feedback",
		       s.cause ? " / " : "", s.cause ? dx_hand_cause_name(s.cause) : "");
	}
	if (r->have_tel) {
		printf("%-12s %9s %8s %6s  %s\n", "fingertip", "force N", "contact",
		       "slip", "grasp");
		for (unsigned k = 0; k < dx_hand_ntips(r->h); k++) {
			static const char *const ph[] = {"idle", "closing", "holding",
							  "releasing"};
			unsigned p = r->tel.grasp_phase[k];
			printf("%-12s %9.3f %8s %6s  %s\n", dx_hand_tip_name(r->h, k),
			       r->tel.tip_force[k],
			       (r->tel.contact_mask >> k & 1) ? "yes" : "no",
			       (r->tel.slip_mask >> k & 1) ? "SLIP" : "-",
			       p < 4 ? ph[p] : "?");
		}
	}
	printf("faults: %llu", (unsigned long long)r->faults);
	if (r->have_fault)
		printf(" (last: joint %d %s, %s)", r->last_fault.joint,
		       dx_hand_reaction_name(r->last_fault.reaction),
		       dx_hand_cause_name(r->last_fault.cause));
	printf("\n");
	if (r->bridged)
		pthread_mutex_unlock(&r->lock);
	(void)dur;
	fflush(stdout);
}

static void drain(struct runner *r)
{
	struct dx_hand_fault f;
	struct dx_hand_telemetry t;

	if (r->bridged) /* the bridge is the rings' consumer */
		return;
	while (dx_hand_fault_pop(r->h, &f) == 0) {
		r->faults++;
		r->last_fault = f;
		r->have_fault = true;
	}
	while (dx_hand_telemetry_pop(r->h, &t) == 0) {
		r->tel = t;
		r->have_tel = true;
	}
}

/* Runs the cycle for @p seconds (0: until Ctrl-C); @p at calls @p fn with
 * the elapsed time so callers can send targets. */
static int run_loop(struct runner *r, double seconds,
		    void (*fn)(struct runner *, double), struct dx_rt_loop *loop)
{
	struct dx_rt_loop_config lc = {
		.period_ns = (int64_t)r->cfg->period_us * DX_NS_PER_US,
	};
	int64_t t0;

	dx_rt_loop_init(loop, &lc);
	t0 = dx_time_now_ns();
	while (!stop) {
		int64_t now;
		dx_rt_loop_wait(loop);
		now = dx_time_now_ns();
		dx_hand_cycle(r->h, now);
		if (fn)
			fn(r, (double)(now - t0) * 1e-9);
		drain(r);
		if (!r->warned && now - t0 > DX_NS_PER_S) {
			/* a second without a single reply: say what is wrong */
			r->warned = true;
			for (unsigned j = 0; j < dx_hand_njoints(r->h); j++) {
				struct dx_hand_joint_state s;
				dx_hand_joint_state(r->h, j, &s);
				if (!s.valid) {
					fprintf(stderr,
						"dx hand: no feedback for joint %s after 1 s: "
						"is its drive (or the simulated hand, dx sim) running "
						"on its bus?\n",
						dx_hand_joint_name(r->h, j));
					break;
				}
			}
		}
		if (seconds > 0 && now - t0 >= (int64_t)(seconds * 1e9))
			break;
		if (!r->quiet && now - r->last_print > 200 * DX_NS_PER_MS) {
			r->last_print = now;
			status(r, loop, false);
		}
	}
	return 0;
}

#ifdef DX_HAVE_DDS_BRIDGE
/* On the bridge's thread. */
static void bridged_telemetry(void *user, const struct dx_hand_telemetry *t)
{
	struct runner *r = user;

	pthread_mutex_lock(&r->lock);
	r->tel = *t;
	r->have_tel = true;
	pthread_mutex_unlock(&r->lock);
}

static void bridged_fault(void *user, const struct dx_hand_fault *f)
{
	struct runner *r = user;

	pthread_mutex_lock(&r->lock);
	r->faults++;
	r->last_fault = *f;
	r->have_fault = true;
	pthread_mutex_unlock(&r->lock);
}

static int start_bridge(struct runner *r, struct dx_bridge **out)
{
	struct dx_bridge_config bc;
	struct dx_bridge *b = NULL;
	int rc;

	dx_bridge_config_from_hand(r->cfg, &bc);
	bc.on_telemetry = bridged_telemetry;
	bc.on_fault = bridged_fault;
	bc.user = r;
	rc = dx_bridge_create(&b, r->h, r->cfg, &bc);
	if (rc == 0)
		rc = dx_bridge_start(b);
	if (rc) {
		fprintf(stderr, "dx hand: DDS bridge: %s\n", dx_strerror(rc));
		dx_bridge_free(b);
		return rc;
	}
	printf("dx hand: DDS bridge up: %s, %u wrench topics (%s...), "
	       "rt/diagnostics\n",
	       dx_bridge_topic_name(b, DX_BRIDGE_JOINT_STATES)
		       ? dx_bridge_topic_name(b, DX_BRIDGE_JOINT_STATES)
		       : "no joint states",
	       dx_hand_ntips(r->h) * !!dx_bridge_wrench_topic_name(b, 0),
	       dx_bridge_wrench_topic_name(b, 0) ? dx_bridge_wrench_topic_name(b, 0)
						 : "none");
	fflush(stdout);
	*out = b;
	return 0;
}
#endif

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"rt", required_argument, NULL, 'r'},
		{"quiet", no_argument, NULL, 'q'},
		{"dds", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dx_hand_config *cfg;
	struct runner r = {0};
	static struct dx_rt_loop loop;
	double seconds = 0;
	uint32_t prio = 0;
	bool dds = false;
	int c;
#ifdef DX_HAVE_DDS_BRIDGE
	struct dx_bridge *bridge = NULL;
#endif

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:r:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (dx_tool_parse_double(optarg, "--seconds", &seconds) ||
			    seconds < 0)
				return 2;
			break;
		case 'r':
			if (dx_tool_parse_u32(optarg, "--rt", 1, 99, &prio))
				return 2;
			break;
		case 'q':
			r.quiet = true;
			break;
		case 'D':
			dds = true;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind + 1 != argc)
		return dx_tool_usage("hand", "run needs exactly one CONFIG");
#ifndef DX_HAVE_DDS_BRIDGE
	if (dds) {
		fprintf(stderr, "dx hand: --dds: this dx was built without Cyclone "
				"DDS (meson option dds; Debian: cyclonedds-dev)\n");
		return 1;
	}
#endif
	if (load(argv[optind], &cfg, &r.h, true))
		return 1;
	r.cfg = cfg;
#ifdef DX_HAVE_DDS_BRIDGE
	if (dds) {
		pthread_mutex_init(&r.lock, NULL);
		r.bridged = true;
		if (start_bridge(&r, &bridge)) {
			dx_hand_free(r.h);
			dx_hand_config_free(cfg);
			return 1;
		}
	}
#endif
	if (prio) {
		int e = dx_rt_set_fifo((int)prio);
		if (e)
			fprintf(stderr, "dx hand: SCHED_FIFO %u: %s (running without)\n",
				prio, dx_strerror(e));
		e = dx_rt_lock_memory();
		if (e)
			fprintf(stderr, "dx hand: mlockall: %s\n", dx_strerror(e));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	run_loop(&r, seconds, NULL, &loop);
#ifdef DX_HAVE_DDS_BRIDGE
	if (bridge) {
		struct dx_bridge_stats bs;

		dx_bridge_stop(bridge);
		dx_bridge_get_stats(bridge, &bs);
		status(&r, &loop, true);
		printf("dds: telemetry %llu, joint_states %llu, wrenches %llu, "
		       "diagnostics %llu, commands %llu accepted %llu rejected\n",
		       (unsigned long long)bs.telemetry,
		       (unsigned long long)bs.joint_states,
		       (unsigned long long)bs.wrenches,
		       (unsigned long long)bs.diagnostics,
		       (unsigned long long)bs.commands_accepted,
		       (unsigned long long)bs.commands_rejected);
		dx_bridge_free(bridge);
		pthread_mutex_destroy(&r.lock);
	} else
#endif
		status(&r, &loop, true);
	dx_hand_free(r.h);
	dx_hand_config_free(cfg);
	return 0;
}

struct grasp_plan {
	enum dx_grasp g;
	double force;
	int step;
};
static struct grasp_plan plan;

static void grasp_steps(struct runner *r, double t)
{
	struct dx_hand_target tg;

	memset(&tg, 0, sizeof(tg));
	if (plan.step == 0 && t > 0.2) {
		tg.kind = DX_TARGET_HOME;
		dx_hand_send(r->h, &tg);
		plan.step = 1;
	} else if (plan.step == 1 && t > 1.5) {
		tg.kind = DX_TARGET_GRASP;
		tg.grasp = plan.g;
		tg.force = plan.force;
		dx_hand_send(r->h, &tg);
		plan.step = 2;
	}
}

static int cmd_grasp(int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", required_argument, NULL, 'f'},
		{"seconds", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const names[] = {"release", "power", "pinch", "tripod"};
	struct dx_hand_config *cfg;
	struct runner r = {.quiet = true};
	static struct dx_rt_loop loop;
	double seconds = 4.0;
	int c, g = -1;

	plan.force = 2.0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (dx_tool_parse_double(optarg, "--force", &plan.force) ||
			    plan.force <= 0)
				return 2;
			break;
		case 's':
			if (dx_tool_parse_double(optarg, "--seconds", &seconds) ||
			    seconds <= 0)
				return 2;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind + 2 != argc)
		return dx_tool_usage("hand", "grasp needs CONFIG and a primitive");
	for (int k = 0; k < 4; k++)
		if (strcmp(argv[optind + 1], names[k]) == 0)
			g = k;
	if (g < 0)
		return dx_tool_usage("hand",
				     "primitive must be power, pinch, tripod or release");
	plan.g = (enum dx_grasp)g;
	if (load(argv[optind], &cfg, &r.h, true))
		return 1;
	r.cfg = cfg;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	run_loop(&r, seconds, grasp_steps, &loop);
	status(&r, &loop, true);
	dx_hand_free(r.h);
	dx_hand_config_free(cfg);
	return 0;
}

int dx_cmd_hand(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return usage(argc < 2 ? stderr : stdout);
	if (strcmp(argv[1], "check") == 0) {
		if (argc != 3)
			return dx_tool_usage("hand", "check needs exactly one CONFIG");
		return cmd_check(argv[2]);
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "grasp") == 0)
		return cmd_grasp(argc - 1, argv + 1);
	return dx_tool_usage("hand", "unknown subcommand (check, run, grasp)");
}
