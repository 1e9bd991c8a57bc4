/* SPDX-License-Identifier: MIT */
/* Bus timing: frames are built bit by bit as the controller would send them
 * and counted. Sources:
 *  - ISO 11898-1:2015, 10.4 (frame formats), 10.5 (bit stuffing: after five
 *    equal bits a complementary bit is inserted, from SOF to the end of the
 *    CRC sequence in classic frames and to the end of the data field in FD
 *    frames), 10.4.2.6 (CRC field; FD: stuff count in 3-bit Gray code plus
 *    an even parity bit, fixed stuff bits of complementary value before the
 *    first bit of the stuff count and after every 4 bits of the field).
 *  - CRC polynomials: CRC-15 0x4599 (x^15+x^14+x^10+x^8+x^7+x^4+x^3+1),
 *    CRC-17 0x3685B, CRC-21 0x302899 (CiA "CAN knowledge: CRC" and Vector
 *    e-learning "CAN FD: more data with the same security"). The FD CRCs
 *    start from a 1 in the most significant bit (ISO version) and run over
 *    the dynamic stuff bits and the stuff count as well (ISO 11898-1:2015;
 *    Mutter and Hartwich, "Advantages of CAN FD error detection mechanisms",
 *    iCC 2015); the classic CRC starts at 0 and ignores stuff bits.
 *  - Field sizes cross-checked with Linux include/linux/can/length.h (FD CRC
 *    field with 6 resp. 7 fixed stuff bits).
 *
 * Interpretation where the standard text leaves a choice to the model:
 *  - FD frames: when the data field ends with five equal bits, the fixed
 *    stuff bit that opens the CRC field is the complementary bit that
 *    follows; no separate dynamic stuff bit is sent nor counted in the
 *    stuff count (the difference would be one bit).
 *  - Bit-rate switch: the real switch happens at the sample point of the BRS
 *    bit and back at the sample point of the CRC delimiter. This model counts
 *    BRS and the CRC delimiter as whole nominal bits and everything between
 *    them (ESI, DLC, data, the stuff bits there and the whole CRC field) at
 *    the data bitrate. The error is below one nominal bit per frame.
 *  - The ACK slot is one bit (FD receivers may accept two). */
#include <math.h>
#include <string.h>

#include <dexrt/busload.h>

#define MAX_RAW 640 /* 29-bit FD, 64 bytes: 41 + 512 raw dynamic bits */

struct bitstream {
	uint32_t n;          /* bits emitted so far (stuffed) */
	uint32_t dyn_stuff;  /* dynamic stuff bits */
	uint32_t fixed;      /* fixed stuff bits */
	uint32_t data_from;  /* first bit at the data bitrate (FD, BRS) */
	uint32_t data_to;    /* first nominal bit after the data phase */
	int last;            /* value of the last emitted bit, -1 none */
	int run;             /* length of the run of equal bits */
	/* CRC over the transmitted stream (FD) */
	uint32_t crc, poly, crc_bits;
	bool crc_stuffed;    /* FD: stuff bits enter the CRC */
};

static void crc_bit(struct bitstream *s, int b)
{
	uint32_t top = (s->crc >> (s->crc_bits - 1)) & 1u;

	s->crc = (s->crc << 1) & ((1u << s->crc_bits) - 1u);
	if ((uint32_t)b ^ top)
		s->crc ^= s->poly;
}

static void put_raw(struct bitstream *s, int b)
{
	s->n++;
	if (b == s->last) {
		s->run++;
	} else {
		s->last = b;
		s->run = 1;
	}
}

/* A bit in the dynamically stuffed part. A stuff bit owed after five equal
 * bits is sent just before the next bit (so a stuff bit due at the end of an
 * FD data field is left to the fixed stuff bit, see above). */
static void put_dyn(struct bitstream *s, int b, bool crc)
{
	if (s->run == 5) {
		int sb = !s->last;
		put_raw(s, sb);
		s->dyn_stuff++;
		if (s->crc_stuffed)
			crc_bit(s, sb);
	}
	put_raw(s, b);
	if (crc)
		crc_bit(s, b);
}

static void put_field(struct bitstream *s, uint32_t v, unsigned nbits, bool crc)
{
	while (nbits--)
		put_dyn(s, (int)((v >> nbits) & 1u), crc);
}

static const uint8_t gray3[8] = {0, 1, 3, 2, 6, 7, 5, 4};

DX_API int dx_can_frame_bits(const struct dx_can_frame *f,
			     struct dx_can_frame_bits *out)
{
	struct bitstream s;
	bool ext, fd, rtr;
	unsigned dlc, nbytes;
	int err;

	if (!f || !out)
		return DX_EINVAL;
	err = dx_can_frame_check(f);
	if (err)
		return err;
	if (f->flags & DX_CAN_ERR)
		return DX_EINVAL;
	ext = f->flags & DX_CAN_EXT;
	fd = f->flags & DX_CAN_FD;
	rtr = f->flags & DX_CAN_RTR;
	dlc = (unsigned)dx_can_len_to_dlc(f->len);
	nbytes = rtr ? 0 : f->len;

	memset(&s, 0, sizeof(s));
	s.last = -1;
	if (!fd) {
		s.crc_bits = 15;
		s.poly = 0x4599;
	} else if (f->len <= 16) {
		s.crc_bits = 17;
		s.poly = 0x1685B;
		s.crc = 1u << 16;
		s.crc_stuffed = true;
	} else {
		s.crc_bits = 21;
		s.poly = 0x102899;
		s.crc = 1u << 20;
		s.crc_stuffed = true;
	}

	put_dyn(&s, 0, true); /* SOF, dominant */
	if (!ext) {
		put_field(&s, f->id, 11, true);
		if (!fd) {
			put_dyn(&s, rtr, true); /* RTR */
			put_dyn(&s, 0, true);   /* IDE dominant */
			put_dyn(&s, 0, true);   /* r0 */
		} else {
			put_dyn(&s, 0, true); /* RRS */
			put_dyn(&s, 0, true); /* IDE */
			put_dyn(&s, 1, true); /* FDF recessive */
			put_dyn(&s, 0, true); /* res */
		}
	} else {
		put_field(&s, f->id >> 18, 11, true); /* base identifier */
		put_dyn(&s, 1, true);                 /* SRR recessive */
		put_dyn(&s, 1, true);                 /* IDE recessive */
		put_field(&s, f->id & 0x3ffffu, 18, true);
		if (!fd) {
			put_dyn(&s, rtr, true); /* RTR */
			put_dyn(&s, 0, true);   /* r1 */
			put_dyn(&s, 0, true);   /* r0 */
		} else {
			put_dyn(&s, 0, true); /* RRS */
			put_dyn(&s, 1, true); /* FDF */
			put_dyn(&s, 0, true); /* res */
		}
	}
	if (fd) {
		bool brs = f->flags & DX_CAN_BRS;
		put_dyn(&s, brs, true);
		if (brs)
			s.data_from = s.n; /* bits after BRS: data rate */
		put_dyn(&s, (f->flags & DX_CAN_ESI) != 0, true);
	}
	put_field(&s, dlc, 4, true);
	for (unsigned i = 0; i < nbytes; i++)
		put_field(&s, f->data[i], 8, true);

	if (!fd) {
		/* CRC sequence, stuffed dynamically; a stuff bit owed after its
		 * last bit is sent before the (recessive) CRC delimiter. */
		uint32_t crc = s.crc;
		put_field(&s, crc, 15, false);
		if (s.run == 5) {
			put_raw(&s, !s.last);
			s.dyn_stuff++;
		}
		out->crc = 15;
	} else {
		uint32_t sc = gray3[s.dyn_stuff & 7u];
		uint32_t parity = (sc ^ (sc >> 1) ^ (sc >> 2)) & 1u;
		uint32_t field[32];
		unsigned nf = 0;

		sc = sc << 1 | parity; /* even parity over the 4 bits */
		for (int i = 3; i >= 0; i--) {
			field[nf] = (sc >> i) & 1u;
			crc_bit(&s, (int)field[nf++]);
		}
		for (int i = (int)s.crc_bits - 1; i >= 0; i--)
			field[nf++] = (s.crc >> i) & 1u;
		for (unsigned i = 0; i < nf; i++) {
			if (i % 4 == 0) {
				put_raw(&s, !s.last);
				s.fixed++;
			}
			put_raw(&s, (int)field[i]);
		}
		out->crc = s.crc_bits;
	}
	if (s.data_from)
		s.data_to = s.n;
	/* CRC delimiter, ACK slot, ACK delimiter, 7-bit end of frame */
	s.n += 10;

	out->bits = s.n;
	out->stuff_bits = s.dyn_stuff + s.fixed;
	out->fixed_stuff = s.fixed;
	out->data_bits = s.data_from ? s.data_to - s.data_from : 0;
	out->nominal_bits = s.n - out->data_bits;
	return 0;
}

DX_API int64_t dx_can_bits_ns(const struct dx_can_frame_bits *b,
			      uint32_t bitrate, uint32_t data_bitrate)
{
	double ns;

	if (!b || bitrate == 0)
		return 0;
	if (data_bitrate == 0)
		data_bitrate = bitrate;
	ns = (double)b->nominal_bits * 1e9 / bitrate +
	     (double)b->data_bits * 1e9 / data_bitrate;
	return (int64_t)llround(ns);
}

DX_API int64_t dx_can_frame_ns(const struct dx_can_frame *f, uint32_t bitrate,
			       uint32_t data_bitrate)
{
	struct dx_can_frame_bits b;
	int err;

	if (bitrate == 0)
		return DX_EINVAL;
	err = dx_can_frame_bits(f, &b);
	if (err)
		return err;
	return dx_can_bits_ns(&b, bitrate, data_bitrate);
}

DX_API int dx_can_frame_bits_worst(uint32_t id, uint8_t flags, unsigned len,
				   struct dx_can_frame_bits *out)
{
	struct dx_can_frame f;
	bool ext, fd, brs;
	uint32_t dyn, stuff;
	int err;

	if (!out || len > DX_CANFD_MAX_DLEN)
		return out ? DX_EMSGSIZE : DX_EINVAL;
	memset(&f, 0, sizeof(f));
	f.id = id;
	f.flags = flags;
	f.len = (uint8_t)len;
	err = dx_can_frame_check(&f);
	if (err)
		return err;
	if (flags & DX_CAN_ERR)
		return DX_EINVAL;
	ext = flags & DX_CAN_EXT;
	fd = flags & DX_CAN_FD;
	brs = flags & DX_CAN_BRS;
	memset(out, 0, sizeof(*out));
	if (!fd) {
		unsigned s = (flags & DX_CAN_RTR) ? 0 : len;
		dyn = (ext ? 54u : 34u) + 8u * s; /* SOF..end of CRC */
		stuff = (dyn - 1) / 4;
		out->bits = dyn + stuff + 10;
		out->stuff_bits = stuff;
		out->nominal_bits = out->bits;
		out->crc = 15;
		return 0;
	} else {
		/* SOF..end of data: 22 (11-bit) / 41 (29-bit) + 8 len bits */
		uint32_t crcn = len <= 16 ? 17 : 21;
		uint32_t fixed = (4 + crcn + 3) / 4;
		uint32_t arb = ext ? 36u : 17u; /* SOF..BRS */
		uint32_t arb_stuff = (arb - 1) / 4;

		dyn = (ext ? 41u : 22u) + 8u * len;
		stuff = (dyn - 1) / 4;
		out->bits = dyn + stuff + 4 + crcn + fixed + 10;
		out->stuff_bits = stuff + fixed;
		out->fixed_stuff = fixed;
		out->crc = crcn;
		if (brs) {
			out->nominal_bits = arb + arb_stuff + 10;
			out->data_bits = out->bits - out->nominal_bits;
		} else {
			out->nominal_bits = out->bits;
		}
	}
	return 0;
}

DX_API int dx_can_budget_plan(const struct dx_can_periodic *frames, size_t n,
			      const struct dx_can_bus_rates *buses,
			      size_t n_buses, double max_load,
			      struct dx_can_bus_budget *out,
			      double *max_common_hz)
{
	double common = INFINITY;
	bool all_fit = true;

	if ((n && !frames) || !buses || n_buses == 0 || !out ||
	    !dx_isfinite(max_load) || max_load <= 0.0 || max_load > 1.0)
		return DX_EINVAL;
	for (size_t b = 0; b < n_buses; b++)
		if (buses[b].bitrate == 0)
			return DX_EINVAL;
	memset(out, 0, n_buses * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct dx_can_periodic *p = &frames[i];
		struct dx_can_frame_bits fb;
		struct dx_can_bus_budget *o;
		double t;
		int err;

		if (p->bus >= n_buses || !dx_isfinite(p->rate_hz) ||
		    p->rate_hz <= 0.0)
			return DX_EINVAL;
		err = dx_can_frame_bits_worst(p->id, p->flags, p->len, &fb);
		if (err)
			return err;
		fb.nominal_bits += DX_CAN_IFS_BITS;
		t = (double)dx_can_bits_ns(&fb, buses[p->bus].bitrate,
					   buses[p->bus].data_bitrate) * 1e-9;
		o = &out[p->bus];
		o->n_frames++;
		o->frames_per_s += p->rate_hz;
		o->busy_s_per_s += t * p->rate_hz;
		o->cycle_s += t;
	}
	for (size_t b = 0; b < n_buses; b++) {
		struct dx_can_bus_budget *o = &out[b];

		o->load = o->busy_s_per_s;
		o->fits = o->load <= max_load * (1.0 + 1e-12);
		o->max_scale = o->load > 0 ? max_load / o->load : INFINITY;
		o->max_common_hz = o->cycle_s > 0 ? max_load / o->cycle_s
						  : INFINITY;
		if (o->max_common_hz < common)
			common = o->max_common_hz;
		if (!o->fits)
			all_fit = false;
	}
	if (max_common_hz)
		*max_common_hz = common;
	return all_fit ? 0 : DX_EBUDGET;
}
