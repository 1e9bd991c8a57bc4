/* SPDX-License-Identifier: MIT */
/* The publisher process of the bridge test: a plain Cyclone DDS program
 * using only the generated ROS 2 types. Waits until the bridge's command
 * readers match, sends malformed and out-of-limit commands (each must be
 * rejected), one good joint command (j0 = A0, j1 = A1), three bad joint
 * trajectories (each with a good first point: none may reach the hand) and
 * a good one through the midpoint at 1.0 s to (Q0, Q1) at 1.5 s, and waits
 * for every message to be acknowledged.
 *
 *   bridge-pub NS DOMAIN A0 A1 Q0 Q1
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>

#include "dexrt_msgs.h"
#include "sensor_msgs.h"
#include "trajectory_msgs.h"

static int send_js(dds_entity_t w, const char **names, unsigned nn,
		   double *pos, unsigned np)
{
	sensor_msgs_msg_dds__JointState_ m = {0};

	m.header.frame_id = "";
	m.name._buffer = (char **)names;
	m.name._length = m.name._maximum = nn;
	m.position._buffer = pos;
	m.position._length = m.position._maximum = np;
	return dds_write(w, &m);
}

static int send_grasp(dds_entity_t w, unsigned char g, double f)
{
	dexrt_msg_dds__GraspCommand_ m = {0};

	m.header.frame_id = "";
	m.grasp = g;
	m.force = f;
	return dds_write(w, &m);
}

/* Two points for j0, j1: p[0..1] at t0 s, p[2..3] at t1 s; @p n1 is the
 * second point's position count. */
static int send_traj(dds_entity_t w, double *p, double t0, double t1,
		     unsigned n1)
{
	char *names[] = {"j0", "j1"};
	trajectory_msgs_msg_dds__JointTrajectoryPoint_ pt[2];
	trajectory_msgs_msg_dds__JointTrajectory_ m;
	double at[2] = {t0, t1};

	memset(&m, 0, sizeof(m));
	memset(pt, 0, sizeof(pt));
	m.header.frame_id = "";
	m.joint_names._buffer = names;
	m.joint_names._length = m.joint_names._maximum = 2;
	for (int k = 0; k < 2; k++) {
		pt[k].positions._buffer = &p[2 * k];
		pt[k].positions._length = pt[k].positions._maximum =
			k == 1 ? n1 : 2;
		pt[k].time_from_start.sec = (int32_t)at[k];
		pt[k].time_from_start.nanosec =
			(uint32_t)((at[k] - floor(at[k])) * 1e9 + 0.5);
	}
	m.points._buffer = pt;
	m.points._length = m.points._maximum = 2;
	return dds_write(w, &m);
}

static bool matched(dds_entity_t w)
{
	dds_publication_matched_status_t s;

	return dds_get_publication_matched_status(w, &s) == 0 &&
	       s.current_count > 0;
}

int main(int argc, char **argv)
{
	dds_entity_t pp, tc, tg, tt, wc, wg, wt;
	dds_qos_t *q;
	char topic[160];
	const char *unknown[] = {"j0", "jx"}, *both[] = {"j0", "j1"};
	const char *j1[] = {"j1"}, *twice[] = {"j0", "j0"};
	double p[2], tp[4], a0, a1, q0, q1;
	int rc = 0;

	if (argc != 7) {
		fprintf(stderr, "usage: bridge-pub NS DOMAIN A0 A1 Q0 Q1\n");
		return 2;
	}
	a0 = atof(argv[3]);
	a1 = atof(argv[4]);
	q0 = atof(argv[5]);
	q1 = atof(argv[6]);
	pp = dds_create_participant((dds_domainid_t)atoi(argv[2]), NULL, NULL);
	if (pp < 0) {
		fprintf(stderr, "bridge-pub: participant: %s\n", dds_strretcode(pp));
		return 1;
	}
	snprintf(topic, sizeof(topic), "rt/%s/joint_command", argv[1]);
	tc = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, topic,
			      NULL, NULL);
	snprintf(topic, sizeof(topic), "rt/%s/grasp_command", argv[1]);
	tg = dds_create_topic(pp, &dexrt_msg_dds__GraspCommand__desc, topic,
			      NULL, NULL);
	snprintf(topic, sizeof(topic), "rt/%s/joint_trajectory", argv[1]);
	tt = dds_create_topic(pp, &trajectory_msgs_msg_dds__JointTrajectory__desc,
			      topic, NULL, NULL);
	/* ROS 2's default profile: reliable, keep last 10 */
	q = dds_create_qos();
	dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
	dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 10);
	wc = dds_create_writer(pp, tc, q, NULL);
	wg = dds_create_writer(pp, tg, q, NULL);
	wt = dds_create_writer(pp, tt, q, NULL);
	dds_delete_qos(q);
	for (int i = 0; i < 1000 && !(matched(wc) && matched(wg) && matched(wt)); i++)
		dds_sleepfor(DDS_MSECS(10));
	if (!matched(wc) || !matched(wg) || !matched(wt)) {
		fprintf(stderr, "bridge-pub: the bridge's readers never matched\n");
		dds_delete(pp);
		return 1;
	}
	p[0] = 0.1, p[1] = 0.1;
	rc |= send_js(wc, unknown, 2, p, 2);       /* unknown joint */
	p[0] = NAN;
	rc |= send_js(wc, both, 2, p, 2);          /* NaN */
	p[0] = 0.1;
	rc |= send_js(wc, both, 2, p, 1);          /* lengths disagree */
	p[0] = 2.5;
	rc |= send_js(wc, j1, 1, p, 1);            /* beyond j1's 1.6 rad */
	p[0] = 0.1;
	rc |= send_js(wc, twice, 2, p, 2);         /* repeated name */
	rc |= send_grasp(wg, 9, 1.0);              /* unknown grasp */
	rc |= send_grasp(wg, 1, NAN);              /* non-finite force */
	p[0] = a0;
	p[1] = a1;
	rc |= send_js(wc, both, 2, p, 2);          /* the good one */
	tp[0] = (a0 + q0) / 2;
	tp[1] = (a1 + q1) / 2;
	tp[2] = q0;
	tp[3] = q1;
	rc |= send_traj(wt, tp, 1.0, 1.5, 1);      /* second point short */
	rc |= send_traj(wt, tp, 1.0, 1.0, 2);      /* time does not increase */
	tp[3] = 1.7;
	rc |= send_traj(wt, tp, 1.0, 1.5, 2);      /* j1 beyond 1.6 rad */
	tp[3] = q1;
	rc |= send_traj(wt, tp, 1.0, 1.5, 2);      /* the good one */
	if (rc == 0)
		rc = dds_wait_for_acks(wc, DDS_SECS(5)) |
		     dds_wait_for_acks(wg, DDS_SECS(5)) |
		     dds_wait_for_acks(wt, DDS_SECS(5));
	printf("bridge-pub: sent 10 bad commands, 1 good joint command and "
	       "1 good trajectory (%s)\n",
	       rc == 0 ? "acknowledged" : dds_strretcode(rc));
	dds_delete(pp);
	return rc == 0 ? 0 : 1;
}
