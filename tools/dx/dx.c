/* SPDX-License-Identifier: MIT */
/* dx: the dexrt command-line tool. Dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include <dexrt/core.h>

#include "dx.h"

struct dx_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct dx_cmd cmds[] = {
#ifdef DX_CMD_DUMP
	{"dump", dx_cmd_dump, "print frames from a transport or a candump log"},
#endif
#ifdef DX_CMD_SEND
	{"send", dx_cmd_send, "send frames given in can-utils text form"},
#endif
#ifdef DX_CMD_BUS
	{"bus", dx_cmd_bus, "frame timing, bus budgets, interface settings"},
#endif
#ifdef DX_CMD_ENCODE
	{"encode", dx_cmd_encode, "print the frame for a drive command"},
#endif
#ifdef DX_CMD_SCAN
	{"scan", dx_cmd_scan, "find drives on a bus"},
#endif
#ifdef DX_CMD_MOTOR
	{"motor", dx_cmd_motor, "enable, zero, move or read one drive"},
#endif
#ifdef DX_CMD_KIN
	{"kin", dx_cmd_kin, "URDF info, forward and inverse kinematics"},
#endif
#ifdef DX_CMD_TACTILE
	{"tactile", dx_cmd_tactile, "live view, tare and recording of a pad"},
#endif
#ifdef DX_CMD_HAND
	{"hand", dx_cmd_hand, "check, run and command a hand configuration"},
#endif
#ifdef DX_CMD_SIM
	{"sim", dx_cmd_sim, "run virtual drives or a simulated hand on a bus"},
#endif
#ifdef DX_CMD_BRIDGE
	{"bridge", dx_cmd_bridge, "DDS bridge for a hand"},
#endif
	{NULL, NULL, NULL},
};

static int usage(FILE *out)
{
	fprintf(out, "usage: dx COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct dx_cmd *c = cmds; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fprintf(out, "  %-9s %s\n", "help", "this text, or 'dx help COMMAND'");
	fprintf(out, "  %-9s %s\n", "version", "print the library version");
	return out == stderr ? 2 : 0;
}

static const struct dx_cmd *find(const char *name)
{
	for (const struct dx_cmd *c = cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct dx_cmd *c;

	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc > 2 && (c = find(argv[2]))) {
			char *hargv[] = {argv[2], "--help", NULL};
			return c->fn(2, hargv);
		}
		return usage(stdout);
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("dx %s\n", dx_version());
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "dx: unknown command '%s'\n", argv[1]);
		return usage(stderr);
	}
	return c->fn(argc - 1, argv + 1);
}
