/* SPDX-License-Identifier: MIT */
/* The wrench side of the bridge test, a plain Cyclone DDS program using only
 * the generated ROS 2 types.
 *
 *   bridge-wrench NS TIP DOMAIN SECONDS OUT
 * subscribes to rt/NS/TIP/wrench (reliable, keep all) for SECONDS and
 * writes every sample received to OUT, one line each:
 *   STAMP_NS FX FY FZ TX TY TZ FRAME_ID
 *
 *   bridge-wrench --compare RECEIVED TAP FRAME_ID MIN_SAMPLES
 * checks the samples received against those the controller process saw in
 * its telemetry (TAP, written by bridge-hand: STAMP_NS and the six values
 * of each sample the bridge published): every received sample must be one
 * of the hand's, with its values (float, so exactly) and a stamp within
 * 2 ms; at least MIN_SAMPLES arrive, some with a force; the frame is
 * FRAME_ID; and the moment is perpendicular to the force (it is c × f). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>

#include "geometry_msgs.h"

#define MAXS 32
#define MAXREC 20000

struct rec {
	long long t;
	double w[6];
};

static int load(const char *path, struct rec *r, int max, char *frame,
		size_t flen)
{
	FILE *f = fopen(path, "r");
	char fr[128];
	int n = 0;

	if (!f)
		return -1;
	while (n < max) {
		int k = fscanf(f, "%lld %lf %lf %lf %lf %lf %lf", &r[n].t,
			       &r[n].w[0], &r[n].w[1], &r[n].w[2], &r[n].w[3],
			       &r[n].w[4], &r[n].w[5]);
		if (k != 7)
			break;
		if (frame) {
			if (fscanf(f, "%127s", fr) != 1)
				break;
			if (n == 0)
				snprintf(frame, flen, "%s", fr);
			else if (strcmp(frame, fr) != 0)
				snprintf(frame, flen, "(mixed)");
		}
		n++;
	}
	fclose(f);
	return n;
}

static int compare(char **argv)
{
	static struct rec got[MAXREC], tap[MAXREC];
	char frame[128] = "";
	int ng = load(argv[0], got, MAXREC, frame, sizeof(frame));
	int nt = load(argv[1], tap, MAXREC, NULL, 0);
	int min = atoi(argv[3]), matched = 0, forced = 0, skew = 0;
	double worst_dot = 0, max_f = 0;

	if (ng < 0 || nt < 0) {
		printf("bridge-wrench: cannot read %s or %s\n", argv[0], argv[1]);
		return 1;
	}
	for (int i = 0; i < ng; i++) {
		const double *w = got[i].w;
		double f = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
		double m = sqrt(w[3] * w[3] + w[4] * w[4] + w[5] * w[5]);
		long long best = -1;
		bool found = false;

		/* a held finger repeats its values: take the closest stamp */
		for (int k = 0; k < nt; k++) {
			long long d = llabs(tap[k].t - got[i].t);

			if (memcmp(tap[k].w, w, sizeof(tap[k].w)) != 0)
				continue;
			found = true;
			if (best < 0 || d < best)
				best = d;
		}
		if (found && best > 2000000)
			skew++;
		matched += found;
		if (f > 1e-3)
			forced++;
		if (f > max_f)
			max_f = f;
		/* (c × f) · f = 0: relative to |f||m|, float rounding only */
		if (f > 0 && m > 0) {
			double d = fabs(w[0] * w[3] + w[1] * w[4] + w[2] * w[5]) /
				   (f * m);
			if (d > worst_dot)
				worst_dot = d;
		}
	}
	printf("bridge-wrench: received %d, tap %d, matched %d (stamp off by "
	       "> 2 ms: %d), with force %d (max %.4f N), frame '%s', worst "
	       "|f.m|/(|f||m|) %.2e\n",
	       ng, nt, matched, skew, forced, max_f, frame, worst_dot);
	return ng >= min && matched == ng && skew == 0 && forced >= min / 4 &&
			       strcmp(frame, argv[2]) == 0 && worst_dot < 1e-5
		       ? 0
		       : 1;
}

int main(int argc, char **argv)
{
	dds_entity_t pp, tp, rd;
	dds_qos_t *q;
	char topic[256];
	dds_time_t end;
	FILE *out;
	int n_rx = 0;

	if (argc == 6 && strcmp(argv[1], "--compare") == 0)
		return compare(argv + 2);
	if (argc != 6) {
		fprintf(stderr, "usage: bridge-wrench NS TIP DOMAIN SECONDS OUT\n"
				"       bridge-wrench --compare RECEIVED TAP FRAME_ID MIN\n");
		return 2;
	}
	snprintf(topic, sizeof(topic), "rt/%s/%s/wrench", argv[1], argv[2]);
	pp = dds_create_participant((dds_domainid_t)atoi(argv[3]), NULL, NULL);
	if (pp < 0)
		return 1;
	tp = dds_create_topic(pp, &geometry_msgs_msg_dds__WrenchStamped__desc,
			      topic, NULL, NULL);
	q = dds_create_qos();
	dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
	dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
	rd = dds_create_reader(pp, tp, q, NULL);
	dds_delete_qos(q);
	out = fopen(argv[5], "w");
	if (tp < 0 || rd < 0 || !out) {
		fprintf(stderr, "bridge-wrench: set-up failed\n");
		return 1;
	}
	end = dds_time() + DDS_SECS(atoi(argv[4]));
	while (dds_time() < end) {
		void *smp[MAXS] = {NULL};
		dds_sample_info_t info[MAXS];
		int n;

		dds_sleepfor(DDS_MSECS(10));
		n = dds_take(rd, smp, info, MAXS, MAXS);
		for (int i = 0; i < n; i++) {
			const geometry_msgs_msg_dds__WrenchStamped_ *m = smp[i];
			const geometry_msgs_msg_dds__Wrench_ *w = &m->wrench;

			if (!info[i].valid_data)
				continue;
			/* %.9g: a float's value survives the round trip */
			fprintf(out, "%lld %.9g %.9g %.9g %.9g %.9g %.9g %s\n",
				(long long)m->header.stamp.sec * 1000000000LL +
					m->header.stamp.nanosec,
				w->force.x, w->force.y, w->force.z, w->torque.x,
				w->torque.y, w->torque.z,
				m->header.frame_id[0] ? m->header.frame_id : "-");
			n_rx++;
		}
		if (n > 0)
			dds_return_loan(rd, smp, n);
	}
	fclose(out);
	printf("bridge-wrench: %d samples on %s\n", n_rx, topic);
	dds_delete(pp);
	return 0;
}
