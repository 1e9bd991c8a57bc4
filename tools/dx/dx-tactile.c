/* SPDX-License-Identifier: MIT */
/* dx tactile: live text heat map of a pad, tare check, recording to CSV,
 * and a virtual pad served on a bus so the rest can be tried without
 * hardware. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/can.h>
#include <dexrt/simpad.h>
#include <dexrt/tactile.h>

#include "dx.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: dx tactile view TRANSPORT --board ID [options]\n"
"       dx tactile tare TRANSPORT --board ID [options]\n"
"       dx tactile record FILE TRANSPORT --board ID [options]\n"
"       dx tactile sim TRANSPORT --board ID [options] [sim options]\n"
"\n"
"view    live text heat map of the pad's normal force per taxel, refreshed\n"
"        in place (ANSI escapes) on a terminal, one map after another\n"
"        otherwise; contacts listed under the map\n"
"tare    collects the tare and prints each taxel's baseline (N) and noise\n"
"record  writes one CSV line per cycle: time, state, contacts, then every\n"
"        taxel's normal force (N)\n"
"sim     serves a virtual pad: answers uSkin triggers and dexrt SCAN\n"
"        commands, streams after a dexrt START\n"
"\n"
"options:\n"
"  --board ID        board id (dexrt 0..255, uSkin 1..15)\n"
"  --proto P         dexrt (default) or uskin\n"
"  --rows R --cols C grid size (default 4 x 4)\n"
"  --pitch M         taxel pitch, m (default 0.004)\n"
"  --axes N          1 or 3 (default 3)\n"
"  --gain G          N per count (default 0.001)\n"
"  --offset C        counts at rest removed before the gain (uSkin: 32768)\n"
"  --fd              CAN FD frames\n"
"  --period-ms P     cycle period (default 20)\n"
"  --count N         stop after N cycles (view default: until Ctrl-C;\n"
"                    record default 100)\n"
"  --tare N          tare samples (default 20)\n"
"  --full N          force shown as the hottest cell (default 0.5 N)\n"
"  --ansi / --no-ansi  force refreshing in place on or off\n"
"sim options:\n"
"  --press X,Y,FZ[,FX,FY]  contact at (X, Y) m with force N (default centre, 1 N)\n"
"  --radius M        contact radius (default 0.003)\n"
"  --noise C         noise, counts (default 2)\n"
"  --delay S         press starts S seconds after start (default 1)\n"
"  --slip            slip mode on (from when the press starts)\n"
"  --seconds S       stop after S seconds (default: until Ctrl-C)\n");
}

struct opts {
	const char *verb, *transport, *file;
	uint32_t board;
	enum dx_tactile_proto proto;
	uint32_t rows, cols, axes, count, tare;
	double pitch, gain, offset, period_ms, full;
	bool fd, board_set;
	int ansi; /* -1 auto */
	double press[5], radius, noise, seconds, delay;
	bool slip;
};

static int parse_press(const char *s, double v[5])
{
	char buf[128], *tok, *save = NULL;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	memset(v, 0, 5 * sizeof(double));
	for (tok = strtok_r(buf, ",", &save); tok && n < 5;
	     tok = strtok_r(NULL, ",", &save))
		if (dx_tool_parse_double(tok, "--press", &v[n++]) < 0)
			return -1;
	if (tok || n < 3)
		return -1;
	/* given as X,Y,FZ[,FX,FY]: store as x, y, fx, fy, fz */
	{
		double fz = v[2];
		v[2] = n > 3 ? v[3] : 0;
		v[3] = n > 4 ? v[4] : 0;
		v[4] = fz;
	}
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"board", required_argument, NULL, 'b'},
		{"proto", required_argument, NULL, 'p'},
		{"rows", required_argument, NULL, 'r'},
		{"cols", required_argument, NULL, 'c'},
		{"pitch", required_argument, NULL, 'P'},
		{"axes", required_argument, NULL, 'a'},
		{"gain", required_argument, NULL, 'g'},
		{"offset", required_argument, NULL, 'o'},
		{"fd", no_argument, NULL, 'f'},
		{"period-ms", required_argument, NULL, 'T'},
		{"count", required_argument, NULL, 'n'},
		{"tare", required_argument, NULL, 't'},
		{"full", required_argument, NULL, 'F'},
		{"ansi", no_argument, NULL, 'A'},
		{"no-ansi", no_argument, NULL, 'N'},
		{"press", required_argument, NULL, 'x'},
		{"radius", required_argument, NULL, 'R'},
		{"noise", required_argument, NULL, 'z'},
		{"slip", no_argument, NULL, 's'},
		{"delay", required_argument, NULL, 'D'},
		{"seconds", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, need;
	bool offset_set = false;

	memset(o, 0, sizeof(*o));
	o->rows = o->cols = 4;
	o->axes = 3;
	o->pitch = 0.004;
	o->gain = 0.001;
	o->period_ms = 20;
	o->tare = 20;
	o->full = 0.5;
	o->ansi = -1;
	o->radius = 0.003;
	o->noise = 2;
	o->press[4] = 1.0;
	o->delay = 1.0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'b':
			bad = dx_tool_parse_u32(optarg, "--board", 0, 255, &o->board);
			o->board_set = true;
			break;
		case 'p':
			if (strcmp(optarg, "dexrt") == 0)
				o->proto = DX_TACTILE_PROTO_DEXRT;
			else if (strcmp(optarg, "uskin") == 0)
				o->proto = DX_TACTILE_PROTO_USKIN;
			else
				return dx_tool_usage("tactile",
						     "--proto is dexrt or uskin");
			break;
		case 'r':
			bad = dx_tool_parse_u32(optarg, "--rows", 1, 256, &o->rows);
			break;
		case 'c':
			bad = dx_tool_parse_u32(optarg, "--cols", 1, 256, &o->cols);
			break;
		case 'P':
			bad = dx_tool_parse_double(optarg, "--pitch", &o->pitch);
			break;
		case 'a':
			bad = dx_tool_parse_u32(optarg, "--axes", 1, 3, &o->axes);
			if (!bad && o->axes == 2)
				return dx_tool_usage("tactile", "--axes is 1 or 3");
			break;
		case 'g':
			bad = dx_tool_parse_double(optarg, "--gain", &o->gain);
			break;
		case 'o':
			bad = dx_tool_parse_double(optarg, "--offset", &o->offset);
			offset_set = true;
			break;
		case 'f':
			o->fd = true;
			break;
		case 'T':
			bad = dx_tool_parse_double(optarg, "--period-ms",
						   &o->period_ms);
			if (!bad && !(o->period_ms >= 0.1 && o->period_ms <= 10000))
				return dx_tool_usage("tactile",
						     "--period-ms in [0.1, 10000]");
			break;
		case 'n':
			bad = dx_tool_parse_u32(optarg, "--count", 1, UINT32_MAX,
						&o->count);
			break;
		case 't':
			bad = dx_tool_parse_u32(optarg, "--tare", 1, 100000, &o->tare);
			break;
		case 'F':
			bad = dx_tool_parse_double(optarg, "--full", &o->full);
			if (!bad && !(o->full > 0))
				return dx_tool_usage("tactile", "--full must be > 0");
			break;
		case 'A':
			o->ansi = 1;
			break;
		case 'N':
			o->ansi = 0;
			break;
		case 'x':
			if (parse_press(optarg, o->press) < 0)
				return dx_tool_usage("tactile",
						     "--press X,Y,FZ[,FX,FY]");
			break;
		case 'R':
			bad = dx_tool_parse_double(optarg, "--radius", &o->radius);
			break;
		case 'z':
			bad = dx_tool_parse_double(optarg, "--noise", &o->noise);
			break;
		case 's':
			o->slip = true;
			break;
		case 'D':
			bad = dx_tool_parse_double(optarg, "--delay", &o->delay);
			break;
		case 'S':
			bad = dx_tool_parse_double(optarg, "--seconds", &o->seconds);
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return dx_tool_usage("tactile", "unknown option");
		}
		if (bad)
			return 2;
	}
	if (optind >= argc)
		return dx_tool_usage("tactile", "missing verb");
	o->verb = argv[optind++];
	need = strcmp(o->verb, "record") == 0 ? 2 : 1;
	if (argc - optind != need)
		return dx_tool_usage("tactile", need == 2
					 ? "record needs FILE and TRANSPORT"
					 : "expected one TRANSPORT");
	if (need == 2)
		o->file = argv[optind++];
	o->transport = argv[optind];
	if (!o->board_set)
		return dx_tool_usage("tactile", "--board is required");
	if ((size_t)o->rows * o->cols > DX_TACTILE_MAX_TAXELS)
		return dx_tool_usage("tactile", "at most 256 taxels");
	if (o->proto == DX_TACTILE_PROTO_USKIN) {
		if (o->board < 1 || o->board > DX_USKIN_MAX_BOARD)
			return dx_tool_usage("tactile", "uSkin boards are 1..15");
		if (o->axes != 3 || o->rows * o->cols > DX_USKIN_TAXELS_PER_BOARD)
			return dx_tool_usage("tactile",
					     "uSkin boards have up to 16 3-axis taxels");
		if (!offset_set)
			o->offset = 32768;
	}
	if (!(o->pitch > 0) || o->gain == 0 || !(o->radius > 0) ||
	    !(o->noise >= 0) || o->seconds < 0 || o->delay < 0)
		return dx_tool_usage("tactile", "pitch, gain and radius must be "
					 "positive, noise, seconds and delay not "
					 "negative");
	if (o->count == 0 && strcmp(o->verb, "record") == 0)
		o->count = 100;
	return 0;
}

/* ---- host side ----------------------------------------------------------- */

static struct dx_tactile_pad pad;
static struct dx_simpad sim;

static int pad_setup(const struct opts *o)
{
	static struct dx_tactile_calib cal[DX_TACTILE_MAX_TAXELS];
	struct dx_tactile_pad_config c;
	unsigned n = o->rows * o->cols;
	int err;

	dx_tactile_pad_config_default(&c, o->proto);
	c.board = o->board;
	c.axes = o->axes;
	c.rows = o->rows;
	c.cols = o->cols;
	c.pitch = (float)o->pitch;
	c.params.tare_samples = o->tare;
	c.params.dead_cycles = 1000;
	for (unsigned i = 0; i < n; i++)
		for (int a = 0; a < 3; a++) {
			cal[i].offset[a] = (float)o->offset;
			cal[i].poly[a][0] = (float)o->gain;
			cal[i].poly[a][1] = 0;
			cal[i].poly[a][2] = 0;
		}
	c.calib = cal;
	err = dx_tactile_pad_init(&pad, &c);
	if (err)
		return dx_tool_fail("pad configuration", err);
	return 0;
}

/* One host cycle: request a scan, collect frames until the scan is in or
 * the period is over, run the pipeline. */
static int host_cycle(struct dx_can *bus, const struct opts *o, int64_t *last,
		      struct dx_tactile_result *res)
{
	struct dx_can_frame req, fr[64];
	int64_t now, deadline;
	unsigned expect, got = 0;
	int err, n;

	expect = o->proto == DX_TACTILE_PROTO_USKIN
			 ? o->rows * o->cols
			 : (o->rows * o->cols + dx_taxel_frame_capacity(o->axes, o->fd) - 1) /
				   dx_taxel_frame_capacity(o->axes, o->fd);
	dx_tactile_pad_request(&pad, &req);
	err = dx_can_send(bus, &req, 1);
	if (err < 0)
		return dx_tool_fail("send", err);
	deadline = *last + (int64_t)(o->period_ms * 1e6);
	while (got < expect && !stop) {
		err = dx_can_wait(bus, deadline);
		if (err == DX_ETIMEDOUT)
			break;
		if (err < 0 && err != DX_EAGAIN)
			return dx_tool_fail("wait", err);
		n = dx_can_recv(bus, fr, DX_ARRAY_SIZE(fr));
		if (n < 0)
			return dx_tool_fail("receive", n);
		for (int i = 0; i < n; i++)
			if (dx_tactile_pad_rx(&pad, &fr[i]) == 1)
				got++;
	}
	/* pace the cycle to the period */
	now = dx_time_now_ns();
	if (now < deadline) {
		struct timespec ts = dx_ns_to_timespec(deadline);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = dx_time_now_ns();
	}
	err = dx_tactile_pad_update(&pad, (double)(now - *last) * 1e-9, NULL, res);
	*last = now;
	if (err)
		return dx_tool_fail("pipeline", err);
	return got == expect ? 0 : -1; /* -1: incomplete scan (not fatal) */
}

static void print_faults(FILE *out)
{
	struct dx_tactile_fault f;

	while (dx_tactile_pad_fault_pop(&pad, &f) == 0)
		fprintf(out, "fault: taxel %u %s %s\n", f.taxel,
			f.kind == DX_TACTILE_FAULT_DEAD ? "dead"
			: f.kind == DX_TACTILE_FAULT_STUCK ? "stuck"
							   : "saturated",
			f.set ? "(masked)" : "(cleared)");
}

static const char *state_name(enum dx_tactile_state s)
{
	return s == DX_TACTILE_RUNNING ? "running"
	       : s == DX_TACTILE_TARING ? "taring"
					: "waiting";
}

static void draw(const struct opts *o, const struct dx_tactile_result *res,
		 unsigned missed, bool ansi)
{
	static const char shades[] = " .:-=+*#%@";
	unsigned levels = sizeof(shades) - 2;

	if (ansi)
		fputs("\033[H", stdout);
	printf("pad board %u (%s) cycle %llu  %s  contacts %u  masked %u  "
	       "incomplete scans %u%s\n",
	       o->board, o->proto == DX_TACTILE_PROTO_USKIN ? "uskin" : "dexrt",
	       (unsigned long long)res->cycle, state_name(res->state),
	       res->n_contacts, res->n_masked, missed, ansi ? "\033[K" : "");
	for (unsigned r = o->rows; r-- > 0;) { /* +y up */
		putchar('|');
		for (unsigned c = 0; c < o->cols; c++) {
			float p = dx_tactile_pad_taxel_force(&pad, r * o->cols + c);
			int k = (int)(p / o->full * (float)levels + 0.5f);
			char ch;
			if (k < 0)
				k = 0;
			if (k > (int)levels)
				k = (int)levels;
			ch = shades[k];
			if (ansi) {
				/* 256-colour ramp from dark blue to red */
				static const int col[] = {17, 19, 21, 27, 33, 45,
							  220, 208, 202, 196};
				printf("\033[48;5;%dm%c%c\033[0m", col[k], ch, ch);
			} else {
				putchar(ch);
				putchar(ch);
			}
		}
		printf("|%s\n", ansi ? "\033[K" : "");
	}
	for (unsigned k = 0; k < DX_TACTILE_MAX_CONTACTS; k++) {
		if (k < res->n_contacts) {
			const struct dx_tactile_contact *c = &res->contacts[k];
			printf("contact %u: Fn %.3f N  shear (%.3f %.3f %.3f) N  "
			       "CoP (%.2f, %.2f) mm  taxels %u%s%s\n",
			       c->id, c->normal_force, c->shear[0], c->shear[1],
			       c->shear[2], c->cop[0] * 1e3, c->cop[1] * 1e3,
			       c->n_taxels, c->slip ? "  SLIP" : "",
			       ansi ? "\033[K" : "");
		} else if (ansi) {
			fputs("\033[K\n", stdout);
		}
	}
	if (!ansi)
		putchar('\n');
	fflush(stdout);
}

static int open_bus(const struct opts *o, struct dx_can **bus)
{
	struct dx_can_opts co;
	int err;

	memset(&co, 0, sizeof(co));
	co.fd = o->fd;
	err = dx_can_open(bus, o->transport, &co);
	if (err)
		return dx_tool_fail(o->transport, err);
	return 0;
}

static int cmd_view(const struct opts *o)
{
	struct dx_tactile_result res;
	struct dx_can *bus;
	bool ansi = o->ansi >= 0 ? o->ansi : isatty(STDOUT_FILENO);
	unsigned missed = 0;
	int64_t last;
	int rc = 0, err;

	if (pad_setup(o) || open_bus(o, &bus))
		return 1;
	if (ansi)
		fputs("\033[2J", stdout);
	last = dx_time_now_ns();
	for (uint32_t i = 0; !stop && (o->count == 0 || i < o->count); i++) {
		err = host_cycle(bus, o, &last, &res);
		if (err > 0) {
			rc = 1;
			break;
		}
		missed += err < 0;
		draw(o, &res, missed, ansi);
		print_faults(stdout);
	}
	{
		const struct dx_tactile_rx_stats *st = &pad.rx;
		fprintf(stderr, "frames %llu, bad length %llu, bad format %llu, "
			"bad value %llu, sequence gaps %llu, stale %llu, "
			"invalid readings %llu\n",
			(unsigned long long)st->frames,
			(unsigned long long)st->bad_length,
			(unsigned long long)st->bad_format,
			(unsigned long long)st->bad_value,
			(unsigned long long)st->seq_gaps,
			(unsigned long long)st->seq_stale,
			(unsigned long long)st->invalid);
	}
	dx_can_close(bus);
	return rc;
}

static int cmd_tare(const struct opts *o)
{
	struct dx_tactile_result res;
	struct dx_can *bus;
	int64_t last;
	unsigned missed = 0;
	int err;

	if (pad_setup(o) || open_bus(o, &bus))
		return 1;
	last = dx_time_now_ns();
	res.state = DX_TACTILE_WAITING;
	for (unsigned i = 0; !stop && res.state != DX_TACTILE_RUNNING; i++) {
		err = host_cycle(bus, o, &last, &res);
		if (err > 0) {
			dx_can_close(bus);
			return 1;
		}
		missed += err < 0;
		if (i > o->tare + 100 && res.state == DX_TACTILE_WAITING)
			break;
	}
	dx_can_close(bus);
	if (res.state != DX_TACTILE_RUNNING) {
		fprintf(stderr, "dx tactile: no data from board %u (%u "
			"incomplete scans)\n", o->board, missed);
		return 1;
	}
	printf("tare of board %u over %u samples: baseline (N) of the %s axis\n",
	       o->board, o->tare, o->axes == 3 ? "normal (Z)" : "pressure");
	for (unsigned r = o->rows; r-- > 0;) {
		for (unsigned c = 0; c < o->cols; c++) {
			const struct dx_tactile_taxel_state *t = &pad.t[r * o->cols + c];
			printf(" %8.4f", t->base[o->axes == 3 ? 2 : 0]);
		}
		putchar('\n');
	}
	printf("incomplete scans: %u\n", missed);
	return 0;
}

static int cmd_record(const struct opts *o)
{
	struct dx_tactile_result res;
	struct dx_can *bus;
	unsigned n = o->rows * o->cols, missed = 0;
	int64_t last, t0;
	FILE *f;
	int rc = 0, err;

	f = strcmp(o->file, "-") == 0 ? stdout : fopen(o->file, "w");
	if (!f) {
		perror(o->file);
		return 1;
	}
	if (pad_setup(o) || open_bus(o, &bus)) {
		if (f != stdout)
			fclose(f);
		return 1;
	}
	fprintf(f, "t_s,cycle,state,contacts,fn_n,cop_x_m,cop_y_m,slip");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, ",p%u", i);
	fputc('\n', f);
	last = t0 = dx_time_now_ns();
	for (uint32_t i = 0; !stop && i < o->count; i++) {
		err = host_cycle(bus, o, &last, &res);
		if (err > 0) {
			rc = 1;
			break;
		}
		missed += err < 0;
		fprintf(f, "%.6f,%llu,%s,%u", (double)(last - t0) * 1e-9,
			(unsigned long long)res.cycle, state_name(res.state),
			res.n_contacts);
		if (res.n_contacts)
			fprintf(f, ",%.5f,%.6f,%.6f,%d", res.contacts[0].normal_force,
				res.contacts[0].cop[0], res.contacts[0].cop[1],
				res.contacts[0].slip);
		else
			fputs(",0,,,0", f);
		for (unsigned k = 0; k < n; k++)
			fprintf(f, ",%.5f", dx_tactile_pad_taxel_force(&pad, k));
		fputc('\n', f);
	}
	dx_can_close(bus);
	if (f != stdout && fclose(f) != 0) {
		perror(o->file);
		rc = 1;
	}
	fprintf(stderr, "recorded %llu cycles, %u incomplete scans\n",
		(unsigned long long)res.cycle, missed);
	return rc;
}

/* ---- device side --------------------------------------------------------- */

static int cmd_sim(const struct opts *o)
{
	struct dx_simpad_config c;
	struct dx_simpad_contact ct;
	struct dx_can_frame in[64], out[DX_TACTILE_MAX_TAXELS];
	struct dx_can *bus;
	int64_t start, last, next_stream = 0;
	unsigned long long served = 0;
	bool pressed = false;
	int err;

	dx_simpad_config_default(&c, o->proto);
	c.board = o->board;
	c.axes = o->axes;
	c.rows = o->rows;
	c.cols = o->cols;
	c.pitch = (float)o->pitch;
	c.counts_per_n = (float)(1.0 / o->gain);
	if (o->offset != 0 || o->proto == DX_TACTILE_PROTO_USKIN)
		c.offset = (float)o->offset;
	c.noise = (float)o->noise;
	c.fd = o->fd;
	c.seed = o->board + 1;
	err = dx_simpad_init(&sim, &c);
	if (err)
		return dx_tool_fail("virtual pad", err);
	ct.pos[0] = (float)o->press[0];
	ct.pos[1] = (float)o->press[1];
	ct.pos[2] = 0;
	ct.force[0] = (float)o->press[2];
	ct.force[1] = (float)o->press[3];
	ct.force[2] = (float)o->press[4];
	ct.radius = (float)o->radius;
	if (!dx_isfinite(ct.pos[0]) || !dx_isfinite(ct.pos[1]))
		return dx_tool_usage("tactile", "--press out of range");
	if (open_bus(o, &bus))
		return 1;
	fprintf(stderr, "virtual pad: board %u (%s), %u x %u taxels on %s\n",
		o->board, o->proto == DX_TACTILE_PROTO_USKIN ? "uskin" : "dexrt",
		o->rows, o->cols, o->transport);
	start = last = dx_time_now_ns();
	while (!stop) {
		int64_t now = dx_time_now_ns(), deadline;
		unsigned rate;
		int n;

		if (!pressed && now - start >= (int64_t)(o->delay * 1e9)) {
			err = dx_simpad_set_contacts(&sim, &ct, 1);
			if (err) {
				dx_tool_fail("--press", err);
				break;
			}
			if (o->slip) {
				struct dx_simpad_slip sl = {.on = true,
							    .dir = {1, 0, 0}};
				dx_simpad_set_slip(&sim, &sl);
			}
			pressed = true;
		}
		if (o->seconds > 0 && now - start >= (int64_t)(o->seconds * 1e9))
			break;
		deadline = now + 50 * DX_NS_PER_MS;
		if (dx_simpad_streaming(&sim, &rate)) {
			int64_t per = DX_NS_PER_S / (rate ? rate : 100);
			if (next_stream == 0)
				next_stream = now;
			if (now >= next_stream) {
				dx_simpad_step(&sim, (double)(now - last) * 1e-9);
				last = now;
				n = dx_simpad_encode_scan(&sim, out, DX_ARRAY_SIZE(out));
				if (n > 0 && dx_can_send(bus, out, (size_t)n) > 0)
					served++;
				next_stream += per;
			}
			if (next_stream < deadline)
				deadline = next_stream;
		} else {
			next_stream = 0;
		}
		err = dx_can_wait(bus, deadline);
		if (err == DX_ETIMEDOUT)
			continue;
		if (err < 0 && err != DX_EAGAIN) {
			dx_tool_fail("wait", err);
			break;
		}
		n = dx_can_recv(bus, in, DX_ARRAY_SIZE(in));
		if (n < 0) {
			dx_tool_fail("receive", n);
			break;
		}
		for (int i = 0; i < n; i++) {
			int m;
			now = dx_time_now_ns();
			if (now > last) {
				dx_simpad_step(&sim, (double)(now - last) * 1e-9);
				last = now;
			}
			m = dx_simpad_handle(&sim, &in[i], out, DX_ARRAY_SIZE(out));
			if (m > 0) {
				err = dx_can_send(bus, out, (size_t)m);
				if (err < 0)
					dx_tool_fail("send", err);
				else
					served++;
			}
		}
	}
	fprintf(stderr, "virtual pad: served %llu scans\n", served);
	dx_can_close(bus);
	return 0;
}

int dx_cmd_tactile(int argc, char **argv)
{
	struct opts o;
	struct sigaction sa;
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	rc = parse(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	dx_tool_log_to_stderr(false);
	if (strcmp(o.verb, "view") == 0)
		return cmd_view(&o);
	if (strcmp(o.verb, "tare") == 0)
		return cmd_tare(&o);
	if (strcmp(o.verb, "record") == 0)
		return cmd_record(&o);
	if (strcmp(o.verb, "sim") == 0)
		return cmd_sim(&o);
	return dx_tool_usage("tactile", "verb is view, tare, record or sim");
}
