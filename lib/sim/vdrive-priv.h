/* SPDX-License-Identifier: MIT */
/* Private: per-protocol parts of the virtual drive. Never installed. */
#ifndef DEXRT_VDRIVE_PRIV_H
#define DEXRT_VDRIVE_PRIV_H

#include <math.h>
#include <string.h>

#include <dexrt/sim.h>

/* Protocol handlers: decode @p in, update @p v, write replies. Return the
 * number of frames written, 0 when the frame is not for @p v, or a
 * negative code. */
int dx__vmit_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
		    struct dx_can_frame *out, size_t max);
int dx__vodrive_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
		       struct dx_can_frame *out, size_t max);
int dx__vcia402_handle(struct dx_vdrive *v, const struct dx_can_frame *in,
		       struct dx_can_frame *out, size_t max);

/* Control laws: torque the drive applies now (output side, N·m). */
double dx__vmit_torque(const struct dx_vdrive *v);
double dx__vodrive_torque(const struct dx_vdrive *v);
double dx__vcia402_torque(struct dx_vdrive *v);

/* Spontaneous frames after a step (heartbeat, EMCY, boot-up). */
int dx__vodrive_tick(struct dx_vdrive *v, double dt, struct dx_can_frame *out,
		     size_t max);
int dx__vcia402_tick(struct dx_vdrive *v, double dt, struct dx_can_frame *out,
		     size_t max);

/* The fault the drive reports: the thermal fault of the motor or the
 * injected one. */
static inline enum dx_drive_fault dx__vdrive_fault(const struct dx_vdrive *v)
{
	if (v->injected != DX_DRIVE_FAULT_NONE)
		return v->injected;
	return v->motor.thermal_fault ? DX_DRIVE_FAULT_MOTOR_OVERTEMP :
					DX_DRIVE_FAULT_NONE;
}

/* May a latched fault be cleared now (cause gone)? */
static inline bool dx__vdrive_can_clear(const struct dx_vdrive *v)
{
	return v->injected == DX_DRIVE_FAULT_NONE &&
	       v->motor.temp_c < v->motor.p.clear_temp_c;
}

#endif
