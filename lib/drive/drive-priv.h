/* SPDX-License-Identifier: MIT */
/* Private helpers shared by the drive codecs. Never installed. */
#ifndef DEXRT_DRIVE_PRIV_H
#define DEXRT_DRIVE_PRIV_H

#include <math.h>
#include <string.h>

#include <dexrt/drive.h>

/* Clamps @p x to [lo, hi]; sets @p flag in *clamped when it had to. */
static inline double dx__clampf(double x, double lo, double hi,
				unsigned flag, unsigned *clamped)
{
	if (x < lo) {
		*clamped |= flag;
		return lo;
	}
	if (x > hi) {
		*clamped |= flag;
		return hi;
	}
	return x;
}

/* Linear map of x in [lo, hi] onto 0..2^bits-1, rounded to nearest (the
 * caller clamps first, so no wrap is possible). */
static inline uint32_t dx__f2u(double x, double lo, double hi, unsigned bits)
{
	double span = (double)((1ul << bits) - 1u);
	double u = (x - lo) / (hi - lo) * span + 0.5;

	if (u < 0.0)
		u = 0.0;
	if (u > span)
		u = span;
	return (uint32_t)u;
}

static inline double dx__u2f(uint32_t u, double lo, double hi, unsigned bits)
{
	return lo + (double)u * (hi - lo) / (double)((1ul << bits) - 1u);
}

static inline void dx__put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t dx__get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void dx__put_lef(uint8_t *p, float v)
{
	uint32_t u;

	memcpy(&u, &v, 4);
	dx__put_le32(p, u);
}

static inline float dx__get_lef(const uint8_t *p)
{
	uint32_t u = dx__get_le32(p);
	float v;

	memcpy(&v, &u, 4);
	return v;
}

static inline void dx__frame_init(struct dx_can_frame *f, uint32_t id,
				  uint8_t flags, uint8_t len)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->flags = flags;
	f->len = len;
}

/* Case-insensitive equality of ASCII names. */
bool dx__name_eq(const char *a, const char *b);

#endif
