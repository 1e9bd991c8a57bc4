/* SPDX-License-Identifier: MIT */
/* Helpers shared by the kinematics tests: a seeded splitmix64 generator and
 * loading a shipped URDF from $DX_EXAMPLES_DIR/urdf. Define KIN_UTIL_SEED
 * before including to choose the file's seed. */
#ifndef DX_TESTS_KIN_UTIL_H
#define DX_TESTS_KIN_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <dexrt/kin.h>

#include "dx-check.h"

#ifndef KIN_UTIL_SEED
#define KIN_UTIL_SEED 1
#endif

static uint64_t rng = KIN_UTIL_SEED;

/* Uniform in [0, 1), deterministic for the seed (splitmix64). */
static inline double urand(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

/* Loads examples/urdf/NAME or fails the test with the loader's message. */
static inline struct dx_kin_model *load(const char *name)
{
	const char *d = getenv("DX_EXAMPLES_DIR");
	char path[512];
	struct dx_kin_model *m = NULL;
	struct dx_kin_error err;

	snprintf(path, sizeof(path), "%s/urdf/%s", d ? d : "examples", name);
	ck_assert_msg(dx_kin_model_load_file(path, &m, &err) == 0, "%s",
		      err.msg);
	return m;
}

#endif
