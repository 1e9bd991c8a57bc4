/* SPDX-License-Identifier: MIT */
/* The hand16 rig (hand-rig.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dexrt/drive.h>

#include "hand-rig.h"

/* ---- configuration text and files ---------------------------------------- */

char *hand_rig_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* A growing string; @c bad once an allocation failed. */
struct text {
	char *s;
	size_t n, cap;
	bool bad;
};

static void put(struct text *t, const char *p, size_t n)
{
	if (t->bad)
		return;
	if (t->n + n + 1 > t->cap) {
		size_t cap = 2 * (t->n + n + 1);
		char *s = realloc(t->s, cap);
		if (!s) {
			t->bad = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
	memcpy(t->s + t->n, p, n);
	t->n += n;
	t->s[t->n] = '\0';
}

char *hand_rig_text(const char *exdir, const char *tag, const char *prefix,
		    const char *from, const char *to)
{
	char path[600], key[64], repl[96], *src;
	struct text out = {0};
	const char *p;

	if (from && !*from)
		from = NULL;
	if (!exdir || !tag || !prefix || (from && !to))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.yaml", exdir, tag);
	snprintf(key, sizeof(key), "simbus:%s-", tag);
	snprintf(repl, sizeof(repl), "simbus:%s-", prefix);
	src = hand_rig_slurp(path);
	if (!src)
		return NULL;
	for (p = src; *p;) {
		const char *hit = strstr(p, key);
		const char *ed = from ? strstr(p, from) : NULL;

		if (ed && (!hit || ed < hit)) {
			put(&out, p, (size_t)(ed - p));
			put(&out, to, strlen(to));
			p = ed + strlen(from);
		} else if (hit) {
			put(&out, p, (size_t)(hit - p));
			put(&out, repl, strlen(repl));
			p = hit + strlen(key);
		} else {
			put(&out, p, strlen(p));
			break;
		}
	}
	put(&out, "", 0); /* an empty file still gives "" */
	free(src);
	if (out.bad) {
		free(out.s);
		return NULL;
	}
	return out.s;
}

int hand_rig_write(struct hand_rig *r, const char *exdir, const char *name,
		   const char *bus_tag, const char *from, const char *to)
{
	char cmd[800], prefix[32], *text;
	FILE *f;
	int rc = 0;

	if (!r || !exdir || !name || !bus_tag)
		return DX_EINVAL;
	snprintf(r->dir, sizeof(r->dir), "/tmp/dx-%s-%d", name, (int)getpid());
	snprintf(r->yaml, sizeof(r->yaml), "%s/hand.yaml", r->dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/urdf && cp %s/urdf/hand16.urdf %s/urdf/", r->dir,
		 exdir, r->dir);
	if (system(cmd) != 0)
		return DX_EIO;
	snprintf(prefix, sizeof(prefix), "%s%d", bus_tag, (int)getpid());
	text = hand_rig_text(exdir, "hand16", prefix, from, to);
	if (!text)
		return DX_ENOENT;
	f = fopen(r->yaml, "w");
	if (!f || fputs(text, f) < 0)
		rc = DX_EIO;
	if (f && fclose(f) != 0)
		rc = DX_EIO;
	free(text);
	return rc;
}

int hand_rig_remove(struct hand_rig *r)
{
	char cmd[128];

	if (!r || !r->dir[0])
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	if (system(cmd) != 0)
		return DX_EIO;
	r->dir[0] = '\0';
	return 0;
}

/* ---- the rig ----------------------------------------------------------------- */

static void object_dynamics(void *user, double tau, double dt, double *pos,
			    double *vel)
{
	struct hand_rig_object *o = user;
	double pen = o->present && *pos > o->q_touch ? *pos - o->q_touch : 0.0;
	double acc;

	o->force = o->k * pen;
	acc = (tau - o->b * *vel - o->force * o->lever) / o->j;
	*vel += acc * dt;
	*pos += *vel * dt;
}

/* The virtual MIT drives of bus @p b, as the configuration describes them. */
static int bus_drives(struct hand_rig *r, int b)
{
	const struct dx_hand_config *cfg = r->cfg;
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->actuators_count; i++) {
		const struct dx_hand_actuator_config *a = &cfg->actuators[i];
		struct dx_drive_desc d = {.proto = DX_DRIVE_MIT};
		int rc;

		if (strcmp(a->bus, cfg->buses[b].name) != 0)
			continue;
		if (n >= HAND_RIG_DPB || strcmp(a->protocol, "mit") != 0)
			return DX_ECONFIG;
		d.model = dx_mit_model_find(a->model);
		d.id = (uint8_t)a->id;
		d.master = (uint8_t)(a->id + 0x10);
		rc = dx_vdrive_init(&r->drives[b][n++], &d);
		if (rc)
			return rc;
	}
	return n == HAND_RIG_DPB ? 0 : DX_ECONFIG;
}

int hand_rig_devices(struct hand_rig *r, enum dx_simbus_clock clock,
		     bool objects)
{
	const struct dx_hand_config *cfg = r->cfg;
	struct dx_simbus_opts so = {.clock = clock};
	int rc;

	if (!cfg || cfg->buses_count != HAND_RIG_NBUS ||
	    cfg->pads_count > HAND_RIG_NPAD)
		return DX_ECONFIG;
	r->drives = mmap(NULL, sizeof(struct dx_vdrive[HAND_RIG_NBUS][HAND_RIG_DPB]),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->drives == MAP_FAILED) {
		r->drives = NULL;
		return DX_ENOMEM;
	}
	for (int b = 0; b < HAND_RIG_NBUS; b++) {
		const struct dx_hand_bus_config *bc = &cfg->buses[b];
		struct dx_can_opts co = {.fd = bc->fd, .bitrate = bc->bitrate,
					 .data_bitrate = bc->data_bitrate};

		if (strncmp(bc->transport, "simbus:", 7) != 0)
			return DX_ECONFIG;
		snprintf(r->busname[b], sizeof(r->busname[b]), "%s",
			 bc->transport + 7);
		rc = dx_simbus_open(&r->dev_can[b], r->busname[b], &co, &so);
		if (!rc)
			rc = bus_drives(r, b);
		if (!rc)
			rc = dx_vdrive_runner_init(&r->runner[b], r->dev_can[b],
						   r->drives[b], HAND_RIG_DPB);
		if (rc)
			return rc;
	}
	for (unsigned f = 0; f < cfg->pads_count; f++) {
		const struct dx_hand_bus_config *bc;
		struct dx_simpad_config pc;
		struct dx_can_opts co;
		int b;

		rc = hand_rig_pad_config(cfg, f, &pc);
		if (rc)
			return rc;
		b = dx_hand_config_find_bus(cfg, cfg->pads[f].bus);
		bc = &cfg->buses[b];
		co = (struct dx_can_opts){.fd = bc->fd, .bitrate = bc->bitrate,
					  .data_bitrate = bc->data_bitrate};
		r->pad_bus[f] = b;
		rc = dx_simpad_init(&r->pad[f], &pc);
		if (!rc)
			rc = dx_simbus_open(&r->pad_can[f], r->busname[b], &co, &so);
		if (rc)
			return rc;
		if (objects) {
			struct hand_rig_object *o = &r->obj[f];
			struct dx_vmotor *m = &r->drives[b][1].motor;

			memset(o, 0, sizeof(*o));
			o->q_touch = 0.5;
			o->k = 20.0;
			o->lever = 0.06;
			o->j = m->p.rotor_inertia * m->p.gear_ratio * m->p.gear_ratio;
			o->b = m->p.viscous;
			dx_vmotor_set_dynamics(m, object_dynamics, o);
		}
	}
	return 0;
}

int hand_rig_start(struct hand_rig *r, const struct dx_hand_opts *o,
		   struct dx_hand_config_error *e)
{
	int rc = dx_hand_init(&r->hand, r->cfg, o, e);

	if (!rc)
		r->t = dx_simbus_now(r->dev_can[0]);
	return rc;
}

int hand_rig_down(struct hand_rig *r)
{
	dx_hand_free(r->hand);
	r->hand = NULL;
	for (int f = 0; f < HAND_RIG_NPAD; f++) {
		dx_can_close(r->pad_can[f]);
		r->pad_can[f] = NULL;
	}
	for (int b = 0; b < HAND_RIG_NBUS; b++) {
		dx_can_close(r->dev_can[b]);
		r->dev_can[b] = NULL;
		if (r->busname[b][0])
			dx_simbus_unlink(r->busname[b]);
	}
	if (r->drives)
		munmap(r->drives, sizeof(struct dx_vdrive[HAND_RIG_NBUS][HAND_RIG_DPB]));
	r->drives = NULL;
	dx_hand_config_free(r->cfg);
	r->cfg = NULL;
	return hand_rig_remove(r);
}

/* ---- the cycle on the virtual clock ---------------------------------------- */

void hand_rig_set_time(struct hand_rig *r, int64_t t)
{
	for (int b = 0; b < HAND_RIG_NBUS; b++)
		if (dx_simbus_set_time(r->dev_can[b], t) != 0)
			r->clock_errors++;
}

void hand_rig_answer(struct hand_rig *r, int64_t t)
{
	for (int b = 0; b < HAND_RIG_NBUS; b++)
		if (!(r->external >> b & 1))
			dx_vdrive_runner_poll(&r->runner[b], t);
	for (int f = 0; f < HAND_RIG_NPAD; f++) {
		const struct hand_rig_object *o = &r->obj[f];
		struct dx_can_frame in[16], out[16];
		struct dx_simpad_contact c;

		if (!r->pad_can[f])
			continue;
		/* the finger presses the object at the pad centre: the force
		 * on the object points along the pad's outward normal */
		hand_rig_pad_contact(&r->cfg->pads[f], o->force, 0.003f, &c);
		dx_simpad_set_contacts(&r->pad[f], &c, o->force > 0 ? 1 : 0);
		dx_simpad_step(&r->pad[f], 1e-3);
		for (unsigned guard = 0; guard < 64; guard++) {
			int n = dx_can_recv(r->pad_can[f], in, 16);
			if (n <= 0)
				break;
			for (int k = 0; k < n && !r->pad_silent[f]; k++) {
				int m = dx_simpad_handle(&r->pad[f], &in[k], out, 16);
				if (m > 0 && dx_can_send(r->pad_can[f], out, (size_t)m) != m)
					r->clock_errors++;
			}
		}
	}
}

void hand_rig_finish(struct hand_rig *r)
{
	int64_t T = r->t;

	hand_rig_set_time(r, T + HAND_RIG_ANSWER_NS);
	hand_rig_answer(r, T + HAND_RIG_ANSWER_NS);
	hand_rig_set_time(r, T + HAND_RIG_PERIOD_NS);
	r->t = T + HAND_RIG_PERIOD_NS;
}

void hand_rig_telemetry(struct hand_rig *r)
{
	struct dx_hand_telemetry t;

	while (dx_hand_telemetry_pop(r->hand, &t) == 0) {
		r->tel = t;
		r->have_tel = true;
	}
}

/* ---- targets and pads ---------------------------------------------------------- */

void hand_rig_posture(const struct dx_hand *h, double spread, double flex,
		      struct dx_hand_target *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = DX_TARGET_JOINTS;
	for (unsigned j = 0; j < dx_hand_njoints(h); j++) {
		t->mask |= 1u << j;
		t->q[j] = strstr(dx_hand_joint_name(h, j), "_j0") ? spread : flex;
	}
}

int hand_rig_pad_config(const struct dx_hand_config *cfg, unsigned p,
			struct dx_simpad_config *sc)
{
	const struct dx_hand_pad_config *pc;
	int b;

	if (!cfg || !sc || p >= cfg->pads_count)
		return DX_EINVAL;
	pc = &cfg->pads[p];
	if (pc->taxels_count)
		return DX_ENOTSUP;
	b = dx_hand_config_find_bus(cfg, pc->bus);
	if (b < 0 || !(pc->gain > 0))
		return DX_EINVAL;
	dx_simpad_config_default(sc, pc->protocol && strcmp(pc->protocol, "uskin") == 0
					     ? DX_TACTILE_PROTO_USKIN
					     : DX_TACTILE_PROTO_DEXRT);
	sc->board = pc->board;
	sc->axes = pc->axes;
	sc->rows = pc->rows;
	sc->cols = pc->cols;
	sc->pitch = (float)pc->pitch;
	for (int k = 0; k < 3; k++) {
		sc->origin[k] = (float)pc->origin[k];
		sc->normal[k] = (float)pc->normal[k];
	}
	sc->counts_per_n = (float)(1.0 / pc->gain);
	sc->fd = cfg->buses[b].fd;
	return 0;
}

void hand_rig_pad_contact(const struct dx_hand_pad_config *pc, double force,
			  float radius, struct dx_simpad_contact *ct)
{
	memset(ct, 0, sizeof(*ct));
	for (int k = 0; k < 3; k++) {
		ct->pos[k] = (float)pc->origin[k];
		ct->force[k] = (float)(pc->normal[k] * force);
	}
	ct->radius = radius;
}

/* ---- seeded generator -------------------------------------------------------- */

uint64_t hand_rig_rng(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * UINT64_C(2685821657736338717);
}

double hand_rig_uniform(uint64_t *s)
{
	return (double)(hand_rig_rng(s) >> 11) * (1.0 / 9007199254740992.0);
}
