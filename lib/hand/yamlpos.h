/* SPDX-License-Identifier: MIT */
/* Private: an index from YAML node paths ("actuators[2].id") to source
 * lines, built with libyaml, so validation errors found after libcyaml has
 * loaded the document can still name the line. */
#ifndef DEXRT_YAMLPOS_H
#define DEXRT_YAMLPOS_H

#include <stdbool.h>
#include <stddef.h>

struct dx__ypos {
	char *path;
	int line;
};

struct dx__yindex {
	struct dx__ypos *v;
	size_t n, cap;
	int error_line; /* line of a syntax error, 0 if none */
	char error[160];
};

/* Builds the index. Returns 0, DX_EPARSE (syntax error: error_line/error
 * set) or DX_ENOMEM. Free with dx__yindex_free even on failure. */
int dx__yindex_build(const char *yaml, size_t len, struct dx__yindex *ix);
void dx__yindex_free(struct dx__yindex *ix);

/* Line of @p path, or of its nearest listed ancestor; 0 if none. */
int dx__yindex_line(const struct dx__yindex *ix, const char *path);

/* Whether @p path is present in the document. */
bool dx__yindex_has(const struct dx__yindex *ix, const char *path);

#endif
