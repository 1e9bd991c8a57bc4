/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include <dexrt/core.h>

/* Log-linear buckets (the HdrHistogram idea): values below 2*SUB get one
 * bucket each; above that, each power of two [2^p, 2^(p+1)) is split into
 * SUB equal buckets, so the bucket width is at most 1/SUB of the value. */

static unsigned bucket_of(uint64_t v)
{
	unsigned p, shift;

	if (v < 2u * DX_HIST_SUB)
		return (unsigned)v;
	p = 63u - (unsigned)__builtin_clzll(v);
	shift = p - DX_HIST_SUB_BITS;
	return (p - DX_HIST_SUB_BITS + 1) * DX_HIST_SUB +
	       (unsigned)((v >> shift) - DX_HIST_SUB);
}

DX_API void dx_hist_bucket_range(unsigned idx, int64_t *lo, int64_t *hi)
{
	unsigned g, sub, shift;
	int64_t l, h;

	if (idx >= DX_HIST_BUCKETS) {
		l = h = 0;
	} else if (idx < 2u * DX_HIST_SUB) {
		l = idx;
		h = (int64_t)idx + 1;
	} else {
		g = idx / DX_HIST_SUB;
		sub = idx % DX_HIST_SUB;
		shift = g - 1;
		l = (int64_t)(DX_HIST_SUB + sub) << shift;
		h = l + ((int64_t)1 << shift);
	}
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
}

DX_API void dx_hist_reset(struct dx_hist *h)
{
	if (!h)
		return;
	memset(h, 0, sizeof(*h));
	h->min = INT64_MAX;
	h->max = INT64_MIN;
}

DX_API void dx_hist_add(struct dx_hist *h, int64_t ns)
{
	if (!h)
		return;
	if (ns < 0)
		ns = 0;
	h->count++;
	h->sum += (double)ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	if ((uint64_t)ns >= ((uint64_t)1 << DX_HIST_MAX_POW2))
		h->overflow++;
	else
		h->bucket[bucket_of((uint64_t)ns)]++;
}

DX_API int64_t dx_hist_quantile(const struct dx_hist *h, double q)
{
	uint64_t rank, seen = 0;
	int64_t lo, hi;

	if (!h || h->count == 0)
		return 0;
	if (!(q > 0.0))
		return h->min;
	if (q >= 1.0)
		return h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < DX_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			dx_hist_bucket_range(i, &lo, &hi);
			hi -= 1; /* largest value the bucket holds */
			if (hi > h->max)
				hi = h->max;
			if (hi < h->min)
				hi = h->min;
			return hi;
		}
	}
	return h->max; /* rank falls among the overflow samples */
}

DX_API double dx_hist_mean(const struct dx_hist *h)
{
	return h && h->count ? h->sum / (double)h->count : 0.0;
}

DX_API void dx_hist_merge(struct dx_hist *dst, const struct dx_hist *src)
{
	if (!dst || !src || src->count == 0)
		return;
	dst->count += src->count;
	dst->overflow += src->overflow;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (unsigned i = 0; i < DX_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

DX_API void dx_hist_summarize(const struct dx_hist *h, struct dx_hist_summary *s)
{
	if (!h || !s)
		return;
	s->count = h->count;
	s->min = h->count ? h->min : 0;
	s->max = h->count ? h->max : 0;
	s->p50 = dx_hist_quantile(h, 0.5);
	s->p90 = dx_hist_quantile(h, 0.9);
	s->p99 = dx_hist_quantile(h, 0.99);
	s->p999 = dx_hist_quantile(h, 0.999);
	s->mean = dx_hist_mean(h);
}
