/* SPDX-License-Identifier: MIT */
/* CANopen: CiA 301 (NMT, SYNC, heartbeat, expedited SDO, PDO) and the
 * CiA 402 drive profile (state machine, process data).
 *
 * Sources:
 *  - CiA 301 v4.2.0: predefined connection set §7.3.5 (COB-IDs: NMT 0x000,
 *    SYNC 0x080, EMCY 0x080 + node, TPDO1..4 0x180/0x280/0x380/0x480 +
 *    node, RPDO1..4 0x200/0x300/0x400/0x500 + node, SDO 0x580/0x600 + node,
 *    heartbeat 0x700 + node); NMT command specifiers §7.2.8.3.1; SDO
 *    expedited protocols §7.2.4.3.3 (download: ccs = 1, e = 1, s = 1,
 *    n = 4 - size; response scs = 3) and §7.2.4.3.6 (upload: ccs = 2,
 *    response scs = 2); abort §7.2.4.3.17 with table 22 (abort codes);
 *    PDO mapping objects 0x1600/0x1A00 entries "index << 16 | sub << 8 |
 *    bits", COB-ID bit 31 = PDO invalid (§7.5.2.35-38); emergency error
 *    code classes table 21.
 *  - CiA 402-2 (IEC 61800-7-201): statusword 0x6041 state coding (bits 0,
 *    1, 2, 3, 5, 6), controlword 0x6040 device control commands (bits 0,
 *    1, 2, 3, 7), state machine transitions 0..16, modes of operation
 *    0x6060. */
#include "drive-priv.h"

DX_API int dx_co_nmt(uint8_t node, enum dx_nmt_cs cs, struct dx_can_frame *f)
{
	if (!f || node > 127)
		return DX_EINVAL;
	switch (cs) {
	case DX_NMT_START: case DX_NMT_STOP: case DX_NMT_PREOP:
	case DX_NMT_RESET_NODE: case DX_NMT_RESET_COMM:
		break;
	default:
		return DX_EINVAL;
	}
	dx__frame_init(f, DX_CO_NMT, 0, 2);
	f->data[0] = (uint8_t)cs;
	f->data[1] = node;
	return 0;
}

DX_API void dx_co_sync(struct dx_can_frame *f)
{
	if (f)
		dx__frame_init(f, DX_CO_SYNC, 0, 0);
}

DX_API int dx_co_heartbeat(uint8_t node, enum dx_nmt_state state,
			   struct dx_can_frame *f)
{
	if (!f || node == 0 || node > 127 ||
	    (state != DX_NMT_BOOTUP && state != DX_NMT_STOPPED &&
	     state != DX_NMT_OPERATIONAL && state != DX_NMT_PRE_OPERATIONAL))
		return DX_EINVAL;
	dx__frame_init(f, DX_CO_HEARTBEAT + node, 0, 1);
	f->data[0] = (uint8_t)state;
	return 0;
}

/* ---- SDO --------------------------------------------------------------- */

static const struct {
	uint32_t code;
	const char *text;
} aborts[] = {
	{DX_SDO_ABORT_TOGGLE, "toggle bit not alternated"},
	{DX_SDO_ABORT_TIMEOUT, "SDO protocol timed out"},
	{DX_SDO_ABORT_CS, "command specifier not valid or unknown"},
	{DX_SDO_ABORT_ACCESS, "unsupported access to an object"},
	{DX_SDO_ABORT_WRITE_ONLY, "attempt to read a write only object"},
	{DX_SDO_ABORT_READ_ONLY, "attempt to write a read only object"},
	{DX_SDO_ABORT_NO_OBJECT, "object does not exist"},
	{DX_SDO_ABORT_NO_MAP, "object cannot be mapped to the PDO"},
	{DX_SDO_ABORT_MAP_LEN, "PDO length exceeded"},
	{DX_SDO_ABORT_TYPE_LEN, "data type length does not match"},
	{DX_SDO_ABORT_NO_SUB, "sub-index does not exist"},
	{DX_SDO_ABORT_RANGE, "value range of parameter exceeded"},
	{DX_SDO_ABORT_GENERAL, "general error"},
	{DX_SDO_ABORT_STATE, "not possible in the present device state"},
};

DX_API const char *dx_sdo_abort_name(uint32_t code)
{
	for (size_t i = 0; i < DX_ARRAY_SIZE(aborts); i++)
		if (aborts[i].code == code)
			return aborts[i].text;
	return "?";
}

DX_API int dx_sdo_encode(const struct dx_sdo *s, struct dx_can_frame *f)
{
	bool server;
	uint8_t cs;

	if (!s || !f || s->node == 0 || s->node > 127)
		return DX_EINVAL;
	switch (s->kind) {
	case DX_SDO_UPLOAD_REQ:
		server = false, cs = 0x40;
		break;
	case DX_SDO_DOWNLOAD_REQ:
		if (s->size < 1 || s->size > 4)
			return DX_EINVAL;
		server = false, cs = (uint8_t)(0x23 | (4 - s->size) << 2);
		break;
	case DX_SDO_UPLOAD_RESP:
		if (s->size < 1 || s->size > 4)
			return DX_EINVAL;
		server = true, cs = (uint8_t)(0x43 | (4 - s->size) << 2);
		break;
	case DX_SDO_DOWNLOAD_RESP:
		server = true, cs = 0x60;
		break;
	case DX_SDO_ABORT:
		server = true, cs = 0x80; /* aborts are sent by the server here */
		break;
	default:
		return DX_EINVAL;
	}
	dx__frame_init(f, (server ? DX_CO_SDO_TX : DX_CO_SDO_RX) + s->node, 0, 8);
	f->data[0] = cs;
	f->data[1] = (uint8_t)s->index;
	f->data[2] = (uint8_t)(s->index >> 8);
	f->data[3] = s->sub;
	if (s->kind == DX_SDO_DOWNLOAD_REQ || s->kind == DX_SDO_UPLOAD_RESP) {
		uint32_t v = s->size == 4 ? s->value :
			s->value & ((UINT32_C(1) << (8 * s->size)) - 1);
		dx__put_le32(f->data + 4, v);
	} else if (s->kind == DX_SDO_ABORT) {
		dx__put_le32(f->data + 4, s->value);
	}
	return 0;
}

DX_API int dx_sdo_decode(const struct dx_can_frame *f, struct dx_sdo *s)
{
	bool server;
	uint8_t cs;

	if (!f || !s)
		return DX_EINVAL;
	if (f->flags & (DX_CAN_EXT | DX_CAN_RTR | DX_CAN_ERR | DX_CAN_FD))
		return DX_ENOENT;
	if (f->id > DX_CO_SDO_TX && f->id <= DX_CO_SDO_TX + 127)
		server = true;
	else if (f->id > DX_CO_SDO_RX && f->id <= DX_CO_SDO_RX + 127)
		server = false;
	else
		return DX_ENOENT;
	if (f->len != 8)
		return DX_EPROTO;
	memset(s, 0, sizeof(*s));
	s->node = (uint8_t)(f->id & 0x7f);
	cs = f->data[0];
	s->index = (uint16_t)(f->data[1] | f->data[2] << 8);
	s->sub = f->data[3];
	if (cs == 0x80) {
		s->kind = DX_SDO_ABORT;
		s->value = dx__get_le32(f->data + 4);
		return 0;
	}
	switch (cs >> 5) {
	case 1: /* client: initiate download / server: (scs 1 = segment) */
		if (server || !(cs & 0x02))
			return DX_EPROTO; /* segmented: not supported */
		s->kind = DX_SDO_DOWNLOAD_REQ;
		break;
	case 2:
		if (!server) {
			s->kind = DX_SDO_UPLOAD_REQ;
			return 0;
		}
		if (!(cs & 0x02))
			return DX_EPROTO;
		s->kind = DX_SDO_UPLOAD_RESP;
		break;
	case 3:
		if (!server)
			return DX_EPROTO;
		s->kind = DX_SDO_DOWNLOAD_RESP;
		return 0;
	default:
		return DX_EPROTO;
	}
	s->size = (cs & 0x01) ? (uint8_t)(4 - ((cs >> 2) & 3)) : 4;
	s->value = dx__get_le32(f->data + 4);
	if (s->size < 4)
		s->value &= (UINT32_C(1) << (8 * s->size)) - 1;
	return 0;
}

/* ---- CiA 402 state machine ---------------------------------------------- */

DX_API enum dx_cia402_state dx_cia402_state_decode(uint16_t sw)
{
	if ((sw & 0x4f) == 0x00)
		return DX_CIA402_NOT_READY;
	if ((sw & 0x4f) == 0x40)
		return DX_CIA402_SWITCH_ON_DISABLED;
	if ((sw & 0x6f) == 0x21)
		return DX_CIA402_READY_TO_SWITCH_ON;
	if ((sw & 0x6f) == 0x23)
		return DX_CIA402_SWITCHED_ON;
	if ((sw & 0x6f) == 0x27)
		return DX_CIA402_OPERATION_ENABLED;
	if ((sw & 0x6f) == 0x07)
		return DX_CIA402_QUICK_STOP_ACTIVE;
	if ((sw & 0x4f) == 0x0f)
		return DX_CIA402_FAULT_REACTION_ACTIVE;
	if ((sw & 0x4f) == 0x08)
		return DX_CIA402_FAULT;
	return DX_CIA402_NOT_READY; /* undefined codings read as not ready */
}

DX_API uint16_t dx_cia402_state_encode(enum dx_cia402_state s)
{
	/* bit 4 voltage enabled set where the power stage is on */
	switch (s) {
	case DX_CIA402_NOT_READY: return 0x0000;
	case DX_CIA402_SWITCH_ON_DISABLED: return 0x0040;
	case DX_CIA402_READY_TO_SWITCH_ON: return 0x0021;
	case DX_CIA402_SWITCHED_ON: return 0x0033;
	case DX_CIA402_OPERATION_ENABLED: return 0x0037;
	case DX_CIA402_QUICK_STOP_ACTIVE: return 0x0017;
	case DX_CIA402_FAULT_REACTION_ACTIVE: return 0x001f;
	case DX_CIA402_FAULT: return 0x0008;
	default: return 0;
	}
}

DX_API const char *dx_cia402_state_name(enum dx_cia402_state s)
{
	static const char *const n[DX_CIA402_STATE_COUNT] = {
		"not ready to switch on", "switch on disabled",
		"ready to switch on", "switched on", "operation enabled",
		"quick stop active", "fault reaction active", "fault",
	};
	return (unsigned)s < DX_CIA402_STATE_COUNT ? n[s] : "?";
}

/* Device control commands (controlword bits 7, 3, 2, 1, 0). */
static bool cw_disable_voltage(uint16_t cw) { return (cw & 0x82) == 0x00; }
static bool cw_quick_stop(uint16_t cw) { return (cw & 0x86) == 0x02; }
static bool cw_shutdown(uint16_t cw) { return (cw & 0x87) == 0x06; }
static bool cw_switch_on(uint16_t cw) { return (cw & 0x8f) == 0x07; }
static bool cw_enable_op(uint16_t cw) { return (cw & 0x8f) == 0x0f; }

DX_API enum dx_cia402_state dx_cia402_transition(enum dx_cia402_state cur,
						 uint16_t cw,
						 uint16_t prev_cw)
{
	switch (cur) {
	case DX_CIA402_NOT_READY:
		return DX_CIA402_SWITCH_ON_DISABLED;           /* 1 */
	case DX_CIA402_SWITCH_ON_DISABLED:
		return cw_shutdown(cw) ? DX_CIA402_READY_TO_SWITCH_ON /* 2 */
				       : cur;
	case DX_CIA402_READY_TO_SWITCH_ON:
		if (cw_switch_on(cw))
			return DX_CIA402_SWITCHED_ON;          /* 3 */
		if (cw_enable_op(cw))
			return DX_CIA402_OPERATION_ENABLED;    /* 3 + 4 */
		if (cw_disable_voltage(cw) || cw_quick_stop(cw))
			return DX_CIA402_SWITCH_ON_DISABLED;   /* 7 */
		return cur;
	case DX_CIA402_SWITCHED_ON:
		if (cw_enable_op(cw))
			return DX_CIA402_OPERATION_ENABLED;    /* 4 */
		if (cw_shutdown(cw))
			return DX_CIA402_READY_TO_SWITCH_ON;   /* 6 */
		if (cw_disable_voltage(cw) || cw_quick_stop(cw))
			return DX_CIA402_SWITCH_ON_DISABLED;   /* 10 */
		return cur;
	case DX_CIA402_OPERATION_ENABLED:
		if (cw_switch_on(cw))
			return DX_CIA402_SWITCHED_ON;          /* 5 */
		if (cw_shutdown(cw))
			return DX_CIA402_READY_TO_SWITCH_ON;   /* 8 */
		if (cw_disable_voltage(cw))
			return DX_CIA402_SWITCH_ON_DISABLED;   /* 9 */
		if (cw_quick_stop(cw))
			return DX_CIA402_QUICK_STOP_ACTIVE;    /* 11 */
		return cur;
	case DX_CIA402_QUICK_STOP_ACTIVE:
		if (cw_disable_voltage(cw))
			return DX_CIA402_SWITCH_ON_DISABLED;   /* 12 */
		if (cw_enable_op(cw))
			return DX_CIA402_OPERATION_ENABLED;    /* 16 */
		return cur;
	case DX_CIA402_FAULT_REACTION_ACTIVE:
		return DX_CIA402_FAULT;                        /* 14 */
	case DX_CIA402_FAULT:
		/* 15: rising edge of bit 7 */
		if ((cw & 0x80) && !(prev_cw & 0x80))
			return DX_CIA402_SWITCH_ON_DISABLED;
		return cur;
	default:
		return DX_CIA402_NOT_READY;
	}
}

DX_API uint16_t dx_cia402_next_cw(enum dx_cia402_state cur,
				  enum dx_cia402_state target,
				  uint16_t prev_cw)
{
	if (cur == DX_CIA402_FAULT)
		return (prev_cw & 0x80) ? DX_CIA402_CMD_DISABLE_VOLTAGE :
					  DX_CIA402_CMD_FAULT_RESET;
	switch (target) {
	case DX_CIA402_OPERATION_ENABLED:
		switch (cur) {
		case DX_CIA402_SWITCH_ON_DISABLED:
			return DX_CIA402_CMD_SHUTDOWN;
		case DX_CIA402_READY_TO_SWITCH_ON:
			return DX_CIA402_CMD_SWITCH_ON;
		case DX_CIA402_SWITCHED_ON:
		case DX_CIA402_OPERATION_ENABLED:
			return DX_CIA402_CMD_ENABLE_OPERATION;
		default:
			return DX_CIA402_CMD_DISABLE_VOLTAGE;
		}
	case DX_CIA402_SWITCHED_ON:
		return cur == DX_CIA402_SWITCH_ON_DISABLED ?
			DX_CIA402_CMD_SHUTDOWN : DX_CIA402_CMD_SWITCH_ON;
	case DX_CIA402_READY_TO_SWITCH_ON:
		return DX_CIA402_CMD_SHUTDOWN;
	case DX_CIA402_QUICK_STOP_ACTIVE:
		return cur == DX_CIA402_OPERATION_ENABLED ||
		       cur == DX_CIA402_QUICK_STOP_ACTIVE ?
			DX_CIA402_CMD_QUICK_STOP : DX_CIA402_CMD_DISABLE_VOLTAGE;
	default:
		return DX_CIA402_CMD_DISABLE_VOLTAGE;
	}
}

/* Error code classes (CiA 301 table 21; CiA 402-2 drive codes 0x2310
 * continuous over-current, 0x3210 DC link over-voltage, 0x3220 DC link
 * under-voltage, 0x4210 excess temperature device, 0x4310 excess
 * temperature drive, 0x6320 parameter error, 0x7305 incremental sensor 1
 * fault, 0x8130 life guard / heartbeat error, 0x8611 following error).
 * Temperature codes other than device/drive are read as motor. */
DX_API enum dx_drive_fault dx_cia402_fault_decode(uint16_t code)
{
	if (code == 0)
		return DX_DRIVE_FAULT_NONE;
	switch (code >> 12) {
	case 0x2:
		return DX_DRIVE_FAULT_OVERCURRENT;
	case 0x3:
		if ((code & 0xfff0) == 0x3210 || (code & 0xfff0) == 0x3110)
			return DX_DRIVE_FAULT_OVERVOLTAGE;
		if ((code & 0xfff0) == 0x3220 || (code & 0xfff0) == 0x3120)
			return DX_DRIVE_FAULT_UNDERVOLTAGE;
		return DX_DRIVE_FAULT_OTHER;
	case 0x4:
		if ((code & 0xff00) == 0x4200 || (code & 0xff00) == 0x4300)
			return DX_DRIVE_FAULT_DRIVER_OVERTEMP;
		return DX_DRIVE_FAULT_MOTOR_OVERTEMP;
	case 0x5:
		return DX_DRIVE_FAULT_INTERNAL;
	case 0x6:
		return (code & 0xff00) == 0x6300 ? DX_DRIVE_FAULT_CONFIG :
						   DX_DRIVE_FAULT_INTERNAL;
	case 0x7:
		return (code & 0xff00) == 0x7300 ? DX_DRIVE_FAULT_ENCODER :
						   DX_DRIVE_FAULT_OTHER;
	case 0x8:
		if ((code & 0xff00) == 0x8100)
			return DX_DRIVE_FAULT_COMM_LOSS;
		if ((code & 0xff00) == 0x8600)
			return DX_DRIVE_FAULT_LIMIT;
		return DX_DRIVE_FAULT_OTHER;
	case 0x9:
		return DX_DRIVE_FAULT_ESTOP; /* external error */
	default:
		return DX_DRIVE_FAULT_OTHER;
	}
}

DX_API uint16_t dx_cia402_fault_encode(enum dx_drive_fault f)
{
	switch (f) {
	case DX_DRIVE_FAULT_NONE: return 0;
	case DX_DRIVE_FAULT_OVERVOLTAGE: return 0x3210;
	case DX_DRIVE_FAULT_UNDERVOLTAGE: return 0x3220;
	case DX_DRIVE_FAULT_OVERCURRENT: return 0x2310;
	case DX_DRIVE_FAULT_MOTOR_OVERTEMP: return 0x4000;
	case DX_DRIVE_FAULT_DRIVER_OVERTEMP: return 0x4310;
	case DX_DRIVE_FAULT_ENCODER: return 0x7305;
	case DX_DRIVE_FAULT_COMM_LOSS: return 0x8130;
	case DX_DRIVE_FAULT_CONFIG: return 0x6320;
	case DX_DRIVE_FAULT_ESTOP: return 0x9000;
	case DX_DRIVE_FAULT_LIMIT: return 0x8611;
	case DX_DRIVE_FAULT_INTERNAL: return 0x5000;
	default: return 0x1000; /* generic error */
	}
}

/* ---- PDO ------------------------------------------------------------------ */

DX_API int dx_pdo_map_check(const struct dx_pdo_map *m)
{
	unsigned bits = 0;

	if (!m || m->n > 8)
		return DX_EINVAL;
	for (unsigned i = 0; i < m->n; i++) {
		if (m->e[i].bits != 8 && m->e[i].bits != 16 && m->e[i].bits != 32)
			return DX_EINVAL;
		bits += m->e[i].bits;
	}
	return bits > 64 ? DX_EMSGSIZE : 0;
}

static unsigned map_bytes(const struct dx_pdo_map *m)
{
	unsigned bits = 0;

	for (unsigned i = 0; i < m->n; i++)
		bits += m->e[i].bits;
	return bits / 8;
}

DX_API int dx_pdo_pack(const struct dx_pdo_map *m, uint32_t cob_id,
		       const uint32_t *values, struct dx_can_frame *f)
{
	unsigned off = 0;

	if (!m || !values || !f || dx_pdo_map_check(m) || cob_id > 0x7ff)
		return DX_EINVAL;
	dx__frame_init(f, cob_id, 0, (uint8_t)map_bytes(m));
	for (unsigned i = 0; i < m->n; i++) {
		for (unsigned b = 0; b < m->e[i].bits / 8u; b++)
			f->data[off++] = (uint8_t)(values[i] >> (8 * b));
	}
	return 0;
}

DX_API int dx_pdo_unpack(const struct dx_pdo_map *m,
			 const struct dx_can_frame *f, uint32_t *values)
{
	unsigned off = 0;

	if (!m || !f || !values || dx_pdo_map_check(m))
		return DX_EINVAL;
	if (f->len != map_bytes(m) || (f->flags & (DX_CAN_RTR | DX_CAN_ERR)))
		return DX_EMSGSIZE;
	for (unsigned i = 0; i < m->n; i++) {
		uint32_t v = 0;
		for (unsigned b = 0; b < m->e[i].bits / 8u; b++)
			v |= (uint32_t)f->data[off++] << (8 * b);
		values[i] = v;
	}
	return 0;
}

DX_API int dx_pdo_config_sdos(uint8_t node, unsigned pdo, bool rx,
			      const struct dx_pdo_map *m, struct dx_sdo *out,
			      size_t max)
{
	uint16_t comm = (uint16_t)((rx ? 0x1400 : 0x1800) + pdo - 1);
	uint16_t map = (uint16_t)((rx ? 0x1600 : 0x1a00) + pdo - 1);
	uint32_t cob = (rx ? DX_CO_RPDO(pdo) : DX_CO_TPDO(pdo)) + node;
	size_t k = 0;

	if (!m || !out || pdo < 1 || pdo > 4 || node == 0 || node > 127 ||
	    dx_pdo_map_check(m))
		return DX_EINVAL;
	if (max < (size_t)m->n + 4)
		return DX_ENOSPC;
#define SDO_W(idx, sb, sz, val)                                               \
	out[k++] = (struct dx_sdo){DX_SDO_DOWNLOAD_REQ, node, (idx), (sb),    \
				   (sz), (val)}
	SDO_W(comm, 1, 4, cob | UINT32_C(0x80000000)); /* invalid while mapping */
	SDO_W(map, 0, 1, 0);
	for (unsigned i = 0; i < m->n; i++)
		SDO_W(map, (uint8_t)(i + 1), 4,
		      (uint32_t)m->e[i].index << 16 |
			      (uint32_t)m->e[i].sub << 8 | m->e[i].bits);
	SDO_W(map, 0, 1, m->n);
	SDO_W(comm, 1, 4, cob);
#undef SDO_W
	return (int)k;
}

/* ---- process data of the exchange ------------------------------------ */

/* Configuration rows, not vendor facts: a 17-bit and a 20-bit single-turn
 * encoder with velocity in counts/s and torque in per mille of the rated
 * torque (CiA 402 units for 0x6071/0x6077). */
static const struct dx_cia402_model models[] = {
	{"generic", 131072.0 / (2 * M_PI), 131072.0 / (2 * M_PI), 1.0,
	 1000.0, 100.0, 3.0, 0.1, 5.0e-5},
	{"generic-20bit", 1048576.0 / (2 * M_PI), 1048576.0 / (2 * M_PI), 2.4,
	 1000.0, 60.0, 7.2, 0.2, 1.0e-4},
};

DX_API size_t dx_cia402_model_count(void)
{
	return DX_ARRAY_SIZE(models);
}

DX_API const struct dx_cia402_model *dx_cia402_model_at(size_t i)
{
	return i < DX_ARRAY_SIZE(models) ? &models[i] : NULL;
}

DX_API const struct dx_cia402_model *dx_cia402_model_find(const char *name)
{
	for (size_t i = 0; i < DX_ARRAY_SIZE(models); i++)
		if (dx__name_eq(models[i].name, name))
			return &models[i];
	return NULL;
}

static const struct dx_pdo_map default_maps[4] = {
	{3, {{DX_CIA402_CONTROLWORD, 0, 16}, {DX_CIA402_MODE, 0, 8},
	     {DX_CIA402_POS_TARGET, 0, 32}}},
	{2, {{DX_CIA402_VEL_TARGET, 0, 32}, {DX_CIA402_TORQUE_TARGET, 0, 16}}},
	{3, {{DX_CIA402_STATUSWORD, 0, 16}, {DX_CIA402_MODE_DISPLAY, 0, 8},
	     {DX_CIA402_POS_ACTUAL, 0, 32}}},
	{3, {{DX_CIA402_VEL_ACTUAL, 0, 32}, {DX_CIA402_TORQUE_ACTUAL, 0, 16},
	     {DX_CIA402_ERROR_CODE, 0, 16}}},
};

DX_API const struct dx_pdo_map *dx_cia402_default_map(unsigned which)
{
	return which < 4 ? &default_maps[which] : NULL;
}

/* Rounds a clamped value to an integer of the given range. */
static int32_t to_i32(double x)
{
	if (x > 2147483647.0)
		return INT32_MAX;
	if (x < -2147483648.0)
		return INT32_MIN;
	return (int32_t)lrint(x);
}

static int16_t to_i16(double x)
{
	if (x > 32767.0)
		return INT16_MAX;
	if (x < -32768.0)
		return INT16_MIN;
	return (int16_t)lrint(x);
}

DX_API int dx_cia402_encode_rpdos(const struct dx_cia402_model *m,
				  uint8_t node,
				  const struct dx_cia402_out *o,
				  struct dx_can_frame f[2], unsigned *clamped)
{
	unsigned cl = 0;
	uint32_t v[3];
	double p, vel, t;

	if (!m || !o || !f || node == 0 || node > 127)
		return DX_EINVAL;
	if (!dx_isfinite(o->pos) || !dx_isfinite(o->vel) || !dx_isfinite(o->tau))
		return DX_ENOTFINITE;
	p = dx__clampf(o->pos, -m->pos_max, m->pos_max, DX_DRIVE_CLAMP_POS, &cl);
	vel = dx__clampf(o->vel, -m->vel_max, m->vel_max, DX_DRIVE_CLAMP_VEL,
			 &cl);
	t = dx__clampf(o->tau, -m->torque_max, m->torque_max,
		       DX_DRIVE_CLAMP_TAU, &cl);
	v[0] = o->controlword;
	v[1] = (uint8_t)o->mode;
	v[2] = (uint32_t)to_i32(p * m->counts_per_rad);
	dx_pdo_pack(&default_maps[0], DX_CO_RPDO(1) + node, v, &f[0]);
	v[0] = (uint32_t)to_i32(vel * m->vel_counts_per_rad_s);
	v[1] = (uint16_t)to_i16(t / m->rated_torque * 1000.0);
	dx_pdo_pack(&default_maps[1], DX_CO_RPDO(2) + node, v, &f[1]);
	if (clamped)
		*clamped = cl;
	return 0;
}

DX_API int dx_cia402_decode_rpdo(const struct dx_cia402_model *m,
				 uint8_t node, const struct dx_can_frame *f,
				 struct dx_cia402_out *o)
{
	uint32_t v[3];

	if (!m || !f || !o)
		return DX_EINVAL;
	if (f->flags & (DX_CAN_EXT | DX_CAN_ERR))
		return DX_ENOENT;
	if (f->id == DX_CO_RPDO(1) + node) {
		if (dx_pdo_unpack(&default_maps[0], f, v))
			return DX_EMSGSIZE;
		o->controlword = (uint16_t)v[0];
		o->mode = (int8_t)v[1];
		o->pos = (int32_t)v[2] / m->counts_per_rad;
		return 1;
	}
	if (f->id == DX_CO_RPDO(2) + node) {
		if (dx_pdo_unpack(&default_maps[1], f, v))
			return DX_EMSGSIZE;
		o->vel = (int32_t)v[0] / m->vel_counts_per_rad_s;
		o->tau = (int16_t)v[1] * m->rated_torque / 1000.0;
		return 2;
	}
	return DX_ENOENT;
}

DX_API int dx_cia402_encode_tpdos(const struct dx_cia402_model *m,
				  uint8_t node, const struct dx_cia402_in *in,
				  struct dx_can_frame f[2])
{
	uint32_t v[3];

	if (!m || !in || !f || node == 0 || node > 127)
		return DX_EINVAL;
	if (!dx_isfinite(in->pos) || !dx_isfinite(in->vel) ||
	    !dx_isfinite(in->tau))
		return DX_ENOTFINITE;
	v[0] = in->statusword;
	v[1] = (uint8_t)in->mode_display;
	v[2] = (uint32_t)to_i32(in->pos * m->counts_per_rad);
	dx_pdo_pack(&default_maps[2], DX_CO_TPDO(1) + node, v, &f[0]);
	v[0] = (uint32_t)to_i32(in->vel * m->vel_counts_per_rad_s);
	v[1] = (uint16_t)to_i16(in->tau / m->rated_torque * 1000.0);
	v[2] = in->error_code;
	dx_pdo_pack(&default_maps[3], DX_CO_TPDO(2) + node, v, &f[1]);
	return 0;
}

DX_API int dx_cia402_decode_tpdo(const struct dx_cia402_model *m,
				 uint8_t node, const struct dx_can_frame *f,
				 struct dx_cia402_in *in)
{
	uint32_t v[3];

	if (!m || !f || !in)
		return DX_EINVAL;
	if (f->flags & (DX_CAN_EXT | DX_CAN_ERR))
		return DX_ENOENT;
	if (f->id == DX_CO_TPDO(1) + node) {
		if (dx_pdo_unpack(&default_maps[2], f, v))
			return DX_EMSGSIZE;
		in->statusword = (uint16_t)v[0];
		in->mode_display = (int8_t)v[1];
		in->pos = (int32_t)v[2] / m->counts_per_rad;
		return 1;
	}
	if (f->id == DX_CO_TPDO(2) + node) {
		if (dx_pdo_unpack(&default_maps[3], f, v))
			return DX_EMSGSIZE;
		in->vel = (int32_t)v[0] / m->vel_counts_per_rad_s;
		in->tau = (int16_t)v[1] * m->rated_torque / 1000.0;
		in->error_code = (uint16_t)v[2];
		return 2;
	}
	return DX_ENOENT;
}
