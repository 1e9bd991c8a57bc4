/* SPDX-License-Identifier: MIT */
/* dx kin: URDF information, forward and inverse kinematics, one query or a
 * batch (one query per stdin line, one answer per stdout line). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/core.h>
#include <dexrt/kdl.h>
#include <dexrt/kin.h>

#include "dx.h"

#define MAXQ 64
#define POS_OK 1e-5
#define ROT_OK 1e-4

static const char usage_text[] =
	"usage: dx kin info URDF\n"
	"       dx kin fk URDF --tip LINK [--base LINK] Q...\n"
	"       dx kin fk URDF --tip LINK [--base LINK] --batch\n"
	"       dx kin ik URDF --tip LINK --target X Y Z [QX QY QZ QW]\n"
	"                 [--base LINK] [--seed Q...] [--solver native|kdl] [--warm]\n"
	"       dx kin ik URDF --tip LINK [--base LINK] --batch [--seed Q...]\n"
	"                 [--solver native|kdl] [--warm]\n"
	"\n"
	"Joint values are the chain's variables (movable, non-mimic joints from\n"
	"base to tip, URDF order along the chain), in m and rad. fk prints\n"
	"'X Y Z QX QY QZ QW' (tip in the base frame, quaternion x y z w).\n"
	"ik prints 'ok Q1 ... Qn' or 'fail REASON'; --target with 3 numbers is\n"
	"position only, with 7 a full pose. --batch reads one query per stdin\n"
	"line (fk: the joint values; ik: X Y Z or X Y Z QX QY QZ QW) and writes\n"
	"one answer per line in the same order; bad lines give 'fail REASON'.\n"
	"ik seeds at mid-limits unless --seed is given; --warm seeds each batch\n"
	"line with the previous answer and makes one capped attempt (native).\n"
	"Answers are checked by FK (position < 1e-5 m, rotation < 1e-4 rad) and\n"
	"against the joint limits before 'ok' is printed, for both solvers.\n";

struct kin_opts {
	const char *urdf, *tip, *base, *solver;
	bool batch, warm, have_target, have_seed;
	unsigned ntarget, nseed, nq;
	double target[7], seed[MAXQ], q[MAXQ];
};

static int load(const char *path, struct dx_kin_model **m)
{
	struct dx_kin_error err;
	int r = dx_kin_model_load_file(path, m, &err);

	if (r)
		fprintf(stderr, "dx kin: %s: %s\n", path, err.msg);
	return r;
}

static const char *type_name(enum dx_kin_joint_type t)
{
	switch (t) {
	case DX_KIN_REVOLUTE:
		return "revolute";
	case DX_KIN_CONTINUOUS:
		return "continuous";
	case DX_KIN_PRISMATIC:
		return "prismatic";
	default:
		return "fixed";
	}
}

static void print_tree(const struct dx_kin_model *m, int link, int depth)
{
	printf("%*s%s\n", 2 * depth + 2, "", dx_kin_link_name(m, link));
	for (unsigned j = 0; j < dx_kin_model_njoints(m); j++) {
		struct dx_kin_joint_info ji;

		dx_kin_joint_get(m, (int)j, &ji);
		if (ji.parent_link != link)
			continue;
		printf("%*s`- %s (%s)\n", 2 * depth + 4, "", ji.name,
		       type_name(ji.type));
		print_tree(m, ji.child_link, depth + 2);
	}
}

static int cmd_info(const char *path)
{
	struct dx_kin_model *m;
	double lo[MAXQ * 4], hi[MAXQ * 4];
	unsigned nv;

	if (load(path, &m))
		return 1;
	nv = dx_kin_model_nvars(m);
	printf("robot %s: %u links, %u joints, %u variables, root %s\n",
	       dx_kin_model_name(m), dx_kin_model_nlinks(m),
	       dx_kin_model_njoints(m), nv,
	       dx_kin_link_name(m, dx_kin_model_root(m)));
	printf("tree:\n");
	print_tree(m, dx_kin_model_root(m), 0);
	printf("joints:\n");
	for (unsigned j = 0; j < dx_kin_model_njoints(m); j++) {
		struct dx_kin_joint_info ji;

		dx_kin_joint_get(m, (int)j, &ji);
		printf("  %-22s %-10s %s -> %s", ji.name, type_name(ji.type),
		       dx_kin_link_name(m, ji.parent_link),
		       dx_kin_link_name(m, ji.child_link));
		if (ji.type != DX_KIN_FIXED)
			printf("  axis %g %g %g", ji.axis[0], ji.axis[1],
			       ji.axis[2]);
		if (ji.has_limits)
			printf("  limits [%g, %g] vel %g effort %g", ji.lower,
			       ji.upper, ji.velocity, ji.effort);
		if (ji.mimic_joint >= 0) {
			struct dx_kin_joint_info mj;

			dx_kin_joint_get(m, ji.mimic_joint, &mj);
			printf("  mimic %s * %g + %g", mj.name, ji.multiplier,
			       ji.offset);
		} else if (ji.var >= 0) {
			printf("  var %d", ji.var);
		}
		printf("\n");
	}
	if (nv <= DX_ARRAY_SIZE(lo)) {
		dx_kin_model_limits(m, lo, hi);
		printf("variables (effective limits):\n");
		for (unsigned v = 0; v < nv; v++) {
			struct dx_kin_joint_info ji;

			dx_kin_joint_get(m, dx_kin_var_joint(m, v), &ji);
			printf("  %2u %-22s [%g, %g]\n", v, ji.name, lo[v],
			       hi[v]);
		}
	}
	dx_kin_model_free(m);
	return 0;
}

/* Parses a whole line of numbers into out (at most max); returns the count
 * or -1 (a token is not a number), -2 (too many), -3 (not finite). */
static int parse_line(char *line, double *out, unsigned max)
{
	unsigned n = 0;
	char *p = line;

	for (;;) {
		char *end;
		double v;

		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' ||
		       *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		errno = 0;
		v = strtod(p, &end);
		if (end == p)
			return -1;
		if (*end != '\0' && *end != ' ' && *end != '\t' &&
		    *end != ',' && *end != '\r' && *end != '\n')
			return -1;
		if (!isfinite(v))
			return -3;
		if (n == max)
			return -2;
		out[n++] = v;
		p = end;
	}
	return (int)n;
}

static void print_pose(const struct dx_kin_pose *p)
{
	double q[4];

	dx_kin_pose_quat(p, q);
	printf("%.10g %.10g %.10g %.10g %.10g %.10g %.10g\n", p->p[0], p->p[1],
	       p->p[2], q[0], q[1], q[2], q[3]);
}

static int cmd_fk(const struct kin_opts *o)
{
	struct dx_kin_model *m;
	struct dx_kin_chain *c;
	struct dx_kin_pose pose;
	unsigned n;
	int r, status = 0;

	if (load(o->urdf, &m))
		return 1;
	r = dx_kin_chain_create(m, o->base, o->tip, &c);
	if (r) {
		fprintf(stderr, "dx kin: chain %s -> %s: %s\n",
			o->base ? o->base : "(root)", o->tip, dx_strerror(r));
		dx_kin_model_free(m);
		return 1;
	}
	n = dx_kin_chain_nvars(c);
	if (n > MAXQ) {
		fprintf(stderr, "dx kin: chain has more than %d variables\n",
			MAXQ);
		status = 1;
	} else if (!o->batch) {
		if (o->nq != n) {
			fprintf(stderr,
				"dx kin fk: the chain has %u variables, got %u values\n",
				n, o->nq);
			status = 2;
		} else if ((r = dx_kin_chain_fk(c, o->q, &pose)) != 0) {
			status = dx_tool_fail("fk", r);
		} else {
			print_pose(&pose);
		}
	} else {
		char *line = NULL;
		size_t cap = 0;
		double q[MAXQ];

		while (getline(&line, &cap, stdin) >= 0) {
			int k = parse_line(line, q, n);

			if (k == -3)
				printf("fail not-finite\n");
			else if (k < 0 || (unsigned)k != n)
				printf("fail bad-input: expected %u numbers\n", n);
			else if (dx_kin_chain_fk(c, q, &pose) != 0)
				printf("fail not-finite\n");
			else
				print_pose(&pose);
		}
		free(line);
	}
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
	return status;
}

struct ik_ctx {
	struct dx_kin_model *m;
	struct dx_kin_ik *ik;
	struct dx_kdl *kdl[2];    /* position-only and full-pose weights */
	const struct dx_kin_chain *c;
	bool use_kdl;
	unsigned n, nv;
	double lo[MAXQ], hi[MAXQ];
};

/* One query: target has 3 or 7 numbers; seed and out are chain vectors.
 * Prints the answer line. Returns true on "ok". */
static bool ik_query(struct ik_ctx *x, const double *target, unsigned nt,
		     const double *seed, double *out, bool warm)
{
	struct dx_kin_ik_target tg;
	struct dx_kin_pose goal, p;
	double qm[MAXQ * 4], qs[MAXQ * 4];
	int r;

	memset(&tg, 0, sizeof(tg));
	memcpy(tg.p, target, 3 * sizeof(double));
	tg.orientation = nt == 7;
	if (nt == 7)
		memcpy(tg.quat, target + 3, 4 * sizeof(double));
	else
		tg.quat[3] = 1;
	r = dx_kin_pose_from_quat(tg.p, tg.quat, &goal);
	if (r) {
		printf("fail %s\n", r == DX_ENOTFINITE ? "not-finite"
						       : "bad-input: zero quaternion");
		return false;
	}
	if (x->use_kdl) {
		r = dx_kdl_ik(x->kdl[nt == 7], &goal, seed, out);
		if (r == DX_ENOTSUP) {
			printf("fail not-supported: KDL IK with mimic joints\n");
			return false;
		}
	} else {
		memset(qs, 0, sizeof(qs));
		dx_kin_chain_scatter(x->c, seed, qs);
		r = dx_kin_ik_solve(x->ik, &tg, qs, qm,
				    warm ? DX_KIN_IK_WARM : DX_KIN_IK_COLD, NULL);
		dx_kin_chain_gather(x->c, qm, out);
		if (r == DX_EUNREACHABLE) {
			printf("fail unreachable\n");
			return false;
		}
		if (r == DX_ENOTFINITE) {
			printf("fail not-finite\n");
			return false;
		}
		if (r == DX_EINVAL) {
			printf("fail bad-input\n");
			return false;
		}
	}
	/* the verdict is FK's and the limits', for either solver */
	if (dx_kin_chain_fk(x->c, out, &p) != 0 ||
	    !(dx_kin_pos_dist(&p, &goal) < POS_OK) ||
	    (nt == 7 && !(dx_kin_rot_dist(&p, &goal) < ROT_OK))) {
		printf("fail no-convergence\n");
		return false;
	}
	for (unsigned i = 0; i < x->n; i++)
		if (!(out[i] >= x->lo[i] && out[i] <= x->hi[i])) {
			printf("fail outside-limits\n");
			return false;
		}
	printf("ok");
	for (unsigned i = 0; i < x->n; i++)
		printf(" %.10g", out[i]);
	printf("\n");
	return true;
}

static int cmd_ik(const struct kin_opts *o)
{
	struct ik_ctx x;
	struct dx_kin_chain *c = NULL;
	const char *tips[1] = {o->tip};
	double seed[MAXQ], out[MAXQ];
	int r, status = 0;

	memset(&x, 0, sizeof(x));
	x.use_kdl = o->solver && strcmp(o->solver, "kdl") == 0;
	if (o->solver && !x.use_kdl && strcmp(o->solver, "native") != 0)
		return dx_tool_usage("kin", "--solver must be native or kdl");
	if (load(o->urdf, &x.m))
		return 1;
	r = dx_kin_chain_create(x.m, o->base, o->tip, &c);
	if (!r)
		r = dx_kin_ik_create(x.m, o->base, tips, 1, NULL, &x.ik);
	if (r) {
		fprintf(stderr, "dx kin: chain %s -> %s: %s\n",
			o->base ? o->base : "(root)", o->tip, dx_strerror(r));
		status = 1;
		goto out;
	}
	x.c = dx_kin_ik_chain(x.ik, 0);
	x.n = dx_kin_chain_nvars(x.c);
	x.nv = dx_kin_model_nvars(x.m);
	if (x.n > MAXQ || x.nv > MAXQ * 4) {
		fprintf(stderr, "dx kin: model too large for the tool\n");
		status = 1;
		goto out;
	}
	dx_kin_chain_limits(x.c, x.lo, x.hi);
	if (x.use_kdl) {
		struct dx_kdl_config cfg;

		for (int k = 0; k < 2; k++) {
			dx_kdl_config_default(&cfg);
			if (k == 0)
				cfg.weights[3] = cfg.weights[4] =
					cfg.weights[5] = 0;
			r = dx_kdl_create(x.m, o->base, o->tip, &cfg, &x.kdl[k]);
			if (r) {
				status = dx_tool_fail("KDL backend", r);
				goto out;
			}
		}
	}
	if (o->have_seed) {
		if (o->nseed != x.n) {
			fprintf(stderr,
				"dx kin ik: the chain has %u variables, --seed gave %u\n",
				x.n, o->nseed);
			status = 2;
			goto out;
		}
		memcpy(seed, o->seed, x.n * sizeof(double));
	} else {
		for (unsigned i = 0; i < x.n; i++)
			seed[i] = isfinite(x.lo[i]) && isfinite(x.hi[i])
					  ? 0.5 * (x.lo[i] + x.hi[i])
					  : 0.0;
	}
	if (!o->batch) {
		if (!o->have_target) {
			status = dx_tool_usage("kin", "ik needs --target or --batch");
			goto out;
		}
		status = ik_query(&x, o->target, o->ntarget, seed, out, o->warm)
				 ? 0
				 : 1;
	} else {
		char *line = NULL;
		size_t cap = 0;
		double t[8];

		while (getline(&line, &cap, stdin) >= 0) {
			int k = parse_line(line, t, 7);

			if (k == -3) {
				printf("fail not-finite\n");
			} else if (k != 3 && k != 7) {
				printf("fail bad-input: expected X Y Z or X Y Z QX QY QZ QW\n");
			} else if (ik_query(&x, t, (unsigned)k, seed, out,
					    o->warm) &&
				   o->warm) {
				memcpy(seed, out, x.n * sizeof(double));
			}
			fflush(stdout);
		}
		free(line);
	}
out:
	dx_kdl_free(x.kdl[0]);
	dx_kdl_free(x.kdl[1]);
	dx_kin_ik_free(x.ik);
	dx_kin_chain_free(c);
	dx_kin_model_free(x.m);
	return status;
}

/* Reads numbers following argv[*i] while they parse; returns the count. */
static int take_numbers(int argc, char **argv, int *i, double *out,
			unsigned max, const char *what)
{
	unsigned n = 0;

	while (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
		if (n == max) {
			fprintf(stderr, "dx kin: too many values for %s\n", what);
			return -1;
		}
		if (dx_tool_parse_double(argv[*i + 1], what, &out[n]) != 0)
			return -1;
		n++;
		(*i)++;
	}
	return (int)n;
}

int dx_cmd_kin(int argc, char **argv)
{
	struct kin_opts o;
	const char *verb;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 3) {
		fputs(usage_text, stderr);
		return 2;
	}
	dx_tool_log_to_stderr(false);
	verb = argv[1];
	memset(&o, 0, sizeof(o));
	o.urdf = argv[2];
	if (strcmp(verb, "info") == 0) {
		if (argc != 3)
			return dx_tool_usage("kin", "info takes one URDF");
		return cmd_info(o.urdf);
	}
	if (strcmp(verb, "fk") != 0 && strcmp(verb, "ik") != 0)
		return dx_tool_usage("kin", "expected info, fk or ik");
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		int k;

		if (strcmp(a, "--tip") == 0 && i + 1 < argc) {
			o.tip = argv[++i];
		} else if (strcmp(a, "--base") == 0 && i + 1 < argc) {
			o.base = argv[++i];
		} else if (strcmp(a, "--solver") == 0 && i + 1 < argc) {
			o.solver = argv[++i];
		} else if (strcmp(a, "--batch") == 0) {
			o.batch = true;
		} else if (strcmp(a, "--warm") == 0) {
			o.warm = true;
		} else if (strcmp(a, "--target") == 0) {
			k = take_numbers(argc, argv, &i, o.target, 7, "--target");
			if (k != 3 && k != 7)
				return dx_tool_usage("kin",
						     "--target takes X Y Z or X Y Z QX QY QZ QW");
			o.ntarget = (unsigned)k;
			o.have_target = true;
		} else if (strcmp(a, "--seed") == 0) {
			k = take_numbers(argc, argv, &i, o.seed, MAXQ, "--seed");
			if (k < 0)
				return 2;
			o.nseed = (unsigned)k;
			o.have_seed = true;
		} else if (strncmp(a, "--", 2) != 0 && strcmp(verb, "fk") == 0) {
			if (o.nq == MAXQ)
				return dx_tool_usage("kin", "too many joint values");
			if (dx_tool_parse_double(a, "joint value", &o.q[o.nq]))
				return 2;
			o.nq++;
		} else {
			fprintf(stderr, "dx kin: unexpected argument '%s'\n", a);
			return dx_tool_usage("kin", "bad arguments");
		}
	}
	if (!o.tip)
		return dx_tool_usage("kin", "--tip LINK is required");
	return strcmp(verb, "fk") == 0 ? cmd_fk(&o) : cmd_ik(&o);
}
