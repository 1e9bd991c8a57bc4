/* SPDX-License-Identifier: MIT */
/* Private structures of the kinematics module. */
#ifndef DX_KIN_PRIV_H
#define DX_KIN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/kin.h>

/* Axis kinds: a joint axis along a frame axis moves only two columns of the
 * rotation (12 multiplications instead of a 3x3 product). The sign of a
 * negative axis is folded into the joint value. */
enum dx__axis_kind {
	DX__AXIS_GENERAL = 0,
	DX__AXIS_X = 1,
	DX__AXIS_Y = 2,
	DX__AXIS_Z = 3,
};

struct dx__kin_joint {
	char *name;
	enum dx_kin_joint_type type;
	int parent, child;            /* link indices */
	struct dx_kin_pose origin;
	double axis[3];
	bool has_limits;
	double lower, upper, velocity, effort;
	int mimic;                    /* master joint, -1 */
	char *mimic_name;             /* names as written in the URDF */
	char *parent_name, *child_name;
	double mult, offset;
	int var;                      /* driving variable, -1 when fixed */
	unsigned line;                /* for messages */
};

struct dx__kin_link {
	char *name;
	int parent_joint;             /* -1 for the root */
	bool has_inertial;
	struct dx_kin_inertial inertial;
	unsigned line;
};

struct dx_kin_model {
	char *name;
	unsigned nlinks, njoints, nvars;
	struct dx__kin_link *links;
	struct dx__kin_joint *joints;
	int root;
	int *order;                   /* joints, parents before children */
	int *var_joint;               /* variable -> joint */
	double *var_lower, *var_upper;
};

/* One step of a flattened chain: the constant transform (fixed joints
 * folded in) followed by the motion of one joint. */
struct dx__kin_step {
	double R[9], p[3];
	bool rot_identity;
	/* the constant rotation is identity (okind 0), a rotation about one
	 * frame axis (okind 1..3, cosine oc, sine os: 12 multiplications) or
	 * general (okind 4: a 3x3 product) */
	uint8_t okind;
	uint8_t pmask;                /* non-zero components of p */
	double oc, os;
	uint8_t type;                 /* DX_KIN_REVOLUTE/CONTINUOUS/PRISMATIC */
	uint8_t kind;                 /* enum dx__axis_kind */
	double axis[3];               /* unit axis (sign folded for kinds) */
	int qi;                       /* chain variable */
	double mult, offset;          /* value = mult * q[qi] + offset */
};

struct dx_kin_chain {
	const struct dx_kin_model *model;
	int base, tip;
	unsigned nsteps;
	struct dx__kin_step *steps;
	struct dx_kin_pose tip_tf;    /* trailing fixed joints */
	bool tip_identity, tip_rot_identity;
	unsigned nv;
	bool shared_vars;             /* a variable drives several steps */
	int *var_model;               /* chain var -> model var */
	double *lower, *upper;
	unsigned njoints;
	int *joints;                  /* model joints, base to tip */
	/* reach: the tip stays within reach of origin0 (the first moving
	 * joint's origin, constant in the base frame) */
	double origin0[3];
	double reach;
};

/* sin and cos of x together; see fk.c. */
void dx__sincos(double x, double *s, double *c);

/* Small double-precision helpers (see kin.h for why not cglm). */
void dx__rot_rpy(double roll, double pitch, double yaw, double R[9]);
void dx__mat3_mul(const double A[9], const double B[9], double out[9]);
void dx__mat3_vec(const double A[9], const double v[3], double out[3]);
void dx__pose_mul(const struct dx_kin_pose *a, const struct dx_kin_pose *b,
		  struct dx_kin_pose *out);
void dx__pose_identity(struct dx_kin_pose *p);
bool dx__rot_is_identity(const double R[9]);
void dx__rot_axis_angle(const double axis[3], double angle, double R[9]);
/* Rotation vector (axis * angle) of R. */
void dx__rot_log(const double R[9], double w[3]);
/* Motion of a joint applied on the right of pose (in place). */
void dx__joint_apply(struct dx_kin_pose *pose, enum dx_kin_joint_type type,
		     const double axis[3], double value);

int dx__model_finalize(struct dx_kin_model *m, struct dx_kin_error *err);
void dx__kin_seterr(struct dx_kin_error *err, int code, unsigned line,
		    const char *element, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Chain FK/Jacobian core; J may be NULL. pjoint (nsteps*3) and zaxis
 * (nsteps*3) are scratch arrays or NULL when J is NULL. */
void dx__chain_eval(const struct dx_kin_chain *c, const double *q,
		    struct dx_kin_pose *out, double *J, unsigned ldj);

/* Whether chain @p a ends where chain @p b's moving joints end: the same
 * base, moving joints and variables, no fixed joints after a's last
 * moving joint (b may have some). dx__chain_jacobian_head() on @p b then
 * gives @p a's pose, bit for bit what dx_kin_chain_fk() on @p a gives
 * (the same operations on the same values). */
bool dx__chain_is_head(const struct dx_kin_chain *a,
		       const struct dx_kin_chain *b);
/* dx_kin_chain_jacobian() that also returns the pose after the last moving
 * joint in @p head; DX_ENOTSUP for a chain longer than the fast path's. */
int dx__chain_jacobian_head(const struct dx_kin_chain *c, const double *q,
			    double *J, struct dx_kin_pose *pose,
			    struct dx_kin_pose *head);

#endif
