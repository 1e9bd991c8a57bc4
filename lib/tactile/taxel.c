/* SPDX-License-Identifier: MIT */
/* Taxel frame codecs: the dexrt taxel protocol and the legacy uSkin-style
 * protocol. Layouts are documented in include/dexrt/tactile.h. */
#include <string.h>

#include <dexrt/tactile.h>

#define TAG_SHIFT 20
#define BOARD_SHIFT 12
#define TYPE_SHIFT 8

DX_API uint32_t dx_taxel_id(unsigned board, unsigned type, unsigned first)
{
	return (DX_TAXEL_ID_TAG << TAG_SHIFT) | ((board & 0xffu) << BOARD_SHIFT) |
	       ((type & 0xfu) << TYPE_SHIFT) | (first & 0xffu);
}

/* Smallest valid FD length holding @p need bytes (need ≤ 64). */
static unsigned fd_len(unsigned need)
{
	static const uint8_t lens[] = {12, 16, 20, 24, 32, 48, 64};

	if (need <= 8)
		return need;
	for (size_t i = 0; i < sizeof(lens); i++)
		if (need <= lens[i])
			return lens[i];
	return 0;
}

DX_API unsigned dx_taxel_frame_capacity(unsigned axes, bool fd)
{
	if (axes != 1 && axes != 3)
		return 0;
	return ((fd ? DX_CANFD_MAX_DLEN : DX_CAN_MAX_DLEN) - 2u) / (2u * axes);
}

DX_API int dx_taxel_encode(const struct dx_taxel_msg *m, bool fd,
			   struct dx_can_frame *f)
{
	unsigned nv, need, len;

	if (!m || !f || (m->axes != 1 && m->axes != 3) || m->count == 0 ||
	    m->count > dx_taxel_frame_capacity(m->axes, fd) ||
	    (unsigned)m->first + m->count > 256u)
		return DX_EINVAL;
	nv = (unsigned)m->count * m->axes;
	need = 2u + 2u * nv;
	len = fd ? fd_len(need) : need;
	memset(f, 0, sizeof(*f));
	f->id = dx_taxel_id(m->board, DX_TAXEL_TYPE_DATA, m->first);
	f->flags = DX_CAN_EXT | (fd ? DX_CAN_FD | DX_CAN_BRS : 0);
	f->len = (uint8_t)len;
	f->data[0] = m->seq;
	f->data[1] = (uint8_t)(m->count | (m->axes == 3 ? 0x40u : 0u) |
			       (m->end_of_scan ? 0x80u : 0u));
	for (unsigned i = 0; i < nv; i++) {
		uint16_t u = (uint16_t)m->v[i];
		f->data[2 + 2 * i] = (uint8_t)(u & 0xffu);
		f->data[3 + 2 * i] = (uint8_t)(u >> 8);
	}
	return 0;
}

static bool is_taxel_id(const struct dx_can_frame *f, unsigned type)
{
	return (f->flags & DX_CAN_EXT) && !(f->flags & (DX_CAN_ERR | DX_CAN_RTR)) &&
	       (f->id >> TAG_SHIFT) == DX_TAXEL_ID_TAG &&
	       ((f->id >> TYPE_SHIFT) & 0xfu) == type;
}

DX_API int dx_taxel_decode(const struct dx_can_frame *f, struct dx_taxel_msg *m)
{
	unsigned count, axes, nv, need;
	bool fd;

	if (!f || !m)
		return DX_EINVAL;
	if (!is_taxel_id(f, DX_TAXEL_TYPE_DATA))
		return DX_ENOENT;
	fd = (f->flags & DX_CAN_FD) != 0;
	if (f->len < 2 || f->len > (fd ? DX_CANFD_MAX_DLEN : DX_CAN_MAX_DLEN))
		return DX_EMSGSIZE;
	count = f->data[1] & 0x3fu;
	axes = (f->data[1] & 0x40u) ? 3u : 1u;
	if (count == 0 || count > dx_taxel_frame_capacity(axes, fd))
		return DX_EPROTO;
	nv = count * axes;
	need = 2u + 2u * nv;
	/* Classic frames carry no padding; FD frames exactly the padding
	 * the FD length table forces. */
	if (f->len != (fd ? fd_len(need) : need))
		return DX_EMSGSIZE;
	m->first = (uint8_t)(f->id & 0xffu);
	if ((unsigned)m->first + count > 256u)
		return DX_EPROTO;
	m->board = (uint8_t)((f->id >> BOARD_SHIFT) & 0xffu);
	m->seq = f->data[0];
	m->count = (uint8_t)count;
	m->axes = (uint8_t)axes;
	m->end_of_scan = (f->data[1] & 0x80u) != 0;
	for (unsigned i = 0; i < nv; i++)
		m->v[i] = (int16_t)(uint16_t)(f->data[2 + 2 * i] |
					      (f->data[3 + 2 * i] << 8));
	return 0;
}

DX_API int dx_taxel_encode_cmd(unsigned board, enum dx_taxel_cmd cmd,
			       unsigned rate_hz, struct dx_can_frame *f)
{
	if (!f || board > 255 || cmd < DX_TAXEL_CMD_START ||
	    cmd > DX_TAXEL_CMD_SCAN || rate_hz > 65535)
		return DX_EINVAL;
	memset(f, 0, sizeof(*f));
	f->id = dx_taxel_id(board, DX_TAXEL_TYPE_CMD, 0);
	f->flags = DX_CAN_EXT;
	f->data[0] = (uint8_t)cmd;
	if (cmd == DX_TAXEL_CMD_START) {
		f->len = 3;
		f->data[1] = (uint8_t)(rate_hz & 0xffu);
		f->data[2] = (uint8_t)(rate_hz >> 8);
	} else {
		f->len = 1;
	}
	return 0;
}

DX_API int dx_taxel_decode_cmd(const struct dx_can_frame *f, unsigned *board,
			       enum dx_taxel_cmd *cmd, unsigned *rate_hz)
{
	unsigned c;

	if (!f || !board || !cmd)
		return DX_EINVAL;
	if (!is_taxel_id(f, DX_TAXEL_TYPE_CMD) || (f->id & 0xffu) != 0)
		return DX_ENOENT;
	if (f->len < 1 || (f->flags & DX_CAN_FD))
		return DX_EMSGSIZE;
	c = f->data[0];
	if (c < DX_TAXEL_CMD_START || c > DX_TAXEL_CMD_SCAN)
		return DX_EPROTO;
	if ((c == DX_TAXEL_CMD_START && f->len != 3) ||
	    (c != DX_TAXEL_CMD_START && f->len != 1))
		return DX_EMSGSIZE;
	*board = (f->id >> BOARD_SHIFT) & 0xffu;
	*cmd = (enum dx_taxel_cmd)c;
	if (rate_hz)
		*rate_hz = c == DX_TAXEL_CMD_START
				   ? (unsigned)(f->data[1] | (f->data[2] << 8))
				   : 0;
	return 0;
}

/* ---- uSkin-style --------------------------------------------------------- */

static bool plain_std(const struct dx_can_frame *f)
{
	return !(f->flags & (DX_CAN_EXT | DX_CAN_RTR | DX_CAN_ERR | DX_CAN_FD));
}

DX_API int dx_uskin_encode_trigger(unsigned board, struct dx_can_frame *f)
{
	if (!f || board < 1 || board > DX_USKIN_MAX_BOARD)
		return DX_EINVAL;
	memset(f, 0, sizeof(*f));
	f->id = DX_USKIN_TRIGGER_BASE + board;
	f->len = 2;
	f->data[0] = 0x07; /* start/trigger command byte of the reference driver */
	return 0;
}

DX_API int dx_uskin_decode_trigger(const struct dx_can_frame *f,
				   unsigned *board)
{
	if (!f || !board)
		return DX_EINVAL;
	if (!plain_std(f) || f->id <= DX_USKIN_TRIGGER_BASE ||
	    f->id > DX_USKIN_TRIGGER_BASE + DX_USKIN_MAX_BOARD)
		return DX_ENOENT;
	if (f->len < 1 || f->len > 2)
		return DX_EMSGSIZE;
	if (f->data[0] != 0x07 || (f->len == 2 && f->data[1] != 0))
		return DX_EPROTO;
	*board = f->id - DX_USKIN_TRIGGER_BASE;
	return 0;
}

DX_API int dx_uskin_encode_taxel(unsigned board, unsigned taxel,
				 const uint16_t xyz[3], struct dx_can_frame *f)
{
	if (!f || !xyz || board < 1 || board > DX_USKIN_MAX_BOARD ||
	    taxel >= DX_USKIN_TAXELS_PER_BOARD)
		return DX_EINVAL;
	memset(f, 0, sizeof(*f));
	f->id = DX_USKIN_REPLY_BASE + DX_USKIN_TAXELS_PER_BOARD * board + taxel;
	f->len = 8;
	f->data[0] = (uint8_t)taxel;
	for (int a = 0; a < 3; a++) {
		f->data[1 + 2 * a] = (uint8_t)(xyz[a] >> 8); /* big-endian */
		f->data[2 + 2 * a] = (uint8_t)(xyz[a] & 0xffu);
	}
	return 0;
}

DX_API int dx_uskin_decode_taxel(const struct dx_can_frame *f, unsigned *board,
				 unsigned *taxel, uint16_t xyz[3])
{
	unsigned rel;

	if (!f || !board || !taxel || !xyz)
		return DX_EINVAL;
	if ((f->flags & (DX_CAN_EXT | DX_CAN_ERR)) ||
	    f->id < DX_USKIN_REPLY_BASE + DX_USKIN_TAXELS_PER_BOARD ||
	    f->id > 0x7ffu)
		return DX_ENOENT;
	if (!plain_std(f) || f->len != 8)
		return DX_EMSGSIZE;
	rel = f->id - DX_USKIN_REPLY_BASE;
	*board = rel / DX_USKIN_TAXELS_PER_BOARD;
	*taxel = rel % DX_USKIN_TAXELS_PER_BOARD;
	for (int a = 0; a < 3; a++)
		xyz[a] = (uint16_t)((f->data[1 + 2 * a] << 8) | f->data[2 + 2 * a]);
	return f->data[1] >= DX_USKIN_INVALID_MSB ? DX_ERANGE : 0;
}
