/* SPDX-License-Identifier: MIT */
/* Forward kinematics and Jacobians, native versus Orocos KDL on the same
 * chains and the same joint vectors (1024 random in-limit configurations,
 * seeded). Each sample is the mean time per call over a batch of 256 calls.
 * Also: FK of every link of the 16- and 22-DoF hands (dx_kin_fk_all).
 *
 * Usage: bench-fk [--quick] [--json PATH]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/kdl.h>
#include <dexrt/kin.h>

#include "bench.h"
#include "bench-urdf.h"

#define NQ 64
#define BATCH 256
#define MAXV 32

struct fcase {
	const char *name, *urdf, *tip;
};

static const struct fcase cases[] = {
	{"finger 4-DoF", "finger4.urdf", "finger_tip"},
	{"panda 7-DoF", "panda.urdf", "panda_link8"},
	{"ur5 6-DoF", "ur5.urdf", "tool0"},
	{"hand22 wrist+little 6-DoF", "hand22.urdf", "little_tip"},
};

static uint64_t rng_state = 0xf00dfaceULL;

static double urand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

static double qs[NQ][MAXV];
static double Jbuf[6 * MAXV];

enum what { NATIVE_FK, NATIVE_JAC, KDL_FK, KDL_JAC, FK_ALL };

static void time_it(const struct dxb *b, const char *name, enum what w,
		    const struct dx_kin_chain *c, struct dx_kdl *k,
		    const struct dx_kin_model *m, struct dx_kin_pose *all,
		    int rounds, double *p50_out)
{
	static struct dx_hist h;
	struct dx_kin_pose p;
	unsigned idx = 0;

	dx_hist_reset(&h);
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = dxb_now();

		for (int i = 0; i < BATCH; i++) {
			const double *q = qs[idx++ & (NQ - 1)];

			switch (w) {
			case NATIVE_FK:
				dx_kin_chain_fk(c, q, &p);
				break;
			case NATIVE_JAC:
				dx_kin_chain_jacobian(c, q, Jbuf, NULL);
				break;
			case KDL_FK:
				dx_kdl_fk(k, q, &p);
				break;
			case KDL_JAC:
				dx_kdl_jacobian(k, q, Jbuf);
				break;
			case FK_ALL:
				dx_kin_fk_all(m, q, all);
				break;
			}
			DXB_CLOBBER();
		}
		dx_hist_add(&h, (dxb_now() - t0) / BATCH);
	}
	DXB_KEEP(p.p[0]);
	dxb_report(b, name, &h, NULL);
	if (p50_out)
		*p50_out = (double)dx_hist_quantile(&h, 0.5);
}

int main(int argc, char **argv)
{
	struct dxb b;
	char dir[512], path[600], name[96];
	int rounds;
	double t[4];

	dxb_init(&b, argc, argv);
	rounds = b.quick ? 200 : 4000;
	if (dxb_urdf_dir(dir, sizeof(dir)) != 0) {
		printf("# examples/urdf not found: set DX_EXAMPLES_DIR\n");
		return 1;
	}
	dxb_header(&b);
	for (unsigned ci = 0; ci < DX_ARRAY_SIZE(cases); ci++) {
		const struct fcase *fc = &cases[ci];
		struct dx_kin_model *m;
		struct dx_kin_chain *c;
		struct dx_kdl *k = NULL;
		double lo[MAXV], hi[MAXV];
		unsigned nv;

		snprintf(path, sizeof(path), "%s/%s", dir, fc->urdf);
		if (dx_kin_model_load_file(path, &m, NULL) ||
		    dx_kin_chain_create(m, NULL, fc->tip, &c))
			return 1;
		nv = dx_kin_chain_nvars(c);
		dx_kin_chain_limits(c, lo, hi);
		for (int i = 0; i < NQ; i++)
			for (unsigned v = 0; v < nv; v++)
				qs[i][v] = lo[v] + urand() * (hi[v] - lo[v]);
		snprintf(name, sizeof(name), "fk %s native", fc->name);
		time_it(&b, name, NATIVE_FK, c, NULL, m, NULL, rounds, &t[0]);
		snprintf(name, sizeof(name), "jacobian %s native", fc->name);
		time_it(&b, name, NATIVE_JAC, c, NULL, m, NULL, rounds, &t[1]);
		if (dx_kdl_create(m, NULL, fc->tip, NULL, &k) == 0) {
			snprintf(name, sizeof(name), "fk %s KDL", fc->name);
			time_it(&b, name, KDL_FK, c, k, m, NULL, rounds, &t[2]);
			snprintf(name, sizeof(name), "jacobian %s KDL", fc->name);
			time_it(&b, name, KDL_JAC, c, k, m, NULL, rounds, &t[3]);
			snprintf(name, sizeof(name), "fk speed-up %s", fc->name);
			dxb_report_value(&b, name, t[2] / (t[0] > 0 ? t[0] : 1),
					 "x KDL", NULL);
			snprintf(name, sizeof(name), "jacobian speed-up %s",
				 fc->name);
			dxb_report_value(&b, name, t[3] / (t[1] > 0 ? t[1] : 1),
					 "x KDL", NULL);
			dx_kdl_free(k);
		}
		dx_kin_chain_free(c);
		dx_kin_model_free(m);
	}
	for (int hi_ = 0; hi_ < 2; hi_++) {
		const char *f = hi_ ? "hand22.urdf" : "hand16.urdf";
		struct dx_kin_model *m;
		struct dx_kin_pose *all;
		double lo[MAXV], up[MAXV];

		snprintf(path, sizeof(path), "%s/%s", dir, f);
		if (dx_kin_model_load_file(path, &m, NULL))
			return 1;
		dx_kin_model_limits(m, lo, up);
		for (int i = 0; i < NQ; i++)
			for (unsigned v = 0; v < dx_kin_model_nvars(m); v++)
				qs[i][v] = lo[v] + urand() * (up[v] - lo[v]);
		all = calloc(dx_kin_model_nlinks(m), sizeof(*all));
		snprintf(name, sizeof(name), "fk all %u links %s",
			 dx_kin_model_nlinks(m), f);
		time_it(&b, name, FK_ALL, NULL, NULL, m, all, rounds, NULL);
		free(all);
		dx_kin_model_free(m);
	}
	return 0;
}
