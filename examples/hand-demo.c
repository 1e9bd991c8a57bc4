/* SPDX-License-Identifier: MIT */
/* The dexrt demo: the real controller (struct dx_hand, examples/hand16.yaml)
 * drives a simulated hand (MuJoCo physics behind virtual MIT drives and
 * virtual tactile pads) over simbus buses, exactly as it would drive a
 * real hand over CAN: it homes, closes a power grasp on a cylinder, lifts
 * it, keeps it when it becomes five times heavier (the pads feel it slip
 * and the grip force goes up), puts it down and lets go; then it pinches a
 * sphere between thumb and index, lifts, puts it down and lets go.
 *
 *   hand-demo [--fast] [--short] [--out DIR] [--config YAML] [--scene MJCF]
 *             [--external] [--quiet]
 *
 * By default the controller runs at 1 kHz on the loop runner (absolute
 * CLOCK_MONOTONIC deadlines) in its own thread and the simulated hand
 * serves the buses in another thread, in real time. --fast runs both in
 * one thread on the buses' virtual clock: as fast as the machine goes and
 * the same result every time. --external leaves the simulated hand to a
 * `dx sim CONFIG` already running in another process (the scene cannot be
 * changed from here then: no lift, no added mass). --short shortens every
 * phase (used by the tests).
 *
 * Ends with a summary (cycle time, bus load, contacts, faults, outcome per
 * object) and writes DIR/hand-demo.csv and gnuplot plots of it. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dexrt/dexrt.h>

#if DX_HAVE_MUJOCO
#include <dexrt/simhand.h>
#endif

#define MAX_BUS 16
#define MAX_ROWS 40000
#define MAX_EVENTS 256
#define NPHASES 16
/* some helpers serve the simulated scene only (MuJoCo builds) */
#define DX_UNUSED_OK __attribute__((unused))

/* ---- options and state --------------------------------------------------- */

struct opts {
	bool fast, shortrun, external, quiet, verbose;
	const char *out, *config, *scene, *prefix;
	double force; /* grip force per finger, N */
	double heavy; /* cylinder mass after the change, kg */
	double pinch; /* pinch force per finger, N */
};

struct row {
	float t;
	uint8_t phase;
	float q[DX_HAND_MAX_JOINTS], qref[DX_HAND_MAX_JOINTS];
	float force[DX_HAND_MAX_TIPS];
	uint32_t slip, contact;
	float zc, zs;
};

struct event {
	float t;
	float force;
};

struct demo {
	struct opts o;
	struct dx_hand_config *cfg;
	char *orig_transport[MAX_BUS];
	char transport[MAX_BUS][96];
	struct dx_hand *hand;
#if DX_HAVE_MUJOCO
	struct dx_simhand *sim;
#endif
	struct dx_can *watch[MAX_BUS]; /* observers for bus load */
	uint64_t busy0[MAX_BUS];
	double load_planned[MAX_BUS], load_measured[MAX_BUS];
	int64_t busnow0[MAX_BUS];
	pthread_t sim_thread, ctl_thread;
	bool sim_started, ctl_started, ctl_fifo, on_sphere;
	double reach[2];    /* gantry x, y */
	double rest[2][3];  /* objects' starting positions */
	struct dx_rt_loop loop;
	atomic_int ctl_stop;
	struct dx_hist cyc; /* --fast: cycle compute time */
	int64_t t_virt;     /* --fast: bus time */
	int64_t t0;
	int cyl, sph;
	/* record */
	struct row *rows;
	size_t nrows;
	int64_t last_row_ns;
	uint32_t slip_acc, contact_acc;
	struct event ev[MAX_EVENTS];
	unsigned nev;
	unsigned faults_by_cause[16];
	unsigned phase;
	const char *phase_name[NPHASES];
	float max_force[DX_HAND_MAX_TIPS];
	unsigned contact_cycles[DX_HAND_MAX_TIPS];
	struct dx_hand_telemetry last;
	bool have_last;
	int64_t last_status_ns;
	/* outcomes */
	bool lifted[2], held[2], released[2];
	unsigned slip_events, slip_mark, slip_heavy;
	double force_before, force_after;
	bool slip_seen;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- time ------------------------------------------------------------------ */

static int64_t now_ns(const struct demo *d)
{
	return d->o.fast ? d->t_virt : dx_time_now_ns();
}

static double t_s(const struct demo *d)
{
	return (double)(now_ns(d) - d->t0) * 1e-9;
}

/* ---- recording ------------------------------------------------------------- */

static float object_z(struct demo *d, int obj)
{
#if DX_HAVE_MUJOCO
	struct dx_simhand_object s;
	if (d->sim && obj >= 0 && dx_simhand_object_state(d->sim, (unsigned)obj, &s) == 0)
		return (float)s.pos[2];
#else
	(void)d;
	(void)obj;
#endif
	return NAN;
}

static void drain(struct demo *d)
{
	struct dx_hand_telemetry t;
	struct dx_hand_fault f;
	unsigned nt = dx_hand_ntips(d->hand);

	while (dx_hand_telemetry_pop(d->hand, &t) == 0) {
		d->slip_acc |= t.slip_mask;
		d->contact_acc |= t.contact_mask;
		for (unsigned k = 0; k < nt; k++) {
			if (t.tip_force[k] > d->max_force[k])
				d->max_force[k] = t.tip_force[k];
			if (t.contact_mask >> k & 1)
				d->contact_cycles[k]++;
		}
		d->last = t;
		d->have_last = true;
		/* a row every 5 ms (the slip and contact bits of the cycles in
		 * between are kept) */
		if (t.t_ns - d->last_row_ns >= 5 * DX_NS_PER_MS &&
		    d->nrows < MAX_ROWS) {
			struct row *r = &d->rows[d->nrows++];
			r->t = (float)((double)(t.t_ns - d->t0) * 1e-9);
			r->phase = (uint8_t)d->phase;
			for (unsigned j = 0; j < t.n_joints; j++) {
				r->q[j] = t.q[j];
				r->qref[j] = t.q_ref[j];
			}
			memcpy(r->force, t.tip_force, sizeof(r->force));
			r->slip = d->slip_acc;
			r->contact = d->contact_acc;
			r->zc = object_z(d, d->cyl);
			r->zs = object_z(d, d->sph);
			d->slip_acc = d->contact_acc = 0;
			d->last_row_ns = t.t_ns;
		}
	}
	while (dx_hand_fault_pop(d->hand, &f) == 0) {
		if (f.cause == DX_CAUSE_NONE && f.joint < 0) {
			/* the grasp raised its force target after a slip */
			d->slip_events++;
			if (d->nev < MAX_EVENTS)
				d->ev[d->nev++] = (struct event){
					(float)((double)(f.t_ns - d->t0) * 1e-9),
					(float)f.value};
			continue;
		}
		if ((unsigned)f.cause < 16)
			d->faults_by_cause[f.cause]++;
		if (!d->o.quiet)
			printf("\n  fault: %s %s on joint %s (value %.3g)\n",
			       dx_hand_reaction_name(f.reaction),
			       dx_hand_cause_name(f.cause),
			       f.joint >= 0 ? dx_hand_joint_name(d->hand, (unsigned)f.joint)
					    : "-",
			       f.value);
	}
}

static void status(struct demo *d, bool force_line)
{
	const struct dx_hand_telemetry *t = &d->last;
	int64_t now = now_ns(d);

	if (d->o.quiet || !d->have_last)
		return;
	if (!force_line && now - d->last_status_ns < 100 * DX_NS_PER_MS)
		return;
	d->last_status_ns = now;
	printf("\r  t %6.2f s  %-12s grip", t_s(d), d->phase_name[d->phase]);
	for (unsigned k = 0; k < dx_hand_ntips(d->hand) && k < 4; k++)
		printf(" %c%4.1f", "imrt"[k], t->tip_force[k]);
	printf(" N  phase %u%u%u%u", t->grasp_phase[0], t->grasp_phase[1],
	       t->grasp_phase[2], t->grasp_phase[3]);
	printf("  contact %c%c%c%c  slip %s ",
	       t->contact_mask & 1 ? 'i' : '-', t->contact_mask & 2 ? 'm' : '-',
	       t->contact_mask & 4 ? 'r' : '-', t->contact_mask & 8 ? 't' : '-',
	       t->slip_mask ? "YES" : "no ");
	if (d->cyl >= 0 && d->sph >= 0)
		printf(" cylinder z %5.3f m  sphere z %5.3f m ", object_z(d, d->cyl),
		       object_z(d, d->sph));
#if DX_HAVE_MUJOCO
	if (d->o.verbose && d->sim && d->cyl >= 0) {
		struct dx_simhand_object o;
		dx_simhand_object_state(d->sim, (unsigned)(d->on_sphere ? d->sph : d->cyl), &o);
		printf(" [%s at %.3f %.3f: sliding %d, pad contacts %u, hand contacts %u, "
		       "%.1f N, %.3f m/s]", o.name, o.pos[0], o.pos[1], o.slipping,
		       o.pad_contacts, o.hand_contacts, o.hand_force, o.speed);
	}
#endif
	fflush(stdout);
}

/* ---- running --------------------------------------------------------------- */

/* --fast: one 1 ms cycle on the virtual clock: the controller at T, the
 * simulated hand polled every 100 us of bus time after it, next cycle at
 * T + 1 ms. */
static void fast_cycle(struct demo *d)
{
#if DX_HAVE_MUJOCO
	int64_t T = d->t_virt, c0 = dx_time_now_ns();

	dx_hand_cycle(d->hand, T);
	dx_hist_add(&d->cyc, dx_time_now_ns() - c0);
	/* the simulated hand serves the buses every 100 us, as in live
	 * mode, answering each command as it comes off the wire */
	for (int64_t k = 1; k < 10; k++) {
		dx_simhand_set_time(d->sim, T + k * 100 * DX_NS_PER_US);
		dx_simhand_poll(d->sim, T + k * 100 * DX_NS_PER_US);
	}
	dx_simhand_set_time(d->sim, T + DX_NS_PER_MS);
	d->t_virt = T + DX_NS_PER_MS;
#else
	(void)d;
#endif
}

static int ctl_cycle(const struct dx_rt_tick *tick, void *ud)
{
	struct demo *d = ud;

	(void)tick;
	dx_hand_cycle(d->hand, dx_time_now_ns());
	return atomic_load(&d->ctl_stop) ? 1 : 0;
}

static void *ctl_main(void *ud)
{
	struct demo *d = ud;

	/* SCHED_FIFO when the process may (root, CAP_SYS_NICE); otherwise
	 * the loop runs at normal priority and the summary shows it */
	d->ctl_fifo = dx_rt_set_fifo(80) == 0;
	dx_rt_loop_run(&d->loop, 0, ctl_cycle, d);
	return NULL;
}

#if DX_HAVE_MUJOCO
static void *sim_main(void *ud)
{
	struct demo *d = ud;

	dx_rt_set_fifo(79);
	dx_simhand_run(d->sim);
	return NULL;
}
#endif

/* Runs for @p secs, calling @p each every 10 ms with
 * the fraction of the time gone, until @p until (may be NULL) says done. */
typedef void (*each_fn)(struct demo *d, double frac, void *arg);
typedef bool (*until_fn)(struct demo *d);

static void run_for(struct demo *d, double secs, each_fn each, void *arg,
		    until_fn until)
{
	int64_t end, step_at;

	end = now_ns(d) + (int64_t)(secs * 1e9);
	step_at = now_ns(d);
	while (!interrupted && now_ns(d) < end) {
		int64_t n = now_ns(d);
		if (each && n >= step_at) {
			each(d, 1.0 - (double)(end - n) / (secs * 1e9), arg);
			step_at = n + 10 * DX_NS_PER_MS;
		}
		if (d->o.fast) {
			fast_cycle(d);
		} else {
			struct timespec ts = {0, 2 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		drain(d);
		status(d, false);
		if (until && until(d))
			break;
	}
	drain(d);
}

/* A wait that only lets things settle: halved by --short. */
static void settle(struct demo *d, double secs)
{
	run_for(d, d->o.shortrun ? secs / 2 : secs, NULL, NULL, NULL);
}

static void send(struct demo *d, const struct dx_hand_target *t)
{
	int rc;
	for (int tries = 0; (rc = dx_hand_send(d->hand, t)) == DX_ENOBUFS &&
			    tries < 100; tries++)
		run_for(d, 0.002, NULL, NULL, NULL);
	if (rc)
		fprintf(stderr, "\nhand-demo: target refused: %s\n", dx_strerror(rc));
}

static void phase(struct demo *d, const char *name)
{
	if (d->phase + 1 < NPHASES)
		d->phase++;
	d->phase_name[d->phase] = name;
	if (!d->o.quiet) {
		status(d, true);
		printf("\n[%6.2f s] %s\n", t_s(d), name);
	}
}

/* ---- the scene ----------------------------------------------------------------- */

struct ramp {
	double from, to;
};

static void lift_each(struct demo *d, double frac, void *arg)
{
#if DX_HAVE_MUJOCO
	const struct ramp *r = arg;
	double f = frac < 0 ? 0 : frac > 1 ? 1 : frac;
	if (d->sim)
		dx_simhand_set_lift(d->sim, r->from + (r->to - r->from) * f);
#else
	(void)d;
	(void)frac;
	(void)arg;
#endif
}

static void lift(struct demo *d, double from, double to, double secs)
{
	struct ramp r = {from, to};
	run_for(d, secs, lift_each, &r, NULL);
	lift_each(d, 1.0, &r);
}

struct ramp2 {
	double from[2], to[2];
};

static void reach_each(struct demo *d, double frac, void *arg)
{
#if DX_HAVE_MUJOCO
	const struct ramp2 *r = arg;
	double f = frac < 0 ? 0 : frac > 1 ? 1 : frac;
	if (d->sim)
		dx_simhand_set_reach(d->sim,
				     r->from[0] + (r->to[0] - r->from[0]) * f,
				     r->from[1] + (r->to[1] - r->from[1]) * f);
#else
	(void)d;
	(void)frac;
	(void)arg;
#endif
}

/* Horizontal gantry move (reach_x, reach_y) to (@p x, @p y), m. */
static void reach(struct demo *d, double x, double y, double secs)
{
	struct ramp2 r = {{d->reach[0], d->reach[1]}, {x, y}};
	run_for(d, secs, reach_each, &r, NULL);
	reach_each(d, 1.0, &r);
	d->reach[0] = x;
	d->reach[1] = y;
}

/* Pre-shape before the pinch: thumb turned into opposition, index bent,
 * each 0.1 rad short of where the pads meet a 50 mm sphere (found with
 * the scene's kinematics, within the home..close range the grasp keeps
 * its references in), so the pinch closes the last bit on touch. */
struct jq {
	const char *joint;
	double q;
};
static const struct jq pre_pinch[] = {
	{"index_j1", 1.10}, {"index_j2", 0.51}, {"index_j3", 0.0},
	{"thumb_j0", 1.07}, {"thumb_j1", 0.0}, {"thumb_j2", 0.32},
	{"thumb_j3", 0.0},
};
/* opened from the pinch by flexion only (thumb rotation kept, so the
 * thumb does not sweep across the sphere) */
static const struct jq open_pinch[] = {
	{"index_j1", 0.80}, {"index_j2", 0.0}, {"index_j3", 0.0},
	{"thumb_j0", 1.07}, {"thumb_j1", 0.0}, {"thumb_j2", 0.0},
	{"thumb_j3", 0.0},
};

static void posture(struct demo *d, const struct jq *pre, size_t n)
{
	struct dx_hand_target t;

	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_JOINTS;
	for (unsigned j = 0; j < dx_hand_njoints(d->hand); j++) {
		t.mask |= 1u << j;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(dx_hand_joint_name(d->hand, j), pre[k].joint))
				t.q[j] = pre[k].q;
	}
	send(d, &t);
}

static bool all_holding(struct demo *d)
{
	unsigned n = 0, h = 0;

	if (!d->have_last)
		return false;
	for (unsigned k = 0; k < dx_hand_ntips(d->hand); k++) {
		if (d->last.grasp_phase[k] == 0)
			continue;
		n++;
		h += d->last.grasp_phase[k] == 2; /* GRASP_HOLDING */
	}
	return n > 0 && h == n;
}

static double DX_UNUSED_OK grip_total(struct demo *d)
{
	double s = 0;
	for (unsigned k = 0; k < dx_hand_ntips(d->hand); k++)
		s += d->last.tip_force[k];
	return s;
}

#if DX_HAVE_MUJOCO
static bool obj_state(struct demo *d, int obj, struct dx_simhand_object *s)
{
	memset(s, 0, sizeof(*s));
	return d->sim && obj >= 0 &&
	       dx_simhand_object_state(d->sim, (unsigned)obj, s) == 0;
}
#endif

/* Moves the gantry so that the held object is over where it was picked
 * up from (it may have shifted in the grip). */
static void over_rest(struct demo *d, int obj)
{
#if DX_HAVE_MUJOCO
	struct dx_simhand_object s;

	if (!obj_state(d, obj, &s))
		return;
	reach(d, d->reach[0] - (s.pos[0] - d->rest[obj][0]),
	      d->reach[1] - (s.pos[1] - d->rest[obj][1]), 0.4);
#else
	(void)d;
	(void)obj;
#endif
}

/* Where to lower the gantry, from @p up, to set an object down: by as
 * much as the object is above its resting height, less 2 mm (it may have
 * slid in the grip, and pressing it into its support would push it out). */
static double down_to(struct demo *d, int obj, double up)
{
#if DX_HAVE_MUJOCO
	struct dx_simhand_object s;
	double z;

	if (!obj_state(d, obj, &s) || !(s.rise > 0))
		return 0.0;
	z = up - s.rise + 0.002;
	return z < 0 ? 0.0 : z > up ? up : z;
#else
	(void)d;
	(void)obj;
	return up;
#endif
}

#if DX_HAVE_MUJOCO
/* Let go and back where it was: no hand contact, on its support, within
 * 10 mm of its resting height, nearly still. */
static bool put_back(const struct dx_simhand_object *s)
{
	return s->hand_contacts == 0 && s->on_support && fabs(s->rise) < 0.01 &&
	       s->speed < 0.05;
}
#endif

static void grasp(struct demo *d, enum dx_grasp g, double force)
{
	struct dx_hand_target t;

	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_GRASP;
	t.grasp = g;
	t.force = force;
	send(d, &t);
}

static void scenario(struct demo *d)
{
	struct dx_hand_target t;
#if DX_HAVE_MUJOCO
	struct dx_simhand_object s;
#endif

	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_RECOVER;
	send(d, &t);
	phase(d, "home");
	t.kind = DX_TARGET_HOME;
	send(d, &t);
	settle(d, 0.5);

	/* ---- cylinder: power grasp, lift, heavier, put down, release ---- */
	phase(d, "power grasp");
	grasp(d, DX_GRASP_POWER, d->o.force);
	run_for(d, 2.0, NULL, NULL, all_holding);
	settle(d, 0.5);
	/* the fingers slid over the can while wrapping it, and the grasp
	 * raised its force for that; ask for the intended grip again */
	phase(d, "set grip");
	grasp(d, DX_GRASP_POWER, d->o.force);
	settle(d, 0.5);
	phase(d, "lift");
	lift(d, 0.0, 0.08, 1.0);
	settle(d, 0.5);
#if DX_HAVE_MUJOCO
	if (obj_state(d, d->cyl, &s))
		d->lifted[0] = s.lifted;
	d->force_before = grip_total(d);
	phase(d, "heavier");
	d->slip_mark = d->slip_events;
	if (d->sim && d->cyl >= 0)
		dx_simhand_set_mass(d->sim, (unsigned)d->cyl, d->o.heavy);
	run_for(d, 1.5, NULL, NULL, NULL);
	d->force_after = grip_total(d);
	d->slip_heavy = d->slip_events - d->slip_mark;
	if (obj_state(d, d->cyl, &s))
		d->held[0] = d->lifted[0] && s.lifted;
#endif
	phase(d, "put down");
	lift(d, 0.08, down_to(d, d->cyl, 0.08), 1.0);
	settle(d, 0.3);
	phase(d, "release");
	grasp(d, DX_GRASP_RELEASE, 0);
	run_for(d, 1.0, NULL, NULL, NULL);
	lift(d, down_to(d, d->cyl, 0.08), 0.03, 0.4);
#if DX_HAVE_MUJOCO
	if (obj_state(d, d->cyl, &s))
		d->released[0] = d->held[0] && put_back(&s);
#endif
	if (d->sph < 0 || interrupted)
		return;

	/* ---- sphere: pinch, lift, put down, release ---- */
	phase(d, "to the sphere");
	d->on_sphere = true;
	lift(d, 0.03, 0.15, 0.8);
	reach(d, 0.0, -0.1, 1.2);
	lift(d, 0.15, 0.0, 0.8);
	phase(d, "pre-shape");
	posture(d, pre_pinch, DX_ARRAY_SIZE(pre_pinch));
	run_for(d, 1.0, NULL, NULL, NULL);
	phase(d, "pinch");
	grasp(d, DX_GRASP_PINCH, d->o.pinch);
	run_for(d, 1.5, NULL, NULL, all_holding);
	settle(d, 0.3);
	phase(d, "lift");
	lift(d, 0.0, 0.05, 0.8);
	settle(d, 0.3);
#if DX_HAVE_MUJOCO
	if (obj_state(d, d->sph, &s))
		d->lifted[1] = s.lifted;
#endif
	phase(d, "hold");
	run_for(d, 1.0, NULL, NULL, NULL);
#if DX_HAVE_MUJOCO
	if (obj_state(d, d->sph, &s))
		d->held[1] = d->lifted[1] && s.lifted;
#endif
	phase(d, "put down");
	over_rest(d, d->sph);
	lift(d, 0.05, down_to(d, d->sph, 0.05), 0.8);
	/* on a 20 mm post a sweeping thumb would knock the sphere off:
	 * open the flexion joints, move away, then go home */
	phase(d, "release");
	{
		double z = down_to(d, d->sph, 0.05);
		posture(d, open_pinch, DX_ARRAY_SIZE(open_pinch));
		run_for(d, 0.8, NULL, NULL, NULL);
		lift(d, z, z + 0.04, 0.4);
	}
	memset(&t, 0, sizeof(t));
	t.kind = DX_TARGET_HOME;
	send(d, &t);
	settle(d, 0.5);
#if DX_HAVE_MUJOCO
	if (obj_state(d, d->sph, &s))
		d->released[1] = d->held[1] && put_back(&s);
#endif
}

/* ---- summary, CSV, plots ----------------------------------------------------------- */

static void bus_load_open(struct demo *d)
{
	for (unsigned b = 0; b < d->cfg->buses_count && b < MAX_BUS; b++) {
		const char *tr = d->cfg->buses[b].transport;
		struct dx_simbus_info info;
		struct dx_can_opts co;

		if (strncmp(tr, "simbus:", 7) != 0)
			continue;
		memset(&co, 0, sizeof(co));
		co.fd = d->cfg->buses[b].fd;
		co.bitrate = d->cfg->buses[b].bitrate;
		co.data_bitrate = d->cfg->buses[b].data_bitrate;
		if (dx_simbus_open(&d->watch[b], tr + 7, &co, NULL) != 0)
			continue;
		dx_simbus_get_info(d->watch[b], &info);
		d->busy0[b] = info.busy_ns;
		d->busnow0[b] = info.now_ns;
	}
}

static int write_outputs(struct demo *d, char *csv, size_t n)
{
	FILE *f;
	unsigned nj = dx_hand_njoints(d->hand), nt = dx_hand_ntips(d->hand);

	mkdir(d->o.out, 0777);
	snprintf(csv, n, "%s/hand-demo.csv", d->o.out);
	f = fopen(csv, "w");
	if (!f) {
		fprintf(stderr, "hand-demo: %s: %s\n", csv, strerror(errno));
		return -1;
	}
	fprintf(f, "t_s,phase");
	for (unsigned j = 0; j < nj; j++)
		fprintf(f, ",q_%s,qref_%s", dx_hand_joint_name(d->hand, j),
			dx_hand_joint_name(d->hand, j));
	for (unsigned k = 0; k < nt; k++)
		fprintf(f, ",force_%s", dx_hand_tip_name(d->hand, k));
	fprintf(f, ",slip_mask,contact_mask,slip_any,cylinder_z,sphere_z\n");
	for (size_t i = 0; i < d->nrows; i++) {
		const struct row *r = &d->rows[i];
		fprintf(f, "%.4f,%u", r->t, r->phase);
		for (unsigned j = 0; j < nj; j++)
			fprintf(f, ",%.5f,%.5f", r->q[j], r->qref[j]);
		for (unsigned k = 0; k < nt; k++)
			fprintf(f, ",%.4f", r->force[k]);
		fprintf(f, ",%u,%u,%d,%.5f,%.5f\n", r->slip, r->contact,
			r->slip ? 1 : 0, r->zc, r->zs);
	}
	fclose(f);
	/* cycle time histogram (the loop runner's, or in --fast the compute
	 * time of read + update + write), non-empty buckets, us */
	{
		char path[600];
		const struct dx_hist *h = d->o.fast ? &d->cyc : &d->loop.duration;
		snprintf(path, sizeof(path), "%s/hand-demo-cycle.csv", d->o.out);
		f = fopen(path, "w");
		if (f) {
			fprintf(f, "lo_us,hi_us,cycles\n");
			for (unsigned i = 0; i < DX_HIST_BUCKETS; i++) {
				int64_t lo, hi;
				if (!h->bucket[i])
					continue;
				dx_hist_bucket_range(i, &lo, &hi);
				fprintf(f, "%.3f,%.3f,%u\n", lo / 1e3, hi / 1e3,
					h->bucket[i]);
			}
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/hand-demo-bus.csv", d->o.out);
		f = fopen(path, "w");
		if (f) {
			fprintf(f, "bus,planned_pct,measured_pct\n");
			for (unsigned b = 0; b < dx_hand_nbuses(d->hand) && b < MAX_BUS; b++) {
				struct dx_hand_bus_report r;
				dx_hand_bus_report(d->hand, b, &r);
				fprintf(f, "%s,%.2f,%.2f\n", r.name,
					100 * d->load_planned[b],
					100 * d->load_measured[b]);
			}
			fclose(f);
		}
	}
	/* slip events (force target raised) */
	{
		char path[600];
		snprintf(path, sizeof(path), "%s/hand-demo-slip.csv", d->o.out);
		f = fopen(path, "w");
		if (f) {
			fprintf(f, "t_s,force_target_n\n");
			for (unsigned i = 0; i < d->nev; i++)
				fprintf(f, "%.4f,%.3f\n", d->ev[i].t, d->ev[i].force);
			fclose(f);
		}
	}
	return 0;
}

/* Column of a joint's q in the CSV (1-based for gnuplot). */
static int qcol(struct demo *d, const char *name)
{
	for (unsigned j = 0; j < dx_hand_njoints(d->hand); j++)
		if (strcmp(dx_hand_joint_name(d->hand, j), name) == 0)
			return 3 + 2 * (int)j;
	return 3;
}

static int plots(struct demo *d, const char *csv)
{
	char gp[600], cmd[800];
	FILE *f;
	unsigned nj = dx_hand_njoints(d->hand), nt = dx_hand_ntips(d->hand);
	int fc = 3 + 2 * (int)nj; /* first force column */
	static const char *const show[] = {"index_j1", "index_j2", "middle_j1",
					   "thumb_j1"};

	snprintf(gp, sizeof(gp), "%s/hand-demo.gp", d->o.out);
	f = fopen(gp, "w");
	if (!f)
		return -1;
	fprintf(f, "set datafile separator ','\nset key outside right noenhanced\n"

		   "set grid\nset xlabel 'time (s)'\n");
	for (int fmt = 0; fmt < 2; fmt++) {
		const char *ext = fmt ? "svg" : "png";
		fprintf(f, "set terminal %s noenhanced size 1000,420\n",
			fmt ? "svg" : "pngcairo");
		fprintf(f, "set output '%s/tracking.%s'\nset title 'Joint tracking'\n"
			   "set ylabel 'rad'\nplot ", d->o.out, ext);
		for (unsigned i = 0; i < DX_ARRAY_SIZE(show); i++)
			fprintf(f, "%s'%s' using 1:%d with lines title '%s q', "
				   "'' using 1:%d with lines dt 2 title '%s ref'",
				i ? ", " : "", csv, qcol(d, show[i]), show[i],
				qcol(d, show[i]) + 1, show[i]);
		fprintf(f, "\nset output '%s/grip.%s'\n"
			   "set title 'Grip force and slip'\nset ylabel 'N'\n"
			   "set y2label 'object height (m)'\nset y2tics\nplot ",
			d->o.out, ext);
		for (unsigned k = 0; k < nt; k++)
			fprintf(f, "'%s' using 1:%d with lines title '%s', ", csv,
				fc + (int)k, dx_hand_tip_name(d->hand, k));
		fprintf(f, "'' using 1:($%d > 0 ? 0.2 : 1/0) with points pt 7 ps 0.4 "
			   "title 'slip', '' using 1:%d axes x1y2 with lines lw 2 "
			   "title 'cylinder z', '' using 1:%d axes x1y2 with lines "
			   "lw 2 title 'sphere z'\nunset y2tics\nunset y2label\n",
			fc + (int)nt + 2, fc + (int)nt + 3, fc + (int)nt + 4);
		fprintf(f, "set output '%s/cycle.%s'\nset title '%s'\n"
			   "set xlabel 'us (log scale)'\nset ylabel 'cycles'\n"
			   "set logscale xy\n"
			   "set style fill solid 0.6\n"
			   "plot '%s/hand-demo-cycle.csv' every ::1 using "
			   "(($1+$2)/2):3:($2-$1) with boxes title 'cycles'\n"
			   "unset logscale xy\n",
			d->o.out, ext,
			d->o.fast ? "Cycle compute time (read, update, write)"
				  : "Cycle time at 1 kHz (loop runner)",
			d->o.out);
		fprintf(f, "set output '%s/busload.%s'\nset title 'Bus load'\n"
			   "set xlabel ''\nset ylabel '%%'\nset yrange [0:100]\n"
			   "set style data histograms\nset style histogram cluster\n"
			   "plot '%s/hand-demo-bus.csv' every ::1 using 2:xtic(1) "
			   "title 'planned', '' every ::1 using 3 title 'measured'\n"
			   "set yrange [*:*]\nset style data lines\nset xlabel 'time (s)'\n",
			d->o.out, ext, d->o.out);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>%s/gnuplot.log", gp, d->o.out);
	return system(cmd) == 0 ? 0 : -1;
}

static void summary(struct demo *d)
{
	struct dx_hist_summary hs;
	struct dx_hand_stats st;
	unsigned nf = 0;

	printf("\n\n==== summary%s ====\n",
	       interrupted ? " (interrupted: the scenario did not finish)" : "");
	if (d->o.fast) {
		dx_hist_summarize(&d->cyc, &hs);
		printf("control cycle (read+update+write), %llu cycles on the "
		       "virtual clock:\n  compute p50 %.1f us, p90 %.1f us, p99 "
		       "%.1f us, p99.9 %.1f us, max %.1f us\n",
		       (unsigned long long)hs.count, hs.p50 / 1e3, hs.p90 / 1e3,
		       hs.p99 / 1e3, hs.p999 / 1e3, hs.max / 1e3);
	} else if (!d->o.external || d->ctl_started) {
		struct dx_hist_summary lat;
		dx_hist_summarize(&d->loop.duration, &hs);
		dx_hist_summarize(&d->loop.latency, &lat);
		printf("control loop at 1 kHz (loop runner, %s, %llu cycles):\n"
		       "  cycle time p50 %.1f us, p90 %.1f us, p99 %.1f us, "
		       "p99.9 %.1f us, max %.1f us\n"
		       "  wake-up latency p50 %.1f us, p99 %.1f us, max %.1f us; "
		       "overruns %llu, missed %llu\n",
		       d->ctl_fifo ? "SCHED_FIFO 80" : "normal priority",
		       (unsigned long long)hs.count, hs.p50 / 1e3, hs.p90 / 1e3,
		       hs.p99 / 1e3, hs.p999 / 1e3, hs.max / 1e3, lat.p50 / 1e3,
		       lat.p99 / 1e3, lat.max / 1e3,
		       (unsigned long long)d->loop.overruns,
		       (unsigned long long)d->loop.missed);
	}
	dx_hand_get_stats(d->hand, &st);
	printf("update step p50 %.1f us, p99 %.1f us; replies missed %llu; "
	       "IK failures %llu\n",
	       st.update_ns.p50 / 1e3, st.update_ns.p99 / 1e3,
	       (unsigned long long)st.replies_missed,
	       (unsigned long long)st.ik_failures);
	printf("bus load (planned / measured):\n");
	for (unsigned b = 0; b < dx_hand_nbuses(d->hand); b++) {
		struct dx_hand_bus_report r;
		struct dx_simbus_info info;
		double meas = NAN;

		dx_hand_bus_report(d->hand, b, &r);
		if (b < MAX_BUS && d->watch[b] &&
		    dx_simbus_get_info(d->watch[b], &info) == 0 &&
		    info.now_ns > d->busnow0[b])
			meas = (double)(info.busy_ns - d->busy0[b]) /
			       (double)(info.now_ns - d->busnow0[b]);
		printf("  %-9s %5.1f %% / %5.1f %%  (%u frames per cycle)\n",
		       r.name, 100 * r.load, 100 * meas, r.frames_per_cycle);
		if (b < MAX_BUS) {
			d->load_planned[b] = r.load;
			d->load_measured[b] = meas;
		}
	}
	printf("contacts (cycles in contact, peak fused force):");
	for (unsigned k = 0; k < dx_hand_ntips(d->hand); k++)
		printf(" %s %u / %.1f N%s", dx_hand_tip_name(d->hand, k),
		       d->contact_cycles[k], d->max_force[k],
		       k + 1 < dx_hand_ntips(d->hand) ? "," : "");
	printf("\nfaults:");
	for (unsigned c = 1; c < 16; c++)
		if (d->faults_by_cause[c]) {
			printf(" %s %u", dx_hand_cause_name((enum dx_hand_cause)c),
			       d->faults_by_cause[c]);
			nf += d->faults_by_cause[c];
		}
	printf("%s\n", nf ? "" : " none");
#if DX_HAVE_MUJOCO
	if (d->sim) {
		struct dx_simhand_stats ss;
		dx_simhand_get_stats(d->sim, &ss);
		printf("simulated hand: %llu frames in, %llu out, %llu physics "
		       "steps, physics lag max %.2f ms%s\n",
		       (unsigned long long)ss.frames_in,
		       (unsigned long long)ss.frames_out,
		       (unsigned long long)ss.physics_steps, ss.max_lag_ns / 1e6,
		       ss.lag_skips ? " (fell behind real time)" : "");
	}
#endif
	printf("\n");
	printf("slip: detected %s (%u force raises after the mass change, %u "
	       "in all), grip force raised %s (%.1f N -> %.1f N)\n",
	       d->slip_heavy ? "yes" : "no", d->slip_heavy, d->slip_events,
	       d->force_after > d->force_before * 1.05 ? "yes" : "no",
	       d->force_before, d->force_after);
	if (d->o.external) {
		printf("objects: not visible from this process (the simulated "
		       "hand runs in another one)\n");
		return;
	}
	printf("cylinder: lifted %s, held %s, released %s\n",
	       d->lifted[0] ? "yes" : "no", d->held[0] ? "yes" : "no",
	       d->released[0] ? "yes" : "no");
	if (d->sph >= 0)
		printf("sphere: lifted %s, held %s, released %s\n",
		       d->lifted[1] ? "yes" : "no", d->held[1] ? "yes" : "no",
		       d->released[1] ? "yes" : "no");
}

/* ---- set-up ---------------------------------------------------------------------- */

static const char *find_file(const char *given, const char *rel, char *buf,
			     size_t n, const char *argv0)
{
	const char *slash;

	if (given)
		return given;
	snprintf(buf, n, "examples/%s", rel);
	if (access(buf, R_OK) == 0)
		return buf;
	/* build/examples/hand-demo -> <source>/examples */
	slash = strrchr(argv0, '/');
	snprintf(buf, n, "%.*s/../../examples/%s", slash ? (int)(slash - argv0) : 1,
		 slash ? argv0 : ".", rel);
	return buf;
}

static int usage(FILE *out)
{
	fprintf(out,
		"usage: hand-demo [--fast] [--short] [--out DIR] [--config YAML]\n"
		"                 [--scene MJCF] [--prefix P] [--external] [--quiet]\n"
		"                 [--force N] [--pinch N] [--heavy KG] [--verbose]\n"
		"  --fast      controller and simulated hand in one thread on the\n"
		"              buses' virtual clock (repeatable, as fast as possible)\n"
		"  --short     shorter phases (tests)\n"
		"  --out DIR   where the CSV and plots go (hand-demo-out)\n"
		"  --prefix P  simbus bus names start with P- instead of the\n"
		"              configuration's (several demos side by side)\n"
		"  --external  the simulated hand runs in another process\n"
		"              (`dx sim CONFIG`); no lift or mass change then\n"
		"  --force N   grip force per finger (3 N)\n"
		"  --pinch N   pinch force per finger (1.5 N)\n"
		"  --heavy KG  the can's mass after the change (1.0 kg)\n"
		"  --verbose   the simulated object's state in the status line\n");
	return out == stderr ? 2 : 0;
}

static int parse(struct opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->out = "hand-demo-out";
	o->force = 3.0;
	o->heavy = 1.0;
	o->pinch = 1.5;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage(stdout) + 1;
		else if (!strcmp(a, "--fast"))
			o->fast = true;
		else if (!strcmp(a, "--short"))
			o->shortrun = true;
		else if (!strcmp(a, "--external"))
			o->external = true;
		else if (!strcmp(a, "--quiet"))
			o->quiet = true;
		else if (!strcmp(a, "--out") && more)
			o->out = argv[++i];
		else if (!strcmp(a, "--config") && more)
			o->config = argv[++i];
		else if (!strcmp(a, "--scene") && more)
			o->scene = argv[++i];
		else if (!strcmp(a, "--prefix") && more)
			o->prefix = argv[++i];
		else if (!strcmp(a, "--pinch") && more)
			o->pinch = atof(argv[++i]);
		else if (!strcmp(a, "--verbose"))
			o->verbose = true;
		else if (!strcmp(a, "--heavy") && more)
			o->heavy = atof(argv[++i]);
		else if (!strcmp(a, "--force") && more)
			o->force = atof(argv[++i]);
		else
			return usage(stderr);
	}
	if (o->fast && o->external) {
		fprintf(stderr, "hand-demo: --fast needs the simulated hand in this "
				"process (no --external)\n");
		return 2;
	}
	if (!(o->force > 0 && o->force < 20) || !(o->pinch > 0 && o->pinch < 20)) {
		fprintf(stderr, "hand-demo: --force and --pinch must be in (0, 20) N\n");
		return 2;
	}
	if (!(o->heavy > 0 && o->heavy <= 1000)) {
		fprintf(stderr, "hand-demo: --heavy must be in (0, 1000] kg\n");
		return 2;
	}
	return 0;
}

/* Removes the simbus segments of the configuration's buses. */
static void unlink_buses(const struct dx_hand_config *cfg)
{
	for (unsigned b = 0; b < cfg->buses_count; b++)
		if (!strncmp(cfg->buses[b].transport, "simbus:", 7))
			dx_simbus_unlink(cfg->buses[b].transport + 7);
}

/* Bus names with the prefix: simbus:hand16-index-a -> simbus:P-index-a. */
static void rename_buses(struct demo *d)
{
	for (unsigned b = 0; b < d->cfg->buses_count && b < MAX_BUS; b++) {
		char *tr = d->cfg->buses[b].transport;
		const char *dash;

		if (!d->o.prefix || strncmp(tr, "simbus:", 7) != 0)
			continue;
		dash = strchr(tr + 7, '-');
		snprintf(d->transport[b], sizeof(d->transport[b]), "simbus:%s%s",
			 d->o.prefix, dash ? dash : "");
		d->orig_transport[b] = tr;
		d->cfg->buses[b].transport = d->transport[b];
	}
}

static void restore_buses(struct demo *d)
{
	for (unsigned b = 0; b < d->cfg->buses_count && b < MAX_BUS; b++)
		if (d->orig_transport[b])
			d->cfg->buses[b].transport = d->orig_transport[b];
}

/* The controller came up: every joint has feedback. Otherwise names the
 * buses nobody answers on. */
static bool links_up(struct demo *d, bool report)
{
	bool ok = true, said[MAX_BUS] = {false};

	for (unsigned j = 0; j < dx_hand_njoints(d->hand); j++) {
		struct dx_hand_joint_state s;
		const char *jn = dx_hand_joint_name(d->hand, j);

		if (dx_hand_joint_state(d->hand, j, &s) == 0 && s.valid)
			continue;
		ok = false;
		if (!report)
			continue;
		for (unsigned a = 0; a < d->cfg->actuators_count; a++) {
			const struct dx_hand_actuator_config *ac = &d->cfg->actuators[a];
			int b;
			if (!ac->joint || strcmp(ac->joint, jn) != 0)
				continue;
			b = dx_hand_config_find_bus(d->cfg, ac->bus);
			if (b >= 0 && b < MAX_BUS && !said[b]) {
				said[b] = true;
				fprintf(stderr,
					"hand-demo: no drive answers on bus %s (%s): is "
					"the simulated hand running?\n",
					ac->bus, d->cfg->buses[b].transport);
			}
		}
	}
	return ok;
}

int main(int argc, char **argv)
{
	static struct demo dd;
	struct demo *d = &dd;
	struct dx_hand_config_error ce;
	struct dx_hand_opts ho;
	char cfgbuf[512], scenebuf[512], csv[600];
	int rc, status_code = 0;

	rc = parse(&d->o, argc, argv);
	if (rc)
		return rc == 1 ? 0 : rc;
#if !DX_HAVE_MUJOCO
	if (!d->o.external) {
		fprintf(stderr, "hand-demo: this build has no MuJoCo (install "
				"libmujoco-dev and reconfigure); only --external "
				"works\n");
		return 77;
	}
#endif
	d->o.config = find_file(d->o.config, "hand16.yaml", cfgbuf,
				sizeof(cfgbuf), argv[0]);
	d->o.scene = find_file(d->o.scene, "mjcf/scene-demo.xml", scenebuf,
			       sizeof(scenebuf), argv[0]);
	d->cyl = d->sph = -1;
	d->phase_name[0] = "start";
	d->rows = calloc(MAX_ROWS, sizeof(*d->rows));
	if (!d->rows)
		return 1;
	rc = dx_hand_config_load(d->o.config, &d->cfg, &ce);
	if (rc) {
		fprintf(stderr, "hand-demo: %s\n", ce.msg);
		return 1;
	}
	rename_buses(d);
	/* in real time on a shared machine a scheduling stall of a few ms
	 * is not a drive failure: tolerate 20 ms of silence in this demo
	 * (the configuration's value stays what a real hand should use) */
	if (!d->o.fast && d->cfg->safety.link_loss_cycles < 20) {
		printf("note: link loss after 20 missed replies in this demo "
		       "(the configuration says %u)\n",
		       d->cfg->safety.link_loss_cycles);
		d->cfg->safety.link_loss_cycles = 20;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("dexrt hand demo: %s, %u joints, %u pads, %u buses, %s\n",
	       d->cfg->name, d->cfg->actuators_count, d->cfg->pads_count,
	       d->cfg->buses_count,
	       d->o.fast ? "virtual clock (--fast)"
			 : "real time, 1 kHz control loop");
#if DX_HAVE_MUJOCO
	if (!d->o.external) {
		struct dx_simhand_opts so;
		struct dx_simhand_error se;

		memset(&so, 0, sizeof(so));
		so.scene = d->o.scene;
		so.clock = d->o.fast ? DX_SIMHAND_VIRTUAL : DX_SIMHAND_LIVE;
		/* a crashed earlier run may have left its buses behind */
		unlink_buses(d->cfg);
		rc = dx_simhand_create(&d->sim, d->cfg, &so, &se);
		if (rc) {
			fprintf(stderr, "hand-demo: simulated hand: %s\n", se.msg);
			status_code = 1;
			goto out;
		}
		d->cyl = dx_simhand_object_index(d->sim, "cylinder");
		d->sph = dx_simhand_object_index(d->sim, "sphere");
		printf("simulated hand: %s, %u objects\n", d->o.scene,
		       dx_simhand_nobjects(d->sim));
		d->t_virt = dx_simhand_now(d->sim);
		dx_simhand_poll(d->sim, d->t_virt);
		for (int i = 0; i < 2; i++) {
			struct dx_simhand_object s;
			int o = i ? d->sph : d->cyl;
			if (o >= 0 && o < 2 &&
			    dx_simhand_object_state(d->sim, (unsigned)o, &s) == 0)
				memcpy(d->rest[o], s.pos, sizeof(d->rest[o]));
		}
	}
#endif
	memset(&ho, 0, sizeof(ho));
	ho.ring_depth = 1024;
	rc = dx_hand_init(&d->hand, d->cfg, &ho, &ce);
	if (rc) {
		fprintf(stderr, "hand-demo: %s\n", ce.msg);
		status_code = 1;
		goto out;
	}
	bus_load_open(d);
#if DX_HAVE_MUJOCO
	if (d->sim && !d->o.fast) {
		if (pthread_create(&d->sim_thread, NULL, sim_main, d) == 0)
			d->sim_started = true;
	}
#endif
	if (!d->o.fast) {
		struct dx_rt_loop_config lc = {.period_ns = d->cfg->period_us *
							    DX_NS_PER_US};
		dx_rt_loop_init(&d->loop, &lc);
		if (pthread_create(&d->ctl_thread, NULL, ctl_main, d) == 0)
			d->ctl_started = true;
	}
	d->t0 = now_ns(d);
	/* the drives answer within a few cycles when the hand is there */
	run_for(d, 0.3, NULL, NULL, NULL);
	if (!links_up(d, false))
		run_for(d, 1.0, NULL, NULL, NULL);
	if (!links_up(d, false)) {
		if (!d->o.quiet)
			printf("\n");
		fflush(stdout);
		links_up(d, true);
		status_code = 1;
		goto out;
	}
	printf("all %u drives answer; scenario starts\n", d->cfg->actuators_count);
	if (d->o.external)
		printf("note: --external: the scene is not changed from here (no "
		       "lift, no reach, no added mass); the grasps close where "
		       "the hand is\n");
	if (!d->o.fast && !d->ctl_fifo)
		printf("note: no real-time priority for the control loop (needs "
		       "root or CAP_SYS_NICE); on a busy machine replies may come "
		       "late and drives be reported lost. --fast runs on the "
		       "virtual clock instead.\n");
	scenario(d);
	if (interrupted)
		printf("\ninterrupted\n");
out:
	if (d->ctl_started) {
		atomic_store(&d->ctl_stop, 1);
		pthread_join(d->ctl_thread, NULL);
	}
#if DX_HAVE_MUJOCO
	if (d->sim_started) {
		dx_simhand_stop(d->sim);
		pthread_join(d->sim_thread, NULL);
	}
#endif
	if (d->hand && !status_code) {
		drain(d);
		summary(d);
		if (write_outputs(d, csv, sizeof(csv)) == 0) {
			printf("\ndata:  %s (%zu rows)\n       %s/hand-demo-slip.csv\n"
			       "       %s/hand-demo-cycle.csv\n"
			       "       %s/hand-demo-bus.csv\n",
			       csv, d->nrows, d->o.out, d->o.out, d->o.out);
			if (plots(d, csv) == 0)
				for (int k = 0; k < 4; k++)
					printf("%s %s/%s.png (and .svg)\n",
					       k ? "      " : "plots:", d->o.out,
					       (const char *const[]){"tracking", "grip",
								     "cycle",
								     "busload"}[k]);
			else
				printf("plots: gnuplot failed or is missing (see "
				       "%s/gnuplot.log); the CSV is there\n",
				       d->o.out);
		}
	}
	for (unsigned b = 0; b < MAX_BUS; b++)
		dx_can_close(d->watch[b]);
	dx_hand_free(d->hand);
#if DX_HAVE_MUJOCO
	dx_simhand_free(d->sim);
	if (!d->o.external)
		unlink_buses(d->cfg);
#endif
	/* nobody answered: the buses this controller created are nobody's */
	if (d->o.external && status_code)
		unlink_buses(d->cfg);
	restore_buses(d);
	dx_hand_config_free(d->cfg);
	free(d->rows);
	if (interrupted)
		return 130;
	return status_code;
}
