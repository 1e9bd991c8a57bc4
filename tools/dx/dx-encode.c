/* SPDX-License-Identifier: MIT */
/* dx encode: print the frame(s) of one drive command in can-utils text
 * form, without a bus. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <dexrt/drive.h>

#include "dx.h"

static int usage(void)
{
	printf("usage: dx encode mit --model MODEL --id N [--master M]\n"
	       "                    [--pos RAD --vel RAD/S --kp KP --kd KD --tau NM]\n"
	       "                    [--special enable|disable|zero|clear]\n"
	       "       dx encode odrive --id NODE [--model NAME]\n"
	       "                    (--input-pos TURNS [--vel T/S --tau NM] |\n"
	       "                     --input-vel T/S [--tau NM] | --input-torque NM |\n"
	       "                     --axis-state N | --estop | --clear-errors |\n"
	       "                     --request CMD)\n"
	       "       dx encode cia402 --id NODE [--model NAME]\n"
	       "                    (--rpdo --cw CW [--mode M --pos RAD --vel RAD/S\n"
	       "                     --tau NM] | --nmt start|stop|preop|reset|\n"
	       "                     reset-comm | --sync | --sdo-read IDX[:SUB] |\n"
	       "                     --sdo-write IDX[:SUB]=VALUE/SIZE)\n"
	       "Prints one frame per line (e.g. 001#8A3D8000A4333800). Values out\n"
	       "of the model's range are clamped and reported on stderr.\n"
	       "MIT models:");
	for (size_t i = 0; i < dx_mit_model_count(); i++)
		printf(" %s", dx_mit_model_at(i)->name);
	printf("\nexample: dx encode mit --model ak80-64 --id 1 --pos 1.0 --vel 0 "
	       "--kp 20 --kd 1 --tau 0\n");
	return 0;
}

static int print_frames(const struct dx_can_frame *f, int n, unsigned clamped)
{
	char text[DX_CAN_TEXT_MAX];

	for (int i = 0; i < n; i++) {
		int err = dx_can_frame_format(&f[i], text, sizeof(text));
		if (err < 0)
			return dx_tool_fail("format", err);
		puts(text);
	}
	if (clamped)
		fprintf(stderr, "dx encode: clamped to the model's range:%s%s%s%s%s\n",
			clamped & DX_DRIVE_CLAMP_POS ? " pos" : "",
			clamped & DX_DRIVE_CLAMP_VEL ? " vel" : "",
			clamped & DX_DRIVE_CLAMP_KP ? " kp" : "",
			clamped & DX_DRIVE_CLAMP_KD ? " kd" : "",
			clamped & DX_DRIVE_CLAMP_TAU ? " tau" : "");
	return 0;
}

enum {
	O_MODEL = 256, O_ID, O_MASTER, O_POS, O_VEL, O_KP, O_KD, O_TAU,
	O_SPECIAL, O_IPOS, O_IVEL, O_ITAU, O_AXIS, O_ESTOP, O_CLEAR, O_REQ,
	O_RPDO, O_CW, O_MODE, O_NMT, O_SYNC, O_SDOR, O_SDOW, O_HELP,
};

static const struct option opts[] = {
	{"model", required_argument, 0, O_MODEL},
	{"id", required_argument, 0, O_ID},
	{"master", required_argument, 0, O_MASTER},
	{"pos", required_argument, 0, O_POS},
	{"vel", required_argument, 0, O_VEL},
	{"kp", required_argument, 0, O_KP},
	{"kd", required_argument, 0, O_KD},
	{"tau", required_argument, 0, O_TAU},
	{"special", required_argument, 0, O_SPECIAL},
	{"input-pos", required_argument, 0, O_IPOS},
	{"input-vel", required_argument, 0, O_IVEL},
	{"input-torque", required_argument, 0, O_ITAU},
	{"axis-state", required_argument, 0, O_AXIS},
	{"estop", no_argument, 0, O_ESTOP},
	{"clear-errors", no_argument, 0, O_CLEAR},
	{"request", required_argument, 0, O_REQ},
	{"rpdo", no_argument, 0, O_RPDO},
	{"cw", required_argument, 0, O_CW},
	{"mode", required_argument, 0, O_MODE},
	{"nmt", required_argument, 0, O_NMT},
	{"sync", no_argument, 0, O_SYNC},
	{"sdo-read", required_argument, 0, O_SDOR},
	{"sdo-write", required_argument, 0, O_SDOW},
	{"help", no_argument, 0, O_HELP},
	{0, 0, 0, 0},
};

/* IDX[:SUB][=VALUE/SIZE] */
static int parse_sdo(const char *s, bool write, struct dx_sdo *q)
{
	unsigned idx, sub = 0, size = 0;
	long long val = 0;
	int used = 0;
	char rest[64];

	if (sscanf(s, "%x%n", &idx, &used) != 1 || idx > 0xffff)
		return -1;
	s += used;
	if (*s == ':') {
		if (sscanf(s + 1, "%u%n", &sub, &used) != 1 || sub > 255)
			return -1;
		s += 1 + used;
	}
	if (write) {
		if (sscanf(s, "=%lli/%u%63s", &val, &size, rest) != 2 ||
		    size < 1 || size > 4 || val < 0 || val > 0xffffffffll)
			return -1;
	} else if (*s) {
		return -1;
	}
	q->index = (uint16_t)idx;
	q->sub = (uint8_t)sub;
	q->size = (uint8_t)size;
	q->value = (uint32_t)val;
	return 0;
}

int dx_cmd_encode(int argc, char **argv)
{
	const char *proto, *model = NULL, *special = NULL, *nmt = NULL;
	const char *sdor = NULL, *sdow = NULL;
	double pos = 0, vel = 0, kp = 0, kd = 0, tau = 0, ipos = 0, ivel = 0,
	       itau = 0;
	uint32_t id = 0, master = 0x10000, axis = 0, req = 0, cw = 0, mode = 8;
	bool have_id = false, have_ipos = false, have_ivel = false,
	     have_itau = false, have_axis = false, estop = false, clear = false,
	     have_req = false, rpdo = false, sync = false;
	struct dx_can_frame f[4];
	unsigned cl = 0;
	int c, err;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return argc < 2 ? (usage(), 2) : usage();
	proto = argv[1];
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *v = optarg;
		switch (c) {
		case O_MODEL: model = v; break;
		case O_ID:
			if (dx_tool_parse_u32(v, "--id", 0, 255, &id))
				return 2;
			have_id = true;
			break;
		case O_MASTER:
			if (dx_tool_parse_u32(v, "--master", 0, 255, &master))
				return 2;
			break;
		case O_POS: if (dx_tool_parse_double(v, "--pos", &pos)) return 2; break;
		case O_VEL: if (dx_tool_parse_double(v, "--vel", &vel)) return 2; break;
		case O_KP: if (dx_tool_parse_double(v, "--kp", &kp)) return 2; break;
		case O_KD: if (dx_tool_parse_double(v, "--kd", &kd)) return 2; break;
		case O_TAU: if (dx_tool_parse_double(v, "--tau", &tau)) return 2; break;
		case O_SPECIAL: special = v; break;
		case O_IPOS:
			if (dx_tool_parse_double(v, "--input-pos", &ipos))
				return 2;
			have_ipos = true;
			break;
		case O_IVEL:
			if (dx_tool_parse_double(v, "--input-vel", &ivel))
				return 2;
			have_ivel = true;
			break;
		case O_ITAU:
			if (dx_tool_parse_double(v, "--input-torque", &itau))
				return 2;
			have_itau = true;
			break;
		case O_AXIS:
			if (dx_tool_parse_u32(v, "--axis-state", 0, 255, &axis))
				return 2;
			have_axis = true;
			break;
		case O_ESTOP: estop = true; break;
		case O_CLEAR: clear = true; break;
		case O_REQ:
			if (dx_tool_parse_u32(v, "--request", 0, 31, &req))
				return 2;
			have_req = true;
			break;
		case O_RPDO: rpdo = true; break;
		case O_CW:
			if (dx_tool_parse_u32(v, "--cw", 0, 0xffff, &cw))
				return 2;
			break;
		case O_MODE:
			if (dx_tool_parse_u32(v, "--mode", 0, 127, &mode))
				return 2;
			break;
		case O_NMT: nmt = v; break;
		case O_SYNC: sync = true; break;
		case O_SDOR: sdor = v; break;
		case O_SDOW: sdow = v; break;
		case O_HELP: case 'h': return usage();
		default: return dx_tool_usage("encode", "unknown option");
		}
	}
	if (optind != argc)
		return dx_tool_usage("encode", "unexpected argument");

	if (strcmp(proto, "mit") == 0) {
		struct dx_mit_addr a;
		if (!model || !have_id)
			return dx_tool_usage("encode", "mit needs --model and --id");
		a.model = dx_mit_model_find(model);
		if (!a.model)
			return dx_tool_usage("encode", "unknown MIT model");
		a.id = (uint8_t)id;
		a.master = master <= 255 ? (uint8_t)master :
			   a.model->family == DX_MIT_DAMIAO ? (uint8_t)(id + 0x10) :
			   a.model->family == DX_MIT_ROBSTRIDE ? 0xfd : 0;
		if (special) {
			enum dx_mit_special s =
				!strcmp(special, "enable") ? DX_MIT_ENABLE :
				!strcmp(special, "disable") ? DX_MIT_DISABLE :
				!strcmp(special, "zero") ? DX_MIT_SET_ZERO :
				!strcmp(special, "clear") ? DX_MIT_CLEAR_FAULT :
				DX_MIT_NONE;
			if (s == DX_MIT_NONE)
				return dx_tool_usage("encode", "bad --special");
			err = dx_mit_encode_special(&a, s, &f[0]);
		} else {
			struct dx_mit_cmd cmd = {pos, vel, kp, kd, tau};
			err = dx_mit_encode_cmd(&a, &cmd, &f[0], &cl);
		}
		if (err)
			return dx_tool_fail("encode", err);
		return print_frames(f, 1, cl);
	}
	if (strcmp(proto, "odrive") == 0) {
		const struct dx_odrive_model *m =
			dx_odrive_model_find(model ? model : "default");
		struct dx_odrive_msg msg;
		if (!m)
			return dx_tool_usage("encode", "unknown ODrive model");
		if (!have_id || id > 63)
			return dx_tool_usage("encode", "odrive needs --id 0..63");
		memset(&msg, 0, sizeof(msg));
		msg.node = (uint8_t)id;
		if (have_ipos) {
			msg.cmd = DX_ODRIVE_SET_INPUT_POS;
			msg.u.input_pos.pos = (float)ipos;
			msg.u.input_pos.vel_ff = (float)vel;
			msg.u.input_pos.torque_ff = (float)tau;
		} else if (have_ivel) {
			msg.cmd = DX_ODRIVE_SET_INPUT_VEL;
			msg.u.input_vel.vel = (float)ivel;
			msg.u.input_vel.torque_ff = (float)tau;
		} else if (have_itau) {
			msg.cmd = DX_ODRIVE_SET_INPUT_TORQUE;
			msg.u.input_torque.torque = (float)itau;
		} else if (have_axis) {
			msg.cmd = DX_ODRIVE_SET_AXIS_STATE;
			msg.u.axis_state.state = axis;
		} else if (estop) {
			msg.cmd = DX_ODRIVE_ESTOP;
		} else if (clear) {
			msg.cmd = DX_ODRIVE_CLEAR_ERRORS;
		} else if (have_req) {
			msg.cmd = (uint8_t)req;
			msg.rtr = true;
		} else {
			return dx_tool_usage("encode", "odrive: which message?");
		}
		err = dx_odrive_encode(m, &msg, &f[0], &cl);
		if (err)
			return dx_tool_fail("encode", err);
		return print_frames(f, 1, cl);
	}
	if (strcmp(proto, "cia402") == 0) {
		const struct dx_cia402_model *m =
			dx_cia402_model_find(model ? model : "generic");
		if (!m)
			return dx_tool_usage("encode", "unknown CiA 402 model");
		if (sync) {
			dx_co_sync(&f[0]);
			return print_frames(f, 1, 0);
		}
		if (!have_id || id > 127 || (id == 0 && !nmt))
			return dx_tool_usage("encode", "cia402 needs --id 1..127");
		if (nmt) {
			enum dx_nmt_cs cs = !strcmp(nmt, "start") ? DX_NMT_START :
				!strcmp(nmt, "stop") ? DX_NMT_STOP :
				!strcmp(nmt, "preop") ? DX_NMT_PREOP :
				!strcmp(nmt, "reset") ? DX_NMT_RESET_NODE :
				!strcmp(nmt, "reset-comm") ? DX_NMT_RESET_COMM : 0;
			if (!cs)
				return dx_tool_usage("encode", "bad --nmt");
			err = dx_co_nmt((uint8_t)id, cs, &f[0]);
			if (err)
				return dx_tool_fail("encode", err);
			return print_frames(f, 1, 0);
		}
		if (sdor || sdow) {
			struct dx_sdo q;
			memset(&q, 0, sizeof(q));
			if (parse_sdo(sdor ? sdor : sdow, !!sdow, &q))
				return dx_tool_usage("encode", "bad SDO spec");
			q.kind = sdor ? DX_SDO_UPLOAD_REQ : DX_SDO_DOWNLOAD_REQ;
			q.node = (uint8_t)id;
			err = dx_sdo_encode(&q, &f[0]);
			if (err)
				return dx_tool_fail("encode", err);
			return print_frames(f, 1, 0);
		}
		if (rpdo) {
			struct dx_cia402_out o = {(uint16_t)cw, (int8_t)mode, pos,
						  vel, tau};
			err = dx_cia402_encode_rpdos(m, (uint8_t)id, &o, f, &cl);
			if (err)
				return dx_tool_fail("encode", err);
			return print_frames(f, 2, cl);
		}
		return dx_tool_usage("encode", "cia402: which message?");
	}
	return dx_tool_usage("encode", "protocol is mit, odrive or cia402");
}
