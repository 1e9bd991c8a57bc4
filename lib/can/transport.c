/* SPDX-License-Identifier: MIT */
/* Transport front end: picks the backend from the name's scheme and keeps
 * the common bookkeeping in one place. */
#include <string.h>

#include "can-priv.h"

static const struct dx__can_ops *const backends[] = {
#ifdef DX_HAVE_SOCKETCAN_BACKEND
	&dx__can_socketcan_ops,
#endif
	&dx__can_simbus_ops,
};

bool dx__can_filter_match(const struct dx_can_filter *filters, size_t n,
			  const struct dx_can_frame *f)
{
	bool ext = (f->flags & DX_CAN_EXT) != 0;

	if (n == 0 || (f->flags & DX_CAN_ERR))
		return true; /* error frames are governed by no_err_frames */
	for (size_t i = 0; i < n; i++)
		if (filters[i].ext == ext &&
		    ((f->id ^ filters[i].id) & filters[i].mask) == 0)
			return true;
	return false;
}

DX_API int dx_can_open(struct dx_can **out, const char *name,
		       const struct dx_can_opts *opts)
{
	static const struct dx_can_opts defaults;
	const char *colon;
	size_t slen;
	int err;

	if (out)
		*out = NULL;
	if (!out || !name)
		return DX_EINVAL;
	if (!opts)
		opts = &defaults;
	if (opts->n_filters && !opts->filters)
		return DX_EINVAL;
	colon = strchr(name, ':');
	if (!colon || colon[1] == '\0' || strlen(name) >= sizeof((*out)->name))
		return DX_EINVAL;
	slen = (size_t)(colon - name);
	for (size_t i = 0; i < DX_ARRAY_SIZE(backends); i++) {
		const struct dx__can_ops *ops = backends[i];
		if (strlen(ops->scheme) != slen ||
		    strncmp(ops->scheme, name, slen) != 0)
			continue;
		err = ops->open(out, colon + 1, opts);
		if (err)
			return err;
		(*out)->ops = ops;
		strcpy((*out)->name, name);
		return 0;
	}
	return DX_ENOENT; /* unknown transport scheme */
}

DX_API void dx_can_close(struct dx_can *bus)
{
	if (bus)
		bus->ops->close(bus);
}

DX_API int dx_can_send(struct dx_can *bus, const struct dx_can_frame *frames,
		       size_t n)
{
	if (!bus || (!frames && n))
		return DX_EINVAL;
	if (n == 0)
		return 0;
	return bus->ops->send(bus, frames, n);
}

DX_API int dx_can_recv(struct dx_can *bus, struct dx_can_frame *frames,
		       size_t max)
{
	if (!bus || (!frames && max))
		return DX_EINVAL;
	if (max == 0)
		return 0;
	return bus->ops->recv(bus, frames, max);
}

DX_API int dx_can_wait(struct dx_can *bus, int64_t deadline_ns)
{
	if (!bus)
		return DX_EINVAL;
	return bus->ops->wait(bus, deadline_ns);
}

DX_API int dx_can_set_filters(struct dx_can *bus,
			      const struct dx_can_filter *filters, size_t n)
{
	if (!bus || (n && !filters))
		return DX_EINVAL;
	return bus->ops->set_filters(bus, filters, n);
}

DX_API int dx_can_fd(const struct dx_can *bus)
{
	return bus ? bus->ops->fd(bus) : -1;
}

DX_API void dx_can_get_stats(const struct dx_can *bus, struct dx_can_stats *st)
{
	if (bus && st)
		*st = bus->stats;
}

DX_API int dx_can_get_state(const struct dx_can *bus, struct dx_can_busstate *bs)
{
	if (!bus || !bs)
		return DX_EINVAL;
	return bus->ops->get_state(bus, bs);
}

DX_API const char *dx_can_name(const struct dx_can *bus)
{
	return bus ? bus->name : "";
}

DX_API uint32_t dx_can_bitrate(const struct dx_can *bus, bool data_phase)
{
	if (!bus)
		return 0;
	return data_phase ? bus->data_bitrate : bus->bitrate;
}
