/* SPDX-License-Identifier: MIT */
/* Unit tests of the MuJoCo world (libdexrt-sim): loading and its errors,
 * joint dynamics against hand-computed inertia, touch pads against applied
 * forces, run-time mass changes, time stepping, determinism, and the
 * shipped hand MJCF against its URDF (FK from kin.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dx-check.h"

#ifndef DX_TEST_HAVE_MUJOCO
int main(void)
{
	dx_test_skip("libdexrt-sim was built without MuJoCo (sim option "
		     "disabled or libmujoco-dev missing)");
	return DX_TEST_SKIP;
}
#else

#include <dexrt/kin.h>
#include <dexrt/sim.h>
#include <dexrt/simworld.h>

static char path_buf[4096];

static const char *example(const char *rel)
{
	const char *dir = getenv("DX_EXAMPLES_DIR");

	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir ? dir : "../examples",
		 rel);
	return path_buf;
}

static struct dx_simworld *load_str(const char *xml)
{
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	int rc = dx_simworld_load_string(xml, strlen(xml), NULL, &w, &err);

	ck_assert_msg(rc == 0, "load failed: %s (%s)", err.msg,
		      dx_strerror(rc));
	ck_assert_ptr_nonnull(w);
	return w;
}

/* ---- loading and its errors ---------------------------------------------- */

START_TEST(test_load_scene)
{
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	struct dx_simworld_joint_info ji;
	struct dx_simworld_pad_info pi;
	static const char *const fingers[] = {"index", "middle", "ring", "thumb"};
	int rc;

	rc = dx_simworld_load_file(example("mjcf/scene-grasp.xml"), NULL, &w,
				   &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	/* 16 finger joints and the three gantry slides */
	ck_assert_uint_eq(dx_simworld_njoints(w), 19);
	ck_assert_int_eq(dx_simworld_timestep_ns(w), 500000);
	ck_assert_int_eq(dx_simworld_time_ns(w), 0);
	for (int f = 0; f < 4; f++) {
		char name[64];

		for (int k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "%s_j%d", fingers[f], k);
			rc = dx_simworld_joint_index(w, name);
			ck_assert_int_ge(rc, 0);
			ck_assert_int_eq(dx_simworld_joint_info(w, (unsigned)rc, &ji), 0);
			ck_assert_str_eq(ji.name, name);
			ck_assert(!ji.slide && ji.limited);
			dx_ck_near(ji.effort, 0.7, 1e-12); /* URDF effort */
		}
		snprintf(name, sizeof(name), "%s_pad", fingers[f]);
		rc = dx_simworld_pad_index(w, name);
		ck_assert_int_ge(rc, 0);
		ck_assert_int_eq(dx_simworld_pad_info(w, (unsigned)rc, &pi), 0);
		ck_assert_uint_eq(pi.rows, 4);
		ck_assert_uint_eq(pi.cols, 4);
		snprintf(name, sizeof(name), "%s_distal", fingers[f]);
		ck_assert_int_eq(pi.body, dx_simworld_body_index(w, name));
	}
	ck_assert_uint_eq(dx_simworld_npads(w), 4);
	rc = dx_simworld_joint_index(w, "lift");
	ck_assert_int_ge(rc, 0);
	ck_assert_int_eq(dx_simworld_joint_info(w, (unsigned)rc, &ji), 0);
	ck_assert(ji.slide);
	ck_assert_int_ge(dx_simworld_actuator_index(w, "lift"), 0);
	ck_assert_int_ge(dx_simworld_body_index(w, "cylinder"), 1);
	ck_assert_int_ge(dx_simworld_body_index(w, "sphere"), 1);
	ck_assert_int_ge(dx_simworld_site_index(w, "thumb_tip"), 0);
	/* unknown names and non-1-DoF joints */
	ck_assert_int_eq(dx_simworld_joint_index(w, "nope"), DX_ENOENT);
	ck_assert_int_eq(dx_simworld_joint_index(w, "cylinder"), DX_EINVAL);
	ck_assert_int_eq(dx_simworld_body_index(w, "nope"), DX_ENOENT);
	ck_assert_int_eq(dx_simworld_pad_index(w, "nope"), DX_ENOENT);
	ck_assert_int_eq(dx_simworld_actuator_index(w, "nope"), DX_ENOENT);
	ck_assert_int_eq(dx_simworld_joint_info(w, 19, &ji), DX_EINVAL);
	dx_simworld_free(w);

	/* the 22-DoF hand on its own */
	rc = dx_simworld_load_file(example("mjcf/hand22.xml"), NULL, &w, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_uint_eq(dx_simworld_njoints(w), 25);
	ck_assert_uint_eq(dx_simworld_npads(w), 5);
	dx_simworld_free(w);
}
END_TEST

static void expect_fail(const char *xml, int code, const char *needle)
{
	struct dx_simworld *w = (struct dx_simworld *)&w;
	struct dx_simworld_error err;
	int rc;

	memset(&err, 0x55, sizeof(err));
	rc = dx_simworld_load_string(xml, strlen(xml), NULL, &w, &err);
	ck_assert_msg(rc == code, "got %s, want %s (%s)", dx_errname(rc),
		      dx_errname(code), err.msg);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(err.code, code);
	ck_assert_msg(strstr(err.msg, needle) != NULL,
		      "message '%s' lacks '%s'", err.msg, needle);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
}

START_TEST(test_load_errors)
{
	struct dx_simworld *w = (struct dx_simworld *)&w;
	struct dx_simworld_error err;
	struct dx_simworld_config cfg;
	static const char ok[] =
		"<mujoco><worldbody><body><freejoint/>"
		"<geom type='sphere' size='0.1'/></body></worldbody></mujoco>";

	/* malformed XML: MuJoCo's parser message comes through */
	expect_fail("<mujoco><worldbody><body></worldbod></mujoco>", DX_EPARSE,
		    "XML");
	/* a bad number */
	expect_fail("<mujoco><worldbody><geom type='sphere' size='x'/>"
		    "</worldbody></mujoco>", DX_EPARSE, "size");
	/* an unknown element */
	expect_fail("<mujoco><worldbody><bogus/></worldbody></mujoco>",
		    DX_EPARSE, "bogus");
	/* a joint naming nothing, an actuator on an unknown joint */
	expect_fail("<mujoco><actuator><motor joint='nope'/></actuator></mujoco>",
		    DX_EPARSE, "nope");
	/* not MJCF at all */
	expect_fail("\x01\x02garbage", DX_EPARSE, "<string>");
	/* a pad grid with a hole: taxel 0_1 missing */
	expect_fail("<mujoco><worldbody><body><joint/><geom size='0.01'/>"
		    "<site name='a'/><site name='b'/><site name='c'/></body>"
		    "</worldbody><sensor><touch name='p_0_0' site='a'/>"
		    "<touch name='p_1_0' site='b'/><touch name='p_1_1' site='c'/>"
		    "</sensor></mujoco>", DX_ECONFIG, "p_0_1");
	/* taxels of one pad on two bodies */
	expect_fail("<mujoco><worldbody><body><joint/><geom size='0.01'/>"
		    "<site name='a'/></body><body pos='1 0 0'><joint/>"
		    "<geom size='0.01'/><site name='b'/></body></worldbody>"
		    "<sensor><touch name='p_0_0' site='a'/>"
		    "<touch name='p_0_1' site='b'/></sensor></mujoco>",
		    DX_ECONFIG, "several bodies");
	/* a 10 ms step is slower than the world accepts */
	expect_fail("<mujoco><option timestep='0.01'/></mujoco>", DX_ECONFIG,
		    "timestep");

	/* missing file: ENOENT, not a parse error */
	ck_assert_int_eq(dx_simworld_load_file("/nonexistent/x.xml", NULL, &w,
					       &err), DX_ENOENT);
	ck_assert_ptr_null(w);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x.xml"));
	/* bad arguments and config */
	ck_assert_int_eq(dx_simworld_load_file(NULL, NULL, &w, &err), DX_EINVAL);
	ck_assert_int_eq(dx_simworld_load_string(ok, 0, NULL, &w, NULL),
			 DX_EINVAL);
	ck_assert_int_eq(dx_simworld_load_string(ok, sizeof(ok) - 1, NULL, NULL,
						 NULL), DX_EINVAL);
	dx_simworld_config_default(&cfg);
	cfg.timestep_ns = 5000000; /* 5 ms */
	ck_assert_int_eq(dx_simworld_load_string(ok, sizeof(ok) - 1, &cfg, &w,
						 &err), DX_EINVAL);
	cfg.timestep_ns = 0;
	cfg.max_steps = 0;
	ck_assert_int_eq(dx_simworld_load_string(ok, sizeof(ok) - 1, &cfg, &w,
						 &err), DX_EINVAL);
	/* and the good model loads, with a timestep chosen by config */
	cfg.max_steps = 100;
	cfg.timestep_ns = 250000;
	ck_assert_int_eq(dx_simworld_load_string(ok, sizeof(ok) - 1, &cfg, &w,
						 &err), 0);
	ck_assert_int_eq(dx_simworld_timestep_ns(w), 250000);
	dx_simworld_free(w);
	dx_simworld_free(NULL);
}
END_TEST

/* ---- dynamics ------------------------------------------------------------ */

/* One hinge about z through the body origin; the body's centre of mass is
 * 0.05 m off the axis, 0.3 kg, and its own inertia about the parallel axis
 * through the COM is 2e-4 kg m^2. No gravity, damping or armature. */
static const char pendulum[] =
	"<mujoco><option timestep='0.0005' gravity='0 0 0'/>"
	"<worldbody><body name='arm'>"
	"<joint name='j' type='hinge' axis='0 0 1'/>"
	"<inertial pos='0.05 0 0' mass='0.3' diaginertia='1e-4 1.5e-4 2e-4'/>"
	"</body>"
	"<body name='arm2' pos='1 0 0'>"
	"<joint name='k' type='hinge' axis='0 0 1'/>"
	"<inertial pos='0.05 0 0' mass='0.3' diaginertia='1e-4 1.5e-4 2e-4'/>"
	"</body></worldbody>"
	"<actuator><motor name='k' joint='k' ctrllimited='true' ctrlrange='-0.5 0.5'/></actuator>"
	"</mujoco>";

START_TEST(test_torque_inertia)
{
	struct dx_simworld *w = load_str(pendulum);
	/* I = Izz + m d^2 (parallel axes) = 2e-4 + 0.3 * 0.05^2 = 9.5e-4 */
	const double I = 2e-4 + 0.3 * 0.05 * 0.05;
	const double tau = 0.019; /* alpha = 20 rad/s^2 */
	const double alpha = tau / I;
	const unsigned n = 2000;   /* 1 s */
	const double T = n * 0.0005;
	double q, qd, t;
	int j = dx_simworld_joint_index(w, "j");
	int k = dx_simworld_joint_index(w, "k");
	struct dx_simworld_joint_info ji;

	ck_assert_int_ge(j, 0);
	ck_assert_int_ge(k, 0);
	/* j has no motor: applied torque, unlimited; k drives its motor */
	ck_assert_int_eq(dx_simworld_joint_info(w, (unsigned)k, &ji), 0);
	dx_ck_near(ji.effort, 0.5, 0);
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j, tau), 0);
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)k, tau), 0);
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)k, 0.51), DX_ERANGE);
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)k, NAN),
			 DX_ENOTFINITE);
	ck_assert_int_eq(dx_simworld_get_torque(w, (unsigned)k, &t), 0);
	dx_ck_near(t, tau, 0);
	ck_assert_int_eq(dx_simworld_step(w, n), 0);

	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(dx_simworld_get_joint(w, (unsigned)(i ? k : j),
						       &q, &qd), 0);
		/* semi-implicit Euler is exact for the velocity of a constant
		 * acceleration (up to rounding): 1e-9 relative */
		dx_ck_near(qd, alpha * T, 1e-9 * alpha * T);
		/* the position lags 0.5 alpha T^2 by alpha dt T / 2 (the
		 * integrator's first-order error, 1/n = 0.05 % here):
		 * tolerance 0.1 % of the value */
		dx_ck_near(q, 0.5 * alpha * T * T, 1e-3 * 0.5 * alpha * T * T);
	}
	dx_simworld_free(w);
}
END_TEST

/* A finger (hinge about y at the origin) whose 10 mm fingertip sphere at
 * x = 0.08 rests on a fixed horizontal cylinder; a 4 x 4 grid of touch
 * sites (pitch 4 mm, shifted 1 mm so the contact is inside one taxel)
 * under the tip. Frictionless contact (condim 1), so at rest the torque is
 * balanced by the normal force alone: F = tau / 0.08 m. */
static const char press[] =
	"<mujoco><option timestep='0.0005' gravity='0 0 0'/>"
	"<default><site type='box' size='0.002 0.002 0.006'/></default>"
	"<worldbody>"
	"<geom name='post' type='cylinder' size='0.03 0.05' pos='0.08 0 -0.04'"
	" quat='0.70710678 0.70710678 0 0' condim='1'/>"
	"<body name='finger'><joint name='j' axis='0 1 0' damping='0.01'/>"
	"<inertial pos='0.04 0 0' mass='0.02' diaginertia='1e-6 1e-5 1e-5'/>"
	"<geom name='tip' type='sphere' size='0.01' pos='0.08 0 0' condim='1'/>"
	"<site name='t00' pos='0.075 -0.005 -0.008'/><site name='t01' pos='0.079 -0.005 -0.008'/>"
	"<site name='t02' pos='0.083 -0.005 -0.008'/><site name='t03' pos='0.087 -0.005 -0.008'/>"
	"<site name='t10' pos='0.075 -0.001 -0.008'/><site name='t11' pos='0.079 -0.001 -0.008'/>"
	"<site name='t12' pos='0.083 -0.001 -0.008'/><site name='t13' pos='0.087 -0.001 -0.008'/>"
	"<site name='t20' pos='0.075 0.003 -0.008'/><site name='t21' pos='0.079 0.003 -0.008'/>"
	"<site name='t22' pos='0.083 0.003 -0.008'/><site name='t23' pos='0.087 0.003 -0.008'/>"
	"<site name='t30' pos='0.075 0.007 -0.008'/><site name='t31' pos='0.079 0.007 -0.008'/>"
	"<site name='t32' pos='0.083 0.007 -0.008'/><site name='t33' pos='0.087 0.007 -0.008'/>"
	"</body></worldbody><sensor>"
	"<touch name='tip_0_0' site='t00'/><touch name='tip_0_1' site='t01'/>"
	"<touch name='tip_0_2' site='t02'/><touch name='tip_0_3' site='t03'/>"
	"<touch name='tip_1_0' site='t10'/><touch name='tip_1_1' site='t11'/>"
	"<touch name='tip_1_2' site='t12'/><touch name='tip_1_3' site='t13'/>"
	"<touch name='tip_2_0' site='t20'/><touch name='tip_2_1' site='t21'/>"
	"<touch name='tip_2_2' site='t22'/><touch name='tip_2_3' site='t23'/>"
	"<touch name='tip_3_0' site='t30'/><touch name='tip_3_1' site='t31'/>"
	"<touch name='tip_3_2' site='t32'/><touch name='tip_3_3' site='t33'/>"
	"</sensor></mujoco>";

START_TEST(test_touch_press)
{
	struct dx_simworld *w = load_str(press);
	int pad = dx_simworld_pad_index(w, "tip");
	int j = dx_simworld_joint_index(w, "j");
	double f[16], sum, fmax;
	double pos[3], nrm[3];
	struct dx_simworld_contact c[4];
	int n;

	ck_assert_int_ge(pad, 0);
	ck_assert_int_ge(j, 0);
	/* taxel geometry comes from the sites: row 1, col 2 */
	ck_assert_int_eq(dx_simworld_pad_taxel(w, (unsigned)pad, 6, pos, nrm), 0);
	dx_ck_near(pos[0], 0.083, 1e-12);
	dx_ck_near(pos[1], -0.001, 1e-12);
	dx_ck_near(nrm[2], 1.0, 1e-12);
	ck_assert_int_eq(dx_simworld_pad_taxel(w, (unsigned)pad, 16, pos, nrm),
			 DX_EINVAL);
	ck_assert_int_eq(dx_simworld_pad_read(w, (unsigned)pad, f, 15), DX_ENOSPC);

	for (int step = 0; step < 3; step++) {
		const double taus[3] = {0.004, 0.012, 0.024};
		double tau = taus[step];
		double want = tau / 0.08;

		ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j, tau), 0);
		/* 1 s settles the finger (damped) */
		ck_assert_int_eq(dx_simworld_step(w, 2000), 0);
		ck_assert_int_eq(dx_simworld_pad_read(w, (unsigned)pad, f, 16), 16);
		sum = 0;
		fmax = 0;
		for (int k = 0; k < 16; k++) {
			ck_assert(f[k] >= 0);
			sum += f[k];
			fmax = fmax > f[k] ? fmax : f[k];
		}
		/* steady state: the taxels carry the whole normal force; the
		 * tip sinks ~0.1 mm into the soft contact, which tilts the
		 * lever by < 1e-3 rad: 0.2 % tolerance */
		dx_ck_near(sum, want, 2e-3 * want);
		/* the single contact point lies in one taxel */
		dx_ck_near(fmax, sum, 1e-12);
		/* the same force as a point contact in the finger frame: the
		 * pad pushes the post down (-z), at the tip's bottom */
		n = dx_simworld_pad_contacts(w, (unsigned)pad, c, 4);
		ck_assert_int_eq(n, 1);
		dx_ck_near(c[0].fn, sum, 1e-9);
		dx_ck_near(c[0].force[2], -sum, 1e-3 * sum);
		dx_ck_near(c[0].normal[2], -1, 1e-3);
		dx_ck_near(c[0].pos[0], 0.08, 2e-4);
		dx_ck_near(c[0].pos[2], -0.01, 2e-4);
		ck_assert_int_eq(c[0].other, 0);
	}
	/* lifting the finger off empties the pad */
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j, -0.004), 0);
	ck_assert_int_eq(dx_simworld_step(w, 400), 0);
	ck_assert_int_eq(dx_simworld_pad_read(w, (unsigned)pad, f, 16), 16);
	for (int k = 0; k < 16; k++)
		dx_ck_near(f[k], 0, 0);
	ck_assert_int_eq(dx_simworld_pad_contacts(w, (unsigned)pad, c, 4), 0);
	dx_simworld_free(w);
}
END_TEST

/* A cylinder and a sphere resting on a plane under gravity. */
static const char objects[] =
	"<mujoco><option timestep='0.0005' gravity='0 0 -9.81'/>"
	"<worldbody><geom name='table' type='plane' size='1 1 0.01'/>"
	"<body name='cyl' pos='0 0 0.06'><freejoint/>"
	"<geom type='cylinder' size='0.03 0.06' mass='0.2'/></body>"
	"<body name='ball' pos='0.3 0 0.025'><freejoint/>"
	"<geom type='sphere' size='0.025' mass='0.08'/></body>"
	"</worldbody></mujoco>";

START_TEST(test_mass_weight)
{
	struct dx_simworld *w = load_str(objects);
	int cyl = dx_simworld_body_index(w, "cyl");
	int ball = dx_simworld_body_index(w, "ball");
	struct dx_simworld_pose p0, p1;
	double f[3], m;
	unsigned nc;

	ck_assert_int_gt(cyl, 0);
	ck_assert_int_gt(ball, 0);
	ck_assert_int_eq(dx_simworld_step(w, 1000), 0);
	for (int i = 0; i < 2; i++) {
		unsigned b = (unsigned)(i ? ball : cyl);
		double mass0 = i ? 0.08 : 0.2;

		ck_assert_int_eq(dx_simworld_body_mass(w, b, &m), 0);
		dx_ck_near(m, mass0, 1e-12);
		/* at rest the table carries the weight: 0.5 % tolerance */
		ck_assert_int_eq(dx_simworld_contact_force(w, b, 0, f, &nc), 0);
		ck_assert_uint_ge(nc, 1);
		dx_ck_near(f[2], mass0 * 9.81, 5e-3 * mass0 * 9.81);
		dx_ck_near(f[0], 0, 1e-3);
		dx_ck_near(f[1], 0, 1e-3);
		ck_assert(dx_simworld_in_contact(w, b, 0));
		ck_assert(dx_simworld_in_contact(w, b, -1));
	}
	/* the two objects do not touch each other */
	ck_assert(!dx_simworld_in_contact(w, (unsigned)cyl, ball));
	ck_assert_int_eq(dx_simworld_contact_force(w, (unsigned)cyl, ball, f, &nc), 0);
	ck_assert_uint_eq(nc, 0);

	/* 2.5 times heavier: the pose is kept, the weight follows */
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)cyl, &p0), 0);
	ck_assert_int_eq(dx_simworld_body_set_mass(w, (unsigned)cyl, 0.5), 0);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)cyl, &p1), 0);
	for (int k = 0; k < 3; k++)
		dx_ck_near(p1.p[k], p0.p[k], 1e-12);
	ck_assert_int_eq(dx_simworld_body_mass(w, (unsigned)cyl, &m), 0);
	dx_ck_near(m, 0.5, 0);
	ck_assert_int_eq(dx_simworld_step(w, 600), 0);
	ck_assert_int_eq(dx_simworld_contact_force(w, (unsigned)cyl, 0, f, NULL), 0);
	dx_ck_near(f[2], 0.5 * 9.81, 5e-3 * 0.5 * 9.81);

	/* refused masses */
	ck_assert_int_eq(dx_simworld_body_set_mass(w, (unsigned)cyl, 0), DX_EINVAL);
	ck_assert_int_eq(dx_simworld_body_set_mass(w, (unsigned)cyl, -1), DX_EINVAL);
	ck_assert_int_eq(dx_simworld_body_set_mass(w, (unsigned)cyl, 2000),
			 DX_EINVAL);
	ck_assert_int_eq(dx_simworld_body_set_mass(w, (unsigned)cyl, NAN),
			 DX_ENOTFINITE);
	ck_assert_int_eq(dx_simworld_body_set_mass(w, 0, 1), DX_EINVAL);

	/* reset restores the masses */
	ck_assert_int_eq(dx_simworld_reset(w), 0);
	ck_assert_int_eq(dx_simworld_body_mass(w, (unsigned)cyl, &m), 0);
	dx_ck_near(m, 0.2, 0);
	ck_assert_int_eq(dx_simworld_time_ns(w), 0);
	dx_simworld_free(w);
}
END_TEST

START_TEST(test_free_fall_and_pose)
{
	struct dx_simworld *w = load_str(objects);
	int ball = dx_simworld_body_index(w, "ball");
	struct dx_simworld_pose p = {{0.5, 0.1, 1.0}, {0, 0, 0, 2}}, q;
	double lin[3], ang[3];
	const unsigned n = 400; /* 0.2 s, no contact before z = 0.025 */

	ck_assert_int_eq(dx_simworld_body_set_pose(w, (unsigned)ball, &p), 0);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)ball, &q), 0);
	dx_ck_near(q.p[2], 1.0, 0);
	dx_ck_near(q.quat[3], 1.0, 1e-15); /* normalised */
	ck_assert_int_eq(dx_simworld_step(w, n), 0);
	ck_assert_int_eq(dx_simworld_body_velocity(w, (unsigned)ball, lin, ang), 0);
	/* v = -g t exactly under semi-implicit Euler (rounding: 1e-9) */
	dx_ck_near(lin[2], -9.81 * n * 0.0005, 1e-9);
	dx_ck_near(lin[0], 0, 1e-12);
	dx_ck_near(ang[0], 0, 1e-12);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)ball, &q), 0);
	/* z = 1 - g dt^2 n (n + 1) / 2 for this integrator */
	dx_ck_near(q.p[2], 1.0 - 9.81 * 0.0005 * 0.0005 * n * (n + 1) / 2, 1e-9);
	ck_assert(!dx_simworld_in_contact(w, (unsigned)ball, -1));

	/* gravity off: the ball keeps its velocity */
	ck_assert_int_eq(dx_simworld_set_gravity(w, (double[3]){0, 0, 0}), 0);
	ck_assert_int_eq(dx_simworld_step(w, 100), 0);
	ck_assert_int_eq(dx_simworld_body_velocity(w, (unsigned)ball, lin, NULL), 0);
	dx_ck_near(lin[2], -9.81 * n * 0.0005, 1e-9);

	/* only free bodies can be placed; bad poses are refused */
	ck_assert_int_eq(dx_simworld_body_set_pose(w, 0, &p), DX_EINVAL);
	p.quat[3] = 0;
	ck_assert_int_eq(dx_simworld_body_set_pose(w, (unsigned)ball, &p),
			 DX_EINVAL);
	p.quat[3] = 1;
	p.p[0] = INFINITY;
	ck_assert_int_eq(dx_simworld_body_set_pose(w, (unsigned)ball, &p),
			 DX_ENOTFINITE);
	ck_assert_int_eq(dx_simworld_set_gravity(w, (double[3]){0, NAN, 0}),
			 DX_ENOTFINITE);
	dx_simworld_free(w);
}
END_TEST

/* A virtual drive's motor hands its mechanics to the world: the motor's
 * torque moves the joint through a 2:1 link with an offset, the rotor's
 * reflected inertia becomes the joint's armature, and the motor reads the
 * joint back. */
START_TEST(test_vmotor_link)
{
	struct dx_simworld *w = load_str(pendulum);
	struct dx_vmotor_params mp;
	struct dx_vmotor m, mk;
	struct dx_simworld_motor_link l, lk;
	int j = dx_simworld_joint_index(w, "j");
	int k = dx_simworld_joint_index(w, "k");
	/* rotor 1e-6 kg m^2 through a 10:1 gear: 1e-4 at the motor output,
	 * 1e-4 / 2^2 at the joint */
	const double s = 2.0, arm = 1e-6 * 10 * 10 / (s * s);
	const double I = 2e-4 + 0.3 * 0.05 * 0.05;
	const double tau_m = 0.04;
	const double alpha = (tau_m / s) / (I + arm);
	const unsigned n = 2000;
	const double dt = 0.0005, T = n * dt;
	double q, qd;

	dx_vmotor_params_default(&mp, 1.0, 0.1, 1e-6, 10);
	mp.viscous = 0;
	mp.coulomb = 0;
	ck_assert_int_eq(dx_vmotor_init(&m, &mp), 0);
	ck_assert_int_eq(dx_simworld_motor_link_init(&l, w, (unsigned)j, s, 0.1), 0);
	ck_assert_int_eq(dx_simworld_motor_link_init(&l, w, (unsigned)j, 0, 0.1),
			 DX_EINVAL);
	ck_assert_int_eq(dx_simworld_motor_link_init(&l, w, 99, s, 0.1), DX_EINVAL);
	ck_assert_int_eq(dx_simworld_motor_link_init(&l, w, (unsigned)j, s, 0.1), 0);
	dx_vmotor_set_dynamics(&m, dx_simworld_motor_dynamics, &l);
	ck_assert_int_eq(dx_simworld_joint_set_drive(w, (unsigned)j, arm, 0, 0), 0);
	ck_assert_int_eq(dx_simworld_joint_set_drive(w, (unsigned)j, -1, 0, 0),
			 DX_EINVAL);
	for (unsigned i = 0; i < n; i++) {
		dx_vmotor_step(&m, tau_m, dt);
		ck_assert_int_eq(dx_simworld_step(w, 1), 0);
	}
	ck_assert_int_eq(dx_simworld_get_joint(w, (unsigned)j, &q, &qd), 0);
	/* the joint: alpha = (tau / s) / (I + armature), 1e-9 relative */
	dx_ck_near(qd, alpha * T, 1e-9 * alpha * T);
	dx_ck_near(q, alpha * dt * dt * n * (n + 1) / 2, 1e-9);
	/* the motor read the joint before the last step, in its own units */
	dx_ck_near(m.vel, alpha * (T - dt) / s, 1e-9);
	dx_ck_near(m.pos, (alpha * dt * dt * (n - 1) * n / 2 - 0.1) / s, 1e-9);

	/* a motor torque beyond the joint's motor range is clamped to it */
	ck_assert_int_eq(dx_vmotor_init(&mk, &mp), 0);
	ck_assert_int_eq(dx_simworld_motor_link_init(&lk, w, (unsigned)k, 0.5, 0), 0);
	dx_vmotor_set_dynamics(&mk, dx_simworld_motor_dynamics, &lk);
	dx_vmotor_step(&mk, 1.0, dt); /* 2 N m at the joint, motor range 0.5 */
	ck_assert_int_eq(dx_simworld_get_torque(w, (unsigned)k, &q), 0);
	dx_ck_near(q, 0.5, 0);
	ck_assert_uint_eq(lk.clamped, 1);
	/* Coulomb friction of the motor, as MuJoCo friction loss, holds the
	 * joint against a smaller torque. MuJoCo's friction loss is a soft
	 * constraint, so the joint creeps (0.22 rad/s here); frictionless it
	 * would reach 0.2 / 9.5e-4 * 0.5 = 105 rad/s: below 1 % of that */
	ck_assert_int_eq(dx_simworld_joint_set_drive(w, (unsigned)k, 0, 0, 0.3), 0);
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)k, 0.2), 0);
	ck_assert_int_eq(dx_simworld_step(w, 1000), 0);
	ck_assert_int_eq(dx_simworld_get_joint(w, (unsigned)k, NULL, &qd), 0);
	ck_assert_msg(fabs(qd) < 1.05, "qd %g", qd);
	dx_simworld_free(w);
}
END_TEST

/* ---- time ---------------------------------------------------------------- */

struct hook_log {
	unsigned calls;
	int64_t last_t;
	bool ordered;
	int j;
};

static void hook(struct dx_simworld *w, int64_t t_ns, double dt_s, void *ud)
{
	struct hook_log *h = ud;
	double q, qd;

	if (t_ns != (int64_t)h->calls * 500000 || dt_s != 0.0005)
		h->ordered = false;
	h->calls++;
	h->last_t = t_ns;
	/* a motor model in miniature: PD towards 0.3 rad */
	dx_simworld_get_joint(w, (unsigned)h->j, &q, &qd);
	dx_simworld_set_torque(w, (unsigned)h->j, 0.05 * (0.3 - q) - 0.01 * qd);
}

START_TEST(test_advance_time)
{
	struct dx_simworld_config cfg;
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	struct hook_log h = {0, -1, true, 0};
	unsigned steps;
	double q;

	dx_simworld_config_default(&cfg);
	cfg.max_steps = 4000;
	ck_assert_int_eq(dx_simworld_load_string(pendulum, sizeof(pendulum) - 1,
						 &cfg, &w, &err), 0);
	h.j = dx_simworld_joint_index(w, "j");
	dx_simworld_set_hook(w, hook, &h);
	/* less than one step ahead: nothing */
	ck_assert_int_eq(dx_simworld_advance(w, 499999, &steps), 0);
	ck_assert_uint_eq(steps, 0);
	ck_assert_uint_eq(h.calls, 0);
	/* 1 ms of bus time = 2 steps, twice; then 1.25 ms more = 2 steps
	 * (the quarter step waits for the next call) */
	ck_assert_int_eq(dx_simworld_advance(w, 1000000, &steps), 0);
	ck_assert_uint_eq(steps, 2);
	ck_assert_int_eq(dx_simworld_advance(w, 2000000, &steps), 0);
	ck_assert_uint_eq(steps, 2);
	ck_assert_int_eq(dx_simworld_advance(w, 3250000, &steps), 0);
	ck_assert_uint_eq(steps, 2);
	ck_assert_int_eq(dx_simworld_time_ns(w), 3000000);
	ck_assert_int_eq(dx_simworld_advance(w, 3500000, &steps), 0);
	ck_assert_uint_eq(steps, 1);
	ck_assert_uint_eq(h.calls, 7);
	ck_assert(h.ordered);
	ck_assert_int_eq(h.last_t, 3000000);
	/* going back in time, or too far ahead at once, is refused */
	ck_assert_int_eq(dx_simworld_advance(w, 3000000, &steps), DX_EINVAL);
	ck_assert_int_eq(dx_simworld_advance(w, 3500000 + 4001 * INT64_C(500000),
					     &steps), DX_ERANGE);
	ck_assert_int_eq(dx_simworld_time_ns(w), 3500000);
	ck_assert_int_eq(dx_simworld_step(w, 4001), DX_ERANGE);
	/* 2 s under the hook's PD: the joint settles at its target */
	for (int64_t t = 3500000; t < 2000000000; t += 1000000)
		ck_assert_int_eq(dx_simworld_advance(w, t + 1000000, NULL), 0);
	ck_assert_int_eq(dx_simworld_get_joint(w, (unsigned)h.j, &q, NULL), 0);
	dx_ck_near(q, 0.3, 1e-3);
	/* removing the hook stops the calls */
	dx_simworld_set_hook(w, NULL, NULL);
	steps = h.calls;
	ck_assert_int_eq(dx_simworld_step(w, 10), 0);
	ck_assert_uint_eq(h.calls, steps);
	dx_simworld_free(w);
}
END_TEST

/* Same inputs, same states, bit for bit: two scene worlds with a finger
 * closing on the cylinder and the hand lifting. */
static void drive_scene(struct dx_simworld *w, double *out, size_t n)
{
	int j1 = dx_simworld_joint_index(w, "index_j1");
	int j2 = dx_simworld_joint_index(w, "index_j2");
	int lift = dx_simworld_actuator_index(w, "lift");
	unsigned k = 0;

	ck_assert_int_ge(j1, 0);
	ck_assert_int_ge(j2, 0);
	ck_assert_int_ge(lift, 0);
	for (int i = 0; i < 300; i++) {
		double s = sin(i * 0.05);

		ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j1, 0.3 * s), 0);
		ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j2, 0.2), 0);
		ck_assert_int_eq(dx_simworld_set_ctrl(w, (unsigned)lift, 0.0002 * i), 0);
		ck_assert_int_eq(dx_simworld_advance(w, (int64_t)(i + 1) * 1000000,
						     NULL), 0);
	}
	for (unsigned j = 0; j < dx_simworld_njoints(w) && k + 1 < n; j++) {
		dx_simworld_get_joint(w, j, &out[k], &out[k + 1]);
		k += 2;
	}
	for (int p = 0; p < 4; p++)
		k += (unsigned)dx_simworld_pad_read(w, (unsigned)p, out + k, n - k);
}

START_TEST(test_determinism)
{
	struct dx_simworld *a = NULL, *b = NULL;
	struct dx_simworld_error err;
	static double sa[256], sb[256];

	ck_assert_int_eq(dx_simworld_load_file(example("mjcf/scene-grasp.xml"),
					       NULL, &a, &err), 0);
	ck_assert_int_eq(dx_simworld_load_file(example("mjcf/scene-grasp.xml"),
					       NULL, &b, &err), 0);
	drive_scene(a, sa, 256);
	drive_scene(b, sb, 256);
	ck_assert_int_eq(memcmp(sa, sb, sizeof(sa)), 0);
	/* and after a reset, the same run again */
	ck_assert_int_eq(dx_simworld_reset(a), 0);
	memset(sb, 0, sizeof(sb));
	drive_scene(a, sb, 256);
	ck_assert_int_eq(memcmp(sa, sb, sizeof(sa)), 0);
	dx_simworld_free(a);
	dx_simworld_free(b);
}
END_TEST

START_TEST(test_lift_servo)
{
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	int lift, jl, mount;
	double lo, hi, q;
	struct dx_simworld_pose p0, p1;

	ck_assert_int_eq(dx_simworld_load_file(example("mjcf/scene-grasp.xml"),
					       NULL, &w, &err), 0);
	lift = dx_simworld_actuator_index(w, "lift");
	jl = dx_simworld_joint_index(w, "lift");
	mount = dx_simworld_body_index(w, "mount");
	ck_assert_int_eq(dx_simworld_ctrl_range(w, (unsigned)lift, &lo, &hi), 0);
	dx_ck_near(lo, -0.05, 0);
	dx_ck_near(hi, 0.3, 0);
	ck_assert_int_eq(dx_simworld_set_ctrl(w, (unsigned)lift, 0.31), DX_ERANGE);
	ck_assert_int_eq(dx_simworld_set_ctrl(w, (unsigned)lift, INFINITY),
			 DX_ENOTFINITE);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)mount, &p0), 0);
	ck_assert_int_eq(dx_simworld_set_ctrl(w, (unsigned)lift, 0.1), 0);
	ck_assert_int_eq(dx_simworld_advance(w, 2 * DX_NS_PER_S, NULL), 0);
	ck_assert_int_eq(dx_simworld_get_joint(w, (unsigned)jl, &q, NULL), 0);
	/* a 10 kN/m servo holding ~0.9 kg sags by ~0.9 mm: 2 mm tolerance */
	dx_ck_near(q, 0.1, 2e-3);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)mount, &p1), 0);
	dx_ck_near(p1.p[2] - p0.p[2], q, 1e-9);
	dx_simworld_free(w);
}
END_TEST

/* An absurd torque on an unlimited joint makes the accelerations blow up:
 * MuJoCo's checks reset the state and the world says so. */
START_TEST(test_divergence)
{
	struct dx_simworld *w = load_str(pendulum);
	int j = dx_simworld_joint_index(w, "j");
	double q;

	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j, 1e300), 0);
	ck_assert_int_eq(dx_simworld_step(w, 50), DX_ENOTFINITE);
	ck_assert_int_eq(dx_simworld_get_joint(w, (unsigned)j, &q, NULL), 0);
	ck_assert(isfinite(q));
	/* the torques were cleared by the reset: stepping works again */
	ck_assert_int_eq(dx_simworld_step(w, 50), 0);
	dx_simworld_free(w);
}
END_TEST

/* ---- the shipped hand against its URDF ------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static double urand(void)
{
	/* xorshift64*, deterministic across runs */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717u) >> 11) * 0x1.0p-53;
}

/* p_local = R^T (p - o) with R from a quaternion x y z w. */
static void to_frame(const struct dx_simworld_pose *f, const double p[3],
		     double out[3])
{
	double x = f->quat[0], y = f->quat[1], z = f->quat[2], s = f->quat[3];
	double R[9] = {
		1 - 2 * (y * y + z * z), 2 * (x * y - s * z), 2 * (x * z + s * y),
		2 * (x * y + s * z), 1 - 2 * (x * x + z * z), 2 * (y * z - s * x),
		2 * (x * z - s * y), 2 * (y * z + s * x), 1 - 2 * (x * x + y * y),
	};
	double d[3] = {p[0] - f->p[0], p[1] - f->p[1], p[2] - f->p[2]};

	for (int i = 0; i < 3; i++)
		out[i] = R[i] * d[0] + R[3 + i] * d[1] + R[6 + i] * d[2];
}

static void check_axis(const struct dx_simworld *w,
		       const struct dx_kin_model *km,
		       const struct dx_simworld_pose *rootp,
		       const struct dx_kin_pose *poses, const char *link)
{
	int b = dx_simworld_body_index(w, link);
	int l = dx_kin_link_index(km, link);
	struct dx_simworld_pose bp;
	double zw[3], zl[3], x, y, z, s;

	ck_assert_int_gt(b, 0);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)b, &bp), 0);
	x = bp.quat[0];
	y = bp.quat[1];
	z = bp.quat[2];
	s = bp.quat[3];
	/* third column of the body's rotation matrix */
	zw[0] = bp.p[0] + 2 * (x * z + s * y);
	zw[1] = bp.p[1] + 2 * (y * z - s * x);
	zw[2] = bp.p[2] + 1 - 2 * (x * x + y * y);
	to_frame(rootp, zw, zl);
	for (int k = 0; k < 3; k++)
		dx_ck_near(zl[k], poses[l].p[k] + poses[l].R[3 * k + 2], 1e-9);
}

static void check_hand(const char *urdf, const char *mjcf, const char *root,
		       const char *const *fingers, unsigned nfingers)
{
	struct dx_kin_model *km = NULL;
	struct dx_kin_error kerr;
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	struct dx_kin_pose poses[64];
	double q[64], lo[64], hi[64];
	int wj[64];
	unsigned nv;
	double worst = 0;

	ck_assert_msg(dx_kin_model_load_file(example(urdf), &km, &kerr) == 0,
		      "%s", kerr.msg);
	ck_assert_msg(dx_simworld_load_file(example(mjcf), NULL, &w, &err) == 0,
		      "%s", err.msg);
	nv = dx_kin_model_nvars(km);
	ck_assert_uint_le(nv, 64);
	ck_assert_uint_le(dx_kin_model_nlinks(km), 64);
	/* same joints, same limits; the MJCF adds only the three gantry slides */
	ck_assert_uint_eq(dx_simworld_njoints(w), nv + 3);
	dx_kin_model_limits(km, lo, hi);
	for (unsigned v = 0; v < nv; v++) {
		struct dx_kin_joint_info kj;
		struct dx_simworld_joint_info sj;

		ck_assert_int_eq(dx_kin_joint_get(km, dx_kin_var_joint(km, v), &kj), 0);
		wj[v] = dx_simworld_joint_index(w, kj.name);
		ck_assert_msg(wj[v] >= 0, "joint %s missing from %s", kj.name, mjcf);
		ck_assert_int_eq(dx_simworld_joint_info(w, (unsigned)wj[v], &sj), 0);
		dx_ck_near(sj.lower, kj.lower, 1e-12);
		dx_ck_near(sj.upper, kj.upper, 1e-12);
		dx_ck_near(sj.effort, kj.effort, 1e-12);
	}
	/* same masses */
	for (unsigned l = 0; l < dx_kin_model_nlinks(km); l++) {
		struct dx_kin_inertial in;
		int b = dx_simworld_body_index(w, dx_kin_link_name(km, (int)l));
		double m;

		if (dx_kin_link_inertial(km, (int)l, &in) != 0)
			continue;
		ck_assert_msg(b > 0, "link %s has no body", dx_kin_link_name(km, (int)l));
		ck_assert_int_eq(dx_simworld_body_mass(w, (unsigned)b, &m), 0);
		dx_ck_near(m, in.mass, 1e-12);
	}

	/* FK at random in-limit configurations: fingertips (URDF tip links,
	 * MJCF tip sites) and distal link frames, in the root link's frame */
	for (int trial = 0; trial < 20; trial++) {
		struct dx_simworld_pose rootp;
		int rb = dx_simworld_body_index(w, root);

		for (unsigned v = 0; v < nv; v++) {
			q[v] = lo[v] + (hi[v] - lo[v]) * urand();
			ck_assert_int_eq(dx_simworld_set_joint(w, (unsigned)wj[v], q[v], 0), 0);
		}
		/* move the gantry too: the comparison is palm-relative */
		dx_simworld_set_joint(w, (unsigned)dx_simworld_joint_index(w, "reach_x"),
				      0.1 * urand(), 0);
		dx_simworld_set_joint(w, (unsigned)dx_simworld_joint_index(w, "lift"),
				      0.2 * urand(), 0);
		ck_assert_int_eq(dx_simworld_forward(w), 0);
		ck_assert_int_eq(dx_kin_fk_all(km, q, poses), 0);
		ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)rb, &rootp), 0);
		for (unsigned f = 0; f < nfingers; f++) {
			char name[64];
			struct dx_simworld_pose sp;
			double local[3];
			int li, si;

			snprintf(name, sizeof(name), "%s_tip", fingers[f]);
			li = dx_kin_link_index(km, name);
			si = dx_simworld_site_index(w, name);
			ck_assert_int_ge(li, 0);
			ck_assert_int_ge(si, 0);
			ck_assert_int_eq(dx_simworld_site_pose(w, (unsigned)si, &sp), 0);
			to_frame(&rootp, sp.p, local);
			for (int k = 0; k < 3; k++) {
				double e = fabs(local[k] - poses[li].p[k]);

				worst = e > worst ? e : worst;
				/* same transforms in double on both sides:
				 * 1e-9 m (nanometre) */
				dx_ck_near(local[k], poses[li].p[k], 1e-9);
			}
			/* the distal frame's axes too: a point 1 m along
			 * its z axis (the finger direction) */
			snprintf(name, sizeof(name), "%s_distal", fingers[f]);
			check_axis(w, km, &rootp, poses, name);
		}
	}
	printf("%s vs %s: worst fingertip difference %.3g m over 20 configurations\n",
	       mjcf, urdf, worst);
	dx_simworld_free(w);
	dx_kin_model_free(km);
}

START_TEST(test_hand16_matches_urdf)
{
	static const char *const f[] = {"index", "middle", "ring", "thumb"};

	check_hand("urdf/hand16.urdf", "mjcf/hand16.xml", "palm", f, 4);
}
END_TEST

START_TEST(test_hand22_matches_urdf)
{
	static const char *const f[] = {"index", "middle", "ring", "little",
					"thumb"};

	check_hand("urdf/hand22.urdf", "mjcf/hand22.xml", "forearm", f, 5);
}
END_TEST

/* The hand's own pads: the index fingertip pressed by its DIP torque on a
 * fixed frictionless post (the post's priority makes the contact condim 1),
 * the other index joints held by a stiff PD in the hook. At rest the DIP
 * torque equals the moment of the normal force about the DIP axis, and the
 * taxels read that normal force. */
struct hold {
	int j[3];
	double q0[3];
};

static void hold_hook(struct dx_simworld *w, int64_t t, double dt, void *ud)
{
	struct hold *h = ud;

	for (int i = 0; i < 3; i++) {
		double q, qd;

		dx_simworld_get_joint(w, (unsigned)h->j[i], &q, &qd);
		dx_simworld_set_torque(w, (unsigned)h->j[i],
				       fmax(-0.7, fmin(0.7, 20 * (h->q0[i] - q) - 0.05 * qd)));
	}
}

START_TEST(test_hand_pad_press)
{
	char dir[] = "/tmp/dx-world-XXXXXX";
	char path[4200], hand[4200];
	FILE *in, *out;
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	struct hold h = {{0, 0, 0}, {0, 0, 0}};
	struct dx_simworld_contact c[8];
	double f[16], sum = 0, moment = 0;
	int pad, j3, n, ch;

	/* a scene next to a copy of hand16.xml (MJCF includes are relative) */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(hand, sizeof(hand), "%s/hand16.xml", dir);
	in = fopen(example("mjcf/hand16.xml"), "r");
	out = fopen(hand, "w");
	ck_assert(in && out);
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, out);
	fclose(in);
	fclose(out);
	snprintf(path, sizeof(path), "%s/press.xml", dir);
	out = fopen(path, "w");
	ck_assert_ptr_nonnull(out);
	/* index distal pad centre in the world with all joints at 0 and the
	 * palm turned as in hand16.xml: palm z -> world x, palm -y -> world
	 * -y, palm x -> world -z. Index knuckle at palm (0, 0, 0.095), abduct
	 * 0.05 rad about palm y; the post (radius 10 mm, axis along world z
	 * = the DIP axis) touches the pad at distal z = 0.013. */
	{
		double a = 0.05;
		double zd = 0.0164 + 0.054 + 0.038 + 0.013; /* along the finger */
		/* finger direction in palm frame after abduction about y */
		double dxp = sin(a), dzp = cos(a);
		/* pad point and the post axis 19 mm further along -y_palm */
		double px = dxp * zd, pz = 0.095 + dzp * zd;
		double wx = pz, wz = 0.075 - px; /* palm->world */

		fprintf(out,
			"<mujoco><option timestep='0.0005' gravity='0 0 0'/>"
			"<include file='hand16.xml'/><worldbody>"
			"<geom name='post' type='cylinder' size='0.01 0.006'"
			" pos='%.9f %.9f %.9f' condim='1' priority='1'"
			" contype='1' conaffinity='3'/>"
			"</worldbody></mujoco>\n",
			wx, -(0.009 + 0.01) + 0.0002, wz);
	}
	fclose(out);
	n = dx_simworld_load_file(path, NULL, &w, &err);
	unlink(path);
	unlink(hand);
	rmdir(dir);
	ck_assert_msg(n == 0, "%s", err.msg);

	h.j[0] = dx_simworld_joint_index(w, "index_j0");
	h.j[1] = dx_simworld_joint_index(w, "index_j1");
	h.j[2] = dx_simworld_joint_index(w, "index_j2");
	j3 = dx_simworld_joint_index(w, "index_j3");
	pad = dx_simworld_pad_index(w, "index_pad");
	ck_assert_int_ge(pad, 0);
	dx_simworld_set_hook(w, hold_hook, &h);
	/* flexion presses the pad (-y of the distal frame) on the post */
	ck_assert_int_eq(dx_simworld_set_torque(w, (unsigned)j3, 0.05), 0);
	ck_assert_int_eq(dx_simworld_step(w, 4000), 0);
	ck_assert_int_eq(dx_simworld_pad_read(w, (unsigned)pad, f, 16), 16);
	for (int k = 0; k < 16; k++)
		sum += f[k];
	n = dx_simworld_pad_contacts(w, (unsigned)pad, c, 8);
	ck_assert_int_ge(n, 1);
	for (int i = 0; i < n; i++) {
		/* moment about the DIP axis (distal x through its origin) of
		 * the force the post exerts on the pad, -force */
		moment += -(c[i].pos[1] * -c[i].force[2] - c[i].pos[2] * -c[i].force[1]);
	}
	/* the DIP torque is balanced by the contact alone (the joint is
	 * within its limits, damping is idle at rest): 1 % */
	dx_ck_near(moment, 0.05, 5e-4);
	/* and the taxels read the whole normal force: 1 % */
	{
		double fn = 0;

		for (int i = 0; i < n; i++)
			fn += c[i].fn;
		printf("index pad on the post: %d contact(s), normal force "
		       "%.4f N, taxel sum %.4f N, contact moment %.5f N m\n",
		       n, fn, sum, moment);
		ck_assert(fn > 1.0); /* ~0.05 N m / 0.013 m = 3.8 N */
		dx_ck_near(sum, fn, 1e-2 * fn);
	}
	dx_simworld_free(w);
}
END_TEST

/* A scripted power grasp in the shipped scene: the fingers close on the
 * cylinder under a PD law in the hook, the gantry lifts, the object comes
 * off the table with the hand; made 3 times heavier, a light grip lets it
 * slip out while a firm grip keeps it. The pads carry the grip. */
struct grip {
	int j[16];
	double target[16], bias[16];
};

static void grip_hook(struct dx_simworld *w, int64_t t, double dt, void *ud)
{
	struct grip *g = ud;

	for (int i = 0; i < 16; i++) {
		double q, qd, tau;

		dx_simworld_get_joint(w, (unsigned)g->j[i], &q, &qd);
		tau = g->bias[i] + 2.0 * (g->target[i] - q) - 0.02 * qd;
		dx_simworld_set_torque(w, (unsigned)g->j[i], fmax(-0.7, fmin(0.7, tau)));
	}
}

static double grasp_run(double flex, double *pads_n, double *z_lifted)
{
	static const char *const fingers[] = {"index", "middle", "ring", "thumb"};
	struct dx_simworld *w = NULL;
	struct dx_simworld_error err;
	struct dx_simworld_pose cp;
	struct grip g;
	int cyl, lift;
	int64_t t = 0;

	ck_assert_int_eq(dx_simworld_load_file(example("mjcf/scene-grasp.xml"),
					       NULL, &w, &err), 0);
	memset(&g, 0, sizeof(g));
	for (int f = 0; f < 4; f++) {
		for (int k = 0; k < 4; k++) {
			char name[32];

			snprintf(name, sizeof(name), "%s_j%d", fingers[f], k);
			g.j[4 * f + k] = dx_simworld_joint_index(w, name);
			ck_assert_int_ge(g.j[4 * f + k], 0);
		}
	}
	cyl = dx_simworld_body_index(w, "cylinder");
	lift = dx_simworld_actuator_index(w, "lift");
	dx_simworld_set_hook(w, grip_hook, &g);
	t += 500 * DX_NS_PER_MS;
	ck_assert_int_eq(dx_simworld_advance(w, t, NULL), 0);
	for (int f = 0; f < 3; f++) {
		for (int k = 1; k < 4; k++) {
			g.target[4 * f + k] = flex;
			g.bias[4 * f + k] = 0.1;
		}
	}
	t += 800 * DX_NS_PER_MS;
	ck_assert_int_eq(dx_simworld_advance(w, t, NULL), 0);
	*pads_n = 0;
	for (int p = 0; p < 3; p++) {
		double f[16];

		ck_assert_int_eq(dx_simworld_pad_read(w, (unsigned)p, f, 16), 16);
		for (int k = 0; k < 16; k++)
			*pads_n += f[k];
	}
	/* lift 100 mm in 1 s, hold 0.5 s */
	for (int i = 1; i <= 10; i++) {
		ck_assert_int_eq(dx_simworld_set_ctrl(w, (unsigned)lift, 0.01 * i), 0);
		t += 100 * DX_NS_PER_MS;
		ck_assert_int_eq(dx_simworld_advance(w, t, NULL), 0);
	}
	t += 500 * DX_NS_PER_MS;
	ck_assert_int_eq(dx_simworld_advance(w, t, NULL), 0);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)cyl, &cp), 0);
	*z_lifted = cp.p[2];
	ck_assert(!dx_simworld_in_contact(w, (unsigned)cyl, 0));
	/* three times heavier mid-grasp */
	ck_assert_int_eq(dx_simworld_body_set_mass(w, (unsigned)cyl, 0.6), 0);
	t += 1000 * DX_NS_PER_MS;
	ck_assert_int_eq(dx_simworld_advance(w, t, NULL), 0);
	ck_assert_int_eq(dx_simworld_body_pose(w, (unsigned)cyl, &cp), 0);
	dx_simworld_free(w);
	return cp.p[2];
}

START_TEST(test_scripted_grasp)
{
	double pads, zl, zh;

	/* light grip: held at 0.2 kg (centre from 0.06 m to about 0.15 m
	 * when the mount rises 0.1 m), slips out at 0.6 kg and ends on the
	 * table (centre at 0.06 m standing or 0.035 m lying) */
	zh = grasp_run(1.0, &pads, &zl);
	printf("light grip: pads %.2f N, lifted to %.4f m, heavy: %.4f m\n",
	       pads, zl, zh);
	ck_assert(pads > 1.0);
	ck_assert(zl > 0.13);
	ck_assert(zh < 0.07);
	/* firm grip: holds the heavy cylinder too */
	zh = grasp_run(1.2, &pads, &zl);
	printf("firm grip: pads %.2f N, lifted to %.4f m, heavy: %.4f m\n",
	       pads, zl, zh);
	ck_assert(zl > 0.13);
	ck_assert(zh > 0.13);
}
END_TEST

static Suite *world_suite(void)
{
	Suite *s = suite_create("world");
	TCase *tc = tcase_create("world");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_load_scene);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_torque_inertia);
	tcase_add_test(tc, test_touch_press);
	tcase_add_test(tc, test_mass_weight);
	tcase_add_test(tc, test_free_fall_and_pose);
	tcase_add_test(tc, test_vmotor_link);
	tcase_add_test(tc, test_advance_time);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_lift_servo);
	tcase_add_test(tc, test_divergence);
	tcase_add_test(tc, test_hand16_matches_urdf);
	tcase_add_test(tc, test_hand22_matches_urdf);
	tcase_add_test(tc, test_hand_pad_press);
	tcase_add_test(tc, test_scripted_grasp);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dx_test_run(world_suite());
}
#endif
