/* SPDX-License-Identifier: MIT */
/* Fuzz target: the SocketCAN backend's pure receive path: kernel frame
 * buffers (struct can_frame / canfd_frame as read() returns them) to dx
 * frames, the way back, and the error-frame decoder that folds error
 * frames into the bus state.
 *
 * Input: records of one size byte (0: CAN_MTU, 1: CANFD_MTU, otherwise a
 * length the backend must refuse) followed by that many buffer bytes.
 * Checks: a buffer that converts gives a frame dx_can_frame_check()
 * accepts, which converts back to a kernel frame and again to the same dx
 * frame; every frame (error or not) goes through the error decoder, whose
 * state stays a known state and whose event counters never go down; clock
 * conversion never returns a time after "now". */
#include <linux/can.h>
#include <linux/can/error.h>

#include "can/socketcan-priv.h"
#include "fuzz-util.h"

static bool same(const struct dx_can_frame *a, const struct dx_can_frame *b)
{
	if (a->id != b->id || a->len != b->len || a->flags != b->flags)
		return false;
	return (a->flags & DX_CAN_RTR) || !memcmp(a->data, b->data, a->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = { data, size };
	struct dx_can_busstate bs;

	memset(&bs, 0, sizeof(bs));
	while (fz_left(&z)) {
		union {
			struct canfd_frame fd;
			uint8_t b[sizeof(struct canfd_frame) + 8];
		} buf;
		struct canfd_frame out;
		struct dx_can_frame f, g;
		struct dx_can_busstate prev = bs;
		uint8_t sel = fz_u8(&z);
		size_t len = sel == 0 ? CAN_MTU : sel == 1 ? CANFD_MTU :
			     sel % sizeof(buf.b);
		int n;

		memset(&buf, 0, sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf.b[i] = fz_u8(&z);
		if (dx__socketcan_from_kernel(&f, buf.b, len) != 0) {
			FZ_CHECK(len == CAN_MTU || len == CANFD_MTU ||
				 sel > 1);
			continue;
		}
		FZ_CHECK(len == CAN_MTU || len == CANFD_MTU);
		if (dx_can_frame_check(&f) != 0) {
			fz_dump_frame("kernel frame converts to an invalid frame", &f);
			abort();
		}
		n = dx__socketcan_to_kernel(&f, &out, true);
		FZ_CHECK(n == (int)CAN_MTU || n == (int)CANFD_MTU);
		if (!(f.flags & DX_CAN_ERR))
			FZ_CHECK((size_t)n == len);
		FZ_CHECK(dx__socketcan_from_kernel(&g, &out, (size_t)n) == 0);
		if (!same(&f, &g)) {
			fz_dump_frame("before", &f);
			fz_dump_frame("after to_kernel/from_kernel", &g);
			abort();
		}
		if (f.flags & DX_CAN_FD)
			FZ_CHECK(dx__socketcan_to_kernel(&f, &out, false) ==
				 DX_ENOTSUP);

		dx__socketcan_decode_err(&bs, &f);
		FZ_CHECK(bs.state <= DX_CAN_STATE_STOPPED);
		FZ_CHECK(bs.bus_off_count >= prev.bus_off_count &&
			 bs.passive_count >= prev.passive_count &&
			 bs.arb_lost >= prev.arb_lost &&
			 bs.ctrl_problems >= prev.ctrl_problems &&
			 bs.prot_violations >= prev.prot_violations);
		if (!(f.flags & DX_CAN_ERR))
			FZ_CHECK(memcmp(&bs, &prev, sizeof(bs)) == 0);
		else if (f.id & CAN_ERR_BUSOFF)
			FZ_CHECK(bs.state == DX_CAN_STATE_BUS_OFF);

		/* stamps: plausible ranges (kernel times, a measured offset) */
		{
			int64_t rt = (int64_t)(((uint64_t)f.id << 24 | f.data[0]) &
					       ((UINT64_C(1) << 62) - 1));
			int64_t off = (int64_t)(f.data[1] | f.data[2] << 8) *
				      1000000000LL - (1LL << 40);
			int64_t now = (int64_t)(f.data[3] | f.data[4] << 8) << 30;

			FZ_CHECK(dx__socketcan_rt_to_mono(rt, off, now) <= now);
		}
	}
	return 0;
}
