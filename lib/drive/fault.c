/* SPDX-License-Identifier: MIT */
/* The fault enum shared by every protocol, and small shared helpers. */
#include <ctype.h>

#include "drive-priv.h"

static const char *const fault_names[DX_DRIVE_FAULT_COUNT] = {
	[DX_DRIVE_FAULT_NONE] = "none",
	[DX_DRIVE_FAULT_OVERVOLTAGE] = "overvoltage",
	[DX_DRIVE_FAULT_UNDERVOLTAGE] = "undervoltage",
	[DX_DRIVE_FAULT_OVERCURRENT] = "overcurrent",
	[DX_DRIVE_FAULT_MOTOR_OVERTEMP] = "motor overtemperature",
	[DX_DRIVE_FAULT_DRIVER_OVERTEMP] = "driver overtemperature",
	[DX_DRIVE_FAULT_ENCODER] = "encoder",
	[DX_DRIVE_FAULT_OVERLOAD] = "overload",
	[DX_DRIVE_FAULT_STALL] = "stall",
	[DX_DRIVE_FAULT_COMM_LOSS] = "communication loss",
	[DX_DRIVE_FAULT_CALIBRATION] = "calibration",
	[DX_DRIVE_FAULT_CONFIG] = "configuration",
	[DX_DRIVE_FAULT_ESTOP] = "emergency stop",
	[DX_DRIVE_FAULT_LIMIT] = "limit violation",
	[DX_DRIVE_FAULT_INTERNAL] = "internal",
	[DX_DRIVE_FAULT_OTHER] = "other",
};

DX_API const char *dx_drive_fault_name(enum dx_drive_fault f)
{
	if ((unsigned)f >= DX_DRIVE_FAULT_COUNT)
		return "?";
	return fault_names[f];
}

bool dx__name_eq(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}
