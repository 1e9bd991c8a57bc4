/* SPDX-License-Identifier: MIT */
/* The hand runtime: init from a configuration (everything allocated and
 * checked here), then read / update / write per period without allocation.
 *
 * Data flow per cycle:
 *   read:   each bus: collect drive replies to the last write (until its
 *           reply deadline) and taxel frames; actuator feedback -> joints
 *           through the transmission.
 *   update: targets from the ring; tactile pipeline and fusion; grasp state
 *           machines; IK for fingertip targets; trajectories; PID bank;
 *           safety supervisor; telemetry.
 *   write:  joint torques/references -> actuator commands (transmission),
 *           clamped to the actuator limits; one batched send per bus. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cglm/vec3.h>
#include <dexrt/busload.h>

#include "hand-priv.h"
#include "kin/kin-priv.h"

#define FIELD(buf, ...) (snprintf(buf, sizeof(buf), __VA_ARGS__), buf)

/* ---- init helpers --------------------------------------------------------- */

static int find_joint(const struct dx_hand *h, const char *name)
{
	for (unsigned j = 0; j < h->nj; j++)
		if (strcmp(h->jname[j], name) == 0)
			return (int)j;
	return -1;
}

/* Looks up the drive model of actuator @p i into @p d. */
static int act_desc(const struct dx_hand_config *cfg, unsigned i,
		    struct dx_drive_desc *d, struct dx_hand_config_error *err)
{
	const struct dx_hand_actuator_config *a = &cfg->actuators[i];
	char f[64], known[512];
	size_t n = 0;

	memset(d, 0, sizeof(*d));
	d->id = (uint8_t)a->id;
	known[0] = '\0';
	if (strcmp(a->protocol, "mit") == 0 ||
	    strcmp(a->protocol, "robstride") == 0) {
		const struct dx_mit_model *m = dx_mit_model_find(a->model);
		bool rs = strcmp(a->protocol, "robstride") == 0;
		d->proto = DX_DRIVE_MIT;
		d->model = m;
		if (m && (m->family == DX_MIT_ROBSTRIDE) == rs) {
			/* Damiao replies on id + 0x10 by convention (its
			 * manual's default master id); others on 0. */
			d->master = m->family == DX_MIT_DAMIAO
					    ? (uint8_t)(a->id + 0x10)
					    : 0;
			return 0;
		}
		for (size_t k = 0; k < dx_mit_model_count() && n < 400; k++) {
			const struct dx_mit_model *mm = dx_mit_model_at(k);
			if ((mm->family == DX_MIT_ROBSTRIDE) == rs)
				n += (size_t)snprintf(known + n, sizeof(known) - n,
						      "%s%s", n ? ", " : "",
						      mm->name);
		}
	} else if (strcmp(a->protocol, "odrive") == 0) {
		d->proto = DX_DRIVE_ODRIVE;
		d->model = dx_odrive_model_find(a->model);
		if (d->model)
			return 0;
		for (size_t k = 0; k < dx_odrive_model_count() && n < 400; k++)
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
					      n ? ", " : "",
					      dx_odrive_model_at(k)->name);
	} else {
		d->proto = DX_DRIVE_CIA402;
		d->model = dx_cia402_model_find(a->model);
		if (d->model)
			return 0;
		for (size_t k = 0; k < dx_cia402_model_count() && n < 400; k++)
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
					      n ? ", " : "",
					      dx_cia402_model_at(k)->name);
	}
	return dx__hand_config_fail(cfg, err, DX_ECONFIG,
				    FIELD(f, "actuators[%u].model", i),
				    "unknown %s model '%s' (known: %s)", a->protocol,
				    a->model, known);
}

/* Frames one actuator exchanges per cycle, for the bus budget: what the
 * exchange sends and what the drive answers (see lib/drive/exchange.c).
 * Every drive protocol here uses classic frames, also on an FD bus, so
 * they travel at the nominal bitrate. */
static unsigned act_frames(const struct dx_drive_desc *d,
			   struct dx_can_periodic *out, unsigned bus,
			   double rate)
{
	uint8_t flags = 0;
	unsigned n = 0;

	switch (d->proto) {
	case DX_DRIVE_MIT:
		if (((const struct dx_mit_model *)d->model)->family ==
		    DX_MIT_ROBSTRIDE)
			flags |= DX_CAN_EXT;
		out[n++] = (struct dx_can_periodic){bus, d->id, 8, flags, rate};
		out[n++] = (struct dx_can_periodic){bus, d->master, 8, flags, rate};
		break;
	case DX_DRIVE_ODRIVE:
		/* set input + encoder request (RTR) + encoder reply */
		out[n++] = (struct dx_can_periodic){bus, d->id, 8, 0, rate};
		out[n++] = (struct dx_can_periodic){bus, d->id, 0, DX_CAN_RTR, rate};
		out[n++] = (struct dx_can_periodic){bus, d->id, 8, 0, rate};
		break;
	case DX_DRIVE_CIA402:
		/* RPDO1 (7 bytes), RPDO2 (6), TPDO1 (7), TPDO2 (8) */
		out[n++] = (struct dx_can_periodic){bus, d->id, 7, 0, rate};
		out[n++] = (struct dx_can_periodic){bus, d->id, 6, 0, rate};
		out[n++] = (struct dx_can_periodic){bus, d->id, 7, 0, rate};
		out[n++] = (struct dx_can_periodic){bus, d->id, 8, 0, rate};
		break;
	}
	return n;
}

/* Frames a pad sends per cycle (and the request that triggers them). */
static unsigned pad_frames(const struct dx_hand_pad_config *p, unsigned taxels,
			   bool fd, struct dx_can_periodic *out, unsigned bus,
			   double rate)
{
	unsigned n = 0;

	if (p->protocol && strcmp(p->protocol, "uskin") == 0) {
		out[n++] = (struct dx_can_periodic){bus, 0, 8, 0, rate};
		for (unsigned t = 0; t < taxels && n < 64; t++)
			out[n++] = (struct dx_can_periodic){bus, 0, 8, 0, rate};
		return n;
	}
	{
		/* dexrt taxel protocol (tactile.h): 2 header bytes plus 2 bytes
		 * per axis value; FD frames take the smallest FD length that
		 * holds them */
		unsigned cap = dx_taxel_frame_capacity(p->axes, fd);
		uint8_t fl = fd ? (DX_CAN_FD | DX_CAN_BRS | DX_CAN_EXT) : DX_CAN_EXT;
		unsigned left = taxels;

		out[n++] = (struct dx_can_periodic){bus, 0, 8, fl, rate};
		while (left && cap && n < 64) {
			unsigned cnt = left < cap ? left : cap;
			unsigned bytes = 2 + 2 * p->axes * cnt;
			if (fd) {
				int dlc = dx_can_len_to_dlc(bytes);
				for (unsigned b = bytes; dlc < 0 && b <= 64; b++)
					dlc = dx_can_len_to_dlc(b);
				bytes = dx_can_dlc_to_len((unsigned)dlc, true);
			}
			out[n++] = (struct dx_can_periodic){bus, 0, (uint8_t)bytes,
							    fl, rate};
			left -= cnt;
		}
	}
	return n;
}

static int plan_budget(struct dx_hand *h, struct dx_hand_config_error *err)
{
	const struct dx_hand_config *cfg = h->cfg;
	struct dx_can_periodic *fr;
	size_t n = 0, cap = 8 * (cfg->actuators_count + 1) +
			     80 * (cfg->pads_count + 1);
	double rate = 1e6 / cfg->period_us;
	int rc = 0;

	fr = calloc(cap, sizeof(*fr));
	if (!fr)
		return DX_ENOMEM;
	for (unsigned i = 0; i < cfg->actuators_count; i++) {
		const struct hand_act *a = &h->act[i];
		n += act_frames(&h->bus[a->bus].drv.dev[a->dev].desc, fr + n,
				a->bus, rate);
	}
	for (unsigned p = 0; p < cfg->pads_count; p++) {
		int b = dx_hand_config_find_bus(cfg, cfg->pads[p].bus);
		n += pad_frames(&cfg->pads[p], dx_tactile_pad_taxels(h->pad[p].pad),
				cfg->buses[b].fd, fr + n, (unsigned)b, rate);
	}
	for (unsigned b = 0; b < h->nb && !rc; b++) {
		struct dx_can_bus_rates br = {cfg->buses[b].bitrate,
					      cfg->buses[b].data_bitrate};
		struct dx_can_bus_budget bb;
		struct dx_hand_bus_report *r = &h->bus[b].report;
		struct dx_can_periodic *mine = calloc(n ? n : 1, sizeof(*mine));
		size_t m = 0;
		double maxhz;
		char f[64];

		if (!mine) {
			rc = DX_ENOMEM;
			break;
		}
		for (size_t k = 0; k < n; k++)
			if (fr[k].bus == b) {
				mine[m] = fr[k];
				mine[m++].bus = 0;
			}
		r->name = cfg->buses[b].name;
		r->frames_per_cycle = (unsigned)m;
		if (m == 0) {
			r->fits = true;
			r->max_rate_hz = INFINITY;
			free(mine);
			continue;
		}
		rc = dx_can_budget_plan(mine, m, &br, 1, cfg->buses[b].max_load,
					&bb, &maxhz);
		free(mine);
		r->load = bb.load;
		r->max_rate_hz = bb.max_scale * rate;
		r->fits = bb.fits;
		if (rc == DX_EBUDGET)
			rc = dx__hand_config_fail(
				cfg, err, DX_EBUDGET, FIELD(f, "buses[%u]", b),
				"bus '%s' cannot carry its %u frames per cycle at period_us %u: "
				"load %.0f%% > max_load %.0f%%; it could reach %.0f Hz "
				"(period_us >= %.0f)",
				cfg->buses[b].name, (unsigned)m, cfg->period_us,
				bb.load * 100, cfg->buses[b].max_load * 100,
				r->max_rate_hz, ceil(1e6 / r->max_rate_hz));
		else if (rc)
			rc = dx__hand_config_fail(cfg, err, rc, FIELD(f, "buses[%u]", b),
						  "bus budget: %s", dx_strerror(rc));
		else if (bb.cycle_s * 1e6 > cfg->reply_deadline_us)
			/* every frame of a cycle may be on the wire before the
			 * last reply: the deadline must leave room for them */
			rc = dx__hand_config_fail(
				cfg, err, DX_EBUDGET, "reply_deadline_us",
				"bus '%s' needs up to %.0f us per cycle for its %u frames "
				"(worst case), more than reply_deadline_us %u: raise it "
				"(below period_us) or spread the devices over more buses",
				cfg->buses[b].name, ceil(bb.cycle_s * 1e6), (unsigned)m,
				cfg->reply_deadline_us);
	}
	free(fr);
	return rc;
}

/* Joints: the `joints` section, each a movable, non-mimic URDF joint,
 * each driven by an actuator or a coupling, and nothing else driven. */
static int init_joints(struct dx_hand *h, struct dx_hand_config_error *err)
{
	const struct dx_hand_config *cfg = h->cfg;
	double lo[256], hi[256];
	char f[96];

	if (cfg->joints_count == 0 || cfg->joints_count > DX_HAND_MAX_JOINTS)
		return dx__hand_config_fail(cfg, err, DX_ECONFIG, "joints",
					    "expected 1 to %d joints, got %u",
					    DX_HAND_MAX_JOINTS, cfg->joints_count);
	h->nvars = dx_kin_model_nvars(h->model);
	if (h->nvars > 256)
		return dx__hand_config_fail(cfg, err, DX_ECONFIG, "urdf",
					    "more than 256 joint variables");
	dx_kin_model_limits(h->model, lo, hi);
	h->nj = cfg->joints_count;
	for (unsigned j = 0; j < h->nj; j++) {
		const struct dx_hand_joint_config *jc = &cfg->joints[j];
		struct dx_kin_joint_info ji;
		int k = dx_kin_joint_index(h->model, jc->name);

		FIELD(f, "joints[%u].name", j);
		if (k < 0)
			return dx__hand_config_fail(cfg, err, DX_ECONFIG, f,
						    "no joint '%s' in %s", jc->name,
						    cfg->urdf);
		dx_kin_joint_get(h->model, k, &ji);
		if (ji.type == DX_KIN_FIXED || ji.var < 0 || ji.mimic_joint >= 0)
			return dx__hand_config_fail(
				cfg, err, DX_ECONFIG, f,
				"joint '%s' is %s in the URDF and cannot be driven",
				jc->name, ji.type == DX_KIN_FIXED ? "fixed" : "a mimic");
		h->jname[j] = jc->name;
		h->var[j] = ji.var;
		h->mode[j] = jc->mode_id;
		h->lo[j] = ji.has_limits ? lo[ji.var] : -INFINITY;
		h->hi[j] = ji.has_limits ? hi[ji.var] : INFINITY;
		h->vmax[j] = ji.velocity > 0 ? ji.velocity : INFINITY;
		h->taumax[j] = INFINITY;
		h->home[j] = jc->home;
		h->close[j] = jc->close;
		h->imp_kp[j] = jc->gains.imp_kp;
		h->imp_kd[j] = jc->gains.imp_kd;
		h->tip_of[j] = -1;
		if (!(jc->home >= h->lo[j] && jc->home <= h->hi[j]) ||
		    !(jc->close >= h->lo[j] && jc->close <= h->hi[j]))
			return dx__hand_config_fail(
				cfg, err, DX_ECONFIG, FIELD(f, "joints[%u].home", j),
				"home %g and close %g must lie within the URDF limits [%g, %g] of '%s'",
				jc->home, jc->close, h->lo[j], h->hi[j], jc->name);
	}
	return 0;
}

/* Frames a drive bus does not claim: offered to the bus's pads. */
static void other_frame(void *ctx, const struct dx_can_frame *f)
{
	struct hand_bus *hb = ctx;
	dx_tactile_route(hb->pads, hb->npads, f, &hb->pad_rx);
}

/* Actuators, devices per bus and the whole-hand transmission. */
static int init_actuators(struct dx_hand *h, struct dx_hand_config_error *err)
{
	const struct dx_hand_config *cfg = h->cfg;
	static const double zero = 0;
	double *C, ratio[HAND_MAX_ACT], offset[HAND_MAX_ACT];
	int dir[HAND_MAX_ACT];
	struct dx_drive_desc (*descs)[DX_DRIVE_BUS_MAX];
	unsigned ndev[HAND_MAX_BUSES] = {0};
	bool driven[DX_HAND_MAX_JOINTS] = {false};
	char f[96];
	int rc = 0;

	(void)zero;
	h->na = cfg->actuators_count;
	if (h->na > HAND_MAX_ACT)
		return dx__hand_config_fail(cfg, err, DX_ECONFIG, "actuators",
					    "at most %d actuators", HAND_MAX_ACT);
	C = calloc((size_t)h->na * h->nj, sizeof(double));
	descs = calloc(h->nb, sizeof(*descs));
	if (!C || !descs) {
		free(C);
		free(descs);
		return DX_ENOMEM;
	}
	for (unsigned i = 0; i < h->na && !rc; i++) {
		const struct dx_hand_actuator_config *a = &cfg->actuators[i];
		struct hand_act *ha = &h->act[i];
		int b = dx_hand_config_find_bus(cfg, a->bus);

		rc = act_desc(cfg, i, &descs[b][ndev[b]], err);
		if (rc)
			break;
		if (ndev[b] == DX_DRIVE_BUS_MAX) {
			rc = dx__hand_config_fail(cfg, err, DX_ECONFIG,
						  FIELD(f, "actuators[%u].bus", i),
						  "more than %d drives on bus '%s'",
						  DX_DRIVE_BUS_MAX, a->bus);
			break;
		}
		ha->bus = (unsigned)b;
		ha->dev = ndev[b]++;
		ratio[i] = a->gear_ratio;
		dir[i] = a->direction;
		offset[i] = a->zero_offset;
		ha->vel_max = a->limits.velocity;
		ha->tau_max = a->limits.torque;
		ha->temp_max = a->limits.temperature;
		if (a->joint) {
			int j = find_joint(h, a->joint);
			if (j < 0) {
				rc = dx__hand_config_fail(
					cfg, err, DX_ECONFIG,
					FIELD(f, "actuators[%u].joint", i),
					"joint '%s' is not listed in joints", a->joint);
				break;
			}
			C[i * h->nj + (unsigned)j] = 1.0;
			driven[j] = true;
			/* 1:1: the actuator's limits are the joint's */
			if (a->limits.position[0] > h->lo[j])
				h->lo[j] = a->limits.position[0];
			if (a->limits.position[1] < h->hi[j])
				h->hi[j] = a->limits.position[1];
			if (a->limits.velocity < h->vmax[j])
				h->vmax[j] = a->limits.velocity;
			h->taumax[j] = a->limits.torque * a->gear_ratio;
			if (h->lo[j] > h->hi[j]) {
				rc = dx__hand_config_fail(
					cfg, err, DX_ECONFIG,
					FIELD(f, "actuators[%u].limits.position", i),
					"no overlap with the URDF limits of joint '%s'",
					a->joint);
				break;
			}
		}
		/* drive output position limits from the row's limits */
		ha->pos_lo = a->direction > 0
				     ? a->limits.position[0] * a->gear_ratio + a->zero_offset
				     : -a->limits.position[1] * a->gear_ratio + a->zero_offset;
		ha->pos_hi = a->direction > 0
				     ? a->limits.position[1] * a->gear_ratio + a->zero_offset
				     : -a->limits.position[0] * a->gear_ratio + a->zero_offset;
	}
	for (unsigned k = 0; k < cfg->couplings_count && !rc; k++) {
		const struct dx_hand_coupling_config *cp = &cfg->couplings[k];
		for (unsigned jj = 0; jj < cp->joints_count && !rc; jj++) {
			int j = find_joint(h, cp->joints[jj]);
			if (j < 0) {
				rc = dx__hand_config_fail(
					cfg, err, DX_ECONFIG,
					FIELD(f, "couplings[%u].joints[%u]", k, jj),
					"joint '%s' is not listed in joints",
					cp->joints[jj]);
				break;
			}
			driven[j] = true;
			for (unsigned aa = 0; aa < cp->actuators_count; aa++) {
				int i = dx_hand_config_find_actuator(cfg,
								     cp->actuators[aa]);
				C[(unsigned)i * h->nj + (unsigned)j] =
					cp->matrix[aa * cp->joints_count + jj];
			}
		}
	}
	for (unsigned j = 0; j < h->nj && !rc; j++)
		if (!driven[j])
			rc = dx__hand_config_fail(cfg, err, DX_ECONFIG,
						  FIELD(f, "joints[%u]", j),
						  "joint '%s' is driven by no actuator or coupling",
						  h->jname[j]);
	if (!rc) {
		struct dx_trans_config tc = {
			.n_joints = h->nj, .n_actuators = h->na,
			.gear_ratio = ratio, .direction = dir,
			.zero_offset = offset, .coupling = C,
			.coupling_rows = h->na, .coupling_cols = h->nj,
		};
		rc = dx_trans_init(&h->trans, &tc);
		for (unsigned i = 0; i < h->na; i++)
			for (unsigned j = 0; j < h->nj; j++)
				if (C[i * h->nj + j] != 0.0) {
					h->j_act[j][h->j_nact[j]++] = (uint8_t)i;
					h->a_joint[i][h->a_nj[i]++] = (uint8_t)j;
				}
		if (rc)
			rc = dx__hand_config_fail(
				cfg, err, rc, cfg->couplings_count ? "couplings" : "actuators",
				"the actuator-joint mapping (%u actuators x %u joints) is not usable: %s",
				h->na, h->nj, dx_strerror(rc));
	}
	for (unsigned b = 0; b < h->nb && !rc; b++) {
		struct dx_drive_bus_config bc = {
			.can = h->bus[b].can, .devs = descs[b], .n_devs = ndev[b],
			.lost_after = cfg->safety.link_loss_cycles,
			.on_other = other_frame, .other_ctx = &h->bus[b],
			.manage_enable = true,
			.error_limit = cfg->safety.link_error_limit,
			.integrity_window = cfg->safety.integrity_window,
			.integrity_limit = cfg->safety.integrity_cycles,
		};
		dx__hand_bus_timing(h->bus[b].can, &bc.bitrate, &bc.data_bitrate);
		if (ndev[b] == 0)
			continue;
		rc = dx_drive_bus_init(&h->bus[b].drv, &bc);
		if (rc)
			rc = dx__hand_config_fail(cfg, err, DX_ECONFIG,
						  FIELD(f, "buses[%u]", b),
						  "drives on bus '%s' clash: %s (two drives answering on the same identifier?)",
						  cfg->buses[b].name, dx_strerror(rc));
	}
	free(C);
	free(descs);
	return rc;
}

static int init_control(struct dx_hand *h, struct dx_hand_config_error *err)
{
	struct dx_pid_config pc[DX_HAND_MAX_JOINTS];
	char f[64];
	int rc;

	for (unsigned j = 0; j < h->nj; j++) {
		const struct dx_hand_gains *g = &h->cfg->joints[j].gains;
		struct dx_traj_config tc = {
			.vmax = isfinite(h->vmax[j]) ? h->vmax[j] : 10.0,
			.pos_min = h->lo[j], .pos_max = h->hi[j],
		};
		double lim = g->out_limit > 0 ? g->out_limit : h->taumax[j];

		dx_pid_config_default(&pc[j]);
		pc[j].kp = g->kp;
		pc[j].ki = g->ki;
		pc[j].kd = g->kd;
		pc[j].tf = g->d_filter_tau;
		pc[j].kff_vel = g->ff_velocity;
		pc[j].deadband = g->deadband;
		pc[j].rate_max = g->rate_limit;
		if (isfinite(lim)) {
			pc[j].out_min = -lim;
			pc[j].out_max = lim;
		}
		if (g->i_limit > 0) {
			pc[j].i_min = -g->i_limit;
			pc[j].i_max = g->i_limit;
		}
		/* acceleration and jerk limits: reach vmax in 50 ms, amax in
		 * 20 ms (smooth enough for finger joints; documented) */
		tc.amax = tc.vmax / 0.05;
		tc.jmax = tc.amax / 0.02;
		rc = dx_traj_init(&h->traj[j], &tc, h->home[j]);
		if (rc)
			return dx__hand_config_fail(h->cfg, err, DX_ECONFIG,
						    FIELD(f, "joints[%u]", j),
						    "trajectory limits: %s", dx_strerror(rc));
		h->js[j].q_ref = h->home[j];
		h->q_hold[j] = h->home[j];
		h->src[j] = REF_HOLD;
	}
	rc = dx_pid_bank_init(&h->pid, pc, h->nj);
	if (rc)
		return dx__hand_config_fail(h->cfg, err, DX_ECONFIG, "joints",
					    "gains: %s", dx_strerror(rc));
	return 0;
}

/* Fingertips: leaf links of the URDF; one IK solver over all of them. */
static int init_tips(struct dx_hand *h, struct dx_hand_config_error *err)
{
	unsigned nl = dx_kin_model_nlinks(h->model);
	int root = dx_kin_model_root(h->model);
	bool has_child[512] = {false};
	struct dx_kin_ik_config ic;
	int rc;

	if (nl > 512)
		return dx__hand_config_fail(h->cfg, err, DX_ECONFIG, "urdf",
					    "more than 512 links");
	for (unsigned j = 0; j < dx_kin_model_njoints(h->model); j++) {
		struct dx_kin_joint_info ji;
		dx_kin_joint_get(h->model, (int)j, &ji);
		has_child[ji.parent_link] = true;
	}
	for (unsigned l = 0; l < nl; l++) {
		if (has_child[l] || (int)l == root)
			continue;
		if (h->ntips == DX_HAND_MAX_TIPS)
			return dx__hand_config_fail(h->cfg, err, DX_ECONFIG, "urdf",
						    "more than %d fingertips (leaf links)",
						    DX_HAND_MAX_TIPS);
		h->tip[h->ntips].name = dx_kin_link_name(h->model, (int)l);
		h->tip[h->ntips].link = (int)l;
		h->tip[h->ntips].pad = -1;
		h->tip_names[h->ntips] = h->tip[h->ntips].name;
		h->ntips++;
	}
	if (h->ntips == 0)
		return 0;
	dx_kin_ik_config_default(&ic);
	ic.max_iters = 30; /* warm, in the cycle */
	rc = dx_kin_ik_create(h->model, dx_kin_link_name(h->model, root),
			      h->tip_names, h->ntips, &ic, &h->ik);
	if (rc)
		return dx__hand_config_fail(h->cfg, err, rc, "urdf",
					    "cannot build the fingertip IK: %s",
					    dx_strerror(rc));
	for (unsigned t = 0; t < h->ntips; t++) {
		struct hand_tip *tp = &h->tip[t];
		tp->chain = dx_kin_ik_chain(h->ik, t);
		for (unsigned c = 0; c < dx_kin_chain_nvars(tp->chain); c++) {
			int v = dx_kin_chain_var(tp->chain, c);
			for (unsigned j = 0; j < h->nj; j++)
				if (h->var[j] == v &&
				    tp->nj < DX_FUSION_MAX_JOINTS) {
					tp->joint[tp->nj] = j;
					tp->chain_pos[tp->nj++] = c;
					h->tip_of[j] = (int)t;
				}
		}
	}
	return 0;
}

/* Gravity compensation tables: for every hand joint, the links (with mass)
 * it carries, i.e. the links whose path to the root passes through it. */
static int init_gravity(struct dx_hand *h)
{
	unsigned nl = dx_kin_model_nlinks(h->model), n = 0;

	h->gl_start = calloc(h->nj + 1, sizeof(*h->gl_start));
	h->gl_link = calloc((size_t)h->nj * nl + 1, sizeof(*h->gl_link));
	if (!h->gl_start || !h->gl_link)
		return DX_ENOMEM;
	for (unsigned j = 0; j < h->nj; j++) {
		h->gjoint[j] = dx_kin_var_joint(h->model, (unsigned)h->var[j]);
		h->gl_start[j] = n;
		for (unsigned l = 0; l < nl; l++) {
			struct dx_kin_inertial in;
			bool below = false;
			int k = dx_kin_link_parent_joint(h->model, (int)l);

			if (dx_kin_link_inertial(h->model, (int)l, &in) != 0 ||
			    !(in.mass > 0))
				continue;
			for (unsigned guard = 0; k >= 0 && guard < nl; guard++) {
				struct dx_kin_joint_info ji;
				if (k == h->gjoint[j]) {
					below = true;
					break;
				}
				dx_kin_joint_get(h->model, k, &ji);
				k = dx_kin_link_parent_joint(h->model, ji.parent_link);
			}
			if (below)
				h->gl_link[n++] = (int)l;
		}
	}
	h->gl_start[h->nj] = n;
	return dx_hand_set_gravity(h, h->cfg->gravity);
}

DX_API int dx_hand_set_gravity(struct dx_hand *h, const double g[3])
{
	if (!h || !g)
		return DX_EINVAL;
	if (!dx_isfinite(g[0]) || !dx_isfinite(g[1]) || !dx_isfinite(g[2]))
		return DX_ENOTFINITE;
	memcpy(h->gravity, g, sizeof(h->gravity));
	h->gravity_on = g[0] != 0 || g[1] != 0 || g[2] != 0;
	if (!h->gravity_on)
		memset(h->tau_g, 0, sizeof(h->tau_g));
	return 0;
}

/* Joint torques that hold the fingers against gravity at the measured
 * posture: tau_j = -a_j . sum over carried links l of (c_l - p_j) x m_l g,
 * with a_j the joint axis and p_j its origin in the hand frame, c_l the
 * link's centre of mass. Needs link poses (h->link_pose) of this cycle. */
static void gravity_torques(const struct dx_hand *h, double *tau_out)
{
	for (unsigned j = 0; j < h->nj; j++) {
		struct dx_kin_joint_info ji;
		const struct dx_kin_pose *jp;
		double a[3], tau = 0;

		dx_kin_joint_get(h->model, h->gjoint[j], &ji);
		jp = &h->link_pose[ji.child_link];
		for (int r = 0; r < 3; r++)
			a[r] = jp->R[3 * r] * ji.axis[0] + jp->R[3 * r + 1] * ji.axis[1] +
			       jp->R[3 * r + 2] * ji.axis[2];
		for (unsigned k = h->gl_start[j]; k < h->gl_start[j + 1]; k++) {
			const struct dx_kin_pose *lp = &h->link_pose[h->gl_link[k]];
			struct dx_kin_inertial in;
			double c[3], d[3], f[3], m[3];

			dx_kin_link_inertial(h->model, h->gl_link[k], &in);
			for (int r = 0; r < 3; r++) {
				c[r] = lp->p[r] + lp->R[3 * r] * in.origin.p[0] +
				       lp->R[3 * r + 1] * in.origin.p[1] +
				       lp->R[3 * r + 2] * in.origin.p[2];
				d[r] = c[r] - jp->p[r];
				f[r] = in.mass * h->gravity[r];
			}
			m[0] = d[1] * f[2] - d[2] * f[1];
			m[1] = d[2] * f[0] - d[0] * f[2];
			m[2] = d[0] * f[1] - d[1] * f[0];
			tau -= a[0] * m[0] + a[1] * m[1] + a[2] * m[2];
		}
		tau_out[j] = dx_isfinite(tau) ? tau : 0.0;
	}
}

static void update_gravity(struct dx_hand *h)
{
	gravity_torques(h, h->tau_g);
}

DX_API int dx_hand_gravity_torques(struct dx_hand *h, const double *q,
				   double *tau)
{
	int rc;

	if (!h || !q || !tau)
		return DX_EINVAL;
	memcpy(h->q_seed, h->q_model, h->nvars * sizeof(double));
	for (unsigned j = 0; j < h->nj; j++)
		h->q_seed[h->var[j]] = q[j];
	rc = dx_kin_fk_all(h->model, h->q_seed, h->link_pose);
	if (rc)
		return rc;
	gravity_torques(h, tau);
	return 0;
}

static int init_pads(struct dx_hand *h, struct dx_hand_config_error *err)
{
	const struct dx_hand_config *cfg = h->cfg;
	struct dx_fusion_config fc;
	char f[64];
	int rc;

	if (cfg->pads_count > HAND_MAX_PADS)
		return dx__hand_config_fail(cfg, err, DX_ECONFIG, "tactile",
					    "at most %d pads", HAND_MAX_PADS);
	for (unsigned p = 0; p < cfg->pads_count; p++) {
		const struct dx_hand_pad_config *pc = &cfg->pads[p];
		struct dx_tactile_pad_config tc;
		struct dx_tactile_taxel *tx = NULL;
		struct hand_pad *hp = &h->pad[p];
		int b = dx_hand_config_find_bus(cfg, pc->bus);
		struct hand_bus *hb = &h->bus[b];

		hp->tip = -1;
		hp->link = dx_kin_link_index(h->model, pc->link);
		if (hp->link < 0)
			return dx__hand_config_fail(cfg, err, DX_ECONFIG,
						    FIELD(f, "tactile[%u].link", p),
						    "no link '%s' in %s", pc->link,
						    cfg->urdf);
		dx_tactile_pad_config_default(
			&tc, pc->protocol && strcmp(pc->protocol, "uskin") == 0
				     ? DX_TACTILE_PROTO_USKIN
				     : DX_TACTILE_PROTO_DEXRT);
		tc.board = pc->board;
		tc.axes = pc->axes;
		tc.gain = (float)pc->gain;
		tc.params.contact_min_n = (float)pc->threshold;
		if (pc->taxels_count) {
			tx = calloc(pc->taxels_count, sizeof(*tx));
			if (!tx)
				return DX_ENOMEM;
			for (unsigned t = 0; t < pc->taxels_count; t++)
				for (int k = 0; k < 3; k++) {
					tx[t].pos[k] = (float)pc->taxels[t].pos[k];
					tx[t].normal[k] = (float)pc->taxels[t].normal[k];
				}
			tc.taxels = tx;
			tc.n_taxels = pc->taxels_count;
		} else {
			tc.rows = pc->rows;
			tc.cols = pc->cols;
			tc.pitch = (float)pc->pitch;
			for (int k = 0; k < 3; k++) {
				tc.origin[k] = (float)pc->origin[k];
				tc.normal[k] = (float)pc->normal[k];
			}
		}
		hp->pad = calloc(1, sizeof(*hp->pad));
		rc = hp->pad ? dx_tactile_pad_init(hp->pad, &tc) : DX_ENOMEM;
		free(tx);
		if (rc)
			return dx__hand_config_fail(cfg, err, rc == DX_ENOMEM ? rc : DX_ECONFIG,
						    FIELD(f, "tactile[%u]", p),
						    "pad '%s': %s", pc->name,
						    dx_strerror(rc));
		if (hb->npads == HAND_MAX_PADS_PER_BUS)
			return dx__hand_config_fail(cfg, err, DX_ECONFIG,
						    FIELD(f, "tactile[%u].bus", p),
						    "at most %d pads per bus",
						    HAND_MAX_PADS_PER_BUS);
		hb->pads[hb->npads++] = hp->pad;
		rc = dx_kin_chain_create(h->model,
					 dx_kin_link_name(h->model,
							  dx_kin_model_root(h->model)),
					 pc->link, &hp->chain);
		if (rc && rc != DX_EINVAL)
			return rc; /* a pad on the root link needs no chain */
		if (rc)
			hp->chain = NULL;
		/* the finger a pad belongs to: the tip whose chain holds its
		 * link (or the tip named by `finger`) */
		for (unsigned t = 0; t < h->ntips; t++) {
			bool match = pc->finger ? strcmp(pc->finger, h->tip[t].name) == 0
						: false;
			if (!pc->finger) {
				const struct dx_kin_chain *c = h->tip[t].chain;
				for (unsigned k = 0; k < dx_kin_chain_njoints(c); k++) {
					struct dx_kin_joint_info ji;
					dx_kin_joint_get(h->model,
							 dx_kin_chain_joint(c, k), &ji);
					if (ji.child_link == hp->link)
						match = true;
				}
				if (h->tip[t].link == hp->link)
					match = true;
			}
			if (match && h->tip[t].pad < 0) {
				hp->tip = (int)t;
				h->tip[t].pad = (int)p;
			}
		}
	}
	h->np = cfg->pads_count;
	dx_fusion_config_default(&fc, h->ntips ? h->ntips : 1);
	rc = dx_fusion_init(&h->fusion, &fc);
	if (rc)
		return dx__hand_config_fail(cfg, err, rc, "tactile",
					    "fusion: %s", dx_strerror(rc));
	return 0;
}

static int open_buses(struct dx_hand *h, const struct dx_hand_opts *o,
		      struct dx_hand_config_error *err)
{
	const struct dx_hand_config *cfg = h->cfg;
	char f[64];

	h->nb = cfg->buses_count;
	if (h->nb > HAND_MAX_BUSES)
		return dx__hand_config_fail(cfg, err, DX_ECONFIG, "buses",
					    "at most %d buses", HAND_MAX_BUSES);
	h->bus = calloc(h->nb, sizeof(*h->bus));
	if (!h->bus)
		return DX_ENOMEM;
	if (o->no_transport)
		return 0;
	for (unsigned b = 0; b < h->nb; b++) {
		const struct dx_hand_bus_config *bc = &cfg->buses[b];
		struct dx_can_opts co = {
			.fd = bc->fd, .bitrate = bc->bitrate,
			.data_bitrate = bc->data_bitrate,
		};
		int rc = dx_can_open(&h->bus[b].can, bc->transport, &co);
		if (rc)
			return dx__hand_config_fail(cfg, err, rc,
						    FIELD(f, "buses[%u].transport", b),
						    "cannot open '%s': %s", bc->transport,
						    dx_strerror(rc));
	}
	return 0;
}

DX_API int dx_hand_init(struct dx_hand **out, const struct dx_hand_config *cfg,
			const struct dx_hand_opts *opts,
			struct dx_hand_config_error *err)
{
	static const struct dx_hand_opts defaults;
	struct dx_kin_error ke;
	struct dx_hand *h;
	unsigned depth;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || !cfg)
		return DX_EINVAL;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	depth = opts->ring_depth ? opts->ring_depth : 64;
	if (depth < 2 || (depth & (depth - 1)))
		return DX_EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return DX_ENOMEM;
	h->cfg = cfg;
	h->period_s = cfg->period_us * 1e-6;
	h->deadline_ns = (int64_t)cfg->reply_deadline_us * DX_NS_PER_US;
	dx_hist_reset(&h->update_hist);

	rc = dx_kin_model_load_file(cfg->urdf, &h->model, &ke);
	if (rc) {
		rc = dx__hand_config_fail(cfg, err, rc, "urdf", "%s", ke.msg);
		goto fail;
	}
	if ((rc = open_buses(h, opts, err)) || (rc = init_joints(h, err)) ||
	    (rc = init_actuators(h, err)) || (rc = init_control(h, err)) ||
	    (rc = init_tips(h, err)) || (rc = init_pads(h, err)) ||
	    (rc = init_gravity(h)) ||
	    (rc = plan_budget(h, err)))
		goto fail;
	h->q_model = calloc(h->nvars ? h->nvars : 1, sizeof(double));
	h->q_ik = calloc(h->nvars ? h->nvars : 1, sizeof(double));
	h->q_seed = calloc(h->nvars ? h->nvars : 1, sizeof(double));
	h->link_pose = calloc(dx_kin_model_nlinks(h->model), sizeof(*h->link_pose));
	if (!h->q_model || !h->q_ik || !h->q_seed || !h->link_pose ||
	    dx_ring_init_alloc(&h->targets, depth, sizeof(struct dx_hand_target)) ||
	    dx_ring_init_alloc(&h->telemetry, depth,
			       sizeof(struct dx_hand_telemetry)) ||
	    dx_ring_init_alloc(&h->faults, depth * 4, sizeof(struct dx_hand_fault))) {
		rc = DX_ENOMEM;
		goto fail;
	}
	for (unsigned j = 0; j < h->nj; j++)
		h->q_model[h->var[j]] = h->home[j];
	*out = h;
	return 0;
fail:
	dx_hand_free(h);
	return rc;
}

DX_API void dx_hand_free(struct dx_hand *h)
{
	if (!h)
		return;
	for (unsigned b = 0; h->bus && b < h->nb; b++)
		dx_can_close(h->bus[b].can);
	for (unsigned p = 0; p < HAND_MAX_PADS; p++) {
		free(h->pad[p].pad);
		dx_kin_chain_free(h->pad[p].chain);
	}
	free(h->bus);
	dx_kin_ik_free(h->ik);
	dx_kin_model_free(h->model);
	free(h->q_model);
	free(h->q_ik);
	free(h->q_seed);
	free(h->link_pose);
	free(h->gl_start);
	free(h->gl_link);
	dx_ring_deinit(&h->targets);
	dx_ring_deinit(&h->telemetry);
	dx_ring_deinit(&h->faults);
	free(h);
}

/* ---- read ----------------------------------------------------------------- */

/* Bookkeeping after a bus's replies were collected; returns the error to
 * report (a timeout is counted in the misses, not returned). */
static int bus_collected(struct dx_hand *h, struct hand_bus *hb, int rc)
{
	hb->sent = false;
	hb->bus_off = rc == DX_EBUSOFF || hb->res.bus_off;
	h->stats.replies_missed += hb->res.missed;
	return rc == DX_ETIMEDOUT ? 0 : rc;
}

static void read_map(struct dx_hand *h);

/* The first cycle call binds the hand to its thread; a call from another
 * thread is refused (one compare of thread ids per call). */
static inline int rt_thread_ok(struct dx_hand *h)
{
	if (!h->rt_bound) {
		h->rt_thread = pthread_self();
		h->rt_bound = true;
		return 0;
	}
	return pthread_equal(h->rt_thread, pthread_self()) ? 0 : DX_ESTATE;
}

DX_API void dx_hand_release_thread(struct dx_hand *h)
{
	if (h)
		h->rt_bound = false;
}

DX_API int dx_hand_read(struct dx_hand *h, int64_t now_ns)
{
	int first_err = 0;

	if (!h)
		return DX_EINVAL;
	if (rt_thread_ok(h))
		return DX_ESTATE;
	for (unsigned b = 0; b < h->nb; b++) {
		struct hand_bus *hb = &h->bus[b];
		int rc;

		if (!hb->can)
			continue;
		if (hb->drv.n && hb->sent) {
			rc = dx_drive_bus_collect(&hb->drv, hb->deadline_ns, &hb->res);
			rc = bus_collected(h, hb, rc);
			if (rc && !first_err)
				first_err = rc;
		} else if (!hb->drv.n) {
			/* a pads-only bus: drain what arrived */
			struct dx_can_frame fr[32];
			for (unsigned guard = 0; guard < 16; guard++) {
				int got = dx_can_recv(hb->can, fr, 32);
				if (got <= 0)
					break;
				for (int k = 0; k < got; k++)
					other_frame(hb, &fr[k]);
			}
		}
	}
	read_map(h);
	(void)now_ns;
	return first_err;
}

int dx__hand_deliver(struct dx_hand *h, const struct dx_can_frame *const *frames,
		     const size_t *counts, int64_t now_ns)
{
	int first_err = 0;

	if (!h || !frames || !counts)
		return DX_EINVAL;
	for (unsigned b = 0; b < h->nb; b++) {
		struct hand_bus *hb = &h->bus[b];
		int rc;

		if (counts[b] && !frames[b])
			return DX_EINVAL;
		if (hb->drv.n && hb->sent) {
			rc = dx_drive_bus_deliver(&hb->drv, hb->deadline_ns, frames[b],
						  counts[b], &hb->res);
			rc = bus_collected(h, hb, rc);
			if (rc && !first_err)
				first_err = rc;
		} else if (!hb->drv.n) {
			for (size_t k = 0; k < counts[b]; k++)
				other_frame(hb, &frames[b][k]);
		}
	}
	read_map(h);
	(void)now_ns;
	return first_err;
}

/* Actuator feedback -> joint space, temperatures, validity, first-feedback
 * hold, the model's joint vector. */
static void read_map(struct dx_hand *h)
{
	/* actuator feedback -> joint space */
	for (unsigned i = 0; i < h->na; i++) {
		const struct dx_drive *dv = &h->bus[h->act[i].bus].drv.dev[h->act[i].dev];
		h->a_pos[i] = dv->fb.pos;
		h->a_vel[i] = dv->fb.vel;
		h->a_tau[i] = dv->fb.tau;
	}
	{
		double q[DX_HAND_MAX_JOINTS], qd[DX_HAND_MAX_JOINTS],
			tau[DX_HAND_MAX_JOINTS];
		if (dx_trans_act_to_joint_pos(&h->trans, h->a_pos, q) == 0 &&
		    dx_trans_act_to_joint_vel(&h->trans, h->a_vel, qd) == 0 &&
		    dx_trans_act_to_joint_torque(&h->trans, h->a_tau, tau) == 0) {
			for (unsigned j = 0; j < h->nj; j++) {
				h->js[j].q = q[j];
				h->js[j].qd = qd[j];
				h->js[j].tau = tau[j];
			}
		} else {
			/* a non-finite actuator value: the supervisor sees NaN */
			for (unsigned j = 0; j < h->nj; j++)
				h->js[j].q = NAN;
		}
	}
	for (unsigned j = 0; j < h->nj; j++) {
		double temp = -INFINITY;
		bool valid = true;
		for (unsigned k = 0; k < h->j_nact[j]; k++) {
			unsigned i = h->j_act[j][k];
			const struct dx_drive *dv =
				&h->bus[h->act[i].bus].drv.dev[h->act[i].dev];
			if (isfinite(dv->fb.temp_c) && dv->fb.temp_c > temp)
				temp = dv->fb.temp_c;
			if (dv->link.replies == 0)
				valid = false;
		}
		h->js[j].temp_c = temp;
		h->js[j].valid = valid;
		if (valid && !h->primed[j] && isfinite(h->js[j].q)) {
			/* first feedback: hold where the joint is, so the
			 * controller starts without a jump */
			h->primed[j] = true;
			h->q_hold[j] = h->js[j].q;
			h->js[j].q_ref = h->js[j].q;
		}
		if (isfinite(h->js[j].q))
			h->q_model[h->var[j]] = h->js[j].q;
	}
}

/* ---- update ---------------------------------------------------------------- */

static bool target_finite(const struct dx_hand_target *t)
{
	for (unsigned j = 0; j < DX_HAND_MAX_JOINTS; j++)
		if ((t->mask >> j & 1) && t->kind == DX_TARGET_JOINTS &&
		    !isfinite(t->q[j]))
			return false;
	for (unsigned k = 0; k < DX_HAND_MAX_TIPS; k++)
		if ((t->mask >> k & 1) && t->kind == DX_TARGET_TIPS &&
		    !(isfinite(t->tip[k][0]) && isfinite(t->tip[k][1]) &&
		      isfinite(t->tip[k][2])))
			return false;
	return isfinite(t->force);
}

static void apply_target(struct dx_hand *h, const struct dx_hand_target *t,
			 int64_t now_ns)
{
	switch (t->kind) {
	case DX_TARGET_JOINTS:
		for (unsigned j = 0; j < h->nj; j++) {
			double q;
			if (!(t->mask >> j & 1) || h->js[j].reaction >= DX_REACT_HOLD)
				continue;
			/* targets outside the limits are clamped, not refused */
			q = t->q[j] < h->lo[j] ? h->lo[j]
			    : t->q[j] > h->hi[j] ? h->hi[j] : t->q[j];
			if (h->tip_of[j] >= 0)
				h->tip[h->tip_of[j]].phase = GRASP_IDLE;
			/* already on its way there: nothing to plan (a client
			 * streaming the same command costs nothing) */
			if (h->src[j] == REF_TRAJ && h->traj[j].target == q) {
				h->plan_mask &= ~(UINT32_C(1) << j);
				continue;
			}
			/* planned in plan_targets(), the latest target wins */
			h->plan_q[j] = q;
			h->plan_mask |= UINT32_C(1) << j;
		}
		break;
	case DX_TARGET_HOME: {
		struct dx_hand_target ht = {.kind = DX_TARGET_JOINTS,
					    .mask = 0xffffffffu};
		for (unsigned j = 0; j < h->nj; j++)
			ht.q[j] = h->home[j];
		apply_target(h, &ht, now_ns);
		break;
	}
	case DX_TARGET_TIPS:
		for (unsigned k = 0; k < h->ntips; k++) {
			struct hand_tip *tp = &h->tip[k];
			if (!(t->mask >> k & 1))
				continue;
			memcpy(tp->target, t->tip[k], sizeof(tp->target));
			tp->ik_active = true;
			tp->phase = GRASP_IDLE;
			for (unsigned c = 0; c < tp->nj; c++)
				if (h->js[tp->joint[c]].reaction < DX_REACT_HOLD)
					dx__hand_set_src(h, tp->joint[c], REF_IK);
		}
		break;
	case DX_TARGET_GRASP:
		dx__hand_grasp_start(h, now_ns, t->grasp, t->force);
		break;
	case DX_TARGET_RECOVER:
		h->disabled = false;
		for (unsigned j = 0; j < h->nj; j++) {
			if (h->js[j].reaction != DX_REACT_NONE)
				dx__hand_fault(h, now_ns, (int)j, -1, DX_REACT_NONE,
					       DX_CAUSE_COMMAND, 0);
			h->js[j].reaction = DX_REACT_NONE;
			h->js[j].cause = DX_CAUSE_NONE;
			dx__hand_set_src(h, j, REF_HOLD);
			h->q_hold[j] = isfinite(h->js[j].q) ? h->js[j].q : h->home[j];
			h->js[j].q_ref = h->q_hold[j];
		}
		dx_pid_bank_reset(&h->pid);
		break;
	case DX_TARGET_DISABLE:
		h->disabled = true;
		for (unsigned j = 0; j < h->nj; j++)
			dx__hand_react(h, now_ns, j, DX_REACT_DISABLE,
				       DX_CAUSE_COMMAND, 0);
		break;
	}
}

/* Fingertip targets: one warm IK solve for all tips (tips without a
 * target keep their current position), joint references move towards the
 * answer at no more than their velocity limit. */
static void update_ik(struct dx_hand *h, double dt)
{
	struct dx_kin_ik_target tg[DX_HAND_MAX_TIPS];
	struct dx_kin_ik_result res;
	bool any = false;

	for (unsigned k = 0; k < h->ntips; k++)
		any |= h->tip[k].ik_active;
	if (!any || !h->ik)
		return;
	for (unsigned j = 0; j < h->nj; j++)
		h->q_ik[h->var[j]] = h->js[j].q_ref;
	for (unsigned k = 0; k < h->ntips; k++) {
		struct dx_kin_pose pose;
		memset(&tg[k], 0, sizeof(tg[k]));
		tg[k].w_pos = 1.0;
		if (h->tip[k].ik_active) {
			memcpy(tg[k].p, h->tip[k].target, sizeof(tg[k].p));
		} else {
			double qc[64];
			const struct dx_kin_chain *c = h->tip[k].chain;
			if (dx_kin_chain_nvars(c) > 64)
				continue;
			dx_kin_chain_gather(c, h->q_ik, qc);
			dx_kin_chain_fk(c, qc, &pose);
			memcpy(tg[k].p, pose.p, sizeof(tg[k].p));
		}
	}
	/* seed: the current references; q_model keeps the measured posture */
	memcpy(h->q_seed, h->q_ik, h->nvars * sizeof(double));
	if (dx_kin_ik_solve(h->ik, tg, h->q_seed, h->q_ik, DX_KIN_IK_WARM,
			    &res) != 0)
		h->stats.ik_failures++;
	/* even a failed warm solve moves towards the target; the answer is
	 * within the joint limits either way */
	for (unsigned j = 0; j < h->nj; j++) {
		double step, want;
		if (h->src[j] != REF_IK)
			continue;
		want = h->q_ik[h->var[j]];
		step = h->vmax[j] * dt;
		if (!isfinite(want))
			continue;
		if (want > h->js[j].q_ref + step)
			want = h->js[j].q_ref + step;
		if (want < h->js[j].q_ref - step)
			want = h->js[j].q_ref - step;
		h->js[j].qd_ref = (want - h->js[j].q_ref) / dt;
		h->js[j].q_ref = want;
	}
}

static void update_tactile(struct dx_hand *h, double dt)
{
	struct dx_fusion_input in[DX_FUSION_MAX_FINGERS];
	struct dx_fusion_contact outc[DX_FUSION_MAX_FINGERS];
	double jac[DX_FUSION_MAX_FINGERS][3 * DX_FUSION_MAX_JOINTS];
	double dtau[DX_FUSION_MAX_FINGERS][DX_FUSION_MAX_JOINTS];
	bool jac_ok[DX_FUSION_MAX_FINGERS] = {false};
	bool posed[HAND_MAX_PADS] = {false};
	unsigned nf = h->ntips < DX_FUSION_MAX_FINGERS ? h->ntips
						       : DX_FUSION_MAX_FINGERS;

	/* Gravity needs every link; the pads only their own links, which a
	 * chain per pad gives for a fraction of the cost (below, after the
	 * fingertip Jacobians, which give most of them for free). */
	if (h->gravity_on) {
		dx_kin_fk_all(h->model, h->q_model, h->link_pose);
		update_gravity(h);
	}
	/* torque channel: Jacobian at the fingertip (linear rows) and the
	 * measured joint torques minus the model's torque for free motion.
	 * The model term is the gravity torque when gravity compensation is
	 * on (no inertia model in the cycle yet), which holds for the
	 * quasi-static phase of a grasp; while the finger accelerates the
	 * estimate is biased and the filter leans on the pad. */
	for (unsigned t = 0; t < nf; t++) {
		struct hand_tip *tp = &h->tip[t];
		const struct dx_kin_chain *c = tp->chain;
		const struct hand_pad *hp = tp->pad >= 0 ? &h->pad[tp->pad] : NULL;
		unsigned nv = dx_kin_chain_nvars(c);
		double qc[64], J[6 * 64];
		struct dx_kin_pose tip_pose, head;
		bool pad_head;
		int rc;

		if (nv > 64 || tp->nj == 0)
			continue;
		/* The finger's pad on its last link (the tip a fixed frame on
		 * that link): the Jacobian's evaluation passes through the
		 * pad link's pose, the same bits the pad's own chain would
		 * give (dx__chain_is_head), so that chain is not evaluated. */
		pad_head = hp && hp->chain && !h->gravity_on &&
			   dx__chain_is_head(hp->chain, c);
		dx_kin_chain_gather(c, h->q_model, qc);
		if (pad_head)
			rc = dx__chain_jacobian_head(c, qc, J, &tip_pose, &head);
		else
			rc = dx_kin_chain_jacobian(c, qc, J, &tip_pose);
		if (rc)
			continue;
		if (pad_head) {
			h->link_pose[hp->link] = head;
			posed[tp->pad] = true;
		}
		for (unsigned r = 0; r < 3; r++)
			for (unsigned k = 0; k < tp->nj; k++)
				jac[t][r * tp->nj + k] = J[r * nv + tp->chain_pos[k]];
		for (unsigned k = 0; k < tp->nj; k++) {
			unsigned j = tp->joint[k];
			dtau[t][k] = h->js[j].tau - h->tau_g[j];
		}
		jac_ok[t] = true;
	}
	for (unsigned p = 0; p < h->np && !h->gravity_on; p++) {
		double qc[64];
		const struct dx_kin_chain *c = h->pad[p].chain;
		if (posed[p] || !c || dx_kin_chain_nvars(c) > 64)
			continue;
		dx_kin_chain_gather(c, h->q_model, qc);
		dx_kin_chain_fk(c, qc, &h->link_pose[h->pad[p].link]);
	}
	for (unsigned p = 0; p < h->np; p++) {
		struct hand_pad *hp = &h->pad[p];
		const struct dx_kin_pose *lp = &h->link_pose[hp->link];
		struct dx_tactile_pose pose;
		double quat[4];

		dx_kin_pose_quat(lp, quat);
		for (int k = 0; k < 3; k++)
			pose.pos[k] = (float)lp->p[k];
		for (int k = 0; k < 4; k++)
			pose.rot[k] = (float)quat[k];
		dx_tactile_pad_update(hp->pad, dt, &pose, &hp->res);
	}
	if (nf == 0)
		return;
	memset(in, 0, sizeof(in));
	for (unsigned t = 0; t < nf; t++) {
		struct hand_tip *tp = &h->tip[t];

		if (tp->pad >= 0) {
			const struct dx_tactile_result *r = &h->pad[tp->pad].res;
			if (r->state == DX_TACTILE_RUNNING && r->n_contacts > 0) {
				const struct dx_tactile_contact *ct = &r->contacts[0];
				in[t].pad_valid = true;
				for (int k = 0; k < 3; k++) {
					in[t].pad_force[k] = ct->force_hand[k];
					in[t].location[k] = ct->cop_hand[k];
					in[t].normal[k] = ct->normal_hand[k];
				}
				in[t].pad_confidence = ct->confidence;
				in[t].slip = ct->slip;
			} else if (dx__hand_pad_running(h, tp->pad)) {
				in[t].pad_valid = true; /* valid zero force */
				in[t].pad_confidence = 1.0;
			}
		}
		if (jac_ok[t]) {
			in[t].n_joints = tp->nj;
			in[t].jac = jac[t];
			in[t].dtau = dtau[t];
		}
	}
	/* A finger with a NaN input keeps its state and the others are
	 * still processed, so the outputs are read whatever the return. */
	memset(outc, 0, sizeof(outc));
	dx_fusion_step(&h->fusion, dt, in, outc);
	{
		for (unsigned t = 0; t < nf; t++) {
			struct hand_tip *tp = &h->tip[t];
			tp->force = outc[t].active
					    ? sqrt(outc[t].force[0] * outc[t].force[0] +
						   outc[t].force[1] * outc[t].force[1] +
						   outc[t].force[2] * outc[t].force[2])
					    : 0.0;
			if (!isfinite(tp->force))
				tp->force = 0.0;
			tp->slip = outc[t].slip;
			tp->contact = tp->pad >= 0 ? h->pad[tp->pad].res.in_contact
						   : tp->force > 0.3;
		}
	}
}

static void push_telemetry(struct dx_hand *h, int64_t now_ns, int64_t spent)
{
	struct dx_hand_telemetry t;

	if (dx_ring_count(&h->telemetry) >= dx_ring_capacity(&h->telemetry)) {
		h->stats.telemetry_dropped++;
		return;
	}
	memset(&t, 0, sizeof(t));
	t.cycle = h->cycle;
	t.t_ns = now_ns;
	t.n_joints = h->nj;
	for (unsigned j = 0; j < h->nj; j++) {
		t.q[j] = (float)h->js[j].q;
		t.qd[j] = (float)h->js[j].qd;
		t.tau[j] = (float)h->js[j].tau;
		t.q_ref[j] = (float)h->js[j].q_ref;
	}
	for (unsigned k = 0; k < h->ntips; k++) {
		t.tip_force[k] = (float)h->tip[k].force;
		/* force 0 when the fusion had nothing or a non-finite value */
		if (h->tip[k].force > 0.0 && k < DX_FUSION_MAX_FINGERS) {
			const struct dx_fusion_finger *g = &h->fusion.finger[k];
			vec3 f = {(float)g->f[0], (float)g->f[1], (float)g->f[2]};
			vec3 c = {g->location[0], g->location[1], g->location[2]};

			/* moment about the hand origin: c × f */
			glm_vec3_copy(f, t.tip_wrench[k]);
			glm_vec3_cross(c, f, &t.tip_wrench[k][3]);
		}
		t.grasp_phase[k] = (uint8_t)h->tip[k].phase;
		if (h->tip[k].slip)
			t.slip_mask |= 1u << k;
		if (h->tip[k].contact)
			t.contact_mask |= 1u << k;
	}
	t.update_ns = spent;
	if (dx_ring_push(&h->telemetry, &t) != 0)
		h->stats.telemetry_dropped++;
}

/* The stages of dx_hand_update(), in its order (see hand-priv.h). */
/* Plans the trajectories of at most HAND_PLANS_PER_CYCLE waiting joint
 * targets, round robin, from each joint's reference (its trajectory's
 * state when it follows one, so the motion stays smooth). */
static void plan_targets(struct dx_hand *h, int64_t now_ns)
{
	unsigned done = 0;

	for (unsigned k = 0; k < h->nj && h->plan_mask; k++) {
		unsigned j = (h->plan_next + k) % h->nj;
		struct dx_traj_state s;

		if (!(h->plan_mask >> j & 1))
			continue;
		if (done == HAND_PLANS_PER_CYCLE) {
			h->plan_next = j; /* the next cycle starts here */
			return;
		}
		h->plan_mask &= ~(UINT32_C(1) << j);
		if (h->js[j].reaction >= DX_REACT_HOLD)
			continue; /* a stop came first: the target is dropped */
		if (h->src[j] == REF_TRAJ) {
			dx_traj_sample(&h->traj[j], now_ns, &s);
		} else {
			s.pos = h->js[j].q_ref;
			s.vel = h->js[j].qd_ref;
			s.acc = 0.0;
		}
		dx_traj_plan(&h->traj[j], now_ns, &s, h->plan_q[j]);
		h->src[j] = REF_TRAJ;
		h->stats.traj_plans++;
		done++;
	}
	h->plan_next = 0;
}

double dx__hand_update_targets(struct dx_hand *h, int64_t now_ns)
{
	struct dx_hand_target t;
	double dt;

	dt = h->last_update_ns ? (double)(now_ns - h->last_update_ns) * 1e-9
			       : h->period_s;
	if (!(dt > 0) || dt > 1.0)
		dt = h->period_s; /* clock went back or the loop stalled */
	h->last_update_ns = now_ns;

	/* bounded: at most the ring's depth per cycle */
	for (unsigned k = 0; k < dx_ring_capacity(&h->targets); k++) {
		if (dx_ring_pop(&h->targets, &t) != 0)
			break;
		apply_target(h, &t, now_ns);
		h->stats.targets_applied++;
	}
	if (h->plan_mask)
		plan_targets(h, now_ns);
	return dt;
}

void dx__hand_update_tactile(struct dx_hand *h, int64_t now_ns, double dt)
{
	update_tactile(h, dt);
	dx__hand_grasp_step(h, now_ns, dt);
}

void dx__hand_update_ik(struct dx_hand *h, double dt)
{
	update_ik(h, dt);
}

int dx__hand_update_control(struct dx_hand *h, int64_t now_ns, double dt)
{
	int rc;

	/* references */
	for (unsigned j = 0; j < h->nj; j++) {
		struct dx_hand_joint_state *s = &h->js[j];
		if (h->src[j] == REF_TRAJ) {
			struct dx_traj_state ts;
			dx_traj_sample(&h->traj[j], now_ns, &ts);
			s->q_ref = ts.pos;
			s->qd_ref = ts.vel;
		} else if (h->src[j] == REF_HOLD) {
			s->q_ref = h->q_hold[j];
			s->qd_ref = 0;
		}
		h->ref[j] = s->q_ref;
		h->meas[j] = isfinite(s->q) ? s->q : s->q_ref;
		h->vff[j] = s->qd_ref;
	}

	/* safety first sees measurements; its reactions override the laws */
	dx__hand_safety(h, now_ns);

	rc = dx_pid_bank_step(&h->pid, dt, h->ref, h->meas, h->vff,
			      h->gravity_on ? h->tau_g : NULL, h->tau_out);
	for (unsigned j = 0; j < h->nj; j++) {
		struct dx_hand_joint_state *s = &h->js[j];
		double tau = rc == 0 ? h->tau_out[j] : 0.0;
		double lim = h->taumax[j];
		switch (s->reaction) {
		case DX_REACT_DAMP:
			tau = -h->cfg->safety.damping_kd *
			      (isfinite(s->qd) ? s->qd : 0.0);
			break;
		case DX_REACT_DISABLE:
			tau = 0.0;
			break;
		default:
			break;
		}
		if (h->mode[j] == DX_JOINT_OFF)
			tau = 0.0;
		if (h->mode[j] == DX_JOINT_IMPEDANCE &&
		    s->reaction < DX_REACT_DAMP)
			tau = h->tau_g[j]; /* the drive closes the loop */
		if (!isfinite(tau))
			tau = 0.0;
		if (tau > lim)
			tau = lim;
		if (tau < -lim)
			tau = -lim;
		s->tau_cmd = tau;
	}
	h->cycle++;
	h->stats.cycles++;
	return rc == DX_ENOTFINITE ? 0 : rc;
}

void dx__hand_update_finish(struct dx_hand *h, int64_t now_ns, int64_t t0)
{
	int64_t spent = dx_time_now_ns() - t0;

	dx_hist_add(&h->update_hist, spent);
	push_telemetry(h, now_ns, spent);
}

DX_API int dx_hand_update(struct dx_hand *h, int64_t now_ns)
{
	int64_t t0 = dx_time_now_ns();
	double dt;
	int rc;

	if (!h)
		return DX_EINVAL;
	if (rt_thread_ok(h))
		return DX_ESTATE;
	dt = dx__hand_update_targets(h, now_ns);
	dx__hand_update_tactile(h, now_ns, dt);
	dx__hand_update_ik(h, dt);
	rc = dx__hand_update_control(h, now_ns, dt);
	dx__hand_update_finish(h, now_ns, t0);
	return rc;
}

/* ---- write ------------------------------------------------------------------ */

/* Joint commands -> each drive's command in its exchange. */
static void write_cmds(struct dx_hand *h)
{
	double tau_j[DX_HAND_MAX_JOINTS], q_j[DX_HAND_MAX_JOINTS],
		qd_j[DX_HAND_MAX_JOINTS];

	for (unsigned j = 0; j < h->nj; j++) {
		tau_j[j] = h->js[j].tau_cmd;
		q_j[j] = h->js[j].q_ref;
		qd_j[j] = h->js[j].qd_ref;
	}
	if (dx_trans_joint_to_act_torque(&h->trans, tau_j, h->a_cmd_tau) ||
	    dx_trans_joint_to_act_pos(&h->trans, q_j, h->a_cmd_pos) ||
	    dx_trans_joint_to_act_vel(&h->trans, qd_j, h->a_cmd_vel)) {
		/* cannot happen with finite references; never send junk */
		for (unsigned i = 0; i < h->na; i++)
			h->a_cmd_tau[i] = h->a_cmd_pos[i] = h->a_cmd_vel[i] = 0;
	}
	for (unsigned i = 0; i < h->na; i++) {
		const struct hand_act *a = &h->act[i];
		struct dx_drive_bus *drv = &h->bus[a->bus].drv;
		const struct dx_drive *dv = &drv->dev[a->dev];
		struct dx_drive_cmd c;
		enum dx_hand_reaction worst = DX_REACT_NONE;
		bool impedance = false;

		memset(&c, 0, sizeof(c));
		for (unsigned k = 0; k < h->a_nj[i]; k++) {
			unsigned j = h->a_joint[i][k];
			if (h->js[j].reaction > worst)
				worst = h->js[j].reaction;
			if (h->mode[j] == DX_JOINT_IMPEDANCE) {
				impedance = true;
				c.kp = h->imp_kp[j];
				c.kd = h->imp_kd[j];
			}
		}
		c.enable = !h->disabled && worst < DX_REACT_DISABLE;
		c.tau = h->a_cmd_tau[i];
		if (impedance && worst < DX_REACT_DAMP) {
			c.pos = h->a_cmd_pos[i];
			c.vel = h->a_cmd_vel[i];
		} else {
			/* torque only: position and stiffness zero; in a damping
			 * stop the drive's own damping helps */
			c.pos = isfinite(dv->fb.pos) ? dv->fb.pos : 0.0;
			c.vel = 0;
			c.kp = 0;
			c.kd = worst == DX_REACT_DAMP ? h->cfg->safety.damping_kd : 0;
			c.mode = DX_ODRIVE_CTRL_TORQUE;
		}
		/* last line of defence: nothing outside the actuator's limits
		 * leaves this function */
		if (!(c.tau <= a->tau_max))
			c.tau = c.tau > 0 ? a->tau_max : 0;
		if (!(c.tau >= -a->tau_max))
			c.tau = -a->tau_max;
		if (c.pos < a->pos_lo)
			c.pos = a->pos_lo;
		if (c.pos > a->pos_hi)
			c.pos = a->pos_hi;
		if (!(fabs(c.vel) <= a->vel_max * fabs(h->trans.g[i])))
			c.vel = 0;
		if (impedance)
			c.mode = DX_CIA402_MODE_CSP;
		else if (dv->desc.proto == DX_DRIVE_CIA402)
			c.mode = DX_CIA402_MODE_CST;
		dx_drive_bus_set_cmd(drv, a->dev, &c);
	}
}

/* Pad scan requests of bus @p hb into hb->req; returns their count. */
static unsigned pad_requests(struct hand_bus *hb)
{
	unsigned nreq = 0;

	for (unsigned p = 0; p < hb->npads; p++)
		if (dx_tactile_pad_request(hb->pads[p], &hb->req[nreq]) == 1)
			nreq++;
	return nreq;
}

int dx__hand_encode(struct dx_hand *h, int64_t now_ns)
{
	int first_err = 0;

	if (!h)
		return DX_EINVAL;
	write_cmds(h);
	for (unsigned b = 0; b < h->nb; b++) {
		struct hand_bus *hb = &h->bus[b];
		unsigned nreq = pad_requests(hb);
		int n = 0;

		hb->tx = hb->req;
		if (hb->drv.n) {
			n = dx_drive_bus_prepare(&hb->drv, now_ns, hb->req, nreq);
			hb->sent = n >= 0;
			hb->deadline_ns = now_ns + h->deadline_ns;
			hb->tx = hb->drv.tx;
		} else {
			n = (int)nreq;
		}
		hb->ntx = n > 0 ? (unsigned)n : 0;
		if (n < 0 && !first_err)
			first_err = n;
	}
	return first_err;
}

DX_API int dx_hand_write(struct dx_hand *h, int64_t now_ns)
{
	int first_err = 0;

	if (!h)
		return DX_EINVAL;
	if (rt_thread_ok(h))
		return DX_ESTATE;
	write_cmds(h);
	for (unsigned b = 0; b < h->nb; b++) {
		struct hand_bus *hb = &h->bus[b];
		unsigned nreq = 0;
		int rc;

		if (!hb->can)
			continue;
		/* pad scan requests go in the same batch as the commands */
		nreq = pad_requests(hb);
		if (hb->drv.n) {
			rc = dx_drive_bus_send(&hb->drv, now_ns, hb->req, nreq);
			hb->sent = rc == 0 || rc == DX_ETIMEDOUT;
			hb->deadline_ns = now_ns + h->deadline_ns;
		} else {
			rc = nreq ? dx_can_send(hb->can, hb->req, nreq) : 0;
			rc = rc < 0 ? rc : 0;
		}
		if (rc == DX_EBUSOFF)
			hb->bus_off = true;
		if (rc && !first_err)
			first_err = rc;
	}
	return first_err;
}

DX_API int dx_hand_cycle(struct dx_hand *h, int64_t now_ns)
{
	int r1 = dx_hand_read(h, now_ns);
	int r2 = dx_hand_update(h, now_ns);
	int r3 = dx_hand_write(h, now_ns);
	return r1 ? r1 : r2 ? r2 : r3;
}

/* ---- other threads ----------------------------------------------------------- */

DX_API int dx_hand_send(struct dx_hand *h, const struct dx_hand_target *t)
{
	int rc;

	if (!h || !t)
		return DX_EINVAL;
	if (t->kind < DX_TARGET_JOINTS || t->kind > DX_TARGET_DISABLE ||
	    !target_finite(t) || t->force < 0 ||
	    (t->kind == DX_TARGET_GRASP &&
	     (t->grasp < DX_GRASP_RELEASE || t->grasp > DX_GRASP_TRIPOD))) {
		h->stats.targets_refused++;
		return DX_EINVAL;
	}
	rc = dx_ring_push(&h->targets, t);
	if (rc)
		h->stats.targets_refused++;
	return rc;
}

DX_API int dx_hand_telemetry_pop(struct dx_hand *h, struct dx_hand_telemetry *t)
{
	return h && t ? dx_ring_pop(&h->telemetry, t) : DX_EINVAL;
}

DX_API int dx_hand_fault_pop(struct dx_hand *h, struct dx_hand_fault *f)
{
	return h && f ? dx_ring_pop(&h->faults, f) : DX_EINVAL;
}

/* ---- queries ------------------------------------------------------------------ */

bool dx__hand_pad_running(const struct dx_hand *h, int p)
{
	return p >= 0 && (unsigned)p < h->np &&
	       h->pad[p].res.state == DX_TACTILE_RUNNING &&
	       h->pad[p].res.n_masked < dx_tactile_pad_taxels(h->pad[p].pad);
}

DX_API unsigned dx_hand_njoints(const struct dx_hand *h)
{
	return h ? h->nj : 0;
}

DX_API const char *dx_hand_joint_name(const struct dx_hand *h, unsigned j)
{
	return h && j < h->nj ? h->jname[j] : NULL;
}

DX_API int dx_hand_joint_state(const struct dx_hand *h, unsigned j,
			       struct dx_hand_joint_state *st)
{
	if (!h || !st || j >= h->nj)
		return DX_EINVAL;
	*st = h->js[j];
	return 0;
}

DX_API unsigned dx_hand_ntips(const struct dx_hand *h)
{
	return h ? h->ntips : 0;
}

DX_API const char *dx_hand_tip_name(const struct dx_hand *h, unsigned t)
{
	return h && t < h->ntips ? h->tip[t].name : NULL;
}

DX_API const char *dx_hand_root_name(const struct dx_hand *h)
{
	return h ? dx_kin_link_name(h->model, dx_kin_model_root(h->model)) : NULL;
}

DX_API int dx_hand_tip_position(const struct dx_hand *h, unsigned t,
				double p[3])
{
	double qc[64];
	struct dx_kin_pose pose;
	int rc;

	if (!h || !p || t >= h->ntips)
		return DX_EINVAL;
	if (dx_kin_chain_nvars(h->tip[t].chain) > 64)
		return DX_ENOSPC;
	dx_kin_chain_gather(h->tip[t].chain, h->q_model, qc);
	rc = dx_kin_chain_fk(h->tip[t].chain, qc, &pose);
	if (rc == 0)
		memcpy(p, pose.p, sizeof(pose.p));
	return rc;
}

DX_API void dx_hand_get_stats(const struct dx_hand *h, struct dx_hand_stats *st)
{
	if (!h || !st)
		return;
	*st = h->stats;
	dx_hist_summarize(&h->update_hist, &st->update_ns);
}

DX_API unsigned dx_hand_nbuses(const struct dx_hand *h)
{
	return h ? h->nb : 0;
}

DX_API int dx_hand_bus_report(const struct dx_hand *h, unsigned b,
			      struct dx_hand_bus_report *r)
{
	if (!h || !r || b >= h->nb)
		return DX_EINVAL;
	*r = h->bus[b].report;
	return 0;
}
