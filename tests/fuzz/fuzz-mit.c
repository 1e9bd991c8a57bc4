/* SPDX-License-Identifier: MIT */
/* Fuzz target: MIT-style drive codecs, CubeMars AK and Damiao DM models.
 * See fuzz-mit.h for the input layout and the checks. */
#include "fuzz-mit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return mit_fuzz(data, size, false);
}
