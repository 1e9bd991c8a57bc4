/* SPDX-License-Identifier: MIT */
/* Inverse kinematics, native versus Orocos KDL on the same targets.
 *
 * For each chain, N reachable targets are made by FK from joint vectors drawn
 * uniformly within the limits (seeded PRNG, N = 10000, 200 with --quick).
 * Every answer is checked by the native FK (never by a solver's return
 * code): success = position error < 1e-5 m and, for full-pose targets,
 * rotation error < 1e-4 rad; "in limits" additionally requires every joint
 * inside its limits (no tolerance).
 *
 * Starts: cold = seed at mid-limits (0 for unlimited joints); warm = seed
 * at the answer's joints plus a uniform perturbation of +-0.05 rad (or m)
 * per joint, clamped into the limits, i.e. what a control cycle has when
 * the target moved a little since the last cycle.
 *
 * Native: dx_kin_ik_solve() with the default configuration (tolerances
 * 1e-6 m / 1e-5 rad, 100 iterations per attempt, cold: up to 200 restarts;
 * warm: one attempt). KDL: ChainIkSolverPos_LMA (weights 1 1 1 0 0 0 for
 * position-only targets, all 1 for full pose; eps 1e-5, 500 iterations)
 * and ChainIkSolverPos_NR_JL with the pinv velocity solver (eps 1e-6,
 * 100 iterations). The 16-DoF hand is solved with its four fingertips in
 * one native call; KDL solves the four finger chains one after the other.
 * The 22-DoF hand (five tips sharing a 2-DoF wrist: one coupled problem) is
 * solved natively only.
 *
 * Usage: bench-ik [--quick] [--json PATH] [N]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/kdl.h>
#include <dexrt/kin.h>

#include "bench.h"
#include "bench-urdf.h"

#define MAXV 32
#define MAXT 5
#define POS_OK 1e-5
#define ROT_OK 1e-4
#define WARM_NOISE 0.05

struct bcase {
	const char *name;
	const char *urdf;
	const char *tips[MAXT];
	unsigned ntips;
	bool pose;
	bool nrjl;
	bool no_kdl; /* tips share joints: per-chain KDL solves would conflict */
};

static const struct bcase cases[] = {
	{"finger 4-DoF pos", "finger4.urdf", {"finger_tip"}, 1, false, true, false},
	{"panda 7-DoF pose", "panda.urdf", {"panda_link8"}, 1, true, true, false},
	{"ur5 6-DoF pose", "ur5.urdf", {"tool0"}, 1, true, true, false},
	{"hand16 4 tips pos", "hand16.urdf",
	 {"index_tip", "middle_tip", "ring_tip", "thumb_tip"}, 4, false, false,
	 false},
	{"hand22 5 tips+wrist pos", "hand22.urdf",
	 {"thumb_tip", "index_tip", "middle_tip", "ring_tip", "little_tip"}, 5,
	 false, false, true},
};

struct summary_row {
	char chain[32], solver[24], start[8];
	double success, in_limits;
	double p50_us, p99_us;
};

static struct summary_row rows[64];
static unsigned nrows;

static uint64_t rng_state = 0x5eed1234abcdULL;

static double urand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

struct ctx {
	const struct bcase *bc;
	struct dx_kin_model *m;
	struct dx_kin_ik *ik;
	unsigned nv, n;
	double lo[MAXV], hi[MAXV], mid[MAXV];
	double *qtrue;                      /* n x nv */
	struct dx_kin_ik_target *tg;        /* n x ntips */
	struct dx_kin_pose *tpose;          /* n x ntips */
	double *seed_warm;                  /* n x nv */
};

/* Checks q (model vector) against target i by FK. */
static void check(const struct ctx *c, unsigned i, const double *q, bool *ok,
		  bool *inlim)
{
	*ok = true;
	for (unsigned t = 0; t < c->bc->ntips; t++) {
		const struct dx_kin_chain *ch = dx_kin_ik_chain(c->ik, t);
		double qc[MAXV];
		struct dx_kin_pose p;
		const struct dx_kin_pose *g = &c->tpose[i * c->bc->ntips + t];

		dx_kin_chain_gather(ch, q, qc);
		if (dx_kin_chain_fk(ch, qc, &p) != 0) {
			*ok = false;
			break;
		}
		if (!(dx_kin_pos_dist(&p, g) < POS_OK) ||
		    (c->bc->pose && !(dx_kin_rot_dist(&p, g) < ROT_OK)))
			*ok = false;
	}
	*inlim = *ok && dx_kin_within_limits(c->m, q, 0.0);
}

static void add_row(const struct dxb *b, const struct ctx *c,
		    const char *solver, const char *start, unsigned nok,
		    unsigned nlim, const struct dx_hist *h)
{
	struct summary_row *r = &rows[nrows++];
	char name[96], extra[160];

	snprintf(r->chain, sizeof(r->chain), "%s", c->bc->name);
	snprintf(r->solver, sizeof(r->solver), "%s", solver);
	snprintf(r->start, sizeof(r->start), "%s", start);
	r->success = 100.0 * nok / c->n;
	r->in_limits = 100.0 * nlim / c->n;
	r->p50_us = dx_hist_quantile(h, 0.5) / 1000.0;
	r->p99_us = dx_hist_quantile(h, 0.99) / 1000.0;
	snprintf(name, sizeof(name), "ik %s %s %s", c->bc->name, solver, start);
	snprintf(extra, sizeof(extra),
		 "\"success_pct\":%.3f,\"in_limits_pct\":%.3f,\"targets\":%u",
		 r->success, r->in_limits, c->n);
	dxb_report(b, name, h, extra);
}

static void run_native(const struct dxb *b, struct ctx *c, bool warm)
{
	static struct dx_hist h;
	unsigned nok = 0, nlim = 0, nt = c->bc->ntips;
	double q[MAXV];

	dx_hist_reset(&h);
	for (unsigned i = 0; i < c->n; i++) {
		const double *seed = warm ? &c->seed_warm[i * c->nv] : c->mid;
		bool ok, lim;
		int64_t t0 = dxb_now();

		dx_kin_ik_solve(c->ik, &c->tg[i * nt], seed, q,
				warm ? DX_KIN_IK_WARM : DX_KIN_IK_COLD, NULL);
		dx_hist_add(&h, dxb_now() - t0);
		check(c, i, q, &ok, &lim);
		nok += ok;
		nlim += lim;
	}
	add_row(b, c, "native", warm ? "warm" : "cold", nok, nlim, &h);
}

static void run_kdl(const struct dxb *b, struct ctx *c,
		    enum dx_kdl_solver solver, bool warm)
{
	static struct dx_hist h;
	struct dx_kdl *k[MAXT] = {NULL};
	struct dx_kdl_config cfg;
	const struct dx_kin_chain *ch[MAXT];
	unsigned nok = 0, nlim = 0, nt = c->bc->ntips;

	dx_kdl_config_default(&cfg);
	cfg.solver = solver;
	if (!c->bc->pose)
		cfg.weights[3] = cfg.weights[4] = cfg.weights[5] = 0.0;
	for (unsigned t = 0; t < nt; t++) {
		ch[t] = dx_kin_ik_chain(c->ik, t);
		if (dx_kdl_create(c->m, NULL, c->bc->tips[t], &cfg, &k[t]) != 0) {
			printf("# KDL backend unavailable: %s skipped\n",
			       c->bc->name);
			for (unsigned u = 0; u < t; u++)
				dx_kdl_free(k[u]);
			return;
		}
	}
	dx_hist_reset(&h);
	for (unsigned i = 0; i < c->n; i++) {
		const double *seed = warm ? &c->seed_warm[i * c->nv] : c->mid;
		double q[MAXV], qs[MAXV], qo[MAXV];
		bool ok, lim;
		int64_t dt = 0;

		memcpy(q, seed, c->nv * sizeof(double));
		for (unsigned t = 0; t < nt; t++) {
			const struct dx_kin_pose *g = &c->tpose[i * nt + t];
			int64_t t0;

			dx_kin_chain_gather(ch[t], seed, qs);
			t0 = dxb_now();
			dx_kdl_ik(k[t], g, qs, qo);
			dt += dxb_now() - t0;
			dx_kin_chain_scatter(ch[t], qo, q);
		}
		dx_hist_add(&h, dt);
		check(c, i, q, &ok, &lim);
		nok += ok;
		nlim += lim;
	}
	add_row(b, c, solver == DX_KDL_LMA ? "KDL LMA" : "KDL NR_JL",
		warm ? "warm" : "cold", nok, nlim, &h);
	for (unsigned t = 0; t < nt; t++)
		dx_kdl_free(k[t]);
}

static int run_case(const struct dxb *b, const struct bcase *bc, unsigned n,
		    const char *dir)
{
	struct ctx c;
	struct dx_kin_error err;
	char path[512];
	int r;

	memset(&c, 0, sizeof(c));
	c.bc = bc;
	c.n = n;
	if (snprintf(path, sizeof(path), "%s/%s", dir, bc->urdf) >=
	    (int)sizeof(path))
		return DX_ENOSPC;
	r = dx_kin_model_load_file(path, &c.m, &err);
	if (r) {
		printf("# %s: %s\n", path, err.msg);
		return r;
	}
	r = dx_kin_ik_create(c.m, NULL, bc->tips, bc->ntips, NULL, &c.ik);
	if (r) {
		printf("# %s: IK create: %s\n", bc->name, dx_strerror(r));
		dx_kin_model_free(c.m);
		return r;
	}
	c.nv = dx_kin_model_nvars(c.m);
	dx_kin_model_limits(c.m, c.lo, c.hi);
	for (unsigned v = 0; v < c.nv; v++)
		c.mid[v] = isfinite(c.lo[v]) && isfinite(c.hi[v])
				   ? 0.5 * (c.lo[v] + c.hi[v])
				   : 0.0;
	c.qtrue = calloc((size_t)n * c.nv, sizeof(double));
	c.seed_warm = calloc((size_t)n * c.nv, sizeof(double));
	c.tg = calloc((size_t)n * bc->ntips, sizeof(*c.tg));
	c.tpose = calloc((size_t)n * bc->ntips, sizeof(*c.tpose));
	if (!c.qtrue || !c.seed_warm || !c.tg || !c.tpose)
		return DX_ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		double *q = &c.qtrue[i * c.nv], *s = &c.seed_warm[i * c.nv];

		for (unsigned v = 0; v < c.nv; v++) {
			double lo = isfinite(c.lo[v]) ? c.lo[v] : -M_PI;
			double hi = isfinite(c.hi[v]) ? c.hi[v] : M_PI;

			q[v] = lo + urand() * (hi - lo);
			s[v] = q[v] + WARM_NOISE * (2 * urand() - 1);
			s[v] = s[v] < c.lo[v] ? c.lo[v] : s[v] > c.hi[v] ? c.hi[v] : s[v];
		}
		for (unsigned t = 0; t < bc->ntips; t++) {
			const struct dx_kin_chain *ch = dx_kin_ik_chain(c.ik, t);
			struct dx_kin_ik_target *g = &c.tg[i * bc->ntips + t];
			struct dx_kin_pose *p = &c.tpose[i * bc->ntips + t];
			double qc[MAXV];

			dx_kin_chain_gather(ch, q, qc);
			dx_kin_chain_fk(ch, qc, p);
			memcpy(g->p, p->p, sizeof(g->p));
			dx_kin_pose_quat(p, g->quat);
			g->orientation = bc->pose;
		}
	}
	run_native(b, &c, false);
	run_native(b, &c, true);
	if (dx_kdl_available() && !bc->no_kdl) {
		run_kdl(b, &c, DX_KDL_LMA, false);
		run_kdl(b, &c, DX_KDL_LMA, true);
		if (bc->nrjl) {
			run_kdl(b, &c, DX_KDL_NR_JL, false);
			run_kdl(b, &c, DX_KDL_NR_JL, true);
		}
	}
	free(c.qtrue);
	free(c.seed_warm);
	free(c.tg);
	free(c.tpose);
	dx_kin_ik_free(c.ik);
	dx_kin_model_free(c.m);
	return 0;
}

int main(int argc, char **argv)
{
	struct dxb b;
	char urdfdir[512];
	unsigned n;
	int i = dxb_init(&b, argc, argv);

	n = b.quick ? 200 : 10000;
	if (i < argc)
		n = (unsigned)strtoul(argv[i], NULL, 10);
	if (n == 0)
		n = 1;
	if (dxb_urdf_dir(urdfdir, sizeof(urdfdir)) != 0) {
		printf("# examples/urdf not found: set DX_EXAMPLES_DIR\n");
		return 1;
	}
	printf("# %u targets per chain (FK of uniform in-limit joints, seeded); success: position < 1e-5 m,\n"
	       "# rotation < 1e-4 rad, checked by FK; in limits: every joint within its limits\n"
	       "# cold: seed at mid-limits; warm: seed = answer + U(-%.2f, %.2f) per joint, clamped\n",
	       n, WARM_NOISE, WARM_NOISE);
	dxb_header(&b);
	for (unsigned k = 0; k < DX_ARRAY_SIZE(cases); k++)
		run_case(&b, &cases[k], n, urdfdir);

	printf("\n| chain | solver | start | success | success in limits | median us | p99 us |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (unsigned k = 0; k < nrows; k++)
		printf("| %s | %s | %s | %.2f%% | %.2f%% | %.2f | %.2f |\n",
		       rows[k].chain, rows[k].solver, rows[k].start,
		       rows[k].success, rows[k].in_limits, rows[k].p50_us,
		       rows[k].p99_us);
	return 0;
}
