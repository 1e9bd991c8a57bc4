/* SPDX-License-Identifier: MIT */
/* Fuzz target: uSkin-style taxel frames (codec and pad pipeline).
 * See fuzz-taxel.h for the input layout and the checks. */
#include "fuzz-taxel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return taxel_fuzz(data, size, DX_TACTILE_PROTO_USKIN);
}
