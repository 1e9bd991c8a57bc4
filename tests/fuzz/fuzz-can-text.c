/* SPDX-License-Identifier: MIT */
/* Fuzz target: can-utils text frames and candump -L log lines.
 *
 * The input is read twice. As text, line by line: every line goes through
 * dx_can_frame_parse() and dx_can_log_parse(), and whatever parses must
 * format and parse back to the same frame (and the same interface name and
 * microsecond stamp). As binary (fuzz-util.h frame layout plus a time
 * stamp): every frame dx_can_frame_check() accepts must format, and the text
 * must parse back to the same frame. A mismatch aborts.
 *
 * Findings kept as regression inputs (corpus/can-text/crash-*):
 * - a frame stamped in the last ~1.85 s before INT64_MAX ns formatted to
 *   a log line dx_can_log_parse() refused (fixed in eaeabd6).
 * - dx_can_frame_check() allowed DX_CAN_ERR together with DX_CAN_EXT,
 *   which the text form of an error frame cannot carry (an error frame now
 *   takes no other flag). */
#include "fuzz-util.h"

#define MAX_LINE 512

/* Frames equal as the text forms carry them: an RTR frame's payload bytes
 * are not part of its text (only the length is). */
static bool text_eq(const struct dx_can_frame *a, const struct dx_can_frame *b)
{
	if (a->id != b->id || a->len != b->len || a->flags != b->flags)
		return false;
	if (a->flags & DX_CAN_RTR)
		return true;
	return memcmp(a->data, b->data, a->len) == 0;
}

static void mismatch(const char *text, const struct dx_can_frame *a,
		     const struct dx_can_frame *b)
{
	fprintf(stderr, "round trip mismatch via \"%s\"\n", text);
	fz_dump_frame("before", a);
	fz_dump_frame("after", b);
	abort();
}

/* @p f formats (as can-utils text and as a log line on @p ifname) and
 * parses back to itself. */
static void round_trip(const struct dx_can_frame *f, const char *ifname)
{
	char text[DX_CAN_TEXT_MAX], text2[DX_CAN_TEXT_MAX];
	char line[DX_CAN_LOG_MAX], name[64];
	struct dx_can_frame g;
	int n, err;
	int64_t ts;

	n = dx_can_frame_format(f, text, sizeof(text));
	if (n < 0) {
		fz_dump_frame("valid frame does not format", f);
		abort();
	}
	FZ_CHECK((size_t)n == strlen(text));
	err = dx_can_frame_parse(text, &g);
	if (err) {
		fprintf(stderr, "formatted \"%s\" does not parse: %d\n", text,
			err);
		abort();
	}
	if (!text_eq(f, &g))
		mismatch(text, f, &g);
	FZ_CHECK(dx_can_frame_format(&g, text2, sizeof(text2)) == n);
	FZ_CHECK(strcmp(text, text2) == 0);

	n = dx_can_log_format(f, ifname, line, sizeof(line));
	if (n < 0) {
		fprintf(stderr, "log line for \"%s\" on %s: %d\n", text,
			ifname, n);
		abort();
	}
	err = dx_can_log_parse(line, &g, name, sizeof(name));
	if (err) {
		fprintf(stderr, "log line \"%s\" does not parse: %d\n", line,
			err);
		abort();
	}
	if (!text_eq(f, &g))
		mismatch(line, f, &g);
	FZ_CHECK(strcmp(name, ifname) == 0);
	/* candump stamps are microseconds, truncated; negative ones print
	 * as zero */
	ts = f->ts_ns < 0 ? 0 : f->ts_ns - f->ts_ns % 1000;
	if (g.ts_ns != ts) {
		fprintf(stderr, "log line \"%s\": stamp %lld, expected %lld\n",
			line, (long long)g.ts_ns, (long long)ts);
		abort();
	}
}

static void text_line(const char *s)
{
	struct dx_can_frame f;
	char name[64], small[4];

	if (dx_can_frame_parse(s, &f) == 0) {
		FZ_CHECK(dx_can_frame_check(&f) == 0);
		round_trip(&f, "can0");
	}
	if (dx_can_log_parse(s, &f, name, sizeof(name)) == 0) {
		FZ_CHECK(dx_can_frame_check(&f) == 0);
		FZ_CHECK(strlen(name) > 0 && strlen(name) < sizeof(name));
		round_trip(&f, name);
	}
	/* a short name buffer must be refused, not overrun */
	(void)dx_can_log_parse(s, &f, small, sizeof(small));
	(void)dx_can_log_parse(s, &f, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[MAX_LINE + 1];
	struct fz z = { data, size };
	struct dx_can_frame f;
	size_t i = 0;

	/* text: each line (NUL-terminated copy; a NUL byte ends the line) */
	while (i < size) {
		size_t n = 0;

		while (i < size && data[i] != '\n') {
			if (n < MAX_LINE)
				line[n++] = (char)data[i];
			i++;
		}
		i++;
		line[n] = '\0';
		text_line(line);
	}

	/* binary: frames with a time stamp */
	while (fz_frame(&z, &f)) {
		uint64_t ts = fz_u32(&z);

		ts |= (uint64_t)fz_u32(&z) << 32;
		f.ts_ns = (int64_t)(ts & INT64_MAX);
		if (dx_can_frame_check(&f) == 0)
			round_trip(&f, "vcan0");
		else {
			char text[DX_CAN_TEXT_MAX];

			(void)dx_can_frame_format(&f, text, sizeof(text));
		}
	}
	return 0;
}
