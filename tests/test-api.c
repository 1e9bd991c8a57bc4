/* SPDX-License-Identifier: MIT */
/* Bad input at every boundary of the public API.
 *
 * Module by module, public functions are called with what a caller must not
 * pass: NULL for pointers that are not documented as optional, NaN and
 * infinities for floating-point inputs, sizes, counts, indices and ids out
 * of range, and calls in a state where they are not allowed. Each case
 * states the code the function must return (its Doxygen comment names it)
 * and, where the function has an output or a side effect, that nothing was
 * written or sent.
 *
 * Every case is recorded as a row (module, function, bad input, result);
 * with DX_API_TABLE_MD=path the rows are written as Markdown, which is how
 * docs/api-errors.md is made, so the document cannot drift from the code.
 * The public headers are scanned for DX_API functions and the document
 * lists those without a case (and the ones left out on purpose, with the
 * reason). DX_API_TRACE=1 prints each case before it runs (to find the one
 * that crashes). */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/busload.h>
#include <dexrt/can.h>
#include <dexrt/core.h>
#include <dexrt/ctl.h>
#include <dexrt/drive.h>
#include <dexrt/hand.h>
#include <dexrt/kdl.h>
#include <dexrt/kin.h>
#include <dexrt/rt.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>
#include <dexrt/simhand.h>
#include <dexrt/simpad.h>
#include <dexrt/simworld.h>
#include <dexrt/socketcan.h>
#include <dexrt/tactile.h>

#include "dx-check.h"

/* ---- the case table -------------------------------------------------------- */

struct row {
	const char *mod;
	const char *fn;
	char input[96];
	char result[48];
};

#define MAX_ROWS 2048
static struct row rows[MAX_ROWS];
static unsigned nrows;
static const char *cur_mod = "?";
static char failures[16384];
static size_t nfail;
static bool trace;

static struct row *begin(const char *fn, const char *input)
{
	struct row *r = &rows[nrows < MAX_ROWS ? nrows : MAX_ROWS - 1];

	if (nrows < MAX_ROWS)
		nrows++;
	r->mod = cur_mod;
	r->fn = fn;
	snprintf(r->input, sizeof(r->input), "%s", input);
	r->result[0] = '\0';
	if (trace) {
		fprintf(stderr, "case %s %s: %s\n", cur_mod, fn, input);
		fflush(stderr);
	}
	return r;
}

static void miss(const struct row *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nfail += (size_t)snprintf(failures + nfail, sizeof(failures) - nfail,
				  "%s (%s): %s\n", r->fn, r->input, msg);
	if (nfail >= sizeof(failures))
		nfail = sizeof(failures) - 1;
}

static void code_text(char *buf, size_t n, int rc)
{
	if (rc < 0)
		snprintf(buf, n, "%s", dx_errname(rc));
	else
		snprintf(buf, n, "%d", rc);
}

static void end_rc(struct row *r, int got, int want)
{
	char w[48];

	code_text(r->result, sizeof(r->result), want);
	if (got != want) {
		code_text(w, sizeof(w), got);
		miss(r, "returned %s, want %s", w, r->result);
	}
}

static void end_val(struct row *r, long long got, long long want)
{
	snprintf(r->result, sizeof(r->result), "%lld", want);
	if (got != want)
		miss(r, "returned %lld, want %lld", got, want);
}

static void end_txt(struct row *r, bool ok, const char *result, const char *got)
{
	snprintf(r->result, sizeof(r->result), "%s", result);
	if (!ok)
		miss(r, "got %s, want %s", got, result);
}

static bool same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* RC: an action returning 0 or a DX_E code; VAL: a count, index or other
 * integer; PNULL: a pointer that must be NULL; BOOLC: a predicate; DBL: a
 * double (NaN equals NaN); VOIDC: a function without a result, which must
 * simply not crash (and, where stated by the case, change nothing). */
#define RC(fn, input, want, ...)                                              \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		end_rc(r_, (int)fn(__VA_ARGS__), (want));                      \
	} while (0)
#define VAL(fn, input, want, ...)                                             \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		end_val(r_, (long long)fn(__VA_ARGS__), (long long)(want));     \
	} while (0)
#define PNULL(fn, input, ...)                                                 \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		const void *p_ = fn(__VA_ARGS__);                              \
		end_txt(r_, p_ == NULL, "NULL", "a pointer");                  \
	} while (0)
#define STRC(fn, input, want, ...)                                            \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		const char *s_ = fn(__VA_ARGS__);                              \
		end_txt(r_, s_ && strcmp(s_, want) == 0, "\"" want "\"",        \
			s_ ? s_ : "NULL");                                     \
	} while (0)
#define BOOLC(fn, input, want, ...)                                           \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		bool b_ = fn(__VA_ARGS__);                                     \
		end_txt(r_, b_ == (want), (want) ? "true" : "false",           \
			b_ ? "true" : "false");                                \
	} while (0)
#define DBL(fn, input, want, ...)                                             \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		double d_ = (double)fn(__VA_ARGS__), w_ = (want);              \
		char g_[32];                                                   \
		snprintf(g_, sizeof(g_), "%g", d_);                            \
		snprintf(r_->result, sizeof(r_->result), "%g", w_);            \
		if (!same_double(d_, w_))                                      \
			miss(r_, "returned %s, want %g", g_, w_);              \
	} while (0)
#define VOIDC(fn, input, ...)                                                 \
	do {                                                                   \
		struct row *r_ = begin(#fn, input);                            \
		fn(__VA_ARGS__);                                               \
		end_txt(r_, true, "ignored", "");                              \
	} while (0)

/* Asserts that a case's side condition holds (output untouched, nothing
 * sent); the failure names the last case. */
#define UNTOUCHED(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			miss(&rows[nrows - 1], "side effect: %s", #cond);      \
	} while (0)

static void module_begin(const char *mod)
{
	cur_mod = mod;
	failures[0] = '\0';
	nfail = 0;
}

static void module_end(void)
{
	ck_assert_msg(nfail == 0, "%s: wrong answers to bad input:\n%s",
		      cur_mod, failures);
}

static const double NaN = NAN;
static const double Inf = INFINITY;

/* Fills a buffer with a marker and checks it later. */
#define MARK 0xa5
static void mark(void *p, size_t n)
{
	memset(p, MARK, n);
}

static bool marked(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != MARK)
			return false;
	return true;
}

static char busname[64];

static const char *unique(const char *what)
{
	snprintf(busname, sizeof(busname), "api%d-%s", (int)getpid(), what);
	return busname;
}

/* ---- core ------------------------------------------------------------------ */

START_TEST(test_core)
{
	struct dx_ring ring;
	unsigned char store[64];
	int elem = 7, out;
	struct dx_hist *h = calloc(1, sizeof(*h));
	struct dx_hist_summary s;
	struct timespec ts = {1, 0};
	int64_t lo = 5, hi = 5;

	module_begin("core");
	STRC(dx_strerror, "unknown code -123456", "unknown error", -123456);
	STRC(dx_strerror, "INT32_MIN", "unknown error", INT32_MIN);
	STRC(dx_errname, "unknown code 99999", "DX_E?", 99999);
	VOIDC(dx_log, "fmt NULL", DX_LOG_ERROR, NULL);
	VOIDC(dx_log_set_handler, "handler NULL (discard)", NULL, NULL, DX_LOG_DEBUG);

	VAL(dx_timespec_to_ns, "ts NULL", 0, NULL);
	ts.tv_sec = INT64_MAX / 2;
	VAL(dx_timespec_to_ns, "tv_sec past the int64 ns range", INT64_MAX, &ts);
	ts.tv_sec = INT64_MIN / 2;
	VAL(dx_timespec_to_ns, "tv_sec before the int64 ns range", INT64_MIN, &ts);
	ts.tv_sec = 1;
	VOIDC(dx_timespec_add_ns, "ts NULL", NULL, 5);
	VAL(dx_timespec_diff_ns, "a NULL", 0, NULL, &ts);
	VAL(dx_timespec_diff_ns, "b NULL", 0, &ts, NULL);

	VAL(dx_ring_storage_size, "capacity 3 (not a power of two)", 0, 3, 4);
	VAL(dx_ring_storage_size, "capacity 1", 0, 1, 4);
	VAL(dx_ring_storage_size, "elem_size 0", 0, 8, 0);
	VAL(dx_ring_storage_size, "capacity * elem_size overflows", 0,
	    (size_t)1 << 62, 8);
	RC(dx_ring_init, "r NULL", DX_EINVAL, NULL, store, 4, 4);
	RC(dx_ring_init, "storage NULL", DX_EINVAL, &ring, NULL, 4, 4);
	RC(dx_ring_init, "capacity 6", DX_EINVAL, &ring, store, 6, 4);
	RC(dx_ring_init, "elem_size 0", DX_EINVAL, &ring, store, 4, 0);
	RC(dx_ring_init_alloc, "r NULL", DX_EINVAL, NULL, 4, 4);
	RC(dx_ring_init_alloc, "capacity 0", DX_EINVAL, &ring, 0, 4);
	RC(dx_ring_init_alloc, "capacity * elem_size overflows", DX_EINVAL, &ring,
	   (size_t)1 << 62, 8);
	VOIDC(dx_ring_deinit, "r NULL", NULL);
	ck_assert_int_eq(dx_ring_init(&ring, store, 4, sizeof(int)), 0);
	RC(dx_ring_push, "r NULL", DX_EINVAL, NULL, &elem);
	RC(dx_ring_push, "elem NULL", DX_EINVAL, &ring, NULL);
	UNTOUCHED(dx_ring_count(&ring) == 0);
	RC(dx_ring_pop, "empty ring (wrong state)", DX_EAGAIN, &ring, &out);
	RC(dx_ring_peek, "empty ring (wrong state)", DX_EAGAIN, &ring, &out);
	ck_assert_int_eq(dx_ring_push(&ring, &elem), 0);
	RC(dx_ring_pop, "r NULL", DX_EINVAL, NULL, &out);
	RC(dx_ring_pop, "elem NULL", DX_EINVAL, &ring, NULL);
	RC(dx_ring_peek, "r NULL", DX_EINVAL, NULL, &out);
	RC(dx_ring_peek, "elem NULL", DX_EINVAL, &ring, NULL);
	UNTOUCHED(dx_ring_count(&ring) == 1);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(dx_ring_push(&ring, &elem), 0);
	RC(dx_ring_push, "full ring (wrong state)", DX_ENOBUFS, &ring, &elem);
	VAL(dx_ring_count, "r NULL", 0, NULL);
	VAL(dx_ring_capacity, "r NULL", 0, NULL);
	dx_ring_deinit(&ring);

	VOIDC(dx_hist_reset, "h NULL", NULL);
	VOIDC(dx_hist_add, "h NULL", NULL, 5);
	dx_hist_reset(h);
	dx_hist_add(h, 100);
	VAL(dx_hist_quantile, "h NULL", 0, NULL, 0.5);
	VAL(dx_hist_quantile, "q NaN", 100, h, NaN);
	VAL(dx_hist_quantile, "q -Inf", 100, h, -Inf);
	VAL(dx_hist_quantile, "q +Inf", 100, h, Inf);
	DBL(dx_hist_mean, "h NULL", 0.0, NULL);
	VOIDC(dx_hist_merge, "dst NULL", NULL, h);
	VOIDC(dx_hist_merge, "src NULL", h, NULL);
	UNTOUCHED(h->count == 1);
	VOIDC(dx_hist_summarize, "h NULL", NULL, &s);
	VOIDC(dx_hist_summarize, "s NULL", h, NULL);
	VOIDC(dx_hist_bucket_range, "lo NULL, hi NULL", 3, NULL, NULL);
	VOIDC(dx_hist_bucket_range, "idx DX_HIST_BUCKETS (past the end)",
	      DX_HIST_BUCKETS, &lo, &hi);
	UNTOUCHED(lo == 0 && hi == 0);
	lo = hi = 5;
	VOIDC(dx_hist_bucket_range, "idx UINT_MAX", UINT32_MAX, &lo, &hi);
	UNTOUCHED(lo == 0 && hi == 0);
	free(h);
	module_end();
}
END_TEST

/* ---- can ------------------------------------------------------------------- */

static struct dx_can_frame frame(uint32_t id, uint8_t len)
{
	struct dx_can_frame f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.len = len;
	for (unsigned i = 0; i < len && i < DX_CANFD_MAX_DLEN; i++)
		f.data[i] = (uint8_t)i;
	return f;
}

START_TEST(test_can)
{
	struct dx_can_frame f = frame(0x123, 2), g;
	struct dx_can_opts o;
	struct dx_can *bus = NULL;
	struct dx_can_filter flt = {.id = 1, .mask = 0x7ff};
	struct dx_can_stats st;
	struct dx_can_busstate bs;
	char buf[DX_CAN_LOG_MAX], ifn[16];

	module_begin("can");
	VAL(dx_can_len_to_dlc, "len 9 (no FD length)", -1, 9);
	VAL(dx_can_len_to_dlc, "len 65", -1, 65);
	VAL(dx_can_dlc_to_len, "dlc 16 (caps at 15)", 64, 16, true);
	RC(dx_can_frame_check, "f NULL", DX_EINVAL, NULL);
	g = frame(0x800, 1);
	RC(dx_can_frame_check, "11-bit id 0x800", DX_EINVAL, &g);
	g = frame(0x20000000, 1);
	g.flags = DX_CAN_EXT;
	RC(dx_can_frame_check, "29-bit id 0x20000000", DX_EINVAL, &g);
	g = frame(0x1, 9);
	RC(dx_can_frame_check, "classic len 9", DX_EMSGSIZE, &g);
	g.flags = DX_CAN_FD;
	RC(dx_can_frame_check, "FD len 9", DX_EMSGSIZE, &g);
	g = frame(0x1, 1);
	g.flags = DX_CAN_FD | DX_CAN_RTR;
	RC(dx_can_frame_check, "RTR on FD", DX_EINVAL, &g);
	g.flags = DX_CAN_BRS;
	RC(dx_can_frame_check, "BRS on classic", DX_EINVAL, &g);
	g.flags = 0x80;
	RC(dx_can_frame_check, "unknown flag bit", DX_EINVAL, &g);

	RC(dx_can_frame_format, "f NULL", DX_EINVAL, NULL, buf, sizeof(buf));
	RC(dx_can_frame_format, "buf NULL", DX_EINVAL, &f, NULL, 10);
	mark(buf, 4);
	RC(dx_can_frame_format, "size 4 (too small)", DX_ENOSPC, &f, buf, 4);
	g = frame(0x800, 1);
	RC(dx_can_frame_format, "invalid frame", DX_EINVAL, &g, buf, sizeof(buf));
	RC(dx_can_frame_format, "size 0", DX_ENOSPC, &f, buf, 0);
	RC(dx_can_frame_parse, "text NULL", DX_EINVAL, NULL, &g);
	RC(dx_can_frame_parse, "f NULL", DX_EINVAL, "123#00", NULL);
	RC(dx_can_frame_parse, "\"\"", DX_EBADMSG, "", &g);
	RC(dx_can_frame_parse, "\"123#0\" (odd digits)", DX_EBADMSG, "123#0", &g);
	RC(dx_can_frame_parse, "\"800#00\" (11-bit id too large)", DX_EBADMSG,
	   "800#00", &g);
	RC(dx_can_frame_parse, "9 data bytes classic", DX_EMSGSIZE,
	   "123#000102030405060708", &g);
	RC(dx_can_log_parse, "line NULL", DX_EINVAL, NULL, &g, ifn, sizeof(ifn));
	RC(dx_can_log_parse, "f NULL", DX_EINVAL, "(1.0) can0 123#00", NULL, ifn,
	   sizeof(ifn));
	RC(dx_can_log_parse, "ifname_size 2 (too small)", DX_ENOSPC,
	   "(1.0) can0 123#00", &g, ifn, 2);
	RC(dx_can_log_parse, "no timestamp", DX_EBADMSG, "can0 123#00", &g, ifn,
	   sizeof(ifn));
	RC(dx_can_log_format, "f NULL", DX_EINVAL, NULL, "can0", buf, sizeof(buf));
	RC(dx_can_log_format, "ifname NULL", DX_EINVAL, &f, NULL, buf, sizeof(buf));
	RC(dx_can_log_format, "buf NULL", DX_EINVAL, &f, "can0", NULL, 10);
	RC(dx_can_log_format, "size 8 (too small)", DX_ENOSPC, &f, "can0", buf, 8);
	RC(dx_can_log_format, "ifname with a blank", DX_EINVAL, &f, "can 0", buf,
	   sizeof(buf));

	memset(&o, 0, sizeof(o));
	RC(dx_can_open, "out NULL", DX_EINVAL, NULL, "simbus:x", NULL);
	bus = (struct dx_can *)&f; /* must be cleared on failure */
	RC(dx_can_open, "name NULL", DX_EINVAL, &bus, NULL, NULL);
	UNTOUCHED(bus == NULL);
	RC(dx_can_open, "name without a kind", DX_EINVAL, &bus, "can0", NULL);
	RC(dx_can_open, "unknown kind", DX_ENOENT, &bus, "serial:ttyS0", NULL);
	RC(dx_can_open, "empty simbus name", DX_EINVAL, &bus, "simbus:", NULL);
	RC(dx_can_open, "simbus name with '/'", DX_EINVAL, &bus, "simbus:a/b",
	   NULL);
	o.n_filters = 1;
	RC(dx_can_open, "filters NULL with n_filters 1", DX_EINVAL, &bus,
	   "simbus:x", &o);
	o.n_filters = 0;
	o.bitrate = DX_SIMBUS_MAX_BITRATE + 1;
	RC(dx_can_open, "simbus bitrate above DX_SIMBUS_MAX_BITRATE", DX_EINVAL,
	   &bus, "simbus:x", &o);
	o.bitrate = 0;
	RC(dx_can_open, "socketcan name longer than IFNAMSIZ", DX_EINVAL, &bus,
	   "socketcan:abcdefghijklmnopq", NULL);
	VOIDC(dx_can_close, "bus NULL", NULL);

	{
		char name[80];
		snprintf(name, sizeof(name), "simbus:%s", unique("can"));
		ck_assert_int_eq(dx_can_open(&bus, name, NULL), 0);
	}
	RC(dx_can_send, "bus NULL", DX_EINVAL, NULL, &f, 1);
	RC(dx_can_send, "frames NULL, n 1", DX_EINVAL, bus, NULL, 1);
	g = frame(0x800, 1);
	RC(dx_can_send, "invalid frame (id 0x800)", DX_EINVAL, bus, &g, 1);
	g = frame(0x1, 12);
	RC(dx_can_send, "FD frame on a classic bus", DX_EINVAL, bus, &g, 1);
	dx_can_get_stats(bus, &st);
	UNTOUCHED(st.tx_frames == 0);
	RC(dx_can_recv, "bus NULL", DX_EINVAL, NULL, &g, 1);
	RC(dx_can_recv, "frames NULL, max 1", DX_EINVAL, bus, NULL, 1);
	RC(dx_can_wait, "bus NULL", DX_EINVAL, NULL, 0);
	RC(dx_can_set_filters, "bus NULL", DX_EINVAL, NULL, &flt, 1);
	RC(dx_can_set_filters, "filters NULL, n 1", DX_EINVAL, bus, NULL, 1);
	RC(dx_can_set_filters, "n above DX_SIMBUS_MAX_FILTERS", DX_ENOSPC, bus,
	   &flt, DX_SIMBUS_MAX_FILTERS + 1);
	VAL(dx_can_fd, "bus NULL", -1, NULL);
	VOIDC(dx_can_get_stats, "bus NULL", NULL, &st);
	VOIDC(dx_can_get_stats, "st NULL", bus, NULL);
	RC(dx_can_get_state, "bus NULL", DX_EINVAL, NULL, &bs);
	RC(dx_can_get_state, "bs NULL", DX_EINVAL, bus, NULL);
	STRC(dx_can_name, "bus NULL", "", NULL);
	VAL(dx_can_bitrate, "bus NULL", 0, NULL, false);
	dx_can_close(bus);
	dx_simbus_unlink(unique("can"));
	module_end();
}
END_TEST

/* ---- simbus ------------------------------------------------------------------ */

START_TEST(test_simbus)
{
	struct dx_can *rt = NULL, *vb = NULL, *out = NULL;
	struct dx_simbus_opts so = {.clock = DX_SIMBUS_CLOCK_VIRTUAL};
	struct dx_simbus_info info;
	struct dx_simbus_fault fault = {.kind = DX_SIMBUS_FAULT_DROP, .all = true,
					.node = -1};
	struct dx_can_frame f = frame(0x10, 1);
	char rtname[64], vname[64], longname[DX_SIMBUS_NAME_MAX + 8];

	module_begin("simbus");
	snprintf(rtname, sizeof(rtname), "%s", unique("rt"));
	snprintf(vname, sizeof(vname), "%s", unique("virt"));
	ck_assert_int_eq(dx_simbus_open(&rt, rtname, NULL, NULL), 0);
	ck_assert_int_eq(dx_simbus_open(&vb, vname, NULL, &so), 0);

	RC(dx_simbus_open, "out NULL", DX_EINVAL, NULL, vname, NULL, NULL);
	RC(dx_simbus_open, "name NULL", DX_EINVAL, &out, NULL, NULL, NULL);
	RC(dx_simbus_open, "name \"\"", DX_EINVAL, &out, "", NULL, NULL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	RC(dx_simbus_open, "name longer than DX_SIMBUS_NAME_MAX", DX_EINVAL, &out,
	   longname, NULL, NULL);
	RC(dx_simbus_open, "name with a blank", DX_EINVAL, &out, "a b", NULL, NULL);
	so.capacity = 100;
	RC(dx_simbus_open, "capacity 100 (not a power of two)", DX_EINVAL, &out,
	   unique("cap"), NULL, &so);
	so.capacity = 1u << 17;
	RC(dx_simbus_open, "capacity 131072 (above 65536)", DX_EINVAL, &out,
	   unique("cap"), NULL, &so);
	so.capacity = 0;
	so.tx_queue = 5000;
	RC(dx_simbus_open, "tx_queue 5000 (above 4096)", DX_EINVAL, &out,
	   unique("cap"), NULL, &so);
	so.tx_queue = 0;
	so.clock = (enum dx_simbus_clock)7;
	RC(dx_simbus_open, "unknown clock 7", DX_EINVAL, &out, unique("cap"), NULL,
	   &so);
	so.clock = DX_SIMBUS_CLOCK_REAL;
	RC(dx_simbus_open, "real-time clock on a virtual bus", DX_ECONFIG, &out,
	   vname, NULL, &so);
	{
		struct dx_can_opts o = {.bitrate = 500000};
		RC(dx_simbus_open, "bitrate differs from the bus", DX_ECONFIG, &out,
		   vname, &o, NULL);
	}
	UNTOUCHED(out == NULL);

	BOOLC(dx_simbus_is, "bus NULL", false, NULL);
	RC(dx_simbus_node, "bus NULL", DX_EINVAL, NULL);
	VAL(dx_simbus_now, "bus NULL", 0, NULL);
	RC(dx_simbus_advance, "bus NULL", DX_EINVAL, NULL, 1);
	RC(dx_simbus_advance, "dt_ns -1", DX_EINVAL, vb, -1);
	RC(dx_simbus_advance, "real-time bus (wrong state)", DX_ESTATE, rt, 1);
	RC(dx_simbus_set_time, "bus NULL", DX_EINVAL, NULL, 1);
	RC(dx_simbus_set_time, "real-time bus (wrong state)", DX_ESTATE, rt, 1);
	RC(dx_simbus_wait_tx, "bus NULL", DX_EINVAL, NULL, 0);
	RC(dx_simbus_get_info, "bus NULL", DX_EINVAL, NULL, &info);
	RC(dx_simbus_get_info, "info NULL", DX_EINVAL, vb, NULL);
	RC(dx_simbus_fault_add, "bus NULL", DX_EINVAL, NULL, &fault);
	RC(dx_simbus_fault_add, "fault NULL", DX_EINVAL, vb, NULL);
	fault.kind = (enum dx_simbus_fault_kind)0;
	RC(dx_simbus_fault_add, "kind 0", DX_EINVAL, vb, &fault);
	fault.kind = DX_SIMBUS_FAULT_DELAY;
	fault.delay_ns = -1;
	RC(dx_simbus_fault_add, "delay_ns -1", DX_EINVAL, vb, &fault);
	fault.delay_ns = 0;
	fault.kind = DX_SIMBUS_FAULT_DROP;
	fault.count = -1;
	RC(dx_simbus_fault_add, "count -1", DX_EINVAL, vb, &fault);
	fault.count = 0;
	fault.node = DX_SIMBUS_MAX_NODES;
	RC(dx_simbus_fault_add, "node DX_SIMBUS_MAX_NODES", DX_EINVAL, vb, &fault);
	fault.node = -1;
	RC(dx_simbus_fault_remove, "bus NULL", DX_EINVAL, NULL, 0);
	RC(dx_simbus_fault_remove, "handle -1", DX_EINVAL, vb, -1);
	RC(dx_simbus_fault_remove, "handle DX_SIMBUS_MAX_FAULTS", DX_EINVAL, vb,
	   DX_SIMBUS_MAX_FAULTS);
	RC(dx_simbus_fault_remaining, "bus NULL", DX_EINVAL, NULL, 0);
	RC(dx_simbus_fault_remaining, "handle -1", DX_EINVAL, vb, -1);
	RC(dx_simbus_set_bus_off, "bus NULL", DX_EINVAL, NULL, -1, true);
	RC(dx_simbus_set_bus_off, "node DX_SIMBUS_MAX_NODES", DX_EINVAL, vb,
	   DX_SIMBUS_MAX_NODES, true);
	RC(dx_simbus_set_bus_off, "node -2", DX_EINVAL, vb, -2, true);
	ck_assert_int_eq(dx_simbus_set_bus_off(vb, -1, true), 0);
	RC(dx_can_send, "node bus-off (wrong state)", DX_EBUSOFF, vb, &f, 1);
	ck_assert_int_eq(dx_simbus_set_bus_off(vb, -1, false), 0);
	RC(dx_simbus_babble, "bus NULL", DX_EINVAL, NULL, &f, 1);
	RC(dx_simbus_babble, "f NULL", DX_EINVAL, vb, NULL, 1);
	RC(dx_simbus_babble, "count 0", DX_EINVAL, vb, &f, 0);
	{
		struct dx_can_frame bad = frame(0x800, 1);
		RC(dx_simbus_babble, "invalid frame", DX_EINVAL, vb, &bad, 1);
	}
	ck_assert_int_eq(dx_simbus_get_info(vb, &info), 0);
	UNTOUCHED(info.frames == 0);
	RC(dx_simbus_unlink, "name NULL", DX_EINVAL, NULL);
	RC(dx_simbus_unlink, "name with '/'", DX_EINVAL, "a/b");
	RC(dx_simbus_unlink, "no such bus", DX_ENOENT, unique("none"));
	dx_can_close(rt);
	dx_can_close(vb);
	dx_simbus_unlink(rtname);
	dx_simbus_unlink(vname);
	module_end();
}
END_TEST

/* ---- socketcan --------------------------------------------------------------- */

START_TEST(test_socketcan)
{
	struct dx_socketcan_info info;
	struct dx_socketcan_devstats ds;
	enum dx_can_state state;
	uint32_t u32;
	uint16_t a, b;
	const char *none = "dxnone0";
	const char *toolong = "abcdefghijklmnopq";

	module_begin("socketcan");
	RC(dx_socketcan_get_info, "ifname NULL", DX_EINVAL, NULL, &info);
	RC(dx_socketcan_get_info, "info NULL", DX_EINVAL, "can0", NULL);
	RC(dx_socketcan_get_info, "name longer than IFNAMSIZ", DX_EINVAL, toolong,
	   &info);
	RC(dx_socketcan_get_info, "no such interface", DX_ENODEV, none, &info);
	RC(dx_socketcan_get_bitrate, "ifname NULL", DX_EINVAL, NULL, &u32, NULL);
	RC(dx_socketcan_get_bitrate, "bitrate NULL", DX_EINVAL, none, NULL, NULL);
	RC(dx_socketcan_get_bitrate, "no such interface", DX_ENODEV, none, &u32,
	   NULL);
	RC(dx_socketcan_set_bitrate, "ifname NULL", DX_EINVAL, NULL, 500000, 0);
	RC(dx_socketcan_set_bitrate, "bitrate 0", DX_EINVAL, none, 0, 0);
	RC(dx_socketcan_set_bitrate, "bitrate 2000000", DX_EINVAL, none, 2000000, 0);
	RC(dx_socketcan_set_bitrate, "sample point 1000 (100 %)", DX_EINVAL, none,
	   500000, 1000);
	RC(dx_socketcan_get_data_bitrate, "ifname NULL", DX_EINVAL, NULL, &u32);
	RC(dx_socketcan_get_data_bitrate, "bitrate NULL", DX_EINVAL, none, NULL);
	RC(dx_socketcan_set_data_bitrate, "ifname NULL", DX_EINVAL, NULL, 2000000);
	RC(dx_socketcan_set_data_bitrate, "no such interface", DX_ENODEV, none,
	   2000000);
	RC(dx_socketcan_get_restart_ms, "ifname NULL", DX_EINVAL, NULL, &u32);
	RC(dx_socketcan_get_restart_ms, "ms NULL", DX_EINVAL, none, NULL);
	RC(dx_socketcan_set_restart_ms, "ifname NULL", DX_EINVAL, NULL, 100);
	RC(dx_socketcan_set_restart_ms, "ms 60001", DX_EINVAL, none, 60001);
	RC(dx_socketcan_start, "ifname NULL", DX_EINVAL, NULL);
	RC(dx_socketcan_start, "name \"\"", DX_EINVAL, "");
	RC(dx_socketcan_start, "no such interface", DX_ENODEV, none);
	RC(dx_socketcan_stop, "ifname NULL", DX_EINVAL, NULL);
	RC(dx_socketcan_stop, "no such interface", DX_ENODEV, none);
	RC(dx_socketcan_restart, "ifname NULL", DX_EINVAL, NULL);
	RC(dx_socketcan_restart, "no such interface", DX_ENODEV, none);
	RC(dx_socketcan_get_state, "ifname NULL", DX_EINVAL, NULL, &state);
	RC(dx_socketcan_get_state, "state NULL", DX_EINVAL, none, NULL);
	RC(dx_socketcan_get_berr, "ifname NULL", DX_EINVAL, NULL, &a, &b);
	RC(dx_socketcan_get_berr, "tx_errors NULL", DX_EINVAL, none, NULL, &b);
	RC(dx_socketcan_get_berr, "rx_errors NULL", DX_EINVAL, none, &a, NULL);
	RC(dx_socketcan_get_device_stats, "ifname NULL", DX_EINVAL, NULL, &ds);
	RC(dx_socketcan_get_device_stats, "st NULL", DX_EINVAL, none, NULL);
	RC(dx_socketcan_get_device_stats, "no such interface", DX_ENODEV, none,
	   &ds);
	STRC(dx_can_state_name, "state 99", "unknown", (enum dx_can_state)99);
	module_end();
}
END_TEST

/* ---- busload ------------------------------------------------------------------ */

START_TEST(test_busload)
{
	struct dx_can_frame f = frame(0x123, 8), g;
	struct dx_can_frame_bits b;
	struct dx_can_periodic per = {.bus = 0, .id = 1, .len = 8, .rate_hz = 100};
	struct dx_can_bus_rates rates = {.bitrate = 1000000};
	struct dx_can_bus_budget out[2];
	double mc;

	module_begin("busload");
	RC(dx_can_frame_bits, "f NULL", DX_EINVAL, NULL, &b);
	RC(dx_can_frame_bits, "out NULL", DX_EINVAL, &f, NULL);
	g = frame(0x1, 0);
	g.flags = DX_CAN_ERR;
	RC(dx_can_frame_bits, "error frame", DX_EINVAL, &g, &b);
	g = frame(0x1, 9);
	RC(dx_can_frame_bits, "classic len 9", DX_EMSGSIZE, &g, &b);
	VAL(dx_can_bits_ns, "b NULL", 0, NULL, 1000000, 0);
	dx_can_frame_bits(&f, &b);
	VAL(dx_can_bits_ns, "bitrate 0", 0, &b, 0, 0);
	VAL(dx_can_frame_ns, "f NULL", DX_EINVAL, NULL, 1000000, 0);
	VAL(dx_can_frame_ns, "bitrate 0", DX_EINVAL, &f, 0, 0);
	RC(dx_can_frame_bits_worst, "out NULL", DX_EINVAL, 1, 0, 8, NULL);
	RC(dx_can_frame_bits_worst, "classic len 9", DX_EMSGSIZE, 1, 0, 9, &b);
	RC(dx_can_frame_bits_worst, "FD len 13", DX_EMSGSIZE, 1, DX_CAN_FD, 13, &b);
	RC(dx_can_frame_bits_worst, "RTR with FD", DX_EINVAL, 1,
	   DX_CAN_FD | DX_CAN_RTR, 8, &b);
	RC(dx_can_frame_bits_worst, "11-bit id 0x800", DX_EINVAL, 0x800, 0, 8, &b);
	RC(dx_can_budget_plan, "frames NULL, n 1", DX_EINVAL, NULL, 1, &rates, 1,
	   0.7, out, &mc);
	RC(dx_can_budget_plan, "buses NULL", DX_EINVAL, &per, 1, NULL, 1, 0.7, out,
	   &mc);
	RC(dx_can_budget_plan, "out NULL", DX_EINVAL, &per, 1, &rates, 1, 0.7, NULL,
	   &mc);
	RC(dx_can_budget_plan, "n_buses 0", DX_EINVAL, &per, 1, &rates, 0, 0.7, out,
	   &mc);
	RC(dx_can_budget_plan, "max_load NaN", DX_EINVAL, &per, 1, &rates, 1, NaN,
	   out, &mc);
	RC(dx_can_budget_plan, "max_load +Inf", DX_EINVAL, &per, 1, &rates, 1, Inf,
	   out, &mc);
	RC(dx_can_budget_plan, "max_load 0", DX_EINVAL, &per, 1, &rates, 1, 0.0, out,
	   &mc);
	RC(dx_can_budget_plan, "max_load 1.5", DX_EINVAL, &per, 1, &rates, 1, 1.5,
	   out, &mc);
	per.bus = 1;
	RC(dx_can_budget_plan, "frame bus index 1 of 1 bus", DX_EINVAL, &per, 1,
	   &rates, 1, 0.7, out, &mc);
	per.bus = 0;
	per.rate_hz = NaN;
	RC(dx_can_budget_plan, "rate_hz NaN", DX_EINVAL, &per, 1, &rates, 1, 0.7,
	   out, &mc);
	per.rate_hz = Inf;
	RC(dx_can_budget_plan, "rate_hz +Inf", DX_EINVAL, &per, 1, &rates, 1, 0.7,
	   out, &mc);
	per.rate_hz = -1;
	RC(dx_can_budget_plan, "rate_hz -1", DX_EINVAL, &per, 1, &rates, 1, 0.7,
	   out, &mc);
	per.rate_hz = 100;
	per.len = 9;
	RC(dx_can_budget_plan, "len 9 classic", DX_EMSGSIZE, &per, 1, &rates, 1, 0.7,
	   out, &mc);
	per.len = 8;
	rates.bitrate = 0;
	RC(dx_can_budget_plan, "bitrate 0", DX_EINVAL, &per, 1, &rates, 1, 0.7, out,
	   &mc);
	module_end();
}
END_TEST

/* ---- drive ------------------------------------------------------------------- */

START_TEST(test_drive)
{
	const struct dx_mit_model *ak = dx_mit_model_find("ak80-64");
	const struct dx_mit_model *dm = NULL;
	struct dx_mit_model badfam;
	struct dx_mit_addr a = {ak, 1, 0}, abad;
	struct dx_mit_cmd c = {0}, cnan;
	struct dx_mit_fb fb = {0}, fbnan;
	struct dx_can_frame f, g = frame(0x1, 8);
	enum dx_mit_special sp;
	enum dx_dm_mode mode;
	double pos, vel;
	unsigned cl;
	struct dx_odrive_msg om;
	struct dx_sdo sdo = {.kind = DX_SDO_UPLOAD_REQ, .node = 1, .index = 0x6041};
	struct dx_pdo_map map = {.n = 1, .e = {{0x6040, 0, 16}}};
	uint32_t vals[8] = {0};
	const struct dx_cia402_model *cm = dx_cia402_model_at(0);
	struct dx_cia402_out co = {0}, conan;
	struct dx_cia402_in ci = {0}, cinan;
	struct dx_can_frame f2[2];
	struct dx_drive_desc desc;
	struct dx_sdo sdos[16];
	uint8_t node, cmd;
	char buf[64];

	module_begin("drive");
	ck_assert_ptr_nonnull(ak);
	ck_assert_ptr_nonnull(cm);
	for (size_t i = 0; i < dx_mit_model_count(); i++)
		if (dx_mit_model_at(i)->family == DX_MIT_DAMIAO)
			dm = dx_mit_model_at(i);
	ck_assert_ptr_nonnull(dm);
	STRC(dx_drive_fault_name, "fault 99", "?", (enum dx_drive_fault)99);
	STRC(dx_drive_fault_name, "fault -1", "?", (enum dx_drive_fault)-1);
	PNULL(dx_mit_model_at, "i past the table", dx_mit_model_count());
	PNULL(dx_mit_model_find, "name NULL", NULL);
	PNULL(dx_mit_model_find, "unknown name", "no-such-motor");

	badfam = *ak;
	badfam.family = (enum dx_mit_family)9;
	abad = (struct dx_mit_addr){&badfam, 1, 0};
	mark(&f, sizeof(f));
	RC(dx_mit_encode_cmd, "a NULL", DX_EINVAL, NULL, &c, &f, &cl);
	RC(dx_mit_encode_cmd, "a->model NULL", DX_EINVAL,
	   (&(struct dx_mit_addr){NULL, 1, 0}), &c, &f, &cl);
	RC(dx_mit_encode_cmd, "model family 9", DX_EINVAL, &abad, &c, &f, &cl);
	RC(dx_mit_encode_cmd, "c NULL", DX_EINVAL, &a, NULL, &f, &cl);
	RC(dx_mit_encode_cmd, "f NULL", DX_EINVAL, &a, &c, NULL, &cl);
	cnan = c;
	cnan.pos = NaN;
	RC(dx_mit_encode_cmd, "pos NaN", DX_ENOTFINITE, &a, &cnan, &f, &cl);
	cnan = c;
	cnan.vel = Inf;
	RC(dx_mit_encode_cmd, "vel +Inf", DX_ENOTFINITE, &a, &cnan, &f, &cl);
	cnan = c;
	cnan.kp = -Inf;
	RC(dx_mit_encode_cmd, "kp -Inf", DX_ENOTFINITE, &a, &cnan, &f, &cl);
	cnan = c;
	cnan.kd = NaN;
	RC(dx_mit_encode_cmd, "kd NaN", DX_ENOTFINITE, &a, &cnan, &f, &cl);
	cnan = c;
	cnan.tau = Inf;
	RC(dx_mit_encode_cmd, "tau +Inf", DX_ENOTFINITE, &a, &cnan, &f, &cl);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	RC(dx_mit_encode_special, "a NULL", DX_EINVAL, NULL, DX_MIT_ENABLE, &f);
	RC(dx_mit_encode_special, "f NULL", DX_EINVAL, &a, DX_MIT_ENABLE, NULL);
	RC(dx_mit_encode_special, "special DX_MIT_NONE", DX_EINVAL, &a, DX_MIT_NONE,
	   &f);
	RC(dx_mit_encode_special, "special 99", DX_EINVAL, &a,
	   (enum dx_mit_special)99, &f);
	RC(dx_mit_encode_special, "clear fault on CubeMars", DX_ENOTSUP, &a,
	   DX_MIT_CLEAR_FAULT, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	RC(dx_mit_decode_reply, "a NULL", DX_EINVAL, NULL, &g, &fb);
	RC(dx_mit_decode_reply, "f NULL", DX_EINVAL, &a, NULL, &fb);
	RC(dx_mit_decode_reply, "fb NULL", DX_EINVAL, &a, &g, NULL);
	RC(dx_mit_decode_reply, "model family 9", DX_EINVAL, &abad, &g, &fb);
	g = frame(0x0, 3);
	RC(dx_mit_decode_reply, "3-byte frame", DX_EPROTO, &a, &g, &fb);
	RC(dx_mit_decode_cmd, "a NULL", DX_EINVAL, NULL, &g, &sp, &c);
	RC(dx_mit_decode_cmd, "f NULL", DX_EINVAL, &a, NULL, &sp, &c);
	RC(dx_mit_decode_cmd, "special NULL", DX_EINVAL, &a, &g, NULL, &c);
	RC(dx_mit_decode_cmd, "c NULL", DX_EINVAL, &a, &g, &sp, NULL);
	g = frame(0x1, 3);
	RC(dx_mit_decode_cmd, "3-byte frame to this drive", DX_EPROTO, &a, &g, &sp,
	   &c);
	fb.temp_c = 30;
	RC(dx_mit_encode_reply, "a NULL", DX_EINVAL, NULL, &fb, &f, &cl);
	RC(dx_mit_encode_reply, "fb NULL", DX_EINVAL, &a, NULL, &f, &cl);
	RC(dx_mit_encode_reply, "f NULL", DX_EINVAL, &a, &fb, NULL, &cl);
	fbnan = fb;
	fbnan.pos = NaN;
	RC(dx_mit_encode_reply, "pos NaN", DX_ENOTFINITE, &a, &fbnan, &f, &cl);
	fbnan = fb;
	fbnan.tau = -Inf;
	RC(dx_mit_encode_reply, "tau -Inf", DX_ENOTFINITE, &a, &fbnan, &f, &cl);
	fbnan = fb;
	fbnan.temp_c = NaN;
	RC(dx_mit_encode_reply, "temp_c NaN", DX_ENOTFINITE, &a, &fbnan, &f, &cl);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	{
		struct dx_mit_addr d = {dm, 1, 0x11};
		RC(dx_dm_encode_mode_cmd, "a NULL", DX_EINVAL, NULL, DX_DM_MODE_POSVEL,
		   0, 0, &f, &cl);
		RC(dx_dm_encode_mode_cmd, "f NULL", DX_EINVAL, &d, DX_DM_MODE_POSVEL, 0,
		   0, NULL, &cl);
		RC(dx_dm_encode_mode_cmd, "not a Damiao model", DX_EINVAL, &a,
		   DX_DM_MODE_POSVEL, 0, 0, &f, &cl);
		RC(dx_dm_encode_mode_cmd, "mode MIT", DX_EINVAL, &d, DX_DM_MODE_MIT, 0,
		   0, &f, &cl);
		RC(dx_dm_encode_mode_cmd, "pos NaN", DX_ENOTFINITE, &d,
		   DX_DM_MODE_POSVEL, NaN, 0, &f, &cl);
		RC(dx_dm_encode_mode_cmd, "vel +Inf", DX_ENOTFINITE, &d,
		   DX_DM_MODE_VEL, 0, Inf, &f, &cl);
		UNTOUCHED(marked(&f, sizeof(f)));
		mark(&f, sizeof(f));
	mark(&f, sizeof(f));
		g = frame(0x101, 8);
		RC(dx_dm_decode_mode_cmd, "a NULL", DX_EINVAL, NULL, &g, &mode, &pos,
		   &vel);
		RC(dx_dm_decode_mode_cmd, "f NULL", DX_EINVAL, &d, NULL, &mode, &pos,
		   &vel);
		RC(dx_dm_decode_mode_cmd, "mode NULL", DX_EINVAL, &d, &g, NULL, &pos,
		   &vel);
		RC(dx_dm_decode_mode_cmd, "pos NULL", DX_EINVAL, &d, &g, &mode, NULL,
		   &vel);
		RC(dx_dm_decode_mode_cmd, "vel NULL", DX_EINVAL, &d, &g, &mode, &pos,
		   NULL);
		g = frame(0x101, 3);
		RC(dx_dm_decode_mode_cmd, "3-byte POSVEL frame", DX_EPROTO, &d, &g,
		   &mode, &pos, &vel);
	}
	VAL(dx_mit_fault_decode, "family 9", DX_DRIVE_FAULT_OTHER,
	    (enum dx_mit_family)9, 1);
	VAL(dx_mit_fault_encode, "family 9", 0, (enum dx_mit_family)9,
	    DX_DRIVE_FAULT_OVERCURRENT, true);
	VAL(dx_mit_fault_encode, "fault 99", 0, DX_MIT_CUBEMARS,
	    (enum dx_drive_fault)99, true);
	DBL(dx_mit_step, "m NULL", NaN, NULL, DX_DRIVE_CLAMP_POS, false);
	DBL(dx_mit_step, "which 0", NaN, ak, 0, false);
	DBL(dx_mit_step, "which two bits", NaN, ak,
	    DX_DRIVE_CLAMP_POS | DX_DRIVE_CLAMP_VEL, false);
	DBL(dx_mit_step, "which 32", NaN, ak, 32, false);
	DBL(dx_mit_step, "model family 9", NaN, &badfam, DX_DRIVE_CLAMP_POS, false);

	PNULL(dx_odrive_model_at, "i past the table", dx_odrive_model_count());
	VAL(dx_odrive_fault_encode, "fault 99 (reported as \"other\")", 0x08000000,
	    (enum dx_drive_fault)99);
	PNULL(dx_odrive_model_find, "name NULL", NULL);
	g = frame(0x21, 8);
	RC(dx_odrive_split_id, "f NULL", DX_EINVAL, NULL, &node, &cmd);
	g.flags = DX_CAN_EXT;
	RC(dx_odrive_split_id, "29-bit frame", DX_EINVAL, &g, &node, &cmd);
	memset(&om, 0, sizeof(om));
	om.node = 1;
	om.cmd = DX_ODRIVE_SET_INPUT_POS;
	RC(dx_odrive_encode, "m NULL", DX_EINVAL, NULL, NULL, &f, &cl);
	RC(dx_odrive_encode, "f NULL", DX_EINVAL, NULL, &om, NULL, &cl);
	om.node = 64;
	RC(dx_odrive_encode, "node 64", DX_EINVAL, NULL, &om, &f, &cl);
	om.node = 1;
	om.cmd = 0x1f;
	RC(dx_odrive_encode, "cmd 0x1f", DX_ENOTSUP, NULL, &om, &f, &cl);
	om.cmd = DX_ODRIVE_SET_INPUT_POS;
	om.u.input_pos.pos = NAN;
	RC(dx_odrive_encode, "input pos NaN", DX_ENOTFINITE, NULL, &om, &f, &cl);
	om.u.input_pos.pos = 0;
	om.u.input_pos.torque_ff = INFINITY;
	RC(dx_odrive_encode, "torque_ff +Inf", DX_ENOTFINITE, NULL, &om, &f, &cl);
	om.cmd = DX_ODRIVE_SET_LIMITS;
	om.u.limits.vel_limit = NAN;
	RC(dx_odrive_encode, "vel_limit NaN", DX_ENOTFINITE, NULL, &om, &f, &cl);
	om.cmd = DX_ODRIVE_SET_INPUT_TORQUE;
	om.u.input_torque.torque = -INFINITY;
	RC(dx_odrive_encode, "torque -Inf", DX_ENOTFINITE, NULL, &om, &f, &cl);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	RC(dx_odrive_decode, "f NULL", DX_EINVAL, NULL, &om);
	g = frame(0x2c, 8);
	RC(dx_odrive_decode, "m NULL", DX_EINVAL, &g, NULL);
	g.len = 3;
	RC(dx_odrive_decode, "Set_Input_Pos of 3 bytes", DX_EPROTO, &g, &om);
	g = frame(0x3f, 8);
	RC(dx_odrive_decode, "unknown cmd 0x1f", DX_ENOTSUP, &g, &om);

	RC(dx_co_nmt, "f NULL", DX_EINVAL, 1, DX_NMT_START, NULL);
	RC(dx_co_nmt, "node 128", DX_EINVAL, 128, DX_NMT_START, &f);
	RC(dx_co_nmt, "command 0x33", DX_EINVAL, 1, (enum dx_nmt_cs)0x33, &f);
	VOIDC(dx_co_sync, "f NULL", NULL);
	RC(dx_co_heartbeat, "f NULL", DX_EINVAL, 1, DX_NMT_OPERATIONAL, NULL);
	RC(dx_co_heartbeat, "node 0", DX_EINVAL, 0, DX_NMT_OPERATIONAL, &f);
	RC(dx_co_heartbeat, "node 128", DX_EINVAL, 128, DX_NMT_OPERATIONAL, &f);
	RC(dx_co_heartbeat, "state 0x33", DX_EINVAL, 1, (enum dx_nmt_state)0x33, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	STRC(dx_sdo_abort_name, "unknown code 1", "?", 1);
	RC(dx_sdo_encode, "s NULL", DX_EINVAL, NULL, &f);
	RC(dx_sdo_encode, "f NULL", DX_EINVAL, &sdo, NULL);
	sdo.node = 0;
	RC(dx_sdo_encode, "node 0", DX_EINVAL, &sdo, &f);
	sdo.node = 128;
	RC(dx_sdo_encode, "node 128", DX_EINVAL, &sdo, &f);
	sdo.node = 1;
	sdo.kind = DX_SDO_DOWNLOAD_REQ;
	sdo.size = 5;
	RC(dx_sdo_encode, "download size 5", DX_EINVAL, &sdo, &f);
	sdo.size = 0;
	RC(dx_sdo_encode, "download size 0", DX_EINVAL, &sdo, &f);
	sdo.kind = (enum dx_sdo_kind)9;
	RC(dx_sdo_encode, "kind 9", DX_EINVAL, &sdo, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	g = frame(0x581, 8);
	RC(dx_sdo_decode, "f NULL", DX_EINVAL, NULL, &sdo);
	RC(dx_sdo_decode, "s NULL", DX_EINVAL, &g, NULL);
	g.len = 4;
	RC(dx_sdo_decode, "4-byte SDO frame", DX_EPROTO, &g, &sdo);
	g = frame(0x181, 8);
	RC(dx_sdo_decode, "not an SDO id (TPDO1)", DX_ENOENT, &g, &sdo);
	STRC(dx_cia402_state_name, "state 99", "?", (enum dx_cia402_state)99);
	VAL(dx_cia402_state_encode, "state 99", 0, (enum dx_cia402_state)99);
	VAL(dx_cia402_next_cw, "cur 99", DX_CIA402_CMD_DISABLE_VOLTAGE,
	    (enum dx_cia402_state)99, DX_CIA402_OPERATION_ENABLED, 0);
	VAL(dx_cia402_transition, "cur 99", DX_CIA402_NOT_READY,
	    (enum dx_cia402_state)99, 0x0f, 0);
	VAL(dx_cia402_fault_encode, "fault 99", 0x1000, (enum dx_drive_fault)99);
	RC(dx_pdo_map_check, "m NULL", DX_EINVAL, NULL);
	map.n = 9;
	RC(dx_pdo_map_check, "n 9", DX_EINVAL, &map);
	map.n = 1;
	map.e[0].bits = 12;
	RC(dx_pdo_map_check, "12-bit entry", DX_EINVAL, &map);
	map.n = 3;
	map.e[0].bits = map.e[1].bits = map.e[2].bits = 32;
	RC(dx_pdo_map_check, "96 bits", DX_EMSGSIZE, &map);
	map.n = 1;
	map.e[0].bits = 16;
	RC(dx_pdo_pack, "m NULL", DX_EINVAL, NULL, 0x201, vals, &f);
	RC(dx_pdo_pack, "values NULL", DX_EINVAL, &map, 0x201, NULL, &f);
	RC(dx_pdo_pack, "f NULL", DX_EINVAL, &map, 0x201, vals, NULL);
	RC(dx_pdo_pack, "cob_id 0x800", DX_EINVAL, &map, 0x800, vals, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	g = frame(0x181, 2);
	RC(dx_pdo_unpack, "m NULL", DX_EINVAL, NULL, &g, vals);
	RC(dx_pdo_unpack, "f NULL", DX_EINVAL, &map, NULL, vals);
	RC(dx_pdo_unpack, "values NULL", DX_EINVAL, &map, &g, NULL);
	g.len = 3;
	RC(dx_pdo_unpack, "3 bytes for a 16-bit map", DX_EMSGSIZE, &map, &g, vals);
	RC(dx_pdo_config_sdos, "m NULL", DX_EINVAL, 1, 1, true, NULL, sdos, 16);
	RC(dx_pdo_config_sdos, "out NULL", DX_EINVAL, 1, 1, true, &map, NULL, 16);
	RC(dx_pdo_config_sdos, "pdo 0", DX_EINVAL, 1, 0, true, &map, sdos, 16);
	RC(dx_pdo_config_sdos, "pdo 5", DX_EINVAL, 1, 5, true, &map, sdos, 16);
	RC(dx_pdo_config_sdos, "node 0", DX_EINVAL, 0, 1, true, &map, sdos, 16);
	RC(dx_pdo_config_sdos, "max 2", DX_ENOSPC, 1, 1, true, &map, sdos, 2);
	PNULL(dx_cia402_model_at, "i past the table", dx_cia402_model_count());
	PNULL(dx_cia402_model_find, "name NULL", NULL);
	PNULL(dx_cia402_default_map, "which 4", 4);
	mark(f2, sizeof(f2));
	RC(dx_cia402_encode_rpdos, "m NULL", DX_EINVAL, NULL, 1, &co, f2, &cl);
	RC(dx_cia402_encode_rpdos, "o NULL", DX_EINVAL, cm, 1, NULL, f2, &cl);
	RC(dx_cia402_encode_rpdos, "f NULL", DX_EINVAL, cm, 1, &co, NULL, &cl);
	RC(dx_cia402_encode_rpdos, "node 0", DX_EINVAL, cm, 0, &co, f2, &cl);
	RC(dx_cia402_encode_rpdos, "node 128", DX_EINVAL, cm, 128, &co, f2, &cl);
	conan = co;
	conan.pos = NaN;
	RC(dx_cia402_encode_rpdos, "pos NaN", DX_ENOTFINITE, cm, 1, &conan, f2, &cl);
	conan = co;
	conan.vel = Inf;
	RC(dx_cia402_encode_rpdos, "vel +Inf", DX_ENOTFINITE, cm, 1, &conan, f2,
	   &cl);
	conan = co;
	conan.tau = -Inf;
	RC(dx_cia402_encode_rpdos, "tau -Inf", DX_ENOTFINITE, cm, 1, &conan, f2,
	   &cl);
	UNTOUCHED(marked(f2, sizeof(f2)));
	mark(f2, sizeof(f2));
	g = frame(0x181, 7);
	RC(dx_cia402_decode_tpdo, "m NULL", DX_EINVAL, NULL, 1, &g, &ci);
	RC(dx_cia402_decode_tpdo, "f NULL", DX_EINVAL, cm, 1, NULL, &ci);
	RC(dx_cia402_decode_tpdo, "in NULL", DX_EINVAL, cm, 1, &g, NULL);
	g.len = 3;
	RC(dx_cia402_decode_tpdo, "TPDO1 of 3 bytes", DX_EMSGSIZE, cm, 1, &g, &ci);
	g = frame(0x182, 7);
	RC(dx_cia402_decode_tpdo, "TPDO1 of node 2 to node 1", DX_ENOENT, cm, 1, &g,
	   &ci);
	RC(dx_cia402_encode_tpdos, "m NULL", DX_EINVAL, NULL, 1, &ci, f2);
	RC(dx_cia402_encode_tpdos, "in NULL", DX_EINVAL, cm, 1, NULL, f2);
	RC(dx_cia402_encode_tpdos, "f NULL", DX_EINVAL, cm, 1, &ci, NULL);
	RC(dx_cia402_encode_tpdos, "node 0", DX_EINVAL, cm, 0, &ci, f2);
	cinan = ci;
	cinan.pos = NaN;
	RC(dx_cia402_encode_tpdos, "pos NaN", DX_ENOTFINITE, cm, 1, &cinan, f2);
	cinan = ci;
	cinan.tau = Inf;
	RC(dx_cia402_encode_tpdos, "tau +Inf", DX_ENOTFINITE, cm, 1, &cinan, f2);
	UNTOUCHED(marked(f2, sizeof(f2)));
	mark(f2, sizeof(f2));
	g = frame(0x201, 7);
	RC(dx_cia402_decode_rpdo, "m NULL", DX_EINVAL, NULL, 1, &g, &co);
	RC(dx_cia402_decode_rpdo, "f NULL", DX_EINVAL, cm, 1, NULL, &co);
	RC(dx_cia402_decode_rpdo, "o NULL", DX_EINVAL, cm, 1, &g, NULL);
	g.len = 2;
	RC(dx_cia402_decode_rpdo, "RPDO1 of 2 bytes", DX_EMSGSIZE, cm, 1, &g, &co);

	RC(dx_drive_desc_parse, "text NULL", DX_EINVAL, NULL, &desc);
	RC(dx_drive_desc_parse, "d NULL", DX_EINVAL, "mit:ak80-64:id=1", NULL);
	RC(dx_drive_desc_parse, "\"mit\" (no model)", DX_EINVAL, "mit", &desc);
	RC(dx_drive_desc_parse, "id=0", DX_EINVAL, "mit:ak80-64:id=0", &desc);
	RC(dx_drive_desc_parse, "id=256", DX_EINVAL, "mit:ak80-64:id=256", &desc);
	RC(dx_drive_desc_parse, "odrive id=64", DX_EINVAL, "odrive:default:id=64",
	   &desc);
	RC(dx_drive_desc_parse, "unknown model", DX_ENOENT, "mit:nothing:id=1",
	   &desc);
	RC(dx_drive_desc_parse, "unknown protocol", DX_EINVAL, "foo:ak80-64:id=1",
	   &desc);
	desc = (struct dx_drive_desc){DX_DRIVE_MIT, ak, 1, 0};
	RC(dx_drive_desc_format, "d NULL", DX_EINVAL, NULL, buf, sizeof(buf));
	RC(dx_drive_desc_format, "buf NULL", DX_EINVAL, &desc, NULL, 10);
	RC(dx_drive_desc_format, "size 4 (too small)", DX_ENOSPC, &desc, buf, 4);
	desc.proto = (enum dx_drive_proto)9;
	RC(dx_drive_desc_format, "protocol 9", DX_EINVAL, &desc, buf, sizeof(buf));
	desc.proto = DX_DRIVE_MIT;
	desc.model = NULL;
	RC(dx_drive_desc_format, "model NULL", DX_EINVAL, &desc, buf, sizeof(buf));
	module_end();
}
END_TEST

/* ---- the exchange ------------------------------------------------------------ */

START_TEST(test_exchange)
{
	const struct dx_mit_model *ak = dx_mit_model_find("ak80-64");
	struct dx_drive_desc devs[2] = {{DX_DRIVE_MIT, ak, 1, 0},
					{DX_DRIVE_MIT, ak, 2, 0}};
	struct dx_drive_bus_config cfg = {.devs = devs, .n_devs = 2};
	struct dx_drive_bus *b = calloc(1, sizeof(*b));
	struct dx_drive_cmd cmd = {0}, bad;
	struct dx_exchange_result res;
	struct dx_can_frame f, extra[DX_DRIVE_TX_EXTRA + 1];
	struct dx_drive_desc dup[2] = {{DX_DRIVE_MIT, ak, 1, 0},
				       {DX_DRIVE_MIT, ak, 1, 0}};
	struct dx_drive_desc badd = {(enum dx_drive_proto)9, ak, 1, 0};

	module_begin("exchange");
	memset(extra, 0, sizeof(extra));
	for (unsigned i = 0; i < DX_DRIVE_TX_EXTRA + 1; i++)
		extra[i] = frame(0x700, 0);
	RC(dx_drive_bus_init, "b NULL", DX_EINVAL, NULL, &cfg);
	RC(dx_drive_bus_init, "cfg NULL", DX_EINVAL, b, NULL);
	cfg.devs = NULL;
	RC(dx_drive_bus_init, "devs NULL, n_devs 2", DX_EINVAL, b, &cfg);
	cfg.devs = devs;
	cfg.n_devs = DX_DRIVE_BUS_MAX + 1;
	RC(dx_drive_bus_init, "n_devs DX_DRIVE_BUS_MAX + 1", DX_ENOSPC, b, &cfg);
	cfg.n_devs = 2;
	cfg.devs = dup;
	RC(dx_drive_bus_init, "two drives with id 1", DX_EEXIST, b, &cfg);
	cfg.devs = &badd;
	cfg.n_devs = 1;
	RC(dx_drive_bus_init, "protocol 9", DX_EINVAL, b, &cfg);
	badd = (struct dx_drive_desc){DX_DRIVE_MIT, NULL, 1, 0};
	RC(dx_drive_bus_init, "model NULL", DX_EINVAL, b, &cfg);
	cfg.devs = devs;
	cfg.n_devs = 2;
	ck_assert_int_eq(dx_drive_bus_init(b, &cfg), 0);

	RC(dx_drive_bus_set_cmd, "b NULL", DX_EINVAL, NULL, 0, &cmd);
	RC(dx_drive_bus_set_cmd, "c NULL", DX_EINVAL, b, 0, NULL);
	RC(dx_drive_bus_set_cmd, "i 2 of 2", DX_EINVAL, b, 2, &cmd);
	cmd.pos = 0.5;
	ck_assert_int_eq(dx_drive_bus_set_cmd(b, 0, &cmd), 0);
	bad = cmd;
	bad.pos = NaN;
	RC(dx_drive_bus_set_cmd, "pos NaN", DX_ENOTFINITE, b, 0, &bad);
	bad = cmd;
	bad.tau = -Inf;
	RC(dx_drive_bus_set_cmd, "tau -Inf", DX_ENOTFINITE, b, 0, &bad);
	bad = cmd;
	bad.kp = Inf;
	RC(dx_drive_bus_set_cmd, "kp +Inf", DX_ENOTFINITE, b, 0, &bad);
	UNTOUCHED(b->dev[0].cmd.pos == 0.5 && b->dev[0].cmd.tau == 0.0);
	RC(dx_drive_bus_set_active, "b NULL", DX_EINVAL, NULL, 0, true);
	RC(dx_drive_bus_set_active, "i 2 of 2", DX_EINVAL, b, 2, true);
	RC(dx_drive_bus_exchange, "b NULL", DX_EINVAL, NULL, 0, 1, &res);
	RC(dx_drive_bus_exchange, "no transport (wrong state)", DX_EINVAL, b, 0, 1,
	   &res);
	RC(dx_drive_bus_send, "b NULL", DX_EINVAL, NULL, 0, NULL, 0);
	RC(dx_drive_bus_send, "no transport (wrong state)", DX_EINVAL, b, 0, NULL,
	   0);
	RC(dx_drive_bus_collect, "b NULL", DX_EINVAL, NULL, 0, &res);
	RC(dx_drive_bus_collect, "no transport (wrong state)", DX_EINVAL, b, 0,
	   &res);
	RC(dx_drive_bus_prepare, "b NULL", DX_EINVAL, NULL, 0, NULL, 0);
	RC(dx_drive_bus_prepare, "extra NULL, n_extra 1", DX_EINVAL, b, 0, NULL, 1);
	RC(dx_drive_bus_prepare, "n_extra DX_DRIVE_TX_EXTRA + 1", DX_EINVAL, b, 0,
	   extra, DX_DRIVE_TX_EXTRA + 1);
	RC(dx_drive_bus_deliver, "b NULL", DX_EINVAL, NULL, 0, NULL, 0, &res);
	RC(dx_drive_bus_deliver, "frames NULL, n 1", DX_EINVAL, b, 0, NULL, 1, &res);
	VOIDC(dx_drive_bus_route, "b NULL", NULL, &f, true);
	VOIDC(dx_drive_bus_route, "f NULL", b, NULL, true);
	VAL(dx_drive_bus_lookup, "b NULL", -1, NULL, &f);
	VAL(dx_drive_bus_lookup, "f NULL", -1, b, NULL);
	RC(dx_drive_bus_special, "b NULL", DX_EINVAL, NULL, 0, DX_MIT_ENABLE, &f);
	RC(dx_drive_bus_special, "i 2 of 2", DX_EINVAL, b, 2, DX_MIT_ENABLE, &f);
	RC(dx_drive_bus_special, "f NULL", DX_EINVAL, b, 0, DX_MIT_ENABLE, NULL);
	RC(dx_drive_bus_special, "special 99", DX_EINVAL, b, 0,
	   (enum dx_mit_special)99, &f);
	UNTOUCHED(b->stats.cycles == 0);
	free(b);
	module_end();
}
END_TEST

/* ---- ctl ----------------------------------------------------------------------- */

START_TEST(test_ctl)
{
	struct dx_pid_config pc, bad;
	struct dx_pid pid, snap;
	struct dx_pid_in in = {.ref = 1, .meas = 0}, inb;
	struct dx_pid_bank *bank = calloc(1, sizeof(*bank));
	struct dx_pid_config bcfg[2];
	double out = 42, ref[2] = {1, 1}, meas[2] = {0, 0}, outs[2] = {42, 42};
	struct dx_traj_config tc = {.vmax = 1, .amax = 1, .jmax = 1,
				    .pos_min = -1, .pos_max = 1};
	struct dx_traj tr, trs;
	struct dx_traj_state st = {0}, sb;
	double ratio[3] = {2, 2, 2}, q[2] = {0.1, 0.2}, th[2] = {42, 42};
	int dir[3] = {1, 1, 1};
	struct dx_trans_config xc = {.n_joints = 2, .n_actuators = 2,
				     .gear_ratio = ratio};
	struct dx_trans *xt = calloc(1, sizeof(*xt));

	module_begin("ctl");
	dx_pid_config_default(&pc);
	pc.kp = 1;
	pc.ki = 1;
	VOIDC(dx_pid_config_default, "cfg NULL", NULL);
	RC(dx_pid_init, "pid NULL", DX_EINVAL, NULL, &pc);
	RC(dx_pid_init, "cfg NULL", DX_EINVAL, &pid, NULL);
	bad = pc;
	bad.kp = NaN;
	RC(dx_pid_init, "kp NaN", DX_ENOTFINITE, &pid, &bad);
	bad = pc;
	bad.ki = Inf;
	RC(dx_pid_init, "ki +Inf", DX_ENOTFINITE, &pid, &bad);
	bad = pc;
	bad.kd = -1;
	RC(dx_pid_init, "kd -1", DX_EINVAL, &pid, &bad);
	bad = pc;
	bad.out_min = 1;
	bad.out_max = -1;
	RC(dx_pid_init, "out_min > out_max", DX_EINVAL, &pid, &bad);
	bad = pc;
	bad.i_max = NaN;
	RC(dx_pid_init, "i_max NaN", DX_ENOTFINITE, &pid, &bad);
	bad = pc;
	bad.antiwindup = (enum dx_pid_antiwindup)7;
	RC(dx_pid_init, "antiwindup 7", DX_EINVAL, &pid, &bad);
	bad = pc;
	bad.deriv = (enum dx_pid_deriv)7;
	RC(dx_pid_init, "deriv 7", DX_EINVAL, &pid, &bad);
	bad = pc;
	bad.deadband = -0.1;
	RC(dx_pid_init, "deadband -0.1", DX_EINVAL, &pid, &bad);
	ck_assert_int_eq(dx_pid_init(&pid, &pc), 0);
	ck_assert_int_eq(dx_pid_step(&pid, 0.001, &in, &out), 0);
	snap = pid;
	out = 42;
	VOIDC(dx_pid_reset, "pid NULL", NULL);
	RC(dx_pid_step, "pid NULL", DX_EINVAL, NULL, 0.001, &in, &out);
	RC(dx_pid_step, "in NULL", DX_EINVAL, &pid, 0.001, NULL, &out);
	RC(dx_pid_step, "out NULL", DX_EINVAL, &pid, 0.001, &in, NULL);
	RC(dx_pid_step, "dt 0", DX_EINVAL, &pid, 0.0, &in, &out);
	RC(dx_pid_step, "dt -0.001", DX_EINVAL, &pid, -0.001, &in, &out);
	RC(dx_pid_step, "dt NaN", DX_ENOTFINITE, &pid, NaN, &in, &out);
	RC(dx_pid_step, "dt +Inf", DX_ENOTFINITE, &pid, Inf, &in, &out);
	inb = in;
	inb.ref = NaN;
	RC(dx_pid_step, "ref NaN", DX_ENOTFINITE, &pid, 0.001, &inb, &out);
	inb = in;
	inb.meas = -Inf;
	RC(dx_pid_step, "meas -Inf", DX_ENOTFINITE, &pid, 0.001, &inb, &out);
	inb = in;
	inb.vel_ff = Inf;
	RC(dx_pid_step, "vel_ff +Inf", DX_ENOTFINITE, &pid, 0.001, &inb, &out);
	inb = in;
	inb.tau_ff = NaN;
	RC(dx_pid_step, "tau_ff NaN", DX_ENOTFINITE, &pid, 0.001, &inb, &out);
	inb = in;
	inb.ref = 1e308;
	inb.meas = -1e308;
	RC(dx_pid_step, "ref 1e308, meas -1e308 (result overflows)", DX_ERANGE,
	   &pid, 0.001, &inb, &out);
	UNTOUCHED(out == 42 && memcmp(&pid, &snap, sizeof(pid)) == 0);
	RC(dx_pid_set_gains, "pid NULL", DX_EINVAL, NULL, &pc);
	RC(dx_pid_set_gains, "cfg NULL", DX_EINVAL, &pid, NULL);
	bad = pc;
	bad.kp = Inf;
	RC(dx_pid_set_gains, "kp +Inf", DX_ENOTFINITE, &pid, &bad);
	UNTOUCHED(memcmp(&pid, &snap, sizeof(pid)) == 0);
	VOIDC(dx_pid_disable, "pid NULL", NULL);
	dx_pid_disable(&pid);
	RC(dx_pid_step, "disabled (wrong state)", DX_ESTATE, &pid, 0.001, &in, &out);
	UNTOUCHED(out == 42);
	RC(dx_pid_enable, "pid NULL", DX_EINVAL, NULL, 0, &in);
	RC(dx_pid_enable, "in NULL", DX_EINVAL, &pid, 0, NULL);
	RC(dx_pid_enable, "u_now NaN", DX_ENOTFINITE, &pid, NaN, &in);
	inb = in;
	inb.meas = Inf;
	RC(dx_pid_enable, "meas +Inf", DX_ENOTFINITE, &pid, 0, &inb);
	BOOLC(dx_pid_is_enabled, "pid NULL", false, NULL);
	DBL(dx_pid_integral, "pid NULL", 0.0, NULL);

	bcfg[0] = bcfg[1] = pc;
	RC(dx_pid_bank_init, "bank NULL", DX_EINVAL, NULL, bcfg, 2);
	RC(dx_pid_bank_init, "cfg NULL", DX_EINVAL, bank, NULL, 2);
	RC(dx_pid_bank_init, "n 0", DX_EINVAL, bank, bcfg, 0);
	RC(dx_pid_bank_init, "n DX_PID_BANK_MAX + 1", DX_EINVAL, bank, bcfg,
	   DX_PID_BANK_MAX + 1);
	bcfg[1].kp = NaN;
	RC(dx_pid_bank_init, "second config kp NaN", DX_ENOTFINITE, bank, bcfg, 2);
	bcfg[1].kp = 1;
	ck_assert_int_eq(dx_pid_bank_init(bank, bcfg, 2), 0);
	VOIDC(dx_pid_bank_reset, "bank NULL", NULL);
	RC(dx_pid_bank_step, "bank NULL", DX_EINVAL, NULL, 0.001, ref, meas, NULL,
	   NULL, outs);
	RC(dx_pid_bank_step, "ref NULL", DX_EINVAL, bank, 0.001, NULL, meas, NULL,
	   NULL, outs);
	RC(dx_pid_bank_step, "meas NULL", DX_EINVAL, bank, 0.001, ref, NULL, NULL,
	   NULL, outs);
	RC(dx_pid_bank_step, "out NULL", DX_EINVAL, bank, 0.001, ref, meas, NULL,
	   NULL, NULL);
	RC(dx_pid_bank_step, "dt 0", DX_EINVAL, bank, 0.0, ref, meas, NULL, NULL,
	   outs);
	RC(dx_pid_bank_step, "dt NaN", DX_ENOTFINITE, bank, NaN, ref, meas, NULL,
	   NULL, outs);
	meas[1] = NaN;
	RC(dx_pid_bank_step, "meas[1] NaN", DX_ENOTFINITE, bank, 0.001, ref, meas,
	   NULL, NULL, outs);
	meas[1] = 0;
	ref[0] = Inf;
	RC(dx_pid_bank_step, "ref[0] +Inf", DX_ENOTFINITE, bank, 0.001, ref, meas,
	   NULL, NULL, outs);
	ref[0] = 1;
	UNTOUCHED(outs[0] == 42 && outs[1] == 42);

	RC(dx_traj_init, "tr NULL", DX_EINVAL, NULL, &tc, 0);
	RC(dx_traj_init, "cfg NULL", DX_EINVAL, &tr, NULL, 0);
	RC(dx_traj_init, "start NaN", DX_ENOTFINITE, &tr, &tc, NaN);
	RC(dx_traj_init, "start 2 outside [-1, 1]", DX_EINVAL, &tr, &tc, 2);
	tc.vmax = 0;
	RC(dx_traj_init, "vmax 0", DX_EINVAL, &tr, &tc, 0);
	tc.vmax = Inf;
	RC(dx_traj_init, "vmax +Inf", DX_ENOTFINITE, &tr, &tc, 0);
	tc.vmax = 1;
	tc.jmax = NaN;
	RC(dx_traj_init, "jmax NaN", DX_ENOTFINITE, &tr, &tc, 0);
	tc.jmax = 1;
	tc.pos_min = 2;
	RC(dx_traj_init, "pos_min > pos_max", DX_EINVAL, &tr, &tc, 0);
	tc.pos_min = -1;
	ck_assert_int_eq(dx_traj_init(&tr, &tc, 0), 0);
	trs = tr;
	RC(dx_traj_set_target, "tr NULL", DX_EINVAL, NULL, 0, 0.5);
	RC(dx_traj_set_target, "target NaN", DX_ENOTFINITE, &tr, 0, NaN);
	RC(dx_traj_set_target, "target +Inf", DX_ENOTFINITE, &tr, 0, Inf);
	RC(dx_traj_set_target, "target 2 outside [-1, 1]", DX_ERANGE, &tr, 0, 2);
	RC(dx_traj_plan, "tr NULL", DX_EINVAL, NULL, 0, &st, 0.5);
	RC(dx_traj_plan, "from NULL", DX_EINVAL, &tr, 0, NULL, 0.5);
	sb = st;
	sb.vel = NaN;
	RC(dx_traj_plan, "from.vel NaN", DX_ENOTFINITE, &tr, 0, &sb, 0.5);
	sb = st;
	sb.acc = -Inf;
	RC(dx_traj_plan, "from.acc -Inf", DX_ENOTFINITE, &tr, 0, &sb, 0.5);
	RC(dx_traj_plan, "target -2 outside [-1, 1]", DX_ERANGE, &tr, 0, &st, -2);
	UNTOUCHED(memcmp(&tr, &trs, sizeof(tr)) == 0);
	VOIDC(dx_traj_sample, "tr NULL", NULL, 0, &st);
	VOIDC(dx_traj_sample, "out NULL", &tr, 0, NULL);
	DBL(dx_traj_duration, "tr NULL", 0.0, NULL);
	BOOLC(dx_traj_done, "tr NULL", true, NULL, 0);

	RC(dx_trans_init, "tr NULL", DX_EINVAL, NULL, &xc);
	RC(dx_trans_init, "cfg NULL", DX_EINVAL, xt, NULL);
	xc.gear_ratio = NULL;
	RC(dx_trans_init, "gear_ratio NULL", DX_EINVAL, xt, &xc);
	xc.gear_ratio = ratio;
	xc.n_joints = 0;
	RC(dx_trans_init, "n_joints 0", DX_EINVAL, xt, &xc);
	xc.n_joints = DX_TRANS_MAX + 1;
	RC(dx_trans_init, "n_joints DX_TRANS_MAX + 1", DX_EINVAL, xt, &xc);
	xc.n_joints = 2;
	ratio[1] = 0;
	RC(dx_trans_init, "gear ratio 0", DX_EINVAL, xt, &xc);
	ratio[1] = NaN;
	RC(dx_trans_init, "gear ratio NaN", DX_ENOTFINITE, xt, &xc);
	ratio[1] = 2;
	dir[1] = 0;
	xc.direction = dir;
	RC(dx_trans_init, "direction 0", DX_EINVAL, xt, &xc);
	dir[1] = 1;
	xc.n_actuators = 3;
	RC(dx_trans_init, "identity coupling with M != N", DX_ECONFIG, xt, &xc);
	xc.n_actuators = 2;
	{
		double sing[4] = {1, 1, 1, 1};
		xc.coupling = sing;
		xc.coupling_rows = xc.coupling_cols = 2;
		RC(dx_trans_init, "singular coupling", DX_ESINGULAR, xt, &xc);
		xc.coupling_rows = 1;
		RC(dx_trans_init, "coupling_rows 1 for M 2", DX_ECONFIG, xt, &xc);
		xc.coupling = NULL;
		xc.coupling_rows = xc.coupling_cols = 0;
	}
	ck_assert_int_eq(dx_trans_init(xt, &xc), 0);
	RC(dx_trans_joint_to_act_pos, "tr NULL", DX_EINVAL, NULL, q, th);
	RC(dx_trans_joint_to_act_pos, "q NULL", DX_EINVAL, xt, NULL, th);
	RC(dx_trans_joint_to_act_pos, "theta NULL", DX_EINVAL, xt, q, NULL);
	q[1] = NaN;
	RC(dx_trans_joint_to_act_pos, "q[1] NaN", DX_ENOTFINITE, xt, q, th);
	q[1] = 1e308;
	RC(dx_trans_joint_to_act_pos, "q[1] 1e308 (result overflows)", DX_ERANGE,
	   xt, q, th);
	q[1] = Inf;
	RC(dx_trans_act_to_joint_pos, "theta[1] +Inf", DX_ENOTFINITE, xt, q, th);
	RC(dx_trans_act_to_joint_pos, "tr NULL", DX_EINVAL, NULL, q, th);
	RC(dx_trans_joint_to_act_vel, "qd[1] +Inf", DX_ENOTFINITE, xt, q, th);
	RC(dx_trans_joint_to_act_vel, "thetad NULL", DX_EINVAL, xt, q, NULL);
	RC(dx_trans_act_to_joint_vel, "thetad[1] +Inf", DX_ENOTFINITE, xt, q, th);
	RC(dx_trans_act_to_joint_vel, "qd NULL", DX_EINVAL, xt, q, NULL);
	RC(dx_trans_joint_to_act_torque, "tau_j[1] +Inf", DX_ENOTFINITE, xt, q, th);
	RC(dx_trans_joint_to_act_torque, "tau_j NULL", DX_EINVAL, xt, NULL, th);
	RC(dx_trans_act_to_joint_torque, "tau_a[1] +Inf", DX_ENOTFINITE, xt, q, th);
	RC(dx_trans_act_to_joint_torque, "tau_j NULL", DX_EINVAL, xt, q, NULL);
	UNTOUCHED(th[0] == 42 && th[1] == 42);
	free(xt);
	free(bank);
	module_end();
}
END_TEST

/* ---- rt ------------------------------------------------------------------------ */

static int never_called(const struct dx_rt_tick *t, void *u)
{
	(void)t;
	*(int *)u += 1;
	return 1;
}

START_TEST(test_rt)
{
	struct dx_rt_loop *loop = calloc(1, sizeof(*loop));
	struct dx_rt_loop_config lc = {.period_ns = DX_NS_PER_MS};
	int calls = 0, prio;

	module_begin("rt");
	RC(dx_rt_loop_init, "loop NULL", DX_EINVAL, NULL, &lc);
	RC(dx_rt_loop_init, "cfg NULL", DX_EINVAL, loop, NULL);
	lc.period_ns = 0;
	RC(dx_rt_loop_init, "period_ns 0", DX_EINVAL, loop, &lc);
	lc.period_ns = -1;
	RC(dx_rt_loop_init, "period_ns -1", DX_EINVAL, loop, &lc);
	lc.period_ns = DX_NS_PER_MS;
	lc.start_ns = -5;
	RC(dx_rt_loop_init, "start_ns -5", DX_EINVAL, loop, &lc);
	lc.start_ns = 0;
	lc.policy = (enum dx_rt_policy)5;
	RC(dx_rt_loop_init, "policy 5", DX_EINVAL, loop, &lc);
	lc.policy = DX_RT_SKIP;
	RC(dx_rt_loop_wait, "loop NULL", DX_EINVAL, NULL);
	RC(dx_rt_loop_run, "loop NULL", DX_EINVAL, NULL, 1, never_called, &calls);
	ck_assert_int_eq(dx_rt_loop_init(loop, &lc), 0);
	RC(dx_rt_loop_run, "fn NULL", DX_EINVAL, loop, 1, NULL, &calls);
	UNTOUCHED(calls == 0 && loop->cycles == 0);
	RC(dx_rt_set_fifo, "priority 0", DX_EINVAL, 0);
	RC(dx_rt_set_fifo, "priority 100", DX_EINVAL, 100);
	RC(dx_rt_set_fifo, "priority -1", DX_EINVAL, -1);
	BOOLC(dx_rt_is_realtime, "priority NULL (allowed)", false, NULL);
	(void)prio;
	RC(dx_rt_set_affinity, "cpu -1", DX_EINVAL, -1);
	RC(dx_rt_set_affinity, "cpu 1000000", DX_EINVAL, 1000000);
	RC(dx_rt_prefault_stack, "bytes 0", DX_EINVAL, 0);
	RC(dx_rt_prefault_stack, "bytes SIZE_MAX", DX_ERANGE, SIZE_MAX);
	free(loop);
	module_end();
}
END_TEST

/* ---- kin ------------------------------------------------------------------------ */

static const char urdf[] =
	"<robot name=\"arm\">"
	"<link name=\"base\"/><link name=\"l1\"><inertial><mass value=\"0.1\"/>"
	"<inertia ixx=\"1e-4\" iyy=\"1e-4\" izz=\"1e-4\" ixy=\"0\" ixz=\"0\" iyz=\"0\"/>"
	"</inertial></link><link name=\"tip\"/>"
	"<joint name=\"j1\" type=\"revolute\"><parent link=\"base\"/><child link=\"l1\"/>"
	"<origin xyz=\"0 0 0.1\"/><axis xyz=\"0 0 1\"/>"
	"<limit lower=\"-1\" upper=\"1\" effort=\"1\" velocity=\"1\"/></joint>"
	"<joint name=\"j2\" type=\"revolute\"><parent link=\"l1\"/><child link=\"tip\"/>"
	"<origin xyz=\"0.1 0 0\"/><axis xyz=\"0 1 0\"/>"
	"<limit lower=\"-1\" upper=\"1\" effort=\"1\" velocity=\"1\"/></joint>"
	"</robot>";

START_TEST(test_kin)
{
	struct dx_kin_model *m = NULL, *mo = NULL;
	struct dx_kin_error ke;
	struct dx_kin_chain *c = NULL, *co = NULL;
	struct dx_kin_ik *ik = NULL, *iko = NULL;
	struct dx_kin_ik_config ic;
	struct dx_kin_ik_target tg;
	struct dx_kin_pose pose, pose2;
	struct dx_kin_inertial inr;
	struct dx_kin_joint_info ji;
	double q[2] = {0.1, 0.2}, qo[2] = {42, 42}, J[12], lo[2], hi[2];
	double quat[4] = {0, 0, 0, 1}, p3[3] = {0, 0, 0};
	const char *tips[1] = {"tip"}, *notips[1] = {NULL};
	struct dx_kin_pose *poses = calloc(3, sizeof(*poses));
	mat4 m4;
	versor vq;

	module_begin("kin");
	RC(dx_kin_model_load_string, "xml NULL", DX_EINVAL, NULL, 10, &m, &ke);
	RC(dx_kin_model_load_string, "out NULL", DX_EINVAL, urdf, sizeof(urdf) - 1,
	   NULL, &ke);
	RC(dx_kin_model_load_string, "len 0", DX_EPARSE, urdf, 0, &mo, &ke);
	RC(dx_kin_model_load_string, "truncated XML", DX_EPARSE, urdf, 40, &mo,
	   &ke);
	RC(dx_kin_model_load_string, "not URDF", DX_ECONFIG, "<a/>", 4, &mo, NULL);
	UNTOUCHED(mo == NULL);
	RC(dx_kin_model_load_file, "path NULL", DX_EINVAL, NULL, &mo, &ke);
	RC(dx_kin_model_load_file, "out NULL", DX_EINVAL, "/nonexistent", NULL,
	   &ke);
	RC(dx_kin_model_load_file, "missing file", DX_ENOENT, "/nonexistent.urdf",
	   &mo, &ke);
	VOIDC(dx_kin_model_free, "m NULL", NULL);
	ck_assert_int_eq(dx_kin_model_load_string(urdf, sizeof(urdf) - 1, &m, &ke),
			 0);
	PNULL(dx_kin_model_name, "m NULL", NULL);
	VAL(dx_kin_model_nlinks, "m NULL", 0, NULL);
	VAL(dx_kin_model_njoints, "m NULL", 0, NULL);
	VAL(dx_kin_model_nvars, "m NULL", 0, NULL);
	RC(dx_kin_model_root, "m NULL", DX_EINVAL, NULL);
	RC(dx_kin_link_index, "m NULL", DX_ENOENT, NULL, "tip");
	RC(dx_kin_link_index, "name NULL", DX_ENOENT, m, NULL);
	RC(dx_kin_joint_index, "unknown name", DX_ENOENT, m, "nope");
	RC(dx_kin_joint_index, "m NULL", DX_ENOENT, NULL, "j1");
	PNULL(dx_kin_link_name, "m NULL", NULL, 0);
	PNULL(dx_kin_link_name, "i -1", m, -1);
	PNULL(dx_kin_link_name, "i 3 of 3", m, 3);
	VAL(dx_kin_link_parent_joint, "m NULL", -1, NULL, 1);
	VAL(dx_kin_link_parent_joint, "i 3 of 3", -1, m, 3);
	RC(dx_kin_link_inertial, "m NULL", DX_EINVAL, NULL, 1, &inr);
	RC(dx_kin_link_inertial, "i -1", DX_EINVAL, m, -1, &inr);
	RC(dx_kin_link_inertial, "out NULL", DX_EINVAL, m, 1, NULL);
	RC(dx_kin_link_inertial, "link without <inertial>", DX_ENOENT, m, 0, &inr);
	RC(dx_kin_joint_get, "m NULL", DX_EINVAL, NULL, 0, &ji);
	RC(dx_kin_joint_get, "i 2 of 2", DX_EINVAL, m, 2, &ji);
	RC(dx_kin_joint_get, "out NULL", DX_EINVAL, m, 0, NULL);
	RC(dx_kin_var_joint, "m NULL", DX_EINVAL, NULL, 0);
	RC(dx_kin_var_joint, "v 2 of 2", DX_EINVAL, m, 2);
	VOIDC(dx_kin_model_limits, "m NULL", NULL, lo, hi);
	VOIDC(dx_kin_model_limits, "lower NULL, upper NULL (allowed)", m, NULL,
	      NULL);
	BOOLC(dx_kin_within_limits, "m NULL", false, NULL, q, 0);
	BOOLC(dx_kin_within_limits, "q NULL", false, m, NULL, 0);
	BOOLC(dx_kin_within_limits, "tol NaN", false, m, q, NaN);
	qo[0] = NaN;
	BOOLC(dx_kin_within_limits, "q[0] NaN", false, m, qo, 0);
	qo[0] = 42;
	RC(dx_kin_fk_all, "m NULL", DX_EINVAL, NULL, q, poses);
	RC(dx_kin_fk_all, "q NULL", DX_EINVAL, m, NULL, poses);
	RC(dx_kin_fk_all, "out NULL", DX_EINVAL, m, q, NULL);
	mark(poses, 3 * sizeof(*poses));
	q[1] = NaN;
	RC(dx_kin_fk_all, "q[1] NaN", DX_ENOTFINITE, m, q, poses);
	q[1] = -Inf;
	RC(dx_kin_fk_all, "q[1] -Inf", DX_ENOTFINITE, m, q, poses);
	UNTOUCHED(marked(poses, 3 * sizeof(*poses)));
	q[1] = 0.2;

	RC(dx_kin_chain_create, "m NULL", DX_EINVAL, NULL, NULL, "tip", &co);
	RC(dx_kin_chain_create, "tip NULL", DX_EINVAL, m, NULL, NULL, &co);
	RC(dx_kin_chain_create, "out NULL", DX_EINVAL, m, NULL, "tip", NULL);
	RC(dx_kin_chain_create, "unknown tip", DX_ENOENT, m, NULL, "nope", &co);
	RC(dx_kin_chain_create, "tip above base", DX_EINVAL, m, "tip", "base", &co);
	UNTOUCHED(co == NULL);
	VOIDC(dx_kin_chain_free, "c NULL", NULL);
	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "tip", &c), 0);
	VAL(dx_kin_chain_nvars, "c NULL", 0, NULL);
	VAL(dx_kin_chain_var, "c NULL", -1, NULL, 0);
	VAL(dx_kin_chain_var, "i 2 of 2", -1, c, 2);
	VAL(dx_kin_chain_njoints, "c NULL", 0, NULL);
	VAL(dx_kin_chain_joint, "c NULL", -1, NULL, 0);
	VAL(dx_kin_chain_joint, "i 2 of 2", -1, c, 2);
	VOIDC(dx_kin_chain_limits, "c NULL", NULL, lo, hi);
	VOIDC(dx_kin_chain_gather, "c NULL", NULL, q, qo);
	VOIDC(dx_kin_chain_gather, "q_model NULL", c, NULL, qo);
	VOIDC(dx_kin_chain_gather, "q_chain NULL", c, q, NULL);
	VOIDC(dx_kin_chain_scatter, "c NULL", NULL, q, qo);
	VOIDC(dx_kin_chain_scatter, "q_chain NULL", c, NULL, qo);
	VOIDC(dx_kin_chain_scatter, "q_model NULL", c, q, NULL);
	UNTOUCHED(qo[0] == 42 && qo[1] == 42);
	mark(&pose, sizeof(pose));
	mark(J, sizeof(J));
	RC(dx_kin_chain_fk, "c NULL", DX_EINVAL, NULL, q, &pose);
	RC(dx_kin_chain_fk, "q NULL", DX_EINVAL, c, NULL, &pose);
	RC(dx_kin_chain_fk, "out NULL", DX_EINVAL, c, q, NULL);
	q[0] = NaN;
	RC(dx_kin_chain_fk, "q[0] NaN", DX_ENOTFINITE, c, q, &pose);
	RC(dx_kin_chain_jacobian, "q[0] NaN", DX_ENOTFINITE, c, q, J, &pose);
	q[0] = 0.1;
	RC(dx_kin_chain_jacobian, "c NULL", DX_EINVAL, NULL, q, J, NULL);
	RC(dx_kin_chain_jacobian, "q NULL", DX_EINVAL, c, NULL, J, NULL);
	RC(dx_kin_chain_jacobian, "J NULL", DX_EINVAL, c, q, NULL, &pose);
	UNTOUCHED(marked(&pose, sizeof(pose)) && marked(J, sizeof(J)));

	dx_kin_ik_config_default(&ic);
	VOIDC(dx_kin_ik_config_default, "cfg NULL", NULL);
	RC(dx_kin_ik_create, "out NULL", DX_EINVAL, m, NULL, tips, 1, &ic, NULL);
	RC(dx_kin_ik_create, "m NULL", DX_EINVAL, NULL, NULL, tips, 1, &ic, &iko);
	RC(dx_kin_ik_create, "tips NULL", DX_EINVAL, m, NULL, NULL, 1, &ic, &iko);
	RC(dx_kin_ik_create, "tips[0] NULL", DX_EINVAL, m, NULL, notips, 1, &ic,
	   &iko);
	RC(dx_kin_ik_create, "ntips 0", DX_EINVAL, m, NULL, tips, 0, &ic, &iko);
	RC(dx_kin_ik_create, "ntips 65", DX_EINVAL, m, NULL, tips, 65, &ic, &iko);
	RC(dx_kin_ik_create, "unknown tip", DX_ENOENT, m, NULL,
	   ((const char *const[]){"nope"}), 1, &ic, &iko);
	ic.tol_pos = NaN;
	RC(dx_kin_ik_create, "tol_pos NaN", DX_EINVAL, m, NULL, tips, 1, &ic, &iko);
	dx_kin_ik_config_default(&ic);
	ic.max_iters = 0;
	RC(dx_kin_ik_create, "max_iters 0", DX_EINVAL, m, NULL, tips, 1, &ic, &iko);
	dx_kin_ik_config_default(&ic);
	ic.damping = -1;
	RC(dx_kin_ik_create, "damping -1", DX_EINVAL, m, NULL, tips, 1, &ic, &iko);
	dx_kin_ik_config_default(&ic);
	UNTOUCHED(iko == NULL);
	VOIDC(dx_kin_ik_free, "ik NULL", NULL);
	ck_assert_int_eq(dx_kin_ik_create(m, NULL, tips, 1, &ic, &ik), 0);
	memset(&tg, 0, sizeof(tg));
	tg.p[0] = 0.1;
	tg.p[2] = 0.1;
	qo[0] = qo[1] = 42;
	RC(dx_kin_ik_solve, "ik NULL", DX_EINVAL, NULL, &tg, q, qo, DX_KIN_IK_WARM,
	   NULL);
	RC(dx_kin_ik_solve, "targets NULL", DX_EINVAL, ik, NULL, q, qo,
	   DX_KIN_IK_WARM, NULL);
	RC(dx_kin_ik_solve, "q_seed NULL", DX_EINVAL, ik, &tg, NULL, qo,
	   DX_KIN_IK_WARM, NULL);
	RC(dx_kin_ik_solve, "q_out NULL", DX_EINVAL, ik, &tg, q, NULL,
	   DX_KIN_IK_WARM, NULL);
	RC(dx_kin_ik_solve, "mode 7", DX_EINVAL, ik, &tg, q, qo,
	   (enum dx_kin_ik_mode)7, NULL);
	tg.p[1] = NaN;
	RC(dx_kin_ik_solve, "target p NaN", DX_ENOTFINITE, ik, &tg, q, qo,
	   DX_KIN_IK_WARM, NULL);
	tg.p[1] = 0;
	q[1] = Inf;
	RC(dx_kin_ik_solve, "seed +Inf", DX_ENOTFINITE, ik, &tg, q, qo,
	   DX_KIN_IK_WARM, NULL);
	q[1] = 0.2;
	tg.w_pos = -1;
	RC(dx_kin_ik_solve, "w_pos -1", DX_EINVAL, ik, &tg, q, qo, DX_KIN_IK_WARM,
	   NULL);
	tg.w_pos = 0;
	tg.orientation = true;
	tg.quat[3] = 0;
	RC(dx_kin_ik_solve, "zero quaternion", DX_EINVAL, ik, &tg, q, qo,
	   DX_KIN_IK_WARM, NULL);
	tg.quat[3] = NaN;
	RC(dx_kin_ik_solve, "quaternion NaN", DX_ENOTFINITE, ik, &tg, q, qo,
	   DX_KIN_IK_WARM, NULL);
	tg.orientation = false;
	tg.p[0] = 10;
	qo[0] = qo[1] = 42;
	RC(dx_kin_ik_solve, "target 10 m away (beyond reach)", DX_EUNREACHABLE, ik,
	   &tg, q, qo, DX_KIN_IK_WARM, NULL);
	UNTOUCHED(qo[0] == 42 && qo[1] == 42);
	PNULL(dx_kin_ik_chain, "ik NULL", NULL, 0);
	PNULL(dx_kin_ik_chain, "i 1 of 1", ik, 1);

	VOIDC(dx_kin_pose_quat, "pose NULL", NULL, quat);
	VOIDC(dx_kin_pose_quat, "quat NULL", &pose, NULL);
	RC(dx_kin_pose_from_quat, "p NULL", DX_EINVAL, NULL, quat, &pose2);
	RC(dx_kin_pose_from_quat, "quat NULL", DX_EINVAL, p3, NULL, &pose2);
	RC(dx_kin_pose_from_quat, "pose NULL", DX_EINVAL, p3, quat, NULL);
	quat[3] = 0;
	RC(dx_kin_pose_from_quat, "zero quaternion", DX_EINVAL, p3, quat, &pose2);
	quat[3] = NaN;
	RC(dx_kin_pose_from_quat, "quaternion NaN", DX_ENOTFINITE, p3, quat, &pose2);
	quat[3] = 1;
	p3[2] = Inf;
	RC(dx_kin_pose_from_quat, "p +Inf", DX_ENOTFINITE, p3, quat, &pose2);
	DBL(dx_kin_rot_dist, "a NULL", NaN, NULL, &pose);
	DBL(dx_kin_rot_dist, "b NULL", NaN, &pose, NULL);
	DBL(dx_kin_pos_dist, "a NULL", NaN, NULL, &pose);
	DBL(dx_kin_pos_dist, "b NULL", NaN, &pose, NULL);
	VOIDC(dx_kin_pose_to_mat4, "pose NULL", NULL, m4);
	VOIDC(dx_kin_pose_to_mat4, "out NULL", &pose, NULL);
	VOIDC(dx_kin_pose_to_versor, "pose NULL", NULL, vq);
	VOIDC(dx_kin_pose_to_versor, "out NULL", &pose, NULL);

	/* KDL: the same arguments; without the backend every call is
	 * DX_ENOSYS, which the rows then show */
	{
		struct dx_kdl *k = NULL;
		struct dx_kdl_config kc;
		int nosys = dx_kdl_available() ? 0 : DX_ENOSYS;
#define KDL_RC(fn, input, want, ...) RC(fn, input, nosys ? nosys : (want), __VA_ARGS__)
		dx_kdl_config_default(&kc);
		VOIDC(dx_kdl_config_default, "cfg NULL", NULL);
		KDL_RC(dx_kdl_create, "m NULL", DX_EINVAL, NULL, NULL, "tip", &kc, &k);
		KDL_RC(dx_kdl_create, "tip NULL", DX_EINVAL, m, NULL, NULL, &kc, &k);
		KDL_RC(dx_kdl_create, "out NULL", DX_EINVAL, m, NULL, "tip", &kc, NULL);
		KDL_RC(dx_kdl_create, "unknown tip", DX_ENOENT, m, NULL, "nope", &kc,
		       &k);
		kc.solver = (enum dx_kdl_solver)9;
		KDL_RC(dx_kdl_create, "solver 9", DX_EINVAL, m, NULL, "tip", &kc, &k);
		dx_kdl_config_default(&kc);
		kc.eps = NaN;
		KDL_RC(dx_kdl_create, "eps NaN", DX_EINVAL, m, NULL, "tip", &kc, &k);
		dx_kdl_config_default(&kc);
		kc.weights[0] = Inf;
		KDL_RC(dx_kdl_create, "weight +Inf", DX_EINVAL, m, NULL, "tip", &kc, &k);
		dx_kdl_config_default(&kc);
		UNTOUCHED(k == NULL);
		VOIDC(dx_kdl_free, "k NULL", NULL);
		VAL(dx_kdl_nvars, "k NULL", 0, NULL);
		KDL_RC(dx_kdl_fk, "k NULL", DX_EINVAL, NULL, q, &pose);
		KDL_RC(dx_kdl_jacobian, "k NULL", DX_EINVAL, NULL, q, J);
		KDL_RC(dx_kdl_ik, "k NULL", DX_EINVAL, NULL, &pose, q, qo);
		if (!nosys) {
			ck_assert_int_eq(dx_kdl_create(m, NULL, "tip", &kc, &k), 0);
			KDL_RC(dx_kdl_fk, "q NULL", DX_EINVAL, k, NULL, &pose);
			KDL_RC(dx_kdl_fk, "out NULL", DX_EINVAL, k, q, NULL);
			q[0] = NaN;
			KDL_RC(dx_kdl_fk, "q[0] NaN", DX_ENOTFINITE, k, q, &pose);
			KDL_RC(dx_kdl_jacobian, "q[0] NaN", DX_ENOTFINITE, k, q, J);
			KDL_RC(dx_kdl_ik, "seed NaN", DX_ENOTFINITE, k, &pose2, q, qo);
			q[0] = 0.1;
			KDL_RC(dx_kdl_jacobian, "q NULL", DX_EINVAL, k, NULL, J);
			KDL_RC(dx_kdl_jacobian, "J NULL", DX_EINVAL, k, q, NULL);
			KDL_RC(dx_kdl_ik, "target NULL", DX_EINVAL, k, NULL, q, qo);
			KDL_RC(dx_kdl_ik, "q_seed NULL", DX_EINVAL, k, &pose2, NULL, qo);
			KDL_RC(dx_kdl_ik, "q_out NULL", DX_EINVAL, k, &pose2, q, NULL);
			pose = pose2;
			pose.p[0] = NaN;
			qo[0] = qo[1] = 42;
			KDL_RC(dx_kdl_ik, "target p NaN", DX_ENOTFINITE, k, &pose, q, qo);
			UNTOUCHED(qo[0] == 42 && qo[1] == 42);
			dx_kdl_free(k);
		}
#undef KDL_RC
	}
	dx_kin_ik_free(ik);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
	free(poses);
	module_end();
}
END_TEST

/* ---- tactile ------------------------------------------------------------------- */

START_TEST(test_tactile)
{
	struct dx_taxel_msg tm = {.board = 1, .count = 1, .axes = 3}, tmo;
	struct dx_can_frame f, g;
	unsigned board, taxel, rate;
	enum dx_taxel_cmd tcmd;
	uint16_t xyz[3] = {1, 2, 3};
	struct dx_tactile_pad_config pc;
	struct dx_tactile_pad *pad = calloc(1, sizeof(*pad));
	struct dx_tactile_pad *pads[1] = {pad};
	struct dx_tactile_result *res = calloc(1, sizeof(*res));
	struct dx_tactile_pose lp = {{0, 0, 0}, {0, 0, 0, 1}};
	struct dx_tactile_fault tf;
	struct dx_tactile_taxel tx[4];
	float n[3] = {0, 0, 1}, t1[3], t2[3];
	int32_t raw[3] = {0, 0, 0};
	struct dx_fusion_config fc;
	struct dx_fusion fu;
	struct dx_fusion_input fin[1];
	struct dx_fusion_contact fout[1];
	double jac[6] = {1, 0, 0, 1, 0, 0}, dtau[2] = {0, 0}, ff[3];

	module_begin("tactile");
	VAL(dx_taxel_frame_capacity, "axes 2", 0, 2, false);
	VAL(dx_taxel_id, "board 0x1ff, type 0x12, first 0x1ff (masked to their "
			 "fields)", dx_taxel_id(0xff, 2, 0xff), 0x1ff, 0x12, 0x1ff);
	mark(&f, sizeof(f));
	RC(dx_taxel_encode, "m NULL", DX_EINVAL, NULL, false, &f);
	RC(dx_taxel_encode, "f NULL", DX_EINVAL, &tm, false, NULL);
	tmo = tm;
	tmo.axes = 2;
	RC(dx_taxel_encode, "axes 2", DX_EINVAL, &tmo, false, &f);
	tmo = tm;
	tmo.count = 0;
	RC(dx_taxel_encode, "count 0", DX_EINVAL, &tmo, false, &f);
	tmo = tm;
	tmo.count = 2;
	RC(dx_taxel_encode, "count 2 of 3 axes in a classic frame", DX_EINVAL, &tmo,
	   false, &f);
	tmo = tm;
	tmo.first = 255;
	tmo.axes = 1;
	tmo.count = 3;
	RC(dx_taxel_encode, "first 255 + count 3 > 256", DX_EINVAL, &tmo, false, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	RC(dx_taxel_decode, "f NULL", DX_EINVAL, NULL, &tmo);
	ck_assert_int_eq(dx_taxel_encode(&tm, false, &g), 0);
	RC(dx_taxel_decode, "m NULL", DX_EINVAL, &g, NULL);
	g.len = 5;
	RC(dx_taxel_decode, "length 5 for one 3-axis taxel", DX_EMSGSIZE, &g, &tmo);
	g = frame(0x123, 8);
	RC(dx_taxel_decode, "not a taxel id", DX_ENOENT, &g, &tmo);
	RC(dx_taxel_encode_cmd, "f NULL", DX_EINVAL, 1, DX_TAXEL_CMD_SCAN, 0, NULL);
	RC(dx_taxel_encode_cmd, "board 256", DX_EINVAL, 256, DX_TAXEL_CMD_SCAN, 0,
	   &f);
	RC(dx_taxel_encode_cmd, "command 9", DX_EINVAL, 1, (enum dx_taxel_cmd)9, 0,
	   &f);
	RC(dx_taxel_encode_cmd, "rate 70000 Hz (above uint16)", DX_EINVAL, 1,
	   DX_TAXEL_CMD_START, 70000, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	ck_assert_int_eq(dx_taxel_encode_cmd(1, DX_TAXEL_CMD_SCAN, 0, &g), 0);
	RC(dx_taxel_decode_cmd, "f NULL", DX_EINVAL, NULL, &board, &tcmd, &rate);
	RC(dx_taxel_decode_cmd, "board NULL", DX_EINVAL, &g, NULL, &tcmd, &rate);
	RC(dx_taxel_decode_cmd, "cmd NULL", DX_EINVAL, &g, &board, NULL, &rate);
	g.data[0] = 9;
	RC(dx_taxel_decode_cmd, "command byte 9", DX_EPROTO, &g, &board, &tcmd,
	   &rate);
	g.len = 0;
	RC(dx_taxel_decode_cmd, "length 0", DX_EMSGSIZE, &g, &board, &tcmd, &rate);
	RC(dx_uskin_encode_trigger, "f NULL", DX_EINVAL, 1, NULL);
	RC(dx_uskin_encode_trigger, "board 0", DX_EINVAL, 0, &f);
	RC(dx_uskin_encode_trigger, "board 16", DX_EINVAL, 16, &f);
	RC(dx_uskin_decode_trigger, "f NULL", DX_EINVAL, NULL, &board);
	g = frame(0x201, 2);
	g.data[0] = 7;
	g.data[1] = 0;
	RC(dx_uskin_decode_trigger, "board NULL", DX_EINVAL, &g, NULL);
	g.data[0] = 8;
	RC(dx_uskin_decode_trigger, "command byte 8", DX_EPROTO, &g, &board);
	g.len = 3;
	RC(dx_uskin_decode_trigger, "length 3", DX_EMSGSIZE, &g, &board);
	RC(dx_uskin_encode_taxel, "f NULL", DX_EINVAL, 1, 0, xyz, NULL);
	RC(dx_uskin_encode_taxel, "xyz NULL", DX_EINVAL, 1, 0, NULL, &f);
	RC(dx_uskin_encode_taxel, "board 16", DX_EINVAL, 16, 0, xyz, &f);
	RC(dx_uskin_encode_taxel, "taxel 16", DX_EINVAL, 1, 16, xyz, &f);
	UNTOUCHED(marked(&f, sizeof(f)));
	mark(&f, sizeof(f));
	ck_assert_int_eq(dx_uskin_encode_taxel(1, 0, xyz, &g), 0);
	RC(dx_uskin_decode_taxel, "f NULL", DX_EINVAL, NULL, &board, &taxel, xyz);
	RC(dx_uskin_decode_taxel, "board NULL", DX_EINVAL, &g, NULL, &taxel, xyz);
	RC(dx_uskin_decode_taxel, "taxel NULL", DX_EINVAL, &g, &board, NULL, xyz);
	RC(dx_uskin_decode_taxel, "xyz NULL", DX_EINVAL, &g, &board, &taxel, NULL);
	g.len = 7;
	RC(dx_uskin_decode_taxel, "length 7", DX_EMSGSIZE, &g, &board, &taxel, xyz);

	VOIDC(dx_tactile_pad_config_default, "c NULL", NULL, DX_TACTILE_PROTO_DEXRT);
	RC(dx_tactile_grid, "out NULL", DX_EINVAL, 2, 2, 0.01f, NULL, NULL, NULL);
	RC(dx_tactile_grid, "rows 0", DX_EINVAL, 0, 2, 0.01f, NULL, NULL, tx);
	RC(dx_tactile_grid, "pitch NaN", DX_EINVAL, 2, 2, NAN, NULL, NULL, tx);
	RC(dx_tactile_grid, "pitch -0.01", DX_EINVAL, 2, 2, -0.01f, NULL, NULL, tx);
	RC(dx_tactile_grid, "pitch +Inf", DX_EINVAL, 2, 2, INFINITY, NULL, NULL, tx);
	RC(dx_tactile_grid, "normal with a NaN", DX_ENOTFINITE, 2, 2, 0.01f, NULL,
	   ((const float[3]){NAN, 0, 1}), tx);
	RC(dx_tactile_grid, "origin +Inf", DX_ENOTFINITE, 2, 2, 0.01f,
	   ((const float[3]){INFINITY, 0, 0}), NULL, tx);
	VOIDC(dx_tactile_tangents, "n NULL", NULL, t1, t2);
	VOIDC(dx_tactile_tangents, "t1 NULL", n, NULL, t2);
	VOIDC(dx_tactile_tangents, "t2 NULL", n, t1, NULL);

	dx_tactile_pad_config_default(&pc, DX_TACTILE_PROTO_DEXRT);
	pc.board = 1;
	pc.rows = pc.cols = 2;
	pc.pitch = 0.005f;
	RC(dx_tactile_pad_init, "pad NULL", DX_EINVAL, NULL, &pc);
	RC(dx_tactile_pad_init, "cfg NULL", DX_EINVAL, pad, NULL);
	pc.axes = 2;
	RC(dx_tactile_pad_init, "axes 2", DX_EINVAL, pad, &pc);
	pc.axes = 3;
	pc.rows = 17;
	pc.cols = 16;
	RC(dx_tactile_pad_init, "17 x 16 taxels (above 256)", DX_ENOSPC, pad, &pc);
	pc.rows = pc.cols = 2;
	pc.pitch = NAN;
	RC(dx_tactile_pad_init, "pitch NaN", DX_EINVAL, pad, &pc);
	pc.pitch = 0.005f;
	pc.gain = INFINITY;
	RC(dx_tactile_pad_init, "gain +Inf", DX_EINVAL, pad, &pc);
	pc.gain = 0.001f;
	pc.params.lp_hz = NAN;
	RC(dx_tactile_pad_init, "lp_hz NaN", DX_ENOTFINITE, pad, &pc);
	dx_tactile_pad_config_default(&pc, DX_TACTILE_PROTO_DEXRT);
	pc.board = 1;
	pc.rows = pc.cols = 2;
	pc.pitch = 0.005f;
	pc.board = 300;
	RC(dx_tactile_pad_init, "board 300", DX_EINVAL, pad, &pc);
	pc.board = 1;
	pc.taxels = NULL;
	pc.rows = 0;
	RC(dx_tactile_pad_init, "no taxels", DX_EINVAL, pad, &pc);
	pc.rows = 2;
	ck_assert_int_eq(dx_tactile_pad_init(pad, &pc), 0);
	VOIDC(dx_tactile_pad_tare, "pad NULL", NULL);
	VOIDC(dx_tactile_pad_clear_faults, "pad NULL", NULL);
	RC(dx_tactile_pad_put, "pad NULL", DX_EINVAL, NULL, 0, raw);
	RC(dx_tactile_pad_put, "raw NULL", DX_EINVAL, pad, 0, NULL);
	RC(dx_tactile_pad_put, "taxel 4 of 4", DX_ERANGE, pad, 4, raw);
	raw[1] = 40000;
	RC(dx_tactile_pad_put, "value 40000 above raw_max", DX_ERANGE, pad, 0, raw);
	raw[1] = 0;
	RC(dx_tactile_pad_rx, "pad NULL", DX_EINVAL, NULL, &g);
	RC(dx_tactile_pad_rx, "f NULL", DX_EINVAL, pad, NULL);
	RC(dx_tactile_route, "pads NULL, n 1", DX_EINVAL, NULL, 1, &g, NULL);
	RC(dx_tactile_route, "f NULL", DX_EINVAL, pads, 1, NULL, NULL);
	{
		struct dx_tactile_pad *nullpads[1] = {NULL};
		RC(dx_tactile_route, "pads[0] NULL", DX_EINVAL, nullpads, 1, &g, NULL);
	}
	RC(dx_tactile_pad_request, "pad NULL", DX_EINVAL, NULL, &f);
	RC(dx_tactile_pad_request, "f NULL", DX_EINVAL, pad, NULL);
	RC(dx_tactile_pad_update, "pad NULL", DX_EINVAL, NULL, 0.001, NULL, res);
	RC(dx_tactile_pad_update, "out NULL", DX_EINVAL, pad, 0.001, NULL, NULL);
	RC(dx_tactile_pad_update, "dt 0", DX_EINVAL, pad, 0.0, NULL, res);
	RC(dx_tactile_pad_update, "dt NaN", DX_ENOTFINITE, pad, NaN, NULL, res);
	RC(dx_tactile_pad_update, "dt +Inf", DX_ENOTFINITE, pad, Inf, NULL, res);
	lp.rot[3] = 0;
	RC(dx_tactile_pad_update, "zero quaternion", DX_EINVAL, pad, 0.001, &lp, res);
	lp.rot[3] = NAN;
	RC(dx_tactile_pad_update, "quaternion NaN", DX_ENOTFINITE, pad, 0.001, &lp,
	   res);
	lp.rot[3] = 1;
	lp.pos[0] = INFINITY;
	RC(dx_tactile_pad_update, "pos +Inf", DX_ENOTFINITE, pad, 0.001, &lp, res);
	UNTOUCHED(pad->cycle == 0);
	RC(dx_tactile_pad_fault_pop, "pad NULL", DX_EINVAL, NULL, &tf);
	RC(dx_tactile_pad_fault_pop, "out NULL", DX_EINVAL, pad, NULL);
	RC(dx_tactile_pad_fault_pop, "no record (wrong state)", DX_EAGAIN, pad, &tf);
	DBL(dx_tactile_pad_taxel_force, "pad NULL", 0.0, NULL, 0);
	DBL(dx_tactile_pad_taxel_force, "taxel 4 of 4", 0.0, pad, 4);
	VAL(dx_tactile_pad_taxels, "pad NULL", 0, NULL);

	VOIDC(dx_fusion_config_default, "c NULL", NULL, 1);
	dx_fusion_config_default(&fc, 1);
	RC(dx_fusion_init, "fu NULL", DX_EINVAL, NULL, &fc);
	RC(dx_fusion_init, "c NULL", DX_EINVAL, &fu, NULL);
	fc.n_fingers = 0;
	RC(dx_fusion_init, "n_fingers 0", DX_EINVAL, &fu, &fc);
	fc.n_fingers = DX_FUSION_MAX_FINGERS + 1;
	RC(dx_fusion_init, "n_fingers 7", DX_EINVAL, &fu, &fc);
	fc.n_fingers = 1;
	fc.q = NaN;
	RC(dx_fusion_init, "q NaN", DX_EINVAL, &fu, &fc);
	fc.q = 50;
	fc.pad_sigma = -1;
	RC(dx_fusion_init, "pad_sigma -1", DX_EINVAL, &fu, &fc);
	fc.pad_sigma = Inf;
	RC(dx_fusion_init, "pad_sigma +Inf", DX_EINVAL, &fu, &fc);
	dx_fusion_config_default(&fc, 1);
	ck_assert_int_eq(dx_fusion_init(&fu, &fc), 0);
	VOIDC(dx_fusion_reset, "fu NULL", NULL, -1);
	VOIDC(dx_fusion_reset, "finger 99", &fu, 99);
	memset(fin, 0, sizeof(fin));
	fin[0].pad_valid = true;
	fin[0].pad_confidence = 1;
	RC(dx_fusion_step, "fu NULL", DX_EINVAL, NULL, 0.001, fin, fout);
	RC(dx_fusion_step, "in NULL", DX_EINVAL, &fu, 0.001, NULL, fout);
	RC(dx_fusion_step, "out NULL", DX_EINVAL, &fu, 0.001, fin, NULL);
	RC(dx_fusion_step, "dt 0", DX_EINVAL, &fu, 0.0, fin, fout);
	RC(dx_fusion_step, "dt NaN", DX_ENOTFINITE, &fu, NaN, fin, fout);
	fin[0].n_joints = DX_FUSION_MAX_JOINTS + 1;
	RC(dx_fusion_step, "n_joints 9", DX_EINVAL, &fu, 0.001, fin, fout);
	fin[0].n_joints = 2;
	RC(dx_fusion_step, "jac NULL with 2 joints", DX_EINVAL, &fu, 0.001, fin,
	   fout);
	fin[0].n_joints = 0;
	fin[0].pad_force[1] = NaN;
	RC(dx_fusion_step, "pad force NaN", DX_ENOTFINITE, &fu, 0.001, fin, fout);
	UNTOUCHED(fu.finger[0].f[1] == 0.0);
	fin[0].pad_force[1] = 0;
	fin[0].pad_confidence = NaN;
	RC(dx_fusion_step, "pad confidence NaN", DX_ENOTFINITE, &fu, 0.001, fin,
	   fout);
	fin[0].pad_confidence = 1;
	fin[0].n_joints = 2;
	fin[0].jac = jac;
	fin[0].dtau = dtau;
	dtau[0] = Inf;
	RC(dx_fusion_step, "dtau +Inf", DX_ENOTFINITE, &fu, 0.001, fin, fout);
	dtau[0] = 0;
	RC(dx_fusion_torque_force, "jac NULL", DX_EINVAL, NULL, 2, dtau, 1e-3, ff);
	RC(dx_fusion_torque_force, "dtau NULL", DX_EINVAL, jac, 2, NULL, 1e-3, ff);
	RC(dx_fusion_torque_force, "f NULL", DX_EINVAL, jac, 2, dtau, 1e-3, NULL);
	RC(dx_fusion_torque_force, "n_joints 0", DX_EINVAL, jac, 0, dtau, 1e-3, ff);
	RC(dx_fusion_torque_force, "n_joints 9", DX_EINVAL, jac, 9, dtau, 1e-3, ff);
	RC(dx_fusion_torque_force, "lambda NaN", DX_EINVAL, jac, 2, dtau, NaN, ff);
	RC(dx_fusion_torque_force, "lambda -1", DX_EINVAL, jac, 2, dtau, -1, ff);
	dtau[1] = NaN;
	RC(dx_fusion_torque_force, "dtau NaN", DX_ENOTFINITE, jac, 2, dtau, 1e-3, ff);
	free(pad);
	free(res);
	module_end();
}
END_TEST

/* ---- hand ----------------------------------------------------------------------- */

/* One cycle call on a thread of its own. */
struct cycle_call {
	int (*fn)(struct dx_hand *, int64_t);
	struct dx_hand *h;
	int rc;
};

static void *cycle_call_run(void *arg)
{
	struct cycle_call *c = arg;

	c->rc = c->fn(c->h, 2 * DX_NS_PER_MS);
	return NULL;
}

static int in_thread(int (*fn)(struct dx_hand *, int64_t), struct dx_hand *h)
{
	struct cycle_call c = {fn, h, 0};
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, cycle_call_run, &c), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	return c.rc;
}

#define OTHER_THREAD(fn, h)                                                    \
	do {                                                                   \
		struct row *r_ = begin(#fn, "from a thread other than the "   \
					    "cycle's (bound by its first call)"); \
		end_rc(r_, in_thread(fn, h), DX_ESTATE);                       \
	} while (0)

START_TEST(test_hand)
{
	const char *ex = getenv("DX_EXAMPLES_DIR");
	char path[512];
	struct dx_hand_config *cfg = NULL, *co = NULL;
	struct dx_hand_config_error e;
	struct dx_hand *h = NULL, *ho = NULL;
	struct dx_hand_opts o = {.no_transport = true};
	struct dx_hand_target *t = calloc(1, sizeof(*t));
	struct dx_hand_telemetry *tel = calloc(1, sizeof(*tel));
	struct dx_hand_fault hf;
	struct dx_hand_joint_state js, js0;
	struct dx_hand_stats st, st0;
	struct dx_hand_bus_report br;
	double p3[3], g[3] = {0, 0, -9.81}, qh[DX_HAND_MAX_JOINTS] = {0},
		     tau[DX_HAND_MAX_JOINTS];
	unsigned nj;

	module_begin("hand");
	if (!ex)
		dx_test_skip("DX_EXAMPLES_DIR not set");
	snprintf(path, sizeof(path), "%s/hand16.yaml", ex);
	RC(dx_hand_config_load, "path NULL", DX_EINVAL, NULL, &co, &e);
	RC(dx_hand_config_load, "out NULL", DX_EINVAL, path, NULL, &e);
	RC(dx_hand_config_load, "missing file", DX_ENOENT, "/nonexistent.yaml",
	   &co, &e);
	RC(dx_hand_config_load_string, "yaml NULL", DX_EINVAL, NULL, 10, "x", NULL,
	   &co, &e);
	RC(dx_hand_config_load_string, "out NULL", DX_EINVAL, "a: 1", 4, "x", NULL,
	   NULL, &e);
	RC(dx_hand_config_load_string, "not YAML (\"[\")", DX_EPARSE, "[", 1, "x",
	   NULL, &co, &e);
	RC(dx_hand_config_load_string, "empty mapping", DX_EPARSE, "{}", 2, "x",
	   NULL, &co, NULL);
	UNTOUCHED(co == NULL);
	VOIDC(dx_hand_config_free, "cfg NULL", NULL);
	ck_assert_msg(dx_hand_config_load(path, &cfg, &e) == 0, "%s", e.msg);
	VAL(dx_hand_config_find_bus, "cfg NULL", -1, NULL, "x");
	VAL(dx_hand_config_find_bus, "name NULL", -1, cfg, NULL);
	VAL(dx_hand_config_find_actuator, "cfg NULL", -1, NULL, "x");
	VAL(dx_hand_config_find_actuator, "unknown name", -1, cfg, "nope");
	VAL(dx_hand_config_find_joint, "name NULL", -1, cfg, NULL);

	RC(dx_hand_init, "out NULL", DX_EINVAL, NULL, cfg, &o, &e);
	RC(dx_hand_init, "cfg NULL", DX_EINVAL, &ho, NULL, &o, &e);
	o.ring_depth = 3;
	RC(dx_hand_init, "ring_depth 3 (not a power of two)", DX_EINVAL, &ho, cfg,
	   &o, &e);
	o.ring_depth = 0;
	UNTOUCHED(ho == NULL);
	VOIDC(dx_hand_free, "h NULL", NULL);
	ck_assert_msg(dx_hand_init(&h, cfg, &o, &e) == 0, "%s", e.msg);
	nj = dx_hand_njoints(h);
	ck_assert_uint_gt(nj, 0);

	RC(dx_hand_read, "h NULL", DX_EINVAL, NULL, 0);
	RC(dx_hand_update, "h NULL", DX_EINVAL, NULL, 0);
	RC(dx_hand_write, "h NULL", DX_EINVAL, NULL, 0);
	RC(dx_hand_cycle, "h NULL", DX_EINVAL, NULL, 0);
	ck_assert_int_eq(dx_hand_cycle(h, DX_NS_PER_MS), 0);
	ck_assert_int_eq(dx_hand_joint_state(h, 0, &js0), 0);
	dx_hand_get_stats(h, &st0);
	/* the cycle now belongs to this thread */
	OTHER_THREAD(dx_hand_read, h);
	OTHER_THREAD(dx_hand_update, h);
	OTHER_THREAD(dx_hand_write, h);
	OTHER_THREAD(dx_hand_cycle, h);
	{
		struct dx_hand_stats st1;
		dx_hand_get_stats(h, &st1);
		UNTOUCHED(st1.cycles == st0.cycles);
	}
	VOIDC(dx_hand_release_thread, "h NULL", NULL);
	/* released, another thread may take the cycle over; then this one
	 * is the other thread until it is released again */
	dx_hand_release_thread(h);
	ck_assert_int_eq(in_thread(dx_hand_cycle, h), 0);
	ck_assert_int_eq(dx_hand_cycle(h, 3 * DX_NS_PER_MS), DX_ESTATE);
	dx_hand_release_thread(h);
	ck_assert_int_eq(dx_hand_cycle(h, 4 * DX_NS_PER_MS), 0);
	dx_hand_get_stats(h, &st0);

	memset(t, 0, sizeof(*t));
	t->kind = DX_TARGET_JOINTS;
	t->mask = 1;
	t->q[0] = 0.3;
	RC(dx_hand_send, "h NULL", DX_EINVAL, NULL, t);
	RC(dx_hand_send, "t NULL", DX_EINVAL, h, NULL);
	t->q[0] = NaN;
	RC(dx_hand_send, "joint target NaN", DX_EINVAL, h, t);
	t->q[0] = Inf;
	RC(dx_hand_send, "joint target +Inf", DX_EINVAL, h, t);
	t->q[0] = 0.3;
	t->kind = (enum dx_hand_target_kind)0;
	RC(dx_hand_send, "kind 0", DX_EINVAL, h, t);
	t->kind = (enum dx_hand_target_kind)99;
	RC(dx_hand_send, "kind 99", DX_EINVAL, h, t);
	t->kind = DX_TARGET_TIPS;
	t->tip[0][1] = NaN;
	RC(dx_hand_send, "tip target NaN", DX_EINVAL, h, t);
	t->tip[0][1] = 0;
	t->kind = DX_TARGET_GRASP;
	t->grasp = (enum dx_grasp)9;
	RC(dx_hand_send, "grasp 9", DX_EINVAL, h, t);
	t->grasp = DX_GRASP_POWER;
	t->force = -1;
	RC(dx_hand_send, "grasp force -1", DX_EINVAL, h, t);
	t->force = NaN;
	RC(dx_hand_send, "grasp force NaN", DX_EINVAL, h, t);
	t->force = 1;
	/* nothing refused reached the cycle: the reference did not move */
	ck_assert_int_eq(dx_hand_cycle(h, 2 * DX_NS_PER_MS), 0);
	dx_hand_get_stats(h, &st);
	ck_assert_int_eq(dx_hand_joint_state(h, 0, &js), 0);
	UNTOUCHED(st.targets_applied == st0.targets_applied);
	UNTOUCHED(st.targets_refused == st0.targets_refused + 8);
	UNTOUCHED(fabs(js.q_ref - js0.q_ref) < 1e-3);

	RC(dx_hand_telemetry_pop, "h NULL", DX_EINVAL, NULL, tel);
	RC(dx_hand_telemetry_pop, "t NULL", DX_EINVAL, h, NULL);
	RC(dx_hand_fault_pop, "h NULL", DX_EINVAL, NULL, &hf);
	RC(dx_hand_fault_pop, "f NULL", DX_EINVAL, h, NULL);
	VAL(dx_hand_njoints, "h NULL", 0, NULL);
	PNULL(dx_hand_joint_name, "h NULL", NULL, 0);
	PNULL(dx_hand_joint_name, "j = njoints", h, nj);
	RC(dx_hand_joint_state, "h NULL", DX_EINVAL, NULL, 0, &js);
	RC(dx_hand_joint_state, "st NULL", DX_EINVAL, h, 0, NULL);
	RC(dx_hand_joint_state, "j = njoints", DX_EINVAL, h, nj, &js);
	VAL(dx_hand_ntips, "h NULL", 0, NULL);
	PNULL(dx_hand_root_name, "h NULL", NULL);
	PNULL(dx_hand_tip_name, "h NULL", NULL, 0);
	PNULL(dx_hand_tip_name, "t = ntips", h, dx_hand_ntips(h));
	RC(dx_hand_tip_position, "h NULL", DX_EINVAL, NULL, 0, p3);
	RC(dx_hand_tip_position, "p NULL", DX_EINVAL, h, 0, NULL);
	RC(dx_hand_tip_position, "t = ntips", DX_EINVAL, h, dx_hand_ntips(h), p3);
	VOIDC(dx_hand_get_stats, "h NULL", NULL, &st);
	VOIDC(dx_hand_get_stats, "st NULL", h, NULL);
	RC(dx_hand_set_gravity, "h NULL", DX_EINVAL, NULL, g);
	RC(dx_hand_set_gravity, "g NULL", DX_EINVAL, h, NULL);
	g[2] = NaN;
	RC(dx_hand_set_gravity, "g NaN", DX_ENOTFINITE, h, g);
	g[2] = -Inf;
	RC(dx_hand_set_gravity, "g -Inf", DX_ENOTFINITE, h, g);
	RC(dx_hand_gravity_torques, "h NULL", DX_EINVAL, NULL, qh, tau);
	RC(dx_hand_gravity_torques, "q NULL", DX_EINVAL, h, NULL, tau);
	RC(dx_hand_gravity_torques, "tau NULL", DX_EINVAL, h, qh, NULL);
	qh[0] = NaN;
	tau[0] = 42;
	RC(dx_hand_gravity_torques, "q[0] NaN", DX_ENOTFINITE, h, qh, tau);
	UNTOUCHED(tau[0] == 42);
	qh[0] = 0;
	STRC(dx_hand_reaction_name, "reaction 99", "unknown",
	     (enum dx_hand_reaction)99);
	STRC(dx_hand_cause_name, "cause 99", "unknown", (enum dx_hand_cause)99);
	VAL(dx_hand_nbuses, "h NULL", 0, NULL);
	RC(dx_hand_bus_report, "h NULL", DX_EINVAL, NULL, 0, &br);
	RC(dx_hand_bus_report, "r NULL", DX_EINVAL, h, 0, NULL);
	RC(dx_hand_bus_report, "b = nbuses", DX_EINVAL, h, dx_hand_nbuses(h), &br);

	VOIDC(dx_simhand_free, "s NULL", NULL);
	{
		struct dx_simhand *sh = NULL;
		struct dx_simhand_object ob;
		struct dx_simhand_stats ss;
		RC(dx_simhand_create, "out NULL", DX_EINVAL, NULL, cfg, NULL, NULL);
		RC(dx_simhand_create, "cfg NULL", DX_EINVAL, &sh, NULL, NULL, NULL);
		UNTOUCHED(sh == NULL);
		VAL(dx_simhand_unlink_buses, "cfg NULL", 0, NULL);
		{
			int64_t a = dx_time_now_ns(), b = dx_simhand_now(NULL);
			struct row *rr = begin("dx_simhand_now", "s NULL");
			end_txt(rr, b >= a, "CLOCK_MONOTONIC now", "another time");
		}
		PNULL(dx_simhand_world, "s NULL", NULL);
		RC(dx_simhand_set_time, "s NULL", DX_EINVAL, NULL, 0);
		RC(dx_simhand_poll, "s NULL", DX_EINVAL, NULL, 0);
		RC(dx_simhand_run, "s NULL", DX_EINVAL, NULL);
		VOIDC(dx_simhand_stop, "s NULL", NULL);
		VAL(dx_simhand_nobjects, "s NULL", 0, NULL);
		RC(dx_simhand_object_index, "s NULL", DX_EINVAL, NULL, "box");
		RC(dx_simhand_object_state, "s NULL", DX_EINVAL, NULL, 0, &ob);
		RC(dx_simhand_set_mass, "s NULL", DX_EINVAL, NULL, 0, 1.0);
		RC(dx_simhand_set_lift, "s NULL", DX_EINVAL, NULL, 0.1);
		RC(dx_simhand_set_reach, "s NULL", DX_EINVAL, NULL, 0.1, 0.1);
		VOIDC(dx_simhand_get_stats, "s NULL", NULL, &ss);
	}
	dx_hand_free(h);
	dx_hand_config_free(cfg);
	free(t);
	free(tel);
	module_end();
}
END_TEST

/* ---- sim (virtual drives, virtual pads) ------------------------------------------ */

START_TEST(test_sim)
{
	const struct dx_mit_model *ak = dx_mit_model_find("ak80-64");
	struct dx_vmotor_params mp;
	struct dx_vmotor mot;
	struct dx_vdrive *v = calloc(1, sizeof(*v));
	struct dx_drive_desc d = {DX_DRIVE_MIT, ak, 1, 0};
	struct dx_vdrive_runner *r = calloc(1, sizeof(*r));
	struct dx_can_frame f = frame(0x1, 8), out[DX_VDRIVE_MAX_OUT];
	struct dx_simpad_config pc;
	struct dx_simpad *sp = calloc(1, sizeof(*sp));
	struct dx_simpad_contact con = {{0, 0, 0}, {0, 0, 1}, 0.005f};
	struct dx_simpad_slip slip = {.on = true};
	int32_t raw[3];
	unsigned rate;
	double pos;

	module_begin("sim");
	VOIDC(dx_vmotor_params_default, "p NULL", NULL, 1, 0.1, 1e-5, 1);
	dx_vmotor_params_default(&mp, 1, 0.1, 1e-5, 1);
	RC(dx_vmotor_init, "m NULL", DX_EINVAL, NULL, &mp);
	RC(dx_vmotor_init, "p NULL", DX_EINVAL, &mot, NULL);
	mp.kt = NaN;
	RC(dx_vmotor_init, "kt NaN", DX_EINVAL, &mot, &mp);
	mp.kt = 0.1;
	mp.rotor_inertia = 0;
	RC(dx_vmotor_init, "rotor_inertia 0", DX_EINVAL, &mot, &mp);
	mp.rotor_inertia = 1e-5;
	mp.torque_limit = -1;
	RC(dx_vmotor_init, "torque_limit -1", DX_EINVAL, &mot, &mp);
	dx_vmotor_params_default(&mp, 1, 0.1, 1e-5, 1);
	ck_assert_int_eq(dx_vmotor_init(&mot, &mp), 0);
	VOIDC(dx_vmotor_set_dynamics, "m NULL", NULL, NULL, NULL);
	VOIDC(dx_vmotor_step, "m NULL", NULL, 0.1, 0.001);
	pos = mot.pos;
	VOIDC(dx_vmotor_step, "dt NaN", &mot, 0.1, NaN);
	VOIDC(dx_vmotor_step, "dt -0.001", &mot, 0.1, -0.001);
	UNTOUCHED(mot.pos == pos && mot.tau == 0);
	VOIDC(dx_vmotor_step, "tau NaN (zero torque)", &mot, NaN, 0.001);
	UNTOUCHED(dx_isfinite(mot.pos) && mot.tau == 0);
	DBL(dx_vmotor_encoder_pos, "m NULL", 0.0, NULL);

	RC(dx_vdrive_init, "v NULL", DX_EINVAL, NULL, &d);
	RC(dx_vdrive_init, "d NULL", DX_EINVAL, v, NULL);
	d.model = NULL;
	RC(dx_vdrive_init, "model NULL", DX_EINVAL, v, &d);
	d.model = ak;
	d.proto = (enum dx_drive_proto)9;
	RC(dx_vdrive_init, "protocol 9", DX_EINVAL, v, &d);
	d.proto = DX_DRIVE_MIT;
	ck_assert_int_eq(dx_vdrive_init(v, &d), 0);
	RC(dx_vdrive_handle, "v NULL", DX_EINVAL, NULL, &f, out, 4);
	RC(dx_vdrive_handle, "in NULL", DX_EINVAL, v, NULL, out, 4);
	RC(dx_vdrive_handle, "out NULL, max 4", DX_EINVAL, v, &f, NULL, 4);
	RC(dx_vdrive_step, "v NULL", DX_EINVAL, NULL, 0.001, out, 4);
	RC(dx_vdrive_step, "dt NaN", DX_EINVAL, v, NaN, out, 4);
	RC(dx_vdrive_step, "dt -1", DX_EINVAL, v, -1, out, 4);
	RC(dx_vdrive_step, "out NULL, max 4", DX_EINVAL, v, 0.001, NULL, 4);
	VOIDC(dx_vdrive_inject_fault, "v NULL", NULL, DX_DRIVE_FAULT_OVERCURRENT);
	VOIDC(dx_vdrive_inject_fault, "fault 99", v, (enum dx_drive_fault)99);
	UNTOUCHED(v->fault == DX_DRIVE_FAULT_NONE);
	DBL(dx_vdrive_position, "v NULL", 0.0, NULL);
	RC(dx_vdrive_runner_init, "r NULL", DX_EINVAL, NULL, (struct dx_can *)r, v,
	   1);
	RC(dx_vdrive_runner_init, "can NULL", DX_EINVAL, r, NULL, v, 1);
	RC(dx_vdrive_runner_init, "v NULL, n 1", DX_EINVAL, r, (struct dx_can *)r,
	   NULL, 1);
	RC(dx_vdrive_runner_poll, "r NULL", DX_EINVAL, NULL, 0);
	RC(dx_vdrive_runner_run, "r NULL", DX_EINVAL, NULL);
	VOIDC(dx_vdrive_runner_stop, "r NULL", NULL);
	{
		int64_t a = dx_time_now_ns(), b = dx_vdrive_runner_now(NULL);
		struct row *rr = begin("dx_vdrive_runner_now", "r NULL");
		end_txt(rr, b >= a, "CLOCK_MONOTONIC now", "another time");
	}

	VOIDC(dx_simpad_config_default, "c NULL", NULL, DX_TACTILE_PROTO_DEXRT);
	dx_simpad_config_default(&pc, DX_TACTILE_PROTO_DEXRT);
	pc.board = 1;
	pc.rows = pc.cols = 2;
	pc.pitch = 0.005f;
	RC(dx_simpad_init, "sp NULL", DX_EINVAL, NULL, &pc);
	RC(dx_simpad_init, "c NULL", DX_EINVAL, sp, NULL);
	pc.axes = 2;
	RC(dx_simpad_init, "axes 2", DX_EINVAL, sp, &pc);
	pc.axes = 3;
	pc.rows = 17;
	pc.cols = 16;
	RC(dx_simpad_init, "17 x 16 taxels", DX_ENOSPC, sp, &pc);
	pc.rows = pc.cols = 2;
	pc.counts_per_n = NAN;
	RC(dx_simpad_init, "counts_per_n NaN", DX_EINVAL, sp, &pc);
	pc.counts_per_n = 1000;
	pc.noise = INFINITY;
	RC(dx_simpad_init, "noise +Inf", DX_EINVAL, sp, &pc);
	pc.noise = 0;
	ck_assert_int_eq(dx_simpad_init(sp, &pc), 0);
	RC(dx_simpad_set_contacts, "sp NULL", DX_EINVAL, NULL, &con, 1);
	RC(dx_simpad_set_contacts, "c NULL, n 1", DX_EINVAL, sp, NULL, 1);
	RC(dx_simpad_set_contacts, "n 5", DX_EINVAL, sp, &con,
	   DX_SIMPAD_MAX_CONTACTS + 1);
	con.force[2] = NAN;
	RC(dx_simpad_set_contacts, "force NaN", DX_ENOTFINITE, sp, &con, 1);
	con.force[2] = 1;
	con.radius = 0;
	RC(dx_simpad_set_contacts, "radius 0", DX_EINVAL, sp, &con, 1);
	con.radius = NAN;
	RC(dx_simpad_set_contacts, "radius NaN", DX_ENOTFINITE, sp, &con, 1);
	UNTOUCHED(sp->n_contacts == 0);
	VOIDC(dx_simpad_set_slip, "sp NULL", NULL, &slip);
	slip.shear_rate = NAN;
	slip.vib_hz = INFINITY;
	VOIDC(dx_simpad_set_slip, "shear_rate NaN, vib_hz +Inf (defaults)", sp,
	      &slip);
	UNTOUCHED(sp->slip.shear_rate == 2.0f && sp->slip.vib_hz == 250.0f);
	dx_simpad_set_slip(sp, NULL);
	RC(dx_simpad_inject, "sp NULL", DX_EINVAL, NULL, 0, DX_SIMPAD_DEAD);
	RC(dx_simpad_inject, "taxel 4 of 4", DX_EINVAL, sp, 4, DX_SIMPAD_DEAD);
	RC(dx_simpad_inject, "fault 9", DX_EINVAL, sp, 0, (enum dx_simpad_fault)9);
	{
		double t0 = sp->t;
		RC(dx_simpad_step, "sp NULL", DX_EINVAL, NULL, 0.001);
	RC(dx_simpad_step, "dt 0", DX_EINVAL, sp, 0.0);
	RC(dx_simpad_step, "dt NaN", DX_ENOTFINITE, sp, NaN);
	RC(dx_simpad_step, "dt +Inf", DX_ENOTFINITE, sp, Inf);
		UNTOUCHED(sp->t == t0);
	}
	RC(dx_simpad_raw, "sp NULL", DX_EINVAL, NULL, 0, raw);
	RC(dx_simpad_raw, "out NULL", DX_EINVAL, sp, 0, NULL);
	RC(dx_simpad_raw, "taxel 4 of 4", DX_EINVAL, sp, 4, raw);
	RC(dx_simpad_encode_scan, "sp NULL", DX_EINVAL, NULL, out, 4);
	RC(dx_simpad_encode_scan, "frames NULL, max 4", DX_EINVAL, sp, NULL, 4);
	RC(dx_simpad_encode_scan, "max 0", DX_ENOSPC, sp, out, 0);
	RC(dx_simpad_handle, "sp NULL", DX_EINVAL, NULL, &f, out, 4);
	RC(dx_simpad_handle, "in NULL", DX_EINVAL, sp, NULL, out, 4);
	{
		struct dx_can_frame scan;
		dx_taxel_encode_cmd(1, DX_TAXEL_CMD_SCAN, 0, &scan);
		RC(dx_simpad_handle, "SCAN with out NULL, max 4", DX_EINVAL, sp, &scan,
		   NULL, 4);
		RC(dx_simpad_handle, "SCAN with max 0", DX_ENOSPC, sp, &scan, out, 0);
	}
	BOOLC(dx_simpad_streaming, "sp NULL", false, NULL, &rate);
	BOOLC(dx_simpad_streaming, "rate_hz NULL (allowed)", false, sp, NULL);
	free(v);
	free(r);
	free(sp);
	module_end();
}
END_TEST

/* ---- simworld -------------------------------------------------------------------- */

#ifdef DX_TEST_HAVE_MUJOCO
static const char mjcf[] =
	"<mujoco><option timestep=\"0.001\"/><worldbody>"
	"<geom name=\"floor\" type=\"plane\" size=\"1 1 .1\"/>"
	"<body name=\"arm\" pos=\"0 0 .5\"><joint name=\"h1\" type=\"hinge\" axis=\"0 0 1\"/>"
	"<geom type=\"box\" size=\".05 .01 .01\" mass=\"0.1\"/>"
	"<site name=\"s00\" type=\"box\" size=\".01 .01 .002\" pos=\"0 0 .01\"/></body>"
	"<body name=\"obj\" pos=\"0 0 .1\"><freejoint/>"
	"<geom type=\"sphere\" size=\".02\" mass=\"0.05\"/></body></worldbody>"
	"<actuator><motor name=\"m1\" joint=\"h1\" ctrllimited=\"true\" ctrlrange=\"-1 1\"/>"
	"</actuator><sensor><touch name=\"pad_0_0\" site=\"s00\"/></sensor></mujoco>";
#endif

START_TEST(test_simworld)
{
#ifndef DX_TEST_HAVE_MUJOCO
	dx_test_skip("built without MuJoCo");
#else
	struct dx_simworld *w = NULL, *wo = NULL;
	struct dx_simworld_config wc;
	struct dx_simworld_error we;
	struct dx_simworld_joint_info ji;
	struct dx_simworld_pose pose = {{0, 0, .2}, {0, 0, 0, 1}}, pz;
	struct dx_simworld_motor_link ml;
	struct dx_simworld_pad_info pi;
	struct dx_simworld_contact con[2];
	double q, qd, tau, g[3] = {0, 0, -9.81}, lo, hi, m, f3[3], forces[4];
	unsigned steps, nb;
	int obj;

	module_begin("simworld");
	VOIDC(dx_simworld_config_default, "cfg NULL", NULL);
	dx_simworld_config_default(&wc);
	RC(dx_simworld_load_string, "xml NULL", DX_EINVAL, NULL, 10, &wc, &wo, &we);
	RC(dx_simworld_load_string, "out NULL", DX_EINVAL, mjcf, sizeof(mjcf) - 1,
	   &wc, NULL, &we);
	RC(dx_simworld_load_string, "not MJCF", DX_EPARSE, "<nope/>", 7, &wc, &wo,
	   &we);
	wc.timestep_ns = 1;
	RC(dx_simworld_load_string, "timestep 1 ns", DX_EINVAL, mjcf,
	   sizeof(mjcf) - 1, &wc, &wo, &we);
	wc.timestep_ns = 0;
	wc.max_steps = 0;
	RC(dx_simworld_load_string, "max_steps 0", DX_EINVAL, mjcf,
	   sizeof(mjcf) - 1, &wc, &wo, &we);
	dx_simworld_config_default(&wc);
	RC(dx_simworld_load_file, "path NULL", DX_EINVAL, NULL, &wc, &wo, &we);
	RC(dx_simworld_load_file, "missing file", DX_ENOENT, "/nonexistent.xml", &wc,
	   &wo, &we);
	UNTOUCHED(wo == NULL);
	VOIDC(dx_simworld_free, "w NULL", NULL);
	ck_assert_msg(dx_simworld_load_string(mjcf, sizeof(mjcf) - 1, &wc, &w, &we) ==
			      0, "%s", we.msg);
	RC(dx_simworld_reset, "w NULL", DX_EINVAL, NULL);
	VAL(dx_simworld_timestep_ns, "w NULL", 0, NULL);
	VAL(dx_simworld_time_ns, "w NULL", 0, NULL);
	RC(dx_simworld_set_gravity, "w NULL", DX_EINVAL, NULL, g);
	RC(dx_simworld_set_gravity, "g NULL", DX_EINVAL, w, NULL);
	g[0] = NaN;
	RC(dx_simworld_set_gravity, "g NaN", DX_ENOTFINITE, w, g);
	VOIDC(dx_simworld_set_hook, "w NULL", NULL, NULL, NULL);
	RC(dx_simworld_advance, "w NULL", DX_EINVAL, NULL, 0, &steps);
	ck_assert_int_eq(dx_simworld_advance(w, 10 * DX_NS_PER_MS, NULL), 0);
	RC(dx_simworld_advance, "t_ns before the world time (wrong state)",
	   DX_EINVAL, w, DX_NS_PER_MS, &steps);
	RC(dx_simworld_advance, "more than max_steps ahead", DX_ERANGE, w,
	   INT64_MAX, &steps);
	UNTOUCHED(dx_simworld_time_ns(w) == 10 * DX_NS_PER_MS);
	RC(dx_simworld_step, "w NULL", DX_EINVAL, NULL, 1);
	RC(dx_simworld_step, "n above max_steps", DX_ERANGE, w, wc.max_steps + 1);
	RC(dx_simworld_forward, "w NULL", DX_EINVAL, NULL);
	VAL(dx_simworld_njoints, "w NULL", 0, NULL);
	RC(dx_simworld_joint_index, "w NULL", DX_EINVAL, NULL, "h1");
	RC(dx_simworld_joint_index, "name NULL", DX_EINVAL, w, NULL);
	RC(dx_simworld_joint_index, "unknown name", DX_ENOENT, w, "nope");
	RC(dx_simworld_joint_info, "w NULL", DX_EINVAL, NULL, 0, &ji);
	RC(dx_simworld_joint_info, "j 1 of 1", DX_EINVAL, w, 1, &ji);
	RC(dx_simworld_joint_info, "out NULL", DX_EINVAL, w, 0, NULL);
	RC(dx_simworld_get_joint, "w NULL", DX_EINVAL, NULL, 0, &q, &qd);
	RC(dx_simworld_get_joint, "j 1 of 1", DX_EINVAL, w, 1, &q, &qd);
	RC(dx_simworld_set_torque, "w NULL", DX_EINVAL, NULL, 0, 0.1);
	RC(dx_simworld_set_torque, "j 1 of 1", DX_EINVAL, w, 1, 0.1);
	RC(dx_simworld_set_torque, "tau NaN", DX_ENOTFINITE, w, 0, NaN);
	RC(dx_simworld_set_torque, "tau 2 beyond the motor range", DX_ERANGE, w, 0,
	   2.0);
	tau = 42;
	RC(dx_simworld_get_torque, "w NULL", DX_EINVAL, NULL, 0, &tau);
	RC(dx_simworld_get_torque, "tau NULL", DX_EINVAL, w, 0, NULL);
	ck_assert_int_eq(dx_simworld_get_torque(w, 0, &tau), 0);
	UNTOUCHED(tau == 0);
	RC(dx_simworld_joint_set_drive, "w NULL", DX_EINVAL, NULL, 0, 0, 0, 0);
	RC(dx_simworld_joint_set_drive, "j 1 of 1", DX_EINVAL, w, 1, 0, 0, 0);
	RC(dx_simworld_joint_set_drive, "armature -1", DX_EINVAL, w, 0, -1, 0, 0);
	RC(dx_simworld_joint_set_drive, "damping NaN", DX_ENOTFINITE, w, 0, 0, NaN,
	   0);
	RC(dx_simworld_joint_set_drive, "friction +Inf", DX_ENOTFINITE, w, 0, 0, 0,
	   Inf);
	RC(dx_simworld_set_joint, "w NULL", DX_EINVAL, NULL, 0, 0, 0);
	RC(dx_simworld_set_joint, "j 1 of 1", DX_EINVAL, w, 1, 0, 0);
	RC(dx_simworld_set_joint, "q NaN", DX_ENOTFINITE, w, 0, NaN, 0);
	RC(dx_simworld_set_joint, "qd +Inf", DX_ENOTFINITE, w, 0, 0, Inf);
	RC(dx_simworld_motor_link_init, "l NULL", DX_EINVAL, NULL, w, 0, 1, 0);
	RC(dx_simworld_motor_link_init, "w NULL", DX_EINVAL, &ml, NULL, 0, 1, 0);
	RC(dx_simworld_motor_link_init, "joint 1 of 1", DX_EINVAL, &ml, w, 1, 1, 0);
	RC(dx_simworld_motor_link_init, "scale 0", DX_EINVAL, &ml, w, 0, 0, 0);
	RC(dx_simworld_motor_link_init, "scale NaN", DX_ENOTFINITE, &ml, w, 0, NaN,
	   0);
	RC(dx_simworld_motor_link_init, "offset -Inf", DX_ENOTFINITE, &ml, w, 0, 1,
	   -Inf);
	q = qd = 42;
	VOIDC(dx_simworld_motor_dynamics, "user NULL", NULL, 0.1, 0.001, &q, &qd);
	UNTOUCHED(q == 42 && qd == 42);
	RC(dx_simworld_actuator_index, "w NULL", DX_EINVAL, NULL, "m1");
	RC(dx_simworld_actuator_index, "name NULL", DX_EINVAL, w, NULL);
	RC(dx_simworld_actuator_index, "unknown name", DX_ENOENT, w, "nope");
	RC(dx_simworld_set_ctrl, "w NULL", DX_EINVAL, NULL, 0, 0);
	RC(dx_simworld_set_ctrl, "a 1 of 1", DX_EINVAL, w, 1, 0);
	RC(dx_simworld_set_ctrl, "value NaN", DX_ENOTFINITE, w, 0, NaN);
	RC(dx_simworld_set_ctrl, "value 5 outside [-1, 1]", DX_ERANGE, w, 0, 5);
	RC(dx_simworld_ctrl_range, "w NULL", DX_EINVAL, NULL, 0, &lo, &hi);
	RC(dx_simworld_ctrl_range, "a 1 of 1", DX_EINVAL, w, 1, &lo, &hi);
	nb = 3; /* world, arm, obj */
	obj = dx_simworld_body_index(w, "obj");
	ck_assert_int_gt(obj, 0);
	RC(dx_simworld_body_index, "w NULL", DX_EINVAL, NULL, "obj");
	RC(dx_simworld_body_index, "name NULL", DX_EINVAL, w, NULL);
	RC(dx_simworld_body_index, "unknown name", DX_ENOENT, w, "nope");
	RC(dx_simworld_body_pose, "w NULL", DX_EINVAL, NULL, 0, &pz);
	RC(dx_simworld_body_pose, "b past the bodies", DX_EINVAL, w, nb, &pz);
	RC(dx_simworld_body_pose, "out NULL", DX_EINVAL, w, 0, NULL);
	RC(dx_simworld_site_index, "w NULL", DX_EINVAL, NULL, "s00");
	RC(dx_simworld_site_index, "unknown name", DX_ENOENT, w, "nope");
	RC(dx_simworld_site_pose, "s past the sites", DX_EINVAL, w, 1, &pz);
	RC(dx_simworld_site_pose, "out NULL", DX_EINVAL, w, 0, NULL);
	RC(dx_simworld_body_velocity, "w NULL", DX_EINVAL, NULL, 0, f3, NULL);
	RC(dx_simworld_body_velocity, "b past the bodies", DX_EINVAL, w, nb, f3,
	   NULL);
	RC(dx_simworld_body_set_pose, "w NULL", DX_EINVAL, NULL, (unsigned)obj,
	   &pose);
	RC(dx_simworld_body_set_pose, "pose NULL", DX_EINVAL, w, (unsigned)obj,
	   NULL);
	RC(dx_simworld_body_set_pose, "world body", DX_EINVAL, w, 0, &pose);
	RC(dx_simworld_body_set_pose, "body without a free joint", DX_EINVAL, w, 1,
	   &pose);
	pose.quat[3] = 0;
	RC(dx_simworld_body_set_pose, "zero quaternion", DX_EINVAL, w,
	   (unsigned)obj, &pose);
	pose.quat[3] = 1;
	pose.p[0] = NaN;
	RC(dx_simworld_body_set_pose, "position NaN", DX_ENOTFINITE, w,
	   (unsigned)obj, &pose);
	RC(dx_simworld_body_mass, "w NULL", DX_EINVAL, NULL, 1, &m);
	RC(dx_simworld_body_mass, "mass NULL", DX_EINVAL, w, 1, NULL);
	RC(dx_simworld_body_mass, "b past the bodies", DX_EINVAL, w, nb, &m);
	RC(dx_simworld_body_set_mass, "w NULL", DX_EINVAL, NULL, 1, 1);
	RC(dx_simworld_body_set_mass, "world body", DX_EINVAL, w, 0, 1);
	RC(dx_simworld_body_set_mass, "mass 0", DX_EINVAL, w, 1, 0);
	RC(dx_simworld_body_set_mass, "mass 1001 kg", DX_EINVAL, w, 1, 1001);
	RC(dx_simworld_body_set_mass, "mass NaN", DX_ENOTFINITE, w, 1, NaN);
	RC(dx_simworld_contact_force, "w NULL", DX_EINVAL, NULL, 1, -1, f3, NULL);
	RC(dx_simworld_contact_force, "f NULL", DX_EINVAL, w, 1, -1, NULL, NULL);
	RC(dx_simworld_contact_force, "b past the bodies", DX_EINVAL, w, nb, -1, f3,
	   NULL);
	RC(dx_simworld_contact_force, "other past the bodies", DX_EINVAL, w, 1,
	   (int)nb, f3, NULL);
	BOOLC(dx_simworld_in_contact, "w NULL", false, NULL, 1, -1);
	BOOLC(dx_simworld_in_contact, "b past the bodies", false, w, nb, -1);
	VAL(dx_simworld_npads, "w NULL", 0, NULL);
	RC(dx_simworld_pad_index, "w NULL", DX_EINVAL, NULL, "pad");
	RC(dx_simworld_pad_index, "name NULL", DX_EINVAL, w, NULL);
	RC(dx_simworld_pad_index, "unknown name", DX_ENOENT, w, "nope");
	RC(dx_simworld_pad_info, "w NULL", DX_EINVAL, NULL, 0, &pi);
	RC(dx_simworld_pad_info, "p past the pads", DX_EINVAL, w,
	   dx_simworld_npads(w), &pi);
	RC(dx_simworld_pad_info, "out NULL", DX_EINVAL, w, 0, NULL);
	RC(dx_simworld_pad_taxel, "w NULL", DX_EINVAL, NULL, 0, 0, f3, NULL);
	RC(dx_simworld_pad_taxel, "k past the taxels", DX_EINVAL, w, 0, 1, f3, NULL);
	RC(dx_simworld_pad_read, "w NULL", DX_EINVAL, NULL, 0, forces, 4);
	RC(dx_simworld_pad_read, "force NULL", DX_EINVAL, w, 0, NULL, 4);
	RC(dx_simworld_pad_read, "p past the pads", DX_EINVAL, w,
	   dx_simworld_npads(w), forces, 4);
	RC(dx_simworld_pad_read, "n 0 (too small)", DX_ENOSPC, w, 0, forces, 0);
	RC(dx_simworld_pad_contacts, "w NULL", DX_EINVAL, NULL, 0, con, 2);
	RC(dx_simworld_pad_contacts, "out NULL, max 2", DX_EINVAL, w, 0, NULL, 2);
	RC(dx_simworld_pad_contacts, "p past the pads", DX_EINVAL, w,
	   dx_simworld_npads(w), con, 2);
	dx_simworld_free(w);
	module_end();
#endif
}
END_TEST

/* ---- the table ---------------------------------------------------------------- */

/* Functions deliberately without a bad-input case, and why. */
static const struct {
	const char *fn, *why;
} unchecked[] = {
	{"dx_time_now_ns", "no input"},
	{"dx_version", "no input"},
	{"dx_kdl_available", "no input"},
	{"dx_rt_set_other", "no input (acts on the calling thread)"},
	{"dx_rt_lock_memory", "no input (acts on the process)"},
	{"dx_rt_unlock_memory", "no input (acts on the process)"},
	{"dx_mit_model_count", "no input"},
	{"dx_odrive_model_count", "no input"},
	{"dx_cia402_model_count", "no input"},
	{"dx_ns_to_timespec", "total: every int64 is a valid time"},
	{"dx_odrive_fault_decode", "total: every 32-bit error word maps to a "
				   "fault (unknown bits to \"other\")"},
	{"dx_cia402_state_decode", "total: every statusword maps to a state"},
	{"dx_cia402_fault_decode", "total: every error code maps to a fault"},
	{"dx_bridge_*", "libdexrt-bridge is a separate library (Cyclone DDS) "
			"that this test does not link; its command checks "
			"(names, lengths, NaN, limits) are tested in "
			"tests/bridge/test-bridge.c, and its entry points refuse "
			"NULL with DX_EINVAL or ignore it (void)"},
};

static bool have_row(const char *fn)
{
	for (unsigned i = 0; i < nrows; i++)
		if (strcmp(rows[i].fn, fn) == 0)
			return true;
	return false;
}

static bool is_unchecked(const char *fn)
{
	for (size_t i = 0; i < DX_ARRAY_SIZE(unchecked); i++) {
		size_t n = strlen(unchecked[i].fn);
		if (unchecked[i].fn[n - 1] == '*' ?
			    strncmp(unchecked[i].fn, fn, n - 1) == 0 :
			    strcmp(unchecked[i].fn, fn) == 0)
			return true;
	}
	return false;
}

/* Public functions of the installed headers: "dx_name(" on a DX_API line. */
static unsigned scan_headers(char names[][64], unsigned max)
{
	static const char *const headers[] = {
		"core", "can", "simbus", "socketcan", "busload", "drive", "ctl",
		"rt", "kin", "kdl", "tactile", "hand", "sim", "simpad", "simworld",
		"simhand", "bridge"};
	const char *src = getenv("DX_TEST_SRCDIR");
	unsigned n = 0;

	for (size_t h = 0; src && h < DX_ARRAY_SIZE(headers); h++) {
		char path[512], line[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/../include/dexrt/%s.h", src,
			 headers[h]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "DX_API ");
			if (!p || strncmp(line, "DX_API", 6) != 0)
				continue;
			for (p = strstr(p, "dx_"); p; p = strstr(p + 1, "dx_")) {
				size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyz"
						     "0123456789_");
				if (p[k] == '(' && k < 64 && n < max) {
					memcpy(names[n], p, k);
					names[n++][k] = '\0';
					break;
				}
			}
		}
		fclose(f);
	}
	return n;
}

static void write_table(const char *path)
{
	static char names[512][64];
	unsigned nn = scan_headers(names, 512), nfn = 0, missing = 0;
	const char *mod = NULL;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(EXIT_FAILURE);
	}
	for (unsigned i = 0; i < nrows; i++) {
		bool first = true;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(rows[j].fn, rows[i].fn) == 0)
				first = false;
		nfn += first;
	}
	fprintf(f,
		"# Bad input at the public API\n\n"
		"Generated by `tests/test-api.c`; reproduce with\n\n"
		"```\n"
		"meson setup build -Dwerror=true && ninja -C build\n"
		"DX_API_TABLE_MD=$PWD/docs/api-errors.md DX_TEST_SRCDIR=$PWD/tests \\\n"
		"  DX_EXAMPLES_DIR=$PWD/examples build/tests/test-api\n"
		"```\n\n"
		"Each row is a case the test runs: the function, the bad input "
		"given to it, and the result it must give (an error code from "
		"`core.h`, named as `dx_errname()` names it; a value for functions "
		"that return a count, an index, a pointer or a predicate; "
		"*ignored* for functions without a result, which must accept the "
		"input without crashing or changing anything). Where a function "
		"has an output or a side effect, the test also checks that "
		"nothing was written, sent or changed. `meson test` runs the same "
		"cases, also under AddressSanitizer and valgrind in CI.\n\n"
		"%u cases over %u functions.\n",
		nrows, nfn);
	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		if (!mod || strcmp(mod, r->mod) != 0) {
			mod = r->mod;
			fprintf(f, "\n## %s\n\n| function | bad input | result |\n"
				   "|---|---|---|\n", mod);
		}
		fprintf(f, "| `%s` | %s | %s |\n", r->fn, r->input, r->result);
	}
	fprintf(f, "\n## Not checked on purpose\n\n");
	for (size_t i = 0; i < DX_ARRAY_SIZE(unchecked); i++)
		fprintf(f, "- `%s`: %s\n", unchecked[i].fn, unchecked[i].why);
	for (unsigned i = 0; i < nn; i++)
		if (!have_row(names[i]) && !is_unchecked(names[i]))
			missing++;
	if (missing) {
		fprintf(f, "\n## Without a case yet\n\n");
		for (unsigned i = 0; i < nn; i++)
			if (!have_row(names[i]) && !is_unchecked(names[i]))
				fprintf(f, "- `%s`\n", names[i]);
	}
	fclose(f);
	printf("%u cases over %u functions; %u of %u public functions without "
	       "a case\n", nrows, nfn, missing, nn);
}

int main(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");
	const char *md = getenv("DX_API_TABLE_MD");
	SRunner *sr;
	int failed;

	trace = getenv("DX_API_TRACE") != NULL;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_core);
	tcase_add_test(tc, test_can);
	tcase_add_test(tc, test_simbus);
	tcase_add_test(tc, test_socketcan);
	tcase_add_test(tc, test_busload);
	tcase_add_test(tc, test_drive);
	tcase_add_test(tc, test_exchange);
	tcase_add_test(tc, test_ctl);
	tcase_add_test(tc, test_rt);
	tcase_add_test(tc, test_kin);
	tcase_add_test(tc, test_tactile);
	tcase_add_test(tc, test_hand);
	tcase_add_test(tc, test_sim);
	tcase_add_test(tc, test_simworld);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* the rows live in this process only without fork */
	if (md)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (md && failed == 0)
		write_table(md);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
