/* SPDX-License-Identifier: MIT */
/* Unit tests of CAN frames and their can-utils text forms: length codes,
 * consistency checks, text and candump -L round trips and every kind of bad
 * input the parsers must refuse. */
#include <string.h>

#include <dexrt/can.h>

#include "dx-check.h"

START_TEST(test_dlc_tables)
{
	static const unsigned fd_lens[] = {0, 1, 2, 3, 4, 5, 6, 7, 8,
					   12, 16, 20, 24, 32, 48, 64};
	for (unsigned d = 0; d < 16; d++) {
		ck_assert_int_eq(dx_can_len_to_dlc(fd_lens[d]), (int)d);
		ck_assert_uint_eq(dx_can_dlc_to_len(d, true), fd_lens[d]);
		ck_assert_uint_eq(dx_can_dlc_to_len(d, false), d > 8 ? 8 : d);
	}
	ck_assert_int_eq(dx_can_len_to_dlc(9), -1);
	ck_assert_int_eq(dx_can_len_to_dlc(63), -1);
	ck_assert_int_eq(dx_can_len_to_dlc(65), -1);
	ck_assert_uint_eq(dx_can_dlc_to_len(99, true), 64);
}
END_TEST

START_TEST(test_frame_check)
{
	struct dx_can_frame f;

	memset(&f, 0, sizeof(f));
	f.id = 0x7ff;
	f.len = 8;
	ck_assert_int_eq(dx_can_frame_check(&f), 0);
	f.id = 0x800;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	f.flags = DX_CAN_EXT;
	ck_assert_int_eq(dx_can_frame_check(&f), 0);
	f.id = 0x20000000;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	f.id = 1;
	f.len = 9;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EMSGSIZE);
	f.flags = DX_CAN_FD;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EMSGSIZE);
	f.len = 12;
	ck_assert_int_eq(dx_can_frame_check(&f), 0);
	f.flags = DX_CAN_FD | DX_CAN_RTR;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	f.flags = DX_CAN_BRS; /* BRS on a classic frame */
	f.len = 1;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	f.flags = 0x80; /* unknown flag */
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	f.flags = DX_CAN_ERR | DX_CAN_FD;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	f.flags = DX_CAN_ERR | DX_CAN_EXT; /* class bits have no ID format */
	f.len = 8;
	ck_assert_int_eq(dx_can_frame_check(&f), DX_EINVAL);
	ck_assert_int_eq(dx_can_frame_check(NULL), DX_EINVAL);
}
END_TEST

/* Each text form parses to the expected frame and formats back to the same
 * text (the canonical uppercase form). */
static const struct {
	const char *text;
	uint32_t id;
	uint8_t flags, len;
	const char *hex; /* expected data as hex, or NULL for none */
} good[] = {
	{"123#DEADBEEF", 0x123, 0, 4, "DEADBEEF"},
	{"7FF#", 0x7ff, 0, 0, NULL},
	{"000#0000000000000000", 0, 0, 8, "0000000000000000"},
	{"12345678#00", 0x12345678, DX_CAN_EXT, 1, "00"},
	{"1FFFFFFF#0102030405060708", 0x1fffffff, DX_CAN_EXT, 8,
	 "0102030405060708"},
	{"00000123#11", 0x123, DX_CAN_EXT, 1, "11"},
	{"123#R", 0x123, DX_CAN_RTR, 0, NULL},
	{"123#R8", 0x123, DX_CAN_RTR, 8, NULL},
	{"12345678#R3", 0x12345678, DX_CAN_EXT | DX_CAN_RTR, 3, NULL},
	{"123##0", 0x123, DX_CAN_FD, 0, NULL},
	{"123##1DEADBEEF", 0x123, DX_CAN_FD | DX_CAN_BRS, 4, "DEADBEEF"},
	{"123##2001122334455667788990011", 0x123, DX_CAN_FD | DX_CAN_ESI, 12,
	 "001122334455667788990011"},
	{"1ABCDEF0##3AA", 0x1abcdef0, DX_CAN_EXT | DX_CAN_FD | DX_CAN_BRS |
	 DX_CAN_ESI, 1, "AA"},
	{"20000004#0004000000000000", 0x4, DX_CAN_ERR, 8, "0004000000000000"},
};

static void hex_to_bytes(const char *hex, uint8_t *out)
{
	for (size_t i = 0; hex && hex[2 * i]; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

START_TEST(test_text_round_trip)
{
	for (size_t i = 0; i < DX_ARRAY_SIZE(good); i++) {
		struct dx_can_frame f;
		uint8_t want[64] = {0};
		char buf[DX_CAN_TEXT_MAX];

		ck_assert_msg(dx_can_frame_parse(good[i].text, &f) == 0, "%s",
			      good[i].text);
		ck_assert_uint_eq(f.id, good[i].id);
		ck_assert_uint_eq(f.flags, good[i].flags);
		ck_assert_uint_eq(f.len, good[i].len);
		hex_to_bytes(good[i].hex, want);
		if (!(f.flags & DX_CAN_RTR))
			ck_assert_mem_eq(f.data, want, f.len);
		ck_assert_int_eq(dx_can_frame_format(&f, buf, sizeof(buf)),
				 (int)strlen(good[i].text));
		ck_assert_str_eq(buf, good[i].text);
	}
}
END_TEST

START_TEST(test_text_lenient_forms)
{
	struct dx_can_frame f;
	char buf[DX_CAN_TEXT_MAX];

	/* separators, lowercase, blanks around, FDF flag of newer can-utils */
	ck_assert_int_eq(dx_can_frame_parse("  1a2#de.ad.be.ef\n", &f), 0);
	ck_assert_uint_eq(f.id, 0x1a2);
	ck_assert_int_eq(f.len, 4);
	ck_assert_uint_eq(f.data[3], 0xef);
	dx_can_frame_format(&f, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1A2#DEADBEEF");
	ck_assert_int_eq(dx_can_frame_parse("123##5AA", &f), 0);
	ck_assert_uint_eq(f.flags, DX_CAN_FD | DX_CAN_BRS);
	ck_assert_int_eq(dx_can_frame_parse("123#r", &f), 0);
	ck_assert(f.flags & DX_CAN_RTR);

	/* a full 64-byte FD frame formats to the longest text */
	memset(&f, 0xab, sizeof(f));
	f.id = 0x1fffffff;
	f.flags = DX_CAN_EXT | DX_CAN_FD | DX_CAN_BRS | DX_CAN_ESI;
	f.len = 64;
	ck_assert_int_eq(dx_can_frame_format(&f, buf, sizeof(buf)), 139);
	ck_assert_int_eq(dx_can_frame_format(&f, buf, 139), DX_ENOSPC);
	struct dx_can_frame g;
	ck_assert_int_eq(dx_can_frame_parse(buf, &g), 0);
	ck_assert_mem_eq(g.data, f.data, 64);
	/* invalid frames are not formatted */
	f.len = 63;
	ck_assert_int_eq(dx_can_frame_format(&f, buf, sizeof(buf)), DX_EINVAL);
}
END_TEST

static const struct {
	const char *text;
	int err;
} bad[] = {
	{"", DX_EBADMSG},
	{"123", DX_EBADMSG},            /* no separator */
	{"#11", DX_EBADMSG},            /* no id */
	{"12#11", DX_EBADMSG},          /* 2-digit id */
	{"1234#11", DX_EBADMSG},        /* 4-digit id */
	{"800#11", DX_EBADMSG},         /* 11-bit id out of range */
	{"G23#11", DX_EBADMSG},         /* not hex */
	{"40000000#11", DX_EBADMSG},    /* RTR flag bit in the id */
	{"123#1", DX_EBADMSG},          /* half a byte */
	{"123#123", DX_EBADMSG},
	{"123#1G", DX_EBADMSG},
	{"123#.11", DX_EBADMSG},        /* separator misplaced */
	{"123#11.", DX_EBADMSG},
	{"123#11..22", DX_EBADMSG},
	{"123#11 22", DX_EBADMSG},      /* inner blank */
	{"123#001122334455667788", DX_EMSGSIZE}, /* 9 bytes classic */
	{"123#R9", DX_EMSGSIZE},        /* RTR length code beyond 8 */
	{"123#RF", DX_EMSGSIZE},
	{"123#R12", DX_EBADMSG},
	{"123#RX", DX_EBADMSG},
	{"123#1122_9", DX_EBADMSG},     /* raw DLC suffix not supported */
	{"123##", DX_EBADMSG},          /* FD without flags nibble */
	{"123##8", DX_EBADMSG},         /* unknown FD flag bit */
	{"123##F00", DX_EBADMSG},
	{"123##G", DX_EBADMSG},
	{"123##0001122334455667788", DX_EMSGSIZE}, /* 9 bytes: no FD DLC */
	{"123##0000102030405060708090A0B0C0D0E0F10111213141516171819"
	 "1A1B1C1D1E1F202122232425262728292A2B2C2D2E2F3031323334353637"
	 "38393A3B3C3D3E3F40", DX_EMSGSIZE}, /* 65 bytes */
	{"123##R", DX_EBADMSG},         /* FD remote frame */
	{"20000004##0", DX_EBADMSG},    /* FD error frame */
	{"20000004#R", DX_EBADMSG},
	{"20000004#001122334455667788", DX_EMSGSIZE},
};

START_TEST(test_text_bad_input)
{
	struct dx_can_frame f;

	for (size_t i = 0; i < DX_ARRAY_SIZE(bad); i++)
		ck_assert_msg(dx_can_frame_parse(bad[i].text, &f) == bad[i].err,
			      "'%s': got %d want %d", bad[i].text,
			      dx_can_frame_parse(bad[i].text, &f), bad[i].err);
	ck_assert_int_eq(dx_can_frame_parse(NULL, &f), DX_EINVAL);
	ck_assert_int_eq(dx_can_frame_parse("123#", NULL), DX_EINVAL);
}
END_TEST

START_TEST(test_log_lines)
{
	struct dx_can_frame f;
	char ifn[64], buf[DX_CAN_LOG_MAX];

	ck_assert_int_eq(dx_can_log_parse("(1700000000.123456) can0 123#DEADBEEF",
					  &f, ifn, sizeof(ifn)), 0);
	ck_assert_str_eq(ifn, "can0");
	ck_assert_int_eq(f.ts_ns, INT64_C(1700000000123456000));
	ck_assert_uint_eq(f.id, 0x123);
	ck_assert_int_eq(f.len, 4);
	ck_assert_int_eq(dx_can_log_format(&f, ifn, buf, sizeof(buf)), 37);
	ck_assert_str_eq(buf, "(1700000000.123456) can0 123#DEADBEEF");

	/* FD, extended, trailing newline; fraction of other widths */
	ck_assert_int_eq(dx_can_log_parse("(0.5) vcan1 1ABCDEF0##1AA\n", &f,
					  ifn, sizeof(ifn)), 0);
	ck_assert_int_eq(f.ts_ns, 500000000);
	ck_assert_str_eq(ifn, "vcan1");
	dx_can_log_format(&f, "vcan1", buf, sizeof(buf));
	ck_assert_str_eq(buf, "(0.500000) vcan1 1ABCDEF0##1AA");
	ck_assert_int_eq(dx_can_log_parse("(12.000000001) x 001#R", &f, NULL,
					  0), 0);
	ck_assert_int_eq(f.ts_ns, INT64_C(12000000001));

	/* every line round-trips through format and parse */
	for (size_t i = 0; i < DX_ARRAY_SIZE(good); i++) {
		struct dx_can_frame g, h;
		ck_assert_int_eq(dx_can_frame_parse(good[i].text, &g), 0);
		g.ts_ns = INT64_C(1234567890123456000);
		ck_assert_int_gt(dx_can_log_format(&g, "can0", buf, sizeof(buf)), 0);
		ck_assert_int_eq(dx_can_log_parse(buf, &h, ifn, sizeof(ifn)), 0);
		ck_assert_int_eq(h.ts_ns, g.ts_ns);
		ck_assert_uint_eq(h.id, g.id);
		ck_assert_uint_eq(h.flags, g.flags);
		ck_assert_uint_eq(h.len, g.len);
	}

	/* malformed lines */
	static const char *badl[] = {
		"", "can0 123#11", "(1700000000.123456)can0 123#11",
		"(1700000000.123456) can0", "(1700000000.123456) can0 ",
		"(1700000000) can0 123#11", "(.5) can0 123#11",
		"(1.) can0 123#11", "(1.5 can0 123#11", "(a.5) can0 123#11",
		"(1.1234567890) can0 123#11", "(99999999999.0) can0 123#11",
		"(1.5) can0 123#11 extra", "[1.5] can0 123#11",
		"(1.5) can0 123#1",
	};
	for (size_t i = 0; i < DX_ARRAY_SIZE(badl); i++)
		ck_assert_msg(dx_can_log_parse(badl[i], &f, ifn, sizeof(ifn)) ==
				      DX_EBADMSG, "'%s'", badl[i]);
	ck_assert_int_eq(dx_can_log_parse("(1.5) can0 123#001122334455667788",
					  &f, ifn, sizeof(ifn)), DX_EMSGSIZE);
	ck_assert_int_eq(dx_can_log_parse("(1.5) can0 123#11", &f, ifn, 4),
			 DX_ENOSPC);
	/* interface names: no blanks, not empty, 63 chars at most */
	ck_assert_int_eq(dx_can_log_format(&f, "", buf, sizeof(buf)), DX_EINVAL);
	ck_assert_int_eq(dx_can_log_format(&f, "a b", buf, sizeof(buf)),
			 DX_EINVAL);
	ck_assert_int_eq(dx_can_log_format(&f, "can0", buf, 10), DX_ENOSPC);
}
END_TEST

static Suite *can_suite(void)
{
	Suite *s = suite_create("can");
	TCase *tc = tcase_create("frames");

	tcase_add_test(tc, test_dlc_tables);
	tcase_add_test(tc, test_frame_check);
	tcase_add_test(tc, test_text_round_trip);
	tcase_add_test(tc, test_text_lenient_forms);
	tcase_add_test(tc, test_text_bad_input);
	tcase_add_test(tc, test_log_lines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(can_suite());
}
