/* SPDX-License-Identifier: MIT */
/* dx bus: frame timing (`time`), bus budgets (`budget`) and, when built
 * with interface control, SocketCAN interface settings. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/busload.h>
#include <dexrt/can.h>

#include "dx.h"

#define MAX_BUSES 16
#define MAX_PERIODIC 4096

static int help(void)
{
	printf("usage: dx bus time [--bitrate B] [--data-bitrate D] FRAME...\n"
	       "       dx bus budget [--max-load L] FILE\n"
	       "       dx bus show|set|start|stop|restart IFACE ...\n"
	       "\n"
	       "time: one line per frame (can-utils text form, e.g. 123#DEADBEEF,\n"
	       "  123##1DEADBEEF):\n"
	       "    FRAME bits=N stuff=S us=T\n"
	       "  N: exact length in bits from start of frame to the end of the\n"
	       "  end-of-frame field, stuff bits included, intermission (3 bits)\n"
	       "  not included. The CRC is computed from the content since it is\n"
	       "  stuffed too. S: stuff bits; for CAN FD this counts the dynamic\n"
	       "  stuff bits AND the fixed stuff bits of the CRC field. T: duration\n"
	       "  in microseconds; for FD frames with the bit-rate switch the bits\n"
	       "  after BRS up to the end of the CRC field run at the data\n"
	       "  bitrate. Defaults: --bitrate 1000000, --data-bitrate = bitrate.\n"
	       "\n"
	       "budget: checks whether periodic frames fit their buses. Every\n"
	       "  frame is charged its worst-case length (all possible stuff bits)\n"
	       "  plus the 3-bit intermission. FILE ('-' for standard input) has\n"
	       "  one entry per line, '#' starts a comment:\n"
	       "    bus NAME BITRATE [DATA_BITRATE]\n"
	       "    frame NAME ID LEN RATE_HZ [ext] [fd] [brs] [rtr]\n"
	       "  NAME refers to a bus line above; ID is hex (8 hex digits or the\n"
	       "  word ext mean a 29-bit ID); LEN is the payload in bytes (a valid\n"
	       "  FD length with fd). Example:\n"
	       "    bus hand0 1000000\n"
	       "    bus tact0 1000000 5000000\n"
	       "    frame hand0 141 8 1000\n"
	       "    frame tact0 1A0 64 500 fd brs\n"
	       "  Prints the load of each bus, whether it fits --max-load (default\n"
	       "  0.7), the factor all rates could grow by, and the highest rate\n"
	       "  at which every listed frame could be sent once per period.\n"
	       "  Exit status 0 when everything fits, 1 when a bus is over budget.\n"
	       "\n"
	       "show|set|start|stop|restart: SocketCAN interface control (bitrate,\n"
	       "  restart-ms, state, counters) through libsocketcan.\n");
	return 0;
}

static int cmd_time(int argc, char **argv)
{
	uint32_t br = 1000000, dbr = 0;
	int nframes = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return help();
		if (strcmp(argv[i], "--bitrate") == 0 ||
		    strcmp(argv[i], "--data-bitrate") == 0) {
			if (i + 1 >= argc)
				return dx_tool_usage("bus", "option needs a value");
			if (dx_tool_parse_u32(argv[i + 1], argv[i], 1,
					      1000000000u,
					      argv[i][2] == 'b' ? &br : &dbr))
				return 2;
			i++;
		}
	}
	for (int i = 1; i < argc; i++) {
		struct dx_can_frame f;
		struct dx_can_frame_bits b;
		int err;

		if (strcmp(argv[i], "--bitrate") == 0 ||
		    strcmp(argv[i], "--data-bitrate") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			return dx_tool_usage("bus", "unknown option");
		nframes++;
		err = dx_can_frame_parse(argv[i], &f);
		if (!err)
			err = dx_can_frame_bits(&f, &b);
		if (err) {
			fprintf(stderr, "dx bus time: '%s': %s (%s)\n", argv[i],
				dx_strerror(err), dx_errname(err));
			rc = 1;
			continue;
		}
		/* ns are exact to 1 ns; print us with 3 decimals */
		printf("%s bits=%u stuff=%u us=%.3f\n", argv[i], b.bits,
		       b.stuff_bits, (double)dx_can_bits_ns(&b, br, dbr) / 1e3);
	}
	if (nframes == 0)
		return dx_tool_usage("bus", "time needs at least one FRAME");
	return rc;
}

struct bus_def {
	char name[32];
	struct dx_can_bus_rates rates;
};

static char *next_tok(char **p)
{
	char *s = *p, *t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n' || *s == '#' || *s == '\r')
		return NULL;
	t = s;
	while (*s && !isspace((unsigned char)*s) && *s != '#')
		s++;
	if (*s == '#') {
		*s = '\0';
		*p = s;
		**p = '\0';
	} else if (*s) {
		*s++ = '\0';
		*p = s;
	} else {
		*p = s;
	}
	return t;
}

static int parse_budget(FILE *in, const char *path, struct bus_def *buses,
			size_t *nb, struct dx_can_periodic *fr, size_t *nf)
{
	char line[512];
	unsigned long lineno = 0;

	*nb = *nf = 0;
	while (fgets(line, sizeof(line), in)) {
		char *p = line, *tok[12];
		int nt = 0;

		lineno++;
		while (nt < 12 && (tok[nt] = next_tok(&p)) != NULL)
			nt++;
		if (nt == 0)
			continue;
#define BAD(msg)                                                              \
	do {                                                                  \
		fprintf(stderr, "dx bus budget: %s:%lu: %s\n", path, lineno,  \
			msg);                                                 \
		return -1;                                                    \
	} while (0)
		if (nt == 12)
			BAD("too many fields");
		if (strcmp(tok[0], "bus") == 0) {
			struct bus_def *b = &buses[*nb];
			if (nt < 3 || nt > 4)
				BAD("expected: bus NAME BITRATE [DATA_BITRATE]");
			if (*nb == MAX_BUSES)
				BAD("too many buses");
			if (strlen(tok[1]) >= sizeof(b->name))
				BAD("bus name too long");
			for (size_t i = 0; i < *nb; i++)
				if (strcmp(buses[i].name, tok[1]) == 0)
					BAD("bus defined twice");
			strcpy(b->name, tok[1]);
			b->rates.data_bitrate = 0;
			if (dx_tool_parse_u32(tok[2], "BITRATE", 1, 1000000000u,
					      &b->rates.bitrate) ||
			    (nt == 4 &&
			     dx_tool_parse_u32(tok[3], "DATA_BITRATE", 1,
					       1000000000u,
					       &b->rates.data_bitrate)))
				BAD("bad bitrate");
			(*nb)++;
		} else if (strcmp(tok[0], "frame") == 0) {
			struct dx_can_periodic *f = &fr[*nf];
			size_t bi;
			char *end;
			unsigned long id;
			uint32_t len;

			if (nt < 5)
				BAD("expected: frame BUS ID LEN RATE_HZ [flags]");
			if (*nf == MAX_PERIODIC)
				BAD("too many frames");
			for (bi = 0; bi < *nb; bi++)
				if (strcmp(buses[bi].name, tok[1]) == 0)
					break;
			if (bi == *nb)
				BAD("unknown bus (define it with a bus line first)");
			memset(f, 0, sizeof(*f));
			f->bus = (unsigned)bi;
			errno = 0;
			id = strtoul(tok[2], &end, 16);
			if (*end || errno || tok[2][0] == '-' ||
			    id > DX_CAN_EFF_MASK)
				BAD("bad ID (hex, at most 1FFFFFFF)");
			f->id = (uint32_t)id;
			if (strlen(tok[2]) == 8)
				f->flags |= DX_CAN_EXT;
			if (dx_tool_parse_u32(tok[3], "LEN", 0, 64, &len))
				BAD("bad LEN");
			f->len = (uint8_t)len;
			if (dx_tool_parse_double(tok[4], "RATE_HZ", &f->rate_hz) ||
			    f->rate_hz <= 0)
				BAD("bad RATE_HZ (must be > 0)");
			for (int k = 5; k < nt; k++) {
				if (strcmp(tok[k], "ext") == 0)
					f->flags |= DX_CAN_EXT;
				else if (strcmp(tok[k], "fd") == 0)
					f->flags |= DX_CAN_FD;
				else if (strcmp(tok[k], "brs") == 0)
					f->flags |= DX_CAN_FD | DX_CAN_BRS;
				else if (strcmp(tok[k], "rtr") == 0)
					f->flags |= DX_CAN_RTR;
				else
					BAD("unknown flag (ext, fd, brs, rtr)");
			}
			if (!(f->flags & DX_CAN_EXT) && f->id > DX_CAN_SFF_MASK)
				BAD("ID above 7FF needs ext or 8 hex digits");
			{
				struct dx_can_frame_bits w;
				int err = dx_can_frame_bits_worst(f->id, f->flags,
								  f->len, &w);
				if (err == DX_EMSGSIZE)
					BAD("LEN is not valid for this frame type");
				if (err)
					BAD("invalid frame (FD remote frame?)");
			}
			(*nf)++;
		} else {
			BAD("expected 'bus' or 'frame'");
		}
#undef BAD
	}
	return 0;
}

static int cmd_budget(int argc, char **argv)
{
	static struct dx_can_periodic fr[MAX_PERIODIC];
	struct bus_def buses[MAX_BUSES];
	struct dx_can_bus_rates rates[MAX_BUSES];
	struct dx_can_bus_budget out[MAX_BUSES];
	const char *path = NULL;
	double max_load = 0.7, common;
	size_t nb, nf;
	FILE *in;
	int err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return help();
		if (strcmp(argv[i], "--max-load") == 0) {
			if (i + 1 >= argc ||
			    dx_tool_parse_double(argv[i + 1], "--max-load",
						 &max_load))
				return 2;
			if (max_load <= 0 || max_load > 1)
				return dx_tool_usage("bus",
					"--max-load must be in (0, 1]");
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return dx_tool_usage("bus", "unknown option");
		} else if (!path) {
			path = argv[i];
		} else {
			return dx_tool_usage("bus", "budget takes one FILE");
		}
	}
	if (!path)
		return dx_tool_usage("bus", "budget needs a FILE");
	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!in) {
		fprintf(stderr, "dx bus budget: %s: cannot open\n", path);
		return 1;
	}
	err = parse_budget(in, path, buses, &nb, fr, &nf);
	if (in != stdin)
		fclose(in);
	if (err)
		return 1;
	if (nb == 0) {
		fprintf(stderr, "dx bus budget: %s: no bus defined\n", path);
		return 1;
	}
	for (size_t i = 0; i < nb; i++)
		rates[i] = buses[i].rates;
	err = dx_can_budget_plan(fr, nf, rates, nb, max_load, out, &common);
	if (err && err != DX_EBUDGET)
		return dx_tool_fail("budget", err);
	for (size_t i = 0; i < nb; i++) {
		const struct dx_can_bus_budget *o = &out[i];
		printf("bus %s: %u frames, %.1f frames/s, load %.2f%% of "
		       "%.0f%%: %s", buses[i].name, o->n_frames,
		       o->frames_per_s, o->load * 100, max_load * 100,
		       o->fits ? "fits" : "OVER BUDGET");
		if (o->n_frames)
			printf(", rates may scale x%.3f, all once per period "
			       "up to %.1f Hz\n", o->max_scale, o->max_common_hz);
		else
			printf("\n");
	}
	if (isinf(common))
		printf("total: %s\n", err ? "over budget" : "fits");
	else
		printf("total: %s; highest common rate %.1f Hz\n",
		       err ? "over budget" : "fits", common);
	return err ? 1 : 0;
}

int dx_cmd_bus(int argc, char **argv)
{
	const char *verb;

	if (argc < 2)
		return dx_tool_usage("bus", "missing subcommand");
	verb = argv[1];
	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 ||
	    strcmp(verb, "help") == 0)
		return help();
	if (strcmp(verb, "time") == 0)
		return cmd_time(argc - 1, argv + 1);
	if (strcmp(verb, "budget") == 0)
		return cmd_budget(argc - 1, argv + 1);
	if (strcmp(verb, "show") == 0 || strcmp(verb, "set") == 0 ||
	    strcmp(verb, "start") == 0 || strcmp(verb, "stop") == 0 ||
	    strcmp(verb, "restart") == 0) {
#ifdef DX_HAVE_BUS_IFACE
		return dx_bus_iface_cmd(argc - 1, argv + 1);
#else
		fprintf(stderr, "dx bus %s: interface control is not built "
				"into this dx\n", verb);
		return 1;
#endif
	}
	return dx_tool_usage("bus", "unknown subcommand");
}
