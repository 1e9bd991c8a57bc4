/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <dexrt/core.h>

/* Indices run freely (wrap at SIZE_MAX) and are masked on access, so
 * tail - head is the fill level and full/empty need no spare slot. The
 * producer publishes tail with release after writing the slot; the consumer
 * reads tail with acquire before reading the slot (and symmetrically for
 * head), which is all the ordering an SPSC ring needs. Each side caches the
 * other's index so the shared cache line is touched only when the cached
 * view says full/empty. */

static bool is_pow2(size_t x)
{
	return x >= 2 && (x & (x - 1)) == 0;
}

DX_API size_t dx_ring_storage_size(size_t capacity, size_t elem_size)
{
	if (!is_pow2(capacity) || elem_size == 0 ||
	    capacity > SIZE_MAX / elem_size)
		return 0;
	return capacity * elem_size;
}

DX_API int dx_ring_init(struct dx_ring *r, void *storage, size_t capacity,
			size_t elem_size)
{
	if (!r || !storage || dx_ring_storage_size(capacity, elem_size) == 0)
		return DX_EINVAL;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->head_cache = 0;
	r->tail_cache = 0;
	r->buf = storage;
	r->elem_size = elem_size;
	r->mask = capacity - 1;
	r->owns_buf = false;
	return 0;
}

DX_API int dx_ring_init_alloc(struct dx_ring *r, size_t capacity,
			      size_t elem_size)
{
	size_t n = dx_ring_storage_size(capacity, elem_size);
	void *mem;
	int err;

	if (!r || n == 0)
		return DX_EINVAL;
	mem = aligned_alloc(DX_CACHELINE, (n + DX_CACHELINE - 1) /
				DX_CACHELINE * DX_CACHELINE);
	if (!mem)
		return DX_ENOMEM;
	err = dx_ring_init(r, mem, capacity, elem_size);
	if (err) {
		free(mem);
		return err;
	}
	r->owns_buf = true;
	return 0;
}

DX_API void dx_ring_deinit(struct dx_ring *r)
{
	if (!r)
		return;
	if (r->owns_buf)
		free(r->buf);
	r->buf = NULL;
	r->owns_buf = false;
}

DX_API int dx_ring_push(struct dx_ring *r, const void *elem)
{
	size_t tail;

	if (!r || !elem)
		return DX_EINVAL;
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	if (tail - r->head_cache > r->mask) {
		r->head_cache = atomic_load_explicit(&r->head,
						     memory_order_acquire);
		if (tail - r->head_cache > r->mask)
			return DX_ENOBUFS;
	}
	memcpy(r->buf + (tail & r->mask) * r->elem_size, elem, r->elem_size);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return 0;
}

static int ring_front(struct dx_ring *r, size_t *head)
{
	*head = atomic_load_explicit(&r->head, memory_order_relaxed);
	if (*head == r->tail_cache) {
		r->tail_cache = atomic_load_explicit(&r->tail,
						     memory_order_acquire);
		if (*head == r->tail_cache)
			return DX_EAGAIN;
	}
	return 0;
}

DX_API int dx_ring_pop(struct dx_ring *r, void *elem)
{
	size_t head;
	int err;

	if (!r || !elem)
		return DX_EINVAL;
	err = ring_front(r, &head);
	if (err)
		return err;
	memcpy(elem, r->buf + (head & r->mask) * r->elem_size, r->elem_size);
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return 0;
}

DX_API int dx_ring_peek(struct dx_ring *r, void *elem)
{
	size_t head;
	int err;

	if (!r || !elem)
		return DX_EINVAL;
	err = ring_front(r, &head);
	if (err)
		return err;
	memcpy(elem, r->buf + (head & r->mask) * r->elem_size, r->elem_size);
	return 0;
}

DX_API size_t dx_ring_count(const struct dx_ring *r)
{
	size_t tail, head, n;

	if (!r)
		return 0;
	tail = atomic_load_explicit(&((struct dx_ring *)r)->tail,
				    memory_order_acquire);
	head = atomic_load_explicit(&((struct dx_ring *)r)->head,
				    memory_order_acquire);
	n = tail - head;
	/* A third thread can see head overtake its stale tail. */
	return n > r->mask + 1 ? 0 : n;
}

DX_API size_t dx_ring_capacity(const struct dx_ring *r)
{
	return r ? r->mask + 1 : 0;
}
