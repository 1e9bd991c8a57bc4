/* SPDX-License-Identifier: MIT */
/* One-joint position controller: a jerk-limited trajectory feeds a PID
 * (derivative on measurement, back-calculation anti-windup, torque limit)
 * whose joint torque goes through a 10:1 transmission to a motor. The motor
 * is a small model in this file (rotor inertia, viscous and Coulomb
 * friction, torque limit); the controller only sees the motor angle, as it
 * would from a drive's feedback, and maps it to the joint through the
 * transmission. Prints the step response and its figures.
 *
 *   one-joint [TARGET_RAD] [--realtime] [--step]
 *
 * --step     PID on the raw step, without the trajectory generator
 * --realtime pace the 1 kHz loop with the dexrt loop runner (absolute
 *            deadlines) instead of running as fast as possible
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/dexrt.h>

#define PERIOD_NS DX_NS_PER_MS
#define RUN_S 1.0
/* load 0.02 kg m^2 plus the rotor 5e-5 kg m^2 reflected through 10:1 */
#define JOINT_INERTIA (0.02 + 5e-5 * 100.0)

/* Motor side of the model: J_m thetadd = tau_m - B_m thetad - friction.
 * The joint's load inertia (0.02 kg m^2) is reflected through the 10:1 gear
 * as 0.02 / 100 onto the rotor. */
struct motor {
	double theta, thetad;
};

static void motor_step(struct motor *m, double tau_m, double h)
{
	const double j = 5e-5 + 0.02 / 100.0, b = 1e-4, fc = 2e-3;
	const double tau_max = 0.5; /* drive's own current limit, N m */
	const int sub = 10;

	tau_m = fmax(-tau_max, fmin(tau_max, tau_m));
	for (int i = 0; i < sub; i++) {
		double f = m->thetad > 0 ? -fc : m->thetad < 0 ? fc : 0.0;

		if (m->thetad == 0.0 && fabs(tau_m) <= fc)
			f = -tau_m;
		m->thetad += h / sub * (tau_m - b * m->thetad + f) / j;
		m->theta += h / sub * m->thetad;
	}
}

struct ctx {
	struct dx_pid pid;
	struct dx_traj traj;
	struct dx_trans trans;
	struct motor motor;
	double target;
	bool use_traj;
	int64_t t0_ns;
	double peak, settle, last_q, last_tau;
	int k;
};

/* One control cycle at time t_ns: measure, plan, control, actuate. */
static int cycle(struct ctx *c, int64_t t_ns)
{
	const double h = (double)PERIOD_NS * 1e-9;
	struct dx_traj_state ref = {c->target, 0.0, 0.0};
	struct dx_pid_in in;
	double q, qd, tau_j, tau_m;
	int err;

	dx_trans_act_to_joint_pos(&c->trans, &c->motor.theta, &q);
	dx_trans_act_to_joint_vel(&c->trans, &c->motor.thetad, &qd);
	if (c->use_traj)
		dx_traj_sample(&c->traj, t_ns, &ref);
	in.ref = ref.pos;
	in.meas = q;
	in.vel_ff = ref.vel;
	in.tau_ff = JOINT_INERTIA * ref.acc; /* inertia feed-forward */
	err = dx_pid_step(&c->pid, h, &in, &tau_j);
	if (err)
		return err;
	dx_trans_joint_to_act_torque(&c->trans, &tau_j, &tau_m);
	motor_step(&c->motor, tau_m, h);

	if (c->k % 20 == 0)
		printf("%6.3f  %9.5f  %9.5f  %9.4f  %8.4f\n",
		       (double)(t_ns - c->t0_ns) * 1e-9, ref.pos, q, qd, tau_j);
	c->peak = fmax(c->peak, c->target >= 0 ? q - c->target : c->target - q);
	if (fabs(q - c->target) > 0.02 * fabs(c->target))
		c->settle = (double)(t_ns - c->t0_ns) * 1e-9 + h;
	c->last_q = q;
	c->last_tau = tau_j;
	c->k++;
	return 0;
}

static int rt_cycle(const struct dx_rt_tick *t, void *ud)
{
	return cycle(ud, t->deadline_ns);
}

int main(int argc, char **argv)
{
	static struct ctx c;
	struct dx_pid_config pc;
	struct dx_traj_config tc = {4.0, 40.0, 800.0, -2.0, 2.0};
	const double ratio = 10.0;
	struct dx_trans_config xc = {
		.n_joints = 1, .n_actuators = 1, .gear_ratio = &ratio,
	};
	bool realtime = false;
	int err;

	c.target = 1.0;
	c.peak = -INFINITY;
	c.use_traj = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--realtime") == 0) {
			realtime = true;
		} else if (strcmp(argv[i], "--step") == 0) {
			c.use_traj = false;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: one-joint [TARGET_RAD] [--realtime] [--step]\n");
			return 0;
		} else {
			char *end;

			c.target = strtod(argv[i], &end);
			if (*end || !dx_isfinite(c.target)) {
				fprintf(stderr, "one-joint: bad target '%s'\n", argv[i]);
				return 2;
			}
		}
	}

	/* Gains in joint units (N m per rad): the joint sees the load plus the
	 * rotor reflected through the gear, 0.02 + 5e-5 * 100 = 0.025 kg m^2. */
	dx_pid_config_default(&pc);
	pc.kp = 60.0;
	pc.ki = 150.0;
	pc.kd = 2.0;
	pc.tf = 0.002;
	pc.kff_vel = 1e-4 * ratio * ratio; /* motor viscous friction at the joint */
	/* Following a smooth trajectory, the derivative acts on the error so
	 * it does not brake the planned motion (on the measurement it would
	 * cost a lag of kd v / kp); on a raw step it acts on the measurement
	 * to avoid the derivative kick. */
	pc.deriv = c.use_traj ? DX_PID_D_ON_ERROR : DX_PID_D_ON_MEASUREMENT;
	pc.antiwindup = DX_PID_AW_BACKCALC;
	pc.tt = 0.0; /* sqrt(Ti Td) = sqrt(0.4 * 0.033) = 0.115 s */
	pc.out_min = -4.0; /* joint torque limit: 0.4 N m at the motor x 10 */
	pc.out_max = 4.0;
	if ((err = dx_pid_init(&c.pid, &pc)) || (err = dx_trans_init(&c.trans, &xc)) ||
	    (err = dx_traj_init(&c.traj, &tc, 0.0))) {
		fprintf(stderr, "one-joint: init: %s\n", dx_strerror(err));
		return 1;
	}
	/* the trajectory starts at the first cycle (0, or the first deadline) */
	c.t0_ns = realtime ? dx_time_now_ns() + 10 * PERIOD_NS : 0;
	err = dx_traj_set_target(&c.traj, c.t0_ns, c.target);
	if (err) {
		fprintf(stderr, "one-joint: target %g: %s\n", c.target, dx_strerror(err));
		return 1;
	}

	printf("# one joint, 10:1 gear, |tau| <= 4 N m, %s to %.3f rad\n",
	       c.use_traj ? "trajectory" : "step", c.target);
	printf("#  t s    ref rad     q rad    qd rad/s   tau N m\n");
	if (realtime) {
		struct dx_rt_loop loop;
		struct dx_rt_loop_config lc = {PERIOD_NS, c.t0_ns, DX_RT_SKIP, 0};

		dx_rt_loop_init(&loop, &lc);
		err = dx_rt_loop_run(&loop, (uint64_t)(RUN_S * 1e3), rt_cycle, &c);
		printf("# loop: %llu cycles, %llu overruns, wake-up latency p99 %lld us\n",
		       (unsigned long long)loop.cycles,
		       (unsigned long long)loop.overruns,
		       (long long)dx_hist_quantile(&loop.latency, 0.99) / 1000);
	} else {
		err = 0;
		for (int64_t t = 0; !err && t < (int64_t)(RUN_S * 1e9); t += PERIOD_NS)
			err = cycle(&c, t);
	}
	if (err) {
		fprintf(stderr, "one-joint: cycle: %s\n", dx_strerror(err));
		return 1;
	}
	printf("# trajectory duration %.3f s, final %.5f rad, overshoot %.2f %%, "
	       "2%% settling %.3f s\n",
	       c.use_traj ? dx_traj_duration(&c.traj) : 0.0, c.last_q,
	       c.target != 0.0 ? 100.0 * fmax(0.0, c.peak) / fabs(c.target) : 0.0,
	       c.settle);
	return 0;
}
