/* SPDX-License-Identifier: MIT */
/* The DDS bridge: hand telemetry and faults out, joint and grasp commands
 * in, as ROS 2 messages over Eclipse Cyclone DDS. Runs on its own thread;
 * only the rings connect it to the real-time cycle. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dds/dds.h>

#include <dexrt/bridge.h>

#include "diagnostic_msgs.h"
#include "dexrt_msgs.h"
#include "geometry_msgs.h"
#include "sensor_msgs.h"
#include "trajectory_msgs.h"

#define NTOPICS 5
#define TAKE_MAX 8
#define DIAG_VALUES 6
#define WHY_MAX 160

struct dx_bridge {
	struct dx_hand *hand;
	const struct dx_hand_config *cfg;
	struct dx_bridge_config bc;
	char ns[DX_BRIDGE_NS_MAX];
	char topic[NTOPICS][DX_BRIDGE_NS_MAX + 32];
	char frame_id[64];
	char hw_id[64];
	char wr_topic[DX_HAND_MAX_TIPS][DX_BRIDGE_NS_MAX + 80];
	char root[64];  /* wrenches' header.frame_id */
	unsigned ntips;

	unsigned nj;
	const char *names[DX_HAND_MAX_JOINTS];
	double lo[DX_HAND_MAX_JOINTS], hi[DX_HAND_MAX_JOINTS];
	bool have_limits[DX_HAND_MAX_JOINTS];

	dds_entity_t pp, w_js, w_diag, r_cmd, r_grasp, r_traj, ws;
	dds_entity_t w_wr[DX_HAND_MAX_TIPS];

	/* the joint trajectory being played: point k goes to the hand at
	 * t0 + at[k] (CLOCK_MONOTONIC ns) */
	struct {
		unsigned n, next;
		int64_t t0;
		int64_t at[DX_BRIDGE_TRAJ_MAX_POINTS];
		struct dx_hand_target tg[DX_BRIDGE_TRAJ_MAX_POINTS];
	} traj, traj_in;

	/* preallocated message buffers: nothing grows while running */
	double pos[DX_HAND_MAX_JOINTS], vel[DX_HAND_MAX_JOINTS];
	double eff[DX_HAND_MAX_JOINTS];
	diagnostic_msgs_msg_dds__KeyValue_ kv[DIAG_VALUES];
	char kv_val[DIAG_VALUES][48];
	char diag_name[DX_BRIDGE_NS_MAX + 32];
	char diag_msg[WHY_MAX + 64];

	uint64_t samples;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	_Atomic uint64_t st[9];
};

enum { S_TEL, S_JS, S_DIAG, S_FAULT, S_OK, S_REJ, S_FULL, S_WERR, S_WR };

static void count(struct dx_bridge *b, int k)
{
	atomic_fetch_add_explicit(&b->st[k], 1, memory_order_relaxed);
}

static void why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static bool ns_ok(const char *ns)
{
	size_t n = strlen(ns);

	if (n >= DX_BRIDGE_NS_MAX || ns[0] == '/' || (n && ns[n - 1] == '/'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = ns[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '_';
		if (!alnum && !(c == '/' && ns[i + 1] != '/'))
			return false;
	}
	/* ROS 2 names may not start with a digit */
	return !(ns[0] >= '0' && ns[0] <= '9');
}

/* ROS stamps are wall-clock time; the telemetry's is CLOCK_MONOTONIC. */
static void stamp_of(int64_t mono_ns, builtin_interfaces_msg_dds__Time_ *t)
{
	struct timespec r, m;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	ns = mono_ns + ((int64_t)r.tv_sec - (int64_t)m.tv_sec) * 1000000000LL +
	     ((int64_t)r.tv_nsec - (int64_t)m.tv_nsec);
	if (ns < 0)
		ns = 0;
	t->sec = (int32_t)(ns / 1000000000LL);
	t->nanosec = (uint32_t)(ns % 1000000000LL);
}

static int64_t mono_now(void)
{
	struct timespec m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	return (int64_t)m.tv_sec * 1000000000LL + m.tv_nsec;
}

/* ---- diagnostics ---------------------------------------------------------- */

static void publish_status(struct dx_bridge *b, uint8_t level, const char *name,
			   const char *msg, const char *const *keys,
			   unsigned nkv, int64_t t_ns)
{
	diagnostic_msgs_msg_dds__DiagnosticArray_ a;
	diagnostic_msgs_msg_dds__DiagnosticStatus_ s;

	if (!b->w_diag)
		return;
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	stamp_of(t_ns, &a.header.stamp);
	a.header.frame_id = b->frame_id;
	s.level = level;
	s.name = (char *)name;
	s.message = (char *)msg;
	s.hardware_id = b->hw_id;
	for (unsigned i = 0; i < nkv && i < DIAG_VALUES; i++) {
		b->kv[i].key = (char *)keys[i];
		b->kv[i].value = b->kv_val[i];
	}
	s.values._buffer = b->kv;
	s.values._length = s.values._maximum = nkv;
	a.status._buffer = &s;
	a.status._length = a.status._maximum = 1;
	if (dds_write(b->w_diag, &a) < 0)
		count(b, S_WERR);
	else
		count(b, S_DIAG);
}

static void reject(struct dx_bridge *b, const char *topic, int rc,
		   const char *why)
{
	static const char *const keys[] = {"topic", "code"};

	count(b, S_REJ);
	snprintf(b->diag_name, sizeof(b->diag_name), "%s%sbridge/command",
		 b->ns, b->ns[0] ? "/" : "");
	snprintf(b->diag_msg, sizeof(b->diag_msg), "command rejected: %s", why);
	snprintf(b->kv_val[0], sizeof(b->kv_val[0]), "%s", topic);
	snprintf(b->kv_val[1], sizeof(b->kv_val[1]), "%s", dx_strerror(rc));
	publish_status(b, diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_ERROR,
		       b->diag_name, b->diag_msg, keys, 2, mono_now());
}

static void publish_fault(struct dx_bridge *b, const struct dx_hand_fault *f)
{
	static const char *const keys[] = {"cycle", "reaction", "cause",
					   "value", "actuator"};
	uint8_t level;

	if (f->reaction == DX_REACT_NONE)
		level = diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_OK;
	else if (f->reaction <= DX_REACT_HOLD)
		level = diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_WARN;
	else
		level = diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_ERROR;
	if (f->joint >= 0 && (unsigned)f->joint < b->nj)
		snprintf(b->diag_name, sizeof(b->diag_name), "%s%sjoint/%s",
			 b->ns, b->ns[0] ? "/" : "", b->names[f->joint]);
	else
		snprintf(b->diag_name, sizeof(b->diag_name), "%s%shand", b->ns,
			 b->ns[0] ? "/" : "");
	snprintf(b->diag_msg, sizeof(b->diag_msg), "%s: %s",
		 dx_hand_reaction_name(f->reaction),
		 dx_hand_cause_name(f->cause));
	snprintf(b->kv_val[0], sizeof(b->kv_val[0]), "%llu",
		 (unsigned long long)f->cycle);
	snprintf(b->kv_val[1], sizeof(b->kv_val[1]), "%s",
		 dx_hand_reaction_name(f->reaction));
	snprintf(b->kv_val[2], sizeof(b->kv_val[2]), "%s",
		 dx_hand_cause_name(f->cause));
	snprintf(b->kv_val[3], sizeof(b->kv_val[3]), "%.9g", f->value);
	snprintf(b->kv_val[4], sizeof(b->kv_val[4]), "%d", f->actuator);
	publish_status(b, level, b->diag_name, b->diag_msg, keys, 5, f->t_ns);
}

static void publish_bridge_status(struct dx_bridge *b, int64_t t_ns)
{
	static const char *const keys[] = {"telemetry", "joint_states",
					   "commands_accepted",
					   "commands_rejected", "faults"};
	struct dx_bridge_stats st;

	dx_bridge_get_stats(b, &st);
	snprintf(b->diag_name, sizeof(b->diag_name), "%s%sbridge", b->ns,
		 b->ns[0] ? "/" : "");
	snprintf(b->kv_val[0], sizeof(b->kv_val[0]), "%llu",
		 (unsigned long long)st.telemetry);
	snprintf(b->kv_val[1], sizeof(b->kv_val[1]), "%llu",
		 (unsigned long long)st.joint_states);
	snprintf(b->kv_val[2], sizeof(b->kv_val[2]), "%llu",
		 (unsigned long long)st.commands_accepted);
	snprintf(b->kv_val[3], sizeof(b->kv_val[3]), "%llu",
		 (unsigned long long)st.commands_rejected);
	snprintf(b->kv_val[4], sizeof(b->kv_val[4]), "%llu",
		 (unsigned long long)st.faults);
	publish_status(b, diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_OK,
		       b->diag_name, "running", keys, 5, t_ns);
}

/* ---- checks --------------------------------------------------------------- */

static int find_name(const struct dx_bridge *b, const char *name)
{
	for (unsigned j = 0; j < b->nj; j++)
		if (strcmp(b->names[j], name) == 0)
			return (int)j;
	return -1;
}

int dx_bridge_check_joint_command(const struct dx_bridge *b,
				  const char *const *names, unsigned n_names,
				  const double *pos, unsigned n_pos,
				  unsigned n_vel, const double *vel,
				  unsigned n_eff, const double *eff,
				  struct dx_hand_target *out, char *why,
				  size_t why_len)
{
	uint32_t mask = 0;

	if (!b || !out || (n_names && (!names || !pos))) {
		why_set(why, why_len, "missing argument");
		return DX_EINVAL;
	}
	if (n_names == 0 || n_names > b->nj) {
		why_set(why, why_len, "%u joint names, expected 1 to %u",
			n_names, b->nj);
		return DX_EINVAL;
	}
	if (n_pos != n_names) {
		why_set(why, why_len, "%u names but %u positions", n_names,
			n_pos);
		return DX_EINVAL;
	}
	if ((n_vel && n_vel != n_names) || (n_eff && n_eff != n_names) ||
	    (n_vel && !vel) || (n_eff && !eff)) {
		why_set(why, why_len,
			"%u names but %u velocities and %u efforts "
			"(each must be empty or of the same length)",
			n_names, n_vel, n_eff);
		return DX_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->kind = DX_TARGET_JOINTS;
	for (unsigned i = 0; i < n_names; i++) {
		int j = names[i] ? find_name(b, names[i]) : -1;

		if (j < 0) {
			why_set(why, why_len, "unknown joint '%s'",
				names[i] ? names[i] : "(null)");
			return DX_ENOENT;
		}
		if (mask & (1u << j)) {
			why_set(why, why_len, "joint '%s' given twice",
				names[i]);
			return DX_EINVAL;
		}
		if (!isfinite(pos[i]) || (n_vel && !isfinite(vel[i])) ||
		    (n_eff && !isfinite(eff[i]))) {
			why_set(why, why_len, "non-finite value for joint '%s'",
				names[i]);
			return DX_ENOTFINITE;
		}
		if (!b->have_limits[j]) {
			why_set(why, why_len,
				"joint '%s' has no actuator limits to check against",
				names[i]);
			return DX_ENOTSUP;
		}
		if (pos[i] < b->lo[j] || pos[i] > b->hi[j]) {
			why_set(why, why_len,
				"joint '%s' position %.6g rad outside [%.6g, %.6g]",
				names[i], pos[i], b->lo[j], b->hi[j]);
			return DX_ERANGE;
		}
		mask |= 1u << j;
		out->q[j] = pos[i];
	}
	out->mask = mask;
	return 0;
}

int dx_bridge_check_grasp_command(const struct dx_bridge *b, unsigned grasp,
				  double force, struct dx_hand_target *out,
				  char *why, size_t why_len)
{
	if (!b || !out) {
		why_set(why, why_len, "missing argument");
		return DX_EINVAL;
	}
	if (grasp > DX_GRASP_TRIPOD) {
		why_set(why, why_len, "unknown grasp %u (0 release, 1 power, "
			"2 pinch, 3 tripod)", grasp);
		return DX_EINVAL;
	}
	if (!isfinite(force)) {
		why_set(why, why_len, "non-finite grip force");
		return DX_ENOTFINITE;
	}
	if (force < 0.0 || force > b->bc.max_grip_force) {
		why_set(why, why_len, "grip force %.6g N outside [0, %.6g]",
			force, b->bc.max_grip_force);
		return DX_ERANGE;
	}
	memset(out, 0, sizeof(*out));
	out->kind = DX_TARGET_GRASP;
	out->grasp = (enum dx_grasp)grasp;
	out->force = force;
	return 0;
}

/* ---- one iteration -------------------------------------------------------- */

static void send_target(struct dx_bridge *b, const char *topic,
			const struct dx_hand_target *t)
{
	int rc = dx_hand_send(b->hand, t);

	if (rc == 0) {
		count(b, S_OK);
	} else if (rc == DX_ENOBUFS) {
		static const char *const keys[] = {"topic"};

		count(b, S_FULL);
		snprintf(b->kv_val[0], sizeof(b->kv_val[0]), "%s", topic);
		publish_status(b,
			       diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_WARN,
			       "bridge/command", "targets ring full, command dropped",
			       keys, 1, mono_now());
	} else {
		reject(b, topic, rc, "refused by the hand");
	}
}

static void take_joint_commands(struct dx_bridge *b)
{
	void *smp[TAKE_MAX] = {NULL};
	dds_sample_info_t info[TAKE_MAX];
	int n = dds_take(b->r_cmd, smp, info, TAKE_MAX, TAKE_MAX);
	const char *topic = b->topic[2];

	for (int i = 0; i < n; i++) {
		const sensor_msgs_msg_dds__JointState_ *m = smp[i];
		struct dx_hand_target t;
		char why[WHY_MAX];
		int rc;

		if (!info[i].valid_data)
			continue;
		rc = dx_bridge_check_joint_command(
			b, (const char *const *)m->name._buffer, m->name._length,
			m->position._buffer, m->position._length,
			m->velocity._length, m->velocity._buffer,
			m->effort._length, m->effort._buffer, &t, why,
			sizeof(why));
		if (rc == 0)
			send_target(b, topic, &t);
		else
			reject(b, topic, rc, why);
	}
	if (n > 0)
		dds_return_loan(b->r_cmd, smp, n);
}

static void take_grasp_commands(struct dx_bridge *b)
{
	void *smp[TAKE_MAX] = {NULL};
	dds_sample_info_t info[TAKE_MAX];
	int n = dds_take(b->r_grasp, smp, info, TAKE_MAX, TAKE_MAX);
	const char *topic = b->topic[3];

	for (int i = 0; i < n; i++) {
		const dexrt_msg_dds__GraspCommand_ *m = smp[i];
		struct dx_hand_target t;
		char why[WHY_MAX];
		int rc;

		if (!info[i].valid_data)
			continue;
		rc = dx_bridge_check_grasp_command(b, m->grasp, m->force, &t,
						   why, sizeof(why));
		if (rc == 0)
			send_target(b, topic, &t);
		else
			reject(b, topic, rc, why);
	}
	if (n > 0)
		dds_return_loan(b->r_grasp, smp, n);
}

/* Checks every point of @p m into b->traj_in; nothing is sent here. */
static int check_trajectory(struct dx_bridge *b,
			    const trajectory_msgs_msg_dds__JointTrajectory_ *m,
			    char *why, size_t len)
{
	const char *const *names = (const char *const *)m->joint_names._buffer;
	unsigned nn = m->joint_names._length;
	int64_t prev = -1;

	if (m->points._length > DX_BRIDGE_TRAJ_MAX_POINTS) {
		why_set(why, len, "%u points, at most %d", m->points._length,
			DX_BRIDGE_TRAJ_MAX_POINTS);
		return DX_EINVAL;
	}
	b->traj_in.n = 0;
	for (unsigned k = 0; k < m->points._length; k++) {
		const trajectory_msgs_msg_dds__JointTrajectoryPoint_ *p =
			&m->points._buffer[k];
		const builtin_interfaces_msg_dds__Duration_ *d = &p->time_from_start;
		char w[WHY_MAX];
		int64_t at;
		int rc;

		rc = dx_bridge_check_joint_command(
			b, names, nn, p->positions._buffer, p->positions._length,
			p->velocities._length, p->velocities._buffer,
			p->effort._length, p->effort._buffer, &b->traj_in.tg[k],
			w, sizeof(w));
		if (rc) {
			why_set(why, len, "point %u: %s", k, w);
			return rc;
		}
		if (p->accelerations._length && p->accelerations._length != nn) {
			why_set(why, len, "point %u: %u names but %u accelerations",
				k, nn, p->accelerations._length);
			return DX_EINVAL;
		}
		for (unsigned i = 0; i < p->accelerations._length; i++)
			if (!isfinite(p->accelerations._buffer[i])) {
				why_set(why, len, "point %u: non-finite acceleration", k);
				return DX_ENOTFINITE;
			}
		if (d->sec < 0 || d->nanosec >= 1000000000u) {
			why_set(why, len, "point %u: time_from_start %d s %u ns is not "
				"a non-negative duration", k, (int)d->sec, d->nanosec);
			return DX_EINVAL;
		}
		at = (int64_t)d->sec * 1000000000LL + d->nanosec;
		if (at <= prev) {
			why_set(why, len, "point %u: time_from_start does not increase", k);
			return DX_EINVAL;
		}
		prev = at;
		b->traj_in.at[k] = at;
	}
	b->traj_in.n = m->points._length;
	return 0;
}

static void take_trajectories(struct dx_bridge *b)
{
	void *smp[TAKE_MAX] = {NULL};
	dds_sample_info_t info[TAKE_MAX];
	int n = dds_take(b->r_traj, smp, info, TAKE_MAX, TAKE_MAX);

	for (int i = 0; i < n; i++) {
		char why[WHY_MAX];
		int rc;

		if (!info[i].valid_data)
			continue;
		rc = check_trajectory(b, smp[i], why, sizeof(why));
		if (rc) {
			reject(b, b->topic[4], rc, why);
			continue;
		}
		/* replaces the one in progress (an empty one cancels it) */
		b->traj_in.next = 0;
		b->traj_in.t0 = mono_now();
		b->traj = b->traj_in;
	}
	if (n > 0)
		dds_return_loan(b->r_traj, smp, n);
}

static void play_trajectory(struct dx_bridge *b)
{
	int64_t now = mono_now();

	while (b->traj.next < b->traj.n &&
	       now >= b->traj.t0 + b->traj.at[b->traj.next]) {
		int rc = dx_hand_send(b->hand, &b->traj.tg[b->traj.next]);

		if (rc == DX_ENOBUFS)
			return; /* the ring is full: the next iteration retries */
		if (rc == 0)
			count(b, S_OK);
		else
			reject(b, b->topic[4], rc, "point refused by the hand");
		b->traj.next++;
	}
}

static void publish_joint_state(struct dx_bridge *b,
				const struct dx_hand_telemetry *t)
{
	sensor_msgs_msg_dds__JointState_ m;
	unsigned n = t->n_joints < b->nj ? t->n_joints : b->nj;

	memset(&m, 0, sizeof(m));
	stamp_of(t->t_ns, &m.header.stamp);
	m.header.frame_id = b->frame_id;
	for (unsigned j = 0; j < n; j++) {
		b->pos[j] = t->q[j];
		b->vel[j] = t->qd[j];
		b->eff[j] = t->tau[j];
	}
	/* the sample only lends our arrays to the serializer */
	m.name._buffer = (char **)b->names;
	m.position._buffer = b->pos;
	m.velocity._buffer = b->vel;
	m.effort._buffer = b->eff;
	m.name._length = m.position._length = m.velocity._length =
		m.effort._length = n;
	m.name._maximum = m.position._maximum = m.velocity._maximum =
		m.effort._maximum = n;
	if (dds_write(b->w_js, &m) < 0)
		count(b, S_WERR);
	else
		count(b, S_JS);
}

/* One WrenchStamped per fingertip, from the telemetry's float wrench (hand
 * frame, moment about the hand origin; see struct dx_hand_telemetry). */
static void publish_wrenches(struct dx_bridge *b,
			     const struct dx_hand_telemetry *t)
{
	geometry_msgs_msg_dds__WrenchStamped_ m;

	memset(&m, 0, sizeof(m));
	stamp_of(t->t_ns, &m.header.stamp);
	m.header.frame_id = b->root;
	for (unsigned k = 0; k < b->ntips; k++) {
		const float *w = t->tip_wrench[k];

		m.wrench.force.x = w[0];
		m.wrench.force.y = w[1];
		m.wrench.force.z = w[2];
		m.wrench.torque.x = w[3];
		m.wrench.torque.y = w[4];
		m.wrench.torque.z = w[5];
		if (dds_write(b->w_wr[k], &m) < 0)
			count(b, S_WERR);
		else
			count(b, S_WR);
	}
}

static void iterate(struct dx_bridge *b)
{
	struct dx_hand_telemetry t;
	struct dx_hand_fault f;

	if (b->r_cmd)
		take_joint_commands(b);
	if (b->r_grasp)
		take_grasp_commands(b);
	if (b->r_traj)
		take_trajectories(b);
	play_trajectory(b);
	while (dx_hand_fault_pop(b->hand, &f) == 0) {
		count(b, S_FAULT);
		if (b->w_diag)
			publish_fault(b, &f);
		if (b->bc.on_fault)
			b->bc.on_fault(b->bc.user, &f);
	}
	while (dx_hand_telemetry_pop(b->hand, &t) == 0) {
		count(b, S_TEL);
		b->samples++;
		if (b->w_js && b->samples % b->bc.joint_state_div == 0)
			publish_joint_state(b, &t);
		if (b->ntips && b->samples % b->bc.wrench_div == 0)
			publish_wrenches(b, &t);
		if (b->w_diag && b->samples % b->bc.diag_div == 0)
			publish_bridge_status(b, t.t_ns);
		if (b->bc.on_telemetry)
			b->bc.on_telemetry(b->bc.user, &t);
	}
}

int dx_bridge_poll(struct dx_bridge *b, int64_t wait_ns)
{
	if (!b)
		return DX_EINVAL;
	if (b->running)
		return DX_ESTATE;
	if (wait_ns > 0)
		dds_waitset_wait(b->ws, NULL, 0, wait_ns);
	iterate(b);
	return 0;
}

static void *bridge_main(void *ud)
{
	struct dx_bridge *b = ud;

	while (!atomic_load_explicit(&b->stop, memory_order_acquire)) {
		/* wakes on a command or after poll_ns, whichever comes first */
		dds_waitset_wait(b->ws, NULL, 0, b->bc.poll_ns);
		iterate(b);
	}
	return NULL;
}

int dx_bridge_start(struct dx_bridge *b)
{
	if (!b)
		return DX_EINVAL;
	if (b->running)
		return DX_ESTATE;
	atomic_store(&b->stop, false);
	if (pthread_create(&b->thread, NULL, bridge_main, b) != 0)
		return DX_ENOMEM;
	b->running = true;
	return 0;
}

void dx_bridge_stop(struct dx_bridge *b)
{
	if (!b || !b->running)
		return;
	atomic_store_explicit(&b->stop, true, memory_order_release);
	dds_waitset_set_trigger(b->ws, true);
	pthread_join(b->thread, NULL);
	dds_waitset_set_trigger(b->ws, false);
	b->running = false;
}

/* ---- setup ---------------------------------------------------------------- */

const char *dx_bridge_topic_name(const struct dx_bridge *b,
				 enum dx_bridge_topic t)
{
	if (!b)
		return NULL;
	switch (t) {
	case DX_BRIDGE_JOINT_STATES: return b->topic[0];
	case DX_BRIDGE_DIAGNOSTICS: return b->topic[1];
	case DX_BRIDGE_JOINT_COMMAND: return b->topic[2];
	case DX_BRIDGE_GRASP_COMMAND: return b->topic[3];
	case DX_BRIDGE_JOINT_TRAJECTORY: return b->topic[4];
	default: return NULL;
	}
}

const char *dx_bridge_wrench_topic_name(const struct dx_bridge *b, unsigned tip)
{
	return b && tip < b->ntips ? b->wr_topic[tip] : NULL;
}

int dx_bridge_config_from_hand(const struct dx_hand_config *cfg,
			       struct dx_bridge_config *bc)
{
	const struct dx_hand_bridge_config *h;
	const struct dx_hand_bridge_publish *p;

	if (!cfg || !bc)
		return DX_EINVAL;
	h = &cfg->bridge;
	p = &h->publish;
	memset(bc, 0, sizeof(*bc));
	bc->domain = h->domain;
	bc->ns = h->ns ? h->ns : cfg->name;
	bc->frame_id = h->frame_id;
	bc->max_grip_force = h->max_grip_force;
	/* in the file 0 turns a topic off; here 0 means the default */
	bc->joint_state_div = p->joint_states ? p->joint_states : 1;
	bc->wrench_div = p->wrenches ? p->wrenches : 1;
	bc->diag_div = p->diagnostics ? p->diagnostics : 1;
	bc->topics = (p->joint_states ? DX_BRIDGE_JOINT_STATES : 0u) |
		     (p->wrenches ? DX_BRIDGE_WRENCHES : 0u) |
		     (p->diagnostics ? DX_BRIDGE_DIAGNOSTICS : 0u) |
		     (h->subscribe.joint_command ? DX_BRIDGE_JOINT_COMMAND : 0u) |
		     (h->subscribe.grasp_command ? DX_BRIDGE_GRASP_COMMAND : 0u) |
		     (h->subscribe.joint_trajectory ? DX_BRIDGE_JOINT_TRAJECTORY : 0u);
	return 0;
}

/* A URDF link name as one ROS 2 name token: other characters become '_',
 * a leading digit gets a '_' before it. */
static void token_of(const char *name, char *out, size_t len)
{
	size_t w = 0;

	if (name[0] >= '0' && name[0] <= '9' && w + 1 < len)
		out[w++] = '_';
	for (size_t i = 0; name[i] && w + 1 < len; i++) {
		char c = name[i];
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_';
		out[w++] = word ? c : '_';
	}
	out[w] = '\0';
}

static void limits_from_config(struct dx_bridge *b)
{
	for (unsigned j = 0; j < b->nj; j++) {
		b->lo[j] = -INFINITY;
		b->hi[j] = INFINITY;
		for (unsigned i = 0; i < b->cfg->actuators_count; i++) {
			const struct dx_hand_actuator_config *a =
				&b->cfg->actuators[i];

			if (!a->joint || strcmp(a->joint, b->names[j]) != 0)
				continue;
			/* a 1:1 actuator's limits are the joint's (as the
			 * hand's own init reads them) */
			b->lo[j] = fmax(b->lo[j], a->limits.position[0]);
			b->hi[j] = fmin(b->hi[j], a->limits.position[1]);
			b->have_limits[j] = true;
		}
	}
}

static dds_entity_t make_topic(struct dx_bridge *b,
			       const dds_topic_descriptor_t *d, const char *name)
{
	return dds_create_topic(b->pp, d, name, NULL, NULL);
}

int dx_bridge_create(struct dx_bridge **out, struct dx_hand *hand,
		     const struct dx_hand_config *cfg,
		     const struct dx_bridge_config *bc)
{
	struct dx_bridge *b;
	dds_qos_t *qos;
	dds_entity_t tp;
	const char *sep;
	int rc = DX_EIO;

	if (!out)
		return DX_EINVAL;
	*out = NULL;
	if (!hand || !cfg || !bc)
		return DX_EINVAL;
	if (bc->ns && !ns_ok(bc->ns))
		return DX_EINVAL;
	if ((bc->frame_id && strlen(bc->frame_id) >= 64) ||
	    (bc->topics & ~(uint32_t)DX_BRIDGE_ALL) || bc->poll_ns < 0 ||
	    !(bc->max_grip_force >= 0.0) || !isfinite(bc->max_grip_force))
		return DX_EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return DX_ENOMEM;
	b->hand = hand;
	b->cfg = cfg;
	b->bc = *bc;
	if (!b->bc.joint_state_div)
		b->bc.joint_state_div = 10;
	if (!b->bc.diag_div)
		b->bc.diag_div = 1000;
	if (!b->bc.wrench_div)
		b->bc.wrench_div = b->bc.joint_state_div;
	if (!b->bc.topics)
		b->bc.topics = DX_BRIDGE_ALL;
	if (b->bc.max_grip_force == 0.0)
		b->bc.max_grip_force = 20.0;
	if (!b->bc.poll_ns)
		b->bc.poll_ns = 1000000;
	snprintf(b->ns, sizeof(b->ns), "%s", bc->ns ? bc->ns : "");
	snprintf(b->frame_id, sizeof(b->frame_id), "%s",
		 bc->frame_id ? bc->frame_id : "");
	snprintf(b->hw_id, sizeof(b->hw_id), "%s", cfg->name ? cfg->name : "");
	b->bc.ns = b->ns;
	b->bc.frame_id = b->frame_id;
	sep = b->ns[0] ? "/" : "";
	snprintf(b->topic[0], sizeof(b->topic[0]), "rt/%s%sjoint_states", b->ns, sep);
	snprintf(b->topic[1], sizeof(b->topic[1]), "rt/diagnostics");
	snprintf(b->topic[2], sizeof(b->topic[2]), "rt/%s%sjoint_command", b->ns, sep);
	snprintf(b->topic[3], sizeof(b->topic[3]), "rt/%s%sgrasp_command", b->ns, sep);
	snprintf(b->topic[4], sizeof(b->topic[4]), "rt/%s%sjoint_trajectory", b->ns, sep);
	b->nj = dx_hand_njoints(hand);
	if (b->nj > DX_HAND_MAX_JOINTS)
		b->nj = DX_HAND_MAX_JOINTS;
	for (unsigned j = 0; j < b->nj; j++)
		b->names[j] = dx_hand_joint_name(hand, j);
	limits_from_config(b);
	snprintf(b->root, sizeof(b->root), "%s",
		 dx_hand_root_name(hand) ? dx_hand_root_name(hand) : "");
	if (b->bc.topics & DX_BRIDGE_WRENCHES)
		b->ntips = dx_hand_ntips(hand);
	if (b->ntips > DX_HAND_MAX_TIPS)
		b->ntips = DX_HAND_MAX_TIPS;
	for (unsigned k = 0; k < b->ntips; k++) {
		char tok[64];

		token_of(dx_hand_tip_name(hand, k), tok, sizeof(tok));
		snprintf(b->wr_topic[k], sizeof(b->wr_topic[k]), "rt/%s%s%s/wrench",
			 b->ns, sep, tok);
	}

	b->pp = dds_create_participant(bc->domain == DX_BRIDGE_DOMAIN_DEFAULT
					       ? DDS_DOMAIN_DEFAULT
					       : bc->domain,
				       NULL, NULL);
	if (b->pp < 0) {
		b->pp = 0;
		goto fail;
	}
	/* ROS 2's rmw_qos_profile_default: reliable, keep last 10, volatile */
	qos = dds_create_qos();
	if (!qos) {
		rc = DX_ENOMEM;
		goto fail;
	}
	dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
	dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 10);
	dds_qset_durability(qos, DDS_DURABILITY_VOLATILE);
	/* plain CDR (XCDR1), the encoding ROS 2 Humble's rmw_cyclonedds_cpp
	 * writes and expects */
	{
		dds_data_representation_id_t xcdr1 = DDS_DATA_REPRESENTATION_XCDR1;

		dds_qset_data_representation(qos, 1, &xcdr1);
	}
	b->ws = dds_create_waitset(b->pp);
	if (b->ws < 0)
		goto fail_qos;
	if (b->bc.topics & DX_BRIDGE_JOINT_STATES) {
		tp = make_topic(b, &sensor_msgs_msg_dds__JointState__desc, b->topic[0]);
		b->w_js = tp < 0 ? tp : dds_create_writer(b->pp, tp, qos, NULL);
		if (b->w_js < 0)
			goto fail_qos;
	}
	if (b->bc.topics & DX_BRIDGE_DIAGNOSTICS) {
		tp = make_topic(b, &diagnostic_msgs_msg_dds__DiagnosticArray__desc,
				b->topic[1]);
		b->w_diag = tp < 0 ? tp : dds_create_writer(b->pp, tp, qos, NULL);
		if (b->w_diag < 0)
			goto fail_qos;
	}
	if (b->bc.topics & DX_BRIDGE_JOINT_COMMAND) {
		tp = make_topic(b, &sensor_msgs_msg_dds__JointState__desc, b->topic[2]);
		b->r_cmd = tp < 0 ? tp : dds_create_reader(b->pp, tp, qos, NULL);
		if (b->r_cmd < 0 ||
		    dds_waitset_attach(b->ws,
				       dds_create_readcondition(b->r_cmd, DDS_ANY_STATE),
				       0) < 0)
			goto fail_qos;
	}
	if (b->bc.topics & DX_BRIDGE_GRASP_COMMAND) {
		tp = make_topic(b, &dexrt_msg_dds__GraspCommand__desc, b->topic[3]);
		b->r_grasp = tp < 0 ? tp : dds_create_reader(b->pp, tp, qos, NULL);
		if (b->r_grasp < 0 ||
		    dds_waitset_attach(b->ws,
				       dds_create_readcondition(b->r_grasp, DDS_ANY_STATE),
				       0) < 0)
			goto fail_qos;
	}
	if (b->bc.topics & DX_BRIDGE_JOINT_TRAJECTORY) {
		tp = make_topic(b, &trajectory_msgs_msg_dds__JointTrajectory__desc,
				b->topic[4]);
		b->r_traj = tp < 0 ? tp : dds_create_reader(b->pp, tp, qos, NULL);
		if (b->r_traj < 0 ||
		    dds_waitset_attach(b->ws,
				       dds_create_readcondition(b->r_traj, DDS_ANY_STATE),
				       0) < 0)
			goto fail_qos;
	}
	for (unsigned k = 0; k < b->ntips; k++) {
		tp = make_topic(b, &geometry_msgs_msg_dds__WrenchStamped__desc,
				b->wr_topic[k]);
		b->w_wr[k] = tp < 0 ? tp : dds_create_writer(b->pp, tp, qos, NULL);
		if (b->w_wr[k] < 0)
			goto fail_qos;
	}
	dds_delete_qos(qos);
	*out = b;
	return 0;

fail_qos:
	dds_delete_qos(qos);
fail:
	if (b->pp > 0)
		dds_delete(b->pp);
	free(b);
	return rc;
}

void dx_bridge_free(struct dx_bridge *b)
{
	if (!b)
		return;
	dx_bridge_stop(b);
	if (b->pp > 0)
		dds_delete(b->pp);
	free(b);
}

void dx_bridge_get_stats(const struct dx_bridge *b, struct dx_bridge_stats *st)
{
	struct dx_bridge *m = (struct dx_bridge *)b;

	if (!b || !st)
		return;
	st->telemetry = atomic_load(&m->st[S_TEL]);
	st->joint_states = atomic_load(&m->st[S_JS]);
	st->diagnostics = atomic_load(&m->st[S_DIAG]);
	st->faults = atomic_load(&m->st[S_FAULT]);
	st->commands_accepted = atomic_load(&m->st[S_OK]);
	st->commands_rejected = atomic_load(&m->st[S_REJ]);
	st->ring_full = atomic_load(&m->st[S_FULL]);
	st->write_errors = atomic_load(&m->st[S_WERR]);
	st->wrenches = atomic_load(&m->st[S_WR]);
}
