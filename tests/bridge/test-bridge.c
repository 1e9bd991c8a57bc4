/* SPDX-License-Identifier: MIT */
/* Bridge unit tests: the generated types carry ROS 2's DDS type names and
 * serialise to the byte layout a ROS 2 node (rmw_cyclonedds_cpp, plain CDR
 * = XCDR1, as in OMG CDR: primitives aligned to their size, strings and
 * sequences as a uint32 length then the elements, strings with their NUL)
 * writes for the same message; the command checks accept what is valid and
 * refuse, with the right code, everything else; the namespace and topic
 * names. DDS stays on loopback (CYCLONEDDS_URI set here). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_cdrstream.h>

#include <dexrt/bridge.h>
#include <dexrt/hand.h>

#include "../dx-check.h"
#include "dexrt_msgs.h"
#include "diagnostic_msgs.h"
#include "geometry_msgs.h"
#include "sensor_msgs.h"
#include "trajectory_msgs.h"
#include "hand2-yaml.h"

static const char loopback_uri[] =
	"<CycloneDDS><Domain Id=\"any\"><General><Interfaces>"
	"<NetworkInterface name=\"lo\"/></Interfaces>"
	"<AllowMulticast>false</AllowMulticast></General><Discovery>"
	"<ParticipantIndex>auto</ParticipantIndex><Peers>"
	"<Peer Address=\"127.0.0.1\"/></Peers></Discovery></Domain></CycloneDDS>";

/* ---- wire layout ------------------------------------------------------- */

struct buf {
	unsigned char b[256];
	size_t n;
};

static void align(struct buf *x, size_t a)
{
	while (x->n % a)
		x->b[x->n++] = 0;
}

static void put_u32(struct buf *x, uint32_t v)
{
	align(x, 4);
	memcpy(&x->b[x->n], &v, 4); /* this host is little-endian (checked) */
	x->n += 4;
}

static void put_f64(struct buf *x, double v)
{
	align(x, 8);
	memcpy(&x->b[x->n], &v, 8);
	x->n += 8;
}

static void put_str(struct buf *x, const char *s)
{
	size_t l = strlen(s) + 1;

	put_u32(x, (uint32_t)l);
	memcpy(&x->b[x->n], s, l);
	x->n += l;
}

/* Serialises @p sample with the type's ops as little-endian XCDR1. */
static size_t cdr(const dds_topic_descriptor_t *d, const void *sample,
		  unsigned char *out, size_t cap)
{
	dds_ostreamLE_t os;
	size_t n;

	dds_ostreamLE_init(&os, 0, 1 /* CDR_ENC_VERSION_1: XCDR1 */);
	ck_assert_ptr_nonnull(dds_stream_writeLE(&os, sample, d->m_ops));
	n = os.x.m_index;
	ck_assert_uint_le(n, cap);
	memcpy(out, os.x.m_buffer, n);
	dds_ostreamLE_fini(&os);
	return n;
}

static void dump_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			printf("byte %zu: got %02x expected %02x\n", i, a[i], b[i]);
}

START_TEST(test_type_names)
{
	/* ROS 2 (rosidl_typesupport_introspection + rmw_cyclonedds_cpp)
	 * names: <package>::msg::dds_::<Message>_ */
	ck_assert_str_eq(sensor_msgs_msg_dds__JointState__desc.m_typename,
			 "sensor_msgs::msg::dds_::JointState_");
	ck_assert_str_eq(diagnostic_msgs_msg_dds__DiagnosticArray__desc.m_typename,
			 "diagnostic_msgs::msg::dds_::DiagnosticArray_");
	ck_assert_str_eq(geometry_msgs_msg_dds__WrenchStamped__desc.m_typename,
			 "geometry_msgs::msg::dds_::WrenchStamped_");
	ck_assert_str_eq(trajectory_msgs_msg_dds__JointTrajectory__desc.m_typename,
			 "trajectory_msgs::msg::dds_::JointTrajectory_");
	ck_assert_str_eq(dexrt_msg_dds__GraspCommand__desc.m_typename,
			 "dexrt::msg::dds_::GraspCommand_");
	/* ROS 2 messages have no key fields */
	ck_assert_uint_eq(sensor_msgs_msg_dds__JointState__desc.m_nkeys, 0);
	ck_assert_uint_eq(diagnostic_msgs_msg_dds__DiagnosticArray__desc.m_nkeys, 0);
}
END_TEST

START_TEST(test_joint_state_wire)
{
	const uint16_t one = 1;
	char *names[] = {"j0", "j1"};
	double pos[] = {0.5, -0.25}, eff[] = {1.0};
	sensor_msgs_msg_dds__JointState_ m = {0};
	struct buf e = {.n = 0};
	unsigned char got[256];
	size_t n;

	if (*(const unsigned char *)&one != 1)
		dx_test_skip("expected bytes are written for a little-endian host");
	m.header.stamp.sec = 1700000000;
	m.header.stamp.nanosec = 5;
	m.header.frame_id = "palm";
	m.name._buffer = names;
	m.name._length = m.name._maximum = 2;
	m.position._buffer = pos;
	m.position._length = m.position._maximum = 2;
	m.effort._buffer = eff;
	m.effort._length = m.effort._maximum = 1;
	n = cdr(&sensor_msgs_msg_dds__JointState__desc, &m, got, sizeof(got));

	/* JointState.msg field order: header{stamp{sec, nanosec}, frame_id},
	 * name[], position[], velocity[], effort[] */
	put_u32(&e, 1700000000u);
	put_u32(&e, 5);
	put_str(&e, "palm");
	put_u32(&e, 2);
	put_str(&e, "j0");
	put_str(&e, "j1");
	put_u32(&e, 2);
	put_f64(&e, 0.5); /* doubles 8-aligned: XCDR1, not XCDR2's 4 */
	put_f64(&e, -0.25);
	put_u32(&e, 0);
	put_u32(&e, 1);
	put_f64(&e, 1.0);
	ck_assert_uint_eq(e.n, 80);
	ck_assert_uint_eq(n, e.n);
	if (memcmp(got, e.b, n) != 0)
		dump_diff(got, e.b, n);
	ck_assert_int_eq(memcmp(got, e.b, n), 0);
}
END_TEST

START_TEST(test_diagnostic_wire)
{
	diagnostic_msgs_msg_dds__KeyValue_ kv = {.key = "k", .value = "v"};
	diagnostic_msgs_msg_dds__DiagnosticStatus_ s = {0};
	diagnostic_msgs_msg_dds__DiagnosticArray_ a = {0};
	struct buf e = {.n = 0};
	unsigned char got[256];
	size_t n;

	s.level = diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_ERROR;
	s.name = "a";
	s.message = "";
	s.hardware_id = "h";
	s.values._buffer = &kv;
	s.values._length = s.values._maximum = 1;
	a.header.frame_id = "";
	a.status._buffer = &s;
	a.status._length = a.status._maximum = 1;
	n = cdr(&diagnostic_msgs_msg_dds__DiagnosticArray__desc, &a, got,
		sizeof(got));
	/* header, status[] {byte level, name, message, hardware_id,
	 * values[] {key, value}} */
	put_u32(&e, 0);
	put_u32(&e, 0);
	put_str(&e, "");
	put_u32(&e, 1);
	e.b[e.n++] = 2; /* ERROR = 2 in DiagnosticStatus.msg */
	put_str(&e, "a");
	put_str(&e, "");
	put_str(&e, "h");
	put_u32(&e, 1);
	put_str(&e, "k");
	put_str(&e, "v");
	ck_assert_uint_eq(n, e.n);
	if (memcmp(got, e.b, n) != 0)
		dump_diff(got, e.b, n);
	ck_assert_int_eq(memcmp(got, e.b, n), 0);
}
END_TEST

START_TEST(test_trajectory_wire)
{
	char *names[] = {"j1"};
	double p[] = {0.75};
	trajectory_msgs_msg_dds__JointTrajectoryPoint_ pt = {0};
	trajectory_msgs_msg_dds__JointTrajectory_ t = {0};
	struct buf e = {.n = 0};
	unsigned char got[256];
	size_t n;

	pt.positions._buffer = p;
	pt.positions._length = pt.positions._maximum = 1;
	pt.time_from_start.sec = 2;
	pt.time_from_start.nanosec = 500000000;
	t.header.frame_id = "";
	t.joint_names._buffer = names;
	t.joint_names._length = t.joint_names._maximum = 1;
	t.points._buffer = &pt;
	t.points._length = t.points._maximum = 1;
	n = cdr(&trajectory_msgs_msg_dds__JointTrajectory__desc, &t, got,
		sizeof(got));
	put_u32(&e, 0);
	put_u32(&e, 0);
	put_str(&e, "");
	put_u32(&e, 1);
	put_str(&e, "j1");
	put_u32(&e, 1); /* points */
	put_u32(&e, 1); /* positions */
	put_f64(&e, 0.75);
	put_u32(&e, 0); /* velocities */
	put_u32(&e, 0); /* accelerations */
	put_u32(&e, 0); /* effort */
	put_u32(&e, 2); /* time_from_start: Duration {sec, nanosec} */
	put_u32(&e, 500000000u);
	ck_assert_uint_eq(n, e.n);
	if (memcmp(got, e.b, n) != 0)
		dump_diff(got, e.b, n);
	ck_assert_int_eq(memcmp(got, e.b, n), 0);
}
END_TEST

/* ---- the bridge's checks -------------------------------------------------- */

static struct dx_hand_config *cfg;
static struct dx_hand *hand;
static struct dx_bridge *br;

static void up(void)
{
	struct dx_hand_config_error e;
	struct dx_hand_opts o = {.no_transport = true};
	struct dx_bridge_config bc = {.ns = "left_hand", .domain = 0};
	const char *src = getenv("DX_TEST_SRCDIR");
	char yaml[4096], dir[400];
	int rc;

	ck_assert_ptr_nonnull(src);
	snprintf(dir, sizeof(dir), "%s/bridge", src);
	ck_assert_int_eq(hand2_yaml(dir, "bridge-unit", yaml, sizeof(yaml)), 0);
	rc = dx_hand_config_load_string(yaml, strlen(yaml), "hand2.yaml", dir,
					&cfg, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	rc = dx_hand_init(&hand, cfg, &o, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	setenv("CYCLONEDDS_URI", loopback_uri, 1);
	ck_assert_int_eq(dx_bridge_create(&br, hand, cfg, &bc), 0);
}

static void down(void)
{
	dx_bridge_free(br);
	dx_hand_free(hand);
	dx_hand_config_free(cfg);
	br = NULL;
	hand = NULL;
	cfg = NULL;
}

START_TEST(test_joint_command_checks)
{
	const char *both[] = {"j0", "j1"}, *rev[] = {"j1", "j0"};
	const char *unk[] = {"j0", "thumb"}, *twice[] = {"j1", "j1"};
	double p[2] = {0.2, 0.8}, v[2] = {0, 0};
	struct dx_hand_target t;
	char why[160];

	up();
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 2, p, 2, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), 0);
	ck_assert_int_eq(t.kind, DX_TARGET_JOINTS);
	ck_assert_uint_eq(t.mask, 0x3);
	dx_ck_near(t.q[0], 0.2, 0.0);
	dx_ck_near(t.q[1], 0.8, 0.0);
	/* order on the wire need not be the hand's */
	p[1] = 0.3;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, rev, 2, p, 2, 2, v, 0,
						       NULL, &t, why,
						       sizeof(why)), 0);
	dx_ck_near(t.q[1], 0.2, 0.0);
	dx_ck_near(t.q[0], 0.3, 0.0);
	/* a subset moves only those joints */
	ck_assert_int_eq(dx_bridge_check_joint_command(br, rev, 1, p, 1, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), 0);
	ck_assert_uint_eq(t.mask, 0x2);
	/* limits themselves are inside: j1 in [-0.19, 1.6] */
	p[0] = 1.6;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, rev, 1, p, 1, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), 0);
	p[0] = 1.6 + 1e-9;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, rev, 1, p, 1, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_ERANGE);
	ck_assert_ptr_nonnull(strstr(why, "j1"));
	p[0] = -0.19 - 1e-9;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, rev, 1, p, 1, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_ERANGE);
	p[0] = 0.1;
	p[1] = 0.1;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, unk, 2, p, 2, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_ENOENT);
	ck_assert_ptr_nonnull(strstr(why, "thumb"));
	ck_assert_int_eq(dx_bridge_check_joint_command(br, twice, 2, p, 2, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_EINVAL);
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 2, p, 1, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_EINVAL);
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 2, p, 2, 1, v, 0,
						       NULL, &t, why,
						       sizeof(why)), DX_EINVAL);
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 0, p, 0, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_EINVAL);
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 3, p, 3, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_EINVAL);
	p[1] = NAN;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 2, p, 2, 0, NULL,
						       0, NULL, &t, why,
						       sizeof(why)), DX_ENOTFINITE);
	p[1] = 0.1;
	v[0] = INFINITY;
	ck_assert_int_eq(dx_bridge_check_joint_command(br, both, 2, p, 2, 2, v, 0,
						       NULL, &t, why,
						       sizeof(why)), DX_ENOTFINITE);
	down();
}
END_TEST

START_TEST(test_grasp_checks)
{
	struct dx_hand_target t;
	char why[160];

	up();
	ck_assert_int_eq(dx_bridge_check_grasp_command(br, DX_GRASP_PINCH, 3.0,
						       &t, why, sizeof(why)), 0);
	ck_assert_int_eq(t.kind, DX_TARGET_GRASP);
	ck_assert_int_eq(t.grasp, DX_GRASP_PINCH);
	dx_ck_near(t.force, 3.0, 0.0);
	ck_assert_int_eq(dx_bridge_check_grasp_command(br, 4, 1.0, &t, why,
						       sizeof(why)), DX_EINVAL);
	ck_assert_int_eq(dx_bridge_check_grasp_command(br, 1, NAN, &t, why,
						       sizeof(why)), DX_ENOTFINITE);
	ck_assert_int_eq(dx_bridge_check_grasp_command(br, 1, -0.5, &t, why,
						       sizeof(why)), DX_ERANGE);
	/* default limit 20 N */
	ck_assert_int_eq(dx_bridge_check_grasp_command(br, 1, 20.5, &t, why,
						       sizeof(why)), DX_ERANGE);
	down();
}
END_TEST

START_TEST(test_names_and_namespace)
{
	struct dx_bridge_config bc = {0};
	struct dx_bridge *b2;

	up();
	ck_assert_str_eq(dx_bridge_topic_name(br, DX_BRIDGE_JOINT_STATES),
			 "rt/left_hand/joint_states");
	ck_assert_str_eq(dx_bridge_topic_name(br, DX_BRIDGE_DIAGNOSTICS),
			 "rt/diagnostics");
	ck_assert_str_eq(dx_bridge_topic_name(br, DX_BRIDGE_JOINT_COMMAND),
			 "rt/left_hand/joint_command");
	ck_assert_str_eq(dx_bridge_topic_name(br, DX_BRIDGE_GRASP_COMMAND),
			 "rt/left_hand/grasp_command");
	ck_assert_str_eq(dx_bridge_topic_name(br, DX_BRIDGE_JOINT_TRAJECTORY),
			 "rt/left_hand/joint_trajectory");
	ck_assert_ptr_null(dx_bridge_topic_name(br, (enum dx_bridge_topic)0x40));
	/* malformed namespaces are refused before DDS is touched */
	bc.ns = "/left";
	ck_assert_int_eq(dx_bridge_create(&b2, hand, cfg, &bc), DX_EINVAL);
	ck_assert_ptr_null(b2);
	bc.ns = "left//hand";
	ck_assert_int_eq(dx_bridge_create(&b2, hand, cfg, &bc), DX_EINVAL);
	bc.ns = "left-hand";
	ck_assert_int_eq(dx_bridge_create(&b2, hand, cfg, &bc), DX_EINVAL);
	bc.ns = "2hand";
	ck_assert_int_eq(dx_bridge_create(&b2, hand, cfg, &bc), DX_EINVAL);
	bc.ns = NULL;
	bc.topics = 0x100;
	ck_assert_int_eq(dx_bridge_create(&b2, hand, cfg, &bc), DX_EINVAL);
	/* no namespace: ROS 2's global names */
	bc.topics = DX_BRIDGE_JOINT_STATES;
	bc.domain = 1;
	ck_assert_int_eq(dx_bridge_create(&b2, hand, cfg, &bc), 0);
	ck_assert_str_eq(dx_bridge_topic_name(b2, DX_BRIDGE_JOINT_STATES),
			 "rt/joint_states");
	/* polling while the thread runs is refused */
	ck_assert_int_eq(dx_bridge_start(b2), 0);
	ck_assert_int_eq(dx_bridge_start(b2), DX_ESTATE);
	ck_assert_int_eq(dx_bridge_poll(b2, 0), DX_ESTATE);
	dx_bridge_stop(b2);
	ck_assert_int_eq(dx_bridge_poll(b2, 0), 0);
	dx_bridge_free(b2);
	down();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bridge");
	TCase *tc = tcase_create("bridge");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_type_names);
	tcase_add_test(tc, test_joint_state_wire);
	tcase_add_test(tc, test_diagnostic_wire);
	tcase_add_test(tc, test_trajectory_wire);
	tcase_add_test(tc, test_joint_command_checks);
	tcase_add_test(tc, test_grasp_checks);
	tcase_add_test(tc, test_names_and_namespace);
	suite_add_tcase(s, tc);
	return dx_test_run(s);
}
