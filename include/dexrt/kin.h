/* SPDX-License-Identifier: MIT */
/** @file kin.h
 *  @brief Kinematics: a URDF model (a tree of links and joints), forward
 *  kinematics of every link, geometric Jacobians of any chain, and a fast
 *  damped-least-squares inverse kinematics with joint limits, mimic joints
 *  and several tips solved in one call.
 *
 *  Numerical type: everything is computed in double precision. cglm is
 *  single precision (float has a 6e-8 relative step, i.e. about 5e-8 m at a
 *  0.8 m arm reach, and a 7-joint product loses several of those), which
 *  would make the IK tolerances below (1e-6 m, 1e-5 rad) unreachable, so the
 *  kinematic chain products use small double routines local to lib/kin.
 *  cglm types are offered at the edge: dx_kin_pose_to_mat4() and
 *  dx_kin_pose_to_versor() convert a result for rendering or for float code.
 *
 *  Units: metres, radians, kilograms, kg m^2. Quaternions are stored
 *  x, y, z, w (the URDF/ROS order, and cglm's versor order).
 *
 *  Variables: every revolute, continuous or prismatic joint that is not a
 *  mimic joint is one variable of the model, numbered in URDF document order
 *  (dx_kin_model_nvars()). A mimic joint takes the value
 *  multiplier * q[master] + offset. A chain (base link to tip link) has its
 *  own variable vector: the variables met along the chain from base to tip.
 *
 *  Threads: a model is immutable after loading and may be shared by any
 *  number of threads. A chain is immutable too. An IK solver holds its
 *  workspace and is used by one thread at a time.
 *
 *  Real time: loading, chain and solver creation allocate (init only). FK,
 *  Jacobians and IK never allocate, never log and have bounded loops.
 */
#ifndef DEXRT_KIN_H
#define DEXRT_KIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cglm/types.h>

#include <dexrt/core.h>

DX_BEGIN_DECLS

/* ======================================================================== */
/** @name Model
 *  @{ */

/** A loaded kinematic tree (opaque). */
struct dx_kin_model;

/** Joint types of URDF. */
enum dx_kin_joint_type {
	DX_KIN_FIXED = 0,
	DX_KIN_REVOLUTE = 1,
	DX_KIN_CONTINUOUS = 2, /**< revolute without limits */
	DX_KIN_PRISMATIC = 3,
};

/** Where a load failed: filled by the loaders on error. */
struct dx_kin_error {
	int code;          /**< the returned DX_E... code */
	unsigned line;     /**< 1-based line in the XML, 0 when not known */
	char element[32];  /**< element name, e.g. "joint", "" when none */
	char msg[256];     /**< human-readable reason, names the element */
};

/** A rigid transform: p is the origin, R the rotation matrix in row-major
 *  order (R[3*i + j] is row i, column j). */
struct dx_kin_pose {
	double p[3];
	double R[9];
};

/** Inertial properties of a link (URDF <inertial>), in the link frame. */
struct dx_kin_inertial {
	double mass;          /**< kg */
	struct dx_kin_pose origin; /**< centre of mass frame */
	/** inertia about the centre of mass in the origin frame, kg m^2:
	 *  ixx, ixy, ixz, iyy, iyz, izz */
	double inertia[6];
};

/** Read-only description of a joint. */
struct dx_kin_joint_info {
	const char *name;
	enum dx_kin_joint_type type;
	int parent_link;        /**< link index */
	int child_link;         /**< link index */
	struct dx_kin_pose origin; /**< parent link frame -> joint frame at 0 */
	double axis[3];         /**< unit axis in the joint frame */
	bool has_limits;        /**< false for fixed and continuous joints */
	double lower, upper;    /**< rad or m (as written in the URDF) */
	double velocity, effort; /**< rad/s or m/s; N m or N (0 when absent) */
	int mimic_joint;        /**< master joint index, -1 when not a mimic */
	double multiplier, offset; /**< mimic coupling (1, 0 when not a mimic) */
	int var;                /**< variable that drives it, -1 when fixed */
};

/** Loads a URDF file with expat. On error nothing is allocated, *out is
 *  NULL, a message naming the line and element is written to @p err (may be
 *  NULL) and logged with dx_log(). Rejected: malformed XML, missing or
 *  duplicate names, unknown parent or child links, a link with two parents,
 *  cycles, several roots, lower > upper, non-finite or malformed numbers,
 *  zero axes, mimic joints that name an unknown, fixed or mimic joint.
 *  @return 0, DX_ENOENT (file), DX_EPARSE (XML or number syntax),
 *  DX_ENOTFINITE, DX_ECONFIG (structure: names, tree, limits), DX_ENOMEM,
 *  DX_EINVAL (NULL arguments). Not real-time safe. */
DX_API int dx_kin_model_load_file(const char *path, struct dx_kin_model **out,
				  struct dx_kin_error *err);

/** Same as dx_kin_model_load_file() from a buffer of @p len bytes. */
DX_API int dx_kin_model_load_string(const char *xml, size_t len,
				    struct dx_kin_model **out,
				    struct dx_kin_error *err);

/** Frees a model (NULL is accepted). Chains and solvers made from it must be
 *  freed first. */
DX_API void dx_kin_model_free(struct dx_kin_model *m);

/** Robot name (the <robot name> attribute). For the accessors below a NULL
 *  model reads as empty: NULL name, 0 counts, DX_EINVAL root. */
DX_API const char *dx_kin_model_name(const struct dx_kin_model *m);
/** Number of links. */
DX_API unsigned dx_kin_model_nlinks(const struct dx_kin_model *m);
/** Number of joints (all types). */
DX_API unsigned dx_kin_model_njoints(const struct dx_kin_model *m);
/** Number of variables (independent movable joints). */
DX_API unsigned dx_kin_model_nvars(const struct dx_kin_model *m);
/** Index of the root link. */
DX_API int dx_kin_model_root(const struct dx_kin_model *m);

/** Index of the link named @p name, or DX_ENOENT (also for NULL). */
DX_API int dx_kin_link_index(const struct dx_kin_model *m, const char *name);
/** Index of the joint named @p name, or DX_ENOENT (also for NULL). */
DX_API int dx_kin_joint_index(const struct dx_kin_model *m, const char *name);
/** Name of link @p i, NULL when out of range. */
DX_API const char *dx_kin_link_name(const struct dx_kin_model *m, int i);
/** Joint whose child is link @p i, -1 for the root (or out of range). */
DX_API int dx_kin_link_parent_joint(const struct dx_kin_model *m, int i);
/** Inertial of link @p i. @return 0, DX_ENOENT when the link has no
 *  <inertial>, DX_EINVAL when @p i is out of range. */
DX_API int dx_kin_link_inertial(const struct dx_kin_model *m, int i,
				struct dx_kin_inertial *out);
/** Description of joint @p i. Strings point into the model.
 *  @return 0 or DX_EINVAL (NULL, @p i out of range). */
DX_API int dx_kin_joint_get(const struct dx_kin_model *m, int i,
			    struct dx_kin_joint_info *out);
/** Joint that is variable @p v (a movable, non-mimic joint), or DX_EINVAL. */
DX_API int dx_kin_var_joint(const struct dx_kin_model *m, unsigned v);

/** Effective limits of every variable (nvars entries each): the joint's own
 *  limits intersected with those its mimic joints impose through their
 *  coupling. Continuous joints give -inf and +inf. @p lower or @p upper
 *  may be NULL; a NULL model writes nothing. */
DX_API void dx_kin_model_limits(const struct dx_kin_model *m, double *lower,
				double *upper);

/** True when every variable of @p q lies in its effective limits widened by
 *  @p tol, and every value is finite. False for NULL or a NaN @p tol. */
DX_API bool dx_kin_within_limits(const struct dx_kin_model *m,
				 const double *q, double tol);

/** Poses of every link in the root frame for the variables @p q (nvars):
 *  @p out has nlinks entries. @return 0, DX_EINVAL (NULL), or DX_ENOTFINITE
 *  when q holds a NaN or infinity (out untouched). Real-time safe. */
DX_API int dx_kin_fk_all(const struct dx_kin_model *m, const double *q,
			 struct dx_kin_pose *out);
/** @} */

/* ======================================================================== */
/** @name Chains
 *  A chain is the path from a base link to a tip link below it, with the
 *  joints flattened into index arrays and fixed joints folded into the
 *  constant transforms (so FK and Jacobian cost only the moving joints).
 *  @{ */

struct dx_kin_chain;

/** Builds the chain from @p base (NULL: the root) to @p tip. Chains of up
 *  to 64 moving joints take the fast path; longer ones work at about half
 *  the speed. @return 0, DX_ENOENT (unknown link), DX_EINVAL (tip not below
 *  base, or NULL arguments), DX_ENOMEM. Not real-time safe. */
DX_API int dx_kin_chain_create(const struct dx_kin_model *m, const char *base,
			       const char *tip, struct dx_kin_chain **out);
/** Frees a chain (NULL accepted). */
DX_API void dx_kin_chain_free(struct dx_kin_chain *c);
/** Number of chain variables (0 for NULL; likewise the accessors below
 *  read a NULL chain as empty). */
DX_API unsigned dx_kin_chain_nvars(const struct dx_kin_chain *c);
/** Model variable of chain variable @p i (-1 when out of range). */
DX_API int dx_kin_chain_var(const struct dx_kin_chain *c, unsigned i);
/** Number of joints on the chain, fixed ones included. */
DX_API unsigned dx_kin_chain_njoints(const struct dx_kin_chain *c);
/** Model joint index of the @p i-th joint of the chain, base to tip (-1 when
 *  out of range). */
DX_API int dx_kin_chain_joint(const struct dx_kin_chain *c, unsigned i);
/** Effective limits of the chain variables. */
DX_API void dx_kin_chain_limits(const struct dx_kin_chain *c, double *lower,
				double *upper);
/** Copies the chain's variables out of a model vector (nvars entries)
 *  into @p q_chain. Real-time safe. Nothing happens when a pointer is NULL
 *  (also for dx_kin_chain_scatter()). */
DX_API void dx_kin_chain_gather(const struct dx_kin_chain *c,
				const double *q_model, double *q_chain);
/** Copies chain variables into their places of a model vector; the other
 *  entries are left alone. Real-time safe. */
DX_API void dx_kin_chain_scatter(const struct dx_kin_chain *c,
				 const double *q_chain, double *q_model);

/** Pose of the tip in the base frame for chain variables @p q.
 *  Real-time safe. @return 0, DX_EINVAL (NULL) or DX_ENOTFINITE (@p out
 *  untouched). */
DX_API int dx_kin_chain_fk(const struct dx_kin_chain *c, const double *q,
			   struct dx_kin_pose *out);

/** Geometric Jacobian of the tip: @p J is 6 x nvars, row-major, rows vx vy
 *  vz wx wy wz, expressed in the base frame with the reference point at the
 *  tip origin (the convention of KDL's ChainJntToJacSolver). A mimic joint
 *  adds multiplier times its column to its master's. @p pose (may be NULL)
 *  receives the tip pose computed on the way. Real-time safe.
 *  @return 0, DX_EINVAL (NULL chain, @p q or @p J) or DX_ENOTFINITE. */
DX_API int dx_kin_chain_jacobian(const struct dx_kin_chain *c, const double *q,
				 double *J, struct dx_kin_pose *pose);
/** @} */

/* ======================================================================== */
/** @name Inverse kinematics
 *
 *  Damped least squares with adaptive (Levenberg-Marquardt) damping: with
 *  A = W^(1/2) J stacked over all tips and b = W^(1/2) e the weighted error
 *  (position difference, and the rotation vector log(R_target R^T) for full
 *  pose tips), a step solves (A^T A + lambda I) dq = A^T b in whichever of
 *  the two equivalent forms is smaller (Cholesky). lambda = mu * (E + w_n)
 *  follows Sugihara, "Solvability-unconcerned inverse kinematics by the
 *  Levenberg-Marquardt method", IEEE T-RO 27(5), 2011 (E = b^T b / 2);
 *  mu shrinks after a step that lowers E and grows after one that does not
 *  (which is then undone). Every step is projected onto the joint limits,
 *  so every iterate - and the answer - lies within limits. Mimic joints are
 *  folded into their master's column.
 *
 *  A variable resting on a limit that a step would push further out is
 *  held for that step (its column removed and the step solved again), so
 *  the other joints take up the motion. Tips that share no variable (the
 *  fingers of a hand on a fixed palm) are solved as separate problems, each
 *  with its own damping; tips sharing joints (a wrist) form one problem.
 *
 *  Warm mode: one attempt from the seed, at most max_iters iterations
 *  (the control-cycle mode). Cold mode: the seed first, then up to
 *  max_restarts restarts from uniformly drawn in-limit configurations
 *  (xoshiro256** seeded by cfg.seed at every call: the same inputs give the
 *  same answer), restarting only the variables of tips not yet solved.
 *
 *  Success means every tip is within tol_pos (m) and, for full-pose tips,
 *  tol_rot (rad), measured by FK at the returned configuration (which is
 *  clamped into the limits once more before it is returned). An iteration
 *  is one FK + Jacobian evaluation (about 0.1-0.2 us for 4-7 joints).
 *  Stack use: about 5 KiB.
 *  @{ */

struct dx_kin_ik;

/** Solver settings; dx_kin_ik_config_default() fills sensible values. */
struct dx_kin_ik_config {
	unsigned max_iters;    /**< iterations per attempt (default 100) */
	unsigned max_restarts; /**< cold-mode restarts (default 200) */
	double tol_pos;        /**< m (default 1e-6) */
	double tol_rot;        /**< rad (default 1e-5) */
	uint64_t seed;         /**< PRNG seed for restarts (default 1) */
	/** Sugihara's w_n: damping floor relative to the weighted error energy
	 *  (default 1e-9); larger values give smoother, slower steps. */
	double damping;
	/** Attempt is abandoned when E fell by less than this fraction over
	 *  stall_window iterations (defaults 1e-3 and 8). */
	double stall_ratio;
	unsigned stall_window;
};

/** One tip's target. */
struct dx_kin_ik_target {
	double p[3];        /**< position in the base frame, m */
	double quat[4];     /**< orientation x, y, z, w (when orientation) */
	bool orientation;   /**< false: position only */
	double w_pos;       /**< position row weight (default 1; 0 = 1) */
	double w_rot;       /**< rotation row weight, m/rad (0 = 0.2) */
};

/** How a solve ended. */
struct dx_kin_ik_result {
	unsigned iterations; /**< total over attempts */
	unsigned restarts;
	double pos_err;      /**< largest tip position error of q_out, m */
	double rot_err;      /**< largest tip rotation error, rad (0 if none) */
};

enum dx_kin_ik_mode {
	DX_KIN_IK_WARM = 0, /**< one capped attempt from the seed (real time) */
	DX_KIN_IK_COLD = 1, /**< seed, then bounded restarts */
};

/** Fills @p cfg with the defaults documented in dx_kin_ik_config (NULL is
 *  ignored). */
DX_API void dx_kin_ik_config_default(struct dx_kin_ik_config *cfg);

/** Creates a solver for @p ntips tips (links) of @p m, targets expressed in
 *  the frame of @p base (NULL: the root). Workspace is allocated here, once.
 *  @return 0, DX_ENOENT (unknown link), DX_EINVAL (bad config, tip not below
 *  base, ntips 0 or > 64), DX_ENOMEM. Not real-time safe. */
DX_API int dx_kin_ik_create(const struct dx_kin_model *m, const char *base,
			    const char *const *tips, unsigned ntips,
			    const struct dx_kin_ik_config *cfg,
			    struct dx_kin_ik **out);
/** Frees a solver (NULL accepted). */
DX_API void dx_kin_ik_free(struct dx_kin_ik *ik);

/** Solves for @p targets (ntips entries, in the order given at creation).
 *  @p q_seed and @p q_out are model variable vectors (nvars; they may
 *  alias); variables no tip depends on are copied from the seed. A seed
 *  outside the limits is first clamped into them.
 *  On failure q_out holds the best in-limit configuration found.
 *  Real-time safe: no allocation, no lock, no log; per group of coupled
 *  tips at most max_iters * (1 + max_restarts) iterations (cold) or
 *  max_iters (warm), so the worst case is bounded (and in warm mode small).
 *  @return 0 found; DX_ENOTFINITE (NaN or infinite target or seed);
 *  DX_EINVAL (zero quaternion, negative weight, NULL, unknown mode);
 *  DX_EUNREACHABLE
 *  (a position target beyond the tip's reach: no iteration is made);
 *  DX_ENOCONVERGE (no solution within the caps). */
DX_API int dx_kin_ik_solve(struct dx_kin_ik *ik,
			   const struct dx_kin_ik_target *targets,
			   const double *q_seed, double *q_out,
			   enum dx_kin_ik_mode mode,
			   struct dx_kin_ik_result *res);

/** Chain of tip @p i of the solver (base to tip), for FK checks; NULL for
 *  a NULL solver or @p i out of range. */
DX_API const struct dx_kin_chain *dx_kin_ik_chain(const struct dx_kin_ik *ik,
						  unsigned i);
/** @} */

/* ======================================================================== */
/** @name Pose helpers
 *  @{ */

/** Quaternion (x, y, z, w, w >= 0) of a pose's rotation. In this group
 *  the void functions write nothing when a pointer is NULL. */
DX_API void dx_kin_pose_quat(const struct dx_kin_pose *pose, double quat[4]);
/** Sets a pose from a position and a quaternion (x, y, z, w; normalised
 *  here). @return 0, DX_ENOTFINITE, or DX_EINVAL for a zero quaternion or
 *  NULL. */
DX_API int dx_kin_pose_from_quat(const double p[3], const double quat[4],
				 struct dx_kin_pose *pose);
/** Rotation angle between two poses' orientations, rad in [0, pi]; NaN
 *  when either is NULL. */
DX_API double dx_kin_rot_dist(const struct dx_kin_pose *a,
			      const struct dx_kin_pose *b);
/** Distance between two poses' origins, m; NaN when either is NULL. */
DX_API double dx_kin_pos_dist(const struct dx_kin_pose *a,
			      const struct dx_kin_pose *b);
/** Converts to a cglm homogeneous matrix (float, column-major). */
DX_API void dx_kin_pose_to_mat4(const struct dx_kin_pose *pose, mat4 out);
/** Converts the rotation to a cglm quaternion (float, x y z w). */
DX_API void dx_kin_pose_to_versor(const struct dx_kin_pose *pose, versor out);
/** @} */

DX_END_DECLS

#endif
