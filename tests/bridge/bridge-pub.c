/* SPDX-License-Identifier: MIT */
/* The publisher process of the bridge test: a plain Cyclone DDS program
 * using only the generated ROS 2 types. Waits until the bridge's command
 * readers match, sends malformed and out-of-limit commands (each must be
 * rejected), then one good joint command (j0 = Q0, j1 = Q1), and waits for
 * every message to be acknowledged.
 *
 *   bridge-pub NS DOMAIN Q0 Q1
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dds/dds.h>

#include "dexrt_msgs.h"
#include "sensor_msgs.h"

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

static bool matched(dds_entity_t w)
{
	dds_publication_matched_status_t s;

	return dds_get_publication_matched_status(w, &s) == 0 &&
	       s.current_count > 0;
}

int main(int argc, char **argv)
{
	dds_entity_t pp, tc, tg, wc, wg;
	dds_qos_t *q;
	char topic[160];
	const char *unknown[] = {"j0", "jx"}, *both[] = {"j0", "j1"};
	const char *j1[] = {"j1"}, *twice[] = {"j0", "j0"};
	double p[2];
	int rc = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: bridge-pub NS DOMAIN Q0 Q1\n");
		return 2;
	}
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
	/* ROS 2's default profile: reliable, keep last 10 */
	q = dds_create_qos();
	dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
	dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 10);
	wc = dds_create_writer(pp, tc, q, NULL);
	wg = dds_create_writer(pp, tg, q, NULL);
	dds_delete_qos(q);
	for (int i = 0; i < 1000 && !(matched(wc) && matched(wg)); i++)
		dds_sleepfor(DDS_MSECS(10));
	if (!matched(wc) || !matched(wg)) {
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
	p[0] = atof(argv[3]);
	p[1] = atof(argv[4]);
	rc |= send_js(wc, both, 2, p, 2);          /* the good one */
	if (rc == 0)
		rc = dds_wait_for_acks(wc, DDS_SECS(5)) | dds_wait_for_acks(wg, DDS_SECS(5));
	printf("bridge-pub: sent 7 bad commands and 1 good (%s)\n",
	       rc == 0 ? "acknowledged" : dds_strretcode(rc));
	dds_delete(pp);
	return rc == 0 ? 0 : 1;
}
