/* SPDX-License-Identifier: MIT */
/* Finds examples/urdf for the kinematics benchmarks: $DX_EXAMPLES_DIR/urdf,
 * else relative to this source file (meson compiles with paths relative to
 * the build directory, where benchmarks run), else ./examples/urdf. */
#ifndef DX_BENCH_URDF_H
#define DX_BENCH_URDF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int dxb_urdf_dir(char *out, size_t size)
{
	const char *env = getenv("DX_EXAMPLES_DIR");
	char here[512];
	char *slash;

	if (env) {
		if (snprintf(out, size, "%s/urdf", env) < (int)size &&
		    access(out, R_OK) == 0)
			return 0;
	}
	snprintf(here, sizeof(here), "%s", __FILE__);
	slash = strrchr(here, '/');
	if (slash) {
		*slash = '\0';
		if (snprintf(out, size, "%s/../examples/urdf", here) <
			    (int)size &&
		    access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, size, "examples/urdf");
	return access(out, R_OK) == 0 ? 0 : -1;
}

#endif
