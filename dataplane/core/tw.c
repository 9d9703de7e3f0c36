/* SPDX-License-Identifier: BSD-3-Clause */
/* tw.c — hashed timer wheel (see tw.h for the design). */
#include <string.h>

#include "tw.h"

#define TW_NONE UINT32_MAX
#define TW_FIRING TW_SLOTS

size_t tw_nodes_size(uint32_t cap)
{
	return (size_t)cap * sizeof(struct tw_node);
}

void tw_init(struct tw *w, void *nodes, uint32_t cap, uint64_t now)
{
	memset(w, 0, sizeof(*w));
	w->nodes = nodes;
	w->cap = cap;
	w->now = now;
	for (uint32_t i = 0; i <= TW_SLOTS; i++)
		w->head[i] = TW_NONE;
	for (uint32_t i = 0; i < cap; i++) {
		w->nodes[i].next = i + 1 < cap ? i + 1 : TW_NONE;
		w->nodes[i].prev = TW_NONE;
		w->nodes[i].slot = TW_NONE;
		w->nodes[i].gen = 1;
	}
	w->free_head = cap ? 0 : TW_NONE;
}

static void tw_link(struct tw *w, uint32_t i, uint32_t slot)
{
	struct tw_node *n = &w->nodes[i];
	n->slot = slot;
	n->prev = TW_NONE;
	n->next = w->head[slot];
	if (n->next != TW_NONE)
		w->nodes[n->next].prev = i;
	w->head[slot] = i;
}

static void tw_unlink(struct tw *w, uint32_t i)
{
	struct tw_node *n = &w->nodes[i];
	if (n->prev != TW_NONE)
		w->nodes[n->prev].next = n->next;
	else
		w->head[n->slot] = n->next;
	if (n->next != TW_NONE)
		w->nodes[n->next].prev = n->prev;
	n->next = n->prev = TW_NONE;
}

static void tw_release(struct tw *w, uint32_t i)
{
	struct tw_node *n = &w->nodes[i];
	n->slot = TW_NONE;
	n->gen++;
	n->next = w->free_head;
	w->free_head = i;
	w->active--;
}

tw_handle_t tw_add(struct tw *w, uint64_t due, uint32_t kind, uint64_t arg)
{
	if (w->free_head == TW_NONE) {
		w->full++;
		return 0;
	}
	uint32_t i = w->free_head;
	struct tw_node *n = &w->nodes[i];
	w->free_head = n->next;
	if (due <= w->now)
		due = w->now + 1;
	n->due = due;
	n->kind = kind;
	n->arg = arg;
	tw_link(w, i, (uint32_t)(due % TW_SLOTS));
	w->active++;
	return ((uint64_t)n->gen << 32) | (uint64_t)(i + 1);
}

int tw_cancel(struct tw *w, tw_handle_t h)
{
	uint32_t i = (uint32_t)h;
	if (i == 0 || i > w->cap)
		return 0;
	i--;
	struct tw_node *n = &w->nodes[i];
	if (n->gen != (uint32_t)(h >> 32) || n->slot == TW_NONE)
		return 0;
	tw_unlink(w, i);
	tw_release(w, i);
	return 1;
}

/* Fire from the firing list until empty or out of budget. */
static uint32_t tw_fire_list(struct tw *w, tw_fire_fn fn, void *ctx, uint32_t budget)
{
	uint32_t fired = 0;
	while (fired < budget && w->head[TW_FIRING] != TW_NONE) {
		uint32_t i = w->head[TW_FIRING];
		struct tw_node *n = &w->nodes[i];
		uint32_t kind = n->kind;
		uint64_t arg = n->arg;
		tw_unlink(w, i);
		tw_release(w, i);
		fired++;
		fn(ctx, kind, arg); /* may add or cancel, including nodes still on the firing list */
	}
	return fired;
}

uint32_t tw_advance(struct tw *w, uint64_t now, tw_fire_fn fn, void *ctx, uint32_t budget)
{
	uint32_t fired = tw_fire_list(w, fn, ctx, budget);
	while (fired < budget && w->head[TW_FIRING] == TW_NONE && w->now < now) {
		uint64_t cur = w->now + 1;
		w->now = cur;
		uint32_t slot = (uint32_t)(cur % TW_SLOTS);
		/* move what is due to the firing list, leave later rounds in place */
		uint32_t i = w->head[slot];
		while (i != TW_NONE) {
			uint32_t next = w->nodes[i].next;
			if (w->nodes[i].due <= cur) {
				tw_unlink(w, i);
				tw_link(w, i, TW_FIRING);
			}
			i = next;
		}
		fired += tw_fire_list(w, fn, ctx, budget - fired);
	}
	w->fired += fired;
	return fired;
}
