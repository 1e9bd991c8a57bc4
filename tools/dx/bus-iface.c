/* SPDX-License-Identifier: MIT */
/* dx bus show|set|start|stop|restart IFACE: SocketCAN interface control
 * through the library's libsocketcan wrapper (dexrt/socketcan.h). */
#include <stdio.h>
#include <string.h>

#include <dexrt/socketcan.h>

#include "dx.h"

static int help(void)
{
	printf("usage: dx bus show IFACE\n"
	       "       dx bus set IFACE [bitrate N [sample-point SP]] [restart-ms M]\n"
	       "                        [data-bitrate D]\n"
	       "       dx bus start|stop|restart IFACE\n"
	       "\n"
	       "show: link kind, state, bit timing, restart-ms, error counters,\n"
	       "  controller and link statistics. Values an interface does not\n"
	       "  have (vcan has no controller) are shown as n/a with the reason.\n"
	       "set: bitrate in bit/s (the interface must be stopped), sample\n"
	       "  point in tenths of a percent (875 = 87.5 %%), restart-ms after\n"
	       "  bus-off (0 = manual). data-bitrate (CAN FD) is not supported by\n"
	       "  the libsocketcan version dexrt uses.\n"
	       "start/stop: bring the interface up/down. restart: restart a\n"
	       "  controller that is bus-off.\n"
	       "Changing settings needs CAP_NET_ADMIN (root).\n");
	return 0;
}

/* Explains the usual refusals in words a user can act on. */
static int fail(const char *verb, const char *ifname, const char *what,
		int err)
{
	const char *hint = "";

	if (err == DX_ENOTSUP)
		hint = " (no CAN controller behind this interface: virtual CAN such as vcan has no bit timing, state or counters)";
	else if (err == DX_ENODEV)
		hint = " (no such CAN interface)";
	else if (err == DX_EPERM)
		hint = " (needs CAP_NET_ADMIN: run as root)";
	else if (err == DX_EBUSY)
		hint = " (stop the interface first: dx bus stop IFACE)";
	fprintf(stderr, "dx bus %s %s: %s%s%s%s\n", verb, ifname,
		what ? what : "", what ? ": " : "", dx_strerror(err), hint);
	return 1;
}

static void na(const char *what, int err)
{
	printf("  %-13s n/a (%s)\n", what, dx_strerror(err));
}

static int cmd_show(const char *ifname)
{
	struct dx_socketcan_info in;
	int err = dx_socketcan_get_info(ifname, &in);

	if (err)
		return fail("show", ifname, NULL, err);
	printf("%s: kind %s, %s%s, mtu %d (%s)\n", in.ifname,
	       in.kind[0] ? in.kind : "?", in.up ? "up" : "down",
	       in.up ? (in.running ? ", running" : ", no carrier") : "",
	       in.mtu, in.mtu >= 72 ? "CAN FD" : "classic CAN");
	if (in.state_err)
		na("state:", in.state_err);
	else
		printf("  %-13s %s\n", "state:", dx_can_state_name(in.state));
	if (in.bitrate_err)
		na("bitrate:", in.bitrate_err);
	else
		printf("  %-13s %u bit/s, sample point %u.%u %%\n", "bitrate:",
		       in.bitrate, in.sample_point / 10, in.sample_point % 10);
	if (in.data_bitrate_err)
		na("data-bitrate:", in.data_bitrate_err);
	else
		printf("  %-13s %u bit/s\n", "data-bitrate:", in.data_bitrate);
	if (in.restart_ms_err)
		na("restart-ms:", in.restart_ms_err);
	else
		printf("  %-13s %u\n", "restart-ms:", in.restart_ms);
	if (in.berr_err)
		na("counters:", in.berr_err);
	else
		printf("  %-13s tx %u rx %u\n", "counters:", in.tx_errors,
		       in.rx_errors);
	if (in.clock_err)
		na("clock:", in.clock_err);
	else
		printf("  %-13s %u Hz\n", "clock:", in.clock_hz);
	if (in.devstats_err)
		na("controller:", in.devstats_err);
	else
		printf("  %-13s bus-errors %u warning %u passive %u bus-off %u "
		       "arbitration-lost %u restarts %u\n", "controller:",
		       in.dev.bus_error, in.dev.error_warning,
		       in.dev.error_passive, in.dev.bus_off,
		       in.dev.arbitration_lost, in.dev.restarts);
	if (in.link_stats_err)
		na("link:", in.link_stats_err);
	else
		printf("  %-13s rx %llu frames %llu bytes, tx %llu frames %llu "
		       "bytes, errors rx %llu tx %llu, dropped rx %llu tx %llu\n",
		       "link:", (unsigned long long)in.rx_packets,
		       (unsigned long long)in.rx_bytes,
		       (unsigned long long)in.tx_packets,
		       (unsigned long long)in.tx_bytes,
		       (unsigned long long)in.rx_errors_link,
		       (unsigned long long)in.tx_errors_link,
		       (unsigned long long)in.rx_dropped,
		       (unsigned long long)in.tx_dropped);
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	const char *ifname = argv[1];
	uint32_t bitrate = 0, sp = 0, restart_ms = 0, dbitrate = 0;
	bool have_br = false, have_sp = false, have_rms = false, have_dbr = false;
	int err;

	if (argc < 4 || (argc - 2) % 2)
		return dx_tool_usage("bus", "set IFACE needs SETTING VALUE pairs");
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (strcmp(k, "bitrate") == 0) {
			if (dx_tool_parse_u32(v, "bitrate", 1, 1000000, &bitrate))
				return 2;
			have_br = true;
		} else if (strcmp(k, "sample-point") == 0) {
			if (dx_tool_parse_u32(v, "sample-point", 1, 999, &sp))
				return 2;
			have_sp = true;
		} else if (strcmp(k, "restart-ms") == 0) {
			if (dx_tool_parse_u32(v, "restart-ms", 0, 60000,
					      &restart_ms))
				return 2;
			have_rms = true;
		} else if (strcmp(k, "data-bitrate") == 0 ||
			   strcmp(k, "dbitrate") == 0) {
			if (dx_tool_parse_u32(v, "data-bitrate", 1, 16000000,
					      &dbitrate))
				return 2;
			have_dbr = true;
		} else {
			fprintf(stderr, "dx bus set: unknown setting '%s'\n", k);
			return 2;
		}
	}
	if (have_sp && !have_br)
		return dx_tool_usage("bus", "sample-point goes with bitrate");
	if (have_br) {
		err = dx_socketcan_set_bitrate(ifname, bitrate, sp);
		if (err)
			return fail("set", ifname, "bitrate", err);
		printf("%s: bitrate %u\n", ifname, bitrate);
	}
	if (have_rms) {
		err = dx_socketcan_set_restart_ms(ifname, restart_ms);
		if (err)
			return fail("set", ifname, "restart-ms", err);
		printf("%s: restart-ms %u\n", ifname, restart_ms);
	}
	if (have_dbr) {
		err = dx_socketcan_set_data_bitrate(ifname, dbitrate);
		if (err)
			return fail("set", ifname, "data-bitrate", err);
	}
	return 0;
}

int dx_bus_iface_cmd(int argc, char **argv)
{
	const char *verb = argv[0];
	int err;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return help();
	if (argc < 2)
		return dx_tool_usage("bus", "missing interface name");
	dx_tool_log_to_stderr(false);
	if (strcmp(verb, "show") == 0) {
		if (argc != 2)
			return dx_tool_usage("bus", "show takes one interface");
		return cmd_show(argv[1]);
	}
	if (strcmp(verb, "set") == 0)
		return cmd_set(argc, argv);
	if (argc != 2)
		return dx_tool_usage("bus", "start/stop/restart take one interface");
	if (strcmp(verb, "start") == 0)
		err = dx_socketcan_start(argv[1]);
	else if (strcmp(verb, "stop") == 0)
		err = dx_socketcan_stop(argv[1]);
	else if (strcmp(verb, "restart") == 0)
		err = dx_socketcan_restart(argv[1]);
	else
		return dx_tool_usage("bus", "unknown interface command");
	if (err)
		return fail(verb, argv[1], NULL, err);
	return 0;
}
