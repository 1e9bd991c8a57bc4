/* SPDX-License-Identifier: MIT */
/* dx scan: find drives on a bus by asking every address once, in batches,
 * and listening for the answers. */
#include <stdio.h>
#include <string.h>

#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/simbus.h>

#include "dx.h"

static int usage(void)
{
	printf("usage: dx scan BUS [--proto cia402|odrive|mit] [--model MODEL]\n"
	       "               [--max-id N] [--timeout S]\n"
	       "Asks every address of the protocol(s) once and lists who answers.\n"
	       "  cia402  SDO read of 0x1000 (device type) to nodes 1..127\n"
	       "  odrive  heartbeat request to nodes 0..63\n"
	       "  mit     a DISABLE frame to ids 1..N (default 32) with the model\n"
	       "          given by --model (default ak80-9): this switches the\n"
	       "          answering drives off, so scan MIT buses only at rest\n"
	       "Default: cia402 and odrive (non-intrusive). --timeout S: listen\n"
	       "time after the requests (0.2 s).\n");
	return 0;
}

static int64_t bus_now(struct dx_can *c)
{
	return dx_simbus_is(c) ? dx_simbus_now(c) : dx_time_now_ns();
}

/* Sends @p n frames, waiting for room in the TX queue. */
static int send_all(struct dx_can *c, const struct dx_can_frame *f, size_t n)
{
	size_t done = 0;
	int64_t give_up = bus_now(c) + DX_NS_PER_S;

	while (done < n) {
		int s = dx_can_send(c, f + done, n - done);
		if (s > 0) {
			done += (size_t)s;
			continue;
		}
		if (s != DX_ENOBUFS && s != 0)
			return s;
		if (bus_now(c) > give_up)
			return DX_ETIMEDOUT;
		if (dx_simbus_is(c))
			dx_simbus_wait_tx(c, bus_now(c) + DX_NS_PER_MS);
		else {
			struct timespec ts = {0, 200000};
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

int dx_cmd_scan(int argc, char **argv)
{
	static struct dx_can_frame tx[256], rx[64];
	bool do402 = true, doodrive = true, domit = false;
	const char *bus = NULL, *model = "ak80-9";
	uint32_t maxid = 32;
	double timeout = 0.2;
	struct dx_can *c = NULL;
	bool seen402[128] = {false}, seenod[64] = {false}, seenmit[256] = {false};
	size_t n = 0;
	int err, found = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage();
		if (!strcmp(a, "--proto") || !strcmp(a, "--model") ||
		    !strcmp(a, "--max-id") || !strcmp(a, "--timeout")) {
			const char *v;
			if (++i >= argc)
				return dx_tool_usage("scan", "option needs a value");
			v = argv[i];
			if (!strcmp(a, "--proto")) {
				do402 = !strcmp(v, "cia402");
				doodrive = !strcmp(v, "odrive");
				domit = !strcmp(v, "mit");
				if (!do402 && !doodrive && !domit)
					return dx_tool_usage("scan", "bad --proto");
			} else if (!strcmp(a, "--model")) {
				model = v;
			} else if (!strcmp(a, "--max-id")) {
				if (dx_tool_parse_u32(v, "--max-id", 1, 255, &maxid))
					return 2;
			} else if (dx_tool_parse_double(v, "--timeout", &timeout) ||
				   timeout <= 0 || timeout > 60) {
				return dx_tool_usage("scan", "bad --timeout");
			}
			continue;
		}
		if (a[0] == '-')
			return dx_tool_usage("scan", "unknown option");
		if (bus)
			return dx_tool_usage("scan", "one bus only");
		bus = a;
	}
	if (!bus)
		return dx_tool_usage("scan", "give a BUS");
	const struct dx_mit_model *mm = dx_mit_model_find(model);
	if (domit && !mm)
		return dx_tool_usage("scan", "unknown --model");
	if (do402) {
		for (unsigned node = 1; node <= 127; node++) {
			struct dx_sdo q = {DX_SDO_UPLOAD_REQ, (uint8_t)node, 0x1000,
					   0, 0, 0};
			dx_sdo_encode(&q, &tx[n++]);
		}
	}
	if (doodrive) {
		for (unsigned node = 0; node < 64; node++) {
			struct dx_odrive_msg m;
			memset(&m, 0, sizeof(m));
			m.node = (uint8_t)node, m.cmd = DX_ODRIVE_HEARTBEAT;
			m.rtr = true;
			dx_odrive_encode(NULL, &m, &tx[n++], NULL);
		}
	}
	if (domit) {
		for (unsigned id = 1; id <= maxid && n < DX_ARRAY_SIZE(tx); id++) {
			struct dx_mit_addr a = {mm, (uint8_t)id,
				mm->family == DX_MIT_DAMIAO ? (uint8_t)(id + 0x10) :
				mm->family == DX_MIT_ROBSTRIDE ? 0xfd : 0};
			if (mm->family == DX_MIT_DAMIAO && id > 15)
				break;
			dx_mit_encode_special(&a, DX_MIT_DISABLE, &tx[n++]);
		}
	}
	err = dx_can_open(&c, bus, NULL);
	if (err)
		return dx_tool_fail(bus, err);
	err = send_all(c, tx, n);
	if (err) {
		dx_can_close(c);
		return dx_tool_fail("send", err);
	}
	int64_t end = bus_now(c) + (int64_t)(timeout * 1e9);
	while (bus_now(c) < end) {
		int got = dx_can_recv(c, rx, DX_ARRAY_SIZE(rx));
		if (got < 0) {
			dx_can_close(c);
			return dx_tool_fail("receive", got);
		}
		if (got == 0) {
			dx_can_wait(c, end);
			continue;
		}
		for (int k = 0; k < got; k++) {
			const struct dx_can_frame *f = &rx[k];
			struct dx_sdo s;
			struct dx_odrive_msg m;
			if (f->flags & DX_CAN_ERR)
				continue;
			if (do402 && dx_sdo_decode(f, &s) == 0 &&
			    f->id >= DX_CO_SDO_TX && f->id < DX_CO_SDO_RX &&
			    !seen402[s.node]) {
				seen402[s.node] = true;
				found++;
				if (s.kind == DX_SDO_UPLOAD_RESP)
					printf("cia402 node %3u  device type 0x%08x%s\n",
					       s.node, s.value,
					       (s.value & 0xffff) == 402 ?
					       " (drive profile 402)" : "");
				else
					printf("canopen node %3u  answers (abort 0x%08x)\n",
					       s.node, s.value);
				continue;
			}
			if (doodrive && !(f->flags & (DX_CAN_EXT | DX_CAN_RTR)) &&
			    (f->id & 0x1f) == DX_ODRIVE_HEARTBEAT &&
			    dx_odrive_decode(f, &m) == 0 && !seenod[m.node]) {
				seenod[m.node] = true;
				found++;
				printf("odrive node %3u  axis state %u errors 0x%08x\n",
				       m.node, m.u.heartbeat.state,
				       m.u.heartbeat.axis_error);
				continue;
			}
			if (domit) {
				for (unsigned id = 1; id <= maxid; id++) {
					struct dx_mit_addr a = {mm, (uint8_t)id,
						mm->family == DX_MIT_DAMIAO ?
						(uint8_t)(id + 0x10) :
						mm->family == DX_MIT_ROBSTRIDE ?
						0xfd : 0};
					struct dx_mit_fb fb;
					if (seenmit[id] ||
					    dx_mit_decode_reply(&a, f, &fb))
						continue;
					seenmit[id] = true;
					found++;
					printf("%s id %3u  pos %.4f rad temp %.0f °C "
					       "fault %s\n", mm->name, id, fb.pos,
					       fb.temp_c,
					       dx_drive_fault_name(fb.fault));
				}
			}
		}
	}
	dx_can_close(c);
	printf("%d device(s) found\n", found);
	return 0;
}
