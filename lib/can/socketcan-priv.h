/* SPDX-License-Identifier: MIT */
/* Private: the pure parts of the SocketCAN backend (frame conversion, error
 * frame decoding, clock conversion), exposed for host-side unit tests that
 * run without a CAN-capable kernel. Never installed. */
#ifndef DEXRT_SOCKETCAN_PRIV_H
#define DEXRT_SOCKETCAN_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <linux/can.h>

#include <dexrt/can.h>

/* Kernel frame (@p len bytes read from a raw socket: CAN_MTU or CANFD_MTU)
 * to a dx frame. ts_ns is left 0. @return 0, or DX_EMSGSIZE for any other
 * size or a payload length the size cannot carry. Real-time safe. */
int dx__socketcan_from_kernel(struct dx_can_frame *f, const void *buf,
			      size_t len);

/* dx frame to a kernel frame in @p out. @p fd_ok: FD frames allowed (socket
 * has CAN_RAW_FD_FRAMES). @return the number of bytes to write (CAN_MTU
 * or CANFD_MTU), DX_EINVAL / DX_EMSGSIZE for an invalid frame (as
 * dx_can_frame_check), DX_ENOTSUP for an FD frame when !fd_ok.
 * Real-time safe. */
int dx__socketcan_to_kernel(const struct dx_can_frame *f,
			    struct canfd_frame *out, bool fd_ok);

/* Folds one error frame (DX_CAN_ERR; id holds the CAN_ERR_* class bits,
 * data the details, as linux/can/error.h) into @p bs. Frames without
 * DX_CAN_ERR are ignored. Real-time safe. */
void dx__socketcan_decode_err(struct dx_can_busstate *bs,
			      const struct dx_can_frame *f);

/* Kernel receive stamps are CLOCK_REALTIME. Converts @p rt_ns to
 * CLOCK_MONOTONIC with @p offset_ns = REALTIME - MONOTONIC measured near
 * the time of the call, and never returns a time after @p now_mono_ns (a
 * frame cannot arrive in the future; a small error in the offset could
 * otherwise say so). Real-time safe. */
int64_t dx__socketcan_rt_to_mono(int64_t rt_ns, int64_t offset_ns,
				 int64_t now_mono_ns);

/* Measures REALTIME - MONOTONIC: the realtime read bracketed by the two
 * closest monotonic reads out of a few tries. Real-time safe (vDSO). */
int64_t dx__socketcan_clock_offset(void);

/* Translates dx filters to kernel can_filter entries (at most @p max).
 * n == 0 gives one match-all entry. @return entries written, or DX_EINVAL
 * when n > max. */
int dx__socketcan_filters(const struct dx_can_filter *filters, size_t n,
			  struct can_filter *out, size_t max);

#endif
