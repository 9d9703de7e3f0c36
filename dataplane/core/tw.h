/* SPDX-License-Identifier: BSD-3-Clause */
/* tw.h — per-lcore hashed timer wheel: fixed pool, O(1) add/cancel, no syscalls, injected time. */
#ifndef TW_H
#define TW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Design. Time is in ticks (the caller picks the unit: the dataplane uses milliseconds from the
 * TSC). A wheel of TW_SLOTS slots; a timer due `d` ticks ahead sits in slot (due % TW_SLOTS)
 * with `rounds` = how many full turns remain, so any delay fits (an hours-long call deadline
 * costs a visit per turn of the wheel, ~4 s). Timers are nodes of a fixed pool, linked by 32-bit
 * indexes (doubly linked, so cancel is O(1)). A handle is (generation << 32 | index + 1): a
 * cancel with the handle of a timer that already fired or was reused does nothing.
 * Written and read by one lcore only.
 */
#define TW_SLOTS 4096u

typedef uint64_t tw_handle_t; /* 0 = none */

struct tw_node {
	uint64_t due;
	uint32_t next, prev; /* pool indexes, UINT32_MAX = none */
	uint32_t gen;
	uint32_t slot; /* UINT32_MAX when free */
	uint32_t kind; /* caller's: what to do */
	uint32_t rsvd;
	uint64_t arg;  /* caller's: e.g. a leg or transaction index */
};

struct tw {
	uint64_t now;          /* last tick advanced to */
	uint32_t cap;
	uint32_t free_head;
	uint32_t active;
	uint32_t rsvd;
	uint64_t full;         /* adds refused: pool exhausted */
	uint64_t fired;
	struct tw_node *nodes; /* cap nodes */
	uint32_t head[TW_SLOTS + 1]; /* [TW_SLOTS] is the list of timers being fired */
};

/* The callback gets the node's kind and arg; it may add and cancel timers. */
typedef void (*tw_fire_fn)(void *ctx, uint32_t kind, uint64_t arg);

/* Bytes of node storage for cap timers (the caller allocates at start-up). */
size_t tw_nodes_size(uint32_t cap);
/* Initialise with caller memory `nodes` (tw_nodes_size(cap) bytes) at tick `now`. */
void tw_init(struct tw *w, void *nodes, uint32_t cap, uint64_t now);
/* Arm a timer due at tick `due` (a past tick fires on the next advance). Returns its handle,
 * or 0 when the pool is full (counted in w->full). */
tw_handle_t tw_add(struct tw *w, uint64_t due, uint32_t kind, uint64_t arg);
/* Disarm. Returns 1 if the timer was armed, 0 if it had fired, been cancelled or reused. */
int tw_cancel(struct tw *w, tw_handle_t h);
/* Fire every timer due at or before `now`, in tick order, at most `budget` of them (the rest
 * fire on the next call). Returns how many fired. */
uint32_t tw_advance(struct tw *w, uint64_t now, tw_fire_fn fn, void *ctx, uint32_t budget);

#endif /* TW_H */
