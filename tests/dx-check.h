/* SPDX-License-Identifier: MIT */
/* Shared helpers for the Check test programs. */
#ifndef DX_TESTS_CHECK_H
#define DX_TESTS_CHECK_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Exit status meson counts as "skipped". */
#define DX_TEST_SKIP 77

/* Floating-point comparison with a stated absolute tolerance. */
#define dx_ck_near(a, b, tol)                                                  \
	do {                                                                   \
		double dx_a_ = (a), dx_b_ = (b), dx_t_ = (tol);                \
		ck_assert_msg(fabs(dx_a_ - dx_b_) <= dx_t_,                    \
			      "%s = %.12g, %s = %.12g, |diff| %.3g > tol %.3g", \
			      #a, dx_a_, #b, dx_b_, fabs(dx_a_ - dx_b_),       \
			      dx_t_);                                          \
	} while (0)

/* Runs a suite and turns the result into an exit status. */
static inline int dx_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Ends the program as skipped with a reason (meson counts exit 77 as SKIP). */
static inline void dx_test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	fflush(stdout);
	exit(DX_TEST_SKIP);
}

#endif
