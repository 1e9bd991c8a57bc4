/* SPDX-License-Identifier: MIT */
/* The bus monitor's check of the fault campaigns (test-faults over simbus,
 * test-faults-vcan over vcan): every MIT command frame on the wire decoded
 * and held against the limits of the actuator it addresses. Header-only. */
#ifndef DX_TESTS_LIMIT_CHECK_H
#define DX_TESTS_LIMIT_CHECK_H

#include <math.h>

#include <dexrt/drive.h>
#include <dexrt/hand.h>

#include "dx-check.h"

/* One actuator's command limits in motor units. */
struct limit_check {
	struct dx_mit_addr a;
	double lo, hi, tau;      /* position range (rad), |torque| (N m) */
	double tau_tol, pos_tol; /* one quantisation step of the command */
};

/* From an MIT actuator of the configuration (the master id the hand
 * uses: id + 0x10): joint position limits through gear ratio, direction and
 * zero offset. */
static void limit_check_init(struct limit_check *lc,
			     const struct dx_hand_actuator_config *a)
{
	double g = a->gear_ratio, o = a->zero_offset;

	ck_assert_str_eq(a->protocol, "mit");
	lc->a.model = dx_mit_model_find(a->model);
	ck_assert_ptr_nonnull(lc->a.model);
	lc->a.id = (uint8_t)a->id;
	lc->a.master = (uint8_t)(a->id + 0x10);
	lc->lo = a->direction > 0 ? a->limits.position[0] * g + o
				  : -a->limits.position[1] * g + o;
	lc->hi = a->direction > 0 ? a->limits.position[1] * g + o
				  : -a->limits.position[0] * g + o;
	lc->tau = a->limits.torque;
	/* the codec rounds to the nearest step: a command at the limit may
	 * decode up to half a step above it */
	lc->tau_tol = dx_mit_step(lc->a.model, DX_DRIVE_CLAMP_TAU, false);
	lc->pos_tol = dx_mit_step(lc->a.model, DX_DRIVE_CLAMP_POS, false);
}

enum limit_verdict {
	LIMIT_NOT_MINE = 0, /* not an MIT command to this actuator */
	LIMIT_SPECIAL,      /* enable, disable, set zero */
	LIMIT_OK,           /* a command within the limits */
	LIMIT_OUTSIDE,      /* a command outside them (or not finite) */
};

/* @p f against @p lc; @p c (may be NULL) receives the decoded command. */
static enum limit_verdict limit_check_frame(const struct limit_check *lc,
					    const struct dx_can_frame *f,
					    struct dx_mit_cmd *c)
{
	enum dx_mit_special sp;
	struct dx_mit_cmd cmd;

	if ((f->flags & DX_CAN_ERR) || dx_mit_decode_cmd(&lc->a, f, &sp, &cmd) != 0)
		return LIMIT_NOT_MINE;
	if (sp != DX_MIT_NONE)
		return LIMIT_SPECIAL;
	if (c)
		*c = cmd;
	if (!isfinite(cmd.pos) || !isfinite(cmd.vel) || !isfinite(cmd.kp) ||
	    !isfinite(cmd.kd) || !isfinite(cmd.tau) ||
	    fabs(cmd.tau) > lc->tau + lc->tau_tol ||
	    (cmd.kp > 0 && (cmd.pos < lc->lo - lc->pos_tol ||
			    cmd.pos > lc->hi + lc->pos_tol)))
		return LIMIT_OUTSIDE;
	return LIMIT_OK;
}

#endif
