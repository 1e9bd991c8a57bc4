/* SPDX-License-Identifier: MIT */
/* The two-joint hand of the bridge tests: tests/bridge/hand2.yaml (next to
 * hand2.urdf) with its bus placeholder @BUS@ replaced. */
#ifndef DX_TESTS_BRIDGE_HAND2_H
#define DX_TESTS_BRIDGE_HAND2_H

#include <stdio.h>
#include <string.h>

/* Reads @p dir/hand2.yaml into @p out with @BUS@ replaced by @p bus.
 * Returns 0, or -1 when the file is missing or does not fit. */
static inline int hand2_yaml(const char *dir, const char *bus, char *out,
			     size_t cap)
{
	char path[600], text[4096];
	const char *at;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/hand2.yaml", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	at = strstr(text, "@BUS@");
	if (!at || n + strlen(bus) >= cap)
		return -1;
	snprintf(out, cap, "%.*s%s%s", (int)(at - text), text, bus, at + 5);
	return 0;
}

#endif
