/* SPDX-License-Identifier: MIT */
/* Device tables and the batched exchange.
 *
 * Routing: every frame a device may send is known at init. 11-bit IDs go
 * through a direct 2048-entry table; IDs shared by several drives (the
 * CubeMars and Damiao master id) point to a 256-entry demultiplexer keyed
 * by a masked payload byte. 29-bit IDs (Robstride) carry varying status
 * bits, so they are masked and looked up in a small open-addressing hash.
 * Each lookup is O(1) and bounded.
 *
 * A cycle: drain what is left from the last cycle (counted as late or
 * duplicate, never applied), encode every active device's command into one
 * array, send it with one dx_can_send(), then receive in batches and wait
 * for more only while replies are missing, up to the deadline. Devices
 * whose link is lost after consecutive misses are still commanded and
 * their replies still applied (so they can come back), but the cycle does
 * not wait for them.
 *
 * Supervision (struct dx_link_stats): a leaky error counter per link
 * catches a sustained miss ratio that never makes lost_after misses in a
 * row; a sliding window of integrity events (conflicting second replies,
 * frames naming another device, late, stale and early replies) catches a
 * device answering on another's ID and replies that slipped into the next
 * cycle. Both are a few integer operations per device and cycle. */
#include <dexrt/busload.h>

#include "drive-priv.h"

#define NO_ROUTE 0xffu
#define DEMUX_FLAG 0x80u
#define ROBSTRIDE_KEY_MASK 0x1f00ffffu /* type, motor id, host id */
#define CAN_ERR_BUSOFF_BIT 0x40u       /* linux/can/error.h CAN_ERR_BUSOFF */

#define REPLY_A 0x1u
#define REPLY_B 0x2u

static uint32_t ext_hash(uint32_t key)
{
	key ^= key >> 15;
	key *= 0x2c1b3c6du;
	key ^= key >> 12;
	return key & (DX_DRIVE_EXT_SLOTS - 1);
}

/* What a reply says (identifier, length, payload) in 64 bits, to tell an
 * identical copy from a conflicting reply. Every step is a bijection of
 * the running value, so two replies with the same identifier and length
 * and at most 8 payload bytes (the drives' replies) have equal signatures
 * only when their payloads are equal; longer payloads are folded 8 bytes
 * at a time. A handful of cycles per reply: it runs for every reply
 * applied. */
static uint64_t frame_sig(const struct dx_can_frame *f)
{
	unsigned n = f->len <= DX_CANFD_MAX_DLEN ? f->len : DX_CANFD_MAX_DLEN;
	uint64_t s = ((uint64_t)f->id << 8 | n) * 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < n; i += 8) {
		uint64_t w = 0;
		unsigned k = n - i < 8 ? n - i : 8;

		for (unsigned j = 0; j < k; j++)
			w |= (uint64_t)f->data[i + j] << (8 * j);
		s = (s ^ w) * 0xff51afd7ed558ccdull;
		s ^= s >> 29;
	}
	return s;
}

/* Lower bound of the time any frame with these flags (identifier format,
 * FD, bit rate switch) and payload length takes on the wire at @p br /
 * @p dbr. Bit stuffing only lengthens a frame, so its exact length less
 * every dynamic stuff bit bounds every content; the stuff bits are taken
 * off the nominal-rate (slower) part first, which keeps it a bound
 * wherever they fall. Frame layout: ISO 11898-1:2015 10.4 (busload.h).
 * 0 when the format is impossible. Not for the cycle (computes a CRC). */
static int64_t frame_min_ns(uint8_t flags, unsigned len, uint32_t br,
			    uint32_t dbr)
{
	struct dx_can_frame f;
	struct dx_can_frame_bits fb;
	uint32_t dyn, nom;

	memset(&f, 0, sizeof(f));
	f.len = (uint8_t)len;
	f.flags = flags;
	if (dx_can_frame_bits(&f, &fb) != 0)
		return 0;
	dyn = fb.stuff_bits - fb.fixed_stuff;
	nom = dyn < fb.nominal_bits ? dyn : fb.nominal_bits;
	fb.nominal_bits -= nom;
	fb.data_bits -= dyn - nom < fb.data_bits ? dyn - nom : fb.data_bits;
	return dx_can_bits_ns(&fb, br, dbr);
}

/* Reply format index of dx_drive::min_answer_ns. */
static unsigned reply_format(uint8_t flags)
{
	if (!(flags & DX_CAN_FD))
		return 0;
	return (flags & DX_CAN_BRS) ? 2 : 1;
}

/* Shortest time from the cycle start to a genuine answer of device @p dv,
 * per reply format: the command frame this exchange encodes for it, the
 * intermission (ISO 11898-1:2015 10.4.6: 3 bits between frames), the
 * reply. MIT drives only (one 8-byte command answered by one 8-byte
 * reply); the others keep 0 (no check). */
static void set_min_answer(struct dx_drive *dv, uint32_t br, uint32_t dbr)
{
	static const uint8_t fmt[3] = {0, DX_CAN_FD, DX_CAN_FD | DX_CAN_BRS};
	const struct dx_drive_desc *d = &dv->desc;
	struct dx_mit_addr a = {d->model, d->id, d->master};
	struct dx_mit_cmd zero = {0, 0, 0, 0, 0};
	struct dx_can_frame cmd;
	uint8_t ext;
	int64_t c;

	memset(dv->min_answer_ns, 0, sizeof(dv->min_answer_ns));
	if (br == 0 || d->proto != DX_DRIVE_MIT ||
	    dx_mit_encode_cmd(&a, &zero, &cmd, NULL) != 0)
		return;
	c = frame_min_ns(cmd.flags, cmd.len, br, dbr);
	ext = ((const struct dx_mit_model *)d->model)->family ==
			      DX_MIT_ROBSTRIDE ? DX_CAN_EXT : 0;
	for (unsigned k = 0; k < 3; k++) {
		int64_t r = frame_min_ns(fmt[k] | ext, 8, br, dbr);
		if (c > 0 && r > 0)
			dv->min_answer_ns[k] = c + (int64_t)DX_CAN_IFS_BITS *
							   DX_NS_PER_S / br + r;
	}
}

static int route_std(struct dx_drive_bus *b, uint32_t id, unsigned dev)
{
	if (id > 0x7ff)
		return DX_EINVAL;
	if (b->route11[id] != NO_ROUTE && b->route11[id] != dev)
		return DX_EEXIST;
	b->route11[id] = (uint8_t)dev;
	return 0;
}

/* Key a device answers to on a shared ID (CubeMars: data[0] = id;
 * Damiao: low nibble of data[0]). */
static uint8_t demux_key(const struct dx_drive_desc *d)
{
	return d->id;
}

/* Routes reply ID @p id to @p dev. The first device on an ID gets a direct
 * entry (its decoder still checks the id in the payload and counts frames
 * naming another motor as wrong_device); a second device on the same ID
 * turns the entry into a demultiplexer on data[0] & @p mask. */
static int route_shared(struct dx_drive_bus *b, uint32_t id, uint8_t mask,
			unsigned dev)
{
	uint8_t key = demux_key(&b->dev[dev].desc) & mask;
	uint8_t r = b->route11[id];
	unsigned k;

	if (r == NO_ROUTE) {
		b->route11[id] = (uint8_t)dev;
		return 0;
	}
	if (!(r & DEMUX_FLAG)) {
		const struct dx_drive_desc *o = &b->dev[r].desc;
		const struct dx_mit_model *om = o->model;
		const struct dx_mit_model *nm = b->dev[dev].desc.model;
		if (o->proto != DX_DRIVE_MIT || om->family != nm->family)
			return DX_EEXIST;
		if (b->n_demux >= DX_DRIVE_DEMUX_MAX)
			return DX_ENOSPC;
		k = b->n_demux++;
		b->demux_mask[k] = mask;
		b->demux_owner[k] = NO_ROUTE;
		b->demux[k][demux_key(o) & mask] = r;
		b->route11[id] = (uint8_t)(DEMUX_FLAG | k);
	} else {
		k = r & ~DEMUX_FLAG;
		if (b->demux_mask[k] != mask)
			return DX_EEXIST;
	}
	if (b->demux[k][key] != NO_ROUTE)
		return DX_EEXIST;
	b->demux[k][key] = (uint8_t)dev;
	return 0;
}

static int route_ext(struct dx_drive_bus *b, uint32_t key, uint32_t mask,
		     unsigned dev)
{
	unsigned i, h;

	for (i = 0; i < b->n_ext_masks; i++)
		if (b->ext_masks[i] == mask)
			break;
	if (i == b->n_ext_masks) {
		if (b->n_ext_masks >= DX_ARRAY_SIZE(b->ext_masks))
			return DX_ENOSPC;
		b->ext_masks[b->n_ext_masks++] = mask;
	}
	key &= mask;
	h = ext_hash(key);
	for (i = 0; i < DX_DRIVE_EXT_SLOTS; i++, h = (h + 1) &
						 (DX_DRIVE_EXT_SLOTS - 1)) {
		if (b->ext_dev[h] == NO_ROUTE) {
			b->ext_key[h] = key;
			b->ext_dev[h] = (uint8_t)dev;
			return 0;
		}
		if (b->ext_key[h] == key)
			return DX_EEXIST;
	}
	return DX_ENOSPC;
}

static int add_routes(struct dx_drive_bus *b, unsigned i)
{
	const struct dx_drive_desc *d = &b->dev[i].desc;
	int err = 0;

	switch (d->proto) {
	case DX_DRIVE_MIT: {
		const struct dx_mit_model *m = d->model;
		b->dev[i].expect = REPLY_A;
		switch (m->family) {
		case DX_MIT_CUBEMARS:
			return route_shared(b, d->master, 0xff, i);
		case DX_MIT_DAMIAO:
			return route_shared(b, d->master, 0x0f, i);
		case DX_MIT_ROBSTRIDE:
			return route_ext(b, 2u << 24 | (uint32_t)d->id << 8 |
					 d->master, ROBSTRIDE_KEY_MASK, i);
		}
		return DX_EINVAL;
	}
	case DX_DRIVE_ODRIVE:
		if (d->id > 63)
			return DX_EINVAL;
		b->dev[i].expect = REPLY_A;
		for (uint32_t c = 0; c < 32 && !err; c++)
			err = route_std(b, (uint32_t)d->id << 5 | c, i);
		return err;
	case DX_DRIVE_CIA402:
		if (d->id == 0 || d->id > 127)
			return DX_EINVAL;
		b->dev[i].expect = REPLY_A | REPLY_B;
		for (unsigned p = 1; p <= 4 && !err; p++)
			err = route_std(b, DX_CO_TPDO(p) + d->id, i);
		if (!err)
			err = route_std(b, DX_CO_SDO_TX + d->id, i);
		if (!err)
			err = route_std(b, DX_CO_EMCY + d->id, i);
		if (!err)
			err = route_std(b, DX_CO_HEARTBEAT + d->id, i);
		return err;
	}
	return DX_EINVAL;
}

DX_API int dx_drive_bus_init(struct dx_drive_bus *b,
			     const struct dx_drive_bus_config *cfg)
{
	bool any402 = false;
	int err;

	if (!b || !cfg || (cfg->n_devs && !cfg->devs))
		return DX_EINVAL;
	if (cfg->n_devs > DX_DRIVE_BUS_MAX)
		return DX_ENOSPC;
	memset(b, 0, sizeof(*b));
	memset(b->route11, NO_ROUTE, sizeof(b->route11));
	memset(b->demux, NO_ROUTE, sizeof(b->demux));
	memset(b->ext_dev, NO_ROUTE, sizeof(b->ext_dev));
	b->can = cfg->can;
	b->lost_after = cfg->lost_after ? cfg->lost_after : 3;
	b->error_limit = cfg->error_limit ? cfg->error_limit
					  : 32 * b->lost_after;
	if (cfg->integrity_window > 64)
		return DX_EINVAL;
	b->integrity_mask = cfg->integrity_window == 64 ? ~UINT64_C(0) :
		(UINT64_C(1) << (cfg->integrity_window ? cfg->integrity_window
						       : 32)) - 1;
	b->integrity_limit = cfg->integrity_limit ? cfg->integrity_limit : 8;
	b->n = (unsigned)cfg->n_devs;
	for (unsigned i = 0; i < b->n; i++) {
		struct dx_drive *dv = &b->dev[i];
		dv->desc = cfg->devs[i];
		if (!dv->desc.model)
			return DX_EINVAL;
		err = add_routes(b, i);
		if (err)
			return err;
		dv->active = true;
		dv->fb.temp_c = NAN;
		set_min_answer(dv, cfg->bitrate, cfg->data_bitrate);
		if (dv->desc.proto == DX_DRIVE_CIA402) {
			any402 = true;
			dv->cmd.mode = DX_CIA402_MODE_CSP;
		}
	}
	b->sync = any402 || cfg->sync;
	b->manage_enable = cfg->manage_enable;
	b->on_other = cfg->on_other;
	b->other_ctx = cfg->other_ctx;
	return 0;
}

DX_API int dx_drive_bus_set_cmd(struct dx_drive_bus *b, unsigned i,
				const struct dx_drive_cmd *c)
{
	if (!b || !c || i >= b->n)
		return DX_EINVAL;
	if (!dx_isfinite(c->pos) || !dx_isfinite(c->vel) ||
	    !dx_isfinite(c->kp) || !dx_isfinite(c->kd) || !dx_isfinite(c->tau))
		return DX_ENOTFINITE;
	b->dev[i].cmd = *c;
	return 0;
}

DX_API int dx_drive_bus_set_active(struct dx_drive_bus *b, unsigned i,
				   bool active)
{
	if (!b || i >= b->n)
		return DX_EINVAL;
	b->dev[i].active = active;
	return 0;
}

DX_API int dx_drive_bus_lookup(const struct dx_drive_bus *b,
			       const struct dx_can_frame *f)
{
	if (!b || !f || (f->flags & DX_CAN_ERR))
		return -1;
	if (f->flags & DX_CAN_EXT) {
		for (unsigned m = 0; m < b->n_ext_masks; m++) {
			uint32_t key = f->id & b->ext_masks[m];
			unsigned h = ext_hash(key);
			for (unsigned i = 0; i < DX_DRIVE_EXT_SLOTS; i++) {
				if (b->ext_dev[h] == NO_ROUTE)
					break;
				if (b->ext_key[h] == key)
					return b->ext_dev[h];
				h = (h + 1) & (DX_DRIVE_EXT_SLOTS - 1);
			}
		}
		return -1;
	}
	if (f->id > 0x7ff)
		return -1;
	uint8_t r = b->route11[f->id];
	if (r == NO_ROUTE)
		return -1;
	if (r & DEMUX_FLAG) {
		unsigned k = r & ~DEMUX_FLAG;
		uint8_t d;
		if (f->len < 1)
			return -1;
		d = b->demux[k][f->data[0] & b->demux_mask[k]];
		return d == NO_ROUTE ? -1 : d;
	}
	return r;
}

static void note_fault(struct dx_drive *dv, enum dx_drive_fault f,
		       uint32_t code)
{
	dv->fb.fault = f;
	dv->fb.vendor_code = code;
	if (f != DX_DRIVE_FAULT_NONE) {
		dv->link.last_fault = f;
		dv->link.last_vendor_code = code;
	}
}

/* Decodes @p f for device @p dv. Returns the reply bit it carries (0 for
 * other frames), or a negative code: DX_ENOENT (names another device),
 * DX_EPROTO (malformed). Feedback is written into @p fb (a scratch copy),
 * applied by the caller only when the frame is accepted. */
static int classify(struct dx_drive *dv, const struct dx_can_frame *f,
		    struct dx_drive_fb *fb)
{
	const struct dx_drive_desc *d = &dv->desc;

	switch (d->proto) {
	case DX_DRIVE_MIT: {
		struct dx_mit_addr a = {d->model, d->id, d->master};
		struct dx_mit_fb m;
		int err = dx_mit_decode_reply(&a, f, &m);
		if (err)
			return err == DX_ENOENT ? DX_ENOENT : DX_EPROTO;
		fb->pos = m.pos, fb->vel = m.vel, fb->tau = m.tau;
		fb->temp_c = m.temp_c;
		fb->fault = m.fault;
		fb->vendor_code = m.vendor_code;
		fb->enabled = m.enabled;
		return REPLY_A;
	}
	case DX_DRIVE_ODRIVE: {
		struct dx_odrive_msg m;
		int err = dx_odrive_decode(f, &m);
		if (err == DX_ENOTSUP)
			return 0;
		if (err)
			return DX_EPROTO;
		if (m.rtr)
			return 0;
		switch (m.cmd) {
		case DX_ODRIVE_GET_ENCODER_ESTIMATES:
			/* float32 on the wire: NaN/Inf is malformed, never
			 * feedback */
			if (!dx_isfinite(m.u.encoder.pos) ||
			    !dx_isfinite(m.u.encoder.vel))
				return DX_EPROTO;
			fb->pos = m.u.encoder.pos * (2 * M_PI);
			fb->vel = m.u.encoder.vel * (2 * M_PI);
			return REPLY_A;
		case DX_ODRIVE_HEARTBEAT:
			dv->fb.state = m.u.heartbeat.state;
			dv->fb.enabled = m.u.heartbeat.state ==
					 DX_ODRIVE_STATE_CLOSED_LOOP;
			note_fault(dv, dx_odrive_fault_decode(
					       m.u.heartbeat.axis_error),
				   m.u.heartbeat.axis_error);
			return 0;
		case DX_ODRIVE_GET_ERROR:
			note_fault(dv, dx_odrive_fault_decode(m.u.error.active),
				   m.u.error.active);
			return 0;
		case DX_ODRIVE_GET_TORQUES:
			if (!dx_isfinite(m.u.torques.estimate))
				return DX_EPROTO;
			dv->fb.tau = m.u.torques.estimate;
			return 0;
		case DX_ODRIVE_GET_TEMPERATURE:
			if (!dx_isfinite(m.u.temperature.motor))
				return DX_EPROTO;
			dv->fb.temp_c = m.u.temperature.motor;
			return 0;
		default:
			return 0;
		}
	}
	case DX_DRIVE_CIA402: {
		struct dx_cia402_in in;
		int r;
		if (f->id == DX_CO_EMCY + d->id) {
			if (f->len < 2)
				return DX_EPROTO;
			uint16_t code = (uint16_t)(f->data[0] | f->data[1] << 8);
			note_fault(dv, dx_cia402_fault_decode(code), code);
			return 0;
		}
		if ((f->id & ~0x7fu) == DX_CO_SDO_TX ||
		    (f->id & ~0x7fu) == DX_CO_HEARTBEAT)
			return 0;
		memset(&in, 0, sizeof(in));
		r = dx_cia402_decode_tpdo(d->model, d->id, f, &in);
		if (r == DX_ENOENT)
			return 0; /* TPDO3/4: not in the default mapping */
		if (r < 0)
			return DX_EPROTO;
		if (r == 1) {
			enum dx_cia402_state s =
				dx_cia402_state_decode(in.statusword);
			fb->state = s;
			fb->enabled = s == DX_CIA402_OPERATION_ENABLED;
			fb->pos = in.pos;
			if (s == DX_CIA402_FAULT && fb->fault ==
			    DX_DRIVE_FAULT_NONE)
				fb->fault = DX_DRIVE_FAULT_OTHER;
			return REPLY_A;
		}
		fb->vel = in.vel;
		fb->tau = in.tau;
		fb->vendor_code = in.error_code;
		fb->fault = dx_cia402_fault_decode(in.error_code);
		return REPLY_B;
	}
	}
	return DX_EPROTO;
}

/* The cycle waits for a device's reply unless it missed lost_after
 * cycles in a row (a dead drive must not cost every cycle its deadline);
 * a link lost by its error counter still answers often, so it is waited
 * for, or its replies would keep arriving after the collect ends. */
static bool awaited(const struct dx_drive_bus *b, const struct dx_drive *dv)
{
	return dv->link.consecutive_misses < b->lost_after;
}

DX_API void dx_drive_bus_route(struct dx_drive_bus *b,
			       const struct dx_can_frame *f, bool in_cycle)
{
	struct dx_drive *dv;
	struct dx_drive_fb fb;
	int d, r;

	if (!b || !f)
		return;
	if (f->flags & DX_CAN_ERR) {
		b->stats.err_frames++;
		if (f->id & CAN_ERR_BUSOFF_BIT)
			b->bus_off_seen = true;
		return;
	}
	d = dx_drive_bus_lookup(b, f);
	if (d < 0) {
		if (b->on_other) {
			b->stats.other_frames++;
			b->on_other(b->other_ctx, f);
		} else {
			b->stats.unknown_ids++;
		}
		return;
	}
	dv = &b->dev[d];
	fb = dv->fb;
	r = classify(dv, f, &fb);
	if (r == DX_ENOENT) {
		dv->link.wrong_device++;
		dv->integrity_event = true;
		return;
	}
	if (r < 0) {
		dv->link.malformed++;
		return;
	}
	if (r == 0) {
		dv->link.other++;
		return;
	}
	if (!in_cycle) {
		/* left over from the previous cycle: an identical copy of the
		 * reply applied then is harmless, anything else is an event */
		if (dv->got & r) {
			dv->link.duplicates++;
			if (frame_sig(f) == dv->reply_sig[r >> 1])
				return;
			dv->link.conflicts++;
		} else {
			dv->link.late++;
		}
		dv->integrity_event = true;
		return;
	}
	if (f->ts_ns != 0 && f->ts_ns < b->cycle_start_ns) {
		dv->link.stale++;
		dv->integrity_event = true;
		return;
	}
	if (f->ts_ns != 0 && b->prev_deadline_ns != 0 &&
	    f->ts_ns > b->prev_deadline_ns) {
		dv->link.late++; /* received in the cycle, after its deadline */
		dv->integrity_event = true;
		return;
	}
	if (dv->got & r) {
		dv->link.duplicates++;
		if (frame_sig(f) != dv->reply_sig[r >> 1]) {
			dv->link.conflicts++;
			dv->integrity_event = true;
		}
		return;
	}
	if (!dv->active) {
		dv->link.other++;
		return;
	}
	if (f->ts_ns != 0 && dv->min_answer_ns[reply_format(f->flags)] != 0 &&
	    f->ts_ns - b->cycle_start_ns <
		    dv->min_answer_ns[reply_format(f->flags)]) {
		/* the bus cannot have carried our command and this reply
		 * yet: it answers an earlier command */
		dv->link.early++;
		dv->integrity_event = true;
		return;
	}
	dv->got |= (uint8_t)r;
	dv->reply_sig[r >> 1] = frame_sig(f);
	fb.ts_ns = f->ts_ns;
	dv->fb = fb;
	note_fault(dv, fb.fault, fb.vendor_code);
	dv->link.replies++;
	dv->link.last_seen_ns = f->ts_ns;
	if (dv->got == dv->expect) {
		dv->answered = true;
		if (awaited(b, dv) && b->pending)
			b->pending--;
	}
}

/* Encodes device @p i's frames into b->tx from @p n. Returns the new count. */
static size_t encode_dev(struct dx_drive_bus *b, unsigned i, size_t n)
{
	struct dx_drive *dv = &b->dev[i];
	const struct dx_drive_desc *d = &dv->desc;
	const struct dx_drive_cmd *c = &dv->cmd;
	unsigned cl = 0;

	switch (d->proto) {
	case DX_DRIVE_MIT: {
		struct dx_mit_addr a = {d->model, d->id, d->master};
		struct dx_mit_cmd m = {c->pos, c->vel, c->kp, c->kd, c->tau};
		/* managed enable: the special frame replaces the command while
		 * the drive's reported state differs (the drive answers it with
		 * a normal feedback frame) */
		if (b->manage_enable && c->enable != dv->fb.enabled) {
			if (dx_mit_encode_special(&a, c->enable ? DX_MIT_ENABLE
								: DX_MIT_DISABLE,
						  &b->tx[n]) == 0)
				n++;
			break;
		}
		if (dx_mit_encode_cmd(&a, &m, &b->tx[n], &cl) == 0)
			n++;
		break;
	}
	case DX_DRIVE_ODRIVE: {
		struct dx_odrive_msg m;
		const double tr = 1.0 / (2 * M_PI);
		memset(&m, 0, sizeof(m));
		m.node = d->id;
		switch (c->mode) {
		case DX_ODRIVE_CTRL_TORQUE:
			m.cmd = DX_ODRIVE_SET_INPUT_TORQUE;
			m.u.input_torque.torque = (float)c->tau;
			break;
		case DX_ODRIVE_CTRL_VELOCITY:
			m.cmd = DX_ODRIVE_SET_INPUT_VEL;
			m.u.input_vel.vel = (float)(c->vel * tr);
			m.u.input_vel.torque_ff = (float)c->tau;
			break;
		default:
			m.cmd = DX_ODRIVE_SET_INPUT_POS;
			m.u.input_pos.pos = (float)(c->pos * tr);
			m.u.input_pos.vel_ff = (float)(c->vel * tr);
			m.u.input_pos.torque_ff = (float)c->tau;
			break;
		}
		if (dx_odrive_encode(d->model, &m, &b->tx[n], &cl) == 0)
			n++;
		memset(&m, 0, sizeof(m));
		m.node = d->id;
		m.cmd = DX_ODRIVE_GET_ENCODER_ESTIMATES;
		m.rtr = true;
		if (dx_odrive_encode(d->model, &m, &b->tx[n], NULL) == 0)
			n++;
		break;
	}
	case DX_DRIVE_CIA402: {
		struct dx_cia402_out o;
		enum dx_cia402_state target = c->enable ?
			DX_CIA402_OPERATION_ENABLED :
			DX_CIA402_SWITCH_ON_DISABLED;
		o.controlword = dx_cia402_next_cw(
			(enum dx_cia402_state)dv->fb.state, target,
			dv->cia402_prev_cw);
		o.mode = (int8_t)(c->mode ? c->mode : DX_CIA402_MODE_CSP);
		o.pos = c->pos, o.vel = c->vel, o.tau = c->tau;
		if (dx_cia402_encode_rpdos(d->model, d->id, &o, &b->tx[n],
					   &cl) == 0) {
			n += 2;
			dv->cia402_prev_cw = o.controlword;
		}
		break;
	}
	}
	dv->link.clamped = cl;
	return n;
}

/* One cycle of the link rules of struct dx_link_stats for @p dv. */
static void supervise(const struct dx_drive_bus *b, struct dx_drive *dv,
		      bool answered)
{
	struct dx_link_stats *l = &dv->link;

	if (answered) {
		l->consecutive_misses = 0;
		if (l->error_count)
			l->error_count--;
		if (l->errors_high && l->error_count <= b->error_limit / 4 * 3)
			l->errors_high = false;
	} else {
		l->misses++;
		l->consecutive_misses++;
		/* past lost_after in a row the outage rule reports the link:
		 * the counter holds, so a long outage does not delay the
		 * link's return once it answers again */
		if (l->consecutive_misses <= b->lost_after)
			l->error_count += DX_LINK_MISS_WEIGHT;
		if (l->error_count >= b->error_limit) {
			l->error_count = b->error_limit;
			l->errors_high = true;
		}
	}
	l->lost = l->consecutive_misses >= b->lost_after || l->errors_high;
	l->integrity_history = (l->integrity_history << 1 |
				(dv->integrity_event ? 1u : 0u)) &
			       b->integrity_mask;
	l->integrity_cycles = (uint32_t)__builtin_popcountll(l->integrity_history);
	l->suspect = l->integrity_cycles >= b->integrity_limit;
	dv->integrity_event = false;
}

static void finish_cycle(struct dx_drive_bus *b, struct dx_exchange_result *r)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct dx_drive *dv = &b->dev[i];
		bool answered = dv->got == dv->expect;

		if (!dv->active) {
			dv->integrity_event = false;
			continue;
		}
		supervise(b, dv, answered);
		if (answered) {
			r->received++;
			if (dv->fb.ts_ns > r->last_reply_ns)
				r->last_reply_ns = dv->fb.ts_ns;
		} else {
			r->missed++;
		}
		if (dv->link.lost)
			r->lost++;
	}
}

/* Per-cycle counters and results start afresh. */
static void begin_cycle(struct dx_drive_bus *b, int64_t now_ns)
{
	memset(&b->cur, 0, sizeof(b->cur));
	b->cur.sent_ns = now_ns;
	b->send_err = 0;
	b->prev_deadline_ns = 0; /* set by collect */
	b->stats.cycles++;
	b->bus_off_seen = false;
}

/* Opens the reply window at @p now_ns and encodes every active device's
 * command, the SYNC and the caller's frames into b->tx. Returns the count. */
static size_t encode_batch(struct dx_drive_bus *b, int64_t now_ns,
			   const struct dx_can_frame *extra, size_t n_extra)
{
	size_t n = 0;

	b->cycle_start_ns = now_ns;
	b->pending = 0;
	for (unsigned i = 0; i < b->n; i++) {
		struct dx_drive *dv = &b->dev[i];
		dv->got = 0;
		dv->answered = false;
		if (!dv->active)
			continue;
		b->cur.expected++;
		if (awaited(b, dv))
			b->pending++;
		n = encode_dev(b, i, n);
	}
	if (b->sync && n < DX_DRIVE_TX_MAX)
		dx_co_sync(&b->tx[n++]);
	for (size_t k = 0; k < n_extra && n < DX_DRIVE_TX_MAX; k++)
		b->tx[n++] = extra[k];
	return n;
}

DX_API int dx_drive_bus_send(struct dx_drive_bus *b, int64_t now_ns,
			     const struct dx_can_frame *extra, size_t n_extra)
{
	size_t n;
	int got;

	if (!b || !b->can || (n_extra && !extra) || n_extra > DX_DRIVE_TX_EXTRA)
		return DX_EINVAL;
	begin_cycle(b, now_ns);

	/* 1. leftovers of the previous cycle: counted, never applied */
	for (unsigned guard = 0; guard < 64; guard++) {
		got = dx_can_recv(b->can, b->rx, DX_DRIVE_RX_BATCH);
		if (got <= 0)
			break;
		for (int k = 0; k < got; k++)
			dx_drive_bus_route(b, &b->rx[k], false);
	}

	/* 2. one batch with every command */
	n = encode_batch(b, now_ns, extra, n_extra);
	if (n) {
		int sent = dx_can_send(b->can, b->tx, n);
		if (sent < 0) {
			if (sent == DX_EBUSOFF) {
				b->stats.bus_off++;
				b->cur.bus_off = true;
			}
			b->pending = 0;
			b->send_err = sent;
			return sent;
		}
		if ((size_t)sent < n)
			b->stats.send_short++;
	}
	return 0;
}

DX_API int dx_drive_bus_prepare(struct dx_drive_bus *b, int64_t now_ns,
				const struct dx_can_frame *extra,
				size_t n_extra)
{
	if (!b || (n_extra && !extra) || n_extra > DX_DRIVE_TX_EXTRA)
		return DX_EINVAL;
	begin_cycle(b, now_ns);
	return (int)encode_batch(b, now_ns, extra, n_extra);
}

/* Closes the cycle (misses, lost links) and gives the result. */
static int close_cycle(struct dx_drive_bus *b, int err,
		       struct dx_exchange_result *res)
{
	finish_cycle(b, &b->cur);
	if (res)
		*res = b->cur;
	if (err)
		return err;
	if (b->bus_off_seen) {
		b->cur.bus_off = true;
		if (res)
			res->bus_off = true;
		b->stats.bus_off++;
		return DX_EBUSOFF;
	}
	/* devices already lost at the start were not waited for */
	return b->pending ? DX_ETIMEDOUT : 0;
}

DX_API int dx_drive_bus_collect(struct dx_drive_bus *b, int64_t deadline_ns,
				struct dx_exchange_result *res)
{
	int got, err;

	if (!b || !b->can)
		return DX_EINVAL;
	err = b->send_err;
	b->prev_deadline_ns = deadline_ns;
	/* 3. collect until every reply is in or the deadline passes. A busy
	 * bus (a babbling node) keeps recv returning frames without a wait:
	 * stop at the first frame stamped after the deadline, and after
	 * DX_DRIVE_MAX_BATCHES batches for transports without stamps. What
	 * has already arrived (one batch) is routed even when no reply is
	 * awaited: a bus whose devices are all lost must still see their
	 * replies, or they would be drained as leftovers next cycle and the
	 * links would never recover. */
	for (unsigned batches = 0; !err && (b->pending > 0 || batches == 0);) {
		bool past = false;
		got = dx_can_recv(b->can, b->rx, DX_DRIVE_RX_BATCH);
		if (got < 0) {
			err = got;
			break;
		}
		if (got == 0) {
			int w;
			if (b->pending == 0)
				break;
			w = dx_can_wait(b->can, deadline_ns);
			if (w == DX_ETIMEDOUT)
				break;
			if (w < 0) {
				err = w;
				break;
			}
			continue;
		}
		for (int k = 0; k < got; k++) {
			dx_drive_bus_route(b, &b->rx[k], true);
			past = past || b->rx[k].ts_ns > deadline_ns;
		}
		if (past || ++batches >= DX_DRIVE_MAX_BATCHES)
			break;
	}
	return close_cycle(b, err, res);
}

DX_API int dx_drive_bus_deliver(struct dx_drive_bus *b, int64_t deadline_ns,
				const struct dx_can_frame *frames, size_t n,
				struct dx_exchange_result *res)
{
	if (!b || (n && !frames))
		return DX_EINVAL;
	b->prev_deadline_ns = deadline_ns;
	for (size_t k = 0; k < n; k++)
		dx_drive_bus_route(b, &frames[k], true);
	return close_cycle(b, b->send_err, res);
}

DX_API int dx_drive_bus_exchange(struct dx_drive_bus *b, int64_t now_ns,
				 int64_t deadline_ns,
				 struct dx_exchange_result *res)
{
	int err = dx_drive_bus_send(b, now_ns, NULL, 0);

	if (err == DX_EINVAL) {
		if (res) {
			memset(res, 0, sizeof(*res));
			res->sent_ns = now_ns;
		}
		return err;
	}
	return dx_drive_bus_collect(b, deadline_ns, res);
}

DX_API int dx_drive_bus_special(const struct dx_drive_bus *b, unsigned i,
				enum dx_mit_special s, struct dx_can_frame *f)
{
	const struct dx_drive_desc *d;

	if (!b || i >= b->n || !f)
		return DX_EINVAL;
	d = &b->dev[i].desc;
	switch (d->proto) {
	case DX_DRIVE_MIT: {
		struct dx_mit_addr a = {d->model, d->id, d->master};
		return dx_mit_encode_special(&a, s, f);
	}
	case DX_DRIVE_ODRIVE: {
		struct dx_odrive_msg m;
		memset(&m, 0, sizeof(m));
		m.node = d->id;
		switch (s) {
		case DX_MIT_ENABLE:
			m.cmd = DX_ODRIVE_SET_AXIS_STATE;
			m.u.axis_state.state = DX_ODRIVE_STATE_CLOSED_LOOP;
			break;
		case DX_MIT_DISABLE:
			m.cmd = DX_ODRIVE_SET_AXIS_STATE;
			m.u.axis_state.state = DX_ODRIVE_STATE_IDLE;
			break;
		case DX_MIT_CLEAR_FAULT:
			m.cmd = DX_ODRIVE_CLEAR_ERRORS;
			break;
		default:
			return DX_ENOTSUP;
		}
		return dx_odrive_encode(d->model, &m, f, NULL);
	}
	default:
		return DX_ENOTSUP;
	}
}
