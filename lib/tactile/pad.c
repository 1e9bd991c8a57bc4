/* SPDX-License-Identifier: MIT */
/* The per-pad pipeline: calibration, tare, baseline drift, filtering,
 * taxel faults, contact regions, centre of pressure and slip. */
#include <math.h>
#include <string.h>

#include <cglm/cglm.h>

#include <dexrt/tactile.h>

DX_API void dx_tactile_pad_config_default(struct dx_tactile_pad_config *c,
					  enum dx_tactile_proto proto)
{
	struct dx_tactile_params *p;

	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->proto = proto;
	c->axes = 3;
	c->gain = 0.001f;
	p = &c->params;
	p->tare_samples = 50;
	p->lp_hz = 40.0f;
	p->hp_hz = 60.0f;
	p->energy_tau_s = 0.02f;
	p->drift_tau_s = 2.0f;
	p->drift_gate_n = 0.03f;
	p->on_n = 0.05f;
	p->off_n = 0.025f;
	p->debounce = 3;
	p->contact_min_n = 0.05f;
	p->slip_rate = 1.0f;
	p->slip_energy = 1e-3f;
	p->slip_rate_hz = 10.0f;
	p->slip_min_n = 0.2f;
	p->slip_on = 3;
	p->slip_off = 30;
	p->settle = 100;
	if (proto == DX_TACTILE_PROTO_USKIN) {
		p->raw_min = 0;
		p->raw_max = (int32_t)(DX_USKIN_INVALID_MSB << 8) - 1;
		p->sat_lo = 200;
		p->sat_hi = 63800;
	} else {
		p->raw_min = -32767;
		p->raw_max = 32767;
		p->sat_lo = -32000;
		p->sat_hi = 32000;
	}
	p->sat_cycles = 5;
	p->stuck_cycles = 200;
	p->dead_cycles = 50;
}

static bool finite3(const float v[3])
{
	return dx_isfinite(v[0]) && dx_isfinite(v[1]) && dx_isfinite(v[2]);
}

/* Tangent axes of a surface with unit normal n (rule in tactile.h). */
DX_API void dx_tactile_tangents(const float n[3], float t1[3], float t2[3])
{
	vec3 nn, a = {1, 0, 0}, t, u;

	if (!n || !t1 || !t2)
		return;
	glm_vec3_copy((float *)n, nn);
	if (fabsf(nn[0]) > 0.9f) {
		a[0] = 0;
		a[1] = 1;
	}
	/* t = a − (a·n) n, normalised */
	glm_vec3_scale(nn, glm_vec3_dot(a, nn), t);
	glm_vec3_sub(a, t, t);
	glm_vec3_normalize(t);
	glm_vec3_cross(nn, t, u);
	glm_vec3_copy(t, t1);
	glm_vec3_copy(u, t2);
}

static int unit_normal(const float in[3], float out[3])
{
	vec3 v = {in[0], in[1], in[2]};
	float l;

	if (!finite3(in))
		return DX_ENOTFINITE;
	l = glm_vec3_norm(v);
	if (l == 0.0f) {
		out[0] = 0;
		out[1] = 0;
		out[2] = 1;
		return 0;
	}
	if (l < 1e-6f)
		return DX_EINVAL;
	glm_vec3_scale(v, 1.0f / l, v);
	glm_vec3_copy(v, out);
	return 0;
}

DX_API int dx_tactile_grid(unsigned rows, unsigned cols, float pitch,
			   const float origin[3], const float normal[3],
			   struct dx_tactile_taxel *out)
{
	float n[3], t1[3], t2[3], o[3] = {0, 0, 0};
	int err;

	if (!out || rows == 0 || cols == 0 || !(pitch > 0.0f) ||
	    !dx_isfinite(pitch))
		return DX_EINVAL;
	if (origin) {
		if (!finite3(origin))
			return DX_ENOTFINITE;
		memcpy(o, origin, sizeof(o));
	}
	if (normal) {
		err = unit_normal(normal, n);
		if (err)
			return err;
	} else {
		n[0] = 0;
		n[1] = 0;
		n[2] = 1;
	}
	dx_tactile_tangents(n, t1, t2);
	for (unsigned r = 0; r < rows; r++)
		for (unsigned c = 0; c < cols; c++) {
			struct dx_tactile_taxel *t = &out[r * cols + c];
			float u = ((float)c - 0.5f * (float)(cols - 1)) * pitch;
			float v = ((float)r - 0.5f * (float)(rows - 1)) * pitch;
			for (int a = 0; a < 3; a++) {
				t->pos[a] = o[a] + u * t1[a] + v * t2[a];
				t->normal[a] = n[a];
			}
		}
	return 0;
}

static int check_params(const struct dx_tactile_params *p)
{
	const float f[] = {p->lp_hz, p->hp_hz, p->energy_tau_s, p->drift_tau_s,
			   p->drift_gate_n, p->on_n, p->off_n, p->contact_min_n,
			   p->neighbour_m, p->match_m, p->slip_rate,
			   p->slip_energy, p->slip_rate_hz, p->slip_min_n};

	for (size_t i = 0; i < DX_ARRAY_SIZE(f); i++)
		if (!dx_isfinite(f[i]))
			return DX_ENOTFINITE;
	if (p->tare_samples == 0 || p->tare_samples > 100000 ||
	    !(p->lp_hz > 0) || !(p->hp_hz > 0) || !(p->energy_tau_s > 0) ||
	    !(p->drift_tau_s > 0) || p->drift_gate_n < 0 || !(p->on_n > 0) ||
	    p->off_n < 0 || p->off_n > p->on_n || p->contact_min_n < 0 ||
	    p->neighbour_m < 0 || p->match_m < 0 || !(p->slip_rate > 0) ||
	    !(p->slip_energy > 0) || !(p->slip_rate_hz > 0) ||
	    !(p->slip_min_n > 0) || p->debounce > 60000 || p->slip_on > 60000 ||
	    p->slip_off > 60000 || p->settle > 60000 ||
	    p->raw_min >= p->raw_max || p->sat_lo >= p->sat_hi ||
	    p->sat_cycles == 0 || p->sat_cycles > 60000 ||
	    p->stuck_cycles == 0 || p->stuck_cycles > 60000 ||
	    p->dead_cycles == 0 || p->dead_cycles > 60000)
		return DX_EINVAL;
	return 0;
}

static void reset_filters(struct dx_tactile_pad *pad)
{
	for (unsigned i = 0; i < pad->n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];
		memset(t->base, 0, sizeof(t->base));
		memset(t->slope, 0, sizeof(t->slope));
		memset(t->lp, 0, sizeof(t->lp));
		memset(t->hpl, 0, sizeof(t->hpl));
		memset(t->sum, 0, sizeof(t->sum));
		t->nsum = 0;
		t->energy = 0;
		t->erest = 0;
		t->p = 0;
		t->active = false;
		t->deb = 0;
	}
	memset(pad->track, 0, sizeof(pad->track));
	pad->tare_count = 0;
	pad->n_snap = 0;
	pad->prev_contact = false;
	pad->state = pad->got_data ? DX_TACTILE_TARING : DX_TACTILE_WAITING;
}

DX_API int dx_tactile_pad_init(struct dx_tactile_pad *pad,
			       const struct dx_tactile_pad_config *cfg)
{
	struct dx_tactile_taxel grid[DX_TACTILE_MAX_TAXELS];
	const struct dx_tactile_taxel *tx;
	float minsp = INFINITY;
	unsigned n;
	int err;

	if (!pad || !cfg || (cfg->axes != 1 && cfg->axes != 3) ||
	    (cfg->proto != DX_TACTILE_PROTO_DEXRT &&
	     cfg->proto != DX_TACTILE_PROTO_USKIN))
		return DX_EINVAL;
	err = check_params(&cfg->params);
	if (err)
		return err;
	if (cfg->taxels) {
		n = cfg->n_taxels;
		tx = cfg->taxels;
	} else {
		if (cfg->rows == 0 || cfg->cols == 0)
			return DX_EINVAL;
		if ((size_t)cfg->rows * cfg->cols > DX_TACTILE_MAX_TAXELS)
			return DX_ENOSPC;
		n = cfg->rows * cfg->cols;
		err = dx_tactile_grid(cfg->rows, cfg->cols, cfg->pitch,
				      cfg->origin, cfg->normal, grid);
		if (err)
			return err;
		tx = grid;
	}
	if (n == 0)
		return DX_EINVAL;
	if (n > DX_TACTILE_MAX_TAXELS)
		return DX_ENOSPC;
	if (cfg->proto == DX_TACTILE_PROTO_USKIN) {
		if (n > DX_USKIN_TAXELS_PER_BOARD)
			return DX_ENOSPC;
		if (cfg->axes != 3 || cfg->board < 1 ||
		    cfg->board > DX_USKIN_MAX_BOARD)
			return DX_EINVAL;
	} else if (cfg->board > 255) {
		return DX_EINVAL;
	}
	if (!cfg->calib && !(dx_isfinite(cfg->gain) && cfg->gain != 0.0f))
		return DX_EINVAL;

	memset(pad, 0, sizeof(*pad));
	pad->cfg = *cfg;
	pad->cfg.taxels = NULL;
	pad->cfg.calib = NULL;
	pad->prm = cfg->params;
	pad->n = n;
	pad->seq_expect = -1;
	pad->next_id = 1;
	for (unsigned i = 0; i < n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];
		if (!finite3(tx[i].pos))
			return DX_ENOTFINITE;
		err = unit_normal(tx[i].normal, t->n);
		if (err)
			return err;
		memcpy(t->pos, tx[i].pos, sizeof(t->pos));
		dx_tactile_tangents(t->n, t->t1, t->t2);
		for (int a = 0; a < 3; a++) {
			if (cfg->calib) {
				t->offset[a] = cfg->calib[i].offset[a];
				for (int k = 0; k < DX_TACTILE_POLY; k++)
					t->calib[a][k] = cfg->calib[i].poly[a][k];
			} else {
				t->calib[a][0] = cfg->gain;
			}
			if (!dx_isfinite(t->offset[a]) ||
			    !dx_isfinite(t->calib[a][0]) ||
			    !dx_isfinite(t->calib[a][1]) ||
			    !dx_isfinite(t->calib[a][2]))
				return DX_ENOTFINITE;
		}
		t->label = -1;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++) {
			float d = glm_vec3_distance(pad->t[i].pos, pad->t[j].pos);
			if (d < minsp)
				minsp = d;
		}
	pad->nb_radius = pad->prm.neighbour_m > 0 ? pad->prm.neighbour_m
			 : n > 1 ? 1.5f * minsp : 0.0f;
	pad->match_radius = pad->prm.match_m > 0 ? pad->prm.match_m
						 : 2.0f * pad->nb_radius;
	/* Keep the nearest DX_TACTILE_MAX_NEIGHBOURS within the radius. */
	for (unsigned i = 0; i < n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];
		float dist[DX_TACTILE_MAX_NEIGHBOURS];
		for (unsigned j = 0; j < n; j++) {
			float d;
			unsigned k;
			if (j == i)
				continue;
			d = glm_vec3_distance(t->pos, pad->t[j].pos);
			if (d > pad->nb_radius)
				continue;
			if (t->n_nb < DX_TACTILE_MAX_NEIGHBOURS) {
				k = t->n_nb++;
			} else if (d < dist[DX_TACTILE_MAX_NEIGHBOURS - 1]) {
				k = DX_TACTILE_MAX_NEIGHBOURS - 1;
			} else {
				continue;
			}
			/* insertion keeps the list sorted by distance */
			while (k > 0 && dist[k - 1] > d) {
				dist[k] = dist[k - 1];
				t->nb[k] = t->nb[k - 1];
				k--;
			}
			dist[k] = d;
			t->nb[k] = (uint16_t)j;
		}
	}
	reset_filters(pad);
	return 0;
}

DX_API void dx_tactile_pad_tare(struct dx_tactile_pad *pad)
{
	if (pad)
		reset_filters(pad);
}

DX_API void dx_tactile_pad_clear_faults(struct dx_tactile_pad *pad)
{
	if (!pad)
		return;
	for (unsigned i = 0; i < pad->n; i++) {
		pad->t[i].mask = 0;
		pad->t[i].stale = 0;
		pad->t[i].still = 0;
		pad->t[i].sat = 0;
	}
}

DX_API unsigned dx_tactile_pad_taxels(const struct dx_tactile_pad *pad)
{
	return pad ? pad->n : 0;
}

DX_API float dx_tactile_pad_taxel_force(const struct dx_tactile_pad *pad,
					unsigned taxel)
{
	if (!pad || taxel >= pad->n)
		return 0.0f;
	return pad->t[taxel].p;
}

static void fault_push(struct dx_tactile_pad *pad, unsigned taxel,
		       unsigned kind, bool set)
{
	struct dx_tactile_fault *r;

	if (pad->fault_count == DX_TACTILE_FAULT_RING) {
		pad->faults_lost++;
		return;
	}
	r = &pad->faults[(pad->fault_head + pad->fault_count) %
			 DX_TACTILE_FAULT_RING];
	r->cycle = pad->cycle;
	r->taxel = (uint16_t)taxel;
	r->kind = (uint8_t)kind;
	r->set = set;
	pad->fault_count++;
}

DX_API int dx_tactile_pad_fault_pop(struct dx_tactile_pad *pad,
				    struct dx_tactile_fault *out)
{
	if (!pad || !out)
		return DX_EINVAL;
	if (pad->fault_count == 0)
		return DX_EAGAIN;
	*out = pad->faults[pad->fault_head];
	pad->fault_head = (pad->fault_head + 1) % DX_TACTILE_FAULT_RING;
	pad->fault_count--;
	return 0;
}

/* The per-taxel helpers of receive and of the cycle, and the bodies that
 * call them, take the number of axes as an argument and are always
 * inlined: the public functions call the bodies with a literal 3 or 1, so
 * each per-axis loop is unrolled for its case. The logic and arithmetic
 * are the same, operation for operation. */
#define PAD_INLINE static inline __attribute__((always_inline))

/* ---- receive ------------------------------------------------------------- */

/* @p ax = pad->cfg.axes */
PAD_INLINE void store(struct dx_tactile_pad *pad, unsigned i,
		      const int32_t *raw, unsigned ax)
{
	struct dx_tactile_taxel_state *t = &pad->t[i];

	for (unsigned a = 0; a < ax; a++) {
		if (raw[a] != t->raw[a] || !t->ever)
			t->changed = true;
		t->raw[a] = raw[a];
	}
	t->fresh = true;
	t->ever = true;
	if (!pad->got_data) {
		pad->got_data = true;
		if (pad->state == DX_TACTILE_WAITING)
			pad->state = DX_TACTILE_TARING;
	}
}

static bool raw_ok(const struct dx_tactile_pad *pad, int32_t v)
{
	return v >= pad->prm.raw_min && v <= pad->prm.raw_max;
}

DX_API int dx_tactile_pad_put(struct dx_tactile_pad *pad, unsigned taxel,
			      const int32_t *raw)
{
	if (!pad || !raw)
		return DX_EINVAL;
	if (taxel >= pad->n) {
		pad->rx.bad_format++;
		return DX_ERANGE;
	}
	for (unsigned a = 0; a < pad->cfg.axes; a++)
		if (!raw_ok(pad, raw[a])) {
			pad->rx.bad_value++;
			return DX_ERANGE;
		}
	store(pad, taxel, raw, pad->cfg.axes);
	return 0;
}

/* @p ax = pad->cfg.axes */
PAD_INLINE int rx_dexrt_ax(struct dx_tactile_pad *pad,
			   const struct dx_can_frame *f, unsigned ax)
{
	struct dx_taxel_msg m;
	unsigned diff;
	int err;

	err = dx_taxel_decode(f, &m);
	if (err == DX_ENOENT)
		return 0;
	if (((f->id >> 12) & 0xffu) != pad->cfg.board)
		return 0;
	if (err == DX_EMSGSIZE) {
		pad->rx.bad_length++;
		return err;
	}
	if (err) {
		pad->rx.bad_format++;
		return err;
	}
	if (m.axes != ax || (unsigned)m.first + m.count > pad->n) {
		pad->rx.bad_format++;
		return DX_EPROTO;
	}
	for (unsigned i = 0; i < (unsigned)m.count * ax; i++)
		if (m.v[i] != DX_TAXEL_INVALID && !raw_ok(pad, m.v[i])) {
			pad->rx.bad_value++;
			return DX_ERANGE;
		}
	if (pad->seq_expect >= 0) {
		diff = (unsigned)(m.seq - pad->seq_expect) & 0xffu;
		if (diff >= 128) {
			pad->rx.seq_stale++;
			return DX_ESTALE;
		}
		pad->rx.seq_gaps += diff;
	}
	pad->seq_expect = (m.seq + 1) & 0xff;
	for (unsigned k = 0; k < m.count; k++) {
		int32_t raw[3];
		bool bad = false;
		for (unsigned a = 0; a < ax; a++) {
			raw[a] = m.v[k * ax + a];
			bad |= raw[a] == DX_TAXEL_INVALID;
		}
		if (bad)
			pad->rx.invalid++;
		else
			store(pad, m.first + k, raw, ax);
	}
	pad->rx.frames++;
	return 1;
}

static int rx_dexrt(struct dx_tactile_pad *pad, const struct dx_can_frame *f)
{
	if (pad->cfg.axes == 3)
		return rx_dexrt_ax(pad, f, 3);
	return rx_dexrt_ax(pad, f, 1);
}

static int rx_uskin(struct dx_tactile_pad *pad, const struct dx_can_frame *f)
{
	unsigned board, taxel;
	uint16_t xyz[3];
	int32_t raw[3];
	int err;

	err = dx_uskin_decode_taxel(f, &board, &taxel, xyz);
	if (err == DX_ENOENT)
		return 0;
	if (err == DX_EMSGSIZE) {
		/* the id alone says whose it is */
		if ((f->id - DX_USKIN_REPLY_BASE) / DX_USKIN_TAXELS_PER_BOARD !=
		    pad->cfg.board)
			return 0;
		pad->rx.bad_length++;
		return err;
	}
	if (board != pad->cfg.board)
		return 0;
	if (err == DX_ERANGE) {
		pad->rx.invalid++;
		return err;
	}
	if (taxel >= pad->n) {
		pad->rx.bad_format++;
		return DX_EPROTO;
	}
	for (int a = 0; a < 3; a++) {
		raw[a] = xyz[a];
		if (!raw_ok(pad, raw[a])) {
			pad->rx.bad_value++;
			return DX_ERANGE;
		}
	}
	store(pad, taxel, raw, pad->cfg.axes);
	pad->rx.frames++;
	return 1;
}

DX_API int dx_tactile_pad_rx(struct dx_tactile_pad *pad,
			     const struct dx_can_frame *f)
{
	if (!pad || !f)
		return DX_EINVAL;
	if (pad->cfg.proto == DX_TACTILE_PROTO_USKIN)
		return rx_uskin(pad, f);
	return rx_dexrt(pad, f);
}

DX_API int dx_tactile_route(struct dx_tactile_pad *const *pads, size_t n,
			    const struct dx_can_frame *f,
			    struct dx_tactile_rx_stats *st)
{
	bool dexrt = false, uskin = false;

	if ((!pads && n) || !f)
		return DX_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int r;
		if (!pads[i])
			return DX_EINVAL;
		r = dx_tactile_pad_rx(pads[i], f);
		if (r != 0)
			return r;
		if (pads[i]->cfg.proto == DX_TACTILE_PROTO_USKIN)
			uskin = true;
		else
			dexrt = true;
	}
	if (!st || (f->flags & DX_CAN_ERR))
		return 0;
	if (dexrt && (f->flags & DX_CAN_EXT) &&
	    (f->id >> 20) == DX_TAXEL_ID_TAG &&
	    ((f->id >> 8) & 0xfu) == DX_TAXEL_TYPE_DATA)
		st->unknown_board++;
	else if (uskin && !(f->flags & DX_CAN_EXT) &&
		 f->id >= DX_USKIN_REPLY_BASE + DX_USKIN_TAXELS_PER_BOARD &&
		 f->id <= 0x7ffu)
		st->unknown_board++;
	return 0;
}

DX_API int dx_tactile_pad_request(const struct dx_tactile_pad *pad,
				  struct dx_can_frame *f)
{
	int err;

	if (!pad || !f)
		return DX_EINVAL;
	if (pad->cfg.proto == DX_TACTILE_PROTO_USKIN)
		err = dx_uskin_encode_trigger(pad->cfg.board, f);
	else
		err = dx_taxel_encode_cmd(pad->cfg.board, DX_TAXEL_CMD_SCAN, 0, f);
	return err ? err : 1;
}

/* ---- the cycle ----------------------------------------------------------- */

static float alpha(float hz, float dt)
{
	return 1.0f - expf(-2.0f * (float)M_PI * hz * dt);
}

static float calibrate(const struct dx_tactile_taxel_state *t, unsigned a)
{
	float x = (float)t->raw[a] - t->offset[a];
	const float *c = t->calib[a];
	return x * (c[0] + x * (c[1] + x * c[2]));
}

/* Per-taxel faults and filters for one fresh or stale taxel. */
PAD_INLINE void taxel_step(struct dx_tactile_pad *pad, unsigned i, float a_lp,
			   float a_hp, float a_e, unsigned ax)
{
	struct dx_tactile_taxel_state *t = &pad->t[i];
	const struct dx_tactile_params *p = &pad->prm;
	bool sat = false;
	float e = 0.0f;

	if (!t->fresh) {
		if (pad->got_data && t->stale < UINT16_MAX)
			t->stale++;
		if (t->stale >= p->dead_cycles &&
		    !(t->mask & DX_TACTILE_FAULT_DEAD)) {
			t->mask |= DX_TACTILE_FAULT_DEAD;
			fault_push(pad, i, DX_TACTILE_FAULT_DEAD, true);
		}
		return;
	}
	t->stale = 0;
	for (unsigned a = 0; a < ax; a++)
		sat |= t->raw[a] <= p->sat_lo || t->raw[a] >= p->sat_hi;
	if (sat) {
		if (t->sat < p->sat_cycles)
			t->sat++;
		if (t->sat >= p->sat_cycles &&
		    !(t->mask & DX_TACTILE_FAULT_SATURATED)) {
			t->mask |= DX_TACTILE_FAULT_SATURATED;
			fault_push(pad, i, DX_TACTILE_FAULT_SATURATED, true);
		}
	} else if (t->mask & DX_TACTILE_FAULT_SATURATED) {
		if (t->sat > 0)
			t->sat--;
		if (t->sat == 0) {
			t->mask &= (uint8_t)~DX_TACTILE_FAULT_SATURATED;
			fault_push(pad, i, DX_TACTILE_FAULT_SATURATED, false);
		}
	} else {
		t->sat = 0;
	}
	for (unsigned a = 0; a < ax; a++)
		t->cal[a] = calibrate(t, a);
	if (pad->state == DX_TACTILE_TARING) {
		for (unsigned a = 0; a < ax; a++)
			t->sum[a] += t->cal[a];
		t->nsum++;
		return;
	}
	for (unsigned a = 0; a < ax; a++) {
		float d = t->cal[a] - t->base[a], h;
		t->lp[a] += a_lp * (d - t->lp[a]);
		t->hpl[a] += a_hp * (d - t->hpl[a]);
		h = d - t->hpl[a];
		e += h * h;
	}
	t->energy += a_e * (e - t->energy);
}

static void finish_tare(struct dx_tactile_pad *pad)
{
	for (unsigned i = 0; i < pad->n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];
		for (int a = 0; a < 3; a++) {
			t->base[a] = t->nsum ? t->sum[a] / (float)t->nsum : 0.0f;
			t->lp[a] = 0;
			t->hpl[a] = 0;
		}
		t->energy = 0;
	}
	pad->state = DX_TACTILE_RUNNING;
}

/* Force on the object carried by taxel @p t, link frame. */
PAD_INLINE void taxel_force(const struct dx_tactile_taxel_state *t, unsigned ax,
			    float f[3])
{
	for (int a = 0; a < 3; a++)
		f[a] = ax == 3 ? t->lp[2] * t->n[a] + t->lp[0] * t->t1[a] +
					 t->lp[1] * t->t2[a]
			       : t->lp[0] * t->n[a];
}

struct region {
	float sp, spx[3], f[3], spn[3], e;
	unsigned count, healthy, around;
};

PAD_INLINE void add_taxel(struct region *r,
			  const struct dx_tactile_taxel_state *t, unsigned ax)
{
	float f[3], w = t->p > 0 ? t->p : 0.0f, ex;

	taxel_force(t, ax, f);
	for (int a = 0; a < 3; a++) {
		r->f[a] += f[a];
		r->spx[a] += w * t->pos[a];
		r->spn[a] += w * t->n[a];
	}
	r->sp += w;
	ex = t->energy - 2.0f * t->erest;
	r->e += ex > 0 ? ex : 0.0f;
	r->count++;
	r->around++;
	r->healthy += !t->mask;
}

static void rotate(const struct dx_tactile_pose *pose, const float v[3],
		   float out[3], bool translate)
{
	versor q;
	vec3 in = {v[0], v[1], v[2]}, r;

	if (!pose) {
		memcpy(out, v, 3 * sizeof(float));
		return;
	}
	memcpy(q, pose->rot, sizeof(float) * 4); /* pose->rot is not 16-byte aligned */
	glm_quat_rotatev(q, in, r);
	for (int a = 0; a < 3; a++)
		out[a] = r[a] + (translate ? pose->pos[a] : 0.0f);
}

static void make_contact(struct dx_tactile_pad *pad, const struct region *rg,
			 float dt, const struct dx_tactile_pose *pose,
			 struct dx_tactile_contact *c, bool *used)
{
	const struct dx_tactile_params *p = &pad->prm;
	struct dx_tactile_track *tr = NULL;
	float best = pad->match_radius, fn, floor_n, nl, sh, e;
	vec3 n, f, s;
	int bi = -1;

	memset(c, 0, sizeof(*c));
	glm_vec3_copy((float *)rg->spn, n);
	nl = glm_vec3_norm(n);
	if (nl > 0)
		glm_vec3_scale(n, 1.0f / nl, n);
	else
		glm_vec3_copy((vec3){0, 0, 1}, n);
	glm_vec3_copy((float *)rg->f, f);
	fn = glm_vec3_dot(f, n);
	glm_vec3_scale(n, fn, s);
	glm_vec3_sub(f, s, s);
	if (fn < 0)
		fn = 0;
	for (int a = 0; a < 3; a++) {
		c->cop[a] = rg->spx[a] / rg->sp;
		c->normal[a] = n[a];
		c->force[a] = f[a];
		c->shear[a] = s[a];
	}
	c->n_taxels = (uint16_t)rg->count;
	c->normal_force = fn;
	c->confidence = rg->around ? (float)rg->healthy / (float)rg->around : 0;
	rotate(pose, c->cop, c->cop_hand, true);
	rotate(pose, c->normal, c->normal_hand, false);
	rotate(pose, c->force, c->force_hand, false);

	/* Track: nearest previous contact within the match radius. */
	for (int k = 0; k < DX_TACTILE_MAX_CONTACTS; k++) {
		float d;
		if (!pad->track[k].used || used[k])
			continue;
		d = glm_vec3_distance(pad->track[k].cop, c->cop);
		if (d <= best) {
			best = d;
			bi = k;
		}
	}
	floor_n = fn > p->slip_min_n ? fn : p->slip_min_n;
	sh = glm_vec3_norm(s);
	c->ratio = sh / floor_n;
	e = rg->e / (floor_n * floor_n);
	if (bi >= 0) {
		tr = &pad->track[bi];
		used[bi] = true;
		tr->age++;
		if (tr->age > p->settle) {
			float raw = (c->ratio - tr->ratio) / dt;
			tr->rate += alpha(p->slip_rate_hz, dt) * (raw - tr->rate);
		} else {
			tr->rate = 0;
		}
	} else {
		/* a free slot; the caller guarantees one exists */
		for (int k = 0; k < DX_TACTILE_MAX_CONTACTS; k++)
			if (!pad->track[k].used && !used[k]) {
				bi = k;
				break;
			}
		tr = &pad->track[bi];
		memset(tr, 0, sizeof(*tr));
		used[bi] = true;
		tr->id = pad->next_id++;
		if (pad->next_id == 0)
			pad->next_id = 1;
	}
	tr->ratio = c->ratio;
	glm_vec3_copy(c->cop, tr->cop);
	if (tr->age <= p->settle)
		e = 0; /* the onset step is broadband too */
	{
		float score = fabsf(tr->rate) / p->slip_rate;
		if (e / p->slip_energy > score)
			score = e / p->slip_energy;
		if (score > 1.0f) {
			tr->off = 0;
			if (!tr->slip && ++tr->on >= p->slip_on)
				tr->slip = true;
		} else if (score < 0.5f) {
			tr->on = 0;
			if (tr->slip && ++tr->off >= p->slip_off)
				tr->slip = false;
		}
	}
	c->id = tr->id;
	c->slip = tr->slip;
	c->ratio_rate = tr->rate;
	c->energy = e;
}

/* dx_tactile_pad_update() after its checks, @p ax = pad->cfg.axes;
 * @p link_in_hand is NULL or has a unit quaternion. */
PAD_INLINE int pad_cycle(struct dx_tactile_pad *pad, double dt_s,
			 const struct dx_tactile_pose *link_in_hand,
			 struct dx_tactile_result *out, unsigned ax)
{
	const struct dx_tactile_params *p;
	struct region rg[DX_TACTILE_MAX_CONTACTS];
	bool used_track[DX_TACTILE_MAX_CONTACTS] = {false};
	bool keep_track[DX_TACTILE_MAX_CONTACTS] = {false};
	unsigned nrg = 0, masked = 0;
	float dt, a_lp, a_hp, a_e, k_drift;
	bool any = false;

	p = &pad->prm;
	dt = (float)dt_s;
	/* the gains depend on dt only: a fixed-rate loop computes them once */
	if (dt != pad->k_dt) {
		pad->k_lp = alpha(p->lp_hz, dt);
		pad->k_hp = alpha(p->hp_hz, dt);
		pad->k_e = 1.0f - expf(-dt / p->energy_tau_s);
		pad->k_drift = 1.0f - expf(-dt / p->drift_tau_s);
		pad->k_dt = dt;
	}
	a_lp = pad->k_lp;
	a_hp = pad->k_hp;
	a_e = pad->k_e;
	k_drift = pad->k_drift;
	pad->cycle++;
	pad->time += dt_s;
	memset(out, 0, sizeof(*out));
	out->cycle = pad->cycle;

	for (unsigned i = 0; i < pad->n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];
		if (t->mask & DX_TACTILE_FAULT_DEAD) {
			/* back after dead_cycles valid samples in a row (a
			 * link outage must not mask the pad for good) */
			t->still = t->fresh ? (uint16_t)(t->still + 1) : 0;
			if (t->still < p->dead_cycles)
				continue;
			t->mask &= (uint8_t)~DX_TACTILE_FAULT_DEAD;
			t->still = 0;
			t->stale = 0;
			fault_push(pad, i, DX_TACTILE_FAULT_DEAD, false);
		}
		if (!(t->mask & DX_TACTILE_FAULT_STUCK))
			taxel_step(pad, i, a_lp, a_hp, a_e, ax);
	}

	/* Stuck: bit-identical samples while a neighbour's change. */
	for (unsigned i = 0; i < pad->n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];
		bool nb_moved = false;
		/* a taxel at the rail repeats itself legitimately */
		if (!t->fresh || t->sat ||
		    (t->mask & (DX_TACTILE_FAULT_DEAD | DX_TACTILE_FAULT_STUCK |
				DX_TACTILE_FAULT_SATURATED)))
			continue;
		if (t->changed) {
			t->still = 0;
			continue;
		}
		for (unsigned k = 0; k < t->n_nb; k++)
			nb_moved |= pad->t[t->nb[k]].changed;
		if (nb_moved && ++t->still >= p->stuck_cycles) {
			t->mask |= DX_TACTILE_FAULT_STUCK;
			fault_push(pad, i, DX_TACTILE_FAULT_STUCK, true);
		}
	}
	for (unsigned i = 0; i < pad->n; i++) {
		pad->t[i].fresh = false;
		pad->t[i].changed = false;
		masked += pad->t[i].mask != 0;
	}
	out->n_masked = masked;

	if (pad->state == DX_TACTILE_TARING &&
	    ++pad->tare_count >= p->tare_samples)
		finish_tare(pad);
	out->state = pad->state;
	if (pad->state != DX_TACTILE_RUNNING)
		return 0;

	/* One pass per taxel, in three steps. A masked taxel reads only
	 * healthy taxels' filter outputs, which none of the steps changes, so
	 * this is the same as three passes over the pad. */
	for (unsigned i = 0; i < pad->n; i++) {
		struct dx_tactile_taxel_state *t = &pad->t[i];

		/* Masked taxels take the mean of their nearest healthy
		 * neighbours (the closest ring: on a grid the four edge
		 * neighbours, which bias a pressure peak less than the
		 * diagonals would). */
		if (t->mask) {
			float acc[3] = {0, 0, 0}, ring = INFINITY;
			unsigned h = 0;
			for (unsigned k = 0; k < t->n_nb; k++) {
				const struct dx_tactile_taxel_state *u =
					&pad->t[t->nb[k]];
				float d;
				if (u->mask)
					continue;
				d = glm_vec3_distance(t->pos, (float *)u->pos);
				if (d > 1.05f * ring)
					break; /* sorted by distance */
				if (d < ring)
					ring = d;
				for (unsigned a = 0; a < ax; a++)
					acc[a] += u->lp[a];
				h++;
			}
			for (unsigned a = 0; a < ax; a++)
				t->lp[a] = h ? acc[a] / (float)h : 0.0f;
			t->energy = 0;
		}

		/* Activation with hysteresis and debounce. */
		t->p = ax == 3 ? t->lp[2] : t->lp[0];
		t->label = -1;
		if (!t->active ? t->p > p->on_n : t->p < p->off_n) {
			if (++t->deb >= p->debounce) {
				t->active = !t->active;
				t->deb = 0;
			}
		} else {
			t->deb = 0;
		}
		any |= t->active;

		/* Baseline (see struct dx_tactile_params): predict at the
		 * drift rate here; below, correct only while nothing touches
		 * the pad and the taxel is close to its baseline, so a slow
		 * press is not eaten. */
		if (!t->mask)
			for (unsigned a = 0; a < ax; a++)
				t->base[a] += t->slope[a] * dt;
	}
	if (!any && !pad->prev_contact) {
		float k = k_drift; /* 1 - exp(-dt / drift_tau_s) */
		float ka = k * (2.0f - k), kb = k * k / dt;
		double period = 0.25 * p->drift_tau_s;
		bool snap = pad->n_snap == 0 ||
			    pad->time - pad->snap_t[1] >= period;
		for (unsigned i = 0; i < pad->n; i++) {
			struct dx_tactile_taxel_state *t = &pad->t[i];
			bool quiet = true;
			if (!t->mask && !t->stale) {
				for (unsigned a = 0; a < ax; a++)
					quiet &= fabsf(t->lp[a]) < p->drift_gate_n;
				if (quiet) {
					for (unsigned a = 0; a < ax; a++) {
						float r = t->cal[a] - t->base[a];
						t->base[a] += ka * r;
						t->slope[a] += kb * r;
					}
					t->erest += k_drift * (t->energy - t->erest);
				}
			}
			if (snap) {
				memcpy(t->snap_b[0], t->snap_b[1], sizeof(t->snap_b[0]));
				memcpy(t->snap_s[0], t->snap_s[1], sizeof(t->snap_s[0]));
				memcpy(t->snap_b[1], t->base, sizeof(t->base));
				memcpy(t->snap_s[1], t->slope, sizeof(t->slope));
			}
		}
		if (snap) {
			pad->snap_t[0] = pad->snap_t[1];
			pad->snap_t[1] = pad->time;
			if (pad->n_snap < 2)
				pad->n_snap++;
		}
	} else if (any && !pad->prev_contact && pad->n_snap == 2) {
		float age = (float)(pad->time - pad->snap_t[0]);
		for (unsigned i = 0; i < pad->n; i++) {
			struct dx_tactile_taxel_state *t = &pad->t[i];
			if (t->mask)
				continue;
			for (unsigned a = 0; a < ax; a++) {
				float nb = t->snap_b[0][a] + t->snap_s[0][a] * age;
				/* the deviation keeps its filtered shape */
				t->lp[a] += t->base[a] - nb;
				t->base[a] = nb;
				t->slope[a] = t->snap_s[0][a];
			}
		}
	}
	pad->prev_contact = any;
	out->in_contact = any;

	/* Connected regions of active taxels (breadth-first, bounded by n). */
	for (unsigned s = 0; s < pad->n; s++) {
		struct region r;
		unsigned head = 0, tail = 0;
		if (!pad->t[s].active || pad->t[s].label >= 0)
			continue;
		memset(&r, 0, sizeof(r));
		pad->t[s].label = 0;
		pad->queue[tail++] = (uint16_t)s;
		while (head < tail) {
			unsigned i = pad->queue[head++];
			struct dx_tactile_taxel_state *t = &pad->t[i];
			add_taxel(&r, t, ax);
			for (unsigned k = 0; k < t->n_nb; k++) {
				struct dx_tactile_taxel_state *u = &pad->t[t->nb[k]];
				if (u->label >= 0)
					continue;
				u->label = 0;
				if (u->active) {
					pad->queue[tail++] = t->nb[k];
				} else {
					/* one ring of border taxels: the
					 * tail of the pressure below the
					 * threshold still carries force */
					add_taxel(&r, u, ax);
					r.count--;
				}
			}
		}
		if (!(r.sp > 0) || r.sp < p->contact_min_n)
			continue;
		if (nrg < DX_TACTILE_MAX_CONTACTS) {
			rg[nrg++] = r;
		} else {
			/* keep the strongest regions */
			unsigned wk = 0;
			for (unsigned k = 1; k < nrg; k++)
				if (rg[k].sp < rg[wk].sp)
					wk = k;
			if (r.sp > rg[wk].sp)
				rg[wk] = r;
			out->dropped++;
		}
	}

	/* Tracks not matched this cycle are freed before new ones start:
	 * first match, then allocate. Matching happens inside make_contact
	 * in region order; a two-pass scheme keeps an old track from being
	 * taken by a new region before its own region is seen. */
	for (unsigned k = 0; k < nrg; k++) {
		float cop[3], best = pad->match_radius;
		int bi = -1;
		for (int a = 0; a < 3; a++)
			cop[a] = rg[k].spx[a] / rg[k].sp;
		for (int j = 0; j < DX_TACTILE_MAX_CONTACTS; j++) {
			float d;
			if (!pad->track[j].used || keep_track[j])
				continue;
			d = glm_vec3_distance(pad->track[j].cop, cop);
			if (d <= best) {
				best = d;
				bi = j;
			}
		}
		if (bi >= 0)
			keep_track[bi] = true;
	}
	for (int j = 0; j < DX_TACTILE_MAX_CONTACTS; j++)
		if (!keep_track[j])
			pad->track[j].used = false;
	for (unsigned k = 0; k < nrg; k++) {
		make_contact(pad, &rg[k], dt, link_in_hand, &out->contacts[k],
			     used_track);
		out->total_normal += out->contacts[k].normal_force;
	}
	for (int j = 0; j < DX_TACTILE_MAX_CONTACTS; j++)
		pad->track[j].used = used_track[j];
	out->n_contacts = nrg;
	return 0;
}

DX_API int dx_tactile_pad_update(struct dx_tactile_pad *pad, double dt_s,
				 const struct dx_tactile_pose *link_in_hand,
				 struct dx_tactile_result *out)
{
	struct dx_tactile_pose pose;

	if (!pad || !out)
		return DX_EINVAL;
	if (!dx_isfinite(dt_s))
		return DX_ENOTFINITE;
	if (!(dt_s > 0.0))
		return DX_EINVAL;
	if (link_in_hand) {
		float qn;
		if (!finite3(link_in_hand->pos) || !finite3(link_in_hand->rot) ||
		    !dx_isfinite(link_in_hand->rot[3]))
			return DX_ENOTFINITE;
		qn = sqrtf(link_in_hand->rot[0] * link_in_hand->rot[0] +
			   link_in_hand->rot[1] * link_in_hand->rot[1] +
			   link_in_hand->rot[2] * link_in_hand->rot[2] +
			   link_in_hand->rot[3] * link_in_hand->rot[3]);
		if (!(qn > 1e-6f))
			return DX_EINVAL;
		/* a unit quaternion for the rotations below */
		pose = *link_in_hand;
		for (int a = 0; a < 4; a++)
			pose.rot[a] /= qn;
		link_in_hand = &pose;
	}
	if (pad->cfg.axes == 3)
		return pad_cycle(pad, dt_s, link_in_hand, out, 3);
	return pad_cycle(pad, dt_s, link_in_hand, out, 1);
}
