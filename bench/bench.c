/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench.h"

int dxb_init(struct dxb *b, int argc, char **argv)
{
	int i = 1;

	memset(b, 0, sizeof(*b));
	b->program = argc > 0 ? argv[0] : "bench";
	b->json_path = getenv("DX_BENCH_JSON");
	b->quick = getenv("DX_BENCH_QUICK") != NULL;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			b->json_path = argv[++i];
		else if (strcmp(argv[i], "--quick") == 0)
			b->quick = true;
		else
			break;
	}
	b->started_ns = dxb_now();
	return i;
}

void dxb_header(const struct dxb *b)
{
	(void)b;
	printf("%-44s %10s %9s %9s %9s %9s %9s %9s\n", "benchmark", "samples",
	       "min", "median", "p99", "p99.9", "max", "mean");
}

static void json_append(const struct dxb *b, const char *body)
{
	FILE *f;
	struct utsname u;

	if (!b->json_path)
		return;
	f = fopen(b->json_path, "a");
	if (!f) {
		perror(b->json_path);
		return;
	}
	uname(&u);
	fprintf(f, "{\"program\":\"%s\",\"machine\":\"%s\",%s}\n",
		strrchr(b->program, '/') ? strrchr(b->program, '/') + 1
					 : b->program,
		u.machine, body);
	fclose(f);
}

void dxb_report(const struct dxb *b, const char *name, const struct dx_hist *h,
		const char *extra)
{
	struct dx_hist_summary s;
	char body[1024];

	dx_hist_summarize(h, &s);
	printf("%-44s %10llu %9lld %9lld %9lld %9lld %9lld %9.1f  ns\n", name,
	       (unsigned long long)s.count, (long long)s.min, (long long)s.p50,
	       (long long)s.p99, (long long)s.p999, (long long)s.max, s.mean);
	snprintf(body, sizeof(body),
		 "\"name\":\"%s\",\"unit\":\"ns\",\"count\":%llu,\"min\":%lld,"
		 "\"p50\":%lld,\"p90\":%lld,\"p99\":%lld,\"p999\":%lld,"
		 "\"max\":%lld,\"mean\":%.3f%s%s",
		 name, (unsigned long long)s.count, (long long)s.min,
		 (long long)s.p50, (long long)s.p90, (long long)s.p99,
		 (long long)s.p999, (long long)s.max, s.mean, extra ? "," : "",
		 extra ? extra : "");
	json_append(b, body);
	fflush(stdout);
}

void dxb_report_value(const struct dxb *b, const char *name, double value,
		      const char *unit, const char *extra)
{
	char body[1024];

	printf("%-44s %14.4g %s\n", name, value, unit);
	snprintf(body, sizeof(body), "\"name\":\"%s\",\"unit\":\"%s\",\"value\":%.9g%s%s",
		 name, unit, value, extra ? "," : "", extra ? extra : "");
	json_append(b, body);
	fflush(stdout);
}
