/* SPDX-License-Identifier: MIT */
/* Helpers shared by the fuzz targets: a cursor over the fuzz input that
 * hands out bytes and whole CAN frames. Nothing here keeps state between
 * inputs. */
#ifndef DX_FUZZ_UTIL_H
#define DX_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/can.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_left(const struct fz *z)
{
	return z->n > 0;
}

/* Next byte, 0 once the input is used up. */
static inline uint8_t fz_u8(struct fz *z)
{
	uint8_t v;

	if (!z->n)
		return 0;
	v = *z->p++;
	z->n--;
	return v;
}

static inline uint16_t fz_u16(struct fz *z)
{
	uint16_t v = fz_u8(z);

	return (uint16_t)(v | (uint16_t)fz_u8(z) << 8);
}

static inline uint32_t fz_u32(struct fz *z)
{
	uint32_t v = fz_u16(z);

	return v | (uint32_t)fz_u16(z) << 16;
}

/* A frame as laid out in the seed corpora (see gen-corpus.py): id (u32 LE),
 * flags (u8, enum dx_can_flags), len (u8), then len data bytes. The id and
 * flags are taken as they come (decoders must cope with frames a broken
 * transport could hand them); len is capped at the struct's 64 bytes. A
 * frame cut short by the end of the input gets the bytes that are there.
 * Returns false when no bytes are left. */
static inline bool fz_frame(struct fz *z, struct dx_can_frame *f)
{
	if (!z->n)
		return false;
	memset(f, 0, sizeof(*f));
	f->id = fz_u32(z);
	f->flags = fz_u8(z);
	f->len = fz_u8(z);
	if (f->len > DX_CANFD_MAX_DLEN)
		f->len %= DX_CANFD_MAX_DLEN + 1;
	for (unsigned i = 0; i < f->len; i++)
		f->data[i] = fz_u8(z);
	return true;
}

/* Same frame: id, len, flags and payload (not the time stamp). */
static inline bool fz_frame_eq(const struct dx_can_frame *a,
			       const struct dx_can_frame *b)
{
	return a->id == b->id && a->len == b->len && a->flags == b->flags &&
	       memcmp(a->data, b->data, a->len) == 0;
}

static inline void fz_dump_frame(const char *what, const struct dx_can_frame *f)
{
	fprintf(stderr, "%s: id %08x flags %02x len %u:", what, f->id,
		f->flags, f->len);
	for (unsigned i = 0; i < f->len && i < DX_CANFD_MAX_DLEN; i++)
		fprintf(stderr, " %02x", f->data[i]);
	fprintf(stderr, "\n");
}

/* Reports a broken invariant so that libFuzzer saves the input. */
#define FZ_CHECK(cond)                                                        \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                             \
			abort();                                              \
		}                                                             \
	} while (0)

#endif
