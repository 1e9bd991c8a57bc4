/* SPDX-License-Identifier: MIT */
/* Unit tests of bus timing: exact frame lengths with bit stuffing, worst-case
 * lengths, durations with and without bit-rate switch, and the budget
 * planner.
 *
 * How the expected numbers were obtained. Field sizes are those of
 * ISO 11898-1:2015 (see lib/can/busload.c). For each exact case the bit
 * string was written out by hand field by field (SOF, identifier, control
 * bits, DLC, data), the stuff bits were placed by scanning for runs of five
 * equal bits, and the CRC sequence was obtained by polynomial long division
 * (classic: CRC-15 0x4599 from 0; FD: CRC-17/CRC-21 from a leading 1, over
 * the stuffed stream and the stuff count). The CRC values and the totals
 * were cross-checked with a separate 40-line bit-string script written
 * independently of the library (not part of the build). The derivations are
 * given next to each case. */
#include <math.h>
#include <string.h>

#include <dexrt/busload.h>
#include <dexrt/can.h>

#include "dx-check.h"

static struct dx_can_frame_bits bits_of(const char *text)
{
	struct dx_can_frame f;
	struct dx_can_frame_bits b;

	ck_assert_msg(dx_can_frame_parse(text, &f) == 0, "%s", text);
	ck_assert_int_eq(dx_can_frame_bits(&f, &b), 0);
	return b;
}

/* Classic, 11-bit ID 0x000, 8 bytes of 0x00.
 * Unstuffed SOF..CRC: 1+11+1+1+1+4+64+15 = 98 bits:
 *   15 zeros (SOF, ID, RTR, IDE, r0), DLC 1000, 64 zeros,
 *   CRC-15 = 001010001011011.
 * Stuffing: the 15 leading zeros get a stuff bit after the 5th, 10th and
 * 15th zero (3). DLC '1' then 3 + 64 = 67 zeros: a stuff bit after every
 * fifth, floor(67/5) = 13, leaving 2 zeros that run into the CRC's '00'
 * (4 zeros, then '1': no stuff). The CRC has no run of five. 16 in all.
 * Total: 98 + 16 + CRC delimiter, ACK slot, ACK delimiter, EOF 7 = 124. */
START_TEST(test_classic_all_zero)
{
	struct dx_can_frame_bits b = bits_of("000#0000000000000000");

	ck_assert_uint_eq(b.stuff_bits, 16);
	ck_assert_uint_eq(b.bits, 124);
	ck_assert_uint_eq(b.fixed_stuff, 0);
	ck_assert_uint_eq(b.nominal_bits, 124);
	ck_assert_uint_eq(b.data_bits, 0);
	/* 124 bits at 1 Mbit/s = 124 us; at 125 kbit/s = 992 us */
	ck_assert_int_eq(dx_can_bits_ns(&b, 1000000, 0), 124000);
	ck_assert_int_eq(dx_can_bits_ns(&b, 125000, 0), 992000);
}
END_TEST

/* Classic, ID 0x555, 8 bytes of 0x55: alternating bits.
 * SOF 0, ID 10101010101, RTR 0 IDE 0 r0 0, DLC 1000, data 0101...0101.
 * Longest run in SOF..data: the zeros of RTR, IDE, r0 (3), and DLC's 000
 * followed by the first data bit 0 (4 zeros): no stuff bit there.
 * CRC-15 = 001101100000100 contains '00000' (5 zeros) preceded by '1':
 * one stuff bit. Total: 98 + 1 + 10 = 109. */
START_TEST(test_classic_alternating)
{
	struct dx_can_frame_bits b = bits_of("555#5555555555555555");

	ck_assert_uint_eq(b.stuff_bits, 1);
	ck_assert_uint_eq(b.bits, 109);
	/* The complementary pattern: ID 0x2AA = 01010101010, data 0xAA;
	 * CRC-15 = 100001111010110, no run of five anywhere: 98 + 10. */
	b = bits_of("2AA#AAAAAAAAAAAAAAAA");
	ck_assert_uint_eq(b.stuff_bits, 0);
	ck_assert_uint_eq(b.bits, 108);
}
END_TEST

/* Classic, ID 0x7FF, 8 bytes 0xFF: SOF 0, then 11 ones: stuff bits (0)
 * after the 5th and 10th one (2); then the 11th one, RTR/IDE/r0 = 000,
 * DLC 1000: no run of five. Data: 64 ones after the DLC's 000: a stuff bit
 * after every fifth one, floor(64/5) = 12, 4 ones left. CRC-15 =
 * 100110010001001 starts with '1': with the 4 ones a run of five, one
 * stuff bit before the CRC's second bit. Total stuff 2 + 12 + 1 = 15,
 * bits 98 + 15 + 10 = 123. */
START_TEST(test_classic_all_ones)
{
	struct dx_can_frame_bits b = bits_of("7FF#FFFFFFFFFFFFFFFF");

	ck_assert_uint_eq(b.stuff_bits, 15);
	ck_assert_uint_eq(b.bits, 123);
}
END_TEST

/* Remote and extended frames. */
START_TEST(test_classic_rtr_ext)
{
	/* 123#R: SOF 0, ID 00100100011, RTR 1, IDE 0, r0 0, DLC 0000:
	 * 19 bits; the run r0 + DLC = 5 zeros continues into the CRC-15
	 * 001101110011101 ('00'): one stuff bit after the 5th zero. No
	 * other run of five. 19 + 15 + 1 + 10 = 45. */
	struct dx_can_frame_bits b = bits_of("123#R");
	ck_assert_uint_eq(b.stuff_bits, 1);
	ck_assert_uint_eq(b.bits, 45);

	/* 29-bit ID 0, 8 zero bytes: 35 header bits (SOF, 11 ID zeros, SRR 1,
	 * IDE 1, 18 ID zeros, RTR 0, r1 0, r0 0) + DLC 1000 + 64 zeros +
	 * CRC-15 011110110101111 = 118 bits. Stuffing: 12 zeros -> 2 stuff
	 * (after 5 and 10), '11' joins the stuff '1' -> 3 ones, no stuff;
	 * 18+3 = 21 zeros -> 4 stuff; DLC '1'; 3 + 64 = 67 zeros -> 13 stuff
	 * leaving 2 zeros; CRC starts '0' (3 zeros) then '1111' -> run of 4:
	 * none. Total 2 + 4 + 13 = 19; 118 + 19 + 10 = 147. */
	b = bits_of("00000000#0000000000000000");
	ck_assert_uint_eq(b.stuff_bits, 19);
	ck_assert_uint_eq(b.bits, 147);

	struct dx_can_frame f = {.id = 0x12345678, .flags = DX_CAN_EXT, .len = 1};
	f.data[0] = 0xAA;
	ck_assert_int_eq(dx_can_frame_bits(&f, &b), 0);
	/* 39 + 8 + 15 = 62 unstuffed, 1 stuff bit (script), 73 bits */
	ck_assert_uint_eq(b.bits, 73);
	ck_assert_uint_eq(b.stuff_bits, 1);
}
END_TEST

/* CAN FD, 11-bit ID 0x123, no data, BRS set.
 * Dynamic part (22 bits): SOF 0, ID 00100100011, RRS 0, IDE 0, FDF 1,
 * res 0, BRS 1, ESI 0, DLC 0000. Runs: 000 1 00 1 000 11 00 1 0 1 00000:
 * the only run of five is ESI + DLC at the very end, where the fixed stuff
 * bit that opens the CRC field follows (no dynamic stuff bit, see
 * busload.c). Stuff count 0: Gray 000, parity 0. CRC field: 4 + 17 bits
 * with 6 fixed stuff bits (one before every 4 bits: ceil(21/4)).
 * Total: 22 + 27 + 10 = 59 bits, 6 stuff bits (all fixed).
 * Phases: SOF..BRS = 17 bits and CRC delimiter..EOF = 10 bits nominal (27);
 * ESI, DLC and the CRC field = 5 + 27 = 32 bits at the data rate.
 * At 1 Mbit/s / 5 Mbit/s: 27 us + 32 * 0.2 us = 33.4 us. */
START_TEST(test_fd_empty_brs)
{
	struct dx_can_frame_bits b = bits_of("123##1");

	ck_assert_uint_eq(b.bits, 59);
	ck_assert_uint_eq(b.stuff_bits, 6);
	ck_assert_uint_eq(b.fixed_stuff, 6);
	ck_assert_uint_eq(b.nominal_bits, 27);
	ck_assert_uint_eq(b.data_bits, 32);
	ck_assert_uint_eq(b.crc, 17);
	ck_assert_int_eq(dx_can_bits_ns(&b, 1000000, 5000000), 33400);
	/* without a data bitrate everything runs at the nominal rate */
	ck_assert_int_eq(dx_can_bits_ns(&b, 1000000, 0), 59000);
	/* The same frame without BRS: res, BRS, ESI and DLC are now seven
	 * zeros, so a dynamic stuff bit follows the fifth (stuff count 1):
	 * 60 bits, all at the nominal rate. */
	b = bits_of("123##0");
	ck_assert_uint_eq(b.bits, 60);
	ck_assert_uint_eq(b.stuff_bits, 7);
	ck_assert_uint_eq(b.data_bits, 0);
	ck_assert_int_eq(dx_can_bits_ns(&b, 1000000, 5000000), 60000);
}
END_TEST

/* CAN FD, ID 0x000, 64 zero bytes, no BRS (CRC-21).
 * Dynamic part: 22 + 512 = 534 bits: 14 zeros (SOF, ID, RRS, IDE) -> stuff
 * after the 5th and 10th (2), 4 zeros left; FDF 1; res, BRS, ESI 000;
 * DLC 1111; then 512 zeros: a stuff bit after every fifth, 512 = 5*102 + 2
 * -> 102. Dynamic stuff 104; 104 mod 8 = 0: stuff count 0000.
 * CRC field: 4 + 21 bits with 7 fixed stuff bits (ceil(25/4)).
 * Total: 534 + 104 + 32 + 10 = 680 bits, 111 stuff bits. */
START_TEST(test_fd_all_zero_64)
{
	char text[200] = "000##0";
	struct dx_can_frame_bits b;

	for (int i = 0; i < 64; i++)
		strcat(text, "00");
	b = bits_of(text);
	ck_assert_uint_eq(b.bits, 680);
	ck_assert_uint_eq(b.stuff_bits, 111);
	ck_assert_uint_eq(b.fixed_stuff, 7);
	ck_assert_uint_eq(b.crc, 21);
	ck_assert_int_eq(dx_can_bits_ns(&b, 500000, 0), 1360000);
}
END_TEST

/* CAN FD alternating and mixed payloads (totals from the script; the
 * structure checked by hand: fixed stuff 6 for <= 16 bytes, 7 above). */
START_TEST(test_fd_other)
{
	char text[200];
	struct dx_can_frame_bits b;

	/* 0x123, 64 bytes 0xAA, BRS+ESI: header runs 000 1 00 1 000 11 00
	 * 1 0 1 1 (ESI) then DLC 1111: six ones, one dynamic stuff bit; the
	 * data alternates. 534 + 1 + 32 + 10 = 577 bits, 8 stuff
	 * (1 dynamic + 7 fixed). Nominal SOF..BRS 17 + 10 = 27. */
	strcpy(text, "123##3");
	for (int i = 0; i < 64; i++)
		strcat(text, "AA");
	b = bits_of(text);
	ck_assert_uint_eq(b.bits, 577);
	ck_assert_uint_eq(b.stuff_bits, 8);
	ck_assert_uint_eq(b.nominal_bits, 27);
	ck_assert_uint_eq(b.data_bits, 550);
	/* 27 us nominal + 550 bits at 8 Mbit/s (68.75 us) = 95.75 us */
	ck_assert_int_eq(dx_can_bits_ns(&b, 1000000, 8000000), 95750);

	/* 0x123, 8 bytes 00..77, BRS: 125 bits, 2 dynamic + 6 fixed */
	b = bits_of("123##10011223344556677");
	ck_assert_uint_eq(b.bits, 125);
	ck_assert_uint_eq(b.stuff_bits, 8);
	ck_assert_uint_eq(b.fixed_stuff, 6);

	/* 29-bit FD with BRS: SOF..BRS is 36 bits nominal */
	strcpy(text, "1ABCDEF0##1");
	for (int i = 0; i < 20; i++)
		strcat(text, "55");
	b = bits_of(text);
	ck_assert_uint_eq(b.bits, 245);
	ck_assert_uint_eq(b.stuff_bits, 9);
	ck_assert_uint_eq(b.fixed_stuff, 7);
	ck_assert_uint_eq(b.nominal_bits, 48); /* 36 + 2 stuff + 10 */
}
END_TEST

START_TEST(test_bits_bad_input)
{
	struct dx_can_frame f = {.id = 0x800, .len = 1};
	struct dx_can_frame_bits b;

	ck_assert_int_eq(dx_can_frame_bits(&f, &b), DX_EINVAL);
	f.id = 1;
	f.len = 9;
	ck_assert_int_eq(dx_can_frame_bits(&f, &b), DX_EMSGSIZE);
	f.len = 8;
	f.flags = DX_CAN_ERR;
	ck_assert_int_eq(dx_can_frame_bits(&f, &b), DX_EINVAL);
	ck_assert_int_eq(dx_can_frame_bits(NULL, &b), DX_EINVAL);
	f.flags = 0;
	ck_assert_int_eq(dx_can_frame_ns(&f, 0, 0), DX_EINVAL);
	ck_assert_int_eq(dx_can_frame_bits_worst(0, DX_CAN_FD, 13, &b),
			 DX_EMSGSIZE);
	ck_assert_int_eq(dx_can_frame_bits_worst(0, 0, 65, &b), DX_EMSGSIZE);
}
END_TEST

/* Worst cases. Classic (Davis et al. 2007, eq. 4 without the 3-bit
 * intermission): 11-bit 8 bytes: 34 + 64 + 10 + floor(97/4) = 132 (the
 * familiar 135 with the intermission); 29-bit 8 bytes: 54 + 64 + 10 +
 * floor(117/4) = 157 (160). FD 11-bit 64 bytes: dynamic 22 + 512 = 534,
 * + floor(533/4) = 133, + 4 + 21 + 7 + 10 = 709. Every exact length is at
 * most its worst case. */
START_TEST(test_worst_case)
{
	struct dx_can_frame_bits w, b;

	ck_assert_int_eq(dx_can_frame_bits_worst(0x123, 0, 8, &w), 0);
	ck_assert_uint_eq(w.bits, 132);
	ck_assert_uint_eq(w.stuff_bits, 24);
	ck_assert_int_eq(dx_can_frame_bits_worst(0x123, DX_CAN_EXT, 8, &w), 0);
	ck_assert_uint_eq(w.bits, 157);
	ck_assert_int_eq(dx_can_frame_bits_worst(0x123, DX_CAN_RTR, 8, &w), 0);
	ck_assert_uint_eq(w.bits, 52); /* 34 + 10 + floor(33/4) */
	ck_assert_int_eq(dx_can_frame_bits_worst(0, DX_CAN_FD, 64, &w), 0);
	ck_assert_uint_eq(w.bits, 709);
	ck_assert_uint_eq(w.fixed_stuff, 7);
	/* BRS: SOF..BRS 17 bits + floor(16/4) stuff + 10 tail = 31 nominal */
	ck_assert_int_eq(dx_can_frame_bits_worst(0, DX_CAN_FD | DX_CAN_BRS,
						 64, &w), 0);
	ck_assert_uint_eq(w.nominal_bits, 31);
	ck_assert_uint_eq(w.data_bits, 678);

	/* exact <= worst for many contents */
	uint32_t seed = 12345;
	for (int i = 0; i < 3000; i++) {
		struct dx_can_frame f;
		static const uint8_t fdl[] = {0, 1, 5, 8, 12, 16, 20, 32, 64};
		memset(&f, 0, sizeof(f));
		seed = seed * 1103515245u + 12345u;
		f.flags = (uint8_t)(((seed >> 8) & 1 ? DX_CAN_EXT : 0) |
				    ((seed >> 9) & 1 ? DX_CAN_FD : 0));
		if ((f.flags & DX_CAN_FD) && ((seed >> 10) & 1))
			f.flags |= DX_CAN_BRS;
		f.id = (seed >> 3) & ((f.flags & DX_CAN_EXT) ? DX_CAN_EFF_MASK
							    : DX_CAN_SFF_MASK);
		f.len = (f.flags & DX_CAN_FD) ? fdl[(seed >> 12) % 9]
					      : (uint8_t)((seed >> 12) % 9);
		for (unsigned k = 0; k < f.len; k++) {
			seed = seed * 1103515245u + 12345u;
			/* biased towards long runs */
			f.data[k] = (seed >> 16) & 1 ? 0x00 : (seed >> 17) & 1
					? 0xff : (uint8_t)(seed >> 20);
		}
		ck_assert_int_eq(dx_can_frame_bits(&f, &b), 0);
		ck_assert_int_eq(dx_can_frame_bits_worst(f.id, f.flags, f.len,
							 &w), 0);
		ck_assert_uint_le(b.bits, w.bits);
		ck_assert_uint_le(b.nominal_bits, w.nominal_bits);
		ck_assert_int_le(dx_can_bits_ns(&b, 500000, 2000000),
				 dx_can_bits_ns(&w, 500000, 2000000));
	}
}
END_TEST

/* Planner. Bus 0: 1 Mbit/s, four 11-bit 8-byte frames at 1 kHz: each
 * charged 132 + 3 = 135 us, load 4 * 135e-6 * 1000 = 0.54. At max load 0.7
 * it fits; scale 0.7 / 0.54; once-per-period rate 0.7 / 540e-6 = 1296.3 Hz.
 * Bus 1: 500 kbit/s, three such frames at 1 kHz: 270 us each, load 0.81:
 * does not fit; common rate 0.7 / 810e-6 = 864.2 Hz (the minimum). */
START_TEST(test_planner)
{
	struct dx_can_periodic fr[7];
	struct dx_can_bus_rates buses[2] = {{1000000, 0}, {500000, 0}};
	struct dx_can_bus_budget out[2];
	double common;

	for (int i = 0; i < 7; i++) {
		fr[i] = (struct dx_can_periodic){.bus = i < 4 ? 0u : 1u,
						 .id = 0x100u + (uint32_t)i,
						 .len = 8, .rate_hz = 1000.0};
	}
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.7, out, &common),
			 0);
	dx_ck_near(out[0].load, 0.54, 1e-12);
	ck_assert(out[0].fits);
	dx_ck_near(out[0].max_scale, 0.7 / 0.54, 1e-9);
	dx_ck_near(out[0].max_common_hz, 0.7 / 540e-6, 1e-6);
	dx_ck_near(out[0].frames_per_s, 4000.0, 1e-9);
	ck_assert_uint_eq(out[1].n_frames, 0);
	ck_assert(out[1].fits);
	ck_assert(isinf(out[1].max_common_hz));
	dx_ck_near(common, 0.7 / 540e-6, 1e-6);

	ck_assert_int_eq(dx_can_budget_plan(fr, 7, buses, 2, 0.7, out, &common),
			 DX_EBUDGET);
	dx_ck_near(out[1].load, 0.81, 1e-12);
	ck_assert(!out[1].fits);
	ck_assert(out[0].fits);
	dx_ck_near(common, 0.7 / 810e-6, 1e-6);
	/* with a full bus allowed it fits */
	ck_assert_int_eq(dx_can_budget_plan(fr, 7, buses, 2, 1.0, out, NULL), 0);

	/* FD with BRS at 1 M / 5 M, 64 bytes: nominal 31 + 3 IFS = 34 us,
	 * data 678 bits = 135.6 us: 169.6 us per frame; at 2 kHz 0.3392 */
	struct dx_can_periodic fd = {.bus = 0, .id = 1, .len = 64,
				     .flags = DX_CAN_FD | DX_CAN_BRS,
				     .rate_hz = 2000.0};
	struct dx_can_bus_rates fdbus = {1000000, 5000000};
	ck_assert_int_eq(dx_can_budget_plan(&fd, 1, &fdbus, 1, 0.5, out, &common),
			 0);
	dx_ck_near(out[0].cycle_s, 169.6e-6, 1e-12);
	dx_ck_near(out[0].load, 0.3392, 1e-12);
	dx_ck_near(common, 0.5 / 169.6e-6, 1e-6);

	/* bad input */
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.0, out, NULL),
			 DX_EINVAL);
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 1.5, out, NULL),
			 DX_EINVAL);
	fr[0].bus = 2;
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.7, out, NULL),
			 DX_EINVAL);
	fr[0].bus = 0;
	fr[0].rate_hz = -1;
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.7, out, NULL),
			 DX_EINVAL);
	fr[0].rate_hz = NAN;
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.7, out, NULL),
			 DX_EINVAL);
	fr[0].rate_hz = 10;
	fr[0].len = 9;
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.7, out, NULL),
			 DX_EMSGSIZE);
	buses[1].bitrate = 0;
	fr[0].len = 8;
	ck_assert_int_eq(dx_can_budget_plan(fr, 4, buses, 2, 0.7, out, NULL),
			 DX_EINVAL);
}
END_TEST

static Suite *busload_suite(void)
{
	Suite *s = suite_create("busload");
	TCase *tc = tcase_create("timing");

	tcase_add_test(tc, test_classic_all_zero);
	tcase_add_test(tc, test_classic_alternating);
	tcase_add_test(tc, test_classic_all_ones);
	tcase_add_test(tc, test_classic_rtr_ext);
	tcase_add_test(tc, test_fd_empty_brs);
	tcase_add_test(tc, test_fd_all_zero_64);
	tcase_add_test(tc, test_fd_other);
	tcase_add_test(tc, test_bits_bad_input);
	tcase_add_test(tc, test_worst_case);
	tcase_add_test(tc, test_planner);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(busload_suite());
}
