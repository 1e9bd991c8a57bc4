/* SPDX-License-Identifier: MIT */
/* Fuzz target: the drive exchange's routing (dx_drive_bus_route), the pure
 * part of a cycle, over a device table taken from the input, plus the
 * device description parser.
 *
 * Input: a control byte (device count, on_other), then per device three
 * bytes (protocol and model row, id, master); then a length byte and that
 * many bytes of description text; then frames (fuzz-util.h layout), each
 * followed by a control byte (in cycle or not, time stamp).
 *
 * Checks: init either succeeds or returns one of its documented codes;
 * every routed frame is counted exactly once (bus-wide or on one device);
 * lookups stay within the table; applied feedback is finite; a parsed
 * description formats and parses back to itself. */
#include <math.h>

#include <dexrt/drive.h>

#include "fuzz-util.h"

static void count_other(void *ctx, const struct dx_can_frame *f)
{
	(void)f;
	(*(uint64_t *)ctx)++;
}

static uint64_t counted(const struct dx_drive_bus *b)
{
	uint64_t s = b->stats.unknown_ids + b->stats.err_frames +
		     b->stats.other_frames;

	for (unsigned i = 0; i < b->n; i++) {
		const struct dx_link_stats *l = &b->dev[i].link;

		s += l->replies + l->late + l->stale + l->duplicates +
		     l->wrong_device + l->malformed + l->other;
	}
	return s;
}

static void desc_text(struct fz *z)
{
	char text[96], back[96];
	struct dx_drive_desc d, d2;
	size_t n = fz_u8(z) % sizeof(text);
	int len;

	for (size_t i = 0; i < n; i++)
		text[i] = (char)fz_u8(z);
	text[n] = '\0';
	if (dx_drive_desc_parse(text, &d) != 0)
		return;
	FZ_CHECK(d.model != NULL);
	len = dx_drive_desc_format(&d, back, sizeof(back));
	if (len < 0) {
		fprintf(stderr, "parsed \"%s\" does not format: %d\n", text, len);
		abort();
	}
	FZ_CHECK((size_t)len == strlen(back));
	if (dx_drive_desc_parse(back, &d2) != 0 || d2.proto != d.proto ||
	    d2.model != d.model || d2.id != d.id || d2.master != d.master) {
		fprintf(stderr, "\"%s\" -> \"%s\" does not parse back\n", text,
			back);
		abort();
	}
	(void)dx_drive_desc_format(&d, back, (size_t)len); /* too short */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = { data, size };
	struct dx_drive_desc devs[DX_DRIVE_BUS_MAX + 2];
	struct dx_drive_bus_config cfg;
	struct dx_drive_bus *b;
	struct dx_can_frame f;
	uint64_t others = 0;
	uint8_t ctl = fz_u8(&z);
	unsigned n = ctl % (DX_DRIVE_BUS_MAX + 3); /* a few past the limit */
	int err;

	memset(devs, 0, sizeof(devs));
	for (unsigned i = 0; i < n; i++) {
		uint8_t sel = fz_u8(&z);
		size_t rows;

		switch (sel % 3) {
		case 0:
			devs[i].proto = DX_DRIVE_MIT;
			rows = dx_mit_model_count();
			devs[i].model = dx_mit_model_at((sel / 3) % rows);
			break;
		case 1:
			devs[i].proto = DX_DRIVE_ODRIVE;
			rows = dx_odrive_model_count();
			devs[i].model = dx_odrive_model_at((sel / 3) % rows);
			break;
		default:
			devs[i].proto = DX_DRIVE_CIA402;
			rows = dx_cia402_model_count();
			devs[i].model = dx_cia402_model_at((sel / 3) % rows);
			break;
		}
		devs[i].id = fz_u8(&z);
		devs[i].master = fz_u8(&z);
	}
	desc_text(&z);

	memset(&cfg, 0, sizeof(cfg));
	cfg.devs = devs;
	cfg.n_devs = n;
	if (ctl & 0x80) {
		cfg.on_other = count_other;
		cfg.other_ctx = &others;
	}
	b = calloc(1, sizeof(*b));
	FZ_CHECK(b != NULL);
	err = dx_drive_bus_init(b, &cfg);
	if (err) {
		FZ_CHECK(err == DX_EINVAL || err == DX_ENOSPC || err == DX_EEXIST);
		FZ_CHECK(n > 0);
		free(b);
		return 0;
	}
	FZ_CHECK(n <= DX_DRIVE_BUS_MAX && b->n == n);

	while (fz_frame(&z, &f)) {
		uint8_t c = fz_u8(&z);
		uint64_t before = counted(b);
		int d;

		f.ts_ns = (c & 0x06) == 0 ? 0 : (int64_t)(c >> 1) - 8;
		d = dx_drive_bus_lookup(b, &f);
		FZ_CHECK(d >= -1 && d < (int)b->n);
		dx_drive_bus_route(b, &f, c & 1);
		if (counted(b) != before + 1) {
			fz_dump_frame("frame not counted exactly once", &f);
			abort();
		}
		if (d >= 0 && b->dev[d].link.replies) {
			const struct dx_drive_fb *fb = &b->dev[d].fb;

			if (!isfinite(fb->pos) || !isfinite(fb->vel) ||
			    !isfinite(fb->tau)) {
				fz_dump_frame("non-finite feedback applied", &f);
				abort();
			}
		}
		if (c == 0xff)
			for (unsigned i = 0; i < b->n; i++)
				b->dev[i].got = 0; /* as a new cycle does */
	}
	FZ_CHECK(others == b->stats.other_frames);
	free(b);
	return 0;
}
