/* SPDX-License-Identifier: MIT */
/* hand.yaml: schema (libcyaml), loading, and the checks that need only the
 * file. libcyaml does the parsing and typing; its own error backtrace carries
 * the line. For semantic errors found afterwards, a libyaml path index
 * (yamlpos.c) supplies the line of the offending field. */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cyaml/cyaml.h>
#include <dexrt/hand.h>

#include "hand-priv.h"
#include "yamlpos.h"

/* ---- schema -------------------------------------------------------------- */

static const cyaml_schema_value_t str_ptr = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};
static const cyaml_schema_value_t dbl = {
	CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double),
};

#define OPT CYAML_FLAG_OPTIONAL
#define STR(key, flags, type, member)                                          \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | (flags), type, member, \
			       0, CYAML_UNLIMITED)

static const cyaml_schema_field_t bus_fields[] = {
	STR("name", 0, struct dx_hand_bus_config, name),
	STR("transport", 0, struct dx_hand_bus_config, transport),
	CYAML_FIELD_UINT("bitrate", OPT, struct dx_hand_bus_config, bitrate),
	CYAML_FIELD_UINT("data_bitrate", OPT, struct dx_hand_bus_config,
			 data_bitrate),
	CYAML_FIELD_BOOL("fd", OPT, struct dx_hand_bus_config, fd),
	CYAML_FIELD_FLOAT("max_load", OPT, struct dx_hand_bus_config, max_load),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t bus_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dx_hand_bus_config,
			    bus_fields),
};

static const cyaml_schema_field_t limits_fields[] = {
	CYAML_FIELD_SEQUENCE_FIXED("position", 0, struct dx_hand_limits,
				   position, &dbl, 2),
	CYAML_FIELD_FLOAT("velocity", 0, struct dx_hand_limits, velocity),
	CYAML_FIELD_FLOAT("torque", 0, struct dx_hand_limits, torque),
	CYAML_FIELD_FLOAT("temperature", OPT, struct dx_hand_limits,
			  temperature),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t actuator_fields[] = {
	STR("name", 0, struct dx_hand_actuator_config, name),
	STR("bus", 0, struct dx_hand_actuator_config, bus),
	STR("protocol", 0, struct dx_hand_actuator_config, protocol),
	STR("model", 0, struct dx_hand_actuator_config, model),
	CYAML_FIELD_UINT("id", 0, struct dx_hand_actuator_config, id),
	STR("joint", OPT, struct dx_hand_actuator_config, joint),
	CYAML_FIELD_FLOAT("gear_ratio", OPT, struct dx_hand_actuator_config,
			  gear_ratio),
	CYAML_FIELD_INT("direction", OPT, struct dx_hand_actuator_config,
			direction),
	CYAML_FIELD_FLOAT("zero_offset", OPT, struct dx_hand_actuator_config,
			  zero_offset),
	CYAML_FIELD_MAPPING("limits", 0, struct dx_hand_actuator_config,
			    limits, limits_fields),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t actuator_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dx_hand_actuator_config,
			    actuator_fields),
};

static const cyaml_schema_field_t coupling_fields[] = {
	CYAML_FIELD_SEQUENCE("actuators", CYAML_FLAG_POINTER,
			     struct dx_hand_coupling_config, actuators,
			     &str_ptr, 1, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("joints", CYAML_FLAG_POINTER,
			     struct dx_hand_coupling_config, joints, &str_ptr,
			     1, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("matrix", CYAML_FLAG_POINTER,
			     struct dx_hand_coupling_config, matrix, &dbl, 1,
			     CYAML_UNLIMITED),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t coupling_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dx_hand_coupling_config,
			    coupling_fields),
};

static const cyaml_schema_field_t gains_fields[] = {
	CYAML_FIELD_FLOAT("kp", OPT, struct dx_hand_gains, kp),
	CYAML_FIELD_FLOAT("ki", OPT, struct dx_hand_gains, ki),
	CYAML_FIELD_FLOAT("kd", OPT, struct dx_hand_gains, kd),
	CYAML_FIELD_FLOAT("d_filter_tau", OPT, struct dx_hand_gains,
			  d_filter_tau),
	CYAML_FIELD_FLOAT("i_limit", OPT, struct dx_hand_gains, i_limit),
	CYAML_FIELD_FLOAT("out_limit", OPT, struct dx_hand_gains, out_limit),
	CYAML_FIELD_FLOAT("rate_limit", OPT, struct dx_hand_gains, rate_limit),
	CYAML_FIELD_FLOAT("deadband", OPT, struct dx_hand_gains, deadband),
	CYAML_FIELD_FLOAT("ff_velocity", OPT, struct dx_hand_gains,
			  ff_velocity),
	CYAML_FIELD_FLOAT("imp_kp", OPT, struct dx_hand_gains, imp_kp),
	CYAML_FIELD_FLOAT("imp_kd", OPT, struct dx_hand_gains, imp_kd),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t joint_fields[] = {
	STR("name", 0, struct dx_hand_joint_config, name),
	STR("mode", OPT, struct dx_hand_joint_config, mode),
	CYAML_FIELD_MAPPING("gains", OPT, struct dx_hand_joint_config, gains,
			    gains_fields),
	CYAML_FIELD_FLOAT("home", OPT, struct dx_hand_joint_config, home),
	CYAML_FIELD_FLOAT("close", OPT, struct dx_hand_joint_config, close),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t joint_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dx_hand_joint_config,
			    joint_fields),
};

static const cyaml_schema_field_t taxel_fields[] = {
	CYAML_FIELD_SEQUENCE_FIXED("pos", 0, struct dx_hand_taxel_config, pos,
				   &dbl, 3),
	CYAML_FIELD_SEQUENCE_FIXED("normal", OPT, struct dx_hand_taxel_config,
				   normal, &dbl, 3),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t taxel_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dx_hand_taxel_config,
			    taxel_fields),
};

static const cyaml_schema_field_t pad_fields[] = {
	STR("name", 0, struct dx_hand_pad_config, name),
	STR("bus", 0, struct dx_hand_pad_config, bus),
	STR("protocol", OPT, struct dx_hand_pad_config, protocol),
	CYAML_FIELD_UINT("board", 0, struct dx_hand_pad_config, board),
	STR("link", 0, struct dx_hand_pad_config, link),
	STR("finger", OPT, struct dx_hand_pad_config, finger),
	CYAML_FIELD_UINT("axes", OPT, struct dx_hand_pad_config, axes),
	CYAML_FIELD_UINT("rows", OPT, struct dx_hand_pad_config, rows),
	CYAML_FIELD_UINT("cols", OPT, struct dx_hand_pad_config, cols),
	CYAML_FIELD_FLOAT("pitch", OPT, struct dx_hand_pad_config, pitch),
	CYAML_FIELD_SEQUENCE_FIXED("origin", OPT, struct dx_hand_pad_config,
				   origin, &dbl, 3),
	CYAML_FIELD_SEQUENCE_FIXED("normal", OPT, struct dx_hand_pad_config,
				   normal, &dbl, 3),
	CYAML_FIELD_SEQUENCE("taxels", CYAML_FLAG_POINTER | OPT,
			     struct dx_hand_pad_config, taxels, &taxel_schema,
			     1, 4096),
	CYAML_FIELD_FLOAT("gain", OPT, struct dx_hand_pad_config, gain),
	CYAML_FIELD_FLOAT("threshold", OPT, struct dx_hand_pad_config,
			  threshold),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t pad_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dx_hand_pad_config,
			    pad_fields),
};

static const cyaml_schema_field_t safety_fields[] = {
	CYAML_FIELD_FLOAT("position_margin", OPT, struct dx_hand_safety_config,
			  position_margin),
	CYAML_FIELD_FLOAT("velocity_margin", OPT, struct dx_hand_safety_config,
			  velocity_margin),
	CYAML_FIELD_FLOAT("temperature_warn", OPT,
			  struct dx_hand_safety_config, temperature_warn),
	CYAML_FIELD_UINT("link_loss_cycles", OPT, struct dx_hand_safety_config,
			 link_loss_cycles),
	CYAML_FIELD_FLOAT("damping_kd", OPT, struct dx_hand_safety_config,
			  damping_kd),
	CYAML_FIELD_UINT("link_error_limit", OPT, struct dx_hand_safety_config,
			 link_error_limit),
	CYAML_FIELD_UINT("integrity_window", OPT, struct dx_hand_safety_config,
			 integrity_window),
	CYAML_FIELD_UINT("integrity_cycles", OPT, struct dx_hand_safety_config,
			 integrity_cycles),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t bridge_publish_fields[] = {
	CYAML_FIELD_UINT("joint_states", OPT, struct dx_hand_bridge_publish,
			 joint_states),
	CYAML_FIELD_UINT("wrenches", OPT, struct dx_hand_bridge_publish,
			 wrenches),
	CYAML_FIELD_UINT("diagnostics", OPT, struct dx_hand_bridge_publish,
			 diagnostics),
	CYAML_FIELD_END,
};

/* libcyaml's bool takes any word that is not a "false" one as true; a
 * command input switched on by a typo is not acceptable, so these are
 * strict enums over YAML's usual spellings. */
static const cyaml_strval_t on_off[] = {
	{"false", 0}, {"true", 1}, {"no", 0}, {"yes", 1}, {"off", 0}, {"on", 1},
};
#define ON_OFF(key, member)                                                    \
	CYAML_FIELD_ENUM(key, OPT | CYAML_FLAG_STRICT,                         \
			 struct dx_hand_bridge_subscribe, member, on_off,      \
			 CYAML_ARRAY_LEN(on_off))

static const cyaml_schema_field_t bridge_subscribe_fields[] = {
	ON_OFF("joint_command", joint_command),
	ON_OFF("grasp_command", grasp_command),
	ON_OFF("joint_trajectory", joint_trajectory),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t bridge_fields[] = {
	CYAML_FIELD_UINT("domain", OPT, struct dx_hand_bridge_config, domain),
	STR("namespace", OPT, struct dx_hand_bridge_config, ns),
	STR("frame_id", OPT, struct dx_hand_bridge_config, frame_id),
	CYAML_FIELD_MAPPING("publish", OPT, struct dx_hand_bridge_config,
			    publish, bridge_publish_fields),
	CYAML_FIELD_MAPPING("subscribe", OPT, struct dx_hand_bridge_config,
			    subscribe, bridge_subscribe_fields),
	CYAML_FIELD_FLOAT("max_grip_force", OPT, struct dx_hand_bridge_config,
			  max_grip_force),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t hand_fields[] = {
	STR("name", 0, struct dx_hand_config, name),
	STR("urdf", 0, struct dx_hand_config, urdf),
	CYAML_FIELD_UINT("period_us", 0, struct dx_hand_config, period_us),
	CYAML_FIELD_UINT("reply_deadline_us", OPT, struct dx_hand_config,
			 reply_deadline_us),
	CYAML_FIELD_SEQUENCE("buses", CYAML_FLAG_POINTER, struct dx_hand_config,
			     buses, &bus_schema, 1, 16),
	CYAML_FIELD_SEQUENCE("actuators", CYAML_FLAG_POINTER,
			     struct dx_hand_config, actuators,
			     &actuator_schema, 1, 256),
	CYAML_FIELD_SEQUENCE("couplings", CYAML_FLAG_POINTER | OPT,
			     struct dx_hand_config, couplings,
			     &coupling_schema, 0, 64),
	CYAML_FIELD_SEQUENCE("joints", CYAML_FLAG_POINTER | OPT,
			     struct dx_hand_config, joints, &joint_schema, 0,
			     256),
	CYAML_FIELD_SEQUENCE("tactile", CYAML_FLAG_POINTER | OPT,
			     struct dx_hand_config, pads, &pad_schema, 0, 32),
	CYAML_FIELD_MAPPING("safety", OPT, struct dx_hand_config, safety,
			    safety_fields),
	CYAML_FIELD_SEQUENCE_FIXED("gravity", OPT, struct dx_hand_config, gravity,
				   &dbl, 3),
	CYAML_FIELD_MAPPING("bridge", OPT, struct dx_hand_config, bridge,
			    bridge_fields),
	CYAML_FIELD_END,
};
static const cyaml_schema_value_t hand_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct dx_hand_config,
			    hand_fields),
};

/* ---- error reporting ----------------------------------------------------- */

struct loader {
	const char *file;         /* name used in messages */
	struct dx__yindex ix;
	struct dx_hand_config_error *err;
	/* libcyaml's messages for the current failure */
	char cy_msg[256];
	char cy_path[128];
	int cy_line;
	bool cy_have_msg;
	bool cy_skip_first;
};

static int fail(struct loader *ld, int code, const char *field, int line,
		const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(struct loader *ld, int code, const char *field, int line,
		const char *fmt, ...)
{
	struct dx_hand_config_error local, *e = ld->err ? ld->err : &local;
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line == 0 && field && field[0])
		line = dx__yindex_line(&ld->ix, field);
	e->code = code;
	e->line = line;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	if (line > 0)
		snprintf(e->msg, sizeof(e->msg), "%s:%d: %s%s%s", ld->file, line,
			 e->field, e->field[0] ? ": " : "", what);
	else
		snprintf(e->msg, sizeof(e->msg), "%s: %s%s%s", ld->file, e->field,
			 e->field[0] ? ": " : "", what);
	dx_log(DX_LOG_ERROR, "%s", e->msg);
	return code;
}

/* libcyaml reports a failure as a message followed by a backtrace of
 * "in mapping field 'x' (line: L, column: C)" / "in sequence entry 'N'"
 * lines, innermost first. Rebuild the dotted path and keep the innermost
 * line. */
static void cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list ap)
{
	struct loader *ld = ctx;
	char line[256], name[96], tmp[128];
	const char *p;
	const char *sep;
	int l = 0, n;

	if (level < CYAML_LOG_ERROR)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	p = line;
	if (strncmp(p, "Load: ", 6) == 0)
		p += 6;
	while (*p == ' ')
		p++;
	if (strncmp(p, "Backtrace", 9) == 0)
		return;
	if (strncmp(p, "in ", 3) == 0) {
		const char *q = strchr(p, '\'');
		const char *ln = strstr(p, "line: ");
		if (ln)
			l = atoi(ln + 6);
		if (ld->cy_line == 0 && l > 0)
			ld->cy_line = l;
		if (!q || !strchr(q + 1, '\''))
			return;
		snprintf(name, sizeof(name), "%.*s",
			 (int)(strchr(q + 1, '\'') - q - 1), q + 1);
		/* prepend: backtrace lines come innermost first. For a missing
		 * field the innermost line is the last field that was present,
		 * which would mislead: skip it. */
		if (ld->cy_skip_first) {
			ld->cy_skip_first = false;
			ld->cy_line = 0;
			return;
		}
		sep = ld->cy_path[0] && ld->cy_path[0] != '[' ? "." : "";
		if (strstr(p, "sequence entry")) /* libcyaml counts from 1 */
			n = snprintf(tmp, sizeof(tmp), "[%d]%s%s",
				     atoi(name) - 1, sep, ld->cy_path);
		else
			n = snprintf(tmp, sizeof(tmp), "%s%s%s", name, sep,
				     ld->cy_path);
		if (n > 0 && (size_t)n < sizeof(ld->cy_path))
			memcpy(ld->cy_path, tmp, (size_t)n + 1);
		return;
	}
	if (!ld->cy_have_msg) {
		snprintf(ld->cy_msg, sizeof(ld->cy_msg), "%s", p);
		ld->cy_have_msg = true;
		ld->cy_skip_first = strncmp(p, "Missing required", 16) == 0;
	}
}

/* ---- checks -------------------------------------------------------------- */

#define FIELD(buf, ...) (snprintf(buf, sizeof(buf), __VA_ARGS__), buf)

static bool finite_all(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

static bool valid_name(const char *s)
{
	return s && s[0] && strlen(s) < 64;
}

static int check_buses(struct loader *ld, struct dx_hand_config *c)
{
	char f[128];

	for (unsigned i = 0; i < c->buses_count; i++) {
		struct dx_hand_bus_config *b = &c->buses[i];
		const char *colon = strchr(b->transport, ':');

		if (!valid_name(b->name))
			return fail(ld, DX_ECONFIG, FIELD(f, "buses[%u].name", i), 0,
				    "expected a name of 1 to 63 characters");
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->buses[j].name, b->name) == 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "buses[%u].name", i), 0,
					    "bus '%s' is defined twice", b->name);
		if (!colon || colon == b->transport || colon[1] == '\0')
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "buses[%u].transport", i), 0,
				    "expected SCHEME:NAME such as socketcan:can0 or simbus:hand0, got '%s'",
				    b->transport);
		if (!dx__yindex_has(&ld->ix, FIELD(f, "buses[%u].bitrate", i)))
			b->bitrate = 1000000;
		if (b->bitrate < 10000 || b->bitrate > 1000000)
			return fail(ld, DX_ECONFIG, f, 0,
				    "expected a nominal bitrate in [10000, 1000000] bit/s, got %u",
				    b->bitrate);
		if (b->data_bitrate == 0)
			b->data_bitrate = b->bitrate;
		if (b->data_bitrate < b->bitrate || b->data_bitrate > 12000000)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "buses[%u].data_bitrate", i), 0,
				    "expected a data bitrate in [bitrate, 12000000] bit/s, got %u",
				    b->data_bitrate);
		if (b->data_bitrate != b->bitrate && !b->fd)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "buses[%u].data_bitrate", i), 0,
				    "a data bitrate needs fd: true");
		if (!dx__yindex_has(&ld->ix, FIELD(f, "buses[%u].max_load", i)))
			b->max_load = 0.8;
		if (!(b->max_load > 0.0 && b->max_load <= 1.0))
			return fail(ld, DX_ECONFIG, f, 0,
				    "expected a load in (0, 1], got %g",
				    b->max_load);
	}
	return 0;
}

static const char *const protocols[] = {"mit", "robstride", "odrive",
					"cia402"};

static bool known_protocol(const char *p)
{
	for (size_t i = 0; i < DX_ARRAY_SIZE(protocols); i++)
		if (strcmp(p, protocols[i]) == 0)
			return true;
	return false;
}

static int check_limits(struct loader *ld, unsigned i,
			struct dx_hand_limits *l)
{
	char f[128];

	if (!finite_all(l->position, 2) || l->position[0] > l->position[1])
		return fail(ld, DX_ECONFIG,
			    FIELD(f, "actuators[%u].limits.position", i), 0,
			    "expected finite [lower, upper] with lower <= upper, got [%g, %g]",
			    l->position[0], l->position[1]);
	if (!(isfinite(l->velocity) && l->velocity > 0))
		return fail(ld, DX_ECONFIG,
			    FIELD(f, "actuators[%u].limits.velocity", i), 0,
			    "expected a finite velocity limit > 0 rad/s, got %g",
			    l->velocity);
	if (!(isfinite(l->torque) && l->torque > 0))
		return fail(ld, DX_ECONFIG,
			    FIELD(f, "actuators[%u].limits.torque", i), 0,
			    "expected a finite torque limit > 0 N·m, got %g",
			    l->torque);
	if (!dx__yindex_has(&ld->ix,
			    FIELD(f, "actuators[%u].limits.temperature", i)))
		l->temperature = 80.0;
	if (!(isfinite(l->temperature) && l->temperature > 0 &&
	      l->temperature < 200))
		return fail(ld, DX_ECONFIG, f, 0,
			    "expected a temperature limit in (0, 200) °C, got %g",
			    l->temperature);
	return 0;
}

static int check_actuators(struct loader *ld, struct dx_hand_config *c)
{
	char f[128];
	int err;

	for (unsigned i = 0; i < c->actuators_count; i++) {
		struct dx_hand_actuator_config *a = &c->actuators[i];
		int bus = dx_hand_config_find_bus(c, a->bus);
		uint32_t max_id;

		if (!valid_name(a->name))
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "actuators[%u].name", i), 0,
				    "expected a name of 1 to 63 characters");
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->actuators[j].name, a->name) == 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "actuators[%u].name", i), 0,
					    "actuator '%s' is defined twice",
					    a->name);
		if (bus < 0)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "actuators[%u].bus", i), 0,
				    "no bus named '%s' in buses", a->bus);
		if (!known_protocol(a->protocol))
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "actuators[%u].protocol", i), 0,
				    "expected one of mit, robstride, odrive, cia402, got '%s'",
				    a->protocol);
		/* Node id ranges: CANopen 1..127, ODrive 0..63 (6-bit node id
		 * in node<<5|cmd), Robstride 8-bit, MIT drives use the 11-bit
		 * identifier space. */
		max_id = strcmp(a->protocol, "cia402") == 0	 ? 127
			 : strcmp(a->protocol, "odrive") == 0	 ? 63
			 : strcmp(a->protocol, "robstride") == 0 ? 255
								 : 2047;
		if (a->id > max_id ||
		    (a->id == 0 && strcmp(a->protocol, "odrive") != 0))
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "actuators[%u].id", i), 0,
				    "expected an integer in [%d, %u] for %s, got %u",
				    strcmp(a->protocol, "odrive") == 0 ? 0 : 1,
				    max_id, a->protocol, a->id);
		for (unsigned j = 0; j < i; j++)
			if (c->actuators[j].id == a->id &&
			    strcmp(c->actuators[j].bus, a->bus) == 0 &&
			    strcmp(c->actuators[j].protocol, a->protocol) == 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "actuators[%u].id", i), 0,
					    "id %u is already used by actuator '%s' on bus '%s'",
					    a->id, c->actuators[j].name, a->bus);
		if (!dx__yindex_has(&ld->ix,
				    FIELD(f, "actuators[%u].gear_ratio", i)))
			a->gear_ratio = 1.0;
		if (!(isfinite(a->gear_ratio) && a->gear_ratio > 0))
			return fail(ld, DX_ECONFIG, f, 0,
				    "expected a finite gear ratio > 0, got %g",
				    a->gear_ratio);
		if (!dx__yindex_has(&ld->ix,
				    FIELD(f, "actuators[%u].direction", i)))
			a->direction = 1;
		if (a->direction != 1 && a->direction != -1)
			return fail(ld, DX_ECONFIG, f, 0,
				    "expected 1 or -1, got %d", a->direction);
		if (!isfinite(a->zero_offset))
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "actuators[%u].zero_offset", i), 0,
				    "expected a finite offset in rad");
		if ((err = check_limits(ld, i, &a->limits)))
			return err;
	}
	return 0;
}

static int check_couplings(struct loader *ld, struct dx_hand_config *c)
{
	char f[128];

	for (unsigned i = 0; i < c->couplings_count; i++) {
		struct dx_hand_coupling_config *k = &c->couplings[i];

		for (unsigned a = 0; a < k->actuators_count; a++) {
			int idx = dx_hand_config_find_actuator(c, k->actuators[a]);
			if (idx < 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "couplings[%u].actuators[%u]", i, a),
					    0, "no actuator named '%s'",
					    k->actuators[a]);
			if (c->actuators[idx].joint)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "couplings[%u].actuators[%u]", i, a),
					    0,
					    "actuator '%s' already drives joint '%s' directly",
					    k->actuators[a], c->actuators[idx].joint);
		}
		for (unsigned j = 0; j < k->joints_count; j++)
			if (!valid_name(k->joints[j]))
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "couplings[%u].joints[%u]", i, j),
					    0, "expected a joint name");
		if (k->matrix_count != k->actuators_count * k->joints_count)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "couplings[%u].matrix", i), 0,
				    "expected %u values (%u actuators x %u joints, row-major), got %u",
				    k->actuators_count * k->joints_count,
				    k->actuators_count, k->joints_count,
				    k->matrix_count);
		if (!finite_all(k->matrix, k->matrix_count))
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "couplings[%u].matrix", i), 0,
				    "every entry must be finite");
	}
	/* every actuator drives something */
	for (unsigned a = 0; a < c->actuators_count; a++) {
		bool coupled = false;
		for (unsigned i = 0; i < c->couplings_count && !coupled; i++)
			for (unsigned k = 0; k < c->couplings[i].actuators_count; k++)
				if (strcmp(c->couplings[i].actuators[k],
					   c->actuators[a].name) == 0)
					coupled = true;
		if (!c->actuators[a].joint && !coupled)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "actuators[%u]", a), 0,
				    "actuator '%s' has no joint and is in no coupling",
				    c->actuators[a].name);
	}
	return 0;
}

static int check_joints(struct loader *ld, struct dx_hand_config *c)
{
	static const char *const modes[] = {"position", "impedance", "velocity",
					    "off"};
	char f[128];

	for (unsigned i = 0; i < c->joints_count; i++) {
		struct dx_hand_joint_config *j = &c->joints[i];
		const double *g = &j->gains.kp;
		size_t ng = sizeof(j->gains) / sizeof(double);
		bool found = false;

		if (!valid_name(j->name))
			return fail(ld, DX_ECONFIG, FIELD(f, "joints[%u].name", i),
				    0, "expected a joint name");
		for (unsigned k = 0; k < i; k++)
			if (strcmp(c->joints[k].name, j->name) == 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "joints[%u].name", i), 0,
					    "joint '%s' is listed twice", j->name);
		j->mode_id = DX_JOINT_POSITION;
		if (j->mode) {
			for (size_t m = 0; m < DX_ARRAY_SIZE(modes); m++)
				if (strcmp(j->mode, modes[m]) == 0) {
					j->mode_id = (enum dx_joint_mode)m;
					found = true;
				}
			if (!found)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "joints[%u].mode", i), 0,
					    "expected position, impedance, velocity or off, got '%s'",
					    j->mode);
		}
		for (size_t k = 0; k < ng; k++)
			if (!isfinite(g[k]) || g[k] < 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "joints[%u].gains", i), 0,
					    "gains must be finite and >= 0");
		if (!isfinite(j->home))
			return fail(ld, DX_ECONFIG, FIELD(f, "joints[%u].home", i),
				    0, "expected a finite position in rad");
		if (!dx__yindex_has(&ld->ix, FIELD(f, "joints[%u].close", i)))
			j->close = j->home;
		if (!isfinite(j->close))
			return fail(ld, DX_ECONFIG, f, 0,
				    "expected a finite position in rad");
	}
	return 0;
}

static int check_pads(struct loader *ld, struct dx_hand_config *c)
{
	char f[128];

	for (unsigned i = 0; i < c->pads_count; i++) {
		struct dx_hand_pad_config *p = &c->pads[i];
		bool grid = p->rows || p->cols;

		if (!valid_name(p->name))
			return fail(ld, DX_ECONFIG, FIELD(f, "tactile[%u].name", i),
				    0, "expected a name of 1 to 63 characters");
		if (dx_hand_config_find_bus(c, p->bus) < 0)
			return fail(ld, DX_ECONFIG, FIELD(f, "tactile[%u].bus", i),
				    0, "no bus named '%s' in buses", p->bus);
		if (p->protocol && strcmp(p->protocol, "dexrt") != 0 &&
		    strcmp(p->protocol, "uskin") != 0)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "tactile[%u].protocol", i), 0,
				    "expected dexrt or uskin, got '%s'", p->protocol);
		if (p->board > 255)
			return fail(ld, DX_ECONFIG,
				    FIELD(f, "tactile[%u].board", i), 0,
				    "expected a board id in [0, 255], got %u",
				    p->board);
		for (unsigned k = 0; k < i; k++)
			if (c->pads[k].board == p->board &&
			    strcmp(c->pads[k].bus, p->bus) == 0)
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "tactile[%u].board", i), 0,
					    "board %u on bus '%s' is already pad '%s'",
					    p->board, p->bus, c->pads[k].name);
		if (!dx__yindex_has(&ld->ix, FIELD(f, "tactile[%u].axes", i)))
			p->axes = 1;
		if (p->axes != 1 && p->axes != 3)
			return fail(ld, DX_ECONFIG, f, 0, "expected 1 or 3, got %u",
				    p->axes);
		if (grid == (p->taxels_count > 0))
			return fail(ld, DX_ECONFIG, FIELD(f, "tactile[%u]", i), 0,
				    "give either rows/cols/pitch or a taxels list");
		if (grid && (p->rows == 0 || p->cols == 0 ||
			     p->rows * p->cols > 1024 ||
			     !(isfinite(p->pitch) && p->pitch > 0)))
			return fail(ld, DX_ECONFIG, FIELD(f, "tactile[%u].rows", i),
				    0,
				    "a grid needs rows, cols >= 1 (at most 1024 taxels) and a pitch > 0 m");
		if (!dx__yindex_has(&ld->ix, FIELD(f, "tactile[%u].normal", i)))
			p->normal[2] = 1.0;
		if (!finite_all(p->origin, 3) || !finite_all(p->normal, 3) ||
		    sqrt(p->normal[0] * p->normal[0] + p->normal[1] * p->normal[1] +
			 p->normal[2] * p->normal[2]) < 1e-9)
			return fail(ld, DX_ECONFIG, FIELD(f, "tactile[%u].normal", i),
				    0, "origin and normal must be finite, normal non-zero");
		for (unsigned t = 0; t < p->taxels_count; t++) {
			struct dx_hand_taxel_config *tx = &p->taxels[t];
			if (!dx__yindex_has(&ld->ix,
					    FIELD(f, "tactile[%u].taxels[%u].normal", i, t)))
				memcpy(tx->normal, p->normal, sizeof(tx->normal));
			if (!finite_all(tx->pos, 3) || !finite_all(tx->normal, 3))
				return fail(ld, DX_ECONFIG,
					    FIELD(f, "tactile[%u].taxels[%u]", i, t), 0,
					    "taxel position and normal must be finite");
		}
		if (!dx__yindex_has(&ld->ix, FIELD(f, "tactile[%u].gain", i)))
			p->gain = 1.0;
		if (!(isfinite(p->gain) && p->gain > 0))
			return fail(ld, DX_ECONFIG, f, 0, "expected a gain > 0");
		if (!dx__yindex_has(&ld->ix, FIELD(f, "tactile[%u].threshold", i)))
			p->threshold = 0.2;
		if (!(isfinite(p->threshold) && p->threshold > 0))
			return fail(ld, DX_ECONFIG, f, 0,
				    "expected a contact threshold > 0 N");
	}
	return 0;
}

/* A ROS 2 namespace as the bridge puts it in topic names: tokens of
 * letters, digits and '_' (not starting with a digit) joined by single
 * '/'. Empty is allowed (no namespace). */
static bool ros_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n >= 96 || s[0] == '/' || (n && s[n - 1] == '/') ||
	    (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '_';

		if (!word && !(ch == '/' && s[i + 1] != '/'))
			return false;
	}
	return true;
}

static int check_bridge(struct loader *ld, struct dx_hand_config *c)
{
	struct dx_hand_bridge_config *b = &c->bridge;
	struct dx_hand_bridge_publish *p = &b->publish;
	double hz = 1e6 / (double)c->period_us;
	uint32_t dec100 = (uint32_t)fmax(1.0, floor(hz / 100.0 + 0.5));

	b->present = dx__yindex_has(&ld->ix, "bridge");
	if (!dx__yindex_has(&ld->ix, "bridge.domain"))
		b->domain = UINT32_MAX;
	else if (b->domain > 232) /* the DDS port mapping's highest domain */
		return fail(ld, DX_ECONFIG, "bridge.domain", 0,
			    "expected a DDS domain id in [0, 232], got %u",
			    b->domain);
	if (!b->ns) {
		/* the hand's name, made a ROS 2 name: other characters become
		 * '_', a leading digit gets one before it */
		size_t n = strlen(c->name);
		char *ns = malloc(n + 2), *w = ns;

		if (!ns)
			return DX_ENOMEM;
		if (c->name[0] >= '0' && c->name[0] <= '9')
			*w++ = '_';
		for (size_t i = 0; i < n; i++) {
			char ch = c->name[i];
			bool word = (ch >= 'a' && ch <= 'z') ||
				    (ch >= 'A' && ch <= 'Z') ||
				    (ch >= '0' && ch <= '9') || ch == '_';
			*w++ = word ? ch : '_';
		}
		*w = '\0';
		b->ns = ns;
	} else if (!ros_name_ok(b->ns)) {
		return fail(ld, DX_ECONFIG, "bridge.namespace", 0,
			    "expected letters, digits, '_' and single inner '/', "
			    "not starting with a digit, at most 95 characters, got '%s'",
			    b->ns);
	}
	if (b->frame_id && strlen(b->frame_id) >= 64)
		return fail(ld, DX_ECONFIG, "bridge.frame_id", 0,
			    "expected at most 63 characters");
	if (!dx__yindex_has(&ld->ix, "bridge.publish.joint_states"))
		p->joint_states = dec100;
	if (!dx__yindex_has(&ld->ix, "bridge.publish.wrenches"))
		p->wrenches = p->joint_states ? p->joint_states : dec100;
	if (!dx__yindex_has(&ld->ix, "bridge.publish.diagnostics"))
		p->diagnostics = (uint32_t)fmax(1.0, floor(hz + 0.5));
	{
		static const char *const key[] = {
			"bridge.publish.joint_states", "bridge.publish.wrenches",
			"bridge.publish.diagnostics"};
		const uint32_t v[] = {p->joint_states, p->wrenches,
				      p->diagnostics};

		for (int k = 0; k < 3; k++)
			if (v[k] > 1000000)
				return fail(ld, DX_ECONFIG, key[k], 0,
					    "expected 0 (off) or every Nth cycle with N in "
					    "[1, 1000000], got %u", v[k]);
	}
	if (!dx__yindex_has(&ld->ix, "bridge.subscribe.joint_command"))
		b->subscribe.joint_command = true;
	if (!dx__yindex_has(&ld->ix, "bridge.subscribe.grasp_command"))
		b->subscribe.grasp_command = true;
	if (!dx__yindex_has(&ld->ix, "bridge.subscribe.joint_trajectory"))
		b->subscribe.joint_trajectory = true;
	if (!dx__yindex_has(&ld->ix, "bridge.max_grip_force"))
		b->max_grip_force = 20.0;
	if (!(isfinite(b->max_grip_force) && b->max_grip_force > 0 &&
	      b->max_grip_force <= 1000.0))
		return fail(ld, DX_ECONFIG, "bridge.max_grip_force", 0,
			    "expected a force in (0, 1000] N, got %g",
			    b->max_grip_force);
	return 0;
}

static int check_top(struct loader *ld, struct dx_hand_config *c,
		     const char *base_dir)
{
	struct dx_hand_safety_config *s = &c->safety;
	char path[PATH_MAX], f[64];
	struct stat st;

	if (!valid_name(c->name))
		return fail(ld, DX_ECONFIG, "name", 0,
			    "expected a name of 1 to 63 characters");
	if (c->period_us < 100 || c->period_us > 1000000)
		return fail(ld, DX_ECONFIG, "period_us", 0,
			    "expected a period in [100, 1000000] us, got %u",
			    c->period_us);
	if (!dx__yindex_has(&ld->ix, "reply_deadline_us"))
		c->reply_deadline_us = c->period_us * 6 / 10;
	if (c->reply_deadline_us == 0 || c->reply_deadline_us >= c->period_us)
		return fail(ld, DX_ECONFIG, "reply_deadline_us", 0,
			    "expected a deadline in [1, period_us) = [1, %u) us, got %u",
			    c->period_us, c->reply_deadline_us);
	/* The URDF path is relative to the YAML file. */
	if (c->urdf[0] != '/' && base_dir) {
		if (snprintf(path, sizeof(path), "%s/%s", base_dir, c->urdf) >=
		    (int)sizeof(path))
			return fail(ld, DX_ECONFIG, "urdf", 0, "path too long");
		char *p = strdup(path);
		if (!p)
			return DX_ENOMEM;
		free(c->urdf);
		c->urdf = p;
	}
	if (stat(c->urdf, &st) != 0 || !S_ISREG(st.st_mode))
		return fail(ld, DX_ENOENT, "urdf", 0, "cannot read URDF file '%s'",
			    c->urdf);

	if (!finite_all(c->gravity, 3) ||
	    sqrt(c->gravity[0] * c->gravity[0] + c->gravity[1] * c->gravity[1] +
		 c->gravity[2] * c->gravity[2]) > 100.0)
		return fail(ld, DX_ECONFIG, "gravity", 0,
			    "expected a finite vector of at most 100 m/s^2 in the hand frame");
	if (!dx__yindex_has(&ld->ix, "safety.position_margin"))
		s->position_margin = 0.02;
	if (!dx__yindex_has(&ld->ix, "safety.velocity_margin"))
		s->velocity_margin = 1.0;
	if (!dx__yindex_has(&ld->ix, "safety.link_loss_cycles"))
		s->link_loss_cycles = 3;
	if (!dx__yindex_has(&ld->ix, "safety.damping_kd"))
		s->damping_kd = 0.05;
	if (!(isfinite(s->position_margin) && s->position_margin >= 0))
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.position_margin"), 0,
			    "expected a margin >= 0 rad");
	if (!(isfinite(s->velocity_margin) && s->velocity_margin > 0 &&
	      s->velocity_margin <= 1.0))
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.velocity_margin"), 0,
			    "expected a fraction in (0, 1]");
	if (s->link_loss_cycles < 1 || s->link_loss_cycles > 1000)
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.link_loss_cycles"), 0,
			    "expected an integer in [1, 1000], got %u",
			    s->link_loss_cycles);
	if (!(isfinite(s->damping_kd) && s->damping_kd >= 0))
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.damping_kd"), 0,
			    "expected a gain >= 0");
	if (!isfinite(s->temperature_warn) || s->temperature_warn < 0)
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.temperature_warn"), 0,
			    "expected a temperature >= 0 °C");
	if (!dx__yindex_has(&ld->ix, "safety.link_error_limit"))
		s->link_error_limit = 32 * s->link_loss_cycles;
	if (!dx__yindex_has(&ld->ix, "safety.integrity_window"))
		s->integrity_window = 32;
	if (!dx__yindex_has(&ld->ix, "safety.integrity_cycles"))
		s->integrity_cycles = 8;
	if (s->link_error_limit < 8 || s->link_error_limit > 1000000)
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.link_error_limit"), 0,
			    "expected an integer in [8, 1000000], got %u",
			    s->link_error_limit);
	if (s->integrity_window < 1 || s->integrity_window > 64)
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.integrity_window"), 0,
			    "expected an integer in [1, 64] cycles, got %u",
			    s->integrity_window);
	if (s->integrity_cycles < 1 || s->integrity_cycles > s->integrity_window)
		return fail(ld, DX_ECONFIG, FIELD(f, "safety.integrity_cycles"), 0,
			    "expected an integer in [1, integrity_window] = [1, %u], got %u",
			    s->integrity_window, s->integrity_cycles);
	return 0;
}

/* ---- loading ------------------------------------------------------------- */

static const cyaml_config_t *cy_config(struct loader *ld, cyaml_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_fn = cy_log;
	cfg->log_ctx = ld;
	cfg->mem_fn = cyaml_mem;
	cfg->log_level = CYAML_LOG_ERROR;
	cfg->flags = CYAML_CFG_DEFAULT;
	return cfg;
}

static void free_cfg(struct loader *ld, struct dx_hand_config *c)
{
	cyaml_config_t cfg;

	if (!c)
		return;
	free(c->source);
	c->source = NULL;
	if (c->priv) {
		dx__yindex_free(c->priv);
		free(c->priv);
		c->priv = NULL;
	}
	cyaml_free(cy_config(ld, &cfg), &hand_schema, c, 0);
}

static int load(struct loader *ld, const char *yaml, size_t len,
		const char *base_dir, struct dx_hand_config **out)
{
	struct dx_hand_config *c = NULL;
	cyaml_config_t cfg;
	cyaml_err_t cerr;
	int err;

	err = dx__yindex_build(yaml, len, &ld->ix);
	if (err == DX_EPARSE)
		return fail(ld, DX_EPARSE, "", ld->ix.error_line,
			    "YAML syntax error: %s", ld->ix.error);
	if (err)
		return err;

	cerr = cyaml_load_data((const uint8_t *)yaml, len, cy_config(ld, &cfg),
			       &hand_schema, (cyaml_data_t **)&c, NULL);
	if (cerr != CYAML_OK) {
		if (cerr == CYAML_ERR_OOM)
			return DX_ENOMEM;
		const char *key = strstr(ld->cy_msg, "Unexpected key: ");
		if (key) {
			/* libcyaml gives the mapping's line; find the key's. */
			char kp[256];
			snprintf(kp, sizeof(kp), "%s%s%s", ld->cy_path,
				 ld->cy_path[0] ? "." : "", key + 16);
			ld->cy_line = dx__yindex_line(&ld->ix, kp);
		}
		return fail(ld, DX_EPARSE, ld->cy_path, ld->cy_line, "%s",
			    ld->cy_have_msg ? ld->cy_msg : cyaml_strerror(cerr));
	}
	if (!c) /* an empty document loads as nothing */
		return fail(ld, DX_EPARSE, "", 1,
			    "empty document: expected a mapping with name, urdf, period_us, buses, actuators");
	if ((err = check_top(ld, c, base_dir)) || (err = check_buses(ld, c)) ||
	    (err = check_actuators(ld, c)) || (err = check_couplings(ld, c)) ||
	    (err = check_joints(ld, c)) || (err = check_pads(ld, c)) ||
	    (err = check_bridge(ld, c))) {
		free_cfg(ld, c);
		return err;
	}
	/* The line index stays with the configuration so that checks made at
	 * hand init (URDF, models, budget) can name lines too. */
	c->priv = malloc(sizeof(ld->ix));
	if (!c->priv) {
		free_cfg(ld, c);
		return DX_ENOMEM;
	}
	memcpy(c->priv, &ld->ix, sizeof(ld->ix));
	memset(&ld->ix, 0, sizeof(ld->ix));
	*out = c;
	return 0;
}

DX_API int dx_hand_config_load_string(const char *yaml, size_t len,
				      const char *name, const char *base_dir,
				      struct dx_hand_config **out,
				      struct dx_hand_config_error *err)
{
	struct loader ld = {.file = name ? name : "<string>", .err = err};
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out)
		return DX_EINVAL;
	*out = NULL;
	if (!yaml)
		return fail(&ld, DX_EINVAL, "", 0, "no YAML text given");
	rc = load(&ld, yaml, len, base_dir, out);
	dx__yindex_free(&ld.ix);
	if (rc == DX_ENOMEM && err && !err->code) {
		err->code = rc;
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", ld.file);
	}
	return rc;
}

DX_API int dx_hand_config_load(const char *path, struct dx_hand_config **out,
			       struct dx_hand_config_error *err)
{
	struct loader ld = {.file = path ? path : "(null)", .err = err};
	char *buf = NULL, *dir_copy = NULL;
	long size;
	FILE *f;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || !path)
		return out ? (*out = NULL, fail(&ld, DX_EINVAL, "", 0, "no path given"))
			   : DX_EINVAL;
	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return fail(&ld, DX_ENOENT, "", 0, "cannot open: %s",
			    strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > 16 * 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return fail(&ld, DX_EPARSE, "", 0,
			    "not a regular file of at most 16 MiB");
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		fclose(f);
		return DX_ENOMEM;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return fail(&ld, DX_EIO, "", 0, "read error");
	}
	fclose(f);
	buf[size] = '\0';
	dir_copy = strdup(path);
	if (!dir_copy) {
		free(buf);
		return DX_ENOMEM;
	}
	rc = dx_hand_config_load_string(buf, (size_t)size, path,
					dirname(dir_copy), out, err);
	if (rc == 0) {
		(*out)->source = strdup(path);
		if (!(*out)->source) {
			dx_hand_config_free(*out);
			*out = NULL;
			rc = DX_ENOMEM;
		}
	}
	free(dir_copy);
	free(buf);
	return rc;
}

int dx__hand_config_fail(const struct dx_hand_config *cfg,
			 struct dx_hand_config_error *err, int code,
			 const char *field, const char *fmt, ...)
{
	struct loader ld = {.file = cfg && cfg->source ? cfg->source : "hand.yaml",
			    .err = err};
	char what[320];
	va_list ap;
	int rc;

	if (cfg && cfg->priv)
		ld.ix = *(struct dx__yindex *)cfg->priv;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	rc = fail(&ld, code, field, 0, "%s", what);
	return rc;
}

DX_API void dx_hand_config_free(struct dx_hand_config *cfg)
{
	struct loader ld = {.file = ""};
	free_cfg(&ld, cfg);
}

DX_API int dx_hand_config_find_bus(const struct dx_hand_config *cfg,
				   const char *name)
{
	if (!cfg || !name)
		return -1;
	for (unsigned i = 0; i < cfg->buses_count; i++)
		if (strcmp(cfg->buses[i].name, name) == 0)
			return (int)i;
	return -1;
}

DX_API int dx_hand_config_find_actuator(const struct dx_hand_config *cfg,
					const char *name)
{
	if (!cfg || !name)
		return -1;
	for (unsigned i = 0; i < cfg->actuators_count; i++)
		if (strcmp(cfg->actuators[i].name, name) == 0)
			return (int)i;
	return -1;
}

DX_API int dx_hand_config_find_joint(const struct dx_hand_config *cfg,
				     const char *name)
{
	if (!cfg || !name)
		return -1;
	for (unsigned i = 0; i < cfg->joints_count; i++)
		if (strcmp(cfg->joints[i].name, name) == 0)
			return (int)i;
	return -1;
}
