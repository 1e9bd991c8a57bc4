/* SPDX-License-Identifier: MIT */
/* URDF loading with expat: a SAX pass collects links and joints into
 * growing arrays; dx__model_finalize() then checks the structure (names,
 * tree, mimic, limits) and builds the derived tables. On any error the
 * partial model is freed and the first error is reported with its line. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "kin-priv.h"

#define DEPTH_MAX 64

struct urdf_ctx {
	XML_Parser xp;
	struct dx_kin_model *m;
	struct dx_kin_error *err;
	int code;
	unsigned cap_links, cap_joints;
	int depth;
	/* element names along the current path (only the ones we need) */
	char stack[DEPTH_MAX][16]; /* copies: expat's strings do not last */
	bool robot_seen;
	bool in_link, in_joint, in_inertial;
	bool joint_has_limit, joint_has_origin;
};

void dx__kin_seterr(struct dx_kin_error *err, int code, unsigned line,
		    const char *element, const char *fmt, ...)
{
	char reason[200];
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(msg, sizeof(msg), "URDF line %u: <%s>: %s", line,
			 element ? element : "?", reason);
	else
		snprintf(msg, sizeof(msg), "URDF: %s%s%s%s", element ? "<" : "",
			 element ? element : "", element ? ">: " : "", reason);
	dx_log(DX_LOG_ERROR, "%s", msg);
	if (!err)
		return;
	err->code = code;
	err->line = line;
	snprintf(err->element, sizeof(err->element), "%s",
		 element ? element : "");
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

static void fail(struct urdf_ctx *c, int code, const char *element,
		 const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void fail(struct urdf_ctx *c, int code, const char *element,
		 const char *fmt, ...)
{
	char reason[200];
	va_list ap;

	if (c->code)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	c->code = code;
	dx__kin_seterr(c->err, code,
		       (unsigned)XML_GetCurrentLineNumber(c->xp), element, "%s",
		       reason);
	XML_StopParser(c->xp, XML_FALSE);
}

static const char *attr(const XML_Char **atts, const char *name)
{
	for (int i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

/* Parses exactly n whitespace-separated numbers. 0 or an error code. */
static int parse_nums(const char *s, double *out, int n)
{
	const char *p = s;

	for (int i = 0; i < n; i++) {
		char *end;
		double v;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			return DX_EPARSE;
		errno = 0;
		v = strtod(p, &end);
		if (end == p)
			return DX_EPARSE;
		if (!dx_isfinite(v))
			return DX_ENOTFINITE;
		out[i] = v;
		p = end;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return *p == '\0' ? 0 : DX_EPARSE;
}

/* Reads attribute @p name as n numbers; @p required false leaves out
 * untouched when absent. Returns false after recording an error. */
static bool get_nums(struct urdf_ctx *c, const char *el,
		     const XML_Char **atts, const char *name, double *out,
		     int n, bool required)
{
	const char *s = attr(atts, name);
	int r;

	if (!s) {
		if (required)
			fail(c, DX_ECONFIG, el, "missing attribute '%s'", name);
		return !required;
	}
	r = parse_nums(s, out, n);
	if (r == DX_ENOTFINITE)
		fail(c, r, el, "attribute %s=\"%s\": not a finite number", name,
		     s);
	else if (r)
		fail(c, r, el, "attribute %s=\"%s\": expected %d number%s",
		     name, s, n, n > 1 ? "s" : "");
	return r == 0;
}

static bool parse_origin(struct urdf_ctx *c, const XML_Char **atts,
			 struct dx_kin_pose *pose)
{
	double xyz[3] = {0, 0, 0}, rpy[3] = {0, 0, 0};

	if (!get_nums(c, "origin", atts, "xyz", xyz, 3, false) ||
	    !get_nums(c, "origin", atts, "rpy", rpy, 3, false))
		return false;
	memcpy(pose->p, xyz, sizeof(xyz));
	dx__rot_rpy(rpy[0], rpy[1], rpy[2], pose->R);
	return true;
}

static char *dup_name(struct urdf_ctx *c, const char *el,
		      const XML_Char **atts, const char *aname)
{
	const char *s = attr(atts, aname);
	char *d;

	if (!s || !*s) {
		fail(c, DX_ECONFIG, el, "missing attribute '%s'", aname);
		return NULL;
	}
	d = strdup(s);
	if (!d)
		fail(c, DX_ENOMEM, el, "out of memory");
	return d;
}

static const char *parent_el(const struct urdf_ctx *c)
{
	return c->depth >= 2 && c->depth - 2 < DEPTH_MAX ? c->stack[c->depth - 2]
							 : "";
}

static void start_link(struct urdf_ctx *c, const XML_Char **atts)
{
	struct dx_kin_model *m = c->m;
	struct dx__kin_link *l;

	if (m->nlinks == c->cap_links) {
		unsigned cap = c->cap_links ? 2 * c->cap_links : 16;
		void *p = realloc(m->links, cap * sizeof(*m->links));

		if (!p) {
			fail(c, DX_ENOMEM, "link", "out of memory");
			return;
		}
		m->links = p;
		c->cap_links = cap;
	}
	l = &m->links[m->nlinks];
	memset(l, 0, sizeof(*l));
	l->parent_joint = -1;
	l->line = (unsigned)XML_GetCurrentLineNumber(c->xp);
	l->name = dup_name(c, "link", atts, "name");
	if (!l->name)
		return;
	dx__pose_identity(&l->inertial.origin);
	m->nlinks++;
	c->in_link = true;
}

static void start_joint(struct urdf_ctx *c, const XML_Char **atts)
{
	struct dx_kin_model *m = c->m;
	struct dx__kin_joint *j;
	const char *type;

	if (m->njoints == c->cap_joints) {
		unsigned cap = c->cap_joints ? 2 * c->cap_joints : 16;
		void *p = realloc(m->joints, cap * sizeof(*m->joints));

		if (!p) {
			fail(c, DX_ENOMEM, "joint", "out of memory");
			return;
		}
		m->joints = p;
		c->cap_joints = cap;
	}
	j = &m->joints[m->njoints];
	memset(j, 0, sizeof(*j));
	j->parent = j->child = -1;
	j->mimic = -1;
	j->var = -1;
	j->mult = 1.0;
	j->axis[0] = 1.0;
	j->line = (unsigned)XML_GetCurrentLineNumber(c->xp);
	dx__pose_identity(&j->origin);
	j->name = dup_name(c, "joint", atts, "name");
	if (!j->name)
		return;
	m->njoints++; /* owned from here on, freed with the model */
	type = attr(atts, "type");
	if (!type) {
		fail(c, DX_ECONFIG, "joint", "joint '%s': missing attribute 'type'",
		     j->name);
		return;
	}
	if (strcmp(type, "revolute") == 0)
		j->type = DX_KIN_REVOLUTE;
	else if (strcmp(type, "continuous") == 0)
		j->type = DX_KIN_CONTINUOUS;
	else if (strcmp(type, "prismatic") == 0)
		j->type = DX_KIN_PRISMATIC;
	else if (strcmp(type, "fixed") == 0)
		j->type = DX_KIN_FIXED;
	else if (strcmp(type, "floating") == 0 || strcmp(type, "planar") == 0)
		fail(c, DX_ENOTSUP, "joint",
		     "joint '%s': type '%s' is not supported", j->name, type);
	else
		fail(c, DX_ECONFIG, "joint", "joint '%s': unknown type '%s'",
		     j->name, type);
	c->in_joint = true;
	c->joint_has_limit = false;
	c->joint_has_origin = false;
}

static void joint_child(struct urdf_ctx *c, const char *el,
			const XML_Char **atts)
{
	struct dx__kin_joint *j = &c->m->joints[c->m->njoints - 1];

	if (strcmp(el, "origin") == 0) {
		if (c->joint_has_origin) {
			fail(c, DX_ECONFIG, el, "joint '%s': second <origin>",
			     j->name);
			return;
		}
		c->joint_has_origin = true;
		parse_origin(c, atts, &j->origin);
	} else if (strcmp(el, "parent") == 0 || strcmp(el, "child") == 0) {
		char **slot = el[0] == 'p' ? &j->parent_name : &j->child_name;

		if (*slot) {
			fail(c, DX_ECONFIG, el, "joint '%s': second <%s>",
			     j->name, el);
			return;
		}
		*slot = dup_name(c, el, atts, "link");
	} else if (strcmp(el, "axis") == 0) {
		double a[3];
		double n;

		if (!get_nums(c, el, atts, "xyz", a, 3, true))
			return;
		n = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
		if (!(n > 1e-12)) {
			fail(c, DX_ECONFIG, el, "joint '%s': zero axis", j->name);
			return;
		}
		for (int i = 0; i < 3; i++)
			j->axis[i] = a[i] / n;
	} else if (strcmp(el, "limit") == 0) {
		double lo = 0, hi = 0, v = 0, e = 0;

		if (!get_nums(c, el, atts, "lower", &lo, 1, false) ||
		    !get_nums(c, el, atts, "upper", &hi, 1, false) ||
		    !get_nums(c, el, atts, "velocity", &v, 1, false) ||
		    !get_nums(c, el, atts, "effort", &e, 1, false))
			return;
		if (lo > hi) {
			fail(c, DX_ECONFIG, el,
			     "joint '%s': lower %g > upper %g", j->name, lo, hi);
			return;
		}
		if (v < 0 || e < 0) {
			fail(c, DX_ECONFIG, el,
			     "joint '%s': negative velocity or effort", j->name);
			return;
		}
		c->joint_has_limit = true;
		j->lower = lo;
		j->upper = hi;
		j->velocity = v;
		j->effort = e;
	} else if (strcmp(el, "mimic") == 0) {
		double mult = 1, off = 0;

		if (j->mimic_name) {
			fail(c, DX_ECONFIG, el, "joint '%s': second <mimic>",
			     j->name);
			return;
		}
		j->mimic_name = dup_name(c, el, atts, "joint");
		if (!j->mimic_name)
			return;
		if (!get_nums(c, el, atts, "multiplier", &mult, 1, false) ||
		    !get_nums(c, el, atts, "offset", &off, 1, false))
			return;
		j->mult = mult;
		j->offset = off;
	}
}

static void inertial_child(struct urdf_ctx *c, const char *el,
			   const XML_Char **atts)
{
	struct dx__kin_link *l = &c->m->links[c->m->nlinks - 1];
	struct dx_kin_inertial *in = &l->inertial;

	if (strcmp(el, "origin") == 0) {
		parse_origin(c, atts, &in->origin);
	} else if (strcmp(el, "mass") == 0) {
		if (!get_nums(c, el, atts, "value", &in->mass, 1, true))
			return;
		if (in->mass < 0)
			fail(c, DX_ECONFIG, el, "link '%s': negative mass",
			     l->name);
	} else if (strcmp(el, "inertia") == 0) {
		static const char *const names[6] = {"ixx", "ixy", "ixz",
						     "iyy", "iyz", "izz"};

		for (int i = 0; i < 6; i++)
			if (!get_nums(c, el, atts, names[i], &in->inertia[i], 1,
				      true))
				return;
	}
}

static void XMLCALL on_start(void *ud, const XML_Char *el,
			     const XML_Char **atts)
{
	struct urdf_ctx *c = ud;
	const char *parent;

	if (c->code)
		return;
	if (c->depth >= DEPTH_MAX) {
		fail(c, DX_EPARSE, el, "elements nested too deeply");
		return;
	}
	snprintf(c->stack[c->depth++], sizeof(c->stack[0]), "%s", el);
	parent = parent_el(c);
	if (c->depth == 1) {
		const char *name = attr(atts, "name");

		if (strcmp(el, "robot") != 0) {
			fail(c, DX_ECONFIG, el, "root element must be <robot>");
			return;
		}
		c->robot_seen = true;
		c->m->name = strdup(name ? name : "");
		if (!c->m->name)
			fail(c, DX_ENOMEM, el, "out of memory");
		return;
	}
	if (c->depth == 2) {
		if (strcmp(el, "link") == 0)
			start_link(c, atts);
		else if (strcmp(el, "joint") == 0)
			start_joint(c, atts);
		return;
	}
	if (c->in_joint && c->depth == 3) {
		joint_child(c, el, atts);
	} else if (c->in_link && c->depth == 3 && strcmp(el, "inertial") == 0) {
		if (c->m->links[c->m->nlinks - 1].has_inertial) {
			fail(c, DX_ECONFIG, el, "link '%s': second <inertial>",
			     c->m->links[c->m->nlinks - 1].name);
			return;
		}
		c->m->links[c->m->nlinks - 1].has_inertial = true;
		c->in_inertial = true;
	} else if (c->in_inertial && c->depth == 4 &&
		   strcmp(parent, "inertial") == 0) {
		inertial_child(c, el, atts);
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
	struct urdf_ctx *c = ud;

	if (c->code)
		return;
	if (c->depth == 2 && c->in_joint) {
		struct dx__kin_joint *j = &c->m->joints[c->m->njoints - 1];

		c->in_joint = false;
		if (!j->parent_name || !j->child_name) {
			fail(c, DX_ECONFIG, el, "joint '%s': missing <%s>",
			     j->name, j->parent_name ? "child" : "parent");
			return;
		}
		if ((j->type == DX_KIN_REVOLUTE ||
		     j->type == DX_KIN_PRISMATIC) && !c->joint_has_limit) {
			fail(c, DX_ECONFIG, el,
			     "joint '%s': %s joint needs <limit lower upper>",
			     j->name,
			     j->type == DX_KIN_REVOLUTE ? "revolute"
							: "prismatic");
			return;
		}
		j->has_limits = j->type == DX_KIN_REVOLUTE ||
				j->type == DX_KIN_PRISMATIC;
		if (!j->has_limits) {
			j->lower = -INFINITY;
			j->upper = INFINITY;
		}
		if (j->type == DX_KIN_FIXED && j->mimic_name) {
			fail(c, DX_ECONFIG, el,
			     "joint '%s': a fixed joint cannot be a mimic",
			     j->name);
			return;
		}
	}
	if (c->depth == 2)
		c->in_link = false;
	if (c->depth == 3)
		c->in_inertial = false;
	c->depth--;
}

static void urdf_free_partial(struct dx_kin_model *m)
{
	dx_kin_model_free(m);
}

static int load_common(const char *xml, size_t len, struct dx_kin_model **out,
		       struct dx_kin_error *err)
{
	struct urdf_ctx c;
	struct dx_kin_model *m;
	int r;

	memset(&c, 0, sizeof(c));
	m = calloc(1, sizeof(*m));
	if (!m) {
		dx__kin_seterr(err, DX_ENOMEM, 0, NULL, "out of memory");
		return DX_ENOMEM;
	}
	m->root = -1;
	c.m = m;
	c.err = err;
	c.xp = XML_ParserCreate(NULL);
	if (!c.xp) {
		free(m);
		dx__kin_seterr(err, DX_ENOMEM, 0, NULL, "out of memory");
		return DX_ENOMEM;
	}
	XML_SetUserData(c.xp, &c);
	XML_SetElementHandler(c.xp, on_start, on_end);
	for (;;) {
		/* expat takes an int length: feed large buffers in pieces */
		int piece = len > (1u << 30) ? (1 << 30) : (int)len;
		bool final = (size_t)piece == len;

		if (XML_Parse(c.xp, xml, piece, final) == XML_STATUS_ERROR &&
		    !c.code) {
			c.code = DX_EPARSE;
			dx__kin_seterr(err, DX_EPARSE,
				       (unsigned)XML_GetCurrentLineNumber(c.xp),
				       c.depth > 0 && c.depth <= DEPTH_MAX
					       ? c.stack[c.depth - 1]
					       : "xml",
				       "malformed XML: %s",
				       XML_ErrorString(XML_GetErrorCode(c.xp)));
		}
		xml += piece;
		len -= (size_t)piece;
		if (final || c.code)
			break;
	}
	XML_ParserFree(c.xp);
	if (!c.code && !c.robot_seen) {
		c.code = DX_EPARSE;
		dx__kin_seterr(err, DX_EPARSE, 0, NULL, "no <robot> element");
	}
	if (c.code) {
		urdf_free_partial(m);
		return c.code;
	}
	r = dx__model_finalize(m, err);
	if (r) {
		urdf_free_partial(m);
		return r;
	}
	*out = m;
	return 0;
}

int dx_kin_model_load_string(const char *xml, size_t len,
			     struct dx_kin_model **out,
			     struct dx_kin_error *err)
{
	if (out)
		*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!xml || !out) {
		dx__kin_seterr(err, DX_EINVAL, 0, NULL, "NULL argument");
		return DX_EINVAL;
	}
	return load_common(xml, len, out, err);
}

int dx_kin_model_load_file(const char *path, struct dx_kin_model **out,
			   struct dx_kin_error *err)
{
	FILE *f;
	char *buf;
	long size;
	int r;

	if (out)
		*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!path || !out) {
		dx__kin_seterr(err, DX_EINVAL, 0, NULL, "NULL argument");
		return DX_EINVAL;
	}
	f = fopen(path, "rb");
	if (!f) {
		r = errno == ENOENT ? DX_ENOENT : -errno;
		dx__kin_seterr(err, r, 0, NULL, "cannot open '%s': %s", path,
			       strerror(errno));
		return r;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		dx__kin_seterr(err, DX_EIO, 0, NULL, "cannot read '%s'", path);
		return DX_EIO;
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		fclose(f);
		dx__kin_seterr(err, DX_ENOMEM, 0, NULL, "out of memory");
		return DX_ENOMEM;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		dx__kin_seterr(err, DX_EIO, 0, NULL, "cannot read '%s'", path);
		return DX_EIO;
	}
	fclose(f);
	r = load_common(buf, (size_t)size, out, err);
	free(buf);
	return r;
}
