/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include <dexrt/core.h>

/* The one piece of process-wide state: who receives diagnostics. It is set
 * explicitly by the program (dx_log_set_handler) and read-only otherwise. */
static dx_log_fn log_fn;
static void *log_userdata;
static enum dx_log_priority log_max = DX_LOG_INFO;

DX_API void dx_log_set_handler(dx_log_fn fn, void *userdata,
			       enum dx_log_priority max_prio)
{
	log_fn = fn;
	log_userdata = userdata;
	log_max = max_prio;
}

DX_API void dx_log(enum dx_log_priority prio, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!log_fn || prio > log_max || !fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(prio, buf, log_userdata);
}
