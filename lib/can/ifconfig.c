/* SPDX-License-Identifier: MIT */
/* SocketCAN interface control through libsocketcan, for tools.
 *
 * Every call first asks the kernel about the link (one RTM_GETLINK): does it
 * exist, is it CAN (ARPHRD_CAN), and what kind of link is it. Controller
 * settings exist only on links of kind "can" (drivers built on can-dev);
 * vcan and vxcan have none, and libsocketcan would print "no link data
 * found" and fail without an errno for them, so those calls return
 * DX_ENOTSUP before reaching it. libsocketcan reports a kernel refusal as
 * -1 with errno set from the netlink error (EBUSY, EPERM, EOPNOTSUPP...),
 * which is passed on negated.
 *
 * References: libsocketcan 0.0.12 API (libsocketcan.h); Linux
 * include/uapi/linux/can/netlink.h (CAN states, bit timing, counters);
 * rtnetlink(7) for RTM_GETLINK and IFLA_LINKINFO/IFLA_INFO_KIND.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/can/netlink.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libsocketcan.h>

#include <dexrt/socketcan.h>

struct link_info {
	int ifindex;
	unsigned type;  /* ARPHRD_* */
	unsigned flags; /* IFF_* */
	int mtu;
	char kind[16];
};

static void parse_linkinfo(struct rtattr *nest, struct link_info *li)
{
	int len = (int)RTA_PAYLOAD(nest);

	for (struct rtattr *a = RTA_DATA(nest); RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_INFO_KIND) {
			size_t n = RTA_PAYLOAD(a);
			if (n >= sizeof(li->kind))
				n = sizeof(li->kind) - 1;
			memcpy(li->kind, RTA_DATA(a), n);
			li->kind[n] = '\0';
		}
	}
}

/* One RTM_GETLINK for @p ifindex. @return 0 or a negative errno code. */
static int link_query_index(int ifindex, struct link_info *li)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	union {
		char buf[16384];
		struct nlmsghdr align;
	} resp;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	ssize_t got;
	int s, err = DX_EIO;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	if (sendto(s, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	got = recv(s, resp.buf, sizeof(resp.buf), 0);
	if (got < 0) {
		err = -errno;
		goto out;
	}
	for (struct nlmsghdr *nh = &resp.align; NLMSG_OK(nh, (unsigned)got);
	     nh = NLMSG_NEXT(nh, got)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);
			err = e->error ? e->error : DX_EIO;
			break;
		}
		if (nh->nlmsg_type == RTM_NEWLINK) {
			struct ifinfomsg *ifi = NLMSG_DATA(nh);
			int len = (int)IFLA_PAYLOAD(nh);

			li->ifindex = ifi->ifi_index;
			li->type = ifi->ifi_type;
			li->flags = ifi->ifi_flags;
			for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len);
			     a = RTA_NEXT(a, len)) {
				if (a->rta_type == IFLA_MTU &&
				    RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
					uint32_t mtu;
					memcpy(&mtu, RTA_DATA(a), sizeof(mtu));
					li->mtu = (int)mtu;
				} else if (a->rta_type == IFLA_LINKINFO) {
					parse_linkinfo(a, li);
				}
			}
			err = 0;
			break;
		}
	}
out:
	close(s);
	return err;
}

/* Checks @p ifname: exists and is CAN. @return 0, DX_EINVAL, DX_ENODEV. */
static int link_query(const char *ifname, struct link_info *li)
{
	unsigned idx;
	int err;

	memset(li, 0, sizeof(*li));
	if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ)
		return DX_EINVAL;
	idx = if_nametoindex(ifname);
	if (idx == 0) {
		dx_log(DX_LOG_ERROR, "socketcan: no network interface '%s'",
		       ifname);
		return DX_ENODEV;
	}
	err = link_query_index((int)idx, li);
	if (err == -ENODEV) {
		dx_log(DX_LOG_ERROR, "socketcan: no network interface '%s'",
		       ifname);
		return DX_ENODEV;
	}
	if (err)
		return err;
	if (li->type != ARPHRD_CAN) {
		dx_log(DX_LOG_ERROR, "socketcan: '%s' is not a CAN interface",
		       ifname);
		return DX_ENODEV;
	}
	return 0;
}

/* Controller settings exist on can-dev links only. */
static int need_controller(const char *ifname, const char *what)
{
	struct link_info li;
	int err = link_query(ifname, &li);

	if (err)
		return err;
	if (strcmp(li.kind, "can") != 0) {
		dx_log(DX_LOG_DEBUG,
		       "socketcan: '%s' is a %s interface without a CAN controller: no %s",
		       ifname, li.kind[0] ? li.kind : "virtual", what);
		return DX_ENOTSUP;
	}
	return 0;
}

/* libsocketcan failed: its errno when it set one, else a generic I/O code. */
static int sc_errno(void)
{
	return errno > 0 ? -errno : DX_EIO;
}

static enum dx_can_state state_from_kernel(int st)
{
	switch (st) {
	case CAN_STATE_ERROR_ACTIVE:
		return DX_CAN_STATE_ERROR_ACTIVE;
	case CAN_STATE_ERROR_WARNING:
		return DX_CAN_STATE_ERROR_WARNING;
	case CAN_STATE_ERROR_PASSIVE:
		return DX_CAN_STATE_ERROR_PASSIVE;
	case CAN_STATE_BUS_OFF:
		return DX_CAN_STATE_BUS_OFF;
	case CAN_STATE_STOPPED:
	case CAN_STATE_SLEEPING:
		return DX_CAN_STATE_STOPPED;
	default:
		return DX_CAN_STATE_UNKNOWN;
	}
}

DX_API const char *dx_can_state_name(enum dx_can_state state)
{
	switch (state) {
	case DX_CAN_STATE_ERROR_ACTIVE:
		return "error-active";
	case DX_CAN_STATE_ERROR_WARNING:
		return "error-warning";
	case DX_CAN_STATE_ERROR_PASSIVE:
		return "error-passive";
	case DX_CAN_STATE_BUS_OFF:
		return "bus-off";
	case DX_CAN_STATE_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

DX_API int dx_socketcan_get_bitrate(const char *ifname, uint32_t *bitrate,
				    uint32_t *sample_point)
{
	struct can_bittiming bt;
	int err;

	if (!bitrate)
		return DX_EINVAL;
	err = need_controller(ifname, "bit timing");
	if (err)
		return err;
	memset(&bt, 0, sizeof(bt));
	errno = 0;
	if (can_get_bittiming(ifname, &bt) != 0)
		return sc_errno();
	*bitrate = bt.bitrate;
	if (sample_point)
		*sample_point = bt.sample_point;
	return 0;
}

DX_API int dx_socketcan_set_bitrate(const char *ifname, uint32_t bitrate,
				    uint32_t sample_point)
{
	int err, r;

	/* 1 Mbit/s is the classic CAN maximum (ISO 11898-1); a sample point
	 * is a fraction of the bit below 100 %. */
	if (bitrate == 0 || bitrate > 1000000 || sample_point >= 1000)
		return DX_EINVAL;
	err = need_controller(ifname, "bit timing");
	if (err)
		return err;
	errno = 0;
	if (sample_point)
		r = can_set_bitrate_samplepoint(ifname, bitrate, sample_point);
	else
		r = can_set_bitrate(ifname, bitrate);
	return r ? sc_errno() : 0;
}

DX_API int dx_socketcan_get_data_bitrate(const char *ifname, uint32_t *bitrate)
{
	struct link_info li;
	int err;

	if (!bitrate)
		return DX_EINVAL;
	err = link_query(ifname, &li);
	return err ? err : DX_ENOTSUP;
}

DX_API int dx_socketcan_set_data_bitrate(const char *ifname, uint32_t bitrate)
{
	struct link_info li;
	int err;

	if (bitrate == 0)
		return DX_EINVAL;
	err = link_query(ifname, &li);
	return err ? err : DX_ENOTSUP;
}

DX_API int dx_socketcan_get_restart_ms(const char *ifname, uint32_t *ms)
{
	__u32 v = 0;
	int err;

	if (!ms)
		return DX_EINVAL;
	err = need_controller(ifname, "restart-ms");
	if (err)
		return err;
	errno = 0;
	if (can_get_restart_ms(ifname, &v) != 0)
		return sc_errno();
	*ms = v;
	return 0;
}

DX_API int dx_socketcan_set_restart_ms(const char *ifname, uint32_t ms)
{
	int err;

	if (ms > 60000)
		return DX_EINVAL;
	err = need_controller(ifname, "restart-ms");
	if (err)
		return err;
	errno = 0;
	return can_set_restart_ms(ifname, ms) ? sc_errno() : 0;
}

DX_API int dx_socketcan_start(const char *ifname)
{
	struct link_info li;
	int err = link_query(ifname, &li);

	if (err)
		return err;
	errno = 0;
	return can_do_start(ifname) ? sc_errno() : 0;
}

DX_API int dx_socketcan_stop(const char *ifname)
{
	struct link_info li;
	int err = link_query(ifname, &li);

	if (err)
		return err;
	errno = 0;
	return can_do_stop(ifname) ? sc_errno() : 0;
}

DX_API int dx_socketcan_restart(const char *ifname)
{
	int err = need_controller(ifname, "restart");

	if (err)
		return err;
	errno = 0;
	/* libsocketcan refuses by itself (errno EINVAL) unless bus-off. */
	return can_do_restart(ifname) ? sc_errno() : 0;
}

DX_API int dx_socketcan_get_state(const char *ifname, enum dx_can_state *state)
{
	int st = 0, err;

	if (!state)
		return DX_EINVAL;
	err = need_controller(ifname, "controller state");
	if (err)
		return err;
	errno = 0;
	if (can_get_state(ifname, &st) != 0)
		return sc_errno();
	*state = state_from_kernel(st);
	return 0;
}

DX_API int dx_socketcan_get_berr(const char *ifname, uint16_t *tx_errors,
				 uint16_t *rx_errors)
{
	struct can_berr_counter bc;
	int err;

	if (!tx_errors || !rx_errors)
		return DX_EINVAL;
	err = need_controller(ifname, "error counters");
	if (err)
		return err;
	memset(&bc, 0, sizeof(bc));
	errno = 0;
	if (can_get_berr_counter(ifname, &bc) != 0)
		return sc_errno();
	*tx_errors = bc.txerr;
	*rx_errors = bc.rxerr;
	return 0;
}

DX_API int dx_socketcan_get_device_stats(const char *ifname,
					 struct dx_socketcan_devstats *st)
{
	struct can_device_stats ds;
	int err;

	if (!st)
		return DX_EINVAL;
	err = need_controller(ifname, "controller statistics");
	if (err)
		return err;
	memset(&ds, 0, sizeof(ds));
	errno = 0;
	if (can_get_device_stats(ifname, &ds) != 0)
		return sc_errno();
	st->bus_error = ds.bus_error;
	st->error_warning = ds.error_warning;
	st->error_passive = ds.error_passive;
	st->bus_off = ds.bus_off;
	st->arbitration_lost = ds.arbitration_lost;
	st->restarts = ds.restarts;
	return 0;
}

DX_API int dx_socketcan_get_info(const char *ifname,
				 struct dx_socketcan_info *info)
{
	struct rtnl_link_stats64 ls;
	struct can_clock clk;
	struct link_info li;
	bool ctrl;
	int err;

	if (!info)
		return DX_EINVAL;
	memset(info, 0, sizeof(*info));
	err = link_query(ifname, &li);
	if (err)
		return err;
	snprintf(info->ifname, sizeof(info->ifname), "%s", ifname);
	memcpy(info->kind, li.kind, sizeof(info->kind));
	info->ifindex = li.ifindex;
	info->up = (li.flags & IFF_UP) != 0;
	info->running = (li.flags & IFF_RUNNING) != 0;
	info->mtu = li.mtu;

	ctrl = strcmp(li.kind, "can") == 0;
	if (ctrl) {
		info->state_err = dx_socketcan_get_state(ifname, &info->state);
		info->bitrate_err = dx_socketcan_get_bitrate(ifname,
				&info->bitrate, &info->sample_point);
		info->restart_ms_err = dx_socketcan_get_restart_ms(ifname,
				&info->restart_ms);
		info->berr_err = dx_socketcan_get_berr(ifname,
				&info->tx_errors, &info->rx_errors);
		info->devstats_err = dx_socketcan_get_device_stats(ifname,
				&info->dev);
		errno = 0;
		memset(&clk, 0, sizeof(clk));
		info->clock_err = can_get_clock(ifname, &clk) ? sc_errno() : 0;
		info->clock_hz = clk.freq;
	} else {
		info->state_err = DX_ENOTSUP;
		info->bitrate_err = DX_ENOTSUP;
		info->restart_ms_err = DX_ENOTSUP;
		info->berr_err = DX_ENOTSUP;
		info->devstats_err = DX_ENOTSUP;
		info->clock_err = DX_ENOTSUP;
	}
	info->data_bitrate_err = DX_ENOTSUP;

	memset(&ls, 0, sizeof(ls));
	errno = 0;
	if (can_get_link_stats(ifname, &ls) == 0) {
		info->rx_packets = ls.rx_packets;
		info->tx_packets = ls.tx_packets;
		info->rx_bytes = ls.rx_bytes;
		info->tx_bytes = ls.tx_bytes;
		info->rx_errors_link = ls.rx_errors;
		info->tx_errors_link = ls.tx_errors;
		info->rx_dropped = ls.rx_dropped;
		info->tx_dropped = ls.tx_dropped;
	} else {
		info->link_stats_err = sc_errno();
	}
	return 0;
}
