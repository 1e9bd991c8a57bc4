/* SPDX-License-Identifier: MIT */
/* Frame helpers: the CAN FD length code table and frame consistency checks.
 * DLC table: ISO 11898-1:2015, table 5 (DLC 9..15 give 12, 16, 20, 24, 32,
 * 48 and 64 bytes in FD frames; classic frames carry at most 8). */
#include <dexrt/can.h>

static const uint8_t fd_len[16] = {0,  1,  2,  3,  4,  5,  6,  7,
				   8, 12, 16, 20, 24, 32, 48, 64};

DX_API int dx_can_len_to_dlc(unsigned len)
{
	for (unsigned i = 0; i < 16; i++)
		if (fd_len[i] == len)
			return (int)i;
	return -1;
}

DX_API unsigned dx_can_dlc_to_len(unsigned dlc, bool fd)
{
	if (dlc > 15)
		dlc = 15;
	if (!fd)
		return dlc > 8 ? 8 : dlc;
	return fd_len[dlc];
}

DX_API int dx_can_frame_check(const struct dx_can_frame *f)
{
	const unsigned known = DX_CAN_EXT | DX_CAN_RTR | DX_CAN_FD |
			       DX_CAN_BRS | DX_CAN_ESI | DX_CAN_ERR;

	if (!f || (f->flags & ~known))
		return DX_EINVAL;
	if (f->flags & DX_CAN_ERR) {
		/* Error frames: classic, class bits in id, details in 8 bytes
		 * (linux/can/error.h: CAN_ERR_DLC is 8). */
		if (f->flags & (DX_CAN_EXT | DX_CAN_RTR | DX_CAN_FD | DX_CAN_BRS |
				DX_CAN_ESI))
			return DX_EINVAL; /* the class bits are not an ID format */
		if (f->id > DX_CAN_EFF_MASK)
			return DX_EINVAL;
		return f->len > DX_CAN_MAX_DLEN ? DX_EMSGSIZE : 0;
	}
	if (f->id > ((f->flags & DX_CAN_EXT) ? DX_CAN_EFF_MASK : DX_CAN_SFF_MASK))
		return DX_EINVAL;
	if (f->flags & DX_CAN_FD) {
		if (f->flags & DX_CAN_RTR)
			return DX_EINVAL; /* FD has no remote frames */
		return dx_can_len_to_dlc(f->len) < 0 ? DX_EMSGSIZE : 0;
	}
	if (f->flags & (DX_CAN_BRS | DX_CAN_ESI))
		return DX_EINVAL;
	return f->len > DX_CAN_MAX_DLEN ? DX_EMSGSIZE : 0;
}
