/* SPDX-License-Identifier: MIT */
/* Private declarations of the hand module. */
#ifndef DEXRT_HAND_PRIV_H
#define DEXRT_HAND_PRIV_H

#include <dexrt/hand.h>

/* Reports an error found after loading (at hand init) with the file, the
 * line of @p field in the YAML source, and the message; logs it and returns
 * @p code. */
int dx__hand_config_fail(const struct dx_hand_config *cfg,
			 struct dx_hand_config_error *err, int code,
			 const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
