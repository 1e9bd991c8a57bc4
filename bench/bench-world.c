/* SPDX-License-Identifier: MIT */
/* MuJoCo world: physics throughput of the 16-DoF hand grasp scene
 * (examples/mjcf/scene-grasp.xml, 0.5 ms step). Two phases: the open hand
 * held by a PD law in the step hook with the objects at rest, and the hand
 * closed on the cylinder (many contacts). For each, the time of one
 * dx_simworld_advance() by 1 ms of simulated time (two physics steps, the
 * hook before each, and the refresh of every query) - the unit a simulated
 * hand runs per 1 kHz bus cycle - and the physics steps per second of long
 * runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/core.h>

#include "bench.h"

#ifndef DX_BENCH_HAVE_MUJOCO
int main(int argc, char **argv)
{
	struct dxb b;

	dxb_init(&b, argc, argv);
	printf("# bench-world: libdexrt-sim built without MuJoCo, nothing to measure\n");
	return 0;
}
#else

#include <dexrt/simworld.h>

/* $DX_EXAMPLES_DIR/mjcf/scene-grasp.xml, else next to this source file. */
static int scene_path(char *out, size_t size)
{
	const char *env = getenv("DX_EXAMPLES_DIR");
	char here[512];
	char *slash;

	if (env && snprintf(out, size, "%s/mjcf/scene-grasp.xml", env) < (int)size &&
	    access(out, R_OK) == 0)
		return 0;
	snprintf(here, sizeof(here), "%s", __FILE__);
	slash = strrchr(here, '/');
	if (slash) {
		*slash = '\0';
		if (snprintf(out, size, "%s/../examples/mjcf/scene-grasp.xml",
			     here) < (int)size && access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, size, "examples/mjcf/scene-grasp.xml");
	return access(out, R_OK) == 0 ? 0 : -1;
}

#define NJ 16

struct pd {
	int j[NJ];
	double target[NJ];
	double bias[NJ]; /* constant torque added (closing the hand) */
};

static void pd_hook(struct dx_simworld *w, int64_t t_ns, double dt, void *ud)
{
	struct pd *p = ud;

	for (int i = 0; i < NJ; i++) {
		double q, qd, tau;

		dx_simworld_get_joint(w, (unsigned)p->j[i], &q, &qd);
		tau = p->bias[i] + 2.0 * (p->target[i] - q) - 0.02 * qd;
		tau = tau > 0.7 ? 0.7 : tau < -0.7 ? -0.7 : tau;
		dx_simworld_set_torque(w, (unsigned)p->j[i], tau);
	}
}

static int phase(struct dxb *b, struct dx_simworld *w, const char *name,
		 unsigned calls, unsigned long_steps)
{
	static struct dx_hist h;
	char label[96], extra[96];
	int64_t t0, t = dx_simworld_time_ns(w);
	unsigned contacts = 0;
	double f[3];
	int cyl = dx_simworld_body_index(w, "cylinder");
	int rc;

	dx_hist_reset(&h);
	for (unsigned i = 0; i < calls; i++) {
		int64_t s;

		t += DX_NS_PER_MS;
		s = dxb_now();
		rc = dx_simworld_advance(w, t, NULL);
		dx_hist_add(&h, dxb_now() - s);
		if (rc < 0) {
			printf("# advance: %s\n", dx_strerror(rc));
			return rc;
		}
	}
	if (cyl > 0)
		dx_simworld_contact_force(w, (unsigned)cyl, -1, f, &contacts);
	snprintf(label, sizeof(label), "world %s: advance 1 ms (2 steps)", name);
	snprintf(extra, sizeof(extra), "\"phase\":\"%s\",\"cylinder_contacts\":%u",
		 name, contacts);
	dxb_report(b, label, &h, extra);

	/* reading every pad as a simulated hand does once per bus cycle:
	 * the taxel grid and the contact list */
	dx_hist_reset(&h);
	for (unsigned i = 0; i < calls; i++) {
		static double taxels[64];
		static struct dx_simworld_contact ct[8];
		int64_t s = dxb_now();

		for (unsigned p = 0; p < dx_simworld_npads(w); p++) {
			DXB_KEEP(dx_simworld_pad_read(w, p, taxels, 64));
			DXB_KEEP(dx_simworld_pad_contacts(w, p, ct, 8));
		}
		dx_hist_add(&h, dxb_now() - s);
	}
	snprintf(label, sizeof(label), "world %s: read 4 pads (grid+contacts)", name);
	dxb_report(b, label, &h, extra);

	t0 = dxb_now();
	rc = dx_simworld_step(w, long_steps);
	t0 = dxb_now() - t0;
	if (rc < 0) {
		printf("# step: %s\n", dx_strerror(rc));
		return rc;
	}
	snprintf(label, sizeof(label), "world %s: physics steps per second", name);
	dxb_report_value(b, label, (double)long_steps * 1e9 / (double)t0,
			 "steps/s", extra);
	snprintf(label, sizeof(label), "world %s: real-time factor (0.5 ms step)", name);
	dxb_report_value(b, label,
			 (double)long_steps * 0.0005 * 1e9 / (double)t0, "x",
			 extra);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const fingers[] = {"index", "middle", "ring", "thumb"};
	struct dxb b;
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	struct pd p;
	char path[1024];
	unsigned calls, long_steps;

	dxb_init(&b, argc, argv);
	calls = b.quick ? 300 : 5000;
	long_steps = b.quick ? 1000 : 20000;
	if (scene_path(path, sizeof(path)) < 0) {
		printf("# examples/mjcf not found: set DX_EXAMPLES_DIR\n");
		return 0;
	}
	if (dx_simworld_load_file(path, NULL, &w, &err) < 0) {
		printf("# %s\n", err.msg);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	for (int f = 0; f < 4; f++) {
		for (int k = 0; k < 4; k++) {
			char name[32];

			snprintf(name, sizeof(name), "%s_j%d", fingers[f], k);
			p.j[4 * f + k] = dx_simworld_joint_index(w, name);
			if (p.j[4 * f + k] < 0) {
				printf("# joint %s missing\n", name);
				return 1;
			}
		}
	}
	dx_simworld_set_hook(w, pd_hook, &p);
	dxb_header(&b);

	/* open hand held straight, objects at rest on the table */
	if (phase(&b, w, "open hand", calls, long_steps) < 0)
		return 1;

	/* close the fingers on the cylinder: flexion targets past the
	 * object so the PD presses, thumb swung across the palm */
	for (int f = 0; f < 4; f++) {
		for (int k = 1; k < 4; k++) {
			p.target[4 * f + k] = 1.2;
			p.bias[4 * f + k] = 0.1;
		}
	}
	p.target[12] = 1.2; /* thumb_j0: opposition */
	dx_simworld_advance(w, dx_simworld_time_ns(w) + 500 * DX_NS_PER_MS, NULL);
	if (phase(&b, w, "grasp", calls, long_steps) < 0)
		return 1;
	dx_simworld_free(w);
	return 0;
}
#endif
