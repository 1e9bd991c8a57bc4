/* SPDX-License-Identifier: MIT */
/* Two threads, one SPSC ring: a producer stamps messages with the monotonic
 * clock at a fixed period (absolute deadlines), the consumer measures how
 * long each took to cross and prints the latency histogram. This is the path
 * targets take into a hand's real-time cycle.
 *
 *   ring-latency [MESSAGES] [PERIOD_US]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <dexrt/dexrt.h>

struct msg {
	uint64_t seq;
	int64_t sent_ns;
};

struct shared {
	struct dx_ring ring;
	uint64_t n;
	int64_t period_ns;
	uint64_t refused; /* pushes refused because the ring was full */
};

static void *producer(void *arg)
{
	struct shared *s = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (uint64_t i = 0; i < s->n; i++) {
		struct msg m;

		dx_timespec_add_ns(&next, s->period_ns);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		m.seq = i;
		m.sent_ns = dx_time_now_ns();
		if (dx_ring_push(&s->ring, &m) != 0)
			s->refused++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct shared s = {.n = 20000, .period_ns = 100 * DX_NS_PER_US};
	static struct dx_hist h;
	struct dx_hist_summary sum;
	pthread_t th;
	uint64_t got = 0, expect = 0, out_of_order = 0;
	int err;

	if (argc > 1)
		s.n = strtoull(argv[1], NULL, 10);
	if (argc > 2)
		s.period_ns = strtoll(argv[2], NULL, 10) * DX_NS_PER_US;
	if (s.n == 0 || s.period_ns <= 0) {
		fprintf(stderr, "usage: ring-latency [MESSAGES>0] [PERIOD_US>0]\n");
		return 2;
	}
	err = dx_ring_init_alloc(&s.ring, 256, sizeof(struct msg));
	if (err) {
		fprintf(stderr, "ring: %s\n", dx_strerror(err));
		return 1;
	}
	dx_hist_reset(&h);
	printf("dexrt %s: %llu messages every %lld us through an SPSC ring\n",
	       dx_version(), (unsigned long long)s.n,
	       (long long)(s.period_ns / DX_NS_PER_US));
	pthread_create(&th, NULL, producer, &s);
	while (got + s.refused < s.n) {
		struct msg m;
		if (dx_ring_pop(&s.ring, &m) != 0)
			continue; /* busy-poll: the consumer is the "real-time" side */
		dx_hist_add(&h, dx_time_now_ns() - m.sent_ns);
		if (m.seq < expect)
			out_of_order++;
		expect = m.seq + 1;
		got++;
	}
	pthread_join(th, NULL);
	dx_hist_summarize(&h, &sum);
	printf("received %llu, refused %llu, out of order %llu\n",
	       (unsigned long long)got, (unsigned long long)s.refused,
	       (unsigned long long)out_of_order);
	printf("crossing latency ns: min %lld  median %lld  p99 %lld  p99.9 %lld  max %lld\n",
	       (long long)sum.min, (long long)sum.p50, (long long)sum.p99,
	       (long long)sum.p999, (long long)sum.max);
	dx_ring_deinit(&s.ring);
	return out_of_order ? 1 : 0;
}
