/* SPDX-License-Identifier: MIT */
/** @file kdl.h
 *  @brief The Orocos KDL backend: a KDL::Chain built from a dexrt model
 *  (base link to tip link), with KDL's forward kinematics, Jacobian and
 *  position IK solvers (LMA, NR_JL) behind a C API.
 *
 *  It is the reference the tests compare the native kinematics against and
 *  an alternative solver. Joint vectors are chain variable vectors, in the
 *  order of dx_kin_chain_nvars()/dx_kin_chain_var() for the same base and
 *  tip; mimic joints are expanded (value = multiplier * master + offset)
 *  before KDL sees them and their Jacobian columns are folded back.
 *
 *  Availability: when dexrt is built without KDL (DX_HAVE_KDL is 0, meson
 *  option kdl=disabled or orocos-kdl missing) every function below still
 *  exists and returns DX_ENOSYS (dx_kdl_available() returns false), so
 *  programs link and run either way.
 *
 *  Exceptions never cross the C border: each call catches everything and
 *  returns DX_ENOMEM (std::bad_alloc) or DX_EIO (anything else). Allocation
 *  happens in dx_kdl_create() only; dx_kdl_fk(), dx_kdl_jacobian() and
 *  dx_kdl_ik() use storage made there (KDL's solvers may still do internal
 *  work the backend does not control; treat them as not real-time safe).
 *  One handle is used by one thread at a time.
 */
#ifndef DEXRT_KDL_H
#define DEXRT_KDL_H

#include <stdbool.h>

#include <dexrt/core.h>
#include <dexrt/kin.h>

DX_BEGIN_DECLS

/** An opaque KDL chain with its solvers. */
struct dx_kdl;

/** KDL position IK solvers. */
enum dx_kdl_solver {
	/** ChainIkSolverPos_LMA (Levenberg-Marquardt, ignores limits) */
	DX_KDL_LMA = 0,
	/** ChainIkSolverPos_NR_JL with ChainIkSolverVel_pinv (clamps to
	 *  limits) */
	DX_KDL_NR_JL = 1,
};

/** IK settings. */
struct dx_kdl_config {
	enum dx_kdl_solver solver;
	/** LMA task weights vx vy vz wx wy wz (default all 1; 1 1 1 0 0 0
	 *  for position only) */
	double weights[6];
	unsigned max_iters; /**< 0: KDL's default (LMA 500, NR_JL 100) */
	double eps;         /**< 0: KDL's default (LMA 1e-5, NR_JL 1e-6) */
};

/** True when the library was built with the KDL backend. */
DX_API bool dx_kdl_available(void);

/** Fills the defaults: LMA, weights 1, KDL's iteration cap and eps (NULL
 *  is ignored). */
DX_API void dx_kdl_config_default(struct dx_kdl_config *cfg);

/** Builds the KDL chain from @p base (NULL: root) to @p tip of @p m and the
 *  solvers selected by @p cfg (NULL: defaults). The model must outlive the
 *  handle. A chain with mimic joints is built (FK and Jacobian work) but
 *  dx_kdl_ik() refuses it, as KDL's solvers would treat the coupled joints
 *  as independent. @return 0, DX_ENOENT (unknown link), DX_EINVAL (tip not
 *  below base, NULL, unknown solver, negative or non-finite eps or
 *  weight), DX_ENOMEM, DX_EIO (KDL threw), DX_ENOSYS (no KDL).
 *  Not real-time safe. */
DX_API int dx_kdl_create(const struct dx_kin_model *m, const char *base,
			 const char *tip, const struct dx_kdl_config *cfg,
			 struct dx_kdl **out);

/** Frees the handle (NULL accepted). */
DX_API void dx_kdl_free(struct dx_kdl *k);

/** Number of chain variables. */
DX_API unsigned dx_kdl_nvars(const struct dx_kdl *k);

/** Tip pose in the base frame (ChainFkSolverPos_recursive).
 *  @return 0, DX_ENOTFINITE, DX_EIO, DX_ENOSYS. */
DX_API int dx_kdl_fk(struct dx_kdl *k, const double *q,
		     struct dx_kin_pose *out);

/** Jacobian (ChainJntToJacSolver): 6 x nvars row-major, rows vx vy vz wx wy
 *  wz, base frame, reference point at the tip.
 *  @return 0, DX_ENOTFINITE, DX_EIO, DX_ENOSYS. */
DX_API int dx_kdl_jacobian(struct dx_kdl *k, const double *q, double *J);

/** Position IK from @p q_seed with the configured solver. The answer is
 *  KDL's, unchanged (LMA may leave the limits; check with FK and limits).
 *  @return 0 when KDL reports success, DX_ENOCONVERGE when it does not,
 *  DX_ENOTFINITE, DX_ENOTSUP (mimic joints on the chain), DX_EIO,
 *  DX_ENOSYS. */
DX_API int dx_kdl_ik(struct dx_kdl *k, const struct dx_kin_pose *target,
		     const double *q_seed, double *q_out);

DX_END_DECLS

#endif
