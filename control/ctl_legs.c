/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_legs.c — bounded open-addressing hash of legs (see ctl_legs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vox_shm.h"

#include "ctl_legs.h"

struct ctl_legs {
	struct ctl_leg *slots;
	uint32_t mask; /* capacity - 1 */
	uint32_t count;
	uint32_t max;
	uint32_t per_worker[VOX_MAX_WORKERS];
};

static const char *const ctl_leg_state_names[] = {
    [VOX_LEG_FREE] = "free",       [VOX_LEG_CREATED] = "created", [VOX_LEG_OFFERED] = "offered",
    [VOX_LEG_DIALING] = "dialing", [VOX_LEG_RINGING] = "ringing", [VOX_LEG_ANSWERED] = "answered",
    [VOX_LEG_ENDING] = "ending",
};

const char *ctl_leg_state_name(uint32_t state)
{
	if (state < sizeof(ctl_leg_state_names) / sizeof(ctl_leg_state_names[0]))
		return ctl_leg_state_names[state];
	return "unknown";
}

/* 64-bit mix (splitmix64 finaliser): handles differ mostly in slot and generation bits. */
static uint32_t legs_hash(vox_handle_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (uint32_t)h;
}

int ctl_legs_create(struct ctl_legs **out, uint32_t max_legs)
{
	if (max_legs == 0 || max_legs > (1u << 30))
		return -EINVAL;
	uint32_t cap = 16;
	while (cap < 2 * max_legs)
		cap <<= 1;
	struct ctl_legs *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return -ENOMEM;
	}
	t->mask = cap - 1;
	t->max = max_legs;
	*out = t;
	return 0;
}

void ctl_legs_destroy(struct ctl_legs *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

/* Index of h, or of the empty slot where it would go. */
static uint32_t legs_probe(const struct ctl_legs *t, vox_handle_t h)
{
	uint32_t i = legs_hash(h) & t->mask;
	while (t->slots[i].handle && t->slots[i].handle != h)
		i = (i + 1) & t->mask;
	return i;
}

static void legs_count_worker(struct ctl_legs *t, uint16_t w, int delta)
{
	if (w < VOX_MAX_WORKERS)
		t->per_worker[w] += (uint32_t)delta;
}

int ctl_legs_upsert(struct ctl_legs *t, const struct ctl_leg *leg, struct ctl_leg **leg_out)
{
	if (!leg->handle)
		return -EINVAL;
	uint32_t i = legs_probe(t, leg->handle);
	struct ctl_leg *e = &t->slots[i];
	int fresh = e->handle == 0;
	if (fresh) {
		if (t->count >= t->max)
			return -ENOSPC;
		t->count++;
		*e = *leg;
		legs_count_worker(t, e->worker, +1);
	} else {
		/* keep what the update does not know (kind, created time, tag) */
		if (e->worker != leg->worker) {
			legs_count_worker(t, e->worker, -1);
			legs_count_worker(t, leg->worker, +1);
			e->worker = leg->worker;
		}
		e->state = leg->state;
		if (leg->kind)
			e->kind = leg->kind;
		if (leg->created_ns && !e->created_ns)
			e->created_ns = leg->created_ns;
		static const uint8_t zero[16];
		if (memcmp(leg->tag, zero, sizeof(zero)) != 0)
			memcpy(e->tag, leg->tag, sizeof(e->tag));
		if (leg->updated_ns)
			e->updated_ns = leg->updated_ns;
	}
	if (leg_out)
		*leg_out = e;
	return fresh;
}

struct ctl_leg *ctl_legs_find(struct ctl_legs *t, vox_handle_t h)
{
	if (!h)
		return NULL;
	struct ctl_leg *e = &t->slots[legs_probe(t, h)];
	return e->handle ? e : NULL;
}

int ctl_legs_remove(struct ctl_legs *t, vox_handle_t h)
{
	if (!h)
		return -ENOENT;
	uint32_t i = legs_probe(t, h);
	if (!t->slots[i].handle)
		return -ENOENT;
	legs_count_worker(t, t->slots[i].worker, -1);
	t->count--;
	/* backward-shift: move later members of the cluster into the hole when their home
	 * position does not lie cyclically in (hole, j] */
	uint32_t hole = i, j = i;
	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->slots[j].handle)
			break;
		uint32_t home = legs_hash(t->slots[j].handle) & t->mask;
		int in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (in_range)
			continue;
		t->slots[hole] = t->slots[j];
		hole = j;
	}
	memset(&t->slots[hole], 0, sizeof(t->slots[hole]));
	return 0;
}

void ctl_legs_clear(struct ctl_legs *t)
{
	memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	memset(t->per_worker, 0, sizeof(t->per_worker));
	t->count = 0;
}

uint32_t ctl_legs_count(const struct ctl_legs *t)
{
	return t->count;
}

uint32_t ctl_legs_max(const struct ctl_legs *t)
{
	return t->max;
}

uint32_t ctl_legs_on_worker(const struct ctl_legs *t, uint32_t w)
{
	return w < VOX_MAX_WORKERS ? t->per_worker[w] : 0;
}

uint32_t ctl_legs_foreach(const struct ctl_legs *t, ctl_legs_visit_fn *fn, void *arg)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i <= t->mask; i++)
		if (t->slots[i].handle) {
			fn(&t->slots[i], arg);
			n++;
		}
	return n;
}
