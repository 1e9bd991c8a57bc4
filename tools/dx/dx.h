/* SPDX-License-Identifier: MIT */
/* Shared declarations of the dx tool's subcommands and helpers. */
#ifndef DX_TOOL_H
#define DX_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each subcommand: argv[0] is the subcommand name. Returns the exit status:
 * 0 success, 1 failure, 2 usage error. */
int dx_cmd_dump(int argc, char **argv);
int dx_cmd_send(int argc, char **argv);
int dx_cmd_bus(int argc, char **argv);
int dx_cmd_encode(int argc, char **argv);
int dx_cmd_scan(int argc, char **argv);
int dx_cmd_motor(int argc, char **argv);
int dx_cmd_kin(int argc, char **argv);
int dx_cmd_tactile(int argc, char **argv);
int dx_cmd_hand(int argc, char **argv);
int dx_cmd_sim(int argc, char **argv);
int dx_cmd_bridge(int argc, char **argv);

/* bus-iface.c (SocketCAN interface control through libsocketcan), present
 * when DX_HAVE_BUS_IFACE is defined: handles `dx bus show|set|start|stop|
 * restart IFACE ...`; argv[0] is the verb. Returns an exit status. */
int dx_bus_iface_cmd(int argc, char **argv);

/* decode.c (drive and taxel codecs for `dx dump --decode`), present when
 * DX_HAVE_DECODE is defined. A decoder is built from device descriptions in
 * the syntax of `dx sim --device`, e.g. "mit:dm-j4310:id=1". */
struct dx_can_frame;
struct dx_tool_decoder;
/* Returns NULL (after printing why) on a bad description. */
struct dx_tool_decoder *dx_tool_decoder_new(int ndev, char **devspecs);
/* Writes a one-line description of @p f into @p buf; returns its length,
 * 0 when no device claims the frame, negative on error. */
int dx_tool_decoder_describe(struct dx_tool_decoder *d,
			     const struct dx_can_frame *f, char *buf,
			     size_t size);
void dx_tool_decoder_free(struct dx_tool_decoder *d);

/* sim-hand.c (a simulated hand from a hand configuration), present when
 * DX_HAVE_SIM_HAND is defined: `dx sim CONFIG.yaml ...`; argv[0] is "sim".
 * Returns an exit status. */
int dx_sim_hand_cmd(int argc, char **argv);

/* Prints "dx: <what>: <dexrt error text>" to stderr; returns 1. */
int dx_tool_fail(const char *what, int err);
/* Prints "dx <cmd>: <msg>" and a hint to stderr; returns 2 (usage error). */
int dx_tool_usage(const char *cmd, const char *msg);
/* Strict number parsing: the whole string must be a finite number in range.
 * Return 0 or -1 (and print which argument was bad). */
int dx_tool_parse_double(const char *s, const char *what, double *out);
int dx_tool_parse_u32(const char *s, const char *what, uint32_t min,
		      uint32_t max, uint32_t *out);
/* Installs a log handler printing library diagnostics to stderr. */
void dx_tool_log_to_stderr(bool verbose);

#endif
