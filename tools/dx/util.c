/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dexrt/core.h>

#include "dx.h"

int dx_tool_fail(const char *what, int err)
{
	fprintf(stderr, "dx: %s: %s (%s)\n", what, dx_strerror(err),
		dx_errname(err));
	return 1;
}

int dx_tool_usage(const char *cmd, const char *msg)
{
	fprintf(stderr, "dx %s: %s\n(see 'dx help %s')\n", cmd, msg, cmd);
	return 2;
}

int dx_tool_parse_double(const char *s, const char *what, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (s[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v)) {
		fprintf(stderr, "dx: %s: '%s' is not a finite number\n", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

int dx_tool_parse_u32(const char *s, const char *what, uint32_t min,
		      uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno == ERANGE ||
	    v < min || v > max) {
		fprintf(stderr, "dx: %s: '%s' is not an integer in [%u, %u]\n",
			what, s, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static void log_stderr(enum dx_log_priority prio, const char *msg, void *ud)
{
	const char *tag = prio <= DX_LOG_ERROR ? "error"
			  : prio <= DX_LOG_WARN ? "warning"
						: "info";
	(void)ud;
	fprintf(stderr, "dexrt %s: %s\n", tag, msg);
}

void dx_tool_log_to_stderr(bool verbose)
{
	dx_log_set_handler(log_stderr, NULL,
			   verbose ? DX_LOG_DEBUG : DX_LOG_WARN);
}
