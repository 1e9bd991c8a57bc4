/* SPDX-License-Identifier: MIT */
/* dx sim CONFIG.yaml: the simulated hand of a hand configuration as its own
 * process, on the configuration's buses, until interrupted. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dexrt/core.h>
#include <dexrt/hand.h>
#include <dexrt/rt.h>
#include <dexrt/version.h>

#if DX_HAVE_MUJOCO
#include <dexrt/simhand.h>
#endif

#include "dx.h"

static int usage(void)
{
	printf("usage: dx sim CONFIG.yaml [--scene MJCF] [--realtime] [--status]\n"
	       "       dx sim CONFIG.yaml --unlink\n"
	       "Runs the simulated hand of a hand configuration: a virtual drive\n"
	       "for every actuator and a virtual pad for every tactile pad on the\n"
	       "configured buses (simbus names, or SocketCAN interfaces as\n"
	       "written), with MuJoCo physics behind them, on the monotonic\n"
	       "clock, until Ctrl-C. A controller on the same buses (dx hand, or\n"
	       "your program) sees what it would see of a real hand.\n"
	       "  --scene MJCF  MuJoCo scene (default: mjcf/<name>.xml next to\n"
	       "                the configuration)\n"
	       "  --realtime    SCHED_FIFO priority 80 and locked memory (root or\n"
	       "                CAP_SYS_NICE / CAP_IPC_LOCK)\n"
	       "  --status      print the objects' state every second\n"
	       "  --unlink      remove the configuration's simbus buses (after a\n"
	       "                crash) and exit\n");
	return 0;
}

#if DX_HAVE_MUJOCO
static struct dx_simhand *g_sim;

static void on_signal(int sig)
{
	(void)sig;
	if (g_sim)
		dx_simhand_stop(g_sim);
}

struct serve {
	struct dx_simhand *sim;
	int rc;
	volatile int done;
};

static void *serve_main(void *ud)
{
	struct serve *sv = ud;

	sv->rc = dx_simhand_run(sv->sim);
	sv->done = 1;
	return NULL;
}
#endif

int dx_sim_hand_cmd(int argc, char **argv)
{
	const char *path = NULL, *scene = NULL;
	bool realtime = false, unlink_only = false, status = false;
	struct dx_hand_config *cfg = NULL;
	struct dx_hand_config_error ce;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage();
		if (!strcmp(a, "--realtime")) {
			realtime = true;
		} else if (!strcmp(a, "--unlink")) {
			unlink_only = true;
		} else if (!strcmp(a, "--status")) {
			status = true;
		} else if (!strcmp(a, "--scene")) {
			if (++i >= argc)
				return dx_tool_usage("sim", "--scene needs a file");
			scene = argv[i];
		} else if (a[0] == '-') {
			return dx_tool_usage("sim", "unknown option");
		} else if (path) {
			return dx_tool_usage("sim", "one configuration only");
		} else {
			path = a;
		}
	}
	if (!path)
		return dx_tool_usage("sim", "give a hand configuration (YAML)");
	rc = dx_hand_config_load(path, &cfg, &ce);
	if (rc) {
		fprintf(stderr, "dx sim: %s\n", ce.msg);
		return 1;
	}
#if DX_HAVE_MUJOCO
	if (unlink_only) {
		int n = dx_simhand_unlink_buses(cfg);
		printf("dx sim: removed %d simbus bus%s of %s\n", n,
		       n == 1 ? "" : "es", cfg->name);
		dx_hand_config_free(cfg);
		return 0;
	}
	{
		struct dx_simhand_opts so;
		struct dx_simhand_error se;
		struct dx_simhand_stats st;
		struct dx_simhand *sim = NULL;

		memset(&so, 0, sizeof(so));
		so.scene = scene;
		so.clock = DX_SIMHAND_LIVE;
		rc = dx_simhand_create(&sim, cfg, &so, &se);
		if (rc) {
			fprintf(stderr, "dx sim: %s\n", se.msg);
			dx_hand_config_free(cfg);
			return 1;
		}
		if (realtime) {
			int e = dx_rt_set_fifo(80);
			if (e == 0)
				e = dx_rt_lock_memory();
			if (e) {
				fprintf(stderr, "dx sim: --realtime: %s (run as root "
						"or give CAP_SYS_NICE and CAP_IPC_LOCK)\n",
					dx_strerror(e));
				dx_simhand_free(sim);
				dx_hand_config_free(cfg);
				return 1;
			}
		}
		g_sim = sim;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		fprintf(stderr,
			"dx sim: %s: %u drives and %u pads on %u buses (%s%s), "
			"%u objects; Ctrl-C to stop\n",
			cfg->name, cfg->actuators_count, cfg->pads_count,
			cfg->buses_count,
			cfg->buses_count ? cfg->buses[0].transport : "-",
			cfg->buses_count > 1 ? ", ..." : "",
			dx_simhand_nobjects(sim));
		if (status) {
			/* serving in a thread, the objects' state printed from
			 * here (the state is published for one reader) */
			struct serve sv = {sim, 0, 0};
			pthread_t th;

			if (pthread_create(&th, NULL, serve_main, &sv) != 0) {
				rc = dx_simhand_run(sim);
			} else {
				while (!sv.done) {
					struct timespec sl = {1, 0};
					nanosleep(&sl, NULL);
					for (unsigned i = 0; !sv.done &&
							     i < dx_simhand_nobjects(sim); i++) {
						struct dx_simhand_object o;
						if (dx_simhand_object_state(sim, i, &o) == 0)
							printf("%s z %.3f m, %u hand contacts%s%s  ",
							       o.name, o.pos[2], o.hand_contacts,
							       o.lifted ? ", lifted" : "",
							       o.slipping ? ", slipping" : "");
					}
					printf("\n");
					fflush(stdout);
				}
				pthread_join(th, NULL);
				rc = sv.rc;
			}
		} else {
			rc = dx_simhand_run(sim);
		}
		g_sim = NULL;
		dx_simhand_get_stats(sim, &st);
		fprintf(stderr,
			"dx sim: %llu frames in, %llu out, %llu send errors, "
			"%llu physics steps, late polls %llu\n",
			(unsigned long long)st.frames_in,
			(unsigned long long)st.frames_out,
			(unsigned long long)st.send_errors,
			(unsigned long long)st.physics_steps,
			(unsigned long long)st.late_polls);
		dx_simhand_free(sim);
		dx_simhand_unlink_buses(cfg);
	}
	dx_hand_config_free(cfg);
	return rc ? dx_tool_fail("serve", rc) : 0;
#else
	(void)scene;
	(void)realtime;
	(void)unlink_only;
	(void)status;
	dx_hand_config_free(cfg);
	fprintf(stderr, "dx sim: this build has no MuJoCo (install "
			"libmujoco-dev and reconfigure): no simulated hand\n");
	return 1;
#endif
}
