/* SPDX-License-Identifier: MIT */
/* dx send: send frames given in can-utils text form or from a candump -L
 * log over any transport. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dexrt/can.h>
#include <dexrt/simbus.h>

#include "dx.h"

static int help(void)
{
	printf("usage: dx send [OPTIONS] TRANSPORT FRAME...\n"
	       "       dx send [OPTIONS] --file LOG TRANSPORT\n"
	       "\n"
	       "Sends frames in order. FRAME is the can-utils text form:\n"
	       "  123#DEADBEEF     11-bit ID, up to 8 data bytes (optional '.')\n"
	       "  12345678#00      29-bit ID (8 hex digits)\n"
	       "  123#R  123#R4    remote request (optional length)\n"
	       "  123##1DEADBEEF   CAN FD; the digit after ## is the flags nibble\n"
	       "                   (1 bit-rate switch, 2 error state indicator)\n"
	       "TRANSPORT is socketcan:IFNAME or simbus:NAME.\n"
	       "\n"
	       "options:\n"
	       "  --file LOG        send the frames of a candump -L log ('-' for\n"
	       "                    standard input); stamps are ignored unless\n"
	       "                    --timed is given\n"
	       "  --timed           keep the log's gaps between frames\n"
	       "  --fd              enable CAN FD (implied by any FD frame)\n"
	       "  --bitrate B       simbus: nominal bit/s (when creating the bus)\n"
	       "  --data-bitrate D  simbus: FD data bit/s\n"
	       "  --timeout S       give up when the TX queue stays full for S\n"
	       "                    seconds (default 5)\n"
	       "exit status: 0 all sent, 1 error, 2 usage error.\n");
	return 0;
}

struct frames {
	struct dx_can_frame *f;
	size_t n, cap;
};

static int push(struct frames *v, const struct dx_can_frame *f)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? 2 * v->cap : 64;
		struct dx_can_frame *p = realloc(v->f, nc * sizeof(*p));
		if (!p)
			return DX_ENOMEM;
		v->f = p;
		v->cap = nc;
	}
	v->f[v->n++] = *f;
	return 0;
}

static int read_log(const char *path, struct frames *v)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char line[1024];
	unsigned long lineno = 0;
	int rc = 0;

	if (!in) {
		fprintf(stderr, "dx send: %s: cannot open\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		struct dx_can_frame f;
		char *p = line;
		int err;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\r' || *p == '\0')
			continue;
		err = dx_can_log_parse(line, &f, NULL, 0);
		if (!err)
			err = push(v, &f);
		if (err) {
			fprintf(stderr, "dx send: %s:%lu: %s (%s)\n", path,
				lineno, dx_strerror(err), dx_errname(err));
			rc = 1;
			break;
		}
	}
	if (in != stdin)
		fclose(in);
	return rc;
}

/* Waits a little for room in the TX queue. */
static void wait_room(struct dx_can *bus)
{
	int fd = dx_can_fd(bus);

	if (dx_simbus_is(bus)) {
		dx_simbus_wait_tx(bus, dx_simbus_now(bus) + 10 * DX_NS_PER_MS);
	} else if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		poll(&p, 1, 10);
	} else {
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
}

int dx_cmd_send(int argc, char **argv)
{
	struct dx_can_opts o = {0};
	struct frames v = {0};
	struct dx_can *bus = NULL;
	const char *file = NULL, *transport = NULL;
	double timeout_s = 5.0;
	bool timed = false;
	int rc = 0, err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			free(v.f);
			return help();
		}
		if (strcmp(a, "--fd") == 0) {
			o.fd = true;
		} else if (strcmp(a, "--timed") == 0) {
			timed = true;
		} else if (strcmp(a, "--file") == 0 ||
			   strcmp(a, "--bitrate") == 0 ||
			   strcmp(a, "--data-bitrate") == 0 ||
			   strcmp(a, "--timeout") == 0) {
			if (!val) {
				rc = dx_tool_usage("send", "option needs a value");
				goto out;
			}
			i++;
			if (strcmp(a, "--file") == 0)
				file = val;
			else if (strcmp(a, "--bitrate") == 0)
				rc = dx_tool_parse_u32(val, a, 1, 1000000000u,
						       &o.bitrate) ? 2 : 0;
			else if (strcmp(a, "--data-bitrate") == 0)
				rc = dx_tool_parse_u32(val, a, 1, 1000000000u,
						       &o.data_bitrate) ? 2 : 0;
			else if (dx_tool_parse_double(val, a, &timeout_s) ||
				 timeout_s <= 0)
				rc = dx_tool_usage("send", "--timeout must be > 0");
			if (rc)
				goto out;
		} else if (a[0] == '-' && a[1] != '\0' && a[1] != '#') {
			rc = dx_tool_usage("send", "unknown option");
			goto out;
		} else if (!transport) {
			transport = a;
		} else {
			struct dx_can_frame f;
			err = dx_can_frame_parse(a, &f);
			if (err) {
				fprintf(stderr, "dx send: '%s': %s (%s)\n", a,
					dx_strerror(err), dx_errname(err));
				rc = 1;
				goto out;
			}
			if ((err = push(&v, &f))) {
				rc = dx_tool_fail("frames", err);
				goto out;
			}
		}
	}
	if (!transport) {
		rc = dx_tool_usage("send", "missing TRANSPORT");
		goto out;
	}
	if (file && v.n) {
		rc = dx_tool_usage("send", "give frames or --file, not both");
		goto out;
	}
	if (file && (rc = read_log(file, &v)))
		goto out;
	if (v.n == 0) {
		rc = dx_tool_usage("send", "no frames to send");
		goto out;
	}
	for (size_t i = 0; i < v.n; i++)
		if (v.f[i].flags & DX_CAN_FD)
			o.fd = true;
	err = dx_can_open(&bus, transport, &o);
	if (err) {
		fprintf(stderr, "dx send: %s: %s (%s)\n", transport,
			dx_strerror(err), dx_errname(err));
		rc = 1;
		goto out;
	}
	{
		int64_t t0 = dx_time_now_ns(), log0 = v.f[0].ts_ns;
		int64_t stuck_since = 0;
		size_t i = 0;

		while (i < v.n) {
			size_t batch = v.n - i;
			int n;

			if (timed) {
				struct timespec ts = dx_ns_to_timespec(
					t0 + (v.f[i].ts_ns - log0));
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						&ts, NULL);
				batch = 1;
			}
			n = dx_can_send(bus, &v.f[i], batch);
			if (n > 0) {
				i += (size_t)n;
				stuck_since = 0;
				continue;
			}
			if (n != DX_ENOBUFS && n != DX_EAGAIN && n != 0) {
				char txt[DX_CAN_TEXT_MAX] = "?";
				dx_can_frame_format(&v.f[i], txt, sizeof(txt));
				fprintf(stderr, "dx send: %s: %s (%s)\n", txt,
					dx_strerror(n), dx_errname(n));
				rc = 1;
				break;
			}
			if (!stuck_since)
				stuck_since = dx_time_now_ns();
			else if (dx_time_now_ns() - stuck_since >
				 (int64_t)(timeout_s * 1e9)) {
				fprintf(stderr, "dx send: TX queue full for "
						"%.1f s; %zu of %zu frames sent\n",
					timeout_s, i, v.n);
				rc = 1;
				break;
			}
			wait_room(bus);
		}
	}
	dx_can_close(bus);
out:
	free(v.f);
	return rc;
}
