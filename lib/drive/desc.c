/* SPDX-License-Identifier: MIT */
/* Device descriptions in text form: "PROTO:MODEL:id=N[:master=M]". */
#include <stdio.h>
#include <stdlib.h>

#include "drive-priv.h"

static int parse_u8(const char *s, size_t n, uint8_t *out)
{
	char buf[16], *end;
	unsigned long v;

	if (n == 0 || n >= sizeof(buf))
		return DX_EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-' || buf[0] == '+')
		return DX_EINVAL;
	v = strtoul(buf, &end, 0);
	if (*end || v > 255)
		return DX_EINVAL;
	*out = (uint8_t)v;
	return 0;
}

DX_API int dx_drive_desc_parse(const char *text, struct dx_drive_desc *d)
{
	const char *p, *c1, *c2;
	char model[32];
	bool have_id = false, have_master = false;
	size_t n;

	if (!text || !d)
		return DX_EINVAL;
	memset(d, 0, sizeof(*d));
	c1 = strchr(text, ':');
	if (!c1)
		return DX_EINVAL;
	n = (size_t)(c1 - text);
	if (n == 3 && strncmp(text, "mit", 3) == 0)
		d->proto = DX_DRIVE_MIT;
	else if (n == 6 && strncmp(text, "odrive", 6) == 0)
		d->proto = DX_DRIVE_ODRIVE;
	else if (n == 6 && strncmp(text, "cia402", 6) == 0)
		d->proto = DX_DRIVE_CIA402;
	else
		return DX_EINVAL;
	c2 = strchr(c1 + 1, ':');
	n = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	if (n == 0 || n >= sizeof(model))
		return DX_EINVAL;
	memcpy(model, c1 + 1, n);
	model[n] = '\0';
	for (p = c2; p && *p == ':';) {
		const char *key = p + 1, *eq = strchr(key, '='), *next;
		next = strchr(key, ':');
		if (!eq || (next && eq > next))
			return DX_EINVAL;
		n = next ? (size_t)(next - eq - 1) : strlen(eq + 1);
		if ((size_t)(eq - key) == 2 && strncmp(key, "id", 2) == 0) {
			if (parse_u8(eq + 1, n, &d->id))
				return DX_EINVAL;
			have_id = true;
		} else if ((size_t)(eq - key) == 6 &&
			   strncmp(key, "master", 6) == 0) {
			if (parse_u8(eq + 1, n, &d->master))
				return DX_EINVAL;
			have_master = true;
		} else {
			return DX_EINVAL;
		}
		p = next;
	}
	if (!have_id)
		return DX_EINVAL;
	switch (d->proto) {
	case DX_DRIVE_MIT: {
		const struct dx_mit_model *m = dx_mit_model_find(model);
		if (!m)
			return DX_ENOENT;
		d->model = m;
		if (d->id == 0)
			return DX_EINVAL;
		if (!have_master) {
			/* CubeMars replies to master 0; Damiao: the common
			 * MST_ID = id + 0x10 set-up; Robstride: host 0xFD as
			 * in the vendor's sample programs */
			d->master = m->family == DX_MIT_CUBEMARS ? 0 :
				    m->family == DX_MIT_DAMIAO ?
				    (uint8_t)(d->id + 0x10) : 0xfd;
		}
		if (m->family == DX_MIT_DAMIAO && (d->id > 15 || d->id == 0))
			return DX_EINVAL;
		break;
	}
	case DX_DRIVE_ODRIVE:
		d->model = dx_odrive_model_find(model);
		if (!d->model)
			return DX_ENOENT;
		if (d->id > 63)
			return DX_EINVAL;
		break;
	case DX_DRIVE_CIA402:
		d->model = dx_cia402_model_find(model);
		if (!d->model)
			return DX_ENOENT;
		if (d->id == 0 || d->id > 127)
			return DX_EINVAL;
		break;
	}
	return 0;
}

DX_API int dx_drive_desc_format(const struct dx_drive_desc *d, char *buf,
				size_t size)
{
	int n;

	if (!d || !buf || !d->model)
		return DX_EINVAL;
	switch (d->proto) {
	case DX_DRIVE_MIT:
		n = snprintf(buf, size, "mit:%s:id=%u:master=%u",
			     ((const struct dx_mit_model *)d->model)->name,
			     d->id, d->master);
		break;
	case DX_DRIVE_ODRIVE:
		n = snprintf(buf, size, "odrive:%s:id=%u",
			     ((const struct dx_odrive_model *)d->model)->name,
			     d->id);
		break;
	case DX_DRIVE_CIA402:
		n = snprintf(buf, size, "cia402:%s:id=%u",
			     ((const struct dx_cia402_model *)d->model)->name,
			     d->id);
		break;
	default:
		return DX_EINVAL;
	}
	if (n < 0 || (size_t)n >= size)
		return DX_ENOSPC;
	return n;
}
