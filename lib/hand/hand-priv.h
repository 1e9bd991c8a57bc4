/* SPDX-License-Identifier: MIT */
/* Private declarations of the hand module. */
#ifndef DEXRT_HAND_PRIV_H
#define DEXRT_HAND_PRIV_H

#include <pthread.h>

#include <dexrt/can.h>
#include <dexrt/ctl.h>
#include <dexrt/drive.h>
#include <dexrt/hand.h>
#include <dexrt/kin.h>
#include <dexrt/tactile.h>

/* Reports an error found after loading (at hand init) with the file, the
 * line of @p field in the YAML source, and the message; logs it and returns
 * @p code. */
int dx__hand_config_fail(const struct dx_hand_config *cfg,
			 struct dx_hand_config_error *err, int code,
			 const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define HAND_MAX_BUSES 16
#define HAND_MAX_ACT DX_TRANS_MAX
#define HAND_MAX_PADS 16
#define HAND_MAX_PADS_PER_BUS 8

/* Where each joint's reference comes from. */
enum hand_ref_src {
	REF_HOLD = 0, /* fixed q_ref */
	REF_TRAJ,     /* trajectory generator */
	REF_IK,       /* fingertip target through IK, rate limited */
	REF_GRASP,    /* grasp state machine */
};

enum grasp_phase {
	GRASP_IDLE = 0,
	GRASP_CLOSING,
	GRASP_HOLDING,
	GRASP_RELEASING,
};

struct hand_bus {
	struct dx_can *can;
	struct dx_drive_bus drv;
	struct dx_exchange_result res;
	struct dx_tactile_pad *pads[HAND_MAX_PADS_PER_BUS];
	unsigned npads;
	struct dx_tactile_rx_stats pad_rx;
	int64_t deadline_ns;  /* reply deadline of the last write */
	bool sent;            /* a write is waiting for its replies */
	bool bus_off;
	struct dx_hand_bus_report report;
	struct dx_can_frame req[HAND_MAX_PADS_PER_BUS];
	const struct dx_can_frame *tx; /* dx__hand_encode(): this bus's batch */
	unsigned ntx;
};

struct hand_act {
	unsigned bus, dev;
	double pos_lo, pos_hi;   /* drive output position limits */
	double vel_max, tau_max, temp_max;
};

struct hand_pad {
	struct dx_tactile_pad *pad;
	struct dx_kin_chain *chain; /* root -> pad link (NULL on the root) */
	int link;                /* model link index */
	int tip;                 /* fingertip index, -1 when none */
	struct dx_tactile_result res;
};

struct hand_tip {
	const char *name;
	int link;
	const struct dx_kin_chain *chain;
	unsigned nj;                          /* hand joints of the finger */
	unsigned joint[DX_FUSION_MAX_JOINTS]; /* their hand indices */
	unsigned chain_pos[DX_FUSION_MAX_JOINTS]; /* position in the chain */
	int pad;                              /* hand_pad index or -1 */
	/* grasp */
	enum grasp_phase phase;
	double force_target, force_max;
	double force;                         /* fused contact force, N */
	bool contact, slip;
	unsigned slip_cooldown;
	unsigned touch_cycles;
	double target[3];                     /* IK target (hand frame) */
	bool ik_active;
};

/* Trajectory plans per cycle: a plan from a moving state costs about
 * 0.5 us (median, 1.1 us p99; bench-traj), so a retarget of every joint is
 * spread over a few cycles; the joints not planned yet keep their
 * reference until then. */
#define HAND_PLANS_PER_CYCLE 8

struct dx_hand {
	const struct dx_hand_config *cfg;
	pthread_t rt_thread;       /* the cycle's thread, once bound */
	bool rt_bound;
	struct dx_kin_model *model;
	unsigned nj, na, nb, np, ntips, nvars;
	double period_s;
	int64_t deadline_ns;       /* reply deadline offset */

	/* joints */
	const char *jname[DX_HAND_MAX_JOINTS];
	int var[DX_HAND_MAX_JOINTS];             /* model variable */
	enum dx_joint_mode mode[DX_HAND_MAX_JOINTS];
	double lo[DX_HAND_MAX_JOINTS], hi[DX_HAND_MAX_JOINTS];
	double vmax[DX_HAND_MAX_JOINTS], taumax[DX_HAND_MAX_JOINTS];
	double home[DX_HAND_MAX_JOINTS], close[DX_HAND_MAX_JOINTS];
	double imp_kp[DX_HAND_MAX_JOINTS], imp_kd[DX_HAND_MAX_JOINTS];
	int tip_of[DX_HAND_MAX_JOINTS];          /* finger or -1 */
	struct dx_hand_joint_state js[DX_HAND_MAX_JOINTS];
	bool primed[DX_HAND_MAX_JOINTS]; /* first feedback seen */
	enum hand_ref_src src[DX_HAND_MAX_JOINTS];
	double q_hold[DX_HAND_MAX_JOINTS];
	/* joint targets waiting for their trajectory (at most
	 * HAND_PLANS_PER_CYCLE are planned per cycle) */
	double plan_q[DX_HAND_MAX_JOINTS];
	uint32_t plan_mask;
	unsigned plan_next;
	struct dx_traj traj[DX_HAND_MAX_JOINTS];
	struct dx_pid_bank pid;
	bool pid_primed;

	/* actuators */
	struct hand_act act[HAND_MAX_ACT];
	struct dx_trans trans;
	/* incidence of the coupling (built at init, so the cycle does not scan
	 * the whole matrix): actuators of each joint, joints of each actuator */
	uint8_t j_nact[DX_HAND_MAX_JOINTS], j_act[DX_HAND_MAX_JOINTS][HAND_MAX_ACT];
	uint8_t a_nj[HAND_MAX_ACT], a_joint[HAND_MAX_ACT][DX_HAND_MAX_JOINTS];
	double a_pos[HAND_MAX_ACT], a_vel[HAND_MAX_ACT], a_tau[HAND_MAX_ACT];
	double a_cmd_tau[HAND_MAX_ACT], a_cmd_pos[HAND_MAX_ACT];
	double a_cmd_vel[HAND_MAX_ACT];
	bool disabled;             /* all drives disabled on command */

	/* buses and pads */
	struct hand_bus *bus;
	struct hand_pad pad[HAND_MAX_PADS];

	/* kinematics */
	struct dx_kin_ik *ik;
	struct hand_tip tip[DX_HAND_MAX_TIPS];
	const char *tip_names[DX_HAND_MAX_TIPS];
	double *q_model, *q_ik;     /* nvars: measured posture, IK answer */
	double *q_seed;             /* nvars: IK seed */
	struct dx_kin_pose *link_pose; /* nlinks */
	struct dx_fusion fusion;

	/* gravity compensation: per joint, the links it carries */
	double gravity[3];
	bool gravity_on;
	int gjoint[DX_HAND_MAX_JOINTS];      /* model joint of hand joint j */
	unsigned *gl_start;                  /* nj + 1 offsets into gl_link */
	int *gl_link;                        /* links with mass */
	double tau_g[DX_HAND_MAX_JOINTS];

	/* scratch for the cycle (sized at init) */
	double ref[DX_HAND_MAX_JOINTS], meas[DX_HAND_MAX_JOINTS];
	double vff[DX_HAND_MAX_JOINTS], tau_out[DX_HAND_MAX_JOINTS];

	/* threads */
	struct dx_ring targets, telemetry, faults;

	uint64_t cycle;
	int64_t last_update_ns;
	struct dx_hand_stats stats;
	struct dx_hist update_hist;
};

/* hand.c: the cycle without I/O, for measuring its computation (bench/
 * bench-cycle.c) and for callers that move frames themselves.
 * dx__hand_deliver() is dx_hand_read() with the frames each bus received
 * given as arrays (@p frames[b], @p counts[b] for every bus b; drive
 * replies and pad frames together); dx__hand_encode() is dx_hand_write()
 * up to the send: commands, pad requests and each bus's batch, left in
 * bus[b].tx / bus[b].ntx. Neither makes a system call. */
int dx__hand_deliver(struct dx_hand *h, const struct dx_can_frame *const *frames,
		     const size_t *counts, int64_t now_ns);
int dx__hand_encode(struct dx_hand *h, int64_t now_ns);

/* hand.c: the stages of dx_hand_update(), in its order:
 *   t0 = dx_time_now_ns(); dt = dx__hand_update_targets();
 *   dx__hand_update_tactile(); dx__hand_update_ik();
 *   rc = dx__hand_update_control(); dx__hand_update_finish(t0).
 * Targets: dt and the targets ring; tactile: pad pipelines, fusion and
 * grasp state machines; ik: the warm fingertip solve; control: references,
 * safety supervisor, PID bank, torque limits; finish: update statistics
 * and telemetry. */
double dx__hand_update_targets(struct dx_hand *h, int64_t now_ns);
void dx__hand_update_tactile(struct dx_hand *h, int64_t now_ns, double dt);
void dx__hand_update_ik(struct dx_hand *h, double dt);
int dx__hand_update_control(struct dx_hand *h, int64_t now_ns, double dt);
void dx__hand_update_finish(struct dx_hand *h, int64_t now_ns, int64_t t0);

/* safety.c */
void dx__hand_safety(struct dx_hand *h, int64_t now_ns);
/* Bit rates of a bus whose frames take real time on the wire and whose
 * receive stamps are arrival times (simbus; socketcan on a controller with
 * a bit timing), else 0 (vcan, none): the exchange's early-reply check. */
void dx__hand_bus_timing(struct dx_can *can, uint32_t *br, uint32_t *dbr);
void dx__hand_fault(struct dx_hand *h, int64_t now_ns, int joint, int act,
		    enum dx_hand_reaction r, enum dx_hand_cause c, double v);
void dx__hand_react(struct dx_hand *h, int64_t now_ns, unsigned j,
		    enum dx_hand_reaction r, enum dx_hand_cause c, double v);

/* Gives joint @p j's reference to @p src; a joint target still waiting
 * for its trajectory is dropped (the later command wins). */
static inline void dx__hand_set_src(struct dx_hand *h, unsigned j,
				    enum hand_ref_src src)
{
	h->src[j] = src;
	h->plan_mask &= ~(UINT32_C(1) << j);
}

/* hand.c: whether pad @p p delivers data (tared and running) */
bool dx__hand_pad_running(const struct dx_hand *h, int p);

/* grasp.c */
void dx__hand_grasp_start(struct dx_hand *h, int64_t now_ns, enum dx_grasp g,
			  double force);
void dx__hand_grasp_step(struct dx_hand *h, int64_t now_ns, double dt);

#endif
