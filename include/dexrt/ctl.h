/* SPDX-License-Identifier: MIT */
/** @file ctl.h
 *  @brief Joint control maths: PID (scalar and a structure-of-arrays bank),
 *  a jerk-limited trajectory generator and the joint <-> actuator
 *  transmission.
 *
 *  Everything here is pure, allocation-free double-precision maths: no I/O,
 *  no clock reads, no locks. Time comes in as an argument (dt in seconds, or
 *  int64 ns of CLOCK_MONOTONIC for trajectories). Every object is owned by the
 *  caller; one object may be used by one thread at a time. Init functions
 *  validate their configuration and refuse bad values with a negative DX_E...
 *  code; cycle functions refuse non-finite input and zero or negative time
 *  steps with a code and leave the object's state unchanged.
 */
#ifndef DEXRT_CTL_H
#define DEXRT_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dexrt/core.h>

DX_BEGIN_DECLS

/* ======================================================================== */
/** @name PID
 *
 *  Parallel form with setpoint weighting, a first-order filtered derivative
 *  and anti-windup, discretised as in Astrom & Hagglund, "Advanced PID
 *  Control" (ISA 2006), section 13.5 (backward difference for the filtered
 *  derivative, forward difference for the integral). With r the reference,
 *  y the measurement, h = dt, for each step k:
 *
 *      e   = r - y
 *      ez  = e - clamp(e, -deadband, +deadband)     (error outside the band)
 *      P   = kp * (b*r - y - clamp(e, -deadband, +deadband))
 *      ed  = c*r - y             (c forced to 0 with DX_PID_D_ON_MEASUREMENT)
 *      D   = (Tf*D[k-1] + kd*(ed - ed[k-1])) / (Tf + h)   (D = 0 at step 0)
 *      v   = P + I + D + kff_vel*vel_ff + tau_ff
 *      u   = clamp(v, out_min, out_max), then limited to
 *            u[k-1] +- rate_max*h, then clamped to [out_min, out_max] again
 *      I  += ki*h*ez                           (not with DX_PID_AW_CLAMP when
 *                                               u != v and ki*ez*(v-u) > 0)
 *      I  += (h/Tt)*(u - v)                    (DX_PID_AW_BACKCALC only)
 *      I   = clamp(I, i_min, i_max)
 *
 *  I and D are kept in output units, so a change of ki or kd never moves the
 *  output by itself; dx_pid_set_gains() moves I by the change of P at the
 *  last inputs so a change of kp or b is bumpless too.
 *  @{ */

/** Where the derivative acts. */
enum dx_pid_deriv {
	/** derivative of -y only (no kick on setpoint steps): c = 0 */
	DX_PID_D_ON_MEASUREMENT = 0,
	/** derivative of c*r - y (c = 1 is the plain error) */
	DX_PID_D_ON_ERROR = 1,
};

/** Integrator anti-windup method. */
enum dx_pid_antiwindup {
	DX_PID_AW_NONE = 0,     /**< integrate always (only i_min/i_max) */
	DX_PID_AW_CLAMP = 1,    /**< conditional integration */
	DX_PID_AW_BACKCALC = 2, /**< back-calculation, tracking time Tt */
};

/** PID configuration. Fill with dx_pid_config_default() and change what is
 *  needed. Gains are non-negative and finite; limits may be +-INFINITY
 *  (no limit) but never NaN, and lower <= upper. */
struct dx_pid_config {
	double kp; /**< proportional gain, output units per error unit */
	double ki; /**< integral gain, output units per (error unit * s) */
	double kd; /**< derivative gain, output units per (error unit / s) */
	double b;  /**< setpoint weight of the P term (default 1) */
	double c;  /**< setpoint weight of the D term with D_ON_ERROR (default 1) */
	/** derivative filter time constant in s; 0: use @ref n, or no filter */
	double tf;
	/** derivative filter as N (Tf = kd / (kp * N)); used when tf == 0 and
	 *  n > 0; needs kp > 0. 0: unused. */
	double n;
	enum dx_pid_deriv deriv;          /**< default DX_PID_D_ON_MEASUREMENT */
	enum dx_pid_antiwindup antiwindup; /**< default DX_PID_AW_CLAMP */
	/** back-calculation tracking time constant Tt in s; 0: Tt = sqrt(Ti*Td)
	 *  with Ti = kp/ki, Td = kd/kp (Ti when kd = 0), which needs kp, ki > 0 */
	double tt;
	double i_min, i_max;     /**< integral term limits, output units */
	double out_min, out_max; /**< output saturation */
	double rate_max; /**< output rate limit, output units per s; 0: none */
	double kff_vel;  /**< gain on the velocity feed-forward input */
	double deadband; /**< error half-width treated as zero (>= 0) */
};

/** Inputs of one PID step. */
struct dx_pid_in {
	double ref;    /**< reference r (e.g. joint position, rad) */
	double meas;   /**< measurement y, same unit */
	double vel_ff; /**< reference velocity, multiplied by kff_vel */
	double tau_ff; /**< torque feed-forward, added to the output as is */
};

/** Controller: derived parameters and state. Treat as opaque. */
struct dx_pid {
	double kp, ki, kd, b, c, tf, tt_inv, aw_clamp;
	double i_min, i_max, out_min, out_max, rate_max, kff_vel, deadband;
	double n;         /* filter N as configured (0: tf given directly) */
	double integ;     /* I, output units */
	double dterm;     /* D, output units */
	double ed_prev;   /* c*r - y of the previous step */
	double u_prev;    /* previous output (rate limit, bumpless) */
	double last_ref, last_meas;
	bool primed;      /* ed_prev and last_* are valid */
	bool enabled;
	enum dx_pid_antiwindup aw;
	enum dx_pid_deriv deriv;
};

/** Fills @p cfg with a usable default: all gains 0, b = c = 1, no filter,
 *  derivative on measurement, clamping anti-windup, all limits +-INFINITY,
 *  no rate limit, no deadband, no feed-forward. */
DX_API void dx_pid_config_default(struct dx_pid_config *cfg);

/** Validates @p cfg and initialises @p pid (reset, enabled).
 *  @return 0; DX_EINVAL for a NULL pointer, a negative gain, weight, filter
 *  constant, rate or deadband, lower > upper limits or an unknown mode;
 *  DX_ENOTFINITE for a NaN anywhere or an infinite gain/weight/constant;
 *  DX_ECONFIG when n > 0 with kp == 0, or back-calculation without tt and
 *  without kp, ki > 0. @p pid is untouched on error. Not real-time relevant
 *  (no allocation; may be called in the cycle). */
DX_API int dx_pid_init(struct dx_pid *pid, const struct dx_pid_config *cfg);

/** Clears the state: I = D = 0, previous output 0, next step has no
 *  derivative history. Enables the controller. Real-time safe. */
DX_API void dx_pid_reset(struct dx_pid *pid);

/** One control step. @p dt in s (> 0, finite); inputs must be finite.
 *  Writes the output to @p out.
 *  @return 0; DX_EINVAL for NULL or dt <= 0; DX_ENOTFINITE for a non-finite
 *  dt or input; DX_ERANGE when finite inputs are so large that the result
 *  would not be finite; DX_ESTATE when disabled. On error the state and
 *  @p out are unchanged. Real-time safe, O(1). */
DX_API int dx_pid_step(struct dx_pid *pid, double dt,
		       const struct dx_pid_in *in, double *out);

/** Changes gains, weights, filter and limits in place with bumpless
 *  transfer: the integral term absorbs the change of the P term at the last
 *  inputs, so the output the new gains would give at the last inputs equals
 *  the old one (before integral limits, which still apply). The same
 *  validation and return codes as dx_pid_init(); on error nothing changes.
 *  Real-time safe. */
DX_API int dx_pid_set_gains(struct dx_pid *pid, const struct dx_pid_config *cfg);

/** Stops the controller: dx_pid_step() returns DX_ESTATE until
 *  dx_pid_enable(). Real-time safe. */
DX_API void dx_pid_disable(struct dx_pid *pid);

/** Enables the controller for a bumpless start from the output @p u_now the
 *  actuator receives now (e.g. from a manual or other controller) at the
 *  current inputs @p in: I is set so that v = u_now at these inputs (then
 *  clamped to [i_min, i_max]), D = 0, derivative history = these inputs,
 *  the rate limiter starts from @p u_now.
 *  @return 0, DX_EINVAL (NULL), DX_ENOTFINITE (non-finite argument).
 *  Real-time safe. */
DX_API int dx_pid_enable(struct dx_pid *pid, double u_now,
			 const struct dx_pid_in *in);

/** True when the controller is enabled. */
DX_API bool dx_pid_is_enabled(const struct dx_pid *pid);

/** Current integral term in output units. */
DX_API double dx_pid_integral(const struct dx_pid *pid);

/** Maximum number of joints in a dx_pid_bank. */
#define DX_PID_BANK_MAX 64

/** N controllers stepped in one call, stored as structure of arrays so the
 *  step loop vectorises. Same law and same results (to rounding) as N
 *  dx_pid objects; the anti-windup mode and derivative placement may differ
 *  per joint. State is double buffered so an error leaves it unchanged.
 *  Treat as opaque. */
struct dx_pid_bank {
	unsigned n;
	bool primed;
	unsigned cur; /* index of the current state buffer */
	DX_ALIGNAS(64) double kp[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double ki[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double kd[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double b[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double c[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double tf[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double tt_inv[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double aw_clamp[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double i_min[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double i_max[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double out_min[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double out_max[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double rate_max[DX_PID_BANK_MAX]; /* INFINITY: none */
	DX_ALIGNAS(64) double kff_vel[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double deadband[DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double integ[2][DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double dterm[2][DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double ed_prev[2][DX_PID_BANK_MAX];
	DX_ALIGNAS(64) double u_prev[2][DX_PID_BANK_MAX];
};

/** Initialises a bank of @p n controllers (1..DX_PID_BANK_MAX) from @p n
 *  configurations, each validated as by dx_pid_init().
 *  @return 0, DX_EINVAL (NULL, n out of range) or the first configuration's
 *  error. Not in the cycle (touches about 20 KiB). */
DX_API int dx_pid_bank_init(struct dx_pid_bank *bank,
			    const struct dx_pid_config *cfg, unsigned n);

/** Clears all states as dx_pid_reset(). Real-time safe. */
DX_API void dx_pid_bank_reset(struct dx_pid_bank *bank);

/** Steps all n controllers. Each array has bank->n elements; @p vel_ff and
 *  @p tau_ff may be NULL (zeros). @p out must not alias an input.
 *  @return 0, DX_EINVAL (NULL, dt <= 0), DX_ENOTFINITE (any non-finite
 *  input), DX_ERANGE (a non-finite result); on error state and @p out are
 *  unchanged. Real-time safe, O(n). */
DX_API int dx_pid_bank_step(struct dx_pid_bank *bank, double dt,
			    const double *ref, const double *meas,
			    const double *vel_ff, const double *tau_ff,
			    double *out);
/** @} */

/* ======================================================================== */
/** @name Trajectory generator
 *
 *  One joint. A new target is reached with one quintic polynomial segment
 *  starting from the current position, velocity and acceleration and ending
 *  at rest on the target (zero velocity and acceleration). Its duration T is
 *  the shortest for which the segment's exact peak |velocity|,
 *  |acceleration| and |jerk| are within the limits (a peak up to
 *  limit * (1 + 1e-9) passes). This is not the time-optimal jerk-limited
 *  profile (that has up to seven phases); a rest-to-rest quintic takes
 *  1.875 D/vmax at the velocity limit where a trapezoid would take
 *  D/vmax + vmax/amax.
 *
 *  From rest (v0 = a0 = 0) T is in closed form: the peaks of the normalised
 *  quintic are |v| 15/8 D/T, |a| 10/sqrt(3) D/T^2 and |j| 60 D/T^3, each
 *  falling with T, so T = max(15/8 D/vmax, sqrt(10/sqrt(3) D/amax),
 *  cbrt(60 D/jmax)), exact. From a moving state the feasible durations can
 *  form several intervals; the planner marches up from a lower bound in
 *  certified steps (every skipped duration is proven infeasible from the
 *  exact peaks) and converges quadratically onto the first feasible one.
 *  Guarantee: T is the shortest feasible duration to 1e-5 relative, except
 *  that at a peak grazing its limit a step of at most 1e-5 relative is taken
 *  unproven, so an interval of feasible durations narrower than that may be
 *  passed over. The planning cost is bounded: at most 24 evaluations of a
 *  segment's exact peaks per quintic (typically 2 to 5); should they run
 *  out (not seen in the tests' random states), a duration proven feasible
 *  by term-wise bounds is used instead, or the ramp below.
 *
 *  Replanning (a new target mid-motion) starts from the segment's own state
 *  at that instant, so position, velocity and acceleration are continuous.
 *  When the start state itself violates a limit (|v0| > vmax or
 *  |a0| > amax, or a velocity beyond vmax cannot be avoided) no duration
 *  can satisfy every limit; the planner then plans within the limits raised
 *  to the start's own excess (|v0|, |a0|, or the velocity the acceleration
 *  ramp below reaches) and reports DX_ELIMIT.
 *  @{ */

/** When no single quintic from the start state satisfies every limit
 *  (typically a reversal while still accelerating), the segment is preceded
 *  by a ramp at the jerk limit that brings the acceleration to zero; from
 *  zero acceleration and |v| <= vmax a feasible quintic always exists. The
 *  ramp keeps |v| and |a| within limits whenever the start state can stay
 *  within them at all. Overshoot of the target (and of pos_min/pos_max)
 *  during a reversal is not prevented here; the safety layer clamps
 *  commands.
 */

/** Limits and range of one joint. */
struct dx_traj_config {
	double vmax; /**< > 0, units/s */
	double amax; /**< > 0, units/s^2 */
	double jmax; /**< > 0, units/s^3 */
	double pos_min, pos_max; /**< targets outside are refused; may be +-INF */
};

/** Position, velocity and acceleration of a joint. */
struct dx_traj_state {
	double pos, vel, acc;
};

/** Trajectory generator state. Treat as opaque. */
struct dx_traj {
	struct dx_traj_config cfg;
	/* Up to two polynomial pieces: p(t) = sum coef[k][i] t^i with t in s
	 * since the piece's start; piece 0 (a jerk ramp bringing the
	 * acceleration to zero, possibly of zero length) then the quintic. */
	double coef[2][6];
	double dur[2];    /* s */
	double duration;  /* dur[0] + dur[1] */
	double target;
	int64_t t0_ns;
	bool moving;
};

/** Validates @p cfg and holds still at @p start (velocity and acceleration
 *  zero) from time 0.
 *  @return 0, DX_EINVAL (NULL, limit <= 0, pos_min > pos_max, start outside
 *  the range), DX_ENOTFINITE (NaN, or an infinite v/a/j limit or start).
 *  Real-time safe. */
DX_API int dx_traj_init(struct dx_traj *tr, const struct dx_traj_config *cfg,
			double start);

/** Plans from the trajectory's own state at @p now_ns to @p target.
 *  @return 0; DX_ERANGE (target outside [pos_min, pos_max], or so far
 *  from the start that the distance overflows a double),
 *  DX_ENOTFINITE, DX_ELIMIT (planned, but the start state is already beyond
 *  a limit, see above). On DX_ERANGE/DX_ENOTFINITE nothing changes.
 *  Real-time safe, bounded: from rest a closed form (about 0.06 us); from a
 *  moving state at most 24 evaluations of a segment's exact peaks per
 *  quintic, twice when the acceleration ramp is needed (each a quadratic
 *  and up to three cubic roots by a fixed number of Newton steps; 3 on
 *  average, at most 11 seen from states within the limits): about 0.5 us
 *  median and 1.1 us at the 99th percentile per joint on a shared 2-core
 *  x86-64 (bench-traj), so replanning every joint of a 22-joint hand in one
 *  cycle costs about 10 us. */
DX_API int dx_traj_set_target(struct dx_traj *tr, int64_t now_ns, double target);

/** Plans from an explicit state @p from (e.g. measured) at @p now_ns.
 *  Return codes as dx_traj_set_target(). */
DX_API int dx_traj_plan(struct dx_traj *tr, int64_t now_ns,
			const struct dx_traj_state *from, double target);

/** Samples the trajectory at @p t_ns (before the segment's start: its start
 *  state; after its end: at rest on the target). Real-time safe, O(1).
 *  NULL @p tr or @p out: nothing happens. */
DX_API void dx_traj_sample(const struct dx_traj *tr, int64_t t_ns,
			   struct dx_traj_state *out);

/** Duration of the current segment in s (0 when holding still). */
DX_API double dx_traj_duration(const struct dx_traj *tr);

/** True when @p t_ns is at or after the end of the current segment. */
DX_API bool dx_traj_done(const struct dx_traj *tr, int64_t t_ns);
/** @} */

/* ======================================================================== */
/** @name Transmission
 *
 *  Convention, with q the N joint positions and theta the M actuator
 *  (motor shaft) positions:
 *
 *      s     = C q                   C: M x N coupling, row-major
 *      theta = G s + z               G = diag(direction_i * gear_ratio_i),
 *                                    z = zero offsets (motor units)
 *      thetadot = G C qdot
 *      tau_joint = C^T G tau_act     (from equal power: tau_j.qdot =
 *                                    tau_a.thetadot for every qdot)
 *
 *  The inverse directions use a right or left inverse P (N x M) of C:
 *  - M == N: P = C^-1, everything is exact both ways.
 *  - M <  N (under-actuated: fewer actuators than joints): P defaults to the
 *    minimum-norm pseudo-inverse C^T (C C^T)^-1 (needs rank M), or a
 *    user-given fixed coupling-ratio matrix with C P = I. Exact:
 *    actuator -> joint -> actuator, and tau_joint -> tau_act for torques
 *    that the actuators can produce (tau_j in the range of C^T). Joint
 *    positions off the coupled manifold (q not equal to P C q) are not
 *    reproduced: their component in the null space of C is lost.
 *  - M >  N (more actuators than joints, e.g. antagonistic tendons):
 *    P defaults to the left inverse (C^T C)^-1 C^T (needs rank N), or a
 *    user-given matrix with P C = I. Exact: joint -> actuator -> joint;
 *    tau_act = G^-1 P^T tau_j is the minimum-norm actuator torque (no
 *    tendon tension positivity is enforced here).
 *  Joint -> actuator torque is tau_act = G^-1 P^T tau_joint in every case,
 *  which makes the power equal on both sides for joint velocities consistent
 *  with the coupling (qdot = P thetadot').
 *  @{ */

/** Maximum joints / actuators of one transmission. */
#define DX_TRANS_MAX 32

/** Transmission configuration. Arrays are read at init only. */
struct dx_trans_config {
	unsigned n_joints;    /**< N, 1..DX_TRANS_MAX */
	unsigned n_actuators; /**< M, 1..DX_TRANS_MAX */
	const double *gear_ratio;  /**< M motor turns per output turn, > 0 */
	const int *direction;      /**< M, +1 or -1; NULL: all +1 */
	const double *zero_offset; /**< M, motor units at s = 0; NULL: zeros */
	/** M x N coupling, row-major; NULL: identity (needs M == N) */
	const double *coupling;
	/** declared shape of @ref coupling, must equal M x N when given */
	unsigned coupling_rows, coupling_cols;
	/** optional N x M inverse coupling (fixed coupling ratios); NULL: the
	 *  pseudo-inverse described above */
	const double *inverse;
	unsigned inverse_rows, inverse_cols; /**< must equal N x M when given */
};

/** Transmission: matrices stored at init. Treat as opaque. */
struct dx_trans {
	unsigned n, m;
	double c[DX_TRANS_MAX * DX_TRANS_MAX];  /* M x N */
	double p[DX_TRANS_MAX * DX_TRANS_MAX];  /* N x M */
	double g[DX_TRANS_MAX];                 /* direction * ratio */
	double z[DX_TRANS_MAX];
	bool diag; /* M == N, C and P diagonal: the products are elementwise */
};

/** Validates @p cfg and computes the inverse coupling.
 *  @return 0; DX_EINVAL (NULL arrays that are required, counts out of range,
 *  ratio <= 0, direction not +-1); DX_ECONFIG (coupling or inverse shape
 *  does not match N and M, identity coupling with M != N, a given inverse
 *  with C P != I or P C != I beyond 1e-9); DX_ENOTFINITE (any non-finite
 *  entry); DX_ESINGULAR (coupling rank below min(M, N), relative pivot
 *  tolerance 1e-10). @p tr is untouched on error. Not for the cycle (O(32^3)
 *  work). */
DX_API int dx_trans_init(struct dx_trans *tr, const struct dx_trans_config *cfg);

/* The six mapping functions below: inputs are read in full before the
 * output is written, so input and output may not alias but a failed call
 * leaves the output untouched. Each returns 0; DX_EINVAL (NULL);
 * DX_ENOTFINITE (a non-finite input); DX_ERANGE (finite input so large the
 * result is not finite). Real-time safe, O(N M). */

/** q (N, rad or m) -> theta (M, motor units) = G C q + z. */
DX_API int dx_trans_joint_to_act_pos(const struct dx_trans *tr,
				     const double *q, double *theta);
/** theta (M) -> q (N) = P G^-1 (theta - z). */
DX_API int dx_trans_act_to_joint_pos(const struct dx_trans *tr,
				     const double *theta, double *q);
/** qdot (N) -> thetadot (M) = G C qdot. */
DX_API int dx_trans_joint_to_act_vel(const struct dx_trans *tr,
				     const double *qd, double *thetad);
/** thetadot (M) -> qdot (N) = P G^-1 thetadot. */
DX_API int dx_trans_act_to_joint_vel(const struct dx_trans *tr,
				     const double *thetad, double *qd);
/** tau_joint (N) -> tau_act (M) = G^-1 P^T tau_joint. */
DX_API int dx_trans_joint_to_act_torque(const struct dx_trans *tr,
					const double *tau_j, double *tau_a);
/** tau_act (M) -> tau_joint (N) = C^T G tau_act. */
DX_API int dx_trans_act_to_joint_torque(const struct dx_trans *tr,
					const double *tau_a, double *tau_j);
/** @} */

DX_END_DECLS

#endif
