// SPDX-License-Identifier: MIT
// The Orocos KDL backend behind a C API. A KDL::Chain is built from the same
// dexrt model the native code uses, the way the URDF specification composes
// a joint: parent frame -> origin -> motion about the axis given in the
// joint frame. Every entry point catches all exceptions.
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <kdl/chain.hpp>
#include <kdl/chainfksolverpos_recursive.hpp>
#include <kdl/chainiksolverpos_lma.hpp>
#include <kdl/chainiksolverpos_nr_jl.hpp>
#include <kdl/chainiksolvervel_pinv.hpp>
#include <kdl/chainjnttojacsolver.hpp>
#include <kdl/frames.hpp>
#include <kdl/jacobian.hpp>
#include <kdl/jntarray.hpp>

#include <dexrt/kdl.h>

namespace {

// One KDL joint value per movable chain joint: value = mult * q[var] + off.
struct jmap {
	unsigned var;
	double mult, off;
};

} // namespace

struct dx_kdl {
	KDL::Chain chain;
	std::vector<jmap> map;      // per KDL joint
	unsigned nv = 0;
	bool has_mimic = false;
	dx_kdl_config cfg{};
	std::unique_ptr<KDL::ChainFkSolverPos_recursive> fk;
	std::unique_ptr<KDL::ChainJntToJacSolver> jac;
	std::unique_ptr<KDL::ChainIkSolverPos_LMA> lma;
	std::unique_ptr<KDL::ChainIkSolverVel_pinv> vel;
	std::unique_ptr<KDL::ChainIkSolverPos_NR_JL> nrjl;
	KDL::JntArray qj, qo, qmin, qmax;
	KDL::Jacobian J;
};

static KDL::Frame to_frame(const dx_kin_pose &p)
{
	return KDL::Frame(KDL::Rotation(p.R[0], p.R[1], p.R[2], p.R[3], p.R[4],
					p.R[5], p.R[6], p.R[7], p.R[8]),
			  KDL::Vector(p.p[0], p.p[1], p.p[2]));
}

static void from_frame(const KDL::Frame &f, dx_kin_pose *p)
{
	for (int i = 0; i < 3; i++) {
		p->p[i] = f.p(i);
		for (int j = 0; j < 3; j++)
			p->R[3 * i + j] = f.M(i, j);
	}
}

static bool finite(const double *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!std::isfinite(q[i]))
			return false;
	return true;
}

static void expand(dx_kdl *k, const double *q)
{
	for (size_t i = 0; i < k->map.size(); i++)
		k->qj(i) = k->map[i].mult * q[k->map[i].var] + k->map[i].off;
}

extern "C" {

bool dx_kdl_available(void)
{
	return true;
}

void dx_kdl_config_default(struct dx_kdl_config *cfg)
{
	if (!cfg)
		return;
	std::memset(cfg, 0, sizeof(*cfg));
	cfg->solver = DX_KDL_LMA;
	for (int i = 0; i < 6; i++)
		cfg->weights[i] = 1.0;
}

static int create(const dx_kin_model *m, const char *base, const char *tip,
		  const dx_kdl_config *cfg, dx_kdl **out)
{
	dx_kin_chain *c = nullptr;
	int r = dx_kin_chain_create(m, base, tip, &c);

	if (r)
		return r;
	std::unique_ptr<dx_kin_chain, void (*)(dx_kin_chain *)> guard(
		c, dx_kin_chain_free);
	std::unique_ptr<dx_kdl> k(new dx_kdl);
	if (cfg)
		k->cfg = *cfg;
	else
		dx_kdl_config_default(&k->cfg);
	k->nv = dx_kin_chain_nvars(c);
	std::vector<double> lo(k->nv), hi(k->nv);
	dx_kin_chain_limits(c, lo.data(), hi.data());

	for (unsigned i = 0; i < dx_kin_chain_njoints(c); i++) {
		dx_kin_joint_info ji;

		dx_kin_joint_get(m, dx_kin_chain_joint(c, i), &ji);
		KDL::Frame f = to_frame(ji.origin);
		const char *child = dx_kin_link_name(m, ji.child_link);
		if (ji.type == DX_KIN_FIXED) {
			k->chain.addSegment(KDL::Segment(
				child, KDL::Joint(ji.name, KDL::Joint::Fixed), f));
			continue;
		}
		KDL::Vector axis = f.M * KDL::Vector(ji.axis[0], ji.axis[1],
						     ji.axis[2]);
		KDL::Joint::JointType t = ji.type == DX_KIN_PRISMATIC
						  ? KDL::Joint::TransAxis
						  : KDL::Joint::RotAxis;
		k->chain.addSegment(KDL::Segment(
			child, KDL::Joint(ji.name, f.p, axis, t), f));
		jmap jm;
		jm.var = 0;
		for (unsigned v = 0; v < k->nv; v++)
			if (dx_kin_chain_var(c, v) == ji.var)
				jm.var = v;
		jm.mult = ji.multiplier;
		jm.off = ji.offset;
		if (ji.mimic_joint >= 0)
			k->has_mimic = true;
		k->map.push_back(jm);
	}
	guard.reset();

	unsigned nj = k->chain.getNrOfJoints();
	k->qj.resize(nj);
	k->qo.resize(nj);
	k->qmin.resize(nj);
	k->qmax.resize(nj);
	k->J.resize(nj);
	for (unsigned i = 0; i < nj; i++) {
		// Only meaningful without mimic joints (then map is 1:1).
		k->qmin(i) = lo[k->map[i].var];
		k->qmax(i) = hi[k->map[i].var];
	}
	k->fk.reset(new KDL::ChainFkSolverPos_recursive(k->chain));
	k->jac.reset(new KDL::ChainJntToJacSolver(k->chain));
	if (k->cfg.solver == DX_KDL_LMA) {
		Eigen::Matrix<double, 6, 1> L;
		for (int i = 0; i < 6; i++)
			L(i) = k->cfg.weights[i];
		k->lma.reset(new KDL::ChainIkSolverPos_LMA(
			k->chain, L, k->cfg.eps > 0 ? k->cfg.eps : 1e-5,
			k->cfg.max_iters ? (int)k->cfg.max_iters : 500));
	} else {
		k->vel.reset(new KDL::ChainIkSolverVel_pinv(k->chain));
		k->nrjl.reset(new KDL::ChainIkSolverPos_NR_JL(
			k->chain, k->qmin, k->qmax, *k->fk, *k->vel,
			k->cfg.max_iters ? k->cfg.max_iters : 100,
			k->cfg.eps > 0 ? k->cfg.eps : 1e-6));
	}
	*out = k.release();
	return 0;
}

int dx_kdl_create(const struct dx_kin_model *m, const char *base,
		  const char *tip, const struct dx_kdl_config *cfg,
		  struct dx_kdl **out)
{
	if (out)
		*out = nullptr;
	if (!out || !m || !tip)
		return DX_EINVAL;
	if (cfg) {
		/* read as the int C stores: in C++ an enum object holding a
		 * value outside its enumerators' range is undefined */
		int solver;

		static_assert(sizeof(solver) == sizeof(cfg->solver),
			      "enum dx_kdl_solver is int-sized");
		std::memcpy(&solver, &cfg->solver, sizeof(solver));
		if (solver != DX_KDL_LMA && solver != DX_KDL_NR_JL)
			return DX_EINVAL;
		if (!dx_isfinite(cfg->eps) || cfg->eps < 0)
			return DX_EINVAL;
		for (int i = 0; i < 6; i++)
			if (!dx_isfinite(cfg->weights[i]) || cfg->weights[i] < 0)
				return DX_EINVAL;
	}
	try {
		return create(m, base, tip, cfg, out);
	} catch (const std::bad_alloc &) {
		return DX_ENOMEM;
	} catch (...) {
		return DX_EIO;
	}
}

void dx_kdl_free(struct dx_kdl *k)
{
	try {
		delete k;
	} catch (...) {
	}
}

unsigned dx_kdl_nvars(const struct dx_kdl *k)
{
	return k ? k->nv : 0;
}

int dx_kdl_fk(struct dx_kdl *k, const double *q, struct dx_kin_pose *out)
{
	if (!k || !q || !out)
		return DX_EINVAL;
	if (!finite(q, k->nv))
		return DX_ENOTFINITE;
	try {
		KDL::Frame f;

		expand(k, q);
		if (k->fk->JntToCart(k->qj, f) < 0)
			return DX_EIO;
		from_frame(f, out);
		return 0;
	} catch (...) {
		return DX_EIO;
	}
}

int dx_kdl_jacobian(struct dx_kdl *k, const double *q, double *J)
{
	if (!k || !q || !J)
		return DX_EINVAL;
	if (!finite(q, k->nv))
		return DX_ENOTFINITE;
	try {
		expand(k, q);
		if (k->jac->JntToJac(k->qj, k->J) < 0)
			return DX_EIO;
		std::memset(J, 0, 6 * k->nv * sizeof(double));
		for (unsigned c = 0; c < k->map.size(); c++)
			for (unsigned r = 0; r < 6; r++)
				J[r * k->nv + k->map[c].var] +=
					k->map[c].mult * k->J(r, c);
		return 0;
	} catch (...) {
		return DX_EIO;
	}
}

int dx_kdl_ik(struct dx_kdl *k, const struct dx_kin_pose *target,
	      const double *q_seed, double *q_out)
{
	if (!k || !target || !q_seed || !q_out)
		return DX_EINVAL;
	if (k->has_mimic)
		return DX_ENOTSUP;
	if (!finite(q_seed, k->nv) || !finite(target->p, 3) ||
	    !finite(target->R, 9))
		return DX_ENOTFINITE;
	try {
		KDL::Frame f = to_frame(*target);
		int r;

		expand(k, q_seed);
		if (k->lma)
			r = k->lma->CartToJnt(k->qj, f, k->qo);
		else
			r = k->nrjl->CartToJnt(k->qj, f, k->qo);
		for (unsigned i = 0; i < k->nv; i++)
			q_out[i] = k->qo(i);
		return r >= 0 ? 0 : DX_ENOCONVERGE;
	} catch (...) {
		return DX_EIO;
	}
}

} // extern "C"
