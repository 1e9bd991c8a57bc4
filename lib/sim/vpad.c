/* SPDX-License-Identifier: MIT */
/* Virtual tactile pad: commanded contacts → raw taxel counts → frames of
 * the dexrt taxel protocol or the legacy uSkin-style protocol. */
#include <math.h>
#include <string.h>

#include <dexrt/simpad.h>

DX_API void dx_simpad_config_default(struct dx_simpad_config *c,
				     enum dx_tactile_proto proto)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->proto = proto;
	c->axes = 3;
	c->counts_per_n = 1000.0f;
	c->offset = proto == DX_TACTILE_PROTO_USKIN ? 32768.0f : 0.0f;
	c->seed = 1;
}

/* xorshift64* and Box-Muller: reproducible noise without libc state. */
static double uniform(struct dx_simpad *sp)
{
	uint64_t x = sp->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sp->rng = x;
	return (double)((x * UINT64_C(2685821657736338717)) >> 11) * 0x1.0p-53;
}

static double gauss(struct dx_simpad *sp)
{
	double u = uniform(sp), v = uniform(sp);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static bool fin3(const float v[3])
{
	return dx_isfinite(v[0]) && dx_isfinite(v[1]) && dx_isfinite(v[2]);
}

DX_API int dx_simpad_init(struct dx_simpad *sp, const struct dx_simpad_config *c)
{
	struct dx_tactile_taxel grid[DX_TACTILE_MAX_TAXELS];
	const struct dx_tactile_taxel *tx;
	unsigned n;
	int err;

	if (!sp || !c || (c->axes != 1 && c->axes != 3) ||
	    !(c->counts_per_n > 0) || !dx_isfinite(c->counts_per_n) ||
	    !dx_isfinite(c->offset) || !(c->noise >= 0) ||
	    !dx_isfinite(c->noise) || !dx_isfinite(c->drift) ||
	    !(c->taxel_area >= 0) || !dx_isfinite(c->taxel_area))
		return DX_EINVAL;
	if (c->proto == DX_TACTILE_PROTO_USKIN) {
		if (c->axes != 3 || c->board < 1 || c->board > DX_USKIN_MAX_BOARD)
			return DX_EINVAL;
	} else if (c->proto != DX_TACTILE_PROTO_DEXRT || c->board > 255) {
		return DX_EINVAL;
	}
	if (c->taxels) {
		n = c->n_taxels;
		tx = c->taxels;
	} else {
		if (c->rows == 0 || c->cols == 0)
			return DX_EINVAL;
		if ((size_t)c->rows * c->cols > DX_TACTILE_MAX_TAXELS)
			return DX_ENOSPC;
		n = c->rows * c->cols;
		err = dx_tactile_grid(c->rows, c->cols, c->pitch, c->origin,
				      c->normal, grid);
		if (err)
			return err;
		tx = grid;
	}
	if (n == 0)
		return DX_EINVAL;
	if (n > DX_TACTILE_MAX_TAXELS ||
	    (c->proto == DX_TACTILE_PROTO_USKIN && n > DX_USKIN_TAXELS_PER_BOARD))
		return DX_ENOSPC;
	memset(sp, 0, sizeof(*sp));
	sp->cfg = *c;
	sp->cfg.taxels = NULL;
	sp->n = n;
	sp->rng = c->seed ? c->seed : 1;
	sp->area = c->taxel_area > 0 ? c->taxel_area
		   : c->taxels ? 0.0f : c->pitch * c->pitch;
	if (!(sp->area > 0))
		return DX_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct dx_simpad_taxel *t = &sp->tx[i];
		float l;
		if (!fin3(tx[i].pos) || !fin3(tx[i].normal))
			return DX_ENOTFINITE;
		l = sqrtf(tx[i].normal[0] * tx[i].normal[0] +
			  tx[i].normal[1] * tx[i].normal[1] +
			  tx[i].normal[2] * tx[i].normal[2]);
		for (int a = 0; a < 3; a++) {
			t->pos[a] = tx[i].pos[a];
			t->n[a] = l > 0 ? tx[i].normal[a] / l : (a == 2);
		}
		dx_tactile_tangents(t->n, t->t1, t->t2);
		t->drift_scale = (float)(0.5 + uniform(sp));
	}
	return dx_simpad_step(sp, 1e-9) < 0 ? DX_EINVAL : 0;
}

DX_API int dx_simpad_set_contacts(struct dx_simpad *sp,
				  const struct dx_simpad_contact *c, unsigned n)
{
	if (!sp || (n && !c) || n > DX_SIMPAD_MAX_CONTACTS)
		return DX_EINVAL;
	for (unsigned k = 0; k < n; k++)
		if (!fin3(c[k].pos) || !fin3(c[k].force) ||
		    !dx_isfinite(c[k].radius))
			return DX_ENOTFINITE;
		else if (!(c[k].radius > 0))
			return DX_EINVAL;
	if (n)
		memcpy(sp->contacts, c, n * sizeof(*c));
	sp->n_contacts = n;
	return 0;
}

DX_API void dx_simpad_set_slip(struct dx_simpad *sp,
			       const struct dx_simpad_slip *s)
{
	if (!sp)
		return;
	memset(&sp->slip, 0, sizeof(sp->slip));
	if (!s)
		return;
	sp->slip = *s;
	sp->slip_t0 = sp->t;
	/* zero, NaN and infinite fields take the defaults */
	if (!(sp->slip.shear_rate != 0) || !dx_isfinite(sp->slip.shear_rate))
		sp->slip.shear_rate = 2.0f;
	if (!(sp->slip.period_s > 0) || !dx_isfinite(sp->slip.period_s))
		sp->slip.period_s = 0.25f;
	if (!(sp->slip.vib_rel > 0) || !dx_isfinite(sp->slip.vib_rel))
		sp->slip.vib_rel = 0.1f;
	if (!(sp->slip.vib_hz > 0) || !dx_isfinite(sp->slip.vib_hz))
		sp->slip.vib_hz = 250.0f;
	if (!fin3(sp->slip.dir) || (sp->slip.dir[0] == 0 && sp->slip.dir[1] == 0 &&
				    sp->slip.dir[2] == 0))
		sp->slip.dir[0] = 1.0f;
}

DX_API int dx_simpad_inject(struct dx_simpad *sp, unsigned taxel,
			    enum dx_simpad_fault f)
{
	if (!sp || taxel >= sp->n || f < DX_SIMPAD_OK || f > DX_SIMPAD_SATURATED)
		return DX_EINVAL;
	sp->tx[taxel].fault = (uint8_t)f;
	return 0;
}

static int32_t clip(double v, const struct dx_simpad *sp)
{
	double lo = sp->cfg.proto == DX_TACTILE_PROTO_USKIN ? 0.0 : -32767.0;
	double hi = sp->cfg.proto == DX_TACTILE_PROTO_USKIN ? 63999.0 : 32767.0;

	if (!(v > lo))
		return (int32_t)lo;
	if (v > hi)
		return (int32_t)hi;
	return (int32_t)lround(v);
}

DX_API int dx_simpad_step(struct dx_simpad *sp, double dt_s)
{
	const struct dx_simpad_slip *sl;
	double vib = 0, saw = 0;

	if (!sp)
		return DX_EINVAL;
	if (!dx_isfinite(dt_s))
		return DX_ENOTFINITE;
	if (!(dt_s > 0))
		return DX_EINVAL;
	sp->t += dt_s;
	sl = &sp->slip;
	if (sl->on) {
		vib = sin(2.0 * M_PI * sl->vib_hz * sp->t);
		saw = sl->shear_rate * fmod(sp->t - sp->slip_t0, sl->period_s);
	}
	for (unsigned i = 0; i < sp->n; i++) {
		struct dx_simpad_taxel *t = &sp->tx[i];
		double v[3] = {0, 0, 0}, base;
		if (t->fault == DX_SIMPAD_STUCK)
			continue;
		for (unsigned k = 0; k < sp->n_contacts; k++) {
			const struct dx_simpad_contact *c = &sp->contacts[k];
			double d2 = 0, w, fn = 0, f1 = 0, f2 = 0, r2;
			float F[3];
			for (int a = 0; a < 3; a++) {
				double d = t->pos[a] - c->pos[a];
				d2 += d * d;
			}
			r2 = (double)c->radius * c->radius;
			w = exp(-d2 / (2.0 * r2)) / (2.0 * M_PI * r2) * sp->area;
			memcpy(F, c->force, sizeof(F));
			for (int a = 0; a < 3; a++)
				fn += F[a] * t->n[a];
			if (sl->on) {
				/* shear along dir, tangential part only */
				double dn = 0, dir[3];
				for (int a = 0; a < 3; a++)
					dn += sl->dir[a] * t->n[a];
				for (int a = 0; a < 3; a++) {
					dir[a] = sl->dir[a] - dn * t->n[a];
					F[a] += (float)(saw * (fn > 0 ? fn : 0) * dir[a]);
				}
			}
			for (int a = 0; a < 3; a++) {
				f1 += F[a] * t->t1[a];
				f2 += F[a] * t->t2[a];
			}
			if (sl->on && fn > 0) {
				double amp = sl->vib_rel * fn;
				fn += amp * (vib + 0.5 * gauss(sp));
				f1 += amp * (0.7 * vib + 0.5 * gauss(sp));
			}
			if (sp->cfg.axes == 1) {
				v[0] += w * (fn > 0 ? fn : 0);
			} else {
				v[0] += w * f1;
				v[1] += w * f2;
				v[2] += w * fn;
			}
		}
		base = sp->cfg.offset + sp->cfg.drift * t->drift_scale * sp->t;
		for (unsigned a = 0; a < sp->cfg.axes; a++) {
			double noise = sp->cfg.noise > 0 ? sp->cfg.noise * gauss(sp) : 0;
			t->raw[a] = clip(base + sp->cfg.counts_per_n * v[a] + noise, sp);
		}
		if (t->fault == DX_SIMPAD_SATURATED)
			for (unsigned a = 0; a < sp->cfg.axes; a++)
				t->raw[a] = clip(1e9, sp);
	}
	return 0;
}

DX_API int dx_simpad_raw(const struct dx_simpad *sp, unsigned taxel,
			 int32_t out[3])
{
	if (!sp || !out || taxel >= sp->n)
		return DX_EINVAL;
	for (unsigned a = 0; a < 3; a++)
		out[a] = a < sp->cfg.axes ? sp->tx[taxel].raw[a] : 0;
	return 0;
}

DX_API int dx_simpad_encode_scan(struct dx_simpad *sp,
				 struct dx_can_frame *frames, size_t max)
{
	unsigned cap, nf, ax;

	if (!sp || (!frames && max))
		return DX_EINVAL;
	ax = sp->cfg.axes;
	if (sp->cfg.proto == DX_TACTILE_PROTO_USKIN) {
		if (max < sp->n)
			return DX_ENOSPC;
		for (unsigned i = 0; i < sp->n; i++) {
			uint16_t xyz[3];
			for (int a = 0; a < 3; a++)
				xyz[a] = sp->tx[i].fault == DX_SIMPAD_DEAD
						 ? 0xffffu
						 : (uint16_t)sp->tx[i].raw[a];
			dx_uskin_encode_taxel(sp->cfg.board, i, xyz, &frames[i]);
		}
		return (int)sp->n;
	}
	cap = dx_taxel_frame_capacity(ax, sp->cfg.fd);
	nf = (sp->n + cap - 1) / cap;
	if (max < nf)
		return DX_ENOSPC;
	for (unsigned k = 0; k < nf; k++) {
		struct dx_taxel_msg m;
		unsigned first = k * cap;
		memset(&m, 0, sizeof(m));
		m.board = (uint8_t)sp->cfg.board;
		m.seq = sp->seq++;
		m.first = (uint8_t)first;
		m.count = (uint8_t)(sp->n - first < cap ? sp->n - first : cap);
		m.axes = (uint8_t)ax;
		m.end_of_scan = k + 1 == nf;
		for (unsigned j = 0; j < m.count; j++)
			for (unsigned a = 0; a < ax; a++) {
				const struct dx_simpad_taxel *t = &sp->tx[first + j];
				m.v[j * ax + a] = t->fault == DX_SIMPAD_DEAD
							  ? DX_TAXEL_INVALID
							  : (int16_t)t->raw[a];
			}
		dx_taxel_encode(&m, sp->cfg.fd, &frames[k]);
	}
	return (int)nf;
}

DX_API int dx_simpad_handle(struct dx_simpad *sp, const struct dx_can_frame *in,
			    struct dx_can_frame *out, size_t max)
{
	enum dx_taxel_cmd cmd;
	unsigned board, rate;

	if (!sp || !in)
		return DX_EINVAL;
	if (sp->cfg.proto == DX_TACTILE_PROTO_USKIN) {
		if (dx_uskin_decode_trigger(in, &board) != 0 ||
		    board != sp->cfg.board)
			return 0;
		return dx_simpad_encode_scan(sp, out, max);
	}
	if (dx_taxel_decode_cmd(in, &board, &cmd, &rate) != 0 ||
	    board != sp->cfg.board)
		return 0;
	switch (cmd) {
	case DX_TAXEL_CMD_START:
		sp->streaming = true;
		sp->rate_hz = rate;
		return 0;
	case DX_TAXEL_CMD_STOP:
		sp->streaming = false;
		return 0;
	case DX_TAXEL_CMD_SCAN:
		return dx_simpad_encode_scan(sp, out, max);
	}
	return 0;
}

DX_API bool dx_simpad_streaming(const struct dx_simpad *sp, unsigned *rate_hz)
{
	if (!sp)
		return false;
	if (rate_hz)
		*rate_hz = sp->rate_hz;
	return sp->streaming;
}
