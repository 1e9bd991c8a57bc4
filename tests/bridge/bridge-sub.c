/* SPDX-License-Identifier: MIT */
/* The subscriber process of the bridge test: a plain Cyclone DDS program
 * using only the generated ROS 2 types. Reads rt/NS/joint_states (with
 * ROS 2's sensor-data QoS: best effort, keep last 5) and rt/diagnostics,
 * writes READY_FILE once both readers have matched a writer, and exits 0
 * when it has seen: joint states naming j0 and j1 with lengths that agree,
 * the hand at (A0, A1) and after that at (Q0, Q1) (within TOL rad), NREJ
 * command rejections (level ERROR) and a bridge status (level OK).
 *
 *   bridge-sub NS DOMAIN TIMEOUT_S READY_FILE A0 A1 Q0 Q1 TOL NREJ
 *
 * With --fault instead: waits for a fault diagnostic of a joint (name
 * NS/joint/..., level ERROR) and exits 0 when one arrives.
 *
 *   bridge-sub --fault NS DOMAIN TIMEOUT_S READY_FILE
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>

#include "diagnostic_msgs.h"
#include "sensor_msgs.h"

#define MAXS 16

static int wait_fault(char **argv)
{
	dds_entity_t pp, tp, rd;
	dds_qos_t *q = dds_create_qos();
	dds_time_t end = dds_time() + DDS_SECS(atoi(argv[3]));
	char prefix[160];
	bool ready = false;

	pp = dds_create_participant((dds_domainid_t)atoi(argv[2]), NULL, NULL);
	tp = dds_create_topic(pp, &diagnostic_msgs_msg_dds__DiagnosticArray__desc,
			      "rt/diagnostics", NULL, NULL);
	dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
	dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
	rd = dds_create_reader(pp, tp, q, NULL);
	dds_delete_qos(q);
	if (pp < 0 || rd < 0)
		return 1;
	snprintf(prefix, sizeof(prefix), "%s/joint/", argv[1]);
	while (dds_time() < end) {
		void *smp[MAXS] = {NULL};
		dds_sample_info_t info[MAXS];
		int n;

		if (!ready) {
			dds_subscription_matched_status_t a;

			dds_get_subscription_matched_status(rd, &a);
			if (a.current_count > 0) {
				FILE *f = fopen(argv[4], "w");

				if (f)
					fclose(f);
				ready = true;
			}
		}
		dds_sleepfor(DDS_MSECS(20));
		n = dds_take(rd, smp, info, MAXS, MAXS);
		for (int i = 0; i < n; i++) {
			const diagnostic_msgs_msg_dds__DiagnosticArray_ *m = smp[i];

			for (uint32_t k = 0; info[i].valid_data && k < m->status._length; k++) {
				const diagnostic_msgs_msg_dds__DiagnosticStatus_ *s =
					&m->status._buffer[k];

				if (strncmp(s->name, prefix, strlen(prefix)) == 0 &&
				    s->level == diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_ERROR) {
					printf("bridge-sub: fault: %s: %s (%u values)\n",
					       s->name, s->message, s->values._length);
					dds_return_loan(rd, smp, n);
					dds_delete(pp);
					return 0;
				}
			}
		}
		if (n > 0)
			dds_return_loan(rd, smp, n);
	}
	printf("bridge-sub: no joint fault diagnostic\n");
	dds_delete(pp);
	return 1;
}

int main(int argc, char **argv)
{
	dds_entity_t pp, tjs, tdg, rjs, rdg, ws;
	dds_qos_t *q;
	char topic[160], cmd_name[160], st_name[160];
	double a0, a1, q0, q1, tol, last[2] = {NAN, NAN};
	unsigned nrej, rejects = 0, js = 0, bad_js = 0, status = 0;
	bool ready = false, at_a = false, followed = false;
	dds_time_t end;

	if (argc == 6 && strcmp(argv[1], "--fault") == 0)
		return wait_fault(argv + 1);
	if (argc != 11) {
		fprintf(stderr, "usage: bridge-sub NS DOMAIN TIMEOUT_S READY_FILE A0 A1 Q0 Q1 TOL NREJ\n");
		return 2;
	}
	a0 = atof(argv[5]);
	a1 = atof(argv[6]);
	q0 = atof(argv[7]);
	q1 = atof(argv[8]);
	tol = atof(argv[9]);
	nrej = (unsigned)atoi(argv[10]);
	pp = dds_create_participant((dds_domainid_t)atoi(argv[2]), NULL, NULL);
	if (pp < 0) {
		fprintf(stderr, "bridge-sub: participant: %s\n", dds_strretcode(pp));
		return 1;
	}
	snprintf(topic, sizeof(topic), "rt/%s/joint_states", argv[1]);
	snprintf(cmd_name, sizeof(cmd_name), "%s/bridge/command", argv[1]);
	snprintf(st_name, sizeof(st_name), "%s/bridge", argv[1]);
	tjs = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, topic,
			       NULL, NULL);
	tdg = dds_create_topic(pp, &diagnostic_msgs_msg_dds__DiagnosticArray__desc,
			       "rt/diagnostics", NULL, NULL);
	q = dds_create_qos();
	/* rmw_qos_profile_sensor_data: best effort, keep last 5 */
	dds_qset_reliability(q, DDS_RELIABILITY_BEST_EFFORT, 0);
	dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 5);
	rjs = dds_create_reader(pp, tjs, q, NULL);
	/* keep every diagnostic so no rejection is overwritten before we look */
	dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
	dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
	rdg = dds_create_reader(pp, tdg, q, NULL);
	dds_delete_qos(q);
	if (rjs < 0 || rdg < 0) {
		fprintf(stderr, "bridge-sub: readers failed\n");
		return 1;
	}
	ws = dds_create_waitset(pp);
	dds_waitset_attach(ws, dds_create_readcondition(rjs, DDS_ANY_STATE), 0);
	dds_waitset_attach(ws, dds_create_readcondition(rdg, DDS_ANY_STATE), 0);
	end = dds_time() + DDS_SECS(atoi(argv[3]));

	while (dds_time() < end) {
		void *smp[MAXS] = {NULL};
		dds_sample_info_t info[MAXS];
		int n;

		dds_waitset_wait(ws, NULL, 0, DDS_MSECS(20));
		if (!ready) {
			dds_subscription_matched_status_t a, b;

			dds_get_subscription_matched_status(rjs, &a);
			dds_get_subscription_matched_status(rdg, &b);
			if (a.current_count > 0 && b.current_count > 0) {
				FILE *f = fopen(argv[4], "w");

				if (f)
					fclose(f);
				ready = true;
				printf("bridge-sub: matched\n");
				fflush(stdout);
			}
		}
		n = dds_take(rjs, smp, info, MAXS, MAXS);
		for (int i = 0; i < n; i++) {
			const sensor_msgs_msg_dds__JointState_ *m = smp[i];

			if (!info[i].valid_data)
				continue;
			js++;
			if (m->name._length != 2 || m->position._length != 2 ||
			    m->velocity._length != 2 || m->effort._length != 2 ||
			    strcmp(m->name._buffer[0], "j0") != 0 ||
			    strcmp(m->name._buffer[1], "j1") != 0 ||
			    strcmp(m->header.frame_id, "palm") != 0 ||
			    m->header.stamp.sec == 0) {
				bad_js++;
				continue;
			}
			last[0] = m->position._buffer[0];
			last[1] = m->position._buffer[1];
			if (fabs(last[0] - a0) <= tol && fabs(last[1] - a1) <= tol)
				at_a = true;
			else if (at_a && fabs(last[0] - q0) <= tol &&
				 fabs(last[1] - q1) <= tol)
				followed = true;
		}
		if (n > 0)
			dds_return_loan(rjs, smp, n);
		n = dds_take(rdg, smp, info, MAXS, MAXS);
		for (int i = 0; i < n; i++) {
			const diagnostic_msgs_msg_dds__DiagnosticArray_ *m = smp[i];

			if (!info[i].valid_data)
				continue;
			for (uint32_t k = 0; k < m->status._length; k++) {
				const diagnostic_msgs_msg_dds__DiagnosticStatus_ *s =
					&m->status._buffer[k];

				if (strcmp(s->name, cmd_name) == 0 &&
				    s->level == diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_ERROR) {
					rejects++;
					printf("bridge-sub: rejected: %s\n", s->message);
				} else if (strcmp(s->name, st_name) == 0 &&
					   s->level == diagnostic_msgs_msg_dds__DiagnosticStatus_Constants_OK) {
					status++;
				}
			}
		}
		if (n > 0)
			dds_return_loan(rdg, smp, n);
		if (js >= 20 && bad_js == 0 && followed && rejects >= nrej &&
		    status > 0)
			break;
	}
	printf("bridge-sub: joint_states=%u malformed=%u last=[%.4f, %.4f] "
	       "reached_command=%d followed_trajectory=%d rejects=%u status=%u\n",
	       js, bad_js, last[0], last[1], at_a, followed, rejects, status);
	dds_delete(pp);
	return js >= 20 && bad_js == 0 && followed && rejects == nrej &&
			       status > 0
		       ? 0
		       : 1;
}
