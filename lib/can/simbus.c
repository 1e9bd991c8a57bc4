/* SPDX-License-Identifier: MIT */
/* simbus: a CAN bus in POSIX shared memory (see include/dexrt/simbus.h).
 *
 * Layout of the segment /dx-simbus-NAME:
 *   struct sb_shared        header: identity, clock, counters, faults, nodes
 *   uint64_t ring[cap]      one word per bus position (sequence number n at
 *                           index n % cap): (n + 1) << 22 | node << 16 | stage
 *   struct sb_rec rec[nodes][cap]  each node's own frame records
 *
 * Sending frame n: the sender writes the complete frame, with its start and
 * end times on the wire, into one of its OWN records (nobody else writes
 * there), then installs it at position n with a single compare-and-swap of
 * ring[n % cap] from the word of position n - cap to the new word. The CAS
 * both claims position n and publishes the frame, so there is no moment at
 * which position n is claimed but incomplete: a sender that dies before the
 * CAS leaves nothing, one that dies after it leaves a complete frame. Other
 * senders never wait for anybody; a failed CAS means another frame won
 * position n and the loser retries at n + 1 (bounded).
 *
 * Bus timing is chained through the ring: the start of frame n is
 * max(submit time, end(n - 1) + 3 bits of intermission), where end(n - 1) is
 * read from the record of position n - 1, which is complete by construction.
 *
 * Records are reused by their owner after `cap` more of its own frames; by
 * then position n has been overwritten in the ring too. Readers validate a
 * record with its sequence field (written 0 before and n + 1 after the
 * payload, seqlock fashion) and treat a mismatch as a lost frame.
 *
 * Receivers keep a private cursor and read positions in order; a frame is
 * deliverable when the bus clock has reached its end time. dx_can_wait()
 * sleeps on a futex word that every publish and clock advance increments,
 * with a timeout at the next frame's end (real-time clock) and at most
 * WAIT_SLICE_NS per sleep, so a waker that died between publishing and
 * waking costs a waiter at most one slice.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <dexrt/busload.h>
#include <dexrt/simbus.h>

#include "can-priv.h"

#define SB_MAGIC 0x4458534275734231ull /* "DXSBusB1" */
#define SB_VERSION 1u
#define SB_NODE_SHIFT 16
#define SB_SEQ_SHIFT 22
#define SB_STAGE_MASK 0xffffu
#define SB_NODE_MASK 0x3fu
#define SB_MAX_CAP 65536u
#define SB_MIN_CAP 64u
#define SB_SEND_TRIES 256
#define WAIT_SLICE_NS (50 * DX_NS_PER_MS)

/* record flags */
#define REC_DROP 1u
#define REC_CORRUPT 2u

/* linux/can/error.h: protocol violation, CRC sequence */
#define CAN_ERR_PROT 0x00000008u
#define CAN_ERR_PROT_LOC_CRC_SEQ 0x08u

struct sb_rec {
	_Atomic uint64_t seq; /* n + 1 once complete, 0 while written */
	int64_t start_ns;
	int64_t end_ns;
	uint32_t flags;
	uint32_t node;
	struct dx_can_frame frame;
};

struct sb_fault_slot {
	_Atomic uint32_t state; /* 0 free, 1 being written, 2 active */
	uint32_t kind;
	uint32_t id, mask;
	uint32_t all, ext;
	int32_t node;
	int32_t limited;
	int64_t delay_ns;
	_Atomic int32_t remaining;
	uint32_t _pad;
};

struct sb_node {
	_Atomic int32_t pid;      /* 0: free */
	_Atomic uint32_t bus_off;
	_Atomic uint32_t tec;     /* transmit error counter */
	_Atomic uint32_t bus_off_count;
	_Atomic uint32_t fd;      /* node accepts FD frames */
	uint32_t _pad;
	_Atomic uint64_t next_stage;
	uint8_t _line[32];
};

struct sb_shared {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint32_t rec_size;
	uint32_t capacity;
	uint32_t max_nodes;
	uint32_t bitrate;
	uint32_t data_bitrate;
	uint32_t virtual_clock;
	uint64_t total_size;
	int64_t created_ns;
	_Alignas(64) _Atomic int64_t vclock;
	_Atomic uint32_t futex;
	_Atomic uint32_t waiters;
	_Alignas(64) _Atomic uint64_t head;   /* next position (hint) */
	_Atomic uint64_t frames;
	_Atomic uint64_t busy_ns;
	_Atomic int64_t wire_end;
	struct sb_fault_slot faults[DX_SIMBUS_MAX_FAULTS];
	_Alignas(64) struct sb_node nodes[DX_SIMBUS_MAX_NODES];
};

struct simbus {
	struct dx_can can; /* first: the common head */
	struct sb_shared *sh;
	_Atomic uint64_t *ring;
	struct sb_rec *recs; /* all nodes' records */
	size_t map_size;
	uint32_t cap, mask;
	unsigned node;
	bool virt;
	uint64_t next;       /* next position to read */
	uint64_t stage;      /* next own record */
	int64_t *own_end;    /* end times of our last txq frames */
	uint32_t txq, own_idx;
	uint32_t rec_errors; /* receive error counter (corrupt frames seen) */
	ino_t ino;           /* inode of the segment we joined */
	struct dx_can_filter filters[DX_SIMBUS_MAX_FILTERS];
	size_t n_filters;
	char shm_name[DX_SIMBUS_NAME_MAX + 16];
};

static struct simbus *to_sb(struct dx_can *c)
{
	return (struct simbus *)c;
}

static const struct simbus *to_csb(const struct dx_can *c)
{
	return (const struct simbus *)c;
}

static int64_t sb_now(const struct simbus *sb)
{
	if (sb->virt)
		return atomic_load_explicit(&sb->sh->vclock, memory_order_acquire);
	return dx_time_now_ns();
}

static struct sb_rec *rec_at(const struct simbus *sb, unsigned node,
			     uint32_t stage)
{
	return &sb->recs[(size_t)node * sb->cap + stage];
}

static uint64_t word_seq1(uint64_t w) /* n + 1, 0 when empty */
{
	return w >> SB_SEQ_SHIFT;
}

/* Copies the record published by ring word @p w if it still holds position
 * seq1 - 1. Returns false when it was reused in the meantime. */
static bool rec_read(const struct simbus *sb, uint64_t w, struct sb_rec *out)
{
	unsigned node = (unsigned)(w >> SB_NODE_SHIFT) & SB_NODE_MASK;
	uint32_t stage = (uint32_t)w & SB_STAGE_MASK;
	struct sb_rec *r;
	uint64_t s1, s2;

	if (node >= DX_SIMBUS_MAX_NODES || stage >= sb->cap)
		return false;
	r = rec_at(sb, node, stage);
	s1 = atomic_load_explicit(&r->seq, memory_order_acquire);
	if (s1 != word_seq1(w))
		return false;
	out->start_ns = r->start_ns;
	out->end_ns = r->end_ns;
	out->flags = r->flags;
	out->node = r->node;
	memcpy(&out->frame, &r->frame, sizeof(out->frame));
	atomic_thread_fence(memory_order_acquire);
	s2 = atomic_load_explicit(&r->seq, memory_order_relaxed);
	return s2 == s1;
}

static void futex_wake_all(struct simbus *sb)
{
	atomic_fetch_add_explicit(&sb->sh->futex, 1, memory_order_release);
	if (atomic_load_explicit(&sb->sh->waiters, memory_order_acquire))
		syscall(SYS_futex, &sb->sh->futex, FUTEX_WAKE, INT_MAX, NULL,
			NULL, 0);
}

static bool pid_alive(int32_t pid)
{
	if (pid <= 0)
		return false;
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* ---- send -------------------------------------------------------------- */

struct fault_effect {
	uint32_t rec_flags;
	int64_t delay_ns;
	bool duplicate;
};

static bool fault_take(struct sb_fault_slot *fs)
{
	int32_t r;

	if (!fs->limited)
		return true;
	r = atomic_load_explicit(&fs->remaining, memory_order_relaxed);
	while (r > 0)
		if (atomic_compare_exchange_weak(&fs->remaining, &r, r - 1))
			return true;
	return false;
}

static void faults_apply(struct simbus *sb, const struct dx_can_frame *f,
			 struct fault_effect *fx)
{
	bool ext = (f->flags & DX_CAN_EXT) != 0;

	memset(fx, 0, sizeof(*fx));
	for (unsigned i = 0; i < DX_SIMBUS_MAX_FAULTS; i++) {
		struct sb_fault_slot *fs = &sb->sh->faults[i];

		if (atomic_load_explicit(&fs->state, memory_order_acquire) != 2)
			continue;
		if (fs->node >= 0 && (unsigned)fs->node != sb->node)
			continue;
		if (!fs->all && (fs->ext != ext || ((f->id ^ fs->id) & fs->mask)))
			continue;
		if (!fault_take(fs))
			continue;
		switch (fs->kind) {
		case DX_SIMBUS_FAULT_DROP:
			fx->rec_flags |= REC_DROP;
			break;
		case DX_SIMBUS_FAULT_CORRUPT:
			fx->rec_flags |= REC_CORRUPT;
			break;
		case DX_SIMBUS_FAULT_DELAY:
			fx->delay_ns += fs->delay_ns;
			break;
		case DX_SIMBUS_FAULT_DUPLICATE:
			fx->duplicate = true;
			break;
		}
	}
}

/* Finds the first free position at or after the head hint. */
static int find_tail(struct simbus *sb, uint64_t *pos)
{
	uint64_t n = atomic_load_explicit(&sb->sh->head, memory_order_acquire);

	for (uint32_t i = 0; i <= sb->cap; i++) {
		uint64_t w = atomic_load_explicit(&sb->ring[n & sb->mask],
						  memory_order_acquire);
		uint64_t s1 = word_seq1(w);
		if (s1 == n + 1) {
			n++;
			continue;
		}
		if (s1 > n + 1) { /* our hint is a lap behind: reload */
			n = atomic_load_explicit(&sb->sh->head,
						 memory_order_acquire);
			continue;
		}
		*pos = n;
		return 0;
	}
	return DX_EAGAIN;
}

static void head_advance(struct simbus *sb, uint64_t to)
{
	uint64_t h = atomic_load_explicit(&sb->sh->head, memory_order_relaxed);

	while (h < to &&
	       !atomic_compare_exchange_weak(&sb->sh->head, &h, to))
		;
}

/* Puts one frame on the bus. @p dur_ns: its time on the wire, @p ifs_ns the
 * intermission after it. Returns 0, DX_ENOBUFS (backlog full) or
 * DX_EAGAIN (contention beyond the retry bound). */
static int publish(struct simbus *sb, const struct dx_can_frame *f,
		   int64_t now, int64_t dur_ns, int64_t ifs_ns,
		   const struct fault_effect *fx, int64_t *end_out)
{
	uint32_t stage = (uint32_t)(sb->stage % sb->cap);
	struct sb_rec *r = rec_at(sb, sb->node, stage);

	for (int tries = 0; tries < SB_SEND_TRIES; tries++) {
		uint64_t n, w_old, w_new;
		int64_t prev_end = INT64_MIN / 4, start, end;
		struct sb_rec tmp;

		if (find_tail(sb, &n))
			return DX_EAGAIN;
		if (n > 0) {
			uint64_t wp = atomic_load_explicit(
				&sb->ring[(n - 1) & sb->mask],
				memory_order_acquire);
			if (word_seq1(wp) != n || !rec_read(sb, wp, &tmp))
				continue; /* moved on under us: retry */
			prev_end = tmp.end_ns;
		}
		w_old = atomic_load_explicit(&sb->ring[n & sb->mask],
					     memory_order_acquire);
		if (word_seq1(w_old) >= n + 1)
			continue;
		/* The frame a lap back must have left the wire, else the
		 * backlog exceeds the ring: the bus is saturated. */
		if (w_old && rec_read(sb, w_old, &tmp) && tmp.end_ns > now)
			return DX_ENOBUFS;
		start = now + fx->delay_ns;
		if (prev_end + ifs_ns > start)
			start = prev_end + ifs_ns;
		end = start + dur_ns;

		atomic_store_explicit(&r->seq, 0, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		r->start_ns = start;
		r->end_ns = end;
		r->flags = fx->rec_flags;
		r->node = sb->node;
		r->frame = *f;
		r->frame.ts_ns = end;
		atomic_store_explicit(&r->seq, n + 1, memory_order_release);

		w_new = (n + 1) << SB_SEQ_SHIFT |
			(uint64_t)sb->node << SB_NODE_SHIFT | stage;
		if (!atomic_compare_exchange_strong_explicit(
			    &sb->ring[n & sb->mask], &w_old, w_new,
			    memory_order_acq_rel, memory_order_acquire))
			continue;
		sb->stage++;
		atomic_store_explicit(&sb->sh->nodes[sb->node].next_stage,
				      sb->stage, memory_order_relaxed);
		head_advance(sb, n + 1);
		atomic_fetch_add_explicit(&sb->sh->frames, 1,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&sb->sh->busy_ns,
					  (uint64_t)(dur_ns + ifs_ns),
					  memory_order_relaxed);
		{
			int64_t we = atomic_load_explicit(&sb->sh->wire_end,
							  memory_order_relaxed);
			while (we < end &&
			       !atomic_compare_exchange_weak(&sb->sh->wire_end,
							     &we, end))
				;
		}
		*end_out = end;
		return 0;
	}
	return DX_EAGAIN;
}

static int send_one(struct simbus *sb, const struct dx_can_frame *f,
		    bool ignore_txq, int64_t now)
{
	struct sb_node *me = &sb->sh->nodes[sb->node];
	struct fault_effect fx;
	int64_t dur, ifs, end;
	int err;

	if (dx_can_frame_check(f) || (f->flags & DX_CAN_ERR) ||
	    ((f->flags & DX_CAN_FD) && !sb->can.opts.fd)) {
		sb->can.stats.tx_errors++;
		return DX_EINVAL;
	}
	if (atomic_load_explicit(&me->bus_off, memory_order_acquire)) {
		sb->can.stats.tx_errors++;
		return DX_EBUSOFF;
	}
	if (!ignore_txq && sb->own_end[sb->own_idx % sb->txq] > now) {
		sb->can.stats.tx_full++;
		return DX_ENOBUFS;
	}
	dur = dx_can_frame_ns(f, sb->can.bitrate, sb->can.data_bitrate);
	if (dur < 0) {
		sb->can.stats.tx_errors++;
		return (int)dur;
	}
	ifs = (int64_t)DX_CAN_IFS_BITS * DX_NS_PER_S / sb->can.bitrate;
	faults_apply(sb, f, &fx);
	err = publish(sb, f, now, dur, ifs, &fx, &end);
	if (!err && fx.duplicate) {
		struct fault_effect fx2 = fx;
		fx2.delay_ns = 0;
		fx2.duplicate = false;
		sb->own_end[sb->own_idx++ % sb->txq] = end;
		err = publish(sb, f, now, dur, ifs, &fx2, &end);
		if (err)
			err = 0; /* the original went out */
	}
	if (err) {
		if (err == DX_ENOBUFS)
			sb->can.stats.tx_full++;
		else
			sb->can.stats.tx_errors++;
		return err;
	}
	sb->own_end[sb->own_idx++ % sb->txq] = end;
	if (fx.rec_flags & REC_CORRUPT) {
		/* ISO 11898-1:2015, 12.1.4.2: a transmitter detecting an
		 * error adds 8; from 128 it is error passive, above 255 it
		 * goes bus-off (recovery here is explicit, see
		 * dx_simbus_set_bus_off()). */
		uint32_t t = atomic_fetch_add_explicit(&me->tec, 8,
						       memory_order_relaxed) + 8;
		if (t >= 128 && t - 8 < 128)
			sb->can.state.passive_count++;
		if (t > 255 && atomic_exchange(&me->bus_off, 1) == 0)
			atomic_fetch_add(&me->bus_off_count, 1);
	} else {
		uint32_t t = atomic_load_explicit(&me->tec, memory_order_relaxed);
		if (t > 0)
			atomic_compare_exchange_strong(&me->tec, &t, t - 1);
	}
	sb->can.stats.tx_frames++;
	sb->can.stats.tx_bytes += f->len;
	return 0;
}

static int sb_send(struct dx_can *c, const struct dx_can_frame *f, size_t n)
{
	struct simbus *sb = to_sb(c);
	int64_t now = sb_now(sb);
	size_t i;
	int err = 0;

	for (i = 0; i < n; i++) {
		err = send_one(sb, &f[i], false, now);
		if (err)
			break;
	}
	if (i > 0)
		futex_wake_all(sb);
	return i > 0 ? (int)i : err;
}

/* ---- receive ----------------------------------------------------------- */

enum verdict { V_NONE, V_WAIT, V_SKIP, V_TAKE };

/* Looks at position sb->next. V_NONE: nothing published there yet; V_WAIT:
 * published but not finished on the wire (*end set); V_SKIP: consumed, not
 * for us; V_TAKE: *out holds the frame to deliver (consumed). */
static enum verdict examine(struct simbus *sb, int64_t now,
			    struct dx_can_frame *out, int64_t *end)
{
	uint64_t w = atomic_load_explicit(&sb->ring[sb->next & sb->mask],
					  memory_order_acquire);
	uint64_t s1 = word_seq1(w);
	struct sb_rec r;

	if (s1 < sb->next + 1)
		return V_NONE;
	if (s1 > sb->next + 1 || !rec_read(sb, w, &r)) {
		/* Overwritten before we read it: we fell a lap behind. Jump
		 * to the oldest position that is surely still there. */
		uint64_t h = atomic_load_explicit(&sb->sh->head,
						  memory_order_acquire);
		uint64_t to = h > sb->cap / 2 ? h - sb->cap / 2 : 0;
		if (to <= sb->next)
			to = sb->next + 1;
		sb->can.stats.rx_dropped += to - sb->next;
		sb->next = to;
		return V_SKIP;
	}
	if (r.end_ns > now) {
		*end = r.end_ns;
		return V_WAIT;
	}
	sb->next++;
	if (r.node == sb->node && !sb->can.opts.recv_own)
		return V_SKIP;
	if (r.flags & REC_DROP)
		return V_SKIP;
	if (r.flags & REC_CORRUPT) {
		if (r.node != sb->node && sb->rec_errors < 255)
			sb->rec_errors++;
		if (sb->can.opts.no_err_frames)
			return V_SKIP;
		memset(out, 0, sizeof(*out));
		out->id = CAN_ERR_PROT;
		out->flags = DX_CAN_ERR;
		out->len = DX_CAN_MAX_DLEN;
		out->data[3] = CAN_ERR_PROT_LOC_CRC_SEQ;
		out->ts_ns = r.end_ns;
		return V_TAKE;
	}
	if ((r.frame.flags & DX_CAN_FD) && !sb->can.opts.fd) {
		sb->can.stats.rx_invalid++; /* a classic node cannot read it */
		return V_SKIP;
	}
	if (!dx__can_filter_match(sb->filters, sb->n_filters, &r.frame))
		return V_SKIP;
	*out = r.frame;
	out->ts_ns = r.end_ns;
	return V_TAKE;
}

static int sb_recv(struct dx_can *c, struct dx_can_frame *f, size_t max)
{
	struct simbus *sb = to_sb(c);
	int64_t now = sb_now(sb), end;
	size_t got = 0;
	/* bounded: frames not for us cost one step each */
	size_t budget = max + 2 * (size_t)sb->cap;

	while (got < max && budget--) {
		enum verdict v = examine(sb, now, &f[got], &end);
		if (v == V_NONE || v == V_WAIT)
			break;
		if (v == V_TAKE) {
			if (f[got].flags & DX_CAN_ERR)
				sb->can.stats.rx_err_frames++;
			sb->can.stats.rx_frames++;
			sb->can.stats.rx_bytes += f[got].len;
			got++;
		}
	}
	return (int)got;
}

/* Is a frame for us deliverable now? Consumes frames not for us. *wake is
 * set to the end time of the next frame on the wire, or INT64_MAX. */
static bool ready(struct simbus *sb, int64_t now, int64_t *wake)
{
	struct dx_can_frame tmp;
	size_t budget = 2 * (size_t)sb->cap;

	*wake = INT64_MAX;
	while (budget--) {
		uint64_t keep = sb->next;
		uint64_t dropped = sb->can.stats.rx_dropped;
		uint32_t rec_errors = sb->rec_errors;
		uint64_t invalid = sb->can.stats.rx_invalid;
		int64_t end;
		enum verdict v = examine(sb, now, &tmp, &end);

		if (v == V_TAKE) {
			/* leave it for dx_can_recv() */
			sb->next = keep;
			sb->can.stats.rx_dropped = dropped;
			sb->rec_errors = rec_errors;
			sb->can.stats.rx_invalid = invalid;
			return true;
		}
		if (v == V_WAIT)
			*wake = end;
		if (v != V_SKIP)
			return false;
	}
	return false;
}

static int sleep_on_futex(struct simbus *sb, uint32_t seen, int64_t rel_ns)
{
	struct timespec ts;

	if (rel_ns > WAIT_SLICE_NS)
		rel_ns = WAIT_SLICE_NS;
	if (rel_ns <= 0)
		return 0;
	ts = dx_ns_to_timespec(rel_ns);
	atomic_fetch_add_explicit(&sb->sh->waiters, 1, memory_order_acq_rel);
	syscall(SYS_futex, &sb->sh->futex, FUTEX_WAIT, seen, &ts, NULL, 0);
	atomic_fetch_sub_explicit(&sb->sh->waiters, 1, memory_order_acq_rel);
	return 0;
}

static int sb_wait(struct dx_can *c, int64_t deadline_ns)
{
	struct simbus *sb = to_sb(c);

	for (;;) {
		uint32_t seen = atomic_load_explicit(&sb->sh->futex,
						     memory_order_acquire);
		int64_t now = sb_now(sb), wake, until;

		if (ready(sb, now, &wake))
			return 0;
		if (now >= deadline_ns)
			return DX_ETIMEDOUT;
		if (sb->virt) {
			/* only another thread moving the clock or sending can
			 * change anything: sleep a slice at a time */
			sleep_on_futex(sb, seen, WAIT_SLICE_NS);
			continue;
		}
		until = wake < deadline_ns ? wake : deadline_ns;
		sleep_on_futex(sb, seen, until - now);
	}
}

/* ---- filters, state ---------------------------------------------------- */

static int sb_set_filters(struct dx_can *c, const struct dx_can_filter *f,
			  size_t n)
{
	struct simbus *sb = to_sb(c);

	if (n > DX_SIMBUS_MAX_FILTERS)
		return DX_ENOSPC;
	for (size_t i = 0; i < n; i++) {
		uint32_t lim = f[i].ext ? DX_CAN_EFF_MASK : DX_CAN_SFF_MASK;
		if (f[i].id > lim) /* could never match */
			return DX_EINVAL;
	}
	if (n)
		memcpy(sb->filters, f, n * sizeof(*f));
	sb->n_filters = n;
	return 0;
}

static int sb_fd(const struct dx_can *c)
{
	(void)c;
	return -1; /* no descriptor: use dx_can_wait() */
}

static int sb_get_state(const struct dx_can *c, struct dx_can_busstate *bs)
{
	const struct simbus *sb = to_csb(c);
	const struct sb_node *me = &sb->sh->nodes[sb->node];
	uint32_t tec = atomic_load(&me->tec);

	*bs = c->state;
	bs->tx_errors = (uint16_t)(tec > 0xffff ? 0xffff : tec);
	bs->rx_errors = (uint16_t)sb->rec_errors;
	bs->bus_off_count = atomic_load(&me->bus_off_count);
	/* ISO 11898-1:2015, 12.1.4: error passive from 128, warning (a
	 * controller convention) from 96, bus-off above 255. */
	if (atomic_load(&me->bus_off) || tec > 255)
		bs->state = DX_CAN_STATE_BUS_OFF;
	else if (tec >= 128 || sb->rec_errors >= 128)
		bs->state = DX_CAN_STATE_ERROR_PASSIVE;
	else if (tec >= 96 || sb->rec_errors >= 96)
		bs->state = DX_CAN_STATE_ERROR_WARNING;
	else
		bs->state = DX_CAN_STATE_ERROR_ACTIVE;
	return 0;
}

/* ---- open / close ------------------------------------------------------ */

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > DX_SIMBUS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      ch == '.'))
			return false;
	}
	return true;
}

static size_t layout_size(uint32_t cap, size_t *ring_off, size_t *rec_off)
{
	size_t off = (sizeof(struct sb_shared) + 63) & ~(size_t)63;

	*ring_off = off;
	off += (size_t)cap * sizeof(uint64_t);
	off = (off + 63) & ~(size_t)63;
	*rec_off = off;
	off += (size_t)DX_SIMBUS_MAX_NODES * cap * sizeof(struct sb_rec);
	return off;
}

static bool any_alive(const struct sb_shared *sh)
{
	for (unsigned i = 0; i < DX_SIMBUS_MAX_NODES; i++)
		if (pid_alive(atomic_load(&sh->nodes[i].pid)))
			return true;
	return false;
}

/* Is the mapped header one this build can use? */
static bool header_ok(const struct sb_shared *sh, size_t file_size)
{
	size_t ro, co;

	return sh->magic == SB_MAGIC && sh->version == SB_VERSION &&
	       sh->header_size == sizeof(struct sb_shared) &&
	       sh->rec_size == sizeof(struct sb_rec) &&
	       sh->max_nodes == DX_SIMBUS_MAX_NODES &&
	       sh->capacity >= SB_MIN_CAP && sh->capacity <= SB_MAX_CAP &&
	       (sh->capacity & (sh->capacity - 1)) == 0 &&
	       sh->total_size == file_size &&
	       layout_size(sh->capacity, &ro, &co) == file_size &&
	       sh->bitrate > 0;
}

static void sb_close(struct dx_can *c)
{
	struct simbus *sb = to_sb(c);
	struct stat st;
	int fd;

	if (!sb)
		return;
	if (sb->sh) {
		/* Leave under the segment's flock so that a joiner either sees
		 * us alive or finds the name gone and creates a new bus. */
		fd = shm_open(sb->shm_name, O_RDWR | O_CLOEXEC, 0);
		if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_ino != sb->ino)) {
			close(fd); /* the name belongs to a newer bus */
			fd = -1;
		}
		if (fd >= 0)
			flock(fd, LOCK_EX);
		atomic_store(&sb->sh->nodes[sb->node].pid, 0);
		if (fd >= 0) {
			if (!any_alive(sb->sh))
				shm_unlink(sb->shm_name);
			flock(fd, LOCK_UN);
			close(fd);
		}
		futex_wake_all(sb);
		munmap(sb->sh, sb->map_size);
	}
	free(sb->own_end);
	free(sb);
}

static void init_shared(struct sb_shared *sh, size_t total, uint32_t cap,
			uint32_t br, uint32_t dbr, bool virt)
{
	memset(sh, 0, sizeof(*sh));
	sh->version = SB_VERSION;
	sh->header_size = sizeof(struct sb_shared);
	sh->rec_size = sizeof(struct sb_rec);
	sh->capacity = cap;
	sh->max_nodes = DX_SIMBUS_MAX_NODES;
	sh->bitrate = br;
	sh->data_bitrate = dbr;
	sh->virtual_clock = virt;
	sh->total_size = total;
	/* identifies this incarnation of the segment, also in virtual mode */
	sh->created_ns = virt ? 0 : dx_time_now_ns();
	atomic_store(&sh->vclock, 0);
	atomic_store(&sh->wire_end, INT64_MIN / 4);
	atomic_thread_fence(memory_order_release);
	sh->magic = SB_MAGIC; /* last: a half-initialised segment is stale */
}

static int join(struct simbus *sb, const char *name,
		const struct dx_can_opts *opts,
		const struct dx_simbus_opts *so)
{
	uint32_t cap = so->capacity ? so->capacity : DX_SIMBUS_DEFAULT_CAPACITY;
	uint32_t br = opts->bitrate ? opts->bitrate : 1000000u;
	uint32_t dbr = opts->data_bitrate ? opts->data_bitrate : br;
	bool want_virt = so->clock == DX_SIMBUS_CLOCK_VIRTUAL;
	size_t ro, co, total = layout_size(cap, &ro, &co);

	snprintf(sb->shm_name, sizeof(sb->shm_name), "/dx-simbus-%s", name);
	for (int attempt = 0; attempt < 8; attempt++) {
		struct stat st, st2;
		struct sb_shared *sh;
		int fd, fd2, err = 0;
		size_t size;

		fd = shm_open(sb->shm_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX) < 0) {
			err = -errno;
			close(fd);
			return err;
		}
		/* The name may have been unlinked and recreated while we
		 * waited for the lock: make sure we hold the live one. */
		fd2 = shm_open(sb->shm_name, O_RDONLY | O_CLOEXEC, 0);
		if (fd2 < 0 || fstat(fd, &st) < 0 || fstat(fd2, &st2) < 0 ||
		    st.st_ino != st2.st_ino) {
			if (fd2 >= 0)
				close(fd2);
			close(fd);
			continue;
		}
		close(fd2);
		size = (size_t)st.st_size;
		if (size >= sizeof(struct sb_shared)) {
			sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				  fd, 0);
			if (sh == MAP_FAILED) {
				err = -errno;
				close(fd);
				return err;
			}
			if (!header_ok(sh, size) || !any_alive(sh)) {
				/* stale: incompatible or abandoned */
				munmap(sh, size);
				shm_unlink(sb->shm_name);
				close(fd);
				continue;
			}
		} else {
			if (size != 0) {
				shm_unlink(sb->shm_name);
				close(fd);
				continue;
			}
			if (ftruncate(fd, (off_t)total) < 0) {
				err = -errno;
				shm_unlink(sb->shm_name);
				close(fd);
				return err;
			}
			size = total;
			sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				  fd, 0);
			if (sh == MAP_FAILED) {
				err = -errno;
				shm_unlink(sb->shm_name);
				close(fd);
				return err;
			}
			init_shared(sh, total, cap, br,
				    dbr, want_virt);
		}
		/* Joining an existing bus: settings must agree. */
		if ((opts->bitrate && opts->bitrate != sh->bitrate) ||
		    (opts->data_bitrate && opts->data_bitrate != sh->data_bitrate) ||
		    (so->clock == DX_SIMBUS_CLOCK_VIRTUAL && !sh->virtual_clock) ||
		    (so->clock == DX_SIMBUS_CLOCK_REAL && sh->virtual_clock))
			err = DX_ECONFIG;
		if (!err) {
			unsigned i;
			for (i = 0; i < DX_SIMBUS_MAX_NODES; i++) {
				struct sb_node *nd = &sh->nodes[i];
				int32_t pid = atomic_load(&nd->pid);
				if (pid == 0 || !pid_alive(pid))
					break;
			}
			if (i == DX_SIMBUS_MAX_NODES) {
				err = DX_ENOSPC;
			} else {
				struct sb_node *nd = &sh->nodes[i];
				atomic_store(&nd->bus_off, 0);
				atomic_store(&nd->tec, 0);
				atomic_store(&nd->bus_off_count, 0);
				atomic_store(&nd->fd, opts->fd);
				sb->stage = atomic_load(&nd->next_stage);
				atomic_store(&nd->pid, (int32_t)getpid());
				sb->node = i;
			}
		}
		if (err) {
			bool last = !any_alive(sh);
			munmap(sh, size);
			if (last)
				shm_unlink(sb->shm_name);
			flock(fd, LOCK_UN);
			close(fd);
			return err;
		}
		sb->sh = sh;
		sb->map_size = size;
		sb->cap = sh->capacity;
		sb->mask = sh->capacity - 1;
		sb->virt = sh->virtual_clock;
		layout_size(sb->cap, &ro, &co);
		sb->ino = st.st_ino;
		sb->ring = (_Atomic uint64_t *)((char *)sh + ro);
		sb->recs = (struct sb_rec *)((char *)sh + co);
		sb->can.bitrate = sh->bitrate;
		sb->can.data_bitrate = sh->data_bitrate;
		flock(fd, LOCK_UN);
		close(fd);
		return 0;
	}
	return DX_EBUSY; /* kept losing races with other openers */
}

static int sb_open_full(struct dx_can **out, const char *name,
			const struct dx_can_opts *opts,
			const struct dx_simbus_opts *sopts)
{
	static const struct dx_simbus_opts sdef;
	static const struct dx_can_opts odef;
	struct simbus *sb;
	uint64_t tail;
	int err;

	if (!out || !name)
		return DX_EINVAL;
	*out = NULL;
	if (!opts)
		opts = &odef;
	if (!sopts)
		sopts = &sdef;
	if (!name_ok(name) || (opts->n_filters && !opts->filters) ||
	    opts->bitrate > DX_SIMBUS_MAX_BITRATE ||
	    opts->data_bitrate > DX_SIMBUS_MAX_BITRATE ||
	    (opts->data_bitrate && opts->bitrate &&
	     opts->data_bitrate < opts->bitrate) ||
	    sopts->clock > DX_SIMBUS_CLOCK_VIRTUAL ||
	    (sopts->capacity && (sopts->capacity < SB_MIN_CAP ||
				 sopts->capacity > SB_MAX_CAP ||
				 (sopts->capacity & (sopts->capacity - 1)))) ||
	    sopts->tx_queue > 4096)
		return DX_EINVAL;
	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return DX_ENOMEM;
	sb->can.ops = &dx__can_simbus_ops;
	sb->can.opts = *opts;
	sb->can.opts.filters = NULL;
	sb->can.opts.n_filters = 0;
	sb->txq = sopts->tx_queue ? sopts->tx_queue : DX_SIMBUS_DEFAULT_TXQ;
	sb->own_end = calloc(sb->txq, sizeof(int64_t));
	if (!sb->own_end) {
		free(sb);
		return DX_ENOMEM;
	}
	for (uint32_t i = 0; i < sb->txq; i++)
		sb->own_end[i] = INT64_MIN;
	err = sb_set_filters(&sb->can, opts->filters, opts->n_filters);
	if (!err)
		err = join(sb, name, opts, sopts);
	if (err) {
		free(sb->own_end);
		free(sb);
		return err;
	}
	if (find_tail(sb, &tail))
		tail = atomic_load(&sb->sh->head);
	sb->next = tail; /* a new node hears frames from now on */
	sb->can.state.state = DX_CAN_STATE_ERROR_ACTIVE;
	snprintf(sb->can.name, sizeof(sb->can.name), "simbus:%s", name);
	*out = &sb->can;
	return 0;
}

static int sb_open(struct dx_can **out, const char *arg,
		   const struct dx_can_opts *opts)
{
	return sb_open_full(out, arg, opts, NULL);
}

const struct dx__can_ops dx__can_simbus_ops = {
	.scheme = "simbus",
	.open = sb_open,
	.close = sb_close,
	.send = sb_send,
	.recv = sb_recv,
	.wait = sb_wait,
	.set_filters = sb_set_filters,
	.fd = sb_fd,
	.get_state = sb_get_state,
};

/* ---- public simbus API -------------------------------------------------- */

DX_API int dx_simbus_open(struct dx_can **out, const char *name,
			  const struct dx_can_opts *opts,
			  const struct dx_simbus_opts *sopts)
{
	return sb_open_full(out, name, opts, sopts);
}

DX_API bool dx_simbus_is(const struct dx_can *bus)
{
	return bus && bus->ops == &dx__can_simbus_ops;
}

DX_API int dx_simbus_node(const struct dx_can *bus)
{
	return dx_simbus_is(bus) ? (int)to_csb(bus)->node : DX_EINVAL;
}

DX_API int64_t dx_simbus_now(const struct dx_can *bus)
{
	return dx_simbus_is(bus) ? sb_now(to_csb(bus)) : 0;
}

DX_API int dx_simbus_advance(struct dx_can *bus, int64_t dt_ns)
{
	struct simbus *sb;

	if (!dx_simbus_is(bus) || dt_ns < 0)
		return DX_EINVAL;
	sb = to_sb(bus);
	if (!sb->virt)
		return DX_ESTATE;
	atomic_fetch_add_explicit(&sb->sh->vclock, dt_ns, memory_order_acq_rel);
	futex_wake_all(sb);
	return 0;
}

DX_API int dx_simbus_set_time(struct dx_can *bus, int64_t t_ns)
{
	struct simbus *sb;
	int64_t cur;

	if (!dx_simbus_is(bus))
		return DX_EINVAL;
	sb = to_sb(bus);
	if (!sb->virt)
		return DX_ESTATE;
	cur = atomic_load(&sb->sh->vclock);
	while (cur < t_ns &&
	       !atomic_compare_exchange_weak(&sb->sh->vclock, &cur, t_ns))
		;
	futex_wake_all(sb);
	return 0;
}

DX_API int dx_simbus_wait_tx(struct dx_can *bus, int64_t deadline_ns)
{
	struct simbus *sb;

	if (!dx_simbus_is(bus))
		return DX_EINVAL;
	sb = to_sb(bus);
	for (;;) {
		uint32_t seen = atomic_load(&sb->sh->futex);
		int64_t now = sb_now(sb);
		int64_t free_at = sb->own_end[sb->own_idx % sb->txq];

		if (free_at <= now)
			return 0;
		if (now >= deadline_ns)
			return DX_ETIMEDOUT;
		if (sb->virt) {
			sleep_on_futex(sb, seen, WAIT_SLICE_NS);
		} else {
			struct timespec ts = dx_ns_to_timespec(
				free_at < deadline_ns ? free_at : deadline_ns);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL);
		}
	}
}

DX_API int dx_simbus_get_info(const struct dx_can *bus,
			      struct dx_simbus_info *info)
{
	const struct simbus *sb;

	if (!dx_simbus_is(bus) || !info)
		return DX_EINVAL;
	sb = to_csb(bus);
	memset(info, 0, sizeof(*info));
	info->virtual_clock = sb->virt;
	info->bitrate = sb->sh->bitrate;
	info->data_bitrate = sb->sh->data_bitrate;
	info->capacity = sb->cap;
	for (unsigned i = 0; i < DX_SIMBUS_MAX_NODES; i++)
		if (pid_alive(atomic_load(&sb->sh->nodes[i].pid)))
			info->nodes++;
	info->frames = atomic_load(&sb->sh->frames);
	info->busy_ns = atomic_load(&sb->sh->busy_ns);
	info->created_ns = sb->sh->created_ns;
	info->now_ns = sb_now(sb);
	info->wire_end_ns = atomic_load(&sb->sh->wire_end);
	return 0;
}

DX_API int dx_simbus_fault_add(struct dx_can *bus,
			       const struct dx_simbus_fault *fault)
{
	struct simbus *sb;

	if (!dx_simbus_is(bus) || !fault ||
	    fault->kind < DX_SIMBUS_FAULT_DROP ||
	    fault->kind > DX_SIMBUS_FAULT_DUPLICATE || fault->count < 0 ||
	    fault->delay_ns < 0 || fault->node < -1 ||
	    fault->node >= DX_SIMBUS_MAX_NODES ||
	    (fault->kind == DX_SIMBUS_FAULT_DELAY && fault->delay_ns == 0))
		return DX_EINVAL;
	if (!fault->all && (fault->id > (fault->ext ? DX_CAN_EFF_MASK
						       : DX_CAN_SFF_MASK)))
		return DX_EINVAL;
	sb = to_sb(bus);
	for (int i = 0; i < DX_SIMBUS_MAX_FAULTS; i++) {
		struct sb_fault_slot *fs = &sb->sh->faults[i];
		uint32_t zero = 0;

		if (!atomic_compare_exchange_strong(&fs->state, &zero, 1))
			continue;
		fs->kind = (uint32_t)fault->kind;
		fs->id = fault->id;
		fs->mask = fault->mask;
		fs->all = fault->all;
		fs->ext = fault->ext;
		fs->node = fault->node;
		fs->delay_ns = fault->delay_ns;
		fs->limited = fault->count > 0;
		atomic_store(&fs->remaining, fault->count);
		atomic_store_explicit(&fs->state, 2, memory_order_release);
		return i;
	}
	return DX_ENOSPC;
}

DX_API int dx_simbus_fault_remove(struct dx_can *bus, int handle)
{
	if (!dx_simbus_is(bus) || handle < 0 || handle >= DX_SIMBUS_MAX_FAULTS)
		return DX_EINVAL;
	atomic_store(&to_sb(bus)->sh->faults[handle].state, 0);
	return 0;
}

DX_API int dx_simbus_fault_remaining(const struct dx_can *bus, int handle)
{
	const struct sb_fault_slot *fs;

	if (!dx_simbus_is(bus) || handle < 0 || handle >= DX_SIMBUS_MAX_FAULTS)
		return DX_EINVAL;
	fs = &to_csb(bus)->sh->faults[handle];
	if (atomic_load(&fs->state) != 2)
		return 0;
	return atomic_load(&fs->remaining);
}

DX_API int dx_simbus_set_bus_off(struct dx_can *bus, int node, bool off)
{
	struct sb_node *nd;

	if (!dx_simbus_is(bus) || node < -1 || node >= DX_SIMBUS_MAX_NODES)
		return DX_EINVAL;
	if (node < 0)
		node = (int)to_sb(bus)->node;
	nd = &to_sb(bus)->sh->nodes[node];
	if (off) {
		if (atomic_exchange(&nd->bus_off, 1) == 0)
			atomic_fetch_add(&nd->bus_off_count, 1);
	} else {
		atomic_store(&nd->tec, 0);
		atomic_store(&nd->bus_off, 0);
	}
	return 0;
}

DX_API int dx_simbus_babble(struct dx_can *bus, const struct dx_can_frame *f,
			    unsigned count)
{
	struct simbus *sb;
	unsigned i;
	int err = 0;

	if (!dx_simbus_is(bus) || !f || count == 0)
		return DX_EINVAL;
	sb = to_sb(bus);
	for (i = 0; i < count; i++) {
		err = send_one(sb, f, true, sb_now(sb));
		if (err)
			break;
	}
	if (i > 0)
		futex_wake_all(sb);
	return i > 0 ? (int)i : err;
}

DX_API int dx_simbus_unlink(const char *name)
{
	char path[DX_SIMBUS_NAME_MAX + 16];

	if (!name || !name_ok(name))
		return DX_EINVAL;
	snprintf(path, sizeof(path), "/dx-simbus-%s", name);
	if (shm_unlink(path) < 0)
		return errno == ENOENT ? DX_ENOENT : -errno;
	return 0;
}
