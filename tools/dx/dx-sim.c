/* SPDX-License-Identifier: MIT */
/* dx sim: serve virtual drives on a bus until interrupted. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <dexrt/can.h>
#include <dexrt/sim.h>

#include "dx.h"

#define MAX_DEV 32

static struct dx_vdrive_runner *g_runner;

static void on_signal(int sig)
{
	(void)sig;
	if (g_runner)
		dx_vdrive_runner_stop(g_runner);
}

static int usage(void)
{
	printf("usage: dx sim BUS --device DEVSPEC [--device DEVSPEC...]\n"
	       "              [--bitrate B] [--heartbeat S] [--enabled]\n"
	       "       dx sim CONFIG.yaml ...  (a simulated hand: dx sim X.yaml --help)\n"
	       "Runs virtual drives on BUS (simbus:NAME or socketcan:IFNAME)\n"
	       "until Ctrl-C. DEVSPEC: mit:MODEL:id=N[:master=M],\n"
	       "odrive:MODEL:id=N, cia402:MODEL:id=N, e.g. mit:dm-j4310:id=1.\n"
	       "  --bitrate B    simbus bit/s when creating the bus (1000000)\n"
	       "  --heartbeat S  ODrive/CANopen heartbeat period in seconds\n"
	       "  --enabled      MIT drives start enabled, ODrives in closed loop\n");
	return 0;
}

int dx_cmd_sim(int argc, char **argv)
{
	static struct dx_vdrive v[MAX_DEV];
	static struct dx_vdrive_runner r;
	struct dx_can_opts o;
	struct dx_can *can = NULL;
	const char *bus = NULL;
	double hb = 0;
	bool enabled = false;
	size_t n = 0;
	int err;

#ifdef DX_HAVE_SIM_HAND
	if (argc > 1 && (strstr(argv[1], ".yaml") || strstr(argv[1], ".yml")))
		return dx_sim_hand_cmd(argc, argv);
#endif
	memset(&o, 0, sizeof(o));
	o.bitrate = 1000000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage();
		if (!strcmp(a, "--enabled")) {
			enabled = true;
			continue;
		}
		if (!strcmp(a, "--device") || !strcmp(a, "--bitrate") ||
		    !strcmp(a, "--heartbeat")) {
			if (++i >= argc)
				return dx_tool_usage("sim", "option needs a value");
			if (!strcmp(a, "--device")) {
				struct dx_drive_desc d;
				if (n == MAX_DEV)
					return dx_tool_usage("sim", "too many devices");
				err = dx_drive_desc_parse(argv[i], &d);
				if (err) {
					fprintf(stderr, "dx sim: device '%s': %s\n",
						argv[i], err == DX_ENOENT ?
						"unknown model" : "bad description");
					return 2;
				}
				if (dx_vdrive_init(&v[n], &d))
					return dx_tool_usage("sim", "bad device");
				n++;
			} else if (!strcmp(a, "--bitrate")) {
				if (dx_tool_parse_u32(argv[i], "--bitrate", 1,
						      1000000000u, &o.bitrate))
					return 2;
			} else if (dx_tool_parse_double(argv[i], "--heartbeat", &hb) ||
				   hb < 0) {
				return 2;
			}
			continue;
		}
		if (a[0] == '-')
			return dx_tool_usage("sim", "unknown option");
		if (bus)
			return dx_tool_usage("sim", "one bus only");
		bus = a;
	}
	if (!bus || n == 0)
		return dx_tool_usage("sim", "give a BUS and at least one --device");
	for (size_t i = 0; i < n; i++) {
		v[i].heartbeat_s = hb;
		if (enabled) {
			v[i].enabled = v[i].desc.proto == DX_DRIVE_MIT;
			if (v[i].desc.proto == DX_DRIVE_ODRIVE) {
				v[i].axis_state = DX_ODRIVE_STATE_CLOSED_LOOP;
				v[i].enabled = true;
			}
		}
	}
	err = dx_can_open(&can, bus, &o);
	if (err)
		return dx_tool_fail(bus, err);
	err = dx_vdrive_runner_init(&r, can, v, n);
	if (err) {
		dx_can_close(can);
		return dx_tool_fail("runner", err);
	}
	g_runner = &r;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "dx sim: %zu virtual drive(s) on %s; Ctrl-C to stop\n",
		n, bus);
	err = dx_vdrive_runner_run(&r);
	g_runner = NULL;
	fprintf(stderr, "dx sim: %llu frames in, %llu out, %llu send errors\n",
		(unsigned long long)r.frames_in, (unsigned long long)r.frames_out,
		(unsigned long long)r.send_errors);
	dx_can_close(can);
	return err ? dx_tool_fail("serve", err) : 0;
}
