/* SPDX-License-Identifier: MIT */
/* The safety supervisor, run inside update() after the references are set
 * and before the control laws. Per joint it checks, in this order: NaN in
 * the joint's feedback, link loss, drive fault, bus-off, temperature,
 * velocity, position. Reactions only escalate inside the cycle (latched)
 * except CLAMP, which is re-evaluated each cycle; clearing a latched
 * reaction needs an explicit DX_TARGET_RECOVER. A joint at DAMP or above
 * takes the rest of its finger to at least DAMP, so a finger that lost one
 * drive goes limp as a whole while the other fingers keep their grip.
 *
 * Link rules come from the drive exchange (struct dx_link_stats): a link
 * is lost after link_loss_cycles misses in a row or when its leaky error
 * counter reaches link_error_limit (a sustained miss ratio); it is suspect
 * when its replies showed integrity events in integrity_cycles of the last
 * integrity_window cycles (another device answering on its ID, replies
 * that slipped into a later cycle). Both take the finger to a damping stop:
 * a suspect link's feedback may be another drive's, so a hold (a position
 * loop closed on that feedback) would not be safe, while a damping stop
 * sends no stiffness and lets the drive's own damping act. */
#include <math.h>
#include <string.h>

#include <dexrt/socketcan.h>

#include "hand-priv.h"

void dx__hand_bus_timing(struct dx_can *can, uint32_t *br, uint32_t *dbr)
{
	const char *name = dx_can_name(can);
	uint32_t kbr = 0;

	*br = *dbr = 0;
	if (!name)
		return;
	if (strncmp(name, "simbus:", 7) == 0) {
		/* the bus model's own rates: frames take exactly this long */
		*br = dx_can_bitrate(can, false);
		*dbr = dx_can_bitrate(can, true);
	} else if (strncmp(name, "socketcan:", 10) == 0 &&
		   dx_socketcan_get_bitrate(name + 10, &kbr, NULL) == 0 &&
		   kbr > 0) {
		/* a controller with a bit timing (vcan has none). The kernel
		 * reports the nominal rate only; the data phase is taken at
		 * 10 Mbit/s or the configured rate if higher, faster than CAN
		 * FD data phases run in practice (up to 8 Mbit/s), so the
		 * shortest frame time stays a lower bound */
		*br = kbr;
		*dbr = dx_can_bitrate(can, true);
		if (*dbr < 10000000u)
			*dbr = 10000000u;
	}
}

void dx__hand_fault(struct dx_hand *h, int64_t now_ns, int joint, int act,
		    enum dx_hand_reaction r, enum dx_hand_cause c, double v)
{
	struct dx_hand_fault f = {
		.cycle = h->cycle, .t_ns = now_ns, .joint = joint,
		.actuator = act, .reaction = r, .cause = c, .value = v,
	};
	if (dx_ring_push(&h->faults, &f) != 0)
		h->stats.faults_dropped++;
}

void dx__hand_react(struct dx_hand *h, int64_t now_ns, unsigned j,
		    enum dx_hand_reaction r, enum dx_hand_cause c, double v)
{
	struct dx_hand_joint_state *s = &h->js[j];

	if (r <= s->reaction)
		return;
	s->reaction = r;
	s->cause = c;
	dx__hand_fault(h, now_ns, (int)j, -1, r, c, v);
	if (r >= DX_REACT_HOLD) {
		/* freeze the reference where the joint is */
		dx__hand_set_src(h, j, REF_HOLD);
		h->q_hold[j] = isfinite(s->q) ? s->q : s->q_ref;
		if (h->q_hold[j] < h->lo[j])
			h->q_hold[j] = h->lo[j];
		if (h->q_hold[j] > h->hi[j])
			h->q_hold[j] = h->hi[j];
		s->q_ref = h->q_hold[j];
		s->qd_ref = 0;
		if (h->tip_of[j] >= 0)
			h->tip[h->tip_of[j]].phase = GRASP_IDLE;
	}
}

void dx__hand_safety(struct dx_hand *h, int64_t now_ns)
{
	const struct dx_hand_safety_config *sc = &h->cfg->safety;

	for (unsigned j = 0; j < h->nj; j++) {
		struct dx_hand_joint_state *s = &h->js[j];

		if (s->reaction == DX_REACT_CLAMP)
			s->reaction = DX_REACT_NONE; /* re-evaluated below */
		if (!s->valid)
			continue; /* no feedback yet: commands stay at zero torque */
		if (!isfinite(s->q) || !isfinite(s->qd) || !isfinite(s->tau)) {
			dx__hand_react(h, now_ns, j, DX_REACT_DAMP, DX_CAUSE_NAN,
				       s->q);
			continue;
		}
		for (unsigned k = 0; k < h->j_nact[j]; k++) {
			const struct hand_act *a = &h->act[h->j_act[j][k]];
			const struct hand_bus *hb = &h->bus[a->bus];
			const struct dx_drive *dv = &hb->drv.dev[a->dev];

			if (dv->link.lost)
				dx__hand_react(h, now_ns, j, DX_REACT_DAMP,
					       DX_CAUSE_LINK_LOST,
					       (double)dv->link.consecutive_misses);
			if (dv->link.suspect)
				dx__hand_react(h, now_ns, j, DX_REACT_DAMP,
					       DX_CAUSE_LINK_INTEGRITY,
					       (double)dv->link.integrity_cycles);
			if (hb->bus_off)
				dx__hand_react(h, now_ns, j, DX_REACT_DAMP,
					       DX_CAUSE_BUS_OFF, 0);
			if (dv->fb.fault != DX_DRIVE_FAULT_NONE &&
			    dv->fb.fault != DX_DRIVE_FAULT_COMM_LOSS)
				dx__hand_react(h, now_ns, j, DX_REACT_DISABLE,
					       DX_CAUSE_DRIVE_FAULT,
					       (double)dv->fb.vendor_code);
			if (isfinite(dv->fb.temp_c)) {
				if (dv->fb.temp_c > a->temp_max)
					dx__hand_react(h, now_ns, j, DX_REACT_DAMP,
						       DX_CAUSE_TEMPERATURE,
						       dv->fb.temp_c);
				else if (sc->temperature_warn > 0 &&
					 dv->fb.temp_c > sc->temperature_warn)
					dx__hand_react(h, now_ns, j, DX_REACT_HOLD,
						       DX_CAUSE_TEMPERATURE,
						       dv->fb.temp_c);
			}
		}
		if (isfinite(h->vmax[j]) &&
		    fabs(s->qd) > h->vmax[j] * sc->velocity_margin * 1.5)
			dx__hand_react(h, now_ns, j, DX_REACT_DAMP,
				       DX_CAUSE_VELOCITY, s->qd);
		/* position: far outside (beyond twice the margin plus 0.05 rad)
		 * holds; otherwise references are clamped inside the margin */
		if (s->q < h->lo[j] - 2 * sc->position_margin - 0.05 ||
		    s->q > h->hi[j] + 2 * sc->position_margin + 0.05)
			dx__hand_react(h, now_ns, j, DX_REACT_HOLD,
				       DX_CAUSE_POSITION, s->q);
		if (s->reaction < DX_REACT_HOLD) {
			double lo = h->lo[j] + sc->position_margin;
			double hi = h->hi[j] - sc->position_margin;
			if (lo > hi)
				lo = hi = 0.5 * (h->lo[j] + h->hi[j]);
			if (s->q_ref < lo || s->q_ref > hi) {
				s->q_ref = s->q_ref < lo ? lo : hi;
				s->qd_ref = 0;
				if (s->reaction == DX_REACT_NONE) {
					s->reaction = DX_REACT_CLAMP;
					s->cause = DX_CAUSE_POSITION;
				}
			}
		}
	}
	/* a finger is as safe as its worst joint */
	for (unsigned t = 0; t < h->ntips; t++) {
		const struct hand_tip *tp = &h->tip[t];
		enum dx_hand_reaction worst = DX_REACT_NONE;
		enum dx_hand_cause cause = DX_CAUSE_NONE;
		for (unsigned k = 0; k < tp->nj; k++)
			if (h->js[tp->joint[k]].reaction > worst) {
				worst = h->js[tp->joint[k]].reaction;
				cause = h->js[tp->joint[k]].cause;
			}
		if (worst >= DX_REACT_DAMP)
			for (unsigned k = 0; k < tp->nj; k++)
				dx__hand_react(h, now_ns, tp->joint[k], DX_REACT_DAMP,
					       cause, 0);
	}
	for (unsigned j = 0; j < h->nj; j++) {
		h->ref[j] = h->js[j].q_ref;
		h->vff[j] = h->js[j].qd_ref;
	}
}

DX_API const char *dx_hand_reaction_name(enum dx_hand_reaction r)
{
	static const char *const n[] = {"none", "clamp", "hold", "damp",
					"disable"};
	return (unsigned)r < DX_ARRAY_SIZE(n) ? n[r] : "unknown";
}

DX_API const char *dx_hand_cause_name(enum dx_hand_cause c)
{
	static const char *const n[] = {"none",	       "position",
					"velocity",    "torque",
					"temperature", "link lost",
					"drive fault", "bus-off",
					"not finite",  "command",
					"link integrity"};
	return (unsigned)c < DX_ARRAY_SIZE(n) ? n[c] : "unknown";
}
