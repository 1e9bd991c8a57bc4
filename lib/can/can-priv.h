/* SPDX-License-Identifier: MIT */
/* Private: the backend interface behind struct dx_can. Never installed. */
#ifndef DEXRT_CAN_PRIV_H
#define DEXRT_CAN_PRIV_H

#include <dexrt/can.h>

struct dx__can_ops {
	const char *scheme; /* "socketcan", "simbus" */
	/* Allocates the backend object (which embeds struct dx_can first) and
	 * opens @p arg (the part after "scheme:"). */
	int (*open)(struct dx_can **out, const char *arg,
		    const struct dx_can_opts *opts);
	void (*close)(struct dx_can *bus);
	int (*send)(struct dx_can *bus, const struct dx_can_frame *f, size_t n);
	int (*recv)(struct dx_can *bus, struct dx_can_frame *f, size_t max);
	int (*wait)(struct dx_can *bus, int64_t deadline_ns);
	int (*set_filters)(struct dx_can *bus, const struct dx_can_filter *f,
			   size_t n);
	int (*fd)(const struct dx_can *bus);
	int (*get_state)(const struct dx_can *bus, struct dx_can_busstate *bs);
};

/* Common head of every backend object. Backends update stats and state. */
struct dx_can {
	const struct dx__can_ops *ops;
	char name[80];
	struct dx_can_opts opts; /* filters pointer cleared after open */
	uint32_t bitrate, data_bitrate;
	struct dx_can_stats stats;
	struct dx_can_busstate state;
};

extern const struct dx__can_ops dx__can_socketcan_ops;
extern const struct dx__can_ops dx__can_simbus_ops;

/* Does @p f pass @p filters (n == 0 passes everything)? */
bool dx__can_filter_match(const struct dx_can_filter *filters, size_t n,
			  const struct dx_can_frame *f);

#endif
