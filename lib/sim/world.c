/* SPDX-License-Identifier: MIT */
/* The MuJoCo world: an MJCF model loaded with MuJoCo's own compiler, index
 * tables built once at load (joints, motors, pads), and a stepping loop that
 * calls the drives' hook before every physics step.
 *
 * MuJoCo facts used here are from the MuJoCo 2.2 documentation
 * (mujoco.readthedocs.io, "Computation" and "API reference") and the 2.2.2
 * headers: contact frames have the normal in row 0 pointing from geom1 to
 * geom2, mj_contactForce() gives the force in that frame, a touch sensor sums
 * the normal forces of contacts inside its site volume, mj_step() is
 * checkPos, checkVel, forward, checkAcc, then the integrator. */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include <dexrt/simworld.h>

#define WORLD_MIN_DT_NS INT64_C(10000)
#define WORLD_MAX_DT_NS INT64_C(2000000)
#define WORLD_MAX_STEPS_DEFAULT 20000u
#define WORLD_MAX_PAD_TAXELS 1024u
#define WORLD_MAX_MASS 1000.0
#define WORLD_VFS_NAME "model.xml"

struct world_pad {
	char name[64];
	int body;
	unsigned rows, cols;
	int *site;      /* site of each taxel, row-major */
	int *type;      /* site shape (mjtGeom) */
	double *pos;    /* 3 per taxel: site centre, body frame */
	double *normal; /* 3 per taxel: site z axis, body frame */
	double *R;      /* 9 per taxel: site orientation in the body frame */
	double *size;   /* 3 per taxel: site size (half extents, radius) */
};

struct dx_simworld {
	mjModel *m;
	mjData *d;
	struct dx_simworld_config cfg;
	int64_t dt_ns;
	uint64_t steps;
	int home_key;      /* keyframe "home", -1 when none */
	bool fresh;        /* position/velocity stages match qpos/qvel */
	bool failed;       /* a MuJoCo error interrupted a call */

	unsigned njoints;
	int *jnt;          /* MuJoCo joint id of each world joint */
	int *motor;        /* motor actuator of each world joint, -1: none */
	double *tau;       /* last torque per world joint */

	unsigned npads;
	struct world_pad *pads;

	double *save;      /* qpos and qvel kept across mj_setConst() */
	double *mass0;     /* body masses and inertias at load, for reset */
	double *inertia0;

	dx_simworld_hook_fn hook;
	void *hook_ud;
};

/* ---- MuJoCo error and warning handlers ----------------------------------- */

/* MuJoCo reports internal errors (arena exhausted, bad sizes) through
 * mju_error(), whose default prints and ends the process. The handler
 * installed here jumps back to the guarded call instead, when one is active
 * on this thread. Thread-local so two worlds on two threads stay apart. */
static _Thread_local jmp_buf *mj_env;
/* Serialises model compilation and the handler installation: MuJoCo 2.2's
 * XML parser and compiler are not documented as safe to run on several
 * threads at once. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local bool mj_quiet;
static _Thread_local char mj_errmsg[256];

static void world_mj_error(const char *msg)
{
	if (mj_env) {
		snprintf(mj_errmsg, sizeof(mj_errmsg), "%s", msg);
		longjmp(*mj_env, 1);
	}
	dx_log(DX_LOG_ERROR, "MuJoCo: %s", msg);
	abort();
}

/* Warnings (first occurrence of each kind per mjData) would be printed and
 * written to MUJOCO_LOG.TXT by default. Outside stepping they go to the log
 * callback; inside stepping they are dropped (the step never logs) and the
 * caller learns of divergence from the warning counters. */
static void world_mj_warning(const char *msg)
{
	if (!mj_quiet)
		dx_log(DX_LOG_WARN, "MuJoCo: %s", msg);
}

static void install_handlers(void)
{
	if (!mju_user_error)
		mju_user_error = world_mj_error;
	if (!mju_user_warning)
		mju_user_warning = world_mj_warning;
}

typedef void (*guarded_fn)(struct dx_simworld *w, void *arg);

/* Runs fn with MuJoCo errors turned into DX_ESTATE. Nothing is modified
 * between setjmp and longjmp in this frame except through pointers. */
static int guarded(struct dx_simworld *w, guarded_fn fn, void *arg)
{
	jmp_buf env;
	jmp_buf *prev = mj_env;

	if (setjmp(env)) {
		mj_env = prev;
		mj_quiet = false;
		if (w)
			w->failed = true;
		return DX_ESTATE;
	}
	mj_env = &env;
	fn(w, arg);
	mj_env = prev;
	return 0;
}

/* ---- small helpers ------------------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(struct dx_simworld_error *err, int code, const char *fmt,
		    ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* MuJoCo's messages span lines and end with newlines; make one line */
	for (n = strlen(err->msg);
	     n > 0 && isspace((unsigned char)err->msg[n - 1]); n--)
		err->msg[n - 1] = '\0';
	for (char *p = err->msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static bool finite3(const double v[3])
{
	return isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]);
}

/* v_body = R^T (v_world), R row-major world-from-body (MuJoCo's xmat). */
static void rot_t(const mjtNum *R, const double v[3], double out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = R[i] * v[0] + R[3 + i] * v[1] + R[6 + i] * v[2];
}

static int64_t world_time(const struct dx_simworld *w)
{
	return (int64_t)w->steps * w->dt_ns;
}

/* ---- load ---------------------------------------------------------------- */

void dx_simworld_config_default(struct dx_simworld_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->timestep_ns = 0;
	cfg->max_steps = WORLD_MAX_STEPS_DEFAULT;
}

static void free_tables(struct dx_simworld *w)
{
	for (unsigned p = 0; p < w->npads && w->pads; p++) {
		free(w->pads[p].site);
		free(w->pads[p].type);
		free(w->pads[p].R);
		free(w->pads[p].size);
		free(w->pads[p].pos);
		free(w->pads[p].normal);
	}
	free(w->pads);
	free(w->jnt);
	free(w->motor);
	free(w->tau);
	free(w->mass0);
	free(w->inertia0);
	free(w->save);
}

void dx_simworld_free(struct dx_simworld *w)
{
	if (!w)
		return;
	if (w->d)
		mj_deleteData(w->d);
	if (w->m)
		mj_deleteModel(w->m);
	free_tables(w);
	free(w);
}

/* A motor on joint jid: joint transmission, fixed gain 1, no bias, gear 1,
 * so its control is the joint torque itself. */
static int find_motor(const mjModel *m, int jid)
{
	for (int a = 0; a < m->nu; a++) {
		if (m->actuator_trntype[a] != mjTRN_JOINT ||
		    m->actuator_trnid[2 * a] != jid ||
		    m->actuator_gaintype[a] != mjGAIN_FIXED ||
		    m->actuator_biastype[a] != mjBIAS_NONE ||
		    m->actuator_gainprm[a * mjNGAIN] != 1.0 ||
		    m->actuator_gear[6 * a] != 1.0 ||
		    m->actuator_dyntype[a] != mjDYN_NONE)
			continue;
		return a;
	}
	return -1;
}

/* Splits "<pad>_<row>_<col>"; false when the name does not have that form. */
static bool parse_taxel_name(const char *name, size_t *plen, unsigned *row,
			     unsigned *col)
{
	size_t n = strlen(name);
	size_t i = n;
	unsigned v[2];

	for (int k = 1; k >= 0; k--) {
		size_t end = i;
		unsigned long val = 0;

		while (i > 0 && isdigit((unsigned char)name[i - 1]))
			i--;
		if (i == end || end - i > 4 || i == 0 || name[i - 1] != '_')
			return false;
		for (size_t j = i; j < end; j++)
			val = val * 10 + (unsigned long)(name[j] - '0');
		v[k] = (unsigned)val;
		i--; /* the '_' */
	}
	if (i == 0)
		return false;
	*plen = i;
	*row = v[0];
	*col = v[1];
	return true;
}

static int build_pads(struct dx_simworld *w, struct dx_simworld_error *err)
{
	const mjModel *m = w->m;
	int ns = m->nsensor;
	int *pad_of = NULL;

	if (ns == 0)
		return 0;
	pad_of = malloc((size_t)ns * sizeof(*pad_of));
	w->pads = calloc((size_t)ns, sizeof(*w->pads));
	if (!pad_of || !w->pads) {
		free(pad_of);
		set_err(err, DX_ENOMEM, "out of memory");
		return DX_ENOMEM;
	}

	/* First pass: group touch sensors by prefix, find each grid's size. */
	for (int s = 0; s < ns; s++) {
		const char *name = mj_id2name(m, mjOBJ_SENSOR, s);
		size_t plen;
		unsigned r, c, p;

		pad_of[s] = -1;
		if (m->sensor_type[s] != mjSENS_TOUCH || !name ||
		    !parse_taxel_name(name, &plen, &r, &c))
			continue;
		if (plen >= sizeof(w->pads[0].name)) {
			set_err(err, DX_ECONFIG, "touch sensor '%s': pad name too long",
				name);
			goto fail;
		}
		for (p = 0; p < w->npads; p++)
			if (strlen(w->pads[p].name) == plen &&
			    !strncmp(w->pads[p].name, name, plen))
				break;
		if (p == w->npads) {
			memcpy(w->pads[p].name, name, plen);
			w->pads[p].name[plen] = '\0';
			w->pads[p].body = m->site_bodyid[m->sensor_objid[s]];
			w->npads++;
		}
		if (m->site_bodyid[m->sensor_objid[s]] != w->pads[p].body) {
			set_err(err, DX_ECONFIG,
				"touch sensor '%s': pad '%s' has taxels on several bodies",
				name, w->pads[p].name);
			goto fail;
		}
		if (r + 1 > w->pads[p].rows)
			w->pads[p].rows = r + 1;
		if (c + 1 > w->pads[p].cols)
			w->pads[p].cols = c + 1;
		pad_of[s] = (int)p;
	}

	for (unsigned p = 0; p < w->npads; p++) {
		struct world_pad *pd = &w->pads[p];
		size_t n = (size_t)pd->rows * pd->cols;

		if (n > WORLD_MAX_PAD_TAXELS) {
			set_err(err, DX_ECONFIG, "pad '%s': more than 1024 taxels",
				pd->name);
			goto fail;
		}
		pd->site = malloc(n * sizeof(*pd->site));
		pd->type = calloc(n, sizeof(*pd->type));
		pd->pos = calloc(3 * n, sizeof(*pd->pos));
		pd->normal = calloc(3 * n, sizeof(*pd->normal));
		pd->R = calloc(9 * n, sizeof(*pd->R));
		pd->size = calloc(3 * n, sizeof(*pd->size));
		if (!pd->site || !pd->type || !pd->pos || !pd->normal ||
		    !pd->R || !pd->size) {
			set_err(err, DX_ENOMEM, "out of memory");
			free(pad_of);
			return DX_ENOMEM;
		}
		for (size_t k = 0; k < n; k++)
			pd->site[k] = -1;
	}

	/* Second pass: place each taxel. */
	for (int s = 0; s < ns; s++) {
		const char *name = mj_id2name(m, mjOBJ_SENSOR, s);
		struct world_pad *pd;
		size_t plen, k;
		unsigned r, c;
		int site = m->sensor_objid[s];
		mjtNum z[3] = {0, 0, 1}, nrm[3];

		if (pad_of[s] < 0)
			continue;
		pd = &w->pads[pad_of[s]];
		parse_taxel_name(name, &plen, &r, &c);
		k = (size_t)r * pd->cols + c;
		if (pd->site[k] >= 0) {
			set_err(err, DX_ECONFIG, "touch sensor '%s': taxel given twice in pad '%s'",
				name, pd->name);
			goto fail;
		}
		switch (m->site_type[site]) {
		case mjGEOM_BOX:
		case mjGEOM_SPHERE:
		case mjGEOM_CYLINDER:
		case mjGEOM_CAPSULE:
		case mjGEOM_ELLIPSOID:
			break;
		default:
			set_err(err, DX_ECONFIG,
				"touch sensor '%s': taxel site must be a box, sphere, "
				"capsule, cylinder or ellipsoid", name);
			goto fail;
		}
		pd->site[k] = site;
		pd->type[k] = m->site_type[site];
		mju_rotVecQuat(nrm, z, m->site_quat + 4 * site);
		mju_quat2Mat(pd->R + 9 * k, m->site_quat + 4 * site);
		for (int i = 0; i < 3; i++) {
			pd->pos[3 * k + i] = m->site_pos[3 * site + i];
			pd->normal[3 * k + i] = nrm[i];
			pd->size[3 * k + i] = m->site_size[3 * site + i];
		}
	}

	for (unsigned p = 0; p < w->npads; p++) {
		struct world_pad *pd = &w->pads[p];

		for (size_t k = 0; k < (size_t)pd->rows * pd->cols; k++) {
			if (pd->site[k] < 0) {
				char where[96];

				snprintf(where, sizeof(where), "%s_%zu_%zu",
					 pd->name, k / pd->cols, k % pd->cols);
				set_err(err, DX_ECONFIG,
					"pad '%s': grid incomplete, no touch sensor '%s'",
					pd->name, where);
				goto fail;
			}
		}
	}
	free(pad_of);
	return 0;
fail:
	free(pad_of);
	return DX_ECONFIG;
}

static int build_tables(struct dx_simworld *w, struct dx_simworld_error *err)
{
	const mjModel *m = w->m;
	unsigned n = 0;

	for (int j = 0; j < m->njnt; j++)
		if (m->jnt_type[j] == mjJNT_HINGE || m->jnt_type[j] == mjJNT_SLIDE)
			n++;
	w->jnt = calloc(n ? n : 1, sizeof(*w->jnt));
	w->motor = calloc(n ? n : 1, sizeof(*w->motor));
	w->tau = calloc(n ? n : 1, sizeof(*w->tau));
	w->mass0 = calloc((size_t)m->nbody, sizeof(*w->mass0));
	w->inertia0 = calloc(3 * (size_t)m->nbody, sizeof(*w->inertia0));
	w->save = calloc((size_t)(m->nq + m->nv), sizeof(*w->save));
	if (!w->jnt || !w->motor || !w->tau || !w->mass0 || !w->inertia0 ||
	    !w->save) {
		set_err(err, DX_ENOMEM, "out of memory");
		return DX_ENOMEM;
	}
	for (int j = 0; j < m->njnt; j++) {
		if (m->jnt_type[j] != mjJNT_HINGE && m->jnt_type[j] != mjJNT_SLIDE)
			continue;
		w->jnt[w->njoints] = j;
		w->motor[w->njoints] = find_motor(m, j);
		w->njoints++;
	}
	memcpy(w->mass0, m->body_mass, (size_t)m->nbody * sizeof(*w->mass0));
	memcpy(w->inertia0, m->body_inertia,
	       3 * (size_t)m->nbody * sizeof(*w->inertia0));
	return build_pads(w, err);
}

struct load_args {
	const char *path;
	const mjVFS *vfs;
	char *msg;
	int msg_len;
	mjModel *m;
	mjData *d;
};

static void load_fn(struct dx_simworld *w, void *arg)
{
	struct load_args *a = arg;

	a->m = mj_loadXML(a->path, a->vfs, a->msg, a->msg_len);
	if (a->m)
		a->d = mj_makeData(a->m);
}

static void reset_state(struct dx_simworld *w)
{
	mj_resetData(w->m, w->d);
	if (w->home_key >= 0)
		mj_resetDataKeyframe(w->m, w->d, w->home_key);
	for (unsigned j = 0; j < w->njoints; j++)
		w->tau[j] = 0;
	/* keyframes may set controls; torques start at zero everywhere */
	for (unsigned j = 0; j < w->njoints; j++)
		if (w->motor[j] >= 0)
			w->d->ctrl[w->motor[j]] = 0;
}

static void reset_fn(struct dx_simworld *w, void *arg)
{
	bool consts = arg != NULL;

	if (consts)
		mj_setConst(w->m, w->d);
	reset_state(w);
	mj_forward(w->m, w->d);
}

static int load_common(const char *label, const char *path, const mjVFS *vfs,
		       const struct dx_simworld_config *cfg,
		       struct dx_simworld **out, struct dx_simworld_error *err)
{
	struct dx_simworld_config c;
	struct dx_simworld *w;
	struct load_args a;
	char msg[1024] = "";
	int rc;

	if (cfg) {
		c = *cfg;
	} else {
		dx_simworld_config_default(&c);
	}
	if (c.max_steps == 0 || (c.timestep_ns != 0 &&
	    (c.timestep_ns < WORLD_MIN_DT_NS || c.timestep_ns > WORLD_MAX_DT_NS))) {
		set_err(err, DX_EINVAL,
			"%s: bad world config (timestep 10 us..2 ms, max_steps > 0)",
			label);
		return DX_EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		set_err(err, DX_ENOMEM, "%s: out of memory", label);
		return DX_ENOMEM;
	}
	w->cfg = c;

	memset(&a, 0, sizeof(a));
	a.path = path;
	a.vfs = vfs;
	a.msg = msg;
	a.msg_len = (int)sizeof(msg);
	pthread_mutex_lock(&load_lock);
	install_handlers();
	rc = guarded(NULL, load_fn, &a);
	pthread_mutex_unlock(&load_lock);
	if (rc < 0) {
		set_err(err, DX_EPARSE, "%s: MuJoCo error: %s", label, mj_errmsg);
		if (a.m)
			mj_deleteModel(a.m);
		free(w);
		return DX_EPARSE;
	}
	if (!a.m) {
		set_err(err, DX_EPARSE, "%s: %s", label,
			msg[0] ? msg : "MuJoCo could not load the model");
		free(w);
		return DX_EPARSE;
	}
	if (!a.d) {
		mj_deleteModel(a.m);
		free(w);
		set_err(err, DX_ENOMEM, "%s: out of memory for the simulation data",
			label);
		return DX_ENOMEM;
	}
	w->m = a.m;
	w->d = a.d;
	if (msg[0])
		dx_log(DX_LOG_WARN, "%s: MuJoCo: %s", label, msg);

	w->dt_ns = c.timestep_ns ? c.timestep_ns
				 : (int64_t)llround(w->m->opt.timestep * 1e9);
	if (w->dt_ns < WORLD_MIN_DT_NS || w->dt_ns > WORLD_MAX_DT_NS) {
		char dt[32];

		snprintf(dt, sizeof(dt), "%g", w->m->opt.timestep);
		set_err(err, DX_ECONFIG,
			"%s: timestep %s s outside 1e-5..2e-3 s (500 Hz or faster)",
			label, dt);
		dx_simworld_free(w);
		return DX_ECONFIG;
	}
	/* whole nanoseconds, so world time is exact */
	w->m->opt.timestep = (mjtNum)w->dt_ns * 1e-9;
	w->home_key = mj_name2id(w->m, mjOBJ_KEY, "home");

	rc = build_tables(w, err);
	if (rc < 0) {
		if (err) {
			char tmp[sizeof(err->msg)];

			memcpy(tmp, err->msg, sizeof(tmp));
			set_err(err, rc, "%s: %.400s", label, tmp);
		}
		dx_simworld_free(w);
		return rc;
	}
	if (guarded(w, reset_fn, NULL) < 0) {
		set_err(err, DX_EPARSE, "%s: MuJoCo error: %s", label, mj_errmsg);
		dx_simworld_free(w);
		return DX_EPARSE;
	}
	w->fresh = true;
	*out = w;
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
	return 0;
}

int dx_simworld_load_file(const char *path, const struct dx_simworld_config *cfg,
			  struct dx_simworld **out, struct dx_simworld_error *err)
{
	FILE *f;

	if (out)
		*out = NULL;
	if (!path || !out) {
		set_err(err, DX_EINVAL, "NULL path or output");
		return DX_EINVAL;
	}
	/* MuJoCo's message for a missing file is an XML error; tell it apart */
	f = fopen(path, "rb");
	if (!f) {
		set_err(err, DX_ENOENT, "%s: cannot open: %s", path,
			strerror(errno));
		return DX_ENOENT;
	}
	fclose(f);
	return load_common(path, path, NULL, cfg, out, err);
}

int dx_simworld_load_string(const char *xml, size_t len,
			    const struct dx_simworld_config *cfg,
			    struct dx_simworld **out,
			    struct dx_simworld_error *err)
{
	mjVFS *vfs;
	int rc;

	if (out)
		*out = NULL;
	if (!xml || !out || len == 0 || len > INT32_MAX) {
		set_err(err, DX_EINVAL, "NULL or empty model text");
		return DX_EINVAL;
	}
	/* mjVFS is about 2 MB: heap, never the stack */
	vfs = malloc(sizeof(*vfs));
	if (!vfs) {
		set_err(err, DX_ENOMEM, "out of memory");
		return DX_ENOMEM;
	}
	mj_defaultVFS(vfs);
	if (mj_makeEmptyFileVFS(vfs, WORLD_VFS_NAME, (int)len) != 0) {
		free(vfs);
		set_err(err, DX_ENOMEM, "out of memory");
		return DX_ENOMEM;
	}
	memcpy(vfs->filedata[vfs->nfile - 1], xml, len);
	rc = load_common("<string>", WORLD_VFS_NAME, vfs, cfg, out, err);
	mj_deleteVFS(vfs);
	free(vfs);
	return rc;
}

int dx_simworld_reset(struct dx_simworld *w)
{
	const mjModel *m;
	bool consts = false;

	if (!w)
		return DX_EINVAL;
	m = w->m;
	for (int b = 0; b < m->nbody; b++) {
		if (m->body_mass[b] != w->mass0[b] ||
		    memcmp(m->body_inertia + 3 * b, w->inertia0 + 3 * b,
			   3 * sizeof(double)) != 0)
			consts = true;
	}
	if (consts) {
		memcpy(w->m->body_mass, w->mass0, (size_t)m->nbody * sizeof(double));
		memcpy(w->m->body_inertia, w->inertia0,
		       3 * (size_t)m->nbody * sizeof(double));
	}
	w->failed = false;
	w->steps = 0;
	if (guarded(w, reset_fn, consts ? w : NULL) < 0)
		return DX_ESTATE;
	w->fresh = true;
	return 0;
}

int64_t dx_simworld_timestep_ns(const struct dx_simworld *w)
{
	return w ? w->dt_ns : 0;
}

int64_t dx_simworld_time_ns(const struct dx_simworld *w)
{
	return w ? world_time(w) : 0;
}

int dx_simworld_set_gravity(struct dx_simworld *w, const double g[3])
{
	if (!w || !g)
		return DX_EINVAL;
	if (!finite3(g))
		return DX_ENOTFINITE;
	for (int i = 0; i < 3; i++)
		w->m->opt.gravity[i] = g[i];
	/* gravity enters the bias forces of the velocity stage */
	w->fresh = false;
	return 0;
}

/* ---- stepping ------------------------------------------------------------ */

void dx_simworld_set_hook(struct dx_simworld *w, dx_simworld_hook_fn fn,
			  void *userdata)
{
	if (!w)
		return;
	w->hook = fn;
	w->hook_ud = userdata;
}

static int bad_state_count(const mjData *d)
{
	return d->warning[mjWARN_BADQPOS].number +
	       d->warning[mjWARN_BADQVEL].number +
	       d->warning[mjWARN_BADQACC].number;
}

struct step_args {
	unsigned n;
	unsigned done;
	bool diverged;
};

/* One mj_step(), split so that the position and velocity stages computed by
 * the forward pass at the end of the previous call are not computed twice
 * (for the Euler integrator; other integrators take mj_step() as is). */
static void steps_fn(struct dx_simworld *w, void *arg)
{
	struct step_args *a = arg;
	const mjModel *m = w->m;
	mjData *d = w->d;
	double dt = m->opt.timestep;

	for (unsigned i = 0; i < a->n; i++) {
		int bad = bad_state_count(d);

		if (w->hook)
			w->hook(w, world_time(w), dt, w->hook_ud);
		if (m->opt.integrator == mjINT_EULER) {
			mj_checkPos(m, d);
			mj_checkVel(m, d);
			if (w->fresh && bad_state_count(d) == bad)
				mj_forwardSkip(m, d, mjSTAGE_VEL, 0);
			else
				mj_forward(m, d);
			mj_checkAcc(m, d);
			mj_Euler(m, d);
		} else {
			mj_step(m, d);
		}
		w->fresh = false;
		w->steps++;
		a->done++;
		if (bad_state_count(d) != bad) {
			/* MuJoCo reset the state to qpos0: restart from the
			 * world's own initial state and stop this call */
			reset_state(w);
			a->diverged = true;
			break;
		}
	}
	mj_forward(m, d);
	w->fresh = true;
}

static int run_steps(struct dx_simworld *w, unsigned n, unsigned *steps)
{
	struct step_args a = {n, 0, false};
	int rc;

	if (steps)
		*steps = 0;
	if (w->failed)
		return DX_ESTATE;
	if (n == 0)
		return 0;
	mj_quiet = true;
	rc = guarded(w, steps_fn, &a);
	mj_quiet = false;
	if (steps)
		*steps = a.done;
	if (rc < 0)
		return rc;
	return a.diverged ? DX_ENOTFINITE : 0;
}

int dx_simworld_advance(struct dx_simworld *w, int64_t t_ns, unsigned *steps)
{
	int64_t now;
	int64_t n;

	if (steps)
		*steps = 0;
	if (!w)
		return DX_EINVAL;
	now = world_time(w);
	if (t_ns < now)
		return DX_EINVAL;
	n = (t_ns - now) / w->dt_ns;
	if (n > (int64_t)w->cfg.max_steps)
		return DX_ERANGE;
	return run_steps(w, (unsigned)n, steps);
}

int dx_simworld_step(struct dx_simworld *w, unsigned n)
{
	if (!w)
		return DX_EINVAL;
	if (n > w->cfg.max_steps)
		return DX_ERANGE;
	return run_steps(w, n, NULL);
}

static void forward_fn(struct dx_simworld *w, void *arg)
{
	mj_forward(w->m, w->d);
}

int dx_simworld_forward(struct dx_simworld *w)
{
	int rc;

	if (!w)
		return DX_EINVAL;
	if (w->failed)
		return DX_ESTATE;
	mj_quiet = true;
	rc = guarded(w, forward_fn, NULL);
	mj_quiet = false;
	if (rc == 0)
		w->fresh = true;
	return rc;
}

/* ---- joints -------------------------------------------------------------- */

unsigned dx_simworld_njoints(const struct dx_simworld *w)
{
	return w ? w->njoints : 0;
}

int dx_simworld_joint_index(const struct dx_simworld *w, const char *name)
{
	int id;

	if (!w || !name)
		return DX_EINVAL;
	id = mj_name2id(w->m, mjOBJ_JOINT, name);
	if (id < 0)
		return DX_ENOENT;
	for (unsigned j = 0; j < w->njoints; j++)
		if (w->jnt[j] == id)
			return (int)j;
	return DX_EINVAL;
}

int dx_simworld_joint_info(const struct dx_simworld *w, unsigned j,
			   struct dx_simworld_joint_info *out)
{
	const mjModel *m;
	int id, a;

	if (!w || !out || j >= w->njoints)
		return DX_EINVAL;
	m = w->m;
	id = w->jnt[j];
	a = w->motor[j];
	out->name = mj_id2name(m, mjOBJ_JOINT, id);
	out->slide = m->jnt_type[id] == mjJNT_SLIDE;
	out->limited = m->jnt_limited[id] != 0;
	out->lower = out->limited ? m->jnt_range[2 * id] : -INFINITY;
	out->upper = out->limited ? m->jnt_range[2 * id + 1] : INFINITY;
	out->effort = 0;
	if (a >= 0 && m->actuator_ctrllimited[a])
		out->effort = fmax(fabs(m->actuator_ctrlrange[2 * a]),
				   fabs(m->actuator_ctrlrange[2 * a + 1]));
	out->body = m->jnt_bodyid[id];
	return 0;
}

int dx_simworld_get_joint(const struct dx_simworld *w, unsigned j, double *q,
			  double *qd)
{
	if (!w || j >= w->njoints)
		return DX_EINVAL;
	if (q)
		*q = w->d->qpos[w->m->jnt_qposadr[w->jnt[j]]];
	if (qd)
		*qd = w->d->qvel[w->m->jnt_dofadr[w->jnt[j]]];
	return 0;
}

int dx_simworld_set_torque(struct dx_simworld *w, unsigned j, double tau)
{
	int a;

	if (!w || j >= w->njoints)
		return DX_EINVAL;
	if (!isfinite(tau))
		return DX_ENOTFINITE;
	a = w->motor[j];
	if (a >= 0) {
		const mjtNum *r = w->m->actuator_ctrlrange + 2 * a;

		if (w->m->actuator_ctrllimited[a] && (tau < r[0] || tau > r[1]))
			return DX_ERANGE;
		w->d->ctrl[a] = tau;
	} else {
		w->d->qfrc_applied[w->m->jnt_dofadr[w->jnt[j]]] = tau;
	}
	w->tau[j] = tau;
	return 0;
}

int dx_simworld_get_torque(const struct dx_simworld *w, unsigned j,
			   double *tau)
{
	if (!w || !tau || j >= w->njoints)
		return DX_EINVAL;
	*tau = w->tau[j];
	return 0;
}

static void setconst_fn(struct dx_simworld *w, void *arg);

struct drive_args {
	int dof;
	double armature, damping, friction;
};

static void set_drive_fn(struct dx_simworld *w, void *arg)
{
	const struct drive_args *a = arg;

	w->m->dof_armature[a->dof] = a->armature;
	w->m->dof_damping[a->dof] = a->damping;
	w->m->dof_frictionloss[a->dof] = a->friction;
	setconst_fn(w, NULL);
}

int dx_simworld_joint_set_drive(struct dx_simworld *w, unsigned j,
				double armature, double damping,
				double friction)
{
	struct drive_args a;
	int rc;

	if (!w || j >= w->njoints)
		return DX_EINVAL;
	if (!isfinite(armature) || !isfinite(damping) || !isfinite(friction))
		return DX_ENOTFINITE;
	if (armature < 0 || damping < 0 || friction < 0)
		return DX_EINVAL;
	if (w->failed)
		return DX_ESTATE;
	a.dof = w->m->jnt_dofadr[w->jnt[j]];
	a.armature = armature;
	a.damping = damping;
	a.friction = friction;
	mj_quiet = true;
	rc = guarded(w, set_drive_fn, &a);
	mj_quiet = false;
	if (rc == 0)
		w->fresh = true;
	return rc;
}

int dx_simworld_motor_link_init(struct dx_simworld_motor_link *l,
				struct dx_simworld *w, unsigned joint,
				double scale, double offset)
{
	if (!l || !w || joint >= w->njoints)
		return DX_EINVAL;
	if (!isfinite(scale) || !isfinite(offset))
		return DX_ENOTFINITE;
	if (scale == 0)
		return DX_EINVAL;
	memset(l, 0, sizeof(*l));
	l->w = w;
	l->joint = joint;
	l->scale = scale;
	l->offset = offset;
	return 0;
}

void dx_simworld_motor_dynamics(void *user, double tau, double dt,
				double *pos, double *vel)
{
	struct dx_simworld_motor_link *l = user;
	struct dx_simworld *w;
	double tj, q, qd;
	int a;

	if (!l || !l->w || l->joint >= l->w->njoints)
		return;
	w = l->w;
	tj = isfinite(tau) ? tau / l->scale : 0;
	a = w->motor[l->joint];
	if (a >= 0 && w->m->actuator_ctrllimited[a]) {
		const mjtNum *r = w->m->actuator_ctrlrange + 2 * a;

		if (tj < r[0] || tj > r[1]) {
			tj = tj < r[0] ? r[0] : r[1];
			l->clamped++;
		}
	}
	dx_simworld_set_torque(w, l->joint, tj);
	dx_simworld_get_joint(w, l->joint, &q, &qd);
	if (pos)
		*pos = (q - l->offset) / l->scale;
	if (vel)
		*vel = qd / l->scale;
}

int dx_simworld_set_joint(struct dx_simworld *w, unsigned j, double q,
			  double qd)
{
	if (!w || j >= w->njoints)
		return DX_EINVAL;
	if (!isfinite(q) || !isfinite(qd))
		return DX_ENOTFINITE;
	w->d->qpos[w->m->jnt_qposadr[w->jnt[j]]] = q;
	w->d->qvel[w->m->jnt_dofadr[w->jnt[j]]] = qd;
	w->fresh = false;
	return 0;
}

/* ---- actuators ----------------------------------------------------------- */

int dx_simworld_actuator_index(const struct dx_simworld *w, const char *name)
{
	int id;

	if (!w || !name)
		return DX_EINVAL;
	id = mj_name2id(w->m, mjOBJ_ACTUATOR, name);
	return id < 0 ? DX_ENOENT : id;
}

int dx_simworld_set_ctrl(struct dx_simworld *w, unsigned a, double value)
{
	const mjtNum *r;

	if (!w || a >= (unsigned)w->m->nu)
		return DX_EINVAL;
	if (!isfinite(value))
		return DX_ENOTFINITE;
	r = w->m->actuator_ctrlrange + 2 * a;
	if (w->m->actuator_ctrllimited[a] && (value < r[0] || value > r[1]))
		return DX_ERANGE;
	w->d->ctrl[a] = value;
	/* keep the joint torque record in step when a motor is set directly */
	for (unsigned j = 0; j < w->njoints; j++)
		if (w->motor[j] == (int)a)
			w->tau[j] = value;
	return 0;
}

int dx_simworld_ctrl_range(const struct dx_simworld *w, unsigned a,
			   double *lower, double *upper)
{
	bool lim;

	if (!w || a >= (unsigned)w->m->nu)
		return DX_EINVAL;
	lim = w->m->actuator_ctrllimited[a] != 0;
	if (lower)
		*lower = lim ? w->m->actuator_ctrlrange[2 * a] : -INFINITY;
	if (upper)
		*upper = lim ? w->m->actuator_ctrlrange[2 * a + 1] : INFINITY;
	return 0;
}

/* ---- bodies -------------------------------------------------------------- */

int dx_simworld_body_index(const struct dx_simworld *w, const char *name)
{
	int id;

	if (!w || !name)
		return DX_EINVAL;
	id = mj_name2id(w->m, mjOBJ_BODY, name);
	return id < 0 ? DX_ENOENT : id;
}

int dx_simworld_body_pose(const struct dx_simworld *w, unsigned b,
			  struct dx_simworld_pose *out)
{
	const mjtNum *q;

	if (!w || !out || b >= (unsigned)w->m->nbody)
		return DX_EINVAL;
	q = w->d->xquat + 4 * b;
	for (int i = 0; i < 3; i++)
		out->p[i] = w->d->xpos[3 * b + i];
	out->quat[0] = q[1];
	out->quat[1] = q[2];
	out->quat[2] = q[3];
	out->quat[3] = q[0];
	return 0;
}

int dx_simworld_site_index(const struct dx_simworld *w, const char *name)
{
	int id;

	if (!w || !name)
		return DX_EINVAL;
	id = mj_name2id(w->m, mjOBJ_SITE, name);
	return id < 0 ? DX_ENOENT : id;
}

int dx_simworld_site_pose(const struct dx_simworld *w, unsigned s,
			  struct dx_simworld_pose *out)
{
	mjtNum q[4];

	if (!w || !out || s >= (unsigned)w->m->nsite)
		return DX_EINVAL;
	mju_mat2Quat(q, w->d->site_xmat + 9 * s);
	for (int i = 0; i < 3; i++)
		out->p[i] = w->d->site_xpos[3 * s + i];
	out->quat[0] = q[1];
	out->quat[1] = q[2];
	out->quat[2] = q[3];
	out->quat[3] = q[0];
	return 0;
}

int dx_simworld_body_velocity(const struct dx_simworld *w, unsigned b,
			      double lin[3], double ang[3])
{
	mjtNum v[6];

	if (!w || b >= (unsigned)w->m->nbody)
		return DX_EINVAL;
	/* rotation first, then translation; world-aligned at the body origin */
	mj_objectVelocity(w->m, w->d, mjOBJ_BODY, (int)b, v, 0);
	for (int i = 0; i < 3; i++) {
		if (ang)
			ang[i] = v[i];
		if (lin)
			lin[i] = v[3 + i];
	}
	return 0;
}

int dx_simworld_body_set_pose(struct dx_simworld *w, unsigned b,
			      const struct dx_simworld_pose *pose)
{
	const mjModel *m;
	double nq;
	int jid, qa, va;

	if (!w || !pose || b == 0 || b >= (unsigned)w->m->nbody)
		return DX_EINVAL;
	m = w->m;
	jid = m->body_jntadr[b];
	if (m->body_jntnum[b] < 1 || m->jnt_type[jid] != mjJNT_FREE)
		return DX_EINVAL;
	if (!finite3(pose->p) || !isfinite(pose->quat[0]) ||
	    !isfinite(pose->quat[1]) || !isfinite(pose->quat[2]) ||
	    !isfinite(pose->quat[3]))
		return DX_ENOTFINITE;
	nq = sqrt(pose->quat[0] * pose->quat[0] + pose->quat[1] * pose->quat[1] +
		  pose->quat[2] * pose->quat[2] + pose->quat[3] * pose->quat[3]);
	if (nq < 1e-12)
		return DX_EINVAL;
	qa = m->jnt_qposadr[jid];
	va = m->jnt_dofadr[jid];
	for (int i = 0; i < 3; i++)
		w->d->qpos[qa + i] = pose->p[i];
	w->d->qpos[qa + 3] = pose->quat[3] / nq;
	w->d->qpos[qa + 4] = pose->quat[0] / nq;
	w->d->qpos[qa + 5] = pose->quat[1] / nq;
	w->d->qpos[qa + 6] = pose->quat[2] / nq;
	for (int i = 0; i < 6; i++)
		w->d->qvel[va + i] = 0;
	w->fresh = false;
	return dx_simworld_forward(w);
}

int dx_simworld_body_mass(const struct dx_simworld *w, unsigned b,
			  double *mass)
{
	if (!w || !mass || b >= (unsigned)w->m->nbody)
		return DX_EINVAL;
	*mass = w->m->body_mass[b];
	return 0;
}

static void setconst_fn(struct dx_simworld *w, void *arg)
{
	const mjModel *m = w->m;

	/* mj_setConst() (2.2.2) leaves qpos at qpos0 and the data computed
	 * there: keep the state aside and recompute everything for it */
	memcpy(w->save, w->d->qpos, (size_t)m->nq * sizeof(mjtNum));
	memcpy(w->save + m->nq, w->d->qvel, (size_t)m->nv * sizeof(mjtNum));
	mj_setConst(w->m, w->d);
	memcpy(w->d->qpos, w->save, (size_t)m->nq * sizeof(mjtNum));
	memcpy(w->d->qvel, w->save + m->nq, (size_t)m->nv * sizeof(mjtNum));
	mj_forward(w->m, w->d);
}

int dx_simworld_body_set_mass(struct dx_simworld *w, unsigned b, double mass)
{
	double ratio;
	int rc;

	if (!w || b == 0 || b >= (unsigned)w->m->nbody)
		return DX_EINVAL;
	if (!isfinite(mass))
		return DX_ENOTFINITE;
	if (mass <= 0 || mass > WORLD_MAX_MASS || w->m->body_mass[b] <= 0)
		return DX_EINVAL;
	if (w->failed)
		return DX_ESTATE;
	ratio = mass / w->m->body_mass[b];
	w->m->body_mass[b] = mass;
	for (int i = 0; i < 3; i++)
		w->m->body_inertia[3 * b + i] *= ratio;
	mj_quiet = true;
	rc = guarded(w, setconst_fn, NULL);
	mj_quiet = false;
	if (rc == 0)
		w->fresh = true;
	return rc;
}

/* Force contact i exerts on geom2's body, world frame (on geom1's body it is
 * the opposite). Zero for contacts that are not active constraints. */
static void contact_world_force(const struct dx_simworld *w, int i,
				double f[3])
{
	const mjContact *c = &w->d->contact[i];
	mjtNum cf[6];

	f[0] = f[1] = f[2] = 0;
	if (c->efc_address < 0)
		return;
	mj_contactForce(w->m, w->d, i, cf);
	for (int k = 0; k < 3; k++)
		f[k] = cf[0] * c->frame[k] + cf[1] * c->frame[3 + k] +
		       cf[2] * c->frame[6 + k];
}

int dx_simworld_contact_force(const struct dx_simworld *w, unsigned b,
			      int other, double f[3], unsigned *ncontacts)
{
	unsigned n = 0;

	if (!w || !f || b >= (unsigned)w->m->nbody ||
	    other >= w->m->nbody || other < -1)
		return DX_EINVAL;
	f[0] = f[1] = f[2] = 0;
	for (int i = 0; i < w->d->ncon; i++) {
		const mjContact *c = &w->d->contact[i];
		int b1 = w->m->geom_bodyid[c->geom1];
		int b2 = w->m->geom_bodyid[c->geom2];
		double fc[3], sign;

		if (c->efc_address < 0)
			continue;
		if (b2 == (int)b && (other < 0 || b1 == other))
			sign = 1;
		else if (b1 == (int)b && (other < 0 || b2 == other))
			sign = -1;
		else
			continue;
		contact_world_force(w, i, fc);
		for (int k = 0; k < 3; k++)
			f[k] += sign * fc[k];
		n++;
	}
	if (ncontacts)
		*ncontacts = n;
	return 0;
}

bool dx_simworld_in_contact(const struct dx_simworld *w, unsigned b, int other)
{
	if (!w || b >= (unsigned)w->m->nbody)
		return false;
	for (int i = 0; i < w->d->ncon; i++) {
		const mjContact *c = &w->d->contact[i];
		int b1 = w->m->geom_bodyid[c->geom1];
		int b2 = w->m->geom_bodyid[c->geom2];

		if (c->efc_address < 0)
			continue;
		if ((b1 == (int)b && (other < 0 || b2 == other)) ||
		    (b2 == (int)b && (other < 0 || b1 == other)))
			return true;
	}
	return false;
}

/* ---- pads ---------------------------------------------------------------- */

unsigned dx_simworld_npads(const struct dx_simworld *w)
{
	return w ? w->npads : 0;
}

int dx_simworld_pad_index(const struct dx_simworld *w, const char *name)
{
	if (!w || !name)
		return DX_EINVAL;
	for (unsigned p = 0; p < w->npads; p++)
		if (!strcmp(w->pads[p].name, name))
			return (int)p;
	return DX_ENOENT;
}

int dx_simworld_pad_info(const struct dx_simworld *w, unsigned p,
			 struct dx_simworld_pad_info *out)
{
	if (!w || !out || p >= w->npads)
		return DX_EINVAL;
	out->name = w->pads[p].name;
	out->body = w->pads[p].body;
	out->rows = w->pads[p].rows;
	out->cols = w->pads[p].cols;
	return 0;
}

int dx_simworld_pad_taxel(const struct dx_simworld *w, unsigned p, unsigned k,
			  double pos[3], double normal[3])
{
	const struct world_pad *pd;

	if (!w || p >= w->npads)
		return DX_EINVAL;
	pd = &w->pads[p];
	if (k >= pd->rows * pd->cols)
		return DX_EINVAL;
	for (int i = 0; i < 3; i++) {
		if (pos)
			pos[i] = pd->pos[3 * k + i];
		if (normal)
			normal[i] = pd->normal[3 * k + i];
	}
	return 0;
}

/* Whether point p (pad body frame) lies inside taxel k's site volume. */
static bool taxel_contains(const struct world_pad *pd, size_t k,
			   const double p[3])
{
	const double *R = pd->R + 9 * k, *o = pd->pos + 3 * k;
	const double *sz = pd->size + 3 * k;
	double d[3] = {p[0] - o[0], p[1] - o[1], p[2] - o[2]};
	double l[3], r2;

	rot_t(R, d, l);
	switch (pd->type[k]) {
	case mjGEOM_BOX:
		return fabs(l[0]) <= sz[0] && fabs(l[1]) <= sz[1] &&
		       fabs(l[2]) <= sz[2];
	case mjGEOM_SPHERE:
		return l[0] * l[0] + l[1] * l[1] + l[2] * l[2] <= sz[0] * sz[0];
	case mjGEOM_CYLINDER:
		return l[0] * l[0] + l[1] * l[1] <= sz[0] * sz[0] &&
		       fabs(l[2]) <= sz[1];
	case mjGEOM_CAPSULE:
		r2 = fabs(l[2]) > sz[1] ? (fabs(l[2]) - sz[1]) * (fabs(l[2]) - sz[1])
					: 0;
		return l[0] * l[0] + l[1] * l[1] + r2 <= sz[0] * sz[0];
	case mjGEOM_ELLIPSOID:
		return (l[0] * l[0]) / (sz[0] * sz[0]) +
		       (l[1] * l[1]) / (sz[1] * sz[1]) +
		       (l[2] * l[2]) / (sz[2] * sz[2]) <= 1;
	default:
		return false;
	}
}

/* Taxel readings are computed here rather than taken from MuJoCo's touch
 * sensors: in MuJoCo 2.2 a touch sensor adds a contact when the ray from
 * the contact point along its normal meets the site (engine_sensor.c,
 * mj_sensorAcc), so one contact can be counted by two neighbouring taxels
 * of a grid. Here each contact goes to the first taxel whose volume holds
 * its point, and the taxels of a pad sum to the normal force on them. */
int dx_simworld_pad_read(const struct dx_simworld *w, unsigned p,
			 double *force, size_t n)
{
	const struct world_pad *pd;
	const mjtNum *R, *o;
	size_t nt;

	if (!w || !force || p >= w->npads)
		return DX_EINVAL;
	pd = &w->pads[p];
	nt = (size_t)pd->rows * pd->cols;
	if (n < nt)
		return DX_ENOSPC;
	for (size_t k = 0; k < nt; k++)
		force[k] = 0;
	R = w->d->xmat + 9 * pd->body;
	o = w->d->xpos + 3 * pd->body;
	for (int i = 0; i < w->d->ncon; i++) {
		const mjContact *c = &w->d->contact[i];
		mjtNum cf[6];
		double dp[3], lp[3];

		if (c->efc_address < 0 ||
		    (w->m->geom_bodyid[c->geom1] != pd->body &&
		     w->m->geom_bodyid[c->geom2] != pd->body))
			continue;
		mj_contactForce(w->m, w->d, i, cf);
		if (cf[0] <= 0)
			continue;
		for (int k = 0; k < 3; k++)
			dp[k] = c->pos[k] - o[k];
		rot_t(R, dp, lp);
		for (size_t k = 0; k < nt; k++) {
			if (taxel_contains(pd, k, lp)) {
				force[k] += cf[0];
				break;
			}
		}
	}
	return (int)nt;
}

int dx_simworld_pad_contacts(const struct dx_simworld *w, unsigned p,
			     struct dx_simworld_contact *out, size_t max)
{
	const struct world_pad *pd;
	const mjtNum *R, *o;
	size_t n = 0;

	if (!w || (!out && max > 0) || p >= w->npads)
		return DX_EINVAL;
	pd = &w->pads[p];
	R = w->d->xmat + 9 * pd->body;
	o = w->d->xpos + 3 * pd->body;
	for (int i = 0; i < w->d->ncon && n < max; i++) {
		const mjContact *c = &w->d->contact[i];
		int b1 = w->m->geom_bodyid[c->geom1];
		int b2 = w->m->geom_bodyid[c->geom2];
		struct dx_simworld_contact *ct = &out[n];
		double fw[3], nw[3], dp[3], sign;

		if (c->efc_address < 0 || (b1 != pd->body && b2 != pd->body))
			continue;
		/* pad as geom1: the normal already points out of it and the
		 * force on geom2 is the force the pad exerts */
		sign = b1 == pd->body ? 1 : -1;
		contact_world_force(w, i, fw);
		for (int k = 0; k < 3; k++) {
			fw[k] *= sign;
			nw[k] = sign * c->frame[k];
			dp[k] = c->pos[k] - o[k];
		}
		rot_t(R, dp, ct->pos);
		rot_t(R, nw, ct->normal);
		rot_t(R, fw, ct->force);
		ct->fn = fmax(0.0, fw[0] * nw[0] + fw[1] * nw[1] + fw[2] * nw[2]);
		ct->other = sign > 0 ? b2 : b1;
		n++;
	}
	return (int)n;
}
