/* SPDX-License-Identifier: MIT */
/* hand.yaml loading: a valid file with defaults, and each kind of mistake
 * reported with the right line and field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dexrt/hand.h>

#include "dx-check.h"

static char dir[64];

/* A complete, valid configuration. Line numbers matter to the tests below:
 * keep them in sync (line 1 is "name: testhand"). */
static const char valid[] =
	"name: testhand\n"                          /* 1 */
	"urdf: finger.urdf\n"                       /* 2 */
	"period_us: 1000\n"                         /* 3 */
	"buses:\n"                                  /* 4 */
	"  - name: can0\n"                          /* 5 */
	"    transport: simbus:t0\n"                /* 6 */
	"actuators:\n"                              /* 7 */
	"  - name: a0\n"                            /* 8 */
	"    bus: can0\n"                           /* 9 */
	"    protocol: mit\n"                       /* 10 */
	"    model: dm-j4310\n"                     /* 11 */
	"    id: 1\n"                               /* 12 */
	"    joint: j0\n"                           /* 13 */
	"    limits: {position: [-1, 1], velocity: 5, torque: 2}\n" /* 14 */
	"  - name: a1\n"                            /* 15 */
	"    bus: can0\n"                           /* 16 */
	"    protocol: mit\n"                       /* 17 */
	"    model: dm-j4310\n"                     /* 18 */
	"    id: 2\n"                               /* 19 */
	"    gear_ratio: 2.5\n"                     /* 20 */
	"    direction: -1\n"                       /* 21 */
	"    limits: {position: [-1, 1], velocity: 5, torque: 2, temperature: 70}\n" /* 22 */
	"couplings:\n"                              /* 23 */
	"  - actuators: [a1]\n"                     /* 24 */
	"    joints: [j1, j2]\n"                    /* 25 */
	"    matrix: [1.0, 0.5]\n"                  /* 26 */
	"joints:\n"                                 /* 27 */
	"  - name: j0\n"                            /* 28 */
	"    gains: {kp: 5, kd: 0.1}\n"             /* 29 */
	"  - name: j1\n"                            /* 30 */
	"    mode: impedance\n"                     /* 31 */
	"tactile:\n"                                /* 32 */
	"  - name: pad0\n"                          /* 33 */
	"    bus: can0\n"                           /* 34 */
	"    board: 16\n"                           /* 35 */
	"    link: tip\n"                           /* 36 */
	"    rows: 4\n"                             /* 37 */
	"    cols: 4\n"                             /* 38 */
	"    pitch: 0.003\n";                       /* 39 */

static int load_text(const char *text, struct dx_hand_config **c,
		     struct dx_hand_config_error *e)
{
	return dx_hand_config_load_string(text, strlen(text), "hand.yaml", dir,
					  c, e);
}

/* valid text with line @p line replaced by @p repl (NULL deletes it) */
static char *edit(int line, const char *repl)
{
	static char out[4096];
	const char *p = valid;
	size_t n = 0;

	for (int l = 1; *p; l++) {
		const char *eol = strchr(p, '\n');
		size_t len = (size_t)(eol - p) + 1;
		if (l == line) {
			if (repl)
				n += (size_t)snprintf(out + n, sizeof(out) - n,
						      "%s\n", repl);
		} else {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

static void setup(void)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/dx-config-%d", (int)getpid());
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/finger.urdf", dir);
	f = fopen(cmd, "w");
	ck_assert_ptr_nonnull(f);
	fputs("<robot name=\"f\"><link name=\"tip\"/></robot>\n", f);
	fclose(f);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
}

START_TEST(test_valid_and_defaults)
{
	struct dx_hand_config *c = NULL;
	struct dx_hand_config_error e;

	ck_assert_int_eq(load_text(valid, &c, &e), 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->name, "testhand");
	ck_assert_ptr_nonnull(strstr(c->urdf, "/finger.urdf"));
	ck_assert_int_eq(c->period_us, 1000);
	ck_assert_int_eq(c->reply_deadline_us, 600); /* default 60% */
	ck_assert_int_eq(c->buses_count, 1);
	ck_assert_int_eq(c->buses[0].bitrate, 1000000);
	ck_assert_int_eq(c->buses[0].data_bitrate, 1000000);
	dx_ck_near(c->buses[0].max_load, 0.8, 1e-12);
	ck_assert_int_eq(c->actuators_count, 2);
	dx_ck_near(c->actuators[0].gear_ratio, 1.0, 0);
	ck_assert_int_eq(c->actuators[0].direction, 1);
	dx_ck_near(c->actuators[0].limits.temperature, 80.0, 0);
	dx_ck_near(c->actuators[1].gear_ratio, 2.5, 0);
	ck_assert_int_eq(c->actuators[1].direction, -1);
	dx_ck_near(c->actuators[1].limits.temperature, 70.0, 0);
	dx_ck_near(c->actuators[0].limits.position[0], -1.0, 0);
	ck_assert_int_eq(c->couplings_count, 1);
	ck_assert_int_eq(c->couplings[0].matrix_count, 2);
	dx_ck_near(c->couplings[0].matrix[1], 0.5, 0);
	ck_assert_int_eq(c->joints_count, 2);
	ck_assert_int_eq(c->joints[0].mode_id, DX_JOINT_POSITION);
	ck_assert_int_eq(c->joints[1].mode_id, DX_JOINT_IMPEDANCE);
	dx_ck_near(c->joints[0].gains.kp, 5.0, 0);
	ck_assert_int_eq(c->pads_count, 1);
	ck_assert_int_eq(c->pads[0].axes, 1);
	dx_ck_near(c->pads[0].normal[2], 1.0, 0);
	dx_ck_near(c->pads[0].gain, 1.0, 0);
	ck_assert_int_eq(c->safety.link_loss_cycles, 3);
	ck_assert_int_eq(dx_hand_config_find_actuator(c, "a1"), 1);
	ck_assert_int_eq(dx_hand_config_find_bus(c, "nope"), -1);
	ck_assert_int_eq(dx_hand_config_find_joint(c, "j1"), 1);
	dx_hand_config_free(c);
}
END_TEST

struct bad_case {
	int line;            /* line of valid[] to replace */
	const char *repl;    /* replacement (NULL: delete the line) */
	int code;            /* expected error code */
	int err_line;        /* expected reported line */
	const char *field;   /* expected field path */
	const char *needle;  /* expected substring of the message */
};

static const struct bad_case bad[] = {
	{12, "    id: 4000", DX_ECONFIG, 12, "actuators[0].id", "[1, 2047]"},
	{12, "    id: abc", DX_EPARSE, 12, "actuators[0].id", ""},
	{19, "    id: 1", DX_ECONFIG, 19, "actuators[1].id", "already used"},
	{9, "    bus: can9", DX_ECONFIG, 9, "actuators[0].bus", "no bus named 'can9'"},
	{10, "    protocol: canfoo", DX_ECONFIG, 10, "actuators[0].protocol", "expected one of"},
	{14, "    limits: {position: [1, -1], velocity: 5, torque: 2}", DX_ECONFIG, 14,
	 "actuators[0].limits.position", "lower <= upper"},
	{14, "    limits: {position: [-1, 1], velocity: .nan, torque: 2}", DX_EPARSE, 14,
	 "actuators[0].limits.velocity", "Invalid"},
	{14, "    limits: {position: [-1, 1], velocity: -5, torque: 2}", DX_ECONFIG, 14,
	 "actuators[0].limits.velocity", "velocity limit"},
	{14, "    limits: {position: [-1, 1], velocity: 5}", DX_EPARSE, 14, "actuators[0].limits", "torque"},
	{20, "    gear_ratio: 0", DX_ECONFIG, 20, "actuators[1].gear_ratio", "gear ratio"},
	{21, "    direction: 2", DX_ECONFIG, 21, "actuators[1].direction", "1 or -1"},
	{26, "    matrix: [1.0, 0.5, 2.0]", DX_ECONFIG, 26, "couplings[0].matrix", "expected 2 values"},
	{24, "  - actuators: [a0]", DX_ECONFIG, 24, "couplings[0].actuators[0]", "directly"},
	{13, NULL, DX_ECONFIG, 8, "actuators[0]", "no joint"},
	{31, "    mode: torqueish", DX_ECONFIG, 31, "joints[1].mode", "expected position"},
	{29, "    gains: {kp: -5}", DX_ECONFIG, 29, "joints[0].gains", ">= 0"},
	{3, "period_us: 0", DX_ECONFIG, 3, "period_us", "[100, 1000000]"},
	{2, "urdf: missing.urdf", DX_ENOENT, 2, "urdf", "cannot read"},
	{6, "    transport: can0", DX_ECONFIG, 6, "buses[0].transport", "SCHEME:NAME"},
	{35, "    board: 300", DX_ECONFIG, 35, "tactile[0].board", "[0, 255]"},
	{39, "    pitch: 0", DX_ECONFIG, 37, "tactile[0].rows", "pitch"},
	{12, "    id: 1\n    bogus_key: 3", DX_EPARSE, 13, "actuators[0]", "bogus_key"},
	{5, "  - name: can0\n   bad: [indent", DX_EPARSE, 0, "", "syntax"},
};

START_TEST(test_bad_configs)
{
	const struct bad_case *b = &bad[_i];
	struct dx_hand_config *c = (struct dx_hand_config *)0x1;
	struct dx_hand_config_error e;
	int rc = load_text(edit(b->line, b->repl), &c, &e);

	ck_assert_msg(rc == b->code, "case %d: rc %d (%s), want %d; msg: %s", _i,
		      rc, dx_errname(rc), b->code, e.msg);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, b->code);
	if (b->err_line)
		ck_assert_msg(e.line == b->err_line, "case %d: line %d want %d: %s",
			      _i, e.line, b->err_line, e.msg);
	else
		ck_assert_int_gt(e.line, 0);
	ck_assert_msg(strcmp(e.field, b->field) == 0,
		      "case %d: field '%s' want '%s': %s", _i, e.field, b->field,
		      e.msg);
	ck_assert_msg(strstr(e.msg, b->needle) != NULL,
		      "case %d: '%s' not in '%s'", _i, b->needle, e.msg);
	ck_assert_msg(strncmp(e.msg, "hand.yaml:", 10) == 0, "%s", e.msg);
}
END_TEST

/* ---- the bridge: section (DDS bridge settings, plain data here) -------- */

START_TEST(test_bridge_defaults)
{
	struct dx_hand_config *c = NULL;
	struct dx_hand_config_error e;
	char text[4096];

	/* absent: everything on, 100 Hz joint states and wrenches and 1 Hz
	 * status at the 1 kHz rate, Cyclone's domain, the hand's name */
	ck_assert_int_eq(load_text(valid, &c, &e), 0);
	ck_assert(!c->bridge.present);
	ck_assert_uint_eq(c->bridge.domain, UINT32_MAX);
	ck_assert_str_eq(c->bridge.ns, "testhand");
	ck_assert_ptr_null(c->bridge.frame_id);
	ck_assert_uint_eq(c->bridge.publish.joint_states, 10);
	ck_assert_uint_eq(c->bridge.publish.wrenches, 10);
	ck_assert_uint_eq(c->bridge.publish.diagnostics, 1000);
	ck_assert(c->bridge.subscribe.joint_command);
	ck_assert(c->bridge.subscribe.grasp_command);
	ck_assert(c->bridge.subscribe.joint_trajectory);
	dx_ck_near(c->bridge.max_grip_force, 20.0, 0);
	dx_hand_config_free(c);

	/* a name that is no ROS 2 name becomes one; 2.5 kHz: 100 Hz is every
	 * 25th cycle, wrenches follow joint states, a partial subscribe
	 * mapping leaves the others on */
	snprintf(text, sizeof(text), "%s%s", edit(1, "name: 2-hand.left"),
		 "bridge:\n"
		 "  publish: {joint_states: 5}\n"
		 "  subscribe: {grasp_command: false}\n");
	ck_assert_int_eq(load_text(text, &c, &e), 0);
	ck_assert(c->bridge.present);
	ck_assert_str_eq(c->bridge.ns, "_2_hand_left");
	ck_assert_uint_eq(c->bridge.publish.joint_states, 5);
	ck_assert_uint_eq(c->bridge.publish.wrenches, 5);
	ck_assert(c->bridge.subscribe.joint_command);
	ck_assert(!c->bridge.subscribe.grasp_command);
	ck_assert(c->bridge.subscribe.joint_trajectory);
	dx_hand_config_free(c);
	snprintf(text, sizeof(text), "%s", edit(3, "period_us: 400"));
	ck_assert_int_eq(load_text(text, &c, &e), 0);
	ck_assert_uint_eq(c->bridge.publish.joint_states, 25);
	ck_assert_uint_eq(c->bridge.publish.diagnostics, 2500);
	dx_hand_config_free(c);
}
END_TEST

START_TEST(test_bridge_section)
{
	struct dx_hand_config *c = NULL;
	struct dx_hand_config_error e;
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", valid,
		 "bridge:\n"
		 "  domain: 7\n"
		 "  namespace: robot/left_hand\n"
		 "  frame_id: palm\n"
		 "  publish:\n"
		 "    joint_states: 2\n"
		 "    wrenches: 0\n"
		 "    diagnostics: 500\n"
		 "  subscribe:\n"
		 "    joint_command: false\n"
		 "    grasp_command: true\n"
		 "    joint_trajectory: false\n"
		 "  max_grip_force: 12.5\n");
	ck_assert_msg(load_text(text, &c, &e) == 0, "%s", e.msg);
	ck_assert(c->bridge.present);
	ck_assert_uint_eq(c->bridge.domain, 7);
	ck_assert_str_eq(c->bridge.ns, "robot/left_hand");
	ck_assert_str_eq(c->bridge.frame_id, "palm");
	ck_assert_uint_eq(c->bridge.publish.joint_states, 2);
	ck_assert_uint_eq(c->bridge.publish.wrenches, 0); /* off */
	ck_assert_uint_eq(c->bridge.publish.diagnostics, 500);
	ck_assert(!c->bridge.subscribe.joint_command);
	ck_assert(c->bridge.subscribe.grasp_command);
	ck_assert(!c->bridge.subscribe.joint_trajectory);
	dx_ck_near(c->bridge.max_grip_force, 12.5, 0);
	dx_hand_config_free(c);

	/* an empty namespace is allowed: topics without one */
	snprintf(text, sizeof(text), "%s%s", valid,
		 "bridge:\n  namespace: \"\"\n");
	ck_assert_int_eq(load_text(text, &c, &e), 0);
	ck_assert_str_eq(c->bridge.ns, "");
	dx_hand_config_free(c);
}
END_TEST

/* Appended after valid[]'s 39 lines: "bridge:" is line 40. */
static const struct bad_case bridge_bad[] = {
	{0, "bridge:\n  domain: 233", DX_ECONFIG, 41, "bridge.domain", "[0, 232]"},
	{0, "bridge:\n  domain: -1", DX_EPARSE, 41, "bridge.domain", ""},
	{0, "bridge:\n  namespace: left-hand", DX_ECONFIG, 41, "bridge.namespace",
	 "left-hand"},
	{0, "bridge:\n  namespace: /left", DX_ECONFIG, 41, "bridge.namespace", "inner '/'"},
	{0, "bridge:\n  namespace: a//b", DX_ECONFIG, 41, "bridge.namespace", "a//b"},
	{0, "bridge:\n  namespace: 9lives", DX_ECONFIG, 41, "bridge.namespace", "digit"},
	{0, "bridge:\n  publish:\n    joint_states: 2000000", DX_ECONFIG, 42,
	 "bridge.publish.joint_states", "[1, 1000000]"},
	{0, "bridge:\n  publish:\n    wrenches: fast", DX_EPARSE, 42,
	 "bridge.publish.wrenches", ""},
	{0, "bridge:\n  publish:\n    diagnostics: 1\n    odometry: 5", DX_EPARSE, 43,
	 "bridge.publish", "odometry"},
	{0, "bridge:\n  subscribe:\n    joint_command: maybe", DX_EPARSE, 42,
	 "bridge.subscribe.joint_command", ""},
	{0, "bridge:\n  max_grip_force: 0", DX_ECONFIG, 41, "bridge.max_grip_force",
	 "(0, 1000]"},
	{0, "bridge:\n  max_grip_force: .inf", DX_EPARSE, 41, "bridge.max_grip_force",
	 "Invalid"},
	{0, "bridge:\n  max_grip_force: 1001", DX_ECONFIG, 41, "bridge.max_grip_force",
	 "(0, 1000]"},
	{0, "bridge:\n  frame_id: "
	    "a123456789b123456789c123456789d123456789e123456789f123456789g123",
	 DX_ECONFIG, 41, "bridge.frame_id", "63 characters"},
	{0, "bridge:\n  domian: 3", DX_EPARSE, 41, "bridge", "domian"},
};

START_TEST(test_bridge_bad)
{
	const struct bad_case *b = &bridge_bad[_i];
	struct dx_hand_config *c = (struct dx_hand_config *)0x1;
	struct dx_hand_config_error e;
	char text[4096];
	int rc;

	snprintf(text, sizeof(text), "%s%s\n", valid, b->repl);
	rc = load_text(text, &c, &e);
	ck_assert_msg(rc == b->code, "case %d: rc %d (%s), want %d; msg: %s", _i,
		      rc, dx_errname(rc), b->code, e.msg);
	ck_assert_ptr_null(c);
	ck_assert_msg(e.line == b->err_line, "case %d: line %d want %d: %s", _i,
		      e.line, b->err_line, e.msg);
	ck_assert_msg(strcmp(e.field, b->field) == 0,
		      "case %d: field '%s' want '%s': %s", _i, e.field, b->field,
		      e.msg);
	ck_assert_msg(strstr(e.msg, b->needle) != NULL,
		      "case %d: '%s' not in '%s'", _i, b->needle, e.msg);
}
END_TEST

START_TEST(test_file_errors)
{
	struct dx_hand_config *c;
	struct dx_hand_config_error e;
	char path[128];
	FILE *f;

	ck_assert_int_eq(dx_hand_config_load("/nonexistent/hand.yaml", &c, &e),
			 DX_ENOENT);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/hand.yaml"));
	ck_assert_int_eq(dx_hand_config_load(NULL, &c, &e), DX_EINVAL);
	ck_assert_int_eq(dx_hand_config_load("x", NULL, NULL), DX_EINVAL);
	ck_assert_int_eq(dx_hand_config_load_string(NULL, 0, "s", NULL, &c, &e),
			 DX_EINVAL);
	/* a file on disk resolves the URDF next to itself */
	snprintf(path, sizeof(path), "%s/hand.yaml", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(valid, f);
	fclose(f);
	ck_assert_int_eq(dx_hand_config_load(path, &c, &e), 0);
	ck_assert_str_eq(c->source, path);
	dx_hand_config_free(c);
	/* empty and binary junk: errors, not crashes */
	ck_assert_int_ne(dx_hand_config_load_string("", 0, "e", dir, &c, &e), 0);
	ck_assert_int_ne(dx_hand_config_load_string("\x01\xff\xfe:", 4, "j", dir,
						    &c, &e), 0);
	ck_assert_ptr_null(c);
	dx_hand_config_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("unit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_valid_and_defaults);
	tcase_add_loop_test(tc, test_bad_configs, 0, (int)DX_ARRAY_SIZE(bad));
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_bridge_defaults);
	tcase_add_test(tc, test_bridge_section);
	tcase_add_loop_test(tc, test_bridge_bad, 0,
			    (int)DX_ARRAY_SIZE(bridge_bad));
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
