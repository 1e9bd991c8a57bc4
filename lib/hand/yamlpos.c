/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <dexrt/core.h>

#include "yamlpos.h"

#define YPOS_DEPTH 32
#define YPOS_PATH 256

struct frame {
	bool is_map;
	bool want_key;  /* mapping: the next scalar is a key */
	unsigned index; /* sequence: index of the next entry */
	size_t path_len;/* length of this container's path */
};

struct walker {
	struct dx__yindex *ix;
	struct frame st[YPOS_DEPTH];
	int depth;
	char path[YPOS_PATH];
	char key[YPOS_PATH]; /* pending key of the innermost mapping */
};

static int add(struct dx__yindex *ix, const char *path, int line)
{
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;
		struct dx__ypos *v = realloc(ix->v, cap * sizeof(*v));
		if (!v)
			return DX_ENOMEM;
		ix->v = v;
		ix->cap = cap;
	}
	ix->v[ix->n].path = strdup(path);
	if (!ix->v[ix->n].path)
		return DX_ENOMEM;
	ix->v[ix->n].line = line;
	ix->n++;
	return 0;
}

/* Sets w->path to the path of the node about to start in the current
 * container and returns 0, or DX_ERANGE when too deep / too long. */
static int child_path(struct walker *w)
{
	struct frame *f;
	int n;

	if (w->depth == 0) {
		w->path[0] = '\0';
		return 0;
	}
	f = &w->st[w->depth - 1];
	w->path[f->path_len] = '\0';
	if (f->is_map)
		n = snprintf(w->path + f->path_len, YPOS_PATH - f->path_len,
			     "%s%s", f->path_len ? "." : "", w->key);
	else
		n = snprintf(w->path + f->path_len, YPOS_PATH - f->path_len,
			     "[%u]", f->index);
	return n < 0 || (size_t)n >= YPOS_PATH - f->path_len ? DX_ERANGE : 0;
}

/* A value node finished in the current container. */
static void value_done(struct walker *w)
{
	struct frame *f;

	if (w->depth == 0)
		return;
	f = &w->st[w->depth - 1];
	if (f->is_map)
		f->want_key = true;
	else
		f->index++;
}

static int on_event(struct walker *w, const yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + 1;
	struct frame *top = w->depth ? &w->st[w->depth - 1] : NULL;
	int err;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (top && top->is_map && top->want_key) {
			snprintf(w->key, sizeof(w->key), "%s",
				 (const char *)ev->data.scalar.value);
			top->want_key = false;
			if ((err = child_path(w)))
				return err;
			return add(w->ix, w->path, line);
		}
		if (top && !top->is_map) {
			if ((err = child_path(w)) || (err = add(w->ix, w->path, line)))
				return err;
		}
		value_done(w);
		return 0;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (w->depth == YPOS_DEPTH)
			return DX_ERANGE;
		if ((err = child_path(w)))
			return err;
		if (top && !top->is_map && (err = add(w->ix, w->path, line)))
			return err;
		w->st[w->depth].is_map = ev->type == YAML_MAPPING_START_EVENT;
		w->st[w->depth].want_key = true;
		w->st[w->depth].index = 0;
		w->st[w->depth].path_len = strlen(w->path);
		w->depth++;
		return 0;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		w->depth--;
		value_done(w);
		return 0;
	case YAML_ALIAS_EVENT:
		value_done(w);
		return 0;
	default:
		return 0;
	}
}

int dx__yindex_build(const char *yaml, size_t len, struct dx__yindex *ix)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct walker *w;
	int err = 0;
	bool done = false;

	memset(ix, 0, sizeof(*ix));
	w = calloc(1, sizeof(*w));
	if (!w)
		return DX_ENOMEM;
	w->ix = ix;
	if (!yaml_parser_initialize(&p)) {
		free(w);
		return DX_ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	while (!done && !err) {
		if (!yaml_parser_parse(&p, &ev)) {
			ix->error_line = (int)p.problem_mark.line + 1;
			snprintf(ix->error, sizeof(ix->error), "%s%s%s",
				 p.problem ? p.problem : "syntax error",
				 p.context ? " " : "", p.context ? p.context : "");
			err = DX_EPARSE;
			break;
		}
		err = on_event(w, &ev);
		if (err == DX_ERANGE) {
			ix->error_line = (int)ev.start_mark.line + 1;
			snprintf(ix->error, sizeof(ix->error),
				 "document nested too deeply");
			err = DX_EPARSE;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(w);
	return err;
}

void dx__yindex_free(struct dx__yindex *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->v[i].path);
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

static const struct dx__ypos *find(const struct dx__yindex *ix,
				   const char *path, size_t len)
{
	for (size_t i = 0; i < ix->n; i++)
		if (strlen(ix->v[i].path) == len &&
		    strncmp(ix->v[i].path, path, len) == 0)
			return &ix->v[i];
	return NULL;
}

int dx__yindex_line(const struct dx__yindex *ix, const char *path)
{
	size_t len = strlen(path);

	/* Walk up "a[2].b" -> "a[2]" -> "a" until something is listed. */
	for (;;) {
		const struct dx__ypos *p = find(ix, path, len);
		if (p)
			return p->line;
		while (len > 0 && path[len - 1] != '.' && path[len - 1] != '[')
			len--;
		if (len == 0)
			return 0;
		len--; /* drop the separator */
	}
}

bool dx__yindex_has(const struct dx__yindex *ix, const char *path)
{
	return find(ix, path, strlen(path)) != NULL;
}
