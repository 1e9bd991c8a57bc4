/* SPDX-License-Identifier: MIT */
/* SocketCAN backend ("socketcan:IFNAME"): one raw CAN socket per transport,
 * non-blocking, close-on-exec, bound to the interface.
 *
 * - Receive: recvmmsg() in batches of up to SC_BATCH frames; each frame
 *   carries its kernel receive stamp (SO_TIMESTAMPNS) and the socket's drop
 *   counter (SO_RXQ_OVFL).
 * - Send: sendmmsg() in batches. A full queue (ENOBUFS from the qdisc, or
 *   EAGAIN when the socket send buffer is exhausted) is never dropped
 *   silently: the frames not taken are counted in stats.tx_full and the
 *   caller gets the number accepted, or DX_ENOBUFS when none was.
 * - Error frames are always requested from the kernel (CAN_RAW_ERR_FILTER,
 *   all classes) so the bus state stays current; they are passed on to the
 *   caller unless opts.no_err_frames.
 *
 * Kernel stamps are CLOCK_REALTIME; dexrt time is CLOCK_MONOTONIC. Each
 * receive call that returns frames measures REALTIME - MONOTONIC (a
 * realtime read bracketed by monotonic reads, vDSO, no system call) and
 * subtracts the offset from the stamps of that batch. The offset in use is
 * replaced only when the new measurement differs by more than
 * SC_OFFSET_JITTER_NS, so measurement noise does not make stamps of
 * consecutive batches jump back and forth; wall-clock steps and slewing are
 * followed from the next call on. A step that happens between a frame's
 * arrival and the call shifts that frame's stamp by the step; stamps are
 * therefore clamped to the time of the call and never go below the
 * previous frame's (frames arrive in kernel order).
 *
 * References: Linux Documentation/networking/can.rst (raw socket options,
 * error frames, CAN FD MTU rules); include/uapi/linux/can/error.h (error
 * frame layout); socket(7) for SO_TIMESTAMPNS and SO_RXQ_OVFL.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/if_arp.h>
#include <linux/can/raw.h>
#include <linux/sockios.h>

#include <dexrt/socketcan.h>

#include "can-priv.h"
#include "socketcan-priv.h"

#ifndef CAN_ERR_CNT
#define CAN_ERR_CNT 0x00000200U /* kernel ABI since 5.19: counters valid */
#endif
#ifndef CANFD_FDF
#define CANFD_FDF 0x04
#endif

#define SC_BATCH 64
/* Offset changes below this are measurement noise (a few vDSO reads). */
#define SC_OFFSET_JITTER_NS 20000

/* Control buffer of one received message: the stamp and the drop count. */
union sc_cmsg {
	char buf[CMSG_SPACE(sizeof(struct timespec)) +
		 CMSG_SPACE(sizeof(uint32_t)) + 64];
	size_t align; /* cmsghdr alignment (a size_t field first) */
};

struct sc_bus {
	struct dx_can can; /* must be first */
	int sock;
	bool fd_frames;
	bool have_offset;
	int64_t rt_offset;  /* REALTIME - MONOTONIC in use */
	int64_t last_ts;    /* stamp of the last frame delivered */
	struct mmsghdr msgs[SC_BATCH];
	struct iovec iov[SC_BATCH];
	struct canfd_frame kf[SC_BATCH];
	union sc_cmsg ctl[SC_BATCH];
};

static inline struct sc_bus *to_sc(struct dx_can *c)
{
	return (struct sc_bus *)c;
}

/* ---- pure helpers (unit-tested on the host) ------------------------------ */

int dx__socketcan_from_kernel(struct dx_can_frame *f, const void *buf,
			      size_t len)
{
	const struct canfd_frame *k = buf;
	canid_t id;

	if (len != CAN_MTU && len != CANFD_MTU)
		return DX_EMSGSIZE;
	memset(f, 0, sizeof(*f));
	id = k->can_id;
	if (len == CANFD_MTU) {
		if (dx_can_len_to_dlc(k->len) < 0)
			return DX_EMSGSIZE;
		f->flags |= DX_CAN_FD;
		if (k->flags & CANFD_BRS)
			f->flags |= DX_CAN_BRS;
		if (k->flags & CANFD_ESI)
			f->flags |= DX_CAN_ESI;
	} else if (k->len > CAN_MAX_DLEN) {
		return DX_EMSGSIZE;
	}
	f->len = k->len;
	if (id & CAN_ERR_FLAG) {
		/* Error frames are classic frames whose id holds the class. */
		f->flags = DX_CAN_ERR;
		f->id = id & CAN_ERR_MASK;
		f->len = CAN_ERR_DLC;
		memcpy(f->data, k->data, CAN_ERR_DLC);
		return 0;
	}
	if (id & CAN_EFF_FLAG) {
		f->flags |= DX_CAN_EXT;
		f->id = id & CAN_EFF_MASK;
	} else {
		f->id = id & CAN_SFF_MASK;
	}
	if (id & CAN_RTR_FLAG) {
		if (len == CANFD_MTU)
			return DX_EMSGSIZE; /* FD has no remote frames */
		f->flags |= DX_CAN_RTR;
		return 0; /* len is the requested length; no data */
	}
	memcpy(f->data, k->data, k->len);
	return 0;
}

int dx__socketcan_to_kernel(const struct dx_can_frame *f,
			    struct canfd_frame *out, bool fd_ok)
{
	int err = dx_can_frame_check(f);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	if (f->flags & DX_CAN_ERR) {
		/* Allowed: the kernel loops error frames back to listeners
		 * (how tools inject them on virtual buses). */
		out->can_id = CAN_ERR_FLAG | (f->id & CAN_ERR_MASK);
		out->len = f->len;
		memcpy(out->data, f->data, f->len);
		return (int)CAN_MTU;
	}
	out->can_id = f->id;
	if (f->flags & DX_CAN_EXT)
		out->can_id |= CAN_EFF_FLAG;
	out->len = f->len;
	if (f->flags & DX_CAN_FD) {
		if (!fd_ok)
			return DX_ENOTSUP;
		out->flags = CANFD_FDF;
		if (f->flags & DX_CAN_BRS)
			out->flags |= CANFD_BRS;
		if (f->flags & DX_CAN_ESI)
			out->flags |= CANFD_ESI;
		memcpy(out->data, f->data, f->len);
		return (int)CANFD_MTU;
	}
	if (f->flags & DX_CAN_RTR) {
		out->can_id |= CAN_RTR_FLAG;
		return (int)CAN_MTU;
	}
	memcpy(out->data, f->data, f->len);
	return (int)CAN_MTU;
}

static void set_state(struct dx_can_busstate *bs, enum dx_can_state s)
{
	if (s == bs->state)
		return;
	if (s == DX_CAN_STATE_BUS_OFF)
		bs->bus_off_count++;
	else if (s == DX_CAN_STATE_ERROR_PASSIVE)
		bs->passive_count++;
	bs->state = s;
}

void dx__socketcan_decode_err(struct dx_can_busstate *bs,
			      const struct dx_can_frame *f)
{
	uint32_t cls = f->id;
	uint8_t ctrl = f->data[1];

	if (!(f->flags & DX_CAN_ERR))
		return;
	if (cls & CAN_ERR_LOSTARB)
		bs->arb_lost++;
	if (cls & CAN_ERR_PROT)
		bs->prot_violations++;
	if (cls & CAN_ERR_CRTL) {
		/* A report that is only "back to error active" is a recovery,
		 * not a problem. */
		if (ctrl != CAN_ERR_CRTL_ACTIVE)
			bs->ctrl_problems++;
		if (ctrl & (CAN_ERR_CRTL_RX_PASSIVE | CAN_ERR_CRTL_TX_PASSIVE))
			set_state(bs, DX_CAN_STATE_ERROR_PASSIVE);
		else if (ctrl & (CAN_ERR_CRTL_RX_WARNING |
				 CAN_ERR_CRTL_TX_WARNING))
			set_state(bs, DX_CAN_STATE_ERROR_WARNING);
		else if (ctrl & CAN_ERR_CRTL_ACTIVE)
			set_state(bs, DX_CAN_STATE_ERROR_ACTIVE);
	}
	/* A restart (automatic after restart-ms, or requested) puts the
	 * controller back to error active with its counters cleared. */
	if (cls & CAN_ERR_RESTARTED) {
		set_state(bs, DX_CAN_STATE_ERROR_ACTIVE);
		bs->tx_errors = 0;
		bs->rx_errors = 0;
	}
	if (cls & CAN_ERR_BUSOFF)
		set_state(bs, DX_CAN_STATE_BUS_OFF);
	if (cls & CAN_ERR_CNT) {
		bs->tx_errors = f->data[6];
		bs->rx_errors = f->data[7];
	}
}

int64_t dx__socketcan_rt_to_mono(int64_t rt_ns, int64_t offset_ns,
				 int64_t now_mono_ns)
{
	int64_t t = rt_ns - offset_ns;

	return t > now_mono_ns ? now_mono_ns : t;
}

int64_t dx__socketcan_clock_offset(void)
{
	int64_t best_off = 0, best_win = INT64_MAX;

	for (int i = 0; i < 3; i++) {
		struct timespec a, r, b;
		int64_t win;

		clock_gettime(CLOCK_MONOTONIC, &a);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		win = dx_timespec_diff_ns(&b, &a);
		if (win < best_win) {
			best_win = win;
			best_off = dx_timespec_to_ns(&r) -
				   (dx_timespec_to_ns(&a) + win / 2);
		}
	}
	return best_off;
}

int dx__socketcan_filters(const struct dx_can_filter *filters, size_t n,
			  struct can_filter *out, size_t max)
{
	if (max == 0 || n > max)
		return DX_EINVAL;
	if (n == 0) {
		out[0].can_id = 0;
		out[0].can_mask = 0; /* matches everything */
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		/* EFF flag in the mask: the frame format must match too. RTR
		 * is left out of the mask, so remote frames match like data
		 * frames (the dx filter ignores RTR). */
		if (filters[i].ext) {
			out[i].can_id = (filters[i].id & CAN_EFF_MASK) |
					CAN_EFF_FLAG;
			out[i].can_mask = (filters[i].mask & CAN_EFF_MASK) |
					  CAN_EFF_FLAG;
		} else {
			out[i].can_id = filters[i].id & CAN_SFF_MASK;
			out[i].can_mask = (filters[i].mask & CAN_SFF_MASK) |
					  CAN_EFF_FLAG;
		}
	}
	return (int)n;
}

/* ---- backend -------------------------------------------------------------- */

static int sc_set_filters(struct dx_can *c, const struct dx_can_filter *f,
			  size_t n)
{
	struct sc_bus *sb = to_sc(c);
	struct can_filter *kf;
	int m;

	if (n > CAN_RAW_FILTER_MAX)
		return DX_EINVAL;
	kf = calloc(n ? n : 1, sizeof(*kf));
	if (!kf)
		return DX_ENOMEM;
	m = dx__socketcan_filters(f, n, kf, n ? n : 1);
	if (m > 0 && setsockopt(sb->sock, SOL_CAN_RAW, CAN_RAW_FILTER, kf,
				(socklen_t)((size_t)m * sizeof(*kf))) != 0)
		m = -errno;
	free(kf);
	return m < 0 ? m : 0;
}

static int setopt_int(int sock, int level, int name, int val)
{
	return setsockopt(sock, level, name, &val, sizeof(val)) ? -errno : 0;
}

static void sc_close(struct dx_can *c)
{
	struct sc_bus *sb = to_sc(c);

	if (sb->sock >= 0)
		close(sb->sock);
	free(sb);
}

static int sc_open(struct dx_can **out, const char *ifname,
		   const struct dx_can_opts *opts)
{
	struct sc_bus *sb;
	struct sockaddr_can addr;
	struct ifreq ifr;
	int err;

	if (strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/') ||
	    strchr(ifname, ' ')) {
		dx_log(DX_LOG_ERROR, "socketcan: '%s' is not a valid interface name",
		       ifname);
		return DX_EINVAL;
	}
	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return DX_ENOMEM;
	sb->sock = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  CAN_RAW);
	if (sb->sock < 0) {
		err = -errno;
		if (err == -EAFNOSUPPORT || err == -EPROTONOSUPPORT) {
			dx_log(DX_LOG_ERROR,
			       "socketcan: this kernel has no CAN raw sockets (%s)",
			       dx_strerror(err));
			err = DX_ENOTSUP;
		} else {
			dx_log(DX_LOG_ERROR, "socketcan: socket: %s",
			       dx_strerror(err));
		}
		goto fail;
	}

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(sb->sock, SIOCGIFINDEX, &ifr) != 0) {
		err = errno == ENODEV ? DX_ENODEV : -errno;
		dx_log(DX_LOG_ERROR, "socketcan: no network interface '%s' (%s)",
		       ifname, dx_strerror(err));
		goto fail;
	}
	memset(&addr, 0, sizeof(addr));
	addr.can_family = AF_CAN;
	addr.can_ifindex = ifr.ifr_ifindex;

	if (ioctl(sb->sock, SIOCGIFHWADDR, &ifr) != 0) {
		err = -errno;
		goto fail;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_CAN) {
		dx_log(DX_LOG_ERROR, "socketcan: '%s' is not a CAN interface",
		       ifname);
		err = DX_ENODEV;
		goto fail;
	}
	if (ioctl(sb->sock, SIOCGIFMTU, &ifr) != 0) {
		err = -errno;
		goto fail;
	}
	if (opts->fd) {
		/* The kernel accepts FD frames only on interfaces whose MTU
		 * is CANFD_MTU (or CAN XL's larger one). */
		if (ifr.ifr_mtu < (int)CANFD_MTU) {
			dx_log(DX_LOG_ERROR,
			       "socketcan: CAN FD requested but '%s' is classic CAN only (MTU %d, FD needs %d)",
			       ifname, ifr.ifr_mtu, (int)CANFD_MTU);
			err = DX_ENOTSUP;
			goto fail;
		}
		err = setopt_int(sb->sock, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, 1);
		if (err) {
			dx_log(DX_LOG_ERROR, "socketcan: CAN_RAW_FD_FRAMES: %s",
			       dx_strerror(err));
			err = err == -ENOPROTOOPT ? DX_ENOTSUP : err;
			goto fail;
		}
		sb->fd_frames = true;
	}

	err = setopt_int(sb->sock, SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS,
			 opts->recv_own ? 1 : 0);
	if (!err) {
		can_err_mask_t em = CAN_ERR_MASK;
		if (setsockopt(sb->sock, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &em,
			       sizeof(em)) != 0)
			err = -errno;
	}
	if (!err)
		err = setopt_int(sb->sock, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	if (!err)
		err = setopt_int(sb->sock, SOL_SOCKET, SO_RXQ_OVFL, 1);
	if (!err && opts->rx_queue) {
		/* The receive buffer is accounted in skb truesize, roughly
		 * 1 KiB per CAN frame on 64-bit kernels; the kernel doubles
		 * the value given and enforces its own floor and ceiling. */
		size_t bytes = opts->rx_queue * 512;
		int v = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;
		/* Past net.core.rmem_max only with CAP_NET_ADMIN. */
		if (setopt_int(sb->sock, SOL_SOCKET, SO_RCVBUFFORCE, v))
			err = setopt_int(sb->sock, SOL_SOCKET, SO_RCVBUF, v);
	}
	if (!err)
		err = sc_set_filters(&sb->can, opts->filters, opts->n_filters);
	if (err) {
		dx_log(DX_LOG_ERROR, "socketcan: socket options on '%s': %s",
		       ifname, dx_strerror(err));
		goto fail;
	}
	if (bind(sb->sock, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		err = -errno;
		dx_log(DX_LOG_ERROR, "socketcan: bind to '%s': %s", ifname,
		       dx_strerror(err));
		goto fail;
	}

	/* Starting state from the interface flags; error frames refine it.
	 * can-dev drivers turn the carrier off at bus-off. */
	sb->can.state.state = DX_CAN_STATE_UNKNOWN;
	if (ioctl(sb->sock, SIOCGIFFLAGS, &ifr) == 0) {
		if (!(ifr.ifr_flags & IFF_UP))
			sb->can.state.state = DX_CAN_STATE_STOPPED;
		else if (!(ifr.ifr_flags & IFF_RUNNING))
			sb->can.state.state = DX_CAN_STATE_BUS_OFF;
		else
			sb->can.state.state = DX_CAN_STATE_ERROR_ACTIVE;
	}
	sb->can.bitrate = opts->bitrate;
	sb->can.data_bitrate = opts->data_bitrate;
	if (!sb->can.bitrate) {
		/* The controller's own setting when it has one (not vcan). */
		uint32_t br = 0;
		if (dx_socketcan_get_bitrate(ifname, &br, NULL) == 0)
			sb->can.bitrate = br;
	}
	if (!sb->can.data_bitrate)
		sb->can.data_bitrate = sb->can.bitrate;

	for (size_t i = 0; i < SC_BATCH; i++) {
		sb->iov[i].iov_base = &sb->kf[i];
		sb->msgs[i].msg_hdr.msg_iov = &sb->iov[i];
		sb->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	sb->can.opts = *opts;
	sb->can.opts.filters = NULL;
	sb->can.opts.n_filters = 0;
	*out = &sb->can;
	return 0;
fail:
	if (sb->sock >= 0)
		close(sb->sock);
	free(sb);
	return err;
}

static int sc_send(struct dx_can *c, const struct dx_can_frame *f, size_t n)
{
	struct sc_bus *sb = to_sc(c);
	size_t sent = 0;
	int err = 0;

	/* Refuse the whole call on an invalid frame, before anything goes
	 * out, so the caller never has to guess what was sent. */
	for (size_t i = 0; i < n; i++) {
		int e = dx_can_frame_check(&f[i]);
		if (!e && (f[i].flags & DX_CAN_FD) && !sb->fd_frames)
			e = DX_ENOTSUP;
		if (e) {
			c->stats.tx_errors++;
			return e;
		}
	}
	while (sent < n) {
		size_t k = n - sent < SC_BATCH ? n - sent : SC_BATCH;
		int r;

		for (size_t i = 0; i < k; i++) {
			int mtu = dx__socketcan_to_kernel(&f[sent + i],
							  &sb->kf[i],
							  sb->fd_frames);
			sb->iov[i].iov_len = (size_t)mtu; /* checked above */
			sb->msgs[i].msg_hdr.msg_name = NULL;
			sb->msgs[i].msg_hdr.msg_namelen = 0;
			sb->msgs[i].msg_hdr.msg_control = NULL;
			sb->msgs[i].msg_hdr.msg_controllen = 0;
			sb->msgs[i].msg_hdr.msg_flags = 0;
		}
		r = sendmmsg(sb->sock, sb->msgs, (unsigned)k, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		for (int i = 0; i < r; i++)
			c->stats.tx_bytes += f[sent + (size_t)i].len;
		c->stats.tx_frames += (uint64_t)r;
		sent += (size_t)r;
		/* A short count means the next frame failed; the next round
		 * returns its error. */
	}
	if (!err)
		return (int)sent;
	if (err == -ENOBUFS || err == -EAGAIN) {
		/* The qdisc (ENOBUFS) or our send buffer (EAGAIN) is full:
		 * the rest is refused, counted, and reported. */
		c->stats.tx_full += n - sent;
		return sent ? (int)sent : DX_ENOBUFS;
	}
	c->stats.tx_errors += n - sent;
	if (err == -ENETDOWN || err == -ENETUNREACH) {
		if (c->state.state == DX_CAN_STATE_BUS_OFF)
			err = DX_EBUSOFF;
		else
			err = DX_ENETDOWN;
	}
	return sent ? (int)sent : err;
}

/* Takes the stamp and the drop counter out of one message's control data. */
static void sc_cmsgs(struct sc_bus *sb, struct msghdr *mh, int64_t *rt_ns)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			*rt_ns = dx_timespec_to_ns(&ts);
		} else if (cm->cmsg_type == SO_RXQ_OVFL &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			uint32_t drops;
			memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
			/* Cumulative count of frames the socket dropped. */
			if (drops > sb->can.stats.rx_dropped)
				sb->can.stats.rx_dropped = drops;
		}
	}
}

static int sc_recv(struct dx_can *c, struct dx_can_frame *f, size_t max)
{
	struct sc_bus *sb = to_sc(c);
	size_t got = 0;

	/* Bounded: each round reads at least one message or stops; error
	 * frames swallowed under no_err_frames cost at most a few rounds. */
	for (int round = 0; round < 8 && got < max; round++) {
		size_t k = max - got < SC_BATCH ? max - got : SC_BATCH;
		int64_t off, now;
		int r;

		for (size_t i = 0; i < k; i++) {
			struct msghdr *mh = &sb->msgs[i].msg_hdr;
			sb->iov[i].iov_len = sizeof(sb->kf[i]);
			mh->msg_name = NULL;
			mh->msg_namelen = 0;
			mh->msg_control = sb->ctl[i].buf;
			mh->msg_controllen = sizeof(sb->ctl[i].buf);
			mh->msg_flags = 0;
		}
		r = recvmmsg(sb->sock, sb->msgs, (unsigned)k, MSG_DONTWAIT,
			     NULL);
		if (r < 0) {
			int err = -errno;
			if (err == -EAGAIN || err == -EINTR)
				break;
			if (err == -ENETDOWN)
				c->state.state = DX_CAN_STATE_STOPPED;
			return got ? (int)got : err;
		}
		if (r == 0)
			break;
		now = dx_time_now_ns();
		off = dx__socketcan_clock_offset();
		if (!sb->have_offset || off - sb->rt_offset > SC_OFFSET_JITTER_NS ||
		    sb->rt_offset - off > SC_OFFSET_JITTER_NS) {
			sb->rt_offset = off;
			sb->have_offset = true;
		}
		off = sb->rt_offset;
		for (int i = 0; i < r; i++) {
			struct msghdr *mh = &sb->msgs[i].msg_hdr;
			struct dx_can_frame *out = &f[got];
			int64_t rt = 0;

			sc_cmsgs(sb, mh, &rt);
			if ((mh->msg_flags & MSG_TRUNC) ||
			    dx__socketcan_from_kernel(out, &sb->kf[i],
						      sb->msgs[i].msg_len)) {
				c->stats.rx_invalid++;
				continue;
			}
			out->ts_ns = rt ? dx__socketcan_rt_to_mono(rt, off, now)
					: now;
			if (out->ts_ns < sb->last_ts)
				out->ts_ns = sb->last_ts;
			sb->last_ts = out->ts_ns;
			if (out->flags & DX_CAN_ERR) {
				c->stats.rx_err_frames++;
				dx__socketcan_decode_err(&c->state, out);
				if (c->opts.no_err_frames)
					continue;
			}
			c->stats.rx_frames++;
			c->stats.rx_bytes += out->len;
			got++;
		}
		if ((size_t)r < k)
			break; /* queue drained */
	}
	return (int)got;
}

static int sc_wait(struct dx_can *c, int64_t deadline_ns)
{
	struct sc_bus *sb = to_sc(c);

	for (;;) {
		struct pollfd pfd = {.fd = sb->sock, .events = POLLIN};
		int64_t left = deadline_ns - dx_time_now_ns();
		struct timespec ts = dx_ns_to_timespec(left > 0 ? left : 0);
		int r = ppoll(&pfd, 1, &ts, NULL);

		if (r < 0) {
			if (errno == EINTR)
				continue; /* the deadline is absolute */
			return -errno;
		}
		if (r == 0)
			return DX_ETIMEDOUT;
		if (pfd.revents & POLLNVAL)
			return DX_EBADF;
		if (pfd.revents & POLLIN)
			return 0; /* frames first; a pending error follows */
		if (pfd.revents & POLLERR) {
			int soerr = 0;
			socklen_t len = sizeof(soerr);
			getsockopt(sb->sock, SOL_SOCKET, SO_ERROR, &soerr, &len);
			if (soerr == ENETDOWN)
				c->state.state = DX_CAN_STATE_STOPPED;
			return soerr ? -soerr : DX_EIO;
		}
		return DX_EIO; /* POLLHUP without data */
	}
}

static int sc_fd(const struct dx_can *c)
{
	return ((const struct sc_bus *)c)->sock;
}

static int sc_get_state(const struct dx_can *c, struct dx_can_busstate *bs)
{
	*bs = c->state;
	return 0;
}

const struct dx__can_ops dx__can_socketcan_ops = {
	.scheme = "socketcan",
	.open = sc_open,
	.close = sc_close,
	.send = sc_send,
	.recv = sc_recv,
	.wait = sc_wait,
	.set_filters = sc_set_filters,
	.fd = sc_fd,
	.get_state = sc_get_state,
};
