/* SPDX-License-Identifier: MIT */
/* The hand16 rig shared by test-hand, test-faults and bench-soak (and, for
 * the configuration text and the pads, bench-cycle):
 *
 *  - examples/<tag>.yaml with its simbus bus names made private to the
 *    process ("simbus:hand16-index-a" becomes "simbus:<prefix>-index-a"),
 *    as text (hand_rig_text) or written to a scratch directory next to a
 *    copy of the URDF (hand_rig_write);
 *  - the device side of hand16.yaml (hand_rig_devices): on every bus one
 *    simbus node serving the bus's MIT drives, virtual drives as the
 *    configuration describes them (in memory shared with forked
 *    processes), and on each finger's "a" bus a virtual pad with the
 *    configured geometry, optionally pressed by a compliant object that
 *    the finger's proximal flexion joint meets;
 *  - the device half of a 1 ms cycle on the virtual clock (the hand at T,
 *    the devices answer at T + HAND_RIG_ANSWER_NS, the next cycle at
 *    T + HAND_RIG_PERIOD_NS): hand_rig_set_time, hand_rig_answer,
 *    hand_rig_finish;
 *  - small target and pad helpers, a seeded generator.
 *
 * Functions return 0 or a negative DX_E... code and never assert, so the
 * benchmarks can use them; the tests assert on the codes. Nothing here
 * allocates after hand_rig_devices(): the cycle helpers may run while
 * alloc-count.h counts. */
#ifndef DX_TESTS_HAND_RIG_H
#define DX_TESTS_HAND_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include <dexrt/can.h>
#include <dexrt/hand.h>
#include <dexrt/sim.h>
#include <dexrt/simbus.h>
#include <dexrt/simpad.h>

#define HAND_RIG_NBUS 8 /* bus 2f: finger f joints 0, 1; 2f + 1: 2, 3 */
#define HAND_RIG_DPB 2  /* drives per bus */
#define HAND_RIG_NPAD 4 /* one pad per finger, on its "a" bus */
#define HAND_RIG_ANSWER_NS (300 * DX_NS_PER_US)
#define HAND_RIG_PERIOD_NS DX_NS_PER_MS

/* A compliant object between the fingers: once the joint passes q_touch it
 * presses back with k N per rad of penetration at the pad, i.e. a torque
 * k * pen * lever on the joint. */
struct hand_rig_object {
	double q_touch, k, lever; /* rad, N/rad, m */
	double j, b;              /* joint inertia and damping of the motor */
	double force;             /* current normal force, N */
	bool present;             /* off: the finger moves freely */
};

/* Zero-initialised, then hand_rig_write (or a config loaded by the
 * caller into cfg), hand_rig_devices, hand_rig_start; hand_rig_down. */
struct hand_rig {
	char dir[64];   /* scratch directory ("" none) */
	char yaml[128]; /* its hand.yaml */
	struct dx_hand_config *cfg;
	struct dx_hand *hand;
	char busname[HAND_RIG_NBUS][64];
	struct dx_can *dev_can[HAND_RIG_NBUS];
	struct dx_vdrive (*drives)[HAND_RIG_DPB]; /* shared anonymous map */
	struct dx_vdrive_runner runner[HAND_RIG_NBUS];
	struct dx_can *pad_can[HAND_RIG_NPAD];
	struct dx_simpad pad[HAND_RIG_NPAD];
	int pad_bus[HAND_RIG_NPAD];
	struct hand_rig_object obj[HAND_RIG_NPAD];
	bool pad_silent[HAND_RIG_NPAD]; /* the pad takes requests, answers none */
	uint32_t external;              /* buses served elsewhere (bit mask) */
	int64_t t;                      /* start of the next cycle, ns */
	unsigned long clock_errors;     /* failed clock moves and device sends */
	struct dx_hand_telemetry tel;   /* latest sample (hand_rig_telemetry) */
	bool have_tel;
};

/* ---- configuration text and files ---------------------------------------- */

/** Reads a whole file. @return a malloc'd NUL-terminated copy, NULL on
 *  error. */
char *hand_rig_slurp(const char *path);

/** The text of <exdir>/<tag>.yaml with every "simbus:<tag>-" replaced by
 *  "simbus:<prefix>-" and, when @p from is not NULL, every @p from by
 *  @p to (the leftmost match first). @return malloc'd text, NULL on error. */
char *hand_rig_text(const char *exdir, const char *tag, const char *prefix,
		    const char *from, const char *to);

/** Writes hand16.yaml (buses "simbus:<bus_tag><pid>-...", edited as in
 *  hand_rig_text) to r->yaml = /tmp/dx-<name>-<pid>/hand.yaml, next to a
 *  copy of urdf/hand16.urdf. Sets r->dir and r->yaml only.
 *  @return 0, DX_EINVAL (no @p exdir), DX_ENOENT, DX_EIO. */
int hand_rig_write(struct hand_rig *r, const char *exdir, const char *name,
		   const char *bus_tag, const char *from, const char *to);

/** Removes r->dir (when set). @return 0 or DX_EIO. */
int hand_rig_remove(struct hand_rig *r);

/* ---- the rig ----------------------------------------------------------------- */

/** The device side of r->cfg (a hand16 layout: HAND_RIG_NBUS simbus buses
 *  of HAND_RIG_DPB MIT drives, HAND_RIG_NPAD grid pads): per bus a node
 *  with the bus's timing on @p clock, the virtual drives (model, id and
 *  master id + 0x10 from the configuration) and their runner; per pad a
 *  virtual pad (hand_rig_pad_config) on its own node. With @p objects,
 *  each pad's finger meets r->obj[pad] at its proximal flexion joint
 *  (drive 1 of the pad's bus); the objects start absent. Open the nodes
 *  of other devices after this and before hand_rig_start.
 *  @return 0, DX_ECONFIG (another layout), DX_ENOMEM or an open error. */
int hand_rig_devices(struct hand_rig *r, enum dx_simbus_clock clock,
		     bool objects);

/** dx_hand_init() of r->cfg into r->hand (@p o may be NULL); r->t = the
 *  clock of bus 0. @return as dx_hand_init(), its message in @p e. */
int hand_rig_start(struct hand_rig *r, const struct dx_hand_opts *o,
		   struct dx_hand_config_error *e);

/** Frees the hand, closes the nodes, unlinks the buses, frees the
 *  configuration and removes the scratch directory; any part may be
 *  missing. @return 0, or DX_EIO when the directory stayed. */
int hand_rig_down(struct hand_rig *r);

/* ---- the cycle on the virtual clock ---------------------------------------- */

/** Moves every bus's virtual clock to @p t (ns); failures count in
 *  r->clock_errors. */
void hand_rig_set_time(struct hand_rig *r, int64_t t);

/** The devices at @p t: every drive runner polls (but those of the
 *  r->external buses), every pad gets its object's press, advances one
 *  period and answers what has arrived (unless silent). */
void hand_rig_answer(struct hand_rig *r, int64_t t);

/** The device half of the cycle that the hand started at r->t: the clock
 *  to r->t + HAND_RIG_ANSWER_NS, the devices answer, the clock and r->t to
 *  r->t + HAND_RIG_PERIOD_NS. */
void hand_rig_finish(struct hand_rig *r);

/** Drains the hand's telemetry ring (a full ring refuses new samples),
 *  keeping the latest sample in r->tel. */
void hand_rig_telemetry(struct hand_rig *r);

/* ---- targets and pads ---------------------------------------------------------- */

/** A joint target for every joint of @p h: abduction joints ("_j0") to
 *  @p spread, the others to @p flex (rad). */
void hand_rig_posture(const struct dx_hand *h, double spread, double flex,
		      struct dx_hand_target *t);

/** A virtual pad as pad @p p of @p cfg describes it (grid, geometry,
 *  gain, the bus's FD setting), no noise. @return 0, DX_EINVAL or
 *  DX_ENOTSUP (a taxel list). */
int hand_rig_pad_config(const struct dx_hand_config *cfg, unsigned p,
			struct dx_simpad_config *sc);

/** A press of @p force N at the centre of pad @p pc along its outward
 *  normal (the force on the object), spread @p radius m. */
void hand_rig_pad_contact(const struct dx_hand_pad_config *pc, double force,
			  float radius, struct dx_simpad_contact *ct);

/* ---- seeded generator -------------------------------------------------------- */

/** The next value of the xorshift64* generator with state @p s (non-zero;
 *  Vigna, "An experimental exploration of Marsaglia's xorshift generators,
 *  scrambled", 2016). */
uint64_t hand_rig_rng(uint64_t *s);

/** A uniform draw in [0, 1) from the top 53 bits of hand_rig_rng(). */
double hand_rig_uniform(uint64_t *s);

#endif
