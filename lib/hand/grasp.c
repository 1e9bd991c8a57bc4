/* SPDX-License-Identifier: MIT */
/* Grasp primitives driven by touch. Each finger of a primitive runs:
 *
 *   CLOSING   references move from where they are towards the finger's
 *             `close` posture at a fixed fraction of the joint speed limit,
 *             until the finger senses contact: its pad reports contact
 *             when the finger has a working pad (the torque-based force is
 *             biased while the finger accelerates, so it is not trusted
 *             for the decision then), otherwise the fused force stays
 *             above a third of the grip target for CONTACT_CYCLES;
 *   HOLDING   admittance force control: every joint reference of the
 *             finger moves along its closing direction in proportion to
 *             the grip force error (target - fused contact force), so the
 *             position PID presses until the fused force matches; slip
 *             raises the target by 25 % (up to 3x the requested force),
 *             at most once per 50 cycles;
 *   RELEASING references return to home through the trajectory
 *             generator; the finger is IDLE when they arrive.
 *
 * Fingers are chosen by fingertip link name: pinch = thumb + index,
 * tripod = thumb + index + middle, power = every finger. A hand whose tips
 * are not named that way uses its first two (three) tips. */
#include <math.h>
#include <string.h>

#include "hand-priv.h"

#define CLOSE_SPEED 0.3      /* fraction of the joint velocity limit */
#define CLOSE_SPEED_MAX 1.0  /* rad/s */
#define ADMITTANCE 0.1       /* rad/s per N of force error */
#define CONTACT_CYCLES 10
#define SLIP_GAIN 1.25
#define SLIP_MAX 3.0
#define SLIP_COOLDOWN 50

static int tip_named(const struct dx_hand *h, const char *word)
{
	for (unsigned t = 0; t < h->ntips; t++)
		if (strstr(h->tip[t].name, word))
			return (int)t;
	return -1;
}

static uint32_t fingers_of(const struct dx_hand *h, enum dx_grasp g)
{
	int thumb = tip_named(h, "thumb"), index = tip_named(h, "index"),
	    middle = tip_named(h, "middle");
	unsigned want = g == DX_GRASP_PINCH ? 2 : 3;

	if (g == DX_GRASP_POWER || g == DX_GRASP_RELEASE)
		return h->ntips >= 32 ? 0xffffffffu : (1u << h->ntips) - 1;
	if (thumb < 0 || index < 0 || (want == 3 && middle < 0))
		return h->ntips >= want ? (1u << want) - 1 : (1u << h->ntips) - 1;
	return (1u << thumb) | (1u << index) |
	       (want == 3 ? 1u << middle : 0u);
}

void dx__hand_grasp_start(struct dx_hand *h, int64_t now_ns, enum dx_grasp g,
			  double force)
{
	uint32_t m = fingers_of(h, g);

	for (unsigned t = 0; t < h->ntips; t++) {
		struct hand_tip *tp = &h->tip[t];
		bool usable = true;

		if (!(m >> t & 1))
			continue;
		for (unsigned k = 0; k < tp->nj; k++)
			if (h->js[tp->joint[k]].reaction >= DX_REACT_HOLD)
				usable = false;
		if (!usable)
			continue; /* a finger in a safety stop stays there */
		tp->ik_active = false;
		if (g == DX_GRASP_RELEASE) {
			if (tp->phase == GRASP_IDLE)
				continue;
			tp->phase = GRASP_RELEASING;
			for (unsigned k = 0; k < tp->nj; k++) {
				unsigned j = tp->joint[k];
				/* from the moving reference: no velocity step */
				struct dx_traj_state s = {h->js[j].q_ref,
							  h->js[j].qd_ref, 0};
				dx_traj_plan(&h->traj[j], now_ns, &s, h->home[j]);
				dx__hand_set_src(h, j, REF_TRAJ);
				h->stats.traj_plans++;
			}
			continue;
		}
		tp->phase = GRASP_CLOSING;
		tp->touch_cycles = 0;
		tp->force_target = force > 0 ? force : 1.0;
		tp->force_max = SLIP_MAX * tp->force_target;
		tp->slip_cooldown = 0;
		for (unsigned k = 0; k < tp->nj; k++)
			dx__hand_set_src(h, tp->joint[k], REF_GRASP);
	}
}

static double dir_of(const struct dx_hand *h, unsigned j)
{
	double d = h->close[j] - h->home[j];
	return d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0;
}

/* Keeps a reference between home and close. */
static double bound(const struct dx_hand *h, unsigned j, double q)
{
	double lo = fmin(h->home[j], h->close[j]);
	double hi = fmax(h->home[j], h->close[j]);
	return q < lo ? lo : q > hi ? hi : q;
}

void dx__hand_grasp_step(struct dx_hand *h, int64_t now_ns, double dt)
{
	for (unsigned t = 0; t < h->ntips; t++) {
		struct hand_tip *tp = &h->tip[t];

		switch (tp->phase) {
		case GRASP_CLOSING: {
			bool touch;
			if (tp->pad >= 0 && dx__hand_pad_running(h, tp->pad)) {
				touch = tp->contact;
			} else {
				tp->touch_cycles = tp->force > tp->force_target / 3
							   ? tp->touch_cycles + 1
							   : 0;
				touch = tp->touch_cycles >= CONTACT_CYCLES;
			}
			if (touch) {
				tp->phase = GRASP_HOLDING;
				break;
			}
			for (unsigned k = 0; k < tp->nj; k++) {
				unsigned j = tp->joint[k];
				double v = fmin(CLOSE_SPEED * h->vmax[j],
						CLOSE_SPEED_MAX);
				double q = bound(h, j, h->js[j].q_ref +
							       dir_of(h, j) * v * dt);
				h->js[j].qd_ref = (q - h->js[j].q_ref) / dt;
				h->js[j].q_ref = q;
			}
			break;
		}
		case GRASP_HOLDING: {
			double e = tp->force_target - tp->force;
			if (tp->slip_cooldown)
				tp->slip_cooldown--;
			if (tp->slip && !tp->slip_cooldown &&
			    tp->force_target < tp->force_max) {
				tp->force_target = fmin(tp->force_target * SLIP_GAIN,
							tp->force_max);
				tp->slip_cooldown = SLIP_COOLDOWN;
				dx__hand_fault(h, now_ns, -1, -1, DX_REACT_NONE,
					       DX_CAUSE_NONE, tp->force_target);
			}
			for (unsigned k = 0; k < tp->nj; k++) {
				unsigned j = tp->joint[k];
				double q = bound(h, j, h->js[j].q_ref +
							       dir_of(h, j) *
								       ADMITTANCE * e * dt);
				h->js[j].qd_ref = 0;
				h->js[j].q_ref = q;
			}
			break;
		}
		case GRASP_RELEASING: {
			bool done = true;
			for (unsigned k = 0; k < tp->nj; k++)
				done &= dx_traj_done(&h->traj[tp->joint[k]], now_ns);
			if (done)
				tp->phase = GRASP_IDLE;
			break;
		}
		case GRASP_IDLE:
			break;
		}
	}
}
