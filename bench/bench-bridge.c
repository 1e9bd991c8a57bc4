/* SPDX-License-Identifier: MIT */
/* DDS publish-to-receive latency of joint states between two processes:
 * a publisher writes sensor_msgs/JointState (16 joints, the bridge's QoS:
 * reliable, keep last 10, XCDR1) at 1 kHz on absolute deadlines; a forked
 * subscriber process takes each sample on a waitset and records
 * receive time - source timestamp (both CLOCK_REALTIME via dds_time() on
 * this one host). Also the cost of one dds_write() on the publishing
 * thread, and the bridge's own cost per control cycle: the 16-joint hand
 * (examples/hand16.yaml, no transport) runs its update once per iteration,
 * which pushes one telemetry sample, and the thread CPU time of one
 * dx_bridge_poll() (drain, decimate to 100 Hz, publish to a subscriber
 * process) is recorded. The real-time thread's added cost is nil by
 * construction: it only pushes to its telemetry ring, bridge or not.
 * Cyclone runs on loopback only (multicast off, lo, peer 127.0.0.1) unless
 * CYCLONEDDS_URI is already set.
 *
 *   bench-bridge [--quick] [--json PATH]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dds/dds.h>

#include <dexrt/bridge.h>
#include <dexrt/core.h>
#include <dexrt/hand.h>
#include <dexrt/rt.h>

#include "bench.h"
#include "bench-urdf.h"
#include "sensor_msgs.h"

#define NJ 16

static const char loopback_uri[] =
	"<CycloneDDS><Domain Id=\"any\"><General><Interfaces>"
	"<NetworkInterface name=\"lo\"/></Interfaces>"
	"<AllowMulticast>false</AllowMulticast></General><Discovery>"
	"<ParticipantIndex>auto</ParticipantIndex><Peers>"
	"<Peer Address=\"127.0.0.1\"/></Peers></Discovery></Domain></CycloneDDS>";

static dds_qos_t *bridge_qos(void)
{
	dds_qos_t *q = dds_create_qos();
	dds_data_representation_id_t x1 = DDS_DATA_REPRESENTATION_XCDR1;

	dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
	dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 10);
	dds_qset_data_representation(q, 1, &x1);
	return q;
}

struct result {
	struct dx_hist lat;
	uint64_t received;
};

static int subscriber(int domain, const char *topic, uint64_t n, int fd)
{
	struct result r;
	dds_entity_t pp, tp, rd, ws;
	dds_qos_t *q = bridge_qos();
	dds_time_t end;

	memset(&r, 0, sizeof(r));
	dx_hist_reset(&r.lat);
	pp = dds_create_participant(domain, NULL, NULL);
	tp = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, topic,
			      NULL, NULL);
	rd = dds_create_reader(pp, tp, q, NULL);
	dds_delete_qos(q);
	ws = dds_create_waitset(pp);
	dds_waitset_attach(ws, dds_create_readcondition(rd, DDS_ANY_STATE), 0);
	/* bounded: n samples at up to 12 ms each (the cost part publishes at
	 * about 100 Hz), plus discovery */
	end = dds_time() + DDS_SECS(15) + (dds_time_t)n * DDS_MSECS(12);
	while (r.received < n && dds_time() < end) {
		void *smp[16] = {NULL};
		dds_sample_info_t info[16];
		int k;

		dds_waitset_wait(ws, NULL, 0, DDS_MSECS(100));
		k = dds_take(rd, smp, info, 16, 16);
		for (int i = 0; i < k; i++) {
			if (!info[i].valid_data)
				continue;
			dx_hist_add(&r.lat, dds_time() - info[i].source_timestamp);
			r.received++;
		}
		if (k > 0)
			dds_return_loan(rd, smp, k);
	}
	dds_delete(pp);
	return write(fd, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1;
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * DX_NS_PER_S + ts.tv_nsec;
}

/* The bridge's CPU time per control cycle, with a subscriber process;
 * with @p wrenches also the four fingertip wrench topics at the joint
 * states' rate. */
static void bridge_cost(const struct dxb *b, int domain, uint64_t n,
			bool wrenches)
{
	struct dx_hand_config *cfg = NULL;
	struct dx_hand_config_error e;
	struct dx_hand_opts o = {.no_transport = true};
	struct dx_hand *h = NULL;
	struct dx_bridge *br = NULL;
	struct dx_bridge_config bc = {.joint_state_div = 10};
	struct dx_bridge_stats st;
	struct dx_hist cost;
	struct result r;
	char urdf[512], path[600], ns[32], topic[64], extra[128];
	int fds[2];
	pid_t child;

	if (dxb_urdf_dir(urdf, sizeof(urdf)) != 0) {
		printf("# examples/urdf not found (DX_EXAMPLES_DIR): no bridge cost\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/../hand16.yaml", urdf);
	if (dx_hand_config_load(path, &cfg, &e) != 0 ||
	    dx_hand_init(&h, cfg, &o, &e) != 0) {
		printf("# %s\n", e.msg);
		dx_hand_config_free(cfg);
		return;
	}
	snprintf(ns, sizeof(ns), "bcost_%d", (int)getpid());
	snprintf(topic, sizeof(topic), "rt/%s/joint_states", ns);
	bc.ns = ns;
	bc.domain = (uint32_t)domain;
	bc.topics = DX_BRIDGE_JOINT_STATES | DX_BRIDGE_DIAGNOSTICS |
		    (wrenches ? DX_BRIDGE_WRENCHES : 0u);
	if (pipe(fds) != 0)
		goto out;
	/* fork before DDS starts its threads in this process */
	child = fork();
	if (child == 0) {
		close(fds[0]);
		_exit(subscriber(domain, topic, n / 10, fds[1]));
	}
	close(fds[1]);
	if (dx_bridge_create(&br, h, cfg, &bc) != 0) {
		printf("# bridge setup failed\n");
		if (child > 0) {
			kill(child, SIGTERM);
			waitpid(child, NULL, 0);
		}
		close(fds[0]);
		goto out;
	}
	dds_sleepfor(DDS_MSECS(1500)); /* discovery */
	dx_hist_reset(&cost);
	for (uint64_t k = 0; k < n; k++) {
		int64_t t0;

		dx_hand_update(h, dx_time_now_ns());
		t0 = thread_cpu_ns();
		dx_bridge_poll(br, 0);
		dx_hist_add(&cost, thread_cpu_ns() - t0);
		if (k % 10 == 9)
			dds_sleepfor(DDS_MSECS(10)); /* 1 kHz on average */
	}
	dx_bridge_get_stats(br, &st);
	memset(&r, 0, sizeof(r));
	if (child > 0) {
		if (read(fds[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
			printf("# no result from the subscriber\n");
		waitpid(child, NULL, 0);
	}
	close(fds[0]);
	snprintf(extra, sizeof(extra),
		 "\"joints\":16,\"decimation\":10,\"published\":%llu,"
		 "\"received\":%llu,\"wrenches\":%llu",
		 (unsigned long long)st.joint_states,
		 (unsigned long long)r.received,
		 (unsigned long long)st.wrenches);
	dxb_report(b, wrenches ? "bridge-cpu-per-cycle-with-wrenches"
			       : "bridge-cpu-per-cycle", &cost, extra);
	dxb_report_value(b, "bridge-joint-states-received",
			 st.joint_states ? (double)r.received / (double)st.joint_states
					 : 0.0,
			 "ratio", extra);
out:
	dx_bridge_free(br);
	dx_hand_free(h);
	dx_hand_config_free(cfg);
}

int main(int argc, char **argv)
{
	struct dxb b;
	struct result r;
	struct dx_hist wcost;
	struct dx_rt_loop loop;
	struct dx_rt_loop_config lc = {.period_ns = DX_NS_PER_MS};
	sensor_msgs_msg_dds__JointState_ m;
	char names_buf[NJ][8], *names[NJ], topic[64], extra[96];
	double pos[NJ], vel[NJ], eff[NJ];
	dds_entity_t pp, tp, wr;
	dds_qos_t *q;
	uint64_t n;
	int domain, fds[2], st = 0;
	pid_t child;

	dxb_init(&b, argc, argv);
	n = b.quick ? 1000 : 20000;
	if (!getenv("CYCLONEDDS_URI"))
		setenv("CYCLONEDDS_URI", loopback_uri, 1);
	domain = (int)(getpid() % 200) + 10;
	snprintf(topic, sizeof(topic), "rt/bench_%d/joint_states", (int)getpid());
	if (pipe(fds) != 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(fds[0]);
		_exit(subscriber(domain, topic, n, fds[1]));
	}
	close(fds[1]);

	pp = dds_create_participant(domain, NULL, NULL);
	tp = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, topic,
			      NULL, NULL);
	q = bridge_qos();
	wr = dds_create_writer(pp, tp, q, NULL);
	dds_delete_qos(q);
	if (pp < 0 || tp < 0 || wr < 0) {
		fprintf(stderr, "bench-bridge: DDS setup failed\n");
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		return 1;
	}
	for (int i = 0; i < 1000; i++) {
		dds_publication_matched_status_t s;

		dds_get_publication_matched_status(wr, &s);
		if (s.current_count > 0)
			break;
		dds_sleepfor(DDS_MSECS(10));
	}
	/* let the reader's side finish matching too */
	dds_sleepfor(DDS_MSECS(200));

	memset(&m, 0, sizeof(m));
	for (int j = 0; j < NJ; j++) {
		snprintf(names_buf[j], sizeof(names_buf[j]), "j%d", j);
		names[j] = names_buf[j];
		pos[j] = vel[j] = eff[j] = 0.01 * j;
	}
	m.header.frame_id = "palm";
	m.name._buffer = names;
	m.position._buffer = pos;
	m.velocity._buffer = vel;
	m.effort._buffer = eff;
	m.name._length = m.position._length = m.velocity._length =
		m.effort._length = NJ;
	m.name._maximum = m.position._maximum = m.velocity._maximum =
		m.effort._maximum = NJ;
	dx_hist_reset(&wcost);
	dx_rt_loop_init(&loop, &lc);
	for (uint64_t k = 0; k < n; k++) {
		dds_time_t now;
		int64_t t0;

		dx_rt_loop_wait(&loop);
		now = dds_time();
		m.header.stamp.sec = (int32_t)(now / DDS_NSECS_IN_SEC);
		m.header.stamp.nanosec = (uint32_t)(now % DDS_NSECS_IN_SEC);
		pos[0] = (double)k;
		t0 = dxb_now();
		dds_write(wr, &m);
		dx_hist_add(&wcost, dxb_now() - t0);
	}
	dds_wait_for_acks(wr, DDS_SECS(2));
	memset(&r, 0, sizeof(r));
	if (read(fds[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		fprintf(stderr, "bench-bridge: no result from the subscriber\n");
	waitpid(child, &st, 0);
	dds_delete(pp);
	/* Cyclone down completely before the next part forks */
	dds_delete(DDS_CYCLONEDDS_HANDLE);

	dxb_header(&b);
	snprintf(extra, sizeof(extra),
		 "\"joints\":%d,\"rate_hz\":1000,\"sent\":%llu,\"received\":%llu",
		 NJ, (unsigned long long)n, (unsigned long long)r.received);
	dxb_report(&b, "dds-joint-states-pub-to-recv", &r.lat, extra);
	dxb_report(&b, "dds-write-joint-states", &wcost, extra);
	dxb_report_value(&b, "dds-joint-states-received",
			 n ? (double)r.received / (double)n : 0.0, "ratio",
			 extra);
	bridge_cost(&b, domain, b.quick ? 2000 : 20000, false);
	bridge_cost(&b, domain, b.quick ? 2000 : 20000, true);
	return 0;
}
