/* SPDX-License-Identifier: MIT */
/* The two-finger hand of the tests that run inside the VM on vcan
 * (test-hand-vcan, test-faults-vcan): the index on vcan0, the thumb on
 * vcan1, four DM-J4310 MIT drives each (ids 1..4 per bus), impedance mode,
 * the joints of examples/urdf/hand16.urdf. Header-only: each test program
 * includes it once. */
#ifndef DX_TESTS_VCAN_HAND_H
#define DX_TESTS_VCAN_HAND_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dx-check.h"

#define VCAN_HAND_DRIVES 4 /* per finger and bus */

static const char *const vcan_hand_fingers[2] = {"index", "thumb"};
static const char *const vcan_hand_limits[2][VCAN_HAND_DRIVES] = {
	{"[-0.47, 0.47]", "[-0.196, 1.61]", "[-0.174, 1.709]", "[-0.227, 1.618]"},
	{"[-0.3, 1.4]", "[-0.3, 1.2]", "[-0.174, 1.709]", "[-0.227, 1.618]"},
};

/* Writes /tmp/dx-@p tag-PID/hand.yaml (and a copy of the URDF beside it)
 * into @p dir: period and reply deadline in us, @p safety the contents of
 * the safety mapping (e.g. "link_loss_cycles: 10"). */
static void vcan_hand_config(char *dir, size_t dir_size, const char *tag,
			     int period_us, int deadline_us, const char *safety)
{
	const char *ex = getenv("DX_EXAMPLES_DIR");
	char path[256], cmd[512];
	FILE *f;

	ck_assert_ptr_nonnull(ex);
	snprintf(dir, dir_size, "/tmp/dx-%s-%d", tag, (int)getpid());
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/urdf && cp %s/urdf/hand16.urdf %s/urdf/",
		 dir, ex, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/hand.yaml", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "name: two-fingers\nurdf: urdf/hand16.urdf\n"
		   "period_us: %d\nreply_deadline_us: %d\nbuses:\n", period_us,
		deadline_us);
	for (int b = 0; b < 2; b++)
		fprintf(f, "  - {name: %s, transport: \"socketcan:vcan%d\", fd: true,"
			   " data_bitrate: 8000000}\n", vcan_hand_fingers[b], b);
	fprintf(f, "actuators:\n");
	for (int b = 0; b < 2; b++)
		for (int j = 0; j < VCAN_HAND_DRIVES; j++)
			fprintf(f, "  - {name: %s_m%d, bus: %s, protocol: mit, model: dm-j4310,"
				   " id: %d, joint: %s_j%d, limits: {position: %s,"
				   " velocity: 6.0, torque: 0.7}}\n",
				vcan_hand_fingers[b], j, vcan_hand_fingers[b], j + 1,
				vcan_hand_fingers[b], j, vcan_hand_limits[b][j]);
	fprintf(f, "joints:\n");
	for (int b = 0; b < 2; b++)
		for (int j = 0; j < VCAN_HAND_DRIVES; j++)
			fprintf(f, "  - {name: %s_j%d, mode: impedance,"
				   " gains: {imp_kp: 10.0, imp_kd: 0.15}}\n",
				vcan_hand_fingers[b], j);
	fprintf(f, "safety: {%s}\n", safety);
	fclose(f);
}

#endif
