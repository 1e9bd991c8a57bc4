/* SPDX-License-Identifier: MIT */
/* Inverse kinematics: damped least squares with adaptive damping per group
 * of coupled tips, projected onto the joint limits, with bounded random
 * restarts (see kin.h for the method and its reference). Everything the
 * solve needs is allocated in dx_kin_ik_create(). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kin-priv.h"

#define MAX_TIPS 64
#define MU_MIN 1e-4
#define MU_MAX 1e8

/* Tips that share no variable are solved as separate problems (a hand's
 * fingers): each group has its own damping and its own small matrices. */
struct ik_group {
	unsigned ntips, n;
	unsigned *tips;         /* tip indices */
	unsigned *vars;         /* active variable of each column */
};

struct dx_kin_ik {
	const struct dx_kin_model *model;
	struct dx_kin_ik_config cfg;
	unsigned ntips;
	struct dx_kin_chain **chains;
	unsigned n;             /* active variables (union of the chains') */
	int *act;               /* active -> model variable */
	unsigned *tmap_off;     /* tip t's chain vars map at tmap[tmap_off[t]] */
	unsigned *tmap;         /* chain var -> active var */
	unsigned *tcol;         /* chain var -> column in its group */
	uint64_t *var_tips;     /* tips each active var moves */
	double *lo, *hi;
	unsigned ngroups;
	struct ik_group *groups;
	unsigned *gbuf;
	unsigned maxnv;         /* largest chain */
	unsigned gn, gm;        /* largest group: columns, rows (6 per tip) */
	/* workspace */
	double *q, *qtry, *qbest, *dq, *qc, *Jc;
	double *A, *Atry, *b, *btry, *M, *y;
	double *perr, *rerr, *perr_try, *rerr_try;
	struct dx_kin_pose *goal;
	unsigned *row0;         /* first row of tip t in its group */
	double *wp, *wr;        /* per-tip row weights */
	uint64_t rng[4];
};

/* ---- PRNG: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom
 * number generators", ACM TOMS 2021), seeded with splitmix64 ---------------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(uint64_t s[4])
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static double rng_unit(uint64_t s[4])
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* ---- creation ------------------------------------------------------------ */

void dx_kin_ik_config_default(struct dx_kin_ik_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_iters = 100;
	cfg->max_restarts = 200;
	cfg->tol_pos = 1e-6;
	cfg->tol_rot = 1e-5;
	cfg->seed = 1;
	cfg->damping = 1e-9;
	cfg->stall_ratio = 1e-3;
	cfg->stall_window = 8;
}

void dx_kin_ik_free(struct dx_kin_ik *ik)
{
	if (!ik)
		return;
	if (ik->chains)
		for (unsigned t = 0; t < ik->ntips; t++)
			dx_kin_chain_free(ik->chains[t]);
	free(ik->chains);
	free(ik->act);
	free(ik->tmap_off);
	free(ik->tmap);
	free(ik->tcol);
	free(ik->var_tips);
	free(ik->lo);
	free(ik->hi);
	free(ik->groups);
	free(ik->gbuf);
	free(ik->q);
	free(ik->qtry);
	free(ik->qbest);
	free(ik->dq);
	free(ik->qc);
	free(ik->Jc);
	free(ik->A);
	free(ik->Atry);
	free(ik->b);
	free(ik->btry);
	free(ik->M);
	free(ik->y);
	free(ik->perr);
	free(ik->rerr);
	free(ik->perr_try);
	free(ik->rerr_try);
	free(ik->goal);
	free(ik->row0);
	free(ik->wp);
	free(ik->wr);
	free(ik);
}

static void *zalloc(size_t cnt, size_t size)
{
	return calloc(cnt ? cnt : 1, size);
}

static bool cfg_ok(const struct dx_kin_ik_config *c)
{
	return c->max_iters > 0 && c->tol_pos > 0 && c->tol_rot > 0 &&
	       dx_isfinite(c->tol_pos) && dx_isfinite(c->tol_rot) &&
	       c->damping >= 0 && dx_isfinite(c->damping) &&
	       c->stall_ratio >= 0 && c->stall_ratio < 1 &&
	       c->stall_window > 0 && c->max_iters <= 1000000 &&
	       c->max_restarts <= 1000000;
}

/* Groups: connected components of the tips under "share a variable". */
static int make_groups(struct dx_kin_ik *ik)
{
	unsigned nt = ik->ntips, *comp, ng = 0, used = 0;

	comp = zalloc(nt, sizeof(unsigned));
	ik->groups = zalloc(nt, sizeof(*ik->groups));
	ik->gbuf = zalloc(nt + ik->n, sizeof(unsigned));
	if (!comp || !ik->groups || !ik->gbuf) {
		free(comp);
		return DX_ENOMEM;
	}
	for (unsigned t = 0; t < nt; t++)
		comp[t] = t;
	/* merge until stable: tips moved by one variable share a component */
	for (bool changed = true; changed;) {
		changed = false;
		for (unsigned v = 0; v < ik->n; v++) {
			unsigned lo = nt;

			for (unsigned t = 0; t < nt; t++)
				if ((ik->var_tips[v] >> t & 1) && comp[t] < lo)
					lo = comp[t];
			for (unsigned t = 0; t < nt; t++)
				if ((ik->var_tips[v] >> t & 1) && comp[t] != lo) {
					comp[t] = lo;
					changed = true;
				}
		}
	}
	for (unsigned r = 0; r < nt; r++) {
		struct ik_group *g;
		uint64_t mask = 0;

		if (comp[r] != r)
			continue;
		g = &ik->groups[ng++];
		g->tips = ik->gbuf + used;
		for (unsigned t = 0; t < nt; t++)
			if (comp[t] == r) {
				g->tips[g->ntips++] = t;
				mask |= UINT64_C(1) << t;
			}
		used += g->ntips;
		g->vars = ik->gbuf + used;
		for (unsigned v = 0; v < ik->n; v++)
			if (ik->var_tips[v] & mask)
				g->vars[g->n++] = v;
		used += g->n;
		if (g->n > ik->gn)
			ik->gn = g->n;
		if (6 * g->ntips > ik->gm)
			ik->gm = 6 * g->ntips;
		/* column of each chain variable inside its group */
		for (unsigned k = 0; k < g->ntips; k++) {
			unsigned t = g->tips[k];

			for (unsigned i = ik->tmap_off[t]; i < ik->tmap_off[t + 1];
			     i++)
				for (unsigned c = 0; c < g->n; c++)
					if (g->vars[c] == ik->tmap[i])
						ik->tcol[i] = c;
		}
	}
	ik->ngroups = ng;
	free(comp);
	return 0;
}

int dx_kin_ik_create(const struct dx_kin_model *m, const char *base,
		     const char *const *tips, unsigned ntips,
		     const struct dx_kin_ik_config *cfg, struct dx_kin_ik **out)
{
	struct dx_kin_ik *ik;
	unsigned total = 0, n, k;
	int r;

	if (!out)
		return DX_EINVAL;
	*out = NULL;
	if (!m || !tips || ntips == 0 || ntips > MAX_TIPS)
		return DX_EINVAL;
	for (unsigned t = 0; t < ntips; t++)
		if (!tips[t])
			return DX_EINVAL;
	ik = calloc(1, sizeof(*ik));
	if (!ik)
		return DX_ENOMEM;
	ik->model = m;
	if (cfg)
		ik->cfg = *cfg;
	else
		dx_kin_ik_config_default(&ik->cfg);
	if (!cfg_ok(&ik->cfg)) {
		free(ik);
		return DX_EINVAL;
	}
	ik->ntips = ntips;
	ik->chains = calloc(ntips, sizeof(*ik->chains));
	ik->tmap_off = calloc(ntips + 1, sizeof(unsigned));
	if (!ik->chains || !ik->tmap_off) {
		dx_kin_ik_free(ik);
		return DX_ENOMEM;
	}
	for (unsigned t = 0; t < ntips; t++) {
		r = dx_kin_chain_create(m, base, tips[t], &ik->chains[t]);
		if (r) {
			dx_kin_ik_free(ik);
			return r;
		}
		ik->tmap_off[t] = total;
		total += ik->chains[t]->nv;
		if (ik->chains[t]->nv > ik->maxnv)
			ik->maxnv = ik->chains[t]->nv;
	}
	ik->tmap_off[ntips] = total;
	ik->act = zalloc(m->nvars, sizeof(int));
	ik->tmap = zalloc(total, sizeof(unsigned));
	ik->tcol = zalloc(total, sizeof(unsigned));
	ik->var_tips = zalloc(m->nvars, sizeof(uint64_t));
	if (!ik->act || !ik->tmap || !ik->tcol || !ik->var_tips) {
		dx_kin_ik_free(ik);
		return DX_ENOMEM;
	}
	n = 0;
	for (unsigned t = 0; t < ntips; t++) {
		const struct dx_kin_chain *c = ik->chains[t];

		for (unsigned i = 0; i < c->nv; i++) {
			for (k = 0; k < n; k++)
				if (ik->act[k] == c->var_model[i])
					break;
			if (k == n)
				ik->act[n++] = c->var_model[i];
			ik->tmap[ik->tmap_off[t] + i] = k;
			ik->var_tips[k] |= UINT64_C(1) << t;
		}
	}
	ik->n = n;
	r = make_groups(ik);
	if (r) {
		dx_kin_ik_free(ik);
		return r;
	}
	k = ik->gn > ik->gm ? ik->gn : ik->gm;
#define ALLOC(f, cnt) (ik->f = zalloc((cnt), sizeof(*ik->f)))
	if (!ALLOC(lo, n) || !ALLOC(hi, n) || !ALLOC(q, n) ||
	    !ALLOC(qtry, n) || !ALLOC(qbest, n) || !ALLOC(dq, ik->gn) ||
	    !ALLOC(qc, ik->maxnv) || !ALLOC(Jc, 6 * ik->maxnv) ||
	    !ALLOC(A, ik->gm * ik->gn) || !ALLOC(Atry, ik->gm * ik->gn) ||
	    !ALLOC(b, ik->gm) || !ALLOC(btry, ik->gm) || !ALLOC(M, k * k) ||
	    !ALLOC(y, k) || !ALLOC(perr, ntips) || !ALLOC(rerr, ntips) ||
	    !ALLOC(perr_try, ntips) || !ALLOC(rerr_try, ntips) ||
	    !ALLOC(goal, ntips) || !ALLOC(row0, ntips) ||
	    !ALLOC(wp, ntips) || !ALLOC(wr, ntips)) {
		dx_kin_ik_free(ik);
		return DX_ENOMEM;
	}
#undef ALLOC
	for (unsigned i = 0; i < n; i++) {
		ik->lo[i] = m->var_lower[ik->act[i]];
		ik->hi[i] = m->var_upper[ik->act[i]];
	}
	*out = ik;
	return 0;
}

const struct dx_kin_chain *dx_kin_ik_chain(const struct dx_kin_ik *ik,
					   unsigned i)
{
	return ik && i < ik->ntips ? ik->chains[i] : NULL;
}

/* ---- solve --------------------------------------------------------------- */

static inline double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* FK of the group's tips at q (active vector), weighted error b, weighted
 * Jacobian A (rows x group columns); returns E = b.b / 2 and fills the
 * per-tip errors. */
static double evaluate(struct dx_kin_ik *ik, const struct ik_group *g,
		       const struct dx_kin_ik_target *tg, const double *q,
		       double *A, double *b, double *perr, double *rerr)
{
	unsigned n = g->n;
	double E = 0;

	for (unsigned k = 0; k < g->ntips; k++) {
		unsigned t = g->tips[k];
		const struct dx_kin_chain *c = ik->chains[t];
		const unsigned *map = ik->tmap + ik->tmap_off[t];
		const unsigned *col = ik->tcol + ik->tmap_off[t];
		unsigned r0 = ik->row0[t], nv = c->nv;
		bool ori = tg[t].orientation;
		struct dx_kin_pose pose;
		const struct dx_kin_pose *gl = &ik->goal[t];
		double e[6], wp = ik->wp[t], wr = ik->wr[t];
		unsigned rows = ori ? 6 : 3;

		for (unsigned i = 0; i < nv; i++)
			ik->qc[i] = q[map[i]];
		dx__chain_eval(c, ik->qc, &pose, ik->Jc, nv);
		for (int i = 0; i < 3; i++)
			e[i] = gl->p[i] - pose.p[i];
		perr[t] = sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
		rerr[t] = 0;
		if (ori) {
			double D[9];

			/* D = Rg * R^T */
			for (int i = 0; i < 3; i++)
				for (int j = 0; j < 3; j++)
					D[3 * i + j] = gl->R[3 * i] * pose.R[3 * j] +
						       gl->R[3 * i + 1] * pose.R[3 * j + 1] +
						       gl->R[3 * i + 2] * pose.R[3 * j + 2];
			dx__rot_log(D, e + 3);
			rerr[t] = sqrt(e[3] * e[3] + e[4] * e[4] + e[5] * e[5]);
		}
		for (unsigned r = 0; r < rows; r++) {
			double w = r < 3 ? wp : wr;
			double *Ar = A + (size_t)(r0 + r) * n;

			b[r0 + r] = w * e[r];
			E += 0.5 * b[r0 + r] * b[r0 + r];
			if (g->ntips > 1)
				memset(Ar, 0, n * sizeof(double));
			for (unsigned i = 0; i < nv; i++)
				Ar[col[i]] = w * ik->Jc[r * nv + i];
		}
	}
	return E;
}

/* In-place LDL^T solve of the SPD k x k system M x = rhs (x in rhs; only
 * the lower triangle of M is read). No square roots. Returns false when a
 * pivot is not positive (M not positive definite). */
static bool ldl_solve(double *M, unsigned k, double *rhs)
{
	double dinv[64];
	double *di = k <= DX_ARRAY_SIZE(dinv) ? dinv : NULL; /* else divide */

	for (unsigned j = 0; j < k; j++) {
		double d = M[j * k + j];

		for (unsigned p = 0; p < j; p++)
			d -= M[j * k + p] * M[j * k + p] * M[p * k + p];
		if (!(d > 0))
			return false;
		M[j * k + j] = d;
		if (di)
			di[j] = 1.0 / d;
		for (unsigned i = j + 1; i < k; i++) {
			double s = M[i * k + j];

			for (unsigned p = 0; p < j; p++)
				s -= M[i * k + p] * M[j * k + p] * M[p * k + p];
			M[i * k + j] = di ? s * di[j] : s / d;
		}
	}
	for (unsigned i = 0; i < k; i++) {
		double s = rhs[i];

		for (unsigned p = 0; p < i; p++)
			s -= M[i * k + p] * rhs[p];
		rhs[i] = s;
	}
	for (unsigned i = 0; i < k; i++)
		rhs[i] = di ? rhs[i] * di[i] : rhs[i] / M[i * k + i];
	for (unsigned i = k; i-- > 0;) {
		double s = rhs[i];

		for (unsigned p = i + 1; p < k; p++)
			s -= M[p * k + i] * rhs[p];
		rhs[i] = s;
	}
	return true;
}

/* dq = (A^T A + lambda I)^-1 A^T b through the smaller normal matrix. */
/* Rows of tip g->tips[k] are [row0, row0 + rows); its non-zero columns
 * are the group columns of its chain's variables. */
static inline unsigned tip_rows(const struct dx_kin_ik *ik,
				const struct ik_group *g, unsigned k,
				unsigned m)
{
	unsigned r0 = ik->row0[g->tips[k]];

	return (k + 1 < g->ntips ? ik->row0[g->tips[k + 1]] : m) - r0;
}

/* A A^T + lambda I for several tips: a row of one tip is zero outside that
 * tip's columns, so each dot product runs over one chain's columns only. */
static bool dls_solve_tips(struct dx_kin_ik *ik, const struct ik_group *g,
			   unsigned m, unsigned n, double lambda)
{
	const double *A = ik->A, *b = ik->b;
	double *M = ik->M, *y = ik->y, *dq = ik->dq;

	for (unsigned ka = 0; ka < g->ntips; ka++) {
		unsigned ta = g->tips[ka], ra = ik->row0[ta];
		unsigned na = tip_rows(ik, g, ka, m);
		const unsigned *ca = ik->tcol + ik->tmap_off[ta];
		unsigned nca = ik->chains[ta]->nv;

		for (unsigned i = ra; i < ra + na; i++) {
			const double *ai = A + (size_t)i * n;

			for (unsigned j = 0; j <= i; j++) {
				const double *aj = A + (size_t)j * n;
				double sum = 0;

				for (unsigned k = 0; k < nca; k++)
					sum += ai[ca[k]] * aj[ca[k]];
				M[i * m + j] = sum;
			}
			M[i * m + i] += lambda;
			y[i] = b[i];
		}
	}
	if (!ldl_solve(M, m, y))
		return false;
	for (unsigned c = 0; c < n; c++)
		dq[c] = 0;
	for (unsigned ka = 0; ka < g->ntips; ka++) {
		unsigned ta = g->tips[ka], ra = ik->row0[ta];
		unsigned na = tip_rows(ik, g, ka, m);
		const unsigned *ca = ik->tcol + ik->tmap_off[ta];
		unsigned nca = ik->chains[ta]->nv;

		for (unsigned i = ra; i < ra + na; i++)
			for (unsigned k = 0; k < nca; k++)
				dq[ca[k]] += A[(size_t)i * n + ca[k]] * y[i];
	}
	return true;
}

static bool dls_solve(struct dx_kin_ik *ik, const struct ik_group *g,
		      unsigned m, unsigned n, double lambda)
{
	const double *A = ik->A, *b = ik->b;
	double *M = ik->M, *y = ik->y, *dq = ik->dq;

	if (g->ntips > 1 && m <= n)
		return dls_solve_tips(ik, g, m, n, lambda);

	if (m == 3 && n >= 3) {
		/* one position-only tip (the fingers): straight-line code */
		const double *a0 = A, *a1 = A + n, *a2 = A + 2 * n;
		double m00 = lambda, m10 = 0, m11 = lambda, m20 = 0, m21 = 0,
		       m22 = lambda;
		double d0, d1, d2, l10, l20, l21, y0, y1, y2;

		for (unsigned c = 0; c < n; c++) {
			m00 += a0[c] * a0[c];
			m10 += a1[c] * a0[c];
			m11 += a1[c] * a1[c];
			m20 += a2[c] * a0[c];
			m21 += a2[c] * a1[c];
			m22 += a2[c] * a2[c];
		}
		/* LDL^T */
		d0 = m00;
		if (!(d0 > 0))
			return false;
		l10 = m10 / d0;
		l20 = m20 / d0;
		d1 = m11 - l10 * l10 * d0;
		if (!(d1 > 0))
			return false;
		l21 = (m21 - l20 * l10 * d0) / d1;
		d2 = m22 - l20 * l20 * d0 - l21 * l21 * d1;
		if (!(d2 > 0))
			return false;
		y0 = b[0];
		y1 = b[1] - l10 * y0;
		y2 = b[2] - l20 * y0 - l21 * y1;
		y2 /= d2;
		y1 = y1 / d1 - l21 * y2;
		y0 = y0 / d0 - l10 * y1 - l20 * y2;
		for (unsigned c = 0; c < n; c++)
			dq[c] = a0[c] * y0 + a1[c] * y1 + a2[c] * y2;
		return true;
	}
	if (m <= n) {
		for (unsigned i = 0; i < m; i++) {
			const double *ai = A + (size_t)i * n;

			for (unsigned j = 0; j <= i; j++) {
				const double *aj = A + (size_t)j * n;
				double s = 0;

				for (unsigned c = 0; c < n; c++)
					s += ai[c] * aj[c];
				M[i * m + j] = s;
			}
			M[i * m + i] += lambda;
			y[i] = b[i];
		}
		if (!ldl_solve(M, m, y))
			return false;
		for (unsigned c = 0; c < n; c++) {
			double s = 0;

			for (unsigned i = 0; i < m; i++)
				s += A[(size_t)i * n + c] * y[i];
			dq[c] = s;
		}
		return true;
	}
	for (unsigned i = 0; i < n; i++) {
		double s = 0;

		for (unsigned j = 0; j <= i; j++) {
			double t = 0;

			for (unsigned r = 0; r < m; r++)
				t += A[(size_t)r * n + i] * A[(size_t)r * n + j];
			M[i * n + j] = t;
		}
		M[i * n + i] += lambda;
		for (unsigned r = 0; r < m; r++)
			s += A[(size_t)r * n + i] * b[r];
		dq[i] = s;
	}
	return ldl_solve(M, n, dq);
}

/* One damped step. Variables resting on a limit that the step would push
 * further out are taken out of the problem (their columns zeroed) and the
 * step is solved again, so the others use the full step instead of
 * compensating for a motion the projection will cancel. */
static bool lm_step(struct dx_kin_ik *ik, const struct ik_group *g,
		    unsigned m, double lambda)
{
	unsigned n = g->n, nlock = 0;

	if (!dls_solve(ik, g, m, n, lambda))
		return false;
	for (unsigned c = 0; c < n; c++) {
		unsigned v = g->vars[c];

		if ((ik->q[v] <= ik->lo[v] && ik->dq[c] < 0) ||
		    (ik->q[v] >= ik->hi[v] && ik->dq[c] > 0)) {
			for (unsigned r = 0; r < m; r++)
				ik->A[(size_t)r * n + c] = 0;
			nlock++;
		}
	}
	if (!nlock)
		return true;
	if (!dls_solve(ik, g, m, n, lambda))
		return false;
	return true;
}

static inline void swap_ptr(double **a, double **b)
{
	double *t = *a;

	*a = *b;
	*b = t;
}

static uint64_t unsolved_tips(const struct dx_kin_ik *ik,
			      const struct ik_group *g,
			      const struct dx_kin_ik_target *tg,
			      const double *perr, const double *rerr)
{
	uint64_t mask = 0;

	for (unsigned k = 0; k < g->ntips; k++) {
		unsigned t = g->tips[k];

		if (perr[t] > ik->cfg.tol_pos ||
		    (tg[t].orientation && rerr[t] > ik->cfg.tol_rot))
			mask |= UINT64_C(1) << t;
	}
	return mask;
}

/* Attempts and restarts for one group, from ik->q. */
static int solve_group(struct dx_kin_ik *ik, const struct ik_group *g,
		       const struct dx_kin_ik_target *tg, unsigned max_restarts,
		       unsigned *iters_out, unsigned *restarts_out)
{
	unsigned n = g->n, m = 0, iters = 0, restarts = 0;
	double E, Ebest = INFINITY, Ewin, mu, wn = ik->cfg.damping;
	uint64_t unsolved;
	int ret = DX_ENOCONVERGE;

	for (unsigned k = 0; k < g->ntips; k++) {
		unsigned t = g->tips[k];

		ik->row0[t] = m;
		m += tg[t].orientation ? 6 : 3;
	}
	for (unsigned c = 0; c < n; c++)
		ik->qbest[g->vars[c]] = ik->q[g->vars[c]];

	for (;;) {
		unsigned it = 1, win = 0;

		E = evaluate(ik, g, tg, ik->q, ik->A, ik->b, ik->perr, ik->rerr);
		iters++;
		mu = 1.0;
		Ewin = E;
		for (;;) {
			double Etry;

			unsolved = unsolved_tips(ik, g, tg, ik->perr, ik->rerr);
			if (E < Ebest) {
				Ebest = E;
				for (unsigned c = 0; c < n; c++)
					ik->qbest[g->vars[c]] = ik->q[g->vars[c]];
			}
			if (!unsolved) {
				ret = 0;
				break;
			}
			if (it >= ik->cfg.max_iters || mu > MU_MAX)
				break;
			it++;
			iters++;
			if (!lm_step(ik, g, m, mu * (E + wn))) {
				mu *= 10;
				continue;
			}
			for (unsigned c = 0; c < n; c++) {
				unsigned v = g->vars[c];

				ik->qtry[v] = clampd(ik->q[v] + ik->dq[c],
						     ik->lo[v], ik->hi[v]);
			}
			Etry = evaluate(ik, g, tg, ik->qtry, ik->Atry, ik->btry,
					ik->perr_try, ik->rerr_try);
			if (Etry < E) {
				for (unsigned c = 0; c < n; c++)
					ik->q[g->vars[c]] = ik->qtry[g->vars[c]];
				swap_ptr(&ik->A, &ik->Atry);
				swap_ptr(&ik->b, &ik->btry);
				for (unsigned k = 0; k < g->ntips; k++) {
					unsigned t = g->tips[k];

					ik->perr[t] = ik->perr_try[t];
					ik->rerr[t] = ik->rerr_try[t];
				}
				E = Etry;
				mu = mu * 0.25 < MU_MIN ? MU_MIN : mu * 0.25;
			} else {
				mu *= 4;
			}
			if (++win >= ik->cfg.stall_window) {
				if (E > (1.0 - ik->cfg.stall_ratio) * Ewin)
					break; /* stalled: local minimum */
				Ewin = E;
				win = 0;
			}
		}
		if (ret == 0 || restarts >= max_restarts)
			break;
		/* restart the variables of the unsolved tips */
		restarts++;
		for (unsigned c = 0; c < n; c++) {
			unsigned v = g->vars[c];
			double u;

			if (!(ik->var_tips[v] & unsolved))
				continue;
			u = rng_unit(ik->rng);
			if (dx_isfinite(ik->lo[v]) && dx_isfinite(ik->hi[v]))
				ik->q[v] = ik->lo[v] + u * (ik->hi[v] - ik->lo[v]);
			else
				ik->q[v] = clampd(-M_PI + 2 * M_PI * u,
						  ik->lo[v], ik->hi[v]);
		}
	}
	if (ret != 0) {
		for (unsigned c = 0; c < n; c++)
			ik->q[g->vars[c]] = ik->qbest[g->vars[c]];
		evaluate(ik, g, tg, ik->q, ik->A, ik->b, ik->perr, ik->rerr);
	}
	*iters_out += iters;
	*restarts_out += restarts;
	return ret;
}

int dx_kin_ik_solve(struct dx_kin_ik *ik, const struct dx_kin_ik_target *tg,
		    const double *q_seed, double *q_out,
		    enum dx_kin_ik_mode mode, struct dx_kin_ik_result *res)
{
	const struct dx_kin_model *mdl;
	unsigned n, iters = 0, restarts = 0;
	uint64_t seed;
	int ret = 0;

	if (!ik || !tg || !q_seed || !q_out ||
	    (mode != DX_KIN_IK_WARM && mode != DX_KIN_IK_COLD))
		return DX_EINVAL;
	mdl = ik->model;
	n = ik->n;
	if (res)
		memset(res, 0, sizeof(*res));
	for (unsigned i = 0; i < mdl->nvars; i++)
		if (!dx_isfinite(q_seed[i]))
			return DX_ENOTFINITE;
	for (unsigned t = 0; t < ik->ntips; t++) {
		const struct dx_kin_ik_target *g = &tg[t];
		const struct dx_kin_chain *c = ik->chains[t];
		double wp = g->w_pos == 0 ? 1.0 : g->w_pos;
		double wr = g->w_rot == 0 ? 0.2 : g->w_rot;
		double d[3];

		for (int i = 0; i < 3; i++)
			if (!dx_isfinite(g->p[i]))
				return DX_ENOTFINITE;
		if (!dx_isfinite(wp) || !dx_isfinite(wr))
			return DX_ENOTFINITE;
		if (wp < 0 || wr < 0)
			return DX_EINVAL;
		if (g->orientation) {
			int r = dx_kin_pose_from_quat(g->p, g->quat, &ik->goal[t]);

			if (r)
				return r;
		} else {
			memcpy(ik->goal[t].p, g->p, sizeof(g->p));
		}
		for (int i = 0; i < 3; i++)
			d[i] = g->p[i] - c->origin0[i];
		if (sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) >
		    c->reach + ik->cfg.tol_pos)
			return DX_EUNREACHABLE;
		ik->wp[t] = wp;
		ik->wr[t] = wr;
	}

	/* the seed, clamped into the limits */
	if (q_out != q_seed)
		memcpy(q_out, q_seed, mdl->nvars * sizeof(double));
	for (unsigned i = 0; i < n; i++)
		ik->q[i] = clampd(q_seed[ik->act[i]], ik->lo[i], ik->hi[i]);

	seed = ik->cfg.seed;
	for (int i = 0; i < 4; i++)
		ik->rng[i] = splitmix64(&seed);
	for (unsigned k = 0; k < ik->ngroups; k++) {
		int r = solve_group(ik, &ik->groups[k], tg,
				    mode == DX_KIN_IK_COLD ? ik->cfg.max_restarts
							   : 0,
				    &iters, &restarts);
		if (r)
			ret = r;
	}
	for (unsigned i = 0; i < n; i++) {
		/* final guard: the projection keeps q inside; make sure */
		if (!(ik->q[i] >= ik->lo[i] && ik->q[i] <= ik->hi[i]))
			ik->q[i] = clampd(ik->q[i], ik->lo[i], ik->hi[i]);
		q_out[ik->act[i]] = ik->q[i];
	}
	if (res) {
		res->iterations = iters;
		res->restarts = restarts;
		for (unsigned t = 0; t < ik->ntips; t++) {
			if (ik->perr[t] > res->pos_err)
				res->pos_err = ik->perr[t];
			if (ik->rerr[t] > res->rot_err)
				res->rot_err = ik->rerr[t];
		}
	}
	return ret;
}
