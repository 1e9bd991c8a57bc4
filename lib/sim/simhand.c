/* SPDX-License-Identifier: MIT */
/* The simulated hand: a hand.yaml's buses served by virtual drives and pads
 * whose mechanics and contacts come from a MuJoCo world. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <cglm/cglm.h>
#include <mujoco/mujoco.h>

#include <dexrt/can.h>
#include <dexrt/drive.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>
#include <dexrt/simhand.h>
#include <dexrt/simpad.h>
#include <dexrt/simworld.h>

#define RX_BATCH 64
#define TX_MAX 256
#define SPONT_MAX 32
#define WORLD_CONTACTS 16
#define MAX_LAG_NS (50 * DX_NS_PER_MS)

struct sh_bus {
	struct dx_can *can;
	const char *transport;
	bool fd;
	int lock_fd;
	unsigned nspont;
	struct dx_can_frame rx[RX_BATCH];
	struct dx_can_frame tx[TX_MAX];
	struct dx_can_frame spont[SPONT_MAX];
};

struct sh_pad {
	struct dx_simpad sp;
	unsigned bus;
	unsigned wpad;     /* world pad */
	int body;          /* world body of the pad's link */
	float origin[3], normal[3];
	bool slipping;
	int64_t next_scan_ns;
};

struct sh_obj {
	int body;
	char name[64];
	double z0;
};

struct dx_simhand {
	const struct dx_hand_config *cfg;
	struct dx_simworld *w;
	enum dx_simhand_clock clock;
	int64_t service_ns;
	double contact_radius, slip_speed;
	int64_t offset_ns;  /* bus time - world time */
	int64_t last_pad_ns;
	unsigned nb, na, np, nobj;
	struct sh_bus *bus;
	struct dx_vdrive *v;
	struct dx_simworld_motor_link *link;
	unsigned *act_bus;
	struct sh_pad *pad;
	struct sh_obj obj[DX_SIMHAND_MAX_OBJECTS];
	int lift_act, reach_act[2];
	/* posted requests (another thread) */
	atomic_int mass_pending[DX_SIMHAND_MAX_OBJECTS];
	double mass_req[DX_SIMHAND_MAX_OBJECTS];
	atomic_int lift_pending, reach_pending;
	double lift_req, reach_req[2];
	/* published object states (seqlock) */
	atomic_uint seq;
	struct dx_simhand_object pub[DX_SIMHAND_MAX_OBJECTS];
	atomic_int stop;
	struct dx_simhand_stats st;
};

static int fail(struct dx_simhand_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- set-up ---------------------------------------------------------------- */

/* One simulated hand per bus: a lock file per transport name, held (flock)
 * while the bus is served; the kernel drops it when the process dies. */
static int lock_bus(struct sh_bus *b, struct dx_simhand_error *err)
{
	char path[256], pidtxt[32];
	int fd, n;
	size_t k = 0;

	n = snprintf(path, sizeof(path), "/tmp/dexrt-simhand.");
	for (const char *p = b->transport; *p && (size_t)n + k + 6 < sizeof(path); p++)
		path[n + k++] = (char)(((*p >= 'a' && *p <= 'z') ||
					(*p >= 'A' && *p <= 'Z') ||
					(*p >= '0' && *p <= '9') || *p == '-' ||
					*p == '_' || *p == '.') ? *p : '_');
	memcpy(path + n + k, ".lock", 6);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return fail(err, -errno, "%s: cannot create the lock file %s: %s",
			    b->transport, path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t r = pread(fd, pidtxt, sizeof(pidtxt) - 1, 0);
		pidtxt[r > 0 ? r : 0] = '\0';
		pidtxt[strcspn(pidtxt, "\n")] = '\0';
		close(fd);
		return fail(err, DX_EBUSY,
			    "bus %s is already served by another simulated hand "
			    "(pid %s); stop it first",
			    b->transport, pidtxt[0] ? pidtxt : "?");
	}
	n = snprintf(pidtxt, sizeof(pidtxt), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pidtxt, (size_t)n, 0) != n)
		(void)0; /* the pid is only for the message */
	b->lock_fd = fd;
	return 0;
}

static int open_bus(struct dx_simhand *s, unsigned i, struct dx_simhand_error *err)
{
	const struct dx_hand_bus_config *bc = &s->cfg->buses[i];
	struct sh_bus *b = &s->bus[i];
	struct dx_can_opts co;
	int rc;

	b->transport = bc->transport;
	b->fd = bc->fd;
	b->lock_fd = -1;
	rc = lock_bus(b, err);
	if (rc)
		return rc;
	memset(&co, 0, sizeof(co));
	co.fd = bc->fd;
	co.bitrate = bc->bitrate ? bc->bitrate : 1000000;
	co.data_bitrate = bc->data_bitrate;
	if (strncmp(bc->transport, "simbus:", 7) == 0) {
		struct dx_simbus_opts so = {
			.clock = s->clock == DX_SIMHAND_VIRTUAL
					 ? DX_SIMBUS_CLOCK_VIRTUAL
					 : DX_SIMBUS_CLOCK_REAL,
		};
		rc = dx_simbus_open(&b->can, bc->transport + 7, &co, &so);
		if (rc == DX_ECONFIG)
			return fail(err, rc,
				    "bus %s exists with another %s or bitrate "
				    "(left by a run in the other clock mode? "
				    "`dx sim --unlink` removes it)",
				    bc->transport, "clock");
	} else if (s->clock == DX_SIMHAND_VIRTUAL) {
		return fail(err, DX_ECONFIG,
			    "bus %s: the deterministic clock needs simbus buses",
			    bc->transport);
	} else {
		rc = dx_can_open(&b->can, bc->transport, &co);
	}
	if (rc)
		return fail(err, rc, "bus %s (buses[%u] '%s'): %s", bc->transport,
			    i, bc->name, dx_strerror(rc));
	return 0;
}

static int make_drive(struct dx_simhand *s, unsigned i, struct dx_simhand_error *err)
{
	const struct dx_hand_actuator_config *a = &s->cfg->actuators[i];
	struct dx_drive_desc d;
	char spec[160];
	const char *proto = a->protocol;
	struct dx_vdrive *v = &s->v[i];
	double scale, offset, q0, gr;
	int j, b, rc;

	if (!a->joint)
		return fail(err, DX_ECONFIG,
			    "actuators[%u] '%s': coupled actuators are not "
			    "simulated yet (give each actuator its joint)",
			    i, a->name);
	b = dx_hand_config_find_bus(s->cfg, a->bus);
	if (b < 0)
		return fail(err, DX_ECONFIG, "actuators[%u]: no bus '%s'", i, a->bus);
	s->act_bus[i] = (unsigned)b;
	if (strcmp(proto, "robstride") == 0)
		proto = "mit";
	snprintf(spec, sizeof(spec), "%s:%s:id=%u", proto, a->model,
		 (unsigned)a->id);
	rc = dx_drive_desc_parse(spec, &d);
	if (rc)
		return fail(err, DX_ECONFIG, "actuators[%u] '%s': %s drive model "
			    "'%s' is not known", i, a->name, a->protocol, a->model);
	/* reply id as the host expects it (hand.c: Damiao answers on
	 * id + 0x10, its manual's default master id; others on 0) */
	if (d.proto == DX_DRIVE_MIT) {
		const struct dx_mit_model *m = d.model;
		d.master = m->family == DX_MIT_DAMIAO ? (uint8_t)(a->id + 0x10) : 0;
	}
	rc = dx_vdrive_init(v, &d);
	if (rc)
		return fail(err, rc, "actuators[%u] '%s': %s", i, a->name,
			    dx_strerror(rc));
	j = dx_simworld_joint_index(s->w, a->joint);
	if (j < 0)
		return fail(err, DX_ECONFIG, "actuators[%u] '%s': the scene has "
			    "no hinge or slide joint '%s'", i, a->name, a->joint);
	/* actuator position = direction * gear * q + zero_offset (hand.h) */
	gr = a->gear_ratio > 0 ? a->gear_ratio : 1.0;
	scale = 1.0 / ((a->direction < 0 ? -1.0 : 1.0) * gr);
	offset = -a->zero_offset * scale;
	rc = dx_simworld_motor_link_init(&s->link[i], s->w, (unsigned)j, scale,
					 offset);
	if (rc)
		return fail(err, rc, "actuators[%u]: link: %s", i, dx_strerror(rc));
	dx_vmotor_set_dynamics(&v->motor, dx_simworld_motor_dynamics, &s->link[i]);
	/* the rotor inertia and friction of the motor model now belong to
	 * the joint (simworld.h: armature = J_rotor N^2 / s^2, damping =
	 * viscous / s^2, friction = coulomb / |s|) */
	rc = dx_simworld_joint_set_drive(
		s->w, (unsigned)j,
		v->motor.p.rotor_inertia * v->motor.p.gear_ratio *
			v->motor.p.gear_ratio / (scale * scale),
		v->motor.p.viscous / (scale * scale),
		v->motor.p.coulomb / fabs(scale));
	if (rc)
		return fail(err, rc, "actuators[%u]: drive terms: %s", i,
			    dx_strerror(rc));
	dx_simworld_get_joint(s->w, (unsigned)j, &q0, NULL);
	v->motor.pos = (q0 - offset) / scale;
	return 0;
}

static int make_pad(struct dx_simhand *s, unsigned p, struct dx_simhand_error *err)
{
	const struct dx_hand_pad_config *pc = &s->cfg->pads[p];
	struct sh_pad *sp = &s->pad[p];
	struct dx_simpad_config c;
	struct dx_tactile_taxel tx[DX_TACTILE_MAX_TAXELS];
	int wp, b, body, rc;

	b = dx_hand_config_find_bus(s->cfg, pc->bus);
	if (b < 0)
		return fail(err, DX_ECONFIG, "tactile[%u]: no bus '%s'", p, pc->bus);
	sp->bus = (unsigned)b;
	body = dx_simworld_body_index(s->w, pc->link);
	wp = dx_simworld_pad_index(s->w, pc->name);
	if (wp < 0 && body >= 0) {
		for (unsigned k = 0; k < dx_simworld_npads(s->w); k++) {
			struct dx_simworld_pad_info pi;
			if (dx_simworld_pad_info(s->w, k, &pi) == 0 &&
			    pi.body == body) {
				wp = (int)k;
				break;
			}
		}
	}
	if (wp < 0 || body < 0)
		return fail(err, DX_ECONFIG, "tactile[%u] '%s': the scene has no "
			    "pad of that name and no pad on link '%s'", p,
			    pc->name, pc->link);
	sp->wpad = (unsigned)wp;
	sp->body = body;
	dx_simpad_config_default(&c, pc->protocol && !strcmp(pc->protocol, "uskin")
					     ? DX_TACTILE_PROTO_USKIN
					     : DX_TACTILE_PROTO_DEXRT);
	c.board = pc->board;
	c.axes = pc->axes;
	c.fd = s->bus[b].fd && c.proto == DX_TACTILE_PROTO_DEXRT;
	c.seed = 1u + p;
	if (pc->gain > 0)
		c.counts_per_n = (float)(1.0 / pc->gain);
	for (int k = 0; k < 3; k++) {
		sp->origin[k] = (float)pc->origin[k];
		sp->normal[k] = (float)pc->normal[k];
	}
	if (pc->taxels_count) {
		if (pc->taxels_count > DX_TACTILE_MAX_TAXELS)
			return fail(err, DX_ECONFIG, "tactile[%u]: too many taxels", p);
		memset(tx, 0, sizeof(tx));
		for (unsigned t = 0; t < pc->taxels_count; t++)
			for (int k = 0; k < 3; k++) {
				tx[t].pos[k] = (float)pc->taxels[t].pos[k];
				tx[t].normal[k] = (float)pc->taxels[t].normal[k];
			}
		c.taxels = tx;
		c.n_taxels = pc->taxels_count;
		/* the contacts are projected on the plane of the first taxel */
		memcpy(sp->origin, tx[0].pos, sizeof(sp->origin));
		memcpy(sp->normal, tx[0].normal, sizeof(sp->normal));
	} else {
		c.rows = pc->rows;
		c.cols = pc->cols;
		c.pitch = (float)pc->pitch;
		memcpy(c.origin, sp->origin, sizeof(c.origin));
		memcpy(c.normal, sp->normal, sizeof(c.normal));
	}
	glm_vec3_normalize(sp->normal);
	rc = dx_simpad_init(&sp->sp, &c);
	if (rc)
		return fail(err, rc, "tactile[%u] '%s': %s", p, pc->name,
			    dx_strerror(rc));
	return 0;
}

/* The free bodies of the scene. The world API reaches bodies by name only,
 * so the names come from the model compiled once more here (set-up only,
 * a few milliseconds). */
static int find_objects(struct dx_simhand *s, const char *scene,
			struct dx_simhand_error *err)
{
	char msg[256];
	mjModel *m = mj_loadXML(scene, NULL, msg, sizeof(msg));

	if (!m)
		return fail(err, DX_EPARSE, "%s: %s", scene, msg);
	for (int j = 0; j < m->njnt && s->nobj < DX_SIMHAND_MAX_OBJECTS; j++) {
		const char *name;
		struct sh_obj *o;
		struct dx_simworld_pose pose;

		if (m->jnt_type[j] != mjJNT_FREE)
			continue;
		name = mj_id2name(m, mjOBJ_BODY, m->jnt_bodyid[j]);
		if (!name)
			continue;
		o = &s->obj[s->nobj];
		snprintf(o->name, sizeof(o->name), "%s", name);
		o->body = dx_simworld_body_index(s->w, name);
		if (o->body < 0)
			continue;
		dx_simworld_body_pose(s->w, (unsigned)o->body, &pose);
		o->z0 = pose.p[2];
		s->nobj++;
	}
	mj_deleteModel(m);
	return 0;
}

/* Steps every drive with every physics step: the drives' torques follow
 * their commands at the physics rate, as a drive's current loop would. */
static void step_hook(struct dx_simworld *w, int64_t t_ns, double dt_s, void *ud)
{
	struct dx_simhand *s = ud;
	struct dx_can_frame out[DX_VDRIVE_MAX_OUT];

	(void)w;
	(void)t_ns;
	for (unsigned i = 0; i < s->na; i++) {
		int k = dx_vdrive_step(&s->v[i], dt_s, out, DX_ARRAY_SIZE(out));
		struct sh_bus *b = &s->bus[s->act_bus[i]];

		for (int f = 0; f < k; f++)
			if (b->nspont < SPONT_MAX)
				b->spont[b->nspont++] = out[f];
	}
}

static void default_scene(const struct dx_hand_config *cfg, char *buf, size_t n)
{
	const char *src = cfg->source ? cfg->source : "";
	const char *slash = strrchr(src, '/');
	int dl = slash ? (int)(slash - src) : 1;

	snprintf(buf, n, "%.*s/mjcf/%s.xml", dl, slash ? src : ".",
		 cfg->name ? cfg->name : "hand");
}

DX_API int dx_simhand_create(struct dx_simhand **out,
			     const struct dx_hand_config *cfg,
			     const struct dx_simhand_opts *opts,
			     struct dx_simhand_error *err)
{
	struct dx_simhand_opts o;
	struct dx_simhand *s;
	struct dx_simworld_error we;
	char scene[512];
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || !cfg)
		return fail(err, DX_EINVAL, "no configuration");
	*out = NULL;
	memset(&o, 0, sizeof(o));
	if (opts)
		o = *opts;
	if (o.clock != DX_SIMHAND_VIRTUAL && o.clock != DX_SIMHAND_LIVE)
		return fail(err, DX_EINVAL, "unknown clock mode");
	if (o.scene)
		snprintf(scene, sizeof(scene), "%s", o.scene);
	else
		default_scene(cfg, scene, sizeof(scene));
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, DX_ENOMEM, "out of memory");
	s->cfg = cfg;
	s->clock = o.clock;
	s->service_ns = o.service_ns > 0 ? o.service_ns : 100 * DX_NS_PER_US;
	s->contact_radius = o.contact_radius > 0 ? o.contact_radius : 0.006;
	s->slip_speed = o.slip_speed > 0 ? o.slip_speed : 0.005;
	s->nb = cfg->buses_count;
	s->na = cfg->actuators_count;
	s->np = cfg->pads_count;
	s->lift_act = s->reach_act[0] = s->reach_act[1] = -1;
	s->bus = calloc(s->nb ? s->nb : 1, sizeof(*s->bus));
	s->v = calloc(s->na ? s->na : 1, sizeof(*s->v));
	s->link = calloc(s->na ? s->na : 1, sizeof(*s->link));
	s->act_bus = calloc(s->na ? s->na : 1, sizeof(*s->act_bus));
	s->pad = calloc(s->np ? s->np : 1, sizeof(*s->pad));
	for (unsigned b = 0; b < s->nb && s->bus; b++)
		s->bus[b].lock_fd = -1;
	if (!s->bus || !s->v || !s->link || !s->act_bus || !s->pad) {
		rc = fail(err, DX_ENOMEM, "out of memory");
		goto out_free;
	}
	rc = dx_simworld_load_file(scene, NULL, &s->w, &we);
	if (rc) {
		rc = fail(err, rc, "scene %s: %s", scene, we.msg);
		goto out_free;
	}
	if ((rc = find_objects(s, scene, err)))
		goto out_free;
	s->lift_act = dx_simworld_actuator_index(s->w, "lift");
	s->reach_act[0] = dx_simworld_actuator_index(s->w, "reach_x");
	s->reach_act[1] = dx_simworld_actuator_index(s->w, "reach_y");
	for (unsigned i = 0; i < s->na; i++)
		if ((rc = make_drive(s, i, err)))
			goto out_free;
	/* buses before pads: a pad's FD setting is its bus's */
	for (unsigned b = 0; b < s->nb; b++)
		if ((rc = open_bus(s, b, err)))
			goto out_free;
	for (unsigned p = 0; p < s->np; p++)
		if ((rc = make_pad(s, p, err)))
			goto out_free;
	dx_simworld_set_hook(s->w, step_hook, s);
	s->offset_ns = dx_simhand_now(s) - dx_simworld_time_ns(s->w);
	s->last_pad_ns = dx_simhand_now(s);
	*out = s;
	return 0;
out_free:
	dx_simhand_free(s);
	return rc;
}

DX_API void dx_simhand_free(struct dx_simhand *s)
{
	if (!s)
		return;
	for (unsigned b = 0; s->bus && b < s->nb; b++) {
		dx_can_close(s->bus[b].can);
		if (s->bus[b].lock_fd >= 0)
			close(s->bus[b].lock_fd);
	}
	dx_simworld_free(s->w);
	free(s->bus);
	free(s->v);
	free(s->link);
	free(s->act_bus);
	free(s->pad);
	free(s);
}

DX_API int dx_simhand_unlink_buses(const struct dx_hand_config *cfg)
{
	int n = 0;

	if (!cfg)
		return 0;
	for (unsigned b = 0; b < cfg->buses_count; b++) {
		const char *t = cfg->buses[b].transport;
		if (t && strncmp(t, "simbus:", 7) == 0 &&
		    dx_simbus_unlink(t + 7) == 0)
			n++;
	}
	return n;
}

DX_API struct dx_simworld *dx_simhand_world(struct dx_simhand *s)
{
	return s ? s->w : NULL;
}

DX_API int64_t dx_simhand_now(const struct dx_simhand *s)
{
	if (!s || s->nb == 0 || !s->bus[0].can)
		return dx_time_now_ns();
	if (dx_simbus_is(s->bus[0].can))
		return dx_simbus_now(s->bus[0].can);
	return dx_time_now_ns();
}

DX_API int dx_simhand_set_time(struct dx_simhand *s, int64_t t_ns)
{
	if (!s)
		return DX_EINVAL;
	if (s->clock != DX_SIMHAND_VIRTUAL)
		return DX_ESTATE;
	for (unsigned b = 0; b < s->nb; b++) {
		int rc = dx_simbus_set_time(s->bus[b].can, t_ns);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- serving ----------------------------------------------------------------- */

static void apply_requests(struct dx_simhand *s)
{
	for (unsigned i = 0; i < s->nobj; i++)
		if (atomic_exchange_explicit(&s->mass_pending[i], 0,
					     memory_order_acquire))
			dx_simworld_body_set_mass(s->w, (unsigned)s->obj[i].body,
						  s->mass_req[i]);
	if (atomic_exchange_explicit(&s->lift_pending, 0, memory_order_acquire))
		dx_simworld_set_ctrl(s->w, (unsigned)s->lift_act, s->lift_req);
	if (atomic_exchange_explicit(&s->reach_pending, 0, memory_order_acquire))
		for (int k = 0; k < 2; k++)
			if (s->reach_act[k] >= 0)
				dx_simworld_set_ctrl(s->w, (unsigned)s->reach_act[k],
						     s->reach_req[k]);
}

/* World vector into the frame of body @p b (cglm is float; enough for a
 * slip direction). */
static void to_body(const struct dx_simhand *s, int b, const double v[3],
		    float out[3])
{
	struct dx_simworld_pose pose;
	versor q, qi;
	vec3 in;

	dx_simworld_body_pose(s->w, (unsigned)b, &pose);
	for (int k = 0; k < 4; k++)
		q[k] = (float)pose.quat[k];
	for (int k = 0; k < 3; k++)
		in[k] = (float)v[k];
	glm_quat_inv(q, qi);
	glm_quat_rotatev(qi, in, out);
}

/* Contacts of the world on a pad's link to the virtual pad: the strongest
 * DX_SIMPAD_MAX_CONTACTS, each moved onto the pad's taxel plane (MuJoCo
 * puts the point on the link's surface, the taxels lie under it), and
 * slip mode while an object slides along the pad. */
static void update_pad(struct dx_simhand *s, struct sh_pad *p, double dt)
{
	struct dx_simworld_contact wc[WORLD_CONTACTS];
	struct dx_simpad_contact c[DX_SIMPAD_MAX_CONTACTS];
	unsigned nc = 0;
	int n = dx_simworld_pad_contacts(s->w, p->wpad, wc, WORLD_CONTACTS);
	bool slip = false;
	float slip_dir[3] = {0, 0, 0};

	for (int k = 0; k < n; k++) {
		unsigned slot = nc;
		float d;

		if (!(wc[k].fn > 0))
			continue;
		if (nc == DX_SIMPAD_MAX_CONTACTS) {
			/* replace the weakest kept one if this is stronger */
			slot = 0;
			for (unsigned m = 1; m < nc; m++)
				if (c[m].force[0] * c[m].force[0] +
					    c[m].force[1] * c[m].force[1] +
					    c[m].force[2] * c[m].force[2] <
				    c[slot].force[0] * c[slot].force[0] +
					    c[slot].force[1] * c[slot].force[1] +
					    c[slot].force[2] * c[slot].force[2])
					slot = m;
			if (wc[k].fn * wc[k].fn <
			    (double)(c[slot].force[0] * c[slot].force[0] +
				     c[slot].force[1] * c[slot].force[1] +
				     c[slot].force[2] * c[slot].force[2]))
				continue;
		} else {
			nc++;
		}
		for (int a = 0; a < 3; a++) {
			c[slot].pos[a] = (float)wc[k].pos[a];
			c[slot].force[a] = (float)wc[k].force[a];
		}
		d = 0;
		for (int a = 0; a < 3; a++)
			d += (c[slot].pos[a] - p->origin[a]) * p->normal[a];
		for (int a = 0; a < 3; a++)
			c[slot].pos[a] -= d * p->normal[a];
		c[slot].radius = (float)s->contact_radius;
		/* sliding: the other body's velocity relative to the pad's
		 * link, tangential part, above the threshold */
		if (wc[k].other > 0) {
			double vo[3], vp[3], rel[3];
			float rb[3], vn = 0, vt;

			dx_simworld_body_velocity(s->w, (unsigned)wc[k].other, vo, NULL);
			dx_simworld_body_velocity(s->w, (unsigned)p->body, vp, NULL);
			for (int a = 0; a < 3; a++)
				rel[a] = vo[a] - vp[a];
			to_body(s, p->body, rel, rb);
			for (int a = 0; a < 3; a++)
				vn += rb[a] * p->normal[a];
			for (int a = 0; a < 3; a++)
				rb[a] -= vn * p->normal[a];
			vt = glm_vec3_norm(rb);
			if (vt > s->slip_speed) {
				slip = true;
				for (int a = 0; a < 3; a++)
					slip_dir[a] = rb[a] / vt;
			}
		}
	}
	dx_simpad_set_contacts(&p->sp, c, nc);
	if (slip != p->slipping) {
		if (slip) {
			struct dx_simpad_slip sl;
			memset(&sl, 0, sizeof(sl));
			sl.on = true;
			memcpy(sl.dir, slip_dir, sizeof(sl.dir));
			dx_simpad_set_slip(&p->sp, &sl);
		} else {
			dx_simpad_set_slip(&p->sp, NULL);
		}
		p->slipping = slip;
	}
	if (dt > 0)
		dx_simpad_step(&p->sp, dt);
}

static void publish(struct dx_simhand *s)
{
	struct dx_simhand_object o[DX_SIMHAND_MAX_OBJECTS];

	for (unsigned i = 0; i < s->nobj; i++) {
		const struct sh_obj *ob = &s->obj[i];
		struct dx_simworld_pose pose;
		double lin[3], fa[3], fw[3], fo[3], fh[3];
		unsigned na = 0, nw = 0, no = 0;

		memset(&o[i], 0, sizeof(o[i]));
		o[i].name = ob->name;
		dx_simworld_body_pose(s->w, (unsigned)ob->body, &pose);
		memcpy(o[i].pos, pose.p, sizeof(o[i].pos));
		memcpy(o[i].quat, pose.quat, sizeof(o[i].quat));
		dx_simworld_body_velocity(s->w, (unsigned)ob->body, lin, NULL);
		o[i].speed = sqrt(lin[0] * lin[0] + lin[1] * lin[1] + lin[2] * lin[2]);
		dx_simworld_body_mass(s->w, (unsigned)ob->body, &o[i].mass);
		o[i].rise = pose.p[2] - ob->z0;
		dx_simworld_contact_force(s->w, (unsigned)ob->body, -1, fa, &na);
		dx_simworld_contact_force(s->w, (unsigned)ob->body, 0, fw, &nw);
		memcpy(fh, fa, sizeof(fh));
		for (int k = 0; k < 3; k++)
			fh[k] -= fw[k];
		for (unsigned k = 0; k < s->nobj; k++) {
			unsigned nk = 0;
			if (k == i)
				continue;
			dx_simworld_contact_force(s->w, (unsigned)ob->body,
						  s->obj[k].body, fo, &nk);
			no += nk;
			for (int a = 0; a < 3; a++)
				fh[a] -= fo[a];
		}
		o[i].hand_contacts = na - nw - no;
		o[i].hand_force = sqrt(fh[0] * fh[0] + fh[1] * fh[1] + fh[2] * fh[2]);
		o[i].on_support = nw > 0;
		for (unsigned p = 0; p < s->np; p++) {
			struct dx_simworld_contact wc[WORLD_CONTACTS];
			int n = dx_simworld_pad_contacts(s->w, s->pad[p].wpad, wc,
							 WORLD_CONTACTS);
			for (int k = 0; k < n; k++)
				if (wc[k].other == ob->body) {
					o[i].pad_contacts++;
					o[i].slipping |= s->pad[p].slipping;
				}
		}
		o[i].lifted = !o[i].on_support && o[i].rise >= 0.02 &&
			      o[i].hand_contacts > 0;
	}
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
	memcpy(s->pub, o, sizeof(o[0]) * s->nobj);
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_release);
}

static int advance_world(struct dx_simhand *s, int64_t t_ns)
{
	int64_t target = t_ns - s->offset_ns;
	int64_t wt = dx_simworld_time_ns(s->w);
	unsigned steps = 0;
	int rc;

	if (target - wt > MAX_LAG_NS) {
		if (s->clock == DX_SIMHAND_LIVE) {
			/* the machine could not keep up: let the world fall
			 * behind rather than run a burst of steps */
			s->offset_ns += target - wt - MAX_LAG_NS;
			target = wt + MAX_LAG_NS;
			s->st.lag_skips++;
		}
	}
	if (target - wt > s->st.max_lag_ns)
		s->st.max_lag_ns = target - wt;
	/* deterministic mode may jump far: whole chunks, all steps taken */
	while (target - dx_simworld_time_ns(s->w) > 5 * DX_NS_PER_S) {
		rc = dx_simworld_advance(s->w, dx_simworld_time_ns(s->w) +
						       5 * DX_NS_PER_S, &steps);
		s->st.physics_steps += steps;
		if (rc && rc != DX_ENOTFINITE)
			return rc;
	}
	if (target <= dx_simworld_time_ns(s->w))
		return 0;
	rc = dx_simworld_advance(s->w, target, &steps);
	s->st.physics_steps += steps;
	return rc == DX_ENOTFINITE ? 0 : rc;
}

static void flush(struct sh_bus *b, struct dx_simhand *s, unsigned *nt)
{
	unsigned done = 0;

	while (done < *nt) {
		int k = dx_can_send(b->can, b->tx + done, *nt - done);
		if (k <= 0) {
			s->st.send_errors += *nt - done;
			break;
		}
		done += (unsigned)k;
	}
	s->st.frames_out += done;
	*nt = 0;
}

static int serve_bus(struct dx_simhand *s, unsigned bi, int64_t now)
{
	struct sh_bus *b = &s->bus[bi];
	unsigned nt = 0;
	int handled = 0;

	for (unsigned k = 0; k < b->nspont; k++)
		b->tx[nt++] = b->spont[k];
	b->nspont = 0;
	/* bounded: at most 16 batches per poll */
	for (int batch = 0; batch < 16; batch++) {
		int got = dx_can_recv(b->can, b->rx, RX_BATCH);
		if (got < 0)
			return got;
		if (got == 0)
			break;
		for (int f = 0; f < got; f++) {
			const struct dx_can_frame *in = &b->rx[f];
			s->st.frames_in++;
			handled++;
			for (unsigned i = 0; i < s->na; i++) {
				int k;
				if (s->act_bus[i] != bi)
					continue;
				if (nt + DX_VDRIVE_MAX_OUT > TX_MAX)
					flush(b, s, &nt);
				k = dx_vdrive_handle(&s->v[i], in, b->tx + nt,
						     TX_MAX - nt);
				if (k > 0)
					nt += (unsigned)k;
			}
			for (unsigned p = 0; p < s->np; p++) {
				int k;
				if (s->pad[p].bus != bi)
					continue;
				if (nt + 16 > TX_MAX)
					flush(b, s, &nt);
				k = dx_simpad_handle(&s->pad[p].sp, in, b->tx + nt,
						     TX_MAX - nt);
				if (k > 0)
					nt += (unsigned)k;
			}
		}
	}
	/* streaming pads send on their own */
	for (unsigned p = 0; p < s->np; p++) {
		struct sh_pad *sp = &s->pad[p];
		unsigned rate;
		int k;

		if (sp->bus != bi || !dx_simpad_streaming(&sp->sp, &rate))
			continue;
		if (now < sp->next_scan_ns)
			continue;
		sp->next_scan_ns = now + DX_NS_PER_S / (rate ? rate : 1000);
		if (nt + 16 > TX_MAX)
			flush(b, s, &nt);
		k = dx_simpad_encode_scan(&sp->sp, b->tx + nt, TX_MAX - nt);
		if (k > 0)
			nt += (unsigned)k;
	}
	if (nt)
		flush(b, s, &nt);
	return handled;
}

DX_API int dx_simhand_poll(struct dx_simhand *s, int64_t t_ns)
{
	int64_t now;
	int rc, total = 0;
	double dt;

	if (!s)
		return DX_EINVAL;
	now = s->clock == DX_SIMHAND_LIVE ? dx_simhand_now(s) : t_ns;
	s->st.polls++;
	apply_requests(s);
	rc = advance_world(s, now);
	if (rc == DX_ESTATE) {
		dx_simworld_reset(s->w);
		s->offset_ns = now - dx_simworld_time_ns(s->w);
		return rc;
	}
	dt = now > s->last_pad_ns ? (double)(now - s->last_pad_ns) * 1e-9 : 0;
	s->last_pad_ns = now > s->last_pad_ns ? now : s->last_pad_ns;
	for (unsigned p = 0; p < s->np; p++)
		update_pad(s, &s->pad[p], dt);
	for (unsigned b = 0; b < s->nb; b++) {
		rc = serve_bus(s, b, now);
		if (rc < 0)
			return rc;
		total += rc;
	}
	publish(s);
	return total;
}

DX_API int dx_simhand_run(struct dx_simhand *s)
{
	struct timespec ts;
	int64_t next;

	if (!s)
		return DX_EINVAL;
	if (s->clock != DX_SIMHAND_LIVE)
		return DX_ESTATE;
	next = dx_time_now_ns() + s->service_ns;
	while (!atomic_load(&s->stop)) {
		int64_t now;
		int rc;

		ts = dx_ns_to_timespec(next);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
		       EINTR)
			if (atomic_load(&s->stop))
				return 0;
		rc = dx_simhand_poll(s, 0);
		if (rc < 0 && rc != DX_ESTATE && rc != DX_EAGAIN)
			return rc;
		now = dx_time_now_ns();
		next += s->service_ns;
		if (now > next) {
			/* keep the grid; drop the periods already gone */
			s->st.late_polls++;
			next += ((now - next) / s->service_ns + 1) * s->service_ns;
		}
	}
	return 0;
}

DX_API void dx_simhand_stop(struct dx_simhand *s)
{
	if (s)
		atomic_store(&s->stop, 1);
}

/* ---- scene ------------------------------------------------------------------- */

DX_API unsigned dx_simhand_nobjects(const struct dx_simhand *s)
{
	return s ? s->nobj : 0;
}

DX_API int dx_simhand_object_index(const struct dx_simhand *s, const char *name)
{
	if (!s || !name)
		return DX_EINVAL;
	for (unsigned i = 0; i < s->nobj; i++)
		if (strcmp(s->obj[i].name, name) == 0)
			return (int)i;
	return DX_ENOENT;
}

DX_API int dx_simhand_object_state(const struct dx_simhand *s, unsigned i,
				   struct dx_simhand_object *out)
{
	struct dx_simhand *m = (struct dx_simhand *)s; /* atomics only */

	if (!s || !out || i >= s->nobj)
		return DX_EINVAL;
	for (int tries = 0; tries < 100000; tries++) {
		unsigned a = atomic_load_explicit(&m->seq, memory_order_acquire);
		if (a & 1)
			continue;
		memcpy(out, &s->pub[i], sizeof(*out));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&m->seq, memory_order_relaxed) == a) {
			out->name = s->obj[i].name;
			return 0;
		}
	}
	return DX_EAGAIN;
}

DX_API int dx_simhand_set_mass(struct dx_simhand *s, unsigned i, double kg)
{
	if (!s || i >= s->nobj || !(kg > 0 && kg <= 1000))
		return DX_EINVAL;
	s->mass_req[i] = kg;
	atomic_store_explicit(&s->mass_pending[i], 1, memory_order_release);
	return 0;
}

static int check_ctrl(const struct dx_simhand *s, int a, double v)
{
	double lo, hi;

	if (a < 0)
		return DX_ENOENT;
	if (!isfinite(v))
		return DX_ENOTFINITE;
	dx_simworld_ctrl_range(s->w, (unsigned)a, &lo, &hi);
	return v < lo || v > hi ? DX_ERANGE : 0;
}

DX_API int dx_simhand_set_lift(struct dx_simhand *s, double z)
{
	int rc;

	if (!s)
		return DX_EINVAL;
	if ((rc = check_ctrl(s, s->lift_act, z)))
		return rc;
	s->lift_req = z;
	atomic_store_explicit(&s->lift_pending, 1, memory_order_release);
	return 0;
}

DX_API int dx_simhand_set_reach(struct dx_simhand *s, double x, double y)
{
	int rc;

	if (!s)
		return DX_EINVAL;
	if ((rc = check_ctrl(s, s->reach_act[0], x)) ||
	    (rc = check_ctrl(s, s->reach_act[1], y)))
		return rc;
	s->reach_req[0] = x;
	s->reach_req[1] = y;
	atomic_store_explicit(&s->reach_pending, 1, memory_order_release);
	return 0;
}

DX_API void dx_simhand_get_stats(const struct dx_simhand *s,
				 struct dx_simhand_stats *st)
{
	if (!s || !st)
		return;
	*st = s->st;
	st->torque_clamps = 0;
	for (unsigned i = 0; i < s->na; i++)
		st->torque_clamps += s->link[i].clamped;
}
