/* SPDX-License-Identifier: MIT */
/* Fuzz target: hand.yaml loader (libcyaml schema + validation). */
#include <stdint.h>
#include <stdlib.h>

#include <dexrt/hand.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dx_hand_config *c = NULL;
	struct dx_hand_config_error e;

	/* base_dir /nonexistent: URDF paths never resolve to real files, so
	 * inputs stay independent of the machine. */
	if (dx_hand_config_load_string((const char *)data, size, "fuzz.yaml",
				       "/nonexistent", &c, &e) == 0)
		dx_hand_config_free(c);
	return 0;
}
