/* SPDX-License-Identifier: MIT */
/* URDF loading: the shipped models, the URDF conventions (rpy, axes,
 * limits, mimic, inertials) and every rejected input with its error code,
 * line and element. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dexrt/kin.h>

#include "dx-check.h"

static const char *examples(void)
{
	const char *d = getenv("DX_EXAMPLES_DIR");

	return d ? d : "examples";
}

static struct dx_kin_model *load_example(const char *name)
{
	char path[512];
	struct dx_kin_model *m = NULL;
	struct dx_kin_error err;
	int r;

	snprintf(path, sizeof(path), "%s/urdf/%s", examples(), name);
	r = dx_kin_model_load_file(path, &m, &err);
	ck_assert_msg(r == 0, "%s: %s", path, err.msg);
	ck_assert_ptr_nonnull(m);
	return m;
}

/* Loads a document that must fail; checks the code, the line (0: any) and
 * that the message contains @p what. */
static void expect_fail(const char *xml, int code, unsigned line,
			const char *element, const char *what)
{
	struct dx_kin_model *m = (struct dx_kin_model *)&m; /* poison */
	struct dx_kin_error err;
	int r = dx_kin_model_load_string(xml, strlen(xml), &m, &err);

	ck_assert_msg(r == code, "expected %s, got %s (%s)", dx_errname(code),
		      dx_errname(r), err.msg);
	ck_assert_ptr_null(m); /* nothing half-built is handed out */
	ck_assert_int_eq(err.code, code);
	if (line)
		ck_assert_msg(err.line == line, "line %u, expected %u: %s",
			      err.line, line, err.msg);
	if (element)
		ck_assert_str_eq(err.element, element);
	ck_assert_msg(strstr(err.msg, what) != NULL, "'%s' not in '%s'", what,
		      err.msg);
}

#define HEAD "<?xml version=\"1.0\"?>\n<robot name=\"t\">\n"

START_TEST(test_shipped_counts)
{
	static const struct {
		const char *file;
		unsigned links, joints, vars;
	} k[] = {
		{"finger4.urdf", 6, 5, 4},
		{"hand16.urdf", 21, 20, 16},
		{"hand16-mimic.urdf", 21, 20, 12},
		{"hand22.urdf", 28, 27, 22},
		{"panda.urdf", 11, 10, 7},
		{"ur5.urdf", 8, 7, 6},
	};

	for (unsigned i = 0; i < DX_ARRAY_SIZE(k); i++) {
		struct dx_kin_model *m = load_example(k[i].file);

		ck_assert_uint_eq(dx_kin_model_nlinks(m), k[i].links);
		ck_assert_uint_eq(dx_kin_model_njoints(m), k[i].joints);
		ck_assert_uint_eq(dx_kin_model_nvars(m), k[i].vars);
		ck_assert_int_ge(dx_kin_model_root(m), 0);
		ck_assert_int_eq(dx_kin_link_parent_joint(m, dx_kin_model_root(m)),
				 -1);
		dx_kin_model_free(m);
	}
}
END_TEST

START_TEST(test_panda_joint_info)
{
	struct dx_kin_model *m = load_example("panda.urdf");
	struct dx_kin_joint_info ji;
	int j = dx_kin_joint_index(m, "panda_joint4");
	double lo[7], hi[7];

	ck_assert_int_ge(j, 0);
	ck_assert_int_eq(dx_kin_joint_get(m, j, &ji), 0);
	ck_assert_str_eq(ji.name, "panda_joint4");
	ck_assert_int_eq(ji.type, DX_KIN_REVOLUTE);
	ck_assert(ji.has_limits);
	dx_ck_near(ji.lower, -3.0718, 1e-12);
	dx_ck_near(ji.upper, -0.0698, 1e-12);
	dx_ck_near(ji.velocity, 2.175, 1e-12);
	dx_ck_near(ji.effort, 87, 1e-12);
	dx_ck_near(ji.axis[2], 1.0, 0);
	dx_ck_near(ji.origin.p[0], 0.0825, 1e-15);
	/* rpy = (pi/2, 0, 0): y axis of the child along z of the parent */
	dx_ck_near(ji.origin.R[3 * 2 + 1], 1.0, 1e-15);
	ck_assert_int_eq(ji.var, 3);
	ck_assert_int_eq(ji.mimic_joint, -1);
	ck_assert_str_eq(dx_kin_link_name(m, ji.child_link), "panda_link4");
	ck_assert_str_eq(dx_kin_link_name(m, ji.parent_link), "panda_link3");
	ck_assert_int_eq(dx_kin_var_joint(m, 3), j);
	ck_assert_int_eq(dx_kin_var_joint(m, 7), DX_EINVAL);
	dx_kin_model_limits(m, lo, hi);
	dx_ck_near(lo[5], -0.0175, 1e-12);
	dx_ck_near(hi[5], 3.7525, 1e-12);
	ck_assert_int_eq(dx_kin_joint_get(m, 99, &ji), DX_EINVAL);
	ck_assert_int_eq(dx_kin_link_index(m, "nope"), DX_ENOENT);
	ck_assert_int_eq(dx_kin_joint_index(m, "nope"), DX_ENOENT);
	ck_assert_ptr_null(dx_kin_link_name(m, -1));
	ck_assert_str_eq(dx_kin_model_name(m), "panda");
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_mimic_and_limits)
{
	struct dx_kin_model *m = load_example("hand16-mimic.urdf");
	struct dx_kin_joint_info ji, mj;
	int j = dx_kin_joint_index(m, "index_j3");
	double lo[12], hi[12];

	ck_assert_int_eq(dx_kin_joint_get(m, j, &ji), 0);
	ck_assert_int_eq(dx_kin_joint_get(m, ji.mimic_joint, &mj), 0);
	ck_assert_str_eq(mj.name, "index_j2");
	dx_ck_near(ji.multiplier, 0.9, 1e-15);
	dx_ck_near(ji.offset, 0.0, 0);
	ck_assert_int_eq(ji.var, mj.var);
	/* j2 in [-0.174, 1.709] and j3 = 0.9 * j2 in [-0.227, 1.618] give
	 * j2 in [-0.2522, 1.7978]: the intersection is j2's own range */
	dx_kin_model_limits(m, lo, hi);
	dx_ck_near(lo[mj.var], -0.174, 1e-12);
	dx_ck_near(hi[mj.var], 1.709, 1e-12);
	dx_kin_model_free(m);

	/* a mimic whose limits bind: j2 = 2 * j1, j2 <= 1 -> j1 <= 0.5 */
	const char *xml = HEAD
		"<link name=\"a\"/><link name=\"b\"/><link name=\"c\"/>\n"
		"<joint name=\"j1\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>"
		"<limit lower=\"-1\" upper=\"1\"/></joint>\n"
		"<joint name=\"j2\" type=\"revolute\"><parent link=\"b\"/><child link=\"c\"/>"
		"<limit lower=\"-3\" upper=\"1\"/><mimic joint=\"j1\" multiplier=\"2\" offset=\"0\"/></joint>\n"
		"</robot>\n";
	ck_assert_int_eq(dx_kin_model_load_string(xml, strlen(xml), &m, NULL), 0);
	ck_assert_uint_eq(dx_kin_model_nvars(m), 1);
	dx_kin_model_limits(m, lo, hi);
	dx_ck_near(lo[0], -1.0, 1e-15);
	dx_ck_near(hi[0], 0.5, 1e-15);
	double q = 0.5;
	ck_assert(dx_kin_within_limits(m, &q, 0));
	q = 0.6;
	ck_assert(!dx_kin_within_limits(m, &q, 0));
	q = NAN;
	ck_assert(!dx_kin_within_limits(m, &q, 1));
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_inertials)
{
	struct dx_kin_model *m = load_example("hand16.urdf");
	struct dx_kin_inertial in;
	int l = dx_kin_link_index(m, "index_proximal");

	ck_assert_int_eq(dx_kin_link_inertial(m, l, &in), 0);
	dx_ck_near(in.mass, 0.035, 1e-12);
	dx_ck_near(in.origin.p[2], 0.027, 1e-12);
	ck_assert(in.inertia[0] > 0 && in.inertia[3] > 0 && in.inertia[5] > 0);
	dx_ck_near(in.inertia[1], 0, 0);
	/* every link but the tips carries an inertial */
	ck_assert_int_eq(dx_kin_link_inertial(m, dx_kin_link_index(m, "index_tip"),
					      &in), DX_ENOENT);
	ck_assert_int_eq(dx_kin_link_inertial(m, 1000, &in), DX_EINVAL);
	dx_kin_model_free(m);
}
END_TEST

/* URDF rpy is R = Rz(yaw) Ry(pitch) Rx(roll); the axis is given in the
 * joint frame and normalised; continuous joints have no limits. */
START_TEST(test_rpy_axis_conventions)
{
	const char *xml = HEAD
		"<link name=\"a\"/><link name=\"b\"/>\n"
		"<joint name=\"j\" type=\"continuous\"><parent link=\"a\"/><child link=\"b\"/>\n"
		"<origin xyz=\"0.1 -0.2 0.3\" rpy=\"0.3 -0.5 1.1\"/><axis xyz=\"0 0 -2\"/></joint>\n"
		"</robot>";
	struct dx_kin_model *m;
	struct dx_kin_joint_info ji;
	double r = 0.3, p = -0.5, y = 1.1;
	double Rx[9] = {1, 0, 0, 0, cos(r), -sin(r), 0, sin(r), cos(r)};
	double Ry[9] = {cos(p), 0, sin(p), 0, 1, 0, -sin(p), 0, cos(p)};
	double Rz[9] = {cos(y), -sin(y), 0, sin(y), cos(y), 0, 0, 0, 1};
	double T[9], R[9], lo, hi;

	ck_assert_int_eq(dx_kin_model_load_string(xml, strlen(xml), &m, NULL), 0);
	ck_assert_int_eq(dx_kin_joint_get(m, 0, &ji), 0);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			T[3 * i + j] = 0;
			for (int k = 0; k < 3; k++)
				T[3 * i + j] += Ry[3 * i + k] * Rx[3 * k + j];
		}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			R[3 * i + j] = 0;
			for (int k = 0; k < 3; k++)
				R[3 * i + j] += Rz[3 * i + k] * T[3 * k + j];
		}
	for (int i = 0; i < 9; i++)
		dx_ck_near(ji.origin.R[i], R[i], 1e-15);
	dx_ck_near(ji.origin.p[1], -0.2, 0);
	dx_ck_near(ji.axis[2], -1.0, 1e-15);
	ck_assert_int_eq(ji.type, DX_KIN_CONTINUOUS);
	ck_assert(!ji.has_limits);
	dx_kin_model_limits(m, &lo, &hi);
	ck_assert(isinf(lo) && lo < 0 && isinf(hi) && hi > 0);
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_ignored_elements)
{
	/* visual/collision origins, transmissions and gazebo tags must not be
	 * taken for joint or inertial data */
	const char *xml = HEAD
		"<link name=\"a\"><visual><origin xyz=\"9 9 9\"/><geometry><box size=\"1 1 1\"/></geometry></visual>"
		"<inertial><mass value=\"2\"/><inertia ixx=\"1\" ixy=\"0\" ixz=\"0\" iyy=\"1\" iyz=\"0\" izz=\"1\"/></inertial></link>\n"
		"<link name=\"b\"/>\n"
		"<joint name=\"j\" type=\"prismatic\"><parent link=\"a\"/><child link=\"b\"/>"
		"<limit lower=\"0\" upper=\"0.1\" effort=\"5\" velocity=\"1\"/><dynamics damping=\"1\"/></joint>\n"
		"<transmission name=\"t\"><joint name=\"j\"><hardwareInterface>x</hardwareInterface></joint></transmission>\n"
		"<gazebo reference=\"a\"><material>x</material></gazebo>\n"
		"</robot>";
	struct dx_kin_model *m;
	struct dx_kin_inertial in;
	struct dx_kin_joint_info ji;

	ck_assert_int_eq(dx_kin_model_load_string(xml, strlen(xml), &m, NULL), 0);
	ck_assert_uint_eq(dx_kin_model_njoints(m), 1);
	ck_assert_int_eq(dx_kin_link_inertial(m, 0, &in), 0);
	dx_ck_near(in.mass, 2, 0);
	dx_ck_near(in.origin.p[0], 0, 0);
	ck_assert_int_eq(dx_kin_joint_get(m, 0, &ji), 0);
	ck_assert_int_eq(ji.type, DX_KIN_PRISMATIC);
	dx_ck_near(ji.axis[0], 1, 0); /* default axis */
	dx_kin_model_free(m);
}
END_TEST

START_TEST(test_err_malformed_xml)
{
	expect_fail(HEAD "<link name=\"a\">\n<link name=\"b\"/>\n</robot>\n",
		    DX_EPARSE, 5, NULL, "malformed XML");
	expect_fail("<robot name=\"x\"><link name=\"a\"/></robo>", DX_EPARSE, 1,
		    NULL, "malformed XML");
	expect_fail("", DX_EPARSE, 0, NULL, "");
	expect_fail("   ", DX_EPARSE, 0, NULL, "");
	expect_fail("<?xml version=\"1.0\"?><notarobot/>", DX_ECONFIG, 1,
		    "notarobot", "root element must be <robot>");
	expect_fail(HEAD "</robot>", DX_ECONFIG, 0, "robot", "no <link>");
}
END_TEST

START_TEST(test_err_unknown_links)
{
	expect_fail(HEAD "<link name=\"a\"/>\n<link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"fixed\">\n<parent link=\"x\"/><child link=\"b\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 5, "joint", "unknown parent link 'x'");
	expect_fail(HEAD "<link name=\"a\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"y\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 4, "joint", "unknown child link 'y'");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/></joint>\n</robot>",
		    DX_ECONFIG, 4, "joint", "missing <child>");
}
END_TEST

START_TEST(test_err_cycles)
{
	/* a <-> b: no root at all */
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"ab\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/></joint>\n"
		    "<joint name=\"ba\" type=\"fixed\"><parent link=\"b\"/><child link=\"a\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 0, NULL, "cycle");
	/* r -> a, and b -> c -> b beside it */
	expect_fail(HEAD "<link name=\"r\"/><link name=\"a\"/><link name=\"b\"/><link name=\"c\"/>\n"
		    "<joint name=\"ra\" type=\"fixed\"><parent link=\"r\"/><child link=\"a\"/></joint>\n"
		    "<joint name=\"bc\" type=\"fixed\"><parent link=\"b\"/><child link=\"c\"/></joint>\n"
		    "<joint name=\"cb\" type=\"fixed\"><parent link=\"c\"/><child link=\"b\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 0, "joint", "cycle");
	/* a link that is its own parent */
	expect_fail(HEAD "<link name=\"a\"/>\n"
		    "<joint name=\"aa\" type=\"fixed\"><parent link=\"a\"/><child link=\"a\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 4, "joint", "cycle");
	/* two parents */
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/><link name=\"c\"/>\n"
		    "<joint name=\"ac\" type=\"fixed\"><parent link=\"a\"/><child link=\"c\"/></joint>\n"
		    "<joint name=\"bc\" type=\"fixed\"><parent link=\"b\"/><child link=\"c\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 5, "joint", "already has parent joint 'ac'");
}
END_TEST

START_TEST(test_err_roots_and_duplicates)
{
	expect_fail(HEAD "<link name=\"a\"/>\n<link name=\"b\"/>\n</robot>",
		    DX_ECONFIG, 4, "link", "several root links: 'a' and 'b'");
	expect_fail(HEAD "<link name=\"a\"/>\n<link name=\"a\"/>\n</robot>",
		    DX_ECONFIG, 4, "link", "duplicate link name 'a'");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/><link name=\"c\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/></joint>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"c\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 5, "joint", "duplicate joint name 'j'");
	expect_fail(HEAD "<link/>\n</robot>", DX_ECONFIG, 3, "link",
		    "missing attribute 'name'");
}
END_TEST

START_TEST(test_err_limits)
{
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<limit lower=\"1.5\" upper=\"-1.5\" effort=\"1\" velocity=\"1\"/></joint>\n"
		    "</robot>",
		    DX_ECONFIG, 5, "limit", "lower 1.5 > upper -1.5");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "</joint>\n</robot>",
		    DX_ECONFIG, 5, "joint", "needs <limit");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<limit lower=\"0\" upper=\"1\" velocity=\"-1\"/></joint>\n</robot>",
		    DX_ECONFIG, 5, "limit", "negative velocity");
	/* mimic limits that leave nothing */
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/><link name=\"c\"/>\n"
		    "<joint name=\"j1\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/><limit lower=\"0\" upper=\"1\"/></joint>\n"
		    "<joint name=\"j2\" type=\"revolute\"><parent link=\"b\"/><child link=\"c\"/><limit lower=\"3\" upper=\"4\"/>\n"
		    "<mimic joint=\"j1\"/></joint>\n</robot>",
		    DX_ECONFIG, 5, "mimic", "no common range");
}
END_TEST

START_TEST(test_err_numbers)
{
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<origin xyz=\"0 nan 0\"/></joint>\n</robot>",
		    DX_ENOTFINITE, 5, "origin", "not a finite number");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<limit lower=\"-inf\" upper=\"1\"/></joint>\n</robot>",
		    DX_ENOTFINITE, 5, "limit", "not a finite number");
	expect_fail(HEAD "<link name=\"a\"><inertial><mass value=\"NaN\"/></inertial></link>\n</robot>",
		    DX_ENOTFINITE, 3, "mass", "not a finite number");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<origin xyz=\"0 1\"/></joint>\n</robot>",
		    DX_EPARSE, 5, "origin", "expected 3 numbers");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<origin rpy=\"0 0 1 2\"/></joint>\n</robot>",
		    DX_EPARSE, 5, "origin", "expected 3 numbers");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<limit lower=\"0x\" upper=\"1\"/></joint>\n</robot>",
		    DX_EPARSE, 5, "limit", "expected 1 number");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<axis xyz=\"0 0 0\"/><limit lower=\"0\" upper=\"1\"/></joint>\n</robot>",
		    DX_ECONFIG, 5, "axis", "zero axis");
	expect_fail(HEAD "<link name=\"a\"><inertial><mass value=\"-1\"/></inertial></link>\n</robot>",
		    DX_ECONFIG, 3, "mass", "negative mass");
}
END_TEST

START_TEST(test_err_types_and_mimic)
{
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"hinge\"><parent link=\"a\"/><child link=\"b\"/></joint>\n</robot>",
		    DX_ECONFIG, 4, "joint", "unknown type 'hinge'");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"floating\"><parent link=\"a\"/><child link=\"b\"/></joint>\n</robot>",
		    DX_ENOTSUP, 4, "joint", "not supported");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<limit lower=\"0\" upper=\"1\"/><mimic joint=\"ghost\"/></joint>\n</robot>",
		    DX_ECONFIG, 4, "mimic", "mimic of unknown joint 'ghost'");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n"
		    "<mimic joint=\"j\"/></joint>\n</robot>",
		    DX_ECONFIG, 5, "joint", "fixed joint cannot be a mimic");
	expect_fail(HEAD "<link name=\"a\"/><link name=\"b\"/>\n"
		    "<joint name=\"j\"><parent link=\"a\"/><child link=\"b\"/></joint>\n</robot>",
		    DX_ECONFIG, 4, "joint", "missing attribute 'type'");
}
END_TEST

START_TEST(test_err_file_and_args)
{
	struct dx_kin_model *m = (struct dx_kin_model *)&m;
	struct dx_kin_error err;

	ck_assert_int_eq(dx_kin_model_load_file("/nonexistent/x.urdf", &m, &err),
			 DX_ENOENT);
	ck_assert_ptr_null(m);
	ck_assert(strstr(err.msg, "/nonexistent/x.urdf") != NULL);
	ck_assert_int_eq(dx_kin_model_load_file(NULL, &m, NULL), DX_EINVAL);
	ck_assert_int_eq(dx_kin_model_load_string(NULL, 0, &m, NULL), DX_EINVAL);
	ck_assert_int_eq(dx_kin_model_load_string("x", 1, NULL, NULL), DX_EINVAL);
	dx_kin_model_free(NULL);
}
END_TEST

START_TEST(test_chain_errors)
{
	struct dx_kin_model *m = load_example("hand16.urdf");
	struct dx_kin_chain *c = (struct dx_kin_chain *)&c;

	ck_assert_int_eq(dx_kin_chain_create(m, NULL, "no_such_tip", &c),
			 DX_ENOENT);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(dx_kin_chain_create(m, "no_such_base", "index_tip", &c),
			 DX_ENOENT);
	/* the thumb is not below the index finger */
	ck_assert_int_eq(dx_kin_chain_create(m, "index_base", "thumb_tip", &c),
			 DX_EINVAL);
	ck_assert_int_eq(dx_kin_chain_create(m, "index_base", "index_tip", &c), 0);
	ck_assert_uint_eq(dx_kin_chain_nvars(c), 3);
	ck_assert_uint_eq(dx_kin_chain_njoints(c), 4);
	ck_assert_int_eq(dx_kin_chain_var(c, 3), -1);
	dx_kin_chain_free(c);
	dx_kin_model_free(m);
}
END_TEST

/* A message is logged through the handler too. */
static char logged[300];

static void log_fn(enum dx_log_priority prio, const char *msg, void *ud)
{
	(void)prio;
	(void)ud;
	snprintf(logged, sizeof(logged), "%s", msg);
}

START_TEST(test_error_logged)
{
	struct dx_kin_model *m;
	const char *xml = HEAD "<link name=\"a\"/>\n<link name=\"a\"/>\n</robot>";

	dx_log_set_handler(log_fn, NULL, DX_LOG_DEBUG);
	logged[0] = 0;
	ck_assert_int_eq(dx_kin_model_load_string(xml, strlen(xml), &m, NULL),
			 DX_ECONFIG);
	ck_assert(strstr(logged, "URDF line 4: <link>: duplicate link name 'a'"));
	dx_log_set_handler(NULL, NULL, DX_LOG_ERROR);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("urdf");
	TCase *tc = tcase_create("urdf");

	tcase_add_test(tc, test_shipped_counts);
	tcase_add_test(tc, test_panda_joint_info);
	tcase_add_test(tc, test_mimic_and_limits);
	tcase_add_test(tc, test_inertials);
	tcase_add_test(tc, test_rpy_axis_conventions);
	tcase_add_test(tc, test_ignored_elements);
	tcase_add_test(tc, test_err_malformed_xml);
	tcase_add_test(tc, test_err_unknown_links);
	tcase_add_test(tc, test_err_cycles);
	tcase_add_test(tc, test_err_roots_and_duplicates);
	tcase_add_test(tc, test_err_limits);
	tcase_add_test(tc, test_err_numbers);
	tcase_add_test(tc, test_err_types_and_mimic);
	tcase_add_test(tc, test_err_file_and_args);
	tcase_add_test(tc, test_chain_errors);
	tcase_add_test(tc, test_error_logged);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
