/* SPDX-License-Identifier: MIT */
/** @file socketcan.h
 *  @brief SocketCAN interface control for tools: bitrate, restart-ms,
 *  start/stop/restart, controller state, error counters and statistics,
 *  through libsocketcan (netlink).
 *
 *  None of these functions belongs in the control cycle: each one opens a
 *  netlink socket and may block briefly. They are thread-safe (no shared
 *  state). Changing settings needs CAP_NET_ADMIN (DX_EPERM otherwise).
 *
 *  Only interfaces backed by a CAN controller driver (link kind "can") have
 *  bit timing, restart-ms, a controller state and error counters. Virtual
 *  interfaces (vcan, vxcan) do not: those calls return DX_ENOTSUP for them,
 *  while start/stop work on every CAN interface. A missing interface gives
 *  DX_ENODEV, as does an interface that is not CAN at all.
 *
 *  libsocketcan itself writes a line to stderr when the kernel refuses a
 *  request; dexrt checks the interface first so that expected refusals
 *  (missing interface, virtual CAN) return a code without that line.
 */
#ifndef DEXRT_SOCKETCAN_H
#define DEXRT_SOCKETCAN_H

#include <stdbool.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/export.h>

DX_BEGIN_DECLS

/** Controller statistics kept by can-dev drivers (struct can_device_stats). */
struct dx_socketcan_devstats {
	uint32_t bus_error;        /**< bus errors */
	uint32_t error_warning;    /**< changes to error warning state */
	uint32_t error_passive;    /**< changes to error passive state */
	uint32_t bus_off;          /**< changes to bus-off state */
	uint32_t arbitration_lost; /**< arbitration lost errors */
	uint32_t restarts;         /**< CAN controller re-starts */
};

/** Everything dx_socketcan_get_info() could learn about an interface. Each
 *  group has its own result code: 0 when its fields are valid, otherwise a
 *  negative DX_E... code (DX_ENOTSUP on virtual interfaces). */
struct dx_socketcan_info {
	char ifname[16];
	char kind[16];        /**< link kind: "can", "vcan", "vxcan"... ("" if none) */
	int ifindex;
	bool up;              /**< administratively up */
	bool running;         /**< carrier on (a can-dev driver drops it at bus-off) */
	int mtu;              /**< 16 classic, 72 CAN FD */

	int state_err;
	enum dx_can_state state;

	int bitrate_err;
	uint32_t bitrate;      /**< nominal bit/s */
	uint32_t sample_point; /**< in tenths of a percent (875 = 87.5 %) */

	int data_bitrate_err;  /**< DX_ENOTSUP: libsocketcan 0.0.12 has no FD data timing */
	uint32_t data_bitrate;

	int restart_ms_err;
	uint32_t restart_ms;   /**< automatic restart delay after bus-off, 0 = off */

	int berr_err;
	uint16_t tx_errors;    /**< transmit error counter */
	uint16_t rx_errors;    /**< receive error counter */

	int clock_err;
	uint32_t clock_hz;     /**< controller clock */

	int devstats_err;
	struct dx_socketcan_devstats dev;

	int link_stats_err;    /**< generic interface counters (every interface) */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors_link, tx_errors_link, rx_dropped, tx_dropped;
};

/** Fills @p info for interface @p ifname.
 *  @return 0 (check the per-group codes), DX_EINVAL (bad arguments or
 *  name), DX_ENODEV (no such interface, or not a CAN interface). */
DX_API int dx_socketcan_get_info(const char *ifname,
				 struct dx_socketcan_info *info);

/** Nominal bitrate in bit/s and sample point in tenths of a percent
 *  (@p sample_point may be NULL). @return 0, DX_ENODEV, DX_ENOTSUP
 *  (virtual interface), or an errno-based code. */
DX_API int dx_socketcan_get_bitrate(const char *ifname, uint32_t *bitrate,
				    uint32_t *sample_point);

/** Sets the nominal bitrate (bit/s, 1..1000000) and optionally the sample
 *  point (tenths of a percent, 0 = the driver's default). The interface must
 *  be down (DX_EBUSY otherwise, from the kernel). @return 0, DX_EINVAL,
 *  DX_ENODEV, DX_ENOTSUP, DX_EPERM, DX_EBUSY or another errno-based code. */
DX_API int dx_socketcan_set_bitrate(const char *ifname, uint32_t bitrate,
				    uint32_t sample_point);

/** CAN FD data-phase bitrate. libsocketcan 0.0.12 offers no call for the
 *  data bit timing, so after checking the interface these return
 *  DX_ENOTSUP (DX_ENODEV when the interface is missing). */
DX_API int dx_socketcan_get_data_bitrate(const char *ifname, uint32_t *bitrate);
/** See dx_socketcan_get_data_bitrate(). */
DX_API int dx_socketcan_set_data_bitrate(const char *ifname, uint32_t bitrate);

/** Automatic restart delay after bus-off in ms (0: manual restart only). */
DX_API int dx_socketcan_get_restart_ms(const char *ifname, uint32_t *ms);
/** Sets the restart delay in ms (0..60000). */
DX_API int dx_socketcan_set_restart_ms(const char *ifname, uint32_t ms);

/** Brings the interface up. Works on every CAN interface.
 *  @return 0, DX_ENODEV, DX_EPERM or another errno-based code. */
DX_API int dx_socketcan_start(const char *ifname);
/** Brings the interface down. Works on every CAN interface. */
DX_API int dx_socketcan_stop(const char *ifname);
/** Restarts a controller that is bus-off (the kernel refuses otherwise:
 *  DX_EINVAL or DX_EBUSY). DX_ENOTSUP on virtual interfaces. */
DX_API int dx_socketcan_restart(const char *ifname);

/** Controller state (error active/warning/passive, bus-off, stopped). */
DX_API int dx_socketcan_get_state(const char *ifname, enum dx_can_state *state);

/** Transmit and receive error counters. */
DX_API int dx_socketcan_get_berr(const char *ifname, uint16_t *tx_errors,
				 uint16_t *rx_errors);

/** Controller statistics (bus errors, state changes, restarts). */
DX_API int dx_socketcan_get_device_stats(const char *ifname,
					 struct dx_socketcan_devstats *st);

/** Name of a controller state, e.g. "error-passive". Never NULL. */
DX_API const char *dx_can_state_name(enum dx_can_state state);

DX_END_DECLS

#endif
