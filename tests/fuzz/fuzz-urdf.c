/* SPDX-License-Identifier: MIT */
/* Fuzz target: URDF loader (expat). A model that loads is then used:
 * limits, FK of every link with all variables at zero, and a chain from
 * the root to every leaf link with its FK and Jacobian at zero. Error
 * messages must be terminated strings of their buffers.
 *
 * Finding kept as a regression input (corpus/urdf/crash-leak-second-
 * mimic.urdf): a joint with two <mimic> elements loaded and leaked the
 * first mimic name (fixed in 2a5096f: now an error). Only a leak checker
 * sees a regression: tools/run-tests replays the corpora under
 * AddressSanitizer's leak checker. */
#include <math.h>

#include <dexrt/kin.h>

#include "fuzz-util.h"

/* Leaves examined per model: bounds the time one input can take. */
#define MAX_LEAVES 64

/* The loader reports through dx_log(); formatting every message checks
 * that what it logs is well formed. */
static void log_sink(enum dx_log_priority prio, const char *msg, void *ud)
{
	(void)prio;
	(void)ud;
	FZ_CHECK(strlen(msg) < 512);
}

static void use_model(const struct dx_kin_model *m)
{
	unsigned nl = dx_kin_model_nlinks(m), nj = dx_kin_model_njoints(m);
	unsigned nv = dx_kin_model_nvars(m), leaves = 0;
	double scale = 1.0;
	int root = dx_kin_model_root(m);
	double *q, *lo, *hi;
	bool *parent;
	struct dx_kin_pose *poses;

	FZ_CHECK(nl >= 1 && root >= 0 && (unsigned)root < nl);
	FZ_CHECK(nj == nl - 1);
	FZ_CHECK(nv <= nj);
	FZ_CHECK(dx_kin_model_name(m) != NULL);
	q = calloc(nv + 1, sizeof(*q));
	lo = calloc(nv + 1, sizeof(*lo));
	hi = calloc(nv + 1, sizeof(*hi));
	parent = calloc(nl, sizeof(*parent));
	poses = calloc(nl, sizeof(*poses));
	FZ_CHECK(q && lo && hi && parent && poses);

	/* FK rounding grows with the offsets it adds up (a fuzzed origin may
	 * be 1e73 m while the tip comes back near 0): compare chain and tree
	 * results relative to the sum of every joint offset */
	for (unsigned j = 0; j < nj; j++) {
		struct dx_kin_joint_info ji;

		if (dx_kin_joint_get(m, (int)j, &ji) == 0)
			for (int k = 0; k < 3; k++)
				scale += fabs(ji.origin.p[k]);
	}
	dx_kin_model_limits(m, lo, hi);
	for (unsigned v = 0; v < nv; v++) {
		FZ_CHECK(!(lo[v] > hi[v]));
		FZ_CHECK(dx_kin_var_joint(m, v) >= 0);
	}
	(void)dx_kin_within_limits(m, q, 0.0);
	FZ_CHECK(dx_kin_fk_all(m, q, poses) == 0);

	for (unsigned j = 0; j < nj; j++) {
		struct dx_kin_joint_info ji;

		FZ_CHECK(dx_kin_joint_get(m, (int)j, &ji) == 0);
		FZ_CHECK(ji.parent_link >= 0 && (unsigned)ji.parent_link < nl);
		FZ_CHECK(ji.child_link >= 0 && (unsigned)ji.child_link < nl);
		FZ_CHECK(ji.var < (int)nv);
		FZ_CHECK(dx_kin_joint_index(m, ji.name) == (int)j);
		parent[ji.parent_link] = true;
	}
	for (unsigned l = 0; l < nl; l++) {
		const char *name = dx_kin_link_name(m, (int)l);
		struct dx_kin_inertial in;

		FZ_CHECK(name && dx_kin_link_index(m, name) == (int)l);
		(void)dx_kin_link_inertial(m, (int)l, &in);
		(void)dx_kin_link_parent_joint(m, (int)l);
	}

	for (unsigned l = 0; l < nl && leaves < MAX_LEAVES; l++) {
		struct dx_kin_chain *c = NULL;
		struct dx_kin_pose pose;
		unsigned cv;
		double *qc, *J;

		if (parent[l])
			continue;
		leaves++;
		FZ_CHECK(dx_kin_chain_create(m, NULL, dx_kin_link_name(m, (int)l),
					     &c) == 0);
		cv = dx_kin_chain_nvars(c);
		FZ_CHECK(cv <= nv);
		qc = calloc(cv + 1, sizeof(*qc));
		J = calloc(6 * (size_t)cv + 1, sizeof(*J));
		FZ_CHECK(qc && J);
		dx_kin_chain_gather(c, q, qc);
		FZ_CHECK(dx_kin_chain_fk(c, qc, &pose) == 0);
		FZ_CHECK(dx_kin_chain_jacobian(c, qc, J, &pose) == 0);
		/* the chain's tip agrees with the whole-tree FK */
		for (int k = 0; k < 3; k++) {
			double a = pose.p[k], b = poses[l].p[k];

			if (isfinite(a) && isfinite(b) && isfinite(scale))
				FZ_CHECK(fabs(a - b) <= 1e-9 * scale);
		}
		for (unsigned i = 0; i < cv; i++)
			FZ_CHECK(dx_kin_chain_var(c, i) >= 0);
		free(J);
		free(qc);
		dx_kin_chain_free(c);
	}
	free(poses);
	free(parent);
	free(hi);
	free(lo);
	free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dx_kin_model *m = NULL;
	struct dx_kin_error e;
	int err;

	dx_log_set_handler(log_sink, NULL, DX_LOG_DEBUG);
	err = dx_kin_model_load_string((const char *)data, size, &m, &e);
	if (err == 0) {
		FZ_CHECK(m != NULL);
		use_model(m);
		dx_kin_model_free(m);
	} else {
		FZ_CHECK(m == NULL);
		FZ_CHECK(err < 0 && e.code == err);
		FZ_CHECK(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
		FZ_CHECK(memchr(e.element, '\0', sizeof(e.element)) != NULL);
	}
	dx_log_set_handler(NULL, NULL, DX_LOG_INFO);
	return 0;
}
