/* SPDX-License-Identifier: MIT */
/* dx motor: enable, disable, zero or clear one drive, move it to a
 * position, or read its state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/simbus.h>

#include "dx.h"

static int usage(void)
{
	printf("usage: dx motor BUS --device DEVSPEC ACTION\n"
	       "ACTION: enable | disable | zero | clear | state |\n"
	       "        move POS [--time S] [--kp KP] [--kd KD]\n"
	       "DEVSPEC as for dx sim, e.g. mit:ak80-64:id=1.\n"
	       "  state  MIT drives only report in reply to a frame: a\n"
	       "         zero-torque command (kp = kd = tau = 0) is sent;\n"
	       "         ODrive: heartbeat and encoder requests; CiA 402: SDO reads\n"
	       "  move   ramps from the present position to POS (rad) in S\n"
	       "         seconds (2) at 200 Hz; MIT gains default kp 20, kd 1\n"
	       "exit status: 0 done, 1 the drive did not answer or failed, 2 usage\n");
	return 0;
}

static struct dx_drive_bus g_bus;

static int64_t bus_now(struct dx_can *c)
{
	return dx_simbus_is(c) ? dx_simbus_now(c) : dx_time_now_ns();
}

static void print_state(const struct dx_drive *d)
{
	printf("pos %.5f rad  vel %.4f rad/s  tau %.4f N·m", d->fb.pos, d->fb.vel,
	       d->fb.tau);
	if (!isnan(d->fb.temp_c))
		printf("  temp %.0f °C", d->fb.temp_c);
	printf("  %s", d->fb.enabled ? "enabled" : "disabled");
	if (d->desc.proto == DX_DRIVE_CIA402)
		printf(" (%s)", dx_cia402_state_name(
			(enum dx_cia402_state)d->fb.state));
	printf("  fault %s (code 0x%x)\n", dx_drive_fault_name(d->fb.fault),
	       d->fb.vendor_code);
}

/* Sends @p f and routes what comes back for @p wait_ns. Returns 1 when the
 * device answered, 0 if not, negative on error. */
static int send_listen(struct dx_can *c, const struct dx_can_frame *f, size_t n,
		       int64_t wait_ns)
{
	struct dx_can_frame rx[32];
	int64_t end;
	int seen = 0, err;

	g_bus.cycle_start_ns = 0;
	g_bus.dev[0].got = 0;
	err = dx_can_send(c, f, n);
	if (err < 0)
		return err;
	end = bus_now(c) + wait_ns;
	while (bus_now(c) < end) {
		int got = dx_can_recv(c, rx, 32);
		if (got < 0)
			return got;
		if (got == 0) {
			dx_can_wait(c, end);
			continue;
		}
		for (int k = 0; k < got; k++) {
			if (dx_drive_bus_lookup(&g_bus, &rx[k]) == 0)
				seen = 1;
			dx_drive_bus_route(&g_bus, &rx[k], true);
			g_bus.dev[0].got = 0;
		}
		if (seen && g_bus.dev[0].desc.proto == DX_DRIVE_MIT)
			break;
	}
	return seen;
}

static int sdo_read(struct dx_can *c, uint8_t node, uint16_t idx,
		    uint32_t *val)
{
	struct dx_sdo q = {DX_SDO_UPLOAD_REQ, node, idx, 0, 0, 0}, r;
	struct dx_can_frame f, rx[16];
	int64_t end;

	dx_sdo_encode(&q, &f);
	if (dx_can_send(c, &f, 1) < 0)
		return DX_EIO;
	end = bus_now(c) + 100 * DX_NS_PER_MS;
	while (bus_now(c) < end) {
		int got = dx_can_recv(c, rx, 16);
		if (got <= 0) {
			dx_can_wait(c, end);
			continue;
		}
		for (int k = 0; k < got; k++)
			if (rx[k].id == DX_CO_SDO_TX + node &&
			    dx_sdo_decode(&rx[k], &r) == 0 && r.index == idx) {
				if (r.kind == DX_SDO_ABORT) {
					fprintf(stderr, "dx motor: SDO 0x%04x: %s\n",
						idx, dx_sdo_abort_name(r.value));
					return DX_EPROTO;
				}
				*val = r.value;
				return 0;
			}
	}
	return DX_ETIMEDOUT;
}

static int cycle(struct dx_can *c)
{
	int64_t now = bus_now(c);
	struct dx_exchange_result res;

	return dx_drive_bus_exchange(&g_bus, now, now + 4 * DX_NS_PER_MS, &res);
}

static void sleep_until(struct dx_can *c, int64_t t)
{
	while (bus_now(c) < t) {
		if (dx_simbus_is(c)) {
			struct dx_simbus_info info;
			if (dx_simbus_get_info(c, &info) == 0 && info.virtual_clock)
				return; /* nobody would move the clock for us */
		}
		int64_t left = t - bus_now(c);
		struct timespec ts = dx_ns_to_timespec(left > 0 ? left : 0);
		nanosleep(&ts, NULL);
	}
}

/* CiA 402: NMT start, then step the state machine. */
static int cia402_to(struct dx_can *c, bool enable)
{
	struct dx_can_frame nmt;
	struct dx_drive *d = &g_bus.dev[0];
	enum dx_cia402_state want = enable ? DX_CIA402_OPERATION_ENABLED :
					     DX_CIA402_SWITCH_ON_DISABLED;

	dx_co_nmt(d->desc.id, DX_NMT_START, &nmt);
	dx_can_send(c, &nmt, 1);
	d->cmd.enable = enable;
	d->cmd.pos = d->fb.pos;
	for (int i = 0; i < 50; i++) {
		int64_t next = bus_now(c) + 5 * DX_NS_PER_MS;
		cycle(c);
		if (d->answered && d->fb.state == (uint32_t)want)
			return 0;
		d->cmd.pos = d->fb.pos;
		sleep_until(c, next);
	}
	return DX_ETIMEDOUT;
}

int dx_cmd_motor(int argc, char **argv)
{
	const char *bus = NULL, *spec = NULL, *action = NULL;
	double target = 0, dur = 2.0, kp = 20.0, kd = 1.0;
	bool have_target = false;
	struct dx_drive_desc desc;
	struct dx_drive_bus_config cfg;
	struct dx_can *c = NULL;
	struct dx_drive *d;
	struct dx_can_frame f[2];
	int err, rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage();
		if (!strcmp(a, "--device") || !strcmp(a, "--time") ||
		    !strcmp(a, "--kp") || !strcmp(a, "--kd")) {
			if (++i >= argc)
				return dx_tool_usage("motor", "option needs a value");
			if (!strcmp(a, "--device"))
				spec = argv[i];
			else if (dx_tool_parse_double(argv[i], a,
						      !strcmp(a, "--time") ? &dur :
						      !strcmp(a, "--kp") ? &kp : &kd))
				return 2;
			continue;
		}
		if (a[0] == '-' && !(action && !strcmp(action, "move") &&
				     !have_target))
			return dx_tool_usage("motor", "unknown option");
		if (!bus) {
			bus = a;
		} else if (!action) {
			action = a;
		} else if (!strcmp(action, "move") && !have_target) {
			if (dx_tool_parse_double(a, "POS", &target))
				return 2;
			have_target = true;
		} else {
			return dx_tool_usage("motor", "too many arguments");
		}
	}
	if (!bus || !spec || !action)
		return dx_tool_usage("motor", "give BUS, --device and an ACTION");
	if (!strcmp(action, "move") && !have_target)
		return dx_tool_usage("motor", "move needs a position");
	if (dur <= 0 || dur > 600 || kp < 0 || kd < 0)
		return dx_tool_usage("motor", "bad --time/--kp/--kd");
	err = dx_drive_desc_parse(spec, &desc);
	if (err)
		return dx_tool_usage("motor", err == DX_ENOENT ? "unknown model" :
					      "bad --device");
	err = dx_can_open(&c, bus, NULL);
	if (err)
		return dx_tool_fail(bus, err);
	memset(&cfg, 0, sizeof(cfg));
	cfg.can = c;
	cfg.devs = &desc;
	cfg.n_devs = 1;
	err = dx_drive_bus_init(&g_bus, &cfg);
	if (err) {
		dx_can_close(c);
		return dx_tool_fail("device", err);
	}
	d = &g_bus.dev[0];

	if (!strcmp(action, "state")) {
		if (desc.proto == DX_DRIVE_CIA402) {
			uint32_t sw, pos, st;
			const struct dx_cia402_model *m = desc.model;
			if (sdo_read(c, desc.id, DX_CIA402_STATUSWORD, &sw) ||
			    sdo_read(c, desc.id, DX_CIA402_POS_ACTUAL, &pos) ||
			    sdo_read(c, desc.id, DX_CIA402_ERROR_CODE, &st)) {
				rc = 1;
				fprintf(stderr, "dx motor: node %u does not answer\n",
					desc.id);
			} else {
				printf("%s, pos %.5f rad, error 0x%04x (%s)\n",
				       dx_cia402_state_name(dx_cia402_state_decode(
					       (uint16_t)sw)),
				       (int32_t)pos / m->counts_per_rad, st,
				       dx_drive_fault_name(
					       dx_cia402_fault_decode((uint16_t)st)));
			}
		} else {
			int n = 0;
			if (desc.proto == DX_DRIVE_ODRIVE) {
				struct dx_odrive_msg m;
				memset(&m, 0, sizeof(m));
				m.node = desc.id, m.rtr = true;
				m.cmd = DX_ODRIVE_HEARTBEAT;
				dx_odrive_encode(NULL, &m, &f[n++], NULL);
				m.cmd = DX_ODRIVE_GET_ENCODER_ESTIMATES;
				dx_odrive_encode(NULL, &m, &f[n++], NULL);
			} else {
				struct dx_mit_addr a = {desc.model, desc.id,
							desc.master};
				struct dx_mit_cmd z = {0, 0, 0, 0, 0};
				dx_mit_encode_cmd(&a, &z, &f[n++], NULL);
			}
			err = send_listen(c, f, (size_t)n, 100 * DX_NS_PER_MS);
			if (err <= 0) {
				fprintf(stderr, "dx motor: no answer\n");
				rc = 1;
			} else {
				print_state(d);
			}
		}
	} else if (!strcmp(action, "move")) {
		/* present position first */
		d->cmd.kp = 0, d->cmd.kd = 0;
		d->cmd.enable = true;
		if (desc.proto == DX_DRIVE_CIA402)
			err = cia402_to(c, true);
		else
			err = cycle(c);
		if (err) {
			fprintf(stderr, "dx motor: no answer (%s)\n", dx_strerror(err));
			rc = 1;
		} else {
			double start = d->fb.pos;
			int steps = (int)ceil(dur * 200.0);
			int64_t t = bus_now(c);
			unsigned misses = 0;
			for (int i = 1; i <= steps; i++) {
				double s = (double)i / steps;
				/* smooth 3s² − 2s³ profile */
				double p = start + (target - start) * s * s *
						   (3 - 2 * s);
				struct dx_drive_cmd cmd = {p, 0, kp, kd, 0,
							   0, true};
				dx_drive_bus_set_cmd(&g_bus, 0, &cmd);
				t += 5 * DX_NS_PER_MS;
				if (cycle(c))
					misses++;
				sleep_until(c, t);
			}
			/* hold the target until the joint has arrived (1 s at
			 * most) */
			for (int i = 0; i < 200 && fabs(d->fb.pos - target) >
						       0.01; i++) {
				t += 5 * DX_NS_PER_MS;
				if (cycle(c))
					misses++;
				sleep_until(c, t);
			}
			print_state(d);
			if (misses)
				fprintf(stderr, "dx motor: %u cycle(s) without "
					"reply\n", misses);
			rc = fabs(d->fb.pos - target) < 0.05 ? 0 : 1;
		}
	} else {
		enum dx_mit_special s =
			!strcmp(action, "enable") ? DX_MIT_ENABLE :
			!strcmp(action, "disable") ? DX_MIT_DISABLE :
			!strcmp(action, "zero") ? DX_MIT_SET_ZERO :
			!strcmp(action, "clear") ? DX_MIT_CLEAR_FAULT : DX_MIT_NONE;
		if (s == DX_MIT_NONE) {
			dx_can_close(c);
			return dx_tool_usage("motor", "unknown ACTION");
		}
		if (desc.proto == DX_DRIVE_CIA402 &&
		    (s == DX_MIT_ENABLE || s == DX_MIT_DISABLE)) {
			err = cia402_to(c, s == DX_MIT_ENABLE);
			if (err)
				rc = dx_tool_fail(action, err);
			else
				print_state(d);
		} else {
			size_t n = 1;
			err = dx_drive_bus_special(&g_bus, 0, s, &f[0]);
			if (!err && desc.proto == DX_DRIVE_ODRIVE) {
				/* ODrive does not answer: ask for a heartbeat */
				struct dx_odrive_msg m;
				memset(&m, 0, sizeof(m));
				m.node = desc.id, m.rtr = true;
				m.cmd = DX_ODRIVE_HEARTBEAT;
				dx_odrive_encode(NULL, &m, &f[n++], NULL);
			}
			if (err) {
				rc = dx_tool_fail(action, err);
			} else {
				err = send_listen(c, f, n, 100 * DX_NS_PER_MS);
				if (err > 0)
					print_state(d);
				else if (desc.proto == DX_DRIVE_MIT) {
					fprintf(stderr, "dx motor: no answer\n");
					rc = 1;
				}
			}
		}
	}
	dx_can_close(c);
	return rc;
}
