/* SPDX-License-Identifier: MIT */
/* dx dump: print frames from a transport (live) or from a candump -L log,
 * one candump -L line per frame. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dexrt/can.h>

#include "dx.h"

#define MAX_DECODE 32

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int help(void)
{
	printf("usage: dx dump [OPTIONS] TRANSPORT\n"
	       "       dx dump [OPTIONS] --log FILE\n"
	       "\n"
	       "Prints frames as candump -L log lines:\n"
	       "  (SECONDS.MICROS) IFNAME FRAME\n"
	       "FRAME is the can-utils text form (123#DEADBEEF, 12345678#00,\n"
	       "123#R, 123##1DEADBEEF for CAN FD). TRANSPORT is socketcan:IFNAME\n"
	       "or simbus:NAME; IFNAME printed is the part after the colon.\n"
	       "Live stamps are converted from CLOCK_MONOTONIC to wall-clock time\n"
	       "(as candump prints them) unless --mono is given.\n"
	       "\n"
	       "options:\n"
	       "  --log FILE        read a candump -L log instead of a transport\n"
	       "                    ('-' is standard input)\n"
	       "  --count N         stop after N frames\n"
	       "  --timeout S       stop after S seconds (live only)\n"
	       "  --fd              require CAN FD (by default FD is enabled when\n"
	       "                    the transport supports it)\n"
	       "  --bitrate B       simbus: nominal bit/s (when creating the bus)\n"
	       "  --data-bitrate D  simbus: FD data bit/s\n"
	       "  --mono            print CLOCK_MONOTONIC stamps as they are\n"
	       "  --decode DEVSPEC  decode frames of a device, e.g. mit:dm-j4310:id=1\n"
	       "                    (repeatable; needs the decoders built in)\n"
	       "exit status: 0 done, 1 error (bad log line, transport failure),\n"
	       "2 usage error.\n");
	return 0;
}

struct dump_ctx {
	const char *ifname;
	unsigned long long count, max;
#ifdef DX_HAVE_DECODE
	struct dx_tool_decoder *dec;
#endif
};

static int print_frame(struct dump_ctx *c, const struct dx_can_frame *f)
{
	char line[DX_CAN_LOG_MAX];
	int err = dx_can_log_format(f, c->ifname, line, sizeof(line));

	if (err < 0)
		return dx_tool_fail("format frame", err);
	puts(line);
#ifdef DX_HAVE_DECODE
	if (c->dec) {
		char desc[512];
		int n = dx_tool_decoder_describe(c->dec, f, desc, sizeof(desc));
		if (n > 0)
			printf("    %s\n", desc);
	}
#endif
	c->count++;
	return 0;
}

static int dump_log(struct dump_ctx *c, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char line[1024], ifn[64];
	unsigned long lineno = 0;
	int rc = 0;

	if (!in) {
		fprintf(stderr, "dx dump: %s: cannot open\n", path);
		return 1;
	}
	while ((!c->max || c->count < c->max) && fgets(line, sizeof(line), in)) {
		struct dx_can_frame f;
		char *p = line;
		int err;

		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			fprintf(stderr, "dx dump: %s:%lu: line too long\n", path,
				lineno);
			rc = 1;
			break;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0' || *p == '\r')
			continue;
		err = dx_can_log_parse(line, &f, ifn, sizeof(ifn));
		if (err) {
			fprintf(stderr, "dx dump: %s:%lu: %s (%s)\n", path,
				lineno, dx_strerror(err), dx_errname(err));
			rc = 1;
			break;
		}
		c->ifname = ifn;
		if (print_frame(c, &f)) {
			rc = 1;
			break;
		}
	}
	if (in != stdin)
		fclose(in);
	return rc;
}

static int64_t wall_offset_ns(void)
{
	struct timespec rt, mo;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mo);
	return dx_timespec_to_ns(&rt) - dx_timespec_to_ns(&mo);
}

static int dump_live(struct dump_ctx *c, const char *name,
		     const struct dx_can_opts *o, double timeout_s, bool mono)
{
	struct dx_can *bus = NULL;
	struct dx_can_frame fr[64];
	int64_t end = INT64_MAX, off = mono ? 0 : wall_offset_ns();
	int err, rc = 0;
	const char *colon = strchr(name, ':');

	/* Listen to FD frames too when the bus allows it, unless --fd was
	 * given, in which case FD is required. */
	if (o->fd) {
		err = dx_can_open(&bus, name, o);
	} else {
		struct dx_can_opts fo = *o;
		fo.fd = true;
		err = dx_can_open(&bus, name, &fo);
		if (err == DX_ENOTSUP)
			err = dx_can_open(&bus, name, o);
	}
	if (err) {
		fprintf(stderr, "dx dump: %s: %s (%s)\n", name,
			dx_strerror(err), dx_errname(err));
		return 1;
	}
	c->ifname = colon ? colon + 1 : name;
	if (timeout_s > 0)
		end = dx_time_now_ns() + (int64_t)(timeout_s * 1e9);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && (!c->max || c->count < c->max)) {
		int64_t now = dx_time_now_ns();
		int n;

		if (now >= end)
			break;
		/* wake at least every 100 ms to notice signals and the
		 * timeout (a virtual-clock simbus waits in bus time) */
		err = dx_can_wait(bus, now + 100 * DX_NS_PER_MS < end
					       ? now + 100 * DX_NS_PER_MS
					       : end);
		if (err && err != DX_ETIMEDOUT) {
			rc = dx_tool_fail("wait", err);
			break;
		}
		n = dx_can_recv(bus, fr, DX_ARRAY_SIZE(fr));
		if (n < 0) {
			rc = dx_tool_fail("receive", n);
			break;
		}
		for (int i = 0; i < n && (!c->max || c->count < c->max); i++) {
			fr[i].ts_ns += off;
			if (print_frame(c, &fr[i])) {
				rc = 1;
				break;
			}
		}
		fflush(stdout);
		if (rc)
			break;
	}
	dx_can_close(bus);
	return rc;
}

int dx_cmd_dump(int argc, char **argv)
{
	struct dx_can_opts o = {0};
	struct dump_ctx c = {0};
	const char *log = NULL, *transport = NULL;
	char *decspec[MAX_DECODE];
	int ndec = 0, rc;
	double timeout_s = 0;
	bool mono = false;
	uint32_t u;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return help();
		if (strcmp(a, "--fd") == 0) {
			o.fd = true;
		} else if (strcmp(a, "--mono") == 0) {
			mono = true;
		} else if (strcmp(a, "--log") == 0 || strcmp(a, "--count") == 0 ||
			   strcmp(a, "--timeout") == 0 ||
			   strcmp(a, "--decode") == 0 ||
			   strcmp(a, "--bitrate") == 0 ||
			   strcmp(a, "--data-bitrate") == 0) {
			if (!v)
				return dx_tool_usage("dump", "option needs a value");
			i++;
			if (strcmp(a, "--log") == 0) {
				log = v;
			} else if (strcmp(a, "--count") == 0) {
				if (dx_tool_parse_u32(v, "--count", 1,
						      UINT32_MAX, &u))
					return 2;
				c.max = u;
			} else if (strcmp(a, "--timeout") == 0) {
				if (dx_tool_parse_double(v, "--timeout",
							 &timeout_s) ||
				    timeout_s <= 0)
					return dx_tool_usage("dump",
						"--timeout must be > 0");
			} else if (strcmp(a, "--decode") == 0) {
				if (ndec == MAX_DECODE)
					return dx_tool_usage("dump",
						"too many --decode");
				decspec[ndec++] = argv[i];
			} else if (strcmp(a, "--bitrate") == 0) {
				if (dx_tool_parse_u32(v, "--bitrate", 1,
						      1000000000u, &o.bitrate))
					return 2;
			} else {
				if (dx_tool_parse_u32(v, "--data-bitrate", 1,
						      1000000000u,
						      &o.data_bitrate))
					return 2;
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			return dx_tool_usage("dump", "unknown option");
		} else if (!transport) {
			transport = a;
		} else {
			return dx_tool_usage("dump", "one transport only");
		}
	}
	if (!!log == !!transport)
		return dx_tool_usage("dump", "give a TRANSPORT or --log FILE");
	if (ndec) {
#ifdef DX_HAVE_DECODE
		c.dec = dx_tool_decoder_new(ndec, decspec);
		if (!c.dec)
			return 1;
#else
		(void)decspec;
		fprintf(stderr, "dx dump: --decode: the decoders are not built "
				"into this dx\n");
		return 1;
#endif
	}
	rc = log ? dump_log(&c, log)
		 : dump_live(&c, transport, &o, timeout_s, mono);
#ifdef DX_HAVE_DECODE
	dx_tool_decoder_free(c.dec);
#endif
	return rc;
}
